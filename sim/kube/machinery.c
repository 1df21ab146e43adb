/* machinery.c - server defaults, validation and Service IP/port allocation */
#include "sim/kube/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/json.h"
#include "util/str.h"

static void dflt(json_object *obj, const char *key, json_object *val)
{
	if (!json_object_object_get_ex(obj, key, NULL))
		json_object_object_add(obj, key, val);
	else
		json_object_put(val);
}

static json_object *child(json_object *obj, const char *key)
{
	json_object *c = NULL;

	if (!obj || !json_object_object_get_ex(obj, key, &c))
		return NULL;
	return c;
}

static json_object *child_obj(json_object *obj, const char *key)
{
	json_object *c = child(obj, key);

	if (!c || !json_object_is_type(c, json_type_object)) {
		c = json_object_new_object();
		json_object_object_add(obj, key, c);
	}
	return c;
}

static int is_type(json_object *o, json_type t)
{
	return o && json_object_is_type(o, t);
}

/* ---- defaults ---- */

static int image_is_latest(const char *image)
{
	const char *slash, *colon;

	if (!image)
		return 1;
	if (strchr(image, '@'))
		return 0;
	slash = strrchr(image, '/');
	colon = strrchr(slash ? slash : image, ':');
	return !colon || strcmp(colon + 1, "latest") == 0;
}

static void probe_defaults(json_object *c, const char *name)
{
	json_object *p = child(c, name), *hg;

	if (!is_type(p, json_type_object))
		return;
	dflt(p, "timeoutSeconds", json_object_new_int(1));
	dflt(p, "periodSeconds", json_object_new_int(10));
	dflt(p, "successThreshold", json_object_new_int(1));
	dflt(p, "failureThreshold", json_object_new_int(3));
	hg = child(p, "httpGet");
	if (is_type(hg, json_type_object)) {
		dflt(hg, "path", json_object_new_string("/"));
		dflt(hg, "scheme", json_object_new_string("HTTP"));
	}
}

static void container_defaults(json_object *c)
{
	json_object *ports = child(c, "ports"), *res;
	size_t i;

	if (!is_type(c, json_type_object))
		return;
	dflt(c, "imagePullPolicy", json_object_new_string(
					   image_is_latest(ikc_json_str(c, "image"))
						   ? "Always"
						   : "IfNotPresent"));
	dflt(c, "terminationMessagePath",
	     json_object_new_string("/dev/termination-log"));
	dflt(c, "terminationMessagePolicy", json_object_new_string("File"));
	res = child_obj(c, "resources");
	if (is_type(child(res, "limits"), json_type_object) &&
	    !child(res, "requests"))
		json_object_object_add(res, "requests",
				       ikc_json_copy(child(res, "limits")));
	for (i = 0; is_type(ports, json_type_array) &&
		    i < kube__len(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);

		if (is_type(p, json_type_object))
			dflt(p, "protocol", json_object_new_string("TCP"));
	}
	probe_defaults(c, "livenessProbe");
	probe_defaults(c, "readinessProbe");
	probe_defaults(c, "startupProbe");
}

static void podspec_defaults(json_object *spec)
{
	const char *lists[] = {"containers", "initContainers"};
	size_t l, i;

	if (!is_type(spec, json_type_object))
		return;
	dflt(spec, "restartPolicy", json_object_new_string("Always"));
	dflt(spec, "terminationGracePeriodSeconds", json_object_new_int(30));
	dflt(spec, "dnsPolicy", json_object_new_string("ClusterFirst"));
	dflt(spec, "securityContext", json_object_new_object());
	dflt(spec, "schedulerName", json_object_new_string("default-scheduler"));
	for (l = 0; l < 2; l++) {
		json_object *cs = child(spec, lists[l]);

		for (i = 0; is_type(cs, json_type_array) &&
			    i < kube__len(cs); i++)
			container_defaults(json_object_array_get_idx(cs, i));
	}
}

static void template_defaults(json_object *obj)
{
	json_object *t = ikc_json_path(obj, "spec.template");

	if (is_type(t, json_type_object))
		podspec_defaults(child(t, "spec"));
}

static void service_defaults(json_object *svc)
{
	json_object *spec = child_obj(svc, "spec");
	json_object *ports = child(spec, "ports");
	const char *type, *aff;
	size_t i;

	dflt(spec, "type", json_object_new_string("ClusterIP"));
	type = ikc_json_str(spec, "type");
	dflt(spec, "sessionAffinity", json_object_new_string("None"));
	aff = ikc_json_str(spec, "sessionAffinity");
	if (aff && strcmp(aff, "ClientIP") == 0 &&
	    !child(spec, "sessionAffinityConfig")) {
		json_object *cfg = json_object_new_object();
		json_object *cip = json_object_new_object();

		json_object_object_add(cip, "timeoutSeconds",
				       json_object_new_int(10800));
		json_object_object_add(cfg, "clientIP", cip);
		json_object_object_add(spec, "sessionAffinityConfig", cfg);
	}
	for (i = 0; is_type(ports, json_type_array) &&
		    i < kube__len(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);
		json_object *tp;

		if (!is_type(p, json_type_object))
			continue;
		dflt(p, "protocol", json_object_new_string("TCP"));
		tp = child(p, "targetPort");
		if (!tp || (is_type(tp, json_type_int) && json_object_get_int(tp) == 0) ||
		    (is_type(tp, json_type_string) && !*json_object_get_string(tp))) {
			json_object *port = child(p, "port");

			if (port)
				json_object_object_add(p, "targetPort",
						       ikc_json_copy(port));
		}
	}
	if (type && (strcmp(type, "NodePort") == 0 ||
		     strcmp(type, "LoadBalancer") == 0))
		dflt(spec, "externalTrafficPolicy", json_object_new_string("Cluster"));
	if (type && strcmp(type, "ExternalName") != 0)
		dflt(spec, "internalTrafficPolicy", json_object_new_string("Cluster"));
	if (type && strcmp(type, "LoadBalancer") == 0)
		dflt(spec, "allocateLoadBalancerNodePorts",
		     json_object_new_boolean(1));
}

static json_object *hpa_policy(const char *type, int value)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "type", json_object_new_string(type));
	json_object_object_add(p, "value", json_object_new_int(value));
	json_object_object_add(p, "periodSeconds", json_object_new_int(15));
	return p;
}

static void hpa_defaults(json_object *hpa)
{
	json_object *spec = child_obj(hpa, "spec");
	json_object *metrics = child(spec, "metrics");
	json_object *beh = child(spec, "behavior");

	dflt(spec, "minReplicas", json_object_new_int(1));
	if (!is_type(metrics, json_type_array) ||
	    kube__len(metrics) == 0) {
		json_object *arr = json_object_new_array();
		json_object *m = json_object_new_object();
		json_object *r = json_object_new_object();
		json_object *t = json_object_new_object();

		json_object_object_add(t, "type", json_object_new_string("Utilization"));
		json_object_object_add(t, "averageUtilization", json_object_new_int(80));
		json_object_object_add(r, "name", json_object_new_string("cpu"));
		json_object_object_add(r, "target", t);
		json_object_object_add(m, "type", json_object_new_string("Resource"));
		json_object_object_add(m, "resource", r);
		json_object_array_add(arr, m);
		json_object_object_add(spec, "metrics", arr);
	}
	if (is_type(beh, json_type_object)) {
		json_object *up = child_obj(beh, "scaleUp");
		json_object *down = child_obj(beh, "scaleDown");

		dflt(up, "stabilizationWindowSeconds", json_object_new_int(0));
		dflt(up, "selectPolicy", json_object_new_string("Max"));
		if (!child(up, "policies")) {
			json_object *ps = json_object_new_array();

			json_object_array_add(ps, hpa_policy("Pods", 4));
			json_object_array_add(ps, hpa_policy("Percent", 100));
			json_object_object_add(up, "policies", ps);
		}
		dflt(down, "selectPolicy", json_object_new_string("Max"));
		if (!child(down, "policies")) {
			json_object *ps = json_object_new_array();

			json_object_array_add(ps, hpa_policy("Percent", 100));
			json_object_object_add(down, "policies", ps);
		}
	}
}

void kube__defaults(struct sim_kube *k, const kube_kind *kd, json_object *obj)
{
	const char *kind = kd->kind;
	json_object *meta = kube__meta(obj);
	json_object *spec;

	(void)k;
	kube__convert(kd, obj);
	if (strcmp(kind, "Namespace") == 0) {
		json_object *labels = child_obj(meta, "labels");
		json_object *fin;

		json_object_object_add(labels, "kubernetes.io/metadata.name",
				       json_object_new_string(kube__name(obj)));
		spec = child_obj(obj, "spec");
		if (!child(spec, "finalizers")) {
			fin = json_object_new_array();
			json_object_array_add(fin, json_object_new_string("kubernetes"));
			json_object_object_add(spec, "finalizers", fin);
		}
	} else if (strcmp(kind, "Pod") == 0) {
		spec = child_obj(obj, "spec");
		podspec_defaults(spec);
		dflt(spec, "enableServiceLinks", json_object_new_boolean(1));
		dflt(spec, "serviceAccountName", json_object_new_string("default"));
		dflt(spec, "serviceAccount", json_object_new_string(
						     ikc_json_str(spec, "serviceAccountName")));
		dflt(spec, "priority", json_object_new_int(0));
		dflt(spec, "preemptionPolicy",
		     json_object_new_string("PreemptLowerPriority"));
	} else if (strcmp(kind, "ReplicationController") == 0) {
		json_object *tl = ikc_json_path(obj, "spec.template.metadata.labels");

		spec = child_obj(obj, "spec");
		dflt(spec, "replicas", json_object_new_int(1));
		if (is_type(tl, json_type_object) && json_object_object_length(tl) > 0) {
			json_object *sel = child(spec, "selector");
			json_object *labels = child(meta, "labels");

			if (!is_type(sel, json_type_object) ||
			    json_object_object_length(sel) == 0)
				json_object_object_add(spec, "selector", ikc_json_copy(tl));
			if (!is_type(labels, json_type_object) ||
			    json_object_object_length(labels) == 0)
				json_object_object_add(meta, "labels", ikc_json_copy(tl));
		}
		template_defaults(obj);
	} else if (strcmp(kind, "ReplicaSet") == 0) {
		spec = child_obj(obj, "spec");
		dflt(spec, "replicas", json_object_new_int(1));
		template_defaults(obj);
	} else if (strcmp(kind, "Deployment") == 0) {
		json_object *strat;

		spec = child_obj(obj, "spec");
		dflt(spec, "replicas", json_object_new_int(1));
		strat = child_obj(spec, "strategy");
		dflt(strat, "type", json_object_new_string("RollingUpdate"));
		if (ikc_json_str(strat, "type") &&
		    strcmp(ikc_json_str(strat, "type"), "RollingUpdate") == 0) {
			json_object *ru = child_obj(strat, "rollingUpdate");

			dflt(ru, "maxUnavailable", json_object_new_string("25%"));
			dflt(ru, "maxSurge", json_object_new_string("25%"));
		}
		dflt(spec, "revisionHistoryLimit", json_object_new_int(10));
		dflt(spec, "progressDeadlineSeconds", json_object_new_int(600));
		template_defaults(obj);
	} else if (strcmp(kind, "Service") == 0) {
		service_defaults(obj);
	} else if (strcmp(kind, "HorizontalPodAutoscaler") == 0) {
		hpa_defaults(obj);
	} else if (strcmp(kind, "Secret") == 0) {
		dflt(obj, "type", json_object_new_string("Opaque"));
	}
}

json_object *kube__initial_status(const kube_kind *kd, json_object *obj)
{
	const char *kind = kd->kind;
	json_object *st = json_object_new_object();

	(void)obj;
	if (strcmp(kind, "Pod") == 0) {
		json_object_object_add(st, "phase", json_object_new_string("Pending"));
		json_object_object_add(st, "qosClass",
				       json_object_new_string("BestEffort"));
	} else if (strcmp(kind, "ReplicationController") == 0 ||
		   strcmp(kind, "ReplicaSet") == 0) {
		json_object_object_add(st, "replicas", json_object_new_int(0));
	} else if (strcmp(kind, "Service") == 0) {
		json_object_object_add(st, "loadBalancer", json_object_new_object());
	} else if (strcmp(kind, "Namespace") == 0) {
		json_object_object_add(st, "phase", json_object_new_string("Active"));
	} else if (strcmp(kind, "HorizontalPodAutoscaler") == 0) {
		json_object_object_add(st, "currentReplicas", json_object_new_int(0));
		json_object_object_add(st, "desiredReplicas", json_object_new_int(0));
	} else if (strcmp(kind, "Deployment") == 0 || strcmp(kind, "Node") == 0) {
		/* empty status */
	} else {
		json_object_put(st);
		return NULL;
	}
	return st;
}

/* ---- Service allocation ---- */

static int ip_used(struct sim_kube *k, const char *ip)
{
	size_t n, i;
	kube_obj **all = kube__list(k, "services", NULL, &n);
	int used = 0;

	for (i = 0; all && i < n; i++) {
		const char *c = ikc_json_str(ikc_json_path(all[i]->obj, "spec"),
					     "clusterIP");

		if (c && strcmp(c, ip) == 0)
			used = 1;
	}
	free(all);
	return used;
}

static int port_used(struct sim_kube *k, long long port, json_object *self)
{
	size_t n, i, j;
	kube_obj **all = kube__list(k, "services", NULL, &n);
	const char *self_uid = ikc_json_str(kube__meta(self), "uid");
	int used = 0;

	for (i = 0; all && i < n; i++) {
		json_object *ports = ikc_json_path(all[i]->obj, "spec.ports");
		const char *uid = ikc_json_str(kube__meta(all[i]->obj), "uid");

		if (self_uid && uid && strcmp(uid, self_uid) == 0)
			continue;
		for (j = 0; ports && j < kube__len(ports); j++)
			if (kube__int(json_object_array_get_idx(ports, j), "nodePort", 0) ==
			    port)
				used = 1;
		if (kube__int(all[i]->obj, "spec.healthCheckNodePort", 0) == port)
			used = 1;
	}
	free(all);
	return used;
}

static long long alloc_port(struct sim_kube *k, json_object *self,
			    long long taken_here[], size_t ntaken)
{
	unsigned int r = 0;
	int tries;
	size_t i;

	for (tries = 0; tries < 10000; tries++) {
		long long p;
		int clash = 0;

		if (ikc_random_bytes(&r, sizeof(r)) < 0)
			r = (unsigned int)tries * 7919u;
		p = 30000 + (long long)(r % 2768);
		for (i = 0; i < ntaken; i++)
			if (taken_here[i] == p)
				clash = 1;
		if (!clash && !port_used(k, p, self))
			return p;
	}
	return 0;
}

void kube__service_alloc(struct sim_kube *k, json_object *svc,
			 json_object *old)
{
	json_object *spec = child_obj(svc, "spec");
	json_object *ospec = old ? child(old, "spec") : NULL;
	json_object *ports = child(spec, "ports");
	json_object *oports = ospec ? child(ospec, "ports") : NULL;
	const char *type = ikc_json_str(spec, "type");
	const char *cip;
	int want_np, want_hc;
	long long taken[256];
	size_t ntaken = 0, i, j;

	if (!type)
		type = "ClusterIP";
	if (strcmp(type, "ExternalName") == 0)
		return;
	/* Carry over what the client may omit on update. */
	if (ospec) {
		const char *keys[] = {"clusterIP", "clusterIPs", "ipFamilies",
				      "ipFamilyPolicy"};

		const char *ncip = ikc_json_str(spec, "clusterIP");
		const char *ocip = ikc_json_str(ospec, "clusterIP");
		/* a new clusterIP must not inherit the old clusterIPs */
		int same_ip = !ncip || !*ncip || (ocip && strcmp(ncip, ocip) == 0);

		for (i = 0; i < 4; i++) {
			json_object *nv = child(spec, keys[i]);
			json_object *ov = child(ospec, keys[i]);

			if (i == 1 && !same_ip)
				continue;
			if (ov && (!nv || (is_type(nv, json_type_string) &&
					   !*json_object_get_string(nv))))
				json_object_object_add(spec, keys[i], ikc_json_copy(ov));
		}
	}
	cip = ikc_json_str(spec, "clusterIP");
	if (!cip || !*cip) {
		char ip[32];
		unsigned int r = 0;
		int tries;

		for (tries = 0; tries < 10000; tries++) {
			if (ikc_random_bytes(&r, sizeof(r)) < 0)
				r = (unsigned int)tries * 104729u;
			r = 10 + r % 4084;
			snprintf(ip, sizeof(ip), "34.118.%u.%u", 224 + r / 256, r % 256);
			if (!ip_used(k, ip))
				break;
		}
		json_object_object_add(spec, "clusterIP", json_object_new_string(ip));
		cip = ikc_json_str(spec, "clusterIP");
	}
	if (!child(spec, "clusterIPs")) {
		json_object *a = json_object_new_array();

		json_object_array_add(a, json_object_new_string(cip));
		json_object_object_add(spec, "clusterIPs", a);
	}
	if (strcmp(cip, "None") != 0 || !child(spec, "ipFamilies")) {
		json_object *fam = json_object_new_array();

		json_object_array_add(fam, json_object_new_string("IPv4"));
		dflt(spec, "ipFamilies", fam);
	}
	dflt(spec, "ipFamilyPolicy", json_object_new_string("SingleStack"));
	want_np = strcmp(type, "NodePort") == 0 ||
		  (strcmp(type, "LoadBalancer") == 0 &&
		   !(child(spec, "allocateLoadBalancerNodePorts") &&
		     !json_object_get_boolean(child(spec, "allocateLoadBalancerNodePorts"))));
	for (i = 0; is_type(ports, json_type_array) &&
		    i < kube__len(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);
		long long np = kube__int(p, "nodePort", 0);

		if (!is_type(p, json_type_object))
			continue;
		if (!want_np) {
			if (strcmp(type, "ClusterIP") == 0)
				json_object_object_del(p, "nodePort");
			continue;
		}
		if (!np && oports) {
			for (j = 0; j < kube__len(oports); j++) {
				json_object *op = json_object_array_get_idx(oports, j);

				if (kube__int(op, "port", -1) == kube__int(p, "port", -2) &&
				    kube__int(op, "nodePort", 0)) {
					np = kube__int(op, "nodePort", 0);
					break;
				}
			}
		}
		if (!np)
			np = alloc_port(k, svc, taken, ntaken);
		if (ntaken < 256)
			taken[ntaken++] = np;
		json_object_object_add(p, "nodePort", json_object_new_int64(np));
	}
	want_hc = strcmp(type, "LoadBalancer") == 0 &&
		  ikc_json_str(spec, "externalTrafficPolicy") &&
		  strcmp(ikc_json_str(spec, "externalTrafficPolicy"), "Local") == 0;
	if (want_hc && !kube__int(spec, "healthCheckNodePort", 0)) {
		long long hc = ospec ? kube__int(ospec, "healthCheckNodePort", 0) : 0;

		if (!hc)
			hc = alloc_port(k, svc, taken, ntaken);
		json_object_object_add(spec, "healthCheckNodePort",
				       json_object_new_int64(hc));
	}
}

/* ---- validation ---- */

static void validate_podspec(json_object *causes, json_object *spec,
			     const char *prefix, int template)
{
	json_object *cs = child(spec, "containers");
	const char *rp = ikc_json_str(spec, "restartPolicy");
	char f[256];
	size_t i, j;

	if (!is_type(cs, json_type_array) || kube__len(cs) == 0) {
		snprintf(f, sizeof(f), "%s.containers", prefix);
		kube__required(causes, f);
	}
	for (i = 0; is_type(cs, json_type_array) &&
		    i < kube__len(cs); i++) {
		json_object *c = json_object_array_get_idx(cs, i);
		const char *name = ikc_json_str(c, "name");
		json_object *ports = child(c, "ports");

		if (!name || !*name) {
			snprintf(f, sizeof(f), "%s.containers[%zu].name", prefix, i);
			kube__required(causes, f);
		} else {
			for (j = 0; j < i; j++) {
				const char *o = ikc_json_str(json_object_array_get_idx(cs, j),
							     "name");

				if (o && strcmp(o, name) == 0) {
					char *m = ikc_asprintf("Duplicate value: \"%s\"", name);

					snprintf(f, sizeof(f), "%s.containers[%zu].name",
						 prefix, i);
					kube__cause(causes, "FieldValueDuplicate", f, m ? m : "");
					free(m);
				}
			}
		}
		if (!ikc_json_str(c, "image") || !*ikc_json_str(c, "image")) {
			snprintf(f, sizeof(f), "%s.containers[%zu].image", prefix, i);
			kube__required(causes, f);
		}
		for (j = 0; is_type(ports, json_type_array) &&
			    j < kube__len(ports); j++) {
			json_object *p = json_object_array_get_idx(ports, j);
			long long cp = kube__int(p, "containerPort", 0);

			if (cp < 1 || cp > 65535) {
				snprintf(f, sizeof(f),
					 "%s.containers[%zu].ports[%zu].containerPort",
					 prefix, i, j);
				if (!child(p, "containerPort"))
					kube__required(causes, f);
				else
					kube__invalid(causes, f, child(p, "containerPort"),
						"must be between 1 and 65535, inclusive");
			}
		}
	}
	if (template && rp && strcmp(rp, "Always") != 0) {
		char *m = ikc_asprintf("Unsupported value: \"%s\": supported values: "
				       "\"Always\"", rp);

		snprintf(f, sizeof(f), "%s.restartPolicy", prefix);
		kube__cause(causes, "FieldValueNotSupported", f, m ? m : "");
		free(m);
	}
}

static void validate_rc(json_object *causes, json_object *obj)
{
	json_object *spec = child(obj, "spec");
	json_object *sel = child(spec, "selector");
	json_object *tmpl = child(spec, "template");
	json_object *tl = ikc_json_path(obj, "spec.template.metadata.labels");

	if (!is_type(sel, json_type_object) || json_object_object_length(sel) == 0)
		kube__required(causes, "spec.selector");
	if (kube__int(obj, "spec.replicas", 0) < 0)
		kube__invalid(causes, "spec.replicas", child(spec, "replicas"),
			"must be greater than or equal to 0");
	if (!is_type(tmpl, json_type_object)) {
		kube__required(causes, "spec.template");
		return;
	}
	if (is_type(sel, json_type_object) && json_object_object_length(sel) > 0 &&
	    !kube__match_map(sel, tl))
		kube__invalid(causes, "spec.template.metadata.labels", tl,
			"selector does not match labels in spec.template");
	validate_podspec(causes, child(tmpl, "spec"), "spec.template.spec", 1);
}

static void validate_apps(json_object *causes, const kube_kind *kd,
			  json_object *obj, json_object *old)
{
	json_object *spec = child(obj, "spec");
	json_object *sel = child(spec, "selector");
	json_object *tmpl = child(spec, "template");
	json_object *tl = ikc_json_path(obj, "spec.template.metadata.labels");

	if (!is_type(sel, json_type_object)) {
		kube__required(causes, "spec.selector");
	} else if (!kube__match_label_selector(sel, NULL) &&
		   json_object_object_length(sel) == 0) {
		kube__invalid(causes, "spec.selector", sel, "empty selector is invalid for "
			"deployment");
	} else if (!kube__match_label_selector(sel, tl)) {
		kube__invalid(causes, "spec.template.metadata.labels", tl,
			"`selector` does not match template `labels`");
	}
	if (old && strcmp(kd->kind, "Deployment") == 0 &&
	    !json_object_equal(sel, ikc_json_path(old, "spec.selector")))
		kube__invalid(causes, "spec.selector", sel, "field is immutable");
	if (kube__int(obj, "spec.replicas", 0) < 0)
		kube__invalid(causes, "spec.replicas", child(spec, "replicas"),
			"must be greater than or equal to 0");
	if (!is_type(tmpl, json_type_object)) {
		kube__required(causes, "spec.template");
		return;
	}
	validate_podspec(causes, child(tmpl, "spec"), "spec.template.spec", 1);
}

static void validate_service(struct sim_kube *k, json_object *causes,
			     json_object *obj, json_object *old)
{
	json_object *spec = child(obj, "spec");
	json_object *ports = child(spec, "ports");
	const char *type = ikc_json_str(spec, "type");
	const char *cip = ikc_json_str(spec, "clusterIP");
	char f[128];
	size_t i, j, n = is_type(ports, json_type_array)
				? kube__len(ports)
				: 0;

	if (type && strcmp(type, "ClusterIP") != 0 && strcmp(type, "NodePort") != 0 &&
	    strcmp(type, "LoadBalancer") != 0 && strcmp(type, "ExternalName") != 0) {
		char *m = ikc_asprintf("Unsupported value: \"%s\": supported values: "
				       "\"ClusterIP\", \"ExternalName\", \"LoadBalancer\", "
				       "\"NodePort\"", type);

		kube__cause(causes, "FieldValueNotSupported", "spec.type", m ? m : "");
		free(m);
	}
	if (n == 0 && !(type && strcmp(type, "ExternalName") == 0) &&
	    !(cip && strcmp(cip, "None") == 0))
		kube__required(causes, "spec.ports");
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(ports, i);
		long long port = kube__int(p, "port", 0);
		long long np = kube__int(p, "nodePort", 0);
		const char *name = ikc_json_str(p, "name");

		if (port < 1 || port > 65535) {
			snprintf(f, sizeof(f), "spec.ports[%zu].port", i);
			if (!child(p, "port"))
				kube__required(causes, f);
			else
				kube__invalid(causes, f, child(p, "port"),
					"must be between 1 and 65535, inclusive");
		}
		if (n > 1 && (!name || !*name)) {
			snprintf(f, sizeof(f), "spec.ports[%zu].name", i);
			kube__required(causes, f);
		}
		for (j = 0; name && j < i; j++) {
			const char *o = ikc_json_str(json_object_array_get_idx(ports, j),
						     "name");

			if (o && strcmp(o, name) == 0) {
				char *m = ikc_asprintf("Duplicate value: \"%s\"", name);

				snprintf(f, sizeof(f), "spec.ports[%zu].name", i);
				kube__cause(causes, "FieldValueDuplicate", f, m ? m : "");
				free(m);
			}
		}
		if (np && (np < 30000 || np > 32767)) {
			snprintf(f, sizeof(f), "spec.ports[%zu].nodePort", i);
			kube__invalid(causes, f, child(p, "nodePort"),
				"provided port is not in the valid range. The range of "
				"valid ports is 30000-32767");
		} else if (np && port_used(k, np, obj)) {
			snprintf(f, sizeof(f), "spec.ports[%zu].nodePort", i);
			kube__invalid(causes, f, child(p, "nodePort"),
				"provided port is already allocated");
		}
	}
	if (old) {
		const char *ocip = ikc_json_str(child(old, "spec"), "clusterIP");
		const char *olbc = ikc_json_str(child(old, "spec"), "loadBalancerClass");
		const char *lbc = ikc_json_str(spec, "loadBalancerClass");

		if (ocip && *ocip && cip && strcmp(ocip, cip) != 0 &&
		    strcmp(type ? type : "", "ExternalName") != 0) {
			json_object *v = json_object_new_array();

			json_object_array_add(v, json_object_new_string(cip));
			kube__invalid(causes, "spec.clusterIPs[0]", v, "may not change once set");
			json_object_put(v);
		}
		if (olbc && (!lbc || strcmp(lbc, olbc) != 0))
			kube__invalid(causes, "spec.loadBalancerClass", child(spec,
								       "loadBalancerClass"),
				"may not change once set");
	}
}

static void validate_hpa(json_object *causes, json_object *obj)
{
	json_object *spec = child(obj, "spec");
	json_object *ref = child(spec, "scaleTargetRef");
	long long max = kube__int(spec, "maxReplicas", 0);
	long long min = kube__int(spec, "minReplicas", 1);

	if (!ikc_json_str(ref, "kind"))
		kube__required(causes, "spec.scaleTargetRef.kind");
	if (!ikc_json_str(ref, "name"))
		kube__required(causes, "spec.scaleTargetRef.name");
	if (max < 1)
		kube__invalid(causes, "spec.maxReplicas", child(spec, "maxReplicas"),
			"must be greater than or equal to 1");
	if (min > max && max >= 1)
		kube__invalid(causes, "spec.minReplicas", child(spec, "minReplicas"),
			"must be less than or equal to maxReplicas");
}

json_object *kube__validate(struct sim_kube *k, const kube_kind *kd,
			    json_object *obj, json_object *old)
{
	json_object *causes = json_object_new_array();
	const char *kind = kd->kind;

	kube__validate_meta(causes, kd, obj, old);
	if (strcmp(kind, "ReplicationController") == 0)
		validate_rc(causes, obj);
	else if (strcmp(kind, "Deployment") == 0 || strcmp(kind, "ReplicaSet") == 0)
		validate_apps(causes, kd, obj, old);
	else if (strcmp(kind, "Service") == 0)
		validate_service(k, causes, obj, old);
	else if (strcmp(kind, "Pod") == 0)
		validate_podspec(causes, child(obj, "spec"), "spec", 0);
	else if (strcmp(kind, "HorizontalPodAutoscaler") == 0)
		validate_hpa(causes, obj);
	if (kube__len(causes) == 0) {
		json_object_put(causes);
		return NULL;
	}
	return causes;
}

/* ---- pod admission: service account token volume, tolerations ---- */

void kube__pod_admit(json_object *pod)
{
	json_object *spec = ikc_json_path(pod, "spec");
	json_object *vols, *cs, *tol;
	char sfx[8], vname[64], buf[1024];
	size_t i;

	if (!spec)
		return;
	kube__rand_suffix(sfx, 5);
	snprintf(vname, sizeof(vname), "kube-api-access-%s", sfx);
	if (!json_object_object_get_ex(spec, "volumes", &vols)) {
		vols = json_object_new_array();
		json_object_object_add(spec, "volumes", vols);
	}
	snprintf(buf, sizeof(buf),
		 "{\"name\":\"%s\",\"projected\":{\"sources\":[{\"serviceAccountToken\":"
		 "{\"expirationSeconds\":3607,\"path\":\"token\"}},{\"configMap\":"
		 "{\"name\":\"kube-root-ca.crt\",\"items\":[{\"key\":\"ca.crt\",\"path\":"
		 "\"ca.crt\"}]}},{\"downwardAPI\":{\"items\":[{\"path\":\"namespace\","
		 "\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":"
		 "\"metadata.namespace\"}}]}}],\"defaultMode\":420}}", vname);
	if (json_object_is_type(vols, json_type_array))
		json_object_array_add(vols, json_tokener_parse(buf));
	cs = ikc_json_path(spec, "containers");
	for (i = 0; cs && json_object_is_type(cs, json_type_array) &&
		    i < kube__len(cs); i++) {
		json_object *c = json_object_array_get_idx(cs, i);
		json_object *vm = NULL;

		if (!json_object_is_type(c, json_type_object))
			continue;
		if (!json_object_object_get_ex(c, "volumeMounts", &vm)) {
			vm = json_object_new_array();
			json_object_object_add(c, "volumeMounts", vm);
		}
		snprintf(buf, sizeof(buf),
			 "{\"name\":\"%s\",\"readOnly\":true,\"mountPath\":"
			 "\"/var/run/secrets/kubernetes.io/serviceaccount\"}", vname);
		if (json_object_is_type(vm, json_type_array))
			json_object_array_add(vm, json_tokener_parse(buf));
	}
	if (!json_object_object_get_ex(spec, "tolerations", &tol)) {
		tol = json_tokener_parse(
			"[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\","
			"\"effect\":\"NoExecute\",\"tolerationSeconds\":300},"
			"{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
			"\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]");
		json_object_object_add(spec, "tolerations", tol);
	}
}

