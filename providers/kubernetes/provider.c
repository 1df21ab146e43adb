/* provider.c - the Kubernetes provider: read, create (or adopt), patch, delete */
#include "providers/kubernetes/kube.h"
#include "providers/kubernetes/internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

#define FIELD_MANAGER "fieldManager=ikc"
#define CT_SMP "application/strategic-merge-patch+json"
#define CT_MERGE "application/merge-patch+json"

void ikc_kube__obj_dispose(struct ikc_kube_obj *o)
{
	ikc_kube__res_dispose(&o->res);
	free(o->path);
	free(o->coll);
	free(o->item_fm);
	free(o->ns);
	memset(o, 0, sizeof(*o));
}

int ikc_kube__obj_open(struct ikc_kube_obj *o, ikc_provider_env *env,
		       const ikc_target *t)
{
	const char *ns = ikc_kube__namespace(t);
	int error;

	memset(o, 0, sizeof(*o));
	if (!t->name || !*t->name)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					  "%s: object has no name",
					  t->address);
	error = ikc_kube__conn(&o->conn, env, t);
	if (error < 0)
		return error;
	error = ikc_kube__resolve(&o->res, env, o->conn, t->api_version,
				  t->kind);
	if (error < 0)
		return ikc_error_wrap(error, "%s: ", t->address);
	o->ns = strdup(ns);
	if (!o->ns)
		error = ikc_error_oom();
	if (error == 0)
		error = ikc_kube__path(&o->path, &o->res, ns, t->name, NULL);
	if (error == 0)
		error = ikc_kube__path(&o->coll, &o->res, ns, NULL,
				       FIELD_MANAGER);
	if (error == 0)
		error = ikc_kube__path(&o->item_fm, &o->res, ns, t->name,
				       FIELD_MANAGER);
	if (error < 0)
		ikc_kube__obj_dispose(o);
	return error;
}

int ikc_kube__obj_get(json_object **out, ikc_provider_env *env,
		      const ikc_target *t, struct ikc_kube_obj *o)
{
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	int error;

	*out = NULL;
	error = ikc_kube__call(env, o->conn, "GET", o->path, NULL, NULL,
			       &resp);
	if (error < 0)
		goto done;
	if (!ikc_http_response_ok(&resp)) {
		error = ikc_kube__fail(o->conn, t->address, "GET", o->path,
				       &resp);
		goto done;
	}
	error = ikc_kube__parse(out, &resp, "GET", o->path);
done:
	ikc_http_response_dispose(&resp);
	return error;
}

static int kube_read(ikc_provider_env *env, const ikc_target *t,
		     json_object **live_out)
{
	struct ikc_kube_obj o;
	int error;

	*live_out = NULL;
	if (!env->kubeconfig && (!t->cluster_live ||
				 !(ikc_json_str(t->cluster_live, "endpoint") ||
				   ikc_json_path(t->cluster_live,
						 "spec.endpoint"))))
		/* its cluster does not exist (or has no API server) yet, so
		 * neither does the object */
		return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_PROVIDER,
					  "%s: its cluster has no API "
					  "server yet", t->address);
	error = ikc_kube__obj_open(&o, env, t);
	if (error < 0)
		return error;
	/* a refresh reads whole collections at once (lists.c) */
	if (env->refreshing)
		error = ikc_kube__list_read(live_out, env, t, &o);
	else
		error = ikc_kube__obj_get(live_out, env, t, &o);
	ikc_kube__obj_dispose(&o);
	return error;
}

/* Child object `key` of `obj`, created empty when missing. Borrowed. */
static json_object *child_obj(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (json_object_object_get_ex(obj, key, &v) && v &&
	    json_object_is_type(v, json_type_object))
		return v;
	v = json_object_new_object();
	if (!v || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return NULL;
	}
	return v;
}

/*
 * Turns an owned copy of a desired value into what ikc manages on the
 * server: ikc.dev/ annotations dropped (they steer ikc, never the API),
 * the ownership labels added, the fields of ikc.dev/ignore-changes left
 * out, and the rest in the form the server stores (ikc_kube_canonicalize),
 * so that the patch compares like with like.
 */
static int prepare(json_object *v, ikc_provider_env *env, const ikc_target *t,
		   int labels)
{
	json_object *meta, *ann, *lab, *s;
	const char *stack = env->stack ? env->stack->name : NULL;
	size_t i;

	if (!v || !json_object_is_type(v, json_type_object))
		return 0;
	meta = child_obj(v, "metadata");
	if (!meta)
		return ikc_error_oom();
	if (json_object_object_get_ex(meta, "annotations", &ann) && ann &&
	    json_object_is_type(ann, json_type_object)) {
		int again = 1;

		while (again) {
			again = 0;
			json_object_object_foreach(ann, k, av) {
				(void)av;
				if (ikc_str_startswith(k, "ikc.dev/")) {
					json_object_object_del(ann, k);
					again = 1;
					break;
				}
			}
		}
		if (!json_object_object_length(ann))
			json_object_object_del(meta, "annotations");
	}
	json_object_object_del(v, "status");
	if (labels && stack) {
		lab = child_obj(meta, "labels");
		if (!lab)
			return ikc_error_oom();
		/*
		 * The API server gives a ReplicationController without labels
		 * its template's labels (api-reference.md §4.4); ours would
		 * stop that default, so apply it here as the server would.
		 */
		if (t->kind && !strcmp(t->kind, "ReplicationController") &&
		    !json_object_object_length(lab)) {
			json_object *tl = ikc_json_path(
				v, "spec.template.metadata.labels");

			if (tl && json_object_is_type(tl, json_type_object)) {
				json_object_object_foreach(tl, k, lv) {
					if (ikc_json_add(lab, k,
							 ikc_json_copy(lv)) < 0)
						return ikc_error_oom();
				}
			}
		}
		s = json_object_new_string(IKC_KUBE_MANAGED_BY_VALUE);
		if (ikc_json_add(lab, IKC_KUBE_LABEL_MANAGED_BY, s) < 0)
			return ikc_error_oom();
		s = json_object_new_string(stack);
		if (ikc_json_add(lab, IKC_KUBE_LABEL_STACK, s) < 0)
			return ikc_error_oom();
	}
	for (i = 0; env->stack && i < env->stack->nresources; i++) {
		const ikc_resource *r = &env->stack->resources[i];
		size_t j;

		if (!r->address || strcmp(r->address, t->address))
			continue;
		for (j = 0; j < r->nignore_changes; j++)
			(void)ikc_json_del_path(v, r->ignore_changes[j]);
	}
	/* what the server stores: stringData as data, canonical quantities */
	return ikc_kube_canonicalize(v, t->api_version, t->kind);
}

/*
 * PATCHes `live` towards the target's desired value (three-way with the
 * last applied value when `use_last`).  *patched_out (may be NULL) gets 1
 * if a patch was sent.
 */
static int patch_towards(ikc_provider_env *env, const ikc_target *t,
			 struct ikc_kube_obj *o, json_object *live, int use_last)
{
	json_object *d = NULL, *l = NULL, *patch = NULL;
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	int strategic = ikc_kube_is_builtin(t->api_version);
	int error;

	d = ikc_json_copy(t->desired);
	if (!d) {
		error = ikc_error_oom();
		goto done;
	}
	error = prepare(d, env, t, 1);
	if (error < 0)
		goto done;
	if (use_last && t->state) {
		json_object *last = ikc_json_path(t->state, "desired");

		if (last && json_object_is_type(last, json_type_object)) {
			l = ikc_json_copy(last);
			if (!l) {
				error = ikc_error_oom();
				goto done;
			}
			error = prepare(l, env, t, 1);
			if (error < 0)
				goto done;
		}
	}
	error = ikc_kube_patch_compute(&patch, t->api_version, t->kind, d, l,
				       live, strategic);
	if (error < 0 || !patch)
		goto done;
	error = ikc_kube__call(env, o->conn, "PATCH", o->item_fm,
			       json_object_to_json_string_ext(
				       patch, JSON_C_TO_STRING_PLAIN),
			       strategic ? CT_SMP : CT_MERGE, &resp);
	if (error < 0)
		goto done;
	if (!ikc_http_response_ok(&resp))
		error = ikc_kube__fail(o->conn, t->address, "PATCH", o->path,
				       &resp);
done:
	ikc_http_response_dispose(&resp);
	json_object_put(patch);
	json_object_put(l);
	json_object_put(d);
	return error;
}

static int kube_create(ikc_provider_env *env, const ikc_target *t,
		       char **operation_out, char **remote_id_out)
{
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	json_object *body = NULL, *live = NULL;
	const char *stack = env->stack ? env->stack->name : NULL;
	struct ikc_kube_obj o;
	int error;

	*operation_out = NULL;
	*remote_id_out = NULL;
	error = ikc_kube__obj_open(&o, env, t);
	if (error < 0)
		return error;
	if (!stack) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PROVIDER,
					   "%s: no stack name for the "
					   "ownership labels", t->address);
		goto done;
	}
	body = ikc_json_copy(t->desired);
	if (!body) {
		error = ikc_error_oom();
		goto done;
	}
	error = prepare(body, env, t, 1);
	if (error < 0)
		goto done;
	error = ikc_kube__call(env, o.conn, "POST", o.coll,
			       json_object_to_json_string_ext(
				       body, JSON_C_TO_STRING_PLAIN),
			       NULL, &resp);
	if (error < 0)
		goto done;
	if (!ikc_http_response_ok(&resp)) {
		error = ikc_kube__fail(o.conn, t->address, "POST", o.coll,
				       &resp);
		if (error != IKC_EEXISTS)
			goto done;
		/* ours from an interrupted run (or a retried POST): adopt
		 * it and bring it to the desired value; anyone else's:
		 * refuse */
		error = ikc_kube__obj_get(&live, env, t, &o);
		if (error < 0)
			goto done;
		if (!ikc_kube_owned_by(live, stack)) {
			error = ikc_error_set_code(
				IKC_EEXISTS, IKC_ERR_PROVIDER,
				"%s: already exists on the cluster and is "
				"not managed by stack \"%s\" (no %s=%s, "
				"%s=%s labels); delete it, rename it, or "
				"import it with `ikc import`", t->address,
				stack, IKC_KUBE_LABEL_MANAGED_BY,
				IKC_KUBE_MANAGED_BY_VALUE,
				IKC_KUBE_LABEL_STACK, stack);
			goto done;
		}
		error = patch_towards(env, t, &o, live, 0);
		if (error < 0)
			goto done;
	}
	*remote_id_out = strdup(o.path);
	if (!*remote_id_out)
		error = ikc_error_oom();
done:
	ikc_http_response_dispose(&resp);
	json_object_put(live);
	json_object_put(body);
	ikc_kube__obj_dispose(&o);
	return error;
}

static int kube_update(ikc_provider_env *env, const ikc_target *t,
		       json_object *live, const char *const *fields,
		       size_t nfields)
{
	json_object *fresh = NULL;
	struct ikc_kube_obj o;
	int error;

	/* the patch is computed from the values themselves; `fields` is
	 * what the plan showed and needs no second reading */
	(void)fields;
	(void)nfields;
	error = ikc_kube__obj_open(&o, env, t);
	if (error < 0)
		return error;
	if (!live) {
		error = ikc_kube__obj_get(&fresh, env, t, &o);
		if (error < 0)
			goto done;
		live = fresh;
	}
	error = patch_towards(env, t, &o, live, 1);
done:
	json_object_put(fresh);
	ikc_kube__obj_dispose(&o);
	return error;
}

static int kube_remove(ikc_provider_env *env, const ikc_target *t,
		       char **operation_out)
{
	ikc_http_response resp = IKC_HTTP_RESPONSE_INIT;
	struct ikc_kube_obj o;
	int error;

	*operation_out = NULL;
	error = ikc_kube__obj_open(&o, env, t);
	if (error < 0)
		return error;
	error = ikc_kube__call(env, o.conn, "DELETE", o.path,
			       "{\"propagationPolicy\":\"Background\"}",
			       NULL, &resp);
	if (error == 0 && !ikc_http_response_ok(&resp))
		error = ikc_kube__fail(o.conn, t->address, "DELETE", o.path,
				       &resp);
	ikc_http_response_dispose(&resp);
	ikc_kube__obj_dispose(&o);
	return error;
}

static const ikc_provider_ops kube_ops = {
	"kubernetes", kube_read, kube_create, kube_update, kube_remove,
	ikc_kube__wait
};

const ikc_provider_ops *ikc_kubernetes_provider(void)
{
	return &kube_ops;
}
