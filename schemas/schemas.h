#ifndef IKC_SCHEMAS_SCHEMAS_H
#define IKC_SCHEMAS_SCHEMAS_H

/*
 * API schemas shipped with ikc (and served by ikc-sim), as NUL-terminated
 * JSON text (schemas/CMakeLists.txt embeds the files of this folder).
 *  - ikc_schemas_gke[0]: GKE's container/v1 discovery document (schemas only).
 *  - ikc_schemas_kube[i]: the components of a Kubernetes 1.30 API server's
 *    /openapi/v3/<ikc_schemas_kube_gv[i]> document.
 */

#include <stddef.h>          /* for size_t */

extern const unsigned char *const ikc_schemas_gke[];
extern const size_t ikc_schemas_gke_lens[];
extern const size_t ikc_schemas_gke_count;

extern const unsigned char *const ikc_schemas_kube[];
extern const size_t ikc_schemas_kube_lens[];
extern const size_t ikc_schemas_kube_count;
/** "api/v1", "apis/apps/v1", ... in the order of ikc_schemas_kube. */
extern const char *const ikc_schemas_kube_gv[];

/** The Kubernetes version the shipped schemas describe ("1.30"). */
#define IKC_SCHEMAS_KUBE_VERSION "1.30"

#endif /* IKC_SCHEMAS_SCHEMAS_H */
