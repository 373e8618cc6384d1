/* git_record.c — the git record of the status file (libgit2): a commit that changes
 * only that file, built from HEAD's tree so whatever else is staged or
 * modified stays as it was; the push, and on a rejected push the
 * fetch / merge-by-target / recommit / retry loop. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* Progress worth a log line goes to the caller's note hook, if any. */
static void note(const struct git_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(const struct git_ctx *c, const char *fmt, ...)
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
void grec_fail(struct base_error *err, const char *what)
{
	const git_error *e = git_error_last();
	char msg[BASE_EMSG];
	const char *pw = getenv("MANIFOLD_GIT_PASSWORD");

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
int grec_signature(struct git_ctx *c, struct base_error *err)
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
			grec_fail(err, "--author");
			return -1;
		}
		return 0;
	}
	if (git_signature_default(&c->sig, c->repo) == 0)
		return 0;
	git_error_clear();
	if (git_signature_now(&c->sig, "manifold", "manifold@localhost") < 0) {
		grec_fail(err, "signature");
		return -1;
	}
	return 0;
}

int grec_open_repo(struct git_ctx *c, const char *status_path, struct base_error *err)
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
			grec_fail(err, c->o->repo_dir);
			return -1;
		}
	} else if (git_repository_open_ext(&c->repo, real, 0, NULL) < 0) {
		grec_fail(err, status_path);
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
int grec_head_branch(struct git_ctx *c, git_oid *tip, int *born, struct base_error *err)
{
	git_reference *head = NULL, *res = NULL;
	int rc = -1;

	if (git_reference_lookup(&head, c->repo, "HEAD") < 0) {
		grec_fail(err, "HEAD");
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

/* The status file as parsed from commit `id`'s tree; an empty status when
 * the commit is NULL or the file is not there. */
static int status_at(struct git_ctx *c, const git_oid *id, struct pub_status **out,
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
			grec_fail(err, "read commit");
			goto out;
		}
		if (git_tree_entry_bypath(&ent, tree, c->relpath) == 0) {
			if (git_blob_lookup(&blob, c->repo, git_tree_entry_id(ent)) < 0) {
				grec_fail(err, c->relpath);
				goto out;
			}
			if (blob_id)
				git_oid_cpy(blob_id, git_blob_id(blob));
			rc = pub_status_parse(c->relpath, git_blob_rawcontent(blob),
			                      (size_t)git_blob_rawsize(blob), out, err);
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

/* Subject from this run's counts; body: every target whose state (or digest)
 * differs between the parent's file and the committed one. */
static char *commit_message(const struct pub_run *run, const char *note,
                            const struct pub_status *old, const struct pub_status *cur)
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
		const struct pub_target_status *a = i < old->n_targets ? &old->targets[i] : NULL;
		const struct pub_target_status *b = j < cur->n_targets ? &cur->targets[j] : NULL;
		int cmp = !a ? 1 : !b ? -1 : strcmp(a->target, b->target);
		const char *from = NULL, *to = NULL, *ref;
		if (cmp < 0) {
			ref = a->target, from = pub_target_state_str(a->state), to = "removed";
			i++;
		} else if (cmp > 0) {
			ref = b->target, from = "none", to = pub_target_state_str(b->state);
			j++;
		} else {
			ref = a->target;
			int dchg = (a->digest == NULL) != (b->digest == NULL) ||
			           (a->digest && strcmp(a->digest, b->digest) != 0);
			if (a->state != b->state || dchg) {
				from = pub_target_state_str(a->state);
				to = pub_target_state_str(b->state);
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
static int make_commit(struct git_ctx *c, const git_oid *base, const char *content,
                       const struct pub_status *old, const struct pub_status *cur, git_oid *out,
                       struct base_error *err)
{
	git_commit *parent = NULL;
	git_tree *base_tree = NULL, *tree = NULL;
	git_treebuilder *tb = NULL;
	git_oid blob_id, tree_id, empty_id;
	char *msg = NULL;
	int rc = -1;

	if (git_blob_create_from_buffer(&blob_id, c->repo, content, strlen(content)) < 0) {
		grec_fail(err, "write blob");
		goto out;
	}
	if (base) {
		if (git_commit_lookup(&parent, c->repo, base) < 0 ||
		    git_commit_tree(&base_tree, parent) < 0) {
			grec_fail(err, "read parent");
			goto out;
		}
	} else {
		/* unborn branch: start from the empty tree */
		if (git_treebuilder_new(&tb, c->repo, NULL) < 0 ||
		    git_treebuilder_write(&empty_id, tb) < 0 ||
		    git_tree_lookup(&base_tree, c->repo, &empty_id) < 0) {
			grec_fail(err, "empty tree");
			goto out;
		}
	}
	git_tree_update up = {.action = GIT_TREE_UPDATE_UPSERT,
	                      .id = blob_id,
	                      .filemode = GIT_FILEMODE_BLOB,
	                      .path = c->relpath};
	if (git_tree_create_updated(&tree_id, c->repo, base_tree, 1, &up) < 0 ||
	    git_tree_lookup(&tree, c->repo, &tree_id) < 0) {
		grec_fail(err, "build tree");
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
		grec_fail(err, "commit");
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
static int move_branch(git_repository *repo, const char *branch, const git_oid *id,
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
			grec_fail(err, branch);
		}
		return raced ? 1 : -1;
	}
	return 0;
}

/* Only the status file's index entry is refreshed (from the work tree, which
 * now equals the commit), so `git status` is clean for it and every other
 * staged change stays staged exactly. */
static int refresh_index_entry(struct git_ctx *c, struct base_error *err)
{
	git_index *idx = NULL;
	int rc = -1;
	if (git_repository_index(&idx, c->repo) < 0 || git_index_read(idx, 0) < 0 ||
	    git_index_add_bypath(idx, c->relpath) < 0 || git_index_write(idx) < 0) {
		grec_fail(err, "index");
		goto out;
	}
	rc = 0;
out:
	git_index_free(idx);
	return rc;
}

/* ---- push -------------------------------------------------------------- */

static int cred_cb(git_credential **out, const char *url, const char *user_from_url,
                   unsigned int allowed, void *payload)
{
	struct git_ctx *c = payload;
	const char *user = getenv("MANIFOLD_GIT_USERNAME"), *pw = getenv("MANIFOLD_GIT_PASSWORD");
	(void)url;
	/* libgit2 asks again after a refusal, with nothing new to offer: one
	 * try per operation, then stop it (else its error is a stale riddle
	 * such as "config value 'http.followRedirects' was not found") */
	if (c->cred_tries++ > 0) {
		c->auth_failed = 1;
		return GIT_EUSER;
	}
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && pw && *pw)
		return git_credential_userpass_plaintext_new(
		    out, user && *user ? user : (user_from_url ? user_from_url : "x-access-token"),
		    pw);
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return git_credential_ssh_key_from_agent(
		    out, user_from_url ? user_from_url : (user && *user ? user : "git"));
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user_from_url ? user_from_url : "git");
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		c->auth_failed = 1; /* asked for a password and none is set */
		return GIT_EUSER;
	}
	return GIT_PASSTHROUGH;
}

/* err = "push main to URL: authentication failed (HTTP 401): set ..." for
 * a remote that refused us; the URL without its user:password. */
static void auth_fail(const struct git_ctx *c, git_remote *remote, const char *what,
                      struct base_error *err)
{
	const char *url = git_remote_url(remote), *p = url ? strstr(url, "://") : NULL;
	const char *at = p ? strchr(p + 3, '@') : NULL, *sl = p ? strchr(p + 3, '/') : NULL;
	int http = url && (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0);
	char shown[1024];

	if (at && (!sl || at < sl))
		snprintf(shown, sizeof(shown), "%.*s%s", (int)(p + 3 - url), url, at + 1);
	else
		snprintf(shown, sizeof(shown), "%s", url ? url : git_remote_name(remote));
	git_error_clear();
	base_error_set(err,
	               "%s %s %s %s: authentication failed%s: set MANIFOLD_GIT_USERNAME and "
	               "MANIFOLD_GIT_PASSWORD (or the remote URL's credentials)",
	               what, c->short_branch, strcmp(what, "push") ? "from" : "to", shown,
	               http ? " (HTTP 401)" : "");
}

static int push_ref_cb(const char *refname, const char *status, void *payload)
{
	struct git_ctx *c = payload;
	if (status)
		snprintf(c->reject_msg, sizeof(c->reject_msg), "%s: %s", refname, status);
	return 0;
}

static void remote_callbacks(struct git_ctx *c, git_remote_callbacks *cb)
{
	git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb->credentials = cred_cb;
	cb->push_update_reference = push_ref_cb;
	cb->payload = c;
}

/* A path or file:// URL: libgit2's local transport moves the ref with force,
 * so the compare-and-swap is done here on the remote repository directly. */
static const char *local_remote_path(const char *url)
{
	if (strncmp(url, "file://", 7) == 0)
		return url + 7;
	if (strstr(url, "://"))
		return NULL;
	if (url[0] == '/' || url[0] == '.')
		return url;
	return strchr(url, ':') ? NULL : url;
}

/* One push of local `id`. 0 pushed; 1 rejected (not a fast-forward); -1 error. */
static int push_once(struct git_ctx *c, git_remote *remote, const git_oid *id,
                     struct base_error *err)
{
	git_push_options po;
	char spec[600];
	char *specp = spec;
	git_strarray specs = {&specp, 1};
	const char *lpath = local_remote_path(git_remote_url(remote));
	int rc;

	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	remote_callbacks(c, &po.callbacks);
	c->reject_msg[0] = '\0';
	c->cred_tries = 0;
	c->auth_failed = 0;

	if (!lpath) {
		snprintf(spec, sizeof(spec), "%s:%s", c->branch, c->branch);
		rc = git_remote_push(remote, &specs, &po);
		if (rc == GIT_ENONFASTFORWARD) {
			git_error_clear();
			return 1;
		}
		if (rc < 0 && c->auth_failed)
			auth_fail(c, remote, "push", err);
		else if (rc < 0)
			grec_fail(err, "push");
		if (rc < 0)
			return -1;
		return c->reject_msg[0] ? 1 : 0;
	}

	/* local remote: send the objects under a private ref, then swap the
	 * branch only if it still holds what this commit was built on. */
	git_repository *rr = NULL;
	git_reference *cur = NULL;
	git_oid expect;
	int have_expect = 0;
	char tmpref[128];
	if (git_repository_open_bare(&rr, lpath) < 0 && git_repository_open(&rr, lpath) < 0) {
		grec_fail(err, "open remote");
		return -1;
	}
	if (git_reference_lookup(&cur, rr, c->branch) == 0) {
		git_oid_cpy(&expect, git_reference_target(cur));
		have_expect = 1;
		git_reference_free(cur);
	} else {
		git_error_clear();
	}
	rc = 1;
	if (have_expect && !git_oid_equal(&expect, id)) {
		/* fast-forward only: the remote tip must be in our history */
		git_odb *odb = NULL;
		int known = git_repository_odb(&odb, c->repo) == 0 && git_odb_exists(odb, &expect);
		git_odb_free(odb);
		if (!known || git_graph_descendant_of(c->repo, id, &expect) != 1) {
			git_error_clear();
			goto local_out;
		}
	} else if (have_expect) {
		rc = 0; /* already there */
		goto local_out;
	}
	snprintf(tmpref, sizeof(tmpref), "refs/manifold/incoming/%ld-%ld", (long)getpid(),
	         (long)time(NULL));
	snprintf(spec, sizeof(spec), "+%s:%s", c->branch, tmpref);
	if (git_remote_push(remote, &specs, &po) < 0) {
		grec_fail(err, "push");
		rc = -1;
		goto local_out;
	}
	rc = move_branch(rr, c->branch, id, have_expect ? &expect : NULL, err);
	if (rc == 1)
		base_error_clear(err);
	git_reference_remove(rr, tmpref);
local_out:
	git_repository_free(rr);
	return rc;
}

/* Fetch the branch; *tip = remote head (born = 0 when the remote has none). */
static int fetch_branch(struct git_ctx *c, git_remote *remote, git_oid *tip, int *born,
                        struct base_error *err)
{
	git_fetch_options fo;
	char spec[1200], track[560];
	char *specp = spec;
	git_strarray specs = {&specp, 1};
	git_reference *ref = NULL;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	remote_callbacks(c, &fo.callbacks);
	c->cred_tries = 0;
	c->auth_failed = 0;
	snprintf(track, sizeof(track), "refs/remotes/%s/%s", git_remote_name(remote),
	         c->short_branch);
	snprintf(spec, sizeof(spec), "+%s:%s", c->branch, track);
	if (git_remote_fetch(remote, &specs, &fo, "manifold: fetch") < 0) {
		if (c->auth_failed)
			auth_fail(c, remote, "fetch", err);
		else
			grec_fail(err, "fetch");
		return -1;
	}
	*born = 0;
	if (git_reference_lookup(&ref, c->repo, track) == 0) {
		git_oid_cpy(tip, git_reference_target(ref));
		*born = 1;
		git_reference_free(ref);
	} else {
		git_error_clear();
	}
	return 0;
}

/* ---- retries ----------------------------------------------------------- */

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*: each process its own sequence (rand() is the program's). */
static unsigned long long jitter_next(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* The wait before retry `attempt` (1 after the first rejection): full
 * jitter, uniform in [0, min(cap, base * 2^(attempt-1))). */
#define BACKOFF_BASE_MS 100LL
#define BACKOFF_CAP_MS  10000LL
static long long backoff_ms(int attempt, unsigned long long *seed)
{
	long long win = BACKOFF_BASE_MS;
	for (int k = 1; k < attempt && win < BACKOFF_CAP_MS; k++)
		win *= 2;
	if (win > BACKOFF_CAP_MS)
		win = BACKOFF_CAP_MS;
	return (long long)(jitter_next(seed) % (unsigned long long)win);
}

/* The signal that ends the retries, or 0. */
static int stop_asked(const struct git_ctx *c)
{
	return c->o->stopped ? c->o->stopped(c->o->stop_ctx) : 0;
}

/* Sleep ms in slices, ending early when a stop is asked. The signal or 0. */
static int backoff_sleep(const struct git_ctx *c, long long ms)
{
	long long end = mono_ms() + ms;
	int sig;

	while (!(sig = stop_asked(c))) {
		long long left = end - mono_ms();
		if (left <= 0)
			return 0;
		if (left > 50)
			left = 50;
		struct timespec ts = {0, left * 1000000L};
		nanosleep(&ts, NULL);
	}
	return sig;
}

/* ---- the user's index and work tree on a retry -------------------------- */

struct conflicts {
	char list[512];
	int n;
};

static int conflict_cb(git_checkout_notify_t why, const char *path, const git_diff_file *baseline,
                       const git_diff_file *target, const git_diff_file *workdir, void *payload)
{
	struct conflicts *cf = payload;
	size_t len = strlen(cf->list);
	(void)baseline, (void)target, (void)workdir;
	if (why != GIT_CHECKOUT_NOTIFY_CONFLICT)
		return 0;
	if (cf->n++ < 8 && len + strlen(path) + 3 < sizeof(cf->list))
		snprintf(cf->list + len, sizeof(cf->list) - len, "%s%s", len ? ", " : "", path);
	return 0;
}

/* Bring the index and work tree from commit `from` to `to` as `git
 * checkout` does between two commits (a two-tree merge): only the paths
 * that differ between the two, and of those only the ones with no local
 * change; a staged or modified path the two commits do not differ on is
 * left exactly as it is. With dry_run nothing is written, and a path both
 * changed locally and between the commits is named in err (1 returned). */
static int carry_work_tree(struct git_ctx *c, const git_oid *from, const git_oid *to, int dry_run,
                           struct base_error *err)
{
	git_commit *fc = NULL, *tc = NULL;
	git_tree *ft = NULL, *tt = NULL;
	git_checkout_options co;
	struct conflicts cf = {{0}, 0};
	int rc = -1, r;

	if (git_commit_lookup(&fc, c->repo, from) < 0 || git_commit_tree(&ft, fc) < 0 ||
	    git_commit_lookup(&tc, c->repo, to) < 0 || git_commit_tree(&tt, tc) < 0) {
		grec_fail(err, "read commit");
		goto out;
	}
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_SAFE | (dry_run ? GIT_CHECKOUT_DRY_RUN : 0);
	co.baseline = ft;
	co.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT;
	co.notify_cb = conflict_cb;
	co.notify_payload = &cf;
	r = git_checkout_tree(c->repo, (const git_object *)tt, &co);
	if (cf.n || r == GIT_ECONFLICT) {
		git_error_clear();
		base_error_set(err,
		               "the remote's %s changed %s%s, which %s local changes here: the "
		               "status commit stays local and unpushed, nothing else was moved",
		               c->short_branch, cf.n ? cf.list : "a path", cf.n > 8 ? ", …" : "",
		               cf.n == 1 ? "has" : "have");
		rc = 1;
		goto out;
	}
	if (r < 0) {
		grec_fail(err, "update the work tree");
		goto out;
	}
	rc = 0;
out:
	git_tree_free(tt);
	git_tree_free(ft);
	git_commit_free(tc);
	git_commit_free(fc);
	return rc;
}

/* Rebuild on the remote head: this run's records on the remote's copy
 * (o->rebase, else a merge by target into *mine), commit on top of `rtip`,
 * then move the local branch from `local` to it, the index and work tree
 * following (carry_work_tree) — refused before anything moves when a path
 * the remote changed has local changes. */
static int rebuild(struct git_ctx *c, struct pub_status **mine, const git_oid *rtip, int rborn,
                   git_oid *local, struct base_error *err)
{
	struct pub_status *theirs = NULL, *next = NULL;
	git_oid rblob, nid;
	char *text = NULL;
	int rc = -1;

	if (status_at(c, rborn ? rtip : NULL, &theirs, &rblob, err) < 0)
		goto out;
	if (c->o->rebase) {
		if (c->o->rebase(c->o->rebase_ctx, theirs, &next, err) < 0)
			goto out;
		pub_status_free(*mine);
		*mine = next;
	} else if (pub_status_merge(*mine, theirs, err) < 0) {
		goto out;
	}
	text = pub_status_serialize(*mine);
	if (!text) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (make_commit(c, rborn ? rtip : NULL, text, theirs, *mine, &nid, err) < 0)
		goto out;
	if (carry_work_tree(c, local, &nid, 1, err) != 0)
		goto out;
	if (move_branch(c->repo, c->branch, &nid, local, err) != 0)
		goto out;
	if (carry_work_tree(c, local, &nid, 0, err) != 0)
		goto out;
	git_oid_cpy(local, &nid);
	if (pub_status_write(c->abspath, *mine, err) < 0 || refresh_index_entry(c, err) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	pub_status_free(theirs);
	return rc;
}

#define MAX_ERRS 3

static int push_loop(struct git_ctx *c, const git_oid *start, struct base_error *err)
{
	git_remote *remote = NULL;
	const char *rname = c->o->remote ? c->o->remote : "origin";
	long long t0 = mono_ms();
	long long window = c->o->retry_ms > 0 ? c->o->retry_ms : PUB_GIT_RETRY_MS;
	unsigned long long seed;
	struct pub_status *mine = NULL;
	git_oid local = *start;
	char *text = NULL;
	int rc = -1, attempt = 0, sig = 0, errs = 0;
	const char *why = "";

	if (git_remote_lookup(&remote, c->repo, rname) < 0) {
		grec_fail(err, "remote");
		goto out;
	}
	/* our side of any merge: a deep copy of this run's status */
	text = pub_status_serialize(c->cur);
	if (!text || pub_status_parse(c->relpath, text, strlen(text), &mine, err) < 0)
		goto out;
	seed = ((unsigned long long)getpid() << 32) ^ (unsigned long long)t0 ^
	       (unsigned long long)(uintptr_t)&seed;
	seed = seed ? seed : 88172645463325252ULL;
	for (;;) {
		int r;
		git_oid rtip;
		int rborn;
		long long wait;

		attempt++;
		if (c->o->attempts)
			*c->o->attempts = attempt;
		r = push_once(c, remote, &local, err);
		if (r == 0) {
			note(c, "git: pushed %s to %s, attempt %d, %.1f s", c->short_branch, rname,
			     attempt, (double)(mono_ms() - t0) / 1000.0);
			rc = 0;
			goto out;
		}
		/* A push that failed (a dropped connection, a lock the remote's
		 * other writers held) is tried again like a rejected one, at
		 * most MAX_ERRS times in a row. */
		if (r < 0 && (c->auth_failed || ++errs >= MAX_ERRS))
			goto out; /* the same credentials fail the same way again */
		if (r > 0)
			errs = 0;
		wait = backoff_ms(attempt, &seed);
		if (c->o->max_attempts > 0 && attempt >= c->o->max_attempts) {
			why = "";
			break;
		}
		if (mono_ms() + wait - t0 >= window) {
			why = window < PUB_GIT_RETRY_MS ? "; retrying stopped at the run's deadline"
			                                : "; retrying stopped after 10 minutes";
			break;
		}
		if ((sig = stop_asked(c)) || (sig = backoff_sleep(c, wait)))
			break;
		if (r > 0) {
			note(c, "git: push of %s to %s rejected%s%s; merging, attempt %d",
			     c->short_branch, rname, c->reject_msg[0] ? ": " : "", c->reject_msg,
			     attempt + 1);
		} else {
			note(c, "git: push of %s to %s failed: %s; trying again, attempt %d",
			     c->short_branch, rname, err->msg, attempt + 1);
			base_error_clear(err);
		}
		if (fetch_branch(c, remote, &rtip, &rborn, err) < 0) {
			if (c->auth_failed || ++errs >= MAX_ERRS)
				goto out;
			note(c, "git: fetch of %s from %s failed: %s; trying again",
			     c->short_branch, rname, err->msg);
			base_error_clear(err);
			continue;
		}
		if (rebuild(c, &mine, &rtip, rborn, &local, err) < 0)
			goto out;
		if ((sig = stop_asked(c)))
			break;
	}
	if (sig)
		base_error_set(err,
		               "push %s to %s: rejected %d time%s (not a fast-forward); retrying "
		               "stopped by %s",
		               c->short_branch, rname, attempt, attempt == 1 ? "" : "s",
		               sig == SIGTERM  ? "SIGTERM"
		               : sig == SIGINT ? "SIGINT"
		                               : "a signal");
	else
		base_error_set(err,
		               "push %s to %s: rejected %d time%s in %.1f s (not a fast-forward)%s",
		               c->short_branch, rname, attempt, attempt == 1 ? "" : "s",
		               (double)(mono_ms() - t0) / 1000.0, why);
out:
	free(text);
	pub_status_free(mine);
	git_remote_free(remote);
	return rc;
}

void grec_close(struct git_ctx *c)
{
	git_signature_free(c->sig);
	free(c->relpath);
	free(c->abspath);
	git_repository_free(c->repo);
	memset(c, 0, sizeof(*c));
	git_libgit2_shutdown();
}

int pub_git_record(const char *status_path, const struct pub_status *prev,
                   const struct pub_status *cur, const struct pub_git_options *o, int *committed,
                   struct base_error *err)
{
	static const struct pub_git_options dflt;
	struct git_ctx c;
	struct pub_status *old = NULL;
	git_oid tip, head_blob, new_commit;
	int born = 0, rc = -1;
	char *text = NULL;

	memset(&c, 0, sizeof(c));
	c.o = o ? o : &dflt;
	c.cur = cur;
	*committed = 0;
	git_libgit2_init();
	if (grec_open_repo(&c, status_path, err) < 0 ||
	    grec_head_branch(&c, &tip, &born, err) < 0 || grec_signature(&c, err) < 0)
		goto out;
	if (status_at(&c, born ? &tip : NULL, &old, &head_blob, err) < 0) {
		/* an unreadable old copy is replaced, and the body is built from prev */
		base_error_clear(err);
		old = NULL;
	}
	text = pub_status_serialize(cur);
	if (!text) {
		base_error_set(err, "out of memory");
		goto out;
	}
	git_oid want;
	if (git_odb_hash(&want, text, strlen(text), GIT_OBJECT_BLOB) < 0) {
		grec_fail(err, "hash");
		goto out;
	}
	if (!born || !git_oid_equal(&want, &head_blob)) {
		const struct pub_status *base = old ? old : prev;
		struct pub_status empty = {.schema = 1};
		if (make_commit(&c, born ? &tip : NULL, text, base ? base : &empty, cur,
		                &new_commit, err) < 0)
			goto out;
		if (move_branch(c.repo, c.branch, &new_commit, born ? &tip : NULL, err) != 0)
			goto out;
		if (refresh_index_entry(&c, err) < 0)
			goto out;
		*committed = 1;
		tip = new_commit;
		born = 1;
	}
	if (c.o->push) {
		if (!born) {
			base_error_set(err, "push: branch %s has no commits", c.short_branch);
			goto out;
		}
		if (push_loop(&c, &tip, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0 && c.relpath && !strstr(err->msg, c.relpath))
		base_error_wrap(err, "git record of %s", c.relpath);
	free(text);
	pub_status_free(old);
	grec_close(&c);
	return rc;
}

int pub_git_status_at(const char *status_path, const char *rev, struct pub_status **out,
                      struct base_error *err)
{
	struct git_ctx c;
	git_object *obj = NULL;
	git_commit *commit = NULL;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	*out = NULL;
	git_libgit2_init();
	if (grec_open_repo(&c, status_path, err) < 0)
		goto out;
	if (git_revparse_single(&obj, c.repo, rev) < 0 ||
	    git_object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		grec_fail(err, "resolve");
		goto out;
	}
	rc = status_at(&c, git_commit_id(commit), out, NULL, err);
out:
	if (rc < 0)
		base_error_wrap(err, "%s at %s", status_path, rev);
	git_commit_free(commit);
	git_object_free(obj);
	grec_close(&c);
	return rc;
}
