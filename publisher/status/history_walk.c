/* history_walk.c — which versions of the status file a history reads:
 * the first-parent commits of a range (HEAD) that changed the file or, for
 * a split file, its parts directory, newest first, each with the key its
 * summary is cached under; and the repository they are read from, opened
 * from the file's path. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "git_internal.h"
#include "history_internal.h"

/* Commits examined at most, whether or not they changed the file. */
#define HISTORY_MAX_WALK 100000

int status_history_walk_open(struct walk *w, const char *status_path, struct base_error *err)
{
	char real[PATH_MAX], wd[PATH_MAX];
	const char *slash = strrchr(status_path, '/');
	char *dir =
	    slash ? strndup(status_path, (size_t)(slash - status_path) + (slash == status_path))
	          : strdup(".");
	size_t wl;
	int rc = -1;

	if (!dir || !realpath(dir, real)) {
		base_error_set(err, "%s: %s", status_path, strerror(dir ? errno : ENOMEM));
		goto out;
	}
	if (git_repository_open_ext(&w->repo, real, 0, NULL) < 0) {
		status_gitrec_fail(err, status_path);
		goto out;
	}
	if (!git_repository_workdir(w->repo) || !realpath(git_repository_workdir(w->repo), wd)) {
		base_error_set(err, "%s: the repository has no work tree", status_path);
		goto out;
	}
	wl = strlen(wd);
	if (strncmp(real, wd, wl) != 0 || (real[wl] != '/' && real[wl] != '\0')) {
		base_error_set(err, "%s: not inside the work tree %s", status_path, wd);
		goto out;
	}
	if (asprintf(&w->relpath, "%s%s%s", real[wl] ? real + wl + 1 : "", real[wl] ? "/" : "",
	             slash ? slash + 1 : status_path) < 0) {
		w->relpath = NULL;
		base_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(dir);
	return rc;
}

/* The version in commit id's tree: its key (the file's blob id; with a
 * parts directory beside it, a hash of both ids, so a commit that changes
 * only a part is a version too) and its header's blob id; zero when the
 * file is not there. */
static int entry_at(struct walk *w, const git_oid *id, git_oid *blob, git_oid *head,
                    struct base_error *err)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL, *d = NULL;
	int rc = -1;

	memset(blob, 0, sizeof(*blob));
	memset(head, 0, sizeof(*head));
	if (git_commit_lookup(&c, w->repo, id) < 0 || git_commit_tree(&tree, c) < 0) {
		status_gitrec_fail(err, "read commit");
		goto out;
	}
	if (git_tree_entry_bypath(&e, tree, w->relpath) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
		git_oid_cpy(head, git_tree_entry_id(e));
		git_oid_cpy(blob, head);
		if (w->partspath && git_tree_entry_bypath(&d, tree, w->partspath) == 0 &&
		    git_tree_entry_type(d) == GIT_OBJECT_TREE) {
			unsigned char both[2 * GIT_OID_RAWSZ];
			memcpy(both, head->id, GIT_OID_RAWSZ);
			memcpy(both + GIT_OID_RAWSZ, git_tree_entry_id(d)->id, GIT_OID_RAWSZ);
			if (git_odb_hash(blob, both, sizeof(both), GIT_OBJECT_BLOB) < 0) {
				status_gitrec_fail(err, "hash");
				goto out;
			}
		}
	}
	git_error_clear();
	rc = 0;
out:
	git_tree_entry_free(d);
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

static int keep(struct walk *w, const git_oid *commit, const git_oid *blob, const git_oid *head)
{
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 64;
		git_oid *c = realloc(w->commits, nc * sizeof(*c)), *b, *h;
		if (c)
			w->commits = c;
		b = c ? realloc(w->blobs, nc * sizeof(*b)) : NULL;
		if (b)
			w->blobs = b;
		h = b ? realloc(w->heads, nc * sizeof(*h)) : NULL;
		if (!h)
			return -1;
		w->heads = h;
		w->cap = nc;
	}
	git_oid_cpy(&w->commits[w->n], commit);
	git_oid_cpy(&w->blobs[w->n], blob);
	git_oid_cpy(&w->heads[w->n], head);
	w->n++;
	return 0;
}

static int push_range(git_revwalk *rw, git_repository *repo, const char *range,
                      struct base_error *err)
{
	git_object *obj = NULL;
	int rc = 0;
	if (strstr(range, ".."))
		rc = git_revwalk_push_range(rw, range);
	else if ((rc = git_revparse_single(&obj, repo, range)) == 0)
		rc = git_revwalk_push(rw, git_object_id(obj));
	git_object_free(obj);
	if (rc < 0) {
		status_gitrec_fail(err, range);
		return -1;
	}
	return 0;
}

/* One step: does commit id (first parent parent, or none) change the file?
 * cached[0..3): the commit the step before looked up as its parent, and
 * that commit's version key and header id. */
static int walk_step(struct walk *w, const git_oid *id, git_oid cached[3], struct base_error *err)
{
	git_commit *c = NULL;
	git_oid mine, head, theirs;
	int rc = -1;

	if (git_oid_equal(id, &cached[0])) {
		git_oid_cpy(&mine, &cached[1]);
		git_oid_cpy(&head, &cached[2]);
	} else if (entry_at(w, id, &mine, &head, err) < 0) {
		return -1;
	}
	memset(&theirs, 0, sizeof(theirs));
	if (git_commit_lookup(&c, w->repo, id) < 0) {
		status_gitrec_fail(err, "read commit");
		return -1;
	}
	if (git_commit_parentcount(c) > 0) {
		git_oid_cpy(&cached[0], git_commit_parent_id(c, 0));
		if (entry_at(w, &cached[0], &cached[1], &cached[2], err) < 0)
			goto out;
		git_oid_cpy(&theirs, &cached[1]);
	}
	rc = 0;
	if (!git_oid_is_zero(&mine) && !git_oid_equal(&mine, &theirs) &&
	    keep(w, id, &mine, &head) < 0) {
		base_error_set(err, "out of memory");
		rc = -1;
	}
out:
	git_commit_free(c);
	return rc;
}

int status_history_walk_commits(struct walk *w, const struct status_history_options *o,
                                struct base_error *err)
{
	git_revwalk *rw = NULL;
	git_oid id, cached[3];
	long long cutoff = -1;
	size_t walked = 0;
	int rc = -1, r;

	memset(cached, 0, sizeof(cached));
	if (o->days > 0) {
		long long now = status_age_seconds("1970-01-01T00:00:00Z", o->now);
		cutoff = now < 0 ? -1 : now - o->days * 86400;
	}
	if (git_revwalk_new(&rw, w->repo) < 0 || git_revwalk_simplify_first_parent(rw) < 0) {
		status_gitrec_fail(err, "revwalk");
		goto out;
	}
	if (push_range(rw, w->repo, o->range ? o->range : "HEAD", err) < 0)
		goto out;
	while ((r = git_revwalk_next(&id, rw)) == 0 && walked++ < HISTORY_MAX_WALK) {
		if (cutoff >= 0) {
			git_commit *c = NULL;
			long long t =
			    git_commit_lookup(&c, w->repo, &id) == 0 ? git_commit_time(c) : 0;
			git_commit_free(c);
			if (t < cutoff)
				break;
		}
		if (w->n == STATUS_HISTORY_MAX_NIGHTS) {
			w->truncated = 1;
			break;
		}
		if (walk_step(w, &id, cached, err) < 0)
			goto out;
	}
	if (r < 0 && r != GIT_ITEROVER) {
		status_gitrec_fail(err, "revwalk");
		goto out;
	}
	rc = 0;
out:
	git_revwalk_free(rw);
	return rc;
}
