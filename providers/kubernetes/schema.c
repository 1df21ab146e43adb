/* kubernetes/schema.c - the Kubernetes OpenAPI shipped with ikc, merged into one document */
#include "providers/kubernetes/schema.h"

#include <pthread.h>
#include <string.h>

#include "schemas/schemas.h"
#include "util/json.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static json_object *doc;

/*
 * Adds the components.schemas of one /openapi/v3 document to `into`
 * (names are global: "io.k8s.api.core.v1.Pod").  0, or -1 when it is not
 * a document or memory runs out.
 */
int ikc_kube_schema_merge(json_object *into, json_object *part)
{
	json_object *schemas = ikc_json_path(part, "components.schemas");
	json_object *dst = ikc_json_path(into, "components.schemas");

	if (!json_object_is_type(schemas, json_type_object) || !dst)
		return -1;
	json_object_object_foreach(schemas, name, s) {
		if (json_object_object_get_ex(dst, name, NULL))
			continue;
		if (json_object_object_add(dst, name, json_object_get(s)) < 0)
			return -1;
	}
	return 0;
}

json_object *ikc_kube_schema_empty(void)
{
	json_object *d = json_object_new_object(), *c = json_object_new_object();

	if (!d || !c) {
		json_object_put(d);
		json_object_put(c);
		return NULL;
	}
	if (ikc_json_add(d, "components", c) < 0 ||
	    ikc_json_add(c, "schemas", json_object_new_object()) < 0 ||
	    ikc_json_add(d, "openapi", json_object_new_string("3.0.0")) < 0) {
		json_object_put(d);
		return NULL;
	}
	return d;
}

static void load(void)
{
	json_object *d = ikc_kube_schema_empty();
	size_t i;

	for (i = 0; d && i < ikc_schemas_kube_count; i++) {
		json_object *part = json_tokener_parse(
			(const char *)ikc_schemas_kube[i]);
		int rc = part ? ikc_kube_schema_merge(d, part) : -1;

		json_object_put(part);
		if (rc < 0) {
			json_object_put(d);
			d = NULL;
		}
	}
	doc = d;
}

json_object *ikc_kube__schema_doc(void)
{
	pthread_once(&once, load);
	return doc;
}
