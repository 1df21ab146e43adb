/* validate.c - the checks of spec.md on the documents of a stack file */
#include "stack/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

#define GKE_API "container.googleapis.com/v1"
#define STACK_API "ikc.dev/v1"
#define ANN_PREFIX "ikc.dev/"
#define IKC_STACK_SUGGEST_WORK ((size_t)100000000) /* per load */

/* ---- tables ------------------------------------------------------------- */

typedef struct kind_info {
	const char *kind;
	const char *api[3];   /* the apiVersions it is served under */
	int cluster_scoped;
} kind_info;

static const kind_info k8s_kinds[] = {
	{ "Namespace", { "v1" }, 1 },
	{ "Node", { "v1" }, 1 },
	{ "PersistentVolume", { "v1" }, 1 },
	{ "Pod", { "v1" }, 0 },
	{ "ReplicationController", { "v1" }, 0 },
	{ "Service", { "v1" }, 0 },
	{ "ConfigMap", { "v1" }, 0 },
	{ "Secret", { "v1" }, 0 },
	{ "ServiceAccount", { "v1" }, 0 },
	{ "PersistentVolumeClaim", { "v1" }, 0 },
	{ "Endpoints", { "v1" }, 0 },
	{ "LimitRange", { "v1" }, 0 },
	{ "ResourceQuota", { "v1" }, 0 },
	{ "Deployment", { "apps/v1" }, 0 },
	{ "ReplicaSet", { "apps/v1" }, 0 },
	{ "StatefulSet", { "apps/v1" }, 0 },
	{ "DaemonSet", { "apps/v1" }, 0 },
	{ "ControllerRevision", { "apps/v1" }, 0 },
	{ "Job", { "batch/v1" }, 0 },
	{ "CronJob", { "batch/v1" }, 0 },
	{ "HorizontalPodAutoscaler", { "autoscaling/v2", "autoscaling/v1" }, 0 },
	{ "Lease", { "coordination.k8s.io/v1" }, 0 },
	{ "Ingress", { "networking.k8s.io/v1" }, 0 },
	{ "IngressClass", { "networking.k8s.io/v1" }, 1 },
	{ "NetworkPolicy", { "networking.k8s.io/v1" }, 0 },
	{ "Role", { "rbac.authorization.k8s.io/v1" }, 0 },
	{ "RoleBinding", { "rbac.authorization.k8s.io/v1" }, 0 },
	{ "ClusterRole", { "rbac.authorization.k8s.io/v1" }, 1 },
	{ "ClusterRoleBinding", { "rbac.authorization.k8s.io/v1" }, 1 },
	{ "StorageClass", { "storage.k8s.io/v1" }, 1 },
	{ "PriorityClass", { "scheduling.k8s.io/v1" }, 1 },
	{ "PodDisruptionBudget", { "policy/v1" }, 0 },
	{ "CustomResourceDefinition", { "apiextensions.k8s.io/v1" }, 1 },
	{ "MutatingWebhookConfiguration",
	  { "admissionregistration.k8s.io/v1" }, 1 },
	{ "ValidatingWebhookConfiguration",
	  { "admissionregistration.k8s.io/v1" }, 1 },
	{ "APIService", { "apiregistration.k8s.io/v1" }, 1 },
};
#define N_K8S_KINDS (sizeof(k8s_kinds) / sizeof(k8s_kinds[0]))

/* API groups built into Kubernetes: kinds under them are checked. */
static const char *const builtin_groups[] = {
	"", "apps", "batch", "autoscaling", "coordination.k8s.io",
	"networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io",
	"scheduling.k8s.io", "policy", "apiextensions.k8s.io",
	"admissionregistration.k8s.io", "apiregistration.k8s.io", "extensions",
	"events.k8s.io", "discovery.k8s.io", "certificates.k8s.io", "node.k8s.io",
};

static const char *const gke_kinds[] = { "Cluster", "NodePool" };
static const char *const ikc_annotations[] = {
	"ikc.dev/depends-on", "ikc.dev/ignore-changes", "ikc.dev/prevent-destroy",
	"ikc.dev/wait", "ikc.dev/cluster",
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the loader --------------------------------------------------------- */

typedef struct loader {
	ikc_stack *st;
	ikc_diags *diags;
	const ikc_load_options *opts;
	ikc_stack__doc *docs;
	size_t ndocs;
	size_t *res_doc;          /* document of each resource */
	size_t cap_res;           /* room in st->resources and res_doc */
	json_object *addresses;   /* address -> line of its document */
	const char **addr_list;   /* for "did you mean" */
	const char **clusters;    /* names of the stack's Clusters */
	size_t nclusters;
	size_t errors;            /* diagnostics added, up to the cap */
	size_t suggest_work;      /* spent on "did you mean" */
	size_t max_dots;          /* in any resource name */
	int oom;
} loader;

static void diag_at(loader *l, int line, int col, const char *fmt, ...)
	IKC_PRINTF(4, 5);

static void diag_at(loader *l, int line, int col, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (l->errors >= IKC_STACK_MAX_ERRORS)
		return;
	if (++l->errors == IKC_STACK_MAX_ERRORS) {
		ikc_diags_add(l->diags, IKC_DIAG_ERROR, l->st->file, line, col,
			      "too many errors; stopping here");
		return;
	}
	va_start(ap, fmt);
	/* messages quote the file: hostile files do not get to make them huge */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ikc_diags_add(l->diags, IKC_DIAG_ERROR, l->st->file, line, col, "%s",
		      msg);
}

/* Position of member `key` of `obj`: its value, or its key with `at_key`. */
static void member_pos(loader *l, json_object *obj, const char *key, int at_key,
		       int dline, int dcol, int *line, int *col)
{
	const ikc_stack__pos *p = ikc_stack__pos_get(l->st->pos, obj, key, 0);

	*line = dline;
	*col = dcol;
	if (!p)
		return;
	if (at_key && p->kline) {
		*line = p->kline;
		*col = p->kcol;
	} else {
		*line = p->line;
		*col = p->col;
	}
}

/*
 * "Did you mean" with bounded work: hostile files (huge words, thousands of
 * misspelt names) get no hint rather than a slow load.
 */
static const char *suggest(loader *l, const char *word,
			   const char *const *cands, size_t ncands)
{
	size_t len = strlen(word), cost = 0, i;

	if (len > 256 || l->errors >= IKC_STACK_MAX_ERRORS)
		return NULL;
	/* the edit distance costs about len * strlen(candidate) */
	for (i = 0; i < ncands && cost <= IKC_STACK_SUGGEST_WORK; i++)
		cost += (len + 1) * (strlen(cands[i]) + 1);
	if (cost > IKC_STACK_SUGGEST_WORK - l->suggest_work)
		return NULL;
	l->suggest_work += cost;
	return ikc_str_suggest(word, cands, ncands);
}

static const char *suggest_text(loader *l, char *buf, size_t n,
				const char *word, const char *const *cands,
				size_t ncands)
{
	const char *s = suggest(l, word, cands, ncands);

	if (s)
		snprintf(buf, n, " (did you mean \"%s\"?)", s);
	else
		buf[0] = '\0';
	return buf;
}

/* "a, b or c" */
static char *one_of(const char *const *cands, size_t n)
{
	ikc_buf b = IKC_BUF_INIT(0);
	size_t i;

	for (i = 0; i < n; i++)
		(void)ikc_buf_printf(&b, "%s%s", i == 0 ? "" :
				     i + 1 == n ? " or " : ", ", cands[i]);
	return ikc_buf_detach(&b);
}

/*
 * Reports members of `obj` that are not in `known`, at their keys.
 * `path` is the dotted prefix ("spec.kubernetes." or "").
 */
static void check_fields(loader *l, const char *who, json_object *obj,
			 const char *path, const char *const *known, size_t n)
{
	json_object_object_foreach(obj, k, v) {
		size_t i;
		int line, col;
		char sug[300];

		(void)v;
		for (i = 0; i < n; i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (i < n || l->errors >= IKC_STACK_MAX_ERRORS)
			continue;
		member_pos(l, obj, k, 1, 0, 0, &line, &col);
		if (suggest(l, k, known, n)) {
			diag_at(l, line, col, "%s: unknown field \"%s%s\"%s", who,
				path, k, suggest_text(l, sug, sizeof(sug), k, known, n));
		} else {
			char *exp = one_of(known, n);

			diag_at(l, line, col, "%s: unknown field \"%s%s\" "
				"(expected %s)", who, path, k, exp ? exp : "");
			free(exp);
		}
	}
}

/*
 * A string member: NULL when absent (reported when `required`) or not a
 * string (always reported).  Borrowed.
 */
static const char *str_member(loader *l, const char *who, json_object *obj,
			      const char *key, const char *path, int required,
			      int dline, int dcol)
{
	json_object *v;
	int line, col;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v)) {
		if (required)
			diag_at(l, dline, dcol, "%s: missing %s (a string)", who,
				path);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		member_pos(l, obj, key, 0, dline, dcol, &line, &col);
		diag_at(l, line, col, "%s: %s must be a string", who, path);
		return NULL;
	}
	return json_object_get_string(v);
}

/* An object member: NULL when absent, or not a mapping (reported). */
static json_object *obj_member(loader *l, const char *who, json_object *obj,
			       const char *key, const char *path, int dline,
			       int dcol)
{
	json_object *v;
	int line, col;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) || !v)
		return NULL;
	if (!json_object_is_type(v, json_type_object)) {
		member_pos(l, obj, key, 0, dline, dcol, &line, &col);
		diag_at(l, line, col, "%s: %s must be a mapping", who, path);
		return NULL;
	}
	return v;
}

/* Sets *dst to an owned string (NULL means out of memory). */
static void take_str(loader *l, char **dst, char *owned)
{
	free(*dst);
	*dst = owned;
	if (!owned)
		l->oom = 1;
}

/* Sets *dst to a copy of `s`; nothing when `s` is NULL. */
static void copy_str(loader *l, char **dst, const char *s)
{
	if (s)
		take_str(l, dst, strdup(s));
}

/* ---- names -------------------------------------------------------------- */

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? of at most max chars; `alpha_first` for GKE */
static int dns_label(const char *s, size_t len, size_t max, int alpha_first)
{
	size_t i;

	if (len == 0 || len > max || !lower_alnum(s[0]) ||
	    !lower_alnum(s[len - 1]))
		return 0;
	if (alpha_first && !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (i = 0; i < len; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int dns_subdomain(const char *s)
{
	size_t len = strlen(s);
	const char *p = s;

	if (len == 0 || len > 253)
		return 0;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (!dns_label(p, n, 253, 0))
			return 0;
		if (!dot)
			return 1;
		p = dot + 1;
	}
}

static int stack_name_valid(const char *s)
{
	size_t len = strlen(s), i;

	if (len == 0 || len > 63)
		return 0;
	for (i = 0; i < len; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static const kind_info *find_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < N_K8S_KINDS; i++)
		if (strcmp(k8s_kinds[i].kind, kind) == 0)
			return &k8s_kinds[i];
	return NULL;
}

static int builtin_group(const char *api_version)
{
	const char *slash = strchr(api_version, '/');
	size_t glen = slash ? (size_t)(slash - api_version) : 0, i;

	for (i = 0; i < N_OF(builtin_groups); i++)
		if (strlen(builtin_groups[i]) == glen &&
		    strncmp(builtin_groups[i], api_version, glen) == 0)
			return 1;
	return 0;
}

/* ---- expressions in values ---------------------------------------------- */

static int has_address(void *ctx, const char *address)
{
	loader *l = ctx;

	return json_object_object_get_ex(l->addresses, address, NULL);
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static int add_ref(ikc_ref **refs, size_t *n, const ikc_stack__expr *e, int line,
		   int col)
{
	ikc_ref *nr = realloc(*refs, (*n + 1) * sizeof(*nr));

	if (!nr)
		return ikc_error_oom();
	*refs = nr;
	nr[*n].target = strdup(e->target);
	nr[*n].path = strdup(e->path);
	nr[*n].line = line;
	nr[*n].col = col;
	if (!nr[*n].target || !nr[*n].path) {
		free(nr[*n].target);
		free(nr[*n].path);
		return ikc_error_oom();
	}
	(*n)++;
	return 0;
}

typedef struct scan_ctx {
	const char *who;
	ikc_ref **refs;       /* NULL: expressions are not allowed here */
	size_t *nrefs;
	const char *forbid;   /* why they are not allowed */
} scan_ctx;

/* Checks the expressions of one string found at `p` (may be NULL). */
static void scan_string(loader *l, scan_ctx *sc, json_object *v,
			const ikc_stack__pos *p, int dline, int dcol)
{
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v), cur = 0;
	size_t seen_off = 0, seen_chars = 0;
	int line = p ? p->line : dline, col = p ? p->col : dcol;

	if (!ikc_stack__has_expr(s, len))
		return;
	for (;;) {
		ikc_stack__piece pc;
		ikc_stack__expr e;
		char *guess = NULL;
		const char *why = NULL;
		int rc, eline = line, ecol = col;

		rc = ikc_stack__next_piece(s, len, &cur, &pc);
		if (rc == 0)
			break;
		if (p && p->plain_oneline) {
			/* counted as we go: long strings stay linear */
			seen_chars += utf8_chars(s + seen_off, pc.off - seen_off);
			seen_off = pc.off;
			ecol = col + (int)seen_chars;
		}
		if (rc < 0) {
			diag_at(l, eline, ecol, "%s: \"${\" without a closing "
				"\"}\"", sc->who);
			break;
		}
		if (!pc.is_expr)
			continue;
		if (!sc->refs) {
			diag_at(l, eline, ecol, "%s: \"${%.*s}\": %s", sc->who,
				(int)pc.len, pc.text, sc->forbid);
			continue;
		}
		rc = ikc_stack__expr_parse(&e, pc.text, pc.len, has_address, l,
					  l->max_dots, &guess, &why);
		if (rc == IKC_EINVALID) {
			diag_at(l, eline, ecol, "%s: malformed expression "
				"\"${%.*s}\": %s", sc->who, (int)pc.len, pc.text,
				why);
			continue;
		}
		if (rc == IKC_ENOTFOUND) {
			char sug[600];

			diag_at(l, eline, ecol, "%s: \"${%.*s}\" refers to %s, "
				"which is not a resource of this stack%s", sc->who,
				(int)pc.len, pc.text, guess,
				suggest_text(l, sug, sizeof(sug), guess, l->addr_list,
					     l->st->nresources));
			free(guess);
			continue;
		}
		if (rc < 0) {
			l->oom = 1;
			return;
		}
		if (e.kind == IKC_STACK_EXPR_VAR &&
		    !json_object_object_get_ex(l->st->variables, e.name, NULL)) {
			const char *names[256];
			size_t n = 0;
			char sug[300];

			json_object_object_foreach(l->st->variables, k, vv) {
				(void)vv;
				if (n < N_OF(names))
					names[n++] = k;
			}
			diag_at(l, eline, ecol, "%s: variable \"%s\" is not defined "
				"(set it in the Stack's spec.variables or with "
				"--var %s=VALUE)%s", sc->who, e.name, e.name,
				suggest_text(l, sug, sizeof(sug), e.name, names, n));
		} else if (e.kind == IKC_STACK_EXPR_ENV && !getenv(e.name)) {
			diag_at(l, eline, ecol, "%s: environment variable %s is "
				"not set", sc->who, e.name);
		} else if (e.kind == IKC_STACK_EXPR_RES &&
			   add_ref(sc->refs, sc->nrefs, &e, eline, ecol) < 0) {
			l->oom = 1;
		}
		ikc_stack__expr_dispose(&e);
	}
}

static void scan_value(loader *l, scan_ctx *sc, json_object *v,
		       const ikc_stack__pos *p, int dline, int dcol)
{
	if (json_object_is_type(v, json_type_string)) {
		scan_string(l, sc, v, p, dline, dcol);
	} else if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, child)
			scan_value(l, sc, child,
				   ikc_stack__pos_get(l->st->pos, v, k, 0),
				   dline, dcol);
	} else if (json_object_is_type(v, json_type_array)) {
		size_t i, n = json_object_array_length(v);

		for (i = 0; i < n; i++)
			scan_value(l, sc, json_object_array_get_idx(v, i),
				   ikc_stack__pos_get(l->st->pos, v, NULL, i),
				   dline, dcol);
	}
}

/* ---- the Stack document --------------------------------------------------- */

static char *abs_dir(const char *dir)
{
	char cwd[4096];

	if (dir && dir[0] == '/')
		return strdup(dir);
	if (!getcwd(cwd, sizeof(cwd)))
		return strdup(dir && *dir ? dir : ".");
	if (!dir || !*dir || strcmp(dir, ".") == 0)
		return strdup(cwd);
	if (ikc_str_startswith(dir, "./"))
		dir += 2;
	return ikc_asprintf("%s/%s", cwd, dir);
}

/* `path` against the stack's folder (and "~/" against HOME). Owned. */
static char *resolve_path(const ikc_stack *st, const char *path)
{
	if (path[0] == '/')
		return strdup(path);
	if (path[0] == '~' && path[1] == '/' && getenv("HOME"))
		return ikc_asprintf("%s/%s", getenv("HOME"), path + 2);
	return ikc_asprintf("%s/%s", st->dir, path);
}

static int var_name_valid(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      s[0] == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* First pass over the Stack document: what resources need to know. */
static void stack_settings(loader *l, size_t di)
{
	static const char *const top[] = { "apiVersion", "kind", "metadata",
					    "spec" };
	static const char *const meta_fields[] = { "name" };
	static const char *const spec_fields[] = { "google", "kubernetes", "state",
						   "variables", "outputs" };
	static const char *const google_fields[] = { "project", "endpoint" };
	static const char *const kube_fields[] = { "cluster", "kubeconfig",
						   "context" };
	ikc_stack *st = l->st;
	json_object *root = l->docs[di].root, *meta, *spec, *google, *kube, *vars;
	int dl = l->docs[di].line, dc = l->docs[di].col, line, col;
	const char *s, *name;
	char who[128];

	name = NULL;
	meta = obj_member(l, "Stack", root, "metadata", "metadata", dl, dc);
	if (!meta)
		diag_at(l, dl, dc, "Stack: missing metadata.name");
	else
		name = str_member(l, "Stack", meta, "name", "metadata.name", 1,
				  dl, dc);
	if (name && !stack_name_valid(name)) {
		member_pos(l, meta, "name", 0, dl, dc, &line, &col);
		diag_at(l, line, col, "Stack: metadata.name \"%s\" is not a valid "
			"stack name (lowercase letters, digits and '-', at most "
			"63 characters)", name);
	}
	snprintf(who, sizeof(who), "Stack/%s", name ? name : "");
	if (name) {
		st->name = strdup(name);
		if (!st->name)
			l->oom = 1;
	}
	check_fields(l, who, root, "", top, N_OF(top));
	s = str_member(l, who, root, "apiVersion", "apiVersion", 1, dl, dc);
	if (s && strcmp(s, STACK_API) != 0) {
		member_pos(l, root, "apiVersion", 0, dl, dc, &line, &col);
		diag_at(l, line, col, "%s: apiVersion \"%s\" is not served for "
			"Stack (expected \"%s\")", who, s, STACK_API);
	}
	s = ikc_json_str(root, "kind");
	if (s && strcmp(s, "Stack") != 0) {
		member_pos(l, root, "kind", 0, dl, dc, &line, &col);
		diag_at(l, line, col, "%s: unknown kind \"%s\" for %s (expected "
			"Stack)", who, s, STACK_API);
	}
	if (meta)
		check_fields(l, who, meta, "metadata.", meta_fields,
			     N_OF(meta_fields));
	spec = obj_member(l, who, root, "spec", "spec", dl, dc);
	if (!spec)
		return;
	check_fields(l, who, spec, "spec.", spec_fields, N_OF(spec_fields));
	google = obj_member(l, who, spec, "google", "spec.google", dl, dc);
	if (google) {
		check_fields(l, who, google, "spec.google.", google_fields,
			     N_OF(google_fields));
		s = str_member(l, who, google, "project", "spec.google.project", 0,
			       dl, dc);
		copy_str(l, &st->project, s);
		s = str_member(l, who, google, "endpoint", "spec.google.endpoint",
			       0, dl, dc);
		if (s && !ikc_str_startswith(s, "https://") &&
		    !ikc_str_startswith(s, "http://")) {
			member_pos(l, google, "endpoint", 0, dl, dc, &line, &col);
			diag_at(l, line, col, "%s: spec.google.endpoint \"%s\" is "
				"not a URL (expected https://HOST/)", who, s);
		} else {
			copy_str(l, &st->endpoint, s);
		}
	}
	kube = obj_member(l, who, spec, "kubernetes", "spec.kubernetes", dl, dc);
	if (kube) {
		const char *cl, *kc, *ctx;

		check_fields(l, who, kube, "spec.kubernetes.", kube_fields,
			     N_OF(kube_fields));
		cl = str_member(l, who, kube, "cluster", "spec.kubernetes.cluster",
				0, dl, dc);
		kc = str_member(l, who, kube, "kubeconfig",
				"spec.kubernetes.kubeconfig", 0, dl, dc);
		ctx = str_member(l, who, kube, "context", "spec.kubernetes.context",
				 0, dl, dc);
		if (cl && kc) {
			member_pos(l, kube, "kubeconfig", 1, dl, dc, &line, &col);
			diag_at(l, line, col, "%s: set either spec.kubernetes."
				"cluster or spec.kubernetes.kubeconfig, not both",
				who);
		}
		if (ctx && !kc) {
			member_pos(l, kube, "context", 1, dl, dc, &line, &col);
			diag_at(l, line, col, "%s: spec.kubernetes.context needs "
				"spec.kubernetes.kubeconfig", who);
		}
		/* cl is checked once the Clusters are known */
		if (kc)
			take_str(l, &st->kubeconfig, resolve_path(st, kc));
		copy_str(l, &st->kube_context, ctx);
	}
	s = str_member(l, who, spec, "state", "spec.state", 0, dl, dc);
	if (s) {
		if (ikc_str_startswith(s, "file://") && s[7] && s[7] != '/') {
			char *p = resolve_path(st, s + 7);

			st->state_url = p ? ikc_asprintf("file://%s", p) : NULL;
			free(p);
			if (!st->state_url)
				l->oom = 1;
		} else if ((ikc_str_startswith(s, "file://") && s[7]) ||
			   (ikc_str_startswith(s, "etcd://") && s[7])) {
			copy_str(l, &st->state_url, s);
		} else {
			member_pos(l, spec, "state", 0, dl, dc, &line, &col);
			diag_at(l, line, col, "%s: spec.state \"%s\" is not a state "
				"URL (expected file://PATH or "
				"etcd://HOST:PORT/PREFIX)", who, s);
		}
	}
	vars = obj_member(l, who, spec, "variables", "spec.variables", dl, dc);
	if (vars) {
		json_object_object_foreach(vars, k, v) {
			json_object *c;

			if (!var_name_valid(k)) {
				member_pos(l, vars, k, 1, dl, dc, &line, &col);
				diag_at(l, line, col, "%s: variable name \"%s\" is "
					"not valid (letters, digits, '_' and '-', "
					"starting with a letter or '_')", who, k);
				continue;
			}
			c = ikc_json_copy(v);
			if ((v && !c) || ikc_json_add(st->variables, k, c) < 0)
				l->oom = 1;
		}
	}
}

static void apply_var_overrides(loader *l)
{
	size_t i;

	if (!l->opts || !l->opts->vars)
		return;
	for (i = 0; i < l->opts->nvars; i++) {
		const char *kv = l->opts->vars[i], *eq = strchr(kv, '=');
		char *name;
		json_object *v;
		int is_null;

		if (!eq || eq == kv) {
			ikc_diags_add(l->diags, IKC_DIAG_ERROR, l->st->file, 0, 0,
				      "--var \"%s\": expected NAME=VALUE", kv);
			continue;
		}
		name = ikc_asprintf("%.*s", (int)(eq - kv), kv);
		if (!name) {
			l->oom = 1;
			return;
		}
		if (!var_name_valid(name)) {
			ikc_diags_add(l->diags, IKC_DIAG_ERROR, l->st->file, 0, 0,
				      "--var \"%s\": \"%s\" is not a valid variable "
				      "name", kv, name);
			free(name);
			continue;
		}
		/* typed like a plain YAML scalar: --var replicas=3 is a number */
		v = ikc_stack__plain_scalar(eq + 1, strlen(eq + 1), &is_null);
		if ((!v && !is_null) || ikc_json_add(l->st->variables, name, v) < 0)
			l->oom = 1;
		free(name);
	}
}

/* Second pass over the Stack document, once resources are known. */
static void stack_checks(loader *l, size_t di)
{
	ikc_stack *st = l->st;
	json_object *root = l->docs[di].root, *spec = NULL, *kube = NULL, *outs = NULL;
	int dl = l->docs[di].line, dc = l->docs[di].col, line, col;
	char who[128];
	scan_ctx sc;

	snprintf(who, sizeof(who), "Stack/%s", st->name ? st->name : "");
	if (json_object_object_get_ex(root, "spec", &spec) &&
	    json_object_is_type(spec, json_type_object)) {
		if (json_object_object_get_ex(spec, "kubernetes", &kube) &&
		    json_object_is_type(kube, json_type_object)) {
			const char *cl = ikc_json_str(kube, "cluster");

			if (cl) {
				size_t i;
				char sug[300];

				for (i = 0; i < l->nclusters; i++)
					if (strcmp(l->clusters[i], cl) == 0)
						break;
				if (i < l->nclusters) {
					st->kube_cluster = ikc_asprintf("Cluster/%s", cl);
					if (!st->kube_cluster)
						l->oom = 1;
				} else {
					member_pos(l, kube, "cluster", 0, dl, dc,
						   &line, &col);
					diag_at(l, line, col, "%s: spec.kubernetes."
						"cluster \"%s\" is not a Cluster of "
						"this stack%s", who, cl,
						suggest_text(l, sug, sizeof(sug), cl,
							     l->clusters,
							     l->nclusters));
				}
			}
		}
		if (json_object_object_get_ex(spec, "outputs", &outs) &&
		    !json_object_is_type(outs, json_type_object))
			outs = NULL;   /* reported by stack_settings */
	}
	/* expressions: only in spec.outputs */
	memset(&sc, 0, sizeof(sc));
	sc.who = who;
	sc.forbid = "expressions are only allowed in spec.outputs of the Stack";
	if (outs) {
		json_object_get(outs);
		json_object_object_del(spec, "outputs");
	}
	scan_value(l, &sc, root, NULL, dl, dc);
	if (!outs)
		return;
	if (json_object_object_add(spec, "outputs", outs) < 0) {
		json_object_put(outs);
		l->oom = 1;
		return;
	}
	json_object_object_foreach(outs, k, v) {
		(void)v;
		if (!var_name_valid(k)) {
			member_pos(l, outs, k, 1, dl, dc, &line, &col);
			diag_at(l, line, col, "%s: output name \"%s\" is not valid "
				"(letters, digits, '_' and '-')", who, k);
		}
	}
	sc.refs = &st->output_refs;
	sc.nrefs = &st->noutput_refs;
	scan_value(l, &sc, outs, ikc_stack__pos_get(st->pos, spec, "outputs", 0),
		   dl, dc);
	json_object_put(st->outputs);
	st->outputs = json_object_get(outs);
}

/* ---- resources ------------------------------------------------------------ */

static int is_stack_doc(json_object *root)
{
	const char *api = ikc_json_str(root, "apiVersion");
	const char *kind = ikc_json_str(root, "kind");

	return (kind && strcmp(kind, "Stack") == 0) ||
		(api && strcmp(api, STACK_API) == 0);
}

static int is_cluster_path(const char *s)
{
	static const char *const parts[] = { "projects/", "locations/",
					     "clusters/" };
	size_t i;

	for (i = 0; i < N_OF(parts); i++) {
		const char *slash;

		if (!ikc_str_startswith(s, parts[i]))
			return 0;
		s += strlen(parts[i]);
		slash = strchr(s, '/');
		if (slash == s || !*s)
			return 0;
		if (i + 1 < N_OF(parts)) {
			if (!slash)
				return 0;
			s = slash + 1;
		} else if (slash) {
			return 0;
		}
	}
	return 1;
}

static ikc_resource *new_resource(loader *l, size_t di)
{
	ikc_stack *st = l->st;
	ikc_resource *n;
	size_t *d;

	if (st->nresources == l->cap_res) {
		size_t ncap = l->cap_res ? l->cap_res * 2 : 16;

		n = realloc(st->resources, ncap * sizeof(*n));
		if (!n)
			return NULL;
		st->resources = n;
		d = realloc(l->res_doc, ncap * sizeof(*d));
		if (!d)
			return NULL;
		l->res_doc = d;
		l->cap_res = ncap;
	}
	l->res_doc[st->nresources] = di;
	n = &st->resources[st->nresources++];
	memset(n, 0, sizeof(*n));
	return n;
}

/* Pass 1: apiVersion, kind, name, namespace and address of one document. */
static void resource_identity(loader *l, size_t di)
{
	ikc_stack__doc *doc = &l->docs[di];
	json_object *root = doc->root, *meta, *nsv;
	int dl = doc->line, dc = doc->col, line, col, gke = 0, cluster_scoped = 0;
	const char *api, *kind, *name = NULL, *ns = NULL;
	const kind_info *ki = NULL;
	char who[600], sug[300];
	char *addr = NULL;
	ikc_resource *r;

	if (!json_object_is_type(root, json_type_object)) {
		diag_at(l, dl, dc, "document is %s; expected a mapping with "
			"apiVersion, kind and metadata",
			json_object_is_type(root, json_type_array) ? "a sequence" :
			"a scalar");
		return;
	}
	api = str_member(l, "resource", root, "apiVersion", "apiVersion", 1, dl,
			 dc);
	kind = str_member(l, "resource", root, "kind", "kind", 1, dl, dc);
	snprintf(who, sizeof(who), "%s", kind ? kind : "resource");
	meta = obj_member(l, who, root, "metadata", "metadata", dl, dc);
	if (meta)
		name = str_member(l, who, meta, "name", "metadata.name", 1, dl, dc);
	else
		diag_at(l, dl, dc, "%s: missing metadata.name (a string)", who);
	if (kind && name)
		snprintf(who, sizeof(who), "%s/%s", kind, name);
	if (!api || !kind)
		return;
	if (strcmp(api, GKE_API) == 0) {
		if (strcmp(kind, "Cluster") != 0 && strcmp(kind, "NodePool") != 0) {
			member_pos(l, root, "kind", 0, dl, dc, &line, &col);
			if (suggest(l, kind, gke_kinds, N_OF(gke_kinds)))
				diag_at(l, line, col, "%s: unknown kind \"%s\" for "
					"%s%s", who, kind, GKE_API,
					suggest_text(l, sug, sizeof(sug), kind,
						     gke_kinds, N_OF(gke_kinds)));
			else
				diag_at(l, line, col, "%s: unknown kind \"%s\" for "
					"%s (expected Cluster or NodePool)", who,
					kind, GKE_API);
			return;
		}
		gke = 1;
	} else if (ikc_str_startswith(api, "container.googleapis.com/")) {
		member_pos(l, root, "apiVersion", 0, dl, dc, &line, &col);
		diag_at(l, line, col, "%s: unsupported apiVersion \"%s\" (expected "
			"\"%s\")", who, api, GKE_API);
		return;
	} else {
		ki = find_kind(kind);
		if (builtin_group(api)) {
			if (strcmp(kind, "Cluster") == 0 ||
			    strcmp(kind, "NodePool") == 0) {
				member_pos(l, root, "apiVersion", 0, dl, dc, &line,
					   &col);
				diag_at(l, line, col, "%s: %s is a GKE kind: "
					"apiVersion must be \"%s\"", who, kind,
					GKE_API);
				return;
			}
			if (!ki) {
				const char *names[N_K8S_KINDS];
				size_t i;

				for (i = 0; i < N_K8S_KINDS; i++)
					names[i] = k8s_kinds[i].kind;
				if (suggest(l, kind, names, N_K8S_KINDS)) {
					member_pos(l, root, "kind", 0, dl, dc, &line,
						   &col);
					diag_at(l, line, col, "%s: unknown kind "
						"\"%s\"%s", who, kind,
						suggest_text(l, sug, sizeof(sug), kind,
							     names, N_K8S_KINDS));
					return;
				}
			} else {
				size_t i;

				for (i = 0; i < 3 && ki->api[i]; i++)
					if (strcmp(ki->api[i], api) == 0)
						break;
				if (i == 3 || !ki->api[i]) {
					member_pos(l, root, "apiVersion", 0, dl, dc,
						   &line, &col);
					diag_at(l, line, col, "%s: apiVersion \"%s\" "
						"is not served for %s (expected "
						"\"%s\")", who, api, kind, ki->api[0]);
				}
			}
		}
		cluster_scoped = ki && ki->cluster_scoped;
	}
	if (!name)
		return;
	member_pos(l, meta, "name", 0, dl, dc, &line, &col);
	if (gke && !dns_label(name, strlen(name), 40, 1)) {
		diag_at(l, line, col, "%s: metadata.name \"%s\" is not a valid GKE "
			"name (lowercase letters, digits and '-', starting with a "
			"letter and ending with a letter or digit, at most 40 "
			"characters)", who, name);
	} else if (!gke && (strcmp(kind, "Namespace") == 0 ||
			    strcmp(kind, "Service") == 0) &&
		   !dns_label(name, strlen(name), 63, 0)) {
		diag_at(l, line, col, "%s: metadata.name \"%s\" is not a valid %s "
			"name (a DNS-1123 label: lowercase letters, digits and "
			"'-', starting and ending with a letter or digit, at most "
			"63 characters)", who, name, kind);
	} else if (!gke && !dns_subdomain(name)) {
		diag_at(l, line, col, "%s: metadata.name \"%s\" is not a valid "
			"name (a DNS-1123 subdomain: lowercase letters, digits, "
			"'-' and '.', starting and ending with a letter or digit, "
			"at most 253 characters)", who, name);
	}
	if (json_object_object_get_ex(meta, "namespace", &nsv) && nsv) {
		member_pos(l, meta, "namespace", 0, dl, dc, &line, &col);
		if (gke || cluster_scoped) {
			diag_at(l, line, col, "%s: %s is not namespaced: remove "
				"metadata.namespace", who, kind);
		} else if (!json_object_is_type(nsv, json_type_string)) {
			diag_at(l, line, col, "%s: metadata.namespace must be a "
				"string", who);
		} else {
			ns = json_object_get_string(nsv);
			if (!dns_label(ns, strlen(ns), 63, 0))
				diag_at(l, line, col, "%s: metadata.namespace "
					"\"%s\" is not a valid namespace name "
					"(lowercase letters, digits and '-', at most "
					"63 characters)", who, ns);
		}
	}
	if (!gke && !cluster_scoped && !ns)
		ns = "default";
	addr = ikc_stack__address(kind, ns, name);
	if (!addr) {
		l->oom = 1;
		return;
	}
	{
		json_object *first;

		if (json_object_object_get_ex(l->addresses, addr, &first)) {
			member_pos(l, meta, "name", 0, dl, dc, &line, &col);
			diag_at(l, line, col, "duplicate resource %s (first defined "
				"at line %d)", addr, json_object_get_int(first));
			free(addr);
			return;
		}
	}
	r = new_resource(l, di);
	if (!r || ikc_json_add(l->addresses, addr,
			       json_object_new_int(dl)) < 0) {
		free(addr);
		l->oom = 1;
		return;
	}
	r->address = addr;
	r->api_version = strdup(api);
	r->kind = strdup(kind);
	r->name = strdup(name);
	r->namespace_ = ns ? strdup(ns) : NULL;
	r->provider = gke ? IKC_PROVIDER_GKE : IKC_PROVIDER_KUBERNETES;
	r->line = dl;
	r->col = dc;
	if (!r->api_version || !r->kind || !r->name || (ns && !r->namespace_))
		l->oom = 1;
	if (gke && strcmp(kind, "Cluster") == 0) {
		const char **c = realloc(l->clusters,
					 (l->nclusters + 1) * sizeof(*c));

		if (!c) {
			l->oom = 1;
			return;
		}
		l->clusters = c;
		c[l->nclusters++] = r->name;
	}
}

static int add_str(char ***list, size_t *n, const char *s, size_t len)
{
	char **nl;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*list)[i]) == len && strncmp((*list)[i], s, len) == 0)
			return 0;
	nl = realloc(*list, (*n + 1) * sizeof(*nl));
	if (!nl)
		return ikc_error_oom();
	*list = nl;
	nl[*n] = ikc_asprintf("%.*s", (int)len, s);
	if (!nl[*n])
		return ikc_error_oom();
	(*n)++;
	return 0;
}

/* Splits "a, b ,c" and calls `each` on every trimmed item. */
static void split_list(loader *l, ikc_resource *r, const char *who,
		       const char *ann, const char *s, int line, int col,
		       void (*each)(loader *, ikc_resource *, const char *,
				    const char *, size_t, int, int))
{
	const char *p = s;

	for (;;) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		const char *b = p, *e = end;

		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (b == e)
			diag_at(l, line, col, "%s: %s has an empty item in \"%s\"",
				who, ann, s);
		else
			each(l, r, who, b, (size_t)(e - b), line, col);
		if (!comma)
			break;
		p = comma + 1;
	}
}

static void each_dependency(loader *l, ikc_resource *r, const char *who,
			    const char *item, size_t len, int line, int col)
{
	const char *s1 = memchr(item, '/', len), *s2 = NULL;
	char *kind = NULL, *ns = NULL, *name = NULL, *addr = NULL;
	char sug[600];

	if (s1)
		s2 = memchr(s1 + 1, '/', len - (size_t)(s1 + 1 - item));
	if (!s1 || s1 == item || (s2 && memchr(s2 + 1, '/',
					       len - (size_t)(s2 + 1 - item))) ||
	    item + len == (s2 ? s2 : s1) + 1 || (s2 && s2 == s1 + 1)) {
		diag_at(l, line, col, "%s: ikc.dev/depends-on: \"%.*s\" is not a "
			"resource address (expected Kind/name or "
			"Kind/namespace/name)", who, (int)len, item);
		return;
	}
	kind = ikc_asprintf("%.*s", (int)(s1 - item), item);
	if (s2) {
		ns = ikc_asprintf("%.*s", (int)(s2 - s1 - 1), s1 + 1);
		name = ikc_asprintf("%.*s", (int)(item + len - s2 - 1), s2 + 1);
	} else {
		name = ikc_asprintf("%.*s", (int)(item + len - s1 - 1), s1 + 1);
	}
	if (!kind || !name || (s2 && !ns))
		goto oom;
	addr = ikc_stack__address(kind, ns, name);
	if (!addr)
		goto oom;
	if (!has_address(l, addr)) {
		diag_at(l, line, col, "%s: ikc.dev/depends-on: %s is not a "
			"resource of this stack%s", who, addr,
			suggest_text(l, sug, sizeof(sug), addr, l->addr_list,
				     l->st->nresources));
	} else if (strcmp(addr, r->address) == 0) {
		diag_at(l, line, col, "%s: ikc.dev/depends-on names the resource "
			"itself", who);
	} else if (add_str(&r->depends_on, &r->ndepends_on, addr,
			   strlen(addr)) < 0) {
		l->oom = 1;
	}
	goto done;
oom:
	l->oom = 1;
done:
	free(kind);
	free(ns);
	free(name);
	free(addr);
}

static void each_ignore(loader *l, ikc_resource *r, const char *who,
			const char *item, size_t len, int line, int col)
{
	if (!ikc_stack__path_valid(item, len)) {
		diag_at(l, line, col, "%s: ikc.dev/ignore-changes: \"%.*s\" is not "
			"a field path (expected e.g. spec.replicas or "
			"spec.ports[0].port)", who, (int)len, item);
		return;
	}
	if (add_str(&r->ignore_changes, &r->nignore_changes, item, len) < 0)
		l->oom = 1;
}

/* ikc.dev/ annotations: checked, recorded on `r`, then removed from the body. */
static void resource_annotations(loader *l, ikc_resource *r, const char *who,
				 json_object *meta)
{
	json_object *ann;
	const char **names;
	size_t n = 0, i;

	ann = obj_member(l, who, meta, "annotations", "metadata.annotations",
			 r->line, r->col);
	if (!ann)
		return;
	names = calloc((size_t)json_object_object_length(ann) + 1,
		       sizeof(*names));
	if (!names) {
		l->oom = 1;
		return;
	}
	json_object_object_foreach(ann, k, v) {
		int line, col;
		char sug[300];
		const char *s;

		if (!ikc_str_startswith(k, ANN_PREFIX))
			continue;
		names[n++] = k;
		for (i = 0; i < N_OF(ikc_annotations); i++)
			if (strcmp(k, ikc_annotations[i]) == 0)
				break;
		if (i == N_OF(ikc_annotations)) {
			if (l->errors >= IKC_STACK_MAX_ERRORS)
				continue;
			member_pos(l, ann, k, 1, r->line, r->col, &line, &col);
			if (suggest(l, k, ikc_annotations,
					    N_OF(ikc_annotations))) {
				diag_at(l, line, col, "%s: unknown annotation "
					"\"%s\"%s", who, k,
					suggest_text(l, sug, sizeof(sug), k,
						     ikc_annotations,
						     N_OF(ikc_annotations)));
			} else {
				char *exp = one_of(ikc_annotations,
						   N_OF(ikc_annotations));

				diag_at(l, line, col, "%s: unknown annotation "
					"\"%s\" (expected %s)", who, k,
					exp ? exp : "");
				free(exp);
			}
			continue;
		}
		member_pos(l, ann, k, 0, r->line, r->col, &line, &col);
		if (!json_object_is_type(v, json_type_string)) {
			diag_at(l, line, col, "%s: annotation %s must be a string "
				"(quote it)", who, k);
			continue;
		}
		s = json_object_get_string(v);
		if (strcmp(k, "ikc.dev/depends-on") == 0) {
			split_list(l, r, who, k, s, line, col, each_dependency);
		} else if (strcmp(k, "ikc.dev/ignore-changes") == 0) {
			split_list(l, r, who, k, s, line, col, each_ignore);
		} else if (strcmp(k, "ikc.dev/prevent-destroy") == 0) {
			if (strcmp(s, "true") == 0)
				r->prevent_destroy = 1;
			else if (strcmp(s, "false") != 0)
				diag_at(l, line, col, "%s: ikc.dev/prevent-destroy "
					"is \"%s\" (expected \"true\" or "
					"\"false\")", who, s);
		} else if (strcmp(k, "ikc.dev/wait") == 0) {
			if (strcmp(s, "none") == 0)
				r->wait_none = 1;
			else if (strcmp(s, "ready") != 0)
				diag_at(l, line, col, "%s: ikc.dev/wait is \"%s\" "
					"(expected \"none\" or \"ready\")", who, s);
		} else if (r->provider == IKC_PROVIDER_GKE) {
			diag_at(l, line, col, "%s: ikc.dev/cluster applies to "
				"Kubernetes objects only", who);
		} else {
			const char *cl = ikc_str_startswith(s, "Cluster/") ?
				s + 8 : s;

			for (i = 0; i < l->nclusters; i++)
				if (strcmp(l->clusters[i], cl) == 0)
					break;
			if (i == l->nclusters) {
				diag_at(l, line, col, "%s: ikc.dev/cluster \"%s\" is "
					"not a Cluster of this stack%s", who, s,
					suggest_text(l, sug, sizeof(sug), cl,
						     l->clusters, l->nclusters));
			} else {
				free(r->cluster);
				r->cluster = ikc_asprintf("Cluster/%s", cl);
				if (!r->cluster)
					l->oom = 1;
			}
		}
	}
	/* never sent to an API: out of the body (kept alive for the map) */
	for (i = 0; i < n; i++) {
		json_object *v = NULL;

		(void)json_object_object_get_ex(ann, names[i], &v);
		ikc_stack__pos_keep(l->st->pos, json_object_get(v));
		json_object_object_del(ann, names[i]);
	}
	if (n && json_object_object_length(ann) == 0) {
		ikc_stack__pos_keep(l->st->pos, json_object_get(ann));
		json_object_object_del(meta, "annotations");
	}
	free(names);
}

static void gke_checks(loader *l, ikc_resource *r, const char *who)
{
	json_object *spec, *nc;
	int line, col;
	char sug[300];

	spec = obj_member(l, who, r->body, "spec", "spec", r->line, r->col);
	if (!spec) {
		if (!json_object_object_get_ex(r->body, "spec", NULL))
			diag_at(l, r->line, r->col, "%s: missing spec (a mapping "
				"with %s)", who, strcmp(r->kind, "Cluster") == 0 ?
				"spec.location" : "spec.cluster");
		return;
	}
	if (!str_member(l, who, spec, "project", "spec.project", 0, r->line,
			r->col) && !l->st->project &&
	    !json_object_object_get_ex(spec, "project", NULL))
		diag_at(l, r->line, r->col, "%s: no GCP project: set spec.project "
			"or the Stack's spec.google.project", who);
	if (strcmp(r->kind, "Cluster") == 0) {
		(void)str_member(l, who, spec, "location", "spec.location", 1,
				 r->line, r->col);
		return;
	}
	{
		const char *cl = str_member(l, who, spec, "cluster", "spec.cluster",
					    1, r->line, r->col);
		size_t i;

		if (cl && !is_cluster_path(cl)) {
			for (i = 0; i < l->nclusters; i++)
				if (strcmp(l->clusters[i], cl) == 0)
					break;
			if (i < l->nclusters) {
				r->cluster = ikc_asprintf("Cluster/%s", cl);
				if (!r->cluster)
					l->oom = 1;
			} else {
				member_pos(l, spec, "cluster", 0, r->line, r->col,
					   &line, &col);
				if (suggest(l, cl, l->clusters, l->nclusters))
					diag_at(l, line, col, "%s: spec.cluster \"%s\" "
						"is not a Cluster of this stack%s",
						who, cl, suggest_text(l, sug, sizeof(sug),
							cl, l->clusters, l->nclusters));
				else
					diag_at(l, line, col, "%s: spec.cluster \"%s\" "
						"is not a Cluster of this stack "
						"(expected the name of one, or "
						"projects/P/locations/L/clusters/C)",
						who, cl);
			}
		}
	}
	if (json_object_object_get_ex(spec, "nodeCount", &nc)) {
		int ok = 0;

		if (json_object_is_type(nc, json_type_int)) {
			ok = json_object_get_int64(nc) >= 0;
		} else if (json_object_is_type(nc, json_type_string)) {
			const char *s = json_object_get_string(nc);
			size_t len = strlen(s);

			/* exactly one expression: its value decides later */
			ok = len > 3 && s[0] == '$' && s[1] == '{' &&
				s[len - 1] == '}' && !memchr(s + 2, '}', len - 3);
		}
		if (!ok) {
			member_pos(l, spec, "nodeCount", 0, r->line, r->col, &line,
				   &col);
			diag_at(l, line, col, "%s: spec.nodeCount must be a "
				"non-negative integer", who);
		}
	}
}

/* Pass 2: everything that needs the whole stack. */
static void resource_checks(loader *l, ikc_resource *r, int kube_declared)
{
	json_object *meta = NULL;
	scan_ctx sc;
	const char *who = r->address;

	(void)json_object_object_get_ex(r->body, "metadata", &meta);
	resource_annotations(l, r, who, meta);
	if (r->provider == IKC_PROVIDER_GKE) {
		gke_checks(l, r, who);
	} else if (!r->cluster) {
		if (l->st->kube_cluster) {
			r->cluster = strdup(l->st->kube_cluster);
			if (!r->cluster)
				l->oom = 1;
		} else if (!l->st->kubeconfig && !kube_declared) {
			diag_at(l, r->line, r->col, "%s: no target cluster: set "
				"spec.kubernetes.cluster or spec.kubernetes."
				"kubeconfig in the Stack, or the ikc.dev/cluster "
				"annotation", who);
		}
	}
	memset(&sc, 0, sizeof(sc));
	sc.who = who;
	sc.refs = &r->refs;
	sc.nrefs = &r->nrefs;
	scan_value(l, &sc, r->body, NULL, r->line, r->col);
}

int ikc_stack__validate(ikc_stack *st, ikc_stack__doc *docs, size_t ndocs,
		       ikc_diags *diags, const ikc_load_options *opts)
{
	loader l;
	size_t i, first = ndocs, stack_doc = ndocs;
	int kube_declared = 0, error = 0;
	const char *env;

	memset(&l, 0, sizeof(l));
	l.st = st;
	l.diags = diags;
	l.opts = opts;
	l.docs = docs;
	l.ndocs = ndocs;
	l.addresses = json_object_new_object();
	st->variables = json_object_new_object();
	if (!l.addresses || !st->variables) {
		error = ikc_error_oom();
		goto done;
	}
	for (i = 0; i < ndocs; i++) {
		if (!docs[i].root)
			continue;   /* an empty document, as after a trailing --- */
		if (first == ndocs)
			first = i;
		if (!is_stack_doc(docs[i].root))
			continue;
		if (stack_doc == ndocs) {
			stack_doc = i;
			if (i != first)
				diag_at(&l, docs[i].line, docs[i].col, "the Stack "
					"document must come first (before line %d)",
					docs[first].line);
		} else {
			diag_at(&l, docs[i].line, docs[i].col, "a second Stack "
				"document (the first is at line %d); a stack file "
				"holds exactly one", docs[stack_doc].line);
		}
	}
	if (first == ndocs)
		diag_at(&l, 1, 1, "the file holds no documents (expected a Stack "
			"document: apiVersion: %s, kind: Stack)", STACK_API);
	else if (stack_doc == ndocs)
		diag_at(&l, docs[first].line, docs[first].col, "no Stack document: "
			"the file must start with one (apiVersion: %s, kind: "
			"Stack)", STACK_API);
	if (stack_doc < ndocs) {
		json_object *kube;

		stack_settings(&l, stack_doc);
		if (json_object_object_get_ex(ikc_json_path(docs[stack_doc].root,
							    "spec"),
					      "kubernetes", &kube) &&
		    json_object_object_get_ex(kube, "cluster", NULL))
			kube_declared = 1;
	}
	apply_var_overrides(&l);
	for (i = 0; i < ndocs && !l.oom; i++)
		if (docs[i].root && !is_stack_doc(docs[i].root))
			resource_identity(&l, i);
	if (l.oom) {
		error = ikc_error_oom();
		goto done;
	}
	for (i = 0; i < st->nresources; i++) {
		/* the body moves into the resource */
		st->resources[i].body = docs[l.res_doc[i]].root;
		docs[l.res_doc[i]].root = NULL;
	}
	l.addr_list = calloc(st->nresources + 1, sizeof(*l.addr_list));
	if (!l.addr_list) {
		error = ikc_error_oom();
		goto done;
	}
	for (i = 0; i < st->nresources; i++)
		l.addr_list[i] = st->resources[i].address;
	l.max_dots = ikc_stack__max_dots(st->resources, st->nresources);
	if (stack_doc < ndocs)
		stack_checks(&l, stack_doc);
	for (i = 0; i < st->nresources && !l.oom; i++)
		resource_checks(&l, &st->resources[i], kube_declared);
	if (l.oom) {
		error = ikc_error_oom();
		goto done;
	}
	env = getenv("IKC_CONTAINER_ENDPOINT");
	if (env && *env) {
		free(st->endpoint);
		st->endpoint = strdup(env);
	} else if (!st->endpoint) {
		st->endpoint = strdup("https://container.googleapis.com/");
	}
	if (!st->state_url && st->name)
		st->state_url = ikc_asprintf("file://%s/.ikc/%s.state.json",
					     st->dir, st->name);
	if (!st->outputs)
		st->outputs = json_object_new_object();
	if (!st->endpoint || !st->outputs || (st->name && !st->state_url)) {
		error = ikc_error_oom();
		goto done;
	}
	if (stack_doc < ndocs) {
		/* the map has entries keyed by its nodes: keep them alive */
		ikc_stack__pos_keep(st->pos, docs[stack_doc].root);
		docs[stack_doc].root = NULL;
	}
done:
	json_object_put(l.addresses);
	free(l.addr_list);
	free(l.res_doc);
	free(l.clusters);
	return error;
}

char *ikc_stack__abs_dir(const char *dir)
{
	return abs_dir(dir);
}
