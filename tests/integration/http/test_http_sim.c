/* test_http_sim.c - ikc's HTTP client and Google auth against a running ikc-sim */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/auth/google.h"
#include "http/auth/kube.h"
#include "http/http.h"
#include "simproc.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#define ZONE "us-central1-a"
#define CLUSTERS_ROUTE "GET /v1/projects/{project}/locations/{location}/clusters"

static struct simproc g_sim;
static ikc_http_client *g_admin;   /* trusts the sim through ca_bundle */
static ikc_google_creds *g_creds;
static ikc_buf g_log = IKC_BUF_INIT(4 << 20);
static pthread_mutex_t g_log_mu = PTHREAD_MUTEX_INITIALIZER;

static void sink(ikc_log_level level, const char *line)
{
	(void)level;
	pthread_mutex_lock(&g_log_mu);
	(void)ikc_buf_puts(&g_log, line);
	(void)ikc_buf_puts(&g_log, "\n");
	pthread_mutex_unlock(&g_log_mu);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)",
			 needle);
}

static int sim_up(void **state)
{
	ikc_http_options o = IKC_HTTP_OPTIONS_INIT;

	(void)state;
	if (simproc_start(&g_sim, "--speed 500") < 0)
		return -1;
	/* What DIR/env exports, as a user's shell would have it. */
	setenv("IKC_CA_BUNDLE", g_sim.ca, 1);
	setenv("GOOGLE_APPLICATION_CREDENTIALS", g_sim.credentials, 1);
	unsetenv("GOOGLE_OAUTH_ACCESS_TOKEN");
	o.ca_bundle = g_sim.ca;
	if (ikc_http_client_new(&g_admin, &o) < 0 ||
	    ikc_google_creds_from_env(&g_creds) < 0) {
		fprintf(stderr, "setup: %s\n", ikc_error_last());
		return -1;
	}
	ikc_log_set_sink(sink);
	ikc_log_set_level(IKC_LOG_DEBUG);
	return 0;
}

static int sim_down(void **state)
{
	(void)state;
	ikc_log_set_sink(NULL);
	ikc_log_set_level(IKC_LOG_WARN);
	ikc_google_creds_free(g_creds);
	g_creds = NULL;
	ikc_http_client_free(g_admin);
	g_admin = NULL;
	ikc_buf_dispose(&g_log);
	simproc_stop(&g_sim);
	return 0;
}

/* An admin call (/_sim/...); returns the parsed JSON answer (owned). */
static json_object *admin(const char *method, const char *path,
			  const char *body)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	json_object *out = NULL;
	char url[256];

	snprintf(url, sizeof(url), "%s_sim/%s", g_sim.url, path);
	req.method = method;
	req.url = url;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(200, resp.status);
	assert_int_equal(0, ikc_json_parse(&out, resp.body.ptr, resp.body.len,
					   "admin answer"));
	ikc_http_response_dispose(&resp);
	return out;
}

/* Replaces the sim's fault rules with `spec` (NULL: none). */
static void faults(const char *spec)
{
	char body[512];

	if (spec)
		snprintf(body, sizeof(body), "{\"clear\": true, \"spec\": \"%s\"}",
			 spec);
	else
		snprintf(body, sizeof(body), "{\"clear\": true}");
	json_object_put(admin("POST", "faults", body));
}

/* How often the fault rule `rule` matched (`what` "matched") or fired. */
static long fault_count(const char *rule, const char *what)
{
	json_object *list = admin("GET", "faults", NULL);
	long n = -1;
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		json_object *r = json_object_array_get_idx(list, i);

		if (!strcmp(ikc_json_str(r, "rule"), rule))
			n = (long)json_object_get_int64(ikc_json_path(r, what));
	}
	json_object_put(list);
	if (n < 0)
		fail_msg("no fault rule '%s'", rule);
	return n;
}

/* Calls the sim served (faulted ones are not counted) for a route. */
static long route_calls(const char *route)
{
	json_object *calls = admin("GET", "calls", NULL), *routes, *v;
	long n = 0;

	if (json_object_object_get_ex(calls, "routes", &routes) &&
	    json_object_object_get_ex(routes, route, &v))
		n = (long)json_object_get_int64(v);
	json_object_put(calls);
	return n;
}

static void gke_url(char *out, size_t n, const char *rest)
{
	snprintf(out, n, "%sv1/projects/%s/locations/" ZONE "/%s", g_sim.url,
		 ikc_google_creds_project(g_creds) ?
		 ikc_google_creds_project(g_creds) : "p", rest);
}

/* A GKE request with Google auth through g_creds. */
static void gke_req(ikc_http_request *req, char *url, size_t n,
		    const char *rest)
{
	ikc_http_request init = IKC_HTTP_REQUEST_INIT;

	*req = init;
	gke_url(url, n, rest);
	req->url = url;
	req->token_fn = ikc_google_token_fn;
	req->token_ctx = g_creds;
}

static char *read_text(const char *path, size_t *len)
{
	ikc_buf b = IKC_BUF_INIT(1 << 20);

	assert_int_equal(0, ikc_fs_read_file(&b, path, 1 << 20));
	*len = b.len;
	return ikc_buf_detach(&b);
}

/* ---- auth ---- */

static void test_http_sim_auth__grant_then_cached(void **state)
{
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512], *t1 = NULL, *t2 = NULL;
	long grants = route_calls("POST /token");

	(void)state;
	assert_int_equal(0, ikc_google_token(g_creds, g_admin, &t1));
	assert_true(strlen(t1) > 20);
	assert_int_equal(grants + 1, route_calls("POST /token"));
	/* The token opens the GKE API. */
	gke_req(&req, url, sizeof(url), "clusters");
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(200, resp.status);
	/* Cached: no second grant. */
	assert_int_equal(0, ikc_google_token(g_creds, g_admin, &t2));
	assert_string_equal(t1, t2);
	assert_int_equal(grants + 1, route_calls("POST /token"));
	/* Every call is logged; the token never is. */
	assert_contains(g_log.ptr, "http: POST https://127.0.0.1:");
	assert_contains(g_log.ptr, "/token -> 200 (");
	assert_contains(g_log.ptr, "/clusters -> 200 (");
	assert_null(strstr(g_log.ptr, t1));
	/* Invalidated (as after a 401): a new grant. */
	ikc_google_creds_invalidate(g_creds);
	free(t2);
	assert_int_equal(0, ikc_google_token(g_creds, g_admin, &t2));
	assert_int_equal(grants + 2, route_calls("POST /token"));
	free(t1);
	free(t2);
	ikc_http_response_dispose(&resp);
}

struct token_job {
	ikc_google_creds *creds;
	char *token;
	int rc;
};

static void *token_thread(void *arg)
{
	struct token_job *j = arg;

	j->rc = ikc_google_token(j->creds, g_admin, &j->token);
	return NULL;
}

static void test_http_sim_auth__concurrent_callers_grant_once(void **state)
{
	ikc_google_creds *creds = NULL;
	struct token_job jobs[8];
	pthread_t th[8];
	long grants = route_calls("POST /token");
	int i;

	(void)state;
	assert_int_equal(0, ikc_google_creds_from_file(&creds, g_sim.credentials));
	for (i = 0; i < 8; i++) {
		jobs[i].creds = creds;
		jobs[i].token = NULL;
		assert_int_equal(0, pthread_create(&th[i], NULL, token_thread,
						   &jobs[i]));
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(0, jobs[i].rc);
		assert_string_equal(jobs[0].token, jobs[i].token);
	}
	assert_int_equal(grants + 1, route_calls("POST /token"));
	for (i = 0; i < 8; i++)
		free(jobs[i].token);
	ikc_google_creds_free(creds);
}

static void test_http_sim_auth__wrong_key_is_invalid_grant(void **state)
{
	size_t len = 0;
	char *text = read_text(g_sim.credentials, &len), *pem, *tok = NULL;
	json_object *key = NULL;
	EVP_PKEY *other = EVP_RSA_gen(2048);
	BIO *bio = BIO_new(BIO_s_mem());
	ikc_google_creds *creds = NULL;
	long n;

	(void)state;
	/* The sim's key file with someone else's private key. */
	assert_int_equal(1, PEM_write_bio_PrivateKey(bio, other, NULL, NULL, 0,
						     NULL, NULL));
	n = BIO_get_mem_data(bio, &pem);
	assert_int_equal(0, ikc_json_parse(&key, text, len, "key"));
	json_object_object_add(key, "private_key",
			       json_object_new_string_len(pem, (int)n));
	pem = strdup(json_object_to_json_string(key));
	assert_int_equal(0, ikc_google_creds_from_json(&creds, pem, strlen(pem),
						       "forged key"));
	assert_int_equal(IKC_EREMOTE, ikc_google_token(creds, g_admin, &tok));
	assert_null(tok);
	assert_contains(ikc_error_last(), "invalid_grant");
	assert_contains(ikc_error_last(), "Signature");
	assert_contains(ikc_error_last(), ikc_google_creds_email(creds));
	assert_contains(ikc_error_last(), "/token");
	ikc_google_creds_free(creds);
	free(pem);
	json_object_put(key);
	BIO_free(bio);
	EVP_PKEY_free(other);
	free(text);
}

static void test_http_sim_auth__clock_skew_is_named(void **state)
{
	ikc_google_creds *creds = NULL;
	char *tok = NULL;

	(void)state;
	assert_int_equal(0, ikc_google_creds_from_file(&creds, g_sim.credentials));
	/* This machine runs two hours fast: iat is in the server's future. */
	ikc_google__set_clock_offset(creds, 7200);
	assert_int_equal(IKC_EREMOTE, ikc_google_token(creds, g_admin, &tok));
	assert_null(tok);
	assert_contains(ikc_error_last(), "invalid_grant");
	assert_contains(ikc_error_last(), "iat and exp");
	assert_contains(ikc_error_last(), "clock is about 120 min ahead of the server's");
	/* Behind by two hours: the assertion expired long ago. */
	ikc_google__set_clock_offset(creds, -7200);
	assert_int_equal(IKC_EREMOTE, ikc_google_token(creds, g_admin, &tok));
	assert_contains(ikc_error_last(), "clock is about 120 min behind the server's");
	/* A correct clock works with the same key. */
	ikc_google__set_clock_offset(creds, 0);
	assert_int_equal(0, ikc_google_token(creds, g_admin, &tok));
	free(tok);
	ikc_google_creds_free(creds);
}

static void test_http_sim_auth__made_up_token_is_unauthenticated(void **state)
{
	ikc_google_creds *fake = NULL;
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512];

	(void)state;
	setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.made-up-token-value", 1);
	assert_int_equal(0, ikc_google_creds_from_env(&fake));
	unsetenv("GOOGLE_OAUTH_ACCESS_TOKEN");
	gke_req(&req, url, sizeof(url), "clusters");
	req.token_ctx = fake;
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(401, resp.status);
	assert_int_equal(1, resp.attempts);   /* 401 is not retried */
	assert_int_equal(IKC_EREMOTE, ikc_http_response_error(&req, &resp));
	assert_contains(ikc_error_last(), "HTTP 401 UNAUTHENTICATED");
	assert_contains(ikc_error_last(), "/clusters");
	ikc_http_response_dispose(&resp);
	ikc_google_creds_free(fake);
}

/* ---- tls ---- */

static void test_http_sim_tls__bundle_from_env_trusts_the_sim(void **state)
{
	ikc_http_client *c = NULL;
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512];

	(void)state;
	assert_int_equal(0, ikc_http_client_new(&c, NULL));   /* IKC_CA_BUNDLE */
	gke_req(&req, url, sizeof(url), "clusters");
	assert_int_equal(0, ikc_http_do(c, &req, &resp));
	assert_int_equal(200, resp.status);
	ikc_http_response_dispose(&resp);
	ikc_http_client_free(c);
}

static void test_http_sim_tls__without_bundle_it_fails(void **state)
{
	ikc_http_client *c = NULL;
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512];

	(void)state;
	unsetenv("IKC_CA_BUNDLE");
	assert_int_equal(0, ikc_http_client_new(&c, NULL));
	setenv("IKC_CA_BUNDLE", g_sim.ca, 1);
	gke_req(&req, url, sizeof(url), "clusters");
	req.token_fn = NULL;
	assert_int_equal(IKC_ERROR, ikc_http_do(c, &req, &resp));
	assert_int_equal(0, resp.status);
	assert_int_equal(1, resp.attempts);    /* trust failures are final */
	assert_contains(resp.error_msg, "not trusted");
	assert_contains(ikc_error_last(), url);
	ikc_http_response_dispose(&resp);
	ikc_http_client_free(c);
}

static void test_http_sim_tls__ca_from_memory_replaces_the_store(void **state)
{
	ikc_http_client *c = NULL;
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512], *ca;
	size_t len = 0;

	(void)state;
	ca = read_text(g_sim.ca, &len);
	unsetenv("IKC_CA_BUNDLE");
	assert_int_equal(0, ikc_http_client_new(&c, NULL));
	setenv("IKC_CA_BUNDLE", g_sim.ca, 1);
	gke_req(&req, url, sizeof(url), "clusters");
	req.token_fn = NULL;
	req.ca_pem = ca;
	req.ca_pem_len = len;
	assert_int_equal(0, ikc_http_do(c, &req, &resp));
	assert_int_equal(401, resp.status);    /* TLS fine; no token sent */
	ikc_http_response_dispose(&resp);
	ikc_http_client_free(c);
	free(ca);
}

/* Creates a cluster and waits until it runs; returns the cluster JSON. */
static json_object *create_cluster(const char *name)
{
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	json_object *cl = NULL;
	char url[512], body[256], path[128];
	const char *status = NULL;
	int i;

	snprintf(body, sizeof(body), "{\"cluster\": {\"name\": \"%s\", "
		 "\"initialNodeCount\": 1}}", name);
	gke_req(&req, url, sizeof(url), "clusters");
	req.method = "POST";
	req.body = body;
	req.body_len = strlen(body);
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(200, resp.status);
	snprintf(path, sizeof(path), "clusters/%s", name);
	for (i = 0; i < 300; i++) {
		gke_req(&req, url, sizeof(url), path);
		assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
		assert_int_equal(200, resp.status);
		json_object_put(cl);
		cl = NULL;
		assert_int_equal(0, ikc_json_parse(&cl, resp.body.ptr,
						   resp.body.len, "cluster"));
		status = ikc_json_str(cl, "status");
		if (status && !strcmp(status, "RUNNING"))
			break;
		usleep(100000);
	}
	assert_string_equal("RUNNING", status);
	ikc_http_response_dispose(&resp);
	return cl;
}

static void test_http_sim_tls__cluster_api_with_its_own_ca(void **state)
{
	json_object *cl = create_cluster("tlsdemo");
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char *pem = NULL, *server = NULL, url[512];
	size_t len = 0;

	(void)state;
	assert_int_equal(0, ikc_kube_ca_from_base64(
				&pem, &len,
				ikc_json_str(ikc_json_path(cl, "masterAuth"),
					     "clusterCaCertificate")));
	assert_int_equal(0, ikc_kube_server_url(&server,
						ikc_json_str(cl, "endpoint")));
	snprintf(url, sizeof(url), "%s/api/v1/namespaces", server);
	req.url = url;
	req.ca_pem = pem;
	req.ca_pem_len = len;
	req.token_fn = ikc_google_token_fn;
	req.token_ctx = g_creds;
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(200, resp.status);
	assert_contains(resp.body.ptr, "NamespaceList");
	/* The sim's main CA does not vouch for the cluster: trust is exact. */
	{
		size_t calen = 0;
		char *mainca = read_text(g_sim.ca, &calen);

		req.ca_pem = mainca;
		req.ca_pem_len = calen;
		assert_int_equal(IKC_ERROR, ikc_http_do(g_admin, &req, &resp));
		free(mainca);
	}
	ikc_http_response_dispose(&resp);
	free(pem);
	free(server);
	json_object_put(cl);
}

/* ---- retry ---- */

static void test_http_sim_retry__503_twice_then_ok(void **state)
{
	const char *rule = "503:times=2:route=GET /v1/*";
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	long served = route_calls(CLUSTERS_ROUTE);
	ikc_http_stats before, after;
	char url[512];

	(void)state;
	faults(rule);
	ikc_http_client_stats(g_admin, &before);
	gke_req(&req, url, sizeof(url), "clusters");
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(200, resp.status);
	assert_int_equal(3, resp.attempts);
	/* The sim saw three calls and failed two of them. */
	assert_int_equal(3, fault_count(rule, "matched"));
	assert_int_equal(2, fault_count(rule, "fired"));
	assert_int_equal(served + 3, route_calls(CLUSTERS_ROUTE));
	ikc_http_client_stats(g_admin, &after);
	assert_true(after.retries >= before.retries + 2);
	assert_contains(g_log.ptr, "/clusters -> 503 (");
	assert_contains(g_log.ptr, "retrying in");
	faults(NULL);
	ikc_http_response_dispose(&resp);
}

static void test_http_sim_retry__429_retry_after_is_honoured(void **state)
{
	const char *rule = "429:times=1:retry-after=1:route=GET /v1/*";
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512];

	(void)state;
	faults(rule);
	gke_req(&req, url, sizeof(url), "clusters");
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(200, resp.status);
	assert_int_equal(2, resp.attempts);
	/* backoff alone would be at most 0.25 s: the 1 s came from the header */
	assert_true(resp.elapsed >= 0.95);
	assert_int_equal(1, fault_count(rule, "fired"));
	faults(NULL);
	ikc_http_response_dispose(&resp);
}

static void test_http_sim_retry__dropped_connection_is_retried(void **state)
{
	const char *rule = "drop:times=1:route=GET /v1/*";
	ikc_http_client *fresh = NULL;
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512];

	(void)state;
	faults(rule);
	/* A fresh client: curl's own silent resend only covers reused
	 * connections, so here the retry is ikc's. */
	assert_int_equal(0, ikc_http_client_new(&fresh, NULL));
	gke_req(&req, url, sizeof(url), "clusters");
	assert_int_equal(0, ikc_http_do(fresh, &req, &resp));
	assert_int_equal(200, resp.status);
	assert_int_equal(2, resp.attempts);
	assert_int_equal(1, fault_count(rule, "fired"));
	assert_contains(g_log.ptr, "/clusters -> error: ");
	faults(NULL);
	ikc_http_response_dispose(&resp);
	ikc_http_client_free(fresh);
}

static void test_http_sim_retry__oversized_body_is_refused(void **state)
{
	ikc_http_options o = IKC_HTTP_OPTIONS_INIT;
	ikc_http_client *small = NULL;
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512];
	size_t full;

	(void)state;
	gke_req(&req, url, sizeof(url), "serverConfig");
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(200, resp.status);
	full = resp.body.len;
	assert_true(full > 200);
	o.max_body = full / 2;
	assert_int_equal(0, ikc_http_client_new(&small, &o));
	assert_int_equal(IKC_ELIMIT, ikc_http_do(small, &req, &resp));
	assert_int_equal(1, resp.attempts);     /* not retried */
	assert_int_equal(0, resp.body.len);     /* nothing half-read is kept */
	assert_contains(ikc_error_last(), "larger than the limit");
	assert_contains(ikc_error_last(), "serverConfig");
	o.max_body = full;      /* exactly the size fits */
	ikc_http_client_free(small);
	assert_int_equal(0, ikc_http_client_new(&small, &o));
	assert_int_equal(0, ikc_http_do(small, &req, &resp));
	assert_int_equal(full, resp.body.len);
	ikc_http_response_dispose(&resp);
	ikc_http_client_free(small);
}

static void test_http_sim_retry__timeout_per_attempt(void **state)
{
	const char *rule = "slow:times=1:ms=1500:route=GET /v1/*";
	ikc_http_retry once = { 1, 0, 0, 0, NULL, NULL };
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512];

	(void)state;
	/* One attempt, 0.3 s allowed, the answer takes 1.5 s: timeout. */
	faults(rule);
	gke_req(&req, url, sizeof(url), "clusters");
	req.timeout = 0.3;
	req.retry = &once;
	assert_int_equal(IKC_ETIMEOUT, ikc_http_do(g_admin, &req, &resp));
	assert_true(resp.elapsed < 1.0);
	assert_contains(ikc_error_last(), "/clusters");
	/* With retries the timed-out attempt is repeated and succeeds. */
	faults(rule);
	req.retry = NULL;
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(200, resp.status);
	assert_int_equal(2, resp.attempts);
	assert_true(resp.elapsed < 1.4);
	faults(NULL);
	ikc_http_response_dispose(&resp);
}

static int hook_calls;

static int retry_404(void *ctx, const ikc_http_response *resp)
{
	(void)ctx;
	hook_calls++;
	return resp->status == 404 ? IKC_HTTP_RETRY_YES : IKC_HTTP_RETRY_DEFAULT;
}

static void test_http_sim_retry__hook_and_deadline(void **state)
{
	const char *rule = "503:route=GET /v1/*";
	ikc_http_retry hook = { 3, 30, 0.01, 0.02, retry_404, NULL };
	ikc_http_retry short_deadline = { 50, 1.0, 0.2, 0.4, NULL, NULL };
	ikc_http_request req;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	char url[512];

	(void)state;
	/* A provider's hook can retry what the defaults would not. */
	gke_req(&req, url, sizeof(url), "clusters/nope");
	req.retry = &hook;
	hook_calls = 0;
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(404, resp.status);
	assert_int_equal(3, resp.attempts);
	assert_int_equal(2, hook_calls);
	assert_int_equal(IKC_ENOTFOUND, ikc_http_response_error(&req, &resp));
	assert_contains(ikc_error_last(), "HTTP 404 NOT_FOUND");

	/* An endless 503 stops at the deadline, with the last answer. */
	faults(rule);
	gke_req(&req, url, sizeof(url), "clusters");
	req.retry = &short_deadline;
	assert_int_equal(0, ikc_http_do(g_admin, &req, &resp));
	assert_int_equal(503, resp.status);
	assert_true(resp.attempts >= 2 && resp.attempts < 50);
	assert_true(resp.elapsed < 2.0);
	assert_int_equal(IKC_EREMOTE, ikc_http_response_error(&req, &resp));
	assert_contains(ikc_error_last(), "HTTP 503");
	assert_contains(ikc_error_last(), "after retries");
	faults(NULL);
	ikc_http_response_dispose(&resp);
}

/* ---- many ---- */

#define N_MANY 100
#define NAMESPACES_ROUTE "GET /api/v1/namespaces"

/* A running cluster's API: its own endpoint (a thread per connection). */
static char *g_kube_ca;
static size_t g_kube_ca_len;
static char *g_kube_url;

static int many_up(void **state)
{
	json_object *cl;
	int error = sim_up(state);

	if (error < 0)
		return error;
	cl = create_cluster("many");
	if (ikc_kube_ca_from_base64(&g_kube_ca, &g_kube_ca_len,
				    ikc_json_str(ikc_json_path(cl, "masterAuth"),
						 "clusterCaCertificate")) < 0 ||
	    ikc_kube_server_url(&g_kube_url, ikc_json_str(cl, "endpoint")) < 0)
		error = -1;
	json_object_put(cl);
	return error;
}

static int many_down(void **state)
{
	free(g_kube_ca);
	free(g_kube_url);
	g_kube_ca = g_kube_url = NULL;
	return sim_down(state);
}

/* n GETs of the cluster's namespace list. */
static void many_reqs(ikc_http_request *reqs, ikc_http_response *resps,
		      char (*urls)[512], size_t n)
{
	ikc_http_request rinit = IKC_HTTP_REQUEST_INIT;
	ikc_http_response init = IKC_HTTP_RESPONSE_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(urls[i], sizeof(urls[i]), "%s/api/v1/namespaces",
			 g_kube_url);
		reqs[i] = rinit;
		reqs[i].url = urls[i];
		reqs[i].ca_pem = g_kube_ca;
		reqs[i].ca_pem_len = g_kube_ca_len;
		reqs[i].token_fn = ikc_google_token_fn;
		reqs[i].token_ctx = g_creds;
		resps[i] = init;
	}
}

/* Calls the cluster API served, from /_sim/calls. */
static long kube_calls(void)
{
	json_object *calls = admin("GET", "calls", NULL), *routes;
	long n = 0;

	if (json_object_object_get_ex(calls, "routes", &routes)) {
		json_object_object_foreach(routes, key, v) {
			/* keys look like "cluster/many GET /api/v1/namespaces" */
			if (!strcmp(key, "cluster/many " NAMESPACES_ROUTE))
				n += (long)json_object_get_int64(v);
		}
	}
	json_object_put(calls);
	return n;
}

static void test_http_sim_many__100_gets_reuse_connections(void **state)
{
	static ikc_http_request reqs[N_MANY];
	static ikc_http_response resps[N_MANY];
	static char urls[N_MANY][512];
	ikc_http_options o = IKC_HTTP_OPTIONS_INIT;
	ikc_http_client *c = NULL;
	ikc_http_stats st1, st2;
	long served = kube_calls();
	double t0, t1, t2;
	size_t i;
	char *tok = NULL;

	(void)state;
	o.parallelism = 8;
	assert_int_equal(0, ikc_http_client_new(&c, &o));
	assert_int_equal(0, ikc_google_token(g_creds, c, &tok));  /* warm */
	free(tok);
	many_reqs(reqs, resps, urls, N_MANY);
	t0 = ikc_time_monotonic();
	assert_int_equal(0, ikc_http_do_many(c, reqs, resps, N_MANY));
	t1 = ikc_time_monotonic();
	for (i = 0; i < N_MANY; i++) {
		assert_int_equal(200, resps[i].status);
		assert_contains(resps[i].body.ptr, "NamespaceList");
	}
	assert_int_equal(served + N_MANY, kube_calls());
	ikc_http_client_stats(c, &st1);
	/* at most one connection per slot (plus the token call's) */
	assert_true(st1.connects <= 8 + 1);
	/* A second batch reuses them all. */
	assert_int_equal(0, ikc_http_do_many(c, reqs, resps, N_MANY));
	t2 = ikc_time_monotonic();
	ikc_http_client_stats(c, &st2);
	assert_int_equal(st1.connects, st2.connects);
	fprintf(stderr, "100 GETs: %.3f s cold (%lu connections), %.3f s warm\n",
		t1 - t0, st1.connects, t2 - t1);
	for (i = 0; i < N_MANY; i++)
		ikc_http_response_dispose(&resps[i]);
	ikc_http_client_free(c);
}

static void test_http_sim_many__parallel_beats_sequential(void **state)
{
	enum { N = 16 };
	ikc_http_request reqs[N];
	ikc_http_response resps[N];
	static char urls[N][512];
	double t0, seq, par;
	size_t i;

	(void)state;
	/* Each answer takes 100 ms. */
	faults("slow:ms=100:route=" NAMESPACES_ROUTE);
	many_reqs(reqs, resps, urls, N);
	t0 = ikc_time_monotonic();
	for (i = 0; i < N; i++) {
		assert_int_equal(0, ikc_http_do(g_admin, &reqs[i], &resps[i]));
		assert_int_equal(200, resps[i].status);
	}
	seq = ikc_time_monotonic() - t0;
	t0 = ikc_time_monotonic();
	assert_int_equal(0, ikc_http_do_many(g_admin, reqs, resps, N));
	par = ikc_time_monotonic() - t0;
	for (i = 0; i < N; i++) {
		assert_int_equal(200, resps[i].status);
		ikc_http_response_dispose(&resps[i]);
	}
	fprintf(stderr, "16 slow GETs: %.3f s one by one, %.3f s in parallel\n",
		seq, par);
	assert_true(seq >= 1.6);
	assert_true(par < seq / 3);
	faults(NULL);
}

struct batch_job {
	ikc_http_client *c;
	ikc_http_request *reqs;
	ikc_http_response *resps;
	size_t n;
	int rc;
};

static void *batch_thread(void *arg)
{
	struct batch_job *j = arg;

	j->rc = ikc_http_do_many(j->c, j->reqs, j->resps, j->n);
	return NULL;
}

static void test_http_sim_many__interrupt_finishes_in_flight(void **state)
{
	enum { N = 30 };
	static ikc_http_request reqs[N];
	static ikc_http_response resps[N];
	static char urls[N][512];
	ikc_http_options o = IKC_HTTP_OPTIONS_INIT;
	struct batch_job job;
	pthread_t th;
	double t0, took;
	size_t i, finished = 0, stopped = 0;
	char *tok = NULL;

	(void)state;
	o.parallelism = 4;
	o.ca_bundle = g_sim.ca;
	job.c = NULL;
	assert_int_equal(0, ikc_http_client_new(&job.c, &o));
	assert_int_equal(0, ikc_google_token(g_creds, job.c, &tok));
	free(tok);
	faults("slow:ms=400:route=" NAMESPACES_ROUTE);
	many_reqs(reqs, resps, urls, N);
	job.reqs = reqs;
	job.resps = resps;
	job.n = N;
	t0 = ikc_time_monotonic();
	assert_int_equal(0, pthread_create(&th, NULL, batch_thread, &job));
	/* long enough for 4 TLS handshakes under ASan, well short of 400 ms */
	usleep(300000);
	ikc_http_client_interrupt(job.c);
	pthread_join(th, NULL);
	took = ikc_time_monotonic() - t0;
	assert_int_equal(IKC_EINTERRUPTED, job.rc);
	for (i = 0; i < N; i++) {
		if (resps[i].status == 200)
			finished++;
		else if (resps[i].error == IKC_EINTERRUPTED &&
			 resps[i].attempts == 0)
			stopped++;
	}
	/* The 4 in flight ran to the end; nothing else started. */
	assert_int_equal(4, finished);
	assert_int_equal(N - 4, stopped);
	assert_true(took < 2.0);
	/* Cleanup calls still go through. */
	faults(NULL);
	reqs[0].uninterruptible = 1;
	assert_int_equal(0, ikc_http_do(job.c, &reqs[0], &resps[0]));
	assert_int_equal(200, resps[0].status);
	reqs[1].uninterruptible = 0;
	assert_int_equal(IKC_EINTERRUPTED, ikc_http_do(job.c, &reqs[1], &resps[1]));
	for (i = 0; i < N; i++)
		ikc_http_response_dispose(&resps[i]);
	ikc_http_client_free(job.c);
}

static void test_http_sim_many__threads_share_one_client(void **state)
{
	enum { T = 4, N = 25 };
	static ikc_http_request reqs[T][N];
	static ikc_http_response resps[T][N];
	static char urls[T][N][512];
	struct batch_job jobs[T];
	pthread_t th[T];
	long served = kube_calls();
	size_t i, t;

	(void)state;
	for (t = 0; t < T; t++) {
		many_reqs(reqs[t], resps[t], urls[t], N);
		jobs[t].c = g_admin;
		jobs[t].reqs = reqs[t];
		jobs[t].resps = resps[t];
		jobs[t].n = N;
		assert_int_equal(0, pthread_create(&th[t], NULL, batch_thread,
						   &jobs[t]));
	}
	for (t = 0; t < T; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(0, jobs[t].rc);
		for (i = 0; i < N; i++) {
			assert_int_equal(200, resps[t][i].status);
			ikc_http_response_dispose(&resps[t][i]);
		}
	}
	assert_int_equal(served + T * N, kube_calls());
}

int main(int argc, char **argv)
{
	const struct CMUnitTest auth[] = {
		cmocka_unit_test(test_http_sim_auth__grant_then_cached),
		cmocka_unit_test(test_http_sim_auth__concurrent_callers_grant_once),
		cmocka_unit_test(test_http_sim_auth__wrong_key_is_invalid_grant),
		cmocka_unit_test(test_http_sim_auth__clock_skew_is_named),
		cmocka_unit_test(test_http_sim_auth__made_up_token_is_unauthenticated),
	};
	const struct CMUnitTest tls[] = {
		cmocka_unit_test(test_http_sim_tls__bundle_from_env_trusts_the_sim),
		cmocka_unit_test(test_http_sim_tls__without_bundle_it_fails),
		cmocka_unit_test(test_http_sim_tls__ca_from_memory_replaces_the_store),
		cmocka_unit_test(test_http_sim_tls__cluster_api_with_its_own_ca),
	};
	const struct CMUnitTest retry[] = {
		cmocka_unit_test(test_http_sim_retry__503_twice_then_ok),
		cmocka_unit_test(test_http_sim_retry__429_retry_after_is_honoured),
		cmocka_unit_test(test_http_sim_retry__dropped_connection_is_retried),
		cmocka_unit_test(test_http_sim_retry__oversized_body_is_refused),
		cmocka_unit_test(test_http_sim_retry__timeout_per_attempt),
		cmocka_unit_test(test_http_sim_retry__hook_and_deadline),
	};
	const struct CMUnitTest many[] = {
		cmocka_unit_test(test_http_sim_many__100_gets_reuse_connections),
		cmocka_unit_test(test_http_sim_many__parallel_beats_sequential),
		cmocka_unit_test(test_http_sim_many__interrupt_finishes_in_flight),
		cmocka_unit_test(test_http_sim_many__threads_share_one_client),
	};
	const char *group = argc > 1 ? argv[1] : "";

	if (!strcmp(group, "auth"))
		return cmocka_run_group_tests_name("http.sim.auth", auth, sim_up,
						   sim_down);
	if (!strcmp(group, "tls"))
		return cmocka_run_group_tests_name("http.sim.tls", tls, sim_up,
						   sim_down);
	if (!strcmp(group, "retry"))
		return cmocka_run_group_tests_name("http.sim.retry", retry, sim_up,
						   sim_down);
	if (!strcmp(group, "many"))
		return cmocka_run_group_tests_name("http.sim.many", many, many_up,
						   many_down);
	fprintf(stderr, "usage: %s auth|tls|retry|many\n", argv[0]);
	return 2;
}
