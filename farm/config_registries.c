/* config_registries.c — the `registries` mapping of manifold's config:
 * per-registry connection settings (TLS, concurrency, rate, timeouts,
 * retries), one struct farm_registry per key. */
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

static int read_registry(struct farm_ctx *x, const struct farm_node *n, struct farm_registry *r,
                         const char *base_dir)
{
	static const char *const opt[] = {
	    "insecure",        "ca-file",        "max-concurrency", "max-rate", "timeout",
	    "low-speed-limit", "low-speed-time", "retries",         "tls",      NULL};
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
