/* decide.c — what to do with one target (unchanged, publish, incomplete,
 * failed), as a pure function of what the registry answered, the previous
 * status record and the config. No I/O: publish.c asks what it needs. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define FROM_LIST_REASON                                                                           \
	"source is a list; its entry for this platform is used (attestations skipped)"

void pub_decision_free(struct pub_decision *d)
{
	if (!d)
		return;
	free(d->reason);
	free(d->platforms);
	memset(d, 0, sizeof(*d));
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static const struct pub_platform_status *prev_platform(const struct pub_target_status *prev,
                                                       const char *name)
{
	for (size_t i = 0; prev && i < prev->n_platforms; i++)
		if (prev->platforms[i].platform && strcmp(prev->platforms[i].platform, name) == 0)
			return &prev->platforms[i];
	return NULL;
}

/* The config check passed at this digest on an earlier night (DESIGN rule 5:
 * cached by child digest in the status file). */
static const char *verified_earlier(const struct pub_platform_status *pp)
{
	return pp && pp->verified && pp->state == PUB_P_READY ? pp->digest : NULL;
}

/* The platforms as the HEADs saw them. Returns the first source whose HEAD
 * failed, or n_sources when none did. */
static size_t decide_heads(const struct pub_decide_input *in, struct pub_decision *out)
{
	size_t first_error = in->n_sources;

	for (size_t k = 0; k < in->n_sources; k++) {
		const struct pub_decide_head *h = &in->sources[k].head;
		struct pub_decide_platform *p = &out->platforms[k];
		const char *cached =
		    verified_earlier(prev_platform(in->prev, in->sources[k].platform));

		p->size = -1;
		p->verified_digest = cached;
		if (h->rc == 0) {
			p->state = PUB_P_READY;
			p->digest = nonempty(h->digest);
			p->media_type = nonempty(h->media_type);
			p->size = h->size;
			p->verified =
			    in->verify && cached && p->digest && strcmp(cached, p->digest) == 0;
		} else if (h->rc == REG_ENOTFOUND) {
			p->state = PUB_P_MISSING;
		} else {
			p->state = PUB_P_ERROR;
			p->reason = h->error;
			if (first_error == in->n_sources)
				first_error = k;
		}
	}
	return first_error;
}

/* The platforms as the child GETs (and config checks) found them; a child
 * that failed keeps what its HEAD said. */
static void decide_children(const struct pub_decide_input *in, struct pub_decision *out)
{
	for (size_t k = 0; k < in->n_sources; k++) {
		const struct pub_decide_child *c = &in->sources[k].child;
		struct pub_decide_platform *p = &out->platforms[k];

		p->state = c->state;
		p->reason = c->reason;
		p->verified = 0;
		if (c->state == PUB_P_READY) {
			p->digest = c->digest;
			p->media_type = c->media_type;
			p->size = c->size;
			p->verified = c->verified;
			if (c->from_list)
				p->reason = FROM_LIST_REASON;
		} else if (c->state == PUB_P_MISSING) {
			p->digest = NULL;
			p->media_type = NULL;
			p->size = -1;
		}
	}
}

static int any_missing(const struct pub_decision *out)
{
	for (size_t k = 0; k < out->n_platforms; k++)
		if (out->platforms[k].state == PUB_P_MISSING)
			return 1;
	return 0;
}

static int any_failed(const struct pub_decision *out)
{
	for (size_t k = 0; k < out->n_platforms; k++)
		if (out->platforms[k].state != PUB_P_READY &&
		    out->platforms[k].state != PUB_P_MISSING)
			return 1;
	return 0;
}

static int set_reason(struct pub_decision *out, struct pub_sb *b)
{
	free(out->reason);
	out->reason = pub_sb_take(b);
	return out->reason ? 0 : -1;
}

/* Incomplete: "missing a, b" names the missing platforms in config order. */
static int decide_incomplete(const struct pub_decide_input *in, struct pub_decision *out)
{
	struct pub_sb b = {0};

	for (size_t k = 0; k < in->n_sources; k++) {
		if (out->platforms[k].state != PUB_P_MISSING)
			continue;
		pub_sb_str(&b, b.len ? ", " : "missing ");
		pub_sb_str(&b, in->sources[k].platform);
	}
	out->verdict = PUB_VERDICT_INCOMPLETE;
	return set_reason(out, &b);
}

/* Failed after the child GETs: "a; b", every failing child's reason. */
static int decide_children_failed(const struct pub_decide_input *in, struct pub_decision *out)
{
	struct pub_sb b = {0};

	for (size_t k = 0; k < in->n_sources; k++) {
		const struct pub_decide_child *c = &in->sources[k].child;
		enum pub_platform_state st = out->platforms[k].state;
		if (st == PUB_P_READY || st == PUB_P_MISSING)
			continue;
		if (b.len)
			pub_sb_str(&b, "; ");
		pub_sb_str(&b, c->reason ? c->reason : (c->error ? c->error : ""));
	}
	out->verdict = PUB_VERDICT_FAILED;
	return set_reason(out, &b);
}

/* Failed at a HEAD: the first failing HEAD's error. */
static int decide_head_failed(const char *why, struct pub_decision *out)
{
	out->verdict = PUB_VERDICT_FAILED;
	return why && !(out->reason = strdup(why)) ? -1 : 0;
}

/* Every source is an image already verified at its digest (or verify is
 * off), with digest, type and size known, and the tag has a digest: the
 * list can be built from the HEAD answers alone (the unchanged night). */
static int heads_suffice(const struct pub_decide_input *in, const struct pub_decision *out)
{
	if (!in->target || in->target->rc != 0 || !nonempty(in->target->digest))
		return 0;
	for (size_t k = 0; k < in->n_sources; k++) {
		const struct pub_decide_platform *p = &out->platforms[k];
		if (!p->digest || !p->media_type || !reg_media_type_is_image(p->media_type) ||
		    p->size < 0 || (in->verify && !p->verified))
			return 0;
	}
	return 1;
}

/* All platforms present: unchanged, or publish and what to learn first. */
static void decide_ready(const struct pub_decide_input *in, struct pub_decision *out)
{
	out->verdict = PUB_VERDICT_PUBLISH;
	out->need = PUB_NEED_CHILDREN;
	if (in->children_known) {
		out->need = PUB_NEED_NOTHING;
		return;
	}
	if (!heads_suffice(in, out))
		return;
	if (!in->list_known) {
		out->need = PUB_NEED_LIST_DIGEST;
		return;
	}
	if (!in->list_digest || strcmp(in->list_digest, in->target->digest) != 0)
		return;
	if (in->n_extra && !in->extra_known) {
		out->need = PUB_NEED_EXTRA_TAGS;
		return;
	}
	if (in->n_extra && !in->extra_hold)
		return;
	out->verdict = PUB_VERDICT_UNCHANGED;
	out->need = PUB_NEED_NOTHING;
}

static int decide(const struct pub_decide_input *in, struct pub_decision *out)
{
	size_t first_error = decide_heads(in, out);

	if (first_error < in->n_sources)
		return decide_head_failed(in->sources[first_error].head.error, out);
	if (any_missing(out))
		return decide_incomplete(in, out);
	if (in->children_known) {
		decide_children(in, out);
		if (any_failed(out))
			return decide_children_failed(in, out);
		if (any_missing(out))
			return decide_incomplete(in, out);
	}
	decide_ready(in, out);
	return 0;
}

int pub_decide(const struct pub_decide_input *in, struct pub_decision *out)
{
	memset(out, 0, sizeof(*out));
	out->platforms = calloc(in->n_sources ? in->n_sources : 1, sizeof(*out->platforms));
	if (!out->platforms)
		return -1;
	out->n_platforms = in->n_sources;
	if (decide(in, out) < 0) {
		pub_decision_free(out);
		return -1;
	}
	return 0;
}
