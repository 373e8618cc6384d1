/* decide.c — what to do with one target (unchanged, publish, incomplete,
 * failed, held), as a pure function of what the registry answered, the previous
 * status record and the config. No I/O: publish.c asks what it needs. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define FROM_LIST_KEPT "source is a list; its entry for this platform is used (attestations kept)"
#define FROM_LIST_DROPPED                                                                          \
	"source is a list; its entry for this platform is used (attestations dropped)"

void pub_decision_free(struct pub_decision *d)
{
	if (!d)
		return;
	free(d->reason);
	free(d->platforms);
	free(d->extras);
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
		} else if (h->rc == BASE_ENOTFOUND) {
			p->state = PUB_P_MISSING;
		} else {
			p->state = PUB_P_ERROR;
			p->reason = h->error;
			/* An optional platform's registry error leaves it out:
			 * it never holds the list back (docs/publish.md). */
			if (first_error == in->n_sources && !in->sources[k].optional)
				first_error = k;
		}
		p->included = p->state == PUB_P_READY;
	}
	return first_error;
}

/* The platforms as the child GETs (and config checks) found them; a child
 * that failed keeps what its HEAD said. An optional platform its HEAD left
 * out has no child (none is asked for). */
static void decide_children(const struct pub_decide_input *in, struct pub_decision *out)
{
	for (size_t k = 0; k < in->n_sources; k++) {
		const struct pub_decide_child *c = &in->sources[k].child;
		struct pub_decide_platform *p = &out->platforms[k];

		if (!p->included)
			continue;
		p->state = c->state;
		p->reason = c->reason;
		p->verified = 0;
		if (c->state == PUB_P_READY) {
			p->digest = c->digest;
			p->media_type = c->media_type;
			p->size = c->size;
			p->verified = c->verified;
			if (c->from_list)
				p->reason =
				    c->attestations_kept ? FROM_LIST_KEPT : FROM_LIST_DROPPED;
		} else if (c->state == PUB_P_MISSING) {
			p->digest = NULL;
			p->media_type = NULL;
			p->size = -1;
		}
		p->included = p->state == PUB_P_READY;
	}
}

/* Only required platforms hold the list back; an optional one that is not
 * ready is left out of it. */
static int any_missing(const struct pub_decide_input *in, const struct pub_decision *out)
{
	for (size_t k = 0; k < out->n_platforms; k++)
		if (out->platforms[k].state == PUB_P_MISSING && !in->sources[k].optional)
			return 1;
	return 0;
}

static int any_failed(const struct pub_decide_input *in, const struct pub_decision *out)
{
	for (size_t k = 0; k < out->n_platforms; k++)
		if (out->platforms[k].state != PUB_P_READY &&
		    out->platforms[k].state != PUB_P_MISSING && !in->sources[k].optional)
			return 1;
	return 0;
}

static size_t n_included(const struct pub_decision *out)
{
	size_t n = 0;
	for (size_t k = 0; k < out->n_platforms; k++)
		n += out->platforms[k].included != 0;
	return n;
}

static int set_reason(struct pub_decision *out, struct base_buf *b)
{
	free(out->reason);
	out->reason = base_buf_take(b);
	return out->reason ? 0 : -1;
}

/* Incomplete: "missing a, b" names the missing platforms in config order. */
static int decide_incomplete(const struct pub_decide_input *in, struct pub_decision *out)
{
	struct base_buf b = {0};

	for (size_t k = 0; k < in->n_sources; k++) {
		if (out->platforms[k].state != PUB_P_MISSING || in->sources[k].optional)
			continue;
		base_buf_str(&b, b.len ? ", " : "missing ");
		base_buf_str(&b, in->sources[k].platform);
	}
	out->verdict = PUB_VERDICT_INCOMPLETE;
	return set_reason(out, &b);
}

/* Failed after the child GETs: "a; b", every failing child's reason. */
static int decide_children_failed(const struct pub_decide_input *in, struct pub_decision *out)
{
	struct base_buf b = {0};

	for (size_t k = 0; k < in->n_sources; k++) {
		const struct pub_decide_child *c = &in->sources[k].child;
		enum pub_platform_state st = out->platforms[k].state;
		if (st == PUB_P_READY || st == PUB_P_MISSING || in->sources[k].optional)
			continue;
		if (b.len)
			base_buf_str(&b, "; ");
		base_buf_str(&b, c->reason ? c->reason : (c->error ? c->error : ""));
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
	if (!n_included(out))
		return 0;
	for (size_t k = 0; k < in->n_sources; k++) {
		const struct pub_decide_platform *p = &out->platforms[k];
		if (!p->included)
			continue;
		if (!p->digest || !p->media_type || !reg_media_type_is_image(p->media_type) ||
		    p->size < 0 || (in->verify && !p->verified))
			return 0;
	}
	return 1;
}

/* The platforms of the list the tag holds now: the record's, when the tag
 * still holds the list it records as published (its ready platforms are
 * that list's entries), else what the caller read. -1 when neither can
 * tell. Names are borrowed. */
static int current_platforms(const struct pub_decide_input *in, const char ***names, size_t *n)
{
	const struct pub_target_status *prev = in->prev;

	*names = NULL;
	*n = 0;
	if (prev && (prev->state == PUB_T_PUBLISHED || prev->state == PUB_T_UNCHANGED) &&
	    prev->digest && strcmp(prev->digest, in->target->digest) == 0) {
		if (!(*names = calloc(prev->n_platforms ? prev->n_platforms : 1, sizeof(**names))))
			return -2;
		for (size_t k = 0; k < prev->n_platforms; k++)
			if (prev->platforms[k].state == PUB_P_READY && prev->platforms[k].platform)
				(*names)[(*n)++] = prev->platforms[k].platform;
		return 0;
	}
	if (!in->current_known)
		return -1;
	if (!(*names = calloc(in->n_current ? in->n_current : 1, sizeof(**names))))
		return -2;
	for (size_t k = 0; k < in->n_current; k++)
		(*names)[(*n)++] = in->current[k];
	return 0;
}

static int included_named(const struct pub_decide_input *in, const struct pub_decision *out,
                          const char *name)
{
	for (size_t k = 0; k < in->n_sources; k++)
		if (out->platforms[k].included && strcmp(in->sources[k].platform, name) == 0)
			return 1;
	return 0;
}

/* No silent shrink: the list about to be written must keep every platform
 * of the list the tag holds, unless allow-shrink. Held: "would drop a, b,
 * which the tag's current list has". */
static int decide_shrink(const struct pub_decide_input *in, struct pub_decision *out)
{
	const struct pub_decide_head *t = in->target;
	struct base_buf b = {0};
	const char **names;
	size_t n, lost = 0;
	int r;

	if (in->allow_shrink || !t || t->rc != 0 || !nonempty(t->digest) ||
	    (nonempty(t->media_type) && !reg_media_type_is_list(t->media_type)) ||
	    (in->built_digest && strcmp(in->built_digest, t->digest) == 0))
		return 0;
	if ((r = current_platforms(in, &names, &n)) == -1) {
		out->need = PUB_NEED_CURRENT_LIST;
		return 0;
	}
	if (r < 0)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (included_named(in, out, names[k]))
			continue;
		base_buf_str(&b, lost++ ? ", " : "would drop ");
		base_buf_str(&b, names[k]);
	}
	free(names);
	if (!lost)
		return 0;
	base_buf_str(&b, ", which the tag's current list has");
	out->verdict = PUB_VERDICT_HELD;
	out->need = PUB_NEED_NOTHING;
	return set_reason(out, &b);
}

/* ---- no surprise overwrite ------------------------------------------------ */

static int digest_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Is what h found manifold's to replace (publish.md, "Tags manifold did
 * not write")? Nothing there, or nothing to tell by: yes. A digest the
 * target's record holds (not as foreign), or any the status file records
 * as manifold's: yes. No record for the target, in a status file that
 * cannot tell (see written_complete): a list is taken for an earlier
 * publication, an image is not. */
int pub_decide_manifolds(const struct pub_decide_input *in, const struct pub_decide_head *h)
{
	const struct pub_target_status *prev = in->prev;
	const char *d = nonempty(h->digest);

	if (h->rc != 0 || !d)
		return 1;
	if (prev && !prev->foreign && prev->digest && strcmp(prev->digest, d) == 0)
		return 1;
	for (size_t i = 0; prev && i < prev->n_extra_digests; i++)
		if (strcmp(prev->extra_digests[i], d) == 0)
			return 1;
	if (in->n_written &&
	    bsearch(&d, in->written, in->n_written, sizeof(*in->written), digest_cmp))
		return 1;
	/* Taken for an earlier publication only when the status file cannot
	 * tell (none, a first run, another sharding's file): else a list at an
	 * extra tag a new release shares with older ones would be taken as
	 * manifold's when someone else put it there. */
	if (!prev && !(in->n_written && in->written_complete))
		return nonempty(h->media_type) && reg_media_type_is_list(h->media_type);
	return 0;
}

/* The target tag holds what manifold did not write: held, unless
 * overwrite. 1 held, 0 not, -1 out of memory. */
static int decide_foreign(const struct pub_decide_input *in, struct pub_decision *out)
{
	struct base_buf b = {0};

	if (in->overwrite || !out->foreign)
		return 0;
	base_buf_str(&b, "tag holds ");
	base_buf_str(&b, in->target->digest);
	base_buf_str(&b, " which manifold did not write (use --overwrite)");
	out->verdict = PUB_VERDICT_HELD;
	out->need = PUB_NEED_NOTHING;
	return set_reason(out, &b) < 0 ? -1 : 1;
}

/* The platforms of the list an extra tag holds (digest): the record's when
 * it is the list the record says the tag holds, the target tag's when it
 * is that list and it was read, the extra tag's own when it was read. -1
 * when none tells; -2 out of memory. Names are borrowed. */
static int extra_platforms(const struct pub_decide_input *in, const struct pub_decide_extra *e,
                           const char ***names, size_t *n)
{
	const struct pub_target_status *prev = in->prev;
	const char *d = e->head.digest;
	const char *const *cur = NULL;
	size_t n_cur = 0;

	*names = NULL;
	*n = 0;
	if (prev && !prev->foreign &&
	    (prev->state == PUB_T_PUBLISHED || prev->state == PUB_T_UNCHANGED) && prev->digest &&
	    strcmp(prev->digest, d) == 0) {
		if (!(*names = calloc(prev->n_platforms ? prev->n_platforms : 1, sizeof(**names))))
			return -2;
		for (size_t k = 0; k < prev->n_platforms; k++)
			if (prev->platforms[k].state == PUB_P_READY && prev->platforms[k].platform)
				(*names)[(*n)++] = prev->platforms[k].platform;
		return 0;
	}
	if (e->current_known) {
		cur = e->current;
		n_cur = e->n_current;
	} else if (in->current_known && in->target && nonempty(in->target->digest) &&
	           strcmp(in->target->digest, d) == 0) {
		cur = in->current;
		n_cur = in->n_current;
	} else {
		return -1;
	}
	if (!(*names = calloc(n_cur ? n_cur : 1, sizeof(**names))))
		return -2;
	for (size_t k = 0; k < n_cur; k++)
		(*names)[(*n)++] = cur[k];
	return 0;
}

/* One extra tag that holds another list manifold may replace: WRITE, or
 * HELD with "extra tag REF: would drop a, b, which its current list has"
 * appended to b; UNKNOWN when its platforms are not known yet. */
static int extra_shrink(const struct pub_decide_input *in, const struct pub_decision *out,
                        const struct pub_decide_extra *e, enum pub_extra_action *act,
                        struct base_buf *b)
{
	const char **names;
	size_t n, lost = 0;
	int r = extra_platforms(in, e, &names, &n);

	if (r == -1) {
		*act = PUB_EXTRA_UNKNOWN;
		return 0;
	}
	if (r < 0)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (included_named(in, out, names[k]))
			continue;
		if (!lost++) {
			base_buf_str(b, b->len ? "; extra tag " : "extra tag ");
			base_buf_str(b, e->ref);
			base_buf_str(b, ": would drop ");
		} else {
			base_buf_str(b, ", ");
		}
		base_buf_str(b, names[k]);
	}
	free(names);
	if (lost)
		base_buf_str(b, ", which its current list has");
	*act = lost ? PUB_EXTRA_HELD : PUB_EXTRA_WRITE;
	return 0;
}

/* Every extra tag gets the list unless it holds it already, it holds what
 * manifold did not write (overwrite aside), or its list would lose a
 * platform (allow-shrink aside). Those are held: the rest is written and
 * the target is held, the reason naming each held extra tag. */
static int decide_extras(const struct pub_decide_input *in, struct pub_decision *out)
{
	const char *list = in->built_digest;
	struct base_buf b = {0};
	int unknown = 0;

	if (!in->n_extra)
		return 0;
	if (!in->extras_known) {
		out->need = PUB_NEED_EXTRA_TAGS;
		return 0;
	}
	free(out->extras);
	if (!(out->extras = calloc(in->n_extra, sizeof(*out->extras))))
		return -1;
	for (size_t i = 0; i < in->n_extra; i++) {
		const struct pub_decide_extra *e = &in->extras[i];
		const struct pub_decide_head *h = &e->head;
		enum pub_extra_action *act = &out->extras[i];

		if (h->rc == BASE_ENOTFOUND || (h->rc == 0 && !nonempty(h->digest))) {
			*act = PUB_EXTRA_WRITE;
		} else if (h->rc != 0) {
			/* what it holds is unknown: nothing is written */
			base_buf_free(&b);
			out->verdict = PUB_VERDICT_FAILED;
			out->need = PUB_NEED_NOTHING;
			return (out->reason =
			            strdup(h->error ? h->error : "extra tag: HEAD failed"))
			           ? 0
			           : -1;
		} else if (list && strcmp(h->digest, list) == 0) {
			*act = PUB_EXTRA_KEEP;
		} else if (!in->overwrite && !pub_decide_manifolds(in, h)) {
			base_buf_str(&b, b.len ? "; extra tag " : "extra tag ");
			base_buf_str(&b, e->ref);
			base_buf_str(&b, " holds ");
			base_buf_str(&b, h->digest);
			base_buf_str(&b, " which manifold did not write (use --overwrite)");
			*act = PUB_EXTRA_FOREIGN;
		} else if (in->allow_shrink || !nonempty(h->media_type) ||
		           !reg_media_type_is_list(h->media_type)) {
			*act = PUB_EXTRA_WRITE;
		} else if (extra_shrink(in, out, e, act, &b) < 0) {
			base_buf_free(&b);
			return -1;
		}
		unknown |= *act == PUB_EXTRA_UNKNOWN;
		out->extras_held |= *act == PUB_EXTRA_HELD || *act == PUB_EXTRA_FOREIGN;
	}
	if (unknown) {
		base_buf_free(&b);
		out->extras_held = 0;
		out->need = PUB_NEED_EXTRA_LISTS;
		return 0;
	}
	if (!out->extras_held) {
		base_buf_free(&b);
		return 0;
	}
	return set_reason(out, &b);
}

/* Every extra tag holds digest. */
static int extras_hold(const struct pub_decide_input *in, const char *digest)
{
	for (size_t i = 0; i < in->n_extra; i++)
		if (in->extras[i].head.rc != 0 || !in->extras[i].head.digest ||
		    strcmp(in->extras[i].head.digest, digest) != 0)
			return 0;
	return 1;
}

/* After the children: what the tag holds must be known and manifold's
 * (or the same list), the list must not shrink, then the extra tags. */
static int decide_written(const struct pub_decide_input *in, struct pub_decision *out)
{
	const struct pub_decide_head *t = in->target;
	int r;

	out->need = PUB_NEED_NOTHING;
	if (t && t->rc != 0 && t->rc != BASE_ENOTFOUND) {
		/* what the tag holds is unknown: nothing is written */
		out->verdict = PUB_VERDICT_FAILED;
		return (out->reason = strdup(t->error ? t->error : "HEAD of the tag failed")) ? 0
		                                                                              : -1;
	}
	if (!(t && in->built_digest && nonempty(t->digest) &&
	      strcmp(in->built_digest, t->digest) == 0)) {
		if ((r = decide_foreign(in, out)) != 0)
			return r < 0 ? -1 : 0;
		if (decide_shrink(in, out) < 0)
			return -1;
		if (out->verdict != PUB_VERDICT_PUBLISH || out->need != PUB_NEED_NOTHING)
			return 0;
	}
	return decide_extras(in, out);
}

/* Every required platform present: unchanged, or publish and what to learn
 * first. */
static int decide_ready(const struct pub_decide_input *in, struct pub_decision *out)
{
	int r;

	out->verdict = PUB_VERDICT_PUBLISH;
	out->need = PUB_NEED_CHILDREN;
	if (in->children_known)
		return decide_written(in, out);
	/* An image on the tag is never the list: held before any child is
	 * read when manifold did not write it. */
	if (in->target && nonempty(in->target->media_type) &&
	    !reg_media_type_is_list(in->target->media_type) && (r = decide_foreign(in, out)) != 0)
		return r < 0 ? -1 : 0;
	if (!heads_suffice(in, out))
		return 0;
	if (!in->list_known) {
		out->need = PUB_NEED_LIST_DIGEST;
		return 0;
	}
	if (!in->list_digest || strcmp(in->list_digest, in->target->digest) != 0) {
		/* the list would change: a tag manifold did not write is held
		 * before any child is read */
		if (in->list_digest && (r = decide_foreign(in, out)) != 0)
			return r < 0 ? -1 : 0;
		return 0;
	}
	if (in->n_extra && !in->extras_known) {
		out->need = PUB_NEED_EXTRA_TAGS;
		return 0;
	}
	if (in->n_extra && !extras_hold(in, in->list_digest))
		return 0;
	out->verdict = PUB_VERDICT_UNCHANGED;
	out->need = PUB_NEED_NOTHING;
	return 0;
}

static int decide(const struct pub_decide_input *in, struct pub_decision *out)
{
	size_t first_error = decide_heads(in, out);

	if (first_error < in->n_sources)
		return decide_head_failed(in->sources[first_error].head.error, out);
	if (any_missing(in, out))
		return decide_incomplete(in, out);
	if (in->children_known) {
		decide_children(in, out);
		if (any_failed(in, out))
			return decide_children_failed(in, out);
		if (any_missing(in, out))
			return decide_incomplete(in, out);
	}
	if (!n_included(out)) {
		/* only optional platforms, none of them there */
		out->verdict = PUB_VERDICT_INCOMPLETE;
		return (out->reason = strdup("no platform is there")) ? 0 : -1;
	}
	return decide_ready(in, out);
}

int pub_decide(const struct pub_decide_input *in, struct pub_decision *out)
{
	memset(out, 0, sizeof(*out));
	out->platforms = calloc(in->n_sources ? in->n_sources : 1, sizeof(*out->platforms));
	if (!out->platforms)
		return -1;
	out->n_platforms = in->n_sources;
	out->foreign = in->target && !pub_decide_manifolds(in, in->target);
	if (decide(in, out) < 0) {
		pub_decision_free(out);
		return -1;
	}
	return 0;
}

/* FNV-1a: stable across builds and machines, so a target's day is too. */
static unsigned long fnv1a(const char *s)
{
	unsigned long h = 2166136261ul;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h = (h * 16777619ul) & 0xfffffffful;
	}
	return h;
}

int pub_recheck_due(const char *ref, long day, int period_days)
{
	unsigned long p;

	if (period_days <= 1)
		return 1;
	p = (unsigned long)period_days;
	/* day may be any long: take it modulo p first, as a non-negative value */
	return (fnv1a(ref ? ref : "") % p + ((unsigned long)(day % (long)p) + p) % p) % p == 0;
}
