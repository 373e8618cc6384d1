/* test_status_journal.c — the write-ahead journal beside the status file:
 * its reader (a torn last line is skipped, the last record of a target
 * wins, an outcome replaces an intent), what folding it in does to the
 * status file (the rule of a night's results), and the writer/fold round
 * trip (a journal a live run holds is left alone, a dead run's is folded
 * and removed). */
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "status.h"
#include "unit.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static const char *line(const char *kind, const char *at, const char *target, const char *state,
                        const char *digest)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];
	snprintf(b, 512,
	         "{\"journal\": 1, \"kind\": \"%s\", \"at\": \"%s\", \"record\": {\"target\": "
	         "\"%s\", \"state\": \"%s\"%s%s%s, \"platforms\": []}}\n",
	         kind, at, target, state, digest ? ", \"digest\": \"" : "", digest ? digest : "",
	         digest ? "\"" : "");
	return b;
}

static void parse(const char *text, struct pub_journal_records *r)
{
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(pub_journal_parse("j", text, strlen(text), r, &err), 0);
}

static void status_journal_torn_last_line_is_skipped(void **state)
{
	struct pub_journal_records r;
	char text[2048];
	const char *whole = line("outcome", "2026-12-06T03:00:01Z", "r/a:v1", "published", D1);
	const char *torn = line("outcome", "2026-12-06T03:00:02Z", "r/b:v1", "published", D2);

	(void)state;
	/* the second line's write was cut: no newline, half its bytes */
	snprintf(text, sizeof(text), "%s%.*s", whole, (int)(strlen(torn) / 2), torn);
	parse(text, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.lines, 1);
	assert_int_equal(r.skipped, 1);
	assert_string_equal(r.entries[0].rec.target, "r/a:v1");
	assert_string_equal(r.entries[0].rec.digest, D1);
	assert_string_equal(r.entries[0].at, "2026-12-06T03:00:01Z");
	pub_journal_records_free(&r);
}

static void status_journal_garbage_line_is_skipped_not_fatal(void **state)
{
	struct pub_journal_records r;
	char text[2048];

	(void)state;
	snprintf(text, sizeof(text), "%snot json\n{\"journal\": 2}\n%s",
	         line("outcome", "2026-12-06T03:00:01Z", "r/a:v1", "published", D1),
	         line("outcome", "2026-12-06T03:00:02Z", "r/b:v1", "failed", NULL));
	parse(text, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.lines, 4);
	assert_int_equal(r.skipped, 2);
	assert_int_equal(r.entries[1].rec.state, PUB_T_FAILED);
	pub_journal_records_free(&r);
}

static void status_journal_last_record_of_a_target_wins(void **state)
{
	struct pub_journal_records r;
	char text[4096];

	(void)state;
	/* duplicates, one of them in the same second: line order decides */
	snprintf(text, sizeof(text), "%s%s%s%s",
	         line("outcome", "2026-12-06T03:00:01Z", "r/b:v1", "failed", NULL),
	         line("outcome", "2026-12-06T03:00:02Z", "r/a:v1", "published", D1),
	         line("outcome", "2026-12-06T03:00:02Z", "r/a:v1", "published", D2),
	         line("outcome", "2026-12-06T03:00:03Z", "r/b:v1", "incomplete", NULL));
	parse(text, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.entries[0].rec.target, "r/a:v1");
	assert_string_equal(r.entries[0].rec.digest, D2);
	assert_string_equal(r.entries[1].rec.target, "r/b:v1");
	assert_int_equal(r.entries[1].rec.state, PUB_T_INCOMPLETE);
	pub_journal_records_free(&r);
}

static void status_journal_intent_is_published_unconfirmed_until_an_outcome(void **state)
{
	struct pub_journal_records r;
	char text[4096];

	(void)state;
	snprintf(text, sizeof(text), "%s%s%s",
	         line("intent", "2026-12-06T03:00:01Z", "r/a:v1", "failed", D1),
	         line("intent", "2026-12-06T03:00:01Z", "r/b:v1", "failed", D2),
	         line("outcome", "2026-12-06T03:00:02Z", "r/b:v1", "published", D2));
	parse(text, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.entries[0].kind, PUB_JOURNAL_INTENT);
	assert_int_equal(r.entries[0].rec.state, PUB_T_PUBLISHED);
	assert_int_equal(r.entries[0].rec.unconfirmed, 1);
	assert_string_equal(r.entries[0].rec.digest, D1);
	assert_int_equal(r.entries[1].kind, PUB_JOURNAL_OUTCOME);
	assert_int_equal(r.entries[1].rec.unconfirmed, 0);
	pub_journal_records_free(&r);
}

/* The status file a night left: a published at D1 since night 1, c failed. */
static struct pub_status *night_one(void)
{
	const char *text =
	    "{\"schema\": 1, \"last_run\": {\"started\": \"2026-12-05T03:00:00Z\", "
	    "\"finished\": \"2026-12-05T03:10:00Z\", \"published\": 1, \"unchanged\": 0, "
	    "\"incomplete\": 0, \"failed\": 1}, \"targets\": ["
	    "{\"target\": \"r/a:v1\", \"state\": \"published\", \"digest\": \"" D1 "\", "
	    "\"since\": \"2026-12-05T03:00:00Z\", \"platforms\": []},"
	    "{\"target\": \"r/c:v1\", \"state\": \"failed\", \"digest\": \"" D1 "\", "
	    "\"since\": \"2026-12-05T03:00:00Z\", \"reason\": \"x\", \"platforms\": []}]}";
	struct pub_status *st = NULL;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(pub_status_parse("s", text, strlen(text), &st, &err), 0);
	return st;
}

static void status_journal_fold_follows_the_rule_of_a_night(void **state)
{
	struct pub_journal_records r;
	struct pub_status *st = night_one();
	struct base_error err;
	char text[4096];
	const struct pub_target_status *t;

	(void)state;
	base_error_clear(&err);
	snprintf(text, sizeof(text), "%s%s%s",
	         /* same list again: no news, since stays */
	         line("outcome", "2026-12-06T03:00:01Z", "r/a:v1", "unchanged", D1),
	         /* new target, written but not read back */
	         line("intent", "2026-12-06T03:00:02Z", "r/b:v1", "failed", D2),
	         /* failed again without a digest: keeps the last published one */
	         line("outcome", "2026-12-06T03:00:03Z", "r/c:v1", "failed", NULL));
	parse(text, &r);
	assert_int_equal(pub_journal_fold_records(st, r.entries, r.n, &err), 0);
	assert_int_equal(st->n_targets, 3);
	t = pub_status_find(st, "r/a:v1");
	assert_int_equal(t->state, PUB_T_PUBLISHED);
	assert_string_equal(t->since, "2026-12-05T03:00:00Z");
	t = pub_status_find(st, "r/b:v1");
	assert_non_null(t);
	assert_int_equal(t->state, PUB_T_PUBLISHED);
	assert_int_equal(t->unconfirmed, 1);
	assert_string_equal(t->digest, D2);
	assert_string_equal(t->since, "2026-12-06T03:00:02Z");
	t = pub_status_find(st, "r/c:v1");
	assert_string_equal(t->digest, D1);
	assert_string_equal(t->since, "2026-12-05T03:00:00Z");
	/* last_run is the last finished run's, not the killed one's */
	assert_string_equal(st->last_run.finished, "2026-12-05T03:10:00Z");
	/* the unconfirmed mark survives the status file */
	{
		char *ser = pub_status_serialize(st);
		struct pub_status *back = NULL;
		assert_non_null(strstr(ser, "\"unconfirmed\": true"));
		assert_int_equal(pub_status_parse("s", ser, strlen(ser), &back, &err), 0);
		assert_int_equal(pub_status_find(back, "r/b:v1")->unconfirmed, 1);
		assert_int_equal(pub_status_find(back, "r/a:v1")->unconfirmed, 0);
		pub_status_free(back);
		free(ser);
	}
	pub_journal_records_free(&r);
	pub_status_free(st);
}

/* ---- the writer and the fold, on disk --------------------------------------- */

struct jdir {
	char dir[64], path[128];
};

static int jdir_setup(void **state)
{
	struct jdir *fx = calloc(1, sizeof(*fx));
	*state = fx;
	if (!fx || unit_tmpdir("journal", fx->dir, sizeof(fx->dir)) < 0)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/status.json", fx->dir);
	return 0;
}

static int jdir_teardown(void **state)
{
	struct jdir *fx = *state;
	int rc = unit_tmpdir_remove(fx->dir);
	free(fx);
	return rc;
}

static void status_journal_live_run_is_left_alone_dead_one_folded(void **state)
{
	struct jdir *fx = *state;
	struct pub_journal *jn = NULL;
	struct pub_status *st = NULL;
	struct pub_recovered info;
	struct pub_target_status t = {.target = "r/a:v1", .state = PUB_T_FAILED, .digest = D1};
	struct base_error err;
	char jpath[256];
	struct stat sb;

	base_error_clear(&err);
	assert_int_equal(pub_journal_open(fx->path, &jn, &err), 0);
	snprintf(jpath, sizeof(jpath), "%s", pub_journal_path(jn));
	assert_int_equal(pub_journal_append(jn, PUB_JOURNAL_INTENT, &t, &err), 0);
	assert_int_equal(pub_journal_exists(fx->path), 1);

	/* the run holds it: nothing folded, nothing removed */
	assert_int_equal(pub_status_recover(fx->path, PUB_RECOVER_TRY, &st, &info, &err), 0);
	assert_int_equal(info.live, 1);
	assert_int_equal(info.records, 0);
	assert_int_equal(st->n_targets, 0);
	pub_status_free(st);
	assert_int_equal(stat(jpath, &sb), 0);

	/* the run is gone (its lock with it): folded, written, removed */
	pub_journal_close(jn, 0);
	assert_int_equal(pub_status_recover(fx->path, PUB_RECOVER_TRY, &st, &info, &err), 0);
	assert_int_equal(info.journals, 1);
	assert_int_equal(info.records, 1);
	assert_int_equal(info.unconfirmed, 1);
	assert_int_equal(info.written, 1);
	assert_int_equal(st->n_targets, 1);
	assert_int_equal(st->targets[0].unconfirmed, 1);
	pub_status_free(st);
	assert_int_not_equal(stat(jpath, &sb), 0);
	assert_int_equal(pub_journal_exists(fx->path), 0);
	assert_int_equal(pub_status_load(fx->path, &st, &err), 0);
	assert_int_equal(st->n_targets, 1);
	assert_string_equal(st->targets[0].digest, D1);
	pub_status_free(st);
}

static void status_journal_read_mode_folds_in_memory_only(void **state)
{
	struct jdir *fx = *state;
	struct pub_journal *jn = NULL;
	struct pub_status *st = NULL;
	struct pub_recovered info;
	struct pub_target_status t = {.target = "r/a:v1", .state = PUB_T_PUBLISHED, .digest = D2};
	struct base_error err;
	struct stat sb;

	base_error_clear(&err);
	assert_int_equal(pub_journal_open(fx->path, &jn, &err), 0);
	assert_int_equal(pub_journal_append(jn, PUB_JOURNAL_OUTCOME, &t, &err), 0);
	pub_journal_close(jn, 0);
	assert_int_equal(pub_status_recover(fx->path, PUB_RECOVER_READ, &st, &info, &err), 0);
	assert_int_equal(info.records, 1);
	assert_int_equal(info.kept, 1);
	assert_int_equal(st->n_targets, 1);
	assert_int_equal(st->targets[0].unconfirmed, 0);
	pub_status_free(st);
	assert_int_not_equal(stat(fx->path, &sb), 0); /* no status file written */
	assert_int_equal(pub_journal_exists(fx->path), 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(status_journal_torn_last_line_is_skipped),
	    cmocka_unit_test(status_journal_garbage_line_is_skipped_not_fatal),
	    cmocka_unit_test(status_journal_last_record_of_a_target_wins),
	    cmocka_unit_test(status_journal_intent_is_published_unconfirmed_until_an_outcome),
	    cmocka_unit_test(status_journal_fold_follows_the_rule_of_a_night),
	    cmocka_unit_test_setup_teardown(status_journal_live_run_is_left_alone_dead_one_folded,
	                                    jdir_setup, jdir_teardown),
	    cmocka_unit_test_setup_teardown(status_journal_read_mode_folds_in_memory_only,
	                                    jdir_setup, jdir_teardown),
	};
	return unit_run_group("test_status_journal", tests, argc, argv);
}
