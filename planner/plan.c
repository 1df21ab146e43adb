/* plan.c - builds the plan: ordering, resolution, per-resource diff, deletes, prevent-destroy */
#include "planner/plan.h"

#include <stdlib.h>
#include <string.h>

#include "planner/check.h"
#include "planner/diff.h"
#include "providers/schema.h"
#include "planner/secret.h"
#include "planner/graph.h"
#include "providers/provider.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

struct builder {
	const ikc_plan_input *in;
	const ikc_stack *st;
	ikc_plan *plan;
	ikc_diags *diags;
	long *change_of;     /* stack index -> index in plan->changes, -1 if none */
	size_t cap_changes, cap_drift;
	int failed;          /* a prevent-destroy violation was found */
};

static json_object *member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static json_object *state_res(const struct builder *b, const char *address)
{
	return b->in->prior ? ikc_state_resource(b->in->prior, address) : NULL;
}

/*
 * What stands for the live value of a resource: the value read now when
 * refreshed (NULL: absent live), else the stored observation, else what
 * was last applied.
 */
static json_object *live_of(const struct builder *b, const char *address,
			    json_object *sres)
{
	json_object *v;

	if (b->in->live)
		return member(b->in->live, address);
	if (!sres)
		return NULL;
	v = member(sres, "observed");
	return v ? v : member(sres, "desired");
}

static const ikc_provider_hints *hints_for(ikc_provider_kind p)
{
	return p == IKC_PROVIDER_GKE ? ikc_gke_hints() : ikc_kubernetes_hints();
}

static ikc_provider_kind provider_of_state(json_object *sres)
{
	const char *p = ikc_json_str(sres, "provider");

	return p && !strcmp(p, "gke") ? IKC_PROVIDER_GKE :
					IKC_PROVIDER_KUBERNETES;
}

static int state_prevent_destroy(json_object *sres)
{
	json_object *v = member(sres, "prevent_destroy");

	return v && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

static int grow(void **items, size_t *cap, size_t n, size_t size)
{
	size_t ncap, bytes;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (ikc_size_mul(&bytes, ncap, size))
		return ikc_error_oom();
	p = realloc(*items, bytes);
	if (!p)
		return ikc_error_oom();
	*items = p;
	*cap = ncap;
	return 0;
}

/* Appends a change (taken: the caller's copy is zeroed). */
static int add_change(struct builder *b, ikc_change *ch)
{
	ikc_plan *p = b->plan;
	void *items = p->changes;
	int error = grow(&items, &b->cap_changes, p->nchanges, sizeof(*ch));

	p->changes = items;
	if (error < 0) {
		ikc_change_clear(ch);
		return error;
	}
	p->changes[p->nchanges++] = *ch;
	memset(ch, 0, sizeof(*ch));
	return 0;
}

/* Appends a drift entry when it says something (taken either way). */
static int add_drift(struct builder *b, ikc_drift *d)
{
	ikc_plan *p = b->plan;
	void *items;
	int error;

	if (!d->gone && !d->nfields) {
		ikc_drift_clear(d);
		return 0;
	}
	items = p->drift;
	error = grow(&items, &b->cap_drift, p->ndrift, sizeof(*d));
	p->drift = items;
	if (error < 0) {
		ikc_drift_clear(d);
		return error;
	}
	p->drift[p->ndrift++] = *d;
	memset(d, 0, sizeof(*d));
	return 0;
}

static json_object *copy_value(json_object *v, int *error)
{
	json_object *c;

	if (!v)
		return NULL;
	c = ikc_json_copy(v);
	if (!c)
		*error = ikc_error_oom();
	return c;
}

/* ---- resolution of ${Kind/name.path} ---- */

static int found(json_object **value_out, json_object *v)
{
	*value_out = ikc_json_copy(v);
	return *value_out ? 0 : ikc_error_oom();
}

static int resolve_ref(void *ctx, const char *target, const char *path,
		       json_object **value_out)
{
	struct builder *b = ctx;
	long idx = ikc_graph_stack_index(b->st, target);
	json_object *sres, *v;

	*value_out = NULL;
	if (idx >= 0 && b->change_of[idx] >= 0) {
		const ikc_change *ch = &b->plan->changes[b->change_of[idx]];

		v = ikc_json_path(ch->after, path);
		if (ch->action == IKC_ACTION_CREATE ||
		    ch->action == IKC_ACTION_REPLACE) {
			/* A new object: what the file sets, the rest comes later. */
			if (!v || ikc_diff__has_unknown(v))
				return IKC_ENOTFOUND;
			return found(value_out, v);
		}
		if (ch->action == IKC_ACTION_UPDATE && v) {
			if (ikc_diff__has_unknown(v))
				return IKC_ENOTFOUND;
			return found(value_out, v);
		}
	}
	if (b->in->live) {
		v = ikc_json_path(member(b->in->live, target), path);
		if (v)
			return found(value_out, v);
	}
	sres = state_res(b, target);
	v = ikc_json_path(member(sres, "outputs"), path);
	if (!v)
		v = ikc_json_path(member(sres, "observed"), path);
	if (!v)
		v = ikc_json_path(member(sres, "desired"), path);
	if (v)
		return found(value_out, v);
	if (idx >= 0 || sres)
		return IKC_ENOTFOUND;
	return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN,
				  "reference to %s.%s: %s is not a resource of this stack",
				  target, path, target);
}

/* ---- one resource of the stack ---- */

/*
 * Records a prevent-destroy violation (`msg` owned, NULL on OOM): a
 * diagnostic positioned at the resource (or the field forcing the
 * replacement) and, for the first one, the error message.
 */
static void report(struct builder *b, const ikc_resource *r, const char *path,
		   char *msg)
{
	int line = 0, col = 0;
	const char *text = msg ? msg : "prevent-destroy violated";

	if (r) {
		line = r->line;
		col = r->col;
		if (path)
			(void)ikc_stack_position(b->st, r, path, &line, &col);
	}
	if (b->diags)
		ikc_diags_add(b->diags, IKC_DIAG_ERROR, b->st->file, line, col,
			      "%s", text);
	if (!b->failed)
		(void)ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN, "%s", text);
	b->failed = 1;
	free(msg);
}

/*
 * A replaced Cluster takes its node pools and in-cluster objects with it:
 * they are created again in the new cluster.  The old ones go with the old
 * cluster (deleted_with), except a LoadBalancer Service, which apply
 * deletes itself first so that the cloud load balancer is released.
 */
static int follow_cluster(struct builder *b, const ikc_resource *r,
			  ikc_change *ch)
{
	const ikc_resource *c;
	long ci;
	const char *type;

	if (!r->cluster || ch->action == IKC_ACTION_CREATE)
		return 0;
	ci = ikc_graph_stack_index(b->st, r->cluster);
	if (ci < 0 || b->change_of[ci] < 0 ||
	    b->plan->changes[b->change_of[ci]].action != IKC_ACTION_REPLACE)
		return 0;
	c = &b->st->resources[ci];
	if (!c->kind || strcmp(c->kind, "Cluster"))
		return 0;
	ch->action = IKC_ACTION_REPLACE;
	type = ikc_json_str(member(ch->after, "spec"), "type");
	if (r->provider == IKC_PROVIDER_KUBERNETES && r->kind &&
	    !strcmp(r->kind, "Service") && type && !strcmp(type, "LoadBalancer"))
		return 0;
	ch->deleted_with = strdup(r->cluster);
	return ch->deleted_with ? 0 : ikc_error_oom();
}

/* 1 if `v` (a value of kind `kind`) holds any sensitive value. */
static int has_secret_values(json_object *v, const char *kind)
{
	json_object *c = v ? ikc_json_copy(v) : NULL;
	int differs;

	if (!c)
		return 0;
	differs = ikc_secret_strip(c, kind) == 0 && !json_object_equal(c, v);
	json_object_put(c);
	return differs;
}

/*
 * The API schema that says how lists compare and what the values must be
 * (the cluster's own, or the one shipped with ikc); the values ${...} gave
 * are checked now that they are known.
 */
static int plan_semantics(struct builder *b, const ikc_resource *r,
			  ikc_diff_input *din)
{
	const ikc_schema *sch = b->in->schema_for ?
		b->in->schema_for(b->in->schema_ctx, r) : ikc_schema_shipped(r->provider);

	/* values that ${...} gave, checked now that they are known */
	if (din->desired && !b->in->destroy) {
		int n = ikc_plan_check_value(b->st, r, din->desired, sch, b->diags);

		if (n < 0)
			return n;
		if (n > 0) {
			if (!b->failed)
				(void)ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN,
					"%s: values do not fit the API's schema", r->address);
			b->failed = 1;
		}
	}
	if (sch) {
		din->schema = sch;
		din->schema_root = ikc_schema_resource(sch, din->hints,
						       r->api_version, r->kind);
	}
	return 0;
}

static int plan_resource(struct builder *b, size_t idx)
{
	const ikc_resource *r = &b->st->resources[idx];
	json_object *sres = state_res(b, r->address);
	json_object *live = live_of(b, r->address, sres);
	json_object *desired = NULL, *stripped_desired = NULL, *stripped_live = NULL;
	json_object *stripped_last = NULL;
	ikc_change ch;
	ikc_drift d;
	ikc_diff_input din;
	int error;

	memset(&ch, 0, sizeof(ch));
	memset(&d, 0, sizeof(d));
	error = ikc_stack_resolve(&desired, b->st, r->body, resolve_ref, b);
	if (error < 0)
		return ikc_error_wrap(error, "%s: ", r->address);
	memset(&din, 0, sizeof(din));
	din.hints = hints_for(r->provider);
	din.api_version = r->api_version;
	din.kind = r->kind;
	din.desired = desired;
	din.last = member(sres, "desired");
	din.live = live;
	din.ignore = (const char *const *)r->ignore_changes;
	din.nignore = r->nignore_changes;

	ch.address = strdup(r->address);
	ch.kind = strdup(r->kind ? r->kind : "");
	ch.api_version = strdup(r->api_version ? r->api_version : "");
	d.address = strdup(r->address);
	ch.provider = r->provider;
	ch.after = desired;
	desired = NULL;
	ch.before = copy_value(b->in->live ? live : din.last, &error);
	if (!ch.address || !ch.kind || !ch.api_version || !d.address)
		error = ikc_error_oom();
	if (error < 0)
		goto cleanup;
	din.desired = ch.after;
	error = plan_semantics(b, r, &din);
	if (error < 0)
		goto cleanup;
	/*
	 * The state keeps no Secret value (planner/secret.h): without a
	 * refresh there is nothing to compare the file's values with, so they
	 * are left out, and the plan says so.
	 */
	if (!b->in->live && sres && ikc_secret_kind(r->kind) && has_secret_values(ch.after, r->kind)) {
		stripped_desired = ikc_json_copy(ch.after);
		stripped_live = live ? ikc_json_copy(live) : NULL;
		stripped_last = din.last ? ikc_json_copy(din.last) : NULL;
		if ((ch.after && !stripped_desired) || (live && !stripped_live) ||
		    (din.last && !stripped_last) ||
		    ikc_secret_strip(stripped_desired, r->kind) < 0 ||
		    ikc_secret_strip(stripped_live, r->kind) < 0 ||
		    ikc_secret_strip(stripped_last, r->kind) < 0) {
			error = IKC_ERROR;
			goto cleanup;
		}
		din.desired = stripped_desired;
		din.live = stripped_live;
		din.last = stripped_last;
		if (b->diags)
			ikc_diags_add(b->diags, IKC_DIAG_WARNING, b->st->file, r->line, r->col,
				      "%s: its sensitive values are not compared without refresh "
				      "(ikc stores no copy or hash of them); plan with refresh "
				      "to compare them with the live object", r->address);
	}
	error = ikc_diff_resource(&ch, sres ? &d : NULL, &din);
	if (error < 0)
		goto cleanup;
	error = follow_cluster(b, r, &ch);
	if (error < 0)
		goto cleanup;
	/* The file decides for its own documents; the state only remembers. */
	if (ch.action == IKC_ACTION_REPLACE && r->prevent_destroy) {
		char *why = NULL;
		size_t i;
		ikc_buf paths = IKC_BUF_INIT(64 * 1024);

		for (i = 0; i < ch.nreplace_paths && !error; i++)
			error = ikc_buf_printf(&paths, "%s%s", i ? ", " : "",
					       ch.replace_paths[i]);
		if (error < 0) {
			ikc_buf_dispose(&paths);
			goto cleanup;
		}
		why = ikc_buf_detach(&paths);
		if (!why) {
			error = ikc_error_oom();
			goto cleanup;
		}
		if (ch.nreplace_paths)
			report(b, r, ch.replace_paths[0],
			       ikc_asprintf("%s: ikc.dev/prevent-destroy is set, but the plan must replace it (%s %s replacement)",
					    r->address, why,
					    ch.nreplace_paths > 1 ? "force" : "forces"));
		else
			report(b, r, NULL,
			       ikc_asprintf("%s: ikc.dev/prevent-destroy is set, but the plan must replace it (its cluster %s is replaced)",
					    r->address, r->cluster));
		free(why);
	}
	b->change_of[idx] = (long)b->plan->nchanges;
	error = add_change(b, &ch);
	if (!error)
		error = add_drift(b, &d);
cleanup:
	json_object_put(desired);
	json_object_put(stripped_desired);
	json_object_put(stripped_live);
	json_object_put(stripped_last);
	ikc_change_clear(&ch);
	ikc_drift_clear(&d);
	return error;
}

/* ---- deletes: resources the state holds that the plan removes ---- */

/*
 * The graph of state resources: each depends on what its "depends_on"
 * names and on its "cluster".  0 or IKC_ERROR.
 */
static int state_graph(ikc_graph **out, json_object **res, size_t n)
{
	ikc_graph *g = NULL;
	size_t i, j, k;
	int error;

	*out = NULL;
	error = ikc_graph_new(&g, n);
	for (i = 0; i < n && !error; i++) {
		json_object *deps = member(res[i], "depends_on");
		const char *cl = ikc_json_str(res[i], "cluster");
		size_t nd = deps && json_object_is_type(deps, json_type_array) ?
			json_object_array_length(deps) : 0;

		for (j = 0; j <= nd && !error; j++) {
			json_object *e = j < nd ? json_object_array_get_idx(deps, j) : NULL;
			const char *a = j < nd ?
				(json_object_is_type(e, json_type_string) ?
				 json_object_get_string(e) : NULL) : cl;

			for (k = 0; a && k < n && !error; k++) {
				const char *ak = ikc_json_str(res[k], "address");

				if (k != i && ak && !strcmp(a, ak))
					error = ikc_graph_add_edge(g, i, k);
			}
		}
	}
	if (error < 0) {
		ikc_graph_free(g);
		return error;
	}
	*out = g;
	return 0;
}

/* Orders state resources for deletion: dependents first. */
static int delete_order(size_t **out, const ikc_graph *g)
{
	size_t *order = NULL, i, n = ikc_graph_count(g);
	int error;

	*out = NULL;
	error = ikc_graph_order(&order, NULL, NULL, g);
	if (error == IKC_ECONFLICT) {
		/* A cycle in a stored state: fall back to stored order. */
		ikc_error_clear();
		error = 0;
		order = calloc(n ? n : 1, sizeof(*order));
		if (!order)
			return ikc_error_oom();
		for (i = 0; i < n; i++)
			order[i] = i;
	}
	if (error < 0)
		return error;
	for (i = 0; i < n / 2; i++) {
		size_t t = order[i];

		order[i] = order[n - 1 - i];
		order[n - 1 - i] = t;
	}
	*out = order;
	return 0;
}

static int is_load_balancer(json_object *sres)
{
	const char *t = ikc_json_str(member(member(sres, "desired"), "spec"), "type");

	if (!t)
		t = ikc_json_str(member(member(sres, "observed"), "spec"), "type");
	return t && !strcmp(t, "LoadBalancer");
}

static int plan_delete(struct builder *b, json_object *sres)
{
	const char *address = ikc_json_str(sres, "address");
	const ikc_resource *r = b->st ?
		ikc_stack_find(b->st, address) : NULL;
	json_object *live = live_of(b, address, sres);
	ikc_change ch;
	ikc_drift d;
	ikc_diff_input din;
	int error = 0;

	memset(&ch, 0, sizeof(ch));
	memset(&d, 0, sizeof(d));
	memset(&din, 0, sizeof(din));
	ch.provider = provider_of_state(sres);
	din.hints = hints_for(ch.provider);
	din.api_version = ikc_json_str(sres, "api_version");
	din.kind = ikc_json_str(sres, "kind");
	din.last = member(sres, "desired");
	din.live = live;
	ch.address = strdup(address);
	d.address = strdup(address);
	ch.kind = strdup(din.kind ? din.kind : "");
	ch.api_version = strdup(din.api_version ? din.api_version : "");
	ch.before = copy_value(b->in->live ? live : din.last, &error);
	if (!ch.address || !d.address || !ch.kind || !ch.api_version)
		error = ikc_error_oom();
	if (error < 0)
		goto cleanup;
	error = ikc_diff_resource(&ch, b->in->destroy ? NULL : &d, &din);
	if (error < 0)
		goto cleanup;
	if (r ? r->prevent_destroy : state_prevent_destroy(sres)) {
		if (b->in->destroy)
			report(b, r, NULL,
			       ikc_asprintf("%s: ikc.dev/prevent-destroy is set, but the plan must destroy it",
					    address));
		else
			report(b, r, NULL,
			       ikc_asprintf("%s: ikc.dev/prevent-destroy is set (remembered in the state), but its document was removed from the stack file, so the plan must destroy it",
					    address));
	}
	error = add_change(b, &ch);
	if (!error)
		error = add_drift(b, &d);
cleanup:
	ikc_change_clear(&ch);
	ikc_drift_clear(&d);
	return error;
}

/*
 * A node pool, or an in-cluster object other than a LoadBalancer Service,
 * goes with its Cluster when that Cluster is deleted in the same plan.
 */
static int mark_deleted_with(struct builder *b)
{
	ikc_plan *p = b->plan;
	size_t i, j;

	for (i = 0; i < p->nchanges; i++) {
		ikc_change *ch = &p->changes[i];
		json_object *sres;
		const char *cl;

		if (ch->action != IKC_ACTION_DELETE)
			continue;
		sres = state_res(b, ch->address);
		cl = ikc_json_str(sres, "cluster");
		if (!cl)
			continue;
		if (ch->provider == IKC_PROVIDER_GKE && strcmp(ch->kind, "NodePool"))
			continue;
		if (ch->provider == IKC_PROVIDER_KUBERNETES &&
		    !strcmp(ch->kind, "Service") && is_load_balancer(sres))
			continue;
		for (j = 0; j < p->nchanges; j++) {
			const ikc_change *c = &p->changes[j];

			if (c->action == IKC_ACTION_DELETE &&
			    !strcmp(c->kind, "Cluster") &&
			    c->provider == IKC_PROVIDER_GKE &&
			    !strcmp(c->address, cl)) {
				ch->deleted_with = strdup(cl);
				if (!ch->deleted_with)
					return ikc_error_oom();
				break;
			}
		}
	}
	return 0;
}

/*
 * Deletes for the state resources selected by `pick` (1 = delete), in
 * reverse dependency order.  For a destroy plan with targets, the targets'
 * dependents are picked too.
 */
static int plan_deletes(struct builder *b, unsigned char *pick, int targeted)
{
	size_t n = b->in->prior ? ikc_state_count(b->in->prior) : 0;
	json_object **res = NULL;
	ikc_graph *g = NULL;
	size_t *order = NULL, i;
	int error = 0;

	if (!n)
		return 0;
	res = calloc(n, sizeof(*res));
	if (!res)
		return ikc_error_oom();
	for (i = 0; i < n; i++)
		res[i] = ikc_state_resource_at(b->in->prior, i);
	error = state_graph(&g, res, n);
	if (!error)
		error = delete_order(&order, g);
	if (error < 0)
		goto cleanup;
	/* Whatever depends on a destroyed target goes too. */
	if (targeted && b->in->destroy)
		for (i = 0; i < n; i++)
			if (pick[i] == 1)
				ikc_graph_closure(pick, g, i, 1);
	for (i = 0; i < n && !error; i++)
		if (pick[order[i]] && ikc_json_str(res[order[i]], "address"))
			error = plan_delete(b, res[order[i]]);
cleanup:
	ikc_graph_free(g);
	free(order);
	free(res);
	return error;
}

/* ---- targets ---- */

/*
 * 1 if `target` names `address`.  "Kind/default/name" is accepted for the
 * canonical "Kind/name" of an object in the default namespace.
 */
static int same_address(const char *target, const char *address)
{
	const char *first = strchr(target, '/');
	size_t kl;

	if (!strcmp(target, address))
		return 1;
	if (!first || strncmp(first, "/default/", 9))
		return 0;
	kl = (size_t)(first - target) + 1;
	return !strncmp(target, address, kl) && !strcmp(first + 9, address + kl);
}

static int is_target(const ikc_plan_input *in, const char *address)
{
	size_t i;

	for (i = 0; i < in->ntargets; i++)
		if (address && same_address(in->targets[i], address))
			return 1;
	return 0;
}

/* 1 if a resource of the stack or of the state has this address. */
static int target_known(const struct builder *b, const char *t)
{
	size_t i, ns = b->in->prior ? ikc_state_count(b->in->prior) : 0;

	for (i = 0; i < b->st->nresources; i++)
		if (same_address(t, b->st->resources[i].address))
			return 1;
	for (i = 0; i < ns; i++) {
		const char *a = ikc_json_str(ikc_state_resource_at(b->in->prior, i), "address");

		if (a && same_address(t, a))
			return 1;
	}
	return 0;
}

static int check_targets(struct builder *b)
{
	const ikc_plan_input *in = b->in;
	size_t i, j, n = b->st->nresources;
	size_t ns = in->prior ? ikc_state_count(in->prior) : 0;
	const char **names = NULL;
	int error = 0;

	for (i = 0; i < in->ntargets && !error; i++) {
		const char *t = in->targets[i];
		const char *hint;

		if (target_known(b, t))
			continue;
		names = calloc(n + ns + 1, sizeof(*names));
		if (!names)
			return ikc_error_oom();
		for (j = 0; j < n; j++)
			names[j] = b->st->resources[j].address;
		for (j = 0; j < ns; j++)
			names[n + j] = ikc_json_str(ikc_state_resource_at(in->prior, j), "address");
		hint = ikc_str_suggest(t, names, n + ns);
		if (hint)
			error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN,
						   "--target %s is not a resource of this stack (did you mean \"%s\"?)",
						   t, hint);
		else
			error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN,
						   "--target %s is not a resource of this stack",
						   t);
		free(names);
		names = NULL;
	}
	return error;
}

/* ---- the plan ---- */

void ikc_plan__tally(ikc_plan *plan)
{
	size_t i;

	plan->n_noop = plan->n_create = plan->n_update = 0;
	plan->n_replace = plan->n_delete = 0;
	for (i = 0; i < plan->nchanges; i++) {
		switch (plan->changes[i].action) {
		case IKC_ACTION_NOOP:
			plan->n_noop++;
			break;
		case IKC_ACTION_CREATE:
			plan->n_create++;
			break;
		case IKC_ACTION_UPDATE:
			plan->n_update++;
			break;
		case IKC_ACTION_REPLACE:
			plan->n_replace++;
			break;
		case IKC_ACTION_DELETE:
			plan->n_delete++;
			break;
		}
	}
}

int ikc_plan_build(ikc_plan **out, ikc_diags *diags, const ikc_plan_input *in)
{
	struct builder b;
	ikc_plan *plan = NULL;
	ikc_graph *g = NULL;
	size_t *order = NULL, i, nstate;
	unsigned char *mark = NULL, *pick = NULL;
	int error = 0;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	if (!in || !in->stack)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN,
					  "a plan needs a stack");
	b.in = in;
	b.st = in->stack;
	b.diags = diags;
	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return ikc_error_oom();
	b.plan = plan;
	plan->stack = strdup(b.st->name ? b.st->name : "");
	plan->lineage = strdup(in->prior ? ikc_state_lineage(in->prior) : "");
	plan->serial = in->prior ? ikc_state_serial(in->prior) : 0;
	memcpy(plan->digest, b.st->digest, sizeof(plan->digest));
	plan->digest[sizeof(plan->digest) - 1] = '\0';
	plan->git_commit = b.st->git_commit ? strdup(b.st->git_commit) : NULL;
	plan->git_ref = b.st->git_ref ? strdup(b.st->git_ref) : NULL;
	plan->refreshed = in->live != NULL;
	plan->destroy = in->destroy;
	if (!plan->stack || !plan->lineage ||
	    (b.st->git_commit && !plan->git_commit) ||
	    (b.st->git_ref && !plan->git_ref)) {
		error = ikc_error_oom();
		goto cleanup;
	}
	nstate = in->prior ? ikc_state_count(in->prior) : 0;
	b.change_of = calloc(b.st->nresources + 1, sizeof(*b.change_of));
	mark = calloc(b.st->nresources + 1, 1);
	pick = calloc(nstate + 1, 1);
	if (!b.change_of || !mark || !pick) {
		error = ikc_error_oom();
		goto cleanup;
	}
	for (i = 0; i < b.st->nresources; i++)
		b.change_of[i] = -1;
	error = check_targets(&b);
	if (error < 0)
		goto cleanup;

	if (in->destroy) {
		for (i = 0; i < nstate; i++) {
			const char *a = ikc_json_str(ikc_state_resource_at(in->prior, i), "address");

			pick[i] = !in->ntargets || is_target(in, a);
		}
		error = plan_deletes(&b, pick, in->ntargets > 0);
		if (error < 0)
			goto cleanup;
	} else {
		error = ikc_graph_stack_order(&order, diags, b.st);
		if (error < 0)
			goto cleanup;
		error = ikc_graph_from_stack(&g, b.st);
		if (error < 0)
			goto cleanup;
		for (i = 0; i < b.st->nresources; i++) {
			if (!in->ntargets)
				mark[i] = 1;
			else if (is_target(in, b.st->resources[i].address))
				ikc_graph_closure(mark, g, i, 0);
		}
		for (i = 0; i < b.st->nresources && !error; i++)
			if (mark[order[i]])
				error = plan_resource(&b, order[i]);
		if (error < 0)
			goto cleanup;
		/* Resources only in the state were removed from the file. */
		for (i = 0; i < nstate; i++) {
			const char *a = ikc_json_str(ikc_state_resource_at(in->prior, i), "address");

			pick[i] = a && ikc_graph_stack_index(b.st, a) < 0 &&
				  (!in->ntargets || is_target(in, a));
		}
		error = plan_deletes(&b, pick, 0);
		if (error < 0)
			goto cleanup;
	}
	error = mark_deleted_with(&b);
	if (error < 0)
		goto cleanup;
	if (b.failed) {
		error = IKC_EINVALID;
		goto cleanup;
	}
	ikc_plan__tally(plan);
	*out = plan;
	plan = NULL;
cleanup:
	ikc_plan_free(plan);
	ikc_graph_free(g);
	free(order);
	free(mark);
	free(pick);
	free(b.change_of);
	return error;
}

void ikc_plan_free(ikc_plan *plan)
{
	size_t i;

	if (!plan)
		return;
	free(plan->stack);
	free(plan->lineage);
	free(plan->git_commit);
	free(plan->git_ref);
	json_object_put(plan->versions);
	for (i = 0; i < plan->nchanges; i++)
		ikc_change_clear(&plan->changes[i]);
	free(plan->changes);
	for (i = 0; i < plan->ndrift; i++)
		ikc_drift_clear(&plan->drift[i]);
	free(plan->drift);
	free(plan);
}

int ikc_plan_has_changes(const ikc_plan *plan)
{
	return plan && (plan->n_create || plan->n_update || plan->n_replace ||
			plan->n_delete);
}

const ikc_change *ikc_plan_find(const ikc_plan *plan, const char *address)
{
	size_t i;

	if (!plan || !address)
		return NULL;
	for (i = 0; i < plan->nchanges; i++)
		if (!strcmp(plan->changes[i].address, address))
			return &plan->changes[i];
	return NULL;
}
