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
	 * stringData as base64 data, quantities in canonical text), so that a
	 * file compares with a live value.  NULL when the API keeps values as
	 * written.  0 or IKC_ERROR.
	 */
	int (*canonicalize)(json_object *v, const char *api_version,
			    const char *kind);
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
