/* test_load.c - loading valid stacks: the reference stack, values, positions, settings */
#include "helpers.h"

#include "util/clock.h"
#include "util/json.h"

static ikc_stack *load_reference(void)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	char path[4096];
	int rc;

	fixture_path(path, sizeof(path), "reference.yaml");
	rc = ikc_stack_load_file(&st, &d, path, NULL);
	if (rc != 0)
		dump_diags(&d);
	assert_int_equal(0, rc);
	assert_int_equal(0, (int)d.count);
	ikc_diags_dispose(&d);
	return st;
}

static void test_spec_load__reference_resources_in_order(void **state)
{
	ikc_stack *st = load_reference();
	static const char *const want[] = {
		"Cluster/nginx-asia", "NodePool/default-pool",
		"ReplicationController/nginx", "Service/nginxservice",
	};
	size_t i;

	(void)state;
	assert_string_equal("nginx-asia", st->name);
	assert_int_equal(4, (int)st->nresources);
	for (i = 0; i < 4; i++)
		assert_string_equal(want[i], st->resources[i].address);
	assert_int_equal(IKC_PROVIDER_GKE, st->resources[0].provider);
	assert_int_equal(IKC_PROVIDER_GKE, st->resources[1].provider);
	assert_int_equal(IKC_PROVIDER_KUBERNETES, st->resources[2].provider);
	assert_string_equal("container.googleapis.com/v1",
			    st->resources[1].api_version);
	assert_string_equal("NodePool", st->resources[1].kind);
	assert_string_equal("default-pool", st->resources[1].name);
	/* NodePool names its Cluster; manifests go to the stack's Cluster */
	assert_string_equal("Cluster/nginx-asia", st->resources[1].cluster);
	assert_null(st->resources[0].cluster);
	assert_string_equal("Cluster/nginx-asia", st->resources[2].cluster);
	assert_string_equal("Cluster/nginx-asia", st->resources[3].cluster);
	assert_null(st->resources[0].namespace_);
	assert_string_equal("default", st->resources[3].namespace_);
	assert_int_equal(13, st->resources[0].line);
	assert_int_equal(1, st->resources[0].col);
	assert_int_equal(56, st->resources[3].line);
	assert_ptr_equal(&st->resources[3],
			 ikc_stack_find(st, "Service/nginxservice"));
	assert_null(ikc_stack_find(st, "Service/nope"));
	ikc_stack_free(st);
}

static void test_spec_load__reference_settings(void **state)
{
	ikc_stack *st;
	char path[4096], *dir, *want;

	(void)state;
	unsetenv("IKC_CONTAINER_ENDPOINT");
	st = load_reference();
	fixture_path(path, sizeof(path), "reference.yaml");
	assert_string_equal(path, st->file);
	assert_string_equal("demo-project", st->project);
	assert_string_equal("https://container.googleapis.com/", st->endpoint);
	assert_string_equal("Cluster/nginx-asia", st->kube_cluster);
	assert_null(st->kubeconfig);
	dir = ikc_fs_dirname(path);
	want = malloc(strlen(dir) + 64);
	sprintf(want, "file://%s/.ikc/nginx-asia.state.json", dir);
	if (dir[0] == '/')
		assert_string_equal(want, st->state_url);
	assert_true(strncmp(st->state_url, "file:///", 8) == 0);
	assert_true(strstr(st->state_url, "/tests/fixtures/stack/.ikc/"
			   "nginx-asia.state.json") != NULL);
	/* sha256sum of the file */
	assert_string_equal("ec2407aa8d72772872bb9afb48787de109994c0cef295b98969"
			    "1b2486e945232", st->digest);
	assert_null(st->git_commit);
	free(want);
	free(dir);
	ikc_stack_free(st);
}

static void test_spec_load__reference_outputs_and_refs(void **state)
{
	ikc_stack *st = load_reference();
	json_object *ip;

	(void)state;
	assert_true(json_object_object_get_ex(st->outputs, "external_ip", &ip));
	assert_string_equal("${Service/nginxservice.status.loadBalancer."
			    "ingress[0].ip}", json_object_get_string(ip));
	assert_int_equal(1, (int)st->noutput_refs);
	assert_string_equal("Service/nginxservice", st->output_refs[0].target);
	assert_string_equal("status.loadBalancer.ingress[0].ip",
			    st->output_refs[0].path);
	assert_int_equal(11, st->output_refs[0].line);
	assert_int_equal(18, st->output_refs[0].col);
	assert_int_equal(0, (int)st->resources[3].nrefs);
	ikc_stack_free(st);
}

static void test_spec_load__reference_values_typed(void **state)
{
	ikc_stack *st = load_reference();
	json_object *body = st->resources[1].body;

	(void)state;
	assert_true(json_object_is_type(ikc_json_path(body, "spec.nodeCount"),
					json_type_int));
	assert_int_equal(2, json_object_get_int(ikc_json_path(body,
							      "spec.nodeCount")));
	assert_string_equal("https://www.googleapis.com/auth/bigquery",
			    json_object_get_string(ikc_json_path(body,
				"spec.config.oauthScopes[2]")));
	body = st->resources[2].body;
	assert_int_equal(80, json_object_get_int(ikc_json_path(body,
		"spec.template.spec.containers[0].ports[0].containerPort")));
	assert_string_equal("ReplicationController",
			    ikc_json_str(body, "kind"));
	ikc_stack_free(st);
}

static void test_spec_load__positions_of_fields(void **state)
{
	ikc_stack *st = load_reference();
	int line, col;

	(void)state;
	assert_int_equal(0, ikc_stack_position(st, &st->resources[1],
					       "spec.nodeCount", &line, &col));
	assert_int_equal(26, line);
	assert_int_equal(3, col);
	assert_int_equal(0, ikc_stack_position(st, &st->resources[1],
		"spec.config.oauthScopes[1]", &line, &col));
	assert_int_equal(31, line);
	assert_int_equal(9, col);
	assert_int_equal(0, ikc_stack_position(st, &st->resources[2],
		"spec.template.spec.containers[0].ports[0].containerPort",
		&line, &col));
	assert_int_equal(54, line);
	assert_int_equal(11, col);
	assert_int_equal(0, ikc_stack_position(st, &st->resources[3],
					       "metadata.name", &line, &col));
	assert_int_equal(61, line);
	assert_int_equal(3, col);
	/* a field the file does not set: its nearest enclosing field */
	assert_int_equal(0, ikc_stack_position(st, &st->resources[3],
		"spec.sessionAffinity", &line, &col));
	assert_int_equal(62, line);
	assert_int_equal(1, col);
	/* nothing at all: the document start */
	assert_int_equal(IKC_ENOTFOUND, ikc_stack_position(st,
		&st->resources[3], "status.loadBalancer", &line, &col));
	assert_int_equal(56, line);
	assert_int_equal(1, col);
	ikc_stack_free(st);
}

static void test_spec_load__example_is_the_reference(void **state)
{
	ikc_buf a = IKC_BUF_INIT((size_t)1 << 20), b = IKC_BUF_INIT((size_t)1 << 20);
	const char *src = getenv("IKC_SOURCE_DIR");
	char path[4096];

	(void)state;
	read_fixture(&a, "reference.yaml");
	snprintf(path, sizeof(path), "%s/examples/nginx-asia/ikc.yaml",
		 src ? src : "../../..");
	assert_int_equal(0, ikc_fs_read_file(&b, path, (size_t)1 << 20));
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	ikc_buf_dispose(&a);
	ikc_buf_dispose(&b);
}

static void test_spec_load__missing_file_is_io_error(void **state)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;

	(void)state;
	assert_int_equal(IKC_ERROR, ikc_stack_load_file(&st, &d,
		"/nonexistent/ikc.yaml", NULL));
	assert_null(st);
	assert_non_null(strstr(ikc_error_last(), "/nonexistent/ikc.yaml"));
	assert_int_equal(0, (int)d.count);
}

static void test_spec_load__scalar_types(void **state)
{
	ikc_stack *st = expect_valid(STACK_HEAD
		"apiVersion: v1\n"
		"kind: ConfigMap\n"
		"metadata: {name: types}\n"
		"x:\n"
		"  int: 2\n"
		"  neg: -7\n"
		"  hex: 0x1F\n"
		"  float: 1.5\n"
		"  yes: true\n"
		"  no: False\n"
		"  nul: null\n"
		"  tilde: ~\n"
		"  empty:\n"
		"  quoted: \"80\"\n"
		"  single: 'true'\n"
		"  tagged: !!str 42\n"
		"  tagint: !!int \"7\"\n"
		"  tagfloat: !!float 3\n"
		"  word: yes\n"
		"  off: off\n"
		"  mode: 0644\n"
		"  octal12: 0o17\n"
		"  dec: 0\n"
		"  letter: y\n"
		"  version: 1.2.3\n"
		"  block: |\n"
		"    two\n"
		"    lines\n");
	json_object *x = ikc_json_path(st->resources[1].body, "x"), *v;

	(void)state;
	assert_true(json_object_is_type(ikc_json_path(x, "int"), json_type_int));
	assert_int_equal(-7, json_object_get_int(ikc_json_path(x, "neg")));
	assert_int_equal(31, json_object_get_int(ikc_json_path(x, "hex")));
	assert_true(json_object_is_type(ikc_json_path(x, "float"),
					json_type_double));
	assert_true(json_object_get_double(ikc_json_path(x, "float")) == 1.5);
	assert_true(json_object_is_type(ikc_json_path(x, "yes"),
					json_type_boolean));
	assert_true(json_object_get_boolean(ikc_json_path(x, "yes")));
	assert_false(json_object_get_boolean(ikc_json_path(x, "no")));
	assert_true(json_object_object_get_ex(x, "nul", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(x, "tilde", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(x, "empty", &v));
	assert_null(v);
	assert_true(json_object_is_type(ikc_json_path(x, "quoted"),
					json_type_string));
	assert_string_equal("80", json_object_get_string(ikc_json_path(x,
								       "quoted")));
	assert_true(json_object_is_type(ikc_json_path(x, "single"),
					json_type_string));
	assert_true(json_object_is_type(ikc_json_path(x, "tagged"),
					json_type_string));
	assert_int_equal(7, json_object_get_int(ikc_json_path(x, "tagint")));
	assert_true(json_object_is_type(ikc_json_path(x, "tagint"),
					json_type_int));
	assert_true(json_object_is_type(ikc_json_path(x, "tagfloat"),
					json_type_double));
	/* YAML 1.1 words, as kubectl reads them; as keys they stay words */
	assert_true(json_object_is_type(ikc_json_path(x, "word"),
					json_type_boolean));
	assert_true(json_object_get_boolean(ikc_json_path(x, "word")));
	assert_true(json_object_is_type(ikc_json_path(x, "off"),
					json_type_boolean));
	assert_false(json_object_get_boolean(ikc_json_path(x, "off")));
	assert_int_equal(0644, json_object_get_int(ikc_json_path(x, "mode")));
	assert_int_equal(15, json_object_get_int(ikc_json_path(x, "octal12")));
	assert_int_equal(0, json_object_get_int(ikc_json_path(x, "dec")));
	assert_true(json_object_is_type(ikc_json_path(x, "dec"), json_type_int));
	assert_string_equal("y", json_object_get_string(ikc_json_path(x,
								      "letter")));
	assert_string_equal("1.2.3", json_object_get_string(ikc_json_path(x,
								"version")));
	assert_string_equal("two\nlines\n",
			    json_object_get_string(ikc_json_path(x, "block")));
	ikc_stack_free(st);
}

static void test_spec_load__addresses_and_namespaces(void **state)
{
	ikc_stack *st = expect_valid(STACK_HEAD
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n"
		"---\n"
		"apiVersion: apps/v1\nkind: Deployment\n"
		"metadata: {name: front, namespace: web}\nspec: {replicas: 1}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\n"
		"metadata: {name: cfg, namespace: default}\n"
		"---\n"
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
		"metadata: {name: reader}\n"
		"---\n"
		"apiVersion: example.com/v1\nkind: Widget\n"
		"metadata: {name: w.one}\n");

	(void)state;
	assert_int_equal(6, (int)st->nresources);
	assert_string_equal("Namespace/web", st->resources[1].address);
	assert_null(st->resources[1].namespace_);
	assert_string_equal("Deployment/web/front", st->resources[2].address);
	assert_string_equal("web", st->resources[2].namespace_);
	assert_string_equal("ConfigMap/cfg", st->resources[3].address);
	assert_string_equal("default", st->resources[3].namespace_);
	assert_string_equal("ClusterRole/reader", st->resources[4].address);
	assert_null(st->resources[4].namespace_);
	assert_string_equal("Widget/w.one", st->resources[5].address);
	assert_string_equal("default", st->resources[5].namespace_);
	assert_int_equal(IKC_PROVIDER_KUBERNETES, st->resources[5].provider);
	ikc_stack_free(st);
}

static void test_spec_load__annotations_recorded_and_stripped(void **state)
{
	ikc_stack *st = expect_valid(STACK_HEAD
		"apiVersion: apps/v1\nkind: Deployment\n"
		"metadata:\n"
		"  name: front\n"
		"  annotations:\n"
		"    ikc.dev/depends-on: \"Cluster/c1, ConfigMap/default/cfg\"\n"
		"    ikc.dev/ignore-changes: spec.replicas, spec.template."
		"spec.containers[0].image\n"
		"    ikc.dev/prevent-destroy: \"true\"\n"
		"    ikc.dev/wait: none\n"
		"    team: web\n"
		"spec: {replicas: 1}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\n"
		"metadata:\n"
		"  name: cfg\n"
		"  annotations: {ikc.dev/cluster: c1}\n");
	const ikc_resource *r = ikc_stack_find(st, "Deployment/front");
	json_object *meta;

	(void)state;
	assert_non_null(r);
	assert_int_equal(2, (int)r->ndepends_on);
	assert_string_equal("Cluster/c1", r->depends_on[0]);
	assert_string_equal("ConfigMap/cfg", r->depends_on[1]);
	assert_int_equal(2, (int)r->nignore_changes);
	assert_string_equal("spec.replicas", r->ignore_changes[0]);
	assert_string_equal("spec.template.spec.containers[0].image",
			    r->ignore_changes[1]);
	assert_true(r->prevent_destroy);
	assert_true(r->wait_none);
	/* only the ikc ones leave the body */
	assert_string_equal("web", json_object_get_string(ikc_json_path(r->body,
		"metadata.annotations.team")));
	assert_int_equal(1, json_object_object_length(ikc_json_path(r->body,
		"metadata.annotations")));
	r = ikc_stack_find(st, "ConfigMap/cfg");
	assert_string_equal("Cluster/c1", r->cluster);
	assert_true(json_object_object_get_ex(r->body, "metadata", &meta));
	assert_false(json_object_object_get_ex(meta, "annotations", NULL));
	assert_false(r->prevent_destroy);
	assert_false(r->wait_none);
	ikc_stack_free(st);
}

static void test_spec_load__stack_settings(void **state)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	const char *text =
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s2}\n"
		"spec:\n"
		"  google: {project: p, endpoint: 'https://gke.example/'}\n"
		"  kubernetes: {kubeconfig: kube/config, context: dev}\n"
		"  state: file://state/s2.json\n"
		"  variables: {replicas: 2, image: nginx}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n";

	(void)state;
	unsetenv("IKC_CONTAINER_ENDPOINT");
	assert_int_equal(0, ikc_stack_load_buffer(&st, &d, "s2.yaml", "/srv/s2",
						  text, strlen(text), NULL));
	assert_string_equal("https://gke.example/", st->endpoint);
	assert_string_equal("/srv/s2/kube/config", st->kubeconfig);
	assert_string_equal("dev", st->kube_context);
	assert_null(st->kube_cluster);
	assert_string_equal("file:///srv/s2/state/s2.json", st->state_url);
	assert_string_equal("/srv/s2", st->dir);
	assert_null(st->resources[0].cluster);
	assert_int_equal(2, json_object_get_int(ikc_json_path(st->variables,
							      "replicas")));
	assert_int_equal(0, (int)json_object_object_length(st->outputs));
	ikc_stack_free(st);

	/* the environment wins over the file */
	setenv("IKC_CONTAINER_ENDPOINT", "https://127.0.0.1:8443/", 1);
	assert_int_equal(0, ikc_stack_load_buffer(&st, &d, "s2.yaml", "/srv/s2",
						  text, strlen(text), NULL));
	assert_string_equal("https://127.0.0.1:8443/", st->endpoint);
	unsetenv("IKC_CONTAINER_ENDPOINT");
	ikc_stack_free(st);
	ikc_diags_dispose(&d);
}

static void test_spec_load__var_overrides(void **state)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	static const char *const vars[] = { "replicas=5", "extra=hello" };
	ikc_load_options opts = { vars, 2 };
	const char *text =
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s3}\n"
		"spec:\n"
		"  kubernetes: {kubeconfig: /etc/kube}\n"
		"  variables: {replicas: 2}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n"
		"data: {a: '${var.extra}', n: '${var.replicas}'}\n";

	(void)state;
	assert_int_equal(0, ikc_stack_load_buffer(&st, &d, "s3.yaml", "/srv",
						  text, strlen(text), &opts));
	assert_int_equal(5, json_object_get_int(ikc_json_path(st->variables,
							      "replicas")));
	assert_true(json_object_is_type(ikc_json_path(st->variables,
						      "replicas"), json_type_int));
	assert_string_equal("hello", json_object_get_string(ikc_json_path(
		st->variables, "extra")));
	assert_string_equal("/etc/kube", st->kubeconfig);
	ikc_stack_free(st);
	ikc_diags_dispose(&d);
}

static void test_spec_load__empty_documents_skipped(void **state)
{
	ikc_stack *st = expect_valid("---\n" STACK_HEAD "---\n# nothing\n");

	(void)state;
	assert_int_equal(1, (int)st->nresources);
	ikc_stack_free(st);
}

static void test_spec_load__aliases_expand(void **state)
{
	ikc_stack *st = expect_valid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\n"
		"metadata: {name: cfg, labels: &l {app: web}}\n"
		"spec: {selector: *l}\n");

	(void)state;
	assert_string_equal("web", json_object_get_string(ikc_json_path(
		st->resources[1].body, "spec.selector.app")));
	ikc_stack_free(st);
}

static void test_spec_load__thousand_resources_fast(void **state)
{
	ikc_buf b = IKC_BUF_INIT((size_t)4 << 20);
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	double t0, ms;
	int i;

	(void)state;
	assert_int_equal(0, ikc_buf_puts(&b, STACK_HEAD));
	for (i = 0; i < 1000; i++)
		assert_int_equal(0, ikc_buf_printf(&b,
			"apiVersion: apps/v1\nkind: Deployment\n"
			"metadata:\n  name: app-%d\n  labels: {app: app-%d}\n"
			"spec:\n  replicas: 2\n  selector: {matchLabels: "
			"{app: app-%d}}\n  template:\n    metadata: {labels: "
			"{app: app-%d}}\n    spec:\n      containers:\n"
			"      - name: c\n        image: nginx:1.27\n"
			"        env: [{name: PEER, value: "
			"'${Deployment/app-%d.metadata.name}'}]\n---\n",
			i, i, i, i, i > 0 ? i - 1 : 0));
	t0 = ikc_time_monotonic();
	assert_int_equal(0, ikc_stack_load_buffer(&st, &d, "big.yaml", "/srv",
						  b.ptr, b.len, NULL));
	ms = (ikc_time_monotonic() - t0) * 1e3;
	fprintf(stderr, "1000 resources loaded in %.1f ms\n", ms);
	assert_int_equal(1001, (int)st->nresources);
	assert_string_equal("Deployment/app-998", st->resources[1000].refs[0].target);
	/*
	 * An optimised build takes about 35 ms; sanitizers and a busy machine
	 * slow that down a lot, so this only catches gross regressions.
	 */
	assert_true(ms < 3000.0);
	ikc_stack_free(st);
	ikc_diags_dispose(&d);
	ikc_buf_dispose(&b);
}

static void test_spec_load__bom_and_crlf(void **state)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	const char *text =
		"\xef\xbb\xbf" "apiVersion: ikc.dev/v1\r\nkind: Stack\r\n"
		"metadata: {name: s}\r\n"
		"spec: {kubernetes: {kubeconfig: k}}\r\n---\r\n"
		"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: c}\r\n"
		"data:\r\n  a: b\r\n";
	int line, col;

	(void)state;
	assert_int_equal(0, ikc_stack_load_buffer(&st, &d, "w.yaml", "/w", text,
						  strlen(text), NULL));
	assert_int_equal(1, (int)st->nresources);
	assert_int_equal(6, st->resources[0].line);
	assert_int_equal(0, ikc_stack_position(st, &st->resources[0], "data.a",
					       &line, &col));
	assert_int_equal(10, line);
	assert_int_equal(3, col);
	ikc_stack_free(st);
	ikc_diags_dispose(&d);
}

static void test_spec_load__merge_keys(void **state)
{
	ikc_stack *st = expect_valid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n"
		"x: &base {a: '1', b: '2'}\n"
		"y: &more {c: '3', a: '0'}\n"
		"data:\n"
		"  b: own\n"
		"  <<: [*base, *more]\n"
		"  '<<': quoted\n");
	json_object *data = ikc_json_path(st->resources[1].body, "data");
	ikc_diags d;

	(void)state;
	assert_string_equal("1", ikc_json_str(data, "a"));   /* earlier wins */
	assert_string_equal("own", ikc_json_str(data, "b")); /* own key wins */
	assert_string_equal("3", ikc_json_str(data, "c"));
	assert_string_equal("quoted", ikc_json_str(data, "<<"));
	assert_int_equal(4, json_object_object_length(data));
	ikc_stack_free(st);

	/* an own key after the merge replaces the merged one */
	st = expect_valid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n"
		"x: &b {k: v, z: 1}\n"
		"data: {<<: *b, k: mine}\n");
	assert_string_equal("mine", ikc_json_str(ikc_json_path(
		st->resources[1].body, "data"), "k"));
	ikc_stack_free(st);

	d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n"
		"data: {<<: text}\n");
	assert_diag(&d, 17, 12, "a merge key (<<) takes a mapping or a list of "
		    "mappings");
	ikc_diags_dispose(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_load__reference_resources_in_order),
		cmocka_unit_test(test_spec_load__reference_settings),
		cmocka_unit_test(test_spec_load__reference_outputs_and_refs),
		cmocka_unit_test(test_spec_load__reference_values_typed),
		cmocka_unit_test(test_spec_load__positions_of_fields),
		cmocka_unit_test(test_spec_load__example_is_the_reference),
		cmocka_unit_test(test_spec_load__missing_file_is_io_error),
		cmocka_unit_test(test_spec_load__scalar_types),
		cmocka_unit_test(test_spec_load__addresses_and_namespaces),
		cmocka_unit_test(test_spec_load__annotations_recorded_and_stripped),
		cmocka_unit_test(test_spec_load__stack_settings),
		cmocka_unit_test(test_spec_load__var_overrides),
		cmocka_unit_test(test_spec_load__empty_documents_skipped),
		cmocka_unit_test(test_spec_load__aliases_expand),
		cmocka_unit_test(test_spec_load__thousand_resources_fast),
		cmocka_unit_test(test_spec_load__bom_and_crlf),
		cmocka_unit_test(test_spec_load__merge_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
