#ifndef IKC_PROVIDERS_RUNTIME_H
#define IKC_PROVIDERS_RUNTIME_H

/*
 * Provider runtime: read, create, update, delete, wait — the calls the apply
 * walk (planner/walk.c) makes for each resource.  Pure plan hints live in
 * providers/provider.h.
 *
 * Shapes.  Every value exchanged is in *stack shape*: {apiVersion, kind,
 * metadata: {name, ...}, spec: {...}, ...} like the resource document.
 *  - Kubernetes: the live object as the API returns it (it already has that
 *    shape).
 *  - GKE: {apiVersion, kind, metadata: {name}, spec: {<every field of the API
 *    object, e.g. nodePools, nodeConfig, locations, ...>, location, project,
 *    and for a NodePool: cluster (the name as the stack wrote it, or the full
 *    path) and nodeCount (the number of the cluster's Node objects labelled
 *    cloud.google.com/gke-nodepool=<pool>)}, plus every field of the API
 *    object ALSO at the top level (endpoint, status, selfLink, masterAuth,
 *    currentMasterVersion, ...)} so that ${Cluster/x.endpoint} and
 *    ${Cluster/x.status} resolve.  masterAuth keeps only clusterCaCertificate
 *    (secrets never leave).
 *
 * Errors: negative IKC_E* with a message naming the resource, the API call
 * and what the server said (ikc_http_response_error does most of it).
 * Thread safety: the walk calls providers from several threads at once (one
 * resource per thread); providers serialise what their API needs (GKE: one
 * mutating call per cluster at a time — a per-cluster mutex plus retries of
 * 400 FAILED_PRECONDITION / 429 with jittered backoff until the deadline).
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>
#include "http/http.h"
#include "http/auth/google.h"
#include "stack/stack.h"

typedef struct ikc_provider_env ikc_provider_env;

/** Progress sink: "creating… (operation detail, 35%)"; may be NULL. */
typedef void (*ikc_progress_fn)(void *ctx, const char *address, const char *text);

/** What a run shares with every provider call. */
struct ikc_provider_env {
	ikc_http_client *http;
	ikc_google_creds *google;   /* NULL when the stack needs no Google API */
	const ikc_stack *stack;     /* project, GKE endpoint, kube target */
	/*
	 * The kubeconfig of spec.kubernetes.kubeconfig, already parsed from
	 * YAML into JSON (borrowed), and the context to use (NULL: its
	 * current-context); NULL when the stack targets a stack Cluster.
	 */
	json_object *kubeconfig;
	const char *kube_context;
	int parallelism;
	double gke_cluster_deadline;   /* seconds; default 90 min */
	double gke_nodepool_deadline;  /* seconds; default 2 h */
	double kube_ready_deadline;    /* seconds; default 10 min */
	double poll_interval;          /* seconds between operation polls; default 2; tests set less */
	ikc_progress_fn progress;
	void *progress_ctx;
	/*
	 * Set by the walk while it refreshes (reads everything before a plan):
	 * a provider may then read a whole collection at once (one LIST) and
	 * answer reads of its members from that, within this refresh only —
	 * `refresh_gen` grows with every refresh.  Outside a refresh every read
	 * goes to the API.
	 */
	int refreshing;
	unsigned refresh_gen;
	void *priv_gke;                /* provider-private caches (created lazily, freed by */
	void *priv_kube;               /* ikc_provider_env_dispose) */
};

/** Frees the providers' private caches in env (not the env's borrowed fields). */
void ikc_provider_env_dispose(ikc_provider_env *env);

/** One resource, as the walk hands it to a provider. Everything borrowed. */
typedef struct ikc_target {
	const char *address;
	const char *api_version;
	const char *kind;
	const char *name;
	const char *namespace_;     /* Kubernetes namespaced objects, else NULL */
	/*
	 * Desired value, resolved (stack shape).  For a delete of a resource
	 * removed from the file: the last applied value from the state.
	 */
	json_object *desired;
	/* The resource's entry in the state (remote_id, outputs, ...) or NULL. */
	json_object *state;
	/*
	 * Kubernetes objects of a stack Cluster, and NodePools: the live value
	 * of that Cluster (stack shape; endpoint and
	 * masterAuth.clusterCaCertificate at top level), read or created
	 * earlier in the walk.  NULL for kubeconfig targets.
	 */
	json_object *cluster_live;
	/* NodePools and Clusters: the stack's NodePools of this Cluster
	 * (desired values), so a Cluster is created WITH its pools. */
	json_object *const *pools;
	size_t npools;
} ikc_target;

typedef struct ikc_provider_ops {
	const char *name;   /* "gke", "kubernetes" */
	/** The live value (owned) or IKC_ENOTFOUND. */
	int (*read)(ikc_provider_env *env, const ikc_target *t, json_object **live_out);
	/*
	 * Starts creating.  *operation_out (owned, may stay NULL) names a
	 * long-running operation to wait on (GKE), which the walk journals
	 * before calling wait().  *remote_id_out (owned) is the id to keep in
	 * the state (GKE: projects/P/locations/L/clusters/C[/nodePools/N];
	 * Kubernetes: the object's API path).
	 * A Cluster creates its pools (t->pools) in the same call.  (The walk
	 * does not call create for a NodePool whose Cluster it just created
	 * with it; it only reads it.)
	 */
	int (*create)(ikc_provider_env *env, const ikc_target *t,
		      char **operation_out, char **remote_id_out);
	/*
	 * Changes in place what differs between desired and live, through the
	 * right API methods (GKE: setSize, nodePools.update, ...; Kubernetes: a
	 * patch computed from desired x last applied (t->state "desired") x
	 * live, touching only fields ikc manages, removing what the last
	 * applied value had and desired lacks).  Waits for any operations it
	 * starts.  `fields` are the dotted paths the plan found different.
	 */
	int (*update)(ikc_provider_env *env, const ikc_target *t, json_object *live,
		      const char *const *fields, size_t nfields);
	/** Starts deleting (Kubernetes: propagationPolicy Background). IKC_ENOTFOUND if gone. */
	int (*remove)(ikc_provider_env *env, const ikc_target *t, char **operation_out);
	/*
	 * Waits until the created/updated resource is ready (GKE: operation
	 * DONE and status RUNNING; Kubernetes: the readiness rules of issue 4)
	 * or the deleted one is gone.  `operation` is what create/remove
	 * returned, or what the journal recorded in an earlier run (resume).
	 * Reports progress through env->progress; fails with IKC_ETIMEOUT
	 * naming what it waited for when the deadline passes.
	 */
	int (*wait)(ikc_provider_env *env, const ikc_target *t, int deleting,
		    const char *operation);
} ikc_provider_ops;

/** The GKE provider (providers/gke/). */
const ikc_provider_ops *ikc_gke_provider(void);
/** The Kubernetes provider (providers/kubernetes/). */
const ikc_provider_ops *ikc_kubernetes_provider(void);

/*
 * Kubernetes import helper: parses "ID" of `ikc import ADDRESS ID` — for
 * Kubernetes objects the ID is "namespace/name" or "name"; for GKE,
 * "projects/P/locations/L/clusters/C[/nodePools/N]".
 */

#endif /* IKC_PROVIDERS_RUNTIME_H */
