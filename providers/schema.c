/* schema.c - API schemas (OpenAPI v3, Google discovery): list types, merge keys, field checks */
#include "providers/schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stack/stack.h"     /* for IKC_UNKNOWN_VALUE */
#include "util/buf.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

#define OPENAPI_PREFIX "#/components/schemas/"
#define MAX_DEPTH 64         /* refs followed for one node; nesting of a check */

struct ikc_schema {
	json_object *doc;
	json_object *schemas;    /* components.schemas or schemas (borrowed) */
	json_object *by_gvk;     /* "group/version/Kind" -> schema (borrowed members) */
	int openapi;             /* 1: OpenAPI (Kubernetes); 0: discovery (Google) */
	char *label;
};

static json_object *member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static const char *str_of(json_object *obj, const char *key)
{
	json_object *v = member(obj, key);

	return json_object_is_type(v, json_type_string) ?
		json_object_get_string(v) : NULL;
}

/* Indexes x-kubernetes-group-version-kind of every schema. */
static int index_kinds(ikc_schema *s)
{
	if (!s->schemas)
		return 0;
	json_object_object_foreach(s->schemas, name, sch) {
		json_object *gvks = member(sch, "x-kubernetes-group-version-kind");
		size_t i, n;

		(void)name;
		if (!json_object_is_type(gvks, json_type_array))
			continue;
		n = json_object_array_length(gvks);
		for (i = 0; i < n; i++) {
			json_object *g = json_object_array_get_idx(gvks, i);
			const char *grp = str_of(g, "group"), *ver = str_of(g, "version"),
				   *kind = str_of(g, "kind");
			char *key;

			if (!ver || !kind)
				continue;
			key = ikc_asprintf("%s/%s/%s", grp ? grp : "", ver, kind);
			if (!key)
				return ikc_error_oom();
			if (ikc_json_add(s->by_gvk, key, json_object_get(sch)) < 0) {
				free(key);
				return ikc_error_oom();
			}
			free(key);
		}
	}
	return 0;
}

int ikc_schema_new(ikc_schema **out, json_object *doc, const char *label)
{
	ikc_schema *s = calloc(1, sizeof(*s));
	json_object *comp;
	int error;

	*out = NULL;
	if (!s)
		return ikc_error_oom();
	s->doc = json_object_get(doc);
	s->label = strdup(label ? label : "the API schema");
	s->by_gvk = json_object_new_object();
	comp = member(doc, "components");
	s->openapi = comp != NULL || member(doc, "openapi") != NULL;
	s->schemas = s->openapi ? member(comp, "schemas") : member(doc, "schemas");
	if (!s->label || !s->by_gvk) {
		ikc_schema_free(s);
		return ikc_error_oom();
	}
	error = index_kinds(s);
	if (error < 0) {
		ikc_schema_free(s);
		return error;
	}
	*out = s;
	return 0;
}

void ikc_schema_free(ikc_schema *s)
{
	if (!s)
		return;
	json_object_put(s->doc);
	json_object_put(s->by_gvk);
	free(s->label);
	free(s);
}

const char *ikc_schema_label(const ikc_schema *s)
{
	return s ? s->label : "";
}

json_object *ikc_schema_kind(const ikc_schema *s, const char *api_version,
			     const char *kind)
{
	char *key;
	json_object *v;

	if (!s || !api_version || !kind)
		return NULL;
	key = ikc_asprintf("%s%s/%s", strchr(api_version, '/') ? "" : "/",
			   api_version, kind);
	if (!key)
		return NULL;
	v = member(s->by_gvk, key);
	free(key);
	return v;
}

json_object *ikc_schema_named(const ikc_schema *s, const char *name)
{
	return s && name ? member(s->schemas, name) : NULL;
}

json_object *ikc_schema_deref(const ikc_schema *s, json_object *node)
{
	int depth;

	for (depth = 0; node && depth < MAX_DEPTH; depth++) {
		const char *ref = str_of(node, "$ref");
		json_object *all = member(node, "allOf");

		if (!ref && json_object_is_type(all, json_type_array) &&
		    json_object_array_length(all) == 1)
			ref = str_of(json_object_array_get_idx(all, 0), "$ref");
		if (!ref)
			return node;
		if (ikc_str_startswith(ref, OPENAPI_PREFIX))
			ref += strlen(OPENAPI_PREFIX);
		node = ikc_schema_named(s, ref);
	}
	return NULL;
}

json_object *ikc_schema_member(const ikc_schema *s, json_object *node,
			       const char *key)
{
	json_object *props, *p, *add;

	node = ikc_schema_deref(s, node);
	props = member(node, "properties");
	p = member(props, key);
	if (p)
		return p;
	add = member(node, "additionalProperties");
	return json_object_is_type(add, json_type_object) ? add : NULL;
}

json_object *ikc_schema_items(const ikc_schema *s, json_object *node)
{
	json_object *items = member(ikc_schema_deref(s, node), "items");

	return json_object_is_type(items, json_type_object) ? items : NULL;
}

json_object *ikc_schema_at(const ikc_schema *s, json_object *root,
			   const char *schema_path)
{
	const char *p = schema_path;
	char key[256];

	while (root && p && *p) {
		size_t n;

		if (*p == '.') {
			p++;
			continue;
		}
		if (!strncmp(p, "[]", 2)) {
			root = ikc_schema_items(s, root);
			p += 2;
			continue;
		}
		n = strcspn(p, ".[");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		root = ikc_schema_member(s, root, key);
		p += n;
	}
	return root;
}

int ikc_schema_list(const ikc_schema *s, json_object *node,
		    ikc_list_semantics *out)
{
	const char *type, *pmk;
	json_object *keys;

	/* list extensions sit on the property itself, next to a $ref or not */
	if (!node)
		return 0;
	memset(out, 0, sizeof(*out));
	type = str_of(node, "x-kubernetes-list-type");
	pmk = str_of(node, "x-kubernetes-patch-merge-key");
	keys = member(node, "x-kubernetes-list-map-keys");
	(void)s;
	if (type && !strcmp(type, "set")) {
		out->type = IKC_LIST_SET;
		return 1;
	}
	if (type && !strcmp(type, "map") &&
	    json_object_is_type(keys, json_type_array)) {
		size_t i, n = json_object_array_length(keys);

		for (i = 0; i < n && out->nkeys < IKC_LIST_MAX_KEYS; i++) {
			json_object *k = json_object_array_get_idx(keys, i);

			if (json_object_is_type(k, json_type_string))
				out->keys[out->nkeys++] = json_object_get_string(k);
		}
		out->type = out->nkeys ? IKC_LIST_MAP : IKC_LIST_ATOMIC;
		return 1;
	}
	if (pmk) {
		out->type = IKC_LIST_MAP;
		out->keys[0] = pmk;
		out->nkeys = 1;
		return 1;
	}
	if (type && !strcmp(type, "atomic")) {
		out->type = IKC_LIST_ATOMIC;
		return 1;
	}
	return 0;
}

/* ---- checks ---- */

struct checker {
	const ikc_schema *s;
	ikc_schema_skip_fn skip;
	ikc_schema_report_fn fn;
	void *ctx;
	ikc_buf path;
	ikc_buf spath;
	int count;
	int error;
};

static void report(struct checker *c, const char *fmt, ...) IKC_PRINTF(2, 3);

static void report(struct checker *c, const char *fmt, ...)
{
	ikc_buf msg = IKC_BUF_INIT(16 * 1024);
	ikc_schema_problem p;
	va_list ap;

	va_start(ap, fmt);
	if (ikc_buf_vprintf(&msg, fmt, ap) < 0)
		c->error = ikc_error_oom();
	va_end(ap);
	if (!c->error) {
		p.path = c->path.ptr ? c->path.ptr : "";
		p.message = msg.ptr ? msg.ptr : "";
		c->fn(c->ctx, &p);
		c->count++;
	}
	ikc_buf_dispose(&msg);
}

static int holds_expression(json_object *v)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return 0;
	s = json_object_get_string(v);
	return strstr(s, "${") != NULL || !strcmp(s, IKC_UNKNOWN_VALUE);
}

static int is_integer_text(const char *s)
{
	char *end;
	long long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	(void)v;
	return errno == 0 && *end == '\0';
}

static const char *type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_int:
		return "an integer";
	case json_type_double:
		return "a number";
	case json_type_string:
		return "a string";
	case json_type_array:
		return "a list";
	case json_type_object:
		return "a mapping";
	}
	return "a value";
}

/* The name a $ref points at (for Quantity), or NULL. */
static const char *ref_name(json_object *node)
{
	const char *ref = str_of(node, "$ref");
	json_object *all = member(node, "allOf");

	if (!ref && json_object_is_type(all, json_type_array) &&
	    json_object_array_length(all) == 1)
		ref = str_of(json_object_array_get_idx(all, 0), "$ref");
	return ref;
}

static void push(struct checker *c, const char *key, int index, size_t *pl,
		 size_t *sl)
{
	*pl = c->path.len;
	*sl = c->spath.len;
	if (c->error)
		return;
	if (key)
		c->error = ikc_buf_printf(&c->path, "%s%s", c->path.len ? "." : "", key);
	else
		c->error = ikc_buf_printf(&c->path, "[%d]", index);
	if (!c->error)
		c->error = key ? ikc_buf_printf(&c->spath, "%s%s",
						c->spath.len ? "." : "", key)
			       : ikc_buf_puts(&c->spath, "[]");
}

static void pop(struct checker *c, size_t pl, size_t sl)
{
	c->path.len = pl;
	if (c->path.ptr)
		c->path.ptr[pl] = '\0';
	c->spath.len = sl;
	if (c->spath.ptr)
		c->spath.ptr[sl] = '\0';
}

static void check_value(struct checker *c, json_object *node, json_object *v,
			int depth);

static void unknown_member(struct checker *c, json_object *props, const char *k)
{
	const char **names;
	size_t n = 0, i = 0;
	const char *hint = NULL;

	n = props ? (size_t)json_object_object_length(props) : 0;
	names = n ? calloc(n, sizeof(*names)) : NULL;
	if (names) {
		json_object_object_foreach(props, pk, pv) {
			(void)pv;
			names[i++] = pk;
		}
		if (strlen(k) <= 256)
			hint = ikc_str_suggest(k, names, i);
	}
	if (hint)
		report(c, "unknown field \"%s\" (did you mean \"%s\"?)",
		       c->path.ptr ? c->path.ptr : k, hint);
	else
		report(c, "unknown field \"%s\"", c->path.ptr ? c->path.ptr : k);
	free(names);
}

static void check_object(struct checker *c, json_object *node, json_object *v,
			 int depth)
{
	json_object *props = member(node, "properties");
	json_object *add = member(node, "additionalProperties");
	int open = member(node, "x-kubernetes-preserve-unknown-fields") != NULL ||
		   json_object_is_type(add, json_type_boolean) ||
		   (!props && !add);

	json_object_object_foreach(v, k, sub) {
		json_object *p = member(props, k);
		size_t pl, sl;

		push(c, k, 0, &pl, &sl);
		if (c->error)
			return;
		if (c->skip && c->skip(c->ctx, c->spath.ptr)) {
			pop(c, pl, sl);
			continue;
		}
		if (!p && json_object_is_type(add, json_type_object))
			p = add;
		if (p)
			check_value(c, p, sub, depth + 1);
		else if (!open)
			unknown_member(c, props, k);
		pop(c, pl, sl);
	}
}

static void check_value(struct checker *c, json_object *node, json_object *v,
			int depth)
{
	const char *rname = ref_name(node), *type, *format;
	json_object *n;
	int int_or_string;

	if (c->error || !node || !v || depth > MAX_DEPTH ||
	    json_object_is_type(v, json_type_null) || holds_expression(v))
		return;
	n = ikc_schema_deref(c->s, node);
	if (!n)
		return;
	type = str_of(n, "type");
	format = str_of(n, "format");
	int_or_string = member(n, "x-kubernetes-int-or-string") != NULL ||
		(format && !strcmp(format, "int-or-string")) ||
		(rname && strstr(rname, "resource.Quantity"));
	if (int_or_string) {
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_string) &&
		    !json_object_is_type(v, json_type_double))
			report(c, "%s: expected an integer or a string, got %s",
			       c->path.ptr, type_name(v));
		return;
	}
	if (!type) {
		if (member(n, "properties") && json_object_is_type(v, json_type_object))
			check_object(c, n, v, depth);
		return;
	}
	if (!strcmp(type, "object")) {
		if (!json_object_is_type(v, json_type_object))
			report(c, "%s: expected a mapping, got %s", c->path.ptr,
			       type_name(v));
		else
			check_object(c, n, v, depth);
	} else if (!strcmp(type, "array")) {
		json_object *items = member(n, "items");
		size_t i, len;

		if (!json_object_is_type(v, json_type_array)) {
			report(c, "%s: expected a list, got %s", c->path.ptr,
			       type_name(v));
			return;
		}
		len = json_object_array_length(v);
		for (i = 0; i < len && !c->error; i++) {
			size_t pl, sl;

			push(c, NULL, (int)i, &pl, &sl);
			check_value(c, items, json_object_array_get_idx(v, i),
				    depth + 1);
			pop(c, pl, sl);
		}
	} else if (!strcmp(type, "integer")) {
		/* Google's JSON takes integers as strings too; Kubernetes does not */
		if (!json_object_is_type(v, json_type_int) &&
		    !(!c->s->openapi && json_object_is_type(v, json_type_string) &&
		      is_integer_text(json_object_get_string(v))))
			report(c, "%s: expected an integer, got %s%s%s%s",
			       c->path.ptr, type_name(v),
			       json_object_is_type(v, json_type_string) ? " \"" : "",
			       json_object_is_type(v, json_type_string) ?
				       json_object_get_string(v) : "",
			       json_object_is_type(v, json_type_string) ? "\"" : "");
	} else if (!strcmp(type, "number")) {
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double))
			report(c, "%s: expected a number, got %s", c->path.ptr,
			       type_name(v));
	} else if (!strcmp(type, "boolean")) {
		if (!json_object_is_type(v, json_type_boolean))
			report(c, "%s: expected true or false, got %s", c->path.ptr,
			       type_name(v));
	} else if (!strcmp(type, "string")) {
		/* int64 fields are strings in Google's JSON and take numbers too */
		int num_ok = format && (!strcmp(format, "int64") ||
					!strcmp(format, "uint64") ||
					!strcmp(format, "byte"));

		if (json_object_is_type(v, json_type_string))
			return;
		if (num_ok && json_object_is_type(v, json_type_int) &&
		    strcmp(format, "byte"))
			return;
		report(c, "%s: expected a string, got %s", c->path.ptr,
		       type_name(v));
	}
}

int ikc_schema_check(const ikc_schema *s, json_object *root, json_object *value,
		     ikc_schema_skip_fn skip, ikc_schema_report_fn fn, void *ctx)
{
	struct checker c;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.skip = skip;
	c.fn = fn;
	c.ctx = ctx;
	c.path.max = 64 * 1024;
	c.spath.max = 64 * 1024;
	if (ikc_buf_puts(&c.path, "") < 0 || ikc_buf_puts(&c.spath, "") < 0)
		c.error = ikc_error_oom();
	if (!c.error)
		check_value(&c, root, value, 0);
	ikc_buf_dispose(&c.path);
	ikc_buf_dispose(&c.spath);
	return c.error ? c.error : c.count;
}
