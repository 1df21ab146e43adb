#ifndef IKC_UTIL_STR_H
#define IKC_UTIL_STR_H

#include <stddef.h>  /* for size_t */
#include "util/errors.h"  /* for IKC_PRINTF */

/** malloc'd formatted string, or NULL on OOM. */
char *ikc_asprintf(const char *fmt, ...) IKC_PRINTF(1, 2);

/** Edit distance between two strings (Levenshtein, byte-wise). */
size_t ikc_str_distance(const char *a, const char *b);

/**
 * "Did you mean": the candidate closest to `word`, if it is close enough to
 * be a likely typo (distance <= max(1, len/3)); otherwise NULL.  Borrowed.
 */
const char *ikc_str_suggest(const char *word, const char *const *candidates,
			    size_t n);

/** 1 if `s` starts with `prefix`. */
int ikc_str_startswith(const char *s, const char *prefix);

/** 1 if the `len` bytes at `s` are valid UTF-8 without NUL bytes. */
int ikc_str_valid_utf8(const char *s, size_t len, size_t *bad_offset);

/** Lower-case hex SHA-free FNV-1a 64-bit hash (for non-security uses). */
unsigned long long ikc_str_hash64(const void *data, size_t len);

#endif /* IKC_UTIL_STR_H */
