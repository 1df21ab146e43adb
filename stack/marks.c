/* marks.c - the position map: which line and column each body node came from */
#include "stack/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "util/str.h"

/*
 * Entries are keyed by (container, member name) or (container, index), not
 * by the node itself: json-c has no object for null, and this way the key
 * position of a member is found the same way as its value position.
 */
typedef struct pos_entry {
	json_object *parent;   /* NULL: free slot */
	char *key;             /* member name, or NULL for an array element */
	size_t index;
	uint64_t hash;
	ikc_stack__pos pos;
} pos_entry;

struct ikc_stack_pos {
	pos_entry *slots;
	size_t cap;            /* power of two */
	size_t used;
	json_object *keep;     /* nodes removed from bodies, kept alive */
};

static uint64_t entry_hash(json_object *parent, const char *key, size_t index)
{
	uint64_t h = (uint64_t)(uintptr_t)parent * 0x9E3779B97F4A7C15ULL;

	if (key)
		h ^= ikc_str_hash64(key, strlen(key));
	else
		h ^= ((uint64_t)index + 1) * 0xC2B2AE3D27D4EB4FULL;
	return h ^ (h >> 29);
}

static int entry_matches(const pos_entry *e, uint64_t h, json_object *parent,
			 const char *key, size_t index)
{
	if (e->hash != h || e->parent != parent)
		return 0;
	if (key)
		return e->key && strcmp(e->key, key) == 0;
	return !e->key && e->index == index;
}

int ikc_stack__pos_new(ikc_stack_pos **out)
{
	ikc_stack_pos *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return ikc_error_oom();
	m->cap = 256;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return ikc_error_oom();
	}
	*out = m;
	return 0;
}

void ikc_stack__pos_free(ikc_stack_pos *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	json_object_put(m->keep);
	free(m);
}

static int grow(ikc_stack_pos *m)
{
	size_t ncap = m->cap * 2, i;
	pos_entry *n = calloc(ncap, sizeof(*n));

	if (!n)
		return ikc_error_oom();
	for (i = 0; i < m->cap; i++) {
		pos_entry *e = &m->slots[i];
		size_t j;

		if (!e->parent)
			continue;
		j = (size_t)e->hash & (ncap - 1);
		while (n[j].parent)
			j = (j + 1) & (ncap - 1);
		n[j] = *e;
	}
	free(m->slots);
	m->slots = n;
	m->cap = ncap;
	return 0;
}

int ikc_stack__pos_set(ikc_stack_pos *m, json_object *parent, const char *key,
		      size_t index, const ikc_stack__pos *pos)
{
	uint64_t h;
	size_t j;

	if (!parent)
		return 0;
	if ((m->used + 1) * 2 > m->cap && grow(m) < 0)
		return IKC_ERROR;
	h = entry_hash(parent, key, index);
	j = (size_t)h & (m->cap - 1);
	while (m->slots[j].parent) {
		if (entry_matches(&m->slots[j], h, parent, key, index)) {
			m->slots[j].pos = *pos;
			return 0;
		}
		j = (j + 1) & (m->cap - 1);
	}
	if (key) {
		m->slots[j].key = strdup(key);
		if (!m->slots[j].key)
			return ikc_error_oom();
	}
	m->slots[j].parent = parent;
	m->slots[j].index = index;
	m->slots[j].hash = h;
	m->slots[j].pos = *pos;
	m->used++;
	return 0;
}

const ikc_stack__pos *ikc_stack__pos_get(const ikc_stack_pos *m,
				       json_object *parent, const char *key,
				       size_t index)
{
	uint64_t h;
	size_t j;

	if (!m || !parent)
		return NULL;
	h = entry_hash(parent, key, index);
	j = (size_t)h & (m->cap - 1);
	while (m->slots[j].parent) {
		if (entry_matches(&m->slots[j], h, parent, key, index))
			return &m->slots[j].pos;
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

void ikc_stack__pos_keep(ikc_stack_pos *m, json_object *v)
{
	if (!v)
		return;
	if (!m->keep)
		m->keep = json_object_new_array();
	if (!m->keep || json_object_array_add(m->keep, v) < 0)
		json_object_put(v);  /* XXX(issue 2): on OOM the address may be reused */
}

void ikc_stack__mark(int *line, int *col, yaml_mark_t m)
{
	*line = (int)m.line + 1;
	*col = (int)m.column + 1;
}

void ikc_stack__pos_from_marks(ikc_stack__pos *out, yaml_mark_t start,
			      yaml_mark_t end, int plain)
{
	memset(out, 0, sizeof(*out));
	ikc_stack__mark(&out->line, &out->col, start);
	out->plain_oneline = plain && start.line == end.line;
}
