#ifndef IKC_PROVIDERS_KUBERNETES_KUBE_H
#define IKC_PROVIDERS_KUBERNETES_KUBE_H

/*
 * The Kubernetes provider's exported helpers (besides
 * ikc_kubernetes_provider() in providers/runtime.h).
 *
 * Ownership: every object ikc creates carries two labels,
 *   app.kubernetes.io/managed-by: ikc
 *   ikc.dev/stack: <stack name>
 * added to the body sent to the API (never to the stack's desired value).
 */

#include <json-c/json.h>

#define IKC_KUBE_LABEL_MANAGED_BY "app.kubernetes.io/managed-by"
#define IKC_KUBE_MANAGED_BY_VALUE "ikc"
#define IKC_KUBE_LABEL_STACK "ikc.dev/stack"

/**
 * 1 if `live` (a Kubernetes object, borrowed) carries ikc's ownership
 * labels for the stack named `stack`, else 0 (also for NULL arguments).
 * Cannot fail.
 */
int ikc_kube_owned_by(json_object *live, const char *stack);

/**
 * Computes the patch that brings `live` to `desired` for the fields ikc
 * manages (kubectl's three-way merge, in ikc's terms):
 *  - a field of `desired` that `live` lacks or holds with another value
 *    (numbers compare loosely: 80 == "80") is set;
 *  - a field of `last` (the last applied value; may be NULL) that `desired`
 *    lacks is removed: null for a map member, and when `strategic`, an
 *    element {"<key>": v, "$patch": "delete"} for a list with a merge key;
 *  - everything else in `live` (server defaults, status, fields others
 *    set) is left alone.
 * `strategic` 1: a strategic merge patch, whose lists with merge keys
 * (ikc_kubernetes_hints()->merge_key, e.g. containers by name, Service
 * ports by port) are patched element by element; other lists are sent
 * whole when they differ.  0: an RFC 7386 merge patch, where every list is
 * sent whole.  All inputs are borrowed.  *out is the owned patch, or NULL
 * when nothing differs.  0 or IKC_ERROR (out of memory).
 */
int ikc_kube_patch_compute(json_object **out, const char *api_version,
			   const char *kind, json_object *desired,
			   json_object *last, json_object *live,
			   int strategic);

/**
 * 1 if objects of `api_version` are built into Kubernetes (core "v1" and
 * groups without a dot or ending in ".k8s.io"), which accept a strategic
 * merge patch; 0 for custom resources, which take a JSON merge patch.
 */
int ikc_kube_is_builtin(const char *api_version);

/**
 * In place: object `v` (stack shape, borrowed) in the form the API server
 * stores and returns it, so that a file compares with a live object
 * (providers/kubernetes/canonical.c): a Secret's stringData folded into
 * base64 data, quantities in canonical text ("0.5" -> "500m", 1024Mi ->
 * "1Gi"), int-or-string fields written as decimal strings read as numbers
 * (targetPort "80" -> 80).  Custom resources are left as they are, and so
 * is anything the server would refuse.  0 or IKC_ERROR (out of memory).
 */
int ikc_kube_canonicalize(json_object *v, const char *api_version, const char *kind);

#endif /* IKC_PROVIDERS_KUBERNETES_KUBE_H */
