#ifndef IKC_UTIL_QUANTITY_H
#define IKC_UTIL_QUANTITY_H

/*
 * Kubernetes resource quantities ("500m", "1.5", "2Gi", "1e3"): parsing,
 * the canonical text the API server stores and returns, and comparison.
 *
 * Grammar (the API's): [+-] digits [. digits] suffix, where suffix is one
 * of "" n u m k M G T P E (decimal SI), Ki Mi Gi Ti Pi Ei (binary SI), or
 * e/E followed by a signed integer (decimal exponent).  Values finer than
 * a nano unit are rounded up (away from zero) to 1n, as the server does.
 *
 * Canonical form, as the server writes it: no fractional digits, the
 * largest suffix that keeps the value exact, of the same family as the
 * input (a binary value that is not a whole number of units, or is under
 * 1024 in magnitude, is written in decimal SI): "1000m" -> "1",
 * "0.5" -> "500m", "1.5k" -> "1500", "1000" -> "1k", "1024Mi" -> "1Gi",
 * "1.5Ki" -> "1536", "1e3" -> "1e3", "0Gi" -> "0".
 */

#include <stddef.h>          /* for size_t */

/** The API's message for text that is not a quantity at all. */
#define IKC_QUANTITY_FORMAT_MSG \
	"quantities must match the regular expression " \
	"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
/** The API's message for a number followed by an unknown suffix. */
#define IKC_QUANTITY_SUFFIX_MSG "unable to parse quantity's suffix"

/**
 * The canonical text of quantity `text` into `out` (size `n`; 64 bytes
 * hold any quantity of up to 40 significant digits).  0; IKC_EINVALID with
 * one of the two messages above when `text` is not a quantity; IKC_ELIMIT
 * when it has more digits than this code keeps (60) or does not fit `out`.
 */
int ikc_quantity_canonical(char *out, size_t n, const char *text);

/**
 * Compares the values of two quantities: *cmp < 0, 0 or > 0 as a < b,
 * a == b, a > b.  0 or the error of ikc_quantity_canonical.
 */
int ikc_quantity_compare(int *cmp, const char *a, const char *b);

/** -1, 0 or 1: the sign of quantity `text`; 0 also when it is not one. */
int ikc_quantity_sign(const char *text);

#endif /* IKC_UTIL_QUANTITY_H */
