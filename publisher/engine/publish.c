/* publish.c — the check and publish jobs: load the config, expand the plan,
 * HEAD every per-arch (and target) tag in parallel, decide per target
 * (incomplete / unchanged / publish), publish in parallel, then record the
 * status file and its git commit. One bad target never stops the others. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* One HEAD of phase 1. */
struct head_slot {
	int rc; /* REG_OK, REG_ENOTFOUND, or another error (err says why) */
	struct reg_head h;
	struct reg_error err;
};

/* One target through both phases. Workers touch only their own tjob. */
struct tjob {
	const struct farm_target *t;
	const struct pub_target_status *prev; /* last run's record, or NULL */
	struct head_slot *heads;              /* n_sources, then the target tag */
	int verify;
	struct pub_target_status out;
	struct pub_target_writes writes;
};

struct job_ctx {
	const struct pub_job_options *o;
	struct tjob *jobs;
	size_t n_jobs;
	/* phase 1: flat (target, slot) pairs */
	size_t *head_target, *head_slot;
	size_t n_heads;
	int check_only;
	struct pub_keylock *repo_locks; /* publish: one per target repository */
	atomic_size_t done;
	size_t total;
	const char *phase;
};

static void progress_tick(struct job_ctx *x)
{
	size_t done = atomic_fetch_add(&x->done, 1) + 1;
	if (x->o->progress)
		x->o->progress(x->o->progress_ctx, x->phase, done, x->total);
}

static const char *head_ref_text(const struct tjob *j, size_t k)
{
	return k < j->t->n_sources ? j->t->sources[k].ref : j->t->ref;
}

static void head_job(struct reg_session *s, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	struct tjob *j = &x->jobs[x->head_target[i]];
	struct head_slot *slot = &j->heads[x->head_slot[i]];
	struct reg_ref ref = {0};

	reg_error_clear(&slot->err);
	slot->rc = reg_ref_parse(head_ref_text(j, x->head_slot[i]), &ref, &slot->err);
	if (slot->rc == 0)
		slot->rc = reg_manifest_head(s, &ref, &slot->h, &slot->err);
	reg_ref_free(&ref);
	progress_tick(x);
}

/* ---- per-target helpers ---------------------------------------------------- */

/* farm_kv and reg_annotation have the same shape; the list builder only reads. */
static const struct reg_annotation *kv_as_annotations(const struct farm_kv *kv)
{
	static const struct reg_annotation none[1];
	if (!kv)
		return none;
	return (const struct reg_annotation *)(const void *)kv;
}

static const struct pub_platform_status *prev_platform(const struct tjob *j, size_t k)
{
	const char *name = j->t->sources[k].platform->name;
	if (!j->prev)
		return NULL;
	for (size_t i = 0; i < j->prev->n_platforms; i++)
		if (j->prev->platforms[i].platform &&
		    strcmp(j->prev->platforms[i].platform, name) == 0)
			return &j->prev->platforms[i];
	return NULL;
}

/* The config check passed at this digest on an earlier night (DESIGN rule 5:
 * cached by child digest in the status file). */
static int cached_verified(const struct tjob *j, size_t k, const char *digest)
{
	const struct pub_platform_status *p = prev_platform(j, k);
	return p && p->verified && p->state == PUB_P_READY && p->digest && digest &&
	       strcmp(p->digest, digest) == 0;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

/* Append "a, b" style items. */
static void append_item(char **list, const char *item, const char *sep)
{
	size_t a = *list ? strlen(*list) : 0, b = strlen(item), c = strlen(sep);
	char *n = realloc(*list, a + (a ? c : 0) + b + 1);
	if (!n)
		return;
	if (a) {
		memcpy(n + a, sep, c);
		a += c;
	}
	memcpy(n + a, item, b + 1);
	*list = n;
}

static void add_write(struct tjob *j, const char *ref)
{
	char **n = realloc(j->writes.refs, (j->writes.n_refs + 1) * sizeof(*n));
	if (!n)
		return;
	j->writes.refs = n;
	if ((n[j->writes.n_refs] = strdup(ref)))
		j->writes.n_refs++;
}

static void target_fail(struct tjob *j, const char *reason)
{
	j->out.state = PUB_T_FAILED;
	set_str(&j->out.reason, reason);
}

/* Record the platforms as the HEADs saw them; returns 0 when all are
 * present, 1 when some are missing (incomplete), -1 on an error (failed). */
static int classify_heads(struct tjob *j)
{
	char *missing = NULL;
	const char *first_error = NULL;

	for (size_t k = 0; k < j->t->n_sources; k++) {
		struct pub_platform_status *p = &j->out.platforms[k];
		struct head_slot *h = &j->heads[k];
		if (h->rc == 0) {
			p->state = PUB_P_READY;
			set_str(&p->digest, h->h.digest[0] ? h->h.digest : NULL);
			set_str(&p->media_type, h->h.media_type[0] ? h->h.media_type : NULL);
			p->size = h->h.size;
			p->verified = j->verify && cached_verified(j, k, p->digest);
		} else if (h->rc == REG_ENOTFOUND) {
			p->state = PUB_P_MISSING;
			append_item(&missing, p->platform, ", ");
		} else {
			p->state = PUB_P_ERROR;
			set_str(&p->reason, h->err.msg);
			if (!first_error)
				first_error = h->err.msg;
		}
	}
	if (first_error) {
		target_fail(j, first_error);
		free(missing);
		return -1;
	}
	if (missing) {
		j->out.state = PUB_T_INCOMPLETE;
		free(j->out.reason);
		j->out.reason = NULL;
		append_item(&j->out.reason, "missing ", "");
		append_item(&j->out.reason, missing, "");
		free(missing);
		return 1;
	}
	return 0;
}

/* The unchanged night: every source HEAD named an image whose platform was
 * already verified at that digest, so the list bytes can be built from the
 * HEADs alone; when the target tag holds their digest nothing else is asked
 * (platforms + 1 HEADs; extra tags add one HEAD each, only then).
 * Returns 1 when the target is unchanged. */
static int try_unchanged(struct reg_session *s, struct tjob *j, struct reg_platform *plats)
{
	const struct head_slot *th = &j->heads[j->t->n_sources];
	const struct farm_image *img = j->t->image;
	struct reg_list_entry *entries = NULL;
	struct reg_buf bytes = {0};
	const char *mt = NULL;
	char digest[REG_DIGEST_MAX];
	struct reg_error err;
	int same = 0;

	reg_error_clear(&err);
	if (th->rc != 0 || !th->h.digest[0])
		return 0;
	for (size_t k = 0; k < j->t->n_sources; k++) {
		const struct pub_platform_status *p = &j->out.platforms[k];
		if (!p->digest || !p->media_type || !reg_media_type_is_image(p->media_type) ||
		    p->size < 0 || (j->verify && !p->verified))
			return 0;
	}
	entries = calloc(j->t->n_sources, sizeof(*entries));
	if (!entries)
		return 0;
	for (size_t k = 0; k < j->t->n_sources; k++) {
		const struct farm_platform *fp = j->t->sources[k].platform;
		entries[k].media_type = j->out.platforms[k].media_type;
		entries[k].digest = j->out.platforms[k].digest;
		entries[k].size = j->out.platforms[k].size;
		entries[k].platform = &plats[k];
		entries[k].annotations = kv_as_annotations(fp->annotations);
		entries[k].n_annotations = fp->n_annotations;
	}
	if (reg_list_build(pub_list_format(img->format), entries, j->t->n_sources,
	                   kv_as_annotations(img->annotations), img->n_annotations, &bytes, &mt,
	                   &err) < 0)
		goto out;
	reg_digest_sha256(bytes.data, bytes.len, digest);
	if (strcmp(digest, th->h.digest) != 0)
		goto out;
	for (size_t e = 0; e < j->t->n_extra_refs; e++) {
		struct reg_ref ref = {0};
		struct reg_head h;
		int r = reg_ref_parse(j->t->extra_refs[e], &ref, &err);
		if (r == 0)
			r = reg_manifest_head(s, &ref, &h, &err);
		reg_ref_free(&ref);
		if (r != 0 || strcmp(h.digest, digest) != 0)
			goto out;
	}
	j->out.state = PUB_T_UNCHANGED;
	set_str(&j->out.digest, digest);
	set_str(&j->out.media_type, mt);
	j->writes.list_size = (long long)bytes.len;
	same = 1;
out:
	reg_buf_free(&bytes);
	free(entries);
	return same;
}

/* GET every child (verifying platforms not already verified at their
 * digest), copy them into the target repository and PUT the list. */
static void publish_target(struct reg_session *s, struct tjob *j, struct reg_platform *plats,
                           int dry_run)
{
	const struct farm_target *t = j->t;
	const struct farm_image *img = t->image;
	struct pub_child *kids = calloc(t->n_sources, sizeof(*kids));
	struct reg_ref target = {0}, *extra = NULL;
	struct pub_list_result res;
	struct reg_error err;
	char *missing = NULL, *failure = NULL;
	size_t n_extra = 0;

	reg_error_clear(&err);
	if (!kids) {
		target_fail(j, "out of memory");
		return;
	}
	for (size_t k = 0; k < t->n_sources; k++) {
		const struct farm_platform *fp = t->sources[k].platform;
		struct pub_child *c = &kids[k];
		struct pub_platform_status *p = &j->out.platforms[k];

		c->source = strdup(t->sources[k].ref);
		if (!c->source || reg_platform_copy(&c->platform, &plats[k]) < 0) {
			append_item(&failure, "out of memory", "; ");
			continue;
		}
		if (fp->n_annotations) {
			c->annotations = calloc(fp->n_annotations, sizeof(*c->annotations));
			for (size_t a = 0; c->annotations && a < fp->n_annotations; a++) {
				c->annotations[a].key = strdup(fp->annotations[a].key);
				c->annotations[a].value = strdup(fp->annotations[a].value);
				c->n_annotations = a + 1;
			}
		}
		/* A child that resolves to the digest verified on an earlier
		 * night needs no config GET (for a list source too: the record
		 * holds the resolved entry's digest). */
		{
			const struct pub_platform_status *pp = prev_platform(j, k);
			if (pp && pp->verified && pp->state == PUB_P_READY)
				c->verified_digest = pp->digest;
		}
		reg_error_clear(&err);
		pub_child_resolve(s, c, j->verify, &err);
		p->state = c->state;
		set_str(&p->reason, c->reason);
		if (c->state == PUB_P_READY) {
			set_str(&p->digest, c->manifest.digest);
			set_str(&p->media_type, c->manifest.media_type);
			p->size = (long long)c->manifest.raw.len;
			p->verified = c->verified;
			if (c->from_list)
				set_str(&p->reason, "source is a list; its entry for this "
				                    "platform is used (attestations skipped)");
		} else if (c->state == PUB_P_MISSING) {
			set_str(&p->digest, NULL);
			set_str(&p->media_type, NULL);
			p->size = -1;
			p->verified = 0;
			append_item(&missing, p->platform, ", ");
		} else {
			p->verified = 0;
			append_item(&failure, c->reason ? c->reason : err.msg, "; ");
		}
	}
	if (failure) {
		target_fail(j, failure);
		goto out;
	}
	if (missing) {
		j->out.state = PUB_T_INCOMPLETE;
		set_str(&j->out.reason, "missing ");
		append_item(&j->out.reason, missing, "");
		goto out;
	}
	if (reg_ref_parse(t->ref, &target, &err) < 0) {
		target_fail(j, err.msg);
		goto out;
	}
	if (t->n_extra_refs) {
		extra = calloc(t->n_extra_refs, sizeof(*extra));
		if (!extra) {
			target_fail(j, "out of memory");
			goto out;
		}
		for (; n_extra < t->n_extra_refs; n_extra++) {
			if (reg_ref_parse(t->extra_refs[n_extra], &extra[n_extra], &err) < 0) {
				target_fail(j, err.msg);
				goto out;
			}
		}
	}
	reg_error_clear(&err);
	if (pub_list_publish(s, &target, extra, n_extra, kids, t->n_sources,
	                     pub_list_format(img->format), kv_as_annotations(img->annotations),
	                     img->n_annotations, dry_run, &res, &err) < 0) {
		target_fail(j, err.msg);
		goto out;
	}
	j->out.state = res.changed ? PUB_T_PUBLISHED : PUB_T_UNCHANGED;
	set_str(&j->out.digest, res.digest);
	set_str(&j->out.media_type, res.media_type);
	set_str(&j->out.reason, NULL);
	j->writes.list_size = (long long)res.size;
	if (res.changed) {
		add_write(j, t->ref);
		for (size_t e = 0; e < t->n_extra_refs; e++)
			add_write(j, t->extra_refs[e]);
	}
out:
	for (size_t e = 0; e < n_extra; e++)
		reg_ref_free(&extra[e]);
	free(extra);
	reg_ref_free(&target);
	for (size_t k = 0; k < t->n_sources; k++)
		pub_child_free(&kids[k]);
	free(kids);
	free(missing);
	free(failure);
}

static void target_job(struct reg_session *s, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	struct tjob *j = &x->jobs[i];
	struct reg_platform *plats = NULL;
	struct reg_error err;
	const char *ref = j->t->ref;

	reg_error_clear(&err);
	if (classify_heads(j) != 0)
		goto out;
	plats = calloc(j->t->n_sources, sizeof(*plats));
	if (!plats) {
		target_fail(j, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < j->t->n_sources; k++) {
		if (pub_platform_from_farm(j->t->sources[k].platform, &plats[k], &err) < 0) {
			target_fail(j, err.msg);
			goto out;
		}
	}
	if (!try_unchanged(s, j, plats)) {
		/* Targets of one repository publish one after another: they
		 * often share children, and identical concurrent writes race. */
		pub_keylock_lock(x->repo_locks, i);
		publish_target(s, j, plats, x->o->g.dry_run);
		pub_keylock_unlock(x->repo_locks, i);
	}
out:
	if (j->out.state == PUB_T_PUBLISHED)
		pub_log(PUB_LOG_INFO, "%s %s %s", x->o->g.dry_run ? "would publish" : "published",
		        ref, j->out.digest ? j->out.digest : "");
	else if (j->out.state == PUB_T_UNCHANGED)
		pub_log(PUB_LOG_DEBUG, "unchanged %s %s", ref, j->out.digest ? j->out.digest : "");
	else if (j->out.state == PUB_T_INCOMPLETE)
		pub_log(PUB_LOG_INFO, "%s: incomplete: %s", ref,
		        j->out.reason ? j->out.reason : "");
	else
		pub_log(PUB_LOG_ERROR, "%s: failed: %s", ref, j->out.reason ? j->out.reason : "");
	for (size_t k = 0; plats && k < j->t->n_sources; k++)
		reg_platform_free(&plats[k]);
	free(plats);
	progress_tick(x);
}

/* ---- the run ----------------------------------------------------------------- */

struct run {
	struct farm_config *cfg;
	struct farm_plan *plan;
	struct reg_client *client;
	struct pub_status *prev;
	struct job_ctx x;
};

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->x.n_jobs; i++) {
		struct tjob *j = &r->x.jobs[i];
		free(j->heads);
		pub_target_status_free(&j->out);
		for (size_t k = 0; k < j->writes.n_refs; k++)
			free(j->writes.refs[k]);
		free(j->writes.refs);
	}
	free(r->x.jobs);
	free(r->x.head_target);
	free(r->x.head_slot);
	pub_keylock_free(r->x.repo_locks);
	reg_client_free(r->client);
	pub_status_free(r->prev);
	farm_plan_free(r->plan);
	farm_config_free(r->cfg);
}

static int tjob_init(struct tjob *j, const struct farm_target *t, const struct pub_status *prev,
                     int with_target)
{
	j->t = t;
	j->prev = pub_status_find(prev, t->ref);
	j->verify = t->image->verify_platform;
	j->writes.list_size = -1;
	j->heads = calloc(t->n_sources + (size_t)with_target, sizeof(*j->heads));
	j->out.target = strdup(t->ref);
	j->out.state = PUB_T_FAILED;
	j->out.platforms = calloc(t->n_sources ? t->n_sources : 1, sizeof(*j->out.platforms));
	if (!j->heads || !j->out.target || !j->out.platforms)
		return -1;
	j->out.n_platforms = t->n_sources;
	for (size_t k = 0; k < t->n_sources; k++) {
		struct pub_platform_status *p = &j->out.platforms[k];
		p->platform = strdup(t->sources[k].platform->name);
		p->source = strdup(t->sources[k].ref);
		p->size = -1;
		if (!p->platform || !p->source)
			return -1;
	}
	return 0;
}

static int repo_locks_new(struct run *r, struct reg_error *err)
{
	char **keys = calloc(r->x.n_jobs ? r->x.n_jobs : 1, sizeof(*keys));
	int rc = -1;

	if (!keys) {
		reg_error_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < r->x.n_jobs; i++) {
		struct reg_ref ref = {0};
		struct reg_error perr;
		reg_error_clear(&perr);
		/* an unparsable ref fails its target before any write */
		if (reg_ref_parse(r->x.jobs[i].t->ref, &ref, &perr) == 0)
			keys[i] = reg_ref_format_repo(&ref);
		else
			keys[i] = strdup(r->x.jobs[i].t->ref);
		reg_ref_free(&ref);
		if (!keys[i]) {
			reg_error_set(err, "out of memory");
			goto out;
		}
	}
	rc = pub_keylock_new((const char *const *)keys, r->x.n_jobs, &r->x.repo_locks, err);
out:
	for (size_t i = 0; i < r->x.n_jobs; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

static int only_match(const struct farm_target *t, const char *name)
{
	return strcmp(t->image->name, name) == 0 || strcmp(t->ref, name) == 0;
}

/* o->only_names: a target any name matches; everything when none given. */
static int only_keeps(const struct pub_job_options *o, const struct farm_target *t)
{
	for (size_t k = 0; k < o->n_only; k++)
		if (only_match(t, o->only_names[k]))
			return 1;
	return o->n_only == 0;
}

/* A name that matches nothing is an error, as farm_plan_expand's `only`. */
static int only_check(const struct pub_job_options *o, const struct farm_plan *p,
                      struct reg_error *err)
{
	for (size_t k = 0; k < o->n_only; k++) {
		size_t i = 0;
		while (i < p->n_targets && !only_match(&p->targets[i], o->only_names[k]))
			i++;
		if (i == p->n_targets) {
			reg_error_set(err, "--only \"%s\": no image or target of that name",
			              o->only_names[k]);
			return -1;
		}
	}
	return 0;
}

/* Config, plan, previous status, client, jobs: everything that can fail
 * before a request is sent. 0, PUB_EINPUT (nothing sent or written) or -1. */
static int run_prepare(const struct pub_job_options *o, int check_only, struct run *r,
                       struct pub_job_result *out, struct reg_error *err)
{
	struct farm_load_options lo = {.platform_check = pub_platform_check};
	struct farm_error ferr;
	unsigned shard_i = 0, shard_n = 0;
	const char *status_path;

	memset(&ferr, 0, sizeof(ferr));
	r->x.o = o;
	r->x.check_only = check_only;
	if (!o->config_path) {
		reg_error_set(err, "no config given (-c CONFIG)");
		return PUB_EINPUT;
	}
	if (farm_config_load(o->config_path, &lo, &r->cfg, &ferr) < 0) {
		reg_error_set(err, "%s", ferr.msg);
		return PUB_EINPUT;
	}
	out->is_spec = r->cfg->is_spec;
	if (pub_shard_parse(o->shard, &shard_i, &shard_n, err) < 0)
		return PUB_EINPUT;
	if (farm_plan_expand(r->cfg, o->n_only ? NULL : o->only, &r->plan, &ferr) < 0) {
		reg_error_set(err, "%s", ferr.msg);
		return PUB_EINPUT;
	}
	if (only_check(o, r->plan, err) < 0)
		return PUB_EINPUT;
	status_path = o->status_path ? o->status_path : r->cfg->status;
	if (!check_only && (o->commit || o->git.push) && !status_path) {
		reg_error_set(err, "--commit/--push need a status file (--status F or status: in "
		                   "the config)");
		return PUB_EINPUT;
	}
	/* Read even for a dry run: it is the platform-verification cache. */
	if (!check_only && status_path) {
		if (pub_status_load(status_path, &r->prev, err) < 0)
			return PUB_EINPUT;
		if (!o->g.dry_run && !(out->status_path = strdup(status_path))) {
			reg_error_set(err, "out of memory");
			return -1;
		}
	}
	if (pub_client_new(r->cfg, &o->g, &r->client, err) < 0)
		return PUB_EINPUT;

	r->x.jobs = calloc(r->plan->n_targets ? r->plan->n_targets : 1, sizeof(*r->x.jobs));
	if (!r->x.jobs)
		goto oom;
	for (size_t i = 0; i < r->plan->n_targets; i++) {
		const struct farm_target *t = &r->plan->targets[i];
		if ((shard_n && !farm_shard_has(t->ref, shard_i, shard_n)) || !only_keeps(o, t))
			continue;
		if (tjob_init(&r->x.jobs[r->x.n_jobs++], t, r->prev, !check_only) < 0)
			goto oom;
		r->x.n_heads += t->n_sources + (check_only ? 0 : 1);
	}
	r->x.head_target = calloc(r->x.n_heads ? r->x.n_heads : 1, sizeof(size_t));
	r->x.head_slot = calloc(r->x.n_heads ? r->x.n_heads : 1, sizeof(size_t));
	if (!r->x.head_target || !r->x.head_slot)
		goto oom;
	for (size_t i = 0, n = 0; i < r->x.n_jobs; i++) {
		size_t slots = r->x.jobs[i].t->n_sources + (check_only ? 0 : 1);
		for (size_t k = 0; k < slots; k++, n++) {
			r->x.head_target[n] = i;
			r->x.head_slot[n] = k;
		}
	}
	if (!check_only && repo_locks_new(r, err) < 0)
		return -1;
	if (shard_n)
		pub_log(PUB_LOG_INFO, "shard %u/%u: %zu of %zu targets", shard_i, shard_n,
		        r->x.n_jobs, r->plan->n_targets);
	return 0;
oom:
	reg_error_set(err, "out of memory");
	return -1;
}

static int run_pool(struct run *r, const char *phase, size_t n, pub_job_fn fn,
                    struct reg_error *err)
{
	atomic_store(&r->x.done, 0);
	r->x.total = n;
	r->x.phase = phase;
	return pub_pool_run(r->client, r->x.o->g.jobs > 0 ? r->x.o->g.jobs : 16, n, fn, &r->x, err);
}

/* Hand this run's records to the result (plan order) and count them. */
static void run_collect(struct run *r, struct pub_job_result *out)
{
	out->targets = calloc(r->x.n_jobs ? r->x.n_jobs : 1, sizeof(*out->targets));
	out->writes = calloc(r->x.n_jobs ? r->x.n_jobs : 1, sizeof(*out->writes));
	if (!out->targets || !out->writes)
		return;
	for (size_t i = 0; i < r->x.n_jobs; i++) {
		struct tjob *j = &r->x.jobs[i];
		out->targets[i] = j->out;
		out->writes[i] = j->writes;
		memset(&j->out, 0, sizeof(j->out));
		memset(&j->writes, 0, sizeof(j->writes));
		switch (out->targets[i].state) {
		case PUB_T_PUBLISHED:
			out->run.published++;
			break;
		case PUB_T_UNCHANGED:
			out->run.unchanged++;
			break;
		case PUB_T_INCOMPLETE:
			out->run.incomplete++;
			break;
		default:
			out->run.failed++;
		}
	}
	out->n_targets = r->x.n_jobs;
	reg_client_stats(r->client, &out->stats);
}

void pub_job_result_free(struct pub_job_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_targets; i++) {
		if (r->targets)
			pub_target_status_free(&r->targets[i]);
		for (size_t k = 0; r->writes && k < r->writes[i].n_refs; k++)
			free(r->writes[i].refs[k]);
		if (r->writes)
			free(r->writes[i].refs);
	}
	free(r->targets);
	free(r->writes);
	free(r->run.started);
	free(r->run.finished);
	free(r->status_path);
	memset(r, 0, sizeof(*r));
}

const char *pub_check_state_str(enum pub_target_state s)
{
	switch (s) {
	case PUB_T_PUBLISHED:
	case PUB_T_UNCHANGED:
		return "ready";
	case PUB_T_INCOMPLETE:
		return "incomplete";
	default:
		return "failed";
	}
}

int pub_check_job(const struct pub_job_options *o, struct pub_job_result *out,
                  struct reg_error *err)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	reg_error_clear(err);
	out->run.started = pub_now_rfc3339();
	rc = run_prepare(o, 1, &r, out, err);
	if (rc < 0)
		goto out;
	if (run_pool(&r, "checking", r.x.n_heads, head_job, err) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < r.x.n_jobs; i++)
		if (classify_heads(&r.x.jobs[i]) == 0)
			r.x.jobs[i].out.state = PUB_T_PUBLISHED; /* "ready" */
	out->run.finished = pub_now_rfc3339();
	run_collect(&r, out);
	rc = 0;
out:
	run_free(&r);
	return rc;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Refs of every target the config describes (all shards, no --only): a
 * record for anything else belongs to an image removed from the config. */
static int known_targets(const struct run *r, char ***out, size_t *n, struct reg_error *err)
{
	struct farm_plan *full = NULL;
	struct farm_error ferr;
	char **refs;

	memset(&ferr, 0, sizeof(ferr));
	if (farm_plan_expand(r->cfg, NULL, &full, &ferr) < 0) {
		reg_error_set(err, "%s", ferr.msg);
		return -1;
	}
	refs = calloc(full->n_targets ? full->n_targets : 1, sizeof(*refs));
	if (!refs) {
		farm_plan_free(full);
		reg_error_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < full->n_targets; i++)
		refs[i] = strdup(full->targets[i].ref);
	*n = full->n_targets;
	for (size_t i = 0; i < *n; i++) {
		if (!refs[i]) {
			for (size_t k = 0; k < *n; k++)
				free(refs[k]);
			free(refs);
			farm_plan_free(full);
			reg_error_set(err, "out of memory");
			return -1;
		}
	}
	qsort(refs, *n, sizeof(*refs), str_cmp);
	farm_plan_free(full);
	*out = refs;
	return 0;
}

static void git_note(void *ctx, const char *msg)
{
	(void)ctx;
	pub_log(PUB_LOG_INFO, "%s", msg);
}

int pub_publish_job(const struct pub_job_options *o, struct pub_job_result *out,
                    struct reg_error *err)
{
	struct pub_status *next = NULL;
	char **known = NULL;
	size_t n_known = 0;
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	reg_error_clear(err);
	out->dry_run = o->g.dry_run;
	out->run.started = pub_now_rfc3339();
	rc = run_prepare(o, 0, &r, out, err);
	if (rc < 0) {
		free(out->status_path);
		out->status_path = NULL;
		goto out;
	}
	/* Phase 1: every source and target tag, one HEAD each. */
	if (run_pool(&r, "checking", r.x.n_heads, head_job, err) < 0)
		goto fatal;
	/* Phase 2: one job per target. */
	if (run_pool(&r, "publishing", r.x.n_jobs, target_job, err) < 0)
		goto fatal;
	out->run.finished = pub_now_rfc3339();
	run_collect(&r, out);
	rc = 0;
	if (!out->status_path)
		goto out;

	if (known_targets(&r, &known, &n_known, err) < 0 ||
	    pub_status_next(r.prev, out->targets, out->n_targets, (const char *const *)known,
	                    n_known, r.cfg->path, &out->run, &next, err) < 0 ||
	    pub_status_write(out->status_path, next, err) < 0) {
		free(out->status_path);
		out->status_path = NULL;
		rc = -1;
		goto out;
	}
	if (o->commit || o->git.push) {
		struct pub_git_options git = o->git;
		git.note = git_note;
		if (pub_git_record(out->status_path, r.prev, next, &git, &out->committed, err) <
		    0) {
			reg_error_wrap(err, "status file %s written but not recorded in git",
			               out->status_path);
			rc = -1;
		}
	}
	goto out;
fatal:
	free(out->status_path);
	out->status_path = NULL;
	rc = -1;
out:
	for (size_t i = 0; i < n_known; i++)
		free(known[i]);
	free(known);
	pub_status_free(next);
	run_free(&r);
	return rc;
}
