/* test_patch.c - the Kubernetes provider's three-way patch and ownership check (pure) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "providers/kubernetes/kube.h"
#include "util/buf.h"
#include "util/json.h"

static json_object *J(const char *text)
{
	json_object *v = NULL;

	if (!text)
		return NULL;
	assert_int_equal(0, ikc_json_parse(&v, text, strlen(text), "test"));
	return v;
}

/* Computes the patch and compares its canonical text with `want` (NULL: none). */
static void check(const char *api_version, const char *kind, const char *d,
		  const char *l, const char *c, int strategic,
		  const char *want)
{
	json_object *dj = J(d), *lj = J(l), *cj = J(c), *patch = NULL;
	json_object *wj = J(want);
	ikc_buf got = IKC_BUF_INIT(1 << 20), exp = IKC_BUF_INIT(1 << 20);

	assert_int_equal(0, ikc_kube_patch_compute(&patch, api_version, kind,
						   dj, lj, cj, strategic));
	if (!want) {
		if (patch) {
			assert_int_equal(0, ikc_json_canonical(&got, patch));
			fail_msg("expected no patch, got %s", got.ptr);
		}
	} else {
		assert_non_null(patch);
		assert_int_equal(0, ikc_json_canonical(&got, patch));
		assert_int_equal(0, ikc_json_canonical(&exp, wj));
		assert_string_equal(exp.ptr, got.ptr);
	}
	ikc_buf_dispose(&got);
	ikc_buf_dispose(&exp);
	json_object_put(patch);
	json_object_put(dj);
	json_object_put(lj);
	json_object_put(cj);
	json_object_put(wj);
}

#define RC_LIVE(replicas, ports) \
	"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\"," \
	"\"metadata\":{\"name\":\"nginx\",\"namespace\":\"default\"," \
	"\"uid\":\"u1\",\"resourceVersion\":\"7\",\"generation\":1," \
	"\"labels\":{\"app\":\"nginx\"}," \
	"\"annotations\":{\"team\":\"web\"}}," \
	"\"spec\":{\"replicas\":" replicas ",\"selector\":{\"app\":\"nginx\"}," \
	"\"template\":{\"metadata\":{\"labels\":{\"app\":\"nginx\"}}," \
	"\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\"," \
	"\"imagePullPolicy\":\"Always\",\"resources\":{}," \
	"\"ports\":" ports "}],\"restartPolicy\":\"Always\"," \
	"\"dnsPolicy\":\"ClusterFirst\"}}}," \
	"\"status\":{\"replicas\":2,\"readyReplicas\":2}}"

#define RC_DESIRED(replicas, ports) \
	"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\"," \
	"\"metadata\":{\"name\":\"nginx\"}," \
	"\"spec\":{\"replicas\":" replicas ",\"selector\":{\"app\":\"nginx\"}," \
	"\"template\":{\"metadata\":{\"labels\":{\"app\":\"nginx\"}}," \
	"\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\"," \
	"\"ports\":" ports "}]}}}}"

static void test_providers_kube_patch__only_changed_field(void **state)
{
	(void)state;
	check("v1", "ReplicationController",
	      RC_DESIRED("3", "[{\"containerPort\":80}]"),
	      RC_DESIRED("2", "[{\"containerPort\":80}]"),
	      RC_LIVE("2", "[{\"containerPort\":80,\"protocol\":\"TCP\"}]"),
	      1, "{\"spec\":{\"replicas\":3}}");
}

static void test_providers_kube_patch__unchanged_is_empty(void **state)
{
	(void)state;
	/* server defaults, status and someone else's annotation are not
	 * changes */
	check("v1", "ReplicationController",
	      RC_DESIRED("2", "[{\"containerPort\":80}]"),
	      RC_DESIRED("2", "[{\"containerPort\":80}]"),
	      RC_LIVE("2", "[{\"containerPort\":80,\"protocol\":\"TCP\"}]"),
	      1, NULL);
}

static void test_providers_kube_patch__removed_port_deleted_by_key(void **state)
{
	(void)state;
	check("v1", "ReplicationController",
	      RC_DESIRED("2", "[{\"containerPort\":80}]"),
	      RC_DESIRED("2", "[{\"containerPort\":80},"
			      "{\"containerPort\":443}]"),
	      RC_LIVE("2", "[{\"containerPort\":80,\"protocol\":\"TCP\"},"
			   "{\"containerPort\":443,\"protocol\":\"TCP\"}]"),
	      1,
	      "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
	      "\"nginx\",\"ports\":[{\"$patch\":\"delete\","
	      "\"containerPort\":443}]}]}}}}");
}

static void test_providers_kube_patch__added_port_keyed(void **state)
{
	(void)state;
	check("v1", "ReplicationController",
	      RC_DESIRED("2", "[{\"containerPort\":80},"
			      "{\"containerPort\":8080}]"),
	      RC_DESIRED("2", "[{\"containerPort\":80}]"),
	      RC_LIVE("2", "[{\"containerPort\":80,\"protocol\":\"TCP\"}]"),
	      1,
	      "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
	      "\"nginx\",\"ports\":[{\"containerPort\":8080}]}]}}}}");
}

static void test_providers_kube_patch__removed_map_member_is_null(void **state)
{
	(void)state;
	/* last applied had a label the file dropped: removed; a label
	 * another client added (not in last applied) stays */
	check("v1", "Service",
	      "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"type\":\"LoadBalancer\"}}",
	      "{\"metadata\":{\"name\":\"s\",\"labels\":{\"name\":\"s\"}},"
	      "\"spec\":{\"type\":\"LoadBalancer\"}}",
	      "{\"metadata\":{\"name\":\"s\",\"labels\":{\"name\":\"s\","
	      "\"other\":\"x\"}},\"spec\":{\"type\":\"LoadBalancer\","
	      "\"clusterIP\":\"10.0.0.1\"}}",
	      1, "{\"metadata\":{\"labels\":{\"name\":null}}}");
}

static void test_providers_kube_patch__service_port_key_and_loose_numbers(void **state)
{
	(void)state;
	check("v1", "Service",
	      "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":80},"
	      "{\"port\":81,\"targetPort\":9090}]}}",
	      "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":80},"
	      "{\"port\":81,\"targetPort\":8080},{\"port\":82}]}}",
	      "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":\"80\","
	      "\"protocol\":\"TCP\",\"nodePort\":31000},{\"port\":81,"
	      "\"targetPort\":8080,\"protocol\":\"TCP\"},{\"port\":82,"
	      "\"targetPort\":82,\"protocol\":\"TCP\"}]}}",
	      1,
	      "{\"spec\":{\"ports\":[{\"port\":81,\"targetPort\":9090},"
	      "{\"$patch\":\"delete\",\"port\":82}]}}");
}

static void test_providers_kube_patch__merge_patch_sends_lists_whole(void **state)
{
	(void)state;
	check("example.com/v1", "Widget",
	      "{\"spec\":{\"items\":[{\"name\":\"a\"}],\"size\":2}}",
	      "{\"spec\":{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
	      "\"size\":2,\"color\":\"red\"}}",
	      "{\"spec\":{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
	      "\"size\":2,\"color\":\"red\"}}",
	      0,
	      "{\"spec\":{\"color\":null,\"items\":[{\"name\":\"a\"}]}}");
}

static void test_providers_kube_patch__missing_live_subtree_copied(void **state)
{
	(void)state;
	check("v1", "ConfigMap",
	      "{\"data\":{\"a\":\"1\",\"b\":\"2\"}}", NULL,
	      "{\"metadata\":{\"name\":\"c\"}}", 1,
	      "{\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
}

static void test_providers_kube_patch__owned_by(void **state)
{
	json_object *ours = J("{\"metadata\":{\"labels\":{"
			      "\"app.kubernetes.io/managed-by\":\"ikc\","
			      "\"ikc.dev/stack\":\"nginx-asia\"}}}");
	json_object *other = J("{\"metadata\":{\"labels\":{"
			       "\"app.kubernetes.io/managed-by\":\"helm\","
			       "\"ikc.dev/stack\":\"nginx-asia\"}}}");
	json_object *bare = J("{\"metadata\":{\"name\":\"x\"}}");

	(void)state;
	assert_int_equal(1, ikc_kube_owned_by(ours, "nginx-asia"));
	assert_int_equal(0, ikc_kube_owned_by(ours, "other-stack"));
	assert_int_equal(0, ikc_kube_owned_by(other, "nginx-asia"));
	assert_int_equal(0, ikc_kube_owned_by(bare, "nginx-asia"));
	assert_int_equal(0, ikc_kube_owned_by(NULL, "nginx-asia"));
	json_object_put(ours);
	json_object_put(other);
	json_object_put(bare);
}

static void test_providers_kube_patch__builtin_groups(void **state)
{
	(void)state;
	assert_int_equal(1, ikc_kube_is_builtin("v1"));
	assert_int_equal(1, ikc_kube_is_builtin("apps/v1"));
	assert_int_equal(1, ikc_kube_is_builtin("autoscaling/v2"));
	assert_int_equal(1, ikc_kube_is_builtin("networking.k8s.io/v1"));
	assert_int_equal(1, ikc_kube_is_builtin(
				    "rbac.authorization.k8s.io/v1"));
	assert_int_equal(0, ikc_kube_is_builtin("cert-manager.io/v1"));
	assert_int_equal(0, ikc_kube_is_builtin("example.com/v1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_providers_kube_patch__only_changed_field),
		cmocka_unit_test(test_providers_kube_patch__unchanged_is_empty),
		cmocka_unit_test(test_providers_kube_patch__removed_port_deleted_by_key),
		cmocka_unit_test(test_providers_kube_patch__added_port_keyed),
		cmocka_unit_test(test_providers_kube_patch__removed_map_member_is_null),
		cmocka_unit_test(test_providers_kube_patch__service_port_key_and_loose_numbers),
		cmocka_unit_test(test_providers_kube_patch__merge_patch_sends_lists_whole),
		cmocka_unit_test(test_providers_kube_patch__missing_live_subtree_copied),
		cmocka_unit_test(test_providers_kube_patch__owned_by),
		cmocka_unit_test(test_providers_kube_patch__builtin_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
