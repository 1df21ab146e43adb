#ifndef IKC_STATE_FILE_FILE_H
#define IKC_STATE_FILE_FILE_H

/*
 * The file:// state backend.
 *
 * PATH            the state document (mode 0600; parent folders made 0700)
 * PATH.backup     the document it replaced (one generation)
 * PATH.lock       the lock: JSON {id, who, host, pid, command, created},
 *                 created exclusively, 0600
 *
 * Every replacement is temp file + fsync + rename + folder fsync, so a crash
 * leaves the old or the new document, never a torn one.  write() compares
 * the stored serial and lineage with what the caller read (the version token
 * is the serial in decimal) while holding the lock: the caller's lock when
 * this handle holds one, otherwise a lock taken just for the write.  A stored
 * file that is not a valid ikc state is never overwritten.  The handle
 * remembers the identity (device, inode, size, change times), lineage and
 * serial of the file it last read or wrote; while the file still has that
 * identity a write does not read it again.  The backup is a hard link to
 * the replaced file (a copy where hard links are not supported).
 *
 * A lock whose holder process no longer runs on this host is taken over with
 * a warning (ikc_log WARN).  Freeing the backend releases a lock this handle
 * took in this process.
 */

#include <stdint.h>          /* for uint64_t */
#include "state/backend.h"

/** Opens the file backend for `path` (nothing is created yet). 0 or IKC_ERROR. */
int ikc_file_backend_open(ikc_backend **out, const char *path);

/*
 * For state/backend.c only: write() for a document that
 * ikc_state_serialize made from a state with this lineage and serial, so
 * the backend need not parse it again to learn them.  On a backend that is
 * not a file backend this is plain be->write().
 */
int ikc_file_backend__write_state(ikc_backend *be, const char *data,
				  size_t len, const char *lineage,
				  uint64_t serial, const char *expected_version,
				  char **new_version_out);

#endif /* IKC_STATE_FILE_FILE_H */
