/* test_race.c - processes racing for one file:// state: no update is lost */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/wait.h>
#include <unistd.h>

#include "state/backend.h"
#include "tmpdir.h"
#include "util/errors.h"
#include "util/json.h"

#define WORKERS 4
#define ROUNDS 25

static json_object *resource(int worker, int round)
{
	json_object *r = json_object_new_object();
	char addr[64];

	snprintf(addr, sizeof(addr), "ConfigMap/w%d-r%d", worker, round);
	if (r && ikc_json_add(r, "address", json_object_new_string(addr)) == 0)
		return r;
	json_object_put(r);
	return NULL;
}

/*
 * One round of a worker that takes the lock: lock, load (or start the
 * state), add its resource, save, unlock.  0 when saved.
 */
static int locked_round(ikc_backend *be, int worker, int round)
{
	ikc_lock_info me;
	ikc_state *st = NULL;
	int error;

	if (ikc_lock_info_self(&me, "ikc apply") < 0)
		return -1;
	error = be->lock(be, &me, 60);
	if (error < 0) {
		ikc_lock_info_dispose(&me);
		return error;
	}
	error = ikc_state_load(&st, be);
	if (error == IKC_ENOTFOUND)
		error = ikc_state_new(&st, "race");
	if (error == 0)
		error = ikc_state_resource_put(st, resource(worker, round));
	if (error == 0)
		error = ikc_state_save(be, st);
	if (be->unlock(be, me.id) < 0 && error == 0)
		error = -1;
	ikc_state_free(st);
	ikc_lock_info_dispose(&me);
	return error;
}

/*
 * One round without the long lock: load, add, save; a lost compare-and-swap
 * (or a busy write lock) is retried from a fresh load.  0 when saved.
 */
static int cas_round(ikc_backend *be, int worker, int round)
{
	int attempt;

	for (attempt = 0; attempt < 500; attempt++) {
		ikc_state *st = NULL;
		int error = ikc_state_load(&st, be);

		if (error == IKC_ENOTFOUND)
			error = ikc_state_new(&st, "race");
		if (error == 0)
			error = ikc_state_resource_put(st, resource(worker, round));
		if (error == 0)
			error = ikc_state_save(be, st);
		ikc_state_free(st);
		if (error == 0)
			return 0;
		if (error != IKC_ESTALE && error != IKC_ELOCKED)
			return error;
		usleep((useconds_t)(1000 * (worker + 1)));
	}
	return -1;
}

/* Forks the workers; each exits 0 only if every one of its rounds saved. */
static void run_workers(const char *url, int locked)
{
	pid_t pids[WORKERS];
	int w, status;

	for (w = 0; w < WORKERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			ikc_backend *be = NULL;
			int r, failed = 0;

			if (ikc_backend_open(&be, url, NULL) < 0)
				_exit(2);
			for (r = 0; r < ROUNDS; r++) {
				int error = locked ? locked_round(be, w, r)
						   : cas_round(be, w, r);

				if (error < 0) {
					fprintf(stderr, "worker %d round %d: %s\n", w, r,
						ikc_error_last());
					failed = 1;
				}
			}
			ikc_backend_free(be);
			_exit(failed);
		}
	}
	for (w = 0; w < WORKERS; w++) {
		assert_int_equal(pids[w], waitpid(pids[w], &status, 0));
		assert_true(WIFEXITED(status));
		assert_int_equal(0, WEXITSTATUS(status));
	}
}

static void check_result(const char *url)
{
	ikc_backend *be = NULL;
	ikc_state *st = NULL;
	ikc_lock_info holder;
	int w, r;

	assert_int_equal(0, ikc_backend_open(&be, url, NULL));
	assert_int_equal(0, ikc_state_load(&st, be));
	/* Every save added one resource and bumped the serial by exactly one. */
	assert_int_equal(WORKERS * ROUNDS, ikc_state_count(st));
	assert_int_equal(WORKERS * ROUNDS, ikc_state_serial(st));
	for (w = 0; w < WORKERS; w++)
		for (r = 0; r < ROUNDS; r++) {
			char addr[64];

			snprintf(addr, sizeof(addr), "ConfigMap/w%d-r%d", w, r);
			if (!ikc_state_resource(st, addr))
				fail_msg("lost update: %s is missing", addr);
		}
	assert_int_equal(IKC_ENOTFOUND, be->lock_holder(be, &holder));
	ikc_state_free(st);
	ikc_backend_free(be);
}

static void race(int locked)
{
	char dir[512], url[600];

	assert_int_equal(0, tmpdir_make(dir, sizeof(dir)));
	snprintf(url, sizeof(url), "file://%s/state.json", dir);
	run_workers(url, locked);
	check_result(url);
	tmpdir_remove(dir);
}

static void test_state_race__lock_load_save_unlock(void **unused)
{
	(void)unused;
	race(1);
}

static void test_state_race__compare_and_swap_without_lock(void **unused)
{
	(void)unused;
	race(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_race__lock_load_save_unlock),
		cmocka_unit_test(test_state_race__compare_and_swap_without_lock),
	};

	return cmocka_run_group_tests_name("state.race", tests, NULL, NULL);
}
