/* status_lock.c — one writer at a time per status file: an exclusive flock
 * on "<status>.lock" next to it, held for the read–merge–write (and the git
 * record) of a run, and the removal of temporary files a killed writer left
 * behind. The wait for it is a poll (LOCK_NB every 50 ms), so a stopped run
 * (signal, deadline) ends it between tries. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "status_file.h"
#include "status_lock.h"

#define LOCK_POLL_MS 50L

struct status_lock {
	int fd;
	char *path; /* "<status>.lock" */
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The lock file is removed on release, so a lock won on a file that has
 * been unlinked (or replaced) since it was opened is no lock: try again. */
static int lock_is_current(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* 0 locked, 1 held by another process, -1 error (err filled). */
static int lock_try(struct status_lock *l, struct base_error *err)
{
	int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		base_error_set(err, "%s: %s", l->path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK || e == EINTR)
			return 1;
		base_error_set(err, "%s: flock: %s", l->path, strerror(e));
		return -1;
	}
	if (!lock_is_current(fd, l->path)) {
		close(fd);
		return 1;
	}
	l->fd = fd;
	return 0;
}

/* Leftovers of status_write ("<base>.tmp.XXXXXX") from a writer that
 * was killed between creating and renaming its temporary file. Only called
 * under the lock, so no live writer owns one. */
static void remove_stale_temps(const char *status_path)
{
	const char *slash = strrchr(status_path, '/');
	const char *base = slash ? slash + 1 : status_path;
	char dir[4096], prefix[512], full[4600];
	size_t plen;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - status_path) + 1 : 1,
	         slash ? status_path : ".");
	if ((size_t)snprintf(prefix, sizeof(prefix), "%s.tmp.", base) >= sizeof(prefix) ||
	    !(d = opendir(dir)))
		return;
	plen = strlen(prefix);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, plen) != 0 || strlen(de->d_name) != plen + 6)
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s%s%s", dir,
		                     dir[strlen(dir) - 1] == '/' ? "" : "/",
		                     de->d_name) < sizeof(full))
			unlink(full);
	}
	closedir(d);
}

int status_lock_wait(const char *status_path, const struct status_lock_wait *w,
                     struct status_lock **out, struct base_error *err)
{
	struct status_lock *l = calloc(1, sizeof(*l));
	long waited = 0;
	int r, stopped = 0;

	*out = NULL;
	if (!l || asprintf(&l->path, "%s.lock", status_path) < 0) {
		free(l);
		base_error_set(err, "out of memory");
		return -1;
	}
	l->fd = -1;
	if (base_file_make_parents(status_path, 0777, err) < 0) {
		status_unlock(l);
		return -1;
	}
	while ((r = lock_try(l, err)) == 1 && waited < w->wait_ms) {
		if (w->give_up && w->give_up(w->ctx)) {
			stopped = 1;
			break;
		}
		if (waited == 0 && w->note) {
			char msg[4200];
			snprintf(
			    msg, sizeof(msg),
			    "waiting for %s (another manifold run is writing %s), at most %ld s",
			    l->path, status_path, w->wait_ms / 1000);
			w->note(w->ctx, msg);
		}
		sleep_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	if (r != 0) {
		if (r == 1 && stopped)
			base_error_set(err,
			               "%s: stopped while waiting for %s (another manifold run is "
			               "writing this status file); nothing written",
			               status_path, l->path);
		else if (r == 1)
			base_error_set(err,
			               "%s: another manifold run is writing this status file "
			               "(%s held for %ld s); nothing written",
			               status_path, l->path, w->wait_ms / 1000);
		status_unlock(l);
		return -1;
	}
	remove_stale_temps(status_path);
	*out = l;
	return 0;
}

int status_lock(const char *status_path, long wait_ms, struct status_lock **out,
                struct base_error *err)
{
	struct status_lock_wait w = {wait_ms, NULL, NULL, NULL};
	return status_lock_wait(status_path, &w, out, err);
}

void status_unlock(struct status_lock *l)
{
	if (!l)
		return;
	if (l->fd >= 0) {
		/* Unlink while holding it: whoever opened the old file retries. */
		unlink(l->path);
		close(l->fd);
	}
	free(l->path);
	free(l);
}

long status_lock_wait_ms(void)
{
	const char *env = base_env("MANIFOLD_STATUS_LOCK_WAIT");
	char *end;
	long s;

	if (!env || !*env)
		return 120000L;
	errno = 0;
	s = strtol(env, &end, 10);
	if (errno || *end || s < 0 || s > 3600)
		return 120000L;
	return s * 1000L;
}
