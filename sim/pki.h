#ifndef IKC_SIM_PKI_H
#define IKC_SIM_PKI_H

/*
 * Keys and certificates for ikc-sim (OpenSSL).  Everything crosses this
 * header as PEM text so no OpenSSL type leaves sim/pki.c.
 */

#include <stddef.h>  /* for size_t */

/**
 * A new self-signed CA (EC P-256) named `cn`.  *key_pem and *cert_pem are
 * owned by the caller.  0 or IKC_ERROR.
 */
int sim_pki_make_ca(char **key_pem, char **cert_pem, const char *cn);

/**
 * A new serving certificate for 127.0.0.1 and localhost (SAN IP + DNS),
 * signed by the CA given as PEM.  Outputs owned.  0 or IKC_ERROR.
 */
int sim_pki_make_server(char **key_pem, char **cert_pem, const char *ca_key_pem,
			const char *ca_cert_pem, const char *cn);

/** A new RSA-2048 private key as unencrypted PKCS#8 PEM (owned). 0 or IKC_ERROR. */
int sim_pki_make_rsa(char **key_pem);

/**
 * Verifies an RS256 (RSASSA-PKCS1-v1_5, SHA-256) signature over `data` with
 * the public half of the private key `key_pem`.  0 when valid, IKC_EINVALID
 * when not, IKC_ERROR on other failures.
 */
int sim_pki_verify_rs256(const char *key_pem, const void *data, size_t len,
			 const unsigned char *sig, size_t siglen);

/**
 * Signs `data` with RS256 using the private key `key_pem`.  *sig (owned) and
 * *siglen receive the signature.  0 or IKC_ERROR.
 */
int sim_pki_sign_rs256(unsigned char **sig, size_t *siglen, const char *key_pem,
		       const void *data, size_t len);

/** base64url without padding of `len` bytes; owned, NULL on OOM. */
char *sim_b64url_encode(const void *data, size_t len);

/** Standard base64 (with padding, no newlines) of `len` bytes; owned, NULL on OOM. */
char *sim_b64_encode(const void *data, size_t len);

/**
 * Decodes base64url or standard base64 (padding optional) into an owned
 * buffer with a trailing NUL (not counted in *outlen).  NULL if invalid.
 */
unsigned char *sim_b64_decode(const char *s, size_t len, size_t *outlen);

/** `n` random bytes as 2n lower-case hex characters into out (2n+1 bytes). 0 or IKC_ERROR. */
int sim_random_hex(char *out, size_t n);

#endif /* IKC_SIM_PKI_H */
