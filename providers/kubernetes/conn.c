/* conn.c - connections to a cluster's Kubernetes API (stack Cluster or kubeconfig) and discovery */
#include "providers/kubernetes/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth/kube.h"
#include "providers/private.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

struct ikc_kube_conn {
	char *key;              /* identity of the cluster in the cache */
	char *server;           /* "https://host:port", no trailing slash */
	char *ca_pem;           /* trusted CA (PEM) or NULL: system CAs */
	size_t ca_len;
	ikc_google_creds *google; /* borrowed from env, or NULL */
	char *token;            /* static bearer token (kubeconfig) or NULL */
	pthread_mutex_t mu;     /* guards gv */
	pthread_mutex_t fetch_mu; /* one discovery fetch at a time */
	json_object *gv;        /* groupVersion -> APIResourceList.resources */
	struct ikc_kube_conn *next;
};

struct kube_priv {
	pthread_mutex_t mu;
	ikc_kube_conn *conns;
	struct ikc_kube_lists *lists;  /* collections listed in a refresh */
};

/* Guards the lazy creation of env->priv_kube. */
static pthread_mutex_t priv_init_mu = PTHREAD_MUTEX_INITIALIZER;

static void conn_free(ikc_kube_conn *c)
{
	if (!c)
		return;
	free(c->key);
	free(c->server);
	free(c->ca_pem);
	free(c->token);
	json_object_put(c->gv);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->fetch_mu);
	free(c);
}

void ikc_kube__env_dispose(ikc_provider_env *env)
{
	struct kube_priv *p;
	ikc_kube_conn *c, *next;

	if (!env || !env->priv_kube)
		return;
	p = env->priv_kube;
	for (c = p->conns; c; c = next) {
		next = c->next;
		conn_free(c);
	}
	ikc_kube__lists_free(p->lists);
	pthread_mutex_destroy(&p->mu);
	free(p);
	env->priv_kube = NULL;
}

static struct kube_priv *priv_get(ikc_provider_env *env)
{
	struct kube_priv *p;

	pthread_mutex_lock(&priv_init_mu);
	p = env->priv_kube;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (p && ikc_kube__lists_new(&p->lists) < 0) {
			free(p);
			p = NULL;
		}
		if (p) {
			pthread_mutex_init(&p->mu, NULL);
			env->priv_kube = p;
		}
	}
	pthread_mutex_unlock(&priv_init_mu);
	return p;
}

struct ikc_kube_lists *ikc_kube__lists(ikc_provider_env *env)
{
	struct kube_priv *p = priv_get(env);

	return p ? p->lists : NULL;
}

const char *ikc_kube__server(const ikc_kube_conn *c)
{
	return c->server;
}

static int conn_new(ikc_kube_conn **out)
{
	ikc_kube_conn *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return ikc_error_oom();
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->fetch_mu, NULL);
	c->gv = json_object_new_object();
	if (!c->gv) {
		conn_free(c);
		return ikc_error_oom();
	}
	*out = c;
	return 0;
}

/* Server URL without trailing slashes. */
static int set_server(ikc_kube_conn *c, const char *endpoint)
{
	size_t n;
	int error = ikc_kube_server_url(&c->server, endpoint);

	if (error < 0)
		return error;
	n = strlen(c->server);
	while (n > 0 && c->server[n - 1] == '/')
		c->server[--n] = '\0';
	return 0;
}

/* The connection to the stack Cluster whose live value is `cl`. */
static int conn_from_cluster(ikc_kube_conn **out, ikc_provider_env *env,
			     const ikc_target *t, json_object *cl)
{
	ikc_kube_conn *c = NULL;
	const char *endpoint = ikc_json_str(cl, "endpoint");
	json_object *ca = ikc_json_path(cl, "masterAuth.clusterCaCertificate");
	const char *ca_b64;
	int error;

	*out = NULL;
	/* stack shape has both at top level; accept them under spec too */
	if (!endpoint)
		endpoint = ikc_json_str(ikc_json_path(cl, "spec"), "endpoint");
	if (!ca)
		ca = ikc_json_path(cl, "spec.masterAuth.clusterCaCertificate");
	ca_b64 = ca ? json_object_get_string(ca) : NULL;
	if (!endpoint || !*endpoint)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "%s: its cluster has no endpoint "
					  "yet (is it running?)", t->address);
	if (!env->google)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "%s: no Google credentials to "
					  "authenticate to cluster %s",
					  t->address, endpoint);
	error = conn_new(&c);
	if (error < 0)
		return error;
	c->google = env->google;
	error = set_server(c, endpoint);
	if (error < 0)
		goto done;
	error = ikc_kube_ca_from_base64(&c->ca_pem, &c->ca_len, ca_b64);
	if (error < 0) {
		error = ikc_error_wrap(error, "%s: cluster %s: ", t->address,
				       endpoint);
		goto done;
	}
	c->key = ikc_asprintf("gke %s %016llx", c->server,
			      ikc_str_hash64(c->ca_pem, c->ca_len));
	if (!c->key) {
		error = ikc_error_oom();
		goto done;
	}
	*out = c;
	c = NULL;
done:
	conn_free(c);
	return error;
}

/* The member of kubeconfig list `list` (clusters, users, contexts) named `name`. */
static json_object *kc_named(json_object *kc, const char *list,
			     const char *name, const char *field)
{
	json_object *arr = NULL;
	size_t i, n;

	if (!name || !json_object_object_get_ex(kc, list, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return NULL;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *v;
		const char *nm = ikc_json_str(e, "name");

		if (nm && !strcmp(nm, name) &&
		    json_object_object_get_ex(e, field, &v) &&
		    json_object_is_type(v, json_type_object))
			return v;
	}
	return NULL;
}

static int kc_true(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return 0;
	if (json_object_is_type(v, json_type_string))
		return !strcmp(json_object_get_string(v), "true");
	return json_object_get_boolean(v);
}

/* A path written in the kubeconfig, relative to the kubeconfig's folder. */
static char *kc_file(ikc_provider_env *env, const char *path)
{
	char *dir, *full;

	if (path[0] == '/' || !env->stack || !env->stack->kubeconfig)
		return strdup(path);
	dir = ikc_fs_dirname(env->stack->kubeconfig);
	if (!dir)
		return NULL;
	full = ikc_asprintf("%s/%s", dir, path);
	free(dir);
	return full;
}

/* Reads a file named in the kubeconfig into an owned string. */
static int kc_read(char **out, size_t *len_out, ikc_provider_env *env,
		   const char *path, const char *what, const char *ctx)
{
	ikc_buf b = IKC_BUF_INIT(1 << 20);
	char *full = kc_file(env, path);
	int error;

	*out = NULL;
	if (!full)
		return ikc_error_oom();
	error = ikc_fs_read_file(&b, full, 1 << 20);
	if (error < 0) {
		error = ikc_error_wrap(IKC_EINVALID, "kubeconfig context "
				       "\"%s\": %s: ", ctx, what);
		goto done;
	}
	if (len_out)
		*len_out = b.len;
	*out = ikc_buf_detach(&b);
	if (!*out)
		error = ikc_error_oom();
done:
	ikc_buf_dispose(&b);
	free(full);
	return error;
}

/* The cluster's CA: inline data, a file, or none (system CAs). */
static int kc_ca(ikc_kube_conn *c, ikc_provider_env *env, json_object *cl,
		 const char *ctxname)
{
	const char *data = ikc_json_str(cl, "certificate-authority-data");
	const char *file = ikc_json_str(cl, "certificate-authority");
	int error;

	if (data && *data) {
		error = ikc_kube_ca_from_base64(&c->ca_pem, &c->ca_len, data);
		if (error < 0)
			return ikc_error_wrap(error, "kubeconfig context "
					      "\"%s\": certificate-authority-"
					      "data: ", ctxname);
		return 0;
	}
	if (file && *file)
		return kc_read(&c->ca_pem, &c->ca_len, env, file,
			       "certificate-authority", ctxname);
	return 0;
}

/* The user's credential: a static token (inline or file), else Google's. */
static int kc_user(ikc_kube_conn *c, ikc_provider_env *env, json_object *user,
		   const char *ctxname)
{
	const char *token = user ? ikc_json_str(user, "token") : NULL;
	const char *file = user ? ikc_json_str(user, "tokenFile") : NULL;
	size_t n;
	int error;

	if (token && *token) {
		c->token = strdup(token);
		return c->token ? 0 : ikc_error_oom();
	}
	if (file && *file) {
		error = kc_read(&c->token, &n, env, file, "tokenFile",
				ctxname);
		if (error < 0)
			return error;
		while (n > 0 && (c->token[n - 1] == '\n' ||
				 c->token[n - 1] == '\r' ||
				 c->token[n - 1] == ' '))
			c->token[--n] = '\0';
		return 0;
	}
	if (user && (ikc_json_path(user, "client-certificate-data") ||
		     ikc_json_path(user, "client-certificate")))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "kubeconfig context \"%s\": client "
					  "certificates are not supported; "
					  "use a bearer token", ctxname);
	if (env->google) {
		/* exec plugins (gke-gcloud-auth-plugin) hand out the same
		 * Google access token (api-reference.md §3.3) */
		c->google = env->google;
		return 0;
	}
	return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
				  "kubeconfig context \"%s\": user has no "
				  "token and no Google credentials are set",
				  ctxname);
}

static int conn_from_kubeconfig(ikc_kube_conn **out, ikc_provider_env *env)
{
	json_object *kc = env->kubeconfig, *ctx, *cl, *user;
	const char *ctxname = env->kube_context, *server;
	ikc_kube_conn *c = NULL;
	int error;

	*out = NULL;
	if (!ctxname)
		ctxname = ikc_json_str(kc, "current-context");
	if (!ctxname || !*ctxname)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "kubeconfig has no current-context "
					  "and the stack names no context");
	ctx = kc_named(kc, "contexts", ctxname, "context");
	if (!ctx)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "kubeconfig has no context \"%s\"",
					  ctxname);
	cl = kc_named(kc, "clusters", ikc_json_str(ctx, "cluster"), "cluster");
	if (!cl)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "kubeconfig context \"%s\": no "
					  "cluster \"%s\"", ctxname,
					  ikc_json_str(ctx, "cluster") ?
					  ikc_json_str(ctx, "cluster") : "");
	user = kc_named(kc, "users", ikc_json_str(ctx, "user"), "user");
	server = ikc_json_str(cl, "server");
	if (!server || !*server)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "kubeconfig context \"%s\": cluster "
					  "has no server", ctxname);
	if (!ikc_str_startswith(server, "https://"))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "kubeconfig context \"%s\": server "
					  "\"%s\" is not https://: ikc sends "
					  "credentials over TLS only", ctxname,
					  server);
	if (kc_true(cl, "insecure-skip-tls-verify"))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "kubeconfig context \"%s\": "
					  "insecure-skip-tls-verify is refused: "
					  "ikc always verifies TLS (give "
					  "certificate-authority-data)",
					  ctxname);
	error = conn_new(&c);
	if (error < 0)
		return error;
	error = set_server(c, server);
	if (error < 0)
		goto done;
	error = kc_ca(c, env, cl, ctxname);
	if (error == 0)
		error = kc_user(c, env, user, ctxname);
	if (error < 0)
		goto done;
	if (c->token)
		ikc_redact_register(c->token);
	c->key = ikc_asprintf("kubeconfig %s", ctxname);
	if (!c->key) {
		error = ikc_error_oom();
		goto done;
	}
	*out = c;
	c = NULL;
done:
	conn_free(c);
	return error;
}

/*
 * The cache key of a target's cluster, computed without building a
 * connection: endpoint + CA text of a stack Cluster (a Cluster replaced in
 * this run gets a new CA), or the kubeconfig context.  Owned; NULL when
 * there is no usable target (building the connection then says why).
 */
static char *conn_key(ikc_provider_env *env, const ikc_target *t)
{
	json_object *cl = t->cluster_live, *ca;
	const char *endpoint, *ctxname, *ca_b64;

	if (cl) {
		endpoint = ikc_json_str(cl, "endpoint");
		if (!endpoint)
			endpoint = ikc_json_str(ikc_json_path(cl, "spec"),
						"endpoint");
		ca = ikc_json_path(cl, "masterAuth.clusterCaCertificate");
		if (!ca)
			ca = ikc_json_path(
				cl, "spec.masterAuth.clusterCaCertificate");
		ca_b64 = ca ? json_object_get_string(ca) : NULL;
		if (!endpoint || !ca_b64)
			return NULL;
		return ikc_asprintf("gke %s %016llx", endpoint,
				    ikc_str_hash64(ca_b64, strlen(ca_b64)));
	}
	if (!env->kubeconfig)
		return NULL;
	ctxname = env->kube_context ? env->kube_context :
		  ikc_json_str(env->kubeconfig, "current-context");
	return ctxname ? ikc_asprintf("kubeconfig %s", ctxname) : NULL;
}

static ikc_kube_conn *conn_find(struct kube_priv *p, const char *key)
{
	ikc_kube_conn *it;

	for (it = p->conns; it; it = it->next)
		if (!strcmp(it->key, key))
			return it;
	return NULL;
}

int ikc_kube__conn(ikc_kube_conn **out, ikc_provider_env *env,
		   const ikc_target *t)
{
	struct kube_priv *p = priv_get(env);
	ikc_kube_conn *c = NULL, *it = NULL;
	char *key = NULL;
	int error = 0;

	*out = NULL;
	if (!p)
		return ikc_error_oom();
	key = conn_key(env, t);
	if (key) {
		pthread_mutex_lock(&p->mu);
		it = conn_find(p, key);
		pthread_mutex_unlock(&p->mu);
		if (it)
			goto done;
	}
	if (t->cluster_live)
		error = conn_from_cluster(&c, env, t, t->cluster_live);
	else if (env->kubeconfig)
		error = conn_from_kubeconfig(&c, env);
	else
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					   "%s: no target cluster: the stack "
					   "names neither a Cluster nor a "
					   "kubeconfig", t->address);
	if (error < 0)
		goto done;
	if (key) {
		free(c->key);
		c->key = key;
		key = NULL;
	}
	/* keep the first connection made for this cluster (and its
	 * discovery); a racing thread's duplicate is dropped */
	pthread_mutex_lock(&p->mu);
	it = conn_find(p, c->key);
	if (!it) {
		c->next = p->conns;
		p->conns = c;
		it = c;
		c = NULL;
	}
	pthread_mutex_unlock(&p->mu);
done:
	conn_free(c);
	free(key);
	*out = error < 0 ? NULL : it;
	return error;
}

static int static_token_fn(void *ctx, ikc_http_client *client, char **out)
{
	(void)client;
	*out = strdup(ctx);
	return *out ? 0 : ikc_error_oom();
}

int ikc_kube__call(ikc_provider_env *env, ikc_kube_conn *c,
		   const char *method, const char *path, const char *body,
		   const char *content_type, ikc_http_response *resp)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	static const char *const headers[] = { "Accept: application/json",
					       NULL };
	char *url = ikc_asprintf("%s%s", c->server, path);
	int error, tries;

	if (!url)
		return ikc_error_oom();
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.content_type = content_type;
	req.ca_pem = c->ca_pem;
	req.ca_pem_len = c->ca_len;
	if (c->token) {
		req.token_fn = static_token_fn;
		req.token_ctx = c->token;
	} else if (c->google) {
		req.token_fn = ikc_google_token_fn;
		req.token_ctx = c->google;
	}
	for (tries = 0;; tries++) {
		error = ikc_http_do(env->http, &req, resp);
		if (error < 0 || resp->status != 401 || !c->google ||
		    tries > 0)
			break;
		/* the token may have been revoked or expired early */
		ikc_google_creds_invalidate(c->google);
	}
	free(url);
	return error;
}

int ikc_kube__fail(ikc_kube_conn *c, const char *address, const char *method,
		   const char *path, const ikc_http_response *resp)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	char *url = ikc_asprintf("%s%s", c->server, path);
	int code;

	req.method = method;
	req.url = url ? url : path;
	code = ikc_http_response_error(&req, resp);
	free(url);
	return address ? ikc_error_wrap(code, "%s: ", address) : code;
}

int ikc_kube__parse(json_object **out, const ikc_http_response *resp,
		    const char *method, const char *path)
{
	char what[512];
	int error;

	*out = NULL;
	(void)snprintf(what, sizeof(what), "response to %s %s", method, path);
	error = ikc_json_parse(out, resp->body.ptr ? resp->body.ptr : "",
			       resp->body.len, what);
	if (error < 0)
		return error;
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "%s is not a JSON object", what);
	}
	return 0;
}

/* GET and parse one discovery document (no address prefix on errors). */
static int get_doc(json_object **out, ikc_provider_env *env, ikc_kube_conn *c,
		   const char *path, long *status)
{
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	int error;

	*out = NULL;
	*status = 0;
	error = ikc_kube__call(env, c, "GET", path, NULL, NULL, &resp);
	if (error < 0)
		goto done;
	*status = resp.status;
	if (!ikc_http_response_ok(&resp)) {
		error = ikc_kube__fail(c, NULL, "GET", path, &resp);
		goto done;
	}
	error = ikc_kube__parse(out, &resp, "GET", path);
done:
	ikc_http_response_dispose(&resp);
	return error;
}

/* The groupVersions the cluster serves (owned array of strings), for hints. */
static json_object *served_versions(ikc_provider_env *env, ikc_kube_conn *c)
{
	json_object *doc = NULL, *groups, *res = json_object_new_array();
	long status;
	size_t i, j, n, m;

	if (!res || ikc_json_append(res, json_object_new_string("v1")) < 0)
		goto done;
	if (get_doc(&doc, env, c, "/apis", &status) < 0) {
		ikc_error_clear();
		goto done;
	}
	groups = ikc_json_path(doc, "groups");
	n = groups && json_object_is_type(groups, json_type_array) ?
	    json_object_array_length(groups) : 0;
	for (i = 0; i < n; i++) {
		json_object *vs = ikc_json_path(
			json_object_array_get_idx(groups, i), "versions");

		m = vs && json_object_is_type(vs, json_type_array) ?
		    json_object_array_length(vs) : 0;
		for (j = 0; j < m; j++) {
			const char *gv = ikc_json_str(
				json_object_array_get_idx(vs, j),
				"groupVersion");

			if (gv)
				(void)ikc_json_append(
					res, json_object_new_string(gv));
		}
	}
done:
	json_object_put(doc);
	return res;
}

/* Builds a "did you mean" among the strings of `arr`. */
static const char *suggest_in(const char *word, json_object *arr)
{
	const char *cand[256];
	size_t i, n = arr ? json_object_array_length(arr) : 0;

	if (n > 256)
		n = 256;
	for (i = 0; i < n; i++)
		cand[i] = json_object_get_string(
			json_object_array_get_idx(arr, i));
	return ikc_str_suggest(word, cand, n);
}

/* The resources list of a groupVersion (borrowed from c->gv, cached). */
static int gv_resources(json_object **out, ikc_provider_env *env,
			ikc_kube_conn *c, const char *api_version,
			const char *prefix)
{
	json_object *doc = NULL, *res = NULL, *cached;
	long status;
	int error = 0;

	*out = NULL;
	pthread_mutex_lock(&c->mu);
	if (json_object_object_get_ex(c->gv, api_version, &cached))
		*out = cached;
	pthread_mutex_unlock(&c->mu);
	if (*out)
		return 0;
	/* Parallel reads all miss the cache at first: one thread fetches, the
	 * others wait for it and take its answer instead of asking again. */
	pthread_mutex_lock(&c->fetch_mu);
	pthread_mutex_lock(&c->mu);
	if (json_object_object_get_ex(c->gv, api_version, &cached))
		*out = cached;
	pthread_mutex_unlock(&c->mu);
	if (*out)
		goto done;
	error = get_doc(&doc, env, c, prefix, &status);
	if (error < 0) {
		if (status == 404) {
			json_object *vs = served_versions(env, c);
			const char *hint = suggest_in(api_version, vs);

			error = ikc_error_set_code(
				IKC_ENOTFOUND, IKC_ERR_PROVIDER,
				"apiVersion \"%s\" is not served by the "
				"cluster at %s%s%s%s", api_version, c->server,
				hint ? " (did you mean \"" : "",
				hint ? hint : "", hint ? "\"?)" : "");
			json_object_put(vs);
		}
		goto done;
	}
	res = ikc_json_path(doc, "resources");
	if (!res || !json_object_is_type(res, json_type_array)) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					   "GET %s%s: no resources list",
					   c->server, prefix);
		goto done;
	}
	pthread_mutex_lock(&c->mu);
	if (!json_object_object_get_ex(c->gv, api_version, &cached)) {
		cached = json_object_get(res);
		if (json_object_object_add(c->gv, api_version, cached) < 0) {
			json_object_put(cached);
			cached = NULL;
		}
	}
	*out = cached;
	pthread_mutex_unlock(&c->mu);
	if (!*out)
		error = ikc_error_oom();
done:
	pthread_mutex_unlock(&c->fetch_mu);
	json_object_put(doc);
	return error;
}

void ikc_kube__res_dispose(ikc_kube_res *r)
{
	if (!r)
		return;
	free(r->prefix);
	free(r->plural);
	r->prefix = NULL;
	r->plural = NULL;
}

int ikc_kube__resolve(ikc_kube_res *out, ikc_provider_env *env,
		      ikc_kube_conn *c, const char *api_version,
		      const char *kind)
{
	json_object *list = NULL, *kinds = NULL;
	size_t i, n;
	int error;

	memset(out, 0, sizeof(*out));
	if (!api_version || !*api_version || !kind || !*kind)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "object has no apiVersion or kind");
	if (strchr(api_version, '/'))
		out->prefix = ikc_asprintf("/apis/%s", api_version);
	else
		out->prefix = ikc_asprintf("/api/%s", api_version);
	if (!out->prefix)
		return ikc_error_oom();
	error = gv_resources(&list, env, c, api_version, out->prefix);
	if (error < 0)
		goto done;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(list, i), *ns;
		const char *name = ikc_json_str(r, "name");
		const char *k = ikc_json_str(r, "kind");

		if (!name || !k || strchr(name, '/') || strcmp(k, kind))
			continue;
		out->plural = strdup(name);
		if (!out->plural) {
			error = ikc_error_oom();
			goto done;
		}
		out->namespaced = json_object_object_get_ex(r, "namespaced",
							    &ns) &&
				  json_object_get_boolean(ns);
		goto done;
	}
	kinds = json_object_new_array();
	for (i = 0; kinds && i < n; i++) {
		json_object *r = json_object_array_get_idx(list, i);
		const char *name = ikc_json_str(r, "name");

		if (name && !strchr(name, '/') && ikc_json_str(r, "kind"))
			(void)ikc_json_append(kinds, json_object_new_string(
				ikc_json_str(r, "kind")));
	}
	{
		const char *hint = suggest_in(kind, kinds);

		error = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_PROVIDER,
					   "kind \"%s\" is not served by "
					   "apiVersion \"%s\" on the cluster "
					   "at %s%s%s%s", kind, api_version,
					   c->server,
					   hint ? " (did you mean \"" : "",
					   hint ? hint : "",
					   hint ? "\"?)" : "");
	}
done:
	json_object_put(kinds);
	if (error < 0)
		ikc_kube__res_dispose(out);
	return error;
}

char *ikc_kube__escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, j = 0;
	char *out = malloc(n * 3 + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			out[j++] = (char)ch;
		} else {
			out[j++] = '%';
			out[j++] = hex[ch >> 4];
			out[j++] = hex[ch & 15];
		}
	}
	out[j] = '\0';
	return out;
}

const char *ikc_kube__namespace(const ikc_target *t)
{
	const char *ns = t->namespace_;

	if (!ns && t->desired)
		ns = ikc_json_str(ikc_json_path(t->desired, "metadata"),
				  "namespace");
	return ns && *ns ? ns : "default";
}

int ikc_kube__path(char **out, const ikc_kube_res *r, const char *ns,
		   const char *name, const char *query)
{
	char *ens = NULL, *ename = NULL;
	int error = 0;

	*out = NULL;
	if (r->namespaced) {
		ens = ikc_kube__escape(ns ? ns : "default");
		if (!ens) {
			error = ikc_error_oom();
			goto done;
		}
	}
	if (name) {
		ename = ikc_kube__escape(name);
		if (!ename) {
			error = ikc_error_oom();
			goto done;
		}
	}
	*out = ikc_asprintf("%s%s%s/%s%s%s%s%s", r->prefix,
			    ens ? "/namespaces/" : "", ens ? ens : "",
			    r->plural, ename ? "/" : "", ename ? ename : "",
			    query ? "?" : "", query ? query : "");
	if (!*out)
		error = ikc_error_oom();
done:
	free(ens);
	free(ename);
	return error;
}
