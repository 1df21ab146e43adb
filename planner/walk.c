/* walk.c - refresh and apply through the providers, saving state after every change */
#include "planner/walk.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/diff.h"
#include "planner/graph.h"
#include "planner/secret.h"
#include "providers/kubernetes/kube.h"
#include "providers/provider.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* ---------- small helpers ---------- */

const ikc_provider_ops *ikc_walk_provider(ikc_provider_kind kind)
{
	return kind == IKC_PROVIDER_GKE ? ikc_gke_provider()
					: ikc_kubernetes_provider();
}

static ikc_provider_kind kind_of_entry(json_object *entry)
{
	const char *p = ikc_json_str(entry, "provider");

	return p && !strcmp(p, "gke") ? IKC_PROVIDER_GKE : IKC_PROVIDER_KUBERNETES;
}

/*
 * Runs fn(i, ctx) for i in [0, n) on up to `parallelism` threads.  Returns
 * 0, or the first failure's code with its message as this thread's error.
 */
struct par {
	size_t n, next;
	int (*fn)(size_t i, void *ctx);
	void *ctx;
	pthread_mutex_t mu;
	int error;
	char *msg;
};

static void *par_worker(void *arg)
{
	struct par *p = arg;

	for (;;) {
		size_t i;
		int rc;

		pthread_mutex_lock(&p->mu);
		if (p->next >= p->n) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		rc = p->fn(i, p->ctx);
		if (rc < 0) {
			pthread_mutex_lock(&p->mu);
			if (!p->error) {
				p->error = rc;
				p->msg = strdup(ikc_error_last());
			}
			pthread_mutex_unlock(&p->mu);
		}
	}
}

static int run_parallel(size_t n, int parallelism, int (*fn)(size_t, void *),
			void *ctx)
{
	struct par p;
	pthread_t th[64];
	size_t nth, i, started = 0;
	int rc;

	if (n == 0)
		return 0;
	memset(&p, 0, sizeof(p));
	p.n = n;
	p.fn = fn;
	p.ctx = ctx;
	pthread_mutex_init(&p.mu, NULL);
	nth = parallelism < 1 ? 1 : (size_t)parallelism;
	if (nth > 64)
		nth = 64;
	if (nth > n)
		nth = n;
	for (i = 1; i < nth; i++)
		if (pthread_create(&th[i], NULL, par_worker, &p) == 0)
			started = i;
		else
			break;
	(void)par_worker(&p);
	for (i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	rc = p.error;
	if (rc)
		ikc_error_set_code(rc, ikc_error_last_class(), "%s", p.msg ? p.msg : "failed");
	free(p.msg);
	return rc;
}

/* A copy of `live` keeping only the parts `desired` sets (the managed fields). */
static json_object *project(json_object *desired, json_object *live)
{
	if (!live)
		return NULL;
	if (json_object_is_type(desired, json_type_object) &&
	    json_object_is_type(live, json_type_object)) {
		json_object *out = json_object_new_object();

		json_object_object_foreach(desired, k, dv) {
			json_object *lv;

			if (json_object_object_get_ex(live, k, &lv)) {
				json_object *p = project(dv, lv);

				if (p)
					ikc_json_add(out, k, p);
			}
		}
		return out;
	}
	if (json_object_is_type(desired, json_type_array) &&
	    json_object_is_type(live, json_type_array) &&
	    json_object_array_length(desired) > 0 &&
	    json_object_is_type(json_object_array_get_idx(desired, 0), json_type_object)) {
		json_object *out = json_object_new_array();
		size_t i, n = json_object_array_length(live);

		for (i = 0; i < n; i++) {
			json_object *dv = json_object_array_get_idx(desired,
				i < json_object_array_length(desired) ? i : 0);

			ikc_json_append(out, project(dv, json_object_array_get_idx(live, i)));
		}
		return out;
	}
	return ikc_json_copy(live);
}

/* Live value without what must not be stored (secrets, bulky bookkeeping). */
static json_object *sanitize_live(json_object *live)
{
	json_object *c = ikc_json_copy(live);
	const char *kind;

	if (!c)
		return NULL;
	kind = ikc_json_str(c, "kind");
	if (kind && !strcmp(kind, "Secret")) {
		json_object_object_del(c, "data");
		json_object_object_del(c, "stringData");
	}
	(void)ikc_json_del_path(c, "metadata.managedFields");
	{
		json_object *ann = ikc_json_path(c, "metadata.annotations");

		if (ann && json_object_is_type(ann, json_type_object))
			json_object_object_del(ann,
				"kubectl.kubernetes.io/last-applied-configuration");
	}
	return c;
}

/* ---------- the walk's shared state ---------- */

struct walk {
	ikc_provider_env *env;
	const ikc_stack *st;
	ikc_backend *be;
	ikc_state *state;
	json_object *live;              /* address -> live value */
	json_object *created_clusters;  /* address -> true: created with pools this run */
	pthread_mutex_t mu;             /* guards state, live, created_clusters */
	/* group commit: see save_locked() */
	pthread_cond_t saved_cv;
	unsigned long gen_dirty;        /* changes made to the state so far */
	unsigned long gen_saved;        /* changes a finished save holds */
	int saving;                     /* a save is being written */
	const ikc_walk_opts *opts;
	ikc_graph *graph;
};

/* Looks up a value for a reference: live first, then what the state recorded. */
static int resolve_cb(void *ctx, const char *target, const char *path,
		      json_object **value_out)
{
	struct walk *w = ctx;
	json_object *src = NULL, *v = NULL;
	static const char *const fields[] = { "outputs", "observed", "desired" };
	size_t i;

	*value_out = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->live && json_object_object_get_ex(w->live, target, &src))
		v = ikc_json_path(src, path);
	if (!v && w->state) {
		json_object *entry = ikc_state_resource(w->state, target);

		for (i = 0; entry && !v && i < 3; i++)
			v = ikc_json_path(ikc_json_path(entry, fields[i]), path);
	}
	if (v)
		*value_out = ikc_json_copy(v);
	pthread_mutex_unlock(&w->mu);
	if (!v)
		return IKC_ENOTFOUND;
	return *value_out ? 0 : ikc_error_oom();
}

static json_object *live_get(struct walk *w, const char *address)
{
	json_object *v = NULL, *out = NULL;

	if (!address)
		return NULL;
	pthread_mutex_lock(&w->mu);
	if (w->live && json_object_object_get_ex(w->live, address, &v))
		out = json_object_get(v);
	pthread_mutex_unlock(&w->mu);
	return out;   /* owned reference */
}

static void live_set(struct walk *w, const char *address, json_object *v)
{
	pthread_mutex_lock(&w->mu);
	if (v)
		ikc_json_add(w->live, address, v);
	else
		json_object_object_del(w->live, address);
	pthread_mutex_unlock(&w->mu);
}

/* A copy of the state entry (owned) or NULL. */
static json_object *state_get(struct walk *w, const char *address)
{
	json_object *e;

	pthread_mutex_lock(&w->mu);
	e = ikc_json_copy(ikc_state_resource(w->state, address));
	pthread_mutex_unlock(&w->mu);
	return e;
}

/*
 * Makes the state as it is now durable, by group commit.  The caller holds
 * w->mu.  If no save is being written, this thread prepares one (under the
 * lock), writes it without the lock, and finishes it; changes other workers
 * make meanwhile go into the next save.  If one is being written, it waits
 * for a save that holds its change (becoming the next saver if need be).
 * So a change is on disk when this returns 0, and a thousand changes cost
 * far fewer than a thousand saves.
 */
static int save_locked(struct walk *w)
{
	unsigned long mine;

	if (!w->be)
		return 0;   /* an in-memory pass (plan): nothing is written */
	mine = ++w->gen_dirty;
	while (w->gen_saved < mine) {
		ikc_state_write *sw = NULL;
		unsigned long upto;
		int rc;

		if (w->saving) {
			pthread_cond_wait(&w->saved_cv, &w->mu);
			continue;
		}
		w->saving = 1;
		upto = w->gen_dirty;
		rc = ikc_state_save_prepare(&sw, w->state);
		if (rc == 0 && sw) {
			pthread_mutex_unlock(&w->mu);
			rc = ikc_state_save_commit(w->be, sw);
			pthread_mutex_lock(&w->mu);
			rc = ikc_state_save_finish(w->state, sw, rc);
		}
		w->saving = 0;
		pthread_cond_broadcast(&w->saved_cv);
		if (rc < 0)
			return ikc_error_wrap(rc, "saving the state: ");
		if (w->gen_saved < upto)
			w->gen_saved = upto;
	}
	return 0;
}

/*
 * Journals the intent of a change and saves.  A Secret's values are masked
 * before they reach the journal (planner/secret.h).
 */
static int journal_start(struct walk *w, const char *address, const char *kind,
			 const char *action, json_object *desired, char id[37])
{
	json_object *e = json_object_new_object(), *detail = NULL;
	int rc = 0;

	ikc_json_add(e, "address", json_object_new_string(address));
	ikc_json_add(e, "action", json_object_new_string(action));
	if (desired) {
		detail = json_object_new_object();
		ikc_json_add(detail, "desired", ikc_json_copy(desired));
		ikc_json_add(e, "detail", detail);
	}
	if (detail && kind && ikc_secret_mask(ikc_json_path(detail, "desired"), kind) < 0)
		rc = ikc_error_set(IKC_ERR_STATE, "%s: cannot mask the Secret's values",
				   address);
	pthread_mutex_lock(&w->mu);
	if (rc == 0)
		rc = ikc_state_journal_add(w->state, e, id);
	else
		json_object_put(e);
	if (rc == 0)
		rc = save_locked(w);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/*
 * Records in the journal entry the operation a call started (and the remote
 * id), saved at once: a later run resumes waiting on it.  Without an
 * operation there is nothing to resume and nothing is saved.
 */
static int journal_note(struct walk *w, const char *id, const char *operation,
			const char *remote_id)
{
	json_object *e;
	int rc = 0;

	if (!operation)
		return 0;
	pthread_mutex_lock(&w->mu);
	e = ikc_state_journal_get(w->state, id);
	if (e) {
		ikc_json_add(e, "operation", json_object_new_string(operation));
		if (remote_id)
			ikc_json_add(e, "remote_id", json_object_new_string(remote_id));
		rc = save_locked(w);
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* Direct dependencies (addresses) of stack resource `res`, as a JSON array. */
static json_object *deps_of(struct walk *w, const ikc_resource *res)
{
	json_object *arr = json_object_new_array();
	long idx = ikc_graph_stack_index(w->st, res->address);
	const size_t *deps;
	size_t n = 0, i;

	if (idx < 0 || !w->graph)
		return arr;
	deps = ikc_graph_deps(w->graph, (size_t)idx, &n);
	for (i = 0; i < n; i++)
		ikc_json_append(arr, json_object_new_string(w->st->resources[deps[i]].address));
	return arr;
}

/* Records a resource in the state (caller does not hold mu); saves. */
/*
 * Records a resource in the state and saves; `jid`, when set, is the
 * journal entry of the change this finishes, dropped in the same save.
 */
static int record(struct walk *w, const ikc_resource *res, json_object *desired,
		  json_object *live, const char *remote_id, const char *jid)
{
	json_object *e = json_object_new_object(), *old;
	const char *version = ikc_json_str(ikc_json_path(live, "metadata"), "resourceVersion");
	int rc;

	if (!version)
		version = ikc_json_str(live, "etag");
	ikc_json_add(e, "address", json_object_new_string(res->address));
	ikc_json_add(e, "api_version", json_object_new_string(res->api_version));
	ikc_json_add(e, "kind", json_object_new_string(res->kind));
	ikc_json_add(e, "provider", json_object_new_string(
		res->provider == IKC_PROVIDER_GKE ? "gke" : "kubernetes"));
	if (res->cluster)
		ikc_json_add(e, "cluster", json_object_new_string(res->cluster));
	if (res->namespace_)
		ikc_json_add(e, "namespace", json_object_new_string(res->namespace_));
	ikc_json_add(e, "desired", ikc_json_copy(desired));
	ikc_json_add(e, "observed", project(desired, live));
	ikc_json_add(e, "outputs", sanitize_live(live));
	if (version)
		ikc_json_add(e, "version", json_object_new_string(version));
	ikc_json_add(e, "depends_on", deps_of(w, res));
	ikc_json_add(e, "prevent_destroy", json_object_new_boolean(res->prevent_destroy));
	pthread_mutex_lock(&w->mu);
	old = ikc_state_resource(w->state, res->address);
	if (!remote_id && old)
		remote_id = ikc_json_str(old, "remote_id");
	if (remote_id)
		ikc_json_add(e, "remote_id", json_object_new_string(remote_id));
	/* Secret values are stored masked (planner/secret.h) */
	rc = 0;
	if (ikc_secret_mask(json_object_object_get(e, "desired"), res->kind) < 0 ||
	    ikc_secret_mask(json_object_object_get(e, "observed"), res->kind) < 0) {
		json_object_put(e);
		rc = ikc_error_set(IKC_ERR_STATE, "%s: cannot mask the Secret's values",
				   res->address);
	}
	if (rc == 0)
		rc = ikc_state_resource_put(w->state, e);
	if (rc == 0 && jid && *jid)
		(void)ikc_state_journal_remove(w->state, jid);
	if (rc == 0)
		rc = save_locked(w);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* Fills a target for stack resource `res` (desired owned by caller). */
static void target_for(ikc_target *t, const ikc_resource *res, json_object *desired,
		       json_object *state_entry, json_object *cluster_live)
{
	memset(t, 0, sizeof(*t));
	t->address = res->address;
	t->api_version = res->api_version;
	t->kind = res->kind;
	t->name = res->name;
	t->namespace_ = res->namespace_;
	t->desired = desired;
	t->state = state_entry;
	t->cluster_live = cluster_live;
}

/* Fills a target for a resource known only from the state. */
static void target_from_entry(ikc_target *t, json_object *entry,
			      json_object *cluster_live)
{
	json_object *desired = ikc_json_path(entry, "desired");

	memset(t, 0, sizeof(*t));
	t->address = ikc_json_str(entry, "address");
	t->api_version = ikc_json_str(entry, "api_version");
	t->kind = ikc_json_str(entry, "kind");
	t->name = ikc_json_str(ikc_json_path(desired, "metadata"), "name");
	t->namespace_ = ikc_json_str(entry, "namespace");
	t->desired = desired;
	t->state = entry;
	t->cluster_live = cluster_live;
}

static int resolve_desired(json_object **out, struct walk *w, const ikc_resource *res)
{
	int rc = ikc_stack_resolve(out, w->st, res->body, resolve_cb, w);

	if (rc < 0)
		return ikc_error_wrap(rc, "%s: ", res->address);
	if (ikc_value_has_unknown(*out)) {
		json_object_put(*out);
		*out = NULL;
		return ikc_error_set(IKC_ERR_PLAN,
			"%s: a value it refers to is still unknown after its "
			"dependencies were applied", res->address);
	}
	return 0;
}

/* Resolved desired values of the stack's NodePools of Cluster `cluster`. */
static int pools_of(json_object ***out, size_t *n, struct walk *w,
		    const char *cluster)
{
	size_t i;

	*out = calloc(w->st->nresources + 1, sizeof(**out));
	*n = 0;
	if (!*out)
		return ikc_error_oom();
	for (i = 0; i < w->st->nresources; i++) {
		const ikc_resource *r = &w->st->resources[i];

		if (strcmp(r->kind, "NodePool") || !r->cluster || strcmp(r->cluster, cluster))
			continue;
		if (resolve_desired(&(*out)[*n], w, r) < 0)
			return IKC_ERROR;
		(*n)++;
	}
	return 0;
}

static void free_pools(json_object **pools, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_object_put(pools[i]);
	free(pools);
}

/* ---------- refresh ---------- */

struct read_job {
	const ikc_resource *res;     /* or NULL */
	json_object *entry;          /* state entry copy (owned) */
	json_object *desired;        /* owned */
	const char *address;
	const char *cluster;         /* cluster address or NULL */
	ikc_provider_kind provider;
	int is_cluster;
};

struct read_ctx {
	struct walk *w;
	struct read_job *jobs;
	size_t *idx;                 /* jobs of this phase */
};

static int read_one(size_t i, void *ctx)
{
	struct read_ctx *rc = ctx;
	struct read_job *j = &rc->jobs[rc->idx[i]];
	json_object *cluster_live = NULL, *live = NULL;
	ikc_target t;
	int err;

	if (j->cluster) {
		cluster_live = live_get(rc->w, j->cluster);
		if (!cluster_live)
			return 0;   /* its cluster does not exist: neither does it */
	}
	if (j->res)
		target_for(&t, j->res, j->desired, j->entry, cluster_live);
	else
		target_from_entry(&t, j->entry, cluster_live);
	err = ikc_walk_provider(j->provider)->read(rc->w->env, &t, &live);
	json_object_put(cluster_live);
	if (err == IKC_ENOTFOUND)
		return 0;
	if (err < 0)
		return ikc_error_wrap(err, "%s: reading: ", j->address);
	live_set(rc->w, j->address, live);
	return 0;
}

int ikc_walk_refresh(json_object **live_out, ikc_provider_env *env,
		     const ikc_stack *st, const ikc_state *prior,
		     const ikc_walk_opts *opts)
{
	struct walk w;
	struct read_job *jobs = NULL;
	size_t *phase = NULL, njobs = 0, nphase, i, cap;
	struct read_ctx rctx;
	int rc = 0, pass;

	*live_out = NULL;
	memset(&w, 0, sizeof(w));
	w.env = env;
	w.st = st;
	w.state = (ikc_state *)prior;
	w.live = json_object_new_object();
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.saved_cv, NULL);
	cap = st->nresources + (prior ? ikc_state_count(prior) : 0) + 1;
	jobs = calloc(cap, sizeof(*jobs));
	phase = calloc(cap, sizeof(*phase));
	if (!jobs || !phase || !w.live) {
		rc = ikc_error_oom();
		goto done;
	}
	for (i = 0; i < st->nresources; i++) {
		const ikc_resource *r = &st->resources[i];
		struct read_job *j = &jobs[njobs++];

		j->res = r;
		j->address = r->address;
		j->cluster = r->cluster;
		j->provider = r->provider;
		j->is_cluster = r->provider == IKC_PROVIDER_GKE && !strcmp(r->kind, "Cluster");
		j->entry = prior ? ikc_json_copy(ikc_state_resource(prior, r->address)) : NULL;
		/* references may be unknown yet; names and locations rarely are */
		rc = ikc_stack_resolve(&j->desired, st, r->body, resolve_cb, &w);
		if (rc < 0)
			goto done;
	}
	for (i = 0; prior && i < ikc_state_count(prior); i++) {
		json_object *e = ikc_state_resource_at(prior, i);
		const char *addr = ikc_json_str(e, "address");
		struct read_job *j;

		if (!addr || ikc_stack_find(st, addr))
			continue;
		j = &jobs[njobs++];
		j->entry = ikc_json_copy(e);
		j->address = ikc_json_str(j->entry, "address");
		j->cluster = ikc_json_str(j->entry, "cluster");
		j->provider = kind_of_entry(e);
		j->is_cluster = j->provider == IKC_PROVIDER_GKE &&
			!strcmp(ikc_json_str(e, "kind") ? ikc_json_str(e, "kind") : "", "Cluster");
	}
	rctx.w = &w;
	rctx.jobs = jobs;
	rctx.idx = phase;
	env->refreshing = 1;
	env->refresh_gen++;
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		nphase = 0;
		for (i = 0; i < njobs; i++)
			if (jobs[i].is_cluster == (pass == 0))
				phase[nphase++] = i;
		rc = run_parallel(nphase, opts ? opts->parallelism : 16, read_one, &rctx);
	}
	env->refreshing = 0;
	if (rc == 0) {
		*live_out = w.live;
		w.live = NULL;
	}
done:
	for (i = 0; i < njobs; i++) {
		json_object_put(jobs[i].entry);
		json_object_put(jobs[i].desired);
	}
	free(jobs);
	free(phase);
	json_object_put(w.live);
	pthread_cond_destroy(&w.saved_cv);
	pthread_mutex_destroy(&w.mu);
	return rc;
}

/* ---------- apply ---------- */

/* N_CUT: stopped by Ctrl-C in flight; the journal keeps it for the next run */
enum { N_PENDING, N_RUNNING, N_DONE, N_FAILED, N_SKIPPED, N_CUT };

struct node {
	const ikc_change *ch;
	const ikc_resource *res;     /* stack resource (NULL for a delete of a removed one) */
	size_t *deps;
	size_t ndeps;
	int status;
};

struct sched {
	struct walk *w;
	struct node *nodes;
	size_t n;
	size_t running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int error;
	char *msg;
	ikc_walk_result *result;
};


static void progress(struct walk *w, const char *address, const char *text)
{
	if (w->env->progress)
		w->env->progress(w->env->progress_ctx, address, text);
}

/* Re-reads after a change and checks the live value matches the file. */
static int read_record_verify(struct walk *w, const ikc_resource *res,
			      json_object *desired, const char *remote_id,
			      json_object *cluster_live, const char *jid)
{
	const ikc_provider_ops *ops = ikc_walk_provider(res->provider);
	json_object *live = NULL, *entry = state_get(w, res->address);
	char *field = NULL;
	ikc_target t;
	int rc;

	target_for(&t, res, desired, entry, cluster_live);
	rc = ops->read(w->env, &t, &live);
	if (rc == IKC_ENOTFOUND)
		rc = ikc_error_set_code(IKC_EREMOTE, IKC_ERR_PROVIDER,
			"%s: the API reports success but the object does not exist",
			res->address);
	if (rc < 0)
		goto done;
	rc = record(w, res, desired, live, remote_id, jid);
	if (rc < 0)
		goto done;
	live_set(w, res->address, json_object_get(live));
	rc = ikc_diff_converged(&field, res, desired, live, NULL);
	if (rc == 0 && field) {
		json_object *lv = ikc_json_path(live, field);
		json_object *dv = ikc_json_path(desired, field);
		int hide = ikc_secret_path(res->kind, field);

		rc = ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_PROVIDER,
			"%s: after the change, %s is %s live but the stack file says %s "
			"(the API changed or ignored it; ikc will not report a perpetual diff)",
			res->address, field,
			!lv ? "absent" : hide ? IKC_SECRET_MASK :
			json_object_to_json_string_ext(lv, JSON_C_TO_STRING_PLAIN),
			!dv ? "absent" : hide ? IKC_SECRET_MASK :
			json_object_to_json_string_ext(dv, JSON_C_TO_STRING_PLAIN));
	}
done:
	free(field);
	json_object_put(live);
	json_object_put(entry);
	return rc;
}

static int do_create(struct walk *w, const ikc_resource *res)
{
	const ikc_provider_ops *ops = ikc_walk_provider(res->provider);
	json_object *desired = NULL, *cluster_live = NULL, **pools = NULL;
	char *op = NULL, *remote_id = NULL;
	char jid[37] = "";
	size_t npools = 0;
	ikc_target t;
	int rc, skip_create = 0;

	rc = resolve_desired(&desired, w, res);
	if (rc < 0)
		return rc;
	cluster_live = live_get(w, res->cluster);
	if (res->cluster && !cluster_live) {
		rc = ikc_error_set(IKC_ERR_PROVIDER, "%s: its cluster %s does not exist",
				   res->address, res->cluster);
		goto done;
	}
	target_for(&t, res, desired, NULL, cluster_live);
	if (res->provider == IKC_PROVIDER_GKE && !strcmp(res->kind, "Cluster")) {
		rc = pools_of(&pools, &npools, w, res->address);
		if (rc < 0)
			goto done;
		t.pools = pools;
		t.npools = npools;
	}
	if (res->provider == IKC_PROVIDER_GKE && !strcmp(res->kind, "NodePool") &&
	    res->cluster) {
		pthread_mutex_lock(&w->mu);
		skip_create = json_object_object_get_ex(w->created_clusters, res->cluster, NULL);
		pthread_mutex_unlock(&w->mu);
	}
	rc = journal_start(w, res->address, res->kind, "create", desired, jid);
	if (rc < 0)
		goto done;
	if (!skip_create) {
		progress(w, res->address, "creating…");
		rc = ops->create(w->env, &t, &op, &remote_id);
		if (rc < 0) {
			rc = ikc_error_wrap(rc, "%s: creating: ", res->address);
			goto done;
		}
		rc = journal_note(w, jid, op, remote_id);
		if (rc < 0)
			goto done;
		if (!res->wait_none || op) {
			rc = ops->wait(w->env, &t, 0, op);
			if (rc < 0) {
				rc = ikc_error_wrap(rc, "%s: waiting: ", res->address);
				goto done;
			}
		}
		if (npools) {
			pthread_mutex_lock(&w->mu);
			ikc_json_add(w->created_clusters, res->address, json_object_new_boolean(1));
			pthread_mutex_unlock(&w->mu);
		}
	}
	rc = read_record_verify(w, res, desired, remote_id, cluster_live, jid);
done:
	free(op);
	free(remote_id);
	free_pools(pools, npools);
	json_object_put(desired);
	json_object_put(cluster_live);
	return rc;
}

static int do_update(struct walk *w, const ikc_change *ch, const ikc_resource *res)
{
	const ikc_provider_ops *ops = ikc_walk_provider(res->provider);
	json_object *desired = NULL, *cluster_live = live_get(w, res->cluster);
	json_object *live = live_get(w, res->address), *entry = state_get(w, res->address);
	const char **fields = NULL;
	char jid[37] = "";
	ikc_target t;
	size_t i;
	int rc;

	rc = resolve_desired(&desired, w, res);
	if (rc < 0)
		goto done;
	fields = calloc(ch->nfields + 1, sizeof(*fields));
	if (!fields) {
		rc = ikc_error_oom();
		goto done;
	}
	for (i = 0; i < ch->nfields; i++)
		fields[i] = ch->fields[i].path;
	target_for(&t, res, desired, entry, cluster_live);
	rc = journal_start(w, res->address, res->kind, "update", desired, jid);
	if (rc < 0)
		goto done;
	progress(w, res->address, "updating…");
	rc = ops->update(w->env, &t, live, fields, ch->nfields);
	if (rc < 0) {
		rc = ikc_error_wrap(rc, "%s: updating: ", res->address);
		goto done;
	}
	if (!res->wait_none) {
		rc = ops->wait(w->env, &t, 0, NULL);
		if (rc < 0) {
			rc = ikc_error_wrap(rc, "%s: waiting: ", res->address);
			goto done;
		}
	}
	rc = read_record_verify(w, res, desired, NULL, cluster_live, jid);
done:
	free(fields);
	json_object_put(desired);
	json_object_put(cluster_live);
	json_object_put(live);
	json_object_put(entry);
	return rc;
}

static int do_delete(struct walk *w, const char *address)
{
	json_object *entry = state_get(w, address), *cluster_live;
	char *op = NULL;
	char jid[37] = "";
	const ikc_provider_ops *ops;
	ikc_target t;
	int rc;

	if (!entry)
		return 0;   /* never applied: nothing to delete */
	cluster_live = live_get(w, ikc_json_str(entry, "cluster"));
	ops = ikc_walk_provider(kind_of_entry(entry));
	target_from_entry(&t, entry, cluster_live);
	rc = journal_start(w, address, NULL, "delete", NULL, jid);
	if (rc < 0)
		goto done;
	progress(w, address, "destroying…");
	rc = ops->remove(w->env, &t, &op);
	if (rc == IKC_ENOTFOUND) {
		rc = 0;
	} else if (rc < 0) {
		rc = ikc_error_wrap(rc, "%s: deleting: ", address);
		goto done;
	} else {
		rc = journal_note(w, jid, op, NULL);
		if (rc < 0)
			goto done;
		rc = ops->wait(w->env, &t, 1, op);
		if (rc < 0) {
			rc = ikc_error_wrap(rc, "%s: waiting for deletion: ", address);
			goto done;
		}
	}
	live_set(w, address, NULL);
	pthread_mutex_lock(&w->mu);
	(void)ikc_state_resource_remove(w->state, address);
	(void)ikc_state_journal_remove(w->state, jid);
	rc = save_locked(w);
	pthread_mutex_unlock(&w->mu);
	jid[0] = '\0';
done:
	free(op);
	json_object_put(entry);
	json_object_put(cluster_live);
	return rc;
}

/* Forgets a resource that went away with its cluster. */
static int forget(struct walk *w, const char *address)
{
	int rc;

	live_set(w, address, NULL);
	pthread_mutex_lock(&w->mu);
	(void)ikc_state_resource_remove(w->state, address);
	rc = save_locked(w);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static int run_node(struct walk *w, struct node *nd, ikc_walk_result *res,
		    pthread_mutex_t *mu)
{
	const ikc_change *ch = nd->ch;
	double t0 = ikc_time_monotonic();
	const char *what = NULL;
	int rc = 0;

	switch (ch->action) {
	case IKC_ACTION_CREATE:
		rc = do_create(w, nd->res);
		what = "created";
		break;
	case IKC_ACTION_UPDATE:
		rc = do_update(w, ch, nd->res);
		what = "updated";
		break;
	case IKC_ACTION_REPLACE:
		rc = do_delete(w, ch->address);
		if (rc == 0)
			rc = do_create(w, nd->res);
		what = "replaced";
		break;
	case IKC_ACTION_DELETE:
		rc = ch->deleted_with ? forget(w, ch->address) : do_delete(w, ch->address);
		what = ch->deleted_with ? "destroyed with its cluster" : "destroyed";
		break;
	default:
		return 0;
	}
	if (rc < 0)
		return rc;
	pthread_mutex_lock(mu);
	switch (ch->action) {
	case IKC_ACTION_CREATE: res->added++; break;
	case IKC_ACTION_UPDATE: res->changed++; break;
	case IKC_ACTION_REPLACE: res->replaced++; break;
	default: res->destroyed++; break;
	}
	pthread_mutex_unlock(mu);
	if (w->opts && w->opts->done)
		w->opts->done(w->opts->done_ctx, ch->address, what,
			      ikc_time_monotonic() - t0);
	return 0;
}

static void *sched_worker(void *arg)
{
	struct sched *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		size_t i, pick = s->n;
		int pending = 0;

		for (i = 0; i < s->n; i++) {
			struct node *nd = &s->nodes[i];
			size_t k;
			int ready = 1;

			if (nd->status != N_PENDING)
				continue;
			pending = 1;
			for (k = 0; k < nd->ndeps; k++) {
				int st = s->nodes[nd->deps[k]].status;

				if (st == N_FAILED || st == N_SKIPPED) {
					nd->status = N_SKIPPED;
					s->result->skipped++;
					ikc_log(IKC_LOG_WARN, "%s: skipped because %s failed",
						nd->ch->address, s->nodes[nd->deps[k]].ch->address);
					ready = 0;
					pthread_cond_broadcast(&s->cv);
					break;
				}
				if (st != N_DONE)
					ready = 0;
			}
			if (ready && nd->status == N_PENDING) {
				pick = i;
				break;
			}
		}
		if (s->w->opts && s->w->opts->interrupted && *s->w->opts->interrupted)
			pick = s->n;   /* start nothing new */
		if (pick < s->n) {
			struct node *nd = &s->nodes[pick];
			int rc;

			nd->status = N_RUNNING;
			s->running++;
			pthread_mutex_unlock(&s->mu);
			rc = run_node(s->w, nd, s->result, &s->mu);
			pthread_mutex_lock(&s->mu);
			s->running--;
			const ikc_walk_opts *o = s->w->opts;

			if (rc == IKC_EINTERRUPTED && o && o->interrupted &&
			    *o->interrupted) {
				nd->status = N_CUT;
				ikc_log(IKC_LOG_WARN, "%s: interrupted in "
					"flight; the journal keeps it for the "
					"next run", nd->ch->address);
			} else if (rc < 0) {
				nd->status = N_FAILED;
				s->result->failed++;
				ikc_log(IKC_LOG_ERROR, "%s", ikc_error_last());
				if (!s->error) {
					s->error = rc;
					s->msg = strdup(ikc_error_last());
				}
			} else {
				nd->status = N_DONE;
			}
			pthread_cond_broadcast(&s->cv);
			continue;
		}
		if (!pending || s->running == 0 ||
		    (s->w->opts && s->w->opts->interrupted && *s->w->opts->interrupted &&
		     s->running == 0))
			break;
		pthread_cond_wait(&s->cv, &s->mu);
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int add_dep(struct node *nd, size_t dep)
{
	size_t *d = realloc(nd->deps, (nd->ndeps + 1) * sizeof(*d));

	if (!d)
		return ikc_error_oom();
	d[nd->ndeps++] = dep;
	nd->deps = d;
	return 0;
}

static int entry_depends_on(json_object *entry, const char *address)
{
	json_object *deps = ikc_json_path(entry, "depends_on");
	size_t i;

	if (!deps || !json_object_is_type(deps, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(deps); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(deps, i)), address))
			return 1;
	return 0;
}

/* Edges between the plan's changes (see ikc_walk_apply). */
static int link_nodes(struct walk *w, struct node *nodes, size_t n)
{
	size_t nres = w->st->nresources, i, j;
	unsigned char *mark = calloc(nres ? nres : 1, 1);
	int rc = 0;

	if (!mark)
		return ikc_error_oom();
	for (i = 0; i < n && rc == 0; i++) {
		const ikc_change *ci = nodes[i].ch;

		if (ci->action != IKC_ACTION_DELETE && nodes[i].res) {
			long idx = ikc_graph_stack_index(w->st, ci->address);

			memset(mark, 0, nres);
			if (idx >= 0)
				ikc_graph_closure(mark, w->graph, (size_t)idx, 0);
			for (j = 0; j < n && rc == 0; j++) {
				long jdx;

				if (j == i || nodes[j].ch->action == IKC_ACTION_DELETE)
					continue;
				jdx = ikc_graph_stack_index(w->st, nodes[j].ch->address);
				if (jdx >= 0 && mark[jdx])
					rc = add_dep(&nodes[i], j);
			}
			continue;
		}
		if (ci->action != IKC_ACTION_DELETE)
			continue;
		if (ci->deleted_with) {
			/* goes with its cluster: recorded once the cluster is gone */
			for (j = 0; j < n && rc == 0; j++)
				if (j != i && !strcmp(nodes[j].ch->address, ci->deleted_with))
					rc = add_dep(&nodes[i], j);
			continue;
		}
		/* a delete waits for the deletes of what depends on it */
		for (j = 0; j < n && rc == 0; j++) {
			json_object *ej;
			const char *cl;

			if (j == i || (nodes[j].ch->action != IKC_ACTION_DELETE &&
				       nodes[j].ch->action != IKC_ACTION_REPLACE) ||
			    nodes[j].ch->deleted_with)
				continue;
			pthread_mutex_lock(&w->mu);
			ej = ikc_state_resource(w->state, nodes[j].ch->address);
			cl = ikc_json_str(ej, "cluster");
			if (ej && (entry_depends_on(ej, ci->address) ||
				   (cl && !strcmp(cl, ci->address))))
				rc = add_dep(&nodes[i], j);
			pthread_mutex_unlock(&w->mu);
		}
	}
	free(mark);
	return rc;
}

int ikc_walk_apply(ikc_walk_result *result, const ikc_plan *plan,
		   ikc_provider_env *env, const ikc_stack *st, ikc_backend *be,
		   ikc_state *state, json_object *live,
		   const ikc_walk_opts *opts)
{
	struct walk w;
	struct sched s;
	pthread_t th[64];
	size_t i, n = 0, nth, started = 0;
	int rc;

	memset(result, 0, sizeof(*result));
	memset(&w, 0, sizeof(w));
	memset(&s, 0, sizeof(s));
	w.env = env;
	w.st = st;
	w.be = be;
	w.state = state;
	w.live = live;
	w.opts = opts;
	w.created_clusters = json_object_new_object();
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.saved_cv, NULL);
	rc = ikc_graph_from_stack(&w.graph, st);
	if (rc < 0)
		goto done;
	s.nodes = calloc(plan->nchanges + 1, sizeof(*s.nodes));
	if (!s.nodes) {
		rc = ikc_error_oom();
		goto done;
	}
	for (i = 0; i < plan->nchanges; i++) {
		if (plan->changes[i].action == IKC_ACTION_NOOP)
			continue;
		s.nodes[n].ch = &plan->changes[i];
		s.nodes[n].res = ikc_stack_find(st, plan->changes[i].address);
		n++;
	}
	s.n = n;
	s.w = &w;
	s.result = result;
	rc = link_nodes(&w, s.nodes, n);
	if (rc < 0)
		goto done;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	nth = opts && opts->parallelism > 0 ? (size_t)opts->parallelism : 1;
	if (nth > 64)
		nth = 64;
	if (nth > n)
		nth = n ? n : 1;
	for (i = 1; i < nth; i++) {
		if (pthread_create(&th[i], NULL, sched_worker, &s) != 0)
			break;
		started = i;
	}
	(void)sched_worker(&s);
	for (i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.mu);
	rc = s.error;
	{
		size_t not_started = 0, cut = 0;

		for (i = 0; i < n; i++) {
			if (s.nodes[i].status == N_PENDING)
				not_started++;
			else if (s.nodes[i].status == N_CUT)
				cut++;
		}
		result->skipped += not_started + cut;
		if (rc) {
			ikc_error_set_code(rc, IKC_ERR_PROVIDER, "%s", s.msg);
		} else if ((not_started || cut) && opts && opts->interrupted &&
			   *opts->interrupted) {
			rc = ikc_error_set_code(IKC_EINTERRUPTED, IKC_ERR_CLI,
				"interrupted: %zu change%s not started, %zu "
				"left in flight (the next run finishes them)",
				not_started, not_started == 1 ? "" : "s", cut);
		}
	}
	pthread_mutex_lock(&w.mu);
	if (rc == 0 || rc == IKC_EINTERRUPTED) {
		int orc = ikc_walk_outputs(st, state, live);

		if (orc == 0)
			orc = save_locked(&w);
		if (orc < 0 && rc == 0)
			rc = orc;
	}
	pthread_mutex_unlock(&w.mu);
done:
	for (i = 0; s.nodes && i < n; i++)
		free(s.nodes[i].deps);
	free(s.nodes);
	free(s.msg);
	ikc_graph_free(w.graph);
	json_object_put(w.created_clusters);
	pthread_cond_destroy(&w.saved_cv);
	pthread_mutex_destroy(&w.mu);
	return rc;
}

/* ---------- recovery, ownership, outputs, import ---------- */

int ikc_walk_recover(ikc_provider_env *env, const ikc_stack *st,
		     ikc_backend *be, ikc_state *state,
		     const ikc_walk_opts *opts)
{
	struct walk w;
	json_object *journal;
	int rc = 0;

	(void)opts;
	memset(&w, 0, sizeof(w));
	w.env = env;
	w.st = st;
	w.be = be;
	w.state = state;
	w.live = json_object_new_object();
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.saved_cv, NULL);
	if (ikc_graph_from_stack(&w.graph, st) < 0) {
		rc = IKC_ERROR;
		goto done;
	}
	for (;;) {
		json_object *e, *desired, *cluster_live = NULL, *live = NULL;
		const char *addr, *action, *op, *rid, *cluster = NULL;
		const ikc_resource *res;
		json_object *entry;
		char id[37];
		ikc_target t;
		int deleting, err;

		journal = ikc_state_journal(state);
		if (!journal || json_object_array_length(journal) == 0)
			break;
		e = ikc_json_copy(json_object_array_get_idx(journal, 0));
		snprintf(id, sizeof(id), "%s", ikc_json_str(e, "id") ? ikc_json_str(e, "id") : "");
		addr = ikc_json_str(e, "address");
		action = ikc_json_str(e, "action");
		op = ikc_json_str(e, "operation");
		rid = ikc_json_str(e, "remote_id");
		desired = ikc_json_path(e, "detail.desired");
		res = addr ? ikc_stack_find(st, addr) : NULL;
		entry = addr ? ikc_json_copy(ikc_state_resource(state, addr)) : NULL;
		deleting = action && !strcmp(action, "delete");
		if (!addr || (!res && !entry)) {
			/* nothing we can act on: drop the entry */
			(void)ikc_state_journal_remove(state, id);
			json_object_put(e);
			json_object_put(entry);
			continue;
		}
		ikc_log(IKC_LOG_INFO,
			"%s: finishing the %s an earlier run started%s%s%s",
			addr, action ? action : "change", op ? " (operation " : "",
			op ? op : "", op ? ")" : "");
		if (op)
			progress(&w, addr, deleting ? "resuming the wait for the deletion…"
						    : "resuming the wait for the operation…");
		cluster = res ? res->cluster : ikc_json_str(entry, "cluster");
		if (cluster) {
			json_object *centry = ikc_state_resource(state, cluster);
			const ikc_resource *cres = ikc_stack_find(st, cluster);

			if (cres || centry) {
				ikc_target ct;
				json_object *cd = NULL;

				if (cres) {
					(void)ikc_stack_resolve(&cd, st, cres->body, resolve_cb, &w);
					target_for(&ct, cres, cd, centry, NULL);
				} else {
					target_from_entry(&ct, centry, NULL);
				}
				err = ikc_walk_provider(IKC_PROVIDER_GKE)->read(env, &ct, &cluster_live);
				json_object_put(cd);
				if (err < 0 && err != IKC_ENOTFOUND) {
					rc = err;
					json_object_put(e);
					json_object_put(entry);
					goto done;
				}
			}
		}
		if (res)
			target_for(&t, res, desired ? desired : res->body, entry, cluster_live);
		else
			target_from_entry(&t, entry, cluster_live);
		{
			const ikc_provider_ops *ops = ikc_walk_provider(
				res ? res->provider : kind_of_entry(entry));

			err = op ? ops->wait(env, &t, deleting, op) : 0;
			if (err == 0 || err == IKC_ENOTFOUND)
				err = ops->read(env, &t, &live);
			/*
			 * No operation journaled (the run died between the
			 * call and noting it): what exists must still become
			 * ready before anything is built on it (unless the
			 * file says ikc.dev/wait: none).
			 */
			if (err == 0 && !op && !deleting && res &&
			    !res->wait_none) {
				json_object_put(live);
				live = NULL;
				err = ops->wait(env, &t, 0, NULL);
				if (err == 0)
					err = ops->read(env, &t, &live);
			}
		}
		if (err == IKC_ENOTFOUND) {
			if (deleting || !entry)
				(void)ikc_state_resource_remove(state, addr);
			err = 0;
		} else if (err == 0 && !deleting && res && desired) {
			if (cluster_live)
				live_set(&w, res->cluster, json_object_get(cluster_live));
			err = record(&w, res, desired, live, rid, NULL);
		}
		json_object_put(live);
		json_object_put(cluster_live);
		json_object_put(entry);
		if (err < 0) {
			rc = ikc_error_wrap(err, "%s: finishing the earlier run's %s: ",
					    addr, action ? action : "change");
			json_object_put(e);
			goto done;
		}
		(void)ikc_state_journal_remove(state, id);
		rc = ikc_state_save(be, state);
		json_object_put(e);
		if (rc < 0)
			goto done;
	}
	rc = ikc_state_save(be, state);
done:
	ikc_graph_free(w.graph);
	json_object_put(w.live);
	pthread_cond_destroy(&w.saved_cv);
	pthread_mutex_destroy(&w.mu);
	return rc;
}

/*
 * The ID `ikc import` takes for a live GKE object: its selfLink from
 * "projects/" on, in the locations form.  Owned, or NULL.
 */
static char *gke_id_of(json_object *live)
{
	const char *link = ikc_json_str(live, "selfLink");
	const char *p = link ? strstr(link, "/projects/") : NULL;
	const char *z;

	if (!p)
		return NULL;
	p++;
	z = strstr(p, "/zones/");
	if (!z)
		return strdup(p);
	return ikc_asprintf("%.*s/locations/%s", (int)(z - p), p,
			    z + strlen("/zones/"));
}

int ikc_walk_check_ownership(ikc_provider_env *env, const ikc_stack *st,
			     ikc_backend *be, ikc_state *state,
			     json_object *live)
{
	struct walk w;
	size_t i;
	int rc = 0, changed = 0;

	(void)env;
	memset(&w, 0, sizeof(w));
	w.st = st;
	w.be = be;
	w.state = state;
	w.live = live;
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.saved_cv, NULL);
	if (ikc_graph_from_stack(&w.graph, st) < 0) {
		pthread_cond_destroy(&w.saved_cv);
		pthread_mutex_destroy(&w.mu);
		return IKC_ERROR;
	}
	for (i = 0; i < st->nresources && rc == 0; i++) {
		const ikc_resource *r = &st->resources[i];
		json_object *lv;
		int adopt;

		if (ikc_state_resource(state, r->address) ||
		    !json_object_object_get_ex(live, r->address, &lv))
			continue;
		if (r->provider == IKC_PROVIDER_KUBERNETES)
			adopt = ikc_kube_owned_by(lv, st->name);
		else   /* a node pool of a cluster this stack manages */
			adopt = !strcmp(r->kind, "NodePool") && r->cluster &&
				ikc_state_resource(state, r->cluster);
		if (!adopt) {
			char *gid = r->provider == IKC_PROVIDER_GKE ?
				    gke_id_of(lv) : NULL;

			rc = ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_PLAN,
				"%s already exists but is not managed by this stack; "
				"ikc will not take it over silently. To manage it, run: "
				"ikc import %s %s%s%s", r->address, r->address,
				r->namespace_ ? r->namespace_ : "",
				r->namespace_ ? "/" : "", gid ? gid : r->name);
			free(gid);
			break;
		}
		{
			json_object *desired = NULL;

			rc = ikc_stack_resolve(&desired, st, r->body, resolve_cb, &w);
			if (rc == 0) {
				/* last applied = what is there, so the plan shows the rest */
				json_object *was = project(desired, lv);

				rc = record(&w, r, was ? was : desired, lv, NULL, NULL);
				json_object_put(was);
				changed = 1;
				ikc_log(IKC_LOG_WARN, "%s: found live %s "
					"but not in the state (an earlier run "
					"stopped before saving); adopted it",
					r->address,
					r->provider == IKC_PROVIDER_KUBERNETES ?
					"with this stack's labels" :
					"in a cluster of this stack");
			}
			json_object_put(desired);
		}
	}
	(void)changed;
	ikc_graph_free(w.graph);
	pthread_cond_destroy(&w.saved_cv);
	pthread_mutex_destroy(&w.mu);
	return rc;
}

int ikc_walk_outputs(const ikc_stack *st, ikc_state *state, json_object *live)
{
	struct walk w;
	json_object *outs = json_object_new_object();
	int rc = 0;

	memset(&w, 0, sizeof(w));
	w.st = st;
	w.state = state;
	w.live = live;
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.saved_cv, NULL);
	json_object_object_foreach(st->outputs, name, tmpl) {
		json_object *v = NULL;

		rc = ikc_stack_resolve(&v, st, tmpl, resolve_cb, &w);
		if (rc < 0)
			break;
		if (ikc_value_has_unknown(v))
			json_object_put(v);
		else
			ikc_json_add(outs, name, v);
	}
	pthread_cond_destroy(&w.saved_cv);
	pthread_mutex_destroy(&w.mu);
	if (rc < 0) {
		json_object_put(outs);
		return rc;
	}
	return ikc_state_set_outputs(state, outs);
}

int ikc_walk_import(ikc_provider_env *env, const ikc_stack *st,
		    ikc_backend *be, ikc_state *state, const char *address,
		    const char *id)
{
	struct walk w;
	const ikc_resource *res = ikc_stack_find(st, address);
	json_object *desired = NULL, *live = NULL, *cluster_live = NULL, *was = NULL;
	ikc_target t;
	int rc;

	if (!res)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_CLI,
			"%s is not a resource of the stack file; add its document first",
			address);
	if (ikc_state_resource(state, address))
		return ikc_error_set_code(IKC_EEXISTS, IKC_ERR_CLI,
			"%s is already in the state", address);
	memset(&w, 0, sizeof(w));
	w.env = env;
	w.st = st;
	w.be = be;
	w.state = state;
	w.live = json_object_new_object();
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.saved_cv, NULL);
	rc = ikc_graph_from_stack(&w.graph, st);
	if (rc == 0)
		rc = ikc_stack_resolve(&desired, st, res->body, resolve_cb, &w);
	if (rc < 0)
		goto done;
	/*
	 * The ID must name the object the stack resource names: the file's
	 * document is what ikc reads and records (a namespace written into
	 * the recorded value that the file leaves to its default would read
	 * as a change of namespace).
	 */
	if (res->provider == IKC_PROVIDER_KUBERNETES) {
		const char *slash = strchr(id, '/');

		if (slash) {
			size_t nl = (size_t)(slash - id);

			if (!res->namespace_) {
				rc = ikc_error_set_code(IKC_EINVALID,
					IKC_ERR_CLI, "%s is not namespaced: "
					"its ID is its name, not \"%s\"",
					address, id);
				goto done;
			}
			if (strlen(res->namespace_) != nl ||
			    strncmp(id, res->namespace_, nl)) {
				rc = ikc_error_set_code(IKC_EINVALID,
					IKC_ERR_CLI, "%s is in namespace "
					"\"%s\" but the ID says \"%.*s\"",
					address, res->namespace_, (int)nl, id);
				goto done;
			}
			id = slash + 1;
		}
		if (strcmp(id, res->name)) {
			rc = ikc_error_set_code(IKC_EINVALID, IKC_ERR_CLI,
				"%s names \"%s\" but the ID says \"%s\"", address, res->name, id);
			goto done;
		}
	} else if (!ikc_str_startswith(id, "projects/")) {
		rc = ikc_error_set_code(IKC_EINVALID, IKC_ERR_CLI,
			"a GKE ID is projects/P/locations/L/clusters/C[/nodePools/N], not \"%s\"", id);
		goto done;
	}
	if (res->cluster) {
		json_object *centry = ikc_state_resource(state, res->cluster);
		ikc_target ct;

		if (!centry) {
			rc = ikc_error_set_code(IKC_EINVALID, IKC_ERR_CLI,
				"import %s first: %s belongs to it", res->cluster, address);
			goto done;
		}
		target_from_entry(&ct, centry, NULL);
		rc = ikc_walk_provider(IKC_PROVIDER_GKE)->read(env, &ct, &cluster_live);
		if (rc < 0)
			goto done;
		live_set(&w, res->cluster, json_object_get(cluster_live));
	}
	target_for(&t, res, desired, NULL, cluster_live);
	rc = ikc_walk_provider(res->provider)->read(env, &t, &live);
	if (rc == IKC_ENOTFOUND) {
		rc = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_PROVIDER,
			"%s: %s does not exist", address, id);
		goto done;
	}
	if (rc < 0)
		goto done;
	was = project(desired, live);
	rc = record(&w, res, was, live, res->provider == IKC_PROVIDER_GKE ? id : NULL, NULL);
done:
	json_object_put(was);
	json_object_put(desired);
	json_object_put(live);
	json_object_put(cluster_live);
	json_object_put(w.live);
	ikc_graph_free(w.graph);
	pthread_cond_destroy(&w.saved_cv);
	pthread_mutex_destroy(&w.mu);
	return rc;
}
