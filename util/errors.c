/* errors.c - per-thread error messages behind IKC_E* return codes */
#include "util/errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MSG_MAX 4096

static _Thread_local char last_msg[MSG_MAX];
static _Thread_local ikc_error_class last_class;

static void vset(ikc_error_class cls, const char *fmt, va_list ap)
{
	char tmp[MSG_MAX];

	/* format first: an argument may be ikc_error_last() itself */
	(void)vsnprintf(tmp, sizeof(tmp), fmt, ap);
	memcpy(last_msg, tmp, sizeof(last_msg));
	last_class = cls;
}

int ikc_error_set(ikc_error_class cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(cls, fmt, ap);
	va_end(ap);
	return IKC_ERROR;
}

int ikc_error_set_code(int code, ikc_error_class cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(cls, fmt, ap);
	va_end(ap);
	return code;
}

int ikc_error_set_os(ikc_error_class cls, const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vset(cls, fmt, ap);
	va_end(ap);
	n = strlen(last_msg);
	if (n < sizeof(last_msg))
		(void)snprintf(last_msg + n, sizeof(last_msg) - n, ": %s",
			       strerror(saved));
	errno = saved;
	return IKC_ERROR;
}

int ikc_error_oom(void)
{
	return ikc_error_set(IKC_ERR_NOMEM, "out of memory");
}

int ikc_error_wrap(int code, const char *fmt, ...)
{
	char prefix[1024];
	char old[MSG_MAX];
	size_t plen, olen;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, last_msg, sizeof(old));
	plen = strlen(prefix);
	olen = strlen(old);
	if (plen >= sizeof(last_msg))
		plen = sizeof(last_msg) - 1;
	if (plen + olen >= sizeof(last_msg))
		olen = sizeof(last_msg) - 1 - plen;
	memcpy(last_msg, prefix, plen);
	memcpy(last_msg + plen, old, olen);
	last_msg[plen + olen] = '\0';
	return code;
}

const char *ikc_error_last(void)
{
	return last_msg;
}

ikc_error_class ikc_error_last_class(void)
{
	return last_class;
}

void ikc_error_clear(void)
{
	last_msg[0] = '\0';
	last_class = IKC_ERR_NONE;
}
