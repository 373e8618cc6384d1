/* out_estimate.c — what `publish --estimate` prints (a table per registry,
 * or JSON), and the per-registry budget lines of a run's summary. */
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

/* "42 s", "1 h 05 min", or "-" when nothing bounds it. */
static void duration_text(double s, char *buf, size_t n)
{
	long t = (long)(s + 0.5);
	if (s < 0)
		snprintf(buf, n, "-");
	else if (t < 120)
		snprintf(buf, n, "%.0f s", s);
	else if (t < 7200)
		snprintf(buf, n, "%ld min %02ld s", t / 60, t % 60);
	else
		snprintf(buf, n, "%ld h %02ld min", t / 3600, (t % 3600) / 60);
}

static void print_text(FILE *f, const struct pub_estimate *e)
{
	int w = (int)strlen("REGISTRY");
	char a[32], b[32];

	for (size_t i = 0; i < e->n; i++) {
		int l = (int)strlen(e->registries[i].registry);
		w = l > w ? l : w;
	}
	fprintf(f, "%-*s  %9s  %-12s  %9s  %-12s  %s\n", w, "REGISTRY", "UNCHANGED", "AT BUDGET",
	        "MAX", "AT BUDGET", "BUDGET");
	for (size_t i = 0; i < e->n; i++) {
		const struct pub_estimate_registry *r = &e->registries[i];
		duration_text(r->unchanged_s, a, sizeof(a));
		duration_text(r->max_s, b, sizeof(b));
		fprintf(f, "%-*s  %9lu  %-12s  %9lu  %-12s  %s\n", w, r->registry, r->unchanged, a,
		        r->max, b, r->budget);
	}
	for (size_t i = 0; i < e->n; i++) {
		const struct pub_estimate_registry *r = &e->registries[i];
		fprintf(f, "%s: at most %lu HEAD, %lu GET, %lu POST (blob mounts), %lu PUT\n",
		        r->registry, r->head, r->get, r->post, r->put);
	}
	if (e->blobs_guessed)
		fprintf(f, "B per child unknown, counted as 2 (the status file records no size for "
		           "some child)\n");
}

static void add_seconds(cJSON *o, const char *key, double s)
{
	if (s < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, s);
}

static void print_json(FILE *f, const struct pub_estimate *e)
{
	cJSON *root = cli_json_root(), *regs;

	if (!root)
		return;
	regs = cJSON_AddArrayToObject(root, "registries");
	for (size_t i = 0; regs && i < e->n; i++) {
		const struct pub_estimate_registry *r = &e->registries[i];
		cJSON *o = cJSON_CreateObject(), *m;
		if (!o)
			break;
		cJSON_AddItemToArray(regs, o);
		cJSON_AddStringToObject(o, "registry", r->registry);
		cJSON_AddNumberToObject(o, "unchanged_requests", (double)r->unchanged);
		cJSON_AddNumberToObject(o, "max_requests", (double)r->max);
		add_seconds(o, "seconds_at_budget", r->unchanged_s);
		add_seconds(o, "max_seconds_at_budget", r->max_s);
		if ((m = cJSON_AddObjectToObject(o, "max_by_method"))) {
			cJSON_AddNumberToObject(m, "HEAD", (double)r->head);
			cJSON_AddNumberToObject(m, "GET", (double)r->get);
			cJSON_AddNumberToObject(m, "POST", (double)r->post);
			cJSON_AddNumberToObject(m, "PUT", (double)r->put);
		}
		cJSON_AddStringToObject(o, "budget", r->budget);
	}
	cJSON_AddBoolToObject(root, "blobs_per_child_guessed", e->blobs_guessed);
	cli_json_print(f, root);
}

void pub_estimate_print(FILE *f, const struct pub_estimate *e, int json)
{
	if (json)
		print_json(f, e);
	else
		print_text(f, e);
	fflush(f);
}

void pub_budget_summary_text(FILE *f, const struct pub_job_result *r)
{
	for (size_t i = 0; i < r->n_budgets; i++) {
		const struct reg_budget_stats *b = &r->budgets[i];
		if (!b->has_budget && !b->too_many && !b->waited_ms && !b->limited)
			continue;
		fprintf(f, "%s: %lu requests, %lu answered 429, %.1f s waiting for the budget",
		        b->registry, b->requests, b->too_many, (double)b->waited_ms / 1000.0);
		if (b->limited)
			fprintf(f, ", rate limited until %s", b->limited_until);
		fputc('\n', f);
	}
}

void pub_budget_summary_json(struct cJSON *summary, const struct pub_job_result *r)
{
	cJSON *regs = cJSON_AddArrayToObject(summary, "registries");

	for (size_t i = 0; regs && i < r->n_budgets; i++) {
		const struct reg_budget_stats *b = &r->budgets[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			return;
		cJSON_AddItemToArray(regs, o);
		cJSON_AddStringToObject(o, "registry", b->registry);
		cJSON_AddNumberToObject(o, "requests", (double)b->requests);
		cJSON_AddNumberToObject(o, "too_many_requests", (double)b->too_many);
		cJSON_AddNumberToObject(o, "budget_wait_seconds", (double)b->waited_ms / 1000.0);
		if (b->limited)
			cJSON_AddStringToObject(o, "rate_limited_until", b->limited_until);
		else
			cJSON_AddNullToObject(o, "rate_limited_until");
	}
}
