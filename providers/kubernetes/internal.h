#ifndef IKC_PROVIDERS_KUBERNETES_INTERNAL_H
#define IKC_PROVIDERS_KUBERNETES_INTERNAL_H

/*
 * Shared by the files of the Kubernetes provider only: connections to a
 * cluster's API server (conn.c), discovery, and the request helper.
 */

#include <stddef.h>              /* for size_t */
#include <json-c/json.h>
#include "providers/runtime.h"   /* for ikc_provider_env, ikc_target */

/* One cluster's API server, cached in env->priv_kube for the whole run. */
typedef struct ikc_kube_conn ikc_kube_conn;

/** Where one kind lives, from discovery. */
typedef struct ikc_kube_res {
	char *prefix;    /* "/api/v1" or "/apis/apps/v1" */
	char *plural;    /* "replicationcontrollers" */
	int namespaced;
} ikc_kube_res;

/**
 * The connection for a target: its stack Cluster (t->cluster_live), else
 * env->kubeconfig.  Borrowed from env's cache (thread-safe; made on first
 * use).  0, IKC_EINVALID (no endpoint, bad CA, unusable kubeconfig) or
 * IKC_ERROR.
 */
int ikc_kube__conn(ikc_kube_conn **out, ikc_provider_env *env,
		   const ikc_target *t);

/** "https://host:port" of a connection (borrowed). */
const char *ikc_kube__server(const ikc_kube_conn *c);

/**
 * Resolves apiVersion + kind through discovery (cached per connection).
 * IKC_ENOTFOUND with a message naming the apiVersion or kind the cluster
 * does not serve (with a "did you mean"), or an HTTP error.  *out must be
 * disposed with ikc_kube__res_dispose.
 */
int ikc_kube__resolve(ikc_kube_res *out, ikc_provider_env *env,
		      ikc_kube_conn *c, const char *api_version,
		      const char *kind);

/** Frees what a resolved kind holds and zeroes it. NULL is a no-op. */
void ikc_kube__res_dispose(ikc_kube_res *r);

/**
 * Path of an object (`name` non-NULL) or of its collection: prefix
 * [+ /namespaces/NS] + /plural [+ /name], with ns "default" when NULL for a
 * namespaced kind.  `query` (may be NULL) is appended after "?".  Owned.
 * 0 or IKC_ERROR.
 */
int ikc_kube__path(char **out, const ikc_kube_res *r, const char *ns,
		   const char *name, const char *query);

/** Percent-encodes a query value. Owned, NULL on OOM. */
char *ikc_kube__escape(const char *s);

/**
 * Sends one request to the cluster (path starts with "/").  `body` may be
 * NULL; content_type NULL means application/json.  0 when a response
 * arrived (any status; a 401 with Google credentials is retried once with a
 * new token), else the HTTP layer's code with its message.
 */
int ikc_kube__call(ikc_provider_env *env, ikc_kube_conn *c,
		   const char *method, const char *path, const char *body,
		   const char *content_type, ikc_http_response *resp);

/**
 * Records the error for a non-2xx answer to METHOD path, prefixed with
 * "ADDRESS: ", and returns its code (IKC_ENOTFOUND, IKC_EEXISTS, ...).
 */
int ikc_kube__fail(ikc_kube_conn *c, const char *address, const char *method,
		   const char *path, const ikc_http_response *resp);

/** Parses a 2xx response body as a JSON object. 0 or IKC_EINVALID. */
int ikc_kube__parse(json_object **out, const ikc_http_response *resp,
		    const char *method, const char *path);

/** The namespace a target's object lives in ("default" when unset). */
const char *ikc_kube__namespace(const ikc_target *t);

/** One object's place on its cluster (provider.c). */
struct ikc_kube_obj {
	ikc_kube_conn *conn;   /* borrowed from env's cache */
	ikc_kube_res res;
	char *ns;              /* its namespace ("default" when unset) */
	char *path;            /* item path */
	char *coll;            /* collection path + ?fieldManager=ikc */
	char *item_fm;         /* item path + ?fieldManager=ikc */
};

/**
 * Connects and resolves the target's object (discovery).  0 or a negative
 * code with a message naming the target.  Dispose with ikc_kube__obj_dispose.
 */
int ikc_kube__obj_open(struct ikc_kube_obj *o, ikc_provider_env *env,
		       const ikc_target *t);
/** Frees what `o` holds (not the cached connection) and zeroes it. */
void ikc_kube__obj_dispose(struct ikc_kube_obj *o);

/** GET the object (owned). IKC_ENOTFOUND (message set) when absent. */
int ikc_kube__obj_get(json_object **out, ikc_provider_env *env,
		      const ikc_target *t, struct ikc_kube_obj *o);

/**
 * The provider's wait() (ready.c).  deleting=0: polls the object every
 * env->poll_interval until it is ready (RC/ReplicaSet/Deployment/
 * StatefulSet: readyReplicas == spec.replicas and observedGeneration >=
 * generation; LoadBalancer Service: an ingress ip or hostname; Namespace:
 * phase Active; other kinds at once), reporting "1/2 pods ready; 1 pod
 * Pending: <scheduler message>" through env->progress.  deleting=1: until
 * GET answers 404.  IKC_ETIMEOUT after env->kube_ready_deadline with the
 * same text; IKC_EINTERRUPTED once the HTTP client is interrupted.
 */
int ikc_kube__wait(ikc_provider_env *env, const ikc_target *t, int deleting,
		   const char *operation);

/* Lists of collections read during a refresh (lists.c). */
struct ikc_kube_lists;

/** An empty list cache. 0 or IKC_ENOMEM. Free with ikc_kube__lists_free. */
int ikc_kube__lists_new(struct ikc_kube_lists **out);
/** Frees a list cache and every list in it. NULL is a no-op. */
void ikc_kube__lists_free(struct ikc_kube_lists *l);
/**
 * The list cache of env (conn.c; borrowed, made with env->priv_kube,
 * freed by ikc_kube__env_dispose), or NULL on OOM.
 */
struct ikc_kube_lists *ikc_kube__lists(ikc_provider_env *env);

/**
 * A read during a refresh (env->refreshing): the object from one LIST of
 * its collection per (connection, collection, env->refresh_gen) — the
 * first reader fetches (following `continue`), parallel readers wait for
 * its answer.  The value is an owned copy in the shape a GET returns
 * (kind and apiVersion added when items lack them).  IKC_ENOTFOUND (message
 * set) when the list has no such name.  When the LIST itself fails (say,
 * no permission to list), reads of that collection fall back to GET.
 */
int ikc_kube__list_read(json_object **out, ikc_provider_env *env,
			const ikc_target *t, struct ikc_kube_obj *o);

#endif /* IKC_PROVIDERS_KUBERNETES_INTERNAL_H */
