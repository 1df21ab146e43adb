/* test_jwt.c - base64url coding and RS256 grant assertions verified with the public key */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/auth/base64.h"
#include "http/auth/google.h"
#include "http/auth/jwt.h"
#include "testkey.h"
#include "util/json.h"

static void check_b64url(const char *raw, size_t len, const char *want)
{
	unsigned char *back = NULL;
	size_t back_len = 0;
	char *enc = NULL;

	assert_int_equal(0, ikc_base64url_encode(&enc, raw, len));
	assert_string_equal(want, enc);
	assert_int_equal(0, ikc_base64url_decode(&back, &back_len, enc,
						 strlen(enc)));
	assert_int_equal(len, back_len);
	assert_memory_equal(raw, back, len);
	free(enc);
	free(back);
}

static void test_http_jwt__base64url_vectors(void **state)
{
	(void)state;
	/* RFC 4648 test vectors, without padding */
	check_b64url("", 0, "");
	check_b64url("f", 1, "Zg");
	check_b64url("fo", 2, "Zm8");
	check_b64url("foo", 3, "Zm9v");
	check_b64url("foob", 4, "Zm9vYg");
	check_b64url("fooba", 5, "Zm9vYmE");
	check_b64url("foobar", 6, "Zm9vYmFy");
	/* bytes whose standard encoding is "+/8=": the URL alphabet */
	check_b64url("\xfb\xff", 2, "-_8");
	check_b64url("\xff\xfe\xfd\xfc", 4, "__79_A");
}

static void test_http_jwt__base64url_rejects_garbage(void **state)
{
	unsigned char *out = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(IKC_EINVALID, ikc_base64url_decode(&out, &n, "Zm9vY", 5));
	assert_null(out);
	assert_int_equal(IKC_EINVALID, ikc_base64url_decode(&out, &n, "+/8", 3));
	assert_int_equal(IKC_EINVALID, ikc_base64url_decode(&out, &n, "Zm*v", 4));
	/* padded input is accepted */
	assert_int_equal(0, ikc_base64url_decode(&out, &n, "Zm8=", 4));
	assert_int_equal(2, n);
	assert_memory_equal("fo", out, 2);
	free(out);
}

/* Splits a JWT into its three parts, decoding the first two as JSON. */
static void split_jwt(const char *jwt, json_object **hdr, json_object **claims,
		      unsigned char **sig, size_t *sig_len, size_t *signed_len)
{
	const char *d1 = strchr(jwt, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	unsigned char *raw = NULL;
	size_t n = 0;

	assert_non_null(d1);
	assert_non_null(d2);
	assert_null(strchr(d2 + 1, '.'));
	assert_null(strchr(jwt, '='));   /* no padding anywhere */
	assert_int_equal(0, ikc_base64url_decode(&raw, &n, jwt, (size_t)(d1 - jwt)));
	assert_int_equal(0, ikc_json_parse(hdr, (char *)raw, n, "header"));
	free(raw);
	assert_int_equal(0, ikc_base64url_decode(&raw, &n, d1 + 1,
						 (size_t)(d2 - d1 - 1)));
	assert_int_equal(0, ikc_json_parse(claims, (char *)raw, n, "claims"));
	free(raw);
	assert_int_equal(0, ikc_base64url_decode(sig, sig_len, d2 + 1,
						 strlen(d2 + 1)));
	*signed_len = (size_t)(d2 - jwt);
}

/* The public half of `pkey`, through PEM, as a verifier would hold it. */
static EVP_PKEY *public_only(EVP_PKEY *pkey)
{
	BIO *bio = BIO_new(BIO_s_mem());
	EVP_PKEY *pub;

	assert_int_equal(1, PEM_write_bio_PUBKEY(bio, pkey));
	pub = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	assert_non_null(pub);
	BIO_free(bio);
	return pub;
}

static int verify(EVP_PKEY *pub, const char *data, size_t len,
		  const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	assert_int_equal(1, EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub));
	ok = EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)data, len);
	EVP_MD_CTX_free(md);
	return ok;
}

static void test_http_jwt__assertion_claims_and_signature(void **state)
{
	char *pem = NULL, *json, *jwt = NULL, *tampered;
	EVP_PKEY *pkey = testkey_new(&pem), *pub;
	ikc_google_creds *creds = NULL;
	json_object *hdr = NULL, *claims = NULL;
	unsigned char *sig = NULL;
	size_t sig_len = 0, signed_len = 0;
	const char *uri = "https://127.0.0.1:9/token";

	(void)state;
	json = testkey_json(pem, uri);
	assert_int_equal(0, ikc_google_creds_from_json(&creds, json, strlen(json),
						       "test key"));
	assert_string_equal("test-proj", ikc_google_creds_project(creds));
	assert_int_equal(0, ikc_google__assertion(&jwt, creds, 1700000000L));
	split_jwt(jwt, &hdr, &claims, &sig, &sig_len, &signed_len);

	assert_string_equal("RS256", ikc_json_str(hdr, "alg"));
	assert_string_equal("JWT", ikc_json_str(hdr, "typ"));
	assert_string_equal("kid-0123456789abcdef", ikc_json_str(hdr, "kid"));
	assert_string_equal("deployer@test-proj.iam.gserviceaccount.com",
			    ikc_json_str(claims, "iss"));
	assert_string_equal("https://www.googleapis.com/auth/cloud-platform",
			    ikc_json_str(claims, "scope"));
	assert_string_equal(uri, ikc_json_str(claims, "aud"));
	assert_int_equal(1700000000L,
			 json_object_get_int64(ikc_json_path(claims, "iat")));
	assert_int_equal(1700000000L + 3600,
			 json_object_get_int64(ikc_json_path(claims, "exp")));

	/* RSASSA-PKCS1-v1_5 SHA-256 over "header.claims", 2048-bit key */
	assert_int_equal(256, sig_len);
	pub = public_only(pkey);
	assert_int_equal(1, verify(pub, jwt, signed_len, sig, sig_len));
	/* one changed byte in the signed part breaks it */
	tampered = strdup(jwt);
	tampered[signed_len - 2] = tampered[signed_len - 2] == 'A' ? 'B' : 'A';
	assert_int_not_equal(1, verify(pub, tampered, signed_len, sig, sig_len));

	free(tampered);
	free(sig);
	json_object_put(hdr);
	json_object_put(claims);
	free(jwt);
	ikc_google_creds_free(creds);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(pkey);
	free(json);
	free(pem);
}

static void test_http_jwt__sign_is_deterministic_rs256(void **state)
{
	char *pem = NULL, *a = NULL, *b = NULL;
	EVP_PKEY *pkey = testkey_new(&pem);
	ikc_jwt_key *key = NULL;

	(void)state;
	assert_int_equal(0, ikc_jwt_key_from_pem(&key, pem, strlen(pem)));
	assert_int_equal(0, ikc_jwt_sign_rs256(&a, key, "{\"alg\":\"RS256\"}", "{}"));
	assert_int_equal(0, ikc_jwt_sign_rs256(&b, key, "{\"alg\":\"RS256\"}", "{}"));
	/* PKCS#1 v1.5 has no randomness (PSS would differ each time) */
	assert_string_equal(a, b);
	assert_true(!strncmp(a, "eyJhbGciOiJSUzI1NiJ9.e30.", 25));
	free(a);
	free(b);
	ikc_jwt_key_free(key);
	EVP_PKEY_free(pkey);
	free(pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_jwt__base64url_vectors),
		cmocka_unit_test(test_http_jwt__base64url_rejects_garbage),
		cmocka_unit_test(test_http_jwt__assertion_claims_and_signature),
		cmocka_unit_test(test_http_jwt__sign_is_deterministic_rs256),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
