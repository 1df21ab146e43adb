#ifndef IKC_SIM_API_H
#define IKC_SIM_API_H

/*
 * The seam between ikc-sim's server core (the .c files of sim/: TLS, routing, OAuth, GKE,
 * faults, persistence) and each cluster's Kubernetes API (sim/kube/).
 * No libmicrohttpd types cross it.  The core authenticates a request (bearer
 * token it issued) and applies faults before handing it to sim_kube_handle().
 */

#include <stddef.h>          /* for size_t */
#include <sys/types.h>       /* for ssize_t */
#include <json-c/json.h>

typedef struct sim_request {
	const char *method;      /* "GET", "POST", ... */
	const char *path;        /* URL path, without the query string */
	const char *body;        /* request body (may be NULL when empty) */
	size_t body_len;
	/* Query parameter / header lookup (decoded value or NULL). */
	const char *(*query)(const struct sim_request *req, const char *key);
	const char *(*header)(const struct sim_request *req, const char *name);
	void *impl;              /* core-private */
} sim_request;

/*
 * A stream produces a long-lived body (watch).  It returns the number of
 * bytes written into buf, 0 when nothing is ready yet (the core waits a
 * little and calls again), or -1 at the end of the stream.
 */
typedef ssize_t (*sim_stream_fn)(void *ctx, char *buf, size_t max);

typedef struct sim_response {
	int status;              /* HTTP status */
	char *content_type;      /* malloc'd; NULL means application/json */
	char *body;              /* malloc'd; may be NULL for an empty body */
	size_t body_len;
	char *extra_header_name; /* optional single extra header (malloc'd) */
	char *extra_header_value;
	sim_stream_fn stream;    /* if set, body is ignored and this streams */
	void *stream_ctx;
	void (*stream_free)(void *ctx);
} sim_response;

/** Frees what a response owns (not the struct). */
void sim_response_dispose(sim_response *resp);

/* ---- simulated time (sim/clock.c, core) ---- */

/** Sets how fast simulated time runs relative to real time. */
void sim_clock_init(double speed, double base);
/** Simulated seconds since the world began (persisted across restarts). */
double sim_clock_now(void);
/** The speed factor. */
double sim_clock_speed(void);

/* ---- one cluster's Kubernetes API (sim/kube/, kube side) ---- */

typedef struct sim_kube sim_kube;

/** A new, empty cluster API: default, kube-system, kube-public namespaces. */
sim_kube *sim_kube_new(const char *cluster_name, const char *version);
/** Rebuilds a cluster API from sim_kube_save() output (borrowed). NULL on error. */
sim_kube *sim_kube_load(json_object *saved);
/** Owned snapshot of everything, for persistence. */
json_object *sim_kube_save(sim_kube *k);
void sim_kube_free(sim_kube *k);

/** Serves one authenticated request; always fills resp. Thread-safe. */
void sim_kube_handle(sim_kube *k, const sim_request *req, sim_response *resp);

/** Runs controllers up to simulated time `now` (pods, LB IPs, namespaces). Thread-safe. */
void sim_kube_tick(sim_kube *k, double now);

/**
 * Makes the node pool `pool` have exactly `count` Ready Node objects
 * (labelled cloud.google.com/gke-nodepool=pool); 0 removes them. Thread-safe.
 */
void sim_kube_set_pool(sim_kube *k, const char *pool, int count,
		       const char *machine_type, const char *zone);

/** Owned summary of the objects held: {"Kind": ["ns/name", ...], ...}. */
json_object *sim_kube_describe(sim_kube *k);

/** 1 if something changed since the last call (so the core persists). */
int sim_kube_take_dirty(sim_kube *k);

#endif /* IKC_SIM_API_H */
