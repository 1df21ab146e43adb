/* kinds.c - the resource types a cluster serves: discovery, OpenAPI, tables */
#include "sim/kube/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/json.h"
#include "util/str.h"

#define NS KUBE_NAMESPACED

static const kube_kind kinds[] = {
	{"", "v1", "Namespace", "namespaces", "namespace", "ns", KUBE_STATUS,
	 "namespaces"},
	{"", "v1", "Node", "nodes", "node", "no", KUBE_STATUS, "nodes"},
	{"", "v1", "Pod", "pods", "pod", "po", NS | KUBE_STATUS | KUBE_ALL,
	 "pods"},
	{"", "v1", "ReplicationController", "replicationcontrollers",
	 "replicationcontroller", "rc",
	 NS | KUBE_GEN | KUBE_SCALE | KUBE_STATUS | KUBE_ALL,
	 "replicationcontrollers"},
	{"", "v1", "Service", "services", "service", "svc",
	 NS | KUBE_STATUS | KUBE_ALL, "services"},
	{"", "v1", "ConfigMap", "configmaps", "configmap", "cm", NS,
	 "configmaps"},
	{"", "v1", "Secret", "secrets", "secret", NULL, NS, "secrets"},
	{"", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", "sa",
	 NS, "serviceaccounts"},
	{"", "v1", "Event", "events", "event", "ev", NS, "events"},
	{"", "v1", "Endpoints", "endpoints", "endpoints", "ep", NS, "endpoints"},
	{"apps", "v1", "Deployment", "deployments", "deployment", "deploy",
	 NS | KUBE_GEN | KUBE_SCALE | KUBE_STATUS | KUBE_ALL,
	 "deployments.apps"},
	{"apps", "v1", "ReplicaSet", "replicasets", "replicaset", "rs",
	 NS | KUBE_GEN | KUBE_SCALE | KUBE_STATUS | KUBE_ALL,
	 "replicasets.apps"},
	{"autoscaling", "v2", "HorizontalPodAutoscaler",
	 "horizontalpodautoscalers", "horizontalpodautoscaler", "hpa",
	 NS | KUBE_STATUS | KUBE_ALL, "horizontalpodautoscalers.autoscaling"},
	{"autoscaling", "v1", "HorizontalPodAutoscaler",
	 "horizontalpodautoscalers", "horizontalpodautoscaler", "hpa",
	 NS | KUBE_STATUS | KUBE_ALL, "horizontalpodautoscalers.autoscaling"},
	{"coordination.k8s.io", "v1", "Lease", "leases", "lease", NULL, NS,
	 "leases.coordination.k8s.io"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Groups in discovery order, with their served versions (preferred first). */
static const struct {
	const char *name;
	const char *versions[3];
} groups[] = {
	{"apps", {"v1", NULL, NULL}},
	{"autoscaling", {"v2", "v1", NULL}},
	{"coordination.k8s.io", {"v1", NULL, NULL}},
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

const kube_kind *kube__kind_find(const char *group, const char *version,
				 const char *plural)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].group, group) == 0 &&
		    strcmp(kinds[i].version, version) == 0 &&
		    strcmp(kinds[i].plural, plural) == 0)
			return &kinds[i];
	return NULL;
}

const kube_kind *kube__kind_by_store(const char *store)
{
	size_t i;

	if (!store)
		return NULL;
	for (i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].store, store) == 0)
			return &kinds[i];
	return NULL;
}

const kube_kind *kube__kind_by_kind(const char *kind)
{
	size_t i;

	if (!kind)
		return NULL;
	for (i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return &kinds[i];
	return NULL;
}

char *kube__api_version(const kube_kind *kd)
{
	if (!*kd->group)
		return ikc_asprintf("%s", kd->version);
	return ikc_asprintf("%s/%s", kd->group, kd->version);
}

static void answer(sim_response *resp, int status, json_object *body)
{
	const char *s = json_object_to_json_string_ext(
		body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	resp->status = status;
	resp->body = strdup(s ? s : "{}");
	resp->body_len = resp->body ? strlen(resp->body) : 0;
	json_object_put(body);
}

static json_object *strs(const char *const *list)
{
	json_object *a = json_object_new_array();

	for (; *list; list++)
		json_object_array_add(a, json_object_new_string(*list));
	return a;
}

static json_object *resource_entry(const kube_kind *kd, const char *sub)
{
	static const char *const all_verbs[] = {
		"create", "delete", "deletecollection", "get", "list", "patch",
		"update", "watch", NULL};
	static const char *const ns_verbs[] = {
		"create", "delete", "get", "list", "patch", "update", "watch",
		NULL};
	static const char *const sub_verbs[] = {"get", "patch", "update", NULL};
	static const char *const ro_verbs[] = {"get", "list", "watch", NULL};
	json_object *r = json_object_new_object();
	char *name = sub ? ikc_asprintf("%s/%s", kd->plural, sub)
			 : ikc_asprintf("%s", kd->plural);

	json_object_object_add(r, "name", json_object_new_string(name));
	free(name);
	json_object_object_add(r, "singularName",
			       json_object_new_string(sub ? "" : kd->singular));
	json_object_object_add(r, "namespaced",
			       json_object_new_boolean(kd->flags & NS));
	if (sub && strcmp(sub, "scale") == 0) {
		json_object_object_add(r, "group",
				       json_object_new_string("autoscaling"));
		json_object_object_add(r, "version", json_object_new_string("v1"));
		json_object_object_add(r, "kind", json_object_new_string("Scale"));
	} else {
		json_object_object_add(r, "kind", json_object_new_string(kd->kind));
	}
	if (sub)
		json_object_object_add(r, "verbs", strs(sub_verbs));
	else if (kd->flags & KUBE_LIST_ONLY)
		json_object_object_add(r, "verbs", strs(ro_verbs));
	else if (strcmp(kd->plural, "namespaces") == 0)
		json_object_object_add(r, "verbs", strs(ns_verbs));
	else
		json_object_object_add(r, "verbs", strs(all_verbs));
	if (!sub && kd->shortname) {
		json_object *sn = json_object_new_array();

		json_object_array_add(sn, json_object_new_string(kd->shortname));
		json_object_object_add(r, "shortNames", sn);
	}
	if (!sub && (kd->flags & KUBE_ALL)) {
		json_object *c = json_object_new_array();

		json_object_array_add(c, json_object_new_string("all"));
		json_object_object_add(r, "categories", c);
	}
	return r;
}

static json_object *resource_list(const char *group, const char *version)
{
	json_object *out = json_object_new_object();
	json_object *res = json_object_new_array();
	char *gv = *group ? ikc_asprintf("%s/%s", group, version)
			  : ikc_asprintf("%s", version);
	size_t i;

	json_object_object_add(out, "kind", json_object_new_string("APIResourceList"));
	json_object_object_add(out, "apiVersion", json_object_new_string("v1"));
	json_object_object_add(out, "groupVersion", json_object_new_string(gv));
	free(gv);
	for (i = 0; i < NKINDS; i++) {
		const kube_kind *kd = &kinds[i];

		if (strcmp(kd->group, group) != 0 || strcmp(kd->version, version) != 0)
			continue;
		json_object_array_add(res, resource_entry(kd, NULL));
		if (kd->flags & KUBE_SCALE)
			json_object_array_add(res, resource_entry(kd, "scale"));
		if (kd->flags & KUBE_STATUS)
			json_object_array_add(res, resource_entry(kd, "status"));
	}
	json_object_object_add(out, "resources", res);
	return out;
}

static json_object *gv_obj(const char *group, const char *version)
{
	json_object *o = json_object_new_object();
	char *gv = ikc_asprintf("%s/%s", group, version);

	json_object_object_add(o, "groupVersion", json_object_new_string(gv));
	json_object_object_add(o, "version", json_object_new_string(version));
	free(gv);
	return o;
}

static json_object *group_obj(size_t g)
{
	json_object *o = json_object_new_object();
	json_object *vs = json_object_new_array();
	size_t i;

	json_object_object_add(o, "name", json_object_new_string(groups[g].name));
	for (i = 0; i < 3 && groups[g].versions[i]; i++)
		json_object_array_add(vs, gv_obj(groups[g].name,
						 groups[g].versions[i]));
	json_object_object_add(o, "versions", vs);
	json_object_object_add(o, "preferredVersion",
			       gv_obj(groups[g].name, groups[g].versions[0]));
	return o;
}

static json_object *version_doc(struct sim_kube *k)
{
	json_object *o = json_object_new_object();
	char minor[16] = "30", *git = ikc_asprintf("v%s", k->version);
	const char *p = strchr(k->version, '.');
	size_t n = 0;

	if (p) {
		p++;
		while (p[n] >= '0' && p[n] <= '9' && n + 1 < sizeof(minor)) {
			minor[n] = p[n];
			n++;
		}
		minor[n] = '\0';
	}
	json_object_object_add(o, "major", json_object_new_string("1"));
	json_object_object_add(o, "minor", json_object_new_string(minor));
	json_object_object_add(o, "gitVersion", json_object_new_string(git));
	json_object_object_add(o, "gitCommit", json_object_new_string(
						     "0000000000000000000000000000000000000000"));
	json_object_object_add(o, "gitTreeState", json_object_new_string("clean"));
	json_object_object_add(o, "buildDate",
			       json_object_new_string("2024-09-20T09:17:10Z"));
	json_object_object_add(o, "goVersion", json_object_new_string("go1.22.6"));
	json_object_object_add(o, "compiler", json_object_new_string("gc"));
	json_object_object_add(o, "platform", json_object_new_string("linux/amd64"));
	free(git);
	return o;
}

/* The item path of a kind: /api/v1/namespaces/{namespace}/configmaps/{name}. */
static char *kind_item_path(const kube_kind *kd)
{
	if (*kd->group)
		return ikc_asprintf("/apis/%s/%s/%s%s/{name}", kd->group, kd->version,
				    (kd->flags & NS) ? "namespaces/{namespace}/" : "",
				    kd->plural);
	return ikc_asprintf("/api/%s/%s%s/{name}", kd->version,
			    (kd->flags & NS) ? "namespaces/{namespace}/" : "",
			    kd->plural);
}

/* The per-group OpenAPI v3 document: one patch operation per kind, and the schemas. */
static json_object *openapi_group(const char *group, const char *version)
{
	json_object *doc = json_object_new_object();
	json_object *info = json_object_new_object();
	json_object *paths = json_object_new_object();
	size_t i;

	json_object_object_add(doc, "openapi", json_object_new_string("3.0.0"));
	json_object_object_add(info, "title", json_object_new_string("Kubernetes"));
	json_object_object_add(info, "version", json_object_new_string("unversioned"));
	json_object_object_add(doc, "info", info);
	for (i = 0; i < NKINDS; i++) {
		const kube_kind *kd = &kinds[i];
		json_object *item, *op, *gvk, *params, *p, *schema, *resps;
		char *path;

		if (strcmp(kd->group, group) != 0 || strcmp(kd->version, version) != 0)
			continue;
		path = kind_item_path(kd);
		item = json_object_new_object();
		op = json_object_new_object();
		gvk = json_object_new_object();
		params = json_object_new_array();
		json_object_object_add(gvk, "group", json_object_new_string(kd->group));
		json_object_object_add(gvk, "version", json_object_new_string(kd->version));
		json_object_object_add(gvk, "kind", json_object_new_string(kd->kind));
		json_object_object_add(op, "x-kubernetes-group-version-kind", gvk);
		json_object_object_add(op, "x-kubernetes-action",
				       json_object_new_string("patch"));
		p = json_object_new_object();
		json_object_object_add(p, "name", json_object_new_string("fieldValidation"));
		json_object_object_add(p, "in", json_object_new_string("query"));
		schema = json_object_new_object();
		json_object_object_add(schema, "type", json_object_new_string("string"));
		json_object_object_add(p, "schema", schema);
		json_object_array_add(params, p);
		json_object_object_add(op, "parameters", params);
		resps = json_object_new_object();
		json_object_object_add(resps, "200", json_object_new_object());
		json_object_object_add(op, "responses", resps);
		json_object_object_add(item, "patch", op);
		json_object_object_add(paths, path, item);
		free(path);
	}
	json_object_object_add(doc, "paths", paths);
	json_object_object_add(doc, "components",
			       kube__openapi_components(group, version));
	return doc;
}

static json_object *openapi_root(void)
{
	json_object *doc = json_object_new_object();
	json_object *paths = json_object_new_object();
	json_object *e = json_object_new_object();
	size_t g, v;

	json_object_object_add(e, "serverRelativeURL", json_object_new_string(
							       "/openapi/v3/api/v1?hash=1"));
	json_object_object_add(paths, "api/v1", e);
	for (g = 0; g < NGROUPS; g++)
		for (v = 0; v < 3 && groups[g].versions[v]; v++) {
			char *key = ikc_asprintf("apis/%s/%s", groups[g].name,
						 groups[g].versions[v]);
			char *url = ikc_asprintf("/openapi/v3/%s?hash=1", key);

			e = json_object_new_object();
			json_object_object_add(e, "serverRelativeURL",
					       json_object_new_string(url));
			json_object_object_add(paths, key, e);
			free(key);
			free(url);
		}
	json_object_object_add(doc, "paths", paths);
	return doc;
}

static void not_found(sim_response *resp)
{
	json_object *st = json_object_new_object();

	json_object_object_add(st, "kind", json_object_new_string("Status"));
	json_object_object_add(st, "apiVersion", json_object_new_string("v1"));
	json_object_object_add(st, "metadata", json_object_new_object());
	json_object_object_add(st, "status", json_object_new_string("Failure"));
	json_object_object_add(st, "message", json_object_new_string(
						      "the server could not find the requested resource"));
	json_object_object_add(st, "reason", json_object_new_string("NotFound"));
	json_object_object_add(st, "details", json_object_new_object());
	json_object_object_add(st, "code", json_object_new_int(404));
	answer(resp, 404, st);
}

/* Appends `msg` to `dst` as field `field` and empties `msg`. */
static int pb_wrap(ikc_buf *dst, unsigned field, ikc_buf *msg)
{
	int rc = kube__pb_message(dst, field, msg);

	ikc_buf_clear(msg);
	return rc;
}

/*
 * One openapi.v2.Operation for PATCH of a kind: the query parameter dryRun
 * (ParametersItem.parameter(1) -> Parameter.non_body_parameter(2) ->
 * NonBodyParameter.query_parameter_sub_schema(3) {in(2), name(4), type(6)}),
 * a "200" response (responses(9) -> response_code(1) {name(1), value(2) ->
 * ResponseValue.response(1) {description(1)}}) and the vendor extension
 * x-kubernetes-group-version-kind (vendor_extension(13) -> NamedAny {name(1),
 * value(2) -> Any.yaml(2)}).
 */
static int pb_patch_operation(ikc_buf *op, const kube_kind *kd)
{
	ikc_buf a = IKC_BUF_INIT(IKC_HTTP_BODY_MAX), b = IKC_BUF_INIT(IKC_HTTP_BODY_MAX);
	char *yaml = ikc_asprintf("group: \"%s\"\nkind: \"%s\"\nversion: \"%s\"\n",
				  kd->group, kd->kind, kd->version);
	int rc = yaml ? 0 : IKC_ERROR;

	/* parameters: dryRun in the query */
	if (rc == 0)
		rc = kube__pb_string(&a, 2, "query");
	if (rc == 0)
		rc = kube__pb_string(&a, 4, "dryRun");
	if (rc == 0)
		rc = kube__pb_string(&a, 6, "string");
	if (rc == 0)
		rc = pb_wrap(&b, 3, &a);     /* NonBodyParameter */
	if (rc == 0)
		rc = pb_wrap(&a, 2, &b);     /* Parameter */
	if (rc == 0)
		rc = pb_wrap(&b, 1, &a);     /* ParametersItem */
	if (rc == 0)
		rc = pb_wrap(op, 8, &b);     /* Operation.parameters */
	/* responses: 200 OK */
	if (rc == 0)
		rc = kube__pb_string(&a, 1, "OK");
	if (rc == 0)
		rc = pb_wrap(&b, 1, &a);     /* ResponseValue.response */
	if (rc == 0)
		rc = kube__pb_string(&a, 1, "200");
	if (rc == 0)
		rc = pb_wrap(&a, 2, &b);     /* NamedResponseValue.value */
	if (rc == 0)
		rc = pb_wrap(&b, 1, &a);     /* Responses.response_code */
	if (rc == 0)
		rc = pb_wrap(op, 9, &b);     /* Operation.responses */
	/* x-kubernetes-group-version-kind */
	if (rc == 0)
		rc = kube__pb_string(&a, 2, yaml);
	if (rc == 0)
		rc = kube__pb_string(&b, 1, "x-kubernetes-group-version-kind");
	if (rc == 0)
		rc = pb_wrap(&b, 2, &a);     /* NamedAny.value */
	if (rc == 0)
		rc = pb_wrap(op, 13, &b);    /* Operation.vendor_extension */
	free(yaml);
	ikc_buf_dispose(&a);
	ikc_buf_dispose(&b);
	return rc;
}

/*
 * The openapi.v2.Document (gnostic OpenAPIv2.proto) in protobuf: swagger(1),
 * info(2) {title(1), version(2)}, paths(8) {path(2): NamedPathItem {name(1),
 * value(2): PathItem {patch(8)}}} with one item path per kind.  No
 * definitions, so kubectl's schema validation has nothing to reject.
 */
static int openapi_v2_protobuf(ikc_buf *doc)
{
	ikc_buf paths = IKC_BUF_INIT(IKC_HTTP_BODY_MAX);
	ikc_buf m = IKC_BUF_INIT(IKC_HTTP_BODY_MAX), n = IKC_BUF_INIT(IKC_HTTP_BODY_MAX);
	size_t i;
	int rc = kube__pb_string(doc, 1, "2.0");

	if (rc == 0)
		rc = kube__pb_string(&m, 1, "Kubernetes");
	if (rc == 0)
		rc = kube__pb_string(&m, 2, "unversioned");
	if (rc == 0)
		rc = pb_wrap(doc, 2, &m);     /* Document.info */
	for (i = 0; rc == 0 && i < NKINDS; i++) {
		char *path = kind_item_path(&kinds[i]);

		rc = path ? pb_patch_operation(&m, &kinds[i]) : IKC_ERROR;
		if (rc == 0)
			rc = pb_wrap(&n, 8, &m);     /* PathItem.patch */
		if (rc == 0)
			rc = kube__pb_string(&m, 1, path);
		if (rc == 0)
			rc = pb_wrap(&m, 2, &n);     /* NamedPathItem.value */
		if (rc == 0)
			rc = pb_wrap(&paths, 2, &m); /* Paths.path */
		free(path);
	}
	if (rc == 0)
		rc = pb_wrap(doc, 8, &paths);        /* Document.paths */
	ikc_buf_dispose(&paths);
	ikc_buf_dispose(&m);
	ikc_buf_dispose(&n);
	return rc;
}

/* The same document as JSON: the PATCH operation of every kind, no definitions. */
static json_object *openapi_v2_json(void)
{
	json_object *doc = json_object_new_object();
	json_object *info = json_object_new_object();
	json_object *paths = json_object_new_object();
	size_t i;

	json_object_object_add(doc, "swagger", json_object_new_string("2.0"));
	json_object_object_add(info, "title", json_object_new_string("Kubernetes"));
	json_object_object_add(info, "version", json_object_new_string("unversioned"));
	json_object_object_add(doc, "info", info);
	for (i = 0; i < NKINDS; i++) {
		const kube_kind *kd = &kinds[i];
		json_object *item = json_object_new_object();
		json_object *op = json_object_new_object();
		json_object *gvk = json_object_new_object();
		json_object *params = json_object_new_array();
		json_object *p = json_object_new_object();
		json_object *resps = json_object_new_object();
		json_object *ok = json_object_new_object();
		char *path = kind_item_path(kd);

		json_object_object_add(p, "name", json_object_new_string("dryRun"));
		json_object_object_add(p, "in", json_object_new_string("query"));
		json_object_object_add(p, "type", json_object_new_string("string"));
		json_object_array_add(params, p);
		json_object_object_add(op, "parameters", params);
		json_object_object_add(ok, "description", json_object_new_string("OK"));
		json_object_object_add(resps, "200", ok);
		json_object_object_add(op, "responses", resps);
		json_object_object_add(gvk, "group", json_object_new_string(kd->group));
		json_object_object_add(gvk, "version", json_object_new_string(kd->version));
		json_object_object_add(gvk, "kind", json_object_new_string(kd->kind));
		json_object_object_add(op, "x-kubernetes-group-version-kind", gvk);
		json_object_object_add(item, "patch", op);
		if (path)
			json_object_object_add(paths, path, item);
		else
			json_object_put(item);
		free(path);
	}
	json_object_object_add(doc, "paths", paths);
	json_object_object_add(doc, "definitions", json_object_new_object());
	return doc;
}

/*
 * /openapi/v2 without definitions.  kubectl 1.20 validates manifests against
 * it and skips kinds it has no schema for, so its default --validate=true
 * works; it also looks up each kind's PATCH operation for the dryRun
 * parameter before a server-side dry run (kubectl diff).  The protobuf form
 * is what kubectl asks for.
 */
static void openapi_v2(const char *accept, sim_response *resp)
{
	resp->status = 200;
	if (accept && strstr(accept, "protobuf")) {
		ikc_buf doc = IKC_BUF_INIT(IKC_HTTP_BODY_MAX);

		if (openapi_v2_protobuf(&doc) != 0) {
			ikc_buf_dispose(&doc);
			resp->status = 500;
			resp->content_type = strdup("text/plain; charset=utf-8");
			resp->body = strdup("cannot encode the OpenAPI document");
			resp->body_len = resp->body ? strlen(resp->body) : 0;
			return;
		}
		/* as kube-openapi answers it: Go's mime parser rejects the '@' */
		resp->content_type = strdup("application/octet-stream");
		resp->body_len = doc.len;
		resp->body = ikc_buf_detach(&doc);
		return;
	}
	answer(resp, 200, openapi_v2_json());
}

int kube__discovery(struct sim_kube *k, const sim_request *req, sim_response *resp)
{
	const char *path = req->path;
	size_t g, v;

	if (strcmp(path, "/openapi/v2") == 0) {
		openapi_v2(req->header ? req->header(req, "Accept") : NULL, resp);
		return 1;
	}

	if (strcmp(path, "/version") == 0 || strcmp(path, "/version/") == 0) {
		answer(resp, 200, version_doc(k));
		return 1;
	}
	if (strcmp(path, "/healthz") == 0 || strcmp(path, "/livez") == 0 ||
	    strcmp(path, "/readyz") == 0) {
		resp->status = 200;
		resp->content_type = strdup("text/plain; charset=utf-8");
		resp->body = strdup("ok");
		resp->body_len = 2;
		return 1;
	}
	if (strcmp(path, "/api") == 0 || strcmp(path, "/api/") == 0) {
		json_object *o = json_object_new_object();
		json_object *vs = json_object_new_array();
		json_object *cidrs = json_object_new_array();
		json_object *c = json_object_new_object();

		json_object_object_add(o, "kind", json_object_new_string("APIVersions"));
		json_object_array_add(vs, json_object_new_string("v1"));
		json_object_object_add(o, "versions", vs);
		json_object_object_add(c, "clientCIDR", json_object_new_string("0.0.0.0/0"));
		json_object_object_add(c, "serverAddress",
				       json_object_new_string("10.0.0.1:443"));
		json_object_array_add(cidrs, c);
		json_object_object_add(o, "serverAddressByClientCIDRs", cidrs);
		answer(resp, 200, o);
		return 1;
	}
	if (strcmp(path, "/api/v1") == 0 || strcmp(path, "/api/v1/") == 0) {
		answer(resp, 200, resource_list("", "v1"));
		return 1;
	}
	if (strcmp(path, "/apis") == 0 || strcmp(path, "/apis/") == 0) {
		json_object *o = json_object_new_object();
		json_object *gs = json_object_new_array();

		json_object_object_add(o, "kind", json_object_new_string("APIGroupList"));
		json_object_object_add(o, "apiVersion", json_object_new_string("v1"));
		for (g = 0; g < NGROUPS; g++)
			json_object_array_add(gs, group_obj(g));
		json_object_object_add(o, "groups", gs);
		answer(resp, 200, o);
		return 1;
	}
	if (strcmp(path, "/openapi/v3") == 0 || strcmp(path, "/openapi/v3/") == 0) {
		answer(resp, 200, openapi_root());
		return 1;
	}
	if (strcmp(path, "/openapi/v3/api/v1") == 0) {
		answer(resp, 200, openapi_group("", "v1"));
		return 1;
	}
	if (ikc_str_startswith(path, "/openapi/")) {
		for (g = 0; g < NGROUPS; g++)
			for (v = 0; v < 3 && groups[g].versions[v]; v++) {
				char *p = ikc_asprintf("/openapi/v3/apis/%s/%s",
						       groups[g].name,
						       groups[g].versions[v]);
				int hit = p && strcmp(p, path) == 0;

				free(p);
				if (hit) {
					answer(resp, 200, openapi_group(
							   groups[g].name,
							   groups[g].versions[v]));
					return 1;
				}
			}
		not_found(resp);
		return 1;
	}
	for (g = 0; g < NGROUPS; g++) {
		char *p = ikc_asprintf("/apis/%s", groups[g].name);
		int hit = p && (strcmp(p, path) == 0 ||
				(strncmp(p, path, strlen(p)) == 0 &&
				 strcmp(path + strlen(p), "/") == 0));

		if (hit) {
			json_object *o = group_obj(g);

			json_object_object_add(o, "kind", json_object_new_string("APIGroup"));
			json_object_object_add(o, "apiVersion", json_object_new_string("v1"));
			free(p);
			answer(resp, 200, o);
			return 1;
		}
		free(p);
		for (v = 0; v < 3 && groups[g].versions[v]; v++) {
			p = ikc_asprintf("/apis/%s/%s", groups[g].name,
					 groups[g].versions[v]);
			hit = p && (strcmp(p, path) == 0 ||
				    (strncmp(p, path, strlen(p)) == 0 &&
				     strcmp(path + strlen(p), "/") == 0));
			free(p);
			if (hit) {
				answer(resp, 200, resource_list(
						   groups[g].name, groups[g].versions[v]));
				return 1;
			}
		}
	}
	return 0;
}

/* ---- server-side printing (meta.k8s.io/v1 Table) ---- */

static const char *or_str(const char *a, const char *b)
{
	return a ? a : b;
}

/* kubectl's human-readable age ("5s", "2m10s", "15m", "3h4m", "5d"). */
static char *human_age(json_object *obj)
{
	const char *ts = ikc_json_path(obj, "metadata.creationTimestamp")
				 ? json_object_get_string(ikc_json_path(
					   obj, "metadata.creationTimestamp"))
				 : NULL;
	struct tm tm;
	long s, m, h;

	memset(&tm, 0, sizeof(tm));
	if (!ts || sscanf(ts, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
			  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return ikc_asprintf("<unknown>");
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	s = (long)difftime(time(NULL), timegm(&tm));
	if (s < 0)
		s = 0;
	m = s / 60;
	h = m / 60;
	if (s < 120)
		return ikc_asprintf("%lds", s);
	if (m < 10)
		return s % 60 ? ikc_asprintf("%ldm%lds", m, s % 60)
			      : ikc_asprintf("%ldm", m);
	if (m < 180)
		return ikc_asprintf("%ldm", m);
	if (h < 8)
		return m % 60 ? ikc_asprintf("%ldh%ldm", h, m % 60)
			      : ikc_asprintf("%ldh", h);
	if (h < 48)
		return ikc_asprintf("%ldh", h);
	return ikc_asprintf("%ldd", h / 24);
}

static void col(json_object *cols, const char *name, const char *type,
		int priority)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "type", json_object_new_string(type));
	json_object_object_add(c, "format", json_object_new_string(
						    strcmp(name, "Name") == 0 ? "name" : ""));
	json_object_object_add(c, "description", json_object_new_string(name));
	json_object_object_add(c, "priority", json_object_new_int(priority));
	json_object_array_add(cols, c);
}

static json_object *jstr(json_object *obj, const char *path, const char *dflt)
{
	json_object *v = ikc_json_path(obj, path);
	const char *s = v && json_object_is_type(v, json_type_string)
				? json_object_get_string(v)
				: NULL;

	return json_object_new_string(s && *s ? s : dflt);
}

static json_object *jint(json_object *obj, const char *path)
{
	return json_object_new_int64(kube__int(obj, path, 0));
}

static json_object *pod_ready(json_object *pod)
{
	json_object *cs = ikc_json_path(pod, "status.containerStatuses");
	json_object *cn = ikc_json_path(pod, "spec.containers");
	size_t i, total = cn ? kube__len(cn) : 0, ready = 0;
	char buf[32];

	for (i = 0; cs && i < kube__len(cs); i++) {
		json_object *r = ikc_json_path(json_object_array_get_idx(cs, i), "ready");

		if (r && json_object_get_boolean(r))
			ready++;
	}
	snprintf(buf, sizeof(buf), "%zu/%zu", ready, total);
	return json_object_new_string(buf);
}

static json_object *svc_external(json_object *svc)
{
	const char *type = ikc_json_str(ikc_json_path(svc, "spec"), "type");
	json_object *ing = ikc_json_path(svc, "status.loadBalancer.ingress");
	ikc_buf b = IKC_BUF_INIT(4096);
	json_object *out;
	size_t i;

	if (type && strcmp(type, "LoadBalancer") == 0) {
		for (i = 0; ing && i < kube__len(ing); i++) {
			json_object *e = json_object_array_get_idx(ing, i);
			const char *ip = ikc_json_str(e, "ip");

			if (!ip)
				ip = ikc_json_str(e, "hostname");
			if (ip)
				(void)ikc_buf_printf(&b, "%s%s", b.len ? "," : "", ip);
		}
		if (!b.len)
			(void)ikc_buf_puts(&b, "<pending>");
	} else if (type && strcmp(type, "ExternalName") == 0) {
		(void)ikc_buf_puts(&b, or_str(ikc_json_str(ikc_json_path(svc, "spec"),
							   "externalName"), "<none>"));
	} else {
		(void)ikc_buf_puts(&b, "<none>");
	}
	out = json_object_new_string(b.ptr ? b.ptr : "<none>");
	ikc_buf_dispose(&b);
	return out;
}

static json_object *svc_ports(json_object *svc)
{
	json_object *ports = ikc_json_path(svc, "spec.ports");
	ikc_buf b = IKC_BUF_INIT(4096);
	json_object *out;
	size_t i;

	for (i = 0; ports && i < kube__len(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);
		long long np = kube__int(p, "nodePort", 0);
		const char *proto = ikc_json_str(p, "protocol");

		(void)ikc_buf_printf(&b, "%s%lld", b.len ? "," : "",
				     kube__int(p, "port", 0));
		if (np)
			(void)ikc_buf_printf(&b, ":%lld", np);
		(void)ikc_buf_printf(&b, "/%s", proto ? proto : "TCP");
	}
	out = json_object_new_string(b.ptr && b.len ? b.ptr : "<none>");
	ikc_buf_dispose(&b);
	return out;
}

static json_object *node_status(json_object *node)
{
	json_object *conds = ikc_json_path(node, "status.conditions");
	size_t i;
	const char *st = "Unknown";

	for (i = 0; conds && i < kube__len(conds); i++) {
		json_object *c = json_object_array_get_idx(conds, i);
		const char *t = ikc_json_str(c, "type");

		if (t && strcmp(t, "Ready") == 0) {
			const char *s = ikc_json_str(c, "status");

			st = s && strcmp(s, "True") == 0 ? "Ready" : "NotReady";
		}
	}
	if (ikc_json_path(node, "spec.unschedulable") &&
	    json_object_get_boolean(ikc_json_path(node, "spec.unschedulable"))) {
		char *s = ikc_asprintf("%s,SchedulingDisabled", st);
		json_object *o = json_object_new_string(s ? s : st);

		free(s);
		return o;
	}
	return json_object_new_string(st);
}

static json_object *node_address(json_object *node, const char *type)
{
	json_object *addrs = ikc_json_path(node, "status.addresses");
	size_t i;

	for (i = 0; addrs && i < kube__len(addrs); i++) {
		json_object *a = json_object_array_get_idx(addrs, i);
		const char *t = ikc_json_str(a, "type");

		if (t && strcmp(t, type) == 0)
			return jstr(a, "address", "<none>");
	}
	return json_object_new_string("<none>");
}

static json_object *count_map(json_object *obj, const char *key)
{
	json_object *m = NULL;

	if (json_object_object_get_ex(obj, key, &m) &&
	    json_object_is_type(m, json_type_object))
		return json_object_new_int(json_object_object_length(m));
	return json_object_new_int(0);
}

static json_object *pod_status_text(json_object *pod)
{
	json_object *cs = ikc_json_path(pod, "status.containerStatuses");
	size_t i;

	if (ikc_json_path(pod, "metadata.deletionTimestamp"))
		return json_object_new_string("Terminating");
	/* as kubectl's printer: a waiting container's reason wins */
	for (i = 0; cs && json_object_is_type(cs, json_type_array) &&
		    i < kube__len(cs); i++) {
		json_object *w = ikc_json_path(json_object_array_get_idx(cs, i),
					       "state.waiting");
		const char *reason = w ? ikc_json_str(w, "reason") : NULL;

		if (reason && *reason)
			return json_object_new_string(reason);
	}
	return jstr(pod, "status.phase", "Pending");
}

/* "10.1.2.3:80,10.1.2.4:80" (at most 3, then " + N more...") as kubectl shows. */
static json_object *endpoints_text(json_object *ep)
{
	json_object *subsets = ikc_json_path(ep, "subsets");
	ikc_buf b = IKC_BUF_INIT(65536);
	json_object *out;
	size_t i, j, m, shown = 0, total = 0;

	for (i = 0; i < kube__len(subsets); i++) {
		json_object *ss = json_object_array_get_idx(subsets, i);
		json_object *addrs = ikc_json_path(ss, "addresses");
		json_object *ports = ikc_json_path(ss, "ports");

		for (j = 0; j < kube__len(addrs); j++) {
			const char *ip = ikc_json_str(json_object_array_get_idx(addrs, j), "ip");

			for (m = 0; m < kube__len(ports) || (m == 0 && !kube__len(ports)); m++) {
				total++;
				if (shown >= 3)
					continue;
				if (kube__len(ports))
					(void)ikc_buf_printf(&b, "%s%s:%lld", shown ? "," : "",
							     ip ? ip : "",
							     kube__int(json_object_array_get_idx(ports, m),
								       "port", 0));
				else
					(void)ikc_buf_printf(&b, "%s%s", shown ? "," : "",
							     ip ? ip : "");
				shown++;
			}
		}
	}
	if (total > shown)
		(void)ikc_buf_printf(&b, " + %zu more...", total - shown);
	out = json_object_new_string(b.ptr && b.len ? b.ptr : "<none>");
	ikc_buf_dispose(&b);
	return out;
}

/* "<unknown>/80%" per metric target, as kubectl shows without metrics. */
static json_object *hpa_targets(json_object *hpa)
{
	json_object *metrics = ikc_json_path(hpa, "spec.metrics");
	ikc_buf b = IKC_BUF_INIT(4096);
	json_object *out;
	size_t i;

	if (!metrics && ikc_json_path(hpa, "spec.targetCPUUtilizationPercentage"))
		(void)ikc_buf_printf(&b, "<unknown>/%lld%%",
				     kube__int(hpa, "spec.targetCPUUtilizationPercentage", 0));
	for (i = 0; i < kube__len(metrics); i++) {
		json_object *m = json_object_array_get_idx(metrics, i);
		const char *type = ikc_json_str(m, "type");
		json_object *t = ikc_json_path(m, "resource.target");
		const char *tt = ikc_json_str(t, "type");

		if (type && strcmp(type, "Resource") == 0 && tt &&
		    strcmp(tt, "Utilization") == 0)
			(void)ikc_buf_printf(&b, "%s<unknown>/%lld%%", b.len ? ", " : "",
					     kube__int(t, "averageUtilization", 0));
		else
			(void)ikc_buf_printf(&b, "%s<unknown>", b.len ? ", " : "");
	}
	out = json_object_new_string(b.ptr && b.len ? b.ptr : "<none>");
	ikc_buf_dispose(&b);
	return out;
}

static json_object *hpa_ref(json_object *hpa)
{
	json_object *ref = ikc_json_path(hpa, "spec.scaleTargetRef");
	char *s = ikc_asprintf("%s/%s", or_str(ikc_json_str(ref, "kind"), ""),
			       or_str(ikc_json_str(ref, "name"), ""));
	json_object *o = json_object_new_string(s ? s : "");

	free(s);
	return o;
}

static void columns_for(const kube_kind *kd, json_object *cols)
{
	const char *p = kd->plural;

	col(cols, "Name", "string", 0);
	if (strcmp(p, "pods") == 0) {
		col(cols, "Ready", "string", 0);
		col(cols, "Status", "string", 0);
		col(cols, "Restarts", "string", 0);
		col(cols, "Age", "string", 0);
		col(cols, "IP", "string", 1);
		col(cols, "Node", "string", 1);
		col(cols, "Nominated Node", "string", 1);
		col(cols, "Readiness Gates", "string", 1);
	} else if (strcmp(p, "services") == 0) {
		col(cols, "Type", "string", 0);
		col(cols, "Cluster-IP", "string", 0);
		col(cols, "External-IP", "string", 0);
		col(cols, "Port(s)", "string", 0);
		col(cols, "Age", "string", 0);
		col(cols, "Selector", "string", 1);
	} else if (strcmp(p, "nodes") == 0) {
		col(cols, "Status", "string", 0);
		col(cols, "Roles", "string", 0);
		col(cols, "Age", "string", 0);
		col(cols, "Version", "string", 0);
		col(cols, "Internal-IP", "string", 1);
		col(cols, "External-IP", "string", 1);
		col(cols, "OS-Image", "string", 1);
		col(cols, "Kernel-Version", "string", 1);
		col(cols, "Container-Runtime", "string", 1);
	} else if (strcmp(p, "replicationcontrollers") == 0 ||
		   strcmp(p, "replicasets") == 0) {
		col(cols, "Desired", "integer", 0);
		col(cols, "Current", "integer", 0);
		col(cols, "Ready", "integer", 0);
		col(cols, "Age", "string", 0);
		col(cols, "Containers", "string", 1);
		col(cols, "Images", "string", 1);
		col(cols, "Selector", "string", 1);
	} else if (strcmp(p, "deployments") == 0) {
		col(cols, "Ready", "string", 0);
		col(cols, "Up-to-date", "string", 0);
		col(cols, "Available", "string", 0);
		col(cols, "Age", "string", 0);
		col(cols, "Containers", "string", 1);
		col(cols, "Images", "string", 1);
		col(cols, "Selector", "string", 1);
	} else if (strcmp(p, "namespaces") == 0) {
		col(cols, "Status", "string", 0);
		col(cols, "Age", "string", 0);
	} else if (strcmp(p, "configmaps") == 0) {
		col(cols, "Data", "string", 0);
		col(cols, "Age", "string", 0);
	} else if (strcmp(p, "endpoints") == 0) {
		col(cols, "Endpoints", "string", 0);
		col(cols, "Age", "string", 0);
	} else if (strcmp(p, "secrets") == 0) {
		col(cols, "Type", "string", 0);
		col(cols, "Data", "string", 0);
		col(cols, "Age", "string", 0);
	} else if (strcmp(p, "horizontalpodautoscalers") == 0) {
		col(cols, "Reference", "string", 0);
		col(cols, "Targets", "string", 0);
		col(cols, "MinPods", "string", 0);
		col(cols, "MaxPods", "string", 0);
		col(cols, "Replicas", "string", 0);
		col(cols, "Age", "string", 0);
	} else {
		col(cols, "Age", "string", 0);
	}
}

static json_object *containers_text(json_object *obj, const char *field)
{
	json_object *cs = ikc_json_path(obj, "spec.template.spec.containers");
	ikc_buf b = IKC_BUF_INIT(8192);
	json_object *out;
	size_t i;

	for (i = 0; cs && i < kube__len(cs); i++) {
		const char *s = ikc_json_str(json_object_array_get_idx(cs, i), field);

		(void)ikc_buf_printf(&b, "%s%s", b.len ? "," : "", s ? s : "");
	}
	out = json_object_new_string(b.ptr ? b.ptr : "");
	ikc_buf_dispose(&b);
	return out;
}

static json_object *selector_text(json_object *obj)
{
	char *s = kube__selector_string(ikc_json_path(obj, "spec.selector"));
	json_object *o = json_object_new_string(s && *s ? s : "<none>");

	free(s);
	return o;
}

static json_object *row_cells(const kube_kind *kd, json_object *o)
{
	json_object *c = json_object_new_array();
	const char *p = kd->plural;
	char *age = human_age(o);

	json_object_array_add(c, jstr(o, "metadata.name", ""));
	if (strcmp(p, "pods") == 0) {
		json_object_array_add(c, pod_ready(o));
		json_object_array_add(c, pod_status_text(o));
		json_object_array_add(c, json_object_new_int(0));
		json_object_array_add(c, json_object_new_string(age));
		json_object_array_add(c, jstr(o, "status.podIP", "<none>"));
		json_object_array_add(c, jstr(o, "spec.nodeName", "<none>"));
		json_object_array_add(c, json_object_new_string("<none>"));
		json_object_array_add(c, json_object_new_string("<none>"));
	} else if (strcmp(p, "services") == 0) {
		json_object_array_add(c, jstr(o, "spec.type", "ClusterIP"));
		json_object_array_add(c, jstr(o, "spec.clusterIP", "<none>"));
		json_object_array_add(c, svc_external(o));
		json_object_array_add(c, svc_ports(o));
		json_object_array_add(c, json_object_new_string(age));
		json_object_array_add(c, selector_text(o));
	} else if (strcmp(p, "nodes") == 0) {
		json_object_array_add(c, node_status(o));
		json_object_array_add(c, json_object_new_string("<none>"));
		json_object_array_add(c, json_object_new_string(age));
		json_object_array_add(c, jstr(o, "status.nodeInfo.kubeletVersion", ""));
		json_object_array_add(c, node_address(o, "InternalIP"));
		json_object_array_add(c, node_address(o, "ExternalIP"));
		json_object_array_add(c, jstr(o, "status.nodeInfo.osImage", "<unknown>"));
		json_object_array_add(c, jstr(o, "status.nodeInfo.kernelVersion", "<unknown>"));
		json_object_array_add(c, jstr(o, "status.nodeInfo.containerRuntimeVersion",
					      "<unknown>"));
	} else if (strcmp(p, "replicationcontrollers") == 0 ||
		   strcmp(p, "replicasets") == 0) {
		json_object_array_add(c, jint(o, "spec.replicas"));
		json_object_array_add(c, jint(o, "status.replicas"));
		json_object_array_add(c, jint(o, "status.readyReplicas"));
		json_object_array_add(c, json_object_new_string(age));
		json_object_array_add(c, containers_text(o, "name"));
		json_object_array_add(c, containers_text(o, "image"));
		json_object_array_add(c, selector_text(o));
	} else if (strcmp(p, "deployments") == 0) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%lld/%lld",
			 kube__int(o, "status.readyReplicas", 0),
			 kube__int(o, "spec.replicas", 0));
		json_object_array_add(c, json_object_new_string(buf));
		json_object_array_add(c, jint(o, "status.updatedReplicas"));
		json_object_array_add(c, jint(o, "status.availableReplicas"));
		json_object_array_add(c, json_object_new_string(age));
		json_object_array_add(c, containers_text(o, "name"));
		json_object_array_add(c, containers_text(o, "image"));
		json_object_array_add(c, selector_text(o));
	} else if (strcmp(p, "namespaces") == 0) {
		json_object_array_add(c, jstr(o, "status.phase", "Active"));
		json_object_array_add(c, json_object_new_string(age));
	} else if (strcmp(p, "configmaps") == 0) {
		json_object *n = count_map(o, "data");
		json_object *nb = count_map(o, "binaryData");

		json_object_array_add(c, json_object_new_int(
						 json_object_get_int(n) +
						 json_object_get_int(nb)));
		json_object_put(n);
		json_object_put(nb);
		json_object_array_add(c, json_object_new_string(age));
	} else if (strcmp(p, "endpoints") == 0) {
		json_object_array_add(c, endpoints_text(o));
		json_object_array_add(c, json_object_new_string(age));
	} else if (strcmp(p, "secrets") == 0) {
		json_object_array_add(c, jstr(o, "type", "Opaque"));
		json_object_array_add(c, count_map(o, "data"));
		json_object_array_add(c, json_object_new_string(age));
	} else if (strcmp(p, "horizontalpodautoscalers") == 0) {
		json_object_array_add(c, hpa_ref(o));
		json_object_array_add(c, hpa_targets(o));
		json_object_array_add(c, json_object_new_int64(
						 kube__int(o, "spec.minReplicas", 1)));
		json_object_array_add(c, jint(o, "spec.maxReplicas"));
		json_object_array_add(c, jint(o, "status.currentReplicas"));
		json_object_array_add(c, json_object_new_string(age));
	} else {
		json_object_array_add(c, json_object_new_string(age));
	}
	free(age);
	return c;
}

static json_object *partial(json_object *o)
{
	json_object *p = json_object_new_object();
	json_object *m = NULL;

	json_object_object_add(p, "kind", json_object_new_string(
						  "PartialObjectMetadata"));
	json_object_object_add(p, "apiVersion", json_object_new_string(
							"meta.k8s.io/v1"));
	if (json_object_object_get_ex(o, "metadata", &m))
		json_object_object_add(p, "metadata", ikc_json_copy(m));
	return p;
}

json_object *kube__table(const kube_kind *kd, json_object **objs, size_t n,
			 const char *list_rv, int full_objects)
{
	json_object *t = json_object_new_object();
	json_object *meta = json_object_new_object();
	json_object *cols = json_object_new_array();
	json_object *rows = json_object_new_array();
	size_t i;

	json_object_object_add(t, "kind", json_object_new_string("Table"));
	json_object_object_add(t, "apiVersion", json_object_new_string("meta.k8s.io/v1"));
	if (list_rv)
		json_object_object_add(meta, "resourceVersion",
				       json_object_new_string(list_rv));
	json_object_object_add(t, "metadata", meta);
	columns_for(kd, cols);
	json_object_object_add(t, "columnDefinitions", cols);
	for (i = 0; i < n; i++) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "cells", row_cells(kd, objs[i]));
		json_object_object_add(r, "object", full_objects
							    ? ikc_json_copy(objs[i])
							    : partial(objs[i]));
		json_object_array_add(rows, r);
	}
	json_object_object_add(t, "rows", rows);
	return t;
}
