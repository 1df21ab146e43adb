/* conformance.c - behaviour every state backend must show (lineage, serial, CAS, locks, copies) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conformance.h"
#include "util/errors.h"
#include "util/json.h"

struct fixture {
	const struct ikc_conformance *c;
	ikc_backend *a;   /* two handles on one store: two runs of ikc */
	ikc_backend *b;
};

static int setup(void **state)
{
	const struct ikc_conformance *c = *state;
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->c = c;
	if (c->reset(c->ctx) < 0 || c->open(&f->a, c->ctx) < 0 ||
	    c->open(&f->b, c->ctx) < 0) {
		ikc_backend_free(f->a);
		ikc_backend_free(f->b);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ikc_backend_free(f->a);
	ikc_backend_free(f->b);
	*state = (void *)f->c;
	free(f);
	return 0;
}

static json_object *resource(const char *address, int replicas)
{
	json_object *r = json_object_new_object();
	json_object *desired = json_object_new_object();

	assert_non_null(r);
	assert_int_equal(0, ikc_json_add(r, "address", json_object_new_string(address)));
	assert_int_equal(0, ikc_json_add(r, "kind", json_object_new_string("Deployment")));
	assert_int_equal(0, ikc_json_add(desired, "replicas", json_object_new_int(replicas)));
	assert_int_equal(0, ikc_json_add(r, "desired", desired));
	return r;
}

/* The version token the backend reports for what it stores now. */
static char *stored_version(ikc_backend *be)
{
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX);
	char *v = NULL;

	assert_int_equal(0, be->read(be, &raw, &v));
	ikc_buf_dispose(&raw);
	assert_non_null(v);
	return v;
}

/* A first state with one resource, saved through `be`. */
static ikc_state *seed(ikc_backend *be)
{
	ikc_state *st = NULL;

	assert_int_equal(0, ikc_state_new(&st, "conformance"));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Deployment/web", 2)));
	assert_int_equal(0, ikc_state_save(be, st));
	assert_int_equal(1, ikc_state_serial(st));
	return st;
}

static void test_state_conformance__empty_store_holds_nothing(void **state)
{
	struct fixture *f = *state;
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX);
	ikc_lock_info holder;
	ikc_state *st = NULL;
	char *v = NULL;

	assert_int_equal(IKC_ENOTFOUND, f->a->read(f->a, &raw, &v));
	assert_null(v);
	assert_int_equal(IKC_ENOTFOUND, ikc_state_load(&st, f->a));
	assert_null(st);
	assert_int_equal(IKC_ENOTFOUND, f->a->lock_holder(f->a, &holder));
	ikc_buf_dispose(&raw);
}

static void test_state_conformance__lineage_never_changes(void **state)
{
	struct fixture *f = *state;
	ikc_state *st = seed(f->a), *again = NULL;
	char lineage[37];
	int i;

	snprintf(lineage, sizeof(lineage), "%s", ikc_state_lineage(st));
	for (i = 0; i < 3; i++) {
		char addr[64];

		snprintf(addr, sizeof(addr), "Service/s%d", i);
		assert_int_equal(0, ikc_state_resource_put(st, resource(addr, i)));
		assert_int_equal(0, ikc_state_save(f->a, st));
		assert_string_equal(lineage, ikc_state_lineage(st));
		assert_int_equal(0, ikc_state_load(&again, f->b));
		assert_string_equal(lineage, ikc_state_lineage(again));
		assert_int_equal(ikc_state_serial(st), ikc_state_serial(again));
		ikc_state_free(again);
		again = NULL;
	}
	assert_int_equal(4, ikc_state_serial(st));
	ikc_state_free(st);
}

static void test_state_conformance__serial_grows_only_on_change(void **state)
{
	struct fixture *f = *state;
	ikc_state *st = seed(f->a), *loaded = NULL;
	char *before, *after;

	/* Unchanged: same serial and nothing written (the stored version stays). */
	before = stored_version(f->a);
	assert_int_equal(0, ikc_state_save(f->a, st));
	assert_int_equal(0, ikc_state_save(f->a, st));
	assert_int_equal(1, ikc_state_serial(st));
	after = stored_version(f->b);
	assert_string_equal(before, after);
	free(after);

	/* Changed and changed back: still nothing to write. */
	assert_int_equal(0, ikc_state_resource_put(st, resource("Deployment/web", 3)));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Deployment/web", 2)));
	assert_int_equal(0, ikc_state_save(f->a, st));
	assert_int_equal(1, ikc_state_serial(st));

	/* A loaded, unchanged state writes nothing either. */
	assert_int_equal(0, ikc_state_load(&loaded, f->b));
	assert_int_equal(0, ikc_state_save(f->b, loaded));
	assert_int_equal(1, ikc_state_serial(loaded));
	after = stored_version(f->b);
	assert_string_equal(before, after);
	free(after);

	/* A real change: exactly one step. */
	assert_int_equal(0, ikc_state_resource_put(loaded, resource("Deployment/web", 5)));
	assert_int_equal(0, ikc_state_save(f->b, loaded));
	assert_int_equal(2, ikc_state_serial(loaded));
	after = stored_version(f->a);
	assert_string_not_equal(before, after);
	free(after);
	free(before);
	ikc_state_free(loaded);
	loaded = NULL;
	assert_int_equal(0, ikc_state_load(&loaded, f->a));
	assert_int_equal(2, ikc_state_serial(loaded));
	assert_int_equal(5, json_object_get_int(ikc_json_path(
		ikc_state_resource(loaded, "Deployment/web"), "desired.replicas")));
	ikc_state_free(loaded);
	ikc_state_free(st);
}

static void test_state_conformance__stale_save_refused(void **state)
{
	struct fixture *f = *state;
	ikc_state *seeded = seed(f->a), *one = NULL, *two = NULL, *now = NULL;

	assert_int_equal(0, ikc_state_load(&one, f->a));
	assert_int_equal(0, ikc_state_load(&two, f->b));
	assert_int_equal(0, ikc_state_resource_put(two, resource("Service/b", 1)));
	assert_int_equal(0, ikc_state_save(f->b, two));
	assert_int_equal(0, ikc_state_resource_put(one, resource("Service/a", 1)));
	assert_int_equal(IKC_ESTALE, ikc_state_save(f->a, one));
	assert_non_null(strstr(ikc_error_last(), "changed since it was read"));
	/* The refused save changed nothing: the other writer's state is there. */
	assert_int_equal(0, ikc_state_load(&now, f->a));
	assert_int_equal(2, ikc_state_serial(now));
	assert_non_null(ikc_state_resource(now, "Service/b"));
	assert_null(ikc_state_resource(now, "Service/a"));
	/* After reloading, the same change goes through. */
	assert_int_equal(0, ikc_state_resource_put(now, resource("Service/a", 1)));
	assert_int_equal(0, ikc_state_save(f->a, now));
	assert_int_equal(3, ikc_state_serial(now));
	ikc_state_free(now);
	ikc_state_free(one);
	ikc_state_free(two);
	ikc_state_free(seeded);
}

static void test_state_conformance__new_state_over_existing_refused(void **state)
{
	struct fixture *f = *state;
	ikc_state *seeded = seed(f->a), *fresh = NULL, *now = NULL;

	assert_int_equal(0, ikc_state_new(&fresh, "conformance"));
	assert_int_equal(IKC_ESTALE, ikc_state_save(f->b, fresh));
	assert_int_equal(0, ikc_state_load(&now, f->b));
	assert_string_equal(ikc_state_lineage(seeded), ikc_state_lineage(now));
	assert_int_equal(1, ikc_state_serial(now));
	ikc_state_free(now);
	ikc_state_free(fresh);
	ikc_state_free(seeded);
}

static void test_state_conformance__other_lineage_refused(void **state)
{
	struct fixture *f = *state;
	ikc_state *seeded = seed(f->a), *other = NULL, *now = NULL;
	ikc_buf doc = IKC_BUF_INIT(IKC_STATE_MAX);
	char *version = stored_version(f->a), *nv = NULL;

	assert_int_equal(0, ikc_state_new(&other, "conformance"));
	assert_int_equal(0, ikc_state_serialize(&doc, other));
	assert_int_equal(IKC_ECONFLICT,
			 f->b->write(f->b, doc.ptr, doc.len, version, &nv));
	assert_null(nv);
	assert_non_null(strstr(ikc_error_last(), "lineage"));
	assert_int_equal(0, ikc_state_load(&now, f->b));
	assert_string_equal(ikc_state_lineage(seeded), ikc_state_lineage(now));
	ikc_state_free(now);
	ikc_state_free(other);
	ikc_state_free(seeded);
	ikc_buf_dispose(&doc);
	free(version);
}

static void test_state_conformance__second_lock_holder_refused(void **state)
{
	struct fixture *f = *state;
	ikc_lock_info mine, theirs, holder;
	char pid[32];
	const char *msg;

	assert_int_equal(0, ikc_lock_info_self(&mine, "ikc apply"));
	assert_int_equal(0, ikc_lock_info_self(&theirs, "ikc plan"));
	assert_int_equal(0, f->a->lock(f->a, &mine, 0));
	assert_int_equal(IKC_ELOCKED, f->b->lock(f->b, &theirs, 0));
	msg = ikc_error_last();
	snprintf(pid, sizeof(pid), "pid %ld", mine.pid);
	assert_non_null(strstr(msg, "ikc apply"));
	assert_non_null(strstr(msg, mine.who));
	assert_non_null(strstr(msg, mine.host));
	assert_non_null(strstr(msg, pid));
	assert_non_null(strstr(msg, mine.id));
	assert_non_null(strstr(msg, "ikc force-unlock"));
	assert_null(strstr(msg, theirs.id));

	assert_int_equal(0, f->b->lock_holder(f->b, &holder));
	assert_string_equal(mine.id, holder.id);
	assert_string_equal(mine.who, holder.who);
	assert_string_equal(mine.host, holder.host);
	assert_string_equal("ikc apply", holder.command);
	assert_string_equal(mine.created, holder.created);
	assert_int_equal(mine.pid, holder.pid);
	ikc_lock_info_dispose(&holder);

	/* Released: now the other run gets it. */
	assert_int_equal(0, f->a->unlock(f->a, mine.id));
	assert_int_equal(0, f->b->lock(f->b, &theirs, 0));
	assert_int_equal(IKC_ELOCKED, f->a->lock(f->a, &mine, 0));
	assert_int_equal(0, f->b->unlock(f->b, theirs.id));
	ikc_lock_info_dispose(&mine);
	ikc_lock_info_dispose(&theirs);
}

static void test_state_conformance__force_unlock_needs_the_id(void **state)
{
	struct fixture *f = *state;
	ikc_lock_info mine, other, holder;

	assert_int_equal(0, ikc_lock_info_self(&mine, "ikc apply"));
	assert_int_equal(0, ikc_lock_info_self(&other, "ikc force-unlock"));
	assert_int_equal(IKC_ENOTFOUND, f->b->force_unlock(f->b, mine.id));
	assert_int_equal(0, f->a->lock(f->a, &mine, 0));

	/* A wrong id is refused and the lock stays. */
	assert_int_equal(IKC_ECONFLICT, f->b->force_unlock(f->b, other.id));
	assert_non_null(strstr(ikc_error_last(), mine.id));
	assert_int_equal(0, f->b->lock_holder(f->b, &holder));
	assert_string_equal(mine.id, holder.id);
	ikc_lock_info_dispose(&holder);

	/* The right id releases it, from another handle. */
	assert_int_equal(0, f->b->force_unlock(f->b, mine.id));
	assert_int_equal(IKC_ENOTFOUND, f->b->lock_holder(f->b, &holder));
	assert_int_equal(0, f->b->lock(f->b, &other, 0));
	assert_int_equal(0, f->b->unlock(f->b, other.id));
	ikc_lock_info_dispose(&mine);
	ikc_lock_info_dispose(&other);
}

static void test_state_conformance__unlock_by_non_holder_refused(void **state)
{
	struct fixture *f = *state;
	ikc_lock_info mine, other, holder;

	assert_int_equal(0, ikc_lock_info_self(&mine, "ikc apply"));
	assert_int_equal(0, ikc_lock_info_self(&other, "ikc apply"));
	assert_int_equal(0, f->a->lock(f->a, &mine, 0));
	assert_int_equal(IKC_ECONFLICT, f->b->unlock(f->b, other.id));
	assert_int_equal(0, f->a->lock_holder(f->a, &holder));
	assert_string_equal(mine.id, holder.id);
	ikc_lock_info_dispose(&holder);
	assert_int_equal(0, f->a->unlock(f->a, mine.id));
	assert_int_equal(IKC_ENOTFOUND, f->a->lock_holder(f->a, &holder));
	ikc_lock_info_dispose(&mine);
	ikc_lock_info_dispose(&other);
}

static void test_state_conformance__save_under_lock(void **state)
{
	struct fixture *f = *state;
	ikc_state *seeded = seed(f->a), *st = NULL, *now = NULL;
	ikc_lock_info mine;

	assert_int_equal(0, ikc_lock_info_self(&mine, "ikc apply"));
	assert_int_equal(0, f->a->lock(f->a, &mine, 0));
	assert_int_equal(0, ikc_state_load(&st, f->a));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/x", 1)));
	assert_int_equal(0, ikc_state_save(f->a, st));
	assert_int_equal(0, ikc_state_resource_remove(st, "Service/x"));
	assert_int_equal(0, ikc_state_save(f->a, st));
	assert_int_equal(0, f->a->unlock(f->a, mine.id));
	assert_int_equal(0, ikc_state_load(&now, f->b));
	assert_int_equal(3, ikc_state_serial(now));
	assert_null(ikc_state_resource(now, "Service/x"));
	ikc_state_free(now);
	ikc_state_free(st);
	ikc_state_free(seeded);
	ikc_lock_info_dispose(&mine);
}

static void test_state_conformance__reads_hand_out_copies(void **state)
{
	struct fixture *f = *state;
	ikc_state *seeded = seed(f->a), *one = NULL, *two = NULL, *three = NULL;
	json_object *res;

	assert_int_equal(0, ikc_state_load(&one, f->a));
	assert_int_equal(0, ikc_state_load(&two, f->a));
	res = ikc_state_resource(one, "Deployment/web");
	assert_non_null(res);
	assert_int_equal(0, ikc_json_set_path(res, "desired.replicas",
					      json_object_new_int(9)));
	assert_int_equal(0, ikc_state_resource_put(one, resource("Service/new", 1)));
	assert_int_equal(0, ikc_state_set_outputs(one, json_object_new_object()));

	assert_int_equal(1, ikc_state_count(two));
	assert_int_equal(2, json_object_get_int(ikc_json_path(
		ikc_state_resource(two, "Deployment/web"), "desired.replicas")));
	assert_int_equal(0, ikc_state_load(&three, f->b));
	assert_int_equal(1, ikc_state_count(three));
	assert_int_equal(2, json_object_get_int(ikc_json_path(
		ikc_state_resource(three, "Deployment/web"), "desired.replicas")));
	/* And the saving state's own object was not shared either. */
	assert_int_equal(2, json_object_get_int(ikc_json_path(
		ikc_state_resource(seeded, "Deployment/web"), "desired.replicas")));
	ikc_state_free(one);
	ikc_state_free(two);
	ikc_state_free(three);
	ikc_state_free(seeded);
}

int ikc_conformance_run(const struct ikc_conformance *c)
{
	void *ctx = (void *)c;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__empty_store_holds_nothing,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__lineage_never_changes,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__serial_grows_only_on_change,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__stale_save_refused,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__new_state_over_existing_refused,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__other_lineage_refused,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__second_lock_holder_refused,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__force_unlock_needs_the_id,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__unlock_by_non_holder_refused,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__save_under_lock,
			setup, teardown, ctx),
		cmocka_unit_test_prestate_setup_teardown(
			test_state_conformance__reads_hand_out_copies,
			setup, teardown, ctx),
	};

	return _cmocka_run_group_tests(c->name, tests,
				       sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
