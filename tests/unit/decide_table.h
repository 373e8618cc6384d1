/* decide_table.h — the table test_pub_decide*.c run pub_decide over: the
 * shorthands for HEAD answers, child results and records, one row's
 * struct, and the runner that checks a row's verdict, what it asks for
 * next, its reason and every platform as decided. */
#ifndef MANIFOLD_DECIDE_TABLE_H
#define MANIFOLD_DECIDE_TABLE_H

#define UNUSED_OK __attribute__((unused))

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "engine.h"

#define IMG  "application/vnd.docker.distribution.manifest.v2+json"
#define OCI  "application/vnd.oci.image.manifest.v1+json"
#define LIST "application/vnd.docker.distribution.manifest.list.v2+json"

#define AMD  "linux/amd64"
#define ARM  "linux/arm64/v8"
#define S390 "linux/s390x"

#define DA   "sha256:aaaa"
#define DB   "sha256:bbbb"
#define DOLD "sha256:0000"
#define DL   "sha256:1111" /* the list the HEADs describe */
#define DX   "sha256:9999" /* some other list */

#define E500      "reg.example/app-arm64:v1: HEAD manifest: 500 Internal Server Error"
#define E401      "reg.example/app-s390x:v1: HEAD manifest: 401 UNAUTHORIZED"
#define WRONG     "linux/arm64/v8: image config says linux/amd64"
#define FROM_LIST "source is a list; its entry for this platform is used (attestations kept)"
#define FROM_LIST_DROPPED                                                                          \
	"source is a list; its entry for this platform is used (attestations dropped)"

/* extra tags */
#define XLATEST "reg.example/app:latest"
#define XSTABLE "reg.example/app:stable"
#define EXTRA(r, h)                                                                                \
	{                                                                                          \
		.ref = r, .head = h                                                                \
	}

/* HEAD answers */
#define FOUND(d, mt, n)                                                                            \
	{                                                                                          \
		.rc = 0, .digest = d, .media_type = mt, .size = n                                  \
	}
#define NOTFOUND                                                                                   \
	{                                                                                          \
		.rc = BASE_ENOTFOUND, .digest = "", .media_type = "", .size = -1                   \
	}
#define HEADERR(e)                                                                                 \
	{                                                                                          \
		.rc = BASE_EFAIL, .digest = "", .media_type = "", .size = -1, .error = e           \
	}

/* an optional source (optional-platforms) */
#define OPT(p, h)                                                                                  \
	{                                                                                          \
		.platform = p, .optional = 1, .head = h                                            \
	}
#define OPTC(p, h, c)                                                                              \
	{                                                                                          \
		.platform = p, .optional = 1, .head = h, .child = c                                \
	}

/* one source: platform, HEAD answer, and (children rows) what its GET found */
#define SRC(p, h)                                                                                  \
	{                                                                                          \
		.platform = p, .head = h                                                           \
	}
#define SRCC(p, h, c)                                                                              \
	{                                                                                          \
		.platform = p, .head = h, .child = c                                               \
	}
#define CHILD_OK(d, v)                                                                             \
	{                                                                                          \
		.state = PUB_P_READY, .digest = d, .media_type = IMG, .size = 528, .verified = v   \
	}
#define CHILD_LIST(d)                                                                              \
	{                                                                                          \
		.state = PUB_P_READY, .digest = d, .media_type = OCI, .size = 700, .verified = 1,  \
		.attestations_kept = 1, .from_list = 1                                             \
	}
#define CHILD_MISSING(r)                                                                           \
	{                                                                                          \
		.state = PUB_P_MISSING, .size = -1, .reason = r, .error = r                        \
	}
#define CHILD_WRONG(r)                                                                             \
	{                                                                                          \
		.state = PUB_P_WRONG_PLATFORM, .size = -1, .reason = r, .error = r                 \
	}
#define CHILD_ERROR(r, e)                                                                          \
	{                                                                                          \
		.state = PUB_P_ERROR, .size = -1, .reason = r, .error = e                          \
	}

static const struct pub_decide_head UNUSED_OK tag_holds_list = FOUND(DL, LIST, 900);
static const struct pub_decide_head UNUSED_OK tag_missing = NOTFOUND;
static const struct pub_decide_head UNUSED_OK tag_error = HEADERR("HEAD manifest: 503");
static const struct pub_decide_head UNUSED_OK tag_no_digest = FOUND("", LIST, 900);
static const struct pub_decide_head UNUSED_OK tag_holds_old = FOUND(DOLD, LIST, 900);
static const struct pub_decide_head UNUSED_OK tag_holds_image = FOUND(DOLD, IMG, 528);
#define HELD_S390 "would drop " S390 ", which the tag's current list has"

/* A platform of the previous record. */
struct prev_row {
	const char *platform;
	enum pub_platform_state state;
	const char *digest;
	int verified;
};

#define MAXP 3

struct want {
	enum pub_verdict verdict;
	enum pub_decide_need need;
	const char *reason;
	enum pub_platform_state state[MAXP];
	const char *digest[MAXP];
	const char *reason_of[MAXP];
	int verified[MAXP];
	const char *verified_digest[MAXP];
	int included[MAXP]; /* checked when check_included */
	int check_included;
	long long size[MAXP]; /* checked when check_size */
	int check_size;
	int foreign;                        /* the tag holds what manifold did not write */
	enum pub_extra_action extras[MAXP]; /* checked when check_extras */
	int check_extras;
	int extras_held;
};

struct row {
	const char *name;
	struct pub_decide_source src[MAXP];
	size_t n;
	const struct pub_decide_head *target; /* NULL: check */
	struct prev_row prev[MAXP];           /* a record when prev[0].platform */
	int verify;
	size_t n_extra;
	int list_known;
	const char *list_digest;
	struct pub_decide_extra extras[MAXP]; /* n_extra of them */
	int extras_known;
	const char *extra_current[MAXP][MAXP]; /* an extra tag's list, read (current_known) */
	const char *written[MAXP];             /* the status file's digests (sorted) */
	int overwrite;
	int prev_foreign; /* the record's digest is foreign */
	int children_known;
	int allow_shrink;
	enum pub_target_state prev_state; /* the record's state (0: published) */
	const char *prev_digest;          /* the record's list digest (NULL: DL) */
	const char *current[MAXP];        /* current_known: what the tag's list has */
	int current_known;
	const char *built_digest; /* the list the children make */
	struct want want;
};

/* verified earlier at DA and DB */
#define PREV_VERIFIED                                                                              \
	{                                                                                          \
		{AMD, PUB_P_READY, DA, 1},                                                         \
		{                                                                                  \
			ARM, PUB_P_READY, DB, 1                                                    \
		}                                                                                  \
	}

static struct pub_target_status *prev_record(const struct row *r, struct pub_platform_status *ps)
{
	static struct pub_target_status t;
	size_t n = 0;

	if (!r->prev[0].platform)
		return NULL;
	for (; n < MAXP && r->prev[n].platform; n++) {
		memset(&ps[n], 0, sizeof(ps[n]));
		ps[n].platform = (char *)r->prev[n].platform;
		ps[n].state = r->prev[n].state;
		ps[n].digest = (char *)r->prev[n].digest;
		ps[n].verified = r->prev[n].verified;
	}
	memset(&t, 0, sizeof(t));
	t.target = (char *)"reg.example/app:v1";
	t.state = r->prev_state;
	t.digest = (char *)(r->prev_digest ? r->prev_digest : DL);
	t.foreign = r->prev_foreign;
	t.platforms = ps;
	t.n_platforms = n;
	return &t;
}

static void decide_row(void **state)
{
	const struct row *r = *state;
	const struct want *w = &r->want;
	struct pub_platform_status ps[MAXP];
	struct pub_decide_extra extras[MAXP];
	struct pub_decide_input in = {
	    .sources = r->src,
	    .n_sources = r->n,
	    .target = r->target,
	    .prev = prev_record(r, ps),
	    .verify = r->verify,
	    .n_extra = r->n_extra,
	    .list_known = r->list_known,
	    .list_digest = r->list_digest,
	    .extras = extras,
	    .extras_known = r->extras_known,
	    .written = r->written,
	    .overwrite = r->overwrite,
	    .children_known = r->children_known,
	    .allow_shrink = r->allow_shrink,
	    .current_known = r->current_known,
	    .current = r->current,
	    .built_digest = r->built_digest,
	};
	struct pub_decision d;

	while (in.n_current < MAXP && r->current[in.n_current])
		in.n_current++;
	while (in.n_written < MAXP && r->written[in.n_written])
		in.n_written++;
	memcpy(extras, r->extras, sizeof(extras));
	for (size_t e = 0; e < MAXP; e++) {
		if (!r->extra_current[e][0])
			continue;
		extras[e].current_known = 1;
		extras[e].current = r->extra_current[e];
		while (extras[e].n_current < MAXP && r->extra_current[e][extras[e].n_current])
			extras[e].n_current++;
	}
	assert_int_equal(pub_decide(&in, &d), 0);
	assert_int_equal(d.verdict, w->verdict);
	if (w->verdict == PUB_VERDICT_PUBLISH)
		assert_int_equal(d.need, w->need);
	else
		assert_int_equal(d.need, PUB_NEED_NOTHING);
	if (w->reason)
		assert_string_equal(d.reason, w->reason);
	else
		assert_null(d.reason);
	assert_int_equal(d.n_platforms, r->n);
	assert_int_equal(d.foreign, w->foreign);
	assert_int_equal(d.extras_held, w->extras_held);
	for (size_t e = 0; w->check_extras && e < r->n_extra; e++)
		assert_int_equal(d.extras[e], w->extras[e]);
	for (size_t k = 0; k < r->n; k++) {
		const struct pub_decide_platform *p = &d.platforms[k];
		assert_int_equal(p->state, w->state[k]);
		if (w->digest[k])
			assert_string_equal(p->digest, w->digest[k]);
		else
			assert_null(p->digest);
		if (w->reason_of[k])
			assert_string_equal(p->reason, w->reason_of[k]);
		else
			assert_null(p->reason);
		assert_int_equal(p->verified, w->verified[k]);
		if (w->verified_digest[k])
			assert_string_equal(p->verified_digest, w->verified_digest[k]);
		else
			assert_null(p->verified_digest);
		if (w->check_size)
			assert_int_equal(p->size, w->size[k]);
		if (w->check_included)
			assert_int_equal(p->included, w->included[k]);
	}
	pub_decision_free(&d);
	assert_null(d.reason);
	assert_null(d.platforms);
}

/* One cmocka test per row (named by the row), then the extra tests. */
static int decide_table_run(const char *group, const struct row *rows, size_t n,
                            const struct CMUnitTest *extra, size_t n_extra, int argc, char **argv)
{
	struct CMUnitTest *tests = calloc(n + n_extra, sizeof(*tests));
	int rc;

	if (!tests)
		return 1;
	for (size_t i = 0; i < n; i++) {
		tests[i].name = rows[i].name;
		tests[i].test_func = decide_row;
		tests[i].initial_state = (void *)&rows[i];
	}
	for (size_t i = 0; i < n_extra; i++)
		tests[n + i] = extra[i];
	unit_set_filter(argc, argv);
	rc = _cmocka_run_group_tests(group, tests, n + n_extra, NULL, NULL);
	free(tests);
	return rc;
}

#endif
