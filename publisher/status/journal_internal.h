/* journal_internal.h — status/-private: what the journal's files share
 * (journal_write.c, journal_read.c, journal_fold.c): the journal's names,
 * the open journal, and the record list's helpers. Not copied to
 * build/include. */
#ifndef MANIFOLD_JOURNAL_INTERNAL_H
#define MANIFOLD_JOURNAL_INTERNAL_H

#include <pthread.h>

#include "status_internal.h"
#include "status_journal.h"

#define JOURNAL_INFIX   ".journal."
#define JOURNAL_SUFFIX  6 /* mkstemp's XXXXXX */
#define JOURNAL_MAX     (256u * 1024 * 1024)
#define JOURNAL_VERSION 1

struct status_journal {
	/* lock guards fd's appends (one whole line at a time, so records
	 * never interleave; a failed one cut off), records, bytes; the
	 * fdatasync after an append runs outside it */
	pthread_mutex_t lock;
	int fd; /* flock LOCK_EX held while open: the run is alive */
	char *path;
	size_t records;
	long long bytes;
};

/* The directory of status_path ("." when none) and its base name. */
int status_journal_split_path(const char *status_path, char **dir, const char **base);
/* 1 when name is "<base>.journal.XXXXXX". */
int status_journal_is_name(const char *name, const char *base);

/* Frees one entry's fields. */
void status_journal_entry_free(struct status_journal_entry *e);
/* Sort by target, then by when written (at, then seq), and keep the last
 * entry of each target. */
void status_journal_keep_last(struct status_journal_records *r);

#endif
