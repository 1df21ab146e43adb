/* state.c - the state document: model, validation on parse, checksummed serialisation */
#include "state/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>     /* for EVP_Digest* (SHA-256 of part of the text) */

#include "state/state_internal.h"
#include "util/clock.h"
#include "util/digest.h"
#include "util/errors.h"
#include "util/json.h"

struct ikc_state {
	json_object *doc;    /* every field but "checksum", in stored order */
	int has_stored;      /* stored_digest holds what was loaded or saved */
	unsigned char stored_digest[IKC_STATE_DIGEST_LEN];
	char *version;       /* backend token of what was loaded/saved, or NULL */
};

#define STACK_NAME_MAX 256

/* Borrowed member of the document (always present once constructed). */
static json_object *member(const ikc_state *st, const char *key)
{
	json_object *v = NULL;

	(void)json_object_object_get_ex(st->doc, key, &v);
	return v;
}

static int is_uuid(const char *s)
{
	size_t i;

	if (!s || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!strchr("0123456789abcdefABCDEF", s[i])) {
			return 0;
		}
	}
	return 1;
}

int ikc_state_new(ikc_state **out, const char *stack_name)
{
	ikc_state *st = NULL;
	char lineage[37];
	int error = IKC_ERROR;

	*out = NULL;
	if (!stack_name || !*stack_name || strlen(stack_name) >= STACK_NAME_MAX)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "a state needs a stack name (1 to %d bytes)",
					  STACK_NAME_MAX - 1);
	if (ikc_uuid_v4(lineage) < 0)
		return IKC_ERROR;
	st = calloc(1, sizeof(*st));
	if (!st)
		return ikc_error_oom();
	st->doc = json_object_new_object();
	if (!st->doc) {
		ikc_error_oom();
		goto done;
	}
	if (ikc_json_add(st->doc, "format_version",
			 json_object_new_int(IKC_STATE_FORMAT_VERSION)) < 0 ||
	    ikc_json_add(st->doc, "lineage", json_object_new_string(lineage)) < 0 ||
	    ikc_json_add(st->doc, "serial", json_object_new_int64(0)) < 0 ||
	    ikc_json_add(st->doc, "stack", json_object_new_string(stack_name)) < 0 ||
	    ikc_json_add(st->doc, "source", json_object_new_object()) < 0 ||
	    ikc_json_add(st->doc, "resources", json_object_new_array()) < 0 ||
	    ikc_json_add(st->doc, "journal", json_object_new_array()) < 0 ||
	    ikc_json_add(st->doc, "outputs", json_object_new_object()) < 0)
		goto done;
	*out = st;
	st = NULL;
	error = 0;
done:
	ikc_state_free(st);
	return error;
}

void ikc_state_free(ikc_state *st)
{
	if (!st)
		return;
	json_object_put(st->doc);
	free(st->version);
	free(st);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends the compact JSON text of a scalar. */
static int put_plain(ikc_buf *out, json_object *obj)
{
	size_t len = 0;
	const char *text = json_object_to_json_string_length(obj,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	if (!text)
		return ikc_error_oom();
	return ikc_buf_put(out, text, len);
}

/*
 * Appends the canonical text of `obj` to `out`: the same bytes as
 * ikc_json_canonical (sorted keys, no spaces), with one string object `ks`
 * reused to quote every key, as this runs over megabytes on every save.
 * For the top-level object, *skip_start and *skip_end (when not NULL) get
 * where its "serial" member lies, its leading or trailing comma included,
 * so that what remains is the text of the document without "serial" (both
 * 0 when there is none).
 */
static int canonical_text(ikc_buf *out, json_object *obj, json_object *ks,
			  size_t *skip_start, size_t *skip_end)
{
	size_t n, i = 0;
	const char **keys;
	int error = 0;

	switch (json_object_get_type(obj)) {
	case json_type_object:
		break;
	case json_type_array:
		n = json_object_array_length(obj);
		error = ikc_buf_put(out, "[", 1);
		for (i = 0; i < n && !error; i++) {
			if (i)
				error = ikc_buf_put(out, ",", 1);
			if (!error)
				error = canonical_text(out, json_object_array_get_idx(obj, i),
						       ks, NULL, NULL);
		}
		return error ? error : ikc_buf_put(out, "]", 1);
	case json_type_null:
		return ikc_buf_put(out, "null", 4);
	default:
		return put_plain(out, obj);
	}
	n = (size_t)json_object_object_length(obj);
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return ikc_error_oom();
	json_object_object_foreach(obj, k, v) {
		(void)v;
		keys[i++] = k;
	}
	qsort(keys, n, sizeof(*keys), cmp_keys);
	error = ikc_buf_put(out, "{", 1);
	for (i = 0; i < n && !error; i++) {
		size_t start = out->len;

		if (json_object_set_string(ks, keys[i]) != 1) {
			error = ikc_error_oom();
			break;
		}
		if (i)
			error = ikc_buf_put(out, ",", 1);
		if (!error)
			error = put_plain(out, ks);
		if (!error)
			error = ikc_buf_put(out, ":", 1);
		if (!error)
			error = canonical_text(out, json_object_object_get(obj, keys[i]),
					       ks, NULL, NULL);
		if (!error && skip_start && !strcmp(keys[i], "serial")) {
			*skip_start = start;
			*skip_end = out->len;
			if (i == 0 && n > 1)
				(*skip_end)++;         /* the comma after it */
		}
	}
	if (!error)
		error = ikc_buf_put(out, "}", 1);
	free(keys);
	return error;
}

/*
 * Digests of `doc` in one pass over its canonical text: `sum` (hex[65],
 * may be NULL) is the SHA-256 of all of it, the checksum; `content` (may
 * be NULL) the SHA-256 of it without "serial", which tells whether the
 * content changed.
 */
static int doc_digests(json_object *doc, char sum[65],
		       unsigned char content[IKC_STATE_DIGEST_LEN])
{
	ikc_buf canon = IKC_BUF_INIT(IKC_STATE_MAX);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	json_object *ks = NULL;
	size_t a, b;
	int error;

	a = b = 0;
	ks = json_object_new_string("");
	if (!ks) {
		error = ikc_error_oom();
		goto done;
	}
	error = canonical_text(&canon, doc, ks, &a, &b);
	if (error < 0)
		goto done;
	if (sum) {
		error = ikc_sha256_hex(sum, canon.ptr, canon.len);
		if (error < 0)
			goto done;
	}
	if (content) {
		ctx = EVP_MD_CTX_new();
		if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(ctx, canon.ptr, a) != 1 ||
		    EVP_DigestUpdate(ctx, canon.ptr + b, canon.len - b) != 1 ||
		    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
			error = ikc_error_set(IKC_ERR_STATE, "cannot compute SHA-256");
			goto done;
		}
		memcpy(content, md, IKC_STATE_DIGEST_LEN);
	}
done:
	EVP_MD_CTX_free(ctx);
	json_object_put(ks);
	ikc_buf_dispose(&canon);
	return error;
}

/* Lower-case hex SHA-256 of the canonical text of `doc` into hex[65]. */
static int content_digest(char hex[65], json_object *doc)
{
	ikc_buf canon = IKC_BUF_INIT(IKC_STATE_MAX);
	int error;

	error = ikc_json_canonical(&canon, doc);
	if (error == 0)
		error = ikc_sha256_hex(hex, canon.ptr, canon.len);
	ikc_buf_dispose(&canon);
	return error;
}

/* Records "<what>: <reason>" (or just the reason) as IKC_EINVALID. */
static int refuse(const char *what, const char *reason)
{
	if (what)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE, "%s: %s",
					  what, reason);
	return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE, "%s", reason);
}

/* A non-negative integer member. 1 and *out, or 0. */
static int get_count(json_object *obj, const char *key, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	errno = 0;
	*out = json_object_get_int64(v);
	return errno == 0 && *out >= 0;
}

/* Checks the resources list: objects with unique non-empty addresses. */
static int check_resources(json_object *list, const char *what)
{
	json_object *seen = json_object_new_object();
	size_t i, n = json_object_array_length(list);
	int error = 0;
	char msg[512];

	if (!seen)
		return ikc_error_oom();
	for (i = 0; i < n && !error; i++) {
		json_object *res = json_object_array_get_idx(list, i);
		const char *addr = ikc_json_str(res, "address");

		if (!addr || !*addr) {
			snprintf(msg, sizeof(msg),
				 "resources[%zu] has no \"address\"", i);
			error = refuse(what, msg);
		} else if (json_object_object_get_ex(seen, addr, NULL)) {
			snprintf(msg, sizeof(msg),
				 "resource %.300s is listed twice", addr);
			error = refuse(what, msg);
		} else {
			error = ikc_json_add(seen, addr, NULL);
		}
	}
	json_object_put(seen);
	return error;
}

static int check_journal(json_object *list, const char *what)
{
	size_t i, n = json_object_array_length(list);
	char msg[128];

	for (i = 0; i < n; i++) {
		const char *id = ikc_json_str(json_object_array_get_idx(list, i), "id");

		if (!id || !*id) {
			snprintf(msg, sizeof(msg), "journal[%zu] has no \"id\"", i);
			return refuse(what, msg);
		}
	}
	return 0;
}

/* Validates a parsed document (checksum already removed). */
static int check_doc(json_object *doc, const char *what)
{
	json_object *v;
	int64_t fv, serial;
	const char *s;
	char msg[160];

	if (!json_object_is_type(doc, json_type_object))
		return refuse(what, "not an ikc state (not a JSON object)");
	if (!json_object_object_get_ex(doc, "format_version", NULL) ||
	    !json_object_object_get_ex(doc, "lineage", NULL))
		return refuse(what, "not an ikc state (no \"format_version\" "
			      "and \"lineage\")");
	if (!get_count(doc, "format_version", &fv) || fv < 1)
		return refuse(what, "\"format_version\" is not a positive integer");
	if (fv > IKC_STATE_FORMAT_VERSION) {
		snprintf(msg, sizeof(msg), "written by a newer ikc (state "
			 "format_version %lld; this ikc reads up to %d)",
			 (long long)fv, IKC_STATE_FORMAT_VERSION);
		return refuse(what, msg);
	}
	if (!is_uuid(ikc_json_str(doc, "lineage")))
		return refuse(what, "\"lineage\" is not a UUID");
	if (!get_count(doc, "serial", &serial))
		return refuse(what, "\"serial\" is not a non-negative integer");
	s = ikc_json_str(doc, "stack");
	if (!s || !*s || strlen(s) >= STACK_NAME_MAX)
		return refuse(what, "\"stack\" is missing or not a stack name");
	if (json_object_object_get_ex(doc, "source", &v) &&
	    !json_object_is_type(v, json_type_object) &&
	    !json_object_is_type(v, json_type_null))
		return refuse(what, "\"source\" is not an object");
	if (!json_object_object_get_ex(doc, "resources", &v) ||
	    !json_object_is_type(v, json_type_array))
		return refuse(what, "\"resources\" is missing or not a list");
	if (check_resources(v, what) < 0)
		return IKC_EINVALID;
	if (!json_object_object_get_ex(doc, "journal", &v) ||
	    !json_object_is_type(v, json_type_array))
		return refuse(what, "\"journal\" is missing or not a list");
	if (check_journal(v, what) < 0)
		return IKC_EINVALID;
	if (!json_object_object_get_ex(doc, "outputs", &v) ||
	    !json_object_is_type(v, json_type_object))
		return refuse(what, "\"outputs\" is missing or not an object");
	return 0;
}

int ikc_state_parse(ikc_state **out, const char *data, size_t len,
		    const char *what)
{
	static const char json_what[] = "state";
	json_object *doc = NULL, *sum;
	ikc_state *st = NULL;
	char *want = NULL;
	char got[65];
	int error;

	*out = NULL;
	if (len > IKC_STATE_MAX)
		return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
			"%s is larger than the limit of %zu bytes",
			what ? what : "state", IKC_STATE_MAX);
	error = ikc_json_parse(&doc, data, len, json_what);
	if (error < 0) {
		/* Re-word "state: truncated JSON" as "<what>: truncated JSON". */
		const char *reason = ikc_error_last();
		char *copy;

		if (!strncmp(reason, json_what, sizeof(json_what) - 1) &&
		    !strncmp(reason + sizeof(json_what) - 1, ": ", 2))
			reason += sizeof(json_what) + 1;
		copy = strdup(reason);
		error = copy ? refuse(what, copy) : ikc_error_oom();
		free(copy);
		goto done;
	}
	if (json_object_is_type(doc, json_type_object) &&
	    json_object_object_get_ex(doc, "checksum", &sum)) {
		if (!json_object_is_type(sum, json_type_string)) {
			error = refuse(what, "\"checksum\" is not a string");
			goto done;
		}
		want = strdup(json_object_get_string(sum));
		if (!want) {
			error = ikc_error_oom();
			goto done;
		}
		json_object_object_del(doc, "checksum");
	}
	error = check_doc(doc, what);
	if (error < 0)
		goto done;
	if (!want) {
		error = refuse(what, "has no \"checksum\"; the file was changed "
			       "by hand or damaged");
		goto done;
	}
	error = content_digest(got, doc);
	if (error < 0)
		goto done;
	if (strcmp(got, want) != 0) {
		error = refuse(what, "checksum mismatch: the file was changed or "
			       "damaged");
		goto done;
	}
	/* Optional in the file; always there in memory (after the checksum). */
	if (!json_object_object_get_ex(doc, "source", &sum) || !sum) {
		error = ikc_json_add(doc, "source", json_object_new_object());
		if (error < 0)
			goto done;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		error = ikc_error_oom();
		goto done;
	}
	st->doc = doc;
	doc = NULL;
	*out = st;
done:
	free(want);
	json_object_put(doc);
	return error;
}

int ikc_state__serialize_with(ikc_buf *out, const ikc_state *st,
			      const char sum[65])
{
	json_object *full = NULL;
	int error = 0;

	full = json_object_new_object();
	if (!full)
		return ikc_error_oom();
	json_object_object_foreach(st->doc, key, val) {
		error = ikc_json_add(full, key, json_object_get(val));
		if (error < 0)
			goto done;
	}
	error = ikc_json_add(full, "checksum", json_object_new_string(sum));
	if (error < 0)
		goto done;
	error = ikc_buf_puts(out, json_object_to_json_string_ext(full,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE));
	if (error == 0)
		error = ikc_buf_puts(out, "\n");
done:
	json_object_put(full);
	return error;
}

int ikc_state_serialize(ikc_buf *out, const ikc_state *st)
{
	char sum[65];
	int error = doc_digests(st->doc, sum, NULL);

	return error < 0 ? error : ikc_state__serialize_with(out, st, sum);
}

int ikc_state_copy(ikc_state **out, const ikc_state *st)
{
	ikc_state *cp;

	*out = NULL;
	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return ikc_error_oom();
	cp->doc = ikc_json_copy(st->doc);
	if (!cp->doc)
		goto oom;
	cp->has_stored = st->has_stored;
	memcpy(cp->stored_digest, st->stored_digest, sizeof(cp->stored_digest));
	if (st->version) {
		cp->version = strdup(st->version);
		if (!cp->version)
			goto oom;
	}
	*out = cp;
	return 0;
oom:
	ikc_state_free(cp);
	return ikc_error_oom();
}

const char *ikc_state_lineage(const ikc_state *st)
{
	return ikc_json_str(st->doc, "lineage");
}

uint64_t ikc_state_serial(const ikc_state *st)
{
	return (uint64_t)json_object_get_int64(member(st, "serial"));
}

const char *ikc_state_stack(const ikc_state *st)
{
	return ikc_json_str(st->doc, "stack");
}

size_t ikc_state_count(const ikc_state *st)
{
	return json_object_array_length(member(st, "resources"));
}

json_object *ikc_state_resource_at(const ikc_state *st, size_t i)
{
	json_object *list = member(st, "resources");

	if (i >= json_object_array_length(list))
		return NULL;
	return json_object_array_get_idx(list, i);
}

/* Index of the resource with this address, or -1. */
static long find_resource(const ikc_state *st, const char *address)
{
	json_object *list = member(st, "resources");
	size_t i, n = json_object_array_length(list);

	if (!address)
		return -1;
	for (i = 0; i < n; i++) {
		const char *a = ikc_json_str(json_object_array_get_idx(list, i),
					     "address");

		if (a && !strcmp(a, address))
			return (long)i;
	}
	return -1;
}

json_object *ikc_state_resource(const ikc_state *st, const char *address)
{
	long i = find_resource(st, address);

	return i < 0 ? NULL : ikc_state_resource_at(st, (size_t)i);
}

int ikc_state_resource_put(ikc_state *st, json_object *res)
{
	const char *addr = ikc_json_str(res, "address");
	long i;

	if (!addr || !*addr) {
		json_object_put(res);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"a state resource needs a non-empty \"address\"");
	}
	i = find_resource(st, addr);
	if (i < 0)
		return ikc_json_append(member(st, "resources"), res);
	if (json_object_array_put_idx(member(st, "resources"), (size_t)i, res) < 0) {
		json_object_put(res);
		return ikc_error_oom();
	}
	return 0;
}

int ikc_state_resource_remove(ikc_state *st, const char *address)
{
	long i = find_resource(st, address);

	if (i < 0)
		return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_STATE,
			"%s is not in the state", address ? address : "(null)");
	return json_object_array_del_idx(member(st, "resources"), (size_t)i, 1) < 0 ?
		ikc_error_oom() : 0;
}

json_object *ikc_state_journal(const ikc_state *st)
{
	return member(st, "journal");
}

static long find_journal(const ikc_state *st, const char *id)
{
	json_object *list = member(st, "journal");
	size_t i, n = json_object_array_length(list);

	if (!id)
		return -1;
	for (i = 0; i < n; i++) {
		const char *e = ikc_json_str(json_object_array_get_idx(list, i), "id");

		if (e && !strcmp(e, id))
			return (long)i;
	}
	return -1;
}

int ikc_state_journal_add(ikc_state *st, json_object *entry, char id_out[37])
{
	json_object *idv = NULL;
	const char *id;
	char uuid[37], now[32];
	int error;

	if (!json_object_is_type(entry, json_type_object)) {
		json_object_put(entry);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "a journal entry must be a JSON object");
	}
	if (!json_object_object_get_ex(entry, "id", &idv)) {
		if (ikc_uuid_v4(uuid) < 0 ||
		    ikc_json_add(entry, "id", json_object_new_string(uuid)) < 0) {
			json_object_put(entry);
			return IKC_ERROR;
		}
	}
	id = ikc_json_str(entry, "id");
	if (!id || !*id || strlen(id) > 36) {
		json_object_put(entry);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"a journal entry id must be a string of 1 to 36 bytes");
	}
	if (find_journal(st, id) >= 0) {
		error = ikc_error_set_code(IKC_EEXISTS, IKC_ERR_STATE,
					   "journal entry %s already exists", id);
		json_object_put(entry);   /* `id` points into it */
		return error;
	}
	if (!json_object_object_get_ex(entry, "started", NULL)) {
		ikc_time_rfc3339(now, time(NULL));
		if (ikc_json_add(entry, "started", json_object_new_string(now)) < 0) {
			json_object_put(entry);
			return IKC_ERROR;
		}
	}
	if (id_out)
		snprintf(id_out, 37, "%s", ikc_json_str(entry, "id"));
	error = ikc_json_append(member(st, "journal"), entry);
	return error;
}

json_object *ikc_state_journal_get(const ikc_state *st, const char *id)
{
	long i = find_journal(st, id);

	return i < 0 ? NULL : json_object_array_get_idx(member(st, "journal"),
							(size_t)i);
}

int ikc_state_journal_remove(ikc_state *st, const char *id)
{
	long i = find_journal(st, id);

	if (i < 0)
		return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_STATE,
			"journal entry %s is not in the state", id ? id : "(null)");
	return json_object_array_del_idx(member(st, "journal"), (size_t)i, 1) < 0 ?
		ikc_error_oom() : 0;
}

json_object *ikc_state_source(const ikc_state *st)
{
	return member(st, "source");
}

/* Replaces an object-valued member; NULL means an empty object. */
static int set_object(ikc_state *st, const char *key, json_object *val)
{
	if (!val)
		val = json_object_new_object();
	if (!json_object_is_type(val, json_type_object)) {
		json_object_put(val);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "state %s must be a JSON object", key);
	}
	return ikc_json_add(st->doc, key, val);
}

int ikc_state_set_source(ikc_state *st, json_object *source)
{
	return set_object(st, "source", source);
}

json_object *ikc_state_outputs(const ikc_state *st)
{
	return member(st, "outputs");
}

int ikc_state_set_outputs(ikc_state *st, json_object *outputs)
{
	return set_object(st, "outputs", outputs);
}

/* Deep equality of two documents, leaving out "serial". */
static int content_equal(json_object *a, json_object *b)
{
	int na = 0, nb = 0;

	json_object_object_foreach(a, ka, va) {
		json_object *vb;

		if (!strcmp(ka, "serial"))
			continue;
		na++;
		if (!json_object_object_get_ex(b, ka, &vb) ||
		    !json_object_equal(va, vb))
			return 0;
	}
	json_object_object_foreach(b, kb, vb2) {
		(void)vb2;
		if (strcmp(kb, "serial") != 0)
			nb++;
	}
	return na == nb;
}

int ikc_state_content_equal(const ikc_state *a, const ikc_state *b)
{
	return content_equal(a->doc, b->doc);
}

const char *ikc_state__version(const ikc_state *st)
{
	return st->version;
}

int ikc_state__set_version(ikc_state *st, const char *version)
{
	char *v = NULL;

	if (version) {
		v = strdup(version);
		if (!v)
			return ikc_error_oom();
	}
	free(st->version);
	st->version = v;
	return 0;
}

void ikc_state__set_serial(ikc_state *st, uint64_t serial)
{
	/* The member exists from construction on; set_int64 cannot fail on it. */
	(void)json_object_set_int64(member(st, "serial"), (int64_t)serial);
}

int ikc_state__mark_stored(ikc_state *st)
{
	int error = doc_digests(st->doc, NULL, st->stored_digest);

	st->has_stored = error == 0;
	return error;
}

int ikc_state__digests(const ikc_state *st, char sum[65],
		       unsigned char content[IKC_STATE_DIGEST_LEN])
{
	return doc_digests(st->doc, sum, content);
}

int ikc_state__stored_is(const ikc_state *st,
			 const unsigned char content[IKC_STATE_DIGEST_LEN])
{
	return st->has_stored &&
	       !memcmp(st->stored_digest, content, IKC_STATE_DIGEST_LEN);
}

void ikc_state__set_stored(ikc_state *st,
			   const unsigned char content[IKC_STATE_DIGEST_LEN])
{
	memcpy(st->stored_digest, content, IKC_STATE_DIGEST_LEN);
	st->has_stored = 1;
}

int ikc_state__changed(const ikc_state *st)
{
	unsigned char now[IKC_STATE_DIGEST_LEN];

	if (!st->has_stored || doc_digests(st->doc, NULL, now) < 0)
		return 1;
	return !ikc_state__stored_is(st, now);
}
