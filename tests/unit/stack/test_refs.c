/* test_refs.c - ${...} expressions: where they are found, what they name, how they resolve */
#include "helpers.h"

#include "util/json.h"

/* A stack with a Service and a ConfigMap whose data uses expressions. */
#define REF_HEAD                                                              \
	"apiVersion: ikc.dev/v1\n"                                            \
	"kind: Stack\n"                                                       \
	"metadata: {name: demo}\n"                                            \
	"spec:\n"                                                             \
	"  google: {project: p1}\n"                                           \
	"  kubernetes: {cluster: c1}\n"                                       \
	"  variables: {replicas: 3, image: nginx}\n"                          \
	"---\n"                                                               \
	"apiVersion: container.googleapis.com/v1\n"                           \
	"kind: Cluster\n"                                                     \
	"metadata: {name: c1}\n"                                              \
	"spec: {location: europe-west1-b}\n"                                  \
	"---\n"                                                               \
	"apiVersion: v1\n"                                                    \
	"kind: Service\n"                                                     \
	"metadata: {name: web, namespace: shop}\n"                            \
	"spec: {type: LoadBalancer}\n"                                        \
	"---\n"                                                               \
	"apiVersion: v1\n"                                                    \
	"kind: ConfigMap\n"                                                   \
	"metadata: {name: my.config}\n"                                       \
	"---\n"                                                               \
	"apiVersion: v1\n"                                                    \
	"kind: ConfigMap\n"                                                   \
	"metadata: {name: uses}\n"                                            \
	"data:\n"
/* REF_HEAD is 26 lines: the first data line is line 27. */

static void test_spec_refs__recorded_with_positions(void **state)
{
	ikc_stack *st = expect_valid(REF_HEAD
		"  a: ${Service/shop/web.status.loadBalancer.ingress[0].ip}\n"
		"  b: http://${Cluster/c1.endpoint}:${Service/shop/web.spec.ports[0].port}/x\n"
		"  c: \"quoted ${ConfigMap/my.config.data.key}\"\n"
		"  d: ${ Cluster/c1.endpoint }\n");
	const ikc_resource *r = ikc_stack_find(st, "ConfigMap/uses");

	(void)state;
	assert_non_null(r);
	assert_int_equal(5, (int)r->nrefs);
	assert_string_equal("Service/shop/web", r->refs[0].target);
	assert_string_equal("status.loadBalancer.ingress[0].ip", r->refs[0].path);
	assert_int_equal(27, r->refs[0].line);
	assert_int_equal(6, r->refs[0].col);
	/* two references in one plain scalar: each at its own column */
	assert_string_equal("Cluster/c1", r->refs[1].target);
	assert_string_equal("endpoint", r->refs[1].path);
	assert_int_equal(28, r->refs[1].line);
	assert_int_equal(13, r->refs[1].col);
	assert_string_equal("Service/shop/web", r->refs[2].target);
	assert_string_equal("spec.ports[0].port", r->refs[2].path);
	assert_int_equal(36, r->refs[2].col);
	/* a name with dots: the longest existing address wins */
	assert_string_equal("ConfigMap/my.config", r->refs[3].target);
	assert_string_equal("data.key", r->refs[3].path);
	/* quoted scalar: positioned at the scalar */
	assert_int_equal(29, r->refs[3].line);
	assert_int_equal(6, r->refs[3].col);
	assert_string_equal("Cluster/c1", r->refs[4].target);
	ikc_stack_free(st);
}

static void test_spec_refs__namespace_default_is_canonical(void **state)
{
	ikc_stack *st = expect_valid(REF_HEAD
		"  a: ${ConfigMap/default/my.config.metadata.name}\n");
	const ikc_resource *r = ikc_stack_find(st, "ConfigMap/uses");

	(void)state;
	assert_int_equal(1, (int)r->nrefs);
	assert_string_equal("ConfigMap/my.config", r->refs[0].target);
	ikc_stack_free(st);
}

static void test_spec_refs__literal_dollar(void **state)
{
	ikc_stack *st = expect_valid(REF_HEAD
		"  a: $${HOME} and $$ and $x and ${var.image}$\n");
	const ikc_resource *r = ikc_stack_find(st, "ConfigMap/uses");
	json_object *out = NULL;

	(void)state;
	assert_int_equal(0, (int)r->nrefs);
	assert_int_equal(0, ikc_stack_resolve(&out, st, r->body, NULL, NULL));
	assert_string_equal("${HOME} and $$ and $x and nginx$",
			    json_object_get_string(ikc_json_path(out, "data.a")));
	json_object_put(out);
	ikc_stack_free(st);
}

static void test_spec_refs__unknown_target(void **state)
{
	ikc_diags d = expect_invalid(REF_HEAD
		"  a: ip=${Service/shop/wev.status.x}\n"
		"  b: '${Service/web.spec}'\n");

	(void)state;
	assert_diag(&d, 27, 9, "ConfigMap/uses: \"${Service/shop/wev.status.x}\" "
		    "refers to Service/shop/wev, which is not a resource of this "
		    "stack (did you mean \"Service/shop/web\"?)");
	/* a namespaced Service needs its namespace in the address */
	assert_diag(&d, 28, 6, "refers to Service/web, which is not a resource");
	ikc_diags_dispose(&d);
}

static void test_spec_refs__unterminated(void **state)
{
	ikc_diags d = expect_invalid(REF_HEAD
		"  a: x ${Cluster/c1.endpoint\n"
		"  b: |\n"
		"    line\n"
		"    ${var.image\n");

	(void)state;
	assert_diag(&d, 27, 8, "ConfigMap/uses: \"${\" without a closing \"}\"");
	/* not a one-line plain scalar: positioned at the scalar */
	assert_diag(&d, 28, 6, "\"${\" without a closing \"}\"");
	ikc_diags_dispose(&d);
}

static void test_spec_refs__malformed(void **state)
{
	ikc_diags d = expect_invalid(REF_HEAD
		"  a: ${}\n"
		"  b: ${foo}\n"
		"  c: ${Cluster/c1}\n"
		"  d: ${var.}\n"
		"  e: ${Cluster/c1.spec..x}\n");

	(void)state;
	assert_diag(&d, 27, 6, "malformed expression \"${}\": empty expression");
	assert_diag(&d, 28, 6, "malformed expression \"${foo}\": expected "
		    "${Kind/name.path}, ${var.NAME} or ${env.NAME}");
	assert_diag(&d, 29, 6, "\"${Cluster/c1}\": the field path is missing");
	assert_diag(&d, 30, 6, "malformed expression \"${var.}\"");
	assert_diag(&d, 31, 6, "malformed field path");
	ikc_diags_dispose(&d);
}

static void test_spec_refs__undefined_variable(void **state)
{
	ikc_diags d = expect_invalid(REF_HEAD "  a: ${var.replica}\n");

	(void)state;
	assert_diag(&d, 27, 6, "variable \"replica\" is not defined (set it in the "
		    "Stack's spec.variables or with --var replica=VALUE) (did you "
		    "mean \"replicas\"?)");
	ikc_diags_dispose(&d);
}

static void test_spec_refs__var_from_option(void **state)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	static const char *const vars[] = { "tag=1.27" };
	ikc_load_options opts = { vars, 1 };
	const char *text = REF_HEAD "  a: nginx:${var.tag}\n";

	(void)state;
	assert_int_equal(0, ikc_stack_load_buffer(&st, &d, "t.yaml", "/w", text,
						  strlen(text), &opts));
	ikc_stack_free(st);
	ikc_diags_dispose(&d);
}

static void test_spec_refs__env(void **state)
{
	ikc_diags d;
	ikc_stack *st;
	json_object *out = NULL;

	(void)state;
	unsetenv("IKC_TEST_UNSET_VAR");
	d = expect_invalid(REF_HEAD "  a: ${env.IKC_TEST_UNSET_VAR}\n");
	assert_diag(&d, 27, 6, "environment variable IKC_TEST_UNSET_VAR is not "
		    "set");
	ikc_diags_dispose(&d);
	setenv("IKC_TEST_REGION", "europe", 1);
	st = expect_valid(REF_HEAD "  a: zone-${env.IKC_TEST_REGION}-b\n");
	assert_int_equal(0, ikc_stack_resolve(&out, st,
		ikc_stack_find(st, "ConfigMap/uses")->body, NULL, NULL));
	assert_string_equal("zone-europe-b", json_object_get_string(
		ikc_json_path(out, "data.a")));
	json_object_put(out);
	ikc_stack_free(st);
	unsetenv("IKC_TEST_REGION");
}

static void test_spec_refs__forbidden_in_identity_fields(void **state)
{
	ikc_diags d = expect_invalid(REF_HEAD "  a: b\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: '${var.image}'}\n");

	(void)state;
	assert_diag(&d, 31, 18, "metadata.name \"${var.image}\" is not a valid name");
	ikc_diags_dispose(&d);
}

/* ---- resolution -------------------------------------------------------------- */

struct fake_live {
	int calls;
};

/* Service/shop/web has an IP and a port; the cluster endpoint is not known. */
static int fake_resolve(void *ctx, const char *target, const char *path,
			json_object **value_out)
{
	struct fake_live *fl = ctx;

	fl->calls++;
	*value_out = NULL;
	if (strcmp(target, "Service/shop/web") == 0 &&
	    strcmp(path, "status.loadBalancer.ingress[0].ip") == 0) {
		*value_out = json_object_new_string("203.0.113.7");
		return 0;
	}
	if (strcmp(target, "Service/shop/web") == 0 &&
	    strcmp(path, "spec.ports[0].port") == 0) {
		*value_out = json_object_new_int(8080);
		return 0;
	}
	if (strcmp(target, "Service/shop/web") == 0 &&
	    strcmp(path, "spec.selector") == 0) {
		*value_out = json_object_new_object();
		json_object_object_add(*value_out, "app",
				       json_object_new_string("web"));
		return 0;
	}
	return IKC_ENOTFOUND;
}

static void test_spec_refs__resolve_types_and_unknowns(void **state)
{
	ikc_stack *st = expect_valid(REF_HEAD
		"  ip: ${Service/shop/web.status.loadBalancer.ingress[0].ip}\n"
		"  port: ${Service/shop/web.spec.ports[0].port}\n"
		"  url: http://${Service/shop/web.status.loadBalancer.ingress[0].ip}:${Service/shop/web.spec.ports[0].port}/\n"
		"  sel: ${Service/shop/web.spec.selector}\n"
		"  ep: ${Cluster/c1.endpoint}\n"
		"  mixed: https://${Cluster/c1.endpoint}/x\n"
		"  n: ${var.replicas}\n"
		"  list: ['${var.image}:1', 7, null]\n");
	const ikc_resource *r = ikc_stack_find(st, "ConfigMap/uses");
	struct fake_live fl = { 0 };
	json_object *out = NULL, *data;

	(void)state;
	assert_int_equal(0, ikc_stack_resolve(&out, st, r->body, fake_resolve,
					      &fl));
	data = ikc_json_path(out, "data");
	assert_string_equal("203.0.113.7", ikc_json_str(data, "ip"));
	/* a string that is exactly one reference takes the value's type */
	assert_true(json_object_is_type(ikc_json_path(data, "port"),
					json_type_int));
	assert_int_equal(8080, json_object_get_int(ikc_json_path(data, "port")));
	assert_string_equal("http://203.0.113.7:8080/", ikc_json_str(data, "url"));
	assert_string_equal("web", json_object_get_string(ikc_json_path(data,
								 "sel.app")));
	assert_true(ikc_value_is_unknown(ikc_json_path(data, "ep")));
	assert_true(ikc_value_is_unknown(ikc_json_path(data, "mixed")));
	assert_false(ikc_value_is_unknown(ikc_json_path(data, "ip")));
	assert_int_equal(3, json_object_get_int(ikc_json_path(data, "n")));
	assert_true(json_object_is_type(ikc_json_path(data, "n"), json_type_int));
	assert_string_equal("nginx:1", json_object_get_string(ikc_json_path(data,
								   "list[0]")));
	assert_true(ikc_value_has_unknown(out));
	assert_false(ikc_value_has_unknown(ikc_json_path(data, "list")));
	/* the template is untouched */
	assert_string_equal("${var.replicas}", json_object_get_string(
		ikc_json_path(r->body, "data.n")));
	assert_true(fl.calls >= 6);
	json_object_put(out);
	ikc_stack_free(st);
}

static void test_spec_refs__resolve_without_resolver(void **state)
{
	ikc_stack *st = expect_valid(REF_HEAD "  x: y\n");
	json_object *out = NULL, *ip;

	(void)state;
	assert_true(json_object_object_get_ex(st->outputs, "nothing", &ip) == 0);
	ikc_stack_free(st);
	{
		ikc_diags d = IKC_DIAGS_INIT;
		char path[4096];

		fixture_path(path, sizeof(path), "reference.yaml");
		assert_int_equal(0, ikc_stack_load_file(&st, &d, path, NULL));
		ikc_diags_dispose(&d);
	}
	assert_int_equal(0, ikc_stack_resolve(&out, st, st->outputs, NULL, NULL));
	assert_true(ikc_value_is_unknown(ikc_json_path(out, "external_ip")));
	assert_string_equal(IKC_UNKNOWN_VALUE, ikc_json_str(out, "external_ip"));
	json_object_put(out);
	ikc_stack_free(st);
}

static int failing_resolve(void *ctx, const char *target, const char *path,
			   json_object **value_out)
{
	(void)ctx;
	(void)target;
	(void)path;
	*value_out = NULL;
	return ikc_error_set_code(IKC_EREMOTE, IKC_ERR_PROVIDER, "boom");
}

static void test_spec_refs__resolver_error_passes_up(void **state)
{
	ikc_stack *st = expect_valid(REF_HEAD "  a: ${Cluster/c1.endpoint}\n");
	json_object *out = NULL;

	(void)state;
	assert_int_equal(IKC_EREMOTE, ikc_stack_resolve(&out, st,
		ikc_stack_find(st, "ConfigMap/uses")->body, failing_resolve,
		NULL));
	assert_null(out);
	ikc_stack_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_refs__recorded_with_positions),
		cmocka_unit_test(test_spec_refs__namespace_default_is_canonical),
		cmocka_unit_test(test_spec_refs__literal_dollar),
		cmocka_unit_test(test_spec_refs__unknown_target),
		cmocka_unit_test(test_spec_refs__unterminated),
		cmocka_unit_test(test_spec_refs__malformed),
		cmocka_unit_test(test_spec_refs__undefined_variable),
		cmocka_unit_test(test_spec_refs__var_from_option),
		cmocka_unit_test(test_spec_refs__env),
		cmocka_unit_test(test_spec_refs__forbidden_in_identity_fields),
		cmocka_unit_test(test_spec_refs__resolve_types_and_unknowns),
		cmocka_unit_test(test_spec_refs__resolve_without_resolver),
		cmocka_unit_test(test_spec_refs__resolver_error_passes_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
