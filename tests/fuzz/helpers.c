/* helpers.c — the input as a string and as a file, and the checks every
 * fuzz target shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return NULL;
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char temp_path[4096];
static int temp_fd = -1;

static void temp_remove(void)
{
	if (temp_fd >= 0) {
		close(temp_fd);
		unlink(temp_path);
	}
}

const char *fuzz_temp_file(const uint8_t *data, size_t size)
{
	if (temp_fd < 0) {
		const char *dir = getenv("TMPDIR");
		snprintf(temp_path, sizeof(temp_path), "%s/manifold-fuzz-XXXXXX",
		         dir && *dir ? dir : "/tmp");
		temp_fd = mkstemp(temp_path);
		if (temp_fd < 0)
			return NULL;
		atexit(temp_remove);
	}
	/* Overwrite, then cut: truncating to 0 first frees and reallocates
	 * blocks, which on a journalling disk costs more than the parse. */
	size_t done = 0;
	while (done < size) {
		ssize_t w = pwrite(temp_fd, data + done, size - done, (off_t)done);
		if (w <= 0)
			return NULL;
		done += (size_t)w;
	}
	if (ftruncate(temp_fd, (off_t)size) < 0)
		return NULL;
	return temp_path;
}

int fuzz_same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz property failed: %s\n", what);
	abort();
}
