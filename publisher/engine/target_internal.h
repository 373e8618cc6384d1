/* target_internal.h — engine-private: what the files of one target's
 * work share (target.c: the publish run of one target; target_decide.c: its
 * decision's input and record; target_list.c: the unchanged night and the
 * list write; target_children.c: the children; target_check.c: check). */
#ifndef MANIFOLD_TARGET_INTERNAL_H
#define MANIFOLD_TARGET_INTERNAL_H

#include "job_internal.h"

/* The platforms of a list a tag holds, as the decision reads them. */
struct list_names {
	const char **names;
	char **owned; /* names no config platform matched, formatted */
	size_t n, n_owned;
};

/* One target's decision: its input (views of the tjob) and the answer. */
struct tdecide {
	struct pub_decide_source *src;
	struct pub_decide_head target;
	struct pub_decide_extra *ext; /* n_extra */
	struct list_names cur;        /* the target tag's list, once read */
	struct list_names *ext_cur;   /* each extra tag's, once read */
	struct pub_decide_input in;
	struct pub_decision d;
};

/* What one crew thread needs to resolve child k of a target. */
struct resolve_run {
	const struct tjob *j;
	struct tdecide *td;
	const struct reg_platform *plats;
	struct pub_child *kids;
	struct base_error *errs;
	int check; /* check --verify: a child verified at its digest is not read */
};

/* The list the HEAD answers describe, built as pub_list_publish would. */
struct heads_list {
	char digest[REG_DIGEST_MAX];
	const char *media_type;
	long long size;
};

void pub_target_progress_tick(struct job_ctx *x);

/* A HEAD of phase 1 was cancelled or never sent. */
int pub_target_heads_cut(const struct tjob *j);

void pub_target_list_names_free(struct list_names *l);

void pub_target_head_view(const struct head_slot *h, struct pub_decide_head *out);

int pub_target_decide_init(const struct job_ctx *x, const struct tjob *j, struct tdecide *td);

void pub_target_decide_free(struct tdecide *td);

int pub_target_redecide(struct tdecide *td);

void pub_target_set_str(char **dst, const char *s);

void pub_target_target_fail(struct tjob *j, const char *reason);

/* The decision's platforms and verdict into the record; `publish` is the
 * state a PUBLISH verdict is recorded as for now. */
void pub_target_record_decision(struct tjob *j, const struct pub_decision *d,
                                enum status_target_state publish);

/* Every extra tag's HEAD, all at once, into the decision's input. */
int pub_target_extras_head(struct pub_crew *crew, struct tjob *j, struct tdecide *td);

/* Ask what the decision needs to tell an unchanged night from one to
 * publish: the list from the HEADs (platforms + 1 HEADs so far), then the
 * extra tags, one HEAD each, only when the tag matched. */
int pub_target_settle_unchanged(struct pub_crew *crew, struct tjob *j, struct tdecide *td,
                                const struct reg_platform *plats, struct heads_list *list);

void pub_target_resolve_one(struct reg_session *s, size_t k, void *ctx);

/* GET every child (verifying platforms not already verified at their
 * digest), all at once, and decide again from what they are. */
int pub_target_resolve_children(struct pub_crew *crew, struct tjob *j, struct tdecide *td,
                                const struct reg_platform *plats, struct pub_child *kids,
                                struct base_error *errs);

/* Copy the children into the target repository and PUT the list to the
 * tag and every extra tag that does not hold it. What the tag held is
 * known from the first HEAD; other targets of the run may be writing into
 * the same repository (flights). */
void pub_target_list_write(struct pub_crew *crew, struct job_ctx *x, struct tjob *j,
                           const struct pub_decision *d, struct pub_child *kids, size_t n);

/* Move the children that go in the list to the front, in order (the
 * others keep their place for pub_child_free); how many there are. */
size_t pub_target_included_first(struct pub_child *kids, const struct pub_decision *d);

/* An optional platform left out of tonight's list: a warning, not a
 * failure (docs/publish.md, "Optional platforms"). */
void pub_target_optional_warn(const struct tjob *j);

/* The list the children make (no request): a tag that holds it already
 * loses nothing, so the no-shrink check needs no GET of it. */
int pub_target_built_list(const struct tjob *j, struct tdecide *td,
                          const struct reg_platform *plats, struct heads_list *built);

/* The platforms of the list the tag holds: asked only when the list is
 * about to change and the record cannot tell. On error td->d.reason says
 * why; -1. */
int pub_target_current_list(struct reg_session *s, struct tjob *j, struct tdecide *td,
                            const struct reg_platform *plats);

/* The platforms of the lists extra tags hold that the decision could not
 * tell (PUB_EXTRA_UNKNOWN): one GET each. On error td->d.reason says why. */
int pub_target_extra_lists(struct reg_session *s, struct tjob *j, struct tdecide *td,
                           const struct reg_platform *plats);

struct reg_platform *pub_target_platforms_new(const struct tjob *j, struct base_error *err);

int pub_target_children_hole(struct pub_crew *crew, struct tjob *j, const struct tdecide *td);

#endif
