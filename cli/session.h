#ifndef IKC_CLI_SESSION_H
#define IKC_CLI_SESSION_H

/* session.h - what most commands need: the stack, its state backend, the lock, the state */

#include "cli/cli.h"
#include "stack/stack.h"
#include "state/backend.h"

struct ikc_session {
	ikc_stack *stack;        /* NULL when the command runs without a stack file */
	ikc_backend *backend;
	ikc_state *state;        /* NULL when nothing is stored yet */
	ikc_lock_info lock;
	int locked;
};

enum {
	IKC_SESSION_STACK = 1,       /* the stack file is required */
	IKC_SESSION_STACK_OPT = 2,   /* use the stack file if there is one (for the state URL) */
	IKC_SESSION_LOCK = 4,        /* take the lock (unless --lock=false) */
	IKC_SESSION_STATE = 8        /* load the state */
};

/**
 * Opens what `flags` ask for.  On failure it has printed the error(s) and
 * returns IKC_EXIT_ERROR (the session is then closed); 0 on success.
 */
int ikc_session_open(struct ikc_session *s, struct ikc_cli *cli,
		     const char *command, int flags);
/** Releases the lock and frees everything; safe on a zeroed session. */
void ikc_session_close(struct ikc_session *s);
/** Loads the stack file named by the flags (-f / --git); prints diagnostics. */
int ikc_session_load_stack(ikc_stack **out, struct ikc_cli *cli);

/**
 * Sets the state's "source" (in memory; the next save writes it) from the
 * session's stack: {file, digest, git_commit, git_ref}, so that each
 * applied change can be traced to the file and commit it came from.  Call
 * it before applying.  0 (also when there is no stack or state) or
 * IKC_ERROR.
 */
int ikc_session_record_source(struct ikc_session *s);

#endif /* IKC_CLI_SESSION_H */
