#ifndef IKC_SIM_SCHEMA_H
#define IKC_SIM_SCHEMA_H

/*
 * Known fields of GKE v1 request messages, and the proto3 JSON rules the
 * sim's stored resources follow (zero values omitted, int64 as strings).
 */

#include <json-c/json.h>

enum sim_field_kind {
	SIM_F_SCALAR,   /* string, bool or number: kept; dropped when zero */
	SIM_F_I32,      /* integer; a string holding one is accepted */
	SIM_F_I64,      /* integer; stored as a string */
	SIM_F_MSG,      /* a message: kept even when empty */
	SIM_F_MAP,      /* string map; dropped when empty */
	SIM_F_LIST,     /* list of scalars; dropped when empty */
	SIM_F_MSGLIST,  /* list of messages */
	SIM_F_ANY       /* not checked */
};

struct sim_schema;

struct sim_field {
	const char *name;
	enum sim_field_kind kind;
	const struct sim_schema *sub;   /* for MSG / MSGLIST; NULL = unchecked */
};

struct sim_schema {
	const struct sim_field *fields;
	const char *open_prefix;        /* names with this prefix are all known */
};

extern const struct sim_schema sim_schema_cluster;
extern const struct sim_schema sim_schema_node_pool;
extern const struct sim_schema sim_schema_create_cluster;
extern const struct sim_schema sim_schema_create_node_pool;
extern const struct sim_schema sim_schema_update_cluster;
extern const struct sim_schema sim_schema_update_node_pool;
extern const struct sim_schema sim_schema_set_size;
extern const struct sim_schema sim_schema_set_autoscaling;
extern const struct sim_schema sim_schema_set_management;
extern const struct sim_schema sim_schema_set_labels;
extern const struct sim_schema sim_schema_update_master;
extern const struct sim_schema sim_schema_set_locations;
extern const struct sim_schema sim_schema_set_logging;
extern const struct sim_schema sim_schema_set_monitoring;
extern const struct sim_schema sim_schema_set_addons;
extern const struct sim_schema sim_schema_set_legacy_abac;
extern const struct sim_schema sim_schema_set_master_auth;
extern const struct sim_schema sim_schema_set_network_policy;
extern const struct sim_schema sim_schema_set_maintenance_policy;
extern const struct sim_schema sim_schema_ip_rotation;
extern const struct sim_schema sim_schema_rollback;
extern const struct sim_schema sim_schema_empty_request;
extern const struct sim_schema sim_schema_cancel;

/**
 * Checks `obj` against `schema` and normalises it in place (proto3 rules).
 * `path` names obj in messages ("" for the request itself).  NULL when good;
 * else an owned message in Google's words ("Invalid JSON payload received.
 * Unknown name \"x\" at 'cluster': Cannot find field.").
 */
char *sim_schema_apply(json_object *obj, const struct sim_schema *schema,
		       const char *path);

#endif /* IKC_SIM_SCHEMA_H */
