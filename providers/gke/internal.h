#ifndef IKC_PROVIDERS_GKE_INTERNAL_H
#define IKC_PROVIDERS_GKE_INTERNAL_H

/*
 * Shared by the files of providers/gke/: where a resource lives (its id and
 * URLs), the HTTP calls with GKE's retry rules and per-cluster serialisation,
 * operation and status waits, and the mapping between stack shape and the
 * API's objects.
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>
#include "providers/runtime.h"

#define IKC_GKE_API_VERSION "container.googleapis.com/v1"

/** Where one Cluster or NodePool lives. All strings owned. */
typedef struct ikc_gke_id {
	char *project;
	char *location;
	char *cluster;
	char *pool;         /* NULL for a Cluster */
	char *base;         /* {endpoint}v1/projects/P/locations/L */
	char *cluster_url;  /* base/clusters/C */
	char *url;          /* the resource itself (cluster or pool URL) */
	char *remote_id;    /* projects/P/locations/L/clusters/C[/nodePools/N] */
	const char *address;/* borrowed: the target's address, for messages */
} ikc_gke_id;

#define IKC_GKE_ID_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/**
 * Works out project, location, cluster (and pool) of `t`: desired
 * spec.project / the stack's project; a Cluster's spec.location; a
 * NodePool's spec.cluster (a name, whose location comes from
 * t->cluster_live, or a full projects/P/locations/L/clusters/C path); the
 * remote_id in t->state fills whatever is still missing.  0 or IKC_EINVALID
 * naming what is missing.
 */
int ikc_gke__id_resolve(ikc_gke_id *id, const ikc_provider_env *env,
			const ikc_target *t);

/** Frees what id holds. */
void ikc_gke__id_dispose(ikc_gke_id *id);

/** The absolute monotonic time at which waiting on `id` gives up. */
double ikc_gke__deadline(const ikc_provider_env *env, const ikc_gke_id *id);

/** Sleeps `seconds` (fractions allowed). */
void ikc_gke__sleep(double seconds);

/* ---- calls (call.c) ---- */

/**
 * GET `url` on the GKE API with the Google token.  *out owned.  0,
 * IKC_ENOTFOUND on 404 (message set), or the error of
 * ikc_http_response_error / parsing, prefixed with `id->address`.
 */
int ikc_gke__get(json_object **out, ikc_provider_env *env,
		 const ikc_gke_id *id, const char *url);

/**
 * A mutating call on the cluster of `id`: takes no lock itself (callers
 * hold ikc_gke__cluster_lock) and retries 400 FAILED_PRECONDITION and 429
 * with jittered backoff until `deadline` (absolute monotonic).  `body` is
 * borrowed (NULL: no body).  *op_out: the Operation answered (owned), or
 * NULL if op_out is NULL.  Returns 0, or the ikc_http_response_error code
 * (IKC_ENOTFOUND, IKC_EEXISTS, ...) with a message naming id->address and
 * `what` ("clusters.create").
 */
int ikc_gke__mutate(json_object **op_out, ikc_provider_env *env,
		    const ikc_gke_id *id, const char *method, const char *url,
		    json_object *body, double deadline, const char *what);

/** One cluster's mutex (owned by env->priv_gke). */
typedef struct ikc_gke_lock ikc_gke_lock;

/**
 * Locks the per-cluster mutex of id's cluster (made on first use;
 * env->priv_gke is created lazily and thread-safely) and stores it in
 * *out for ikc_gke__cluster_unlock.  0 or IKC_ERROR (OOM).
 */
int ikc_gke__cluster_lock(ikc_gke_lock **out, ikc_provider_env *env,
			  const ikc_gke_id *id);

/** Unlocks what ikc_gke__cluster_lock locked. NULL is a no-op. */
void ikc_gke__cluster_unlock(ikc_gke_lock *lock);

/**
 * Polls operation `name` (a bare name or a path ending in it) every
 * env->poll_interval until DONE, reporting progress for `address`.  A DONE
 * operation carrying statusMessage or error fails with IKC_EREMOTE naming
 * the operation and the message.  IKC_ETIMEOUT past `deadline`.
 */
int ikc_gke__op_wait(ikc_provider_env *env, const ikc_gke_id *id,
		     const char *name, double deadline);

/**
 * Polls the resource until it rests: deleting -> GET answers 404;
 * otherwise status RUNNING (ERROR / DEGRADED / RUNNING_WITH_ERROR fail
 * with the statusMessage).  IKC_ETIMEOUT past `deadline`.
 */
int ikc_gke__status_wait(ikc_provider_env *env, const ikc_gke_id *id,
			 int deleting, double deadline);

/**
 * Counts the Node objects labelled cloud.google.com/gke-nodepool=<pool> on
 * the cluster's Kubernetes API.  `cluster` is a Cluster (API object or stack
 * shape) with endpoint and masterAuth.clusterCaCertificate.  0 and *out, or
 * a negative code (unreachable, bad CA, ...) with the message set.
 */
int ikc_gke__count_nodes(int *out, ikc_provider_env *env,
			 json_object *cluster, const char *pool);

/** Reports `text` through env->progress (if set) for `address`. */
void ikc_gke__progress(ikc_provider_env *env, const char *address,
		       const char *text);

/* ---- shapes (shape.c) ---- */

/**
 * The stack-shape live value of an API object (`api` borrowed): apiVersion,
 * kind, metadata.name, spec = every API field plus location, project (and
 * for a NodePool cluster, nodeCount when node_count >= 0), plus every API
 * field at the top level; masterAuth keeps only clusterCaCertificate.
 * *out owned.  0 or IKC_ERROR.
 */
int ikc_gke__live(json_object **out, const ikc_target *t,
		  const ikc_gke_id *id, json_object *api, int node_count);

/**
 * The API NodePool object for a desired stack NodePool (`desired` in stack
 * shape): spec minus cluster/project/location, nodeCount sent as
 * initialNodeCount, name from metadata.name.  *out owned.  0 or IKC_ERROR.
 */
int ikc_gke__pool_object(json_object **out, json_object *desired);

/**
 * CreateClusterRequest for `t`: {cluster: spec minus location/project,
 * name, nodePools: [every t->pools as ikc_gke__pool_object]}.  *out owned.
 */
int ikc_gke__cluster_request(json_object **out, const ikc_target *t);

/** Copies `api` without secrets: masterAuth keeps only clusterCaCertificate. */
json_object *ikc_gke__scrub(json_object *api);

/* ---- update (update.c) ---- */

/** The provider's update (see ikc_provider_ops.update). */
int ikc_gke__update(ikc_provider_env *env, const ikc_target *t,
		    json_object *live, const char *const *fields,
		    size_t nfields);

#endif /* IKC_PROVIDERS_GKE_INTERNAL_H */
