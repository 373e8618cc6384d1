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
int base_file_write_atomic(const char *path, const char *data, size_t len, unsigned mode,
                           struct base_error *err)
{
	char tmp[4096];
	FILE *f = NULL;
	int fd, ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp)) {
		base_error_set(err, "%s: path too long", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		base_error_set(err, "%s: create temporary file: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = fchmod(fd, (mode_t)mode) == 0 && fwrite(data, 1, len, f) == len && fflush(f) == 0 &&
	     fsync(fd) == 0;
	if (fclose(f) != 0 || !ok) {
		base_error_set(err, "%s: write %s: %s", path, tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		base_error_set(err, "%s: rename: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
