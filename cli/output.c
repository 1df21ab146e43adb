/* output.c - the one place that writes to stdout and stderr */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/errors.h"
#include "util/log.h"

/* Every message goes through the redactor: errors quote URLs and servers. */
static void vprint(const char *kind, const char *fmt, va_list ap)
{
	char raw[8192];
	char *clean;

	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	clean = ikc_redact(raw);
	fprintf(stderr, "ikc: %s: %s\n", kind, clean ? clean : raw);
	free(clean);
}

void ikc_cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("error", fmt, ap);
	va_end(ap);
}

void ikc_cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("warning", fmt, ap);
	va_end(ap);
}

void ikc_cli_print_diags(const ikc_diags *d)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		ikc_buf line = IKC_BUF_INIT(0);

		if (ikc_diag_format(&line, &d->items[i]) == 0)
			fprintf(stderr, "ikc: %s: %s\n",
				d->items[i].severity == IKC_DIAG_ERROR ? "error" : "warning",
				line.ptr);
		ikc_buf_dispose(&line);
	}
}

void ikc_cli_out(const ikc_buf *b)
{
	if (b->len)
		fwrite(b->ptr, 1, b->len, stdout);
	fflush(stdout);
}

int ikc_cli_fail(void)
{
	const char *msg = ikc_error_last();

	ikc_cli_error("%s", *msg ? msg : "unknown error");
	return IKC_EXIT_ERROR;
}
