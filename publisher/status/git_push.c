/* git_push.c — one push of the status commit and one fetch of the remote
 * branch (libgit2): credentials from MANIFOLD_GIT_USERNAME /
 * MANIFOLD_GIT_PASSWORD or the ssh agent, an authentication failure said
 * with what to set, and a local remote's branch swapped by
 * compare-and-swap (libgit2's local transport would force it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>

#include <git2.h>

#include "git_internal.h"

static int cred_cb(git_credential **out, const char *url, const char *user_from_url,
                   unsigned int allowed, void *payload)
{
	struct git_ctx *c = payload;
	const char *user = base_env("MANIFOLD_GIT_USERNAME"),
	           *pw = base_env("MANIFOLD_GIT_PASSWORD");
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

/* A local remote's directory locked: exclusively while a push's private ref
 * is there, shared while a fetch lists the refs, so that a fetch never
 * lists a private ref another run removes before it is read (libgit2's
 * local transport then fails the fetch). The fd to close, or -1 when the
 * directory cannot be opened: no lock, and libgit2 says why. */
static int local_remote_lock(const char *lpath, int how)
{
	int fd = open(lpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	while (fd >= 0 && flock(fd, how) < 0 && errno == EINTR)
		;
	return fd;
}

/* One push of local `id`. 0 pushed; 1 rejected (not a fast-forward); -1 error. */
int status_gitrec_push_once(struct git_ctx *c, git_remote *remote, const git_oid *id,
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
			status_gitrec_fail(err, "push");
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
	int lock;
	if (git_repository_open_bare(&rr, lpath) < 0 && git_repository_open(&rr, lpath) < 0) {
		status_gitrec_fail(err, "open remote");
		return -1;
	}
	lock = local_remote_lock(lpath, LOCK_EX);
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
		status_gitrec_fail(err, "push");
		rc = -1;
		goto local_out;
	}
	rc = status_gitrec_move_branch(rr, c->branch, id, have_expect ? &expect : NULL, err);
	if (rc == 1)
		base_error_clear(err);
	git_reference_remove(rr, tmpref);
local_out:
	git_repository_free(rr);
	if (lock >= 0)
		close(lock);
	return rc;
}

/* Fetch the branch; *tip = remote head (born = 0 when the remote has none). */
int status_gitrec_fetch_branch(struct git_ctx *c, git_remote *remote, git_oid *tip, int *born,
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
	const char *lpath = local_remote_path(git_remote_url(remote));
	int lock = lpath ? local_remote_lock(lpath, LOCK_SH) : -1, rc;

	snprintf(spec, sizeof(spec), "+%s:%s", c->branch, track);
	rc = git_remote_fetch(remote, &specs, &fo, "manifold: fetch");
	if (lock >= 0)
		close(lock);
	if (rc < 0) {
		if (c->auth_failed)
			auth_fail(c, remote, "fetch", err);
		else
			status_gitrec_fail(err, "fetch");
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
