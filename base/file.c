/* file.c — atomic file writes: temporary file, fsync, rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"

int base_file_make_parents(const char *path, unsigned mode, struct base_error *err)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf)) {
		base_error_set(err, "%s: path too long", path);
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, (mode_t)mode) < 0 && errno != EEXIST) {
			base_error_set(err, "%s: mkdir %s: %s", path, buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* A link's target, resolved the way the kernel would open it; a dangling
 * link names the file to be made (relative to the link's directory). */
static int link_target(const char *path, char *real, size_t n, struct base_error *err)
{
	char link[4096], *full;
	const char *slash;
	ssize_t len;

	if ((full = realpath(path, NULL))) {
		int fits = strlen(full) < n;
		if (fits)
			memcpy(real, full, strlen(full) + 1);
		free(full);
		if (!fits)
			base_error_set(err, "%s: path too long", path);
		return fits ? 0 : -1;
	}
	if (errno != ENOENT || (len = readlink(path, link, sizeof(link) - 1)) < 0) {
		base_error_set(err, "%s: resolve link: %s", path, strerror(errno));
		return -1;
	}
	link[len] = '\0';
	slash = strrchr(path, '/');
	if (link[0] == '/' || !slash)
		len = snprintf(real, n, "%s", link);
	else
		len = snprintf(real, n, "%.*s/%s", (int)(slash - path), path, link);
	if (len < 0 || (size_t)len >= n) {
		base_error_set(err, "%s: path too long", path);
		return -1;
	}
	return 0;
}

int base_file_write_place(const char *path, char *real, size_t n, int *in_place,
                          struct base_error *err)
{
	struct stat st;

	*in_place = 0;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (link_target(path, real, n, err) < 0)
			return -1;
	} else if ((size_t)snprintf(real, n, "%s", path) >= n) {
		base_error_set(err, "%s: path too long", path);
		return -1;
	}
	if (stat(real, &st) < 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		base_error_set(err, "%s: is a directory", path);
		return -1;
	}
	*in_place = !S_ISREG(st.st_mode);
	return 0;
}

/* The rename is the commit point: a reader (node_exporter's textfile
 * collector, git) sees the old bytes or the new ones, never a part. */
int base_file_atomic_open(struct base_atomic_file *a, const char *path, unsigned mode,
                          struct base_error *err)
{
	int fd, in_place;

	memset(a, 0, sizeof(*a));
	a->path = path;
	if (base_file_write_place(path, a->real, sizeof(a->real), &in_place, err) < 0)
		return -1;
	if (in_place) {
		if (!(a->f = fopen(a->real, "we"))) {
			base_error_set(err, "%s: open: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((size_t)snprintf(a->tmp, sizeof(a->tmp), "%s.tmp.XXXXXX", a->real) >= sizeof(a->tmp)) {
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
		a->tmp[0] = '\0';
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
	if (rename(a->tmp, a->real) < 0) {
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
