/* gke/hints.c - plan hints for GKE Cluster and NodePool: replacement fields, stack-only fields */
#include "providers/provider.h"
#include "providers/gke/semantics.h"

#include <string.h>

/*
 * Which changes GKE makes in place and which need a new resource follows
 * api-reference.md §2 (the GKE v1 API as Terraform's provider uses it).
 * Paths are schema paths of the stack document; an entry covers the field
 * and everything under it.
 */
static const char *const cluster_replace[] = {
	"metadata.name",
	"spec.location",
	"spec.project",
	"spec.network",
	"spec.subnetwork",
	"spec.initialNodeCount",
	"spec.clusterIpv4Cidr",
	"spec.description",
	"spec.ipAllocationPolicy",
	"spec.networkingMode",
	"spec.autopilot",
	"spec.nodePools",
	"spec.privateClusterConfig",
	"spec.defaultMaxPodsConstraint",
	"spec.enableKubernetesAlpha",
	"spec.enableTpu",
	/* nodeConfig applies to the default pool; its create-only parts */
	"spec.nodeConfig.oauthScopes",
	"spec.nodeConfig.serviceAccount",
	"spec.nodeConfig.metadata",
	"spec.nodeConfig.preemptible",
	"spec.nodeConfig.spot",
	"spec.nodeConfig.localSsdCount",
	"spec.nodeConfig.minCpuPlatform",
	"spec.nodeConfig.accelerators",
	NULL
};

static const char *const nodepool_replace[] = {
	"metadata.name",
	"spec.cluster",
	"spec.project",
	"spec.location",
	"spec.initialNodeCount",
	"spec.maxPodsConstraint",
	"spec.config.oauthScopes",
	"spec.config.serviceAccount",
	"spec.config.metadata",
	"spec.config.preemptible",
	"spec.config.spot",
	"spec.config.localSsdCount",
	"spec.config.minCpuPlatform",
	"spec.config.accelerators",
	NULL
};

/* Fields of the stack document that are part of the resource path, not of its body. */
static const char *const cluster_stack_only[] = {
	"spec.location", "spec.project", NULL
};

static const char *const nodepool_stack_only[] = {
	"spec.location", "spec.project", "spec.cluster", NULL
};

/* 1 if `path` is `prefix` or lies under it. */
static int under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(path, prefix, n) &&
	       (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

static int in_table(const char *const *table, const char *path)
{
	size_t i;

	if (!table || !path)
		return 0;
	for (i = 0; table[i]; i++)
		if (under(path, table[i]))
			return 1;
	return 0;
}

static int gke_forces_replacement(const char *api_version, const char *kind,
				  const char *path)
{
	(void)api_version;
	if (!kind)
		return 0;
	if (!strcmp(kind, "Cluster"))
		return in_table(cluster_replace, path);
	if (!strcmp(kind, "NodePool"))
		return in_table(nodepool_replace, path);
	return 0;
}

static const char *gke_merge_key(const char *api_version, const char *kind,
				 const char *path)
{
	(void)api_version;
	/* An inline node pool list is keyed by pool name. */
	if (kind && path && !strcmp(kind, "Cluster") &&
	    !strcmp(path, "spec.nodePools"))
		return "name";
	return NULL;
}

static int gke_stack_only(const char *api_version, const char *kind,
			  const char *path)
{
	(void)api_version;
	if (!kind || !path)
		return 0;
	if (!strcmp(kind, "Cluster"))
		return in_table(cluster_stack_only, path);
	if (!strcmp(kind, "NodePool"))
		return in_table(nodepool_stack_only, path);
	return 0;
}

static const ikc_provider_hints gke_hints = {
	"gke", gke_forces_replacement, gke_merge_key, gke_stack_only,
	ikc_gke__canonicalize, ikc_gke__list_semantics, ikc_gke__schema_doc,
	ikc_gke__schema_root, ikc_gke__validate
};

const ikc_provider_hints *ikc_gke_hints(void)
{
	return &gke_hints;
}
