/* git_commit.c — the status file's commit (libgit2): its message from the
 * run's counts and the targets that changed, a commit built from the
 * parent's tree with only that file replaced, the branch moved by
 * compare-and-swap, and the file's index entry refreshed. */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "git_internal.h"

/* Subject from this run's counts; body: every target whose state (or digest)
 * differs between the parent's file and the committed one, after a line
 * saying so when the commit splits the file or joins it (layout). */
static char *commit_message(const struct status_run *run, const char *note,
                            const struct status_status *old, const struct status_status *cur,
                            const char *layout)
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
	if (layout) {
		base_buf_fmt(&m, "\n%s\n", layout);
		body = 1;
	}
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

/* ---- the tree -------------------------------------------------------------- */

static void touched_clear(struct git_ctx *c)
{
	for (size_t i = 0; i < c->n_touched; i++)
		free(c->touched[i].path);
	free(c->touched);
	c->touched = NULL;
	c->n_touched = 0;
}

/* One update: the path (owned by the touched list) and, for an upsert, its blob. */
struct updates {
	git_tree_update *u;
	size_t n, cap;
};

static int add_update(struct git_ctx *c, struct updates *up, char *path, const git_oid *id)
{
	if (up->n == up->cap) {
		size_t nc = up->cap ? up->cap * 2 : 16;
		git_tree_update *nu = realloc(up->u, nc * sizeof(*nu));
		struct git_touched *nt;
		if (nu)
			up->u = nu;
		nt = nu ? realloc(c->touched, nc * sizeof(*nt)) : NULL;
		if (!nt) {
			free(path);
			return -1;
		}
		c->touched = nt;
		up->cap = nc;
	}
	memset(&up->u[up->n], 0, sizeof(up->u[up->n]));
	up->u[up->n].path = path;
	if (id) {
		up->u[up->n].action = GIT_TREE_UPDATE_UPSERT;
		up->u[up->n].filemode = GIT_FILEMODE_BLOB;
		git_oid_cpy(&up->u[up->n].id, id);
	} else {
		up->u[up->n].action = GIT_TREE_UPDATE_REMOVE;
	}
	c->touched[c->n_touched].path = path;
	c->touched[c->n_touched].removed = id == NULL;
	c->n_touched++;
	up->n++;
	return 0;
}

/* base's tree made the render's: the updates, in c->touched too. */
static int build_updates(struct git_ctx *c, git_tree *base_tree, struct status_render *r,
                         struct updates *up, int *base_split, struct base_error *err)
{
	struct tree_part *have = NULL;
	size_t n_have = 0, k = 0;
	char *dpath = status_gitrec_parts_path(c->relpath, r->dir), *hp = NULL;
	git_oid id;
	int has_dir = 0, rc = -1;

	if (!dpath)
		goto oom;
	if (status_gitrec_tree_parts(c->repo, base_tree, dpath, &have, &n_have, &has_dir) < 0) {
		status_gitrec_fail(err, dpath);
		goto out;
	}
	*base_split = has_dir && n_have > 0;
	if (git_blob_create_from_buffer(&id, c->repo, r->header, r->header_len) < 0) {
		status_gitrec_fail(err, "write blob");
		goto out;
	}
	if (!(hp = strdup(c->relpath)) || add_update(c, up, hp, &id) < 0)
		goto oom;
	if (!r->split) {
		if (has_dir && add_update(c, up, dpath, NULL) < 0) {
			dpath = NULL;
			goto oom;
		}
		if (has_dir)
			dpath = NULL; /* the touched list owns it */
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < r->n_parts; i++) {
		const struct status_part *p = &r->parts[i];
		char *path;
		int cmp = 1;
		/* base's parts before this one that the render does not have go */
		while (k < n_have && (cmp = strcmp(have[k].rel, p->rel)) < 0) {
			if (asprintf(&path, "%s/%s", dpath, have[k].rel) < 0 ||
			    add_update(c, up, path, NULL) < 0)
				goto oom;
			k++;
		}
		/* one part's text at a time, as the status write does */
		if (status_render_part(r, i, err) < 0)
			goto out;
		if (git_odb_hash(&id, p->text, p->len, GIT_OBJECT_BLOB) < 0) {
			status_gitrec_fail(err, "hash");
			goto out;
		}
		if (k < n_have && cmp == 0 && git_oid_equal(&id, &have[k].id)) {
			status_render_part_drop(r, i);
			k++;
			continue;
		}
		if (k < n_have && cmp == 0)
			k++;
		if (git_blob_create_from_buffer(&id, c->repo, p->text, p->len) < 0) {
			status_gitrec_fail(err, "write blob");
			goto out;
		}
		status_render_part_drop(r, i);
		if (asprintf(&path, "%s/%s", dpath, p->rel) < 0 || add_update(c, up, path, &id) < 0)
			goto oom;
	}
	for (; k < n_have; k++) {
		char *path;
		if (asprintf(&path, "%s/%s", dpath, have[k].rel) < 0 ||
		    add_update(c, up, path, NULL) < 0)
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	base_error_set(err, "out of memory");
out:
	free(dpath);
	status_gitrec_tree_parts_free(have, n_have);
	return rc;
}

/* Blobs of the rendered status; tree = base's tree (or empty) with the
 * status's files set to them; commit with parent base (if any). Does not
 * move any ref. */
int status_gitrec_make_commit(struct git_ctx *c, const git_oid *base,
                              const struct status_status *old, const struct status_status *cur,
                              git_oid *out, int *same, struct base_error *err)
{
	git_commit *parent = NULL;
	git_tree *base_tree = NULL, *tree = NULL;
	git_treebuilder *tb = NULL;
	git_oid tree_id, empty_id;
	struct status_render r;
	struct updates up = {0};
	const char *slash = strrchr(c->relpath, '/');
	char *msg = NULL, layout[512];
	int base_split = 0, rc = -1;

	*same = 0;
	touched_clear(c);
	if ((c->split ? status_render_plan(cur, slash ? slash + 1 : c->relpath, &r, err)
	              : status_render_make(cur, slash ? slash + 1 : c->relpath, 0, &r, err)) < 0)
		return -1;
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
	if (build_updates(c, base_tree, &r, &up, &base_split, err) < 0)
		goto out;
	if (git_tree_create_updated(&tree_id, c->repo, base_tree, up.n, up.u) < 0 ||
	    git_tree_lookup(&tree, c->repo, &tree_id) < 0) {
		status_gitrec_fail(err, "build tree");
		goto out;
	}
	if (base && git_oid_equal(&tree_id, git_tree_id(base_tree))) {
		*same = 1;
		rc = 0;
		goto out;
	}
	layout[0] = '\0';
	if (r.split && !base_split && old->n_targets)
		snprintf(layout, sizeof(layout),
		         "The status file is split: its %zu targets are in %zu parts in %.200s/ "
		         "(status-layout, more than %d targets for auto).",
		         cur->n_targets, r.n_parts, r.dir, STATUS_SPLIT_ABOVE);
	else if (!r.split && base_split)
		snprintf(layout, sizeof(layout),
		         "The status file is one file again: the parts in %.200s/ are joined into "
		         "it (status-layout, at most %d targets for auto).",
		         r.dir, STATUS_JOIN_AT);
	msg = commit_message(&c->cur->last_run, c->o->subject_note, old, cur,
	                     layout[0] ? layout : NULL);
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
	free(up.u);
	free(msg);
	status_render_free(&r);
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

/* Only the index entries of the status's files the commit set or removed
 * are refreshed (from the work tree, which now equals the commit), so `git
 * status` is clean for them and every other staged change stays staged
 * exactly. */
int status_gitrec_refresh_index(struct git_ctx *c, struct base_error *err)
{
	git_index *idx = NULL;
	int rc = -1;
	if (git_repository_index(&idx, c->repo) < 0 || git_index_read(idx, 0) < 0) {
		status_gitrec_fail(err, "index");
		goto out;
	}
	for (size_t i = 0; i < c->n_touched; i++) {
		const struct git_touched *t = &c->touched[i];
		int r = !t->removed ? git_index_add_bypath(idx, t->path)
		        : git_index_remove_directory(idx, t->path, 0) == 0
		            ? git_index_remove_bypath(idx, t->path)
		            : -1;
		if (r < 0) {
			status_gitrec_fail(err, "index");
			goto out;
		}
	}
	if (git_index_write(idx) < 0) {
		status_gitrec_fail(err, "index");
		goto out;
	}
	rc = 0;
out:
	git_index_free(idx);
	return rc;
}
