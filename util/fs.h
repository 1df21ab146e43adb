#ifndef IKC_UTIL_FS_H
#define IKC_UTIL_FS_H

#include <stddef.h>     /* for size_t */
#include <sys/types.h>  /* for mode_t */
#include "util/buf.h"

/**
 * Reads a whole file into `out` (appending), refusing more than `max` bytes.
 * IKC_ENOTFOUND if it does not exist, IKC_ELIMIT if too large, IKC_ERROR.
 */
int ikc_fs_read_file(ikc_buf *out, const char *path, size_t max);

/**
 * Replaces `path` atomically: writes `path.tmp.<pid>` in the same folder,
 * fsyncs it, renames it over `path` and fsyncs the folder.  On failure the
 * old file is untouched and the temporary removed.  0 or IKC_ERROR.
 */
int ikc_fs_write_atomic(const char *path, const void *data, size_t len,
			mode_t mode);

/** fsyncs the folder `dir` so a rename in it is durable. 0 or IKC_ERROR. */
int ikc_fs_fsync_dir(const char *dir);

/** mkdir -p. 0 or IKC_ERROR. */
int ikc_fs_mkdirs(const char *path, mode_t mode);

/** The folder part of `path` ("." when none). Owned by the caller; NULL on OOM. */
char *ikc_fs_dirname(const char *path);

/** Writes all of `len` bytes to fd, retrying short writes. 0 or -1 (errno set). */
int ikc_fs_write_all(int fd, const void *data, size_t len);

#endif /* IKC_UTIL_FS_H */
