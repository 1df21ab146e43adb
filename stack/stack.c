/* stack.c - loading a stack file: limits, digest, the stack object and its lookups */
#include "stack/stack.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "stack/internal.h"
#include "util/buf.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/str.h"

static void resource_dispose(ikc_resource *r)
{
	size_t i;

	free(r->address);
	free(r->api_version);
	free(r->kind);
	free(r->name);
	free(r->namespace_);
	free(r->cluster);
	json_object_put(r->body);
	for (i = 0; i < r->nrefs; i++) {
		free(r->refs[i].target);
		free(r->refs[i].path);
	}
	free(r->refs);
	for (i = 0; i < r->ndepends_on; i++)
		free(r->depends_on[i]);
	free(r->depends_on);
	for (i = 0; i < r->nignore_changes; i++)
		free(r->ignore_changes[i]);
	free(r->ignore_changes);
}

void ikc_stack_free(ikc_stack *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nresources; i++)
		resource_dispose(&st->resources[i]);
	free(st->resources);
	for (i = 0; i < st->noutput_refs; i++) {
		free(st->output_refs[i].target);
		free(st->output_refs[i].path);
	}
	free(st->output_refs);
	free(st->name);
	free(st->file);
	free(st->dir);
	free(st->project);
	free(st->endpoint);
	free(st->kube_cluster);
	free(st->kubeconfig);
	free(st->kube_context);
	free(st->state_url);
	json_object_put(st->variables);
	json_object_put(st->outputs);
	free(st->git_commit);
	free(st->git_ref);
	ikc_stack__pos_free(st->pos);
	free(st);
}

static int digest_hex(char out[65], const char *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	static const char hex[] = "0123456789abcdef";

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
		return ikc_error_set(IKC_ERR_SPEC, "cannot compute SHA-256");
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

/* line and column (1-based, in characters) of byte `off` */
static void offset_pos(const char *data, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

int ikc_stack_load_buffer(ikc_stack **out, ikc_diags *diags,
			  const char *display_name, const char *dir,
			  const char *data, size_t len,
			  const ikc_load_options *opts)
{
	ikc_stack *st = NULL;
	ikc_stack__doc *docs = NULL;
	size_t ndocs = 0, bad = 0, errors_before = ikc_diags_errors(diags);
	const char *file = display_name ? display_name : "ikc.yaml";
	int error;

	*out = NULL;
	if (!data) {
		data = "";
		len = 0;
	}
	if (len > IKC_STACK_FILE_MAX) {
		ikc_diags_add(diags, IKC_DIAG_ERROR, file, 0, 0,
			      "the stack file is %zu bytes; the limit is %zu bytes",
			      len, (size_t)IKC_STACK_FILE_MAX);
		return IKC_EINVALID;
	}
	if (!ikc_str_valid_utf8(data, len, &bad)) {
		int line, col;

		offset_pos(data, bad, &line, &col);
		if (data[bad] == '\0')
			ikc_diags_add(diags, IKC_DIAG_ERROR, file, line, col,
				      "NUL byte: a stack file is YAML text, not "
				      "binary data");
		else
			ikc_diags_add(diags, IKC_DIAG_ERROR, file, line, col,
				      "invalid UTF-8 (byte 0x%02x): a stack file "
				      "must be UTF-8 text",
				      (unsigned char)data[bad]);
		return IKC_EINVALID;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return ikc_error_oom();
	st->file = strdup(file);
	st->dir = ikc_stack__abs_dir(dir);
	if (!st->file || !st->dir) {
		error = ikc_error_oom();
		goto done;
	}
	error = digest_hex(st->digest, data, len);
	if (error < 0)
		goto done;
	error = ikc_stack__pos_new(&st->pos);
	if (error < 0)
		goto done;
	error = ikc_stack__yaml_read(&docs, &ndocs, st->pos, diags, st->file,
				    data, len);
	if (error == IKC_EINVALID)
		ikc_diags_sort(diags);
	if (error < 0)
		goto done;
	error = ikc_stack__validate(st, docs, ndocs, diags, opts);
	if (error < 0)
		goto done;
	if (ikc_diags_errors(diags) > errors_before) {
		ikc_diags_sort(diags);   /* in file order, as a reader expects */
		error = IKC_EINVALID;
		goto done;
	}
	*out = st;
	st = NULL;
done:
	ikc_stack__docs_free(docs, ndocs);
	ikc_stack_free(st);
	return error;
}

int ikc_stack_load_file(ikc_stack **out, ikc_diags *diags, const char *path,
			const ikc_load_options *opts)
{
	ikc_buf raw = IKC_BUF_INIT(IKC_STACK_FILE_MAX + 1);
	char *dir = NULL;
	int error;

	*out = NULL;
	error = ikc_fs_read_file(&raw, path, IKC_STACK_FILE_MAX);
	if (error == IKC_ELIMIT) {
		ikc_diags_add(diags, IKC_DIAG_ERROR, path, 0, 0,
			      "the stack file is larger than the limit of %zu "
			      "bytes", (size_t)IKC_STACK_FILE_MAX);
		error = IKC_EINVALID;
		goto done;
	}
	if (error < 0) {
		error = ikc_error_wrap(IKC_ERROR, "cannot read the stack file: ");
		goto done;
	}
	dir = ikc_fs_dirname(path);
	if (!dir) {
		error = ikc_error_oom();
		goto done;
	}
	error = ikc_stack_load_buffer(out, diags, path, dir,
				      raw.ptr ? raw.ptr : "", raw.len, opts);
done:
	free(dir);
	ikc_buf_dispose(&raw);
	return error;
}

const ikc_resource *ikc_stack_find(const ikc_stack *st, const char *address)
{
	size_t i;

	if (!st || !address)
		return NULL;
	for (i = 0; i < st->nresources; i++)
		if (strcmp(st->resources[i].address, address) == 0)
			return &st->resources[i];
	return NULL;
}

int ikc_stack_position(const ikc_stack *st, const ikc_resource *r,
		       const char *path, int *line, int *col)
{
	json_object *cur;
	const char *p = path;
	int found = 0;

	*line = r->line;
	*col = r->col;
	if (!path || !*path)
		return 0;
	cur = r->body;
	while (cur && p && *p) {
		const ikc_stack__pos *pos;
		json_object *next = NULL;
		char key[256];
		size_t n = 0;

		if (*p == '.')
			p++;
		if (*p == '[') {
			char *end;
			long idx = strtol(p + 1, &end, 10);

			if (*end != ']' || idx < 0 ||
			    !json_object_is_type(cur, json_type_array) ||
			    (size_t)idx >= json_object_array_length(cur))
				break;
			pos = ikc_stack__pos_get(st->pos, cur, NULL, (size_t)idx);
			next = json_object_array_get_idx(cur, (size_t)idx);
			p = end + 1;
			if (pos) {
				*line = pos->line;
				*col = pos->col;
				found = 1;
			}
			cur = next;
			continue;
		}
		while (*p && *p != '.' && *p != '[') {
			if (n + 1 < sizeof(key))
				key[n++] = *p;
			p++;
		}
		key[n] = '\0';
		if (!json_object_is_type(cur, json_type_object) ||
		    !json_object_object_get_ex(cur, key, &next))
			break;
		pos = ikc_stack__pos_get(st->pos, cur, key, 0);
		if (pos) {
			*line = pos->kline ? pos->kline : pos->line;
			*col = pos->kline ? pos->kcol : pos->col;
			found = 1;
		}
		cur = next;
	}
	return found ? 0 : IKC_ENOTFOUND;
}
