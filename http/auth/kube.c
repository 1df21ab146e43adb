/* kube.c - a cluster's CA certificate and server URL for Kubernetes API calls */
#include "http/auth/kube.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth/base64.h"
#include "util/errors.h"
#include "util/str.h"

int ikc_kube_ca_from_base64(char **pem_out, size_t *len_out, const char *b64)
{
	unsigned char *pem = NULL;
	size_t len = 0;
	X509 *cert = NULL;
	BIO *bio = NULL;
	int error;

	*pem_out = NULL;
	*len_out = 0;
	if (!b64 || !*b64)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "cluster CA certificate is empty");
	error = ikc_base64_decode(&pem, &len, b64, strlen(b64));
	if (error < 0) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "clusterCaCertificate is not "
					   "base64");
		goto done;
	}
	if (len > INT32_MAX) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "clusterCaCertificate too large");
		goto done;
	}
	ERR_clear_error();
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		error = ikc_error_oom();
		goto done;
	}
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!cert) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "clusterCaCertificate holds no PEM "
					   "X.509 certificate");
		goto done;
	}
	*pem_out = (char *)pem;
	*len_out = len;
	pem = NULL;
done:
	X509_free(cert);
	BIO_free(bio);
	ERR_clear_error();
	free(pem);
	return error;
}

int ikc_kube_server_url(char **out, const char *endpoint)
{
	size_t n;
	char *s;

	*out = NULL;
	if (!endpoint || !*endpoint)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "cluster has no endpoint yet");
	if (ikc_str_startswith(endpoint, "https://") ||
	    ikc_str_startswith(endpoint, "http://"))
		s = strdup(endpoint);
	else
		s = ikc_asprintf("https://%s", endpoint);
	if (!s)
		return ikc_error_oom();
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	*out = s;
	return 0;
}
