/* etcd.c - the etcd:// state backend: chunked compare-and-swap writes, leased lock, rescue file */
#include "state/etcd/etcd.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>     /* for EVP_Digest (SHA-256 of the document) */

#include "state/etcd/kv.h"
#include "state/state_internal.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#define CHUNK_SIZE ((size_t)512 << 10)
#define LOCK_TTL_DEFAULT 15
#define LOCK_MAX ((size_t)64 << 10)
#define MANIFEST_MAX ((size_t)64 << 10)
#define POLL_FIRST 0.05
#define POLL_MAX 1.0

/* Internal: the lock was released between our txn and its read; look again. */
#define LOCK_RETRY 1

typedef struct etcd_backend {
	ikc_backend parent;      /* first: an ikc_backend * is an etcd_backend * */
	char *url;
	ikc_etcd *kv;
	char *state_key;         /* PREFIX/state */
	char *chunk_prefix;      /* PREFIX/state/ */
	char *lock_key;          /* PREFIX/lock */
	long ttl;                /* lock lease, seconds */

	/* The lock this handle holds ("" when none) and its keepalive thread. */
	char held[37];
	char lease[32];          /* lease ID in decimal */
	long long lock_rev;      /* create_revision of our lock key */
	pthread_t keeper;
	int keeper_running;
	pthread_mutex_t mu;      /* guards stop, lost */
	pthread_cond_t cond;
	int stop;
	int lost;                /* the lease expired under us */
} etcd_backend;

/* 1 once the keepalive thread saw our lease expire. */
static int lease_lost(etcd_backend *eb)
{
	int lost;

	pthread_mutex_lock(&eb->mu);
	lost = eb->lost;
	pthread_mutex_unlock(&eb->mu);
	return lost;
}

/* ikc_json_add that also treats a NULL value (failed allocation) as OOM. */
static int put(json_object *obj, const char *key, json_object *val)
{
	if (!val)
		return ikc_error_oom();
	return ikc_json_add(obj, key, val);
}

static json_object *int_text(long long v)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", v);
	return json_object_new_string(text);
}

/* {"key": K [, "range_end": E] [, "revision": R]} */
static json_object *range_body(const char *key, const char *end, long long rev)
{
	json_object *b = json_object_new_object();

	if (!b)
		return NULL;
	if (put(b, "key", ikc_etcd_b64s(key)) < 0 ||
	    (end && put(b, "range_end", ikc_etcd_b64s(end)) < 0) ||
	    (rev > 0 && put(b, "revision", int_text(rev)) < 0)) {
		json_object_put(b);
		return NULL;
	}
	return b;
}

/* Wraps `inner` as {"request_X": inner}. */
static json_object *op(const char *kind, json_object *inner)
{
	json_object *o;

	if (!inner)
		return NULL;
	o = json_object_new_object();
	if (!o || put(o, kind, inner) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *put_op(const char *key, const void *val, size_t len,
			   const char *lease)
{
	json_object *b = json_object_new_object();

	if (!b)
		return NULL;
	if (put(b, "key", ikc_etcd_b64s(key)) < 0 ||
	    put(b, "value", ikc_etcd_b64(val, len)) < 0 ||
	    (lease && put(b, "lease", json_object_new_string(lease)) < 0)) {
		json_object_put(b);
		return NULL;
	}
	return op("request_put", b);
}

static json_object *delete_op(const char *key, const char *end)
{
	return op("request_delete_range", range_body(key, end, 0));
}

/* A compare of `target` ("MOD", "CREATE", "VALUE") with EQUAL. */
static json_object *compare(const char *key, const char *target, long long rev,
			    const char *value, size_t value_len)
{
	json_object *c = json_object_new_object();
	int error;

	if (!c)
		return NULL;
	error = put(c, "key", ikc_etcd_b64s(key));
	if (error == 0)
		error = put(c, "target", json_object_new_string(target));
	if (error == 0)
		error = put(c, "result", json_object_new_string("EQUAL"));
	if (error == 0 && !strcmp(target, "MOD"))
		error = put(c, "mod_revision", int_text(rev));
	else if (error == 0 && !strcmp(target, "CREATE"))
		error = put(c, "create_revision", int_text(rev));
	else if (error == 0)
		error = put(c, "value", ikc_etcd_b64(value, value_len));
	if (error < 0) {
		json_object_put(c);
		return NULL;
	}
	return c;
}

/* An empty txn body {"compare": [], "success": [], "failure": []}. */
static json_object *txn_new(json_object **cmp, json_object **ok,
			    json_object **fail)
{
	json_object *t = json_object_new_object();

	*cmp = json_object_new_array();
	*ok = json_object_new_array();
	*fail = json_object_new_array();
	if (!t || put(t, "compare", *cmp) < 0) {
		json_object_put(*ok);
		json_object_put(*fail);
		json_object_put(t);
		return NULL;
	}
	if (put(t, "success", *ok) < 0) {
		json_object_put(*fail);
		json_object_put(t);
		return NULL;
	}
	if (put(t, "failure", *fail) < 0) {
		json_object_put(t);
		return NULL;
	}
	return t;
}

static int append(json_object *arr, json_object *val)
{
	if (!val)
		return ikc_error_oom();
	return ikc_json_append(arr, val);
}

/* The first kv of a range answer (borrowed) or NULL. */
static json_object *first_kv(json_object *range)
{
	json_object *kvs = ikc_json_path(range, "kvs");

	if (!kvs || !json_object_is_type(kvs, json_type_array) ||
	    json_object_array_length(kvs) == 0)
		return NULL;
	return json_object_array_get_idx(kvs, 0);
}

/* Decodes the value of a kv into out. */
static int kv_value(ikc_buf *out, json_object *kv)
{
	const char *v = ikc_json_str(kv, "value");

	return ikc_etcd_unb64(out, v ? v : "");
}

/* Reads one key: 0 with *kv_out (in *doc_out, owned), IKC_ENOTFOUND, or < 0. */
static int get_key(etcd_backend *eb, const char *key, json_object **doc_out,
		   json_object **kv_out, int *unreachable)
{
	json_object *body = range_body(key, NULL, 0);
	int error;

	*doc_out = NULL;
	*kv_out = NULL;
	if (!body)
		return ikc_error_oom();
	error = ikc_etcd_call(eb->kv, "kv/range", body, doc_out, 0, unreachable);
	json_object_put(body);
	if (error < 0)
		return error;
	*kv_out = first_kv(*doc_out);
	return *kv_out ? 0 : IKC_ENOTFOUND;
}

/* ---- lock ---- */

static void *keeper_main(void *arg)
{
	etcd_backend *eb = arg;
	double period = (double)eb->ttl / 3.0;
	int failing = 0;         /* the last renewal failed: warned already */

	pthread_mutex_lock(&eb->mu);
	while (!eb->stop) {
		struct timespec until;
		json_object *body, *ans = NULL;
		double wait = period;
		int error;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)wait;
		until.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!eb->stop &&
		       pthread_cond_timedwait(&eb->cond, &eb->mu, &until) == 0)
			;
		if (eb->stop)
			break;
		pthread_mutex_unlock(&eb->mu);
		body = json_object_new_object();
		error = body ? put(body, "ID", json_object_new_string(eb->lease))
			     : IKC_ERROR;
		/* Each endpoint gets two attempts of period/2: a member that
		 * hangs (accepts, never answers) costs at most one period
		 * before the next member renews, well inside the TTL. */
		if (error == 0)
			error = ikc_etcd_call(eb->kv, "lease/keepalive", body, &ans,
					      period / 2.0, NULL);
		json_object_put(body);
		if (error < 0) {
			/* Once per outage; the renewals go on every period. */
			ikc_log(failing ? IKC_LOG_DEBUG : IKC_LOG_WARN,
				"could not renew the state lock lease at %s (trying "
				"again every %.0f s): %s", ikc_etcd_hosts(eb->kv),
				period, ikc_error_last());
			failing = 1;
		} else if (ikc_etcd_int(ikc_json_path(ans, "result"), "TTL") <= 0) {
			ikc_log(IKC_LOG_WARN, "the state lock lease at %s expired; "
				"another run may take the lock",
				ikc_etcd_hosts(eb->kv));
			pthread_mutex_lock(&eb->mu);
			eb->lost = 1;
			json_object_put(ans);
			break;
		} else if (failing) {
			ikc_log(IKC_LOG_WARN, "renewed the state lock lease at %s "
				"again", ikc_etcd_hosts(eb->kv));
			failing = 0;
		}
		json_object_put(ans);
		pthread_mutex_lock(&eb->mu);
	}
	pthread_mutex_unlock(&eb->mu);
	return NULL;
}

static void keeper_stop(etcd_backend *eb)
{
	if (!eb->keeper_running)
		return;
	pthread_mutex_lock(&eb->mu);
	eb->stop = 1;
	pthread_cond_signal(&eb->cond);
	pthread_mutex_unlock(&eb->mu);
	pthread_join(eb->keeper, NULL);
	eb->keeper_running = 0;
}

static int keeper_start(etcd_backend *eb)
{
	eb->stop = 0;
	eb->lost = 0;
	if (pthread_create(&eb->keeper, NULL, keeper_main, eb) != 0)
		return ikc_error_set(IKC_ERR_OS, "cannot start the lease keepalive thread");
	eb->keeper_running = 1;
	return 0;
}

static void lease_revoke(etcd_backend *eb, const char *lease)
{
	json_object *body = json_object_new_object(), *ans = NULL;

	if (body && put(body, "ID", json_object_new_string(lease)) == 0)
		(void)ikc_etcd_call(eb->kv, "lease/revoke", body, &ans, 10, NULL);
	json_object_put(body);
	json_object_put(ans);
}

static int lease_grant(etcd_backend *eb, char lease[32])
{
	json_object *body = json_object_new_object(), *ans = NULL;
	long long id;
	int error;

	if (!body)
		return ikc_error_oom();
	error = put(body, "TTL", json_object_new_int64(eb->ttl));
	if (error == 0)
		error = ikc_etcd_call(eb->kv, "lease/grant", body, &ans, 0, NULL);
	json_object_put(body);
	if (error < 0)
		return error;
	id = ikc_etcd_int(ans, "ID");
	json_object_put(ans);
	if (id == 0)
		return ikc_error_set_code(IKC_EREMOTE, IKC_ERR_STATE,
			"etcd at %s granted no lease", ikc_etcd_hosts(eb->kv));
	snprintf(lease, 32, "%lld", id);
	return 0;
}

/* Decodes the lock value of a kv; a broken lock says how to clear it. */
static int holder_of(etcd_backend *eb, json_object *kv, ikc_lock_info *out,
		     ikc_buf *raw)
{
	int error;

	memset(out, 0, sizeof(*out));
	error = kv_value(raw, kv);
	if (error == 0)
		error = ikc_lock__decode(out, raw->ptr, raw->len, "its value");
	if (error < 0 && error != IKC_ERROR) {
		char *why = strdup(ikc_error_last());

		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"the etcd lock key %s is unreadable (%s); if no ikc run "
			"is active, delete it (etcdctl del %s)", eb->lock_key,
			why ? why : "invalid", eb->lock_key);
		free(why);
	}
	return error;
}

/*
 * One attempt: 0 (ours, eb->held etc. set), IKC_ELOCKED with `holder`
 * filled (message set only for an unreadable lock), or another error.
 */
static int acquire_once(etcd_backend *eb, const ikc_lock_info *info,
			ikc_lock_info *holder)
{
	ikc_buf value = IKC_BUF_INIT(LOCK_MAX), raw = IKC_BUF_INIT(LOCK_MAX);
	json_object *t = NULL, *cmp, *ok, *fail, *ans = NULL, *kv;
	char lease[32];
	int error, ours = 0;

	memset(holder, 0, sizeof(*holder));
	error = ikc_lock__encode(&value, info);
	if (error < 0)
		return error;
	error = lease_grant(eb, lease);
	if (error < 0)
		goto done;
	t = txn_new(&cmp, &ok, &fail);
	if (!t) {
		error = ikc_error_oom();
		goto done;
	}
	error = append(cmp, compare(eb->lock_key, "CREATE", 0, NULL, 0));
	if (error == 0)
		error = append(ok, put_op(eb->lock_key, value.ptr, value.len, lease));
	if (error == 0)
		error = append(fail, op("request_range",
					range_body(eb->lock_key, NULL, 0)));
	if (error == 0)
		error = ikc_etcd_call(eb->kv, "kv/txn", t, &ans, 0, NULL);
	if (error < 0)
		goto done;
	if (json_object_get_boolean(ikc_json_path(ans, "succeeded"))) {
		eb->lock_rev = ikc_etcd_int(ikc_json_path(ans, "header"), "revision");
		ours = 1;
		goto done;
	}
	kv = first_kv(ikc_json_path(ans, "responses[0].response_range"));
	if (!kv) {
		error = LOCK_RETRY;       /* released meanwhile */
		goto done;
	}
	error = holder_of(eb, kv, holder, &raw);
	if (error == IKC_EINVALID) {
		error = IKC_ELOCKED;      /* the message says why */
		goto done;
	}
	if (error < 0)
		goto done;
	if (!strcmp(holder->id, info->id) &&
	    !strcmp(ikc_json_str(kv, "lease") ? ikc_json_str(kv, "lease") : "",
		    lease)) {
		/* An earlier attempt of this very txn went through. */
		eb->lock_rev = ikc_etcd_int(kv, "create_revision");
		ikc_lock_info_dispose(holder);
		ours = 1;
		goto done;
	}
	error = IKC_ELOCKED;
done:
	if (ours) {
		memcpy(eb->held, info->id, sizeof(eb->held));
		memcpy(eb->lease, lease, sizeof(eb->lease));
		error = keeper_start(eb);
		if (error < 0) {
			/* Without renewals the lock would lapse mid-run: give it back
			 * (revoking the lease deletes the lock key with it). */
			lease_revoke(eb, lease);
			eb->held[0] = '\0';
			eb->lease[0] = '\0';
		}
	} else if (t) {
		lease_revoke(eb, lease);
	}
	json_object_put(t);
	json_object_put(ans);
	ikc_buf_dispose(&value);
	ikc_buf_dispose(&raw);
	return error;
}

static int nap(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	if (nanosleep(&ts, NULL) < 0 && errno == EINTR)
		return ikc_error_set_code(IKC_EINTERRUPTED, IKC_ERR_STATE,
			"interrupted while waiting for the state lock");
	return 0;
}

/* Forgets the lock of this handle: stops the keepalive, revokes the lease. */
static void drop_held(etcd_backend *eb)
{
	keeper_stop(eb);
	if (eb->lease[0])
		lease_revoke(eb, eb->lease);
	eb->held[0] = '\0';
	eb->lease[0] = '\0';
	eb->lock_rev = 0;
	eb->lost = 0;
}

static int eb_lock(ikc_backend *be, const ikc_lock_info *info, double timeout)
{
	etcd_backend *eb = (etcd_backend *)be;
	double start = ikc_time_monotonic(), delay = POLL_FIRST;
	ikc_lock_info holder;
	int error, retries = 0;

	if (!info || strlen(info->id) != 36)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "a state lock needs a lock id");
	if (eb->held[0] && lease_lost(eb))
		drop_held(eb);            /* expired under us: start afresh */
	if (eb->held[0]) {
		if (!strcmp(eb->held, info->id))
			return 0;         /* taken with this very id already */
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"this handle on %s already holds lock %s; unlock it "
			"first", eb->url, eb->held);
	}
	for (;;) {
		double waited, jitter;
		unsigned char r = 128;

		error = acquire_once(eb, info, &holder);
		if (error == LOCK_RETRY && ++retries < 20)
			continue;
		if (error == LOCK_RETRY)
			return ikc_error_set_code(IKC_ELOCKED, IKC_ERR_STATE,
				"the lock %s keeps changing hands; try again",
				eb->lock_key);
		if (error != IKC_ELOCKED)
			return error;
		waited = ikc_time_monotonic() - start;
		if (waited >= timeout) {
			if (holder.id[0])
				error = ikc_lock__refuse(&holder,
							 timeout > 0 ? waited : 0);
			ikc_lock_info_dispose(&holder);
			return error;
		}
		ikc_lock_info_dispose(&holder);
		(void)ikc_random_bytes(&r, 1);
		jitter = delay * (0.5 + (double)r / 255.0);
		if (jitter > timeout - waited)
			jitter = timeout - waited;
		error = nap(jitter);
		if (error < 0)
			return error;
		delay = delay * 2 > POLL_MAX ? POLL_MAX : delay * 2;
	}
}

/* Deletes the lock if it is held with `lock_id` (txn comparing the value). */
static int release(etcd_backend *eb, const char *lock_id)
{
	ikc_buf raw = IKC_BUF_INIT(LOCK_MAX), who = IKC_BUF_INIT(4096);
	ikc_lock_info cur;
	int attempt, error = 0;

	if (!lock_id || !*lock_id)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "no lock id given");
	memset(&cur, 0, sizeof(cur));
	for (attempt = 0; attempt < 10; attempt++) {
		json_object *doc = NULL, *kv, *t, *cmp, *ok, *fail, *ans = NULL;
		int done_now = 0;

		ikc_buf_clear(&raw);
		ikc_lock_info_dispose(&cur);
		error = get_key(eb, eb->lock_key, &doc, &kv, NULL);
		if (error == IKC_ENOTFOUND)
			error = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_STATE,
				"the state at %s is not locked", eb->url);
		if (error == 0)
			error = holder_of(eb, kv, &cur, &raw);
		if (error == 0 && strcmp(cur.id, lock_id) != 0) {
			ikc_buf_clear(&who);
			(void)ikc_lock_info_describe(&who, &cur);
			error = ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_STATE,
				"lock id %s does not hold the state lock; it is "
				"held by %s", lock_id, who.ptr ? who.ptr : cur.id);
		}
		json_object_put(doc);
		if (error < 0)
			break;
		t = txn_new(&cmp, &ok, &fail);
		error = t ? append(cmp, compare(eb->lock_key, "VALUE", 0,
						raw.ptr, raw.len))
			  : ikc_error_oom();
		if (error == 0)
			error = append(ok, delete_op(eb->lock_key, NULL));
		if (error == 0)
			error = ikc_etcd_call(eb->kv, "kv/txn", t, &ans, 0, NULL);
		if (error == 0)
			done_now = json_object_get_boolean(
				ikc_json_path(ans, "succeeded"));
		json_object_put(t);
		json_object_put(ans);
		if (error < 0 || done_now)
			break;
		/* The value changed between the read and the txn: look again. */
	}
	if (attempt == 10)
		error = ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_STATE,
			"the lock %s keeps changing hands; try again", eb->lock_key);
	ikc_lock_info_dispose(&cur);
	ikc_buf_dispose(&raw);
	ikc_buf_dispose(&who);
	return error;
}

static int eb_unlock(ikc_backend *be, const char *lock_id)
{
	etcd_backend *eb = (etcd_backend *)be;
	int error = release(eb, lock_id);

	if ((error == 0 || error == IKC_ENOTFOUND) && lock_id &&
	    eb->held[0] && !strcmp(eb->held, lock_id))
		drop_held(eb);
	return error;
}

static int eb_force_unlock(ikc_backend *be, const char *lock_id)
{
	return eb_unlock(be, lock_id);
}

static int eb_lock_holder(ikc_backend *be, ikc_lock_info *out)
{
	etcd_backend *eb = (etcd_backend *)be;
	ikc_buf raw = IKC_BUF_INIT(LOCK_MAX);
	json_object *doc = NULL, *kv;
	int error;

	memset(out, 0, sizeof(*out));
	error = get_key(eb, eb->lock_key, &doc, &kv, NULL);
	if (error == IKC_ENOTFOUND)
		error = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_STATE,
			"the state at %s is not locked", eb->url);
	if (error == 0)
		error = holder_of(eb, kv, out, &raw);
	json_object_put(doc);
	ikc_buf_dispose(&raw);
	return error;
}

/* ---- state document ---- */

typedef struct manifest {
	long long mod_rev;       /* of the manifest key */
	long long rev;           /* store revision it was read at */
	long long chunks;
	long long size;
	const char *sha256;
	const char *generation;
	const char *lineage;
	long long serial;
	json_object *doc;        /* owns the strings above */
} manifest;

static void manifest_dispose(manifest *m)
{
	json_object_put(m->doc);
	memset(m, 0, sizeof(*m));
}

/* Reads the manifest: 0, IKC_ENOTFOUND, IKC_EINVALID (not ours) or < 0. */
static int manifest_read(etcd_backend *eb, manifest *m, int *unreachable)
{
	ikc_buf raw = IKC_BUF_INIT(MANIFEST_MAX);
	json_object *ans = NULL, *kv;
	int error;

	memset(m, 0, sizeof(*m));
	error = get_key(eb, eb->state_key, &ans, &kv, unreachable);
	if (error < 0)
		goto done;
	m->mod_rev = ikc_etcd_int(kv, "mod_revision");
	m->rev = ikc_etcd_int(ikc_json_path(ans, "header"), "revision");
	error = kv_value(&raw, kv);
	if (error == 0)
		error = ikc_json_parse(&m->doc, raw.ptr, raw.len, NULL);
	if (error == 0 && ikc_etcd_int(m->doc, "ikc_etcd_state") != 1)
		error = IKC_EINVALID;
	if (error == IKC_EINVALID || error == IKC_ELIMIT) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"etcd key %s at %s is not an ikc state manifest; not "
			"touching it", eb->state_key, ikc_etcd_hosts(eb->kv));
		goto done;
	}
	if (error < 0)
		goto done;
	m->chunks = ikc_etcd_int(m->doc, "chunks");
	m->size = ikc_etcd_int(m->doc, "size");
	m->serial = ikc_etcd_int(m->doc, "serial");
	m->sha256 = ikc_json_str(m->doc, "sha256");
	m->generation = ikc_json_str(m->doc, "generation");
	m->lineage = ikc_json_str(m->doc, "lineage");
	if (m->chunks < 1 || m->size < 0 || (size_t)m->size > IKC_STATE_MAX ||
	    !m->sha256 || !m->generation || !m->lineage ||
	    strchr(m->generation, '/'))
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"etcd key %s at %s is a damaged ikc state manifest",
			eb->state_key, ikc_etcd_hosts(eb->kv));
done:
	if (error < 0)
		manifest_dispose(m);
	json_object_put(ans);
	ikc_buf_dispose(&raw);
	return error;
}

static void sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	out[0] = '\0';
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return;
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static char *chunk_key(etcd_backend *eb, const char *gen, long long i)
{
	return ikc_asprintf("%s%s/%06lld", eb->chunk_prefix, gen, i);
}

/* Appends the chunks `m` names, read at the manifest's revision. */
static int chunks_read(etcd_backend *eb, const manifest *m, ikc_buf *out)
{
	char *from = ikc_asprintf("%s%s/", eb->chunk_prefix, m->generation);
	char *to = from ? ikc_etcd_prefix_end(from) : NULL;
	json_object *body = NULL, *ans = NULL, *kvs;
	size_t start = out->len, i, n;
	char sum[65];
	int error;

	if (!to) {
		error = ikc_error_oom();
		goto done;
	}
	body = range_body(from, to, m->rev);
	if (!body) {
		error = ikc_error_oom();
		goto done;
	}
	error = ikc_etcd_call(eb->kv, "kv/range", body, &ans, 0, NULL);
	if (error < 0)
		goto done;
	kvs = ikc_json_path(ans, "kvs");
	n = kvs && json_object_is_type(kvs, json_type_array)
		? json_object_array_length(kvs) : 0;
	if ((long long)n != m->chunks) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"the state at %s is damaged: its manifest names %lld "
			"chunks, etcd holds %zu", eb->url, m->chunks, n);
		goto done;
	}
	for (i = 0; i < n && error == 0; i++)
		error = kv_value(out, json_object_array_get_idx(kvs, i));
	if (error < 0)
		goto done;
	sha256_hex(sum, out->ptr + start, out->len - start);
	if ((long long)(out->len - start) != m->size || strcmp(sum, m->sha256))
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"the state at %s is damaged: %zu bytes with SHA-256 %s, "
			"its manifest says %lld bytes with %s", eb->url,
			out->len - start, sum, m->size, m->sha256);
done:
	json_object_put(body);
	json_object_put(ans);
	free(from);
	free(to);
	return error;
}

static int eb_read(ikc_backend *be, ikc_buf *out, char **version_out)
{
	etcd_backend *eb = (etcd_backend *)be;
	size_t start = out->len;
	manifest m;
	int error, attempt;

	*version_out = NULL;
	for (attempt = 0; attempt < 5; attempt++) {
		error = manifest_read(eb, &m, NULL);
		if (error == IKC_ENOTFOUND)
			return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_STATE,
				"no state is stored at %s yet", eb->url);
		if (error < 0)
			return error;
		error = chunks_read(eb, &m, out);
		if (error == 0)
			break;
		manifest_dispose(&m);
		out->len = start;
		if (out->ptr)
			out->ptr[start] = '\0';
		/* Compacted away under us: a newer manifest names newer chunks. */
		if (error != IKC_EREMOTE || !strstr(ikc_error_last(), "compacted"))
			return error;
	}
	if (error < 0)
		return error;
	*version_out = ikc_asprintf("%lld", m.mod_rev);
	manifest_dispose(&m);
	if (!*version_out)
		return ikc_error_oom();
	return ikc_buf_put(out, "", 0);
}

/* Compares the stored manifest with what the caller read; 0 if it may go. */
static int compare_stored(etcd_backend *eb, const manifest *cur, int exists,
			  const ikc_state *next, const char *expected)
{
	char now[32];

	if (!exists) {
		if (expected)
			return ikc_error_set_code(IKC_ESTALE, IKC_ERR_STATE,
				"state changed since it was read (version %s, now "
				"removed from %s)", expected, eb->url);
		return 0;
	}
	snprintf(now, sizeof(now), "%lld", cur->mod_rev);
	if (!expected)
		return ikc_error_set_code(IKC_ESTALE, IKC_ERR_STATE,
			"a state is already stored at %s (serial %lld); load it "
			"instead of starting a new one", eb->url, cur->serial);
	if (strcmp(cur->lineage, ikc_state_lineage(next)) != 0)
		return ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_STATE,
			"the state at %s has lineage %s, not %s: it is another "
			"state; not overwriting it", eb->url, cur->lineage,
			ikc_state_lineage(next));
	if (strcmp(now, expected) != 0)
		return ikc_error_set_code(IKC_ESTALE, IKC_ERR_STATE,
			"state changed since it was read (serial %lld now, "
			"version %s read, %s now)", cur->serial, expected, now);
	if ((long long)ikc_state_serial(next) <= cur->serial)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"the new state's serial %" PRIu64 " must be greater than "
			"the stored serial %lld", ikc_state_serial(next),
			cur->serial);
	return 0;
}

/* Saves the document to ./ikc-rescue-<stack>-<serial>.state.json; names it in the error. */
static int rescue(etcd_backend *eb, const ikc_state *next, const char *data,
		  size_t len, int code)
{
	char *why = strdup(ikc_error_last());
	char *stack = strdup(ikc_state_stack(next) ? ikc_state_stack(next) : "state");
	char *path = NULL, *p;
	int error = code;

	if (!why || !stack) {
		error = ikc_error_oom();
		goto done;
	}
	for (p = stack; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._-", *p))
			*p = '_';
	path = ikc_asprintf("./ikc-rescue-%s-%" PRIu64 ".state.json", stack,
			    ikc_state_serial(next));
	if (!path) {
		error = ikc_error_oom();
		goto done;
	}
	if (ikc_fs_write_atomic(path, data, len, 0600) < 0) {
		char *also = strdup(ikc_error_last());

		ikc_error_set_code(code, IKC_ERR_STATE,
			"cannot store state serial %" PRIu64 " at %s (%s), and "
			"cannot save it to a rescue file either (%s)",
			ikc_state_serial(next), eb->url, why,
			also ? also : "unknown");
		free(also);
		goto done;
	}
	ikc_error_set_code(code, IKC_ERR_STATE,
		"cannot store state serial %" PRIu64 " at %s (%s); it was saved "
		"to %s instead: once etcd is back, `ikc state push %s` restores it",
		ikc_state_serial(next), eb->url, why, path, path);
done:
	free(why);
	free(stack);
	free(path);
	return error;
}

static void gen_id(char out[17])
{
	unsigned char r[8];
	int i;

	if (ikc_random_bytes(r, sizeof(r)) < 0) {
		/* Not secret, only unique: time and pid do. */
		unsigned long long t = (unsigned long long)(ikc_time_now() * 1e6) ^
				       ((unsigned long long)getpid() << 40);

		memcpy(r, &t, sizeof(r));
	}
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/* Deletes the chunks of generation `gen` (after a refused write). */
static void chunks_delete(etcd_backend *eb, const char *gen)
{
	char *from = ikc_asprintf("%s%s/", eb->chunk_prefix, gen);
	char *to = from ? ikc_etcd_prefix_end(from) : NULL;
	json_object *body = to ? range_body(from, to, 0) : NULL, *ans = NULL;

	if (body)
		(void)ikc_etcd_call(eb->kv, "kv/deleterange", body, &ans, 0, NULL);
	json_object_put(body);
	json_object_put(ans);
	free(from);
	free(to);
}

/* The manifest for a document. */
static json_object *manifest_new(const ikc_state *next, size_t len,
				 size_t chunks, const char *gen, const char *sum)
{
	json_object *m = json_object_new_object();

	if (!m)
		return NULL;
	if (put(m, "ikc_etcd_state", json_object_new_int(1)) < 0 ||
	    put(m, "chunks", json_object_new_int64((int64_t)chunks)) < 0 ||
	    put(m, "size", json_object_new_int64((int64_t)len)) < 0 ||
	    put(m, "sha256", json_object_new_string(sum)) < 0 ||
	    put(m, "generation", json_object_new_string(gen)) < 0 ||
	    put(m, "lineage", json_object_new_string(ikc_state_lineage(next))) < 0 ||
	    put(m, "serial", json_object_new_int64((int64_t)ikc_state_serial(next))) < 0) {
		json_object_put(m);
		return NULL;
	}
	return m;
}

/* Builds the write txn (see etcd.h). */
static json_object *write_txn(etcd_backend *eb, long long cur_rev,
			      json_object *mf, const char *data, size_t len,
			      size_t chunks, const char *gen)
{
	json_object *t, *cmp, *ok, *fail;
	const char *mtext = json_object_to_json_string_ext(mf,
						JSON_C_TO_STRING_PLAIN);
	char *gen_from = ikc_asprintf("%s%s/", eb->chunk_prefix, gen);
	char *gen_to = gen_from ? ikc_etcd_prefix_end(gen_from) : NULL;
	char *all_to = ikc_etcd_prefix_end(eb->chunk_prefix);
	char *key0 = chunk_key(eb, gen, 0);
	int error;

	t = txn_new(&cmp, &ok, &fail);
	error = t && mtext && gen_to && all_to && key0 ? 0 : ikc_error_oom();
	if (error == 0)
		error = append(cmp, compare(eb->state_key, "MOD", cur_rev, NULL, 0));
	if (error == 0 && eb->held[0])
		error = append(cmp, compare(eb->lock_key, "CREATE", eb->lock_rev,
					    NULL, 0));
	if (error == 0)
		error = append(ok, put_op(eb->state_key, mtext, strlen(mtext),
					  NULL));
	if (error == 0 && chunks == 1)
		error = append(ok, put_op(key0, data, len, NULL));
	/* Every other generation's chunks (old and orphaned) go. */
	if (error == 0)
		error = append(ok, delete_op(eb->chunk_prefix, gen_from));
	if (error == 0)
		error = append(ok, delete_op(gen_to, all_to));
	free(gen_from);
	free(gen_to);
	free(all_to);
	free(key0);
	if (error < 0) {
		json_object_put(t);
		return NULL;
	}
	return t;
}

static int eb_write(ikc_backend *be, const char *data, size_t len,
		    const char *expected_version, char **new_version_out)
{
	etcd_backend *eb = (etcd_backend *)be;
	ikc_state *next = NULL;
	json_object *mf = NULL, *t = NULL, *ans = NULL;
	size_t chunks, i;
	manifest cur, after;
	char gen[17], sum[65];
	int error, exists, unreachable = 0, prewritten = 0;

	*new_version_out = NULL;
	memset(&cur, 0, sizeof(cur));
	memset(&after, 0, sizeof(after));
	error = ikc_state_parse(&next, data, len, "the state to store");
	if (error < 0)
		return error;
	if (eb->held[0] && lease_lost(eb)) {
		error = ikc_error_set_code(IKC_ELOCKED, IKC_ERR_STATE,
			"the state lock of this run (id %s) expired; not writing "
			"%s", eb->held, eb->url);
		goto done;
	}
	error = manifest_read(eb, &cur, &unreachable);
	exists = error == 0;
	if (error == IKC_ENOTFOUND)
		error = 0;
	if (error < 0)
		goto done;
	error = compare_stored(eb, &cur, exists, next, expected_version);
	if (error < 0)
		goto done;

	gen_id(gen);
	sha256_hex(sum, data, len);
	chunks = len == 0 ? 1 : (len + CHUNK_SIZE - 1) / CHUNK_SIZE;
	mf = manifest_new(next, len, chunks, gen, sum);
	if (!mf) {
		error = ikc_error_oom();
		goto done;
	}
	/* Chunks of a large document first, invisible until the manifest names them. */
	for (i = 0; chunks > 1 && i < chunks; i++) {
		size_t off = i * CHUNK_SIZE;
		size_t n = len - off < CHUNK_SIZE ? len - off : CHUNK_SIZE;
		char *key = chunk_key(eb, gen, (long long)i);
		json_object *body = key ? json_object_new_object() : NULL;

		prewritten = 1;
		error = body ? 0 : ikc_error_oom();
		if (error == 0)
			error = put(body, "key", ikc_etcd_b64s(key));
		if (error == 0)
			error = put(body, "value", ikc_etcd_b64(data + off, n));
		if (error == 0)
			error = ikc_etcd_call(eb->kv, "kv/put", body, &ans, 0,
					      &unreachable);
		json_object_put(body);
		json_object_put(ans);
		ans = NULL;
		free(key);
		if (error < 0)
			goto done;
	}
	t = write_txn(eb, exists ? cur.mod_rev : 0, mf, data, len, chunks, gen);
	if (!t) {
		error = ikc_error_oom();
		goto done;
	}
	error = ikc_etcd_call(eb->kv, "kv/txn", t, &ans, 0, &unreachable);
	if (error < 0)
		goto done;
	if (json_object_get_boolean(ikc_json_path(ans, "succeeded"))) {
		*new_version_out = ikc_asprintf("%lld", ikc_etcd_int(
			ikc_json_path(ans, "header"), "revision"));
		prewritten = 0;
		error = *new_version_out ? 0 : ikc_error_oom();
		goto done;
	}
	/* Refused: find out why (or that a retried attempt went through). */
	error = manifest_read(eb, &after, &unreachable);
	if (error == 0 && !strcmp(after.generation, gen)) {
		*new_version_out = ikc_asprintf("%lld", after.mod_rev);
		prewritten = 0;
		error = *new_version_out ? 0 : ikc_error_oom();
		goto done;
	}
	if (error < 0 && error != IKC_ENOTFOUND)
		goto done;
	if (eb->held[0] && after.mod_rev == (exists ? cur.mod_rev : 0)) {
		error = ikc_error_set_code(IKC_ELOCKED, IKC_ERR_STATE,
			"the state lock of this run (id %s) was released or taken "
			"over; not writing %s", eb->held, eb->url);
		goto done;
	}
	error = ikc_error_set_code(IKC_ESTALE, IKC_ERR_STATE,
		"state changed since it was read (version %s); another run "
		"wrote %s meanwhile", expected_version ? expected_version : "none",
		eb->url);
done:
	if (error < 0 && prewritten && !unreachable)
		chunks_delete(eb, gen);
	if (error < 0 && unreachable)
		error = rescue(eb, next, data, len, error);
	json_object_put(t);
	json_object_put(ans);
	json_object_put(mf);
	manifest_dispose(&cur);
	manifest_dispose(&after);
	ikc_state_free(next);
	return error;
}

static void eb_free(ikc_backend *be)
{
	etcd_backend *eb = (etcd_backend *)be;

	if (!eb)
		return;
	if (eb->held[0]) {
		(void)release(eb, eb->held);
		drop_held(eb);
	}
	ikc_etcd_free(eb->kv);
	pthread_cond_destroy(&eb->cond);
	pthread_mutex_destroy(&eb->mu);
	free(eb->url);
	free(eb->state_key);
	free(eb->chunk_prefix);
	free(eb->lock_key);
	free(eb);
}

/* The lock lease from IKC_ETCD_LOCK_TTL (2..3600 s) or the default. */
static int lock_ttl(long *out)
{
	const char *v = getenv("IKC_ETCD_LOCK_TTL");
	char *end = NULL;
	long ttl;

	*out = LOCK_TTL_DEFAULT;
	if (!v || !*v)
		return 0;
	errno = 0;
	ttl = strtol(v, &end, 10);
	if (errno || *end || ttl < 2 || ttl > 3600)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"IKC_ETCD_LOCK_TTL '%s' is not a number of seconds "
			"from 2 to 3600", v);
	*out = ttl;
	return 0;
}

int ikc_etcd_backend_open(ikc_backend **out, const char *url)
{
	const char *rest, *slash;
	etcd_backend *eb = NULL;
	char *hosts = NULL, *prefix = NULL;
	size_t plen;
	int tls, error;

	*out = NULL;
	tls = ikc_str_startswith(url, "etcds://");
	if (!tls && !ikc_str_startswith(url, "etcd://"))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"'%s' is not an etcd:// or etcds:// URL", url);
	rest = url + strlen(tls ? "etcds://" : "etcd://");
	slash = strchr(rest, '/');
	if (!slash || slash == rest)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"state URL '%s' needs endpoints and a key prefix "
			"(etcd://HOST:PORT[,HOST:PORT...]/PREFIX)", url);
	while (*slash == '/')
		slash++;
	plen = strlen(slash);
	while (plen > 0 && slash[plen - 1] == '/')
		plen--;
	if (plen == 0)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"state URL '%s' has no key prefix (etcd://HOST:PORT/PREFIX)",
			url);
	eb = calloc(1, sizeof(*eb));
	if (!eb)
		return ikc_error_oom();
	if (pthread_mutex_init(&eb->mu, NULL) != 0) {
		free(eb);
		return ikc_error_set(IKC_ERR_OS, "cannot make a mutex");
	}
	if (pthread_cond_init(&eb->cond, NULL) != 0) {
		pthread_mutex_destroy(&eb->mu);
		free(eb);
		return ikc_error_set(IKC_ERR_OS, "cannot make a condition variable");
	}
	hosts = ikc_asprintf("%.*s", (int)(strchr(rest, '/') - rest), rest);
	prefix = ikc_asprintf("%.*s", (int)plen, slash);
	eb->url = strdup(url);
	if (!hosts || !prefix || !eb->url) {
		error = ikc_error_oom();
		goto fail;
	}
	eb->state_key = ikc_asprintf("%s/state", prefix);
	eb->chunk_prefix = ikc_asprintf("%s/state/", prefix);
	eb->lock_key = ikc_asprintf("%s/lock", prefix);
	if (!eb->state_key || !eb->chunk_prefix || !eb->lock_key) {
		error = ikc_error_oom();
		goto fail;
	}
	error = lock_ttl(&eb->ttl);
	if (error == 0)
		error = ikc_etcd_new(&eb->kv, hosts, tls);
	if (error < 0)
		goto fail;
	eb->parent.version = 1;
	eb->parent.url = eb->url;
	eb->parent.read = eb_read;
	eb->parent.write = eb_write;
	eb->parent.lock = eb_lock;
	eb->parent.unlock = eb_unlock;
	eb->parent.force_unlock = eb_force_unlock;
	eb->parent.lock_holder = eb_lock_holder;
	eb->parent.free = eb_free;
	*out = &eb->parent;
	free(hosts);
	free(prefix);
	return 0;
fail:
	free(hosts);
	free(prefix);
	eb_free(&eb->parent);
	return error;
}
