/* git_commit.c — the status file's commit (libgit2): its message from the
 * run's counts and the targets that changed, a commit built from the
 * parent's tree with only that file replaced, the branch moved by
 * compare-and-swap, and the file's index entry refreshed. */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "git_internal.h"

/* Subject from this run's counts; body: every target whose state (or digest)
 * differs between the parent's file and the committed one. */
static char *commit_message(const struct status_run *run, const char *note,
                            const struct status_status *old, const struct status_status *cur)
{
	struct base_buf m = {0};
	size_t i = 0, j = 0;
	base_buf_fmt(&m, "manifold: %d published, %d unchanged, %d incomplete, %d failed",
	             run->published, run->unchanged, run->incomplete, run->failed);
	if (run->held)
		base_buf_fmt(&m, ", %d held", run->held);
	if (note && *note)
		base_buf_fmt(&m, " (%s)", note);
	base_buf_str(&m, "\n");
	int body = 0;
	/* both sorted by target: one merge walk */
	while (!m.oom && (i < old->n_targets || j < cur->n_targets)) {
		const struct status_target_status *a = i < old->n_targets ? &old->targets[i] : NULL;
		const struct status_target_status *b = j < cur->n_targets ? &cur->targets[j] : NULL;
		int cmp = !a ? 1 : !b ? -1 : strcmp(a->target, b->target);
		const char *from = NULL, *to = NULL, *ref;
		if (cmp < 0) {
			ref = a->target, from = status_target_state_str(a->state), to = "removed";
			i++;
		} else if (cmp > 0) {
			ref = b->target, from = "none", to = status_target_state_str(b->state);
			j++;
		} else {
			ref = a->target;
			int dchg = (a->digest == NULL) != (b->digest == NULL) ||
			           (a->digest && strcmp(a->digest, b->digest) != 0);
			if (a->state != b->state || dchg) {
				from = status_target_state_str(a->state);
				to = status_target_state_str(b->state);
			}
			i++, j++;
		}
		if (!from)
			continue;
		if (!body++)
			base_buf_str(&m, "\n");
		base_buf_fmt(&m, "%s: %s -> %s\n", ref, from, to);
	}
	return base_buf_take(&m);
}

/* Blob of `content`; tree = base's tree (or empty) with relpath set to it;
 * commit with parent base (if any). Does not move any ref. */
int status_gitrec_make_commit(struct git_ctx *c, const git_oid *base, const char *content,
                              const struct status_status *old, const struct status_status *cur,
                              git_oid *out, struct base_error *err)
{
	git_commit *parent = NULL;
	git_tree *base_tree = NULL, *tree = NULL;
	git_treebuilder *tb = NULL;
	git_oid blob_id, tree_id, empty_id;
	char *msg = NULL;
	int rc = -1;

	if (git_blob_create_from_buffer(&blob_id, c->repo, content, strlen(content)) < 0) {
		status_gitrec_fail(err, "write blob");
		goto out;
	}
	if (base) {
		if (git_commit_lookup(&parent, c->repo, base) < 0 ||
		    git_commit_tree(&base_tree, parent) < 0) {
			status_gitrec_fail(err, "read parent");
			goto out;
		}
	} else {
		/* unborn branch: start from the empty tree */
		if (git_treebuilder_new(&tb, c->repo, NULL) < 0 ||
		    git_treebuilder_write(&empty_id, tb) < 0 ||
		    git_tree_lookup(&base_tree, c->repo, &empty_id) < 0) {
			status_gitrec_fail(err, "empty tree");
			goto out;
		}
	}
	git_tree_update up = {.action = GIT_TREE_UPDATE_UPSERT,
	                      .id = blob_id,
	                      .filemode = GIT_FILEMODE_BLOB,
	                      .path = c->relpath};
	if (git_tree_create_updated(&tree_id, c->repo, base_tree, 1, &up) < 0 ||
	    git_tree_lookup(&tree, c->repo, &tree_id) < 0) {
		status_gitrec_fail(err, "build tree");
		goto out;
	}
	msg = commit_message(&c->cur->last_run, c->o->subject_note, old, cur);
	if (!msg) {
		base_error_set(err, "out of memory");
		goto out;
	}
	const git_commit *parents[1] = {parent};
	if (git_commit_create(out, c->repo, NULL, c->sig, c->sig, NULL, msg, tree, parent ? 1 : 0,
	                      parents) < 0) {
		status_gitrec_fail(err, "commit");
		goto out;
	}
	rc = 0;
out:
	free(msg);
	git_treebuilder_free(tb);
	git_tree_free(tree);
	git_tree_free(base_tree);
	git_commit_free(parent);
	return rc;
}

/* Move the branch from `expect` (NULL: unborn) to `id`, refusing if someone
 * else moved it meanwhile. */
int status_gitrec_move_branch(git_repository *repo, const char *branch, const git_oid *id,
                              const git_oid *expect, struct base_error *err)
{
	git_reference *ref = NULL;
	int rc;
	if (expect)
		rc = git_reference_create_matching(&ref, repo, branch, id, 1, expect,
		                                   "manifold: status");
	else
		rc = git_reference_create(&ref, repo, branch, id, 0, "manifold: status");
	git_reference_free(ref);
	if (rc < 0) {
		/* GIT_ELOCKED: another writer holds the ref's lock file right now,
		 * i.e. it is moving the branch; the same as losing the race. */
		int raced = rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED;
		if (raced) {
			git_error_clear();
			base_error_set(err, "%s moved while committing", branch);
		} else {
			status_gitrec_fail(err, branch);
		}
		return raced ? 1 : -1;
	}
	return 0;
}

/* Only the status file's index entry is refreshed (from the work tree, which
 * now equals the commit), so `git status` is clean for it and every other
 * staged change stays staged exactly. */
int status_gitrec_refresh_index(struct git_ctx *c, struct base_error *err)
{
	git_index *idx = NULL;
	int rc = -1;
	if (git_repository_index(&idx, c->repo) < 0 || git_index_read(idx, 0) < 0 ||
	    git_index_add_bypath(idx, c->relpath) < 0 || git_index_write(idx) < 0) {
		status_gitrec_fail(err, "index");
		goto out;
	}
	rc = 0;
out:
	git_index_free(idx);
	return rc;
}
