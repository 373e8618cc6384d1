/* status_lock.h — one writer at a time per status file (status_lock.c).
 * Functions return 0 or negative and fill a caller-owned struct base_error. */
#ifndef MANIFOLD_STATUS_LOCK_H
#define MANIFOLD_STATUS_LOCK_H

#include "status_util.h"

/* An exclusive flock on
 * "<path>.lock", waited for at most wait_ms (then an error saying another
 * run holds it). Hold it across load, merge, write and the git record, so
 * a concurrent writer's records are read back, never overwritten. Taking
 * it removes temporary files a killed writer left ("<path>.tmp.XXXXXX");
 * releasing it removes the lock file. */
struct status_lock;
int status_lock(const char *path, long wait_ms, struct status_lock **out, struct base_error *err);
/* How a run waits for that lock. The wait polls (a non-blocking flock every
 * 50 ms), so it ends as soon as give_up says so: a run stopped by a signal
 * or its deadline waits no longer than its grace. */
struct status_lock_wait {
	long wait_ms; /* then an error saying another run holds it */
	/* Asked between tries; nonzero ends the wait with an error saying the
	 * run was stopped. May be NULL. */
	int (*give_up)(void *ctx);
	/* Told once, when the lock is found held and the wait begins (a log
	 * line: "waiting for <path>.lock ..."). May be NULL. */
	void (*note)(void *ctx, const char *msg);
	void *ctx;
};
int status_lock_wait(const char *path, const struct status_lock_wait *w, struct status_lock **out,
                     struct base_error *err);
void status_unlock(struct status_lock *l); /* NULL safe */
/* The wait for that lock: MANIFOLD_STATUS_LOCK_WAIT seconds (an integer
 * 0..3600) when set, else 120 s. */
long status_lock_wait_ms(void);

#endif
