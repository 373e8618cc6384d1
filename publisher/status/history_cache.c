/* history_cache.c — version summaries kept on disk, one file per blob id,
 * so a history read again reads a few kilobytes a night instead of
 * rebuilding every version of the file from git's deltas. A blob id names
 * its bytes, so an entry can never be stale; a bad one is a miss.
 *
 * An entry, little endian: "MFHC", format version (4 bytes), body length
 * (8), FNV-1a 64 of the body (8); the body: the blob id, the base blob id
 * (zero: none), depth (4), target count (4), 1 + last_run.finished NUL or
 * 0, then ops (history_internal.h): 'K'/'D' with a count (4), 'I' with a
 * length (4) and one target's encoding. An entry with a base holds only
 * what changed since the version read before it; every HCACHE_MAX_DEPTH
 * entries one is full, so reading a range that starts anywhere follows a
 * bounded chain. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history_internal.h"

#define HCACHE_MAGIC "MFHC"
/* Bump when the summary's fields or the entry's layout change. */
#define HCACHE_FORMAT    2 /* 2: a platform's flags byte holds optional (2) */
#define HCACHE_HEAD      24
#define HCACHE_MAX_DEPTH 64
/* An entry larger than this is not read (a summary of 10,000 targets is ~2 MB). */
#define HCACHE_MAX_ENTRY (256u << 20)
/* Past this, entries of blobs outside the range just read are removed. */
#define HCACHE_MAX_BYTES (64u << 20)

struct hcache {
	char *dir;
	int no_write; /* a write failed: the directory is not ours to fill */
};

/* ---- where ------------------------------------------------------------- */

static int mkdir_ok(const char *path)
{
	return mkdir(path, 0700) == 0 || errno == EEXIST;
}

/* base/manifold/history-cache, made (0700) when it is not there; NULL when
 * it cannot be made or written. */
static char *cache_dir(const char *base)
{
	char *m = NULL, *d = NULL;
	size_t bl = strlen(base);
	const char *sep = bl && base[bl - 1] == '/' ? "" : "/";
	if (asprintf(&m, "%s%smanifold", base, sep) < 0)
		return NULL;
	if (asprintf(&d, "%s/history-cache", m) < 0)
		d = NULL;
	if (!d || !mkdir_ok(m) || !mkdir_ok(d) || access(d, R_OK | W_OK | X_OK) != 0) {
		free(d);
		d = NULL;
	}
	free(m);
	return d;
}

/* $XDG_CACHE_HOME (absolute, as the XDG base directory spec asks), else
 * $HOME/.cache; made (0700) when it is not there, as the spec says. */
static char *user_cache_dir(void)
{
	const char *x = base_env("XDG_CACHE_HOME"), *home = base_env("HOME");
	char *base = NULL, *d;
	if (x && x[0] == '/')
		base = strdup(x);
	else if (!home || home[0] != '/' || asprintf(&base, "%s/.cache", home) < 0)
		base = NULL;
	d = base && mkdir_ok(base) ? cache_dir(base) : NULL;
	free(base);
	return d;
}

struct hcache *status_cache_open(git_repository *repo)
{
	struct hcache *c;
	/* the common directory: linked work trees share their objects, so their cache */
	char *d = cache_dir(git_repository_commondir(repo));
	if (!d)
		d = user_cache_dir();
	if (!d || !(c = calloc(1, sizeof(*c)))) {
		free(d);
		return NULL;
	}
	c->dir = d;
	return c;
}

void status_cache_close(struct hcache *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c);
}

static char *entry_path(const struct hcache *c, const git_oid *blob)
{
	char hex[GIT_OID_HEXSZ + 1], *p;
	git_oid_tostr(hex, sizeof(hex), blob);
	return asprintf(&p, "%s/%s", c->dir, hex) < 0 ? NULL : p;
}

int status_cache_has(struct hcache *c, const git_oid *blob)
{
	char *path = c ? entry_path(c, blob) : NULL;
	int has = path && access(path, R_OK) == 0;
	free(path);
	return has;
}

static uint64_t fnv1a(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* ---- reading ------------------------------------------------------------- */

/* The file's body after its header checks out, malloc'd; NULL otherwise. */
static uint8_t *entry_read(const struct hcache *c, const git_oid *blob, size_t *len)
{
	char *path = entry_path(c, blob);
	uint8_t head[HCACHE_HEAD], *body = NULL;
	struct stat sb;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	uint64_t n;

	free(path);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || sb.st_size < HCACHE_HEAD || sb.st_size > HCACHE_MAX_ENTRY ||
	    read(fd, head, sizeof(head)) != (ssize_t)sizeof(head) ||
	    memcmp(head, HCACHE_MAGIC, 4) != 0 || get_le(head + 4, 4) != HCACHE_FORMAT)
		goto bad;
	n = get_le(head + 8, 8);
	if (n != (uint64_t)sb.st_size - HCACHE_HEAD || !(body = malloc(n ? n : 1)))
		goto bad;
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, body + got, n - got);
		if (r <= 0)
			goto bad;
		got += (size_t)r;
	}
	if (fnv1a(body, n) != get_le(head + 16, 8))
		goto bad;
	close(fd);
	*len = n;
	return body;
bad:
	free(body);
	close(fd);
	return NULL;
}

struct cursor {
	const uint8_t *p;
	size_t len, at;
	int bad;
};

static uint64_t take(struct cursor *k, int bytes)
{
	if (k->bad || k->len - k->at < (size_t)bytes) {
		k->bad = 1;
		return 0;
	}
	k->at += (size_t)bytes;
	return get_le(k->p + k->at - bytes, bytes);
}

static const uint8_t *take_bytes(struct cursor *k, size_t n)
{
	if (k->bad || k->len - k->at < n) {
		k->bad = 1;
		return NULL;
	}
	k->at += n;
	return k->p + k->at - n;
}

/* Apply the ops after the cursor to base (NULL: empty) into out. */
static int apply_ops(struct cursor *k, const struct hsum *base, struct hsum *out)
{
	size_t j = 0, nb = base ? base->n : 0;
	while (!k->bad && k->at < k->len) {
		int kind = (int)take(k, 1);
		size_t n = (size_t)take(k, 4);
		const uint8_t *p;
		if (k->bad)
			break;
		if (kind == STATUS_SUM_KEEP || kind == STATUS_SUM_DROP) {
			if (n > nb - j)
				return -1;
			if (kind == STATUS_SUM_KEEP && status_sum_push_range(out, base, j, n) < 0)
				return -1;
			j += n;
		} else {
			struct henc *e;
			int rc;
			if (kind != STATUS_SUM_INSERT || !(p = take_bytes(k, n)) ||
			    !status_sum_target_valid(p, n) || !(e = status_enc_from(p, n)))
				return -1;
			rc = status_sum_push(out, e);
			status_enc_unref(e);
			if (rc < 0)
				return -1;
		}
	}
	return k->bad || j != nb ? -1 : 0;
}

static int load(const struct hcache *c, const git_oid *blob, const struct hsum *prev,
                struct hsum *out, int budget)
{
	size_t len = 0;
	uint8_t *body = entry_read(c, blob, &len);
	struct cursor k = {body, len, 0, 0};
	struct hsum chain = {0};
	const struct hsum *base = NULL;
	git_oid id, base_id;
	size_t n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!body)
		return -1;
	if (len < 2 * GIT_OID_RAWSZ)
		goto out;
	git_oid_fromraw(&id, body);
	git_oid_fromraw(&base_id, body + GIT_OID_RAWSZ);
	k.at = 2 * GIT_OID_RAWSZ;
	out->depth = (unsigned)take(&k, 4);
	n = (size_t)take(&k, 4);
	if (k.bad || !git_oid_equal(&id, blob))
		goto out;
	if (take(&k, 1)) {
		const uint8_t *s = k.p + k.at, *nul = memchr(s, 0, k.len - k.at);
		if (!nul || !(out->finished = strndup((const char *)s, (size_t)(nul - s))))
			goto out;
		k.at += (size_t)(nul - s) + 1;
	}
	if (!git_oid_is_zero(&base_id)) {
		if (prev && git_oid_equal(&base_id, &prev->blob))
			base = prev;
		else if (budget > 0 && load(c, &base_id, prev, &chain, budget - 1) == 0)
			base = &chain;
		else
			goto out;
	}
	if (apply_ops(&k, base, out) < 0 || out->n != n)
		goto out;
	git_oid_cpy(&out->blob, blob);
	rc = 0;
out:
	if (rc < 0)
		status_sum_free(out);
	status_sum_free(&chain);
	free(body);
	return rc;
}

int status_cache_get(struct hcache *c, const git_oid *blob, const struct hsum *prev,
                     struct hsum *out)
{
	memset(out, 0, sizeof(*out));
	return c ? load(c, blob, prev, out, HCACHE_MAX_DEPTH * 2) : -1;
}

/* ---- writing ------------------------------------------------------------- */

static int op_put(void *ctx, enum status_sum_op kind, size_t n, const struct henc *e)
{
	struct base_buf *b = ctx;
	uint8_t h[5];
	if (kind == STATUS_SUM_INSERT)
		n = e->len;
	if (n > UINT32_MAX)
		return -1;
	h[0] = (uint8_t)kind;
	put_le(h + 1, n, 4);
	base_buf_put(b, (const char *)h, sizeof(h));
	if (kind == STATUS_SUM_INSERT)
		base_buf_put(b, (const char *)e->p, n);
	return b->oom ? -1 : 0;
}

/* The entry's body: s against base (NULL: full). */
static int entry_body(struct base_buf *b, const struct hsum *s, const struct hsum *base,
                      unsigned depth, long *inserted)
{
	uint8_t h[GIT_OID_RAWSZ * 2 + 8];
	memset(h, 0, sizeof(h));
	memcpy(h, s->blob.id, GIT_OID_RAWSZ);
	if (base)
		memcpy(h + GIT_OID_RAWSZ, base->blob.id, GIT_OID_RAWSZ);
	put_le(h + 2 * GIT_OID_RAWSZ, depth, 4);
	put_le(h + 2 * GIT_OID_RAWSZ + 4, s->n, 4);
	base_buf_put(b, (const char *)h, sizeof(h));
	base_buf_put(b, s->finished ? "\1" : "\0", 1);
	if (s->finished)
		base_buf_put(b, s->finished, strlen(s->finished) + 1);
	*inserted = status_sum_diff(base, s, op_put, b);
	return *inserted < 0 || b->oom ? -1 : 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t w = write(fd, (const char *)p + done, n - done);
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* Temp file in the directory, then rename: a reader sees all or nothing. A
 * torn file after a crash fails the length or checksum check. */
static void entry_write(struct hcache *c, const git_oid *blob, const uint8_t *body, size_t len)
{
	char *path = entry_path(c, blob), *tmp = NULL;
	uint8_t head[HCACHE_HEAD];
	int fd = -1;

	if (!path || asprintf(&tmp, "%s/tmp-XXXXXX", c->dir) < 0) {
		tmp = NULL;
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		c->no_write = errno == EACCES || errno == EROFS || errno == EPERM;
		free(tmp);
		tmp = NULL;
		goto out;
	}
	memcpy(head, HCACHE_MAGIC, 4);
	put_le(head + 4, HCACHE_FORMAT, 4);
	put_le(head + 8, len, 8);
	put_le(head + 16, fnv1a(body, len), 8);
	if (write_all(fd, head, sizeof(head)) < 0 || write_all(fd, body, len) < 0 ||
	    close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == 0) {
		free(tmp);
		tmp = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(path);
}

void status_cache_put(struct hcache *c, struct hsum *s, const struct hsum *prev)
{
	struct base_buf b = {0};
	long inserted = 0;
	const struct hsum *base = prev && prev->depth < HCACHE_MAX_DEPTH ? prev : NULL;

	if (!c || c->no_write)
		return;
	if (entry_body(&b, s, base, base ? base->depth + 1 : 0, &inserted) < 0)
		goto out;
	/* mostly new: a full entry reads as fast and starts a new chain */
	if (base && (size_t)inserted * 2 > s->n) {
		base_buf_free(&b);
		if (entry_body(&b, s, NULL, 0, &inserted) < 0)
			goto out;
		base = NULL;
	}
	s->depth = base ? base->depth + 1 : 0;
	entry_write(c, &s->blob, b.data, b.len);
out:
	base_buf_free(&b);
}

/* ---- bounding ------------------------------------------------------------ */

static int oid_cmp(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

void status_cache_prune(struct hcache *c, const git_oid *keep, size_t n)
{
	DIR *d;
	struct dirent *e;
	unsigned long long total = 0;
	git_oid *sorted = NULL, id;
	int dfd;

	if (!c || c->no_write || !(d = opendir(c->dir)))
		return;
	dfd = dirfd(d);
	while ((e = readdir(d))) {
		struct stat sb;
		if (e->d_name[0] != '.' && fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
			total += (unsigned long long)sb.st_size;
	}
	if (total <= HCACHE_MAX_BYTES || !(sorted = malloc((n ? n : 1) * sizeof(*sorted))))
		goto out;
	memcpy(sorted, keep, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), oid_cmp);
	rewinddir(d);
	while ((e = readdir(d))) {
		int ours = strncmp(e->d_name, "tmp-", 4) == 0;
		if (!ours && strlen(e->d_name) == GIT_OID_HEXSZ &&
		    git_oid_fromstr(&id, e->d_name) == 0)
			ours = !bsearch(&id, sorted, n, sizeof(id), oid_cmp);
		if (ours)
			unlinkat(dfd, e->d_name, 0);
	}
out:
	git_error_clear();
	free(sorted);
	closedir(d);
}
