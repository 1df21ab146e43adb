#ifndef IKC_PROVIDERS_GKE_SEMANTICS_H
#define IKC_PROVIDERS_GKE_SEMANTICS_H

/* The GKE plan hints on list semantics and normalisation (gke/semantics.c). */

#include "providers/provider.h"

/** ikc_provider_hints.list_semantics for Cluster and NodePool. */
int ikc_gke__list_semantics(const char *api_version, const char *kind,
			    const char *path, ikc_list_semantics *out);
/** ikc_provider_hints.canonicalize: oauthScopes aliases expanded, sorted. */
int ikc_gke__canonicalize(json_object *desired, const char *api_version,
			  const char *kind);

/** ikc_provider_hints.schema_doc: the shipped container/v1 discovery document. */
json_object *ikc_gke__schema_doc(void);
/** ikc_provider_hints.schema_root: Cluster and NodePool stack documents. */
json_object *ikc_gke__schema_root(const char *api_version, const char *kind);

/** ikc_provider_hints.validate: oauthScopes are URLs or gcloud's aliases. */
int ikc_gke__validate(const char *api_version, const char *kind,
		      json_object *body,
		      void (*fn)(void *, const struct ikc_schema_problem *),
		      void *ctx);

#endif /* IKC_PROVIDERS_GKE_SEMANTICS_H */
