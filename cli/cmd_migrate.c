/* cmd_migrate.c - ikc state migrate --to URL: moves the state to another backend */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/session.h"
#include "state/migrate.h"

int ikc_cmd_state_migrate(struct ikc_cli *cli)
{
	struct ikc_session s;
	ikc_backend *from = NULL, *to = NULL;
	const char *url;
	char *base = NULL;
	int rc;

	if (cli->nargs != 1 || !cli->to) {
		ikc_cli_error("usage: ikc state migrate --to URL [--state FROM_URL]");
		return IKC_EXIT_ERROR;
	}
	rc = ikc_session_open(&s, cli, "ikc state migrate", IKC_SESSION_STACK_OPT);
	if (rc)
		return rc;
	url = cli->state_url ? cli->state_url : s.stack->state_url;
	base = s.stack ? strdup(s.stack->dir) : getcwd(NULL, 0);
	if (!base || ikc_backend_open(&from, url, base) < 0 ||
	    ikc_backend_open(&to, cli->to, base) < 0 ||
	    ikc_state_migrate(from, to) < 0) {
		rc = ikc_cli_fail();
	} else {
		printf("State moved from %s to %s (lineage and serial kept).\n"
		       "Point the stack at it: spec.state: %s (or --state).\n",
		       from->url, to->url, to->url);
	}
	ikc_backend_free(to);
	ikc_backend_free(from);
	free(base);
	ikc_session_close(&s);
	return rc;
}
