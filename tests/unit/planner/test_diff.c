/* test_diff.c - the diff rules as a table: desired x last applied x live -> action, paths, drift */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/diff.h"
#include "providers/provider.h"
#include "stack/stack.h"
#include "util/buf.h"
#include "util/json.h"

#define GKE "container.googleapis.com/v1"

struct diff_case {
	const char *name;
	const char *api_version;
	const char *kind;
	const char *desired;   /* JSON; "@UNKNOWN@" marks a value known after apply */
	const char *last;      /* NULL: never applied */
	const char *live;      /* NULL: absent live */
	const char *ignore;    /* one ikc.dev/ignore-changes path, or NULL */
	ikc_action action;
	const char *paths;     /* changed fields, space-separated, in order */
	const char *replace;   /* replace_paths */
	const char *drift;     /* drift fields; "GONE" when the object is gone */
};

#define RC_LAST RC("2")
#define RC(replicas) \
	"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"metadata\":{\"name\":\"nginx\"}," \
	"\"spec\":{\"replicas\":" replicas ",\"selector\":{\"app\":\"nginx\"},\"template\":{\"metadata\":{\"labels\":{\"app\":\"nginx\"}}," \
	"\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":80}]}]}}}}"

/* What the API returns for RC_LAST: server-filled defaults, status, metadata. */
#define RC_LIVE(replicas) \
	"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"metadata\":{\"name\":\"nginx\",\"namespace\":\"default\"," \
	"\"uid\":\"6f1d\",\"resourceVersion\":\"41875\",\"generation\":1,\"labels\":{\"app\":\"nginx\"}}," \
	"\"spec\":{\"replicas\":" replicas ",\"selector\":{\"app\":\"nginx\"},\"template\":{\"metadata\":{\"labels\":{\"app\":\"nginx\"}}," \
	"\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]," \
	"\"resources\":{},\"terminationMessagePath\":\"/dev/termination-log\",\"imagePullPolicy\":\"Always\"}]," \
	"\"restartPolicy\":\"Always\",\"dnsPolicy\":\"ClusterFirst\",\"securityContext\":{}}}}," \
	"\"status\":{\"replicas\":2,\"readyReplicas\":2}}"

#define SCOPES_A "[\"https://www.googleapis.com/auth/compute\",\"https://www.googleapis.com/auth/logging.write\"]"
#define SCOPES_B "[\"https://www.googleapis.com/auth/cloud-platform\",\"https://www.googleapis.com/auth/logging.write\"]"
#define POOL(count, scopes) \
	"{\"apiVersion\":\"" GKE "\",\"kind\":\"NodePool\",\"metadata\":{\"name\":\"default-pool\"}," \
	"\"spec\":{\"cluster\":\"nginx-asia\",\"nodeCount\":" count ",\"config\":{\"machineType\":\"n1-standard-2\",\"oauthScopes\":" scopes "}}}"
/* Live NodePool: no stack-only spec.cluster, int64 as string, server fields. */
#define POOL_LIVE(count, scopes) \
	"{\"apiVersion\":\"" GKE "\",\"kind\":\"NodePool\",\"metadata\":{\"name\":\"default-pool\"}," \
	"\"spec\":{\"nodeCount\":" count ",\"initialNodeCount\":\"2\",\"status\":\"RUNNING\"," \
	"\"config\":{\"machineType\":\"n1-standard-2\",\"diskSizeGb\":100,\"oauthScopes\":" scopes "}}}"

#define CLUSTER(loc) \
	"{\"apiVersion\":\"" GKE "\",\"kind\":\"Cluster\",\"metadata\":{\"name\":\"nginx-asia\"}," \
	"\"spec\":{\"location\":\"" loc "\",\"autopilot\":{\"enabled\":false}}}"
#define CLUSTER_LIVE \
	"{\"apiVersion\":\"" GKE "\",\"kind\":\"Cluster\",\"metadata\":{\"name\":\"nginx-asia\"}," \
	"\"spec\":{\"initialNodeCount\":3,\"autopilot\":{}},\"endpoint\":\"10.0.0.1\",\"status\":\"RUNNING\"}"

#define DEPLOY(image, env) \
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},\"spec\":{" \
	"\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"spec\":{\"containers\":[" \
	"{\"name\":\"web\",\"image\":\"" image "\",\"env\":" env "},{\"name\":\"sidecar\",\"image\":\"envoy\"}]}}}}"
#define DEPLOY_LIVE_REORDERED \
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":1," \
	"\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"spec\":{\"containers\":[" \
	"{\"name\":\"sidecar\",\"image\":\"envoy\",\"imagePullPolicy\":\"Always\"}," \
	"{\"name\":\"web\",\"image\":\"nginx:1.25\",\"env\":[{\"name\":\"B\",\"value\":\"2\"},{\"name\":\"A\",\"value\":\"1\"}]}]}}}}"

#define SVC(port, extra) \
	"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"},\"spec\":{" extra \
	"\"ports\":[{\"port\":" port ",\"targetPort\":80}],\"type\":\"LoadBalancer\"}}"
#define SVC_LIVE \
	"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\",\"uid\":\"u\"},\"spec\":{" \
	"\"clusterIP\":\"34.118.230.17\",\"clusterIPs\":[\"34.118.230.17\"]," \
	"\"ports\":[{\"port\":80,\"targetPort\":\"80\",\"protocol\":\"TCP\",\"nodePort\":31734}],\"type\":\"LoadBalancer\"}," \
	"\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"35.1.2.3\"}]}}}"

#define CM(data) \
	"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\"},\"data\":" data "}"
#define CM_LABELED(labels, data) \
	"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\",\"labels\":" labels "},\"data\":" data "}"

#define CTR "spec.template.spec.containers"

static const struct diff_case cases[] = {
	{ "create: nothing applied, nothing live", "v1", "ReplicationController",
	  RC_LAST, NULL, NULL, NULL, IKC_ACTION_CREATE, "", "", "" },
	{ "create with unknowns is just a create", "v1", "ConfigMap",
	  CM("{\"ip\":\"@UNKNOWN@\"}"), NULL, NULL, NULL, IKC_ACTION_CREATE, "", "", "" },
	{ "delete: gone from the file", "v1", "ConfigMap",
	  NULL, CM("{\"a\":\"1\"}"), CM("{\"a\":\"1\"}"), NULL, IKC_ACTION_DELETE, "", "", "" },
	{ "server defaults and status are never changes", "v1", "ReplicationController",
	  RC_LAST, RC_LAST, RC_LIVE("2"), NULL, IKC_ACTION_NOOP, "", "", "" },
	{ "file changes replicas: one in-place update", "v1", "ReplicationController",
	  RC("3"), RC_LAST, RC_LIVE("2"), NULL, IKC_ACTION_UPDATE, "spec.replicas", "", "" },
	{ "fields gone from the file are removed", "v1", "ReplicationController",
	  "{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"metadata\":{\"name\":\"nginx\"},\"spec\":{\"replicas\":3}}",
	  RC_LAST, RC_LIVE("2"), NULL, IKC_ACTION_UPDATE, "spec.replicas spec.selector spec.template", "", "" },
	{ "drift is reported and the file's value restored", "v1", "ReplicationController",
	  RC_LAST, RC_LAST, RC_LIVE("4"), NULL, IKC_ACTION_UPDATE, "spec.replicas", "",
	  "spec.replicas" },
	{ "drift that the file now agrees with: no change", "v1", "ReplicationController",
	  RC("4"), RC_LAST, RC_LIVE("4"), NULL, IKC_ACTION_NOOP, "", "", "spec.replicas" },
	{ "ignore-changes: neither change nor drift", "v1", "ReplicationController",
	  RC_LAST, RC_LAST, RC_LIVE("5"), "spec.replicas", IKC_ACTION_NOOP, "", "", "" },
	{ "reordered containers and env are no change (merge keys)", "apps/v1", "Deployment",
	  DEPLOY("nginx:1.25", "[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]"),
	  DEPLOY("nginx:1.25", "[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]"),
	  DEPLOY_LIVE_REORDERED, NULL, IKC_ACTION_NOOP, "", "", "" },
	{ "changed image is found through the reordered list", "apps/v1", "Deployment",
	  DEPLOY("nginx:1.27", "[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"3\"}]"),
	  DEPLOY("nginx:1.25", "[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]"),
	  DEPLOY_LIVE_REORDERED, NULL, IKC_ACTION_UPDATE,
	  CTR "[0].image " CTR "[0].env[1].value", "", "" },
	{ "changed container port: new port added, old one removed", "v1", "ReplicationController",
	  "{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"metadata\":{\"name\":\"nginx\"},"
	  "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"ports\":[{\"containerPort\":8080}]}]}}}}",
	  RC_LAST, RC_LIVE("2"), NULL, IKC_ACTION_UPDATE,
	  CTR "[0].ports[0].containerPort " CTR "[0].ports[0] " CTR "[0].image "
	  "spec.template.metadata spec.replicas spec.selector", "", "" },
	{ "Service ports by port; int64 strings compare by value", "v1", "Service",
	  SVC("80", ""), SVC("80", ""), SVC_LIVE, NULL, IKC_ACTION_NOOP, "", "", "" },
	{ "Service port changed", "v1", "Service",
	  SVC("81", ""), SVC("80", ""), SVC_LIVE, NULL, IKC_ACTION_UPDATE,
	  "spec.ports[0].port spec.ports[0].targetPort spec.ports[0]", "", "" },
	{ "Service clusterIP is immutable", "v1", "Service",
	  SVC("80", "\"clusterIP\":\"10.0.0.9\","), SVC("80", ""), SVC_LIVE, NULL,
	  IKC_ACTION_REPLACE, "spec.clusterIP", "spec.clusterIP", "" },
	{ "Deployment selector is immutable", "apps/v1", "Deployment",
	  "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web2\"}}}}",
	  NULL, DEPLOY_LIVE_REORDERED, NULL, IKC_ACTION_REPLACE,
	  "spec.selector.matchLabels.app", "spec.selector.matchLabels.app", "" },
	{ "removal: last applied, gone from the file, still live", "v1", "ConfigMap",
	  CM_LABELED("{\"app\":\"x\"}", "{\"a\":\"1\"}"),
	  CM_LABELED("{\"app\":\"x\",\"tier\":\"web\"}", "{\"a\":\"1\",\"b\":\"2\"}"),
	  CM_LABELED("{\"app\":\"x\",\"tier\":\"web\"}", "{\"a\":\"1\",\"b\":\"2\"}"),
	  NULL, IKC_ACTION_UPDATE, "metadata.labels.tier data.b", "", "" },
	{ "removal already done live: nothing to do", "v1", "ConfigMap",
	  CM("{\"a\":\"1\"}"), CM("{\"a\":\"1\",\"b\":\"2\"}"), CM("{\"a\":\"1\"}"),
	  NULL, IKC_ACTION_NOOP, "", "", "data.b" },
	{ "int64 as string: nodeCount 2 == \"2\"", GKE, "NodePool",
	  POOL("2", SCOPES_A), POOL("2", SCOPES_A), POOL_LIVE("\"2\"", SCOPES_A), NULL,
	  IKC_ACTION_NOOP, "", "", "" },
	{ "nodeCount is changed in place", GKE, "NodePool",
	  POOL("3", SCOPES_A), POOL("2", SCOPES_A), POOL_LIVE("\"2\"", SCOPES_A), NULL,
	  IKC_ACTION_UPDATE, "spec.nodeCount", "", "" },
	{ "oauthScopes force replacement", GKE, "NodePool",
	  POOL("3", SCOPES_B), POOL("2", SCOPES_A), POOL_LIVE("2", SCOPES_A), NULL,
	  IKC_ACTION_REPLACE, "spec.nodeCount spec.config.oauthScopes",
	  "spec.config.oauthScopes", "" },
	{ "GKE oauthScopes are a set (order does not count)", GKE, "NodePool",
	  POOL("2", "[\"https://www.googleapis.com/auth/logging.write\",\"https://www.googleapis.com/auth/compute\"]"),
	  POOL("2", SCOPES_A), POOL_LIVE("2", SCOPES_A), NULL,
	  IKC_ACTION_NOOP, "", "", "" },
	{ "a GKE set that differs is a change", GKE, "NodePool",
	  POOL("2", "[\"https://www.googleapis.com/auth/logging.write\"]"),
	  POOL("2", SCOPES_A), POOL_LIVE("2", SCOPES_A), NULL,
	  IKC_ACTION_REPLACE, "spec.config.oauthScopes", "spec.config.oauthScopes", "" },
	{ "atomic lists of scalars compare as a whole (order counts)", "v1", "Pod",
	  "{\"spec\":{\"containers\":[{\"name\":\"app\",\"args\":[\"b\",\"a\"]}]}}", NULL,
	  "{\"spec\":{\"containers\":[{\"name\":\"app\",\"args\":[\"a\",\"b\"]}]}}", NULL,
	  IKC_ACTION_UPDATE, "spec.containers[0].args", "", "" },
	{ "list-type set from the schema: finalizers in another order", "v1", "ConfigMap",
	  "{\"metadata\":{\"name\":\"c\",\"finalizers\":[\"b.io/x\",\"a.io/y\"]}}", NULL,
	  "{\"metadata\":{\"name\":\"c\",\"finalizers\":[\"a.io/y\",\"b.io/x\"]}}", NULL,
	  IKC_ACTION_NOOP, "", "", "" },
	{ "Service ports match by their map keys (port, protocol defaulted)", "v1", "Service",
	  "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080},{\"port\":443}]}}", NULL,
	  "{\"spec\":{\"ports\":[{\"port\":443,\"protocol\":\"TCP\",\"targetPort\":443},"
	  "{\"port\":80,\"protocol\":\"TCP\",\"targetPort\":8080,\"nodePort\":31000}]}}", NULL,
	  IKC_ACTION_NOOP, "", "", "" },
	{ "container ports by key: another protocol on the same port is another port", "v1", "Pod",
	  "{\"spec\":{\"containers\":[{\"name\":\"app\",\"ports\":[{\"containerPort\":53,\"protocol\":\"UDP\"}]}]}}", NULL,
	  "{\"spec\":{\"containers\":[{\"name\":\"app\",\"ports\":[{\"containerPort\":53,\"protocol\":\"TCP\"}]}]}}", NULL,
	  IKC_ACTION_UPDATE, "spec.containers[0].ports[0].containerPort spec.containers[0].ports[0].protocol", "", "" },
	{ "stack-only location is not compared live; zero values equal absent", GKE, "Cluster",
	  CLUSTER("asia-east1-a"), CLUSTER("asia-east1-a"), CLUSTER_LIVE, NULL,
	  IKC_ACTION_NOOP, "", "", "" },
	{ "stack-only location compared with last applied", GKE, "Cluster",
	  CLUSTER("europe-west1-b"), CLUSTER("asia-east1-a"), CLUSTER_LIVE, NULL,
	  IKC_ACTION_REPLACE, "spec.location", "spec.location", "" },
	{ "unknown value counts as a change", "v1", "ConfigMap",
	  CM("{\"ip\":\"@UNKNOWN@\",\"port\":\"80\"}"), CM("{\"ip\":\"35.1.2.3\",\"port\":\"80\"}"),
	  CM("{\"ip\":\"35.1.2.3\",\"port\":80}"), NULL, IKC_ACTION_UPDATE, "data.ip", "", "" },
	{ "unknown value in a field that forces replacement: replace", GKE, "NodePool",
	  "{\"apiVersion\":\"" GKE "\",\"kind\":\"NodePool\",\"metadata\":{\"name\":\"p\"},"
	  "\"spec\":{\"config\":{\"serviceAccount\":\"@UNKNOWN@\"}}}",
	  NULL, "{\"apiVersion\":\"" GKE "\",\"kind\":\"NodePool\",\"metadata\":{\"name\":\"p\"},"
	  "\"spec\":{\"config\":{\"serviceAccount\":\"default\"}}}", NULL,
	  IKC_ACTION_REPLACE, "spec.config.serviceAccount", "spec.config.serviceAccount", "" },
	{ "new env var by name; positional tolerations shrink", "v1", "Pod",
	  "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"NEW\",\"value\":\"x\"}]}],"
	  "\"tolerations\":[{\"key\":\"a\"}]}}",
	  "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}],"
	  "\"tolerations\":[{\"key\":\"a\"},{\"key\":\"b\"}]}}",
	  "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}],"
	  "\"tolerations\":[{\"key\":\"a\"},{\"key\":\"b\"},{\"key\":\"server-added\"}]}}",
	  NULL, IKC_ACTION_UPDATE,
	  "spec.containers[0].env[1].name spec.containers[0].env[1].value spec.tolerations[1]", "", "" },
	{ "ignore-changes by schema path covers every element", "v1", "Pod",
	  "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x:2\"},{\"name\":\"b\",\"image\":\"y:2\"}]}}",
	  "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x:1\"},{\"name\":\"b\",\"image\":\"y:1\"}]}}",
	  "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x:0\"},{\"name\":\"b\",\"image\":\"y:0\"}]}}",
	  "spec.containers[].image", IKC_ACTION_NOOP, "", "", "" },
	{ "type change: live holds a scalar where the file has an object", "v1", "ConfigMap",
	  CM("{\"a\":\"1\"}"), NULL, CM("\"oops\""), NULL, IKC_ACTION_UPDATE, "data", "", "" },
	{ "an explicit null removes the field once", "v1", "ConfigMap",
	  CM("{\"a\":\"1\",\"b\":null}"), CM("{\"a\":\"1\",\"b\":\"2\"}"),
	  CM("{\"a\":\"1\",\"b\":\"2\"}"), NULL, IKC_ACTION_UPDATE, "data.b", "", "" },
	{ "gone live: created again, drift says gone", "v1", "ConfigMap",
	  CM("{\"a\":\"1\"}"), CM("{\"a\":\"1\"}"), NULL, NULL, IKC_ACTION_CREATE, "", "", "GONE" },
};

/* Replaces "@UNKNOWN@" strings with IKC_UNKNOWN_VALUE. */
static json_object *mark_unknown(json_object *v)
{
	size_t i, n;

	if (json_object_is_type(v, json_type_string) &&
	    !strcmp(json_object_get_string(v), "@UNKNOWN@"))
		return json_object_new_string(IKC_UNKNOWN_VALUE);
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, sub) {
			json_object *r = mark_unknown(sub);

			if (r != sub)
				json_object_object_add(v, k, r);
		}
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			json_object *sub = json_object_array_get_idx(v, i);
			json_object *r = mark_unknown(sub);

			if (r != sub)
				json_object_array_put_idx(v, i, r);
		}
	}
	return v;
}

static json_object *parse(const char *text)
{
	json_object *v = NULL;

	if (!text)
		return NULL;
	assert_int_equal(0, ikc_json_parse(&v, text, strlen(text), "case"));
	return mark_unknown(v);
}

static char *join_paths(const ikc_field_change *f, size_t n)
{
	ikc_buf b = IKC_BUF_INIT(1 << 16);
	size_t i;

	assert_int_equal(0, ikc_buf_puts(&b, ""));
	for (i = 0; i < n; i++)
		assert_int_equal(0, ikc_buf_printf(&b, "%s%s", i ? " " : "", f[i].path));
	return ikc_buf_detach(&b);
}

static char *join_strv(char **v, size_t n)
{
	ikc_buf b = IKC_BUF_INIT(1 << 16);
	size_t i;

	assert_int_equal(0, ikc_buf_puts(&b, ""));
	for (i = 0; i < n; i++)
		assert_int_equal(0, ikc_buf_printf(&b, "%s%s", i ? " " : "", v[i]));
	return ikc_buf_detach(&b);
}

static void setup_input(ikc_diff_input *in, const struct diff_case *c,
			const char **ignore)
{
	memset(in, 0, sizeof(*in));
	in->hints = strcmp(c->api_version, GKE) ? ikc_kubernetes_hints() :
						  ikc_gke_hints();
	in->api_version = c->api_version;
	in->kind = c->kind;
	in->desired = parse(c->desired);
	in->last = parse(c->last);
	in->live = parse(c->live);
	in->schema = ikc_schema_shipped(strcmp(c->api_version, GKE) ?
					IKC_PROVIDER_KUBERNETES : IKC_PROVIDER_GKE);
	in->schema_root = ikc_schema_resource(in->schema, in->hints,
					      c->api_version, c->kind);
	if (c->ignore) {
		ignore[0] = c->ignore;
		in->ignore = ignore;
		in->nignore = 1;
	}
}

static void test_planner_diff__table(void **state)
{
	size_t i, failures = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct diff_case *c = &cases[i];
		const char *ignore[1];
		ikc_diff_input in;
		ikc_change ch;
		ikc_drift d;
		char *paths, *replace, *drift;

		setup_input(&in, c, ignore);
		memset(&ch, 0, sizeof(ch));
		memset(&d, 0, sizeof(d));
		assert_int_equal(0, ikc_diff_resource(&ch, &d, &in));
		paths = join_paths(ch.fields, ch.nfields);
		replace = join_strv(ch.replace_paths, ch.nreplace_paths);
		drift = d.gone ? strdup("GONE") : join_paths(d.fields, d.nfields);
		if (ch.action != c->action || strcmp(paths, c->paths) ||
		    strcmp(replace, c->replace) || strcmp(drift, c->drift)) {
			print_error("case \"%s\":\n  action  %s (want %s)\n  paths   [%s] (want [%s])\n"
				    "  replace [%s] (want [%s])\n  drift   [%s] (want [%s])\n",
				    c->name, ikc_action_name(ch.action),
				    ikc_action_name(c->action), paths, c->paths,
				    replace, c->replace, drift, c->drift);
			failures++;
		}
		free(paths);
		free(replace);
		free(drift);
		ikc_change_clear(&ch);
		ikc_drift_clear(&d);
		json_object_put(in.desired);
		json_object_put(in.last);
		json_object_put(in.live);
	}
	assert_int_equal(0, failures);
}

/* Before and after of the fields, not only their paths. */
static void test_planner_diff__values_of_changes_and_drift(void **state)
{
	const char *ignore[1];
	ikc_diff_input in;
	ikc_change ch;
	ikc_drift d;
	struct diff_case c = { "values", "v1", "ReplicationController",
		RC_LAST, RC_LAST, RC_LIVE("\"4\""), NULL, IKC_ACTION_UPDATE, "", "", "" };

	(void)state;
	setup_input(&in, &c, ignore);
	memset(&ch, 0, sizeof(ch));
	memset(&d, 0, sizeof(d));
	assert_int_equal(0, ikc_diff_resource(&ch, &d, &in));
	assert_int_equal(1, ch.nfields);
	assert_string_equal("spec.replicas", ch.fields[0].path);
	assert_string_equal("4", json_object_get_string(ch.fields[0].before));
	assert_int_equal(2, json_object_get_int(ch.fields[0].after));
	assert_false(ch.fields[0].forces_replacement);
	assert_int_equal(1, d.nfields);
	assert_int_equal(2, json_object_get_int(d.fields[0].before));   /* last applied */
	assert_string_equal("4", json_object_get_string(d.fields[0].after));  /* live */
	ikc_change_clear(&ch);
	ikc_drift_clear(&d);
	json_object_put(in.desired);
	json_object_put(in.last);
	json_object_put(in.live);
}

static void test_planner_diff__unknown_after_and_removal_values(void **state)
{
	const char *ignore[1];
	ikc_diff_input in;
	ikc_change ch;
	struct diff_case c = { "unknown", "v1", "ConfigMap",
		CM("{\"ip\":\"@UNKNOWN@\"}"), CM("{\"ip\":\"1.2.3.4\",\"old\":\"x\"}"),
		CM("{\"ip\":\"1.2.3.4\",\"old\":\"x\"}"), NULL, IKC_ACTION_UPDATE, "", "", "" };

	(void)state;
	setup_input(&in, &c, ignore);
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(0, ikc_diff_resource(&ch, NULL, &in));
	assert_int_equal(2, ch.nfields);
	assert_string_equal("data.ip", ch.fields[0].path);
	assert_true(ikc_diff__is_unknown(ch.fields[0].after));
	assert_string_equal("1.2.3.4", json_object_get_string(ch.fields[0].before));
	assert_string_equal("data.old", ch.fields[1].path);
	assert_null(ch.fields[1].after);
	assert_string_equal("x", json_object_get_string(ch.fields[1].before));
	ikc_change_clear(&ch);
	json_object_put(in.desired);
	json_object_put(in.last);
	json_object_put(in.live);
}

static void test_planner_diff__hints(void **state)
{
	const ikc_provider_hints *g = ikc_gke_hints(), *k = ikc_kubernetes_hints();

	(void)state;
	assert_string_equal("gke", g->name);
	assert_true(g->forces_replacement(GKE, "NodePool", "spec.config.oauthScopes"));
	assert_true(g->forces_replacement(GKE, "NodePool", "spec.maxPodsConstraint.maxPodsPerNode"));
	assert_false(g->forces_replacement(GKE, "NodePool", "spec.config.machineType"));
	assert_false(g->forces_replacement(GKE, "NodePool", "spec.nodeCount"));
	assert_false(g->forces_replacement(GKE, "NodePool", "spec.autoscaling.maxNodeCount"));
	assert_true(g->forces_replacement(GKE, "Cluster", "spec.ipAllocationPolicy.useIpAliases"));
	assert_true(g->forces_replacement(GKE, "Cluster", "spec.network"));
	assert_false(g->forces_replacement(GKE, "Cluster", "spec.networkPolicy"));
	assert_false(g->forces_replacement(GKE, "Cluster", "spec.releaseChannel.channel"));
	assert_false(g->forces_replacement(GKE, "Cluster", "spec.resourceLabels.team"));
	assert_true(g->stack_only(GKE, "NodePool", "spec.cluster"));
	assert_true(g->stack_only(GKE, "Cluster", "spec.location"));
	assert_false(g->stack_only(GKE, "Cluster", "spec.locations"));
	assert_string_equal("kubernetes", k->name);
	assert_true(k->forces_replacement("v1", "ConfigMap", "metadata.name"));
	assert_true(k->forces_replacement("batch/v1", "Job", "spec.template.spec.containers[].image"));
	assert_false(k->forces_replacement("apps/v1", "Deployment", "spec.template.spec.containers[].image"));
	assert_false(k->forces_replacement("v1", "ReplicationController", "spec.selector.app"));
	assert_true(k->forces_replacement("apps/v1", "StatefulSet", "spec.serviceName"));
	assert_string_equal("name", k->merge_key("v1", "Pod", "spec.containers"));
	assert_string_equal("name", k->merge_key("apps/v1", "Deployment", "spec.template.spec.initContainers"));
	assert_string_equal("containerPort", k->merge_key("v1", "ReplicationController",
							  "spec.template.spec.containers[].ports"));
	assert_string_equal("mountPath", k->merge_key("apps/v1", "Deployment",
						      "spec.template.spec.containers[].volumeMounts"));
	assert_string_equal("name", k->merge_key("batch/v1", "CronJob",
						 "spec.jobTemplate.spec.template.spec.initContainers[].env"));
	assert_string_equal("port", k->merge_key("v1", "Service", "spec.ports"));
	assert_null(k->merge_key("v1", "Pod", "spec.tolerations"));
	assert_null(k->merge_key("v1", "Endpoints", "spec.ports"));
}

/* ---- properties over generated values ---- */

static unsigned long long rng_state = 0x2545f4914f6cdd1dULL;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* A random value shaped like a manifest: objects, keyed lists, scalars. */
static json_object *gen(int depth)
{
	static const char *const keys[] = { "name", "port", "image", "spec", "ports",
		"containers", "env", "value", "replicas", "labels" };
	unsigned k = depth > 3 ? rnd(4) : rnd(7);
	json_object *v;
	unsigned i, n;
	char buf[32];

	switch (k) {
	case 0:
		return json_object_new_int((int)rnd(4));
	case 1:
		snprintf(buf, sizeof(buf), "s%u", rnd(3));
		return json_object_new_string(buf);
	case 2:
		return json_object_new_boolean((int)rnd(2));
	case 3:
		snprintf(buf, sizeof(buf), "%u", rnd(4));
		return json_object_new_string(buf);   /* int64 as a string */
	case 4:
	case 5:
		v = json_object_new_object();
		n = rnd(4);
		for (i = 0; i < n; i++)
			json_object_object_add(v, keys[rnd(10)], gen(depth + 1));
		return v;
	default:
		v = json_object_new_array();
		n = rnd(4);
		for (i = 0; i < n; i++) {
			json_object *e = rnd(3) ? json_object_new_object() : gen(depth + 1);

			if (json_object_is_type(e, json_type_object))
				json_object_object_add(e, rnd(2) ? "name" : "port", gen(9));
			json_object_array_add(v, e);
		}
		return v;
	}
}

static void test_planner_diff__generated_values(void **state)
{
	static const char *const kinds[] = { "Pod", "Service", "Deployment" };
	const char *ignore[1] = { "spec.labels" };
	int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		json_object *a = json_object_new_object(), *b, *c;
		ikc_diff_input in;
		ikc_change ch;
		ikc_drift d;

		json_object_object_add(a, "spec", gen(0));
		b = gen(0);
		c = rnd(2) ? ikc_json_copy(a) : gen(0);
		memset(&in, 0, sizeof(in));
		in.hints = round % 5 ? ikc_kubernetes_hints() : ikc_gke_hints();
		in.api_version = "v1";
		in.kind = round % 5 ? kinds[rnd(3)] : "NodePool";
		in.ignore = ignore;
		in.nignore = rnd(2);

		/* Identical desired, last applied and live: nothing to do, no drift. */
		in.desired = a;
		in.last = a;
		in.live = a;
		memset(&ch, 0, sizeof(ch));
		memset(&d, 0, sizeof(d));
		assert_int_equal(0, ikc_diff_resource(&ch, &d, &in));
		assert_int_equal(IKC_ACTION_NOOP, ch.action);
		assert_int_equal(0, ch.nfields);
		assert_int_equal(0, d.nfields);
		ikc_change_clear(&ch);
		ikc_drift_clear(&d);

		/* Anything against anything: no crash, paths always set. */
		in.last = json_object_is_type(b, json_type_object) ? b : NULL;
		in.live = json_object_is_type(c, json_type_object) ? c : a;
		assert_int_equal(0, ikc_diff_resource(&ch, &d, &in));
		if (ch.nfields)
			assert_non_null(ch.fields[ch.nfields - 1].path);
		ikc_change_clear(&ch);
		ikc_drift_clear(&d);
		json_object_put(a);
		json_object_put(b);
		json_object_put(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planner_diff__table),
		cmocka_unit_test(test_planner_diff__values_of_changes_and_drift),
		cmocka_unit_test(test_planner_diff__unknown_after_and_removal_values),
		cmocka_unit_test(test_planner_diff__hints),
		cmocka_unit_test(test_planner_diff__generated_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
