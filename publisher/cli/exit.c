/* exit.c — the exit code of a check or publish run (DESIGN.md: 0 ok, 1 a
 * target failed, 2 usage or config error, 3 incomplete or held — or
 * MANIFOLD_INCOMPLETE_EXIT, for a Kubernetes Job that should end Complete;
 * 4 --deadline left targets not reached; 128 + N stopped by signal N). */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"

/* base's return codes as exit codes; a code not listed is a failure. */
static const struct {
	int rc, exit;
} rc_exit[] = {
    {BASE_OK, PUB_EXIT_OK},
    {BASE_EINPUT, PUB_EXIT_USAGE},
    {BASE_EFAIL, PUB_EXIT_FAILED},
    {BASE_ENOTFOUND, PUB_EXIT_FAILED},
    {BASE_EUNSUPPORTED, PUB_EXIT_FAILED},
    {BASE_ECANCELED, PUB_EXIT_FAILED},
    {BASE_ERATELIMITED, PUB_EXIT_FAILED},
    {BASE_EHELD, PUB_EXIT_FAILED},
    {BASE_ENOTLIST, PUB_EXIT_FAILED},
};

int cli_exit_of_rc(int rc)
{
	for (size_t i = 0; i < sizeof(rc_exit) / sizeof(rc_exit[0]); i++)
		if (rc_exit[i].rc == rc)
			return rc_exit[i].exit;
	return rc < 0 ? PUB_EXIT_FAILED : PUB_EXIT_OK;
}

int cli_exit_code(int job_rc, const struct pub_run *run)
{
	const char *env;
	char *end;
	long code;

	if (job_rc < 0)
		return cli_exit_of_rc(job_rc);
	if (run->failed)
		return PUB_EXIT_FAILED;
	/* held (a list that would shrink) is no failure either: nothing
	 * broke, and a human decides; it exits as incomplete does */
	if (!run->incomplete && !run->held)
		return PUB_EXIT_OK;
	/* A Kubernetes Job must end Complete on a night that is only
	 * incomplete: MANIFOLD_INCOMPLETE_EXIT (0..255) replaces 3; a value
	 * that is not such an integer is ignored. */
	env = getenv("MANIFOLD_INCOMPLETE_EXIT");
	if (!env || !*env)
		return PUB_EXIT_INCOMPLETE;
	errno = 0;
	code = strtol(env, &end, 10);
	if (errno || end == env || *end || code < 0 || code > 255)
		return PUB_EXIT_INCOMPLETE;
	return (int)code;
}

int cli_exit_code_job(int job_rc, const struct pub_job_result *res)
{
	/* A signal wins, whatever else happened: the shell's convention, and
	 * what a Kubernetes Job's backoff expects of a killed pod. */
	if (res->stopped == PUB_STOP_SIGNAL && res->stop_signal > 0)
		return 128 + res->stop_signal;
	/* one that came after the engine last looked: the report, the
	 * metrics push */
	if (cli_stop_signal() > 0)
		return 128 + cli_stop_signal();
	if (res->stopped == PUB_STOP_DEADLINE && res->not_reached && job_rc >= 0 &&
	    !res->run.failed)
		return PUB_EXIT_DEADLINE;
	return cli_exit_code(job_rc, &res->run);
}
