/* config_registries.c — the `registries` mapping of manifold's config:
 * per-registry connection settings (TLS, concurrency, rate, timeouts,
 * retries, request budgets and presets), one struct farm_registry per key. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

static int read_ca_file(struct farm_ctx *x, const struct farm_node *v, const char *base_dir,
                        char **out)
{
	char *f = NULL;
	if (farm_get_string(x, v, &f) < 0)
		return -1;
	if (f[0] == '/' || !base_dir) {
		*out = f;
		return 0;
	}
	size_t len = strlen(base_dir) + strlen(f) + 1;
	if ((*out = malloc(len)))
		snprintf(*out, len, "%s%s", base_dir, f);
	free(f);
	return *out ? 0 : farm_fail(x, v, "out of memory");
}

static int read_rate(struct farm_ctx *x, const struct farm_node *v, double *out)
{
	char *end = NULL;
	double val = v->kind == FARM_NODE_SCALAR ? strtod(v->scalar, &end) : 0;
	if (v->kind != FARM_NODE_SCALAR || v->is_null || end == v->scalar || *end ||
	    !isfinite(val) || !(val > 0))
		return farm_fail_expected(x, v, "a number greater than 0");
	*out = val;
	return 0;
}

const char *const farm_presets[] = {"ghcr", "dockerhub", "artifact-registry", "ecr", "quay", NULL};

/* "2000/min", "100/6h", "50/s", "30/10s" or "none": N requests in any
 * window of W units (s, m or min, h; W 1 when left out), at most 24h. */
static int read_budget(struct farm_ctx *x, const struct farm_node *v, struct farm_budget *out)
{
	static const struct {
		const char *unit;
		long ms;
	} units[] = {{"s", 1000}, {"m", 60000}, {"min", 60000}, {"h", 3600000}};
	const char *want = "a budget like \"2000/min\", \"100/6h\" or \"50/s\", or none";
	const char *t = v->kind == FARM_NODE_SCALAR && !v->is_null ? v->scalar : NULL;
	char *end = NULL;
	long n, w = 1;

	if (t && strcmp(t, "none") == 0) {
		out->limit = 0;
		out->window_ms = 0;
		out->set = 1;
		return 0;
	}
	if (!t || t[0] < '0' || t[0] > '9')
		return farm_fail_expected(x, v, want);
	errno = 0;
	n = strtol(t, &end, 10);
	if (errno || n < 1 || n > 100000000 || *end != '/')
		return farm_fail_expected(x, v, want);
	t = end + 1;
	if (*t >= '0' && *t <= '9') {
		w = strtol(t, &end, 10);
		if (errno || w < 1 || w > 86400)
			return farm_fail_expected(x, v, want);
		t = end;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(t, units[i].unit) == 0 && w * units[i].ms <= 86400000L) {
			out->limit = n;
			out->window_ms = w * units[i].ms;
			out->set = 1;
			return 0;
		}
	}
	return farm_fail_expected(x, v, want);
}

static int read_preset(struct farm_ctx *x, const struct farm_node *v, char **out)
{
	int which = -1;
	if (farm_read_enum(x, v, farm_presets, &which) < 0)
		return -1;
	free(*out);
	*out = strdup(farm_presets[which]);
	return *out ? 0 : farm_fail(x, v, "out of memory");
}

static int read_registry(struct farm_ctx *x, const struct farm_node *n, struct farm_registry *r,
                         const char *base_dir)
{
	static const char *const opt[] = {
	    "insecure",         "ca-file",         "max-concurrency",   "max-rate", "timeout",
	    "low-speed-limit",  "low-speed-time",  "retries",           "tls",      "rate-limit",
	    "write-rate-limit", "pull-rate-limit", "rate-limit-shared", "preset",   NULL};
	const struct farm_keys keys = {NULL, opt};
	int rc = 0;
	if (farm_check_mapping(x, n, &keys) < 0)
		return -1;
	for (size_t i = 0; i < n->n_pairs; i++) {
		const char *k = n->pairs[i].key->scalar;
		const struct farm_node *v = n->pairs[i].value;
		size_t mark = farm_path_key(x, k);
		long val = 0;
		int e = 0;
		if (strcmp(k, "insecure") == 0) {
			e = farm_get_bool(x, v, &r->insecure);
		} else if (strcmp(k, "tls") == 0) {
			e = farm_get_bool(x, v, &r->tls);
		} else if (strcmp(k, "ca-file") == 0) {
			e = read_ca_file(x, v, base_dir, &r->ca_file);
		} else if (strcmp(k, "max-concurrency") == 0) {
			e = farm_read_long(x, v, 1, 100000, "an integer of at least 1", &val);
			r->max_concurrency = (int)val;
		} else if (strcmp(k, "timeout") == 0) {
			e = farm_read_duration(x, v, &r->timeout_ms);
		} else if (strcmp(k, "low-speed-limit") == 0) {
			e = farm_read_long(x, v, 1, 1L << 40,
			                   "a number of bytes per second of at least 1",
			                   &r->low_speed_limit);
		} else if (strcmp(k, "low-speed-time") == 0) {
			e = farm_read_duration(x, v, &r->low_speed_time_ms);
		} else if (strcmp(k, "retries") == 0) {
			e = farm_read_long(x, v, 0, 100, "an integer from 0 to 100", &val);
			r->retries = e == 0 ? (int)val : -1;
		} else if (strcmp(k, "max-rate") == 0) {
			e = read_rate(x, v, &r->max_rate);
		} else if (strcmp(k, "rate-limit") == 0) {
			e = read_budget(x, v, &r->rate_limit);
		} else if (strcmp(k, "write-rate-limit") == 0) {
			e = read_budget(x, v, &r->write_rate_limit);
		} else if (strcmp(k, "pull-rate-limit") == 0) {
			e = read_budget(x, v, &r->pull_rate_limit);
		} else if (strcmp(k, "rate-limit-shared") == 0) {
			e = farm_get_bool(x, v, &r->rate_limit_shared);
		} else if (strcmp(k, "preset") == 0) {
			e = read_preset(x, v, &r->preset);
		}
		farm_path_pop(x, mark);
		rc |= e;
	}
	if (rc == 0 && r->insecure && r->tls)
		return farm_fail(x, n, "insecure: true (plain HTTP) contradicts tls: true");
	return rc;
}

int farm_read_registries(struct farm_ctx *x, const struct farm_node *n, struct farm_config *c,
                         const char *base_dir)
{
	if (farm_check_mapping(x, n, NULL) < 0)
		return -1;
	if (n->n_pairs == 0)
		return 0;
	if (!(c->registries = calloc(n->n_pairs, sizeof(*c->registries))))
		return farm_fail(x, n, "out of memory");
	c->n_registries = n->n_pairs;
	int rc = 0;
	for (size_t i = 0; i < n->n_pairs; i++) {
		const struct farm_node *key = n->pairs[i].key;
		struct farm_registry *r = &c->registries[i];
		size_t mark = farm_path_key(x, key->scalar);
		r->pos.line = key->line;
		r->pos.column = key->column;
		r->retries = -1;
		r->rate_limit_shared = -1;
		if (!(r->name = strdup(key->scalar)))
			rc = farm_fail(x, key, "out of memory");
		else if (!farm_registry_ok(key->scalar, 0))
			rc = farm_fail(x, key, "\"%s\" is not a valid registry (want host[:port])",
			               key->scalar);
		if (read_registry(x, n->pairs[i].value, r, base_dir) < 0)
			rc = -1;
		farm_path_pop(x, mark);
	}
	return rc;
}
