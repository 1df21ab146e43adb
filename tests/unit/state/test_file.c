/* test_file.c - the file:// backend: modes, backup, refusing damaged files, stale and waited locks */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state/backend.h"
#include "tmpdir.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

struct fx {
	char dir[512];
	char path[640];      /* <dir>/deep/er/state.json, not there yet */
	char url[700];
	ikc_backend *be;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || tmpdir_make(f->dir, sizeof(f->dir)) < 0) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/deep/er/state.json", f->dir);
	snprintf(f->url, sizeof(f->url), "file://%s", f->path);
	if (ikc_backend_open(&f->be, f->url, NULL) < 0) {
		tmpdir_remove(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ikc_backend_free(f->be);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static json_object *resource(const char *address)
{
	json_object *r = json_object_new_object();

	assert_int_equal(0, ikc_json_add(r, "address", json_object_new_string(address)));
	return r;
}

static ikc_state *saved_state(ikc_backend *be, const char *address)
{
	ikc_state *st = NULL;

	assert_int_equal(0, ikc_state_new(&st, "files"));
	assert_int_equal(0, ikc_state_resource_put(st, resource(address)));
	assert_int_equal(0, ikc_state_save(be, st));
	return st;
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(0, stat(path, &st));
	return (unsigned)(st.st_mode & 0777);
}

static char *slurp(const char *path, size_t *len)
{
	ikc_buf b = IKC_BUF_INIT(IKC_STATE_MAX);

	assert_int_equal(0, ikc_fs_read_file(&b, path, IKC_STATE_MAX));
	*len = b.len;
	return ikc_buf_detach(&b);
}

static void put_file(const char *path, const char *data, size_t len)
{
	assert_int_equal(0, ikc_fs_write_atomic(path, data, len, 0600));
}

static void test_state_file__private_modes(void **state)
{
	struct fx *f = *state;
	ikc_state *st;
	ikc_lock_info me;
	char p[700];
	mode_t old = umask(0);   /* the backend must not rely on the umask */

	st = saved_state(f->be, "Service/a");
	assert_int_equal(0600, mode_of(f->path));
	snprintf(p, sizeof(p), "%s/deep/er", f->dir);
	umask(old);
	assert_int_equal(0700, mode_of(p) & 0777);
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/b")));
	assert_int_equal(0, ikc_state_save(f->be, st));
	snprintf(p, sizeof(p), "%s.backup", f->path);
	assert_int_equal(0600, mode_of(p));
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(0, f->be->lock(f->be, &me, 0));
	snprintf(p, sizeof(p), "%s.lock", f->path);
	assert_int_equal(0600, mode_of(p));
	assert_int_equal(0, f->be->unlock(f->be, me.id));
	assert_int_equal(-1, access(p, F_OK));
	ikc_lock_info_dispose(&me);
	ikc_state_free(st);
}

static void test_state_file__backup_holds_previous_state(void **state)
{
	struct fx *f = *state;
	ikc_state *st = saved_state(f->be, "Service/a"), *backup = NULL;
	char p[700], *text;
	size_t len;

	snprintf(p, sizeof(p), "%s.backup", f->path);
	assert_int_equal(-1, access(p, F_OK));      /* nothing to back up yet */
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/b")));
	assert_int_equal(0, ikc_state_save(f->be, st));
	text = slurp(p, &len);
	assert_int_equal(0, ikc_state_parse(&backup, text, len, p));
	assert_int_equal(1, ikc_state_serial(backup));
	assert_string_equal(ikc_state_lineage(st), ikc_state_lineage(backup));
	assert_non_null(ikc_state_resource(backup, "Service/a"));
	assert_null(ikc_state_resource(backup, "Service/b"));
	ikc_state_free(backup);
	backup = NULL;
	free(text);

	assert_int_equal(0, ikc_state_resource_remove(st, "Service/a"));
	assert_int_equal(0, ikc_state_save(f->be, st));
	text = slurp(p, &len);
	assert_int_equal(0, ikc_state_parse(&backup, text, len, p));
	assert_int_equal(2, ikc_state_serial(backup));
	assert_non_null(ikc_state_resource(backup, "Service/b"));
	ikc_state_free(backup);
	free(text);
	ikc_state_free(st);
}

/* Damaged or foreign contents of the state file, each with its complaint. */
static void damaged_is_never_overwritten(struct fx *f, const char *bad, size_t badlen,
					 const char *complaint)
{
	ikc_state *fresh = NULL, *loaded = NULL;
	char *now;
	size_t len;

	put_file(f->path, bad, badlen);
	assert_int_equal(IKC_EINVALID, ikc_state_load(&loaded, f->be));
	assert_null(loaded);
	assert_non_null(strstr(ikc_error_last(), f->path));
	assert_non_null(strstr(ikc_error_last(), "state file "));
	if (!strstr(ikc_error_last(), complaint))
		fail_msg("\"%s\" lacks \"%s\"", ikc_error_last(), complaint);

	assert_int_equal(0, ikc_state_new(&fresh, "files"));
	assert_int_equal(IKC_EINVALID, ikc_state_save(f->be, fresh));
	assert_non_null(strstr(ikc_error_last(), "not overwriting it"));
	assert_non_null(strstr(ikc_error_last(), complaint));
	assert_int_equal(0, ikc_state_serial(fresh));
	now = slurp(f->path, &len);
	assert_int_equal(badlen, len);
	assert_memory_equal(bad, now, len);
	free(now);
	ikc_state_free(fresh);
}

static void test_state_file__damaged_file_is_never_overwritten(void **state)
{
	struct fx *f = *state;
	ikc_state *st = saved_state(f->be, "Service/a"), *loaded = NULL;
	char *good, *bad;
	size_t len, blen;

	good = slurp(f->path, &len);
	damaged_is_never_overwritten(f, good, len / 2, "truncated");
	bad = strdup(good);
	*strstr(bad, "Service/a") = 'X';
	damaged_is_never_overwritten(f, bad, len, "checksum mismatch");
	free(bad);
	damaged_is_never_overwritten(f, "{\"foo\":1}\n", 10, "not an ikc state");
	damaged_is_never_overwritten(f, "\x7f" "ELF\x02\x01", 6, "invalid JSON");

	/* A run that loaded the good state cannot overwrite damage either. */
	put_file(f->path, good, len);
	assert_int_equal(0, ikc_state_load(&loaded, f->be));
	put_file(f->path, "garbage", 7);
	assert_int_equal(0, ikc_state_resource_put(loaded, resource("Service/z")));
	assert_int_equal(IKC_EINVALID, ikc_state_save(f->be, loaded));
	bad = slurp(f->path, &blen);
	assert_int_equal(7, blen);
	assert_memory_equal("garbage", bad, 7);
	free(bad);
	ikc_state_free(loaded);
	free(good);
	ikc_state_free(st);
}

static char warnings[2048];

static void capture(ikc_log_level level, const char *line)
{
	if (level == IKC_LOG_WARN)
		snprintf(warnings + strlen(warnings), sizeof(warnings) - strlen(warnings),
			 "%s\n", line);
}

/* Writes a lock file naming `pid` on `host`. */
static void plant_lock(const struct fx *f, const char *id, long pid, const char *host)
{
	char text[1024], p[700];

	snprintf(p, sizeof(p), "%s/deep/er", f->dir);
	assert_int_equal(0, ikc_fs_mkdirs(p, 0700));
	snprintf(text, sizeof(text),
		 "{\"id\": \"%s\", \"who\": \"ghost\", \"host\": \"%s\", \"pid\": %ld, "
		 "\"command\": \"ikc apply\", \"created\": \"2026-11-24T15:40:02Z\"}\n",
		 id, host, pid);
	snprintf(p, sizeof(p), "%s.lock", f->path);
	put_file(p, text, strlen(text));
}

static long dead_pid(void)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(pid, waitpid(pid, &status, 0));
	return (long)pid;
}

static void test_state_file__stale_lock_of_dead_process_is_taken_over(void **state)
{
	struct fx *f = *state;
	static const char ghost[] = "11111111-2222-4333-8444-555555555555";
	ikc_lock_info me, holder;
	char host[256];

	long pid = dead_pid();
	char tmp1[700], tmp2[700];

	assert_int_equal(0, gethostname(host, sizeof(host)));
	plant_lock(f, ghost, pid, host);
	/* What the dead run was writing when it died. */
	snprintf(tmp1, sizeof(tmp1), "%s.tmp.%ld", f->path, pid);
	put_file(tmp1, "{\"half\": ", 9);
	snprintf(tmp2, sizeof(tmp2), "%s.lock.new.%ld", f->path, pid);
	put_file(tmp2, "{", 1);
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	warnings[0] = '\0';
	ikc_log_set_sink(capture);
	assert_int_equal(0, f->be->lock(f->be, &me, 0));
	ikc_log_set_sink(NULL);
	assert_non_null(strstr(warnings, "took over the state lock"));
	assert_non_null(strstr(warnings, ghost));
	assert_int_equal(-1, access(tmp1, F_OK));   /* its leftovers are gone */
	assert_int_equal(-1, access(tmp2, F_OK));
	assert_int_equal(0, f->be->lock_holder(f->be, &holder));
	assert_string_equal(me.id, holder.id);
	ikc_lock_info_dispose(&holder);
	assert_int_equal(0, f->be->unlock(f->be, me.id));
	ikc_lock_info_dispose(&me);
}

static void test_state_file__live_or_remote_holder_is_not_taken_over(void **state)
{
	struct fx *f = *state;
	static const char ghost[] = "11111111-2222-4333-8444-555555555555";
	ikc_lock_info me, holder;
	char host[256];

	assert_int_equal(0, gethostname(host, sizeof(host)));
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));

	/* A process that runs (our parent) on this host. */
	plant_lock(f, ghost, (long)getppid(), host);
	assert_int_equal(IKC_ELOCKED, f->be->lock(f->be, &me, 0));
	assert_non_null(strstr(ikc_error_last(), "ghost@"));
	assert_non_null(strstr(ikc_error_last(), "ikc force-unlock " "11111111-2222"));

	/* A dead pid, but on another host: we cannot know, so it stays. */
	plant_lock(f, ghost, dead_pid(), "some-other-host.example");
	assert_int_equal(IKC_ELOCKED, f->be->lock(f->be, &me, 0));
	assert_non_null(strstr(ikc_error_last(), "some-other-host.example"));
	assert_int_equal(0, f->be->lock_holder(f->be, &holder));
	assert_string_equal(ghost, holder.id);
	ikc_lock_info_dispose(&holder);

	/* force-unlock with its id is the way out. */
	assert_int_equal(0, f->be->force_unlock(f->be, ghost));
	assert_int_equal(0, f->be->lock(f->be, &me, 0));
	assert_int_equal(0, f->be->unlock(f->be, me.id));
	ikc_lock_info_dispose(&me);
}

static void test_state_file__unreadable_lock_is_reported(void **state)
{
	struct fx *f = *state;
	ikc_lock_info me, holder;
	char p[700];

	snprintf(p, sizeof(p), "%s/deep/er", f->dir);
	assert_int_equal(0, ikc_fs_mkdirs(p, 0700));
	snprintf(p, sizeof(p), "%s.lock", f->path);
	put_file(p, "not a lock", 10);
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(IKC_ELOCKED, f->be->lock(f->be, &me, 0.2));
	assert_non_null(strstr(ikc_error_last(), "unreadable"));
	assert_non_null(strstr(ikc_error_last(), p));
	assert_int_equal(IKC_EINVALID, f->be->lock_holder(f->be, &holder));
	assert_int_equal(IKC_EINVALID, f->be->force_unlock(f->be, me.id));
	assert_int_equal(0, access(p, F_OK));      /* left for a human to judge */
	ikc_lock_info_dispose(&me);
}

/*
 * A child that holds the lock: it takes it and says 'y' on `up`; when the
 * parent writes on `down` it waits `hold` seconds, says 'r' (released next)
 * and unlocks.  Causality, not timing, proves who waited for whom.
 */
struct holder {
	pid_t pid;
	int up;      /* read end: child -> parent */
	int down;    /* write end: parent -> child */
};

static void holder_start(struct holder *h, const char *url, double hold)
{
	int up[2], down[2];
	char c;

	assert_int_equal(0, pipe(up));
	assert_int_equal(0, pipe(down));
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (h->pid == 0) {
		ikc_backend *be = NULL;
		ikc_lock_info me;
		int ok;

		close(up[0]);
		close(down[1]);
		ok = ikc_backend_open(&be, url, NULL) == 0 &&
		     ikc_lock_info_self(&me, "ikc apply") == 0 &&
		     be->lock(be, &me, 0) == 0;
		if (write(up[1], ok ? "y" : "n", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(3);
		usleep((useconds_t)(hold * 1e6));
		if (write(up[1], "r", 1) != 1)
			_exit(3);
		ok = ok && be->unlock(be, me.id) == 0;
		_exit(ok ? 0 : 2);
	}
	close(up[1]);
	close(down[0]);
	h->up = up[0];
	h->down = down[1];
	assert_int_equal(1, read(h->up, &c, 1));
	assert_int_equal('y', c);
}

/* Tells the holder to release (after its hold time). */
static void holder_go(struct holder *h)
{
	assert_int_equal(1, write(h->down, "g", 1));
}

static void holder_end(struct holder *h)
{
	int status;

	assert_int_equal(h->pid, waitpid(h->pid, &status, 0));
	assert_true(WIFEXITED(status));
	assert_int_equal(0, WEXITSTATUS(status));
	close(h->up);
	close(h->down);
}

static void test_state_file__lock_timeout_waits_for_the_holder(void **state)
{
	struct fx *f = *state;
	struct holder h;
	ikc_lock_info me;
	char c = 0;

	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	holder_start(&h, f->url, 0.4);
	assert_int_equal(IKC_ELOCKED, f->be->lock(f->be, &me, 0));
	holder_go(&h);
	assert_int_equal(0, f->be->lock(f->be, &me, 60));
	/* The holder announced its release before unlocking: we waited for it. */
	assert_int_equal(1, read(h.up, &c, 1));
	assert_int_equal('r', c);
	holder_end(&h);
	assert_int_equal(0, f->be->unlock(f->be, me.id));
	ikc_lock_info_dispose(&me);
}

static void test_state_file__lock_timeout_expires(void **state)
{
	struct fx *f = *state;
	struct holder h;
	ikc_lock_info me, holder;
	double start, took;

	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	holder_start(&h, f->url, 0);
	start = ikc_time_monotonic();
	assert_int_equal(IKC_ELOCKED, f->be->lock(f->be, &me, 0.5));
	took = ikc_time_monotonic() - start;
	assert_true(took >= 0.5);
	assert_non_null(strstr(ikc_error_last(), "waited"));
	assert_non_null(strstr(ikc_error_last(), "state is locked by ikc apply ("));
	/* It gave up while the holder still held the lock. */
	assert_int_equal(0, f->be->lock_holder(f->be, &holder));
	assert_int_equal((long)h.pid, holder.pid);
	ikc_lock_info_dispose(&holder);
	holder_go(&h);
	holder_end(&h);
	ikc_lock_info_dispose(&me);
}

static void test_state_file__writes_respect_the_lock(void **state)
{
	struct fx *f = *state;
	ikc_backend *other = NULL;
	ikc_lock_info me;
	ikc_state *st = saved_state(f->be, "Service/a"), *theirs = NULL;

	assert_int_equal(0, ikc_backend_open(&other, f->url, NULL));
	assert_int_equal(0, ikc_state_load(&theirs, other));
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(0, f->be->lock(f->be, &me, 0));

	/* A lock-less writer is refused while a run holds the lock. */
	assert_int_equal(0, ikc_state_resource_put(theirs, resource("Service/x")));
	assert_int_equal(IKC_ELOCKED, ikc_state_save(other, theirs));
	assert_int_equal(1, ikc_state_serial(theirs));

	/* A run whose lock was force-unlocked stops writing. */
	assert_int_equal(0, other->force_unlock(other, me.id));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/b")));
	assert_int_equal(IKC_ELOCKED, ikc_state_save(f->be, st));
	assert_non_null(strstr(ikc_error_last(), "released or taken over"));

	/* Unlocked now: the lock-less writer goes through. */
	assert_int_equal(0, ikc_state_save(other, theirs));
	assert_int_equal(2, ikc_state_serial(theirs));
	ikc_state_free(theirs);
	ikc_state_free(st);
	ikc_lock_info_dispose(&me);
	ikc_backend_free(other);
}

static void test_state_file__free_releases_the_lock(void **state)
{
	struct fx *f = *state;
	ikc_backend *be = NULL;
	ikc_lock_info me, holder;

	assert_int_equal(0, ikc_backend_open(&be, f->url, NULL));
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(0, be->lock(be, &me, 0));
	assert_int_equal(0, be->lock(be, &me, 0));   /* again: still ours */
	ikc_backend_free(be);
	assert_int_equal(IKC_ENOTFOUND, f->be->lock_holder(f->be, &holder));
	ikc_lock_info_dispose(&me);
}

static void test_state_file__urls(void **state)
{
	struct fx *f = *state;
	ikc_backend *be = NULL;
	ikc_state *st = NULL;
	char p[700];

	(void)f;
	assert_int_equal(0, ikc_backend_open(&be, "file://rel/s.json", f->dir));
	snprintf(p, sizeof(p), "file://%s/rel/s.json", f->dir);
	assert_string_equal(p, be->url);
	assert_int_equal(0, ikc_state_new(&st, "x"));
	assert_int_equal(0, ikc_state_save(be, st));
	snprintf(p, sizeof(p), "%s/rel/s.json", f->dir);
	assert_int_equal(0, access(p, F_OK));
	ikc_backend_free(be);
	ikc_state_free(st);

	be = NULL;
	assert_int_equal(IKC_EINVALID, ikc_backend_open(&be, "s3://bucket/key", NULL));
	assert_non_null(strstr(ikc_error_last(), "file://PATH"));
	assert_int_equal(IKC_EINVALID, ikc_backend_open(&be, "state.json", NULL));
	assert_non_null(strstr(ikc_error_last(), "did you mean file://state.json"));
	assert_int_equal(IKC_EINVALID, ikc_backend_open(&be, "file://", NULL));
	assert_int_equal(IKC_EINVALID, ikc_backend_open(&be, "", NULL));
	assert_null(be);
	ikc_backend_free(NULL);
}

static void test_state_file__describe_lock(void **state)
{
	ikc_lock_info me;
	ikc_buf b = IKC_BUF_INIT(4096);
	char want[128];

	(void)state;
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(36, strlen(me.id));
	assert_int_equal((long)getpid(), me.pid);
	assert_int_equal(20, strlen(me.created));
	assert_int_equal(0, ikc_lock_info_describe(&b, &me));
	snprintf(want, sizeof(want), "ikc apply by %s@%s (pid %ld) since ", me.who,
		 me.host, me.pid);
	assert_non_null(strstr(b.ptr, want));
	assert_non_null(strstr(b.ptr, me.id));
	ikc_buf_dispose(&b);
	ikc_lock_info_dispose(&me);
	ikc_lock_info_dispose(&me);   /* twice is harmless */
}

/*
 * The handle remembers the file it wrote, so its next write need not read
 * it again; a file replaced or edited behind its back is still noticed.
 */
static void test_state_file__change_behind_the_handle_is_detected(void **state)
{
	struct fx *f = *state;
	ikc_state *st = saved_state(f->be, "Service/a"), *other = NULL;
	ikc_backend *be2 = NULL;
	ikc_lock_info me;
	ikc_buf doc = IKC_BUF_INIT(IKC_STATE_MAX);
	char *text, *now;
	size_t len, nlen;
	int fd;

	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(0, f->be->lock(f->be, &me, 0));
	/* Saves in a row through the same handle work (serial 2, 3). */
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/b")));
	assert_int_equal(0, ikc_state_save(f->be, st));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/c")));
	assert_int_equal(0, ikc_state_save(f->be, st));
	assert_int_equal(3, ikc_state_serial(st));

	/* Another handle (another run) saves a later state meanwhile. */
	assert_int_equal(0, f->be->unlock(f->be, me.id));
	assert_int_equal(0, ikc_backend_open(&be2, f->url, NULL));
	assert_int_equal(0, ikc_state_load(&other, be2));
	assert_int_equal(0, ikc_state_resource_put(other, resource("Service/x")));
	assert_int_equal(0, ikc_state_save(be2, other));
	assert_int_equal(4, ikc_state_serial(other));
	ikc_backend_free(be2);
	assert_int_equal(0, ikc_state_serialize(&doc, other));
	assert_int_equal(0, f->be->lock(f->be, &me, 0));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/d")));
	assert_int_equal(IKC_ESTALE, ikc_state_save(f->be, st));
	assert_int_equal(3, ikc_state_serial(st));
	now = slurp(f->path, &nlen);
	assert_int_equal(doc.len, nlen);
	assert_memory_equal(doc.ptr, now, nlen);
	free(now);

	/* Reloaded, it saves; then the file is damaged in place, same size. */
	ikc_state_free(st);
	assert_int_equal(0, ikc_state_load(&st, f->be));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/e")));
	assert_int_equal(0, ikc_state_save(f->be, st));
	text = slurp(f->path, &len);
	*strstr(text, "Service/e") = 'X';
	usleep(30000);            /* a later edit, as a person would make it */
	fd = open(f->path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(0, ikc_fs_write_all(fd, text, len));
	assert_int_equal(0, close(fd));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/f")));
	assert_int_equal(IKC_EINVALID, ikc_state_save(f->be, st));
	assert_non_null(strstr(ikc_error_last(), "not overwriting it"));
	now = slurp(f->path, &nlen);
	assert_int_equal(len, nlen);
	assert_memory_equal(text, now, nlen);
	free(now);
	free(text);

	assert_int_equal(0, f->be->unlock(f->be, me.id));
	ikc_lock_info_dispose(&me);
	ikc_buf_dispose(&doc);
	ikc_state_free(other);
	ikc_state_free(st);
}

/* A change made in place through a borrowed pointer is a change too. */
static void test_state_file__change_in_place_is_saved(void **state)
{
	struct fx *f = *state;
	ikc_state *st = NULL, *loaded = NULL;
	json_object *entry;
	char id[37];

	assert_int_equal(0, ikc_state_new(&st, "files"));
	assert_int_equal(0, ikc_state_journal_add(st, json_object_new_object(), id));
	assert_int_equal(0, ikc_state_save(f->be, st));
	assert_int_equal(1, ikc_state_serial(st));
	entry = ikc_state_journal_get(st, id);
	assert_non_null(entry);
	assert_int_equal(0, ikc_json_add(entry, "operation",
					 json_object_new_string("operation-1")));
	assert_int_equal(0, ikc_state_save(f->be, st));
	assert_int_equal(2, ikc_state_serial(st));
	assert_int_equal(0, ikc_state_save(f->be, st));
	assert_int_equal(2, ikc_state_serial(st));
	assert_int_equal(0, ikc_state_load(&loaded, f->be));
	assert_int_equal(2, ikc_state_serial(loaded));
	assert_string_equal("operation-1",
		ikc_json_str(ikc_state_journal_get(loaded, id), "operation"));
	ikc_state_free(loaded);
	ikc_state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_file__private_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__backup_holds_previous_state,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__damaged_file_is_never_overwritten,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_state_file__stale_lock_of_dead_process_is_taken_over,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_state_file__live_or_remote_holder_is_not_taken_over,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__unreadable_lock_is_reported,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__lock_timeout_waits_for_the_holder,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__lock_timeout_expires,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__writes_respect_the_lock,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__free_releases_the_lock,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__change_in_place_is_saved,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_state_file__change_behind_the_handle_is_detected,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_file__describe_lock, setup, teardown),
	};

	return cmocka_run_group_tests_name("state.file", tests, NULL, NULL);
}
