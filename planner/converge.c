/* converge.c - after an apply: does the live object say what the file says, as the plan compares */
#include "planner/diff.h"

#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "util/json.h"

static const ikc_provider_hints *hints_of(ikc_provider_kind p)
{
	return p == IKC_PROVIDER_GKE ? ikc_gke_hints() : ikc_kubernetes_hints();
}

int ikc_diff_converged(char **field_out, const ikc_resource *r,
		       json_object *desired, json_object *live,
		       const ikc_schema *schema)
{
	ikc_diff_input in;
	ikc_field_change *f = NULL;
	size_t n = 0, i;
	int error;

	*field_out = NULL;
	memset(&in, 0, sizeof(in));
	in.hints = hints_of(r->provider);
	in.api_version = r->api_version;
	in.kind = r->kind;
	in.desired = desired;
	in.live = live;
	in.ignore = (const char *const *)r->ignore_changes;
	in.nignore = r->nignore_changes;
	in.schema = schema ? schema : ikc_schema_shipped(r->provider);
	in.schema_root = in.schema ? ikc_schema_resource(in.schema, in.hints,
						r->api_version, r->kind) : NULL;
	error = ikc_diff_changes(&f, &n, &in);
	if (error < 0)
		goto done;
	for (i = 0; i < n; i++) {
		/* values known only after apply are not a mismatch */
		if (ikc_diff__has_unknown(f[i].after))
			continue;
		*field_out = strdup(f[i].path);
		if (!*field_out)
			error = ikc_error_oom();
		break;
	}
done:
	ikc_field_changes_free(f, n);
	return error;
}
