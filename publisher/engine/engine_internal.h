/* engine_internal.h — engine-private: what the jobs share below their doors
 * (job.h and the job headers): a session on the registries (session.c,
 * budget.c), the worker pool (pool.c), the log adapter for the registry
 * client, sharding and the config's digest (session.c, plan.c), and the
 * estimate of a night (estimate.c). Only engine/ files (and the engine's
 * unit tests) include it; it is the one engine header that includes
 * registry.h and farm.h. Thread model: the pool runs jobs on worker
 * threads, each with its own struct reg_session; shared state is named,
 * with its lock, where it is declared. */
#ifndef MANIFOLD_ENGINE_INTERNAL_H
#define MANIFOLD_ENGINE_INTERNAL_H

#include "farm.h"
#include "job.h"
#include "publish.h"
#include "registry.h"

_Static_assert(PUB_DIGEST_MAX == REG_DIGEST_MAX, "a digest is as long in both");

/* Adapter for reg_client_options.log: the registry's line at the engine's
 * level; a retry is an event ("retry") with the registry's fields and the
 * target the thread is working on. */
void pub_log_registry(void *ctx, const struct reg_log_event *ev);
/* The target (its reference) the calling thread works on, which the
 * registry's events on that thread name; NULL: none. A job sets it when
 * it takes a target up and clears it when done; a crew's helpers take
 * their owner's. The string must outlive the setting. */
void pub_log_target_set(const char *target);
const char *pub_log_target(void);

/* ---- session on the registries (session.c) --------------------------------- */

/* Platform callback for farm_load_options (wraps reg_platform_parse). */
int pub_platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                       size_t why_len);
/* Make a registry client from the config's registries (cfg may be NULL) and the
 * global options. */
int pub_client_new(const struct farm_config *cfg, const struct pub_global *g,
                   struct reg_client **out, struct base_error *err);
/* The same for one of shard_count shards (0: not sharded): each registry's
 * request budget is split among them unless `rate-limit-shared: false`. */
int pub_client_new_sharded(const struct farm_config *cfg, const struct pub_global *g,
                           unsigned shard_count, struct reg_client **out, struct base_error *err);
/* budget.c: r's request budgets (its preset's, replaced by each key the
 * config sets; this shard's part) into s. BASE_EINPUT for an unknown preset. */
int pub_budget_settings(const struct farm_registry *r, unsigned shard_count,
                        struct reg_registry_settings *s, struct base_error *err);
/* A client (pub_client_new: cfg may be NULL) and one session on it, for the
 * single-list commands. Free the session, then the client. */
int pub_session_open(const struct farm_config *cfg, const struct pub_global *g,
                     struct reg_client **c, struct reg_session **s, struct base_error *err);
/* A registry name as references carry it ("index.docker.io" →
 * "docker.io"), malloc'd; NULL out of memory. */
char *pub_registry_name(const char *name);
/* A config platform as a list entry's platform (features included). */
int pub_platform_from_farm(const struct farm_platform *fp, struct reg_platform *out,
                           struct base_error *err);
/* The config's `format:` as the list builder's. */
enum reg_list_format pub_list_format(enum farm_format f);
/* ---- worker pool ------------------------------------------------------- */

/* Run fn(session, i, ctx) for every i in [0, n) on `workers` threads, each
 * owning its own reg_session. Returns when all are done. fn must not fail
 * the pool: it records its own results in ctx (indexed by i). Returns -1
 * only when no session/thread could be started (err filled). */
typedef void (*pub_job_fn)(struct reg_session *s, size_t i, void *ctx);
int pub_pool_run(struct reg_client *c, int workers, size_t n, pub_job_fn fn, void *ctx,
                 struct base_error *err);

/* "--shard I/N" or JOB_COMPLETION_INDEX/JOB_COMPLETIONS from the environment
 * (text NULL). *count = 0 when sharding is off. Errors name the value. */
int pub_shard_parse(const char *text, unsigned *index, unsigned *count, struct base_error *err);
/* "sha256:<hex>" of the config file's bytes: what a shard's status file
 * records (status_shard_info.config_digest) to say which config wrote it. */
int pub_config_digest(const char *path, char out[REG_DIGEST_MAX], struct base_error *err);
/* From the plan's targets (this run's) and the status file (prev may be
 * NULL), without a request. 0, BASE_EINPUT (a preset unknown) or -1. */
struct pub_plan; /* job_internal.h */
int pub_estimate_compute(const struct farm_config *cfg, const struct pub_plan *plan,
                         const struct status_status *prev, unsigned shard_count,
                         struct pub_estimate *out, struct base_error *err);
#endif
