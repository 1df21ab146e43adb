/* test_shape.c - GKE provider without a server: resource paths, create bodies, secret scrubbing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "providers/gke/internal.h"
#include "util/errors.h"
#include "util/json.h"

static json_object *js(const char *text)
{
	json_object *o = NULL;

	assert_int_equal(0, ikc_json_parse(&o, text, strlen(text), "test"));
	return o;
}

static ikc_stack stack;
static ikc_provider_env env;

static int setup(void **state)
{
	(void)state;
	memset(&stack, 0, sizeof(stack));
	stack.project = (char *)"stack-proj";
	stack.endpoint = (char *)"https://gke.example/";
	memset(&env, 0, sizeof(env));
	env.stack = &stack;
	return 0;
}

static void target(ikc_target *t, const char *address, const char *kind,
		   const char *name, json_object *desired)
{
	memset(t, 0, sizeof(*t));
	t->address = address;
	t->kind = kind;
	t->name = name;
	t->desired = desired;
}

static void test_providers_gke_shape__cluster_paths(void **state)
{
	json_object *d = js("{\"spec\": {\"location\": \"europe-west1\"}}");
	ikc_gke_id id;
	ikc_target t;

	(void)state;
	target(&t, "Cluster/demo", "Cluster", "demo", d);
	assert_int_equal(0, ikc_gke__id_resolve(&id, &env, &t));
	assert_string_equal("https://gke.example/v1/projects/stack-proj/"
			    "locations/europe-west1/clusters/demo", id.url);
	assert_string_equal("projects/stack-proj/locations/europe-west1/"
			    "clusters/demo", id.remote_id);
	assert_null(id.pool);
	ikc_gke__id_dispose(&id);
	json_object_put(d);
}

static void test_providers_gke_shape__pool_location_from_cluster(void **state)
{
	json_object *d = js("{\"spec\": {\"cluster\": \"demo\", "
			    "\"project\": \"own\"}}");
	json_object *cl = js("{\"spec\": {\"location\": \"asia-east1-a\", "
			     "\"project\": \"other\"}}");
	ikc_gke_id id;
	ikc_target t;

	(void)state;
	target(&t, "NodePool/np", "NodePool", "np", d);
	t.cluster_live = cl;
	assert_int_equal(0, ikc_gke__id_resolve(&id, &env, &t));
	/* spec.project wins over the cluster's and the stack's */
	assert_string_equal("projects/own/locations/asia-east1-a/clusters/demo/"
			    "nodePools/np", id.remote_id);
	assert_string_equal("https://gke.example/v1/projects/own/locations/"
			    "asia-east1-a/clusters/demo", id.cluster_url);
	ikc_gke__id_dispose(&id);
	json_object_put(cl);
	json_object_put(d);
}

static void test_providers_gke_shape__pool_full_cluster_path(void **state)
{
	json_object *d = js("{\"spec\": {\"cluster\": \"projects/p9/locations/"
			    "us-east1/clusters/shared\"}}");
	ikc_gke_id id;
	ikc_target t;

	(void)state;
	target(&t, "NodePool/np", "NodePool", "np", d);
	assert_int_equal(0, ikc_gke__id_resolve(&id, &env, &t));
	assert_string_equal("projects/p9/locations/us-east1/clusters/shared/"
			    "nodePools/np", id.remote_id);
	ikc_gke__id_dispose(&id);
	json_object_put(d);
}

static void test_providers_gke_shape__state_fills_in(void **state)
{
	json_object *entry = js("{\"remote_id\": \"projects/p/locations/l1/"
				"clusters/c/nodePools/np\"}");
	ikc_gke_id id;
	ikc_target t;

	(void)state;
	/* a pool removed from the file, known only from the state */
	target(&t, "NodePool/np", "NodePool", NULL, NULL);
	t.state = entry;
	assert_int_equal(0, ikc_gke__id_resolve(&id, &env, &t));
	assert_string_equal("projects/p/locations/l1/clusters/c/nodePools/np",
			    id.remote_id);
	ikc_gke__id_dispose(&id);
	json_object_put(entry);
}

static void test_providers_gke_shape__missing_location(void **state)
{
	json_object *d = js("{\"spec\": {\"cluster\": \"demo\"}}");
	ikc_gke_id id;
	ikc_target t;

	(void)state;
	target(&t, "NodePool/np", "NodePool", "np", d);
	assert_int_equal(IKC_EINVALID, ikc_gke__id_resolve(&id, &env, &t));
	assert_non_null(strstr(ikc_error_last(), "NodePool/np: no location"));
	json_object_put(d);
}

static void test_providers_gke_shape__create_with_pools(void **state)
{
	json_object *c = js("{\"metadata\": {\"name\": \"demo\"}, \"spec\": "
			    "{\"location\": \"l\", \"project\": \"p\", "
			    "\"resourceLabels\": {\"env\": \"x\"}}}");
	json_object *p = js("{\"metadata\": {\"name\": \"np\"}, \"spec\": "
			    "{\"cluster\": \"demo\", \"nodeCount\": 2, "
			    "\"config\": {\"machineType\": \"n1-standard-2\"}}}");
	json_object *pools[1] = { p }, *req = NULL, *cl, *np;
	ikc_target t;

	(void)state;
	target(&t, "Cluster/demo", "Cluster", "demo", c);
	t.pools = pools;
	t.npools = 1;
	assert_int_equal(0, ikc_gke__cluster_request(&req, &t));
	cl = ikc_json_path(req, "cluster");
	assert_string_equal("demo", ikc_json_str(cl, "name"));
	assert_null(ikc_json_path(cl, "location"));
	assert_null(ikc_json_path(cl, "project"));
	assert_null(ikc_json_path(cl, "initialNodeCount"));
	assert_string_equal("x", ikc_json_str(ikc_json_path(cl,
				"resourceLabels"), "env"));
	assert_int_equal(1, json_object_array_length(
		ikc_json_path(cl, "nodePools")));
	np = ikc_json_path(cl, "nodePools[0]");
	assert_string_equal("np", ikc_json_str(np, "name"));
	assert_int_equal(2, json_object_get_int(
		ikc_json_path(np, "initialNodeCount")));
	assert_null(ikc_json_path(np, "nodeCount"));
	assert_null(ikc_json_path(np, "cluster"));
	assert_string_equal("n1-standard-2", ikc_json_str(
		ikc_json_path(np, "config"), "machineType"));
	json_object_put(req);
	json_object_put(p);
	json_object_put(c);
}

static void test_providers_gke_shape__live_keeps_no_secrets(void **state)
{
	json_object *api = js("{\"name\": \"demo\", \"status\": \"RUNNING\", "
			      "\"endpoint\": \"10.0.0.1\", \"masterAuth\": "
			      "{\"username\": \"admin\", \"password\": \"pw\", "
			      "\"clientKey\": \"KEY\", "
			      "\"clusterCaCertificate\": \"Q0E=\"}}");
	json_object *d = js("{\"spec\": {\"location\": \"l\"}}");
	json_object *live = NULL, *auth;
	const char *text;
	ikc_gke_id id;
	ikc_target t;

	(void)state;
	target(&t, "Cluster/demo", "Cluster", "demo", d);
	assert_int_equal(0, ikc_gke__id_resolve(&id, &env, &t));
	assert_int_equal(0, ikc_gke__live(&live, &t, &id, api, -1));
	assert_string_equal("Cluster", ikc_json_str(live, "kind"));
	assert_string_equal("demo", ikc_json_str(ikc_json_path(live,
				"metadata"), "name"));
	assert_string_equal("10.0.0.1", ikc_json_str(live, "endpoint"));
	assert_string_equal("RUNNING", ikc_json_str(ikc_json_path(live, "spec"),
						    "status"));
	assert_string_equal("l", ikc_json_str(ikc_json_path(live, "spec"),
					      "location"));
	assert_string_equal("stack-proj", ikc_json_str(
		ikc_json_path(live, "spec"), "project"));
	auth = ikc_json_path(live, "masterAuth");
	assert_int_equal(1, json_object_object_length(auth));
	assert_string_equal("Q0E=", ikc_json_str(auth, "clusterCaCertificate"));
	text = json_object_to_json_string(live);
	assert_null(strstr(text, "KEY"));
	assert_null(strstr(text, "\"pw\""));
	assert_null(strstr(text, "admin"));
	json_object_put(live);
	ikc_gke__id_dispose(&id);
	json_object_put(d);
	json_object_put(api);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_providers_gke_shape__cluster_paths,
				       setup),
		cmocka_unit_test_setup(
			test_providers_gke_shape__pool_location_from_cluster,
			setup),
		cmocka_unit_test_setup(
			test_providers_gke_shape__pool_full_cluster_path, setup),
		cmocka_unit_test_setup(test_providers_gke_shape__state_fills_in,
				       setup),
		cmocka_unit_test_setup(
			test_providers_gke_shape__missing_location, setup),
		cmocka_unit_test_setup(
			test_providers_gke_shape__create_with_pools, setup),
		cmocka_unit_test_setup(
			test_providers_gke_shape__live_keeps_no_secrets, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
