/* test_pub_git.c — pub_git_record against real repositories: libgit2 writes,
 * the git CLI reads back; a staged unrelated change survives; a rerun changes
 * only last_run; two processes racing to push to one bare remote both land. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"

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

static void target(struct pub_target_status *t, const char *ref, enum pub_target_state s,
                   const char *digest, const char *since)
{
	memset(t, 0, sizeof(*t));
	t->target = strdup(ref);
	t->state = s;
	t->digest = digest ? strdup(digest) : NULL;
	t->since = strdup(since);
}

/* A status with targets "<prefix>a" (published) and "<prefix>b" (state sb). */
static struct pub_status *mk(const char *prefix, enum pub_target_state sb, const char *finished)
{
	struct pub_status *st = calloc(1, sizeof(*st));
	char a[128], b[128];
	st->schema = 1;
	st->config = strdup("configs/release.yaml");
	st->last_run.started = strdup(finished);
	st->last_run.finished = strdup(finished);
	st->last_run.published = 1;
	st->last_run.incomplete = sb == PUB_T_INCOMPLETE;
	st->last_run.unchanged = sb == PUB_T_UNCHANGED;
	st->n_targets = 2;
	st->targets = calloc(2, sizeof(*st->targets));
	snprintf(a, sizeof(a), "reg.example/%sa:v1", prefix);
	snprintf(b, sizeof(b), "reg.example/%sb:v1", prefix);
	target(&st->targets[0], a, PUB_T_PUBLISHED, "sha256:aaaa", "2026-11-20T03:00:00Z");
	target(&st->targets[1], b, sb, sb == PUB_T_INCOMPLETE ? NULL : "sha256:bbbb",
	       sb == PUB_T_INCOMPLETE ? "2026-11-20T03:00:00Z" : finished);
	return st;
}

static int record(const char *path, const struct pub_status *prev, struct pub_status *cur, int push,
                  int *committed, struct reg_error *err)
{
	struct pub_git_options o = {.author = "Night Job <night@example.org>", .push = push};
	if (pub_status_write(path, cur, err) < 0)
		return -1;
	return pub_git_record(path, prev, cur, &o, committed, err);
}

static void test_commit_keeps_staged_change(void)
{
	char path[512], *out;
	struct reg_error err = {0};
	int committed = -1;

	free(sh(
	    "set -e; cd %s && git init -q -b main wt && cd wt && git config user.name T && "
	    "git config user.email t@x && echo one > other.txt && mkdir status && "
	    "git add other.txt && git commit -qm init && echo two > other.txt && git add other.txt "
	    "&& echo three > other.txt",
	    root));
	snprintf(path, sizeof(path), "%s/wt/status/release.json", root);
	struct pub_status *s1 = mk("", PUB_T_INCOMPLETE, "2026-11-21T03:00:00Z");
	CHECK_INT(record(path, NULL, s1, 0, &committed, &err), 0);
	CHECK_STR(err.msg, "");
	CHECK_INT(committed, 1);
	out = sh("cd %s/wt && git log -1 --format='%%an <%%ae>|%%s%%n%%b'", root);
	CHECK_STR(out,
	          "Night Job <night@example.org>|manifold: 1 published, 0 unchanged, 1 incomplete, "
	          "0 failed\n"
	          "reg.example/a:v1: none -> published\n"
	          "reg.example/b:v1: none -> incomplete\n\n");
	free(out);
	out = sh("cd %s/wt && git show --stat --format= HEAD | head -1", root);
	CHECK(strstr(out, "status/release.json") != NULL);
	free(out);
	/* the staged other.txt stays staged with "two", the work tree has "three" */
	out = sh("cd %s/wt && git status --porcelain && git show :other.txt", root);
	CHECK_STR(out, "MM other.txt\ntwo\n");
	free(out);

	/* the next night: b published; body lists b only */
	struct pub_status *s2 = mk("", PUB_T_PUBLISHED, "2026-11-22T03:00:00Z");
	CHECK_INT(record(path, s1, s2, 0, &committed, &err), 0);
	CHECK_INT(committed, 1);
	out = sh("cd %s/wt && git log -1 --format=%%b", root);
	CHECK_STR(out, "reg.example/b:v1: incomplete -> published\n\n");
	free(out);

	/* a rerun where only last_run moved: the commit's diff is last_run only */
	free(s2->last_run.finished);
	s2->last_run.finished = strdup("2026-11-23T03:00:00Z");
	CHECK_INT(record(path, s2, s2, 0, &committed, &err), 0);
	CHECK_INT(committed, 1);
	out = sh("cd %s/wt && git diff HEAD~1 HEAD -U0 | grep '^[-+] '", root);
	CHECK_STR(out, "-    \"finished\": \"2026-11-22T03:00:00Z\",\n"
	               "+    \"finished\": \"2026-11-23T03:00:00Z\",\n");
	free(out);
	/* and the same status again: nothing to commit */
	CHECK_INT(record(path, s2, s2, 0, &committed, &err), 0);
	CHECK_INT(committed, 0);
	out = sh("cd %s/wt && git rev-list --count HEAD && git status --porcelain", root);
	CHECK_STR(out, "4\nMM other.txt\n");
	free(out);
	pub_status_free(s1);
	pub_status_free(s2);
}

static void test_unborn_branch(void)
{
	char path[512], *out;
	struct reg_error err = {0};
	int committed = -1;
	free(sh("cd %s && git init -q -b night unborn", root));
	snprintf(path, sizeof(path), "%s/unborn/release.json", root);
	struct pub_status *s = mk("", PUB_T_PUBLISHED, "2026-11-21T03:00:00Z");
	CHECK_INT(record(path, NULL, s, 0, &committed, &err), 0);
	CHECK_STR(err.msg, "");
	out =
	    sh("cd %s/unborn && git log --format='%%an|%%s' night && git status --porcelain", root);
	/* no --author: with no git config either, manifold's own identity */
	CHECK(strstr(out, "manifold: 1 published") != NULL);
	CHECK(strstr(out, "??") == NULL);
	free(out);
	pub_status_free(s);
}

/* Each racer clones the bare remote, commits its own shard and pushes. */
static void race_child(int n)
{
	char path[512], prefix[16];
	struct reg_error err = {0};
	int committed;
	snprintf(prefix, sizeof(prefix), "s%d", n);
	snprintf(path, sizeof(path), "%s/clone%d/status.json", root, n);
	struct pub_status *s =
	    mk(prefix, PUB_T_PUBLISHED, n ? "2026-11-22T03:00:01Z" : "2026-11-22T03:00:00Z");
	int rc = record(path, NULL, s, 1, &committed, &err);
	if (rc < 0)
		fprintf(stderr, "racer %d: %s\n", n, err.msg);
	pub_status_free(s);
	_exit(rc < 0 ? 1 : 0);
}

static void test_two_racers_both_land(void)
{
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
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	out = sh("cd %s/remote.git && git show main:status.json | grep '\"target\"' && "
	         "git log --format=%%s main",
	         root);
	/* both shards' targets, both racers' commits, nothing lost */
	CHECK_STR(out, "      \"target\": \"reg.example/s0a:v1\",\n"
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
	CHECK_STR(out, "");
	free(out);
}

int main(void)
{
	char tmpl[] = "/tmp/manifold-git-XXXXXX";
	if (!mkdtemp(tmpl))
		return 2;
	snprintf(root, sizeof(root), "%s", tmpl);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("HOME", root, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	test_commit_keeps_staged_change();
	test_unborn_branch();
	test_two_racers_both_land();
	free(sh("rm -rf %s", root));
	return check_finish();
}
