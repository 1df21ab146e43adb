#ifndef IKC_PROVIDERS_GKE_SCOPES_H
#define IKC_PROVIDERS_GKE_SCOPES_H

/*
 * OAuth scopes of node configs as gcloud writes them: aliases such as
 * "compute-rw" or "storage-ro" stand for scope URLs (providers/gke/scopes.c).
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>

/** 1 if `name` is one of gcloud's scope aliases. */
int ikc_gke_scope_alias(const char *name);

/** Fills up to `max` alias names (for "did you mean"); returns how many exist. */
size_t ikc_gke_scope_aliases(const char **names, size_t max);

/**
 * Replaces parent[key] (a list of scopes) by the expanded list: aliases
 * become their URLs, repeats go, sorted — what GKE stores.  A list that is
 * absent, not a list or holds a value not known yet is left alone.
 * 0 or IKC_ERROR (out of memory).
 */
int ikc_gke_expand_scopes(json_object *parent, const char *key);

#endif /* IKC_PROVIDERS_GKE_SCOPES_H */
