/* test_etcd.c - etcd:// state against real etcd processes: member failover, etcd down (rescue file), auth */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../unit/state_etcd/etcd_proc.h"
#include "state/backend.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"

static struct etcd_cluster cluster;

/* After each test, pass or fail: no etcd is left running. */
static int stop_etcd(void **unused)
{
	(void)unused;
	etcd_cluster_stop(&cluster);
	return 0;
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

static ikc_backend *open_be(const char *url)
{
	ikc_backend *be = NULL;

	assert_int_equal(0, ikc_backend_open(&be, url, NULL));
	return be;
}

/* A 3-member cluster with one member stopped: the client moves on. */
static void test_etcd__cluster_survives_a_stopped_member(void **unused)
{
	char url[400];
	ikc_backend *early, *late;
	ikc_state *st = NULL, *again = NULL;
	ikc_lock_info me, holder;
	int victim;

	(void)unused;
	assert_int_equal(0, etcd_cluster_start(&cluster, 3));
	snprintf(url, sizeof(url), "etcd://%s/ikc/web", cluster.endpoints);
	early = open_be(url);
	assert_int_equal(0, ikc_state_new(&st, "web"));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Deployment/web", 1)));
	assert_int_equal(0, ikc_state_save(early, st));

	/* Stop the first endpoint of the URL: the one every client tries first. */
	victim = 0;
	etcd_member_kill(&cluster, victim);

	/* A handle that was talking to it carries on. */
	assert_int_equal(0, ikc_state_resource_put(st, resource("Deployment/web", 2)));
	assert_int_equal(0, ikc_state_save(early, st));
	assert_int_equal(2, ikc_state_serial(st));

	/* A new run reads, locks and writes through the other members. */
	late = open_be(url);
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(0, late->lock(late, &me, 0));
	assert_int_equal(0, ikc_state_load(&again, late));
	assert_int_equal(2, ikc_state_serial(again));
	assert_int_equal(2, json_object_get_int(ikc_json_path(
		ikc_state_resource(again, "Deployment/web"), "desired.replicas")));
	assert_int_equal(0, ikc_state_resource_put(again, resource("Service/web", 1)));
	assert_int_equal(0, ikc_state_save(late, again));
	assert_int_equal(0, early->lock_holder(early, &holder));
	assert_string_equal(me.id, holder.id);
	ikc_lock_info_dispose(&holder);
	assert_int_equal(0, late->unlock(late, me.id));

	ikc_state_free(st);
	st = NULL;
	assert_int_equal(0, ikc_state_load(&st, early));
	assert_int_equal(3, ikc_state_serial(st));
	assert_non_null(ikc_state_resource(st, "Service/web"));

	ikc_lock_info_dispose(&me);
	ikc_state_free(st);
	ikc_state_free(again);
	ikc_backend_free(early);
	ikc_backend_free(late);
	etcd_cluster_stop(&cluster);
}

/* etcd stopped during an apply: the write fails, naming a rescue file that restores it. */
static void test_etcd__stopped_etcd_leaves_a_rescue_file(void **unused)
{
	char url[400], work[512], old_cwd[1024], path[1200], *v = NULL, *nv = NULL;
	ikc_backend *be;
	ikc_state *st = NULL, *rescued = NULL, *back = NULL;
	ikc_buf doc = IKC_BUF_INIT(IKC_STATE_MAX), stored = IKC_BUF_INIT(IKC_STATE_MAX);
	struct stat sb;
	const char *msg;
	int error;

	(void)unused;
	assert_non_null(getcwd(old_cwd, sizeof(old_cwd)));
	assert_int_equal(0, tmpdir_make(work, sizeof(work)));
	assert_int_equal(0, chdir(work));
	assert_int_equal(0, etcd_cluster_start(&cluster, 1));
	snprintf(url, sizeof(url), "etcd://%s/ikc/web", cluster.endpoints);
	be = open_be(url);
	assert_int_equal(0, ikc_state_new(&st, "nginx-asia"));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Deployment/web", 1)));
	assert_int_equal(0, ikc_state_save(be, st));

	etcd_member_kill(&cluster, 0);
	assert_int_equal(0, ikc_state_resource_put(st, resource("Deployment/web", 7)));
	error = ikc_state_save(be, st);
	assert_true(error < 0);
	msg = ikc_error_last();
	assert_non_null(strstr(msg, "unreachable"));
	assert_non_null(strstr(msg, "./ikc-rescue-nginx-asia-2.state.json"));
	assert_non_null(strstr(msg, "ikc state push ./ikc-rescue-nginx-asia-2.state.json"));

	/* The rescue file holds the state that could not be written, private. */
	snprintf(path, sizeof(path), "%s/ikc-rescue-nginx-asia-2.state.json", work);
	assert_int_equal(0, stat(path, &sb));
	assert_int_equal(0600, sb.st_mode & 0777);
	assert_int_equal(0, ikc_fs_read_file(&doc, path, IKC_STATE_MAX));
	assert_int_equal(0, ikc_state_parse(&rescued, doc.ptr, doc.len, path));
	assert_int_equal(2, ikc_state_serial(rescued));
	assert_string_equal(ikc_state_lineage(st), ikc_state_lineage(rescued));
	assert_int_equal(7, json_object_get_int(ikc_json_path(
		ikc_state_resource(rescued, "Deployment/web"), "desired.replicas")));

	/* etcd comes back (same data); pushing the file's bytes restores it. */
	assert_int_equal(0, etcd_member_spawn(&cluster, 0, "new"));
	assert_int_equal(0, etcd_member_wait(&cluster, 0, 30));
	assert_int_equal(0, be->read(be, &stored, &v));
	assert_int_equal(0, be->write(be, doc.ptr, doc.len, v, &nv));
	assert_int_equal(0, ikc_state_load(&back, be));
	assert_int_equal(2, ikc_state_serial(back));
	assert_int_equal(7, json_object_get_int(ikc_json_path(
		ikc_state_resource(back, "Deployment/web"), "desired.replicas")));

	free(v);
	free(nv);
	ikc_buf_dispose(&doc);
	ikc_buf_dispose(&stored);
	ikc_state_free(st);
	ikc_state_free(rescued);
	ikc_state_free(back);
	ikc_backend_free(be);
	etcd_cluster_stop(&cluster);
	assert_int_equal(0, chdir(old_cwd));
	tmpdir_remove(work);
}

/* Runs etcdctl on the test etcd with up to four arguments (NULL ends them). */
static void etcdctl(const char *a1, const char *a2, const char *a3,
		    const char *a4)
{
	char ep[300];
	const char *argv[] = { "etcdctl", ep, a1, a2, a3, a4, NULL };

	snprintf(ep, sizeof(ep), "--endpoints=%s", cluster.endpoints);
	assert_int_equal(0, etcd_run(argv, NULL, 0));
}

/* With etcd auth on: ETCD_USERNAME / ETCD_PASSWORD log in; without, etcd says no. */
static void test_etcd__auth_token_from_username_and_password(void **unused)
{
	char url[400];
	ikc_backend *be;
	ikc_state *st = NULL, *again = NULL;
	ikc_lock_info me;

	(void)unused;
	assert_int_equal(0, etcd_cluster_start(&cluster, 1));
	etcdctl("user", "add", "root", "--new-user-password=s3cret-pw");
	etcdctl("auth", "enable", NULL, NULL);
	snprintf(url, sizeof(url), "etcd://%s/ikc/auth", cluster.endpoints);

	unsetenv("ETCD_USERNAME");
	unsetenv("ETCD_PASSWORD");
	be = open_be(url);
	assert_int_equal(0, ikc_state_new(&st, "auth"));
	assert_int_equal(IKC_EREMOTE, ikc_state_save(be, st));
	assert_non_null(strstr(ikc_error_last(), "set ETCD_USERNAME"));
	ikc_backend_free(be);

	setenv("ETCD_USERNAME", "root", 1);
	setenv("ETCD_PASSWORD", "wrong", 1);
	be = open_be(url);
	assert_true(ikc_state_save(be, st) < 0);
	assert_non_null(strstr(ikc_error_last(), "ETCD_USERNAME"));
	ikc_backend_free(be);

	setenv("ETCD_PASSWORD", "s3cret-pw", 1);
	be = open_be(url);
	assert_int_equal(0, ikc_lock_info_self(&me, "ikc apply"));
	assert_int_equal(0, be->lock(be, &me, 0));
	assert_int_equal(0, ikc_state_save(be, st));
	assert_int_equal(0, ikc_state_load(&again, be));
	assert_string_equal(ikc_state_lineage(st), ikc_state_lineage(again));
	assert_int_equal(0, be->unlock(be, me.id));
	ikc_backend_free(be);
	unsetenv("ETCD_USERNAME");
	unsetenv("ETCD_PASSWORD");

	ikc_lock_info_dispose(&me);
	ikc_state_free(st);
	ikc_state_free(again);
	etcd_cluster_stop(&cluster);
}

/* etcds://: TLS verified against IKC_CA_BUNDLE. */
static void test_etcd__tls_with_ca_bundle(void **unused)
{
	char dir[512], url[400], ca[600], ca_key[600], csr[600], cert[600];
	char key[600], serial[600], ext[600];
	ikc_backend *be;
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX);
	ikc_state *st = NULL, *again = NULL;
	char *v = NULL;
	FILE *f;

	(void)unused;
	assert_int_equal(0, tmpdir_make(dir, sizeof(dir)));
	snprintf(ext, sizeof(ext), "%s/ext.cnf", dir);
	f = fopen(ext, "w");
	assert_non_null(f);
	fputs("subjectAltName=IP:127.0.0.1\n", f);
	fclose(f);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(ca_key, sizeof(ca_key), "%s/ca-key.pem", dir);
	snprintf(csr, sizeof(csr), "%s/server.csr", dir);
	snprintf(cert, sizeof(cert), "%s/server.pem", dir);
	snprintf(key, sizeof(key), "%s/server-key.pem", dir);
	snprintf(serial, sizeof(serial), "%s/ca.srl", dir);
	{
		const char *mk_ca[] = { "openssl", "req", "-x509", "-newkey",
			"rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
			"-days", "2", "-subj", "/CN=ikc-test-ca", NULL };
		const char *mk_csr[] = { "openssl", "req", "-newkey", "rsa:2048",
			"-nodes", "-keyout", key, "-out", csr, "-subj",
			"/CN=127.0.0.1", NULL };
		const char *sign[] = { "openssl", "x509", "-req", "-in", csr,
			"-CA", ca, "-CAkey", ca_key, "-CAserial", serial,
			"-CAcreateserial", "-out", cert, "-days", "2", "-extfile",
			ext, NULL };

		assert_int_equal(0, etcd_run(mk_ca, NULL, 0));
		assert_int_equal(0, etcd_run(mk_csr, NULL, 0));
		assert_int_equal(0, etcd_run(sign, NULL, 0));
	}
	assert_int_equal(0, etcd_cluster_start_tls(&cluster, 1, dir));
	snprintf(url, sizeof(url), "etcds://%s/ikc/tls", cluster.endpoints);

	/* Not trusted without the CA. */
	unsetenv("IKC_CA_BUNDLE");
	be = open_be(url);
	assert_true(be->read(be, &raw, &v) < 0);
	assert_int_not_equal(IKC_ENOTFOUND, be->read(be, &raw, &v));
	ikc_backend_free(be);

	/* With it: a normal store. */
	setenv("IKC_CA_BUNDLE", ca, 1);
	be = open_be(url);
	assert_int_equal(IKC_ENOTFOUND, be->read(be, &raw, &v));
	assert_int_equal(0, ikc_state_new(&st, "tls"));
	assert_int_equal(0, ikc_state_save(be, st));
	assert_int_equal(0, ikc_state_load(&again, be));
	assert_string_equal(ikc_state_lineage(st), ikc_state_lineage(again));
	unsetenv("IKC_CA_BUNDLE");

	ikc_buf_dispose(&raw);
	ikc_state_free(st);
	ikc_state_free(again);
	ikc_backend_free(be);
	etcd_cluster_stop(&cluster);
	tmpdir_remove(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest cluster_tests[] = {
		cmocka_unit_test_teardown(test_etcd__cluster_survives_a_stopped_member, stop_etcd),
	};
	const struct CMUnitTest rescue_tests[] = {
		cmocka_unit_test_teardown(test_etcd__stopped_etcd_leaves_a_rescue_file, stop_etcd),
	};
	const struct CMUnitTest auth_tests[] = {
		cmocka_unit_test_teardown(test_etcd__auth_token_from_username_and_password, stop_etcd),
	};
	const struct CMUnitTest tls_tests[] = {
		cmocka_unit_test_teardown(test_etcd__tls_with_ca_bundle, stop_etcd),
	};
	const char *group = argc > 1 ? argv[1] : "";

	if (!strcmp(group, "cluster"))
		return cmocka_run_group_tests_name("etcd.cluster", cluster_tests, NULL, NULL);
	if (!strcmp(group, "rescue"))
		return cmocka_run_group_tests_name("etcd.rescue", rescue_tests, NULL, NULL);
	if (!strcmp(group, "auth"))
		return cmocka_run_group_tests_name("etcd.auth", auth_tests, NULL, NULL);
	if (!strcmp(group, "tls"))
		return cmocka_run_group_tests_name("etcd.tls", tls_tests, NULL, NULL);
	fprintf(stderr, "usage: %s cluster|rescue|auth|tls\n", argv[0]);
	return 2;
}
