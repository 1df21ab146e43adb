#ifndef IKC_HTTP_HTTP_H
#define IKC_HTTP_HTTP_H

/*
 * ikc's HTTP client: the only user of libcurl.
 *
 * One ikc_http_client is shared by the whole program.  It keeps a pool of
 * connections (shared between every call and every thread, so a second call
 * to the same host reuses the TLS connection of the first), verifies TLS
 * always, retries transient failures with jittered exponential backoff
 * (honouring Retry-After), caps response sizes and logs every attempt at
 * debug level ("http: GET https://... -> 200 (12 ms)") with secrets redacted.
 *
 * A call returns 0 when an HTTP response arrived, whatever its status: the
 * caller decides what a 404 means.  ikc_http_response_error() turns a
 * non-2xx answer into an error message that names the call and quotes what
 * the server said.  A negative code means no usable response: transport
 * failure after all retries, size cap, timeout, interruption.
 *
 * Thread safety: every function taking a client may be called from several
 * threads at once.  Requests and responses belong to the calling thread.
 */

#include <stddef.h>      /* for size_t */
#include "util/buf.h"    /* for ikc_buf, IKC_HTTP_BODY_MAX */
#include "util/errors.h" /* for IKC_E* codes */

typedef struct ikc_http_client ikc_http_client;
typedef struct ikc_http_response ikc_http_response;

/** Client settings; zero fields take the documented defaults. */
typedef struct ikc_http_options {
	int parallelism;        /* transfers in flight per batch call; 0 -> 16 */
	double timeout;         /* seconds per attempt; 0 -> 60 */
	double connect_timeout; /* seconds to connect + TLS handshake; 0 -> 15 */
	/* PEM file of extra trusted CAs, added to the system's; NULL -> the
	 * IKC_CA_BUNDLE environment variable (unset: system CAs only). */
	const char *ca_bundle;
	size_t max_body;        /* response body cap; 0 -> IKC_HTTP_BODY_MAX */
	const char *user_agent; /* NULL -> "ikc/VERSION" */
} ikc_http_options;

#define IKC_HTTP_OPTIONS_INIT { 0, 0, 0, NULL, 0, NULL }

/** What a retry hook answers. */
enum {
	IKC_HTTP_RETRY_DEFAULT = -1, /* let the client decide */
	IKC_HTTP_RETRY_NO = 0,
	IKC_HTTP_RETRY_YES = 1
};

/**
 * Retry hook: sees each finished attempt (resp->status is 0 and resp->error
 * negative when the transport failed) and answers IKC_HTTP_RETRY_*.  The
 * default retries 429, 500, 502, 503 and dropped/refused/timed-out
 * connections.  GKE providers use it to retry 400 FAILED_PRECONDITION.
 * Called on the thread that made the call.  The defaults apply to every
 * method: a POST whose connection dropped may have been carried out, so a
 * caller that cannot tolerate a repeat sets max_tries = 1 or a hook.
 */
typedef int (*ikc_http_retry_fn)(void *ctx, const ikc_http_response *resp);

/** When and how often to try again. Zero fields take the defaults. */
typedef struct ikc_http_retry {
	int max_tries;       /* attempts in all; 0 -> 5; 1 -> never retry */
	double deadline;     /* no attempt starts later than this many seconds
				after the first one; 0 -> 120 */
	double base_delay;   /* first backoff; 0 -> 0.25 s */
	double max_delay;    /* backoff ceiling; 0 -> 20 s */
	ikc_http_retry_fn retry_if; /* NULL -> default rules only */
	void *retry_ctx;
} ikc_http_retry;

/**
 * Supplies a bearer token for a request; called before every attempt (so a
 * renewed token is picked up by retries).  Stores an owned string in *out.
 * Returns 0 or a negative IKC_E* code with the message set; the request then
 * fails with that code.  May itself call ikc_http_do() on `client`.
 */
typedef int (*ikc_http_token_fn)(void *ctx, ikc_http_client *client,
				 char **out);

/** One request. Everything is borrowed for the duration of the call. */
typedef struct ikc_http_request {
	const char *method;       /* "GET", "POST", ...; NULL -> "GET" */
	const char *url;          /* absolute https:// (or http://) URL */
	const char *const *headers; /* NULL-terminated "Name: value" lines */
	const char *body;         /* NULL: no body */
	size_t body_len;
	const char *content_type; /* of body; NULL -> application/json */
	/* PEM CA certificates trusted for this request instead of any other
	 * (a cluster's own CA); NULL -> system CAs + ca_bundle. */
	const char *ca_pem;
	size_t ca_pem_len;
	ikc_http_token_fn token_fn; /* NULL: no Authorization header */
	void *token_ctx;
	double timeout;           /* seconds per attempt; 0 -> client default */
	const ikc_http_retry *retry; /* NULL -> defaults */
	/* 1: runs even after ikc_http_client_interrupt() (the calls that
	 * clean up after an interrupt: state write, lock release). */
	int uninterruptible;
} ikc_http_request;

#define IKC_HTTP_REQUEST_INIT { NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, \
				NULL, NULL, 0, NULL, 0 }

/** The outcome of one request.  Initialise with IKC_HTTP_RESPONSE_INIT. */
struct ikc_http_response {
	long status;          /* HTTP status of the last attempt; 0 if none */
	ikc_buf body;         /* body of the last attempt, NUL-terminated */
	ikc_buf headers;      /* raw header lines of the last attempt */
	int attempts;         /* how many attempts were made */
	double elapsed;       /* seconds from first attempt to the end */
	int error;            /* 0, or the IKC_E* code this request failed with */
	char *error_msg;      /* owned message for `error`; NULL when 0 */
};

#define IKC_HTTP_RESPONSE_INIT { 0, IKC_BUF_INIT(0), IKC_BUF_INIT(0), 0, 0, \
				 0, NULL }

/** Counters since the client was made (for tests and benchmarks). */
typedef struct ikc_http_stats {
	unsigned long requests;    /* ikc_http_request calls finished */
	unsigned long attempts;    /* attempts made, retries included */
	unsigned long retries;     /* attempts - first attempts */
	unsigned long connects;    /* new connections opened */
} ikc_http_stats;

/**
 * Makes a client.  `opts` may be NULL for all defaults.  Initialises libcurl
 * once per process (thread-safe).  A ca_bundle that cannot be read is an
 * error here rather than at the first call.  0, IKC_EINVALID or IKC_ERROR.
 */
int ikc_http_client_new(ikc_http_client **out, const ikc_http_options *opts);

/** Frees the client; no call may be running.  NULL is a no-op. */
void ikc_http_client_free(ikc_http_client *c);

/**
 * Asks the client to start nothing new: calls in flight finish their
 * current attempt (no retries follow), requests not started yet fail with
 * IKC_EINTERRUPTED, and so does every later call, except requests marked
 * `uninterruptible`.  Safe from any thread; NOT async-signal-safe (call it
 * from a thread woken by a self-pipe).
 */
void ikc_http_client_interrupt(ikc_http_client *c);

/** 1 once ikc_http_client_interrupt() was called. */
int ikc_http_client_interrupted(ikc_http_client *c);

/** Copies the client's counters into *out. */
void ikc_http_client_stats(ikc_http_client *c, ikc_http_stats *out);

/**
 * Runs one request (with retries) and fills `resp` (which must be
 * initialised; previous content is discarded).  0 when a response arrived
 * (any status); otherwise the code also stored in resp->error:
 * IKC_ELIMIT (body over the cap), IKC_ETIMEOUT, IKC_EINTERRUPTED,
 * IKC_EINVALID (bad request), IKC_ERROR (transport failure, TLS).
 * The thread's error message names the method and URL.
 */
int ikc_http_do(ikc_http_client *c, const ikc_http_request *req,
		ikc_http_response *resp);

/**
 * Runs `n` requests, up to the client's parallelism at a time, on the
 * calling thread; resps[i] receives the outcome of reqs[i].  Returns 0 when
 * every request got a response, else the code of the first failed request
 * (its message is the thread's error; each resps[i].error_msg has its own).
 */
int ikc_http_do_many(ikc_http_client *c, const ikc_http_request *reqs,
		     ikc_http_response *resps, size_t n);

/** Frees what a response holds and re-initialises it. NULL is a no-op. */
void ikc_http_response_dispose(ikc_http_response *resp);

/**
 * The value of the first response header called `name` (case-insensitive),
 * as an owned string without surrounding blanks; NULL if absent or on OOM.
 */
char *ikc_http_response_header(const ikc_http_response *resp,
			       const char *name);

/** 1 for a 2xx status. */
int ikc_http_response_ok(const ikc_http_response *resp);

/**
 * Records an error for a non-2xx response that names the call and quotes the
 * server: "GET https://... : 404 Not Found: <message>".  The message is taken
 * from a Google error envelope (error.message, error.status), a Kubernetes
 * Status object (message, reason) or an OAuth error (error,
 * error_description), else the start of the body.  Returns IKC_ENOTFOUND
 * (404), IKC_EEXISTS (409 ALREADY_EXISTS / AlreadyExists), IKC_ECONFLICT
 * (other 409, 412) or IKC_EREMOTE.  For a failed transport (resp->error
 * set) it returns resp->error with its message.
 */
int ikc_http_response_error(const ikc_http_request *req,
			    const ikc_http_response *resp);

/**
 * Parses a Retry-After value: delta-seconds ("120") or an HTTP-date, which
 * is turned into seconds after `now` (a past date gives 0).  0 and *out set,
 * or IKC_EINVALID.
 */
int ikc_http_retry_after_parse(double *out, const char *value, double now);

/**
 * The backoff before attempt number `attempt` + 1 (attempt >= 1 tries have
 * been made): a random value in [cap/2, cap] where cap = min(max_delay,
 * base_delay * 2^(attempt-1)).  `rnd` is a uniform random number in [0, 1).
 */
double ikc_http_backoff(const ikc_http_retry *policy, int attempt, double rnd);

#endif /* IKC_HTTP_HTTP_H */
