/* secret.c - Secret data and stringData values replaced by salted hashes (state and comparisons) */
#include "planner/secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/digest.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

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

int ikc_secret_salt(char out[33])
{
	unsigned char raw[16];
	size_t i;

	if (ikc_random_bytes(raw, sizeof(raw)) < 0)
		return IKC_ERROR;
	for (i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

static int hash_member(json_object *obj, const char *member, const char *salt)
{
	json_object *map = NULL;
	char hex[65];
	int error;

	if (!json_object_object_get_ex(obj, member, &map) || !map)
		return 0;
	if (!json_object_is_type(map, json_type_object)) {
		/* not a map: the whole value is hidden */
		const char *text = json_object_to_json_string_ext(map, JSON_C_TO_STRING_PLAIN);
		char *h;

		if (!text || ikc_hmac_sha256_hex(hex, salt, strlen(salt), text, strlen(text)) < 0)
			return IKC_ERROR;
		h = ikc_asprintf("%s%s", IKC_SECRET_HASH_PREFIX, hex);
		if (!h)
			return ikc_error_oom();
		error = ikc_json_add(obj, member, json_object_new_string(h));
		free(h);
		return error;
	}
	json_object_object_foreach(map, k, v) {
		const char *text;
		char *h;

		if (v && json_object_is_type(v, json_type_string) &&
		    ikc_str_startswith(json_object_get_string(v), IKC_SECRET_HASH_PREFIX))
			continue;
		text = v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "null";
		if (!text || ikc_hmac_sha256_hex(hex, salt, strlen(salt), text, strlen(text)) < 0)
			return IKC_ERROR;
		h = ikc_asprintf("%s%s", IKC_SECRET_HASH_PREFIX, hex);
		if (!h)
			return ikc_error_oom();
		/* replacing a member of the map being walked keeps its entry */
		error = ikc_json_add(map, k, json_object_new_string(h));
		free(h);
		if (error)
			return error;
	}
	return 0;
}

/* masterAuth: every member but the cluster's CA certificate. */
static int hash_master_auth(json_object *auth, const char *salt)
{
	json_object *keys = json_object_new_array();
	size_t i, n;
	int error = 0;

	if (!keys)
		return ikc_error_oom();
	json_object_object_foreach(auth, k, v) {
		(void)v;
		if (strcmp(k, "clusterCaCertificate"))
			error = ikc_json_append(keys, json_object_new_string(k));
		if (error)
			break;
	}
	n = json_object_array_length(keys);
	for (i = 0; i < n && !error; i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
		json_object *one = json_object_new_object(), *v = NULL;

		if (!one) {
			error = ikc_error_oom();
			break;
		}
		json_object_object_get_ex(auth, k, &v);
		error = ikc_json_add(one, k, v ? json_object_get(v) : NULL);
		if (!error)
			error = hash_member(one, k, salt);
		if (!error)
			error = ikc_json_add(auth, k, json_object_get(
				json_object_object_get(one, k)));
		json_object_put(one);
	}
	json_object_put(keys);
	return error;
}

int ikc_secret_hash_values(json_object *obj, const char *kind, const char *salt)
{
	json_object *auth;
	int error = 0;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return 0;
	if (kind && !strcmp(kind, "Secret")) {
		error = hash_member(obj, "data", salt);
		if (!error)
			error = hash_member(obj, "stringData", salt);
		return error;
	}
	if (!kind || strcmp(kind, "Cluster"))
		return 0;
	auth = ikc_json_path(obj, "spec.masterAuth");
	if (auth && json_object_is_type(auth, json_type_object))
		error = hash_master_auth(auth, salt);
	auth = ikc_json_path(obj, "masterAuth");
	if (!error && auth && json_object_is_type(auth, json_type_object))
		error = hash_master_auth(auth, salt);
	return error;
}
