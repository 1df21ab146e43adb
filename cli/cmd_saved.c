/* cmd_saved.c - ikc apply PLANFILE: applies exactly a saved plan */
#include "cli/cli.h"

int ikc_cmd_apply_saved(struct ikc_cli *cli)
{
	(void)cli;
	ikc_cli_error("applying a saved plan file is not supported yet");
	return IKC_EXIT_ERROR;
}
