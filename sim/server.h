#ifndef IKC_SIM_SERVER_H
#define IKC_SIM_SERVER_H

/*
 * ikc-sim's HTTPS endpoints (libmicrohttpd stays inside sim/server.c).  An
 * endpoint listens on 127.0.0.1, collects each request's body, applies the
 * fault rules (never to /_sim/) and hands a sim_request to its serve function.
 */

#include <json-c/json.h>
#include "sim/api.h"

typedef struct sim_endpoint sim_endpoint;

/** Fills `resp` for `req`; `ctx` is the endpoint's. Runs on many threads at once. */
typedef void (*sim_serve_fn)(void *ctx, const sim_request *req,
			     sim_response *resp);

/** Counts one arriving request (called before faults, so faulted calls count). */
typedef void (*sim_count_fn)(void *ctx, const sim_request *req);

enum {
	SIM_EP_POOL = 0,        /* a fixed pool of threads (the main port) */
	SIM_EP_PER_CONNECTION   /* a thread per connection (watch streams) */
};

/**
 * Makes an endpoint listening on 127.0.0.1:`port` (0 picks a free port; if
 * `port` is taken and `fallback` is set, a free one is picked instead) that
 * will serve TLS with the PEM key and certificate.  Nothing is served until
 * sim_endpoint_run(), so the caller can publish the port first.  `count`
 * (may be NULL) sees every request before the fault rules do.  *out owned;
 * free it with sim_endpoint_stop().  0 or IKC_ERROR.
 */
int sim_endpoint_bind(sim_endpoint **out, int port, int fallback,
		      const char *key_pem, const char *cert_pem, int mode,
		      sim_serve_fn fn, sim_count_fn count, void *ctx);

/** Starts serving a bound endpoint. 0 or IKC_ERROR. */
int sim_endpoint_run(sim_endpoint *ep);

/** sim_endpoint_bind() then sim_endpoint_run(). 0 or IKC_ERROR. */
int sim_endpoint_start(sim_endpoint **out, int port, int fallback,
		       const char *key_pem, const char *cert_pem, int mode,
		       sim_serve_fn fn, sim_count_fn count, void *ctx);

/** The port the endpoint listens on. */
int sim_endpoint_port(const sim_endpoint *ep);

/** Stops accepting, ends streams, waits for its threads and frees it. NULL is fine. */
void sim_endpoint_stop(sim_endpoint *ep);

/**
 * Fills `resp` with `body` (owned, taken in every case) serialised as JSON.
 * Leaves a 500 when out of memory.
 */
void sim_respond_json(sim_response *resp, int status, json_object *body);

/** Fills `resp` with a copy of `text` and the content type (NULL: JSON). */
void sim_respond_text(sim_response *resp, int status, const char *ctype,
		      const char *text);

/** Sets the response's single extra header (copies both). */
void sim_respond_header(sim_response *resp, const char *name,
			const char *value);

/** The bearer token of `req` (borrowed) or NULL. */
const char *sim_request_bearer(const sim_request *req);

#endif /* IKC_SIM_SERVER_H */
