/* mkstate.c - test fixture maker: writes a state holding given resources */
#include <stdio.h>
#include <stdlib.h>

#include "state/backend.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"

/*
 * usage: e2e_mkstate STATE_URL STACK RESOURCES.json [OUTPUTS.json]
 * RESOURCES.json is an array of state resource objects (state/state.h).
 */
int main(int argc, char **argv)
{
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX);
	ikc_backend *be = NULL;
	ikc_state *st = NULL;
	json_object *arr = NULL, *outputs = NULL;
	size_t i;
	int rc = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: %s STATE_URL STACK RESOURCES.json [OUTPUTS.json]\n", argv[0]);
		return 2;
	}
	if (ikc_fs_read_file(&raw, argv[3], IKC_STATE_MAX) < 0 ||
	    ikc_json_parse(&arr, raw.ptr, raw.len, argv[3]) < 0)
		goto done;
	if (argc > 4) {
		ikc_buf_clear(&raw);
		if (ikc_fs_read_file(&raw, argv[4], IKC_STATE_MAX) < 0 ||
		    ikc_json_parse(&outputs, raw.ptr, raw.len, argv[4]) < 0)
			goto done;
	}
	if (ikc_backend_open(&be, argv[1], ".") < 0 || ikc_state_new(&st, argv[2]) < 0)
		goto done;
	for (i = 0; i < json_object_array_length(arr); i++)
		if (ikc_state_resource_put(st, json_object_get(json_object_array_get_idx(arr, i))) < 0)
			goto done;
	if (outputs && ikc_state_set_outputs(st, json_object_get(outputs)) < 0)
		goto done;
	if (ikc_state_save(be, st) < 0)
		goto done;
	rc = 0;
done:
	if (rc)
		fprintf(stderr, "mkstate: %s\n", ikc_error_last());
	json_object_put(arr);
	json_object_put(outputs);
	ikc_state_free(st);
	ikc_backend_free(be);
	ikc_buf_dispose(&raw);
	return rc;
}
