/* test_status_history_cache.c — the cache of version summaries that
 * pub_history_read keeps in the git directory: the reports made through it
 * are the bytes made without it, warm or cold; a corrupted or truncated
 * entry is ignored and written again; where the git directory cannot hold
 * the cache it goes to $XDG_CACHE_HOME, and where neither can, nowhere. */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "status.h"

#define NOW      "2026-11-22T09:00:00Z"
#define VERSIONS 31 /* status_history.py's 30 nights and one in another layout */

static char root[256];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* The demo history (tests/integration/status_history.py), then one more
 * night written compactly, which history_git.c parses whole. */
static void make_repo(const char *name, char *repo, size_t len)
{
	snprintf(repo, len, "%s/%s", root, name);
	sh("python3 %s/tests/integration/status_history.py %s", getenv("MANIFOLD_SOURCE_DIR"),
	   repo);
	sh("cd %s && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
	   "d[\"last_run\"][\"finished\"]=\"2026-11-23T03:04:10Z\"; "
	   "d[\"targets\"][0][\"state\"]=\"failed\"; "
	   "json.dump(d, open(sys.argv[1], \"w\"))' status/release.json && "
	   "git -c user.name=T -c user.email=t@x commit -qam compact",
	   repo);
}

/* The JSON series, the HTML page and the Markdown, one after another. */
static char *render(const char *repo, int no_cache)
{
	char path[600], *text = NULL;
	size_t len = 0;
	struct pub_history_options o = {.no_cache = no_cache};
	struct pub_history *h = NULL;
	struct pub_status *st = NULL;
	struct reg_error err = {0};
	FILE *f = open_memstream(&text, &len);

	snprintf(path, sizeof(path), "%s/status/release.json", repo);
	if (pub_history_read(path, &o, &h, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(pub_status_load(path, &st, &err), 0);
	assert_int_equal(pub_history_report_json(f, h), 0);
	assert_int_equal(pub_report_html_history(f, st, NULL, h, NOW), 0);
	assert_int_equal(pub_report_markdown_history(f, st, NULL, h, NOW), 0);
	fclose(f);
	assert_int_equal(h->n_nights, VERSIONS);
	pub_status_free(st);
	pub_history_free(h);
	return text;
}

/* Entries in dir (and their inode numbers, when ino is given); -1 when dir
 * is not there. */
static int entries(const char *dir, ino_t *ino, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			if (ino && (size_t)n < max)
				ino[n] = e->d_ino;
			n++;
		}
	closedir(d);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	p = malloc(*len + 1);
	assert_int_equal(fread(p, 1, *len, f), *len);
	fclose(f);
	return p;
}

/* The cache entry of the file's version at rev. */
static void entry_at(const char *repo, const char *rev, char *path, size_t len)
{
	char cmd[800], hex[64] = "";
	FILE *p;
	snprintf(cmd, sizeof(cmd), "git -C %s rev-parse %s:status/release.json", repo, rev);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(hex, sizeof(hex), p));
	pclose(p);
	hex[strcspn(hex, "\n")] = '\0';
	snprintf(path, len, "%s/.git/manifold/history-cache/%s", repo, hex);
}

static void cache_gives_the_same_bytes_cold_and_warm(void **state)
{
	(void)state;
	char repo[512], dir[600];
	ino_t before[64], after[64];
	make_repo("same", repo, sizeof(repo));
	snprintf(dir, sizeof(dir), "%s/.git/manifold/history-cache", repo);
	char *plain = render(repo, 1);
	assert_int_equal(entries(dir, NULL, 0), -1); /* no_cache: nothing written */
	char *cold = render(repo, 0);
	assert_int_equal(entries(dir, before, 64), VERSIONS);
	char *warm = render(repo, 0);
	assert_int_equal(entries(dir, after, 64), VERSIONS);
	/* every entry was read, none written again */
	assert_memory_equal(before, after, VERSIONS * sizeof(ino_t));
	assert_string_equal(cold, plain);
	assert_string_equal(warm, plain);
	free(plain);
	free(cold);
	free(warm);
}

static void cache_ignores_and_rewrites_a_corrupted_entry(void **state)
{
	(void)state;
	char repo[512], flipped[700], cut[700], gone[700];
	size_t la, lb, lc, n;
	make_repo("corrupt", repo, sizeof(repo));
	char *plain = render(repo, 1), *first = render(repo, 0);
	entry_at(repo, "HEAD~5", flipped, sizeof(flipped));
	entry_at(repo, "HEAD~12", cut, sizeof(cut));
	entry_at(repo, "HEAD", gone, sizeof(gone));
	char *a = slurp(flipped, &la), *b = slurp(cut, &lb), *c = slurp(gone, &lc);
	sh("printf '\\377' | dd of=%s bs=1 seek=%zu conv=notrunc status=none", flipped, la / 2);
	sh("truncate -s %zu %s && rm %s", lb - 3, cut, gone);
	char *again = render(repo, 0);
	assert_string_equal(again, plain);
	assert_string_equal(first, plain);
	char *a2 = slurp(flipped, &n);
	assert_int_equal(n, la);
	assert_memory_equal(a2, a, la);
	char *b2 = slurp(cut, &n);
	assert_int_equal(n, lb);
	assert_memory_equal(b2, b, lb);
	char *c2 = slurp(gone, &n);
	assert_int_equal(n, lc);
	assert_memory_equal(c2, c, lc);
	free(a);
	free(b);
	free(c);
	free(a2);
	free(b2);
	free(c2);
	free(plain);
	free(first);
	free(again);
}

static void cache_falls_back_to_xdg_cache_home_then_to_none(void **state)
{
	(void)state;
	char repo[512], gitdir[600], xdg[600], dir[700], blocked[700];
	make_repo("readonly", repo, sizeof(repo));
	snprintf(gitdir, sizeof(gitdir), "%s/.git", repo);
	snprintf(xdg, sizeof(xdg), "%s/xdg", root);
	snprintf(dir, sizeof(dir), "%s/manifold/history-cache", xdg);
	snprintf(blocked, sizeof(blocked), "%s/blocked", root);
	char *plain = render(repo, 1);
	/* The git directory cannot take the cache: read-only, or (as root, whom
	 * permissions do not stop) a file where the cache's directory would be. */
	if (geteuid() != 0)
		assert_int_equal(chmod(gitdir, 0555), 0);
	else
		sh("touch %s/manifold", gitdir);
	setenv("XDG_CACHE_HOME", xdg, 1);
	char *cold = render(repo, 0), *warm = render(repo, 0);
	assert_int_equal(entries(dir, NULL, 0), VERSIONS);
	assert_string_equal(cold, plain);
	assert_string_equal(warm, plain);
	/* nowhere to write: XDG_CACHE_HOME and HOME are files */
	sh("touch %s", blocked);
	setenv("XDG_CACHE_HOME", blocked, 1);
	setenv("HOME", blocked, 1);
	char *none = render(repo, 0);
	assert_string_equal(none, plain);
	setenv("HOME", root, 1);
	unsetenv("XDG_CACHE_HOME");
	chmod(gitdir, 0755);
	free(plain);
	free(cold);
	free(warm);
	free(none);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cache_gives_the_same_bytes_cold_and_warm),
	    cmocka_unit_test(cache_ignores_and_rewrites_a_corrupted_entry),
	    cmocka_unit_test(cache_falls_back_to_xdg_cache_home_then_to_none),
	};
	char tmpl[] = "/tmp/manifold-history-cache-XXXXXX";
	char cmd[300];
	int rc;

	if (!mkdtemp(tmpl))
		return 2;
	snprintf(root, sizeof(root), "%s", tmpl);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("HOME", root, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	unsetenv("XDG_CACHE_HOME");
	rc = unit_run_group("test_status_history_cache", tests, argc, argv);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
