#ifndef IKC_UTIL_DIGEST_H
#define IKC_UTIL_DIGEST_H

/* digest.h - SHA-256 and HMAC-SHA-256 as lowercase hex (OpenSSL) */

#include <stddef.h>  /* for size_t */

/** out[65] = hex SHA-256 of data. 0 or IKC_ERROR. */
int ikc_sha256_hex(char out[65], const void *data, size_t len);

/** out[65] = hex HMAC-SHA-256 of data under key. 0 or IKC_ERROR. */
int ikc_hmac_sha256_hex(char out[65], const void *key, size_t keylen,
			const void *data, size_t len);

#endif /* IKC_UTIL_DIGEST_H */
