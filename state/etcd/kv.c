/* kv.c - etcd v3 JSON gateway calls: endpoint failover, auth token, base64 */
#include "state/etcd/kv.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>     /* for EVP_EncodeBlock / EVP_DecodeBlock */

#include "http/http.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#define ETCD_ROUNDS 3               /* passes over every endpoint */
#define ETCD_ROUND_PAUSE 0.5        /* seconds between passes, times the pass */
#define ETCD_TIMEOUT 15.0
#define ETCD_MAX_ENDPOINTS 16

struct ikc_etcd {
	ikc_http_client *http;
	char *hosts;
	char *urls[ETCD_MAX_ENDPOINTS];  /* "http://h:p" */
	size_t n;
	pthread_mutex_t mu;              /* guards current, token, token_idx */
	size_t current;                  /* the endpoint that answered last */
	char *user;                      /* ETCD_USERNAME or NULL */
	char *password;
	char *token;                     /* auth token of endpoint token_idx */
	size_t token_idx;
};

const char *ikc_etcd_hosts(const ikc_etcd *e)
{
	return e->hosts;
}

json_object *ikc_etcd_b64(const void *data, size_t len)
{
	json_object *s;
	char *text;

	if (len > ((size_t)1 << 30))
		return NULL;
	text = malloc(4 * ((len + 2) / 3) + 1);
	if (!text)
		return NULL;
	EVP_EncodeBlock((unsigned char *)text, data, (int)len);
	s = json_object_new_string(text);
	free(text);
	return s;
}

json_object *ikc_etcd_b64s(const char *s)
{
	return ikc_etcd_b64(s, strlen(s));
}

int ikc_etcd_unb64(ikc_buf *out, const char *text)
{
	size_t len = strlen(text), pad = 0;
	unsigned char *bin;
	int n, error;

	if (len % 4 != 0 || len > ((size_t)1 << 30))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"etcd sent a value that is not base64 (%zu characters)", len);
	if (len == 0)
		return ikc_buf_put(out, "", 0);
	bin = malloc(len / 4 * 3 + 1);
	if (!bin)
		return ikc_error_oom();
	n = EVP_DecodeBlock(bin, (const unsigned char *)text, (int)len);
	if (n < 0) {
		free(bin);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "etcd sent a value that is not base64");
	}
	if (text[len - 1] == '=')
		pad++;
	if (text[len - 2] == '=')
		pad++;
	error = ikc_buf_put(out, bin, (size_t)n - pad);
	free(bin);
	return error;
}

char *ikc_etcd_prefix_end(const char *prefix)
{
	char *end = strdup(prefix);
	size_t i = strlen(prefix);

	if (!end)
		return NULL;
	while (i > 0) {
		unsigned char c = (unsigned char)end[i - 1];

		if (c < 0xff) {
			end[i - 1] = (char)(c + 1);
			end[i] = '\0';
			return end;
		}
		i--;
	}
	/* Only 0xff bytes: the range runs to the end of the key space. */
	end[0] = '\0';
	return end;
}

long long ikc_etcd_int(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !v)
		return 0;
	if (json_object_is_type(v, json_type_string))
		return strtoll(json_object_get_string(v), NULL, 10);
	return (long long)json_object_get_int64(v);
}

static void nap(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void ikc_etcd_free(ikc_etcd *e)
{
	size_t i;

	if (!e)
		return;
	ikc_http_client_free(e->http);
	for (i = 0; i < e->n; i++)
		free(e->urls[i]);
	free(e->hosts);
	free(e->user);
	free(e->password);
	free(e->token);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

int ikc_etcd_new(ikc_etcd **out, const char *hosts, int tls)
{
	ikc_http_options opts = IKC_HTTP_OPTIONS_INIT;
	const char *p, *user, *password;
	ikc_etcd *e;
	int error;

	*out = NULL;
	if (!hosts || !*hosts)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"the etcd state URL names no endpoint (etcd://HOST:PORT/PREFIX)");
	e = calloc(1, sizeof(*e));
	if (!e)
		return ikc_error_oom();
	if (pthread_mutex_init(&e->mu, NULL) != 0) {
		free(e);
		return ikc_error_set(IKC_ERR_OS, "cannot make a mutex");
	}
	e->hosts = strdup(hosts);
	if (!e->hosts) {
		error = ikc_error_oom();
		goto fail;
	}
	for (p = hosts; ; ) {
		size_t len = strcspn(p, ",");
		const char *colon = NULL;
		size_t i;

		for (i = 0; i < len; i++)
			if (p[i] == ':')
				colon = p + i;
		if (len == 0 || !colon || colon == p || colon + 1 == p + len ||
		    strspn(colon + 1, "0123456789") != (size_t)(p + len - colon - 1)) {
			error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
				"etcd endpoint '%.*s' in '%s' is not HOST:PORT",
				(int)len, p, hosts);
			goto fail;
		}
		if (e->n == ETCD_MAX_ENDPOINTS) {
			error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
				"more than %d etcd endpoints in '%s'",
				ETCD_MAX_ENDPOINTS, hosts);
			goto fail;
		}
		e->urls[e->n] = ikc_asprintf("%s://%.*s", tls ? "https" : "http",
					     (int)len, p);
		if (!e->urls[e->n]) {
			error = ikc_error_oom();
			goto fail;
		}
		e->n++;
		if (!p[len])
			break;
		p += len + 1;
	}
	user = getenv("ETCD_USERNAME");
	password = getenv("ETCD_PASSWORD");
	if (user && *user) {
		e->user = strdup(user);
		e->password = strdup(password ? password : "");
		if (!e->user || !e->password) {
			error = ikc_error_oom();
			goto fail;
		}
		if (*e->password)
			ikc_redact_register(e->password);
	}
	opts.timeout = ETCD_TIMEOUT;
	opts.connect_timeout = 3;
	error = ikc_http_client_new(&e->http, &opts);
	if (error < 0)
		goto fail;
	*out = e;
	return 0;
fail:
	ikc_etcd_free(e);
	return error;
}

/* The etcd error text of a failed call: {"error", "message", "code"}. */
static int remote_error(ikc_etcd *e, size_t idx, const char *rpc,
			const ikc_http_response *resp)
{
	json_object *doc = NULL;
	const char *msg = NULL;
	int error;

	if (ikc_json_parse(&doc, resp->body.ptr ? resp->body.ptr : "",
			   resp->body.len, NULL) == 0)
		msg = ikc_json_str(doc, "message");
	if (!msg)
		msg = ikc_json_str(doc, "error");
	if (!msg)
		msg = resp->body.ptr ? resp->body.ptr : "";
	error = ikc_error_set_code(IKC_EREMOTE, IKC_ERR_STATE,
		"etcd at %s refused %s: HTTP %ld: %.300s%s", e->urls[idx], rpc,
		resp->status, msg,
		!e->user && strstr(msg, "user name is empty")
			? " (this etcd needs a login: set ETCD_USERNAME and "
			  "ETCD_PASSWORD)" : "");
	json_object_put(doc);
	return error;
}

/* One POST to one endpoint; 0 when a response arrived. */
static int post_one(ikc_etcd *e, size_t idx, const char *rpc, const char *body,
		    const char *token, double timeout, ikc_http_response *resp)
{
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_retry retry = { 2, 10, 0.1, 0.5, NULL, NULL };
	const char *headers[2] = { NULL, NULL };
	char *url = ikc_asprintf("%s/v3/%s", e->urls[idx], rpc);
	char *auth = NULL;
	int error;

	if (!url)
		return ikc_error_oom();
	if (token) {
		auth = ikc_asprintf("Authorization: %s", token);
		if (!auth) {
			free(url);
			return ikc_error_oom();
		}
		headers[0] = auth;
	}
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = strlen(body);
	req.timeout = timeout;
	req.retry = &retry;
	req.uninterruptible = 1;   /* state writes and unlocks must finish */
	error = ikc_http_do(e->http, &req, resp);
	free(auth);
	free(url);
	return error;
}

static int status_unavailable(long status)
{
	return status == 502 || status == 503 || status == 504;
}

/* Authenticates at endpoint idx; *token_out owned.  0, or < 0 (as post_one). */
static int authenticate(ikc_etcd *e, size_t idx, char **token_out,
			int *transport)
{
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	json_object *body = json_object_new_object(), *doc = NULL;
	const char *token;
	int error;

	*token_out = NULL;
	*transport = 0;
	if (!body)
		return ikc_error_oom();
	if (ikc_json_add(body, "name", json_object_new_string(e->user)) < 0 ||
	    ikc_json_add(body, "password", json_object_new_string(e->password)) < 0) {
		json_object_put(body);
		return ikc_error_oom();
	}
	error = post_one(e, idx, "auth/authenticate",
			 json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN),
			 NULL, 10, &resp);
	json_object_put(body);
	if (error < 0 || status_unavailable(resp.status)) {
		*transport = 1;
		if (error == 0)
			error = remote_error(e, idx, "auth/authenticate", &resp);
		goto done;
	}
	if (!ikc_http_response_ok(&resp)) {
		error = remote_error(e, idx, "auth/authenticate", &resp);
		(void)ikc_error_wrap(error, "etcd user '%s' could not log in "
				     "(ETCD_USERNAME / ETCD_PASSWORD): ", e->user);
		goto done;
	}
	error = ikc_json_parse(&doc, resp.body.ptr, resp.body.len,
			       "etcd auth/authenticate answer");
	if (error < 0)
		goto done;
	token = ikc_json_str(doc, "token");
	if (!token || !*token) {
		error = ikc_error_set_code(IKC_EREMOTE, IKC_ERR_STATE,
			"etcd at %s gave no auth token", e->urls[idx]);
		goto done;
	}
	*token_out = strdup(token);
	if (!*token_out)
		error = ikc_error_oom();
	else
		ikc_redact_register(*token_out);
done:
	json_object_put(doc);
	ikc_http_response_dispose(&resp);
	return error;
}

/* The token to use at endpoint idx (owned copy, NULL without auth). */
static int token_for(ikc_etcd *e, size_t idx, int renew, char **out,
		     int *transport)
{
	char *fresh = NULL;
	int error;

	*out = NULL;
	*transport = 0;
	if (!e->user)
		return 0;
	pthread_mutex_lock(&e->mu);
	if (e->token && e->token_idx == idx && !renew)
		*out = strdup(e->token);
	pthread_mutex_unlock(&e->mu);
	if (*out)
		return 0;
	error = authenticate(e, idx, &fresh, transport);
	if (error < 0)
		return error;
	pthread_mutex_lock(&e->mu);
	free(e->token);
	e->token = fresh;
	e->token_idx = idx;
	*out = strdup(fresh);
	pthread_mutex_unlock(&e->mu);
	return *out ? 0 : ikc_error_oom();
}

static int token_rejected(const ikc_http_response *resp)
{
	return resp->status == 401 ||
	       (resp->body.ptr && strstr(resp->body.ptr, "invalid auth token"));
}

int ikc_etcd_call(ikc_etcd *e, const char *rpc, json_object *body,
		  json_object **out, double timeout, int *unreachable)
{
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	const char *text = json_object_to_json_string_ext(body,
						JSON_C_TO_STRING_PLAIN);
	char *last = NULL, *what = NULL;
	size_t start, k;
	int round, error = 0, transport;

	*out = NULL;
	if (unreachable)
		*unreachable = 0;
	if (!text)
		return ikc_error_oom();
	if (timeout <= 0)
		timeout = ETCD_TIMEOUT;
	pthread_mutex_lock(&e->mu);
	start = e->current;
	pthread_mutex_unlock(&e->mu);
	for (round = 0; round < ETCD_ROUNDS; round++) {
		if (round > 0)
			nap(ETCD_ROUND_PAUSE * round);
		for (k = 0; k < e->n; k++) {
			size_t idx = (start + k) % e->n;
			char *token = NULL;
			int renewed = 0;

again:
			error = token_for(e, idx, renewed, &token, &transport);
			if (error < 0 && !transport)
				goto done;
			if (error == 0)
				error = post_one(e, idx, rpc, text, token, timeout,
						 &resp);
			free(token);
			token = NULL;
			if (error == IKC_EINTERRUPTED)
				goto done;
			if (error == 0 && status_unavailable(resp.status))
				error = remote_error(e, idx, rpc, &resp);
			else if (error == 0 && e->user && !renewed &&
				 token_rejected(&resp)) {
				renewed = 1;
				goto again;
			}
			if (error < 0) {
				/* This endpoint is down: remember why, try the next. */
				free(last);
				last = strdup(ikc_error_last());
				ikc_log(IKC_LOG_DEBUG, "etcd: %s did not answer: %s",
					e->urls[idx], last ? last : "");
				continue;
			}
			pthread_mutex_lock(&e->mu);
			e->current = idx;
			pthread_mutex_unlock(&e->mu);
			if (!ikc_http_response_ok(&resp)) {
				error = remote_error(e, idx, rpc, &resp);
				goto done;
			}
			what = ikc_asprintf("etcd %s answer from %s", rpc,
					    e->urls[idx]);
			error = ikc_json_parse(out, resp.body.ptr, resp.body.len,
					       what ? what : "etcd answer");
			goto done;
		}
	}
	if (unreachable)
		*unreachable = 1;
	error = ikc_error_set_code(IKC_ETIMEOUT, IKC_ERR_STATE,
		"etcd is unreachable: no endpoint of %s answered %s after %d "
		"rounds (last error: %s)", e->hosts, rpc, ETCD_ROUNDS,
		last ? last : "none");
done:
	free(what);
	free(last);
	ikc_http_response_dispose(&resp);
	return error;
}
