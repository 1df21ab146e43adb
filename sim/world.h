#ifndef IKC_SIM_WORLD_H
#define IKC_SIM_WORLD_H

/*
 * The GKE world of ikc-sim: clusters (each with its node pools, its own CA,
 * its Kubernetes API and its TLS endpoint) and operations.  Everything here
 * is guarded by sim_world.mu; cluster endpoints never take that lock.
 */

#include <pthread.h>
#include <json-c/json.h>
#include "sim/api.h"
#include "sim/server.h"

enum sim_op_kind {
	SIM_OP_CREATE_CLUSTER,
	SIM_OP_DELETE_CLUSTER,
	SIM_OP_UPDATE_CLUSTER,      /* any change on the cluster itself */
	SIM_OP_CREATE_POOL,
	SIM_OP_DELETE_POOL,
	SIM_OP_UPDATE_POOL          /* setSize, setManagement, update, ... */
};

struct sim_cluster {
	struct sim_cluster *next;
	char *project, *location, *name;
	json_object *obj;       /* the Cluster as GET shows it, nodePools inside */
	json_object *sizes;     /* pool name -> total node count */
	char *busy_op;          /* the running mutating operation, or NULL */
	sim_kube *kube;
	sim_endpoint *ep;
	int port;
	char *ca_key, *ca_cert, *srv_key, *srv_cert;
};

struct sim_op {
	struct sim_op *next;
	char *name, *project, *location, *cluster, *pool;
	int kind;
	double start, duration; /* simulated seconds */
	int fail;               /* ends in error (opfail fault) */
	int finished;
	json_object *obj;       /* the Operation as GET shows it */
};

struct sim_world {
	pthread_mutex_t mu;
	struct sim_cluster *clusters;
	struct sim_op *ops;     /* newest first */
	unsigned long seq;
	int dirty;
};

extern struct sim_world sim_world;

/* Under mu: the cluster or NULL. */
struct sim_cluster *sim_world__find(const char *project, const char *location,
				    const char *name);
/* Under mu: the pool object inside c->obj (borrowed) or NULL; *idx its index. */
json_object *sim_world__pool(struct sim_cluster *c, const char *pool,
			     size_t *idx);
/* Under mu: the operation or NULL. */
struct sim_op *sim_world__op(const char *project, const char *name);
/* Under mu: operations of the project not yet DONE. */
int sim_world__running(const char *project);

/*
 * Makes a cluster with its CA, serving certificate, Kubernetes API and
 * endpoint (not yet in the world; call without holding mu).  0 or IKC_ERROR.
 */
int sim_world__cluster_new(struct sim_cluster **out, const char *project,
			   const char *location, const char *name,
			   const char *version);
/* Under mu: adds c to the world. */
void sim_world__cluster_add(struct sim_cluster *c);
void sim_world__cluster_free(struct sim_cluster *c);

/*
 * Under mu: starts an operation on cluster c (pool may be NULL) and marks c
 * busy.  `route` is the call's "METHOD /path" for the opfail rules.
 * Returns the op (owned by the world) or NULL on OOM.
 */
struct sim_op *sim_world__op_start(struct sim_cluster *c, const char *pool,
				   int kind, const char *type,
				   const char *detail, double duration,
				   const char *route);
/* Under mu: advances the operation to the current simulated time. */
void sim_world__op_advance(struct sim_op *op);
/* Under mu: ends a running operation as cancelled. */
void sim_world__op_cancel(struct sim_op *op);
/* Under mu: node counts of all pools pushed to the cluster's Kubernetes API. */
void sim_world__sync_nodes(struct sim_cluster *c);
/* Under mu: recomputes currentNodeCount, nodeConfig, instanceGroupUrls, etag. */
void sim_world__refresh(struct sim_cluster *c);

/* "https://127.0.0.1:PORT/v1/projects/p/zones|locations/l/" + rest (owned). */
char *sim_world__link(const char *project, const char *location,
		      const char *rest);
/* 1 if `location` names a zone ("us-central1-a"), 0 for a region. */
int sim_world__is_zone(const char *location);
/* Current wall time as RFC 3339 with nanoseconds into out[40]. */
void sim_world__now_text(char out[40]);

#endif /* IKC_SIM_WORLD_H */
