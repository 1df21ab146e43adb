#ifndef IKC_STATE_BACKEND_H
#define IKC_STATE_BACKEND_H

/*
 * Where a state lives.  A backend stores one state document and one lock.
 * Backends: file:// (state/file/), etcd:// (state/etcd/, later).  Every
 * backend passes the conformance suite in tests/unit/state/.
 */

#include "util/buf.h"
#include "state/state.h"

/** Who holds a lock. */
typedef struct ikc_lock_info {
	char id[37];      /* uuid */
	char *who;        /* user name */
	char *host;
	long pid;
	char *command;    /* e.g. "ikc apply" */
	char *created;    /* RFC 3339 */
} ikc_lock_info;

/** Fills `out` for this process (new id, user, host, pid, now). 0 or IKC_ERROR. */
int ikc_lock_info_self(ikc_lock_info *out, const char *command);
/** "ikc apply by alice@host (pid 4242) since 2026-..., lock id ..." into out. */
int ikc_lock_info_describe(ikc_buf *out, const ikc_lock_info *info);
void ikc_lock_info_dispose(ikc_lock_info *info);

typedef struct ikc_backend ikc_backend;
struct ikc_backend {
	int version;  /* 1 */
	const char *url;
	/*
	 * Reads the stored document into `out` and an opaque version token of
	 * what was read into *version_out (owned; file: the serial; etcd: the
	 * mod_revision).  IKC_ENOTFOUND when nothing is stored yet.
	 */
	int (*read)(ikc_backend *be, ikc_buf *out, char **version_out);
	/*
	 * Stores a document if and only if what is stored is still
	 * `expected_version` (NULL: nothing may be stored yet); IKC_ESTALE
	 * otherwise.  *new_version_out (owned) gets the new token.
	 */
	int (*write)(ikc_backend *be, const char *data, size_t len,
		     const char *expected_version, char **new_version_out);
	/*
	 * Takes the lock, waiting up to timeout seconds (0: fail at once).
	 * IKC_ELOCKED when someone else holds it; the message names the holder.
	 */
	int (*lock)(ikc_backend *be, const ikc_lock_info *info, double timeout);
	/** Releases the lock if `lock_id` holds it. */
	int (*unlock)(ikc_backend *be, const char *lock_id);
	/** Releases the lock only if it is held with `lock_id`: IKC_ENOTFOUND / IKC_ECONFLICT otherwise. */
	int (*force_unlock)(ikc_backend *be, const char *lock_id);
	/** Who holds the lock (IKC_ENOTFOUND when nobody). */
	int (*lock_holder)(ikc_backend *be, ikc_lock_info *out);
	void (*free)(ikc_backend *be);
};

/**
 * Opens the backend for a state URL: file://PATH (PATH relative to
 * `base_dir` when not absolute), etcd://HOST:PORT[,HOST:PORT...]/PREFIX or
 * etcds://... (state/etcd/).  A bad URL is IKC_EINVALID with a clear message.
 */
int ikc_backend_open(ikc_backend **out, const char *url, const char *base_dir);
void ikc_backend_free(ikc_backend *be);

/*
 * The state on a backend: load and compare-and-swap save.  The state
 * remembers the version token it was loaded with.
 */

/** Loads the stored state. IKC_ENOTFOUND when none; IKC_EINVALID when corrupt/foreign. */
int ikc_state_load(ikc_state **out, ikc_backend *be);
/**
 * Saves `st` if the stored state is still the one it was loaded from (or
 * nothing is stored, for a new state).  The serial grows by one only when
 * the content differs from what was loaded/saved last; otherwise nothing is
 * written.  IKC_ESTALE if the stored state moved; the lineage must match
 * the stored one (IKC_ECONFLICT otherwise).
 */
int ikc_state_save(ikc_backend *be, ikc_state *st);

/*
 * The same save in three steps, so that a caller guarding `st` with a lock
 * (the apply walk) holds it only to prepare and finish, not during the
 * backend's write: changes made meanwhile go into the next save.  Only one
 * save of a state may be in progress at a time.
 */
typedef struct ikc_state_write ikc_state_write;

/**
 * Step 1: serialises `st` with its next serial.  *out is NULL (and nothing
 * needs writing) when `st` did not change since it was loaded or saved.
 */
int ikc_state_save_prepare(ikc_state_write **out, ikc_state *st);
/** Step 2: writes what step 1 prepared (compare-and-swap as ikc_state_save). */
int ikc_state_save_commit(ikc_backend *be, ikc_state_write *w);
/**
 * Step 3: records in `st` what was stored (its version and content) when
 * `commit_rc` is 0; frees `w`.  Returns commit_rc, or an error of its own.
 */
int ikc_state_save_finish(ikc_state *st, ikc_state_write *w, int commit_rc);

#endif /* IKC_STATE_BACKEND_H */
