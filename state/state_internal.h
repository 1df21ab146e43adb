#ifndef IKC_STATE_STATE_INTERNAL_H
#define IKC_STATE_STATE_INTERNAL_H

/*
 * Helpers shared by the files of state/ (not for other modules): the
 * backend-side bookkeeping of an ikc_state (version token, serial, the
 * snapshot that decides whether a save writes), and the lock-info codec that
 * every backend stores.
 */

#include <stdint.h>          /* for uint64_t */
#include "util/buf.h"
#include "state/backend.h"

/** The version token the state was loaded or last saved with (borrowed) or NULL. */
const char *ikc_state__version(const ikc_state *st);
/** Remembers a copy of `version` (NULL forgets). 0 or IKC_ERROR. */
int ikc_state__set_version(ikc_state *st, const char *version);
/** Sets the serial (save uses it; nothing else should). Cannot fail. */
void ikc_state__set_serial(ikc_state *st, uint64_t serial);
/*
 * What was stored last is remembered as a digest of the content: SHA-256
 * of the canonical JSON of the document without "serial" (32 bytes).
 */
#define IKC_STATE_DIGEST_LEN 32
/** Remembers the content as what is stored now. 0 or IKC_ERROR. */
int ikc_state__mark_stored(ikc_state *st);
/** 1 when the content differs from what is stored, or nothing is (or on error). */
int ikc_state__changed(const ikc_state *st);
/**
 * In one pass: the checksum the document has now (hex[65]) and its content
 * digest.  0 or IKC_ERROR.
 */
int ikc_state__digests(const ikc_state *st, char sum[65],
		       unsigned char content[IKC_STATE_DIGEST_LEN]);
/** 1 when `content` is the digest of what is stored. */
int ikc_state__stored_is(const ikc_state *st,
			 const unsigned char content[IKC_STATE_DIGEST_LEN]);
/** Takes `content` as the digest of what is stored now. */
void ikc_state__set_stored(ikc_state *st,
			   const unsigned char content[IKC_STATE_DIGEST_LEN]);
/** ikc_state_serialize with the checksum already computed. */
int ikc_state__serialize_with(ikc_buf *out, const ikc_state *st,
			      const char sum[65]);

/** Lock info as compact JSON {id, who, host, pid, command, created}. */
int ikc_lock__encode(ikc_buf *out, const ikc_lock_info *info);
/** Parses what ikc_lock__encode wrote; `what` names it. 0 or IKC_EINVALID. */
int ikc_lock__decode(ikc_lock_info *out, const char *data, size_t len,
		     const char *what);
/** Deep copy of a lock info into a zeroed `out`. 0 or IKC_ERROR. */
int ikc_lock__copy(ikc_lock_info *out, const ikc_lock_info *src);
/**
 * Records the IKC_ELOCKED message naming `holder` (waited > 0 adds how long
 * this run waited) and returns IKC_ELOCKED.
 */
int ikc_lock__refuse(const ikc_lock_info *holder, double waited);

#endif /* IKC_STATE_STATE_INTERNAL_H */
