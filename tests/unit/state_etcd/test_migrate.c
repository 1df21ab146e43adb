/* test_migrate.c - ikc_state_migrate between file:// and a real etcd: byte for byte, refusals, locks */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "etcd_proc.h"
#include "state/backend.h"
#include "state/migrate.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"

static struct etcd_cluster cluster;
static char dir[512];
static int n;

static ikc_backend *open_url(const char *fmt, const char *base)
{
	char url[600];
	ikc_backend *be = NULL;

	snprintf(url, sizeof(url), fmt, base, n);
	assert_int_equal(0, ikc_backend_open(&be, url, NULL));
	return be;
}

static ikc_backend *new_file(void)
{
	return open_url("file://%s/s%d.state.json", dir);
}

static ikc_backend *new_etcd(void)
{
	return open_url("etcd://%s/migrate/t%d", cluster.endpoints);
}

static json_object *resource(const char *address, int replicas)
{
	json_object *r = json_object_new_object(), *d = json_object_new_object();

	assert_int_equal(0, ikc_json_add(r, "address", json_object_new_string(address)));
	assert_int_equal(0, ikc_json_add(r, "kind", json_object_new_string("Deployment")));
	assert_int_equal(0, ikc_json_add(d, "replicas", json_object_new_int(replicas)));
	assert_int_equal(0, ikc_json_add(r, "desired", d));
	return r;
}

/* A state saved `saves` times on `be` (serial == saves); returned for more changes. */
static ikc_state *seed(ikc_backend *be, int saves)
{
	ikc_state *st = NULL;
	int i;

	assert_int_equal(0, ikc_state_new(&st, "web"));
	for (i = 0; i < saves; i++) {
		assert_int_equal(0, ikc_state_resource_put(st, resource("Deployment/web", i + 1)));
		assert_int_equal(0, ikc_state_save(be, st));
	}
	return st;
}

static void raw(ikc_backend *be, ikc_buf *out)
{
	char *v = NULL;

	*out = (ikc_buf)IKC_BUF_INIT(IKC_STATE_MAX);
	assert_int_equal(0, be->read(be, out, &v));
	free(v);
}

static void test_state_migrate__file_etcd_file_byte_for_byte(void **unused)
{
	ikc_backend *file_a, *etcd, *file_b;
	ikc_buf a, e, b;
	ikc_state *st, *loaded = NULL;

	(void)unused;
	n++;
	file_a = new_file();
	etcd = new_etcd();
	st = seed(file_a, 3);
	n++;
	file_b = new_file();

	assert_int_equal(0, ikc_state_migrate(file_a, etcd));
	assert_int_equal(0, ikc_state_migrate(etcd, file_b));
	raw(file_a, &a);
	raw(etcd, &e);
	raw(file_b, &b);
	assert_int_equal(a.len, e.len);
	assert_memory_equal(a.ptr, e.ptr, a.len);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	/* Lineage and serial came along; the copy goes on from there. */
	assert_int_equal(0, ikc_state_load(&loaded, etcd));
	assert_string_equal(ikc_state_lineage(st), ikc_state_lineage(loaded));
	assert_int_equal(3, ikc_state_serial(loaded));
	assert_int_equal(0, ikc_state_resource_put(loaded, resource("Service/web", 1)));
	assert_int_equal(0, ikc_state_save(etcd, loaded));
	assert_int_equal(4, ikc_state_serial(loaded));
	/* No locks are left behind on either side. */
	{
		ikc_lock_info h;

		assert_int_equal(IKC_ENOTFOUND, file_a->lock_holder(file_a, &h));
		assert_int_equal(IKC_ENOTFOUND, etcd->lock_holder(etcd, &h));
	}
	/* Migrating again moves the newer etcd copy over the older file one. */
	assert_int_equal(0, ikc_state_migrate(etcd, file_b));
	ikc_buf_dispose(&b);
	ikc_buf_dispose(&e);
	raw(file_b, &b);
	raw(etcd, &e);
	assert_int_equal(e.len, b.len);
	assert_memory_equal(e.ptr, b.ptr, e.len);
	/* And the same again is a no-op. */
	assert_int_equal(0, ikc_state_migrate(etcd, file_b));

	ikc_buf_dispose(&a);
	ikc_buf_dispose(&b);
	ikc_buf_dispose(&e);
	ikc_state_free(st);
	ikc_state_free(loaded);
	ikc_backend_free(file_a);
	ikc_backend_free(file_b);
	ikc_backend_free(etcd);
}

static void test_state_migrate__refusals(void **unused)
{
	ikc_backend *from, *other, *newer, *empty, *locked_from;
	ikc_state *s1, *s2, *s3, *s4;
	ikc_lock_info holder;
	ikc_buf before, after;

	(void)unused;
	n++;
	from = new_file();
	s1 = seed(from, 2);
	other = new_etcd();          /* another state (lineage) is stored there */
	s2 = seed(other, 1);
	raw(other, &before);
	assert_int_equal(IKC_ECONFLICT, ikc_state_migrate(from, other));
	assert_non_null(strstr(ikc_error_last(), "lineage"));
	raw(other, &after);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.ptr, after.ptr, before.len);
	ikc_buf_dispose(&before);
	ikc_buf_dispose(&after);

	/* The target holds a newer copy of the same state. */
	n++;
	newer = new_etcd();
	assert_int_equal(0, ikc_state_migrate(from, newer));
	assert_int_equal(0, ikc_state_load(&s3, newer));
	assert_int_equal(0, ikc_state_resource_put(s3, resource("Service/x", 1)));
	assert_int_equal(0, ikc_state_save(newer, s3));
	assert_int_equal(IKC_ECONFLICT, ikc_state_migrate(from, newer));
	assert_non_null(strstr(ikc_error_last(), "newer"));
	assert_int_equal(0, ikc_state_load(&s4, newer));
	assert_int_equal(3, ikc_state_serial(s4));

	/* Nothing to move. */
	n++;
	empty = new_etcd();
	assert_int_equal(IKC_ENOTFOUND, ikc_state_migrate(empty, newer));

	/* A run holds the source's lock: refused, naming it; its lock stays. */
	n++;
	locked_from = new_etcd();
	assert_int_equal(0, ikc_lock_info_self(&holder, "ikc apply"));
	assert_int_equal(0, from->lock(from, &holder, 0));
	assert_int_equal(IKC_ELOCKED, ikc_state_migrate(from, locked_from));
	assert_non_null(strstr(ikc_error_last(), holder.id));
	{
		ikc_lock_info h;

		assert_int_equal(0, from->lock_holder(from, &h));
		assert_string_equal(holder.id, h.id);
		ikc_lock_info_dispose(&h);
		assert_int_equal(IKC_ENOTFOUND, locked_from->lock_holder(locked_from, &h));
	}
	assert_int_equal(0, from->unlock(from, holder.id));
	ikc_lock_info_dispose(&holder);

	ikc_state_free(s1);
	ikc_state_free(s2);
	ikc_state_free(s3);
	ikc_state_free(s4);
	ikc_backend_free(from);
	ikc_backend_free(other);
	ikc_backend_free(newer);
	ikc_backend_free(empty);
	ikc_backend_free(locked_from);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_migrate__file_etcd_file_byte_for_byte),
		cmocka_unit_test(test_state_migrate__refusals),
	};
	int failed;

	if (tmpdir_make(dir, sizeof(dir)) < 0)
		return 1;
	if (etcd_cluster_start(&cluster, 1) < 0) {
		fprintf(stderr, "cannot start etcd\n");
		tmpdir_remove(dir);
		return 1;
	}
	failed = cmocka_run_group_tests_name("state.etcd.migrate", tests, NULL, NULL);
	etcd_cluster_stop(&cluster);
	tmpdir_remove(dir);
	return failed;
}
