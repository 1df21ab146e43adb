#ifndef IKC_PLANNER_SECRET_H
#define IKC_PLANNER_SECRET_H

/*
 * secret.h - Secret data kept out of the state: each value under a
 * Secret's data and stringData stands as a salted hash, so that a change is
 * still seen without the value being stored.
 */

#include <json-c/json.h>

/** What a hashed value starts with (the rest is hex HMAC-SHA-256). */
#define IKC_SECRET_HASH_PREFIX "(sensitive) hmac-sha256:"

/** out[33]: a fresh random salt (hex). 0 or IKC_ERROR. */
int ikc_secret_salt(char out[33]);

/**
 * In place: every sensitive value of `obj` (a value of kind `kind`) becomes
 * IKC_SECRET_HASH_PREFIX + hex HMAC-SHA-256(salt, the value's JSON text):
 * for a Secret each value under data and stringData; for a Cluster each
 * member of masterAuth (under spec or at the top) but clusterCaCertificate.
 * Values already hashed stay as they are.  NULL obj is fine.  0 or IKC_ERROR.
 */
int ikc_secret_hash_values(json_object *obj, const char *kind, const char *salt);

/**
 * 1 if the field at `path` (dotted, as in plans) of a value of kind `kind`
 * is sensitive: a Secret's data and stringData (and what is in them), a
 * Cluster's masterAuth (at the top or under spec) but its
 * clusterCaCertificate.
 */
int ikc_secret_path(const char *kind, const char *path);

/** 1 if values of this kind have sensitive parts (Secret, Cluster). */
int ikc_secret_kind(const char *kind);

#endif /* IKC_PLANNER_SECRET_H */
