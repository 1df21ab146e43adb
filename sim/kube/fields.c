/* fields.c - known field names per kind, for fieldValidation (Strict/Warn) */
#include "sim/kube/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/str.h"

/*
 * A schema is a NULL-terminated list of fields.  A field's `sub` describes
 * its value (an object), or each element when `list` is set; a NULL `sub`
 * means the value is not checked further (maps, free-form objects).
 */
typedef struct field {
	const char *name;
	const struct field *sub;
	int list;
} field;

#define END {NULL, NULL, 0}

static const field f_meta[] = {
	{"name", NULL, 0}, {"generateName", NULL, 0}, {"namespace", NULL, 0},
	{"selfLink", NULL, 0}, {"uid", NULL, 0}, {"resourceVersion", NULL, 0},
	{"generation", NULL, 0}, {"creationTimestamp", NULL, 0},
	{"deletionTimestamp", NULL, 0}, {"deletionGracePeriodSeconds", NULL, 0},
	{"labels", NULL, 0}, {"annotations", NULL, 0}, {"ownerReferences", NULL, 0},
	{"finalizers", NULL, 0}, {"managedFields", NULL, 0}, END};

static const field f_port[] = {
	{"name", NULL, 0}, {"hostPort", NULL, 0}, {"containerPort", NULL, 0},
	{"protocol", NULL, 0}, {"hostIP", NULL, 0}, END};

static const field f_container[] = {
	{"name", NULL, 0}, {"image", NULL, 0}, {"command", NULL, 0}, {"args", NULL, 0},
	{"workingDir", NULL, 0}, {"ports", f_port, 1}, {"envFrom", NULL, 0},
	{"env", NULL, 0}, {"resources", NULL, 0}, {"resizePolicy", NULL, 0},
	{"restartPolicy", NULL, 0}, {"volumeMounts", NULL, 0},
	{"volumeDevices", NULL, 0}, {"livenessProbe", NULL, 0},
	{"readinessProbe", NULL, 0}, {"startupProbe", NULL, 0}, {"lifecycle", NULL, 0},
	{"terminationMessagePath", NULL, 0}, {"terminationMessagePolicy", NULL, 0},
	{"imagePullPolicy", NULL, 0}, {"securityContext", NULL, 0}, {"stdin", NULL, 0},
	{"stdinOnce", NULL, 0}, {"tty", NULL, 0}, END};

static const field f_podspec[] = {
	{"volumes", NULL, 0}, {"initContainers", f_container, 1},
	{"containers", f_container, 1}, {"ephemeralContainers", NULL, 0},
	{"restartPolicy", NULL, 0}, {"terminationGracePeriodSeconds", NULL, 0},
	{"activeDeadlineSeconds", NULL, 0}, {"dnsPolicy", NULL, 0},
	{"nodeSelector", NULL, 0}, {"serviceAccountName", NULL, 0},
	{"serviceAccount", NULL, 0}, {"automountServiceAccountToken", NULL, 0},
	{"nodeName", NULL, 0}, {"hostNetwork", NULL, 0}, {"hostPID", NULL, 0},
	{"hostIPC", NULL, 0}, {"shareProcessNamespace", NULL, 0},
	{"securityContext", NULL, 0}, {"imagePullSecrets", NULL, 0},
	{"hostname", NULL, 0}, {"subdomain", NULL, 0}, {"affinity", NULL, 0},
	{"schedulerName", NULL, 0}, {"tolerations", NULL, 0}, {"hostAliases", NULL, 0},
	{"priorityClassName", NULL, 0}, {"priority", NULL, 0}, {"dnsConfig", NULL, 0},
	{"readinessGates", NULL, 0}, {"runtimeClassName", NULL, 0},
	{"enableServiceLinks", NULL, 0}, {"preemptionPolicy", NULL, 0},
	{"overhead", NULL, 0}, {"topologySpreadConstraints", NULL, 0},
	{"setHostnameAsFQDN", NULL, 0}, {"os", NULL, 0}, {"hostUsers", NULL, 0},
	{"schedulingGates", NULL, 0}, {"resourceClaims", NULL, 0},
	{"resources", NULL, 0}, END};

static const field f_template[] = {
	{"metadata", f_meta, 0}, {"spec", f_podspec, 0}, END};

static const field f_rc_spec[] = {
	{"replicas", NULL, 0}, {"minReadySeconds", NULL, 0}, {"selector", NULL, 0},
	{"template", f_template, 0}, END};

static const field f_deploy_spec[] = {
	{"replicas", NULL, 0}, {"selector", NULL, 0}, {"template", f_template, 0},
	{"strategy", NULL, 0}, {"minReadySeconds", NULL, 0},
	{"revisionHistoryLimit", NULL, 0}, {"paused", NULL, 0},
	{"progressDeadlineSeconds", NULL, 0}, END};

static const field f_svc_port[] = {
	{"name", NULL, 0}, {"protocol", NULL, 0}, {"appProtocol", NULL, 0},
	{"port", NULL, 0}, {"targetPort", NULL, 0}, {"nodePort", NULL, 0}, END};

static const field f_svc_spec[] = {
	{"ports", f_svc_port, 1}, {"selector", NULL, 0}, {"clusterIP", NULL, 0},
	{"clusterIPs", NULL, 0}, {"type", NULL, 0}, {"externalIPs", NULL, 0},
	{"sessionAffinity", NULL, 0}, {"loadBalancerIP", NULL, 0},
	{"loadBalancerSourceRanges", NULL, 0}, {"externalName", NULL, 0},
	{"externalTrafficPolicy", NULL, 0}, {"healthCheckNodePort", NULL, 0},
	{"publishNotReadyAddresses", NULL, 0}, {"sessionAffinityConfig", NULL, 0},
	{"ipFamilies", NULL, 0}, {"ipFamilyPolicy", NULL, 0},
	{"allocateLoadBalancerNodePorts", NULL, 0}, {"loadBalancerClass", NULL, 0},
	{"internalTrafficPolicy", NULL, 0}, {"trafficDistribution", NULL, 0}, END};

static const field f_hpa2_spec[] = {
	{"scaleTargetRef", NULL, 0}, {"minReplicas", NULL, 0},
	{"maxReplicas", NULL, 0}, {"metrics", NULL, 0}, {"behavior", NULL, 0}, END};

static const field f_hpa1_spec[] = {
	{"scaleTargetRef", NULL, 0}, {"minReplicas", NULL, 0},
	{"maxReplicas", NULL, 0}, {"targetCPUUtilizationPercentage", NULL, 0}, END};

#define TOP(spec) {"apiVersion", NULL, 0}, {"kind", NULL, 0}, \
	{"metadata", f_meta, 0}, {"spec", spec, 0}, {"status", NULL, 0}

static const field t_rc[] = {TOP(f_rc_spec), END};
static const field t_deploy[] = {TOP(f_deploy_spec), END};
static const field t_svc[] = {TOP(f_svc_spec), END};
static const field t_pod[] = {TOP(f_podspec), END};
static const field t_hpa2[] = {TOP(f_hpa2_spec), END};
static const field t_hpa1[] = {TOP(f_hpa1_spec), END};
static const field t_plain[] = {TOP(NULL), END};
static const field t_cm[] = {
	{"apiVersion", NULL, 0}, {"kind", NULL, 0}, {"metadata", f_meta, 0},
	{"data", NULL, 0}, {"binaryData", NULL, 0}, {"immutable", NULL, 0}, END};
static const field t_secret[] = {
	{"apiVersion", NULL, 0}, {"kind", NULL, 0}, {"metadata", f_meta, 0},
	{"data", NULL, 0}, {"stringData", NULL, 0}, {"type", NULL, 0},
	{"immutable", NULL, 0}, END};

static const field *top_for(const kube_kind *kd)
{
	const char *k = kd->kind;

	if (strcmp(k, "ReplicationController") == 0 || strcmp(k, "ReplicaSet") == 0)
		return t_rc;
	if (strcmp(k, "Deployment") == 0)
		return t_deploy;
	if (strcmp(k, "Service") == 0)
		return t_svc;
	if (strcmp(k, "Pod") == 0)
		return t_pod;
	if (strcmp(k, "HorizontalPodAutoscaler") == 0)
		return strcmp(kd->version, "v1") == 0 ? t_hpa1 : t_hpa2;
	if (strcmp(k, "ConfigMap") == 0)
		return t_cm;
	if (strcmp(k, "Secret") == 0)
		return t_secret;
	if (strcmp(k, "Event") == 0 || strcmp(k, "ServiceAccount") == 0)
		return NULL;   /* free-form enough not to check */
	return t_plain;
}

static void walk(const field *schema, json_object *obj, const char *path,
		 json_object *out, int prune)
{
	if (!schema || !json_object_is_type(obj, json_type_object))
		return;
	json_object_object_foreach(obj, key, val) {
		const field *f;
		char *sub;

		for (f = schema; f->name; f++)
			if (strcmp(f->name, key) == 0)
				break;
		sub = ikc_asprintf("%s%s%s", path, *path ? "." : "", key);
		if (!sub)
			return;
		if (!f->name) {
			json_object_array_add(out, json_object_new_string(sub));
			if (prune)
				json_object_object_del(obj, key);
		} else if (f->sub && f->list && json_object_is_type(val, json_type_array)) {
			size_t i;

			for (i = 0; i < kube__len(val); i++) {
				char *el = ikc_asprintf("%s[%zu]", sub, i);

				if (el)
					walk(f->sub, json_object_array_get_idx(val, i), el, out,
					     prune);
				free(el);
			}
		} else if (f->sub) {
			walk(f->sub, val, sub, out, prune);
		}
		free(sub);
	}
}

json_object *kube__unknown_fields(const kube_kind *kd, json_object *obj,
				  int prune)
{
	json_object *out = json_object_new_array();

	walk(top_for(kd), obj, "", out, prune);
	if (kube__len(out) == 0) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

/* ---- shapes: what would not even decode into the API's Go types ---- */

struct shape {
	const char *path;     /* dotted, no list indices */
	json_type type;       /* the value's type */
	json_type elem;       /* element type for arrays and maps, json_type_null: any */
};

static const struct shape common_shapes[] = {
	{"metadata", json_type_object, json_type_null},
	{"metadata.labels", json_type_object, json_type_string},
	{"metadata.annotations", json_type_object, json_type_string},
	{"metadata.finalizers", json_type_array, json_type_string},
	{"metadata.ownerReferences", json_type_array, json_type_object},
	{"spec", json_type_object, json_type_null},
	{"status", json_type_object, json_type_null},
	{"spec.template", json_type_object, json_type_null},
	{"spec.template.metadata", json_type_object, json_type_null},
	{"spec.template.metadata.labels", json_type_object, json_type_string},
	{"spec.template.spec", json_type_object, json_type_null},
	{"spec.template.spec.containers", json_type_array, json_type_object},
	{"spec.containers", json_type_array, json_type_object},
	{"spec.ports", json_type_array, json_type_object},
	{"spec.selector.matchLabels", json_type_object, json_type_string},
	{"spec.selector.matchExpressions", json_type_array, json_type_object},
	{"data", json_type_object, json_type_string},
	{"spec.replicas", json_type_int, json_type_null},
	{"spec.minReplicas", json_type_int, json_type_null},
	{"spec.maxReplicas", json_type_int, json_type_null},
};

/* Fields the API declares as int32. */
static const char *const int32_fields[] = {
	"spec.replicas", "spec.minReplicas", "spec.maxReplicas",
};

static const char *type_name(json_type t)
{
	switch (t) {
	case json_type_object:
		return "object";
	case json_type_array:
		return "array";
	case json_type_string:
		return "string";
	case json_type_int:
	case json_type_double:
		return "number";
	case json_type_boolean:
		return "bool";
	default:
		return "null";
	}
}

char *kube__shape_error(const kube_kind *kd, json_object *obj)
{
	size_t i;
	const char *kind = kd->kind;
	int rc_like = strcmp(kind, "ReplicationController") == 0 ||
		      strcmp(kind, "Service") == 0;

	if (!json_object_is_type(obj, json_type_object))
		return ikc_asprintf("the body must be a JSON object, not %s",
				    type_name(json_object_get_type(obj)));
	for (i = 0; i < sizeof(common_shapes) / sizeof(common_shapes[0]); i++) {
		const struct shape *s = &common_shapes[i];
		json_object *v = ikc_json_path(obj, s->path);
		json_type t;

		if (!v)
			continue;
		/* ConfigMap/Secret data are maps of strings; elsewhere "data" is free */
		if (strcmp(s->path, "data") == 0 && strcmp(kind, "ConfigMap") != 0 &&
		    strcmp(kind, "Secret") != 0)
			continue;
		t = json_object_get_type(v);
		if (t != s->type)
			return ikc_asprintf("json: cannot unmarshal %s into Go struct field "
					    "%s.%s of type %s", type_name(t), kind, s->path,
					    type_name(s->type));
		if (s->elem == json_type_null)
			continue;
		if (t == json_type_array) {
			size_t j;

			for (j = 0; j < kube__len(v); j++) {
				json_type et = json_object_get_type(json_object_array_get_idx(v, j));

				if (et != s->elem)
					return ikc_asprintf("json: cannot unmarshal %s into Go "
							    "struct field %s.%s of type %s",
							    type_name(et), kind, s->path,
							    type_name(s->elem));
			}
		} else {
			json_object_object_foreach(v, key, val) {
				json_type et = json_object_get_type(val);

				(void)key;
				if (et != s->elem)
					return ikc_asprintf("json: cannot unmarshal %s into Go "
							    "struct field %s.%s of type %s",
							    type_name(et), kind, s->path,
							    type_name(s->elem));
			}
		}
	}
	for (i = 0; i < sizeof(int32_fields) / sizeof(int32_fields[0]); i++) {
		json_object *v = ikc_json_path(obj, int32_fields[i]);
		int64_t n = v ? json_object_get_int64(v) : 0;

		if (n > 2147483647LL || n < -2147483648LL)
			return ikc_asprintf("json: cannot unmarshal number %lld into Go struct "
					    "field %s.%s of type int32", (long long)n, kind,
					    int32_fields[i]);
	}
	/* the core/v1 selector of an RC or Service is a map of strings */
	if (rc_like) {
		json_object *sel = ikc_json_path(obj, "spec.selector");

		if (sel && !json_object_is_type(sel, json_type_object))
			return ikc_asprintf("json: cannot unmarshal %s into Go struct field "
					    "%s.spec.selector of type map[string]string",
					    type_name(json_object_get_type(sel)), kind);
		if (sel) {
			json_object_object_foreach(sel, key, val) {
				(void)key;
				if (!json_object_is_type(val, json_type_string))
					return ikc_asprintf("json: cannot unmarshal %s into Go "
							    "struct field %s.spec.selector of "
							    "type string",
							    type_name(json_object_get_type(val)),
							    kind);
			}
		}
	} else if (ikc_json_path(obj, "spec.selector") &&
		   !json_object_is_type(ikc_json_path(obj, "spec.selector"),
					json_type_object)) {
		return ikc_asprintf("json: cannot unmarshal %s into Go struct field %s."
				    "spec.selector of type LabelSelector",
				    type_name(json_object_get_type(
					    ikc_json_path(obj, "spec.selector"))), kind);
	}
	return NULL;
}
