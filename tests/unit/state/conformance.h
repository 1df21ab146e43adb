#ifndef IKC_TESTS_STATE_CONFORMANCE_H
#define IKC_TESTS_STATE_CONFORMANCE_H

/*
 * The conformance suite every state backend passes (file:// now, etcd://
 * later).  A backend test describes how to get an empty store and how to
 * open handles on it, then calls ikc_conformance_run().
 */

#include "state/backend.h"

struct ikc_conformance {
	const char *name;                             /* cmocka group name */
	/* Makes the store empty (called before each test). 0 or < 0. */
	int (*reset)(void *ctx);
	/* Opens a new, independent handle on the current store. 0 or < 0. */
	int (*open)(ikc_backend **out, void *ctx);
	void *ctx;
};

/** Runs every conformance test on the backend; returns the number that failed. */
int ikc_conformance_run(const struct ikc_conformance *c);

#endif /* IKC_TESTS_STATE_CONFORMANCE_H */
