/* cmd_plan.c - ikc plan and ikc drift */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/session.h"
#include "planner/plan.h"
#include "util/errors.h"

/* Builds the plan for the session; prints errors. 0 or IKC_EXIT_ERROR. */
static int make_plan(ikc_plan **out, struct ikc_session *s, struct ikc_cli *cli,
		     int destroy)
{
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_plan_input in;

	*out = NULL;
	if (cli->refresh) {
		ikc_cli_error("reading live state needs the GKE and Kubernetes "
			      "providers, which this build does not have yet; "
			      "use --refresh=false to plan from the stored state");
		return IKC_EXIT_ERROR;
	}
	memset(&in, 0, sizeof(in));
	in.stack = s->stack;
	in.prior = s->state;
	in.live = NULL;
	in.targets = cli->targets;
	in.ntargets = cli->ntargets;
	in.destroy = destroy;
	if (ikc_plan_build(out, &diags, &in) < 0) {
		ikc_diags_sort(&diags);
		if (diags.count)
			ikc_cli_print_diags(&diags);
		else
			ikc_cli_fail();
		ikc_diags_dispose(&diags);
		return IKC_EXIT_ERROR;
	}
	ikc_diags_dispose(&diags);
	return 0;
}

static int run(struct ikc_cli *cli, int drift_only)
{
	struct ikc_session s;
	ikc_plan *plan = NULL;
	ikc_buf out = IKC_BUF_INIT(0);
	int rc, error;

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
	rc = make_plan(&plan, &s, cli, 0);
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

static int not_yet(const char *what)
{
	ikc_cli_error("%s needs the GKE and Kubernetes providers, which this "
		      "build does not have yet", what);
	return IKC_EXIT_ERROR;
}

int ikc_cmd_apply(struct ikc_cli *cli)
{
	(void)cli;
	return not_yet("apply");
}

int ikc_cmd_destroy(struct ikc_cli *cli)
{
	(void)cli;
	return not_yet("destroy");
}

int ikc_cmd_import(struct ikc_cli *cli)
{
	(void)cli;
	return not_yet("import");
}
