#ifndef IKC_PROVIDERS_PRIVATE_H
#define IKC_PROVIDERS_PRIVATE_H

/*
 * Shared between the providers' runtime libraries only: each provider frees
 * its own private cache in an ikc_provider_env, and
 * ikc_provider_env_dispose() (providers/kubernetes/env.c) calls both.
 */

#include "providers/runtime.h"   /* for ikc_provider_env */

/** Frees env->priv_kube (Kubernetes connections, discovery) and sets it NULL. NULL-safe. */
void ikc_kube__env_dispose(ikc_provider_env *env);

/** Frees env->priv_gke (the GKE provider's caches) and sets it NULL. NULL-safe. */
void ikc_gke__env_dispose(ikc_provider_env *env);

#endif /* IKC_PROVIDERS_PRIVATE_H */
