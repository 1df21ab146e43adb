/* fuzz_state.c - fuzz target: parse untrusted bytes as a state document */
#include <stddef.h>
#include <stdint.h>

#include "state/state.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ikc_state *st = NULL;
	ikc_buf out = IKC_BUF_INIT(IKC_STATE_MAX);

	if (ikc_state_parse(&st, (const char *)data, size, "fuzz input") == 0) {
		/* Whatever parses must serialise and parse back to the same content. */
		ikc_state *back = NULL;

		if (ikc_state_serialize(&out, st) == 0 &&
		    ikc_state_parse(&back, out.ptr, out.len, "round trip") == 0 &&
		    !ikc_state_content_equal(st, back))
			__builtin_trap();
		ikc_state_free(back);
	}
	ikc_state_free(st);
	ikc_buf_dispose(&out);
	return 0;
}
