/* env.c - GKE provider run state: per-cluster locks, resource ids, deadlines */
#include "providers/gke/internal.h"
#include "providers/gke/gke.h"
#include "providers/private.h"   /* declares ikc_gke__env_dispose too */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

#define DEFAULT_CLUSTER_DEADLINE (90.0 * 60)
#define DEFAULT_NODEPOOL_DEADLINE (2.0 * 60 * 60)

/* One lock per cluster path; entries live until the env is disposed. */
struct ikc_gke_lock {
	struct ikc_gke_lock *next;
	char *key;
	pthread_mutex_t mu;
};

struct gke_priv {
	pthread_mutex_t mu;      /* guards `locks` */
	struct ikc_gke_lock *locks;
};

/* Guards the lazy creation of env->priv_gke (shared by every env). */
static pthread_mutex_t priv_create_mu = PTHREAD_MUTEX_INITIALIZER;

static struct gke_priv *priv_get(ikc_provider_env *env)
{
	struct gke_priv *p;

	(void)pthread_mutex_lock(&priv_create_mu);
	p = env->priv_gke;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (p && pthread_mutex_init(&p->mu, NULL) != 0) {
			free(p);
			p = NULL;
		}
		env->priv_gke = p;
	}
	(void)pthread_mutex_unlock(&priv_create_mu);
	return p;
}

void ikc_gke__env_dispose(ikc_provider_env *env)
{
	struct gke_priv *p;
	struct ikc_gke_lock *l, *next;

	if (!env || !env->priv_gke)
		return;
	p = env->priv_gke;
	for (l = p->locks; l; l = next) {
		next = l->next;
		(void)pthread_mutex_destroy(&l->mu);
		free(l->key);
		free(l);
	}
	(void)pthread_mutex_destroy(&p->mu);
	free(p);
	env->priv_gke = NULL;
}

/* The lock of a cluster, made on first use.  NULL on OOM (message set). */
static struct ikc_gke_lock *lock_find(ikc_provider_env *env,
				      const ikc_gke_id *id)
{
	struct gke_priv *p = priv_get(env);
	struct ikc_gke_lock *l;
	char *key;

	if (!p) {
		ikc_error_oom();
		return NULL;
	}
	key = ikc_asprintf("projects/%s/locations/%s/clusters/%s",
			   id->project, id->location, id->cluster);
	if (!key) {
		ikc_error_oom();
		return NULL;
	}
	(void)pthread_mutex_lock(&p->mu);
	for (l = p->locks; l; l = l->next)
		if (!strcmp(l->key, key))
			break;
	if (!l) {
		l = calloc(1, sizeof(*l));
		if (l && pthread_mutex_init(&l->mu, NULL) != 0) {
			free(l);
			l = NULL;
		}
		if (l) {
			l->key = key;
			key = NULL;
			l->next = p->locks;
			p->locks = l;
		}
	}
	(void)pthread_mutex_unlock(&p->mu);
	free(key);
	if (!l)
		ikc_error_oom();
	return l;
}

int ikc_gke__cluster_lock(ikc_gke_lock **out, ikc_provider_env *env,
			  const ikc_gke_id *id)
{
	struct ikc_gke_lock *l = lock_find(env, id);

	*out = l;
	if (!l)
		return IKC_ERROR;
	(void)pthread_mutex_lock(&l->mu);
	return 0;
}

void ikc_gke__cluster_unlock(ikc_gke_lock *lock)
{
	if (lock)
		(void)pthread_mutex_unlock(&lock->mu);
}

double ikc_gke__deadline(const ikc_provider_env *env, const ikc_gke_id *id)
{
	double d;

	if (id->pool)
		d = env->gke_nodepool_deadline > 0 ? env->gke_nodepool_deadline
						   : DEFAULT_NODEPOOL_DEADLINE;
	else
		d = env->gke_cluster_deadline > 0 ? env->gke_cluster_deadline
						  : DEFAULT_CLUSTER_DEADLINE;
	return ikc_time_monotonic() + d;
}

void ikc_gke__sleep(double seconds)
{
	struct timespec ts, rem;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
}

/* ---- ids ---- */

void ikc_gke__id_dispose(ikc_gke_id *id)
{
	if (!id)
		return;
	free(id->project);
	free(id->location);
	free(id->cluster);
	free(id->pool);
	free(id->base);
	free(id->cluster_url);
	free(id->url);
	free(id->remote_id);
	memset(id, 0, sizeof(*id));
}

/* Replaces *slot by a copy of `value` when *slot is still NULL. */
static int fill(char **slot, const char *value)
{
	if (*slot || !value || !*value)
		return 0;
	*slot = strdup(value);
	return *slot ? 0 : ikc_error_oom();
}

/*
 * Splits "projects/P/locations/L/clusters/C[/nodePools/N]" (also with
 * "zones" for "locations") into its parts, filling only what is missing.
 * 1 if it was such a path, 0 if not, negative on OOM.
 */
static int fill_from_path(ikc_gke_id *id, const char *path, int want_pool)
{
	char *copy, *parts[9], *p;
	int n = 0, rc = 0;

	if (!path || !ikc_str_startswith(path, "projects/"))
		return 0;
	copy = strdup(path);
	if (!copy)
		return ikc_error_oom();
	p = copy;
	while (p && n < 9) {
		parts[n++] = p;
		p = strchr(p, '/');
		if (p)
			*p++ = '\0';
	}
	if ((n != 6 && n != 8) || strcmp(parts[0], "projects") != 0 ||
	    (strcmp(parts[2], "locations") != 0 &&
	     strcmp(parts[2], "zones") != 0) ||
	    strcmp(parts[4], "clusters") != 0 ||
	    (n == 8 && strcmp(parts[6], "nodePools") != 0)) {
		free(copy);
		return 0;
	}
	rc = fill(&id->project, parts[1]);
	if (rc == 0)
		rc = fill(&id->location, parts[3]);
	if (rc == 0)
		rc = fill(&id->cluster, parts[5]);
	if (rc == 0 && want_pool && n == 8)
		rc = fill(&id->pool, parts[7]);
	free(copy);
	return rc < 0 ? rc : 1;
}

static const char *spec_str(json_object *value, const char *key)
{
	json_object *spec = NULL;

	if (!value || !json_object_object_get_ex(value, "spec", &spec))
		return NULL;
	return ikc_json_str(spec, key);
}

/* A cluster value's location: spec.location, location or zone. */
static const char *cluster_location(json_object *cluster)
{
	const char *s = spec_str(cluster, "location");

	if (!s)
		s = ikc_json_str(cluster, "location");
	if (!s)
		s = ikc_json_str(cluster, "zone");
	return s;
}

/* Fills project, location, cluster and pool of id from what t says. */
static int fill_parts(ikc_gke_id *id, const ikc_provider_env *env,
		      const ikc_target *t, int is_pool)
{
	const char *cl, *remote = NULL;
	int rc;

	rc = fill(is_pool ? &id->pool : &id->cluster, t->name);
	/* Explicit spec values come first. */
	if (rc == 0)
		rc = fill(&id->project, spec_str(t->desired, "project"));
	if (rc == 0)
		rc = fill(&id->location, spec_str(t->desired, "location"));
	if (rc == 0 && is_pool) {
		cl = spec_str(t->desired, "cluster");
		rc = fill_from_path(id, cl, 0);
		if (rc == 0)
			rc = fill(&id->cluster, cl);
		if (rc > 0)
			rc = 0;
	}
	if (rc == 0 && is_pool && t->cluster_live) {
		rc = fill(&id->location, cluster_location(t->cluster_live));
		if (rc == 0)
			rc = fill(&id->project,
				  spec_str(t->cluster_live, "project"));
	}
	/* What the state remembers, then the stack's default project. */
	if (t->state)
		remote = ikc_json_str(t->state, "remote_id");
	if (rc == 0)
		rc = fill_from_path(id, remote, is_pool);
	if (rc > 0)
		rc = 0;
	if (rc == 0 && env->stack)
		rc = fill(&id->project, env->stack->project);
	return rc;
}

static int make_urls(ikc_gke_id *id, const ikc_provider_env *env)
{
	const char *endpoint = env->stack && env->stack->endpoint &&
			       *env->stack->endpoint ?
		env->stack->endpoint : "https://container.googleapis.com/";
	const char *slash = endpoint[strlen(endpoint) - 1] == '/' ? "" : "/";

	id->base = ikc_asprintf("%s%sv1/projects/%s/locations/%s", endpoint,
				slash, id->project, id->location);
	if (!id->base)
		return ikc_error_oom();
	id->cluster_url = ikc_asprintf("%s/clusters/%s", id->base,
				       id->cluster);
	if (!id->cluster_url)
		return ikc_error_oom();
	if (id->pool) {
		id->url = ikc_asprintf("%s/nodePools/%s", id->cluster_url,
				       id->pool);
		id->remote_id = ikc_asprintf(
			"projects/%s/locations/%s/clusters/%s/nodePools/%s",
			id->project, id->location, id->cluster, id->pool);
	} else {
		id->url = strdup(id->cluster_url);
		id->remote_id = ikc_asprintf(
			"projects/%s/locations/%s/clusters/%s",
			id->project, id->location, id->cluster);
	}
	if (!id->url || !id->remote_id)
		return ikc_error_oom();
	return 0;
}

int ikc_gke__id_resolve(ikc_gke_id *id, const ikc_provider_env *env,
			const ikc_target *t)
{
	int is_pool = t->kind && !strcmp(t->kind, "NodePool");
	const char *what, *hint;
	int rc;

	memset(id, 0, sizeof(*id));
	id->address = t->address;
	if (!is_pool && (!t->kind || strcmp(t->kind, "Cluster") != 0))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "%s: GKE has no kind '%s'",
					  t->address, t->kind ? t->kind : "");
	rc = fill_parts(id, env, t, is_pool);
	if (rc == 0 && (!id->project || !id->location || !id->cluster ||
			(is_pool && !id->pool))) {
		if (!id->project) {
			what = "project";
			hint = "spec.project or the Stack's spec.google.project";
		} else if (!id->location) {
			what = "location";
			hint = is_pool ? "the Cluster's spec.location"
				       : "spec.location";
		} else {
			what = is_pool && id->cluster ? "name" : "cluster";
			hint = is_pool ? "spec.cluster" : "metadata.name";
		}
		rc = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					"%s: no %s for the GKE API (set %s)",
					t->address, what, hint);
	}
	if (rc == 0)
		rc = make_urls(id, env);
	if (rc < 0) {
		ikc_gke__id_dispose(id);
		id->address = t->address;
	}
	return rc;
}
