/* git_internal.h — status/-private: what the git record (git_record.c)
 * shares with the preflight check (git_preflight.c). */
#ifndef MANIFOLD_GIT_INTERNAL_H
#define MANIFOLD_GIT_INTERNAL_H

#include <git2.h>

#include "status.h"

struct git_ctx {
	git_repository *repo;
	char *relpath;    /* status file, relative to the work tree */
	char *abspath;    /* status file, absolute */
	char branch[256]; /* "refs/heads/main" */
	const char *short_branch;
	git_signature *sig;
	const struct pub_git_options *o;
	const struct pub_status *cur;
	/* push state */
	int cred_tries;
	int auth_failed; /* the remote refused our credentials, or we had none */
	char reject_msg[256];
};

/* err = "WHAT: libgit2's last error", credentials taken out. */
void grec_fail(struct base_error *err, const char *what);
/* Open the repository (c->o->repo_dir, else found from status_path's
 * directory, which must exist); fills relpath and abspath. */
int grec_open_repo(struct git_ctx *c, const char *status_path, struct base_error *err);
/* The branch HEAD names (born or not); a detached HEAD is an error. */
int grec_head_branch(struct git_ctx *c, git_oid *tip, int *born, struct base_error *err);
/* --author, else git config, else manifold <manifold@localhost>. */
int grec_signature(struct git_ctx *c, struct base_error *err);
/* Frees what the context holds and ends this use of libgit2
 * (git_libgit2_init was called for it). */
void grec_close(struct git_ctx *c);

#endif
