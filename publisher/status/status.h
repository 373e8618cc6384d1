/* status.h — the publisher's record: the status file (read, next, merge,
 * atomic write), its git record (libgit2), and the reports made from it
 * (table, JSON, Markdown, HTML; what changed since a revision; the --check
 * verdict). Also the few helpers every publisher wing shares.
 *
 * Knows nothing of registries beyond struct base_error (the one error
 * convention), and nothing of configs, jobs or the command line: engine/
 * and cli/ include this header, never the other way. Functions return 0 or
 * negative and fill a caller-owned struct base_error; every returned pointer
 * is the caller's to free with the matching *_free (NULL safe). */
#ifndef MANIFOLD_STATUS_H
#define MANIFOLD_STATUS_H

#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "registry.h"

/* ---- shared helpers (util.c) ------------------------------------------- */

/* strdup that keeps NULL; *fail (may be NULL) set to 1 on allocation failure. */
char *pub_dup_or_null(const char *s, int *fail);
/* NULL equals "". */
int pub_streq0(const char *a, const char *b);
/* String vectors: free n strings and the array (NULL safe); deep copy
 * (0, or -1 out of memory; n == 0 gives NULL). */
void pub_strv_free(char **v, size_t n);
int pub_strv_dup(char *const *src, size_t n, char ***out);

/* Text a registry, a config or a status file controls, made safe for a
 * terminal: C0 controls, DEL, C1 controls and bytes that are not valid
 * UTF-8 become "\x1b"-style escapes, tab, newline and carriage return
 * become spaces; valid UTF-8 is kept. pub_term_text returns s itself when
 * it is plain printable ASCII, else buf (escaped, cut to len - 1 bytes);
 * NULL gives NULL. pub_fputs_term writes the escaped text of s (NULL:
 * nothing) to f. */
const char *pub_term_text(const char *s, char *buf, size_t len);
void pub_fputs_term(FILE *f, const char *s);

/* Strings grow in a struct base_buf and files are written with
 * base_file_write_atomic (base/base.h). */

/* Now as RFC 3339 UTC "2026-11-22T03:00:00Z", malloc'd. MANIFOLD_NOW, when
 * set, overrides the clock (tests). */
char *pub_now_rfc3339(void);

/* ---- status file ------------------------------------------------------- */

enum pub_target_state {
	PUB_T_PUBLISHED,
	PUB_T_UNCHANGED,
	PUB_T_INCOMPLETE,
	PUB_T_FAILED,
	PUB_T_READY, /* check: every platform is there; publish never records it */
	PUB_T_HELD,  /* the list would drop platforms the tag's list has (allow-shrink) */
	PUB_T__COUNT
};
enum pub_platform_state {
	PUB_P_READY,
	PUB_P_MISSING,
	PUB_P_WRONG_PLATFORM,
	PUB_P_ERROR,
	PUB_P__COUNT
};
const char *pub_target_state_str(enum pub_target_state s);     /* "published", ... */
const char *pub_platform_state_str(enum pub_platform_state s); /* "ready", "wrong-platform", ... */
int pub_target_state_parse(const char *s, enum pub_target_state *out);
int pub_platform_state_parse(const char *s, enum pub_platform_state *out);

struct pub_platform_status {
	char *platform; /* as in the config */
	char *source;   /* source reference */
	enum pub_platform_state state;
	char
	    *digest; /* child manifest digest (resolved entry when the source is a list), or NULL */
	char *media_type; /* child media type, or NULL */
	long long size;   /* child manifest size, -1 unknown */
	int verified;     /* child config checked against platform at `digest` */
	int optional;     /* from optional-platforms: left out of the list when not ready */
	char *reason;     /* why not ready, or NULL */
	char *signed_by;  /* require-signature: the key id ("sha256:…") whose signature of
	                   * `digest` verified (the gate's cache), or NULL */
};

struct pub_target_status {
	char *target; /* full reference */
	enum pub_target_state state;
	char
	    *digest; /* list digest when published/unchanged, else the last published one or NULL */
	char *media_type; /* list media type, or NULL */
	/* "foreign": true — digest is what the tag holds and manifold did not
	 * write it (publish.md, "Tags manifold did not write") */
	int foreign;
	/* Not in the file: this run saw what the tag holds, so digest (NULL:
	 * nothing) is that and no earlier record's is kept (pub_status_next). */
	int digest_seen;
	/* "extra_digests": the lists manifold wrote that extra tags of the
	 * target still hold because the run held them (they would lose a
	 * platform): manifold's to replace later, with allow-shrink */
	char **extra_digests;
	size_t n_extra_digests;
	char *since;  /* RFC 3339 UTC: when state or digest last changed */
	char *reason; /* why incomplete/failed, or NULL */
	/* published, but only as "written, not confirmed": a run journalled
	 * the list PUT (digest) and ended before reading it back (journal.c).
	 * Written as "unconfirmed": true, only when set; the next run that
	 * HEADs the tag records what it holds. */
	int unconfirmed;
	char *signed_by; /* sign-key: the key id ("sha256:…") that signed `digest`, or NULL */
	struct pub_platform_status *platforms;
	size_t n_platforms;
};

/* ---- copy records (status_copies.c) -------------------------------------
 * `manifold retag --status F` records each copy here, never as a target:
 * publish runs keep this section as it is, retag runs keep the targets and
 * last_run as they are. A file without it reads as having no copies. */
/* held and refused: the copy was not made on purpose; digest is what the
 * destination holds (refused: a digest manifold did not write, so the
 * record never makes it manifold's) */
enum pub_copy_rec_state {
	PUB_C_COPIED,
	PUB_C_UNCHANGED,
	PUB_C_FAILED,
	PUB_C_HELD,
	PUB_C_REFUSED,
	PUB_C__COUNT
};
const char *pub_copy_rec_state_str(enum pub_copy_rec_state s); /* "copied", ... */
int pub_copy_rec_state_parse(const char *s, enum pub_copy_rec_state *out);

struct pub_copy_status {
	char *from, *to; /* references as planned; `to` is the key */
	char *platform;  /* the rule's platform, NULL for per-tag rules and pairs */
	enum pub_copy_rec_state state;
	char *digest;     /* what the destination holds; a failed copy keeps the last one */
	char *media_type; /* or NULL */
	char *since;      /* RFC 3339 UTC: when state or digest last changed */
	char *reason;     /* why failed, or NULL */
};

/* The last retag run that wrote the file. */
struct pub_retag_summary {
	char *started, *finished; /* RFC 3339 UTC, NULL when no retag wrote the file */
	int copied, unchanged, failed;
};

void pub_copy_status_free(struct pub_copy_status *c); /* the fields; NULL safe */
int pub_copy_status_copy(struct pub_copy_status *dst, const struct pub_copy_status *src);
struct pub_status;
/* Copy record by destination, or NULL (copies sorted). */
struct pub_copy_status *pub_status_find_copy(const struct pub_status *st, const char *to);
/* dst's copies and last_retag become a deep copy of src's (src NULL: none). */
int pub_status_copies_dup(struct pub_status *dst, const struct pub_status *src);
/* The record after a run from this run's record `run` (its since ignored)
 * and the previous one (NULL when new): copied and unchanged count as one
 * state, so while the state class and the digest stay, the record keeps
 * prev's state and since (a rerun that writes nothing changes no byte of
 * it); otherwise since = now. A failed copy keeps prev's digest and media
 * type. out is overwritten; 0 or -1 out of memory. */
int pub_copy_status_next(const struct pub_copy_status *prev, const struct pub_copy_status *run,
                         const char *now, struct pub_copy_status *out);
/* Record a retag run in st: each of run[0..n) through pub_copy_status_next
 * against st's record for its `to` (a later one with the same `to` wins),
 * last_retag = *summary. Targets and last_run are not touched. */
int pub_status_record_copies(struct pub_status *st, const struct pub_copy_status *run, size_t n,
                             const struct pub_retag_summary *summary, const char *now,
                             struct base_error *err);
/* Merge b's copies into a's: per `to` the newer since wins (ties: a's);
 * last_retag is the later finished run's. */
int pub_status_copies_merge(struct pub_status *a, const struct pub_status *b);
void pub_status_sort_copies(struct pub_status *st);

struct pub_run {
	char *started, *finished; /* RFC 3339 UTC */
	int published, unchanged, incomplete, failed;
	int ready; /* check only; not in a status file */
	int held;  /* written only when not 0 */
};

/* Which sharding wrote a status file (publish --shard I/N): written as
 * "shard": {"index", "count", "config_digest"} after "config", only when
 * count > 0. config_digest is "sha256:<hex>" of the config file's bytes.
 * It travels with last_run: a merge keeps the later-finished run's. */
struct pub_shard_info {
	unsigned index, count; /* count 0: not written by a sharded run */
	char *config_digest;
};

/* dst = a deep copy of src (dst's digest freed); 0 or -1 out of memory. */
int pub_shard_info_copy(struct pub_shard_info *dst, const struct pub_shard_info *src);

struct pub_status {
	int schema; /* 1 */
	char *config;
	struct pub_shard_info shard;
	struct pub_run last_run;
	/* RFC 3339 UTC: when the latest run with no failed target, after
	 * which no target was held, finished (carried over from the previous
	 * file by a run that failed or left a target held); NULL
	 * before the first such run. Written as last_run.last_success. */
	char *last_success;
	struct pub_target_status *targets; /* sorted by target */
	size_t n_targets;
	/* retag's records, apart from the targets (status_copies.c) */
	struct pub_retag_summary last_retag;
	struct pub_copy_status *copies; /* sorted by `to` */
	size_t n_copies;
};

/* Serialise deterministically: 2-space indent, fixed key order (schema,
 * config, last_run{started, finished, published, unchanged, incomplete,
 * failed, held, last_success}, targets[{target, state, digest, media_type, foreign, since,
 * reason, extra_digests, unconfirmed, signed_by, platforms[{platform, optional, source, state,
 * digest, media_type, size, verified, signed_by, reason}]}], and only when a retag recorded
 * copies: last_retag{started,
 * finished, copied, unchanged, failed}, copies[{from, to, platform, state,
 * digest, media_type, since, reason}]), absent fields omitted (held when 0,
 * optional when false), targets sorted by target, copies by to, trailing
 * newline (unconfirmed only when set). Returns malloc'd text. */
char *pub_status_serialize(const struct pub_status *st);
/* Parse; errors name the file and the JSON path. */
int pub_status_parse(const char *name, const char *data, size_t len, struct pub_status **out,
                     struct base_error *err);
/* Load a file; a missing file gives an empty status (0 targets), not an error. */
int pub_status_load(const char *path, struct pub_status **out, struct base_error *err);
/* Write atomically: temp file in the same directory, fsync, rename. */
int pub_status_write(const char *path, const struct pub_status *st, struct base_error *err);
/* mkdir -p of the directory part of path. */
int pub_status_make_parents(const char *path, struct base_error *err);

/* One writer at a time (status_lock.c): an exclusive flock on
 * "<path>.lock", waited for at most wait_ms (then an error saying another
 * run holds it). Hold it across load, merge, write and the git record, so
 * a concurrent writer's records are read back, never overwritten. Taking
 * it removes temporary files a killed writer left ("<path>.tmp.XXXXXX");
 * releasing it removes the lock file. */
struct pub_status_lock;
int pub_status_lock(const char *path, long wait_ms, struct pub_status_lock **out,
                    struct base_error *err);
/* How a run waits for that lock. The wait polls (a non-blocking flock every
 * 50 ms), so it ends as soon as give_up says so: a run stopped by a signal
 * or its deadline waits no longer than its grace. */
struct pub_status_lock_wait {
	long wait_ms; /* then an error saying another run holds it */
	/* Asked between tries; nonzero ends the wait with an error saying the
	 * run was stopped. May be NULL. */
	int (*give_up)(void *ctx);
	/* Told once, when the lock is found held and the wait begins (a log
	 * line: "waiting for <path>.lock ..."). May be NULL. */
	void (*note)(void *ctx, const char *msg);
	void *ctx;
};
int pub_status_lock_wait(const char *path, const struct pub_status_lock_wait *w,
                         struct pub_status_lock **out, struct base_error *err);
void pub_status_unlock(struct pub_status_lock *l); /* NULL safe */
/* The wait for that lock: MANIFOLD_STATUS_LOCK_WAIT seconds (an integer
 * 0..3600) when set, else 120 s. */
long pub_status_lock_wait_ms(void);
void pub_status_free(struct pub_status *st);
void pub_status_sort(struct pub_status *st);
/* Target record by reference, or NULL. */
struct pub_target_status *pub_status_find(const struct pub_status *st, const char *target);
int pub_target_status_copy(struct pub_target_status *dst, const struct pub_target_status *src);
void pub_target_status_free(struct pub_target_status *t);

/* ---- git record of the status file (libgit2) --------------------------- */

struct pub_git_options {
	const char *repo_dir; /* --repo DIR; NULL: discovered from the status file's path */
	const char
	    *author; /* "Name <email>"; NULL: git config, else manifold <manifold@localhost> */
	int push;    /* --push */
	const char *remote; /* NULL: "origin" */
	/* A rejected push is fetched, merged and retried with exponential
	 * backoff and full jitter until retry_ms (from the first push) have
	 * passed; 0: PUB_GIT_RETRY_MS. At least one push is always made.
	 * max_attempts > 0 also caps the number of pushes (0: no cap). */
	long long retry_ms;
	int max_attempts;
	/* Asked before each push attempt and while waiting between them:
	 * non-zero (a signal's number) ends the retries at once; may be NULL. */
	int (*stopped)(void *ctx);
	void *stop_ctx;
	/* When not NULL: the number of push attempts made (0: none). */
	int *attempts;
	/* On a rejected push, the file to commit on top of the remote's copy
	 * `theirs`: this run's records applied to it as the run applied them to
	 * the local copy (targets the config no longer has dropped). NULL:
	 * pub_status_merge of this run's file and theirs. */
	int (*rebase)(void *ctx, const struct pub_status *theirs, struct pub_status **out,
	              struct base_error *err);
	void *rebase_ctx;
	/* Appended to the commit subject in parentheses ("interrupted by
	 * SIGTERM, 12 targets not reached"); NULL: nothing. */
	const char *subject_note;
	/* Told of progress worth a log line (a rejected push being merged);
	 * may be NULL. */
	void (*note)(void *ctx, const char *msg);
	void *note_ctx;
};

/* How long a rejected push is retried without a deadline: 10 minutes. */
#define PUB_GIT_RETRY_MS (10 * 60 * 1000LL)

/* After the status file at status_path has been written: when it differs
 * from HEAD's copy, commit only that file on the current branch (tree built
 * from HEAD's, index and work tree otherwise untouched). Subject
 * "manifold: N published, N unchanged, N incomplete, N failed"; body lists
 * every target whose state changed, old -> new (prev may be NULL). With
 * push, push the branch; on non-fast-forward fetch, merge the status by
 * target with the remote's (pub_status_merge), rewrite the file, recommit
 * on the remote head and retry (o->retry_ms, o->stopped). Moving the local
 * branch to the remote's head updates only the paths the remote changed
 * that have no local change (index and work tree as the old HEAD's); a
 * path changed on both sides stops the retries with an error naming it,
 * and nothing local is moved. *committed = 1 when a commit was
 * made. Credentials (MANIFOLD_GIT_USERNAME / MANIFOLD_GIT_PASSWORD, ssh
 * agent) never appear in err. */
int pub_git_record(const char *status_path, const struct pub_status *prev,
                   const struct pub_status *cur, const struct pub_git_options *o, int *committed,
                   struct base_error *err);

/* Before a run sends anything: what pub_git_record will need is there — a
 * repository (o->repo_dir, else found from the status file's nearest
 * existing directory) with a work tree holding the file, HEAD naming a
 * branch, an author that resolves, and with o->push the remote. err says
 * which is missing. */
int pub_git_preflight(const char *status_path, const struct pub_git_options *o,
                      struct base_error *err);

/* The status file's copy at git revision rev (libgit2; repository found
 * from the file's path); an empty status when the file is not there. */
int pub_git_status_at(const char *status_path, const char *rev, struct pub_status **out,
                      struct base_error *err);

/* Merge b into a (both sorted): per target the record with the newer
 * `since` wins (ties: a's); targets present in only one side are kept;
 * last_run is the later finished run's; copies as pub_status_copies_merge.
 * Result is sorted. */
int pub_status_merge(struct pub_status *a, const struct pub_status *b, struct base_error *err);
/* How pub_status_load_all picks among several files (`manifold status`). */
struct pub_status_pick {
	/* Told of each file left out and why, of each shard of the latest
	 * sharding no file was given for, and of records left out; may be NULL. */
	void (*note)(void *ctx, const char *msg);
	void *note_ctx;
	/* 1 when shard index of count owns target (farm_shard_has); NULL: a
	 * shard file's every record counts. */
	int (*owns)(const char *target, unsigned index, unsigned count);
	/* -c CONFIG: its every target (sorted) and digest; known NULL: none
	 * given. */
	const char *config_path;
	const char *const *known;
	size_t n_known;
	const char *config_digest;
};
/* The files named (shards of one night) read and merged by target into
 * *cur; with rev (and old non-NULL) their copies at git revision rev merged
 * into *old too. A file that does not exist is an error naming it.
 * With pick and several files: only the files of the latest sharding are
 * merged — the shard count and config digest ("shard") of the file whose
 * run finished last; the others are left out (a note says which, and why),
 * and of a shard file only the records of the targets its shard owns
 * (pick->owns). With pick->known, records of targets not in it are left
 * out. Free both with pub_status_free, also after an error. */
int pub_status_load_all(const char *const *files, size_t n, const char *rev,
                        const struct pub_status_pick *pick, struct pub_status **cur,
                        struct pub_status **old, struct base_error *err);

/* The status file after a run: prev's records for targets that are in
 * `known` (sorted refs of every target the config describes) but not in
 * this run are kept as they were; this run's records replace the others.
 * last_success is last_run's finished when it has no failed target and no
 * target of the result is held, else prev's. A record is left as it was while its state and digest
 * stay the same; published and unchanged count as one state (the tag holds the same list), so an
 * unchanged night keeps "published" and `since` and the file's diff is last_run alone. An
 * incomplete or failed target keeps the last published digest. prev's copies and last_retag are
 * kept as they were. known NULL keeps every old record. Result sorted by target. */
int pub_status_next(const struct pub_status *prev, const struct pub_target_status *run,
                    size_t n_run, const char *const *known, size_t n_known, const char *config,
                    const struct pub_run *last_run, struct pub_status **out,
                    struct base_error *err);

/* ---- the write-ahead journal (journal.c) --------------------------------
 * A run's target outcomes as they happen, beside the status file, so that
 * a run killed before it writes the file (or one whose write fails) loses
 * no record. Each run appends to its own "<status>.journal.XXXXXX",
 * held with an exclusive flock for the run's life (taken before the file
 * gets that name): a journal nobody holds belongs to a run that is
 * gone, and the next command that reads or writes the status file folds
 * it in (pub_status_recover). One JSON object a line:
 *   {"journal": 1, "kind": "outcome"|"intent", "at": "<RFC 3339>",
 *    "record": {<a target record, as in the status file>}}
 * A line counts only when it ends in a newline and parses; a torn last
 * line (a kill in the middle of a write) is ignored. "intent" is written
 * before a list PUT (state published, the list's digest, unconfirmed); a
 * later "outcome" for the same target replaces it. */
enum pub_journal_kind { PUB_JOURNAL_OUTCOME, PUB_JOURNAL_INTENT };
struct pub_journal;
/* Create this run's journal next to status_path (its directory made),
 * flocked, its name synced. */
int pub_journal_open(const char *status_path, struct pub_journal **out, struct base_error *err);
/* Append one record with a single write() and fdatasync it before
 * returning; appends from many threads are serialised (one mutex). On
 * error nothing may be assumed recorded: err names the journal and the
 * cause. kind INTENT records t as published at t->digest, unconfirmed. */
int pub_journal_append(struct pub_journal *jn, enum pub_journal_kind kind,
                       const struct pub_target_status *t, struct base_error *err);
const char *pub_journal_path(const struct pub_journal *jn);
/* Records appended so far, and the bytes they took. */
void pub_journal_counts(const struct pub_journal *jn, size_t *records, long long *bytes);
/* Close; remove 1 unlinks the file (its records are in the status file),
 * 0 leaves it for the next command to fold in. NULL safe. */
void pub_journal_close(struct pub_journal *jn, int remove);

/* One target's last record in a journal. */
struct pub_journal_entry {
	enum pub_journal_kind kind;
	char *at;                     /* RFC 3339 UTC, when it was written */
	struct pub_target_status rec; /* INTENT: published, unconfirmed */
	size_t seq;                   /* order read (ties of `at`) */
};
struct pub_journal_records {
	struct pub_journal_entry *entries; /* the last per target, sorted by target */
	size_t n;
	size_t lines;   /* complete lines read */
	size_t skipped; /* lines that did not parse (a torn last one among them) */
};
/* Parse a journal's bytes (name for errors): a later line for a target
 * replaces an earlier one (the later `at`; the same second: the later
 * line). Only out of memory is an error. */
int pub_journal_parse(const char *name, const char *data, size_t len,
                      struct pub_journal_records *out, struct base_error *err);
void pub_journal_records_free(struct pub_journal_records *r);
/* Fold records into st by the rule of a night's results (pub_status_next:
 * a record keeps state and since while state class and digest stay; an
 * incomplete or failed one keeps the last published digest); since is the
 * record's `at`. last_run is not touched. */
int pub_journal_fold_records(struct pub_status *st, const struct pub_journal_entry *e, size_t n,
                             struct base_error *err);

/* What pub_status_recover folded in. */
struct pub_recovered {
	size_t journals;    /* journals of runs that are gone, folded */
	size_t records;     /* target records taken from them */
	size_t unconfirmed; /* of which written, not confirmed */
	size_t live;        /* journals a live run holds: left alone */
	int written;        /* the status file was rewritten and the journals removed */
	int kept;           /* folded in memory only (read-only use, lock busy or a failed
	                     * write): the journals stay */
	char why[256];      /* with kept after a failed write: its cause */
};
enum pub_recover_mode {
	PUB_RECOVER_READ,  /* fold in memory; write nothing (check, --dry-run) */
	PUB_RECOVER_TRY,   /* rewrite when the status lock is free now, else as READ;
	                    * a failed write leaves the journals (status) */
	PUB_RECOVER_WRITE, /* wait for the lock; a failed write is an error (publish, retag) */
};
/* Load the status file with the journals of runs that are gone folded in;
 * with mode TRY or WRITE and something folded, write it back atomically
 * and remove those journals (under the status lock, taken only when there
 * is a journal). A missing status file with no journal is an empty
 * status, as pub_status_load. info may be NULL. */
int pub_status_recover(const char *path, enum pub_recover_mode mode, struct pub_status **out,
                       struct pub_recovered *info, struct base_error *err);

/* 1 when a journal file lies beside path (any run's). */
int pub_journal_exists(const char *status_path);

/* At the end of a run, under the status lock, before the status file is
 * written: fold into st the journals of runs that are gone and, from own
 * (this run's, may be NULL), the targets whose last record is an intent
 * (a PUT the run did not see confirmed). Those journals stay locked;
 * pub_journal_fold_end removes them (remove 1, after the write) or
 * leaves them. */
struct pub_journal_fold;
int pub_journal_fold_begin(const char *status_path, struct pub_status *st,
                           const struct pub_journal *own, struct pub_journal_fold **out,
                           struct pub_recovered *info, struct base_error *err);
void pub_journal_fold_end(struct pub_journal_fold *f, int remove); /* NULL safe */

/* ---- history of the status file (history.c, history_git.c) ------------- */

/* At most this many versions of the file are read (the newest ones): a
 * year of nights three times over, and a page that stays quick. */
#define PUB_HISTORY_MAX_NIGHTS 1000
/* A night the target was not in the file (beside enum pub_target_state). */
#define PUB_HISTORY_ABSENT 0xff

struct pub_history_night {
	char commit[41]; /* hex id of the commit that recorded it; "" when not from git */
	char *finished;  /* last_run.finished, or NULL */
	int counts[PUB_T__COUNT];
};

/* One platform of a target, as history last saw it. */
struct pub_history_plat {
	char *platform;
	enum pub_platform_state state;
	char *digest;       /* child digest on the last night it was seen, or NULL */
	char *green_digest; /* child digest on the target's last green night, or NULL */
	size_t since_night; /* first night of its current state and digest */
	size_t last_night;  /* last night it was seen */
};

struct pub_history_target {
	char *target;
	unsigned char *states;     /* per night: enum pub_target_state or PUB_HISTORY_ABSENT */
	size_t first_night;        /* first night it was in the file */
	size_t nights_in_state;    /* consecutive nights, up to the last, in its last state
	                            * (published and unchanged count as one); 0 when absent
	                            * on the last night */
	long nights_to_green;      /* nights from first seen to first green (0: green on its
	                            * first night); -1 never green */
	size_t longest_incomplete; /* longest run of consecutive incomplete nights */
	struct pub_history_plat *plats;
	size_t n_plats;
};

struct pub_history_platform {
	char *platform;
	int *lacking; /* per night: targets that asked for it and did not have it ready */
};

/* Nights oldest first, targets sorted by reference, platforms in first-seen
 * order. Free with pub_history_free. */
struct pub_history {
	struct pub_history_night *nights;
	size_t n_nights, cap_nights;
	struct pub_history_target *targets;
	size_t n_targets;
	struct pub_history_platform *platforms;
	size_t n_platforms;
	int truncated; /* more versions than PUB_HISTORY_MAX_NIGHTS: the oldest were left out */
};

/* Building one by hand (tests) or from git (pub_history_read): new, one add
 * per night oldest first (targets sorted by reference), then finish, which
 * fills the per-target figures. */
struct pub_history *pub_history_new(size_t expect_nights);
int pub_history_add(struct pub_history *h, const char *commit, const char *finished,
                    const struct pub_target_status *const *targets, size_t n,
                    struct base_error *err);
int pub_history_add_status(struct pub_history *h, const char *commit, const struct pub_status *st,
                           struct base_error *err);
void pub_history_finish(struct pub_history *h);
void pub_history_free(struct pub_history *h);
const struct pub_history_target *pub_history_find(const struct pub_history *h, const char *target);
const struct pub_history_plat *pub_history_plat(const struct pub_history_target *t,
                                                const char *platform);

struct pub_history_options {
	const char *range; /* "A..B", one revision (its first-parent history), or NULL: HEAD */
	long long days;    /* > 0: only commits made within that many days before now */
	const char *now;   /* RFC 3339; with days */
	int no_cache;      /* 1: neither read nor fill the summary cache (tests) */
};

/* The status file's history from its git repository (libgit2, found from
 * the file's path as git does): the first-parent commits of the range that
 * changed the file, one night per commit, except that consecutive versions
 * with the same last_run.finished are one night (the newer wins). At most
 * PUB_HISTORY_MAX_NIGHTS versions, the newest; h->truncated says when some
 * were left out. Each version is read with pub_status_parse; a record whose
 * bytes are the previous version's is not parsed again. What the history
 * takes from a version is cached by its blob id in the git directory
 * (manifold/history-cache/), else in $XDG_CACHE_HOME/manifold/history-cache/,
 * else nowhere; a bad or missing entry is read from git again and rewritten. */
int pub_history_read(const char *status_path, const struct pub_history_options *o,
                     struct pub_history **out, struct base_error *err);

/* ---- reports (report.c, report_markdown.c, report_html.c) --------------- */

/* What changed between an older status and the current one. Arrays point
 * into `cur` (not owned); free with pub_since_free. */
struct pub_since {
	const char *rev;
	const struct pub_target_status *
	    *published; /* green now; new, was not green, or new digest */
	size_t n_published;
	const struct pub_target_status **broken; /* not green now, green or absent before */
	size_t n_broken;
	const struct pub_target_status **still; /* not green now and before */
	size_t n_still;
};

int pub_since_diff(const struct pub_status *old, const struct pub_status *cur, const char *rev,
                   struct pub_since *out, struct base_error *err);
void pub_since_free(struct pub_since *s);

/* "3d 4h", "5h 12m", "12m": how long from since to now; "" when unknown. */
void pub_age_format(const char *since, const char *now, char *buf, size_t len);
/* Seconds, or -1 when either time does not parse. */
long long pub_age_seconds(const char *since, const char *now);

/* now: RFC 3339 (ages). since may be NULL. color only for the table. */
int pub_report_table(FILE *f, const struct pub_status *st, const struct pub_since *since,
                     const char *now, int color);
int pub_report_markdown(FILE *f, const struct pub_status *st, const struct pub_since *since,
                        const char *now);
int pub_report_json(FILE *f, const struct pub_status *st, const struct pub_since *since,
                    const char *now);
int pub_report_html(FILE *f, const struct pub_status *st, const struct pub_since *since,
                    const char *now);

/* The same reports with a history (NULL: as above). html adds the charts
 * (inline SVG) and ages in nights; markdown a compact history section. */
int pub_report_markdown_history(FILE *f, const struct pub_status *st, const struct pub_since *since,
                                const struct pub_history *h, const char *now);
int pub_report_html_history(FILE *f, const struct pub_status *st, const struct pub_since *since,
                            const struct pub_history *h, const char *now);
/* The series as JSON: {"schema": 1, "truncated": false, "nights": [...],
 * "targets": [...], "platforms": [...]} (docs/status.md). */
int pub_history_report_json(FILE *f, const struct pub_history *h);

/* "incomplete for 9 nights" when h knows the target's current state, else
 * "incomplete for 3d 4h" from its since; h may be NULL. */
void pub_report_age(const struct pub_target_status *t, const struct pub_history *h, const char *now,
                    char *buf, size_t len);
/* What a target's history says beyond its state: "never green" or "green
 * after 2 nights", and "longest incomplete streak 9 nights"; "" when there
 * is nothing to say or ht is NULL. */
void pub_history_summary(const struct pub_history_target *ht, char *buf, size_t len);

/* Lines "FAILED ref: reason" / "INCOMPLETE ref: for 3d 4h (over 48h)" to f;
 * returns the number of such targets. */
int pub_status_check(FILE *f, const struct pub_status *st, long long max_incomplete_age,
                     const char *now);

/* Shared by the renderers: the union of platforms in first-seen order. */
size_t pub_report_platforms(const struct pub_status *st, const char ***out);
/* 1 when every record of platform in st is optional (optional-platforms):
 * the matrix header says "(optional)". */
int pub_report_platform_optional(const struct pub_status *st, const char *platform);
int pub_target_green(const struct pub_target_status *t);
/* One matrix cell: the platform's record (or NULL) and its state word:
 * "published"/"unchanged" when the target is green, else "ready", or the
 * platform's own state ("missing", ...); "absent" when the target lacks it. */
const char *pub_cell_state(const struct pub_target_status *t, const char *platform,
                           const struct pub_platform_status **p);
/* Counts by target state. */
void pub_report_counts(const struct pub_status *st, int counts[PUB_T__COUNT]);

#endif
