/* rules.c - the API server's field syntax rules: names, labels, annotations, keys, ports, quantities */
#include "sim/kube/kube.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/quantity.h"
#include "util/str.h"

/* ---- causes (the details.causes of a 422 Invalid Status) ---- */

void kube__cause(json_object *causes, const char *reason, const char *field,
		 const char *msg)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "reason", json_object_new_string(reason));
	json_object_object_add(c, "message", json_object_new_string(msg));
	json_object_object_add(c, "field", json_object_new_string(field));
	json_object_array_add(causes, c);
}

static const char *jtext(json_object *v)
{
	return v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE)
		 : "null";
}

void kube__invalid(json_object *causes, const char *field, json_object *val,
		   const char *detail)
{
	char *m = ikc_asprintf("Invalid value: %s: %s", jtext(val), detail);

	kube__cause(causes, "FieldValueInvalid", field, m ? m : detail);
	free(m);
}

void kube__required(json_object *causes, const char *field)
{
	kube__cause(causes, "FieldValueRequired", field, "Required value");
}

/* An Invalid cause whose value is the string `s`. */
static void invalid_str(json_object *causes, const char *field, const char *s,
			const char *detail)
{
	json_object *v = json_object_new_string(s ? s : "");

	kube__invalid(causes, field, v, detail);
	json_object_put(v);
}

static void too_long(json_object *causes, const char *field, size_t max)
{
	char m[96];

	snprintf(m, sizeof(m), "Too long: must have at most %zu bytes", max);
	kube__cause(causes, "FieldValueTooLong", field, m);
}

json_object *kube__member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* ---- the apimachinery syntax checks (k8s.io/apimachinery validation) ---- */

#define MSG_SUBDOMAIN \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric " \
	"characters, '-' or '.', and must start and end with an alphanumeric " \
	"character (e.g. 'example.com', regex used for validation is " \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define MSG_LABEL1123 \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric " \
	"characters or '-', and must start and end with an alphanumeric character " \
	"(e.g. 'my-name',  or '123-abc', regex used for validation is " \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define MSG_LABEL1035 \
	"a DNS-1035 label must consist of lower case alphanumeric characters or " \
	"'-', start with an alphabetic character, and end with an alphanumeric " \
	"character (e.g. 'my-name',  or 'abc-123', regex used for validation is " \
	"'[a-z]([-a-z0-9]*[a-z0-9])?')"
#define MSG_QNAME_PART \
	"name part must consist of alphanumeric characters, '-', '_' or '.', and " \
	"must start and end with an alphanumeric character (e.g. 'MyName',  or " \
	"'my.name',  or '123-abc', regex used for validation is " \
	"'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define MSG_QNAME \
	"a qualified name must consist of alphanumeric characters, '-', '_' or " \
	"'.', and must start and end with an alphanumeric character (e.g. " \
	"'MyName',  or 'my.name',  or '123-abc', regex used for validation is " \
	"'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS " \
	"subdomain prefix and '/' (e.g. 'example.com/MyName')"
#define MSG_LABEL_VALUE \
	"a valid label must be an empty string or consist of alphanumeric " \
	"characters, '-', '_' or '.', and must start and end with an alphanumeric " \
	"character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for " \
	"validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
#define MSG_CONFIG_KEY \
	"a valid config key must consist of alphanumeric characters, '-', '_' or " \
	"'.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for " \
	"validation is '[-._a-zA-Z0-9]+')"

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static int label1123(const char *s, size_t n)
{
	size_t i;

	if (!n || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int subdomain(const char *s, size_t n)
{
	size_t start = 0, i;

	for (i = 0; i <= n; i++)
		if (i == n || s[i] == '.') {
			if (!label1123(s + start, i - start))
				return 0;
			start = i + 1;
		}
	return n > 0;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static int qname_part(const char *s, size_t n)
{
	size_t i;

	if (!n || !alnum(s[0]) || !alnum(s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!alnum(s[i]) && !strchr("-_.", s[i]))
			return 0;
	return 1;
}

/* IsQualifiedName: each failing rule's message goes to `field`. */
static void qualified_name(json_object *causes, const char *field,
			   const char *key, const char *shown)
{
	const char *slash = strchr(key, '/');
	const char *name = slash ? slash + 1 : key;
	size_t nlen = strlen(name);

	if (slash && strchr(name, '/')) {
		invalid_str(causes, field, shown, MSG_QNAME);
		return;
	}
	if (slash) {
		size_t plen = (size_t)(slash - key);

		if (!plen) {
			invalid_str(causes, field, shown, "prefix part must be non-empty");
		} else if (plen > 253) {
			invalid_str(causes, field, shown,
				    "prefix part must be no more than 253 characters");
		} else if (!subdomain(key, plen)) {
			invalid_str(causes, field, shown, "prefix part " MSG_SUBDOMAIN);
		}
	}
	if (!nlen) {
		invalid_str(causes, field, shown, "name part must be non-empty");
		return;
	}
	if (nlen > 63)
		invalid_str(causes, field, shown,
			    "name part must be no more than 63 characters");
	if (!qname_part(name, nlen))
		invalid_str(causes, field, shown, MSG_QNAME_PART);
}

static void labels_rule(json_object *causes, const char *field, json_object *labels)
{
	if (!labels || !json_object_is_type(labels, json_type_object))
		return;
	json_object_object_foreach(labels, k, v) {
		const char *val = json_object_get_string(v);
		size_t n = val ? strlen(val) : 0;

		qualified_name(causes, field, k, k);
		if (n > 63)
			invalid_str(causes, field, val, "must be no more than 63 characters");
		if (n && !qname_part(val, n))
			invalid_str(causes, field, val, MSG_LABEL_VALUE);
	}
}

#define ANNOTATIONS_MAX 262144

static void annotations_rule(json_object *causes, const char *field, json_object *ann)
{
	size_t total = 0;

	if (!ann || !json_object_is_type(ann, json_type_object))
		return;
	json_object_object_foreach(ann, k, v) {
		char *lower = strdup(k);
		size_t i;

		if (!lower)
			return;
		for (i = 0; lower[i]; i++)
			lower[i] = (char)tolower((unsigned char)lower[i]);
		qualified_name(causes, field, lower, k);
		free(lower);
		total += strlen(k) + (size_t)json_object_get_string_len(v);
	}
	if (total > ANNOTATIONS_MAX)
		too_long(causes, field, ANNOTATIONS_MAX);
}

/* ---- object names ---- */

static void name_rule(json_object *causes, const kube_kind *kd, json_object *obj)
{
	const char *name = kube__name(obj);
	size_t n = name ? strlen(name) : 0;
	const char *k = kd->kind;

	if (!n) {
		kube__required(causes, "metadata.name");
		return;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		invalid_str(causes, "metadata.name", name,
			    !strcmp(name, ".") ? "may not be '.'" : "may not be '..'");
		return;
	}
	if (!strcmp(k, "Service")) {
		if (n > 63)
			invalid_str(causes, "metadata.name", name,
				    "must be no more than 63 characters");
		if (!label1123(name, n) || !(name[0] >= 'a' && name[0] <= 'z'))
			invalid_str(causes, "metadata.name", name, MSG_LABEL1035);
	} else if (!strcmp(k, "Namespace")) {
		if (n > 63)
			invalid_str(causes, "metadata.name", name,
				    "must be no more than 63 characters");
		if (!label1123(name, n))
			invalid_str(causes, "metadata.name", name, MSG_LABEL1123);
	} else {
		if (n > 253)
			invalid_str(causes, "metadata.name", name,
				    "must be no more than 253 characters");
		if (!subdomain(name, n))
			invalid_str(causes, "metadata.name", name, MSG_SUBDOMAIN);
	}
}

/* ---- Secret and ConfigMap keys ---- */

#define SECRET_MAX 1048576

static void config_key_rule(json_object *causes, const char *map, const char *key)
{
	char *field = ikc_asprintf("%s[%s]", map, key);
	size_t n = strlen(key), i;
	int ok = n > 0;

	if (!field)
		return;
	if (n > 253)
		invalid_str(causes, field, key, "must be no more than 253 characters");
	for (i = 0; i < n; i++)
		if (!alnum(key[i]) && !strchr("-._", key[i]))
			ok = 0;
	if (!ok)
		invalid_str(causes, field, key, MSG_CONFIG_KEY);
	if (!strcmp(key, "."))
		invalid_str(causes, field, key, "must not be '.'");
	else if (!strcmp(key, ".."))
		invalid_str(causes, field, key, "must not be '..'");
	else if (!strncmp(key, "..", 2))
		invalid_str(causes, field, key, "must not start with '..'");
	free(field);
}

/* Decoded size of a base64 text (already checked by the decoder). */
static size_t b64_size(const char *s)
{
	size_t n = 0, pad = 0;

	for (; *s; s++) {
		if (*s == '\r' || *s == '\n')
			continue;
		if (*s == '=')
			pad++;
		n++;
	}
	return n / 4 * 3 - (pad > 2 ? 2 : pad);
}

static void secret_rule(json_object *causes, json_object *obj, json_object *old)
{
	json_object *data = kube__member(obj, "data");
	const char *type = ikc_json_str(obj, "type");
	size_t total = 0;

	if (data && json_object_is_type(data, json_type_object)) {
		json_object_object_foreach(data, k, v) {
			config_key_rule(causes, "data", k);
			total += b64_size(json_object_get_string(v));
		}
	}
	if (total > SECRET_MAX)
		too_long(causes, "data", SECRET_MAX);
	if (type && !strcmp(type, "kubernetes.io/tls")) {
		if (!kube__member(data, "tls.crt"))
			kube__required(causes, "data[tls.crt]");
		if (!kube__member(data, "tls.key"))
			kube__required(causes, "data[tls.key]");
	} else if (type && !strcmp(type, "kubernetes.io/dockerconfigjson")) {
		if (!kube__member(data, ".dockerconfigjson"))
			kube__required(causes, "data[.dockerconfigjson]");
	} else if (type && !strcmp(type, "kubernetes.io/basic-auth")) {
		if (!kube__member(data, "username") && !kube__member(data, "password"))
			kube__required(causes, "data[username]");
	}
	if (old) {
		const char *otype = ikc_json_str(old, "type");
		json_object *imm = kube__member(old, "immutable");

		if (otype && type && strcmp(otype, type))
			invalid_str(causes, "type", type, "field is immutable");
		if (imm && json_object_get_boolean(imm)) {
			json_object *now = kube__member(obj, "immutable");

			if (!json_object_equal(data, kube__member(old, "data")))
				kube__cause(causes, "FieldValueForbidden", "data",
					    "Forbidden: field is immutable when `immutable` is set");
			if (!now || !json_object_get_boolean(now))
				kube__cause(causes, "FieldValueForbidden", "immutable",
					    "Forbidden: field is immutable when `immutable` is set");
		}
	}
}

static void configmap_rule(json_object *causes, json_object *obj)
{
	json_object *data = kube__member(obj, "data"), *bin = kube__member(obj, "binaryData");
	size_t total = 0;

	if (data && json_object_is_type(data, json_type_object)) {
		json_object_object_foreach(data, k, v) {
			config_key_rule(causes, "data", k);
			total += strlen(k) + (size_t)json_object_get_string_len(v);
			if (kube__member(bin, k)) {
				char *f = ikc_asprintf("data[%s]", k);

				invalid_str(causes, f ? f : "data", k,
					    "duplicate of key present in binaryData");
				free(f);
			}
		}
	}
	if (bin && json_object_is_type(bin, json_type_object)) {
		json_object_object_foreach(bin, k, v) {
			config_key_rule(causes, "binaryData", k);
			total += strlen(k) + b64_size(json_object_get_string(v));
		}
	}
	if (total > SECRET_MAX)
		too_long(causes, "", SECRET_MAX);
}

/* ---- ports ---- */

/* IsValidPortName (IANA_SVC_NAME): every failing rule, as the server lists them. */
static void port_name_rule(json_object *causes, const char *field, const char *s)
{
	size_t n = strlen(s), i;
	int letter = 0, ok = 1;

	if (n > 15)
		invalid_str(causes, field, s, "must be no more than 15 characters");
	for (i = 0; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = 1;
		else if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
			ok = 0;
	}
	if (!ok)
		invalid_str(causes, field, s, "must contain only alpha-numeric "
			    "characters (a-z, 0-9), and hyphens (-)");
	if (strstr(s, "--"))
		invalid_str(causes, field, s, "must not contain consecutive hyphens");
	if (!letter)
		invalid_str(causes, field, s, "must contain at least one letter (a-z)");
	if (n && (s[0] == '-' || s[n - 1] == '-'))
		invalid_str(causes, field, s, "must not begin or end with a hyphen");
}

/* An int-or-string port: a number in 1..65535 or a port name. */
static void int_or_port_rule(json_object *causes, const char *field, json_object *v)
{
	if (!v)
		return;
	if (json_object_is_type(v, json_type_string)) {
		port_name_rule(causes, field, json_object_get_string(v));
	} else {
		long long p = json_object_get_int64(v);

		if (p < 1 || p > 65535)
			kube__invalid(causes, field, v, "must be between 1 and 65535, inclusive");
	}
}

/*
 * Member `key` of `obj`, when set, must be one of `allowed` (NULL-ended, in
 * the server's order for the message).
 */
static void enum_rule(json_object *causes, const char *field, json_object *obj,
		      const char *key, const char *const *allowed)
{
	const char *v = ikc_json_str(obj, key);
	char list[256] = "", *m;
	size_t i, n = 0;

	if (!v)
		return;
	for (i = 0; allowed[i]; i++) {
		if (!strcmp(v, allowed[i]))
			return;
		n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0,
				      "%s\"%s\"", i ? ", " : "", allowed[i]);
	}
	m = ikc_asprintf("Unsupported value: \"%s\": supported values: %s", v, list);
	kube__cause(causes, "FieldValueNotSupported", field, m ? m : "");
	free(m);
}

static void protocol_rule(json_object *causes, const char *field, json_object *port)
{
	static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};

	enum_rule(causes, field, port, "protocol", protocols);
}

static void service_ports_rule(json_object *causes, json_object *obj)
{
	json_object *ports = ikc_json_path(obj, "spec.ports");
	char f[128];
	size_t i;

	for (i = 0; i < kube__len(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);
		const char *name = ikc_json_str(p, "name");

		snprintf(f, sizeof(f), "spec.ports[%zu].targetPort", i);
		int_or_port_rule(causes, f, kube__member(p, "targetPort"));
		snprintf(f, sizeof(f), "spec.ports[%zu].protocol", i);
		protocol_rule(causes, f, p);
		if (name && *name) {
			snprintf(f, sizeof(f), "spec.ports[%zu].name", i);
			if (strlen(name) > 63)
				invalid_str(causes, f, name, "must be no more than 63 characters");
			if (!label1123(name, strlen(name)))
				invalid_str(causes, f, name, MSG_LABEL1123);
		}
	}
	labels_rule(causes, "spec.selector", ikc_json_path(obj, "spec.selector"));
	{
		static const char *const affinity[] = {"ClientIP", "None", NULL};
		static const char *const policy[] = {"Cluster", "Local", NULL};
		json_object *spec = kube__member(obj, "spec");

		enum_rule(causes, "spec.sessionAffinity", spec, "sessionAffinity", affinity);
		enum_rule(causes, "spec.externalTrafficPolicy", spec, "externalTrafficPolicy",
			  policy);
		enum_rule(causes, "spec.internalTrafficPolicy", spec, "internalTrafficPolicy",
			  policy);
	}
}

/* ---- container resources ---- */

static int standard_resource(const char *name)
{
	return !strcmp(name, "cpu") || !strcmp(name, "memory") ||
	       !strcmp(name, "ephemeral-storage") || !strncmp(name, "hugepages-", 10);
}

static void resource_map_rule(json_object *causes, const char *prefix,
			      const char *which, json_object *map)
{
	if (!map || !json_object_is_type(map, json_type_object))
		return;
	json_object_object_foreach(map, k, v) {
		char *f = ikc_asprintf("%s.%s[%s]", prefix, which, k);
		const char *q = json_object_get_string(v);

		if (!f)
			return;
		if (!strchr(k, '/') && !standard_resource(k))
			invalid_str(causes, f, k, "must be a standard resource type or fully qualified");
		else if (strchr(k, '/'))
			qualified_name(causes, f, k, k);
		if (ikc_quantity_sign(q) < 0)
			kube__invalid(causes, f, v, "must be greater than or equal to 0");
		free(f);
	}
}

static void resources_rule(json_object *causes, const char *prefix, json_object *res)
{
	json_object *lim = kube__member(res, "limits"), *req = kube__member(res, "requests");
	char *f;

	resource_map_rule(causes, prefix, "limits", lim);
	resource_map_rule(causes, prefix, "requests", req);
	if (!req || !lim || !json_object_is_type(req, json_type_object))
		return;
	f = ikc_asprintf("%s.requests", prefix);
	json_object_object_foreach(req, k, v) {
		json_object *l = kube__member(lim, k);
		int c = 0;

		if (!l || ikc_quantity_compare(&c, json_object_get_string(v),
					       json_object_get_string(l)) < 0)
			continue;
		if (c > 0) {
			char *m = ikc_asprintf("must be less than or equal to %s limit of %s",
					       k, json_object_get_string(l));

			kube__invalid(causes, f ? f : "requests", v, m ? m : "");
			free(m);
		}
	}
	free(f);
}

static void probe_rule(json_object *causes, const char *prefix, json_object *c,
		       const char *probe)
{
	static const char *const handlers[] = {"httpGet", "tcpSocket"};
	size_t h;

	for (h = 0; h < 2; h++) {
		json_object *port = ikc_json_path(kube__member(kube__member(c, probe), handlers[h]), "port");
		char *f;

		if (!port)
			continue;
		f = ikc_asprintf("%s.%s.%s.port", prefix, probe, handlers[h]);
		int_or_port_rule(causes, f ? f : "port", port);
		free(f);
	}
}

#define MSG_ENV_NAME \
	"a valid environment variable name must consist of alphabetic characters, " \
	"digits, '_', '-', or '.', and must not start with a digit (e.g. " \
	"'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for " \
	"validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"

/* A container's name (DNS-1123 label), env names, imagePullPolicy. */
static void container_rule(json_object *causes, const char *cp, json_object *c)
{
	static const char *const pulls[] = {"Always", "IfNotPresent", "Never", NULL};
	const char *name = ikc_json_str(c, "name");
	json_object *env = kube__member(c, "env");
	char *f;
	size_t i, j;

	if (name && *name && !label1123(name, strlen(name))) {
		f = ikc_asprintf("%s.name", cp);
		invalid_str(causes, f ? f : cp, name, strlen(name) > 63 ?
			    "must be no more than 63 characters" : MSG_LABEL1123);
		free(f);
	}
	for (i = 0; i < kube__len(env); i++) {
		const char *e = ikc_json_str(json_object_array_get_idx(env, i), "name");
		int ok = e && *e && !(e[0] >= '0' && e[0] <= '9');

		for (j = 0; ok && e[j]; j++)
			if (!alnum(e[j]) && !strchr("-._", e[j]))
				ok = 0;
		if (!ok) {
			f = ikc_asprintf("%s.env[%zu].name", cp, i);
			if (!e || !*e)
				kube__required(causes, f ? f : cp);
			else
				invalid_str(causes, f ? f : cp, e, MSG_ENV_NAME);
			free(f);
		}
	}
	f = ikc_asprintf("%s.imagePullPolicy", cp);
	enum_rule(causes, f ? f : cp, c, "imagePullPolicy", pulls);
	free(f);
}

static void podspec_rule(json_object *causes, const char *prefix, json_object *spec)
{
	static const char *const lists[] = {"containers", "initContainers"};
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
	size_t l, i, j;

	for (l = 0; l < 2; l++) {
		json_object *cs = kube__member(spec, lists[l]);

		for (i = 0; i < kube__len(cs); i++) {
			json_object *c = json_object_array_get_idx(cs, i);
			json_object *ports = kube__member(c, "ports");
			char *cp = ikc_asprintf("%s.%s[%zu]", prefix, lists[l], i);
			char *f;

			if (!cp)
				return;
			f = ikc_asprintf("%s.resources", cp);
			resources_rule(causes, f ? f : cp, kube__member(c, "resources"));
			free(f);
			container_rule(causes, cp, c);
			for (j = 0; j < kube__len(ports); j++) {
				json_object *p = json_object_array_get_idx(ports, j);
				const char *name = ikc_json_str(p, "name");

				if (name && *name) {
					f = ikc_asprintf("%s.ports[%zu].name", cp, j);
					port_name_rule(causes, f ? f : cp, name);
					free(f);
				}
				f = ikc_asprintf("%s.ports[%zu].protocol", cp, j);
				protocol_rule(causes, f ? f : cp, p);
				free(f);
			}
			for (j = 0; j < 3; j++)
				probe_rule(causes, cp, c, probes[j]);
			free(cp);
		}
	}
}

/* ---- Deployment rolling update ---- */

#define MSG_PERCENT \
	"a valid percent string must be a numeric string followed by an ending " \
	"'%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

/* The value of an int-or-percent (-1 when invalid, reported). */
static long long int_or_percent(json_object *causes, const char *field,
				json_object *v, int *percent)
{
	*percent = 0;
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		size_t n = strlen(s), i;

		for (i = 0; i + 1 < n; i++)
			if (s[i] < '0' || s[i] > '9')
				break;
		if (n < 2 || i + 1 != n || s[n - 1] != '%') {
			invalid_str(causes, field, s, MSG_PERCENT);
			return -1;
		}
		*percent = 1;
		return atoll(s);
	}
	if (json_object_get_int64(v) < 0) {
		kube__invalid(causes, field, v, "must be greater than or equal to 0");
		return -1;
	}
	return json_object_get_int64(v);
}

static void rolling_rule(json_object *causes, json_object *obj)
{
	json_object *ru = ikc_json_path(obj, "spec.strategy.rollingUpdate");
	json_object *ms = kube__member(ru, "maxSurge"), *mu = kube__member(ru, "maxUnavailable");
	long long s, u;
	int sp, up;

	if (!ru)
		return;
	s = int_or_percent(causes, "spec.strategy.rollingUpdate.maxSurge", ms, &sp);
	u = int_or_percent(causes, "spec.strategy.rollingUpdate.maxUnavailable", mu, &up);
	if (up && u > 100)
		kube__invalid(causes, "spec.strategy.rollingUpdate.maxUnavailable", mu,
			      "must not be greater than 100%");
	if (ms && mu && s == 0 && u == 0)
		kube__invalid(causes, "spec.strategy.rollingUpdate.maxUnavailable", mu,
			      "may not be 0 when `maxSurge` is 0");
}

/* ---- entry point ---- */

void kube__validate_meta(json_object *causes, const kube_kind *kd,
			 json_object *obj, json_object *old)
{
	const char *k = kd->kind;
	json_object *tmpl = ikc_json_path(obj, "spec.template");

	name_rule(causes, kd, obj);
	labels_rule(causes, "metadata.labels", ikc_json_path(obj, "metadata.labels"));
	annotations_rule(causes, "metadata.annotations",
			 ikc_json_path(obj, "metadata.annotations"));
	if (!strcmp(k, "Secret"))
		secret_rule(causes, obj, old);
	else if (!strcmp(k, "ConfigMap"))
		configmap_rule(causes, obj);
	else if (!strcmp(k, "Service"))
		service_ports_rule(causes, obj);
	else if (!strcmp(k, "Pod"))
		podspec_rule(causes, "spec", kube__member(obj, "spec"));
	if (tmpl && strcmp(k, "Pod")) {
		labels_rule(causes, "spec.template.metadata.labels",
			    ikc_json_path(tmpl, "metadata.labels"));
		annotations_rule(causes, "spec.template.metadata.annotations",
				 ikc_json_path(tmpl, "metadata.annotations"));
		podspec_rule(causes, "spec.template.spec", kube__member(tmpl, "spec"));
	}
	if (!strcmp(k, "ReplicationController"))
		labels_rule(causes, "spec.selector", ikc_json_path(obj, "spec.selector"));
	else if (!strcmp(k, "Deployment") || !strcmp(k, "ReplicaSet"))
		labels_rule(causes, "spec.selector.matchLabels",
			    ikc_json_path(obj, "spec.selector.matchLabels"));
	if (!strcmp(k, "Deployment"))
		rolling_rule(causes, obj);
}
