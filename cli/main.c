/* main.c - ikc's entry point: argv -> command -> exit code */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/str.h"

static const char usage[] =
"usage: ikc <command> [flags]\n"
"\n"
"commands:\n"
"  validate                 check the stack file; touches no API and no state\n"
"  plan                     show drift and what apply would change\n"
"  apply [PLANFILE]         make it so, in dependency order\n"
"  destroy                  delete everything the state holds\n"
"  drift                    only the drift report: live vs last applied\n"
"  show [PLANFILE]          the stored state, or a saved plan\n"
"  output [NAME]            the stack's outputs\n"
"  import ADDRESS ID        take an existing live object into the state\n"
"  state list|show ADDRESS|rm ADDRESS|pull|push FILE|migrate --to URL\n"
"  force-unlock LOCK_ID     release a lock left by a crashed run\n"
"  version                  versions of ikc and its libraries\n"
"\n"
"flags:\n"
"  -f, --file FILE          the stack file (default ./ikc.yaml)\n"
"  --git REPO[#REF]         read the stack file from a git repository\n"
"  --state URL              state location (file://PATH, etcd://HOST:PORT/PREFIX)\n"
"  --var NAME=VALUE         set a variable (repeatable)\n"
"  --target ADDRESS         limit to this resource and its dependencies (repeatable)\n"
"  --format text|json|markdown\n"
"  --detailed-exitcode      plan/drift: 0 nothing to do, 2 changes, 1 error\n"
"  --parallelism N          API calls in flight (default 16)\n"
"  --lock-timeout DURATION  wait this long for a held lock (default 0)\n"
"  --lock=false             plan/drift/show: do not take the lock\n"
"  --refresh=false          plan from stored state only\n"
"  --out PLANFILE           plan: save the plan\n"
"  --auto-approve           apply/destroy without asking\n"
"  --metrics-file PATH      write Prometheus metrics of this run\n"
"  --no-color               plain output\n";

static int bool_value(const char *flag, const char *v, int *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "1")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0")) {
		*out = 0;
		return 0;
	}
	ikc_cli_error("%s expects true or false, not \"%s\"", flag, v);
	return -1;
}

/* Appends to a growable array of strings; -1 on OOM. */
static int push(const char ***arr, size_t *n, const char *v)
{
	const char **a = realloc(*arr, (*n + 1) * sizeof(*a));

	if (!a)
		return -1;
	a[(*n)++] = v;
	*arr = a;
	return 0;
}

/*
 * Flags may come before or after the command and its arguments, as with
 * terraform and kubectl.  "--flag=value" and "--flag value" both work.
 */
static int parse(struct ikc_cli *cli, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		char *a = argv[i], *eq = NULL, *val = NULL;
		char name[64];

		if (a[0] != '-' || !strcmp(a, "-")) {
			if (!cli->command)
				cli->command = a;
			else
				cli->args[cli->nargs++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				cli->args[cli->nargs++] = argv[i];
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			exit(0);
		}
		eq = strchr(a, '=');
		if (eq) {
			size_t n = (size_t)(eq - a);

			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, a, n);
			name[n] = '\0';
			val = eq + 1;
		} else {
			snprintf(name, sizeof(name), "%s", a);
		}

#define NEED_VALUE() do { \
		if (!val) { \
			if (i + 1 >= argc) { \
				ikc_cli_error("%s needs a value", name); \
				return -1; \
			} \
			val = argv[++i]; \
		} } while (0)

		if (!strcmp(name, "-f") || !strcmp(name, "--file")) {
			NEED_VALUE();
			cli->file = val;
			cli->file_given = 1;
		} else if (!strcmp(name, "--git")) {
			NEED_VALUE();
			cli->git = val;
		} else if (!strcmp(name, "--state")) {
			NEED_VALUE();
			cli->state_url = val;
		} else if (!strcmp(name, "--var")) {
			NEED_VALUE();
			if (!strchr(val, '=')) {
				ikc_cli_error("--var expects NAME=VALUE, not \"%s\"", val);
				return -1;
			}
			if (push(&cli->vars, &cli->nvars, val) < 0)
				return -1;
		} else if (!strcmp(name, "--target")) {
			NEED_VALUE();
			if (push(&cli->targets, &cli->ntargets, val) < 0)
				return -1;
		} else if (!strcmp(name, "--format") || !strcmp(name, "-o")) {
			NEED_VALUE();
			if (!strcmp(val, "text"))
				cli->format = IKC_FORMAT_TEXT;
			else if (!strcmp(val, "json"))
				cli->format = IKC_FORMAT_JSON;
			else if (!strcmp(val, "markdown"))
				cli->format = IKC_FORMAT_MARKDOWN;
			else {
				ikc_cli_error("--format must be text, json or markdown, not \"%s\"", val);
				return -1;
			}
		} else if (!strcmp(name, "--detailed-exitcode")) {
			cli->detailed_exitcode = 1;
		} else if (!strcmp(name, "--parallelism")) {
			char *end;
			long n;

			NEED_VALUE();
			errno = 0;
			n = strtol(val, &end, 10);
			if (errno || *end || n < 1 || n > 1024) {
				ikc_cli_error("--parallelism must be a number from 1 to 1024, not \"%s\"", val);
				return -1;
			}
			cli->parallelism = (int)n;
		} else if (!strcmp(name, "--lock-timeout")) {
			NEED_VALUE();
			if (ikc_duration_parse(&cli->lock_timeout, val) < 0) {
				ikc_cli_fail();
				return -1;
			}
		} else if (!strcmp(name, "--lock")) {
			if (bool_value(name, val ? val : "true", &cli->lock) < 0)
				return -1;
		} else if (!strcmp(name, "--refresh")) {
			if (bool_value(name, val ? val : "true", &cli->refresh) < 0)
				return -1;
		} else if (!strcmp(name, "--out")) {
			NEED_VALUE();
			cli->out = val;
		} else if (!strcmp(name, "--to")) {
			NEED_VALUE();
			cli->to = val;
		} else if (!strcmp(name, "--auto-approve")) {
			cli->auto_approve = 1;
		} else if (!strcmp(name, "--metrics-file")) {
			NEED_VALUE();
			cli->metrics_file = val;
		} else if (!strcmp(name, "--no-color")) {
			cli->color = 0;
		} else {
			ikc_cli_error("unknown flag %s (see ikc --help)", name);
			return -1;
		}
#undef NEED_VALUE
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct ikc_cli *);
} commands[] = {
	{ "version", ikc_cmd_version },
	{ "validate", ikc_cmd_validate },
	{ "plan", ikc_cmd_plan },
	{ "apply", ikc_cmd_apply },
	{ "destroy", ikc_cmd_destroy },
	{ "drift", ikc_cmd_drift },
	{ "show", ikc_cmd_show },
	{ "output", ikc_cmd_output },
	{ "import", ikc_cmd_import },
	{ "state", ikc_cmd_state },
	{ "force-unlock", ikc_cmd_force_unlock },
};

int main(int argc, char **argv)
{
	struct ikc_cli cli;
	const char *names[sizeof(commands) / sizeof(commands[0])];
	const char *hint;
	size_t i;
	int rc;

	memset(&cli, 0, sizeof(cli));
	cli.file = "ikc.yaml";
	cli.parallelism = 16;
	cli.refresh = 1;
	cli.lock = 1;
	cli.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	cli.args = calloc((size_t)argc + 1, sizeof(*cli.args));
	if (!cli.args)
		return IKC_EXIT_ERROR;
	ikc_log_init_from_env();
	if (parse(&cli, argc, argv) < 0) {
		rc = IKC_EXIT_ERROR;
		goto done;
	}
	if (!cli.command) {
		fputs(usage, stderr);
		rc = IKC_EXIT_ERROR;
		goto done;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		names[i] = commands[i].name;
		if (!strcmp(cli.command, commands[i].name)) {
			rc = commands[i].fn(&cli);
			goto done;
		}
	}
	hint = ikc_str_suggest(cli.command, names, sizeof(names) / sizeof(names[0]));
	if (hint)
		ikc_cli_error("unknown command \"%s\" (did you mean \"%s\"?)", cli.command, hint);
	else
		ikc_cli_error("unknown command \"%s\" (see ikc --help)", cli.command);
	rc = IKC_EXIT_ERROR;
done:
	free(cli.args);
	free(cli.vars);
	free(cli.targets);
	return rc;
}
