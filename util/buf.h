#ifndef IKC_UTIL_BUF_H
#define IKC_UTIL_BUF_H

#include <stdarg.h>  /* for va_list */
#include <stddef.h>  /* for size_t */
#include "util/errors.h"

/*
 * A growable byte buffer with a ceiling.  `ptr` is NUL-terminated whenever it
 * is non-NULL; `len` excludes the NUL.  Growing past `max` fails with
 * IKC_ELIMIT and leaves the buffer as it was.
 */
typedef struct ikc_buf {
	char *ptr;
	size_t len;
	size_t asize;
	size_t max;
} ikc_buf;

#define IKC_BUF_INIT(maxbytes) { NULL, 0, 0, (maxbytes) }

/** Default caps. */
#define IKC_HTTP_BODY_MAX ((size_t)64 << 20)
#define IKC_STATE_MAX ((size_t)16 << 20)
#define IKC_STACK_FILE_MAX ((size_t)4 << 20)

/** Makes room for `extra` more bytes. 0, IKC_ELIMIT or IKC_ERROR (OOM). */
int ikc_buf_grow(ikc_buf *b, size_t extra);
/** Appends bytes. 0, IKC_ELIMIT or IKC_ERROR. */
int ikc_buf_put(ikc_buf *b, const void *data, size_t len);
/** Appends a C string. */
int ikc_buf_puts(ikc_buf *b, const char *s);
/** Appends formatted text. */
int ikc_buf_printf(ikc_buf *b, const char *fmt, ...) IKC_PRINTF(2, 3);
int ikc_buf_vprintf(ikc_buf *b, const char *fmt, va_list ap);
/** Empties the buffer, keeping its memory. */
void ikc_buf_clear(ikc_buf *b);
/** Frees the memory; the buffer may be reused (its max is kept). */
void ikc_buf_dispose(ikc_buf *b);
/** Hands the string to the caller (never NULL on success: "" for empty); resets b. */
char *ikc_buf_detach(ikc_buf *b);

/** Overflow-checked size arithmetic: 0 on success, 1 if it would wrap. */
int ikc_size_add(size_t *out, size_t a, size_t b);
int ikc_size_mul(size_t *out, size_t a, size_t b);

#endif /* IKC_UTIL_BUF_H */
