/* status_journal.h — the write-ahead journal beside the status file
 * (journal_write.c, journal_read.c, journal_fold.c) and the loader every
 * command uses, which folds in the journals of runs that are gone.
 * Functions return 0 or negative and fill a caller-owned struct
 * base_error; every returned pointer is the caller's to free. */
#ifndef MANIFOLD_STATUS_JOURNAL_H
#define MANIFOLD_STATUS_JOURNAL_H

#include "status_file.h"

/* ---- the write-ahead journal (journal.c) --------------------------------
 * A run's target outcomes as they happen, beside the status file, so that
 * a run killed before it writes the file (or one whose write fails) loses
 * no record. Each run appends to its own "<status>.journal.XXXXXX",
 * held with an exclusive flock for the run's life (taken before the file
 * gets that name): a journal nobody holds belongs to a run that is
 * gone, and the next command that reads or writes the status file folds
 * it in (status_recover). One JSON object a line:
 *   {"journal": 1, "kind": "outcome"|"intent", "at": "<RFC 3339>",
 *    "record": {<a target record, as in the status file>}}
 * A line counts only when it ends in a newline and parses; a torn last
 * line (a kill in the middle of a write) is ignored. "intent" is written
 * before a list PUT (state published, the list's digest, unconfirmed); a
 * later "outcome" for the same target replaces it. */
enum status_journal_kind { STATUS_JOURNAL_OUTCOME, STATUS_JOURNAL_INTENT };
struct status_journal;
/* Create this run's journal next to status_path (its directory made),
 * flocked, its name synced. */
int status_journal_open(const char *status_path, struct status_journal **out,
                        struct base_error *err);
/* Append one record with a single write() and fdatasync it before
 * returning; appends from many threads are serialised (one mutex). On
 * error nothing may be assumed recorded: err names the journal and the
 * cause. kind INTENT records t as published at t->digest, unconfirmed. */
int status_journal_append(struct status_journal *jn, enum status_journal_kind kind,
                          const struct status_target_status *t, struct base_error *err);
const char *status_journal_path(const struct status_journal *jn);
/* Records appended so far, and the bytes they took. */
void status_journal_counts(const struct status_journal *jn, size_t *records, long long *bytes);
/* Close; remove 1 unlinks the file (its records are in the status file),
 * 0 leaves it for the next command to fold in. NULL safe. */
void status_journal_close(struct status_journal *jn, int remove);

/* One target's last record in a journal. */
struct status_journal_entry {
	enum status_journal_kind kind;
	char *at;                        /* RFC 3339 UTC, when it was written */
	struct status_target_status rec; /* INTENT: published, unconfirmed */
	size_t seq;                      /* order read (ties of `at`) */
};
struct status_journal_records {
	struct status_journal_entry *entries; /* the last per target, sorted by target */
	size_t n;
	size_t lines;   /* complete lines read */
	size_t skipped; /* lines that did not parse (a torn last one among them) */
};
/* Parse a journal's bytes (name for errors): a later line for a target
 * replaces an earlier one (the later `at`; the same second: the later
 * line). Only out of memory is an error. */
int status_journal_parse(const char *name, const char *data, size_t len,
                         struct status_journal_records *out, struct base_error *err);
void status_journal_records_free(struct status_journal_records *r);
/* Fold records into st by the rule of a night's results (status_next:
 * a record keeps state and since while state class and digest stay; an
 * incomplete or failed one keeps the last published digest); since is the
 * record's `at`. last_run is not touched. */
int status_journal_fold_records(struct status_status *st, const struct status_journal_entry *e,
                                size_t n, struct base_error *err);

/* What status_recover folded in. */
struct status_recovered {
	size_t journals;    /* journals of runs that are gone, folded */
	size_t records;     /* target records taken from them */
	size_t unconfirmed; /* of which written, not confirmed */
	size_t live;        /* journals a live run holds: left alone */
	int written;        /* the status file was rewritten and the journals removed */
	int kept;           /* folded in memory only (read-only use, lock busy or a failed
	                     * write): the journals stay */
	char why[256];      /* with kept after a failed write: its cause */
};
enum status_recover_mode {
	STATUS_RECOVER_READ,  /* fold in memory; write nothing (check, --dry-run) */
	STATUS_RECOVER_TRY,   /* rewrite when the status lock is free now, else as READ;
	                       * a failed write leaves the journals (status) */
	STATUS_RECOVER_WRITE, /* wait for the lock; a failed write is an error (publish, retag) */
};
/* Load the status file with the journals of runs that are gone folded in;
 * with mode TRY or WRITE and something folded, write it back atomically
 * and remove those journals (under the status lock, taken only when there
 * is a journal). A missing status file with no journal is an empty
 * status, as status_load. info may be NULL. */
int status_recover(const char *path, enum status_recover_mode mode, struct status_status **out,
                   struct status_recovered *info, struct base_error *err);

/* 1 when a journal file lies beside path (any run's). */
int status_journal_exists(const char *status_path);

/* At the end of a run, under the status lock, before the status file is
 * written: fold into st the journals of runs that are gone and, from own
 * (this run's, may be NULL), the targets whose last record is an intent
 * (a PUT the run did not see confirmed). Those journals stay locked;
 * status_journal_fold_end removes them (remove 1, after the write) or
 * leaves them. */
struct status_journal_fold;
int status_journal_fold_begin(const char *status_path, struct status_status *st,
                              const struct status_journal *own, struct status_journal_fold **out,
                              struct status_recovered *info, struct base_error *err);
void status_journal_fold_end(struct status_journal_fold *f, int remove); /* NULL safe */

#endif
