#ifndef IKC_PLANNER_SECRET_H
#define IKC_PLANNER_SECRET_H

/*
 * secret.h - sensitive values (a Secret's data and stringData, a Cluster's
 * masterAuth) never leave ikc: the state, the journal and saved plans keep
 * only which keys ikc manages, each value replaced by IKC_SECRET_MASK, and
 * no function of the value (no hash, salted or not), so nothing ikc writes
 * can be checked offline against a guess.  Plans compare the file's values
 * with the live object instead (see docs/secrets.md).
 */

#include <json-c/json.h>

/** What stands in a stored value for a sensitive one. */
#define IKC_SECRET_MASK "(sensitive)"

/**
 * In place: every sensitive value of `obj` (a value of kind `kind`) becomes
 * IKC_SECRET_MASK: for a Secret each value under data and stringData (the
 * whole member when it is not a map); for a Cluster each member of
 * masterAuth (under spec or at the top) but clusterCaCertificate.  NULL obj
 * is fine.  0 or IKC_ERROR.
 */
int ikc_secret_mask(json_object *obj, const char *kind);

/**
 * In place: the members holding sensitive values are removed (a Secret's
 * data and stringData, a Cluster's masterAuth but its CA), for comparisons
 * that cannot see them.  NULL obj is fine.  0 or IKC_ERROR.
 */
int ikc_secret_strip(json_object *obj, const char *kind);

/** 1 if `v` is IKC_SECRET_MASK. */
int ikc_secret_is_mask(json_object *v);

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
