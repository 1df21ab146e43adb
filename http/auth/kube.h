#ifndef IKC_HTTP_AUTH_KUBE_H
#define IKC_HTTP_AUTH_KUBE_H

/*
 * Helpers for talking to a GKE cluster's Kubernetes API: its CA comes
 * base64-encoded in masterAuth.clusterCaCertificate and its address in
 * `endpoint`; the bearer token is the Google access token
 * (ikc_google_token_fn).
 */

#include <stddef.h>  /* for size_t */

/**
 * Decodes masterAuth.clusterCaCertificate (base64 of PEM) into PEM text for
 * ikc_http_request.ca_pem, checking that it holds at least one X.509
 * certificate.  *pem_out is owned and NUL-terminated; *len_out excludes the
 * NUL.  0 or IKC_EINVALID (says what is wrong).
 */
int ikc_kube_ca_from_base64(char **pem_out, size_t *len_out, const char *b64);

/**
 * The API server base URL for a cluster `endpoint` ("34.1.2.3",
 * "127.0.0.1:8443" or already "https://..."), without a trailing slash.
 * *out is owned.  0, IKC_EINVALID (empty) or IKC_ERROR.
 */
int ikc_kube_server_url(char **out, const char *endpoint);

#endif /* IKC_HTTP_AUTH_KUBE_H */
