/* test_limits.c - hostile input: alias bombs, deep nesting, binary, huge files */
#include "helpers.h"

#include <unistd.h>

#include "util/clock.h"
#include "util/json.h"

/* Loads a fixture through ikc_stack_load_file; expects IKC_EINVALID. */
static ikc_diags load_bad_fixture(const char *name)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	char path[4096];
	int rc;

	fixture_path(path, sizeof(path), name);
	rc = ikc_stack_load_file(&st, &d, path, NULL);
	if (rc != IKC_EINVALID)
		dump_diags(&d);
	assert_int_equal(IKC_EINVALID, rc);
	assert_null(st);
	return d;
}

static void test_spec_limits__billion_laughs_fails_fast(void **state)
{
	double t0 = ikc_time_monotonic(), secs;
	ikc_diags d = load_bad_fixture("billion-laughs.yaml");

	(void)state;
	secs = ikc_time_monotonic() - t0;
	assert_int_equal(1, (int)d.count);
	assert_int_equal(11, d.items[0].line);
	assert_non_null(strstr(d.items[0].message, "aliases expand to more than "
			       "100000 nodes"));
	fprintf(stderr, "alias bomb rejected in %.3f s\n", secs);
	assert_true(secs < 1.0);
	ikc_diags_dispose(&d);
}

static void test_spec_limits__deep_nesting(void **state)
{
	ikc_diags d = load_bad_fixture("deep-nesting.yaml");

	(void)state;
	assert_int_equal(1, (int)d.count);
	/* the 65th "[" (depth counts the document's own mappings) */
	assert_int_equal(6, d.items[0].line);
	assert_int_equal(8 + 64 - 3, d.items[0].col);
	assert_non_null(strstr(d.items[0].message, "nesting is deeper than 64 "
			       "levels"));
	ikc_diags_dispose(&d);
}

static void test_spec_limits__nesting_within_limit_loads(void **state)
{
	ikc_buf b = IKC_BUF_INIT((size_t)1 << 20);
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	int i;

	(void)state;
	assert_int_equal(0, ikc_buf_puts(&b, STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: "));
	for (i = 0; i < 60; i++)
		assert_int_equal(0, ikc_buf_puts(&b, "["));
	for (i = 0; i < 60; i++)
		assert_int_equal(0, ikc_buf_puts(&b, "]"));
	assert_int_equal(0, ikc_buf_puts(&b, "\n"));
	assert_int_equal(0, ikc_stack_load_buffer(&st, &d, "t.yaml", "/w", b.ptr,
						  b.len, NULL));
	ikc_stack_free(st);
	ikc_buf_dispose(&b);
	ikc_diags_dispose(&d);
}

static void test_spec_limits__invalid_utf8(void **state)
{
	ikc_diags d = load_bad_fixture("invalid-utf8.yaml");

	(void)state;
	assert_int_equal(1, (int)d.count);
	assert_int_equal(3, d.items[0].line);
	assert_int_equal(21, d.items[0].col);
	assert_non_null(strstr(d.items[0].message, "invalid UTF-8 (byte 0xe9): a "
			       "stack file must be UTF-8 text"));
	ikc_diags_dispose(&d);
}

static void test_spec_limits__nul_byte(void **state)
{
	ikc_diags d = load_bad_fixture("nul-byte.yaml");

	(void)state;
	assert_int_equal(1, (int)d.count);
	assert_int_equal(2, d.items[0].line);
	assert_int_equal(9, d.items[0].col);
	assert_non_null(strstr(d.items[0].message, "NUL byte: a stack file is YAML "
			       "text, not binary data"));
	ikc_diags_dispose(&d);
}

static void test_spec_limits__binary_garbage(void **state)
{
	static const unsigned char junk[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0,
					      0xff, 0xfe };
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;

	(void)state;
	assert_int_equal(IKC_EINVALID, ikc_stack_load_buffer(&st, &d, "a.out",
		"/w", (const char *)junk, sizeof(junk), NULL));
	assert_true(ikc_diags_contains(&d, "NUL byte"));
	ikc_diags_dispose(&d);
}

static void test_spec_limits__huge_file(void **state)
{
	size_t n = IKC_STACK_FILE_MAX + 1;
	char *big = malloc(n), path[] = "/tmp/ikc-spec-huge-XXXXXX";
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(big);
	memset(big, '#', n);
	/* from memory */
	assert_int_equal(IKC_EINVALID, ikc_stack_load_buffer(&st, &d, "big.yaml",
		"/w", big, n, NULL));
	assert_null(st);
	assert_true(ikc_diags_contains(&d, "the stack file is 4194305 bytes; the "
				       "limit is 4194304 bytes"));
	ikc_diags_dispose(&d);
	/* from a file */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(n, fwrite(big, 1, n, f));
	assert_int_equal(0, fclose(f));
	assert_int_equal(IKC_EINVALID, ikc_stack_load_file(&st, &d, path, NULL));
	assert_null(st);
	assert_true(ikc_diags_contains(&d, "larger than the limit of 4194304 "
				       "bytes"));
	assert_int_equal(0, unlink(path));
	ikc_diags_dispose(&d);
	free(big);
}

static void test_spec_limits__undefined_and_recursive_alias(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
		"data: {a: *nope}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n"
		"spec: &self {loop: *self}\n");

	(void)state;
	assert_diag(&d, 17, 11, "alias *nope names no anchor defined before it");
	assert_diag(&d, 22, 20, "alias *self names no anchor defined before it");
	ikc_diags_dispose(&d);
}

static void test_spec_limits__anchors_do_not_cross_documents(void **state)
{
	ikc_diags d = expect_invalid(STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, labels: &l {a: b}}\n"
		"---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y, labels: *l}\n");

	(void)state;
	assert_diag(&d, 20, 29, "alias *l names no anchor defined before it");
	ikc_diags_dispose(&d);
}

static void test_spec_limits__error_count_capped(void **state)
{
	ikc_buf b = IKC_BUF_INIT((size_t)4 << 20);
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	double t0;
	int i;

	(void)state;
	assert_int_equal(0, ikc_buf_puts(&b, STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n"));
	for (i = 0; i < 5000; i++)
		assert_int_equal(0, ikc_buf_printf(&b, "  k%d: ${ConfigMap/y%d.a}\n",
						   i, i));
	t0 = ikc_time_monotonic();
	assert_int_equal(IKC_EINVALID, ikc_stack_load_buffer(&st, &d, "t.yaml",
		"/w", b.ptr, b.len, NULL));
	assert_true(ikc_time_monotonic() - t0 < 1.0);
	assert_int_equal(100, (int)d.count);
	assert_string_equal("too many errors; stopping here",
			    d.items[99].message);
	ikc_diags_dispose(&d);
	ikc_buf_dispose(&b);
}

static void test_spec_limits__many_anchors_fast(void **state)
{
	ikc_buf b = IKC_BUF_INIT((size_t)4 << 20);
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	double t0;
	int i;

	(void)state;
	assert_int_equal(0, ikc_buf_puts(&b, STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n"));
	for (i = 0; i < 20000; i++)
		assert_int_equal(0, ikc_buf_printf(&b, "  k%d: &a%d v%d\n", i, i, i));
	assert_int_equal(0, ikc_buf_puts(&b, "spec:\n"));
	for (i = 0; i < 20000; i++)
		assert_int_equal(0, ikc_buf_printf(&b, "  r%d: *a0\n", i));
	t0 = ikc_time_monotonic();
	assert_int_equal(0, ikc_stack_load_buffer(&st, &d, "t.yaml", "/w", b.ptr,
						  b.len, NULL));
	assert_true(ikc_time_monotonic() - t0 < 2.0);
	assert_string_equal("v0", ikc_json_str(ikc_json_path(st->resources[1].body,
							     "spec"), "r19999"));
	ikc_stack_free(st);
	ikc_diags_dispose(&d);
	ikc_buf_dispose(&b);
}

static void test_spec_limits__expression_length_capped(void **state)
{
	ikc_buf b = IKC_BUF_INIT((size_t)1 << 20);
	ikc_diags d;
	int i;

	(void)state;
	assert_int_equal(0, ikc_buf_puts(&b, STACK_HEAD
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
		"data: {a: '${ConfigMap/x"));
	for (i = 0; i < 300; i++)
		assert_int_equal(0, ikc_buf_puts(&b, ".b"));
	assert_int_equal(0, ikc_buf_puts(&b, "}'}\n"));
	d = expect_invalid(b.ptr);
	assert_diag(&d, 17, 11, "longer than 512 bytes");
	ikc_diags_dispose(&d);
	ikc_buf_dispose(&b);
}

static void test_spec_limits__empty_buffer(void **state)
{
	ikc_diags d = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;

	(void)state;
	assert_int_equal(IKC_EINVALID, ikc_stack_load_buffer(&st, &d, "e.yaml",
		"/w", NULL, 0, NULL));
	assert_true(ikc_diags_contains(&d, "the file holds no documents"));
	ikc_diags_dispose(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_limits__billion_laughs_fails_fast),
		cmocka_unit_test(test_spec_limits__deep_nesting),
		cmocka_unit_test(test_spec_limits__nesting_within_limit_loads),
		cmocka_unit_test(test_spec_limits__invalid_utf8),
		cmocka_unit_test(test_spec_limits__nul_byte),
		cmocka_unit_test(test_spec_limits__binary_garbage),
		cmocka_unit_test(test_spec_limits__huge_file),
		cmocka_unit_test(test_spec_limits__undefined_and_recursive_alias),
		cmocka_unit_test(test_spec_limits__anchors_do_not_cross_documents),
		cmocka_unit_test(test_spec_limits__error_count_capped),
		cmocka_unit_test(test_spec_limits__many_anchors_fast),
		cmocka_unit_test(test_spec_limits__expression_length_capped),
		cmocka_unit_test(test_spec_limits__empty_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
