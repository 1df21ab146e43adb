#ifndef IKC_HTTP_AUTH_GOOGLE_H
#define IKC_HTTP_AUTH_GOOGLE_H

/*
 * Google credentials and OAuth2 access tokens.
 *
 * A service-account key (JSON) is turned into an RS256-signed JWT and
 * exchanged at the key's token_uri for an access token (RFC 7523 grant).
 * The token is cached in the credentials object and renewed 5 minutes
 * before it expires; every token obtained is registered for redaction.
 * A ready access token (GOOGLE_OAUTH_ACCESS_TOKEN) is used as it is.
 *
 * Thread safety: ikc_google_token() may be called from many threads; one
 * of them fetches while the others wait for its result.
 */

#include <stddef.h>      /* for size_t */
#include "http/http.h"   /* for ikc_http_client */

typedef struct ikc_google_creds ikc_google_creds;

/** The OAuth scope ikc asks for. */
#define IKC_GOOGLE_SCOPE "https://www.googleapis.com/auth/cloud-platform"

/**
 * Credentials from the environment: GOOGLE_OAUTH_ACCESS_TOKEN first, else
 * the key file named by GOOGLE_APPLICATION_CREDENTIALS.  IKC_ENOTFOUND when
 * neither is set (the message says what to set); IKC_EINVALID for a
 * missing, unreadable or malformed key file (the message names the file
 * and the problem).
 */
int ikc_google_creds_from_env(ikc_google_creds **out);

/** Credentials from a service-account key file. As above. */
int ikc_google_creds_from_file(ikc_google_creds **out, const char *path);

/**
 * Credentials from service-account key JSON text; `what` names its origin
 * in messages ("key file '/x.json'").  0 or IKC_EINVALID.
 */
int ikc_google_creds_from_json(ikc_google_creds **out, const char *json,
			       size_t len, const char *what);

/** Credentials that are a ready access token. 0, IKC_EINVALID (empty). */
int ikc_google_creds_from_token(ikc_google_creds **out, const char *token);

/** Frees credentials (and wipes the cached token). NULL is a no-op. */
void ikc_google_creds_free(ikc_google_creds *creds);

/** The key's project_id (borrowed), or NULL for a ready token. */
const char *ikc_google_creds_project(const ikc_google_creds *creds);

/** The key's client_email (borrowed), or NULL for a ready token. */
const char *ikc_google_creds_email(const ikc_google_creds *creds);

/**
 * A valid access token as an owned string: the cached one while it has
 * more than 5 minutes left, else a new one from the token endpoint (with
 * the client's retries for 429/5xx).  Errors (IKC_EREMOTE unless the HTTP
 * layer failed) name the endpoint and the problem: `invalid_grant` with the
 * server's error_description, plus a clock hint when the server rejected
 * iat/exp or its Date differs from the local clock.
 */
int ikc_google_token(ikc_google_creds *creds, ikc_http_client *client,
		     char **out);

/**
 * Forgets the cached token so the next ikc_google_token() fetches a new one
 * (after a 401 from an API).  A ready token cannot be renewed: no-op.
 */
void ikc_google_creds_invalidate(ikc_google_creds *creds);

/**
 * An ikc_http_token_fn: `ctx` is an ikc_google_creds.  Set
 * req.token_fn = ikc_google_token_fn, req.token_ctx = creds.
 */
int ikc_google_token_fn(void *ctx, ikc_http_client *client, char **out);

/**
 * Internal, for tests: the signed grant assertion for time `now` (seconds
 * since the epoch).  0 or IKC_E*.
 */
int ikc_google__assertion(char **out, ikc_google_creds *creds, long now);

/**
 * Internal, for tests: makes `creds` behave as on a machine whose clock is
 * `seconds` ahead (negative: behind) of the real time.
 */
void ikc_google__set_clock_offset(ikc_google_creds *creds, double seconds);

#endif /* IKC_HTTP_AUTH_GOOGLE_H */
