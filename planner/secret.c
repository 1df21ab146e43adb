/* secret.c - sensitive values masked (state, journal, plan files) or left out of comparisons */
#include "planner/secret.h"

#include <string.h>

#include "util/errors.h"
#include "util/json.h"

int ikc_secret_kind(const char *kind)
{
	return kind && (!strcmp(kind, "Secret") || !strcmp(kind, "Cluster"));
}

/* masterAuth (at the top or under spec) and anything in it but the CA. */
static int master_auth_path(const char *path)
{
	const char *rest;

	if (!strncmp(path, "spec.", 5))
		path += 5;
	if (strncmp(path, "masterAuth", 10) || (path[10] && path[10] != '.'))
		return 0;
	rest = path[10] ? path + 11 : "";
	return strcmp(rest, "clusterCaCertificate") != 0;
}

int ikc_secret_path(const char *kind, const char *path)
{
	if (!kind || !path)
		return 0;
	if (!strcmp(kind, "Cluster"))
		return master_auth_path(path);
	if (strcmp(kind, "Secret"))
		return 0;
	return !strncmp(path, "data.", 5) || !strcmp(path, "data") ||
	       !strncmp(path, "stringData.", 11) || !strcmp(path, "stringData");
}

int ikc_secret_is_mask(json_object *v)
{
	return v && json_object_is_type(v, json_type_string) &&
	       !strcmp(json_object_get_string(v), IKC_SECRET_MASK);
}

static json_object *mask(void)
{
	return json_object_new_string(IKC_SECRET_MASK);
}

/* Each value of map member `member` of `obj` (or the whole member) masked. */
static int mask_member(json_object *obj, const char *member)
{
	json_object *map = NULL;
	int error = 0;

	if (!json_object_object_get_ex(obj, member, &map) || !map)
		return 0;
	if (!json_object_is_type(map, json_type_object))
		return ikc_json_add(obj, member, mask());
	/* replacing a member of the map being walked keeps its entry */
	json_object_object_foreach(map, k, v) {
		(void)v;
		if ((error = ikc_json_add(map, k, mask())) < 0)
			break;
	}
	return error;
}

/* masterAuth: every member but the cluster's CA certificate, masked or removed. */
static int master_auth(json_object *obj, const char *path, int remove)
{
	json_object *auth = ikc_json_path(obj, path), *keep = NULL;
	int error = 0;

	if (!auth || !json_object_is_type(auth, json_type_object))
		return 0;
	json_object_object_get_ex(auth, "clusterCaCertificate", &keep);
	if (remove) {
		json_object *only = json_object_new_object();

		if (!only)
			return ikc_error_oom();
		if (keep)
			error = ikc_json_add(only, "clusterCaCertificate", json_object_get(keep));
		if (error) {
			json_object_put(only);
			return error;
		}
		return ikc_json_set_path(obj, path, only);
	}
	json_object_object_foreach(auth, k, v) {
		(void)v;
		if (strcmp(k, "clusterCaCertificate") &&
		    (error = ikc_json_add(auth, k, mask())) < 0)
			break;
	}
	return error;
}

static int secret_values(json_object *obj, const char *kind, int remove)
{
	int error;

	if (!obj || !json_object_is_type(obj, json_type_object) || !kind)
		return 0;
	if (!strcmp(kind, "Secret")) {
		if (remove) {
			json_object_object_del(obj, "data");
			json_object_object_del(obj, "stringData");
			return 0;
		}
		error = mask_member(obj, "data");
		return error ? error : mask_member(obj, "stringData");
	}
	if (strcmp(kind, "Cluster"))
		return 0;
	error = master_auth(obj, "spec.masterAuth", remove);
	return error ? error : master_auth(obj, "masterAuth", remove);
}

int ikc_secret_mask(json_object *obj, const char *kind)
{
	return secret_values(obj, kind, 0);
}

int ikc_secret_strip(json_object *obj, const char *kind)
{
	return secret_values(obj, kind, 1);
}
