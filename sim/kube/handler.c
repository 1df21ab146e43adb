/* handler.c - routes one Kubernetes API request: CRUD, patch, scale, watch */
#include "sim/kube/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/str.h"

#define SER_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define WATCH_DEFAULT_SECONDS 30.0

typedef struct rq {
	struct sim_kube *k;
	const sim_request *req;
	sim_response *resp;
	const kube_kind *kd;     /* the kind as served at this URL */
	const kube_kind *sk;     /* its storage kind */
	char *ns;                /* NULL for cluster scope / all namespaces */
	char *name;
	char *sub;
	int dry_run;
	int apply_patch;         /* a server-side apply (application/apply-patch+yaml) */
	char manager[129];       /* the field manager of a write */
} rq;

/* ---- responses ---- */

static void set_body(sim_response *resp, int status, char *body)
{
	resp->status = status;
	resp->body = body;
	resp->body_len = body ? strlen(body) : 0;
	if (!body)
		resp->status = 500;
}

static void respond(sim_response *resp, int status, json_object *obj)
{
	const char *s = json_object_to_json_string_ext(obj, SER_FLAGS);

	set_body(resp, status, strdup(s ? s : "{}"));
	json_object_put(obj);
}

static const char *qual(const kube_kind *kd, char *buf, size_t n)
{
	if (*kd->group)
		snprintf(buf, n, "%s.%s", kd->plural, kd->group);
	else
		snprintf(buf, n, "%s", kd->plural);
	return buf;
}

static void status_fail(sim_response *resp, int code, const char *reason,
			const char *message, json_object *details)
{
	json_object *st = json_object_new_object();

	json_object_object_add(st, "kind", json_object_new_string("Status"));
	json_object_object_add(st, "apiVersion", json_object_new_string("v1"));
	json_object_object_add(st, "metadata", json_object_new_object());
	json_object_object_add(st, "status", json_object_new_string("Failure"));
	json_object_object_add(st, "message", json_object_new_string(message));
	json_object_object_add(st, "reason", json_object_new_string(reason));
	if (details)
		json_object_object_add(st, "details", details);
	json_object_object_add(st, "code", json_object_new_int(code));
	respond(resp, code, st);
}

static json_object *details(const kube_kind *kd, const char *name,
			    const char *kind_field)
{
	json_object *d = json_object_new_object();

	if (name)
		json_object_object_add(d, "name", json_object_new_string(name));
	if (kd && *kd->group)
		json_object_object_add(d, "group", json_object_new_string(kd->group));
	json_object_object_add(d, "kind", json_object_new_string(
						  kind_field ? kind_field : kd->plural));
	return d;
}

static void err_not_found(rq *r, const kube_kind *kd, const char *name)
{
	char q[128], *m;

	m = ikc_asprintf("%s \"%s\" not found", qual(kd, q, sizeof(q)), name);
	status_fail(r->resp, 404, "NotFound", m ? m : "not found",
		    details(kd, name, NULL));
	free(m);
}

static void err_exists(rq *r, const char *name)
{
	char q[128], *m;

	m = ikc_asprintf("%s \"%s\" already exists", qual(r->kd, q, sizeof(q)), name);
	status_fail(r->resp, 409, "AlreadyExists", m ? m : "already exists",
		    details(r->kd, name, NULL));
	free(m);
}

static void err_conflict(rq *r, const char *name)
{
	char q[128], *m;

	m = ikc_asprintf("Operation cannot be fulfilled on %s \"%s\": the object has "
			 "been modified; please apply your changes to the latest "
			 "version and try again", qual(r->kd, q, sizeof(q)), name);
	status_fail(r->resp, 409, "Conflict", m ? m : "conflict",
		    details(r->kd, name, NULL));
	free(m);
}

static void err_bad(rq *r, const char *msg)
{
	status_fail(r->resp, 400, "BadRequest", msg, NULL);
}

static void err_invalid(rq *r, const char *name, json_object *causes)
{
	ikc_buf b = IKC_BUF_INIT(1 << 20);
	size_t i, n = kube__len(causes);
	json_object *d = details(r->kd, name, r->kd->kind);

	(void)ikc_buf_printf(&b, "%s \"%s\" is invalid: %s", r->kd->kind,
			     name ? name : "", n > 1 ? "[" : "");
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(causes, i);

		(void)ikc_buf_printf(&b, "%s%s: %s", i ? ", " : "",
				     ikc_json_str(c, "field"), ikc_json_str(c, "message"));
	}
	if (n > 1)
		(void)ikc_buf_puts(&b, "]");
	json_object_object_add(d, "causes", causes);
	status_fail(r->resp, 422, "Invalid", b.ptr ? b.ptr : "invalid", d);
	ikc_buf_dispose(&b);
}

static const char *q(rq *r, const char *key)
{
	if (!r->req->query)
		return NULL;
	return r->req->query(r->req, key);
}

static const char *hdr(rq *r, const char *name)
{
	if (!r->req->header)
		return NULL;
	return r->req->header(r->req, name);
}

/* The field manager: ?fieldManager=, else the user agent's product name. */
static const char *manager_of(rq *r)
{
	const char *m = q(r, "fieldManager"), *ua = hdr(r, "User-Agent");
	size_t n;

	if (m && *m)
		return m;
	if (!ua || !*ua)
		return "unknown";
	n = strcspn(ua, "/");
	if (n >= sizeof(r->manager))
		n = sizeof(r->manager) - 1;
	memcpy(r->manager, ua, n);
	r->manager[n] = '\0';
	return r->manager;
}

/* Records this request's write in the new version's managedFields. */
static void manage(rq *r, json_object *nobj, json_object *old, const char *sub)
{
	char *av = kube__api_version(r->kd);

	kube__managed_fields(nobj, old, manager_of(r), r->apply_patch ? "Apply" : "Update",
			     sub, av ? av : "v1");
	free(av);
}

static int is_true(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static int wants_table(rq *r)
{
	const char *a = hdr(r, "Accept");

	return a && strstr(a, "as=Table") != NULL;
}

/* ---- HPA autoscaling/v1 <-> v2 ---- */

static json_object *hpa_to_v1(json_object *v2)
{
	json_object *out = ikc_json_copy(v2);
	json_object *spec = ikc_json_path(out, "spec");
	json_object *metrics = ikc_json_path(v2, "spec.metrics");
	json_object *status = ikc_json_path(out, "status");
	size_t i;

	json_object_object_add(out, "apiVersion", json_object_new_string("autoscaling/v1"));
	if (spec) {
		for (i = 0; metrics && i < kube__len(metrics); i++) {
			json_object *m = json_object_array_get_idx(metrics, i);
			const char *name = ikc_json_str(ikc_json_path(m, "resource"), "name");

			if (name && strcmp(name, "cpu") == 0 &&
			    ikc_json_path(m, "resource.target.averageUtilization"))
				json_object_object_add(
					spec, "targetCPUUtilizationPercentage",
					json_object_new_int64(kube__int(
						m, "resource.target.averageUtilization", 80)));
		}
		json_object_object_del(spec, "metrics");
		json_object_object_del(spec, "behavior");
	}
	if (status) {
		json_object_object_del(status, "currentMetrics");
		json_object_object_del(status, "conditions");
	}
	return out;
}

static void hpa_from_v1(json_object *obj)
{
	json_object *spec = ikc_json_path(obj, "spec");
	json_object *t = spec ? ikc_json_path(spec, "targetCPUUtilizationPercentage")
			      : NULL;

	json_object_object_add(obj, "apiVersion", json_object_new_string("autoscaling/v2"));
	if (t) {
		char buf[256];
		json_object *m = NULL;

		snprintf(buf, sizeof(buf),
			 "[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\","
			 "\"target\":{\"type\":\"Utilization\",\"averageUtilization\":%d}}}]",
			 json_object_get_int(t));
		m = json_tokener_parse(buf);
		json_object_object_add(spec, "metrics", m);
		json_object_object_del(spec, "targetCPUUtilizationPercentage");
	}
}

/* The object as served at this URL's version; owned. */
static json_object *served(rq *r, json_object *stored)
{
	if (r->kd != r->sk && strcmp(r->kd->kind, "HorizontalPodAutoscaler") == 0)
		return hpa_to_v1(stored);
	return ikc_json_copy(stored);
}

static char *served_text(rq *r, kube_obj *o)
{
	json_object *s;
	char *out;

	if (r->kd == o->kind)
		return strdup(o->json);
	s = served(r, o->obj);
	out = strdup(json_object_to_json_string_ext(s, SER_FLAGS));
	json_object_put(s);
	return out;
}

static void respond_obj(rq *r, int status, kube_obj *o)
{
	set_body(r->resp, status, served_text(r, o));
}

static void respond_table(rq *r, json_object **objs, size_t n, int status)
{
	const char *inc = q(r, "includeObject");
	char rvs[32];

	snprintf(rvs, sizeof(rvs), "%llu", r->k->rv);
	respond(r->resp, status,
		kube__table(r->kd, objs, n, rvs, inc && strcmp(inc, "Object") == 0));
}

/* ---- parsing bodies ---- */

static json_object *parse_body(rq *r)
{
	json_object *obj = NULL;

	if (!r->req->body || r->req->body_len == 0) {
		err_bad(r, "the body of the request was empty");
		return NULL;
	}
	if (ikc_json_parse(&obj, r->req->body, r->req->body_len, "request body") < 0) {
		char *m = ikc_asprintf("the object provided is unrecognized: %s",
				       ikc_error_last());

		err_bad(r, m ? m : "bad json");
		free(m);
		return NULL;
	}
	if (!obj)   /* the JSON text "null" */
		err_bad(r, "the object provided is unrecognized: null");
	return obj;
}

/* Removes fields the server owns from a client's object. */
static void scrub(json_object *obj)
{
	json_object *m = kube__meta(obj);
	const char *keys[] = {"uid", "resourceVersion", "creationTimestamp",
			      "deletionTimestamp", "deletionGracePeriodSeconds",
			      "generation", "selfLink", "managedFields"};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_object_del(m, keys[i]);
}

static int ns_check(rq *r, json_object *obj)
{
	const char *bns = kube__ns(obj);

	if (!(r->sk->flags & KUBE_NAMESPACED)) {
		json_object_object_del(kube__meta(obj), "namespace");
		return 0;
	}
	if (bns && *bns && r->ns && strcmp(bns, r->ns) != 0) {
		err_bad(r, "the namespace of the provided object does not match the "
			"namespace sent on the request");
		return -1;
	}
	if (r->ns)
		json_object_object_add(kube__meta(obj), "namespace",
				       json_object_new_string(r->ns));
	return 0;
}

static void set_kind(rq *r, json_object *obj)
{
	char *av = kube__api_version(r->sk);

	json_object_object_add(obj, "kind", json_object_new_string(r->sk->kind));
	json_object_object_add(obj, "apiVersion", json_object_new_string(av));
	free(av);
}

/* 400 with a decode error when well-known fields have the wrong type. */
static int shape_check(rq *r, json_object *obj)
{
	char *m = kube__shape_error(r->kd, obj);

	if (!m)
		m = kube__decode_error(r->kd, obj);
	if (!m)
		return 0;
	err_bad(r, m);
	free(m);
	return -1;
}

/*
 * fieldValidation: Strict refuses unknown fields (400); Warn (the default)
 * drops them and answers with a Warning header; Ignore drops them silently.
 * -1 when answered.
 */
static int field_check(rq *r, json_object *obj)
{
	const char *mode = q(r, "fieldValidation");
	json_object *unknown;
	ikc_buf msg = IKC_BUF_INIT(1 << 20), warn = IKC_BUF_INIT(1 << 20);
	size_t i, n;

	unknown = kube__unknown_fields(r->kd, obj, !(mode && strcmp(mode, "Strict") == 0));
	if (!unknown)
		return 0;
	if (mode && strcmp(mode, "Ignore") == 0) {
		json_object_put(unknown);
		return 0;
	}
	n = kube__len(unknown);
	for (i = 0; i < n; i++) {
		const char *f = json_object_get_string(json_object_array_get_idx(unknown, i));

		(void)ikc_buf_printf(&msg, "%sunknown field \"%s\"", i ? ", " : "", f);
		(void)ikc_buf_printf(&warn, "%s299 - \"unknown field \\\"%s\\\"\"",
				     i ? ", " : "", f);
	}
	json_object_put(unknown);
	if (mode && strcmp(mode, "Strict") == 0) {
		char *m = ikc_asprintf("strict decoding error: %s", msg.ptr ? msg.ptr : "");

		err_bad(r, m ? m : "strict decoding error");
		free(m);
		ikc_buf_dispose(&msg);
		ikc_buf_dispose(&warn);
		return -1;
	}
	free(r->resp->extra_header_name);
	free(r->resp->extra_header_value);
	r->resp->extra_header_name = strdup("Warning");
	r->resp->extra_header_value = ikc_buf_detach(&warn);
	ikc_buf_dispose(&msg);
	return 0;
}

/* ---- verbs ---- */

static kube_obj *lookup(rq *r, const char *name)
{
	return kube__get(r->k, r->sk->store,
			 (r->sk->flags & KUBE_NAMESPACED) ? r->ns : "", name);
}

static void do_get(rq *r)
{
	kube_obj *o = lookup(r, r->name);

	if (!o) {
		err_not_found(r, r->kd, r->name);
		return;
	}
	if (wants_table(r)) {
		json_object *s = served(r, o->obj);

		respond_table(r, &s, 1, 200);
		json_object_put(s);
		return;
	}
	respond_obj(r, 200, o);
}

static void do_create(rq *r)
{
	json_object *obj = parse_body(r), *causes, *st;
	const char *bkind, *name, *gen;
	kube_obj *nso, *o;
	char q2[128];

	if (!obj)
		return;
	if (shape_check(r, obj) < 0)
		goto done;
	bkind = ikc_json_str(obj, "kind");
	if (bkind && *bkind && strcmp(bkind, r->kd->kind) != 0) {
		char *m = ikc_asprintf("the kind in the data (%s) does not match the "
				       "expected kind (%s)", bkind, r->kd->kind);

		err_bad(r, m ? m : "kind mismatch");
		free(m);
		goto done;
	}
	if (field_check(r, obj) < 0)
		goto done;
	if (r->kd != r->sk && strcmp(r->kd->kind, "HorizontalPodAutoscaler") == 0)
		hpa_from_v1(obj);
	if (ns_check(r, obj) < 0)
		goto done;
	if ((r->sk->flags & KUBE_NAMESPACED)) {
		nso = kube__get(r->k, "namespaces", "", r->ns);
		if (!nso) {
			err_not_found(r, kube__kind_by_store("namespaces"), r->ns);
			goto done;
		}
		if (ikc_json_path(nso->obj, "metadata.deletionTimestamp")) {
			char *m = ikc_asprintf("%s \"%s\" is forbidden: unable to create new "
					       "content in namespace %s because it is "
					       "being terminated",
					       qual(r->kd, q2, sizeof(q2)),
					       kube__name(obj) ? kube__name(obj) : "",
					       r->ns);

			status_fail(r->resp, 403, "Forbidden", m ? m : "forbidden",
				    details(r->kd, kube__name(obj), NULL));
			free(m);
			goto done;
		}
	}
	name = kube__name(obj);
	gen = ikc_json_str(kube__meta(obj), "generateName");
	if ((!name || !*name) && gen && *gen) {
		char sfx[8], *full;

		kube__rand_suffix(sfx, 5);
		full = ikc_asprintf("%s%s", gen, sfx);
		json_object_object_add(kube__meta(obj), "name",
				       json_object_new_string(full ? full : gen));
		free(full);
		name = kube__name(obj);
	}
	if (!name || !*name) {
		causes = json_object_new_array();
		{
			json_object *c = json_object_new_object();

			json_object_object_add(c, "reason",
					       json_object_new_string("FieldValueRequired"));
			json_object_object_add(c, "message", json_object_new_string(
								     "name or generateName is required"));
			json_object_object_add(c, "field",
					       json_object_new_string("metadata.name"));
			json_object_array_add(causes, c);
		}
		err_invalid(r, "", causes);
		goto done;
	}
	if (lookup(r, name)) {
		err_exists(r, name);
		goto done;
	}
	scrub(obj);
	set_kind(r, obj);
	if (kube__stamp(obj) < 0) {
		err_bad(r, "cannot generate uid");
		goto done;
	}
	if (r->sk->flags & KUBE_GEN)
		json_object_object_add(kube__meta(obj), "generation",
				       json_object_new_int(1));
	kube__defaults(r->k, r->sk, obj);
	if (strcmp(r->sk->kind, "Pod") == 0)
		kube__pod_admit(obj);
	if (strcmp(r->sk->kind, "Service") == 0)
		kube__service_alloc(r->k, obj, NULL);
	if (strcmp(r->sk->kind, "Node") != 0) {
		st = kube__initial_status(r->sk, obj);
		if (st)
			json_object_object_add(obj, "status", st);
		else
			json_object_object_del(obj, "status");
	}
	causes = kube__validate(r->k, r->sk, obj, NULL);
	if (causes) {
		err_invalid(r, name, causes);
		goto done;
	}
	manage(r, obj, NULL, NULL);
	if (r->dry_run) {
		json_object *s = served(r, obj);

		respond(r->resp, 201, s);
		goto done;
	}
	o = kube__put(r->k, r->sk, obj);
	obj = NULL;
	if (!o) {
		err_bad(r, "out of memory");
		goto done;
	}
	respond_obj(r, 201, o);
	if (strcmp(r->sk->kind, "Namespace") == 0)
		kube__namespace_populate(r->k, name);
done:
	json_object_put(obj);
}

/* Which part of an object an update writes. */
enum upd_mode { UPD_MAIN, UPD_STATUS };

/*
 * Stores `nobj` (owned) as the new version of `o`.  Answers the request.
 * Enforces name/namespace, resourceVersion, immutability, defaults,
 * validation and generation.
 */
static void apply_update(rq *r, kube_obj *o, json_object *nobj,
			 enum upd_mode mode, int answer_scale)
{
	json_object *old = o->obj, *m, *om, *causes, *ospec, *nspec;
	const char *bname, *brv, *orv;
	const char *keep[] = {"uid", "creationTimestamp", "deletionTimestamp",
			      "deletionGracePeriodSeconds", "generation"};
	size_t i;
	char rvbuf[32];

	if (shape_check(r, nobj) < 0) {
		json_object_put(nobj);
		return;
	}
	if (mode == UPD_MAIN && !answer_scale && field_check(r, nobj) < 0) {
		json_object_put(nobj);
		return;
	}
	if (r->kd != r->sk && strcmp(r->kd->kind, "HorizontalPodAutoscaler") == 0)
		hpa_from_v1(nobj);
	m = kube__meta(nobj);
	om = kube__meta(old);
	bname = ikc_json_str(m, "name");
	if (bname && strcmp(bname, r->name) != 0) {
		char *msg = ikc_asprintf("the name of the object (%s) does not match "
					 "the name on the URL (%s)", bname, r->name);

		err_bad(r, msg ? msg : "name mismatch");
		free(msg);
		json_object_put(nobj);
		return;
	}
	if (ns_check(r, nobj) < 0) {
		json_object_put(nobj);
		return;
	}
	brv = ikc_json_str(m, "resourceVersion");
	orv = ikc_json_str(om, "resourceVersion");
	if (brv && *brv && orv && strcmp(brv, orv) != 0) {
		err_conflict(r, r->name);
		json_object_put(nobj);
		return;
	}
	if (mode == UPD_STATUS) {
		json_object *copy = ikc_json_copy(old);
		json_object *st = NULL;

		if (json_object_object_get_ex(nobj, "status", &st))
			json_object_object_add(copy, "status", ikc_json_copy(st));
		json_object_put(nobj);
		nobj = copy;
		m = kube__meta(nobj);
	} else {
		json_object *st = NULL;

		json_object_object_add(m, "name", json_object_new_string(r->name));
		set_kind(r, nobj);
		if (json_object_object_get_ex(old, "status", &st))
			json_object_object_add(nobj, "status", ikc_json_copy(st));
		else
			json_object_object_del(nobj, "status");
		for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
			json_object *v = NULL;

			if (json_object_object_get_ex(om, keep[i], &v))
				json_object_object_add(m, keep[i], ikc_json_copy(v));
			else
				json_object_object_del(m, keep[i]);
		}
		/* managedFields are the server's: carried over, then updated below */
		json_object_object_del(m, "managedFields");
		if (json_object_object_get_ex(om, "managedFields", &st))
			json_object_object_add(m, "managedFields", ikc_json_copy(st));
		json_object_object_del(m, "selfLink");
		kube__defaults(r->k, r->sk, nobj);
		if (strcmp(r->sk->kind, "Service") == 0)
			kube__service_alloc(r->k, nobj, old);
		if (strcmp(r->sk->kind, "Pod") == 0) {
			const char *node = ikc_json_str(ikc_json_path(old, "spec"),
							"nodeName");

			if (node && ikc_json_path(nobj, "spec"))
				json_object_object_add(ikc_json_path(nobj, "spec"),
						       "nodeName",
						       json_object_new_string(node));
		}
		causes = kube__validate(r->k, r->sk, nobj, old);
		if (causes) {
			err_invalid(r, r->name, causes);
			json_object_put(nobj);
			return;
		}
		ospec = ikc_json_path(old, "spec");
		nspec = ikc_json_path(nobj, "spec");
		if ((r->sk->flags & KUBE_GEN) && !json_object_equal(ospec, nspec))
			json_object_object_add(m, "generation", json_object_new_int64(
								kube__int(old, "metadata.generation",
									  0) + 1));
	}
	/* A no-op write changes nothing, not even the resourceVersion. */
	json_object_object_add(m, "resourceVersion",
			       json_object_new_string(orv ? orv : ""));
	if (json_object_equal(nobj, old)) {
		json_object_put(nobj);
		if (!answer_scale)
			respond_obj(r, 200, o);
		return;
	}
	manage(r, nobj, old, answer_scale ? "scale" : mode == UPD_STATUS ? "status" : NULL);
	if (r->dry_run) {
		if (!answer_scale)
			respond(r->resp, 200, served(r, nobj));
		json_object_put(nobj);
		return;
	}
	/*
	 * Emptying the finalizers of an object being deleted removes it (a
	 * Namespace instead waits for its spec finalizer: the controller).
	 */
	if (ikc_json_str(m, "deletionTimestamp") &&
	    strcmp(r->sk->kind, "Namespace") != 0) {
		json_object *fin = NULL;

		if (!json_object_object_get_ex(m, "finalizers", &fin) || !fin ||
		    kube__len(fin) == 0) {
			json_object *s = served(r, nobj);

			snprintf(rvbuf, sizeof(rvbuf), "%llu", r->k->rv + 1);
			json_object_object_add(kube__meta(s), "resourceVersion",
					       json_object_new_string(rvbuf));
			json_object_put(nobj);
			kube__remove(r->k, o);
			if (!answer_scale)
				respond(r->resp, 200, s);
			else
				json_object_put(s);
			return;
		}
	}
	o = kube__put(r->k, r->sk, nobj);
	if (!o) {
		err_bad(r, "out of memory");
		return;
	}
	if (!answer_scale)
		respond_obj(r, 200, o);
}

static void do_update(rq *r, enum upd_mode mode)
{
	kube_obj *o = lookup(r, r->name);
	json_object *obj;

	if (!o) {
		err_not_found(r, r->kd, r->name);
		return;
	}
	obj = parse_body(r);
	if (!obj)
		return;
	apply_update(r, o, obj, mode, 0);
}

/* ---- scale ---- */

static json_object *scale_of(rq *r, kube_obj *o)
{
	json_object *s = json_object_new_object();
	json_object *m = json_object_new_object();
	json_object *spec = json_object_new_object();
	json_object *st = json_object_new_object();
	json_object *om = kube__meta(o->obj);
	const char *keys[] = {"name", "namespace", "uid", "resourceVersion",
			      "creationTimestamp"};
	char *sel;
	size_t i;

	(void)r;
	json_object_object_add(s, "kind", json_object_new_string("Scale"));
	json_object_object_add(s, "apiVersion", json_object_new_string("autoscaling/v1"));
	for (i = 0; i < 5; i++) {
		json_object *v = NULL;

		if (json_object_object_get_ex(om, keys[i], &v))
			json_object_object_add(m, keys[i], ikc_json_copy(v));
	}
	json_object_object_add(s, "metadata", m);
	json_object_object_add(spec, "replicas", json_object_new_int64(
							 kube__int(o->obj, "spec.replicas", 0)));
	json_object_object_add(s, "spec", spec);
	json_object_object_add(st, "replicas", json_object_new_int64(
						       kube__int(o->obj, "status.replicas", 0)));
	sel = kube__selector_string(ikc_json_path(o->obj, "spec.selector"));
	json_object_object_add(st, "selector", json_object_new_string(sel ? sel : ""));
	free(sel);
	json_object_object_add(s, "status", st);
	return s;
}

static void scale_write(rq *r, kube_obj *o, json_object *scale)
{
	json_object *nobj, *rep;
	const char *brv = ikc_json_str(kube__meta(scale), "resourceVersion");
	const char *orv = ikc_json_str(kube__meta(o->obj), "resourceVersion");
	const char *uid;
	kube_obj *after;

	rep = ikc_json_path(scale, "spec.replicas");
	if (brv && *brv && orv && strcmp(brv, orv) != 0) {
		err_conflict(r, r->name);
		return;
	}
	if (!rep || !json_object_is_type(rep, json_type_int) ||
	    json_object_get_int64(rep) < 0 ||
	    json_object_get_int64(rep) > 2147483647LL) {
		json_object *causes = json_object_new_array();
		json_object *c = json_object_new_object();
		char *msg = ikc_asprintf("Invalid value: %s: must be greater than or "
					 "equal to 0", rep ? json_object_to_json_string(rep)
							   : "null");

		json_object_object_add(c, "reason", json_object_new_string("FieldValueInvalid"));
		json_object_object_add(c, "message", json_object_new_string(msg ? msg : ""));
		json_object_object_add(c, "field", json_object_new_string("spec.replicas"));
		json_object_array_add(causes, c);
		free(msg);
		{
			const kube_kind *save = r->kd;
			static const kube_kind scale_kind = {"autoscaling", "v1", "Scale",
							     "scale", "scale", NULL, 0,
							     "scale"};

			r->kd = &scale_kind;
			err_invalid(r, r->name, causes);
			r->kd = save;
		}
		return;
	}
	nobj = ikc_json_copy(o->obj);
	json_object_object_add(ikc_json_path(nobj, "spec"), "replicas",
			       json_object_new_int64(json_object_get_int64(rep)));
	uid = ikc_json_str(kube__meta(o->obj), "uid");
	{
		char *u = uid ? strdup(uid) : NULL;
		const kube_kind *save = r->kd;

		r->kd = r->sk;
		apply_update(r, o, nobj, UPD_MAIN, 1);
		r->kd = save;
		if (r->resp->body) {   /* apply_update answered with an error */
			free(u);
			return;
		}
		after = lookup(r, r->name);
		if (after)
			respond(r->resp, 200, scale_of(r, after));
		else
			err_not_found(r, r->kd, r->name);
		free(u);
	}
}

/* ---- patch ---- */

static char *content_type(rq *r)
{
	const char *ct = hdr(r, "Content-Type");
	char *out, *semi;

	if (!ct)
		return strdup("");
	out = strdup(ct);
	if (!out)
		return NULL;
	semi = strchr(out, ';');
	if (semi)
		*semi = '\0';
	while (*out && out[strlen(out) - 1] == ' ')
		out[strlen(out) - 1] = '\0';
	return out;
}

/* Applies the request's patch to `base` (owned); returns the result or NULL. */
static json_object *patch_doc(rq *r, json_object *base, const char *ct)
{
	json_object *patch = parse_body(r);
	char *err = NULL;

	if (!patch) {
		json_object_put(base);
		return NULL;
	}
	if (strcmp(ct, "application/merge-patch+json") == 0) {
		if (!json_object_is_type(patch, json_type_object)) {
			err_bad(r, "merge patch must be a JSON object");
			json_object_put(base);
			base = NULL;
		} else {
			base = kube__merge_patch(base, patch);
		}
	} else if (strcmp(ct, "application/json-patch+json") == 0) {
		if (kube__json_patch(&base, patch, &err) < 0) {
			status_fail(r->resp, 422, "Invalid", err ? err : "bad json patch",
				    NULL);
			json_object_put(base);
			base = NULL;
		}
	} else {
		/* strategic merge patch, and our simple server-side apply */
		if (kube__smp(base, patch, r->sk, &err) < 0) {
			err_bad(r, err ? err : "bad strategic merge patch");
			json_object_put(base);
			base = NULL;
		}
	}
	free(err);
	json_object_put(patch);
	return base;
}

static void do_patch(rq *r)
{
	char *ct = content_type(r);
	kube_obj *o;
	json_object *base, *res;

	if (!ct) {
		err_bad(r, "out of memory");
		return;
	}
	if (strcmp(ct, "application/merge-patch+json") != 0 &&
	    strcmp(ct, "application/json-patch+json") != 0 &&
	    strcmp(ct, "application/strategic-merge-patch+json") != 0 &&
	    strcmp(ct, "application/apply-patch+yaml") != 0) {
		char *m = ikc_asprintf("the body of the request was in an unknown "
				       "format - accepted media types include: "
				       "application/json-patch+json, "
				       "application/merge-patch+json, "
				       "application/apply-patch+yaml, "
				       "application/strategic-merge-patch+json");

		status_fail(r->resp, 415, "UnsupportedMediaType", m ? m : "", NULL);
		free(m);
		free(ct);
		return;
	}
	if (strcmp(ct, "application/apply-patch+yaml") == 0) {
		/* our server-side apply takes the JSON form kubectl sends */
		size_t i = 0;

		while (r->req->body && i < r->req->body_len &&
		       strchr(" \t\r\n", r->req->body[i]))
			i++;
		if (!r->req->body || i == r->req->body_len || r->req->body[i] != '{') {
			status_fail(r->resp, 415, "UnsupportedMediaType",
				    "this server accepts application/apply-patch+yaml "
				    "only in its JSON form (a JSON object)", NULL);
			free(ct);
			return;
		}
	}
	r->apply_patch = strcmp(ct, "application/apply-patch+yaml") == 0;
	o = lookup(r, r->name);
	if (!o) {
		if (strcmp(ct, "application/apply-patch+yaml") == 0 && !r->sub) {
			/* server-side apply of a new object is a create */
			free(ct);
			do_create(r);
			return;
		}
		err_not_found(r, r->kd, r->name);
		free(ct);
		return;
	}
	if (r->sub && strcmp(r->sub, "scale") == 0) {
		res = patch_doc(r, scale_of(r, o), ct);
		if (res)
			scale_write(r, o, res);
		json_object_put(res);
		free(ct);
		return;
	}
	base = served(r, o->obj);
	res = patch_doc(r, base, ct);
	free(ct);
	if (!res)
		return;
	apply_update(r, o, res, r->sub && strcmp(r->sub, "status") == 0
					? UPD_STATUS
					: UPD_MAIN, 0);
}

/* ---- delete ---- */

static int deletes_return_object(const kube_kind *kd)
{
	return strcmp(kd->kind, "Pod") == 0 || strcmp(kd->kind, "Service") == 0 ||
	       strcmp(kd->kind, "Namespace") == 0 || strcmp(kd->kind, "Node") == 0;
}

static void do_delete(rq *r)
{
	kube_obj *o = lookup(r, r->name);
	json_object *opts = NULL;
	const char *policy = q(r, "propagationPolicy");
	const char *puid = NULL, *prv = NULL;
	char *uid = NULL;
	json_object *snapshot = NULL;

	if (!o) {
		err_not_found(r, r->kd, r->name);
		return;
	}
	if (r->req->body && r->req->body_len > 0) {
		if (ikc_json_parse(&opts, r->req->body, r->req->body_len,
				   "DeleteOptions") < 0) {
			err_bad(r, ikc_error_last());
			return;
		}
		if (ikc_json_str(opts, "propagationPolicy"))
			policy = ikc_json_str(opts, "propagationPolicy");
		if (ikc_json_path(opts, "orphanDependents") &&
		    json_object_get_boolean(ikc_json_path(opts, "orphanDependents")))
			policy = "Orphan";
		puid = ikc_json_str(ikc_json_path(opts, "preconditions"), "uid");
		prv = ikc_json_str(ikc_json_path(opts, "preconditions"),
				   "resourceVersion");
		if (ikc_json_path(opts, "dryRun"))
			r->dry_run = 1;
	}
	if (policy && strcmp(policy, "Orphan") != 0 &&
	    strcmp(policy, "Background") != 0 && strcmp(policy, "Foreground") != 0) {
		err_bad(r, "propagationPolicy must be Orphan, Background or Foreground");
		goto done;
	}
	if ((puid && strcmp(puid, ikc_json_str(kube__meta(o->obj), "uid")) != 0) ||
	    (prv && strcmp(prv, ikc_json_str(kube__meta(o->obj),
					      "resourceVersion")) != 0)) {
		err_conflict(r, r->name);
		goto done;
	}
	if (!policy)
		policy = strcmp(r->sk->kind, "ReplicationController") == 0 ? "Orphan"
									   : "Background";
	uid = strdup(ikc_json_str(kube__meta(o->obj), "uid"));
	if (r->dry_run) {
		respond_obj(r, 200, o);
		goto done;
	}
	if (strcmp(r->sk->kind, "Namespace") == 0 &&
	    (strcmp(r->name, "default") == 0 || strcmp(r->name, "kube-system") == 0 ||
	     strcmp(r->name, "kube-public") == 0)) {
		char *m = ikc_asprintf("namespaces \"%s\" is forbidden: this namespace "
				       "may not be deleted", r->name);

		status_fail(r->resp, 403, "Forbidden", m ? m : "forbidden",
			    details(r->kd, r->name, NULL));
		free(m);
		goto done;
	}
	if (strcmp(r->sk->kind, "Namespace") == 0) {
		json_object *copy = ikc_json_copy(o->obj);
		char ts[32];

		if (!ikc_json_path(copy, "metadata.deletionTimestamp")) {
			kube__now_rfc3339(ts);
			json_object_object_add(kube__meta(copy), "deletionTimestamp",
					       json_object_new_string(ts));
		}
		kube__set(copy, "status.phase", json_object_new_string("Terminating"));
		o = kube__put(r->k, r->sk, copy);
		if (o) {
			o->due = 0;
			respond_obj(r, 200, o);
		}
		goto done;
	}
	snapshot = served(r, o->obj);
	kube__delete_obj(r->k, o, policy);
	o = lookup(r, r->name);
	if (o) {   /* kept by finalizers */
		respond_obj(r, 200, o);
		goto done;
	}
	if (deletes_return_object(r->sk)) {
		respond(r->resp, 200, snapshot);
		snapshot = NULL;
	} else {
		json_object *st = json_object_new_object();
		json_object *d = details(r->kd, r->name, NULL);

		json_object_object_add(d, "uid", json_object_new_string(uid ? uid : ""));
		json_object_object_add(st, "kind", json_object_new_string("Status"));
		json_object_object_add(st, "apiVersion", json_object_new_string("v1"));
		json_object_object_add(st, "metadata", json_object_new_object());
		json_object_object_add(st, "status", json_object_new_string("Success"));
		json_object_object_add(st, "details", d);
		respond(r->resp, 200, st);
	}
done:
	json_object_put(snapshot);
	json_object_put(opts);
	free(uid);
}

/* ---- list and watch ---- */

static int parse_selectors(rq *r, kube_selector **ls, kube_selector **fs)
{
	char *err = NULL;
	const char *l = q(r, "labelSelector"), *f = q(r, "fieldSelector");

	*ls = NULL;
	*fs = NULL;
	if (l && *l) {
		*ls = kube__selector_parse(l, &err);
		if (!*ls) {
			char *m = ikc_asprintf("unable to parse requirement: %s",
					       err ? err : "");

			err_bad(r, m ? m : "bad selector");
			free(m);
			free(err);
			return -1;
		}
	}
	if (f && *f) {
		*fs = kube__field_selector_parse(f, &err);
		if (!*fs) {
			char *m = ikc_asprintf("invalid field selector: %s", err ? err : "");

			err_bad(r, m ? m : "bad selector");
			free(m);
			free(err);
			kube__selector_free(*ls);
			*ls = NULL;
			return -1;
		}
	}
	return 0;
}

static int matches(kube_selector *ls, kube_selector *fs, json_object *obj)
{
	return kube__selector_labels(ls, ikc_json_path(obj, "metadata.labels")) &&
	       kube__selector_fields(fs, obj);
}

typedef struct watch_ctx {
	struct sim_kube *k;
	const char *store;
	char *ns;
	kube_selector *ls, *fs;
	unsigned long long cursor;
	ikc_buf pending;
	size_t off;
	double deadline;
	int ended;
	const kube_kind *kd;     /* served kind, for tables */
	int table;               /* kubectl get -w: each object as a Table */
} watch_ctx;

static void watch_line(ikc_buf *b, const char *type, const char *json)
{
	(void)ikc_buf_printf(b, "{\"type\":\"%s\",\"object\":%s}\n", type, json);
}

/* One event line for `obj`; `json` is its cached text when at hand. */
static void watch_event(watch_ctx *w, const char *type, json_object *obj,
			const char *json)
{
	json_object *t;

	if (!w->table) {
		watch_line(&w->pending, type, json ? json
					      : json_object_to_json_string_ext(obj, SER_FLAGS));
		return;
	}
	t = kube__table(w->kd, &obj, 1, NULL, 0);
	watch_line(&w->pending, type, json_object_to_json_string_ext(t, SER_FLAGS));
	json_object_put(t);
}

static ssize_t watch_stream(void *vctx, char *buf, size_t max)
{
	watch_ctx *w = vctx;
	size_t n;

	if (w->off >= w->pending.len && !w->ended) {
		struct sim_kube *k = w->k;
		size_t i;

		ikc_buf_clear(&w->pending);
		w->off = 0;
		pthread_mutex_lock(&k->mu);
		if (k->dead) {
			w->ended = 1;
		} else if (k->ev_count > 0 &&
			   k->events[k->ev_start].rv > w->cursor + 1 &&
			   w->cursor < k->rv) {
			/* Events we would need are gone: tell the client to relist. */
			(void)ikc_buf_puts(&w->pending,
					   "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\","
					   "\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
					   "\"Failure\",\"message\":\"too old resource version\","
					   "\"reason\":\"Expired\",\"code\":410}}\n");
			w->ended = 1;
		} else {
			for (i = 0; i < k->ev_count; i++) {
				kube_event *e = &k->events[(k->ev_start + i) % KUBE_EVENTS_MAX];
				if (e->rv <= w->cursor)
					continue;
				w->cursor = e->rv;
				if (strcmp(e->store, w->store) != 0)
					continue;
				if (w->ns && strcmp(e->ns, w->ns) != 0)
					continue;
				if (!matches(w->ls, w->fs, e->obj))
					continue;
				watch_event(w, e->type, e->obj, NULL);
			}
			if (k->rv > w->cursor)
				w->cursor = k->rv;
		}
		pthread_mutex_unlock(&k->mu);
	}
	if (w->off < w->pending.len) {
		n = w->pending.len - w->off;
		if (n > max)
			n = max;
		memcpy(buf, w->pending.ptr + w->off, n);
		w->off += n;
		return (ssize_t)n;
	}
	if (w->ended || ikc_time_monotonic() >= w->deadline)
		return -1;
	return 0;
}

static void watch_free(void *vctx)
{
	watch_ctx *w = vctx;

	if (!w)
		return;
	pthread_mutex_lock(&w->k->mu);
	kube__unref_locked(w->k);
	kube__selector_free(w->ls);
	kube__selector_free(w->fs);
	ikc_buf_dispose(&w->pending);
	free(w->ns);
	free(w);
}

static void do_watch(rq *r, kube_selector *ls, kube_selector *fs)
{
	watch_ctx *w = calloc(1, sizeof(*w));
	const char *rvq = q(r, "resourceVersion");
	const char *to = q(r, "timeoutSeconds");
	unsigned long long since = rvq ? strtoull(rvq, NULL, 10) : 0;
	double secs = WATCH_DEFAULT_SECONDS;
	size_t n, i;
	kube_obj **all;

	if (!w) {
		kube__selector_free(ls);
		kube__selector_free(fs);
		err_bad(r, "out of memory");
		return;
	}
	if (to && *to) {
		secs = strtod(to, NULL);
		if (secs <= 0)
			secs = WATCH_DEFAULT_SECONDS;
	}
	w->k = r->k;
	w->store = r->sk->store;
	w->ns = r->ns ? strdup(r->ns) : NULL;
	w->ls = ls;
	w->fs = fs;
	w->pending.max = (size_t)256 << 20;
	w->deadline = ikc_time_monotonic() + secs;
	w->kd = r->kd;
	w->table = wants_table(r);
	all = kube__list(r->k, r->sk->store, r->ns, &n);
	for (i = 0; all && i < n; i++)
		if (all[i]->rv > since && matches(ls, fs, all[i]->obj))
			watch_event(w, "ADDED", all[i]->obj, all[i]->json);
	free(all);
	w->cursor = r->k->rv;
	r->k->refs++;
	r->resp->status = 200;
	r->resp->stream = watch_stream;
	r->resp->stream_ctx = w;
	r->resp->stream_free = watch_free;
}

static void do_list(rq *r)
{
	kube_selector *ls = NULL, *fs = NULL;
	kube_obj **all;
	size_t n, i, m = 0;
	char *av;
	ikc_buf b = IKC_BUF_INIT((size_t)512 << 20);

	if (parse_selectors(r, &ls, &fs) < 0)
		return;
	if (is_true(q(r, "watch"))) {
		do_watch(r, ls, fs);
		return;
	}
	all = kube__list(r->k, r->sk->store, r->ns, &n);
	for (i = 0; all && i < n; i++)
		if (matches(ls, fs, all[i]->obj))
			all[m++] = all[i];
	if (wants_table(r)) {
		json_object **objs = calloc(m + 1, sizeof(*objs));

		for (i = 0; objs && i < m; i++)
			objs[i] = served(r, all[i]->obj);
		respond_table(r, objs, objs ? m : 0, 200);
		for (i = 0; objs && i < m; i++)
			json_object_put(objs[i]);
		free(objs);
	} else {
		av = kube__api_version(r->kd);
		(void)ikc_buf_printf(&b, "{\"kind\":\"%sList\",\"apiVersion\":\"%s\","
				     "\"metadata\":{\"resourceVersion\":\"%llu\"},"
				     "\"items\":[", r->kd->kind, av, r->k->rv);
		free(av);
		for (i = 0; all && i < m; i++) {
			char *s = served_text(r, all[i]);

			(void)ikc_buf_printf(&b, "%s%s", i ? "," : "", s ? s : "{}");
			free(s);
		}
		(void)ikc_buf_puts(&b, "]}");
		set_body(r->resp, 200, ikc_buf_detach(&b));
	}
	free(all);
	kube__selector_free(ls);
	kube__selector_free(fs);
}

static void do_delete_collection(rq *r)
{
	kube_selector *ls = NULL, *fs = NULL;
	kube_obj **all;
	size_t n, i;
	json_object *out, *items;
	char *av;

	if (parse_selectors(r, &ls, &fs) < 0)
		return;
	all = kube__list(r->k, r->sk->store, r->ns, &n);
	out = json_object_new_object();
	items = json_object_new_array();
	av = kube__api_version(r->kd);
	{
		char *lk = ikc_asprintf("%sList", r->kd->kind);

		json_object_object_add(out, "kind", json_object_new_string(lk ? lk : ""));
		free(lk);
	}
	json_object_object_add(out, "apiVersion", json_object_new_string(av));
	free(av);
	json_object_object_add(out, "metadata", json_object_new_object());
	for (i = 0; all && i < n; i++) {
		if (!matches(ls, fs, all[i]->obj))
			continue;
		json_object_array_add(items, served(r, all[i]->obj));
		if (!r->dry_run)
			kube__delete_obj(r->k, all[i], "Background");
	}
	json_object_object_add(out, "items", items);
	free(all);
	kube__selector_free(ls);
	kube__selector_free(fs);
	respond(r->resp, 200, out);
}

/* ---- routing ---- */

static void not_allowed(rq *r)
{
	status_fail(r->resp, 405, "MethodNotAllowed",
		    "the server does not allow this method on the requested resource",
		    NULL);
}

static void not_found_path(sim_response *resp)
{
	status_fail(resp, 404, "NotFound",
		    "the server could not find the requested resource",
		    json_object_new_object());
}

static const char *first_container(json_object *pod)
{
	json_object *cs = ikc_json_path(pod, "spec.containers");
	const char *n = NULL;

	if (cs && json_object_is_type(cs, json_type_array) &&
	    kube__len(cs) > 0)
		n = ikc_json_str(json_object_array_get_idx(cs, 0), "name");
	return n ? n : "";
}

static void pod_log(rq *r)
{
	kube_obj *o = lookup(r, r->name);
	const char *phase;

	if (!o) {
		err_not_found(r, r->kd, r->name);
		return;
	}
	phase = ikc_json_str(ikc_json_path(o->obj, "status"), "phase");
	if (!phase || strcmp(phase, "Running") != 0) {
		char *m = ikc_asprintf("container \"%s\" in pod \"%s\" is waiting to "
				       "start: ContainerCreating",
				       first_container(o->obj), r->name);

		err_bad(r, m ? m : "not running");
		free(m);
		return;
	}
	r->resp->content_type = strdup("text/plain");
	set_body(r->resp, 200, ikc_asprintf("%s: simulated container started\n",
					    r->name));
}

/* POST and PUT bodies are JSON; anything else declared is refused (415). */
static int body_type_ok(rq *r)
{
	const char *m = r->req->method;
	const char *ct = hdr(r, "Content-Type");

	if (strcmp(m, "POST") != 0 && strcmp(m, "PUT") != 0)
		return 1;
	if (!ct || !*ct || strstr(ct, "json"))
		return 1;
	status_fail(r->resp, 415, "UnsupportedMediaType",
		    "the body of the request was in an unknown format - accepted "
		    "media types include: application/json", NULL);
	return 0;
}

static void dispatch(rq *r)
{
	const char *m = r->req->method;

	if (!body_type_ok(r))
		return;

	if (r->sub) {
		if (strcmp(r->sub, "status") == 0 && (r->sk->flags & KUBE_STATUS)) {
			if (strcmp(m, "GET") == 0)
				do_get(r);
			else if (strcmp(m, "PUT") == 0)
				do_update(r, UPD_STATUS);
			else if (strcmp(m, "PATCH") == 0)
				do_patch(r);
			else
				not_allowed(r);
			return;
		}
		if (strcmp(r->sub, "scale") == 0 && (r->sk->flags & KUBE_SCALE)) {
			kube_obj *o = lookup(r, r->name);

			if (!o) {
				err_not_found(r, r->kd, r->name);
			} else if (strcmp(m, "GET") == 0) {
				respond(r->resp, 200, scale_of(r, o));
			} else if (strcmp(m, "PUT") == 0) {
				json_object *s = parse_body(r);

				if (s)
					scale_write(r, o, s);
				json_object_put(s);
			} else if (strcmp(m, "PATCH") == 0) {
				do_patch(r);
			} else {
				not_allowed(r);
			}
			return;
		}
		if (strcmp(r->sub, "log") == 0 && strcmp(r->sk->kind, "Pod") == 0 &&
		    strcmp(m, "GET") == 0) {
			pod_log(r);
			return;
		}
		not_found_path(r->resp);
		return;
	}
	if (!r->name) {
		if (strcmp(m, "GET") == 0)
			do_list(r);
		else if (strcmp(m, "POST") == 0 && (r->ns || !(r->sk->flags & KUBE_NAMESPACED)))
			do_create(r);
		else if (strcmp(m, "DELETE") == 0 && strcmp(r->sk->kind, "Namespace") != 0)
			do_delete_collection(r);
		else
			not_allowed(r);
		return;
	}
	if (strcmp(m, "GET") == 0)
		do_get(r);
	else if (strcmp(m, "PUT") == 0)
		do_update(r, UPD_MAIN);
	else if (strcmp(m, "PATCH") == 0)
		do_patch(r);
	else if (strcmp(m, "DELETE") == 0)
		do_delete(r);
	else
		not_allowed(r);
}

/* Splits a path into at most `max` segments (owned copies in one buffer). */
static size_t split(char *path, char **segs, size_t max)
{
	size_t n = 0;
	char *p = path;

	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		if (n == max)
			return max + 1;
		segs[n++] = p;
		while (*p && *p != '/')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static void route(struct sim_kube *k, const sim_request *req, sim_response *resp)
{
	char *path = strdup(req->path);
	char *s[8];
	size_t n, base;
	const char *group, *version;
	rq r;

	memset(&r, 0, sizeof(r));
	r.k = k;
	r.req = req;
	r.resp = resp;
	if (!path) {
		not_found_path(resp);
		return;
	}
	n = split(path, s, 8);
	if (n > 8 || n < 3) {
		not_found_path(resp);
		goto done;
	}
	if (strcmp(s[0], "api") == 0) {
		group = "";
		version = s[1];
		base = 2;
	} else if (strcmp(s[0], "apis") == 0 && n >= 4) {
		group = s[1];
		version = s[2];
		base = 3;
	} else {
		not_found_path(resp);
		goto done;
	}
	n -= base;
	/* namespaces/NS/RES[/NAME[/SUB]] unless it is namespaces/NAME/status */
	if (n >= 3 && strcmp(s[base], "namespaces") == 0 &&
	    !(n == 3 && (strcmp(s[base + 2], "status") == 0 ||
			 strcmp(s[base + 2], "finalize") == 0) &&
	      !kube__kind_find(group, version, s[base + 2]))) {
		r.ns = strdup(s[base + 1]);
		r.kd = kube__kind_find(group, version, s[base + 2]);
		if (!r.kd || !(r.kd->flags & KUBE_NAMESPACED) || n > 5) {
			not_found_path(resp);
			goto done;
		}
		if (n >= 4)
			r.name = strdup(s[base + 3]);
		if (n == 5)
			r.sub = strdup(s[base + 4]);
	} else {
		r.kd = kube__kind_find(group, version, s[base]);
		if (!r.kd || n > 3) {
			not_found_path(resp);
			goto done;
		}
		if (n >= 2) {
			if (r.kd->flags & KUBE_NAMESPACED) {
				not_found_path(resp);
				goto done;
			}
			r.name = strdup(s[base + 1]);
		}
		if (n == 3)
			r.sub = strdup(s[base + 2]);
	}
	r.sk = kube__kind_by_store(r.kd->store);
	r.dry_run = q(&r, "dryRun") && strcmp(q(&r, "dryRun"), "All") == 0;
	dispatch(&r);
done:
	free(r.ns);
	free(r.name);
	free(r.sub);
	free(path);
}

void sim_kube_handle(sim_kube *k, const sim_request *req, sim_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (!k || !req || !req->path || !req->method) {
		status_fail(resp, 400, "BadRequest", "bad request", NULL);
		return;
	}
	pthread_mutex_lock(&k->mu);
	if (!kube__discovery(k, req, resp))
		route(k, req, resp);
	pthread_mutex_unlock(&k->mu);
	if (!resp->status)
		resp->status = 500;
}

void sim_kube_tick(sim_kube *k, double now)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	if (now > k->now)
		k->now = now;
	kube__reconcile(k);
	pthread_mutex_unlock(&k->mu);
}
