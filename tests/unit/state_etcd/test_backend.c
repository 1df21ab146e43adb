/* test_backend.c - etcd:// backend against a real etcd: chunked states, compare-and-swap, lease lock, URLs */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <cmocka.h>

#include "etcd_proc.h"
#include "state/backend.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/json.h"

#define LOCK_TTL "3"   /* seconds; IKC_ETCD_LOCK_TTL for every handle here */

static struct etcd_cluster cluster;
static const char *self_exe;
static int prefix_n;

/* A fresh key prefix on the test etcd. */
static void new_url(char *out, size_t len)
{
	snprintf(out, len, "etcd://%s/backend/t%d", cluster.endpoints, ++prefix_n);
}

static ikc_backend *open_be(const char *url)
{
	ikc_backend *be = NULL;

	assert_int_equal(0, ikc_backend_open(&be, url, NULL));
	return be;
}

/* Runs etcdctl on the test etcd with `args`; its output goes to out. */
static void etcdctl(const char *a1, const char *a2, const char *a3,
		    const char *a4, char *out, size_t outlen)
{
	char ep[300];
	const char *argv[] = { "etcdctl", ep, a1, a2, a3, a4, NULL };

	snprintf(ep, sizeof(ep), "--endpoints=%s", cluster.endpoints);
	assert_int_equal(0, etcd_run(argv, out, outlen));
}

/* How many keys etcdctl lists under `prefix` (what an operator would see). */
static int etcdctl_count(const char *prefix)
{
	static char out[1 << 16];
	const char *p;
	int n = 0;

	etcdctl("get", "--prefix", "--keys-only", prefix, out, sizeof(out));
	for (p = out; *p; ) {
		size_t len = strcspn(p, "\n");

		if (len > 0)
			n++;
		p += len;
		if (*p)
			p++;
	}
	return n;
}

static json_object *resource(const char *address, size_t blob_len, int seed)
{
	json_object *r = json_object_new_object(), *desired = json_object_new_object();
	char *blob = malloc(blob_len + 1);
	size_t i;

	assert_non_null(blob);
	for (i = 0; i < blob_len; i++)
		blob[i] = (char)('a' + (i * 7 + (size_t)seed * 13 + i / 97) % 26);
	blob[blob_len] = '\0';
	assert_int_equal(0, ikc_json_add(r, "address", json_object_new_string(address)));
	assert_int_equal(0, ikc_json_add(r, "kind", json_object_new_string("ConfigMap")));
	assert_int_equal(0, ikc_json_add(desired, "blob", json_object_new_string(blob)));
	assert_int_equal(0, ikc_json_add(r, "desired", desired));
	free(blob);
	return r;
}

static void test_state_etcd__five_mib_state_round_trips(void **unused)
{
	char url[400], prefix[64];
	ikc_backend *a, *b;
	ikc_state *st = NULL, *again = NULL;
	ikc_buf doc = IKC_BUF_INIT(IKC_STATE_MAX), raw = IKC_BUF_INIT(IKC_STATE_MAX);
	char *version = NULL;
	int i;

	(void)unused;
	new_url(url, sizeof(url));
	snprintf(prefix, sizeof(prefix), "backend/t%d/state/", prefix_n);
	a = open_be(url);
	b = open_be(url);
	assert_int_equal(0, ikc_state_new(&st, "big"));
	for (i = 0; i < 52; i++) {
		char addr[64];

		snprintf(addr, sizeof(addr), "ConfigMap/c%d", i);
		assert_int_equal(0, ikc_state_resource_put(st, resource(addr, 100 << 10, i)));
	}
	assert_int_equal(0, ikc_state_save(a, st));
	assert_int_equal(0, ikc_state_serialize(&doc, st));
	assert_true(doc.len > (size_t)5 << 20);

	/* Another handle reads exactly the bytes that were written. */
	assert_int_equal(0, b->read(b, &raw, &version));
	assert_int_equal(doc.len, raw.len);
	assert_memory_equal(doc.ptr, raw.ptr, doc.len);
	assert_int_equal(0, ikc_state_load(&again, b));
	assert_int_equal(52, ikc_state_count(again));
	assert_true(ikc_state_content_equal(st, again));
	/* More than one etcd request's worth, so stored in several chunks. */
	assert_true(etcdctl_count(prefix) >= 10);

	/* Shrinking it back to one chunk leaves no old chunks behind. */
	for (i = 1; i < 52; i++) {
		char addr[64];

		snprintf(addr, sizeof(addr), "ConfigMap/c%d", i);
		assert_int_equal(0, ikc_state_resource_remove(again, addr));
	}
	assert_int_equal(0, ikc_state_save(b, again));
	assert_int_equal(1, etcdctl_count(prefix));
	ikc_state_free(st);
	st = NULL;
	assert_int_equal(0, ikc_state_load(&st, a));
	assert_int_equal(1, ikc_state_count(st));
	assert_int_equal(2, ikc_state_serial(st));

	free(version);
	ikc_buf_dispose(&doc);
	ikc_buf_dispose(&raw);
	ikc_state_free(st);
	ikc_state_free(again);
	ikc_backend_free(a);
	ikc_backend_free(b);
}

struct racer {
	const char *url;
	int i;
	pthread_barrier_t *go;
	int result;
};

/* One run: loads the state, changes it, and saves once every run has loaded. */
static void *race_save(void *arg)
{
	struct racer *r = arg;
	ikc_backend *be = NULL;
	ikc_state *st = NULL;
	char addr[32];

	snprintf(addr, sizeof(addr), "Deployment/racer%d", r->i);
	r->result = ikc_backend_open(&be, r->url, NULL);
	if (r->result == 0)
		r->result = ikc_state_load(&st, be);
	if (r->result == 0)
		r->result = ikc_state_resource_put(st, resource(addr, 10, r->i));
	pthread_barrier_wait(r->go);
	if (r->result == 0)
		r->result = ikc_state_save(be, st);
	ikc_state_free(st);
	ikc_backend_free(be);
	return NULL;
}

static void test_state_etcd__two_writers_one_wins(void **unused)
{
	enum { N = 6 };
	char url[400], addr[32];
	ikc_backend *a;
	ikc_state *st = NULL;
	struct racer r[N];
	pthread_t th[N];
	pthread_barrier_t go;
	int i, wins = 0, stale = 0, winner = -1;

	(void)unused;
	new_url(url, sizeof(url));
	a = open_be(url);
	assert_int_equal(0, ikc_state_new(&st, "race"));
	assert_int_equal(0, ikc_state_save(a, st));
	ikc_state_free(st);
	st = NULL;
	/* N runs all read serial 1, then all save at once: one may win. */
	pthread_barrier_init(&go, NULL, N);
	for (i = 0; i < N; i++) {
		r[i] = (struct racer){ url, i, &go, -100 };
		assert_int_equal(0, pthread_create(&th[i], NULL, race_save, &r[i]));
	}
	for (i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		if (r[i].result == 0) {
			wins++;
			winner = i;
		} else if (r[i].result == IKC_ESTALE) {
			stale++;
		}
	}
	assert_int_equal(1, wins);
	assert_int_equal(N - 1, stale);

	/* What is stored is the winner's change alone, at serial 2. */
	assert_int_equal(0, ikc_state_load(&st, a));
	assert_int_equal(2, ikc_state_serial(st));
	assert_int_equal(1, ikc_state_count(st));
	snprintf(addr, sizeof(addr), "Deployment/racer%d", winner);
	assert_non_null(ikc_state_resource(st, addr));
	ikc_state_free(st);
	pthread_barrier_destroy(&go);
	ikc_backend_free(a);
}

/* The child process of the expiry test: takes the lock, says so, waits to be killed. */
static int hold_lock(const char *url)
{
	ikc_backend *be = NULL;
	ikc_lock_info me;

	if (ikc_backend_open(&be, url, NULL) < 0 ||
	    ikc_lock_info_self(&me, "ikc apply") < 0 || be->lock(be, &me, 0) < 0) {
		fprintf(stderr, "holder: %s\n", ikc_error_last());
		return 1;
	}
	printf("locked %s\n", me.id);
	fflush(stdout);
	for (;;)
		pause();
}

static void test_state_etcd__killed_holder_loses_lock_after_ttl(void **unused)
{
	char url[400], cmd[64], line[128];
	ikc_backend *be;
	ikc_lock_info me, holder;
	int fds[2];
	ssize_t got;
	pid_t child;
	long pid;
	double start, waited;
	const char *msg;

	(void)unused;
	new_url(url, sizeof(url));
	/* The holder is another process, started from this same test binary. */
	assert_int_equal(0, pipe(fds));
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(self_exe, self_exe, "--hold-lock", url, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	got = read(fds[0], line, sizeof(line) - 1);
	assert_true(got > 0);
	line[got] = '\0';
	assert_non_null(strstr(line, "locked "));
	pid = (long)child;
	be = open_be(url);
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(IKC_ELOCKED, be->lock(be, &me, 0));
	snprintf(cmd, sizeof(cmd), "pid %ld", pid);
	msg = ikc_error_last();
	assert_non_null(strstr(msg, cmd));
	assert_int_equal(0, be->lock_holder(be, &holder));
	assert_int_equal(pid, holder.pid);
	ikc_lock_info_dispose(&holder);

	/* kill -9: no unlock happens; the lease runs out after the TTL. */
	assert_int_equal(0, kill(child, SIGKILL));
	assert_int_equal(child, waitpid(child, NULL, 0));
	close(fds[0]);
	/* Right after the death the lock is still there: only the lease ends it. */
	assert_int_equal(IKC_ELOCKED, be->lock(be, &me, 0));
	start = ikc_time_monotonic();
	assert_int_equal(0, be->lock(be, &me, 20));
	waited = ikc_time_monotonic() - start;
	assert_true(waited <= 3 + 5);   /* the TTL and a little */
	assert_int_equal(0, be->lock_holder(be, &holder));
	assert_string_equal(me.id, holder.id);
	ikc_lock_info_dispose(&holder);
	assert_int_equal(0, be->unlock(be, me.id));
	ikc_lock_info_dispose(&me);
	ikc_backend_free(be);
}

static void test_state_etcd__live_holder_keeps_lock_past_ttl(void **unused)
{
	char url[400];
	ikc_backend *a, *b;
	ikc_lock_info mine, theirs;

	(void)unused;
	new_url(url, sizeof(url));
	a = open_be(url);
	b = open_be(url);
	assert_int_equal(0, ikc_lock_info_self(&mine, "ikc apply"));
	assert_int_equal(0, ikc_lock_info_self(&theirs, "ikc apply"));
	assert_int_equal(0, a->lock(a, &mine, 0));
	etcd_sleep(3 * 2.5);        /* well past the 3 s lease: kept alive */
	assert_int_equal(IKC_ELOCKED, b->lock(b, &theirs, 0));
	assert_non_null(strstr(ikc_error_last(), mine.id));
	/* Freeing the holder's handle releases it at once. */
	ikc_backend_free(a);
	assert_int_equal(0, b->lock(b, &theirs, 0));
	assert_int_equal(0, b->unlock(b, theirs.id));
	ikc_lock_info_dispose(&mine);
	ikc_lock_info_dispose(&theirs);
	ikc_backend_free(b);
}

struct releaser {
	ikc_backend *be;
	const char *id;
	int result;
};

static void *release_later(void *arg)
{
	struct releaser *r = arg;

	etcd_sleep(1.0);
	r->result = r->be->unlock(r->be, r->id);
	return NULL;
}

static void test_state_etcd__lock_timeout_waits_for_release(void **unused)
{
	char url[400];
	ikc_backend *a, *b;
	ikc_lock_info mine, theirs;
	struct releaser rel;
	pthread_t th;
	double start;

	(void)unused;
	new_url(url, sizeof(url));
	a = open_be(url);
	b = open_be(url);
	assert_int_equal(0, ikc_lock_info_self(&mine, "ikc apply"));
	assert_int_equal(0, ikc_lock_info_self(&theirs, "ikc plan"));
	assert_int_equal(0, a->lock(a, &mine, 0));
	/* A short timeout runs out and names how long it waited. */
	start = ikc_time_monotonic();
	assert_int_equal(IKC_ELOCKED, b->lock(b, &theirs, 0.3));
	assert_true(ikc_time_monotonic() - start >= 0.3);
	assert_non_null(strstr(ikc_error_last(), mine.id));
	/* A longer one gets the lock once the holder lets go. */
	rel = (struct releaser){ a, mine.id, -1 };
	assert_int_equal(0, pthread_create(&th, NULL, release_later, &rel));
	start = ikc_time_monotonic();
	assert_int_equal(0, b->lock(b, &theirs, 15));
	pthread_join(th, NULL);
	assert_int_equal(0, rel.result);
	assert_true(ikc_time_monotonic() - start >= 0.5);
	assert_int_equal(0, b->unlock(b, theirs.id));
	ikc_lock_info_dispose(&mine);
	ikc_lock_info_dispose(&theirs);
	ikc_backend_free(a);
	ikc_backend_free(b);
}

static void test_state_etcd__write_after_losing_lock_refused(void **unused)
{
	char url[400];
	ikc_backend *a, *b;
	ikc_lock_info mine, theirs, holder;
	ikc_state *st = NULL, *now = NULL;

	(void)unused;
	new_url(url, sizeof(url));
	a = open_be(url);
	b = open_be(url);
	assert_int_equal(0, ikc_lock_info_self(&mine, "ikc apply"));
	assert_int_equal(0, ikc_lock_info_self(&theirs, "ikc apply"));
	assert_int_equal(0, a->lock(a, &mine, 0));
	assert_int_equal(0, ikc_state_new(&st, "taken"));
	assert_int_equal(0, ikc_state_save(a, st));
	/* Someone force-unlocks this run and takes the lock. */
	assert_int_equal(0, b->force_unlock(b, mine.id));
	assert_int_equal(0, b->lock(b, &theirs, 0));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/late", 1, 1)));
	assert_int_equal(IKC_ELOCKED, ikc_state_save(a, st));
	assert_non_null(strstr(ikc_error_last(), "released or taken over"));
	assert_int_equal(0, ikc_state_load(&now, b));
	assert_int_equal(1, ikc_state_serial(now));
	assert_null(ikc_state_resource(now, "Service/late"));
	/* Freeing the old holder's handle does not release the new lock. */
	ikc_backend_free(a);
	assert_int_equal(0, b->lock_holder(b, &holder));
	assert_string_equal(theirs.id, holder.id);
	ikc_lock_info_dispose(&holder);
	assert_int_equal(0, b->unlock(b, theirs.id));
	ikc_lock_info_dispose(&mine);
	ikc_lock_info_dispose(&theirs);
	ikc_state_free(st);
	ikc_state_free(now);
	ikc_backend_free(b);
}

static void test_state_etcd__expired_lease_stops_the_run(void **unused)
{
	char url[400], key[64], hex[32];
	static char out[1 << 14];
	ikc_backend *a;
	ikc_lock_info mine, again;
	ikc_state *st = NULL;
	json_object *doc = NULL;
	long long lease;

	(void)unused;
	new_url(url, sizeof(url));
	snprintf(key, sizeof(key), "backend/t%d/lock", prefix_n);
	a = open_be(url);
	assert_int_equal(0, ikc_lock_info_self(&mine, "ikc apply"));
	assert_int_equal(0, ikc_lock_info_self(&again, "ikc apply"));
	assert_int_equal(0, a->lock(a, &mine, 0));
	assert_int_equal(0, ikc_state_new(&st, "lease"));
	assert_int_equal(0, ikc_state_save(a, st));

	/* An operator revokes the lock's lease (as if it had run out). */
	etcdctl("get", key, "-w", "json", out, sizeof(out));
	assert_int_equal(0, ikc_json_parse(&doc, out, strlen(out), "etcdctl"));
	lease = json_object_get_int64(ikc_json_path(doc, "kvs[0].lease"));
	assert_true(lease != 0);
	snprintf(hex, sizeof(hex), "%llx", lease);
	etcdctl("lease", "revoke", hex, NULL, NULL, 0);
	etcd_sleep(1.5);            /* one keepalive period of the 3 s lease */

	/* The run may not write any more; a fresh lock works again. */
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/late", 1, 1)));
	assert_int_equal(IKC_ELOCKED, ikc_state_save(a, st));
	assert_non_null(strstr(ikc_error_last(), mine.id));
	assert_int_equal(0, a->lock(a, &again, 0));
	assert_int_equal(0, ikc_state_save(a, st));
	assert_int_equal(0, a->unlock(a, again.id));

	json_object_put(doc);
	ikc_lock_info_dispose(&mine);
	ikc_lock_info_dispose(&again);
	ikc_state_free(st);
	ikc_backend_free(a);
}

static void test_state_etcd__foreign_key_is_not_overwritten(void **unused)
{
	char url[400], key[64];
	ikc_backend *be;
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX);
	ikc_state *st = NULL;
	char *v = NULL;

	(void)unused;
	new_url(url, sizeof(url));
	snprintf(key, sizeof(key), "backend/t%d/state", prefix_n);
	etcdctl("put", key, "not an ikc state", NULL, NULL, 0);
	be = open_be(url);
	assert_int_equal(IKC_EINVALID, be->read(be, &raw, &v));
	assert_non_null(strstr(ikc_error_last(), key));
	assert_int_equal(0, ikc_state_new(&st, "x"));
	assert_true(ikc_state_save(be, st) < 0);
	assert_int_equal(1, etcdctl_count(key));
	{
		char line[256];

		etcdctl("get", "--print-value-only", key, NULL, line, sizeof(line));
		assert_string_equal("not an ikc state\n", line);
	}
	ikc_state_free(st);
	ikc_buf_dispose(&raw);
	ikc_backend_free(be);
}

static void test_state_etcd__bad_urls_refused(void **unused)
{
	const char *bad[] = { "etcd://", "etcd:///prefix", "etcd://127.0.0.1:2379",
			      "etcd://127.0.0.1:2379/", "etcd://localhost/x",
			      "etcd://127.0.0.1:2379,/x", "etcd://h:port/x",
			      "etcds://:2379/x" };
	ikc_backend *be = NULL;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(IKC_EINVALID, ikc_backend_open(&be, bad[i], NULL));
		assert_null(be);
		assert_true(strlen(ikc_error_last()) > 0);
	}
	/* A good one opens without contacting anything. */
	assert_int_equal(0, ikc_backend_open(&be, "etcds://10.0.0.1:2379,10.0.0.2:2379/a/b", NULL));
	assert_string_equal("etcds://10.0.0.1:2379,10.0.0.2:2379/a/b", be->url);
	ikc_backend_free(be);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_etcd__bad_urls_refused),
		cmocka_unit_test(test_state_etcd__five_mib_state_round_trips),
		cmocka_unit_test(test_state_etcd__two_writers_one_wins),
		cmocka_unit_test(test_state_etcd__killed_holder_loses_lock_after_ttl),
		cmocka_unit_test(test_state_etcd__live_holder_keeps_lock_past_ttl),
		cmocka_unit_test(test_state_etcd__lock_timeout_waits_for_release),
		cmocka_unit_test(test_state_etcd__write_after_losing_lock_refused),
		cmocka_unit_test(test_state_etcd__expired_lease_stops_the_run),
		cmocka_unit_test(test_state_etcd__foreign_key_is_not_overwritten),
	};
	int failed;

	setenv("IKC_ETCD_LOCK_TTL", LOCK_TTL, 1);
	if (argc == 3 && !strcmp(argv[1], "--hold-lock"))
		return hold_lock(argv[2]);
	self_exe = argv[0];
	if (etcd_cluster_start(&cluster, 1) < 0) {
		fprintf(stderr, "cannot start etcd\n");
		return 1;
	}
	failed = cmocka_run_group_tests_name("state.etcd.backend", tests, NULL, NULL);
	etcd_cluster_stop(&cluster);
	return failed;
}
