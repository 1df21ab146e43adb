/* test_gke.c - ikc-sim's Google side against a real running sim: OAuth, GKE, TLS, faults, restart */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "simproc.h"

#define PROJECT "p"
#define ZONE "us-central1-a"

struct resp {
	long status;
	int curl_rc;
	char *body;
	size_t len;
	json_object *json;
};

static struct simproc g_sim;
static char g_token[256];

/* ---- HTTP ---- */

static size_t on_data(char *ptr, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	char *grown = realloc(r->body, r->len + size * n + 1);

	if (!grown)
		return 0;
	r->body = grown;
	memcpy(r->body + r->len, ptr, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static void resp_free(struct resp *r)
{
	free(r->body);
	json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}

/* One request; r->curl_rc is the libcurl result, r->json the parsed body. */
static void http(struct resp *r, const char *method, const char *url,
		 const char *ca, const char *token, const char *ctype,
		 const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char auth[300];

	memset(r, 0, sizeof(*r));
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	if (body) {
		char ct[128];

		snprintf(ct, sizeof(ct), "Content-Type: %s",
			 ctype ? ctype : "application/json");
		h = curl_slist_append(h, ct);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	r->curl_rc = (int)curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body)
		r->json = json_tokener_parse(r->body);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
}

static char *gke_url(const char *fmt, ...)
{
	static char url[1024];
	char rest[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	snprintf(url, sizeof(url), "%sv1/projects/" PROJECT "/locations/" ZONE
		 "/%s", g_sim.url, rest);
	return url;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

/* ---- JWT grant, signed here with OpenSSL ---- */

static char *b64url(const unsigned char *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	size_t i, j = 0;
	int n;

	assert_non_null(out);
	n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	for (i = 0; i < (size_t)n; i++) {
		if (out[i] == '=')
			break;
		out[j++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	}
	out[j] = '\0';
	return out;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Builds a JWT for the sim's service account, signed by `key` (or the real one). */
static char *make_jwt(EVP_PKEY *key, long iat, long exp, const char *aud)
{
	char *text = read_file(g_sim.credentials), *hdr, *cl, *input, *sig64, *jwt;
	json_object *cred = json_tokener_parse(text), *claims;
	char header[256];
	const char *kid;
	EVP_PKEY *use = key;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t siglen = sizeof(sig), n;

	assert_non_null(cred);
	if (!use) {
		BIO *bio = BIO_new_mem_buf(jstr(cred, "private_key"), -1);

		use = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
		assert_non_null(use);
	}
	kid = jstr(cred, "private_key_id");
	assert_non_null(kid);
	snprintf(header, sizeof(header),
		 "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid ? kid : "");
	claims = json_object_new_object();
	json_object_object_add(claims, "iss",
			       json_object_new_string(jstr(cred, "client_email")));
	json_object_object_add(claims, "scope", json_object_new_string(
				       "https://www.googleapis.com/auth/cloud-platform"));
	json_object_object_add(claims, "aud", json_object_new_string(
				       aud ? aud : jstr(cred, "token_uri")));
	json_object_object_add(claims, "iat", json_object_new_int64(iat));
	json_object_object_add(claims, "exp", json_object_new_int64(exp));
	hdr = b64url((const unsigned char *)header, strlen(header));
	cl = b64url((const unsigned char *)json_object_to_json_string(claims),
		    strlen(json_object_to_json_string(claims)));
	n = strlen(hdr) + strlen(cl) + 2;
	input = malloc(n);
	assert_non_null(input);
	snprintf(input, n, "%s.%s", hdr, cl);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, use), 1);
	assert_int_equal(EVP_DigestSign(md, sig, &siglen,
					(const unsigned char *)input,
					strlen(input)), 1);
	sig64 = b64url(sig, siglen);
	n = strlen(input) + strlen(sig64) + 2;
	jwt = malloc(n);
	assert_non_null(jwt);
	snprintf(jwt, n, "%s.%s", input, sig64);
	EVP_MD_CTX_free(md);
	if (!key)
		EVP_PKEY_free(use);
	free(text);
	free(hdr);
	free(cl);
	free(input);
	free(sig64);
	json_object_put(cred);
	json_object_put(claims);
	return jwt;
}

static void grant(struct resp *r, const char *jwt)
{
	size_t n = strlen(jwt) + 128;
	char *body = malloc(n), url[256];

	assert_non_null(body);
	snprintf(body, n, "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type"
		      "%%3Ajwt-bearer&assertion=%s", jwt);
	snprintf(url, sizeof(url), "%stoken", g_sim.url);
	http(r, "POST", url, g_sim.ca, NULL, "application/x-www-form-urlencoded",
	     body);
	free(body);
}

/* A token through the real JWT-bearer grant. */
static void fetch_token(void)
{
	long now = (long)time(NULL);
	char *jwt = make_jwt(NULL, now, now + 3600, NULL);
	struct resp r;

	grant(&r, jwt);
	assert_int_equal(r.status, 200);
	snprintf(g_token, sizeof(g_token), "%s", jstr(r.json, "access_token"));
	resp_free(&r);
	free(jwt);
}

/* ---- GKE helpers ---- */

static char *create_cluster(const char *body)
{
	struct resp r;
	char *name;

	http(&r, "POST", gke_url("clusters"), g_sim.ca, g_token, NULL, body);
	if (r.status != 200)
		fprintf(stderr, "create: %ld %s\n", r.status, r.body);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "operationType"), "CREATE_CLUSTER");
	name = strdup(jstr(r.json, "name"));
	resp_free(&r);
	return name;
}

/* Polls the operation until DONE; returns the final Operation (owned). */
static json_object *wait_op(const char *op)
{
	int i;

	for (i = 0; i < 600; i++) {
		struct resp r;
		json_object *out;

		http(&r, "GET", gke_url("operations/%s", op), g_sim.ca, g_token,
		     NULL, NULL);
		assert_int_equal(r.status, 200);
		if (strcmp(jstr(r.json, "status"), "DONE") == 0) {
			out = json_object_get(r.json);
			resp_free(&r);
			return out;
		}
		resp_free(&r);
		usleep(50 * 1000);
	}
	fail_msg("operation %s did not finish", op);
	return NULL;
}

static void wait_ok(const char *op)
{
	json_object *o = wait_op(op);

	assert_null(jget(o, "statusMessage"));
	assert_null(jget(o, "error"));
	json_object_put(o);
}

static char *cluster_ca_status(const char *cluster, char *ca_path, size_t n,
				const char *status);

/* Writes the cluster's CA (from masterAuth) to DIR/NAME-ca.pem; returns endpoint. */
static char *cluster_ca(const char *cluster, char *ca_path, size_t n)
{
	return cluster_ca_status(cluster, ca_path, n, "RUNNING");
}

/* cluster_ca() for a cluster in any state. */
static char *cluster_ca_any(const char *cluster, char *ca_path, size_t n)
{
	return cluster_ca_status(cluster, ca_path, n, NULL);
}

static char *cluster_ca_status(const char *cluster, char *ca_path, size_t n,
				const char *status)
{
	struct resp r;
	const char *b64;
	unsigned char *pem;
	FILE *f;
	char *endpoint;
	int len;

	http(&r, "GET", gke_url("clusters/%s", cluster), g_sim.ca, g_token, NULL,
	     NULL);
	assert_int_equal(r.status, 200);
	if (status)
		assert_string_equal(jstr(r.json, "status"), status);
	b64 = jstr(jget(r.json, "masterAuth"), "clusterCaCertificate");
	assert_non_null(b64);
	pem = calloc(1, strlen(b64) + 1);
	assert_non_null(pem);
	len = EVP_DecodeBlock(pem, (const unsigned char *)b64, (int)strlen(b64));
	assert_true(len > 0);
	pem[len] = '\0';
	assert_non_null(strstr((char *)pem, "BEGIN CERTIFICATE"));
	snprintf(ca_path, n, "%s/%s-ca.pem", g_sim.dir, cluster);
	f = fopen(ca_path, "wb");
	assert_non_null(f);
	fwrite(pem, 1, strlen((char *)pem), f);
	fclose(f);
	endpoint = strdup(jstr(r.json, "endpoint"));
	assert_non_null(endpoint);
	assert_true(strncmp(endpoint, "127.0.0.1:", 10) == 0);
	free(pem);
	resp_free(&r);
	return endpoint;
}

static void sim_up(const char *args)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	assert_int_equal(simproc_start(&g_sim, args), 0);
	fetch_token();
}

static void sim_down(void)
{
	simproc_stop(&g_sim);
	curl_global_cleanup();
}

/* ---- token ---- */

static void test_sim_gke_token__good_key_gets_token(void **state)
{
	long now = (long)time(NULL);
	char *jwt;
	struct resp r;

	(void)state;
	sim_up("--speed 500");
	jwt = make_jwt(NULL, now, now + 3600, NULL);
	grant(&r, jwt);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "token_type"), "Bearer");
	assert_true(json_object_get_int(jget(r.json, "expires_in")) > 3000);
	assert_true(strlen(jstr(r.json, "access_token")) > 20);
	snprintf(g_token, sizeof(g_token), "%s", jstr(r.json, "access_token"));
	resp_free(&r);
	free(jwt);
	/* The token opens the GKE API. */
	http(&r, "GET", gke_url("clusters"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	/* Google's constant audience is accepted too. */
	jwt = make_jwt(NULL, now, now + 3600, "https://oauth2.googleapis.com/token");
	grant(&r, jwt);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	free(jwt);
}

static void test_sim_gke_token__bad_signature_is_invalid_grant(void **state)
{
	long now = (long)time(NULL);
	EVP_PKEY *other = EVP_RSA_gen(2048);
	char *jwt = make_jwt(other, now, now + 3600, NULL);
	struct resp r;

	(void)state;
	grant(&r, jwt);
	assert_int_equal(r.status, 400);
	assert_string_equal(jstr(r.json, "error"), "invalid_grant");
	assert_non_null(strstr(jstr(r.json, "error_description"), "Signature"));
	resp_free(&r);
	free(jwt);
	EVP_PKEY_free(other);
}

static void test_sim_gke_token__expired_assertion_is_invalid_grant(void **state)
{
	long now = (long)time(NULL);
	char *jwt = make_jwt(NULL, now - 7200, now - 3600, NULL);
	struct resp r;

	(void)state;
	grant(&r, jwt);
	assert_int_equal(r.status, 400);
	assert_string_equal(jstr(r.json, "error"), "invalid_grant");
	resp_free(&r);
	free(jwt);
	/* A lifetime over an hour is refused as well. */
	jwt = make_jwt(NULL, now, now + 7200, NULL);
	grant(&r, jwt);
	assert_int_equal(r.status, 400);
	assert_string_equal(jstr(r.json, "error"), "invalid_grant");
	resp_free(&r);
	free(jwt);
	sim_down();
}

/* ---- cluster create, endpoint, CAs ---- */

static void test_sim_gke_cluster__create_runs_with_endpoint_and_ca(void **state)
{
	char *op, *ep_a, *ep_b, ca_a[PATH_MAX + 64], ca_b[PATH_MAX + 64], url[256];
	json_object *done;
	struct resp r;

	(void)state;
	sim_up("--speed 500");
	op = create_cluster("{\"cluster\":{\"name\":\"alpha\",\"nodePools\":[{"
			    "\"name\":\"pool-a\",\"initialNodeCount\":1,\"config\":"
			    "{\"machineType\":\"e2-standard-2\"}}]}}");
	done = wait_op(op);
	assert_string_equal(jstr(done, "status"), "DONE");
	assert_null(jget(done, "statusMessage"));
	assert_non_null(strstr(jstr(done, "targetLink"), "/clusters/alpha"));
	assert_true(strncmp(jstr(done, "selfLink"), g_sim.url,
			    strlen(g_sim.url)) == 0);
	json_object_put(done);
	free(op);

	/* Server-filled fields as GKE fills them. */
	http(&r, "GET", gke_url("clusters/alpha"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "currentMasterVersion"),
			    jstr(r.json, "initialClusterVersion"));
	assert_string_equal(jstr(jget(r.json, "nodeConfig"), "machineType"),
			    "e2-standard-2");
	assert_int_equal(json_object_get_int(jget(r.json, "currentNodeCount")), 1);
	assert_string_equal(jstr(jget(json_object_array_get_idx(
					      jget(r.json, "nodePools"), 0),
				      "maxPodsConstraint"), "maxPodsPerNode"),
			    "110");
	resp_free(&r);

	ep_a = cluster_ca("alpha", ca_a, sizeof(ca_a));
	snprintf(url, sizeof(url), "https://%s/version", ep_a);
	/* The cluster CA verifies the cluster endpoint. */
	http(&r, "GET", url, ca_a, g_token, NULL, NULL);
	assert_int_equal(r.curl_rc, CURLE_OK);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	/* ...and nothing else: not the main port. */
	http(&r, "GET", gke_url("clusters"), ca_a, g_token, NULL, NULL);
	assert_int_equal(r.curl_rc, CURLE_PEER_FAILED_VERIFICATION);
	resp_free(&r);
	/* The main CA does not verify the cluster endpoint either. */
	http(&r, "GET", url, g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.curl_rc, CURLE_PEER_FAILED_VERIFICATION);
	resp_free(&r);
	/* Without a token the cluster API says 401. */
	http(&r, "GET", url, ca_a, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	assert_string_equal(jstr(r.json, "reason"), "Unauthorized");
	resp_free(&r);

	/* A second cluster's CA does not verify the first cluster. */
	op = create_cluster("{\"cluster\":{\"name\":\"beta\",\"initialNodeCount\":1}}");
	wait_ok(op);
	free(op);
	ep_b = cluster_ca("beta", ca_b, sizeof(ca_b));
	assert_string_not_equal(ep_a, ep_b);
	http(&r, "GET", url, ca_b, g_token, NULL, NULL);
	assert_int_equal(r.curl_rc, CURLE_PEER_FAILED_VERIFICATION);
	resp_free(&r);
	free(ep_a);
	free(ep_b);
	sim_down();
}

/* ---- one operation per cluster, 429 per project ---- */

static void test_sim_gke_busy__second_operation_is_refused(void **state)
{
	char *op, body[256];
	struct resp r;
	const char *reason;
	int i;

	(void)state;
	sim_up("--speed 20");
	op = create_cluster("{\"cluster\":{\"name\":\"gamma\",\"initialNodeCount\":1}}");
	http(&r, "DELETE", gke_url("clusters/gamma"), g_sim.ca, g_token, NULL,
	     NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(jstr(jget(r.json, "error"), "status"),
			    "FAILED_PRECONDITION");
	reason = jstr(json_object_array_get_idx(jget(jget(r.json, "error"),
						     "errors"), 0), "reason");
	assert_string_equal(reason, "failedPrecondition");
	assert_non_null(strstr(jstr(jget(r.json, "error"), "message"), op));
	resp_free(&r);
	/* Node pool calls on the busy cluster are refused the same way. */
	http(&r, "POST", gke_url("clusters/gamma/nodePools"), g_sim.ca, g_token,
	     NULL, "{\"nodePool\":{\"name\":\"extra\",\"initialNodeCount\":1}}");
	assert_int_equal(r.status, 400);
	assert_string_equal(jstr(jget(r.json, "error"), "status"),
			    "FAILED_PRECONDITION");
	resp_free(&r);
	/* Ten running operations in the project; the eleventh gets 429. */
	for (i = 0; i < 9; i++) {
		char *o;

		snprintf(body, sizeof(body), "{\"cluster\":{\"name\":\"busy%d\","
			 "\"initialNodeCount\":1}}", i);
		o = create_cluster(body);
		free(o);
	}
	http(&r, "POST", gke_url("clusters"), g_sim.ca, g_token, NULL,
	     "{\"cluster\":{\"name\":\"busy-last\",\"initialNodeCount\":1}}");
	assert_int_equal(r.status, 429);
	assert_string_equal(jstr(jget(r.json, "error"), "status"),
			    "RESOURCE_EXHAUSTED");
	resp_free(&r);
	/* Once the create is DONE the cluster takes the next operation. */
	wait_ok(op);
	free(op);
	http(&r, "POST", gke_url("clusters/gamma/nodePools/default-pool:setSize"),
	     g_sim.ca, g_token, NULL, "{\"nodeCount\":2}");
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "operationType"), "SET_NODE_POOL_SIZE");
	resp_free(&r);
	sim_down();
}

/* ---- errors ---- */

static void test_sim_gke_errors__unknown_field_and_auth(void **state)
{
	struct resp r;
	char *op;

	(void)state;
	sim_up("--speed 500");
	http(&r, "POST", gke_url("clusters"), g_sim.ca, g_token, NULL,
	     "{\"cluster\":{\"name\":\"x\",\"initialNodeCount\":1,\"nodeConfig\":"
	     "{\"machineTyp\":\"e2-medium\"}}}");
	assert_int_equal(r.status, 400);
	assert_string_equal(jstr(jget(r.json, "error"), "status"),
			    "INVALID_ARGUMENT");
	assert_non_null(strstr(jstr(jget(r.json, "error"), "message"),
			       "Unknown name \"machineTyp\""));
	resp_free(&r);
	http(&r, "POST", gke_url("clusters"), g_sim.ca, g_token, NULL,
	     "{\"clustr\":{}}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jstr(jget(r.json, "error"), "message"),
			       "Invalid JSON payload received. Unknown name \"clustr\""));
	resp_free(&r);
	/* No token, or one the sim never issued: 401 UNAUTHENTICATED. */
	http(&r, "GET", gke_url("clusters"), g_sim.ca, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	assert_string_equal(jstr(jget(r.json, "error"), "status"),
			    "UNAUTHENTICATED");
	resp_free(&r);
	http(&r, "GET", gke_url("clusters"), g_sim.ca, "ya29.made-up", NULL, NULL);
	assert_int_equal(r.status, 401);
	resp_free(&r);
	/* NOT_FOUND and ALREADY_EXISTS with their legacy reasons. */
	http(&r, "GET", gke_url("clusters/nope"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 404);
	assert_string_equal(jstr(json_object_array_get_idx(jget(jget(r.json, "error"),
								"errors"), 0),
				 "reason"), "notFound");
	resp_free(&r);
	op = create_cluster("{\"cluster\":{\"name\":\"dup\",\"initialNodeCount\":1}}");
	http(&r, "POST", gke_url("clusters"), g_sim.ca, g_token, NULL,
	     "{\"cluster\":{\"name\":\"dup\",\"initialNodeCount\":1}}");
	assert_int_equal(r.status, 409);
	assert_string_equal(jstr(jget(r.json, "error"), "status"), "ALREADY_EXISTS");
	resp_free(&r);
	wait_ok(op);
	free(op);
	/* The legacy zones form reaches the same cluster. */
	{
		char url[512];

		snprintf(url, sizeof(url), "%sv1/projects/" PROJECT "/zones/" ZONE
			 "/clusters/dup", g_sim.url);
		http(&r, "GET", url, g_sim.ca, g_token, NULL, NULL);
		assert_int_equal(r.status, 200);
		assert_string_equal(jstr(r.json, "name"), "dup");
		resp_free(&r);
	}
	sim_down();
}

/* ---- node pools make Nodes ---- */

static int count_nodes(const char *endpoint, const char *ca, const char *pool)
{
	char url[512];
	struct resp r;
	int n;

	snprintf(url, sizeof(url), "https://%s/api/v1/nodes?labelSelector="
		 "cloud.google.com%%2Fgke-nodepool%%3D%s", endpoint, pool);
	http(&r, "GET", url, ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 200);
	n = (int)json_object_array_length(jget(r.json, "items"));
	resp_free(&r);
	return n;
}

static void set_size(const char *pool, int n)
{
	char body[64];
	struct resp r;
	char *op;

	snprintf(body, sizeof(body), "{\"nodeCount\":%d}", n);
	http(&r, "POST", gke_url("clusters/np/nodePools/%s:setSize", pool),
	     g_sim.ca, g_token, NULL, body);
	assert_int_equal(r.status, 200);
	op = strdup(jstr(r.json, "name"));
	resp_free(&r);
	wait_ok(op);
	free(op);
}

static void test_sim_gke_nodes__set_size_changes_nodes(void **state)
{
	char ca[PATH_MAX + 64], *ep, *op;

	(void)state;
	sim_up("--speed 500");
	op = create_cluster("{\"cluster\":{\"name\":\"np\",\"nodePools\":["
			    "{\"name\":\"web\",\"initialNodeCount\":2},"
			    "{\"name\":\"batch\",\"initialNodeCount\":1}]}}");
	wait_ok(op);
	free(op);
	ep = cluster_ca("np", ca, sizeof(ca));
	assert_int_equal(count_nodes(ep, ca, "web"), 2);
	assert_int_equal(count_nodes(ep, ca, "batch"), 1);
	set_size("web", 4);
	assert_int_equal(count_nodes(ep, ca, "web"), 4);
	assert_int_equal(count_nodes(ep, ca, "batch"), 1);
	set_size("web", 1);
	assert_int_equal(count_nodes(ep, ca, "web"), 1);
	set_size("batch", 0);
	assert_int_equal(count_nodes(ep, ca, "batch"), 0);
	free(ep);
	sim_down();
}

/* ---- restart ---- */

static void test_sim_gke_restart__world_survives(void **state)
{
	char ca[PATH_MAX + 64], dir[PATH_MAX], url[256], *ep, *op;
	struct resp r;

	(void)state;
	sim_up("--speed 500");
	op = create_cluster("{\"cluster\":{\"name\":\"alpha\",\"initialNodeCount\":2}}");
	wait_ok(op);
	free(op);
	ep = cluster_ca("alpha", ca, sizeof(ca));
	snprintf(dir, sizeof(dir), "%s", g_sim.dir);
	assert_int_equal(simproc_terminate(&g_sim), 0);
	{
		char ready[PATH_MAX + 16], world[PATH_MAX + 16];

		snprintf(ready, sizeof(ready), "%s/ready", dir);
		snprintf(world, sizeof(world), "%s/world.json", dir);
		assert_int_not_equal(access(ready, F_OK), 0);
		assert_int_equal(access(world, F_OK), 0);
	}
	assert_int_equal(simproc_start_in(&g_sim, dir, "--speed 500"), 0);
	g_sim.own_dir = 1;
	/* Same cluster, same token. */
	http(&r, "GET", gke_url("clusters/alpha"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "status"), "RUNNING");
	assert_string_equal(jstr(r.json, "endpoint"), ep);
	resp_free(&r);
	/* The cluster endpoint answers with the same CA, and keeps its Nodes. */
	snprintf(url, sizeof(url), "https://%s/version", ep);
	http(&r, "GET", url, ca, g_token, NULL, NULL);
	assert_int_equal(r.curl_rc, CURLE_OK);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	assert_int_equal(count_nodes(ep, ca, "default-pool"), 2);
	free(ep);
	sim_down();
}

static void test_sim_gke_restart__running_operation_resumes(void **state)
{
	char dir[PATH_MAX], *op;
	struct resp r;
	json_object *done;

	(void)state;
	/* At speed 40 a create takes 4.5 s: stop the sim while it runs. */
	sim_up("--speed 40");
	op = create_cluster("{\"cluster\":{\"name\":\"mid\",\"initialNodeCount\":1}}");
	usleep(300 * 1000);
	snprintf(dir, sizeof(dir), "%s", g_sim.dir);
	assert_int_equal(simproc_terminate(&g_sim), 0);
	assert_int_equal(simproc_start_in(&g_sim, dir, "--speed 40"), 0);
	g_sim.own_dir = 1;
	http(&r, "GET", gke_url("operations/%s", op), g_sim.ca, g_token, NULL,
	     NULL);
	assert_int_equal(r.status, 200);
	assert_string_not_equal(jstr(r.json, "status"), "DONE");
	resp_free(&r);
	/* Still one operation at a time after the restart. */
	http(&r, "DELETE", gke_url("clusters/mid"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	done = wait_op(op);
	assert_null(jget(done, "statusMessage"));
	json_object_put(done);
	http(&r, "GET", gke_url("clusters/mid"), g_sim.ca, g_token, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "RUNNING");
	resp_free(&r);
	free(op);
	sim_down();
}

/* ---- faults and the admin endpoint ---- */

static long calls_of(const char *route)
{
	char url[256];
	struct resp r;
	long n;

	snprintf(url, sizeof(url), "%s_sim/calls", g_sim.url);
	http(&r, "GET", url, g_sim.ca, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	n = json_object_get_int64(jget(jget(r.json, "routes"), route));
	resp_free(&r);
	return n;
}

static void test_sim_gke_faults__injected_and_counted(void **state)
{
	char url[256], *op;
	struct resp r;
	json_object *done;

	(void)state;
	sim_up("--speed 500 --seed 7 --faults '503:nth=2:retry-after=3:route=GET /v1/'");
	http(&r, "GET", gke_url("clusters"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	http(&r, "GET", gke_url("clusters"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 503);
	assert_string_equal(jstr(jget(r.json, "error"), "status"), "UNAVAILABLE");
	resp_free(&r);
	http(&r, "GET", gke_url("clusters"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);

	/* An operation that ends in error carries statusMessage and error. */
	snprintf(url, sizeof(url), "%s_sim/faults", g_sim.url);
	http(&r, "POST", url, g_sim.ca, NULL, NULL,
	     "{\"spec\":\"opfail:nth=1,drop:nth=1:route=DELETE /v1/\"}");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	op = create_cluster("{\"cluster\":{\"name\":\"doomed\",\"initialNodeCount\":1}}");
	done = wait_op(op);
	assert_non_null(jstr(done, "statusMessage"));
	assert_int_equal(json_object_get_int(jget(jget(done, "error"), "code")), 8);
	json_object_put(done);
	free(op);
	http(&r, "GET", gke_url("clusters/doomed"), g_sim.ca, g_token, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "ERROR");
	resp_free(&r);
	/* A dropped connection: no HTTP answer at all. */
	http(&r, "DELETE", gke_url("clusters/doomed"), g_sim.ca, g_token, NULL,
	     NULL);
	assert_int_not_equal(r.curl_rc, CURLE_OK);
	resp_free(&r);
	/* Slow answers, and faults on a cluster's own endpoint. */
	{
		char ca[PATH_MAX + 64], *ep, kurl[256];
		struct timespec t0, t1;
		double took;

		ep = cluster_ca_any("doomed", ca, sizeof(ca));
		snprintf(url, sizeof(url), "%s_sim/faults", g_sim.url);
		http(&r, "POST", url, g_sim.ca, NULL, NULL,
		     "{\"spec\":\"slow:nth=1:ms=400:route=GET /v1/,"
		     "429:nth=1:retry-after=2:route=GET /api/v1/nodes\"}");
		assert_int_equal(r.status, 200);
		resp_free(&r);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		http(&r, "GET", gke_url("clusters"), g_sim.ca, g_token, NULL, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		took = (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		assert_int_equal(r.status, 200);
		assert_true(took >= 0.4);
		resp_free(&r);
		snprintf(kurl, sizeof(kurl), "https://%s/api/v1/nodes", ep);
		http(&r, "GET", kurl, ca, g_token, NULL, NULL);
		assert_int_equal(r.status, 429);
		assert_string_equal(jstr(r.json, "kind"), "Status");
		resp_free(&r);
		http(&r, "GET", kurl, ca, g_token, NULL, NULL);
		assert_int_equal(r.status, 200);
		resp_free(&r);
		free(ep);
	}
	/* Calls are counted per route; the create happened once. */
	assert_int_equal(calls_of("GET /v1/projects/{project}/locations/{location}"
				  "/clusters"), 4);
	assert_int_equal(calls_of("POST /v1/projects/{project}/locations/"
				  "{location}/clusters"), 1);
	/* Reset empties the world. */
	snprintf(url, sizeof(url), "%s_sim/reset", g_sim.url);
	http(&r, "POST", url, g_sim.ca, NULL, NULL, "");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	http(&r, "GET", gke_url("clusters/doomed"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 404);
	resp_free(&r);
	sim_down();
}

/* Stops a sim a failed test left running. */
static int teardown_group(void **state)
{
	(void)state;
	if (g_sim.pid > 0)
		sim_down();
	return 0;
}

/* ---- more of the API surface ---- */

static char *op_of(struct resp *r)
{
	char *op;

	if (r->status != 200)
		fprintf(stderr, "unexpected: %ld %s\n", r->status, r->body);
	assert_int_equal(r->status, 200);
	op = strdup(jstr(r->json, "name"));
	resp_free(r);
	return op;
}

static void test_sim_gke_api__labels_update_cancel_legacy(void **state)
{
	char url[512], body[256], fp[32], *op;
	struct resp r;
	json_object *done, *pool;

	(void)state;
	sim_up("--speed 200");
	op = create_cluster("{\"cluster\":{\"name\":\"api\",\"initialNodeCount\":1,"
			    "\"nodeConfig\":{\"diskSizeGb\":\"50\"},"
			    "\"resourceLabels\":{\"env\":\"test\"}}}");
	wait_ok(op);
	free(op);

	/* proto3 JSON: int32 as numbers, int64 as strings, empty messages kept. */
	http(&r, "GET", gke_url("clusters/api/nodePools/default-pool"), g_sim.ca,
	     g_token, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_object_is_type(jget(jget(r.json, "config"), "diskSizeGb"),
					json_type_int));
	assert_int_equal(json_object_get_int(jget(jget(r.json, "config"),
						  "diskSizeGb")), 50);
	assert_true(json_object_is_type(jget(r.json, "autoscaling"),
					json_type_object));
	assert_int_equal(json_object_object_length(jget(r.json, "autoscaling")), 0);
	resp_free(&r);

	/* setResourceLabels needs the current fingerprint. */
	http(&r, "GET", gke_url("clusters/api"), g_sim.ca, g_token, NULL, NULL);
	snprintf(fp, sizeof(fp), "%s", jstr(r.json, "labelFingerprint"));
	resp_free(&r);
	http(&r, "POST", gke_url("clusters/api:setResourceLabels"), g_sim.ca,
	     g_token, NULL, "{\"resourceLabels\":{\"env\":\"prod\"},"
	     "\"labelFingerprint\":\"00000000\"}");
	assert_int_equal(r.status, 400);
	resp_free(&r);
	snprintf(body, sizeof(body), "{\"resourceLabels\":{\"env\":\"prod\"},"
		 "\"labelFingerprint\":\"%s\"}", fp);
	http(&r, "POST", gke_url("clusters/api:setResourceLabels"), g_sim.ca,
	     g_token, NULL, body);
	op = op_of(&r);
	wait_ok(op);
	free(op);
	http(&r, "GET", gke_url("clusters/api"), g_sim.ca, g_token, NULL, NULL);
	assert_string_equal(jstr(jget(r.json, "resourceLabels"), "env"), "prod");
	assert_string_not_equal(jstr(r.json, "labelFingerprint"), fp);
	resp_free(&r);

	/* One desired* field per update; a version alias resolves. */
	http(&r, "PUT", gke_url("clusters/api"), g_sim.ca, g_token, NULL,
	     "{\"update\":{\"desiredMasterVersion\":\"1.31\","
	     "\"desiredLoggingService\":\"none\"}}");
	assert_int_equal(r.status, 400);
	resp_free(&r);
	http(&r, "PUT", gke_url("clusters/api"), g_sim.ca, g_token, NULL,
	     "{\"update\":{\"desiredMasterVersion\":\"1.31\"}}");
	assert_string_equal(jstr(r.json, "operationType"), "UPGRADE_MASTER");
	op = op_of(&r);
	/* The cluster is RECONCILING while it runs. */
	http(&r, "GET", gke_url("clusters/api"), g_sim.ca, g_token, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "RECONCILING");
	resp_free(&r);
	wait_ok(op);
	free(op);
	http(&r, "GET", gke_url("clusters/api"), g_sim.ca, g_token, NULL, NULL);
	assert_true(strncmp(jstr(r.json, "currentMasterVersion"), "1.31.", 5) == 0);
	assert_string_equal(jstr(r.json, "status"), "RUNNING");
	resp_free(&r);

	/* Legacy zones forms: sub-paths, POST .../update. */
	snprintf(url, sizeof(url), "%sv1/projects/" PROJECT "/zones/" ZONE
		 "/clusters/api/nodePools/default-pool/setSize", g_sim.url);
	http(&r, "POST", url, g_sim.ca, g_token, NULL, "{\"nodeCount\":2}");
	assert_string_equal(jstr(r.json, "operationType"), "SET_NODE_POOL_SIZE");
	op = op_of(&r);
	wait_ok(op);
	free(op);
	snprintf(url, sizeof(url), "%sv1/projects/" PROJECT "/zones/" ZONE
		 "/clusters/api/nodePools/default-pool/update", g_sim.url);
	http(&r, "POST", url, g_sim.ca, g_token, NULL,
	     "{\"machineType\":\"e2-standard-4\",\"diskSizeGb\":\"200\"}");
	op = op_of(&r);
	wait_ok(op);
	free(op);
	http(&r, "GET", gke_url("clusters/api"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(json_object_get_int(jget(r.json, "currentNodeCount")), 2);
	pool = json_object_array_get_idx(jget(r.json, "nodePools"), 0);
	assert_string_equal(jstr(jget(pool, "config"), "machineType"),
			    "e2-standard-4");
	assert_int_equal(json_object_get_int(jget(jget(pool, "config"),
						  "diskSizeGb")), 200);
	resp_free(&r);

	/* operations.cancel ends a running operation with an error. */
	http(&r, "POST", gke_url("clusters/api/nodePools"), g_sim.ca, g_token,
	     NULL, "{\"nodePool\":{\"name\":\"slow\",\"initialNodeCount\":1}}");
	op = op_of(&r);
	http(&r, "POST", gke_url("operations/%s:cancel", op), g_sim.ca, g_token,
	     NULL, "{}");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	done = wait_op(op);
	assert_non_null(jstr(done, "statusMessage"));
	assert_non_null(jget(done, "error"));
	json_object_put(done);
	free(op);

	/* Regional clusters span three zones; the zones form refuses them. */
	snprintf(url, sizeof(url), "%sv1/projects/" PROJECT "/locations/"
		 "us-central1/clusters", g_sim.url);
	http(&r, "POST", url, g_sim.ca, g_token, NULL,
	     "{\"cluster\":{\"name\":\"reg\",\"initialNodeCount\":1}}");
	op = op_of(&r);
	free(op);
	snprintf(url, sizeof(url), "%sv1/projects/" PROJECT "/locations/"
		 "us-central1/clusters/reg", g_sim.url);
	http(&r, "GET", url, g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_object_array_length(jget(r.json, "locations")), 3);
	assert_int_equal(json_object_get_int(jget(r.json, "currentNodeCount")), 3);
	resp_free(&r);
	snprintf(url, sizeof(url), "%sv1/projects/" PROJECT "/zones/"
		 "us-central1/clusters/reg", g_sim.url);
	http(&r, "GET", url, g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(jstr(jget(r.json, "error"), "message"),
			       "regional clusters"));
	resp_free(&r);

	/* serverConfig, Service Usage, and the admin world listing. */
	http(&r, "GET", gke_url("serverConfig"), g_sim.ca, g_token, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(jstr(r.json, "defaultClusterVersion"));
	assert_true(json_object_array_length(jget(r.json, "channels")) > 0);
	resp_free(&r);
	snprintf(url, sizeof(url), "%sv1/projects/" PROJECT
		 "/services/container.googleapis.com?alt=json", g_sim.url);
	http(&r, "GET", url, g_sim.ca, g_token, NULL, NULL);
	assert_string_equal(jstr(r.json, "state"), "ENABLED");
	resp_free(&r);
	snprintf(url, sizeof(url), "%s_sim/world", g_sim.url);
	http(&r, "GET", url, g_sim.ca, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"name\":\"api\""));
	assert_non_null(strstr(r.body, "gke-api-default-pool-"));
	resp_free(&r);
	sim_down();
}

/* The 503/200 pattern of 16 list calls under a seeded rate rule. */
static void rate_pattern(const char *seed, char out[17])
{
	char args[160];
	int i;

	snprintf(args, sizeof(args), "--speed 500 --seed %s --faults "
		 "'503:rate=0.5:route=GET /v1/'", seed);
	sim_up(args);
	for (i = 0; i < 16; i++) {
		struct resp r;

		http(&r, "GET", gke_url("clusters"), g_sim.ca, g_token, NULL, NULL);
		assert_true(r.status == 200 || r.status == 503);
		out[i] = r.status == 503 ? 'x' : '.';
		resp_free(&r);
	}
	out[16] = '\0';
	sim_down();
}

static void test_sim_gke_faults__same_seed_same_faults(void **state)
{
	char a[17], b[17];

	(void)state;
	rate_pattern("11", a);
	rate_pattern("11", b);
	assert_string_equal(a, b);
	assert_non_null(strchr(a, 'x'));
	assert_non_null(strchr(a, '.'));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest token[] = {
		cmocka_unit_test(test_sim_gke_token__good_key_gets_token),
		cmocka_unit_test(test_sim_gke_token__bad_signature_is_invalid_grant),
		cmocka_unit_test(test_sim_gke_token__expired_assertion_is_invalid_grant),
	};
	const struct CMUnitTest cluster[] = {
		cmocka_unit_test(test_sim_gke_cluster__create_runs_with_endpoint_and_ca),
	};
	const struct CMUnitTest busy[] = {
		cmocka_unit_test(test_sim_gke_busy__second_operation_is_refused),
	};
	const struct CMUnitTest errors[] = {
		cmocka_unit_test(test_sim_gke_errors__unknown_field_and_auth),
	};
	const struct CMUnitTest nodes[] = {
		cmocka_unit_test(test_sim_gke_nodes__set_size_changes_nodes),
	};
	const struct CMUnitTest restart[] = {
		cmocka_unit_test(test_sim_gke_restart__world_survives),
		cmocka_unit_test(test_sim_gke_restart__running_operation_resumes),
	};
	const struct CMUnitTest api[] = {
		cmocka_unit_test(test_sim_gke_api__labels_update_cancel_legacy),
	};
	const struct CMUnitTest faults[] = {
		cmocka_unit_test(test_sim_gke_faults__injected_and_counted),
		cmocka_unit_test(test_sim_gke_faults__same_seed_same_faults),
	};
	const char *group = argc > 1 ? argv[1] : "";

	if (strcmp(group, "token") == 0)
		return cmocka_run_group_tests_name("sim.gke.token", token, NULL,
						   teardown_group);
	if (strcmp(group, "cluster") == 0)
		return cmocka_run_group_tests_name("sim.gke.cluster", cluster, NULL,
						   teardown_group);
	if (strcmp(group, "busy") == 0)
		return cmocka_run_group_tests_name("sim.gke.busy", busy, NULL,
						   teardown_group);
	if (strcmp(group, "errors") == 0)
		return cmocka_run_group_tests_name("sim.gke.errors", errors, NULL,
						   teardown_group);
	if (strcmp(group, "nodes") == 0)
		return cmocka_run_group_tests_name("sim.gke.nodes", nodes, NULL,
						   teardown_group);
	if (strcmp(group, "restart") == 0)
		return cmocka_run_group_tests_name("sim.gke.restart", restart, NULL,
						   teardown_group);
	if (strcmp(group, "api") == 0)
		return cmocka_run_group_tests_name("sim.gke.api", api, NULL,
						   teardown_group);
	if (strcmp(group, "faults") == 0)
		return cmocka_run_group_tests_name("sim.gke.faults", faults, NULL,
						   teardown_group);
	fprintf(stderr, "usage: %s token|cluster|busy|errors|nodes|restart|api|faults\n",
		argv[0]);
	return 2;
}
