/* shipped.c - the API schemas shipped with ikc, per provider, and a resource's schema in a document */
#include "providers/schema.h"

#include <pthread.h>
#include <stdlib.h>


static pthread_once_t once = PTHREAD_ONCE_INIT;
static ikc_schema *gke;
static ikc_schema *kube;

static ikc_schema *wrap(const ikc_provider_hints *h, const char *label)
{
	json_object *doc = h->schema_doc ? h->schema_doc() : NULL;
	ikc_schema *s = NULL;

	if (doc && ikc_schema_new(&s, doc, label) < 0)
		return NULL;
	return s;
}

static void load(void)
{
	gke = wrap(ikc_gke_hints(), "GKE's container/v1 discovery schema");
	kube = wrap(ikc_kubernetes_hints(), "the Kubernetes 1.30 OpenAPI shipped with ikc");
}

const ikc_schema *ikc_schema_shipped(ikc_provider_kind provider)
{
	pthread_once(&once, load);
	return provider == IKC_PROVIDER_GKE ? gke : kube;
}

json_object *ikc_schema_resource(const ikc_schema *s,
				 const ikc_provider_hints *hints,
				 const char *api_version, const char *kind)
{
	json_object *root = hints && hints->schema_root ?
		hints->schema_root(api_version, kind) : NULL;

	return root ? root : ikc_schema_kind(s, api_version, kind);
}
