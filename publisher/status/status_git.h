/* status_git.h — the git record of the status file (libgit2): the commit
 * and the push with its retries (git_record.c, git_commit.c, git_push.c,
 * git_retry.c), the preflight check (git_preflight.c) and the file at a
 * revision (git_repo.c). Functions return 0 or negative and fill a
 * caller-owned struct base_error; credentials never appear in it. */
#ifndef MANIFOLD_STATUS_GIT_H
#define MANIFOLD_STATUS_GIT_H

#include "status_file.h"

/* ---- git record of the status file (libgit2) --------------------------- */

struct status_git_options {
	const char *repo_dir; /* --repo DIR; NULL: discovered from the status file's path */
	const char
	    *author; /* "Name <email>"; NULL: git config, else manifold <manifold@localhost> */
	int push;    /* --push */
	const char *remote; /* NULL: "origin" */
	/* A rejected push is fetched, merged and retried with exponential
	 * backoff and full jitter until retry_ms (from the first push) have
	 * passed; 0: STATUS_GIT_RETRY_MS. At least one push is always made.
	 * max_attempts > 0 also caps the number of pushes (0: no cap). */
	long long retry_ms;
	int max_attempts;
	/* Asked before each push attempt and while waiting between them:
	 * non-zero (a signal's number) ends the retries at once; may be NULL. */
	int (*stopped)(void *ctx);
	void *stop_ctx;
	/* When not NULL: the number of push attempts made (0: none). */
	int *attempts;
	/* On a rejected push, the file to commit on top of the remote's copy
	 * `theirs`: this run's records applied to it as the run applied them to
	 * the local copy (targets the config no longer has dropped). NULL:
	 * status_merge of this run's file and theirs. */
	int (*rebase)(void *ctx, const struct status_status *theirs, struct status_status **out,
	              struct base_error *err);
	void *rebase_ctx;
	/* Appended to the commit subject in parentheses ("interrupted by
	 * SIGTERM, 12 targets not reached"); NULL: nothing. */
	const char *subject_note;
	/* Told of progress worth a log line (a rejected push being merged);
	 * may be NULL. */
	void (*note)(void *ctx, const char *msg);
	void *note_ctx;
};

/* How long a rejected push is retried without a deadline: 10 minutes. */
#define STATUS_GIT_RETRY_MS (10 * 60 * 1000LL)

/* After the status file at status_path has been written: when it differs
 * from HEAD's copy, commit only that file on the current branch (tree built
 * from HEAD's, index and work tree otherwise untouched); a split file
 * (status_split.h) as its header, the parts that changed and the removal of
 * the parts no target uses. Subject
 * "manifold: N published, N unchanged, N incomplete, N failed"; body lists
 * every target whose state changed, old -> new (prev may be NULL). With
 * push, push the branch; on non-fast-forward fetch, merge the status by
 * target with the remote's (status_merge), rewrite the file, recommit
 * on the remote head and retry (o->retry_ms, o->stopped). Moving the local
 * branch to the remote's head updates only the paths the remote changed
 * that have no local change (index and work tree as the old HEAD's); a
 * path changed on both sides stops the retries with an error naming it,
 * and nothing local is moved. *committed = 1 when a commit was
 * made. Credentials (MANIFOLD_GIT_USERNAME / MANIFOLD_GIT_PASSWORD, ssh
 * agent) never appear in err. */
int status_git_record(const char *status_path, const struct status_status *prev,
                      const struct status_status *cur, const struct status_git_options *o,
                      int *committed, struct base_error *err);

/* Before a run sends anything: what status_git_record will need is there — a
 * repository (o->repo_dir, else found from the status file's nearest
 * existing directory) with a work tree holding the file, HEAD naming a
 * branch, an author that resolves, and with o->push the remote. err says
 * which is missing. */
int status_git_preflight(const char *status_path, const struct status_git_options *o,
                         struct base_error *err);

/* The status file's copy at git revision rev (libgit2; repository found
 * from the file's path; a split one with its parts merged); an empty
 * status when the file is not there. */
int status_git_status_at(const char *status_path, const char *rev, struct status_status **out,
                         struct base_error *err);

/* The hex id of HEAD's commit in the repository the status file is in
 * (found from its path), into out[41]. */
int status_git_head_id(const char *status_path, char out[41], struct base_error *err);

#endif
