#ifndef IKC_TESTS_SPEC_HELPERS_H
#define IKC_TESTS_SPEC_HELPERS_H

/* helpers.h - shared by the spec unit tests: load a text, look for a diagnostic */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stack/stack.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/fs.h"

/* Loads `text` as "t.yaml" from folder /work/proj. */
static inline int load_text(ikc_stack **st, ikc_diags *d, const char *text)
{
	return ikc_stack_load_buffer(st, d, "t.yaml", "/work/proj", text,
				     strlen(text), NULL);
}

/* Every diagnostic, one per line, for failure messages. */
static inline void dump_diags(const ikc_diags *d)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		ikc_buf b = IKC_BUF_INIT(0);

		(void)ikc_diag_format(&b, &d->items[i]);
		fprintf(stderr, "  diag: %s\n", b.ptr ? b.ptr : "");
		ikc_buf_dispose(&b);
	}
}

/* 1 if some error sits at line:col and its message holds `frag`. */
static inline int has_diag(const ikc_diags *d, int line, int col, const char *frag)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (d->items[i].line == line && d->items[i].col == col &&
		    strstr(d->items[i].message, frag))
			return 1;
	return 0;
}

#define assert_diag(d, line, col, frag)                                       \
	do {                                                                  \
		if (!has_diag((d), (line), (col), (frag))) {                  \
			dump_diags(d);                                        \
			fail_msg("no diagnostic %d:%d containing \"%s\"",     \
				 (line), (col), (frag));                      \
		}                                                             \
	} while (0)

/* Loads `text` expecting errors: returns the diags (dispose them). */
static inline ikc_diags expect_invalid(const char *text)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	int rc = load_text(&st, &d, text);

	if (rc != IKC_EINVALID)
		dump_diags(&d);
	assert_int_equal(IKC_EINVALID, rc);
	assert_null(st);
	assert_true(ikc_diags_errors(&d) > 0);
	return d;
}

/* Loads `text` expecting success. */
static inline ikc_stack *expect_valid(const char *text)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	int rc = load_text(&st, &d, text);

	if (rc != 0)
		dump_diags(&d);
	assert_int_equal(0, rc);
	assert_non_null(st);
	ikc_diags_dispose(&d);
	return st;
}

/* Reads tests/fixtures/stack/NAME into a buffer. */
static inline void read_fixture(ikc_buf *b, const char *name)
{
	const char *src = getenv("IKC_SOURCE_DIR");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/fixtures/stack/%s",
		 src ? src : "../../..", name);
	assert_int_equal(0, ikc_fs_read_file(b, path, (size_t)16 << 20));
}

static inline void fixture_path(char *out, size_t n, const char *name)
{
	const char *src = getenv("IKC_SOURCE_DIR");

	snprintf(out, n, "%s/tests/fixtures/stack/%s", src ? src : "../../..",
		 name);
}

/* The head of a valid stack, for tests of resources (7 lines). */
#define STACK_HEAD                                                            \
	"apiVersion: ikc.dev/v1\n"                                            \
	"kind: Stack\n"                                                       \
	"metadata:\n"                                                         \
	"  name: demo\n"                                                      \
	"spec:\n"                                                             \
	"  google: {project: p1}\n"                                           \
	"  kubernetes: {cluster: c1}\n"                                       \
	"---\n"                                                               \
	"apiVersion: container.googleapis.com/v1\n"                           \
	"kind: Cluster\n"                                                     \
	"metadata: {name: c1}\n"                                              \
	"spec: {location: europe-west1-b}\n"                                  \
	"---\n"
/* STACK_HEAD is 13 lines: the next document starts on line 14. */

#endif
