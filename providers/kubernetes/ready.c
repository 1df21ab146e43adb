/* ready.c - waiting until a Kubernetes object is ready, or gone */
#include "providers/kubernetes/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

#define DEFAULT_DEADLINE 600.0
#define DEFAULT_POLL 2.0
#define WHY_MAX 4096

static long long int_at(json_object *obj, const char *path, long long dflt)
{
	json_object *v = ikc_json_path(obj, path);
	long long n;

	if (!v)
		return dflt;
	errno = 0;
	n = json_object_get_int64(v);
	return errno ? dflt : n;
}

/* "k=v,k2 in (a,b),!k3" for a map selector or a LabelSelector. Owned. */
static char *selector_text(json_object *sel)
{
	ikc_buf b = IKC_BUF_INIT(1 << 16);
	json_object *ml, *ex;
	size_t i, n;
	int err = 0;

	if (!sel || !json_object_is_type(sel, json_type_object))
		return NULL;
	ml = ikc_json_path(sel, "matchLabels");
	ex = ikc_json_path(sel, "matchExpressions");
	if (!ml && !ex)
		ml = sel;   /* ReplicationController: a plain map */
	if (ml && json_object_is_type(ml, json_type_object)) {
		json_object_object_foreach(ml, k, v) {
			err |= ikc_buf_printf(&b, "%s%s=%s", b.len ? "," : "",
					      k, json_object_get_string(v));
		}
	}
	n = ex && json_object_is_type(ex, json_type_array) ?
	    json_object_array_length(ex) : 0;
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(ex, i);
		json_object *vals = ikc_json_path(e, "values");
		const char *key = ikc_json_str(e, "key");
		const char *op = ikc_json_str(e, "operator");
		size_t j, m = vals && json_object_is_type(vals,
							   json_type_array) ?
			      json_object_array_length(vals) : 0;

		if (!key || !op)
			continue;
		if (b.len)
			err |= ikc_buf_puts(&b, ",");
		if (!strcmp(op, "Exists")) {
			err |= ikc_buf_puts(&b, key);
			continue;
		}
		if (!strcmp(op, "DoesNotExist")) {
			err |= ikc_buf_printf(&b, "!%s", key);
			continue;
		}
		err |= ikc_buf_printf(&b, "%s %s (", key,
				      !strcmp(op, "NotIn") ? "notin" : "in");
		for (j = 0; j < m; j++)
			err |= ikc_buf_printf(&b, "%s%s", j ? "," : "",
					      json_object_get_string(
						json_object_array_get_idx(
							vals, j)));
		err |= ikc_buf_puts(&b, ")");
	}
	if (err || !b.len) {
		ikc_buf_dispose(&b);
		return NULL;
	}
	return ikc_buf_detach(&b);
}

/* GET a list (owned object) at `path`; NULL when that fails (best effort). */
static json_object *get_list(ikc_provider_env *env, ikc_kube_conn *c,
			     const char *path)
{
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	json_object *doc = NULL;

	if (ikc_kube__call(env, c, "GET", path, NULL, NULL, &resp) == 0 &&
	    ikc_http_response_ok(&resp) &&
	    ikc_kube__parse(&doc, &resp, "GET", path) == 0) {
		ikc_http_response_dispose(&resp);
		return doc;
	}
	ikc_http_response_dispose(&resp);
	ikc_error_clear();
	return NULL;
}

/* 1 if some Node is Ready, 0 if none, -1 if unknown. */
static int any_node_ready(ikc_provider_env *env, ikc_kube_conn *c)
{
	json_object *doc = get_list(env, c, "/api/v1/nodes"), *items;
	size_t i, j, n, m;
	int ready = 0;

	if (!doc)
		return -1;
	items = ikc_json_path(doc, "items");
	n = items && json_object_is_type(items, json_type_array) ?
	    json_object_array_length(items) : 0;
	for (i = 0; i < n && !ready; i++) {
		json_object *conds = ikc_json_path(
			json_object_array_get_idx(items, i),
			"status.conditions");

		m = conds && json_object_is_type(conds, json_type_array) ?
		    json_object_array_length(conds) : 0;
		for (j = 0; j < m; j++) {
			json_object *cd = json_object_array_get_idx(conds, j);
			const char *type = ikc_json_str(cd, "type");
			const char *st = ikc_json_str(cd, "status");

			if (type && st && !strcmp(type, "Ready") &&
			    !strcmp(st, "True"))
				ready = 1;
		}
	}
	json_object_put(doc);
	return ready;
}

/*
 * Appends why the controller's pods are not running yet: how many are
 * Pending and the scheduler's word for it (PodScheduled=False message), or
 * "no node is ready".
 */
static void pending_reason(ikc_buf *why, ikc_provider_env *env,
			   struct ikc_kube_obj *o, json_object *live)
{
	char *sel = selector_text(ikc_json_path(live, "spec.selector"));
	char *esel = sel ? ikc_kube__escape(sel) : NULL;
	char *ens = ikc_kube__escape(o->ns);
	char *path = NULL;
	json_object *doc = NULL, *items;
	const char *msg = NULL;
	size_t i, j, n, m, pending = 0;

	if (!esel || !ens)
		goto done;
	path = ikc_asprintf("/api/v1/namespaces/%s/pods?labelSelector=%s",
			    ens, esel);
	if (!path)
		goto done;
	doc = get_list(env, o->conn, path);
	items = ikc_json_path(doc, "items");
	n = items && json_object_is_type(items, json_type_array) ?
	    json_object_array_length(items) : 0;
	for (i = 0; i < n; i++) {
		json_object *pod = json_object_array_get_idx(items, i);
		json_object *conds = ikc_json_path(pod, "status.conditions");
		const char *phase = ikc_json_str(
			ikc_json_path(pod, "status"), "phase");

		if (!phase || strcmp(phase, "Pending"))
			continue;
		pending++;
		m = conds && json_object_is_type(conds, json_type_array) ?
		    json_object_array_length(conds) : 0;
		for (j = 0; j < m && !msg; j++) {
			json_object *cd = json_object_array_get_idx(conds, j);
			const char *type = ikc_json_str(cd, "type");
			const char *st = ikc_json_str(cd, "status");

			if (type && st && !strcmp(type, "PodScheduled") &&
			    strcmp(st, "True"))
				msg = ikc_json_str(cd, "message");
		}
	}
	if (!pending)
		goto done;
	(void)ikc_buf_printf(why, "; %zu pod%s Pending", pending,
			     pending == 1 ? "" : "s");
	if (msg && *msg)
		(void)ikc_buf_printf(why, ": %s", msg);
	else if (any_node_ready(env, o->conn) == 0)
		(void)ikc_buf_puts(why, ": no node is ready");
done:
	json_object_put(doc);
	free(path);
	free(ens);
	free(esel);
	free(sel);
}

/* 1 when ready; else 0 with what it waits for in `why`. */
static int check_ready(ikc_buf *why, ikc_provider_env *env,
		       const ikc_target *t, struct ikc_kube_obj *o,
		       json_object *live)
{
	const char *kind = t->kind ? t->kind : "";

	ikc_buf_clear(why);
	if (!strcmp(kind, "ReplicationController") ||
	    !strcmp(kind, "ReplicaSet") || !strcmp(kind, "Deployment") ||
	    !strcmp(kind, "StatefulSet")) {
		long long want = int_at(live, "spec.replicas", 1);
		long long ready = int_at(live, "status.readyReplicas", 0);
		long long gen = int_at(live, "metadata.generation", 0);
		long long seen = int_at(live, "status.observedGeneration", 0);

		/* a Deployment mid-rollout still counts its old pods as
		 * ready: also wait for the new ones and the old to go, as
		 * `kubectl rollout status` does */
		int deploy = !strcmp(kind, "Deployment");
		long long upd = int_at(live, "status.updatedReplicas", 0);
		long long total = int_at(live, "status.replicas", 0);
		int rolled = !deploy || (upd >= want && total <= want);

		if (ready == want && seen >= gen && rolled)
			return 1;
		(void)ikc_buf_printf(why, "%lld/%lld pods ready", ready, want);
		if (!rolled)
			(void)ikc_buf_printf(why, ", %lld/%lld updated%s", upd,
					     want, total > want ?
					     ", old pods terminating" : "");
		if (seen < gen)
			(void)ikc_buf_printf(why, " (controller has not seen "
					     "generation %lld yet)", gen);
		if (ready < want)
			pending_reason(why, env, o, live);
		return 0;
	}
	if (!strcmp(kind, "Service")) {
		const char *type = ikc_json_str(ikc_json_path(live, "spec"),
						"type");
		json_object *ing = ikc_json_path(
			live, "status.loadBalancer.ingress[0]");
		const char *ip = ikc_json_str(ing, "ip");
		const char *host = ikc_json_str(ing, "hostname");

		if (!type || strcmp(type, "LoadBalancer") ||
		    (ip && *ip) || (host && *host))
			return 1;
		(void)ikc_buf_puts(why, "waiting for the load balancer's "
				   "external address");
		return 0;
	}
	if (!strcmp(kind, "Namespace")) {
		const char *phase = ikc_json_str(
			ikc_json_path(live, "status"), "phase");

		if (phase && !strcmp(phase, "Active"))
			return 1;
		(void)ikc_buf_printf(why, "namespace is %s, not Active",
				     phase ? phase : "without a phase");
		return 0;
	}
	return 1;
}

/* Sleeps `secs` seconds. */
static void pause_for(double secs)
{
	struct timespec ts;

	if (secs <= 0)
		return;
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void report(ikc_provider_env *env, const ikc_target *t, char **last,
		   const char *text)
{
	if (!env->progress || !text || (*last && !strcmp(*last, text)))
		return;
	free(*last);
	*last = strdup(text);
	env->progress(env->progress_ctx, t->address, text);
}

static int is_ready_kind(const char *kind)
{
	static const char *const kinds[] = {
		"ReplicationController", "ReplicaSet", "Deployment",
		"StatefulSet", "Service", "Namespace", NULL
	};
	size_t i;

	for (i = 0; kind && kinds[i]; i++)
		if (!strcmp(kind, kinds[i]))
			return 1;
	return 0;
}

int ikc_kube__wait(ikc_provider_env *env, const ikc_target *t, int deleting,
		   const char *operation)
{
	double deadline = env->kube_ready_deadline > 0 ?
			  env->kube_ready_deadline : DEFAULT_DEADLINE;
	double poll = env->poll_interval > 0 ? env->poll_interval :
		      DEFAULT_POLL;
	double start = ikc_time_monotonic();
	ikc_buf why = IKC_BUF_INIT(WHY_MAX);
	json_object *live = NULL;
	struct ikc_kube_obj o;
	char *last = NULL;
	char took[32];
	int error;

	(void)operation;   /* Kubernetes has no long-running operations */
	if (!deleting && !is_ready_kind(t->kind))
		return 0;
	error = ikc_kube__obj_open(&o, env, t);
	if (error < 0)
		return error;
	for (;;) {
		json_object_put(live);
		live = NULL;
		if (ikc_http_client_interrupted(env->http)) {
			error = ikc_error_set_code(IKC_EINTERRUPTED,
						   IKC_ERR_PROVIDER,
						   "%s: wait interrupted",
						   t->address);
			goto done;
		}
		error = ikc_kube__obj_get(&live, env, t, &o);
		if (deleting) {
			if (error == IKC_ENOTFOUND) {
				ikc_error_clear();
				error = 0;
				goto done;
			}
			if (error < 0)
				goto done;
			ikc_buf_clear(&why);
			(void)ikc_buf_puts(&why, "waiting for deletion");
			if (ikc_json_path(live, "metadata.deletionTimestamp")) {
				json_object *fin = ikc_json_path(
					live, "metadata.finalizers");

				if (fin && json_object_array_length(fin))
					(void)ikc_buf_printf(
						&why, " (finalizers: %s)",
						json_object_to_json_string_ext(
							fin,
							JSON_C_TO_STRING_PLAIN));
			}
		} else {
			if (error < 0)
				goto done;
			if (check_ready(&why, env, t, &o, live))
				goto done;
		}
		report(env, t, &last, why.ptr);
		if (ikc_time_monotonic() - start + poll > deadline) {
			ikc_duration_format(took, deadline);
			error = ikc_error_set_code(
				IKC_ETIMEOUT, IKC_ERR_PROVIDER,
				"%s: %s after %s: %s", t->address,
				deleting ? "still present" : "not ready",
				took, why.ptr ? why.ptr : "");
			goto done;
		}
		pause_for(poll);
	}
done:
	json_object_put(live);
	ikc_buf_dispose(&why);
	free(last);
	ikc_kube__obj_dispose(&o);
	return error;
}
