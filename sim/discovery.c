/* discovery.c - GKE's container/v1 discovery document, at Google's discovery URLs */
#include "sim/discovery.h"

#include <stdlib.h>
#include <string.h>

#include "schemas/schemas.h"
#include "sim/server.h"
#include "util/json.h"
#include "util/str.h"

/*
 * GET /$discovery/rest?version=v1 (the API host's own discovery path) and
 * GET /discovery/v1/apis/container/v1/rest (the discovery service's).
 * The schemas are the ones ikc ships (schemas/gke/container-v1.json);
 * rootUrl and baseUrl point at the sim.
 */
int sim_discovery_handle(const sim_request *req, sim_response *resp)
{
	const char *version = req->query ? req->query(req, "version") : NULL;
	json_object *doc;
	char *root, *base;

	if (strcmp(req->path, "/discovery/v1/apis/container/v1/rest") &&
	    !(!strcmp(req->path, "/$discovery/rest") &&
	      (!version || !strcmp(version, "v1"))))
		return 0;
	if (strcmp(req->method, "GET")) {
		sim_respond_text(resp, 405, NULL, "{\"error\":{\"code\":405,"
				 "\"message\":\"Method not allowed\",\"status\":"
				 "\"INVALID_ARGUMENT\"}}");
		return 1;
	}
	doc = ikc_schemas_gke_count ?
		json_tokener_parse((const char *)ikc_schemas_gke[0]) : NULL;
	root = ikc_asprintf("%s/", sim_cfg.base_url);
	base = ikc_asprintf("%s/", sim_cfg.base_url);
	if (!doc || !root || !base ||
	    ikc_json_add(doc, "rootUrl", json_object_new_string(root)) < 0 ||
	    ikc_json_add(doc, "baseUrl", json_object_new_string(base)) < 0) {
		json_object_put(doc);
		doc = NULL;
	}
	free(root);
	free(base);
	if (!doc) {
		sim_respond_text(resp, 500, NULL, "{\"error\":{\"code\":500,"
				 "\"message\":\"Internal error\",\"status\":"
				 "\"INTERNAL\"}}");
		return 1;
	}
	sim_respond_json(resp, 200, doc);
	return 1;
}
