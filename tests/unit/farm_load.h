/* farm_load.h — loading a config from a string in the farm tests, with
 * the registry module's platform check (farm_platform.h): a config that
 * must load, or must fail with exactly one message (err.msg) or exactly
 * these messages (err.all, one per line). A failure points at the
 * caller's line. The file is named "release.yaml" in messages. */
#ifndef MANIFOLD_TEST_FARM_LOAD_H
#define MANIFOLD_TEST_FARM_LOAD_H

#include "unit.h"
#include "farm.h"
#include "farm_platform.h"

static const struct farm_load_options farm_test_opts = {.platform_check = platform_check};

static inline struct farm_config *farm_test_load(const char *yaml, struct farm_error *err)
{
	struct farm_config *c = NULL;
	memset(err, 0, sizeof(*err));
	if (farm_config_parse("release.yaml", yaml, strlen(yaml), &farm_test_opts, &c, err) < 0)
		return NULL;
	return c;
}

static inline struct farm_config *farm_test_load_ok(const char *file, int line, const char *yaml)
{
	struct farm_error err;
	struct farm_config *c = farm_test_load(yaml, &err);
	if (!c)
		unit_fail_at(file, line, "%s", err.msg);
	return c;
}
#define LOAD_OK(yaml) farm_test_load_ok(__FILE__, __LINE__, yaml)

/* all 0: the first error must be want; all 1: the whole list must be. */
static inline void farm_test_expect(const char *file, int line, const char *yaml, const char *want,
                                    int all)
{
	struct farm_error err;
	struct farm_config *c = farm_test_load(yaml, &err);
	if (c) {
		farm_config_free(c);
		unit_fail_at(file, line, "loaded, want error %s", want);
		return;
	}
	_assert_string_equal(all ? err.all : err.msg, want, file, line);
	size_t first = strcspn(err.all, "\n");
	if (strlen(err.msg) != first || strncmp(err.msg, err.all, first) != 0)
		unit_fail_at(file, line, "msg \"%s\" is not the first line of all", err.msg);
}
#define EXPECT_ERROR(yaml, want)  farm_test_expect(__FILE__, __LINE__, yaml, want, 0)
#define EXPECT_ERRORS(yaml, want) farm_test_expect(__FILE__, __LINE__, yaml, want, 1)

#endif
