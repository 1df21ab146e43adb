#ifndef IKC_UTIL_CLOCK_H
#define IKC_UTIL_CLOCK_H

#include <stddef.h>  /* for size_t */
#include <time.h>    /* for time_t */

/** Seconds on a monotonic clock. */
double ikc_time_monotonic(void);
/** Seconds since the epoch, with fractions. */
double ikc_time_now(void);
/** RFC 3339 UTC with second precision ("2024-11-24T15:40:02Z") into out[32]. */
void ikc_time_rfc3339(char out[32], time_t t);
/** Parses "90", "30s", "5m", "1h30m", "2h" into seconds. 0 or IKC_EINVALID. */
int ikc_duration_parse(double *out, const char *s);
/** "2m10s"-style text of a duration into out[32]. */
void ikc_duration_format(char out[32], double seconds);
/** A random (version 4) UUID into out[37], from /dev/urandom. 0 or IKC_ERROR. */
int ikc_uuid_v4(char out[37]);
/** `n` random bytes from /dev/urandom. 0 or IKC_ERROR. */
int ikc_random_bytes(void *out, size_t n);

#endif /* IKC_UTIL_CLOCK_H */
