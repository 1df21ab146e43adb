/* planfile.c - the saved plan file (ikc plan --out, ikc apply PLANFILE): a plan written and read back whole */
#include "planner/plan.h"

#include <stdlib.h>
#include <string.h>

#include "planner/diff.h"
#include "planner/secret.h"
#include "util/digest.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

/*
 * The file is JSON, like the public plan, but keeps unknown values as the
 * internal marker.  Sensitive values (Secret data, masterAuth) are stored
 * masked (IKC_SECRET_MASK, no function of the value): apply takes every
 * value from the stack file, whose digest the plan records.  It is not a public interface;
 * "ikc_plan_file" carries its version.
 */
#define PLAN_FILE_VERSION 1

/* ---- version markers of live objects ---- */

int ikc_plan_version_marker(char **out, json_object *live_value)
{
	const char *rv = ikc_json_str(ikc_json_path(live_value, "metadata"),
				      "resourceVersion");
	const char *etag = ikc_json_str(live_value, "etag");
	ikc_buf canon = IKC_BUF_INIT(0);
	char hex[65];
	int error;

	*out = NULL;
	if (rv) {
		*out = ikc_asprintf("rv:%s", rv);
	} else if (etag) {
		*out = ikc_asprintf("etag:%s", etag);
	} else {
		error = ikc_json_canonical(&canon, live_value);
		if (!error)
			error = ikc_sha256_hex(hex, canon.ptr ? canon.ptr : "", canon.len);
		ikc_buf_dispose(&canon);
		if (error)
			return error;
		*out = ikc_asprintf("sha256:%s", hex);
	}
	return *out ? 0 : ikc_error_oom();
}

int ikc_plan_set_versions(ikc_plan *plan, json_object *live)
{
	json_object *vers = json_object_new_object(), *lv;
	char *marker = NULL;
	size_t i;
	int error = 0;

	if (!vers)
		return ikc_error_oom();
	for (i = 0; i < plan->nchanges && !error; i++) {
		const char *addr = plan->changes[i].address;

		lv = NULL;
		if (!live || !json_object_object_get_ex(live, addr, &lv) || !lv) {
			error = ikc_json_add(vers, addr, NULL);
			continue;
		}
		error = ikc_plan_version_marker(&marker, lv);
		if (!error)
			error = ikc_json_add(vers, addr, json_object_new_string(marker));
		free(marker);
		marker = NULL;
	}
	if (error) {
		json_object_put(vers);
		return error;
	}
	json_object_put(plan->versions);
	plan->versions = vers;
	return 0;
}

static int put_str(json_object *o, const char *key, const char *s)
{
	return ikc_json_add(o, key, s ? json_object_new_string(s) : NULL);
}

static int put_copy(json_object *o, const char *key, json_object *v)
{
	json_object *c = NULL;

	if (v) {
		c = ikc_json_copy(v);
		if (!c)
			return ikc_error_oom();
	}
	if (json_object_object_add(o, key, c) < 0) {
		json_object_put(c);
		return ikc_error_oom();
	}
	return 0;
}

/*
 * A sensitive value as the file keeps it: IKC_SECRET_MASK, no function of
 * the value (apply takes values from the stack file, whose digest the plan
 * records, so the file needs none).
 */
static int put_masked(json_object *o, const char *key, json_object *v)
{
	json_object *c = NULL, *wrap;
	int error;

	if (!v)
		return put_copy(o, key, NULL);
	wrap = json_object_new_object();
	if (!wrap)
		return ikc_error_oom();
	c = ikc_json_copy(v);
	error = c ? ikc_json_add(wrap, "data", c) : ikc_error_oom();
	if (!error)
		error = ikc_secret_mask(wrap, "Secret");
	if (!error)
		error = put_copy(o, key, json_object_object_get(wrap, "data"));
	json_object_put(wrap);
	return error;
}

static int save_fields(json_object *o, const ikc_field_change *f, size_t n,
		       const char *kind)
{
	json_object *arr = json_object_new_array();
	size_t i;
	int error = 0;

	if (!arr)
		return ikc_error_oom();
	for (i = 0; i < n && !error; i++) {
		json_object *e = json_object_new_object();

		if (!e) {
			error = ikc_error_oom();
			break;
		}
		error = put_str(e, "path", f[i].path);
		if (!error && ikc_secret_path(kind, f[i].path)) {
			error = put_masked(e, "before", f[i].before);
			if (!error)
				error = put_masked(e, "after", f[i].after);
		} else {
			if (!error)
				error = put_copy(e, "before", f[i].before);
			if (!error)
				error = put_copy(e, "after", f[i].after);
		}
		if (!error)
			error = ikc_json_add(e, "forces_replacement",
					     json_object_new_boolean(f[i].forces_replacement));
		if (error) {
			json_object_put(e);
			break;
		}
		error = ikc_json_append(arr, e);
	}
	if (error) {
		json_object_put(arr);
		return error;
	}
	return ikc_json_add(o, "fields", arr);
}

/* A copy of a whole value with its sensitive parts hashed. */
static int put_value_masked(json_object *o, const char *key, json_object *v,
			    const char *kind)
{
	json_object *c;
	int error;

	if (!v || !ikc_secret_kind(kind))
		return put_copy(o, key, v);
	c = ikc_json_copy(v);
	if (!c)
		return ikc_error_oom();
	error = ikc_secret_mask(c, kind);
	if (!error)
		error = put_copy(o, key, c);
	json_object_put(c);
	return error;
}

static int save_change(json_object *arr, const ikc_change *ch)
{
	json_object *o = json_object_new_object(), *rp = NULL;
	size_t i;
	int error;

	if (!o)
		return ikc_error_oom();
	error = put_str(o, "address", ch->address);
	if (!error)
		error = put_str(o, "kind", ch->kind);
	if (!error)
		error = put_str(o, "api_version", ch->api_version);
	if (!error)
		error = put_str(o, "provider", ch->provider == IKC_PROVIDER_GKE ?
				"gke" : "kubernetes");
	if (!error)
		error = put_str(o, "action", ikc_action_name(ch->action));
	if (!error)
		error = put_value_masked(o, "before", ch->before, ch->kind);
	if (!error)
		error = put_value_masked(o, "after", ch->after, ch->kind);
	if (!error)
		error = save_fields(o, ch->fields, ch->nfields, ch->kind);
	if (!error) {
		rp = json_object_new_array();
		if (!rp)
			error = ikc_error_oom();
	}
	for (i = 0; i < ch->nreplace_paths && !error; i++)
		error = ikc_json_append(rp, json_object_new_string(ch->replace_paths[i]));
	if (!error) {
		error = ikc_json_add(o, "replace_paths", rp);
		rp = NULL;
	}
	if (!error)
		error = put_str(o, "deleted_with", ch->deleted_with);
	json_object_put(rp);
	if (error) {
		json_object_put(o);
		return error;
	}
	return ikc_json_append(arr, o);
}

static int save_drift(json_object *arr, const ikc_drift *d, const char *kind)
{
	json_object *o = json_object_new_object();
	int error;

	if (!o)
		return ikc_error_oom();
	error = put_str(o, "address", d->address);
	if (!error)
		error = ikc_json_add(o, "gone", json_object_new_boolean(d->gone));
	if (!error)
		error = save_fields(o, d->fields, d->nfields, kind);
	if (error) {
		json_object_put(o);
		return error;
	}
	return ikc_json_append(arr, o);
}

/* SHA-256 of the canonical JSON of `root` without its "checksum". */
static int checksum_of(char hex[65], json_object *root)
{
	ikc_buf canon = IKC_BUF_INIT(0);
	json_object *saved = NULL;
	int error;

	if (json_object_object_get_ex(root, "checksum", &saved)) {
		json_object_get(saved);
		json_object_object_del(root, "checksum");
	}
	error = ikc_json_canonical(&canon, root);
	if (!error)
		error = ikc_sha256_hex(hex, canon.ptr ? canon.ptr : "", canon.len);
	ikc_buf_dispose(&canon);
	if (saved && json_object_object_add(root, "checksum", saved) < 0) {
		json_object_put(saved);
		if (!error)
			error = ikc_error_oom();
	}
	return error;
}

/*
 * Adds the checksum, computed over the document as it will be read back
 * (written and parsed again, so that numbers hash the same both ways).
 */
static int add_checksum(json_object **root)
{
	const char *text = json_object_to_json_string_ext(*root,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	json_object *again = NULL;
	char hex[65];
	int error;

	if (!text)
		return ikc_error_oom();
	error = ikc_json_parse(&again, text, strlen(text), "plan");
	if (!error)
		error = checksum_of(hex, again);
	if (!error)
		error = put_str(again, "checksum", hex);
	if (error) {
		json_object_put(again);
		return error;
	}
	json_object_put(*root);
	*root = again;
	return 0;
}

int ikc_plan_save(ikc_buf *out, const ikc_plan *plan)
{
	json_object *root = json_object_new_object();
	json_object *changes = NULL, *drift = NULL;
	size_t i;
	int error = 0;

	if (!root)
		return ikc_error_oom();
	error = ikc_json_add(root, "ikc_plan_file", json_object_new_int(PLAN_FILE_VERSION));
	if (!error)
		error = put_str(root, "stack", plan->stack);
	if (!error)
		error = put_str(root, "lineage", plan->lineage);
	if (!error)
		error = ikc_json_add(root, "serial",
				     json_object_new_int64((int64_t)plan->serial));
	if (!error)
		error = put_str(root, "digest", plan->digest);
	if (!error)
		error = put_str(root, "git_commit", plan->git_commit);
	if (!error)
		error = put_str(root, "git_ref", plan->git_ref);
	if (!error)
		error = put_copy(root, "versions", plan->versions);
	if (!error)
		error = ikc_json_add(root, "refreshed", json_object_new_boolean(plan->refreshed));
	if (!error)
		error = ikc_json_add(root, "destroy", json_object_new_boolean(plan->destroy));
	if (!error) {
		changes = json_object_new_array();
		drift = json_object_new_array();
		if (!changes || !drift)
			error = ikc_error_oom();
	}
	for (i = 0; i < plan->nchanges && !error; i++)
		error = save_change(changes, &plan->changes[i]);
	for (i = 0; i < plan->ndrift && !error; i++) {
		const ikc_change *ch = ikc_plan_find(plan, plan->drift[i].address);

		error = save_drift(drift, &plan->drift[i], ch ? ch->kind : NULL);
	}
	if (!error) {
		error = ikc_json_add(root, "changes", changes);
		changes = NULL;
	}
	if (!error) {
		error = ikc_json_add(root, "drift", drift);
		drift = NULL;
	}
	if (!error)
		error = add_checksum(&root);
	/* Plain, not canonical: key order is kept, so renderings match. */
	if (!error)
		error = ikc_buf_puts(out, json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (!error)
		error = ikc_buf_puts(out, "\n");
	json_object_put(root);
	json_object_put(changes);
	json_object_put(drift);
	return error;
}

/* ---- reading ---- */

static json_object *get(json_object *o, const char *key, json_type type)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static int bad(const char *what)
{
	return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN,
				  "not a valid saved plan: %s", what);
}

/* A string member copied (NULL stays NULL when `optional`). */
static int take_str(char **dst, json_object *o, const char *key, int optional)
{
	json_object *v = NULL;

	*dst = NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (optional)
			return 0;
		return bad(key);
	}
	if (!json_object_is_type(v, json_type_string))
		return bad(key);
	*dst = strdup(json_object_get_string(v));
	return *dst ? 0 : ikc_error_oom();
}

static int take_value(json_object **dst, json_object *o, const char *key)
{
	json_object *v = NULL;

	*dst = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	*dst = ikc_json_copy(v);
	return *dst ? 0 : ikc_error_oom();
}

static int load_fields(ikc_field_change **out, size_t *n_out, json_object *o)
{
	json_object *arr = get(o, "fields", json_type_array);
	size_t i, n;
	int error = 0;

	*out = NULL;
	*n_out = 0;
	if (!arr)
		return bad("fields");
	n = json_object_array_length(arr);
	if (!n)
		return 0;
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return ikc_error_oom();
	for (i = 0; i < n && !error; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		ikc_field_change *f = &(*out)[i];
		json_object *fr;

		if (!json_object_is_type(e, json_type_object)) {
			error = bad("field");
			break;
		}
		(*n_out)++;
		error = take_str(&f->path, e, "path", 0);
		if (!error)
			error = take_value(&f->before, e, "before");
		if (!error)
			error = take_value(&f->after, e, "after");
		fr = get(e, "forces_replacement", json_type_boolean);
		f->forces_replacement = fr && json_object_get_boolean(fr);
	}
	return error;
}

static int parse_action(ikc_action *out, const char *s)
{
	static const ikc_action all[] = { IKC_ACTION_NOOP, IKC_ACTION_CREATE,
		IKC_ACTION_UPDATE, IKC_ACTION_REPLACE, IKC_ACTION_DELETE };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(ikc_action_name(all[i]), s)) {
			*out = all[i];
			return 0;
		}
	}
	return bad("action");
}

static int load_change(ikc_change *ch, json_object *o)
{
	json_object *rp;
	char *s = NULL;
	size_t i, n;
	int error;

	if (!json_object_is_type(o, json_type_object))
		return bad("change");
	error = take_str(&ch->address, o, "address", 0);
	if (!error)
		error = take_str(&ch->kind, o, "kind", 0);
	if (!error)
		error = take_str(&ch->api_version, o, "api_version", 0);
	if (!error)
		error = take_str(&s, o, "provider", 0);
	if (!error)
		ch->provider = !strcmp(s, "gke") ? IKC_PROVIDER_GKE :
						   IKC_PROVIDER_KUBERNETES;
	free(s);
	s = NULL;
	if (!error)
		error = take_str(&s, o, "action", 0);
	if (!error)
		error = parse_action(&ch->action, s);
	free(s);
	if (!error)
		error = take_value(&ch->before, o, "before");
	if (!error)
		error = take_value(&ch->after, o, "after");
	if (!error)
		error = load_fields(&ch->fields, &ch->nfields, o);
	if (!error)
		error = take_str(&ch->deleted_with, o, "deleted_with", 1);
	if (error)
		return error;
	rp = get(o, "replace_paths", json_type_array);
	if (!rp)
		return bad("replace_paths");
	n = json_object_array_length(rp);
	if (!n)
		return 0;
	ch->replace_paths = calloc(n, sizeof(*ch->replace_paths));
	if (!ch->replace_paths)
		return ikc_error_oom();
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(rp, i);

		if (!json_object_is_type(e, json_type_string))
			return bad("replace_paths");
		ch->replace_paths[i] = strdup(json_object_get_string(e));
		if (!ch->replace_paths[i])
			return ikc_error_oom();
		ch->nreplace_paths++;
	}
	return 0;
}

static int load_drift(ikc_drift *d, json_object *o)
{
	json_object *gone;
	int error;

	if (!json_object_is_type(o, json_type_object))
		return bad("drift");
	error = take_str(&d->address, o, "address", 0);
	if (error)
		return error;
	gone = get(o, "gone", json_type_boolean);
	d->gone = gone && json_object_get_boolean(gone);
	return load_fields(&d->fields, &d->nfields, o);
}

int ikc_plan_load(ikc_plan **out, const char *data, size_t len)
{
	json_object *root = NULL, *v, *changes, *drift;
	ikc_plan *plan = NULL;
	char *digest = NULL;
	char sum[65];
	size_t i, n;
	int error;

	*out = NULL;
	error = ikc_json_parse(&root, data, len, "saved plan");
	if (error < 0)
		return error;
	v = json_object_is_type(root, json_type_object) ?
		get(root, "ikc_plan_file", json_type_int) : NULL;
	if (!v) {
		error = bad("this is not an ikc plan file");
		goto cleanup;
	}
	if (json_object_get_int(v) != PLAN_FILE_VERSION) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN,
					   "saved plan has format %d; this ikc reads %d",
					   json_object_get_int(v), PLAN_FILE_VERSION);
		goto cleanup;
	}
	v = get(root, "checksum", json_type_string);
	if (!v) {
		error = bad("it has no checksum");
		goto cleanup;
	}
	error = checksum_of(sum, root);
	if (error)
		goto cleanup;
	if (strcmp(sum, json_object_get_string(v))) {
		error = bad("its checksum does not match its content (the file was "
			    "edited or damaged)");
		goto cleanup;
	}
	plan = calloc(1, sizeof(*plan));
	if (!plan) {
		error = ikc_error_oom();
		goto cleanup;
	}
	error = take_str(&plan->stack, root, "stack", 0);
	if (!error)
		error = take_str(&plan->lineage, root, "lineage", 0);
	if (!error)
		error = take_str(&plan->git_commit, root, "git_commit", 1);
	if (!error)
		error = take_str(&plan->git_ref, root, "git_ref", 1);
	if (!error) {
		v = get(root, "versions", json_type_object);
		if (v) {
			plan->versions = ikc_json_copy(v);
			if (!plan->versions)
				error = ikc_error_oom();
		}
	}
	if (!error)
		error = take_str(&digest, root, "digest", 0);
	if (error)
		goto cleanup;
	if (strlen(digest) >= sizeof(plan->digest)) {
		error = bad("digest");
		goto cleanup;
	}
	memcpy(plan->digest, digest, strlen(digest) + 1);
	v = get(root, "serial", json_type_int);
	if (!v) {
		error = bad("serial");
		goto cleanup;
	}
	plan->serial = (unsigned long long)json_object_get_int64(v);
	v = get(root, "refreshed", json_type_boolean);
	plan->refreshed = v && json_object_get_boolean(v);
	v = get(root, "destroy", json_type_boolean);
	plan->destroy = v && json_object_get_boolean(v);
	changes = get(root, "changes", json_type_array);
	drift = get(root, "drift", json_type_array);
	if (!changes || !drift) {
		error = bad("changes");
		goto cleanup;
	}
	n = json_object_array_length(changes);
	plan->changes = calloc(n ? n : 1, sizeof(*plan->changes));
	if (!plan->changes) {
		error = ikc_error_oom();
		goto cleanup;
	}
	for (i = 0; i < n && !error; i++) {
		plan->nchanges++;
		error = load_change(&plan->changes[i],
				    json_object_array_get_idx(changes, i));
	}
	n = json_object_array_length(drift);
	plan->drift = calloc(n ? n : 1, sizeof(*plan->drift));
	if (!error && !plan->drift)
		error = ikc_error_oom();
	for (i = 0; i < n && !error; i++) {
		plan->ndrift++;
		error = load_drift(&plan->drift[i], json_object_array_get_idx(drift, i));
	}
	if (error)
		goto cleanup;
	ikc_plan__tally(plan);
	*out = plan;
	plan = NULL;
cleanup:
	free(digest);
	ikc_plan_free(plan);
	json_object_put(root);
	return error;
}
