/* calls.c - ikc-sim's call counters: per route pattern and per created resource */
#include "sim/core.h"

#include <pthread.h>

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static json_object *g_routes;
static json_object *g_creates;

static void bump(json_object **map, const char *key)
{
	json_object *v;

	if (!*map)
		*map = json_object_new_object();
	if (!*map)
		return;
	if (json_object_object_get_ex(*map, key, &v))
		json_object_set_int64(v, json_object_get_int64(v) + 1);
	else
		json_object_object_add(*map, key, json_object_new_int64(1));
}

void sim_calls_add(const char *key)
{
	pthread_mutex_lock(&g_mu);
	bump(&g_routes, key);
	pthread_mutex_unlock(&g_mu);
}

void sim_calls_created(const char *key)
{
	pthread_mutex_lock(&g_mu);
	bump(&g_creates, key);
	pthread_mutex_unlock(&g_mu);
}

json_object *sim_calls_describe(void)
{
	json_object *o = json_object_new_object(), *r = NULL, *c = NULL;

	if (!o)
		return NULL;
	pthread_mutex_lock(&g_mu);
	if (g_routes)
		json_object_deep_copy(g_routes, &r, NULL);
	if (g_creates)
		json_object_deep_copy(g_creates, &c, NULL);
	pthread_mutex_unlock(&g_mu);
	json_object_object_add(o, "routes", r ? r : json_object_new_object());
	json_object_object_add(o, "creates", c ? c : json_object_new_object());
	return o;
}

void sim_calls_clear(void)
{
	pthread_mutex_lock(&g_mu);
	json_object_put(g_routes);
	json_object_put(g_creates);
	g_routes = NULL;
	g_creates = NULL;
	pthread_mutex_unlock(&g_mu);
}
