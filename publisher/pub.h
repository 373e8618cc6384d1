/* pub.h — publisher internals shared by the jobs (check, publish, retag,
 * inspect, status, single-list commands) and the command files. Private to
 * publisher/ and its tests. */
#ifndef MANIFOLD_PUB_H
#define MANIFOLD_PUB_H

#include <stdio.h>
#include <time.h>

#include "farm.h"
#include "registry.h"

/* Exit codes (DESIGN.md). */
enum {
	PUB_EXIT_OK = 0,         /* every target published or unchanged */
	PUB_EXIT_FAILED = 1,     /* some target failed */
	PUB_EXIT_USAGE = 2,      /* usage or config error, nothing written */
	PUB_EXIT_INCOMPLETE = 3, /* no failure, some target incomplete */
};

/* ---- logging (stderr; text or JSON lines) ------------------------------ */

enum pub_log_level { PUB_LOG_DEBUG, PUB_LOG_INFO, PUB_LOG_WARN, PUB_LOG_ERROR };
enum pub_log_format { PUB_LOG_TEXT, PUB_LOG_JSON };

/* Set once in main before threads start. */
void pub_log_init(enum pub_log_format format, enum pub_log_level min_level);
void pub_log(enum pub_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adapter for reg_client_options.log. */
void pub_log_registry(void *ctx, enum reg_log_level level, const char *msg);
/* 1 when colour may be used on this stream (a terminal, NO_COLOR unset, TERM not dumb). */
int pub_color_enabled(FILE *f);

/* ---- common command-line plumbing ------------------------------------- */

/* Options every registry-talking command shares. */
struct pub_global {
	int insecure;    /* --insecure */
	int jobs;        /* -j N, default 16 */
	int output_json; /* --output json */
	int dry_run;     /* --dry-run */
};

/* Platform callback for farm_load_options (wraps reg_platform_parse). */
int pub_platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                       size_t why_len);
/* Make a registry client from the config's registries (cfg may be NULL) and the
 * global options. */
int pub_client_new(const struct farm_config *cfg, const struct pub_global *g,
                   struct reg_client **out, struct reg_error *err);

/* ---- worker pool ------------------------------------------------------- */

/* Run fn(session, i, ctx) for every i in [0, n) on `workers` threads, each
 * owning its own reg_session. Returns when all are done. fn must not fail
 * the pool: it records its own results in ctx (indexed by i). Returns -1
 * only when no session/thread could be started (err filled). */
typedef void (*pub_job_fn)(struct reg_session *s, size_t i, void *ctx);
int pub_pool_run(struct reg_client *c, int workers, size_t n, pub_job_fn fn, void *ctx,
                 struct reg_error *err);

/* ---- status file ------------------------------------------------------- */

enum pub_target_state {
	PUB_T_PUBLISHED,
	PUB_T_UNCHANGED,
	PUB_T_INCOMPLETE,
	PUB_T_FAILED,
	PUB_T__COUNT
};
enum pub_platform_state {
	PUB_P_READY,
	PUB_P_MISSING,
	PUB_P_WRONG_PLATFORM,
	PUB_P_ERROR,
	PUB_P__COUNT
};
const char *pub_target_state_str(enum pub_target_state s);     /* "published", ... */
const char *pub_platform_state_str(enum pub_platform_state s); /* "ready", "wrong-platform", ... */
int pub_target_state_parse(const char *s, enum pub_target_state *out);
int pub_platform_state_parse(const char *s, enum pub_platform_state *out);

struct pub_platform_status {
	char *platform; /* as in the config */
	char *source;   /* source reference */
	enum pub_platform_state state;
	char
	    *digest; /* child manifest digest (resolved entry when the source is a list), or NULL */
	char *media_type; /* child media type, or NULL */
	long long size;   /* child manifest size, -1 unknown */
	int verified;     /* child config checked against platform at `digest` */
	char *reason;     /* why not ready, or NULL */
};

struct pub_target_status {
	char *target; /* full reference */
	enum pub_target_state state;
	char
	    *digest; /* list digest when published/unchanged, else the last published one or NULL */
	char *media_type; /* list media type, or NULL */
	char *since;      /* RFC 3339 UTC: when state or digest last changed */
	char *reason;     /* why incomplete/failed, or NULL */
	struct pub_platform_status *platforms;
	size_t n_platforms;
};

struct pub_run {
	char *started, *finished; /* RFC 3339 UTC */
	int published, unchanged, incomplete, failed;
};

struct pub_status {
	int schema; /* 1 */
	char *config;
	struct pub_run last_run;
	struct pub_target_status *targets; /* sorted by target */
	size_t n_targets;
};

/* Serialise deterministically: 2-space indent, fixed key order (schema,
 * config, last_run{started, finished, published, unchanged, incomplete,
 * failed}, targets[{target, state, digest, media_type, since, reason,
 * platforms[{platform, source, state, digest, media_type, size, verified,
 * reason}]}]), absent fields omitted, targets sorted by target, trailing
 * newline. Returns malloc'd text. */
char *pub_status_serialize(const struct pub_status *st);
/* Parse; errors name the file and the JSON path. */
int pub_status_parse(const char *name, const char *data, size_t len, struct pub_status **out,
                     struct reg_error *err);
/* Load a file; a missing file gives an empty status (0 targets), not an error. */
int pub_status_load(const char *path, struct pub_status **out, struct reg_error *err);
/* Write atomically: temp file in the same directory, fsync, rename. */
int pub_status_write(const char *path, const struct pub_status *st, struct reg_error *err);
void pub_status_free(struct pub_status *st);
void pub_status_sort(struct pub_status *st);
/* Target record by reference, or NULL. */
struct pub_target_status *pub_status_find(const struct pub_status *st, const char *target);
int pub_target_status_copy(struct pub_target_status *dst, const struct pub_target_status *src);
void pub_target_status_free(struct pub_target_status *t);
/* strdup that keeps NULL; *fail set to 1 on allocation failure. */
char *pub_dup_or_null(const char *s, int *fail);
/* Now as RFC 3339 UTC "2026-11-22T03:00:00Z", malloc'd. MANIFOLD_NOW, when
 * set, overrides the clock (tests). */
char *pub_now_rfc3339(void);

/* ---- assembling one list (publish, push from-spec/from-args) ----------- */

/* One entry of a list to publish. The caller fills source, platform (as it
 * is to be written in the list) and annotations; pub_child_resolve fills the
 * rest. Free with pub_child_free. */
struct pub_child {
	char *source;                 /* per-arch reference as configured */
	struct reg_platform platform; /* the entry's platform, written as given */
	struct reg_annotation *annotations;
	size_t n_annotations;
	/* filled by pub_child_resolve */
	enum pub_platform_state state;
	char *reason;                 /* why not ready, or NULL */
	int from_list;                /* the source tag was itself a list; its entry was taken */
	struct reg_ref resolved;      /* source repository @ child digest */
	struct reg_manifest manifest; /* the child image manifest, exact bytes */
	/* optional input: the config check already passed at this child digest
	 * (status file cache), so it is skipped when the child resolves to it */
	const char *verified_digest;
	int verified; /* filled: the child's config matched (now or cached) */
};
void pub_child_free(struct pub_child *c);

/* GET the source; when it is a list take its entry for c->platform
 * (attestations skipped); when verify, GET the config blob and check its
 * platform. Sets c->state: READY, MISSING (404 / no entry for the platform),
 * WRONG_PLATFORM (config says otherwise; reason names both), or ERROR
 * (err filled, reason set). Returns 0 when READY, -1 otherwise. */
int pub_child_resolve(struct reg_session *s, struct pub_child *c, int verify,
                      struct reg_error *err);

/* Children must all be READY. Copies every child into target's repository
 * (reg_copy_manifest by digest), builds the list (reg_list_build, entries
 * in the order given), and PUTs it to target's tag and every extra ref
 * unless that tag already holds the digest. *changed = 1 when any tag was
 * written. With dry_run nothing is written; digest and bytes are still
 * computed. digest_out gets the list digest, media_type_out a static string,
 * size_out the list size. */
struct pub_list_result {
	char digest[REG_DIGEST_MAX];
	const char *media_type;
	size_t size;
	int changed;
};
int pub_list_publish(struct reg_session *s, const struct reg_ref *target,
                     const struct reg_ref *extra, size_t n_extra, struct pub_child *children,
                     size_t n_children, enum reg_list_format format,
                     const struct reg_annotation *annotations, size_t n_annotations, int dry_run,
                     struct pub_list_result *out, struct reg_error *err);

/* ---- git record of the status file (libgit2) --------------------------- */

struct pub_git_options {
	const char *repo_dir; /* --repo DIR; NULL: discovered from the status file's path */
	const char
	    *author; /* "Name <email>"; NULL: git config, else manifold <manifold@localhost> */
	int push;    /* --push */
	const char *remote; /* NULL: "origin" */
	int max_attempts;   /* push attempts on non-fast-forward; 0: default 5 */
};

/* After the status file at status_path has been written: when it differs
 * from HEAD's copy, commit only that file on the current branch (tree built
 * from HEAD's, index and work tree otherwise untouched). Subject
 * "manifold: N published, N unchanged, N incomplete, N failed"; body lists
 * every target whose state changed, old -> new (prev may be NULL). With
 * push, push the branch; on non-fast-forward fetch, merge the status by
 * target with the remote's (pub_status_merge), rewrite the file, recommit
 * on the remote head and retry, bounded. *committed = 1 when a commit was
 * made. Credentials (MANIFOLD_GIT_USERNAME / MANIFOLD_GIT_PASSWORD, ssh
 * agent) never appear in err. */
int pub_git_record(const char *status_path, const struct pub_status *prev,
                   const struct pub_status *cur, const struct pub_git_options *o, int *committed,
                   struct reg_error *err);

/* Merge b into a (both sorted): per target the record with the newer
 * `since` wins (ties: a's); targets present in only one side are kept;
 * last_run is the later finished run's. Result is sorted. */
int pub_status_merge(struct pub_status *a, const struct pub_status *b, struct reg_error *err);

/* "--shard I/N" or JOB_COMPLETION_INDEX/JOB_COMPLETIONS from the environment
 * (text NULL). *count = 0 when sharding is off. Errors name the value. */
int pub_shard_parse(const char *text, unsigned *index, unsigned *count, struct reg_error *err);

/* ---- commands: each is one cmd_*.c file -------------------------------- */

int cmd_check_main(int argc, char **argv);
int cmd_publish_main(int argc, char **argv);
int cmd_retag_main(int argc, char **argv);
int cmd_inspect_main(int argc, char **argv);
int cmd_status_main(int argc, char **argv);
int cmd_push_main(int argc, char **argv); /* push from-spec | from-args */
int cmd_append_main(int argc, char **argv);
int cmd_annotate_main(int argc, char **argv);
int cmd_delete_main(int argc, char **argv);

#endif
