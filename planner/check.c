/* check.c - resource documents against their API schema: unknown fields, wrong types, positioned */
#include "planner/check.h"

#include <string.h>

#include "util/errors.h"

struct ctx {
	const ikc_stack *st;
	const ikc_resource *r;
	const ikc_provider_hints *hints;
	ikc_diags *diags;
};

static const ikc_provider_hints *hints_of(ikc_provider_kind p)
{
	return p == IKC_PROVIDER_GKE ? ikc_gke_hints() : ikc_kubernetes_hints();
}

static void add(void *vctx, const ikc_schema_problem *p)
{
	struct ctx *c = vctx;
	int line = c->r->line, col = c->r->col;

	if (!c->diags)
		return;
	(void)ikc_stack_position(c->st, c->r, p->path, &line, &col);
	ikc_diags_add(c->diags, IKC_DIAG_ERROR, c->st->file, line, col, "%s: %s",
		      c->r->address, p->message);
}

/* Fields of the stack document that are not API fields (GKE spec.location, ...). */
static int skip(void *vctx, const char *schema_path)
{
	struct ctx *c = vctx;

	return c->hints->stack_only &&
	       c->hints->stack_only(c->r->api_version, c->r->kind, schema_path);
}

int ikc_plan_check_value(const ikc_stack *st, const ikc_resource *r,
			 json_object *value, const ikc_schema *schema,
			 ikc_diags *diags)
{
	struct ctx c;
	json_object *root;
	int n = 0, m = 0;

	c.st = st;
	c.r = r;
	c.hints = hints_of(r->provider);
	c.diags = diags;
	if (!schema)
		schema = ikc_schema_shipped(r->provider);
	root = schema ? ikc_schema_resource(schema, c.hints, r->api_version,
					    r->kind) : NULL;
	if (root)
		n = ikc_schema_check(schema, root, value, skip, add, &c);
	if (n < 0)
		return n;
	if (c.hints->validate)
		m = c.hints->validate(r->api_version, r->kind, value, add, &c);
	return m < 0 ? m : n + m;
}

int ikc_plan_check_stack(const ikc_stack *st, ikc_diags *diags,
			 ikc_schema_for_fn schema_for, void *ctx)
{
	size_t i;
	int total = 0;

	for (i = 0; i < st->nresources; i++) {
		const ikc_resource *r = &st->resources[i];
		json_object *v = NULL;
		int n;

		/* variables are known now; references to other resources are not */
		if (ikc_stack_resolve(&v, st, r->body, NULL, NULL) < 0) {
			ikc_error_clear();
			v = json_object_get(r->body);
		}
		n = ikc_plan_check_value(st, r, v,
					 schema_for ? schema_for(ctx, r) : NULL, diags);
		json_object_put(v);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}
