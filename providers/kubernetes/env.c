/* env.c - frees what the providers cached in an ikc_provider_env */
#include "providers/private.h"

void ikc_provider_env_dispose(ikc_provider_env *env)
{
	if (!env)
		return;
	ikc_kube__env_dispose(env);
	ikc_gke__env_dispose(env);
}
