/* response.c - turning a non-2xx HTTP answer into an error that quotes the server */
#include "http/http.h"

#include <ctype.h>
#include <string.h>

#include "util/json.h"   /* for ikc_json_parse, ikc_json_str */

#define EXCERPT_MAX 300

/* Picks the server's own words out of the known error bodies. */
static void server_words(json_object *root, const char **kind,
			 const char **msg, const char **desc)
{
	json_object *err = NULL;

	if (!json_object_is_type(root, json_type_object))
		return;
	if (json_object_object_get_ex(root, "error", &err) &&
	    json_object_is_type(err, json_type_object)) {
		/* Google: {"error": {"code", "message", "status"}} */
		*kind = ikc_json_str(err, "status");
		*msg = ikc_json_str(err, "message");
	} else if (err && json_object_is_type(err, json_type_string)) {
		/* OAuth: {"error": "invalid_grant", "error_description"} */
		*kind = json_object_get_string(err);
		*desc = ikc_json_str(root, "error_description");
	} else {
		/* Kubernetes: {"kind": "Status", "reason", "message"} */
		*kind = ikc_json_str(root, "reason");
		*msg = ikc_json_str(root, "message");
	}
}

int ikc_http_response_error(const ikc_http_request *req,
			    const ikc_http_response *resp)
{
	const char *method = req->method ? req->method : "GET";
	const char *kind = NULL, *msg = NULL, *desc = NULL;
	json_object *root = NULL;
	char excerpt[EXCERPT_MAX + 4];
	int code = IKC_EREMOTE;
	size_t i, n;

	if (resp->error < 0)
		return ikc_error_set_code(resp->error, IKC_ERR_HTTP, "%s",
					  resp->error_msg ? resp->error_msg :
					  "request failed");
	if (resp->body.len &&
	    ikc_json_parse(&root, resp->body.ptr, resp->body.len,
			   "error response") == 0)
		server_words(root, &kind, &msg, &desc);
	if (!msg)
		msg = desc;
	excerpt[0] = '\0';
	if (!msg && resp->body.len) {
		n = resp->body.len < EXCERPT_MAX ? resp->body.len : EXCERPT_MAX;
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)resp->body.ptr[i];

			excerpt[i] = isprint(ch) ? (char)ch : ' ';
		}
		excerpt[n] = '\0';
		if (n < resp->body.len)
			memcpy(excerpt + n, "...", 4);
		msg = excerpt;
	}
	if (resp->status == 404)
		code = IKC_ENOTFOUND;
	else if (resp->status == 409 && kind &&
		 (!strcmp(kind, "ALREADY_EXISTS") ||
		  !strcmp(kind, "AlreadyExists")))
		code = IKC_EEXISTS;
	else if (resp->status == 409 || resp->status == 412)
		code = IKC_ECONFLICT;
	ikc_error_set_code(code, IKC_ERR_HTTP, "%s %s: HTTP %ld%s%s%s%s%s",
			   method, req->url, resp->status,
			   kind ? " " : "", kind ? kind : "",
			   msg ? ": " : "", msg ? msg : "",
			   resp->attempts > 1 ? " (after retries)" : "");
	json_object_put(root);
	return code;
}
