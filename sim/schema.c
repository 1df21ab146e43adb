/* schema.c - known GKE v1 request fields and proto3 JSON normalisation for ikc-sim */
#include "sim/schema.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"

#define S SIM_F_SCALAR
#define I32 SIM_F_I32
#define I64 SIM_F_I64
#define MSG SIM_F_MSG
#define MAP SIM_F_MAP
#define LIST SIM_F_LIST
#define MSGL SIM_F_MSGLIST
#define ANY SIM_F_ANY
#define END { NULL, 0, NULL }
/* Deprecated path fields every request message carries. */
#define ENVELOPE { "projectId", S, NULL }, { "zone", S, NULL }, \
	{ "clusterId", S, NULL }, { "nodePoolId", S, NULL }, \
	{ "name", S, NULL }, { "parent", S, NULL }

static const struct sim_field autoscaling_f[] = {
	{ "enabled", S, NULL }, { "minNodeCount", I32, NULL },
	{ "maxNodeCount", I32, NULL }, { "autoprovisioned", S, NULL },
	{ "locationPolicy", S, NULL }, { "totalMinNodeCount", I32, NULL },
	{ "totalMaxNodeCount", I32, NULL }, END
};
static const struct sim_schema autoscaling_s = { autoscaling_f, NULL };

static const struct sim_field management_f[] = {
	{ "autoUpgrade", S, NULL }, { "autoRepair", S, NULL },
	{ "upgradeOptions", ANY, NULL }, END
};
static const struct sim_schema management_s = { management_f, NULL };

static const struct sim_field max_pods_f[] = {
	{ "maxPodsPerNode", I64, NULL }, END
};
static const struct sim_schema max_pods_s = { max_pods_f, NULL };

static const struct sim_field channel_f[] = { { "channel", S, NULL }, END };
static const struct sim_schema channel_s = { channel_f, NULL };

static const struct sim_field node_config_f[] = {
	{ "machineType", S, NULL }, { "diskSizeGb", I32, NULL },
	{ "oauthScopes", LIST, NULL }, { "serviceAccount", S, NULL },
	{ "metadata", MAP, NULL }, { "imageType", S, NULL },
	{ "labels", MAP, NULL }, { "localSsdCount", I32, NULL },
	{ "tags", LIST, NULL }, { "preemptible", S, NULL },
	{ "accelerators", MSGL, NULL }, { "diskType", S, NULL },
	{ "minCpuPlatform", S, NULL }, { "workloadMetadataConfig", ANY, NULL },
	{ "taints", MSGL, NULL }, { "sandboxConfig", ANY, NULL },
	{ "nodeGroup", S, NULL }, { "reservationAffinity", ANY, NULL },
	{ "shieldedInstanceConfig", ANY, NULL }, { "linuxNodeConfig", ANY, NULL },
	{ "kubeletConfig", ANY, NULL }, { "bootDiskKmsKey", S, NULL },
	{ "gcfsConfig", ANY, NULL }, { "advancedMachineFeatures", ANY, NULL },
	{ "gvnic", ANY, NULL }, { "spot", S, NULL },
	{ "confidentialNodes", ANY, NULL }, { "fastSocket", ANY, NULL },
	{ "resourceLabels", MAP, NULL }, { "loggingConfig", ANY, NULL },
	{ "windowsNodeConfig", ANY, NULL },
	{ "localNvmeSsdBlockConfig", ANY, NULL },
	{ "ephemeralStorageLocalSsdConfig", ANY, NULL },
	{ "soleTenantConfig", ANY, NULL }, { "containerdConfig", ANY, NULL },
	{ "resourceManagerTags", ANY, NULL },
	{ "enableConfidentialStorage", S, NULL },
	{ "secondaryBootDisks", MSGL, NULL }, { "storagePools", LIST, NULL },
	{ "secondaryBootDiskUpdateStrategy", ANY, NULL },
	{ "maxRunDuration", S, NULL }, { "localSsdEncryptionMode", S, NULL },
	{ "effectiveCgroupMode", S, NULL }, { "flexStart", S, NULL },
	{ "bootDisk", ANY, NULL }, END
};
static const struct sim_schema node_config_s = { node_config_f, NULL };

static const struct sim_field node_pool_f[] = {
	{ "name", S, NULL }, { "config", MSG, &node_config_s },
	{ "initialNodeCount", I32, NULL }, { "locations", LIST, NULL },
	{ "networkConfig", ANY, NULL }, { "selfLink", S, NULL },
	{ "version", S, NULL }, { "instanceGroupUrls", LIST, NULL },
	{ "status", S, NULL }, { "statusMessage", S, NULL },
	{ "autoscaling", MSG, &autoscaling_s },
	{ "management", MSG, &management_s },
	{ "maxPodsConstraint", MSG, &max_pods_s },
	{ "conditions", MSGL, NULL }, { "podIpv4CidrSize", I32, NULL },
	{ "upgradeSettings", ANY, NULL }, { "placementPolicy", ANY, NULL },
	{ "updateInfo", ANY, NULL }, { "etag", S, NULL },
	{ "queuedProvisioning", ANY, NULL },
	{ "bestEffortProvisioning", ANY, NULL }, END
};
const struct sim_schema sim_schema_node_pool = { node_pool_f, NULL };

static const struct sim_field cluster_f[] = {
	{ "name", S, NULL }, { "description", S, NULL },
	{ "initialNodeCount", I32, NULL }, { "nodeConfig", MSG, &node_config_s },
	{ "masterAuth", ANY, NULL }, { "loggingService", S, NULL },
	{ "monitoringService", S, NULL }, { "network", S, NULL },
	{ "clusterIpv4Cidr", S, NULL }, { "addonsConfig", ANY, NULL },
	{ "subnetwork", S, NULL }, { "nodePools", MSGL, &sim_schema_node_pool },
	{ "locations", LIST, NULL }, { "enableKubernetesAlpha", S, NULL },
	{ "resourceLabels", MAP, NULL }, { "labelFingerprint", S, NULL },
	{ "legacyAbac", ANY, NULL }, { "networkPolicy", ANY, NULL },
	{ "ipAllocationPolicy", ANY, NULL },
	{ "masterAuthorizedNetworksConfig", ANY, NULL },
	{ "maintenancePolicy", ANY, NULL }, { "binaryAuthorization", ANY, NULL },
	{ "autoscaling", ANY, NULL }, { "networkConfig", ANY, NULL },
	{ "defaultMaxPodsConstraint", MSG, &max_pods_s },
	{ "resourceUsageExportConfig", ANY, NULL },
	{ "authenticatorGroupsConfig", ANY, NULL },
	{ "privateClusterConfig", ANY, NULL }, { "databaseEncryption", ANY, NULL },
	{ "verticalPodAutoscaling", ANY, NULL }, { "shieldedNodes", ANY, NULL },
	{ "releaseChannel", MSG, &channel_s },
	{ "workloadIdentityConfig", ANY, NULL }, { "meshCertificates", ANY, NULL },
	{ "costManagementConfig", ANY, NULL }, { "notificationConfig", ANY, NULL },
	{ "confidentialNodes", ANY, NULL }, { "identityServiceConfig", ANY, NULL },
	{ "selfLink", S, NULL }, { "zone", S, NULL }, { "endpoint", S, NULL },
	{ "initialClusterVersion", S, NULL }, { "currentMasterVersion", S, NULL },
	{ "currentNodeVersion", S, NULL }, { "createTime", S, NULL },
	{ "status", S, NULL }, { "statusMessage", S, NULL },
	{ "nodeIpv4CidrSize", I32, NULL }, { "servicesIpv4Cidr", S, NULL },
	{ "instanceGroupUrls", LIST, NULL }, { "currentNodeCount", I32, NULL },
	{ "expireTime", S, NULL }, { "location", S, NULL },
	{ "enableTpu", S, NULL }, { "tpuIpv4CidrBlock", S, NULL },
	{ "conditions", MSGL, NULL }, { "autopilot", ANY, NULL },
	{ "id", S, NULL }, { "nodePoolDefaults", ANY, NULL },
	{ "loggingConfig", ANY, NULL }, { "monitoringConfig", ANY, NULL },
	{ "nodePoolAutoConfig", ANY, NULL }, { "etag", S, NULL },
	{ "fleet", ANY, NULL }, { "securityPostureConfig", ANY, NULL },
	{ "enableK8sBetaApis", ANY, NULL }, { "enterpriseConfig", ANY, NULL },
	{ "satisfiesPzs", S, NULL }, { "satisfiesPzi", S, NULL },
	{ "userManagedKeysConfig", ANY, NULL }, { "rbacBindingConfig", ANY, NULL },
	{ "controlPlaneEndpointsConfig", ANY, NULL },
	{ "parentProductConfig", ANY, NULL }, { "secretManagerConfig", ANY, NULL },
	{ "compliancePostureConfig", ANY, NULL },
	{ "anonymousAuthenticationConfig", ANY, NULL },
	{ "alphaClusterFeatureGates", LIST, NULL },
	{ "gkeAutoUpgradeConfig", ANY, NULL }, { "podAutoscaling", ANY, NULL },
	{ "nodeIpv4CidrBlock", S, NULL }, END
};
const struct sim_schema sim_schema_cluster = { cluster_f, NULL };

static const struct sim_field create_cluster_f[] = {
	ENVELOPE, { "cluster", MSG, &sim_schema_cluster }, END
};
const struct sim_schema sim_schema_create_cluster = { create_cluster_f, NULL };

static const struct sim_field create_pool_f[] = {
	ENVELOPE, { "nodePool", MSG, &sim_schema_node_pool }, END
};
const struct sim_schema sim_schema_create_node_pool = { create_pool_f, NULL };

static const struct sim_field cluster_update_f[] = {
	{ "etag", S, NULL }, { "additionalPodRangesConfig", ANY, NULL },
	{ "removedAdditionalPodRangesConfig", ANY, NULL },
	{ "userManagedKeysConfig", ANY, NULL },
	{ "desiredNodePoolAutoscaling", MSG, &autoscaling_s },
	{ "desiredReleaseChannel", MSG, &channel_s }, END
};
static const struct sim_schema cluster_update_s = { cluster_update_f, "desired" };

static const struct sim_field update_cluster_f[] = {
	ENVELOPE, { "update", MSG, &cluster_update_s }, END
};
const struct sim_schema sim_schema_update_cluster = { update_cluster_f, NULL };

static const struct sim_field update_pool_f[] = {
	ENVELOPE, { "nodeVersion", S, NULL }, { "imageType", S, NULL },
	{ "locations", LIST, NULL }, { "workloadMetadataConfig", ANY, NULL },
	{ "upgradeSettings", ANY, NULL }, { "tags", ANY, NULL },
	{ "taints", ANY, NULL }, { "labels", ANY, NULL },
	{ "linuxNodeConfig", ANY, NULL }, { "kubeletConfig", ANY, NULL },
	{ "nodeNetworkConfig", ANY, NULL }, { "gcfsConfig", ANY, NULL },
	{ "confidentialNodes", ANY, NULL }, { "gvnic", ANY, NULL },
	{ "etag", S, NULL }, { "fastSocket", ANY, NULL },
	{ "loggingConfig", ANY, NULL }, { "resourceLabels", ANY, NULL },
	{ "windowsNodeConfig", ANY, NULL }, { "accelerators", ANY, NULL },
	{ "machineType", S, NULL }, { "diskType", S, NULL },
	{ "diskSizeGb", I64, NULL }, { "resourceManagerTags", ANY, NULL },
	{ "containerdConfig", ANY, NULL }, { "queuedProvisioning", ANY, NULL },
	{ "storagePools", LIST, NULL }, { "maxRunDuration", S, NULL },
	{ "flexStart", S, NULL }, { "bootDisk", ANY, NULL }, END
};
const struct sim_schema sim_schema_update_node_pool = { update_pool_f, NULL };

static const struct sim_field set_size_f[] = {
	ENVELOPE, { "nodeCount", I32, NULL }, END
};
const struct sim_schema sim_schema_set_size = { set_size_f, NULL };

static const struct sim_field set_autoscaling_f[] = {
	ENVELOPE, { "autoscaling", MSG, &autoscaling_s }, END
};
const struct sim_schema sim_schema_set_autoscaling = { set_autoscaling_f, NULL };

static const struct sim_field set_management_f[] = {
	ENVELOPE, { "management", MSG, &management_s }, END
};
const struct sim_schema sim_schema_set_management = { set_management_f, NULL };

static const struct sim_field set_labels_f[] = {
	ENVELOPE, { "resourceLabels", MAP, NULL },
	{ "labelFingerprint", S, NULL }, END
};
const struct sim_schema sim_schema_set_labels = { set_labels_f, NULL };

static const struct sim_field update_master_f[] = {
	ENVELOPE, { "masterVersion", S, NULL }, END
};
const struct sim_schema sim_schema_update_master = { update_master_f, NULL };

static const struct sim_field set_locations_f[] = {
	ENVELOPE, { "locations", LIST, NULL }, END
};
const struct sim_schema sim_schema_set_locations = { set_locations_f, NULL };

static const struct sim_field set_logging_f[] = {
	ENVELOPE, { "loggingService", S, NULL }, END
};
const struct sim_schema sim_schema_set_logging = { set_logging_f, NULL };

static const struct sim_field set_monitoring_f[] = {
	ENVELOPE, { "monitoringService", S, NULL }, END
};
const struct sim_schema sim_schema_set_monitoring = { set_monitoring_f, NULL };

static const struct sim_field set_addons_f[] = {
	ENVELOPE, { "addonsConfig", ANY, NULL }, END
};
const struct sim_schema sim_schema_set_addons = { set_addons_f, NULL };

static const struct sim_field set_abac_f[] = {
	ENVELOPE, { "enabled", S, NULL }, END
};
const struct sim_schema sim_schema_set_legacy_abac = { set_abac_f, NULL };

static const struct sim_field set_master_auth_f[] = {
	ENVELOPE, { "action", S, NULL }, { "update", ANY, NULL }, END
};
const struct sim_schema sim_schema_set_master_auth = { set_master_auth_f, NULL };

static const struct sim_field set_netpol_f[] = {
	ENVELOPE, { "networkPolicy", ANY, NULL }, END
};
const struct sim_schema sim_schema_set_network_policy = { set_netpol_f, NULL };

static const struct sim_field set_maint_f[] = {
	ENVELOPE, { "maintenancePolicy", ANY, NULL }, END
};
const struct sim_schema sim_schema_set_maintenance_policy = { set_maint_f, NULL };

static const struct sim_field ip_rotation_f[] = {
	ENVELOPE, { "rotateCredentials", S, NULL }, END
};
const struct sim_schema sim_schema_ip_rotation = { ip_rotation_f, NULL };

static const struct sim_field rollback_f[] = {
	ENVELOPE, { "respectPdb", S, NULL }, END
};
const struct sim_schema sim_schema_rollback = { rollback_f, NULL };

static const struct sim_field empty_f[] = { ENVELOPE, END };
const struct sim_schema sim_schema_empty_request = { empty_f, NULL };

static const struct sim_field cancel_f[] = {
	ENVELOPE, { "operationId", S, NULL }, END
};
const struct sim_schema sim_schema_cancel = { cancel_f, NULL };

/* "nodeConfig" -> "node_config", as Google names fields in its messages. */
static void snake(ikc_buf *b, const char *name)
{
	for (; *name; name++) {
		if (isupper((unsigned char)*name)) {
			(void)ikc_buf_puts(b, "_");
			(void)ikc_buf_put(b, &(char){ (char)tolower(
						    (unsigned char)*name) }, 1);
		} else {
			(void)ikc_buf_put(b, name, 1);
		}
	}
}

static char *child_path(const char *path, const char *name)
{
	ikc_buf b = IKC_BUF_INIT(4096);

	if (path && *path) {
		(void)ikc_buf_puts(&b, path);
		(void)ikc_buf_puts(&b, ".");
	}
	snake(&b, name);
	return ikc_buf_detach(&b);
}

static int is_zero(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 1;
	case json_type_boolean:
		return !json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) == 0;
	case json_type_double:
		return json_object_get_double(v) == 0;
	case json_type_string:
		return json_object_get_string_len(v) == 0;
	default:
		return 0;
	}
}

static const struct sim_field *find_field(const struct sim_schema *s,
					  const char *name)
{
	const struct sim_field *f;

	for (f = s->fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* An integer (or a string holding one) as int64; -1 when it is neither. */
static int as_int(json_object *v, long long *out)
{
	char *end;

	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (d != (double)(long long)d)
			return -1;
		*out = (long long)d;
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		errno = 0;
		*out = strtoll(s, &end, 10);
		if (errno || end == s || *end)
			return -1;
		return 0;
	}
	return -1;
}

static char *type_error(const char *path, const char *type, json_object *v)
{
	return ikc_asprintf("Invalid value at '%s' (%s), %s", path, type,
			    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

/* Normalises one field value; *drop set when it should be removed. */
static char *apply_field(json_object *parent, const char *key,
			 const struct sim_field *f, json_object *v,
			 const char *path, int *drop)
{
	long long n;
	size_t i, len;
	char *err = NULL;

	*drop = 0;
	if (json_object_is_type(v, json_type_null)) {
		*drop = 1;
		return NULL;
	}
	switch (f->kind) {
	case SIM_F_SCALAR:
		if (json_object_is_type(v, json_type_object) ||
		    json_object_is_type(v, json_type_array))
			return type_error(path, "TYPE_STRING", v);
		*drop = is_zero(v);
		return NULL;
	case SIM_F_I32:
		if (as_int(v, &n) || n < -2147483648LL || n > 2147483647LL)
			return type_error(path, "TYPE_INT32", v);
		if (n == 0)
			*drop = 1;
		else
			json_object_object_add(parent, key, json_object_new_int64(n));
		return NULL;
	case SIM_F_I64:
		if (as_int(v, &n))
			return type_error(path, "TYPE_INT64", v);
		if (n == 0) {
			*drop = 1;
		} else {
			char tmp[32];

			snprintf(tmp, sizeof(tmp), "%lld", n);
			json_object_object_add(parent, key,
					       json_object_new_string(tmp));
		}
		return NULL;
	case SIM_F_MSG:
		if (!json_object_is_type(v, json_type_object))
			return type_error(path, "TYPE_MESSAGE", v);
		return f->sub ? sim_schema_apply(v, f->sub, path) : NULL;
	case SIM_F_MAP:
		if (!json_object_is_type(v, json_type_object))
			return type_error(path, "TYPE_MAP", v);
		*drop = json_object_object_length(v) == 0;
		return NULL;
	case SIM_F_LIST:
	case SIM_F_MSGLIST:
		if (!json_object_is_type(v, json_type_array))
			return type_error(path, "TYPE_LIST", v);
		len = json_object_array_length(v);
		*drop = len == 0;
		for (i = 0; i < len && !err && f->kind == SIM_F_MSGLIST; i++) {
			json_object *item = json_object_array_get_idx(v, i);
			char *ipath = ikc_asprintf("%s[%zu]", path, i);

			if (!json_object_is_type(item, json_type_object))
				err = type_error(ipath ? ipath : path,
						 "TYPE_MESSAGE", item);
			else if (f->sub)
				err = sim_schema_apply(item, f->sub,
						       ipath ? ipath : path);
			free(ipath);
		}
		return err;
	case SIM_F_ANY:
	default:
		return NULL;
	}
}

char *sim_schema_apply(json_object *obj, const struct sim_schema *schema,
		       const char *path)
{
	const char *drops[128];
	size_t ndrop = 0, i;
	char *err = NULL;

	if (!json_object_is_type(obj, json_type_object))
		return ikc_asprintf("Invalid JSON payload received. Expected an "
				    "object%s%s%s.", *path ? " at '" : "",
				    path, *path ? "'" : "");
	json_object_object_foreach(obj, key, val) {
		const struct sim_field *f = find_field(schema, key);
		struct sim_field open = { key, SIM_F_ANY, NULL };
		char *cpath;
		int drop = 0;

		if (!f && schema->open_prefix &&
		    ikc_str_startswith(key, schema->open_prefix))
			f = &open;
		if (!f) {
			if (*path)
				return ikc_asprintf("Invalid JSON payload received. "
						    "Unknown name \"%s\" at '%s': "
						    "Cannot find field.", key, path);
			return ikc_asprintf("Invalid JSON payload received. "
					    "Unknown name \"%s\": Cannot find "
					    "field.", key);
		}
		cpath = child_path(path, key);
		if (!cpath)
			return strdup("out of memory");
		err = apply_field(obj, key, f, val, cpath, &drop);
		free(cpath);
		if (err)
			return err;
		if (drop && ndrop < sizeof(drops) / sizeof(drops[0]))
			drops[ndrop++] = key;
	}
	for (i = 0; i < ndrop; i++)
		json_object_object_del(obj, drops[i]);
	return NULL;
}
