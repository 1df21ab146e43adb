/* gke/schema.c - GKE's container/v1 discovery schemas shipped with ikc, and the stack documents' shape on them */
#include "providers/gke/semantics.h"

#include <pthread.h>
#include <string.h>

#include "schemas/schemas.h"
#include "util/json.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static json_object *doc;
static json_object *cluster_root;
static json_object *nodepool_root;

static json_object *typed(const char *type)
{
	json_object *o = json_object_new_object();

	if (o && ikc_json_add(o, "type", json_object_new_string(type)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *string_map(void)
{
	json_object *o = typed("object");

	if (o && ikc_json_add(o, "additionalProperties", typed("string")) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * {apiVersion, kind, metadata: {name, labels, annotations}, spec: <the API
 * schema `api`> plus the stack-only fields (`extra`, strings unless named
 * nodeCount)}.
 */
static json_object *stack_root(const char *api, const char *const *extra)
{
	json_object *root = typed("object"), *props = json_object_new_object();
	json_object *meta = typed("object"), *mprops = json_object_new_object();
	json_object *spec = ikc_json_copy(ikc_json_path(ikc_json_path(doc, "schemas"), api));
	json_object *sprops = spec ? ikc_json_path(spec, "properties") : NULL;
	size_t i;
	int rc = 0;

	if (!root || !props || !meta || !mprops || !sprops) {
		json_object_put(root);
		json_object_put(props);
		json_object_put(meta);
		json_object_put(mprops);
		json_object_put(spec);
		return NULL;
	}
	for (i = 0; extra[i] && rc == 0; i++)
		rc = ikc_json_add(sprops, extra[i], strcmp(extra[i], "nodeCount") ?
				  typed("string") : typed("integer"));
	rc = rc ? rc : ikc_json_add(mprops, "name", typed("string"));
	rc = rc ? rc : ikc_json_add(mprops, "labels", string_map());
	rc = rc ? rc : ikc_json_add(mprops, "annotations", string_map());
	rc = rc ? rc : ikc_json_add(meta, "properties", mprops);
	mprops = NULL;
	rc = rc ? rc : ikc_json_add(props, "apiVersion", typed("string"));
	rc = rc ? rc : ikc_json_add(props, "kind", typed("string"));
	rc = rc ? rc : ikc_json_add(props, "metadata", meta);
	meta = NULL;
	rc = rc ? rc : ikc_json_add(props, "spec", spec);
	spec = NULL;
	rc = rc ? rc : ikc_json_add(root, "properties", props);
	props = NULL;
	json_object_put(mprops);
	json_object_put(meta);
	json_object_put(spec);
	json_object_put(props);
	if (rc < 0) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

static void load(void)
{
	static const char *const cluster_extra[] = { "location", "project", NULL };
	static const char *const pool_extra[] = {
		"location", "project", "cluster", "nodeCount", NULL
	};

	if (ikc_schemas_gke_count < 1)
		return;
	doc = json_tokener_parse((const char *)ikc_schemas_gke[0]);
	if (!doc)
		return;
	cluster_root = stack_root("Cluster", cluster_extra);
	nodepool_root = stack_root("NodePool", pool_extra);
}

json_object *ikc_gke__schema_doc(void)
{
	pthread_once(&once, load);
	return doc;
}

json_object *ikc_gke__schema_root(const char *api_version, const char *kind)
{
	(void)api_version;
	pthread_once(&once, load);
	if (kind && !strcmp(kind, "Cluster"))
		return cluster_root;
	if (kind && !strcmp(kind, "NodePool"))
		return nodepool_root;
	return NULL;
}
