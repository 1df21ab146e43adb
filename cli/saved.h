#ifndef IKC_CLI_SAVED_H
#define IKC_CLI_SAVED_H

/* saved.h - reading a saved plan file (ikc apply PLANFILE, ikc show PLANFILE) */

#include "planner/plan.h"

/**
 * Reads and checks the saved plan at `path` (format version, checksum).
 * Prints the error ("PATH: not a valid saved plan: ...") and returns
 * IKC_EXIT_ERROR when it cannot be used; 0 with an owned *out otherwise.
 */
int ikc_saved_plan_read(ikc_plan **out, const char *path);

#endif /* IKC_CLI_SAVED_H */
