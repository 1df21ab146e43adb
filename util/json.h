#ifndef IKC_UTIL_JSON_H
#define IKC_UTIL_JSON_H

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>     /* json-c is the shared value representation */
#include "util/buf.h"

/**
 * Parses `len` bytes of JSON into an owned value.  `what` names the input in
 * the error ("state file", "response from GET ...").  Rejects trailing
 * garbage and nesting deeper than 128.  0 or IKC_EINVALID.
 */
int ikc_json_parse(json_object **out, const char *data, size_t len,
		   const char *what);

/**
 * Looks up a dotted path with optional list indices ("spec.ports[0].port",
 * "status.loadBalancer.ingress[0].ip").  Borrowed; NULL when absent.
 */
json_object *ikc_json_path(json_object *root, const char *path);

/**
 * Sets a dotted path (creating objects on the way; list indices must exist),
 * taking ownership of `value` in every case.  0 or IKC_ERROR.
 */
int ikc_json_set_path(json_object *root, const char *path, json_object *value);

/** Removes a dotted path if present. 0 whether or not it was there. */
int ikc_json_del_path(json_object *root, const char *path);

/** Borrowed string member or NULL (also when not a string). */
const char *ikc_json_str(json_object *obj, const char *key);

/** Owned deep copy, NULL on OOM (or when src is NULL). */
json_object *ikc_json_copy(json_object *src);

/** Compact, key-sorted serialisation appended to `out` (stable for hashing and diffs). */
int ikc_json_canonical(ikc_buf *out, json_object *obj);

/**
 * Equality as the diff rules compare values: deep, numbers by value, and a
 * number equals a string holding the same integer ("80" == 80, int64 strings).
 */
int ikc_json_equal_loose(json_object *a, json_object *b);

/** Adds `val` (owned) under `key`; on failure puts it. 0 or IKC_ERROR. */
int ikc_json_add(json_object *obj, const char *key, json_object *val);
/** Appends `val` (owned) to array; on failure puts it. 0 or IKC_ERROR. */
int ikc_json_append(json_object *arr, json_object *val);

#endif /* IKC_UTIL_JSON_H */
