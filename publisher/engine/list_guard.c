/* list_guard.c — the promises on every tag a single-list command writes
 * (docs/guarantees.md): G1, a tag's list keeps its platforms unless
 * --allow-shrink; G3, a tag holding an image (someone else's: these
 * commands write lists only) is not replaced unless --overwrite. Every tag
 * is read and judged before the first write, so either all are written
 * or none. */
#include <stdlib.h>
#include <string.h>

#include "list_internal.h"

void pub_list_result_free(struct pub_list_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_held; i++) {
		struct pub_list_held *h = &r->held[i];
		free(h->tag);
		status_strv_free(h->drops, h->n_drops);
		free(h->reason);
	}
	free(r->held);
	r->held = NULL;
	r->n_held = 0;
}

static struct pub_list_held *held_new(struct pub_list_result *out, const char *name,
                                      enum pub_held_why why)
{
	struct pub_list_held *n = realloc(out->held, (out->n_held + 1) * sizeof(*n));
	if (!n)
		return NULL;
	out->held = n;
	n = &n[out->n_held];
	memset(n, 0, sizeof(*n));
	n->why = why;
	if (!(n->tag = strdup(name)))
		return NULL;
	out->n_held++;
	return n;
}

/* The platforms cur's list serves that none of next matches, in list
 * order, formatted; *n_lost 0 when none. */
static int platforms_lost(const struct reg_manifest *cur, const struct reg_platform *const *next,
                          size_t n_next, char ***lost, size_t *n_lost)
{
	*lost = calloc(cur->n_entries ? cur->n_entries : 1, sizeof(**lost));
	*n_lost = 0;
	if (!*lost)
		return -1;
	for (size_t i = 0; i < cur->n_entries; i++) {
		const struct reg_descriptor *d = &cur->entries[i];
		size_t k = 0;
		if (!d->has_platform || reg_descriptor_is_attestation(d))
			continue;
		while (k < n_next && !reg_platform_match(next[k], &d->platform))
			k++;
		if (k < n_next)
			continue;
		char *p = reg_platform_format(&d->platform);
		if (!p)
			return -1;
		/* one name once, should the list carry a platform twice */
		size_t j = 0;
		while (j < *n_lost && strcmp((*lost)[j], p) != 0)
			j++;
		if (j < *n_lost)
			free(p);
		else
			(*lost)[(*n_lost)++] = p;
	}
	return 0;
}

int pub_list_guard(const char *name, const struct reg_manifest *cur,
                   const struct reg_platform *const *next, size_t n_next, int allow_shrink,
                   int overwrite, struct pub_list_result *out, struct base_error *err)
{
	struct base_buf b = {0};
	struct pub_list_held *h;
	char **lost = NULL;
	size_t n_lost = 0;

	if (!cur)
		return 0;
	if (!cur->is_list) {
		if (overwrite)
			return 0;
		const char *mt = cur->media_type ? cur->media_type : "unknown type";
		if (!(h = held_new(out, name, PUB_HELD_NOT_MANIFOLDS)))
			goto oom;
		snprintf(h->digest, sizeof(h->digest), "%s", cur->digest ? cur->digest : "");
		snprintf(h->media_type, sizeof(h->media_type), "%s", mt);
		base_buf_fmt(&b,
		             "%s: holds %s (%s), an image manifold did not write (use --overwrite)",
		             name, h->digest, mt);
		if (!(h->reason = base_buf_take(&b)))
			goto oom;
		return 0;
	}
	if (allow_shrink)
		return 0;
	if (platforms_lost(cur, next, n_next, &lost, &n_lost) < 0)
		goto oom;
	if (!n_lost) {
		free(lost);
		return 0;
	}
	if (!(h = held_new(out, name, PUB_HELD_SHRINK)))
		goto oom;
	h->drops = lost;
	h->n_drops = n_lost;
	lost = NULL;
	n_lost = 0;
	base_buf_fmt(&b, "%s: would drop ", name);
	for (size_t i = 0; i < h->n_drops; i++)
		base_buf_fmt(&b, "%s%s", i ? ", " : "", h->drops[i]);
	base_buf_str(&b, ", which the tag's current list has (--allow-shrink lets it through)");
	if (!(h->reason = base_buf_take(&b)))
		goto oom;
	return 0;
oom:
	status_strv_free(lost, n_lost);
	base_buf_free(&b);
	base_error_set(err, "%s: out of memory", name);
	return -1;
}

/* GET one tag and judge it. A tag that does not exist holds nothing. */
static int tag_guard(struct reg_session *s, const struct reg_ref *ref,
                     const struct reg_platform *const *next, size_t n_next, int allow_shrink,
                     int overwrite, struct pub_list_result *out, struct base_error *err)
{
	struct reg_ref tagged = reg_ref_at(ref, ref->tag, NULL);
	struct reg_manifest cur = {0};
	char *name = reg_ref_format(&tagged);
	int r, rc = -1;

	if (!ref->tag) {
		free(name);
		return 0; /* by digest: no tag to keep */
	}
	if (!name) {
		base_error_set(err, "out of memory");
		return -1;
	}
	r = reg_manifest_get(s, &tagged, &cur, err);
	if (r == BASE_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (r < 0) {
		base_error_wrap(err, "%s: what the tag holds; nothing written", name);
		goto out;
	}
	rc = pub_list_guard(name, &cur, next, n_next, allow_shrink, overwrite, out, err);
out:
	reg_manifest_free(&cur);
	free(name);
	return rc;
}

static int same_tag(const struct reg_ref *a, const struct reg_ref *b)
{
	return status_streq0(a->registry, b->registry) &&
	       status_streq0(a->repository, b->repository) && status_streq0(a->tag, b->tag);
}

int pub_tags_guard(struct reg_session *s, const struct pub_single *p,
                   const struct reg_platform *const *next, size_t n_next,
                   struct pub_list_result *out, struct base_error *err)
{
	if (tag_guard(s, &p->target, next, n_next, p->allow_shrink, p->overwrite, out, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n_extra; i++) {
		size_t k = 0;
		if (same_tag(&p->extra[i], &p->target))
			continue;
		while (k < i && !same_tag(&p->extra[k], &p->extra[i]))
			k++;
		if (k < i)
			continue;
		if (tag_guard(s, &p->extra[i], next, n_next, p->allow_shrink, p->overwrite, out,
		              err) < 0)
			return -1;
	}
	return 0;
}
