#ifndef IKC_UTIL_DIAG_H
#define IKC_UTIL_DIAG_H

#include <stdarg.h>  /* for va_list */
#include <stddef.h>  /* for size_t */
#include "util/buf.h"

/*
 * Diagnostics: problems found in a user's input, collected so that all of
 * them are reported in one run.  Positions are 1-based; line 0 means "no
 * position" (the whole file).
 */
typedef enum { IKC_DIAG_ERROR = 0, IKC_DIAG_WARNING } ikc_severity;

typedef struct ikc_diag {
	ikc_severity severity;
	char *file;
	int line;
	int col;
	char *message;
} ikc_diag;

typedef struct ikc_diags {
	ikc_diag *items;
	size_t count;
	size_t cap;
} ikc_diags;

#define IKC_DIAGS_INIT { NULL, 0, 0 }

/** Adds one diagnostic (copies its strings). Out of memory is silently dropped. */
void ikc_diags_add(ikc_diags *d, ikc_severity sev, const char *file, int line,
		   int col, const char *fmt, ...) IKC_PRINTF(6, 7);
void ikc_diags_vadd(ikc_diags *d, ikc_severity sev, const char *file, int line,
		    int col, const char *fmt, va_list ap);
/** Number of errors (not warnings). */
size_t ikc_diags_errors(const ikc_diags *d);
/** Sorts by file, line, column (stable for equal positions). */
void ikc_diags_sort(ikc_diags *d);
/** Appends "FILE:LINE:COL: message" (or "FILE: message" when line is 0). */
int ikc_diag_format(ikc_buf *out, const ikc_diag *dg);
/** 1 if some diagnostic's message contains `needle` (tests). */
int ikc_diags_contains(const ikc_diags *d, const char *needle);
void ikc_diags_dispose(ikc_diags *d);

#endif /* IKC_UTIL_DIAG_H */
