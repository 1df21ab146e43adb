/* lock.c - who holds a state lock: self description, JSON codec, messages */
#include "state/backend.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state/state_internal.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/json.h"
#include "util/str.h"

#define LOCK_TEXT_MAX 1024

/* The user name of this process: passwd entry, then $USER, then the uid. */
static char *user_name(void)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	const char *env;

	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res &&
	    res->pw_name && *res->pw_name)
		return strdup(res->pw_name);
	env = getenv("USER");
	if (env && *env)
		return strdup(env);
	return ikc_asprintf("uid%ld", (long)geteuid());
}

int ikc_lock_info_self(ikc_lock_info *out, const char *command)
{
	char host[256], now[32];

	memset(out, 0, sizeof(*out));
	if (ikc_uuid_v4(out->id) < 0)
		return IKC_ERROR;
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	ikc_time_rfc3339(now, time(NULL));
	out->who = user_name();
	out->host = strdup(host);
	out->pid = (long)getpid();
	out->command = strdup(command && *command ? command : "ikc");
	out->created = strdup(now);
	if (!out->who || !out->host || !out->command || !out->created) {
		ikc_lock_info_dispose(out);
		return ikc_error_oom();
	}
	return 0;
}

int ikc_lock_info_describe(ikc_buf *out, const ikc_lock_info *info)
{
	return ikc_buf_printf(out, "%s by %s@%s (pid %ld) since %s, lock id %s",
			      info->command ? info->command : "?",
			      info->who ? info->who : "?",
			      info->host ? info->host : "?", info->pid,
			      info->created ? info->created : "?", info->id);
}

void ikc_lock_info_dispose(ikc_lock_info *info)
{
	if (!info)
		return;
	free(info->who);
	free(info->host);
	free(info->command);
	free(info->created);
	memset(info, 0, sizeof(*info));
}

int ikc_lock__copy(ikc_lock_info *out, const ikc_lock_info *src)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->id, src->id, sizeof(out->id));
	out->id[36] = '\0';
	out->pid = src->pid;
	out->who = strdup(src->who ? src->who : "");
	out->host = strdup(src->host ? src->host : "");
	out->command = strdup(src->command ? src->command : "");
	out->created = strdup(src->created ? src->created : "");
	if (!out->who || !out->host || !out->command || !out->created) {
		ikc_lock_info_dispose(out);
		return ikc_error_oom();
	}
	return 0;
}

int ikc_lock__encode(ikc_buf *out, const ikc_lock_info *info)
{
	json_object *o = json_object_new_object();
	int error;

	if (!o)
		return ikc_error_oom();
	if (ikc_json_add(o, "id", json_object_new_string(info->id)) < 0 ||
	    ikc_json_add(o, "who", json_object_new_string(info->who ? info->who : "")) < 0 ||
	    ikc_json_add(o, "host", json_object_new_string(info->host ? info->host : "")) < 0 ||
	    ikc_json_add(o, "pid", json_object_new_int64(info->pid)) < 0 ||
	    ikc_json_add(o, "command",
			 json_object_new_string(info->command ? info->command : "")) < 0 ||
	    ikc_json_add(o, "created",
			 json_object_new_string(info->created ? info->created : "")) < 0) {
		json_object_put(o);
		return IKC_ERROR;
	}
	error = ikc_buf_puts(out, json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (error == 0)
		error = ikc_buf_puts(out, "\n");
	json_object_put(o);
	return error;
}

/* A string member of at most LOCK_TEXT_MAX bytes, copied; NULL if absent. */
static char *text_member(json_object *o, const char *key)
{
	const char *s = ikc_json_str(o, key);

	if (!s || strlen(s) > LOCK_TEXT_MAX)
		return NULL;
	return strdup(s);
}

int ikc_lock__decode(ikc_lock_info *out, const char *data, size_t len,
		     const char *what)
{
	json_object *o = NULL, *pid;
	const char *id;
	int error;

	memset(out, 0, sizeof(*out));
	error = ikc_json_parse(&o, data, len, what);
	if (error < 0)
		return IKC_EINVALID;
	id = ikc_json_str(o, "id");
	if (!id || strlen(id) != 36 ||
	    !json_object_object_get_ex(o, "pid", &pid) ||
	    !json_object_is_type(pid, json_type_int)) {
		json_object_put(o);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "%s is not an ikc lock", what);
	}
	memcpy(out->id, id, 37);
	out->pid = (long)json_object_get_int64(pid);
	out->who = text_member(o, "who");
	out->host = text_member(o, "host");
	out->command = text_member(o, "command");
	out->created = text_member(o, "created");
	json_object_put(o);
	if (!out->who || !out->host || !out->command || !out->created) {
		ikc_lock_info_dispose(out);
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "%s is not an ikc lock", what);
	}
	return 0;
}

int ikc_lock__refuse(const ikc_lock_info *holder, double waited)
{
	char w[32] = "";

	if (waited > 0 && waited < 60)
		snprintf(w, sizeof(w), "%.1fs", waited);
	else if (waited > 0)
		ikc_duration_format(w, waited);
	return ikc_error_set_code(IKC_ELOCKED, IKC_ERR_STATE,
		"state is locked by %s (%s@%s, pid %ld, since %s); lock id %s; "
		"%s%s%sif that run is gone: ikc force-unlock %s",
		holder->command, holder->who, holder->host, holder->pid,
		holder->created, holder->id, waited > 0 ? "waited " : "", w,
		waited > 0 ? "; " : "", holder->id);
}
