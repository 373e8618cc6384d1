/* history_internal.h — what history_git.c, history_sum.c and
 * history_cache.c share: a version's summary (what the history takes from
 * one version of the status file) and the cache of summaries, keyed by the
 * version's blob id. Not copied to build/include, so no other folder sees it. */
#ifndef MANIFOLD_HISTORY_INTERNAL_H
#define MANIFOLD_HISTORY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "status.h"

/* One version as the history sees it: last_run.finished and, per target
 * (sorted by reference), its reference, state and platforms (name, state,
 * digest), each target encoded as bytes (history_sum.c) so that two nights'
 * records compare with memcmp and a cache entry is a copy of them.
 * Zero-initialise; free with hsum_free. */
struct hsum {
	git_oid blob;
	char *finished; /* or NULL */
	uint8_t *buf;   /* the targets' encodings, one after another */
	size_t len, cap;
	size_t *off; /* where target i starts in buf; it ends where i + 1 starts */
	size_t n, cap_off;
	unsigned depth; /* cache entries between this one and a full one (0: full) */
};

/* The summary of targets t[0..n) (sorted); 0, or -1 out of memory. */
int hsum_from_targets(struct hsum *s, const git_oid *blob, const char *finished,
                      const struct pub_target_status *const *t, size_t n);
/* One night of s on h (pub_history_add). */
int hsum_add(struct pub_history *h, const char *commit, const struct hsum *s,
             struct base_error *err);
void hsum_free(struct hsum *s);
/* Target i's encoding and its length. */
const uint8_t *hsum_target(const struct hsum *s, size_t i, size_t *len);
/* 1 when p[0..len) is one well-formed target encoding. */
int hsum_target_valid(const uint8_t *p, size_t len);
/* Append target encoding p[0..len) to s; 0, or -1 out of memory. */
int hsum_push(struct hsum *s, const uint8_t *p, size_t len);
/* Append base's targets [from, from + count) to s; 0, or -1. */
int hsum_push_range(struct hsum *s, const struct hsum *base, size_t from, size_t count);

/* Delta ops of a cache entry (history_cache.c): keep the base's next
 * `count` targets, drop them, or insert one encoded target. */
enum hsum_op { HSUM_KEEP = 'K', HSUM_DROP = 'D', HSUM_INSERT = 'I' };
/* Calls op(ctx, kind, count or length, bytes for insert) for the ops that
 * turn base (NULL: empty) into s, oldest target first; stops at a
 * negative return. Returns that, or the number of inserted targets. */
long hsum_diff(const struct hsum *base, const struct hsum *s,
               int (*op)(void *ctx, enum hsum_op kind, size_t n, const uint8_t *p), void *ctx);

/* The cache of summaries: a directory of one file per blob id, in the
 * repository's git directory (manifold/history-cache/), else in
 * $XDG_CACHE_HOME/manifold/history-cache/ (~/.cache when unset); NULL when
 * neither can be written. Every failure in it is silent: a miss. */
struct hcache;
struct hcache *hcache_open(git_repository *repo);
/* s = the cached summary of blob; prev (NULL: none) is the version read
 * before it, whose summary an entry may be stored against. 0 hit, -1 miss. */
int hcache_get(struct hcache *c, const git_oid *blob, const struct hsum *prev, struct hsum *out);
/* Store s (against prev when that keeps the entry small); sets s->depth. */
void hcache_put(struct hcache *c, struct hsum *s, const struct hsum *prev);
/* When the directory holds more than its bound, remove the entries of
 * blobs not in keep[0..n). */
void hcache_prune(struct hcache *c, const git_oid *keep, size_t n);
void hcache_close(struct hcache *c);

#endif
