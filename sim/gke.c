/* gke.c - ikc-sim's GKE v1 REST surface: routes, validation, server-filled fields */
#include "sim/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pki.h"
#include "sim/schema.h"
#include "sim/server.h"
#include "sim/world.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/str.h"

#define MAX_RUNNING_OPS 10     /* per project; more gets 429 */
#define MAX_SEGS 12

/* Simulated seconds each kind of operation takes. */
#define DUR_CREATE_CLUSTER 180
#define DUR_DELETE_CLUSTER 120
#define DUR_CREATE_POOL 90
#define DUR_DELETE_POOL 60
#define DUR_UPDATE 30
#define DUR_QUICK 5

static const char *const versions[] = {
	"1.31.1-gke.1678000", "1.30.5-gke.1014001", "1.29.9-gke.1177000"
};
#define NVERSIONS (sizeof(versions) / sizeof(versions[0]))
#define DEFAULT_VERSION "1.30.5-gke.1014001"

enum coll { C_NONE, C_CLUSTERS, C_POOLS, C_OPS, C_SERVERCONFIG, C_SERVICE };

struct route {
	char *buf;
	const char *project, *location, *cluster, *pool, *op, *verb;
	int legacy;
	enum coll coll;
	char pattern[256];
	const char *method;
	const char *path;
};

/* ---- replies ---- */

static void gerr(sim_response *resp, int code, const char *status,
		 const char *reason, const char *fmt, ...) IKC_PRINTF(5, 6);

static void gerr(sim_response *resp, int code, const char *status,
		 const char *reason, const char *fmt, ...)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object();
	json_object *errs = json_object_new_array(), *item = json_object_new_object();
	json_object *details = json_object_new_array(), *info = json_object_new_object();
	char msg[1024], rid[17];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!o || !e || !errs || !item || !details || !info) {
		json_object_put(o);
		json_object_put(e);
		json_object_put(errs);
		json_object_put(item);
		json_object_put(details);
		json_object_put(info);
		sim_respond_text(resp, code, NULL, "{}");
		return;
	}
	if (sim_random_hex(rid, 8) < 0)
		snprintf(rid, sizeof(rid), "0");
	json_object_object_add(item, "message", json_object_new_string(msg));
	json_object_object_add(item, "domain", json_object_new_string("global"));
	json_object_object_add(item, "reason", json_object_new_string(reason));
	json_object_array_add(errs, item);
	json_object_object_add(info, "@type", json_object_new_string(
				       "type.googleapis.com/google.rpc.RequestInfo"));
	json_object_object_add(info, "requestId", json_object_new_string(rid));
	json_object_array_add(details, info);
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(e, "errors", errs);
	json_object_object_add(e, "status", json_object_new_string(status));
	json_object_object_add(e, "details", details);
	json_object_object_add(o, "error", e);
	sim_respond_json(resp, code, o);
}

#define BAD(resp, ...) gerr(resp, 400, "INVALID_ARGUMENT", "badRequest", __VA_ARGS__)

/* Serialises a world object without taking it (call under the lock). */
static void reply_obj(sim_response *resp, json_object *obj)
{
	sim_respond_text(resp, 200, NULL, json_object_to_json_string_ext(
				   obj, JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* ---- routing ---- */

static int split(char *s, char **segs)
{
	int n = 0;
	char *p = s;

	while (*p && n < MAX_SEGS) {
		segs[n++] = p;
		p = strchr(p, '/');
		if (!p)
			break;
		*p++ = '\0';
	}
	return p && *p ? -1 : n;
}

static void pat(struct route *rt, const char *fmt, ...) IKC_PRINTF(2, 3);

static void pat(struct route *rt, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(rt->pattern, sizeof(rt->pattern), "%s /v1/projects/"
			 "{project}/%s/{%s}", rt->method,
			 rt->legacy ? "zones" : "locations",
			 rt->legacy ? "zone" : "location");

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(rt->pattern))
		vsnprintf(rt->pattern + n, sizeof(rt->pattern) - (size_t)n, fmt,
			  ap);
	va_end(ap);
}

/* Splits "name:verb" in place. */
static const char *take_verb(char *seg)
{
	char *colon = strchr(seg, ':');

	if (!colon)
		return NULL;
	*colon = '\0';
	return colon + 1;
}

static int route_parse(struct route *rt, const char *method, const char *path)
{
	char *segs[MAX_SEGS];
	int n;

	memset(rt, 0, sizeof(*rt));
	rt->method = method;
	rt->path = path;
	snprintf(rt->pattern, sizeof(rt->pattern), "%s (unknown)", method);
	rt->buf = strdup(path + 1);
	if (!rt->buf)
		return -1;
	n = split(rt->buf, segs);
	if (n < 5 || strcmp(segs[0], "v1") || strcmp(segs[1], "projects"))
		return -1;
	rt->project = segs[2];
	if (n == 5 && strcmp(segs[3], "services") == 0) {
		rt->coll = C_SERVICE;
		rt->location = segs[4];
		snprintf(rt->pattern, sizeof(rt->pattern),
			 "%s /v1/projects/{project}/services/{service}", method);
		return 0;
	}
	if (strcmp(segs[3], "zones") == 0)
		rt->legacy = 1;
	else if (strcmp(segs[3], "locations") != 0)
		return -1;
	rt->location = segs[4];
	if (n == 6 && (strcmp(segs[5], "serverConfig") == 0 ||
		       strcmp(segs[5], "serverconfig") == 0)) {
		rt->coll = C_SERVERCONFIG;
		pat(rt, "/%s", segs[5]);
		return 0;
	}
	if (n < 6)
		return -1;
	if (strcmp(segs[5], "operations") == 0) {
		rt->coll = C_OPS;
		if (n == 6) {
			pat(rt, "/operations");
			return 0;
		}
		if (n != 7)
			return -1;
		rt->verb = take_verb(segs[6]);
		rt->op = segs[6];
		pat(rt, "/operations/{operation}%s%s", rt->verb ? ":" : "",
		    rt->verb ? rt->verb : "");
		return 0;
	}
	if (strcmp(segs[5], "clusters") != 0)
		return -1;
	rt->coll = C_CLUSTERS;
	if (n == 6) {
		pat(rt, "/clusters");
		return 0;
	}
	if (n == 7 || (n == 8 && strcmp(segs[7], "nodePools") != 0)) {
		rt->verb = n == 8 ? segs[7] : take_verb(segs[6]);
		rt->cluster = segs[6];
		if (n == 8 && !rt->legacy)
			return -1;
		pat(rt, "/clusters/{cluster}%s%s", rt->verb ? (n == 8 ? "/" : ":")
							      : "",
		    rt->verb ? rt->verb : "");
		return 0;
	}
	rt->cluster = segs[6];
	rt->coll = C_POOLS;
	if (n == 8) {
		pat(rt, "/clusters/{cluster}/nodePools");
		return 0;
	}
	if (n == 9) {
		rt->verb = take_verb(segs[8]);
		rt->pool = segs[8];
		pat(rt, "/clusters/{cluster}/nodePools/{nodePool}%s%s",
		    rt->verb ? ":" : "", rt->verb ? rt->verb : "");
		return 0;
	}
	if (n == 10 && rt->legacy) {
		rt->pool = segs[8];
		rt->verb = segs[9];
		pat(rt, "/clusters/{cluster}/nodePools/{nodePool}/%s", rt->verb);
		return 0;
	}
	return -1;
}

/* ---- helpers ---- */

static int valid_name(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n > max || s[0] < 'a' || s[0] > 'z' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-'))
			return 0;
	return 1;
}

static int valid_location(const char *s)
{
	const char *p = s;
	int dashes = 0, digit = 0;

	if (!s || !*s)
		return 0;
	for (; *p; p++) {
		if (*p == '-')
			dashes++;
		else if (*p >= '0' && *p <= '9')
			digit = 1;
		else if (*p < 'a' || *p > 'z')
			return 0;
	}
	return digit && (dashes == 1 || (dashes == 2 && sim_world__is_zone(s)));
}

/* "projects/p/locations/l/clusters/c" in the path style of the request. */
static void res_name(char *out, size_t n, const struct route *rt,
		     const char *pool)
{
	if (pool)
		snprintf(out, n, "projects/%s/%s/%s/clusters/%s/nodePools/%s",
			 rt->project, rt->legacy ? "zones" : "locations",
			 rt->location, rt->cluster, pool);
	else
		snprintf(out, n, "projects/%s/%s/%s/clusters/%s", rt->project,
			 rt->legacy ? "zones" : "locations", rt->location,
			 rt->cluster);
}

static void not_found(sim_response *resp, const struct route *rt,
		      const char *pool)
{
	char name[512];

	res_name(name, sizeof(name), rt, pool);
	gerr(resp, 404, "NOT_FOUND", "notFound", "Not found: %s.", name);
}

/* 1 if `v` looks like "1.N.M-gke.K". */
static int full_version(const char *v)
{
	unsigned a, b, c, d;
	int used = 0;

	return sscanf(v, "%u.%u.%u-gke.%u%n", &a, &b, &c, &d, &used) == 4 &&
	       v[used] == '\0';
}

/*
 * Resolves a version alias (latest, 1.X, 1.X.Y, -) to one of the sim's
 * versions.  A full version of a supported minor that the sim does not list
 * is accepted as it is.  NULL when unsupported.
 */
static const char *resolve_version(const char *want)
{
	size_t i, n;

	if (!want || !*want || strcmp(want, "-") == 0)
		return DEFAULT_VERSION;
	if (strcmp(want, "latest") == 0)
		return versions[0];
	n = strlen(want);
	for (i = 0; i < NVERSIONS; i++) {
		const char *v = versions[i];

		if (strcmp(v, want) == 0)
			return v;
		if (strncmp(v, want, n) == 0 && (v[n] == '.' || v[n] == '-'))
			return v;
	}
	for (i = 0; full_version(want) && i < NVERSIONS; i++) {
		const char *dot = strchr(versions[i] + 2, '.');
		size_t minor = (size_t)(dot - versions[i]) + 1;

		if (strncmp(versions[i], want, minor) == 0)
			return want;
	}
	return NULL;
}

static void set_str(json_object *o, const char *key, const char *val)
{
	if (val && *val)
		json_object_object_add(o, key, json_object_new_string(val));
	else
		json_object_object_del(o, key);
}

static json_object *str_list1(const char *s)
{
	json_object *a = json_object_new_array();

	if (a)
		json_object_array_add(a, json_object_new_string(s));
	return a;
}

/* Adds key: val to o unless present. Takes val. */
static void def(json_object *o, const char *key, json_object *val)
{
	if (json_object_object_get_ex(o, key, NULL))
		json_object_put(val);
	else
		json_object_object_add(o, key, val);
}

static char *region_of(const char *location)
{
	char *r = strdup(location);

	if (r && sim_world__is_zone(location))
		r[strlen(r) - 2] = '\0';
	return r;
}

/* Parses the request body (empty = {}); NULL after replying 400. */
static json_object *parse_body(const sim_request *req, sim_response *resp,
			       const struct sim_schema *schema)
{
	json_object *body = NULL;
	char *err;

	if (!req->body || req->body_len == 0) {
		body = json_object_new_object();
	} else if (ikc_json_parse(&body, req->body, req->body_len,
				  "request body") < 0) {
		BAD(resp, "Invalid JSON payload received. %s", ikc_error_last());
		return NULL;
	}
	err = sim_schema_apply(body, schema, "");
	if (err) {
		BAD(resp, "%s", err);
		free(err);
		json_object_put(body);
		return NULL;
	}
	return body;
}

static void label_fingerprint(json_object *cluster)
{
	ikc_buf b = IKC_BUF_INIT(1 << 20);
	json_object *labels = ikc_json_path(cluster, "resourceLabels");
	char fp[17];

	if (labels)
		(void)ikc_json_canonical(&b, labels);
	snprintf(fp, sizeof(fp), "%08llx",
		 ikc_str_hash64(b.ptr ? b.ptr : "", b.len) & 0xffffffffULL);
	ikc_buf_dispose(&b);
	set_str(cluster, "labelFingerprint", fp);
}

static void new_etag(json_object *o)
{
	char etag[37];

	if (ikc_uuid_v4(etag) == 0)
		set_str(o, "etag", etag);
}

static json_object *default_scopes(void)
{
	static const char *const s[] = {
		"https://www.googleapis.com/auth/devstorage.read_only",
		"https://www.googleapis.com/auth/logging.write",
		"https://www.googleapis.com/auth/monitoring",
		"https://www.googleapis.com/auth/service.management.readonly",
		"https://www.googleapis.com/auth/servicecontrol",
		"https://www.googleapis.com/auth/trace.append"
	};
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < sizeof(s) / sizeof(s[0]); i++)
		json_object_array_add(a, json_object_new_string(s[i]));
	return a;
}

static void config_defaults(json_object *cfg)
{
	json_object *md;

	def(cfg, "machineType", json_object_new_string("e2-medium"));
	def(cfg, "diskSizeGb", json_object_new_int(100));
	def(cfg, "diskType", json_object_new_string("pd-balanced"));
	def(cfg, "imageType", json_object_new_string("COS_CONTAINERD"));
	def(cfg, "serviceAccount", json_object_new_string("default"));
	def(cfg, "oauthScopes", default_scopes());
	def(cfg, "metadata", json_object_new_object());
	if (json_object_object_get_ex(cfg, "metadata", &md))
		def(md, "disable-legacy-endpoints", json_object_new_string("true"));
}

static int get_int(json_object *o, const char *path)
{
	return json_object_get_int(ikc_json_path(o, path));
}

static const char *check_autoscaling(json_object *as)
{
	if (!as)
		return NULL;
	if (get_int(as, "minNodeCount") < 0 || get_int(as, "maxNodeCount") < 0)
		return "Node pool autoscaling limits must be non-negative.";
	if (get_int(as, "minNodeCount") > get_int(as, "maxNodeCount") &&
	    json_object_get_boolean(ikc_json_path(as, "enabled")))
		return "Node pool autoscaling: max_node_count must be greater "
		       "than or equal to min_node_count.";
	if ((ikc_json_path(as, "totalMinNodeCount") ||
	     ikc_json_path(as, "totalMaxNodeCount")) &&
	    (ikc_json_path(as, "minNodeCount") || ikc_json_path(as, "maxNodeCount")))
		return "Node pool autoscaling: per-zone and total limits are "
		       "mutually exclusive.";
	return NULL;
}

/*
 * Builds a NodePool from a (normalised) request `in`, taken.  Returns the
 * pool or NULL with *err set (static text or owned in *owned).
 */
static json_object *build_pool(struct sim_cluster *c, json_object *in,
			       const char *cluster_version, const char **err,
			       int *count)
{
	json_object *cfg, *locs, *urls, *v;
	const char *name = ikc_json_str(in, "name"), *ver, *bad;
	char *link, *rest, hex[9], region_buf[64];
	size_t i, nloc;
	int initial = get_int(in, "initialNodeCount");

	*err = NULL;
	if (!valid_name(name, 40)) {
		*err = "Node pool name must be 1-40 characters of lower-case "
		       "letters, digits and '-', starting with a letter.";
		goto fail;
	}
	if (initial < 0) {
		*err = "Node pool initial_node_count must be non-negative.";
		goto fail;
	}
	bad = check_autoscaling(ikc_json_path(in, "autoscaling"));
	if (bad) {
		*err = bad;
		goto fail;
	}
	ver = ikc_json_str(in, "version");
	if (ver) {
		ver = resolve_version(ver);
		if (!ver) {
			*err = "Node version is unsupported.";
			goto fail;
		}
	} else {
		ver = cluster_version;
	}
	set_str(in, "version", ver);
	if (!json_object_object_get_ex(in, "config", &cfg)) {
		cfg = json_object_new_object();
		json_object_object_add(in, "config", cfg);
	}
	config_defaults(cfg);
	if (!json_object_object_get_ex(in, "locations", &locs)) {
		locs = ikc_json_copy(ikc_json_path(c->obj, "locations"));
		json_object_object_add(in, "locations", locs);
	}
	nloc = locs ? json_object_array_length(locs) : 1;
	def(in, "autoscaling", json_object_new_object());
	if (!json_object_object_get_ex(in, "management", NULL)) {
		v = json_object_new_object();
		json_object_object_add(v, "autoUpgrade", json_object_new_boolean(1));
		json_object_object_add(v, "autoRepair", json_object_new_boolean(1));
		json_object_object_add(in, "management", v);
	}
	if (!json_object_object_get_ex(in, "maxPodsConstraint", NULL)) {
		v = json_object_new_object();
		json_object_object_add(v, "maxPodsPerNode",
				       json_object_new_string("110"));
		json_object_object_add(in, "maxPodsConstraint", v);
	}
	def(in, "podIpv4CidrSize", json_object_new_int(24));
	if (!json_object_object_get_ex(in, "upgradeSettings", &v)) {
		v = json_object_new_object();
		json_object_object_add(in, "upgradeSettings", v);
	}
	if (json_object_is_type(v, json_type_object)) {
		def(v, "maxSurge", json_object_new_int(1));
		def(v, "strategy", json_object_new_string("SURGE"));
	}
	rest = ikc_asprintf("clusters/%s/nodePools/%s", c->name, name);
	link = rest ? sim_world__link(c->project, c->location, rest) : NULL;
	set_str(in, "selfLink", link);
	free(rest);
	free(link);
	urls = json_object_new_array();
	(void)sim_random_hex(hex, 4);
	for (i = 0; urls && locs && i < nloc; i++) {
		const char *zone = json_object_get_string(
			json_object_array_get_idx(locs, i));
		char *u;

		if (!sim_world__is_zone(zone)) {
			snprintf(region_buf, sizeof(region_buf), "%s-a", zone);
			zone = region_buf;
		}
		u = ikc_asprintf("https://www.googleapis.com/compute/v1/projects/"
				 "%s/zones/%s/instanceGroupManagers/gke-%.20s-"
				 "%.20s-%s-grp", c->project, zone, c->name,
				 name, hex);
		if (u)
			json_object_array_add(urls, json_object_new_string(u));
		free(u);
	}
	json_object_object_add(in, "instanceGroupUrls", urls);
	v = json_object_new_object();
	if (v) {
		char *range = ikc_asprintf("gke-%s-pods-%s", c->name, hex);

		set_str(v, "podRange", range);
		set_str(v, "podIpv4CidrBlock", "10.4.0.0/14");
		free(range);
		def(in, "networkConfig", v);
	}
	set_str(in, "status", "PROVISIONING");
	new_etag(in);
	*count = initial * (int)nloc;
	return in;
fail:
	json_object_put(in);
	return NULL;
}

static int pool_count(json_object *pools)
{
	return pools ? (int)json_object_array_length(pools) : 0;
}

/* ---- reads ---- */

static void h_service(const struct route *rt, sim_response *resp)
{
	char name[512];
	json_object *o = json_object_new_object();

	snprintf(name, sizeof(name), "projects/%llu/services/%s",
		 100000000000ULL + ikc_str_hash64(rt->project, strlen(rt->project)) %
					   900000000000ULL, rt->location);
	set_str(o, "name", name);
	set_str(o, "parent", name);
	json_object_object_del(o, "parent");
	set_str(o, "state", "ENABLED");
	sim_respond_json(resp, 200, o);
}

static void h_server_config(sim_response *resp)
{
	static const char *const chans[] = { "RAPID", "REGULAR", "STABLE",
					     "EXTENDED" };
	json_object *o = json_object_new_object(), *a, *ch;
	size_t i, j;

	set_str(o, "defaultClusterVersion", DEFAULT_VERSION);
	a = json_object_new_array();
	for (i = 0; i < NVERSIONS; i++)
		json_object_array_add(a, json_object_new_string(versions[i]));
	json_object_object_add(o, "validNodeVersions", a);
	set_str(o, "defaultImageType", "COS_CONTAINERD");
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string("COS_CONTAINERD"));
	json_object_array_add(a, json_object_new_string("UBUNTU_CONTAINERD"));
	json_object_object_add(o, "validImageTypes", a);
	a = json_object_new_array();
	for (i = 0; i < NVERSIONS; i++)
		json_object_array_add(a, json_object_new_string(versions[i]));
	json_object_object_add(o, "validMasterVersions", a);
	ch = json_object_new_array();
	for (i = 0; i < 4; i++) {
		json_object *c = json_object_new_object();
		size_t first = i == 0 ? 0 : i == 1 ? 1 : 2;

		set_str(c, "channel", chans[i]);
		set_str(c, "defaultVersion", versions[first]);
		a = json_object_new_array();
		for (j = first; j < NVERSIONS; j++)
			json_object_array_add(a, json_object_new_string(versions[j]));
		json_object_object_add(c, "validVersions", a);
		json_object_array_add(ch, c);
	}
	json_object_object_add(o, "channels", ch);
	sim_respond_json(resp, 200, o);
}

static void h_cluster_list(const struct route *rt, sim_response *resp)
{
	ikc_buf b = IKC_BUF_INIT((size_t)256 << 20);
	struct sim_cluster *c;
	int first = 1, all = strcmp(rt->location, "-") == 0;

	(void)ikc_buf_puts(&b, "{");
	pthread_mutex_lock(&sim_world.mu);
	for (c = sim_world.clusters; c; c = c->next) {
		if (strcmp(c->project, rt->project) != 0 ||
		    (!all && strcmp(c->location, rt->location) != 0))
			continue;
		(void)ikc_buf_puts(&b, first ? "\"clusters\":[" : ",");
		(void)ikc_buf_puts(&b, json_object_to_json_string_ext(
					       c->obj, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
		first = 0;
	}
	pthread_mutex_unlock(&sim_world.mu);
	(void)ikc_buf_puts(&b, first ? "}" : "]}");
	sim_respond_text(resp, 200, NULL, b.ptr ? b.ptr : "{}");
	ikc_buf_dispose(&b);
}

static void h_op_list(const struct route *rt, sim_response *resp)
{
	ikc_buf b = IKC_BUF_INIT((size_t)256 << 20);
	struct sim_op *op;
	int first = 1, all = strcmp(rt->location, "-") == 0;

	(void)ikc_buf_puts(&b, "{");
	pthread_mutex_lock(&sim_world.mu);
	for (op = sim_world.ops; op; op = op->next) {
		if (strcmp(op->project, rt->project) != 0 ||
		    (!all && strcmp(op->location, rt->location) != 0))
			continue;
		sim_world__op_advance(op);
		(void)ikc_buf_puts(&b, first ? "\"operations\":[" : ",");
		(void)ikc_buf_puts(&b, json_object_to_json_string_ext(
					       op->obj, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE));
		first = 0;
	}
	pthread_mutex_unlock(&sim_world.mu);
	(void)ikc_buf_puts(&b, first ? "}" : "]}");
	sim_respond_text(resp, 200, NULL, b.ptr ? b.ptr : "{}");
	ikc_buf_dispose(&b);
}

static void h_op(const struct route *rt, const sim_request *req,
		 sim_response *resp)
{
	struct sim_op *op;
	json_object *body = NULL;

	if (rt->verb && (strcmp(rt->verb, "cancel") != 0 ||
			 strcmp(req->method, "POST") != 0)) {
		gerr(resp, 404, "NOT_FOUND", "notFound",
		     "Method not found: %s %s.", req->method, req->path);
		return;
	}
	if (!rt->verb && strcmp(req->method, "GET") != 0) {
		gerr(resp, 405, "INVALID_ARGUMENT", "badRequest",
		     "Method %s not allowed here.", req->method);
		return;
	}
	if (rt->verb) {
		body = parse_body(req, resp, &sim_schema_cancel);
		if (!body)
			return;
		json_object_put(body);
	}
	pthread_mutex_lock(&sim_world.mu);
	op = sim_world__op(rt->project, rt->op);
	if (!op || (strcmp(rt->location, "-") != 0 &&
		    strcmp(op->location, rt->location) != 0)) {
		pthread_mutex_unlock(&sim_world.mu);
		gerr(resp, 404, "NOT_FOUND", "notFound",
		     "Not found: projects/%s/%s/%s/operations/%s.", rt->project,
		     rt->legacy ? "zones" : "locations", rt->location, rt->op);
		return;
	}
	if (rt->verb) {
		sim_world__op_cancel(op);
		pthread_mutex_unlock(&sim_world.mu);
		sim_respond_text(resp, 200, NULL, "{}");
		return;
	}
	sim_world__op_advance(op);
	reply_obj(resp, op->obj);
	pthread_mutex_unlock(&sim_world.mu);
}

/* ---- mutations ---- */

/*
 * Under the lock: finds the cluster and checks it can take a new operation.
 * NULL after replying.
 */
static struct sim_cluster *mutable_cluster(const struct route *rt,
					   sim_response *resp)
{
	struct sim_cluster *c = sim_world__find(rt->project, rt->location,
						rt->cluster);

	if (!c) {
		not_found(resp, rt, NULL);
		return NULL;
	}
	if (c->busy_op) {
		gerr(resp, 400, "FAILED_PRECONDITION", "failedPrecondition",
		     "Cluster is running incompatible operation %s.", c->busy_op);
		return NULL;
	}
	if (sim_world__running(rt->project) >= MAX_RUNNING_OPS) {
		gerr(resp, 429, "RESOURCE_EXHAUSTED", "rateLimitExceeded",
		     "Too many operations are running in project %s; please "
		     "retry later.", rt->project);
		return NULL;
	}
	return c;
}

/* Under the lock: starts the op and replies with it. */
static void start_op(const struct route *rt, struct sim_cluster *c,
		     const char *pool, int kind, const char *type,
		     const char *detail, double duration, sim_response *resp)
{
	char route[512];
	struct sim_op *op;

	snprintf(route, sizeof(route), "%s %s", rt->method, rt->path);
	op = sim_world__op_start(c, pool, kind, type, detail, duration, route);
	if (!op) {
		gerr(resp, 500, "INTERNAL", "backendError", "Out of memory.");
		return;
	}
	sim_world__refresh(c);
	reply_obj(resp, op->obj);
}

static void h_cluster_create(const struct route *rt, const sim_request *req,
			     sim_response *resp)
{
	json_object *body = parse_body(req, resp, &sim_schema_create_cluster);
	json_object *in, *pools = NULL, *locs, *v, *built = NULL;
	struct sim_cluster *c = NULL;
	const char *name, *version, *err = NULL;
	char *s = NULL, *region = NULL, when[40], id[65], key[512];
	size_t i;
	int count, want_channel;

	if (!body)
		return;
	if (!json_object_object_get_ex(body, "cluster", &in)) {
		BAD(resp, "Cluster is required.");
		goto done;
	}
	name = ikc_json_str(in, "name");
	if (!valid_name(name, 40)) {
		BAD(resp, "Invalid value for field \"cluster.name\": \"%s\". Must "
		    "be 1-40 characters of lower-case letters, digits and '-', "
		    "starting with a letter.", name ? name : "");
		goto done;
	}
	json_object_object_get_ex(in, "nodePools", &pools);
	if (pools && (ikc_json_path(in, "initialNodeCount") ||
		      ikc_json_path(in, "nodeConfig"))) {
		BAD(resp, "Cluster.initial_node_count and Cluster.node_config "
		    "cannot be used together with Cluster.node_pools.");
		goto done;
	}
	if (!pools && get_int(in, "initialNodeCount") <= 0 &&
	    !ikc_json_path(in, "autopilot")) {
		BAD(resp, "Cluster.initial_node_count must be greater than zero.");
		goto done;
	}
	version = resolve_version(ikc_json_str(in, "initialClusterVersion"));
	if (!version) {
		BAD(resp, "Master version \"%s\" is unsupported.",
		    ikc_json_str(in, "initialClusterVersion"));
		goto done;
	}
	pthread_mutex_lock(&sim_world.mu);
	if (sim_world__find(rt->project, rt->location, name)) {
		pthread_mutex_unlock(&sim_world.mu);
		gerr(resp, 409, "ALREADY_EXISTS", "alreadyExists",
		     "Already exists: projects/%s/%s/%s/clusters/%s.", rt->project,
		     rt->legacy ? "zones" : "locations", rt->location, name);
		goto done;
	}
	if (sim_world__running(rt->project) >= MAX_RUNNING_OPS) {
		pthread_mutex_unlock(&sim_world.mu);
		gerr(resp, 429, "RESOURCE_EXHAUSTED", "rateLimitExceeded",
		     "Too many operations are running in project %s; please "
		     "retry later.", rt->project);
		goto done;
	}
	pthread_mutex_unlock(&sim_world.mu);

	/* Keys, the cluster API and its endpoint are made outside the lock. */
	if (sim_world__cluster_new(&c, rt->project, rt->location, name,
				   version) < 0) {
		gerr(resp, 500, "INTERNAL", "backendError", "%s",
		     ikc_error_last());
		goto done;
	}
	json_object_put(c->obj);
	c->obj = ikc_json_copy(in);
	in = c->obj;
	region = region_of(rt->location);
	want_channel = !ikc_json_path(in, "initialClusterVersion") &&
		       !ikc_json_str(ikc_json_path(in, "releaseChannel"), "channel");
	s = ikc_asprintf("clusters/%s", name);
	if (s) {
		char *link = sim_world__link(rt->project, rt->location, s);

		set_str(in, "selfLink", link);
		free(link);
	}
	free(s);
	if (sim_random_hex(id, 32) == 0)
		set_str(in, "id", id);
	set_str(in, "zone", rt->location);
	set_str(in, "location", rt->location);
	if (!json_object_object_get_ex(in, "locations", &locs)) {
		if (sim_world__is_zone(rt->location)) {
			locs = str_list1(rt->location);
		} else {
			locs = json_object_new_array();
			for (i = 0; i < 3; i++) {
				s = ikc_asprintf("%s-%c", rt->location, "abc"[i]);
				json_object_array_add(locs, json_object_new_string(s));
				free(s);
			}
		}
		json_object_object_add(in, "locations", locs);
	}
	s = ikc_asprintf("127.0.0.1:%d", c->port);
	set_str(in, "endpoint", s);
	free(s);
	if (!json_object_object_get_ex(in, "masterAuth", &v) ||
	    !json_object_is_type(v, json_type_object)) {
		v = json_object_new_object();
		json_object_object_add(in, "masterAuth", v);
	}
	s = sim_b64_encode(c->ca_cert, strlen(c->ca_cert));
	set_str(v, "clusterCaCertificate", s);
	free(s);
	def(v, "clientCertificateConfig", json_object_new_object());
	set_str(in, "initialClusterVersion", version);
	set_str(in, "currentMasterVersion", version);
	sim_world__now_text(when);
	set_str(in, "createTime", when);
	def(in, "loggingService",
	    json_object_new_string("logging.googleapis.com/kubernetes"));
	def(in, "monitoringService",
	    json_object_new_string("monitoring.googleapis.com/kubernetes"));
	def(in, "network", json_object_new_string("default"));
	def(in, "subnetwork", json_object_new_string("default"));
	v = json_object_new_object();
	s = ikc_asprintf("projects/%s/global/networks/%s", rt->project,
			 ikc_json_str(in, "network"));
	set_str(v, "network", s);
	free(s);
	s = ikc_asprintf("projects/%s/regions/%s/subnetworks/%s", rt->project,
			 region ? region : rt->location,
			 ikc_json_str(in, "subnetwork"));
	set_str(v, "subnetwork", s);
	free(s);
	def(in, "networkConfig", v);
	def(in, "clusterIpv4Cidr", json_object_new_string("10.84.0.0/14"));
	def(in, "servicesIpv4Cidr", json_object_new_string("34.118.224.0/20"));
	def(in, "nodeIpv4CidrSize", json_object_new_int(24));
	if (want_channel) {
		v = json_object_new_object();
		set_str(v, "channel", "REGULAR");
		json_object_object_add(in, "releaseChannel", v);
	}
	v = json_object_new_object();
	set_str(v, "maxPodsPerNode", "110");
	def(in, "defaultMaxPodsConstraint", v);
	v = json_object_new_object();
	json_object_object_add(v, "useIpAliases", json_object_new_boolean(1));
	def(in, "ipAllocationPolicy", v);
	def(in, "addonsConfig", json_object_new_object());
	def(in, "legacyAbac", json_object_new_object());
	label_fingerprint(in);

	/* Node pools: the given list, or default-pool from the cluster fields. */
	built = json_object_new_array();
	if (!pools) {
		json_object *p = json_object_new_object();

		set_str(p, "name", "default-pool");
		json_object_object_add(p, "initialNodeCount", json_object_new_int(
					       get_int(in, "initialNodeCount")));
		if (ikc_json_path(in, "nodeConfig"))
			json_object_object_add(p, "config", ikc_json_copy(
						       ikc_json_path(in, "nodeConfig")));
		pools = json_object_new_array();
		json_object_array_add(pools, p);
		json_object_object_add(in, "nodePools", pools);
	}
	for (i = 0; i < json_object_array_length(pools); i++) {
		json_object *pin = ikc_json_copy(json_object_array_get_idx(pools, i));
		const char *pname = ikc_json_str(pin, "name");
		json_object *p;
		size_t j;

		for (j = 0; pname && j < json_object_array_length(built); j++)
			if (strcmp(pname, ikc_json_str(json_object_array_get_idx(
					      built, j), "name")) == 0)
				err = "Node pool names must be unique.";
		if (err) {
			json_object_put(pin);
			break;
		}
		p = build_pool(c, pin, version, &err, &count);
		if (!p)
			break;
		json_object_object_add(c->sizes, ikc_json_str(p, "name"),
				       json_object_new_int(count));
		json_object_array_add(built, p);
	}
	if (err) {
		BAD(resp, "%s", err);
		goto done;
	}
	json_object_object_add(in, "nodePools", built);
	built = NULL;
	pthread_mutex_lock(&sim_world.mu);
	if (sim_world__find(rt->project, rt->location, name)) {
		pthread_mutex_unlock(&sim_world.mu);
		gerr(resp, 409, "ALREADY_EXISTS", "alreadyExists",
		     "Already exists: projects/%s/%s/%s/clusters/%s.", rt->project,
		     rt->legacy ? "zones" : "locations", rt->location, name);
		goto done;
	}
	sim_world__cluster_add(c);
	start_op(rt, c, NULL, SIM_OP_CREATE_CLUSTER, "CREATE_CLUSTER",
		 "Creating cluster", DUR_CREATE_CLUSTER, resp);
	c = NULL;
	pthread_mutex_unlock(&sim_world.mu);
	snprintf(key, sizeof(key), "projects/%s/locations/%s/clusters/%s",
		 rt->project, rt->location, name);
	sim_calls_created(key);
done:
	free(region);
	json_object_put(built);
	sim_world__cluster_free(c);
	json_object_put(body);
}

/* Under the lock: the cluster for a read, or NULL after replying 404. */
static struct sim_cluster *read_cluster(const struct route *rt,
					sim_response *resp)
{
	struct sim_cluster *c = sim_world__find(rt->project, rt->location,
						rt->cluster);

	if (!c)
		not_found(resp, rt, NULL);
	return c;
}

static void h_cluster_get(const struct route *rt, sim_response *resp)
{
	struct sim_cluster *c;

	pthread_mutex_lock(&sim_world.mu);
	c = read_cluster(rt, resp);
	if (c)
		reply_obj(resp, c->obj);
	pthread_mutex_unlock(&sim_world.mu);
}

static void h_cluster_delete(const struct route *rt, sim_response *resp)
{
	struct sim_cluster *c;

	pthread_mutex_lock(&sim_world.mu);
	c = mutable_cluster(rt, resp);
	if (c)
		start_op(rt, c, NULL, SIM_OP_DELETE_CLUSTER, "DELETE_CLUSTER",
			 "Deleting cluster", DUR_DELETE_CLUSTER, resp);
	pthread_mutex_unlock(&sim_world.mu);
}

/* The pool a cluster-level node change addresses; NULL after replying. */
static json_object *target_pool(struct sim_cluster *c, const struct route *rt,
				const char *id, sim_response *resp)
{
	json_object *pools = ikc_json_path(c->obj, "nodePools"), *p;

	if (!id) {
		if (pool_count(pools) == 1)
			return json_object_array_get_idx(pools, 0);
		BAD(resp, "Please specify desired_node_pool_id: the cluster has "
		    "%d node pools.", pool_count(pools));
		return NULL;
	}
	p = sim_world__pool(c, id, NULL);
	if (!p)
		not_found(resp, rt, id);
	return p;
}

/* Sets the cluster's locations and spreads each pool over them. */
static const char *set_locations(struct sim_cluster *c, json_object *locs)
{
	json_object *pools = ikc_json_path(c->obj, "nodePools");
	size_t i, j, n = locs ? json_object_array_length(locs) : 0;
	int has_primary = !sim_world__is_zone(c->location);

	if (n == 0)
		return "Locations must not be empty.";
	for (i = 0; i < n; i++) {
		const char *z = json_object_get_string(json_object_array_get_idx(locs,
									       i));
		char *region = region_of(c->location);
		int ok = z && region && ikc_str_startswith(z, region) &&
			 sim_world__is_zone(z);

		free(region);
		if (!ok)
			return "Locations must be zones of the cluster's region.";
		if (strcmp(z, c->location) == 0)
			has_primary = 1;
	}
	if (!has_primary)
		return "Locations must include the cluster's primary zone.";
	json_object_object_add(c->obj, "locations", ikc_json_copy(locs));
	for (j = 0; pools && j < json_object_array_length(pools); j++) {
		json_object *p = json_object_array_get_idx(pools, j);
		json_object *old = ikc_json_path(p, "locations"), *v;
		const char *name = ikc_json_str(p, "name");
		size_t oldn = old ? json_object_array_length(old) : 1;

		if (name && json_object_object_get_ex(c->sizes, name, &v))
			json_object_set_int(v, json_object_get_int(v) /
						       (int)(oldn ? oldn : 1) * (int)n);
		json_object_object_add(p, "locations", ikc_json_copy(locs));
	}
	return NULL;
}

static char *lower_first(const char *s)
{
	char *out = strdup(s);

	if (out && out[0] >= 'A' && out[0] <= 'Z')
		out[0] = (char)(out[0] - 'A' + 'a');
	return out;
}

static void h_cluster_update(const struct route *rt, const sim_request *req,
			     sim_response *resp)
{
	json_object *body = parse_body(req, resp, &sim_schema_update_cluster);
	json_object *upd, *p, *val = NULL;
	struct sim_cluster *c;
	const char *field = NULL, *pool_id, *etag, *err = NULL;
	const char *type = "UPDATE_CLUSTER", *detail = "Updating cluster";
	int n = 0, kind = SIM_OP_UPDATE_CLUSTER;
	const char *pool_name = NULL;

	if (!body)
		return;
	if (!json_object_object_get_ex(body, "update", &upd)) {
		BAD(resp, "Update is required.");
		goto done;
	}
	json_object_object_foreach(upd, k, v) {
		if (ikc_str_startswith(k, "desired") &&
		    strcmp(k, "desiredNodePoolId") != 0) {
			field = k;
			val = v;
			n++;
		}
	}
	if (n == 0 && json_object_object_get_ex(upd, "desiredNodePoolAutoscaling",
						NULL) == 0) {
		BAD(resp, "Must specify a field to update.");
		goto done;
	}
	if (n > 1) {
		BAD(resp, "Exactly one update can be applied to a cluster with each "
		    "request; got %d.", n);
		goto done;
	}
	pool_id = ikc_json_str(upd, "desiredNodePoolId");
	etag = ikc_json_str(upd, "etag");
	pthread_mutex_lock(&sim_world.mu);
	c = mutable_cluster(rt, resp);
	if (!c)
		goto unlock;
	if (etag && strcmp(etag, ikc_json_str(c->obj, "etag")) != 0) {
		gerr(resp, 409, "ABORTED", "aborted",
		     "Cluster etag does not match; it was changed since it was "
		     "read.");
		goto unlock;
	}
	if (strcmp(field, "desiredMasterVersion") == 0) {
		const char *v = resolve_version(json_object_get_string(val));

		if (!v) {
			err = "Master version is unsupported.";
			goto bad;
		}
		set_str(c->obj, "currentMasterVersion", v);
		type = "UPGRADE_MASTER";
		detail = "Upgrading master";
	} else if (strcmp(field, "desiredNodeVersion") == 0 ||
		   strcmp(field, "desiredImageType") == 0) {
		p = target_pool(c, rt, pool_id, resp);
		if (!p)
			goto unlock;
		if (field[7] == 'N') {
			const char *v = json_object_get_string(val);

			v = strcmp(v, "-") == 0 ? ikc_json_str(c->obj,
							       "currentMasterVersion")
						: resolve_version(v);
			if (!v) {
				err = "Node version is unsupported.";
				goto bad;
			}
			set_str(p, "version", v);
		} else {
			json_object_object_add(json_object_object_get(p, "config"),
					       "imageType", json_object_get(val));
		}
		pool_name = ikc_json_str(p, "name");
		kind = SIM_OP_UPDATE_POOL;
		type = "UPGRADE_NODES";
		detail = "Upgrading nodes";
	} else if (strcmp(field, "desiredNodePoolAutoscaling") == 0) {
		p = target_pool(c, rt, pool_id, resp);
		if (!p)
			goto unlock;
		err = check_autoscaling(val);
		if (err)
			goto bad;
		json_object_object_add(p, "autoscaling", ikc_json_copy(val));
		new_etag(p);
	} else if (strcmp(field, "desiredLocations") == 0) {
		err = set_locations(c, val);
		if (err)
			goto bad;
	} else if (strcmp(field, "desiredReleaseChannel") == 0) {
		const char *ch = ikc_json_str(val, "channel");

		if (!ch || strcmp(ch, "UNSPECIFIED") == 0)
			json_object_object_add(c->obj, "releaseChannel",
					       json_object_new_object());
		else
			json_object_object_add(c->obj, "releaseChannel",
					       ikc_json_copy(val));
	} else {
		char *name = lower_first(field + 7);

		if (name)
			json_object_object_add(c->obj, name, ikc_json_copy(val));
		free(name);
	}
	start_op(rt, c, pool_name, kind, type, detail, DUR_UPDATE, resp);
	goto unlock;
bad:
	BAD(resp, "%s", err);
unlock:
	pthread_mutex_unlock(&sim_world.mu);
done:
	json_object_put(body);
}

struct verb {
	const char *name;      /* the :verb */
	const char *legacy;    /* the legacy sub-path, or NULL */
	const struct sim_schema *schema;
};

static const struct verb cluster_verbs[] = {
	{ "setResourceLabels", "resourceLabels", &sim_schema_set_labels },
	{ "updateMaster", "master", &sim_schema_update_master },
	{ "setLocations", "locations", &sim_schema_set_locations },
	{ "setLogging", "logging", &sim_schema_set_logging },
	{ "setMonitoring", "monitoring", &sim_schema_set_monitoring },
	{ "setAddons", "addons", &sim_schema_set_addons },
	{ "setLegacyAbac", "legacyAbac", &sim_schema_set_legacy_abac },
	{ "setMasterAuth", NULL, &sim_schema_set_master_auth },
	{ "setNetworkPolicy", NULL, &sim_schema_set_network_policy },
	{ "setMaintenancePolicy", NULL, &sim_schema_set_maintenance_policy },
	{ "startIpRotation", NULL, &sim_schema_ip_rotation },
	{ "completeIpRotation", NULL, &sim_schema_ip_rotation },
	{ NULL, NULL, NULL }
};

static const struct verb *find_verb(const struct verb *table, const char *v)
{
	for (; table->name; table++)
		if (strcmp(table->name, v) == 0 ||
		    (table->legacy && strcmp(table->legacy, v) == 0))
			return table;
	return NULL;
}

static void copy_field(json_object *dst, const char *dkey, json_object *src,
		       const char *skey)
{
	json_object *v;

	if (json_object_object_get_ex(src, skey, &v))
		json_object_object_add(dst, dkey, ikc_json_copy(v));
	else
		json_object_object_del(dst, dkey);
}

static void h_cluster_verb(const struct route *rt, const sim_request *req,
			   sim_response *resp)
{
	const struct verb *vb = find_verb(cluster_verbs, rt->verb);
	json_object *body;
	struct sim_cluster *c;
	const char *type = "UPDATE_CLUSTER", *detail = "Updating cluster", *err;
	double dur = DUR_UPDATE;

	if (!vb || strcmp(req->method, "POST") != 0) {
		gerr(resp, 404, "NOT_FOUND", "notFound",
		     "Method not found: %s %s.", req->method, req->path);
		return;
	}
	body = parse_body(req, resp, vb->schema);
	if (!body)
		return;
	pthread_mutex_lock(&sim_world.mu);
	c = mutable_cluster(rt, resp);
	if (!c)
		goto unlock;
	if (strcmp(vb->name, "setResourceLabels") == 0) {
		const char *fp = ikc_json_str(body, "labelFingerprint");

		if (!fp) {
			BAD(resp, "Label fingerprint is required.");
			goto unlock;
		}
		if (strcmp(fp, ikc_json_str(c->obj, "labelFingerprint")) != 0) {
			BAD(resp, "Labels could not be set due to fingerprint "
			    "mismatch.");
			goto unlock;
		}
		copy_field(c->obj, "resourceLabels", body, "resourceLabels");
		label_fingerprint(c->obj);
		dur = DUR_QUICK;
		detail = "Setting labels";
	} else if (strcmp(vb->name, "updateMaster") == 0) {
		const char *v = resolve_version(ikc_json_str(body,
							     "masterVersion"));

		if (!v) {
			BAD(resp, "Master version is unsupported.");
			goto unlock;
		}
		set_str(c->obj, "currentMasterVersion", v);
		type = "UPGRADE_MASTER";
		detail = "Upgrading master";
	} else if (strcmp(vb->name, "setLocations") == 0) {
		err = set_locations(c, ikc_json_path(body, "locations"));
		if (err) {
			BAD(resp, "%s", err);
			goto unlock;
		}
	} else if (strcmp(vb->name, "setLogging") == 0) {
		copy_field(c->obj, "loggingService", body, "loggingService");
	} else if (strcmp(vb->name, "setMonitoring") == 0) {
		copy_field(c->obj, "monitoringService", body, "monitoringService");
	} else if (strcmp(vb->name, "setAddons") == 0) {
		copy_field(c->obj, "addonsConfig", body, "addonsConfig");
	} else if (strcmp(vb->name, "setLegacyAbac") == 0) {
		json_object *o = json_object_new_object();

		copy_field(o, "enabled", body, "enabled");
		json_object_object_add(c->obj, "legacyAbac", o);
	} else if (strcmp(vb->name, "setNetworkPolicy") == 0) {
		copy_field(c->obj, "networkPolicy", body, "networkPolicy");
	} else if (strcmp(vb->name, "setMaintenancePolicy") == 0) {
		copy_field(c->obj, "maintenancePolicy", body, "maintenancePolicy");
	}
	start_op(rt, c, NULL, SIM_OP_UPDATE_CLUSTER, type, detail, dur, resp);
unlock:
	pthread_mutex_unlock(&sim_world.mu);
	json_object_put(body);
}

/* ---- node pools ---- */

static void h_pool_list(const struct route *rt, sim_response *resp)
{
	struct sim_cluster *c;
	json_object *pools;

	pthread_mutex_lock(&sim_world.mu);
	c = read_cluster(rt, resp);
	if (c) {
		pools = ikc_json_path(c->obj, "nodePools");
		if (pools) {
			ikc_buf b = IKC_BUF_INIT((size_t)64 << 20);

			(void)ikc_buf_printf(&b, "{\"nodePools\":%s}",
					     json_object_to_json_string_ext(
						     pools, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
			sim_respond_text(resp, 200, NULL, b.ptr ? b.ptr : "{}");
			ikc_buf_dispose(&b);
		} else {
			sim_respond_text(resp, 200, NULL, "{}");
		}
	}
	pthread_mutex_unlock(&sim_world.mu);
}

static void h_pool_get(const struct route *rt, sim_response *resp)
{
	struct sim_cluster *c;
	json_object *p;

	pthread_mutex_lock(&sim_world.mu);
	c = read_cluster(rt, resp);
	if (c) {
		p = sim_world__pool(c, rt->pool, NULL);
		if (p)
			reply_obj(resp, p);
		else
			not_found(resp, rt, rt->pool);
	}
	pthread_mutex_unlock(&sim_world.mu);
}

static void h_pool_create(const struct route *rt, const sim_request *req,
			  sim_response *resp)
{
	json_object *body = parse_body(req, resp, &sim_schema_create_node_pool);
	json_object *in, *p, *pools;
	struct sim_cluster *c;
	const char *name, *err = NULL;
	char key[512];
	int count = 0;

	if (!body)
		return;
	if (!json_object_object_get_ex(body, "nodePool", &in)) {
		BAD(resp, "Node pool is required.");
		goto done;
	}
	name = ikc_json_str(in, "name");
	pthread_mutex_lock(&sim_world.mu);
	c = mutable_cluster(rt, resp);
	if (!c)
		goto unlock;
	if (name && sim_world__pool(c, name, NULL)) {
		res_name(key, sizeof(key), rt, name);
		gerr(resp, 409, "ALREADY_EXISTS", "alreadyExists",
		     "Already exists: %s.", key);
		goto unlock;
	}
	p = build_pool(c, ikc_json_copy(in), ikc_json_str(c->obj,
							  "currentMasterVersion"),
		       &err, &count);
	if (!p) {
		BAD(resp, "%s", err);
		goto unlock;
	}
	if (!json_object_object_get_ex(c->obj, "nodePools", &pools)) {
		pools = json_object_new_array();
		json_object_object_add(c->obj, "nodePools", pools);
	}
	name = ikc_json_str(p, "name");
	json_object_object_add(c->sizes, name, json_object_new_int(count));
	json_object_array_add(pools, p);
	start_op(rt, c, name, SIM_OP_CREATE_POOL, "CREATE_NODE_POOL",
		 "Creating node pool", DUR_CREATE_POOL, resp);
	snprintf(key, sizeof(key), "projects/%s/locations/%s/clusters/%s/"
		 "nodePools/%s", rt->project, rt->location, rt->cluster, name);
	sim_calls_created(key);
unlock:
	pthread_mutex_unlock(&sim_world.mu);
done:
	json_object_put(body);
}

/* Applies an UpdateNodePoolRequest to pool p. NULL or a message. */
static const char *pool_update(struct sim_cluster *c, json_object *p,
			       json_object *body)
{
	json_object *cfg = json_object_object_get(p, "config");

	json_object_object_foreach(body, k, v) {
		if (strcmp(k, "projectId") == 0 || strcmp(k, "zone") == 0 ||
		    strcmp(k, "clusterId") == 0 || strcmp(k, "nodePoolId") == 0 ||
		    strcmp(k, "name") == 0 || strcmp(k, "etag") == 0 ||
		    strcmp(k, "parent") == 0)
			continue;
		if (strcmp(k, "nodeVersion") == 0) {
			const char *ver = json_object_get_string(v);

			ver = strcmp(ver, "-") == 0
				      ? ikc_json_str(c->obj, "currentMasterVersion")
				      : resolve_version(ver);
			if (!ver)
				return "Node version is unsupported.";
			set_str(p, "version", ver);
		} else if (strcmp(k, "locations") == 0) {
			json_object *old = ikc_json_path(p, "locations"), *sz;
			const char *name = ikc_json_str(p, "name");
			size_t oldn = old ? json_object_array_length(old) : 1;
			size_t n = json_object_array_length(v);

			if (n == 0)
				return "Locations must not be empty.";
			if (name && json_object_object_get_ex(c->sizes, name, &sz))
				json_object_set_int(sz, json_object_get_int(sz) /
							(int)(oldn ? oldn : 1) *
							(int)n);
			json_object_object_add(p, "locations", ikc_json_copy(v));
		} else if (strcmp(k, "upgradeSettings") == 0) {
			json_object_object_add(p, k, ikc_json_copy(v));
		} else if (strcmp(k, "diskSizeGb") == 0) {
			json_object_object_add(cfg, k, json_object_new_int(
						       json_object_get_int(v)));
		} else if (strcmp(k, "labels") == 0 || strcmp(k, "tags") == 0 ||
			   strcmp(k, "taints") == 0 ||
			   strcmp(k, "resourceLabels") == 0) {
			/* Wrapped: {labels:{labels:{...}}}, {tags:{tags:[...]}}. */
			const char *inner = strcmp(k, "resourceLabels") == 0
						    ? "labels" : k;
			json_object *x = ikc_json_path(v, inner);

			if (x && ((json_object_is_type(x, json_type_object) &&
				   json_object_object_length(x) > 0) ||
				  (json_object_is_type(x, json_type_array) &&
				   json_object_array_length(x) > 0)))
				json_object_object_add(cfg, k, ikc_json_copy(x));
			else
				json_object_object_del(cfg, k);
		} else {
			json_object_object_add(cfg, k, ikc_json_copy(v));
		}
	}
	new_etag(p);
	return NULL;
}

static void h_pool_mutate(const struct route *rt, const sim_request *req,
			  sim_response *resp)
{
	const struct sim_schema *schema;
	const char *verb = rt->verb, *type, *detail, *err = NULL;
	json_object *body, *p, *v;
	struct sim_cluster *c;
	int kind = SIM_OP_UPDATE_POOL;
	double dur = DUR_UPDATE;
	int is_update = 0, is_delete = 0, is_complete = 0;

	if (!verb && strcmp(req->method, "DELETE") == 0) {
		is_delete = 1;
		schema = &sim_schema_empty_request;
	} else if ((!verb && strcmp(req->method, "PUT") == 0) ||
		   (verb && strcmp(verb, "update") == 0 && rt->legacy &&
		    strcmp(req->method, "POST") == 0)) {
		is_update = 1;
		schema = &sim_schema_update_node_pool;
	} else if (verb && strcmp(req->method, "POST") == 0 &&
		   strcmp(verb, "setSize") == 0) {
		schema = &sim_schema_set_size;
	} else if (verb && strcmp(req->method, "POST") == 0 &&
		   (strcmp(verb, "setAutoscaling") == 0 ||
		    strcmp(verb, "autoscaling") == 0)) {
		schema = &sim_schema_set_autoscaling;
		verb = "setAutoscaling";
	} else if (verb && strcmp(req->method, "POST") == 0 &&
		   strcmp(verb, "setManagement") == 0) {
		schema = &sim_schema_set_management;
	} else if (verb && strcmp(req->method, "POST") == 0 &&
		   strcmp(verb, "rollback") == 0) {
		schema = &sim_schema_rollback;
	} else if (verb && strcmp(req->method, "POST") == 0 &&
		   strcmp(verb, "completeUpgrade") == 0) {
		schema = &sim_schema_empty_request;
		is_complete = 1;
	} else {
		gerr(resp, 404, "NOT_FOUND", "notFound",
		     "Method not found: %s %s.", req->method, req->path);
		return;
	}
	body = parse_body(req, resp, schema);
	if (!body)
		return;
	pthread_mutex_lock(&sim_world.mu);
	c = mutable_cluster(rt, resp);
	if (!c)
		goto unlock;
	p = sim_world__pool(c, rt->pool, NULL);
	if (!p) {
		not_found(resp, rt, rt->pool);
		goto unlock;
	}
	if (is_complete) {
		sim_respond_text(resp, 200, NULL, "{}");
		goto unlock;
	}
	if (is_delete) {
		kind = SIM_OP_DELETE_POOL;
		type = "DELETE_NODE_POOL";
		detail = "Deleting node pool";
		dur = DUR_DELETE_POOL;
	} else if (is_update) {
		const char *etag = ikc_json_str(body, "etag");

		if (etag && strcmp(etag, ikc_json_str(p, "etag")) != 0) {
			gerr(resp, 409, "ABORTED", "aborted",
			     "Node pool etag does not match; it was changed "
			     "since it was read.");
			goto unlock;
		}
		err = pool_update(c, p, body);
		type = "UPGRADE_NODES";
		detail = "Updating node pool";
	} else if (strcmp(verb, "setSize") == 0) {
		int n = get_int(body, "nodeCount");
		json_object *locs = ikc_json_path(p, "locations");
		int nloc = locs ? (int)json_object_array_length(locs) : 1;

		if (n < 0)
			err = "Node count must be non-negative.";
		else
			json_object_object_add(c->sizes, rt->pool,
					       json_object_new_int(n * nloc));
		type = "SET_NODE_POOL_SIZE";
		detail = "Resizing node pool";
	} else if (strcmp(verb, "setAutoscaling") == 0) {
		v = ikc_json_path(body, "autoscaling");
		err = check_autoscaling(v);
		if (!err)
			json_object_object_add(p, "autoscaling",
					       v ? ikc_json_copy(v)
						 : json_object_new_object());
		type = "UPDATE_CLUSTER";
		detail = "Updating node pool autoscaling";
	} else if (strcmp(verb, "setManagement") == 0) {
		v = ikc_json_path(body, "management");
		json_object_object_add(p, "management",
				       v ? ikc_json_copy(v) : json_object_new_object());
		type = "SET_NODE_POOL_MANAGEMENT";
		detail = "Updating node pool management";
		dur = DUR_QUICK * 2;
	} else {
		type = "UPGRADE_NODES";
		detail = "Rolling back node pool upgrade";
	}
	if (err) {
		BAD(resp, "%s", err);
		goto unlock;
	}
	new_etag(p);
	start_op(rt, c, rt->pool, kind, type, detail, dur, resp);
unlock:
	pthread_mutex_unlock(&sim_world.mu);
	json_object_put(body);
}

/* ---- dispatch ---- */

void sim_gke_count(const sim_request *req)
{
	struct route rt;

	(void)route_parse(&rt, req->method, req->path);
	sim_calls_add(rt.pattern);
	free(rt.buf);
}

static int method_is(const sim_request *req, const char *m)
{
	return strcmp(req->method, m) == 0;
}

void sim_gke_handle(const sim_request *req, sim_response *resp)
{
	struct route rt;
	int ok = route_parse(&rt, req->method, req->path) == 0;

	if (!ok) {
		gerr(resp, 404, "NOT_FOUND", "notFound",
		     "The requested URL %s was not found on this server.",
		     req->path);
		goto done;
	}
	if (!sim_tokens_valid(sim_request_bearer(req))) {
		gerr(resp, 401, "UNAUTHENTICATED", "authError",
		     "Request had invalid authentication credentials. Expected "
		     "OAuth 2 access token, login cookie or other valid "
		     "authentication credential.");
		goto done;
	}
	if (rt.coll == C_SERVICE) {
		if (method_is(req, "GET"))
			h_service(&rt, resp);
		else
			gerr(resp, 405, "INVALID_ARGUMENT", "badRequest",
			     "Method %s not allowed here.", req->method);
		goto done;
	}
	if (!(valid_location(rt.location) ||
	      (strcmp(rt.location, "-") == 0 && method_is(req, "GET") &&
	       !rt.cluster))) {
		BAD(resp, "Location \"%s\" is not a valid zone or region.",
		    rt.location);
		goto done;
	}
	if (rt.legacy && rt.cluster && !sim_world__is_zone(rt.location)) {
		BAD(resp, "'zone' field cannot be used to access GKE regional "
		    "clusters. Use 'name' or 'parent' fields instead.");
		goto done;
	}
	switch (rt.coll) {
	case C_SERVERCONFIG:
		h_server_config(resp);
		break;
	case C_OPS:
		if (rt.op)
			h_op(&rt, req, resp);
		else if (method_is(req, "GET"))
			h_op_list(&rt, resp);
		else
			goto not_allowed;
		break;
	case C_CLUSTERS:
		if (!rt.cluster && method_is(req, "GET"))
			h_cluster_list(&rt, resp);
		else if (!rt.cluster && method_is(req, "POST"))
			h_cluster_create(&rt, req, resp);
		else if (!rt.cluster)
			goto not_allowed;
		else if (rt.verb)
			h_cluster_verb(&rt, req, resp);
		else if (method_is(req, "GET"))
			h_cluster_get(&rt, resp);
		else if (method_is(req, "PUT"))
			h_cluster_update(&rt, req, resp);
		else if (method_is(req, "DELETE"))
			h_cluster_delete(&rt, resp);
		else
			goto not_allowed;
		break;
	case C_POOLS:
		if (!rt.pool && method_is(req, "GET"))
			h_pool_list(&rt, resp);
		else if (!rt.pool && method_is(req, "POST"))
			h_pool_create(&rt, req, resp);
		else if (!rt.pool)
			goto not_allowed;
		else if (!rt.verb && method_is(req, "GET"))
			h_pool_get(&rt, resp);
		else
			h_pool_mutate(&rt, req, resp);
		break;
	default:
		goto not_allowed;
	}
	goto done;
not_allowed:
	gerr(resp, 405, "INVALID_ARGUMENT", "badRequest",
	     "Method %s not allowed on %s.", req->method, req->path);
done:
	free(rt.buf);
}
