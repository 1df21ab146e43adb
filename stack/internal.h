#ifndef IKC_STACK_INTERNAL_H
#define IKC_STACK_INTERNAL_H

/*
 * Shared between the files of stack/ only: the position map, the YAML
 * reader and the ${...} expression parser.  Not for other modules.
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>
#include <yaml.h>            /* for yaml_mark_t */
#include "stack/stack.h"
#include "util/diag.h"

/* Caps on hostile input. */
#define IKC_STACK_MAX_DEPTH 64           /* nested collections */
#define IKC_STACK_MAX_ALIAS_NODES 100000 /* nodes produced by expanding aliases */
#define IKC_STACK_MAX_ERRORS 100         /* diagnostics before giving up */
#define IKC_STACK_MAX_EXPR 512           /* bytes inside one ${...} */

/* ---- position map (marks.c) ------------------------------------------ */

/** Where one node stands in the file (1-based; key* is 0 when no key). */
typedef struct ikc_stack__pos {
	int line, col;        /* start of the value */
	int kline, kcol;      /* start of the mapping key that introduced it */
	int plain_oneline;    /* value is a plain scalar on one line */
} ikc_stack__pos;

/**
 * The position of a node from libyaml's 0-based marks (the only place they
 * are converted).  `plain` says the node is a plain scalar.
 */
void ikc_stack__pos_from_marks(ikc_stack__pos *out, yaml_mark_t start,
			      yaml_mark_t end, int plain);

/** 1-based line and column of a libyaml mark. */
void ikc_stack__mark(int *line, int *col, yaml_mark_t m);

/** A new, empty map. 0 or IKC_ERROR (OOM). */
int ikc_stack__pos_new(ikc_stack_pos **out);
/** Frees the map and the nodes it keeps; NULL is a no-op. */
void ikc_stack__pos_free(ikc_stack_pos *m);

/**
 * Records the position of member `key` of object `parent` (key != NULL) or
 * of element `index` of array `parent` (key == NULL).  0 or IKC_ERROR.
 */
int ikc_stack__pos_set(ikc_stack_pos *m, json_object *parent, const char *key,
		      size_t index, const ikc_stack__pos *pos);

/** The recorded position of a member or element, or NULL. Borrowed. */
const ikc_stack__pos *ikc_stack__pos_get(const ikc_stack_pos *m,
				       json_object *parent, const char *key,
				       size_t index);

/**
 * Keeps `v` (takes the reference) alive until the map is freed, so that
 * addresses of nodes removed from a body are never reused while the map
 * still has entries for them.
 */
void ikc_stack__pos_keep(ikc_stack_pos *m, json_object *v);

/* ---- YAML reader (yaml.c) -------------------------------------------- */

typedef struct ikc_stack__doc {
	json_object *root;    /* owned; NULL for an empty document */
	int line, col;        /* start of the root node */
} ikc_stack__doc;

/**
 * Reads every document of a YAML stream into json-c values, recording the
 * position of every member and element in `pos`.  Problems go to `diags`
 * (positioned in `file`).  Returns 0 when the stream was read to its end
 * (diags may still hold non-fatal errors such as duplicate keys), or
 * IKC_EINVALID when reading had to stop (syntax error, a cap was hit);
 * then *docs_out is NULL.  IKC_ERROR on OOM.
 */
int ikc_stack__yaml_read(ikc_stack__doc **docs_out, size_t *ndocs_out,
			ikc_stack_pos *pos, ikc_diags *diags, const char *file,
			const char *data, size_t len);

/** Frees documents read by ikc_stack__yaml_read; NULL is a no-op. */
void ikc_stack__docs_free(ikc_stack__doc *docs, size_t n);

/**
 * The value of a plain YAML scalar as a Kubernetes user expects it (YAML
 * 1.2 core schema): null, boolean, integer, float, else string.  Owned;
 * NULL for null (check *is_null) and on OOM.
 */
json_object *ikc_stack__plain_scalar(const char *text, size_t len, int *is_null);

/* ---- ${...} expressions (refs.c) ------------------------------------- */

typedef enum {
	IKC_STACK_EXPR_VAR = 1,
	IKC_STACK_EXPR_ENV,
	IKC_STACK_EXPR_RES
} ikc_stack__expr_kind;

/** One parsed expression; strings owned. */
typedef struct ikc_stack__expr {
	ikc_stack__expr_kind kind;
	char *name;     /* VAR/ENV: the name */
	char *target;   /* RES: canonical address */
	char *path;     /* RES: field path */
} ikc_stack__expr;

/** Frees the strings of `e` and zeroes it; NULL is a no-op. */
void ikc_stack__expr_dispose(ikc_stack__expr *e);

/** A way to ask whether an address names a resource of the stack. */
typedef int (*ikc_stack__has_fn)(void *ctx, const char *address);

/**
 * Parses the text between "${" and "}".  Resource addresses are matched
 * against `has` (the longest existing address wins, since names may hold
 * dots; no name has more than `max_dots`).  0; IKC_ENOTFOUND when it looks like a resource reference whose
 * target does not exist (*guess_out then holds the address guessed,
 * owned); IKC_EINVALID when malformed (*why_out holds a static reason).
 */
int ikc_stack__expr_parse(ikc_stack__expr *out, const char *text, size_t len,
			 ikc_stack__has_fn has, void *ctx, size_t max_dots,
			 char **guess_out, const char **why_out);

/** The most dots in the name of any of these resources. */
size_t ikc_stack__max_dots(const ikc_resource *res, size_t n);

/** A piece of a string: literal text or one ${...} expression. */
typedef struct ikc_stack__piece {
	int is_expr;
	const char *text;   /* literal text, or the expression inside ${ } */
	size_t len;
	size_t off;         /* byte offset in the string where the piece starts */
} ikc_stack__piece;

/**
 * Next piece of `s` from *cursor ("$${" comes out as the literal "${").
 * 1 with a piece, 0 at the end, IKC_EINVALID for a "${" without "}"
 * (out->off is where it starts).
 */
int ikc_stack__next_piece(const char *s, size_t len, size_t *cursor,
			 ikc_stack__piece *out);

/** 1 if the string holds "${" or "$${" (quick test before parsing). */
int ikc_stack__has_expr(const char *s, size_t len);

/** 1 if `path` is a syntactically valid field path ("spec.ports[0].port"). */
int ikc_stack__path_valid(const char *path, size_t len);

/** Canonical address for kind/namespace/name (namespace may be NULL). Owned. */
char *ikc_stack__address(const char *kind, const char *ns, const char *name);

/* ---- validation (validate.c) ----------------------------------------- */

/**
 * Fills `st` (whose file, dir and pos are set) from the documents, taking
 * the resource roots out of `docs`.  Every problem goes to `diags`.
 * 0 (look at the diags for errors) or IKC_ERROR on OOM.
 */
int ikc_stack__validate(ikc_stack *st, ikc_stack__doc *docs, size_t ndocs,
		       ikc_diags *diags, const ikc_load_options *opts);

/** `dir` made absolute against the working folder. Owned; NULL on OOM. */
char *ikc_stack__abs_dir(const char *dir);

#endif /* IKC_STACK_INTERNAL_H */
