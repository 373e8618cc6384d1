/* git_preflight.c — before a --commit/--push run sends anything: the
 * repository, its branch, the author and the remote the git record will
 * need are there. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "git_internal.h"

/* A path inside the status file's nearest existing directory, for finding
 * the repository before that directory is made. */
static int probe_path(const char *status_path, char *out, size_t n)
{
	struct stat sb;
	char *slash;

	if ((size_t)snprintf(out, n, "%s", status_path) >= n)
		return -1;
	while ((slash = strrchr(out, '/'))) {
		*slash = '\0';
		if (slash == out || (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)))
			break;
	}
	if (!slash)
		return snprintf(out, n, "./probe") < (int)n ? 0 : -1;
	*slash = '/';
	return snprintf(slash + 1, n - (size_t)(slash + 1 - out), "probe") < (int)n ? 0 : -1;
}

int pub_git_preflight(const char *status_path, const struct pub_git_options *o,
                      struct base_error *err)
{
	static const struct pub_git_options dflt;
	char probe[PATH_MAX];
	git_remote *remote = NULL;
	struct git_ctx c;
	git_oid tip;
	int born, rc = -1;

	memset(&c, 0, sizeof(c));
	c.o = o ? o : &dflt;
	git_libgit2_init();
	if (probe_path(status_path, probe, sizeof(probe)) < 0) {
		base_error_set(err, "%s: path too long", status_path);
		goto out;
	}
	if (grec_open_repo(&c, probe, err) < 0 || grec_head_branch(&c, &tip, &born, err) < 0 ||
	    grec_signature(&c, err) < 0)
		goto out;
	if (c.o->push &&
	    git_remote_lookup(&remote, c.repo, c.o->remote ? c.o->remote : "origin") < 0) {
		grec_fail(err, "--push: remote");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		base_error_wrap(err, "--commit: status file %s", status_path);
	git_remote_free(remote);
	grec_close(&c);
	return rc;
}
