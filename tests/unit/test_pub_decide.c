/* test_pub_decide.c — pub_decide, the decision for one target, case by case
 * from a table: what the HEADs (and, later, the child GETs) found, the
 * previous record and the config, against the verdict, what it asks for
 * next, the reason and every platform as decided. One cmocka test per row;
 * `test_pub_decide '*wrong_platform*'` runs the rows matching a pattern. */
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
#define FROM_LIST "source is a list; its entry for this platform is used (attestations skipped)"

/* HEAD answers */
#define FOUND(d, mt, n)                                                                            \
	{                                                                                          \
		.rc = 0, .digest = d, .media_type = mt, .size = n                                  \
	}
#define NOTFOUND                                                                                   \
	{                                                                                          \
		.rc = REG_ENOTFOUND, .digest = "", .media_type = "", .size = -1                    \
	}
#define HEADERR(e)                                                                                 \
	{                                                                                          \
		.rc = REG_EFAIL, .digest = "", .media_type = "", .size = -1, .error = e            \
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
		.from_list = 1                                                                     \
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

static const struct pub_decide_head tag_holds_list = FOUND(DL, LIST, 900);
static const struct pub_decide_head tag_missing = NOTFOUND;
static const struct pub_decide_head tag_error = HEADERR("HEAD manifest: 503");
static const struct pub_decide_head tag_no_digest = FOUND("", LIST, 900);
static const struct pub_decide_head tag_holds_old = FOUND(DOLD, LIST, 900);
static const struct pub_decide_head tag_holds_image = FOUND(DOLD, IMG, 528);
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
	int extra_known, extra_hold;
	int children_known;
	int allow_shrink;
	enum pub_target_state prev_state; /* the record's state (0: published) */
	const char *prev_digest;          /* the record's list digest (NULL: DL) */
	const char *current[MAXP];        /* current_known: what the tag's list has */
	int current_known;
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

static const struct row rows[] = {
    /* ---- after the HEADs ---------------------------------------------------- */
    {.name = "all_ready_no_record_gets_children",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, FOUND(DB, IMG, 529))},
     .n = 2,
     .target = &tag_holds_list,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .size = {528, 529},
              .check_size = 1}},
    {.name = "cached_verification_asks_for_list_digest",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, FOUND(DB, IMG, 529))},
     .n = 2,
     .target = &tag_holds_list,
     .prev = PREV_VERIFIED,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_LIST_DIGEST,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .verified = {1, 1},
              .verified_digest = {DA, DB}}},
    {.name = "verify_off_asks_for_list_digest_without_record",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, FOUND(DB, OCI, 529))},
     .n = 2,
     .target = &tag_holds_list,
     .verify = 0,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_LIST_DIGEST,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB}}},
    {.name = "verify_off_ignores_the_verification_cache",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, FOUND(DB, IMG, 529))},
     .n = 2,
     .target = &tag_holds_list,
     .prev = PREV_VERIFIED,
     .verify = 0,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_LIST_DIGEST,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .verified_digest = {DA, DB}}},
    {.name = "source_digest_changed_since_record_gets_children",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, FOUND(DB, IMG, 529))},
     .n = 2,
     .target = &tag_holds_list,
     .prev = {{AMD, PUB_P_READY, DA, 1}, {ARM, PUB_P_READY, DOLD, 1}},
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .verified = {1, 0},
              .verified_digest = {DA, DOLD}}},
    {.name = "record_not_verified_gets_children",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_holds_list,
     .prev = {{AMD, PUB_P_READY, DA, 0}},
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY},
              .digest = {DA}}},
    {.name = "record_platform_not_ready_is_no_cache",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_holds_list,
     .prev = {{AMD, PUB_P_WRONG_PLATFORM, DA, 1}},
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY},
              .digest = {DA}}},
    {.name = "record_of_other_platform_is_no_cache",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_holds_list,
     .prev = {{ARM, PUB_P_READY, DA, 1}},
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY},
              .digest = {DA}}},
    {.name = "source_that_is_a_list_gets_children",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, FOUND(DB, LIST, 529))},
     .n = 2,
     .target = &tag_holds_list,
     .verify = 0,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB}}},
    {.name = "source_size_unknown_gets_children",
     .src = {SRC(AMD, FOUND(DA, IMG, -1))},
     .n = 1,
     .target = &tag_holds_list,
     .verify = 0,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY},
              .digest = {DA},
              .size = {-1},
              .check_size = 1}},
    {.name = "source_without_digest_or_type_gets_children",
     .src = {SRC(AMD, FOUND("", "", 528))},
     .n = 1,
     .target = &tag_holds_list,
     .verify = 0,
     .want = {.verdict = PUB_VERDICT_PUBLISH, .need = PUB_NEED_CHILDREN, .state = {PUB_P_READY}}},
    {.name = "target_tag_missing_gets_children",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_missing,
     .verify = 0,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY},
              .digest = {DA}}},
    {.name = "target_tag_error_gets_children_not_failed",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_error,
     .verify = 0,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY},
              .digest = {DA}}},
    {.name = "target_tag_without_digest_gets_children",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_no_digest,
     .verify = 0,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY},
              .digest = {DA}}},
    {.name = "one_source_404_incomplete_names_platform",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, NOTFOUND)},
     .n = 2,
     .target = &tag_holds_list,
     .prev = PREV_VERIFIED,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_INCOMPLETE,
              .reason = "missing " ARM,
              .state = {PUB_P_READY, PUB_P_MISSING},
              .digest = {DA, NULL},
              .verified = {1, 0},
              .verified_digest = {DA, DB},
              .size = {528, -1},
              .check_size = 1}},
    {.name = "two_sources_404_incomplete_names_both_in_order",
     .src = {SRC(AMD, NOTFOUND), SRC(ARM, FOUND(DB, IMG, 529)), SRC(S390, NOTFOUND)},
     .n = 3,
     .target = &tag_missing,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_INCOMPLETE,
              .reason = "missing " AMD ", " S390,
              .state = {PUB_P_MISSING, PUB_P_READY, PUB_P_MISSING},
              .digest = {NULL, DB, NULL}}},
    {.name = "head_error_fails_with_its_reason",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, HEADERR(E500))},
     .n = 2,
     .target = &tag_holds_list,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_FAILED,
              .reason = E500,
              .state = {PUB_P_READY, PUB_P_ERROR},
              .digest = {DA, NULL},
              .reason_of = {NULL, E500}}},
    {.name = "head_error_wins_over_missing",
     .src = {SRC(AMD, NOTFOUND), SRC(ARM, HEADERR(E500))},
     .n = 2,
     .target = &tag_holds_list,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_FAILED,
              .reason = E500,
              .state = {PUB_P_MISSING, PUB_P_ERROR},
              .reason_of = {NULL, E500}}},
    {.name = "two_head_errors_fail_with_the_first",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, HEADERR(E500)), SRC(S390, HEADERR(E401))},
     .n = 3,
     .target = &tag_holds_list,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_FAILED,
              .reason = E500,
              .state = {PUB_P_READY, PUB_P_ERROR, PUB_P_ERROR},
              .digest = {DA},
              .reason_of = {NULL, E500, E401}}},
    {.name = "check_all_ready_is_publish_without_target_tag",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, FOUND(DB, IMG, 529))},
     .n = 2,
     .target = NULL,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB}}},
    {.name = "check_one_missing_is_incomplete",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, NOTFOUND)},
     .n = 2,
     .target = NULL,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_INCOMPLETE,
              .reason = "missing " ARM,
              .state = {PUB_P_READY, PUB_P_MISSING},
              .digest = {DA}}},

    /* ---- the unchanged night: list digest, extra tags ----------------------- */
    {.name = "tag_holds_the_list_of_unchanged_sources_is_unchanged",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, FOUND(DB, IMG, 529))},
     .n = 2,
     .target = &tag_holds_list,
     .prev = PREV_VERIFIED,
     .verify = 1,
     .list_known = 1,
     .list_digest = DL,
     .want = {.verdict = PUB_VERDICT_UNCHANGED,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .verified = {1, 1},
              .verified_digest = {DA, DB}}},
    {.name = "tag_holds_another_list_publishes",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), SRC(ARM, FOUND(DB, IMG, 529))},
     .n = 2,
     .target = &tag_holds_list,
     .prev = PREV_VERIFIED,
     .verify = 1,
     .list_known = 1,
     .list_digest = DX,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .verified = {1, 1},
              .verified_digest = {DA, DB}}},
    {.name = "list_that_cannot_be_built_publishes",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_holds_list,
     .verify = 0,
     .list_known = 1,
     .list_digest = NULL,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY},
              .digest = {DA}}},
    {.name = "extra_tags_asked_only_after_the_tag_matched",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_holds_list,
     .verify = 0,
     .n_extra = 2,
     .list_known = 1,
     .list_digest = DL,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_EXTRA_TAGS,
              .state = {PUB_P_READY},
              .digest = {DA}}},
    {.name = "extra_tags_holding_the_list_is_unchanged",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_holds_list,
     .verify = 0,
     .n_extra = 2,
     .list_known = 1,
     .list_digest = DL,
     .extra_known = 1,
     .extra_hold = 1,
     .want = {.verdict = PUB_VERDICT_UNCHANGED,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY},
              .digest = {DA}}},
    {.name = "extra_tag_not_holding_the_list_publishes",
     .src = {SRC(AMD, FOUND(DA, IMG, 528))},
     .n = 1,
     .target = &tag_holds_list,
     .verify = 0,
     .n_extra = 1,
     .list_known = 1,
     .list_digest = DL,
     .extra_known = 1,
     .extra_hold = 0,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY},
              .digest = {DA}}},

    /* ---- after the child GETs ----------------------------------------------- */
    {.name = "children_ready_publish_with_their_digests",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)),
             SRCC(ARM, FOUND(DB, IMG, 529), CHILD_OK(DB, 1))},
     .n = 2,
     .target = &tag_missing,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .verified = {1, 1},
              .size = {528, 528},
              .check_size = 1}},
    {.name = "child_from_a_list_source_says_so",
     .src = {SRCC(AMD, FOUND(DA, LIST, 300), CHILD_LIST(DB))},
     .n = 1,
     .target = &tag_missing,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY},
              .digest = {DB},
              .reason_of = {FROM_LIST},
              .verified = {1},
              .size = {700},
              .check_size = 1}},
    {.name = "wrong_platform_fails_and_keeps_head_digest",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)),
             SRCC(ARM, FOUND(DB, IMG, 529), CHILD_WRONG(WRONG))},
     .n = 2,
     .target = &tag_holds_list,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_FAILED,
              .reason = WRONG,
              .state = {PUB_P_READY, PUB_P_WRONG_PLATFORM},
              .digest = {DA, DB},
              .reason_of = {NULL, WRONG},
              .verified = {1, 0},
              .size = {528, 529},
              .check_size = 1}},
    {.name = "child_errors_are_joined",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_ERROR("amd: GET: 500", "x")),
             SRCC(ARM, FOUND(DB, IMG, 529), CHILD_OK(DB, 1)),
             SRCC(S390, FOUND(DB, IMG, 529), CHILD_WRONG(WRONG))},
     .n = 3,
     .target = &tag_holds_list,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_FAILED,
              .reason = "amd: GET: 500; " WRONG,
              .state = {PUB_P_ERROR, PUB_P_READY, PUB_P_WRONG_PLATFORM},
              .digest = {DA, DB, DB},
              .reason_of = {"amd: GET: 500", NULL, WRONG},
              .verified = {0, 1, 0}}},
    {.name = "child_error_without_reason_uses_the_error",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_ERROR(NULL, "out of memory"))},
     .n = 1,
     .target = &tag_holds_list,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_FAILED,
              .reason = "out of memory",
              .state = {PUB_P_ERROR},
              .digest = {DA}}},
    {.name = "child_gone_since_its_head_is_incomplete",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)),
             SRCC(ARM, FOUND(DB, LIST, 529), CHILD_MISSING("no entry for linux/arm64/v8"))},
     .n = 2,
     .target = &tag_holds_list,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_INCOMPLETE,
              .reason = "missing " ARM,
              .state = {PUB_P_READY, PUB_P_MISSING},
              .digest = {DA, NULL},
              .reason_of = {NULL, "no entry for linux/arm64/v8"},
              .verified = {1, 0},
              .size = {528, -1},
              .check_size = 1}},
    {.name = "child_failure_wins_over_child_missing",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_MISSING("not found")),
             SRCC(ARM, FOUND(DB, IMG, 529), CHILD_WRONG(WRONG))},
     .n = 2,
     .target = &tag_holds_list,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_FAILED,
              .reason = WRONG,
              .state = {PUB_P_MISSING, PUB_P_WRONG_PLATFORM},
              .digest = {NULL, DB},
              .reason_of = {"not found", WRONG}}},
    {.name = "head_missing_decides_before_children",
     .src = {SRCC(AMD, NOTFOUND, CHILD_OK(DA, 1))},
     .n = 1,
     .target = &tag_holds_list,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_INCOMPLETE,
              .reason = "missing " AMD,
              .state = {PUB_P_MISSING}}},

    /* ---- optional platforms --------------------------------------------------- */
    {.name = "optional_missing_at_head_is_left_out_not_incomplete",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), OPT(S390, NOTFOUND)},
     .n = 2,
     .target = &tag_missing,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY, PUB_P_MISSING},
              .digest = {DA, NULL},
              .included = {1, 0},
              .check_included = 1}},
    {.name = "optional_head_error_is_left_out_not_failed",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), OPT(S390, HEADERR(E401))},
     .n = 2,
     .target = &tag_missing,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CHILDREN,
              .state = {PUB_P_READY, PUB_P_ERROR},
              .digest = {DA, NULL},
              .reason_of = {NULL, E401},
              .included = {1, 0},
              .check_included = 1}},
    {.name = "required_missing_is_incomplete_and_names_only_required",
     .src = {SRC(AMD, NOTFOUND), OPT(S390, NOTFOUND)},
     .n = 2,
     .target = &tag_missing,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_INCOMPLETE,
              .reason = "missing " AMD,
              .state = {PUB_P_MISSING, PUB_P_MISSING}}},
    {.name = "optional_present_joins_the_list",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)),
             OPTC(S390, FOUND(DB, IMG, 529), CHILD_OK(DB, 1))},
     .n = 2,
     .target = &tag_missing,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .verified = {1, 1},
              .included = {1, 1},
              .check_included = 1}},
    {.name = "optional_wrong_platform_is_left_out_not_failed",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)),
             OPTC(S390, FOUND(DB, IMG, 529), CHILD_WRONG(WRONG))},
     .n = 2,
     .target = &tag_missing,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY, PUB_P_WRONG_PLATFORM},
              .digest = {DA, DB},
              .reason_of = {NULL, WRONG},
              .verified = {1, 0},
              .included = {1, 0},
              .check_included = 1}},
    {.name = "optional_child_error_is_left_out_not_failed",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)),
             OPTC(S390, FOUND(DB, IMG, 529), CHILD_ERROR("s390x: GET: 500", "x"))},
     .n = 2,
     .target = &tag_missing,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY, PUB_P_ERROR},
              .digest = {DA, DB},
              .reason_of = {NULL, "s390x: GET: 500"},
              .verified = {1, 0},
              .included = {1, 0},
              .check_included = 1}},
    {.name = "optional_left_out_at_head_keeps_no_child",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)), OPT(S390, NOTFOUND)},
     .n = 2,
     .target = &tag_missing,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY, PUB_P_MISSING},
              .digest = {DA, NULL},
              .verified = {1, 0},
              .included = {1, 0},
              .check_included = 1}},
    {.name = "unchanged_night_without_the_optional_builds_from_the_rest",
     .src = {SRC(AMD, FOUND(DA, IMG, 528)), OPT(S390, NOTFOUND)},
     .n = 2,
     .target = &tag_holds_list,
     .prev = {{AMD, PUB_P_READY, DA, 1}, {S390, PUB_P_MISSING, NULL, 0}},
     .verify = 1,
     .list_known = 1,
     .list_digest = DL,
     .want = {.verdict = PUB_VERDICT_UNCHANGED,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY, PUB_P_MISSING},
              .digest = {DA, NULL},
              .verified = {1, 0},
              .verified_digest = {DA, NULL}}},
    {.name = "only_optional_platforms_none_there_is_incomplete",
     .src = {OPT(S390, NOTFOUND)},
     .n = 1,
     .target = &tag_missing,
     .verify = 1,
     .want = {.verdict = PUB_VERDICT_INCOMPLETE,
              .reason = "no platform is there",
              .state = {PUB_P_MISSING}}},

    /* ---- no silent shrink ------------------------------------------------------ */
    {.name = "shrink_by_missing_optional_is_held_by_the_record",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)), OPT(S390, NOTFOUND)},
     .n = 2,
     .target = &tag_holds_list,
     .prev = {{AMD, PUB_P_READY, DOLD, 1}, {S390, PUB_P_READY, DB, 1}},
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_HELD,
              .reason = HELD_S390,
              .state = {PUB_P_READY, PUB_P_MISSING},
              .digest = {DA, NULL},
              .verified = {1, 0},
              .verified_digest = {DOLD, DB},
              .included = {1, 0},
              .check_included = 1}},
    {.name = "shrink_allowed_publishes",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)), OPT(S390, NOTFOUND)},
     .n = 2,
     .target = &tag_holds_list,
     .prev = {{AMD, PUB_P_READY, DOLD, 1}, {S390, PUB_P_READY, DB, 1}},
     .verify = 1,
     .children_known = 1,
     .allow_shrink = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY, PUB_P_MISSING},
              .digest = {DA, NULL},
              .verified = {1, 0},
              .verified_digest = {DOLD, DB}}},
    {.name = "platform_dropped_from_config_is_held_by_the_record",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1))},
     .n = 1,
     .target = &tag_holds_list,
     .prev = {{AMD, PUB_P_READY, DOLD, 1}, {S390, PUB_P_READY, DB, 1}},
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_HELD,
              .reason = HELD_S390,
              .state = {PUB_P_READY},
              .digest = {DA},
              .verified = {1},
              .verified_digest = {DOLD}}},
    {.name = "record_of_another_list_asks_for_the_current_list",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1))},
     .n = 1,
     .target = &tag_holds_old,
     .prev = {{AMD, PUB_P_READY, DOLD, 1}, {S390, PUB_P_READY, DB, 1}},
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CURRENT_LIST,
              .state = {PUB_P_READY},
              .digest = {DA},
              .verified = {1},
              .verified_digest = {DOLD}}},
    {.name = "failed_record_asks_for_the_current_list",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1))},
     .n = 1,
     .target = &tag_holds_list,
     .prev = {{AMD, PUB_P_READY, DOLD, 1}},
     .prev_state = PUB_T_FAILED,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_CURRENT_LIST,
              .state = {PUB_P_READY},
              .digest = {DA},
              .verified = {1},
              .verified_digest = {DOLD}}},
    {.name = "current_list_with_more_platforms_is_held",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)),
             SRCC(ARM, FOUND(DB, IMG, 529), CHILD_OK(DB, 1))},
     .n = 2,
     .target = &tag_holds_old,
     .verify = 1,
     .children_known = 1,
     .current_known = 1,
     .current = {AMD, S390, ARM},
     .want = {.verdict = PUB_VERDICT_HELD,
              .reason = HELD_S390,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .verified = {1, 1}}},
    {.name = "current_list_with_two_lost_names_both",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1))},
     .n = 1,
     .target = &tag_holds_old,
     .verify = 1,
     .children_known = 1,
     .current_known = 1,
     .current = {ARM, AMD, S390},
     .want = {.verdict = PUB_VERDICT_HELD,
              .reason = "would drop " ARM ", " S390 ", which the tag's current list has",
              .state = {PUB_P_READY},
              .digest = {DA},
              .verified = {1}}},
    {.name = "current_list_covered_publishes",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1)),
             SRCC(ARM, FOUND(DB, IMG, 529), CHILD_OK(DB, 1))},
     .n = 2,
     .target = &tag_holds_old,
     .verify = 1,
     .children_known = 1,
     .current_known = 1,
     .current = {AMD},
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY, PUB_P_READY},
              .digest = {DA, DB},
              .verified = {1, 1}}},
    {.name = "tag_holding_an_image_is_no_shrink",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1))},
     .n = 1,
     .target = &tag_holds_image,
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY},
              .digest = {DA},
              .verified = {1}}},
    {.name = "check_never_asks_for_the_current_list",
     .src = {SRCC(AMD, FOUND(DA, IMG, 528), CHILD_OK(DA, 1))},
     .n = 1,
     .target = NULL,
     .prev = {{AMD, PUB_P_READY, DOLD, 1}, {S390, PUB_P_READY, DB, 1}},
     .verify = 1,
     .children_known = 1,
     .want = {.verdict = PUB_VERDICT_PUBLISH,
              .need = PUB_NEED_NOTHING,
              .state = {PUB_P_READY},
              .digest = {DA},
              .verified = {1},
              .verified_digest = {DOLD}}},
};

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
	t.platforms = ps;
	t.n_platforms = n;
	return &t;
}

static void decide_row(void **state)
{
	const struct row *r = *state;
	const struct want *w = &r->want;
	struct pub_platform_status ps[MAXP];
	struct pub_decide_input in = {
	    .sources = r->src,
	    .n_sources = r->n,
	    .target = r->target,
	    .prev = prev_record(r, ps),
	    .verify = r->verify,
	    .n_extra = r->n_extra,
	    .list_known = r->list_known,
	    .list_digest = r->list_digest,
	    .extra_known = r->extra_known,
	    .extra_hold = r->extra_hold,
	    .children_known = r->children_known,
	    .allow_shrink = r->allow_shrink,
	    .current_known = r->current_known,
	    .current = r->current,
	};
	struct pub_decision d;

	while (in.n_current < MAXP && r->current[in.n_current])
		in.n_current++;
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

/* Not a row: the decision's platforms borrow the input's strings, and a
 * second call (more learnt) replaces the first's answer. */
static void decide_twice_learns(void **state)
{
	struct pub_decide_source src[] = {SRC(AMD, FOUND(DA, IMG, 528))};
	struct pub_decide_input in = {
	    .sources = src, .n_sources = 1, .target = &tag_holds_list, .verify = 0};
	struct pub_decision d;

	(void)state;
	assert_int_equal(pub_decide(&in, &d), 0);
	assert_int_equal(d.need, PUB_NEED_LIST_DIGEST);
	assert_ptr_equal(d.platforms[0].digest, src[0].head.digest);
	pub_decision_free(&d);
	in.list_known = 1;
	in.list_digest = DL;
	assert_int_equal(pub_decide(&in, &d), 0);
	assert_int_equal(d.verdict, PUB_VERDICT_UNCHANGED);
	pub_decision_free(&d);
	pub_decision_free(NULL);
}

static void ready_state_names(void **state)
{
	enum pub_target_state t;

	(void)state;
	assert_string_equal(pub_target_state_str(PUB_T_READY), "ready");
	assert_string_equal(pub_check_state_str(PUB_T_READY), "ready");
	assert_string_equal(pub_check_state_str(PUB_T_INCOMPLETE), "incomplete");
	assert_string_equal(pub_check_state_str(PUB_T_FAILED), "failed");
	assert_int_equal(pub_target_state_parse("ready", &t), 0);
	assert_int_equal(t, PUB_T_READY);
	assert_string_equal(pub_target_state_str(PUB_T_HELD), "held");
	assert_int_equal(pub_target_state_parse("held", &t), 0);
	assert_int_equal(t, PUB_T_HELD);
}

int main(int argc, char **argv)
{
	enum { N = sizeof(rows) / sizeof(rows[0]) };
	struct CMUnitTest tests[N + 2];

	for (size_t i = 0; i < N; i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = rows[i].name;
		tests[i].test_func = decide_row;
		tests[i].initial_state = (void *)&rows[i];
	}
	tests[N] = (struct CMUnitTest)cmocka_unit_test(decide_twice_learns);
	tests[N + 1] = (struct CMUnitTest)cmocka_unit_test(ready_state_names);
	unit_set_filter(argc, argv);
	return _cmocka_run_group_tests("pub_decide", tests, N + 2, NULL, NULL);
}
