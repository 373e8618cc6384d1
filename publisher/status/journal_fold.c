/* journal_fold.c — the journals of runs that are gone folded into the
 * status file: taken under their locks (a live run's is left alone),
 * folded with this run's unconfirmed intents at the end of a run, and the
 * loader every command uses (status_recover), which writes the folded
 * file back and removes the journals when it may. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal_internal.h"
#include "status_split.h"
#include "status_lock.h"

/* A journal a folder holds: its lock is kept until it is removed or left. */
struct held {
	int fd;
	char *path;
};

struct status_journal_fold {
	struct held *held;
	size_t n;
};

void status_journal_fold_end(struct status_journal_fold *f, int remove)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		if (remove)
			unlink(f->held[i].path);
		close(f->held[i].fd);
		free(f->held[i].path);
	}
	free(f->held);
	free(f);
}

static int read_fd(int fd, const char *path, char **data, size_t *len, struct base_error *err)
{
	struct stat sb;
	size_t got = 0;

	*data = NULL;
	*len = 0;
	if (fstat(fd, &sb) < 0 || (unsigned long long)sb.st_size > JOURNAL_MAX) {
		base_error_set(err, "journal %s: unreadable or larger than %u bytes", path,
		               JOURNAL_MAX);
		return -1;
	}
	if (!(*data = malloc((size_t)sb.st_size + 1))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = pread(fd, *data + got, (size_t)sb.st_size - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			base_error_set(err, "journal %s: read: %s", path, strerror(errno));
			free(*data);
			*data = NULL;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	*len = got;
	return 0;
}

/* Every entry of one journal; intents_only keeps the targets whose last
 * record is an intent. Appended to *all. */
static int journal_take(int fd, const char *path, int intents_only,
                        struct status_journal_records *all, struct base_error *err)
{
	struct status_journal_records r;
	char *data = NULL;
	size_t len = 0;

	if (read_fd(fd, path, &data, &len, err) < 0)
		return -1;
	if (status_journal_parse(path, data, len, &r, err) < 0) {
		free(data);
		return -1;
	}
	free(data);
	for (size_t i = 0; i < r.n; i++) {
		struct status_journal_entry *m;
		if (intents_only && r.entries[i].kind != STATUS_JOURNAL_INTENT) {
			status_journal_entry_free(&r.entries[i]);
			continue;
		}
		if (!(m = realloc(all->entries, (all->n + 1) * sizeof(*m)))) {
			for (; i < r.n; i++)
				status_journal_entry_free(&r.entries[i]);
			free(r.entries);
			base_error_set(err, "out of memory");
			return -1;
		}
		all->entries = m;
		r.entries[i].seq = all->n;
		all->entries[all->n++] = r.entries[i];
	}
	all->skipped += r.skipped;
	free(r.entries);
	return 0;
}

/* The journals in d (dir's) of runs that are gone, other than own: each
 * locked, held in f and its entries appended to *all; a live run's is
 * counted in info->live and left alone. */
static int take_dead(DIR *d, const char *dir, const char *base, const struct status_journal *own,
                     struct status_journal_fold *f, struct status_journal_records *all,
                     struct status_recovered *info, struct base_error *err)
{
	struct dirent *de;

	while ((de = readdir(d))) {
		char *path;
		int fd;
		if (!status_journal_is_name(de->d_name, base))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			base_error_set(err, "out of memory");
			return -1;
		}
		if (own && strcmp(de->d_name, strrchr(own->path, '/') ? strrchr(own->path, '/') + 1
		                                                      : own->path) == 0) {
			free(path);
			continue;
		}
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
			/* gone since readdir, or a live run's */
			if (fd >= 0) {
				close(fd);
				info->live++;
			}
			free(path);
			continue;
		}
		struct held *m = realloc(f->held, (f->n + 1) * sizeof(*m));
		if (!m) {
			close(fd);
			free(path);
			base_error_set(err, "out of memory");
			return -1;
		}
		f->held = m;
		f->held[f->n++] = (struct held){fd, path};
		if (journal_take(fd, path, 0, all, err) < 0)
			return -1;
		info->journals++;
	}
	return 0;
}

int status_journal_fold_begin(const char *status_path, struct status_status *st,
                              const struct status_journal *own, struct status_journal_fold **out,
                              struct status_recovered *info, struct base_error *err)
{
	struct status_journal_fold *f = calloc(1, sizeof(*f));
	struct status_journal_records all;
	const char *base;
	char *dir = NULL;
	DIR *d = NULL;
	int rc = -1;

	memset(&all, 0, sizeof(all));
	*out = NULL;
	if (!f || status_journal_split_path(status_path, &dir, &base) < 0) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (!(d = opendir(dir))) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc < 0)
			base_error_set(err, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (take_dead(d, dir, base, own, f, &all, info, err) < 0)
		goto out;
	if (own && journal_take(own->fd, own->path, 1, &all, err) < 0)
		goto out;
	/* per target the record written last, whichever journal holds it */
	status_journal_keep_last(&all);
	for (size_t i = 0; i < all.n; i++)
		info->unconfirmed += all.entries[i].kind == STATUS_JOURNAL_INTENT;
	info->records += all.n;
	if (status_journal_fold_records(st, all.entries, all.n, err) < 0)
		goto out;
	rc = 0;
out:
	if (d)
		closedir(d);
	free(dir);
	status_journal_records_free(&all);
	if (rc < 0) {
		status_journal_fold_end(f, 0);
		return -1;
	}
	*out = f;
	return 0;
}

/* ---- the loader every command uses ---------------------------------------- */

int status_recover(const char *path, enum status_recover_mode mode, struct status_status **out,
                   struct status_recovered *info, struct base_error *err)
{
	struct status_recovered dummy;
	struct status_lock *lock = NULL;
	struct status_journal_fold *f = NULL;
	struct base_error werr;
	int rc = -1;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	*out = NULL;
	/* The common case costs one readdir: no journal, no lock. */
	if (!status_journal_exists(path))
		return status_store_load(path, out, err);
	if (mode == STATUS_RECOVER_WRITE &&
	    status_lock(path, status_lock_wait_ms(), &lock, err) < 0)
		return -1;
	base_error_clear(&werr);
	if (mode == STATUS_RECOVER_TRY && status_lock(path, 0, &lock, &werr) < 0)
		lock = NULL; /* another run writes it now: fold in memory only */
	if (status_store_load(path, out, err) < 0 ||
	    status_journal_fold_begin(path, *out, NULL, &f, info, err) < 0)
		goto out;
	if (info->journals && !lock) {
		info->kept = 1;
	} else if (info->journals) {
		if (status_store_write(path, *out, STATUS_LAYOUT_KEEP, NULL, &werr) < 0) {
			if (mode == STATUS_RECOVER_WRITE) {
				*err = werr;
				base_error_wrap(err, "folding in %zu journalled records",
				                info->records);
				goto out;
			}
			info->kept = 1;
			snprintf(info->why, sizeof(info->why), "%.250s", werr.msg);
		} else {
			info->written = 1;
		}
	}
	rc = 0;
out:
	status_journal_fold_end(f, rc == 0 && info->written);
	status_unlock(lock);
	if (rc < 0) {
		status_free(*out);
		*out = NULL;
	}
	return rc;
}
