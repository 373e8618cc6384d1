/* job.h — what every job of the engine shares: its return codes, the
 * options every registry-talking job takes, and the logging hook the jobs
 * report through; and login/logout, the jobs on the credentials file.
 *
 * The engine's doors are one header per job: publish.h (check, publish),
 * retag.h (retag, promote), prune.h, inspect.h, lists.h (push, append,
 * annotate, delete), verify.h (signed releases). Each command calls one
 * job: `pub_<job>_run(options, result, err)` (publish and check:
 * pub_publish_job, pub_check_job). The engine never prints, never exits:
 * results come back in structs, errors in a caller-owned struct base_error
 * with context added on the way up, log lines through the sink the command
 * line installs. Returns: 0 ok, BASE_EINPUT when the input was wrong and
 * nothing was sent or written, other negative values on failure. */
#ifndef MANIFOLD_JOB_H
#define MANIFOLD_JOB_H

#include <stddef.h>

#include "base.h"
#include "status.h"

/* A digest as text: "sha256:" + 64 hex + NUL fits (REG_DIGEST_MAX). */
#define PUB_DIGEST_MAX 80

/* ---- logging hook (log.c) ------------------------------------------------ */

enum pub_log_level { PUB_LOG_DEBUG, PUB_LOG_INFO, PUB_LOG_WARN, PUB_LOG_ERROR };

/* One field of a structured event: a string (str), or a number (is_num,
 * num). A string field whose str is NULL does not apply and is left out. */
struct pub_log_field {
	const char *key; /* "target", "http_status" */
	const char *str;
	long long num;
	int is_num;
};
#define PUB_LOG_STR(k, v) ((struct pub_log_field){.key = (k), .str = (v)})
#define PUB_LOG_NUM(k, v) ((struct pub_log_field){.key = (k), .num = (v), .is_num = 1})

/* Receives every line at or above the sink's level, from any thread (it
 * must be thread-safe), with the event's fields (n_fields 0 for a plain
 * line). cli/ installs one that writes stderr as text (the message alone)
 * or as JSON lines (message and fields); with none installed lines are
 * dropped. Set before any thread starts. */
typedef void (*pub_log_sink_fn)(void *ctx, enum pub_log_level level, const char *msg,
                                const struct pub_log_field *fields, size_t n_fields);
void pub_log_set_sink(pub_log_sink_fn fn, void *ctx, enum pub_log_level min_level);
void pub_log(enum pub_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line with fields: text logs show the message, JSON logs the fields too. */
void pub_log_event(enum pub_log_level level, const struct pub_log_field *fields, size_t n_fields,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* 1 when a line at level would reach the sink. */
int pub_log_enabled(enum pub_log_level level);
/* "debug", "info", "warning", "error". */
const char *pub_log_level_str(enum pub_log_level level);

/* A job's progress (publish, check, retag): called from worker threads as
 * each target or copy finishes, done counting up to total; must be
 * thread-safe. */
typedef void (*pub_progress_fn)(void *ctx, const char *phase, size_t done, size_t total);

/* ---- options every registry-talking job shares ------------------------------ */

/* Options every registry-talking job shares. */
struct pub_global {
	int insecure;          /* --insecure */
	int tls;               /* --tls: HTTPS to every registry, loopback ones too */
	const char *ca_file;   /* --ca-file: CA bundle for every registry (implies HTTPS) */
	int jobs;              /* -j N, default 16 */
	int output_json;       /* --output json */
	int dry_run;           /* --dry-run */
	const char *auth_file; /* --authfile; NULL: $REGISTRY_AUTH_FILE */
};

/* An auth file named by --authfile (from) or REGISTRY_AUTH_FILE must exist:
 * err says "auth file PATH (from --authfile|REGISTRY_AUTH_FILE): does not
 * exist". 0 when it does or none is named. */
int pub_auth_file_check(const char *auth_file, const char *from, struct base_error *err);
/* --tls/--ca-file against --insecure, and the --ca-file bundle: it must
 * be a readable file holding a PEM certificate. err names the option and
 * the file. 0 when they agree (or none is given). */
int pub_tls_options_check(const struct pub_global *g, struct base_error *err);
/* 1 when target ref belongs to shard index of count (the split publish
 * makes; count 0 or 1: everything is shard 0). */
int pub_shard_owns(const char *ref, unsigned index, unsigned count);

/* ---- login, logout (login.c) --------------------------------------------- */

/* Where login and logout keep credentials: auth_file (--authfile), else
 * $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
int pub_login_path(const char *auth_file, char *buf, size_t n, struct base_error *err);
/* The registry named by HOST, "host:port" or "https://host/..." as
 * references carry it, in buf. */
int pub_login_registry(const char *host, char *buf, size_t n, struct base_error *err);
/* Check user and password against registry (GET /v2/ with them; a 401 is
 * an error and nothing is written), then store them in path's auths. */
int pub_login(const struct pub_global *g, const char *registry, const char *user,
              const char *password, const char *path, struct base_error *err);

struct pub_login_options {
	struct pub_global g;  /* --authfile: the file; --insecure */
	const char *host;     /* HOST, "host:port" or "https://host/..." */
	const char *username; /* login: -u USER */
	int password_stdin;   /* login: --password-stdin given */
	/* login: the password (malloc'd; the job wipes and frees it), or NULL
	 * when there is none; asked only once HOST and -u are known good */
	char *(*read_password)(void *ctx);
	void *ctx;
};
struct pub_login_result {
	char registry[512]; /* HOST as references carry it */
	char path[4096];    /* the credentials file */
};
/* login: check the credentials against the registry, then store them.
 * BASE_EINPUT for a usage error (HOST, -u, --password-stdin, no password):
 * nothing sent; -1 when the registry refused them or the file could not be
 * written. */
int pub_login_run(const struct pub_login_options *o, struct pub_login_result *out,
                  struct base_error *err);
/* logout: remove every auths entry for HOST. BASE_EINPUT for a bad HOST; -1
 * when the file could not be written or has no entry for it. */
int pub_logout_run(const struct pub_login_options *o, struct pub_login_result *out,
                   struct base_error *err);

#endif
