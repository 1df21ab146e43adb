/* test_retry.c - Retry-After parsing, backoff bounds, header lookup, error messages */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static void test_http_retry__retry_after_seconds(void **state)
{
	double s = -1;

	(void)state;
	assert_int_equal(0, ikc_http_retry_after_parse(&s, "120", 0));
	assert_true(s == 120);
	assert_int_equal(0, ikc_http_retry_after_parse(&s, " 0 ", 0));
	assert_true(s == 0);
	assert_int_equal(IKC_EINVALID, ikc_http_retry_after_parse(&s, "-1", 0));
	assert_int_equal(IKC_EINVALID, ikc_http_retry_after_parse(&s, "1.5", 0));
	assert_int_equal(IKC_EINVALID, ikc_http_retry_after_parse(&s, "soon", 0));
	assert_int_equal(IKC_EINVALID, ikc_http_retry_after_parse(&s, NULL, 0));
	/* absurd values are clamped, not wrapped */
	assert_int_equal(0, ikc_http_retry_after_parse(
				&s, "99999999999999999999999999", 0));
	assert_true(s > 0 && s <= 86400.0 * 366);
}

static void test_http_retry__retry_after_http_date(void **state)
{
	/* Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 */
	const double t = 1445412480.0;
	double s = -1;

	(void)state;
	assert_int_equal(0, ikc_http_retry_after_parse(
				&s, "Wed, 21 Oct 2015 07:28:00 GMT", t - 30));
	assert_true(s > 29.9 && s < 30.1);
	/* a date in the past means "now" */
	assert_int_equal(0, ikc_http_retry_after_parse(
				&s, "Wed, 21 Oct 2015 07:28:00 GMT", t + 100));
	assert_true(s == 0);
}

static void test_http_retry__backoff_bounds(void **state)
{
	ikc_http_retry p = { 5, 60, 0.5, 4.0, NULL, NULL };
	double want_cap[] = { 0.5, 1.0, 2.0, 4.0, 4.0, 4.0 };
	double lo, hi;
	int a;

	(void)state;
	for (a = 1; a <= 6; a++) {
		lo = ikc_http_backoff(&p, a, 0.0);
		hi = ikc_http_backoff(&p, a, 0.999999);
		assert_true(lo >= want_cap[a - 1] / 2 - 1e-9);
		assert_true(hi <= want_cap[a - 1] + 1e-9);
		assert_true(hi > lo);
		/* out-of-range randomness stays inside the bounds */
		assert_true(ikc_http_backoff(&p, a, 7.0) <= want_cap[a - 1]);
		assert_true(ikc_http_backoff(&p, a, -3.0) >= want_cap[a - 1] / 2);
	}
	/* huge attempt numbers do not overflow */
	assert_true(ikc_http_backoff(&p, 100000, 0.5) <= 4.0);
	/* defaults: 0.25 s base, 20 s ceiling */
	assert_true(ikc_http_backoff(NULL, 1, 0.0) >= 0.125 - 1e-9);
	assert_true(ikc_http_backoff(NULL, 1, 0.999) <= 0.25);
	assert_true(ikc_http_backoff(NULL, 30, 0.999) <= 20.0);
	assert_true(ikc_http_backoff(NULL, 30, 0.0) >= 10.0);
}

static void set_headers(ikc_http_response *r, const char *raw)
{
	ikc_buf_clear(&r->headers);
	assert_int_equal(0, ikc_buf_puts(&r->headers, raw));
}

static void test_http_retry__header_lookup(void **state)
{
	ikc_http_response r = IKC_HTTP_RESPONSE_INIT;
	char *v;

	(void)state;
	set_headers(&r, "HTTP/1.1 429 Too Many Requests\r\n"
		    "content-type: application/json; charset=UTF-8\r\n"
		    "Retry-After:  3 \r\n"
		    "X-Retry-After-Not: 9\r\n\r\n");
	v = ikc_http_response_header(&r, "Retry-After");
	assert_string_equal("3", v);
	free(v);
	v = ikc_http_response_header(&r, "Content-Type");
	assert_string_equal("application/json; charset=UTF-8", v);
	free(v);
	assert_null(ikc_http_response_header(&r, "Retry"));
	assert_null(ikc_http_response_header(&r, "Location"));
	ikc_http_response_dispose(&r);
	assert_null(ikc_http_response_header(&r, "Retry-After"));
}

static int error_for(long status, const char *body, const char *method)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response r = IKC_HTTP_RESPONSE_INIT;
	int code;

	req.method = method;
	req.url = "https://example.test/v1/x";
	r.status = status;
	r.attempts = 1;
	assert_int_equal(0, ikc_buf_puts(&r.body, body));
	code = ikc_http_response_error(&req, &r);
	ikc_http_response_dispose(&r);
	return code;
}

static void test_http_retry__error_quotes_the_server(void **state)
{
	(void)state;
	assert_int_equal(IKC_ENOTFOUND, error_for(404,
		"{\"error\":{\"code\":404,\"message\":\"Not found: projects/p/"
		"locations/l/clusters/demo.\",\"status\":\"NOT_FOUND\"}}", "GET"));
	assert_contains(ikc_error_last(), "GET https://example.test/v1/x");
	assert_contains(ikc_error_last(), "404 NOT_FOUND: Not found: projects/p/");

	assert_int_equal(IKC_EEXISTS, error_for(409,
		"{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":"
		"\"services \\\"web\\\" already exists\",\"reason\":"
		"\"AlreadyExists\",\"code\":409}", "POST"));
	assert_contains(ikc_error_last(), "AlreadyExists: services \"web\" already exists");

	assert_int_equal(IKC_ECONFLICT, error_for(409,
		"{\"kind\":\"Status\",\"message\":\"Operation cannot be fulfilled\","
		"\"reason\":\"Conflict\"}", "PUT"));

	assert_int_equal(IKC_EREMOTE, error_for(400,
		"{\"error\":\"invalid_grant\",\"error_description\":"
		"\"Invalid JWT Signature.\"}", "POST"));
	assert_contains(ikc_error_last(), "invalid_grant: Invalid JWT Signature.");

	assert_int_equal(IKC_EREMOTE, error_for(502, "<html>Bad\ngateway</html>",
						NULL));
	assert_contains(ikc_error_last(), "HTTP 502: <html>Bad gateway</html>");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_retry__retry_after_seconds),
		cmocka_unit_test(test_http_retry__retry_after_http_date),
		cmocka_unit_test(test_http_retry__backoff_bounds),
		cmocka_unit_test(test_http_retry__header_lookup),
		cmocka_unit_test(test_http_retry__error_quotes_the_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
