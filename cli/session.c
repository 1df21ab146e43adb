/* session.c - stack file, state backend, lock and state for a command */
#include "cli/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "planner/check.h"
#include "planner/graph.h"
#include "stack/git.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

/* Every string inside `v` (skipping the member named `skip`) is a secret. */
static void register_strings(json_object *v, const char *skip)
{
	size_t i, n;

	if (!v)
		return;
	if (json_object_is_type(v, json_type_string)) {
		ikc_redact_register(json_object_get_string(v));
	} else if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, sub)
			if (!skip || strcmp(k, skip))
				register_strings(sub, NULL);
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			register_strings(json_object_array_get_idx(v, i), NULL);
	}
}

/*
 * The stack's own secrets (Secret data and stringData, a Cluster's
 * masterAuth but its CA) never appear in a message or a log line.
 */
static void register_stack_secrets(const ikc_stack *st)
{
	size_t i;

	for (i = 0; i < st->nresources; i++) {
		const ikc_resource *r = &st->resources[i];

		if (r->kind && !strcmp(r->kind, "Secret")) {
			register_strings(ikc_json_path(r->body, "data"), NULL);
			register_strings(ikc_json_path(r->body, "stringData"), NULL);
		} else if (r->kind && !strcmp(r->kind, "Cluster")) {
			register_strings(ikc_json_path(r->body, "spec.masterAuth"),
					 "clusterCaCertificate");
		}
	}
}

int ikc_session_load_stack(ikc_stack **out, struct ikc_cli *cli)
{
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_load_options opts;
	int error;

	*out = NULL;
	memset(&opts, 0, sizeof(opts));
	opts.vars = cli->vars;
	opts.nvars = cli->nvars;
	if (cli->git)
		/* fetched repositories are cached in .ikc/git/ of the current folder */
		error = ikc_stack_load_git(out, &diags, cli->git, cli->file, ".ikc", &opts);
	else
		error = ikc_stack_load_file(out, &diags, cli->file, &opts);
	if (error == 0 && ikc_graph_check(*out, &diags) < 0)
		error = IKC_EINVALID;
	/* fields and types against the API schemas shipped with ikc */
	if (error == 0 && ikc_plan_check_stack(*out, &diags, NULL, NULL) != 0)
		error = IKC_EINVALID;
	if (error < 0) {
		ikc_diags_sort(&diags);
		if (diags.count)
			ikc_cli_print_diags(&diags);
		else
			ikc_cli_fail();
		ikc_diags_dispose(&diags);
		ikc_stack_free(*out);
		*out = NULL;
		return IKC_EXIT_ERROR;
	}
	register_stack_secrets(*out);
	ikc_diags_sort(&diags);
	ikc_cli_print_diags(&diags);   /* warnings */
	ikc_diags_dispose(&diags);
	return 0;
}

int ikc_session_open(struct ikc_session *s, struct ikc_cli *cli,
		     const char *command, int flags)
{
	const char *url = cli->state_url;
	char *base = NULL;
	int error;

	memset(s, 0, sizeof(*s));
	if ((flags & IKC_SESSION_STACK) ||
	    ((flags & IKC_SESSION_STACK_OPT) &&
	     (cli->file_given || cli->git || !cli->state_url))) {
		if (ikc_session_load_stack(&s->stack, cli))
			goto fail;
	}
	if (!(flags & (IKC_SESSION_LOCK | IKC_SESSION_STATE)))
		return 0;
	if (!url)
		url = s->stack->state_url;
	base = s->stack ? strdup(s->stack->dir) : getcwd(NULL, 0);
	if (!base) {
		ikc_cli_error("out of memory");
		goto fail;
	}
	if (ikc_backend_open(&s->backend, url, base) < 0) {
		ikc_cli_fail();
		goto fail;
	}
	if ((flags & IKC_SESSION_LOCK) && cli->lock) {
		if (ikc_lock_info_self(&s->lock, command) < 0) {
			ikc_cli_fail();
			goto fail;
		}
		error = s->backend->lock(s->backend, &s->lock, cli->lock_timeout);
		if (error < 0) {
			/* a held lock names its holder already; other failures say where */
			if (error != IKC_ELOCKED)
				(void)ikc_error_wrap(error, "taking the state lock at %s: ",
						     s->backend->url);
			ikc_cli_fail();
			goto fail;
		}
		s->locked = 1;
	}
	if (flags & IKC_SESSION_STATE) {
		error = ikc_state_load(&s->state, s->backend);
		if (error == IKC_ENOTFOUND) {
			s->state = NULL;
		} else if (error < 0) {
			ikc_cli_fail();
			goto fail;
		}
		if (s->state && s->stack &&
		    strcmp(ikc_state_stack(s->state), s->stack->name)) {
			ikc_cli_error("the state at %s belongs to stack \"%s\", not \"%s\"",
				      url, ikc_state_stack(s->state), s->stack->name);
			goto fail;
		}
	}
	free(base);
	return 0;
fail:
	free(base);
	ikc_session_close(s);
	return IKC_EXIT_ERROR;
}

void ikc_session_close(struct ikc_session *s)
{
	if (s->locked && s->backend) {
		if (s->backend->unlock(s->backend, s->lock.id) < 0)
			ikc_cli_warn("could not release the lock: %s", ikc_error_last());
	}
	s->locked = 0;
	ikc_lock_info_dispose(&s->lock);
	ikc_state_free(s->state);
	ikc_backend_free(s->backend);
	ikc_stack_free(s->stack);
	memset(s, 0, sizeof(*s));
}

int ikc_session_record_source(struct ikc_session *s)
{
	json_object *src;
	int error;

	if (!s->stack || !s->state)
		return 0;
	src = json_object_new_object();
	if (!src)
		return ikc_error_oom();
	error = ikc_json_add(src, "file", json_object_new_string(s->stack->file));
	if (!error)
		error = ikc_json_add(src, "digest", json_object_new_string(s->stack->digest));
	if (!error)
		error = ikc_json_add(src, "git_commit", s->stack->git_commit ?
				     json_object_new_string(s->stack->git_commit) : NULL);
	if (!error)
		error = ikc_json_add(src, "git_ref", s->stack->git_ref ?
				     json_object_new_string(s->stack->git_ref) : NULL);
	if (error) {
		json_object_put(src);
		return error;
	}
	return ikc_state_set_source(s->state, src);
}
