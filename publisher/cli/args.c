/* args.c — reading one flag's value from argv. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int pub_arg_value(int argc, char **argv, int *i, const char *lng, const char *shrt,
                  const char **val)
{
	const char *a = argv[*i];
	size_t ll = strlen(lng);

	if (strncmp(a, lng, ll) == 0 && a[ll] == '=') {
		*val = a + ll + 1;
		return 1;
	}
	if (shrt && strncmp(a, shrt, 2) == 0 && a[2] != '\0' && strlen(shrt) == 2) {
		*val = a + 2;
		return 1;
	}
	if (strcmp(a, lng) != 0 && !(shrt && strcmp(a, shrt) == 0))
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

int pub_arg_jobs(const char *text, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < 1 || v > 1024)
		return -1;
	*out = (int)v;
	return 0;
}

int cli_exit_code(int job_rc, const struct pub_run *run)
{
	const char *env;
	char *end;
	long code;

	if (job_rc == PUB_EINPUT)
		return PUB_EXIT_USAGE;
	if (job_rc < 0 || run->failed)
		return PUB_EXIT_FAILED;
	if (!run->incomplete)
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
