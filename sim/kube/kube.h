#ifndef IKC_SIM_KUBE_KUBE_H
#define IKC_SIM_KUBE_KUBE_H

/*
 * Module-internal interface of one simulated cluster's Kubernetes API.
 * Everything here runs with the cluster's mutex held unless said otherwise.
 * Objects are json-c values owned by the store; a serialised copy of each
 * object version is cached so that a GET is a hash lookup and a memcpy.
 */

#include <pthread.h>         /* for pthread_mutex_t */
#include <stddef.h>          /* for size_t */
#include <stdint.h>          /* for uint64_t */
#include <json-c/json.h>
#include "sim/api.h"         /* for sim_request, sim_response */
#include "util/buf.h"         /* for ikc_buf */

/* Flags of a resource type. */
#define KUBE_NAMESPACED 0x01 /* lives in a namespace */
#define KUBE_GEN 0x02        /* has metadata.generation bumped on spec change */
#define KUBE_SCALE 0x04      /* has the scale subresource */
#define KUBE_STATUS 0x08     /* has the status subresource */
#define KUBE_ALL 0x10        /* in the "all" category */
#define KUBE_LIST_ONLY 0x20  /* served read-only (events) */

typedef struct kube_kind {
	const char *group;       /* "" for the core group */
	const char *version;     /* served version */
	const char *kind;
	const char *plural;
	const char *singular;
	const char *shortname;   /* NULL when none */
	int flags;
	const char *store;       /* storage name shared by versions ("pods") */
} kube_kind;

/* One stored object. */
typedef struct kube_obj {
	char *key;               /* "store/ns/name" (ns empty when cluster-scoped) */
	const kube_kind *kind;   /* the storage (preferred) version's kind */
	json_object *obj;        /* owned */
	char *json;              /* cached compact serialisation of obj */
	size_t json_len;
	unsigned long long rv;
	double due;              /* sim time of the next controller step; 0 none */
	struct kube_obj *next;   /* hash chain */
} kube_obj;

/* One watch event kept for streaming. */
typedef struct kube_event {
	unsigned long long rv;
	const char *store;       /* static string from the kind table */
	char *ns;
	char *type;              /* ADDED, MODIFIED, DELETED */
	json_object *obj;        /* owned snapshot */
	size_t bytes;            /* its serialised size, for the ring's cap */
} kube_event;

#define KUBE_EVENTS_MAX 2048
#define KUBE_EVENTS_BYTES ((size_t)32 << 20)   /* the ring's memory cap */

struct sim_kube {
	pthread_mutex_t mu;
	int refs;                /* the owner plus one per open watch */
	int dead;                /* sim_kube_free was called */
	char *cluster;
	char *version;           /* "1.30.5-gke.1014001" */
	unsigned long long rv;   /* last resourceVersion handed out */
	double now;              /* latest simulated time seen */
	int dirty;
	kube_obj **buckets;
	size_t nbuckets;
	size_t count;
	kube_event *events;      /* ring of the last KUBE_EVENTS_MAX events */
	size_t ev_start, ev_count;
	size_t ev_bytes;         /* sum of the ring's event sizes */
};

/* ---- kinds.c: the resource table, discovery, tables ---- */

/** Kind served at group/version with this plural, or NULL. */
const kube_kind *kube__kind_find(const char *group, const char *version,
				 const char *plural);
/** The storage kind for a storage name ("pods"). */
const kube_kind *kube__kind_by_store(const char *store);
/** The storage kind for a Kind name ("Pod"), or NULL. */
const kube_kind *kube__kind_by_kind(const char *kind);
/** The apiVersion of a kind, "v1" or "apps/v1"; owned. */
char *kube__api_version(const kube_kind *kd);

/*
 * Protocol-buffers writing (protobuf.c), enough for the OpenAPI v2 document.
 * Each appends to `b` and returns 0, IKC_ELIMIT or IKC_ERROR (out of memory).
 */
/** Appends `v` as a base-128 varint. */
int kube__pb_varint(ikc_buf *b, uint64_t v);
/** Appends field `field` with wire type 2 holding `len` bytes of `data`. */
int kube__pb_bytes(ikc_buf *b, unsigned field, const void *data, size_t len);
/** Appends a string field (the NUL is not written). */
int kube__pb_string(ikc_buf *b, unsigned field, const char *s);
/** Appends the encoded message in `msg` as embedded-message field `field`. */
int kube__pb_message(ikc_buf *b, unsigned field, const ikc_buf *msg);
/**
 * Answers the discovery and OpenAPI paths (/version, /api, /apis, /openapi).
 * Returns 1 if the path was one of them (resp filled), 0 otherwise.
 */
int kube__discovery(struct sim_kube *k, const sim_request *req,
		    sim_response *resp);
/** Owned meta.k8s.io/v1 Table of `objs` (borrowed) for kubectl get. */
json_object *kube__table(const kube_kind *kd, json_object **objs, size_t n,
			 const char *list_rv, int full_objects);

/* ---- store.c ---- */

/** Object by key parts, or NULL.  ns may be NULL/"" for cluster-scoped. */
kube_obj *kube__get(struct sim_kube *k, const char *store, const char *ns,
		    const char *name);
/**
 * Stores `obj` (owned) as a new version: bumps resourceVersion, refreshes
 * the cache, records a watch event.  Creates the entry when missing.  The
 * entry keeps its address across versions, so borrowed kube_obj pointers
 * stay valid (strings borrowed from the old json do not).  Takes `obj` in
 * every case; returns the entry, or NULL on OOM.
 */
kube_obj *kube__put(struct sim_kube *k, const kube_kind *kd, json_object *obj);
/** Removes an entry, recording a DELETED event. */
void kube__remove(struct sim_kube *k, kube_obj *o);
/** All entries of a storage name (optionally one namespace), sorted by key. */
kube_obj **kube__list(struct sim_kube *k, const char *store, const char *ns,
		      size_t *n_out);
/** A borrowed entry by uid (any type), or NULL. */
kube_obj *kube__by_uid(struct sim_kube *k, const char *uid);
/** Fresh object skeleton's common metadata: uid, creationTimestamp. */
int kube__stamp(json_object *obj);
/** What every new namespace gets: its "default" ServiceAccount. */
void kube__namespace_populate(struct sim_kube *k, const char *ns);
/** Deletes an object now or marks it (finalizers); handles Orphan. */
void kube__delete_obj(struct sim_kube *k, kube_obj *o, const char *policy);

/** Drops one reference; the caller holds the lock, which this releases. */
void kube__unref_locked(struct sim_kube *k);

/* ---- machinery.c: defaults, validation, allocation ---- */

/** Applies the server defaults of api-reference §4.4 to `obj` in place. */
void kube__defaults(struct sim_kube *k, const kube_kind *kd, json_object *obj);
/**
 * Validates `obj` (and, on update, against `old`).  Returns NULL when valid,
 * else an owned array of causes {reason, message, field}.
 */
json_object *kube__validate(struct sim_kube *k, const kube_kind *kd,
			    json_object *obj, json_object *old);
/** Service allocation: clusterIP(s), node ports; carries over from `old`. */
void kube__service_alloc(struct sim_kube *k, json_object *svc,
			 json_object *old);
/** Admission for a new Pod: token volume and mounts, default tolerations. */
void kube__pod_admit(json_object *pod);
/** Status a new object starts with. Owned. */
json_object *kube__initial_status(const kube_kind *kd, json_object *obj);

/* ---- rules.c: field syntax rules and the causes of a 422 ---- */

/** Appends {reason, message, field} to `causes`. */
void kube__cause(json_object *causes, const char *reason, const char *field,
		 const char *msg);
/** A FieldValueInvalid cause: "Invalid value: <val as JSON>: <detail>". */
void kube__invalid(json_object *causes, const char *field, json_object *val,
		   const char *detail);
/** Member `key` of object `o` (borrowed); NULL when absent or `o` is no object. */
json_object *kube__member(json_object *o, const char *key);
/** A FieldValueRequired cause. */
void kube__required(json_object *causes, const char *field);
/**
 * The syntax rules every write is held to (appending causes): the name
 * (DNS-1123 subdomain, DNS-1123 label for a Namespace, DNS-1035 label for
 * a Service, with the length limits), label and annotation keys and
 * values (also of pod templates and map selectors), Secret and ConfigMap
 * keys and sizes, Secret types and immutability (against `old` on
 * update), port names and int-or-string ports, protocols, container
 * resource names and quantities (>= 0, requests <= limits), and a
 * Deployment's maxSurge/maxUnavailable.
 */
void kube__validate_meta(json_object *causes, const kube_kind *kd,
			 json_object *obj, json_object *old);

/* ---- convert.c: decoding ---- */

/**
 * The 400 message the server gives for a body that does not decode into
 * the kind's types beyond JSON shape ("Secret in version \"v1\" cannot be
 * handled as a Secret: illegal base64 data at input byte 4"): Secret data
 * and ConfigMap binaryData that are not base64, stringData that is not a
 * map of strings, quantities that do not parse, int-or-string fields of
 * another type.  Owned; NULL when the body decodes.
 */
char *kube__decode_error(const kube_kind *kd, json_object *obj);
/**
 * In place, what decoding does to a valid body: a Secret's stringData is
 * folded into data (base64) and dropped; quantities are written in their
 * canonical form ("0.5" -> "500m").
 */
void kube__convert(const kube_kind *kd, json_object *obj);

/* ---- managed.c ---- */

/**
 * Records a write in obj's metadata.managedFields (carried from the old
 * version by the caller): `manager` (fieldManager, else the user agent's
 * product) with `operation` ("Update", "Apply") on `subresource` (NULL,
 * "status", "scale") gains the fields that differ from `old` (all of them
 * on create, old NULL) and the other managers lose them; a manager left
 * with no field is dropped.
 */
void kube__managed_fields(json_object *obj, json_object *old, const char *manager,
			  const char *operation, const char *subresource,
			  const char *api_version);

/* ---- fields.c ---- */

/**
 * Paths of fields `obj` has that its kind does not know ("spec.replicaz",
 * "spec.template.spec.containers[0].imagez"), as an owned array of strings;
 * NULL when there are none.  With `prune` they are also removed from `obj`,
 * as the API server drops fields it does not know.
 */
json_object *kube__unknown_fields(const kube_kind *kd, json_object *obj,
				  int prune);

/**
 * A decode error ("json: cannot unmarshal string into Go struct field ...")
 * when a well-known field has the wrong JSON type; owned; NULL when fine.
 */
char *kube__shape_error(const kube_kind *kd, json_object *obj);

/* ---- selector.c ---- */

typedef struct kube_selector kube_selector;
/** Parses a label selector string; NULL on a syntax error (msg set). */
kube_selector *kube__selector_parse(const char *s, char **err_out);
/** Parses a field selector string (same grammar, =, ==, != only). */
kube_selector *kube__field_selector_parse(const char *s, char **err_out);
void kube__selector_free(kube_selector *sel);
/** 1 if the labels object (may be NULL) matches. */
int kube__selector_labels(const kube_selector *sel, json_object *labels);
/** 1 if the object's fields match a field selector. */
int kube__selector_fields(const kube_selector *sel, json_object *obj);
/** 1 if labels match a map selector (RC) — every pair present. */
int kube__match_map(json_object *selector, json_object *labels);
/** 1 if labels match a LabelSelector object (matchLabels/matchExpressions). */
int kube__match_label_selector(json_object *selector, json_object *labels);
/** "a=b,c=d" text of a map or LabelSelector. Owned. */
char *kube__selector_string(json_object *selector);

/* ---- patch.c ---- */

/** RFC 7386 merge patch of `patch` onto `target` (modified in place). */
json_object *kube__merge_patch(json_object *target, json_object *patch);
/** RFC 6902 patch. 0, or -1 with *err_out (owned) set. */
int kube__json_patch(json_object **doc, json_object *ops, char **err_out);
/** Strategic merge patch onto `target` in place. 0 or -1 with *err_out. */
int kube__smp(json_object *target, json_object *patch, const kube_kind *kd,
	      char **err_out);

/* ---- controllers.c ---- */

/** Runs all controllers once at k->now. */
void kube__reconcile(struct sim_kube *k);

/* ---- helpers (store.c) ---- */

json_object *kube__meta(json_object *obj);          /* borrowed, created */
const char *kube__name(json_object *obj);
const char *kube__ns(json_object *obj);
long long kube__int(json_object *obj, const char *path, long long dflt);
/** Length of an array; 0 for NULL or anything that is not an array. */
size_t kube__len(json_object *a);
void kube__set(json_object *obj, const char *path, json_object *val);
void kube__now_rfc3339(char out[32]);
void kube__rand_suffix(char *out, size_t n);        /* n chars + NUL */
void kube__dirty(struct sim_kube *k);

/** The "components" of the /openapi/v3 document of a group-version (owned). */
json_object *kube__openapi_components(const char *group, const char *version);

#endif /* IKC_SIM_KUBE_KUBE_H */
