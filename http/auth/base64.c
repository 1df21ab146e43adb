/* base64.c - base64 and base64url coding on top of OpenSSL's EVP encoder */
#include "http/auth/base64.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/buf.h"     /* for ikc_size_* */
#include "util/errors.h"

int ikc_base64url_encode(char **out, const void *data, size_t len)
{
	size_t i, n;
	char *s;
	int error = ikc_base64_encode(&s, data, len);

	*out = NULL;
	if (error < 0)
		return error;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			s[i] = '-';
		else if (s[i] == '/')
			s[i] = '_';
	}
	s[n] = '\0';
	*out = s;
	return 0;
}

/* Decodes standard base64 with EVP_Decode*, which skips line breaks. */
static int decode_std(unsigned char **out, size_t *out_len, const char *text,
		      size_t len)
{
	EVP_ENCODE_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	int n1 = 0, n2 = 0, error = 0;

	*out = NULL;
	*out_len = 0;
	if (len > INT32_MAX / 2)
		return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
					  "base64 text too large");
	buf = malloc(len / 4 * 3 + 4);
	ctx = EVP_ENCODE_CTX_new();
	if (!buf || !ctx) {
		error = ikc_error_oom();
		goto done;
	}
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, buf, &n1, (const unsigned char *)text,
			     (int)len) < 0 ||
	    EVP_DecodeFinal(ctx, buf + n1, &n2) < 0) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "text is not valid base64");
		goto done;
	}
	buf[n1 + n2] = '\0';
	*out_len = (size_t)(n1 + n2);
	*out = buf;
	buf = NULL;
done:
	EVP_ENCODE_CTX_free(ctx);
	free(buf);
	return error;
}

int ikc_base64_decode(unsigned char **out, size_t *out_len,
		      const char *text, size_t len)
{
	return decode_std(out, out_len, text, len);
}

int ikc_base64url_decode(unsigned char **out, size_t *out_len,
			 const char *text, size_t len)
{
	char *std = NULL;
	size_t i, n;
	int error;

	*out = NULL;
	*out_len = 0;
	while (len > 0 && text[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "text is not valid base64url");
	n = (len + 3) / 4 * 4;
	std = malloc(n + 1);
	if (!std)
		return ikc_error_oom();
	for (i = 0; i < len; i++) {
		char ch = text[i];

		if (ch == '+' || ch == '/' || ch == '\n' || ch == '\r' ||
		    ch == ' ') {
			free(std);
			return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
						  "text is not valid base64url");
		}
		std[i] = ch == '-' ? '+' : ch == '_' ? '/' : ch;
	}
	for (; i < n; i++)
		std[i] = '=';
	std[n] = '\0';
	error = decode_std(out, out_len, std, n);
	free(std);
	if (error < 0)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "text is not valid base64url");
	return 0;
}
