/* oauth.c - ikc-sim's OAuth token endpoint (JWT-bearer grant) and issued-token store */
#include "sim/core.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pki.h"
#include "sim/server.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/str.h"

#define GOOGLE_TOKEN_URL "https://oauth2.googleapis.com/token"
#define TOKEN_TTL 3599
#define CLOCK_SKEW 60

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static json_object *g_tokens;   /* token -> expiry (epoch seconds, double) */
static int g_dirty;

int sim_tokens_valid(const char *token)
{
	json_object *exp;
	int ok = 0;

	if (!token)
		return 0;
	pthread_mutex_lock(&g_mu);
	if (g_tokens && json_object_object_get_ex(g_tokens, token, &exp))
		ok = json_object_get_double(exp) > ikc_time_now();
	pthread_mutex_unlock(&g_mu);
	return ok;
}

int sim_tokens_mint(char *out, size_t outlen, int ttl)
{
	char hex[49];
	json_object *exp;
	int error = 0;

	if (outlen < 64 || sim_random_hex(hex, 24) < 0)
		return ikc_error_set(IKC_ERR_SIM, "cannot mint token");
	snprintf(out, outlen, "ya29.sim.%s", hex);
	exp = json_object_new_double(ikc_time_now() + ttl);
	pthread_mutex_lock(&g_mu);
	if (!g_tokens)
		g_tokens = json_object_new_object();
	if (!g_tokens || !exp || json_object_object_add(g_tokens, out, exp) < 0) {
		json_object_put(exp);
		error = ikc_error_oom();
	}
	g_dirty = 1;
	pthread_mutex_unlock(&g_mu);
	return error;
}

json_object *sim_tokens_save(void)
{
	json_object *copy = NULL;
	double now = ikc_time_now();

	pthread_mutex_lock(&g_mu);
	copy = json_object_new_object();
	if (copy && g_tokens) {
		json_object_object_foreach(g_tokens, k, v) {
			if (json_object_get_double(v) > now)
				json_object_object_add(copy, k, json_object_get(v));
		}
	}
	pthread_mutex_unlock(&g_mu);
	return copy;
}

void sim_tokens_load(json_object *saved)
{
	pthread_mutex_lock(&g_mu);
	json_object_put(g_tokens);
	g_tokens = json_object_is_type(saved, json_type_object)
			   ? ikc_json_copy(saved) : json_object_new_object();
	pthread_mutex_unlock(&g_mu);
}

void sim_tokens_clear(void)
{
	pthread_mutex_lock(&g_mu);
	json_object_put(g_tokens);
	g_tokens = NULL;
	g_dirty = 1;
	pthread_mutex_unlock(&g_mu);
}

int sim_tokens_take_dirty(void)
{
	int d;

	pthread_mutex_lock(&g_mu);
	d = g_dirty;
	g_dirty = 0;
	pthread_mutex_unlock(&g_mu);
	return d;
}

static void oauth_error(sim_response *resp, int status, const char *error,
			const char *description)
{
	json_object *o = json_object_new_object();

	if (o) {
		json_object_object_add(o, "error", json_object_new_string(error));
		json_object_object_add(o, "error_description",
				       json_object_new_string(description));
	}
	sim_respond_json(resp, status, o);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded value of form field `name` in an x-www-form-urlencoded body (owned). */
static char *form_value(const char *body, size_t len, const char *name)
{
	size_t nlen = strlen(name), i = 0;

	while (i < len) {
		size_t end = i;

		while (end < len && body[end] != '&')
			end++;
		if (end - i > nlen && strncmp(body + i, name, nlen) == 0 &&
		    body[i + nlen] == '=') {
			size_t j = i + nlen + 1, k = 0;
			char *out = malloc(end - j + 1);

			if (!out)
				return NULL;
			while (j < end) {
				if (body[j] == '+') {
					out[k++] = ' ';
					j++;
				} else if (body[j] == '%' && j + 2 < end &&
					   hexval(body[j + 1]) >= 0 &&
					   hexval(body[j + 2]) >= 0) {
					out[k++] = (char)(hexval(body[j + 1]) * 16 +
							  hexval(body[j + 2]));
					j += 3;
				} else {
					out[k++] = body[j++];
				}
			}
			out[k] = '\0';
			return out;
		}
		i = end + 1;
	}
	return NULL;
}

static json_object *decode_part(const char *s, size_t len)
{
	size_t n;
	unsigned char *raw = sim_b64_decode(s, len, &n);
	json_object *obj = NULL;

	if (!raw)
		return NULL;
	if (ikc_json_parse(&obj, (const char *)raw, n, "JWT part") < 0)
		obj = NULL;
	free(raw);
	if (obj && !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	return obj;
}

/*
 * Checks a JWT-bearer assertion; NULL when good, else the error_description.
 * *audience is set (owned) when the assertion asks for an ID token (Google's
 * target_audience variant of the grant) instead of an access token.
 */
static const char *check_assertion(const char *jwt, const char **error,
				   char **audience)
{
	const char *dot1 = strchr(jwt, '.'), *dot2, *aud, *iss, *scope;
	json_object *hdr = NULL, *claims = NULL, *v;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	double now = ikc_time_now(), iat, exp;
	const char *bad = NULL;
	int rc;

	*error = "invalid_grant";
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot1 || !dot2 || strchr(dot2 + 1, '.')) {
		bad = "Invalid JWT: not a JWS compact serialisation.";
		goto done;
	}
	hdr = decode_part(jwt, (size_t)(dot1 - jwt));
	claims = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	sig = sim_b64_decode(dot2 + 1, strlen(dot2 + 1), &siglen);
	if (!hdr || !claims || !sig) {
		bad = "Invalid JWT: cannot decode.";
		goto done;
	}
	if (!ikc_json_str(hdr, "alg") || strcmp(ikc_json_str(hdr, "alg"), "RS256")) {
		bad = "Invalid JWT: the algorithm must be RS256.";
		goto done;
	}
	rc = sim_pki_verify_rs256(sim_cfg.sa_key, jwt, (size_t)(dot2 - jwt), sig,
				  siglen);
	if (rc != 0) {
		bad = "Invalid JWT Signature.";
		goto done;
	}
	iss = ikc_json_str(claims, "iss");
	if (!iss || strcmp(iss, sim_cfg.sa_email) != 0) {
		bad = "Invalid grant: account not found";
		goto done;
	}
	aud = ikc_json_str(claims, "aud");
	if (!aud || (strcmp(aud, GOOGLE_TOKEN_URL) != 0 &&
		     strcmp(aud, sim_cfg.token_url) != 0)) {
		bad = "Invalid JWT: Failed audience check.";
		goto done;
	}
	if (!json_object_object_get_ex(claims, "iat", &v) ||
	    !(json_object_is_type(v, json_type_int) ||
	      json_object_is_type(v, json_type_double)))
		goto timeframe;
	iat = json_object_get_double(v);
	if (!json_object_object_get_ex(claims, "exp", &v) ||
	    !(json_object_is_type(v, json_type_int) ||
	      json_object_is_type(v, json_type_double)))
		goto timeframe;
	exp = json_object_get_double(v);
	if (exp <= iat || exp - iat > 3600 || iat > now + CLOCK_SKEW ||
	    exp < now - CLOCK_SKEW)
		goto timeframe;
	scope = ikc_json_str(claims, "scope");
	if ((!scope || !*scope) && ikc_json_str(claims, "target_audience")) {
		*audience = strdup(ikc_json_str(claims, "target_audience"));
		if (!*audience)
			bad = "out of memory";
	} else if (!scope || !*scope) {
		*error = "invalid_scope";
		bad = "Invalid OAuth scope or ID token audience provided.";
	}
	goto done;
timeframe:
	bad = "Invalid JWT: Token must be a short-lived token (60 minutes) and in "
	      "a reasonable timeframe. Check your iat and exp values in the JWT "
	      "claim.";
done:
	json_object_put(hdr);
	json_object_put(claims);
	free(sig);
	return bad;
}

/* An ID token (RS256 JWT signed with the service-account key) for `aud`. */
static char *make_id_token(const char *aud)
{
	json_object *hdr = json_object_new_object(), *cl = json_object_new_object();
	char *h64 = NULL, *c64 = NULL, *input = NULL, *s64 = NULL, *out = NULL;
	unsigned char *sig = NULL;
	size_t siglen;
	long now = (long)ikc_time_now();
	const char *text;

	if (!hdr || !cl)
		goto done;
	json_object_object_add(hdr, "alg", json_object_new_string("RS256"));
	json_object_object_add(hdr, "typ", json_object_new_string("JWT"));
	json_object_object_add(hdr, "kid", json_object_new_string(sim_cfg.sa_key_id));
	json_object_object_add(cl, "iss",
			       json_object_new_string("https://accounts.google.com"));
	json_object_object_add(cl, "aud", json_object_new_string(aud));
	json_object_object_add(cl, "azp", json_object_new_string(sim_cfg.sa_email));
	json_object_object_add(cl, "sub", json_object_new_string(sim_cfg.sa_email));
	json_object_object_add(cl, "email", json_object_new_string(sim_cfg.sa_email));
	json_object_object_add(cl, "email_verified", json_object_new_boolean(1));
	json_object_object_add(cl, "iat", json_object_new_int64(now));
	json_object_object_add(cl, "exp", json_object_new_int64(now + TOKEN_TTL + 1));
	text = json_object_to_json_string_ext(hdr, JSON_C_TO_STRING_PLAIN);
	h64 = sim_b64url_encode(text, strlen(text));
	text = json_object_to_json_string_ext(cl, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE);
	c64 = sim_b64url_encode(text, strlen(text));
	input = h64 && c64 ? ikc_asprintf("%s.%s", h64, c64) : NULL;
	if (!input || sim_pki_sign_rs256(&sig, &siglen, sim_cfg.sa_key, input,
					 strlen(input)) < 0)
		goto done;
	s64 = sim_b64url_encode(sig, siglen);
	out = s64 ? ikc_asprintf("%s.%s", input, s64) : NULL;
done:
	json_object_put(hdr);
	json_object_put(cl);
	free(h64);
	free(c64);
	free(input);
	free(s64);
	free(sig);
	return out;
}

void sim_oauth_token(const sim_request *req, sim_response *resp)
{
	char *grant = NULL, *assertion = NULL, *audience = NULL, *id_token;
	const char *bad, *error;
	char token[96];
	json_object *o;

	if (strcmp(req->method, "POST") != 0) {
		oauth_error(resp, 405, "invalid_request", "Use POST.");
		return;
	}
	grant = form_value(req->body ? req->body : "", req->body_len,
			   "grant_type");
	assertion = form_value(req->body ? req->body : "", req->body_len,
			       "assertion");
	if (!grant || strcmp(grant, "urn:ietf:params:oauth:grant-type:jwt-bearer")) {
		oauth_error(resp, 400, "unsupported_grant_type",
			    "Invalid grant_type: only the JWT-bearer grant is supported.");
		goto done;
	}
	if (!assertion) {
		oauth_error(resp, 400, "invalid_request", "Missing assertion.");
		goto done;
	}
	bad = check_assertion(assertion, &error, &audience);
	if (bad) {
		oauth_error(resp, 400, error, bad);
		goto done;
	}
	if (audience) {
		id_token = make_id_token(audience);
		o = json_object_new_object();
		if (o && id_token)
			json_object_object_add(o, "id_token",
					       json_object_new_string(id_token));
		free(id_token);
		sim_respond_json(resp, id_token ? 200 : 500, o);
		goto done;
	}
	if (sim_tokens_mint(token, sizeof(token), TOKEN_TTL + 1) < 0) {
		oauth_error(resp, 500, "internal_failure", "cannot mint a token");
		goto done;
	}
	o = json_object_new_object();
	if (o) {
		json_object_object_add(o, "access_token",
				       json_object_new_string(token));
		json_object_object_add(o, "expires_in",
				       json_object_new_int(TOKEN_TTL));
		json_object_object_add(o, "token_type",
				       json_object_new_string("Bearer"));
	}
	sim_respond_json(resp, 200, o);
done:
	free(grant);
	free(assertion);
	free(audience);
}
