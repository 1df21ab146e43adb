/* test_patch.c - the patch and selector engines of sim/kube on their own */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sim/kube/kube.h"
#include "util/json.h"

/* The library is linked whole; the core's symbols it never calls here. */
void sim_response_dispose(sim_response *resp)
{
	(void)resp;
}

static json_object *J(const char *s)
{
	json_object *o = NULL;

	assert_int_equal(0, ikc_json_parse(&o, s, strlen(s), "test json"));
	return o;
}

static void assert_json(const char *want, json_object *got)
{
	json_object *w = J(want);

	if (!json_object_equal(w, got))
		fail_msg("want %s\n got %s", want,
			 json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN));
	json_object_put(w);
}

static void test_sim_kube_patch__merge_patch_rfc7386(void **state)
{
	json_object *t = J("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"},\"l\":[1,2]}");
	json_object *p = J("{\"a\":\"z\",\"c\":{\"f\":null},\"l\":[3],\"n\":{\"x\":null,\"y\":1}}");

	(void)state;
	t = kube__merge_patch(t, p);
	assert_json("{\"a\":\"z\",\"c\":{\"d\":\"e\"},\"l\":[3],\"n\":{\"y\":1}}", t);
	json_object_put(t);
	json_object_put(p);
}

static void test_sim_kube_patch__json_patch_rfc6902(void **state)
{
	json_object *doc = J("{\"a\":{\"b\":[1,2,3]},\"x~y\":1,\"s/t\":2}");
	json_object *ops = J("[{\"op\":\"add\",\"path\":\"/a/b/1\",\"value\":9},"
			     "{\"op\":\"remove\",\"path\":\"/a/b/0\"},"
			     "{\"op\":\"add\",\"path\":\"/a/b/-\",\"value\":4},"
			     "{\"op\":\"replace\",\"path\":\"/x~0y\",\"value\":5},"
			     "{\"op\":\"move\",\"from\":\"/s~1t\",\"path\":\"/m\"},"
			     "{\"op\":\"copy\",\"from\":\"/m\",\"path\":\"/c\"},"
			     "{\"op\":\"test\",\"path\":\"/c\",\"value\":2}]");
	json_object *bad = J("[{\"op\":\"replace\",\"path\":\"/nope/x\",\"value\":1}]");
	json_object *failing = J("[{\"op\":\"test\",\"path\":\"/c\",\"value\":3}]");
	char *err = NULL;

	(void)state;
	assert_int_equal(0, kube__json_patch(&doc, ops, &err));
	assert_json("{\"a\":{\"b\":[9,2,3,4]},\"x~y\":5,\"m\":2,\"c\":2}", doc);
	assert_int_equal(-1, kube__json_patch(&doc, bad, &err));
	assert_non_null(strstr(err, "/nope/x"));
	free(err);
	assert_int_equal(-1, kube__json_patch(&doc, failing, &err));
	free(err);
	json_object_put(doc);
	json_object_put(ops);
	json_object_put(bad);
	json_object_put(failing);
}

static void test_sim_kube_patch__smp_directives(void **state)
{
	const kube_kind *pod = kube__kind_by_kind("Pod");
	json_object *t = J("{\"metadata\":{\"finalizers\":[\"a\"],\"labels\":{\"x\":\"1\"}},"
			   "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\","
			   "\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}],"
			   "\"args\":[\"p\",\"q\"]}],"
			   "\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}}}}");
	json_object *p = J("{\"metadata\":{\"finalizers\":[\"b\",\"a\"],"
			   "\"$deleteFromPrimitiveList/finalizers\":[\"a\"]},"
			   "\"spec\":{\"containers\":[{\"name\":\"c\",\"args\":[\"r\"],"
			   "\"env\":[{\"name\":\"B\",\"$patch\":\"delete\"},{\"name\":\"C\",\"value\":\"3\"}]}],"
			   "\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}");
	json_object *r = J("{\"spec\":{\"$patch\":\"replace\",\"only\":true}}");
	char *err = NULL;

	(void)state;
	assert_int_equal(0, kube__smp(t, p, pod, &err));
	assert_json("{\"metadata\":{\"finalizers\":[\"b\"],\"labels\":{\"x\":\"1\"}},"
		    "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\","
		    "\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"C\",\"value\":\"3\"}],"
		    "\"args\":[\"r\"]}],\"strategy\":{\"type\":\"Recreate\"}}}", t);
	assert_int_equal(0, kube__smp(t, r, pod, &err));
	assert_json("{\"metadata\":{\"finalizers\":[\"b\"],\"labels\":{\"x\":\"1\"}},"
		    "\"spec\":{\"only\":true}}", t);
	json_object_put(r);
	/* an element of a keyed list without its merge key is an error */
	r = J("{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}");
	assert_int_equal(-1, kube__smp(t, r, pod, &err));
	assert_non_null(strstr(err, "merge key"));
	free(err);
	json_object_put(r);
	json_object_put(t);
	json_object_put(p);
}

static void test_sim_kube_patch__label_selector_parsing(void **state)
{
	json_object *labels = J("{\"app\":\"web\",\"tier\":\"fe\",\"env\":\"prod\"}");
	static const struct {
		const char *sel;
		int ok, match;
	} cases[] = {
		{"app=web", 1, 1}, {"app==web", 1, 1}, {"app!=web", 1, 0},
		{"app=db", 1, 0}, {"app in (web,db)", 1, 1}, {"app in (db)", 1, 0},
		{"app notin (db, cache)", 1, 1}, {"tier", 1, 1}, {"!tier", 1, 0},
		{"!missing", 1, 1}, {"missing", 1, 0}, {" app = web , env in (prod) ", 1, 1},
		{"missing!=x", 1, 1}, {"", 1, 1},
		{"app in web", 0, 0}, {"app in (web", 0, 0}, {"app=web,", 0, 0},
		{"=web", 0, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = NULL;
		kube_selector *s = kube__selector_parse(cases[i].sel, &err);

		if (!cases[i].ok) {
			if (s)
				fail_msg("'%s' parsed", cases[i].sel);
			assert_non_null(err);
			free(err);
			continue;
		}
		if (!s)
			fail_msg("'%s' did not parse: %s", cases[i].sel, err);
		if (kube__selector_labels(s, labels) != cases[i].match)
			fail_msg("'%s' match is not %d", cases[i].sel, cases[i].match);
		kube__selector_free(s);
	}
	json_object_put(labels);
}

static void test_sim_kube_patch__field_selectors_and_label_selector_objects(void **state)
{
	json_object *pod = J("{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\","
			     "\"labels\":{\"app\":\"web\"}},\"status\":{\"phase\":\"Running\"}}");
	json_object *sel = J("{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":"
			     "[{\"key\":\"tier\",\"operator\":\"DoesNotExist\"},"
			     "{\"key\":\"app\",\"operator\":\"In\",\"values\":[\"web\",\"x\"]}]}");
	char *err = NULL, *text;
	kube_selector *f = kube__field_selector_parse(
		"metadata.name=p,status.phase!=Pending,metadata.namespace==default", &err);

	(void)state;
	assert_non_null(f);
	assert_int_equal(1, kube__selector_fields(f, pod));
	kube__selector_free(f);
	f = kube__field_selector_parse("status.phase=Pending", &err);
	assert_int_equal(0, kube__selector_fields(f, pod));
	kube__selector_free(f);
	assert_null(kube__field_selector_parse("metadata.name in (p)", &err));
	free(err);
	assert_int_equal(1, kube__match_label_selector(sel, ikc_json_path(pod, "metadata.labels")));
	text = kube__selector_string(sel);
	assert_string_equal("app=web,!tier,app in (web,x)", text);
	free(text);
	json_object_put(sel);
	sel = J("{\"app\":\"web\",\"x\":\"y\"}");
	assert_int_equal(0, kube__match_map(sel, ikc_json_path(pod, "metadata.labels")));
	text = kube__selector_string(sel);
	assert_string_equal("app=web,x=y", text);
	free(text);
	json_object_put(sel);
	json_object_put(pod);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_kube_patch__merge_patch_rfc7386),
		cmocka_unit_test(test_sim_kube_patch__json_patch_rfc6902),
		cmocka_unit_test(test_sim_kube_patch__smp_directives),
		cmocka_unit_test(test_sim_kube_patch__label_selector_parsing),
		cmocka_unit_test(test_sim_kube_patch__field_selectors_and_label_selector_objects),
	};

	return cmocka_run_group_tests_name("sim_kube.patch", tests, NULL, NULL);
}
