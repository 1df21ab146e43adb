/* test_conformance.c - the backend conformance suite run on the file:// backend */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "conformance.h"
#include "tmpdir.h"
#include "util/str.h"

struct file_store {
	char dir[512];
	char url[600];
	int n;
};

/* Each test gets a state path in a folder that does not exist yet. */
static int file_reset(void *ctx)
{
	struct file_store *fs = ctx;

	fs->n++;
	snprintf(fs->url, sizeof(fs->url), "file://%s/t%d/nested/state.json",
		 fs->dir, fs->n);
	return 0;
}

static int file_open(ikc_backend **out, void *ctx)
{
	struct file_store *fs = ctx;

	return ikc_backend_open(out, fs->url, NULL);
}

int main(void)
{
	struct file_store fs = { .n = 0 };
	struct ikc_conformance c = { "state.conformance(file)", file_reset,
				     file_open, &fs };
	int failed;

	if (tmpdir_make(fs.dir, sizeof(fs.dir)) < 0) {
		perror("mkdtemp");
		return 1;
	}
	failed = ikc_conformance_run(&c);
	tmpdir_remove(fs.dir);
	return failed;
}
