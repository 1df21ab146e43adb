#ifndef IKC_STATE_ETCD_ETCD_H
#define IKC_STATE_ETCD_ETCD_H

/*
 * The etcd:// state backend (etcd v3, through its JSON gateway).
 *
 * URL: etcd://HOST:PORT[,HOST:PORT...]/PREFIX   (etcds:// for TLS, trusting
 * IKC_CA_BUNDLE besides the system CAs; ETCD_USERNAME / ETCD_PASSWORD log in
 * with etcd's auth).  Keys under PREFIX:
 *
 * PREFIX/state            manifest: {"ikc_etcd_state": 1, "chunks": N,
 *                         "size": BYTES, "sha256": HEX, "generation": G,
 *                         "lineage": L, "serial": S}
 * PREFIX/state/G/000000.. the document in chunks of at most 512 KiB
 * PREFIX/lock             the lock: JSON {id, who, host, pid, command,
 *                         created}, attached to a lease
 *
 * The version token is the manifest's mod_revision.  A write puts the new
 * manifest in one transaction that compares the manifest's mod_revision
 * with the one read (and, while this handle holds the lock, that the lock
 * key is still the one it created) and deletes every other generation's
 * chunks.  A one-chunk document is written in that same transaction; a
 * larger one (a single etcd request is capped at 1.5 MiB by default) has its
 * chunks put first under a fresh generation, invisible until the manifest
 * names them.  Reads take the chunks at the manifest's revision and check
 * the size and SHA-256.
 *
 * The lock is created only if absent, under a lease of IKC_ETCD_LOCK_TTL
 * seconds (default 15) that a thread keeps alive every TTL/3 until unlock or
 * free (each endpoint tried with TTL/6 timeouts, so a member that hangs
 * cannot make the lease lapse): a holder that dies loses the lock when its
 * lease expires.
 *
 * A write that fails because no endpoint answers saves the document to
 * ./ikc-rescue-<stack>-<serial>.state.json (0600) and says so in the error:
 * `ikc state push FILE` restores it.
 */

#include "state/backend.h"

/** Opens the backend for an etcd:// or etcds:// URL (nothing contacted yet). 0 or IKC_EINVALID / IKC_ERROR. */
int ikc_etcd_backend_open(ikc_backend **out, const char *url);

#endif /* IKC_STATE_ETCD_ETCD_H */
