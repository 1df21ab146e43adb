/* patch.c - PATCH semantics: JSON merge patch, JSON patch, strategic merge patch */
#include "sim/kube/kube.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/str.h"

/* ---- RFC 7386 ---- */

json_object *kube__merge_patch(json_object *target, json_object *patch)
{
	if (!json_object_is_type(patch, json_type_object)) {
		json_object_put(target);
		return ikc_json_copy(patch);
	}
	if (!target || !json_object_is_type(target, json_type_object)) {
		json_object_put(target);
		target = json_object_new_object();
	}
	json_object_object_foreach(patch, key, val) {
		if (!val) {
			json_object_object_del(target, key);
		} else {
			json_object *cur = NULL;

			if (json_object_object_get_ex(target, key, &cur))
				json_object_get(cur);
			json_object_object_add(target, key,
					       kube__merge_patch(cur, val));
		}
	}
	return target;
}

/* ---- RFC 6902 ---- */

/* Decodes one JSON pointer token (~1 → /, ~0 → ~). Owned. */
static char *ptr_token(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, j = 0;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '~' && i + 1 < n && s[i + 1] == '1') {
			out[j++] = '/';
			i++;
		} else if (s[i] == '~' && i + 1 < n && s[i + 1] == '0') {
			out[j++] = '~';
			i++;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
}

/*
 * Resolves a pointer to its parent container and last token.  Returns 0,
 * or -1 when an intermediate step is missing.
 */
static int resolve(json_object *doc, const char *ptr, json_object **parent,
		   char **last)
{
	const char *p = ptr;
	json_object *cur = doc;

	*parent = NULL;
	*last = NULL;
	if (*p != '/')
		return -1;
	for (;;) {
		const char *s = p + 1;
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char *tok = ptr_token(s, n);

		if (!tok)
			return -1;
		if (!e) {
			*parent = cur;
			*last = tok;
			return 0;
		}
		if (json_object_is_type(cur, json_type_object)) {
			json_object *next = NULL;

			if (!json_object_object_get_ex(cur, tok, &next)) {
				free(tok);
				return -1;
			}
			cur = next;
		} else if (json_object_is_type(cur, json_type_array)) {
			char *end;
			long idx = strtol(tok, &end, 10);

			if (*end || idx < 0 ||
			    (size_t)idx >= kube__len(cur)) {
				free(tok);
				return -1;
			}
			cur = json_object_array_get_idx(cur, (size_t)idx);
		} else {
			free(tok);
			return -1;
		}
		free(tok);
		p = e;
	}
}

static json_object *ptr_get(json_object *doc, const char *ptr)
{
	json_object *parent, *v = NULL;
	char *last;

	if (strcmp(ptr, "") == 0)
		return doc;
	if (resolve(doc, ptr, &parent, &last) < 0)
		return NULL;
	if (json_object_is_type(parent, json_type_object)) {
		(void)json_object_object_get_ex(parent, last, &v);
	} else if (json_object_is_type(parent, json_type_array)) {
		char *end;
		long idx = strtol(last, &end, 10);

		if (!*end && idx >= 0 && (size_t)idx < kube__len(parent))
			v = json_object_array_get_idx(parent, (size_t)idx);
	}
	free(last);
	return v;
}

/* Rebuilds an array with `val` inserted at idx (or removed when val NULL). */
static int array_edit(json_object *arr, long idx, json_object *val, int remove)
{
	size_t n = kube__len(arr), i;
	json_object **items = calloc(n + 1, sizeof(*items));

	if (!items)
		return -1;
	for (i = 0; i < n; i++)
		items[i] = json_object_get(json_object_array_get_idx(arr, i));
	json_object_array_del_idx(arr, 0, n);
	for (i = 0; i <= n; i++) {
		if ((long)i == idx && !remove)
			json_object_array_add(arr, val);
		if (i == n)
			break;
		if ((long)i == idx && remove) {
			json_object_put(items[i]);
			continue;
		}
		json_object_array_add(arr, items[i]);
	}
	free(items);
	return 0;
}

/* Adds (or replaces when `replace`) `val` (owned) at ptr. */
static int ptr_add(json_object **doc, const char *ptr, json_object *val,
		   int replace)
{
	json_object *parent;
	char *last;
	int rc = 0;

	if (strcmp(ptr, "") == 0) {
		json_object_put(*doc);
		*doc = val;
		return 0;
	}
	if (resolve(*doc, ptr, &parent, &last) < 0) {
		json_object_put(val);
		return -1;
	}
	if (json_object_is_type(parent, json_type_object)) {
		if (replace && !json_object_object_get_ex(parent, last, NULL)) {
			json_object_put(val);
			rc = -1;
		} else {
			json_object_object_add(parent, last, val);
		}
	} else if (json_object_is_type(parent, json_type_array)) {
		size_t n = kube__len(parent);
		char *end;
		long idx = strcmp(last, "-") == 0 ? (long)n : strtol(last, &end, 10);

		if (strcmp(last, "-") != 0 && *end)
			idx = -1;
		if (idx < 0 || (size_t)idx > n || (replace && (size_t)idx >= n)) {
			json_object_put(val);
			rc = -1;
		} else if (replace) {
			json_object_array_put_idx(parent, (size_t)idx, val);
		} else {
			rc = array_edit(parent, idx, val, 0);
		}
	} else {
		json_object_put(val);
		rc = -1;
	}
	free(last);
	return rc;
}

static int ptr_remove(json_object *doc, const char *ptr)
{
	json_object *parent;
	char *last;
	int rc = -1;

	if (resolve(doc, ptr, &parent, &last) < 0)
		return -1;
	if (json_object_is_type(parent, json_type_object)) {
		if (json_object_object_get_ex(parent, last, NULL)) {
			json_object_object_del(parent, last);
			rc = 0;
		}
	} else if (json_object_is_type(parent, json_type_array)) {
		char *end;
		long idx = strtol(last, &end, 10);

		if (!*end && idx >= 0 && (size_t)idx < kube__len(parent))
			rc = array_edit(parent, idx, NULL, 1);
	}
	free(last);
	return rc;
}

int kube__json_patch(json_object **doc, json_object *ops, char **err_out)
{
	size_t i;

	*err_out = NULL;
	if (!json_object_is_type(ops, json_type_array)) {
		*err_out = ikc_asprintf("json patch must be a list of operations");
		return -1;
	}
	for (i = 0; i < kube__len(ops); i++) {
		json_object *op = json_object_array_get_idx(ops, i);
		const char *name = ikc_json_str(op, "op");
		const char *path = ikc_json_str(op, "path");
		const char *from = ikc_json_str(op, "from");
		json_object *value = NULL;
		int rc = -1;

		(void)json_object_object_get_ex(op, "value", &value);
		if (!name || !path) {
			*err_out = ikc_asprintf("json patch operation %zu lacks op or path", i);
			return -1;
		}
		if (strcmp(name, "add") == 0) {
			rc = ptr_add(doc, path, ikc_json_copy(value), 0);
		} else if (strcmp(name, "replace") == 0) {
			rc = ptr_add(doc, path, ikc_json_copy(value), 1);
		} else if (strcmp(name, "remove") == 0) {
			rc = ptr_remove(*doc, path);
		} else if (strcmp(name, "test") == 0) {
			json_object *cur = ptr_get(*doc, path);

			rc = cur && json_object_equal(cur, value) ? 0 : -1;
			if (rc < 0) {
				*err_out = ikc_asprintf("testing value %s failed", path);
				return -1;
			}
		} else if ((strcmp(name, "move") == 0 || strcmp(name, "copy") == 0) &&
			   from) {
			json_object *src = ptr_get(*doc, from);
			json_object *v = src ? ikc_json_copy(src) : NULL;

			if (v && strcmp(name, "move") == 0 && ptr_remove(*doc, from) < 0) {
				json_object_put(v);
				v = NULL;
			}
			rc = v ? ptr_add(doc, path, v, 0) : -1;
		} else {
			*err_out = ikc_asprintf("unexpected kind of operation: %s", name);
			return -1;
		}
		if (rc < 0) {
			*err_out = ikc_asprintf("jsonpatch %s operation does not apply: "
						"doc is missing path: \"%s\"", name, path);
			return -1;
		}
	}
	return 0;
}

/* ---- strategic merge patch ---- */

/* The merge key of a list field, or NULL when the list is replaced. */
static const char *merge_key(const kube_kind *kd, const char *parent_path,
			     const char *field)
{
	if (strcmp(field, "containers") == 0 || strcmp(field, "initContainers") == 0 ||
	    strcmp(field, "ephemeralContainers") == 0 ||
	    strcmp(field, "volumes") == 0 || strcmp(field, "imagePullSecrets") == 0 ||
	    strcmp(field, "env") == 0)
		return "name";
	if (strcmp(field, "ports") == 0) {
		if (kd && strcmp(kd->kind, "Service") == 0 &&
		    strcmp(parent_path, "spec") == 0)
			return "port";
		return "containerPort";
	}
	if (strcmp(field, "volumeMounts") == 0)
		return "mountPath";
	if (strcmp(field, "volumeDevices") == 0)
		return "devicePath";
	if (strcmp(field, "ownerReferences") == 0)
		return "uid";
	if (strcmp(field, "conditions") == 0 || strcmp(field, "taints") == 0)
		return strcmp(field, "taints") == 0 ? "key" : "type";
	if (strcmp(field, "hostAliases") == 0)
		return "ip";
	if (strcmp(field, "topologySpreadConstraints") == 0)
		return "topologyKey";
	if (strcmp(field, "addresses") == 0)
		return "type";
	return NULL;
}

/* Lists of scalars that merge as sets. */
static int merge_primitive(const char *field)
{
	return strcmp(field, "finalizers") == 0;
}

static int smp_map(json_object *target, json_object *patch,
		   const kube_kind *kd, const char *path, char **err_out);

/* A copy of a patch value with directives resolved against nothing. */
static json_object *strip(json_object *v, const kube_kind *kd, const char *path)
{
	json_object *out;
	char *err = NULL;

	if (json_object_is_type(v, json_type_object)) {
		out = json_object_new_object();
		if (smp_map(out, v, kd, path, &err) < 0) {
			free(err);
		}
		return out;
	}
	if (json_object_is_type(v, json_type_array)) {
		size_t i;

		out = json_object_new_array();
		for (i = 0; i < kube__len(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			const char *d = json_object_is_type(e, json_type_object)
						? ikc_json_str(e, "$patch")
						: NULL;

			if (d)
				continue;
			json_object_array_add(out, strip(e, kd, path));
		}
		return out;
	}
	return ikc_json_copy(v);
}

static int same_key(json_object *a, json_object *b, const char *key)
{
	json_object *x = NULL, *y = NULL;

	if (!json_object_is_type(a, json_type_object) ||
	    !json_object_is_type(b, json_type_object))
		return 0;
	if (!json_object_object_get_ex(a, key, &x) ||
	    !json_object_object_get_ex(b, key, &y))
		return 0;
	return ikc_json_equal_loose(x, y);
}

static int smp_list(json_object *parent, const char *field, json_object *patch,
		    const kube_kind *kd, const char *path, const char *key,
		    char **err_out)
{
	json_object *cur = NULL;
	size_t i, j;
	char *sub = ikc_asprintf("%s%s%s", path, *path ? "." : "", field);

	if (!json_object_object_get_ex(parent, field, &cur) ||
	    !json_object_is_type(cur, json_type_array)) {
		cur = json_object_new_array();
		json_object_object_add(parent, field, cur);
	}
	/* {"$patch": "replace"} in a keyed list replaces the whole list. */
	for (i = 0; i < kube__len(patch); i++) {
		json_object *e = json_object_array_get_idx(patch, i);
		const char *d = json_object_is_type(e, json_type_object)
					? ikc_json_str(e, "$patch")
					: NULL;

		if (d && strcmp(d, "replace") == 0) {
			json_object_object_add(parent, field, strip(patch, kd, sub));
			free(sub);
			return 0;
		}
	}
	for (i = 0; i < kube__len(patch); i++) {
		json_object *e = json_object_array_get_idx(patch, i);
		const char *d;
		int found = -1;

		if (!json_object_is_type(e, json_type_object)) {
			free(sub);
			*err_out = ikc_asprintf("list %s must hold objects", field);
			return -1;
		}
		d = ikc_json_str(e, "$patch");
		for (j = 0; j < kube__len(cur); j++)
			if (same_key(json_object_array_get_idx(cur, j), e, key)) {
				found = (int)j;
				break;
			}
		if (d && strcmp(d, "delete") == 0) {
			if (found >= 0)
				json_object_array_del_idx(cur, (size_t)found, 1);
			continue;
		}
		if (!json_object_object_get_ex(e, key, NULL)) {
			free(sub);
			*err_out = ikc_asprintf("map: %s does not contain declared "
						"merge key: %s",
						json_object_to_json_string(e), key);
			return -1;
		}
		if (found >= 0) {
			if (smp_map(json_object_array_get_idx(cur, (size_t)found), e,
				    kd, sub, err_out) < 0) {
				free(sub);
				return -1;
			}
		} else {
			json_object_array_add(cur, strip(e, kd, sub));
		}
	}
	free(sub);
	return 0;
}

/* Orders list `field` of target by the keys in `order`; others keep their place after. */
static void set_order(json_object *target, const char *field, json_object *order,
		      const char *key)
{
	json_object *cur = NULL, *out;
	size_t i, j, n;
	char *used;

	if (!json_object_object_get_ex(target, field, &cur) ||
	    !json_object_is_type(cur, json_type_array) ||
	    !json_object_is_type(order, json_type_array))
		return;
	n = kube__len(cur);
	used = calloc(n + 1, 1);
	if (!used)
		return;
	out = json_object_new_array();
	for (i = 0; i < kube__len(order); i++) {
		json_object *o = json_object_array_get_idx(order, i);

		for (j = 0; j < n; j++) {
			json_object *e = json_object_array_get_idx(cur, j);

			if (used[j])
				continue;
			if ((key && same_key(e, o, key)) ||
			    (!key && ikc_json_equal_loose(e, o))) {
				used[j] = 1;
				json_object_array_add(out, json_object_get(e));
				break;
			}
		}
	}
	for (j = 0; j < n; j++)
		if (!used[j])
			json_object_array_add(out, json_object_get(
							   json_object_array_get_idx(cur, j)));
	free(used);
	json_object_object_add(target, field, out);
}

static int smp_map(json_object *target, json_object *patch,
		   const kube_kind *kd, const char *path, char **err_out)
{
	const char *d = ikc_json_str(patch, "$patch");
	json_object *retain = NULL;

	if (d && strcmp(d, "replace") == 0) {
		json_object_object_foreach(target, tk, tv) {
			(void)tv;
			json_object_object_del(target, tk);
		}
	} else if (d && strcmp(d, "delete") == 0) {
		json_object_object_foreach(target, tk, tv) {
			(void)tv;
			json_object_object_del(target, tk);
		}
		return 0;
	} else if (d && strcmp(d, "merge") != 0) {
		*err_out = ikc_asprintf("unknown patch type: %s", d);
		return -1;
	}
	json_object_object_foreach(patch, key, val) {
		json_object *cur = NULL;
		const char *mk;
		char *sub;

		if (key[0] == '$') {
			if (ikc_str_startswith(key, "$deleteFromPrimitiveList/")) {
				const char *f = key + strlen("$deleteFromPrimitiveList/");
				json_object *list = NULL;
				size_t i, j;

				if (!json_object_object_get_ex(target, f, &list) ||
				    !json_object_is_type(list, json_type_array) ||
				    !json_object_is_type(val, json_type_array))
					continue;
				for (i = 0; i < kube__len(val); i++)
					for (j = kube__len(list); j-- > 0;)
						if (ikc_json_equal_loose(
							    json_object_array_get_idx(list, j),
							    json_object_array_get_idx(val, i)))
							json_object_array_del_idx(list, j, 1);
			}
			continue;
		}
		if (!val) {
			json_object_object_del(target, key);
			continue;
		}
		sub = ikc_asprintf("%s%s%s", path, *path ? "." : "", key);
		(void)json_object_object_get_ex(target, key, &cur);
		mk = json_object_is_type(val, json_type_array)
			     ? merge_key(kd, path, key)
			     : NULL;
		if (json_object_is_type(val, json_type_object)) {
			if (!cur || !json_object_is_type(cur, json_type_object)) {
				json_object_object_add(target, key, strip(val, kd, sub));
			} else if (smp_map(cur, val, kd, sub, err_out) < 0) {
				free(sub);
				return -1;
			}
			if (json_object_object_get_ex(target, key, &cur) &&
			    ikc_json_str(val, "$patch") &&
			    strcmp(ikc_json_str(val, "$patch"), "delete") == 0)
				json_object_object_del(target, key);
		} else if (mk) {
			if (smp_list(target, key, val, kd, path, mk, err_out) < 0) {
				free(sub);
				return -1;
			}
		} else if (json_object_is_type(val, json_type_array) &&
			   merge_primitive(key) && cur &&
			   json_object_is_type(cur, json_type_array)) {
			size_t i, j;

			for (i = 0; i < kube__len(val); i++) {
				json_object *v = json_object_array_get_idx(val, i);
				int have = 0;

				for (j = 0; j < kube__len(cur); j++)
					if (ikc_json_equal_loose(
						    json_object_array_get_idx(cur, j), v))
						have = 1;
				if (!have)
					json_object_array_add(cur, ikc_json_copy(v));
			}
		} else {
			json_object_object_add(target, key, strip(val, kd, sub));
		}
		free(sub);
	}
	/* Directives that act after the merge. */
	{
		json_object_object_foreach(patch, key, val) {
			if (ikc_str_startswith(key, "$setElementOrder/")) {
				const char *f = key + strlen("$setElementOrder/");

				set_order(target, f, val, merge_key(kd, path, f));
			}
		}
	}
	if (json_object_object_get_ex(patch, "$retainKeys", &retain) &&
	    json_object_is_type(retain, json_type_array)) {
		json_object_object_foreach(target, tk, tv) {
			size_t i;
			int keep = 0;

			(void)tv;
			for (i = 0; i < kube__len(retain); i++) {
				const char *s = json_object_get_string(
					json_object_array_get_idx(retain, i));

				if (s && strcmp(s, tk) == 0)
					keep = 1;
			}
			if (!keep)
				json_object_object_del(target, tk);
		}
	}
	return 0;
}

int kube__smp(json_object *target, json_object *patch, const kube_kind *kd,
	      char **err_out)
{
	*err_out = NULL;
	if (!json_object_is_type(patch, json_type_object) ||
	    !json_object_is_type(target, json_type_object)) {
		*err_out = ikc_asprintf("strategic merge patch must be a JSON object");
		return -1;
	}
	return smp_map(target, patch, kd, "", err_out);
}
