/* lists.c - reads during a refresh answered from one LIST per collection, cached for that refresh */
#include "providers/kubernetes/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* Items per page asked of a real API server; the sim answers all at once. */
#define LIST_PAGE "limit=500"

/* One collection's list, for one refresh generation. */
struct list_entry {
	const ikc_kube_conn *conn;  /* borrowed; connections live the whole run */
	char *path;                 /* collection path (no query) */
	unsigned gen;
	int done;                   /* 0 while its fetcher works */
	int failed;                 /* the LIST failed: readers GET instead */
	json_object *items;         /* name -> object (stack shape), when ok */
	struct list_entry *next;
};

struct ikc_kube_lists {
	pthread_mutex_t mu;
	pthread_cond_t cv;          /* signalled when an entry is done */
	struct list_entry *entries;
};

static void entry_free(struct list_entry *e)
{
	if (!e)
		return;
	free(e->path);
	json_object_put(e->items);
	free(e);
}

int ikc_kube__lists_new(struct ikc_kube_lists **out)
{
	struct ikc_kube_lists *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l)
		return ikc_error_oom();
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	*out = l;
	return 0;
}

void ikc_kube__lists_free(struct ikc_kube_lists *l)
{
	struct list_entry *e, *next;

	if (!l)
		return;
	for (e = l->entries; e; e = next) {
		next = e->next;
		entry_free(e);
	}
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* Drops finished entries of other generations. Caller holds l->mu. */
static void purge_old(struct ikc_kube_lists *l, unsigned gen)
{
	struct list_entry **pp = &l->entries, *e;

	while (*pp) {
		e = *pp;
		if (e->gen != gen && e->done) {
			*pp = e->next;
			entry_free(e);
		} else {
			pp = &e->next;
		}
	}
}

/*
 * Item `it` in the shape a GET returns: List items may lack kind and
 * apiVersion, which are put first as a GET has them.  Owned or NULL (OOM).
 */
static json_object *as_object(json_object *it, const char *kind,
			      const char *api_version)
{
	json_object *o;

	if (ikc_json_str(it, "kind") && ikc_json_str(it, "apiVersion"))
		return json_object_get(it);
	o = json_object_new_object();
	if (!o)
		return NULL;
	if (ikc_json_add(o, "kind", json_object_new_string(
				 ikc_json_str(it, "kind") ?
				 ikc_json_str(it, "kind") : kind)) < 0 ||
	    ikc_json_add(o, "apiVersion", json_object_new_string(
				 ikc_json_str(it, "apiVersion") ?
				 ikc_json_str(it, "apiVersion") :
				 api_version)) < 0)
		goto oom;
	json_object_object_foreach(it, k, v) {
		if (!strcmp(k, "kind") || !strcmp(k, "apiVersion"))
			continue;
		if (ikc_json_add(o, k, json_object_get(v)) < 0)
			goto oom;
	}
	return o;
oom:
	json_object_put(o);
	return NULL;
}

/* Adds one page's items to `items` (name -> object). */
static int add_page(json_object *items, json_object *doc, const char *kind,
		    const char *api_version, const char *path)
{
	json_object *arr = ikc_json_path(doc, "items");
	const char *lk = ikc_json_str(doc, "kind");
	const char *av = ikc_json_str(doc, "apiVersion");
	char *k = NULL;
	size_t i, n;
	int error = 0;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "response to GET %s has no items "
					  "list", path);
	/* "ConfigMapList" names the kind of its items */
	if (lk && strlen(lk) > 4 && !strcmp(lk + strlen(lk) - 4, "List")) {
		k = strndup(lk, strlen(lk) - 4);
		if (!k)
			return ikc_error_oom();
		kind = k;
	}
	if (av)
		api_version = av;
	n = json_object_array_length(arr);
	for (i = 0; i < n && error == 0; i++) {
		json_object *it = json_object_array_get_idx(arr, i), *o;
		const char *name = ikc_json_str(ikc_json_path(it, "metadata"),
						"name");

		if (!name || !json_object_is_type(it, json_type_object))
			continue;
		o = as_object(it, kind, api_version);
		if (!o || ikc_json_add(items, name, o) < 0)
			error = ikc_error_oom();
	}
	free(k);
	return error;
}

/* GETs the whole collection, following `continue`. */
static int fetch(json_object **out, ikc_provider_env *env,
		 const ikc_target *t, struct ikc_kube_obj *o,
		 const char *path)
{
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	json_object *items = json_object_new_object(), *doc = NULL;
	char *url = NULL, *cont = NULL;
	int error = 0, pages = 0;

	*out = NULL;
	if (!items)
		return ikc_error_oom();
	for (;;) {
		char *q = NULL;

		if (cont) {
			char *e = ikc_kube__escape(cont);

			q = e ? ikc_asprintf("%s&continue=%s", LIST_PAGE, e) :
				NULL;
			free(e);
		} else {
			q = strdup(LIST_PAGE);
		}
		free(url);
		url = q ? ikc_asprintf("%s?%s", path, q) : NULL;
		free(q);
		if (!url) {
			error = ikc_error_oom();
			goto done;
		}
		ikc_http_response_dispose(&resp);
		error = ikc_kube__call(env, o->conn, "GET", url, NULL, NULL,
				       &resp);
		if (error < 0)
			goto done;
		if (!ikc_http_response_ok(&resp)) {
			error = ikc_kube__fail(o->conn, t->address, "GET", url,
					       &resp);
			goto done;
		}
		json_object_put(doc);
		error = ikc_kube__parse(&doc, &resp, "GET", url);
		if (error < 0)
			goto done;
		error = add_page(items, doc, t->kind, t->api_version, url);
		if (error < 0)
			goto done;
		free(cont);
		cont = NULL;
		{
			const char *c = ikc_json_str(
				ikc_json_path(doc, "metadata"), "continue");

			if (!c || !*c)
				break;
			cont = strdup(c);
			if (!cont) {
				error = ikc_error_oom();
				goto done;
			}
		}
		if (++pages > 100000) {
			error = ikc_error_set_code(IKC_EINVALID,
						   IKC_ERR_PROVIDER,
						   "GET %s: too many pages",
						   path);
			goto done;
		}
	}
	*out = items;
	items = NULL;
done:
	ikc_http_response_dispose(&resp);
	json_object_put(doc);
	json_object_put(items);
	free(url);
	free(cont);
	return error;
}

/* The entry of (connection, collection, gen), made when missing (*mine=1:
 * the caller fetches it).  Caller holds l->mu.  NULL on OOM. */
static struct list_entry *entry_get(struct ikc_kube_lists *l,
				    const ikc_kube_conn *c, const char *path,
				    unsigned gen, int *mine)
{
	struct list_entry *e;

	*mine = 0;
	for (e = l->entries; e; e = e->next)
		if (e->conn == c && e->gen == gen && !strcmp(e->path, path))
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->path = strdup(path);
	if (!e->path) {
		free(e);
		return NULL;
	}
	e->conn = c;
	e->gen = gen;
	e->next = l->entries;
	l->entries = e;
	*mine = 1;
	return e;
}

int ikc_kube__list_read(json_object **out, ikc_provider_env *env,
			const ikc_target *t, struct ikc_kube_obj *o)
{
	struct ikc_kube_lists *l = ikc_kube__lists(env);
	struct list_entry *e;
	json_object *items = NULL, *found = NULL;
	char *path = NULL;
	unsigned gen = env->refresh_gen;
	int mine = 0, error, failed, present = 0;

	*out = NULL;
	if (!l)
		return ikc_error_oom();
	error = ikc_kube__path(&path, &o->res, o->ns, NULL, NULL);
	if (error < 0)
		return error;
	pthread_mutex_lock(&l->mu);
	purge_old(l, gen);
	e = entry_get(l, o->conn, path, gen, &mine);
	pthread_mutex_unlock(&l->mu);
	if (!e) {
		free(path);
		return ikc_error_oom();
	}
	if (mine) {
		/* the first reader of this collection lists it; the others
		 * wait below for its answer */
		error = fetch(&items, env, t, o, path);
		if (error < 0) {
			ikc_log(IKC_LOG_DEBUG, "%s: listing %s failed (%s); reading "
				      "each object instead", t->address, path,
				      ikc_error_last());
			ikc_error_clear();
		}
		pthread_mutex_lock(&l->mu);
		e->items = items;
		e->failed = error < 0;
		e->done = 1;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
	}
	pthread_mutex_lock(&l->mu);
	while (!e->done)
		pthread_cond_wait(&l->cv, &l->mu);
	failed = e->failed;
	if (!failed && json_object_object_get_ex(e->items, t->name, &found)) {
		present = 1;
		found = ikc_json_copy(found);
	} else {
		found = NULL;
	}
	pthread_mutex_unlock(&l->mu);
	if (failed) {
		/* e.g. a user allowed to get but not to list: ask one by one */
		error = ikc_kube__obj_get(out, env, t, o);
	} else if (found) {
		*out = found;
		error = 0;
	} else if (present) {
		error = ikc_error_oom();
	} else {
		error = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_PROVIDER,
					   "%s: not found: GET %s%s lists no "
					   "object named \"%s\"", t->address,
					   ikc_kube__server(o->conn), path,
					   t->name);
	}
	free(path);
	return error;
}
