/* registry.h — manifold's door to container registries: image references,
 * platforms, digests, manifests and lists, blobs, auth, retries.
 *
 * Knows nothing of configs or git. Thread model: one struct reg_client per
 * process (shared, thread-safe: token cache, per-registry settings and
 * concurrency caps, curl share handle); one struct reg_session per worker
 * thread (owns one curl easy handle, never shared between threads).
 *
 * Conventions: functions return BASE_OK (0) or a negative BASE_E* value and
 * fill a caller-owned struct base_error (base/base.h). Every char * / struct
 * returned is owned by the caller unless said otherwise; every *_free(NULL)
 * is safe. */
#ifndef MANIFOLD_REGISTRY_H
#define MANIFOLD_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base.h"

#ifndef MANIFOLD_VERSION
#define MANIFOLD_VERSION "0.0.0"
#endif

/* ---- digests ---------------------------------------------------------- */

#define REG_DIGEST_MAX 80 /* "sha256:" + 64 hex + NUL fits */
/* out = "sha256:<64 lowercase hex>" */
void reg_digest_sha256(const uint8_t *data, size_t len, char out[REG_DIGEST_MAX]);
/* 1 when text is "sha256:<64 lowercase hex>" (the only algorithm we accept). */
int reg_digest_valid(const char *text);

/* ---- image references (docker's normalisation) ------------------------ */

struct reg_ref {
	char *registry;   /* "docker.io" for Docker Hub, else "host[:port]" */
	char *repository; /* "library/nginx", "kube-proxy" */
	char *tag;        /* NULL only when a digest was given without a tag */
	char *digest;     /* "sha256:..." or NULL */
};

/* Parses "nginx", "nginx:1.25", "docker.io/library/nginx", "localhost:5000/a/b:t",
 * "host/a@sha256:...", "host/a:t@sha256:...". Docker rules: the first component
 * is a registry only when it contains '.' or ':' or is "localhost"; Docker Hub
 * names ("index.docker.io", "registry-1.docker.io", none) become "docker.io",
 * single-component Hub repositories get "library/"; no tag and no digest means
 * tag "latest". Repository components must be lowercase [a-z0-9] with
 * separators [._-] (and "__"); tags [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
 * Errors name the reference and what is wrong. */
int reg_ref_parse(const char *text, struct reg_ref *out, struct base_error *err);
void reg_ref_free(struct reg_ref *r);
int reg_ref_copy(struct reg_ref *dst, const struct reg_ref *src);
/* "registry/repository[:tag][@digest]" — full form, malloc'd. */
char *reg_ref_format(const struct reg_ref *r);
/* A view of repo's registry and repository at tag and/or digest (either
 * may be NULL): borrows every string, owns nothing; never free it. */
struct reg_ref reg_ref_at(const struct reg_ref *repo, const char *tag, const char *digest);
/* "registry/repository", malloc'd. */
char *reg_ref_format_repo(const struct reg_ref *r);
/* 1 when registries are equal (same host, same API endpoint). */
int reg_ref_same_registry(const struct reg_ref *a, const struct reg_ref *b);
/* Host to talk to for this registry name: "registry-1.docker.io" for
 * "docker.io", the name itself otherwise. Not owned by caller. */
const char *reg_registry_api_host(const char *registry);
/* 1 for localhost, 127.0.0.0/8 and ::1 (with or without port): plain HTTP
 * allowed by default, as docker does. */
int reg_registry_is_loopback(const char *registry);

/* ---- platforms (containerd's normalisation) --------------------------- */

struct reg_platform {
	char *os;           /* "linux" */
	char *architecture; /* "amd64" */
	char *variant;      /* "v8", "v7" or NULL */
	char *os_version;   /* "10.0.17763.6659" or NULL */
	char **os_features; /* NULL when n_os_features == 0 */
	size_t n_os_features;
	char **features;
	size_t n_features;
};

/* Parse "os/arch[/variant][:os.version]". Case and aliases are normalised
 * (Linux→linux, x86_64/x86-64→amd64, aarch64→arm64, armhf→arm+v7,
 * armel→arm+v6, i386→386) but a given variant is kept as written ("v8"
 * stays "v8"). Unknown os or architecture, empty parts, or too many parts are
 * errors: `"linux/arm64/v9" is not a known platform` style messages. */
int reg_platform_parse(const char *text, struct reg_platform *out, struct base_error *err);
/* Same normalisation from separate fields (manifest-tool spec, image config).
 * variant and os_version may be NULL. */
int reg_platform_from_parts(const char *os, const char *arch, const char *variant,
                            const char *os_version, struct reg_platform *out,
                            struct base_error *err);
/* containerd comparison: arm64 variant ""/"8"/"v8"/"v8.0" equal, arm without
 * variant ≡ arm/v7, amd64 "v1" ≡ none, os case-insensitive; os_version is
 * compared only when both sides have one. Features are not compared.
 * Returns 1 on match. */
int reg_platform_match(const struct reg_platform *want, const struct reg_platform *have);
/* "os/arch[/variant][:os.version]", malloc'd. */
char *reg_platform_format(const struct reg_platform *p);
int reg_platform_copy(struct reg_platform *dst, const struct reg_platform *src);
void reg_platform_free(struct reg_platform *p);

/* ---- manifests -------------------------------------------------------- */

#define REG_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define REG_MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define REG_MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define REG_MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define REG_MT_DOCKER_CONFIG   "application/vnd.docker.container.image.v1+json"
#define REG_MT_OCI_CONFIG      "application/vnd.oci.image.config.v1+json"
/* The Accept header value manifold sends on every manifest HEAD/GET. */
#define REG_MANIFEST_ACCEPT                                                                        \
	REG_MT_DOCKER_MANIFEST ", " REG_MT_DOCKER_LIST ", " REG_MT_OCI_MANIFEST                    \
	                       ", " REG_MT_OCI_INDEX
#define REG_MANIFEST_MAX (4u * 1024u * 1024u) /* cap on manifest bodies */
#define REG_CONFIG_MAX   (8u * 1024u * 1024u) /* cap on config blobs we read */

int reg_media_type_is_list(const char *mt);  /* docker list or OCI index */
int reg_media_type_is_image(const char *mt); /* docker v2s2 or OCI manifest */

struct reg_annotation {
	char *key;
	char *value;
};

struct reg_descriptor {
	char *media_type;
	char *digest;
	int64_t size;
	int has_platform;
	struct reg_platform platform; /* valid when has_platform */
	char *artifact_type;          /* NULL if absent */
	struct reg_annotation *annotations;
	size_t n_annotations;
};

struct reg_manifest {
	/* Exactly what the registry returned; never re-serialised. */
	struct base_buf raw;
	char *media_type; /* from the body's mediaType, else Content-Type */
	char *digest;     /* sha256 of raw, verified against what was asked for */
	/* Parsed view. */
	int is_list;
	struct reg_descriptor config;  /* image only */
	struct reg_descriptor *layers; /* image only */
	size_t n_layers;
	struct reg_descriptor *entries; /* list only, in document order */
	size_t n_entries;
	struct reg_annotation *annotations; /* top-level annotations */
	size_t n_annotations;
};

/* Parse bytes (copied into m->raw) as one of the four manifest types.
 * content_type may be NULL (then the body's mediaType decides; a body with
 * "manifests" is a list, with "layers" an image). Sets m->digest. */
int reg_manifest_parse(const uint8_t *data, size_t len, const char *content_type,
                       struct reg_manifest *m, struct base_error *err);
void reg_manifest_free(struct reg_manifest *m);
/* 1 for buildx attestation entries (annotation vnd.docker.reference.type =
 * attestation-manifest, or platform unknown/unknown). */
int reg_descriptor_is_attestation(const struct reg_descriptor *d);
/* Index into m->entries of the image entry for `want` (attestations are
 * skipped), or -1. */
long reg_list_select(const struct reg_manifest *m, const struct reg_platform *want);

/* Platform recorded in an image config blob (architecture, os, variant,
 * os.version, os.features). */
int reg_image_config_platform(const uint8_t *data, size_t len, struct reg_platform *out,
                              struct base_error *err);

/* ---- building lists (deterministic bytes) ----------------------------- */

enum reg_list_format {
	REG_LIST_AUTO, /* docker list when every child is docker v2s2 and there are
	                  no annotations, OCI index otherwise */
	REG_LIST_DOCKER,
	REG_LIST_OCI,
};

struct reg_list_entry {
	const char *media_type; /* child's media type */
	const char *digest;
	int64_t size;
	const struct reg_platform *platform;      /* written as given (already normalised) */
	const struct reg_annotation *annotations; /* OCI only */
	size_t n_annotations;
};

/* Build a list: same inputs give the same bytes, byte for byte. Layout:
 * 3-space indented JSON (as `docker manifest push` writes), keys in the order
 * schemaVersion, mediaType, manifests[{mediaType, digest, size,
 * platform{architecture, os, os.version, os.features, variant, features},
 * annotations}], annotations; entries in the order given; empty optional
 * fields omitted. *media_type_out points to a static string. Refuses
 * REG_LIST_DOCKER with annotations or with a non-docker child. */
int reg_list_build(enum reg_list_format format, const struct reg_list_entry *entries, size_t n,
                   const struct reg_annotation *annotations, size_t n_annotations,
                   struct base_buf *out, const char **media_type_out, struct base_error *err);

/* ---- the client --------------------------------------------------------- */

enum reg_log_level { REG_LOG_DEBUG, REG_LOG_INFO, REG_LOG_WARN };

/* One line of the client's log and what it is about, for a structured log.
 * Every pointer is valid only during the call; any may be NULL. */
struct reg_log_event {
	enum reg_log_level level;
	const char *msg;      /* the line as a text log shows it */
	const char *registry; /* host[:port] the request went to (a token fetch: the
	                         registry the token is for) */
	const char *ref;      /* the reference or repository the request is for */
	const char *op;       /* "HEAD manifest" */
	long http_status;     /* the answer being retried; 0: none (the transfer failed) */
	const char *code;     /* that answer's registry error code ("TOOMANYREQUESTS") */
	int attempt;          /* a retry: which one (1 is the first); 0: not a retry */
	int max_retries;      /* a retry: how many the request may have */
	long delay_ms;        /* a retry: the wait before it; -1: none */
};

struct reg_client_options {
	const char *user_agent; /* NULL: "manifold/" MANIFOLD_VERSION */
	/* Defaults for every registry; reg_registry_settings overrides them
	 * per registry. See reg_registry_settings for what each one bounds. */
	int max_retries;           /* 0: default 4 */
	long timeout_ms;           /* 0: default 15000 */
	long low_speed_limit;      /* bytes/s; 0: default 1024 */
	long low_speed_time_ms;    /* 0: default 15000 */
	long backoff_ms;           /* first retry delay; 0: default 500 (tests set small) */
	int insecure_all;          /* --insecure: plain HTTP for every registry */
	int tls_all;               /* --tls: HTTPS for every registry, loopback ones too */
	const char *ca_file_all;   /* --ca-file: the CA bundle every registry is verified
	                              with instead of the system store (implies HTTPS); a
	                              registry's own ca_file replaces it; NULL none */
	const char *docker_config; /* config.json path; NULL: $DOCKER_CONFIG/config.json, else
	                              ~/.docker/config.json */
	const char *auth_file;     /* NULL: $REGISTRY_AUTH_FILE if set */
	/* Optional: called from any thread (retries, fallbacks), on the
	 * thread whose request the event is about. Never gets credentials. */
	void (*log)(void *ctx, const struct reg_log_event *ev);
	void *log_ctx;
};

/* ---- request budgets (budget.c) ----------------------------------------- */

/* At most `limit` requests in any window of window_ms; limit 0: none. */
struct reg_budget {
	long limit;
	long window_ms;
};
/* Requests per second b allows over a long run; 0 when b is none. */
double reg_budget_rate(const struct reg_budget *b);
/* What a night paced by b sends a second over its length: the rate of its
 * token bucket (a little under reg_budget_rate, so that no window holds
 * more than the limit with the burst); 0 for none. */
double reg_budget_pace(const struct reg_budget *b);

/* What a hosted registry documents of its limits (docs/config.md names the
 * vendor page each number comes from). */
struct reg_preset {
	const char *name;        /* "ghcr", "dockerhub", "artifact-registry", "ecr", "quay" */
	struct reg_budget all;   /* every request */
	struct reg_budget write; /* PUT, POST, PATCH, DELETE */
	struct reg_budget pull;  /* manifest GETs */
	int pull_headers;        /* its RateLimit headers count manifest GETs only (Docker Hub) */
};
/* The preset of that name, or NULL. Static. */
const struct reg_preset *reg_preset_find(const char *name);

struct reg_registry_settings {
	int insecure; /* plain HTTP (and no TLS verification) */
	int tls; /* HTTPS even on loopback and with --insecure (so does ca_file, unless insecure) */
	/* CA bundle this registry is verified with instead of the system store
	 * (and instead of the client's ca_file_all), NULL: ca_file_all */
	const char *ca_file;
	int max_concurrency; /* simultaneous requests to this registry; 0: unlimited */
	double max_rate;     /* requests per second; 0: unlimited */
	/* Connecting, and each try of a request without a blob body (HEAD,
	 * manifest GET/PUT/DELETE, tags, upload start, mount, token), must
	 * finish within timeout_ms. A blob body (GET or PUT) has no total
	 * limit: it is aborted when it moves slower than low_speed_limit
	 * bytes/s for low_speed_time_ms (rounded up to whole seconds), waiting
	 * for the first byte included. 0: the client's default. */
	long timeout_ms;
	long low_speed_limit;
	long low_speed_time_ms;
	int retries_set; /* when 1, max_retries replaces the client's (0: no retries) */
	int max_retries;
	/* Request budgets, shared by every worker (this process's part already
	 * taken): every request, writes (PUT/POST/PATCH/DELETE), manifest GETs.
	 * limit 0: none. */
	struct reg_budget budget_all, budget_write, budget_pull;
	/* The part of what the registry announces (RateLimit headers) this
	 * process may use: 1/N for one of N shards; 0: all of it. */
	double budget_share;
	int pull_headers; /* the registry's RateLimit headers count manifest GETs only */
};

struct reg_client;
struct reg_session;

int reg_client_new(const struct reg_client_options *opts, struct reg_client **out,
                   struct base_error *err);
/* Settings for one registry name (as in reg_ref.registry). Call before sessions start. */
int reg_client_configure(struct reg_client *c, const char *registry,
                         const struct reg_registry_settings *s, struct base_error *err);
void reg_client_free(struct reg_client *c);

/* Cancellation hook: fn is polled from any thread before each try of a
 * request, while its transfer runs (at least once a second, stalled or not)
 * and during retry waits; when it returns non-zero the request ends at once
 * with BASE_ECANCELED (not retried, not counted against the host). It is
 * asked with finishing = 1 for a manifest PUT, which a caller may let run
 * on a little longer than the rest (a list write in flight). Set before any
 * session starts; NULL removes it. */
typedef int (*reg_cancel_fn)(void *ctx, int finishing);
void reg_client_set_cancel(struct reg_client *c, reg_cancel_fn fn, void *ctx);

/* A budget wait that would end after `at` (CLOCK_MONOTONIC; NULL: none) is
 * not waited: the request fails at once with BASE_ERATELIMITED and err says
 * "rate limited by HOST until TIME (why)", TIME in RFC 3339 UTC. Set before
 * any session starts. */
void reg_client_set_deadline(struct reg_client *c, const struct timespec *at);

/* One registry's budget counters (budget.c). */
struct reg_budget_stats {
	char registry[256];
	unsigned long requests; /* tries sent, retries included (token fetches are not) */
	unsigned long too_many; /* answered 429 */
	long long waited_ms;    /* time requests waited for the budget, summed over workers */
	int has_budget;         /* a budget was configured or the registry announced one */
	int limited;            /* a request failed as rate limited (BASE_ERATELIMITED) */
	char limited_until[32]; /* then: when the budget frees up, RFC 3339 UTC */
};
/* Every registry spoken to, sorted by name. *out malloc'd (the caller
 * frees it; NULL when *n is 0). 0, or -1 out of memory. */
int reg_client_budget_stats(struct reg_client *c, struct reg_budget_stats **out, size_t *n);

struct reg_stats {
	unsigned long head, get, put, post, patch, del; /* requests sent, retries included */
	unsigned long retries;                          /* all retries: the sum of the four below */
	unsigned long retries_status;                   /* 429, 502, 503, 504; 500 on a HEAD */
	unsigned long retries_connection; /* refused, unresolved, garbled or dropped */
	unsigned long retries_timeout;    /* connect, total or low-speed limit hit */
	unsigned long retries_digest;     /* body did not hash to the digest expected */
	uint64_t bytes_copied;            /* blob bytes streamed between repositories */
};
void reg_client_stats(struct reg_client *c, struct reg_stats *out);

/* Requests sent to one registry with one method that ended in one HTTP
 * status; status 0: no answer (the connection failed or timed out). Token
 * server requests count under the registry they were for. */
struct reg_request_count {
	char registry[256];
	const char *method; /* "GET", "HEAD", ...: static */
	int status;
	unsigned long count;
};
/* Every (registry, method, status) counted so far, sorted by registry,
 * method, status. *out is malloc'd (the caller frees it; NULL when *n is
 * 0). 0, or -1 out of memory. */
int reg_client_request_counts(struct reg_client *c, struct reg_request_count **out, size_t *n);

/* The auth file a client reads first: auth_file, else $REGISTRY_AUTH_FILE
 * (NULL or "" when neither is set). Named but missing is an error: err says
 * "auth file PATH (from --authfile|REGISTRY_AUTH_FILE): does not exist".
 * `from` names the setting in that message ("--authfile"). */
int reg_auth_file_check(const char *auth_file, const char *from, struct base_error *err);

/* ---- stored credentials (creds_store.c): what `login` / `logout` edit ---- */

/* The docker config login writes: $DOCKER_CONFIG/config.json, else
 * $HOME/.docker/config.json. -1 when neither variable is set. */
int reg_docker_config_path(char *buf, size_t n);
/* Set auths.REGISTRY.auth = base64(user:password) in the docker-style JSON
 * file at path (created 0600 with its directory when missing; every other
 * key kept; written atomically: temporary file in the same directory, fsync,
 * rename). Docker Hub is stored under "https://index.docker.io/v1/", as
 * docker does. The secret never appears in err. */
int reg_creds_store(const char *path, const char *registry, const char *user, const char *password,
                    struct base_error *err);
/* Remove every auths entry naming REGISTRY from path. *removed = number of
 * entries removed (0: not logged in; the file is then left untouched). */
int reg_creds_erase(const char *path, const char *registry, int *removed, struct base_error *err);

/* A registry whose tries fail at the connection level (refused, unresolved,
 * timed out) REG_HOST_DOWN_AFTER times in a row, with no answer in between,
 * is unreachable for the rest of the client's life: every later request to
 * it fails at once with "HOST: registry unreachable (N consecutive
 * connection failures: <last error>)". Tries that overlap in time count
 * once, so many workers hitting one outage together do not trip it early. */
#define REG_HOST_DOWN_AFTER 3

/* One per worker thread; owns a curl easy handle (connections kept alive). */
int reg_session_new(struct reg_client *c, struct reg_session **out, struct base_error *err);
void reg_session_free(struct reg_session *s);

/* ---- endpoints (each request: auth, retries, caps, digest checks) ------ */

/* GET /v2/ on registry with these credentials only (nothing is read from
 * the credential files): BASE_OK when the registry (or its token server)
 * accepts them; a 401 is "credentials from SOURCE rejected by REGISTRY".
 * `source` names where they came from in messages ("--password-stdin"). */
int reg_login_check(struct reg_session *s, const char *registry, const char *user,
                    const char *password, const char *source, struct base_error *err);

struct reg_head {
	char media_type[128];
	char digest[REG_DIGEST_MAX]; /* Docker-Content-Digest; "" if the registry sent none */
	int64_t size;                /* Content-Length, -1 if unknown */
};

/* HEAD /v2/<repo>/manifests/<tag|digest>. BASE_ENOTFOUND on 404. When the
 * reference has a digest, a Docker-Content-Digest that differs is an error. */
int reg_manifest_head(struct reg_session *s, const struct reg_ref *ref, struct reg_head *out,
                      struct base_error *err);
/* The same, as the read-back of a manifest PUT: the cancel hook is asked
 * with finishing = 1, as for the PUT itself. */
int reg_manifest_head_after_put(struct reg_session *s, const struct reg_ref *ref,
                                struct reg_head *out, struct base_error *err);
/* GET, capped at REG_MANIFEST_MAX, sha256 verified against ref->digest (when
 * set) and Docker-Content-Digest (when sent), then parsed. */
int reg_manifest_get(struct reg_session *s, const struct reg_ref *ref, struct reg_manifest *out,
                     struct base_error *err);
/* PUT exact bytes to ref->tag, or to ref->digest when tag is NULL.
 * digest_out (may be NULL) gets the sha256 of data; a registry that answers
 * with a different Docker-Content-Digest is an error. */
int reg_manifest_put(struct reg_session *s, const struct reg_ref *ref, const char *media_type,
                     const uint8_t *data, size_t len, char digest_out[REG_DIGEST_MAX],
                     struct base_error *err);
/* DELETE /v2/<repo>/manifests/<ref->digest>. BASE_EUNSUPPORTED when the
 * registry has deletes disabled (405 / UNSUPPORTED). */
int reg_manifest_delete(struct reg_session *s, const struct reg_ref *ref, struct base_error *err);
/* GET /v2/<repo>/tags/list (all pages). */
int reg_tags_list(struct reg_session *s, const struct reg_ref *repo, char ***tags_out,
                  size_t *n_out, struct base_error *err);
void reg_tags_free(char **tags, size_t n);

/* HEAD /v2/<repo>/blobs/<digest>: BASE_OK (size_out set when non-NULL) or BASE_ENOTFOUND. */
int reg_blob_head(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                  int64_t *size_out, struct base_error *err);
/* GET a blob into memory, at most `cap` bytes, sha256 verified. */
int reg_blob_get(struct reg_session *s, const struct reg_ref *repo, const char *digest, size_t cap,
                 struct base_buf *out, struct base_error *err);
/* Cross-repository mount (same registry only): POST
 * /v2/<dst>/blobs/uploads/?mount=<digest>&from=<src repo>. *mounted = 1 on
 * 201; 0 when the registry answered 202 (the started upload is cancelled). */
int reg_blob_mount(struct reg_session *s, const struct reg_ref *dst_repo, const char *digest,
                   const struct reg_ref *src_repo, int *mounted, struct base_error *err);
/* Upload bytes as a blob (POST + PUT ?digest=, monolithic). */
int reg_blob_put(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                 const uint8_t *data, size_t len, struct base_error *err);

struct reg_copy_stats {
	unsigned long blobs_present, blobs_mounted, blobs_copied;
	unsigned long manifests_present, manifests_put;
	uint64_t bytes_copied;
};

/* Make dst's repository hold blob `digest` from src's repository. Within
 * one registry (different repositories): mount, with no HEAD first — 201 is
 * success. Otherwise (another registry, or the mount answered 202 or was
 * refused): HEAD dst, and when absent stream it (GET to a temporary file,
 * sha256 verified, then upload). stats may be NULL. */
int reg_blob_ensure(struct reg_session *s, const struct reg_ref *src_repo,
                    const struct reg_ref *dst_repo, const char *digest, int64_t size,
                    struct reg_copy_stats *stats, struct base_error *err);

/* Make dst hold manifest m (fetched from src): every blob it references (for
 * a list: every child manifest, recursively, fetched from src by digest) is
 * made present in dst's repository first, then m's exact bytes are PUT to
 * dst->tag, or by digest when dst->tag is NULL. A manifest dst already holds
 * (HEAD by digest / tag answers m's digest) is not written again. */
int reg_copy_manifest(struct reg_session *s, const struct reg_ref *src,
                      const struct reg_manifest *m, const struct reg_ref *dst,
                      struct reg_copy_stats *stats, struct base_error *err);

/* What a copy asks before each write into dst's repository, so a caller
 * running many copies at once writes each (repository, digest) once:
 * distribution answers identical concurrent writes into one repository
 * with 400 DIGEST_INVALID or 500. kind is 'b' (a blob mounted or
 * uploaded) or 'm' (a manifest PUT, by digest or the first time under a
 * tag). begin may block while another copy writes the same key; it
 * returns 1 when the caller is to write (then end is called with ok), 0
 * when the key was written already: a blob or a manifest by digest is then
 * skipped, a tagged PUT still goes (after the first). */
struct reg_copy_guard {
	int (*begin)(void *ctx, char kind, const struct reg_ref *repo, const char *digest);
	void (*end)(void *ctx, char kind, const struct reg_ref *repo, const char *digest, int ok);
	void *ctx;
};
/* reg_copy_manifest with every write asked of guard (NULL: none). */
int reg_copy_manifest_guarded(struct reg_session *s, const struct reg_ref *src,
                              const struct reg_manifest *m, const struct reg_ref *dst,
                              const struct reg_copy_guard *guard, struct reg_copy_stats *stats,
                              struct base_error *err);

/* ---- referrers (referrers.c) ------------------------------------------- */

/* GET /v2/<repo>/referrers/<digest> (OCI distribution spec): the index of
 * the manifests whose subject is digest. BASE_ENOTFOUND or BASE_EUNSUPPORTED
 * (404 / 405) when the registry has no referrers API. */
int reg_referrers_get(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                      struct reg_manifest *out, struct base_error *err);
/* buf = "sha256-<hex>" + suffix (NULL: none): the referrers tag schema's
 * tag for digest, and with ".sig" / ".att" / ".sbom" cosign's. -1 when
 * digest is not sha256 or buf is too small. */
int reg_referrers_tag(const char *digest, const char *suffix, char *buf, size_t n);

struct reg_referrers_result {
	int source_api;     /* the source answered the referrers API */
	unsigned long api;  /* manifests copied from the API's answer */
	unsigned long tags; /* tags copied (tag schema index, cosign tags) */
	struct reg_copy_stats stats;
};
/* Copy the referrers of digest from src_repo to dst_repo (repositories:
 * tag and digest ignored), the way the source keeps them: what its
 * referrers API lists, pushed by digest (each keeps its subject; a
 * destination on another registry without the API also gets the tag
 * schema's index); without the API (404 / 405) its `sha256-<hex>` tag
 * with every manifest that index lists; and cosign's `sha256-<hex>.sig`,
 * `.att`, `.sbom` tags in every case. A tag the source lacks is skipped;
 * what dst holds already is not written again. res is added to. */
int reg_referrers_copy(struct reg_session *s, const struct reg_ref *src_repo,
                       const struct reg_ref *dst_repo, const char *digest,
                       struct reg_referrers_result *res, struct base_error *err);

#endif
