/* update.c - in-place GKE changes, one API call per kind (api-reference §2) */
#include "providers/gke/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* Node config fields that one nodePools.update changes, each alone. */
static const char *const config_single[] = {
	"labels", "tags", "resourceLabels", "taints", "imageType",
	"kubeletConfig", "linuxNodeConfig", "workloadMetadataConfig",
	"gcfsConfig", "gvnic", NULL
};

/* Node config fields changed together (machine shape). */
static const char *const config_machine[] = {
	"machineType", "diskSizeGb", "diskType", NULL
};

/* NodePool spec fields changed through nodePools.update. */
static const char *const pool_update_fields[] = {
	"locations", "version", "upgradeSettings", NULL
};

/* Cluster spec fields changed through clusters.update, one desired* each. */
static const struct {
	const char *field;
	const char *desired;
} cluster_desired[] = {
	{ "initialClusterVersion", "desiredMasterVersion" },
	{ "releaseChannel", "desiredReleaseChannel" },
	{ "locations", "desiredLocations" },
	{ "loggingService", "desiredLoggingService" },
	{ "monitoringService", "desiredMonitoringService" },
	{ NULL, NULL }
};

struct upd {
	ikc_provider_env *env;
	const ikc_target *t;
	const ikc_gke_id *id;
	json_object *live;
	const char *const *fields;
	size_t nfields;
	char *handled;         /* per field: 1 once a call covers it */
	double deadline;
	int dry;               /* only find which calls are needed */
};

/* 1 if `path` is `prefix` or lies under it. */
static int under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(path, prefix, n) &&
	       (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

/*
 * 1 if the field at `path` must change: a planned field lies at or under
 * it, or it lies under a planned field.  Without a field list, when the
 * desired value is set and differs from the live one.  Marks the fields
 * it covers as handled.
 */
static int changed(struct upd *u, const char *path)
{
	json_object *want, *have;
	size_t i;
	int yes = 0;

	if (!u->nfields) {
		want = ikc_json_path(u->t->desired, path);
		have = ikc_json_path(u->live, path);
		return want && !ikc_json_equal_loose(want, have);
	}
	for (i = 0; i < u->nfields; i++) {
		if (under(u->fields[i], path) || under(path, u->fields[i])) {
			u->handled[i] = 1;
			yes = 1;
		}
	}
	return yes;
}

/* Owned copy of the desired value at `path`, else `fallback` (owned). */
static json_object *want_or(struct upd *u, const char *path,
			    json_object *fallback)
{
	json_object *v = ikc_json_path(u->t->desired, path);

	if (!v)
		return fallback;
	json_object_put(fallback);
	return ikc_json_copy(v);
}

/*
 * One mutating call and the wait for its operation, holding the cluster's
 * lock so no other call of this run interleaves.  `body` is consumed.
 */
static int call(struct upd *u, const char *method, const char *url,
		json_object *body, const char *what)
{
	ikc_gke_lock *lock = NULL;
	json_object *op = NULL;
	const char *name;
	char *text;
	int rc;

	if (!body)
		return ikc_error_oom();
	if (u->dry) {
		json_object_put(body);
		return 0;
	}
	rc = ikc_gke__cluster_lock(&lock, u->env, u->id);
	if (rc < 0) {
		json_object_put(body);
		return rc;
	}
	text = ikc_asprintf("updating\u2026 (%s)", what);
	if (text)
		ikc_gke__progress(u->env, u->id->address, text);
	free(text);
	rc = ikc_gke__mutate(&op, u->env, u->id, method, url, body,
			     u->deadline, what);
	name = rc == 0 ? ikc_json_str(op, "name") : NULL;
	if (name)
		rc = ikc_gke__op_wait(u->env, u->id, name, u->deadline);
	ikc_gke__cluster_unlock(lock);
	json_object_put(op);
	json_object_put(body);
	return rc;
}

/* {key: value} with value owned; NULL on OOM (value freed). */
static json_object *obj1(const char *key, json_object *value)
{
	json_object *o;

	if (!value)
		return NULL;
	o = json_object_new_object();
	if (!o || ikc_json_add(o, key, value) < 0) {
		if (!o)
			json_object_put(value);
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* {outer: {inner: value}} (NodeLabels, NetworkTags, ... wrappers). */
static json_object *wrapped(const char *outer, const char *inner,
			    json_object *value)
{
	return obj1(outer, obj1(inner, value));
}

/* A nodePools.update URL/what for pool `pool` of the cluster. */
static char *pool_url(struct upd *u, const char *pool)
{
	return ikc_asprintf("%s/nodePools/%s", u->id->cluster_url, pool);
}

/*
 * Node config changes under `prefix` ("spec.config" of a NodePool,
 * "spec.nodeConfig" of a Cluster for its default-pool) through
 * nodePools.update of `pool`.
 */
static int update_config(struct upd *u, const char *prefix, const char *pool)
{
	json_object *body = NULL, *v;
	char path[256], *url = pool_url(u, pool);
	const char *name;
	size_t i;
	int rc = 0, any;

	if (!url)
		return ikc_error_oom();
	/* machineType, diskSizeGb, diskType go in one call. */
	any = 0;
	for (i = 0; config_machine[i]; i++) {
		snprintf(path, sizeof(path), "%s.%s", prefix, config_machine[i]);
		if (changed(u, path))
			any = 1;
	}
	if (any) {
		body = json_object_new_object();
		for (i = 0; body && config_machine[i]; i++) {
			snprintf(path, sizeof(path), "%s.%s", prefix,
				 config_machine[i]);
			v = ikc_json_path(u->t->desired, path);
			if (!v)
				continue;
			/* UpdateNodePoolRequest.diskSizeGb is an int64: a string. */
			v = !strcmp(config_machine[i], "diskSizeGb") ?
				json_object_new_string(json_object_get_string(v))
				: ikc_json_copy(v);
			if (!v || ikc_json_add(body, config_machine[i], v) < 0) {
				json_object_put(body);
				body = NULL;
			}
		}
		rc = call(u, "PUT", url, body,
			  "nodePools.update (machine type and disk)");
	}
	for (i = 0; rc == 0 && config_single[i]; i++) {
		name = config_single[i];
		snprintf(path, sizeof(path), "%s.%s", prefix, name);
		if (!changed(u, path))
			continue;
		if (!strcmp(name, "labels"))
			body = wrapped("labels", "labels",
				       want_or(u, path, json_object_new_object()));
		else if (!strcmp(name, "tags"))
			body = wrapped("tags", "tags",
				       want_or(u, path, json_object_new_array()));
		else if (!strcmp(name, "resourceLabels"))
			body = wrapped("resourceLabels", "labels",
				       want_or(u, path, json_object_new_object()));
		else if (!strcmp(name, "taints"))
			body = wrapped("taints", "taints",
				       want_or(u, path, json_object_new_array()));
		else
			body = obj1(name, want_or(u, path,
						  json_object_new_object()));
		rc = call(u, "PUT", url, body, "nodePools.update");
	}
	free(url);
	return rc;
}

static int update_pool(struct upd *u)
{
	const ikc_gke_id *id = u->id;
	json_object *body, *count;
	char path[128], *url = NULL;
	size_t i;
	int rc = 0;

	if (changed(u, "spec.nodeCount")) {
		count = ikc_json_path(u->t->desired, "spec.nodeCount");
		url = ikc_asprintf("%s:setSize", id->url);
		if (!count)
			rc = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
						"%s: spec.nodeCount was removed; "
						"set the size to keep",
						id->address);
		else if (!url)
			rc = ikc_error_oom();
		else
			rc = call(u, "POST", url,
				  obj1("nodeCount", json_object_new_int(
					       json_object_get_int(count))),
				  "nodePools.setSize");
		free(url);
		url = NULL;
	}
	if (rc == 0)
		rc = update_config(u, "spec.config", id->pool);
	for (i = 0; rc == 0 && pool_update_fields[i]; i++) {
		snprintf(path, sizeof(path), "spec.%s", pool_update_fields[i]);
		if (!changed(u, path))
			continue;
		if (!strcmp(pool_update_fields[i], "version")) {
			body = obj1("nodeVersion", want_or(u, path,
				json_object_new_string("-")));
			if (body && ikc_json_add(body, "nodePoolId",
				    json_object_new_string(id->pool)) < 0) {
				json_object_put(body);
				body = NULL;
			}
		} else {
			body = obj1(pool_update_fields[i],
				    want_or(u, path, json_object_new_object()));
		}
		rc = call(u, "PUT", id->url, body, "nodePools.update");
	}
	if (rc == 0 && changed(u, "spec.autoscaling")) {
		json_object *upd = obj1("desiredNodePoolAutoscaling",
			want_or(u, "spec.autoscaling",
				obj1("enabled", json_object_new_boolean(0))));

		if (upd && ikc_json_add(upd, "desiredNodePoolId",
					json_object_new_string(id->pool)) < 0) {
			json_object_put(upd);
			upd = NULL;
		}
		rc = call(u, "PUT", id->cluster_url, obj1("update", upd),
			  "clusters.update (node pool autoscaling)");
	}
	if (rc == 0 && changed(u, "spec.management")) {
		url = ikc_asprintf("%s:setManagement", id->url);
		rc = url ? call(u, "POST", url,
				obj1("management", want_or(u, "spec.management",
					json_object_new_object())),
				"nodePools.setManagement")
			 : ikc_error_oom();
		free(url);
	}
	return rc;
}

/* setResourceLabels with the fingerprint the cluster has now. */
static int update_resource_labels(struct upd *u)
{
	json_object *api = NULL, *body;
	const char *fp;
	char *url = ikc_asprintf("%s:setResourceLabels", u->id->cluster_url);
	int rc;

	if (!url)
		return ikc_error_oom();
	rc = u->dry ? 0 : ikc_gke__get(&api, u->env, u->id,
				       u->id->cluster_url);
	if (rc == 0) {
		fp = ikc_json_str(api, "labelFingerprint");
		body = obj1("resourceLabels",
			    want_or(u, "spec.resourceLabels",
				    json_object_new_object()));
		if (body && fp && ikc_json_add(body, "labelFingerprint",
					json_object_new_string(fp)) < 0) {
			json_object_put(body);
			body = NULL;
		}
		rc = call(u, "POST", url, body, "clusters.setResourceLabels");
	}
	json_object_put(api);
	free(url);
	return rc;
}

static int update_cluster(struct upd *u)
{
	json_object *value;
	char path[128];
	size_t i;
	int rc = 0;

	if (changed(u, "spec.resourceLabels"))
		rc = update_resource_labels(u);
	for (i = 0; rc == 0 && cluster_desired[i].field; i++) {
		snprintf(path, sizeof(path), "spec.%s",
			 cluster_desired[i].field);
		if (!changed(u, path))
			continue;
		value = ikc_json_path(u->t->desired, path);
		if (!value) {
			/* A removed release channel means none. */
			if (strcmp(cluster_desired[i].field, "releaseChannel"))
				return ikc_error_set_code(
					IKC_EINVALID, IKC_ERR_PROVIDER,
					"%s: %s was removed; GKE keeps its "
					"value (set the value to keep)",
					u->id->address, path);
			value = obj1("channel",
				     json_object_new_string("UNSPECIFIED"));
		} else {
			value = ikc_json_copy(value);
		}
		rc = call(u, "PUT", u->id->cluster_url,
			  obj1("update", obj1(cluster_desired[i].desired,
					      value)),
			  "clusters.update");
	}
	if (rc == 0)
		rc = update_config(u, "spec.nodeConfig", "default-pool");
	return rc;
}

int ikc_gke__update(ikc_provider_env *env, const ikc_target *t,
		    json_object *live, const char *const *fields,
		    size_t nfields)
{
	ikc_gke_id id = IKC_GKE_ID_INIT;
	struct upd u;
	size_t i;
	int rc;

	memset(&u, 0, sizeof(u));
	rc = ikc_gke__id_resolve(&id, env, t);
	if (rc < 0)
		return rc;
	u.env = env;
	u.t = t;
	u.id = &id;
	u.live = live;
	u.fields = fields;
	u.nfields = fields ? nfields : 0;
	u.deadline = ikc_gke__deadline(env, &id);
	u.handled = calloc(u.nfields + 1, 1);
	if (!u.handled) {
		rc = ikc_error_oom();
		goto done;
	}
	for (i = 0; i < u.nfields; i++) {
		const char *f = u.fields[i];

		if (!ikc_str_startswith(f, "spec.") || under(f, "spec.project")
		    || under(f, "spec.location") || under(f, "spec.cluster"))
			u.handled[i] = 1;  /* not an API field */
	}
	/* Refuse what no call can change before changing anything. */
	u.dry = 1;
	rc = id.pool ? update_pool(&u) : update_cluster(&u);
	for (i = 0; rc == 0 && i < u.nfields; i++) {
		if (u.handled[i])
			continue;
		rc = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					"%s: %s cannot be changed in place "
					"(GKE has no call for it; the resource "
					"must be replaced)", t->address,
					u.fields[i]);
	}
	u.dry = 0;
	if (rc == 0)
		rc = id.pool ? update_pool(&u) : update_cluster(&u);
done:
	free(u.handled);
	ikc_gke__id_dispose(&id);
	return rc;
}
