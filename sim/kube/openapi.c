/* openapi.c - the components (schemas) of each group-version's /openapi/v3 document */
#include "sim/kube/kube.h"

#include <stdlib.h>
#include <string.h>

#include "schemas/schemas.h"
#include "util/json.h"
#include "util/str.h"

/*
 * The schemas are those of a Kubernetes 1.30 API server (schemas/kubernetes/,
 * the files ikc ships as well): every kind of the group-version and what
 * they refer to, with their list types and merge keys.  A group-version
 * without a file gets an empty "components".
 */
json_object *kube__openapi_components(const char *group, const char *version)
{
	char *gv = *group ? ikc_asprintf("apis/%s/%s", group, version)
			  : ikc_asprintf("api/%s", version);
	json_object *doc = NULL, *comp = NULL;
	size_t i;

	for (i = 0; gv && i < ikc_schemas_kube_count && ikc_schemas_kube_gv[i]; i++) {
		if (strcmp(ikc_schemas_kube_gv[i], gv))
			continue;
		doc = json_tokener_parse((const char *)ikc_schemas_kube[i]);
		break;
	}
	free(gv);
	if (doc && json_object_object_get_ex(doc, "components", &comp))
		comp = json_object_get(comp);
	else
		comp = NULL;
	json_object_put(doc);
	return comp ? comp : json_object_new_object();
}
