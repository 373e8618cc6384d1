/* test_status_git.c — status_git_record against real repositories: libgit2 writes,
 * the git CLI reads back; a staged unrelated change survives; a rerun changes
 * only last_run; two processes racing to push to one bare remote both land;
 * a rejected push's retries end on a signal or when their time is up. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "status_git.h"

static char root[256];

/* Output of a shell command (trailing newline kept), malloc'd. */
static char *sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	size_t cap = 4096, len = 0, n;
	char *buf = malloc(cap);
	while (p && (n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	if (p)
		pclose(p);
	return buf;
}

static void target(struct status_target_status *t, const char *ref, enum status_target_state s,
                   const char *digest, const char *since)
{
	memset(t, 0, sizeof(*t));
	t->target = strdup(ref);
	t->state = s;
	t->digest = digest ? strdup(digest) : NULL;
	t->since = strdup(since);
}

/* A status with targets "<prefix>a" (published) and "<prefix>b" (state sb). */
static struct status_status *mk(const char *prefix, enum status_target_state sb,
                                const char *finished)
{
	struct status_status *st = calloc(1, sizeof(*st));
	char a[128], b[128];
	st->schema = 1;
	st->config = strdup("configs/release.yaml");
	st->last_run.started = strdup(finished);
	st->last_run.finished = strdup(finished);
	st->last_run.published = 1;
	st->last_run.incomplete = sb == STATUS_T_INCOMPLETE;
	st->last_run.unchanged = sb == STATUS_T_UNCHANGED;
	st->n_targets = 2;
	st->targets = calloc(2, sizeof(*st->targets));
	snprintf(a, sizeof(a), "reg.example/%sa:v1", prefix);
	snprintf(b, sizeof(b), "reg.example/%sb:v1", prefix);
	target(&st->targets[0], a, STATUS_T_PUBLISHED, "sha256:aaaa", "2026-11-20T03:00:00Z");
	target(&st->targets[1], b, sb, sb == STATUS_T_INCOMPLETE ? NULL : "sha256:bbbb",
	       sb == STATUS_T_INCOMPLETE ? "2026-11-20T03:00:00Z" : finished);
	return st;
}

static int record(const char *path, const struct status_status *prev, struct status_status *cur,
                  int push, int *committed, struct base_error *err)
{
	struct status_git_options o = {.author = "Night Job <night@example.org>", .push = push};
	if (status_write(path, cur, err) < 0)
		return -1;
	return status_git_record(path, prev, cur, &o, committed, err);
}

/* A work tree root/<name>/wt whose other.txt has "two" staged and
 * "three" in the work tree; its status file is path. */
static void staged_repo(const char *name, char *path, size_t path_len)
{
	free(sh("set -e; mkdir %s/%s && cd %s/%s && git init -q -b main wt && cd wt && "
	        "git config user.name T && git config user.email t@x && echo one > other.txt && "
	        "mkdir status && git add other.txt && git commit -qm init && echo two > other.txt "
	        "&& git add other.txt && echo three > other.txt",
	        root, name, root, name));
	snprintf(path, path_len, "%s/%s/wt/status/release.json", root, name);
}

/* The nights a repository has seen: 1 (a published, b incomplete), 2 (b
 * published), 3 (a rerun where only last_run.finished moved). */
struct nights {
	struct status_status *s1, *s2;
};

static void run_nights(const char *path, int n, struct nights *ns)
{
	struct base_error err = {0};
	int committed = -1;
	ns->s1 = mk("", STATUS_T_INCOMPLETE, "2026-11-21T03:00:00Z");
	ns->s2 = mk("", STATUS_T_PUBLISHED, "2026-11-22T03:00:00Z");
	if (n >= 1) {
		assert_int_equal(record(path, NULL, ns->s1, 0, &committed, &err), 0);
		assert_int_equal(committed, 1);
	}
	if (n >= 2) {
		assert_int_equal(record(path, ns->s1, ns->s2, 0, &committed, &err), 0);
		assert_int_equal(committed, 1);
	}
	if (n >= 3) {
		free(ns->s2->last_run.finished);
		ns->s2->last_run.finished = strdup("2026-11-23T03:00:00Z");
		assert_int_equal(record(path, ns->s2, ns->s2, 0, &committed, &err), 0);
		assert_int_equal(committed, 1);
	}
}

static void nights_free(struct nights *ns)
{
	status_free(ns->s1);
	status_free(ns->s2);
}

static void git_record_commits_with_author_and_per_target_changes(void **state)
{
	(void)state;
	char path[512], *out;
	struct base_error err = {0};
	int committed = -1;
	struct status_status *s1 = mk("", STATUS_T_INCOMPLETE, "2026-11-21T03:00:00Z");

	staged_repo("first", path, sizeof(path));
	assert_int_equal(record(path, NULL, s1, 0, &committed, &err), 0);
	assert_string_equal(err.msg, "");
	assert_int_equal(committed, 1);
	out = sh("cd %s/first/wt && git log -1 --format='%%an <%%ae>|%%s%%n%%b'", root);
	assert_string_equal(
	    out, "Night Job <night@example.org>|manifold: 1 published, 0 unchanged, 1 incomplete, "
	         "0 failed\n"
	         "reg.example/a:v1: none -> published\n"
	         "reg.example/b:v1: none -> incomplete\n\n");
	free(out);
	out = sh("cd %s/first/wt && git show --stat --format= HEAD | head -1", root);
	assert_non_null(strstr(out, "status/release.json"));
	free(out);
	status_free(s1);
}

static void git_record_leaves_staged_unrelated_change_alone(void **state)
{
	(void)state;
	char path[512], *out;
	struct nights ns;

	staged_repo("staged", path, sizeof(path));
	run_nights(path, 1, &ns);
	/* the staged other.txt stays staged with "two", the work tree has "three" */
	out = sh("cd %s/staged/wt && git status --porcelain && git show :other.txt", root);
	assert_string_equal(out, "MM other.txt\ntwo\n");
	free(out);
	nights_free(&ns);
}

static void git_record_body_lists_only_changed_targets(void **state)
{
	(void)state;
	char path[512], *out;
	struct base_error err = {0};
	int committed = -1;
	struct nights ns;

	staged_repo("next", path, sizeof(path));
	run_nights(path, 1, &ns);
	/* the next night: b published; body lists b only */
	assert_int_equal(record(path, ns.s1, ns.s2, 0, &committed, &err), 0);
	assert_int_equal(committed, 1);
	out = sh("cd %s/next/wt && git log -1 --format=%%b", root);
	assert_string_equal(out, "reg.example/b:v1: incomplete -> published\n\n");
	free(out);
	nights_free(&ns);
}

static void git_record_rerun_commits_only_last_run(void **state)
{
	(void)state;
	char path[512], *out;
	struct base_error err = {0};
	int committed = -1;
	struct nights ns;

	staged_repo("rerun", path, sizeof(path));
	run_nights(path, 2, &ns);
	/* a rerun where only last_run moved: the commit's diff is last_run only */
	free(ns.s2->last_run.finished);
	ns.s2->last_run.finished = strdup("2026-11-23T03:00:00Z");
	assert_int_equal(record(path, ns.s2, ns.s2, 0, &committed, &err), 0);
	assert_int_equal(committed, 1);
	out = sh("cd %s/rerun/wt && git diff HEAD~1 HEAD -U0 | grep '^[-+] '", root);
	assert_string_equal(out, "-    \"finished\": \"2026-11-22T03:00:00Z\",\n"
	                         "+    \"finished\": \"2026-11-23T03:00:00Z\",\n");
	free(out);
	nights_free(&ns);
}

static void git_record_same_status_commits_nothing(void **state)
{
	(void)state;
	char path[512], *out;
	struct base_error err = {0};
	int committed = -1;
	struct nights ns;

	staged_repo("same", path, sizeof(path));
	run_nights(path, 3, &ns);
	assert_int_equal(record(path, ns.s2, ns.s2, 0, &committed, &err), 0);
	assert_int_equal(committed, 0);
	out = sh("cd %s/same/wt && git rev-list --count HEAD && git status --porcelain", root);
	assert_string_equal(out, "4\nMM other.txt\n");
	free(out);
	nights_free(&ns);
}

static void git_record_commits_on_unborn_branch_as_manifold(void **state)
{
	(void)state;
	char path[512], *out;
	struct base_error err = {0};
	int committed = -1;
	free(sh("cd %s && git init -q -b night unborn", root));
	snprintf(path, sizeof(path), "%s/unborn/release.json", root);
	struct status_status *s = mk("", STATUS_T_PUBLISHED, "2026-11-21T03:00:00Z");
	assert_int_equal(record(path, NULL, s, 0, &committed, &err), 0);
	assert_string_equal(err.msg, "");
	out =
	    sh("cd %s/unborn && git log --format='%%an|%%s' night && git status --porcelain", root);
	/* no --author: with no git config either, manifold's own identity */
	assert_non_null(strstr(out, "manifold: 1 published"));
	assert_null(strstr(out, "??"));
	free(out);
	status_free(s);
}

/* Each racer clones the bare remote, commits its own shard and pushes. */
static void race_child(int n)
{
	char path[512], prefix[16];
	struct base_error err = {0};
	int committed;
	snprintf(prefix, sizeof(prefix), "s%d", n);
	snprintf(path, sizeof(path), "%s/clone%d/status.json", root, n);
	struct status_status *s =
	    mk(prefix, STATUS_T_PUBLISHED, n ? "2026-11-22T03:00:01Z" : "2026-11-22T03:00:00Z");
	int rc = record(path, NULL, s, 1, &committed, &err);
	if (rc < 0)
		fprintf(stderr, "racer %d: %s\n", n, err.msg);
	status_free(s);
	_exit(rc < 0 ? 1 : 0);
}

static void git_record_two_racing_pushes_both_land(void **state)
{
	(void)state;
	char *out;
	free(sh(
	    "set -e; cd %s && git init -q --bare -b main remote.git && git init -q -b main seed && "
	    "cd seed && echo x > README && git add README && git -c user.name=T -c user.email=t@x "
	    "commit -qm seed && git push -q ../remote.git main && cd .. && "
	    "git clone -q remote.git clone0 && git clone -q file://%s/remote.git clone1",
	    root, root));
	pid_t p[2];
	for (int i = 0; i < 2; i++) {
		p[i] = fork();
		if (p[i] == 0)
			race_child(i);
	}
	for (int i = 0; i < 2; i++) {
		int st = 0;
		waitpid(p[i], &st, 0);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	out = sh("cd %s/remote.git && git show main:status.json | grep '\"target\"' && "
	         "git log --format=%%s main",
	         root);
	/* both shards' targets, both racers' commits, nothing lost */
	assert_string_equal(out, "      \"target\": \"reg.example/s0a:v1\",\n"
	                         "      \"target\": \"reg.example/s0b:v1\",\n"
	                         "      \"target\": \"reg.example/s1a:v1\",\n"
	                         "      \"target\": \"reg.example/s1b:v1\",\n"
	                         "manifold: 1 published, 0 unchanged, 0 incomplete, 0 failed\n"
	                         "manifold: 1 published, 0 unchanged, 0 incomplete, 0 failed\n"
	                         "seed\n");
	free(out);
	/* the loser's clone was fast-forwarded to the merged commit: clean */
	out = sh("cd %s/clone0 && git status --porcelain; cd %s/clone1 && git status --porcelain",
	         root, root);
	assert_string_equal(out, "");
	free(out);
}

static int stop_term(void *ctx)
{
	(void)ctx;
	return SIGTERM;
}

/* A clone one commit behind its remote: its first push is rejected. What
 * ends the retries then — a signal, the time left — is said, the local
 * status commit stays, the remote and the person's staged change are as
 * they were, and the attempts are counted. */
static void git_record_rejected_push_ends_on_signal_or_time(void **state)
{
	(void)state;
	char path[512], *out, *remote_before;
	struct base_error err = {0};
	int committed = 0, attempts = -1;
	struct status_status *s = mk("", STATUS_T_PUBLISHED, "2026-11-22T03:00:00Z");
	struct status_git_options o = {.author = "Night Job <night@example.org>",
	                               .push = 1,
	                               .stopped = stop_term,
	                               .attempts = &attempts};

	free(
	    sh("set -e; cd %s && git init -q --bare -b main stop.git && git init -q -b main "
	       "stopseed && cd stopseed && echo x > README && git add README && git -c user.name=T "
	       "-c user.email=t@x commit -qm seed && git push -q ../stop.git main && cd .. && "
	       "git clone -q stop.git stopclone 2>/dev/null && cd stopseed && echo y > README && "
	       "git -c user.name=T -c user.email=t@x commit -qam ahead && git push -q ../stop.git "
	       "main && cd ../stopclone && echo mine > README && git add README",
	       root));
	snprintf(path, sizeof(path), "%s/stopclone/status.json", root);
	remote_before = sh("git -C %s/stop.git rev-parse main", root);
	assert_int_equal(status_write(path, s, &err), 0);
	assert_int_equal(status_git_record(path, NULL, s, &o, &committed, &err), -1);
	assert_string_equal(err.msg, "git record of status.json: push main to origin: rejected 1 "
	                             "time (not a fast-forward); retrying stopped by SIGTERM");
	assert_int_equal(committed, 1);
	assert_int_equal(attempts, 1);

	/* no signal, but only a millisecond to retry in */
	o.stopped = NULL;
	o.retry_ms = 1;
	free(s->last_run.finished);
	s->last_run.finished = strdup("2026-11-23T03:00:00Z");
	assert_int_equal(status_write(path, s, &err), 0);
	assert_int_equal(status_git_record(path, NULL, s, &o, &committed, &err), -1);
	assert_non_null(strstr(err.msg, "push main to origin: rejected 1 time in "));
	assert_non_null(
	    strstr(err.msg, "(not a fast-forward); retrying stopped at the run's deadline"));
	assert_int_equal(attempts, 1);

	out = sh("cd %s/stopclone && git rev-parse main~2 && git -C ../stop.git rev-parse main && "
	         "git status --porcelain && git show :README",
	         root);
	char *want = NULL, *seed = sh("git -C %s/stop.git rev-parse main~1", root);
	assert_true(asprintf(&want, "%s%sM  README\nmine\n", seed, remote_before) > 0);
	assert_string_equal(out, want);
	free(want);
	free(seed);
	free(out);
	free(remote_before);
	status_free(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(git_record_commits_with_author_and_per_target_changes),
	    cmocka_unit_test(git_record_leaves_staged_unrelated_change_alone),
	    cmocka_unit_test(git_record_body_lists_only_changed_targets),
	    cmocka_unit_test(git_record_rerun_commits_only_last_run),
	    cmocka_unit_test(git_record_same_status_commits_nothing),
	    cmocka_unit_test(git_record_commits_on_unborn_branch_as_manifold),
	    cmocka_unit_test(git_record_two_racing_pushes_both_land),
	    cmocka_unit_test(git_record_rejected_push_ends_on_signal_or_time),
	};
	int rc;

	if (unit_git_sandbox("git", root, sizeof(root)) < 0)
		return 2;
	rc = unit_run_group("test_status_git", tests, argc, argv);
	if (unit_tmpdir_remove(root) < 0)
		rc = rc ? rc : 1;
	return rc;
}
