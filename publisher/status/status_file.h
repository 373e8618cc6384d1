/* status_file.h — the status file as a document: its records (targets,
 * platforms, retag's copies, the last run, the sharding), their state
 * names, the deterministic writer and the reader (status_file.c,
 * status_parse.c, status_copies.c, status_names.c), the file after a run
 * (status_next.c) and two files merged by target (status_merge.c).
 *
 * Knows nothing of locks, journals, git or reports. Functions return 0 or
 * negative and fill a caller-owned struct base_error; every returned
 * pointer is the caller's to free with the matching *_free (NULL safe). */
#ifndef MANIFOLD_STATUS_FILE_H
#define MANIFOLD_STATUS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "status_util.h"

/* ---- records and state names (status_names.c) ------------------------- */

enum status_target_state {
	STATUS_T_PUBLISHED,
	STATUS_T_UNCHANGED,
	STATUS_T_INCOMPLETE,
	STATUS_T_FAILED,
	STATUS_T_READY, /* check: every platform is there; publish never records it */
	STATUS_T_HELD,  /* the list would drop platforms the tag's list has (allow-shrink) */
	STATUS_T__COUNT
};
enum status_platform_state {
	STATUS_P_READY,
	STATUS_P_MISSING,
	STATUS_P_WRONG_PLATFORM,
	STATUS_P_ERROR,
	STATUS_P__COUNT
};
const char *status_target_state_str(enum status_target_state s); /* "published", ... */
const char *
status_platform_state_str(enum status_platform_state s); /* "ready", "wrong_platform", ... */
int status_target_state_parse(const char *s, enum status_target_state *out);
int status_platform_state_parse(const char *s, enum status_platform_state *out);

/* A record's fields are laid out for a night of many records (pointers,
 * then the counts, then the flags, a byte each): docs/DESIGN.md, "Memory". */
struct status_platform_status {
	char *platform; /* as in the config */
	char *source;   /* source reference */
	char
	    *digest; /* child manifest digest (resolved entry when the source is a list), or NULL */
	char *media_type; /* child media type, or NULL */
	char *reason;     /* why not ready, or NULL */
	char *signed_by;  /* require-signature: the key id ("sha256:…") whose signature of
	                   * `digest` verified (the gate's cache), or NULL */
	long long size;   /* child manifest size, -1 unknown */
	enum status_platform_state state;
	unsigned char verified; /* child config checked against platform at `digest` */
	unsigned char optional; /* from optional-platforms: left out of the list when not ready */
	/* "child_missing": true — the child at `digest` is in the list the tag
	 * holds but not in the tag's repository (publish.md, "Missing
	 * children"): written only when set, cleared by a green night */
	unsigned char child_missing;
};

/* One extra tag of a target (`extra-tags`) and the list it holds after the
 * run: "extra_tags": [{"tag", "digest", "held"}]. Its platforms are the
 * target's when digest is the target's; another digest is an earlier list
 * of manifold's (held) or one it did not write. */
struct status_extra_tag {
	char *tag;    /* "latest"; NULL only for a digest an older file kept without its tag */
	char *digest; /* what the tag holds, never NULL */
};

struct status_target_status {
	char *target; /* full reference */
	char
	    *digest; /* list digest when published/unchanged, else the last published one or NULL */
	char *media_type; /* list media type, or NULL */
	/* The lists manifold wrote that extra tags of the target still hold
	 * because the run held them (they would lose a platform): manifold's
	 * to replace later, with allow-shrink. Written as the "held": true
	 * entries of "extra_tags" (a digest no entry names gets one without
	 * "tag"); read from those and from the "extra_digests" array older
	 * files have. n_extra_digests below. */
	char **extra_digests;
	/* "extra_tags": each extra tag and what it holds, in config order
	 * (n_extra_tags below) */
	struct status_extra_tag *extra_tags;
	char *since; /* RFC 3339 UTC: when state or digest last changed */
	/* "published_at": on a target that is not green, when `digest` (what
	 * the tag serves) was published, when known: the `since` of the last
	 * green record with that digest, or the start of the run that wrote it
	 * (digest_written). Written only then. */
	char *published_at;
	char *reason;    /* why incomplete/failed, or NULL */
	char *signed_by; /* sign-key: the key id ("sha256:…") that signed `digest`, or NULL */
	struct status_platform_status *platforms;
	/* Not in the file: set by status_target_pack, the one block that holds
	 * every string and array of the record (a media type manifold knows
	 * points to a static name instead). status_target_status_free frees
	 * the block alone; change no field of a packed record (copy it first).
	 * NULL: each string and array is its own allocation. */
	void *packed;
	uint32_t n_extra_digests, n_extra_tags, n_platforms;
	enum status_target_state state;
	/* "foreign": true — digest is what the tag holds and manifold did not
	 * write it (publish.md, "Tags manifold did not write") */
	unsigned char foreign;
	/* Not in the file: this run saw what the tag holds, so digest (NULL:
	 * nothing) is that and no earlier record's is kept (status_next). */
	unsigned char digest_seen;
	/* Not in the file: this run wrote `digest` to the tag, so on a record
	 * that is not green (held by an extra tag, an extra tag's PUT failed)
	 * published_at is the run's start (status_next). */
	unsigned char digest_written;
	/* published, but only as "written, not confirmed": a run journalled
	 * the list PUT (digest) and ended before reading it back (journal.c).
	 * Written as "unconfirmed": true, only when set; the next run that
	 * HEADs the tag records what it holds. */
	unsigned char unconfirmed;
};

/* ---- copy records (status_copies.c) -------------------------------------
 * `manifold retag --status F` records each copy here, never as a target:
 * publish runs keep this section as it is, retag runs keep the targets and
 * last_run as they are. A file without it reads as having no copies. */
/* held and refused: the copy was not made on purpose; digest is what the
 * destination holds (refused: a digest manifold did not write, so the
 * record never makes it manifold's) */
enum status_copy_rec_state {
	STATUS_C_COPIED,
	STATUS_C_UNCHANGED,
	STATUS_C_FAILED,
	STATUS_C_HELD,
	STATUS_C_REFUSED,
	STATUS_C__COUNT
};
const char *status_copy_rec_state_str(enum status_copy_rec_state s); /* "copied", ... */
int status_copy_rec_state_parse(const char *s, enum status_copy_rec_state *out);

struct status_copy_status {
	char *from, *to; /* references as planned; `to` is the key */
	char *platform;  /* the rule's platform, NULL for per-tag rules and pairs */
	enum status_copy_rec_state state;
	char *digest;     /* what the destination holds; a failed copy keeps the last one */
	char *media_type; /* or NULL */
	/* "foreign": true — a held record's digest is what the destination
	 * holds and manifold did not write (held under --overwrite) */
	int foreign;
	char *since;  /* RFC 3339 UTC: when state or digest last changed */
	char *reason; /* why failed, or NULL */
};

/* The last retag run that wrote the file. */
struct status_retag_summary {
	char *started, *finished; /* RFC 3339 UTC, NULL when no retag wrote the file */
	int copied, unchanged, failed;
};

void status_copy_status_free(struct status_copy_status *c); /* the fields; NULL safe */
int status_copy_status_copy(struct status_copy_status *dst, const struct status_copy_status *src);
struct status_status;
/* Copy record by destination, or NULL (copies sorted). */
struct status_copy_status *status_find_copy(const struct status_status *st, const char *to);
/* dst's copies and last_retag become a deep copy of src's (src NULL: none). */
int status_copies_dup(struct status_status *dst, const struct status_status *src);
/* The record after a run from this run's record `run` (its since ignored)
 * and the previous one (NULL when new): copied and unchanged count as one
 * state, so while the state class and the digest stay, the record keeps
 * prev's state and since (a rerun that writes nothing changes no byte of
 * it); otherwise since = now. A failed copy keeps prev's digest and media
 * type. out is overwritten; 0 or -1 out of memory. */
int status_copy_status_next(const struct status_copy_status *prev,
                            const struct status_copy_status *run, const char *now,
                            struct status_copy_status *out);
/* Record a retag run in st: each of run[0..n) through status_copy_status_next
 * against st's record for its `to` (a later one with the same `to` wins),
 * last_retag = *summary. Targets and last_run are not touched. */
int status_record_copies(struct status_status *st, const struct status_copy_status *run, size_t n,
                         const struct status_retag_summary *summary, const char *now,
                         struct base_error *err);
/* Merge b's copies into a's: per `to` the newer since wins (ties: a's);
 * last_retag is the later finished run's. */
int status_copies_merge(struct status_status *a, const struct status_status *b);
void status_sort_copies(struct status_status *st);

struct status_run {
	char *started, *finished; /* RFC 3339 UTC */
	int published, unchanged, incomplete, failed;
	int ready; /* check only; not in a status file */
	int held;  /* written only when not 0 */
};

/* Which sharding wrote a status file (publish --shard I/N): written as
 * "shard": {"index", "count", "config_digest"} after "config", only when
 * count > 0. config_digest is "sha256:<hex>" of the config file's bytes.
 * It travels with last_run: a merge keeps the later-finished run's. */
struct status_shard_info {
	unsigned index, count; /* count 0: not written by a sharded run */
	char *config_digest;
};

/* dst = a deep copy of src (dst's digest freed); 0 or -1 out of memory. */
int status_shard_info_copy(struct status_shard_info *dst, const struct status_shard_info *src);

struct status_status {
	int schema; /* 1 */
	char *config;
	struct status_shard_info shard;
	struct status_run last_run;
	/* RFC 3339 UTC: when the latest run with no failed target, after
	 * which no target was held, finished (carried over from the previous
	 * file by a run that failed or left a target held); NULL
	 * before the first such run. Written as last_run.last_success. */
	char *last_success;
	struct status_target_status *targets; /* sorted by target */
	size_t n_targets;
	int views; /* status_next_views: the records' strings are others' */
	/* read only: a split status's header names its parts' directory
	 * ("parts", status_split.h); NULL for a whole file */
	char *parts;
	/* retag's records, apart from the targets (status_copies.c) */
	struct status_retag_summary last_retag;
	struct status_copy_status *copies; /* sorted by `to` */
	size_t n_copies;
};

/* Serialise deterministically: 2-space indent, fixed key order (schema,
 * config, shard, last_run{started, finished, published, unchanged, incomplete,
 * failed, held, last_success}, targets[{target, state, digest, media_type, foreign, since,
 * published_at, reason, extra_tags[{tag, digest, held}], unconfirmed, signed_by,
 * platforms[{platform, optional, source, state, digest, media_type, size, verified,
 * child_missing, signed_by, reason}]}], and only when a retag recorded
 * copies: last_retag{started,
 * finished, copied, unchanged, failed}, copies[{from, to, platform, state,
 * digest, media_type, since, reason}]), absent fields omitted (held when 0,
 * optional when false), targets sorted by target, copies by to, trailing
 * newline (unconfirmed only when set). Returns malloc'd text. */
char *status_serialize(const struct status_status *st);
/* Parse; errors name the file and the JSON path. */
int status_parse(const char *name, const char *data, size_t len, struct status_status **out,
                 struct base_error *err);
/* Load a file; a missing file gives an empty status (0 targets), not an error. */
int status_load(const char *path, struct status_status **out, struct base_error *err);
/* Records a read may share instead of holding its own: a record read that
 * is the same (status_target_same with times) as the one of its target
 * here holds that one's packed block (status_target_adopt). The run's
 * records, when the file is read again to be written: a night holds one
 * copy of what did not change. recs: sorted by target (status_share_index). */
struct status_share {
	const struct status_target_status **recs;
	size_t n;
};
/* The index of v[0..n)'s packed records; 0 or -1 out of memory. Freed by
 * status_share_free (the records are v's). */
int status_share_index(const struct status_target_status *v, size_t n, struct status_share *out);
void status_share_free(struct status_share *s);
/* The record of target in s, or NULL (s may be NULL). */
const struct status_target_status *status_share_find(const struct status_share *s,
                                                     const char *target);
/* status_parse and status_load sharing with `share` (may be NULL). */
int status_parse_sharing(const char *name, const char *data, size_t len,
                         const struct status_share *share, struct status_status **out,
                         struct base_error *err);
int status_load_sharing(const char *path, const struct status_share *share,
                        struct status_status **out, struct base_error *err);
/* Write atomically: temp file in the same directory, fsync, rename (where
 * base_file_write_place says: a link's target; a device in place). */
int status_write(const char *path, const struct status_status *st, struct base_error *err);

void status_free(struct status_status *st);
void status_sort(struct status_status *st);
/* Target record by reference, or NULL. */
struct status_target_status *status_find(const struct status_status *st, const char *target);
int status_target_status_copy(struct status_target_status *dst,
                              const struct status_target_status *src);
void status_target_status_free(struct status_target_status *t);
/* t's strings and arrays moved into one block (t->packed), so a record
 * held for a whole run costs one allocation, not one per string, and the
 * media types and platforms it shares with every other record cost nothing: what a
 * night of many targets holds of each (docs/DESIGN.md, "Memory"). The
 * record reads the same. 0, or -1 out of memory (t left as it was). A
 * packed record is left as it is. */
int status_target_pack(struct status_target_status *t);
/* The reverse: each string and array of t its own allocation again, so a
 * field can be changed. 0, or -1 out of memory (t left as it was). */
int status_target_unpack(struct status_target_status *t);
/* dst becomes another holder of src's packed block (a shallow copy; the
 * block is freed with its last holder): 0, or -1 when src is not packed
 * (dst untouched). Neither may change a field of the block after. */
int status_target_share(struct status_target_status *dst, const struct status_target_status *src);
/* The same, dst keeping own's scalars (state, foreign, the digests seen
 * and written, unconfirmed: a record's own, none of them in the block);
 * own may be dst itself. */
int status_target_share_as(struct status_target_status *dst, const struct status_target_status *src,
                           const struct status_target_status *own);
/* Do a's and b's strings and arrays read the same (every platform's
 * fields too)? times: since and published_at as well. The scalars of the
 * record itself (state, foreign, unconfirmed, ...) are not compared. */
int status_target_same(const struct status_target_status *a, const struct status_target_status *b,
                       int times);
/* When t reads the same as `from` (status_target_same), t's strings and
 * arrays are freed and t holds from's packed block instead, keeping its
 * own scalars: 1. 0 when they differ or from is not packed (t as it was).
 * What lets a night hold one copy of a record that did not change. */
int status_target_adopt(struct status_target_status *t, const struct status_target_status *from,
                        int times);
/* Append extra tag `tag` holding digest (digest NULL: nothing); a tag the
 * record has already keeps its first entry. 0 or -1 out of memory. */
int status_extra_tag_add(struct status_target_status *t, const char *tag, const char *digest);
/* Append copies of v[0..n) as status_extra_tag_add does. */
int status_extra_tags_copy(struct status_target_status *dst, const struct status_extra_tag *v,
                           size_t n);

/* ---- the file after a run, and two files merged (status_next.c,
 * status_merge.c) ------------------------------------------------------ */

/* Merge b into a (both sorted): per target the record with the newer
 * `since` wins (ties: a's); targets present in only one side are kept;
 * last_run is the later finished run's; copies as status_copies_merge.
 * Result is sorted. */
int status_merge(struct status_status *a, const struct status_status *b, struct base_error *err);
/* The same, b's records moved into a rather than copied (b's slots left
 * empty; b is still the caller's to free): a report's records held once. */
int status_merge_take(struct status_status *a, struct status_status *b, struct base_error *err);

/* The status file after a run: prev's records for targets that are in
 * `known` (1 for every target the config describes) but not in
 * this run are kept as they were; this run's records replace the others.
 * last_success is last_run's finished when it has no failed target and no
 * target of the result is held, else prev's. A record is left as it was while its state and digest
 * stay the same; published and unchanged count as one state (the tag holds the same list), so an
 * unchanged night keeps "published" and `since` and the file's diff is last_run alone. An
 * incomplete or failed target keeps the last published digest. prev's copies and last_retag are
 * kept as they were. known NULL keeps every old record. Result sorted by target. */
typedef int (*status_known_fn)(void *ctx, const char *target);
int status_next(const struct status_status *prev, const struct status_target_status *run,
                size_t n_run, status_known_fn known, void *known_ctx, const char *config,
                const struct status_run *last_run, struct status_status **out,
                struct base_error *err);
/* The same, whose records are views: their strings are prev's, run's and
 * last_run->started's, none their own, so a night holds one copy of each
 * record, not two (status_free frees only the array). Free it before any
 * of those, and change none of its records. */
int status_next_views(const struct status_status *prev, const struct status_target_status *run,
                      size_t n_run, status_known_fn known, void *known_ctx, const char *config,
                      const struct status_run *last_run, struct status_status **out,
                      struct base_error *err);
/* The same made of st itself, in place (st is the file as it is read
 * before the write, and is the next status after): each of the run's
 * records takes its old one's place as a record of its own (another holder
 * of the run's packed block, or of the old one's, when it reads the same;
 * else a packed copy), so a night holds no second array of records at the
 * write. The shard, last_run, last_success and config are the next's (as
 * status_next's); the copies stay. On error st is left whole but may hold
 * some of the run's records already. 0 or -1 out of memory. */
int status_next_into(struct status_status *st, const struct status_target_status *run, size_t n_run,
                     status_known_fn known, void *known_ctx, const char *config,
                     const struct status_run *last_run, struct base_error *err);

#endif
