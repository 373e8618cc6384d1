/* git_repo.c — the status file's repository (libgit2): found from the
 * file's path or --repo, the branch HEAD names, the author, libgit2's
 * errors with credentials taken out, and the file as a commit holds it. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "git_internal.h"

#if defined(__SANITIZE_ADDRESS__)
/* Debian's libgit2 1.5.1 leaks pcre2 match data inside git_remote_lookup
 * (its config regex); not ours to free, so LeakSanitizer is told. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libpcre2-8.so\n";
}
#endif

void status_gitrec_note(const struct git_ctx *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!c->o->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->o->note(c->o->note_ctx, msg);
}

/* libgit2's last error, with anything that looks like a URL's user:password
 * and the configured password taken out. */
void status_gitrec_fail(struct base_error *err, const char *what)
{
	const git_error *e = git_error_last();
	char msg[BASE_EMSG];
	const char *pw = base_env("MANIFOLD_GIT_PASSWORD");

	snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "unknown error");
	/* scheme://user:pass@host → scheme://host */
	for (char *p = strstr(msg, "://"); p; p = strstr(p + 3, "://")) {
		char *at = strchr(p + 3, '@'), *sl = strchr(p + 3, '/');
		if (at && (!sl || at < sl))
			memmove(p + 3, at + 1, strlen(at + 1) + 1);
	}
	if (pw && *pw) {
		size_t pl = strlen(pw);
		for (char *p = strstr(msg, pw); p; p = strstr(p, pw)) {
			memmove(p + 3, p + pl, strlen(p + pl) + 1);
			memcpy(p, "***", 3);
		}
	}
	base_error_set(err, "%s: %s", what, msg);
}

/* "Name <email>" → signature; otherwise git config; otherwise manifold's. */
int status_gitrec_signature(struct git_ctx *c, struct base_error *err)
{
	const char *a = c->o ? c->o->author : NULL;
	if (a) {
		const char *lt = strchr(a, '<'), *gt = lt ? strchr(lt, '>') : NULL;
		char name[256], email[256];
		size_t nl;
		if (!lt || !gt || gt[1] != '\0') {
			base_error_set(err, "--author \"%s\": want \"Name <email>\"", a);
			return -1;
		}
		nl = (size_t)(lt - a);
		while (nl > 0 && a[nl - 1] == ' ')
			nl--;
		if (nl == 0 || nl >= sizeof(name) || (size_t)(gt - lt - 1) >= sizeof(email)) {
			base_error_set(err, "--author \"%s\": want \"Name <email>\"", a);
			return -1;
		}
		memcpy(name, a, nl);
		name[nl] = '\0';
		memcpy(email, lt + 1, (size_t)(gt - lt - 1));
		email[gt - lt - 1] = '\0';
		if (git_signature_now(&c->sig, name, email) < 0) {
			status_gitrec_fail(err, "--author");
			return -1;
		}
		return 0;
	}
	if (git_signature_default(&c->sig, c->repo) == 0)
		return 0;
	git_error_clear();
	if (git_signature_now(&c->sig, "manifold", "manifold@localhost") < 0) {
		status_gitrec_fail(err, "signature");
		return -1;
	}
	return 0;
}

int status_gitrec_open_repo(struct git_ctx *c, const char *status_path, struct base_error *err)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(status_path, '/'), *base = slash ? slash + 1 : status_path;
	const char *wd;
	int n;

	if (slash)
		n = snprintf(dir, sizeof(dir), "%.*s",
		             (int)(slash - status_path + (slash == status_path)), status_path);
	else
		n = snprintf(dir, sizeof(dir), ".");
	if (n < 0 || (size_t)n >= sizeof(dir) || !realpath(dir, real)) {
		base_error_set(err, "%s: %s", status_path, strerror(errno ? errno : ENAMETOOLONG));
		return -1;
	}
	if (asprintf(&c->abspath, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base) < 0) {
		c->abspath = NULL;
		base_error_set(err, "out of memory");
		return -1;
	}
	if (c->o && c->o->repo_dir) {
		if (git_repository_open(&c->repo, c->o->repo_dir) < 0) {
			status_gitrec_fail(err, c->o->repo_dir);
			return -1;
		}
	} else if (git_repository_open_ext(&c->repo, real, 0, NULL) < 0) {
		status_gitrec_fail(err, status_path);
		return -1;
	}
	wd = git_repository_workdir(c->repo);
	if (!wd || !realpath(wd, dir)) {
		base_error_set(err, "%s: the repository has no work tree", status_path);
		return -1;
	}
	size_t wl = strlen(dir);
	if (strncmp(c->abspath, dir, wl) != 0 || c->abspath[wl] != '/') {
		base_error_set(err, "%s: not inside the work tree %s", status_path, dir);
		return -1;
	}
	c->relpath = strdup(c->abspath + wl + 1);
	if (!c->relpath) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

/* The branch HEAD names, born or not. Detached HEAD has no branch to commit on. */
int status_gitrec_head_branch(struct git_ctx *c, git_oid *tip, int *born, struct base_error *err)
{
	git_reference *head = NULL, *res = NULL;
	int rc = -1;

	if (git_reference_lookup(&head, c->repo, "HEAD") < 0) {
		status_gitrec_fail(err, "HEAD");
		return -1;
	}
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) {
		base_error_set(err, "HEAD is detached: --commit needs a branch");
		goto out;
	}
	snprintf(c->branch, sizeof(c->branch), "%s", git_reference_symbolic_target(head));
	c->short_branch = strncmp(c->branch, "refs/heads/", 11) == 0 ? c->branch + 11 : c->branch;
	*born = 0;
	if (git_reference_lookup(&res, c->repo, c->branch) == 0) {
		git_oid_cpy(tip, git_reference_target(res));
		*born = 1;
	} else {
		git_error_clear();
	}
	rc = 0;
out:
	git_reference_free(head);
	git_reference_free(res);
	return rc;
}

int status_gitrec_each_part(struct git_ctx *c, git_tree *tree, const char *data, size_t len,
                            status_gitrec_part_fn fn, void *ctx, struct base_error *err)
{
	struct tree_part *parts = NULL;
	size_t n = 0;
	char *dir = NULL, *dpath = NULL;
	int has_dir, r, rc = -1;

	r = status_split_dir_of(c->relpath, data, len, &dir, err);
	if (r <= 0)
		return r;
	if (!(dpath = status_gitrec_parts_path(c->relpath, dir))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (status_gitrec_tree_parts(c->repo, tree, dpath, &parts, &n, &has_dir) < 0) {
		status_gitrec_fail(err, dpath);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char name[4096];
		snprintf(name, sizeof(name), "%s/%s", dpath, parts[i].rel);
		if (fn(ctx, &parts[i].id, name, err) < 0)
			goto out;
	}
	rc = 1;
out:
	status_gitrec_tree_parts_free(parts, n);
	free(dir);
	free(dpath);
	return rc;
}

struct merge_ctx {
	struct git_ctx *c;
	struct status_status *head;
};

/* One part parsed and merged into the header's status. */
static int merge_part(void *ctx, const git_oid *id, const char *name, struct base_error *err)
{
	struct merge_ctx *m = ctx;
	struct status_status *part = NULL;
	git_blob *b = NULL;
	int r;

	if (git_blob_lookup(&b, m->c->repo, id) < 0) {
		status_gitrec_fail(err, name);
		return -1;
	}
	r = status_parse(name, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), &part, err);
	git_blob_free(b);
	if (r == 0)
		r = status_split_add(m->head, part, err);
	status_free(part);
	return r;
}

/* A split header's parts from tree, merged into head (status_split.c);
 * nothing when the header is one file. */
static int parts_at(struct git_ctx *c, git_tree *tree, const char *data, size_t len,
                    struct status_status *head, struct base_error *err)
{
	struct merge_ctx m = {c, head};
	int r = status_gitrec_each_part(c, tree, data, len, merge_part, &m, err);

	if (r > 0)
		status_split_finish(head);
	return r < 0 ? r : 0;
}

/* The status file as parsed from commit `id`'s tree (a split one with its
 * parts); an empty status when the commit is NULL or the file is not there. */
int status_gitrec_status_at(struct git_ctx *c, const git_oid *id, struct status_status **out,
                            git_oid *blob_id, struct base_error *err)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *ent = NULL;
	git_blob *blob = NULL;
	int rc = -1;

	*out = NULL;
	if (blob_id)
		memset(blob_id, 0, sizeof(*blob_id));
	if (id) {
		if (git_commit_lookup(&commit, c->repo, id) < 0 ||
		    git_commit_tree(&tree, commit) < 0) {
			status_gitrec_fail(err, "read commit");
			goto out;
		}
		if (git_tree_entry_bypath(&ent, tree, c->relpath) == 0) {
			if (git_blob_lookup(&blob, c->repo, git_tree_entry_id(ent)) < 0) {
				status_gitrec_fail(err, c->relpath);
				goto out;
			}
			if (blob_id)
				git_oid_cpy(blob_id, git_blob_id(blob));
			rc = status_parse(c->relpath, git_blob_rawcontent(blob),
			                  (size_t)git_blob_rawsize(blob), out, err);
			if (rc == 0)
				rc = parts_at(c, tree, git_blob_rawcontent(blob),
				              (size_t)git_blob_rawsize(blob), *out, err);
			if (rc < 0) {
				status_free(*out);
				*out = NULL;
			}
			goto out;
		}
		git_error_clear();
	}
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		base_error_set(err, "out of memory");
		goto out;
	}
	(*out)->schema = 1;
	rc = 0;
out:
	git_blob_free(blob);
	git_tree_entry_free(ent);
	git_tree_free(tree);
	git_commit_free(commit);
	return rc;
}

void status_gitrec_close(struct git_ctx *c)
{
	git_signature_free(c->sig);
	for (size_t i = 0; i < c->n_touched; i++)
		free(c->touched[i].path);
	free(c->touched);
	free(c->relpath);
	free(c->abspath);
	git_repository_free(c->repo);
	memset(c, 0, sizeof(*c));
	git_libgit2_shutdown();
}

int status_git_status_at(const char *status_path, const char *rev, struct status_status **out,
                         struct base_error *err)
{
	struct git_ctx c;
	git_object *obj = NULL;
	git_commit *commit = NULL;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	*out = NULL;
	git_libgit2_init();
	if (status_gitrec_open_repo(&c, status_path, err) < 0)
		goto out;
	if (git_revparse_single(&obj, c.repo, rev) < 0 ||
	    git_object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		status_gitrec_fail(err, "resolve");
		goto out;
	}
	rc = status_gitrec_status_at(&c, git_commit_id(commit), out, NULL, err);
out:
	if (rc < 0)
		base_error_wrap(err, "%s at %s", status_path, rev);
	git_commit_free(commit);
	git_object_free(obj);
	status_gitrec_close(&c);
	return rc;
}

int status_git_head_id(const char *status_path, char out[41], struct base_error *err)
{
	struct git_ctx c;
	git_oid id;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	out[0] = '\0';
	git_libgit2_init();
	if (status_gitrec_open_repo(&c, status_path, err) < 0)
		goto out;
	if (git_reference_name_to_id(&id, c.repo, "HEAD") < 0) {
		status_gitrec_fail(err, "resolve HEAD");
		base_error_wrap(err, "%s", status_path);
		goto out;
	}
	git_oid_tostr(out, 41, &id);
	rc = 0;
out:
	status_gitrec_close(&c);
	return rc;
}

/* ---- a split status's parts in a tree ---------------------------------------- */

struct tree_parts {
	struct tree_part *v;
	size_t n, cap;
	int oom;
};

static int collect_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct tree_parts *tp = payload;
	const char *name = git_tree_entry_name(e);
	size_t nl = strlen(name);

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || nl < 5 || strcmp(name + nl - 5, ".json"))
		return 0;
	if (tp->n == tp->cap) {
		size_t nc = tp->cap ? tp->cap * 2 : 64;
		struct tree_part *nv = realloc(tp->v, nc * sizeof(*nv));
		if (!nv) {
			tp->oom = 1;
			return -1;
		}
		tp->v = nv;
		tp->cap = nc;
	}
	if (asprintf(&tp->v[tp->n].rel, "%s%s", root, name) < 0) {
		tp->oom = 1;
		return -1;
	}
	git_oid_cpy(&tp->v[tp->n].id, git_tree_entry_id(e));
	tp->n++;
	return 0;
}

static int tree_part_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tree_part *)a)->rel, ((const struct tree_part *)b)->rel);
}

int status_gitrec_tree_parts(git_repository *repo, git_tree *tree, const char *dirpath,
                             struct tree_part **out, size_t *n, int *has_dir)
{
	git_tree_entry *e = NULL;
	git_tree *sub = NULL;
	struct tree_parts tp = {0};
	int rc = -1;

	*out = NULL;
	*n = 0;
	*has_dir = 0;
	if (git_tree_entry_bypath(&e, tree, dirpath) < 0) {
		git_error_clear();
		return 0;
	}
	*has_dir = 1;
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE) {
		rc = 0;
		goto out;
	}
	if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0 ||
	    git_tree_walk(sub, GIT_TREEWALK_PRE, collect_cb, &tp) < 0)
		goto out;
	qsort(tp.v, tp.n, sizeof(*tp.v), tree_part_cmp);
	*out = tp.v;
	*n = tp.n;
	tp.v = NULL;
	tp.n = 0;
	rc = 0;
out:
	for (size_t i = 0; i < tp.n; i++)
		free(tp.v[i].rel);
	free(tp.v);
	git_tree_free(sub);
	git_tree_entry_free(e);
	return rc;
}

void status_gitrec_tree_parts_free(struct tree_part *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].rel);
	free(v);
}

char *status_gitrec_parts_path(const char *relpath, const char *dir)
{
	const char *slash = strrchr(relpath, '/');
	char *out = NULL;
	if (asprintf(&out, "%.*s%s", slash ? (int)(slash - relpath + 1) : 0, relpath, dir) < 0)
		return NULL;
	return out;
}
