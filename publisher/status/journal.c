/* journal.c — the write-ahead journal beside the status file: each run's
 * target outcomes (and, before a list PUT, its intent) appended and synced
 * as they happen to "<status>.journal.XXXXXX", and their fold-in into the
 * status file by the next command that reads or writes it, so a killed run
 * or a failed status write loses no record (docs/status.md, "The journal"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status_internal.h"

#define JOURNAL_INFIX   ".journal."
#define JOURNAL_SUFFIX  6 /* mkstemp's XXXXXX */
#define JOURNAL_MAX     (256u * 1024 * 1024)
#define JOURNAL_VERSION 1

struct pub_journal {
	/* lock guards fd's appends (one whole line at a time, so records
	 * never interleave; a failed one cut off), records, bytes; the
	 * fdatasync after an append runs outside it */
	pthread_mutex_t lock;
	int fd; /* flock LOCK_EX held while open: the run is alive */
	char *path;
	size_t records;
	long long bytes;
};

/* ---- where journals live -------------------------------------------------- */

/* The directory of status_path ("." when none) and its base name. */
static int split_path(const char *status_path, char **dir, const char **base)
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
static int is_journal_name(const char *name, const char *base)
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

int pub_journal_exists(const char *status_path)
{
	const char *base;
	char *dir = NULL;
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (split_path(status_path, &dir, &base) < 0 || !(d = opendir(dir))) {
		free(dir);
		return 0;
	}
	while (!found && (de = readdir(d)))
		found = is_journal_name(de->d_name, base);
	closedir(d);
	free(dir);
	return found;
}

/* ---- writing -------------------------------------------------------------- */

int pub_journal_open(const char *status_path, struct pub_journal **out, struct base_error *err)
{
	struct pub_journal *jn = calloc(1, sizeof(*jn));
	char *tmp = NULL, *dir = NULL;
	const char *base;
	int tries = 0;

	*out = NULL;
	if (!jn) {
		base_error_set(err, "out of memory");
		return -1;
	}
	jn->fd = -1;
	if (pub_status_make_parents(status_path, err) < 0)
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
	if (split_path(status_path, &dir, &base) == 0)
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

const char *pub_journal_path(const struct pub_journal *jn)
{
	return jn ? jn->path : NULL;
}

void pub_journal_counts(const struct pub_journal *jn, size_t *records, long long *bytes)
{
	struct pub_journal *m = (struct pub_journal *)jn;

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

static char *record_line(enum pub_journal_kind kind, const struct pub_target_status *t)
{
	struct base_buf rec = {0}, line = {0};
	char *at = pub_now_rfc3339(), *text;

	status_target_serialize(&rec, t, 0);
	text = base_buf_take(&rec);
	if (!at || !text) {
		free(at);
		free(text);
		return NULL;
	}
	base_buf_fmt(&line, "{\"journal\": %d, \"kind\": \"%s\", \"at\": ", JOURNAL_VERSION,
	             kind == PUB_JOURNAL_INTENT ? "intent" : "outcome");
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

int pub_journal_append(struct pub_journal *jn, enum pub_journal_kind kind,
                       const struct pub_target_status *t, struct base_error *err)
{
	struct pub_target_status view = *t;
	char *line;
	size_t n;
	int rc = -1;

	if (kind == PUB_JOURNAL_INTENT) {
		view.state = PUB_T_PUBLISHED;
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

void pub_journal_close(struct pub_journal *jn, int remove)
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

/* ---- reading -------------------------------------------------------------- */

static void entry_free(struct pub_journal_entry *e)
{
	free(e->at);
	pub_target_status_free(&e->rec);
	memset(e, 0, sizeof(*e));
}

void pub_journal_records_free(struct pub_journal_records *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		entry_free(&r->entries[i]);
	free(r->entries);
	memset(r, 0, sizeof(*r));
}

/* One line into e: 0, 1 when it is not a journal record, -1 out of memory. */
static int line_parse(const char *name, const char *p, size_t n, struct pub_journal_entry *e)
{
	cJSON *root = cJSON_ParseWithLength(p, n), *v;
	struct base_error perr;
	const char *kind;
	int rc = 1;

	memset(e, 0, sizeof(*e));
	if (!root)
		return 1;
	v = cJSON_GetObjectItemCaseSensitive(root, "journal");
	if (!cJSON_IsNumber(v) || v->valuedouble != JOURNAL_VERSION)
		goto out;
	kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "kind"));
	if (!kind || (strcmp(kind, "outcome") != 0 && strcmp(kind, "intent") != 0))
		goto out;
	e->kind = strcmp(kind, "intent") == 0 ? PUB_JOURNAL_INTENT : PUB_JOURNAL_OUTCOME;
	v = cJSON_GetObjectItemCaseSensitive(root, "at");
	if (!cJSON_IsString(v))
		goto out;
	base_error_clear(&perr);
	if (status_target_parse(cJSON_GetObjectItemCaseSensitive(root, "record"), &e->rec, name,
	                        "record", &perr) < 0)
		goto out;
	if (!(e->at = strdup(v->valuestring))) {
		rc = -1;
		goto out;
	}
	if (e->kind == PUB_JOURNAL_INTENT) {
		e->rec.state = PUB_T_PUBLISHED;
		e->rec.unconfirmed = 1;
	}
	rc = 0;
out:
	if (rc != 0)
		entry_free(e);
	cJSON_Delete(root);
	return rc;
}

/* By target, then by when it was written (at, then seq). */
static int entry_cmp(const void *a, const void *b)
{
	const struct pub_journal_entry *x = a, *y = b;
	int c = strcmp(x->rec.target, y->rec.target);

	if (c == 0)
		c = strcmp(x->at, y->at);
	if (c == 0)
		c = x->seq < y->seq ? -1 : x->seq > y->seq;
	return c;
}

/* Sort by entry_cmp and keep the last entry of each target. */
static void keep_last(struct pub_journal_records *r)
{
	size_t k = 0;

	if (r->n < 2)
		return;
	qsort(r->entries, r->n, sizeof(*r->entries), entry_cmp);
	for (size_t a = 0; a < r->n; a++) {
		if (a + 1 < r->n &&
		    strcmp(r->entries[a].rec.target, r->entries[a + 1].rec.target) == 0) {
			entry_free(&r->entries[a]);
			continue;
		}
		r->entries[k++] = r->entries[a];
	}
	r->n = k;
}

int pub_journal_parse(const char *name, const char *data, size_t len,
                      struct pub_journal_records *out, struct base_error *err)
{
	size_t cap = 0, i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
		struct pub_journal_entry e;
		int r;

		if (!nl) { /* torn: the write of the last line never finished */
			out->skipped++;
			break;
		}
		out->lines++;
		r = n ? line_parse(name, data + i, n, &e) : 1;
		i += n + 1;
		if (r < 0)
			goto oom;
		if (r > 0) {
			out->skipped++;
			continue;
		}
		if (out->n == cap) {
			struct pub_journal_entry *m;
			cap = cap ? cap * 2 : 16;
			if (!(m = realloc(out->entries, cap * sizeof(*m)))) {
				entry_free(&e);
				goto oom;
			}
			out->entries = m;
		}
		e.seq = out->n;
		out->entries[out->n++] = e;
	}
	/* The last line per target wins; within one journal lines are in
	 * the order they were written (a second's `at` ties: seq decides). */
	keep_last(out);
	return 0;
oom:
	pub_journal_records_free(out);
	base_error_set(err, "%s: out of memory", name);
	return -1;
}

/* ---- folding in ------------------------------------------------------------ */

/* st's record of target among its first n (sorted) ones, or NULL. */
static struct pub_target_status *find_sorted(struct pub_status *st, size_t n, const char *target)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(st->targets[mid].target, target);
		if (c == 0)
			return &st->targets[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int pub_journal_fold_records(struct pub_status *st, const struct pub_journal_entry *e, size_t n,
                             struct base_error *err)
{
	size_t sorted = st->n_targets;

	/* New targets go after the sorted ones until the end; e holds each
	 * target once, so a lookup never needs them. */
	for (size_t i = 0; i < n; i++) {
		struct pub_target_status *p = find_sorted(st, sorted, e[i].rec.target), *m;
		struct pub_target_status next;

		if (status_target_next(p, &e[i].rec, e[i].at, &next) < 0)
			goto oom;
		if (p) {
			pub_target_status_free(p);
			*p = next;
			continue;
		}
		if (!(m = realloc(st->targets, (st->n_targets + 1) * sizeof(*st->targets)))) {
			pub_target_status_free(&next);
			goto oom;
		}
		st->targets = m;
		st->targets[st->n_targets++] = next;
	}
	if (st->n_targets != sorted)
		pub_status_sort(st);
	return 0;
oom:
	pub_status_sort(st);
	base_error_set(err, "fold journal: out of memory");
	return -1;
}

/* A journal a folder holds: its lock is kept until it is removed or left. */
struct held {
	int fd;
	char *path;
};

struct pub_journal_fold {
	struct held *held;
	size_t n;
};

void pub_journal_fold_end(struct pub_journal_fold *f, int remove)
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
static int journal_take(int fd, const char *path, int intents_only, struct pub_journal_records *all,
                        struct base_error *err)
{
	struct pub_journal_records r;
	char *data = NULL;
	size_t len = 0;

	if (read_fd(fd, path, &data, &len, err) < 0)
		return -1;
	if (pub_journal_parse(path, data, len, &r, err) < 0) {
		free(data);
		return -1;
	}
	free(data);
	for (size_t i = 0; i < r.n; i++) {
		struct pub_journal_entry *m;
		if (intents_only && r.entries[i].kind != PUB_JOURNAL_INTENT) {
			entry_free(&r.entries[i]);
			continue;
		}
		if (!(m = realloc(all->entries, (all->n + 1) * sizeof(*m)))) {
			for (; i < r.n; i++)
				entry_free(&r.entries[i]);
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

int pub_journal_fold_begin(const char *status_path, struct pub_status *st,
                           const struct pub_journal *own, struct pub_journal_fold **out,
                           struct pub_recovered *info, struct base_error *err)
{
	struct pub_journal_fold *f = calloc(1, sizeof(*f));
	struct pub_journal_records all;
	const char *base;
	char *dir = NULL;
	struct dirent *de;
	DIR *d = NULL;
	int rc = -1;

	memset(&all, 0, sizeof(all));
	*out = NULL;
	if (!f || split_path(status_path, &dir, &base) < 0) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (!(d = opendir(dir))) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc < 0)
			base_error_set(err, "%s: %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		char *path;
		int fd;
		if (!is_journal_name(de->d_name, base))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			base_error_set(err, "out of memory");
			goto out;
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
			goto out;
		}
		f->held = m;
		f->held[f->n++] = (struct held){fd, path};
		if (journal_take(fd, path, 0, &all, err) < 0)
			goto out;
		info->journals++;
	}
	if (own && journal_take(own->fd, own->path, 1, &all, err) < 0)
		goto out;
	/* per target the record written last, whichever journal holds it */
	keep_last(&all);
	for (size_t i = 0; i < all.n; i++)
		info->unconfirmed += all.entries[i].kind == PUB_JOURNAL_INTENT;
	info->records += all.n;
	if (pub_journal_fold_records(st, all.entries, all.n, err) < 0)
		goto out;
	rc = 0;
out:
	if (d)
		closedir(d);
	free(dir);
	pub_journal_records_free(&all);
	if (rc < 0) {
		pub_journal_fold_end(f, 0);
		return -1;
	}
	*out = f;
	return 0;
}

/* ---- the loader every command uses ---------------------------------------- */

int pub_status_recover(const char *path, enum pub_recover_mode mode, struct pub_status **out,
                       struct pub_recovered *info, struct base_error *err)
{
	struct pub_recovered dummy;
	struct pub_status_lock *lock = NULL;
	struct pub_journal_fold *f = NULL;
	struct base_error werr;
	int rc = -1;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	*out = NULL;
	/* The common case costs one readdir: no journal, no lock. */
	if (!pub_journal_exists(path))
		return pub_status_load(path, out, err);
	if (mode == PUB_RECOVER_WRITE &&
	    pub_status_lock(path, pub_status_lock_wait_ms(), &lock, err) < 0)
		return -1;
	base_error_clear(&werr);
	if (mode == PUB_RECOVER_TRY && pub_status_lock(path, 0, &lock, &werr) < 0)
		lock = NULL; /* another run writes it now: fold in memory only */
	if (pub_status_load(path, out, err) < 0 ||
	    pub_journal_fold_begin(path, *out, NULL, &f, info, err) < 0)
		goto out;
	if (info->journals && !lock) {
		info->kept = 1;
	} else if (info->journals) {
		if (pub_status_write(path, *out, &werr) < 0) {
			if (mode == PUB_RECOVER_WRITE) {
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
	pub_journal_fold_end(f, rc == 0 && info->written);
	pub_status_unlock(lock);
	if (rc < 0) {
		pub_status_free(*out);
		*out = NULL;
	}
	return rc;
}
