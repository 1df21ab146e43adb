/* diff.c - three-way comparison of desired, last-applied and live values of one resource */
#include "planner/diff.h"

#include <stdlib.h>
#include <string.h>

#include "planner/secret.h"
#include "util/buf.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

const char *ikc_action_name(ikc_action a)
{
	switch (a) {
	case IKC_ACTION_NOOP:
		return "no-op";
	case IKC_ACTION_CREATE:
		return "create";
	case IKC_ACTION_UPDATE:
		return "update";
	case IKC_ACTION_REPLACE:
		return "replace";
	case IKC_ACTION_DELETE:
		return "delete";
	}
	return "unknown";
}

struct flist {
	ikc_field_change *items;
	size_t n, cap;
};

struct walker {
	const ikc_diff_input *in;
	struct flist *out;
	ikc_buf path;     /* concrete: "spec.ports[1].port" */
	ikc_buf schema;   /* schema:   "spec.ports[].port" */
	int error;
};

/* The schema node of a member / of list elements (NULL: not known). */
static json_object *s_member(const struct walker *w, json_object *s,
			     const char *key)
{
	return s && w->in->schema ? ikc_schema_member(w->in->schema, s, key) : NULL;
}

static json_object *s_items(const struct walker *w, json_object *s)
{
	return s && w->in->schema ? ikc_schema_items(w->in->schema, s) : NULL;
}


int ikc_diff__is_unknown(json_object *v)
{
	return v && json_object_is_type(v, json_type_string) &&
	       !strcmp(json_object_get_string(v), IKC_UNKNOWN_VALUE);
}

int ikc_diff__has_unknown(json_object *v)
{
	size_t i, n;

	if (!v)
		return 0;
	if (ikc_diff__is_unknown(v))
		return 1;
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, sub) {
			(void)k;
			if (ikc_diff__has_unknown(sub))
				return 1;
		}
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (ikc_diff__has_unknown(json_object_array_get_idx(v, i)))
				return 1;
	}
	return 0;
}

void ikc_field_changes_free(ikc_field_change *f, size_t n)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < n; i++) {
		free(f[i].path);
		json_object_put(f[i].before);
		json_object_put(f[i].after);
	}
	free(f);
}

/* Member `key` of an object (borrowed), NULL when absent or not an object. */
static json_object *member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static json_object *element(json_object *arr, size_t i)
{
	if (!arr || !json_object_is_type(arr, json_type_array) ||
	    i >= json_object_array_length(arr))
		return NULL;
	return json_object_array_get_idx(arr, i);
}

/*
 * A zero value (false, 0, "", [], {}, null).  APIs omit these (proto3 JSON
 * in GKE, omitempty in Kubernetes), so a zero the file sets equals absent.
 */
static int is_zero(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 1;
	case json_type_boolean:
		return !json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) == 0;
	case json_type_double:
		return json_object_get_double(v) == 0.0;
	case json_type_string:
		return json_object_get_string_len(v) == 0;
	case json_type_array:
		return json_object_array_length(v) == 0;
	case json_type_object:
		return json_object_object_length(v) == 0;
	}
	return 0;
}

/* 1 if `want` (set by the file) and `have` differ as the diff rules see it. */
static int differs(json_object *want, json_object *have)
{
	if (!have)
		return !is_zero(want);
	return !ikc_json_equal_loose(want, have);
}

/* A non-empty array of objects only. */
static int is_object_list(json_object *v)
{
	size_t i, n;

	if (!v || !json_object_is_type(v, json_type_array))
		return 0;
	n = json_object_array_length(v);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i),
					 json_type_object))
			return 0;
	return 1;
}

/* 1 if every element of the list has at least one of the keys. */
static int all_keyed(json_object *arr, const ikc_list_semantics *sem)
{
	size_t i, j, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		for (j = 0; j < sem->nkeys; j++)
			if (member(e, sem->keys[j]))
				break;
		if (j == sem->nkeys)
			return 0;
	}
	return 1;
}

/*
 * The element of `arr` that `want` names by key (borrowed), with its index:
 * every key `want` sets is equal; a key it leaves out (the server defaults
 * it, e.g. a port's protocol) matches anything.
 */
static json_object *find_keyed(json_object *arr, const ikc_list_semantics *sem,
			       json_object *want, size_t *index_out)
{
	size_t i, j, n;

	if (!arr || !json_object_is_type(arr, json_type_array) || !want)
		return NULL;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		int ok = 1;

		for (j = 0; j < sem->nkeys && ok; j++) {
			json_object *k = member(want, sem->keys[j]);

			if (k && !ikc_json_equal_loose(k, member(e, sem->keys[j])))
				ok = 0;
		}
		if (ok) {
			if (index_out)
				*index_out = i;
			return e;
		}
	}
	return NULL;
}

/* 1 if every element of `a` has a loosely equal element in `b`. */
static int subset_of(json_object *a, json_object *b)
{
	size_t i, j, na = json_object_array_length(a),
		nb = json_object_array_length(b);

	for (i = 0; i < na; i++) {
		json_object *x = json_object_array_get_idx(a, i);

		for (j = 0; j < nb; j++)
			if (ikc_json_equal_loose(x, json_object_array_get_idx(b, j)))
				break;
		if (j == nb)
			return 0;
	}
	return 1;
}

/* Two lists holding the same elements, in any order (repeats aside). */
static int same_set(json_object *a, json_object *b)
{
	if (!json_object_is_type(a, json_type_array) ||
	    !json_object_is_type(b, json_type_array))
		return 0;
	return subset_of(a, b) && subset_of(b, a);
}

static int path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return n && !strncmp(path, prefix, n) &&
	       (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

static const char *cur_path(const struct walker *w)
{
	return w->path.ptr ? w->path.ptr : "";
}

static const char *cur_schema(const struct walker *w)
{
	return w->schema.ptr ? w->schema.ptr : "";
}

static int ignored(const struct walker *w)
{
	size_t i;

	for (i = 0; i < w->in->nignore; i++) {
		const char *p = w->in->ignore[i];

		if (p && (path_under(cur_path(w), p) ||
			  path_under(cur_schema(w), p)))
			return 1;
	}
	return 0;
}

static int stack_only(const struct walker *w)
{
	const ikc_provider_hints *h = w->in->hints;

	return h->stack_only &&
	       h->stack_only(w->in->api_version, w->in->kind, cur_schema(w));
}

/* Pushes ".key" (or "key" at the top) onto both paths; returns the old lengths. */
static void push_key(struct walker *w, const char *key, size_t *pl, size_t *sl)
{
	*pl = w->path.len;
	*sl = w->schema.len;
	if (w->error)
		return;
	w->error = ikc_buf_printf(&w->path, "%s%s", w->path.len ? "." : "", key);
	if (!w->error)
		w->error = ikc_buf_printf(&w->schema, "%s%s",
					  w->schema.len ? "." : "", key);
}

static void push_index(struct walker *w, size_t i, size_t *pl, size_t *sl)
{
	*pl = w->path.len;
	*sl = w->schema.len;
	if (w->error)
		return;
	w->error = ikc_buf_printf(&w->path, "[%zu]", i);
	if (!w->error)
		w->error = ikc_buf_puts(&w->schema, "[]");
}

static void pop(struct walker *w, size_t pl, size_t sl)
{
	w->path.len = pl;
	if (w->path.ptr)
		w->path.ptr[pl] = '\0';
	w->schema.len = sl;
	if (w->schema.ptr)
		w->schema.ptr[sl] = '\0';
}

static json_object *copy_or_null(json_object *v, int *error)
{
	json_object *c;

	if (!v)
		return NULL;
	c = ikc_json_copy(v);
	if (!c)
		*error = ikc_error_oom();
	return c;
}

/* Records a field change at the current path. */
static void emit(struct walker *w, json_object *before, json_object *after)
{
	struct flist *l = w->out;
	ikc_field_change *f;
	const ikc_provider_hints *h = w->in->hints;

	if (w->error)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8, bytes;
		ikc_field_change *p;

		if (ikc_size_mul(&bytes, cap, sizeof(*p))) {
			w->error = ikc_error_oom();
			return;
		}
		p = realloc(l->items, bytes);
		if (!p) {
			w->error = ikc_error_oom();
			return;
		}
		l->items = p;
		l->cap = cap;
	}
	f = &l->items[l->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(cur_path(w));
	f->before = copy_or_null(before, &w->error);
	f->after = copy_or_null(after, &w->error);
	f->forces_replacement = h->forces_replacement &&
		h->forces_replacement(w->in->api_version, w->in->kind,
				      cur_schema(w));
	l->n++;
	if (!f->path && !w->error)
		w->error = ikc_error_oom();
}

/*
 * How the list at the current path compares: as the schema says, else as
 * the provider's hints say, else atomic (objects by position).
 */
static void list_semantics(const struct walker *w, json_object *s,
			   ikc_list_semantics *sem)
{
	const ikc_provider_hints *h = w->in->hints;
	const char *key;

	memset(sem, 0, sizeof(*sem));
	if (s && w->in->schema && ikc_schema_list(w->in->schema, s, sem))
		return;
	if (h->list_semantics &&
	    h->list_semantics(w->in->api_version, w->in->kind, cur_schema(w), sem))
		return;
	key = h->merge_key ? h->merge_key(w->in->api_version, w->in->kind,
					  cur_schema(w)) : NULL;
	if (key) {
		sem->type = IKC_LIST_MAP;
		sem->keys[0] = key;
		sem->nkeys = 1;
	}
}

static void walk_change(struct walker *w, json_object *d, json_object *a,
			json_object *l, json_object *s);

/* Lists of objects: matched by their map keys when every element has one, else by position. */
static void walk_change_list(struct walker *w, json_object *d, json_object *a,
			     json_object *l, json_object *s)
{
	ikc_list_semantics sem;
	json_object *si = s_items(w, s);
	size_t i, n = json_object_array_length(d), pl, sl;

	list_semantics(w, s, &sem);
	if (sem.type == IKC_LIST_MAP && all_keyed(d, &sem)) {
		for (i = 0; i < n && !w->error; i++) {
			json_object *de = json_object_array_get_idx(d, i);

			push_index(w, i, &pl, &sl);
			walk_change(w, de, find_keyed(a, &sem, de, NULL),
				    find_keyed(l, &sem, de, NULL), si);
			pop(w, pl, sl);
		}
		/* Elements last applied, gone from the file, still live. */
		if (a && json_object_is_type(a, json_type_array) && all_keyed(a, &sem)) {
			size_t na = json_object_array_length(a);

			for (i = 0; i < na && !w->error; i++) {
				json_object *ae = json_object_array_get_idx(a, i);
				json_object *le;
				size_t li = 0;

				if (find_keyed(d, &sem, ae, NULL))
					continue;
				le = find_keyed(l, &sem, ae, &li);
				if (!le)
					continue;
				push_index(w, li, &pl, &sl);
				if (!ignored(w))
					emit(w, le, NULL);
				pop(w, pl, sl);
			}
		}
		return;
	}
	if (sem.type == IKC_LIST_SET) {
		if (ikc_diff__has_unknown(d) || !same_set(d, l))
			emit(w, l, d);
		return;
	}
	for (i = 0; i < n && !w->error; i++) {
		push_index(w, i, &pl, &sl);
		walk_change(w, json_object_array_get_idx(d, i), element(a, i),
			    element(l, i), si);
		pop(w, pl, sl);
	}
	if (a && json_object_is_type(a, json_type_array)) {
		size_t na = json_object_array_length(a);

		for (i = n; i < na && !w->error; i++) {
			json_object *le = element(l, i);

			if (!le)
				continue;
			push_index(w, i, &pl, &sl);
			if (!ignored(w))
				emit(w, le, NULL);
			pop(w, pl, sl);
		}
	}
}

/*
 * d: desired at this path (set by the file); a: last applied; l: live.
 * Changes compare desired with live; last applied only tells removals
 * apart from fields the server filled in.
 */
static void walk_change(struct walker *w, json_object *d, json_object *a,
			json_object *l, json_object *s)
{
	size_t pl, sl;

	if (w->error || ignored(w))
		return;
	if (stack_only(w)) {
		/* Not an API field: compare with what was last applied only. */
		if (w->in->last && (ikc_diff__has_unknown(d) ||
				    !ikc_json_equal_loose(d, a)))
			emit(w, a, d);
		return;
	}
	if (ikc_diff__is_unknown(d)) {
		emit(w, l, d);
		return;
	}
	if (d && json_object_is_type(d, json_type_object)) {
		if (l && !json_object_is_type(l, json_type_object)) {
			emit(w, l, d);
			return;
		}
		json_object_object_foreach(d, k, dv) {
			push_key(w, k, &pl, &sl);
			walk_change(w, dv, member(a, k), member(l, k),
				    s_member(w, s, k));
			pop(w, pl, sl);
			if (w->error)
				return;
		}
		/* Fields last applied and gone from the file are removed if still live. */
		if (a && json_object_is_type(a, json_type_object)) {
			json_object_object_foreach(a, ka, av) {
				json_object *lv;

				/* present, even as null: the file still sets it */
				if (json_object_object_get_ex(d, ka, NULL))
					continue;
				push_key(w, ka, &pl, &sl);
				lv = member(l, ka);
				if (!ignored(w)) {
					if (stack_only(w))
						emit(w, av, NULL);
					else if (lv)
						emit(w, lv, NULL);
				}
				pop(w, pl, sl);
				if (w->error)
					return;
			}
		}
		return;
	}
	if (is_object_list(d)) {
		if (l && !json_object_is_type(l, json_type_array)) {
			emit(w, l, d);
			return;
		}
		walk_change_list(w, d, a, l, s);
		return;
	}
	/* a masked stand-in (a stored Secret value) is not a value to compare */
	if (ikc_secret_is_mask(l))
		return;
	/* Lists of scalars compare as a whole, or as sets. */
	if (json_object_is_type(d, json_type_array) && l &&
	    !ikc_diff__has_unknown(d)) {
		ikc_list_semantics sem;

		list_semantics(w, s, &sem);
		if (sem.type == IKC_LIST_SET && same_set(d, l))
			return;
	}
	if (ikc_diff__has_unknown(d) || differs(d, l))
		emit(w, l, d);
}

static void walk_drift(struct walker *w, json_object *a, json_object *l,
		       json_object *s)
{
	size_t pl, sl, i, n;
	ikc_list_semantics sem;

	if (w->error || ignored(w) || stack_only(w) || ikc_secret_is_mask(a) ||
	    ikc_secret_is_mask(l))
		return;
	if (!l && !is_zero(a) &&
	    (json_object_is_type(a, json_type_object) ||
	     json_object_is_type(a, json_type_array))) {
		emit(w, a, NULL);
		return;
	}
	if (a && json_object_is_type(a, json_type_object)) {
		if (!json_object_is_type(l, json_type_object)) {
			emit(w, a, l);
			return;
		}
		json_object_object_foreach(a, k, av) {
			push_key(w, k, &pl, &sl);
			walk_drift(w, av, member(l, k), s_member(w, s, k));
			pop(w, pl, sl);
			if (w->error)
				return;
		}
		return;
	}
	if (json_object_is_type(a, json_type_array)) {
		list_semantics(w, s, &sem);
		if (sem.type == IKC_LIST_SET && same_set(a, l))
			return;
	}
	if (is_object_list(a)) {
		json_object *si = s_items(w, s);
		int keyed = sem.type == IKC_LIST_MAP && all_keyed(a, &sem);

		if (!json_object_is_type(l, json_type_array)) {
			emit(w, a, l);
			return;
		}
		n = json_object_array_length(a);
		for (i = 0; i < n && !w->error; i++) {
			json_object *ae = json_object_array_get_idx(a, i);
			json_object *le;

			le = keyed ? find_keyed(l, &sem, ae, NULL) : element(l, i);
			push_index(w, i, &pl, &sl);
			walk_drift(w, ae, le, si);
			pop(w, pl, sl);
		}
		return;
	}
	if (differs(a, l))
		emit(w, a, l);
}

/*
 * In place: each masked value of `last` (planner/secret.h: stored without
 * its value) takes the desired value at the same place, since what was
 * applied there is what the file said; a masked value the file no longer
 * sets is dropped when `drop` (it cannot be compared), else kept (its key
 * still tells a removal).
 */
static int unmask(json_object *last, json_object *desired, int drop)
{
	int again = 1, error = 0;

	if (!json_object_is_type(last, json_type_object))
		return 0;
	while (again && !error) {
		again = 0;
		json_object_object_foreach(last, k, v) {
			json_object *dv = member(desired, k);

			if (!ikc_secret_is_mask(v)) {
				error = unmask(v, dv, drop);
			} else if (dv) {
				error = ikc_json_add(last, k, ikc_json_copy(dv));
			} else if (drop) {
				json_object_object_del(last, k);
				again = 1;   /* the walk cannot go on past a deletion */
				break;
			}
			if (error)
				break;
		}
	}
	return error;
}

/*
 * The desired and last applied values as the comparison sees them: masked
 * values filled in from desired (unmask), both in the form the API stores
 * (hints->canonicalize).  *d and *l are owned copies (NULL when the input
 * is).  0 or IKC_ERROR.
 */
static int comparable(json_object **d, json_object **l, const ikc_diff_input *in,
		      int drift)
{
	const ikc_provider_hints *h = in->hints;
	int error = 0;

	*d = in->desired ? ikc_json_copy(in->desired) : NULL;
	*l = in->last ? ikc_json_copy(in->last) : NULL;
	if ((in->desired && !*d) || (in->last && !*l))
		error = ikc_error_oom();
	if (!error && *l)
		error = unmask(*l, in->desired, drift);
	if (!error && h->canonicalize && *d)
		error = h->canonicalize(*d, in->api_version, in->kind);
	if (!error && h->canonicalize && *l)
		error = h->canonicalize(*l, in->api_version, in->kind);
	return error;
}

static int run(ikc_field_change **out, size_t *n_out, const ikc_diff_input *in0,
	       int drift)
{
	struct flist list = { NULL, 0, 0 };
	struct walker w;
	ikc_diff_input local = *in0, *in = &local;
	json_object *d = NULL, *l = NULL;
	int error;

	*out = NULL;
	*n_out = 0;
	error = comparable(&d, &l, in0, drift);
	if (error) {
		json_object_put(d);
		json_object_put(l);
		return error;
	}
	local.desired = d;
	local.last = l;
	memset(&w, 0, sizeof(w));
	w.in = in;
	w.out = &list;
	w.path.max = 64 * 1024;
	w.schema.max = 64 * 1024;
	if (drift) {
		if (in->last && in->live)
			walk_drift(&w, in->last, in->live, in->schema_root);
	} else if (in->desired) {
		walk_change(&w, in->desired, in->last, in->live, in->schema_root);
	}
	ikc_buf_dispose(&w.path);
	ikc_buf_dispose(&w.schema);
	json_object_put(d);
	json_object_put(l);
	if (w.error) {
		ikc_field_changes_free(list.items, list.n);
		return w.error;
	}
	*out = list.items;
	*n_out = list.n;
	return 0;
}

int ikc_diff_changes(ikc_field_change **out, size_t *n_out,
		     const ikc_diff_input *in)
{
	return run(out, n_out, in, 0);
}

int ikc_diff_drift(ikc_field_change **out, size_t *n_out,
		   const ikc_diff_input *in)
{
	return run(out, n_out, in, 1);
}

void ikc_change_clear(ikc_change *ch)
{
	size_t i;

	if (!ch)
		return;
	free(ch->address);
	free(ch->kind);
	free(ch->api_version);
	json_object_put(ch->before);
	json_object_put(ch->after);
	ikc_field_changes_free(ch->fields, ch->nfields);
	for (i = 0; i < ch->nreplace_paths; i++)
		free(ch->replace_paths[i]);
	free(ch->replace_paths);
	free(ch->deleted_with);
	memset(ch, 0, sizeof(*ch));
}

void ikc_drift_clear(ikc_drift *d)
{
	if (!d)
		return;
	free(d->address);
	ikc_field_changes_free(d->fields, d->nfields);
	memset(d, 0, sizeof(*d));
}

/* Collects the paths of fields that force replacement into ch->replace_paths. */
static int collect_replace_paths(ikc_change *ch)
{
	size_t i, n = 0;

	for (i = 0; i < ch->nfields; i++)
		if (ch->fields[i].forces_replacement)
			n++;
	if (!n)
		return 0;
	ch->replace_paths = calloc(n, sizeof(*ch->replace_paths));
	if (!ch->replace_paths)
		return ikc_error_oom();
	for (i = 0; i < ch->nfields; i++) {
		if (!ch->fields[i].forces_replacement)
			continue;
		ch->replace_paths[ch->nreplace_paths] = strdup(ch->fields[i].path);
		if (!ch->replace_paths[ch->nreplace_paths])
			return ikc_error_oom();
		ch->nreplace_paths++;
	}
	return 0;
}

int ikc_diff_resource(ikc_change *ch, ikc_drift *drift,
		      const ikc_diff_input *in)
{
	int error;

	if (drift) {
		drift->gone = 0;
		error = ikc_diff_drift(&drift->fields, &drift->nfields, in);
		if (error < 0)
			return error;
		if (!in->live && in->last)
			drift->gone = 1;
	}
	if (!in->desired) {
		ch->action = IKC_ACTION_DELETE;
		return 0;
	}
	if (!in->live) {
		ch->action = IKC_ACTION_CREATE;
		return 0;
	}
	error = ikc_diff_changes(&ch->fields, &ch->nfields, in);
	if (error < 0)
		return error;
	error = collect_replace_paths(ch);
	if (error < 0)
		return error;
	if (ch->nreplace_paths)
		ch->action = IKC_ACTION_REPLACE;
	else if (ch->nfields)
		ch->action = IKC_ACTION_UPDATE;
	else
		ch->action = IKC_ACTION_NOOP;
	return 0;
}
