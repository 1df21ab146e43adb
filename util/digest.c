/* digest.c - SHA-256 and HMAC-SHA-256 as lowercase hex, through OpenSSL */
#include "util/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/errors.h"

static void to_hex(char out[65], const unsigned char *md)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

int ikc_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
		return ikc_error_set(IKC_ERR_OS, "cannot compute SHA-256");
	to_hex(out, md);
	return 0;
}

int ikc_hmac_sha256_hex(char out[65], const void *key, size_t keylen,
			const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (keylen > 0x7fffffff ||
	    !HMAC(EVP_sha256(), key, (int)keylen, data, len, md, &n) || n != 32)
		return ikc_error_set(IKC_ERR_OS, "cannot compute HMAC-SHA-256");
	to_hex(out, md);
	return 0;
}
