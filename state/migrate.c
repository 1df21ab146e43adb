/* migrate.c - moves a state document from one backend to another, keeping lineage and serial */
#include "state/migrate.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"

/* Refuses a target that holds another state or a newer one. */
static int check_target(const ikc_state *src, const ikc_state *dst,
			const char *src_raw, size_t src_len, const ikc_buf *dst_raw,
			const char *to_url)
{
	if (strcmp(ikc_state_lineage(src), ikc_state_lineage(dst)) != 0)
		return ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_STATE,
			"%s already holds another state (lineage %s, not %s); "
			"not overwriting it", to_url, ikc_state_lineage(dst),
			ikc_state_lineage(src));
	if (ikc_state_serial(dst) > ikc_state_serial(src))
		return ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_STATE,
			"%s already holds a newer copy of this state (serial %"
			PRIu64 ", migrating %" PRIu64 "); not overwriting it",
			to_url, ikc_state_serial(dst), ikc_state_serial(src));
	if (ikc_state_serial(dst) == ikc_state_serial(src) &&
	    (dst_raw->len != src_len || memcmp(dst_raw->ptr, src_raw, src_len)))
		return ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_STATE,
			"%s holds serial %" PRIu64 " of this state with other "
			"content; not overwriting it", to_url,
			ikc_state_serial(dst));
	return 0;
}

int ikc_state_migrate(ikc_backend *from, ikc_backend *to)
{
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX), there = IKC_BUF_INIT(IKC_STATE_MAX);
	ikc_state *src = NULL, *dst = NULL;
	char *from_version = NULL, *to_version = NULL, *new_version = NULL;
	char *keep;
	ikc_lock_info info;
	int error, locked_from = 0, locked_to = 0, rc;

	memset(&info, 0, sizeof(info));
	error = ikc_lock_info_self(&info, "ikc state migrate");
	if (error < 0)
		return error;
	error = from->lock(from, &info, 0);
	if (error < 0)
		goto done;
	locked_from = 1;
	error = to->lock(to, &info, 0);
	if (error < 0)
		goto done;
	locked_to = 1;
	error = from->read(from, &raw, &from_version);
	if (error == 0)
		error = ikc_state_parse(&src, raw.ptr, raw.len, from->url);
	if (error < 0)
		goto done;
	error = to->read(to, &there, &to_version);
	if (error == IKC_ENOTFOUND) {
		error = 0;
	} else if (error == 0) {
		error = ikc_state_parse(&dst, there.ptr, there.len, to->url);
		if (error == 0)
			error = check_target(src, dst, raw.ptr, raw.len, &there,
					     to->url);
		if (error == 0 && ikc_state_serial(dst) == ikc_state_serial(src))
			goto done;    /* already there, byte for byte */
	}
	if (error < 0)
		goto done;
	error = to->write(to, raw.ptr, raw.len, to_version, &new_version);
done:
	keep = error < 0 ? strdup(ikc_error_last()) : NULL;
	if (locked_to) {
		rc = to->unlock(to, info.id);
		if (error == 0)
			error = rc;
	}
	if (locked_from) {
		rc = from->unlock(from, info.id);
		if (error == 0)
			error = rc;
	}
	if (keep)       /* the first failure is the one to report */
		(void)ikc_error_set_code(error, IKC_ERR_STATE, "%s", keep);
	free(keep);
	ikc_lock_info_dispose(&info);
	ikc_state_free(src);
	ikc_state_free(dst);
	free(from_version);
	free(to_version);
	free(new_version);
	ikc_buf_dispose(&raw);
	ikc_buf_dispose(&there);
	return error;
}
