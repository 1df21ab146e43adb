/* store.c - one cluster's object store: hash map, versions, events, persistence */
#include "sim/kube/kube.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/json.h"
#include "util/str.h"

#define SER_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ---- small helpers shared by the module ---- */

json_object *kube__meta(json_object *obj)
{
	json_object *m = NULL;

	if (!json_object_object_get_ex(obj, "metadata", &m) ||
	    !json_object_is_type(m, json_type_object)) {
		m = json_object_new_object();
		json_object_object_add(obj, "metadata", m);
	}
	return m;
}

const char *kube__name(json_object *obj)
{
	json_object *m;

	if (!json_object_object_get_ex(obj, "metadata", &m))
		return NULL;
	return ikc_json_str(m, "name");
}

const char *kube__ns(json_object *obj)
{
	json_object *m;

	if (!json_object_object_get_ex(obj, "metadata", &m))
		return NULL;
	return ikc_json_str(m, "namespace");
}

size_t kube__len(json_object *a)
{
	if (!a || !json_object_is_type(a, json_type_array))
		return 0;
	return json_object_array_length(a);
}

long long kube__int(json_object *obj, const char *path, long long dflt)
{
	json_object *v = ikc_json_path(obj, path);

	if (!v || !(json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double)))
		return dflt;
	return json_object_get_int64(v);
}

void kube__set(json_object *obj, const char *path, json_object *val)
{
	(void)ikc_json_set_path(obj, path, val);
}

void kube__now_rfc3339(char out[32])
{
	ikc_time_rfc3339(out, time(NULL));
}

void kube__rand_suffix(char *out, size_t n)
{
	/* The alphabet Kubernetes uses for generated names (no vowels). */
	static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char rnd[32];
	size_t i;

	if (n > sizeof(rnd))
		n = sizeof(rnd);
	if (ikc_random_bytes(rnd, n) < 0)
		memset(rnd, 7, n);
	for (i = 0; i < n; i++)
		out[i] = alpha[rnd[i] % (sizeof(alpha) - 1)];
	out[n] = '\0';
}

void kube__dirty(struct sim_kube *k)
{
	k->dirty = 1;
}

int kube__stamp(json_object *obj)
{
	json_object *m = kube__meta(obj);
	char uid[37], ts[32];

	if (ikc_uuid_v4(uid) < 0)
		return -1;
	kube__now_rfc3339(ts);
	json_object_object_add(m, "uid", json_object_new_string(uid));
	json_object_object_add(m, "creationTimestamp",
			       json_object_new_string(ts));
	return 0;
}

/* ---- hash map ---- */

static char *make_key(const char *store, const char *ns, const char *name)
{
	return ikc_asprintf("%s/%s/%s", store, ns ? ns : "", name ? name : "");
}

static size_t bucket_of(struct sim_kube *k, const char *key)
{
	return (size_t)(ikc_str_hash64(key, strlen(key)) % k->nbuckets);
}

static void grow(struct sim_kube *k)
{
	size_t nb = k->nbuckets * 2, i;
	kube_obj **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (i = 0; i < k->nbuckets; i++) {
		kube_obj *o = k->buckets[i];

		while (o) {
			kube_obj *next = o->next;
			size_t h = (size_t)(ikc_str_hash64(o->key, strlen(o->key)) % nb);

			o->next = b[h];
			b[h] = o;
			o = next;
		}
	}
	free(k->buckets);
	k->buckets = b;
	k->nbuckets = nb;
}

kube_obj *kube__get(struct sim_kube *k, const char *store, const char *ns,
		    const char *name)
{
	char buf[512];
	kube_obj *o;
	int n = snprintf(buf, sizeof(buf), "%s/%s/%s", store, ns ? ns : "",
			 name ? name : "");

	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	for (o = k->buckets[bucket_of(k, buf)]; o; o = o->next)
		if (strcmp(o->key, buf) == 0)
			return o;
	return NULL;
}

static void free_obj(kube_obj *o)
{
	if (!o)
		return;
	free(o->key);
	json_object_put(o->obj);
	free(o->json);
	free(o);
}

static void free_event(kube_event *e)
{
	free(e->ns);
	free(e->type);
	json_object_put(e->obj);
	memset(e, 0, sizeof(*e));
}

static void record_event(struct sim_kube *k, const char *type, kube_obj *o)
{
	kube_event *e;
	const char *ns = kube__ns(o->obj);

	while (k->ev_count > 0 && (k->ev_count == KUBE_EVENTS_MAX ||
				   k->ev_bytes + o->json_len > KUBE_EVENTS_BYTES)) {
		k->ev_bytes -= k->events[k->ev_start].bytes;
		free_event(&k->events[k->ev_start]);
		k->ev_start = (k->ev_start + 1) % KUBE_EVENTS_MAX;
		k->ev_count--;
	}
	e = &k->events[(k->ev_start + k->ev_count) % KUBE_EVENTS_MAX];
	e->rv = o->rv;
	e->store = o->kind->store;
	e->ns = strdup(ns ? ns : "");
	e->type = strdup(type);
	e->obj = ikc_json_copy(o->obj);
	e->bytes = o->json_len;
	k->ev_bytes += e->bytes;
	k->ev_count++;
}

static int refresh_cache(kube_obj *o)
{
	const char *s = json_object_to_json_string_ext(o->obj, SER_FLAGS);
	char *copy;

	if (!s)
		return -1;
	copy = strdup(s);
	if (!copy)
		return -1;
	free(o->json);
	o->json = copy;
	o->json_len = strlen(copy);
	return 0;
}

/* Inserts without versioning or events (load). */
static kube_obj *insert_raw(struct sim_kube *k, const kube_kind *kd,
			    json_object *obj)
{
	kube_obj *o = calloc(1, sizeof(*o));
	size_t h;

	if (!o) {
		json_object_put(obj);
		return NULL;
	}
	o->kind = kd;
	o->obj = obj;
	o->key = make_key(kd->store,
			  (kd->flags & KUBE_NAMESPACED) ? kube__ns(obj) : "",
			  kube__name(obj));
	if (!o->key || refresh_cache(o) < 0) {
		free_obj(o);
		return NULL;
	}
	if (k->count + 1 > k->nbuckets * 2)
		grow(k);
	h = bucket_of(k, o->key);
	o->next = k->buckets[h];
	k->buckets[h] = o;
	k->count++;
	return o;
}

kube_obj *kube__put(struct sim_kube *k, const kube_kind *kd, json_object *obj)
{
	const char *ns = (kd->flags & KUBE_NAMESPACED) ? kube__ns(obj) : "";
	kube_obj *o = kube__get(k, kd->store, ns, kube__name(obj));
	char rvs[32];
	int created = 0;

	k->rv++;
	snprintf(rvs, sizeof(rvs), "%llu", k->rv);
	json_object_object_add(kube__meta(obj), "resourceVersion",
			       json_object_new_string(rvs));
	if (o) {
		if (o->obj != obj) {
			json_object_put(o->obj);
			o->obj = obj;
		}
		if (refresh_cache(o) < 0)
			return NULL;
	} else {
		o = insert_raw(k, kd, obj);
		if (!o)
			return NULL;
		created = 1;
	}
	o->rv = k->rv;
	record_event(k, created ? "ADDED" : "MODIFIED", o);
	k->dirty = 1;
	return o;
}

void kube__remove(struct sim_kube *k, kube_obj *o)
{
	size_t h = bucket_of(k, o->key);
	kube_obj **pp = &k->buckets[h];

	while (*pp && *pp != o)
		pp = &(*pp)->next;
	if (!*pp)
		return;
	*pp = o->next;
	k->count--;
	k->rv++;
	o->rv = k->rv;
	record_event(k, "DELETED", o);
	k->dirty = 1;
	free_obj(o);
}

static int cmp_obj(const void *a, const void *b)
{
	const kube_obj *x = *(kube_obj *const *)a, *y = *(kube_obj *const *)b;

	return strcmp(x->key, y->key);
}

kube_obj **kube__list(struct sim_kube *k, const char *store, const char *ns,
		      size_t *n_out)
{
	kube_obj **out = calloc(k->count + 1, sizeof(*out));
	size_t i, n = 0, sl = strlen(store);
	kube_obj *o;

	*n_out = 0;
	if (!out)
		return NULL;
	for (i = 0; i < k->nbuckets; i++)
		for (o = k->buckets[i]; o; o = o->next) {
			if (strncmp(o->key, store, sl) != 0 || o->key[sl] != '/')
				continue;
			if (ns && *ns) {
				const char *ons = kube__ns(o->obj);

				if (!ons || strcmp(ons, ns) != 0)
					continue;
			}
			out[n++] = o;
		}
	qsort(out, n, sizeof(*out), cmp_obj);
	*n_out = n;
	return out;
}

kube_obj *kube__by_uid(struct sim_kube *k, const char *uid)
{
	size_t i;
	kube_obj *o;

	if (!uid)
		return NULL;
	for (i = 0; i < k->nbuckets; i++)
		for (o = k->buckets[i]; o; o = o->next) {
			json_object *m;
			const char *u;

			if (!json_object_object_get_ex(o->obj, "metadata", &m))
				continue;
			u = ikc_json_str(m, "uid");
			if (u && strcmp(u, uid) == 0)
				return o;
		}
	return NULL;
}

/* Removes ownerReferences naming `uid` from every object (Orphan). */
static void orphan_dependents(struct sim_kube *k, const char *uid)
{
	size_t i, j;
	kube_obj *o;
	kube_obj **todo = calloc(k->count + 1, sizeof(*todo));
	size_t n = 0;

	if (!todo)
		return;
	for (i = 0; i < k->nbuckets; i++)
		for (o = k->buckets[i]; o; o = o->next) {
			json_object *refs = ikc_json_path(o->obj,
							  "metadata.ownerReferences");

			if (!refs || !json_object_is_type(refs, json_type_array))
				continue;
			for (j = 0; j < kube__len(refs); j++) {
				const char *u = ikc_json_str(
					json_object_array_get_idx(refs, j), "uid");

				if (u && strcmp(u, uid) == 0) {
					todo[n++] = o;
					break;
				}
			}
		}
	for (i = 0; i < n; i++) {
		json_object *copy = ikc_json_copy(todo[i]->obj);
		json_object *refs = ikc_json_path(copy, "metadata.ownerReferences");
		json_object *keep = json_object_new_array();

		for (j = 0; j < kube__len(refs); j++) {
			json_object *r = json_object_array_get_idx(refs, j);
			const char *u = ikc_json_str(r, "uid");

			if (!u || strcmp(u, uid) != 0)
				json_object_array_add(keep, json_object_get(r));
		}
		if (kube__len(keep) == 0) {
			json_object_put(keep);
			json_object_object_del(kube__meta(copy), "ownerReferences");
		} else {
			json_object_object_add(kube__meta(copy), "ownerReferences",
					       keep);
		}
		(void)kube__put(k, todo[i]->kind, copy);
	}
	free(todo);
}

void kube__delete_obj(struct sim_kube *k, kube_obj *o, const char *policy)
{
	json_object *m = kube__meta(o->obj);
	json_object *fin = NULL;
	const char *uid = ikc_json_str(m, "uid");
	int foreground = policy && strcmp(policy, "Foreground") == 0;

	if (policy && strcmp(policy, "Orphan") == 0 && uid) {
		char *u = strdup(uid);

		if (u)
			orphan_dependents(k, u);
		free(u);
	}
	(void)json_object_object_get_ex(m, "finalizers", &fin);
	if (foreground ||
	    (fin && json_object_is_type(fin, json_type_array) &&
	     kube__len(fin) > 0)) {
		json_object *copy = ikc_json_copy(o->obj);
		json_object *cm = kube__meta(copy);
		char ts[32];

		if (!ikc_json_str(cm, "deletionTimestamp")) {
			kube__now_rfc3339(ts);
			json_object_object_add(cm, "deletionTimestamp",
					       json_object_new_string(ts));
			json_object_object_add(cm, "deletionGracePeriodSeconds",
					       json_object_new_int(0));
		}
		if (foreground) {
			json_object *f = NULL;
			size_t i;
			int have = 0;

			if (!json_object_object_get_ex(cm, "finalizers", &f) ||
			    !json_object_is_type(f, json_type_array)) {
				f = json_object_new_array();
				json_object_object_add(cm, "finalizers", f);
			}
			for (i = 0; i < kube__len(f); i++) {
				const char *s = json_object_get_string(
					json_object_array_get_idx(f, i));

				if (s && strcmp(s, "foregroundDeletion") == 0)
					have = 1;
			}
			if (!have)
				json_object_array_add(f, json_object_new_string(
							 "foregroundDeletion"));
		}
		(void)kube__put(k, o->kind, copy);
		return;
	}
	kube__remove(k, o);
}

/* ---- lifecycle ---- */

static struct sim_kube *alloc_kube(const char *cluster, const char *version)
{
	struct sim_kube *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	pthread_mutex_init(&k->mu, NULL);
	k->refs = 1;
	k->cluster = strdup(cluster ? cluster : "cluster");
	k->version = strdup(version && *version ? version : "1.30.5-gke.1014001");
	k->nbuckets = 64;
	k->buckets = calloc(k->nbuckets, sizeof(*k->buckets));
	k->events = calloc(KUBE_EVENTS_MAX, sizeof(*k->events));
	if (!k->cluster || !k->version || !k->buckets || !k->events) {
		free(k->cluster);
		free(k->version);
		free(k->buckets);
		free(k->events);
		pthread_mutex_destroy(&k->mu);
		free(k);
		return NULL;
	}
	return k;
}

void kube__namespace_populate(struct sim_kube *k, const char *ns)
{
	const kube_kind *kd = kube__kind_by_store("serviceaccounts");
	json_object *sa, *m;

	if (kube__get(k, "serviceaccounts", ns, "default"))
		return;
	sa = json_object_new_object();
	m = json_object_new_object();
	json_object_object_add(sa, "kind", json_object_new_string("ServiceAccount"));
	json_object_object_add(sa, "apiVersion", json_object_new_string("v1"));
	json_object_object_add(m, "name", json_object_new_string("default"));
	json_object_object_add(m, "namespace", json_object_new_string(ns));
	json_object_object_add(sa, "metadata", m);
	(void)kube__stamp(sa);
	(void)kube__put(k, kd, sa);
}

static void add_namespace(struct sim_kube *k, const char *name)
{
	json_object *ns = json_object_new_object();
	json_object *m = json_object_new_object();
	const kube_kind *kd = kube__kind_by_store("namespaces");

	json_object_object_add(ns, "kind", json_object_new_string("Namespace"));
	json_object_object_add(ns, "apiVersion", json_object_new_string("v1"));
	json_object_object_add(ns, "metadata", m);
	json_object_object_add(m, "name", json_object_new_string(name));
	(void)kube__stamp(ns);
	kube__defaults(k, kd, ns);
	json_object_object_add(ns, "status", kube__initial_status(kd, ns));
	(void)kube__put(k, kd, ns);
	kube__namespace_populate(k, name);
}

/* The API server's own Service, first address of the service range. */
static void add_kubernetes_service(struct sim_kube *k)
{
	const kube_kind *kd = kube__kind_by_store("services");
	json_object *svc = json_tokener_parse(
		"{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
		"\"kubernetes\",\"namespace\":\"default\",\"labels\":{\"component\":"
		"\"apiserver\",\"provider\":\"kubernetes\"}},\"spec\":{\"ports\":[{"
		"\"name\":\"https\",\"protocol\":\"TCP\",\"port\":443,\"targetPort\":443}],"
		"\"clusterIP\":\"34.118.224.1\",\"clusterIPs\":[\"34.118.224.1\"],"
		"\"type\":\"ClusterIP\",\"sessionAffinity\":\"None\",\"ipFamilies\":"
		"[\"IPv4\"],\"ipFamilyPolicy\":\"SingleStack\",\"internalTrafficPolicy\":"
		"\"Cluster\"},\"status\":{\"loadBalancer\":{}}}");

	if (!svc)
		return;
	(void)kube__stamp(svc);
	(void)kube__put(k, kd, svc);
}

sim_kube *sim_kube_new(const char *cluster_name, const char *version)
{
	struct sim_kube *k = alloc_kube(cluster_name, version);

	if (!k)
		return NULL;
	add_namespace(k, "default");
	add_namespace(k, "kube-node-lease");
	add_namespace(k, "kube-public");
	add_namespace(k, "kube-system");
	add_kubernetes_service(k);
	k->dirty = 1;
	return k;
}

static void destroy(struct sim_kube *k)
{
	size_t i;

	for (i = 0; i < k->nbuckets; i++) {
		kube_obj *o = k->buckets[i];

		while (o) {
			kube_obj *next = o->next;

			free_obj(o);
			o = next;
		}
	}
	for (i = 0; i < KUBE_EVENTS_MAX; i++)
		free_event(&k->events[i]);
	free(k->events);
	free(k->buckets);
	free(k->cluster);
	free(k->version);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

void kube__unref_locked(struct sim_kube *k)
{
	k->refs--;
	if (k->refs == 0) {
		pthread_mutex_unlock(&k->mu);
		destroy(k);
		return;
	}
	pthread_mutex_unlock(&k->mu);
}

void sim_kube_free(sim_kube *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	k->dead = 1;
	kube__unref_locked(k);
}

int sim_kube_take_dirty(sim_kube *k)
{
	int d;

	if (!k)
		return 0;
	pthread_mutex_lock(&k->mu);
	d = k->dirty;
	k->dirty = 0;
	pthread_mutex_unlock(&k->mu);
	return d;
}

json_object *sim_kube_describe(sim_kube *k)
{
	json_object *out = json_object_new_object();
	size_t i;
	kube_obj *o;
	kube_obj **all;
	size_t n = 0;

	if (!k || !out)
		return out;
	pthread_mutex_lock(&k->mu);
	all = calloc(k->count + 1, sizeof(*all));
	if (all) {
		for (i = 0; i < k->nbuckets; i++)
			for (o = k->buckets[i]; o; o = o->next)
				all[n++] = o;
		qsort(all, n, sizeof(*all), cmp_obj);
		for (i = 0; i < n; i++) {
			json_object *arr = NULL;
			const char *ns = kube__ns(all[i]->obj);
			char *id;

			o = all[i];
			if (!json_object_object_get_ex(out, o->kind->kind, &arr)) {
				arr = json_object_new_array();
				json_object_object_add(out, o->kind->kind, arr);
			}
			if ((o->kind->flags & KUBE_NAMESPACED) && ns)
				id = ikc_asprintf("%s/%s", ns, kube__name(o->obj));
			else
				id = ikc_asprintf("%s", kube__name(o->obj));
			if (id)
				json_object_array_add(arr, json_object_new_string(id));
			free(id);
		}
	}
	free(all);
	pthread_mutex_unlock(&k->mu);
	return out;
}

json_object *sim_kube_save(sim_kube *k)
{
	json_object *out, *objs;
	kube_obj **all;
	size_t i, n = 0;
	kube_obj *o;

	if (!k)
		return NULL;
	out = json_object_new_object();
	objs = json_object_new_array();
	pthread_mutex_lock(&k->mu);
	json_object_object_add(out, "cluster", json_object_new_string(k->cluster));
	json_object_object_add(out, "version", json_object_new_string(k->version));
	json_object_object_add(out, "resourceVersion",
			       json_object_new_int64((int64_t)k->rv));
	json_object_object_add(out, "now", json_object_new_double(k->now));
	all = calloc(k->count + 1, sizeof(*all));
	if (all) {
		for (i = 0; i < k->nbuckets; i++)
			for (o = k->buckets[i]; o; o = o->next)
				all[n++] = o;
		qsort(all, n, sizeof(*all), cmp_obj);
		for (i = 0; i < n; i++) {
			json_object *e = json_object_new_object();

			json_object_object_add(e, "store", json_object_new_string(
							       all[i]->kind->store));
			json_object_object_add(e, "rv", json_object_new_int64(
							    (int64_t)all[i]->rv));
			if (all[i]->due > 0)
				json_object_object_add(e, "due", json_object_new_double(
								    all[i]->due));
			json_object_object_add(e, "object", ikc_json_copy(all[i]->obj));
			json_object_array_add(objs, e);
		}
	}
	free(all);
	pthread_mutex_unlock(&k->mu);
	json_object_object_add(out, "objects", objs);
	return out;
}

sim_kube *sim_kube_load(json_object *saved)
{
	struct sim_kube *k;
	json_object *objs = NULL;
	size_t i;

	if (!saved || !json_object_is_type(saved, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(saved, "objects", &objs) ||
	    !json_object_is_type(objs, json_type_array))
		return NULL;
	k = alloc_kube(ikc_json_str(saved, "cluster"),
		       ikc_json_str(saved, "version"));
	if (!k)
		return NULL;
	k->rv = (unsigned long long)kube__int(saved, "resourceVersion", 0);
	{
		json_object *nv = NULL;

		if (json_object_object_get_ex(saved, "now", &nv))
			k->now = json_object_get_double(nv);
	}
	for (i = 0; i < kube__len(objs); i++) {
		json_object *e = json_object_array_get_idx(objs, i);
		json_object *obj = NULL, *dv = NULL;
		const kube_kind *kd = kube__kind_by_store(ikc_json_str(e, "store"));
		kube_obj *o;

		if (!kd || !json_object_object_get_ex(e, "object", &obj) ||
		    !kube__name(obj))
			continue;
		o = insert_raw(k, kd, ikc_json_copy(obj));
		if (!o)
			continue;
		o->rv = (unsigned long long)kube__int(e, "rv", 0);
		if (o->rv > k->rv)
			k->rv = o->rv;
		if (json_object_object_get_ex(e, "due", &dv))
			o->due = json_object_get_double(dv);
	}
	return k;
}
