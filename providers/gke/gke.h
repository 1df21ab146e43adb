#ifndef IKC_PROVIDERS_GKE_GKE_H
#define IKC_PROVIDERS_GKE_GKE_H

/*
 * What the GKE provider exports besides ikc_gke_provider() (runtime.h):
 * its half of ikc_provider_env_dispose().
 */

#include "providers/runtime.h"   /* for ikc_provider_env */

/**
 * Frees the GKE provider's private state in env->priv_gke (per-cluster
 * locks) and sets it to NULL.  No GKE call may be running.  NULL env or
 * NULL priv_gke is a no-op.  Called by ikc_provider_env_dispose().
 */
void ikc_gke__env_dispose(ikc_provider_env *env);

#endif /* IKC_PROVIDERS_GKE_GKE_H */
