#ifndef IKC_STATE_ETCD_KV_H
#define IKC_STATE_ETCD_KV_H

/*
 * A small client of etcd v3's JSON gateway (POST /v3/...), for the etcd://
 * state backend only.  It keeps the list of endpoints, moves on to the next
 * one when an endpoint does not answer (or answers 502/503/504), and, when
 * ETCD_USERNAME is set, authenticates with ETCD_USERNAME/ETCD_PASSWORD at
 * /v3/auth/authenticate and sends the token in the Authorization header
 * (simple tokens belong to one member, so a token is renewed after a switch
 * of endpoint and once when etcd says it is invalid).
 *
 * Keys and values travel base64-encoded; int64 fields come back as JSON
 * strings.  Thread safety: one ikc_etcd may be used from several threads.
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>
#include "util/buf.h"

typedef struct ikc_etcd ikc_etcd;

/**
 * Makes a client for "HOST:PORT[,HOST:PORT...]" (`tls`: https, trusting
 * IKC_CA_BUNDLE besides the system CAs).  Nothing is contacted yet.
 * 0, IKC_EINVALID (bad host list) or IKC_ERROR.
 */
int ikc_etcd_new(ikc_etcd **out, const char *hosts, int tls);
void ikc_etcd_free(ikc_etcd *e);

/**
 * POSTs `body` (borrowed) to /v3/`rpc` ("kv/range", "lease/grant", ...)
 * and parses the answer into *out (owned).  Tries every endpoint, a few
 * rounds, before giving up.  0; IKC_EREMOTE when etcd refused the call
 * (message quotes etcd); when no endpoint answered, IKC_ETIMEOUT or
 * IKC_ERROR with *unreachable (optional) set to 1 and a message naming the
 * endpoints; IKC_EINTERRUPTED.  `timeout` is seconds per attempt (0: 15).
 */
int ikc_etcd_call(ikc_etcd *e, const char *rpc, json_object *body,
		  json_object **out, double timeout, int *unreachable);

/** The endpoints as given ("h1:p1,h2:p2"), borrowed. */
const char *ikc_etcd_hosts(const ikc_etcd *e);

/** A JSON string holding the base64 of `len` bytes (NULL on OOM). */
json_object *ikc_etcd_b64(const void *data, size_t len);
/** Same for a NUL-terminated string. */
json_object *ikc_etcd_b64s(const char *s);
/** Appends the bytes of base64 text `text` to `out`. 0, IKC_EINVALID, IKC_ELIMIT or IKC_ERROR. */
int ikc_etcd_unb64(ikc_buf *out, const char *text);

/**
 * The end of the key range holding every key that starts with `prefix`
 * (the prefix with its last byte plus one), as an owned string; NULL on OOM.
 */
char *ikc_etcd_prefix_end(const char *prefix);

/** An int64 field that the gateway sent as a string or number (0 when absent). */
long long ikc_etcd_int(json_object *obj, const char *key);

#endif /* IKC_STATE_ETCD_KV_H */
