/* cmd_plan.c - ikc plan (optionally saved with --out) and ikc drift */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/metrics.h"
#include "cli/run.h"
#include "cli/session.h"
#include "planner/plan.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/fs.h"

/* Writes the saved plan file (0600: it keeps Secret data for apply). */
static int save_plan(struct ikc_cli *cli, ikc_plan *plan, json_object *live,
		     int had_state)
{
	ikc_buf file = IKC_BUF_INIT(256 << 20);
	char *none = NULL;
	int error = 0;

	/* Planned against no state at all: apply must find none either. */
	if (!had_state) {
		none = strdup("");
		if (!none)
			error = ikc_error_oom();
		else {
			free(plan->lineage);
			plan->lineage = none;
			plan->serial = 0;
		}
	}
	if (!error)
		error = ikc_plan_set_versions(plan, live);
	if (!error)
		error = ikc_plan_save(&file, plan);
	if (!error)
		error = ikc_fs_write_atomic(cli->out, file.ptr, file.len, 0600);
	ikc_buf_dispose(&file);
	if (error) {
		ikc_cli_error("cannot save the plan to %s: %s", cli->out, ikc_error_last());
		return IKC_EXIT_ERROR;
	}
	return 0;
}

static int render(ikc_buf *out, struct ikc_cli *cli, const ikc_plan *plan, int drift_only)
{
	if (cli->format == IKC_FORMAT_JSON)
		return ikc_plan_render_json(out, plan);
	if (cli->format == IKC_FORMAT_MARKDOWN)
		return ikc_plan_render_markdown(out, plan);
	if (drift_only)
		return ikc_plan_render_drift_text(out, plan, cli->color);
	return ikc_plan_render_text(out, plan, cli->color);
}

static int run(struct ikc_cli *cli, int drift_only)
{
	struct ikc_session s;
	struct ikc_run r;
	ikc_plan *plan = NULL;
	ikc_buf out = IKC_BUF_INIT(0);
	double started = ikc_time_monotonic();
	int rc, error, had_state;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	if (cli->nargs) {
		ikc_cli_error("%s takes no arguments", cli->command);
		return IKC_EXIT_ERROR;
	}
	if (cli->out && drift_only) {
		ikc_cli_error("--out saves a plan: use it with ikc plan");
		return IKC_EXIT_ERROR;
	}
	if (cli->out && !cli->refresh) {
		ikc_cli_error("a saved plan records the live objects it read: "
			      "--out needs the refresh (drop --refresh=false)");
		return IKC_EXIT_ERROR;
	}
	rc = ikc_session_open(&s, cli, drift_only ? "ikc drift" : "ikc plan",
			      IKC_SESSION_STACK | IKC_SESSION_LOCK | IKC_SESSION_STATE);
	if (rc)
		goto done;
	if (cli->refresh) {
		rc = ikc_run_open(&r, &s, cli);
		if (rc)
			goto done;
	}
	had_state = s.state != NULL;
	rc = ikc_run_plan(&plan, &r, &s, cli, 0, 0);
	if (rc)
		goto done;
	if (cli->out) {
		rc = save_plan(cli, plan, r.live, had_state);
		if (rc)
			goto done;
	}
	error = render(&out, cli, plan, drift_only);
	if (error < 0) {
		rc = ikc_cli_fail();
		goto done;
	}
	ikc_cli_out(&out);
	if (cli->out && cli->format == IKC_FORMAT_TEXT)
		printf("\nSaved the plan to %s. To make exactly these changes: ikc apply %s\n",
		       cli->out, cli->out);
	rc = IKC_EXIT_OK;
	if (cli->detailed_exitcode) {
		if (drift_only ? plan->ndrift > 0
			       : (ikc_plan_has_changes(plan) || plan->ndrift > 0))
			rc = IKC_EXIT_CHANGES;
	}
done:
	if (ikc_cli_write_metrics(cli, s.stack ? s.stack->name : NULL,
				  rc == IKC_EXIT_ERROR ? NULL : plan, started,
				  rc != IKC_EXIT_ERROR) != 0)
		rc = IKC_EXIT_ERROR;
	fflush(stdout);
	ikc_buf_dispose(&out);
	ikc_plan_free(plan);
	ikc_run_close(&r);
	ikc_session_close(&s);
	return rc;
}

int ikc_cmd_plan(struct ikc_cli *cli)
{
	return run(cli, 0);
}

int ikc_cmd_drift(struct ikc_cli *cli)
{
	return run(cli, 1);
}
