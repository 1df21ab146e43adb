/* diag.c - collected, positioned diagnostics for user input */
#include "util/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ikc_diags_vadd(ikc_diags *d, ikc_severity sev, const char *file, int line,
		    int col, const char *fmt, va_list ap)
{
	ikc_buf msg = IKC_BUF_INIT(0);
	ikc_diag *dg;

	if (d->count == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 8;
		ikc_diag *n = realloc(d->items, ncap * sizeof(*n));

		if (!n)
			return;
		d->items = n;
		d->cap = ncap;
	}
	if (ikc_buf_vprintf(&msg, fmt, ap) < 0)
		return;
	dg = &d->items[d->count];
	dg->severity = sev;
	dg->file = file ? strdup(file) : NULL;
	dg->line = line;
	dg->col = col;
	dg->message = ikc_buf_detach(&msg);
	d->count++;
}

void ikc_diags_add(ikc_diags *d, ikc_severity sev, const char *file, int line,
		   int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ikc_diags_vadd(d, sev, file, line, col, fmt, ap);
	va_end(ap);
}

size_t ikc_diags_errors(const ikc_diags *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->count; i++)
		if (d->items[i].severity == IKC_DIAG_ERROR)
			n++;
	return n;
}

static int cmp_pos(const ikc_diag *a, const ikc_diag *b)
{
	int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

void ikc_diags_sort(ikc_diags *d)
{
	size_t i, j;

	/* insertion sort: stable, and diagnostics lists are short */
	for (i = 1; i < d->count; i++) {
		ikc_diag tmp = d->items[i];

		for (j = i; j > 0 && cmp_pos(&d->items[j - 1], &tmp) > 0; j--)
			d->items[j] = d->items[j - 1];
		d->items[j] = tmp;
	}
}

int ikc_diag_format(ikc_buf *out, const ikc_diag *dg)
{
	if (dg->line > 0)
		return ikc_buf_printf(out, "%s:%d:%d: %s", dg->file ? dg->file : "-",
				      dg->line, dg->col, dg->message);
	return ikc_buf_printf(out, "%s: %s", dg->file ? dg->file : "-",
			      dg->message);
}

int ikc_diags_contains(const ikc_diags *d, const char *needle)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (strstr(d->items[i].message, needle))
			return 1;
	return 0;
}

void ikc_diags_dispose(ikc_diags *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->count; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	d->items = NULL;
	d->count = d->cap = 0;
}
