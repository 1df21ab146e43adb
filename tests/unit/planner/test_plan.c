/* test_plan.c - plan build: order, resolution, deletes, destroy, targets, prevent-destroy, refresh */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "planner/diff.h"
#include "planner/plan.h"
#include "util/errors.h"
#include "fixtures.h"

/* A Stack document whose Kubernetes objects go to a kubeconfig cluster. */
#define KUBECONFIG_STACK \
	"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata:\n  name: s\n" \
	"spec:\n  kubernetes:\n    kubeconfig: kubeconfig\n"

static char *addresses(const ikc_plan *p, int skip_noop)
{
	ikc_buf b = IKC_BUF_INIT(1 << 16);
	size_t i;

	assert_int_equal(0, ikc_buf_puts(&b, ""));
	for (i = 0; i < p->nchanges; i++) {
		if (skip_noop && p->changes[i].action == IKC_ACTION_NOOP)
			continue;
		assert_int_equal(0, ikc_buf_printf(&b, "%s%s:%s", b.len ? " " : "",
						   ikc_action_name(p->changes[i].action),
						   p->changes[i].address));
	}
	return ikc_buf_detach(&b);
}

static void expect_plan(const ikc_plan *p, const char *want, int skip_noop)
{
	char *got = addresses(p, skip_noop);

	assert_string_equal(want, got);
	free(got);
}

static void test_planner_plan__reference_stack_against_empty_state(void **state)
{
	ikc_stack *st = stack_fixture("nginx-asia.yaml");
	ikc_state *prior = NULL;
	ikc_plan *plan = NULL;
	ikc_plan_input in;

	(void)state;
	/* No state at all. */
	memset(&in, 0, sizeof(in));
	in.stack = st;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	expect_plan(plan, "create:Cluster/nginx-asia create:NodePool/default-pool "
		    "create:ReplicationController/nginx create:Service/nginxservice", 0);
	assert_int_equal(4, plan->n_create);
	assert_int_equal(0, plan->n_update + plan->n_replace + plan->n_delete + plan->n_noop);
	assert_true(ikc_plan_has_changes(plan));
	assert_int_equal(0, plan->ndrift);
	assert_string_equal("nginx-asia", plan->stack);
	assert_string_equal("", plan->lineage);
	assert_string_equal(st->digest, plan->digest);
	assert_false(plan->refreshed);
	assert_null(plan->changes[0].before);
	assert_string_equal("asia-east1-a",
		json_object_get_string(ikc_json_path(plan->changes[0].after, "spec.location")));
	assert_int_equal(IKC_PROVIDER_GKE, plan->changes[1].provider);
	assert_int_equal(IKC_PROVIDER_KUBERNETES, plan->changes[3].provider);
	ikc_plan_free(plan);
	plan = NULL;

	/* A fresh, empty state: the same plan, against its lineage. */
	assert_int_equal(0, ikc_state_new(&prior, "nginx-asia"));
	in.prior = prior;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	assert_int_equal(4, plan->n_create);
	assert_string_equal(ikc_state_lineage(prior), plan->lineage);
	ikc_plan_free(plan);
	ikc_state_free(prior);
	ikc_stack_free(st);
}

static void test_planner_plan__applied_state_is_no_change(void **state)
{
	ikc_stack *st = stack_fixture("nginx-asia.yaml");
	ikc_state *prior = state_fixture("nginx-asia", "applied.json");
	ikc_plan *plan = NULL;
	ikc_plan_input in;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.prior = prior;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	expect_plan(plan, "", 1);
	assert_int_equal(4, plan->n_noop);
	assert_false(ikc_plan_has_changes(plan));
	assert_int_equal(0, plan->ndrift);
	ikc_plan_free(plan);
	ikc_state_free(prior);
	ikc_stack_free(st);
}

static void test_planner_plan__mix_of_actions_and_drift(void **state)
{
	ikc_stack *st = stack_fixture("mix.yaml");
	ikc_state *prior = state_fixture("nginx-asia", "mix-state.json");
	ikc_plan *plan = NULL;
	ikc_plan_input in;
	const ikc_change *cm, *pool, *rc;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.prior = prior;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	expect_plan(plan, "no-op:Cluster/nginx-asia replace:NodePool/default-pool "
		    "update:ReplicationController/nginx no-op:Service/nginxservice "
		    "create:ConfigMap/web-config delete:ConfigMap/old", 0);
	pool = ikc_plan_find(plan, "NodePool/default-pool");
	assert_int_equal(1, pool->nreplace_paths);
	assert_string_equal("spec.config.oauthScopes", pool->replace_paths[0]);
	rc = ikc_plan_find(plan, "ReplicationController/nginx");
	assert_int_equal(1, rc->nfields);
	assert_string_equal("spec.replicas", rc->fields[0].path);
	/* Not refreshed: before is the last applied value. */
	assert_int_equal(2, json_object_get_int(ikc_json_path(rc->before, "spec.replicas")));
	/* Drift from the stored observation. */
	assert_int_equal(1, plan->ndrift);
	assert_string_equal("ReplicationController/nginx", plan->drift[0].address);
	assert_string_equal("spec.replicas", plan->drift[0].fields[0].path);
	/* References: from the state's outputs, from the replaced pool's desired value, unknown. */
	cm = ikc_plan_find(plan, "ConfigMap/web-config");
	assert_string_equal("35.201.1.2",
		json_object_get_string(ikc_json_path(cm->after, "data.external_ip")));
	assert_string_equal("2 nodes", json_object_get_string(ikc_json_path(cm->after, "data.pool_size")));
	assert_true(ikc_diff__is_unknown(ikc_json_path(cm->after, "data.pool_status")));
	/* The old ConfigMap's cluster stays: it is deleted on its own. */
	assert_null(ikc_plan_find(plan, "ConfigMap/old")->deleted_with);
	assert_int_equal(1, plan->n_create);
	assert_int_equal(1, plan->n_update);
	assert_int_equal(1, plan->n_replace);
	assert_int_equal(1, plan->n_delete);
	assert_int_equal(2, plan->n_noop);
	ikc_plan_free(plan);
	ikc_state_free(prior);
	ikc_stack_free(st);
}

static void test_planner_plan__refreshed_live_values(void **state)
{
	ikc_stack *st = stack_fixture("nginx-asia.yaml");
	ikc_state *prior = state_fixture("nginx-asia", "applied.json");
	ikc_plan *plan = NULL;
	ikc_plan_input in;
	json_object *live = json_object_new_object();
	const ikc_change *rc;

	(void)state;
	/* Live: the RC was scaled to 5 by hand, the Service is gone, the rest as applied. */
	json_object_object_add(live, "Cluster/nginx-asia", ikc_json_copy(
		json_object_object_get(ikc_state_resource(prior, "Cluster/nginx-asia"), "observed")));
	json_object_object_add(live, "NodePool/default-pool", ikc_json_copy(
		json_object_object_get(ikc_state_resource(prior, "NodePool/default-pool"), "observed")));
	json_object_object_add(live, "ReplicationController/nginx", ikc_json_copy(
		json_object_object_get(ikc_state_resource(prior, "ReplicationController/nginx"), "observed")));
	ikc_json_set_path(json_object_object_get(live, "ReplicationController/nginx"),
			  "spec.replicas", json_object_new_int(5));
	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.prior = prior;
	in.live = live;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	assert_true(plan->refreshed);
	expect_plan(plan, "update:ReplicationController/nginx create:Service/nginxservice", 1);
	rc = ikc_plan_find(plan, "ReplicationController/nginx");
	assert_int_equal(5, json_object_get_int(rc->fields[0].before));
	assert_int_equal(2, json_object_get_int(rc->fields[0].after));
	assert_int_equal(5, json_object_get_int(ikc_json_path(rc->before, "spec.replicas")));
	assert_int_equal(2, plan->ndrift);
	assert_string_equal("ReplicationController/nginx", plan->drift[0].address);
	assert_false(plan->drift[0].gone);
	assert_string_equal("Service/nginxservice", plan->drift[1].address);
	assert_true(plan->drift[1].gone);
	ikc_plan_free(plan);
	json_object_put(live);
	ikc_state_free(prior);
	ikc_stack_free(st);
}

static void test_planner_plan__destroy_in_reverse_order(void **state)
{
	ikc_stack *st = stack_fixture("nginx-asia.yaml");
	ikc_state *prior = state_fixture("nginx-asia", "applied.json");
	ikc_plan *plan = NULL;
	ikc_plan_input in;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.prior = prior;
	in.destroy = 1;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	assert_true(plan->destroy);
	expect_plan(plan, "delete:Service/nginxservice delete:ReplicationController/nginx "
		    "delete:NodePool/default-pool delete:Cluster/nginx-asia", 0);
	/* The LoadBalancer Service goes first, on its own; the rest go with the cluster. */
	assert_null(plan->changes[0].deleted_with);
	assert_string_equal("Cluster/nginx-asia", plan->changes[1].deleted_with);
	assert_string_equal("Cluster/nginx-asia", plan->changes[2].deleted_with);
	assert_null(plan->changes[3].deleted_with);
	assert_int_equal(4, plan->n_delete);
	ikc_plan_free(plan);

	/* Destroying a target takes what depends on it, nothing else. */
	{
		const char *targets[] = { "NodePool/default-pool" };

		in.targets = targets;
		in.ntargets = 1;
		assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
		expect_plan(plan, "delete:Service/nginxservice delete:ReplicationController/nginx "
			    "delete:NodePool/default-pool", 0);
		ikc_plan_free(plan);
	}
	ikc_state_free(prior);
	ikc_stack_free(st);
}

static void test_planner_plan__deletes_dependents_first(void **state)
{
	ikc_stack *st = stack_from_text(
		KUBECONFIG_STACK "---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n");
	/* Stored in an order that is not the deletion order. */
	ikc_state *prior = state_from_text("s",
		"[{\"address\":\"Cluster/old\",\"kind\":\"Cluster\",\"api_version\":\"container.googleapis.com/v1\",\"provider\":\"gke\",\"desired\":{},\"depends_on\":[]},"
		" {\"address\":\"ConfigMap/keep\",\"kind\":\"ConfigMap\",\"api_version\":\"v1\",\"provider\":\"kubernetes\",\"desired\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"keep\"}},\"depends_on\":[]},"
		" {\"address\":\"Service/lb\",\"kind\":\"Service\",\"api_version\":\"v1\",\"provider\":\"kubernetes\",\"cluster\":\"Cluster/old\",\"desired\":{\"spec\":{\"type\":\"LoadBalancer\"}},\"depends_on\":[\"Cluster/old\",\"NodePool/old-pool\"]},"
		" {\"address\":\"NodePool/old-pool\",\"kind\":\"NodePool\",\"api_version\":\"container.googleapis.com/v1\",\"provider\":\"gke\",\"cluster\":\"Cluster/old\",\"desired\":{},\"depends_on\":[\"Cluster/old\"]},"
		" {\"address\":\"ConfigMap/x\",\"kind\":\"ConfigMap\",\"api_version\":\"v1\",\"provider\":\"kubernetes\",\"cluster\":\"Cluster/old\",\"desired\":{},\"depends_on\":[\"Cluster/old\",\"NodePool/old-pool\"]}]");
	ikc_plan *plan = NULL;
	ikc_plan_input in;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.prior = prior;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	expect_plan(plan, "no-op:ConfigMap/keep delete:ConfigMap/x delete:Service/lb "
		    "delete:NodePool/old-pool delete:Cluster/old", 0);
	assert_string_equal("Cluster/old", ikc_plan_find(plan, "ConfigMap/x")->deleted_with);
	assert_null(ikc_plan_find(plan, "Service/lb")->deleted_with);
	assert_string_equal("Cluster/old", ikc_plan_find(plan, "NodePool/old-pool")->deleted_with);
	ikc_plan_free(plan);
	ikc_state_free(prior);
	ikc_stack_free(st);
}

static void test_planner_plan__replaced_cluster_takes_its_objects(void **state)
{
	size_t len;
	char *yaml = read_fixture("nginx-asia.yaml", &len);
	char *moved = strstr(yaml, "asia-east1-a");
	ikc_stack *st;
	ikc_state *prior = state_fixture("nginx-asia", "applied.json");
	ikc_plan *plan = NULL;
	ikc_plan_input in;
	ikc_buf text = IKC_BUF_INIT(1 << 20);

	(void)state;
	memcpy(moved, "asia-east1-b", 12);   /* a new location: a new cluster */
	st = stack_from_text(yaml);
	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.prior = prior;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	expect_plan(plan, "replace:Cluster/nginx-asia replace:NodePool/default-pool "
		    "replace:ReplicationController/nginx replace:Service/nginxservice", 0);
	assert_string_equal("spec.location", plan->changes[0].replace_paths[0]);
	assert_null(plan->changes[0].deleted_with);
	assert_string_equal("Cluster/nginx-asia", plan->changes[1].deleted_with);
	assert_string_equal("Cluster/nginx-asia", plan->changes[2].deleted_with);
	assert_null(plan->changes[3].deleted_with);   /* LoadBalancer: deleted first, by apply */
	assert_int_equal(4, plan->n_replace);
	assert_int_equal(0, ikc_plan_render_text(&text, plan, 0));
	assert_non_null(strstr(text.ptr, "# NodePool/default-pool must be replaced (it goes with its replaced cluster)"));
	assert_non_null(strstr(text.ptr, "# Cluster/nginx-asia must be replaced (spec.location forces replacement)"));
	ikc_buf_dispose(&text);
	ikc_plan_free(plan);
	ikc_state_free(prior);
	ikc_stack_free(st);
	free(yaml);
}

static void test_planner_plan__target_takes_dependencies(void **state)
{
	ikc_stack *st = stack_fixture("nginx-asia.yaml");
	ikc_plan *plan = NULL;
	ikc_plan_input in;
	const char *targets[] = { "Service/nginxservice" };
	const char *bad[] = { "Service/nginxservise" };
	const char *with_ns[] = { "ReplicationController/default/nginx" };

	(void)state;
	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.targets = targets;
	in.ntargets = 1;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	expect_plan(plan, "create:Cluster/nginx-asia create:NodePool/default-pool "
		    "create:Service/nginxservice", 0);
	ikc_plan_free(plan);
	plan = NULL;
	/* The default namespace may be spelled out. */
	in.targets = with_ns;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	expect_plan(plan, "create:Cluster/nginx-asia create:NodePool/default-pool "
		    "create:ReplicationController/nginx", 0);
	ikc_plan_free(plan);
	plan = NULL;
	in.targets = bad;
	assert_int_equal(IKC_EINVALID, ikc_plan_build(&plan, NULL, &in));
	assert_null(plan);
	assert_string_equal("--target Service/nginxservise is not a resource of this stack "
			    "(did you mean \"Service/nginxservice\"?)", ikc_error_last());
	ikc_stack_free(st);
}

static const char protected_yaml[] =
	"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata:\n  name: s\n"
	"spec:\n  google:\n    project: p\n---\n"
	"apiVersion: container.googleapis.com/v1\nkind: Cluster\nmetadata:\n  name: c\n"
	"  annotations:\n    ikc.dev/prevent-destroy: \"true\"\n"
	"spec:\n  location: europe-west1-b\n";

static void test_planner_plan__prevent_destroy_on_replace(void **state)
{
	ikc_stack *st = stack_from_text(protected_yaml);
	ikc_state *prior = state_from_text("s",
		"[{\"address\":\"Cluster/c\",\"kind\":\"Cluster\",\"api_version\":\"container.googleapis.com/v1\",\"provider\":\"gke\","
		"\"desired\":{\"apiVersion\":\"container.googleapis.com/v1\",\"kind\":\"Cluster\",\"metadata\":{\"name\":\"c\"},\"spec\":{\"location\":\"asia-east1-a\"}},"
		"\"observed\":{\"apiVersion\":\"container.googleapis.com/v1\",\"kind\":\"Cluster\",\"metadata\":{\"name\":\"c\"},\"spec\":{}},"
		"\"depends_on\":[],\"prevent_destroy\":true}]");
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_plan *plan = NULL;
	ikc_plan_input in;

	(void)state;
	assert_true(st->resources[0].prevent_destroy);
	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.prior = prior;
	assert_int_equal(IKC_EINVALID, ikc_plan_build(&plan, &diags, &in));
	assert_null(plan);
	assert_string_equal("Cluster/c: ikc.dev/prevent-destroy is set, but the plan must replace it "
			    "(spec.location forces replacement)", ikc_error_last());
	assert_int_equal(1, diags.count);
	assert_string_equal("ikc.yaml", diags.items[0].file);
	assert_int_equal(16, diags.items[0].line);   /* spec.location, the field forcing it */
	ikc_diags_dispose(&diags);
	ikc_stack_free(st);

	/* The annotation taken out of the file: the file decides, the replace may go. */
	st = stack_from_text(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata:\n  name: s\n"
		"spec:\n  google:\n    project: p\n---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\nmetadata:\n  name: c\n"
		"spec:\n  location: europe-west1-b\n");
	in.stack = st;
	assert_int_equal(0, ikc_plan_build(&plan, &diags, &in));
	expect_plan(plan, "replace:Cluster/c", 0);
	ikc_plan_free(plan);
	ikc_state_free(prior);
	ikc_stack_free(st);
}

static void test_planner_plan__prevent_destroy_remembered_in_state(void **state)
{
	/* The protected Cluster's document was deleted from the file. */
	ikc_stack *st = stack_from_text(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata:\n  name: s\n");
	ikc_state *prior = state_from_text("s",
		"[{\"address\":\"Cluster/c\",\"kind\":\"Cluster\",\"api_version\":\"container.googleapis.com/v1\",\"provider\":\"gke\","
		"\"desired\":{},\"depends_on\":[],\"prevent_destroy\":true},"
		" {\"address\":\"ConfigMap/free\",\"kind\":\"ConfigMap\",\"api_version\":\"v1\",\"provider\":\"kubernetes\","
		"\"desired\":{},\"depends_on\":[],\"prevent_destroy\":false}]");
	ikc_plan *plan = NULL;
	ikc_plan_input in;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.prior = prior;
	assert_int_equal(IKC_EINVALID, ikc_plan_build(&plan, NULL, &in));
	assert_null(plan);
	assert_non_null(strstr(ikc_error_last(), "Cluster/c: ikc.dev/prevent-destroy is set (remembered in the state)"));
	/* A destroy plan fails the same way. */
	in.destroy = 1;
	assert_int_equal(IKC_EINVALID, ikc_plan_build(&plan, NULL, &in));
	assert_non_null(strstr(ikc_error_last(), "Cluster/c: ikc.dev/prevent-destroy is set"));
	/* Without the protected resource, deleting is fine. */
	assert_int_equal(0, ikc_state_resource_remove(prior, "Cluster/c"));
	in.destroy = 0;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	expect_plan(plan, "delete:ConfigMap/free", 0);
	ikc_plan_free(plan);
	ikc_state_free(prior);
	ikc_stack_free(st);
}

static void test_planner_plan__cycle_fails_with_position(void **state)
{
	ikc_stack *st = stack_from_text(
		KUBECONFIG_STACK "---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: ${ConfigMap/b.data.y}\n---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  y: ${ConfigMap/a.data.x}\n");
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_plan *plan = NULL;
	ikc_plan_input in;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.stack = st;
	assert_int_equal(IKC_EINVALID, ikc_plan_build(&plan, &diags, &in));
	assert_null(plan);
	assert_int_equal(1, diags.count);
	assert_int_equal(9, diags.items[0].line);   /* "apiVersion" of ConfigMap/a */
	assert_string_equal("dependency cycle: ConfigMap/a -> ConfigMap/b -> ConfigMap/a",
			    diags.items[0].message);
	ikc_diags_dispose(&diags);
	ikc_stack_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planner_plan__reference_stack_against_empty_state),
		cmocka_unit_test(test_planner_plan__applied_state_is_no_change),
		cmocka_unit_test(test_planner_plan__mix_of_actions_and_drift),
		cmocka_unit_test(test_planner_plan__refreshed_live_values),
		cmocka_unit_test(test_planner_plan__destroy_in_reverse_order),
		cmocka_unit_test(test_planner_plan__deletes_dependents_first),
		cmocka_unit_test(test_planner_plan__replaced_cluster_takes_its_objects),
		cmocka_unit_test(test_planner_plan__target_takes_dependencies),
		cmocka_unit_test(test_planner_plan__prevent_destroy_on_replace),
		cmocka_unit_test(test_planner_plan__prevent_destroy_remembered_in_state),
		cmocka_unit_test(test_planner_plan__cycle_fails_with_position),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
