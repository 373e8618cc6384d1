/* estimate.c — what a night costs each registry, from the plan and the
 * status file alone (no request is sent): the requests of a night where
 * nothing changed, the most a night can send, by method, and how long each
 * takes at the registry's budget; and the warning for an unchanged night
 * that cannot fit in --deadline. */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

/* Mounts per child when the status file records no child manifest size. */
#define BLOBS_UNKNOWN 2
/* Peak memory, measured (RSS, release build, 2 cores; docs/DESIGN.md,
 * "Memory"): what a process takes before any target; what every shard
 * holds of the config, per target (the hash of its reference the plan
 * keeps) and per image (its name, for duplicates and retag rules, and its
 * line of the file, read whole); what the run holds of the images of its
 * targets (read an image at a time, only those are kept), per image, per
 * tag and per platform it does not share with the defaults; and what a target the run works on
 * adds, per target and per child: its previous record (one block, which the run's record shares
 * when it did not change), where it is in the config (the plan makes it when a worker takes it
 * up), its job, and the arrays of the status write. publish.md, "What a night costs". */
#define MEM_BASE            (15.0 * 1024 * 1024)
#define MEM_CONFIG_TARGET   16.0
#define MEM_CONFIG_NAME     75.0
#define MEM_CONFIG_IMAGE    750.0
#define MEM_CONFIG_TAG      40.0
#define MEM_CONFIG_PLATFORM 200.0
#define MEM_RUN_TARGET      500.0
#define MEM_RUN_CHILD       170.0
/* About what one blob descriptor takes in a child manifest (mediaType,
 * size, digest, 3-space indented); the rest is the manifest's frame. */
#define DESCRIPTOR_BYTES 190
#define FRAME_BYTES      100

void pub_estimate_free(struct pub_estimate *e)
{
	if (!e)
		return;
	free(e->registries);
	memset(e, 0, sizeof(*e));
}

static struct pub_estimate_registry *registry_of(struct pub_estimate *e, const char *name)
{
	struct pub_estimate_registry *n;

	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->registries[i].registry, name) == 0)
			return &e->registries[i];
	if (!(n = realloc(e->registries, (e->n + 1) * sizeof(*n))))
		return NULL;
	e->registries = n;
	n = &e->registries[e->n++];
	memset(n, 0, sizeof(*n));
	snprintf(n->registry, sizeof(n->registry), "%s", name);
	return n;
}

/* Blobs (config and layers) of one child: from the child manifest size the
 * status file records for it, else BLOBS_UNKNOWN. */
static unsigned long blobs_of(const struct status_target_status *prev, const char *platform,
                              int *guessed)
{
	for (size_t k = 0; prev && k < prev->n_platforms; k++) {
		const struct status_platform_status *p = &prev->platforms[k];
		if (strcmp(p->platform, platform) == 0 && p->size > FRAME_BYTES) {
			unsigned long b =
			    (unsigned long)(p->size - FRAME_BYTES + DESCRIPTOR_BYTES / 2) /
			    DESCRIPTOR_BYTES;
			return b ? b : 1;
		}
	}
	*guessed = 1;
	return BLOBS_UNKNOWN;
}

/* One target's requests on its registries (DESIGN rule 8 for the unchanged
 * night; publish.md "What a night costs" for the most). */
static int count_target(struct pub_estimate *e, const struct pub_plan_target *t,
                        const struct status_status *prev)
{
	const struct status_target_status *rec = status_find(prev, t->farm->ref);
	struct pub_estimate_registry *tr = registry_of(e, t->ref.registry);

	if (!tr)
		return -1;
	tr->unchanged += 1 + t->n_extra; /* the tag, then each extra tag */
	tr->head += 1 + t->n_extra;      /* the tag, and each extra tag before it is written */
	tr->put += 1 + t->n_extra;       /* the list to the tag and each extra tag */
	for (size_t k = 0; k < t->n_sources; k++) {
		struct pub_estimate_registry *sr = registry_of(e, t->sources[k].ref.registry);
		if (!sr || !(tr = registry_of(e, t->ref.registry)))
			return -1;
		sr->unchanged += 1;
		sr->head += 1;
		sr->get += 2; /* the child manifest and its config */
		sr->manifest_gets += 1;
		if (t->farm->image->referrers == FARM_REFERRERS_COPY) {
			/* a copied child's referrer lookups: the referrers API once
			 * a run per registry, and one tag listing of the source
			 * repository (once a run: counted per child, the most)
			 * (publish.md, "What travels with a child") */
			sr->get += 1 + !sr->referrers_asked;
			sr->referrers_asked = 1;
		}
		tr->post += blobs_of(rec, t->sources[k].farm->platform->name, &e->blobs_guessed);
		tr->put += 1; /* the child, by digest */
	}
	return 0;
}

static void budget_text(char *buf, size_t n, size_t *used, const char *key,
                        const struct reg_budget *b)
{
	static const struct {
		long ms;
		const char *unit;
	} units[] = {{3600000, "h"}, {60000, "min"}, {1000, "s"}};
	int w = 0;

	if (b->limit <= 0 || *used >= n)
		return;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (b->window_ms % units[i].ms)
			continue;
		long count = b->window_ms / units[i].ms;
		if (count == 1)
			w = snprintf(buf + *used, n - *used, "%s%s %ld/%s", *used ? ", " : "", key,
			             b->limit, units[i].unit);
		else
			w = snprintf(buf + *used, n - *used, "%s%s %ld/%ld%s", *used ? ", " : "",
			             key, b->limit, count,
			             units[i].unit[0] == 'm' ? "m" : units[i].unit);
		break;
	}
	*used += w > 0 ? (size_t)w : 0;
}

/* Seconds for `all` requests, `writes` and `pulls` of them, at s; -1 when
 * nothing bounds them. */
static double seconds_at(const struct reg_registry_settings *s, double max_rate, double all,
                         double writes, double pulls)
{
	double rates[][2] = {{reg_budget_pace(&s->budget_all), all},
	                     {reg_budget_pace(&s->budget_write), writes},
	                     {reg_budget_pace(&s->budget_pull), pulls},
	                     {max_rate, all}};
	double most = -1;

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (rates[i][0] > 0 && rates[i][1] / rates[i][0] > most)
			most = rates[i][1] / rates[i][0];
	return most;
}

static const struct farm_registry *config_of(const struct farm_config *cfg, const char *name)
{
	for (size_t i = 0; cfg && i < cfg->n_registries; i++) {
		char *norm = pub_registry_name(cfg->registries[i].name);
		int same = norm && strcmp(norm, name) == 0;
		free(norm);
		if (same)
			return &cfg->registries[i];
	}
	return NULL;
}

static int registry_budget(const struct farm_config *cfg, unsigned shard_count,
                           struct pub_estimate_registry *er, struct base_error *err)
{
	const struct farm_registry *r = config_of(cfg, er->registry);
	struct reg_registry_settings s;
	size_t used = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	if (r && (rc = pub_budget_settings(r, shard_count, &s, err)) < 0)
		return rc;
	er->max = er->head + er->get + er->post + er->put;
	er->unchanged_s = seconds_at(&s, r ? r->max_rate : 0, (double)er->unchanged, 0, 0);
	er->max_s = seconds_at(&s, r ? r->max_rate : 0, (double)er->max,
	                       (double)(er->post + er->put), (double)er->manifest_gets);
	budget_text(er->budget, sizeof(er->budget), &used, "rate-limit", &s.budget_all);
	budget_text(er->budget, sizeof(er->budget), &used, "write-rate-limit", &s.budget_write);
	budget_text(er->budget, sizeof(er->budget), &used, "pull-rate-limit", &s.budget_pull);
	if (r && r->max_rate > 0 && used < sizeof(er->budget))
		snprintf(er->budget + used, sizeof(er->budget) - used, "%smax-rate %g/s",
		         used ? ", " : "", r->max_rate);
	else if (!used)
		snprintf(er->budget, sizeof(er->budget), "none");
	return 0;
}

static int estimate_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pub_estimate_registry *)a)->registry,
	              ((const struct pub_estimate_registry *)b)->registry);
}

int pub_estimate_compute(const struct farm_config *cfg, const struct pub_plan *plan,
                         const struct status_status *prev, unsigned shard_count,
                         struct pub_estimate *out, struct base_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < plan->n_targets; i++) {
		const struct pub_plan_target *t;
		/* a lazy plan's target is made for the count, as for a worker */
		if (pub_plan_target_take(plan, cfg, i, &t, err) < 0)
			return -1;
		rc = count_target(out, t, prev);
		out->mem_run += MEM_RUN_TARGET + MEM_RUN_CHILD * (double)t->n_sources;
		pub_plan_target_drop(plan, t);
		if (rc < 0) {
			base_error_set(err, "out of memory");
			return -1;
		}
	}
	out->plan_targets = plan->n_targets;
	out->config_targets = plan->n_all;
	out->config_images = cfg ? cfg->n_images : 0;
	/* every shard: a hash of each target, the name of each image */
	out->mem_fixed = MEM_BASE + MEM_CONFIG_TARGET * (double)plan->n_all +
	                 MEM_CONFIG_NAME * (double)plan->n_images;
	/* the run: the images it holds (those of its targets) */
	for (size_t i = 0; cfg && i < cfg->n_images; i++) {
		const struct farm_image *im = &cfg->images[i];
		out->mem_run += MEM_CONFIG_IMAGE + MEM_CONFIG_TAG * (double)im->n_tags;
		if (!im->shares_platforms)
			out->mem_run += MEM_CONFIG_PLATFORM * (double)im->n_platforms;
	}
	out->mem_run_all =
	    MEM_RUN_TARGET * (double)plan->n_all + MEM_RUN_CHILD * (double)plan->n_all_sources +
	    MEM_CONFIG_IMAGE * (double)plan->n_images + MEM_CONFIG_TAG * (double)plan->n_all +
	    MEM_CONFIG_PLATFORM * (double)plan->n_image_platforms;
	for (size_t i = 0; i < out->n; i++)
		if ((rc = registry_budget(cfg, shard_count, &out->registries[i], err)) < 0)
			return rc;
	if (out->n)
		qsort(out->registries, out->n, sizeof(*out->registries), estimate_cmp);
	return 0;
}

unsigned pub_estimate_shards(const struct pub_estimate *e, double limit)
{
	double room = limit * 0.9 - e->mem_fixed;
	double n;

	if (room <= 0)
		return 0;
	n = e->mem_run_all / room;
	if (n > 1e6)
		return 0;
	return n <= 1 ? 1 : (unsigned)n + ((double)(unsigned)n < n);
}

void pub_estimate_warn(const struct pub_estimate *e, long deadline_ms)
{
	for (size_t i = 0; deadline_ms > 0 && i < e->n; i++) {
		const struct pub_estimate_registry *r = &e->registries[i];
		if (r->unchanged_s * 1000.0 > (double)deadline_ms)
			pub_log(
			    PUB_LOG_WARN,
			    "%s: a night where nothing changed is %lu requests, %.0f s at its "
			    "budget (%s), longer than --deadline (%.0f s): targets past it will "
			    "not be reached",
			    r->registry, r->unchanged, r->unchanged_s, r->budget,
			    (double)deadline_ms / 1000.0);
	}
}
