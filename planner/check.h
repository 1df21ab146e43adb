#ifndef IKC_PLANNER_CHECK_H
#define IKC_PLANNER_CHECK_H

/*
 * Resource documents checked against their API's schema before any call:
 * unknown fields (with a did-you-mean) and wrong types, positioned
 * FILE:LINE:COL, plus each provider's own checks (issue 12 §1).  Pure.
 */

#include <json-c/json.h>
#include "providers/schema.h"
#include "stack/stack.h"
#include "util/diag.h"

/** A resource's schema: a cluster's own, or NULL for the one shipped with ikc. */
typedef const ikc_schema *(*ikc_schema_for_fn)(void *ctx, const ikc_resource *r);

/**
 * Checks every resource of the stack as written, ${var.*} and ${env.*}
 * substituted (references to other resources are left for
 * ikc_plan_check_value once resolved).  Adds one error per
 * problem to `diags`; returns the number of errors, or IKC_ERROR.
 * `schema_for` may be NULL (the shipped schemas).
 */
int ikc_plan_check_stack(const ikc_stack *st, ikc_diags *diags,
			 ikc_schema_for_fn schema_for, void *ctx);

/**
 * Checks one resolved value of resource `r` (values known only after apply
 * are skipped), positions taken from the stack file.  `schema` NULL: the
 * shipped one.  Returns the number of errors added, or IKC_ERROR.
 */
int ikc_plan_check_value(const ikc_stack *st, const ikc_resource *r,
			 json_object *value, const ikc_schema *schema,
			 ikc_diags *diags);

#endif /* IKC_PLANNER_CHECK_H */
