/* testkey.h - a fresh RSA key as PEM and a service-account key JSON for auth tests */
#ifndef IKC_TESTS_UNIT_HTTP_TESTKEY_H
#define IKC_TESTS_UNIT_HTTP_TESTKEY_H

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

/* A new 2048-bit RSA key; *pem_out is malloc'd PKCS#8 PEM text. */
static EVP_PKEY *testkey_new(char **pem_out)
{
	EVP_PKEY *pkey = EVP_RSA_gen(2048);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n;

	if (!pkey || !bio ||
	    PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1)
		abort();
	n = BIO_get_mem_data(bio, &data);
	*pem_out = malloc((size_t)n + 1);
	memcpy(*pem_out, data, (size_t)n);
	(*pem_out)[n] = '\0';
	BIO_free(bio);
	return pkey;
}

/* Service-account key JSON text (malloc'd) around `pem`. */
static char *testkey_json(const char *pem, const char *token_uri)
{
	json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "type", json_object_new_string("service_account"));
	json_object_object_add(o, "project_id", json_object_new_string("test-proj"));
	json_object_object_add(o, "private_key_id",
			       json_object_new_string("kid-0123456789abcdef"));
	json_object_object_add(o, "private_key", json_object_new_string(pem));
	json_object_object_add(o, "client_email",
			       json_object_new_string("deployer@test-proj.iam.gserviceaccount.com"));
	json_object_object_add(o, "token_uri", json_object_new_string(token_uri));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return s;
}

#endif
