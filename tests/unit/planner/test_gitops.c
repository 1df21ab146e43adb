/* test_gitops.c - saved plan checksum and version markers; Secret values as salted hashes */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "planner/plan.h"
#include "planner/secret.h"
#include "util/errors.h"
#include "fixtures.h"

static json_object *parse(const char *text)
{
	json_object *v = NULL;

	assert_int_equal(0, ikc_json_parse(&v, text, strlen(text), "test"));
	return v;
}

static void test_planner_gitops__markers(void **state)
{
	json_object *kube = parse("{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"42\"}}");
	json_object *gke = parse("{\"name\":\"c\",\"etag\":\"e-1\"}");
	json_object *other = parse("{\"name\":\"c\",\"spec\":{\"x\":1}}");
	json_object *other2 = parse("{\"spec\":{\"x\":1},\"name\":\"c\"}");
	json_object *other3 = parse("{\"name\":\"c\",\"spec\":{\"x\":2}}");
	char *m = NULL, *m2 = NULL, *m3 = NULL;

	(void)state;
	assert_int_equal(0, ikc_plan_version_marker(&m, kube));
	assert_string_equal("rv:42", m);
	free(m);
	assert_int_equal(0, ikc_plan_version_marker(&m, gke));
	assert_string_equal("etag:e-1", m);
	free(m);
	/* no marker of its own: a hash of its content, key order aside */
	assert_int_equal(0, ikc_plan_version_marker(&m, other));
	assert_int_equal(0, ikc_plan_version_marker(&m2, other2));
	assert_int_equal(0, ikc_plan_version_marker(&m3, other3));
	assert_int_equal(0, strncmp(m, "sha256:", 7));
	assert_string_equal(m, m2);
	assert_string_not_equal(m, m3);
	free(m);
	free(m2);
	free(m3);
	json_object_put(kube);
	json_object_put(gke);
	json_object_put(other);
	json_object_put(other2);
	json_object_put(other3);
}

static ikc_plan *small_plan(void)
{
	ikc_stack *st = stack_from_text(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"spec:\n  kubernetes: {kubeconfig: kc}\n"
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: \"1.5\"}\n"
		"---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\ndata: {p: c2VjcmV0}\n");
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_plan_input in;
	ikc_plan *plan = NULL;

	memset(&in, 0, sizeof(in));
	in.stack = st;
	assert_int_equal(0, ikc_plan_build(&plan, &diags, &in));
	ikc_diags_dispose(&diags);
	ikc_stack_free(st);
	return plan;
}

static void test_planner_gitops__plan_file(void **state)
{
	ikc_plan *plan = small_plan(), *back = NULL;
	json_object *live = parse("{\"ConfigMap/a\":{\"metadata\":{\"resourceVersion\":\"7\"}}}");
	ikc_buf file = IKC_BUF_INIT(1 << 20);
	char *p;

	(void)state;
	plan->git_commit = strdup("0123456789abcdef0123456789abcdef01234567");
	plan->git_ref = strdup("main");
	assert_int_equal(0, ikc_plan_set_versions(plan, live));
	assert_int_equal(0, ikc_plan_save(&file, plan));
	assert_non_null(strstr(file.ptr, "\"checksum\":"));
	/* the Secret's value is not in the file (apply reads it from the stack file) */
	assert_null(strstr(file.ptr, "c2VjcmV0"));
	assert_non_null(strstr(file.ptr, "\"" IKC_SECRET_MASK "\""));
	assert_null(strstr(file.ptr, "hmac"));
	assert_null(strstr(file.ptr, "salt"));
	assert_int_equal(0, ikc_plan_load(&back, file.ptr, file.len));
	assert_string_equal("main", back->git_ref);
	assert_string_equal(plan->git_commit, back->git_commit);
	assert_string_equal("rv:7", json_object_get_string(
		json_object_object_get(back->versions, "ConfigMap/a")));
	/* absent live: recorded as null */
	assert_true(json_object_object_get_ex(back->versions, "Secret/b", NULL));
	assert_null(json_object_object_get(back->versions, "Secret/b"));
	ikc_plan_free(back);
	back = NULL;

	/* one changed character: refused by the checksum */
	p = strstr(file.ptr, "\"1.5\"");
	assert_non_null(p);
	p[1] = '2';
	assert_int_equal(IKC_EINVALID, ikc_plan_load(&back, file.ptr, file.len));
	assert_null(back);
	assert_non_null(strstr(ikc_error_last(), "checksum does not match"));
	p[1] = '1';
	/* cut short: refused */
	assert_int_equal(IKC_EINVALID, ikc_plan_load(&back, file.ptr, file.len - 40));
	assert_null(back);
	/* no checksum at all: refused */
	p = strstr(file.ptr, ",\"checksum\":");
	assert_non_null(p);
	strcpy(p, "}\n");
	assert_int_equal(IKC_EINVALID, ikc_plan_load(&back, file.ptr, strlen(file.ptr)));
	assert_non_null(strstr(ikc_error_last(), "no checksum"));
	ikc_buf_dispose(&file);
	json_object_put(live);
	ikc_plan_free(plan);
}

static void test_planner_gitops__secret_mask(void **state)
{
	json_object *s1 = parse("{\"kind\":\"Secret\",\"data\":{\"p\":\"c2VjcmV0\",\"q\":\"eA==\"},"
				"\"stringData\":{\"t\":\"plain-secret\"},\"metadata\":{\"name\":\"x\"}}");
	json_object *s2 = parse("{\"kind\":\"Secret\",\"data\":{\"p\":\"b3RoZXI=\",\"q\":\"eQ==\"},"
				"\"stringData\":{\"t\":\"another\"},\"metadata\":{\"name\":\"x\"}}");
	json_object *s3 = ikc_json_copy(s1);

	(void)state;
	assert_int_equal(0, ikc_secret_mask(s1, "Secret"));
	assert_int_equal(0, ikc_secret_mask(s2, "Secret"));
	assert_string_equal(IKC_SECRET_MASK, ikc_json_str(ikc_json_path(s1, "data"), "p"));
	assert_string_equal(IKC_SECRET_MASK, ikc_json_str(ikc_json_path(s1, "stringData"), "t"));
	assert_true(ikc_secret_is_mask(ikc_json_path(s1, "data.q")));
	assert_string_equal("x", ikc_json_str(ikc_json_path(s1, "metadata"), "name"));
	/* no function of the value is kept: other values, the same masked value */
	assert_true(json_object_equal(s1, s2));
	/* masking twice changes nothing */
	assert_int_equal(0, ikc_secret_mask(s2, "Secret"));
	assert_true(json_object_equal(s1, s2));
	/* strip: the members are gone, the rest stays */
	assert_int_equal(0, ikc_secret_strip(s3, "Secret"));
	assert_null(ikc_json_path(s3, "data"));
	assert_null(ikc_json_path(s3, "stringData"));
	assert_string_equal("Secret", ikc_json_str(s3, "kind"));
	json_object_put(s1);
	json_object_put(s2);
	json_object_put(s3);
}

static void test_planner_gitops__master_auth(void **state)
{
	json_object *c = parse("{\"spec\":{\"masterAuth\":{\"username\":\"admin\","
			       "\"password\":\"hunter2-long-password\","
			       "\"clusterCaCertificate\":\"LS0tCA==\"}},"
			       "\"masterAuth\":{\"clientKey\":\"a-private-key\"}}");
	json_object *cm = parse("{\"data\":{\"k\":\"v\"}}");

	(void)state;
	assert_int_equal(0, ikc_secret_mask(c, "Cluster"));
	assert_null(strstr(json_object_to_json_string(c), "hunter2"));
	assert_null(strstr(json_object_to_json_string(c), "a-private-key"));
	assert_null(strstr(json_object_to_json_string(c), "\"admin\""));
	assert_string_equal("LS0tCA==", ikc_json_str(ikc_json_path(c, "spec.masterAuth"),
						     "clusterCaCertificate"));
	/* other kinds are left alone */
	assert_int_equal(0, ikc_secret_mask(cm, "ConfigMap"));
	assert_string_equal("v", ikc_json_str(ikc_json_path(cm, "data"), "k"));
	assert_true(ikc_secret_kind("Secret"));
	assert_true(ikc_secret_kind("Cluster"));
	assert_false(ikc_secret_kind("ConfigMap"));
	json_object_put(c);
	json_object_put(cm);
}

static void test_planner_gitops__render_masks_master_auth(void **state)
{
	ikc_stack *st = stack_from_text(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"spec:\n  google: {project: p}\n"
		"---\napiVersion: container.googleapis.com/v1\nkind: Cluster\nmetadata: {name: c}\n"
		"spec:\n  location: us-central1-a\n"
		"  masterAuth: {username: admin, password: hunter2-long-password}\n");
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_plan_input in;
	ikc_plan *plan = NULL;
	ikc_buf text = IKC_BUF_INIT(1 << 20), json = IKC_BUF_INIT(1 << 20),
		md = IKC_BUF_INIT(1 << 20);

	(void)state;
	memset(&in, 0, sizeof(in));
	in.stack = st;
	assert_int_equal(0, ikc_plan_build(&plan, &diags, &in));
	assert_int_equal(0, ikc_plan_render_text(&text, plan, 0));
	assert_int_equal(0, ikc_plan_render_json(&json, plan));
	assert_int_equal(0, ikc_plan_render_markdown(&md, plan));
	assert_null(strstr(text.ptr, "hunter2"));
	assert_null(strstr(json.ptr, "hunter2"));
	assert_null(strstr(md.ptr, "hunter2"));
	assert_non_null(strstr(text.ptr, "spec.masterAuth.password: (sensitive)"));
	assert_non_null(strstr(text.ptr, "spec.location: \"us-central1-a\""));
	ikc_buf_dispose(&text);
	ikc_buf_dispose(&json);
	ikc_buf_dispose(&md);
	ikc_diags_dispose(&diags);
	ikc_plan_free(plan);
	ikc_stack_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planner_gitops__markers),
		cmocka_unit_test(test_planner_gitops__plan_file),
		cmocka_unit_test(test_planner_gitops__secret_mask),
		cmocka_unit_test(test_planner_gitops__master_auth),
		cmocka_unit_test(test_planner_gitops__render_masks_master_auth),
	};

	(void)stack_fixture;   /* fixtures.h helpers these tests do not need */
	(void)state_fixture;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
