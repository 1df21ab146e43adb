/* cmd_state.c - ikc show, output, state list|show|rm|pull|push, force-unlock */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/saved.h"
#include "cli/session.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"

/* Appends "  path = value" lines for every leaf of v. */
static int flatten(ikc_buf *out, const char *prefix, json_object *v,
		   const char *indent)
{
	int error = 0;

	if (json_object_is_type(v, json_type_object) &&
	    json_object_object_length(v) > 0) {
		json_object_object_foreach(v, k, child) {
			char *p = *prefix ? NULL : strdup(k);
			ikc_buf path = IKC_BUF_INIT(0);

			if (!p) {
				if (ikc_buf_printf(&path, "%s.%s", prefix, k) < 0)
					return IKC_ERROR;
				p = ikc_buf_detach(&path);
			}
			error = flatten(out, p, child, indent);
			free(p);
			if (error)
				return error;
		}
		return 0;
	}
	if (json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0) {
		size_t i;

		for (i = 0; i < json_object_array_length(v) && !error; i++) {
			ikc_buf path = IKC_BUF_INIT(0);

			if (ikc_buf_printf(&path, "%s[%zu]", prefix, i) < 0)
				return IKC_ERROR;
			error = flatten(out, path.ptr, json_object_array_get_idx(v, i), indent);
			ikc_buf_dispose(&path);
		}
		return error;
	}
	return ikc_buf_printf(out, "%s%s = %s\n", indent, prefix,
		json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int render_resource_text(ikc_buf *out, json_object *r)
{
	const char *addr = ikc_json_str(r, "address");
	const char *id = ikc_json_str(r, "remote_id");
	json_object *desired = ikc_json_path(r, "desired");
	json_object *pd = ikc_json_path(r, "prevent_destroy");
	int error;

	error = ikc_buf_printf(out, "# %s%s%s%s%s\n", addr ? addr : "?",
			       id ? " (" : "", id ? id : "", id ? ")" : "",
			       pd && json_object_get_boolean(pd) ? " [prevent-destroy]" : "");
	if (!error && desired)
		error = flatten(out, "", desired, "    ");
	return error;
}

static int render_state_text(ikc_buf *out, const ikc_state *st)
{
	size_t i, n = st ? ikc_state_count(st) : 0;
	json_object *outputs;
	int error = 0;

	if (!st || n == 0)
		return ikc_buf_puts(out, "The state is empty. Nothing has been applied yet.\n");
	error = ikc_buf_printf(out, "Stack %s, state serial %llu, lineage %s\n\n",
			       ikc_state_stack(st),
			       (unsigned long long)ikc_state_serial(st),
			       ikc_state_lineage(st));
	for (i = 0; i < n && !error; i++) {
		error = render_resource_text(out, ikc_state_resource_at(st, i));
		if (!error)
			error = ikc_buf_puts(out, "\n");
	}
	outputs = ikc_state_outputs(st);
	if (!error && outputs && json_object_object_length(outputs) > 0) {
		error = ikc_buf_puts(out, "Outputs:\n");
		if (!error)
			error = flatten(out, "", outputs, "    ");
	}
	return error;
}

static int render_state_json(ikc_buf *out, const ikc_state *st)
{
	ikc_buf doc = IKC_BUF_INIT(IKC_STATE_MAX * 2);
	json_object *root = NULL, *wrapped = NULL;
	int error;

	if (!st)
		return ikc_buf_puts(out, "{\"format_version\":\"1.0\",\"resources\":[],\"outputs\":{}}\n");
	error = ikc_state_serialize(&doc, st);
	if (!error)
		error = ikc_json_parse(&root, doc.ptr, doc.len, "state");
	if (!error) {
		wrapped = json_object_new_object();
		json_object_object_del(root, "checksum");
		error = ikc_json_add(wrapped, "format_version", json_object_new_string("1.0"));
		json_object_object_foreach(root, k, v) {
			if (!error)
				error = ikc_json_add(wrapped, k, json_object_get(v));
		}
	}
	if (!error)
		error = ikc_buf_printf(out, "%s\n", json_object_to_json_string_ext(wrapped,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(wrapped);
	json_object_put(root);
	ikc_buf_dispose(&doc);
	return error;
}

/* ikc show PLANFILE: the saved plan, as plan would have printed it. */
static int show_saved(struct ikc_cli *cli)
{
	ikc_plan *plan = NULL;
	ikc_buf out = IKC_BUF_INIT(0);
	int rc, error;

	rc = ikc_saved_plan_read(&plan, cli->args[0]);
	if (rc)
		return rc;
	if (cli->format == IKC_FORMAT_JSON)
		error = ikc_plan_render_json(&out, plan);
	else if (cli->format == IKC_FORMAT_MARKDOWN)
		error = ikc_plan_render_markdown(&out, plan);
	else
		error = ikc_plan_render_text(&out, plan, cli->color);
	if (error < 0)
		rc = ikc_cli_fail();
	else
		ikc_cli_out(&out);
	ikc_buf_dispose(&out);
	ikc_plan_free(plan);
	return rc;
}

int ikc_cmd_show(struct ikc_cli *cli)
{
	struct ikc_session s;
	ikc_buf out = IKC_BUF_INIT(0);
	int rc;

	if (cli->nargs > 1) {
		ikc_cli_error("usage: ikc show [PLANFILE]");
		return IKC_EXIT_ERROR;
	}
	if (cli->nargs == 1)
		return show_saved(cli);
	rc = ikc_session_open(&s, cli, "ikc show",
			      IKC_SESSION_STACK_OPT | IKC_SESSION_LOCK | IKC_SESSION_STATE);
	if (rc)
		return rc;
	if ((cli->format == IKC_FORMAT_JSON ? render_state_json(&out, s.state)
					    : render_state_text(&out, s.state)) < 0)
		rc = ikc_cli_fail();
	else
		ikc_cli_out(&out);
	ikc_buf_dispose(&out);
	ikc_session_close(&s);
	return rc;
}

int ikc_cmd_output(struct ikc_cli *cli)
{
	struct ikc_session s;
	ikc_buf out = IKC_BUF_INIT(0);
	json_object *outputs, *v = NULL;
	int rc, error = 0;

	if (cli->nargs > 1) {
		ikc_cli_error("usage: ikc output [NAME]");
		return IKC_EXIT_ERROR;
	}
	rc = ikc_session_open(&s, cli, "ikc output",
			      IKC_SESSION_STACK_OPT | IKC_SESSION_STATE);
	if (rc)
		return rc;
	outputs = s.state ? ikc_state_outputs(s.state) : NULL;
	if (cli->nargs == 1) {
		if (!outputs || !json_object_object_get_ex(outputs, cli->args[0], &v)) {
			ikc_cli_error("no output named \"%s\" in the state", cli->args[0]);
			rc = IKC_EXIT_ERROR;
			goto done;
		}
		if (cli->format == IKC_FORMAT_JSON || !json_object_is_type(v, json_type_string))
			error = ikc_buf_printf(&out, "%s\n", json_object_to_json_string_ext(v,
				JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			error = ikc_buf_printf(&out, "%s\n", json_object_get_string(v));
	} else if (cli->format == IKC_FORMAT_JSON) {
		error = ikc_buf_printf(&out, "{\"format_version\":\"1.0\",\"outputs\":%s}\n",
			outputs ? json_object_to_json_string_ext(outputs,
				JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "{}");
	} else if (outputs) {
		json_object_object_foreach(outputs, k, val) {
			if (!error)
				error = ikc_buf_printf(&out, "%s = %s\n", k,
					json_object_to_json_string_ext(val,
						JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		}
	}
	if (error < 0)
		rc = ikc_cli_fail();
	else
		ikc_cli_out(&out);
done:
	ikc_buf_dispose(&out);
	ikc_session_close(&s);
	return rc;
}

static int state_push(struct ikc_session *s, const char *file)
{
	ikc_buf data = IKC_BUF_INIT(IKC_STATE_MAX);
	ikc_buf cur = IKC_BUF_INIT(IKC_STATE_MAX);
	ikc_state *pushed = NULL;
	char *version = NULL, *newver = NULL;
	int rc = IKC_EXIT_ERROR, error;

	if (ikc_fs_read_file(&data, file, IKC_STATE_MAX) < 0 ||
	    ikc_state_parse(&pushed, data.ptr, data.len, file) < 0) {
		ikc_cli_fail();
		goto done;
	}
	error = s->backend->read(s->backend, &cur, &version);
	if (error < 0 && error != IKC_ENOTFOUND) {
		ikc_cli_fail();
		goto done;
	}
	if (s->state) {
		if (strcmp(ikc_state_lineage(s->state), ikc_state_lineage(pushed))) {
			ikc_cli_error("%s has lineage %s but the stored state has %s; "
				      "refusing to replace another stack's history", file,
				      ikc_state_lineage(pushed), ikc_state_lineage(s->state));
			goto done;
		}
		if (ikc_state_serial(pushed) <= ikc_state_serial(s->state)) {
			ikc_cli_error("%s has serial %llu, not newer than the stored %llu",
				      file, (unsigned long long)ikc_state_serial(pushed),
				      (unsigned long long)ikc_state_serial(s->state));
			goto done;
		}
	}
	if (s->backend->write(s->backend, data.ptr, data.len,
			      error == IKC_ENOTFOUND ? NULL : version, &newver) < 0) {
		ikc_cli_fail();
		goto done;
	}
	printf("State pushed: serial %llu.\n", (unsigned long long)ikc_state_serial(pushed));
	rc = IKC_EXIT_OK;
done:
	free(version);
	free(newver);
	ikc_state_free(pushed);
	ikc_buf_dispose(&data);
	ikc_buf_dispose(&cur);
	return rc;
}

int ikc_cmd_state(struct ikc_cli *cli)
{
	struct ikc_session s;
	ikc_buf out = IKC_BUF_INIT(0);
	const char *sub = cli->nargs ? cli->args[0] : NULL;
	int rc, flags = IKC_SESSION_STACK_OPT | IKC_SESSION_STATE;
	int write = sub && (!strcmp(sub, "rm") || !strcmp(sub, "push"));
	size_t want = sub && (!strcmp(sub, "show") || !strcmp(sub, "rm") ||
			      !strcmp(sub, "push")) ? 2 : 1;

	if (sub && !strcmp(sub, "migrate"))
		return ikc_cmd_state_migrate(cli);
	if (!sub || (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "rm") &&
		     strcmp(sub, "pull") && strcmp(sub, "push"))) {
		ikc_cli_error("usage: ikc state list | show ADDRESS | rm ADDRESS | pull | push FILE | migrate --to URL");
		return IKC_EXIT_ERROR;
	}
	if (cli->nargs != want) {
		ikc_cli_error("ikc state %s takes %s", sub,
			      want == 2 ? (strcmp(sub, "push") ? "one ADDRESS" : "one FILE")
					: "no arguments");
		return IKC_EXIT_ERROR;
	}
	if (write || !strcmp(sub, "show") || !strcmp(sub, "list") || !strcmp(sub, "pull"))
		flags |= IKC_SESSION_LOCK;
	rc = ikc_session_open(&s, cli, write ? "ikc state write" : "ikc state", flags);
	if (rc)
		return rc;
	if (!strcmp(sub, "push")) {
		rc = state_push(&s, cli->args[1]);
		goto done;
	}
	if (!s.state) {
		if (!strcmp(sub, "list"))
			goto done;
		ikc_cli_error("no state stored at %s yet", s.backend->url);
		rc = IKC_EXIT_ERROR;
		goto done;
	}
	if (!strcmp(sub, "list")) {
		size_t i;

		for (i = 0; i < ikc_state_count(s.state); i++)
			(void)ikc_buf_printf(&out, "%s\n",
				ikc_json_str(ikc_state_resource_at(s.state, i), "address"));
	} else if (!strcmp(sub, "pull")) {
		if (ikc_state_serialize(&out, s.state) < 0)
			rc = ikc_cli_fail();
	} else {
		json_object *r = ikc_state_resource(s.state, cli->args[1]);

		if (!r) {
			ikc_cli_error("no resource %s in the state", cli->args[1]);
			rc = IKC_EXIT_ERROR;
			goto done;
		}
		if (!strcmp(sub, "show")) {
			if (cli->format == IKC_FORMAT_JSON)
				(void)ikc_buf_printf(&out, "%s\n", json_object_to_json_string_ext(r,
					JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					JSON_C_TO_STRING_NOSLASHESCAPE));
			else
				(void)render_resource_text(&out, r);
		} else {
			if (ikc_state_resource_remove(s.state, cli->args[1]) < 0 ||
			    ikc_state_save(s.backend, s.state) < 0) {
				rc = ikc_cli_fail();
				goto done;
			}
			(void)ikc_buf_printf(&out, "Removed %s from the state "
				"(the live object was not touched).\n", cli->args[1]);
		}
	}
	if (!rc)
		ikc_cli_out(&out);
done:
	ikc_buf_dispose(&out);
	ikc_session_close(&s);
	return rc;
}

int ikc_cmd_force_unlock(struct ikc_cli *cli)
{
	struct ikc_session s;
	int rc;

	if (cli->nargs != 1) {
		ikc_cli_error("usage: ikc force-unlock LOCK_ID");
		return IKC_EXIT_ERROR;
	}
	rc = ikc_session_open(&s, cli, "ikc force-unlock", IKC_SESSION_STACK_OPT);
	if (rc)
		return rc;
	{
		char *base = strdup(s.stack ? s.stack->dir : ".");
		const char *url = cli->state_url ? cli->state_url : s.stack->state_url;

		if (!base || ikc_backend_open(&s.backend, url, base) < 0 ||
		    s.backend->force_unlock(s.backend, cli->args[0]) < 0)
			rc = ikc_cli_fail();
		else
			printf("Lock %s released.\n", cli->args[0]);
		free(base);
	}
	ikc_session_close(&s);
	return rc;
}
