/* kubernetes/canonical.c - an object in the form the API server stores and returns it */
#include "providers/kubernetes/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/quantity.h"

/*
 * What the server normalises on write (and what ikc must therefore
 * normalise before comparing a file with a live object):
 *  - a Secret's stringData is folded into data as base64 and never stored;
 *  - quantities ("0.5", 1000m, 1024Mi) are stored in canonical text;
 *  - an int-or-string written as a decimal string ("80") means the number,
 *    as kubectl's and terraform's intstr.Parse read it (the server itself
 *    would refuse "80" as a port name).
 */

int ikc_kube_is_builtin(const char *api_version)
{
	const char *slash;
	size_t glen;

	if (!api_version)
		return 0;
	slash = strchr(api_version, '/');
	if (!slash)
		return 1;   /* the core group: "v1" */
	glen = (size_t)(slash - api_version);
	if (!memchr(api_version, '.', glen))
		return 1;   /* apps, batch, autoscaling, policy, ... */
	/* rbac.authorization.k8s.io, networking.k8s.io, ... */
	return glen > 7 && !memcmp(slash - 7, ".k8s.io", 7);
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static size_t len_of(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* ---- quantities ---- */

/* The shortest decimal text that reads back as `d` ("0.1", not 0.1000000000000000055). */
static void double_text(char *out, size_t n, double d)
{
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

/* Member `key` of `parent` in canonical quantity text, when it is a quantity. */
static int canon_quantity(json_object *parent, const char *key)
{
	json_object *v = member(parent, key);
	char text[64], out[80];
	const char *t;

	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_double)) {
		double_text(text, sizeof(text), json_object_get_double(v));
		t = text;
	} else if (json_object_is_type(v, json_type_int) ||
		   json_object_is_type(v, json_type_string)) {
		t = json_object_get_string(v);
	} else {
		return 0;
	}
	/* not a quantity: left for the server to refuse */
	if (ikc_quantity_canonical(out, sizeof(out), t) < 0) {
		ikc_error_clear();
		return 0;
	}
	if (json_object_is_type(v, json_type_string) && !strcmp(out, t))
		return 0;
	return ikc_json_add(parent, key, json_object_new_string(out));
}

static int canon_quantity_map(json_object *map)
{
	int error = 0;

	if (!map || !json_object_is_type(map, json_type_object))
		return 0;
	/* replacing a member keeps the entry being walked */
	json_object_object_foreach(map, k, v) {
		(void)v;
		if ((error = canon_quantity(map, k)) < 0)
			break;
	}
	return error;
}

/* ---- int-or-string ---- */

static int canon_int_or_string(json_object *parent, const char *key)
{
	json_object *v = member(parent, key);
	const char *s;
	size_t i;

	if (!v || !json_object_is_type(v, json_type_string))
		return 0;
	s = json_object_get_string(v);
	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9' || i > 9)
			return 0;
	if (!i)
		return 0;
	return ikc_json_add(parent, key, json_object_new_int64(strtoll(s, NULL, 10)));
}

static int canon_container(json_object *c)
{
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
	json_object *res = member(c, "resources");
	size_t i;
	int error;

	error = canon_quantity_map(member(res, "limits"));
	if (!error)
		error = canon_quantity_map(member(res, "requests"));
	for (i = 0; i < 3 && !error; i++) {
		json_object *p = member(c, probes[i]);

		error = canon_int_or_string(member(p, "httpGet"), "port");
		if (!error)
			error = canon_int_or_string(member(p, "tcpSocket"), "port");
	}
	return error;
}

static int canon_podspec(json_object *spec)
{
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
	json_object *vols = member(spec, "volumes");
	size_t l, i;
	int error = 0;

	if (!spec)
		return 0;
	for (l = 0; l < 3 && !error; l++) {
		json_object *cs = member(spec, lists[l]);

		for (i = 0; i < len_of(cs) && !error; i++)
			error = canon_container(json_object_array_get_idx(cs, i));
	}
	if (!error)
		error = canon_quantity_map(member(spec, "overhead"));
	for (i = 0; i < len_of(vols) && !error; i++)
		error = canon_quantity(member(json_object_array_get_idx(vols, i), "emptyDir"),
				       "sizeLimit");
	return error;
}

/* The pod spec of a workload (Pod, template, job template), or NULL. */
static json_object *podspec_of(const char *kind, json_object *v)
{
	static const char *const templated[] = {
		"ReplicationController", "ReplicaSet", "Deployment", "DaemonSet",
		"StatefulSet", "Job", NULL};
	size_t i;

	if (!strcmp(kind, "Pod"))
		return member(v, "spec");
	if (!strcmp(kind, "CronJob"))
		return ikc_json_path(v, "spec.jobTemplate.spec.template.spec");
	if (!strcmp(kind, "PodTemplate"))
		return ikc_json_path(v, "template.spec");
	for (i = 0; templated[i]; i++)
		if (!strcmp(kind, templated[i]))
			return ikc_json_path(v, "spec.template.spec");
	return NULL;
}

static int canon_hpa(json_object *v)
{
	static const char *const sources[] = {"resource", "pods", "object", "external",
					      "containerResource"};
	json_object *metrics = ikc_json_path(v, "spec.metrics");
	size_t i, s;
	int error = 0;

	for (i = 0; i < len_of(metrics) && !error; i++)
		for (s = 0; s < 5 && !error; s++) {
			json_object *t = member(member(json_object_array_get_idx(metrics, i),
						       sources[s]), "target");

			error = canon_quantity(t, "value");
			if (!error)
				error = canon_quantity(t, "averageValue");
		}
	return error;
}

static int canon_limit_range(json_object *v)
{
	static const char *const maps[] = {"max", "min", "default", "defaultRequest",
					   "maxLimitRequestRatio"};
	json_object *limits = ikc_json_path(v, "spec.limits");
	size_t i, m;
	int error = 0;

	for (i = 0; i < len_of(limits) && !error; i++)
		for (m = 0; m < 5 && !error; m++)
			error = canon_quantity_map(member(json_object_array_get_idx(limits, i),
							  maps[m]));
	return error;
}

/* ---- Secret ---- */

static int fold_string_data(json_object *v)
{
	json_object *sd = member(v, "stringData"), *data;
	int error = 0;

	if (!sd || !json_object_is_type(sd, json_type_object))
		return 0;
	data = member(v, "data");
	if (!data || !json_object_is_type(data, json_type_object)) {
		data = json_object_new_object();
		if ((error = ikc_json_add(v, "data", data)) < 0)
			return error;
	}
	json_object_object_foreach(sd, k, sv) {
		const char *s = sv ? json_object_get_string(sv) : "";
		char *b = NULL;

		if ((error = ikc_base64_encode(&b, s, strlen(s))) < 0)
			return error;
		error = ikc_json_add(data, k, json_object_new_string(b));
		free(b);
		if (error < 0)
			return error;
	}
	json_object_object_del(v, "stringData");
	return 0;
}

int ikc_kube_canonicalize(json_object *v, const char *api_version, const char *kind)
{
	int error = 0;

	/* custom resources are stored as written */
	if (!v || !kind || !json_object_is_type(v, json_type_object) ||
	    !ikc_kube_is_builtin(api_version))
		return 0;
	if (!strcmp(kind, "Secret"))
		return fold_string_data(v);
	if (!strcmp(kind, "Service")) {
		json_object *ports = ikc_json_path(v, "spec.ports");
		size_t i;

		for (i = 0; i < len_of(ports) && !error; i++)
			error = canon_int_or_string(json_object_array_get_idx(ports, i),
						    "targetPort");
		return error;
	}
	if (!strcmp(kind, "HorizontalPodAutoscaler"))
		return canon_hpa(v);
	if (!strcmp(kind, "LimitRange"))
		return canon_limit_range(v);
	if (!strcmp(kind, "ResourceQuota"))
		return canon_quantity_map(ikc_json_path(v, "spec.hard"));
	if (!strcmp(kind, "PersistentVolumeClaim")) {
		error = canon_quantity_map(ikc_json_path(v, "spec.resources.requests"));
		if (!error)
			error = canon_quantity_map(ikc_json_path(v, "spec.resources.limits"));
		return error;
	}
	if (!strcmp(kind, "PodDisruptionBudget")) {
		error = canon_int_or_string(member(v, "spec"), "minAvailable");
		if (!error)
			error = canon_int_or_string(member(v, "spec"), "maxUnavailable");
		return error;
	}
	if (!strcmp(kind, "Deployment") || !strcmp(kind, "DaemonSet")) {
		json_object *ru = ikc_json_path(v, !strcmp(kind, "Deployment") ?
						"spec.strategy.rollingUpdate" :
						"spec.updateStrategy.rollingUpdate");

		error = canon_int_or_string(ru, "maxSurge");
		if (!error)
			error = canon_int_or_string(ru, "maxUnavailable");
	}
	if (!error)
		error = canon_podspec(podspec_of(kind, v));
	return error;
}
