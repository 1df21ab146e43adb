/* controllers.c - simulated controllers: nodes, replication, scheduling, LBs, GC */
#include "sim/kube/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/str.h"

#define POD_START_SECONDS 3.0    /* scheduled → Running and Ready */
#define LB_SECONDS 20.0          /* LoadBalancer Service → ingress IP */
#define NS_FINALIZE_SECONDS 2.0  /* emptied namespace → gone */
#define POD_BURST 500            /* pods one controller creates per tick */

static json_object *child(json_object *o, const char *k)
{
	json_object *c = NULL;

	if (!o || !json_object_object_get_ex(o, k, &c))
		return NULL;
	return c;
}

static int deleting(json_object *obj)
{
	return ikc_json_path(obj, "metadata.deletionTimestamp") != NULL;
}

static const char *uid_of(json_object *obj)
{
	return ikc_json_str(kube__meta(obj), "uid");
}

/* Writes `status` (owned) into o's object when it differs. */
static kube_obj *set_status(struct sim_kube *k, kube_obj *o, json_object *status)
{
	json_object *copy;

	if (json_object_equal(child(o->obj, "status"), status)) {
		json_object_put(status);
		return o;
	}
	copy = ikc_json_copy(o->obj);
	json_object_object_add(copy, "status", status);
	return kube__put(k, o->kind, copy);
}

static void rand_ip(char out[32], const char *prefix)
{
	unsigned char b[2] = {1, 1};

	(void)ikc_random_bytes(b, 2);
	snprintf(out, 32, "%s.%u.%u", prefix, b[0], (unsigned)(b[1] % 253) + 1);
}

/* ---- node pools ---- */

static void machine_capacity(const char *mt, int *cpu, long long *mem_ki)
{
	const char *dash = mt ? strrchr(mt, '-') : NULL;
	int n = dash ? atoi(dash + 1) : 0;

	*cpu = 2;
	*mem_ki = 7864320LL / 1LL * 1LL;   /* 7.5 GiB */
	if (!mt)
		return;
	if (strstr(mt, "medium")) {
		*cpu = 2;
		*mem_ki = 4LL << 20;
	} else if (strstr(mt, "small")) {
		*cpu = 2;
		*mem_ki = 2LL << 20;
	} else if (strstr(mt, "micro")) {
		*cpu = 2;
		*mem_ki = 1LL << 20;
	} else if (n > 0) {
		*cpu = n;
		if (strstr(mt, "highmem"))
			*mem_ki = (long long)n * (13LL << 19) / 1;   /* 6.5 GiB per vCPU */
		else if (strstr(mt, "highcpu"))
			*mem_ki = (long long)n * 943718LL;          /* 0.9 GiB */
		else if (strstr(mt, "e2-") || strstr(mt, "n2-") || strstr(mt, "n2d-"))
			*mem_ki = (long long)n * (4LL << 20);
		else
			*mem_ki = (long long)n * 3932160LL;         /* 3.75 GiB */
	}
}

static json_object *make_node(struct sim_kube *k, const char *name,
			      const char *pool, const char *mt, const char *zone)
{
	char ts[32], uid[37], ip[32], eip[32], buf[4096];
	int cpu;
	long long mem;
	json_object *n;
	const char *ver = k->version;

	machine_capacity(mt, &cpu, &mem);
	kube__now_rfc3339(ts);
	if (ikc_uuid_v4(uid) < 0)
		snprintf(uid, sizeof(uid), "00000000-0000-4000-8000-000000000000");
	rand_ip(ip, "10.128");
	rand_ip(eip, "34.80");
	snprintf(buf, sizeof(buf),
		 "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{"
		 "\"name\":\"%s\",\"labels\":{"
		 "\"beta.kubernetes.io/arch\":\"amd64\",\"beta.kubernetes.io/os\":\"linux\","
		 "\"cloud.google.com/gke-nodepool\":\"%s\","
		 "\"cloud.google.com/gke-os-distribution\":\"cos\","
		 "\"cloud.google.com/machine-family\":\"%.*s\","
		 "\"failure-domain.beta.kubernetes.io/zone\":\"%s\","
		 "\"kubernetes.io/arch\":\"amd64\",\"kubernetes.io/hostname\":\"%s\","
		 "\"kubernetes.io/os\":\"linux\","
		 "\"node.kubernetes.io/instance-type\":\"%s\","
		 "\"topology.kubernetes.io/region\":\"%.*s\","
		 "\"topology.kubernetes.io/zone\":\"%s\"},"
		 "\"annotations\":{\"node.alpha.kubernetes.io/ttl\":\"0\"}},"
		 "\"spec\":{\"podCIDR\":\"10.%d.%d.0/24\",\"podCIDRs\":[\"10.%d.%d.0/24\"],"
		 "\"providerID\":\"gce://ikc-sim/%s/%s\"},"
		 "\"status\":{"
		 "\"capacity\":{\"cpu\":\"%d\",\"ephemeral-storage\":\"98831908Ki\","
		 "\"memory\":\"%lldKi\",\"pods\":\"110\"},"
		 "\"allocatable\":{\"cpu\":\"%dm\",\"ephemeral-storage\":\"47060071478\","
		 "\"memory\":\"%lldKi\",\"pods\":\"110\"},"
		 "\"conditions\":["
		 "{\"type\":\"MemoryPressure\",\"status\":\"False\",\"lastHeartbeatTime\":\"%s\","
		 "\"lastTransitionTime\":\"%s\",\"reason\":\"KubeletHasSufficientMemory\","
		 "\"message\":\"kubelet has sufficient memory available\"},"
		 "{\"type\":\"DiskPressure\",\"status\":\"False\",\"lastHeartbeatTime\":\"%s\","
		 "\"lastTransitionTime\":\"%s\",\"reason\":\"KubeletHasNoDiskPressure\","
		 "\"message\":\"kubelet has no disk pressure\"},"
		 "{\"type\":\"PIDPressure\",\"status\":\"False\",\"lastHeartbeatTime\":\"%s\","
		 "\"lastTransitionTime\":\"%s\",\"reason\":\"KubeletHasSufficientPID\","
		 "\"message\":\"kubelet has sufficient PID available\"},"
		 "{\"type\":\"Ready\",\"status\":\"True\",\"lastHeartbeatTime\":\"%s\","
		 "\"lastTransitionTime\":\"%s\",\"reason\":\"KubeletReady\","
		 "\"message\":\"kubelet is posting ready status. AppArmor enabled\"}],"
		 "\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"%s\"},"
		 "{\"type\":\"ExternalIP\",\"address\":\"%s\"},"
		 "{\"type\":\"Hostname\",\"address\":\"%s\"}],"
		 "\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":10250}},"
		 "\"nodeInfo\":{\"machineID\":\"%.8s%.4s%.4s\",\"systemUUID\":\"%s\","
		 "\"bootID\":\"%s\",\"kernelVersion\":\"6.1.100+\","
		 "\"osImage\":\"Container-Optimized OS from Google\","
		 "\"containerRuntimeVersion\":\"containerd://1.7.22\","
		 "\"kubeletVersion\":\"v%s\",\"kubeProxyVersion\":\"v%s\","
		 "\"operatingSystem\":\"linux\",\"architecture\":\"amd64\"}}}",
		 name, pool, (int)(strchr(mt, '-') ? strchr(mt, '-') - mt : (long)strlen(mt)),
		 mt, zone, name, mt,
		 (int)(strrchr(zone, '-') ? strrchr(zone, '-') - zone : (long)strlen(zone)),
		 zone, zone,
		 (int)(uid[0] % 200) + 20, (int)(uid[1] % 250), (int)(uid[0] % 200) + 20,
		 (int)(uid[1] % 250), zone, name,
		 cpu, mem, cpu * 1000 - 60, mem * 85 / 100,
		 ts, ts, ts, ts, ts, ts, ts, ts, ip, eip, name,
		 uid, uid + 9, uid + 14, uid, uid, ver, ver);
	n = json_tokener_parse(buf);
	if (!n)
		return NULL;
	json_object_object_add(kube__meta(n), "uid", json_object_new_string(uid));
	json_object_object_add(kube__meta(n), "creationTimestamp",
			       json_object_new_string(ts));
	return n;
}

/* The kubelet's heartbeat Lease in kube-node-lease, owned by its Node. */
static void node_lease(struct sim_kube *k, const char *name)
{
	const kube_kind *lk = kube__kind_by_store("leases.coordination.k8s.io");
	kube_obj *node = kube__get(k, "nodes", "", name);
	json_object *l = json_object_new_object();
	json_object *m = json_object_new_object();
	json_object *spec = json_object_new_object();
	json_object *refs = json_object_new_array();
	json_object *ref = json_object_new_object();
	char ts[32], micro[40];

	kube__now_rfc3339(ts);
	snprintf(micro, sizeof(micro), "%.19s.000000Z", ts);
	json_object_object_add(l, "kind", json_object_new_string("Lease"));
	json_object_object_add(l, "apiVersion", json_object_new_string("coordination.k8s.io/v1"));
	json_object_object_add(m, "name", json_object_new_string(name));
	json_object_object_add(m, "namespace", json_object_new_string("kube-node-lease"));
	json_object_object_add(ref, "apiVersion", json_object_new_string("v1"));
	json_object_object_add(ref, "kind", json_object_new_string("Node"));
	json_object_object_add(ref, "name", json_object_new_string(name));
	json_object_object_add(ref, "uid", json_object_new_string(
						   node ? uid_of(node->obj) : ""));
	json_object_array_add(refs, ref);
	json_object_object_add(m, "ownerReferences", refs);
	json_object_object_add(l, "metadata", m);
	json_object_object_add(spec, "holderIdentity", json_object_new_string(name));
	json_object_object_add(spec, "leaseDurationSeconds", json_object_new_int(40));
	json_object_object_add(spec, "renewTime", json_object_new_string(micro));
	json_object_object_add(l, "spec", spec);
	(void)kube__stamp(l);
	(void)kube__put(k, lk, l);
}

static void delete_pods_on(struct sim_kube *k, const char *node)
{
	size_t n, i;
	kube_obj **pods = kube__list(k, "pods", NULL, &n);

	for (i = 0; pods && i < n; i++) {
		const char *nn = ikc_json_str(child(pods[i]->obj, "spec"), "nodeName");

		if (nn && strcmp(nn, node) == 0)
			kube__remove(k, pods[i]);
	}
	free(pods);
}

void sim_kube_set_pool(sim_kube *k, const char *pool, int count,
		       const char *machine_type, const char *zone)
{
	size_t n, i, have = 0;
	kube_obj **nodes;
	kube_obj **mine;
	const kube_kind *kd = kube__kind_by_store("nodes");
	char grp[9];
	unsigned long long h;
	char *seed;

	if (!k || !pool)
		return;
	if (!machine_type || !*machine_type)
		machine_type = "e2-medium";
	if (!zone || !*zone)
		zone = "us-central1-a";
	if (count < 0)
		count = 0;
	pthread_mutex_lock(&k->mu);
	nodes = kube__list(k, "nodes", NULL, &n);
	mine = calloc(n + 1, sizeof(*mine));
	for (i = 0; nodes && mine && i < n; i++) {
		const char *p = ikc_json_str(ikc_json_path(nodes[i]->obj,
							   "metadata.labels"),
					     "cloud.google.com/gke-nodepool");

		if (p && strcmp(p, pool) == 0)
			mine[have++] = nodes[i];
	}
	seed = ikc_asprintf("%s/%s/%s", k->cluster, pool, zone);
	h = ikc_str_hash64(seed ? seed : pool, seed ? strlen(seed) : strlen(pool));
	free(seed);
	snprintf(grp, sizeof(grp), "%08llx", h & 0xffffffffULL);
	while (mine && (int)have < count) {
		char sfx[8], *name;
		json_object *node;

		kube__rand_suffix(sfx, 4);
		name = ikc_asprintf("gke-%s-%s-%s-%s", k->cluster, pool, grp, sfx);
		if (!name)
			break;
		if (kube__get(k, "nodes", "", name)) {
			free(name);
			continue;
		}
		node = make_node(k, name, pool, machine_type, zone);
		if (!node || !kube__put(k, kd, node)) {
			free(name);
			break;
		}
		node_lease(k, name);
		free(name);
		have++;
	}
	while (mine && (int)have > count) {
		kube_obj *victim = mine[--have];
		char *name = strdup(kube__name(victim->obj));

		kube__remove(k, victim);
		if (name) {
			kube_obj *lease = kube__get(k, "leases.coordination.k8s.io",
						    "kube-node-lease", name);

			if (lease)
				kube__remove(k, lease);
			delete_pods_on(k, name);
		}
		free(name);
	}
	free(mine);
	free(nodes);
	pthread_mutex_unlock(&k->mu);
}

/* ---- garbage collection ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int has_uid(const char **uids, size_t n, const char *uid)
{
	return uid && bsearch(&uid, uids, n, sizeof(*uids), cmp_str) != NULL;
}

static int has_finalizer(json_object *obj, const char *f)
{
	json_object *fin = ikc_json_path(obj, "metadata.finalizers");
	size_t i;

	for (i = 0; fin && json_object_is_type(fin, json_type_array) &&
		    i < kube__len(fin); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(fin, i));

		if (s && strcmp(s, f) == 0)
			return 1;
	}
	return 0;
}

static void gc(struct sim_kube *k)
{
	const char **uids = calloc(k->count + 1, sizeof(*uids));
	const char **fg = calloc(k->count + 1, sizeof(*fg));
	const char **owners = calloc(k->count + 1, sizeof(*owners));
	kube_obj **doomed = calloc(k->count + 1, sizeof(*doomed));
	char **fgdone = calloc(k->count + 1, sizeof(*fgdone));
	size_t nu = 0, nf = 0, no = 0, nd = 0, nfd = 0, i, j;
	kube_obj *o;

	if (!uids || !fg || !owners || !doomed || !fgdone)
		goto done;
	for (i = 0; i < k->nbuckets; i++)
		for (o = k->buckets[i]; o; o = o->next) {
			json_object *refs = ikc_json_path(o->obj, "metadata.ownerReferences");

			if (uid_of(o->obj))
				uids[nu++] = uid_of(o->obj);
			if (deleting(o->obj) && has_finalizer(o->obj, "foregroundDeletion"))
				fg[nf++] = uid_of(o->obj);
			for (j = 0; refs && j < kube__len(refs) && no < k->count;
			     j++) {
				const char *u = ikc_json_str(json_object_array_get_idx(refs, j),
							     "uid");

				if (u)
					owners[no++] = u;
			}
		}
	qsort(uids, nu, sizeof(*uids), cmp_str);
	qsort(fg, nf, sizeof(*fg), cmp_str);
	qsort(owners, no, sizeof(*owners), cmp_str);
	for (i = 0; i < k->nbuckets; i++)
		for (o = k->buckets[i]; o; o = o->next) {
			json_object *refs = ikc_json_path(o->obj, "metadata.ownerReferences");
			size_t nrefs = refs ? kube__len(refs) : 0;
			int alive = 0, fgkill = 0;

			if (nrefs == 0 || deleting(o->obj))
				continue;
			for (j = 0; j < nrefs; j++) {
				const char *u = ikc_json_str(json_object_array_get_idx(refs, j),
							     "uid");

				if (has_uid(uids, nu, u))
					alive = 1;
				if (has_uid(fg, nf, u))
					fgkill = 1;
			}
			if (!alive || fgkill)
				doomed[nd++] = o;
		}
	/* Foreground owners whose dependents are gone lose their finalizer. */
	for (i = 0; i < nf; i++)
		if (!has_uid(owners, no, fg[i]))
			fgdone[nfd++] = strdup(fg[i]);
	for (i = 0; i < nd; i++)
		kube__delete_obj(k, doomed[i], "Background");
	for (i = 0; i < nfd; i++) {
		json_object *copy, *fin, *keep;

		o = fgdone[i] ? kube__by_uid(k, fgdone[i]) : NULL;
		if (!o)
			continue;
		copy = ikc_json_copy(o->obj);
		fin = ikc_json_path(copy, "metadata.finalizers");
		keep = json_object_new_array();
		for (j = 0; fin && j < kube__len(fin); j++) {
			json_object *f = json_object_array_get_idx(fin, j);

			if (strcmp(json_object_get_string(f), "foregroundDeletion") != 0)
				json_object_array_add(keep, json_object_get(f));
		}
		if (kube__len(keep) == 0) {
			json_object_put(keep);
			json_object_put(copy);
			kube__remove(k, o);
		} else {
			json_object_object_add(kube__meta(copy), "finalizers", keep);
			(void)kube__put(k, o->kind, copy);
		}
	}
done:
	for (i = 0; fgdone && i < nfd; i++)
		free(fgdone[i]);
	free(fgdone);
	free(uids);
	free(fg);
	free(owners);
	free(doomed);
}

/* ---- namespaces ---- */

static void namespaces(struct sim_kube *k)
{
	size_t n, i, m, j, total;
	kube_obj **all = kube__list(k, "namespaces", NULL, &n);

	for (i = 0; all && i < n; i++) {
		kube_obj *ns = all[i];
		const char *name = kube__name(ns->obj);

		if (!deleting(ns->obj))
			continue;
		total = 0;
		/* Remove everything in the namespace, one storage type at a time. */
		{
			const char *stores[] = {"pods", "replicationcontrollers", "services",
						"configmaps", "secrets", "serviceaccounts",
						"events", "endpoints", "deployments.apps",
						"replicasets.apps",
						"horizontalpodautoscalers.autoscaling",
						"leases.coordination.k8s.io"};

			for (j = 0; j < sizeof(stores) / sizeof(stores[0]); j++) {
				kube_obj **objs = kube__list(k, stores[j], name, &m);
				size_t x;

				for (x = 0; objs && x < m; x++)
					kube__remove(k, objs[x]);
				total += m;
				free(objs);
			}
		}
		if (total > 0 || ns->due == 0) {
			ns->due = k->now + NS_FINALIZE_SECONDS;
			k->dirty = 1;
			continue;
		}
		if (k->now >= ns->due)
			kube__remove(k, ns);
	}
	free(all);
}

/* ---- replication (RC, ReplicaSet) ---- */

static int selects(kube_obj *ctl, json_object *labels)
{
	json_object *sel = ikc_json_path(ctl->obj, "spec.selector");

	if (strcmp(ctl->kind->kind, "ReplicationController") == 0)
		return kube__match_map(sel, labels);
	return kube__match_label_selector(sel, labels);
}

static const char *controller_uid(json_object *obj)
{
	json_object *refs = ikc_json_path(obj, "metadata.ownerReferences");
	size_t i;

	for (i = 0; refs && i < kube__len(refs); i++) {
		json_object *r = json_object_array_get_idx(refs, i);
		json_object *c = child(r, "controller");

		if (c && json_object_get_boolean(c))
			return ikc_json_str(r, "uid");
	}
	return NULL;
}

static json_object *owner_ref(kube_obj *owner)
{
	json_object *refs = json_object_new_array();
	json_object *r = json_object_new_object();
	char *av = kube__api_version(owner->kind);

	json_object_object_add(r, "apiVersion", json_object_new_string(av));
	json_object_object_add(r, "kind", json_object_new_string(owner->kind->kind));
	json_object_object_add(r, "name", json_object_new_string(kube__name(owner->obj)));
	json_object_object_add(r, "uid", json_object_new_string(uid_of(owner->obj)));
	json_object_object_add(r, "controller", json_object_new_boolean(1));
	json_object_object_add(r, "blockOwnerDeletion", json_object_new_boolean(1));
	json_object_array_add(refs, r);
	free(av);
	return refs;
}

static void create_pod(struct sim_kube *k, kube_obj *ctl)
{
	const kube_kind *pk = kube__kind_by_store("pods");
	json_object *tmpl = ikc_json_path(ctl->obj, "spec.template");
	json_object *pod = json_object_new_object();
	json_object *m = json_object_new_object();
	json_object *v;
	const char *ns = kube__ns(ctl->obj);
	char sfx[8], *name = NULL;
	int tries;

	for (tries = 0; tries < 20; tries++) {
		free(name);
		kube__rand_suffix(sfx, 5);
		name = ikc_asprintf("%s-%s", kube__name(ctl->obj), sfx);
		if (name && !kube__get(k, "pods", ns, name))
			break;
	}
	json_object_object_add(pod, "kind", json_object_new_string("Pod"));
	json_object_object_add(pod, "apiVersion", json_object_new_string("v1"));
	json_object_object_add(m, "name", json_object_new_string(name ? name : "pod"));
	free(name);
	{
		char *gen = ikc_asprintf("%s-", kube__name(ctl->obj));

		json_object_object_add(m, "generateName", json_object_new_string(gen ? gen : ""));
		free(gen);
	}
	json_object_object_add(m, "namespace", json_object_new_string(ns ? ns : "default"));
	v = ikc_json_path(tmpl, "metadata.labels");
	if (v)
		json_object_object_add(m, "labels", ikc_json_copy(v));
	v = ikc_json_path(tmpl, "metadata.annotations");
	if (v)
		json_object_object_add(m, "annotations", ikc_json_copy(v));
	json_object_object_add(m, "ownerReferences", owner_ref(ctl));
	json_object_object_add(pod, "metadata", m);
	v = ikc_json_path(tmpl, "spec");
	json_object_object_add(pod, "spec", v ? ikc_json_copy(v) : json_object_new_object());
	(void)kube__stamp(pod);
	kube__defaults(k, pk, pod);
	kube__pod_admit(pod);
	json_object_object_add(pod, "status", kube__initial_status(pk, pod));
	(void)kube__put(k, pk, pod);
}

static int pod_ready(json_object *pod)
{
	const char *phase = ikc_json_str(child(pod, "status"), "phase");

	return phase && strcmp(phase, "Running") == 0 && !deleting(pod);
}

/* Which pod to remove first when scaling down: unscheduled, not ready, newest. */
static int victim_rank(json_object *pod)
{
	if (!ikc_json_str(child(pod, "spec"), "nodeName"))
		return 0;
	if (!pod_ready(pod))
		return 1;
	return 2;
}

static void add_int(json_object *st, const char *key, long long v, int always)
{
	if (v || always)
		json_object_object_add(st, key, json_object_new_int64(v));
}

static void replicate(struct sim_kube *k, const char *store)
{
	size_t n, i, np, j;
	kube_obj **ctls = kube__list(k, store, NULL, &n);

	for (i = 0; ctls && i < n; i++) {
		kube_obj *c = ctls[i];
		const char *ns = kube__ns(c->obj);
		const char *uid = uid_of(c->obj);
		kube_obj **pods, **mine;
		size_t have = 0, ready = 0, labeled = 0;
		long long want = kube__int(c->obj, "spec.replicas", 1);
		json_object *st, *tl;
		char *cuid;

		if (deleting(c->obj) || !uid)
			continue;
		cuid = strdup(uid);
		pods = kube__list(k, "pods", ns, &np);
		mine = calloc(np + 1, sizeof(*mine));
		for (j = 0; pods && mine && j < np; j++) {
			json_object *pod = pods[j]->obj;
			const char *cu = controller_uid(pod);
			json_object *labels = ikc_json_path(pod, "metadata.labels");

			if (deleting(pod))
				continue;
			if (cu && strcmp(cu, cuid) == 0) {
				mine[have++] = pods[j];
			} else if (!cu && selects(c, labels)) {
				/* adopt an orphan that matches the selector */
				json_object *copy = ikc_json_copy(pod);
				kube_obj *np2;

				json_object_object_add(kube__meta(copy), "ownerReferences",
						       owner_ref(c));
				np2 = kube__put(k, pods[j]->kind, copy);
				if (np2)
					mine[have++] = np2;
			}
		}
		free(pods);
		/* like the real controllers' slow start: a bounded burst per tick */
		for (j = 0; mine && (long long)have < want && j < POD_BURST; j++) {
			create_pod(k, c);
			have++;
		}
		if (mine && (long long)have > want) {
			/* re-list: creation above may have moved entries */
			size_t extra = have - (size_t)want, r;

			for (r = 0; r < 3 && extra > 0; r++)
				for (j = have; j-- > 0 && extra > 0;)
					if (mine[j] && victim_rank(mine[j]->obj) == (int)r) {
						kube__remove(k, mine[j]);
						mine[j] = NULL;
						extra--;
					}
		}
		free(mine);
		/* status from the pods as they are now */
		pods = kube__list(k, "pods", ns, &np);
		have = 0;
		tl = ikc_json_path(c->obj, "spec.template.metadata.labels");
		for (j = 0; pods && j < np; j++) {
			const char *cu = controller_uid(pods[j]->obj);

			if (!cu || strcmp(cu, cuid) != 0 || deleting(pods[j]->obj))
				continue;
			have++;
			if (pod_ready(pods[j]->obj))
				ready++;
			if (!tl || kube__match_map(tl, ikc_json_path(pods[j]->obj,
								   "metadata.labels")) ||
			    json_object_object_length(tl) == 0)
				labeled++;
		}
		free(pods);
		free(cuid);
		st = json_object_new_object();
		add_int(st, "replicas", (long long)have, 1);
		add_int(st, "fullyLabeledReplicas", (long long)labeled, 0);
		add_int(st, "readyReplicas", (long long)ready, 0);
		add_int(st, "availableReplicas", (long long)ready, 0);
		add_int(st, "observedGeneration",
			kube__int(c->obj, "metadata.generation", 0), 0);
		set_status(k, c, st);
	}
	free(ctls);
}

/* ---- deployments ---- */

static void template_hash(json_object *tmpl, char out[11])
{
	static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
	ikc_buf b = IKC_BUF_INIT((size_t)64 << 20);
	unsigned long long h;
	int i;

	(void)ikc_json_canonical(&b, tmpl);
	h = ikc_str_hash64(b.ptr ? b.ptr : "", b.len);
	ikc_buf_dispose(&b);
	for (i = 0; i < 10; i++) {
		out[i] = alpha[h % (sizeof(alpha) - 1)];
		h /= (sizeof(alpha) - 1);
	}
	out[10] = '\0';
}

static json_object *condition(json_object *old_conds, const char *type,
			      const char *status, const char *reason,
			      const char *message)
{
	json_object *c;
	char ts[32];
	size_t i;

	for (i = 0; old_conds && i < kube__len(old_conds); i++) {
		json_object *o = json_object_array_get_idx(old_conds, i);
		const char *t = ikc_json_str(o, "type"), *s = ikc_json_str(o, "status"),
			   *r = ikc_json_str(o, "reason");

		if (t && s && r && strcmp(t, type) == 0 && strcmp(s, status) == 0 &&
		    strcmp(r, reason) == 0)
			return ikc_json_copy(o);
	}
	kube__now_rfc3339(ts);
	c = json_object_new_object();
	json_object_object_add(c, "type", json_object_new_string(type));
	json_object_object_add(c, "status", json_object_new_string(status));
	json_object_object_add(c, "lastUpdateTime", json_object_new_string(ts));
	json_object_object_add(c, "lastTransitionTime", json_object_new_string(ts));
	json_object_object_add(c, "reason", json_object_new_string(reason));
	json_object_object_add(c, "message", json_object_new_string(message));
	return c;
}

static void deployments(struct sim_kube *k)
{
	size_t n, i, nr, j;
	kube_obj **deps = kube__list(k, "deployments.apps", NULL, &n);
	const kube_kind *rsk = kube__kind_by_store("replicasets.apps");

	for (i = 0; deps && i < n; i++) {
		kube_obj *d = deps[i];
		json_object *tmpl = ikc_json_path(d->obj, "spec.template");
		const char *ns = kube__ns(d->obj);
		long long want = kube__int(d->obj, "spec.replicas", 1);
		long long reps = 0, upd = 0, ready = 0, avail = 0;
		char hash[11], *rsname, *duid;
		kube_obj *rs, **all;
		json_object *st, *conds, *oldc;
		int revision = 1;

		if (deleting(d->obj) || !tmpl || !uid_of(d->obj))
			continue;
		duid = strdup(uid_of(d->obj));
		template_hash(tmpl, hash);
		rsname = ikc_asprintf("%s-%s", kube__name(d->obj), hash);
		if (!rsname || !duid) {
			free(rsname);
			free(duid);
			continue;
		}
		all = kube__list(k, "replicasets.apps", ns, &nr);
		for (j = 0; all && j < nr; j++) {
			const char *cu = controller_uid(all[j]->obj);
			const char *rev = ikc_json_str(ikc_json_path(all[j]->obj,
								     "metadata.annotations"),
						       "deployment.kubernetes.io/revision");

			if (cu && strcmp(cu, duid) == 0 && rev && atoi(rev) >= revision &&
			    strcmp(kube__name(all[j]->obj), rsname) != 0)
				revision = atoi(rev) + 1;
		}
		free(all);
		rs = kube__get(k, "replicasets.apps", ns, rsname);
		if (!rs) {
			json_object *obj = json_object_new_object();
			json_object *m = json_object_new_object();
			json_object *spec = json_object_new_object();
			json_object *t = ikc_json_copy(tmpl);
			json_object *sel = ikc_json_copy(ikc_json_path(d->obj, "spec.selector"));
			json_object *ann = json_object_new_object();
			char revs[16];

			if (!sel)
				sel = json_object_new_object();
			kube__set(t, "metadata.labels.pod-template-hash",
				  json_object_new_string(hash));
			if (!ikc_json_path(sel, "matchLabels"))
				json_object_object_add(sel, "matchLabels", json_object_new_object());
			json_object_object_add(ikc_json_path(sel, "matchLabels"),
					       "pod-template-hash", json_object_new_string(hash));
			json_object_object_add(obj, "kind", json_object_new_string("ReplicaSet"));
			json_object_object_add(obj, "apiVersion", json_object_new_string("apps/v1"));
			json_object_object_add(m, "name", json_object_new_string(rsname));
			json_object_object_add(m, "namespace", json_object_new_string(ns));
			json_object_object_add(m, "labels", ikc_json_copy(
								    ikc_json_path(t, "metadata.labels")));
			snprintf(revs, sizeof(revs), "%d", revision);
			json_object_object_add(ann, "deployment.kubernetes.io/desired-replicas",
					       json_object_new_string("0"));
			json_object_object_add(ann, "deployment.kubernetes.io/revision",
					       json_object_new_string(revs));
			json_object_object_add(m, "annotations", ann);
			json_object_object_add(m, "ownerReferences", owner_ref(d));
			json_object_object_add(obj, "metadata", m);
			json_object_object_add(spec, "replicas", json_object_new_int64(want));
			json_object_object_add(spec, "selector", sel);
			json_object_object_add(spec, "template", t);
			json_object_object_add(obj, "spec", spec);
			(void)kube__stamp(obj);
			json_object_object_add(m, "generation", json_object_new_int(1));
			kube__defaults(k, rsk, obj);
			json_object_object_add(obj, "status", kube__initial_status(rsk, obj));
			{
				char dr[32];

				snprintf(dr, sizeof(dr), "%lld", want);
				json_object_object_add(ann, "deployment.kubernetes.io/desired-replicas",
						       json_object_new_string(dr));
			}
			rs = kube__put(k, rsk, obj);
		} else if (kube__int(rs->obj, "spec.replicas", 1) != want) {
			json_object *copy = ikc_json_copy(rs->obj);

			kube__set(copy, "spec.replicas", json_object_new_int64(want));
			kube__set(copy, "metadata.generation", json_object_new_int64(
						kube__int(copy, "metadata.generation", 1) + 1));
			rs = kube__put(k, rsk, copy);
		}
		/* older ReplicaSets of this Deployment scale to zero */
		all = kube__list(k, "replicasets.apps", ns, &nr);
		for (j = 0; all && j < nr; j++) {
			const char *cu = controller_uid(all[j]->obj);

			if (!cu || strcmp(cu, duid) != 0)
				continue;
			if (strcmp(kube__name(all[j]->obj), rsname) != 0 &&
			    kube__int(all[j]->obj, "spec.replicas", 0) != 0) {
				json_object *copy = ikc_json_copy(all[j]->obj);

				kube__set(copy, "spec.replicas", json_object_new_int(0));
				kube__set(copy, "metadata.generation", json_object_new_int64(
							kube__int(copy, "metadata.generation", 1) + 1));
				(void)kube__put(k, rsk, copy);
			}
		}
		free(all);
		all = kube__list(k, "replicasets.apps", ns, &nr);
		for (j = 0; all && j < nr; j++) {
			const char *cu = controller_uid(all[j]->obj);

			if (!cu || strcmp(cu, duid) != 0)
				continue;
			reps += kube__int(all[j]->obj, "status.replicas", 0);
			ready += kube__int(all[j]->obj, "status.readyReplicas", 0);
			avail += kube__int(all[j]->obj, "status.availableReplicas", 0);
			if (strcmp(kube__name(all[j]->obj), rsname) == 0)
				upd = kube__int(all[j]->obj, "status.replicas", 0);
		}
		free(all);
		/* the Deployment carries its current revision, as kubectl rollout reads it */
		if (rs) {
			const char *rev = ikc_json_str(ikc_json_path(rs->obj, "metadata.annotations"),
						       "deployment.kubernetes.io/revision");
			const char *drev = ikc_json_str(ikc_json_path(d->obj, "metadata.annotations"),
							"deployment.kubernetes.io/revision");

			if (rev && (!drev || strcmp(rev, drev) != 0)) {
				json_object *copy = ikc_json_copy(d->obj);
				json_object *m = kube__meta(copy), *ann = NULL;

				if (!json_object_object_get_ex(m, "annotations", &ann) ||
				    !json_object_is_type(ann, json_type_object)) {
					ann = json_object_new_object();
					json_object_object_add(m, "annotations", ann);
				}
				json_object_object_add(ann, "deployment.kubernetes.io/revision",
						       json_object_new_string(rev));
				d = kube__put(k, d->kind, copy);
				if (!d) {
					free(rsname);
					free(duid);
					continue;
				}
			}
		}
		oldc = ikc_json_path(d->obj, "status.conditions");
		st = json_object_new_object();
		add_int(st, "observedGeneration", kube__int(d->obj, "metadata.generation", 1), 1);
		add_int(st, "replicas", reps, 0);
		add_int(st, "updatedReplicas", upd, 0);
		add_int(st, "readyReplicas", ready, 0);
		add_int(st, "availableReplicas", avail, 0);
		if (reps - avail > 0)
			add_int(st, "unavailableReplicas", reps - avail, 0);
		conds = json_object_new_array();
		if (avail >= want)
			json_object_array_add(conds, condition(oldc, "Available", "True",
							       "MinimumReplicasAvailable",
							       "Deployment has minimum availability."));
		else
			json_object_array_add(conds, condition(oldc, "Available", "False",
							       "MinimumReplicasUnavailable",
							       "Deployment does not have minimum availability."));
		{
			char *msg;

			if (upd == want && avail >= want && reps == want) {
				msg = ikc_asprintf("ReplicaSet \"%s\" has successfully progressed.",
						   rsname);
				json_object_array_add(conds, condition(oldc, "Progressing", "True",
								       "NewReplicaSetAvailable",
								       msg ? msg : ""));
			} else {
				msg = ikc_asprintf("ReplicaSet \"%s\" is progressing.", rsname);
				json_object_array_add(conds, condition(oldc, "Progressing", "True",
								       "ReplicaSetUpdated",
								       msg ? msg : ""));
			}
			free(msg);
		}
		json_object_object_add(st, "conditions", conds);
		set_status(k, d, st);   /* kube__put keeps the entry: d is live */
		free(rsname);
		free(duid);
	}
	free(deps);
}

/* ---- scheduler and kubelet ---- */

static int node_ready(json_object *node)
{
	json_object *conds = ikc_json_path(node, "status.conditions");
	size_t i;

	if (ikc_json_path(node, "spec.unschedulable") &&
	    json_object_get_boolean(ikc_json_path(node, "spec.unschedulable")))
		return 0;
	for (i = 0; conds && i < kube__len(conds); i++) {
		json_object *c = json_object_array_get_idx(conds, i);
		const char *t = ikc_json_str(c, "type"), *s = ikc_json_str(c, "status");

		if (t && s && strcmp(t, "Ready") == 0)
			return strcmp(s, "True") == 0;
	}
	return 0;
}

static const char *node_ip(json_object *node)
{
	json_object *addrs = ikc_json_path(node, "status.addresses");
	size_t i;

	for (i = 0; addrs && i < kube__len(addrs); i++) {
		json_object *a = json_object_array_get_idx(addrs, i);
		const char *t = ikc_json_str(a, "type");

		if (t && strcmp(t, "InternalIP") == 0)
			return ikc_json_str(a, "address");
	}
	return "10.128.0.2";
}

static json_object *pod_cond(const char *type, const char *status, const char *ts,
			     const char *reason, const char *message)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "type", json_object_new_string(type));
	json_object_object_add(c, "status", json_object_new_string(status));
	json_object_object_add(c, "lastProbeTime", NULL);
	json_object_object_add(c, "lastTransitionTime", json_object_new_string(ts));
	if (reason)
		json_object_object_add(c, "reason", json_object_new_string(reason));
	if (message)
		json_object_object_add(c, "message", json_object_new_string(message));
	return c;
}

/* Container statuses of a pod whose containers are being created. Owned. */
static json_object *creating_statuses(json_object *pod)
{
	json_object *cs = json_object_new_array();
	json_object *containers = ikc_json_path(pod, "spec.containers");
	size_t i;

	for (i = 0; containers && i < kube__len(containers); i++) {
		json_object *c = json_object_array_get_idx(containers, i);
		json_object *s = json_object_new_object();
		json_object *state = json_object_new_object();
		json_object *waiting = json_object_new_object();
		const char *name = ikc_json_str(c, "name"), *image = ikc_json_str(c, "image");

		json_object_object_add(s, "name", json_object_new_string(name ? name : ""));
		json_object_object_add(waiting, "reason",
				       json_object_new_string("ContainerCreating"));
		json_object_object_add(state, "waiting", waiting);
		json_object_object_add(s, "state", state);
		json_object_object_add(s, "lastState", json_object_new_object());
		json_object_object_add(s, "ready", json_object_new_boolean(0));
		json_object_object_add(s, "restartCount", json_object_new_int(0));
		json_object_object_add(s, "image", json_object_new_string(image ? image : ""));
		json_object_object_add(s, "imageID", json_object_new_string(""));
		json_object_object_add(s, "started", json_object_new_boolean(0));
		json_object_array_add(cs, s);
	}
	return cs;
}

static void run_pod(struct sim_kube *k, kube_obj *p, kube_obj *node)
{
	json_object *copy = ikc_json_copy(p->obj);
	json_object *st = json_object_new_object();
	json_object *conds = json_object_new_array();
	json_object *cs = json_object_new_array();
	json_object *containers = ikc_json_path(copy, "spec.containers");
	json_object *ips = json_object_new_array();
	json_object *ipo = json_object_new_object();
	const char *qos = ikc_json_str(child(p->obj, "status"), "qosClass");
	char ts[32], ip[32], sched[32];
	const char *pod_cidr = ikc_json_str(child(node->obj, "spec"), "podCIDR");
	unsigned char rnd[1] = {7};
	size_t i;

	kube__now_rfc3339(ts);
	snprintf(sched, sizeof(sched), "%s", ts);
	(void)ikc_random_bytes(rnd, 1);
	if (pod_cidr && strlen(pod_cidr) < 20) {
		char base[20];
		char *dot;

		snprintf(base, sizeof(base), "%s", pod_cidr);
		dot = strrchr(base, '.');
		if (dot)
			*dot = '\0';
		snprintf(ip, sizeof(ip), "%s.%u", base, (unsigned)(rnd[0] % 250) + 3);
	} else {
		rand_ip(ip, "10.52");
	}
	json_object_object_add(st, "phase", json_object_new_string("Running"));
	json_object_array_add(conds, pod_cond("Initialized", "True", ts, NULL, NULL));
	json_object_array_add(conds, pod_cond("Ready", "True", ts, NULL, NULL));
	json_object_array_add(conds, pod_cond("ContainersReady", "True", ts, NULL, NULL));
	json_object_array_add(conds, pod_cond("PodScheduled", "True", sched, NULL, NULL));
	json_object_object_add(st, "conditions", conds);
	json_object_object_add(st, "hostIP", json_object_new_string(node_ip(node->obj)));
	json_object_object_add(st, "podIP", json_object_new_string(ip));
	json_object_object_add(ipo, "ip", json_object_new_string(ip));
	json_object_array_add(ips, ipo);
	json_object_object_add(st, "podIPs", ips);
	json_object_object_add(st, "startTime", json_object_new_string(ts));
	for (i = 0; containers && i < kube__len(containers); i++) {
		json_object *c = json_object_array_get_idx(containers, i);
		json_object *s = json_object_new_object();
		json_object *state = json_object_new_object();
		json_object *running = json_object_new_object();
		const char *image = ikc_json_str(c, "image");
		unsigned char id[32];
		char hex[65], *imageid;
		size_t x;

		(void)ikc_random_bytes(id, sizeof(id));
		for (x = 0; x < 32; x++)
			snprintf(hex + 2 * x, 3, "%02x", id[x]);
		json_object_object_add(s, "name", json_object_new_string(
							  ikc_json_str(c, "name") ? ikc_json_str(c, "name")
										 : ""));
		json_object_object_add(running, "startedAt", json_object_new_string(ts));
		json_object_object_add(state, "running", running);
		json_object_object_add(s, "state", state);
		json_object_object_add(s, "lastState", json_object_new_object());
		json_object_object_add(s, "ready", json_object_new_boolean(1));
		json_object_object_add(s, "restartCount", json_object_new_int(0));
		json_object_object_add(s, "image", json_object_new_string(image ? image : ""));
		imageid = ikc_asprintf("%s@sha256:%s", image ? image : "", hex);
		json_object_object_add(s, "imageID", json_object_new_string(imageid ? imageid : ""));
		free(imageid);
		imageid = ikc_asprintf("containerd://%s", hex);
		json_object_object_add(s, "containerID", json_object_new_string(imageid ? imageid : ""));
		free(imageid);
		json_object_object_add(s, "started", json_object_new_boolean(1));
		json_object_array_add(cs, s);
	}
	json_object_object_add(st, "containerStatuses", cs);
	json_object_object_add(st, "qosClass", json_object_new_string(qos ? qos : "BestEffort"));
	json_object_object_add(copy, "status", st);
	p = kube__put(k, p->kind, copy);
	if (p)
		p->due = 0;
}

static void pods(struct sim_kube *k)
{
	size_t nn, np, i, j, nready = 0;
	kube_obj **nodes = kube__list(k, "nodes", NULL, &nn);
	kube_obj **all = kube__list(k, "pods", NULL, &np);
	size_t *load = calloc(nn + 1, sizeof(*load));

	if (!nodes || !all || !load)
		goto done;
	for (i = 0; i < nn; i++)
		if (node_ready(nodes[i]->obj))
			nready++;
	for (j = 0; j < np; j++) {
		const char *nn2 = ikc_json_str(child(all[j]->obj, "spec"), "nodeName");

		for (i = 0; nn2 && i < nn; i++)
			if (strcmp(kube__name(nodes[i]->obj), nn2) == 0)
				load[i]++;
	}
	for (j = 0; j < np; j++) {
		kube_obj *p = all[j];
		const char *node = ikc_json_str(child(p->obj, "spec"), "nodeName");
		const char *phase = ikc_json_str(child(p->obj, "status"), "phase");
		kube_obj *nobj = NULL;

		if (deleting(p->obj))
			continue;
		if (node)
			nobj = kube__get(k, "nodes", "", node);
		if (node && !nobj) {
			/* its node is gone: the pod goes with it */
			kube__remove(k, p);
			continue;
		}
		if (phase && strcmp(phase, "Pending") != 0)
			continue;
		if (!node) {
			json_object *copy, *st, *conds;
			size_t best = nn;
			char ts[32];

			for (i = 0; i < nn; i++)
				if (node_ready(nodes[i]->obj) &&
				    (best == nn || load[i] < load[best]))
					best = i;
			kube__now_rfc3339(ts);
			copy = ikc_json_copy(p->obj);
			st = child(copy, "status");
			if (!st) {
				st = json_object_new_object();
				json_object_object_add(copy, "status", st);
			}
			conds = json_object_new_array();
			if (best == nn) {
				char msg[128];
				json_object *oc = ikc_json_path(p->obj, "status.conditions");

				if (nn == 0)
					snprintf(msg, sizeof(msg), "0/0 nodes are available.");
				else
					snprintf(msg, sizeof(msg), "0/%zu nodes are available: %zu "
						 "node(s) were not ready.", nn, nn - nready);
				if (oc && kube__len(oc) == 1 &&
				    ikc_json_str(json_object_array_get_idx(oc, 0), "message") &&
				    strcmp(ikc_json_str(json_object_array_get_idx(oc, 0),
							"message"), msg) == 0) {
					json_object_put(conds);
					json_object_put(copy);
					continue;
				}
				json_object_array_add(conds, pod_cond("PodScheduled", "False", ts,
								      "Unschedulable", msg));
				json_object_object_add(st, "conditions", conds);
				(void)kube__put(k, p->kind, copy);
				continue;
			}
			json_object_object_add(ikc_json_path(copy, "spec"), "nodeName",
					       json_object_new_string(kube__name(nodes[best]->obj)));
			json_object_array_add(conds, pod_cond("PodScheduled", "True", ts,
							      NULL, NULL));
			json_object_object_add(st, "conditions", conds);
			json_object_object_add(st, "containerStatuses",
					       creating_statuses(copy));
			json_object_object_add(st, "hostIP", json_object_new_string(
								  node_ip(nodes[best]->obj)));
			load[best]++;
			p = kube__put(k, p->kind, copy);
			if (p)
				p->due = k->now + POD_START_SECONDS;
			continue;
		}
		if (p->due == 0) {
			p->due = k->now + POD_START_SECONDS;
			k->dirty = 1;
		} else if (k->now >= p->due) {
			run_pod(k, p, nobj);
		}
	}
done:
	free(load);
	free(nodes);
	free(all);
}

/* ---- services: cloud load balancers ---- */

static void services(struct sim_kube *k)
{
	size_t n, i;
	kube_obj **all = kube__list(k, "services", NULL, &n);

	for (i = 0; all && i < n; i++) {
		kube_obj *s = all[i];
		const char *type = ikc_json_str(child(s->obj, "spec"), "type");
		json_object *ing = ikc_json_path(s->obj, "status.loadBalancer.ingress");
		int is_lb = type && strcmp(type, "LoadBalancer") == 0;

		if (deleting(s->obj))
			continue;
		if (!is_lb) {
			if (ing) {
				json_object *st = json_object_new_object();

				json_object_object_add(st, "loadBalancer", json_object_new_object());
				set_status(k, s, st);
			}
			s->due = 0;
			continue;
		}
		if (ing && kube__len(ing) > 0)
			continue;
		if (s->due == 0) {
			s->due = k->now + LB_SECONDS;
			k->dirty = 1;
		} else if (k->now >= s->due) {
			json_object *st = json_object_new_object();
			json_object *lb = json_object_new_object();
			json_object *arr = json_object_new_array();
			json_object *e = json_object_new_object();
			char ip[32];

			rand_ip(ip, "35.202");
			json_object_object_add(e, "ip", json_object_new_string(ip));
			json_object_object_add(e, "ipMode", json_object_new_string("VIP"));
			json_object_array_add(arr, e);
			json_object_object_add(lb, "ingress", arr);
			json_object_object_add(st, "loadBalancer", lb);
			s = set_status(k, s, st);
			if (s)
				s->due = 0;
		}
	}
	free(all);
}

/* ---- endpoints: the ready pods behind each Service with a selector ---- */

/* The container port a Service port's targetPort names (number or name). */
static long long target_port(json_object *svc_port, json_object *pod)
{
	json_object *tp = ikc_json_path(svc_port, "targetPort");
	json_object *cs = ikc_json_path(pod, "spec.containers");
	size_t i, j;

	if (!tp)
		return kube__int(svc_port, "port", 0);
	if (!json_object_is_type(tp, json_type_string))
		return json_object_get_int64(tp);
	for (i = 0; i < kube__len(cs); i++) {
		json_object *ports = ikc_json_path(json_object_array_get_idx(cs, i), "ports");

		for (j = 0; j < kube__len(ports); j++) {
			json_object *p = json_object_array_get_idx(ports, j);
			const char *n = ikc_json_str(p, "name");

			if (n && strcmp(n, json_object_get_string(tp)) == 0)
				return kube__int(p, "containerPort", 0);
		}
	}
	return 0;
}

static json_object *ep_address(kube_obj *pod)
{
	json_object *a = json_object_new_object();
	json_object *ref = json_object_new_object();
	const char *ip = ikc_json_str(ikc_json_path(pod->obj, "status"), "podIP");
	const char *node = ikc_json_str(ikc_json_path(pod->obj, "spec"), "nodeName");

	json_object_object_add(a, "ip", json_object_new_string(ip ? ip : ""));
	if (node)
		json_object_object_add(a, "nodeName", json_object_new_string(node));
	json_object_object_add(ref, "kind", json_object_new_string("Pod"));
	json_object_object_add(ref, "namespace", json_object_new_string(kube__ns(pod->obj)));
	json_object_object_add(ref, "name", json_object_new_string(kube__name(pod->obj)));
	json_object_object_add(ref, "uid", json_object_new_string(uid_of(pod->obj)));
	json_object_object_add(a, "targetRef", ref);
	return a;
}

static void endpoints(struct sim_kube *k)
{
	const kube_kind *ek = kube__kind_by_store("endpoints");
	size_t n, i, np, j, m;
	kube_obj **svcs = kube__list(k, "services", NULL, &n);
	kube_obj **eps;

	for (i = 0; svcs && i < n; i++) {
		json_object *svc = svcs[i]->obj;
		json_object *sel = ikc_json_path(svc, "spec.selector");
		json_object *sports = ikc_json_path(svc, "spec.ports");
		const char *ns = kube__ns(svc), *name = kube__name(svc);
		kube_obj **pods, *cur;
		json_object *subsets, *ss, *addrs, *notready, *ports, *ep, *meta;

		if (!sel || !json_object_is_type(sel, json_type_object) ||
		    json_object_object_length(sel) == 0 || deleting(svc))
			continue;
		pods = kube__list(k, "pods", ns, &np);
		addrs = json_object_new_array();
		notready = json_object_new_array();
		ports = json_object_new_array();
		for (j = 0; pods && j < np; j++) {
			json_object *labels = ikc_json_path(pods[j]->obj, "metadata.labels");

			if (deleting(pods[j]->obj) || !kube__match_map(sel, labels) ||
			    !ikc_json_str(ikc_json_path(pods[j]->obj, "status"), "podIP"))
				continue;
			if (kube__len(ports) == 0)
				for (m = 0; m < kube__len(sports); m++) {
					json_object *sp = json_object_array_get_idx(sports, m);
					long long tp = target_port(sp, pods[j]->obj);
					json_object *p;
					const char *pn = ikc_json_str(sp, "name"),
						   *proto = ikc_json_str(sp, "protocol");

					if (tp <= 0)
						continue;
					p = json_object_new_object();
					if (pn)
						json_object_object_add(p, "name",
								       json_object_new_string(pn));
					json_object_object_add(p, "port", json_object_new_int64(tp));
					json_object_object_add(p, "protocol", json_object_new_string(
									      proto ? proto : "TCP"));
					json_object_array_add(ports, p);
				}
			json_object_array_add(pod_ready(pods[j]->obj) ? addrs : notready,
					      ep_address(pods[j]));
		}
		free(pods);
		subsets = json_object_new_array();
		if (kube__len(addrs) || kube__len(notready)) {
			ss = json_object_new_object();
			if (kube__len(addrs))
				json_object_object_add(ss, "addresses", json_object_get(addrs));
			if (kube__len(notready))
				json_object_object_add(ss, "notReadyAddresses",
						       json_object_get(notready));
			json_object_object_add(ss, "ports", json_object_get(ports));
			json_object_array_add(subsets, ss);
		}
		json_object_put(addrs);
		json_object_put(notready);
		json_object_put(ports);
		cur = kube__get(k, "endpoints", ns, name);
		if (cur) {
			json_object *old = ikc_json_path(cur->obj, "subsets");

			if ((old && json_object_equal(old, subsets)) ||
			    (!old && kube__len(subsets) == 0)) {
				json_object_put(subsets);
				continue;
			}
			ep = ikc_json_copy(cur->obj);
		} else {
			ep = json_object_new_object();
			meta = json_object_new_object();
			json_object_object_add(ep, "kind", json_object_new_string("Endpoints"));
			json_object_object_add(ep, "apiVersion", json_object_new_string("v1"));
			json_object_object_add(meta, "name", json_object_new_string(name));
			json_object_object_add(meta, "namespace", json_object_new_string(ns));
			if (ikc_json_path(svc, "metadata.labels"))
				json_object_object_add(meta, "labels", ikc_json_copy(
							       ikc_json_path(svc, "metadata.labels")));
			json_object_object_add(ep, "metadata", meta);
			(void)kube__stamp(ep);
		}
		if (kube__len(subsets))
			json_object_object_add(ep, "subsets", subsets);
		else {
			json_object_put(subsets);
			json_object_object_del(ep, "subsets");
		}
		(void)kube__put(k, ek, ep);
	}
	free(svcs);
	/* endpoints of Services that are gone go too */
	eps = kube__list(k, "endpoints", NULL, &n);
	for (i = 0; eps && i < n; i++)
		if (!kube__get(k, "services", kube__ns(eps[i]->obj), kube__name(eps[i]->obj)))
			kube__remove(k, eps[i]);
	free(eps);
}

/* ---- HPA: report the target's replicas ---- */

static void hpas(struct sim_kube *k)
{
	size_t n, i;
	kube_obj **all = kube__list(k, "horizontalpodautoscalers.autoscaling", NULL, &n);

	for (i = 0; all && i < n; i++) {
		json_object *ref = ikc_json_path(all[i]->obj, "spec.scaleTargetRef");
		const char *kind = ikc_json_str(ref, "kind"), *name = ikc_json_str(ref, "name");
		const kube_kind *tk = kube__kind_by_kind(kind);
		kube_obj *t = tk && name ? kube__get(k, tk->store, kube__ns(all[i]->obj), name)
					 : NULL;
		long long cur = t ? kube__int(t->obj, "status.replicas", 0) : 0;
		long long want = t ? kube__int(t->obj, "spec.replicas", 0) : 0;
		long long min = kube__int(all[i]->obj, "spec.minReplicas", 1);
		long long max = kube__int(all[i]->obj, "spec.maxReplicas", 1);
		json_object *st;

		if (want < min)
			want = min;
		if (want > max)
			want = max;
		st = ikc_json_copy(child(all[i]->obj, "status"));
		if (!st)
			st = json_object_new_object();
		json_object_object_add(st, "currentReplicas", json_object_new_int64(cur));
		json_object_object_add(st, "desiredReplicas", json_object_new_int64(t ? want : 0));
		set_status(k, all[i], st);
	}
	free(all);
}

void kube__reconcile(struct sim_kube *k)
{
	gc(k);
	namespaces(k);
	deployments(k);
	replicate(k, "replicasets.apps");
	replicate(k, "replicationcontrollers");
	pods(k);
	services(k);
	endpoints(k);
	/* statuses again, so that what the pods did this tick shows at once */
	replicate(k, "replicasets.apps");
	replicate(k, "replicationcontrollers");
	deployments(k);
	hpas(k);
}
