/* test_api.c - in-process tests of one simulated cluster's Kubernetes API */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/api.h"
#include "util/clock.h"
#include "util/json.h"

#include "harness.h"

static const char RC[] =
	"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\","
	"\"metadata\":{\"name\":\"nginx\"},"
	"\"spec\":{\"replicas\":2,\"selector\":{\"app\":\"nginx\"},"
	"\"template\":{\"metadata\":{\"name\":\"nginx\",\"labels\":{\"app\":\"nginx\"}},"
	"\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\","
	"\"ports\":[{\"containerPort\":80}]}]}}}}";

static const char SVC[] =
	"{\"apiVersion\":\"v1\",\"kind\":\"Service\","
	"\"metadata\":{\"labels\":{\"name\":\"nginxservice\"},\"name\":\"nginxservice\"},"
	"\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":80}],"
	"\"selector\":{\"app\":\"nginx\"},\"type\":\"LoadBalancer\"}}";

#define RCS "/api/v1/namespaces/default/replicationcontrollers"
#define SVCS "/api/v1/namespaces/default/services"
#define PODS "/api/v1/namespaces/default/pods"

static json_object *create(sim_kube *k, const char *path, const char *body)
{
	int st;
	json_object *o = call(k, "POST", path, NULL, "application/json", body, &st);

	assert_int_equal(201, st);
	return o;
}

/* ---- tests ---- */

static void test_sim_kube_api__rc_defaults(void **state)
{
	sim_kube *k = *state;
	json_object *o = create(k, RCS, RC);

	assert_string_equal("ReplicationController", str(o, "kind"));
	assert_string_equal("default", str(o, "metadata.namespace"));
	assert_int_equal(36, strlen(str(o, "metadata.uid")));
	assert_non_null(str(o, "metadata.resourceVersion"));
	assert_int_equal(20, strlen(str(o, "metadata.creationTimestamp")));
	assert_int_equal(1, num(o, "metadata.generation"));
	assert_string_equal("nginx", str(o, "metadata.labels.app"));
	assert_int_equal(2, num(o, "spec.replicas"));
	assert_string_equal("Always", str(o, "spec.template.spec.restartPolicy"));
	assert_string_equal("ClusterFirst", str(o, "spec.template.spec.dnsPolicy"));
	assert_string_equal("default-scheduler", str(o, "spec.template.spec.schedulerName"));
	assert_int_equal(30, num(o, "spec.template.spec.terminationGracePeriodSeconds"));
	assert_string_equal("Always",
			    str(o, "spec.template.spec.containers[0].imagePullPolicy"));
	assert_string_equal("TCP",
			    str(o, "spec.template.spec.containers[0].ports[0].protocol"));
	assert_string_equal("/dev/termination-log",
			    str(o, "spec.template.spec.containers[0].terminationMessagePath"));
	assert_int_equal(0, num(o, "status.replicas"));
	json_object_put(o);
}

static void test_sim_kube_api__selector_defaulted_from_template(void **state)
{
	sim_kube *k = *state;
	json_object *o = create(k, RCS,
		"{\"kind\":\"ReplicationController\",\"apiVersion\":\"v1\","
		"\"metadata\":{\"name\":\"web\"},\"spec\":{\"template\":{\"metadata\":"
		"{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"web\","
		"\"image\":\"nginx:1.25\"}]}}}}");

	assert_string_equal("web", str(o, "spec.selector.app"));
	assert_int_equal(1, num(o, "spec.replicas"));
	assert_string_equal("IfNotPresent",
			    str(o, "spec.template.spec.containers[0].imagePullPolicy"));
	json_object_put(o);
}

static void test_sim_kube_api__service_defaults_and_allocation(void **state)
{
	sim_kube *k = *state;
	json_object *o = create(k, SVCS, SVC);
	const char *ip = str(o, "spec.clusterIP");
	unsigned a, b, c, d;
	long long np = num(o, "spec.ports[0].nodePort");

	assert_int_equal(4, sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d));
	assert_true(a == 34 && b == 118 && c >= 224 && c < 240);
	assert_string_equal(ip, str(o, "spec.clusterIPs[0]"));
	assert_true(np >= 30000 && np <= 32767);
	assert_int_equal(80, num(o, "spec.ports[0].targetPort"));
	assert_string_equal("TCP", str(o, "spec.ports[0].protocol"));
	assert_string_equal("None", str(o, "spec.sessionAffinity"));
	assert_string_equal("Cluster", str(o, "spec.externalTrafficPolicy"));
	assert_string_equal("Cluster", str(o, "spec.internalTrafficPolicy"));
	assert_string_equal("IPv4", str(o, "spec.ipFamilies[0]"));
	assert_string_equal("SingleStack", str(o, "spec.ipFamilyPolicy"));
	assert_true(json_object_get_boolean(ikc_json_path(o, "spec.allocateLoadBalancerNodePorts")));
	assert_non_null(ikc_json_path(o, "status.loadBalancer"));
	assert_null(ikc_json_path(o, "status.loadBalancer.ingress"));
	assert_null(ikc_json_path(o, "metadata.generation"));
	json_object_put(o);
}

static void test_sim_kube_api__service_put_carries_over_and_ip_immutable(void **state)
{
	sim_kube *k = *state;
	json_object *o = create(k, SVCS, SVC), *p;
	char *ip = strdup(str(o, "spec.clusterIP"));
	long long np = num(o, "spec.ports[0].nodePort");
	int st;

	/* PUT without clusterIP/nodePort keeps them */
	p = call(k, "PUT", SVCS "/nginxservice", NULL, "application/json", SVC, &st);
	assert_int_equal(200, st);
	assert_string_equal(ip, str(p, "spec.clusterIP"));
	assert_int_equal(np, num(p, "spec.ports[0].nodePort"));
	json_object_put(p);
	p = call(k, "PATCH", SVCS "/nginxservice", NULL, "application/merge-patch+json",
		 "{\"spec\":{\"clusterIP\":\"10.0.0.9\"}}", &st);
	assert_int_equal(422, st);
	assert_string_equal("Invalid", str(p, "reason"));
	assert_string_equal("Service", str(p, "details.kind"));
	assert_string_equal("spec.clusterIPs[0]", str(p, "details.causes[0].field"));
	assert_string_equal("FieldValueInvalid", str(p, "details.causes[0].reason"));
	assert_string_equal("Service \"nginxservice\" is invalid: spec.clusterIPs[0]: "
			    "Invalid value: [\"10.0.0.9\"]: may not change once set",
			    str(p, "message"));
	json_object_put(p);
	json_object_put(o);
	free(ip);
}

static void test_sim_kube_api__other_defaults(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	o = create(k, "/api/v1/namespaces",
		   "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team\"}}");
	assert_string_equal("kubernetes", str(o, "spec.finalizers[0]"));
	assert_string_equal("Active", str(o, "status.phase"));
	json_object_put(o);
	o = call(k, "GET", "/api/v1/namespaces/team/serviceaccounts/default", NULL, NULL, NULL,
		 &st);
	assert_int_equal(200, st);
	json_object_put(o);
	o = call(k, "GET", "/api/v1/namespaces/team", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("team", json_object_get_string(json_object_object_get(
				json_object_object_get(ikc_json_path(o, "metadata"), "labels"),
				"kubernetes.io/metadata.name")));
	json_object_put(o);

	o = create(k, "/apis/apps/v1/namespaces/default/deployments",
		   "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":"
		   "{\"name\":\"web\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":"
		   "\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
		   "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}}}");
	assert_int_equal(1, num(o, "spec.replicas"));
	assert_string_equal("RollingUpdate", str(o, "spec.strategy.type"));
	assert_string_equal("25%", str(o, "spec.strategy.rollingUpdate.maxSurge"));
	assert_int_equal(10, num(o, "spec.revisionHistoryLimit"));
	assert_int_equal(600, num(o, "spec.progressDeadlineSeconds"));
	json_object_put(o);

	o = create(k, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers",
		   "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\","
		   "\"metadata\":{\"name\":\"web\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":"
		   "\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},\"maxReplicas\":5}}");
	assert_int_equal(1, num(o, "spec.minReplicas"));
	assert_string_equal("cpu", str(o, "spec.metrics[0].resource.name"));
	assert_int_equal(80, num(o, "spec.metrics[0].resource.target.averageUtilization"));
	json_object_put(o);
	/* the same object through autoscaling/v1 */
	o = call(k, "GET", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web",
		 NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("autoscaling/v1", str(o, "apiVersion"));
	assert_int_equal(80, num(o, "spec.targetCPUUtilizationPercentage"));
	json_object_put(o);

	/* Deployment selector is required */
	o = call(k, "POST", "/apis/apps/v1/namespaces/default/deployments", NULL,
		 "application/json",
		 "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":"
		 "{\"name\":\"nosel\"},\"spec\":{\"template\":{\"metadata\":{\"labels\":"
		 "{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":"
		 "\"nginx\"}]}}}}", &st);
	assert_int_equal(422, st);
	assert_string_equal("spec.selector", str(o, "details.causes[0].field"));
	assert_string_equal("FieldValueRequired", str(o, "details.causes[0].reason"));
	json_object_put(o);
}

static void test_sim_kube_api__pod_defaults(void **state)
{
	sim_kube *k = *state;
	json_object *o = create(k, PODS,
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"generateName\":"
		"\"p-\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1\"}]}}");

	assert_int_equal(7, strlen(str(o, "metadata.name")));
	assert_string_equal("Pending", str(o, "status.phase"));
	assert_string_equal("default", str(o, "spec.serviceAccountName"));
	assert_true(json_object_get_boolean(ikc_json_path(o, "spec.enableServiceLinks")));
	assert_string_equal("node.kubernetes.io/not-ready", str(o, "spec.tolerations[0].key"));
	assert_non_null(strstr(str(o, "spec.volumes[0].name"), "kube-api-access-"));
	json_object_put(o);
}

static void test_sim_kube_api__errors(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	json_object_put(create(k, RCS, RC));
	o = call(k, "POST", RCS, NULL, "application/json", RC, &st);
	assert_int_equal(409, st);
	assert_string_equal("AlreadyExists", str(o, "reason"));
	assert_string_equal("replicationcontrollers \"nginx\" already exists", str(o, "message"));
	assert_string_equal("replicationcontrollers", str(o, "details.kind"));
	json_object_put(o);
	o = call(k, "GET", RCS "/nope", NULL, NULL, NULL, &st);
	assert_int_equal(404, st);
	assert_string_equal("NotFound", str(o, "reason"));
	assert_string_equal("replicationcontrollers \"nope\" not found", str(o, "message"));
	json_object_put(o);
	o = call(k, "GET", "/apis/apps/v1/namespaces/default/deployments/nope", NULL, NULL,
		 NULL, &st);
	assert_int_equal(404, st);
	assert_string_equal("deployments.apps \"nope\" not found", str(o, "message"));
	assert_string_equal("apps", str(o, "details.group"));
	json_object_put(o);
	o = call(k, "PATCH", RCS "/nginx", NULL, "application/xml", "{}", &st);
	assert_int_equal(415, st);
	assert_string_equal("UnsupportedMediaType", str(o, "reason"));
	json_object_put(o);
	o = call(k, "POST", RCS, NULL, "application/vnd.kubernetes.protobuf", RC, &st);
	assert_int_equal(415, st);
	json_object_put(o);
	o = call(k, "POST", RCS "/nginx", NULL, "application/json", RC, &st);
	assert_int_equal(405, st);
	assert_string_equal("MethodNotAllowed", str(o, "reason"));
	json_object_put(o);
	o = call(k, "POST", "/api/v1/namespaces/other/replicationcontrollers", NULL,
		 "application/json",
		 "{\"kind\":\"ReplicationController\",\"apiVersion\":\"v1\",\"metadata\":"
		 "{\"name\":\"x\",\"namespace\":\"default\"}}", &st);
	assert_int_equal(400, st);
	assert_string_equal("BadRequest", str(o, "reason"));
	json_object_put(o);
	o = call(k, "POST", RCS, NULL, "application/json", "{not json", &st);
	assert_int_equal(400, st);
	json_object_put(o);
	o = call(k, "PUT", RCS "/ghost", NULL, "application/json", RC, &st);
	assert_int_equal(404, st);
	json_object_put(o);
}

static void test_sim_kube_api__invalid_with_causes(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	o = call(k, "POST", RCS, NULL, "application/json",
		 "{\"kind\":\"ReplicationController\",\"apiVersion\":\"v1\",\"metadata\":"
		 "{\"name\":\"bad\"},\"spec\":{\"selector\":{\"app\":\"x\"},\"template\":"
		 "{\"metadata\":{\"labels\":{\"app\":\"y\"}},\"spec\":{\"restartPolicy\":"
		 "\"OnFailure\",\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}", &st);
	assert_int_equal(422, st);
	assert_string_equal("Failure", str(o, "status"));
	assert_string_equal("Invalid", str(o, "reason"));
	assert_int_equal(422, num(o, "code"));
	assert_string_equal("ReplicationController", str(o, "details.kind"));
	assert_string_equal("bad", str(o, "details.name"));
	assert_string_equal("spec.template.metadata.labels", str(o, "details.causes[0].field"));
	assert_string_equal("spec.template.spec.restartPolicy",
			    str(o, "details.causes[1].field"));
	assert_string_equal("FieldValueNotSupported", str(o, "details.causes[1].reason"));
	assert_non_null(strstr(str(o, "message"),
			       "ReplicationController \"bad\" is invalid: [spec.template."
			       "metadata.labels: Invalid value: {\"app\":\"y\"}: selector "
			       "does not match labels in spec.template"));
	json_object_put(o);
	o = call(k, "GET", RCS "/bad", NULL, NULL, NULL, &st);
	assert_int_equal(404, st);
	json_object_put(o);
}

static void test_sim_kube_api__conflict_on_stale_resource_version(void **state)
{
	sim_kube *k = *state;
	json_object *o = create(k, RCS, RC), *p;
	const char *body;
	int st;

	json_object_object_add(ikc_json_path(o, "metadata"), "resourceVersion",
			       json_object_new_string("1"));
	body = json_object_to_json_string(o);
	p = call(k, "PUT", RCS "/nginx", NULL, "application/json", body, &st);
	assert_int_equal(409, st);
	assert_string_equal("Conflict", str(p, "reason"));
	assert_string_equal("Operation cannot be fulfilled on replicationcontrollers "
			    "\"nginx\": the object has been modified; please apply your "
			    "changes to the latest version and try again", str(p, "message"));
	json_object_put(p);
	/* a patch that names a stale version conflicts too */
	p = call(k, "PATCH", RCS "/nginx", NULL, "application/merge-patch+json",
		 "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":5}}", &st);
	assert_int_equal(409, st);
	json_object_put(p);
	/* unconditional PUT overwrites */
	json_object_object_del(ikc_json_path(o, "metadata"), "resourceVersion");
	p = call(k, "PUT", RCS "/nginx", NULL, "application/json",
		 json_object_to_json_string(o), &st);
	assert_int_equal(200, st);
	json_object_put(p);
	json_object_put(o);
}

static void test_sim_kube_api__generation_only_on_spec_change(void **state)
{
	sim_kube *k = *state;
	json_object *o = create(k, RCS, RC), *p;
	long long rv0 = atoll(str(o, "metadata.resourceVersion")), rv1;
	int st;

	p = call(k, "PATCH", RCS "/nginx", NULL, "application/strategic-merge-patch+json",
		 "{\"metadata\":{\"labels\":{\"tier\":\"web\"}}}", &st);
	assert_int_equal(200, st);
	assert_int_equal(1, num(p, "metadata.generation"));
	rv1 = atoll(str(p, "metadata.resourceVersion"));
	assert_true(rv1 > rv0);
	assert_string_equal("web", str(p, "metadata.labels.tier"));
	json_object_put(p);
	/* status writes do not bump generation either */
	p = call(k, "PATCH", RCS "/nginx/status", NULL, "application/merge-patch+json",
		 "{\"status\":{\"replicas\":7}}", &st);
	assert_int_equal(200, st);
	assert_int_equal(1, num(p, "metadata.generation"));
	assert_int_equal(7, num(p, "status.replicas"));
	json_object_put(p);
	p = call(k, "PATCH", RCS "/nginx", NULL, "application/merge-patch+json",
		 "{\"spec\":{\"replicas\":3},\"status\":{\"replicas\":99}}", &st);
	assert_int_equal(200, st);
	assert_int_equal(2, num(p, "metadata.generation"));
	assert_int_equal(3, num(p, "spec.replicas"));
	assert_int_equal(7, num(p, "status.replicas"));   /* status ignored on main resource */
	json_object_put(p);
	/* a write that changes nothing keeps the resourceVersion */
	p = call(k, "PATCH", RCS "/nginx", NULL, "application/merge-patch+json",
		 "{\"spec\":{\"replicas\":3}}", &st);
	assert_int_equal(200, st);
	assert_int_equal(2, num(p, "metadata.generation"));
	json_object_put(p);
	json_object_put(o);
}

static void test_sim_kube_api__smp_observed_kubectl_patches(void **state)
{
	sim_kube *k = *state;
	json_object *o, *p;
	int st;

	o = create(k, RCS,
		   "{\"kind\":\"ReplicationController\",\"apiVersion\":\"v1\",\"metadata\":"
		   "{\"name\":\"web\"},\"spec\":{\"replicas\":2,\"selector\":{\"app\":\"web\"},"
		   "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":"
		   "{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.25\",\"ports\":"
		   "[{\"containerPort\":80}]}]}}}}");
	json_object_put(o);
	p = call(k, "PATCH", RCS "/web", "fieldManager=kubectl-client-side-apply",
		 "application/strategic-merge-patch+json",
		 "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-"
		 "configuration\":\"{}\\n\"}},\"spec\":{\"template\":{\"spec\":{"
		 "\"$setElementOrder/containers\":[{\"name\":\"web\"}],\"containers\":"
		 "[{\"$setElementOrder/ports\":[{\"containerPort\":8080}],\"image\":"
		 "\"nginx:1.27\",\"name\":\"web\",\"ports\":[{\"containerPort\":8080},"
		 "{\"$patch\":\"delete\",\"containerPort\":80}]}]}}}}", &st);
	assert_int_equal(200, st);
	assert_string_equal("nginx:1.27", str(p, "spec.template.spec.containers[0].image"));
	assert_int_equal(1, json_object_array_length(
				    ikc_json_path(p, "spec.template.spec.containers[0].ports")));
	assert_int_equal(8080, num(p, "spec.template.spec.containers[0].ports[0].containerPort"));
	assert_string_equal("TCP", str(p, "spec.template.spec.containers[0].ports[0].protocol"));
	/* fields the patch did not mention survive */
	assert_string_equal("IfNotPresent",
			    str(p, "spec.template.spec.containers[0].imagePullPolicy"));
	assert_int_equal(1, json_object_array_length(
				    ikc_json_path(p, "spec.template.spec.containers")));
	assert_int_equal(2, num(p, "metadata.generation"));
	assert_null(strstr(json_object_to_json_string(p), "$patch"));
	assert_null(strstr(json_object_to_json_string(p), "$setElementOrder"));
	json_object_put(p);

	o = create(k, SVCS,
		   "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web\"},"
		   "\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080}],\"selector\":"
		   "{\"app\":\"web\"}}}");
	json_object_put(o);
	p = call(k, "PATCH", SVCS "/web", NULL, "application/strategic-merge-patch+json",
		 "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-"
		 "configuration\":\"{}\\n\"}},\"spec\":{\"$setElementOrder/ports\":"
		 "[{\"port\":81}],\"ports\":[{\"port\":81,\"targetPort\":8080},"
		 "{\"$patch\":\"delete\",\"port\":80}]}}", &st);
	assert_int_equal(200, st);
	assert_int_equal(1, json_object_array_length(ikc_json_path(p, "spec.ports")));
	assert_int_equal(81, num(p, "spec.ports[0].port"));
	assert_int_equal(8080, num(p, "spec.ports[0].targetPort"));
	assert_string_equal("TCP", str(p, "spec.ports[0].protocol"));
	assert_non_null(ikc_json_path(p, "metadata.annotations"));
	json_object_put(p);
}

static void test_sim_kube_api__smp_order_and_replace(void **state)
{
	sim_kube *k = *state;
	json_object *p;
	int st;

	json_object_put(create(k, RCS,
		"{\"kind\":\"ReplicationController\",\"apiVersion\":\"v1\",\"metadata\":"
		"{\"name\":\"two\"},\"spec\":{\"selector\":{\"app\":\"two\"},\"template\":"
		"{\"metadata\":{\"labels\":{\"app\":\"two\"}},\"spec\":{\"containers\":"
		"[{\"name\":\"a\",\"image\":\"a\"},{\"name\":\"b\",\"image\":\"b\"}]}}}}"));
	p = call(k, "PATCH", RCS "/two", NULL, "application/strategic-merge-patch+json",
		 "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":"
		 "[{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"a\"}],\"containers\":"
		 "[{\"name\":\"c\",\"image\":\"c\"}]}}}}", &st);
	assert_int_equal(200, st);
	assert_string_equal("b", str(p, "spec.template.spec.containers[0].name"));
	assert_string_equal("c", str(p, "spec.template.spec.containers[1].name"));
	assert_string_equal("a", str(p, "spec.template.spec.containers[2].name"));
	json_object_put(p);
	p = call(k, "PATCH", RCS "/two", NULL, "application/strategic-merge-patch+json",
		 "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"$patch\":\"replace\"},"
		 "{\"name\":\"z\",\"image\":\"z\"}]}}}}", &st);
	assert_int_equal(200, st);
	assert_int_equal(1, json_object_array_length(
				    ikc_json_path(p, "spec.template.spec.containers")));
	assert_string_equal("z", str(p, "spec.template.spec.containers[0].name"));
	json_object_put(p);
	/* null deletes a field; json-patch works too */
	p = call(k, "PATCH", RCS "/two", NULL, "application/json-patch+json",
		 "[{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"1\"},"
		 "{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]", &st);
	assert_int_equal(200, st);
	assert_string_equal("1", str(p, "metadata.labels.x"));
	assert_int_equal(4, num(p, "spec.replicas"));
	json_object_put(p);
	p = call(k, "PATCH", RCS "/two", NULL, "application/strategic-merge-patch+json",
		 "{\"metadata\":{\"labels\":{\"x\":null}}}", &st);
	assert_int_equal(200, st);
	assert_null(str(p, "metadata.labels.x"));
	json_object_put(p);
}

static void test_sim_kube_api__merge_patch_on_scale(void **state)
{
	sim_kube *k = *state;
	json_object *o = create(k, RCS, RC), *p;
	int st;

	json_object_put(o);
	p = call(k, "GET", RCS "/nginx/scale", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("Scale", str(p, "kind"));
	assert_string_equal("autoscaling/v1", str(p, "apiVersion"));
	assert_int_equal(2, num(p, "spec.replicas"));
	assert_string_equal("app=nginx", str(p, "status.selector"));
	json_object_put(p);
	p = call(k, "PATCH", RCS "/nginx/scale", NULL, "application/merge-patch+json",
		 "{\"spec\":{\"replicas\":4}}", &st);
	assert_int_equal(200, st);
	assert_string_equal("Scale", str(p, "kind"));
	assert_int_equal(4, num(p, "spec.replicas"));
	json_object_put(p);
	p = call(k, "GET", RCS "/nginx", NULL, NULL, NULL, &st);
	assert_int_equal(4, num(p, "spec.replicas"));
	assert_int_equal(2, num(p, "metadata.generation"));
	json_object_put(p);
	p = call(k, "PATCH", RCS "/nginx/scale", NULL, "application/merge-patch+json",
		 "{\"spec\":{\"replicas\":-1}}", &st);
	assert_int_equal(422, st);
	json_object_put(p);
}

static void test_sim_kube_api__label_and_field_selectors(void **state)
{
	sim_kube *k = *state;
	static const struct {
		const char *sel;
		int count;
	} cases[] = {
		{"app=a", 2}, {"app==a", 2}, {"app!=a", 2}, {"app in (a,b)", 3},
		{"app notin (a)", 2}, {"tier", 2}, {"!tier", 2}, {"app=a,tier=fe", 1},
		{"app in (a, b),!tier", 1}, {"", 4},
	};
	const char *labels[] = {"{\"app\":\"a\",\"tier\":\"fe\"}", "{\"app\":\"a\"}",
				"{\"app\":\"b\",\"tier\":\"be\"}", "{}"};
	char body[256], query[128];
	size_t i;
	json_object *o;
	int st;

	for (i = 0; i < 4; i++) {
		snprintf(body, sizeof(body),
			 "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":"
			 "{\"name\":\"cm%zu\",\"labels\":%s},\"data\":{\"k\":\"v\"}}", i, labels[i]);
		json_object_put(create(k, "/api/v1/namespaces/default/configmaps", body));
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(query, sizeof(query), "labelSelector=%s", cases[i].sel);
		o = call(k, "GET", "/api/v1/namespaces/default/configmaps", query, NULL,
			 NULL, &st);
		assert_int_equal(200, st);
		assert_string_equal("ConfigMapList", str(o, "kind"));
		assert_non_null(str(o, "metadata.resourceVersion"));
		if ((int)json_object_array_length(ikc_json_path(o, "items")) != cases[i].count)
			fail_msg("selector '%s' matched %zu, want %d", cases[i].sel,
				 json_object_array_length(ikc_json_path(o, "items")),
				 cases[i].count);
		json_object_put(o);
	}
	o = call(k, "GET", "/api/v1/configmaps", "fieldSelector=metadata.name=cm2", NULL,
		 NULL, &st);
	assert_int_equal(200, st);
	assert_int_equal(1, json_object_array_length(ikc_json_path(o, "items")));
	assert_string_equal("cm2", str(o, "items[0].metadata.name"));
	json_object_put(o);
	o = call(k, "GET", "/api/v1/configmaps",
		 "fieldSelector=metadata.namespace!=default", NULL, NULL, &st);
	assert_int_equal(0, json_object_array_length(ikc_json_path(o, "items")));
	json_object_put(o);
	o = call(k, "GET", "/api/v1/namespaces/default/configmaps",
		 "labelSelector=app in (a", NULL, NULL, &st);
	assert_int_equal(400, st);
	assert_string_equal("BadRequest", str(o, "reason"));
	json_object_put(o);
}

static int count_pods(sim_kube *k, const char *phase)
{
	int st, n = 0;
	json_object *o = call(k, "GET", "/api/v1/pods", NULL, NULL, NULL, &st);
	size_t i;

	for (i = 0; i < json_object_array_length(ikc_json_path(o, "items")); i++) {
		json_object *p = json_object_array_get_idx(ikc_json_path(o, "items"), i);

		if (!phase || strcmp(str(p, "status.phase"), phase) == 0)
			n++;
	}
	json_object_put(o);
	return n;
}

static void test_sim_kube_api__rc_with_nodes_runs_pods(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;
	double t = 100;

	sim_kube_set_pool(k, "default-pool", 2, "n1-standard-2", "asia-east1-a");
	o = call(k, "GET", "/api/v1/nodes", NULL, NULL, NULL, &st);
	assert_int_equal(2, json_object_array_length(ikc_json_path(o, "items")));
	assert_string_equal("default-pool",
			    json_object_get_string(json_object_object_get(
				    ikc_json_path(o, "items[0].metadata.labels"),
				    "cloud.google.com/gke-nodepool")));
	assert_string_equal("n1-standard-2",
			    json_object_get_string(json_object_object_get(
				    ikc_json_path(o, "items[0].metadata.labels"),
				    "node.kubernetes.io/instance-type")));
	assert_non_null(strstr(str(o, "items[0].metadata.name"), "gke-demo-default-pool-"));
	assert_string_equal("Ready", str(o, "items[0].status.conditions[3].type"));
	assert_string_equal("True", str(o, "items[0].status.conditions[3].status"));
	assert_string_equal("2", str(o, "items[0].status.capacity.cpu"));
	json_object_put(o);

	json_object_put(create(k, RCS, RC));
	sim_kube_tick(k, t);
	assert_int_equal(2, count_pods(k, NULL));
	assert_int_equal(0, count_pods(k, "Running"));
	sim_kube_tick(k, t + 1);
	sim_kube_tick(k, t + 10);
	assert_int_equal(2, count_pods(k, "Running"));
	o = call(k, "GET", PODS, "labelSelector=app=nginx", NULL, NULL, &st);
	assert_int_equal(2, json_object_array_length(ikc_json_path(o, "items")));
	assert_true(strncmp(str(o, "items[0].metadata.name"), "nginx-", 6) == 0);
	assert_int_equal(11, strlen(str(o, "items[0].metadata.name")));
	assert_string_equal("ReplicationController",
			    str(o, "items[0].metadata.ownerReferences[0].kind"));
	/* spread over both nodes */
	assert_string_not_equal(str(o, "items[0].spec.nodeName"),
				str(o, "items[1].spec.nodeName"));
	assert_true(json_object_get_boolean(
		ikc_json_path(o, "items[0].status.containerStatuses[0].ready")));
	json_object_put(o);
	o = call(k, "GET", PODS, "fieldSelector=status.phase=Running", NULL, NULL, &st);
	assert_int_equal(2, json_object_array_length(ikc_json_path(o, "items")));
	json_object_put(o);
	sim_kube_tick(k, t + 11);
	o = call(k, "GET", RCS "/nginx", NULL, NULL, NULL, &st);
	assert_int_equal(2, num(o, "status.replicas"));
	assert_int_equal(2, num(o, "status.readyReplicas"));
	assert_int_equal(2, num(o, "status.availableReplicas"));
	assert_int_equal(2, num(o, "status.fullyLabeledReplicas"));
	assert_int_equal(1, num(o, "status.observedGeneration"));
	json_object_put(o);

	/* a Service selecting the pods gets their addresses as Endpoints */
	json_object_put(create(k, SVCS, SVC));
	sim_kube_tick(k, t + 11.5);
	o = call(k, "GET", "/api/v1/namespaces/default/endpoints/nginxservice", NULL, NULL,
		 NULL, &st);
	assert_int_equal(200, st);
	assert_int_equal(2, json_object_array_length(ikc_json_path(o, "subsets[0].addresses")));
	assert_int_equal(80, num(o, "subsets[0].ports[0].port"));
	assert_string_equal("Pod", str(o, "subsets[0].addresses[0].targetRef.kind"));
	json_object_put(o);
	/* each node has its heartbeat Lease */
	o = call(k, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
		 NULL, NULL, NULL, &st);
	assert_int_equal(2, json_object_array_length(ikc_json_path(o, "items")));
	assert_string_equal(str(o, "items[0].metadata.name"), str(o, "items[0].spec.holderIdentity"));
	json_object_put(o);

	/* scale up and down */
	json_object_put(call(k, "PATCH", RCS "/nginx/scale", NULL,
			     "application/merge-patch+json", "{\"spec\":{\"replicas\":4}}", &st));
	sim_kube_tick(k, t + 12);
	sim_kube_tick(k, t + 13);
	sim_kube_tick(k, t + 20);
	assert_int_equal(4, count_pods(k, "Running"));
	json_object_put(call(k, "PATCH", RCS "/nginx/scale", NULL,
			     "application/merge-patch+json", "{\"spec\":{\"replicas\":1}}", &st));
	sim_kube_tick(k, t + 21);
	assert_int_equal(1, count_pods(k, NULL));

	/* Background deletion takes the pods */
	o = call(k, "DELETE", RCS "/nginx", NULL, "application/json",
		 "{\"propagationPolicy\":\"Background\"}", &st);
	assert_int_equal(200, st);
	assert_string_equal("Status", str(o, "kind"));
	assert_string_equal("Success", str(o, "status"));
	assert_string_equal("nginx", str(o, "details.name"));
	assert_string_equal("replicationcontrollers", str(o, "details.kind"));
	json_object_put(o);
	o = call(k, "GET", RCS, "fieldSelector=metadata.name=nginx", NULL, NULL, &st);
	assert_int_equal(0, json_object_array_length(ikc_json_path(o, "items")));
	json_object_put(o);
	sim_kube_tick(k, t + 22);
	assert_int_equal(0, count_pods(k, NULL));

	/* pools shrink */
	sim_kube_set_pool(k, "default-pool", 0, NULL, NULL);
	o = call(k, "GET", "/api/v1/nodes", NULL, NULL, NULL, &st);
	assert_int_equal(0, json_object_array_length(ikc_json_path(o, "items")));
	json_object_put(o);
	o = call(k, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
		 NULL, NULL, NULL, &st);
	assert_int_equal(0, json_object_array_length(ikc_json_path(o, "items")));
	json_object_put(o);
	/* with its Service gone, the Endpoints go */
	json_object_put(call(k, "DELETE", SVCS "/nginxservice", NULL, NULL, NULL, &st));
	sim_kube_tick(k, t + 23);
	o = call(k, "GET", "/api/v1/namespaces/default/endpoints/nginxservice", NULL, NULL,
		 NULL, &st);
	assert_int_equal(404, st);
	json_object_put(o);
}

static void test_sim_kube_api__no_nodes_pending(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	json_object_put(create(k, RCS, RC));
	sim_kube_tick(k, 10);
	sim_kube_tick(k, 60);
	o = call(k, "GET", PODS, NULL, NULL, NULL, &st);
	assert_int_equal(2, json_object_array_length(ikc_json_path(o, "items")));
	assert_string_equal("Pending", str(o, "items[0].status.phase"));
	assert_string_equal("PodScheduled", str(o, "items[0].status.conditions[0].type"));
	assert_string_equal("False", str(o, "items[0].status.conditions[0].status"));
	assert_string_equal("Unschedulable", str(o, "items[0].status.conditions[0].reason"));
	assert_non_null(strstr(str(o, "items[0].status.conditions[0].message"),
			       "0/0 nodes are available"));
	json_object_put(o);
	/* orphaning delete (no policy) leaves the pods without an owner */
	o = call(k, "DELETE", RCS "/nginx", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	json_object_put(o);
	sim_kube_tick(k, 61);
	o = call(k, "GET", PODS, NULL, NULL, NULL, &st);
	assert_int_equal(2, json_object_array_length(ikc_json_path(o, "items")));
	assert_null(ikc_json_path(o, "items[0].metadata.ownerReferences"));
	json_object_put(o);
	/* nodes arrive: the pending pods get scheduled and run */
	sim_kube_set_pool(k, "p", 1, "e2-medium", "us-central1-a");
	sim_kube_tick(k, 62);
	sim_kube_tick(k, 70);
	assert_int_equal(2, count_pods(k, "Running"));
}

static void test_sim_kube_api__lb_ip_after_delay(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;
	sim_response resp;

	json_object_put(create(k, SVCS, SVC));
	sim_kube_tick(k, 1000);
	sim_kube_tick(k, 1005);
	o = call(k, "GET", SVCS "/nginxservice", NULL, NULL, NULL, &st);
	assert_null(ikc_json_path(o, "status.loadBalancer.ingress"));
	json_object_put(o);
	/* kubectl's table shows <pending> */
	send_req(k, "GET", SVCS, NULL, NULL,
		 "application/json;as=Table;v=v1;g=meta.k8s.io,application/json", NULL, &resp);
	assert_int_equal(200, resp.status);
	assert_non_null(strstr(resp.body, "\"kind\":\"Table\""));
	assert_non_null(strstr(resp.body, "<pending>"));
	sim_response_dispose(&resp);
	sim_kube_tick(k, 1030);
	o = call(k, "GET", SVCS "/nginxservice", NULL, NULL, NULL, &st);
	assert_non_null(str(o, "status.loadBalancer.ingress[0].ip"));
	assert_string_equal("VIP", str(o, "status.loadBalancer.ingress[0].ipMode"));
	json_object_put(o);
	send_req(k, "GET", SVCS, NULL, NULL,
		 "application/json;as=Table;v=v1;g=meta.k8s.io,application/json", NULL, &resp);
	assert_null(strstr(resp.body, "<pending>"));
	assert_non_null(strstr(resp.body, "LoadBalancer"));
	sim_response_dispose(&resp);
	/* service deletion returns the object */
	o = call(k, "DELETE", SVCS "/nginxservice", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("Service", str(o, "kind"));
	json_object_put(o);
}

static void test_sim_kube_api__save_load_round_trip(void **state)
{
	sim_kube *k = *state, *k2;
	json_object *saved, *a, *b;
	int st;
	long long rv;

	sim_kube_set_pool(k, "default-pool", 2, "n1-standard-2", "asia-east1-a");
	json_object_put(create(k, RCS, RC));
	json_object_put(create(k, SVCS, SVC));
	sim_kube_tick(k, 500);
	assert_int_equal(1, sim_kube_take_dirty(k));
	assert_int_equal(0, sim_kube_take_dirty(k));
	saved = sim_kube_save(k);
	/* through text, as the core persists it */
	{
		const char *txt = json_object_to_json_string(saved);
		json_object *re = NULL;

		assert_int_equal(0, ikc_json_parse(&re, txt, strlen(txt), "saved"));
		json_object_put(saved);
		saved = re;
	}
	k2 = sim_kube_load(saved);
	json_object_put(saved);
	assert_non_null(k2);
	a = call(k, "GET", SVCS "/nginxservice", NULL, NULL, NULL, &st);
	b = call(k2, "GET", SVCS "/nginxservice", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_true(json_object_equal(a, b));
	json_object_put(a);
	json_object_put(b);
	a = call(k, "GET", "/api/v1/pods", NULL, NULL, NULL, &st);
	b = call(k2, "GET", "/api/v1/pods", NULL, NULL, NULL, &st);
	assert_true(json_object_equal(ikc_json_path(a, "items"), ikc_json_path(b, "items")));
	json_object_put(a);
	json_object_put(b);
	/* counters continue: a new write gets a newer resourceVersion */
	a = call(k2, "GET", RCS "/nginx", NULL, NULL, NULL, &st);
	rv = atoll(str(a, "metadata.resourceVersion"));
	json_object_put(a);
	a = create(k2, "/api/v1/namespaces/default/secrets",
		   "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s\"},"
		   "\"data\":{\"k\":\"dg==\"}}");
	assert_true(atoll(str(a, "metadata.resourceVersion")) > rv);
	assert_string_equal("Opaque", str(a, "type"));
	json_object_put(a);
	/* pending timers survive: pods start and the LB IP arrives after load */
	sim_kube_tick(k2, 510);
	sim_kube_tick(k2, 530);
	assert_int_equal(2, count_pods(k2, "Running"));
	a = call(k2, "GET", SVCS "/nginxservice", NULL, NULL, NULL, &st);
	assert_non_null(str(a, "status.loadBalancer.ingress[0].ip"));
	json_object_put(a);
	a = sim_kube_describe(k2);
	assert_int_equal(2, json_object_array_length(json_object_object_get(a, "Node")));
	assert_string_equal("default/nginx", json_object_get_string(json_object_array_get_idx(
						     json_object_object_get(a, "ReplicationController"), 0)));
	json_object_put(a);
	sim_kube_free(k2);
	assert_null(sim_kube_load(NULL));
}

static void test_sim_kube_api__namespace_termination(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	json_object_put(create(k, "/api/v1/namespaces",
			       "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":"
			       "{\"name\":\"gone\"}}"));
	json_object_put(create(k, "/api/v1/namespaces/gone/configmaps",
			       "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":"
			       "{\"name\":\"c\"}}"));
	o = call(k, "DELETE", "/api/v1/namespaces/gone", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("Terminating", str(o, "status.phase"));
	json_object_put(o);
	o = call(k, "POST", "/api/v1/namespaces/gone/configmaps", NULL, "application/json",
		 "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"d\"}}",
		 &st);
	assert_int_equal(403, st);
	assert_string_equal("Forbidden", str(o, "reason"));
	assert_non_null(strstr(str(o, "message"), "because it is being terminated"));
	json_object_put(o);
	/* an update while terminating does not end it early */
	o = call(k, "PATCH", "/api/v1/namespaces/gone", NULL, "application/merge-patch+json",
		 "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}", &st);
	assert_int_equal(200, st);
	assert_string_equal("Terminating", str(o, "status.phase"));
	json_object_put(o);
	sim_kube_tick(k, 1);
	o = call(k, "GET", "/api/v1/namespaces/gone/configmaps", NULL, NULL, NULL, &st);
	assert_int_equal(0, json_object_array_length(ikc_json_path(o, "items")));
	json_object_put(o);
	o = call(k, "GET", "/api/v1/namespaces/gone", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	json_object_put(o);
	sim_kube_tick(k, 5);
	o = call(k, "GET", "/api/v1/namespaces/gone", NULL, NULL, NULL, &st);
	assert_int_equal(404, st);
	json_object_put(o);
	/* the system namespaces stay */
	o = call(k, "DELETE", "/api/v1/namespaces/default", NULL, NULL, NULL, &st);
	assert_int_equal(403, st);
	assert_string_equal("namespaces \"default\" is forbidden: this namespace may not "
			    "be deleted", str(o, "message"));
	json_object_put(o);
	/* as in a real cluster, the API server has its Service in default */
	o = call(k, "GET", SVCS "/kubernetes", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("34.118.224.1", str(o, "spec.clusterIP"));
	json_object_put(o);
	/* creating into a namespace that does not exist is NotFound */
	o = call(k, "POST", "/api/v1/namespaces/gone/configmaps", NULL, "application/json",
		 "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"d\"}}",
		 &st);
	assert_int_equal(404, st);
	assert_string_equal("namespaces \"gone\" not found", str(o, "message"));
	json_object_put(o);
}

static void test_sim_kube_api__finalizers_and_foreground(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	json_object_put(create(k, "/api/v1/namespaces/default/configmaps",
			       "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":"
			       "{\"name\":\"held\",\"finalizers\":[\"example.com/hold\"]}}"));
	o = call(k, "DELETE", "/api/v1/namespaces/default/configmaps/held", NULL, NULL, NULL,
		 &st);
	assert_int_equal(200, st);
	assert_non_null(str(o, "metadata.deletionTimestamp"));
	json_object_put(o);
	o = call(k, "GET", "/api/v1/namespaces/default/configmaps/held", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	json_object_put(o);
	o = call(k, "PATCH", "/api/v1/namespaces/default/configmaps/held", NULL,
		 "application/merge-patch+json", "{\"metadata\":{\"finalizers\":null}}", &st);
	assert_int_equal(200, st);
	json_object_put(o);
	o = call(k, "GET", "/api/v1/namespaces/default/configmaps/held", NULL, NULL, NULL, &st);
	assert_int_equal(404, st);
	json_object_put(o);
	/* Foreground: the owner waits for its dependents */
	sim_kube_set_pool(k, "p", 1, NULL, NULL);
	json_object_put(create(k, RCS, RC));
	sim_kube_tick(k, 1);
	assert_int_equal(2, count_pods(k, NULL));
	o = call(k, "DELETE", RCS "/nginx", "propagationPolicy=Foreground", NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("foregroundDeletion", str(o, "metadata.finalizers[0]"));
	json_object_put(o);
	sim_kube_tick(k, 2);
	assert_int_equal(0, count_pods(k, NULL));
	sim_kube_tick(k, 3);
	o = call(k, "GET", RCS "/nginx", NULL, NULL, NULL, &st);
	assert_int_equal(404, st);
	json_object_put(o);
}

static void test_sim_kube_api__deployment_makes_replicaset(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;
	char *rs1;

	sim_kube_set_pool(k, "p", 2, NULL, NULL);
	json_object_put(create(k, "/apis/apps/v1/namespaces/default/deployments",
		"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":"
		"{\"name\":\"web\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":"
		"{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
		"\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}}}"));
	sim_kube_tick(k, 1);
	sim_kube_tick(k, 10);
	sim_kube_tick(k, 11);
	o = call(k, "GET", "/apis/apps/v1/namespaces/default/replicasets", NULL, NULL, NULL, &st);
	assert_int_equal(1, json_object_array_length(ikc_json_path(o, "items")));
	rs1 = strdup(str(o, "items[0].metadata.name"));
	assert_true(strncmp(rs1, "web-", 4) == 0);
	assert_non_null(json_object_object_get(ikc_json_path(o, "items[0].spec.selector.matchLabels"),
					       "pod-template-hash"));
	json_object_put(o);
	assert_int_equal(3, count_pods(k, "Running"));
	o = call(k, "GET", "/apis/apps/v1/namespaces/default/deployments/web", NULL, NULL,
		 NULL, &st);
	assert_int_equal(3, num(o, "status.readyReplicas"));
	assert_int_equal(3, num(o, "status.availableReplicas"));
	assert_int_equal(3, num(o, "status.updatedReplicas"));
	assert_int_equal(1, num(o, "status.observedGeneration"));
	json_object_put(o);
	/* new image: a second ReplicaSet takes over */
	o = call(k, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", NULL,
		 "application/strategic-merge-patch+json",
		 "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\","
		 "\"image\":\"nginx:1.28\"}]}}}}", &st);
	assert_int_equal(200, st);
	assert_int_equal(2, num(o, "metadata.generation"));
	json_object_put(o);
	/* selector is immutable */
	o = call(k, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", NULL,
		 "application/merge-patch+json",
		 "{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"x\"}},\"template\":"
		 "{\"metadata\":{\"labels\":{\"app\":\"x\"}}}}}", &st);
	assert_int_equal(422, st);
	assert_non_null(strstr(str(o, "message"), "field is immutable"));
	json_object_put(o);
	sim_kube_tick(k, 12);
	sim_kube_tick(k, 13);
	sim_kube_tick(k, 20);
	sim_kube_tick(k, 21);
	o = call(k, "GET", "/apis/apps/v1/namespaces/default/replicasets", NULL, NULL, NULL, &st);
	assert_int_equal(2, json_object_array_length(ikc_json_path(o, "items")));
	json_object_put(o);
	o = call(k, "GET", "/api/v1/pods", NULL, NULL, NULL, &st);
	assert_int_equal(3, json_object_array_length(ikc_json_path(o, "items")));
	assert_string_equal("nginx:1.28", str(o, "items[0].spec.containers[0].image"));
	json_object_put(o);
	free(rs1);
}

/*
 * A protobuf field reader for the /openapi/v2 document: the `nth` (0-based)
 * occurrence of length-delimited field `field` in msg[0..len), or NULL.
 * Varint fields are skipped; other wire types end the walk.
 */
static const unsigned char *pb_field(const unsigned char *msg, size_t len,
				     unsigned field, int nth, size_t *out_len)
{
	size_t i = 0;

	while (i < len) {
		uint64_t key = 0, v = 0;
		int shift = 0;

		while (i < len && shift < 64) {
			key |= (uint64_t)(msg[i] & 0x7f) << shift;
			shift += 7;
			if (!(msg[i++] & 0x80))
				break;
		}
		shift = 0;
		while (i < len && shift < 64) {
			v |= (uint64_t)(msg[i] & 0x7f) << shift;
			shift += 7;
			if (!(msg[i++] & 0x80))
				break;
		}
		if ((key & 7) == 0)
			continue;
		if ((key & 7) != 2 || v > len - i)
			return NULL;
		if ((key >> 3) == field && nth-- == 0) {
			*out_len = (size_t)v;
			return msg + i;
		}
		i += (size_t)v;
	}
	return NULL;
}

/* Follows a chain of (field, 0th occurrence) pairs ending in 0. */
static const unsigned char *pb_path(const unsigned char *msg, size_t len,
				    size_t *out_len, ...)
{
	va_list ap;
	unsigned f;

	va_start(ap, out_len);
	for (f = va_arg(ap, unsigned); msg && f; f = va_arg(ap, unsigned))
		msg = pb_field(msg, len, f, 0, &len);
	va_end(ap);
	*out_len = len;
	return msg;
}

/* True if a pb string of length n equals s. */
static int pb_eq(const unsigned char *p, size_t n, const char *s)
{
	return p && n == strlen(s) && memcmp(p, s, n) == 0;
}

/*
 * The PATCH operation openapi.v2 lists for the item path `path`: the
 * Operation message of Document.paths(8).path(2)[name(1) == path].value(2).patch(8).
 */
static const unsigned char *pb_patch_op(const unsigned char *doc, size_t len,
					const char *path, size_t *op_len)
{
	size_t plen, ilen, nlen;
	const unsigned char *paths = pb_field(doc, len, 8, 0, &plen);
	const unsigned char *item, *name;
	int i;

	for (i = 0; paths && (item = pb_field(paths, plen, 2, i, &ilen)); i++) {
		name = pb_field(item, ilen, 1, 0, &nlen);
		if (pb_eq(name, nlen, path))
			return pb_path(item, ilen, op_len, 2u, 8u, 0u);
	}
	return NULL;
}

static void test_sim_kube_api__discovery(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	o = call(k, "GET", "/version", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("1", str(o, "major"));
	assert_string_equal("30", str(o, "minor"));
	assert_string_equal("v1.30.5-gke.1014001", str(o, "gitVersion"));
	json_object_put(o);
	o = call(k, "GET", "/api", NULL, NULL, NULL, &st);
	assert_string_equal("APIVersions", str(o, "kind"));
	assert_string_equal("v1", str(o, "versions[0]"));
	json_object_put(o);
	o = call(k, "GET", "/api/v1", NULL, NULL, NULL, &st);
	assert_string_equal("APIResourceList", str(o, "kind"));
	{
		const char *res = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

		assert_non_null(strstr(res, "\"name\":\"replicationcontrollers\""));
		assert_non_null(strstr(res, "\"shortNames\":[\"rc\"]"));
		assert_non_null(strstr(res, "\"shortNames\":[\"svc\"]"));
		assert_non_null(strstr(res, "\"shortNames\":[\"po\"]"));
		assert_non_null(strstr(res, "\"shortNames\":[\"ns\"]"));
		assert_non_null(strstr(res, "\"shortNames\":[\"cm\"]"));
		assert_non_null(strstr(res, "\"name\":\"replicationcontrollers\\/scale\"") ||
				strstr(res, "\"name\":\"replicationcontrollers/scale\""));
	}
	json_object_put(o);
	o = call(k, "GET", "/apis", NULL, NULL, NULL, &st);
	assert_string_equal("APIGroupList", str(o, "kind"));
	assert_string_equal("apps", str(o, "groups[0].name"));
	assert_string_equal("autoscaling/v2", str(o, "groups[1].preferredVersion.groupVersion"));
	assert_string_equal("autoscaling/v1", str(o, "groups[1].versions[1].groupVersion"));
	json_object_put(o);
	o = call(k, "GET", "/apis/apps/v1", NULL, NULL, NULL, &st);
	assert_non_null(strstr(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "\"shortNames\":[\"deploy\"]"));
	assert_non_null(strstr(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "\"shortNames\":[\"rs\"]"));
	json_object_put(o);
	o = call(k, "GET", "/apis/autoscaling/v1", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_non_null(strstr(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "\"shortNames\":[\"hpa\"]"));
	json_object_put(o);
	o = call(k, "GET", "/apis/coordination.k8s.io/v1", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	json_object_put(o);
	o = call(k, "GET", "/openapi/v3", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_non_null(str(o, "paths.api/v1.serverRelativeURL"));
	assert_true(strncmp(str(o, "paths.api/v1.serverRelativeURL"), "/openapi/v3/api/v1?",
			    19) == 0);
	json_object_put(o);
	o = call(k, "GET", "/openapi/v3/api/v1", "hash=1", NULL, NULL, &st);
	assert_int_equal(200, st);
	{
		const char *doc = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								      JSON_C_TO_STRING_NOSLASHESCAPE);

		assert_non_null(strstr(doc, "\"x-kubernetes-group-version-kind\":{\"group\":\"\","
				       "\"version\":\"v1\",\"kind\":\"ReplicationController\"}"));
		assert_non_null(strstr(doc, "\"name\":\"fieldValidation\",\"in\":\"query\""));
	}
	json_object_put(o);
	o = call(k, "GET", "/openapi/v3/apis/apps/v1", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_non_null(strstr(json_object_to_json_string(o), "Deployment"));
	json_object_put(o);
	{
		sim_response resp;

		send_req(k, "GET", "/openapi/v2", NULL, NULL,
			 "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", NULL,
			 &resp);
		assert_int_equal(200, resp.status);
		assert_string_equal("application/octet-stream", resp.content_type);
		assert_true(resp.body_len > 5);
		assert_memory_equal("\x0a\x03" "2.0", resp.body, 5);
		{
			/* kubectl 1.20's dry-run check: PATCH of the kind has the
			 * x-kubernetes-group-version-kind extension and dryRun */
			const unsigned char *doc = (const unsigned char *)resp.body;
			const unsigned char *op, *p;
			size_t oplen, n;

			op = pb_patch_op(doc, resp.body_len,
					 "/api/v1/namespaces/{namespace}/configmaps/{name}",
					 &oplen);
			assert_non_null(op);
			p = pb_path(op, oplen, &n, 13u, 1u, 0u);
			assert_true(pb_eq(p, n, "x-kubernetes-group-version-kind"));
			p = pb_path(op, oplen, &n, 13u, 2u, 2u, 0u);
			assert_true(pb_eq(p, n, "group: \"\"\nkind: \"ConfigMap\"\n"
					  "version: \"v1\"\n"));
			p = pb_path(op, oplen, &n, 8u, 1u, 2u, 3u, 4u, 0u);
			assert_true(pb_eq(p, n, "dryRun"));
			p = pb_path(op, oplen, &n, 8u, 1u, 2u, 3u, 2u, 0u);
			assert_true(pb_eq(p, n, "query"));
			op = pb_patch_op(doc, resp.body_len,
					 "/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
					 &oplen);
			assert_non_null(op);
			p = pb_path(op, oplen, &n, 13u, 2u, 2u, 0u);
			assert_true(pb_eq(p, n, "group: \"apps\"\nkind: \"Deployment\"\n"
					  "version: \"v1\"\n"));
			op = pb_patch_op(doc, resp.body_len, "/api/v1/nodes/{name}", &oplen);
			assert_non_null(op);
			assert_null(pb_patch_op(doc, resp.body_len, "/api/v1/widgets/{name}",
						&oplen));
		}
		sim_response_dispose(&resp);
	}
	o = call(k, "GET", "/openapi/v2", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("2.0", str(o, "swagger"));
	{
		json_object *paths, *item, *gvk, *params;

		assert_true(json_object_object_get_ex(o, "paths", &paths));
		assert_true(json_object_object_get_ex(
			paths, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
			&item));
		assert_non_null(item = json_object_object_get(item, "patch"));
		gvk = json_object_object_get(item, "x-kubernetes-group-version-kind");
		assert_string_equal("Deployment",
				    json_object_get_string(json_object_object_get(gvk, "kind")));
		params = json_object_object_get(item, "parameters");
		assert_string_equal("dryRun", json_object_get_string(json_object_object_get(
						      json_object_array_get_idx(params, 0), "name")));
	}
	json_object_put(o);
	o = call(k, "GET", "/api/v1/widgets", NULL, NULL, NULL, &st);
	assert_int_equal(404, st);
	json_object_put(o);
}

static void test_sim_kube_api__watch_streams_events(void **state)
{
	sim_kube *k = *state;
	sim_response resp;
	char buf[65536];
	ikc_buf all = IKC_BUF_INIT(1 << 20);
	ssize_t n;
	int st, i;

	json_object_put(create(k, "/api/v1/namespaces/default/configmaps",
			       "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":"
			       "{\"name\":\"w1\"}}"));
	send_req(k, "GET", "/api/v1/namespaces/default/configmaps",
		 "watch=1&timeoutSeconds=1", NULL, NULL, NULL, &resp);
	assert_int_equal(200, resp.status);
	assert_non_null(resp.stream);
	json_object_put(call(k, "PATCH", "/api/v1/namespaces/default/configmaps/w1", NULL,
			     "application/merge-patch+json", "{\"data\":{\"a\":\"b\"}}", &st));
	json_object_put(call(k, "DELETE", "/api/v1/namespaces/default/configmaps/w1", NULL,
			     NULL, NULL, &st));
	/* events for other resources do not show up */
	json_object_put(create(k, SVCS, SVC));
	for (i = 0; i < 1000; i++) {
		n = resp.stream(resp.stream_ctx, buf, sizeof(buf));
		if (n < 0)
			break;
		assert_int_equal(0, ikc_buf_put(&all, buf, (size_t)n));
	}
	assert_true(n < 0 || i == 1000);
	assert_non_null(strstr(all.ptr, "{\"type\":\"ADDED\",\"object\":{"));
	assert_non_null(strstr(all.ptr, "{\"type\":\"MODIFIED\""));
	assert_non_null(strstr(all.ptr, "{\"type\":\"DELETED\""));
	assert_null(strstr(all.ptr, "nginxservice"));
	ikc_buf_dispose(&all);
	sim_response_dispose(&resp);
}

static void test_sim_kube_api__watch_outlives_cluster(void **state)
{
	sim_kube *k = sim_kube_new("tmp", NULL);
	sim_response resp;
	char buf[4096];

	(void)state;
	send_req(k, "GET", "/api/v1/pods", "watch=true", NULL, NULL, NULL, &resp);
	assert_non_null(resp.stream);
	sim_kube_free(k);
	assert_true(resp.stream(resp.stream_ctx, buf, sizeof(buf)) < 0);
	sim_response_dispose(&resp);
}

static void test_sim_kube_api__get_is_fast(void **state)
{
	sim_kube *k = *state;
	sim_response resp;
	double t0;
	int i;

	json_object_put(create(k, RCS, RC));
	t0 = ikc_time_monotonic();
	for (i = 0; i < 5000; i++) {
		send_req(k, "GET", RCS "/nginx", NULL, NULL, NULL, NULL, &resp);
		assert_int_equal(200, resp.status);
		sim_response_dispose(&resp);
	}
	/* generous even under sanitizers: the HTTP layer needs the headroom */
	assert_true(ikc_time_monotonic() - t0 < 1.0);
}


static void test_sim_kube_api__apply_patch_dry_run_and_collections(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;

	/* server-side apply (JSON body) creates, then merges */
	o = call(k, "PATCH", "/api/v1/namespaces/default/configmaps/ssa",
		 "fieldManager=kubectl&force=false", "application/apply-patch+yaml",
		 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ssa\","
		 "\"labels\":{\"a\":\"1\"}},\"data\":{\"k\":\"v\"}}", &st);
	assert_int_equal(201, st);
	assert_string_equal("v", str(o, "data.k"));
	json_object_put(o);
	o = call(k, "PATCH", "/api/v1/namespaces/default/configmaps/ssa",
		 "fieldManager=kubectl", "application/apply-patch+yaml",
		 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ssa\","
		 "\"labels\":{\"a\":\"1\"}},\"data\":{\"k\":\"w\"}}", &st);
	assert_int_equal(200, st);
	assert_string_equal("w", str(o, "data.k"));
	json_object_put(o);
	/* YAML text is not understood: only the JSON form */
	o = call(k, "PATCH", "/api/v1/namespaces/default/configmaps/ssa", NULL,
		 "application/apply-patch+yaml", "apiVersion: v1\nkind: ConfigMap\n", &st);
	assert_int_equal(415, st);
	json_object_put(o);
	/* dryRun=All validates and answers but stores nothing */
	o = call(k, "POST", "/api/v1/namespaces/default/configmaps", "dryRun=All",
		 "application/json",
		 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"dry\","
		 "\"labels\":{\"a\":\"1\"}}}", &st);
	assert_int_equal(201, st);
	assert_string_equal("dry", str(o, "metadata.name"));
	json_object_put(o);
	o = call(k, "GET", "/api/v1/namespaces/default/configmaps/dry", NULL, NULL, NULL, &st);
	assert_int_equal(404, st);
	json_object_put(o);
	json_object_put(create(k, "/api/v1/namespaces/default/configmaps",
			       "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
			       "{\"name\":\"other\",\"labels\":{\"a\":\"2\"}}}"));
	/* DELETE on the collection with a selector */
	o = call(k, "DELETE", "/api/v1/namespaces/default/configmaps", "labelSelector=a=1",
		 NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("ConfigMapList", str(o, "kind"));
	assert_int_equal(1, json_object_array_length(ikc_json_path(o, "items")));
	json_object_put(o);
	o = call(k, "GET", "/api/v1/namespaces/default/configmaps", NULL, NULL, NULL, &st);
	assert_int_equal(1, json_object_array_length(ikc_json_path(o, "items")));
	assert_string_equal("other", str(o, "items[0].metadata.name"));
	json_object_put(o);
	/* PUT under another name is a BadRequest */
	o = call(k, "PUT", "/api/v1/namespaces/default/configmaps/other", NULL,
		 "application/json",
		 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}",
		 &st);
	assert_int_equal(400, st);
	assert_non_null(strstr(str(o, "message"), "does not match the name on the URL"));
	json_object_put(o);
	/* a cluster-scoped kind under a namespace does not exist */
	o = call(k, "GET", "/api/v1/namespaces/default/nodes", NULL, NULL, NULL, &st);
	assert_int_equal(404, st);
	json_object_put(o);
	o = call(k, "GET", "/api/v1/namespaces/default/status", NULL, NULL, NULL, &st);
	assert_int_equal(200, st);
	assert_string_equal("Namespace", str(o, "kind"));
	json_object_put(o);
}

static void test_sim_kube_api__more_kinds(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;
	sim_response resp;

	o = create(k, "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
		   "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"HorizontalPodAutoscaler\","
		   "\"metadata\":{\"name\":\"h\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":"
		   "\"v1\",\"kind\":\"ReplicationController\",\"name\":\"nginx\"},"
		   "\"minReplicas\":2,\"maxReplicas\":5,\"targetCPUUtilizationPercentage\":50}}");
	assert_string_equal("autoscaling/v1", str(o, "apiVersion"));
	assert_int_equal(50, num(o, "spec.targetCPUUtilizationPercentage"));
	json_object_put(o);
	o = call(k, "GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/h",
		 NULL, NULL, NULL, &st);
	assert_string_equal("autoscaling/v2", str(o, "apiVersion"));
	assert_int_equal(50, num(o, "spec.metrics[0].resource.target.averageUtilization"));
	json_object_put(o);
	o = create(k, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
		   "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":"
		   "{\"name\":\"l\"},\"spec\":{\"holderIdentity\":\"me\",\"leaseDurationSeconds\":15}}");
	assert_string_equal("me", str(o, "spec.holderIdentity"));
	json_object_put(o);
	o = call(k, "PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/l",
		 NULL, "application/json",
		 "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":"
		 "{\"name\":\"l\"},\"spec\":{\"holderIdentity\":\"you\"}}", &st);
	assert_int_equal(200, st);
	assert_string_equal("you", str(o, "spec.holderIdentity"));
	json_object_put(o);
	/* a running pod has a log; a pending one has not */
	sim_kube_set_pool(k, "p", 1, NULL, NULL);
	json_object_put(create(k, PODS,
			       "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
			       "\"solo\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}"));
	o = call(k, "GET", PODS "/solo/log", NULL, NULL, NULL, &st);
	assert_int_equal(400, st);
	json_object_put(o);
	sim_kube_tick(k, 1);
	o = call(k, "GET", PODS "/solo", NULL, NULL, NULL, &st);
	assert_string_equal("ContainerCreating",
			    str(o, "status.containerStatuses[0].state.waiting.reason"));
	json_object_put(o);
	sim_kube_tick(k, 9);
	send_req(k, "GET", PODS "/solo/log", NULL, NULL, NULL, NULL, &resp);
	assert_int_equal(200, resp.status);
	assert_string_equal("text/plain", resp.content_type);
	assert_non_null(strstr(resp.body, "solo"));
	sim_response_dispose(&resp);
}

static void test_sim_kube_api__node_loss_reschedules(void **state)
{
	sim_kube *k = *state;
	json_object *o;
	int st;
	size_t i;

	sim_kube_set_pool(k, "a", 2, "e2-standard-4", "europe-west1-b");
	json_object_put(create(k, RCS, RC));
	sim_kube_tick(k, 1);
	sim_kube_tick(k, 10);
	assert_int_equal(2, count_pods(k, "Running"));
	sim_kube_set_pool(k, "a", 1, "e2-standard-4", "europe-west1-b");
	sim_kube_tick(k, 11);
	sim_kube_tick(k, 20);
	assert_int_equal(2, count_pods(k, "Running"));
	o = call(k, "GET", "/api/v1/nodes", NULL, NULL, NULL, &st);
	assert_int_equal(1, json_object_array_length(ikc_json_path(o, "items")));
	assert_string_equal("4", str(o, "items[0].status.capacity.cpu"));
	json_object_put(o);
	o = call(k, "GET", PODS, NULL, NULL, NULL, &st);
	for (i = 0; i < 2; i++) {
		char path[64];

		snprintf(path, sizeof(path), "items[%zu].spec.nodeName", i);
		assert_non_null(strstr(str(o, path), "gke-demo-a-"));
	}
	assert_string_equal(str(o, "items[0].spec.nodeName"), str(o, "items[1].spec.nodeName"));
	json_object_put(o);
}

static void test_sim_kube_api__watch_as_table_from_version(void **state)
{
	sim_kube *k = *state;
	sim_response resp;
	char buf[65536], *rv;
	ikc_buf all = IKC_BUF_INIT(1 << 20);
	ssize_t n;
	int st, i;
	json_object *o;
	char q[64];

	json_object_put(create(k, "/api/v1/namespaces/default/configmaps",
			       "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":"
			       "{\"name\":\"old\"}}"));
	o = call(k, "GET", "/api/v1/namespaces/default/configmaps", NULL, NULL, NULL, &st);
	rv = strdup(str(o, "metadata.resourceVersion"));
	json_object_put(o);
	snprintf(q, sizeof(q), "watch=true&resourceVersion=%s&timeoutSeconds=1", rv);
	send_req(k, "GET", "/api/v1/namespaces/default/configmaps", q, NULL,
		 "application/json;as=Table;v=v1;g=meta.k8s.io,application/json", NULL, &resp);
	assert_non_null(resp.stream);
	json_object_put(create(k, "/api/v1/namespaces/default/configmaps",
			       "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":"
			       "{\"name\":\"new\"},\"data\":{\"a\":\"b\"}}"));
	for (i = 0; i < 1000; i++) {
		n = resp.stream(resp.stream_ctx, buf, 7);   /* tiny reads still work */
		if (n < 0)
			break;
		assert_int_equal(0, ikc_buf_put(&all, buf, (size_t)n));
		if (all.len && strstr(all.ptr, "\n"))
			break;
	}
	assert_non_null(all.ptr);
	/* only the newer object, as a Table row */
	assert_null(strstr(all.ptr, "\"old\""));
	assert_non_null(strstr(all.ptr, "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Table\""));
	assert_non_null(strstr(all.ptr, "\"cells\":[\"new\",1,"));
	ikc_buf_dispose(&all);
	sim_response_dispose(&resp);
	free(rv);
}


static void test_sim_kube_api__field_validation(void **state)
{
	sim_kube *k = *state;
	static const char typo[] =
		"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"metadata\":"
		"{\"name\":\"t\"},\"spec\":{\"replicaz\":3,\"selector\":{\"app\":\"t\"},"
		"\"template\":{\"metadata\":{\"labels\":{\"app\":\"t\"}},\"spec\":"
		"{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"imagez\":\"j\"}]}}}}";
	sim_response resp;
	json_object *o;
	int st;

	o = call(k, "POST", RCS, "fieldValidation=Strict", "application/json", typo, &st);
	assert_int_equal(400, st);
	assert_string_equal("BadRequest", str(o, "reason"));
	assert_string_equal("strict decoding error: unknown field \"spec.replicaz\", unknown "
			    "field \"spec.template.spec.containers[0].imagez\"", str(o, "message"));
	json_object_put(o);
	/* without Strict the unknown fields are dropped, with a warning */
	send_req(k, "POST", RCS, NULL, "application/json", NULL, typo, &resp);
	assert_int_equal(201, resp.status);
	assert_string_equal("Warning", resp.extra_header_name);
	assert_string_equal("299 - \"unknown field \\\"spec.replicaz\\\"\", 299 - \"unknown "
			    "field \\\"spec.template.spec.containers[0].imagez\\\"\"",
			    resp.extra_header_value);
	assert_null(strstr(resp.body, "replicaz"));
	assert_null(strstr(resp.body, "imagez"));
	assert_non_null(strstr(resp.body, "\"replicas\":1"));
	sim_response_dispose(&resp);
	o = call(k, "PATCH", RCS "/t", "fieldValidation=Strict", "application/merge-patch+json",
		 "{\"spec\":{\"minReadySecondz\":1}}", &st);
	assert_int_equal(400, st);
	json_object_put(o);
	o = call(k, "PATCH", RCS "/t", "fieldValidation=Strict", "application/merge-patch+json",
		 "{\"spec\":{\"minReadySeconds\":1}}", &st);
	assert_int_equal(200, st);
	json_object_put(o);
}


static void test_sim_kube_api__malformed_input_is_refused_not_fatal(void **state)
{
	sim_kube *k = *state;
	static const char *const colls[] = {
		"/api/v1/namespaces", "/api/v1/nodes", PODS, RCS, SVCS,
		"/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/default/secrets",
		"/apis/apps/v1/namespaces/default/deployments",
		"/apis/apps/v1/namespaces/default/replicasets",
		"/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers",
		"/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
		"/apis/coordination.k8s.io/v1/namespaces/default/leases",
	};
	static const char *const bodies[] = {
		"[]", "5", "\"s\"", "null", "", "{", "{\"metadata\":5}",
		"{\"metadata\":{\"name\":5}}",
		"{\"metadata\":{\"name\":\"x\",\"labels\":[1]}}",
		"{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":1}}}",
		"{\"metadata\":{\"name\":\"x\"},\"spec\":[]}",
		"{\"metadata\":{\"name\":\"x\"},\"spec\":{\"ports\":{}}}",
		"{\"metadata\":{\"name\":\"x\"},\"spec\":{\"type\":\"ExternalName\",\"ports\":[5]}}",
		"{\"metadata\":{\"name\":\"x\"},\"spec\":{\"selector\":\"a=b\"}}",
		"{\"metadata\":{\"name\":\"x\"},\"spec\":{\"selector\":{\"a\":5}}}",
		"{\"metadata\":{\"name\":\"x\"},\"spec\":{\"template\":{\"spec\":{\"containers\":[5]}}}}",
		"{\"metadata\":{\"name\":\"x\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\","
		"\"ports\":{},\"volumeMounts\":5}],\"volumes\":{}}}",
		"{\"metadata\":{\"name\":\"x\",\"ownerReferences\":[{\"uid\":5}]}}",
		"{\"metadata\":{\"name\":\"x\",\"ownerReferences\":{}}}",
		"{\"metadata\":{\"name\":\"x\",\"finalizers\":\"f\"}}",
		"{\"metadata\":{\"name\":\"x\"},\"spec\":{\"selector\":{\"matchLabels\":\"a\","
		"\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\"}]},\"template\":"
		"{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
		"\"image\":\"i\"}]}}}}",
		"{\"metadata\":{\"name\":\"y\"},\"spec\":{\"selector\":{\"matchExpressions\":"
		"[{\"key\":\"a\",\"operator\":\"Exists\"}]},\"template\":{\"metadata\":{\"labels\":"
		"{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}},"
		"\"replicas\":1,\"minReplicas\":\"x\",\"maxReplicas\":3,\"scaleTargetRef\":"
		"{\"kind\":\"Deployment\",\"name\":\"y\"},\"metrics\":5,\"behavior\":"
		"{\"scaleUp\":5}}}",
		"{\"metadata\":{\"name\":\"z\"},\"spec\":{\"replicas\":\"two\",\"ports\":"
		"[{\"port\":\"http\",\"nodePort\":\"x\"}],\"clusterIP\":5}}",
		"{\"metadata\":{\"name\":\"big\"},\"spec\":{\"replicas\":9223372036854775807}}",
	};
	static const char *const patches[][2] = {
		{"application/merge-patch+json", "{\"status\":{\"conditions\":5,"
		 "\"containerStatuses\":{},\"loadBalancer\":{\"ingress\":\"x\"},\"phase\":7}}"},
		{"application/strategic-merge-patch+json", "{\"spec\":{\"containers\":5}}"},
		{"application/strategic-merge-patch+json", "{\"spec\":{\"ports\":[5]}}"},
		{"application/strategic-merge-patch+json", "{\"$patch\":\"bogus\"}"},
		{"application/json-patch+json", "{}"},
		{"application/json-patch+json", "[{\"op\":\"add\",\"path\":\"\",\"value\":5}]"},
		{"application/json-patch+json", "[{\"op\":\"remove\",\"path\":\"/metadata\"}]"},
		{"application/merge-patch+json", "{\"metadata\":{\"finalizers\":[\"x\"]}}"},
	};
	size_t c, b, p;
	int st;
	json_object *o;

	sim_kube_set_pool(k, "p", 2, NULL, NULL);
	for (c = 0; c < sizeof(colls) / sizeof(colls[0]); c++)
		for (b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++) {
			char item[256];

			o = call(k, "POST", colls[c], NULL, "application/json", bodies[b], &st);
			if (!(st == 201 || (st >= 400 && st < 500)))
				fail_msg("POST %s %s -> %d", colls[c], bodies[b], st);
			json_object_put(o);
			snprintf(item, sizeof(item), "%s/x", colls[c]);
			o = call(k, "PUT", item, NULL, "application/json", bodies[b], &st);
			assert_true(st == 200 || (st >= 400 && st < 500));
			json_object_put(o);
			for (p = 0; p < sizeof(patches) / sizeof(patches[0]); p++) {
				char sub[300];

				o = call(k, "PATCH", item, NULL, patches[p][0], patches[p][1], &st);
				assert_true(st == 200 || (st >= 400 && st < 500));
				json_object_put(o);
				snprintf(sub, sizeof(sub), "%s/status", item);
				o = call(k, "PATCH", sub, NULL, patches[p][0], patches[p][1], &st);
				assert_true(st == 200 || (st >= 400 && st < 500));
				json_object_put(o);
			}
		}
	/* the controllers and printers cope with whatever got stored */
	sim_kube_tick(k, 1);
	sim_kube_tick(k, 30);
	for (c = 0; c < sizeof(colls) / sizeof(colls[0]); c++) {
		sim_response resp;
		char item[256];

		send_req(k, "GET", colls[c], NULL, NULL, "application/json;as=Table;v=v1;"
			 "g=meta.k8s.io", NULL, &resp);
		assert_int_equal(200, resp.status);
		sim_response_dispose(&resp);
		snprintf(item, sizeof(item), "%s/x", colls[c]);
		o = call(k, "DELETE", item, "propagationPolicy=Foreground", NULL, NULL, &st);
		json_object_put(o);
		o = call(k, "GET", colls[c], "labelSelector=a", NULL, NULL, &st);
		assert_int_equal(200, st);
		json_object_put(o);
	}
	sim_kube_tick(k, 31);
	sim_kube_tick(k, 40);
}


static void test_sim_kube_api__slow_watcher_gets_expired(void **state)
{
	sim_kube *k = *state;
	sim_response resp;
	char buf[65536], body[256];
	ikc_buf all = IKC_BUF_INIT(8 << 20);
	ssize_t n;
	int i;

	send_req(k, "GET", "/api/v1/namespaces/default/configmaps", "watch=1", NULL, NULL,
		 NULL, &resp);
	assert_non_null(resp.stream);
	/* more writes than the event ring holds, while the watcher sleeps */
	for (i = 0; i < 2100; i++) {
		snprintf(body, sizeof(body), "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
			 "\"metadata\":{\"name\":\"c%d\"}}", i);
		json_object_put(create(k, "/api/v1/namespaces/default/configmaps", body));
	}
	for (i = 0; i < 100; i++) {
		n = resp.stream(resp.stream_ctx, buf, sizeof(buf));
		if (n < 0)
			break;
		assert_int_equal(0, ikc_buf_put(&all, buf, (size_t)n));
	}
	assert_true(n < 0);
	assert_non_null(strstr(all.ptr, "{\"type\":\"ERROR\""));
	assert_non_null(strstr(all.ptr, "\"code\":410"));
	ikc_buf_dispose(&all);
	sim_response_dispose(&resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(test_sim_kube_api__##name, setup, teardown)
		T(rc_defaults),
		T(selector_defaulted_from_template),
		T(service_defaults_and_allocation),
		T(service_put_carries_over_and_ip_immutable),
		T(other_defaults),
		T(pod_defaults),
		T(errors),
		T(invalid_with_causes),
		T(conflict_on_stale_resource_version),
		T(generation_only_on_spec_change),
		T(smp_observed_kubectl_patches),
		T(smp_order_and_replace),
		T(merge_patch_on_scale),
		T(label_and_field_selectors),
		T(rc_with_nodes_runs_pods),
		T(no_nodes_pending),
		T(lb_ip_after_delay),
		T(save_load_round_trip),
		T(namespace_termination),
		T(finalizers_and_foreground),
		T(deployment_makes_replicaset),
		T(discovery),
		T(watch_streams_events),
		T(watch_outlives_cluster),
		T(get_is_fast),
		T(apply_patch_dry_run_and_collections),
		T(more_kinds),
		T(node_loss_reschedules),
		T(watch_as_table_from_version),
		T(field_validation),
		T(malformed_input_is_refused_not_fatal),
		T(slow_watcher_gets_expired),
#undef T
	};

	return cmocka_run_group_tests_name("sim_kube.api", tests, NULL, NULL);
}
