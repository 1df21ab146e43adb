#ifndef IKC_TESTS_SIMPROC_H
#define IKC_TESTS_SIMPROC_H

/*
 * Starts and stops a real ikc-sim for integration tests.  The binary comes
 * from $IKC_SIM_BIN, else $IKC_BUILD_DIR/sim/ikc-sim.
 */

#include <limits.h>      /* for PATH_MAX */
#include <sys/types.h>   /* for pid_t */

struct simproc {
	pid_t pid;
	int port;
	int own_dir;                 /* the folder was made by simproc_start */
	char dir[PATH_MAX];
	char url[128];               /* "https://127.0.0.1:PORT/" */
	char ca[PATH_MAX + 16];      /* DIR/ca.pem */
	char credentials[PATH_MAX + 32];
};

/**
 * Starts `ikc-sim serve --dir NEWTMPDIR --port 0 EXTRA` and waits for its
 * `ready` file.  `extra_args` is split on spaces; '...' groups words.  0 or -1
 * (with a message on stderr).
 */
int simproc_start(struct simproc *p, const char *extra_args);

/** Like simproc_start with a given folder (a restart keeps it). */
int simproc_start_in(struct simproc *p, const char *dir, const char *extra_args);

/**
 * Sends SIGTERM and waits for the exit.  Returns the exit status (0 on a
 * clean stop) or -1.  Keeps the folder.
 */
int simproc_terminate(struct simproc *p);

/** simproc_terminate, then removes the folder if simproc_start made it. */
void simproc_stop(struct simproc *p);

#endif /* IKC_TESTS_SIMPROC_H */
