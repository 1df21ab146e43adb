#ifndef IKC_HTTP_AUTH_BASE64_H
#define IKC_HTTP_AUTH_BASE64_H

/*
 * Base64 (RFC 4648) through OpenSSL's encoder: the standard alphabet for
 * certificates, the URL-safe alphabet without padding for JWTs.
 */

#include <stddef.h>  /* for size_t */

/**
 * Encodes `len` bytes as base64url without '=' padding.  *out is an owned
 * NUL-terminated string.  0 or IKC_ERROR (OOM).
 */
int ikc_base64url_encode(char **out, const void *data, size_t len);

/**
 * Decodes base64url text (padding optional).  *out is owned and
 * NUL-terminated (the NUL not counted in *out_len).  0, IKC_EINVALID (not
 * base64url) or IKC_ERROR.
 */
int ikc_base64url_decode(unsigned char **out, size_t *out_len,
			 const char *text, size_t len);

/**
 * Decodes standard base64 (with padding; line breaks allowed).  *out is
 * owned and NUL-terminated.  0, IKC_EINVALID or IKC_ERROR.
 */
int ikc_base64_decode(unsigned char **out, size_t *out_len,
		      const char *text, size_t len);

#endif /* IKC_HTTP_AUTH_BASE64_H */
