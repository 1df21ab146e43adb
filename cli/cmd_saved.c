/* cmd_saved.c - ikc apply PLANFILE: applies exactly a saved plan, or refuses saying what moved */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/metrics.h"
#include "cli/run.h"
#include "cli/saved.h"
#include "cli/session.h"
#include "planner/secret.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"

#define PLAN_FILE_MAX ((size_t)256 << 20)

int ikc_saved_plan_read(ikc_plan **out, const char *path)
{
	ikc_buf raw = IKC_BUF_INIT(PLAN_FILE_MAX + 1);
	int error;

	*out = NULL;
	error = ikc_fs_read_file(&raw, path, PLAN_FILE_MAX);
	if (error == IKC_ENOTFOUND) {
		ikc_cli_error("no saved plan at %s", path);
	} else if (error < 0) {
		ikc_cli_error("cannot read the saved plan %s: %s", path, ikc_error_last());
	} else if (ikc_plan_load(out, raw.ptr ? raw.ptr : "", raw.len) < 0) {
		ikc_cli_error("%s: %s", path, ikc_error_last());
		error = IKC_EINVALID;
	}
	ikc_buf_dispose(&raw);
	return error < 0 ? IKC_EXIT_ERROR : 0;
}

/* Refuses a plan made from another stack file or against another state. */
static int check_fits(const ikc_plan *plan, const struct ikc_session *s, const char *path)
{
	const char *lineage = s->state ? ikc_state_lineage(s->state) : "";
	unsigned long long serial = s->state ?
		(unsigned long long)ikc_state_serial(s->state) : 0;

	if (strcmp(plan->stack, s->stack->name)) {
		ikc_cli_error("%s is a plan of stack \"%s\", not \"%s\"", path, plan->stack,
			      s->stack->name);
		return IKC_EXIT_ERROR;
	}
	if (strcmp(plan->digest, s->stack->digest)) {
		ikc_cli_error("%s was made from another stack file: %s has changed since "
			      "(SHA-256 %.12s then, %.12s now); make a new plan",
			      path, s->stack->file, plan->digest, s->stack->digest);
		return IKC_EXIT_ERROR;
	}
	if (strcmp(plan->lineage, lineage)) {
		ikc_cli_error("%s was made against another state (lineage \"%s\", now \"%s\"); "
			      "make a new plan", path, plan->lineage, lineage);
		return IKC_EXIT_ERROR;
	}
	if (plan->serial != serial) {
		ikc_cli_error("the state changed since %s was made (serial %llu then, %llu now: "
			      "another run wrote it); make a new plan", path, plan->serial,
			      serial);
		return IKC_EXIT_ERROR;
	}
	return 0;
}

/*
 * Compares the version marker of every live object the plan changes with
 * the one it read when it was made.  Names every object that moved.
 */
static int check_versions(const ikc_plan *plan, json_object *live, const char *path)
{
	size_t i, moved = 0;

	if (!plan->versions) {
		ikc_cli_error("%s records no versions of the live objects it read "
			      "(made with --refresh=false?); make a new plan", path);
		return IKC_EXIT_ERROR;
	}
	for (i = 0; i < plan->nchanges; i++) {
		const ikc_change *ch = &plan->changes[i];
		json_object *then = NULL, *lv = NULL;
		const char *was;
		char *now = NULL;

		if (ch->action == IKC_ACTION_NOOP)
			continue;
		if (!json_object_object_get_ex(plan->versions, ch->address, &then)) {
			ikc_cli_error("%s has no version of %s; make a new plan", path,
				      ch->address);
			return IKC_EXIT_ERROR;
		}
		was = then ? json_object_get_string(then) : NULL;
		if (live && json_object_object_get_ex(live, ch->address, &lv) && lv &&
		    ikc_plan_version_marker(&now, lv) < 0)
			return ikc_cli_fail();
		if (!was && !now)
			continue;
		if (was && now && !strcmp(was, now)) {
			free(now);
			continue;
		}
		moved++;
		if (!was)
			ikc_cli_error("%s: created outside this plan since it was made (now %s)",
				      ch->address, now);
		else if (!now)
			ikc_cli_error("%s: deleted since the plan was made (was %s)",
				      ch->address, was);
		else
			ikc_cli_error("%s: changed since the plan was made (%s then, %s now)",
				      ch->address, was, now);
		free(now);
	}
	if (moved) {
		ikc_cli_error("%s is out of date: %zu object%s it would change moved since it "
			      "was made; make a new plan", path, moved, moved == 1 ? "" : "s");
		return IKC_EXIT_ERROR;
	}
	return 0;
}

/*
 * Apply takes values from the stack file, so the plan of it now (same file,
 * same state, same live objects) must make the same changes: anything else
 * means --var or ${env.…} inputs differ from when the plan was made.
 */
static int check_same_changes(const ikc_plan *plan, const struct ikc_session *s,
			      json_object *live, const char *path)
{
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_plan_input in;
	ikc_plan *now = NULL;
	size_t i, differ = 0;

	memset(&in, 0, sizeof(in));
	in.stack = s->stack;
	in.prior = s->state;
	in.live = live;
	in.destroy = plan->destroy;
	if (ikc_plan_build(&now, &diags, &in) < 0) {
		ikc_diags_sort(&diags);
		if (diags.count)
			ikc_cli_print_diags(&diags);
		else
			ikc_cli_fail();
		ikc_diags_dispose(&diags);
		return IKC_EXIT_ERROR;
	}
	ikc_diags_dispose(&diags);
	for (i = 0; i < plan->nchanges; i++) {
		const ikc_change *was = &plan->changes[i];
		const ikc_change *is = ikc_plan_find(now, was->address);

		if (was->action == IKC_ACTION_NOOP)
			continue;
		if (!is || is->action != was->action) {
			ikc_cli_error("%s: the plan says %s, the stack file now says %s",
				      was->address, ikc_action_name(was->action),
				      is ? ikc_action_name(is->action) : "nothing");
			differ++;
		} else if (!ikc_secret_kind(was->kind) &&
			   !ikc_json_equal_loose(was->after, is->after)) {
			ikc_cli_error("%s: the values to apply differ from the plan's "
				      "(other --var or environment values?)", was->address);
			differ++;
		}
	}
	ikc_plan_free(now);
	if (differ) {
		ikc_cli_error("%s no longer matches what the stack file asks for; make a new plan",
			      path);
		return IKC_EXIT_ERROR;
	}
	return 0;
}

int ikc_cmd_apply_saved(struct ikc_cli *cli)
{
	struct ikc_session s;
	struct ikc_run r;
	ikc_plan *plan = NULL;
	ikc_buf out = IKC_BUF_INIT(0);
	const char *path;
	double started = ikc_time_monotonic();
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	if (cli->nargs != 1) {
		ikc_cli_error("usage: ikc apply [PLANFILE]");
		return IKC_EXIT_ERROR;
	}
	path = cli->args[0];
	rc = ikc_saved_plan_read(&plan, path);
	if (rc)
		goto done;
	rc = ikc_session_open(&s, cli, "ikc apply",
			      IKC_SESSION_STACK | IKC_SESSION_LOCK | IKC_SESSION_STATE);
	if (rc)
		goto done;
	rc = check_fits(plan, &s, path);
	if (rc)
		goto done;
	if (s.state && ikc_state_journal(s.state) &&
	    json_object_array_length(ikc_state_journal(s.state)) > 0) {
		ikc_cli_error("an earlier run left changes in flight: run ikc apply without "
			      "a plan file to finish them, then make a new plan");
		rc = IKC_EXIT_ERROR;
		goto done;
	}
	rc = ikc_run_open(&r, &s, cli);
	if (rc)
		goto done;
	if (!s.state && ikc_state_new(&s.state, s.stack->name) < 0) {
		rc = ikc_cli_fail();
		goto done;
	}
	ikc_run_signals(&r, &s);
	if (ikc_walk_refresh(&r.live, &r.env, s.stack, s.state, &r.walk) < 0) {
		rc = ikc_cli_fail();
		goto done;
	}
	rc = check_versions(plan, r.live, path);
	if (rc)
		goto done;
	rc = check_same_changes(plan, &s, r.live, path);
	if (rc)
		goto done;
	if (ikc_plan_render_text(&out, plan, cli->color) < 0) {
		rc = ikc_cli_fail();
		goto done;
	}
	ikc_cli_out(&out);
	if (!ikc_plan_has_changes(plan)) {
		rc = IKC_EXIT_OK;
		goto done;
	}
	printf("\n");
	rc = ikc_run_apply(&r, &s, plan);
done:
	if (ikc_cli_write_metrics(cli, s.stack ? s.stack->name : NULL,
				  rc == IKC_EXIT_OK ? plan : NULL, started,
				  rc == IKC_EXIT_OK) != 0)
		rc = IKC_EXIT_ERROR;
	fflush(stdout);
	ikc_buf_dispose(&out);
	ikc_plan_free(plan);
	ikc_run_close(&r);
	ikc_session_close(&s);
	return rc;
}
