/* test_quantity.c - Kubernetes quantities: the canonical text the API server returns */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/errors.h"
#include "util/quantity.h"

/* input -> what `kubectl get -o json` shows after the server stored it */
static const char *const canon[][2] = {
	{"1000m", "1"}, {"0.5", "500m"}, {"500m", "500m"}, {"1", "1"},
	{"1.5", "1500m"}, {"0.1", "100m"}, {"100m", "100m"}, {"1.5k", "1500"},
	{"1000", "1k"}, {"1k", "1k"}, {"2000M", "2G"}, {"1Gi", "1Gi"},
	{"1024Mi", "1Gi"}, {"0.5Gi", "512Mi"}, {"1.5Ki", "1536"}, {"512Ki", "512Ki"},
	{"1Ki", "1Ki"}, {"0.5Ki", "512"}, {"1.1Ki", "1126400m"}, {"1e3", "1e3"},
	{"1.5e3", "1500"}, {"1E3", "1e3"}, {"1e1", "10"}, {"0", "0"}, {"0Gi", "0"},
	{"0m", "0"}, {"-1", "-1"}, {"-500m", "-500m"}, {"-1Ki", "-1Ki"},
	{"+2", "2"}, {"0.0000000001", "1n"}, {"1.0000000001", "1000000001n"},
	{"0.000001", "1u"}, {"0.00001", "10u"}, {"128974848", "128974848"},
	{"129e6", "129e6"}, {"129M", "129M"}, {"123Mi", "123Mi"}, {"1E", "1E"},
	{"5Ei", "5Ei"}, {".5", "500m"}, {"007", "7"}, {"1.", "1"},
};

static void test_util_quantity__canonical(void **state)
{
	size_t i;
	char out[64];

	(void)state;
	for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		int rc = ikc_quantity_canonical(out, sizeof(out), canon[i][0]);

		if (rc != 0)
			fail_msg("%s: %s", canon[i][0], ikc_error_last());
		if (strcmp(out, canon[i][1]))
			fail_msg("%s: got %s, the API says %s", canon[i][0], out, canon[i][1]);
		/* the canonical text is canonical */
		assert_int_equal(0, ikc_quantity_canonical(out, sizeof(out), canon[i][1]));
		assert_string_equal(canon[i][1], out);
	}
}

static void test_util_quantity__invalid(void **state)
{
	static const char *const format[] = {"", "abc", "1x", "1Kb", "1.2.3", "1 Gi", "1e3x"};
	static const char *const suffix[] = {"1K", "1i", "1e", "1m3", "1kk", "1Gii", "Gi1", "--1"};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(format) / sizeof(format[0]); i++) {
		assert_int_equal(IKC_EINVALID, ikc_quantity_canonical(out, sizeof(out), format[i]));
		assert_string_equal(IKC_QUANTITY_FORMAT_MSG, ikc_error_last());
	}
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		assert_int_equal(IKC_EINVALID, ikc_quantity_canonical(out, sizeof(out), suffix[i]));
		assert_string_equal(IKC_QUANTITY_SUFFIX_MSG, ikc_error_last());
	}
	assert_int_equal(IKC_ELIMIT, ikc_quantity_canonical(
		out, sizeof(out), "1234567890123456789012345678901234567890123456789012345678901"));
}

static void test_util_quantity__compare(void **state)
{
	int c;

	(void)state;
	assert_int_equal(0, ikc_quantity_compare(&c, "0.5", "500m"));
	assert_int_equal(0, c);
	assert_int_equal(0, ikc_quantity_compare(&c, "1Gi", "1024Mi"));
	assert_int_equal(0, c);
	assert_int_equal(0, ikc_quantity_compare(&c, "1G", "1Gi"));
	assert_true(c < 0);
	assert_int_equal(0, ikc_quantity_compare(&c, "2", "1500m"));
	assert_true(c > 0);
	assert_int_equal(0, ikc_quantity_compare(&c, "-1", "0"));
	assert_true(c < 0);
	assert_int_equal(0, ikc_quantity_compare(&c, "0", "0m"));
	assert_int_equal(0, c);
	assert_int_equal(IKC_EINVALID, ikc_quantity_compare(&c, "x", "1"));
	assert_int_equal(-1, ikc_quantity_sign("-1m"));
	assert_int_equal(0, ikc_quantity_sign("0Ki"));
	assert_int_equal(1, ikc_quantity_sign("3"));
	assert_int_equal(0, ikc_quantity_sign("nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_quantity__canonical),
		cmocka_unit_test(test_util_quantity__invalid),
		cmocka_unit_test(test_util_quantity__compare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
