#ifndef IKC_UTIL_LOG_H
#define IKC_UTIL_LOG_H

#include <stddef.h>  /* for size_t */
#include "util/errors.h"  /* for IKC_PRINTF */

typedef enum {
	IKC_LOG_ERROR = 0,
	IKC_LOG_WARN,
	IKC_LOG_INFO,
	IKC_LOG_DEBUG
} ikc_log_level;

/** Where log lines go; cli/ sets it. The default writes to stderr. */
typedef void (*ikc_log_sink)(ikc_log_level level, const char *line);

/** Reads IKC_LOG (error|warn|info|debug); default warn. */
void ikc_log_init_from_env(void);
void ikc_log_set_level(ikc_log_level level);
void ikc_log_set_sink(ikc_log_sink sink);
int ikc_log_enabled(ikc_log_level level);

/** Logs one line, redacted (see ikc_redact). Thread-safe. */
void ikc_log(ikc_log_level level, const char *fmt, ...) IKC_PRINTF(2, 3);

/**
 * Registers a literal secret (a token, a key) that must never be printed.
 * Strings shorter than 8 bytes are ignored.  Thread-safe.
 */
void ikc_redact_register(const char *secret);

/**
 * A copy of `s` with every registered secret, every "Bearer <token>" and
 * every PEM private key block replaced by "[REDACTED]".  Owned; NULL on OOM.
 */
char *ikc_redact(const char *s);

/** Forgets registered secrets (tests). */
void ikc_redact_reset(void);

#endif /* IKC_UTIL_LOG_H */
