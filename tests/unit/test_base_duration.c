/* test_base_duration.c — the one duration grammar (a whole number and ms,
 * s, m, h or d; nothing else), RFC 3339 times formatted and parsed back,
 * and an atomic write (the bytes and the mode land, no temporary file is
 * left, a missing directory is an error naming the path, a FIFO or device
 * is written in place and stays what it is, a symbolic link stays a link
 * and the file it names is replaced). */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "unit.h"

static long long ms_of(const char *text)
{
	long long ms = -7;
	return base_duration_parse(text, &ms) == 0 ? ms : -1;
}

static void duration_takes_every_unit(void **state)
{
	(void)state;
	assert_int_equal(ms_of("500ms"), 500);
	assert_int_equal(ms_of("90s"), 90000);
	assert_int_equal(ms_of("15m"), 900000);
	assert_int_equal(ms_of("2h"), 7200000);
	assert_int_equal(ms_of("1d"), 86400000);
	assert_int_equal(ms_of("48h"), ms_of("2d"));
	assert_int_equal(ms_of("0s"), 0);
	assert_int_equal(ms_of("007s"), 7000);
	assert_int_equal(ms_of("100000000d"), 100000000LL * 86400000);
}

static void duration_refuses_anything_else(void **state)
{
	static const char *const bad[] = {"",    "48",  "-1h",   "+1h",  "1.5s",      " 1s",
	                                  "1s ", "1 s", "1S",    "1sec", "1w",        "s",
	                                  "ms",  "1hm", "1h30m", "0x1s", "100000001d"};
	(void)state;
	for (size_t i = 0; i < UNIT_COUNT(bad); i++) {
		long long ms = 0;
		if (base_duration_parse(bad[i], &ms) == 0)
			fail_msg("\"%s\" was taken as %lld ms", bad[i], ms);
	}
	assert_int_equal(base_duration_parse(NULL, &(long long){0}), -1);
}

static void duration_want_wording(void **state)
{
	(void)state;
	assert_string_equal(BASE_DURATION_WANT("1ms", "24h"),
	                    "a duration from 1ms to 24h, like \"30s\" or \"2m\"");
}

static void time_formats_and_parses_back(void **state)
{
	char buf[BASE_TIME_MAX];
	time_t t = 0;
	(void)state;

	base_time_format(1795316400, buf);
	assert_string_equal(buf, "2026-11-22T03:00:00Z");
	assert_int_equal(base_time_parse(buf, &t), 0);
	assert_int_equal(t, 1795316400);
	assert_int_equal(base_time_parse("2026-11-22T03:00:00.250Z", &t), 0);
	assert_int_equal(t, 1795316400);
	base_time_format_ms(&(struct timespec){1795316400, 7000000}, buf);
	assert_string_equal(buf, "2026-11-22T03:00:00.007Z");
	assert_int_equal(base_time_parse("2026-11-22T03:00:00+01:00", &t), -1);
	assert_int_equal(base_time_parse("2026-11-22", &t), -1);
	assert_int_equal(base_time_parse(NULL, &t), -1);
}

static void atomic_write_lands_whole_with_its_mode(void **state)
{
	char dir[64], path[128], got[16] = {0};
	struct base_error err = {0};
	struct stat st;
	FILE *f;
	(void)state;

	assert_int_equal(unit_tmpdir("atomic", dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	assert_int_equal(base_file_write_atomic(path, "old", 3, 0644, &err), 0);
	assert_int_equal(base_file_write_atomic(path, "new bytes", 9, 0640, &err), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(got, 1, sizeof(got) - 1, f), 9);
	fclose(f);
	assert_string_equal(got, "new bytes");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0); /* nothing else was left behind */
}

static void atomic_write_names_the_path(void **state)
{
	struct base_error err = {0};
	(void)state;

	assert_int_equal(base_file_write_atomic("/nonexistent-dir/x", "a", 1, 0644, &err), -1);
	assert_string_equal(err.msg,
	                    "/nonexistent-dir/x: create temporary file: No such file or directory");
}

/* `--output-file /dev/null` or a FIFO: written through, never replaced by
 * a regular file (a rename over /dev/null breaks the whole machine). */
static void atomic_write_goes_through_a_fifo(void **state)
{
	char dir[64], path[128], got[16] = {0};
	struct base_error err = {0};
	struct base_atomic_file a;
	struct stat st;
	int rd;
	(void)state;

	assert_int_equal(unit_tmpdir("fifo", dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/pipe", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	rd = open(path, O_RDWR | O_NONBLOCK); /* a reader, so writing does not block */
	assert_true(rd >= 0);
	assert_int_equal(base_file_write_atomic(path, "through", 7, 0644, &err), 0);
	assert_int_equal(read(rd, got, sizeof(got) - 1), 7);
	assert_string_equal(got, "through");
	assert_int_equal(base_file_atomic_open(&a, path, 0644, &err), 0);
	fputs("abort", a.f);
	base_file_atomic_abort(&a);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	close(rd);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0); /* no temporary file beside it */
}

/* A linked file (a mounted secret's config.json, a dotfiles checkout):
 * the link stays, the file it names gets the bytes; a dangling link makes
 * the file it names; a directory is refused by name. */
static void atomic_write_keeps_a_link(void **state)
{
	char dir[64], path[128], link[128], place[4096], got[16] = {0};
	struct base_error err = {0};
	struct stat st;
	int in_place = -1;
	FILE *f;
	(void)state;

	assert_int_equal(unit_tmpdir("link", dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/real.json", dir);
	snprintf(link, sizeof(link), "%s/linked.json", dir);
	assert_int_equal(symlink("real.json", link), 0); /* dangling, relative */
	assert_int_equal(base_file_write_place(link, place, sizeof(place), &in_place, &err), 0);
	assert_string_equal(place, path);
	assert_int_equal(in_place, 0);
	assert_int_equal(base_file_write_atomic(link, "first", 5, 0600, &err), 0);
	assert_int_equal(base_file_write_atomic(link, "second", 6, 0600, &err), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(got, 1, sizeof(got) - 1, f), 6);
	fclose(f);
	assert_string_equal(got, "second");
	assert_int_equal(base_file_write_place(dir, place, sizeof(place), &in_place, &err), -1);
	assert_memory_equal(err.msg, dir, strlen(dir));
	assert_string_equal(err.msg + strlen(dir), ": is a directory");
	assert_int_equal(unlink(link), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0); /* no temporary file beside them */
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(duration_takes_every_unit),
	    cmocka_unit_test(duration_refuses_anything_else),
	    cmocka_unit_test(duration_want_wording),
	    cmocka_unit_test(time_formats_and_parses_back),
	    cmocka_unit_test(atomic_write_lands_whole_with_its_mode),
	    cmocka_unit_test(atomic_write_names_the_path),
	    cmocka_unit_test(atomic_write_goes_through_a_fifo),
	    cmocka_unit_test(atomic_write_keeps_a_link),
	};
	return unit_run_group("test_base_duration", tests, argc, argv);
}
