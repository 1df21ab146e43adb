#ifndef IKC_PLANNER_PLAN_H
#define IKC_PLANNER_PLAN_H

/*
 * The plan: what apply would do, per resource, plus drift.  Built purely
 * from the stack (desired), the stored state (last applied) and, when
 * refreshed, the live values read by providers.  No I/O here.
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>
#include "stack/stack.h"
#include "state/state.h"
#include "util/buf.h"
#include "util/diag.h"

typedef enum {
	IKC_ACTION_NOOP = 0,
	IKC_ACTION_CREATE,
	IKC_ACTION_UPDATE,
	IKC_ACTION_REPLACE,
	IKC_ACTION_DELETE
} ikc_action;

/** "no-op", "create", "update", "replace", "delete". */
const char *ikc_action_name(ikc_action a);

/** One field that differs. before/after are owned (NULL = absent). */
typedef struct ikc_field_change {
	char *path;            /* "spec.replicas", "spec.template.spec.containers[0].image" */
	json_object *before;
	json_object *after;    /* may be IKC_UNKNOWN_VALUE */
	int forces_replacement;
} ikc_field_change;

typedef struct ikc_change {
	char *address;
	char *kind;
	char *api_version;
	ikc_provider_kind provider;
	ikc_action action;
	json_object *before;   /* prior value (live when refreshed, else last applied); NULL for create */
	json_object *after;    /* desired, resolved; NULL for delete */
	ikc_field_change *fields;
	size_t nfields;
	char **replace_paths;  /* fields that force the replacement */
	size_t nreplace_paths;
	/*
	 * Delete only: the Cluster whose deletion removes this object too (an
	 * in-cluster object other than a LoadBalancer Service, or a NodePool),
	 * so apply makes no call of its own for it; NULL otherwise.  Also set
	 * on a replace that only follows its Cluster's replacement: the old
	 * object goes with the old cluster, apply only creates the new one.
	 */
	char *deleted_with;
} ikc_change;

/** A live value that differs from the last applied value of a field ikc manages. */
typedef struct ikc_drift {
	char *address;
	int gone;              /* the object no longer exists live */
	ikc_field_change *fields;  /* before = last applied, after = live */
	size_t nfields;
} ikc_drift;

typedef struct ikc_plan {
	char *stack;
	char *lineage;         /* of the state it was made against ("" for none) */
	unsigned long long serial;
	char digest[65];       /* of the stack file */
	char *git_commit;      /* or NULL */
	char *git_ref;         /* the ref it was read at (--git REPO#REF), or NULL */
	/*
	 * Saved plans: address -> version marker (ikc_plan_version_marker) of
	 * each live object the plan read, JSON null for one absent live; NULL
	 * until ikc_plan_set_versions().  Owned.
	 */
	json_object *versions;
	int refreshed;         /* live state was read */
	int destroy;           /* a destroy plan */
	ikc_change *changes;   /* in apply order (destroy: reverse dependency order) */
	size_t nchanges;
	ikc_drift *drift;
	size_t ndrift;
	size_t n_create, n_update, n_replace, n_delete, n_noop;
} ikc_plan;

typedef struct ikc_plan_input {
	const ikc_stack *stack;      /* required (a destroy plan uses it for names only) */
	const ikc_state *prior;      /* NULL when no state exists yet */
	/*
	 * Live values by address (object of address -> stack-shaped value);
	 * an address missing from it is absent live.  NULL when not refreshed:
	 * the stored "observed" values stand in for live.
	 */
	json_object *live;
	/*
	 * The API schema of a resource (a cluster's own OpenAPI, read and
	 * cached by the runtime), or NULL for none; when schema_for is NULL
	 * the schemas shipped with ikc are used (ikc_schema_shipped).
	 */
	const struct ikc_schema *(*schema_for)(void *ctx, const ikc_resource *r);
	void *schema_ctx;
	const char *const *targets;  /* --target addresses, may be NULL */
	size_t ntargets;
	int destroy;
} ikc_plan_input;

/**
 * Builds the plan.  Errors (IKC_EINVALID, with diags when positioned):
 * a cycle, a --target that is not a resource, prevent-destroy violated
 * (names the resource and the field forcing the replacement), a reference
 * that cannot be resolved.
 */
int ikc_plan_build(ikc_plan **out, ikc_diags *diags, const ikc_plan_input *in);
void ikc_plan_free(ikc_plan *plan);

/** The change for this address (borrowed) or NULL. */
const ikc_change *ikc_plan_find(const ikc_plan *plan, const char *address);

/** 1 if the plan changes anything (not counting drift). */
int ikc_plan_has_changes(const ikc_plan *plan);

/* Rendering (planner/render.c).  `color` adds ANSI colors. */
int ikc_plan_render_text(ikc_buf *out, const ikc_plan *plan, int color);
/** The public JSON (cli.md): format_version, drift, changes, summary, ... */
int ikc_plan_render_json(ikc_buf *out, const ikc_plan *plan);
/** Drift only (ikc drift). */
int ikc_plan_render_drift_text(ikc_buf *out, const ikc_plan *plan, int color);
/** What ikc_plan_render_markdown appends at most (GitHub caps comments at 65,536). */
#define IKC_MARKDOWN_MAX 60000
/**
 * For pull-request comments (--format markdown): a summary line, a table
 * of the changes with why, then each resource's change in a collapsed
 * block.  Never appends more than IKC_MARKDOWN_MAX characters: what does
 * not fit is left out and a closing line says how much, pointing at the
 * JSON.  0, or IKC_ELIMIT/IKC_ERROR from the buffer.
 */
int ikc_plan_render_markdown(ikc_buf *out, const ikc_plan *plan);

/*
 * Saved plan files (planner/planfile.c): `ikc plan --out FILE` then
 * `ikc apply FILE`.  Unlike the public JSON, the file keeps unknown markers
 * as they are; sensitive values (Secret data, masterAuth) are stored only as
 * IKC_SECRET_MASK, since apply takes values from the stack file.  Write it
 * 0600 all the same.  Whether it still fits (lineage, serial, stack digest,
 * live versions) is for the caller to check.
 */
/**
 * A short text that changes whenever a live object changes: its Kubernetes
 * resourceVersion ("rv:N"), else its GKE etag ("etag:X"), else a SHA-256 of
 * its canonical JSON ("sha256:H").  *out owned.  0 or IKC_ERROR.
 */
int ikc_plan_version_marker(char **out, json_object *live_value);
/**
 * Fills plan->versions from a refresh result (address -> live value) for
 * every address the plan changes.  0 or IKC_ERROR.
 */
int ikc_plan_set_versions(ikc_plan *plan, json_object *live);
/**
 * Appends the plan file's bytes to `out`: JSON with "ikc_plan_file" (its
 * version), the stack digest, git commit and ref, lineage, serial, version
 * markers, changes, drift, and a "checksum" (SHA-256 of the canonical JSON
 * of everything else).  0, IKC_ELIMIT or IKC_ERROR.
 */
int ikc_plan_save(ikc_buf *out, const ikc_plan *plan);
/**
 * Reads a plan file back (owned).  IKC_EINVALID when it is not one, is
 * truncated, has another format version, or its checksum does not match
 * (it was edited): the message says which.
 */
int ikc_plan_load(ikc_plan **out, const char *data, size_t len);

#endif /* IKC_PLANNER_PLAN_H */
