/* buf.c - capped growable byte buffers */
#include "util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ikc_size_add(size_t *out, size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		return 1;
	*out = a + b;
	return 0;
}

int ikc_size_mul(size_t *out, size_t a, size_t b)
{
	if (a != 0 && b > SIZE_MAX / a)
		return 1;
	*out = a * b;
	return 0;
}

int ikc_buf_grow(ikc_buf *b, size_t extra)
{
	size_t need, nsize;
	char *p;

	if (ikc_size_add(&need, b->len, extra) || ikc_size_add(&need, need, 1))
		return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
					  "buffer size overflow");
	if (b->max && need - 1 > b->max)
		return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
					  "size limit of %zu bytes exceeded",
					  b->max);
	if (need <= b->asize)
		return 0;
	nsize = b->asize ? b->asize : 64;
	while (nsize < need) {
		if (ikc_size_mul(&nsize, nsize, 2)) {
			nsize = need;
			break;
		}
	}
	p = realloc(b->ptr, nsize);
	if (!p)
		return ikc_error_oom();
	if (!b->ptr)
		p[0] = '\0';
	b->ptr = p;
	b->asize = nsize;
	return 0;
}

int ikc_buf_put(ikc_buf *b, const void *data, size_t len)
{
	int error = ikc_buf_grow(b, len);

	if (error < 0)
		return error;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int ikc_buf_puts(ikc_buf *b, const char *s)
{
	return ikc_buf_put(b, s, strlen(s));
}

int ikc_buf_vprintf(ikc_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, error;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ikc_error_set(IKC_ERR_OS, "bad format string");
	error = ikc_buf_grow(b, (size_t)n);
	if (error < 0)
		return error;
	(void)vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ikc_buf_printf(ikc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = ikc_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return error;
}

void ikc_buf_clear(ikc_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void ikc_buf_dispose(ikc_buf *b)
{
	if (!b)
		return;
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->asize = 0;
}

char *ikc_buf_detach(ikc_buf *b)
{
	char *p = b->ptr;

	if (!p) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	}
	b->ptr = NULL;
	b->len = 0;
	b->asize = 0;
	return p;
}
