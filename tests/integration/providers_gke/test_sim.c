/* test_sim.c - the GKE provider against a real ikc-sim, as the walk uses it */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "simproc.h"
#include "http/http.h"
#include "http/auth/google.h"
#include "providers/runtime.h"
#include "providers/gke/gke.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#define PROJECT "proj"
#define ZONE "us-central1-a"
#define LOC "/v1/projects/{project}/locations/{location}"

struct fixture {
	struct simproc sim;
	ikc_http_client *http;
	ikc_google_creds *creds;
	ikc_stack stack;
	ikc_provider_env env;
	const ikc_provider_ops *ops;
};

static struct fixture fx;

/* ---- progress lines, collected for assertions ---- */

static pthread_mutex_t progress_mu = PTHREAD_MUTEX_INITIALIZER;
static int progress_lines;
static int progress_with_percent;   /* "creating… (Creating cluster, 40%) 0s" */
static char progress_last[512];

static void on_progress(void *ctx, const char *address, const char *text)
{
	(void)ctx;
	pthread_mutex_lock(&progress_mu);
	progress_lines++;
	if (strstr(text, "creating\u2026 (") && strstr(text, "%) "))
		progress_with_percent++;
	snprintf(progress_last, sizeof(progress_last), "%s: %s", address, text);
	pthread_mutex_unlock(&progress_mu);
}

static void env_init(ikc_provider_env *env)
{
	memset(env, 0, sizeof(*env));
	env->http = fx.http;
	env->google = fx.creds;
	env->stack = &fx.stack;
	env->parallelism = 4;
	env->gke_cluster_deadline = 120;
	env->gke_nodepool_deadline = 120;
	env->poll_interval = 0.05;
	env->progress = on_progress;
}

static int group_setup(void **state)
{
	ikc_http_options opts = IKC_HTTP_OPTIONS_INIT;

	(void)state;
	ikc_log_init_from_env();   /* IKC_LOG=debug shows every call */
	if (simproc_start(&fx.sim, "--speed 200") < 0)
		return -1;
	opts.ca_bundle = fx.sim.ca;
	if (ikc_http_client_new(&fx.http, &opts) < 0 ||
	    ikc_google_creds_from_file(&fx.creds, fx.sim.credentials) < 0) {
		fprintf(stderr, "setup: %s\n", ikc_error_last());
		return -1;
	}
	fx.stack.name = (char *)"gke-test";
	fx.stack.project = (char *)PROJECT;
	fx.stack.endpoint = fx.sim.url;
	env_init(&fx.env);
	fx.ops = ikc_gke_provider();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ikc_gke__env_dispose(&fx.env);
	ikc_google_creds_free(fx.creds);
	ikc_http_client_free(fx.http);
	simproc_stop(&fx.sim);
	return 0;
}

/* ---- helpers ---- */

static json_object *js(const char *text)
{
	json_object *o = NULL;

	assert_int_equal(0, ikc_json_parse(&o, text, strlen(text), "test"));
	return o;
}

static json_object *cluster_doc(const char *name, const char *extra)
{
	char *text = ikc_asprintf(
		"{\"apiVersion\": \"container.googleapis.com/v1\", "
		"\"kind\": \"Cluster\", \"metadata\": {\"name\": \"%s\"}, "
		"\"spec\": {\"location\": \"" ZONE "\"%s%s}}",
		name, extra ? ", " : "", extra ? extra : "");
	json_object *o = js(text);

	free(text);
	return o;
}

static json_object *pool_doc(const char *name, const char *cluster,
			     int count, const char *machine)
{
	char *text = ikc_asprintf(
		"{\"apiVersion\": \"container.googleapis.com/v1\", "
		"\"kind\": \"NodePool\", \"metadata\": {\"name\": \"%s\"}, "
		"\"spec\": {\"cluster\": \"%s\", \"nodeCount\": %d, "
		"\"config\": {\"machineType\": \"%s\"}}}",
		name, cluster, count, machine);
	json_object *o = js(text);

	free(text);
	return o;
}

static void target(ikc_target *t, json_object *desired)
{
	memset(t, 0, sizeof(*t));
	t->api_version = "container.googleapis.com/v1";
	t->kind = ikc_json_str(desired, "kind");
	t->name = ikc_json_str(ikc_json_path(desired, "metadata"), "name");
	t->address = ikc_asprintf("%s/%s", t->kind, t->name);
	t->desired = desired;
}

static void target_done(ikc_target *t)
{
	free((char *)t->address);
	t->address = NULL;
}

/* GET on the sim's admin API (no token); owned JSON. */
static json_object *admin_get(const char *what)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char *url = ikc_asprintf("%s_sim/%s", fx.sim.url, what);
	json_object *o = NULL;

	req.url = url;
	assert_int_equal(0, ikc_http_do(fx.http, &req, &resp));
	assert_int_equal(200, resp.status);
	assert_int_equal(0, ikc_json_parse(&o, resp.body.ptr, resp.body.len,
					   "admin"));
	ikc_http_response_dispose(&resp);
	free(url);
	return o;
}

static void admin_faults(const char *spec)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char *url = ikc_asprintf("%s_sim/faults", fx.sim.url);

	req.method = spec ? "POST" : "DELETE";
	req.url = url;
	req.body = spec;
	req.body_len = spec ? strlen(spec) : 0;
	req.content_type = "text/plain";
	assert_int_equal(0, ikc_http_do(fx.http, &req, &resp));
	assert_int_equal(200, resp.status);
	ikc_http_response_dispose(&resp);
	free(url);
}

/* How many calls the sim served for "METHOD " LOC + suffix. */
static long calls_of(const char *method, const char *suffix)
{
	json_object *calls = admin_get("calls"), *routes, *v;
	char *key = ikc_asprintf("%s " LOC "%s", method, suffix);
	long n = 0;

	if (json_object_object_get_ex(calls, "routes", &routes) &&
	    json_object_object_get_ex(routes, key, &v))
		n = (long)json_object_get_int64(v);
	free(key);
	json_object_put(calls);
	return n;
}

/* How many creates the sim saw of resource path `id`. */
static long creates_of(const char *id)
{
	json_object *calls = admin_get("calls"), *v;
	long n = 0;

	v = ikc_json_path(calls, "creates");
	if (v && json_object_object_get_ex(v, id, &v))
		n = (long)json_object_get_int64(v);
	json_object_put(calls);
	return n;
}

static json_object *read_ok(const ikc_target *t)
{
	json_object *live = NULL;
	int rc = fx.ops->read(&fx.env, t, &live);

	if (rc != 0)
		fail_msg("read %s: %d %s", t->address, rc, ikc_error_last());
	return live;
}

static void check(int rc, const char *what)
{
	if (rc != 0)
		fail_msg("%s: %d %s", what, rc, ikc_error_last());
}

/* The stack's cluster c1 with pool np: kept across tests, in order. */
static json_object *c1_doc, *np_doc;

static void c1_target(ikc_target *t)
{
	static json_object *pools[1];

	pools[0] = np_doc;
	target(t, c1_doc);
	t->pools = pools;
	t->npools = 1;
}

/* The pool's target, with the cluster's live value as the walk passes it. */
static json_object *np_target(ikc_target *t)
{
	ikc_target ct;
	json_object *cl;

	c1_target(&ct);
	cl = read_ok(&ct);
	target_done(&ct);
	target(t, np_doc);
	t->cluster_live = cl;
	return cl;
}

/* ---- tests ---- */

static void test_providers_gke__create_cluster_with_pool(void **state)
{
	ikc_target t;
	json_object *live, *auth, *np_live, *cl;
	char *op = NULL, *rid = NULL;
	long creates0 = calls_of("POST", "/clusters");
	long pools0 = calls_of("POST", "/clusters/{cluster}/nodePools");
	ikc_target pt;

	(void)state;
	c1_doc = cluster_doc("c1", "\"resourceLabels\": {\"env\": \"test\"}");
	np_doc = pool_doc("np", "c1", 2, "e2-medium");
	c1_target(&t);
	progress_lines = 0;
	progress_with_percent = 0;
	check(fx.ops->create(&fx.env, &t, &op, &rid), "create");
	assert_non_null(op);
	assert_string_equal("projects/" PROJECT "/locations/" ZONE
			    "/clusters/c1", rid);
	check(fx.ops->wait(&fx.env, &t, 0, op), "wait");
	assert_true(progress_lines > 0);
	assert_true(progress_with_percent > 0);
	assert_non_null(strstr(progress_last, "Cluster/c1: "));

	/* One cluster create carrying the pool; no separate pool create. */
	assert_int_equal(creates0 + 1, calls_of("POST", "/clusters"));
	assert_int_equal(pools0, calls_of("POST",
					  "/clusters/{cluster}/nodePools"));

	live = read_ok(&t);
	assert_string_equal("RUNNING", ikc_json_str(live, "status"));
	assert_string_equal("RUNNING", ikc_json_str(
		ikc_json_path(live, "spec"), "status"));
	assert_non_null(ikc_json_str(live, "endpoint"));
	assert_string_equal(ZONE, ikc_json_str(ikc_json_path(live, "spec"),
					       "location"));
	assert_string_equal(PROJECT, ikc_json_str(ikc_json_path(live, "spec"),
						  "project"));
	auth = ikc_json_path(live, "masterAuth");
	assert_non_null(ikc_json_str(auth, "clusterCaCertificate"));
	assert_int_equal(1, json_object_object_length(auth));
	assert_int_equal(1, json_object_object_length(
		ikc_json_path(live, "spec.masterAuth")));
	assert_string_equal("np", ikc_json_str(
		ikc_json_path(live, "spec.nodePools[0]"), "name"));
	assert_int_equal(2, json_object_get_int(
		ikc_json_path(live, "spec.nodePools[0].initialNodeCount")));

	/* The pool reads back with its Nodes counted on the cluster's API. */
	cl = np_target(&pt);
	np_live = read_ok(&pt);
	assert_int_equal(2, json_object_get_int(
		ikc_json_path(np_live, "spec.nodeCount")));
	assert_string_equal("c1", ikc_json_str(ikc_json_path(np_live, "spec"),
					       "cluster"));
	assert_string_equal("e2-medium", ikc_json_str(
		ikc_json_path(np_live, "spec.config"), "machineType"));
	json_object_put(np_live);
	json_object_put(cl);
	target_done(&pt);
	json_object_put(live);
	target_done(&t);
	free(op);
	free(rid);
}

static void test_providers_gke__create_again_adopts(void **state)
{
	ikc_target t;
	char *op = NULL, *rid = NULL;
	const char *id = "projects/" PROJECT "/locations/" ZONE "/clusters/c1";

	(void)state;
	assert_int_equal(1, creates_of(id));
	c1_target(&t);
	check(fx.ops->create(&fx.env, &t, &op, &rid), "create again");
	assert_null(op);
	assert_string_equal(id, rid);
	assert_int_equal(1, creates_of(id));
	check(fx.ops->wait(&fx.env, &t, 0, NULL), "wait without operation");
	target_done(&t);
	free(rid);
}

static void test_providers_gke__set_size(void **state)
{
	ikc_target t;
	json_object *cl, *live;
	const char *fields[] = { "spec.nodeCount" };
	long n0 = calls_of("POST",
			   "/clusters/{cluster}/nodePools/{nodePool}:setSize");

	(void)state;
	json_object_object_add(ikc_json_path(np_doc, "spec"), "nodeCount",
			       json_object_new_int(3));
	cl = np_target(&t);
	live = read_ok(&t);
	assert_int_equal(2, json_object_get_int(
		ikc_json_path(live, "spec.nodeCount")));
	check(fx.ops->update(&fx.env, &t, live, fields, 1), "update");
	json_object_put(live);
	assert_int_equal(n0 + 1, calls_of("POST", "/clusters/{cluster}/"
					  "nodePools/{nodePool}:setSize"));
	live = read_ok(&t);
	assert_int_equal(3, json_object_get_int(
		ikc_json_path(live, "spec.nodeCount")));
	json_object_put(live);
	json_object_put(cl);
	target_done(&t);
}

static void test_providers_gke__machine_type_in_place(void **state)
{
	ikc_target t;
	json_object *cl, *live;
	const char *fields[] = { "spec.config.machineType" };
	long put0 = calls_of("PUT",
			     "/clusters/{cluster}/nodePools/{nodePool}");
	long del0 = calls_of("DELETE",
			     "/clusters/{cluster}/nodePools/{nodePool}");
	long cre0 = calls_of("POST", "/clusters/{cluster}/nodePools");

	(void)state;
	json_object_object_add(ikc_json_path(np_doc, "spec.config"),
			       "machineType",
			       json_object_new_string("e2-standard-4"));
	cl = np_target(&t);
	live = read_ok(&t);
	check(fx.ops->update(&fx.env, &t, live, fields, 1), "update");
	json_object_put(live);
	assert_int_equal(put0 + 1, calls_of("PUT", "/clusters/{cluster}/"
					    "nodePools/{nodePool}"));
	assert_int_equal(del0, calls_of("DELETE", "/clusters/{cluster}/"
					"nodePools/{nodePool}"));
	assert_int_equal(cre0, calls_of("POST",
					"/clusters/{cluster}/nodePools"));
	live = read_ok(&t);
	assert_string_equal("e2-standard-4", ikc_json_str(
		ikc_json_path(live, "spec.config"), "machineType"));
	assert_int_equal(3, json_object_get_int(
		ikc_json_path(live, "spec.nodeCount")));
	json_object_put(live);
	json_object_put(cl);
	target_done(&t);
}

static void test_providers_gke__resource_labels(void **state)
{
	ikc_target t;
	json_object *live;
	const char *fields[] = { "spec.resourceLabels.env" };
	long n0 = calls_of("POST", "/clusters/{cluster}:setResourceLabels");

	(void)state;
	json_object_object_add(ikc_json_path(c1_doc, "spec"), "resourceLabels",
			       js("{\"env\": \"prod\", \"team\": \"web\"}"));
	c1_target(&t);
	live = read_ok(&t);
	check(fx.ops->update(&fx.env, &t, live, fields, 1), "update");
	json_object_put(live);
	assert_int_equal(n0 + 1, calls_of("POST",
				      "/clusters/{cluster}:setResourceLabels"));
	live = read_ok(&t);
	assert_string_equal("prod", ikc_json_str(
		ikc_json_path(live, "resourceLabels"), "env"));
	assert_string_equal("web", ikc_json_str(
		ikc_json_path(live, "spec.resourceLabels"), "team"));
	json_object_put(live);
	target_done(&t);
}

static void test_providers_gke__autoscaling_and_management(void **state)
{
	ikc_target t;
	json_object *cl, *live;
	const char *fields[] = { "spec.autoscaling.enabled",
				 "spec.autoscaling.maxNodeCount",
				 "spec.management.autoRepair" };
	long upd0 = calls_of("PUT", "/clusters/{cluster}");
	long mgmt0 = calls_of("POST", "/clusters/{cluster}/nodePools/"
			      "{nodePool}:setManagement");
	long auto0 = calls_of("POST", "/clusters/{cluster}/nodePools/"
			      "{nodePool}:setAutoscaling");

	(void)state;
	json_object_object_add(ikc_json_path(np_doc, "spec"), "autoscaling",
			       js("{\"enabled\": true, \"minNodeCount\": 1, "
				  "\"maxNodeCount\": 5}"));
	json_object_object_add(ikc_json_path(np_doc, "spec"), "management",
			       js("{\"autoUpgrade\": true, "
				  "\"autoRepair\": false}"));
	cl = np_target(&t);
	live = read_ok(&t);
	check(fx.ops->update(&fx.env, &t, live, fields, 3), "update");
	json_object_put(live);
	/* autoscaling goes through clusters.update, as terraform does */
	assert_int_equal(upd0 + 1, calls_of("PUT", "/clusters/{cluster}"));
	assert_int_equal(auto0, calls_of("POST", "/clusters/{cluster}/"
					 "nodePools/{nodePool}:setAutoscaling"));
	assert_int_equal(mgmt0 + 1, calls_of("POST", "/clusters/{cluster}/"
					 "nodePools/{nodePool}:setManagement"));
	live = read_ok(&t);
	assert_int_equal(5, json_object_get_int(
		ikc_json_path(live, "spec.autoscaling.maxNodeCount")));
	assert_true(json_object_get_boolean(
		ikc_json_path(live, "spec.autoscaling.enabled")));
	assert_false(json_object_get_boolean(
		ikc_json_path(live, "spec.management.autoRepair")));
	json_object_put(live);
	json_object_put(cl);
	target_done(&t);
	/* later tests resize by hand */
	json_object_object_del(ikc_json_path(np_doc, "spec"), "autoscaling");
}

/* No cluster Kubernetes API: the count falls back to initialNodeCount. */
static void test_providers_gke__node_count_fallback(void **state)
{
	ikc_target t;
	json_object *cl, *live;

	(void)state;
	cl = np_target(&t);
	/* a closed port: nothing answers there */
	json_object_object_add(cl, "endpoint",
			       json_object_new_string("127.0.0.1:1"));
	live = read_ok(&t);
	assert_int_equal(2, json_object_get_int(
		ikc_json_path(live, "spec.nodeCount")));
	assert_int_equal(2, json_object_get_int(
		ikc_json_path(live, "initialNodeCount")));
	json_object_put(live);
	json_object_put(cl);
	target_done(&t);
}

static void test_providers_gke__field_without_call_refused(void **state)
{
	ikc_target t;
	json_object *cl, *live;
	const char *fields[] = { "spec.config.oauthScopes" };
	long put0 = calls_of("PUT",
			     "/clusters/{cluster}/nodePools/{nodePool}");

	(void)state;
	cl = np_target(&t);
	live = read_ok(&t);
	assert_int_equal(IKC_EINVALID,
			 fx.ops->update(&fx.env, &t, live, fields, 1));
	assert_non_null(strstr(ikc_error_last(), "spec.config.oauthScopes"));
	assert_int_equal(put0, calls_of("PUT", "/clusters/{cluster}/"
					"nodePools/{nodePool}"));
	json_object_put(live);
	json_object_put(cl);
	target_done(&t);
}

/* ---- concurrency ---- */

struct job {
	ikc_provider_env *env;
	ikc_target *t;
	json_object *live;
	const char *field;
	int rc;
	char msg[512];
};

static void *run_update(void *arg)
{
	struct job *j = arg;
	const char *fields[1];

	fields[0] = j->field;
	j->rc = fx.ops->update(j->env, j->t, j->live, fields, 1);
	snprintf(j->msg, sizeof(j->msg), "%s", ikc_error_last());
	return NULL;
}

/* Two updates of one cluster from two threads: a pool resize and the labels. */
static void two_updates(ikc_provider_env *env_a, ikc_provider_env *env_b,
			int size, const char *label)
{
	ikc_target pt, ct;
	json_object *cl, *plive, *clive;
	struct job a, b;
	pthread_t ta, tb;

	json_object_object_add(ikc_json_path(np_doc, "spec"), "nodeCount",
			       json_object_new_int(size));
	json_object_object_add(ikc_json_path(c1_doc, "spec.resourceLabels"),
			       "env", json_object_new_string(label));
	cl = np_target(&pt);
	plive = read_ok(&pt);
	c1_target(&ct);
	clive = read_ok(&ct);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.env = env_a;
	a.t = &pt;
	a.live = plive;
	a.field = "spec.nodeCount";
	b.env = env_b;
	b.t = &ct;
	b.live = clive;
	b.field = "spec.resourceLabels.env";
	assert_int_equal(0, pthread_create(&ta, NULL, run_update, &a));
	assert_int_equal(0, pthread_create(&tb, NULL, run_update, &b));
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	if (a.rc != 0)
		fail_msg("resize: %d %s", a.rc, a.msg);
	if (b.rc != 0)
		fail_msg("labels: %d %s", b.rc, b.msg);
	json_object_put(plive);
	json_object_put(clive);
	plive = read_ok(&pt);
	clive = read_ok(&ct);
	assert_int_equal(size, json_object_get_int(
		ikc_json_path(plive, "spec.nodeCount")));
	assert_string_equal(label, ikc_json_str(
		ikc_json_path(clive, "resourceLabels"), "env"));
	json_object_put(plive);
	json_object_put(clive);
	json_object_put(cl);
	target_done(&pt);
	target_done(&ct);
}

static void test_providers_gke__concurrent_updates_serialised(void **state)
{
	(void)state;
	two_updates(&fx.env, &fx.env, 4, "one");
}

/*
 * Two envs share no lock, so one of the two calls meets the other's
 * operation and GKE's 400 FAILED_PRECONDITION; it must wait it out.
 */
static void test_providers_gke__concurrent_updates_retried(void **state)
{
	ikc_provider_env other;
	long before = calls_of("POST", "/clusters/{cluster}:setResourceLabels") +
		calls_of("POST", "/clusters/{cluster}/nodePools/{nodePool}"
			 ":setSize");
	long after;

	(void)state;
	env_init(&other);
	two_updates(&fx.env, &other, 2, "two");
	after = calls_of("POST", "/clusters/{cluster}:setResourceLabels") +
		calls_of("POST", "/clusters/{cluster}/nodePools/{nodePool}"
			 ":setSize");
	/* Both calls went through, and one of them was refused first. */
	assert_true(after - before >= 3);
	ikc_gke__env_dispose(&other);
	assert_null(other.priv_gke);
}

static void test_providers_gke__rate_limit_retried(void **state)
{
	ikc_target t;
	json_object *live, *faults;
	const char *fields[] = { "spec.resourceLabels" };
	long n0 = calls_of("POST", "/clusters/{cluster}:setResourceLabels");

	(void)state;
	admin_faults("429:times=2:route=POST /v1/projects/" PROJECT
		     "/locations/" ZONE "/clusters/c1:setResourceLabels");
	json_object_object_add(ikc_json_path(c1_doc, "spec.resourceLabels"),
			       "env", json_object_new_string("three"));
	c1_target(&t);
	live = read_ok(&t);
	check(fx.ops->update(&fx.env, &t, live, fields, 1), "update");
	json_object_put(live);
	/* Two answers were 429, then the call went through. */
	faults = admin_get("faults");
	assert_int_equal(2, json_object_get_int(ikc_json_path(
		json_object_array_get_idx(faults, 0), "fired")));
	json_object_put(faults);
	admin_faults(NULL);
	assert_true(calls_of("POST", "/clusters/{cluster}:setResourceLabels")
		    >= n0 + 1);
	live = read_ok(&t);
	assert_string_equal("three", ikc_json_str(
		ikc_json_path(live, "resourceLabels"), "env"));
	json_object_put(live);
	target_done(&t);
}

static void test_providers_gke__failed_operation(void **state)
{
	ikc_target t;
	json_object *cl, *live;
	const char *fields[] = { "spec.nodeCount" };

	(void)state;
	admin_faults("opfail:times=1:route=POST /v1/projects/" PROJECT
		     "/locations/" ZONE "/clusters/c1/nodePools/np:setSize");
	json_object_object_add(ikc_json_path(np_doc, "spec"), "nodeCount",
			       json_object_new_int(5));
	cl = np_target(&t);
	live = read_ok(&t);
	assert_int_equal(IKC_EREMOTE,
			 fx.ops->update(&fx.env, &t, live, fields, 1));
	admin_faults(NULL);
	assert_non_null(strstr(ikc_error_last(), "NodePool/np: operation "
			       "operation-"));
	assert_non_null(strstr(ikc_error_last(), "failed: "));
	json_object_put(live);
	json_object_put(cl);
	target_done(&t);
}

/* ---- a pool created on its own, and deletes ---- */

static void test_providers_gke__create_and_remove_pool(void **state)
{
	ikc_target t;
	json_object *doc, *cl, *live;
	char *op = NULL, *rid = NULL;
	long n0 = calls_of("POST", "/clusters/{cluster}/nodePools");

	(void)state;
	doc = pool_doc("extra", "c1", 1, "e2-small");
	cl = np_target(&t);   /* for the cluster's live value */
	target_done(&t);
	target(&t, doc);
	t.cluster_live = cl;
	check(fx.ops->create(&fx.env, &t, &op, &rid), "create pool");
	assert_non_null(op);
	assert_string_equal("projects/" PROJECT "/locations/" ZONE
			    "/clusters/c1/nodePools/extra", rid);
	assert_int_equal(n0 + 1, calls_of("POST",
					  "/clusters/{cluster}/nodePools"));
	check(fx.ops->wait(&fx.env, &t, 0, op), "wait");
	live = read_ok(&t);
	assert_int_equal(1, json_object_get_int(
		ikc_json_path(live, "spec.nodeCount")));
	assert_string_equal("RUNNING", ikc_json_str(live, "status"));
	json_object_put(live);
	free(op);
	op = NULL;
	check(fx.ops->remove(&fx.env, &t, &op), "remove pool");
	check(fx.ops->wait(&fx.env, &t, 1, op), "wait for delete");
	live = NULL;
	assert_int_equal(IKC_ENOTFOUND, fx.ops->read(&fx.env, &t, &live));
	assert_null(live);
	free(op);
	op = NULL;
	assert_int_equal(IKC_ENOTFOUND, fx.ops->remove(&fx.env, &t, &op));
	free(op);
	free(rid);
	json_object_put(cl);
	json_object_put(doc);
	target_done(&t);
}

static void test_providers_gke__remove_cluster(void **state)
{
	ikc_target t;
	json_object *live = NULL;
	char *op = NULL;

	(void)state;
	c1_target(&t);
	check(fx.ops->remove(&fx.env, &t, &op), "remove");
	assert_non_null(op);
	check(fx.ops->wait(&fx.env, &t, 1, op), "wait for delete");
	assert_int_equal(IKC_ENOTFOUND, fx.ops->read(&fx.env, &t, &live));
	assert_non_null(strstr(ikc_error_last(), "404"));
	assert_null(live);
	free(op);
	op = NULL;
	assert_int_equal(IKC_ENOTFOUND, fx.ops->remove(&fx.env, &t, &op));
	assert_null(op);
	target_done(&t);
	json_object_put(c1_doc);
	json_object_put(np_doc);
	c1_doc = np_doc = NULL;
}

static void test_providers_gke__read_missing(void **state)
{
	ikc_target t;
	json_object *doc = cluster_doc("nosuch", NULL), *live = NULL;

	(void)state;
	target(&t, doc);
	assert_int_equal(IKC_ENOTFOUND, fx.ops->read(&fx.env, &t, &live));
	assert_null(live);
	target_done(&t);
	json_object_put(doc);
}

/* A deadline shorter than the operation: IKC_ETIMEOUT naming it. */
static void test_providers_gke__wait_deadline(void **state)
{
	ikc_provider_env hasty;
	ikc_target t;
	json_object *doc;
	char *op = NULL, *rid = NULL;

	(void)state;
	doc = cluster_doc("c3", "\"initialNodeCount\": 1");
	target(&t, doc);
	check(fx.ops->create(&fx.env, &t, &op, &rid), "create");
	env_init(&hasty);
	hasty.gke_cluster_deadline = 0.1;
	assert_int_equal(IKC_ETIMEOUT, fx.ops->wait(&hasty, &t, 0, op));
	assert_non_null(strstr(ikc_error_last(), op));
	assert_non_null(strstr(ikc_error_last(), "CREATE_CLUSTER"));
	ikc_gke__env_dispose(&hasty);
	/* with the usual deadline it completes, and goes away again */
	check(fx.ops->wait(&fx.env, &t, 0, op), "wait");
	free(op);
	op = NULL;
	check(fx.ops->remove(&fx.env, &t, &op), "remove");
	check(fx.ops->wait(&fx.env, &t, 1, op), "wait for delete");
	free(op);
	free(rid);
	target_done(&t);
	json_object_put(doc);
}

/* Create, forget everything but the operation name, wait in a fresh env. */
static void test_providers_gke__resume_wait_by_operation(void **state)
{
	ikc_provider_env fresh;
	ikc_target t;
	json_object *doc, *pool, *pools[1], *live;
	char opname[256], *op = NULL, *rid = NULL;

	(void)state;
	doc = cluster_doc("c2", NULL);
	pool = pool_doc("main", "c2", 1, "e2-medium");
	pools[0] = pool;
	target(&t, doc);
	t.pools = pools;
	t.npools = 1;
	check(fx.ops->create(&fx.env, &t, &op, &rid), "create");
	snprintf(opname, sizeof(opname), "%s", op);
	free(op);
	free(rid);
	target_done(&t);
	json_object_put(pool);
	json_object_put(doc);

	/* A later run: a new env and the desired value from the file. */
	env_init(&fresh);
	doc = cluster_doc("c2", NULL);
	target(&t, doc);
	check(fx.ops->wait(&fresh, &t, 0, opname), "resumed wait");
	live = read_ok(&t);
	assert_string_equal("RUNNING", ikc_json_str(live, "status"));
	json_object_put(live);
	op = NULL;
	check(fx.ops->remove(&fresh, &t, &op), "remove");
	check(fx.ops->wait(&fresh, &t, 1, op), "wait for delete");
	free(op);
	ikc_gke__env_dispose(&fresh);
	target_done(&t);
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_providers_gke__create_cluster_with_pool),
		cmocka_unit_test(test_providers_gke__create_again_adopts),
		cmocka_unit_test(test_providers_gke__set_size),
		cmocka_unit_test(test_providers_gke__machine_type_in_place),
		cmocka_unit_test(test_providers_gke__resource_labels),
		cmocka_unit_test(
			test_providers_gke__autoscaling_and_management),
		cmocka_unit_test(test_providers_gke__node_count_fallback),
		cmocka_unit_test(
			test_providers_gke__field_without_call_refused),
		cmocka_unit_test(
			test_providers_gke__concurrent_updates_serialised),
		cmocka_unit_test(test_providers_gke__concurrent_updates_retried),
		cmocka_unit_test(test_providers_gke__rate_limit_retried),
		cmocka_unit_test(test_providers_gke__failed_operation),
		cmocka_unit_test(test_providers_gke__create_and_remove_pool),
		cmocka_unit_test(test_providers_gke__remove_cluster),
		cmocka_unit_test(test_providers_gke__read_missing),
		cmocka_unit_test(test_providers_gke__wait_deadline),
		cmocka_unit_test(test_providers_gke__resume_wait_by_operation),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
