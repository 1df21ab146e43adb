/* cmd_apply.c - ikc apply, ikc destroy and ikc import */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/metrics.h"
#include "cli/run.h"
#include "cli/session.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/json.h"

/* Asks on a terminal; without one, --auto-approve is required.
 * 1 = go, 0 = no, -1 = Ctrl-C at the prompt. */
static int confirm(struct ikc_cli *cli, const char *what)
{
	char line[64];

	if (cli->auto_approve)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		ikc_cli_error("%s needs --auto-approve when not run on a terminal", what);
		return 0;
	}
	printf("\n%s these changes? Type yes: ", what);
	fflush(stdout);
	errno = 0;
	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "yes\n")) {
		int intr = errno == EINTR;

		printf("%sNothing was changed.\n", intr ? "\n" : "");
		return intr ? -1 : 0;
	}
	return 1;
}

static int apply_or_destroy(struct ikc_cli *cli, int destroy)
{
	struct ikc_session s;
	struct ikc_run r;
	ikc_plan *plan = NULL;
	ikc_buf out = IKC_BUF_INIT(0);
	double started = ikc_time_monotonic();
	int rc, ok;

	memset(&r, 0, sizeof(r));
	if (cli->nargs) {
		if (destroy) {
			ikc_cli_error("destroy takes no arguments");
			return IKC_EXIT_ERROR;
		}
		return ikc_cmd_apply_saved(cli);   /* ikc apply PLANFILE */
	}
	if (!cli->refresh) {
		ikc_cli_error("%s always reads the live state (--refresh=false is for plan)",
			      cli->command);
		return IKC_EXIT_ERROR;
	}
	rc = ikc_session_open(&s, cli, destroy ? "ikc destroy" : "ikc apply",
			      IKC_SESSION_STACK | IKC_SESSION_LOCK | IKC_SESSION_STATE);
	if (rc)
		return rc;
	rc = ikc_run_open(&r, &s, cli);
	if (rc)
		goto done;
	if (!s.state && ikc_state_new(&s.state, s.stack->name) < 0) {
		rc = ikc_cli_fail();
		goto done;
	}
	ikc_run_signals(&r, &s);
	if (ikc_state_journal(s.state) &&
	    json_object_array_length(ikc_state_journal(s.state)) > 0) {
		printf("Finishing what an earlier run left in flight…\n");
		if (ikc_walk_recover(&r.env, s.stack, s.backend, s.state, &r.walk) < 0) {
			rc = ikc_cli_fail();
			goto done;
		}
	}
	rc = ikc_run_plan(&plan, &r, &s, cli, destroy, 1);
	if (rc)
		goto done;
	if (ikc_plan_render_text(&out, plan, cli->color) < 0) {
		rc = ikc_cli_fail();
		goto done;
	}
	ikc_cli_out(&out);
	if (!ikc_plan_has_changes(plan)) {
		if (ikc_walk_outputs(s.stack, s.state, r.live) == 0 &&
		    ikc_state_save(s.backend, s.state) == 0)
			ikc_run_print_outputs(s.state);
		rc = IKC_EXIT_OK;
		goto done;
	}
	ok = confirm(cli, destroy ? "Destroy" : "Apply");
	if (ok <= 0) {
		rc = ok < 0 ? IKC_EXIT_INTERRUPTED : IKC_EXIT_ERROR;
		goto done;
	}
	printf("\n");
	rc = ikc_run_apply(&r, &s, plan);
done:
	/* Ctrl-C during recovery, refresh, plan or the prompt: still 130 */
	if (rc != IKC_EXIT_OK && r.interrupted)
		rc = IKC_EXIT_INTERRUPTED;
	if (ikc_cli_write_metrics(cli, s.stack ? s.stack->name : NULL,
				  rc == IKC_EXIT_OK ? plan : NULL, started,
				  rc == IKC_EXIT_OK) != 0 && rc == IKC_EXIT_OK)
		rc = IKC_EXIT_ERROR;
	fflush(stdout);
	ikc_buf_dispose(&out);
	ikc_plan_free(plan);
	ikc_run_close(&r);
	ikc_session_close(&s);
	return rc;
}

int ikc_cmd_apply(struct ikc_cli *cli)
{
	return apply_or_destroy(cli, 0);
}

int ikc_cmd_destroy(struct ikc_cli *cli)
{
	return apply_or_destroy(cli, 1);
}

int ikc_cmd_import(struct ikc_cli *cli)
{
	struct ikc_session s;
	struct ikc_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	if (cli->nargs != 2) {
		ikc_cli_error("usage: ikc import ADDRESS ID");
		return IKC_EXIT_ERROR;
	}
	rc = ikc_session_open(&s, cli, "ikc import",
			      IKC_SESSION_STACK | IKC_SESSION_LOCK | IKC_SESSION_STATE);
	if (rc)
		return rc;
	rc = ikc_run_open(&r, &s, cli);
	if (rc)
		goto done;
	if (!s.state && ikc_state_new(&s.state, s.stack->name) < 0) {
		rc = ikc_cli_fail();
		goto done;
	}
	if (ikc_walk_import(&r.env, s.stack, s.backend, s.state, cli->args[0],
			    cli->args[1]) < 0) {
		rc = ikc_cli_fail();
		goto done;
	}
	printf("Imported %s (%s). Run ikc plan to see how it differs from the stack file.\n",
	       cli->args[0], cli->args[1]);
done:
	ikc_run_close(&r);
	ikc_session_close(&s);
	return rc;
}
