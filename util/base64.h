#ifndef IKC_UTIL_BASE64_H
#define IKC_UTIL_BASE64_H

/* Standard base64 (RFC 4648 §4) encoding, through OpenSSL's encoder. */

#include <stddef.h>  /* for size_t */

/**
 * Encodes `len` bytes as standard base64 with '=' padding.  *out is an
 * owned NUL-terminated string.  0, IKC_ELIMIT (too large) or IKC_ERROR (OOM).
 */
int ikc_base64_encode(char **out, const void *data, size_t len);

#endif /* IKC_UTIL_BASE64_H */
