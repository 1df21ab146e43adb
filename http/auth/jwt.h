#ifndef IKC_HTTP_AUTH_JWT_H
#define IKC_HTTP_AUTH_JWT_H

/*
 * RS256 JSON Web Tokens (RFC 7515/7519) for the OAuth2 JWT-bearer grant.
 * OpenSSL types stay inside jwt.c: a key is an opaque ikc_jwt_key.
 */

#include <stddef.h>  /* for size_t */

typedef struct ikc_jwt_key ikc_jwt_key;

/**
 * Loads an unencrypted RSA private key from PEM text (PKCS#8 "BEGIN PRIVATE
 * KEY" or PKCS#1 "BEGIN RSA PRIVATE KEY").  0, or IKC_EINVALID with a
 * message saying what is wrong with the key.
 */
int ikc_jwt_key_from_pem(ikc_jwt_key **out, const char *pem, size_t len);

/** Frees a key. NULL is a no-op. */
void ikc_jwt_key_free(ikc_jwt_key *key);

/**
 * Builds base64url(header) "." base64url(claims) "." base64url(signature)
 * with RSASSA-PKCS1-v1_5 over SHA-256.  `header_json` and `claims_json`
 * are taken as they are.  *out is owned.  0 or IKC_ERROR.
 */
int ikc_jwt_sign_rs256(char **out, ikc_jwt_key *key, const char *header_json,
		       const char *claims_json);

#endif /* IKC_HTTP_AUTH_JWT_H */
