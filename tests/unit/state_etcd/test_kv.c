/* test_kv.c - the etcd gateway helpers: base64 of keys and values, prefix ranges, int64 fields */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "state/etcd/kv.h"
#include "util/errors.h"
#include "util/json.h"

static void test_state_etcd_kv__base64_round_trips_every_length(void **unused)
{
	unsigned char data[300];
	size_t len, i;

	(void)unused;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (len = 0; len <= sizeof(data); len++) {
		json_object *s = ikc_etcd_b64(data, len);
		ikc_buf out = IKC_BUF_INIT(1024);

		assert_non_null(s);
		assert_int_equal(0, ikc_etcd_unb64(&out, json_object_get_string(s)));
		assert_int_equal(len, out.len);
		if (len)
			assert_memory_equal(data, out.ptr, len);
		ikc_buf_dispose(&out);
		json_object_put(s);
	}
}

static void test_state_etcd_kv__base64_known_values(void **unused)
{
	json_object *s = ikc_etcd_b64s("a/lock");
	ikc_buf out = IKC_BUF_INIT(64);

	(void)unused;
	assert_string_equal("YS9sb2Nr", json_object_get_string(s));
	json_object_put(s);
	assert_int_equal(0, ikc_etcd_unb64(&out, "eA=="));
	assert_int_equal(1, out.len);
	assert_string_equal("x", out.ptr);
	ikc_buf_clear(&out);
	assert_int_equal(IKC_EINVALID, ikc_etcd_unb64(&out, "abc"));
	assert_int_equal(IKC_EINVALID, ikc_etcd_unb64(&out, "ab!?"));
	ikc_buf_dispose(&out);
}

static void test_state_etcd_kv__prefix_end(void **unused)
{
	char *e;

	(void)unused;
	e = ikc_etcd_prefix_end("ikc/web/state/");
	assert_string_equal("ikc/web/state0", e);
	free(e);
	e = ikc_etcd_prefix_end("a\xff\xff");
	assert_string_equal("b", e);
	free(e);
	e = ikc_etcd_prefix_end("\xff");
	assert_string_equal("", e);
	free(e);
}

static void test_state_etcd_kv__int64_fields_as_strings_or_numbers(void **unused)
{
	json_object *o = NULL;
	const char *text = "{\"a\":\"7587869542353478405\",\"b\":12,\"c\":null}";

	(void)unused;
	assert_int_equal(0, ikc_json_parse(&o, text, strlen(text), "test"));
	assert_true(ikc_etcd_int(o, "a") == 7587869542353478405LL);
	assert_true(ikc_etcd_int(o, "b") == 12);
	assert_true(ikc_etcd_int(o, "c") == 0);
	assert_true(ikc_etcd_int(o, "missing") == 0);
	assert_true(ikc_etcd_int(NULL, "a") == 0);
	json_object_put(o);
}

static void test_state_etcd_kv__bad_endpoint_lists(void **unused)
{
	const char *bad[] = { "", "host", ":2379", "h:", "h:12x", "a:1,,b:2",
			      "a:1,", "1.2.3.4:5,6.7.8.9" };
	ikc_etcd *e = NULL;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(IKC_EINVALID, ikc_etcd_new(&e, bad[i], 0));
		assert_null(e);
	}
	assert_int_equal(0, ikc_etcd_new(&e, "10.0.0.1:2379,[::1]:2379", 1));
	assert_string_equal("10.0.0.1:2379,[::1]:2379", ikc_etcd_hosts(e));
	ikc_etcd_free(e);
	ikc_etcd_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_etcd_kv__base64_round_trips_every_length),
		cmocka_unit_test(test_state_etcd_kv__base64_known_values),
		cmocka_unit_test(test_state_etcd_kv__prefix_end),
		cmocka_unit_test(test_state_etcd_kv__int64_fields_as_strings_or_numbers),
		cmocka_unit_test(test_state_etcd_kv__bad_endpoint_lists),
	};

	return cmocka_run_group_tests_name("state.etcd.kv", tests, NULL, NULL);
}
