#ifndef IKC_STACK_YAMLJSON_H
#define IKC_STACK_YAMLJSON_H

/* yamljson.h - plain YAML (or JSON) text to json-c values, for files other than the stack file (kubeconfig) */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>

/**
 * Parses the first YAML document of `data` into an owned json-c value,
 * with the stack loader's limits (size, depth, aliases).  `what` names the
 * input in messages.  0 or IKC_EINVALID (message has line and column).
 */
int ikc_yaml_to_json(json_object **out, const char *data, size_t len,
		     const char *what);

#endif /* IKC_STACK_YAMLJSON_H */
