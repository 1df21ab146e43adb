/* cmd_basic.c - ikc version and ikc validate */
#include "cli/cli.h"

#include <stdio.h>

#include "cli/session.h"

int ikc_cmd_version(struct ikc_cli *cli)
{
	(void)cli;
	printf("ikc %s\n", IKC_VERSION);
	printf("built with: libyaml %s, json-c %s, libcurl %s, OpenSSL %s, "
	       "libgit2 %s, libmicrohttpd %s\n",
	       IKC_LIB_YAML, IKC_LIB_JSONC, IKC_LIB_CURL, IKC_LIB_OPENSSL,
	       IKC_LIB_GIT2, IKC_LIB_MHD);
	return IKC_EXIT_OK;
}

int ikc_cmd_validate(struct ikc_cli *cli)
{
	ikc_stack *st = NULL;

	if (cli->nargs) {
		ikc_cli_error("validate takes no arguments (use -f FILE)");
		return IKC_EXIT_ERROR;
	}
	if (ikc_session_load_stack(&st, cli))
		return IKC_EXIT_ERROR;
	printf("%s: valid stack \"%s\" with %zu resource%s.\n", st->file, st->name,
	       st->nresources, st->nresources == 1 ? "" : "s");
	ikc_stack_free(st);
	return IKC_EXIT_OK;
}
