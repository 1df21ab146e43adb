#ifndef IKC_PLANNER_WALK_H
#define IKC_PLANNER_WALK_H

/*
 * The walk: runs refresh and apply through the providers, keeping the state
 * up to date after every finished change (architecture.md "How data flows").
 *
 * Each change: journal the intent (state saved) -> provider call -> the GKE
 * operation name into the journal (state saved) -> wait (operation,
 * readiness) -> re-read -> record desired, observed and outputs (state
 * saved) -> verify the live value now matches the file, naming the field if
 * it does not (no silent perma-diff).
 */

#include <json-c/json.h>
#include "planner/plan.h"
#include "providers/runtime.h"
#include "stack/stack.h"
#include "state/backend.h"

typedef struct ikc_walk_opts {
	int parallelism;                 /* changes in flight at once (>= 1) */
	/* Set (from another thread) to stop starting new changes. */
	volatile int *interrupted;
	/* Called after each finished change with a one-line summary ("created"). */
	void (*done)(void *ctx, const char *address, const char *what, double seconds);
	void *done_ctx;
} ikc_walk_opts;

typedef struct ikc_walk_result {
	size_t added, changed, replaced, destroyed, failed, skipped;
} ikc_walk_result;

/**
 * Reads the live value of every resource of the stack and of the state
 * (Clusters first, then everything else in parallel).  *live_out (owned):
 * object address -> live value; absent resources are missing from it.
 * 0 or the first error (message names the resource).
 */
int ikc_walk_refresh(json_object **live_out, ikc_provider_env *env,
		     const ikc_stack *st, const ikc_state *prior,
		     const ikc_walk_opts *opts);

/**
 * Finishes what an earlier, interrupted run left in the state's journal:
 * waits on recorded operations and records what exists now.  Saves the
 * state.  0 or an error.
 */
int ikc_walk_recover(ikc_provider_env *env, const ikc_stack *st,
		     ikc_backend *be, ikc_state *state,
		     const ikc_walk_opts *opts);

/**
 * Adopts into the state live Kubernetes objects of the stack that carry
 * this stack's ownership labels but are missing from the state (a run that
 * died between create and save).  A live object that is not ours and not
 * in the state is an error suggesting `ikc import`.  Saves the state
 * through `be`, unless `be` is NULL (plan: the change stays in memory).
 */
int ikc_walk_check_ownership(ikc_provider_env *env, const ikc_stack *st,
			     ikc_backend *be, ikc_state *state,
			     json_object *live);

/**
 * Applies `plan` in dependency order with independent changes in parallel.
 * `state` is updated and saved through `be` after each change.  `live` is
 * the refresh result (borrowed, updated).  Returns 0 when everything was
 * applied, IKC_EINTERRUPTED when stopped by opts->interrupted, or the first
 * error (every failure is also logged with its resource).
 */
int ikc_walk_apply(ikc_walk_result *result, const ikc_plan *plan,
		   ikc_provider_env *env, const ikc_stack *st, ikc_backend *be,
		   ikc_state *state, json_object *live,
		   const ikc_walk_opts *opts);

/**
 * Resolves the stack's outputs against the state (and `live`, if given)
 * and stores them in the state (not saved).  Unknown outputs are left out.
 */
int ikc_walk_outputs(const ikc_stack *st, ikc_state *state, json_object *live);

/**
 * `ikc import ADDRESS ID`: reads the live object named by ID (GKE:
 * projects/P/locations/L/clusters/C[/nodePools/N]; Kubernetes:
 * [namespace/]name) for the stack resource ADDRESS and records it.
 */
int ikc_walk_import(ikc_provider_env *env, const ikc_stack *st,
		    ikc_backend *be, ikc_state *state, const char *address,
		    const char *id);

/** The provider for a kind of resource. */
const ikc_provider_ops *ikc_walk_provider(ikc_provider_kind kind);

#endif /* IKC_PLANNER_WALK_H */
