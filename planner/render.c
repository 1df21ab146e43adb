/* render.c - the plan as text (terminal, optionally colored) and as the public JSON document */
#include "planner/plan.h"

#include <string.h>

#include "planner/diff.h"
#include "planner/secret.h"
#include "util/buf.h"
#include "util/errors.h"
#include "util/json.h"

#define UNKNOWN_TEXT "(known after apply)"
#define SENSITIVE_TEXT "(sensitive)"

#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED "\033[31m"
#define C_BOLD "\033[1m"
#define C_RESET "\033[0m"

/* ---- values ---- */

/* Secrets never leave: see ikc_secret_path. */
static int sensitive_path(const char *kind, const char *path)
{
	return ikc_secret_path(kind, path);
}

static int put_value(ikc_buf *out, json_object *v)
{
	if (!v)
		return ikc_buf_puts(out, "null");
	if (ikc_diff__has_unknown(v))
		return ikc_buf_puts(out, UNKNOWN_TEXT);
	return ikc_buf_puts(out, json_object_to_json_string_ext(v,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int put_field_value(ikc_buf *out, const char *kind, const char *path,
			   json_object *v)
{
	if (v && sensitive_path(kind, path))
		return ikc_buf_puts(out, SENSITIVE_TEXT);
	return put_value(out, v);
}

/* ---- text ---- */

struct pen {
	ikc_buf *out;
	int color;
};

static int mark(struct pen *p, const char *sym)
{
	const char *c = NULL;

	if (p->color) {
		if (!strcmp(sym, "+"))
			c = C_GREEN;
		else if (!strcmp(sym, "~"))
			c = C_YELLOW;
		else if (!strcmp(sym, "-"))
			c = C_RED;
		else if (!strcmp(sym, "-/+"))
			return ikc_buf_puts(p->out, C_RED "-" C_RESET "/" C_GREEN
					    "+" C_RESET);
	}
	if (c)
		return ikc_buf_printf(p->out, "%s%s%s", c, sym, C_RESET);
	return ikc_buf_puts(p->out, sym);
}

static int forces_note(struct pen *p)
{
	return ikc_buf_puts(p->out, p->color ?
			    "  " C_RED "# forces replacement" C_RESET :
			    "  # forces replacement");
}

/* A list of scalars only (possibly empty). */
static int scalar_list(json_object *v)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array))
		return 0;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);

		if (json_object_is_type(e, json_type_object) ||
		    json_object_is_type(e, json_type_array))
			return 0;
	}
	return 1;
}

static int list_has(json_object *list, json_object *v)
{
	size_t i, n = json_object_array_length(list);

	for (i = 0; i < n; i++)
		if (ikc_json_equal_loose(json_object_array_get_idx(list, i), v))
			return 1;
	return 0;
}

/* Elements of `a` missing from `b`, one line each with `sym`. */
static int list_lines(struct pen *p, json_object *a, json_object *b,
		      const char *sym, size_t *count)
{
	size_t i, n = json_object_array_length(a);
	int error = 0;

	for (i = 0; i < n && !error; i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (list_has(b, e))
			continue;
		(*count)++;
		error = ikc_buf_puts(p->out, "          ");
		if (!error)
			error = mark(p, sym);
		if (!error)
			error = ikc_buf_puts(p->out, " ");
		if (!error)
			error = put_value(p->out, e);
		if (!error)
			error = ikc_buf_puts(p->out, "\n");
	}
	return error;
}

/*
 * A changed list of scalars as the elements that leave and come, one per
 * line; 1 in *done when that says it all (not a mere reordering).
 */
static int list_change(struct pen *p, const ikc_field_change *f,
		       int show_forces, int *done)
{
	ikc_buf body = IKC_BUF_INIT(1 << 20);
	struct pen sub = { &body, p->color };
	size_t count = 0;
	int error;

	*done = 0;
	error = list_lines(&sub, f->before, f->after, "-", &count);
	if (!error)
		error = list_lines(&sub, f->after, f->before, "+", &count);
	if (!error && count) {
		error = ikc_buf_puts(p->out, "      ");
		if (!error)
			error = mark(p, "~");
		if (!error)
			error = ikc_buf_printf(p->out, " %s:", f->path);
		if (!error && show_forces && f->forces_replacement)
			error = forces_note(p);
		if (!error)
			error = ikc_buf_printf(p->out, "\n%s", body.ptr);
		*done = 1;
	}
	ikc_buf_dispose(&body);
	return error;
}

/* One line "      ~ path: before -> after  # forces replacement". */
static int field_line(struct pen *p, const char *kind,
		      const ikc_field_change *f, int show_forces)
{
	const char *sym = !f->before ? "+" : !f->after ? "-" : "~";
	int error, done = 0;

	if (f->before && f->after && scalar_list(f->before) &&
	    scalar_list(f->after) && !ikc_diff__has_unknown(f->after) &&
	    !sensitive_path(kind, f->path)) {
		error = list_change(p, f, show_forces, &done);
		if (error || done)
			return error;
	}
	error = ikc_buf_puts(p->out, "      ");
	if (!error)
		error = mark(p, sym);
	if (!error)
		error = ikc_buf_printf(p->out, " %s: ", f->path);
	if (!error && f->before) {
		error = put_field_value(p->out, kind, f->path, f->before);
		if (!error)
			error = ikc_buf_puts(p->out, " -> ");
	}
	if (!error)
		error = put_field_value(p->out, kind, f->path, f->after);
	if (!error && show_forces && f->forces_replacement)
		error = forces_note(p);
	if (!error)
		error = ikc_buf_puts(p->out, "\n");
	return error;
}

/* Every leaf of a value to be created: "      + spec.replicas: 2". */
static int create_lines(struct pen *p, const char *kind, json_object *v,
			ikc_buf *path)
{
	size_t len = path->len, i, n;
	int error = 0;

	if (json_object_is_type(v, json_type_object) &&
	    json_object_object_length(v) > 0) {
		json_object_object_foreach(v, k, sub) {
			/* The kind is already in the address. */
			if (!len && !strcmp(k, "kind"))
				continue;
			error = ikc_buf_printf(path, "%s%s", len ? "." : "", k);
			if (!error)
				error = create_lines(p, kind, sub, path);
			path->len = len;
			path->ptr[len] = '\0';
			if (error)
				return error;
		}
		return 0;
	}
	if (json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0 &&
	    json_object_is_type(json_object_array_get_idx(v, 0),
				json_type_object)) {
		n = json_object_array_length(v);
		for (i = 0; i < n && !error; i++) {
			error = ikc_buf_printf(path, "[%zu]", i);
			if (!error)
				error = create_lines(p, kind,
						     json_object_array_get_idx(v, i),
						     path);
			path->len = len;
			path->ptr[len] = '\0';
		}
		return error;
	}
	error = ikc_buf_puts(p->out, "      ");
	if (!error)
		error = mark(p, "+");
	if (!error)
		error = ikc_buf_printf(p->out, " %s: ", path->ptr ? path->ptr : "");
	if (!error)
		error = put_field_value(p->out, kind, path->ptr, v);
	if (!error)
		error = ikc_buf_puts(p->out, "\n");
	return error;
}

static int header(struct pen *p, const ikc_change *ch)
{
	ikc_buf *out = p->out;
	size_t i;
	int error = 0;

	switch (ch->action) {
	case IKC_ACTION_CREATE:
		return ikc_buf_printf(out, "  # %s will be created\n", ch->address);
	case IKC_ACTION_UPDATE:
		return ikc_buf_printf(out, "  # %s will be updated in place\n",
				      ch->address);
	case IKC_ACTION_DELETE:
		if (ch->deleted_with)
			return ikc_buf_printf(out, "  # %s will be destroyed (with %s)\n",
					      ch->address, ch->deleted_with);
		return ikc_buf_printf(out, "  # %s will be destroyed\n", ch->address);
	case IKC_ACTION_REPLACE:
		if (!ch->nreplace_paths)
			return ikc_buf_printf(out, "  # %s must be replaced (%s)\n",
					      ch->address, ch->deleted_with ?
					      "it goes with its replaced cluster" :
					      "its cluster is replaced");
		error = ikc_buf_printf(out, "  # %s must be replaced (", ch->address);
		for (i = 0; i < ch->nreplace_paths && !error; i++)
			error = ikc_buf_printf(out, "%s%s", i ? ", " : "",
					       ch->replace_paths[i]);
		if (!error)
			error = ikc_buf_printf(out, " %s replacement)\n",
					       ch->nreplace_paths > 1 ? "force" : "forces");
		return error;
	case IKC_ACTION_NOOP:
		break;
	}
	return 0;
}

static int change_text(struct pen *p, const ikc_change *ch)
{
	static const char *const syms[] = { "", "+", "~", "-/+", "-" };
	size_t i;
	int error;

	error = header(p, ch);
	if (!error && ch->action != IKC_ACTION_REPLACE)
		error = ikc_buf_puts(p->out, "  ");
	if (!error)
		error = mark(p, syms[ch->action]);
	if (!error)
		error = ikc_buf_printf(p->out, " %s\n", ch->address);
	if (ch->action == IKC_ACTION_CREATE && ch->after && !error) {
		ikc_buf path = IKC_BUF_INIT(64 * 1024);

		error = ikc_buf_puts(&path, "");
		if (!error)
			error = create_lines(p, ch->kind, ch->after, &path);
		ikc_buf_dispose(&path);
	}
	for (i = 0; i < ch->nfields && !error; i++)
		error = field_line(p, ch->kind, &ch->fields[i],
				   ch->action == IKC_ACTION_REPLACE);
	if (!error)
		error = ikc_buf_puts(p->out, "\n");
	return error;
}

static const char *kind_of(const ikc_plan *plan, const char *address)
{
	const ikc_change *ch = ikc_plan_find(plan, address);

	return ch ? ch->kind : NULL;
}

static int drift_text(struct pen *p, const ikc_plan *plan)
{
	size_t i, j;
	int error;

	error = ikc_buf_puts(p->out,
			     "Drift (changed outside ikc since the last apply):\n\n");
	for (i = 0; i < plan->ndrift && !error; i++) {
		const ikc_drift *d = &plan->drift[i];
		const char *kind = kind_of(plan, d->address);

		if (d->gone) {
			error = ikc_buf_puts(p->out, "  ");
			if (!error)
				error = mark(p, "-");
			if (!error)
				error = ikc_buf_printf(p->out,
						       " %s: deleted outside ikc\n",
						       d->address);
			continue;
		}
		error = ikc_buf_puts(p->out, "  ");
		if (!error)
			error = mark(p, "~");
		if (!error)
			error = ikc_buf_printf(p->out, " %s\n", d->address);
		for (j = 0; j < d->nfields && !error; j++)
			error = field_line(p, kind, &d->fields[j], 0);
	}
	if (!error)
		error = ikc_buf_puts(p->out, "\n");
	return error;
}

/* "From git commit C (REF)." when the stack file came from git. */
static int source_line(ikc_buf *out, const ikc_plan *plan)
{
	if (!plan->git_commit)
		return 0;
	return ikc_buf_printf(out, "From git commit %s%s%s%s.\n\n", plan->git_commit,
			      plan->git_ref ? " (" : "",
			      plan->git_ref ? plan->git_ref : "",
			      plan->git_ref ? ")" : "");
}

int ikc_plan_render_drift_text(ikc_buf *out, const ikc_plan *plan, int color)
{
	struct pen p = { out, color };

	if (source_line(out, plan) < 0)
		return IKC_ERROR;

	if (!plan->ndrift)
		return ikc_buf_puts(out, plan->refreshed ?
			"No drift. The live state matches the last apply.\n" :
			"No drift. The stored observations match the last apply.\n");
	return drift_text(&p, plan);
}

int ikc_plan_render_text(ikc_buf *out, const ikc_plan *plan, int color)
{
	struct pen p = { out, color };
	size_t i;
	int error = source_line(out, plan);

	if (!error && plan->ndrift)
		error = drift_text(&p, plan);
	if (error)
		return error;
	if (!ikc_plan_has_changes(plan))
		return ikc_buf_puts(out, plan->destroy ?
			"No changes. The state holds nothing to destroy.\n" :
			"No changes. The live state matches the stack file.\n");
	error = ikc_buf_puts(out, "ikc will perform these actions:\n\n");
	for (i = 0; i < plan->nchanges && !error; i++)
		if (plan->changes[i].action != IKC_ACTION_NOOP)
			error = change_text(&p, &plan->changes[i]);
	if (!error)
		error = ikc_buf_printf(out,
			"%sPlan:%s %zu to add, %zu to change, %zu to replace, %zu to destroy.\n",
			color ? C_BOLD : "", color ? C_RESET : "",
			plan->n_create, plan->n_update, plan->n_replace,
			plan->n_delete);
	return error;
}

/* ---- JSON ---- */

/*
 * An owned copy of `v` for the public document: unknown values become the
 * string "(known after apply)" (their paths go to `unknown_paths` when it
 * is not NULL) and Secret data is masked.  NULL in, JSON null out.
 */
static int public_value(json_object **out, json_object *v, const char *kind,
			ikc_buf *path, json_object *unknown_paths)
{
	size_t len = path->len, i, n;
	int error = 0;

	*out = NULL;
	if (!v)
		return 0;
	if (ikc_diff__is_unknown(v)) {
		*out = json_object_new_string(UNKNOWN_TEXT);
		if (!*out)
			return ikc_error_oom();
		if (unknown_paths)
			return ikc_json_append(unknown_paths,
					       json_object_new_string(path->ptr ? path->ptr : ""));
		return 0;
	}
	if (sensitive_path(kind, path->ptr) && !json_object_is_type(v, json_type_object)) {
		*out = json_object_new_string(SENSITIVE_TEXT);
		return *out ? 0 : ikc_error_oom();
	}
	if (json_object_is_type(v, json_type_object)) {
		json_object *o = json_object_new_object();

		if (!o)
			return ikc_error_oom();
		json_object_object_foreach(v, k, sub) {
			json_object *c = NULL;

			error = ikc_buf_printf(path, "%s%s", len ? "." : "", k);
			if (!error)
				error = public_value(&c, sub, kind, path, unknown_paths);
			path->len = len;
			if (path->ptr)
				path->ptr[len] = '\0';
			if (!error)
				error = ikc_json_add(o, k, c);
			if (error) {
				json_object_put(o);
				return error;
			}
		}
		*out = o;
		return 0;
	}
	if (json_object_is_type(v, json_type_array)) {
		json_object *a = json_object_new_array();

		if (!a)
			return ikc_error_oom();
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			json_object *c = NULL;

			error = ikc_buf_printf(path, "[%zu]", i);
			if (!error)
				error = public_value(&c, json_object_array_get_idx(v, i),
						     kind, path, unknown_paths);
			path->len = len;
			if (path->ptr)
				path->ptr[len] = '\0';
			/* json-c arrays hold NULL as null */
			if (!error && json_object_array_add(a, c) < 0) {
				json_object_put(c);
				error = ikc_error_oom();
			}
			if (error) {
				json_object_put(a);
				return error;
			}
		}
		*out = a;
		return 0;
	}
	*out = ikc_json_copy(v);
	return *out ? 0 : ikc_error_oom();
}

/* Adds `key`: public copy of `v` (null when absent). */
static int add_value(json_object *obj, const char *key, json_object *v,
		     const char *kind, const char *base, json_object *unknown_paths)
{
	ikc_buf path = IKC_BUF_INIT(64 * 1024);
	json_object *c = NULL;
	int error;

	error = ikc_buf_puts(&path, base ? base : "");
	if (!error)
		error = public_value(&c, v, kind, &path, unknown_paths);
	ikc_buf_dispose(&path);
	if (error)
		return error;
	if (json_object_object_add(obj, key, c) < 0) {
		json_object_put(c);
		return ikc_error_oom();
	}
	return 0;
}

static int add_str(json_object *obj, const char *key, const char *s)
{
	json_object *v = NULL;

	if (s) {
		v = json_object_new_string(s);
		if (!v)
			return ikc_error_oom();
	}
	if (json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return ikc_error_oom();
	}
	return 0;
}

static int add_int(json_object *obj, const char *key, long long n)
{
	return ikc_json_add(obj, key, json_object_new_int64(n));
}

static int add_bool(json_object *obj, const char *key, int b)
{
	return ikc_json_add(obj, key, json_object_new_boolean(b));
}

static int fields_json(json_object **out, const ikc_field_change *f, size_t n,
		       const char *kind, int with_forces)
{
	json_object *arr = json_object_new_array();
	size_t i;
	int error = 0;

	*out = NULL;
	if (!arr)
		return ikc_error_oom();
	for (i = 0; i < n && !error; i++) {
		json_object *o = json_object_new_object();

		if (!o) {
			error = ikc_error_oom();
			break;
		}
		error = add_str(o, "path", f[i].path);
		if (!error)
			error = add_value(o, "before", f[i].before, kind, f[i].path, NULL);
		if (!error)
			error = add_value(o, "after", f[i].after, kind, f[i].path, NULL);
		if (!error && with_forces)
			error = add_bool(o, "forces_replacement", f[i].forces_replacement);
		if (error) {
			json_object_put(o);
			break;
		}
		error = ikc_json_append(arr, o);
	}
	if (error) {
		json_object_put(arr);
		return error;
	}
	*out = arr;
	return 0;
}

static int change_json(json_object **out, const ikc_change *ch)
{
	json_object *o = json_object_new_object();
	json_object *unknown = json_object_new_array();
	json_object *rp = json_object_new_array();
	json_object *fields = NULL;
	size_t i;
	int error = 0;

	*out = NULL;
	if (!o || !unknown || !rp) {
		error = ikc_error_oom();
		goto cleanup;
	}
	error = add_str(o, "address", ch->address);
	if (!error)
		error = add_str(o, "kind", ch->kind);
	if (!error)
		error = add_str(o, "api_version", ch->api_version);
	if (!error)
		error = add_str(o, "provider", ch->provider == IKC_PROVIDER_GKE ?
				"gke" : "kubernetes");
	if (!error)
		error = add_str(o, "action", ikc_action_name(ch->action));
	if (!error)
		error = add_value(o, "before", ch->before, ch->kind, "", NULL);
	if (!error)
		error = add_value(o, "after", ch->after, ch->kind, "", unknown);
	if (!error) {
		error = ikc_json_add(o, "after_unknown", unknown);
		unknown = NULL;
	}
	for (i = 0; i < ch->nreplace_paths && !error; i++)
		error = ikc_json_append(rp, json_object_new_string(ch->replace_paths[i]));
	if (!error) {
		error = ikc_json_add(o, "replace_paths", rp);
		rp = NULL;
	}
	if (!error)
		error = fields_json(&fields, ch->fields, ch->nfields, ch->kind, 1);
	if (!error) {
		error = ikc_json_add(o, "fields", fields);
		fields = NULL;
	}
	if (!error)
		error = add_str(o, "deleted_with", ch->deleted_with);
	if (!error) {
		*out = o;
		o = NULL;
	}
cleanup:
	json_object_put(o);
	json_object_put(unknown);
	json_object_put(rp);
	json_object_put(fields);
	return error;
}

static int drift_json(json_object **out, const ikc_plan *plan,
		      const ikc_drift *d)
{
	json_object *o = json_object_new_object();
	json_object *fields = NULL;
	int error;

	*out = NULL;
	if (!o)
		return ikc_error_oom();
	error = add_str(o, "address", d->address);
	if (!error)
		error = add_bool(o, "gone", d->gone);
	if (!error)
		error = fields_json(&fields, d->fields, d->nfields,
				    kind_of(plan, d->address), 0);
	if (!error) {
		error = ikc_json_add(o, "fields", fields);
		fields = NULL;
	}
	if (error) {
		json_object_put(o);
		return error;
	}
	*out = o;
	return 0;
}

int ikc_plan_render_json(ikc_buf *out, const ikc_plan *plan)
{
	json_object *root = json_object_new_object();
	json_object *source = NULL, *drift = NULL, *changes = NULL, *sum = NULL;
	size_t i;
	int error = 0;

	if (!root)
		return ikc_error_oom();
	error = add_str(root, "format_version", "1.0");
	if (!error)
		error = add_str(root, "stack", plan->stack);
	if (!error)
		error = add_str(root, "lineage", plan->lineage);
	if (!error)
		error = add_int(root, "serial", (long long)plan->serial);
	if (!error) {
		source = json_object_new_object();
		if (!source)
			error = ikc_error_oom();
	}
	if (!error)
		error = add_str(source, "digest", plan->digest);
	if (!error)
		error = add_str(source, "git_commit", plan->git_commit);
	if (!error)
		error = add_str(source, "git_ref", plan->git_ref);
	if (!error) {
		error = ikc_json_add(root, "source", source);
		source = NULL;
	}
	if (!error)
		error = add_bool(root, "refreshed", plan->refreshed);
	if (!error)
		error = add_bool(root, "destroy", plan->destroy);
	if (!error) {
		drift = json_object_new_array();
		changes = json_object_new_array();
		sum = json_object_new_object();
		if (!drift || !changes || !sum)
			error = ikc_error_oom();
	}
	for (i = 0; i < plan->ndrift && !error; i++) {
		json_object *d = NULL;

		error = drift_json(&d, plan, &plan->drift[i]);
		if (!error)
			error = ikc_json_append(drift, d);
	}
	for (i = 0; i < plan->nchanges && !error; i++) {
		json_object *c = NULL;

		error = change_json(&c, &plan->changes[i]);
		if (!error)
			error = ikc_json_append(changes, c);
	}
	if (!error)
		error = add_int(sum, "create", (long long)plan->n_create);
	if (!error)
		error = add_int(sum, "update", (long long)plan->n_update);
	if (!error)
		error = add_int(sum, "replace", (long long)plan->n_replace);
	if (!error)
		error = add_int(sum, "delete", (long long)plan->n_delete);
	if (!error)
		error = add_int(sum, "no_op", (long long)plan->n_noop);
	if (!error) {
		error = ikc_json_add(root, "drift", drift);
		drift = NULL;
	}
	if (!error) {
		error = ikc_json_add(root, "changes", changes);
		changes = NULL;
	}
	if (!error) {
		error = ikc_json_add(root, "summary", sum);
		sum = NULL;
	}
	if (!error)
		error = ikc_buf_puts(out, json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	if (!error)
		error = ikc_buf_puts(out, "\n");
	json_object_put(root);
	json_object_put(source);
	json_object_put(drift);
	json_object_put(changes);
	json_object_put(sum);
	return error;
}

/* ---- Markdown (pull-request comments) ---- */

/* Longest run of backticks in `s`, so that a code fence can be longer. */
static size_t backtick_run(const char *s)
{
	size_t best = 0, cur = 0;

	for (; s && *s; s++) {
		cur = *s == '`' ? cur + 1 : 0;
		if (cur > best)
			best = cur;
	}
	return best;
}

static int md_why(ikc_buf *out, const ikc_change *ch)
{
	size_t i;
	int error = 0;

	switch (ch->action) {
	case IKC_ACTION_REPLACE:
		if (!ch->nreplace_paths)
			return ikc_buf_puts(out, "its cluster is replaced");
		for (i = 0; i < ch->nreplace_paths && !error; i++)
			error = ikc_buf_printf(out, "%s`%s`", i ? ", " : "",
					       ch->replace_paths[i]);
		if (!error)
			error = ikc_buf_puts(out, ch->nreplace_paths > 1 ?
					     " force replacement" :
					     " forces replacement");
		return error;
	case IKC_ACTION_UPDATE:
		for (i = 0; i < ch->nfields && i < 5 && !error; i++)
			error = ikc_buf_printf(out, "%s`%s`", i ? ", " : "",
					       ch->fields[i].path);
		if (!error && ch->nfields > 5)
			error = ikc_buf_printf(out, " and %zu more", ch->nfields - 5);
		return error;
	case IKC_ACTION_DELETE:
		if (ch->deleted_with)
			return ikc_buf_printf(out, "goes with `%s`", ch->deleted_with);
		return ikc_buf_puts(out, "removed from the stack file");
	case IKC_ACTION_CREATE:
	case IKC_ACTION_NOOP:
		break;
	}
	return 0;
}

/* A fenced code block of `text`, with a fence longer than any backtick run in it. */
static int md_code(ikc_buf *out, const char *text)
{
	size_t i, fence = backtick_run(text) + 1;
	int error = 0;

	if (fence < 3)
		fence = 3;
	for (i = 0; i < fence && !error; i++)
		error = ikc_buf_puts(out, "`");
	if (!error)
		error = ikc_buf_printf(out, "\n%s", text);
	for (i = 0; i < fence && !error; i++)
		error = ikc_buf_puts(out, "`");
	if (!error)
		error = ikc_buf_puts(out, "\n");
	return error;
}

/* One resource's change as a collapsed block. */
static int md_change_block(ikc_buf *out, const ikc_change *ch)
{
	ikc_buf text = IKC_BUF_INIT(IKC_MARKDOWN_MAX * 4);
	struct pen p = { &text, 0 };
	int error;

	error = change_text(&p, ch);
	if (!error)
		error = ikc_buf_printf(out, "<details><summary>%s <code>%s</code></summary>\n\n",
				       ikc_action_name(ch->action), ch->address);
	if (!error)
		error = md_code(out, text.ptr ? text.ptr : "");
	if (!error)
		error = ikc_buf_puts(out, "\n</details>\n");
	ikc_buf_dispose(&text);
	return error;
}

int ikc_plan_render_markdown(ikc_buf *out, const ikc_plan *plan)
{
	ikc_buf piece = IKC_BUF_INIT(IKC_MARKDOWN_MAX * 4);
	size_t i, rows_left = 0, blocks_left = 0, drift_left = 0;
	int drift_block_left = 0;
	size_t start = out->len;
	int error, full = 0;

	error = ikc_buf_printf(out, "#### ikc %s for `%s`\n\n",
			       plan->destroy ? "destroy plan" : "plan", plan->stack);
	if (!error && plan->git_commit)
		error = ikc_buf_printf(out, "From git commit `%s`%s%s%s.\n\n",
				       plan->git_commit, plan->git_ref ? " (`" : "",
				       plan->git_ref ? plan->git_ref : "",
				       plan->git_ref ? "`)" : "");
	if (!error && plan->ndrift) {
		error = ikc_buf_printf(out, "**Drift:** %zu resource%s changed outside ikc since the last apply:",
				       plan->ndrift, plan->ndrift > 1 ? "s" : "");
		for (i = 0; i < plan->ndrift && !error; i++) {
			if (i >= 50) {
				drift_left = plan->ndrift - i;
				break;
			}
			error = ikc_buf_printf(out, "%s `%s`%s", i ? "," : "",
					       plan->drift[i].address,
					       plan->drift[i].gone ? " (deleted)" : "");
		}
		if (!error && drift_left)
			error = ikc_buf_printf(out, " and %zu more", drift_left);
		if (!error)
			error = ikc_buf_puts(out, ".\n\n");
	}
	if (error)
		goto cleanup;
	if (!ikc_plan_has_changes(plan)) {
		error = ikc_buf_puts(out, plan->destroy ?
			"**No changes.** The state holds nothing to destroy.\n" :
			"**No changes.** The live state matches the stack file.\n");
		goto cleanup;
	}
	error = ikc_buf_printf(out,
		"**Plan: %zu to add, %zu to change, %zu to replace, %zu to destroy.**\n\n"
		"| action | resource | why |\n|---|---|---|\n",
		plan->n_create, plan->n_update, plan->n_replace, plan->n_delete);
	/* the table, as long as it leaves room for the details of a few */
	for (i = 0; i < plan->nchanges && !error; i++) {
		const ikc_change *ch = &plan->changes[i];

		if (ch->action == IKC_ACTION_NOOP)
			continue;
		if (full) {
			rows_left++;
			continue;
		}
		piece.len = 0;
		error = ikc_buf_printf(&piece, "| %s | `%s` | ",
				       ikc_action_name(ch->action), ch->address);
		if (!error)
			error = md_why(&piece, ch);
		if (!error)
			error = ikc_buf_puts(&piece, " |\n");
		if (error)
			break;
		if (out->len - start + piece.len + 600 > IKC_MARKDOWN_MAX / 2) {
			full = 1;
			rows_left++;
			continue;
		}
		error = ikc_buf_put(out, piece.ptr, piece.len);
	}
	if (!error && rows_left)
		error = ikc_buf_printf(out, "| … | %zu more | |\n", rows_left);
	if (!error)
		error = ikc_buf_puts(out, "\n");
	if (!error && plan->ndrift) {
		ikc_buf text = IKC_BUF_INIT(IKC_MARKDOWN_MAX * 4);
		struct pen p = { &text, 0 };

		piece.len = 0;
		error = drift_text(&p, plan);
		if (!error)
			error = ikc_buf_puts(&piece, "<details><summary>drift</summary>\n\n");
		if (!error)
			error = md_code(&piece, text.ptr ? text.ptr : "");
		if (!error)
			error = ikc_buf_puts(&piece, "\n</details>\n");
		ikc_buf_dispose(&text);
		if (error == IKC_ELIMIT) {
			error = 0;
			drift_block_left = 1;
		} else if (!error && out->len - start + piece.len + 600 <= IKC_MARKDOWN_MAX / 2) {
			error = ikc_buf_put(out, piece.ptr, piece.len);
		} else if (!error) {
			drift_block_left = 1;
		}
	}
	full = 0;
	for (i = 0; i < plan->nchanges && !error; i++) {
		const ikc_change *ch = &plan->changes[i];

		if (ch->action == IKC_ACTION_NOOP)
			continue;
		if (full) {
			blocks_left++;
			continue;
		}
		piece.len = 0;
		error = md_change_block(&piece, ch);
		if (error == IKC_ELIMIT) {
			/* one resource's change alone is larger than a comment */
			error = 0;
			blocks_left++;
			continue;
		}
		if (error)
			break;
		if (out->len - start + piece.len + 600 > IKC_MARKDOWN_MAX) {
			full = 1;
			blocks_left++;
			continue;
		}
		error = ikc_buf_put(out, piece.ptr, piece.len);
	}
	if (!error && (rows_left || blocks_left || drift_left || drift_block_left))
		error = ikc_buf_printf(out,
			"\n**Left out to stay under %d characters:** %zu row%s of the table, "
			"the details of %zu resource%s and %zu drifted resource%s%s. "
			"`ikc plan --format json` has everything.\n",
			IKC_MARKDOWN_MAX, rows_left, rows_left == 1 ? "" : "s",
			blocks_left, blocks_left == 1 ? "" : "s",
			drift_left, drift_left == 1 ? "" : "s",
			drift_block_left ? ", and the drift details" : "");
cleanup:
	ikc_buf_dispose(&piece);
	return error;
}
