/* base.h — what every part of manifold needs, once: the error type, the
 * growable buffer, the JSON string writer, the duration grammar, atomic
 * file writes, the environment table and RFC 3339 times.
 *
 * Knows nothing of registries, configs or git; links nothing but libc.
 * Conventions: functions return BASE_OK (0) or a negative BASE_E* code
 * and fill a caller-owned struct base_error; every *_free(NULL) is safe. */
#ifndef MANIFOLD_BASE_H
#define MANIFOLD_BASE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

/* ---- errors ----------------------------------------------------------- */

/* The one set of return codes: 0, or a negative value saying which kind of
 * failure (the error's message says what). The command line maps them to
 * exit codes. */
enum base_rc {
	BASE_OK = 0,
	BASE_EFAIL = -1,        /* any failure; err says why */
	BASE_ENOTFOUND = -2,    /* 404 / MANIFEST_UNKNOWN / BLOB_UNKNOWN / NAME_UNKNOWN */
	BASE_EUNSUPPORTED = -3, /* the registry refuses the operation (e.g. 405 on DELETE) */
	BASE_ECANCELED = -4,    /* the client's cancel hook stopped the request */
	BASE_ERATELIMITED = -5, /* the registry's budget is used up past the client's deadline */
	BASE_EHELD = -10,       /* delete refused: the digest also backs other tags */
	BASE_ENOTLIST = -11,    /* delete refused: target is not a list */
	BASE_EINPUT = -20,      /* bad input (config, arguments): nothing sent or written */
};

/* One error with its cause chain: each layer on the way up prefixes its
 * context with base_error_wrap ("publish x: HEAD y: 401 ..."), never
 * replacing the cause. http_status and code stay those of the cause. */
#define BASE_EMSG 1024
struct base_error {
	int http_status; /* last HTTP status that caused the error, 0 if none */
	char code[64];   /* registry error code ("MANIFEST_UNKNOWN"), "" if none */
	char msg[BASE_EMSG];
};

void base_error_clear(struct base_error *err);
/* Replace the message. */
void base_error_set(struct base_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prefix context: "ctx: <previous message>". Keeps http_status and code;
 * a long context is cut so that the cause still fits. */
void base_error_wrap(struct base_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- growable buffer -------------------------------------------------- */

/* Bytes that grow; zero-initialise. data is malloc'd and, once anything was
 * put, NUL-terminated after len (the NUL is not counted). A buffer filled
 * by hand ({data, len} with cap 0) may be grown too. After an allocation
 * failure it stops growing (oom set) and base_buf_take returns NULL. */
struct base_buf {
	uint8_t *data;
	size_t len, cap;
	int oom;
};
void base_buf_put(struct base_buf *b, const void *s, size_t n);
void base_buf_str(struct base_buf *b, const char *s);
void base_buf_fmt(struct base_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text (caller frees; "" when empty; NULL after a failure); b is reset. */
char *base_buf_take(struct base_buf *b);
void base_buf_free(struct base_buf *b); /* frees data, zeroes b */

/* ---- one block ---------------------------------------------------------- */

/* A record held for a long time is packed: its strings and arrays moved
 * into one allocation (arrays first, so their alignment holds). base_str_size: the bytes s takes
 * there (0 for NULL). base_str_move: *s copied to *at, *at advanced past it, the original freed and
 * *s pointed at the copy (NULL stays NULL). */
size_t base_str_size(const char *s);
void base_str_move(char **s, char **at);
/* An array's n bytes (n > 0) moved to *at the same way: returns the copy,
 * p freed; n 0: p as it is. */
void *base_mem_move(void *p, size_t n, char **at);
/* The allocator set up for a long run of many small records (malloc.c):
 * glibc's mmap threshold fixed at 4 MiB and 2 arenas, each unless the
 * user set it (MALLOC_MMAP_THRESHOLD_, MALLOC_ARENA_MAX; GLIBC_TUNABLES:
 * neither). What it set: BASE_MALLOC_THRESHOLD | BASE_MALLOC_ARENAS. */
enum { BASE_MALLOC_THRESHOLD = 1, BASE_MALLOC_ARENAS = 2 };
int base_malloc_setup(void);

/* ---- JSON ------------------------------------------------------------- */

/* How a string is escaped. Both escape '"', '\\' and every byte below
 * 0x20, and copy valid UTF-8 as it is.
 * BASE_JSON_GO: Go's encoding/json (\n \r \t, other controls as \u00XX,
 *   HTML-safe \u003c \u003e \u0026, U+2028/U+2029 as \u2028/\u2029): the
 *   bytes docker and containerd write, so list digests match theirs.
 * BASE_JSON_PLAIN: RFC 8259's short escapes (\b \f \n \r \t), other
 *   controls and DEL as \u00XX: the status file and reports. */
enum base_json_style { BASE_JSON_GO, BASE_JSON_PLAIN };
/* Appends s as a quoted JSON string. */
void base_json_str(struct base_buf *b, const char *s, enum base_json_style style);

/* ---- durations -------------------------------------------------------- */

/* One grammar for the command line and the config: a whole number and a
 * unit, ms, s, m, h or d ("500ms", "90s", "15m", "2h", "1d"); no sign, no
 * fraction, no space. 0 with *ms_out set (at most 100000000d), or -1.
 * Callers check their own range and word a refusal with
 * BASE_DURATION_WANT: `expected a duration from 1ms to 24h, like "30s" or
 * "2m", got "25h"`. */
int base_duration_parse(const char *text, long long *ms_out);
#define BASE_DURATION_WANT(min, max) "a duration from " min " to " max ", like \"30s\" or \"2m\""

/* ---- files ------------------------------------------------------------ */

/* mkdir -p of path's directory, `mode` for what it creates: 0, or -1 with
 * err filled ("<path>: mkdir <dir>: <why>"). */
int base_file_make_parents(const char *path, unsigned mode, struct base_error *err);
/* Where an atomic write of path lands, in real (n bytes): a symbolic
 * link's target, so the link is kept (as docker keeps a linked
 * config.json), else path itself. *in_place is set when that file exists
 * and is not a regular file (/dev/null, /dev/stdout, a FIFO): it is then
 * written in place, never replaced by a file. 0, or -1 with err filled:
 * "<path>: is a directory", "<path>: resolve link: <why>", "<path>: path
 * too long". */
int base_file_write_place(const char *path, char *real, size_t n, int *in_place,
                          struct base_error *err);
/* Write data to path atomically (temporary file in the same directory,
 * fsync, rename), the file's mode `mode` (0644). 0, or -1 with err filled:
 * "<path>: create temporary file: <why>", "<path>: write <tmp>: <why>",
 * "<path>: rename: <why>". */
int base_file_write_atomic(const char *path, const char *data, size_t len, unsigned mode,
                           struct base_error *err);
/* The same for a file written as a stream (a report too big to hold):
 * open gives a->f on a temporary file in the directory of the file
 * written (mode `mode`); commit flushes, fsyncs and renames it over that
 * file (errors as above, the temporary file removed); abort removes it.
 * Where the write lands is base_file_write_place's: a link's target, and
 * a device or FIFO written in place. path must outlive a. */
struct base_atomic_file {
	FILE *f;
	const char *path;
	char real[4096]; /* the file written: path, or its link's target */
	char tmp[4096];  /* "" when it is written in place */
};
int base_file_atomic_open(struct base_atomic_file *a, const char *path, unsigned mode,
                          struct base_error *err);
int base_file_atomic_commit(struct base_atomic_file *a, struct base_error *err);
void base_file_atomic_abort(struct base_atomic_file *a);

/* ---- environment ------------------------------------------------------ */

/* Every environment variable manifold reads, in one table (env.c; as the
 * command line's options are in publisher/cli/options.c): the man page's
 * ENVIRONMENT section and the ENVIRONMENT part of `manifold --help` are
 * made from it, and lint checks that nothing reads the environment but
 * base_env. */
struct base_env_var {
	const char *name;  /* "DOCKER_CONFIG"; "NAME" for the config-named row */
	const char *value; /* what it holds, as help shows it: "DIR", "0..255" */
	const char *help;  /* one sentence */
};
/* In the order help and the man page list them. */
extern const struct base_env_var base_env_vars[];
extern const size_t base_env_n_vars;
/* The value of a variable of the table as the environment has it, NULL
 * when unset; NULL for any other name, so a variable without a row in the
 * table is never read at all. */
const char *base_env(const char *name);
/* A variable a config names (sign-key / require-signature {env: NAME},
 * the table's "NAME" row): its value, NULL when unset. */
const char *base_env_named(const char *name);

/* ---- times ------------------------------------------------------------ */

#define BASE_TIME_MAX 32
/* t as RFC 3339 UTC, "2026-11-22T03:00:00Z", into buf[BASE_TIME_MAX]. */
void base_time_format(time_t t, char buf[BASE_TIME_MAX]);
/* The same with milliseconds, "2026-11-22T03:00:00.250Z" (log lines). */
void base_time_format_ms(const struct timespec *ts, char buf[BASE_TIME_MAX]);
/* "2026-11-22T03:00:00Z" or with a fraction ("…:00.123Z") → *out; only
 * UTC ("Z"). 0, or -1. */
int base_time_parse(const char *text, time_t *out);

#endif
