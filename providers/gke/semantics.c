/* gke/semantics.c - how GKE compares lists (sets) and what it stores for what the file writes */
#include "providers/gke/semantics.h"

#include <stdio.h>
#include <string.h>

#include "providers/gke/scopes.h"
#include "providers/schema.h"
#include "util/str.h"
#include "util/json.h"

/*
 * Lists GKE treats as sets: it stores them in its own order (oauthScopes
 * sorted, as gcloud sends them) and the order the file writes means
 * nothing.  GKE's discovery document has no list types, so this table says
 * it.  Schema paths of the stack document.
 */
static const char *const cluster_sets[] = {
	"spec.locations",
	"spec.nodeConfig.oauthScopes",
	"spec.nodeConfig.tags",
	"spec.nodePools[].config.oauthScopes",
	"spec.nodePools[].config.tags",
	"spec.nodePools[].locations",
	"spec.masterAuthorizedNetworksConfig.cidrBlocks",
	NULL
};

static const char *const nodepool_sets[] = {
	"spec.locations",
	"spec.config.oauthScopes",
	"spec.config.tags",
	NULL
};

static int listed(const char *const *table, const char *path)
{
	size_t i;

	for (i = 0; path && table[i]; i++)
		if (!strcmp(table[i], path))
			return 1;
	return 0;
}

int ikc_gke__list_semantics(const char *api_version, const char *kind,
			    const char *path, ikc_list_semantics *out)
{
	const char *const *table = NULL;

	(void)api_version;
	if (kind && !strcmp(kind, "Cluster"))
		table = cluster_sets;
	else if (kind && !strcmp(kind, "NodePool"))
		table = nodepool_sets;
	if (!table || !listed(table, path))
		return 0;
	memset(out, 0, sizeof(*out));
	out->type = IKC_LIST_SET;
	return 1;
}

int ikc_gke__canonicalize(json_object *desired, const char *api_version,
			  const char *kind)
{
	json_object *spec = ikc_json_path(desired, "spec"), *pools;
	size_t i, n;
	int rc;

	(void)api_version;
	if (!kind || !spec)
		return 0;
	if (!strcmp(kind, "NodePool"))
		return ikc_gke_expand_scopes(ikc_json_path(spec, "config"),
					     "oauthScopes");
	if (strcmp(kind, "Cluster"))
		return 0;
	rc = ikc_gke_expand_scopes(ikc_json_path(spec, "nodeConfig"),
				   "oauthScopes");
	pools = ikc_json_path(spec, "nodePools");
	if (rc < 0 || !json_object_is_type(pools, json_type_array))
		return rc;
	n = json_object_array_length(pools);
	for (i = 0; i < n && rc == 0; i++)
		rc = ikc_gke_expand_scopes(
			ikc_json_path(json_object_array_get_idx(pools, i), "config"),
			"oauthScopes");
	return rc;
}

/* Reports entries of parent[key] (a scope list at `path`) that are neither URLs nor aliases. */
static int check_scopes(json_object *parent, const char *path,
			void (*fn)(void *, const struct ikc_schema_problem *),
			void *ctx)
{
	json_object *list = ikc_json_path(parent, "oauthScopes");
	const char *names[64];
	size_t i, n, nnames = ikc_gke_scope_aliases(names, 64);
	int count = 0;

	if (!json_object_is_type(list, json_type_array))
		return 0;
	if (nnames > 64)
		nnames = 64;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(list, i);
		const char *s = json_object_get_string(e), *hint;
		char where[512], msg[1024];
		struct ikc_schema_problem p;

		if (!json_object_is_type(e, json_type_string) ||
		    strstr(s, "${") || !strncmp(s, "https://", 8) ||
		    ikc_gke_scope_alias(s))
			continue;
		hint = strlen(s) <= 256 ? ikc_str_suggest(s, names, nnames) : NULL;
		snprintf(where, sizeof(where), "%s.oauthScopes[%zu]", path, i);
		snprintf(msg, sizeof(msg), "%s: \"%.256s\" is not a scope URL nor one "
			 "of gcloud's scope aliases%s%s%s", where, s,
			 hint ? " (did you mean \"" : "", hint ? hint : "",
			 hint ? "\"?)" : "");
		p.path = where;
		p.message = msg;
		fn(ctx, &p);
		count++;
	}
	return count;
}

int ikc_gke__validate(const char *api_version, const char *kind,
		      json_object *body,
		      void (*fn)(void *, const struct ikc_schema_problem *),
		      void *ctx)
{
	json_object *spec = ikc_json_path(body, "spec"), *pools;
	size_t i, n;
	int count = 0;

	(void)api_version;
	if (!kind || !json_object_is_type(spec, json_type_object))
		return 0;
	if (!strcmp(kind, "NodePool"))
		return check_scopes(ikc_json_path(spec, "config"), "spec.config",
				    fn, ctx);
	if (strcmp(kind, "Cluster"))
		return 0;
	count += check_scopes(ikc_json_path(spec, "nodeConfig"),
			      "spec.nodeConfig", fn, ctx);
	pools = ikc_json_path(spec, "nodePools");
	n = json_object_is_type(pools, json_type_array) ?
		json_object_array_length(pools) : 0;
	for (i = 0; i < n; i++) {
		char where[64];

		snprintf(where, sizeof(where), "spec.nodePools[%zu].config", i);
		count += check_scopes(ikc_json_path(json_object_array_get_idx(pools, i),
						    "config"), where, fn, ctx);
	}
	return count;
}
