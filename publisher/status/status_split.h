/* status_split.h — the status file on disk, in one file or split
 * (status_split.c): a big status keeps its header (schema, config, shard,
 * last_run, copies) in the file the user names and its targets in part
 * files in a directory beside it, one per image, so that git stores and
 * diffs only what changed. Reading merges the parts; writing decides the
 * layout, writes the parts that changed, then the header.
 *
 * Functions return 0 or negative and fill a caller-owned struct
 * base_error; every returned pointer is the caller's to free. */
#ifndef MANIFOLD_STATUS_SPLIT_H
#define MANIFOLD_STATUS_SPLIT_H

#include "status_file.h"

/* Which layout a write uses. KEEP: the one the file has now (a new file:
 * one file). AUTO: split above STATUS_SPLIT_ABOVE targets, one file at or
 * below STATUS_JOIN_AT, else the one the file has now (so a count near the
 * bound does not move every record back and forth). */
enum status_layout {
	STATUS_LAYOUT_KEEP,
	STATUS_LAYOUT_AUTO,
	STATUS_LAYOUT_ONE_FILE,
	STATUS_LAYOUT_SPLIT,
};
#define STATUS_SPLIT_ABOVE 2000
#define STATUS_JOIN_AT     1000
/* An image with more targets than this is spread over buckets of its
 * tags (a power of two of them, at most ~STATUS_PART_MAX / 2 each). */
#define STATUS_PART_MAX 1000

/* "auto", "one-file", "split"; 0 or -1. */
int status_layout_parse(const char *s, enum status_layout *out);
const char *status_layout_str(enum status_layout l);

/* Load a status file in either layout (a split one: header and every part
 * merged; a target in two parts, left by a write that was cut short, is
 * the record with the newer since). A missing file gives an empty status,
 * as status_load. */
int status_store_load(const char *path, struct status_status **out, struct base_error *err);
/* The same, sharing with `share` (status_load_sharing; may be NULL). */
int status_store_load_sharing(const char *path, const struct status_share *share,
                              struct status_status **out, struct base_error *err);
/* Write st in the layout `layout` decides: one file (status_write; the
 * parts of an earlier split removed after it) or split (the parts whose
 * bytes changed written atomically, the parts no target uses removed,
 * then the header). *split_out (may be NULL): 1 when written split. */
int status_store_write(const char *path, const struct status_status *st, enum status_layout layout,
                       int *split_out, struct base_error *err);
/* 1 when the file at path is a split header, 0 when not (or missing). */
int status_store_is_split(const char *path);

#endif
