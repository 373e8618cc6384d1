/* session.c — what every registry-talking job starts from: the platform
 * callback farm validates with, the registry client made from a config,
 * config platforms and formats as the registry library's, the --shard value,
 * the --tls/--ca-file/--insecure check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job_internal.h"

int pub_platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                       size_t why_len)
{
	struct reg_platform p = {0};
	struct base_error err;
	char *s;
	int rc = -1;

	(void)ctx;
	base_error_clear(&err);
	if (reg_platform_parse(text, &p, &err) < 0) {
		snprintf(why, why_len, "%s", err.msg);
		return -1;
	}
	s = reg_platform_format(&p);
	if (!s) {
		snprintf(why, why_len, "out of memory");
		goto out;
	}
	if (strlen(s) >= norm_len) {
		snprintf(why, why_len, "platform \"%s\" is too long", text);
		goto out;
	}
	snprintf(norm, norm_len, "%s", s);
	rc = 0;
out:
	free(s);
	reg_platform_free(&p);
	return rc;
}

/* The config writes registry names as the user typed them
 * ("index.docker.io"); the client keys settings by the normalised name a
 * parsed reference carries ("docker.io"). */
char *pub_registry_name(const char *name)
{
	struct reg_ref ref = {0};
	struct base_error err;
	char buf[512];
	char *out;

	base_error_clear(&err);
	snprintf(buf, sizeof(buf), "%s/manifold/probe", name);
	if (reg_ref_parse(buf, &ref, &err) < 0 || !ref.registry)
		out = strdup(name);
	else
		out = strdup(ref.registry);
	reg_ref_free(&ref);
	return out;
}

int pub_tls_options_check(const struct pub_global *g, struct base_error *err)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----";
	char buf[65536];
	size_t keep = 0, n;
	int found = 0, rc = -1;
	FILE *f;

	if (g->insecure && (g->tls || g->ca_file)) {
		base_error_set(err, "--insecure (plain HTTP) contradicts %s",
		               g->tls ? "--tls" : "--ca-file");
		return -1;
	}
	if (!g->ca_file)
		return 0;
	if (!*g->ca_file) {
		base_error_set(err, "--ca-file: empty file name");
		return -1;
	}
	if (!(f = fopen(g->ca_file, "rb"))) {
		base_error_set(err, "--ca-file %s: %s", g->ca_file, strerror(errno));
		return -1;
	}
	/* Look for a certificate; keep the tail of each chunk so that a
	 * marker across two reads is still seen. */
	while (!found && (n = fread(buf + keep, 1, sizeof(buf) - keep, f)) > 0) {
		n += keep;
		found = memmem(buf, n, pem, sizeof(pem) - 1) != NULL;
		keep = n < sizeof(pem) - 1 ? n : sizeof(pem) - 1;
		memmove(buf, buf + n - keep, keep);
	}
	if (ferror(f))
		base_error_set(err, "--ca-file %s: %s", g->ca_file, strerror(errno));
	else if (!found)
		base_error_set(
		    err, "--ca-file %s: no PEM certificate (-----BEGIN CERTIFICATE-----) in it",
		    g->ca_file);
	else
		rc = 0;
	fclose(f);
	return rc;
}

/* MANIFOLD_BACKOFF_MS lets tests make retries fast; bad values are ignored. */
static long backoff_from_env(void)
{
	const char *v = base_env("MANIFOLD_BACKOFF_MS");
	char *end;
	long ms;

	if (!v || !*v)
		return 0;
	errno = 0;
	ms = strtol(v, &end, 10);
	if (errno || *end || ms < 1 || ms > 600000)
		return 0;
	return ms;
}

int pub_client_new(const struct farm_config *cfg, const struct pub_global *g,
                   struct reg_client **out, struct base_error *err)
{
	return pub_client_new_sharded(cfg, g, 0, out, err);
}

int pub_client_new_sharded(const struct farm_config *cfg, const struct pub_global *g,
                           unsigned shard_count, struct reg_client **out, struct base_error *err)
{
	struct reg_client_options opts = {0};
	struct reg_client *c = NULL;

	opts.insecure_all = g ? g->insecure : 0;
	opts.tls_all = g ? g->tls : 0;
	opts.ca_file_all = g ? g->ca_file : NULL;
	opts.auth_file = g ? g->auth_file : NULL;
	opts.backoff_ms = backoff_from_env();
	opts.log = pub_log_registry;
	if (reg_client_new(&opts, &c, err) < 0)
		return -1;
	for (size_t i = 0; cfg && i < cfg->n_registries; i++) {
		const struct farm_registry *r = &cfg->registries[i];
		struct reg_registry_settings s = {
		    .insecure = r->insecure,
		    .tls = r->tls,
		    .ca_file = r->ca_file,
		    .max_concurrency = r->max_concurrency,
		    .max_rate = r->max_rate,
		    .timeout_ms = r->timeout_ms,
		    .low_speed_limit = r->low_speed_limit,
		    .low_speed_time_ms = r->low_speed_time_ms,
		    .retries_set = r->retries >= 0,
		    .max_retries = r->retries,
		};
		char *name = pub_registry_name(r->name);
		int rc;
		if (!name) {
			base_error_set(err, "out of memory");
			reg_client_free(c);
			return -1;
		}
		rc = pub_budget_settings(r, shard_count, &s, err);
		if (rc == 0)
			rc = reg_client_configure(c, name, &s, err);
		free(name);
		if (rc < 0) {
			base_error_wrap(err, "registries: %s", r->name);
			reg_client_free(c);
			return -1;
		}
	}
	*out = c;
	return 0;
}

/* Unsigned decimal, no sign, no spaces, at most max. */
static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int pub_shard_parse(const char *text, unsigned *index, unsigned *count, struct base_error *err)
{
	const char *slash;
	char ibuf[32];
	size_t ilen;

	*index = 0;
	*count = 0;
	if (!text) {
		/* A Kubernetes Indexed Job sets JOB_COMPLETION_INDEX; the count is
		 * not in the environment by default, so the manifest passes it. */
		const char *ie = base_env("JOB_COMPLETION_INDEX"),
		           *ce = base_env("JOB_COMPLETIONS");
		if (!ie || !*ie)
			return 0;
		if (!ce || !*ce) {
			base_error_set(
			    err, "JOB_COMPLETION_INDEX is set (%s) but JOB_COMPLETIONS is not", ie);
			return -1;
		}
		if (parse_uint(ce, 1000000, count) < 0 || *count == 0) {
			base_error_set(err, "JOB_COMPLETIONS \"%s\" is not a positive number", ce);
			*count = 0;
			return -1;
		}
		if (parse_uint(ie, 1000000, index) < 0 || *index >= *count) {
			base_error_set(
			    err,
			    "shard index out of range: JOB_COMPLETION_INDEX=%s (the Indexed "
			    "Job's pod index) is not in 0..%u, the indexes of "
			    "JOB_COMPLETIONS=%s shards; keep JOB_COMPLETIONS equal to the "
			    "Job's spec.completions",
			    ie, *count - 1, ce);
			*index = *count = 0;
			return -1;
		}
		return 0;
	}
	slash = strchr(text, '/');
	ilen = slash ? (size_t)(slash - text) : 0;
	if (!slash || ilen == 0 || ilen >= sizeof(ibuf))
		goto bad;
	memcpy(ibuf, text, ilen);
	ibuf[ilen] = '\0';
	if (parse_uint(slash + 1, 1000000, count) < 0 || *count == 0)
		goto bad;
	if (parse_uint(ibuf, 1000000, index) < 0)
		goto bad;
	if (*index >= *count) {
		base_error_set(
		    err,
		    "--shard \"%s\": shard index %u out of range: %u shard%s %s numbered "
		    "0..%u",
		    text, *index, *count, *count == 1 ? "" : "s", *count == 1 ? "is" : "are",
		    *count - 1);
		*index = *count = 0;
		return -1;
	}
	return 0;
bad:
	*index = *count = 0;
	base_error_set(err, "--shard \"%s\": want INDEX/COUNT with 0 <= INDEX < COUNT", text);
	return -1;
}

int pub_platform_from_farm(const struct farm_platform *fp, struct reg_platform *out,
                           struct base_error *err)
{
	if (reg_platform_from_parts(fp->os, fp->arch, fp->variant, fp->os_version, out, err) < 0)
		return -1;
	if (fp->n_os_features) {
		out->os_features = calloc(fp->n_os_features, sizeof(char *));
		if (!out->os_features)
			goto oom;
		for (size_t i = 0; i < fp->n_os_features; i++) {
			out->n_os_features = i + 1;
			if (!(out->os_features[i] = strdup(fp->os_features[i])))
				goto oom;
		}
	}
	if (fp->n_features) {
		out->features = calloc(fp->n_features, sizeof(char *));
		if (!out->features)
			goto oom;
		for (size_t i = 0; i < fp->n_features; i++) {
			out->n_features = i + 1;
			if (!(out->features[i] = strdup(fp->features[i])))
				goto oom;
		}
	}
	return 0;
oom:
	base_error_set(err, "out of memory");
	return -1;
}

enum reg_list_format pub_list_format(enum farm_format f)
{
	switch (f) {
	case FARM_FORMAT_DOCKER:
		return REG_LIST_DOCKER;
	case FARM_FORMAT_OCI:
		return REG_LIST_OCI;
	default:
		return REG_LIST_AUTO;
	}
}

int pub_shard_owns(const char *ref, unsigned index, unsigned count)
{
	return farm_shard_has(ref, index, count);
}
