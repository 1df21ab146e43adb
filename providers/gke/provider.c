/* provider.c - GKE provider: read, create, remove, wait (Cluster, NodePool) */
#include "providers/gke/internal.h"
#include "providers/gke/gke.h"

#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* The cluster to count a pool's Nodes on: the walk's live value, else a GET. */
static int pool_node_count(int *out, ikc_provider_env *env,
			   const ikc_target *t, const ikc_gke_id *id,
			   json_object *pool)
{
	json_object *cluster = NULL, *fetched = NULL, *init;
	int rc = 0;

	*out = -1;
	if (t->cluster_live && ikc_json_str(t->cluster_live, "endpoint") &&
	    ikc_json_path(t->cluster_live, "masterAuth.clusterCaCertificate"))
		cluster = t->cluster_live;
	if (!cluster) {
		rc = ikc_gke__get(&fetched, env, id, id->cluster_url);
		cluster = fetched;
	}
	if (rc == 0)
		rc = ikc_gke__count_nodes(out, env, cluster, id->pool);
	if (rc < 0) {
		if (json_object_object_get_ex(pool, "initialNodeCount", &init))
			*out = json_object_get_int(init);
		ikc_log(IKC_LOG_INFO, "%s: cannot count the pool's Nodes on "
			"the cluster's Kubernetes API (%s); using its "
			"initialNodeCount %d", id->address, ikc_error_last(),
			*out);
		ikc_error_clear();
	}
	json_object_put(fetched);
	return 0;
}

static int gke_read(ikc_provider_env *env, const ikc_target *t,
		    json_object **live_out)
{
	ikc_gke_id id = IKC_GKE_ID_INIT;
	json_object *api = NULL;
	int count = -1, rc;

	*live_out = NULL;
	rc = ikc_gke__id_resolve(&id, env, t);
	if (rc == 0)
		rc = ikc_gke__get(&api, env, &id, id.url);
	if (rc == 0 && id.pool)
		rc = pool_node_count(&count, env, t, &id, api);
	if (rc == 0)
		rc = ikc_gke__live(live_out, t, &id, api, count);
	json_object_put(api);
	ikc_gke__id_dispose(&id);
	return rc;
}

/*
 * After a create answered ALREADY_EXISTS: 1 if what exists is the object
 * this create was making (an earlier run's create that we lost track of),
 * so it can be adopted: same path, not being deleted, and for a Cluster
 * every pool of t->pools is in it.
 */
static int adoptable(ikc_provider_env *env, const ikc_target *t,
		     const ikc_gke_id *id)
{
	json_object *api = NULL, *pools = NULL;
	const char *status, *name, *have;
	size_t i, j, n = 0;
	int ok = 1, found;

	if (ikc_gke__get(&api, env, id, id->url) < 0)
		return 0;
	status = ikc_json_str(api, "status");
	if (status && !strcmp(status, "STOPPING"))
		ok = 0;
	if (ok && !id->pool && t->npools) {
		if (json_object_object_get_ex(api, "nodePools", &pools) &&
		    json_object_is_type(pools, json_type_array))
			n = json_object_array_length(pools);
		for (i = 0; ok && i < t->npools; i++) {
			name = ikc_json_str(ikc_json_path(t->pools[i],
							  "metadata"), "name");
			found = 0;
			for (j = 0; name && j < n; j++) {
				have = ikc_json_str(
					json_object_array_get_idx(pools, j),
					"name");
				if (have && !strcmp(have, name))
					found = 1;
			}
			ok = found;
		}
	}
	json_object_put(api);
	return ok;
}

static int gke_create(ikc_provider_env *env, const ikc_target *t,
		      char **operation_out, char **remote_id_out)
{
	ikc_gke_id id = IKC_GKE_ID_INIT;
	json_object *body = NULL, *pool = NULL, *op = NULL;
	const char *what, *opname;
	char *url = NULL, *saved = NULL;
	ikc_gke_lock *lock = NULL;
	int rc;

	*operation_out = NULL;
	*remote_id_out = NULL;
	rc = ikc_gke__id_resolve(&id, env, t);
	if (rc < 0)
		return rc;
	if (id.pool) {
		what = "nodePools.create";
		url = ikc_asprintf("%s/nodePools", id.cluster_url);
		rc = ikc_gke__pool_object(&pool, t->desired);
		if (rc == 0) {
			body = json_object_new_object();
			if (!body || ikc_json_add(body, "nodePool", pool) < 0)
				rc = ikc_error_oom();
			pool = NULL;
		}
	} else {
		what = "clusters.create";
		url = ikc_asprintf("%s/clusters", id.base);
		rc = ikc_gke__cluster_request(&body, t);
	}
	if (rc == 0 && !url)
		rc = ikc_error_oom();
	if (rc == 0)
		rc = ikc_gke__cluster_lock(&lock, env, &id);
	if (rc < 0)
		goto done;
	rc = ikc_gke__mutate(&op, env, &id, "POST", url, body,
			     ikc_gke__deadline(env, &id), what);
	if (rc == IKC_EEXISTS) {
		saved = strdup(ikc_error_last());
		if (adoptable(env, t, &id)) {
			ikc_log(IKC_LOG_DEBUG, "gke: %s: already exists; "
				"adopting %s", t->address, id.remote_id);
			ikc_error_clear();
			rc = 0;
		} else {
			rc = ikc_error_set_code(IKC_EEXISTS, IKC_ERR_PROVIDER,
						"%s", saved ? saved :
						"already exists");
		}
	}
	if (rc < 0)
		goto done;
	opname = op ? ikc_json_str(op, "name") : NULL;
	if (opname) {
		*operation_out = strdup(opname);
		if (!*operation_out) {
			rc = ikc_error_oom();
			goto done;
		}
		ikc_log(IKC_LOG_DEBUG, "gke: %s: %s started operation %s",
			t->address, what, opname);
	}
	*remote_id_out = strdup(id.remote_id);
	if (!*remote_id_out) {
		free(*operation_out);
		*operation_out = NULL;
		rc = ikc_error_oom();
	}
done:
	ikc_gke__cluster_unlock(lock);
	free(saved);
	free(url);
	json_object_put(op);
	json_object_put(pool);
	json_object_put(body);
	ikc_gke__id_dispose(&id);
	return rc;
}

static int gke_remove(ikc_provider_env *env, const ikc_target *t,
		      char **operation_out)
{
	ikc_gke_id id = IKC_GKE_ID_INIT;
	ikc_gke_lock *lock = NULL;
	json_object *op = NULL;
	const char *opname;
	int rc;

	*operation_out = NULL;
	rc = ikc_gke__id_resolve(&id, env, t);
	if (rc < 0)
		return rc;
	rc = ikc_gke__cluster_lock(&lock, env, &id);
	if (rc < 0)
		goto done;
	rc = ikc_gke__mutate(&op, env, &id, "DELETE", id.url, NULL,
			     ikc_gke__deadline(env, &id),
			     id.pool ? "nodePools.delete" : "clusters.delete");
	ikc_gke__cluster_unlock(lock);
	if (rc < 0)
		goto done;
	opname = ikc_json_str(op, "name");
	if (opname) {
		*operation_out = strdup(opname);
		if (!*operation_out)
			rc = ikc_error_oom();
	}
done:
	json_object_put(op);
	ikc_gke__id_dispose(&id);
	return rc;
}

static int gke_wait(ikc_provider_env *env, const ikc_target *t, int deleting,
		    const char *operation)
{
	ikc_gke_id id = IKC_GKE_ID_INIT;
	double deadline;
	int rc;

	rc = ikc_gke__id_resolve(&id, env, t);
	if (rc < 0)
		return rc;
	deadline = ikc_gke__deadline(env, &id);
	if (operation && *operation)
		rc = ikc_gke__op_wait(env, &id, operation, deadline);
	if (rc == 0)
		rc = ikc_gke__status_wait(env, &id, deleting, deadline);
	ikc_gke__id_dispose(&id);
	return rc;
}

static int gke_update(ikc_provider_env *env, const ikc_target *t,
		      json_object *live, const char *const *fields,
		      size_t nfields)
{
	return ikc_gke__update(env, t, live, fields, nfields);
}

static const ikc_provider_ops gke_ops = {
	"gke", gke_read, gke_create, gke_update, gke_remove, gke_wait
};

const ikc_provider_ops *ikc_gke_provider(void)
{
	return &gke_ops;
}
