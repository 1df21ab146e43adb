#ifndef IKC_STATE_MIGRATE_H
#define IKC_STATE_MIGRATE_H

/*
 * Moving a state between backends (`ikc state migrate --to URL`).
 */

#include "state/backend.h"

/**
 * Copies the state stored on `from` to `to` unchanged, byte for byte, so
 * lineage and serial stay: takes both locks (from first, without waiting),
 * reads `from`, and writes the same bytes to `to` with compare-and-swap on
 * what `to` held.  Refuses with IKC_ECONFLICT when `to` already holds a
 * state of another lineage, a higher serial, or the same serial with other
 * content (the same serial with the same bytes is a no-op, 0).
 * IKC_ENOTFOUND when `from` holds no state; IKC_ELOCKED (naming the holder)
 * when either lock is taken.  Both locks are released before returning.
 * `from` is left as it was (removing it is the caller's choice).
 */
int ikc_state_migrate(ikc_backend *from, ikc_backend *to);

#endif /* IKC_STATE_MIGRATE_H */
