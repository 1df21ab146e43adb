/* base64.c - standard base64 encoding on top of OpenSSL's EVP encoder */
#include "util/base64.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/errors.h"

int ikc_base64_encode(char **out, const void *data, size_t len)
{
	size_t cap;
	char *s;
	int wrote;

	*out = NULL;
	/* 4 output bytes per 3 input bytes, plus the NUL. */
	if (len > (size_t)(INT32_MAX / 4) * 3)
		return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
					  "data too large to encode");
	cap = (len + 2) / 3 * 4 + 1;
	s = malloc(cap);
	if (!s)
		return ikc_error_oom();
	wrote = EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	s[wrote > 0 ? (size_t)wrote : 0] = '\0';
	*out = s;
	return 0;
}
