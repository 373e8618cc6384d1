/* plan.c — the plan check and publish run on: the config expanded target
 * by target, every reference parsed (a config error for any target stops
 * the run before a request), and only this run's targets (--only, --shard)
 * kept with their parsed references, one block each — or, for publish, only
 * where each is in the config, the target made again when a worker takes
 * it up (pub_plan_target_take); of the others a hash of the reference
 * (what the status file is checked against) and their counts (what
 * --estimate tells). The selection of a whole plan's targets (prune), the
 * config's digest and target list a status file is checked against. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

static void plan_target_clear(struct pub_plan_target *t)
{
	if (t->packed) {
		free(t->packed);
		memset(t, 0, sizeof(*t));
		return;
	}
	reg_ref_free(&t->ref);
	free(t->repo);
	for (size_t e = 0; t->extra && e < t->n_extra; e++)
		reg_ref_free(&t->extra[e]);
	free(t->extra);
	for (size_t k = 0; t->sources && k < t->n_sources; k++)
		reg_ref_free(&t->sources[k].ref);
	free(t->sources);
}

/* ---- a held target, one block ------------------------------------------ */

static size_t ref_size(const struct reg_ref *r)
{
	return base_str_size(r->registry) + base_str_size(r->repository) + base_str_size(r->tag) +
	       base_str_size(r->digest);
}

static void move_ref(struct reg_ref *r, char **at)
{
	base_str_move(&r->registry, at);
	base_str_move(&r->repository, at);
	base_str_move(&r->tag, at);
	base_str_move(&r->digest, at);
}

/* t's strings and arrays moved into one block (t->packed): a plan holds
 * each of its targets for the whole run. -1 out of memory, t as it was. */
static int plan_target_pack(struct pub_plan_target *t)
{
	size_t srcs = t->n_sources * sizeof(*t->sources);
	size_t extra = t->n_extra * sizeof(*t->extra);
	size_t len = srcs + extra + ref_size(&t->ref) + base_str_size(t->repo);
	char *block, *at;

	for (size_t e = 0; e < t->n_extra; e++)
		len += ref_size(&t->extra[e]);
	for (size_t k = 0; k < t->n_sources; k++)
		len += ref_size(&t->sources[k].ref);
	if (!(block = malloc(len ? len : 1)))
		return -1;
	at = block;
	t->sources = base_mem_move(t->sources, srcs, &at);
	t->extra = base_mem_move(t->extra, extra, &at);
	move_ref(&t->ref, &at);
	base_str_move(&t->repo, &at);
	for (size_t e = 0; e < t->n_extra; e++)
		move_ref(&t->extra[e], &at);
	for (size_t k = 0; k < t->n_sources; k++)
		move_ref(&t->sources[k].ref, &at);
	t->packed = block;
	return 0;
}

static void plan_keys_clear(struct pub_plan *p)
{
	for (size_t i = 0; i < p->n_other_keys; i++) {
		free(p->other_keys[i].ref.file);
		free(p->other_keys[i].ref.env);
	}
	free(p->other_keys);
	p->other_keys = NULL;
	p->n_other_keys = 0;
}

/* A key of an image the run does not hold, remembered once per file or
 * variable and kind. */
static int plan_key_add(struct pub_plan *p, const struct farm_key_ref *k, int priv)
{
	struct pub_plan_key *nk, *add;

	for (size_t i = 0; i < p->n_other_keys; i++) {
		const struct farm_key_ref *o = &p->other_keys[i].ref;
		if (p->other_keys[i].priv == priv && !o->file == !k->file &&
		    strcmp(o->file ? o->file : o->env, k->file ? k->file : k->env) == 0)
			return 0;
	}
	if (!(nk = realloc(p->other_keys, (p->n_other_keys + 1) * sizeof(*nk))))
		return -1;
	p->other_keys = nk;
	add = &nk[p->n_other_keys];
	*add = (struct pub_plan_key){.ref = {.pos = k->pos}, .priv = priv};
	if ((k->file && !(add->ref.file = strdup(k->file))) ||
	    (k->env && !(add->ref.env = strdup(k->env)))) {
		free(add->ref.file);
		return -1;
	}
	p->n_other_keys++;
	return 0;
}

static int plan_image_keys(struct pub_plan *p, const struct farm_image *im)
{
	if (im->sign_key && plan_key_add(p, im->sign_key, 1) < 0)
		return -1;
	for (size_t k = 0; k < im->n_require_signature; k++)
		if (plan_key_add(p, &im->require_signature[k], 0) < 0)
			return -1;
	return 0;
}

void pub_plan_drop_targets(struct pub_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->targets && i < p->n_targets; i++)
		plan_target_clear(&p->targets[i]);
	free(p->targets);
	p->targets = NULL;
	free(p->places);
	p->places = NULL;
	p->n_targets = 0;
	farm_plan_free(p->farm);
	p->farm = NULL;
}

static int plan_target_make(const struct farm_config *cfg, const struct farm_target *ft,
                            struct pub_plan_target *t, struct base_error *err);

/* A target made for a worker: the engine's view and farm's, one
 * allocation. */
struct plan_held {
	struct pub_plan_target t;
	struct farm_target ft;
};

int pub_plan_target_take(const struct pub_plan *p, const struct farm_config *cfg, size_t i,
                         const struct pub_plan_target **out, struct base_error *err)
{
	struct plan_held *h;
	struct farm_error ferr;

	*out = NULL;
	if (!p->places) {
		*out = &p->targets[i];
		return 0;
	}
	memset(&ferr, 0, sizeof(ferr));
	if (!(h = calloc(1, sizeof(*h)))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (farm_target_make(cfg, &cfg->images[p->places[i].image], p->places[i].tag, &h->ft,
	                     &ferr) < 0) {
		base_error_set(err, "%s", ferr.msg);
		free(h);
		return -1;
	}
	if (plan_target_make(cfg, &h->ft, &h->t, err) < 0 || plan_target_pack(&h->t) < 0) {
		if (!err->msg[0])
			base_error_set(err, "out of memory");
		plan_target_clear(&h->t);
		farm_target_clear(&h->ft);
		free(h);
		return -1;
	}
	h->t.farm = &h->ft;
	for (size_t k = 0; k < h->t.n_sources; k++)
		h->t.sources[k].farm = &h->ft.sources[k];
	*out = &h->t;
	return 0;
}

void pub_plan_target_drop(const struct pub_plan *p, const struct pub_plan_target *t)
{
	struct plan_held *h = (struct plan_held *)(void *)t;

	if (!t || !p->places)
		return;
	plan_target_clear(&h->t);
	farm_target_clear(&h->ft);
	free(h);
}

void pub_plan_free(struct pub_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->targets && i < p->n_targets; i++)
		plan_target_clear(&p->targets[i]);
	free(p->targets);
	free(p->places);
	free(p->known);
	free(p->only_seen);
	plan_keys_clear(p);
	farm_plan_free(p->farm);
	free(p);
}

/* "release.yaml:14:9: images[3] "kube-proxy" tag "v1.31.0"": where a
 * reference came from, as farm names config places. */
static void config_place(const struct farm_config *cfg, const struct farm_target *t,
                         const struct farm_pos *pos, char *buf, size_t len)
{
	size_t index = t->image->index;

	if (pos->line > 0)
		snprintf(buf, len, "%s:%d:%d: images[%zu] \"%s\" tag \"%s\"", cfg->path, pos->line,
		         pos->column, index, t->image->name, t->tag);
	else
		snprintf(buf, len, "%s: images[%zu] \"%s\" tag \"%s\"", cfg->path, index,
		         t->image->name, t->tag);
}

/* Parse one reference of the plan; a failure is a config error that names
 * the place, what the reference is for, and the parser's cause (which
 * quotes the reference). */
static int parse_plan_ref(const struct farm_config *cfg, const struct farm_target *t,
                          const struct farm_pos *pos, const char *what, const char *text,
                          struct reg_ref *out, struct base_error *err)
{
	struct base_error perr;
	char place[512];

	base_error_clear(&perr);
	if (reg_ref_parse(text, out, &perr) == 0)
		return 0;
	config_place(cfg, t, pos, place, sizeof(place));
	base_error_set(err, "%s: %s: %s", place, what, perr.msg);
	return BASE_EINPUT;
}

static int plan_target_sources(const struct farm_config *cfg, const struct farm_target *ft,
                               struct pub_plan_target *t, struct base_error *err)
{
	char what[160];
	int rc;

	t->sources = calloc(ft->n_sources ? ft->n_sources : 1, sizeof(*t->sources));
	if (!t->sources)
		goto oom;
	t->n_sources = ft->n_sources;
	for (size_t k = 0; k < ft->n_sources; k++) {
		const struct farm_source *fs = &ft->sources[k];
		const struct farm_pos *pos =
		    fs->platform->pos.line > 0 ? &fs->platform->pos : &ft->image->pos;
		t->sources[k].farm = fs;
		snprintf(what, sizeof(what), "source for %s", fs->platform->name);
		rc = parse_plan_ref(cfg, ft, pos, what, fs->ref, &t->sources[k].ref, err);
		if (rc < 0)
			return rc;
	}
	return 0;
oom:
	base_error_set(err, "out of memory");
	return -1;
}

static int plan_target_make(const struct farm_config *cfg, const struct farm_target *ft,
                            struct pub_plan_target *t, struct base_error *err)
{
	const struct farm_pos *pos = &ft->image->pos;
	int rc;

	t->farm = ft;
	rc = parse_plan_ref(cfg, ft, pos, "target", ft->ref, &t->ref, err);
	if (rc < 0)
		return rc;
	/* Targets of one repository publish one after another (engine.h). */
	if (!(t->repo = reg_ref_format_repo(&t->ref)))
		goto oom;
	if (ft->n_extra_refs) {
		t->extra = calloc(ft->n_extra_refs, sizeof(*t->extra));
		if (!t->extra)
			goto oom;
		t->n_extra = ft->n_extra_refs;
		for (size_t e = 0; e < ft->n_extra_refs; e++) {
			rc = parse_plan_ref(cfg, ft, pos, "extra tag", ft->extra_refs[e],
			                    &t->extra[e], err);
			if (rc < 0)
				return rc;
		}
	}
	return plan_target_sources(cfg, ft, t, err);
oom:
	base_error_set(err, "out of memory");
	return -1;
}

static int hash_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* --only: every target of the image of that name, or the target of that
 * reference (farm_plan_expand's rule, and its message when none match). */
static int only_match(const struct farm_target *t, const char *name)
{
	return strcmp(t->image->name, name) == 0 || strcmp(t->ref, name) == 0;
}

/* What the expansion's callback keeps while the plan is made. A plan is
 * made in one expansion over the whole config (pub_plan_make), or in two
 * when the config is read an image at a time (pub_plan_load): every
 * target counted while the config is read (PLAN_COUNT, nothing held),
 * then the images kept expanded again for the targets of the run
 * (PLAN_HOLD, nothing counted). */
enum plan_mode { PLAN_BOTH, PLAN_COUNT, PLAN_HOLD };
struct plan_build {
	const struct farm_config *cfg;
	const struct pub_plan_filter *f;
	struct pub_plan *p;
	size_t cap;       /* of p->targets */
	size_t cap_known; /* of p->known */
	struct base_error *err;
	int rc;
	enum plan_mode mode;
};

static int plan_room(struct plan_build *b)
{
	struct pub_plan *p = b->p;

	if (b->mode != PLAN_HOLD && p->n_known == b->cap_known) {
		size_t nc = b->cap_known ? b->cap_known * 2 : 64;
		uint64_t *n = realloc(p->known, nc * sizeof(*n));
		if (!n)
			return -1;
		p->known = n;
		b->cap_known = nc;
	}
	if (b->mode != PLAN_COUNT && p->n_targets == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 16;
		void *n = b->f && b->f->lazy ? realloc(p->places, nc * sizeof(*p->places))
		                             : realloc(p->targets, nc * sizeof(*p->targets));
		if (!n)
			return -1;
		if (b->f && b->f->lazy)
			p->places = n;
		else
			p->targets = n;
		b->cap = nc;
	}
	return 0;
}

/* One expanded target: every reference parsed (the config error of any
 * target stops the run), its hash remembered, and kept parsed only when
 * this run works on it. */
static int plan_keep(void *ctx, const struct farm_target *ft)
{
	struct plan_build *b = ctx;
	struct pub_plan *p = b->p;
	const struct pub_plan_filter *f = b->f;
	struct pub_plan_target t;
	int only = !f || f->n_only == 0, rc;

	memset(&t, 0, sizeof(t));
	if (plan_room(b) < 0) {
		base_error_set(b->err, "out of memory");
		b->rc = -1;
		return -1;
	}
	if ((rc = plan_target_make(b->cfg, ft, &t, b->err)) < 0) {
		plan_target_clear(&t);
		b->rc = rc;
		return -1;
	}
	if (b->mode != PLAN_HOLD) {
		p->known[p->n_known++] = farm_ref_hash(ft->ref);
		p->n_all++;
		p->n_all_sources += ft->n_sources;
	}
	for (size_t k = 0; f && k < f->n_only; k++) {
		if (only_match(ft, f->only[k])) {
			if (b->mode != PLAN_HOLD)
				p->only_seen[k] = 1;
			only = 1;
		}
	}
	if (b->mode != PLAN_HOLD)
		p->n_only += only;
	int mine = only && !(f && f->shard_count &&
	                     !farm_shard_has(ft->ref, f->shard_index, f->shard_count));
	if (b->mode == PLAN_COUNT || !mine) {
		plan_target_clear(&t);
		return b->mode == PLAN_COUNT ? mine : 0;
	}
	if (f && f->lazy) {
		/* where it is: made again when a worker takes it up */
		p->places[p->n_targets++] = (struct pub_plan_place){
		    (uint32_t)(ft->image - b->cfg->images), (uint32_t)ft->tag_index};
		plan_target_clear(&t);
		return 0;
	}
	if (plan_target_pack(&t) < 0) {
		plan_target_clear(&t);
		base_error_set(b->err, "out of memory");
		b->rc = -1;
		return -1;
	}
	p->targets[p->n_targets++] = t; /* t->farm is set once the expansion is done */
	return 1;
}

/* The arrays shrunk to what they hold: a plan lives all the run. */
static void plan_fit(struct pub_plan *p, const struct plan_build *b)
{
	void *n;

	if (p->targets && p->n_targets && p->n_targets < b->cap &&
	    (n = realloc(p->targets, p->n_targets * sizeof(*p->targets))))
		p->targets = n;
	if (p->places && p->n_targets && p->n_targets < b->cap &&
	    (n = realloc(p->places, p->n_targets * sizeof(*p->places))))
		p->places = n;
	if (p->n_known && p->n_known < b->cap_known &&
	    (n = realloc(p->known, p->n_known * sizeof(*p->known))))
		p->known = n;
}

/* The plan's targets expanded from cfg (PLAN_BOTH: every target of the
 * config; PLAN_HOLD: the images the load kept), then checked and sorted. */
static int plan_finish(struct plan_build *b, struct pub_plan **out)
{
	struct pub_plan *p = b->p;
	const struct pub_plan_filter *f = b->f;
	struct farm_error ferr;

	memset(&ferr, 0, sizeof(ferr));
	if (farm_plan_expand_kept(b->cfg, plan_keep, b, &p->farm, &ferr) < 0) {
		if (b->rc < 0)
			return b->rc;
		base_error_set(b->err, "%s", ferr.msg);
		return BASE_EINPUT;
	}
	/* the farm plan holds the kept targets, in the same order */
	for (size_t i = 0; p->targets && i < p->n_targets; i++) {
		p->targets[i].farm = &p->farm->targets[i];
		for (size_t k = 0; k < p->targets[i].n_sources; k++)
			p->targets[i].sources[k].farm = &p->farm->targets[i].sources[k];
	}
	for (size_t k = 0; f && k < f->n_only; k++) {
		if (!p->only_seen[k]) {
			base_error_set(b->err, "--only \"%s\": no image or target of that name",
			               f->only[k]);
			return BASE_EINPUT;
		}
	}
	if (p->n_known)
		qsort(p->known, p->n_known, sizeof(*p->known), hash_cmp);
	if (b->mode == PLAN_BOTH) {
		p->n_images = b->cfg->n_images_all;
		for (size_t i = 0; i < b->cfg->n_images; i++)
			p->n_image_platforms +=
			    b->cfg->images[i].shares_platforms ? 0 : b->cfg->images[i].n_platforms;
	}
	plan_fit(p, b);
	*out = p;
	return 0;
}

int pub_plan_make(const struct farm_config *cfg, const struct pub_plan_filter *f,
                  struct pub_plan **out, struct base_error *err)
{
	struct pub_plan *p = calloc(1, sizeof(*p));
	struct plan_build b = {cfg, f, p, 0, 0, err, 0, PLAN_BOTH};
	int rc;

	*out = NULL;
	if (!p || (f && f->n_only && !(p->only_seen = calloc(f->n_only, 1)))) {
		base_error_set(err, "out of memory");
		pub_plan_free(p);
		return -1;
	}
	if ((rc = plan_finish(&b, out)) < 0)
		pub_plan_free(p);
	return rc;
}

/* keep_image while the config is read: every target of the image counted,
 * hashed and parsed; the image held when one of them is the run's. */
static int plan_image(void *ctx, const struct farm_config *cfg, const struct farm_image *im)
{
	struct plan_build *b = ctx;
	struct pub_plan *p = b->p;
	struct farm_error ferr;
	int kept;

	if (!im) { /* the file is read again: start over */
		p->n_known = p->n_all = p->n_all_sources = p->n_only = 0;
		p->n_images = p->n_image_platforms = 0;
		if (p->only_seen)
			memset(p->only_seen, 0, b->f->n_only);
		plan_keys_clear(p);
		b->rc = 0;
		return 0;
	}
	memset(&ferr, 0, sizeof(ferr));
	b->cfg = cfg;
	p->n_images++;
	p->n_image_platforms += im->shares_platforms ? 0 : im->n_platforms;
	if ((kept = farm_image_targets(cfg, im, plan_keep, b, &ferr)) < 0) {
		if (b->rc == 0) {
			base_error_set(b->err, "%s", ferr.msg);
			b->rc = BASE_EINPUT;
		}
		return -1;
	}
	if (!kept && plan_image_keys(p, im) < 0) {
		base_error_set(b->err, "out of memory");
		b->rc = -1;
		return -1;
	}
	return kept > 0;
}

int pub_plan_load(const char *path, const struct pub_plan_filter *f, struct farm_config **cfg,
                  struct pub_plan **out, struct base_error *err)
{
	struct pub_plan *p = NULL;
	struct plan_build b = {NULL, f, NULL, 0, 0, err, 0, PLAN_COUNT};
	struct farm_load_options lo = {.platform_check = pub_platform_check};
	struct farm_error ferr;
	int rc = -1;

	memset(&ferr, 0, sizeof(ferr));
	*cfg = NULL;
	*out = NULL;
	if (!f || (f->n_only == 0 && f->shard_count == 0)) {
		/* the run's targets are all of them: one expansion */
		if (farm_config_load(path, &lo, cfg, &ferr) < 0) {
			base_error_set(err, "%s", ferr.msg);
			return BASE_EINPUT;
		}
		return pub_plan_make(*cfg, f, out, err);
	}
	lo.keep_image = plan_image;
	lo.keep_ctx = &b;
	b.p = p = calloc(1, sizeof(*p));
	if (!p || (f->n_only && !(p->only_seen = calloc(f->n_only, 1)))) {
		base_error_set(err, "out of memory");
		goto fail;
	}
	if (farm_config_load(path, &lo, cfg, &ferr) < 0) {
		/* the file's own errors first; else the reference that stopped it */
		rc = ferr.msg[0] || b.rc == 0 ? BASE_EINPUT : b.rc;
		if (ferr.msg[0] || b.rc == 0)
			base_error_set(err, "%s", ferr.msg[0] ? ferr.msg : "out of memory");
		goto fail;
	}
	b.cfg = *cfg;
	b.mode = PLAN_HOLD;
	if ((rc = plan_finish(&b, out)) < 0)
		goto fail;
	return 0;
fail:
	pub_plan_free(p);
	farm_config_free(*cfg);
	*cfg = NULL;
	return rc;
}

int pub_plan_knows(const struct pub_plan *p, const char *ref)
{
	uint64_t h = farm_ref_hash(ref);
	return p->n_known && bsearch(&h, p->known, p->n_known, sizeof(h), hash_cmp) != NULL;
}

static int plan_only_match(const struct pub_plan_target *t, const char *name)
{
	return only_match(t->farm, name);
}

static int plan_only_has(const struct pub_plan_target *t, const char *const *only, size_t n_only)
{
	for (size_t k = 0; k < n_only; k++)
		if (plan_only_match(t, only[k]))
			return 1;
	return n_only == 0;
}

int pub_plan_select(const struct pub_plan *p, const char *const *only, size_t n_only,
                    unsigned shard_index, unsigned shard_count, struct pub_plan_selection *out,
                    struct base_error *err)
{
	size_t *idx = calloc(p->n_targets ? p->n_targets : 1, sizeof(*idx));
	size_t n = 0, kept = 0;

	memset(out, 0, sizeof(*out));
	if (!idx) {
		base_error_set(err, "out of memory");
		return -1;
	}
	for (size_t k = 0; k < n_only; k++) {
		size_t i = 0;
		while (i < p->n_targets && !plan_only_match(&p->targets[i], only[k]))
			i++;
		if (i == p->n_targets) {
			free(idx);
			base_error_set(err, "--only \"%s\": no image or target of that name",
			               only[k]);
			return BASE_EINPUT;
		}
	}
	for (size_t i = 0; i < p->n_targets; i++) {
		if (!plan_only_has(&p->targets[i], only, n_only))
			continue;
		kept++;
		if (shard_count &&
		    !farm_shard_has(p->targets[i].farm->ref, shard_index, shard_count))
			continue;
		idx[n++] = i;
	}
	out->index = idx;
	out->n = n;
	out->n_only = kept;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int pub_config_digest(const char *path, char out[REG_DIGEST_MAX], struct base_error *err)
{
	FILE *f = fopen(path, "rb");
	struct base_buf b = {0};
	char chunk[8192];
	size_t n;
	int rc = -1;

	out[0] = '\0';
	if (!f) {
		base_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		base_buf_put(&b, chunk, n);
	if (ferror(f)) {
		base_error_set(err, "%s: read failed", path);
		goto out;
	}
	if (b.oom) {
		base_error_set(err, "out of memory");
		goto out;
	}
	reg_digest_sha256(b.data ? b.data : (const uint8_t *)"", b.len, out);
	rc = 0;
out:
	free(b.data);
	fclose(f);
	return rc;
}

int pub_config_targets(const char *path, char ***refs, size_t *n, char digest[REG_DIGEST_MAX],
                       struct base_error *err)
{
	struct farm_load_options lo = {.platform_check = pub_platform_check};
	struct farm_config *cfg = NULL;
	struct pub_plan *plan = NULL;
	struct farm_error ferr;
	int rc;

	memset(&ferr, 0, sizeof(ferr));
	*refs = NULL;
	*n = 0;
	if (farm_config_load(path, &lo, &cfg, &ferr) < 0) {
		base_error_set(err, "%s", ferr.msg);
		return BASE_EINPUT;
	}
	if ((rc = pub_plan_make(cfg, NULL, &plan, err)) < 0)
		goto out;
	rc = -1;
	if (pub_config_digest(path, digest, err) < 0)
		goto out;
	*refs = calloc(plan->n_targets ? plan->n_targets : 1, sizeof(**refs));
	if (!*refs)
		goto oom;
	for (size_t i = 0; i < plan->n_targets; i++) {
		if (!((*refs)[i] = strdup(plan->farm->targets[i].ref)))
			goto oom;
		*n = i + 1;
	}
	qsort(*refs, *n, sizeof(**refs), str_cmp);
	rc = 0;
	goto out;
oom:
	base_error_set(err, "out of memory");
out:
	pub_plan_free(plan);
	farm_config_free(cfg);
	return rc;
}
