/* test_model.c - the state document: editing, round trip, and refusing bad files */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "state/state.h"
#include "util/digest.h"
#include "util/errors.h"
#include "util/json.h"

static json_object *resource(const char *address, const char *ip)
{
	json_object *r = NULL;
	char text[512];

	snprintf(text, sizeof(text),
		 "{\"address\": \"%s\", \"api_version\": \"v1\", \"kind\": \"Service\","
		 " \"provider\": \"kubernetes\", \"remote_id\": \"default/web\","
		 " \"cluster\": \"Cluster/nginx-asia\", \"namespace\": \"default\","
		 " \"desired\": {\"spec\": {\"ports\": [{\"port\": 80}], \"ratio\": 0.25}},"
		 " \"observed\": {\"spec\": {\"ports\": [{\"port\": 80}]}},"
		 " \"outputs\": {\"ip\": \"%s\", \"path\": \"/a/b\", \"name\": \"caf\\u00e9\"},"
		 " \"version\": \"42\", \"depends_on\": [\"Cluster/nginx-asia\"],"
		 " \"prevent_destroy\": true}", address, ip);
	assert_int_equal(0, ikc_json_parse(&r, text, strlen(text), "fixture"));
	return r;
}

/* A state with two resources, a journal entry, a source and outputs. */
static ikc_state *sample(void)
{
	ikc_state *st = NULL;
	json_object *src = json_object_new_object(), *outs = json_object_new_object();
	char id[37];

	assert_int_equal(0, ikc_state_new(&st, "nginx-asia"));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/web", "10.0.0.1")));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/api", "10.0.0.2")));
	assert_int_equal(0, ikc_state_journal_add(st, json_object_new_object(), id));
	assert_int_equal(0, ikc_json_add(src, "file", json_object_new_string("ikc.yaml")));
	assert_int_equal(0, ikc_state_set_source(st, src));
	assert_int_equal(0, ikc_json_add(outs, "external_ip",
					 json_object_new_string("34.1.2.3")));
	assert_int_equal(0, ikc_state_set_outputs(st, outs));
	return st;
}

static char *serialize(const ikc_state *st, size_t *len)
{
	ikc_buf b = IKC_BUF_INIT(IKC_STATE_MAX);

	assert_int_equal(0, ikc_state_serialize(&b, st));
	*len = b.len;
	return ikc_buf_detach(&b);
}

static void test_state_model__new_state(void **unused)
{
	ikc_state *st = NULL, *other = NULL;

	(void)unused;
	assert_int_equal(0, ikc_state_new(&st, "nginx-asia"));
	assert_int_equal(0, ikc_state_new(&other, "nginx-asia"));
	assert_int_equal(36, strlen(ikc_state_lineage(st)));
	assert_string_not_equal(ikc_state_lineage(st), ikc_state_lineage(other));
	assert_int_equal(0, ikc_state_serial(st));
	assert_string_equal("nginx-asia", ikc_state_stack(st));
	assert_int_equal(0, ikc_state_count(st));
	assert_null(ikc_state_resource_at(st, 0));
	assert_int_equal(0, json_object_array_length(ikc_state_journal(st)));
	assert_int_equal(0, json_object_object_length(ikc_state_outputs(st)));
	assert_true(json_object_is_type(ikc_state_source(st), json_type_object));
	ikc_state_free(st);
	ikc_state_free(other);
	ikc_state_free(NULL);

	st = NULL;
	assert_int_equal(IKC_EINVALID, ikc_state_new(&st, ""));
	assert_null(st);
}

static void test_state_model__resources(void **unused)
{
	ikc_state *st = NULL;
	json_object *r;

	(void)unused;
	assert_int_equal(0, ikc_state_new(&st, "s"));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/a", "1")));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/b", "2")));
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/c", "3")));
	assert_int_equal(3, ikc_state_count(st));

	/* Replacing keeps the place in the list. */
	assert_int_equal(0, ikc_state_resource_put(st, resource("Service/b", "9")));
	assert_int_equal(3, ikc_state_count(st));
	r = ikc_state_resource_at(st, 1);
	assert_string_equal("Service/b", ikc_json_str(r, "address"));
	assert_string_equal("9", ikc_json_str(ikc_json_path(r, "outputs"), "ip"));
	assert_ptr_equal(r, ikc_state_resource(st, "Service/b"));
	assert_null(ikc_state_resource(st, "Service/zzz"));

	assert_int_equal(0, ikc_state_resource_remove(st, "Service/a"));
	assert_int_equal(IKC_ENOTFOUND, ikc_state_resource_remove(st, "Service/a"));
	assert_int_equal(2, ikc_state_count(st));
	assert_string_equal("Service/b",
			    ikc_json_str(ikc_state_resource_at(st, 0), "address"));

	/* A resource without an address is refused (and still freed: ASan). */
	assert_int_equal(IKC_EINVALID, ikc_state_resource_put(st, json_object_new_object()));
	assert_int_equal(IKC_EINVALID, ikc_state_resource_put(st, json_object_new_int(3)));
	assert_int_equal(2, ikc_state_count(st));
	ikc_state_free(st);
}

static void test_state_model__journal_and_outputs(void **unused)
{
	ikc_state *st = NULL;
	json_object *e = json_object_new_object(), *got, *given;
	char id[37], id2[37];

	(void)unused;
	assert_int_equal(0, ikc_state_new(&st, "s"));
	assert_int_equal(0, ikc_json_add(e, "address", json_object_new_string("Cluster/x")));
	assert_int_equal(0, ikc_json_add(e, "action", json_object_new_string("create")));
	assert_int_equal(0, ikc_state_journal_add(st, e, id));
	assert_int_equal(36, strlen(id));
	got = ikc_state_journal_get(st, id);
	assert_non_null(got);
	assert_string_equal("create", ikc_json_str(got, "action"));
	assert_non_null(ikc_json_str(got, "started"));
	assert_int_equal(20, strlen(ikc_json_str(got, "started")));

	/* Changed in place (the operation name becomes known). */
	assert_int_equal(0, ikc_json_add(got, "operation",
					 json_object_new_string("operation-123")));
	assert_string_equal("operation-123",
			    ikc_json_str(ikc_state_journal_get(st, id), "operation"));

	/* A given id and start time are kept; a duplicate id is refused. */
	given = json_object_new_object();
	assert_int_equal(0, ikc_json_add(given, "id", json_object_new_string("op-1")));
	assert_int_equal(0, ikc_json_add(given, "started",
					 json_object_new_string("2026-01-01T00:00:00Z")));
	assert_int_equal(0, ikc_state_journal_add(st, given, id2));
	assert_string_equal("op-1", id2);
	assert_string_equal("2026-01-01T00:00:00Z",
			    ikc_json_str(ikc_state_journal_get(st, "op-1"), "started"));
	given = json_object_new_object();
	assert_int_equal(0, ikc_json_add(given, "id", json_object_new_string("op-1")));
	assert_int_equal(IKC_EEXISTS, ikc_state_journal_add(st, given, NULL));
	assert_int_equal(IKC_EINVALID,
			 ikc_state_journal_add(st, json_object_new_string("x"), NULL));
	assert_int_equal(2, json_object_array_length(ikc_state_journal(st)));

	assert_int_equal(0, ikc_state_journal_remove(st, id));
	assert_null(ikc_state_journal_get(st, id));
	assert_int_equal(IKC_ENOTFOUND, ikc_state_journal_remove(st, id));
	assert_int_equal(1, json_object_array_length(ikc_state_journal(st)));

	/* Outputs and source must be objects; NULL clears. */
	assert_int_equal(IKC_EINVALID,
			 ikc_state_set_outputs(st, json_object_new_array()));
	assert_int_equal(0, ikc_state_set_outputs(st, NULL));
	assert_int_equal(0, json_object_object_length(ikc_state_outputs(st)));
	assert_int_equal(IKC_EINVALID,
			 ikc_state_set_source(st, json_object_new_string("x")));
	ikc_state_free(st);
}

static void test_state_model__round_trip(void **unused)
{
	ikc_state *st = sample(), *back = NULL, *copy = NULL;
	char *text, *text2;
	size_t len, len2;

	(void)unused;
	text = serialize(st, &len);
	assert_non_null(strstr(text, "\"checksum\""));
	assert_non_null(strstr(text, "\"format_version\": 1"));
	assert_int_equal(0, ikc_state_parse(&back, text, len, "state file t.json"));
	assert_true(ikc_state_content_equal(st, back));
	assert_string_equal(ikc_state_lineage(st), ikc_state_lineage(back));
	assert_int_equal(ikc_state_serial(st), ikc_state_serial(back));
	assert_string_equal("nginx-asia", ikc_state_stack(back));
	assert_int_equal(2, ikc_state_count(back));
	assert_string_equal("Service/web",
			    ikc_json_str(ikc_state_resource_at(back, 0), "address"));
	assert_string_equal("caf\xc3\xa9", ikc_json_str(ikc_json_path(
		ikc_state_resource(back, "Service/api"), "outputs"), "name"));
	assert_true(json_object_get_boolean(ikc_json_path(
		ikc_state_resource(back, "Service/api"), "prevent_destroy")));
	assert_string_equal("34.1.2.3",
			    ikc_json_str(ikc_state_outputs(back), "external_ip"));
	assert_string_equal("ikc.yaml", ikc_json_str(ikc_state_source(back), "file"));
	assert_int_equal(1, json_object_array_length(ikc_state_journal(back)));

	/* Serialising what was parsed gives the same bytes. */
	text2 = serialize(back, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(text, text2, len);

	/* A copy is equal and independent. */
	assert_int_equal(0, ikc_state_copy(&copy, back));
	assert_true(ikc_state_content_equal(copy, back));
	assert_int_equal(0, ikc_state_resource_remove(copy, "Service/web"));
	assert_false(ikc_state_content_equal(copy, back));
	assert_int_equal(2, ikc_state_count(back));

	free(text);
	free(text2);
	ikc_state_free(st);
	ikc_state_free(back);
	ikc_state_free(copy);
}

static void test_state_model__content_equal_ignores_only_serial(void **unused)
{
	ikc_state *st = sample(), *other = NULL;
	char *text;
	size_t len;

	(void)unused;
	text = serialize(st, &len);
	assert_int_equal(0, ikc_state_parse(&other, text, len, "t"));
	assert_true(ikc_state_content_equal(st, other));
	assert_int_equal(0, ikc_state_resource_put(other, resource("Service/web", "10.0.0.9")));
	assert_false(ikc_state_content_equal(st, other));
	assert_int_equal(0, ikc_state_resource_put(other, resource("Service/web", "10.0.0.1")));
	assert_true(ikc_state_content_equal(st, other));
	ikc_state_free(other);
	other = NULL;
	/* Another state of the same stack (another lineage) is not equal. */
	assert_int_equal(0, ikc_state_new(&other, "nginx-asia"));
	assert_false(ikc_state_content_equal(st, other));
	free(text);
	ikc_state_free(st);
	ikc_state_free(other);
}

/* Replaces the first `from` in text with `to` (same length). */
static void patch(char *text, const char *from, const char *to)
{
	char *p = strstr(text, from);

	assert_non_null(p);
	assert_int_equal(strlen(from), strlen(to));
	memcpy(p, to, strlen(to));
}

static void expect_refused(const char *text, size_t len, const char *fragment)
{
	ikc_state *st = NULL;

	assert_int_equal(IKC_EINVALID, ikc_state_parse(&st, text, len, "state file t.json"));
	assert_null(st);
	if (!strstr(ikc_error_last(), fragment))
		fail_msg("message \"%s\" lacks \"%s\"", ikc_error_last(), fragment);
	assert_non_null(strstr(ikc_error_last(), "state file t.json"));
}

static void test_state_model__tampered_byte_is_checksum_error(void **unused)
{
	ikc_state *st = sample();
	char *text;
	size_t len;

	(void)unused;
	text = serialize(st, &len);
	patch(text, "10.0.0.1", "10.0.0.7");
	expect_refused(text, len, "checksum mismatch: the file was changed or damaged");
	free(text);

	text = serialize(st, &len);
	patch(text, "\"checksum\": \"", "\"checksum\": \"");
	{
		char *c = strstr(text, "\"checksum\": \"") + strlen("\"checksum\": \"");

		*c = *c == '0' ? '1' : '0';
	}
	expect_refused(text, len, "checksum mismatch");
	free(text);

	/* Without any checksum it is refused too. */
	text = serialize(st, &len);
	patch(text, "\"checksum\"", "\"chucksum\"");
	expect_refused(text, len, "no \"checksum\"");
	free(text);
	ikc_state_free(st);
}

static void test_state_model__truncated_is_refused(void **unused)
{
	ikc_state *st = sample();
	char *text;
	size_t len, cut;

	(void)unused;
	text = serialize(st, &len);
	expect_refused(text, len / 2, "truncated");
	for (cut = 0; cut < len - 2; cut += 97) {
		ikc_state *bad = NULL;

		assert_int_equal(IKC_EINVALID, ikc_state_parse(&bad, text, cut, "t"));
		assert_null(bad);
	}
	free(text);
	ikc_state_free(st);
}

static void test_state_model__foreign_json_is_not_a_state(void **unused)
{
	static const char *foreign[] = {
		"{\"foo\":1}", "[1,2,3]", "\"text\"", "{}", "[]",
		"{\"version\": 4, \"terraform_version\": \"1.9.0\", \"serial\": 3}",
	};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		expect_refused(foreign[i], strlen(foreign[i]), "not an ikc state");
	expect_refused("not json at all", 15, "invalid JSON");
	expect_refused("", 0, "truncated");
}

static void test_state_model__newer_format_version_is_refused(void **unused)
{
	ikc_state *st = sample();
	char *text;
	size_t len;

	(void)unused;
	text = serialize(st, &len);
	patch(text, "\"format_version\": 1", "\"format_version\": 7");
	expect_refused(text, len, "written by a newer ikc");
	free(text);
	ikc_state_free(st);
}

static void test_state_model__bad_fields_are_refused(void **unused)
{
	ikc_state *st = sample();
	char *text;
	size_t len;

	(void)unused;
	text = serialize(st, &len);
	patch(text, "\"address\": \"Service/api\"", "\"address\": \"Service/web\"");
	expect_refused(text, len, "listed twice");
	free(text);

	text = serialize(st, &len);
	patch(text, "\"stack\": \"nginx-asia\"", "\"stack\": 123456789012");
	expect_refused(text, len, "\"stack\" is missing");
	free(text);
	ikc_state_free(st);
}

/*
 * The checksum is the SHA-256 of the canonical JSON of everything else
 * (state.h): serialise, drop "checksum", and compute it independently.
 */
static void test_state_model__checksum_is_sha256_of_canonical_json(void **unused)
{
	ikc_state *st = sample();
	json_object *doc = NULL, *res = NULL, *sum = NULL;
	ikc_buf canon = IKC_BUF_INIT(IKC_STATE_MAX);
	char want[65], *text;
	size_t len;
	/* Keys needing escapes, nesting, numbers of every kind, null. */
	static const char odd[] =
		"{\"address\": \"ConfigMap/x\", \"data\": {\"a\\\"b\": \"tab\\there\","
		" \"\\u00e9\\u4e2d\": [1, -2, 3.5e10, 0.1, true, false, null, {}, []],"
		" \"z\": {\"y\": {\"x\": \"</script>\"}}, \"A\": 9007199254740993}}";

	(void)unused;
	/* Keys needing escapes, nesting, numbers of every kind, null. */
	assert_int_equal(0, ikc_json_parse(&res, odd, strlen(odd), "fixture"));
	assert_int_equal(0, ikc_state_resource_put(st, res));
	text = serialize(st, &len);
	assert_int_equal(0, ikc_json_parse(&doc, text, len, "serialised"));
	assert_true(json_object_object_get_ex(doc, "checksum", &sum));
	sum = json_object_get(sum);
	json_object_object_del(doc, "checksum");
	assert_int_equal(0, ikc_json_canonical(&canon, doc));
	assert_int_equal(0, ikc_sha256_hex(want, canon.ptr, canon.len));
	assert_string_equal(want, json_object_get_string(sum));
	json_object_put(sum);
	json_object_put(doc);
	ikc_buf_dispose(&canon);
	free(text);
	ikc_state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_model__new_state),
		cmocka_unit_test(test_state_model__resources),
		cmocka_unit_test(test_state_model__journal_and_outputs),
		cmocka_unit_test(test_state_model__round_trip),
		cmocka_unit_test(test_state_model__checksum_is_sha256_of_canonical_json),
		cmocka_unit_test(test_state_model__content_equal_ignores_only_serial),
		cmocka_unit_test(test_state_model__tampered_byte_is_checksum_error),
		cmocka_unit_test(test_state_model__truncated_is_refused),
		cmocka_unit_test(test_state_model__foreign_json_is_not_a_state),
		cmocka_unit_test(test_state_model__newer_format_version_is_refused),
		cmocka_unit_test(test_state_model__bad_fields_are_refused),
	};

	return cmocka_run_group_tests_name("state.model", tests, NULL, NULL);
}
