/* test_status_lock.c — the status file's one-writer lock: a second taker
 * waits its bound and is told who holds it, a wait that is told to give up
 * (a stopped run) ends at that try with its own error and says once that
 * it waits, a released lock can be taken again and leaves no lock file,
 * and taking it removes the temporary files a killed writer left (and
 * nothing else). */
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "unit.h"

struct lock_dir {
	char dir[64], path[128], lockpath[160];
};

static int lock_dir_setup(void **state)
{
	struct lock_dir *fx = calloc(1, sizeof(*fx));
	*state = fx;
	if (!fx || unit_tmpdir("lock", fx->dir, sizeof(fx->dir)) < 0)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/status.json", fx->dir);
	snprintf(fx->lockpath, sizeof(fx->lockpath), "%s.lock", fx->path);
	return 0;
}

static int lock_dir_teardown(void **state)
{
	struct lock_dir *fx = *state;
	int rc = unit_tmpdir_remove(fx->dir);
	free(fx);
	return rc;
}

static void touch(const char *dir, const char *name)
{
	char p[256];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

static int exists(const char *dir, const char *name)
{
	char p[256];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &sb) == 0;
}

static void status_lock_second_taker_waits_then_is_told_who_holds_it(void **state)
{
	struct lock_dir *fx = *state;
	struct pub_status_lock *a = NULL, *b = NULL;
	struct base_error err;
	char want[512];

	base_error_clear(&err);
	assert_int_equal(pub_status_lock(fx->path, 0, &a, &err), 0);
	assert_non_null(a);
	assert_int_equal(pub_status_lock(fx->path, 100, &b, &err), -1);
	assert_null(b);
	snprintf(want, sizeof(want),
	         "%s: another manifold run is writing this status file (%s held for 0 s); "
	         "nothing written",
	         fx->path, fx->lockpath);
	assert_string_equal(err.msg, want);
	pub_status_unlock(a);
	assert_false(exists(fx->dir, "status.json.lock"));
	assert_int_equal(pub_status_lock(fx->path, 0, &b, &err), 0);
	pub_status_unlock(b);
}

struct waiter {
	int asked, notes;
	char note[512];
};

/* Gives up at its third question: a signal came while the run waited. */
static int give_up_third(void *ctx)
{
	struct waiter *w = ctx;
	return ++w->asked >= 3;
}

static void note(void *ctx, const char *msg)
{
	struct waiter *w = ctx;
	w->notes++;
	snprintf(w->note, sizeof(w->note), "%s", msg);
}

static void status_lock_wait_ends_when_told_to_give_up(void **state)
{
	struct lock_dir *fx = *state;
	struct pub_status_lock *a = NULL, *b = NULL;
	struct waiter w = {0, 0, ""};
	struct pub_status_lock_wait how = {3600000L, give_up_third, note, &w};
	struct base_error err;
	char want[512];

	base_error_clear(&err);
	assert_int_equal(pub_status_lock(fx->path, 0, &a, &err), 0);
	assert_int_equal(pub_status_lock_wait(fx->path, &how, &b, &err), -1);
	assert_null(b);
	assert_int_equal(w.asked, 3);
	assert_int_equal(w.notes, 1);
	snprintf(want, sizeof(want),
	         "waiting for %s (another manifold run is writing %s), at most 3600 s",
	         fx->lockpath, fx->path);
	assert_string_equal(w.note, want);
	snprintf(want, sizeof(want),
	         "%s: stopped while waiting for %s (another manifold run is writing this status "
	         "file); nothing written",
	         fx->path, fx->lockpath);
	assert_string_equal(err.msg, want);
	/* free: taken at the first try, nobody asked, nothing said */
	pub_status_unlock(a);
	w.asked = w.notes = 0;
	assert_int_equal(pub_status_lock_wait(fx->path, &how, &b, &err), 0);
	assert_int_equal(w.asked, 0);
	assert_int_equal(w.notes, 0);
	pub_status_unlock(b);
}

static void status_lock_removes_stale_temporary_files_only(void **state)
{
	struct lock_dir *fx = *state;
	struct pub_status_lock *l = NULL;
	struct base_error err;

	base_error_clear(&err);
	touch(fx->dir, "status.json.tmp.Ab12Cd");
	touch(fx->dir, "status.json.tmp.long-name");
	touch(fx->dir, "other.json.tmp.Ab12Cd");
	assert_int_equal(pub_status_lock(fx->path, 0, &l, &err), 0);
	assert_false(exists(fx->dir, "status.json.tmp.Ab12Cd"));
	assert_true(exists(fx->dir, "status.json.tmp.long-name"));
	assert_true(exists(fx->dir, "other.json.tmp.Ab12Cd"));
	pub_status_unlock(l);
}

static void status_lock_makes_missing_directories(void **state)
{
	struct lock_dir *fx = *state;
	struct pub_status_lock *l = NULL;
	struct base_error err;
	char deep[256];

	base_error_clear(&err);
	snprintf(deep, sizeof(deep), "%s/a/b/status.json", fx->dir);
	assert_int_equal(pub_status_lock(deep, 0, &l, &err), 0);
	assert_true(exists(fx->dir, "a/b/status.json.lock"));
	pub_status_unlock(l);
	pub_status_unlock(NULL);
}

static void status_lock_wait_comes_from_the_environment(void **state)
{
	(void)state;
	unsetenv("MANIFOLD_STATUS_LOCK_WAIT");
	assert_int_equal(pub_status_lock_wait_ms(), 120000);
	setenv("MANIFOLD_STATUS_LOCK_WAIT", "3", 1);
	assert_int_equal(pub_status_lock_wait_ms(), 3000);
	setenv("MANIFOLD_STATUS_LOCK_WAIT", "-1", 1);
	assert_int_equal(pub_status_lock_wait_ms(), 120000);
	setenv("MANIFOLD_STATUS_LOCK_WAIT", "5s", 1);
	assert_int_equal(pub_status_lock_wait_ms(), 120000);
	unsetenv("MANIFOLD_STATUS_LOCK_WAIT");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        status_lock_second_taker_waits_then_is_told_who_holds_it, lock_dir_setup,
	        lock_dir_teardown),
	    cmocka_unit_test_setup_teardown(status_lock_wait_ends_when_told_to_give_up,
	                                    lock_dir_setup, lock_dir_teardown),
	    cmocka_unit_test_setup_teardown(status_lock_removes_stale_temporary_files_only,
	                                    lock_dir_setup, lock_dir_teardown),
	    cmocka_unit_test_setup_teardown(status_lock_makes_missing_directories, lock_dir_setup,
	                                    lock_dir_teardown),
	    cmocka_unit_test(status_lock_wait_comes_from_the_environment),
	};
	return unit_run_group("test_status_lock", tests, argc, argv);
}
