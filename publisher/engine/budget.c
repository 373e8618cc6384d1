/* budget.c — the registries' request budgets as a run uses them: the
 * config's budgets over its preset's (split across shards) as client
 * settings, the deadline no budget wait may pass, and the targets a used-up
 * budget stopped, recorded as rate limited. */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

/* One budget: the config's when it sets the key, else the preset's; then
 * this shard's part. */
static struct reg_budget budget_pick(const struct farm_budget *cfg, const struct reg_budget *preset,
                                     unsigned share)
{
	struct reg_budget b = {0, 0};

	if (cfg->set) {
		b.limit = cfg->limit;
		b.window_ms = cfg->window_ms;
	} else if (preset) {
		b = *preset;
	}
	if (b.limit > 0 && share > 1) {
		b.limit /= (long)share;
		if (b.limit < 1)
			b.limit = 1;
	}
	return b;
}

int pub_budget_settings(const struct farm_registry *r, unsigned shard_count,
                        struct reg_registry_settings *s, struct base_error *err)
{
	const struct reg_preset *p = NULL;
	/* The budget is the registry's: N shards share it unless told that
	 * each has its own (shards on their own addresses or accounts). */
	unsigned share = r->rate_limit_shared != 0 && shard_count > 1 ? shard_count : 1;

	if (r->preset && !(p = reg_preset_find(r->preset))) {
		base_error_set(err, "preset: no preset \"%s\"", r->preset);
		return BASE_EINPUT;
	}
	s->budget_all = budget_pick(&r->rate_limit, p ? &p->all : NULL, share);
	s->budget_write = budget_pick(&r->write_rate_limit, p ? &p->write : NULL, share);
	s->budget_pull = budget_pick(&r->pull_rate_limit, p ? &p->pull : NULL, share);
	s->budget_share = 1.0 / (double)share;
	s->pull_headers = p ? p->pull_headers : 0;
	return 0;
}

void pub_budget_arm(struct job_ctx *x, struct reg_client *c)
{
	struct timespec at;

	if (x->deadline_ms <= 0)
		return;
	at = x->t0;
	at.tv_sec += x->deadline_ms / 1000;
	at.tv_nsec += (x->deadline_ms % 1000) * 1000000L;
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	reg_client_set_deadline(c, &at);
}

/* "rate limited by HOST until TIME" inside an error text, or NULL. */
static const char *limited_part(const char *text)
{
	return text ? strstr(text, "rate limited by ") : NULL;
}

void pub_budget_mark_limited(struct tjob *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tjob *j = &jobs[i];
		const char *why = NULL;
		char *reason;

		if (j->not_reached || j->out->state != STATUS_T_FAILED)
			continue;
		/* check keeps its HEADs; publish has only the reason by now. */
		for (size_t k = 0; j->heads && !why && k < j->t->n_sources + (size_t)j->with_target;
		     k++)
			if (j->heads[k].rc == BASE_ERATELIMITED && j->heads[k].err)
				why = limited_part(j->heads[k].err->msg);
		if (!why)
			why = limited_part(j->out->reason);
		if (!why)
			continue;
		/* The budget's cause in brackets is for the log, not the record. */
		reason = strndup(why, strcspn(why, "("));
		if (!reason)
			continue;
		while (*reason && reason[strlen(reason) - 1] == ' ')
			reason[strlen(reason) - 1] = '\0';
		free(j->out->reason);
		j->out->reason = reason;
	}
}
