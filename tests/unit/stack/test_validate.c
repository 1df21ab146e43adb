/* test_validate.c - every check of spec.md "Errors in the file", one test each */
#include "helpers.h"

#include "util/json.h"

/* ---- the example of spec.md, from a fixture ------------------------------ */

static void test_spec_validate__nodepool_cluster_typo(void **state)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	ikc_buf line = IKC_BUF_INIT(0);
	char path[4096];

	(void)state;
	fixture_path(path, sizeof(path), "nodepool-typo.yaml");
	assert_int_equal(IKC_EINVALID, ikc_stack_load_file(&st, &d, path, NULL));
	assert_null(st);
	assert_int_equal(1, (int)ikc_diags_errors(&d));
	assert_int_equal(0, ikc_diag_format(&line, &d.items[0]));
	assert_non_null(strstr(line.ptr, "nodepool-typo.yaml:25:12: NodePool/"
			       "default-pool: spec.cluster \"nginx-asa\" is not a "
			       "Cluster of this stack (did you mean "
			       "\"nginx-asia\"?)"));
	ikc_buf_dispose(&line);
	ikc_diags_dispose(&d);
}

static void test_spec_validate__many_errors_all_reported(void **state)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	char path[4096];
	size_t i;

	(void)state;
	fixture_path(path, sizeof(path), "many-errors.yaml");
	assert_int_equal(IKC_EINVALID, ikc_stack_load_file(&st, &d, path, NULL));
	assert_null(st);
	assert_diag(&d, 9, 5, "unknown field \"spec.kubernetes.clustr\" "
		    "(did you mean \"cluster\"?)");
	assert_diag(&d, 12, 7, "unknown kind \"Clustr\" for "
		    "container.googleapis.com/v1 (did you mean \"Cluster\"?)");
	assert_diag(&d, 19, 7, "unknown kind \"Servce\" (did you mean "
		    "\"Service\"?)");
	assert_diag(&d, 26, 9, "metadata.name \"Front_End\" is not a valid name");
	assert_diag(&d, 28, 5, "unknown annotation \"ikc.dev/depend-on\" (did you "
		    "mean \"ikc.dev/depends-on\"?)");
	assert_diag(&d, 31, 3, "duplicate key \"replicas\" (first at line 30)");
	assert_true(ikc_diags_errors(&d) >= 6);
	/* reported in file order */
	for (i = 1; i < d.count; i++)
		assert_true(d.items[i - 1].line < d.items[i].line ||
			    (d.items[i - 1].line == d.items[i].line &&
			     d.items[i - 1].col <= d.items[i].col));
	ikc_diags_dispose(&d);
}

/* ---- the Stack document --------------------------------------------------- */

static void test_spec_validate__no_stack_document(void **state)
{
	ikc_diags d = expect_invalid("apiVersion: v1\nkind: ConfigMap\n"
				     "metadata: {name: x}\n");

	(void)state;
	assert_diag(&d, 1, 1, "no Stack document: the file must start with one");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__empty_file(void **state)
{
	ikc_diags d = expect_invalid("# only a comment\n");

	(void)state;
	assert_diag(&d, 1, 1, "the file holds no documents");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__stack_not_first(void **state)
{
	ikc_diags d = expect_invalid("apiVersion: v1\nkind: Namespace\n"
				     "metadata: {name: x}\n---\n"
				     "apiVersion: ikc.dev/v1\nkind: Stack\n"
				     "metadata: {name: s}\n"
				     "spec: {kubernetes: {kubeconfig: k}}\n");

	(void)state;
	assert_diag(&d, 5, 1, "the Stack document must come first");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__two_stacks(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
				     "apiVersion: ikc.dev/v1\nkind: Stack\n"
				     "metadata: {name: other}\n");

	(void)state;
	assert_diag(&d, 14, 1, "a second Stack document (the first is at line 1)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__stack_unknown_fields(void **state)
{
	ikc_diags d = expect_invalid(
		"apiVersion: ikc.dev/v1\n"
		"kind: Stack\n"
		"metadata: {name: s, labels: {a: b}}\n"
		"spec:\n"
		"  googel: {project: p}\n"
		"  kubernetes: {kubeconfig: k, contxt: dev}\n"
		"  outputs: {}\n"
		"  zzz: 1\n");

	(void)state;
	assert_diag(&d, 3, 21, "unknown field \"metadata.labels\" (expected name)");
	assert_diag(&d, 5, 3, "unknown field \"spec.googel\" (did you mean "
		    "\"google\"?)");
	assert_diag(&d, 6, 31, "unknown field \"spec.kubernetes.contxt\" (did you "
		    "mean \"context\"?)");
	assert_diag(&d, 8, 3, "unknown field \"spec.zzz\" (expected google, "
		    "kubernetes, state, variables or outputs)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__stack_name_rules(void **state)
{
	ikc_diags d = expect_invalid("apiVersion: ikc.dev/v1\nkind: Stack\n"
				     "metadata: {name: My_Stack}\n");

	(void)state;
	assert_diag(&d, 3, 18, "Stack: metadata.name \"My_Stack\" is not a valid "
		    "stack name");
	ikc_diags_dispose(&d);
	d = expect_invalid("apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {}\n");
	assert_diag(&d, 1, 1, "Stack: missing metadata.name");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__stack_api_version(void **state)
{
	ikc_diags d = expect_invalid("apiVersion: ikc.dev/v2\nkind: Stack\n"
				     "metadata: {name: s}\n");

	(void)state;
	assert_diag(&d, 1, 13, "apiVersion \"ikc.dev/v2\" is not served for Stack "
		    "(expected \"ikc.dev/v1\")");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__stack_kube_cluster_typo(void **state)
{
	ikc_diags d = expect_invalid(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"spec:\n"
		"  google: {project: p}\n"
		"  kubernetes:\n"
		"    cluster: nginx-asa\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata: {name: nginx-asia}\nspec: {location: x}\n");

	(void)state;
	assert_diag(&d, 7, 14, "Stack/s: spec.kubernetes.cluster \"nginx-asa\" is "
		    "not a Cluster of this stack (did you mean \"nginx-asia\"?)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__stack_settings_checked(void **state)
{
	ikc_diags d = expect_invalid(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"spec:\n"
		"  google: {project: 7, endpoint: gke.local}\n"
		"  kubernetes: {cluster: c, kubeconfig: k}\n"
		"  state: s3://bucket/x\n"
		"  variables: {9lives: 1}\n");

	(void)state;
	assert_diag(&d, 5, 21, "spec.google.project must be a string");
	assert_diag(&d, 5, 34, "spec.google.endpoint \"gke.local\" is not a URL");
	assert_diag(&d, 6, 28, "set either spec.kubernetes.cluster or "
		    "spec.kubernetes.kubeconfig, not both");
	assert_diag(&d, 7, 10, "spec.state \"s3://bucket/x\" is not a state URL "
		    "(expected file://PATH or etcd://HOST:PORT/PREFIX)");
	assert_diag(&d, 8, 15, "variable name \"9lives\" is not valid");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__refs_in_stack_outside_outputs(void **state)
{
	ikc_diags d = expect_invalid(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"spec:\n"
		"  google: {project: p}\n"
		"  kubernetes:\n"
		"    kubeconfig: ${env.HOME}/k\n");

	(void)state;
	assert_diag(&d, 7, 17, "expressions are only allowed in spec.outputs");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__bad_var_option(void **state)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	static const char *const vars[] = { "novalue" };
	ikc_load_options opts = { vars, 1 };

	(void)state;
	assert_int_equal(IKC_EINVALID, ikc_stack_load_buffer(&st, &d, "t.yaml",
		"/w", STACK_HEAD, strlen(STACK_HEAD), &opts));
	assert_true(ikc_diags_contains(&d, "--var \"novalue\": expected "
				       "NAME=VALUE"));
	ikc_diags_dispose(&d);
}

/* ---- kinds and apiVersions ------------------------------------------------ */

static void test_spec_validate__gke_unknown_kind(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: container.googleapis.com/v1\nkind: Clustr\n"
		"metadata: {name: x}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Operation\n"
		"metadata: {name: y}\n");

	(void)state;
	assert_diag(&d, 15, 7, "unknown kind \"Clustr\" for "
		    "container.googleapis.com/v1 (did you mean \"Cluster\"?)");
	assert_diag(&d, 19, 7, "unknown kind \"Operation\" for "
		    "container.googleapis.com/v1 (expected Cluster or NodePool)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__gke_unsupported_api_version(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: container.googleapis.com/v1beta1\nkind: Cluster\n"
		"metadata: {name: x}\n");

	(void)state;
	assert_diag(&d, 14, 13, "unsupported apiVersion "
		    "\"container.googleapis.com/v1beta1\" (expected "
		    "\"container.googleapis.com/v1\")");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__gke_kind_with_kube_api_version(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: NodePool\nmetadata: {name: x}\n");

	(void)state;
	assert_diag(&d, 14, 13, "NodePool is a GKE kind: apiVersion must be "
		    "\"container.googleapis.com/v1\"");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__misspelt_kube_kind(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: Servce\nmetadata: {name: x}\n"
		"---\n"
		"apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: y}\n");

	(void)state;
	assert_diag(&d, 15, 7, "Servce/x: unknown kind \"Servce\" (did you mean "
		    "\"Service\"?)");
	assert_diag(&d, 19, 7, "unknown kind \"Deploymnet\" (did you mean "
		    "\"Deployment\"?)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__open_kube_kinds_accepted(void **state)
{
	/* custom resources and unlisted kinds are the cluster's business */
	ikc_stack *st = expect_valid(STACK_HEAD
		"apiVersion: example.com/v1\nkind: Servce\nmetadata: {name: x}\n"
		"---\n"
		"apiVersion: v1\nkind: PodTemplate\nmetadata: {name: y}\n");

	(void)state;
	assert_int_equal(3, (int)st->nresources);
	ikc_stack_free(st);
}

static void test_spec_validate__kube_api_version_mismatch(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: extensions/v1beta1\nkind: Deployment\n"
		"metadata: {name: x}\n"
		"---\n"
		"apiVersion: apps/v1\nkind: Service\nmetadata: {name: y}\n"
		"---\n"
		"apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\n"
		"metadata: {name: z}\n");

	(void)state;
	assert_diag(&d, 14, 13, "apiVersion \"extensions/v1beta1\" is not served "
		    "for Deployment (expected \"apps/v1\")");
	assert_diag(&d, 18, 13, "apiVersion \"apps/v1\" is not served for Service "
		    "(expected \"v1\")");
	/* autoscaling/v1 is a served version of HorizontalPodAutoscaler */
	assert_int_equal(2, (int)ikc_diags_errors(&d));
	ikc_diags_dispose(&d);
}

static void test_spec_validate__required_identity(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"kind: ConfigMap\nmetadata: {name: x}\n"
		"---\n"
		"apiVersion: v1\nmetadata: {name: y}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {}}\n"
		"---\n"
		"apiVersion: v1\nkind: 5\nmetadata: {name: z}\n"
		"---\n"
		"- just\n- a list\n");

	(void)state;
	assert_diag(&d, 14, 1, "missing apiVersion");
	assert_diag(&d, 17, 1, "missing kind");
	assert_diag(&d, 20, 1, "ConfigMap: missing metadata.name");
	assert_diag(&d, 25, 7, "kind must be a string");
	assert_diag(&d, 28, 1, "document is a sequence; expected a mapping with "
		    "apiVersion, kind and metadata");
	ikc_diags_dispose(&d);
}

/* ---- names, namespaces, addresses ------------------------------------------ */

static void test_spec_validate__gke_name_rules(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata: {name: a-very-long-cluster-name-that-is-over-40c}\n"
		"spec: {location: x}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: NodePool\n"
		"metadata: {name: 1pool}\n"
		"spec: {cluster: c1}\n");

	(void)state;
	assert_diag(&d, 16, 18, "metadata.name \"a-very-long-cluster-name-that-is-"
		    "over-40c\" is not a valid GKE name");
	assert_diag(&d, 21, 18, "NodePool/1pool: metadata.name \"1pool\" is not a "
		    "valid GKE name (lowercase letters, digits and '-', starting "
		    "with a letter");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__kube_name_rules(void **state)
{
	ikc_stack *st;
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: Service\nmetadata: {name: web.front}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: -cfg}\n"
		"---\n"
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: Team}\n");

	(void)state;
	assert_diag(&d, 16, 18, "metadata.name \"web.front\" is not a valid Service "
		    "name (a DNS-1123 label");
	assert_diag(&d, 20, 18, "metadata.name \"-cfg\" is not a valid name (a "
		    "DNS-1123 subdomain");
	assert_diag(&d, 24, 18, "is not a valid Namespace name");
	ikc_diags_dispose(&d);
	/* dots are fine in a subdomain */
	st = expect_valid(STACK_HEAD "apiVersion: v1\nkind: ConfigMap\n"
			  "metadata: {name: web.front-1}\n");
	ikc_stack_free(st);
}

static void test_spec_validate__namespace_rules(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: Namespace\n"
		"metadata: {name: web, namespace: other}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\n"
		"metadata: {name: x, namespace: Bad_NS}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata: {name: c2, namespace: web}\nspec: {location: x}\n");

	(void)state;
	assert_diag(&d, 16, 34, "Namespace/web: Namespace is not namespaced: "
		    "remove metadata.namespace");
	assert_diag(&d, 20, 32, "metadata.namespace \"Bad_NS\" is not a valid "
		    "namespace name");
	assert_diag(&d, 24, 33, "Cluster is not namespaced");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__duplicate_address(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\n"
		"metadata:\n  namespace: default\n  name: x\n");

	(void)state;
	assert_diag(&d, 22, 9, "duplicate resource ConfigMap/x (first defined at "
		    "line 14)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__same_name_other_namespace_ok(void **state)
{
	ikc_stack *st = expect_valid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\n"
		"metadata: {name: x, namespace: web}\n");

	(void)state;
	assert_non_null(ikc_stack_find(st, "ConfigMap/x"));
	assert_non_null(ikc_stack_find(st, "ConfigMap/web/x"));
	ikc_stack_free(st);
}

/* ---- YAML structure --------------------------------------------------------- */

static void test_spec_validate__duplicate_mapping_key(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
		"data:\n  a: 1\n  b: 2\n  a: 3\n");

	(void)state;
	assert_diag(&d, 20, 3, "duplicate key \"a\" (first at line 18)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__non_string_keys(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
		"data:\n  80: http\n  [a, b]: c\n  ? {k: v}\n  : d\n"
		"  \"443\": https\n  0644: m\n  true: t\n  on: fine\n");

	(void)state;
	assert_diag(&d, 18, 3, "mapping key 80 is an integer; keys must be strings "
		    "(quote it: \"80\")");
	assert_diag(&d, 19, 3, "mapping key is a sequence; keys must be strings");
	assert_diag(&d, 20, 5, "mapping key is a mapping; keys must be strings");
	assert_diag(&d, 23, 3, "mapping key 0644 is an integer; keys must be "
		    "strings (quote it: \"0644\")");
	assert_diag(&d, 24, 3, "mapping key true is a boolean");
	assert_int_equal(5, (int)ikc_diags_errors(&d));
	ikc_diags_dispose(&d);
}

static void test_spec_validate__yaml_syntax_error(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n"
		"data: {}\n");

	(void)state;
	assert_int_equal(1, (int)d.count);
	assert_diag(&d, 17, 5, "did not find expected ',' or '}' (while parsing a "
		    "flow mapping at line 16, column 11)");
	ikc_diags_dispose(&d);
	d = expect_invalid(STACK_HEAD "apiVersion: v1\n  kind: x\n");
	assert_diag(&d, 15, 7, "mapping values are not allowed in this context");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__bad_tagged_scalar(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
		"data: {n: !!int twelve}\n");

	(void)state;
	assert_diag(&d, 17, 11, "a !!int scalar must be an integer");
	ikc_diags_dispose(&d);
}

/* ---- GKE resources ---------------------------------------------------------- */

static void test_spec_validate__cluster_needs_location(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata: {name: c2}\nspec: {initialClusterVersion: '1.30'}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata: {name: c3}\nspec: {location: [a]}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata: {name: c4}\n");

	(void)state;
	assert_diag(&d, 14, 1, "Cluster/c2: missing spec.location (a string)");
	assert_diag(&d, 22, 18, "Cluster/c3: spec.location must be a string");
	assert_diag(&d, 24, 1, "Cluster/c4: missing spec (a mapping with "
		    "spec.location)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__gke_needs_project(void **state)
{
	ikc_stack *st;
	ikc_diags d = expect_invalid(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata: {name: c1}\nspec: {location: x}\n");

	(void)state;
	assert_diag(&d, 5, 1, "Cluster/c1: no GCP project: set spec.project or the "
		    "Stack's spec.google.project");
	ikc_diags_dispose(&d);
	st = expect_valid(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata: {name: c1}\nspec: {location: x, project: own}\n");
	ikc_stack_free(st);
}

static void test_spec_validate__nodepool_cluster_rules(void **state)
{
	ikc_stack *st;
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: container.googleapis.com/v1\nkind: NodePool\n"
		"metadata: {name: p1}\nspec: {nodeCount: 1}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: NodePool\n"
		"metadata: {name: p2}\nspec: {cluster: elsewhere}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: NodePool\n"
		"metadata: {name: p3}\nspec: {cluster: projects/p/clusters/c}\n");

	(void)state;
	assert_diag(&d, 14, 1, "NodePool/p1: missing spec.cluster (a string)");
	assert_diag(&d, 22, 17, "NodePool/p2: spec.cluster \"elsewhere\" is not a "
		    "Cluster of this stack (expected the name of one, or "
		    "projects/P/locations/L/clusters/C)");
	assert_diag(&d, 27, 17, "spec.cluster \"projects/p/clusters/c\" is not a "
		    "Cluster of this stack");
	ikc_diags_dispose(&d);
	/* a cluster outside the stack, by its full path */
	st = expect_valid(STACK_HEAD
		"apiVersion: container.googleapis.com/v1\nkind: NodePool\n"
		"metadata: {name: p1}\n"
		"spec: {cluster: projects/p/locations/europe-west1/clusters/other}\n");
	assert_null(st->resources[1].cluster);
	ikc_stack_free(st);
}

static void test_spec_validate__nodepool_node_count(void **state)
{
	ikc_stack *st;
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: container.googleapis.com/v1\nkind: NodePool\n"
		"metadata: {name: p1}\nspec: {cluster: c1, nodeCount: -1}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: NodePool\n"
		"metadata: {name: p2}\nspec: {cluster: c1, nodeCount: two}\n");

	(void)state;
	assert_diag(&d, 17, 32, "NodePool/p1: spec.nodeCount must be a "
		    "non-negative integer");
	assert_diag(&d, 22, 32, "NodePool/p2: spec.nodeCount must be a "
		    "non-negative integer");
	ikc_diags_dispose(&d);
	st = expect_valid(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"spec: {google: {project: p}, variables: {n: 3}}\n---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata: {name: c1}\nspec: {location: x}\n---\n"
		"apiVersion: container.googleapis.com/v1\nkind: NodePool\n"
		"metadata: {name: p1}\nspec: {cluster: c1, nodeCount: '${var.n}'}\n");
	ikc_stack_free(st);
}

/* ---- Kubernetes target --------------------------------------------------------- */

static void test_spec_validate__kube_object_needs_target(void **state)
{
	ikc_diags d = expect_invalid(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");

	(void)state;
	assert_diag(&d, 5, 1, "ConfigMap/x: no target cluster: set "
		    "spec.kubernetes.cluster or spec.kubernetes.kubeconfig in the "
		    "Stack, or the ikc.dev/cluster annotation");
	ikc_diags_dispose(&d);
}

/* ---- ikc annotations ----------------------------------------------------------- */

static void test_spec_validate__unknown_annotation(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
		"  annotations:\n"
		"    ikc.dev/prevent-destory: \"true\"\n"
		"    ikc.dev/colour: blue\n"
		"    example.com/anything: goes\n");

	(void)state;
	assert_diag(&d, 19, 5, "ConfigMap/x: unknown annotation "
		    "\"ikc.dev/prevent-destory\" (did you mean "
		    "\"ikc.dev/prevent-destroy\"?)");
	assert_diag(&d, 20, 5, "unknown annotation \"ikc.dev/colour\" (expected "
		    "ikc.dev/depends-on, ikc.dev/ignore-changes, "
		    "ikc.dev/prevent-destroy, ikc.dev/wait or ikc.dev/cluster)");
	assert_int_equal(2, (int)ikc_diags_errors(&d));
	ikc_diags_dispose(&d);
}

static void test_spec_validate__depends_on_targets(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
		"  annotations:\n"
		"    ikc.dev/depends-on: \"Cluster/c2, Service\"\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n"
		"  annotations: {ikc.dev/depends-on: ConfigMap/y}\n");

	(void)state;
	assert_diag(&d, 19, 25, "ConfigMap/x: ikc.dev/depends-on: Cluster/c2 is not "
		    "a resource of this stack (did you mean \"Cluster/c1\"?)");
	assert_diag(&d, 19, 25, "ikc.dev/depends-on: \"Service\" is not a resource "
		    "address (expected Kind/name or Kind/namespace/name)");
	assert_diag(&d, 25, 37, "ConfigMap/y: ikc.dev/depends-on names the "
		    "resource itself");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__ignore_changes_paths(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
		"  annotations:\n"
		"    ikc.dev/ignore-changes: \"spec..replicas, data[x], ,\"\n");

	(void)state;
	assert_diag(&d, 19, 29, "ikc.dev/ignore-changes: \"spec..replicas\" is not "
		    "a field path (expected e.g. spec.replicas or "
		    "spec.ports[0].port)");
	assert_diag(&d, 19, 29, "\"data[x]\" is not a field path");
	assert_diag(&d, 19, 29, "ikc.dev/ignore-changes has an empty item");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__prevent_destroy_and_wait_values(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
		"  annotations:\n"
		"    ikc.dev/prevent-destroy: \"yes\"\n"
		"    ikc.dev/wait: always\n"
		"    ikc.dev/depends-on: true\n");

	(void)state;
	assert_diag(&d, 19, 30, "ikc.dev/prevent-destroy is \"yes\" (expected "
		    "\"true\" or \"false\")");
	assert_diag(&d, 20, 19, "ikc.dev/wait is \"always\" (expected \"none\" or "
		    "\"ready\")");
	assert_diag(&d, 21, 25, "annotation ikc.dev/depends-on must be a string "
		    "(quote it)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__cluster_annotation(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
		"  annotations: {ikc.dev/cluster: c2}\n"
		"---\n"
		"apiVersion: container.googleapis.com/v1\nkind: Cluster\n"
		"metadata:\n  name: c3\n"
		"  annotations: {ikc.dev/cluster: c1}\n"
		"spec: {location: x}\n");

	(void)state;
	assert_diag(&d, 18, 34, "ConfigMap/x: ikc.dev/cluster \"c2\" is not a "
		    "Cluster of this stack (did you mean \"c1\"?)");
	assert_diag(&d, 24, 34, "Cluster/c3: ikc.dev/cluster applies to Kubernetes "
		    "objects only");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__stack_context_needs_kubeconfig(void **state)
{
	ikc_diags d = expect_invalid(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"spec:\n"
		"  kubernetes:\n"
		"    context: dev\n");

	(void)state;
	assert_diag(&d, 6, 5, "Stack/s: spec.kubernetes.context needs "
		    "spec.kubernetes.kubeconfig");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__stack_kind_under_ikc_api(void **state)
{
	ikc_diags d = expect_invalid("apiVersion: ikc.dev/v1\nkind: Stak\n"
				     "metadata: {name: s}\n");

	(void)state;
	assert_diag(&d, 2, 7, "unknown kind \"Stak\" for ikc.dev/v1 (expected "
		    "Stack)");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__outputs_checked(void **state)
{
	ikc_diags d = expect_invalid(
		"apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: s}\n"
		"spec:\n"
		"  kubernetes: {kubeconfig: k}\n"
		"  variables:\n"
		"    v: ${var.w}\n"
		"  outputs:\n"
		"    ip: ${Service/fronts.status.loadBalancer.ingress[0].ip}\n"
		"    bad name: x\n"
		"    n: ${var.nope}\n"
		"---\n"
		"apiVersion: v1\nkind: Service\nmetadata: {name: front}\n");

	(void)state;
	assert_diag(&d, 7, 8, "Stack/s: \"${var.w}\": expressions are only "
		    "allowed in spec.outputs of the Stack");
	assert_diag(&d, 9, 9, "Stack/s: \"${Service/fronts.status.loadBalancer."
		    "ingress[0].ip}\" refers to Service/fronts, which is not a "
		    "resource of this stack (did you mean \"Service/front\"?)");
	assert_diag(&d, 10, 5, "output name \"bad name\" is not valid");
	assert_diag(&d, 11, 8, "variable \"nope\" is not defined");
	ikc_diags_dispose(&d);
}

static void test_spec_validate__annotations_must_be_a_mapping(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\n"
		"metadata: {name: x, annotations: [a]}\n");

	(void)state;
	assert_diag(&d, 16, 34, "ConfigMap/x: metadata.annotations must be a "
		    "mapping");
	ikc_diags_dispose(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_validate__nodepool_cluster_typo),
		cmocka_unit_test(test_spec_validate__many_errors_all_reported),
		cmocka_unit_test(test_spec_validate__no_stack_document),
		cmocka_unit_test(test_spec_validate__empty_file),
		cmocka_unit_test(test_spec_validate__stack_not_first),
		cmocka_unit_test(test_spec_validate__two_stacks),
		cmocka_unit_test(test_spec_validate__stack_unknown_fields),
		cmocka_unit_test(test_spec_validate__stack_name_rules),
		cmocka_unit_test(test_spec_validate__stack_api_version),
		cmocka_unit_test(test_spec_validate__stack_kube_cluster_typo),
		cmocka_unit_test(test_spec_validate__stack_settings_checked),
		cmocka_unit_test(test_spec_validate__refs_in_stack_outside_outputs),
		cmocka_unit_test(test_spec_validate__bad_var_option),
		cmocka_unit_test(test_spec_validate__gke_unknown_kind),
		cmocka_unit_test(test_spec_validate__gke_unsupported_api_version),
		cmocka_unit_test(test_spec_validate__gke_kind_with_kube_api_version),
		cmocka_unit_test(test_spec_validate__misspelt_kube_kind),
		cmocka_unit_test(test_spec_validate__open_kube_kinds_accepted),
		cmocka_unit_test(test_spec_validate__kube_api_version_mismatch),
		cmocka_unit_test(test_spec_validate__required_identity),
		cmocka_unit_test(test_spec_validate__gke_name_rules),
		cmocka_unit_test(test_spec_validate__kube_name_rules),
		cmocka_unit_test(test_spec_validate__namespace_rules),
		cmocka_unit_test(test_spec_validate__duplicate_address),
		cmocka_unit_test(test_spec_validate__same_name_other_namespace_ok),
		cmocka_unit_test(test_spec_validate__duplicate_mapping_key),
		cmocka_unit_test(test_spec_validate__non_string_keys),
		cmocka_unit_test(test_spec_validate__yaml_syntax_error),
		cmocka_unit_test(test_spec_validate__bad_tagged_scalar),
		cmocka_unit_test(test_spec_validate__cluster_needs_location),
		cmocka_unit_test(test_spec_validate__gke_needs_project),
		cmocka_unit_test(test_spec_validate__nodepool_cluster_rules),
		cmocka_unit_test(test_spec_validate__nodepool_node_count),
		cmocka_unit_test(test_spec_validate__kube_object_needs_target),
		cmocka_unit_test(test_spec_validate__unknown_annotation),
		cmocka_unit_test(test_spec_validate__depends_on_targets),
		cmocka_unit_test(test_spec_validate__ignore_changes_paths),
		cmocka_unit_test(test_spec_validate__prevent_destroy_and_wait_values),
		cmocka_unit_test(test_spec_validate__cluster_annotation),
		cmocka_unit_test(test_spec_validate__stack_context_needs_kubeconfig),
		cmocka_unit_test(test_spec_validate__stack_kind_under_ikc_api),
		cmocka_unit_test(test_spec_validate__outputs_checked),
		cmocka_unit_test(test_spec_validate__annotations_must_be_a_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
