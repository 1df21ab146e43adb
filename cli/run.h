#ifndef IKC_CLI_RUN_H
#define IKC_CLI_RUN_H

/* run.h - provider environment, progress and Ctrl-C handling for commands that call APIs */

#include "cli/session.h"
#include "planner/plan.h"
#include "planner/walk.h"
#include "providers/runtime.h"

struct ikc_run {
	ikc_provider_env env;
	ikc_http_client *http;
	ikc_google_creds *google;
	json_object *kubeconfig;
	json_object *live;          /* refresh result */
	volatile int interrupted;
	ikc_walk_opts walk;
};

/** Sets up http, credentials and the provider env for the session's stack. */
int ikc_run_open(struct ikc_run *r, struct ikc_session *s, struct ikc_cli *cli);
void ikc_run_close(struct ikc_run *r);

/** Installs SIGINT/SIGTERM handling for an apply (first: stop starting; second: exit 130). */
void ikc_run_signals(struct ikc_run *r, struct ikc_session *s);

/**
 * Refreshes (unless --refresh=false), then builds the plan.  A session
 * without a stored state gets an empty one in memory.  Objects found live
 * with this stack's labels but missing from the state are adopted (saved
 * only when `save_adoptions`).  Prints errors; returns 0 or IKC_EXIT_ERROR.
 */
int ikc_run_plan(ikc_plan **out, struct ikc_run *r, struct ikc_session *s,
		 struct ikc_cli *cli, int destroy, int save_adoptions);

/** Prints the state's outputs ("Outputs:" and one line each), if any. */
void ikc_run_print_outputs(const ikc_state *st);

/**
 * Applies `plan`: records the source in the state, runs the walk, and
 * prints the outcome (summary line, outputs).  Returns the exit code:
 * IKC_EXIT_OK, IKC_EXIT_ERROR or IKC_EXIT_INTERRUPTED.
 */
int ikc_run_apply(struct ikc_run *r, struct ikc_session *s, const ikc_plan *plan);

#endif /* IKC_CLI_RUN_H */
