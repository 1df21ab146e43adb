/* google.c - Google service-account credentials, JWT-bearer grant and token cache */
#include "http/auth/google.h"

#include <curl/curl.h>   /* for curl_getdate */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/auth/jwt.h"
#include "util/clock.h"   /* for ikc_time_now */
#include "util/fs.h"      /* for ikc_fs_read_file */
#include "util/json.h"
#include "util/log.h"     /* for ikc_log, ikc_redact_register */
#include "util/str.h"

#define KEY_FILE_MAX ((size_t)1 << 20)
#define TOKEN_BODY_MAX ((size_t)1 << 20)
#define RENEW_MARGIN 300.0     /* seconds before expiry to renew */
#define ASSERTION_LIFETIME 3600
#define SKEW_WARN 30.0         /* seconds of clock difference worth naming */

struct ikc_google_creds {
	pthread_mutex_t lock;
	/* key fields (NULL for a ready token) */
	char *what;          /* "key file '/x.json'" for messages */
	char *project_id;
	char *client_email;
	char *private_key_id;
	char *token_uri;
	ikc_jwt_key *key;
	/* token cache, guarded by lock */
	char *token;
	double expiry;       /* wall clock */
	double renew_at;     /* wall clock time to fetch a new one */
	int fixed;           /* a ready token: never renewed */
	double clock_offset; /* tests: how far this "machine's" clock is off */
};

static void wipe_free(char *s)
{
	if (!s)
		return;
	memset(s, 0, strlen(s));
	free(s);
}

static ikc_google_creds *creds_alloc(void)
{
	ikc_google_creds *c = calloc(1, sizeof(*c));

	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

void ikc_google_creds_free(ikc_google_creds *creds)
{
	if (!creds)
		return;
	pthread_mutex_destroy(&creds->lock);
	free(creds->what);
	free(creds->project_id);
	free(creds->client_email);
	free(creds->private_key_id);
	free(creds->token_uri);
	ikc_jwt_key_free(creds->key);
	wipe_free(creds->token);
	free(creds);
}

const char *ikc_google_creds_project(const ikc_google_creds *creds)
{
	return creds->project_id;
}

const char *ikc_google_creds_email(const ikc_google_creds *creds)
{
	return creds->client_email;
}

int ikc_google_creds_from_token(ikc_google_creds **out, const char *token)
{
	ikc_google_creds *c;

	*out = NULL;
	if (!token || !*token)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "GOOGLE_OAUTH_ACCESS_TOKEN is empty");
	c = creds_alloc();
	if (!c)
		return ikc_error_oom();
	c->token = strdup(token);
	if (!c->token) {
		ikc_google_creds_free(c);
		return ikc_error_oom();
	}
	c->fixed = 1;
	ikc_redact_register(token);
	*out = c;
	return 0;
}

/* Copies a required string member of the key. */
static int key_field(char **dst, json_object *root, const char *name,
		     const char *what, int required)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(root, name, &v) ||
	    json_object_is_type(v, json_type_null)) {
		if (!required)
			return 0;
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "%s is not a usable service-account "
					  "key: it has no \"%s\"", what, name);
	}
	if (!json_object_is_type(v, json_type_string) ||
	    (required && !json_object_get_string_len(v)))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "%s: \"%s\" must be a non-empty "
					  "string", what, name);
	*dst = strdup(json_object_get_string(v));
	if (!*dst)
		return ikc_error_oom();
	return 0;
}

int ikc_google_creds_from_json(ikc_google_creds **out, const char *json,
			       size_t len, const char *what)
{
	ikc_google_creds *c = NULL;
	json_object *root = NULL, *v = NULL;
	const char *type, *pem;
	int error;

	*out = NULL;
	error = ikc_json_parse(&root, json, len, what);
	if (error < 0)
		goto done;   /* the message names `what` and the problem */
	if (!json_object_is_type(root, json_type_object)) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "%s is not a JSON object", what);
		goto done;
	}
	type = ikc_json_str(root, "type");
	if (type && strcmp(type, "service_account")) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "%s holds a \"%s\" credential; ikc "
					   "needs a service-account key "
					   "(\"type\": \"service_account\")",
					   what, type);
		goto done;
	}
	c = creds_alloc();
	if (!c) {
		error = ikc_error_oom();
		goto done;
	}
	c->what = strdup(what);
	if (!c->what) {
		error = ikc_error_oom();
		goto done;
	}
	error = key_field(&c->client_email, root, "client_email", what, 1);
	if (error < 0)
		goto done;
	error = key_field(&c->token_uri, root, "token_uri", what, 1);
	if (error < 0)
		goto done;
	error = key_field(&c->project_id, root, "project_id", what, 0);
	if (error < 0)
		goto done;
	error = key_field(&c->private_key_id, root, "private_key_id", what, 0);
	if (error < 0)
		goto done;
	if (!json_object_object_get_ex(root, "private_key", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !json_object_get_string_len(v)) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "%s is not a usable service-account "
					   "key: it has no \"private_key\"",
					   what);
		goto done;
	}
	if (!ikc_str_startswith(c->token_uri, "https://") &&
	    !ikc_str_startswith(c->token_uri, "http://")) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "%s: token_uri '%s' is not an "
					   "http(s) URL", what, c->token_uri);
		goto done;
	}
	pem = json_object_get_string(v);
	error = ikc_jwt_key_from_pem(&c->key, pem,
				     (size_t)json_object_get_string_len(v));
	if (error < 0) {
		error = ikc_error_wrap(IKC_EINVALID, "%s: ", what);
		goto done;
	}
	*out = c;
	c = NULL;
done:
	ikc_google_creds_free(c);
	json_object_put(root);
	return error;
}

int ikc_google_creds_from_file(ikc_google_creds **out, const char *path)
{
	ikc_buf raw = IKC_BUF_INIT(KEY_FILE_MAX);
	char *what = NULL;
	int error;

	*out = NULL;
	what = ikc_asprintf("service-account key file '%s'", path);
	if (!what)
		return ikc_error_oom();
	error = ikc_fs_read_file(&raw, path, KEY_FILE_MAX);
	if (error == IKC_ENOTFOUND) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					   "%s does not exist", what);
		goto done;
	}
	if (error < 0) {
		error = ikc_error_wrap(IKC_EINVALID, "%s: ", what);
		goto done;
	}
	error = ikc_google_creds_from_json(out, raw.ptr ? raw.ptr : "",
					   raw.len, what);
done:
	if (raw.ptr)
		memset(raw.ptr, 0, raw.len);   /* it held a private key */
	ikc_buf_dispose(&raw);
	free(what);
	return error;
}

int ikc_google_creds_from_env(ikc_google_creds **out)
{
	const char *token = getenv("GOOGLE_OAUTH_ACCESS_TOKEN");
	const char *path = getenv("GOOGLE_APPLICATION_CREDENTIALS");

	*out = NULL;
	if (token && *token)
		return ikc_google_creds_from_token(out, token);
	if (path && *path)
		return ikc_google_creds_from_file(out, path);
	return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_AUTH,
				  "no Google credentials: set "
				  "GOOGLE_APPLICATION_CREDENTIALS to a "
				  "service-account key file, or "
				  "GOOGLE_OAUTH_ACCESS_TOKEN to an access token");
}

int ikc_google__assertion(char **out, ikc_google_creds *creds, long now)
{
	json_object *hdr = NULL, *claims = NULL;
	int error = 0;

	*out = NULL;
	if (!creds->key)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_AUTH,
					  "credentials hold no private key");
	hdr = json_object_new_object();
	claims = json_object_new_object();
	if (!hdr || !claims) {
		error = ikc_error_oom();
		goto done;
	}
	if (ikc_json_add(hdr, "alg", json_object_new_string("RS256")) < 0 ||
	    ikc_json_add(hdr, "typ", json_object_new_string("JWT")) < 0 ||
	    (creds->private_key_id &&
	     ikc_json_add(hdr, "kid",
			  json_object_new_string(creds->private_key_id)) < 0) ||
	    ikc_json_add(claims, "iss",
			 json_object_new_string(creds->client_email)) < 0 ||
	    ikc_json_add(claims, "scope",
			 json_object_new_string(IKC_GOOGLE_SCOPE)) < 0 ||
	    ikc_json_add(claims, "aud",
			 json_object_new_string(creds->token_uri)) < 0 ||
	    ikc_json_add(claims, "iat", json_object_new_int64(now)) < 0 ||
	    ikc_json_add(claims, "exp",
			 json_object_new_int64(now + ASSERTION_LIFETIME)) < 0) {
		error = ikc_error_oom();
		goto done;
	}
	error = ikc_jwt_sign_rs256(
		out, creds->key,
		json_object_to_json_string_ext(hdr, JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE),
		json_object_to_json_string_ext(claims,
					       JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
done:
	json_object_put(hdr);
	json_object_put(claims);
	return error;
}

/* A hint about the local clock for a refused grant, or "". */
static void clock_hint(char *buf, size_t len, const ikc_http_response *resp,
		       const char *desc, double sent_at)
{
	char *date = ikc_http_response_header(resp, "Date");
	time_t server = date ? curl_getdate(date, NULL) : (time_t)-1;
	double skew;

	buf[0] = '\0';
	free(date);
	if (server != (time_t)-1) {
		skew = (double)server - sent_at;
		if (fabs(skew) > SKEW_WARN) {
			/* Date has whole seconds: speak in round numbers. */
			int mins = fabs(skew) >= 120;

			snprintf(buf, len, " (this machine's clock is about "
				 "%.0f %s %s the server's: correct it, e.g. "
				 "with NTP)", mins ? fabs(skew) / 60 :
				 fabs(skew), mins ? "min" : "s",
				 skew > 0 ? "behind" : "ahead of");
			return;
		}
	}
	if (desc && (strstr(desc, "iat") || strstr(desc, "exp") ||
		     strstr(desc, "timeframe") || strstr(desc, "expired")))
		snprintf(buf, len, " (the server rejected the assertion's "
			 "iat/exp times: check this machine's clock)");
}

/* Reads expires_in as a number or a numeric string. */
static int expires_in(double *out, json_object *root)
{
	json_object *v = NULL;
	const char *s;
	char *end = NULL;
	double d;

	if (!json_object_object_get_ex(root, "expires_in", &v)) {
		*out = 3600;     /* Google always sends it; be lenient */
		return 0;
	}
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
	} else if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		errno = 0;
		d = strtod(s, &end);
		if (errno || end == s || *end)
			return -1;
	} else {
		return -1;
	}
	if (!(d > 0) || d > 86400.0 * 366)
		return -1;
	*out = d;
	return 0;
}

/* Runs the grant; on success stores the new token in creds (locked). */
static int fetch_token(ikc_google_creds *creds, ikc_http_client *client)
{
	static const char *const accept[] = { "Accept: application/json",
					       NULL };
	ikc_http_request req = IKC_HTTP_REQUEST_INIT;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	json_object *root = NULL, *err = NULL;
	char *assertion = NULL, *body = NULL, *token = NULL;
	const char *desc = NULL, *at;
	char hint[160];
	double now = ikc_time_now() + creds->clock_offset, lifetime = 0;
	int error;

	error = ikc_google__assertion(&assertion, creds, (long)now);
	if (error < 0)
		goto done;
	ikc_redact_register(assertion);
	body = ikc_asprintf("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3A"
			    "grant-type%%3Ajwt-bearer&assertion=%s", assertion);
	if (!body) {
		error = ikc_error_oom();
		goto done;
	}
	req.method = "POST";
	req.url = creds->token_uri;
	req.headers = accept;
	req.body = body;
	req.body_len = strlen(body);
	req.content_type = "application/x-www-form-urlencoded";
	error = ikc_http_do(client, &req, &resp);
	if (error < 0) {
		error = ikc_error_wrap(error, "cannot get a Google access "
				       "token for %s: ", creds->client_email);
		goto done;
	}
	if (resp.body.len)
		(void)ikc_json_parse(&root, resp.body.ptr, resp.body.len,
				     "token response");
	if (!ikc_http_response_ok(&resp)) {
		const char *code = NULL;

		if (root && json_object_object_get_ex(root, "error", &err) &&
		    json_object_is_type(err, json_type_string))
			code = json_object_get_string(err);
		if (root)
			desc = ikc_json_str(root, "error_description");
		clock_hint(hint, sizeof(hint), &resp, desc, now);
		if (code) {
			error = ikc_error_set_code(
				IKC_EREMOTE, IKC_ERR_AUTH,
				"token endpoint %s refused the key of %s: %s%s%s%s",
				creds->token_uri, creds->client_email, code,
				desc ? ": " : "", desc ? desc : "", hint);
		} else {
			error = ikc_http_response_error(&req, &resp);
			error = ikc_error_wrap(error, "cannot get a Google "
					       "access token for %s: ",
					       creds->client_email);
		}
		goto done;
	}
	at = root ? ikc_json_str(root, "access_token") : NULL;
	if (!at || !*at || expires_in(&lifetime, root) < 0) {
		error = ikc_error_set_code(IKC_EREMOTE, IKC_ERR_AUTH,
					   "token endpoint %s answered without "
					   "a usable access_token/expires_in",
					   creds->token_uri);
		goto done;
	}
	token = strdup(at);
	if (!token) {
		error = ikc_error_oom();
		goto done;
	}
	ikc_redact_register(token);
	wipe_free(creds->token);
	creds->token = token;
	creds->expiry = now + lifetime;
	/* Renew 5 minutes early; short-lived tokens at 3/4 of their life. */
	creds->renew_at = creds->expiry -
		(lifetime / 4 < RENEW_MARGIN ? lifetime / 4 : RENEW_MARGIN);
	ikc_log(IKC_LOG_DEBUG, "auth: new access token for %s, valid %.0f s",
		creds->client_email, lifetime);
	token = NULL;
done:
	json_object_put(root);
	wipe_free(assertion);
	wipe_free(body);
	ikc_http_response_dispose(&resp);
	return error;
}

int ikc_google_token(ikc_google_creds *creds, ikc_http_client *client,
		     char **out)
{
	double now = ikc_time_now() + creds->clock_offset;
	int error = 0;

	*out = NULL;
	pthread_mutex_lock(&creds->lock);
	if (!creds->fixed &&
	    (!creds->token || now >= creds->renew_at)) {
		error = fetch_token(creds, client);
		if (error < 0)
			goto done;
	}
	*out = strdup(creds->token);
	if (!*out)
		error = ikc_error_oom();
done:
	pthread_mutex_unlock(&creds->lock);
	return error;
}

void ikc_google_creds_invalidate(ikc_google_creds *creds)
{
	pthread_mutex_lock(&creds->lock);
	if (!creds->fixed) {
		wipe_free(creds->token);
		creds->token = NULL;
		creds->expiry = 0;
		creds->renew_at = 0;
	}
	pthread_mutex_unlock(&creds->lock);
}

int ikc_google_token_fn(void *ctx, ikc_http_client *client, char **out)
{
	return ikc_google_token(ctx, client, out);
}

void ikc_google__set_clock_offset(ikc_google_creds *creds, double seconds)
{
	pthread_mutex_lock(&creds->lock);
	creds->clock_offset = seconds;
	pthread_mutex_unlock(&creds->lock);
}
