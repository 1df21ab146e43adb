/* test_graph.c - dependency graph: implicit edges, references, order, targets, cycles */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "planner/graph.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/errors.h"
#include "helpers.h"

#define K8S "v1"
#define GKE "container.googleapis.com/v1"

/* The addresses of the stack's apply order, space-separated. */
static char *order_text(const ikc_stack *st)
{
	size_t *order = NULL, i;
	ikc_buf b = IKC_BUF_INIT(4096);
	ikc_diags diags = IKC_DIAGS_INIT;

	assert_int_equal(0, ikc_graph_stack_order(&order, &diags, st));
	assert_int_equal(0, diags.count);
	for (i = 0; i < st->nresources; i++)
		assert_int_equal(0, ikc_buf_printf(&b, "%s%s", i ? " " : "",
						   st->resources[order[i]].address));
	free(order);
	return ikc_buf_detach(&b);
}

static void test_planner_graph__implicit_edges(void **state)
{
	ikc_stack *st = mk_stack("s");
	char *text;

	(void)state;
	/* Written backwards on purpose. */
	add_res(st, "Service/web", K8S, "Cluster/c", NULL, 2);
	add_res(st, "ReplicationController/nginx", K8S, "Cluster/c", NULL, 10);
	add_res(st, "NodePool/pool", GKE, "Cluster/c", NULL, 20);
	add_res(st, "Cluster/c", GKE, NULL, NULL, 30);
	text = order_text(st);
	/* Cluster, then its pool, then the objects in file order. */
	assert_string_equal("Cluster/c NodePool/pool Service/web ReplicationController/nginx",
			    text);
	free(text);
	free_hand_stack(st);
}

static void test_planner_graph__kubeconfig_objects_have_no_cluster_edge(void **state)
{
	ikc_stack *st = mk_stack("s");
	char *text;

	(void)state;
	add_res(st, "Service/web", K8S, NULL, NULL, 2);
	add_res(st, "Cluster/c", GKE, NULL, NULL, 10);
	text = order_text(st);
	assert_string_equal("Service/web Cluster/c", text);
	free(text);
	free_hand_stack(st);
}

static void test_planner_graph__references_and_depends_on(void **state)
{
	ikc_stack *st = mk_stack("s");
	ikc_resource *a, *c;
	char *text;

	(void)state;
	a = add_res(st, "ConfigMap/a", K8S, NULL, NULL, 2);
	c = add_res(st, "ConfigMap/c", K8S, NULL, NULL, 10);
	add_res(st, "ConfigMap/b", K8S, NULL, NULL, 20);
	add_res(st, "ConfigMap/d", K8S, NULL, NULL, 30);
	add_ref(a, "ConfigMap/b", "data.x");          /* a after b */
	add_strv(&c->depends_on, &c->ndepends_on, "ConfigMap/d");  /* c after d */
	/* A reference outside the stack adds no edge (spec reports it). */
	add_ref(a, "ConfigMap/nowhere", "data.x");
	text = order_text(st);
	assert_string_equal("ConfigMap/b ConfigMap/a ConfigMap/d ConfigMap/c", text);
	free(text);
	free_hand_stack(st);
}

static void test_planner_graph__namespace_edge(void **state)
{
	ikc_stack *st = mk_stack("s");
	char *text;

	(void)state;
	add_res(st, "ConfigMap/team/settings", K8S, NULL, NULL, 2);
	add_res(st, "ConfigMap/plain", K8S, NULL, NULL, 10);  /* default: no Namespace in the stack */
	add_res(st, "Namespace/team", K8S, NULL, NULL, 20);
	text = order_text(st);
	assert_string_equal("ConfigMap/plain Namespace/team ConfigMap/team/settings", text);
	free(text);
	free_hand_stack(st);
}

static void test_planner_graph__stable_file_order(void **state)
{
	ikc_stack *st = mk_stack("s");
	char *text;

	(void)state;
	add_res(st, "ConfigMap/z", K8S, NULL, NULL, 2);
	add_res(st, "ConfigMap/y", K8S, NULL, NULL, 10);
	add_res(st, "ConfigMap/x", K8S, NULL, NULL, 20);
	text = order_text(st);
	assert_string_equal("ConfigMap/z ConfigMap/y ConfigMap/x", text);
	free(text);
	free_hand_stack(st);
}

static void test_planner_graph__target_closure_and_reverse(void **state)
{
	ikc_stack *st = mk_stack("s");
	ikc_graph *g = NULL;
	unsigned char mark[8] = { 0 };

	(void)state;
	add_res(st, "Cluster/c", GKE, NULL, NULL, 2);              /* 0 */
	add_res(st, "NodePool/pool", GKE, "Cluster/c", NULL, 10);  /* 1 */
	add_res(st, "ReplicationController/nginx", K8S, "Cluster/c", NULL, 20); /* 2 */
	add_res(st, "Service/web", K8S, "Cluster/c", NULL, 30);    /* 3 */
	add_res(st, "Cluster/other", GKE, NULL, NULL, 40);         /* 4 */
	assert_int_equal(0, ikc_graph_from_stack(&g, st));
	/* --target Service/web: it and what it depends on, nothing else. */
	ikc_graph_closure(mark, g, 3, 0);
	assert_int_equal(1, mark[0]);
	assert_int_equal(1, mark[1]);
	assert_int_equal(0, mark[2]);
	assert_int_equal(1, mark[3]);
	assert_int_equal(0, mark[4]);
	/* Reverse: what depends on the node pool (destroyed with it). */
	memset(mark, 0, sizeof(mark));
	ikc_graph_closure(mark, g, 1, 1);
	assert_int_equal(0, mark[0]);
	assert_int_equal(1, mark[1]);
	assert_int_equal(1, mark[2]);
	assert_int_equal(1, mark[3]);
	assert_int_equal(0, mark[4]);
	ikc_graph_free(g);
	free_hand_stack(st);
}

static void test_planner_graph__cycle_names_resources_with_position(void **state)
{
	ikc_stack *st = mk_stack("s");
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_buf b = IKC_BUF_INIT(4096);
	size_t *order = NULL;
	ikc_resource *a, *bb;

	(void)state;
	add_res(st, "Namespace/ok", K8S, NULL, NULL, 1);
	a = add_res(st, "ConfigMap/a", K8S, NULL, NULL, 7);
	bb = add_res(st, "ConfigMap/b", K8S, NULL, NULL, 15);
	add_ref(a, "ConfigMap/b", "data.x");
	add_ref(bb, "ConfigMap/a", "data.y");
	assert_int_equal(IKC_EINVALID, ikc_graph_stack_order(&order, &diags, st));
	assert_null(order);
	assert_int_equal(1, diags.count);
	assert_int_equal(0, ikc_diag_format(&b, &diags.items[0]));
	assert_string_equal("ikc.yaml:7:1: dependency cycle: ConfigMap/a -> ConfigMap/b -> ConfigMap/a",
			    b.ptr);
	assert_string_equal("dependency cycle: ConfigMap/a -> ConfigMap/b -> ConfigMap/a",
			    ikc_error_last());
	ikc_diags_dispose(&diags);
	/* ikc validate uses the same check. */
	assert_int_equal(IKC_EINVALID, ikc_graph_check(st, &diags));
	assert_true(ikc_diags_contains(&diags, "ConfigMap/a -> ConfigMap/b -> ConfigMap/a"));
	ikc_diags_dispose(&diags);
	ikc_buf_dispose(&b);
	free_hand_stack(st);
}

static void test_planner_graph__cycle_starts_at_first_in_file(void **state)
{
	ikc_stack *st = mk_stack("s");
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_resource *x, *a, *b, *c;

	(void)state;
	/* x depends on the cycle but is not part of it. */
	x = add_res(st, "ConfigMap/x", K8S, NULL, NULL, 1);
	a = add_res(st, "ConfigMap/a", K8S, NULL, NULL, 5);
	b = add_res(st, "ConfigMap/b", K8S, NULL, NULL, 9);
	c = add_res(st, "ConfigMap/c", K8S, NULL, NULL, 13);
	add_strv(&x->depends_on, &x->ndepends_on, "ConfigMap/c");
	add_strv(&c->depends_on, &c->ndepends_on, "ConfigMap/b");
	add_strv(&b->depends_on, &b->ndepends_on, "ConfigMap/a");
	add_strv(&a->depends_on, &a->ndepends_on, "ConfigMap/c");
	assert_int_equal(IKC_EINVALID, ikc_graph_check(st, &diags));
	assert_int_equal(1, diags.count);
	assert_int_equal(5, diags.items[0].line);
	assert_string_equal("dependency cycle: ConfigMap/a -> ConfigMap/c -> ConfigMap/b -> ConfigMap/a",
			    diags.items[0].message);
	ikc_diags_dispose(&diags);
	free_hand_stack(st);
}

static void test_planner_graph__self_reference_is_a_cycle(void **state)
{
	ikc_stack *st = mk_stack("s");
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_resource *a;

	(void)state;
	a = add_res(st, "ConfigMap/a", K8S, NULL, NULL, 3);
	add_ref(a, "ConfigMap/a", "data.x");
	assert_int_equal(IKC_EINVALID, ikc_graph_check(st, &diags));
	assert_true(ikc_diags_contains(&diags, "dependency cycle: ConfigMap/a -> ConfigMap/a"));
	ikc_diags_dispose(&diags);
	free_hand_stack(st);
}

static void test_planner_graph__no_cycle_passes_check(void **state)
{
	ikc_stack *st = mk_stack("s");
	ikc_diags diags = IKC_DIAGS_INIT;

	(void)state;
	add_res(st, "Cluster/c", GKE, NULL, NULL, 2);
	add_res(st, "NodePool/pool", GKE, "Cluster/c", NULL, 10);
	assert_int_equal(0, ikc_graph_check(st, &diags));
	assert_int_equal(0, diags.count);
	free_hand_stack(st);
}

static void test_planner_graph__long_chain(void **state)
{
	ikc_graph *g = NULL;
	size_t *order = NULL, i, n = 3000;
	unsigned char *mark = calloc(n, 1);

	(void)state;
	/* Node i depends on node i+1: the order is the file order reversed. */
	assert_int_equal(0, ikc_graph_new(&g, n));
	for (i = 0; i + 1 < n; i++)
		assert_int_equal(0, ikc_graph_add_edge(g, i, i + 1));
	assert_int_equal(0, ikc_graph_order(&order, NULL, NULL, g));
	for (i = 0; i < n; i++)
		assert_int_equal(n - 1 - i, order[i]);
	ikc_graph_closure(mark, g, 0, 0);
	for (i = 0; i < n; i++)
		assert_int_equal(1, mark[i]);
	/* Closing the loop makes one cycle of every node. */
	assert_int_equal(0, ikc_graph_add_edge(g, n - 1, 0));
	free(order);
	{
		size_t *cyc = NULL, ncyc = 0;

		assert_int_equal(IKC_ECONFLICT, ikc_graph_order(&order, &cyc, &ncyc, g));
		assert_int_equal(n, ncyc);
		assert_int_equal(0, cyc[0]);
		assert_int_equal(1, cyc[1]);
		free(cyc);
	}
	free(mark);
	ikc_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planner_graph__implicit_edges),
		cmocka_unit_test(test_planner_graph__kubeconfig_objects_have_no_cluster_edge),
		cmocka_unit_test(test_planner_graph__references_and_depends_on),
		cmocka_unit_test(test_planner_graph__namespace_edge),
		cmocka_unit_test(test_planner_graph__stable_file_order),
		cmocka_unit_test(test_planner_graph__target_closure_and_reverse),
		cmocka_unit_test(test_planner_graph__cycle_names_resources_with_position),
		cmocka_unit_test(test_planner_graph__cycle_starts_at_first_in_file),
		cmocka_unit_test(test_planner_graph__self_reference_is_a_cycle),
		cmocka_unit_test(test_planner_graph__no_cycle_passes_check),
		cmocka_unit_test(test_planner_graph__long_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
