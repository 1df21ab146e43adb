/* cmd_plan.c - ikc plan and ikc drift */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/run.h"
#include "cli/session.h"
#include "planner/plan.h"
#include "util/errors.h"

static int run(struct ikc_cli *cli, int drift_only)
{
	struct ikc_session s;
	struct ikc_run r;
	ikc_plan *plan = NULL;
	ikc_buf out = IKC_BUF_INIT(0);
	int rc, error;

	memset(&r, 0, sizeof(r));
	if (cli->nargs) {
		ikc_cli_error("%s takes no arguments", cli->command);
		return IKC_EXIT_ERROR;
	}
	if (cli->format == IKC_FORMAT_MARKDOWN) {
		ikc_cli_error("--format markdown is not supported yet");
		return IKC_EXIT_ERROR;
	}
	rc = ikc_session_open(&s, cli, drift_only ? "ikc drift" : "ikc plan",
			      IKC_SESSION_STACK | IKC_SESSION_LOCK | IKC_SESSION_STATE);
	if (rc)
		return rc;
	if (cli->refresh) {
		rc = ikc_run_open(&r, &s, cli);
		if (rc)
			goto done;
	}
	rc = ikc_run_plan(&plan, &r, &s, cli, 0, 0);
	if (rc)
		goto done;
	if (cli->format == IKC_FORMAT_JSON)
		error = ikc_plan_render_json(&out, plan);
	else if (drift_only)
		error = ikc_plan_render_drift_text(&out, plan, cli->color);
	else
		error = ikc_plan_render_text(&out, plan, cli->color);
	if (error < 0) {
		rc = ikc_cli_fail();
		goto done;
	}
	ikc_cli_out(&out);
	rc = IKC_EXIT_OK;
	if (cli->detailed_exitcode) {
		if (drift_only ? plan->ndrift > 0
			       : (ikc_plan_has_changes(plan) || plan->ndrift > 0))
			rc = IKC_EXIT_CHANGES;
	}
done:
	ikc_buf_dispose(&out);
	ikc_plan_free(plan);
	ikc_run_close(&r);
	ikc_session_close(&s);
	return rc;
}

int ikc_cmd_plan(struct ikc_cli *cli)
{
	if (cli->out) {
		ikc_cli_error("plan --out is not supported yet");
		return IKC_EXIT_ERROR;
	}
	return run(cli, 0);
}

int ikc_cmd_drift(struct ikc_cli *cli)
{
	return run(cli, 1);
}
