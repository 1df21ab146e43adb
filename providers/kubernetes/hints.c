/* kubernetes/hints.c - plan hints for Kubernetes objects: immutable fields and list merge keys */
#include "providers/provider.h"
#include "providers/kubernetes/kube.h"   /* for ikc_kube_canonicalize */

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

/*
 * Strategic-merge keys (api-reference.md §4.8), matched on the end of the
 * schema path so that every pod template (Pod spec, RC/Deployment template,
 * CronJob job template) is covered.  "Containers[]" catches initContainers
 * and ephemeralContainers.
 */
struct key_rule {
	const char *kind;    /* NULL: any kind */
	const char *suffix;  /* end of the schema path */
	const char *key;
};

static const struct key_rule key_rules[] = {
	{ NULL, "spec.containers", "name" },
	{ NULL, "spec.initContainers", "name" },
	{ NULL, "spec.ephemeralContainers", "name" },
	{ NULL, "spec.volumes", "name" },
	{ NULL, "spec.imagePullSecrets", "name" },
	{ NULL, "spec.hostAliases", "ip" },
	{ NULL, "spec.topologySpreadConstraints", "topologyKey" },
	{ NULL, "containers[].ports", "containerPort" },
	{ NULL, "Containers[].ports", "containerPort" },
	{ NULL, "containers[].env", "name" },
	{ NULL, "Containers[].env", "name" },
	{ NULL, "containers[].volumeMounts", "mountPath" },
	{ NULL, "Containers[].volumeMounts", "mountPath" },
	{ NULL, "containers[].volumeDevices", "devicePath" },
	{ NULL, "Containers[].volumeDevices", "devicePath" },
	{ NULL, "metadata.ownerReferences", "uid" },
	{ "Service", "spec.ports", "port" },
	{ NULL, NULL, NULL }
};

static int under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(path, prefix, n) &&
	       (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

static int ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
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

static const char *kube_merge_key(const char *api_version, const char *kind,
				  const char *path)
{
	size_t i;

	(void)api_version;
	if (!path)
		return NULL;
	for (i = 0; key_rules[i].suffix; i++) {
		if (key_rules[i].kind &&
		    (!kind || strcmp(kind, key_rules[i].kind)))
			continue;
		/* "spec.ports" of a Service is the whole path, not a suffix */
		if (key_rules[i].kind ? !strcmp(path, key_rules[i].suffix) :
					ends_with(path, key_rules[i].suffix))
			return key_rules[i].key;
	}
	return NULL;
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
	ikc_kube_canonicalize
};

const ikc_provider_hints *ikc_kubernetes_hints(void)
{
	return &kube_hints;
}
