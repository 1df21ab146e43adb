/* http.c - the HTTP client: pooled curl multi handles, parallel transfers, retries, caps */
#include "http/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/clock.h"   /* for ikc_time_monotonic, ikc_random_bytes */
#include "util/fs.h"      /* for ikc_fs_read_file */
#include "util/log.h"     /* for ikc_log, ikc_redact_register */
#include "util/str.h"     /* for ikc_asprintf */

#define DEFAULT_PARALLELISM 16
#define DEFAULT_TIMEOUT 60.0
#define DEFAULT_CONNECT_TIMEOUT 15.0
#define DEFAULT_TRIES 5
#define DEFAULT_DEADLINE 120.0
#define DEFAULT_BASE_DELAY 0.25
#define DEFAULT_MAX_DELAY 20.0
#define HEADERS_MAX ((size_t)256 << 10)
#define CA_BUNDLE_MAX ((size_t)8 << 20)
#define POOL_EASY_MAX 64

/*
 * Connections live in curl multi handles.  A call checks out an idle multi
 * (the most recently used first, so its connections are warm), runs its
 * transfers on it and puts it back.  Concurrent calls therefore never share
 * a multi (curl handles are not thread-safe) yet sequential ones reuse the
 * same connections.  DNS answers and TLS sessions are shared by all handles
 * through a CURLSH guarded by mutexes.
 */
struct multi_slot {
	CURLM *multi;
	struct multi_slot *next;
};

struct ikc_http_client {
	int parallelism;
	double timeout;
	double connect_timeout;
	size_t max_body;
	char *user_agent;
	char *ca_blob;        /* system CAs + ca_bundle, or NULL */
	size_t ca_blob_len;
	char *ca_bundle_path; /* ca_bundle; the CA file unless ca_blob is set */

	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

	pthread_mutex_t lock; /* guards the fields below */
	struct multi_slot *idle;   /* LIFO of idle multis */
	struct multi_slot *active; /* multis in use, for interrupt wakeups */
	CURL *easy_pool[POOL_EASY_MAX];
	size_t neasy;
	ikc_http_stats stats;

	atomic_int interrupted;
};

enum xfer_state { X_PENDING, X_RUNNING, X_WAITING, X_DONE };

struct xfer {
	ikc_http_client *c;
	const ikc_http_request *req;
	ikc_http_response *resp;
	ikc_http_retry policy;
	const char *method;
	enum xfer_state state;
	CURL *easy;
	struct curl_slist *hdrs;
	double first_start;
	double attempt_start;
	double next_start;
	int too_large;
	int oom;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access a,
		       void *ud)
{
	ikc_http_client *c = ud;

	(void)h;
	(void)a;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	ikc_http_client *c = ud;

	(void)h;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&c->share_locks[data]);
}

/* libcurl's built-in CA file or folder (CURLINFO_CAINFO/CAPATH), or NULL. */
static char *system_ca(CURLINFO what)
{
	CURL *h = curl_easy_init();
	char *path = NULL;
	char *copy = NULL;

	if (!h)
		return NULL;
	if (curl_easy_getinfo(h, what, &path) == CURLE_OK && path)
		copy = strdup(path);
	curl_easy_cleanup(h);
	return copy;
}

/*
 * IKC_CA_BUNDLE adds CAs to the system's.  When libcurl has a CA folder
 * (Debian: /etc/ssl/certs, looked up lazily by hash) the bundle becomes the
 * CA file and the folder keeps the system CAs.  Otherwise one PEM blob of
 * both is built, which costs a parse of every system CA per connection.
 */
static int load_ca_bundle(ikc_http_client *c, const char *path)
{
	ikc_buf blob = IKC_BUF_INIT(CA_BUNDLE_MAX * 2);
	char *sys = NULL, *dir = NULL;
	size_t before;
	int error;

	c->ca_bundle_path = strdup(path);
	if (!c->ca_bundle_path) {
		error = ikc_error_oom();
		goto done;
	}
	dir = system_ca(CURLINFO_CAPATH);
	sys = dir ? NULL : system_ca(CURLINFO_CAINFO);
	if (sys && ikc_fs_read_file(&blob, sys, CA_BUNDLE_MAX) < 0)
		ikc_buf_clear(&blob);   /* no system CAs: the bundle alone */
	if (blob.len) {
		error = ikc_buf_puts(&blob, "\n");
		if (error < 0)
			goto done;
	}
	before = blob.len;
	error = ikc_fs_read_file(&blob, path, CA_BUNDLE_MAX);
	if (error < 0) {
		error = ikc_error_wrap(IKC_EINVALID, "CA bundle (IKC_CA_BUNDLE): ");
		goto done;
	}
	if (!strstr(blob.ptr + before, "-----BEGIN CERTIFICATE-----")) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_HTTP,
					   "CA bundle '%s' (IKC_CA_BUNDLE) holds "
					   "no PEM certificate", path);
		goto done;
	}
	if (!dir) {
		c->ca_blob_len = blob.len;
		c->ca_blob = ikc_buf_detach(&blob);
	}
done:
	free(sys);
	free(dir);
	ikc_buf_dispose(&blob);
	return error;
}

int ikc_http_client_new(ikc_http_client **out, const ikc_http_options *opts)
{
	ikc_http_options defaults = IKC_HTTP_OPTIONS_INIT;
	ikc_http_client *c = NULL;
	const char *bundle;
	int i, error = 0;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return ikc_error_set(IKC_ERR_HTTP, "cannot initialise libcurl: %s",
				     curl_easy_strerror(global_rc));
	if (opts->parallelism < 0 || opts->timeout < 0 ||
	    opts->connect_timeout < 0)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_HTTP,
					  "negative HTTP client option");
	c = calloc(1, sizeof(*c));
	if (!c)
		return ikc_error_oom();
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&c->share_locks[i], NULL);
	pthread_mutex_init(&c->lock, NULL);
	atomic_init(&c->interrupted, 0);
	c->parallelism = opts->parallelism ? opts->parallelism
					   : DEFAULT_PARALLELISM;
	c->timeout = opts->timeout > 0 ? opts->timeout : DEFAULT_TIMEOUT;
	c->connect_timeout = opts->connect_timeout > 0 ? opts->connect_timeout
						       : DEFAULT_CONNECT_TIMEOUT;
	c->max_body = opts->max_body ? opts->max_body : IKC_HTTP_BODY_MAX;
	c->user_agent = opts->user_agent ? strdup(opts->user_agent)
					 : strdup("ikc/" IKC_VERSION);
	if (!c->user_agent) {
		error = ikc_error_oom();
		goto done;
	}
	bundle = opts->ca_bundle ? opts->ca_bundle : getenv("IKC_CA_BUNDLE");
	if (bundle && *bundle) {
		error = load_ca_bundle(c, bundle);
		if (error < 0)
			goto done;
	}
	c->share = curl_share_init();
	if (!c->share) {
		error = ikc_error_oom();
		goto done;
	}
	if (curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock) ||
	    curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock) ||
	    curl_share_setopt(c->share, CURLSHOPT_USERDATA, c) ||
	    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) ||
	    curl_share_setopt(c->share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_SSL_SESSION)) {
		error = ikc_error_set(IKC_ERR_HTTP, "cannot set up curl share");
		goto done;
	}
	*out = c;
	c = NULL;
done:
	ikc_http_client_free(c);
	return error;
}

void ikc_http_client_free(ikc_http_client *c)
{
	struct multi_slot *s, *next;
	size_t i;
	int j;

	if (!c)
		return;
	for (s = c->idle; s; s = next) {
		next = s->next;
		curl_multi_cleanup(s->multi);
		free(s);
	}
	for (i = 0; i < c->neasy; i++)
		curl_easy_cleanup(c->easy_pool[i]);
	if (c->share)
		curl_share_cleanup(c->share);
	for (j = 0; j < CURL_LOCK_DATA_LAST; j++)
		pthread_mutex_destroy(&c->share_locks[j]);
	pthread_mutex_destroy(&c->lock);
	free(c->user_agent);
	free(c->ca_blob);
	free(c->ca_bundle_path);
	free(c);
}

void ikc_http_client_interrupt(ikc_http_client *c)
{
	struct multi_slot *s;

	atomic_store(&c->interrupted, 1);
	pthread_mutex_lock(&c->lock);
	for (s = c->active; s; s = s->next)
		(void)curl_multi_wakeup(s->multi);
	pthread_mutex_unlock(&c->lock);
}

int ikc_http_client_interrupted(ikc_http_client *c)
{
	return atomic_load(&c->interrupted);
}

void ikc_http_client_stats(ikc_http_client *c, ikc_http_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->lock);
}

/* ---- pools ---- */

static struct multi_slot *multi_checkout(ikc_http_client *c)
{
	struct multi_slot *s;

	pthread_mutex_lock(&c->lock);
	s = c->idle;
	if (s)
		c->idle = s->next;
	pthread_mutex_unlock(&c->lock);
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		s->multi = curl_multi_init();
		if (!s->multi) {
			free(s);
			return NULL;
		}
		/* Keep enough idle connections for a full batch. */
		(void)curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS,
					(long)c->parallelism + 4);
	}
	pthread_mutex_lock(&c->lock);
	s->next = c->active;
	c->active = s;
	pthread_mutex_unlock(&c->lock);
	return s;
}

static void multi_checkin(ikc_http_client *c, struct multi_slot *s)
{
	struct multi_slot **pp;

	pthread_mutex_lock(&c->lock);
	for (pp = &c->active; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->next = c->idle;
	c->idle = s;
	pthread_mutex_unlock(&c->lock);
}

static CURL *easy_checkout(ikc_http_client *c)
{
	CURL *h = NULL;

	pthread_mutex_lock(&c->lock);
	if (c->neasy)
		h = c->easy_pool[--c->neasy];
	pthread_mutex_unlock(&c->lock);
	if (!h)
		h = curl_easy_init();
	return h;
}

static void easy_checkin(ikc_http_client *c, CURL *h)
{
	if (!h)
		return;
	/* Drop pointers into the finished request (error buffer, headers,
	 * body) before the handle waits in the pool. */
	curl_easy_reset(h);
	pthread_mutex_lock(&c->lock);
	if (c->neasy < POOL_EASY_MAX) {
		c->easy_pool[c->neasy++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	if (h)
		curl_easy_cleanup(h);
}

/* ---- responses ---- */

void ikc_http_response_dispose(ikc_http_response *resp)
{
	ikc_http_response init = IKC_HTTP_RESPONSE_INIT;

	if (!resp)
		return;
	ikc_buf_dispose(&resp->body);
	ikc_buf_dispose(&resp->headers);
	free(resp->error_msg);
	*resp = init;
}

int ikc_http_response_ok(const ikc_http_response *resp)
{
	return resp->status >= 200 && resp->status < 300;
}

char *ikc_http_response_header(const ikc_http_response *resp,
			       const char *name)
{
	const char *p = resp->headers.ptr;
	size_t nlen = strlen(name);

	if (!p)
		return NULL;
	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);

		if ((size_t)(end - p) > nlen && p[nlen] == ':' &&
		    !strncasecmp(p, name, nlen)) {
			const char *v = p + nlen + 1;

			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == '\r' || end[-1] == ' ' ||
					   end[-1] == '\t'))
				end--;
			return strndup(v, (size_t)(end - v));
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return NULL;
}

/* ---- retry arithmetic ---- */

int ikc_http_retry_after_parse(double *out, const char *value, double now)
{
	const char *p;
	double secs = 0;
	time_t when;

	if (!value)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_HTTP,
					  "empty Retry-After");
	while (*value == ' ' || *value == '\t')
		value++;
	if (*value >= '0' && *value <= '9') {
		for (p = value; *p >= '0' && *p <= '9'; p++) {
			secs = secs * 10 + (*p - '0');
			if (secs > 86400.0 * 366)  /* absurd: stop growing */
				secs = 86400.0 * 366;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return ikc_error_set_code(IKC_EINVALID, IKC_ERR_HTTP,
						  "bad Retry-After '%s'", value);
		*out = secs;
		return 0;
	}
	when = curl_getdate(value, NULL);
	if (when == (time_t)-1)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_HTTP,
					  "bad Retry-After '%s'", value);
	secs = (double)when - now;
	*out = secs > 0 ? secs : 0;
	return 0;
}

static void policy_resolve(ikc_http_retry *out, const ikc_http_retry *in)
{
	ikc_http_retry p = { 0, 0, 0, 0, NULL, NULL };

	if (in)
		p = *in;
	if (p.max_tries <= 0)
		p.max_tries = DEFAULT_TRIES;
	if (p.deadline <= 0)
		p.deadline = DEFAULT_DEADLINE;
	if (p.base_delay <= 0)
		p.base_delay = DEFAULT_BASE_DELAY;
	if (p.max_delay <= 0)
		p.max_delay = DEFAULT_MAX_DELAY;
	if (p.max_delay < p.base_delay)
		p.max_delay = p.base_delay;
	*out = p;
}

double ikc_http_backoff(const ikc_http_retry *policy, int attempt, double rnd)
{
	ikc_http_retry p;
	double cap;
	int i;

	policy_resolve(&p, policy);
	cap = p.base_delay;
	for (i = 1; i < attempt && cap < p.max_delay; i++)
		cap *= 2;
	if (cap > p.max_delay)
		cap = p.max_delay;
	if (rnd < 0)
		rnd = 0;
	if (rnd >= 1)
		rnd = 0.999999;
	return cap / 2 + rnd * (cap / 2);
}

static double random_unit(void)
{
	uint32_t r = 0;

	if (ikc_random_bytes(&r, sizeof(r)) < 0)
		r = (uint32_t)(ikc_time_monotonic() * 1e6);
	return (double)r / 4294967296.0;
}

/* ---- transfers ---- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * nmemb;

	if (len > x->c->max_body - x->resp->body.len) {
		x->too_large = 1;
		return 0;   /* makes curl stop with CURLE_WRITE_ERROR */
	}
	if (ikc_buf_put(&x->resp->body, ptr, len) < 0) {
		x->oom = 1;
		return 0;
	}
	return len;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * nmemb;

	/* A new status line starts a new response (after 100 Continue). */
	if (len >= 5 && !memcmp(ptr, "HTTP/", 5))
		ikc_buf_clear(&x->resp->headers);
	if (ikc_buf_put(&x->resp->headers, ptr, len) < 0) {
		x->too_large = 1;
		return 0;
	}
	return len;
}

static void stats_add(ikc_http_client *c, int requests, int attempts,
		      int retries, long connects)
{
	pthread_mutex_lock(&c->lock);
	c->stats.requests += (unsigned long)requests;
	c->stats.attempts += (unsigned long)attempts;
	c->stats.retries += (unsigned long)retries;
	if (connects > 0)
		c->stats.connects += (unsigned long)connects;
	pthread_mutex_unlock(&c->lock);
}

/* Ends a request with `error` and a message naming it. */
static void xfer_fail(struct xfer *x, int error, const char *fmt, ...)
	IKC_PRINTF(3, 4);

static void xfer_fail(struct xfer *x, int error, const char *fmt, ...)
{
	ikc_buf msg = IKC_BUF_INIT(0);
	va_list ap;

	x->state = X_DONE;
	x->resp->error = error;
	if (ikc_buf_printf(&msg, "%s %s: ", x->method,
			   x->req->url ? x->req->url : "(no URL)") == 0) {
		va_start(ap, fmt);
		(void)ikc_buf_vprintf(&msg, fmt, ap);
		va_end(ap);
	}
	free(x->resp->error_msg);
	x->resp->error_msg = msg.ptr ? ikc_buf_detach(&msg) : NULL;
	ikc_buf_dispose(&msg);
	if (x->first_start > 0)
		x->resp->elapsed = ikc_time_monotonic() - x->first_start;
	stats_add(x->c, 1, 0, 0, 0);
}

/* Builds the header list for one attempt; the token is fetched here. */
static int build_headers(struct xfer *x, char **errmsg)
{
	const ikc_http_request *r = x->req;
	struct curl_slist *l = NULL, *t;
	const char *const *h;
	char *line = NULL, *token = NULL;
	int error = 0;

	for (h = r->headers; h && *h; h++) {
		t = curl_slist_append(l, *h);
		if (!t)
			goto oom;
		l = t;
	}
	if (r->body) {
		line = ikc_asprintf("Content-Type: %s", r->content_type ?
				    r->content_type : "application/json");
		if (!line)
			goto oom;
		t = curl_slist_append(l, line);
		if (!t)
			goto oom;
		l = t;
		free(line);
		line = NULL;
	}
	/* Our APIs never need 100-continue; it only costs a round trip. */
	t = curl_slist_append(l, "Expect:");
	if (!t)
		goto oom;
	l = t;
	if (r->token_fn) {
		error = r->token_fn(r->token_ctx, x->c, &token);
		if (error < 0) {
			*errmsg = strdup(ikc_error_last());
			goto done;
		}
		if (!token || !*token) {
			error = ikc_error_set(IKC_ERR_AUTH, "empty bearer token");
			*errmsg = strdup(ikc_error_last());
			goto done;
		}
		ikc_redact_register(token);
		line = ikc_asprintf("Authorization: Bearer %s", token);
		if (!line)
			goto oom;
		t = curl_slist_append(l, line);
		if (!t)
			goto oom;
		l = t;
	}
	curl_slist_free_all(x->hdrs);
	x->hdrs = l;
	l = NULL;
	goto done;
oom:
	error = ikc_error_oom();
	*errmsg = strdup("out of memory");
done:
	if (line) {
		/* The line holds the token: wipe before freeing. */
		memset(line, 0, strlen(line));
		free(line);
	}
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	curl_slist_free_all(l);
	return error;
}

static int setup_easy(struct xfer *x, CURL *h)
{
	const ikc_http_request *r = x->req;
	ikc_http_client *c = x->c;
	double timeout = r->timeout > 0 ? r->timeout : c->timeout;
	struct curl_blob blob;
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (!rc) rc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, r->url);
	SET(CURLOPT_PROTOCOLS_STR, "https,http");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_SHARE, c->share);
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_HTTPHEADER, x->hdrs);
	SET(CURLOPT_USERAGENT, c->user_agent);
	SET(CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)(c->connect_timeout * 1000));
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_body);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (r->ca_pem) {
		/* A cluster's own CA, trusted instead of the system store. */
		blob.data = (void *)r->ca_pem;
		blob.len = r->ca_pem_len ? r->ca_pem_len : strlen(r->ca_pem);
		blob.flags = CURL_BLOB_COPY;
		SET(CURLOPT_CAINFO_BLOB, &blob);
		SET(CURLOPT_CAPATH, (char *)NULL);
	} else if (c->ca_blob) {
		blob.data = c->ca_blob;
		blob.len = c->ca_blob_len;
		blob.flags = CURL_BLOB_NOCOPY;
		SET(CURLOPT_CAINFO_BLOB, &blob);
	} else if (c->ca_bundle_path) {
		SET(CURLOPT_CAINFO, c->ca_bundle_path);
	}
	if (!strcmp(x->method, "GET")) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(x->method, "HEAD")) {
		SET(CURLOPT_NOBODY, 1L);
	} else {
		if (r->body || !strcmp(x->method, "POST")) {
			SET(CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)(r->body ? r->body_len : 0));
			SET(CURLOPT_POSTFIELDS, r->body ? r->body : "");
		}
		if (strcmp(x->method, "POST"))
			SET(CURLOPT_CUSTOMREQUEST, x->method);
	}
#undef SET
	if (rc)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_HTTP,
					  "cannot set up request: %s",
					  curl_easy_strerror(rc));
	return 0;
}

/* Starts one attempt on `multi`.  On failure the request is finished. */
static void xfer_start(struct xfer *x, CURLM *multi)
{
	char *errmsg = NULL;
	CURLMcode mrc;
	double now = ikc_time_monotonic();
	int error;

	if (x->resp->attempts == 0)
		x->first_start = now;
	x->attempt_start = now;
	x->too_large = 0;
	x->oom = 0;
	x->errbuf[0] = '\0';
	x->resp->status = 0;
	ikc_buf_clear(&x->resp->body);
	ikc_buf_clear(&x->resp->headers);
	error = build_headers(x, &errmsg);
	if (error < 0) {
		xfer_fail(x, error, "%s",
			  errmsg ? errmsg : "cannot build headers");
		free(errmsg);
		return;
	}
	x->easy = easy_checkout(x->c);
	if (!x->easy) {
		xfer_fail(x, IKC_ERROR, "out of memory");
		return;
	}
	if (setup_easy(x, x->easy) < 0) {
		xfer_fail(x, IKC_EINVALID, "%s", ikc_error_last());
		easy_checkin(x->c, x->easy);
		x->easy = NULL;
		return;
	}
	mrc = curl_multi_add_handle(multi, x->easy);
	if (mrc != CURLM_OK) {
		xfer_fail(x, IKC_ERROR, "%s", curl_multi_strerror(mrc));
		easy_checkin(x->c, x->easy);
		x->easy = NULL;
		return;
	}
	x->resp->attempts++;
	x->state = X_RUNNING;
}

static int transport_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int status_retryable(long status)
{
	return status == 429 || status == 500 || status == 502 ||
	       status == 503;
}

/* Handles a finished attempt: done, or waiting for a retry. */
static void xfer_finish_attempt(struct xfer *x, CURLM *multi, CURLcode rc)
{
	ikc_http_response *resp = x->resp;
	double now = ikc_time_monotonic();
	long ms = (long)((now - x->attempt_start) * 1000 + 0.5);
	long connects = 0, status = 0;
	int error = 0, verdict, retry;
	const char *why = NULL;
	char *ra;
	double delay, ra_secs;
	char hint[CURL_ERROR_SIZE + 128];

	(void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	(void)curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &connects);
	(void)curl_multi_remove_handle(multi, x->easy);
	easy_checkin(x->c, x->easy);
	x->easy = NULL;
	stats_add(x->c, 0, 1, resp->attempts > 1, connects);

	if (rc == CURLE_OK) {
		resp->status = status;
		ikc_log(IKC_LOG_DEBUG, "http: %s %s -> %ld (%ld ms)%s",
			x->method, x->req->url, status, ms,
			resp->attempts > 1 ? " [retry]" : "");
	} else {
		resp->status = 0;
		if (x->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
			error = IKC_ELIMIT;
			why = "response is larger than the limit";
		} else if (x->oom) {
			error = IKC_ERROR;
			why = "out of memory";
		} else if (rc == CURLE_OPERATION_TIMEDOUT) {
			error = IKC_ETIMEOUT;
		} else {
			error = IKC_ERROR;
		}
		if (!why && rc == CURLE_PEER_FAILED_VERIFICATION &&
		    !x->req->ca_pem) {
			snprintf(hint, sizeof(hint), "%s (the server's TLS "
				 "certificate is not trusted; IKC_CA_BUNDLE "
				 "adds CA certificates)", x->errbuf[0] ?
				 x->errbuf : curl_easy_strerror(rc));
			why = hint;
		}
		if (!why)
			why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
		ikc_log(IKC_LOG_DEBUG, "http: %s %s -> error: %s (%ld ms)",
			x->method, x->req->url, why, ms);
	}

	/* Decide whether to go again. */
	retry = 0;
	if (error != IKC_ELIMIT && !x->oom &&
	    (x->req->uninterruptible || !atomic_load(&x->c->interrupted)) &&
	    resp->attempts < x->policy.max_tries) {
		resp->error = error;
		verdict = x->policy.retry_if ?
			x->policy.retry_if(x->policy.retry_ctx, resp) :
			IKC_HTTP_RETRY_DEFAULT;
		resp->error = 0;
		if (verdict == IKC_HTTP_RETRY_DEFAULT)
			retry = rc == CURLE_OK ? status_retryable(status)
					       : transport_retryable(rc);
		else
			retry = verdict == IKC_HTTP_RETRY_YES;
	}
	if (retry) {
		delay = ikc_http_backoff(&x->policy, resp->attempts,
					 random_unit());
		ra = rc == CURLE_OK ? ikc_http_response_header(resp,
							       "Retry-After")
				    : NULL;
		if (ra && ikc_http_retry_after_parse(&ra_secs, ra, ikc_time_now())
			  == 0 && ra_secs > delay)
			delay = ra_secs;
		free(ra);
		if (now + delay > x->first_start + x->policy.deadline) {
			ikc_log(IKC_LOG_DEBUG, "http: %s %s: no retry, the "
				"%.0f s deadline would pass", x->method,
				x->req->url, x->policy.deadline);
		} else {
			ikc_log(IKC_LOG_DEBUG, "http: %s %s: retrying in "
				"%.2f s (attempt %d of %d)", x->method,
				x->req->url, delay, resp->attempts + 1,
				x->policy.max_tries);
			x->state = X_WAITING;
			x->next_start = now + delay;
			return;
		}
	}
	if (error < 0) {
		if (error == IKC_ELIMIT)
			xfer_fail(x, error, "%s (%zu bytes)", why,
				  x->c->max_body);
		else if (resp->attempts > 1)
			xfer_fail(x, error, "%s (after %d attempts)", why,
				  resp->attempts);
		else
			xfer_fail(x, error, "%s", why);
		ikc_buf_clear(&resp->body);
		return;
	}
	x->state = X_DONE;
	resp->elapsed = now - x->first_start;
	stats_add(x->c, 1, 0, 0, 0);
}

static int validate(const ikc_http_request *r)
{
	if (!r->url || (!ikc_str_startswith(r->url, "https://") &&
			!ikc_str_startswith(r->url, "http://")))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_HTTP,
					  "bad URL '%s': want https://...",
					  r->url ? r->url : "(null)");
	if (r->body && !r->body_len && strlen(r->body))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_HTTP,
					  "%s: body given without body_len",
					  r->url);
	return 0;
}

int ikc_http_do_many(ikc_http_client *c, const ikc_http_request *reqs,
		     ikc_http_response *resps, size_t n)
{
	struct xfer *xs = NULL;
	struct multi_slot *slot = NULL;
	size_t i, done, running;
	int error = 0, still, msgs, finished;
	double now, wait_until;
	CURLMsg *msg;

	if (n == 0)
		return 0;
	xs = calloc(n, sizeof(*xs));
	if (!xs)
		return ikc_error_oom();
	for (i = 0; i < n; i++) {
		struct xfer *x = &xs[i];
		ikc_http_response_dispose(&resps[i]);
		resps[i].body.max = c->max_body;
		resps[i].headers.max = HEADERS_MAX;
		x->c = c;
		x->req = &reqs[i];
		x->resp = &resps[i];
		x->method = reqs[i].method ? reqs[i].method : "GET";
		policy_resolve(&x->policy, reqs[i].retry);
		x->state = X_PENDING;
		if (validate(&reqs[i]) < 0)
			xfer_fail(x, IKC_EINVALID, "%s", ikc_error_last());
	}
	slot = multi_checkout(c);
	if (!slot) {
		for (i = 0; i < n; i++)
			if (xs[i].state != X_DONE)
				xfer_fail(&xs[i], IKC_ERROR, "out of memory");
		goto finish;
	}

	for (;;) {
		int interrupted = atomic_load(&c->interrupted);

		now = ikc_time_monotonic();
		running = done = 0;
		wait_until = 0;
		for (i = 0; i < n; i++) {
			struct xfer *x = &xs[i];

			if (x->state == X_RUNNING)
				running++;
		}
		for (i = 0; i < n; i++) {
			struct xfer *x = &xs[i];

			if (x->state == X_PENDING || x->state == X_WAITING) {
				if (interrupted && !x->req->uninterruptible) {
					xfer_fail(x, IKC_EINTERRUPTED,
						  "interrupted before it %s",
						  x->state == X_PENDING ?
						  "started" : "could be retried");
				} else if (running < (size_t)c->parallelism &&
					   (x->state == X_PENDING ||
					    x->next_start <= now)) {
					xfer_start(x, slot->multi);
					if (x->state == X_RUNNING)
						running++;
				} else if (x->state == X_WAITING &&
					   (!wait_until ||
					    x->next_start < wait_until)) {
					wait_until = x->next_start;
				}
			}
			if (x->state == X_DONE)
				done++;
		}
		if (done == n)
			break;
		if (curl_multi_perform(slot->multi, &still) != CURLM_OK)
			still = 0;
		finished = 0;
		for (;;) {
			char *priv = NULL;

			msg = curl_multi_info_read(slot->multi, &msgs);
			if (!msg)
				break;
			if (msg->msg != CURLMSG_DONE)
				continue;
			(void)curl_easy_getinfo(msg->easy_handle,
						CURLINFO_PRIVATE, &priv);
			xfer_finish_attempt((struct xfer *)priv, slot->multi,
					    msg->data.result);
			finished++;
		}
		/* A slot came free: start the next request at once. */
		if (!finished) {
			int ms = 1000;

			if (wait_until > 0) {
				double left = wait_until - ikc_time_monotonic();

				ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
				if (ms > 1000)
					ms = 1000;
			}
			if (running || wait_until > 0)
				(void)curl_multi_poll(slot->multi, NULL, 0, ms,
						      NULL);
		}
	}

finish:
	for (i = 0; i < n; i++) {
		curl_slist_free_all(xs[i].hdrs);
		if (!error && resps[i].error < 0) {
			error = resps[i].error;
			ikc_error_set_code(error, IKC_ERR_HTTP, "%s",
					   resps[i].error_msg ?
					   resps[i].error_msg : "request failed");
		}
	}
	if (slot)
		multi_checkin(c, slot);
	free(xs);
	return error;
}

int ikc_http_do(ikc_http_client *c, const ikc_http_request *req,
		ikc_http_response *resp)
{
	return ikc_http_do_many(c, req, resp, 1);
}
