/* job_retag.c — `retag` as one call: the plan of copies (the config's
 * retag: rules, --from-file pairs, SRC DST arguments), the status file's
 * record of what manifold wrote, the copies, and their record. */
#include <stdlib.h>
#include <string.h>

#include "retag_internal.h"

static int copy_matches(const struct farm_copy *c, const char *name)
{
	return (c->image && strcmp(c->image->name, name) == 0) || strcmp(c->to, name) == 0;
}

/* Keep the copies whose image name or destination is one of names; each
 * name must keep one (else err names it). n 0 keeps everything. */
static int plan_only(struct farm_copy_plan *plan, const char *const *names, size_t n,
                     struct base_error *err)
{
	size_t kept = 0;

	for (size_t k = 0; k < n; k++) {
		size_t i = 0;
		while (i < plan->n_copies && !copy_matches(&plan->copies[i], names[k]))
			i++;
		if (i == plan->n_copies) {
			base_error_set(err, "--only \"%s\": no image or target of that name",
			               names[k]);
			return -1;
		}
	}
	for (size_t i = 0; n && i < plan->n_copies; i++) {
		struct farm_copy *c = &plan->copies[i];
		size_t k = 0;
		while (k < n && !copy_matches(c, names[k]))
			k++;
		if (k < n) {
			plan->copies[kept++] = *c;
		} else {
			free(c->from);
			free(c->to);
		}
	}
	if (n)
		plan->n_copies = kept;
	return 0;
}

/* Appends the pairs SRC DST of pairs[0..n) (n even) to plan. -1 out of memory. */
static int plan_add_pairs(struct farm_copy_plan *plan, const char *const *pairs, size_t n)
{
	struct farm_copy *grown;
	size_t add = n / 2;

	if (!add)
		return 0;
	grown = realloc(plan->copies, (plan->n_copies + add) * sizeof(*grown));
	if (!grown)
		return -1;
	plan->copies = grown;
	for (size_t k = 0; k < add; k++) {
		struct farm_copy *c = &plan->copies[plan->n_copies];
		memset(c, 0, sizeof(*c));
		c->from = strdup(pairs[2 * k]);
		c->to = strdup(pairs[2 * k + 1]);
		plan->n_copies++;
		if (!c->from || !c->to)
			return -1;
	}
	return 0;
}

/* Every reference of plan parses; else err says which does not. */
static int plan_check_refs(const struct farm_copy_plan *plan, struct base_error *err)
{
	for (size_t i = 0; i < plan->n_copies; i++) {
		const char *refs[2] = {plan->copies[i].from, plan->copies[i].to};
		for (int k = 0; k < 2; k++) {
			struct reg_ref r = {0};
			if (reg_ref_parse(refs[k], &r, err) < 0)
				return -1;
			reg_ref_free(&r);
		}
	}
	return 0;
}

/* The copies from the config's rules (then --only), the pairs file, or
 * none; then the SRC DST pairs. -1 with err filled. */
static int plan_make(const struct pub_retag_job_options *o, struct farm_config **cfg,
                     struct farm_copy_plan **plan, struct base_error *err)
{
	struct farm_error fe = {0};

	if (o->config_path) {
		struct farm_load_options lo = {.platform_check = pub_platform_check};
		if (farm_config_load(o->config_path, &lo, cfg, &fe) < 0 ||
		    farm_retag_expand(*cfg, NULL, plan, &fe) < 0) {
			base_error_set(err, "%s", fe.msg);
			return -1;
		}
		if (plan_only(*plan, o->only_names, o->n_only, err) < 0)
			return -1;
		if ((*cfg)->n_retag == 0) {
			base_error_set(err, "%s: no retag: rules", o->config_path);
			return -1;
		}
	} else if (o->from_file) {
		if (farm_pairs_load(o->from_file, plan, &fe) < 0) {
			base_error_set(err, "%s", fe.msg);
			return -1;
		}
	} else if (!(*plan = calloc(1, sizeof(**plan)))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (plan_add_pairs(*plan, o->pairs, o->n_pairs) < 0) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return plan_check_refs(*plan, err);
}

/* What went wrong or was held back, one line per copy. */
static void log_copies(const struct pub_copy_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].state == PUB_COPY_FAILED)
			pub_log(PUB_LOG_ERROR, "%s", r[i].reason ? r[i].reason : "copy failed");
		else if (r[i].state == PUB_COPY_HELD || r[i].state == PUB_COPY_REFUSED)
			pub_log(PUB_LOG_WARN, "%s %s: %s", r[i].to, pub_copy_state_str(r[i].state),
			        r[i].reason ? r[i].reason : "");
	}
}

/* The copies are done: record them in the status file (not with --dry-run);
 * a failure is kept in out->status_error for the command to report. */
static void record_copies(const struct pub_retag_job_options *o, const char *status_path,
                          const char *started, struct pub_retag_result *out)
{
	struct base_error e = {0};

	if (!status_path || o->g.dry_run)
		return;
	if (pub_retag_status_update(status_path, o->config_path, out->copies, out->n_copies,
	                            started ? started : "", &e) < 0) {
		size_t len = strlen(status_path) + strlen(e.msg) + 16;
		out->status_error = malloc(len);
		if (out->status_error)
			snprintf(out->status_error, len, "status %s: %s", status_path, e.msg);
	}
}

int pub_retag_job(const struct pub_retag_job_options *o, struct pub_retag_result *out,
                  struct base_error *err)
{
	struct farm_config *cfg = NULL;
	struct farm_copy_plan *plan = NULL;
	struct reg_client *client = NULL;
	struct pub_retag_options ro = {0};
	struct status_status *written = NULL;
	char *started = NULL;
	const char *status_path;
	int rc = BASE_EINPUT;

	memset(out, 0, sizeof(*out));
	if (plan_make(o, &cfg, &plan, err) < 0 || pub_client_new(cfg, &o->g, &client, err) < 0)
		goto out;
	/* What manifold wrote where, read before the first request: a
	 * destination tag holding anything else is not moved without
	 * --overwrite. */
	status_path = o->status_path ? o->status_path : cfg ? cfg->status : NULL;
	if (status_path && status_store_load(status_path, &written, err) < 0) {
		base_error_wrap(err, "status %s", status_path);
		goto out;
	}
	started = status_now_rfc3339();
	ro.jobs = o->g.jobs;
	ro.dry_run = o->g.dry_run;
	ro.overwrite = o->overwrite;
	ro.allow_shrink = o->allow_shrink;
	ro.written = written;
	ro.progress = o->progress;
	ro.progress_ctx = o->progress_ctx;
	/* the pool starts no more workers than there are copies */
	pub_log(PUB_LOG_INFO, "retag: %zu copies on %zu workers%s", plan->n_copies,
	        (size_t)ro.jobs < plan->n_copies ? (size_t)ro.jobs : plan->n_copies,
	        ro.dry_run ? " (dry run)" : "");
	rc = -1;
	int ran = pub_retag_run(client, plan, &ro, &out->copies, err);
	out->n_copies = out->copies ? plan->n_copies : 0;
	if (ran < 0)
		goto out;
	log_copies(out->copies, out->n_copies);
	record_copies(o, status_path, started, out);
	rc = 0;
out:
	free(started);
	status_free(written);
	reg_client_free(client);
	farm_copy_plan_free(plan);
	farm_config_free(cfg);
	return rc;
}

void pub_retag_result_free(struct pub_retag_result *r)
{
	if (!r)
		return;
	pub_copy_results_free(r->copies, r->n_copies);
	free(r->status_error);
	memset(r, 0, sizeof(*r));
}
