/* metrics.c - --metrics-file: Prometheus text-format metrics of a plan, drift or apply run */
#include "cli/metrics.h"

#include <stdio.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/fs.h"

/* A label value with \, " and newlines escaped as the text format wants. */
static int label(ikc_buf *out, const char *s)
{
	int error = 0;

	for (; s && *s && !error; s++) {
		if (*s == '\\')
			error = ikc_buf_puts(out, "\\\\");
		else if (*s == '"')
			error = ikc_buf_puts(out, "\\\"");
		else if (*s == '\n')
			error = ikc_buf_puts(out, "\\n");
		else
			error = ikc_buf_put(out, s, 1);
	}
	return error;
}

static int series(ikc_buf *out, const char *name, const char *stack,
		  const char *command, const char *action, double value)
{
	int error = ikc_buf_printf(out, "%s{stack=\"", name);

	if (!error)
		error = label(out, stack);
	if (!error)
		error = ikc_buf_printf(out, "\",command=\"%s\"", command);
	if (!error && action)
		error = ikc_buf_printf(out, ",action=\"%s\"", action);
	if (!error)
		error = ikc_buf_printf(out, "} %.17g\n", value);
	return error;
}

static int help(ikc_buf *out, const char *name, const char *text)
{
	return ikc_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, text, name);
}

int ikc_cli_write_metrics(const struct ikc_cli *cli, const char *stack,
			  const ikc_plan *plan, double started, int ok)
{
	ikc_buf out = IKC_BUF_INIT(1 << 20);
	const char *cmd = cli->command;
	int error = 0;

	if (!cli->metrics_file)
		return 0;
	if (!stack)
		stack = "";
	if (plan) {
		error = help(&out, "ikc_drift_resources",
			     "Resources whose live state differs from the last apply.");
		if (!error)
			error = series(&out, "ikc_drift_resources", stack, cmd, NULL,
				       (double)plan->ndrift);
		if (!error)
			error = help(&out, "ikc_plan_changes",
				     "Changes the plan holds, by action.");
		if (!error)
			error = series(&out, "ikc_plan_changes", stack, cmd, "create",
				       (double)plan->n_create);
		if (!error)
			error = series(&out, "ikc_plan_changes", stack, cmd, "update",
				       (double)plan->n_update);
		if (!error)
			error = series(&out, "ikc_plan_changes", stack, cmd, "replace",
				       (double)plan->n_replace);
		if (!error)
			error = series(&out, "ikc_plan_changes", stack, cmd, "delete",
				       (double)plan->n_delete);
	}
	if (!error)
		error = help(&out, "ikc_last_run_timestamp_seconds",
			     "When this run ended (Unix time).");
	if (!error)
		error = series(&out, "ikc_last_run_timestamp_seconds", stack, cmd, NULL,
			       ikc_time_now());
	if (!error)
		error = help(&out, "ikc_run_duration_seconds", "How long this run took.");
	if (!error)
		error = series(&out, "ikc_run_duration_seconds", stack, cmd, NULL,
			       ikc_time_monotonic() - started);
	if (!error)
		error = help(&out, "ikc_last_run_success",
			     "1 if this run succeeded, 0 if it failed.");
	if (!error)
		error = series(&out, "ikc_last_run_success", stack, cmd, NULL, ok ? 1 : 0);
	if (!error)
		error = ikc_fs_write_atomic(cli->metrics_file, out.ptr, out.len, 0644);
	ikc_buf_dispose(&out);
	if (error) {
		ikc_cli_warn("could not write the metrics file %s: %s", cli->metrics_file,
			     ikc_error_last());
		return IKC_EXIT_ERROR;
	}
	return 0;
}
