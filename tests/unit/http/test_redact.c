/* test_redact.c - debug logs of HTTP calls name the call but never the token */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/auth/google.h"
#include "http/http.h"
#include "util/buf.h"
#include "util/log.h"

static ikc_buf g_log = IKC_BUF_INIT(1 << 20);
static int g_port;

static void sink(ikc_log_level level, const char *line)
{
	(void)level;
	(void)ikc_buf_puts(&g_log, line);
	(void)ikc_buf_puts(&g_log, "\n");
}

/* A localhost port that refuses connections: bind, never listen. */
static int setup(void **state)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	g_port = ntohs(a.sin_port);
	*state = (void *)(intptr_t)fd;
	ikc_log_set_sink(sink);
	ikc_log_set_level(IKC_LOG_DEBUG);
	return 0;
}

static int teardown(void **state)
{
	close((int)(intptr_t)*state);
	ikc_buf_dispose(&g_log);
	ikc_log_set_sink(NULL);
	ikc_redact_reset();
	return 0;
}

static void test_http_redact__token_never_in_debug_log(void **state)
{
	const char *secret = "ya29.super-secret-token-0123456789";
	ikc_google_creds *creds = NULL;
	ikc_http_client *c = NULL;
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	ikc_http_retry once = { 1, 0, 0, 0, NULL, NULL };
	char url[256];

	(void)state;
	assert_int_equal(0, ikc_google_creds_from_token(&creds, secret));
	assert_int_equal(0, ikc_http_client_new(&c, NULL));
	/* The token even appears in the URL: the log must still hide it. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/x?access_token=%s",
		 g_port, secret);
	req.url = url;
	req.token_fn = ikc_google_token_fn;
	req.token_ctx = creds;
	req.retry = &once;
	assert_int_equal(IKC_ERROR, ikc_http_do(c, &req, &resp));
	assert_int_equal(1, resp.attempts);
	assert_int_equal(0, resp.status);
	assert_non_null(strstr(resp.error_msg, "Connection refused") ?
			resp.error_msg : strstr(resp.error_msg, "connect"));

	assert_non_null(g_log.ptr);
	assert_non_null(strstr(g_log.ptr, "http: GET http://127.0.0.1:"));
	assert_non_null(strstr(g_log.ptr, "[REDACTED]"));
	assert_null(strstr(g_log.ptr, "super-secret"));
	ikc_http_response_dispose(&resp);
	ikc_http_client_free(c);
	ikc_google_creds_free(creds);
}

static void test_http_redact__refused_connection_is_retried(void **state)
{
	ikc_http_client *c = NULL;
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	ikc_http_retry three = { 3, 10, 0.01, 0.02, NULL, NULL };
	ikc_http_stats st;
	char url[128];

	(void)state;
	assert_int_equal(0, ikc_http_client_new(&c, NULL));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", g_port);
	req.url = url;
	req.retry = &three;
	assert_int_equal(IKC_ERROR, ikc_http_do(c, &req, &resp));
	assert_int_equal(3, resp.attempts);
	assert_non_null(strstr(resp.error_msg, "after 3 attempts"));
	ikc_http_client_stats(c, &st);
	assert_int_equal(3, st.attempts);
	assert_int_equal(2, st.retries);
	ikc_http_response_dispose(&resp);
	ikc_http_client_free(c);
}

static void test_http_redact__interrupted_client_starts_nothing(void **state)
{
	ikc_http_client *c = NULL;
	ikc_http_request req[2] = { IKC_HTTP_REQUEST_INIT, IKC_HTTP_REQUEST_INIT };
	ikc_http_response resp[2] = { IKC_HTTP_RESPONSE_INIT, IKC_HTTP_RESPONSE_INIT };

	(void)state;
	assert_int_equal(0, ikc_http_client_new(&c, NULL));
	ikc_http_client_interrupt(c);
	assert_true(ikc_http_client_interrupted(c));
	req[0].url = req[1].url = "http://127.0.0.1:1/";
	assert_int_equal(IKC_EINTERRUPTED, ikc_http_do_many(c, req, resp, 2));
	assert_int_equal(0, resp[0].attempts);
	assert_int_equal(IKC_EINTERRUPTED, resp[1].error);
	ikc_http_response_dispose(&resp[0]);
	ikc_http_response_dispose(&resp[1]);
	ikc_http_client_free(c);
}

static void test_http_redact__bad_requests_are_refused(void **state)
{
	ikc_http_client *c = NULL;
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	ikc_http_options o = IKC_HTTP_OPTIONS_INIT;

	(void)state;
	assert_int_equal(0, ikc_http_client_new(&c, NULL));
	req.url = "ftp://example.test/";
	assert_int_equal(IKC_EINVALID, ikc_http_do(c, &req, &resp));
	assert_non_null(strstr(ikc_error_last(), "bad URL"));
	ikc_http_response_dispose(&resp);
	ikc_http_client_free(c);
	/* an unreadable CA bundle is reported when the client is made */
	o.ca_bundle = "/nonexistent/ca.pem";
	assert_int_equal(IKC_EINVALID, ikc_http_client_new(&c, &o));
	assert_null(c);
	assert_non_null(strstr(ikc_error_last(), "/nonexistent/ca.pem"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_redact__token_never_in_debug_log),
		cmocka_unit_test(test_http_redact__refused_connection_is_retried),
		cmocka_unit_test(test_http_redact__interrupted_client_starts_nothing),
		cmocka_unit_test(test_http_redact__bad_requests_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
