#ifndef IKC_SIM_CORE_H
#define IKC_SIM_CORE_H

/*
 * ikc-sim's server core, shared by the files of sim/ (not by sim/kube/).
 *   main.c   - command line, files in DIR, signals, ticker
 *   oauth.c  - token endpoint and the store of issued tokens
 *   calls.c  - per-route call counts and per-resource create counts
 *   world.c  - clusters, node pools, operations, per-cluster endpoints,
 *              persistence (world.json)
 *   gke.c    - the GKE v1 REST surface on top of world.c
 *   schema.c - known request fields, proto3 normalisation
 *   admin.c  - the /_sim/ endpoint
 */

#include <json-c/json.h>
#include "sim/api.h"

/* Settings and identity of this sim; filled by main.c, read-only afterwards. */
struct sim_config {
	char *dir;
	int port;
	char *base_url;        /* "https://127.0.0.1:PORT" */
	char *token_url;       /* base_url + "/token" */
	char *ca_key;          /* main CA (PEM), persisted */
	char *ca_cert;
	char *sa_key;          /* the service-account key handed out (PKCS#8 PEM) */
	char *sa_key_id;
	char *sa_email;
	char *project;         /* project_id of credentials.json */
};

extern struct sim_config sim_cfg;

/* ---- oauth.c ---- */

/** Serves POST /token (JWT-bearer grant). */
void sim_oauth_token(const sim_request *req, sim_response *resp);
/** 1 if `token` was issued and has not expired. Thread-safe. */
int sim_tokens_valid(const char *token);
/** Issues a token valid `ttl` seconds into out (at least 64 bytes). 0 or IKC_ERROR. */
int sim_tokens_mint(char *out, size_t outlen, int ttl);
/** Owned {token: expiry epoch seconds} for persistence. */
json_object *sim_tokens_save(void);
/** Replaces the tokens with a saved map (borrowed). */
void sim_tokens_load(json_object *saved);
/** Forgets every token. */
void sim_tokens_clear(void);
/** 1 if tokens changed since the last call. */
int sim_tokens_take_dirty(void);

/* ---- calls.c ---- */

/** Counts one call of route pattern `key` ("GET /v1/projects/{project}/..."). */
void sim_calls_add(const char *key);
/** Counts one successful create of resource `key`. */
void sim_calls_created(const char *key);
/** Owned {"routes": {...}, "creates": {...}}. */
json_object *sim_calls_describe(void);
void sim_calls_clear(void);

/* ---- world.c / gke.c ---- */

/** Counts a /v1/... call under its route pattern. */
void sim_gke_count(const sim_request *req);
/** Serves /v1/... on the main port (GKE and Service Usage). */
void sim_gke_handle(const sim_request *req, sim_response *resp);
/** Serves /_sim/... on the main port. */
void sim_admin_handle(const sim_request *req, sim_response *resp);

/** Restores the world from DIR/world.json's `clusters`/`ops` (borrowed). 0 or IKC_ERROR. */
int sim_world_load(json_object *saved);
/** Owned snapshot of the world (clusters, ops, kube snapshots). */
json_object *sim_world_save(void);
/** Advances operations and cluster controllers to now. */
void sim_world_tick(void);
/** 1 if the world changed since the last call (also asks each cluster API). */
int sim_world_take_dirty(void);
/** Owned listing for GET /_sim/world. */
json_object *sim_world_describe(void);
/** Deletes every cluster and operation at once. */
void sim_world_reset(void);
/** Stops every cluster endpoint and frees the world. */
void sim_world_shutdown(void);
/** Writes DIR/world.json now. 0 or IKC_ERROR. */
int sim_persist(void);

#endif /* IKC_SIM_CORE_H */
