/* test_crash.c - a writer killed at random moments leaves the old or a new state, never a torn one */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state/backend.h"
#include "tmpdir.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#define KILLS 40
#define FILLER_RESOURCES 400  /* about 200 KB of state: writes take a while */

/* A resource whose content tells which save wrote it. */
static json_object *big_resource(int i, uint64_t generation)
{
	json_object *r = json_object_new_object(), *d = json_object_new_object();
	char addr[64], text[256];

	snprintf(addr, sizeof(addr), "ConfigMap/filler-%03d", i);
	snprintf(text, sizeof(text), "generation %llu of resource %d: "
		 "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
		 "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
		 (unsigned long long)generation, i);
	if (ikc_json_add(d, "data", json_object_new_string(text)) < 0 ||
	    ikc_json_add(r, "address", json_object_new_string(addr)) < 0 ||
	    ikc_json_add(r, "desired", d) < 0)
		_exit(5);
	return r;
}

/* The child: lock (taking over from the killed one), load, rewrite, save, forever. */
static void writer(const char *url)
{
	ikc_backend *be = NULL;

	if (ikc_backend_open(&be, url, NULL) < 0)
		_exit(2);
	for (;;) {
		ikc_lock_info me;
		ikc_state *st = NULL;
		uint64_t next;
		int i, error;

		if (ikc_lock_info_self(&me, "ikc apply") < 0 || be->lock(be, &me, 30) < 0)
			_exit(3);
		error = ikc_state_load(&st, be);
		if (error == IKC_ENOTFOUND)
			error = ikc_state_new(&st, "crash");
		if (error < 0)
			_exit(4);
		next = ikc_state_serial(st) + 1;
		for (i = 0; i < FILLER_RESOURCES; i++)
			if (ikc_state_resource_put(st, big_resource(i, next)) < 0)
				_exit(5);
		if (ikc_state_save(be, st) < 0)
			_exit(6);
		if (be->unlock(be, me.id) < 0)
			_exit(7);
		ikc_state_free(st);
		ikc_lock_info_dispose(&me);
	}
}

/*
 * The stored file must be a complete state: it parses (the checksum proves
 * every byte is there), its serial never went back, and every resource
 * says it was written by the save with that serial.
 */
static uint64_t check_whole(const char *path, uint64_t last_serial)
{
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX);
	ikc_state *st = NULL;
	uint64_t serial;
	size_t i;
	int error = ikc_fs_read_file(&raw, path, IKC_STATE_MAX);

	if (error == IKC_ENOTFOUND) {
		assert_int_equal(0, last_serial);   /* not written yet */
		return 0;
	}
	assert_int_equal(0, error);
	if (ikc_state_parse(&st, raw.ptr, raw.len, path) < 0)
		fail_msg("torn state after a kill: %s", ikc_error_last());
	serial = ikc_state_serial(st);
	assert_true(serial >= last_serial);
	assert_int_equal(FILLER_RESOURCES, ikc_state_count(st));
	for (i = 0; i < ikc_state_count(st); i++) {
		char want[64];

		snprintf(want, sizeof(want), "generation %llu of",
			 (unsigned long long)serial);
		assert_non_null(strstr(json_object_get_string(ikc_json_path(
			ikc_state_resource_at(st, i), "desired.data")), want));
	}
	ikc_state_free(st);
	ikc_buf_dispose(&raw);
	return serial;
}

/* Counts the temporary files the killed writer `pid` left (PATH.tmp.<pid>...). */
static int leftover_temp_files(const char *dir, long pid)
{
	char suffix[32];
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	snprintf(suffix, sizeof(suffix), ".%ld", pid);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), slen = strlen(suffix);

		if (len > slen && !strcmp(e->d_name + len - slen, suffix) &&
		    (strstr(e->d_name, ".tmp.") || strstr(e->d_name, ".new.")))
			n++;
	}
	closedir(d);
	return n;
}

static void test_state_crash__killed_writer_never_tears_the_state(void **unused)
{
	char dir[512], path[600], url[640], backup[640];
	uint64_t serial = 0, backup_serial;
	unsigned char rnd[KILLS];
	ikc_backend *be = NULL;
	ikc_lock_info me;
	ikc_state *st = NULL;
	int k, torn_tmp = 0;

	(void)unused;
	assert_int_equal(0, tmpdir_make(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	snprintf(backup, sizeof(backup), "%s.backup", path);
	snprintf(url, sizeof(url), "file://%s", path);
	assert_int_equal(0, ikc_random_bytes(rnd, sizeof(rnd)));

	for (k = 0; k < KILLS; k++) {
		int status;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			writer(url);
		/* Let it run between 20 and about 275 ms, then kill it mid-flight. */
		usleep((useconds_t)(20000 + 1000 * rnd[k]));
		assert_int_equal(0, kill(pid, SIGKILL));
		assert_int_equal(pid, waitpid(pid, &status, 0));
		if (!WIFSIGNALED(status))
			fail_msg("writer stopped by itself (exit %d)", WEXITSTATUS(status));
		torn_tmp += leftover_temp_files(dir, (long)pid);
		serial = check_whole(path, serial);
		backup_serial = check_whole(backup, 0);
		/* A kill between the backup and the replacement leaves both equal. */
		assert_true(backup_serial <= serial);
	}
	/* The writers got somewhere (otherwise the kills proved nothing)... */
	print_message("%d kills, serial %llu, %d interrupted writes (temp files "
		      "left behind)\n", KILLS, (unsigned long long)serial, torn_tmp);
	assert_true(serial >= 3);

	/* ...and the state is still usable: the dead writer's lock is taken over. */
	assert_int_equal(0, ikc_backend_open(&be, url, NULL));
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(0, be->lock(be, &me, 5));
	assert_int_equal(0, ikc_state_load(&st, be));
	assert_int_equal(serial, ikc_state_serial(st));
	assert_int_equal(0, ikc_state_resource_remove(st, "ConfigMap/filler-000"));
	assert_int_equal(0, ikc_state_save(be, st));
	assert_int_equal(serial + 1, ikc_state_serial(st));
	assert_int_equal(0, be->unlock(be, me.id));
	ikc_state_free(st);
	ikc_lock_info_dispose(&me);
	ikc_backend_free(be);
	tmpdir_remove(dir);
}

/* Takeover warnings are expected here (every kill leaves a lock); keep them quiet. */
static void quiet(ikc_log_level level, const char *line)
{
	(void)level;
	(void)line;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_crash__killed_writer_never_tears_the_state),
	};

	ikc_log_set_sink(quiet);
	return cmocka_run_group_tests_name("state.crash", tests, NULL, NULL);
}
