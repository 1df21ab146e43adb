/* convert.c - what the API server does while decoding a body: base64 bytes, quantities, Secret stringData */
#include "sim/kube/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "util/json.h"
#include "util/quantity.h"
#include "util/str.h"

/* ---- base64 ([]byte fields), as Go's encoding/base64 StdEncoding reads it ---- */

static int b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * -1 when `s` is valid padded base64 (line breaks ignored), else the input
 * byte the decoder stops at.
 */
static long b64_bad_at(const char *s)
{
	size_t i, quantum = 0, qstart = 0, pad = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (quantum == 0)
			qstart = i;
		if (s[i] == '=') {
			if (quantum < 2)
				return (long)i;
			pad++;
		} else if (!b64_char(s[i]) || pad) {
			return (long)i;
		}
		quantum = (quantum + 1) % 4;
		if (quantum == 0 && pad) {
			/* padding ends the input */
			for (i++; s[i]; i++)
				if (s[i] != '\r' && s[i] != '\n')
					return (long)i;
			return -1;
		}
	}
	return quantum ? (long)qstart : -1;
}

static char *b64_encode(const char *s, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

/* ---- where quantities live in the kinds the sim serves ---- */

typedef void (*qty_fn)(json_object *parent, const char *key, json_object *v,
		       void *ctx);

static void each_map_value(json_object *map, qty_fn fn, void *ctx)
{
	if (!map || !json_object_is_type(map, json_type_object))
		return;
	json_object_object_foreach(map, k, v)
		fn(map, k, v, ctx);
}

static void each_key(json_object *obj, const char *key, qty_fn fn, void *ctx)
{
	json_object *v = kube__member(obj, key);

	if (v)
		fn(obj, key, v, ctx);
}

static void podspec_quantities(json_object *spec, qty_fn fn, void *ctx)
{
	static const char *const lists[] = {"containers", "initContainers"};
	json_object *vols = kube__member(spec, "volumes");
	size_t l, i;

	for (l = 0; l < 2; l++) {
		json_object *cs = kube__member(spec, lists[l]);

		for (i = 0; i < kube__len(cs); i++) {
			json_object *res = kube__member(json_object_array_get_idx(cs, i), "resources");

			each_map_value(kube__member(res, "limits"), fn, ctx);
			each_map_value(kube__member(res, "requests"), fn, ctx);
		}
	}
	each_map_value(kube__member(spec, "overhead"), fn, ctx);
	for (i = 0; i < kube__len(vols); i++)
		each_key(kube__member(json_object_array_get_idx(vols, i), "emptyDir"),
			 "sizeLimit", fn, ctx);
}

static void hpa_quantities(json_object *obj, qty_fn fn, void *ctx)
{
	static const char *const sources[] = {"resource", "pods", "object",
					      "external", "containerResource"};
	json_object *metrics = ikc_json_path(obj, "spec.metrics");
	size_t i, s;

	for (i = 0; i < kube__len(metrics); i++)
		for (s = 0; s < 5; s++) {
			json_object *t = kube__member(kube__member(json_object_array_get_idx(metrics, i),
						       sources[s]), "target");

			each_key(t, "value", fn, ctx);
			each_key(t, "averageValue", fn, ctx);
		}
}

static void quantities(const kube_kind *kd, json_object *obj, qty_fn fn, void *ctx)
{
	const char *k = kd->kind;

	if (!strcmp(k, "Pod"))
		podspec_quantities(kube__member(obj, "spec"), fn, ctx);
	else if (!strcmp(k, "ReplicationController") || !strcmp(k, "ReplicaSet") ||
		 !strcmp(k, "Deployment"))
		podspec_quantities(ikc_json_path(obj, "spec.template.spec"), fn, ctx);
	else if (!strcmp(k, "HorizontalPodAutoscaler"))
		hpa_quantities(obj, fn, ctx);
}

/* The text of a quantity value: a JSON string or number; NULL otherwise. */
static const char *qty_text(json_object *v)
{
	if (json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double))
		return json_object_get_string(v);
	return NULL;
}

struct qcheck {
	char *err;
};

static void check_qty(json_object *parent, const char *key, json_object *v, void *ctx)
{
	struct qcheck *c = ctx;
	const char *t = qty_text(v);
	char out[80];

	(void)parent;
	(void)key;
	if (c->err)
		return;
	if (!t) {
		c->err = ikc_asprintf("quantities must be a string or a number, not %s",
				      json_type_to_name(json_object_get_type(v)));
		return;
	}
	if (ikc_quantity_canonical(out, sizeof(out), t) < 0)
		c->err = strdup(ikc_error_last());
}

static void canon_qty(json_object *parent, const char *key, json_object *v, void *ctx)
{
	const char *t = qty_text(v);
	char out[80];

	(void)ctx;
	if (t && ikc_quantity_canonical(out, sizeof(out), t) == 0 &&
	    (!json_object_is_type(v, json_type_string) || strcmp(out, t)))
		json_object_object_add(parent, key, json_object_new_string(out));
}

/* An int-or-string field holding something else (a bool, a list, ...). */
static const char *int_or_string_error(const kube_kind *kd, json_object *obj)
{
	json_object *ports = ikc_json_path(obj, "spec.ports");
	json_object *ru = ikc_json_path(obj, "spec.strategy.rollingUpdate");
	json_object *v;
	size_t i;

	if (!strcmp(kd->kind, "Service"))
		for (i = 0; i < kube__len(ports); i++) {
			v = kube__member(json_object_array_get_idx(ports, i), "targetPort");
			if (v && !json_object_is_type(v, json_type_int) &&
			    !json_object_is_type(v, json_type_string))
				return "spec.ports.targetPort";
		}
	if (!strcmp(kd->kind, "Deployment")) {
		v = kube__member(ru, "maxSurge");
		if (v && !json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_string))
			return "spec.strategy.rollingUpdate.maxSurge";
		v = kube__member(ru, "maxUnavailable");
		if (v && !json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_string))
			return "spec.strategy.rollingUpdate.maxUnavailable";
	}
	return NULL;
}

char *kube__decode_error(const kube_kind *kd, json_object *obj)
{
	const char *k = kd->kind;
	char *why = NULL, *msg;
	const char *ios;

	if (!strcmp(k, "Secret")) {
		json_object *sd = kube__member(obj, "stringData");

		if (sd && !json_object_is_type(sd, json_type_object))
			why = ikc_asprintf("json: cannot unmarshal %s into Go struct field "
					   "Secret.stringData of type map[string]string",
					   json_type_to_name(json_object_get_type(sd)));
		else if (sd) {
			json_object_object_foreach(sd, key, v) {
				(void)key;
				if (!json_object_is_type(v, json_type_string)) {
					why = ikc_asprintf("json: cannot unmarshal %s into Go "
							   "struct field Secret.stringData of "
							   "type string",
							   json_type_to_name(json_object_get_type(v)));
					break;
				}
			}
		}
	}
	if (!why && (!strcmp(k, "Secret") || !strcmp(k, "ConfigMap"))) {
		json_object *bytes = kube__member(obj, !strcmp(k, "Secret") ? "data" : "binaryData");

		if (bytes && json_object_is_type(bytes, json_type_object)) {
			json_object_object_foreach(bytes, key, v) {
				long at;

				(void)key;
				if (!json_object_is_type(v, json_type_string))
					continue;   /* the shape check names it */
				at = b64_bad_at(json_object_get_string(v));
				if (at >= 0) {
					why = ikc_asprintf("illegal base64 data at input byte %ld", at);
					break;
				}
			}
		}
	}
	if (!why) {
		struct qcheck c = {NULL};

		quantities(kd, obj, check_qty, &c);
		why = c.err;
	}
	if (!why && (ios = int_or_string_error(kd, obj)))
		why = ikc_asprintf("json: cannot unmarshal into Go struct field %s.%s of "
				   "type intstr.IntOrString", k, ios);
	if (!why)
		return NULL;
	msg = ikc_asprintf("%s in version \"%s\" cannot be handled as a %s: %s", k,
			   kd->version, k, why);
	free(why);
	return msg;
}

/*
 * Secret: each stringData value is written into data (base64), replacing
 * a data value of the same key; stringData itself is never stored.
 */
static void fold_string_data(json_object *obj)
{
	json_object *sd = kube__member(obj, "stringData"), *data;

	if (!sd)
		return;
	if (json_object_is_type(sd, json_type_object) && json_object_object_length(sd)) {
		data = kube__member(obj, "data");
		if (!data || !json_object_is_type(data, json_type_object)) {
			data = json_object_new_object();
			json_object_object_add(obj, "data", data);
		}
		json_object_object_foreach(sd, key, v) {
			const char *s = json_object_get_string(v);
			char *b = b64_encode(s ? s : "", s ? strlen(s) : 0);

			if (b)
				json_object_object_add(data, key, json_object_new_string(b));
			free(b);
		}
	}
	json_object_object_del(obj, "stringData");
}

void kube__convert(const kube_kind *kd, json_object *obj)
{
	if (!strcmp(kd->kind, "Secret"))
		fold_string_data(obj);
	quantities(kd, obj, canon_qty, NULL);
}
