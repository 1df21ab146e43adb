#ifndef IKC_STATE_STATE_H
#define IKC_STATE_STATE_H

/*
 * The state document: what ikc last applied and observed, per stack.
 *
 * JSON shape (format_version 1):
 * {
 *   "format_version": 1,
 *   "lineage": "<uuid, never changes>",
 *   "serial": N,                       (grows only when the content changes)
 *   "stack": "nginx-asia",
 *   "source": {"file": "ikc.yaml", "digest": "<sha256>", "git_commit": ..., "git_ref": ...},
 *   "resources": [
 *     {"address": "Cluster/nginx-asia", "api_version": "...", "kind": "...",
 *      "provider": "gke"|"kubernetes", "remote_id": "projects/p/locations/l/clusters/c",
 *      "cluster": "Cluster/x" (kubernetes objects and node pools; optional),
 *      "namespace": "default" (optional),
 *      "desired": {...last applied desired value, resolved...},
 *      "observed": {...last observed live value of the managed fields...},
 *      "outputs": {...values other resources may refer to: endpoint, status...},
 *      "version": "<resourceVersion / etag seen last>" (optional),
 *      "depends_on": ["Cluster/x", ...] (addresses it depended on when applied),
 *      "prevent_destroy": true|false}
 *   ],
 *   "journal": [ {"id": "<uuid>", "address": "...", "action": "create|update|replace|delete",
 *                 "started": "<RFC3339>", "operation": "<GKE operation name>" (optional),
 *                 "detail": {...}} ],
 *   "outputs": {"external_ip": "..."},
 *   "checksum": "<sha256 hex of the canonical JSON of everything else>"
 * }
 *
 * An ikc_state is plain data changed only through these functions.  Borrowed
 * pointers stay valid until the next change of the same state.
 */

#include <stddef.h>          /* for size_t */
#include <stdint.h>          /* for uint64_t */
#include <json-c/json.h>
#include "util/buf.h"

#define IKC_STATE_FORMAT_VERSION 1

typedef struct ikc_state ikc_state;

/** A fresh state: new lineage, serial 0, no resources. 0 or IKC_ERROR. */
int ikc_state_new(ikc_state **out, const char *stack_name);

/**
 * Parses a state document.  Refuses (IKC_EINVALID, message says why) a
 * truncated or corrupt file, a checksum mismatch, an unknown format_version,
 * or something that is not an ikc state at all.
 */
int ikc_state_parse(ikc_state **out, const char *data, size_t len,
		    const char *what);

/** Appends the document (pretty JSON, with a fresh checksum) to `out`. */
int ikc_state_serialize(ikc_buf *out, const ikc_state *st);

/** An independent deep copy. */
int ikc_state_copy(ikc_state **out, const ikc_state *st);
void ikc_state_free(ikc_state *st);

const char *ikc_state_lineage(const ikc_state *st);
uint64_t ikc_state_serial(const ikc_state *st);
const char *ikc_state_stack(const ikc_state *st);

/** Number of resources and the i-th one (borrowed), in stored order. */
size_t ikc_state_count(const ikc_state *st);
json_object *ikc_state_resource_at(const ikc_state *st, size_t i);
/** The resource with this address (borrowed) or NULL. */
json_object *ikc_state_resource(const ikc_state *st, const char *address);
/** Adds or replaces (by "address") a resource; takes `res` in every case. */
int ikc_state_resource_put(ikc_state *st, json_object *res);
/** Removes a resource. 0, or IKC_ENOTFOUND. */
int ikc_state_resource_remove(ikc_state *st, const char *address);

/** Journal: entries of changes in flight (borrowed array). */
json_object *ikc_state_journal(const ikc_state *st);
/** Adds an entry (taken in every case); fills "id" and "started" when absent; id_out[37] gets the id. */
int ikc_state_journal_add(ikc_state *st, json_object *entry, char id_out[37]);
/** The entry with this id (borrowed) or NULL; change it in place, then save. */
json_object *ikc_state_journal_get(const ikc_state *st, const char *id);
int ikc_state_journal_remove(ikc_state *st, const char *id);

/** Source and outputs; the setters take their argument in every case. */
json_object *ikc_state_source(const ikc_state *st);
int ikc_state_set_source(ikc_state *st, json_object *source);
json_object *ikc_state_outputs(const ikc_state *st);
int ikc_state_set_outputs(ikc_state *st, json_object *outputs);

/** 1 if both hold the same content, ignoring serial and checksum. */
int ikc_state_content_equal(const ikc_state *a, const ikc_state *b);

#endif /* IKC_STATE_STATE_H */
