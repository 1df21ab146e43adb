/* names.c - the group-versions of the embedded Kubernetes schemas, in CMakeLists.txt order */
#include "schemas/schemas.h"

const char *const ikc_schemas_kube_gv[] = {
	"api/v1",
	"apis/apps/v1",
	"apis/autoscaling/v1",
	"apis/autoscaling/v2",
	"apis/batch/v1",
	"apis/coordination.k8s.io/v1",
	"apis/networking.k8s.io/v1",
	"apis/policy/v1",
	NULL
};
