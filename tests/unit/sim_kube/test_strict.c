/* test_strict.c - the sim defaults, normalises and rejects as a real API server: one test per rule */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#define SECRETS "/api/v1/namespaces/default/secrets"
#define CMS "/api/v1/namespaces/default/configmaps"
#define SVCS "/api/v1/namespaces/default/services"
#define DEPLOYS "/apis/apps/v1/namespaces/default/deployments"
#define RCS "/api/v1/namespaces/default/replicationcontrollers"
#define HPAS "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"
#define NSS "/api/v1/namespaces"

static json_object *post(sim_kube *k, const char *path, const char *body, int want)
{
	int st;
	json_object *o = call(k, "POST", path, NULL, "application/json", body, &st);

	if (st != want)
		fail_msg("POST %s: %d, wanted %d: %s", path, st, want,
			 o ? json_object_to_json_string(o) : "(no body)");
	return o;
}

/*
 * A 422 Invalid Status of kind `kind`, with a cause at `field` whose
 * message holds `msg`; the Status message names both.
 */
static void expect_invalid(sim_kube *k, const char *path, const char *body,
			   const char *kind, const char *field, const char *msg)
{
	json_object *o = post(k, path, body, 422), *causes;
	size_t i, n;
	int found = 0;

	assert_string_equal("Status", str(o, "kind"));
	assert_string_equal("Failure", str(o, "status"));
	assert_string_equal("Invalid", str(o, "reason"));
	assert_int_equal(422, num(o, "code"));
	assert_string_equal(kind, str(o, "details.kind"));
	assert_non_null(strstr(str(o, "message"), " is invalid: "));
	assert_non_null(strstr(str(o, "message"), field));
	causes = ikc_json_path(o, "details.causes");
	n = causes ? json_object_array_length(causes) : 0;
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(causes, i);

		if (!strcmp(str(c, "field"), field) && strstr(str(c, "message"), msg) &&
		    !strncmp(str(c, "reason"), "FieldValue", 10))
			found = 1;
	}
	if (!found)
		fail_msg("no cause %s: %s in %s", field, msg, json_object_to_json_string(o));
	json_object_put(o);
}

/* A 400 BadRequest whose message holds `msg`. */
static void expect_bad(sim_kube *k, const char *path, const char *body, const char *msg)
{
	json_object *o = post(k, path, body, 400);

	assert_string_equal("BadRequest", str(o, "reason"));
	if (!strstr(str(o, "message"), msg))
		fail_msg("message %s lacks %s", str(o, "message"), msg);
	json_object_put(o);
}

/* head + n copies of `fill` + tail, owned: bodies past the API's size limits. */
static char *big_body(const char *head, size_t n, char fill, const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	char *body = malloc(h + n + t + 1);

	assert_non_null(body);
	memcpy(body, head, h);
	memset(body + h, fill, n);
	memcpy(body + h + n, tail, t + 1);
	return body;
}

static json_object *get(sim_kube *k, const char *path)
{
	int st;
	json_object *o = call(k, "GET", path, NULL, NULL, NULL, &st);

	assert_int_equal(200, st);
	return o;
}

/* ---- Secret ---- */

static void test_sim_kube_strict__secret_string_data_folded(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	/* "hello" -> aGVsbG8=; stringData wins over data for the same key */
	o = post(k, SECRETS, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
		 "{\"name\":\"s\"},\"data\":{\"a\":\"eA==\",\"b\":\"eQ==\"},"
		 "\"stringData\":{\"a\":\"hello\",\"c\":\"\"}}", 201);
	assert_null(ikc_json_path(o, "stringData"));
	assert_string_equal("aGVsbG8=", str(o, "data.a"));
	assert_string_equal("eQ==", str(o, "data.b"));
	assert_string_equal("", str(o, "data.c"));
	assert_string_equal("Opaque", str(o, "type"));
	json_object_put(o);
	o = get(k, SECRETS "/s");
	assert_null(ikc_json_path(o, "stringData"));
	assert_string_equal("aGVsbG8=", str(o, "data.a"));
	json_object_put(o);
	/* a patch with stringData is folded the same way */
	o = call(k, "PATCH", SECRETS "/s", NULL, "application/merge-patch+json",
		 "{\"stringData\":{\"b\":\"hi\"}}", &st);
	assert_int_equal(200, st);
	assert_null(ikc_json_path(o, "stringData"));
	assert_string_equal("aGk=", str(o, "data.b"));
	json_object_put(o);
	/* so is a list */
	o = get(k, SECRETS);
	assert_null(ikc_json_path(o, "items[0].stringData"));
	json_object_put(o);
}

static void test_sim_kube_strict__secret_data_must_be_base64(void **state)
{
	sim_kube *k = *state;

	expect_bad(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"data\":{\"a\":\"abc!\"}}",
		   "Secret in version \"v1\" cannot be handled as a Secret: "
		   "illegal base64 data at input byte 3");
	expect_bad(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"data\":{\"a\":\"abc\"}}",
		   "illegal base64 data at input byte 0");
	expect_bad(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"data\":{\"a\":\"aGk=aGk=\"}}",
		   "illegal base64 data at input byte 4");
	expect_bad(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"stringData\":{\"a\":1}}",
		   "Secret.stringData of type string");
	/* line breaks are allowed, as the server's decoder skips them */
	json_object_put(post(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"data\":"
			     "{\"a\":\"aGVs\\nbG8=\"}}", 201));
}

static void test_sim_kube_strict__secret_keys(void **state)
{
	sim_kube *k = *state;

	expect_invalid(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"data\":{\"bad key\":\"eA==\"}}",
		       "Secret", "data[bad key]",
		       "Invalid value: \"bad key\": a valid config key must consist of "
		       "alphanumeric characters, '-', '_' or '.'");
	/* stringData keys are data keys once folded */
	expect_invalid(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"stringData\":{\"a/b\":\"x\"}}",
		       "Secret", "data[a/b]", "regex used for validation is '[-._a-zA-Z0-9]+'");
	expect_invalid(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"data\":{\"..x\":\"eA==\"}}",
		       "Secret", "data[..x]", "must not start with '..'");
	expect_invalid(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"data\":{\".\":\"eA==\"}}",
		       "Secret", "data[.]", "must not be '.'");
	json_object_put(post(k, SECRETS, "{\"metadata\":{\"name\":\"s\"},\"data\":"
			     "{\"-._aZ09\":\"eA==\"}}", 201));
}

static void test_sim_kube_strict__secret_size_type_immutable(void **state)
{
	sim_kube *k = *state;
	char *body = big_body("{\"metadata\":{\"name\":\"big\"},\"data\":{\"a\":\"",
			      1048576 / 3 * 4 + 8, 'A', "\"}}");
	json_object *o;
	int st;

	expect_invalid(k, SECRETS, body, "Secret", "data", "Too long: must have at most 1048576 bytes");
	free(body);
	expect_invalid(k, SECRETS, "{\"metadata\":{\"name\":\"t\"},\"type\":\"kubernetes.io/tls\","
		       "\"data\":{\"tls.crt\":\"eA==\"}}", "Secret", "data[tls.key]", "Required value");
	json_object_put(post(k, SECRETS, "{\"metadata\":{\"name\":\"i\"},\"immutable\":true,"
			     "\"data\":{\"a\":\"eA==\"}}", 201));
	o = call(k, "PATCH", SECRETS "/i", NULL, "application/merge-patch+json",
		 "{\"data\":{\"a\":\"eQ==\"}}", &st);
	assert_int_equal(422, st);
	assert_string_equal("FieldValueForbidden", str(o, "details.causes[0].reason"));
	json_object_put(o);
	o = call(k, "PATCH", SECRETS "/i", NULL, "application/merge-patch+json",
		 "{\"type\":\"example.com/other\"}", &st);
	assert_int_equal(422, st);
	assert_string_equal("type", str(o, "details.causes[0].field"));
	json_object_put(o);
}

static void test_sim_kube_strict__configmap_keys(void **state)
{
	sim_kube *k = *state;
	char *body;

	expect_invalid(k, CMS, "{\"metadata\":{\"name\":\"c\"},\"data\":{\"a b\":\"x\"}}",
		       "ConfigMap", "data[a b]", "a valid config key");
	expect_invalid(k, CMS, "{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"x\"},"
		       "\"binaryData\":{\"a\":\"eA==\"}}", "ConfigMap", "data[a]",
		       "duplicate of key present in binaryData");
	expect_bad(k, CMS, "{\"metadata\":{\"name\":\"c\"},\"binaryData\":{\"a\":\"%%\"}}",
		   "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: illegal base64");
	body = big_body("{\"metadata\":{\"name\":\"big\"},\"data\":{\"a\":\"", 1048576, 'x',
			"\"}}");
	expect_invalid(k, CMS, body, "ConfigMap", "", "Too long: must have at most 1048576 bytes");
	free(body);
}

/* ---- quantities ---- */

#define DEPLOY(name, res, extra) \
	"{\"metadata\":{\"name\":\"" name "\"},\"spec\":{\"selector\":{\"matchLabels\":" \
	"{\"app\":\"w\"}}," extra "\"template\":{\"metadata\":{\"labels\":{\"app\":\"w\"}}," \
	"\"spec\":{\"containers\":[{\"name\":\"w\",\"image\":\"nginx:1.25\"," \
	"\"resources\":" res "}]}}}}"

static void test_sim_kube_strict__quantities_canonical(void **state)
{
	sim_kube *k = *state;
	json_object *o;

	o = post(k, DEPLOYS, DEPLOY("q", "{\"limits\":{\"cpu\":\"1000m\",\"memory\":\"1024Mi\"},"
				    "\"requests\":{\"cpu\":0.5,\"memory\":\"0.5Gi\"}}", ""), 201);
	assert_string_equal("1", str(o, "spec.template.spec.containers[0].resources.limits.cpu"));
	assert_string_equal("1Gi", str(o, "spec.template.spec.containers[0].resources.limits.memory"));
	assert_string_equal("500m", str(o, "spec.template.spec.containers[0].resources.requests.cpu"));
	assert_string_equal("512Mi",
			    str(o, "spec.template.spec.containers[0].resources.requests.memory"));
	json_object_put(o);
	o = post(k, HPAS, "{\"metadata\":{\"name\":\"h\"},\"spec\":{\"scaleTargetRef\":"
		 "{\"kind\":\"Deployment\",\"name\":\"q\",\"apiVersion\":\"apps/v1\"},"
		 "\"maxReplicas\":3,\"metrics\":[{\"type\":\"Resource\",\"resource\":"
		 "{\"name\":\"memory\",\"target\":{\"type\":\"AverageValue\","
		 "\"averageValue\":\"1024000\"}}}]}}", 201);
	assert_string_equal("1024k", str(o, "spec.metrics[0].resource.target.averageValue"));
	json_object_put(o);
}

static void test_sim_kube_strict__quantities_rejected(void **state)
{
	sim_kube *k = *state;

	expect_bad(k, DEPLOYS, DEPLOY("q", "{\"limits\":{\"cpu\":\"one\"}}", ""),
		   "Deployment in version \"v1\" cannot be handled as a Deployment: quantities "
		   "must match the regular expression "
		   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
	expect_bad(k, DEPLOYS, DEPLOY("q", "{\"limits\":{\"memory\":\"1K\"}}", ""),
		   "unable to parse quantity's suffix");
	expect_invalid(k, DEPLOYS, DEPLOY("q", "{\"limits\":{\"cpu\":\"-1\"}}", ""), "Deployment",
		       "spec.template.spec.containers[0].resources.limits[cpu]",
		       "Invalid value: \"-1\": must be greater than or equal to 0");
	expect_invalid(k, DEPLOYS, DEPLOY("q", "{\"limits\":{\"cpu\":\"1\"},\"requests\":"
					  "{\"cpu\":\"1500m\"}}", ""), "Deployment",
		       "spec.template.spec.containers[0].resources.requests",
		       "Invalid value: \"1500m\": must be less than or equal to cpu limit of 1");
	expect_invalid(k, DEPLOYS, DEPLOY("q", "{\"limits\":{\"gpu\":\"1\"}}", ""), "Deployment",
		       "spec.template.spec.containers[0].resources.limits[gpu]",
		       "must be a standard resource type or fully qualified");
}

/* ---- int-or-string ports ---- */

#define SVC(port) \
	"{\"metadata\":{\"name\":\"web\"},\"spec\":{\"selector\":{\"app\":\"w\"}," \
	"\"ports\":[{\"port\":80,\"targetPort\":" port "}]}}"

static void test_sim_kube_strict__target_port(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	expect_invalid(k, SVCS, SVC("\"80\""), "Service", "spec.ports[0].targetPort",
		       "Invalid value: \"80\": must contain at least one letter (a-z)");
	expect_invalid(k, SVCS, SVC("70000"), "Service", "spec.ports[0].targetPort",
		       "Invalid value: 70000: must be between 1 and 65535, inclusive");
	expect_invalid(k, SVCS, SVC("\"Http--web-port-x\""), "Service", "spec.ports[0].targetPort",
		       "must be no more than 15 characters");
	expect_bad(k, SVCS, SVC("true"), "intstr.IntOrString");
	o = post(k, SVCS, SVC("8080"), 201);
	assert_true(json_object_is_type(ikc_json_path(o, "spec.ports[0].targetPort"),
					json_type_int));
	json_object_put(o);
	o = call(k, "DELETE", SVCS "/web", NULL, NULL, NULL, &st);
	json_object_put(o);
	o = post(k, SVCS, SVC("\"http\""), 201);
	assert_string_equal("http", str(o, "spec.ports[0].targetPort"));
	json_object_put(o);
	expect_invalid(k, SVCS, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"ports\":[{\"port\":80,"
		       "\"protocol\":\"HTTP\"}]}}", "Service", "spec.ports[0].protocol",
		       "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
	expect_invalid(k, RCS, "{\"metadata\":{\"name\":\"r\"},\"spec\":{\"selector\":{\"a\":\"b\"},"
		       "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":"
		       "[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":80,\"name\":"
		       "\"80\"}],\"readinessProbe\":{\"httpGet\":{\"port\":0}}}]}}}}",
		       "ReplicationController",
		       "spec.template.spec.containers[0].ports[0].name",
		       "must contain at least one letter (a-z)");
	expect_invalid(k, RCS, "{\"metadata\":{\"name\":\"r\"},\"spec\":{\"selector\":{\"a\":\"b\"},"
		       "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":"
		       "[{\"name\":\"c\",\"image\":\"i\",\"readinessProbe\":{\"httpGet\":"
		       "{\"port\":0}}}]}}}}", "ReplicationController",
		       "spec.template.spec.containers[0].readinessProbe.httpGet.port",
		       "must be between 1 and 65535, inclusive");
}

static void test_sim_kube_strict__rolling_update(void **state)
{
	sim_kube *k = *state;

	expect_invalid(k, DEPLOYS, DEPLOY("r", "{}", "\"strategy\":{\"rollingUpdate\":"
					  "{\"maxSurge\":\"abc\"}},"), "Deployment",
		       "spec.strategy.rollingUpdate.maxSurge",
		       "a valid percent string must be a numeric string followed by an ending '%'");
	expect_invalid(k, DEPLOYS, DEPLOY("r", "{}", "\"strategy\":{\"rollingUpdate\":"
					  "{\"maxSurge\":0,\"maxUnavailable\":\"0%\"}},"),
		       "Deployment", "spec.strategy.rollingUpdate.maxUnavailable",
		       "may not be 0 when `maxSurge` is 0");
	expect_bad(k, DEPLOYS, DEPLOY("r", "{}", "\"strategy\":{\"rollingUpdate\":"
				      "{\"maxSurge\":[1]}},"), "intstr.IntOrString");
}

#define POD(container) \
	"{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[" container "]}}"
#define PODS "/api/v1/namespaces/default/pods"

static void test_sim_kube_strict__containers(void **state)
{
	sim_kube *k = *state;

	expect_invalid(k, PODS, POD("{\"name\":\"Web\",\"image\":\"i\"}"), "Pod",
		       "spec.containers[0].name", "Invalid value: \"Web\": a lowercase RFC 1123 label");
	expect_invalid(k, PODS, POD("{\"name\":\"w\",\"image\":\"i\",\"env\":[{\"name\":"
				    "\"1X\",\"value\":\"v\"}]}"), "Pod", "spec.containers[0].env[0].name",
		       "a valid environment variable name must consist of alphabetic characters");
	expect_invalid(k, PODS, POD("{\"name\":\"w\",\"image\":\"i\",\"imagePullPolicy\":"
				    "\"Sometimes\"}"), "Pod", "spec.containers[0].imagePullPolicy",
		       "Unsupported value: \"Sometimes\": supported values: \"Always\", "
		       "\"IfNotPresent\", \"Never\"");
	expect_invalid(k, SVCS, "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"ports\":[{\"port\":80}],"
		       "\"sessionAffinity\":\"Sticky\"}}", "Service", "spec.sessionAffinity",
		       "Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"");
	json_object_put(post(k, PODS, POD("{\"name\":\"w-1\",\"image\":\"i\",\"env\":[{\"name\":"
					  "\"MY_ENV.name-1\",\"value\":\"v\"}]}"), 201));
}

/* ---- managedFields ---- */

static void test_sim_kube_strict__managed_fields(void **state)
{
	sim_kube *k = *state;
	json_object *o, *mf;
	const char *rv;
	char *rv1;
	int st;

	o = call(k, "POST", CMS, "fieldManager=ikc", "application/json",
		 "{\"metadata\":{\"name\":\"m\",\"labels\":{\"a\":\"1\"}},"
		 "\"data\":{\"x\":\"1\",\"y\":\"2\"}}", &st);
	assert_int_equal(201, st);
	assert_string_equal("ikc", str(o, "metadata.managedFields[0].manager"));
	assert_string_equal("Update", str(o, "metadata.managedFields[0].operation"));
	assert_string_equal("FieldsV1", str(o, "metadata.managedFields[0].fieldsType"));
	assert_string_equal("v1", str(o, "metadata.managedFields[0].apiVersion"));
	assert_int_equal(20, strlen(str(o, "metadata.managedFields[0].time")));
	assert_non_null(ikc_json_path(o, "metadata.managedFields[0].fieldsV1.f:data.f:x"));
	assert_non_null(ikc_json_path(o, "metadata.managedFields[0].fieldsV1.f:metadata.f:labels.f:a"));
	/* the server's own metadata is nobody's */
	assert_null(ikc_json_path(o, "metadata.managedFields[0].fieldsV1.f:metadata.f:name"));
	json_object_put(o);
	/* another manager takes what it changes */
	o = call(k, "PATCH", CMS "/m", "fieldManager=kubectl-edit", "application/merge-patch+json",
		 "{\"data\":{\"x\":\"9\"}}", &st);
	assert_int_equal(200, st);
	mf = ikc_json_path(o, "metadata.managedFields");
	assert_int_equal(2, json_object_array_length(mf));
	assert_null(ikc_json_path(o, "metadata.managedFields[0].fieldsV1.f:data.f:x"));
	assert_non_null(ikc_json_path(o, "metadata.managedFields[0].fieldsV1.f:data.f:y"));
	assert_string_equal("kubectl-edit", str(o, "metadata.managedFields[1].manager"));
	assert_non_null(ikc_json_path(o, "metadata.managedFields[1].fieldsV1.f:data.f:x"));
	rv1 = strdup(str(o, "metadata.resourceVersion"));
	json_object_put(o);
	/* a write that changes nothing changes nothing, managedFields included */
	o = call(k, "PATCH", CMS "/m", "fieldManager=third", "application/merge-patch+json",
		 "{\"data\":{\"x\":\"9\"}}", &st);
	assert_int_equal(200, st);
	rv = str(o, "metadata.resourceVersion");
	assert_string_equal(rv1, rv);
	assert_int_equal(2, json_object_array_length(ikc_json_path(o, "metadata.managedFields")));
	free(rv1);
	json_object_put(o);
	/* a manager left with nothing is dropped */
	o = call(k, "PUT", CMS "/m", "fieldManager=kubectl-replace", "application/json",
		 "{\"metadata\":{\"name\":\"m\"},\"data\":{\"z\":\"3\"}}", &st);
	assert_int_equal(200, st);
	assert_int_equal(1, json_object_array_length(ikc_json_path(o, "metadata.managedFields")));
	assert_string_equal("kubectl-replace", str(o, "metadata.managedFields[0].manager"));
	json_object_put(o);
}

/* ---- labels, annotations, names ---- */

#define CM_META(meta) "{\"metadata\":{\"name\":\"m\"," meta "}}"

static void test_sim_kube_strict__labels(void **state)
{
	sim_kube *k = *state;

	expect_invalid(k, CMS, CM_META("\"labels\":{\"bad key\":\"v\"}"), "ConfigMap",
		       "metadata.labels", "Invalid value: \"bad key\": name part must consist of "
		       "alphanumeric characters");
	expect_invalid(k, CMS, CM_META("\"labels\":{\"k\":\"bad value!\"}"), "ConfigMap",
		       "metadata.labels", "Invalid value: \"bad value!\": a valid label must be an "
		       "empty string or consist of alphanumeric characters");
	expect_invalid(k, CMS, CM_META("\"labels\":{\"k\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				       "aaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"), "ConfigMap",
		       "metadata.labels", "must be no more than 63 characters");
	expect_invalid(k, CMS, CM_META("\"labels\":{\"Example.com/k\":\"v\"}"), "ConfigMap",
		       "metadata.labels", "prefix part a lowercase RFC 1123 subdomain");
	expect_invalid(k, CMS, CM_META("\"labels\":{\"a/b/c\":\"v\"}"), "ConfigMap",
		       "metadata.labels", "with an optional DNS subdomain prefix and '/'");
	expect_invalid(k, RCS, "{\"metadata\":{\"name\":\"r\"},\"spec\":{\"selector\":"
		       "{\"a\":\"b c\"},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b c\"}},"
		       "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}",
		       "ReplicationController", "spec.template.metadata.labels",
		       "a valid label must be an empty string");
	/* empty values and prefixed keys are fine */
	json_object_put(post(k, CMS, CM_META("\"labels\":{\"example.com/k_1.x\":\"\","
					     "\"app.kubernetes.io/managed-by\":\"ikc\"}"), 201));
}

static void test_sim_kube_strict__annotations(void **state)
{
	sim_kube *k = *state;
	char *body = big_body("{\"metadata\":{\"name\":\"m\",\"annotations\":{\"a\":\"",
			      262144, 'x', "\"}}}");

	expect_invalid(k, CMS, CM_META("\"annotations\":{\"bad key\":\"v\"}"), "ConfigMap",
		       "metadata.annotations", "name part must consist of alphanumeric characters");
	expect_invalid(k, CMS, body, "ConfigMap", "metadata.annotations",
		       "Too long: must have at most 262144 bytes");
	free(body);
	/* upper case keys and any value are fine in annotations */
	json_object_put(post(k, CMS, CM_META("\"annotations\":{\"Example.com/Note\":\"any text!\"}"),
			     201));
}

static void test_sim_kube_strict__names(void **state)
{
	sim_kube *k = *state;
	char body[1024], name[300];

	memset(name, 'a', 254);
	name[254] = '\0';
	snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"%s\"}}", name);
	expect_invalid(k, CMS, body, "ConfigMap", "metadata.name",
		       "must be no more than 253 characters");
	expect_invalid(k, CMS, "{\"metadata\":{\"name\":\"Upper\"}}", "ConfigMap", "metadata.name",
		       "a lowercase RFC 1123 subdomain must consist of");
	expect_invalid(k, CMS, "{\"metadata\":{\"name\":\"..\"}}", "ConfigMap", "metadata.name",
		       "may not be '..'");
	name[64] = '\0';
	snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"ports\":"
		 "[{\"port\":80}]}}", name);
	expect_invalid(k, SVCS, body, "Service", "metadata.name",
		       "must be no more than 63 characters");
	expect_invalid(k, SVCS, "{\"metadata\":{\"name\":\"1web\"},\"spec\":{\"ports\":"
		       "[{\"port\":80}]}}", "Service", "metadata.name", "a DNS-1035 label");
	expect_invalid(k, NSS, "{\"metadata\":{\"name\":\"a.b\"}}", "Namespace", "metadata.name",
		       "a lowercase RFC 1123 label must consist of");
	/* a dotted name is fine where a subdomain is asked for */
	json_object_put(post(k, CMS, "{\"metadata\":{\"name\":\"a.b-c\"}}", 201));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(test_sim_kube_strict__##name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(secret_string_data_folded),
		T(secret_data_must_be_base64),
		T(secret_keys),
		T(secret_size_type_immutable),
		T(configmap_keys),
		T(quantities_canonical),
		T(quantities_rejected),
		T(target_port),
		T(rolling_update),
		T(containers),
		T(managed_fields),
		T(labels),
		T(annotations),
		T(names),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
