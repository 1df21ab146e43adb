/* patch.c - three-way patch (desired x last applied x live) and ownership labels */
#include "providers/kubernetes/kube.h"

#include <stdlib.h>
#include <string.h>

#include "providers/provider.h"   /* for ikc_kubernetes_hints (merge keys) */
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

int ikc_kube_owned_by(json_object *live, const char *stack)
{
	json_object *labels;
	const char *by, *st;

	if (!live || !stack)
		return 0;
	labels = ikc_json_path(live, "metadata.labels");
	if (!labels || !json_object_is_type(labels, json_type_object))
		return 0;
	by = ikc_json_str(labels, IKC_KUBE_LABEL_MANAGED_BY);
	st = ikc_json_str(labels, IKC_KUBE_LABEL_STACK);
	return by && st && !strcmp(by, IKC_KUBE_MANAGED_BY_VALUE) &&
	       !strcmp(st, stack);
}

struct pctx {
	const char *api_version;
	const char *kind;
	int strategic;
};

static int diff_map(json_object **out, const struct pctx *p, const char *path,
		    json_object *d, json_object *l, json_object *c);

/* A member of an object, distinguishing "absent" (0) from "null" (1, *v NULL). */
static int member(json_object *obj, const char *key, json_object **v)
{
	*v = NULL;
	if (!obj || !json_object_is_type(obj, json_type_object))
		return 0;
	return json_object_object_get_ex(obj, key, v);
}

/*
 * 1 if every field `d` sets is in `c` with the same value (c may hold more:
 * server defaults).  Lists must have the same length.
 */
static int covered(json_object *d, json_object *c)
{
	size_t i, n;

	if (!d)
		return !c;
	if (json_object_is_type(d, json_type_object)) {
		if (!c || !json_object_is_type(c, json_type_object))
			return 0;
		json_object_object_foreach(d, k, dv) {
			json_object *cv;

			if (!member(c, k, &cv)) {
				if (dv)
					return 0;
				continue;
			}
			if (!covered(dv, cv))
				return 0;
		}
		return 1;
	}
	if (json_object_is_type(d, json_type_array)) {
		if (!c || !json_object_is_type(c, json_type_array))
			return 0;
		n = json_object_array_length(d);
		if (n != json_object_array_length(c))
			return 0;
		for (i = 0; i < n; i++)
			if (!covered(json_object_array_get_idx(d, i),
				     json_object_array_get_idx(c, i)))
				return 0;
		return 1;
	}
	return c && ikc_json_equal_loose(d, c);
}

static char *child_path(const char *path, const char *key)
{
	return *path ? ikc_asprintf("%s.%s", path, key) : strdup(key);
}

/* The element of list `arr` whose `key` equals `kv` (loosely), or NULL. */
static json_object *find_keyed(json_object *arr, const char *key,
			       json_object *kv)
{
	size_t i, n;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return NULL;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *ev;

		if (member(e, key, &ev) && ev && ikc_json_equal_loose(ev, kv))
			return e;
	}
	return NULL;
}

/* 1 if every element of `arr` is an object carrying `key`. */
static int all_keyed(json_object *arr, const char *key)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		json_object *ev;

		if (!member(json_object_array_get_idx(arr, i), key, &ev) ||
		    !ev)
			return 0;
	}
	return 1;
}

/*
 * Strategic patch of a list merged by `key`: changed or new elements of d
 * (with their key), and "$patch: delete" for elements last had, d lacks and
 * c still holds.  *out NULL when nothing differs.
 */
static int diff_keyed_list(json_object **out, const struct pctx *p,
			   const char *path, const char *key, json_object *d,
			   json_object *l, json_object *c)
{
	json_object *res = NULL, *sub = NULL, *item = NULL;
	char *epath = NULL;
	size_t i, n;
	int error = 0;

	*out = NULL;
	epath = ikc_asprintf("%s[]", path);
	res = json_object_new_array();
	if (!epath || !res) {
		error = ikc_error_oom();
		goto done;
	}
	n = json_object_array_length(d);
	for (i = 0; i < n; i++) {
		json_object *de = json_object_array_get_idx(d, i), *kv, *ce;

		(void)member(de, key, &kv);
		ce = find_keyed(c, key, kv);
		if (!ce) {
			item = ikc_json_copy(de);
			if (!item) {
				error = ikc_error_oom();
				goto done;
			}
		} else {
			error = diff_map(&sub, p, epath, de,
					 find_keyed(l, key, kv), ce);
			if (error < 0)
				goto done;
			if (!sub)
				continue;
			item = sub;
			sub = NULL;
			error = ikc_json_add(item, key, ikc_json_copy(kv));
			if (error < 0)
				goto done;
		}
		error = ikc_json_append(res, item);
		item = NULL;
		if (error < 0)
			goto done;
	}
	n = l && json_object_is_type(l, json_type_array) ?
	    json_object_array_length(l) : 0;
	for (i = 0; i < n; i++) {
		json_object *le = json_object_array_get_idx(l, i), *kv;

		if (!member(le, key, &kv) || !kv || find_keyed(d, key, kv) ||
		    !find_keyed(c, key, kv))
			continue;
		item = json_object_new_object();
		if (!item ||
		    ikc_json_add(item, key, ikc_json_copy(kv)) < 0 ||
		    ikc_json_add(item, "$patch",
				 json_object_new_string("delete")) < 0) {
			error = ikc_error_oom();
			goto done;
		}
		error = ikc_json_append(res, item);
		item = NULL;
		if (error < 0)
			goto done;
	}
	if (json_object_array_length(res)) {
		*out = res;
		res = NULL;
	}
done:
	json_object_put(item);
	json_object_put(sub);
	json_object_put(res);
	free(epath);
	return error;
}

/* Adds key: value (owned, may be NULL for a JSON null) to *patch, creating it. */
static int patch_set(json_object **patch, const char *key, json_object *value)
{
	if (!*patch) {
		*patch = json_object_new_object();
		if (!*patch) {
			json_object_put(value);
			return ikc_error_oom();
		}
	}
	if (json_object_object_add(*patch, key, value) < 0) {
		json_object_put(value);
		return ikc_error_oom();
	}
	return 0;
}

/* The patch for one member: *out owned (NULL: no change), *set 1 to send it. */
static int diff_value(json_object **out, int *set, const struct pctx *p,
		      const char *path, json_object *dv, json_object *lv,
		      int c_has, json_object *cv)
{
	const char *key = NULL;

	*out = NULL;
	*set = 0;
	if (!dv) {
		/* desired says null: make sure live has none */
		*set = c_has && cv;
		return 0;
	}
	if (!c_has || !cv ||
	    json_object_get_type(dv) != json_object_get_type(cv)) {
		if (c_has && cv && ikc_json_equal_loose(dv, cv))
			return 0;   /* 80 vs "80" */
		*out = ikc_json_copy(dv);
		*set = 1;
		return *out ? 0 : ikc_error_oom();
	}
	if (json_object_is_type(dv, json_type_object)) {
		int error = diff_map(out, p, path, dv, lv, cv);

		*set = *out != NULL;
		return error;
	}
	if (json_object_is_type(dv, json_type_array)) {
		if (p->strategic)
			key = ikc_kubernetes_hints()->merge_key(
				p->api_version, p->kind, path);
		if (key && all_keyed(dv, key)) {
			int error = diff_keyed_list(out, p, path, key, dv,
						    lv, cv);

			*set = *out != NULL;
			return error;
		}
		if (covered(dv, cv))
			return 0;
		*out = ikc_json_copy(dv);
		*set = 1;
		return *out ? 0 : ikc_error_oom();
	}
	if (ikc_json_equal_loose(dv, cv))
		return 0;
	*out = ikc_json_copy(dv);
	*set = 1;
	return *out ? 0 : ikc_error_oom();
}

static int diff_map(json_object **out, const struct pctx *p, const char *path,
		    json_object *d, json_object *l, json_object *c)
{
	json_object *patch = NULL, *v = NULL;
	char *sub = NULL;
	int error = 0, set;

	*out = NULL;
	json_object_object_foreach(d, k, dv) {
		json_object *lv, *cv;
		int c_has;

		(void)member(l, k, &lv);
		c_has = member(c, k, &cv);
		sub = child_path(path, k);
		if (!sub) {
			error = ikc_error_oom();
			goto done;
		}
		error = diff_value(&v, &set, p, sub, dv, lv, c_has, cv);
		free(sub);
		sub = NULL;
		if (error < 0)
			goto done;
		if (set) {
			error = patch_set(&patch, k, v);
			v = NULL;
			if (error < 0)
				goto done;
		}
	}
	if (l && json_object_is_type(l, json_type_object)) {
		json_object_object_foreach(l, lk, lv) {
			json_object *dv, *cv;

			if (member(d, lk, &dv) || !member(c, lk, &cv) || !cv)
				continue;
			if (lv && json_object_is_type(lv, json_type_object) &&
			    json_object_is_type(cv, json_type_object)) {
				/* remove only the members ikc set: others'
				 * labels and annotations stay */
				json_object *none = json_object_new_object();

				sub = child_path(path, lk);
				if (!none || !sub) {
					json_object_put(none);
					error = ikc_error_oom();
					goto done;
				}
				error = diff_map(&v, p, sub, none, lv, cv);
				json_object_put(none);
				free(sub);
				sub = NULL;
				if (error < 0)
					goto done;
				if (!v)
					continue;
				/* everything left would be {}: drop the map */
				if (json_object_object_length(v) ==
				    json_object_object_length(cv)) {
					json_object_put(v);
					v = NULL;
				}
				error = patch_set(&patch, lk, v);
				v = NULL;
				if (error < 0)
					goto done;
				continue;
			}
			error = patch_set(&patch, lk, NULL);
			if (error < 0)
				goto done;
		}
	}
	*out = patch;
	patch = NULL;
done:
	json_object_put(v);
	json_object_put(patch);
	free(sub);
	return error;
}

int ikc_kube_patch_compute(json_object **out, const char *api_version,
			   const char *kind, json_object *desired,
			   json_object *last, json_object *live,
			   int strategic)
{
	struct pctx p;

	*out = NULL;
	if (!desired || !json_object_is_type(desired, json_type_object))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "desired value is not an object");
	p.api_version = api_version;
	p.kind = kind;
	p.strategic = strategic;
	return diff_map(out, &p, "", desired, last, live);
}
