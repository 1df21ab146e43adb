/* kube_placeholder.c - stands in for sim/kube/ until that library exists: every call gets 503 */
#include <stdlib.h>
#include <string.h>

#include "sim/api.h"

struct sim_kube {
	int unused;
};

sim_kube *sim_kube_new(const char *cluster_name, const char *version)
{
	(void)cluster_name;
	(void)version;
	return calloc(1, sizeof(struct sim_kube));
}

sim_kube *sim_kube_load(json_object *saved)
{
	(void)saved;
	return calloc(1, sizeof(struct sim_kube));
}

json_object *sim_kube_save(sim_kube *k)
{
	(void)k;
	return json_object_new_object();
}

void sim_kube_free(sim_kube *k)
{
	free(k);
}

void sim_kube_handle(sim_kube *k, const sim_request *req, sim_response *resp)
{
	static const char body[] =
		"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
		"\"status\":\"Failure\",\"message\":\"cluster API not built\","
		"\"reason\":\"ServiceUnavailable\",\"code\":503}";

	(void)k;
	(void)req;
	resp->status = 503;
	resp->body = strdup(body);
	resp->body_len = resp->body ? strlen(body) : 0;
}

void sim_kube_tick(sim_kube *k, double now)
{
	(void)k;
	(void)now;
}

void sim_kube_set_pool(sim_kube *k, const char *pool, int count,
		       const char *machine_type, const char *zone)
{
	(void)k;
	(void)pool;
	(void)count;
	(void)machine_type;
	(void)zone;
}

json_object *sim_kube_describe(sim_kube *k)
{
	(void)k;
	return json_object_new_object();
}

int sim_kube_take_dirty(sim_kube *k)
{
	(void)k;
	return 0;
}
