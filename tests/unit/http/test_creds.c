/* test_creds.c - credential loading errors, ready tokens, cluster CA decoding */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/x509.h>
#include <stdio.h>
#include <unistd.h>

#include "http/auth/google.h"
#include "http/auth/kube.h"
#include "testkey.h"
#include "util/errors.h"
#include "util/fs.h"

static char *g_pem;

static int setup(void **state)
{
	EVP_PKEY *k = testkey_new(&g_pem);

	(void)state;
	EVP_PKEY_free(k);
	unsetenv("GOOGLE_OAUTH_ACCESS_TOKEN");
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(g_pem);
	return 0;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* Loads key JSON text through a real file and returns the result code. */
static int load_text(const char *text, ikc_google_creds **out)
{
	char path[] = "/tmp/ikc-test-key-XXXXXX";
	int fd = mkstemp(path), error;

	assert_true(fd >= 0);
	assert_int_equal(0, ikc_fs_write_all(fd, text, strlen(text)));
	close(fd);
	error = ikc_google_creds_from_file(out, path);
	unlink(path);
	return error;
}

static void test_http_creds__no_credentials_says_what_to_set(void **state)
{
	ikc_google_creds *c = NULL;

	(void)state;
	assert_int_equal(IKC_ENOTFOUND, ikc_google_creds_from_env(&c));
	assert_null(c);
	assert_contains(ikc_error_last(), "GOOGLE_APPLICATION_CREDENTIALS");
	assert_contains(ikc_error_last(), "GOOGLE_OAUTH_ACCESS_TOKEN");
}

static void test_http_creds__missing_file_is_named(void **state)
{
	ikc_google_creds *c = NULL;

	(void)state;
	setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json", 1);
	assert_int_equal(IKC_EINVALID, ikc_google_creds_from_env(&c));
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	assert_contains(ikc_error_last(), "/nonexistent/key.json");
	assert_contains(ikc_error_last(), "does not exist");
}

static void test_http_creds__malformed_json(void **state)
{
	ikc_google_creds *c = NULL;

	(void)state;
	assert_int_equal(IKC_EINVALID, load_text("{\"type\": \"service_account\",", &c));
	assert_contains(ikc_error_last(), "service-account key file '/tmp/ikc-test-key-");
	assert_contains(ikc_error_last(), "truncated JSON");
	assert_int_equal(IKC_EINVALID, load_text("[1, 2]", &c));
	assert_contains(ikc_error_last(), "not a JSON object");
}

static void test_http_creds__missing_fields_are_named(void **state)
{
	ikc_google_creds *c = NULL;
	json_object *o;
	char *json;

	(void)state;
	json = testkey_json(g_pem, "https://oauth2.googleapis.com/token");
	o = json_tokener_parse(json);
	json_object_object_del(o, "private_key");
	assert_int_equal(IKC_EINVALID,
			 load_text(json_object_to_json_string(o), &c));
	assert_contains(ikc_error_last(), "no \"private_key\"");
	json_object_put(o);

	o = json_tokener_parse(json);
	json_object_object_del(o, "client_email");
	assert_int_equal(IKC_EINVALID,
			 load_text(json_object_to_json_string(o), &c));
	assert_contains(ikc_error_last(), "no \"client_email\"");
	json_object_put(o);

	o = json_tokener_parse(json);
	json_object_object_add(o, "type", json_object_new_string("authorized_user"));
	assert_int_equal(IKC_EINVALID,
			 load_text(json_object_to_json_string(o), &c));
	assert_contains(ikc_error_last(), "authorized_user");
	json_object_put(o);
	free(json);
}

static void test_http_creds__malformed_pem(void **state)
{
	ikc_google_creds *c = NULL;
	char *broken = strdup(g_pem), *json;

	(void)state;
	/* damage the base64 body in the middle of the key */
	memset(broken + 200, '!', 40);
	json = testkey_json(broken, "https://oauth2.googleapis.com/token");
	assert_int_equal(IKC_EINVALID, load_text(json, &c));
	assert_contains(ikc_error_last(), "private_key is not a valid PEM");
	free(json);
	json = testkey_json("not a key", "https://oauth2.googleapis.com/token");
	assert_int_equal(IKC_EINVALID, load_text(json, &c));
	assert_contains(ikc_error_last(), "BEGIN PRIVATE KEY");
	free(json);
	free(broken);
}

static void test_http_creds__valid_key_loads(void **state)
{
	ikc_google_creds *c = NULL;
	char *json = testkey_json(g_pem, "https://oauth2.googleapis.com/token");

	(void)state;
	assert_int_equal(0, load_text(json, &c));
	assert_string_equal("deployer@test-proj.iam.gserviceaccount.com",
			    ikc_google_creds_email(c));
	ikc_google_creds_free(c);
	free(json);
}

static void test_http_creds__ready_token_wins_and_is_used_as_is(void **state)
{
	ikc_google_creds *c = NULL;
	char *tok = NULL;

	(void)state;
	setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json", 1);
	setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.test-token-value", 1);
	assert_int_equal(0, ikc_google_creds_from_env(&c));
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	unsetenv("GOOGLE_OAUTH_ACCESS_TOKEN");
	/* no client needed: the token is never exchanged */
	assert_int_equal(0, ikc_google_token(c, NULL, &tok));
	assert_string_equal("ya29.test-token-value", tok);
	assert_null(ikc_google_creds_project(c));
	free(tok);
	ikc_google_creds_free(c);
}

/* base64 of a fresh self-signed certificate's PEM. */
static char *cert_b64(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	X509 *x = X509_new();
	BIO *bio = BIO_new(BIO_s_mem()), *b64 = BIO_new(BIO_f_base64());
	char *data = NULL, *out;
	long n;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"test-ca", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	BIO_set_flags(b64, BIO_FLAGS_BASE64_NO_NL);
	b64 = BIO_push(b64, bio);
	assert_int_equal(1, PEM_write_bio_X509(b64, x));
	(void)BIO_flush(b64);
	n = BIO_get_mem_data(bio, &data);
	out = strndup(data, (size_t)n);
	BIO_free_all(b64);
	X509_free(x);
	EVP_PKEY_free(k);
	return out;
}

static void test_http_creds__cluster_ca_from_base64(void **state)
{
	char *b64 = cert_b64(), *pem = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(0, ikc_kube_ca_from_base64(&pem, &len, b64));
	assert_true(!strncmp(pem, "-----BEGIN CERTIFICATE-----", 27));
	assert_int_equal(strlen(pem), len);
	free(pem);
	assert_int_equal(IKC_EINVALID, ikc_kube_ca_from_base64(&pem, &len, "aGVsbG8="));
	assert_contains(ikc_error_last(), "no PEM X.509");
	assert_int_equal(IKC_EINVALID, ikc_kube_ca_from_base64(&pem, &len, ""));
	assert_null(pem);
	free(b64);
}

static void test_http_creds__server_url(void **state)
{
	char *u = NULL;

	(void)state;
	assert_int_equal(0, ikc_kube_server_url(&u, "127.0.0.1:8443"));
	assert_string_equal("https://127.0.0.1:8443", u);
	free(u);
	assert_int_equal(0, ikc_kube_server_url(&u, "https://10.0.0.1/"));
	assert_string_equal("https://10.0.0.1", u);
	free(u);
	assert_int_equal(IKC_EINVALID, ikc_kube_server_url(&u, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_creds__no_credentials_says_what_to_set),
		cmocka_unit_test(test_http_creds__missing_file_is_named),
		cmocka_unit_test(test_http_creds__malformed_json),
		cmocka_unit_test(test_http_creds__missing_fields_are_named),
		cmocka_unit_test(test_http_creds__malformed_pem),
		cmocka_unit_test(test_http_creds__valid_key_loads),
		cmocka_unit_test(test_http_creds__ready_token_wins_and_is_used_as_is),
		cmocka_unit_test(test_http_creds__cluster_ca_from_base64),
		cmocka_unit_test(test_http_creds__server_url),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
