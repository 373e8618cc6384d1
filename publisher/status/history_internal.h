/* history_internal.h — what history_git.c, history_walk.c,
 * history_version.c, history_sum.c and history_cache.c share: a version's
 * summary (what the history takes from one version of the status file),
 * the commits walked, a version as it is read, and the cache of summaries,
 * keyed by the version's blob id. Not copied to build/include, so no other folder
 * sees it. */
#ifndef MANIFOLD_HISTORY_INTERNAL_H
#define MANIFOLD_HISTORY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "status_history.h"

/* One target of one version as the history sees it, encoded (history_sum.c):
 * reference NUL, state (1 byte), platform count (4 bytes, little endian),
 * then per platform: name NUL, state (1 byte), flags (1 byte: 1 a digest
 * follows, 2 optional), the digest NUL. Shared by every summary and record
 * that holds it: a record whose bytes are the version before's keeps its
 * henc, so two nights' targets compare by pointer and a night costs work
 * only for the targets that changed. Reference counted; a henc never
 * changes once made. */
struct henc {
	uint32_t refs;
	uint32_t len;
	uint8_t p[]; /* the encoding; starts with the reference, NUL-terminated */
};

/* The encoding of one target (refs 1); NULL out of memory. */
struct henc *status_enc_new(const struct status_target_status *t);
/* A henc of len bytes at p, which must be a well-formed encoding (refs 1). */
struct henc *status_enc_from(const uint8_t *p, size_t len);
struct henc *status_enc_ref(struct henc *e);
void status_enc_unref(struct henc *e); /* NULL is fine */
/* The target's reference: the encoding's first string. */
static inline const char *status_enc_name(const struct henc *e)
{
	return (const char *)e->p;
}
/* The encoding of the one-target record d[0..n) (history_record.c), read
 * straight from its bytes: 1 (*out, refs 1), 0 when the record is not in
 * the plain form read so (then status_parse reads it, or says what is
 * wrong), -1 out of memory. */
int status_enc_read(const char *d, size_t n, struct henc **out);
/* 1 when p[0..len) is one well-formed target encoding. */
int status_sum_target_valid(const uint8_t *p, size_t len);

/* One version as the history sees it: last_run.finished and its targets
 * (sorted by reference), each a reference to a henc. Zero-initialise; free
 * with status_sum_free. */
struct hsum {
	git_oid blob;
	char *finished; /* or NULL */
	struct henc **t;
	size_t n, cap;
	unsigned depth; /* cache entries between this one and a full one (0: full) */
};

void status_sum_free(struct hsum *s);
/* s made empty for the version of blob whose last run finished at
 * `finished` (NULL: none); 0, or -1 out of memory. */
int status_sum_start(struct hsum *s, const git_oid *blob, const char *finished);
/* Before a run of records is appended in its own order: *in_order is
 * cleared when s would no longer be sorted by reference (the run is not
 * sorted in itself, or first, its first record, sorts before s's last). */
void status_sum_order(const struct hsum *s, const struct henc *first, int sorted, int *in_order);
/* s sorted by reference, unless it was appended in order. */
void status_sum_finish(struct hsum *s, int in_order);
/* Append e to s (taking a reference of its own); 0, or -1 out of memory. */
int status_sum_push(struct hsum *s, struct henc *e);
/* Append base's targets [from, from + count) to s; 0, or -1. */
int status_sum_push_range(struct hsum *s, const struct hsum *base, size_t from, size_t count);

/* Delta ops of a cache entry (history_cache.c): keep the base's next
 * `count` targets, drop them, or insert one encoded target. */
enum status_sum_op { STATUS_SUM_KEEP = 'K', STATUS_SUM_DROP = 'D', STATUS_SUM_INSERT = 'I' };
/* Calls op(ctx, kind, count, NULL) or op(ctx, STATUS_SUM_INSERT, 1, henc)
 * for the ops that turn base (NULL: empty) into s, oldest target first (a
 * target whose henc is base's, or whose bytes are, is kept); stops at a
 * negative return. Returns that, or the number of inserted targets. */
long status_sum_diff(const struct hsum *base, const struct hsum *s,
                     int (*op)(void *ctx, enum status_sum_op kind, size_t n, const struct henc *e),
                     void *ctx);

/* The history built night by night from summaries (history.c): a target
 * whose henc is the one it had the night before costs nothing beyond a
 * pointer compare; only a target that is new, gone or changed is decoded
 * and its platforms' runs, the night's counts and the platforms lacking
 * are updated by the difference. */
struct hbuild;
struct hbuild *status_build_new(struct status_history *h);
/* One night of s on the history (status_history_add's equivalent). */
int status_build_night(struct hbuild *b, const char *commit, const struct hsum *s,
                       struct base_error *err);
/* Close every run and sort the targets; then status_history_finish. */
int status_build_end(struct hbuild *b, struct base_error *err);
void status_build_free(struct hbuild *b);
/* Targets decoded by the builder since it was made (a changed or new
 * record, each once): the figure MANIFOLD_HISTORY_DEBUG prints. */
size_t status_build_decoded(const struct hbuild *b);

/* ---- which commits (history_walk.c) ----------------------------------- */

struct walk {
	git_repository *repo;
	char *relpath;
	char *partspath; /* the parts directory a split version would have: "status/release.d" */
	/* newest first: the commit, the version's key (its blob id, or for a
	 * split version a hash of its header's blob id and its parts' tree id:
	 * what the cache is keyed by) and its header's blob id */
	git_oid *commits, *blobs, *heads;
	size_t n, cap;
	int truncated;
};

/* The repository holding status_path, and the file's path in its work
 * tree (w->relpath). 0 or -1. */
int status_history_walk_open(struct walk *w, const char *status_path, struct base_error *err);
/* The versions of the file in o's range (o->days, STATUS_HISTORY_MAX_NIGHTS:
 * w->truncated), newest first, appended to w. 0 or -1. */
int status_history_walk_commits(struct walk *w, const struct status_history_options *o,
                                struct base_error *err);

/* ---- one version of the file (history_version.c) ------------------------ */

struct record {
	size_t off, len;  /* in version.buf */
	struct henc *enc; /* what the history takes from it (a reference) */
};

struct vpart;

struct version {
	git_blob *blob;
	void *held;      /* or the bytes read from the packs (status_pack_release) */
	const char *buf; /* the blob's bytes */
	size_t len;
	char name[96];              /* "status/release.json at 1a2b3c4d5e6f" for errors */
	struct status_status *head; /* the header (layout known) or the whole file */
	struct record *recs;        /* layout known: one per target; else NULL */
	size_t n_recs;
	int whole;
	int split;  /* head is the header; the targets are in parts */
	int sorted; /* 1 sorted, -1 not, 0 not yet known: the records' (or whole's) order */
	struct vpart *parts;
	size_t n_parts;
};

/* A part of a split version: its path in the parts directory, its blob id,
 * and the part read as a version of its own (its records cut and reused
 * as a one-file version's are; handed on whole to the next version when
 * its blob is the same). */
struct vpart {
	char *rel;
	git_oid id;
	struct version v;
};

void status_version_free(struct version *v);
/* Version i's blob (the file's, or a split file's header) loaded into v. */
int status_version_load(struct walk *w, size_t i, struct version *v, struct base_error *err);
/* The header (schema, config, last_run) parsed, *body where the records
 * begin; or, in another layout, the whole file parsed. */
int status_version_head(struct version *v, size_t *body, struct status_history_work *work,
                        struct base_error *err);
/* The version's body: records (reusing prev's parse of records whose bytes
 * are the same; prev may be NULL), or the whole file when the layout differs. */
int status_version_body(struct version *v, size_t body, struct version *prev,
                        struct status_history_work *work, struct base_error *err);
/* qsort's order of henc pointers: by reference. */
int status_enc_ptr_cmp(const void *a, const void *b);
/* 1 when v's records are in reference order; found once per version. */
int status_version_sorted(struct version *v);
/* What the history takes from v (every part's records, for a split one),
 * sorted by reference: a reference to each record's henc. */
int status_version_sum(struct version *v, const git_oid *blob, struct hsum *out,
                       struct base_error *err);
/* Version i from git: its bytes, its header and records (reusing prev's
 * parse of records whose bytes are the same; prev may be NULL). */
int status_version_read(struct walk *w, size_t i, struct version *v, struct version *prev,
                        struct status_history_work *work, struct base_error *err);
/* v (its blob loaded) cut into records again, each taking e[0..n) in turn:
 * they were read from this blob. 0, or -1 when the cut differs (then v has
 * no records and the next version parses all of its own). */
int status_version_recut(struct version *v, struct henc *const *e, size_t n);

/* ---- the parts' blobs from the pack files (history_pack.c) -------------- */

/* The pack files of the repository whose common git directory is gitdir,
 * read directly, with a cache of rebuilt delta bases shared by the
 * threads; NULL when there are none (then libgit2 reads every blob). */
struct hpack;
struct hpack *status_pack_open(const char *gitdir);
/* Blob id's bytes: 0 (*data NUL-terminated, *len bytes, shared with the
 * cache: held until status_pack_release(*held)), or 1 when the packs
 * cannot give it (not packed, another kind of index, a corrupt entry; p
 * NULL): then libgit2 reads it, or says what is wrong. */
int status_pack_read(struct hpack *p, const git_oid *id, const char **data, size_t *len,
                     void **held);
void status_pack_release(void *held); /* NULL is fine */
/* Where blob id's delta chain begins (its pack and the offset of the
 * chain's whole object): blobs read in this key's order share the bases
 * the cache keeps. UINT64_MAX when the packs cannot tell. */
uint64_t status_pack_chain_root(struct hpack *p, const git_oid *id);
void status_pack_close(struct hpack *p); /* NULL is fine */

/* The cache of summaries: a directory of one file per blob id, in the
 * repository's git directory (manifold/history-cache/), else in
 * $XDG_CACHE_HOME/manifold/history-cache/ (~/.cache when unset); NULL when
 * neither can be written. Every failure in it is silent: a miss. */
struct hcache;
struct hcache *status_cache_open(git_repository *repo);
/* s = the cached summary of blob; prev (NULL: none) is the version read
 * before it, whose summary an entry may be stored against. 0 hit, -1 miss. */
int status_cache_get(struct hcache *c, const git_oid *blob, const struct hsum *prev,
                     struct hsum *out);
/* 1 when the cache has an entry for blob (status_cache_get may still miss). */
int status_cache_has(struct hcache *c, const git_oid *blob);
/* Store s (against prev when that keeps the entry small); sets s->depth. */
void status_cache_put(struct hcache *c, struct hsum *s, const struct hsum *prev);
/* When the directory holds more than its bound, remove the entries of
 * blobs not in keep[0..n). */
void status_cache_prune(struct hcache *c, const git_oid *keep, size_t n);
void status_cache_close(struct hcache *c);

#endif
