/* kubernetes/hints.c - plan hints for Kubernetes objects: immutable fields, merge keys from the schema */
#include "providers/provider.h"
#include "providers/kubernetes/kube.h"   /* for ikc_kube_canonicalize */
#include "providers/kubernetes/schema.h"
#include "providers/schema.h"

#include <string.h>

/*
 * Immutable fields (api-reference.md §4.5): changing one needs the object
 * deleted and created again.  kind NULL applies to every kind.
 */
struct replace_rule {
	const char *kind;
	const char *path;
};

static const struct replace_rule replace_rules[] = {
	{ NULL, "metadata.name" },
	{ NULL, "metadata.namespace" },
	{ "Service", "spec.clusterIP" },
	{ "Service", "spec.clusterIPs" },
	{ "Service", "spec.loadBalancerClass" },
	{ "Deployment", "spec.selector" },
	{ "ReplicaSet", "spec.selector" },
	{ "DaemonSet", "spec.selector" },
	{ "StatefulSet", "spec.selector" },
	{ "StatefulSet", "spec.serviceName" },
	{ "StatefulSet", "spec.volumeClaimTemplates" },
	{ "Job", "spec.selector" },
	{ "Job", "spec.template" },
	{ "PersistentVolumeClaim", "spec.accessModes" },
	{ "PersistentVolumeClaim", "spec.storageClassName" },
	{ "PersistentVolumeClaim", "spec.volumeName" },
	{ "PersistentVolumeClaim", "spec.selector" },
	{ NULL, NULL }
};

static int under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(path, prefix, n) &&
	       (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

static int kube_forces_replacement(const char *api_version, const char *kind,
				   const char *path)
{
	size_t i;

	(void)api_version;
	if (!path)
		return 0;
	for (i = 0; replace_rules[i].path; i++) {
		if (replace_rules[i].kind &&
		    (!kind || strcmp(kind, replace_rules[i].kind)))
			continue;
		if (under(path, replace_rules[i].path))
			return 1;
	}
	return 0;
}

/*
 * The strategic-merge key of a list: its x-kubernetes-patch-merge-key (or
 * first list-map key) in the API schema shipped with ikc.
 */
static const char *kube_merge_key(const char *api_version, const char *kind,
				  const char *path)
{
	const ikc_schema *s = ikc_schema_shipped(IKC_PROVIDER_KUBERNETES);
	json_object *node;
	ikc_list_semantics sem;

	if (!s || !path)
		return NULL;
	node = ikc_schema_at(s, ikc_schema_kind(s, api_version, kind), path);
	if (!node || !ikc_schema_list(s, node, &sem) || sem.type != IKC_LIST_MAP)
		return NULL;
	return sem.keys[0];
}

static int kube_stack_only(const char *api_version, const char *kind,
			   const char *path)
{
	(void)api_version;
	(void)kind;
	(void)path;
	return 0;   /* a manifest holds API fields only */
}

static const ikc_provider_hints kube_hints = {
	"kubernetes", kube_forces_replacement, kube_merge_key, kube_stack_only,
	ikc_kube_canonicalize, NULL, ikc_kube__schema_doc, NULL, NULL
};

const ikc_provider_hints *ikc_kubernetes_hints(void)
{
	return &kube_hints;
}
