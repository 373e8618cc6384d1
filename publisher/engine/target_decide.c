/* target_decide.c — one target's decision around decide.c: the HEADs of
 * its tags (pub_job_head, the head slots), the decision's input made from
 * them, deciding again as answers arrive, and the decision's record in the
 * target's status. */

#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "target_internal.h"

void pub_target_progress_tick(struct job_ctx *x)
{
	size_t done = atomic_fetch_add(&x->done, 1) + 1;
	if (x->o->progress)
		x->o->progress(x->o->progress_ctx, x->phase, done, x->total);
}

/* The media types a HEAD usually answers, kept as static names. */
static const char *const known_mt[] = {REG_MT_DOCKER_MANIFEST, REG_MT_DOCKER_LIST,
                                       REG_MT_OCI_MANIFEST, REG_MT_OCI_INDEX};

void pub_head_slot_free(struct head_slot *slot)
{
	if (!slot)
		return;
	free(slot->mt_owned);
	free(slot->err);
	if (slot->got)
		reg_manifest_free(slot->got);
	free(slot->got);
	memset(slot, 0, sizeof(*slot));
	slot->size = -1;
}

/* The GET that stands for a HEAD: what a HEAD says, from the manifest. */
static int head_by_get(struct reg_session *s, const struct reg_ref *ref, struct head_slot *slot,
                       struct reg_head *h, struct base_error *err)
{
	int r;

	if (!(slot->got = calloc(1, sizeof(*slot->got)))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if ((r = reg_manifest_get(s, ref, slot->got, err)) != BASE_OK) {
		free(slot->got);
		slot->got = NULL;
		return r;
	}
	h->size = (int64_t)slot->got->raw.len;
	snprintf(h->digest, sizeof(h->digest), "%s", slot->got->digest);
	snprintf(h->media_type, sizeof(h->media_type), "%s",
	         slot->got->media_type ? slot->got->media_type : "");
	return BASE_OK;
}

void pub_head_slot_fill(struct reg_session *s, const struct reg_ref *ref, int get,
                        struct head_slot *slot)
{
	struct base_error err;
	struct reg_head h;

	pub_head_slot_free(slot);
	base_error_clear(&err);
	memset(&h, 0, sizeof(h));
	slot->rc = get ? head_by_get(s, ref, slot, &h, &err) : reg_manifest_head(s, ref, &h, &err);
	if (slot->rc != BASE_OK) {
		/* NULL when out of memory: the decision then says "error" without why */
		if (slot->rc != BASE_ENOTFOUND && (slot->err = malloc(sizeof(*slot->err))))
			*slot->err = err;
		return;
	}
	slot->size = h.size;
	snprintf(slot->digest, sizeof(slot->digest), "%s", h.digest);
	for (size_t k = 0; k < sizeof(known_mt) / sizeof(known_mt[0]) && h.media_type[0]; k++)
		if (strcmp(h.media_type, known_mt[k]) == 0)
			slot->media_type = known_mt[k];
	if (!slot->media_type && h.media_type[0])
		slot->media_type = slot->mt_owned = strdup(h.media_type);
}

void pub_job_head(struct reg_session *s, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	struct tjob *j = &x->jobs[x->head_target[i]];
	size_t k = x->head_slot[i];
	const struct reg_ref *ref = k < j->t->n_sources ? &j->t->sources[k].ref : &j->t->ref;

	if (pub_stop_now(x)) {
		pub_head_slot_free(&j->heads[k]);
		j->heads[k].rc = BASE_ECANCELED; /* not started: its target is not reached */
	} else {
		pub_head_slot_fill(s, ref, 0, &j->heads[k]);
	}
	pub_target_progress_tick(x);
}

/* A HEAD of phase 1 was cancelled or never sent. */
int pub_target_heads_cut(const struct tjob *j)
{
	for (size_t k = 0; k < j->t->n_sources + (size_t)j->with_target; k++)
		if (j->heads[k].rc == BASE_ECANCELED)
			return 1;
	return 0;
}

void pub_target_list_names_free(struct list_names *l)
{
	for (size_t k = 0; k < l->n_owned; k++)
		free(l->owned[k]);
	free(l->owned);
	free(l->names);
	memset(l, 0, sizeof(*l));
}

void pub_target_head_view(const struct head_slot *h, struct pub_decide_head *out)
{
	out->rc = h->rc;
	out->digest = h->digest;
	out->media_type = h->media_type;
	out->size = h->size;
	out->error = h->err ? h->err->msg : "";
}

int pub_target_decide_init(const struct job_ctx *x, const struct tjob *j, struct tdecide *td)
{
	size_t n = j->t->n_sources;

	size_t ne = j->t->n_extra;

	memset(td, 0, sizeof(*td));
	if (!(td->src = calloc(n ? n : 1, sizeof(*td->src))) ||
	    !(td->ext = calloc(ne ? ne : 1, sizeof(*td->ext))) ||
	    !(td->ext_cur = calloc(ne ? ne : 1, sizeof(*td->ext_cur))))
		return -1;
	for (size_t e = 0; e < ne; e++)
		td->ext[e].ref = j->t->farm->extra_refs[e];
	for (size_t k = 0; k < n; k++) {
		td->src[k].platform = j->t->sources[k].farm->platform->name;
		td->src[k].optional = j->t->sources[k].farm->optional;
		pub_target_head_view(&j->heads[k], &td->src[k].head);
	}
	td->in.sources = td->src;
	td->in.n_sources = n;
	if (j->with_target) {
		pub_target_head_view(&j->heads[n], &td->target);
		td->in.target = &td->target;
	}
	td->in.prev = j->prev;
	td->in.verify = j->verify;
	td->in.n_extra = ne;
	td->in.extras = td->ext;
	td->in.allow_shrink = j->allow_shrink;
	td->in.overwrite = j->overwrite;
	td->in.written = x->written;
	td->in.n_written = x->n_written;
	td->in.written_complete = x->written_complete;
	return 0;
}

void pub_target_decide_free(struct tdecide *td)
{
	pub_decision_free(&td->d);
	pub_target_list_names_free(&td->cur);
	for (size_t e = 0; td->ext_cur && e < td->in.n_extra; e++)
		pub_target_list_names_free(&td->ext_cur[e]);
	free(td->ext_cur);
	free(td->ext);
	free(td->src);
}

int pub_target_redecide(struct tdecide *td)
{
	pub_decision_free(&td->d);
	return pub_decide(&td->in, &td->d);
}

void pub_target_set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

void pub_target_target_fail(struct tjob *j, const char *reason)
{
	j->out->state = STATUS_T_FAILED;
	pub_target_set_str(&j->out->reason, reason);
}

/* The decision's platforms and verdict into the record; `publish` is the
 * state a PUBLISH verdict is recorded as for now. */
void pub_target_record_decision(struct tjob *j, const struct pub_decision *d,
                                enum status_target_state publish)
{
	for (size_t k = 0; k < d->n_platforms; k++) {
		const struct pub_decide_platform *dp = &d->platforms[k];
		struct status_platform_status *p = &j->out->platforms[k];
		p->state = dp->state;
		pub_target_set_str(&p->digest, dp->digest);
		pub_target_set_str(&p->media_type, dp->media_type);
		p->size = dp->size;
		p->verified = dp->verified;
		pub_target_set_str(&p->reason, dp->reason);
	}
	switch (d->verdict) {
	case PUB_VERDICT_UNCHANGED:
		j->out->state = STATUS_T_UNCHANGED;
		break;
	case PUB_VERDICT_PUBLISH:
		j->out->state = publish;
		break;
	case PUB_VERDICT_INCOMPLETE:
		j->out->state = STATUS_T_INCOMPLETE;
		break;
	case PUB_VERDICT_HELD:
		j->out->state = STATUS_T_HELD;
		break;
	default:
		j->out->state = STATUS_T_FAILED;
	}
	pub_target_set_str(&j->out->reason, d->reason);
}

/* An optional platform left out of tonight's list: a warning, not a
 * failure (docs/publish.md, "Optional platforms"). */
void pub_target_optional_warn(const struct tjob *j)
{
	for (size_t k = 0; k < j->out->n_platforms; k++) {
		const struct status_platform_status *p = &j->out->platforms[k];
		if (!p->optional || p->state == STATUS_P_READY || j->out->state == STATUS_T_FAILED)
			continue;
		pub_log(PUB_LOG_WARN, "%s: optional %s left out (%s)%s%s", j->out->target,
		        p->platform, status_platform_state_str(p->state), p->reason ? ": " : "",
		        p->reason ? p->reason : "");
	}
}

struct reg_platform *pub_target_platforms_new(const struct tjob *j, struct base_error *err)
{
	size_t n = j->t->n_sources;
	struct reg_platform *plats = calloc(n ? n : 1, sizeof(*plats));

	if (!plats) {
		base_error_set(err, "out of memory");
		return NULL;
	}
	for (size_t k = 0; k < n; k++) {
		if (pub_platform_from_farm(j->t->sources[k].farm->platform, &plats[k], err) < 0) {
			for (size_t i = 0; i <= k; i++)
				reg_platform_free(&plats[i]);
			free(plats);
			return NULL;
		}
	}
	return plats;
}
