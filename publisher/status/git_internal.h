/* git_internal.h — status/-private: what the git record's files share
 * (git_repo.c, git_commit.c, git_push.c, git_retry.c, git_record.c) and
 * the preflight check (git_preflight.c) uses. */
#ifndef MANIFOLD_GIT_INTERNAL_H
#define MANIFOLD_GIT_INTERNAL_H

#include <git2.h>

#include "split_internal.h"
#include "status_git.h"

/* A path of the status's files a commit set or removed: its index entry
 * follows (status_gitrec_refresh_index). */
struct git_touched {
	char *path; /* relative to the work tree */
	int removed;
};

struct git_ctx {
	git_repository *repo;
	char *relpath;    /* status file, relative to the work tree */
	char *abspath;    /* status file, absolute */
	char branch[256]; /* "refs/heads/main" */
	const char *short_branch;
	git_signature *sig;
	const struct status_git_options *o;
	const struct status_status *cur;
	int split; /* the file is written split (status_split.c) */
	/* what the last commit built set or removed, for the index */
	struct git_touched *touched;
	size_t n_touched;
	/* push state */
	int cred_tries;
	int auth_failed; /* the remote refused our credentials, or we had none */
	char reject_msg[256];
};

/* err = "WHAT: libgit2's last error", credentials taken out. */
void status_gitrec_fail(struct base_error *err, const char *what);
/* Open the repository (c->o->repo_dir, else found from status_path's
 * directory, which must exist); fills relpath and abspath. */
int status_gitrec_open_repo(struct git_ctx *c, const char *status_path, struct base_error *err);
/* The branch HEAD names (born or not); a detached HEAD is an error. */
int status_gitrec_head_branch(struct git_ctx *c, git_oid *tip, int *born, struct base_error *err);
/* --author, else git config, else manifold <manifold@localhost>. */
int status_gitrec_signature(struct git_ctx *c, struct base_error *err);
/* Frees what the context holds and ends this use of libgit2
 * (git_libgit2_init was called for it). */
void status_gitrec_close(struct git_ctx *c);
/* Progress worth a log line goes to the caller's note hook, if any. */
void status_gitrec_note(const struct git_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The status file as parsed from commit `id`'s tree; an empty status when
 * id is NULL or the file is not there. blob_id (may be NULL): its blob. */
int status_gitrec_status_at(struct git_ctx *c, const git_oid *id, struct status_status **out,
                            git_oid *blob_id, struct base_error *err);

/* A part of a split status in a tree. */
struct tree_part {
	char *rel; /* inside the parts directory: "registry.example.com/pause.json" */
	git_oid id;
};
/* The .json blobs under dirpath in tree (git_commit.c), sorted by rel;
 * *has_dir = 1 when the tree has dirpath at all. */
int status_gitrec_tree_parts(git_repository *repo, git_tree *tree, const char *dirpath,
                             struct tree_part **out, size_t *n, int *has_dir);
void status_gitrec_tree_parts_free(struct tree_part *v, size_t n);
/* The parts a split header (its bytes data[0..len)) names in tree, each
 * handed to fn with its blob id and its name ("status/release.d/x.json"),
 * in order: 0 when the header is one file (fn never called), 1 when it is
 * split and fn took every part, -1 (err) otherwise. git_repo.c. */
typedef int (*status_gitrec_part_fn)(void *ctx, const git_oid *id, const char *name,
                                     struct base_error *err);
int status_gitrec_each_part(struct git_ctx *c, git_tree *tree, const char *data, size_t len,
                            status_gitrec_part_fn fn, void *ctx, struct base_error *err);

/* The parts directory beside the status file in the tree: "status/release.d"
 * (caller frees), from relpath and the parts directory's name. */
char *status_gitrec_parts_path(const char *relpath, const char *dir);

/* git_commit.c: a commit of the status rendered as cur (c->split: header and
 * parts, else one file) on top of base (NULL: a root commit): base's tree
 * with the header replaced and the parts directory made the rendered
 * parts (one file: removed), its message from old -> cur; no ref moved.
 * *same = 1 (and no commit) when that tree is base's. c->touched names
 * what changed, for the index. */
int status_gitrec_make_commit(struct git_ctx *c, const git_oid *base,
                              const struct status_status *old, const struct status_status *cur,
                              git_oid *out, int *same, struct base_error *err);
/* Move branch from `expect` (NULL: unborn) to `id`: 0, 1 when someone else
 * moved it meanwhile (err says so), -1 on error. */
int status_gitrec_move_branch(git_repository *repo, const char *branch, const git_oid *id,
                              const git_oid *expect, struct base_error *err);
/* Refresh only the index entries of the status's files the last commit
 * set or removed (c->touched), from the work tree. */
int status_gitrec_refresh_index(struct git_ctx *c, struct base_error *err);

/* git_push.c: one push of local `id`: 0 pushed, 1 rejected (not a
 * fast-forward), -1 error. One fetch of the branch: *tip = the remote's
 * head (*born = 0 when it has none). */
int status_gitrec_push_once(struct git_ctx *c, git_remote *remote, const git_oid *id,
                            struct base_error *err);
int status_gitrec_fetch_branch(struct git_ctx *c, git_remote *remote, git_oid *tip, int *born,
                               struct base_error *err);

/* git_retry.c: push the branch from `start`, a rejection fetched, merged,
 * recommitted and retried (o->retry_ms, o->max_attempts, o->stopped). */
int status_gitrec_push_loop(struct git_ctx *c, const git_oid *start, struct base_error *err);

#endif
