/* backend.c - state URLs to backends, and load / compare-and-swap save of a state */
#include "state/backend.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/etcd/etcd.h"
#include "state/file/file.h"
#include "state/state_internal.h"
#include "util/errors.h"
#include "util/str.h"

int ikc_backend_open(ikc_backend **out, const char *url, const char *base_dir)
{
	char *path = NULL;
	int error;

	*out = NULL;
	if (!url || !*url)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "the state URL is empty");
	if (ikc_str_startswith(url, "file://")) {
		const char *p = url + strlen("file://");

		if (!*p)
			return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
				"state URL '%s' has no path (file://PATH)", url);
		if (p[0] != '/' && base_dir && *base_dir)
			path = ikc_asprintf("%s/%s", base_dir, p);
		else
			path = strdup(p);
		if (!path)
			return ikc_error_oom();
		error = ikc_file_backend_open(out, path);
		free(path);
		return error;
	}
	if (ikc_str_startswith(url, "etcd://") ||
	    ikc_str_startswith(url, "etcds://"))
		return ikc_etcd_backend_open(out, url);
	if (!strstr(url, "://"))
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"state URL '%s' has no scheme (did you mean file://%s?)",
			url, url);
	return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
		"unsupported state URL '%s' (use file://PATH or "
		"etcd://HOST:PORT/PREFIX)", url);
}

void ikc_backend_free(ikc_backend *be)
{
	if (be && be->free)
		be->free(be);
}

int ikc_state_load(ikc_state **out, ikc_backend *be)
{
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX);
	ikc_state *st = NULL;
	char *version = NULL;
	int error;

	*out = NULL;
	error = be->read(be, &raw, &version);
	if (error < 0)
		goto done;                     /* the backend set the message */
	error = ikc_state_parse(&st, raw.ptr, raw.len, be->url);
	if (error < 0)
		goto done;
	error = ikc_state__set_version(st, version);
	if (error == 0)
		error = ikc_state__mark_stored(st);
	if (error < 0)
		goto done;
	*out = st;
	st = NULL;
done:
	ikc_state_free(st);
	free(version);
	ikc_buf_dispose(&raw);
	return error;
}

struct ikc_state_write {
	ikc_buf doc;
	unsigned char content[IKC_STATE_DIGEST_LEN];  /* digest of what doc holds */
	char *expected;         /* version it replaces (NULL: nothing stored) */
	char lineage[37];       /* of the state doc was made from */
	uint64_t old_serial;
	char *new_version;
};

static void write_free(ikc_state_write *w)
{
	if (!w)
		return;
	ikc_buf_dispose(&w->doc);
	free(w->expected);
	free(w->new_version);
	free(w);
}

int ikc_state_save_prepare(ikc_state_write **out, ikc_state *st)
{
	const char *expected = ikc_state__version(st);
	ikc_state_write *w;
	char sum[65];
	int error;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return ikc_error_oom();
	w->doc.max = IKC_STATE_MAX;
	w->old_serial = ikc_state_serial(st);
	snprintf(w->lineage, sizeof(w->lineage), "%s", ikc_state_lineage(st));
	/*
	 * One pass over the content with the next serial gives both the
	 * checksum to store and the digest that tells whether it changed.
	 */
	ikc_state__set_serial(st, w->old_serial + 1);
	error = ikc_state__digests(st, sum, w->content);
	if (error < 0)
		goto fail;
	/* A state that came from this backend and did not change: no write. */
	if (expected && ikc_state__stored_is(st, w->content)) {
		ikc_state__set_serial(st, w->old_serial);
		write_free(w);
		return 0;
	}
	if (w->old_serial >= (uint64_t)INT64_MAX) {
		error = ikc_error_set_code(IKC_ELIMIT, IKC_ERR_STATE,
					   "state serial %" PRIu64 " cannot grow",
					   w->old_serial);
		goto fail;
	}
	if (expected) {
		w->expected = strdup(expected);
		if (!w->expected) {
			error = ikc_error_oom();
			goto fail;
		}
	}
	error = ikc_state__serialize_with(&w->doc, st, sum);
	if (error < 0)
		goto fail;
	*out = w;
	return 0;
fail:
	ikc_state__set_serial(st, w->old_serial);
	write_free(w);
	return error;
}

int ikc_state_save_commit(ikc_backend *be, ikc_state_write *w)
{
	/* The file backend need not parse again what ikc_state_serialize made. */
	return ikc_file_backend__write_state(be, w->doc.ptr, w->doc.len,
					     w->lineage, w->old_serial + 1,
					     w->expected, &w->new_version);
}

int ikc_state_save_finish(ikc_state *st, ikc_state_write *w, int commit_rc)
{
	int error = commit_rc;

	if (!w)
		return commit_rc;
	if (commit_rc == 0) {
		error = ikc_state__set_version(st, w->new_version);
		if (error == 0)
			ikc_state__set_stored(st, w->content);
	} else if (!w->new_version &&
		   ikc_state_serial(st) == w->old_serial + 1) {
		ikc_state__set_serial(st, w->old_serial);  /* nothing was stored */
	}
	write_free(w);
	return error;
}

int ikc_state_save(ikc_backend *be, ikc_state *st)
{
	ikc_state_write *w = NULL;
	int error = ikc_state_save_prepare(&w, st);

	if (error < 0 || !w)
		return error;
	return ikc_state_save_finish(st, w, ikc_state_save_commit(be, w));
}
