/* call.c - GKE calls: GETs, busy retries, operation waits, Node counts */
#include "providers/gke/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth/google.h"
#include "http/auth/kube.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* Tries of a mutating call that fails for another reason than a busy cluster. */
#define OTHER_TRIES 5

/* Fills the parts of a request every GKE call shares. */
static int request_init(ikc_http_request *req, ikc_provider_env *env,
			const ikc_gke_id *id)
{
	if (!env->http)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "%s: no HTTP client", id->address);
	if (!env->google)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "%s: the GKE API needs Google "
					  "credentials (set "
					  "GOOGLE_APPLICATION_CREDENTIALS)",
					  id->address);
	req->token_fn = ikc_google_token_fn;
	req->token_ctx = env->google;
	return 0;
}

/* Parses a 2xx body into *out; an empty body gives an empty object. */
static int parse_body(json_object **out, const ikc_http_request *req,
		      const ikc_http_response *resp, const char *address)
{
	char *what;
	int rc;

	if (!resp->body.len) {
		*out = json_object_new_object();
		return *out ? 0 : ikc_error_oom();
	}
	what = ikc_asprintf("%s: response of %s %s", address,
			    req->method ? req->method : "GET", req->url);
	if (!what)
		return ikc_error_oom();
	rc = ikc_json_parse(out, resp->body.ptr, resp->body.len, what);
	free(what);
	if (rc == 0 && !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		rc = ikc_error_set_code(IKC_EREMOTE, IKC_ERR_PROVIDER,
					"%s: %s %s answered JSON that is not "
					"an object", address,
					req->method ? req->method : "GET",
					req->url);
	}
	return rc;
}

int ikc_gke__get(json_object **out, ikc_provider_env *env,
		 const ikc_gke_id *id, const char *url)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	int rc;

	*out = NULL;
	rc = request_init(&req, env, id);
	if (rc < 0)
		return rc;
	req.method = "GET";
	req.url = url;
	rc = ikc_http_do(env->http, &req, &resp);
	if (rc < 0 || !ikc_http_response_ok(&resp))
		rc = ikc_http_response_error(&req, &resp);
	if (rc == 0)
		rc = parse_body(out, &req, &resp, id->address);
	else
		rc = ikc_error_wrap(rc, "%s: ", id->address);
	ikc_http_response_dispose(&resp);
	return rc;
}

/* 1 if a 400 answer says the cluster is busy (FAILED_PRECONDITION). */
static int is_failed_precondition(const ikc_http_response *resp)
{
	json_object *root = NULL, *err, *errors, *e;
	const char *s;
	size_t i, n;
	int yes = 0;

	if (resp->status != 400 || !resp->body.len)
		return 0;
	if (ikc_json_parse(&root, resp->body.ptr, resp->body.len,
			   "error response") < 0) {
		ikc_error_clear();
		return 0;
	}
	if (json_object_object_get_ex(root, "error", &err) &&
	    json_object_is_type(err, json_type_object)) {
		s = ikc_json_str(err, "status");
		if (s && !strcmp(s, "FAILED_PRECONDITION"))
			yes = 1;
		if (json_object_object_get_ex(err, "errors", &errors) &&
		    json_object_is_type(errors, json_type_array)) {
			n = json_object_array_length(errors);
			for (i = 0; i < n; i++) {
				e = json_object_array_get_idx(errors, i);
				s = ikc_json_str(e, "reason");
				if (s && !strcmp(s, "failedPrecondition"))
					yes = 1;
			}
		}
	}
	json_object_put(root);
	return yes;
}

/* What retry_busy keeps across the attempts of one mutating call. */
struct busy_retry {
	const char *address;
	int others;          /* failed attempts that were not "busy" */
};

/* ikc_http_retry_fn: busy cluster and quota answers are worth waiting out. */
static int retry_busy(void *ctx, const ikc_http_response *resp)
{
	struct busy_retry *b = ctx;

	if (resp->status == 429 || is_failed_precondition(resp)) {
		ikc_log(IKC_LOG_DEBUG, "gke: %s: the cluster is busy "
			"(HTTP %ld), retrying", b->address, resp->status);
		return IKC_HTTP_RETRY_YES;
	}
	/* Anything else (5xx, dropped connections) gets the client's usual
	 * few tries, not the hours a busy cluster may take; the busy answers
	 * before do not use those tries up. */
	if (++b->others >= OTHER_TRIES)
		return IKC_HTTP_RETRY_NO;
	return IKC_HTTP_RETRY_DEFAULT;
}

int ikc_gke__mutate(json_object **op_out, ikc_provider_env *env,
		    const ikc_gke_id *id, const char *method, const char *url,
		    json_object *body, double deadline, const char *what)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	ikc_http_retry retry = { 0, 0, 0, 0, NULL, NULL };
	struct busy_retry busy = { id->address, 0 };
	double poll = env->poll_interval > 0 ? env->poll_interval : 2.0;
	double left = deadline - ikc_time_monotonic();
	json_object *op = NULL;
	int rc;

	if (op_out)
		*op_out = NULL;
	rc = request_init(&req, env, id);
	if (rc < 0)
		return rc;
	req.method = method;
	req.url = url;
	if (body) {
		req.body = json_object_to_json_string_ext(
			body, JSON_C_TO_STRING_PLAIN);
		if (!req.body)
			return ikc_error_oom();
		req.body_len = strlen(req.body);
	}
	/* Busy clusters free up after their operation: back off from about
	 * half a poll interval up to ten of them, until the deadline. */
	retry.max_tries = 1000000;
	retry.deadline = left > 1 ? left : 1;
	retry.base_delay = poll / 2 > 0.01 ? poll / 2 : 0.01;
	retry.max_delay = poll * 10 < 20 ? poll * 10 : 20;
	if (retry.max_delay < retry.base_delay)
		retry.max_delay = retry.base_delay;
	retry.retry_if = retry_busy;
	retry.retry_ctx = &busy;
	req.retry = &retry;
	ikc_log(IKC_LOG_DEBUG, "gke: %s: %s (%s %s)", id->address, what,
		method, url);
	rc = ikc_http_do(env->http, &req, &resp);
	if (rc < 0 || !ikc_http_response_ok(&resp)) {
		rc = ikc_http_response_error(&req, &resp);
		rc = ikc_error_wrap(rc, "%s: %s: ", id->address, what);
		goto done;
	}
	rc = parse_body(&op, &req, &resp, id->address);
	if (rc < 0)
		goto done;
	if (op_out) {
		*op_out = op;
		op = NULL;
	}
done:
	json_object_put(op);
	ikc_http_response_dispose(&resp);
	return rc;
}

void ikc_gke__progress(ikc_provider_env *env, const char *address,
		       const char *text)
{
	if (env->progress)
		env->progress(env->progress_ctx, address, text);
}

/* Percent done from an operation's metrics X and X_TOTAL; -1 if none. */
static int op_percent(json_object *op)
{
	json_object *metrics = ikc_json_path(op, "progress.metrics"), *m, *v;
	long long done = 0, total = 0;
	size_t i, j, n, len;
	const char *name, *other;

	if (!metrics || !json_object_is_type(metrics, json_type_array))
		return -1;
	n = json_object_array_length(metrics);
	for (i = 0; i < n; i++) {
		m = json_object_array_get_idx(metrics, i);
		name = ikc_json_str(m, "name");
		if (!name)
			continue;
		len = strlen(name);
		if (len <= 6 || strcmp(name + len - 6, "_TOTAL") != 0)
			continue;
		for (j = 0; j < n; j++) {
			json_object *d = json_object_array_get_idx(metrics, j);

			other = ikc_json_str(d, "name");
			if (!other || strlen(other) != len - 6 ||
			    strncmp(other, name, len - 6) != 0)
				continue;
			if (json_object_object_get_ex(m, "intValue", &v))
				total += json_object_get_int64(v);
			if (json_object_object_get_ex(d, "intValue", &v))
				done += json_object_get_int64(v);
		}
	}
	if (total <= 0)
		return -1;
	if (done > total)
		done = total;
	return (int)(done * 100 / total);
}

static const char *op_verb(const char *type)
{
	if (type && ikc_str_startswith(type, "CREATE_"))
		return "creating";
	if (type && ikc_str_startswith(type, "DELETE_"))
		return "deleting";
	return "updating";
}

/* "creating… (detail, 35%) 2m10s" */
static void op_report(ikc_provider_env *env, const char *address,
		      json_object *op, double started)
{
	const char *detail = ikc_json_str(op, "detail");
	int pct = op_percent(op);
	char elapsed[32], pcts[16] = "";
	char *text;

	if (!env->progress)
		return;
	ikc_duration_format(elapsed, ikc_time_monotonic() - started);
	if (pct >= 0)
		snprintf(pcts, sizeof(pcts), "%d%%", pct);
	if (detail && *detail && pct >= 0)
		text = ikc_asprintf("%s\u2026 (%s, %s) %s",
				    op_verb(ikc_json_str(op, "operationType")),
				    detail, pcts, elapsed);
	else if ((detail && *detail) || pct >= 0)
		text = ikc_asprintf("%s\u2026 (%s) %s",
				    op_verb(ikc_json_str(op, "operationType")),
				    pct >= 0 ? pcts : detail, elapsed);
	else
		text = ikc_asprintf("%s\u2026 %s",
				    op_verb(ikc_json_str(op, "operationType")),
				    elapsed);
	if (text)
		ikc_gke__progress(env, address, text);
	free(text);
}

/* The failure text of a DONE operation, or NULL when it succeeded. Borrowed. */
static const char *op_failure(json_object *op)
{
	const char *msg = ikc_json_str(op, "statusMessage");
	json_object *err;

	if (msg && *msg)
		return msg;
	if (json_object_object_get_ex(op, "error", &err) &&
	    json_object_is_type(err, json_type_object)) {
		msg = ikc_json_str(err, "message");
		return msg && *msg ? msg : "the operation ended in error";
	}
	return NULL;
}

int ikc_gke__op_wait(ikc_provider_env *env, const ikc_gke_id *id,
		     const char *name, double deadline)
{
	double poll = env->poll_interval > 0 ? env->poll_interval : 2.0;
	double started = ikc_time_monotonic();
	const char *bare, *status, *failure;
	json_object *op = NULL;
	char *url = NULL, waited[32];
	int rc = 0;

	bare = strrchr(name, '/');
	bare = bare ? bare + 1 : name;
	url = ikc_asprintf("%s/operations/%s", id->base, bare);
	if (!url)
		return ikc_error_oom();
	for (;;) {
		if (env->http && ikc_http_client_interrupted(env->http)) {
			rc = ikc_error_set_code(IKC_EINTERRUPTED,
						IKC_ERR_PROVIDER,
						"%s: interrupted while waiting "
						"for operation %s",
						id->address, bare);
			break;
		}
		json_object_put(op);
		rc = ikc_gke__get(&op, env, id, url);
		if (rc == IKC_ENOTFOUND) {
			/* GKE forgets old operations; the resource's own
			 * status still tells whether it is done. */
			ikc_log(IKC_LOG_DEBUG, "gke: %s: operation %s is "
				"unknown to the API; waiting on the resource "
				"instead", id->address, bare);
			ikc_error_clear();
			rc = 0;
			break;
		}
		if (rc < 0)
			break;
		status = ikc_json_str(op, "status");
		if (status && !strcmp(status, "DONE")) {
			failure = op_failure(op);
			if (failure)
				rc = ikc_error_set_code(
					IKC_EREMOTE, IKC_ERR_PROVIDER,
					"%s: operation %s (%s) failed: %s",
					id->address, bare,
					ikc_json_str(op, "operationType") ?
					ikc_json_str(op, "operationType") :
					"unknown type", failure);
			else
				ikc_log(IKC_LOG_DEBUG, "gke: %s: operation %s "
					"done", id->address, bare);
			break;
		}
		op_report(env, id->address, op, started);
		if (ikc_time_monotonic() + poll > deadline) {
			ikc_duration_format(waited,
					    ikc_time_monotonic() - started);
			rc = ikc_error_set_code(IKC_ETIMEOUT, IKC_ERR_PROVIDER,
						"%s: operation %s (%s) not done "
						"after %s (status %s)",
						id->address, bare,
						ikc_json_str(op, "operationType")
						? ikc_json_str(op,
							       "operationType")
						: "unknown type", waited,
						status ? status : "unknown");
			break;
		}
		ikc_gke__sleep(poll);
	}
	json_object_put(op);
	free(url);
	return rc;
}

int ikc_gke__status_wait(ikc_provider_env *env, const ikc_gke_id *id,
			 int deleting, double deadline)
{
	double poll = env->poll_interval > 0 ? env->poll_interval : 2.0;
	double started = ikc_time_monotonic();
	const char *status = NULL, *msg;
	json_object *obj = NULL;
	char elapsed[32], *text;
	int rc;

	for (;;) {
		if (env->http && ikc_http_client_interrupted(env->http)) {
			rc = ikc_error_set_code(IKC_EINTERRUPTED,
						IKC_ERR_PROVIDER,
						"%s: interrupted while waiting",
						id->address);
			break;
		}
		json_object_put(obj);
		rc = ikc_gke__get(&obj, env, id, id->url);
		if (deleting && rc == IKC_ENOTFOUND) {
			ikc_error_clear();
			rc = 0;
			break;
		}
		if (rc < 0)
			break;
		status = ikc_json_str(obj, "status");
		if (!deleting && status && !strcmp(status, "RUNNING"))
			break;
		if (!deleting && status &&
		    (!strcmp(status, "ERROR") || !strcmp(status, "DEGRADED") ||
		     !strcmp(status, "RUNNING_WITH_ERROR"))) {
			msg = ikc_json_str(obj, "statusMessage");
			rc = ikc_error_set_code(IKC_EREMOTE, IKC_ERR_PROVIDER,
						"%s: status %s%s%s", id->address,
						status, msg ? ": " : "",
						msg ? msg : "");
			break;
		}
		ikc_duration_format(elapsed, ikc_time_monotonic() - started);
		text = ikc_asprintf("%s\u2026 (status %s) %s",
				    deleting ? "deleting" : "waiting",
				    status ? status : "unknown", elapsed);
		if (text)
			ikc_gke__progress(env, id->address, text);
		free(text);
		if (ikc_time_monotonic() + poll > deadline) {
			rc = ikc_error_set_code(IKC_ETIMEOUT, IKC_ERR_PROVIDER,
						"%s: still %s after %s, waiting "
						"for %s", id->address,
						status ? status : "unknown",
						elapsed,
						deleting ? "it to be gone"
							 : "status RUNNING");
			break;
		}
		ikc_gke__sleep(poll);
	}
	json_object_put(obj);
	return rc;
}

/* Percent-encodes what a label value in a query must not hold raw. */
static char *query_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, j = 0;
	char *out = malloc(n * 3 + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.') {
			out[j++] = (char)c;
		} else {
			out[j++] = '%';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		}
	}
	out[j] = '\0';
	return out;
}

int ikc_gke__count_nodes(int *out, ikc_provider_env *env,
			 json_object *cluster, const char *pool)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	ikc_http_retry retry = { 2, 10, 0.2, 1, NULL, NULL };
	const char *endpoint = ikc_json_str(cluster, "endpoint");
	const char *ca_b64 = NULL;
	json_object *list = NULL, *items;
	char *ca = NULL, *server = NULL, *label = NULL, *url = NULL;
	size_t ca_len = 0;
	int rc;

	*out = 0;
	ca_b64 = ikc_json_str(ikc_json_path(cluster, "masterAuth"),
			      "clusterCaCertificate");
	if (!endpoint || !ca_b64)
		return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_PROVIDER,
					  "the cluster has no endpoint or CA "
					  "yet");
	if (!env->google || !env->http)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "no Google credentials");
	rc = ikc_kube_ca_from_base64(&ca, &ca_len, ca_b64);
	if (rc == 0)
		rc = ikc_kube_server_url(&server, endpoint);
	if (rc < 0)
		goto done;
	label = query_escape(pool);
	url = label ? ikc_asprintf("%s/api/v1/nodes?labelSelector="
				   "cloud.google.com%%2Fgke-nodepool%%3D%s",
				   server, label) : NULL;
	if (!url) {
		rc = ikc_error_oom();
		goto done;
	}
	req.url = url;
	req.ca_pem = ca;
	req.ca_pem_len = ca_len;
	req.token_fn = ikc_google_token_fn;
	req.token_ctx = env->google;
	req.timeout = 15;
	req.retry = &retry;
	rc = ikc_http_do(env->http, &req, &resp);
	if (rc < 0 || !ikc_http_response_ok(&resp)) {
		rc = ikc_http_response_error(&req, &resp);
		goto done;
	}
	rc = parse_body(&list, &req, &resp, "Node list");
	if (rc < 0)
		goto done;
	if (!json_object_object_get_ex(list, "items", &items) ||
	    !json_object_is_type(items, json_type_array)) {
		/* An empty list may come without items. */
		*out = 0;
	} else {
		*out = (int)json_object_array_length(items);
	}
done:
	json_object_put(list);
	ikc_http_response_dispose(&resp);
	free(url);
	free(label);
	free(server);
	free(ca);
	return rc;
}
