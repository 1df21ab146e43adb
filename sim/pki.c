/* pki.c - ikc-sim's keys and certificates: CAs, serving certs, RSA keys, RS256 checks */
#include "sim/pki.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"

static char *bio_take(BIO *bio)
{
	char *data = NULL, *out;
	long n = BIO_get_mem_data(bio, &data);

	if (n < 0)
		return NULL;
	out = malloc((size_t)n + 1);
	if (!out)
		return NULL;
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	return out;
}

static char *key_to_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;

	if (!bio)
		return NULL;
	if (PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1)
		out = bio_take(bio);
	BIO_free(bio);
	return out;
}

static char *cert_to_pem(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;

	if (!bio)
		return NULL;
	if (PEM_write_bio_X509(bio, cert) == 1)
		out = bio_take(bio);
	BIO_free(bio);
	return out;
}

static EVP_PKEY *key_from_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key;

	if (!bio)
		return NULL;
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return key;
}

static X509 *cert_from_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert;

	if (!bio)
		return NULL;
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return cert;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/* A certificate with the common fields set, valid from an hour ago for ten years. */
static X509 *cert_start(EVP_PKEY *key, const char *cn)
{
	X509 *cert = X509_new();
	X509_NAME *name;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	int ok = 0;

	if (!cert)
		return NULL;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto done;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)))
		goto done;
	if (X509_set_version(cert, 2) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(cert), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 86400) ||
	    X509_set_pubkey(cert, key) != 1)
		goto done;
	name = X509_get_subject_name(cert);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				       (const unsigned char *)cn, -1, -1, 0) != 1)
		goto done;
	ok = 1;
done:
	BN_free(bn);
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

int sim_pki_make_ca(char **key_pem, char **cert_pem, const char *cn)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int error = IKC_ERROR;

	*key_pem = NULL;
	*cert_pem = NULL;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!key)
		goto done;
	cert = cert_start(key, cn);
	if (!cert)
		goto done;
	if (X509_set_issuer_name(cert, X509_get_subject_name(cert)) != 1 ||
	    add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_ext(cert, cert, NID_key_usage,
		    "critical,digitalSignature,keyCertSign,cRLSign") ||
	    add_ext(cert, cert, NID_subject_key_identifier, "hash") ||
	    X509_sign(cert, key, EVP_sha256()) <= 0)
		goto done;
	*key_pem = key_to_pem(key);
	*cert_pem = cert_to_pem(cert);
	if (*key_pem && *cert_pem)
		error = 0;
done:
	if (error < 0) {
		free(*key_pem);
		free(*cert_pem);
		*key_pem = NULL;
		*cert_pem = NULL;
		ikc_error_set(IKC_ERR_SIM, "cannot make CA certificate");
	}
	X509_free(cert);
	EVP_PKEY_free(key);
	return error;
}

int sim_pki_make_server(char **key_pem, char **cert_pem, const char *ca_key_pem,
			const char *ca_cert_pem, const char *cn)
{
	EVP_PKEY *key = NULL, *ca_key = NULL;
	X509 *cert = NULL, *ca = NULL;
	int error = IKC_ERROR;

	*key_pem = NULL;
	*cert_pem = NULL;
	ca_key = key_from_pem(ca_key_pem);
	ca = cert_from_pem(ca_cert_pem);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!ca_key || !ca || !key)
		goto done;
	cert = cert_start(key, cn);
	if (!cert)
		goto done;
	if (X509_set_issuer_name(cert, X509_get_subject_name(ca)) != 1 ||
	    add_ext(cert, ca, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(cert, ca, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment") ||
	    add_ext(cert, ca, NID_ext_key_usage, "serverAuth") ||
	    add_ext(cert, ca, NID_subject_key_identifier, "hash") ||
	    add_ext(cert, ca, NID_authority_key_identifier, "keyid:always") ||
	    add_ext(cert, ca, NID_subject_alt_name,
		    "IP:127.0.0.1,DNS:localhost") ||
	    X509_sign(cert, ca_key, EVP_sha256()) <= 0)
		goto done;
	*key_pem = key_to_pem(key);
	*cert_pem = cert_to_pem(cert);
	if (*key_pem && *cert_pem)
		error = 0;
done:
	if (error < 0) {
		free(*key_pem);
		free(*cert_pem);
		*key_pem = NULL;
		*cert_pem = NULL;
		ikc_error_set(IKC_ERR_SIM, "cannot make serving certificate");
	}
	X509_free(cert);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	return error;
}

int sim_pki_make_rsa(char **key_pem)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);

	*key_pem = NULL;
	if (!key)
		return ikc_error_set(IKC_ERR_SIM, "cannot make RSA key");
	*key_pem = key_to_pem(key);
	EVP_PKEY_free(key);
	if (!*key_pem)
		return ikc_error_oom();
	return 0;
}

int sim_pki_verify_rs256(const char *key_pem, const void *data, size_t len,
			 const unsigned char *sig, size_t siglen)
{
	EVP_PKEY *key = key_from_pem(key_pem);
	EVP_MD_CTX *md = NULL;
	int error = IKC_ERROR, rc;

	if (!key)
		return ikc_error_set(IKC_ERR_SIM, "cannot read signing key");
	md = EVP_MD_CTX_new();
	if (!md)
		goto done;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1)
		goto done;
	rc = EVP_DigestVerify(md, sig, siglen, data, len);
	error = rc == 1 ? 0 : IKC_EINVALID;
done:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return error;
}

int sim_pki_sign_rs256(unsigned char **sig, size_t *siglen, const char *key_pem,
		       const void *data, size_t len)
{
	EVP_PKEY *key = key_from_pem(key_pem);
	EVP_MD_CTX *md = NULL;
	unsigned char *out = NULL;
	size_t n = 0;
	int error = IKC_ERROR;

	*sig = NULL;
	*siglen = 0;
	if (!key)
		return ikc_error_set(IKC_ERR_SIM, "cannot read signing key");
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &n, data, len) != 1)
		goto done;
	out = malloc(n);
	if (!out || EVP_DigestSign(md, out, &n, data, len) != 1)
		goto done;
	*sig = out;
	*siglen = n;
	out = NULL;
	error = 0;
done:
	if (error < 0)
		ikc_error_set(IKC_ERR_SIM, "cannot sign");
	free(out);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return error;
}

char *sim_b64url_encode(const void *data, size_t len)
{
	char *out = sim_b64_encode(data, len);
	size_t i, j = 0;

	if (!out)
		return NULL;
	for (i = 0; out[i] && out[i] != '='; i++)
		out[j++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	out[j] = '\0';
	return out;
}

char *sim_b64_encode(const void *data, size_t len)
{
	size_t n = 4 * ((len + 2) / 3) + 1;
	char *out;

	if (len > (size_t)0x3fffffff)
		return NULL;
	out = malloc(n);
	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

unsigned char *sim_b64_decode(const char *s, size_t len, size_t *outlen)
{
	char *std;
	unsigned char *out;
	size_t i, padded, pad = 0;
	int n;

	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len > (size_t)0x3fffffff || len % 4 == 1)
		return NULL;
	padded = (len + 3) / 4 * 4;
	std = malloc(padded + 1);
	out = malloc(padded / 4 * 3 + 1);
	if (!std || !out)
		goto fail;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		std[i] = c;
	}
	for (; i < padded; i++) {
		std[i] = '=';
		pad++;
	}
	std[padded] = '\0';
	n = EVP_DecodeBlock(out, (unsigned char *)std, (int)padded);
	if (n < 0 || (size_t)n < pad)
		goto fail;
	*outlen = (size_t)n - pad;
	out[*outlen] = '\0';
	free(std);
	return out;
fail:
	free(std);
	free(out);
	return NULL;
}

int sim_random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[64];
	size_t i;

	while (n > 0) {
		size_t k = n < sizeof(b) ? n : sizeof(b);

		if (RAND_bytes(b, (int)k) != 1)
			return ikc_error_set(IKC_ERR_SIM, "no random bytes");
		for (i = 0; i < k; i++) {
			*out++ = hex[b[i] >> 4];
			*out++ = hex[b[i] & 15];
		}
		n -= k;
	}
	*out = '\0';
	return 0;
}
