/* json.c - json-c helpers: bounded parsing, paths, canonical text, loose equality */
#include "util/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ikc_json_parse(json_object **out, const char *data, size_t len,
		   const char *what)
{
	json_tokener *tok;
	json_object *obj;
	enum json_tokener_error jerr;
	size_t used;

	*out = NULL;
	if (len > (size_t)0x7fffffff)
		return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
					  "%s is too large", what);
	tok = json_tokener_new_ex(128);
	if (!tok)
		return ikc_error_oom();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, data, (int)len);
	jerr = json_tokener_get_error(tok);
	used = (size_t)json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue && !obj) {
		/* a bare number or literal may still be growing: end the input */
		obj = json_tokener_parse_ex(tok, "", 1);
		if (json_tokener_get_error(tok) == json_tokener_success) {
			jerr = json_tokener_success;
			used = len;
		} else {
			jerr = json_tokener_continue;   /* reported as truncated */
		}
	}
	if (jerr == json_tokener_continue) {
		json_tokener_free(tok);
		json_object_put(obj);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_NONE,
					  "%s: truncated JSON", what);
	}
	if (jerr != json_tokener_success) {
		json_tokener_free(tok);
		json_object_put(obj);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_NONE,
					  "%s: invalid JSON at byte %zu: %s", what,
					  used, json_tokener_error_desc(jerr));
	}
	json_tokener_free(tok);
	while (used < len && (data[used] == ' ' || data[used] == '\n' ||
			      data[used] == '\r' || data[used] == '\t'))
		used++;
	if (used < len) {
		json_object_put(obj);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_NONE,
					  "%s: unexpected data after JSON at byte %zu",
					  what, used);
	}
	*out = obj;
	return 0;
}

/* Reads one path segment: a key up to '.', '[' or end; then any [N]s. */
static const char *next_key(const char *p, char *key, size_t keymax)
{
	size_t n = 0;

	while (*p && *p != '.' && *p != '[') {
		if (n + 1 < keymax)
			key[n++] = *p;
		p++;
	}
	key[n] = '\0';
	return p;
}

static json_object *walk(json_object *cur, const char *path, int create,
			 char *lastkey, size_t keymax, json_object **parent_out,
			 long *last_index)
{
	const char *p = path;

	*last_index = -1;
	*parent_out = NULL;
	while (cur && *p) {
		char key[256];

		if (*p == '.')
			p++;
		if (*p == '[') {
			char *end;
			long idx;

			errno = 0;
			idx = strtol(p + 1, &end, 10);
			if (errno || *end != ']' || idx < 0 ||
			    !json_object_is_type(cur, json_type_array))
				return NULL;
			p = end + 1;
			if (!*p) {
				*parent_out = cur;
				*last_index = idx;
				lastkey[0] = '\0';
				return json_object_array_get_idx(cur, (size_t)idx);
			}
			cur = json_object_array_get_idx(cur, (size_t)idx);
			continue;
		}
		p = next_key(p, key, sizeof(key));
		if (!json_object_is_type(cur, json_type_object))
			return NULL;
		if (!*p) {
			*parent_out = cur;
			snprintf(lastkey, keymax, "%s", key);
			return json_object_object_get_ex(cur, key, NULL) ?
				json_object_object_get(cur, key) : NULL;
		}
		{
			json_object *next = NULL;

			if (!json_object_object_get_ex(cur, key, &next) && create) {
				next = json_object_new_object();
				if (!next || json_object_object_add(cur, key, next) < 0) {
					json_object_put(next);
					return NULL;
				}
			}
			cur = next;
		}
	}
	return cur;
}

json_object *ikc_json_path(json_object *root, const char *path)
{
	char key[256];
	json_object *parent;
	long idx;

	if (!path || !*path)
		return root;
	return walk(root, path, 0, key, sizeof(key), &parent, &idx);
}

int ikc_json_set_path(json_object *root, const char *path, json_object *value)
{
	char key[256];
	json_object *parent;
	long idx;

	(void)walk(root, path, 1, key, sizeof(key), &parent, &idx);
	if (!parent) {
		json_object_put(value);
		return ikc_error_set(IKC_ERR_NONE, "cannot set path %s", path);
	}
	if (idx >= 0) {
		if (json_object_array_put_idx(parent, (size_t)idx, value) < 0) {
			json_object_put(value);
			return ikc_error_oom();
		}
		return 0;
	}
	return ikc_json_add(parent, key, value);
}

int ikc_json_del_path(json_object *root, const char *path)
{
	char key[256];
	json_object *parent;
	long idx;

	(void)walk(root, path, 0, key, sizeof(key), &parent, &idx);
	if (!parent)
		return 0;
	if (idx >= 0) {
		if ((size_t)idx < json_object_array_length(parent))
			json_object_array_del_idx(parent, (size_t)idx, 1);
		return 0;
	}
	json_object_object_del(parent, key);
	return 0;
}

const char *ikc_json_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

json_object *ikc_json_copy(json_object *src)
{
	json_object *dst = NULL;

	if (!src)
		return NULL;
	if (json_object_deep_copy(src, &dst, NULL) < 0)
		return NULL;
	return dst;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ikc_json_canonical(ikc_buf *out, json_object *obj)
{
	switch (json_object_get_type(obj)) {
	case json_type_object: {
		size_t n = (size_t)json_object_object_length(obj), i = 0;
		const char **keys;
		int error = 0;

		keys = calloc(n ? n : 1, sizeof(*keys));
		if (!keys)
			return ikc_error_oom();
		json_object_object_foreach(obj, k, v) {
			(void)v;
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), cmp_keys);
		error = ikc_buf_puts(out, "{");
		for (i = 0; i < n && !error; i++) {
			json_object *ks = json_object_new_string(keys[i]);

			if (!ks) {
				error = ikc_error_oom();
				break;
			}
			error = ikc_buf_printf(out, "%s%s:", i ? "," : "",
				json_object_to_json_string_ext(ks, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(ks);
			if (!error)
				error = ikc_json_canonical(out, json_object_object_get(obj, keys[i]));
		}
		if (!error)
			error = ikc_buf_puts(out, "}");
		free(keys);
		return error;
	}
	case json_type_array: {
		size_t n = json_object_array_length(obj), i;
		int error = ikc_buf_puts(out, "[");

		for (i = 0; i < n && !error; i++) {
			if (i)
				error = ikc_buf_puts(out, ",");
			if (!error)
				error = ikc_json_canonical(out, json_object_array_get_idx(obj, i));
		}
		return error ? error : ikc_buf_puts(out, "]");
	}
	case json_type_null:
		return ikc_buf_puts(out, "null");
	default:
		return ikc_buf_puts(out, json_object_to_json_string_ext(obj,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
}

/* An integer held in a number or in a decimal string. 1 if it is one. */
static int as_int(json_object *v, long long *out)
{
	char *end;
	const char *s;

	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 1;
	}
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (d != (double)(long long)d)
			return 0;
		*out = (long long)d;
		return 1;
	}
	if (!json_object_is_type(v, json_type_string))
		return 0;
	s = json_object_get_string(v);
	if (!*s)
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && *end == '\0';
}

int ikc_json_equal_loose(json_object *a, json_object *b)
{
	json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
	long long ia, ib;

	if (ta != tb || ta == json_type_int || ta == json_type_double) {
		if ((ta == json_type_int || ta == json_type_double ||
		     ta == json_type_string) &&
		    (tb == json_type_int || tb == json_type_double ||
		     tb == json_type_string) &&
		    as_int(a, &ia) && as_int(b, &ib))
			return ia == ib;
		if ((ta == json_type_double || ta == json_type_int) &&
		    (tb == json_type_double || tb == json_type_int))
			return json_object_get_double(a) == json_object_get_double(b);
		return 0;
	}
	switch (ta) {
	case json_type_object: {
		if (json_object_object_length(a) != json_object_object_length(b))
			return 0;
		json_object_object_foreach(a, k, va) {
			json_object *vb;

			if (!json_object_object_get_ex(b, k, &vb) ||
			    !ikc_json_equal_loose(va, vb))
				return 0;
		}
		return 1;
	}
	case json_type_array: {
		size_t n = json_object_array_length(a), i;

		if (n != json_object_array_length(b))
			return 0;
		for (i = 0; i < n; i++)
			if (!ikc_json_equal_loose(json_object_array_get_idx(a, i),
						  json_object_array_get_idx(b, i)))
				return 0;
		return 1;
	}
	case json_type_null:
		return 1;
	case json_type_boolean:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	default:
		return !strcmp(json_object_get_string(a), json_object_get_string(b));
	}
}

int ikc_json_add(json_object *obj, const char *key, json_object *val)
{
	if (!obj || !json_object_is_type(obj, json_type_object) ||
	    json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return ikc_error_oom();
	}
	return 0;
}

int ikc_json_append(json_object *arr, json_object *val)
{
	if (!arr || !json_object_is_type(arr, json_type_array) ||
	    json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		return ikc_error_oom();
	}
	return 0;
}
