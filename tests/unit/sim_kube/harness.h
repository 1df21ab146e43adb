#ifndef IKC_TESTS_SIM_KUBE_HARNESS_H
#define IKC_TESTS_SIM_KUBE_HARNESS_H

/*
 * harness.h - requests to one simulated cluster's Kubernetes API through
 * its request handler (sim_kube_handle), as the core's HTTP server passes
 * them: method, path, decoded query, headers, body.  Include once per test
 * program, after cmocka.h.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/api.h"
#include "util/json.h"

/* ---- test-only copy of the core's response disposal ---- */

void sim_response_dispose(sim_response *resp)
{
	if (!resp)
		return;
	free(resp->content_type);
	free(resp->body);
	free(resp->extra_header_name);
	free(resp->extra_header_value);
	if (resp->stream_free)
		resp->stream_free(resp->stream_ctx);
	memset(resp, 0, sizeof(*resp));
}

/* ---- requests ---- */

struct kv {
	char key[64];
	char val[512];
};

typedef struct treq {
	struct kv q[8];
	size_t nq;
	struct kv h[4];
	size_t nh;
} treq;

static const char *lookup(const struct kv *kv, size_t n, const char *key, int icase)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((icase ? strcasecmp(kv[i].key, key) : strcmp(kv[i].key, key)) == 0)
			return kv[i].val;
	return NULL;
}

static const char *tq(const sim_request *r, const char *key)
{
	const treq *t = r->impl;

	return lookup(t->q, t->nq, key, 0);
}

static const char *th(const sim_request *r, const char *name)
{
	const treq *t = r->impl;

	return lookup(t->h, t->nh, name, 1);
}

/* query: "a=b&c=d" (values already decoded); ctype may be NULL. */
static void send_req(sim_kube *k, const char *method, const char *path,
		     const char *query, const char *ctype, const char *accept,
		     const char *body, sim_response *resp)
{
	treq t;
	sim_request r;

	memset(&t, 0, sizeof(t));
	if (query) {
		char buf[1024], *save = NULL, *tok;

		snprintf(buf, sizeof(buf), "%s", query);
		for (tok = strtok_r(buf, "&", &save); tok && t.nq < 8;
		     tok = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(tok, '=');

			if (eq)
				*eq = '\0';
			snprintf(t.q[t.nq].key, sizeof(t.q[t.nq].key), "%s", tok);
			snprintf(t.q[t.nq].val, sizeof(t.q[t.nq].val), "%s", eq ? eq + 1 : "");
			t.nq++;
		}
	}
	if (ctype) {
		snprintf(t.h[t.nh].key, sizeof(t.h[0].key), "Content-Type");
		snprintf(t.h[t.nh].val, sizeof(t.h[0].val), "%s", ctype);
		t.nh++;
	}
	if (accept) {
		snprintf(t.h[t.nh].key, sizeof(t.h[0].key), "Accept");
		snprintf(t.h[t.nh].val, sizeof(t.h[0].val), "%s", accept);
		t.nh++;
	}
	r.method = method;
	r.path = path;
	r.body = body;
	r.body_len = body ? strlen(body) : 0;
	r.query = tq;
	r.header = th;
	r.impl = &t;
	sim_kube_handle(k, &r, resp);
}

/* Sends a request and returns the parsed JSON body; *status gets the code. */
static json_object *call(sim_kube *k, const char *method, const char *path,
			 const char *query, const char *ctype, const char *body,
			 int *status)
{
	sim_response resp;
	json_object *out = NULL;

	send_req(k, method, path, query, ctype, NULL, body, &resp);
	*status = resp.status;
	assert_null(resp.stream);
	if (resp.body)
		assert_int_equal(0, ikc_json_parse(&out, resp.body, resp.body_len, "resp"));
	sim_response_dispose(&resp);
	return out;
}

static const char *str(json_object *o, const char *path)
{
	json_object *v = ikc_json_path(o, path);

	return v ? json_object_get_string(v) : NULL;
}

static long long num(json_object *o, const char *path)
{
	json_object *v = ikc_json_path(o, path);

	return v ? json_object_get_int64(v) : -999;
}

/* cmocka fixtures: a fresh cluster API per test. */
static int setup(void **state)
{
	*state = sim_kube_new("demo", "1.30.5-gke.1014001");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	sim_kube_free(*state);
	return 0;
}

#endif /* IKC_TESTS_SIM_KUBE_HARNESS_H */
