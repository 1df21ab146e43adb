/* fixtures.h - loading stack files and states from tests/fixtures/planner for planner tests */
#ifndef IKC_TESTS_PLANNER_FIXTURES_H
#define IKC_TESTS_PLANNER_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "stack/stack.h"
#include "state/state.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/fs.h"
#include "util/json.h"

/* Full path of a fixture (owned). */
static char *fixture_path(const char *name)
{
	const char *src = getenv("IKC_SOURCE_DIR");
	size_t n = strlen(src ? src : ".") + strlen(name) + 40;
	char *p = malloc(n);

	snprintf(p, n, "%s/tests/fixtures/planner/%s", src ? src : ".", name);
	return p;
}

static char *read_fixture(const char *name, size_t *len)
{
	ikc_buf b = IKC_BUF_INIT(IKC_STACK_FILE_MAX);
	char *path = fixture_path(name);

	assert_int_equal(0, ikc_fs_read_file(&b, path, IKC_STACK_FILE_MAX));
	free(path);
	*len = b.len;
	return ikc_buf_detach(&b);
}

/* Loads a stack from YAML text, named "ikc.yaml" in messages. */
static ikc_stack *stack_from_text(const char *yaml)
{
	ikc_stack *st = NULL;
	ikc_diags diags = IKC_DIAGS_INIT;
	int rc = ikc_stack_load_buffer(&st, &diags, "ikc.yaml", ".", yaml,
				       strlen(yaml), NULL);
	size_t i;

	for (i = 0; i < diags.count; i++)
		print_message("%d:%d: %s\n", diags.items[i].line,
			      diags.items[i].col, diags.items[i].message);
	assert_int_equal(0, rc);
	ikc_diags_dispose(&diags);
	return st;
}

static ikc_stack *stack_fixture(const char *name)
{
	size_t len;
	char *text = read_fixture(name, &len);
	ikc_stack *st = stack_from_text(text);

	free(text);
	return st;
}

/* A state of stack `stack` holding the resources of a JSON array text. */
static ikc_state *state_from_text(const char *stack, const char *json)
{
	ikc_state *st = NULL;
	json_object *arr = NULL;
	size_t i;

	assert_int_equal(0, ikc_json_parse(&arr, json, strlen(json), "resources"));
	assert_int_equal(0, ikc_state_new(&st, stack));
	for (i = 0; i < json_object_array_length(arr); i++)
		assert_int_equal(0, ikc_state_resource_put(st,
			json_object_get(json_object_array_get_idx(arr, i))));
	json_object_put(arr);
	return st;
}

static ikc_state *state_fixture(const char *stack, const char *name)
{
	size_t len;
	char *text = read_fixture(name, &len);
	ikc_state *st = state_from_text(stack, text);

	free(text);
	return st;
}

#endif /* IKC_TESTS_PLANNER_FIXTURES_H */
