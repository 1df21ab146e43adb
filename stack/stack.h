#ifndef IKC_STACK_STACK_H
#define IKC_STACK_STACK_H

/*
 * The stack file, loaded and validated (spec.md).  A stack is the Stack
 * document's settings plus the resource documents, in file order.  Bodies
 * keep ${...} expressions unresolved; ikc_stack_resolve() renders them once
 * the values they refer to are known (the planner supplies those).
 */

#include <stddef.h>          /* for size_t */
#include <json-c/json.h>
#include "util/diag.h"

typedef enum {
	IKC_PROVIDER_GKE = 1,        /* container.googleapis.com/v1 Cluster, NodePool */
	IKC_PROVIDER_KUBERNETES = 2  /* everything else */
} ikc_provider_kind;

/** One ${Kind/name.path} or ${Kind/namespace/name.path} occurrence. */
typedef struct ikc_ref {
	char *target;   /* canonical address of the referred resource */
	char *path;     /* field path inside it, e.g. "status.loadBalancer.ingress[0].ip" */
	int line, col;  /* where the expression starts */
} ikc_ref;

typedef struct ikc_resource {
	/*
	 * Canonical address: "Kind/name"; for a Kubernetes object whose
	 * namespace is set and is not "default": "Kind/namespace/name".
	 */
	char *address;
	char *api_version;
	char *kind;
	char *name;
	char *namespace_;   /* namespaced Kubernetes objects ("default" when unset); NULL otherwise */
	ikc_provider_kind provider;
	/*
	 * Kubernetes objects: address of the target Cluster ("Cluster/nginx-asia"),
	 * from ikc.dev/cluster or spec.kubernetes.cluster; NULL when the stack
	 * targets a kubeconfig.  NodePool: address of its Cluster when that
	 * Cluster is in this stack, else NULL (spec.cluster holds a full path).
	 */
	char *cluster;
	/* The document as written, minus ikc.dev/ annotations (and an annotations
	 * map left empty by that). Strings keep ${...} unresolved. Owned. */
	json_object *body;
	ikc_ref *refs;              /* references found anywhere in body */
	size_t nrefs;
	char **depends_on;          /* canonical addresses from ikc.dev/depends-on */
	size_t ndepends_on;
	char **ignore_changes;      /* field paths from ikc.dev/ignore-changes */
	size_t nignore_changes;
	int prevent_destroy;        /* ikc.dev/prevent-destroy: "true" */
	int wait_none;              /* ikc.dev/wait: "none" */
	int line, col;              /* start of the document (1-based) */
} ikc_resource;

typedef struct ikc_stack_pos ikc_stack_pos;   /* private position map */

typedef struct ikc_stack {
	char *name;          /* metadata.name of the Stack document */
	char *file;          /* the file as named in messages */
	char *dir;           /* folder of the stack file (relative paths start here) */
	char *project;       /* spec.google.project or NULL */
	char *endpoint;      /* GKE base URL: IKC_CONTAINER_ENDPOINT, spec.google.endpoint, or the default */
	char *kube_cluster;  /* address of spec.kubernetes.cluster ("Cluster/x") or NULL */
	char *kubeconfig;    /* spec.kubernetes.kubeconfig (resolved against dir) or NULL */
	char *kube_context;  /* spec.kubernetes.context or NULL */
	char *state_url;     /* spec.state, or the default file://DIR/.ikc/<name>.state.json (absolute) */
	json_object *variables;   /* name -> value, after --var overrides (owned) */
	json_object *outputs;     /* name -> unresolved value (owned; empty object when none) */
	ikc_ref *output_refs;     /* references used by outputs */
	size_t noutput_refs;
	ikc_resource *resources;  /* in file order */
	size_t nresources;
	char digest[65];          /* SHA-256 (hex) of the file's bytes */
	char *git_commit;         /* set when read from git (issue 5), else NULL */
	char *git_ref;
	ikc_stack_pos *pos;
} ikc_stack;

typedef struct ikc_load_options {
	const char *const *vars;  /* "NAME=VALUE" overrides (--var), may be NULL */
	size_t nvars;
} ikc_load_options;

/**
 * Loads and validates a stack file.  Every problem found goes into `diags`
 * (all of them, positioned "FILE:LINE:COL").  Returns 0 and an owned stack
 * when there is no error (warnings allowed); IKC_EINVALID when diags holds
 * errors (then *out is NULL); IKC_ERROR on I/O failure (message set).
 */
int ikc_stack_load_file(ikc_stack **out, ikc_diags *diags, const char *path,
			const ikc_load_options *opts);

/**
 * The same from memory.  `display_name` names the file in messages; `dir`
 * is the folder relative paths start from.
 */
int ikc_stack_load_buffer(ikc_stack **out, ikc_diags *diags,
			  const char *display_name, const char *dir,
			  const char *data, size_t len,
			  const ikc_load_options *opts);

void ikc_stack_free(ikc_stack *st);

/** The resource with this canonical address, or NULL. Borrowed. */
const ikc_resource *ikc_stack_find(const ikc_stack *st, const char *address);

/**
 * Position of a field of a resource's body (path as in ikc_json_path, e.g.
 * "spec.replicas").  Falls back to the nearest enclosing node that has one.
 * 0, or IKC_ENOTFOUND (line/col then hold the document start).
 */
int ikc_stack_position(const ikc_stack *st, const ikc_resource *r,
		       const char *path, int *line, int *col);

/*
 * Resolution.  The resolver is asked for the value of `path` in the
 * resource `target`.  It returns 0 with an owned *value_out, IKC_ENOTFOUND
 * when the value is not known yet (it will be after apply), or another
 * negative code on error (message set).
 */
typedef int (*ikc_resolve_fn)(void *ctx, const char *target, const char *path,
			      json_object **value_out);

/** A string value that stands for "known only after apply". */
#define IKC_UNKNOWN_VALUE "\001(known after apply)"

/**
 * An owned deep copy of `tmpl` (a resource body, or an output value) with
 * every ${var.NAME}, ${env.NAME}, ${Kind/name.path} resolved and "$${"
 * written as a literal "${".  A string that is exactly one reference takes
 * the referred value's type; a string with an unknown reference becomes
 * IKC_UNKNOWN_VALUE.  `fn` may be NULL (every reference is then unknown).
 * 0 or a negative code.
 */
int ikc_stack_resolve(json_object **out, const ikc_stack *st, json_object *tmpl,
		      ikc_resolve_fn fn, void *ctx);

/** 1 if `v` is (or contains, when deep) IKC_UNKNOWN_VALUE. */
int ikc_value_is_unknown(json_object *v);
int ikc_value_has_unknown(json_object *v);

#endif /* IKC_STACK_STACK_H */
