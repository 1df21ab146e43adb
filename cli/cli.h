#ifndef IKC_CLI_CLI_H
#define IKC_CLI_CLI_H

/* cli.h - shared declarations of the ikc command line (the only stdout/stderr writer) */

#include <stddef.h>  /* for size_t */
#include "util/buf.h"
#include "util/diag.h"

/* Exit codes (cli.md). */
#define IKC_EXIT_OK 0
#define IKC_EXIT_ERROR 1
#define IKC_EXIT_CHANGES 2
#define IKC_EXIT_INTERRUPTED 130

enum ikc_format { IKC_FORMAT_TEXT, IKC_FORMAT_JSON, IKC_FORMAT_MARKDOWN };

struct ikc_cli {
	const char *command;        /* "plan", "state", ... */
	const char *file;           /* -f, default ikc.yaml */
	int file_given;
	const char *git;            /* --git REPO[#REF] */
	const char *state_url;      /* --state */
	const char **vars;          /* --var NAME=VALUE */
	size_t nvars;
	const char **targets;       /* --target */
	size_t ntargets;
	enum ikc_format format;
	int detailed_exitcode;
	int parallelism;
	double lock_timeout;
	int refresh;
	int lock;
	int color;                  /* decided from --no-color, NO_COLOR, isatty */
	int auto_approve;
	const char *out;            /* plan --out */
	const char *metrics_file;
	const char *to;             /* state migrate --to */
	char **args;                /* positional arguments after the command */
	size_t nargs;
};

/* output.c */
void ikc_cli_error(const char *fmt, ...) IKC_PRINTF(1, 2);
void ikc_cli_warn(const char *fmt, ...) IKC_PRINTF(1, 2);
/** Prints every diagnostic as "ikc: error: FILE:LINE:COL: message". */
void ikc_cli_print_diags(const ikc_diags *d);
/** Writes a buffer to stdout. */
void ikc_cli_out(const ikc_buf *b);
/** Prints the last error of this thread as "ikc: error: ...". Returns IKC_EXIT_ERROR. */
int ikc_cli_fail(void);

/* commands: each returns an exit code */
int ikc_cmd_version(struct ikc_cli *cli);
int ikc_cmd_validate(struct ikc_cli *cli);
int ikc_cmd_plan(struct ikc_cli *cli);
int ikc_cmd_drift(struct ikc_cli *cli);
int ikc_cmd_show(struct ikc_cli *cli);
int ikc_cmd_output(struct ikc_cli *cli);
int ikc_cmd_state(struct ikc_cli *cli);
int ikc_cmd_state_migrate(struct ikc_cli *cli);
int ikc_cmd_force_unlock(struct ikc_cli *cli);
int ikc_cmd_apply(struct ikc_cli *cli);
int ikc_cmd_destroy(struct ikc_cli *cli);
int ikc_cmd_import(struct ikc_cli *cli);
/** ikc apply PLANFILE (cmd_saved.c). */
int ikc_cmd_apply_saved(struct ikc_cli *cli);

#endif /* IKC_CLI_CLI_H */
