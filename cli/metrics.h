#ifndef IKC_CLI_METRICS_H
#define IKC_CLI_METRICS_H

/* metrics.h - --metrics-file: Prometheus text-format metrics of one run (for cron) */

#include "cli/cli.h"
#include "planner/plan.h"

/**
 * Writes cli->metrics_file (when set) atomically, mode 0644, for
 * node_exporter's textfile collector: ikc_last_run_timestamp_seconds,
 * ikc_run_duration_seconds (since `started`, ikc_time_monotonic()) and
 * ikc_last_run_success; with a plan also ikc_drift_resources and
 * ikc_plan_changes{action=create|update|replace|delete}.  Every series is
 * labelled with stack and command.  `plan` is NULL when the run failed.
 * A failure to write is printed as a warning and makes the run fail:
 * returns 0 or IKC_EXIT_ERROR.
 */
int ikc_cli_write_metrics(const struct ikc_cli *cli, const char *stack,
			  const ikc_plan *plan, double started, int ok);

#endif /* IKC_CLI_METRICS_H */
