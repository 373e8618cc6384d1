/* prune.c — the prune job: per-arch source tags whose targets have
 * published lists holding exactly their digests are deleted (by digest,
 * as registries delete), only when no other tag of the repository holds
 * that digest and each tag still holds it just before the delete. A dry
 * run unless confirmed. The decision itself is prune_decide.c. */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"
#include "prune.h"

static const char *const action_names[PUB_PRUNE__COUNT] = {"deleted", "would-delete", "kept",
                                                           "failed"};

const char *pub_prune_action_str(enum pub_prune_action a)
{
	return (unsigned)a < PUB_PRUNE__COUNT ? action_names[a] : "unknown";
}

void pub_prune_result_free(struct pub_prune_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_items; i++) {
		free(r->items[i].ref);
		free(r->items[i].digest);
		free(r->items[i].reason);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/* One distinct source tag. Phase 1 worker j writes only its own. */
struct psource {
	const struct reg_ref *ref; /* the plan's */
	char *key;                 /* reg_ref_format */
	char *repo;                /* reg_ref_format_repo */
	const char *retag_to;      /* a retag: rule copies this tag there (the copy plan's) */
	int selected, needed;
	int rc;
	char digest[REG_DIGEST_MAX];
	char *error;
	/* the decision and what became of it */
	struct pub_prune_verdict v;
	enum pub_prune_action action;
	char *reason;
};

/* One target of the plan. Phase 1 worker i writes only its own. */
struct ptarget {
	const struct pub_plan_target *pt;
	int selected, needed;
	struct reg_manifest list;
	unsigned char *missing; /* per list entry: 1 when the repository does not serve it */
	char *why_not;
	int error;                  /* why_not is a registry error */
	struct pub_prune_use *uses; /* n_sources of pt */
};

/* One DELETE: a repository, a digest, the tags that go with it. */
struct pgroup {
	size_t *members; /* indexes of sources */
	size_t n;
	int unsupported; /* its DELETE met a registry with deletes disabled */
};

struct prune_run {
	const struct pub_prune_options *o;
	struct pub_plan *plan;
	struct ptarget *t;
	size_t nt;
	struct psource *s;
	size_t ns;
	struct farm_copy_plan *copies; /* the config's retag: rules, expanded */
	size_t *jobs; /* phase 1: needed targets, then needed sources (index | TOP) */
	size_t n_jobs;
	struct pgroup *g; /* phase 2 worker k writes only g[k] and its members */
	size_t ng;
};

#define SOURCE_BIT ((size_t)1 << (sizeof(size_t) * 8 - 1))

static char *dup_err(const struct base_error *e)
{
	return strdup(e->msg[0] ? e->msg : "unknown error");
}

static void check_target(struct reg_session *s, struct ptarget *t)
{
	const struct pub_plan_target *pt = t->pt;
	struct reg_head h = {0};
	struct reg_ref pinned = {0};
	struct base_error e;
	int rc;

	base_error_clear(&e);
	rc = reg_manifest_head(s, &pt->ref, &h, &e);
	if (rc == BASE_ENOTFOUND) {
		t->why_not = strdup("not published");
		return;
	}
	if (rc < 0 || !reg_media_type_is_list(h.media_type) || !reg_digest_valid(h.digest)) {
		if (rc == 0 && reg_media_type_is_list(h.media_type))
			base_error_set(&e, "HEAD manifest: no digest in the answer");
		else if (rc == 0)
			base_error_set(&e, "holds %s, not a list",
			               h.media_type[0] ? h.media_type : "no known type");
		t->why_not = dup_err(&e);
		t->error = rc < 0;
		return;
	}
	/* Pinned to what the HEAD said, so the entries are that list's. */
	if (reg_ref_copy(&pinned, &pt->ref) < 0) {
		t->why_not = strdup("out of memory");
		t->error = 1;
		goto out;
	}
	free(pinned.digest);
	pinned.digest = strdup(h.digest);
	if (!pinned.digest || reg_manifest_get(s, &pinned, &t->list, &e) < 0 || !t->list.is_list) {
		if (!e.msg[0])
			base_error_set(&e, "GET: not a list");
		t->why_not = dup_err(&e);
		t->error = 1;
		goto out;
	}
	/* Each child in the target's repository, by digest: a list whose
	 * child is gone there keeps that child's source (the last copy). */
	if (!(t->missing = calloc(t->list.n_entries + 1, 1))) {
		t->why_not = strdup("out of memory");
		t->error = 1;
		goto out;
	}
	for (size_t k = 0; k < t->list.n_entries; k++) {
		struct reg_ref child = {pt->ref.registry, pt->ref.repository, NULL,
		                        t->list.entries[k].digest};
		struct reg_head ch = {0};
		rc = reg_manifest_head(s, &child, &ch, &e);
		if (rc == BASE_ENOTFOUND) {
			t->missing[k] = 1;
			continue;
		}
		if (rc < 0) {
			base_error_wrap(&e, "child %s", t->list.entries[k].digest);
			t->why_not = dup_err(&e);
			t->error = 1;
			goto out;
		}
	}
	for (size_t k = 0; k < pt->n_extra; k++) {
		struct reg_head xh = {0};
		rc = reg_manifest_head(s, &pt->extra[k], &xh, &e);
		if (rc == 0 && strcmp(xh.digest, h.digest) == 0)
			continue;
		char *x = reg_ref_format(&pt->extra[k]);
		char why[BASE_EMSG];
		snprintf(why, sizeof(why), "%s",
		         rc == BASE_ENOTFOUND ? "is missing"
		         : rc < 0             ? e.msg
		                              : "holds another list");
		base_error_set(&e, "extra tag %s %s", x ? x : "?", why);
		free(x);
		t->why_not = dup_err(&e);
		t->error = rc < 0 && rc != BASE_ENOTFOUND;
		break;
	}
out:
	reg_ref_free(&pinned);
}

static void check_source(struct reg_session *s, struct psource *src)
{
	struct reg_head h = {0};
	struct base_error e;

	base_error_clear(&e);
	src->rc = reg_manifest_head(s, src->ref, &h, &e);
	if (src->rc == 0 && !reg_digest_valid(h.digest)) {
		base_error_set(&e, "%s: HEAD manifest: no digest in the answer", src->key);
		src->rc = BASE_EFAIL;
	}
	if (src->rc == 0)
		snprintf(src->digest, sizeof(src->digest), "%s", h.digest);
	else if (src->rc != BASE_ENOTFOUND)
		src->error = dup_err(&e);
}

static void phase1(struct reg_session *s, size_t i, void *ctx)
{
	struct prune_run *r = ctx;
	size_t j = r->jobs[i];
	if (j & SOURCE_BIT)
		check_source(s, &r->s[j & ~SOURCE_BIT]);
	else
		check_target(s, &r->t[j]);
}

/* One group: who else holds the digest, each tag again, then the DELETE. */
static void phase2(struct reg_session *s, size_t gi, void *ctx)
{
	struct prune_run *r = ctx;
	struct pgroup *g = &r->g[gi];
	struct psource *first = &r->s[g->members[0]];
	const char **skip = calloc(g->n, sizeof(*skip));
	char **held = NULL;
	size_t n_held = 0, live = 0;
	struct reg_ref dref = {0};
	struct base_error e;
	int rc;

	base_error_clear(&e);
	for (size_t k = 0; skip && k < g->n; k++)
		skip[k] = r->s[g->members[k]].ref->tag;
	if (!skip ||
	    pub_tags_holding(s, first->ref, first->digest, skip, g->n, &held, &n_held, &e) < 0) {
		if (!skip)
			base_error_set(&e, "out of memory");
		base_error_wrap(&e, "not deleted: the tags holding %s are unknown", first->digest);
		for (size_t k = 0; k < g->n; k++) {
			r->s[g->members[k]].action = PUB_PRUNE_FAILED;
			r->s[g->members[k]].reason = dup_err(&e);
		}
		goto out;
	}
	if (n_held) {
		struct base_buf sb = {0};
		for (size_t k = 0; k < n_held; k++)
			base_buf_fmt(&sb, "%s%s", k ? ", " : "", held[k]);
		char *tags = base_buf_take(&sb);
		base_error_set(&e, "%s also backs tag%s %s of %s, which no target lets go",
		               first->digest, n_held > 1 ? "s" : "", tags ? tags : "?",
		               first->repo);
		free(tags);
		for (size_t k = 0; k < g->n; k++) {
			r->s[g->members[k]].action = PUB_PRUNE_KEPT;
			r->s[g->members[k]].reason = dup_err(&e);
		}
		goto out;
	}
	/* Just before the delete: each tag must still hold the digest. */
	for (size_t k = 0; k < g->n; k++) {
		struct psource *src = &r->s[g->members[k]];
		struct reg_head h = {0};
		rc = reg_manifest_head(s, src->ref, &h, &e);
		if (rc == 0 && strcmp(h.digest, src->digest) == 0) {
			live++;
			continue;
		}
		src->action = PUB_PRUNE_KEPT;
		src->reason =
		    strdup(rc == BASE_ENOTFOUND ? "gone since the check"
		                                : "changed since the check: run prune again");
	}
	if (!live)
		goto out;
	if (!r->o->confirm) {
		for (size_t k = 0; k < g->n; k++)
			if (!r->s[g->members[k]].reason)
				r->s[g->members[k]].action = PUB_PRUNE_WOULD_DELETE;
		goto out;
	}
	dref.registry = first->ref->registry;
	dref.repository = first->ref->repository;
	dref.digest = first->digest;
	rc = reg_manifest_delete(s, &dref, &e);
	if (rc == BASE_EUNSUPPORTED) {
		g->unsupported = 1;
		base_error_set(&e,
		               "the registry has deletes disabled (405); nothing was deleted. On a "
		               "distribution registry set storage.delete.enabled: true "
		               "(REGISTRY_STORAGE_DELETE_ENABLED=true)");
	}
	for (size_t k = 0; k < g->n; k++) {
		struct psource *src = &r->s[g->members[k]];
		if (src->reason)
			continue;
		src->action = rc < 0 ? PUB_PRUNE_FAILED : PUB_PRUNE_DELETED;
		if (rc < 0)
			src->reason = dup_err(&e);
	}
out:
	reg_tags_free(held, n_held);
	free(skip);
}

static int key_cmp(const void *a, const void *b)
{
	const struct psource *x = a, *y = b;
	return strcmp(x->key, y->key);
}

/* The distinct sources (sorted by key) and each target's uses of them. */
static int index_sources(struct prune_run *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nt; i++)
		n += r->t[i].pt->n_sources;
	r->s = calloc(n ? n : 1, sizeof(*r->s));
	if (!r->s)
		return -1;
	for (size_t i = 0; i < r->nt; i++) {
		for (size_t k = 0; k < r->t[i].pt->n_sources; k++) {
			struct psource *src = &r->s[r->ns++];
			src->ref = &r->t[i].pt->sources[k].ref;
			src->key = reg_ref_format(src->ref);
			src->repo = reg_ref_format_repo(src->ref);
			if (!src->key || !src->repo)
				return -1;
		}
	}
	qsort(r->s, r->ns, sizeof(*r->s), key_cmp);
	size_t w = 0;
	for (size_t i = 0; i < r->ns; i++) {
		if (w && strcmp(r->s[w - 1].key, r->s[i].key) == 0) {
			free(r->s[i].key);
			free(r->s[i].repo);
			continue;
		}
		r->s[w++] = r->s[i];
	}
	r->ns = w;
	for (size_t i = 0; i < r->nt; i++) {
		const struct pub_plan_target *pt = r->t[i].pt;
		r->t[i].uses = calloc(pt->n_sources ? pt->n_sources : 1, sizeof(*r->t[i].uses));
		if (!r->t[i].uses)
			return -1;
		for (size_t k = 0; k < pt->n_sources; k++) {
			char *key = reg_ref_format(&pt->sources[k].ref);
			struct psource probe = {.key = key}, *hit;
			if (!key)
				return -1;
			hit = bsearch(&probe, r->s, r->ns, sizeof(*r->s), key_cmp);
			free(key);
			r->t[i].uses[k].source = (size_t)(hit - r->s);
			r->t[i].uses[k].platform = pt->sources[k].farm->platform->name;
		}
	}
	return 0;
}

/* Which targets and sources to look at: the selected targets, their
 * sources, every other target using one of those, and its sources. */
static int mark_needed(struct prune_run *r, const struct pub_plan_selection *sel)
{
	int more = 1;
	for (size_t i = 0; i < sel->n; i++)
		r->t[sel->index[i]].selected = r->t[sel->index[i]].needed = 1;
	for (size_t i = 0; i < r->nt; i++)
		for (size_t k = 0; r->t[i].selected && k < r->t[i].pt->n_sources; k++)
			r->s[r->t[i].uses[k].source].selected = 1;
	while (more) {
		more = 0;
		for (size_t i = 0; i < r->nt; i++) {
			for (size_t k = 0; k < r->t[i].pt->n_sources; k++) {
				struct psource *src = &r->s[r->t[i].uses[k].source];
				if (r->t[i].needed && !src->needed)
					src->needed = more = 1;
				if (src->selected && !r->t[i].needed)
					r->t[i].needed = more = 1;
			}
		}
	}
	r->jobs = calloc(r->nt + r->ns + 1, sizeof(*r->jobs));
	if (!r->jobs)
		return -1;
	for (size_t i = 0; i < r->nt; i++)
		if (r->t[i].needed)
			r->jobs[r->n_jobs++] = i;
	for (size_t i = 0; i < r->ns; i++)
		if (r->s[i].needed)
			r->jobs[r->n_jobs++] = i | SOURCE_BIT;
	return 0;
}

/* Run the pure decision over what phase 1 found; fill each list's child. */
static int decide(struct prune_run *r)
{
	struct pub_prune_in_target *it = calloc(r->nt + 1, sizeof(*it));
	struct pub_prune_in_source *is = calloc(r->ns + 1, sizeof(*is));
	struct pub_prune_verdict *v = calloc(r->ns + 1, sizeof(*v));
	size_t nit = 0;
	int rc = -1;

	if (!it || !is || !v)
		goto out;
	for (size_t i = 0; i < r->nt; i++) {
		struct ptarget *t = &r->t[i];
		if (!t->needed)
			continue;
		for (size_t k = 0; !t->why_not && k < t->pt->n_sources; k++) {
			struct reg_platform want = {0};
			struct base_error e;
			long at;
			if (pub_platform_from_farm(t->pt->sources[k].farm->platform, &want, &e) < 0)
				goto out;
			at = reg_list_select(&t->list, &want);
			reg_platform_free(&want);
			t->uses[k].child = at >= 0 ? t->list.entries[at].digest : NULL;
			t->uses[k].child_missing = at >= 0 && t->missing && t->missing[at];
		}
		it[nit++] = (struct pub_prune_in_target){t->pt->farm->ref, t->why_not, t->uses,
		                                         t->pt->n_sources};
	}
	for (size_t i = 0; i < r->ns; i++) {
		struct psource *src = &r->s[i];
		is[i] = (struct pub_prune_in_source){
		    src->key, src->selected, src->rc == BASE_ENOTFOUND, src->error, src->digest,
		    NULL,     src->retag_to};
		for (size_t t = 0; t < r->plan->n_targets && !is[i].target_repo; t++)
			if (strcmp(r->plan->targets[t].repo, src->repo) == 0)
				is[i].target_repo = r->plan->targets[t].farm->ref;
	}
	if (pub_prune_decide(it, nit, is, r->ns, v) < 0)
		goto out;
	for (size_t i = 0; i < r->ns; i++) {
		if (v[i].deletable && !r->s[i].ref->tag) {
			/* a digest-pinned source: there is no tag to let go */
			v[i].deletable = 0;
			if (!(v[i].reason = strdup("pinned by digest, not a tag")))
				goto out;
		}
		r->s[i].v = v[i];
		r->s[i].action = PUB_PRUNE_KEPT;
		r->s[i].reason = v[i].reason;
	}
	rc = 0;
out:
	free(it);
	free(is);
	free(v);
	return rc;
}

/* Deletable sources grouped by repository and digest (sources are sorted
 * by reference, so one repository's tags are adjacent). */
static int group(struct prune_run *r)
{
	r->g = calloc(r->ns + 1, sizeof(*r->g));
	if (!r->g)
		return -1;
	for (size_t i = 0; i < r->ns; i++) {
		struct pgroup *g = NULL;
		if (!r->s[i].v.deletable)
			continue;
		for (size_t k = 0; k < r->ng && !g; k++) {
			struct psource *f = &r->s[r->g[k].members[0]];
			if (strcmp(f->repo, r->s[i].repo) == 0 &&
			    strcmp(f->digest, r->s[i].digest) == 0)
				g = &r->g[k];
		}
		if (!g) {
			g = &r->g[r->ng++];
			if (!(g->members = calloc(r->ns, sizeof(*g->members))))
				return -1;
		}
		g->members[g->n++] = i;
	}
	return 0;
}

static int collect(struct prune_run *r, struct pub_prune_result *out)
{
	out->items = calloc(r->ns + 1, sizeof(*out->items));
	if (!out->items)
		return -1;
	for (size_t i = 0; i < r->ns; i++) {
		struct psource *src = &r->s[i];
		struct pub_prune_item *it;
		if (!src->selected)
			continue;
		it = &out->items[out->n_items++];
		it->ref = src->key;
		src->key = NULL;
		it->digest = src->rc == 0 ? strdup(src->digest) : NULL;
		it->action = src->action;
		it->reason = src->reason;
		src->reason = NULL;
		if (src->error || it->action == PUB_PRUNE_FAILED)
			out->errors++;
		if (src->rc == 0 && !it->digest)
			return -1;
	}
	for (size_t i = 0; i < r->nt; i++)
		out->errors += r->t[i].needed && r->t[i].error;
	for (size_t k = 0; k < r->ng; k++)
		out->unsupported |= r->g[k].unsupported;
	return 0;
}

static void run_free(struct prune_run *r)
{
	for (size_t i = 0; r->t && i < r->nt; i++) {
		reg_manifest_free(&r->t[i].list);
		free(r->t[i].missing);
		free(r->t[i].why_not);
		free(r->t[i].uses);
	}
	for (size_t i = 0; r->s && i < r->ns; i++) {
		free(r->s[i].key);
		free(r->s[i].repo);
		free(r->s[i].error);
		free(r->s[i].reason);
	}
	for (size_t i = 0; r->g && i < r->ng; i++)
		free(r->g[i].members);
	free(r->g);
	free(r->t);
	free(r->s);
	free(r->jobs);
	farm_copy_plan_free(r->copies);
	pub_plan_free(r->plan);
}

/* The sources a retag: rule reads: a copy's `from` is the source's
 * reference (both formatted by reg_ref_format, so spellings agree). */
static int mark_retag_reads(struct prune_run *r)
{
	for (size_t i = 0; r->copies && i < r->copies->n_copies; i++) {
		const struct farm_copy *cp = &r->copies->copies[i];
		struct reg_ref ref = {0};
		struct base_error e;
		char *key;
		struct psource probe, *hit;

		base_error_clear(&e);
		if (reg_ref_parse(cp->from, &ref, &e) < 0)
			continue; /* retag reports it; no source of ours is spelled so */
		key = reg_ref_format(&ref);
		reg_ref_free(&ref);
		if (!key)
			return -1;
		probe.key = key;
		hit = bsearch(&probe, r->s, r->ns, sizeof(*r->s), key_cmp);
		free(key);
		if (hit && !hit->retag_to)
			hit->retag_to = cp->to;
	}
	return 0;
}

int pub_prune_job(const struct pub_prune_options *o, struct pub_prune_result *out,
                  struct base_error *err)
{
	struct farm_load_options lo = {.platform_check = pub_platform_check};
	struct farm_error ferr;
	struct farm_config *cfg = NULL;
	struct reg_client *c = NULL;
	struct pub_plan_selection sel = {0};
	struct prune_run r;
	int rc = -1, jobs = o->g.jobs > 0 ? o->g.jobs : 16;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	memset(&ferr, 0, sizeof(ferr));
	r.o = o;
	out->dry_run = !o->confirm;
	if (!o->config_path) {
		base_error_set(err, "no config given (-c CONFIG)");
		return BASE_EINPUT;
	}
	if (farm_config_load(o->config_path, &lo, &cfg, &ferr) < 0) {
		base_error_set(err, "%s", ferr.msg);
		return BASE_EINPUT;
	}
	if ((rc = pub_plan_make(cfg, NULL, &r.plan, err)) < 0 ||
	    (rc = pub_plan_select(r.plan, o->only_names, o->n_only, 0, 0, &sel, err)) < 0)
		goto out;
	rc = -1;
	r.nt = r.plan->n_targets;
	if (!(r.t = calloc(r.nt + 1, sizeof(*r.t))))
		goto oom;
	for (size_t i = 0; i < r.nt; i++)
		r.t[i].pt = &r.plan->targets[i];
	if (cfg->n_retag && farm_retag_expand(cfg, NULL, &r.copies, &ferr) < 0) {
		base_error_set(err, "%s", ferr.msg);
		rc = BASE_EINPUT;
		goto out;
	}
	if (index_sources(&r) < 0 || mark_needed(&r, &sel) < 0 || mark_retag_reads(&r) < 0)
		goto oom;
	if (pub_client_new(cfg, &o->g, &c, err) < 0)
		goto out;
	pub_log(PUB_LOG_INFO, "prune: %zu of %zu targets, %zu tags to check%s", sel.n, r.nt,
	        r.n_jobs, o->confirm ? "" : " (dry run)");
	if (r.n_jobs && pub_pool_run(c, jobs < (int)r.n_jobs ? jobs : (int)r.n_jobs, r.n_jobs,
	                             phase1, &r, err) < 0)
		goto out;
	if (decide(&r) < 0 || group(&r) < 0)
		goto oom;
	if (r.ng && pub_pool_run(c, jobs < (int)r.ng ? jobs : (int)r.ng, r.ng, phase2, &r, err) < 0)
		goto out;
	if (collect(&r, out) < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	base_error_set(err, "out of memory");
out:
	run_free(&r);
	free(sel.index);
	reg_client_free(c);
	farm_config_free(cfg);
	return rc;
}
