#ifndef IKC_UTIL_ERRORS_H
#define IKC_UTIL_ERRORS_H

/*
 * Return codes and the per-thread error message.
 *
 * Functions return 0 on success or a negative IKC_E* code.  The function that
 * detects a failure records a message with ikc_error_set(); callers pass the
 * code up without overwriting it; only cli/ prints, via ikc_error_last().
 */

enum {
	IKC_OK = 0,
	IKC_ERROR = -1,        /* generic failure */
	IKC_ENOTFOUND = -2,    /* the thing asked for does not exist */
	IKC_ELOCKED = -3,      /* held by someone else; message names the holder */
	IKC_ESTALE = -4,       /* compare-and-swap lost: it moved since read */
	IKC_ECONFLICT = -5,    /* conflicting definitions (cycle, duplicate) */
	IKC_EINVALID = -6,     /* bad input */
	IKC_EREMOTE = -7,      /* a remote API said no */
	IKC_ELIMIT = -8,       /* a size or depth cap was hit */
	IKC_EINTERRUPTED = -9, /* stopped by a signal */
	IKC_EEXISTS = -10,     /* already exists */
	IKC_ETIMEOUT = -11     /* a deadline passed */
};

typedef enum {
	IKC_ERR_NONE = 0,
	IKC_ERR_OS,
	IKC_ERR_NOMEM,
	IKC_ERR_SPEC,
	IKC_ERR_STATE,
	IKC_ERR_PLAN,
	IKC_ERR_HTTP,
	IKC_ERR_AUTH,
	IKC_ERR_PROVIDER,
	IKC_ERR_LIMIT,
	IKC_ERR_GIT,
	IKC_ERR_CLI,
	IKC_ERR_SIM
} ikc_error_class;

#if defined(__GNUC__) || defined(__clang__)
#define IKC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define IKC_PRINTF(a, b)
#endif

/** Records a message; returns IKC_ERROR so `return ikc_error_set(...)` works. */
int ikc_error_set(ikc_error_class cls, const char *fmt, ...) IKC_PRINTF(2, 3);

/** Records a message and returns `code` (a negative IKC_E* value). */
int ikc_error_set_code(int code, ikc_error_class cls, const char *fmt, ...)
	IKC_PRINTF(3, 4);

/** Like ikc_error_set, appending ": strerror(errno)". Returns IKC_ERROR. */
int ikc_error_set_os(ikc_error_class cls, const char *fmt, ...) IKC_PRINTF(2, 3);

/** Records "out of memory"; returns IKC_ERROR. */
int ikc_error_oom(void);

/**
 * Prefixes the current message with context ("Cluster/x: " + old message).
 * Returns `code` unchanged so it can wrap a return: `return ikc_error_wrap(rc, ...)`.
 */
int ikc_error_wrap(int code, const char *fmt, ...) IKC_PRINTF(2, 3);

/** The last message of this thread; "" when none. Borrowed, valid until the next set. */
const char *ikc_error_last(void);

/** The class of the last error of this thread. */
ikc_error_class ikc_error_last_class(void);

/** Forgets the last error of this thread. */
void ikc_error_clear(void);

#endif /* IKC_UTIL_ERRORS_H */
