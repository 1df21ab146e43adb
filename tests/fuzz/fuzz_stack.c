/* fuzz_stack.c - fuzz target: any bytes through the stack loader, nothing leaks */
#include <stddef.h>
#include <stdint.h>

#include "stack/stack.h"
#include "util/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_stack *st = NULL;
	static const char *const vars[] = { "replicas=3", "image=nginx" };
	ikc_load_options opts = { vars, 2 };

	if (ikc_stack_load_buffer(&st, &diags, "fuzz.yaml", "/tmp",
				  (const char *)data, size, &opts) == 0 && st) {
		size_t i;

		/* exercise the lookups and the resolver on what loaded */
		for (i = 0; i < st->nresources; i++) {
			json_object *v = NULL;
			int line, col;

			(void)ikc_stack_find(st, st->resources[i].address);
			(void)ikc_stack_position(st, &st->resources[i],
						 "spec.template.spec", &line, &col);
			if (ikc_stack_resolve(&v, st, st->resources[i].body,
					      NULL, NULL) == 0)
				(void)ikc_value_has_unknown(v);
			json_object_put(v);
		}
	}
	ikc_stack_free(st);
	ikc_diags_dispose(&diags);
	return 0;
}
