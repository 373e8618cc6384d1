/* file.c — atomic file writes: temporary file, fsync, rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"

/* The rename is the commit point: a reader (node_exporter's textfile
 * collector, git) sees the old bytes or the new ones, never a part. */
int base_file_atomic_open(struct base_atomic_file *a, const char *path, unsigned mode,
                          struct base_error *err)
{
	struct stat st;
	int fd;

	memset(a, 0, sizeof(*a));
	a->path = path;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		if (!(a->f = fopen(path, "we"))) {
			base_error_set(err, "%s: open: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((size_t)snprintf(a->tmp, sizeof(a->tmp), "%s.tmp.XXXXXX", path) >= sizeof(a->tmp)) {
		base_error_set(err, "%s: path too long", path);
		return -1;
	}
	fd = mkostemp(a->tmp, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, (mode_t)mode) != 0 || !(a->f = fdopen(fd, "w"))) {
		base_error_set(err, "%s: create temporary file: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(a->tmp);
		}
		return -1;
	}
	return 0;
}

int base_file_atomic_commit(struct base_atomic_file *a, struct base_error *err)
{
	int ok;

	if (!a->f) {
		base_error_set(err, "%s: not open", a->path);
		return -1;
	}
	ok = !ferror(a->f) && fflush(a->f) == 0 && (!a->tmp[0] || fsync(fileno(a->f)) == 0);
	if (!a->tmp[0]) { /* written in place */
		ok = fclose(a->f) == 0 && ok;
		a->f = NULL;
		if (!ok)
			base_error_set(err, "%s: write: %s", a->path, strerror(errno));
		return ok ? 0 : -1;
	}
	if (fclose(a->f) != 0 || !ok) {
		a->f = NULL;
		base_error_set(err, "%s: write %s: %s", a->path, a->tmp, strerror(errno));
		unlink(a->tmp);
		return -1;
	}
	a->f = NULL;
	if (rename(a->tmp, a->path) < 0) {
		base_error_set(err, "%s: rename: %s", a->path, strerror(errno));
		unlink(a->tmp);
		return -1;
	}
	return 0;
}

void base_file_atomic_abort(struct base_atomic_file *a)
{
	if (!a || !a->f)
		return;
	fclose(a->f);
	a->f = NULL;
	if (a->tmp[0])
		unlink(a->tmp);
}

int base_file_write_atomic(const char *path, const char *data, size_t len, unsigned mode,
                           struct base_error *err)
{
	struct base_atomic_file a;

	if (base_file_atomic_open(&a, path, mode, err) < 0)
		return -1;
	if (len && fwrite(data, 1, len, a.f) != len) {
		base_error_set(err, "%s: write %s: %s", path, a.tmp[0] ? a.tmp : path,
		               strerror(errno));
		base_file_atomic_abort(&a);
		return -1;
	}
	return base_file_atomic_commit(&a, err);
}
