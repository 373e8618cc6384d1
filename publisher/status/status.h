/* status.h — the publisher's record, all of it: the status file (read,
 * next, merge, atomic write), the one-writer lock, the write-ahead journal,
 * its git record (libgit2), its history, and the reports made from it.
 * Each job has its own header; include the one you need:
 *
 *   status_util.h     helpers every publisher wing shares, and ages
 *   status_file.h     the document: records, read, write, next, merge
 *   status_split.h    the file on disk, in one file or split into parts
 *   status_lock.h     one writer at a time
 *   status_journal.h  the write-ahead journal and the loader that folds it in
 *   status_git.h      the git record, its preflight, the file at a revision
 *   status_history.h  the file's history from git, as series
 *   status_report.h   table, JSON, Markdown, HTML, --since, --check, and
 *                     several shard files read as one
 *
 * Built on base/ (the error type, buffers, JSON strings, times, atomic
 * writes) and knows nothing of registries, configs, jobs or the command
 * line: engine/ and cli/ include these headers, never the other way. */
#ifndef MANIFOLD_STATUS_H
#define MANIFOLD_STATUS_H

#include "status_util.h"
#include "status_file.h"
#include "status_split.h"
#include "status_lock.h"
#include "status_journal.h"
#include "status_git.h"
#include "status_history.h"
#include "status_report.h"

#endif
