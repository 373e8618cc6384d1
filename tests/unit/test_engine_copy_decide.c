/* test_engine_copy_decide.c — pub_copy_decide, what a retag or promotion may
 * do to its destination tag, row by row: the same digest is unchanged; a
 * digest manifold did not write is refused unless overwrite; a list that
 * would lose a platform is held unless allow-shrink (its platforms asked
 * for first); everything else is copied. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "retag_internal.h"

#define S "sha256:aa"
#define D "sha256:dd"

static const char *const three[] = {"linux/amd64", "linux/arm64/v8", "linux/s390x"};
static const char *const two[] = {"linux/amd64", "linux/arm64/v8"};
static const char *const four[] = {"linux/amd64", "linux/arm64/v8", "linux/s390x", "linux/ppc64le"};
static const char *const arm[] = {"linux/arm64/v8"};

struct row {
	const char *name;
	struct pub_copy_in in;
	enum pub_copy_verdict want;
	const char *reason; /* NULL: none */
};

static const struct row rows[] = {
    {"nothing there: copy", {S, NULL, 0, 0, 0, 0, NULL, 0, NULL, 0}, PUB_COPY_DO, NULL},
    {"empty digest is nothing", {S, "", 1, 0, 0, 0, NULL, 0, NULL, 0}, PUB_COPY_DO, NULL},
    {"same digest: unchanged, whoever wrote it",
     {S, S, 1, 0, 0, 0, NULL, 0, NULL, 0},
     PUB_COPY_SAME,
     NULL},
    {"someone else's digest: refused",
     {S, D, 0, 0, 0, 0, NULL, 0, NULL, 0},
     PUB_COPY_NOT_MINE,
     "tag holds sha256:dd which manifold did not write (use --overwrite)"},
    {"someone else's list: refused before any platform is asked",
     {S, D, 1, 0, 0, 0, NULL, 0, NULL, 0},
     PUB_COPY_NOT_MINE,
     "tag holds sha256:dd which manifold did not write (use --overwrite)"},
    {"someone else's digest, overwrite: copy",
     {S, D, 0, 0, 1, 0, NULL, 0, NULL, 0},
     PUB_COPY_DO,
     NULL},
    {"manifold's own image: copy", {S, D, 0, 1, 0, 0, NULL, 0, NULL, 0}, PUB_COPY_DO, NULL},
    {"manifold's own list: its platforms first",
     {S, D, 1, 1, 0, 0, NULL, 0, NULL, 0},
     PUB_COPY_NEED_PLATFORMS,
     NULL},
    {"overwrite on a list still keeps its platforms",
     {S, D, 1, 0, 1, 0, NULL, 0, NULL, 0},
     PUB_COPY_NEED_PLATFORMS,
     NULL},
    {"a list losing s390x: held",
     {S, D, 1, 1, 0, 0, three, 3, two, 2},
     PUB_COPY_SHRINK,
     "would drop linux/s390x, which the tag's current list has (--allow-shrink lets it "
     "through)"},
    {"an image in place of a list: held, every other platform named",
     {S, D, 1, 1, 0, 0, three, 3, arm, 1},
     PUB_COPY_SHRINK,
     "would drop linux/amd64, linux/s390x, which the tag's current list has "
     "(--allow-shrink lets it through)"},
    {"the same platforms: copy", {S, D, 1, 1, 0, 0, three, 3, three, 3}, PUB_COPY_DO, NULL},
    {"more platforms: copy", {S, D, 1, 1, 0, 0, three, 3, four, 4}, PUB_COPY_DO, NULL},
    {"allow-shrink: copy without asking", {S, D, 1, 1, 0, 1, NULL, 0, NULL, 0}, PUB_COPY_DO, NULL},
    {"an empty list there loses nothing", {S, D, 1, 1, 0, 0, two, 0, arm, 1}, PUB_COPY_DO, NULL},
};

static void copy_decide_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum pub_copy_verdict got = (enum pub_copy_verdict) - 1;
		char *reason = (char *)"unset";
		print_message("row: %s\n", rows[i].name);
		assert_int_equal(pub_copy_decide(&rows[i].in, &got, &reason), 0);
		assert_int_equal(got, rows[i].want);
		if (rows[i].reason)
			assert_string_equal(reason, rows[i].reason);
		else
			assert_null(reason);
		free(reason);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(copy_decide_table),
	};
	return unit_run_group("pub_copy_decide", tests, argc, argv);
}
