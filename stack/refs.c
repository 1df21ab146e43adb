/* refs.c - ${...} expressions: splitting strings, parsing, and resolving them */
#include "stack/internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_key_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '-';
}

int ikc_stack__path_valid(const char *path, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return 0;
	for (;;) {
		size_t start = i;

		while (i < len && is_key_char(path[i]))
			i++;
		if (i == start)
			return 0;
		while (i < len && path[i] == '[') {
			size_t d = ++i;

			while (i < len && is_digit(path[i]))
				i++;
			if (i == d || i >= len || path[i] != ']')
				return 0;
			i++;
		}
		if (i == len)
			return 1;
		if (path[i] != '.')
			return 0;
		i++;
	}
}

char *ikc_stack__address(const char *kind, const char *ns, const char *name)
{
	if (ns && strcmp(ns, "default") != 0)
		return ikc_asprintf("%s/%s/%s", kind, ns, name);
	return ikc_asprintf("%s/%s", kind, name);
}

int ikc_stack__has_expr(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (s[i] == '$' && (s[i + 1] == '{' || s[i + 1] == '$'))
			return 1;
	return 0;
}

int ikc_stack__next_piece(const char *s, size_t len, size_t *cursor,
			 ikc_stack__piece *out)
{
	size_t i = *cursor, start = *cursor;

	if (i >= len)
		return 0;
	memset(out, 0, sizeof(*out));
	out->off = start;
	if (i + 2 < len && s[i] == '$' && s[i + 1] == '$' && s[i + 2] == '{') {
		out->text = s + i + 1;          /* "$${" is a literal "${" */
		out->len = 2;
		*cursor = i + 3;
		return 1;
	}
	if (i + 1 < len && s[i] == '$' && s[i + 1] == '{') {
		const char *end = memchr(s + i + 2, '}', len - i - 2);

		if (!end)
			return IKC_EINVALID;
		out->is_expr = 1;
		out->text = s + i + 2;
		out->len = (size_t)(end - (s + i + 2));
		*cursor = (size_t)(end - s) + 1;
		return 1;
	}
	/* a literal run up to the next "${" or "$${" */
	i++;
	while (i < len && !(s[i] == '$' && i + 1 < len &&
			    (s[i + 1] == '{' ||
			     (s[i + 1] == '$' && i + 2 < len && s[i + 2] == '{'))))
		i++;
	out->text = s + start;
	out->len = i - start;
	*cursor = i;
	return 1;
}

void ikc_stack__expr_dispose(ikc_stack__expr *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->target);
	free(e->path);
	memset(e, 0, sizeof(*e));
}

static int name_valid(const char *s, size_t len, int dash)
{
	size_t i;

	if (len == 0 || !(is_alpha(s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < len; i++)
		if (!(is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_' ||
		      (dash && s[i] == '-')))
			return 0;
	return 1;
}

static char *dup_len(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* Canonical address of "Kind/" + rest[0..n) ("name" or "ns/name"). */
static char *address_of(const char *kind, size_t klen, const char *rest,
			size_t n)
{
	const char *slash = memchr(rest, '/', n);
	char *k = dup_len(kind, klen), *ns = NULL, *name = NULL, *addr = NULL;

	if (!k)
		goto done;
	if (slash) {
		ns = dup_len(rest, (size_t)(slash - rest));
		name = dup_len(slash + 1, n - (size_t)(slash - rest) - 1);
	} else {
		name = dup_len(rest, n);
	}
	if (!name || (slash && !ns))
		goto done;
	addr = ikc_stack__address(k, ns, name);
done:
	free(k);
	free(ns);
	free(name);
	return addr;
}

#define N_DOTS 130   /* a 253-character name holds at most 126 dots */

int ikc_stack__expr_parse(ikc_stack__expr *out, const char *text, size_t len,
			 ikc_stack__has_fn has, void *ctx, size_t max_dots,
			 char **guess_out, const char **why_out)
{
	const char *slash, *rest;
	size_t klen, rlen, i, ndots, dots[N_DOTS];

	memset(out, 0, sizeof(*out));
	*guess_out = NULL;
	*why_out = NULL;
	while (len > 0 && text[0] == ' ') {
		text++;
		len--;
	}
	while (len > 0 && text[len - 1] == ' ')
		len--;
	if (len == 0) {
		*why_out = "empty expression";
		return IKC_EINVALID;
	}
	if (len > IKC_STACK_MAX_EXPR) {
		*why_out = "longer than 512 bytes";
		return IKC_EINVALID;
	}
	if (len > 4 && (memcmp(text, "var.", 4) == 0 ||
			memcmp(text, "env.", 4) == 0)) {
		int is_var = text[0] == 'v';

		if (!name_valid(text + 4, len - 4, is_var)) {
			*why_out = is_var ? "expected ${var.NAME}" :
				"expected ${env.NAME}";
			return IKC_EINVALID;
		}
		out->kind = is_var ? IKC_STACK_EXPR_VAR : IKC_STACK_EXPR_ENV;
		out->name = dup_len(text + 4, len - 4);
		return out->name ? 0 : ikc_error_oom();
	}
	slash = memchr(text, '/', len);
	if (!slash || !name_valid(text, (size_t)(slash - text), 0)) {
		*why_out = "expected ${Kind/name.path}, ${var.NAME} or ${env.NAME}";
		return IKC_EINVALID;
	}
	klen = (size_t)(slash - text);
	rest = slash + 1;
	rlen = len - klen - 1;
	if (!memchr(rest, '.', rlen)) {
		*why_out = "the field path is missing (expected ${Kind/name.path})";
		return IKC_EINVALID;
	}
	/*
	 * Names may hold dots: the longest address that exists wins.  Only
	 * the first max_dots + 1 dots can end a name of the stack.
	 */
	ndots = 0;
	for (i = 0; i < rlen && ndots <= max_dots && ndots < N_DOTS; i++)
		if (rest[i] == '.')
			dots[ndots++] = i;
	while (ndots > 0) {
		char *addr;

		i = dots[--ndots] + 1;
		addr = address_of(text, klen, rest, i - 1);
		if (!addr)
			return ikc_error_oom();
		if (has(ctx, addr)) {
			if (!ikc_stack__path_valid(rest + i, rlen - i)) {
				free(addr);
				*why_out = "malformed field path (expected e.g. "
					"status.loadBalancer.ingress[0].ip)";
				return IKC_EINVALID;
			}
			out->kind = IKC_STACK_EXPR_RES;
			out->target = addr;
			out->path = dup_len(rest + i, rlen - i);
			return out->path ? 0 : ikc_error_oom();
		}
		free(addr);
	}
	{
		const char *dot = memchr(rest, '.', rlen);

		*guess_out = address_of(text, klen, rest, (size_t)(dot - rest));
		if (!*guess_out)
			return ikc_error_oom();
	}
	return IKC_ENOTFOUND;
}

/* ---- resolution ----------------------------------------------------------- */

int ikc_value_is_unknown(json_object *v)
{
	return json_object_is_type(v, json_type_string) &&
		strcmp(json_object_get_string(v), IKC_UNKNOWN_VALUE) == 0;
}

int ikc_value_has_unknown(json_object *v)
{
	if (ikc_value_is_unknown(v))
		return 1;
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, child) {
			(void)k;
			if (ikc_value_has_unknown(child))
				return 1;
		}
	} else if (json_object_is_type(v, json_type_array)) {
		size_t i, n = json_object_array_length(v);

		for (i = 0; i < n; i++)
			if (ikc_value_has_unknown(json_object_array_get_idx(v, i)))
				return 1;
	}
	return 0;
}

static int stack_has(void *ctx, const char *address)
{
	return ikc_stack_find(ctx, address) != NULL;
}

typedef struct resolver {
	const ikc_stack *st;
	size_t max_dots;
	ikc_resolve_fn fn;
	void *ctx;
} resolver;

/*
 * The value of one expression: 0 with an owned *out (NULL is JSON null),
 * IKC_ENOTFOUND when not known yet, or an error.
 */
static int expr_value(json_object **out, int *unknown, resolver *rs,
		      const char *text, size_t len)
{
	ikc_stack__expr e;
	char *guess = NULL;
	const char *why = NULL;
	int error;

	*out = NULL;
	*unknown = 0;
	error = ikc_stack__expr_parse(&e, text, len, stack_has, (void *)rs->st,
				     rs->max_dots, &guess, &why);
	if (error == IKC_ENOTFOUND) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_SPEC,
			"reference to %s, which is not a resource of this stack",
			guess);
		free(guess);
		return error;
	}
	if (error == IKC_EINVALID)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_SPEC,
			"malformed expression \"${%.*s}\": %s", (int)len, text, why);
	if (error < 0)
		return error;
	if (e.kind == IKC_STACK_EXPR_VAR) {
		json_object *v;

		if (!rs->st->variables ||
		    !json_object_object_get_ex(rs->st->variables, e.name, &v)) {
			error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_SPEC,
				"variable \"%s\" is not defined", e.name);
			goto done;
		}
		*out = ikc_json_copy(v);
		if (v && !*out)
			error = ikc_error_oom();
	} else if (e.kind == IKC_STACK_EXPR_ENV) {
		const char *v = getenv(e.name);

		if (!v) {
			error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_SPEC,
				"environment variable %s is not set", e.name);
			goto done;
		}
		*out = json_object_new_string(v);
		if (!*out)
			error = ikc_error_oom();
	} else if (!rs->fn) {
		*unknown = 1;
	} else {
		error = rs->fn(rs->ctx, e.target, e.path, out);
		if (error == IKC_ENOTFOUND) {
			*unknown = 1;
			error = 0;
		}
	}
done:
	ikc_stack__expr_dispose(&e);
	return error;
}

static int resolve_string(json_object **out, resolver *rs, const char *s,
			  size_t len)
{
	ikc_buf b = IKC_BUF_INIT(IKC_STACK_FILE_MAX * 4);
	ikc_stack__piece pc;
	size_t cur = 0;
	int rc, unknown_any = 0, error = 0;

	*out = NULL;
	if (!ikc_stack__has_expr(s, len)) {
		*out = json_object_new_string_len(s, (int)len);
		return *out ? 0 : ikc_error_oom();
	}
	for (;;) {
		json_object *v = NULL;
		int unknown;

		rc = ikc_stack__next_piece(s, len, &cur, &pc);
		if (rc != 1)
			break;
		if (!pc.is_expr) {
			error = ikc_buf_put(&b, pc.text, pc.len);
			if (error < 0)
				goto done;
			continue;
		}
		error = expr_value(&v, &unknown, rs, pc.text, pc.len);
		if (error < 0)
			goto done;
		if (unknown) {
			unknown_any = 1;
			continue;
		}
		if (pc.off == 0 && cur == len) {
			/* the whole string is one reference: keep the type */
			*out = v;
			goto done;
		}
		if (ikc_value_has_unknown(v)) {
			unknown_any = 1;
			json_object_put(v);
			continue;
		}
		if (json_object_is_type(v, json_type_string))
			error = ikc_buf_puts(&b, json_object_get_string(v));
		else if (v)
			error = ikc_json_canonical(&b, v);
		json_object_put(v);
		if (error < 0)
			goto done;
	}
	if (rc < 0) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_SPEC,
			"\"${\" without a closing \"}\" in \"%.*s\"", (int)len, s);
		goto done;
	}
	if (unknown_any)
		*out = json_object_new_string(IKC_UNKNOWN_VALUE);
	else
		*out = json_object_new_string_len(b.ptr ? b.ptr : "", (int)b.len);
	if (!*out)
		error = ikc_error_oom();
done:
	ikc_buf_dispose(&b);
	return error;
}

static int resolve_node(json_object **out, resolver *rs, json_object *v,
			int depth)
{
	int error = 0;

	*out = NULL;
	if (depth > IKC_STACK_MAX_DEPTH * 2)
		return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
					  "value nested too deeply");
	if (json_object_is_type(v, json_type_string))
		return resolve_string(out, rs, json_object_get_string(v),
				      (size_t)json_object_get_string_len(v));
	if (json_object_is_type(v, json_type_object)) {
		json_object *o = json_object_new_object();

		if (!o)
			return ikc_error_oom();
		json_object_object_foreach(v, k, child) {
			json_object *c = NULL;

			error = resolve_node(&c, rs, child, depth + 1);
			if (error == 0)
				error = ikc_json_add(o, k, c);
			if (error < 0) {
				json_object_put(o);
				return error;
			}
		}
		*out = o;
		return 0;
	}
	if (json_object_is_type(v, json_type_array)) {
		json_object *a = json_object_new_array();
		size_t i, n = json_object_array_length(v);

		if (!a)
			return ikc_error_oom();
		for (i = 0; i < n; i++) {
			json_object *c = NULL;

			error = resolve_node(&c, rs, json_object_array_get_idx(v, i),
					     depth + 1);
			if (error == 0)
				error = ikc_json_append(a, c);
			if (error < 0) {
				json_object_put(a);
				return error;
			}
		}
		*out = a;
		return 0;
	}
	*out = ikc_json_copy(v);
	return (v && !*out) ? ikc_error_oom() : 0;
}

int ikc_stack_resolve(json_object **out, const ikc_stack *st, json_object *tmpl,
		      ikc_resolve_fn fn, void *ctx)
{
	resolver rs;

	rs.st = st;
	rs.max_dots = ikc_stack__max_dots(st->resources, st->nresources);
	rs.fn = fn;
	rs.ctx = ctx;
	return resolve_node(out, &rs, tmpl, 0);
}

size_t ikc_stack__max_dots(const ikc_resource *res, size_t n)
{
	size_t i, max = 0;

	for (i = 0; i < n; i++) {
		const char *p;
		size_t d = 0;

		for (p = res[i].name; p && *p; p++)
			d += *p == '.';
		if (d > max)
			max = d;
	}
	return max;
}
