#ifndef IKC_PROVIDERS_SCHEMA_H
#define IKC_PROVIDERS_SCHEMA_H

/*
 * API schemas, as the APIs publish them: a Kubernetes cluster's OpenAPI v3
 * documents (/openapi/v3, one per group-version, merged into one) or a
 * Google discovery document (container/v1).  One walker serves the diff
 * (list types and merge keys) and validation (unknown fields, wrong types).
 * Pure: no I/O; providers supply the documents (their hints' schema_doc),
 * the planner and the providers' own patch building read them here.
 *
 * Both dialects are read: "$ref": "#/components/schemas/NAME" (OpenAPI v3,
 * also wrapped as "allOf": [{"$ref": ...}]) and "$ref": "NAME" (discovery,
 * whose document keeps its schemas under "schemas").
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>
#include "providers/provider.h"   /* for ikc_list_semantics */
#include "stack/stack.h"         /* for ikc_provider_kind */

typedef struct ikc_schema ikc_schema;

/**
 * Wraps a document (takes a reference of its own).  `label` names it in
 * messages ("the cluster's OpenAPI", "container/v1 discovery").  *out
 * owned; 0 or IKC_ERROR.
 */
int ikc_schema_new(ikc_schema **out, json_object *doc, const char *label);
void ikc_schema_free(ikc_schema *s);
const char *ikc_schema_label(const ikc_schema *s);

/**
 * The schema of a Kubernetes kind (the one whose
 * x-kubernetes-group-version-kind matches), or NULL.  Borrowed.
 */
json_object *ikc_schema_kind(const ikc_schema *s, const char *api_version,
			     const char *kind);
/** The schema named `name` (components.schemas or schemas), or NULL. */
json_object *ikc_schema_named(const ikc_schema *s, const char *name);

/** `node` with $ref / single allOf followed (NULL stays NULL). */
json_object *ikc_schema_deref(const ikc_schema *s, json_object *node);
/**
 * The schema of member `key` of an object node: its property, else its
 * additionalProperties schema; NULL when unknown or free-form.
 */
json_object *ikc_schema_member(const ikc_schema *s, json_object *node,
			       const char *key);
/** The schema of the elements of an array node, or NULL. */
json_object *ikc_schema_items(const ikc_schema *s, json_object *node);
/**
 * The schema node at a schema path under `root` ("spec.ports[].port": a
 * list's elements written "[]"), or NULL where the schema does not say.
 */
json_object *ikc_schema_at(const ikc_schema *s, json_object *root,
			   const char *schema_path);
/**
 * How the list at `node` compares: x-kubernetes-list-type (set, map with
 * x-kubernetes-list-map-keys, atomic), else map by
 * x-kubernetes-patch-merge-key.  1 when the schema says, 0 when not.
 */
int ikc_schema_list(const ikc_schema *s, json_object *node,
		    ikc_list_semantics *out);

/** One problem found by ikc_schema_check. */
struct ikc_schema_problem {
	const char *path;        /* "spec.replicas", "spec.template.spec.containers[0].imge" */
	const char *message;     /* "unknown field \"imge\" (did you mean \"image\"?)" */
};
typedef struct ikc_schema_problem ikc_schema_problem;

typedef void (*ikc_schema_report_fn)(void *ctx, const ikc_schema_problem *p);

/**
 * Checks `value` against `root`: every member must be a known property
 * (unless the schema keeps unknown fields), every scalar of the right type
 * (integers as numbers or as strings holding one where the schema says
 * int64 string or int-or-string).  Strings holding ${...} are not checked
 * (values not known yet), nor are IKC_UNKNOWN_VALUE.  Some
 * paths left unchecked: `skip` is asked with each schema path ("spec.ports[].port")
 * and 1 skips it and what is under it (fields of the stack document that
 * are not API fields); may be NULL.  Reports each problem through `fn`;
 * returns their count, or IKC_ERROR.
 */
typedef int (*ikc_schema_skip_fn)(void *ctx, const char *schema_path);
int ikc_schema_check(const ikc_schema *s, json_object *root, json_object *value,
		     ikc_schema_skip_fn skip, ikc_schema_report_fn fn, void *ctx);

/*
 * The schemas shipped with ikc (providers/shipped.c): per provider, from its
 * hints' schema_doc; NULL when it has none.  Process lifetime.
 */
const ikc_schema *ikc_schema_shipped(ikc_provider_kind provider);
/**
 * The schema of a resource document of `kind` in `s`: the provider's
 * schema_root when it has one, else the kind by group-version-kind; NULL
 * when the schema does not know it.  Borrowed.
 */
json_object *ikc_schema_resource(const ikc_schema *s,
				 const ikc_provider_hints *hints,
				 const char *api_version, const char *kind);

#endif /* IKC_PROVIDERS_SCHEMA_H */
