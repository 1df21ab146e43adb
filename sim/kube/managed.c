/* managed.c - metadata.managedFields: which manager last set which fields */
#include "sim/kube/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/str.h"

/*
 * A field set is a trie in the API's FieldsV1 form: {"f:spec": {"f:replicas":
 * {}}}.  Lists are owned whole (each is a leaf), which is what the server
 * does for atomic lists; metadata the server owns and status (outside the
 * status subresource) are never in a set.
 */

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* level 0: the object's top, 1: directly under metadata, 2: deeper. */
static int server_owned(int level, const char *key)
{
	static const char *const meta[] = {"name", "namespace", "uid", "resourceVersion",
					   "generation", "creationTimestamp", "managedFields",
					   "selfLink", "deletionTimestamp",
					   "deletionGracePeriodSeconds", NULL};
	size_t i;

	if (level == 0)
		return !strcmp(key, "apiVersion") || !strcmp(key, "kind");
	if (level != 1)
		return 0;
	for (i = 0; meta[i]; i++)
		if (!strcmp(key, meta[i]))
			return 1;
	return 0;
}

/* The fields of `v` that differ from `old` (all of them when old is NULL). */
static json_object *changed(json_object *v, json_object *old, int level)
{
	json_object *set = json_object_new_object();

	if (!json_object_is_type(v, json_type_object))
		return set;
	json_object_object_foreach(v, k, sub) {
		json_object *osub = kube__member(old, k);
		char key[512];

		if (server_owned(level, k))
			continue;
		if (osub && json_object_equal(sub, osub))
			continue;
		snprintf(key, sizeof(key), "f:%s", k);
		if (json_object_is_type(sub, json_type_object) &&
		    json_object_object_length(sub) > 0) {
			json_object *c = changed(sub, json_object_is_type(osub, json_type_object)
						      ? osub : NULL,
					       level == 0 && !strcmp(k, "metadata") ? 1 : 2);

			if (json_object_object_length(c))
				json_object_object_add(set, key, c);
			else
				json_object_put(c);
		} else {
			json_object_object_add(set, key, json_object_new_object());
		}
	}
	return set;
}

/* a |= b */
static void unite(json_object *a, json_object *b)
{
	json_object_object_foreach(b, k, bv) {
		json_object *av = kube__member(a, k);

		if (av && json_object_object_length(av) && json_object_object_length(bv))
			unite(av, bv);
		else if (!av || json_object_object_length(bv) == 0)
			json_object_object_add(a, k, json_object_get(bv));
	}
}

/*
 * In place: leaves of `a` that `b` names are dropped, and so are paths
 * `v` (the new object) no longer has.  1 when `a` ends empty.
 */
static int trim(json_object *a, json_object *b, json_object *v)
{
	int again = 1;

	while (again) {
		again = 0;
		json_object_object_foreach(a, k, av) {
			json_object *bv = kube__member(b, k);
			json_object *vv = kube__member(v, k + 2);
			int drop = !vv || (bv && (!json_object_object_length(bv) ||
						     !json_object_object_length(av)));

			if (!drop && json_object_object_length(av))
				drop = trim(av, bv, json_object_is_type(vv, json_type_object) ?
						    vv : NULL);
			if (drop) {
				json_object_object_del(a, k);
				again = 1;
				break;
			}
		}
	}
	return json_object_object_length(a) == 0;
}

void kube__managed_fields(json_object *obj, json_object *old, const char *manager,
			  const char *operation, const char *subresource,
			  const char *api_version)
{
	json_object *meta = kube__meta(obj), *list, *mine = NULL, *out;
	json_object *set, *scope_new, *scope_old = NULL;
	char now[32];
	size_t i;

	if (!manager || !*manager)
		manager = "unknown";
	list = kube__member(meta, "managedFields");
	list = json_object_is_type(list, json_type_array) ? ikc_json_copy(list)
							  : json_object_new_array();
	/* the status subresource writes status; everything else the rest */
	if (subresource && !strcmp(subresource, "status")) {
		scope_new = json_object_new_object();
		json_object_object_add(scope_new, "status",
				       ikc_json_copy(kube__member(obj, "status")));
		if (old) {
			scope_old = json_object_new_object();
			json_object_object_add(scope_old, "status",
					       ikc_json_copy(kube__member(old, "status")));
		}
	} else {
		scope_new = ikc_json_copy(obj);
		json_object_object_del(scope_new, "status");
		if (old) {
			scope_old = ikc_json_copy(old);
			json_object_object_del(scope_old, "status");
		}
	}
	set = changed(scope_new, scope_old, 0);
	kube__now_rfc3339(now);
	out = json_object_new_array();
	for (i = 0; i < kube__len(list); i++) {
		json_object *e = json_object_get(json_object_array_get_idx(list, i));
		json_object *f = kube__member(e, "fieldsV1");
		const char *sub = ikc_json_str(e, "subresource");
		int same_scope = !!sub == !!subresource &&
				 (!sub || !strcmp(sub, subresource));

		if (same_scope && !strcmp(or_empty(ikc_json_str(e, "manager")), manager) &&
		    !strcmp(or_empty(ikc_json_str(e, "operation")), operation)) {
			mine = e;
			continue;
		}
		if (!same_scope || !f || !trim(f, set, scope_new))
			json_object_array_add(out, e);
		else
			json_object_put(e);
	}
	if (!mine) {
		mine = json_object_new_object();
		json_object_object_add(mine, "manager", json_object_new_string(manager));
		json_object_object_add(mine, "operation", json_object_new_string(operation));
		json_object_object_add(mine, "fieldsType", json_object_new_string("FieldsV1"));
		json_object_object_add(mine, "fieldsV1", json_object_new_object());
		if (subresource)
			json_object_object_add(mine, "subresource",
					       json_object_new_string(subresource));
	}
	json_object_object_add(mine, "apiVersion", json_object_new_string(api_version));
	json_object_object_add(mine, "time", json_object_new_string(now));
	unite(kube__member(mine, "fieldsV1"), set);
	(void)trim(kube__member(mine, "fieldsV1"), NULL, scope_new);
	if (json_object_object_length(kube__member(mine, "fieldsV1")))
		json_object_array_add(out, mine);
	else
		json_object_put(mine);
	if (kube__len(out))
		json_object_object_add(meta, "managedFields", out);
	else {
		json_object_object_del(meta, "managedFields");
		json_object_put(out);
	}
	json_object_put(set);
	json_object_put(scope_new);
	json_object_put(scope_old);
	json_object_put(list);
}
