/* git_record.c — the git record of the status file (libgit2): a commit that changes
 * only that file (split: its header and the parts that changed), built from HEAD's tree so whatever
 * else is staged or modified stays as it was (git_commit.c), and the push with its retries
 * (git_push.c, git_retry.c). */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "git_internal.h"

int status_git_record(const char *status_path, const struct status_status *prev,
                      const struct status_status *cur, const struct status_git_options *o,
                      int *committed, struct base_error *err)
{
	static const struct status_git_options dflt;
	struct git_ctx c;
	struct status_status *old = NULL;
	git_oid tip, head_blob, new_commit;
	int born = 0, rc = -1;

	memset(&c, 0, sizeof(c));
	c.o = o ? o : &dflt;
	c.cur = cur;
	*committed = 0;
	git_libgit2_init();
	if (status_gitrec_open_repo(&c, status_path, err) < 0 ||
	    status_gitrec_head_branch(&c, &tip, &born, err) < 0 ||
	    status_gitrec_signature(&c, err) < 0)
		goto out;
	if (status_gitrec_status_at(&c, born ? &tip : NULL, &old, &head_blob, err) < 0) {
		/* an unreadable old copy is replaced, and the body is built from prev */
		base_error_clear(err);
		old = NULL;
	}
	c.split = status_store_is_split(c.abspath);
	{
		const struct status_status *base = old ? old : prev;
		struct status_status empty = {.schema = 1};
		int same = 0;
		if (status_gitrec_make_commit(&c, born ? &tip : NULL, base ? base : &empty, cur,
		                              &new_commit, &same, err) < 0)
			goto out;
		if (!same) {
			if (status_gitrec_move_branch(c.repo, c.branch, &new_commit,
			                              born ? &tip : NULL, err) != 0)
				goto out;
			if (status_gitrec_refresh_index(&c, err) < 0)
				goto out;
			*committed = 1;
			tip = new_commit;
			born = 1;
		}
	}
	if (c.o->push) {
		if (!born) {
			base_error_set(err, "push: branch %s has no commits", c.short_branch);
			goto out;
		}
		if (status_gitrec_push_loop(&c, &tip, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0 && c.relpath && !strstr(err->msg, c.relpath))
		base_error_wrap(err, "git record of %s", c.relpath);
	status_free(old);
	status_gitrec_close(&c);
	return rc;
}
