#ifndef IKC_PLANNER_DIFF_H
#define IKC_PLANNER_DIFF_H

/*
 * The three-way diff of one resource (spec.md "Diff rules"): desired (the
 * stack document, resolved) x last applied (the state's "desired") x live
 * (read now, or the state's "observed" when not refreshed).  Pure: no I/O.
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>
#include "planner/plan.h"
#include "providers/provider.h"
#include "providers/schema.h"

typedef struct ikc_diff_input {
	const ikc_provider_hints *hints;  /* required */
	const char *api_version;
	const char *kind;
	json_object *desired;      /* resolved stack document; NULL: removed from the file */
	json_object *last;         /* last applied value; NULL: never applied */
	json_object *live;         /* live value (or its stand-in); NULL: absent */
	const char *const *ignore; /* ikc.dev/ignore-changes paths */
	size_t nignore;
	/*
	 * The API's schema of this resource (may be NULL): lists compare as
	 * its x-kubernetes-list-type and merge keys say; where it is silent,
	 * the hints' list_semantics and merge_key.
	 */
	const struct ikc_schema *schema;
	json_object *schema_root;
} ikc_diff_input;

/**
 * Field changes that make live match desired: every leaf the file sets
 * (lists of objects matched by their map keys or position, lists of
 * scalars as a whole or, when a set, as sets, numbers loosely), removals of fields that were last applied and
 * are gone from the file but still live, stack-only fields against last
 * applied.  Unknown desired values always count.  Ignored paths never.
 * *out is owned (free with ikc_field_changes_free); 0 or IKC_ERROR.
 */
int ikc_diff_changes(ikc_field_change **out, size_t *n_out,
		     const ikc_diff_input *in);

/**
 * Drift: leaves of last applied whose live value differs (before = last
 * applied, after = live).  Stack-only and ignored paths are skipped.
 * *out is owned; 0 or IKC_ERROR.
 */
int ikc_diff_drift(ikc_field_change **out, size_t *n_out,
		   const ikc_diff_input *in);

/** Frees an array of n field changes (NULL is fine). */
void ikc_field_changes_free(ikc_field_change *f, size_t n);

/**
 * The whole decision for one resource.  Fills ch->action, ch->fields,
 * ch->replace_paths (owned by ch; free with ikc_change_clear) and, when
 * drift is not NULL, drift->gone/fields (address left alone):
 *   desired NULL                -> delete
 *   live NULL, last NULL        -> create
 *   live NULL, last set         -> create, drift gone = 1
 *   otherwise                   -> replace / update / no-op from the field changes.
 * 0 or IKC_ERROR.
 */
int ikc_diff_resource(ikc_change *ch, ikc_drift *drift,
		      const ikc_diff_input *in);

/** Frees what a change owns and zeroes it (NULL is fine). */
void ikc_change_clear(ikc_change *ch);
/** Frees what a drift entry owns and zeroes it (NULL is fine). */
void ikc_drift_clear(ikc_drift *d);

/** 1 if `v` is IKC_UNKNOWN_VALUE; 1 from _has_ if it holds one anywhere. */
int ikc_diff__is_unknown(json_object *v);
int ikc_diff__has_unknown(json_object *v);

/**
 * After a change: the first field the file sets that the live value does
 * not match, compared as the plan compares (the provider's normalisation,
 * the schema's list types; ignore-changes and values known only after
 * apply skipped).  *field_out owned, NULL when live matches.  `schema`
 * NULL: the one shipped with ikc.  0 or IKC_ERROR.
 */
int ikc_diff_converged(char **field_out, const ikc_resource *r,
		       json_object *desired, json_object *live,
		       const ikc_schema *schema);

/** Counts the plan's changes by action into its n_* fields (planner-internal). */
void ikc_plan__tally(ikc_plan *plan);

#endif /* IKC_PLANNER_DIFF_H */
