/* test_sim.c - the Kubernetes provider against a real ikc-sim: create, wait, read, patch, delete, kubeconfig, timeouts */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "http/auth/google.h"
#include "http/auth/kube.h"
#include "http/http.h"
#include "providers/kubernetes/kube.h"
#include "providers/private.h"
#include "providers/runtime.h"
#include "simproc.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

#define LOC "projects/p/locations/asia-east1-a"
#define STACK "kt"

struct world {
	struct simproc sim;
	ikc_http_client *http;
	ikc_google_creds *google;
	json_object *c1;         /* GKE cluster with 2 nodes (GET result) */
	json_object *c0;         /* cluster whose only pool has 0 nodes */
	ikc_stack stack;
	ikc_provider_env env;
	char *progress;          /* last progress text seen */
	pthread_mutex_t mu;
};

static struct world W;

static void on_progress(void *ctx, const char *address, const char *text)
{
	struct world *w = ctx;

	(void)address;
	pthread_mutex_lock(&w->mu);
	free(w->progress);
	w->progress = strdup(text);
	pthread_mutex_unlock(&w->mu);
}

static void sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static json_object *J(const char *text)
{
	json_object *v = NULL;

	assert_int_equal(0, ikc_json_parse(&v, text, strlen(text), "test"));
	return v;
}

/*
 * A raw request (not through the provider): to the GKE API when ca_pem is
 * NULL, else to a cluster.  Returns the parsed body (owned, NULL when
 * empty) and the status in *status.
 */
static json_object *raw(const char *method, const char *url, const char *body,
			const char *ca_pem, const char *content_type,
			long *status)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	json_object *out = NULL;

	req.method = method;
	req.url = url;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.content_type = content_type;
	req.ca_pem = ca_pem;
	req.ca_pem_len = ca_pem ? strlen(ca_pem) : 0;
	req.token_fn = ikc_google_token_fn;
	req.token_ctx = W.google;
	if (ikc_http_do(W.http, &req, &resp) < 0)
		fail_msg("%s %s: %s", method, url, ikc_error_last());
	*status = resp.status;
	if (resp.body.len)
		(void)ikc_json_parse(&out, resp.body.ptr, resp.body.len, url);
	ikc_http_response_dispose(&resp);
	return out;
}

/* Creates a GKE cluster with one pool of `nodes` nodes; returns its GET. */
static json_object *make_cluster(const char *name, int nodes)
{
	char url[512], body[512], op_url[1024];
	json_object *op, *cl;
	const char *st;
	long status;
	int i;

	(void)snprintf(url, sizeof(url), "%sv1/" LOC "/clusters", W.sim.url);
	(void)snprintf(body, sizeof(body),
		       "{\"cluster\":{\"name\":\"%s\",\"nodePools\":[{\"name\":"
		       "\"default-pool\",\"initialNodeCount\":%d,\"config\":"
		       "{\"machineType\":\"n1-standard-2\"}}]}}", name, nodes);
	op = raw("POST", url, body, NULL, NULL, &status);
	assert_int_equal(200, status);
	(void)snprintf(op_url, sizeof(op_url), "%sv1/" LOC "/operations/%s",
		       W.sim.url, ikc_json_str(op, "name"));
	json_object_put(op);
	for (i = 0; i < 400; i++) {
		op = raw("GET", op_url, NULL, NULL, NULL, &status);
		assert_int_equal(200, status);
		st = ikc_json_str(op, "status");
		if (st && !strcmp(st, "DONE")) {
			json_object_put(op);
			break;
		}
		json_object_put(op);
		sleep_s(0.05);
	}
	assert_true(i < 400);
	(void)snprintf(url, sizeof(url), "%sv1/" LOC "/clusters/%s",
		       W.sim.url, name);
	cl = raw("GET", url, NULL, NULL, NULL, &status);
	assert_int_equal(200, status);
	assert_non_null(ikc_json_str(cl, "endpoint"));
	return cl;
}

/* The cluster's CA (PEM, owned) and its base URL (owned). */
static char *cluster_ca(json_object *cl)
{
	char *pem = NULL;
	size_t len;

	assert_int_equal(0, ikc_kube_ca_from_base64(
				    &pem, &len,
				    json_object_get_string(ikc_json_path(
					    cl,
					    "masterAuth.clusterCaCertificate"))));
	return pem;
}

/* A raw call to a cluster's API (another client than ikc). */
static json_object *kube_raw(json_object *cl, const char *method,
			     const char *path, const char *body,
			     const char *ct, long *status)
{
	char *ca = cluster_ca(cl);
	char *url = ikc_asprintf("https://%s%s", ikc_json_str(cl, "endpoint"),
				 path);
	json_object *out = raw(method, url, body, ca, ct, status);

	free(url);
	free(ca);
	return out;
}

static int group_setup(void **state)
{
	ikc_http_options opts = IKC_HTTP_OPTIONS_INIT;

	(void)state;
	memset(&W, 0, sizeof(W));
	pthread_mutex_init(&W.mu, NULL);
	if (simproc_start(&W.sim, "--speed 500") < 0)
		return -1;
	opts.ca_bundle = W.sim.ca;
	if (ikc_http_client_new(&W.http, &opts) < 0 ||
	    ikc_google_creds_from_file(&W.google, W.sim.credentials) < 0) {
		fprintf(stderr, "setup: %s\n", ikc_error_last());
		return -1;
	}
	W.c1 = make_cluster("c1", 2);
	W.c0 = make_cluster("c0", 0);
	W.stack.name = STACK;
	W.env.http = W.http;
	W.env.google = W.google;
	W.env.stack = &W.stack;
	W.env.parallelism = 4;
	W.env.kube_ready_deadline = 30;
	W.env.poll_interval = 0.05;
	W.env.progress = on_progress;
	W.env.progress_ctx = &W;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ikc_kube__env_dispose(&W.env);
	json_object_put(W.c1);
	json_object_put(W.c0);
	ikc_google_creds_free(W.google);
	ikc_http_client_free(W.http);
	simproc_stop(&W.sim);
	free(W.progress);
	pthread_mutex_destroy(&W.mu);
	return 0;
}

static ikc_target target(const char *address, const char *api_version,
			 const char *kind, const char *name,
			 json_object *desired, json_object *cluster)
{
	ikc_target t;

	memset(&t, 0, sizeof(t));
	t.address = address;
	t.api_version = api_version;
	t.kind = kind;
	t.name = name;
	t.namespace_ = "default";
	t.desired = desired;
	t.cluster_live = cluster;
	return t;
}

static const char *const RC_NGINX =
	"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\","
	"\"metadata\":{\"name\":\"nginx\"},\"spec\":{\"replicas\":2,"
	"\"selector\":{\"app\":\"nginx\"},\"template\":{\"metadata\":"
	"{\"name\":\"nginx\",\"labels\":{\"app\":\"nginx\"}},\"spec\":"
	"{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\","
	"\"ports\":[{\"containerPort\":80}]}]}}}}";

static const char *const SVC_NGINX =
	"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
	"{\"labels\":{\"name\":\"nginxservice\"},\"name\":\"nginxservice\"},"
	"\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":80}],"
	"\"selector\":{\"app\":\"nginx\"},\"type\":\"LoadBalancer\"}}";

static const ikc_provider_ops *K(void)
{
	return ikc_kubernetes_provider();
}

static void create_ok(ikc_provider_env *env, const ikc_target *t,
		      const char *want_id)
{
	char *op = NULL, *id = NULL;
	int rc = K()->create(env, t, &op, &id);

	if (rc < 0)
		fail_msg("create %s: %d %s", t->address, rc, ikc_error_last());
	assert_null(op);
	assert_non_null(id);
	if (want_id)
		assert_string_equal(want_id, id);
	free(id);
}

static void wait_ok(ikc_provider_env *env, const ikc_target *t, int deleting)
{
	int rc = K()->wait(env, t, deleting, NULL);

	if (rc < 0)
		fail_msg("wait %s: %d %s", t->address, rc, ikc_error_last());
}

/* The reference RC and LoadBalancer Service: created, ready, read back. */
static void test_providers_kube_sim__reference_create_wait_read(void **state)
{
	json_object *rc = J(RC_NGINX), *svc = J(SVC_NGINX), *live = NULL;
	ikc_target trc = target("ReplicationController/nginx", "v1",
				"ReplicationController", "nginx", rc, W.c1);
	ikc_target tsvc = target("Service/nginxservice", "v1", "Service",
				 "nginxservice", svc, W.c1);
	const char *ip;

	(void)state;
	create_ok(&W.env, &trc,
		  "/api/v1/namespaces/default/replicationcontrollers/nginx");
	create_ok(&W.env, &tsvc, "/api/v1/namespaces/default/services/"
		  "nginxservice");
	wait_ok(&W.env, &trc, 0);
	wait_ok(&W.env, &tsvc, 0);

	assert_int_equal(0, K()->read(&W.env, &trc, &live));
	assert_int_equal(2, json_object_get_int(
				    ikc_json_path(live, "status.readyReplicas")));
	assert_int_equal(1, ikc_kube_owned_by(live, STACK));
	assert_string_equal("nginx", ikc_json_str(
				    ikc_json_path(live, "metadata.labels"),
				    "app"));
	json_object_put(live);

	assert_int_equal(0, K()->read(&W.env, &tsvc, &live));
	assert_int_equal(1, ikc_kube_owned_by(live, STACK));
	/* the user's own label is there beside ikc's */
	assert_string_equal("nginxservice", ikc_json_str(
				    ikc_json_path(live, "metadata.labels"),
				    "name"));
	ip = json_object_get_string(ikc_json_path(
		live, "status.loadBalancer.ingress[0].ip"));
	assert_non_null(ip);
	assert_true(strlen(ip) >= 7);
	json_object_put(live);

	/* the stack's desired value was not touched by the labels */
	assert_null(ikc_json_path(rc, "metadata.labels"));
	json_object_put(rc);
	json_object_put(svc);
}

#define RC_WEB_PATH "/api/v1/namespaces/default/replicationcontrollers/web"
#define RC_WEB_PATCH "cluster/c1 PATCH " RC_WEB_PATH
#define RC_WEB_PUT "cluster/c1 PUT " RC_WEB_PATH

/* Count of a route in /_sim/calls. */
static long calls(const char *route)
{
	char url[512];
	json_object *doc, *routes, *v;
	long status, n = 0;

	(void)snprintf(url, sizeof(url), "%s_sim/calls", W.sim.url);
	doc = raw("GET", url, NULL, NULL, NULL, &status);
	assert_int_equal(200, status);
	routes = ikc_json_path(doc, "routes");
	if (routes && json_object_object_get_ex(routes, route, &v))
		n = json_object_get_int(v);
	json_object_put(doc);
	return n;
}

static const char *const RC_WEB_V1 =
	"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\","
	"\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\","
	"\"tier\":\"front\"}},\"spec\":{\"replicas\":2,"
	"\"selector\":{\"app\":\"web\"},\"template\":{\"metadata\":"
	"{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":"
	"\"web\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":80},"
	"{\"containerPort\":443}]}]}}}}";

/* The same with replicas 3, port 443 and label tier dropped. */
static const char *const RC_WEB_V2 =
	"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\","
	"\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}},"
	"\"spec\":{\"replicas\":3,"
	"\"selector\":{\"app\":\"web\"},\"template\":{\"metadata\":"
	"{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":"
	"\"web\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":80}"
	"]}]}}}}";

/*
 * Update by patch: replicas 2 -> 3, a port and a label the last applied
 * value had are removed live, an annotation another client added stays.
 */
static void test_providers_kube_sim__update_by_three_way_patch(void **state)
{
	json_object *v1 = J(RC_WEB_V1), *v2 = J(RC_WEB_V2), *st, *live = NULL;
	json_object *ports, *other;
	ikc_target t = target("ReplicationController/web", "v1",
			      "ReplicationController", "web", v1, W.c1);
	long status, patches, puts;
	int gen;

	(void)state;
	create_ok(&W.env, &t, NULL);
	wait_ok(&W.env, &t, 0);

	/* someone else annotates and labels it */
	other = kube_raw(W.c1, "PATCH",
			 "/api/v1/namespaces/default/replicationcontrollers/web",
			 "{\"metadata\":{\"annotations\":{\"team\":\"blue\"},"
			 "\"labels\":{\"owner\":\"ops\"}}}",
			 "application/merge-patch+json", &status);
	assert_int_equal(200, status);
	json_object_put(other);

	assert_int_equal(0, K()->read(&W.env, &t, &live));
	gen = json_object_get_int(ikc_json_path(live, "metadata.generation"));
	st = json_object_new_object();
	assert_int_equal(0, ikc_json_add(st, "desired", ikc_json_copy(v1)));
	t.desired = v2;
	t.state = st;
	patches = calls(RC_WEB_PATCH);
	puts = calls(RC_WEB_PUT);
	if (K()->update(&W.env, &t, live, NULL, 0) < 0)
		fail_msg("update: %s", ikc_error_last());
	json_object_put(live);
	live = NULL;
	/* one PATCH, no PUT */
	assert_int_equal(patches + 1,
			 calls(RC_WEB_PATCH));
	assert_int_equal(puts, calls(RC_WEB_PUT));
	wait_ok(&W.env, &t, 0);

	assert_int_equal(0, K()->read(&W.env, &t, &live));
	assert_int_equal(3, json_object_get_int(
				    ikc_json_path(live, "spec.replicas")));
	assert_int_equal(3, json_object_get_int(
				    ikc_json_path(live, "status.readyReplicas")));
	assert_int_equal(gen + 1, json_object_get_int(
				    ikc_json_path(live, "metadata.generation")));
	ports = ikc_json_path(live,
			      "spec.template.spec.containers[0].ports");
	assert_non_null(ports);
	assert_int_equal(1, json_object_array_length(ports));
	assert_int_equal(80, json_object_get_int(ikc_json_path(
				     live, "spec.template.spec.containers[0]."
				     "ports[0].containerPort")));
	/* server defaults of the kept port are untouched */
	assert_string_equal("TCP", json_object_get_string(ikc_json_path(
				     live, "spec.template.spec.containers[0]."
				     "ports[0].protocol")));
	/* the other client's annotation and label are kept, ours removed */
	assert_string_equal("blue", ikc_json_str(ikc_json_path(
				     live, "metadata.annotations"), "team"));
	assert_string_equal("ops", ikc_json_str(ikc_json_path(
				     live, "metadata.labels"), "owner"));
	assert_null(ikc_json_str(ikc_json_path(live, "metadata.labels"),
				 "tier"));
	assert_int_equal(1, ikc_kube_owned_by(live, STACK));
	json_object_put(live);
	live = NULL;

	/* nothing left to change: no further PATCH */
	assert_int_equal(0, json_object_object_add(st, "desired",
						   ikc_json_copy(v2)));
	patches = calls(RC_WEB_PATCH);
	assert_int_equal(0, K()->update(&W.env, &t, NULL, NULL, 0));
	assert_int_equal(patches,
			 calls(RC_WEB_PATCH));

	/* delete: gone, and its pods go too (Background propagation) */
	{
		char *op = NULL;
		json_object *pods = NULL;
		int i, n = -1;

		assert_int_equal(0, K()->remove(&W.env, &t, &op));
		assert_null(op);
		wait_ok(&W.env, &t, 1);
		assert_int_equal(IKC_ENOTFOUND, K()->read(&W.env, &t, &live));
		assert_int_equal(IKC_ENOTFOUND, K()->remove(&W.env, &t, &op));
		for (i = 0; i < 200; i++) {
			pods = kube_raw(W.c1, "GET", "/api/v1/namespaces/"
					"default/pods?labelSelector=app%3Dweb",
					NULL, NULL, &status);
			assert_int_equal(200, status);
			n = (int)json_object_array_length(
				ikc_json_path(pods, "items"));
			json_object_put(pods);
			if (n == 0)
				break;
			sleep_s(0.05);
		}
		assert_int_equal(0, n);
	}
	json_object_put(st);
	json_object_put(v1);
	json_object_put(v2);
}

/* A kubeconfig (JSON, as stack/ parses it) pointing at cluster c1. */
static json_object *kubeconfig_for(json_object *cl, const char *token,
				   int insecure)
{
	char *text = ikc_asprintf(
		"{\"apiVersion\":\"v1\",\"kind\":\"Config\",\"clusters\":[{"
		"\"name\":\"sim-c1\",\"cluster\":{\"server\":\"https://%s\","
		"\"certificate-authority-data\":\"%s\"%s}}],\"users\":[{"
		"\"name\":\"u\",\"user\":{\"token\":\"%s\"}}],\"contexts\":[{"
		"\"name\":\"other\",\"context\":{\"cluster\":\"nope\","
		"\"user\":\"u\"}},{\"name\":\"sim\",\"context\":{\"cluster\":"
		"\"sim-c1\",\"user\":\"u\"}}],\"current-context\":\"sim\"}",
		ikc_json_str(cl, "endpoint"),
		json_object_get_string(ikc_json_path(
			cl, "masterAuth.clusterCaCertificate")),
		insecure ? ",\"insecure-skip-tls-verify\":true" : "", token);
	json_object *kc = J(text);

	free(text);
	return kc;
}

/* A kubeconfig target works the same: create, wait, read, update, delete. */
static void test_providers_kube_sim__kubeconfig_target(void **state)
{
	ikc_provider_env env;
	json_object *kc, *cm, *cm2, *rc, *live = NULL, *st;
	ikc_target t, trc;
	char *token = NULL, *op = NULL;

	(void)state;
	assert_int_equal(0, ikc_google_token(W.google, W.http, &token));
	kc = kubeconfig_for(W.c1, token, 0);
	memset(&env, 0, sizeof(env));
	env.http = W.http;
	env.stack = &W.stack;     /* no Google credentials: the token only */
	env.kubeconfig = kc;
	env.kube_ready_deadline = 30;
	env.poll_interval = 0.05;

	cm = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
	       "{\"name\":\"settings\"},\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
	t = target("ConfigMap/settings", "v1", "ConfigMap", "settings", cm,
		   NULL);
	create_ok(&env, &t, "/api/v1/namespaces/default/configmaps/settings");
	wait_ok(&env, &t, 0);
	assert_int_equal(0, K()->read(&env, &t, &live));
	assert_string_equal("2", ikc_json_str(ikc_json_path(live, "data"),
					      "b"));
	assert_int_equal(1, ikc_kube_owned_by(live, STACK));
	json_object_put(live);
	live = NULL;

	/* data.b dropped from the file -> removed live */
	cm2 = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
		"{\"name\":\"settings\"},\"data\":{\"a\":\"9\"}}");
	st = json_object_new_object();
	assert_int_equal(0, ikc_json_add(st, "desired", ikc_json_copy(cm)));
	t.desired = cm2;
	t.state = st;
	assert_int_equal(0, K()->update(&env, &t, NULL, NULL, 0));
	assert_int_equal(0, K()->read(&env, &t, &live));
	assert_string_equal("9", ikc_json_str(ikc_json_path(live, "data"),
					      "a"));
	assert_null(ikc_json_str(ikc_json_path(live, "data"), "b"));
	json_object_put(live);
	live = NULL;

	/* a controller through the kubeconfig, with readiness */
	rc = J(RC_NGINX);
	assert_int_equal(0, ikc_json_set_path(rc, "metadata.name",
					      json_object_new_string("kc")));
	assert_int_equal(0, ikc_json_set_path(
				    rc, "spec.selector",
				    J("{\"app\":\"kc\"}")));
	assert_int_equal(0, ikc_json_set_path(
				    rc, "spec.template.metadata.labels",
				    J("{\"app\":\"kc\"}")));
	trc = target("ReplicationController/kc", "v1",
		     "ReplicationController", "kc", rc, NULL);
	create_ok(&env, &trc, NULL);
	wait_ok(&env, &trc, 0);
	assert_int_equal(0, K()->read(&env, &trc, &live));
	assert_int_equal(2, json_object_get_int(
				    ikc_json_path(live, "status.readyReplicas")));
	json_object_put(live);
	live = NULL;

	assert_int_equal(0, K()->remove(&env, &t, &op));
	wait_ok(&env, &t, 1);
	assert_int_equal(0, K()->remove(&env, &trc, &op));
	wait_ok(&env, &trc, 1);
	assert_int_equal(IKC_ENOTFOUND, K()->read(&env, &trc, &live));

	ikc_kube__env_dispose(&env);
	json_object_put(kc);

	/* another context by name: its cluster does not exist */
	kc = kubeconfig_for(W.c1, token, 0);
	env.kubeconfig = kc;
	env.kube_context = "other";
	assert_int_equal(IKC_EINVALID, K()->read(&env, &t, &live));
	assert_non_null(strstr(ikc_error_last(), "nope"));
	ikc_kube__env_dispose(&env);
	json_object_put(kc);

	/* the CA as a file next to the kubeconfig instead of inline data */
	{
		char *pem = cluster_ca(W.c1), *dir, *kcpath, *capath;
		ikc_stack st2;
		FILE *f;

		dir = ikc_asprintf("%s/kc", W.sim.dir);
		assert_non_null(dir);
		assert_int_equal(0, mkdir(dir, 0700));
		capath = ikc_asprintf("%s/cluster-ca.pem", dir);
		kcpath = ikc_asprintf("%s/config", dir);
		f = fopen(capath, "w");
		assert_non_null(f);
		assert_int_equal(1, fwrite(pem, strlen(pem), 1, f));
		assert_int_equal(0, fclose(f));
		kc = kubeconfig_for(W.c1, token, 0);
		json_object_object_del(ikc_json_path(kc, "clusters[0].cluster"),
				       "certificate-authority-data");
		assert_int_equal(0, ikc_json_set_path(
				    kc, "clusters[0].cluster.certificate-authority",
				    json_object_new_string("cluster-ca.pem")));
		memset(&st2, 0, sizeof(st2));
		st2.name = STACK;
		st2.kubeconfig = kcpath;   /* relative paths start here */
		env.stack = &st2;
		env.kubeconfig = kc;
		env.kube_context = NULL;
		t.desired = cm;
		create_ok(&env, &t, NULL);
		assert_int_equal(0, K()->read(&env, &t, &live));
		json_object_put(live);
		live = NULL;
		assert_int_equal(0, K()->remove(&env, &t, &op));
		wait_ok(&env, &t, 1);
		ikc_kube__env_dispose(&env);
		env.stack = &W.stack;
		json_object_put(kc);
		assert_int_equal(0, unlink(capath));
		assert_int_equal(0, rmdir(dir));
		free(pem);
		free(dir);
		free(capath);
		free(kcpath);
	}

	/* nor can TLS itself */
	kc = kubeconfig_for(W.c1, token, 0);
	{
		char *http = ikc_asprintf("http://%s",
					  ikc_json_str(W.c1, "endpoint"));

		assert_int_equal(0, ikc_json_set_path(
				    kc, "clusters[0].cluster.server",
				    json_object_new_string(http)));
		free(http);
	}
	env.kubeconfig = kc;
	env.kube_context = NULL;
	assert_int_equal(IKC_EINVALID, K()->read(&env, &t, &live));
	assert_non_null(strstr(ikc_error_last(), "not https://"));
	ikc_kube__env_dispose(&env);
	json_object_put(kc);

	/* TLS verification cannot be turned off */
	kc = kubeconfig_for(W.c1, token, 1);
	env.kubeconfig = kc;
	env.kube_context = NULL;
	assert_int_equal(IKC_EINVALID, K()->read(&env, &t, &live));
	assert_non_null(strstr(ikc_error_last(),
			       "insecure-skip-tls-verify"));
	ikc_kube__env_dispose(&env);
	json_object_put(kc);

	json_object_put(st);
	json_object_put(cm);
	json_object_put(cm2);
	json_object_put(rc);
	free(token);
}

/* No nodes: the readiness timeout names the Pending pods and why. */
static void test_providers_kube_sim__timeout_names_pending_pods(void **state)
{
	ikc_provider_env env = W.env;
	json_object *rc = J(RC_NGINX);
	ikc_target t = target("ReplicationController/nginx", "v1",
			      "ReplicationController", "nginx", rc, W.c0);
	const char *msg;
	char *op = NULL;
	int error;

	(void)state;
	env.kube_ready_deadline = 1.0;
	create_ok(&env, &t, NULL);
	error = K()->wait(&env, &t, 0, NULL);
	assert_int_equal(IKC_ETIMEOUT, error);
	msg = ikc_error_last();
	assert_non_null(strstr(msg, "ReplicationController/nginx"));
	assert_non_null(strstr(msg, "0/2 pods ready"));
	assert_non_null(strstr(msg, "2 pods Pending"));
	assert_true(strstr(msg, "nodes are available") ||
		    strstr(msg, "no node is ready"));
	pthread_mutex_lock(&W.mu);
	assert_non_null(W.progress);
	assert_non_null(strstr(W.progress, "0/2 pods ready"));
	pthread_mutex_unlock(&W.mu);
	assert_int_equal(0, K()->remove(&env, &t, &op));
	wait_ok(&env, &t, 1);
	json_object_put(rc);
}

/* Creating what exists: ours is adopted (and converged), others' refused. */
static void test_providers_kube_sim__create_adopts_only_own(void **state)
{
	json_object *cm = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
			    "\"metadata\":{\"name\":\"adopt\"},\"data\":"
			    "{\"k\":\"v1\"}}");
	json_object *cm2 = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
			     "\"metadata\":{\"name\":\"adopt\"},\"data\":"
			     "{\"k\":\"v2\"}}");
	json_object *live = NULL, *o;
	ikc_target t = target("ConfigMap/adopt", "v1", "ConfigMap", "adopt",
			      cm, W.c1);
	long status;
	char *op = NULL;

	(void)state;
	create_ok(&W.env, &t, NULL);
	/* a second run that lost track of it creates it again */
	t.desired = cm2;
	create_ok(&W.env, &t,
		  "/api/v1/namespaces/default/configmaps/adopt");
	assert_int_equal(0, K()->read(&W.env, &t, &live));
	assert_string_equal("v2", ikc_json_str(ikc_json_path(live, "data"),
					       "k"));
	json_object_put(live);
	live = NULL;
	assert_int_equal(0, K()->remove(&W.env, &t, &op));
	wait_ok(&W.env, &t, 1);

	/* made by someone else, without our labels */
	o = kube_raw(W.c1, "POST", "/api/v1/namespaces/default/configmaps",
		     "{\"metadata\":{\"name\":\"adopt\"},\"data\":{\"k\":"
		     "\"theirs\"}}", NULL, &status);
	assert_int_equal(201, status);
	json_object_put(o);
	op = NULL;
	{
		char *id = NULL;

		assert_int_equal(IKC_EEXISTS,
				 K()->create(&W.env, &t, &op, &id));
		assert_null(id);
		assert_non_null(strstr(ikc_error_last(), "ConfigMap/adopt"));
		assert_non_null(strstr(ikc_error_last(), "not managed"));
	}
	assert_int_equal(0, K()->read(&W.env, &t, &live));
	assert_string_equal("theirs", ikc_json_str(ikc_json_path(live,
								 "data"),
						   "k"));
	json_object_put(live);
	json_object_put(cm);
	json_object_put(cm2);
}

/* An apiVersion or kind the cluster does not serve is named. */
static void test_providers_kube_sim__unknown_kind_named(void **state)
{
	json_object *d = J("{\"metadata\":{\"name\":\"x\"}}"), *live = NULL;
	ikc_target t = target("Deployment/x", "apps/v2", "Deployment", "x", d,
			      W.c1);

	(void)state;
	assert_int_equal(IKC_ENOTFOUND, K()->read(&W.env, &t, &live));
	assert_non_null(strstr(ikc_error_last(), "Deployment/x"));
	assert_non_null(strstr(ikc_error_last(), "\"apps/v2\""));
	assert_non_null(strstr(ikc_error_last(), "apps/v1"));

	t = target("ReplicationControler/x", "v1", "ReplicationControler",
		   "x", d, W.c1);
	assert_int_equal(IKC_ENOTFOUND, K()->read(&W.env, &t, &live));
	assert_non_null(strstr(ikc_error_last(), "\"ReplicationControler\""));
	assert_non_null(strstr(ikc_error_last(),
			       "did you mean \"ReplicationController\""));

	/* its cluster is not there yet: the object is not either */
	t = target("ReplicationController/x", "v1", "ReplicationController",
		   "x", d, NULL);
	assert_int_equal(IKC_ENOTFOUND, K()->read(&W.env, &t, &live));

	/* a served kind, absent object: plain not-found */
	t = target("Deployment/x", "apps/v1", "Deployment", "x", d, W.c1);
	assert_int_equal(IKC_ENOTFOUND, K()->read(&W.env, &t, &live));
	assert_non_null(strstr(ikc_error_last(), "404"));
	json_object_put(d);
}

/* A Namespace, a Deployment in it (apps/v1) and an HPA (autoscaling/v2). */
static void test_providers_kube_sim__namespace_deployment_hpa(void **state)
{
	json_object *ns = J("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
			    "\"metadata\":{\"name\":\"team\"}}");
	const char *dep_text =
		"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
		"\"metadata\":{\"name\":\"api\",\"namespace\":\"team\"},"
		"\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":"
		"{\"app\":\"api\"}},\"template\":{\"metadata\":{\"labels\":"
		"{\"app\":\"api\"}},\"spec\":{\"containers\":[{\"name\":"
		"\"api\",\"image\":\"nginx:1.25\",\"env\":[{\"name\":\"A\","
		"\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]}]}}}}";
	json_object *dep = J(dep_text), *dep2 = J(dep_text), *hpa, *st;
	json_object *live = NULL, *env_list;
	ikc_target tns = target("Namespace/team", "v1", "Namespace", "team",
				ns, W.c1);
	ikc_target tdep = target("Deployment/team/api", "apps/v1",
				 "Deployment", "api", dep, W.c1);
	ikc_target thpa;
	char *op = NULL;

	(void)state;
	tns.namespace_ = NULL;
	tdep.namespace_ = "team";
	create_ok(&W.env, &tns, "/api/v1/namespaces/team");
	wait_ok(&W.env, &tns, 0);
	create_ok(&W.env, &tdep,
		  "/apis/apps/v1/namespaces/team/deployments/api");
	wait_ok(&W.env, &tdep, 0);
	assert_int_equal(0, K()->read(&W.env, &tdep, &live));
	assert_int_equal(2, json_object_get_int(
				    ikc_json_path(live, "status.readyReplicas")));
	json_object_put(live);
	live = NULL;

	/* new image, env B dropped: a strategic patch by container name */
	assert_int_equal(0, ikc_json_set_path(
				    dep2, "spec.template.spec.containers[0].image",
				    json_object_new_string("nginx:1.27")));
	assert_int_equal(0, ikc_json_set_path(
				    dep2, "spec.template.spec.containers[0].env",
				    J("[{\"name\":\"A\",\"value\":\"1\"}]")));
	st = json_object_new_object();
	assert_int_equal(0, ikc_json_add(st, "desired", ikc_json_copy(dep)));
	tdep.desired = dep2;
	tdep.state = st;
	assert_int_equal(0, K()->update(&W.env, &tdep, NULL, NULL, 0));
	wait_ok(&W.env, &tdep, 0);
	assert_int_equal(0, K()->read(&W.env, &tdep, &live));
	assert_string_equal("nginx:1.27", json_object_get_string(ikc_json_path(
				    live, "spec.template.spec.containers[0].image")));
	{
		/* the rollout is over when wait returns: only new pods */
		json_object *pods, *items;
		long status;
		size_t i, n;

		pods = kube_raw(W.c1, "GET", "/api/v1/namespaces/team/pods?"
				"labelSelector=app%3Dapi", NULL, NULL, &status);
		assert_int_equal(200, status);
		items = ikc_json_path(pods, "items");
		n = json_object_array_length(items);
		assert_int_equal(2, n);
		for (i = 0; i < n; i++)
			assert_string_equal("nginx:1.27", json_object_get_string(
				ikc_json_path(json_object_array_get_idx(items, i),
					      "spec.containers[0].image")));
		json_object_put(pods);
	}
	env_list = ikc_json_path(live, "spec.template.spec.containers[0].env");
	assert_int_equal(1, json_object_array_length(env_list));
	assert_int_equal(2, json_object_get_int(
				    ikc_json_path(live, "status.readyReplicas")));
	json_object_put(live);
	live = NULL;

	hpa = J("{\"apiVersion\":\"autoscaling/v2\",\"kind\":"
		"\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"api\","
		"\"namespace\":\"team\"},\"spec\":{\"scaleTargetRef\":{"
		"\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":"
		"\"api\"},\"minReplicas\":2,\"maxReplicas\":5}}");
	thpa = target("HorizontalPodAutoscaler/team/api", "autoscaling/v2",
		      "HorizontalPodAutoscaler", "api", hpa, W.c1);
	thpa.namespace_ = "team";
	create_ok(&W.env, &thpa, "/apis/autoscaling/v2/namespaces/team/"
		  "horizontalpodautoscalers/api");
	wait_ok(&W.env, &thpa, 0);
	assert_int_equal(0, K()->read(&W.env, &thpa, &live));
	assert_int_equal(5, json_object_get_int(
				    ikc_json_path(live, "spec.maxReplicas")));
	json_object_put(live);
	live = NULL;

	assert_int_equal(0, K()->remove(&W.env, &thpa, &op));
	wait_ok(&W.env, &thpa, 1);
	assert_int_equal(0, K()->remove(&W.env, &tdep, &op));
	wait_ok(&W.env, &tdep, 1);
	assert_int_equal(0, K()->remove(&W.env, &tns, &op));
	wait_ok(&W.env, &tns, 1);
	assert_int_equal(IKC_ENOTFOUND, K()->read(&W.env, &tns, &live));

	json_object_put(st);
	json_object_put(ns);
	json_object_put(dep);
	json_object_put(dep2);
	json_object_put(hpa);
}

/* Transient server errors on create and wait are retried; one object results. */
static void test_providers_kube_sim__faults_retried_once_created(void **state)
{
	json_object *cm = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
			    "\"metadata\":{\"name\":\"flaky\"},\"data\":"
			    "{\"k\":\"v\"}}"), *o, *live = NULL, *created;
	ikc_target t = target("ConfigMap/flaky", "v1", "ConfigMap", "flaky",
			      cm, W.c1);
	char url[512], *op = NULL;
	ikc_http_stats before, after;
	long status;

	(void)state;
	ikc_http_client_stats(W.http, &before);
	(void)snprintf(url, sizeof(url), "%s_sim/faults", W.sim.url);
	o = raw("POST", url, "{\"spec\":\"503:times=2:route=POST "
		"/api/v1/namespaces/default/configmaps*,500:times=2:"
		"route=GET /api/v1/namespaces/default/configmaps/flaky\"}",
		NULL, NULL, &status);
	assert_int_equal(200, status);
	json_object_put(o);
	create_ok(&W.env, &t, NULL);
	assert_int_equal(0, K()->read(&W.env, &t, &live));
	assert_string_equal("v", ikc_json_str(ikc_json_path(live, "data"),
					      "k"));
	json_object_put(live);
	ikc_http_client_stats(W.http, &after);
	/* both faults fired twice and were retried */
	assert_true(after.retries - before.retries >= 4);
	(void)snprintf(url, sizeof(url), "%s_sim/calls", W.sim.url);
	o = raw("GET", url, NULL, NULL, NULL, &status);
	created = ikc_json_path(o, "creates");
	assert_non_null(created);
	assert_int_equal(1, json_object_get_int(json_object_object_get(
		created, "cluster/c1/api/v1/namespaces/default/configmaps/"
		"flaky")));
	json_object_put(o);
	(void)snprintf(url, sizeof(url), "%s_sim/faults", W.sim.url);
	json_object_put(raw("DELETE", url, NULL, NULL, NULL, &status));
	assert_int_equal(0, K()->remove(&W.env, &t, &op));
	wait_ok(&W.env, &t, 1);
	json_object_put(cm);
}

/* ikc.dev/ignore-changes: a field an autoscaler owns is left alone. */
static void test_providers_kube_sim__ignore_changes_left_alone(void **state)
{
	json_object *cm = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
			    "\"metadata\":{\"name\":\"ign\",\"annotations\":"
			    "{\"ikc.dev/wait\":\"none\"}},\"data\":"
			    "{\"owned\":\"1\",\"mine\":\"a\"}}");
	json_object *cm2 = J("{\"apiVersion\":\"v1\",\"kind\":"
			     "\"ConfigMap\",\"metadata\":{\"name\":\"ign\"},"
			     "\"data\":{\"owned\":\"1\",\"mine\":\"b\"}}");
	json_object *live = NULL, *st, *o;
	char *ignore[] = { "data.owned" };
	ikc_resource res;
	ikc_stack stk;
	ikc_provider_env env = W.env;
	ikc_target t = target("ConfigMap/ign", "v1", "ConfigMap", "ign", cm,
			      W.c1);
	char *op = NULL;
	long status;

	(void)state;
	memset(&res, 0, sizeof(res));
	res.address = "ConfigMap/ign";
	res.ignore_changes = ignore;
	res.nignore_changes = 1;
	stk = W.stack;
	stk.resources = &res;
	stk.nresources = 1;
	env.stack = &stk;
	create_ok(&env, &t, NULL);
	assert_int_equal(0, K()->read(&env, &t, &live));
	/* ikc.dev/ annotations steer ikc and never reach the API */
	assert_null(ikc_json_path(live, "metadata.annotations"));
	json_object_put(live);
	live = NULL;

	o = kube_raw(W.c1, "PATCH", "/api/v1/namespaces/default/configmaps/ign",
		     "{\"data\":{\"owned\":\"7\"}}",
		     "application/merge-patch+json", &status);
	assert_int_equal(200, status);
	json_object_put(o);

	st = json_object_new_object();
	assert_int_equal(0, ikc_json_add(st, "desired", ikc_json_copy(cm)));
	t.desired = cm2;
	t.state = st;
	assert_int_equal(0, K()->update(&env, &t, NULL, NULL, 0));
	assert_int_equal(0, K()->read(&env, &t, &live));
	assert_string_equal("7", ikc_json_str(ikc_json_path(live, "data"),
					      "owned"));
	assert_string_equal("b", ikc_json_str(ikc_json_path(live, "data"),
					      "mine"));
	json_object_put(live);
	assert_int_equal(0, K()->remove(&env, &t, &op));
	wait_ok(&env, &t, 1);
	json_object_put(st);
	json_object_put(cm);
	json_object_put(cm2);
}

struct reader {
	const ikc_target *t;
	int failures;
};

static void *read_many(void *arg)
{
	struct reader *r = arg;
	json_object *live = NULL;
	int i;

	for (i = 0; i < 10; i++) {
		if (K()->read(&W.env, r->t, &live) < 0 || !live)
			r->failures++;
		json_object_put(live);
		live = NULL;
	}
	return NULL;
}

/* Reads from several threads share one connection cache and client. */
static void test_providers_kube_sim__parallel_reads(void **state)
{
	json_object *rc = J(RC_NGINX);
	ikc_target t = target("ReplicationController/nginx", "v1",
			      "ReplicationController", "nginx", rc, W.c1);
	struct reader r[4];
	pthread_t th[4];
	ikc_http_stats before, after;
	int i;

	long discovery;

	(void)state;
	discovery = calls("cluster/c1 GET /api/v1");
	assert_true(discovery >= 1);
	ikc_http_client_stats(W.http, &before);
	for (i = 0; i < 4; i++) {
		r[i].t = &t;
		r[i].failures = 0;
		assert_int_equal(0, pthread_create(&th[i], NULL, read_many,
						   &r[i]));
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(0, pthread_join(th[i], NULL));
		assert_int_equal(0, r[i].failures);
	}
	ikc_http_client_stats(W.http, &after);
	assert_true(after.requests - before.requests >= 40);
	/* connections are reused: far fewer than one per request */
	assert_true(after.connects - before.connects <= 8);
	/* discovery was cached for the run: not asked again */
	assert_int_equal(discovery, calls("cluster/c1 GET /api/v1"));
	json_object_put(rc);
}

#define NLIST 50
#define NLIST_THREADS 8
#define CM_COLL "/api/v1/namespaces/default/configmaps"

/* Sum of the counts of routes starting with `prefix` in /_sim/calls. */
static long calls_prefixed(const char *prefix)
{
	char url[512];
	json_object *doc, *routes;
	long status, n = 0;

	(void)snprintf(url, sizeof(url), "%s_sim/calls", W.sim.url);
	doc = raw("GET", url, NULL, NULL, NULL, &status);
	assert_int_equal(200, status);
	routes = ikc_json_path(doc, "routes");
	if (routes) {
		json_object_object_foreach(routes, k, v) {
			if (ikc_str_startswith(k, prefix))
				n += json_object_get_int(v);
		}
	}
	json_object_put(doc);
	return n;
}

struct list_reader {
	const ikc_target *t;        /* NLIST targets */
	json_object *const *want;   /* what GET returned for each */
	json_object *got[NLIST];
	int failures;
	int mismatches;
};

static void *read_list(void *arg)
{
	struct list_reader *r = arg;
	int i;

	for (i = 0; i < NLIST; i++) {
		if (K()->read(&W.env, &r->t[i], &r->got[i]) < 0 || !r->got[i])
			r->failures++;
		else if (!json_object_equal(r->got[i], r->want[i]))
			r->mismatches++;
	}
	return NULL;
}

/*
 * During a refresh, reads of one collection are answered from a single
 * LIST (no GET of single objects) with the values a GET returns; outside a
 * refresh every read asks the API.
 */
static void test_providers_kube_sim__refresh_reads_by_list(void **state)
{
	char names[NLIST][32], addrs[NLIST][64], body[256];
	ikc_target t[NLIST], tmiss;
	json_object *gets[NLIST], *live = NULL;
	struct list_reader r[NLIST_THREADS];
	pthread_t th[NLIST_THREADS];
	long status, lists0, singles0;
	int i, j;

	(void)state;
	for (i = 0; i < NLIST; i++) {
		json_object *o;

		(void)snprintf(names[i], sizeof(names[i]), "lst-%02d", i);
		(void)snprintf(addrs[i], sizeof(addrs[i]), "ConfigMap/%s",
			       names[i]);
		(void)snprintf(body, sizeof(body),
			       "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
			       "\"metadata\":{\"name\":\"%s\"},\"data\":"
			       "{\"i\":\"%d\"}}", names[i], i);
		o = kube_raw(W.c1, "POST", CM_COLL, body, NULL, &status);
		assert_int_equal(201, status);
		json_object_put(o);
		t[i] = target(addrs[i], "v1", "ConfigMap", names[i], NULL,
			      W.c1);
	}
	tmiss = target("ConfigMap/lst-none", "v1", "ConfigMap", "lst-none",
		       NULL, W.c1);

	/* outside a refresh: one GET per read, no LIST */
	W.env.refreshing = 0;
	lists0 = calls("cluster/c1 GET " CM_COLL);
	singles0 = calls_prefixed("cluster/c1 GET " CM_COLL "/lst-");
	for (i = 0; i < NLIST; i++) {
		gets[i] = NULL;
		assert_int_equal(0, K()->read(&W.env, &t[i], &gets[i]));
		assert_string_equal(names[i], ikc_json_str(
					    ikc_json_path(gets[i], "metadata"),
					    "name"));
	}
	assert_int_equal(lists0, calls("cluster/c1 GET " CM_COLL));
	assert_int_equal(singles0 + NLIST,
			 calls_prefixed("cluster/c1 GET " CM_COLL "/lst-"));

	/* a refresh: 8 threads read all 50 at once -> exactly one LIST */
	W.env.refreshing = 1;
	W.env.refresh_gen = 1;
	lists0 = calls("cluster/c1 GET " CM_COLL);
	singles0 = calls_prefixed("cluster/c1 GET " CM_COLL "/");
	for (j = 0; j < NLIST_THREADS; j++) {
		memset(&r[j], 0, sizeof(r[j]));
		r[j].t = t;
		r[j].want = gets;
		assert_int_equal(0, pthread_create(&th[j], NULL, read_list,
						   &r[j]));
	}
	for (j = 0; j < NLIST_THREADS; j++) {
		assert_int_equal(0, pthread_join(th[j], NULL));
		assert_int_equal(0, r[j].failures);
		assert_int_equal(0, r[j].mismatches);
	}
	assert_int_equal(lists0 + 1, calls("cluster/c1 GET " CM_COLL));
	assert_int_equal(singles0,
			 calls_prefixed("cluster/c1 GET " CM_COLL "/"));
	/* the very text a GET gives: kind and apiVersion included */
	for (i = 0; i < NLIST; i++) {
		assert_string_equal("ConfigMap",
				    ikc_json_str(r[0].got[i], "kind"));
		assert_string_equal("v1",
				    ikc_json_str(r[0].got[i], "apiVersion"));
		assert_string_equal(
			json_object_to_json_string_ext(gets[i],
						       JSON_C_TO_STRING_PLAIN),
			json_object_to_json_string_ext(r[0].got[i],
						       JSON_C_TO_STRING_PLAIN));
	}
	for (j = 0; j < NLIST_THREADS; j++)
		for (i = 0; i < NLIST; i++)
			json_object_put(r[j].got[i]);
	/* an absent name is not found, from the same list */
	assert_int_equal(IKC_ENOTFOUND, K()->read(&W.env, &tmiss, &live));
	assert_null(live);
	assert_non_null(strstr(ikc_error_last(), "lst-none"));
	assert_int_equal(lists0 + 1, calls("cluster/c1 GET " CM_COLL));

	/* a change made meanwhile shows in the next refresh, not this one */
	json_object_put(kube_raw(W.c1, "PATCH", CM_COLL "/lst-00",
				 "{\"data\":{\"i\":\"changed\"}}",
				 "application/merge-patch+json", &status));
	assert_int_equal(200, status);
	assert_int_equal(0, K()->read(&W.env, &t[0], &live));
	assert_string_equal("0", ikc_json_str(ikc_json_path(live, "data"),
					      "i"));
	json_object_put(live);
	W.env.refresh_gen = 2;
	assert_int_equal(0, K()->read(&W.env, &t[0], &live));
	assert_string_equal("changed", ikc_json_str(
				    ikc_json_path(live, "data"), "i"));
	json_object_put(live);
	assert_int_equal(lists0 + 2, calls("cluster/c1 GET " CM_COLL));
	assert_int_equal(singles0,
			 calls_prefixed("cluster/c1 GET " CM_COLL "/"));

	/* the refresh over: reads hit the API again */
	W.env.refreshing = 0;
	assert_int_equal(0, K()->read(&W.env, &t[1], &live));
	json_object_put(live);
	assert_int_equal(IKC_ENOTFOUND, K()->read(&W.env, &tmiss, &live));
	assert_int_equal(lists0 + 2, calls("cluster/c1 GET " CM_COLL));
	assert_int_equal(singles0 + 2,
			 calls_prefixed("cluster/c1 GET " CM_COLL "/"));
	for (i = 0; i < NLIST; i++)
		json_object_put(gets[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_providers_kube_sim__reference_create_wait_read),
		cmocka_unit_test(test_providers_kube_sim__update_by_three_way_patch),
		cmocka_unit_test(test_providers_kube_sim__kubeconfig_target),
		cmocka_unit_test(test_providers_kube_sim__timeout_names_pending_pods),
		cmocka_unit_test(test_providers_kube_sim__create_adopts_only_own),
		cmocka_unit_test(test_providers_kube_sim__unknown_kind_named),
		cmocka_unit_test(test_providers_kube_sim__namespace_deployment_hpa),
		cmocka_unit_test(test_providers_kube_sim__faults_retried_once_created),
		cmocka_unit_test(test_providers_kube_sim__ignore_changes_left_alone),
		cmocka_unit_test(test_providers_kube_sim__parallel_reads),
		cmocka_unit_test(test_providers_kube_sim__refresh_reads_by_list),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
