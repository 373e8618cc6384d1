/* args.c — the exit code of a check or publish run. */
#include "cli.h"

int cli_exit_code(int job_rc, const struct pub_run *run)
{
	if (job_rc == PUB_EINPUT)
		return PUB_EXIT_USAGE;
	if (job_rc < 0 || run->failed)
		return PUB_EXIT_FAILED;
	if (run->incomplete)
		return PUB_EXIT_INCOMPLETE;
	return PUB_EXIT_OK;
}
