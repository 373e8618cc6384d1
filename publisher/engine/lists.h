/* lists.h — the single-list jobs (job_lists.c): push one list from a
 * manifest-tool spec or from arguments, append or replace one entry of an
 * existing list, annotate one entry, delete a list. */
#ifndef MANIFOLD_LISTS_H
#define MANIFOLD_LISTS_H

#include <stdint.h>

#include "job.h"

struct reg_ref;

/* Why a tag a single-list command would write blocks the write
 * (docs/guarantees.md): G1, its list would lose a platform; G3, it holds
 * an image, which these commands never write, so someone else's. */
enum pub_held_why { PUB_HELD_SHRINK, PUB_HELD_NOT_MANIFOLDS };

/* One tag that blocks the write. */
struct pub_list_held {
	char *tag; /* "registry/repository:tag" */
	enum pub_held_why why;
	char **drops; /* SHRINK: the platforms its list serves that the new one does not */
	size_t n_drops;
	char digest[PUB_DIGEST_MAX]; /* NOT_MANIFOLDS: what it holds */
	char media_type[128];
	char *reason; /* "REF: would drop linux/s390x, which the tag's current list has (...)" */
};

/* What one list write did (pub_list_publish, pub_list_update). */
struct pub_list_result {
	char digest[PUB_DIGEST_MAX];
	const char *media_type;
	size_t size;
	int changed;
	/* Also filled on failure: the target's tag holds the list (it did, or
	 * its PUT went through), and the extra tag whose write failed, or NULL. */
	int tag_holds;
	const struct reg_ref *failed_extra;
	/* The tags this call wrote (or with dry_run would write): the target's
	 * tag, and how many extra tags (which: pub_list_io.extra_written). */
	int tag_written;
	size_t n_extra_written;
	/* Held: the tags that block the write, in the order they would be
	 * written (the target's first). With any, nothing was written (nor
	 * would be, with --dry-run): changed is 0, digest is the list that
	 * would have been written. */
	struct pub_list_held *held;
	size_t n_held;
};
/* Frees held; NULL safe. */
void pub_list_result_free(struct pub_list_result *r);

struct pub_delete_result {
	char digest[PUB_DIGEST_MAX];
	char media_type[128];
	char **other_tags; /* tags of the repository holding the same digest */
	size_t n_other_tags;
	int deleted;
};
void pub_delete_result_free(struct pub_delete_result *r);

/* "KEY=VALUE" is an annotation (a key, an '='); else err names the text. */
int pub_annotation_check(const char *kv, struct base_error *err);

/* Each job: BASE_EINPUT when the input is wrong and nothing was sent (a
 * reference, --platform, a spec, an annotation); -1 when the registry
 * failed or refused; 0 with *out saying what was (or, with --dry-run,
 * would be) written, or with out->held the tags that kept it from being
 * written (then nothing was). Every tag a job writes is read first and
 * checked for G1 and G3 (docs/guarantees.md) before the first write. */

/* push from-spec FILE (spec_file) or from-args (platforms, template_ref,
 * target, tags): resolve every child, then write the list to the target
 * and its extra tags. --annotation values override the spec's. */
struct pub_push_options {
	struct pub_global g;
	const char *spec_file;
	const char *platforms, *template_ref, *target, *tags;
	const char *const *annotations; /* "KEY=VALUE", index level */
	size_t n_annotations;
	int verify;         /* check each child's config (--no-verify: 0) */
	int ignore_missing; /* leave out (and log) a child that does not exist */
	int allow_shrink;   /* --allow-shrink: a tag's list may lose platforms */
	int overwrite;      /* --overwrite: a tag holding an image may be replaced */
};
int pub_push_run(const struct pub_push_options *o, struct pub_list_result *out,
                 struct base_error *err);

/* append TARGET SOURCE [--platform P]: add SOURCE to the list TARGET, or
 * replace its entry for the same platform (logged). */
struct pub_append_options {
	struct pub_global g;
	const char *target, *source;
	const char *platform; /* NULL: SOURCE's image config names it */
	int verify;
	const char *const *annotations; /* "KEY=VALUE" of the entry */
	size_t n_annotations;
	const char *const *index_annotations; /* "KEY=VALUE" of the list */
	size_t n_index_annotations;
	int allow_shrink; /* --allow-shrink (an append never drops a platform) */
};
int pub_append_run(const struct pub_append_options *o, struct pub_list_result *out,
                   struct base_error *err);

/* annotate TARGET --platform P: change that entry's platform fields and
 * annotations. NULL keeps a field, "" removes it. */
struct pub_annotate_options {
	struct pub_global g;
	const char *target, *platform;
	const char *variant, *os_version;
	int set_os_features; /* replace os.features with these */
	char **os_features;
	size_t n_os_features;
	int set_features; /* replace features with these */
	char **features;
	size_t n_features;
	int verify; /* a changed platform must be the child's config's */
	const char *const *annotations;
	size_t n_annotations;
	const char *const *index_annotations;
	size_t n_index_annotations;
	int allow_shrink; /* --allow-shrink: a changed platform may drop the old one */
};
int pub_annotate_run(const struct pub_annotate_options *o, struct pub_list_result *out,
                     struct base_error *err);

/* delete TARGET: the list (by digest; its children stay). Unless force it
 * is refused when TARGET holds an image or another tag holds the digest;
 * with force those tags are logged. */
struct pub_delete_options {
	struct pub_global g;
	const char *target;
	int force;
};
int pub_delete_run(const struct pub_delete_options *o, struct pub_delete_result *out,
                   struct base_error *err);

#endif
