/* test_render.c - rendered plans: golden text and JSON, colors, drift, unknowns, secrets */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "planner/plan.h"
#include "util/errors.h"
#include "fixtures.h"

#define FIXED_LINEAGE "4f2a9c1e-0d3b-4c5e-8f6a-7b8c9d0e1f2a"

/*
 * Compares `got` with the golden file byte for byte; IKC_UPDATE_GOLDEN=1
 * rewrites the golden file instead.
 */
static void golden(const char *name, const ikc_buf *got)
{
	const char *update = getenv("IKC_UPDATE_GOLDEN");
	char *path = fixture_path(name);
	ikc_buf want = IKC_BUF_INIT(IKC_STACK_FILE_MAX);

	if (update && !strcmp(update, "1")) {
		assert_int_equal(0, ikc_fs_write_atomic(path, got->ptr, got->len, 0644));
		print_message("rewrote %s\n", path);
	} else {
		assert_int_equal(0, ikc_fs_read_file(&want, path, IKC_STACK_FILE_MAX));
		if (want.len != got->len || memcmp(want.ptr, got->ptr, got->len))
			print_error("%s differs; got:\n%s\n(IKC_UPDATE_GOLDEN=1 rewrites it)\n",
				    name, got->ptr);
		assert_string_equal(want.ptr, got->ptr);
	}
	ikc_buf_dispose(&want);
	free(path);
}

static ikc_plan *build(const char *stack_name, const char *state_name, int destroy)
{
	ikc_stack *st = stack_fixture(stack_name);
	ikc_state *prior = state_name ? state_fixture("nginx-asia", state_name) : NULL;
	ikc_plan *plan = NULL;
	ikc_plan_input in;

	memset(&in, 0, sizeof(in));
	in.stack = st;
	in.prior = prior;
	in.destroy = destroy;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	/* The state's lineage is random; the golden files hold a fixed one. */
	if (prior) {
		free(plan->lineage);
		plan->lineage = strdup(FIXED_LINEAGE);
	}
	ikc_state_free(prior);
	ikc_stack_free(st);
	return plan;
}

static void test_planner_render__create_golden(void **state)
{
	ikc_plan *plan = build("nginx-asia.yaml", NULL, 0);
	ikc_buf text = IKC_BUF_INIT(1 << 20), json = IKC_BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(0, ikc_plan_render_text(&text, plan, 0));
	golden("create.txt", &text);
	assert_int_equal(0, ikc_plan_render_json(&json, plan));
	golden("create.json", &json);
	ikc_buf_dispose(&text);
	ikc_buf_dispose(&json);
	ikc_plan_free(plan);
}

static void test_planner_render__mix_golden(void **state)
{
	ikc_plan *plan = build("mix.yaml", "mix-state.json", 0);
	ikc_buf text = IKC_BUF_INIT(1 << 20), json = IKC_BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(0, ikc_plan_render_text(&text, plan, 0));
	golden("mix.txt", &text);
	assert_int_equal(0, ikc_plan_render_json(&json, plan));
	golden("mix.json", &json);
	ikc_buf_dispose(&text);
	ikc_buf_dispose(&json);
	ikc_plan_free(plan);
}

static void test_planner_render__markdown_golden(void **state)
{
	ikc_plan *plan = build("mix.yaml", "mix-state.json", 0);
	ikc_buf md = IKC_BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(0, ikc_plan_render_markdown(&md, plan));
	golden("mix.md", &md);
	assert_non_null(strstr(md.ptr, "| replace | `NodePool/default-pool` | `spec.config.oauthScopes` forces replacement |\n"));
	assert_non_null(strstr(md.ptr, "**Drift:** 1 resource changed outside ikc since the last apply: `ReplicationController/nginx`.\n"));
	ikc_buf_dispose(&md);
	ikc_plan_free(plan);
}

static void test_planner_render__destroy_golden(void **state)
{
	ikc_plan *plan = build("nginx-asia.yaml", "applied.json", 1);
	ikc_buf text = IKC_BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(0, ikc_plan_render_text(&text, plan, 0));
	golden("destroy.txt", &text);
	ikc_buf_dispose(&text);
	ikc_plan_free(plan);
}

static void test_planner_render__text_lines(void **state)
{
	ikc_plan *plan = build("mix.yaml", "mix-state.json", 0);
	ikc_buf text = IKC_BUF_INIT(1 << 20), drift = IKC_BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(0, ikc_plan_render_text(&text, plan, 0));
	/* What a reader looks for, independent of the golden file. */
	assert_non_null(strstr(text.ptr, "Drift (changed outside ikc since the last apply):\n"));
	assert_non_null(strstr(text.ptr, "  ~ ReplicationController/nginx\n      ~ spec.replicas: 2 -> 4\n"));
	assert_non_null(strstr(text.ptr, "# NodePool/default-pool must be replaced (spec.config.oauthScopes forces replacement)\n"));
	assert_non_null(strstr(text.ptr, "-/+ NodePool/default-pool\n"));
	assert_non_null(strstr(text.ptr, "# forces replacement\n"));
	assert_non_null(strstr(text.ptr, "  ~ ReplicationController/nginx\n      ~ spec.replicas: 4 -> 3\n"));
	assert_non_null(strstr(text.ptr, "      + data.pool_status: (known after apply)\n"));
	assert_non_null(strstr(text.ptr, "  - ConfigMap/old\n"));
	assert_non_null(strstr(text.ptr, "Plan: 1 to add, 1 to change, 1 to replace, 1 to destroy.\n"));
	/* The drift section comes before the plan. */
	assert_true(strstr(text.ptr, "Drift (") < strstr(text.ptr, "Plan:"));
	assert_null(strstr(text.ptr, "\033["));
	assert_int_equal(0, ikc_plan_render_drift_text(&drift, plan, 0));
	assert_string_equal("Drift (changed outside ikc since the last apply):\n\n"
			    "  ~ ReplicationController/nginx\n"
			    "      ~ spec.replicas: 2 -> 4\n\n", drift.ptr);
	ikc_buf_dispose(&text);
	ikc_buf_dispose(&drift);
	ikc_plan_free(plan);
}

static void test_planner_render__colors_only_when_asked(void **state)
{
	ikc_plan *plan = build("mix.yaml", "mix-state.json", 0);
	ikc_buf text = IKC_BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(0, ikc_plan_render_text(&text, plan, 1));
	assert_non_null(strstr(text.ptr, "\033[32m+\033[0m ConfigMap/web-config"));
	assert_non_null(strstr(text.ptr, "\033[33m~\033[0m ReplicationController/nginx"));
	assert_non_null(strstr(text.ptr, "\033[31m-\033[0m ConfigMap/old"));
	ikc_buf_dispose(&text);
	ikc_plan_free(plan);
}

static void test_planner_render__no_changes(void **state)
{
	ikc_plan *plan = build("nginx-asia.yaml", "applied.json", 0);
	ikc_buf text = IKC_BUF_INIT(1 << 20), drift = IKC_BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(0, ikc_plan_render_text(&text, plan, 0));
	assert_string_equal("No changes. The live state matches the stack file.\n", text.ptr);
	assert_int_equal(0, ikc_plan_render_drift_text(&drift, plan, 0));
	assert_non_null(strstr(drift.ptr, "No drift."));
	ikc_buf_dispose(&text);
	ikc_buf_dispose(&drift);
	ikc_plan_free(plan);
}

static void test_planner_render__json_document(void **state)
{
	ikc_plan *plan = build("mix.yaml", "mix-state.json", 0);
	ikc_buf json = IKC_BUF_INIT(1 << 20);
	json_object *doc = NULL, *changes, *cm = NULL, *pool = NULL, *unknown;
	size_t i;

	(void)state;
	assert_int_equal(0, ikc_plan_render_json(&json, plan));
	assert_int_equal(0, ikc_json_parse(&doc, json.ptr, json.len, "plan"));
	assert_string_equal("1.0", ikc_json_str(doc, "format_version"));
	assert_string_equal("nginx-asia", ikc_json_str(doc, "stack"));
	assert_string_equal(FIXED_LINEAGE, ikc_json_str(doc, "lineage"));
	assert_int_equal(64, strlen(json_object_get_string(ikc_json_path(doc, "source.digest"))));
	assert_true(json_object_is_type(ikc_json_path(doc, "source.git_commit"), json_type_null));
	assert_false(json_object_get_boolean(ikc_json_path(doc, "refreshed")));
	assert_int_equal(1, json_object_get_int(ikc_json_path(doc, "summary.create")));
	assert_int_equal(1, json_object_get_int(ikc_json_path(doc, "summary.update")));
	assert_int_equal(1, json_object_get_int(ikc_json_path(doc, "summary.replace")));
	assert_int_equal(1, json_object_get_int(ikc_json_path(doc, "summary.delete")));
	assert_int_equal(2, json_object_get_int(ikc_json_path(doc, "summary.no_op")));
	assert_string_equal("ReplicationController/nginx", ikc_json_str(ikc_json_path(doc, "drift[0]"), "address"));
	assert_false(json_object_get_boolean(ikc_json_path(doc, "drift[0].gone")));
	assert_int_equal(4, json_object_get_int(ikc_json_path(doc, "drift[0].fields[0].after")));
	changes = ikc_json_path(doc, "changes");
	assert_int_equal(6, json_object_array_length(changes));
	for (i = 0; i < json_object_array_length(changes); i++) {
		json_object *c = json_object_array_get_idx(changes, i);

		if (!strcmp(ikc_json_str(c, "address"), "ConfigMap/web-config"))
			cm = c;
		if (!strcmp(ikc_json_str(c, "address"), "NodePool/default-pool"))
			pool = c;
	}
	assert_non_null(cm);
	assert_string_equal("create", ikc_json_str(cm, "action"));
	assert_string_equal("(known after apply)",
			    json_object_get_string(ikc_json_path(cm, "after.data.pool_status")));
	unknown = ikc_json_path(cm, "after_unknown");
	assert_int_equal(1, json_object_array_length(unknown));
	assert_string_equal("data.pool_status", json_object_get_string(json_object_array_get_idx(unknown, 0)));
	assert_true(json_object_is_type(ikc_json_path(cm, "before"), json_type_null));
	assert_non_null(pool);
	assert_string_equal("replace", ikc_json_str(pool, "action"));
	assert_string_equal("spec.config.oauthScopes",
			    json_object_get_string(ikc_json_path(pool, "replace_paths[0]")));
	assert_true(json_object_get_boolean(ikc_json_path(pool, "fields[0].forces_replacement")));
	assert_string_equal("container.googleapis.com/v1", ikc_json_str(pool, "api_version"));
	assert_string_equal("NodePool", ikc_json_str(pool, "kind"));
	assert_true(json_object_is_type(ikc_json_path(pool, "deleted_with"), json_type_null));
	json_object_put(doc);
	ikc_buf_dispose(&json);
	ikc_plan_free(plan);
}

static void test_planner_render__secret_data_is_masked(void **state)
{
	ikc_stack *st = stack_from_text(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata:\n  name: s\n"
		"spec:\n  kubernetes:\n    kubeconfig: kubeconfig\n---\n"
		"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
		"stringData:\n  password: hunter2-very-secret\n");
	ikc_plan *plan = NULL;
	ikc_plan_input in;
	ikc_buf text = IKC_BUF_INIT(1 << 20), json = IKC_BUF_INIT(1 << 20);

	(void)state;
	memset(&in, 0, sizeof(in));
	in.stack = st;
	assert_int_equal(0, ikc_plan_build(&plan, NULL, &in));
	assert_int_equal(0, ikc_plan_render_text(&text, plan, 0));
	assert_int_equal(0, ikc_plan_render_json(&json, plan));
	assert_null(strstr(text.ptr, "hunter2"));
	assert_null(strstr(json.ptr, "hunter2"));
	assert_non_null(strstr(text.ptr, "+ stringData.password: (sensitive)"));
	assert_non_null(strstr(json.ptr, "\"password\": \"(sensitive)\""));
	ikc_buf_dispose(&text);
	ikc_buf_dispose(&json);
	ikc_plan_free(plan);
	ikc_stack_free(st);
}

static void test_planner_render__saved_plan_round_trip(void **state)
{
	ikc_plan *plan = build("mix.yaml", "mix-state.json", 0), *back = NULL;
	ikc_buf file = IKC_BUF_INIT(1 << 20), a = IKC_BUF_INIT(1 << 20),
		b = IKC_BUF_INIT(1 << 20);
	const ikc_change *cm;

	(void)state;
	plan->serial = 7;
	assert_int_equal(0, ikc_plan_save(&file, plan));
	assert_int_equal(0, ikc_plan_load(&back, file.ptr, file.len));
	/* The same plan: same rendering, same header, unknowns still unknown. */
	assert_int_equal(0, ikc_plan_render_json(&a, plan));
	assert_int_equal(0, ikc_plan_render_json(&b, back));
	assert_string_equal(a.ptr, b.ptr);
	ikc_buf_clear(&a);
	ikc_buf_clear(&b);
	assert_int_equal(0, ikc_plan_render_text(&a, plan, 0));
	assert_int_equal(0, ikc_plan_render_text(&b, back, 0));
	assert_string_equal(a.ptr, b.ptr);
	assert_int_equal(7, back->serial);
	assert_string_equal(plan->digest, back->digest);
	assert_string_equal(FIXED_LINEAGE, back->lineage);
	assert_int_equal(plan->n_replace, back->n_replace);
	cm = ikc_plan_find(back, "ConfigMap/web-config");
	assert_string_equal(IKC_UNKNOWN_VALUE,
		json_object_get_string(ikc_json_path(cm->after, "data.pool_status")));
	ikc_plan_free(back);
	back = NULL;

	/* Not a plan file. */
	assert_int_equal(IKC_EINVALID, ikc_plan_load(&back, "{\"format_version\":\"1.0\"}", 24));
	assert_null(back);
	assert_non_null(strstr(ikc_error_last(), "not a valid saved plan"));
	assert_int_equal(IKC_EINVALID, ikc_plan_load(&back, file.ptr, file.len / 2));
	assert_null(back);
	ikc_buf_dispose(&file);
	ikc_buf_dispose(&a);
	ikc_buf_dispose(&b);
	ikc_plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planner_render__create_golden),
		cmocka_unit_test(test_planner_render__mix_golden),
		cmocka_unit_test(test_planner_render__markdown_golden),
		cmocka_unit_test(test_planner_render__destroy_golden),
		cmocka_unit_test(test_planner_render__text_lines),
		cmocka_unit_test(test_planner_render__colors_only_when_asked),
		cmocka_unit_test(test_planner_render__no_changes),
		cmocka_unit_test(test_planner_render__json_document),
		cmocka_unit_test(test_planner_render__secret_data_is_masked),
		cmocka_unit_test(test_planner_render__saved_plan_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
