/* world.c - ikc-sim's GKE world: clusters, their endpoints and CAs, operations, snapshots */
#include "sim/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core.h"
#include "sim/faults.h"
#include "sim/pki.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

struct sim_world sim_world = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0 };

int sim_world__is_zone(const char *location)
{
	size_t n = strlen(location);

	/* "us-central1-a": a region plus "-" and one letter. */
	return n > 2 && location[n - 2] == '-' && location[n - 1] >= 'a' &&
	       location[n - 1] <= 'z';
}

char *sim_world__link(const char *project, const char *location,
		      const char *rest)
{
	return ikc_asprintf("%s/v1/projects/%s/%s/%s/%s", sim_cfg.base_url,
			    project, sim_world__is_zone(location) ? "zones"
								  : "locations",
			    location, rest);
}

void sim_world__now_text(char out[40])
{
	double now = ikc_time_now();
	time_t secs = (time_t)now;
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 21, ".%09dZ",
		 (int)((long)((now - (double)secs) * 1e9) % 1000000000L));
}

static void set_str(json_object *o, const char *key, const char *val)
{
	if (val && *val)
		json_object_object_add(o, key, json_object_new_string(val));
	else
		json_object_object_del(o, key);
}

struct sim_cluster *sim_world__find(const char *project, const char *location,
				    const char *name)
{
	struct sim_cluster *c;

	for (c = sim_world.clusters; c; c = c->next)
		if (strcmp(c->name, name) == 0 && strcmp(c->project, project) == 0 &&
		    strcmp(c->location, location) == 0)
			return c;
	return NULL;
}

json_object *sim_world__pool(struct sim_cluster *c, const char *pool,
			     size_t *idx)
{
	json_object *pools, *p;
	size_t i, n;

	if (!json_object_object_get_ex(c->obj, "nodePools", &pools))
		return NULL;
	n = json_object_array_length(pools);
	for (i = 0; i < n; i++) {
		const char *name;

		p = json_object_array_get_idx(pools, i);
		name = ikc_json_str(p, "name");
		if (name && strcmp(name, pool) == 0) {
			if (idx)
				*idx = i;
			return p;
		}
	}
	return NULL;
}

struct sim_op *sim_world__op(const char *project, const char *name)
{
	struct sim_op *op;

	for (op = sim_world.ops; op; op = op->next)
		if (strcmp(op->name, name) == 0 && strcmp(op->project, project) == 0)
			return op;
	return NULL;
}

int sim_world__running(const char *project)
{
	struct sim_op *op;
	int n = 0;

	for (op = sim_world.ops; op; op = op->next)
		if (!op->finished && strcmp(op->project, project) == 0)
			n++;
	return n;
}

static int pool_size(struct sim_cluster *c, const char *pool)
{
	json_object *v;

	if (c->sizes && json_object_object_get_ex(c->sizes, pool, &v))
		return json_object_get_int(v);
	return 0;
}

void sim_world__sync_nodes(struct sim_cluster *c)
{
	json_object *pools;
	size_t i, n;

	if (!c->kube || !json_object_object_get_ex(c->obj, "nodePools", &pools))
		return;
	n = json_object_array_length(pools);
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(pools, i);
		const char *name = ikc_json_str(p, "name");
		const char *status = ikc_json_str(p, "status");
		json_object *locs = ikc_json_path(p, "locations");
		const char *zone = locs ? json_object_get_string(
					  json_object_array_get_idx(locs, 0))
					: c->location;
		const char *machine = json_object_get_string(
			ikc_json_path(p, "config.machineType"));
		int count = 0;

		if (!name || !status)
			continue;
		if (strcmp(status, "RUNNING") == 0 ||
		    strcmp(status, "RECONCILING") == 0)
			count = pool_size(c, name);
		else if (strcmp(status, "PROVISIONING") == 0)
			continue;
		sim_kube_set_pool(c->kube, name, count,
				  machine ? machine : "e2-medium",
				  zone ? zone : c->location);
	}
}

void sim_world__refresh(struct sim_cluster *c)
{
	json_object *pools, *urls = json_object_new_array();
	size_t i, n = 0;
	long total = 0;
	char etag[37];

	if (json_object_object_get_ex(c->obj, "nodePools", &pools))
		n = json_object_array_length(pools);
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(pools, i);
		json_object *u = ikc_json_path(p, "instanceGroupUrls");
		const char *name = ikc_json_str(p, "name");
		size_t j;

		if (name)
			total += pool_size(c, name);
		for (j = 0; u && urls && j < json_object_array_length(u); j++)
			json_object_array_add(urls, json_object_get(
						json_object_array_get_idx(u, j)));
		if (i == 0) {
			json_object *cfg = ikc_json_path(p, "config");

			if (cfg)
				json_object_object_add(c->obj, "nodeConfig",
						       ikc_json_copy(cfg));
			set_str(c->obj, "currentNodeVersion",
				ikc_json_str(p, "version"));
		}
	}
	if (n == 0 || (pools && json_object_array_length(pools) == 0)) {
		json_object_object_del(c->obj, "nodeConfig");
		json_object_object_del(c->obj, "currentNodeVersion");
		json_object_object_del(c->obj, "nodePools");
	}
	if (total > 0)
		json_object_object_add(c->obj, "currentNodeCount",
				       json_object_new_int64(total));
	else
		json_object_object_del(c->obj, "currentNodeCount");
	if (urls && json_object_array_length(urls) > 0)
		json_object_object_add(c->obj, "instanceGroupUrls", urls);
	else {
		json_object_put(urls);
		json_object_object_del(c->obj, "instanceGroupUrls");
	}
	if (ikc_uuid_v4(etag) == 0)
		set_str(c->obj, "etag", etag);
	sim_world.dirty = 1;
}

/* ---- per-cluster Kubernetes endpoint ---- */

static void kube_unauthorized(sim_response *resp)
{
	sim_respond_text(resp, 401, NULL,
			 "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":"
			 "{},\"status\":\"Failure\",\"message\":\"Unauthorized\","
			 "\"reason\":\"Unauthorized\",\"code\":401}");
}

/* Counts a successful create on the cluster API by the new object's name. */
static void count_kube_create(struct sim_cluster *c, const sim_request *req,
			      const sim_response *resp)
{
	json_object *obj = NULL;
	const char *name;

	if (!resp->body || ikc_json_parse(&obj, resp->body, resp->body_len,
					  "response") < 0)
		return;
	name = json_object_get_string(ikc_json_path(obj, "metadata.name"));
	if (name) {
		char *key = ikc_asprintf("cluster/%s%s/%s", c->name, req->path,
					 name);

		if (key)
			sim_calls_created(key);
		free(key);
	}
	json_object_put(obj);
}

static void kube_count(void *ctx, const sim_request *req)
{
	struct sim_cluster *c = ctx;
	char *key = ikc_asprintf("cluster/%s %s %s", c->name, req->method,
				 req->path);

	if (key)
		sim_calls_add(key);
	free(key);
}

static void kube_serve(void *ctx, const sim_request *req, sim_response *resp)
{
	struct sim_cluster *c = ctx;

	if (!sim_tokens_valid(sim_request_bearer(req))) {
		kube_unauthorized(resp);
		return;
	}
	sim_kube_handle(c->kube, req, resp);
	if (strcmp(req->method, "POST") == 0 && resp->status == 201)
		count_kube_create(c, req, resp);
}

static int cluster_listen(struct sim_cluster *c, int port)
{
	int error = sim_endpoint_start(&c->ep, port, 1, c->srv_key, c->srv_cert,
				       SIM_EP_PER_CONNECTION, kube_serve,
				       kube_count, c);

	if (error < 0)
		return error;
	c->port = sim_endpoint_port(c->ep);
	return 0;
}

void sim_world__cluster_free(struct sim_cluster *c)
{
	if (!c)
		return;
	sim_endpoint_stop(c->ep);
	sim_kube_free(c->kube);
	json_object_put(c->obj);
	json_object_put(c->sizes);
	free(c->project);
	free(c->location);
	free(c->name);
	free(c->busy_op);
	free(c->ca_key);
	free(c->ca_cert);
	free(c->srv_key);
	free(c->srv_cert);
	free(c);
}

int sim_world__cluster_new(struct sim_cluster **out, const char *project,
			   const char *location, const char *name,
			   const char *version)
{
	struct sim_cluster *c = calloc(1, sizeof(*c));
	char *cn = NULL;
	int error = IKC_ERROR;

	*out = NULL;
	if (!c)
		return ikc_error_oom();
	c->project = strdup(project);
	c->location = strdup(location);
	c->name = strdup(name);
	c->obj = json_object_new_object();
	c->sizes = json_object_new_object();
	cn = ikc_asprintf("ikc-sim cluster %s CA", name);
	if (!c->project || !c->location || !c->name || !c->obj || !c->sizes ||
	    !cn) {
		error = ikc_error_oom();
		goto done;
	}
	error = sim_pki_make_ca(&c->ca_key, &c->ca_cert, cn);
	if (error < 0)
		goto done;
	error = sim_pki_make_server(&c->srv_key, &c->srv_cert, c->ca_key,
				    c->ca_cert, "kubernetes");
	if (error < 0)
		goto done;
	c->kube = sim_kube_new(name, version);
	if (!c->kube) {
		error = ikc_error_set(IKC_ERR_SIM, "cannot make cluster API");
		goto done;
	}
	error = cluster_listen(c, 0);
	if (error < 0)
		goto done;
	*out = c;
	c = NULL;
done:
	free(cn);
	sim_world__cluster_free(c);
	return error;
}

void sim_world__cluster_add(struct sim_cluster *c)
{
	struct sim_cluster **pp = &sim_world.clusters;

	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	sim_world.dirty = 1;
}

static void cluster_unlink(struct sim_cluster *c)
{
	struct sim_cluster **pp;

	for (pp = &sim_world.clusters; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			c->next = NULL;
			return;
		}
	}
}

/* ---- operations ---- */

static void set_status(json_object *o, const char *status)
{
	if (o)
		json_object_object_add(o, "status", json_object_new_string(status));
}

static void pools_status(struct sim_cluster *c, const char *only,
			 const char *status, const char *message)
{
	json_object *pools;
	size_t i;

	if (!json_object_object_get_ex(c->obj, "nodePools", &pools))
		return;
	for (i = 0; i < json_object_array_length(pools); i++) {
		json_object *p = json_object_array_get_idx(pools, i);
		const char *name = ikc_json_str(p, "name");
		const char *cur = ikc_json_str(p, "status");

		if (only && (!name || strcmp(name, only) != 0))
			continue;
		if (!only && cur && strcmp(cur, "ERROR") == 0)
			continue;
		set_status(p, status);
		set_str(p, "statusMessage", message);
	}
}

struct sim_op *sim_world__op_start(struct sim_cluster *c, const char *pool,
				   int kind, const char *type,
				   const char *detail, double duration,
				   const char *route)
{
	struct sim_op *op = calloc(1, sizeof(*op));
	char hex[9], when[40], *rest = NULL, *link = NULL;

	if (!op || sim_random_hex(hex, 4) < 0)
		goto fail;
	op->name = ikc_asprintf("operation-%lld-%s",
				(long long)(ikc_time_now() * 1000), hex);
	op->project = strdup(c->project);
	op->location = strdup(c->location);
	op->cluster = strdup(c->name);
	op->pool = pool ? strdup(pool) : NULL;
	op->obj = json_object_new_object();
	if (!op->name || !op->project || !op->location || !op->cluster ||
	    (pool && !op->pool) || !op->obj)
		goto fail;
	op->kind = kind;
	op->start = sim_clock_now();
	op->duration = duration;
	op->fail = sim_faults_opfail(route);
	set_str(op->obj, "name", op->name);
	set_str(op->obj, "zone", c->location);
	set_str(op->obj, "operationType", type);
	set_str(op->obj, "status", "PENDING");
	set_str(op->obj, "detail", detail);
	rest = ikc_asprintf("operations/%s", op->name);
	link = rest ? sim_world__link(c->project, c->location, rest) : NULL;
	set_str(op->obj, "selfLink", link);
	free(rest);
	free(link);
	rest = pool ? ikc_asprintf("clusters/%s/nodePools/%s", c->name, pool)
		    : ikc_asprintf("clusters/%s", c->name);
	link = rest ? sim_world__link(c->project, c->location, rest) : NULL;
	set_str(op->obj, "targetLink", link);
	free(rest);
	free(link);
	sim_world__now_text(when);
	set_str(op->obj, "startTime", when);
	set_str(op->obj, "location", c->location);
	free(c->busy_op);
	c->busy_op = strdup(op->name);
	switch (kind) {
	case SIM_OP_CREATE_CLUSTER:
		set_status(c->obj, "PROVISIONING");
		pools_status(c, NULL, "PROVISIONING", NULL);
		break;
	case SIM_OP_DELETE_CLUSTER:
		set_status(c->obj, "STOPPING");
		pools_status(c, NULL, "STOPPING", NULL);
		break;
	case SIM_OP_CREATE_POOL:
		set_status(c->obj, "RECONCILING");
		pools_status(c, pool, "PROVISIONING", NULL);
		break;
	case SIM_OP_DELETE_POOL:
		set_status(c->obj, "RECONCILING");
		pools_status(c, pool, "STOPPING", NULL);
		break;
	case SIM_OP_UPDATE_POOL:
		set_status(c->obj, "RECONCILING");
		pools_status(c, pool, "RECONCILING", NULL);
		break;
	default:
		set_status(c->obj, "RECONCILING");
		break;
	}
	op->next = sim_world.ops;
	sim_world.ops = op;
	sim_world.dirty = 1;
	return op;
fail:
	if (op) {
		free(op->name);
		free(op->project);
		free(op->location);
		free(op->cluster);
		free(op->pool);
		json_object_put(op->obj);
		free(op);
	}
	return NULL;
}

static void op_progress(struct sim_op *op, double frac)
{
	json_object *prog = json_object_new_object();
	json_object *metrics = json_object_new_array();
	const char *base = op->pool ? "NODE_POOL_STEPS" : "CLUSTER_STEPS";
	char name[48], val[16];
	json_object *m;

	if (!prog || !metrics) {
		json_object_put(prog);
		json_object_put(metrics);
		return;
	}
	if (frac > 1)
		frac = 1;
	m = json_object_new_object();
	json_object_object_add(m, "name", json_object_new_string(base));
	snprintf(val, sizeof(val), "%d", (int)(frac * 10));
	json_object_object_add(m, "intValue", json_object_new_string(val));
	json_object_array_add(metrics, m);
	m = json_object_new_object();
	snprintf(name, sizeof(name), "%s_TOTAL", base);
	json_object_object_add(m, "name", json_object_new_string(name));
	json_object_object_add(m, "intValue", json_object_new_string("10"));
	json_object_array_add(metrics, m);
	json_object_object_add(prog, "status",
			       json_object_new_string(frac >= 1 ? "DONE"
						      : "RUNNING"));
	json_object_object_add(prog, "metrics", metrics);
	json_object_object_add(op->obj, "progress", prog);
}

static void remove_pool(struct sim_cluster *c, const char *pool)
{
	json_object *pools;
	size_t idx;

	if (!sim_world__pool(c, pool, &idx) ||
	    !json_object_object_get_ex(c->obj, "nodePools", &pools))
		return;
	json_object_array_del_idx(pools, idx, 1);
	json_object_object_del(c->sizes, pool);
	if (c->kube)
		sim_kube_set_pool(c->kube, pool, 0, "e2-medium", c->location);
}

/* Ends op (DONE) and applies its effect; may free its cluster. */
static void op_finish(struct sim_op *op, const char *failure, int code)
{
	struct sim_cluster *c = sim_world__find(op->project, op->location,
						op->cluster);
	char when[40];

	op->finished = 1;
	set_status(op->obj, "DONE");
	/* gcloud prints a finished operation's detail as a warning. */
	json_object_object_del(op->obj, "detail");
	sim_world__now_text(when);
	set_str(op->obj, "endTime", when);
	op_progress(op, 1);
	if (failure) {
		json_object *err = json_object_new_object();

		set_str(op->obj, "statusMessage", failure);
		if (err) {
			json_object_object_add(err, "code", json_object_new_int(code));
			json_object_object_add(err, "message",
					       json_object_new_string(failure));
			json_object_object_add(op->obj, "error", err);
		}
	}
	sim_world.dirty = 1;
	if (!c)
		return;
	if (c->busy_op && strcmp(c->busy_op, op->name) == 0) {
		free(c->busy_op);
		c->busy_op = NULL;
	}
	switch (op->kind) {
	case SIM_OP_CREATE_CLUSTER:
		if (failure) {
			set_status(c->obj, "ERROR");
			set_str(c->obj, "statusMessage", failure);
			pools_status(c, NULL, "ERROR", failure);
		} else {
			set_status(c->obj, "RUNNING");
			pools_status(c, NULL, "RUNNING", NULL);
		}
		break;
	case SIM_OP_DELETE_CLUSTER:
		if (failure) {
			set_status(c->obj, "ERROR");
			set_str(c->obj, "statusMessage", failure);
			break;
		}
		cluster_unlink(c);
		sim_world__cluster_free(c);
		return;
	case SIM_OP_CREATE_POOL:
	case SIM_OP_DELETE_POOL:
		set_status(c->obj, "RUNNING");
		if (failure)
			pools_status(c, op->pool, "ERROR", failure);
		else if (op->kind == SIM_OP_CREATE_POOL)
			pools_status(c, op->pool, "RUNNING", NULL);
		else
			remove_pool(c, op->pool);
		break;
	default:
		set_status(c->obj, "RUNNING");
		pools_status(c, NULL, "RUNNING", NULL);
		break;
	}
	sim_world__refresh(c);
	sim_world__sync_nodes(c);
}

void sim_world__op_advance(struct sim_op *op)
{
	double el, pending;

	if (op->finished)
		return;
	el = sim_clock_now() - op->start;
	pending = op->duration * 0.05 < 1 ? op->duration * 0.05 : 1;
	if (el >= op->duration) {
		op_finish(op, op->fail ? "Insufficient regional quota to satisfy "
					 "request: resource \"CPUS\" (fault "
					 "injected by ikc-sim)." : NULL, 8);
		return;
	}
	if (el >= pending) {
		const char *cur = ikc_json_str(op->obj, "status");

		if (!cur || strcmp(cur, "RUNNING") != 0) {
			set_status(op->obj, "RUNNING");
			sim_world.dirty = 1;
		}
	}
	op_progress(op, el / op->duration);
}

void sim_world__op_cancel(struct sim_op *op)
{
	if (!op->finished)
		op_finish(op, "Operation was cancelled.", 1);
}

/* ---- tick, dirty, snapshots ---- */

void sim_world_tick(void)
{
	struct sim_op *op;
	struct sim_cluster *c;
	double now;

	pthread_mutex_lock(&sim_world.mu);
	for (op = sim_world.ops; op; op = op->next)
		sim_world__op_advance(op);
	now = sim_clock_now();
	for (c = sim_world.clusters; c; c = c->next)
		if (c->kube)
			sim_kube_tick(c->kube, now);
	pthread_mutex_unlock(&sim_world.mu);
}

int sim_world_take_dirty(void)
{
	struct sim_cluster *c;
	int d;

	pthread_mutex_lock(&sim_world.mu);
	d = sim_world.dirty;
	sim_world.dirty = 0;
	for (c = sim_world.clusters; c; c = c->next)
		if (c->kube && sim_kube_take_dirty(c->kube))
			d = 1;
	pthread_mutex_unlock(&sim_world.mu);
	return sim_tokens_take_dirty() || d;
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

json_object *sim_world_save(void)
{
	json_object *out = json_object_new_object();
	json_object *clusters = json_object_new_array();
	json_object *ops = json_object_new_array();
	struct sim_cluster *c;
	struct sim_op *op;

	if (!out || !clusters || !ops) {
		json_object_put(out);
		json_object_put(clusters);
		json_object_put(ops);
		return NULL;
	}
	pthread_mutex_lock(&sim_world.mu);
	for (c = sim_world.clusters; c; c = c->next) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "project", jstr(c->project));
		json_object_object_add(o, "location", jstr(c->location));
		json_object_object_add(o, "name", jstr(c->name));
		json_object_object_add(o, "obj", ikc_json_copy(c->obj));
		json_object_object_add(o, "sizes", ikc_json_copy(c->sizes));
		json_object_object_add(o, "busy_op", jstr(c->busy_op));
		json_object_object_add(o, "port", json_object_new_int(c->port));
		json_object_object_add(o, "ca_key", jstr(c->ca_key));
		json_object_object_add(o, "ca_cert", jstr(c->ca_cert));
		json_object_object_add(o, "srv_key", jstr(c->srv_key));
		json_object_object_add(o, "srv_cert", jstr(c->srv_cert));
		json_object_object_add(o, "kube", c->kube ? sim_kube_save(c->kube)
							  : NULL);
		json_object_array_add(clusters, o);
	}
	for (op = sim_world.ops; op; op = op->next) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", jstr(op->name));
		json_object_object_add(o, "project", jstr(op->project));
		json_object_object_add(o, "location", jstr(op->location));
		json_object_object_add(o, "cluster", jstr(op->cluster));
		json_object_object_add(o, "pool", jstr(op->pool));
		json_object_object_add(o, "kind", json_object_new_int(op->kind));
		json_object_object_add(o, "start", json_object_new_double(op->start));
		json_object_object_add(o, "duration",
				       json_object_new_double(op->duration));
		json_object_object_add(o, "fail", json_object_new_boolean(op->fail));
		json_object_object_add(o, "finished",
				       json_object_new_boolean(op->finished));
		json_object_object_add(o, "obj", ikc_json_copy(op->obj));
		json_object_array_add(ops, o);
	}
	json_object_object_add(out, "seq", json_object_new_int64(
						   (int64_t)sim_world.seq));
	pthread_mutex_unlock(&sim_world.mu);
	json_object_object_add(out, "clusters", clusters);
	json_object_object_add(out, "ops", ops);
	return out;
}

static char *dup_str(json_object *o, const char *key)
{
	const char *s = ikc_json_str(o, key);

	return s ? strdup(s) : NULL;
}

/* Rewrites links that point at an older base URL (the port moved). */
static void relink(json_object *o, const char *old_base)
{
	size_t n = strlen(old_base);

	if (json_object_is_type(o, json_type_array)) {
		size_t i;

		for (i = 0; i < json_object_array_length(o); i++)
			relink(json_object_array_get_idx(o, i), old_base);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, k, v) {
		if (json_object_is_type(v, json_type_string) &&
		    (strcmp(k, "selfLink") == 0 || strcmp(k, "targetLink") == 0) &&
		    strncmp(json_object_get_string(v), old_base, n) == 0) {
			char *s = ikc_asprintf("%s%s", sim_cfg.base_url,
					       json_object_get_string(v) + n);

			if (s)
				json_object_object_add(o, k,
						       json_object_new_string(s));
			free(s);
		} else {
			relink(v, old_base);
		}
	}
}

static int restore_cluster(json_object *s, const char *old_base)
{
	struct sim_cluster *c = calloc(1, sizeof(*c));
	json_object *v;
	char *ep = NULL;
	int port, error = IKC_ERROR;

	if (!c)
		return ikc_error_oom();
	c->project = dup_str(s, "project");
	c->location = dup_str(s, "location");
	c->name = dup_str(s, "name");
	c->busy_op = dup_str(s, "busy_op");
	c->ca_key = dup_str(s, "ca_key");
	c->ca_cert = dup_str(s, "ca_cert");
	c->srv_key = dup_str(s, "srv_key");
	c->srv_cert = dup_str(s, "srv_cert");
	c->obj = ikc_json_copy(ikc_json_path(s, "obj"));
	c->sizes = ikc_json_copy(ikc_json_path(s, "sizes"));
	if (!c->project || !c->location || !c->name || !c->ca_key ||
	    !c->ca_cert || !c->srv_key || !c->srv_cert || !c->obj || !c->sizes) {
		error = ikc_error_set(IKC_ERR_SIM, "world.json: bad cluster entry");
		goto done;
	}
	v = ikc_json_path(s, "kube");
	c->kube = v ? sim_kube_load(v) : NULL;
	if (!c->kube) {
		error = ikc_error_set(IKC_ERR_SIM, "world.json: cluster %s: "
				      "cannot restore its API", c->name);
		goto done;
	}
	port = json_object_get_int(ikc_json_path(s, "port"));
	error = cluster_listen(c, port);
	if (error < 0)
		goto done;
	if (old_base)
		relink(c->obj, old_base);
	ep = ikc_asprintf("127.0.0.1:%d", c->port);
	if (ep)
		json_object_object_add(c->obj, "endpoint",
				       json_object_new_string(ep));
	sim_world__cluster_add(c);
	c = NULL;
done:
	free(ep);
	sim_world__cluster_free(c);
	return error;
}

static int restore_op(json_object *s, const char *old_base)
{
	struct sim_op *op = calloc(1, sizeof(*op)), **pp;

	if (!op)
		return ikc_error_oom();
	op->name = dup_str(s, "name");
	op->project = dup_str(s, "project");
	op->location = dup_str(s, "location");
	op->cluster = dup_str(s, "cluster");
	op->pool = dup_str(s, "pool");
	op->obj = ikc_json_copy(ikc_json_path(s, "obj"));
	op->kind = json_object_get_int(ikc_json_path(s, "kind"));
	op->start = json_object_get_double(ikc_json_path(s, "start"));
	op->duration = json_object_get_double(ikc_json_path(s, "duration"));
	op->fail = json_object_get_boolean(ikc_json_path(s, "fail"));
	op->finished = json_object_get_boolean(ikc_json_path(s, "finished"));
	if (!op->name || !op->project || !op->location || !op->cluster ||
	    !op->obj) {
		free(op->name);
		free(op->project);
		free(op->location);
		free(op->cluster);
		free(op->pool);
		json_object_put(op->obj);
		free(op);
		return ikc_error_set(IKC_ERR_SIM, "world.json: bad operation entry");
	}
	if (old_base)
		relink(op->obj, old_base);
	/* Keep the saved order (newest first). */
	for (pp = &sim_world.ops; *pp; pp = &(*pp)->next)
		;
	*pp = op;
	return 0;
}

int sim_world_load(json_object *saved)
{
	json_object *list;
	const char *old_base = ikc_json_str(saved, "base_url");
	size_t i;
	int error = 0;

	if (old_base && strcmp(old_base, sim_cfg.base_url) == 0)
		old_base = NULL;
	pthread_mutex_lock(&sim_world.mu);
	sim_world.seq = (unsigned long)json_object_get_int64(
		ikc_json_path(saved, "seq"));
	list = ikc_json_path(saved, "clusters");
	for (i = 0; list && i < json_object_array_length(list) && !error; i++)
		error = restore_cluster(json_object_array_get_idx(list, i),
					old_base);
	list = ikc_json_path(saved, "ops");
	for (i = 0; list && i < json_object_array_length(list) && !error; i++)
		error = restore_op(json_object_array_get_idx(list, i), old_base);
	sim_world.dirty = 1;
	pthread_mutex_unlock(&sim_world.mu);
	return error;
}

json_object *sim_world_describe(void)
{
	json_object *out = json_object_new_object();
	json_object *clusters = json_object_new_array();
	json_object *ops = json_object_new_array();
	struct sim_cluster *c;
	struct sim_op *op;

	if (!out || !clusters || !ops) {
		json_object_put(out);
		json_object_put(clusters);
		json_object_put(ops);
		return NULL;
	}
	pthread_mutex_lock(&sim_world.mu);
	for (c = sim_world.clusters; c; c = c->next) {
		json_object *o = json_object_new_object();
		json_object *pools = json_object_new_array();
		json_object *plist = ikc_json_path(c->obj, "nodePools");
		size_t i;

		json_object_object_add(o, "project", jstr(c->project));
		json_object_object_add(o, "location", jstr(c->location));
		json_object_object_add(o, "name", jstr(c->name));
		json_object_object_add(o, "status",
				       jstr(ikc_json_str(c->obj, "status")));
		json_object_object_add(o, "endpoint",
				       jstr(ikc_json_str(c->obj, "endpoint")));
		json_object_object_add(o, "busyOperation", jstr(c->busy_op));
		for (i = 0; plist && i < json_object_array_length(plist); i++) {
			json_object *p = json_object_array_get_idx(plist, i);
			json_object *po = json_object_new_object();
			const char *pn = ikc_json_str(p, "name");

			json_object_object_add(po, "name", jstr(pn));
			json_object_object_add(po, "status",
					       jstr(ikc_json_str(p, "status")));
			json_object_object_add(po, "nodes", json_object_new_int(
						       pn ? pool_size(c, pn) : 0));
			json_object_array_add(pools, po);
		}
		json_object_object_add(o, "nodePools", pools);
		json_object_object_add(o, "objects", c->kube ? sim_kube_describe(
								      c->kube)
							    : NULL);
		json_object_array_add(clusters, o);
	}
	for (op = sim_world.ops; op; op = op->next) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", jstr(op->name));
		json_object_object_add(o, "operationType",
				       jstr(ikc_json_str(op->obj, "operationType")));
		json_object_object_add(o, "status",
				       jstr(ikc_json_str(op->obj, "status")));
		json_object_object_add(o, "targetLink",
				       jstr(ikc_json_str(op->obj, "targetLink")));
		if (ikc_json_str(op->obj, "statusMessage"))
			json_object_object_add(o, "statusMessage", jstr(
				ikc_json_str(op->obj, "statusMessage")));
		json_object_array_add(ops, o);
	}
	pthread_mutex_unlock(&sim_world.mu);
	json_object_object_add(out, "clusters", clusters);
	json_object_object_add(out, "operations", ops);
	json_object_object_add(out, "faults", sim_faults_describe());
	json_object_object_add(out, "clock", json_object_new_double(
						     sim_clock_now()));
	return out;
}

static void free_ops(struct sim_op *op)
{
	while (op) {
		struct sim_op *next = op->next;

		free(op->name);
		free(op->project);
		free(op->location);
		free(op->cluster);
		free(op->pool);
		json_object_put(op->obj);
		free(op);
		op = next;
	}
}

void sim_world_reset(void)
{
	struct sim_cluster *c, *next;
	struct sim_op *ops;

	pthread_mutex_lock(&sim_world.mu);
	c = sim_world.clusters;
	ops = sim_world.ops;
	sim_world.clusters = NULL;
	sim_world.ops = NULL;
	sim_world.dirty = 1;
	pthread_mutex_unlock(&sim_world.mu);
	for (; c; c = next) {
		next = c->next;
		sim_world__cluster_free(c);
	}
	free_ops(ops);
}

void sim_world_shutdown(void)
{
	struct sim_cluster *c;

	/* Stop serving first so no request sees a half-freed world. */
	pthread_mutex_lock(&sim_world.mu);
	for (c = sim_world.clusters; c; c = c->next) {
		sim_endpoint_stop(c->ep);
		c->ep = NULL;
	}
	pthread_mutex_unlock(&sim_world.mu);
	sim_world_reset();
}
