/* yaml.c - YAML stream to json-c values (libyaml event API), with positions and caps */
#include "stack/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

typedef struct frame {
	json_object *node;    /* object or array being filled */
	int is_map;
	char *key;            /* mapping: key waiting for its value */
	int have_key;
	int skip_value;       /* the key was bad: drop the value that follows */
	ikc_stack__pos keypos;
	char *anchor;
	size_t nodes;         /* nodes inside, for alias accounting */
	ikc_stack__pos pos;
	json_object *merged;  /* keys that came from a merge key ("<<") */
} frame;

typedef struct anchor {
	char *name;
	json_object *value;   /* a reference we hold (NULL for null) */
	size_t nodes;
} anchor;

typedef struct reader {
	ikc_stack_pos *pos;
	ikc_diags *diags;
	const char *file;
	frame frames[IKC_STACK_MAX_DEPTH];
	size_t depth;
	anchor *anchors;
	size_t nanchors, capanchors;
	json_object *anchor_index;  /* name -> index in anchors (latest wins) */
	size_t errors;              /* diagnostics added by the reader */
	const char *key_text;       /* source text of the scalar being a key */
	size_t alias_nodes;
	ikc_stack__doc *docs;
	size_t ndocs, capdocs;
	json_object *root;
	int have_root;
	ikc_stack__pos rootpos;
} reader;

/* ---- scalars ---------------------------------------------------------- */

static int all_in(const char *s, size_t len, const char *set)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!s[i] || !strchr(set, s[i]))
			return 0;
	return 1;
}

static int is_word(const char *s, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == len && memcmp(*words, s, len) == 0)
			return 1;
	return 0;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int is_float(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			digits++;
		}
	}
	if (!digits)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t ed = 0;

		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			ed++;
		}
		if (!ed)
			return 0;
	}
	return i == len;
}

static json_object *parse_int(const char *s, size_t len, int base, int *ok)
{
	char buf[80];
	char *end;
	long long v;

	*ok = 0;
	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, base);
	if (errno || *end)
		return NULL;
	*ok = 1;
	return json_object_new_int64((int64_t)v);
}

json_object *ikc_stack__plain_scalar(const char *text, size_t len, int *is_null)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL", NULL };
	/*
	 * YAML 1.1 booleans, as kubectl's YAML reader (go-yaml v2) has them,
	 * except the single letters y and n, which are far more often meant
	 * as text (a name, a label value) than as a boolean.
	 */
	static const char *const trues[] = { "true", "True", "TRUE", "yes", "Yes",
					     "YES", "on", "On", "ON", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", "no",
					      "No", "NO", "off", "Off", "OFF",
					      NULL };
	const char *s = text;
	size_t n = len;
	int ok;

	*is_null = 0;
	if (len == 0 || is_word(text, len, nulls)) {
		*is_null = 1;
		return NULL;
	}
	if (is_word(text, len, trues))
		return json_object_new_boolean(1);
	if (is_word(text, len, falses))
		return json_object_new_boolean(0);
	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		s++;
		n--;
	}
	if (n > 1 && s[0] == '0' && all_in(s, n, "01234567")) {
		/* YAML 1.1 octal, as in "defaultMode: 0644" */
		json_object *v = parse_int(text, len, 8, &ok);

		if (ok)
			return v;
	}
	if (all_in(s, n, "0123456789")) {
		json_object *v = parse_int(text, len, 10, &ok);

		if (ok)
			return v;
		/* too large for int64: keep the magnitude as a float */
	}
	if (len > 2 && text[0] == '0' && text[1] == 'x' &&
	    all_in(text + 2, len - 2, "0123456789abcdefABCDEF")) {
		json_object *v = parse_int(text + 2, len - 2, 16, &ok);

		if (ok)
			return v;
	}
	if (len > 2 && text[0] == '0' && text[1] == 'o' &&
	    all_in(text + 2, len - 2, "01234567")) {
		json_object *v = parse_int(text + 2, len - 2, 8, &ok);

		if (ok)
			return v;
	}
	if (is_float(text, len) && len < 400) {
		char buf[400];
		double d;

		memcpy(buf, text, len);
		buf[len] = '\0';
		errno = 0;
		d = strtod(buf, NULL);
		if (errno != ERANGE)
			return json_object_new_double(d);
	}
	/* .inf and .nan have no JSON form: they stay text */
	return json_object_new_string_len(text, (int)len);
}

/*
 * The value of a scalar event.  Returns 0 (value in *out, NULL with
 * *is_null for null), IKC_EINVALID with *why set for a value its tag
 * does not admit, IKC_ERROR on OOM.
 */
static int scalar_value(json_object **out, int *is_null, const yaml_event_t *ev,
			const char **why)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *text = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	json_object *v;

	*out = NULL;
	*is_null = 0;
	if (len > (size_t)0x7fffffff) {
		*why = "scalar too long";
		return IKC_EINVALID;
	}
	if (tag && strcmp(tag, "!") != 0 && ikc_str_startswith(tag, TAG_PREFIX)) {
		const char *t = tag + strlen(TAG_PREFIX);

		if (strcmp(t, "str") == 0)
			goto string;
		v = ikc_stack__plain_scalar(text, len, is_null);
		if (strcmp(t, "null") == 0) {
			json_object_put(v);
			if (!*is_null) {
				*why = "a !!null scalar must be empty, ~ or null";
				return IKC_EINVALID;
			}
			return 0;
		}
		if (strcmp(t, "bool") == 0 &&
		    !json_object_is_type(v, json_type_boolean)) {
			*why = "a !!bool scalar must be true or false";
			goto bad;
		}
		if (strcmp(t, "int") == 0 &&
		    !json_object_is_type(v, json_type_int)) {
			*why = "a !!int scalar must be an integer";
			goto bad;
		}
		if (strcmp(t, "float") == 0) {
			if (json_object_is_type(v, json_type_int)) {
				double d = (double)json_object_get_int64(v);

				json_object_put(v);
				v = json_object_new_double(d);
			} else if (!json_object_is_type(v, json_type_double)) {
				*why = "a !!float scalar must be a number";
				goto bad;
			}
		}
		if (strcmp(t, "null") != 0 && strcmp(t, "bool") != 0 &&
		    strcmp(t, "int") != 0 && strcmp(t, "float") != 0) {
			/* other standard tags (binary, timestamp): text */
			json_object_put(v);
			goto string;
		}
		if (!v && !*is_null)
			return ikc_error_oom();
		*out = v;
		return 0;
bad:
		json_object_put(v);
		*is_null = 0;
		return IKC_EINVALID;
	}
	if (!tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		v = ikc_stack__plain_scalar(text, len, is_null);
		if (!v && !*is_null)
			return ikc_error_oom();
		*out = v;
		return 0;
	}
string:
	/* quoted, block, "!" and local tags: always a string */
	v = json_object_new_string_len(text, (int)len);
	if (!v)
		return ikc_error_oom();
	*out = v;
	return 0;
}

/* ---- building ----------------------------------------------------------- */

static void diag(reader *r, const ikc_stack__pos *p, const char *fmt, ...)
	IKC_PRINTF(3, 4);

static void diag(reader *r, const ikc_stack__pos *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (r->errors >= IKC_STACK_MAX_ERRORS)
		return;
	if (++r->errors == IKC_STACK_MAX_ERRORS) {
		ikc_diags_add(r->diags, IKC_DIAG_ERROR, r->file, p->line, p->col,
			      "too many errors; stopping here");
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ikc_diags_add(r->diags, IKC_DIAG_ERROR, r->file, p->line, p->col, "%s",
		      msg);
}

/* Every member and element of an alias copy takes the alias's position. */
static int mark_all(reader *r, json_object *v, const ikc_stack__pos *p,
		    int depth)
{
	ikc_stack__pos at = *p;

	at.plain_oneline = 0;
	if (depth > IKC_STACK_MAX_DEPTH)
		return 0;
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, child) {
			ikc_stack__pos kp = at;

			kp.kline = at.line;
			kp.kcol = at.col;
			if (ikc_stack__pos_set(r->pos, v, k, 0, &kp) < 0 ||
			    mark_all(r, child, p, depth + 1) < 0)
				return IKC_ERROR;
		}
	} else if (json_object_is_type(v, json_type_array)) {
		size_t i, n = json_object_array_length(v);

		for (i = 0; i < n; i++)
			if (ikc_stack__pos_set(r->pos, v, NULL, i, &at) < 0 ||
			    mark_all(r, json_object_array_get_idx(v, i), p,
				     depth + 1) < 0)
				return IKC_ERROR;
	}
	return 0;
}

static const char *type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_int: return "an integer";
	case json_type_double: return "a number";
	case json_type_object: return "a mapping";
	case json_type_array: return "a sequence";
	default: return "a string";
	}
}

/* Members of `src` that the mapping of `f` does not have yet. */
static int merge_one(reader *r, frame *f, json_object *src,
		     const ikc_stack__pos *p)
{
	json_object_object_foreach(src, k, child) {
		const ikc_stack__pos *from;
		ikc_stack__pos at;

		if (json_object_object_get_ex(f->node, k, NULL))
			continue;   /* set before, or by an earlier merge */
		from = ikc_stack__pos_get(r->pos, src, k, 0);
		at = from ? *from : *p;
		if (!f->merged)
			f->merged = json_object_new_object();
		if (!f->merged ||
		    ikc_json_add(f->node, k, json_object_get(child)) < 0 ||
		    ikc_json_add(f->merged, k, json_object_new_boolean(1)) < 0 ||
		    ikc_stack__pos_set(r->pos, f->node, k, 0, &at) < 0)
			return ikc_error_oom();
	}
	return 0;
}

/*
 * The YAML merge key, as kubectl's YAML reader knows it: "<<: *base" or
 * "<<: [*a, *b]" (earlier mappings win; the mapping's own keys win).
 */
static int merge(reader *r, frame *f, json_object *v, const ikc_stack__pos *p)
{
	size_t i, n;

	if (json_object_is_type(v, json_type_object))
		return merge_one(r, f, v, p);
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (!json_object_is_type(json_object_array_get_idx(v, i),
						 json_type_object))
				break;
		if (i == n) {
			for (i = 0; i < n; i++) {
				int error = merge_one(r, f,
					json_object_array_get_idx(v, i), p);

				if (error < 0)
					return error;
			}
			return 0;
		}
	}
	diag(r, p, "a merge key (<<) takes a mapping or a list of mappings");
	return 0;
}

/*
 * A node is complete: register its anchor, then hand it to its parent (or
 * make it the document's root).  Takes `v` in every case.
 */
static int complete(reader *r, json_object *v, const ikc_stack__pos *p,
		    size_t nodes, const char *anchor_name)
{
	frame *f;

	if (anchor_name) {
		anchor *a;

		if (r->nanchors == r->capanchors) {
			size_t ncap = r->capanchors ? r->capanchors * 2 : 8;
			anchor *n = realloc(r->anchors, ncap * sizeof(*n));

			if (!n)
				goto oom;
			r->anchors = n;
			r->capanchors = ncap;
		}
		a = &r->anchors[r->nanchors];
		a->name = strdup(anchor_name);
		if (!a->name)
			goto oom;
		a->value = json_object_get(v);
		a->nodes = nodes;
		r->nanchors++;
		if (!r->anchor_index)
			r->anchor_index = json_object_new_object();
		if (!r->anchor_index ||
		    ikc_json_add(r->anchor_index, anchor_name,
				 json_object_new_int64((int64_t)(r->nanchors - 1))) < 0)
			goto oom;
	}
	if (r->depth == 0) {
		r->root = v;
		r->have_root = 1;
		r->rootpos = *p;
		return 0;
	}
	f = &r->frames[r->depth - 1];
	f->nodes += nodes;
	if (f->is_map && !f->have_key) {
		f->have_key = 1;
		f->keypos = *p;
		if (!json_object_is_type(v, json_type_string)) {
			if (json_object_is_type(v, json_type_object) ||
			    json_object_is_type(v, json_type_array) || !v)
				diag(r, p, "mapping key is %s; keys must be strings",
				     type_name(v));
			else
				diag(r, p, "mapping key %s is %s; keys must be "
				     "strings (quote it: \"%s\")",
				     r->key_text ? r->key_text :
				     json_object_to_json_string(v), type_name(v),
				     r->key_text ? r->key_text :
				     json_object_to_json_string(v));
			f->skip_value = 1;
			json_object_put(v);
			return 0;
		}
		f->key = strdup(json_object_get_string(v));
		json_object_put(v);
		if (!f->key)
			return ikc_error_oom();
		return 0;
	}
	if (f->is_map) {
		ikc_stack__pos vp = *p;

		f->have_key = 0;
		if (f->skip_value) {
			f->skip_value = 0;
			json_object_put(v);
			return 0;
		}
		if (strcmp(f->key, "<<") == 0 && f->keypos.plain_oneline) {
			int error = merge(r, f, v, p);

			json_object_put(v);
			free(f->key);
			f->key = NULL;
			return error;
		}
		if (f->merged &&
		    json_object_object_get_ex(f->merged, f->key, NULL)) {
			/* a key of the mapping itself beats a merged one */
			json_object_object_del(f->merged, f->key);
			json_object_object_del(f->node, f->key);
		}
		if (json_object_object_get_ex(f->node, f->key, NULL)) {
			const ikc_stack__pos *first =
				ikc_stack__pos_get(r->pos, f->node, f->key, 0);

			diag(r, &f->keypos,
			     "duplicate key \"%s\" (first at line %d)", f->key,
			     first ? first->kline : 0);
			json_object_put(v);
		} else {
			if (json_object_object_add(f->node, f->key, v) < 0)
				goto oom;
			vp.kline = f->keypos.line;
			vp.kcol = f->keypos.col;
			if (ikc_stack__pos_set(r->pos, f->node, f->key, 0, &vp) < 0)
				return IKC_ERROR;
		}
		free(f->key);
		f->key = NULL;
		return 0;
	}
	if (json_object_array_add(f->node, v) < 0)
		goto oom;
	return ikc_stack__pos_set(r->pos, f->node, NULL,
				 json_object_array_length(f->node) - 1, p);
oom:
	json_object_put(v);
	return ikc_error_oom();
}

static void frame_dispose(frame *f)
{
	json_object_put(f->node);
	json_object_put(f->merged);
	free(f->key);
	free(f->anchor);
	memset(f, 0, sizeof(*f));
}

static void anchors_clear(reader *r)
{
	size_t i;

	for (i = 0; i < r->nanchors; i++) {
		free(r->anchors[i].name);
		json_object_put(r->anchors[i].value);
	}
	r->nanchors = 0;
	json_object_put(r->anchor_index);
	r->anchor_index = NULL;
}

static int start_collection(reader *r, const yaml_event_t *ev, int is_map)
{
	const yaml_char_t *anchor_name = is_map ? ev->data.mapping_start.anchor :
		ev->data.sequence_start.anchor;
	frame *f;
	ikc_stack__pos p;

	ikc_stack__pos_from_marks(&p, ev->start_mark, ev->end_mark, 0);
	if (r->depth >= IKC_STACK_MAX_DEPTH) {
		diag(r, &p, "nesting is deeper than %d levels", IKC_STACK_MAX_DEPTH);
		return IKC_EINVALID;
	}
	f = &r->frames[r->depth];
	memset(f, 0, sizeof(*f));
	f->is_map = is_map;
	f->pos = p;
	f->node = is_map ? json_object_new_object() : json_object_new_array();
	if (!f->node)
		return ikc_error_oom();
	if (anchor_name) {
		f->anchor = strdup((const char *)anchor_name);
		if (!f->anchor) {
			frame_dispose(f);
			return ikc_error_oom();
		}
	}
	r->depth++;
	return 0;
}

static int end_collection(reader *r)
{
	frame f;
	int error;

	if (r->depth == 0)
		return 0;
	r->depth--;
	f = r->frames[r->depth];
	memset(&r->frames[r->depth], 0, sizeof(f));
	error = complete(r, f.node, &f.pos, f.nodes + 1, f.anchor);
	f.node = NULL;
	frame_dispose(&f);
	return error;
}

static int on_alias(reader *r, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	json_object *copy = NULL;
	ikc_stack__pos p;
	json_object *idx;
	anchor *a = NULL;

	ikc_stack__pos_from_marks(&p, ev->start_mark, ev->end_mark, 0);
	if (r->anchor_index &&
	    json_object_object_get_ex(r->anchor_index, name, &idx))
		a = &r->anchors[json_object_get_int64(idx)];
	if (!a) {
		diag(r, &p, "alias *%s names no anchor defined before it", name);
		return complete(r, NULL, &p, 1, NULL);
	}
	if (a->nodes > IKC_STACK_MAX_ALIAS_NODES - r->alias_nodes) {
		diag(r, &p, "aliases expand to more than %d nodes "
		     "(an alias bomb?)", IKC_STACK_MAX_ALIAS_NODES);
		return IKC_EINVALID;
	}
	r->alias_nodes += a->nodes;
	if (a->value && json_object_deep_copy(a->value, &copy, NULL) < 0)
		return ikc_error_oom();
	if (mark_all(r, copy, &p, 0) < 0) {
		json_object_put(copy);
		return IKC_ERROR;
	}
	return complete(r, copy, &p, a->nodes, NULL);
}

static int on_scalar(reader *r, const yaml_event_t *ev)
{
	json_object *v = NULL;
	int is_null, error;
	const char *why = NULL;
	ikc_stack__pos p;

	ikc_stack__pos_from_marks(&p, ev->start_mark, ev->end_mark,
				 ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
				 !ev->data.scalar.tag);
	error = scalar_value(&v, &is_null, ev, &why);
	if (error == IKC_EINVALID) {
		diag(r, &p, "%s", why);
		v = NULL;
	} else if (error < 0) {
		return error;
	}
	if (r->depth > 0 && r->frames[r->depth - 1].is_map &&
	    !r->frames[r->depth - 1].have_key) {
		static const char *const core_bools[] = { "true", "True", "TRUE",
			"false", "False", "FALSE", NULL };
		const char *text = (const char *)ev->data.scalar.value;
		size_t len = ev->data.scalar.length;

		/* keys: "on:", "y:" stay words; only true/false are booleans */
		if (p.plain_oneline && json_object_is_type(v, json_type_boolean) &&
		    !is_word(text, len, core_bools)) {
			json_object_put(v);
			v = json_object_new_string_len(text, (int)len);
			if (!v)
				return ikc_error_oom();
		}
		r->key_text = text;
	}
	error = complete(r, v, &p, 1, (const char *)ev->data.scalar.anchor);
	r->key_text = NULL;
	return error;
}

static int end_document(reader *r)
{
	ikc_stack__doc *d;

	anchors_clear(r);
	if (r->ndocs == r->capdocs) {
		size_t ncap = r->capdocs ? r->capdocs * 2 : 8;
		ikc_stack__doc *n = realloc(r->docs, ncap * sizeof(*n));

		if (!n)
			return ikc_error_oom();
		r->docs = n;
		r->capdocs = ncap;
	}
	d = &r->docs[r->ndocs++];
	d->root = r->root;
	d->line = r->rootpos.line;
	d->col = r->rootpos.col;
	r->root = NULL;
	r->have_root = 0;
	return 0;
}

static void syntax_error(reader *r, const yaml_parser_t *parser,
			 const char *data, size_t len)
{
	ikc_stack__pos p;
	const char *problem = parser->problem ? parser->problem : "invalid YAML";

	memset(&p, 0, sizeof(p));
	if (parser->error == YAML_READER_ERROR) {
		size_t i, off = parser->problem_offset;

		/* the reader reports a byte offset, not a mark */
		p.line = 1;
		p.col = 1;
		for (i = 0; i < off && i < len; i++) {
			if (data[i] == '\n') {
				p.line++;
				p.col = 1;
			} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
				p.col++;
			}
		}
		diag(r, &p, "%s", problem);
		return;
	}
	ikc_stack__mark(&p.line, &p.col, parser->problem_mark);
	if (parser->context)
		diag(r, &p, "%s (%s at line %d, column %d)", problem,
		     parser->context, (int)parser->context_mark.line + 1,
		     (int)parser->context_mark.column + 1);
	else
		diag(r, &p, "%s", problem);
}

void ikc_stack__docs_free(ikc_stack__doc *docs, size_t n)
{
	size_t i;

	if (!docs)
		return;
	for (i = 0; i < n; i++)
		json_object_put(docs[i].root);
	free(docs);
}

int ikc_stack__yaml_read(ikc_stack__doc **docs_out, size_t *ndocs_out,
			ikc_stack_pos *pos, ikc_diags *diags, const char *file,
			const char *data, size_t len)
{
	yaml_parser_t parser;
	reader r;
	int error = 0, done = 0;

	*docs_out = NULL;
	*ndocs_out = 0;
	memset(&r, 0, sizeof(r));
	r.pos = pos;
	r.diags = diags;
	r.file = file;
	if (!yaml_parser_initialize(&parser))
		return ikc_error_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	/* the input is valid UTF-8 already; detection skips a BOM */
	while (!done) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				error = ikc_error_oom();
			} else {
				syntax_error(&r, &parser, data, len);
				error = IKC_EINVALID;
			}
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			error = end_document(&r);
			break;
		case YAML_SCALAR_EVENT:
			error = on_scalar(&r, &ev);
			break;
		case YAML_ALIAS_EVENT:
			error = on_alias(&r, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			error = start_collection(&r, &ev, 0);
			break;
		case YAML_MAPPING_START_EVENT:
			error = start_collection(&r, &ev, 1);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			error = end_collection(&r);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (error == 0 && r.errors >= IKC_STACK_MAX_ERRORS)
			error = IKC_EINVALID;
		if (error < 0)
			break;
	}
	yaml_parser_delete(&parser);
	while (r.depth > 0)
		frame_dispose(&r.frames[--r.depth]);
	anchors_clear(&r);
	free(r.anchors);
	json_object_put(r.root);
	if (error < 0) {
		ikc_stack__docs_free(r.docs, r.ndocs);
		return error;
	}
	*docs_out = r.docs;
	*ndocs_out = r.ndocs;
	return 0;
}
