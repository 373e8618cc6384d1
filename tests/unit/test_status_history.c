/* test_status_history.c — the status file's history: nights by state,
 * streaks, platforms lacking, the platforms' own runs, ages in nights, the
 * JSON series, and status_history_read on a real repository (first-parent
 * commits that change the file, reruns as one night, a hand-written version
 * in another layout, ranges and --days); and its summary cache: the reports
 * made through it are the bytes made without it, warm or cold; a corrupted
 * or truncated entry is ignored and written again; where the git directory
 * cannot hold the cache it goes to $XDG_CACHE_HOME, and where neither can,
 * nowhere. */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "unit.h"
#include "status_report.h"

static char root[256];

/* Run a shell command; fail the case when it fails. */
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

static struct status_status *st_new(const char *finished)
{
	struct status_status *st = calloc(1, sizeof(*st));
	st->schema = 1;
	st->config = strdup("configs/release.yaml");
	st->last_run.started = strdup(finished);
	st->last_run.finished = strdup(finished);
	return st;
}

/* Target ref in state s; plats "linux/amd64=ready@sha256:aa,linux/s390x=missing". */
static void st_add(struct status_status *st, const char *ref, enum status_target_state s,
                   const char *plats)
{
	struct status_target_status *t;
	char *list = strdup(plats), *save = NULL;
	st->targets = realloc(st->targets, (st->n_targets + 1) * sizeof(*st->targets));
	t = &st->targets[st->n_targets++];
	memset(t, 0, sizeof(*t));
	t->target = strdup(ref);
	t->state = s;
	t->since = strdup(st->last_run.finished);
	if (s == STATUS_T_INCOMPLETE)
		t->reason = strdup("missing a platform");
	for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		struct status_platform_status *ps;
		char *eq = strchr(p, '='), *at = strchr(p, '@');
		t->platforms = realloc(t->platforms, (t->n_platforms + 1) * sizeof(*t->platforms));
		ps = &t->platforms[t->n_platforms++];
		memset(ps, 0, sizeof(*ps));
		ps->size = -1;
		if (at)
			*at = '\0';
		*eq = '\0';
		ps->platform = strdup(p);
		ps->source = strdup("reg.example/src:v1");
		assert_int_equal(status_platform_state_parse(eq + 1, &ps->state), 0);
		ps->digest = at ? strdup(at + 1) : NULL;
	}
	free(list);
	status_sort(st);
}

static void add_night(struct status_history *h, struct status_status *st)
{
	struct base_error err = {0};
	assert_int_equal(status_history_add_status(h, NULL, st, &err), 0);
	status_free(st);
}

static const char *const PA = "linux/amd64=ready@sha256:a1,linux/s390x=ready@sha256:s1";
static const char *const PM = "linux/amd64=ready@sha256:a1,linux/s390x=missing";

/* Nights 1..6 of "reg.example/x:v1": I I P I I I, and "reg.example/y:v1"
 * published throughout. */
static struct status_history *six_nights(void)
{
	static const enum status_target_state xs[] = {STATUS_T_INCOMPLETE, STATUS_T_INCOMPLETE,
	                                              STATUS_T_PUBLISHED,  STATUS_T_INCOMPLETE,
	                                              STATUS_T_INCOMPLETE, STATUS_T_INCOMPLETE};
	struct status_history *h = status_history_new(2); /* grows past its first guess */
	for (int n = 0; n < 6; n++) {
		char when[32];
		snprintf(when, sizeof(when), "2026-11-%02dT03:04:10Z", 10 + n);
		struct status_status *st = st_new(when);
		st_add(st, "reg.example/x:v1", xs[n], xs[n] == STATUS_T_PUBLISHED ? PA : PM);
		st_add(st, "reg.example/y:v1", n == 1 ? STATUS_T_UNCHANGED : STATUS_T_PUBLISHED,
		       PA);
		add_night(h, st);
	}
	status_history_finish(h);
	return h;
}

static void history_counts_targets_by_state_per_night(void **state)
{
	(void)state;
	struct status_history *h = six_nights();
	assert_int_equal(h->n_nights, 6);
	assert_int_equal(h->n_targets, 2);
	assert_int_equal(h->nights[0].counts[STATUS_T_INCOMPLETE], 1);
	assert_int_equal(h->nights[0].counts[STATUS_T_PUBLISHED], 1);
	assert_int_equal(h->nights[1].counts[STATUS_T_UNCHANGED], 1);
	assert_int_equal(h->nights[2].counts[STATUS_T_PUBLISHED], 2);
	assert_string_equal(h->nights[5].finished, "2026-11-15T03:04:10Z");
	status_history_free(h);
}

static void history_streaks_give_nights_to_green_and_longest_incomplete(void **state)
{
	(void)state;
	struct status_history *h = six_nights();
	const struct status_history_target *x = status_history_find(h, "reg.example/x:v1");
	assert_non_null(x);
	assert_int_equal(x->nights_to_green, 2);
	assert_int_equal(x->longest_incomplete, 3);
	assert_int_equal(x->nights_in_state, 3);
	char sum[128];
	status_history_summary(x, sum, sizeof(sum));
	assert_string_equal(sum, "green after 2 nights; longest incomplete streak 3 nights");
	status_history_free(h);
}

static void history_published_and_unchanged_are_one_run(void **state)
{
	(void)state;
	struct status_history *h = six_nights();
	const struct status_history_target *y = status_history_find(h, "reg.example/y:v1");
	assert_int_equal(y->nights_in_state, 6);
	assert_int_equal(y->nights_to_green, 0);
	char sum[128];
	status_history_summary(y, sum, sizeof(sum));
	assert_string_equal(sum, "");
	status_history_free(h);
}

static void history_platform_lacking_counts_targets_without_it_ready(void **state)
{
	(void)state;
	struct status_history *h = six_nights();
	static const int want[] = {1, 1, 0, 1, 1, 1};
	assert_int_equal(h->n_platforms, 2);
	assert_string_equal(h->platforms[1].platform, "linux/s390x");
	for (int n = 0; n < 6; n++) {
		assert_int_equal(h->platforms[0].lacking[n], 0);
		assert_int_equal(h->platforms[1].lacking[n], want[n]);
	}
	status_history_free(h);
}

static void history_new_target_is_absent_before_its_first_night(void **state)
{
	(void)state;
	struct status_history *h = status_history_new(0);
	struct status_status *a = st_new("2026-11-01T03:00:00Z"),
	                     *b = st_new("2026-11-02T03:00:00Z");
	st_add(a, "reg.example/b:v1", STATUS_T_PUBLISHED, PA);
	st_add(b, "reg.example/a:v1", STATUS_T_FAILED, PA);
	st_add(b, "reg.example/b:v1", STATUS_T_PUBLISHED, PA);
	add_night(h, a);
	add_night(h, b);
	status_history_finish(h);
	assert_string_equal(h->targets[0].target, "reg.example/a:v1"); /* sorted */
	assert_int_equal(h->targets[0].states[0], STATUS_HISTORY_ABSENT);
	assert_int_equal(h->targets[0].states[1], STATUS_T_FAILED);
	assert_int_equal(h->targets[0].first_night, 1);
	assert_int_equal(h->targets[0].nights_to_green, -1);
	assert_int_equal(h->targets[1].nights_in_state, 2);
	status_history_free(h);
}

static void history_platform_run_starts_on_a_new_digest_and_keeps_green_digest(void **state)
{
	(void)state;
	struct status_history *h = status_history_new(0);
	struct status_status *a = st_new("2026-11-01T03:00:00Z"),
	                     *b = st_new("2026-11-02T03:00:00Z"),
	                     *c = st_new("2026-11-03T03:00:00Z");
	st_add(a, "reg.example/x:v1", STATUS_T_PUBLISHED, PA);
	st_add(b, "reg.example/x:v1", STATUS_T_INCOMPLETE, PM);
	st_add(c, "reg.example/x:v1", STATUS_T_INCOMPLETE,
	       "linux/amd64=ready@sha256:a2,linux/s390x=missing");
	add_night(h, a);
	add_night(h, b);
	add_night(h, c);
	status_history_finish(h);
	const struct status_history_target *x = status_history_find(h, "reg.example/x:v1");
	const struct status_history_plat *amd = status_history_plat(x, "linux/amd64"),
	                                 *s390 = status_history_plat(x, "linux/s390x");
	assert_int_equal(amd->since_night, 2);
	assert_string_equal(amd->digest, "sha256:a2");
	assert_string_equal(amd->green_digest, "sha256:a1");
	assert_int_equal(s390->since_night, 1);
	assert_int_equal(s390->state, STATUS_P_MISSING);
	assert_null(s390->digest);
	assert_string_equal(s390->green_digest, "sha256:s1");
	status_history_free(h);
}

static void report_age_is_in_nights_with_history_else_a_duration(void **state)
{
	(void)state;
	struct status_history *h = six_nights();
	struct status_status *cur = st_new("2026-11-15T03:04:10Z");
	char age[64];
	st_add(cur, "reg.example/x:v1", STATUS_T_INCOMPLETE, PM);
	st_add(cur, "reg.example/z:v1", STATUS_T_INCOMPLETE, PM);
	status_report_age(&cur->targets[0], h, "2026-11-15T09:04:10Z", age, sizeof(age));
	assert_string_equal(age, "incomplete for 3 nights");
	status_report_age(&cur->targets[1], h, "2026-11-15T09:04:10Z", age, sizeof(age));
	assert_string_equal(age, "incomplete for 6h 0m");
	status_report_age(&cur->targets[0], NULL, "2026-11-18T07:04:10Z", age, sizeof(age));
	assert_string_equal(age, "incomplete for 3d 4h");
	status_free(cur);
	status_history_free(h);
}

static cJSON *json_of(const struct status_history *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(status_history_report_json(f, h), 0);
	fclose(f);
	cJSON *j = cJSON_Parse(buf);
	free(buf);
	assert_non_null(j);
	return j;
}

static void history_json_has_schema_nights_targets_platforms(void **state)
{
	(void)state;
	struct status_history *h = six_nights();
	cJSON *j = json_of(h), *x;
	char *text;
	assert_int_equal(cJSON_GetObjectItem(j, "schema")->valueint, 1);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "truncated")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "nights")), 6);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "targets"), 0);
	text = cJSON_PrintUnformatted(x);
	assert_string_equal(text, "{\"target\":\"reg.example/x:v1\",\"state\":\"incomplete\","
	                          "\"nights_in_state\":3,\"nights_to_green\":2,"
	                          "\"longest_incomplete\":3,\"states\":[\"incomplete\","
	                          "\"incomplete\",\"published\",\"incomplete\",\"incomplete\","
	                          "\"incomplete\"]}");
	free(text);
	text = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "platforms"), 1));
	assert_string_equal(text, "{\"platform\":\"linux/s390x\",\"lacking\":[1,1,0,1,1,1]}");
	free(text);
	text = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "nights"), 1));
	assert_string_equal(text, "{\"commit\":\"\",\"finished\":\"2026-11-11T03:04:10Z\","
	                          "\"published\":0,\"unchanged\":1,\"incomplete\":1,\"failed\":0}");
	free(text);
	cJSON_Delete(j);
	status_history_free(h);
}

/* ---- from git ------------------------------------------------------------ */

static void commit_status(const char *repo, struct status_status *st, const char *msg)
{
	char path[512];
	struct base_error err = {0};
	snprintf(path, sizeof(path), "%s/status/release.json", repo);
	assert_int_equal(status_write(path, st, &err), 0);
	sh("cd %s && git add -A && git -c user.name=T -c user.email=t@x commit -qm '%s'", repo,
	   msg);
	status_free(st);
}

/* v1; a commit elsewhere; v2; v2 rerun (same finished); v3 by hand, on one
 * line (not the serialiser's layout). */
static void make_repo(const char *repo)
{
	struct status_status *st;
	sh("git init -q -b main %s && mkdir %s/status", repo, repo);
	st = st_new("2026-11-01T03:04:10Z");
	st_add(st, "reg.example/x:v1", STATUS_T_INCOMPLETE, PM);
	st_add(st, "reg.example/y:v1", STATUS_T_PUBLISHED, PA);
	commit_status(repo, st, "v1");
	sh("cd %s && echo hi >README && git add README && git -c user.name=T -c user.email=t@x "
	   "commit -qm readme",
	   repo);
	st = st_new("2026-11-02T03:04:10Z");
	st_add(st, "reg.example/x:v1", STATUS_T_INCOMPLETE, PM);
	st_add(st, "reg.example/y:v1", STATUS_T_PUBLISHED, PA);
	commit_status(repo, st, "v2");
	st = st_new("2026-11-02T03:04:10Z");
	st_add(st, "reg.example/w:v1", STATUS_T_FAILED, PA);
	st_add(st, "reg.example/x:v1", STATUS_T_INCOMPLETE, PM);
	st_add(st, "reg.example/y:v1", STATUS_T_PUBLISHED, PA);
	commit_status(repo, st, "v2 rerun");
	sh("cd %s && printf '%%s\\n' '{\"schema\":1,\"last_run\":{\"finished\":"
	   "\"2026-11-03T03:04:10Z\"},\"targets\":[{\"target\":\"reg.example/x:v1\",\"state\":"
	   "\"published\",\"platforms\":[{\"platform\":\"linux/amd64\",\"source\":\"s\",\"state\":"
	   "\"ready\"}]}]}' >status/release.json && git -c user.name=T -c user.email=t@x commit "
	   "-qam v3",
	   repo);
}

static void history_read_walks_commits_that_change_the_file(void **state)
{
	(void)state;
	char repo[512], path[600];
	struct status_history *h = NULL;
	struct status_history_options o = {0};
	struct base_error err = {0};
	snprintf(repo, sizeof(repo), "%s/walk", root);
	make_repo(repo);
	snprintf(path, sizeof(path), "%s/status/release.json", repo);
	if (status_history_read(path, &o, &h, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(h->n_nights, 3); /* v1, v2 (its rerun wins), v3 */
	assert_int_equal(h->truncated, 0);
	assert_string_equal(h->nights[1].finished, "2026-11-02T03:04:10Z");
	assert_int_equal(strlen(h->nights[2].commit), 40);
	const struct status_history_target *w = status_history_find(h, "reg.example/w:v1"),
	                                   *x = status_history_find(h, "reg.example/x:v1");
	assert_int_equal(w->states[0], STATUS_HISTORY_ABSENT);
	assert_int_equal(w->states[1], STATUS_T_FAILED);
	assert_int_equal(w->states[2], STATUS_HISTORY_ABSENT);
	assert_int_equal(x->nights_to_green, 2);
	assert_int_equal(x->longest_incomplete, 2);
	assert_int_equal(h->nights[2].counts[STATUS_T_PUBLISHED], 1);
	status_history_free(h);
}

static void history_read_takes_a_range_or_days(void **state)
{
	(void)state;
	char repo[512], path[600];
	struct status_history *h = NULL;
	struct status_history_options o = {.range = "HEAD~2..HEAD"};
	struct base_error err = {0};
	snprintf(repo, sizeof(repo), "%s/range", root);
	make_repo(repo);
	snprintf(path, sizeof(path), "%s/status/release.json", repo);
	assert_int_equal(status_history_read(path, &o, &h, &err), 0);
	assert_int_equal(h->n_nights, 2); /* v2 rerun, v3 */
	status_history_free(h);
	o = (struct status_history_options){.days = 1, .now = "2099-01-01T00:00:00Z"};
	assert_int_equal(status_history_read(path, &o, &h, &err), 0);
	assert_int_equal(h->n_nights, 0);
	status_history_free(h);
	o = (struct status_history_options){.range = "nosuchrev"};
	assert_int_equal(status_history_read(path, &o, &h, &err), -1);
	assert_non_null(strstr(err.msg, "release.json: history nosuchrev: nosuchrev: "));
}

/* ---- the summary cache ---- */

#define CACHE_NOW "2026-11-22T09:00:00Z"
#define VERSIONS  31 /* status_history.py's 30 nights and one in another layout */

/* The demo history (tests/integration/status_history.py), then one more
 * night written compactly, which history_git.c parses whole. */
static void make_demo_repo(const char *name, char *repo, size_t len)
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
	struct status_history_options o = {.no_cache = no_cache};
	struct status_history *h = NULL;
	struct status_status *st = NULL;
	struct base_error err = {0};
	FILE *f = open_memstream(&text, &len);

	snprintf(path, sizeof(path), "%s/status/release.json", repo);
	if (status_history_read(path, &o, &h, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(status_load(path, &st, &err), 0);
	assert_int_equal(status_history_report_json(f, h), 0);
	assert_int_equal(status_report_html_history(f, st, NULL, h, CACHE_NOW), 0);
	assert_int_equal(status_report_markdown_history(f, st, NULL, h, CACHE_NOW), 0);
	fclose(f);
	assert_int_equal(h->n_nights, VERSIONS);
	status_free(st);
	status_history_free(h);
	return text;
}

static int not_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Entries in dir by name (and their inode numbers, when ino is given); -1
 * when dir is not there. */
static int entries(const char *dir, ino_t *ino, size_t max)
{
	struct dirent **v = NULL;
	int n = scandir(dir, &v, not_dot, alphasort);
	for (int i = 0; i < n; i++) {
		if (ino && (size_t)i < max)
			ino[i] = v[i]->d_ino;
		free(v[i]);
	}
	free(v);
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
	make_demo_repo("same", repo, sizeof(repo));
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
	make_demo_repo("corrupt", repo, sizeof(repo));
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
	make_demo_repo("readonly", repo, sizeof(repo));
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
	    cmocka_unit_test(history_counts_targets_by_state_per_night),
	    cmocka_unit_test(history_streaks_give_nights_to_green_and_longest_incomplete),
	    cmocka_unit_test(history_published_and_unchanged_are_one_run),
	    cmocka_unit_test(history_platform_lacking_counts_targets_without_it_ready),
	    cmocka_unit_test(history_new_target_is_absent_before_its_first_night),
	    cmocka_unit_test(history_platform_run_starts_on_a_new_digest_and_keeps_green_digest),
	    cmocka_unit_test(report_age_is_in_nights_with_history_else_a_duration),
	    cmocka_unit_test(history_json_has_schema_nights_targets_platforms),
	    cmocka_unit_test(history_read_walks_commits_that_change_the_file),
	    cmocka_unit_test(history_read_takes_a_range_or_days),
	    cmocka_unit_test(cache_gives_the_same_bytes_cold_and_warm),
	    cmocka_unit_test(cache_ignores_and_rewrites_a_corrupted_entry),
	    cmocka_unit_test(cache_falls_back_to_xdg_cache_home_then_to_none),
	};
	int rc;

	if (unit_git_sandbox("history", root, sizeof(root)) < 0)
		return 2;
	unsetenv("XDG_CACHE_HOME");
	rc = unit_run_group("test_status_history", tests, argc, argv);
	if (unit_tmpdir_remove(root) < 0)
		rc = rc ? rc : 1;
	return rc;
}
