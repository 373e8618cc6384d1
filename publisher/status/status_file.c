/* status_file.c — the status file: deterministic serialisation (2-space
 * indent, fixed key order, targets sorted, so `git diff` of two nights
 * shows exactly what changed; copy records after the targets), written as it is serialised with
 * atomic writes (temp file, fsync, rename); the records' helpers. Reading is in status_parse.c. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status_file.h"
#include "status_internal.h"

/* ---- serialisation ------------------------------------------------------ */

/* green: the target's tag holds its list, every child in place (a child
 * found missing was copied back), so child_missing is not written. */
static void serialize_platform(struct base_buf *b, const struct status_platform_status *p,
                               int green, int level)
{
	struct status_obj o = {b, level + 1, 1};
	base_buf_str(b, "{");
	status_obj_str(&o, "platform", p->platform);
	if (p->optional) {
		status_obj_key(&o, "optional");
		base_buf_str(b, "true");
	}
	status_obj_str(&o, "source", p->source);
	status_obj_str(&o, "state", status_platform_state_str(p->state));
	status_obj_str(&o, "digest", p->digest);
	status_obj_str(&o, "media_type", p->media_type);
	if (p->size >= 0)
		status_obj_int(&o, "size", p->size);
	if (p->verified) {
		status_obj_key(&o, "verified");
		base_buf_str(b, "true");
	}
	if (p->child_missing && !green) {
		status_obj_key(&o, "child_missing");
		base_buf_str(b, "true");
	}
	status_obj_str(&o, "signed_by", p->signed_by);
	status_obj_str(&o, "reason", p->reason);
	status_obj_close(&o);
}

static int in_extra_digests(const struct status_target_status *t, const char *d)
{
	for (size_t i = 0; d && i < t->n_extra_digests; i++)
		if (strcmp(t->extra_digests[i], d) == 0)
			return 1;
	return 0;
}

static int extra_tags_name(const struct status_target_status *t, const char *d)
{
	for (size_t i = 0; i < t->n_extra_tags; i++)
		if (t->extra_tags[i].digest && strcmp(t->extra_tags[i].digest, d) == 0)
			return 1;
	return 0;
}

/* One entry of "extra_tags", on its own lines as jq prints it; level is
 * the array's members'. */
static void extra_tag_entry(struct base_buf *b, int level, const char *tag, const char *digest,
                            int held, int first)
{
	struct status_obj e = {b, level + 1, 1};

	base_buf_str(b, first ? "\n" : ",\n");
	status_sb_indent(b, level);
	base_buf_str(b, "{");
	status_obj_str(&e, "tag", tag);
	status_obj_str(&e, "digest", digest);
	if (held) {
		status_obj_key(&e, "held");
		base_buf_str(b, "true");
	}
	status_obj_close(&e);
}

/* "extra_tags": the named entries in their order, a held digest marked on
 * the entries holding it; a held digest no entry holds (an older file's
 * "extra_digests") gets an entry without "tag", so none is lost. */
static void serialize_extra_tags(struct base_buf *b, struct status_obj *o,
                                 const struct status_target_status *t)
{
	int first = 1;

	size_t n = t->n_extra_digests;

	for (size_t i = 0; i < t->n_extra_tags; i++)
		n += t->extra_tags[i].digest != NULL;
	if (!n)
		return;
	status_obj_key(o, "extra_tags");
	base_buf_str(b, "[");
	for (size_t i = 0; i < t->n_extra_tags; i++) {
		const struct status_extra_tag *e = &t->extra_tags[i];
		if (!e->digest)
			continue;
		extra_tag_entry(b, o->level + 1, e->tag, e->digest, in_extra_digests(t, e->digest),
		                first);
		first = 0;
	}
	for (size_t i = 0; i < t->n_extra_digests; i++) {
		if (extra_tags_name(t, t->extra_digests[i]))
			continue;
		extra_tag_entry(b, o->level + 1, NULL, t->extra_digests[i], 1, first);
		first = 0;
	}
	base_buf_str(b, "\n");
	status_sb_indent(b, o->level);
	base_buf_str(b, "]");
}

void status_target_serialize(struct base_buf *b, const struct status_target_status *t, int level)
{
	struct status_obj o = {b, level + 1, 1};
	base_buf_str(b, "{");
	status_obj_str(&o, "target", t->target);
	status_obj_str(&o, "state", status_target_state_str(t->state));
	status_obj_str(&o, "digest", t->digest);
	status_obj_str(&o, "media_type", t->media_type);
	if (t->foreign) {
		status_obj_key(&o, "foreign");
		base_buf_str(b, "true");
	}
	status_obj_str(&o, "since", t->since);
	status_obj_str(&o, "published_at", t->published_at);
	status_obj_str(&o, "reason", t->reason);
	serialize_extra_tags(b, &o, t);
	if (t->unconfirmed) {
		status_obj_key(&o, "unconfirmed");
		base_buf_str(b, "true");
	}
	status_obj_str(&o, "signed_by", t->signed_by);
	status_obj_key(&o, "platforms");
	if (t->n_platforms == 0) {
		base_buf_str(b, "[]");
	} else {
		base_buf_str(b, "[");
		for (size_t i = 0; i < t->n_platforms; i++) {
			base_buf_str(b, i ? ",\n" : "\n");
			status_sb_indent(b, level + 2);
			serialize_platform(b, &t->platforms[i],
			                   t->state == STATUS_T_PUBLISHED ||
			                       t->state == STATUS_T_UNCHANGED,
			                   level + 2);
		}
		base_buf_str(b, "\n");
		status_sb_indent(b, level + 1);
		base_buf_str(b, "]");
	}
	status_obj_close(&o);
}

static int target_cmp(const void *a, const void *b)
{
	const struct status_target_status *x = a, *y = b;
	return strcmp(x->target ? x->target : "", y->target ? y->target : "");
}

/* Flushes what b holds so far (status_write: to the file, target by
 * target, so a big status is never whole in memory); 0 or -1. */
typedef int (*sb_flush_fn)(void *ctx, struct base_buf *b);

static int serialize(const struct status_status *st, struct base_buf *b, sb_flush_fn flush,
                     void *fctx)
{
	struct status_obj top = {b, 1, 1}, run = {b, 2, 1};
	const struct status_target_status **order = NULL;
	int rc = 0;

	/* Sort a view, not the caller's array: serialising must not mutate. */
	if (st->n_targets) {
		order = malloc(st->n_targets * sizeof(*order));
		if (!order)
			return -1;
		for (size_t i = 0; i < st->n_targets; i++)
			order[i] = &st->targets[i];
		for (size_t i = 1; i < st->n_targets; i++) {
			const struct status_target_status *v = order[i];
			size_t j = i;
			/* insertion sort: input is almost always sorted already */
			while (j > 0 && target_cmp(order[j - 1], v) > 0) {
				order[j] = order[j - 1];
				j--;
			}
			order[j] = v;
		}
	}
	base_buf_str(b, "{");
	status_obj_int(&top, "schema", st->schema ? st->schema : 1);
	status_obj_str(&top, "config", st->config);
	if (st->shard.count) {
		struct status_obj sh = {b, 2, 1};
		status_obj_key(&top, "shard");
		base_buf_str(b, "{");
		status_obj_int(&sh, "index", st->shard.index);
		status_obj_int(&sh, "count", st->shard.count);
		status_obj_str(&sh, "config_digest", st->shard.config_digest);
		status_obj_close(&sh);
	}
	status_obj_key(&top, "last_run");
	base_buf_str(b, "{");
	status_obj_str(&run, "started", st->last_run.started);
	status_obj_str(&run, "finished", st->last_run.finished);
	status_obj_int(&run, "published", st->last_run.published);
	status_obj_int(&run, "unchanged", st->last_run.unchanged);
	status_obj_int(&run, "incomplete", st->last_run.incomplete);
	status_obj_int(&run, "failed", st->last_run.failed);
	if (st->last_run.held)
		status_obj_int(&run, "held", st->last_run.held);
	status_obj_str(&run, "last_success", st->last_success);
	status_obj_close(&run);
	status_obj_key(&top, "targets");
	if (st->n_targets == 0) {
		base_buf_str(b, "[]");
	} else {
		base_buf_str(b, "[");
		for (size_t i = 0; i < st->n_targets && rc == 0; i++) {
			base_buf_str(b, i ? ",\n" : "\n");
			status_sb_indent(b, 2);
			status_target_serialize(b, order[i], 2);
			if (flush && !b->oom)
				rc = flush(fctx, b);
		}
		base_buf_str(b, "\n  ]");
	}
	status_copies_serialize(b, st);
	status_obj_close(&top);
	base_buf_str(b, "\n");
	free(order);
	if (rc == 0 && flush && !b->oom)
		rc = flush(fctx, b);
	return b->oom ? -1 : rc;
}

char *status_serialize(const struct status_status *st)
{
	struct base_buf b = {0};

	if (serialize(st, &b, NULL, NULL) < 0) {
		free(b.data);
		return NULL;
	}
	return (char *)b.data;
}

/* Where serialize's flushes go: the temporary file. */
struct file_sink {
	int fd;
	int failed_errno; /* write's errno, 0 when all went out */
};

static int sink_flush(void *ctx, struct base_buf *b)
{
	struct file_sink *fs = ctx;
	size_t off = 0;

	while (off < b->len) {
		ssize_t w = write(fs->fd, b->data + off, b->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fs->failed_errno = errno;
			return -1;
		}
		off += (size_t)w;
	}
	b->len = 0;
	return 0;
}

/* The file is replaced by a rename (readers see the old bytes or the new),
 * next to where path's link points when it is one; a device or FIFO
 * (/dev/null) is written in place, never replaced. */
int status_write(const char *path, const struct status_status *st, struct base_error *err)
{
	char real[4096], tmp[4096], dirbuf[4096];
	struct base_buf text = {0};
	struct file_sink sink = {-1, 0};
	int fd = -1, rc = -1, in_place;
	mode_t mode = 0644;
	struct stat sb;

	tmp[0] = '\0';
	if (base_file_make_parents(path, 0777, err) < 0 ||
	    base_file_write_place(path, real, sizeof(real), &in_place, err) < 0)
		goto out;
	if (in_place) {
		fd = open(real, O_WRONLY | O_CLOEXEC);
	} else {
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", real) >= sizeof(tmp)) {
			base_error_set(err, "%s: path too long", path);
			goto out;
		}
		/* Keep the mode of the file being replaced (it may be group-writable). */
		if (stat(real, &sb) == 0)
			mode = sb.st_mode & 07777;
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd >= 0 && fchmod(fd, mode) < 0) {
			base_error_set(err, "%s: chmod: %s", tmp, strerror(errno));
			goto fail;
		}
	}
	if (fd < 0) {
		base_error_set(err, "%s: %s: %s", path, in_place ? "open" : "create temporary file",
		               strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	/* Written as it is serialised, target by target. */
	sink.fd = fd;
	if (serialize(st, &text, sink_flush, &sink) < 0) {
		if (sink.failed_errno)
			base_error_set(err, "%s: write: %s", in_place ? path : tmp,
			               strerror(sink.failed_errno));
		else
			base_error_set(err, "%s: out of memory", path);
		goto fail;
	}
	if (!in_place && fsync(fd) < 0) {
		base_error_set(err, "%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		base_error_set(err, "%s: close: %s", in_place ? path : tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (in_place) {
		rc = 0;
		goto out;
	}
	if (rename(tmp, real) < 0) {
		base_error_set(err, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	/* Make the rename itself durable. */
	snprintf(dirbuf, sizeof(dirbuf), "%s", real);
	{
		int dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	fd = -1;
	if (tmp[0])
		unlink(tmp);
out:
	free(text.data);
	return rc;
}

/* ---- records ------------------------------------------------------------- */

static void platform_status_free(struct status_platform_status *p)
{
	free(p->platform);
	free(p->source);
	free(p->digest);
	free(p->media_type);
	free(p->reason);
	free(p->signed_by);
}

/* ---- packed records --------------------------------------------------------- */

/* A packed block begins with how many records hold it: a record shared
 * with status_target_share costs the block nothing more, and the last
 * record freed frees it. Counted atomically: a run's workers share the
 * records of the file they read while the main thread holds them. */
struct pack_head {
	atomic_uint refs;
};
#define PACK_HEAD                                                                                  \
	((sizeof(struct pack_head) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

static void pack_release(void *block)
{
	struct pack_head *h = block;
	if (atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) == 1)
		free(block);
}

void status_target_status_free(struct status_target_status *t)
{
	if (!t)
		return;
	if (t->packed) {
		pack_release(t->packed);
		memset(t, 0, sizeof(*t));
		return;
	}
	for (size_t i = 0; i < t->n_platforms; i++)
		platform_status_free(&t->platforms[i]);
	free(t->platforms);
	free(t->target);
	free(t->digest);
	free(t->media_type);
	free(t->since);
	free(t->reason);
	for (size_t i = 0; i < t->n_extra_digests; i++)
		free(t->extra_digests[i]);
	free(t->extra_digests);
	for (size_t i = 0; i < t->n_extra_tags; i++) {
		free(t->extra_tags[i].tag);
		free(t->extra_tags[i].digest);
	}
	free(t->extra_tags);
	free(t->published_at);
	free(t->signed_by);
	memset(t, 0, sizeof(*t));
}

/* The media types and platforms a record usually names: a packed record
 * points to these. */
static const char *const known_mt[] = {
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
};
static const char *const known_platform[] = {
    "linux/amd64", "linux/arm64/v8", "linux/arm64", "linux/arm/v7",  "linux/arm/v6",
    "linux/386",   "linux/ppc64le",  "linux/s390x", "linux/riscv64", "windows/amd64",
};
enum { PACK_STR, PACK_MT, PACK_PLATFORM };

static const char *known_name(const char *s, int kind)
{
	const char *const *v = kind == PACK_MT ? known_mt : known_platform;
	size_t n = kind == PACK_MT ? sizeof(known_mt) / sizeof(known_mt[0])
	                           : sizeof(known_platform) / sizeof(known_platform[0]);

	for (size_t i = 0; s && kind != PACK_STR && i < n; i++)
		if (strcmp(s, v[i]) == 0)
			return v[i];
	return NULL;
}

/* The bytes a string takes in the block (a known name: none). */
static size_t pack_len(const char *s, int kind)
{
	return s && known_name(s, kind) ? 0 : base_str_size(s);
}

/* *s moved to *at (or to its static name), the original freed. */
static void pack_str(char **s, char **at, int kind)
{
	const char *known = *s ? known_name(*s, kind) : NULL;

	if (!known) {
		base_str_move(s, at);
		return;
	}
	free(*s);
	*s = (char *)known;
}

int status_target_pack(struct status_target_status *t)
{
	size_t plats = t->n_platforms * sizeof(*t->platforms);
	size_t tags = t->n_extra_tags * sizeof(*t->extra_tags);
	size_t digs = t->n_extra_digests * sizeof(*t->extra_digests);
	size_t len = plats + tags + digs;
	char *block, *at;

	if (t->packed)
		return 0;
	len += pack_len(t->target, PACK_STR) + pack_len(t->digest, PACK_STR) +
	       pack_len(t->media_type, PACK_MT) + pack_len(t->since, PACK_STR) +
	       pack_len(t->published_at, PACK_STR) + pack_len(t->reason, PACK_STR) +
	       pack_len(t->signed_by, PACK_STR);
	for (size_t i = 0; i < t->n_extra_digests; i++)
		len += pack_len(t->extra_digests[i], PACK_STR);
	for (size_t i = 0; i < t->n_extra_tags; i++)
		len += pack_len(t->extra_tags[i].tag, PACK_STR) +
		       pack_len(t->extra_tags[i].digest, PACK_STR);
	for (size_t i = 0; i < t->n_platforms; i++) {
		const struct status_platform_status *p = &t->platforms[i];
		len += pack_len(p->platform, PACK_PLATFORM) + pack_len(p->source, PACK_STR) +
		       pack_len(p->digest, PACK_STR) + pack_len(p->media_type, PACK_MT) +
		       pack_len(p->reason, PACK_STR) + pack_len(p->signed_by, PACK_STR);
	}
	if (!(block = malloc(PACK_HEAD + len)))
		return -1;
	atomic_init(&((struct pack_head *)(void *)block)->refs, 1);
	/* the arrays first: their sizes keep the alignment of what follows */
	at = block + PACK_HEAD;
	t->platforms = base_mem_move(t->platforms, plats, &at);
	t->extra_tags = base_mem_move(t->extra_tags, tags, &at);
	t->extra_digests = base_mem_move(t->extra_digests, digs, &at);
	pack_str(&t->target, &at, PACK_STR);
	pack_str(&t->digest, &at, PACK_STR);
	pack_str(&t->media_type, &at, PACK_MT);
	pack_str(&t->since, &at, PACK_STR);
	pack_str(&t->published_at, &at, PACK_STR);
	pack_str(&t->reason, &at, PACK_STR);
	pack_str(&t->signed_by, &at, PACK_STR);
	for (size_t i = 0; i < t->n_extra_digests; i++)
		pack_str(&t->extra_digests[i], &at, PACK_STR);
	for (size_t i = 0; i < t->n_extra_tags; i++) {
		pack_str(&t->extra_tags[i].tag, &at, PACK_STR);
		pack_str(&t->extra_tags[i].digest, &at, PACK_STR);
	}
	for (size_t i = 0; i < t->n_platforms; i++) {
		struct status_platform_status *p = &t->platforms[i];
		pack_str(&p->platform, &at, PACK_PLATFORM);
		pack_str(&p->source, &at, PACK_STR);
		pack_str(&p->digest, &at, PACK_STR);
		pack_str(&p->media_type, &at, PACK_MT);
		pack_str(&p->reason, &at, PACK_STR);
		pack_str(&p->signed_by, &at, PACK_STR);
	}
	t->packed = block;
	return 0;
}

int status_target_share(struct status_target_status *dst, const struct status_target_status *src)
{
	if (!src->packed)
		return -1;
	atomic_fetch_add_explicit(&((struct pack_head *)src->packed)->refs, 1,
	                          memory_order_relaxed);
	*dst = *src;
	return 0;
}

/* NULL and "" differ: the file writes one and not the other */
static int str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int platform_same(const struct status_platform_status *a,
                         const struct status_platform_status *b)
{
	return a->state == b->state && a->size == b->size && a->verified == b->verified &&
	       a->optional == b->optional && a->child_missing == b->child_missing &&
	       str_same(a->platform, b->platform) && str_same(a->source, b->source) &&
	       str_same(a->digest, b->digest) && str_same(a->media_type, b->media_type) &&
	       str_same(a->reason, b->reason) && str_same(a->signed_by, b->signed_by);
}

int status_target_same(const struct status_target_status *a, const struct status_target_status *b,
                       int times)
{
	if (a->n_platforms != b->n_platforms || a->n_extra_tags != b->n_extra_tags ||
	    a->n_extra_digests != b->n_extra_digests || !str_same(a->target, b->target) ||
	    !str_same(a->digest, b->digest) || !str_same(a->media_type, b->media_type) ||
	    !str_same(a->reason, b->reason) || !str_same(a->signed_by, b->signed_by))
		return 0;
	if (times && (!str_same(a->since, b->since) || !str_same(a->published_at, b->published_at)))
		return 0;
	for (size_t i = 0; i < a->n_platforms; i++)
		if (!platform_same(&a->platforms[i], &b->platforms[i]))
			return 0;
	for (size_t i = 0; i < a->n_extra_tags; i++)
		if (!str_same(a->extra_tags[i].tag, b->extra_tags[i].tag) ||
		    !str_same(a->extra_tags[i].digest, b->extra_tags[i].digest))
			return 0;
	for (size_t i = 0; i < a->n_extra_digests; i++)
		if (!str_same(a->extra_digests[i], b->extra_digests[i]))
			return 0;
	return 1;
}

int status_target_share_as(struct status_target_status *dst, const struct status_target_status *src,
                           const struct status_target_status *own)
{
	struct status_target_status keep = *own; /* own may be dst */

	if (status_target_share(dst, src) < 0)
		return -1;
	/* the record's own scalars, none of them in the block */
	dst->state = keep.state;
	dst->foreign = keep.foreign;
	dst->digest_seen = keep.digest_seen;
	dst->digest_written = keep.digest_written;
	dst->unconfirmed = keep.unconfirmed;
	return 0;
}

int status_target_adopt(struct status_target_status *t, const struct status_target_status *from,
                        int times)
{
	struct status_target_status own = *t;

	if (!from->packed || t->packed == from->packed || !status_target_same(t, from, times))
		return 0;
	status_target_status_free(t);
	(void)status_target_share_as(t, from, &own);
	return 1;
}

static int share_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct status_target_status *const *)a)->target,
	              (*(const struct status_target_status *const *)b)->target);
}

int status_share_index(const struct status_target_status *v, size_t n, struct status_share *out)
{
	out->n = 0;
	if (!(out->recs = malloc((n ? n : 1) * sizeof(*out->recs))))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v[i].packed && v[i].target)
			out->recs[out->n++] = &v[i];
	qsort(out->recs, out->n, sizeof(*out->recs), share_cmp);
	return 0;
}

void status_share_free(struct status_share *s)
{
	free(s->recs);
	s->recs = NULL;
	s->n = 0;
}

const struct status_target_status *status_share_find(const struct status_share *s,
                                                     const char *target)
{
	struct status_target_status key = {.target = (char *)target};
	const struct status_target_status *k = &key, *const * hit;

	if (!s || !s->n || !target)
		return NULL;
	hit = bsearch(&k, s->recs, s->n, sizeof(*s->recs), share_cmp);
	return hit ? *hit : NULL;
}

int status_target_unpack(struct status_target_status *t)
{
	struct status_target_status own;

	if (!t->packed)
		return 0;
	if (status_target_status_copy(&own, t) < 0)
		return -1;
	status_target_status_free(t);
	*t = own;
	return 0;
}

void status_free(struct status_status *st)
{
	if (!st)
		return;
	for (size_t i = 0; !st->views && i < st->n_targets; i++)
		status_target_status_free(&st->targets[i]);
	free(st->targets);
	free(st->parts);
	free(st->config);
	free(st->shard.config_digest);
	free(st->last_run.started);
	free(st->last_run.finished);
	free(st->last_success);
	status_copies_free(st);
	free(st);
}

void status_sort(struct status_status *st)
{
	if (st && st->n_targets > 1)
		qsort(st->targets, st->n_targets, sizeof(*st->targets), target_cmp);
	status_sort_copies(st);
}

struct status_target_status *status_find(const struct status_status *st, const char *target)
{
	struct status_target_status key = {.target = (char *)target};
	if (!st || !target || st->n_targets == 0)
		return NULL;
	return bsearch(&key, st->targets, st->n_targets, sizeof(*st->targets), target_cmp);
}

int status_extra_tag_add(struct status_target_status *t, const char *tag, const char *digest)
{
	struct status_extra_tag *v;
	int fail = 0;

	if (!digest)
		return 0;
	for (size_t i = 0; tag && i < t->n_extra_tags; i++)
		if (t->extra_tags[i].tag && strcmp(t->extra_tags[i].tag, tag) == 0)
			return 0; /* the first record of a tag stands */
	if (!(v = realloc(t->extra_tags, (t->n_extra_tags + 1) * sizeof(*v))))
		return -1;
	t->extra_tags = v;
	v[t->n_extra_tags].tag = status_dup_or_null(tag, &fail);
	v[t->n_extra_tags].digest = status_dup_or_null(digest, &fail);
	if (fail) {
		free(v[t->n_extra_tags].tag);
		free(v[t->n_extra_tags].digest);
		return -1;
	}
	t->n_extra_tags++;
	return 0;
}

int status_extra_tags_copy(struct status_target_status *dst, const struct status_extra_tag *v,
                           size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (status_extra_tag_add(dst, v[i].tag, v[i].digest) < 0)
			return -1;
	return 0;
}

int status_target_status_copy(struct status_target_status *dst,
                              const struct status_target_status *src)
{
	int fail = 0;

	memset(dst, 0, sizeof(*dst));
	dst->target = status_dup_or_null(src->target, &fail);
	dst->state = src->state;
	dst->digest = status_dup_or_null(src->digest, &fail);
	dst->media_type = status_dup_or_null(src->media_type, &fail);
	dst->foreign = src->foreign;
	dst->digest_seen = src->digest_seen;
	dst->digest_written = src->digest_written;
	if (src->n_extra_digests &&
	    !(dst->extra_digests = calloc(src->n_extra_digests, sizeof(*dst->extra_digests))))
		fail = 1;
	for (size_t i = 0; dst->extra_digests && i < src->n_extra_digests; i++) {
		dst->extra_digests[i] = status_dup_or_null(src->extra_digests[i], &fail);
		dst->n_extra_digests = i + 1;
	}
	if (status_extra_tags_copy(dst, src->extra_tags, src->n_extra_tags) < 0)
		fail = 1;
	dst->since = status_dup_or_null(src->since, &fail);
	dst->published_at = status_dup_or_null(src->published_at, &fail);
	dst->reason = status_dup_or_null(src->reason, &fail);
	dst->unconfirmed = src->unconfirmed;
	dst->signed_by = status_dup_or_null(src->signed_by, &fail);
	if (src->n_platforms) {
		dst->platforms = calloc(src->n_platforms, sizeof(*dst->platforms));
		if (!dst->platforms)
			fail = 1;
	}
	for (size_t i = 0; dst->platforms && i < src->n_platforms; i++) {
		const struct status_platform_status *s = &src->platforms[i];
		struct status_platform_status *d = &dst->platforms[i];
		d->platform = status_dup_or_null(s->platform, &fail);
		d->source = status_dup_or_null(s->source, &fail);
		d->state = s->state;
		d->digest = status_dup_or_null(s->digest, &fail);
		d->media_type = status_dup_or_null(s->media_type, &fail);
		d->size = s->size;
		d->verified = s->verified;
		d->child_missing = s->child_missing;
		d->optional = s->optional;
		d->reason = status_dup_or_null(s->reason, &fail);
		d->signed_by = status_dup_or_null(s->signed_by, &fail);
		dst->n_platforms = i + 1;
	}
	if (fail) {
		status_target_status_free(dst);
		return -1;
	}
	return 0;
}
