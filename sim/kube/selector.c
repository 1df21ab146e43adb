/* selector.c - label and field selectors: parsing and matching */
#include "sim/kube/kube.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/str.h"

enum sel_op { OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOTEXISTS };

struct req {
	char *key;
	enum sel_op op;
	char **values;
	size_t nvalues;
};

struct kube_selector {
	struct req *reqs;
	size_t n;
};

void kube__selector_free(kube_selector *sel)
{
	size_t i, j;

	if (!sel)
		return;
	for (i = 0; i < sel->n; i++) {
		free(sel->reqs[i].key);
		for (j = 0; j < sel->reqs[i].nvalues; j++)
			free(sel->reqs[i].values[j]);
		free(sel->reqs[i].values);
	}
	free(sel->reqs);
	free(sel);
}

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* A key or value token: up to a delimiter. */
static char *token(const char **p)
{
	const char *s = *p;
	char *out;
	size_t n;

	while (**p && !strchr(" \t,=!()", **p))
		(*p)++;
	n = (size_t)(*p - s);
	out = malloc(n + 1);
	if (out) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

static int add_value(struct req *r, char *v)
{
	char **nv = realloc(r->values, (r->nvalues + 1) * sizeof(*nv));

	if (!nv) {
		free(v);
		return -1;
	}
	r->values = nv;
	r->values[r->nvalues++] = v;
	return 0;
}

static kube_selector *parse(const char *s, int fields, char **err_out)
{
	kube_selector *sel = calloc(1, sizeof(*sel));
	const char *p = s ? s : "";

	*err_out = NULL;
	if (!sel)
		return NULL;
	skip_ws(&p);
	while (*p) {
		struct req r, *nr;

		memset(&r, 0, sizeof(r));
		skip_ws(&p);
		if (*p == '!' && !fields) {
			p++;
			skip_ws(&p);
			r.op = OP_NOTEXISTS;
			r.key = token(&p);
		} else {
			r.key = token(&p);
			skip_ws(&p);
			if (p[0] == '=' && p[1] == '=') {
				p += 2;
				r.op = OP_EQ;
			} else if (p[0] == '=') {
				p++;
				r.op = OP_EQ;
			} else if (p[0] == '!' && p[1] == '=') {
				p += 2;
				r.op = OP_NE;
			} else if (!fields && strncmp(p, "in", 2) == 0 &&
				   (p[2] == ' ' || p[2] == '(')) {
				p += 2;
				r.op = OP_IN;
			} else if (!fields && strncmp(p, "notin", 5) == 0 &&
				   (p[5] == ' ' || p[5] == '(')) {
				p += 5;
				r.op = OP_NOTIN;
			} else if (!fields && (*p == ',' || *p == '\0')) {
				r.op = OP_EXISTS;
			} else {
				free(r.key);
				kube__selector_free(sel);
				*err_out = ikc_asprintf("unable to parse requirement: "
							"found '%c', expected: '=', '!=', "
							"'==', 'in', notin'", *p ? *p : ' ');
				return NULL;
			}
			skip_ws(&p);
			if (r.op == OP_EQ || r.op == OP_NE) {
				if (add_value(&r, token(&p)) < 0)
					goto oom;
			} else if (r.op == OP_IN || r.op == OP_NOTIN) {
				if (*p != '(') {
					free(r.key);
					kube__selector_free(sel);
					*err_out = ikc_asprintf("found '%c', expected: '('",
								*p ? *p : ' ');
					return NULL;
				}
				p++;
				for (;;) {
					skip_ws(&p);
					if (add_value(&r, token(&p)) < 0)
						goto oom;
					skip_ws(&p);
					if (*p == ',') {
						p++;
						continue;
					}
					if (*p == ')') {
						p++;
						break;
					}
					for (size_t j = 0; j < r.nvalues; j++)
						free(r.values[j]);
					free(r.values);
					free(r.key);
					kube__selector_free(sel);
					*err_out = ikc_asprintf("found '%c', expected: ',' or ')'",
								*p ? *p : ' ');
					return NULL;
				}
			}
		}
		if (!r.key || !*r.key) {
			for (size_t j = 0; j < r.nvalues; j++)
				free(r.values[j]);
			free(r.values);
			free(r.key);
			kube__selector_free(sel);
			*err_out = ikc_asprintf("invalid selector: empty key");
			return NULL;
		}
		nr = realloc(sel->reqs, (sel->n + 1) * sizeof(*nr));
		if (!nr)
			goto oom;
		sel->reqs = nr;
		sel->reqs[sel->n++] = r;
		skip_ws(&p);
		if (*p == ',') {
			p++;
			skip_ws(&p);
			if (!*p) {
				kube__selector_free(sel);
				*err_out = ikc_asprintf("found '', expected: identifier "
							"after ','");
				return NULL;
			}
			continue;
		}
		if (*p) {
			kube__selector_free(sel);
			*err_out = ikc_asprintf("invalid selector: unexpected '%c'", *p);
			return NULL;
		}
	}
	return sel;
oom:
	kube__selector_free(sel);
	*err_out = ikc_asprintf("out of memory");
	return NULL;
}

kube_selector *kube__selector_parse(const char *s, char **err_out)
{
	return parse(s, 0, err_out);
}

kube_selector *kube__field_selector_parse(const char *s, char **err_out)
{
	return parse(s, 1, err_out);
}

static int req_match(const struct req *r, const char *val)
{
	size_t j;
	int in = 0;

	switch (r->op) {
	case OP_EXISTS:
		return val != NULL;
	case OP_NOTEXISTS:
		return val == NULL;
	case OP_EQ:
		return val && strcmp(val, r->values[0]) == 0;
	case OP_NE:
		return !val || strcmp(val, r->values[0]) != 0;
	case OP_IN:
	case OP_NOTIN:
		for (j = 0; j < r->nvalues; j++)
			if (val && strcmp(val, r->values[j]) == 0)
				in = 1;
		return r->op == OP_IN ? in : !in;
	}
	return 0;
}

int kube__selector_labels(const kube_selector *sel, json_object *labels)
{
	size_t i;

	if (!sel)
		return 1;
	for (i = 0; i < sel->n; i++) {
		const char *v = labels ? ikc_json_str(labels, sel->reqs[i].key) : NULL;

		if (!req_match(&sel->reqs[i], v))
			return 0;
	}
	return 1;
}

int kube__selector_fields(const kube_selector *sel, json_object *obj)
{
	size_t i;

	if (!sel)
		return 1;
	for (i = 0; i < sel->n; i++) {
		json_object *v = ikc_json_path(obj, sel->reqs[i].key);
		const char *s = v ? json_object_get_string(v) : "";

		/* An absent field compares as the empty string, as the API does. */
		if (!req_match(&sel->reqs[i], s ? s : ""))
			return 0;
	}
	return 1;
}

int kube__match_map(json_object *selector, json_object *labels)
{
	if (!selector || !json_object_is_type(selector, json_type_object) ||
	    json_object_object_length(selector) == 0)
		return 0;
	json_object_object_foreach(selector, key, val) {
		const char *lv = labels ? ikc_json_str(labels, key) : NULL;
		const char *sv = json_object_get_string(val);

		if (!lv || !sv || strcmp(lv, sv) != 0)
			return 0;
	}
	return 1;
}

int kube__match_label_selector(json_object *selector, json_object *labels)
{
	json_object *ml = NULL, *me = NULL;
	size_t i, j;
	int any = 0;

	if (!selector || !json_object_is_type(selector, json_type_object))
		return 0;
	if (json_object_object_get_ex(selector, "matchLabels", &ml) &&
	    json_object_is_type(ml, json_type_object) &&
	    json_object_object_length(ml) > 0) {
		any = 1;
		if (!kube__match_map(ml, labels))
			return 0;
	}
	if (json_object_object_get_ex(selector, "matchExpressions", &me) &&
	    json_object_is_type(me, json_type_array)) {
		for (i = 0; i < kube__len(me); i++) {
			json_object *e = json_object_array_get_idx(me, i);
			json_object *vals = NULL;
			const char *key = ikc_json_str(e, "key");
			const char *op = ikc_json_str(e, "operator");
			const char *lv = key && labels ? ikc_json_str(labels, key) : NULL;
			int in = 0;

			any = 1;
			if (!key || !op)
				return 0;
			(void)json_object_object_get_ex(e, "values", &vals);
			for (j = 0; vals && lv && j < kube__len(vals); j++) {
				const char *v = json_object_get_string(
					json_object_array_get_idx(vals, j));

				if (v && strcmp(v, lv) == 0)
					in = 1;
			}
			if ((strcmp(op, "In") == 0 && !in) ||
			    (strcmp(op, "NotIn") == 0 && in) ||
			    (strcmp(op, "Exists") == 0 && !lv) ||
			    (strcmp(op, "DoesNotExist") == 0 && lv))
				return 0;
		}
	}
	return any;
}

char *kube__selector_string(json_object *selector)
{
	ikc_buf b = IKC_BUF_INIT(65536);
	json_object *ml = NULL, *me = NULL;
	json_object *map = selector;
	size_t i, j;

	if (!selector || !json_object_is_type(selector, json_type_object))
		return ikc_asprintf("%s", "");
	if (json_object_object_get_ex(selector, "matchLabels", &ml) ||
	    json_object_object_get_ex(selector, "matchExpressions", &me))
		map = ml;
	if (map && json_object_is_type(map, json_type_object)) {
		json_object_object_foreach(map, key, val) {
			(void)ikc_buf_printf(&b, "%s%s=%s", b.len ? "," : "", key,
					     json_object_get_string(val));
		}
	}
	(void)json_object_object_get_ex(selector, "matchExpressions", &me);
	for (i = 0; me && json_object_is_type(me, json_type_array) &&
		    i < kube__len(me); i++) {
		json_object *e = json_object_array_get_idx(me, i);
		json_object *vals = NULL;
		const char *key = ikc_json_str(e, "key");
		const char *op = ikc_json_str(e, "operator");

		if (!key || !op)
			continue;
		if (b.len)
			(void)ikc_buf_puts(&b, ",");
		if (strcmp(op, "Exists") == 0) {
			(void)ikc_buf_puts(&b, key);
			continue;
		}
		if (strcmp(op, "DoesNotExist") == 0) {
			(void)ikc_buf_printf(&b, "!%s", key);
			continue;
		}
		(void)ikc_buf_printf(&b, "%s %s (", key,
				     strcmp(op, "In") == 0 ? "in" : "notin");
		(void)json_object_object_get_ex(e, "values", &vals);
		for (j = 0; vals && j < kube__len(vals); j++)
			(void)ikc_buf_printf(&b, "%s%s", j ? "," : "",
					     json_object_get_string(
						     json_object_array_get_idx(vals, j)));
		(void)ikc_buf_puts(&b, ")");
	}
	if (!b.ptr)
		return ikc_asprintf("%s", "");
	return ikc_buf_detach(&b);
}
