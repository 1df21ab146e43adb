/* admin.c - ikc-sim's /_sim/ endpoint: world listing, call counts, faults, reset, test tokens */
#include "sim/core.h"

#include <stdlib.h>
#include <string.h>

#include "sim/faults.h"
#include "sim/server.h"
#include "util/json.h"

/*
 * Routes (JSON answers, no authentication, never subject to faults):
 *   GET    /_sim/world    clusters, node pools, operations, each cluster's objects
 *   GET    /_sim/calls    {"routes": {"METHOD /pattern": n}, "creates": {resource: n}}
 *   GET    /_sim/faults   the rules in force with how often each matched and fired
 *   POST   /_sim/faults   body {"spec": "RULES"} (or the bare spec text) adds rules;
 *                         {"clear": true} drops all rules first
 *   DELETE /_sim/faults   drops all rules
 *   POST   /_sim/reset    deletes every cluster and operation, clears call counts
 *                         and faults (issued tokens stay valid)
 *   POST   /_sim/token    mints an access token without a JWT (for kubectl/curl tests)
 */

static void admin_error(sim_response *resp, int status, const char *msg)
{
	json_object *o = json_object_new_object();

	if (o)
		json_object_object_add(o, "error", json_object_new_string(msg));
	sim_respond_json(resp, status, o);
}

static void faults_post(const sim_request *req, sim_response *resp)
{
	json_object *body = NULL;
	const char *spec = NULL;
	char *raw = NULL;

	if (req->body && req->body_len > 0 && req->body[0] == '{') {
		if (ikc_json_parse(&body, req->body, req->body_len, "body") < 0) {
			admin_error(resp, 400, ikc_error_last());
			return;
		}
		if (json_object_get_boolean(ikc_json_path(body, "clear")))
			sim_faults_clear();
		spec = ikc_json_str(body, "spec");
	} else if (req->body && req->body_len > 0) {
		raw = strndup(req->body, req->body_len);
		spec = raw;
	}
	if (spec && sim_faults_add(spec) < 0) {
		admin_error(resp, 400, ikc_error_last());
		goto done;
	}
	sim_respond_json(resp, 200, sim_faults_describe());
done:
	json_object_put(body);
	free(raw);
}

void sim_admin_handle(const sim_request *req, sim_response *resp)
{
	const char *p = req->path + strlen("/_sim");
	int get = strcmp(req->method, "GET") == 0;
	int post = strcmp(req->method, "POST") == 0;

	if (get && strcmp(p, "/world") == 0) {
		sim_respond_json(resp, 200, sim_world_describe());
	} else if (get && strcmp(p, "/calls") == 0) {
		sim_respond_json(resp, 200, sim_calls_describe());
	} else if (get && strcmp(p, "/faults") == 0) {
		sim_respond_json(resp, 200, sim_faults_describe());
	} else if (post && strcmp(p, "/faults") == 0) {
		faults_post(req, resp);
	} else if (strcmp(req->method, "DELETE") == 0 &&
		   strcmp(p, "/faults") == 0) {
		sim_faults_clear();
		sim_respond_json(resp, 200, sim_faults_describe());
	} else if (post && strcmp(p, "/reset") == 0) {
		sim_world_reset();
		sim_calls_clear();
		sim_faults_clear();
		sim_respond_text(resp, 200, NULL, "{}");
	} else if (post && strcmp(p, "/token") == 0) {
		char token[96];
		json_object *o;

		if (sim_tokens_mint(token, sizeof(token), 3600) < 0) {
			admin_error(resp, 500, ikc_error_last());
			return;
		}
		o = json_object_new_object();
		if (o) {
			json_object_object_add(o, "access_token",
					       json_object_new_string(token));
			json_object_object_add(o, "expires_in",
					       json_object_new_int(3599));
			json_object_object_add(o, "token_type",
					       json_object_new_string("Bearer"));
		}
		sim_respond_json(resp, 200, o);
	} else {
		admin_error(resp, 404, "no such admin route");
	}
}
