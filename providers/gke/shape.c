/* shape.c - GKE objects to and from stack shape; create bodies; no secrets */
#include "providers/gke/internal.h"

#include <stdlib.h>
#include <string.h>

#include "providers/gke/scopes.h"
#include "util/errors.h"
#include "util/json.h"

/* Stack-only fields of spec: part of the resource path, never sent. */
static const char *const stack_only[] = {
	"location", "project", "cluster", "nodeCount", NULL
};

json_object *ikc_gke__scrub(json_object *api)
{
	json_object *copy = ikc_json_copy(api), *auth, *ca, *keep;

	if (!copy)
		return NULL;
	if (json_object_is_type(copy, json_type_object) &&
	    json_object_object_get_ex(copy, "masterAuth", &auth)) {
		keep = json_object_new_object();
		if (!keep) {
			json_object_put(copy);
			return NULL;
		}
		if (json_object_is_type(auth, json_type_object) &&
		    json_object_object_get_ex(auth, "clusterCaCertificate",
					      &ca) &&
		    ikc_json_add(keep, "clusterCaCertificate",
				 json_object_get(ca)) < 0) {
			json_object_put(keep);
			json_object_put(copy);
			return NULL;
		}
		/* Replacing the member frees the old masterAuth (and ca's
		 * reference taken above stays with keep). */
		if (ikc_json_add(copy, "masterAuth", keep) < 0) {
			json_object_put(copy);
			return NULL;
		}
	}
	return copy;
}

static int add_str(json_object *obj, const char *key, const char *value)
{
	json_object *v = json_object_new_string(value);

	if (!v)
		return ikc_error_oom();
	return ikc_json_add(obj, key, v) < 0 ? ikc_error_oom() : 0;
}

static json_object *desired_spec(json_object *desired)
{
	json_object *spec = NULL;

	if (!desired || !json_object_object_get_ex(desired, "spec", &spec) ||
	    !json_object_is_type(spec, json_type_object))
		return NULL;
	return spec;
}

/* spec.cluster = projects/P/locations/L/clusters/C of a pool's id. */
static int cluster_path(json_object *spec, const ikc_gke_id *id)
{
	char *s = strdup(id->remote_id), *cut;
	int rc;

	if (!s)
		return ikc_error_oom();
	cut = strstr(s, "/nodePools/");
	if (cut)
		*cut = '\0';
	rc = add_str(spec, "cluster", s);
	free(s);
	return rc;
}

int ikc_gke__live(json_object **out, const ikc_target *t,
		  const ikc_gke_id *id, json_object *api, int node_count)
{
	json_object *live = NULL, *spec = NULL, *meta = NULL, *v;
	json_object *dspec = desired_spec(t->desired);
	const char *cl = dspec ? ikc_json_str(dspec, "cluster") : NULL;
	int rc = IKC_ERROR;

	*out = NULL;
	live = json_object_new_object();
	meta = json_object_new_object();
	spec = ikc_gke__scrub(api);
	if (!live || !meta || !spec)
		goto oom;
	if (add_str(live, "apiVersion", t->api_version ? t->api_version
						    : IKC_GKE_API_VERSION) < 0 ||
	    add_str(live, "kind", t->kind) < 0 ||
	    add_str(meta, "name", id->pool ? id->pool : id->cluster) < 0)
		goto done;
	rc = ikc_json_add(live, "metadata", meta);
	meta = NULL;
	if (rc < 0)
		goto oom;
	/* Every API field also at the top level, for ${Cluster/x.endpoint}. */
	json_object_object_foreach(spec, key, val) {
		v = ikc_json_copy(val);
		if (!v || ikc_json_add(live, key, v) < 0)
			goto oom;
	}
	rc = add_str(spec, "project", id->project);
	if (rc == 0 && (!id->pool || (dspec && ikc_json_str(dspec,
							    "location"))))
		rc = add_str(spec, "location", id->location);
	if (rc == 0 && id->pool)
		rc = cl ? add_str(spec, "cluster", cl) : cluster_path(spec, id);
	if (rc == 0 && id->pool && node_count >= 0) {
		v = json_object_new_int(node_count);
		if (!v || ikc_json_add(spec, "nodeCount", v) < 0)
			rc = ikc_error_oom();
	}
	if (rc < 0)
		goto done;
	rc = ikc_json_add(live, "spec", spec);
	spec = NULL;
	if (rc < 0)
		goto oom;
	*out = live;
	live = NULL;
	rc = 0;
	goto done;
oom:
	rc = ikc_error_oom();
done:
	json_object_put(spec);
	json_object_put(meta);
	json_object_put(live);
	return rc;
}

/* A copy of a desired spec without the stack-only fields. */
static json_object *api_fields(json_object *dspec)
{
	json_object *copy = dspec ? ikc_json_copy(dspec)
				  : json_object_new_object();
	size_t i;

	if (!copy)
		return NULL;
	for (i = 0; stack_only[i]; i++)
		json_object_object_del(copy, stack_only[i]);
	/* gcloud's scope aliases, as gcloud sends them: expanded URLs */
	if (ikc_gke_expand_scopes(ikc_json_path(copy, "config"), "oauthScopes") < 0 ||
	    ikc_gke_expand_scopes(ikc_json_path(copy, "nodeConfig"), "oauthScopes") < 0) {
		json_object_put(copy);
		return NULL;
	}
	return copy;
}

int ikc_gke__pool_object(json_object **out, json_object *desired)
{
	json_object *dspec = desired_spec(desired), *pool, *count = NULL;
	const char *name = ikc_json_str(ikc_json_path(desired, "metadata"),
					"name");
	int rc = 0;

	*out = NULL;
	pool = api_fields(dspec);
	if (!pool)
		return ikc_error_oom();
	if (name)
		rc = add_str(pool, "name", name);
	if (rc == 0 && dspec &&
	    json_object_object_get_ex(dspec, "nodeCount", &count)) {
		count = ikc_json_copy(count);
		if (!count || ikc_json_add(pool, "initialNodeCount", count) < 0)
			rc = ikc_error_oom();
	}
	if (rc < 0) {
		json_object_put(pool);
		return rc;
	}
	*out = pool;
	return 0;
}

/* 1 if the array holds an object whose "name" is `name`. */
static int has_named(json_object *arr, const char *name)
{
	size_t i, n = json_object_array_length(arr);
	const char *s;

	for (i = 0; i < n; i++) {
		s = ikc_json_str(json_object_array_get_idx(arr, i), "name");
		if (s && name && !strcmp(s, name))
			return 1;
	}
	return 0;
}

int ikc_gke__cluster_request(json_object **out, const ikc_target *t)
{
	json_object *req = NULL, *cluster, *pools = NULL, *pool;
	size_t i;
	int rc = 0;

	*out = NULL;
	cluster = api_fields(desired_spec(t->desired));
	if (!cluster)
		return ikc_error_oom();
	rc = add_str(cluster, "name", t->name);
	if (rc < 0)
		goto done;
	if (t->npools) {
		if (!json_object_object_get_ex(cluster, "nodePools", &pools) ||
		    !json_object_is_type(pools, json_type_array)) {
			pools = json_object_new_array();
			if (!pools || ikc_json_add(cluster, "nodePools",
						   pools) < 0) {
				rc = ikc_error_oom();
				goto done;
			}
		}
		for (i = 0; i < t->npools; i++) {
			rc = ikc_gke__pool_object(&pool, t->pools[i]);
			if (rc < 0)
				goto done;
			if (has_named(pools, ikc_json_str(pool, "name"))) {
				json_object_put(pool);
				continue;
			}
			if (ikc_json_append(pools, pool) < 0) {
				rc = ikc_error_oom();
				goto done;
			}
		}
	}
	req = json_object_new_object();
	if (!req) {
		rc = ikc_error_oom();
		goto done;
	}
	rc = ikc_json_add(req, "cluster", cluster);
	cluster = NULL;   /* req owns it, or ikc_json_add put it */
	if (rc < 0) {
		rc = ikc_error_oom();
		goto done;
	}
	*out = req;
	req = NULL;
done:
	json_object_put(cluster);
	json_object_put(req);
	return rc;
}
