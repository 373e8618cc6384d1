/* split_internal.h — status/-private: a status rendered as the files it is
 * written as (status_split.c), for the disk (status_store_write), the git
 * record (git_commit.c) and the history (history_git.c). Not copied to
 * build/include. */
#ifndef MANIFOLD_SPLIT_INTERNAL_H
#define MANIFOLD_SPLIT_INTERNAL_H

#include <stddef.h>

#include "status_split.h"

/* A parts directory's name as a header may give it: one path component,
 * not "." or "..", no control character. */
int status_split_dir_name_ok(const char *s, size_t n);

struct status_part {
	char *rel;  /* inside the parts directory: "registry.example.com/kube-proxy.json" */
	char *text; /* status_render_plan: NULL until status_render_part */
	size_t len;
	size_t first, count; /* its targets: the render's slots[first .. first + count) */
};
struct status_render_slot;

/* The bytes of a status in one layout. One file: header is the whole
 * document and there are no parts. Split: header has "parts": DIR in
 * place of "targets", and the parts (sorted by rel) are documents of
 * {"schema": 1, "targets": [...]} in the status file's layout. */
struct status_render {
	int split;
	char *header;
	size_t header_len;
	char *dir; /* the parts directory, beside the header: "release.d" */
	struct status_part *parts;
	size_t n_parts;
	/* what a part's text is made of: the targets, sorted (a copy only
	 * when st's were not), and which of them each part has */
	const struct status_target_status *targets;
	struct status_target_status *sorted;
	struct status_render_slot *slots;
};

/* header_base: the status file's base name ("release.json"). */
int status_render_make(const struct status_status *st, const char *header_base, int split,
                       struct status_render *out, struct base_error *err);
/* The same, but no part's text is made yet: a write makes, writes and
 * drops one part at a time (status_render_part, status_render_part_drop),
 * so a big status is never whole in memory as text. st must outlive r. */
int status_render_plan(const struct status_status *st, const char *header_base,
                       struct status_render *out, struct base_error *err);
/* Part i's text (r->parts[i].text), made when it is not there; 0 or -1
 * out of memory. */
int status_render_part(struct status_render *r, size_t i, struct base_error *err);
/* Part i's text freed (made again by status_render_part when asked). */
void status_render_part_drop(struct status_render *r, size_t i);
void status_render_free(struct status_render *r);
/* The parts directory's name for the status file's base name:
 * "release.json" -> "release.d", "status" -> "status.d" (caller frees). */
char *status_split_dir_name(const char *base);
/* The layout a write with `layout` gives n targets when the file is split
 * now (cur_split); 1 split, 0 one file. */
int status_layout_decide(enum status_layout layout, size_t n, int cur_split);
/* The parts directory a header's bytes name: 1 and *dir (caller frees),
 * 0 when the bytes are a one-file status, -1 when "parts" is not a plain
 * directory name beside the header (err names the file). */
int status_split_dir_of(const char *name, const char *data, size_t len, char **dir,
                        struct base_error *err);
/* Move part's targets into head (part is left empty); call
 * status_split_finish once every part is in. */
int status_split_add(struct status_status *head, struct status_status *part,
                     struct base_error *err);
/* Sort head's targets; of a target in two parts keep the newer since. */
void status_split_finish(struct status_status *head);

#endif
