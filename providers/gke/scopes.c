/* gke/scopes.c - gcloud's OAuth scope aliases, expanded as gcloud expands them */
#include "providers/gke/scopes.h"

#include <string.h>

#include "stack/stack.h"     /* for IKC_UNKNOWN_VALUE */
#include "util/errors.h"
#include "util/json.h"

#define AUTH "https://www.googleapis.com/auth/"

/*
 * The aliases `gcloud container clusters create --scopes` accepts (Cloud
 * SDK's compute constants, SCOPES), each with what it stands for.  gcloud
 * sends the expanded URLs, sorted and without repeats; GKE stores them so.
 */
static const struct alias {
	const char *name;
	const char *scopes[8];
} aliases[] = {
	{ "bigquery", { AUTH "bigquery" } },
	{ "cloud-platform", { AUTH "cloud-platform" } },
	{ "cloud-source-repos", { AUTH "source.full_control" } },
	{ "cloud-source-repos-ro", { AUTH "source.read_only" } },
	{ "compute-ro", { AUTH "compute.readonly" } },
	{ "compute-rw", { AUTH "compute" } },
	{ "datastore", { AUTH "datastore" } },
	{ "default", { AUTH "devstorage.read_only", AUTH "logging.write",
		       AUTH "monitoring.write", AUTH "pubsub",
		       AUTH "service.management.readonly",
		       AUTH "servicecontrol", AUTH "trace.append" } },
	{ "gke-default", { AUTH "devstorage.read_only", AUTH "logging.write",
			   AUTH "monitoring", AUTH "service.management.readonly",
			   AUTH "servicecontrol", AUTH "trace.append" } },
	{ "logging-write", { AUTH "logging.write" } },
	{ "monitoring", { AUTH "monitoring" } },
	{ "monitoring-read", { AUTH "monitoring.read" } },
	{ "monitoring-write", { AUTH "monitoring.write" } },
	{ "pubsub", { AUTH "pubsub" } },
	{ "service-control", { AUTH "servicecontrol" } },
	{ "service-management", { AUTH "service.management.readonly" } },
	{ "sql", { AUTH "sqlservice" } },
	{ "sql-admin", { AUTH "sqlservice.admin" } },
	{ "storage-full", { AUTH "devstorage.full_control" } },
	{ "storage-ro", { AUTH "devstorage.read_only" } },
	{ "storage-rw", { AUTH "devstorage.read_write" } },
	{ "taskqueue", { AUTH "taskqueue" } },
	{ "trace", { AUTH "trace.append" } },
	{ "userinfo-email", { AUTH "userinfo.email" } },
};
#define NALIASES (sizeof(aliases) / sizeof(aliases[0]))

static const struct alias *find_alias(const char *name)
{
	size_t i;

	for (i = 0; name && i < NALIASES; i++)
		if (!strcmp(aliases[i].name, name))
			return &aliases[i];
	return NULL;
}

int ikc_gke_scope_alias(const char *name)
{
	return find_alias(name) != NULL;
}

size_t ikc_gke_scope_aliases(const char **names, size_t max)
{
	size_t i;

	for (i = 0; i < NALIASES && i < max; i++)
		names[i] = aliases[i].name;
	return NALIASES;
}

static int has_string(json_object *arr, const char *s)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (json_object_is_type(e, json_type_string) &&
		    !strcmp(json_object_get_string(e), s))
			return 1;
	}
	return 0;
}

static int cmp_scope(const void *a, const void *b)
{
	const char *x = json_object_get_string(*(json_object *const *)a);
	const char *y = json_object_get_string(*(json_object *const *)b);

	return strcmp(x ? x : "", y ? y : "");
}

int ikc_gke_expand_scopes(json_object *parent, const char *key)
{
	json_object *list, *out;
	size_t i, j, n;

	if (!parent || !json_object_is_type(parent, json_type_object) ||
	    !json_object_object_get_ex(parent, key, &list) ||
	    !json_object_is_type(list, json_type_array))
		return 0;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(list, i);

		if (!json_object_is_type(e, json_type_string) ||
		    !strcmp(json_object_get_string(e), IKC_UNKNOWN_VALUE))
			return 0;   /* not known yet: left as written */
	}
	out = json_object_new_array();
	if (!out)
		return ikc_error_oom();
	for (i = 0; i < n; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(list, i));
		const struct alias *a = find_alias(s);
		const char *one[2] = { s, NULL };
		const char *const *exp = a ? a->scopes : one;

		for (j = 0; j < 8 && exp[j]; j++) {
			json_object *v;

			if (has_string(out, exp[j]))
				continue;
			v = json_object_new_string(exp[j]);
			if (!v || json_object_array_add(out, v) < 0) {
				json_object_put(v);
				json_object_put(out);
				return ikc_error_oom();
			}
		}
	}
	json_object_array_sort(out, cmp_scope);
	return ikc_json_add(parent, key, out) < 0 ? ikc_error_oom() : 0;
}
