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
 * file that is not a valid ikc state is never overwritten.
 *
 * A lock whose holder process no longer runs on this host is taken over with
 * a warning (ikc_log WARN).  Freeing the backend releases a lock this handle
 * took in this process.
 */

#include "state/backend.h"

/** Opens the file backend for `path` (nothing is created yet). 0 or IKC_ERROR. */
int ikc_file_backend_open(ikc_backend **out, const char *path);

#endif /* IKC_STATE_FILE_FILE_H */
