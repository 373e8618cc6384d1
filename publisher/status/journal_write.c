/* journal_write.c — the write-ahead journal beside the status file, written:
 * where a status file's journals live, and a run's own journal
 * ("<status>.journal.XXXXXX", flocked for the run's life) to which each
 * target outcome (and, before a list PUT, its intent) is appended and
 * synced as it happens (docs/status.md, "The journal"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal_internal.h"

/* ---- where journals live -------------------------------------------------- */

/* The directory of status_path ("." when none) and its base name. */
int status_journal_split_path(const char *status_path, char **dir, const char **base)
{
	const char *slash = strrchr(status_path, '/');

	*base = slash ? slash + 1 : status_path;
	if (!slash)
		*dir = strdup(".");
	else if (slash == status_path)
		*dir = strdup("/");
	else
		*dir = strndup(status_path, (size_t)(slash - status_path));
	return *dir ? 0 : -1;
}

/* 1 when name is "<base>.journal.XXXXXX". */
int status_journal_is_name(const char *name, const char *base)
{
	size_t bl = strlen(base), il = strlen(JOURNAL_INFIX);

	return strncmp(name, base, bl) == 0 && strncmp(name + bl, JOURNAL_INFIX, il) == 0 &&
	       strlen(name + bl + il) == JOURNAL_SUFFIX;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int status_journal_exists(const char *status_path)
{
	const char *base;
	char *dir = NULL;
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (status_journal_split_path(status_path, &dir, &base) < 0 || !(d = opendir(dir))) {
		free(dir);
		return 0;
	}
	while (!found && (de = readdir(d)))
		found = status_journal_is_name(de->d_name, base);
	closedir(d);
	free(dir);
	return found;
}

/* ---- writing -------------------------------------------------------------- */

int status_journal_open(const char *status_path, struct status_journal **out,
                        struct base_error *err)
{
	struct status_journal *jn = calloc(1, sizeof(*jn));
	char *tmp = NULL, *dir = NULL;
	const char *base;
	int tries = 0;

	*out = NULL;
	if (!jn) {
		base_error_set(err, "out of memory");
		return -1;
	}
	jn->fd = -1;
	if (base_file_make_parents(status_path, 0777, err) < 0)
		goto fail;
	/* Made under another name and flocked before it gets the journal's:
	 * a folder never finds it unlocked while its run lives. */
	do {
		free(tmp);
		free(jn->path);
		jn->path = NULL;
		if (jn->fd >= 0)
			close(jn->fd);
		if (asprintf(&tmp, "%s.journal-new.XXXXXX", status_path) < 0) {
			tmp = NULL;
			base_error_set(err, "out of memory");
			goto fail;
		}
		if ((jn->fd = mkostemp(tmp, O_APPEND | O_CLOEXEC)) < 0) {
			base_error_set(err, "journal %s: %s", tmp, strerror(errno));
			goto fail;
		}
		if (flock(jn->fd, LOCK_EX | LOCK_NB) < 0 || fchmod(jn->fd, 0644) < 0 ||
		    asprintf(&jn->path, "%s" JOURNAL_INFIX "%s", status_path,
		             tmp + strlen(tmp) - JOURNAL_SUFFIX) < 0) {
			jn->path = NULL;
			base_error_set(err, "journal %s: %s", tmp, strerror(errno));
			unlink(tmp);
			goto fail;
		}
		if (link(tmp, jn->path) == 0)
			break;
		if (errno != EEXIST || ++tries == 10) {
			base_error_set(err, "journal %s: %s", jn->path, strerror(errno));
			unlink(tmp);
			goto fail;
		}
		unlink(tmp);
	} while (1);
	unlink(tmp);
	/* The file's name must survive a crash as its records do. */
	if (status_journal_split_path(status_path, &dir, &base) == 0)
		sync_dir(dir);
	free(dir);
	free(tmp);
	pthread_mutex_init(&jn->lock, NULL);
	*out = jn;
	return 0;
fail:
	if (jn->fd >= 0)
		close(jn->fd);
	free(tmp);
	free(jn->path);
	free(jn);
	return -1;
}

const char *status_journal_path(const struct status_journal *jn)
{
	return jn ? jn->path : NULL;
}

void status_journal_counts(const struct status_journal *jn, size_t *records, long long *bytes)
{
	struct status_journal *m = (struct status_journal *)jn;

	*records = 0;
	*bytes = 0;
	if (!jn)
		return;
	pthread_mutex_lock(&m->lock);
	*records = jn->records;
	*bytes = jn->bytes;
	pthread_mutex_unlock(&m->lock);
}

/* The record on one line: the status file's text of it with its line
 * breaks and indentation taken out (a string never holds a raw newline:
 * base_json_str escapes it). */
static void put_compact(struct base_buf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p != '\n') {
			base_buf_put(b, p, 1);
			continue;
		}
		while (p[1] == ' ' || p[1] == '\t')
			p++;
	}
}

static char *record_line(enum status_journal_kind kind, const struct status_target_status *t)
{
	struct base_buf rec = {0}, line = {0};
	char *at = status_now_rfc3339(), *text;

	status_target_serialize(&rec, t, 0);
	text = base_buf_take(&rec);
	if (!at || !text) {
		free(at);
		free(text);
		return NULL;
	}
	base_buf_fmt(&line, "{\"journal\": %d, \"kind\": \"%s\", \"at\": ", JOURNAL_VERSION,
	             kind == STATUS_JOURNAL_INTENT ? "intent" : "outcome");
	base_json_str(&line, at, BASE_JSON_PLAIN);
	base_buf_str(&line, ", \"record\": ");
	put_compact(&line, text);
	base_buf_str(&line, "}\n");
	free(at);
	free(text);
	return base_buf_take(&line);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int status_journal_append(struct status_journal *jn, enum status_journal_kind kind,
                          const struct status_target_status *t, struct base_error *err)
{
	struct status_target_status view = *t;
	char *line;
	size_t n;
	int rc = -1;

	if (kind == STATUS_JOURNAL_INTENT) {
		view.state = STATUS_T_PUBLISHED;
		view.reason = NULL;
		view.unconfirmed = 1;
	}
	view.since = NULL;
	if (!(line = record_line(kind, &view))) {
		base_error_set(err, "journal %s: out of memory", jn->path);
		return -1;
	}
	n = strlen(line);
	pthread_mutex_lock(&jn->lock);
	/* One write() of the whole line: a kill leaves it whole or a torn
	 * last line the reader skips. A short write of a full disk leaves a
	 * part that no later line may follow on the same line: cut it off. */
	if (write_all(jn->fd, line, n) < 0) {
		int e = errno;
		if (ftruncate(jn->fd, (off_t)jn->bytes) == 0)
			fdatasync(jn->fd);
		base_error_set(err, "journal %s: %s", jn->path, strerror(e));
	} else {
		jn->records++;
		jn->bytes += (long long)n;
		rc = 0;
	}
	pthread_mutex_unlock(&jn->lock);
	/* Synced outside the lock: workers that append at once share the
	 * disk's flushes (each fdatasync returns once every line written
	 * before it is on disk, its own among them). */
	if (rc == 0 && fdatasync(jn->fd) < 0) {
		base_error_set(err, "journal %s: fdatasync: %s", jn->path, strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

void status_journal_close(struct status_journal *jn, int remove)
{
	if (!jn)
		return;
	/* Unlinked while still locked: a folder that opened it first finds
	 * it empty of news or gone, never half-removed. */
	if (remove)
		unlink(jn->path);
	if (jn->fd >= 0)
		close(jn->fd);
	pthread_mutex_destroy(&jn->lock);
	free(jn->path);
	free(jn);
}
