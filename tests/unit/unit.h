/* unit.h — what every unit test includes for cmocka: its headers in the
 * order cmocka.h needs, a group runner that takes a case filter, and the
 * two assertions cmocka lacks (strings that may be NULL, byte ranges).
 *
 * Each tests/unit/test_<short>.c is one cmocka group named after the file,
 * one case per property; ctest runs the whole group as unit_<short>. To run
 * one case, or every case a glob matches, name it as the first argument
 * (or in CMOCKA_TEST_FILTER; the argument wins):
 *
 *     build/tests/test_reg_ref 'ref_parse_*'
 *     CMOCKA_TEST_FILTER=ref_copy_is_deep build/tests/test_reg_ref
 *
 * Tests that read tests/data or the source tree need what ctest sets:
 * MANIFOLD_TESTDATA=tests/data MANIFOLD_SOURCE_DIR=. in front of the
 * command. */
#ifndef MANIFOLD_UNIT_H
#define MANIFOLD_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static inline void unit_set_filter(int argc, char **argv)
{
	const char *glob = argc > 1 ? argv[1] : getenv("CMOCKA_TEST_FILTER");
	if (glob && *glob)
		cmocka_set_test_filter(glob);
}

/* main's one line: run `tests` (an array in scope) as group `name`,
 * limited to the cases argv[1] or CMOCKA_TEST_FILTER names. */
#define unit_run_group(name, tests, argc, argv)                                                    \
	(unit_set_filter((argc), (argv)), cmocka_run_group_tests_name(name, tests, NULL, NULL))

/* Fail the case at file:line with a printf-style message, reported where
 * cmocka reports its own (helpers pass their caller's place). cmocka cuts
 * a message at about 1 KiB, location included, so keep it short. */
static inline void unit_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void unit_fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	_assert_true(0, msg, file, line);
}

/* Long texts that differ: both in full on stderr (straight, since
 * print_error cuts at 1 KiB too), then a short failure naming the first
 * differing byte. */
static inline void unit_fail_texts_differ(const char *got, size_t got_len, const char *want,
                                          size_t want_len, const char *file, int line)
{
	size_t at = 0;
	while (at < got_len && at < want_len && got[at] == want[at])
		at++;
	fprintf(stderr, "got (%zu bytes):\n%.*s\nwant (%zu bytes):\n%.*s\n", got_len, (int)got_len,
	        got ? got : "", want_len, (int)want_len, want ? want : "");
	unit_fail_at(file, line, "%zu bytes, want %zu; first difference at byte %zu (both above)",
	             got_len, want_len, at);
}

/* Equal when both are NULL or both are the same string; a failure prints
 * both, NULL as NULL. */
#define assert_str_or_null_equal(got, want)                                                        \
	unit_assert_str_or_null_equal((got), (want), __FILE__, __LINE__)

static inline void unit_assert_str_or_null_equal(const char *got, const char *want,
                                                 const char *file, int line)
{
	if (got && want) {
		size_t got_len = strlen(got), want_len = strlen(want);
		if (got_len + want_len < 400)
			_assert_string_equal(got, want, file, line);
		else if (strcmp(got, want) != 0)
			unit_fail_texts_differ(got, got_len, want, want_len, file, line);
	} else if (got) {
		unit_fail_at(file, line, "\"%.400s\" != NULL", got);
	} else if (want) {
		unit_fail_at(file, line, "NULL != \"%.400s\"", want);
	}
}

/* A fresh directory /tmp/manifold-<what>-XXXXXX in dir (n bytes); 0 or -1. */
static inline int unit_tmpdir(const char *what, char *dir, size_t n)
{
	if ((size_t)snprintf(dir, n, "/tmp/manifold-%s-XXXXXX", what) >= n)
		return -1;
	return mkdtemp(dir) ? 0 : -1;
}

/* rm -rf dir (one made by unit_tmpdir); 0 or -1. */
static inline int unit_tmpdir_remove(const char *dir)
{
	char cmd[320];
	if (strncmp(dir, "/tmp/manifold-", 14) != 0 || strchr(dir, '\'') ||
	    (size_t)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

/* A test's git repositories under one fresh directory (unit_tmpdir), with
 * no user or system git configuration read: HOME and XDG_CONFIG_HOME are
 * that directory. 0 or -1. */
static inline int unit_git_sandbox(const char *what, char *root, size_t n)
{
	if (unit_tmpdir(what, root, n) < 0)
		return -1;
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("HOME", root, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	return 0;
}

/* Exact bytes, as text on failure (lists, JSON). */
#define assert_bytes_equal(got, got_len, want, want_len)                                           \
	unit_assert_bytes_equal((got), (got_len), (want), (want_len), __FILE__, __LINE__)

static inline void unit_assert_bytes_equal(const void *got, size_t got_len, const void *want,
                                           size_t want_len, const char *file, int line)
{
	if (got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0))
		return;
	unit_fail_texts_differ(got, got_len, want, want_len, file, line);
}

#endif
