#ifndef IKC_PROVIDERS_KUBERNETES_SCHEMA_H
#define IKC_PROVIDERS_KUBERNETES_SCHEMA_H

/*
 * Kubernetes OpenAPI v3 documents: the one shipped with ikc, and the merge
 * of a cluster's per-group-version documents into one.
 */

#include <json-c/json.h>

/** ikc_provider_hints.schema_doc: the shipped 1.30 schemas, merged.  Borrowed. */
json_object *ikc_kube__schema_doc(void);

/** A new empty document {"openapi", "components": {"schemas": {}}} (owned) or NULL. */
json_object *ikc_kube_schema_empty(void);

/** Adds part's components.schemas to into's (first one wins).  0 or -1. */
int ikc_kube_schema_merge(json_object *into, json_object *part);

#endif /* IKC_PROVIDERS_KUBERNETES_SCHEMA_H */
