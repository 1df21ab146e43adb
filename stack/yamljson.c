/* yamljson.c - YAML text (kubeconfig and the like) to a json-c value, with the loader's caps */
#include "stack/yamljson.h"

#include "stack/internal.h"
#include "util/errors.h"

int ikc_yaml_to_json(json_object **out, const char *data, size_t len,
		     const char *what)
{
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_stack_pos *pos = NULL;
	ikc_stack__doc *docs = NULL;
	size_t ndocs = 0;
	int rc;

	*out = NULL;
	rc = ikc_stack__pos_new(&pos);
	if (rc < 0)
		return rc;
	rc = ikc_stack__yaml_read(&docs, &ndocs, pos, &diags, what, data, len);
	if (rc == 0 && ikc_diags_errors(&diags) > 0)
		rc = IKC_EINVALID;
	if (rc < 0) {
		if (diags.count) {
			ikc_buf msg = IKC_BUF_INIT(0);

			(void)ikc_diag_format(&msg, &diags.items[0]);
			rc = ikc_error_set_code(IKC_EINVALID, IKC_ERR_SPEC, "%s",
						msg.ptr ? msg.ptr : what);
			ikc_buf_dispose(&msg);
		}
	} else if (ndocs == 0 || !docs[0].root) {
		rc = ikc_error_set_code(IKC_EINVALID, IKC_ERR_SPEC, "%s is empty", what);
	} else {
		*out = json_object_get(docs[0].root);
	}
	ikc_stack__docs_free(docs, ndocs);
	ikc_stack__pos_free(pos);
	ikc_diags_dispose(&diags);
	return rc;
}
