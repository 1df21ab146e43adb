#ifndef IKC_PROVIDERS_PROVIDER_H
#define IKC_PROVIDERS_PROVIDER_H

/*
 * The provider interface.  A provider maps resources of the stack onto one
 * remote API (gke/, kubernetes/).  The planner stays generic: everything it
 * must know about an API comes through these calls.
 *
 * Values exchanged with providers are in *stack shape*: the same layout as
 * the resource document in the stack file ({apiVersion, kind, metadata,
 * spec, ...}), so desired, last-applied and live values compare directly.
 * A provider's read maps the API's object into that shape (e.g. a NodePool's
 * live spec.nodeCount comes from counting Nodes).
 *
 * Field paths are dotted with list indices ("spec.ports[0].port"); "schema
 * paths" write every list index as "[]" ("spec.ports[].port").
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>

/* ---- plan hints: pure, offline, table-driven ---- */

/*
 * How a list compares (Kubernetes' x-kubernetes-list-type): atomic lists
 * compare as a whole, in order; sets as sets (order and repeats do not
 * matter); maps match their elements by the key fields, then field by field.
 */
typedef enum {
	IKC_LIST_ATOMIC = 0,
	IKC_LIST_SET,
	IKC_LIST_MAP
} ikc_list_type;

#define IKC_LIST_MAX_KEYS 4

struct ikc_schema_problem;   /* providers/schema.h */

typedef struct ikc_list_semantics {
	ikc_list_type type;
	const char *keys[IKC_LIST_MAX_KEYS];   /* IKC_LIST_MAP: borrowed key names */
	size_t nkeys;
} ikc_list_semantics;

typedef struct ikc_provider_hints {
	const char *name;   /* "gke", "kubernetes" */
	/** 1 if a change at schema path `path` forces replacement. */
	int (*forces_replacement)(const char *api_version, const char *kind,
				  const char *path);
	/** Merge key of the list at schema path `path` ("name", "port", ...) or NULL (by position). */
	const char *(*merge_key)(const char *api_version, const char *kind,
				 const char *path);
	/**
	 * 1 if the field at schema path `path` of the stack document is not an
	 * API field and is not compared live (e.g. GKE spec.location,
	 * spec.project, spec.cluster).  It is still compared with last-applied.
	 */
	int (*stack_only)(const char *api_version, const char *kind,
			  const char *path);
	/**
	 * Rewrites value `v` (stack shape, owned by the caller) in place into
	 * the form the API stores and returns it (e.g. a Kubernetes Secret's
	 * stringData as base64 data, quantities in canonical text, gcloud's scope
	 * aliases expanded to URLs), so that a
	 * file compares with a live value.  NULL when the API keeps values as
	 * written.  0 or IKC_ERROR.
	 */
	int (*canonicalize)(json_object *v, const char *api_version,
			    const char *kind);
	/*
	 * How the list at schema path `path` compares where the API's schema
	 * does not say (GKE's discovery documents never do): fills *out and
	 * returns 1, or 0 to leave it to the schema / merge_key.  May be NULL.
	 */
	int (*list_semantics)(const char *api_version, const char *kind,
			      const char *path, ikc_list_semantics *out);
	/*
	 * The API schema shipped with ikc for this provider's resources, for
	 * plans without a live schema and for `ikc validate` (Kubernetes: an
	 * OpenAPI v3 document, components of every group-version merged; GKE:
	 * the container/v1 discovery document).  Borrowed, lives as long as
	 * the process; NULL when there is none or it cannot be read.
	 */
	json_object *(*schema_doc)(void);
	/*
	 * The schema of a whole resource document (stack shape) whose kind the
	 * document does not name by group-version-kind (GKE: "spec" is the
	 * API's Cluster or NodePool plus the stack-only fields).  Borrowed;
	 * NULL: look the kind up in the document.  May be NULL.
	 */
	json_object *(*schema_root)(const char *api_version, const char *kind);
	/*
	 * Checks of the provider's own that no schema states (GKE: a scope is
	 * a URL or one of gcloud's aliases).  Reports each problem through
	 * `fn` (a struct ikc_schema_problem: dotted path, message); returns
	 * their count or a negative code.  May be NULL.
	 */
	int (*validate)(const char *api_version, const char *kind,
			json_object *body,
			void (*fn)(void *ctx, const struct ikc_schema_problem *p),
			void *ctx);
} ikc_provider_hints;

/** Hints for GKE resources (providers/gke/hints.c). */
const ikc_provider_hints *ikc_gke_hints(void);
/** Hints for Kubernetes objects (providers/kubernetes/hints.c). */
const ikc_provider_hints *ikc_kubernetes_hints(void);

/* ---- runtime: read, apply, wait, delete (issue 4) ----
 *
 * struct ikc_provider {
 *   read(ctx, res, &live)                  -> 0 | IKC_ENOTFOUND
 *   create(ctx, res, desired, &journal)    -> starts; GKE returns an operation to record
 *   update(ctx, res, desired, last, live)  -> in-place change through the right API method
 *   delete(ctx, res)
 *   wait(ctx, res, progress_cb, deadline)  -> operation done / readiness reached
 * }
 * Defined when the providers land; the planner's pure parts do not need it.
 */

#endif /* IKC_PROVIDERS_PROVIDER_H */
