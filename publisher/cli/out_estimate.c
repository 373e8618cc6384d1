/* out_estimate.c — what `publish --estimate` prints (a table per registry,
 * or JSON), and the per-registry budget lines of a run's summary. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_output.h"
#include "publish.h"

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

#define MIB (1024.0 * 1024.0)

int cli_memory_limit(const char *text, double *bytes, const char **from)
{
	static const struct {
		const char *suffix;
		double scale;
	} units[] = {{"", 1},    {"k", 1e3},         {"ki", 1024.0}, {"m", 1e6},       {"mi", MIB},
	             {"g", 1e9}, {"gi", MIB * 1024}, {"t", 1e12},    {"ti", MIB * MIB}};
	char *end;
	double v;

	*bytes = 0;
	*from = NULL;
	if (!text) {
		/* cgroup v2: a number of bytes, or "max" (none) */
		char line[64] = "";
		FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");
		if (!f)
			return 0;
		if (fgets(line, sizeof(line), f) && line[0] >= '0' && line[0] <= '9') {
			v = strtod(line, &end);
			if (v > 0 && (*end == '\n' || *end == '\0')) {
				*bytes = v;
				*from = "cgroup memory.max";
			}
		}
		fclose(f);
		return 0;
	}
	v = strtod(text, &end);
	if (end == text || !(v > 0) || v > 1e18)
		return -1;
	/* an optional "B" after the unit: 512M, 512MB, 512MiB */
	size_t n = strlen(end);
	if (n && (end[n - 1] == 'B' || end[n - 1] == 'b'))
		n--;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].suffix) == n && strncasecmp(end, units[i].suffix, n) == 0) {
			*bytes = v * units[i].scale;
			*from = "--memory-limit";
			return *bytes >= 1 ? 0 : -1;
		}
	}
	return -1;
}

static void print_memory(FILE *f, const struct pub_estimate *e, double limit, const char *from)
{
	unsigned shards;

	fprintf(f,
	        "memory: about %.0f MiB at peak (%.0f MiB for the config of %zu targets, %.0f "
	        "MiB for the %zu targets this run works on)",
	        (e->mem_fixed + e->mem_run) / MIB, e->mem_fixed / MIB, e->config_targets,
	        e->mem_run / MIB, e->plan_targets);
	if (limit <= 0) {
		fprintf(f, "\n");
		return;
	}
	shards = pub_estimate_shards(e, limit);
	if (shards)
		fprintf(f, "; limit %.0f MiB (%s): %u shard%s for the whole config\n", limit / MIB,
		        from, shards, shards == 1 ? "" : "s");
	else
		fprintf(f,
		        "; limit %.0f MiB (%s): no shard count fits, the config alone takes %.0f "
		        "MiB\n",
		        limit / MIB, from, e->mem_fixed / MIB);
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

static void print_json(FILE *f, const struct pub_estimate *e, double limit, const char *from)
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
			cJSON_AddNumberToObject(m, "head", (double)r->head);
			cJSON_AddNumberToObject(m, "get", (double)r->get);
			cJSON_AddNumberToObject(m, "post", (double)r->post);
			cJSON_AddNumberToObject(m, "put", (double)r->put);
		}
		cJSON_AddStringToObject(o, "budget", r->budget);
	}
	cJSON_AddBoolToObject(root, "blobs_per_child_guessed", e->blobs_guessed);
	cJSON *mem = cJSON_AddObjectToObject(root, "memory");
	if (mem) {
		cJSON_AddNumberToObject(mem, "peak_bytes",
		                        (double)(long long)(e->mem_fixed + e->mem_run));
		cJSON_AddNumberToObject(mem, "config_and_plan_bytes",
		                        (double)(long long)e->mem_fixed);
		cJSON_AddNumberToObject(mem, "config_targets", (double)e->config_targets);
		cJSON_AddNumberToObject(mem, "plan_targets", (double)e->plan_targets);
		cJSON_AddNumberToObject(mem, "config_images", (double)e->config_images);
		if (limit > 0) {
			unsigned shards = pub_estimate_shards(e, limit);
			cJSON_AddNumberToObject(mem, "limit_bytes", (double)(long long)limit);
			cJSON_AddStringToObject(mem, "limit_from", from);
			if (shards)
				cJSON_AddNumberToObject(mem, "shards", shards);
			else
				cJSON_AddNullToObject(mem, "shards");
		} else {
			cJSON_AddNullToObject(mem, "limit_bytes");
			cJSON_AddNullToObject(mem, "limit_from");
			cJSON_AddNullToObject(mem, "shards");
		}
	}
	cli_json_print(f, root);
}

void cli_estimate_print(FILE *f, const struct pub_estimate *e, int json, double limit,
                        const char *from)
{
	if (json) {
		print_json(f, e, limit, from);
	} else {
		print_text(f, e);
		print_memory(f, e, limit, from);
	}
	fflush(f);
}

void cli_budget_summary_text(FILE *f, const struct pub_job_result *r)
{
	for (size_t i = 0; i < r->n_budgets; i++) {
		const struct pub_budget_stats *b = &r->budgets[i];
		if (!b->has_budget && !b->too_many && !b->waited_ms && !b->limited)
			continue;
		fprintf(f, "%s: %lu requests, %lu answered 429, %.1f s waiting for the budget",
		        b->registry, b->requests, b->too_many, (double)b->waited_ms / 1000.0);
		if (b->limited)
			fprintf(f, ", rate limited until %s", b->limited_until);
		fputc('\n', f);
	}
}

void cli_budget_summary_json(struct cJSON *summary, const struct pub_job_result *r)
{
	cJSON *regs = cJSON_AddArrayToObject(summary, "registries");

	for (size_t i = 0; regs && i < r->n_budgets; i++) {
		const struct pub_budget_stats *b = &r->budgets[i];
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
