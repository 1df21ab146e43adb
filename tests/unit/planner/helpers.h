/* helpers.h - hand-built stacks for planner tests (no dependency on the spec loader) */
#ifndef IKC_TESTS_PLANNER_HELPERS_H
#define IKC_TESTS_PLANNER_HELPERS_H

#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "stack/stack.h"

/* A stack with room for 32 resources; fill with add_res(). */
static ikc_stack *mk_stack(const char *name)
{
	ikc_stack *st = calloc(1, sizeof(*st));

	st->name = strdup(name);
	st->file = strdup("ikc.yaml");
	st->resources = calloc(32, sizeof(*st->resources));
	memset(st->digest, 'a', 64);
	return st;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/*
 * Adds a resource.  `address` is "Kind/name" or "Kind/ns/name"; `body` is
 * JSON text (NULL: a minimal document).  Returns the resource to adjust.
 */
static ikc_resource *add_res(ikc_stack *st, const char *address,
			     const char *api_version, const char *cluster,
			     const char *body, int line)
{
	ikc_resource *r = &st->resources[st->nresources++];
	const char *slash = strchr(address, '/');
	const char *last = strrchr(address, '/');

	r->address = strdup(address);
	r->kind = strndup(address, (size_t)(slash - address));
	r->name = strdup(last + 1);
	if (last != slash)
		r->namespace_ = strndup(slash + 1, (size_t)(last - slash - 1));
	r->api_version = strdup(api_version);
	r->provider = strcmp(api_version, "container.googleapis.com/v1") ?
		IKC_PROVIDER_KUBERNETES : IKC_PROVIDER_GKE;
	if (r->provider == IKC_PROVIDER_KUBERNETES && !r->namespace_ &&
	    strcmp(r->kind, "Namespace") && strcmp(r->kind, "ClusterRole"))
		r->namespace_ = strdup("default");
	r->cluster = dup_or_null(cluster);
	r->body = json_tokener_parse(body ? body : "{}");
	r->line = line;
	r->col = 1;
	return r;
}

static void add_ref(ikc_resource *r, const char *target, const char *path)
{
	r->refs = realloc(r->refs, (r->nrefs + 1) * sizeof(*r->refs));
	r->refs[r->nrefs].target = strdup(target);
	r->refs[r->nrefs].path = strdup(path);
	r->refs[r->nrefs].line = r->line + 1;
	r->refs[r->nrefs].col = 3;
	r->nrefs++;
}

static void add_strv(char ***v, size_t *n, const char *s)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = strdup(s);
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_hand_stack(ikc_stack *st)
{
	size_t i, j;

	if (!st)
		return;
	for (i = 0; i < st->nresources; i++) {
		ikc_resource *r = &st->resources[i];

		free(r->address);
		free(r->kind);
		free(r->name);
		free(r->namespace_);
		free(r->api_version);
		free(r->cluster);
		json_object_put(r->body);
		for (j = 0; j < r->nrefs; j++) {
			free(r->refs[j].target);
			free(r->refs[j].path);
		}
		free(r->refs);
		free_strv(r->depends_on, r->ndepends_on);
		free_strv(r->ignore_changes, r->nignore_changes);
	}
	free(st->resources);
	free(st->name);
	free(st->file);
	free(st);
}

#endif /* IKC_TESTS_PLANNER_HELPERS_H */
