/* jwt.c - RS256 JWT signing with OpenSSL's EVP_DigestSign */
#include "http/auth/jwt.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth/base64.h"
#include "util/buf.h"
#include "util/errors.h"

struct ikc_jwt_key {
	EVP_PKEY *pkey;
};

/* The newest OpenSSL error as text, or a fallback. */
static const char *ssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (!e)
		return "unknown error";
	ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

int ikc_jwt_key_from_pem(ikc_jwt_key **out, const char *pem, size_t len)
{
	ikc_jwt_key *key = NULL;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	char why[256];
	int error = 0;

	*out = NULL;
	if (!pem || !len || !strstr(pem, "-----BEGIN") ||
	    !strstr(pem, "PRIVATE KEY-----"))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "private_key is not a PEM private "
					  "key (no \"-----BEGIN PRIVATE "
					  "KEY-----\" block)");
	if (len > INT32_MAX)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "private_key is too large");
	ERR_clear_error();
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		error = ikc_error_oom();
		goto done;
	}
	/* A NULL password callback would prompt on the terminal; "" refuses
	 * encrypted keys instead. */
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	if (!pkey) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "private_key is not a valid PEM "
					   "private key (%s)",
					   ssl_reason(why, sizeof(why)));
		goto done;
	}
	if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "private_key is not an RSA key "
					   "(RS256 needs RSA)");
		goto done;
	}
	key = calloc(1, sizeof(*key));
	if (!key) {
		error = ikc_error_oom();
		goto done;
	}
	key->pkey = pkey;
	pkey = NULL;
	*out = key;
done:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	ERR_clear_error();
	return error;
}

void ikc_jwt_key_free(ikc_jwt_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

int ikc_jwt_sign_rs256(char **out, ikc_jwt_key *key, const char *header_json,
		       const char *claims_json)
{
	ikc_buf input = IKC_BUF_INIT(0);
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL;
	char *h64 = NULL, *c64 = NULL, *s64 = NULL, *jwt = NULL;
	size_t siglen = 0;
	char why[256];
	int error;

	*out = NULL;
	error = ikc_base64url_encode(&h64, header_json, strlen(header_json));
	if (error < 0)
		goto done;
	error = ikc_base64url_encode(&c64, claims_json, strlen(claims_json));
	if (error < 0)
		goto done;
	error = ikc_buf_printf(&input, "%s.%s", h64, c64);
	if (error < 0)
		goto done;
	md = EVP_MD_CTX_new();
	if (!md) {
		error = ikc_error_oom();
		goto done;
	}
	/* RSA keys default to PKCS#1 v1.5 padding: exactly RS256. */
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key->pkey) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)input.ptr,
			   input.len) != 1) {
		error = ikc_error_set(IKC_ERR_AUTH, "cannot sign JWT: %s",
				      ssl_reason(why, sizeof(why)));
		goto done;
	}
	sig = malloc(siglen);
	if (!sig) {
		error = ikc_error_oom();
		goto done;
	}
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input.ptr,
			   input.len) != 1) {
		error = ikc_error_set(IKC_ERR_AUTH, "cannot sign JWT: %s",
				      ssl_reason(why, sizeof(why)));
		goto done;
	}
	error = ikc_base64url_encode(&s64, sig, siglen);
	if (error < 0)
		goto done;
	error = ikc_buf_printf(&input, ".%s", s64);
	if (error < 0)
		goto done;
	jwt = ikc_buf_detach(&input);
	if (!jwt) {
		error = ikc_error_oom();
		goto done;
	}
	*out = jwt;
done:
	EVP_MD_CTX_free(md);
	free(sig);
	free(h64);
	free(c64);
	free(s64);
	ikc_buf_dispose(&input);
	return error;
}
