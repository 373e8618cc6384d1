/* status_internal.h — what the status file's writer and reader share with
 * the copy records (status_file.c, status_parse.c, status_copies.c): the
 * deterministic JSON writer and the typed member readers (status_json.c).
 * Not copied to build/include. */
#ifndef MANIFOLD_STATUS_INTERNAL_H
#define MANIFOLD_STATUS_INTERNAL_H

#include <cjson/cJSON.h>
#include <sys/types.h>

#include "status_file.h"

/* Members of one object: `first` tracks the comma. */
struct status_obj {
	struct base_buf *b;
	int level;
	int first;
};

void status_sb_indent(struct base_buf *b, int level);
void status_obj_key(struct status_obj *o, const char *key);
/* val NULL: the member is left out. */
void status_obj_str(struct status_obj *o, const char *key, const char *val);
void status_obj_int(struct status_obj *o, const char *key, long long val);
void status_obj_close(struct status_obj *o);

/* Optional members; errors name the file and the JSON path. */
int status_get_str(const cJSON *obj, const char *key, char **out, const char *name,
                   const char *path, struct base_error *err);
int status_get_int(const cJSON *obj, const char *key, long long *out, long long dflt,
                   const char *name, const char *path, struct base_error *err);
int status_get_int32(const cJSON *obj, const char *key, int *out, const char *name,
                     const char *path, struct base_error *err);

/* One target record as the status file writes it (at indent level) and
 * reads it (path names it in errors): what the journal (journal.c) writes
 * and reads too, so a journalled record is a status file record. */
void status_target_serialize(struct base_buf *b, const struct status_target_status *t, int level);
int status_target_parse(const cJSON *j, struct status_target_status *t, const char *name,
                        const char *path, struct base_error *err);
/* The record after a run from this run's record and the previous one (NULL
 * when new), since = now when it changes (status_next's rule). out is
 * overwritten; 0 or -1 out of memory. */
int status_target_next(const struct status_target_status *prev,
                       const struct status_target_status *run, const char *now,
                       struct status_target_status *out);

/* The copies section after "targets" (nothing when the file has none) and
 * its reader (root's "last_retag" and "copies"; absent is empty). */
void status_copies_serialize(struct base_buf *b, const struct status_status *st);
int status_copies_parse(const cJSON *root, struct status_status *st, const char *name,
                        struct base_error *err);
/* Frees st's copy records and last_retag. */
void status_copies_free(struct status_status *st);

/* RFC 3339 UTC strings of one shape compare as text; a missing one is
 * oldest. 1 when a is later than b. */
int status_since_newer(const char *a, const char *b);

/* Read a status as status_parse does, but hand each target's text (one
 * JSON value, its brackets matched, not parsed) to each (path
 * "targets[i]" for its errors) and keep none: *out is the document
 * without its targets. The text is data[0..len), or with src what src
 * gives (bytes read, 0 at the end, -1 and errno on an error), read a
 * window at a time as status_load reads a file; never whole. each returns
 * 0, or -1 with err filled, which stops the reading. */
typedef int (*status_each_fn)(void *ctx, const char *text, size_t len, const char *name,
                              const char *path, struct base_error *err);
/* The end of the JSON value at d[i] in d[0..len) (a string, an object or
 * an array with its brackets matched, or a scalar up to a delimiter), or 0
 * when it does not end there. Only brackets are checked. */
size_t status_json_value_end(const char *d, size_t len, size_t i);
int status_parse_each(const char *name, const char *data, size_t len,
                      ssize_t (*src)(void *ctx, char *buf, size_t n), void *src_ctx,
                      status_each_fn each, void *each_ctx, struct status_status **out,
                      struct base_error *err);

#endif
