/* internal.h — registry/-private types shared by the network half of the
 * library: the client and session structs, the one request function
 * (request.c), auth (auth.c), credentials (creds.c) and the pure helpers the
 * unit tests and fuzz targets call. Not installed, not included outside
 * registry/ except by tests. */
#ifndef MANIFOLD_REGISTRY_INTERNAL_H
#define MANIFOLD_REGISTRY_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "registry.h"

/* Static helpers a unit test wants are reachable in test builds. */
#ifdef MANIFOLD_UNITTEST
#define UNITTEST
#else
#define UNITTEST static
#endif

/* Parsers of untrusted bytes that are static in the library, visible to the
 * unit tests and fuzz targets (tests/fuzz/). */
#ifdef MANIFOLD_UNITTEST
struct reg_creds;
/* creds.c: a credential helper's answer {"Username", "Secret"}. 1 found, -1
 * not that shape, -2 out of memory. */
int reg_creds_helper_answer_parse(const char *buf, size_t len, struct reg_creds *out);
/* endpoints.c: one tags/list page appended to *tags; its array size, -1
 * malformed, -2 out of memory. And the Link header's next URL: 1 url set
 * (on base's origin), 0 none, -1 one that must not be followed (why says). */
long reg_tags_page_parse(const uint8_t *data, size_t len, char ***tags, size_t *n);
int reg_tags_next_link(const char *base, const char *link, char *url, size_t n, char *why,
                       size_t why_n);
#endif

/* ---- credentials (creds.c) ---------------------------------------------- */

struct reg_creds {
	char *username; /* NULL when none found */
	char *password;
	/* Where they came from (never a secret): a file path, or
	 * "credential helper docker-credential-NAME (named in FILE)". */
	char source[1200];
	/* Every file looked in, in order, ", "-separated ("" when none). */
	char looked[2048];
};
void reg_creds_clear(struct reg_creds *c); /* wipes and frees */

/* Look up credentials for `registry` in one docker-style JSON document
 * (config.json or an auth file). Sets *helper_out (malloc'd helper name,
 * without the "docker-credential-" prefix) when a credHelpers/credsStore
 * entry applies and no inline credentials were found. Returns 1 when
 * credentials were found, 0 when not, negative on a malformed document. */
int reg_creds_from_json(const uint8_t *data, size_t len, const char *registry,
                        struct reg_creds *out, char **helper_out, struct base_error *err);
/* Run docker-credential-<helper> get (found on PATH) with the registry's
 * server URL on stdin. 1 found, 0 "credentials not found", negative error. */
int reg_creds_from_helper(const char *helper, const char *registry, struct reg_creds *out,
                          struct base_error *err);
/* The whole lookup: auth_file (else $REGISTRY_AUTH_FILE) first, then the
 * docker config (docker_config, else $DOCKER_CONFIG/config.json, else
 * $HOME/.docker/config.json), then podman's and skopeo's defaults
 * (${XDG_RUNTIME_DIR}/containers/auth.json, then
 * $HOME/.config/containers/auth.json). A missing file is not an error,
 * except the named auth file. out->source and out->looked are filled
 * either way. */
int reg_creds_lookup(const char *auth_file, const char *docker_config, const char *registry,
                     struct reg_creds *out, struct base_error *err);
/* A config key ("host[:port]", "https://host/v1/", ...) names registry:
 * same host part; Docker Hub's spellings are one. */
int reg_creds_key_matches(const char *key, const char *registry);
/* A credentials file, capped at 4 MiB: 1 read (*data malloc'd, wipe and
 * free it), 0 missing, negative on error. */
int reg_creds_file_read(const char *path, uint8_t **data, size_t *len, struct base_error *err);
/* Base64 (standard alphabet). Decode returns malloc'd NUL-terminated bytes or
 * NULL on invalid input. */
char *reg_base64_encode(const uint8_t *data, size_t len);
char *reg_base64_decode(const char *text, size_t *len_out);

/* ---- WWW-Authenticate and scopes (auth.c) ------------------------------ */

enum reg_auth_scheme { REG_AUTH_NONE, REG_AUTH_BASIC, REG_AUTH_BEARER };

struct reg_challenge {
	enum reg_auth_scheme scheme;
	char realm[1024];
	char service[256];
	char scope[1024];
	char error[64];
};

/* Parse one WWW-Authenticate value (RFC 7235: scheme then comma-separated
 * auth-params, quoted strings with backslash escapes; several challenges may
 * share a value). Bearer wins over Basic. 0 when a usable challenge was found
 * (Bearer needs a realm), -1 otherwise. */
int reg_auth_challenge_parse(const char *value, struct reg_challenge *out);
/* "repository:<repo>:pull" / "repository:<repo>:pull,push". */
int reg_auth_scope(char *buf, size_t n, const char *repo, int push);
/* Scope for a mount: write scope on dst plus pull scope on the source. */
int reg_auth_scope_mount(char *buf, size_t n, const char *dst_repo, const char *src_repo);
/* Token endpoint answer {"token"|"access_token", "expires_in"}: token
 * malloc'd, *expires_in defaults to 60. 0 ok, -1 malformed. */
int reg_auth_token_parse(const uint8_t *data, size_t len, char **token, long *expires_in);

/* A token server's error answer as one line: {"errors":[{code, message}]},
 * else error_description / details / message / error, else the start of a
 * non-JSON body ("" when empty). http_error.c. */
void reg_token_error_text(const uint8_t *data, size_t len, char *buf, size_t n);
/* 0 when a token answer is a JSON object with a token; else -1 and why
 * ("answer is not JSON", "answer has no token (...)"). */
int reg_token_answer_check(const uint8_t *data, size_t len, char *why, size_t n);

/* ---- retries and errors (retry.c, host.c, http.c) ----------------------- */

/* Why a try failed, as far as retrying is concerned. */
enum reg_fault {
	REG_FAULT_NONE,    /* final: not retried */
	REG_FAULT_STATUS,  /* 429/502/503/504, or 500 on a HEAD (DESIGN rule 7) */
	REG_FAULT_CONNECT, /* no connection: unresolved, refused, TLS handshake */
	REG_FAULT_TIMEOUT, /* connect timeout, total limit or low-speed limit */
	REG_FAULT_DROPPED, /* the connection was garbled or dropped mid-answer */
	REG_FAULT_DIGEST,  /* the body is not what was asked for: not the digest
	                    * expected, or not JSON where nothing vouches for it */
};
enum reg_method { REG_M_HEAD, REG_M_GET, REG_M_PUT, REG_M_POST, REG_M_PATCH, REG_M_DELETE };
/* errbuf (CURLOPT_ERRORBUFFER text, may be NULL) tells HTTP/0.9 garbage
 * apart from a refused protocol: both are CURLE_UNSUPPORTED_PROTOCOL. */
enum reg_fault reg_fault_of_curl(CURLcode cc, const char *errbuf);
enum reg_fault reg_fault_of_status(long status, enum reg_method method);
/* A whole 2xx body of a request that wants JSON (a manifest). vouched: a
 * digest the body matched (asked for, or Docker-Content-Digest): those are
 * the registry's own bytes, so asking again cannot change them. */
enum reg_fault reg_fault_of_json_body(const uint8_t *data, size_t len, int vouched);
/* Whether the retry goes out on a new connection (FRESH_CONNECT and
 * FORBID_REUSE): after anything that may have left the old one garbled. */
int reg_fault_wants_fresh(enum reg_fault f);
/* Whether the fault says the host is not answering (counts toward down). */
int reg_fault_is_connection(enum reg_fault f);

/* A host's connection health (held in struct reg_host under its lock). */
struct reg_health {
	int failures;               /* counted connection-level failures in a row */
	int down;                   /* marked unreachable; never cleared */
	struct timespec last_count; /* CLOCK_MONOTONIC time of the last counted failure */
	char last_error[256];
};
/* A try that began at `started` failed at the connection level at `now`.
 * It counts only when it began after the last counted failure (overlapping
 * tries are one outage). Returns 1 when this call marked the host down. */
int reg_health_failed(struct reg_health *hh, const struct timespec *started,
                      const struct timespec *now, const char *why);
/* Any HTTP answer: the host is up (unless already marked down). */
void reg_health_ok(struct reg_health *hh);

/* Offset a retried blob download resumes from: the bytes already kept when
 * the failure was a dropped or timed-out transfer of a 2xx body, short of
 * the announced total (total < 0: unknown); 0 means download it all. */
uint64_t reg_resume_offset(enum reg_fault f, long status, uint64_t have, int64_t total,
                           int range_refused);
enum reg_range_answer {
	REG_RANGE_APPEND,  /* 206 starting at the offset: append */
	REG_RANGE_RESTART, /* 200: the whole body again, start the file over */
	REG_RANGE_BAD,     /* 206 for some other range: give up resuming */
};
/* The answer to "Range: bytes=offset-" given its status and Content-Range. */
enum reg_range_answer reg_range_answer(long status, const char *content_range, uint64_t offset);

/* Retry-After as curl read it (CURLINFO_RETRY_AFTER: delta-seconds, or an
 * HTTP-date less now) in ms, capped at 60 s; a date past is 0. backoff.c. */
long reg_retry_after_clamp(curl_off_t secs);
/* Full jitter: uniform in [0, min(30 s, base << attempt)]. */
long reg_backoff_ms(long base_ms, int attempt, unsigned int rnd);
/* First {"errors":[{"code","message"}]} entry of a registry error body. 0 when
 * found, -1 otherwise. Never reads past len. */
int reg_error_body_parse(const uint8_t *data, size_t len, char *code, size_t code_n, char *msg,
                         size_t msg_n);

/* ---- request budgets: the pure arithmetic (budget.c) --------------------- */

/* A token bucket for "limit requests in any window" (a reg_budget). */
struct reg_bucket {
	double rate;  /* tokens a second; 0: no bucket */
	double burst; /* most tokens held */
	double tokens;
	struct timespec last; /* CLOCK_MONOTONIC of the last refill */
};
/* burst B = what the budget allows in 50 ms (at least 2, at most limit /
 * 10, at least 1) and rate (limit - B) / window: no window of window_ms
 * then holds more than limit requests, and a long night runs at the
 * bucket's rate (reg_budget_pace: 95 % of 40/s, 99.9 % of 2000/min). A budget of none (limit 0)
 * gives rate 0, which never waits. Starts full. */
void reg_bucket_init(struct reg_bucket *b, const struct reg_budget *bd, const struct timespec *now);

/* Refill to now; ms until one token is there (0: now). */
long reg_bucket_wait_ms(struct reg_bucket *b, const struct timespec *now);
void reg_bucket_take(struct reg_bucket *b); /* after a wait of 0 */

/* What one answer's rate-limit headers said; -1: not said. */
struct reg_ratelimit {
	long limit;
	long remaining;
	long reset_ms; /* until the window ends */
};
/* RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset
 * (draft-ietf-httpapi-ratelimit-headers: integers, Reset in delta seconds),
 * also Docker Hub's ratelimit-limit / ratelimit-remaining ("100;w=21600":
 * the count, then the window in seconds). A missing Reset is taken as the
 * w= window (the whole window still to go: the safe side). Any argument may
 * be NULL or "". 0 when Remaining was read, -1 otherwise. */
int reg_ratelimit_parse(const char *limit, const char *remaining, const char *reset,
                        struct reg_ratelimit *out);

/* The window a registry announces, as the client paces itself by it:
 * what is left is spread evenly over the time left. */
struct reg_window {
	int known;
	long said;        /* the last Remaining it said, to notice a new window */
	double remaining; /* what this client may still send in the window */
	struct timespec reset_at, last_sent;
	unsigned long sent;  /* requests in scope sent so far (their sequence) */
	unsigned long first; /* the request whose answer began this window */
	double limit;        /* what a window allows this client (Limit × share), 0 unknown */
	long span_ms;        /* a window's length: the longest Reset said */
};
#define REG_WINDOW_DEFAULT_RESET_MS 60000L /* neither Reset nor w= given */
#define REG_FIRST_ANSWER_MS         2000L /* how long the others wait for a registry's first answer */
/* The answer to the seq-th request in scope said rl at now. The requests
 * sent after it are taken off what it says is left (they will be counted);
 * an answer to a request sent before the one that began the window is of
 * an older window and changes nothing; share is this process's part (1/N
 * shards). */
void reg_window_update(struct reg_window *w, const struct reg_ratelimit *rl, unsigned long seq,
                       double share, const struct timespec *now);
/* ms before the next request in scope may go (0: now). Past the window's
 * end, once the registry has said its Limit, the next window is taken to
 * allow that many over the same length, paced as any window is, until an
 * answer says what it really holds: not every waiting worker at once. */
long reg_window_wait_ms(const struct reg_window *w, const struct timespec *now);
/* A request in scope goes now; its sequence number. */
unsigned long reg_window_take(struct reg_window *w, const struct timespec *now);

/* How a registry that answers 429 is slowed: when a quarter or more of the
 * answers of the current and the last Retry-After window (5 at least) are
 * 429, the registry is over its limit, not unlucky: the rate is cut to half of what it was sent
 * (at most once a window, and only by a 429 to a request sent after the
 * last cut), and the whole registry pauses for the Retry-After. Each answer
 * that is not a 429 then adds back step / rate, i.e. step requests a second
 * for every second of answers at that rate (step: a tenth of the cut rate,
 * at least 1), until the rate is the ceiling (the configured budget) or
 * twice the rate that was cut, and the registry is no longer slowed. A 429
 * among answers that are mostly fine (a registry's passing hiccup) slows
 * nobody: its own request waits its Retry-After, as a 503's does. */
struct reg_aimd {
	double rate;    /* requests a second; 0: not slowed */
	double step;    /* added a second of answers at rate */
	double release; /* back to unslowed at this rate */
	double ceiling; /* the configured budget's pace; 0: none */
	int has_cut;
	struct timespec cut_at;
	struct timespec win_start; /* the window answers are counted in */
	unsigned win_answers, win_429;
	unsigned last_answers, last_429; /* the window before it */
	struct reg_bucket b;             /* rate, burst 1 */
};
#define REG_AIMD_FLOOR     0.5 /* requests a second, at the least */
#define REG_AIMD_MIN_429   5
#define REG_AIMD_WINDOW_MS 1000L /* windows are the Retry-After, at least this */
/* One answer, sent at sent and received at now: a 429 (whose Retry-After
 * is ra_ms) or not. Returns the pause to put on the registry in ms (0:
 * none; only for a 429 that cut the rate). */
long reg_aimd_answer(struct reg_aimd *a, int too_many, long ra_ms, const struct timespec *sent,
                     const struct timespec *now);
/* ms before the next request may go (0: now, and always when not slowed). */
long reg_aimd_wait_ms(struct reg_aimd *a, const struct timespec *now);
void reg_aimd_take(struct reg_aimd *a);

/* ---- the client and sessions -------------------------------------------- */

/* Per-registry state; created by reg_client_configure or on first use, freed
 * with the client, so pointers stay valid for the client's lifetime. */
struct reg_host {
	struct reg_host *next;
	char *name; /* as in reg_ref.registry */
	int plain;  /* http:// instead of https:// */
	char *ca_file;
	int max_concurrency;
	double max_rate;
	/* Timeouts and retries: set before sessions start (client defaults,
	 * then reg_client_configure), read without the lock afterwards. */
	long timeout_ms;
	long low_speed_limit;
	long low_speed_time_ms;
	int max_retries;
	/* lock guards in_flight, tokens, last_refill (the concurrency cap and
	 * the token bucket) and health (the consecutive connection failures
	 * and the down mark). */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int in_flight;
	double tokens;
	struct timespec last_refill;
	struct reg_health health;
	/* Easy handles not in a transfer, the last used on top: a request
	 * takes one with its slot and gives it back after, so the host's
	 * connections (one kept alive in each handle) number at most the
	 * requests in flight at once, whichever thread sends them. */
	CURL **idle;
	size_t n_idle, cap_idle;
	/* What the registry said of the referrers API (under lock): 0 not
	 * asked yet, 1 it has one, -1 it has none (its first 404 decides for
	 * the run). While one worker asks (referrers_probing) the others wait
	 * on referrers_cond for its answer. */
	int referrers_api;
	int referrers_probing;
	pthread_cond_t referrers_cond;
	/* budget_lock guards the buckets, the announced window, pause_until
	 * and the budget counters (budget.c); the settings above them are set
	 * before sessions start. A request waits for its budget before it takes
	 * a concurrency slot, so a slow budget never holds a slot. */
	pthread_mutex_t budget_lock;
	struct reg_bucket b_all, b_write, b_pull;
	double share;     /* of the announced window (1/N shards) */
	int pull_headers; /* the window paces manifest GETs only */
	int has_budget;
	struct reg_window window;
	struct timespec pause_until; /* a 429's Retry-After: every worker waits */
	/* Until the registry's first answer (or REG_FIRST_ANSWER_MS), one
	 * request at a time: the answer may announce a window, which the
	 * night's first burst (every worker's HEADs at once) would overrun. */
	int answered;
	struct timespec first_sent;
	struct reg_aimd aimd; /* the rate a registry's 429s leave it */
	unsigned long n_requests, n_429;
	long long waited_ms;
	int limited;
	char limited_until[32];
	/* Guarded by the client's auth_lock: what this registry asked for last,
	 * so later requests authenticate up front, and its credentials. */
	enum reg_auth_scheme scheme;
	char *realm;
	char *service;
	int creds_loaded;
	struct reg_creds creds;
};

struct reg_token {
	struct reg_token *next;
	char *registry;
	char *scope;
	char *token;
	struct timespec expires; /* CLOCK_MONOTONIC */
};

struct reg_client {
	char *user_agent;
	int max_retries; /* defaults each host starts with */
	long timeout_ms;
	long low_speed_limit;
	long low_speed_time_ms;
	long backoff_ms;
	int insecure_all;
	int tls_all;
	char *ca_file_all;
	char *docker_config;
	char *auth_file;
	void (*log)(void *ctx, const struct reg_log_event *ev);
	void *log_ctx;
	reg_cancel_fn cancel; /* set before sessions start, read-only afterwards */
	void *cancel_ctx;
	int has_deadline; /* reg_client_set_deadline: set before sessions start */
	struct timespec deadline;

	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

	pthread_mutex_t hosts_lock; /* guards the hosts list (not the entries) */
	struct reg_host *hosts;

	pthread_mutex_t auth_lock; /* guards tokens, fetching and every host's auth fields */
	struct reg_token *tokens;
	/* Token fetches under way (token NULL): one fetch per registry+scope at
	 * a time, so 16 workers starting on one repository ask the token server
	 * once, not 16 times. auth_cond signals a finished fetch. */
	struct reg_token *fetching;
	pthread_cond_t auth_cond;

	pthread_mutex_t stats_lock; /* guards stats and answers */
	/* The referrers tags (sha256-…) of each source repository, listed
	 * once a run (referrers.c); the lock guards the table, each entry has
	 * its own for its one listing. */
	pthread_mutex_t ref_tags_lock;
	struct reg_ref_tags **ref_tags;
	size_t n_ref_tags, cap_ref_tags;
	struct reg_stats stats;
	struct reg_request_count *answers; /* sorted; n_answers used of cap_answers */
	size_t n_answers, cap_answers;
};

struct reg_session {
	struct reg_client *client;
	CURL *curl;
	unsigned int seed; /* rand_r state for backoff jitter */
	char errbuf[CURL_ERROR_SIZE];
};

/* host.c: a registry's state, found or made on first use (NULL: out of
 * memory), and what a request does with it. */
struct reg_host *reg_client_host(struct reg_client *c, const char *registry);
/* "https://registry-1.docker.io" style, no trailing slash. */
void reg_host_base_url(const struct reg_host *h, char *buf, size_t n);
void reg_host_acquire(struct reg_host *h);
void reg_host_release(struct reg_host *h);
/* An easy handle for one transfer to h (kept-alive connection and all),
 * NULL when none can be made; back to h's idle handles when done. */
CURL *reg_host_handle_take(struct reg_host *h);
void reg_host_handle_put(struct reg_host *h, CURL *e);
/* Record a try's outcome in h->health (under h->lock). fault is
 * REG_FAULT_NONE for any HTTP answer. Returns 1 when this try marked the
 * host down. */
int reg_host_note(struct reg_host *h, enum reg_fault fault, const struct timespec *started,
                  const char *why);
/* When h is marked down: 1, and err says "HOST: registry unreachable (…)". */
int reg_host_down(struct reg_host *h, struct base_error *err);
void reg_client_logf(struct reg_client *c, enum reg_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with ev's fields (ev->msg is set here from fmt). */
void reg_client_log_event(struct reg_client *c, struct reg_log_event *ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- stats (stats.c): under the client's stats_lock ---------------------- */

const char *reg_method_name(enum reg_method m); /* "HEAD", ... */
/* One try sent with method m; retry: why it is a retry (NONE: a first try). */
void reg_stats_try(struct reg_client *c, enum reg_method m, enum reg_fault retry);
/* One try to registry (NULL: not counted) ended with status (0: no answer). */
void reg_stats_answer(struct reg_client *c, const char *registry, enum reg_method m, long status);
void reg_stats_copied(struct reg_client *c, uint64_t bytes);
void reg_stats_free(struct reg_client *c);

/* ---- the one request function (request.c, its stages: attempt.h) -------- */

struct reg_request {
	enum reg_method method;
	const char *registry; /* registry name; NULL for a token-server request */
	const char *url;      /* absolute */
	const char *scope;    /* token scope(s); NULL: no registry auth */
	const char *what;     /* reference named in errors */
	const char *op;       /* "HEAD manifest" */
	const char *accept;   /* NULL: none */
	const char *content_type;
	const uint8_t *body; /* request body from memory (PUT/POST) */
	size_t body_len;
	FILE *upload; /* request body from a file (PUT), rewound per try */
	int64_t upload_len;
	size_t cap; /* max 2xx response body; beyond it the transfer is aborted */
	FILE *sink; /* 2xx body goes here, sha256 in sink_digest; a retry after a dropped
	             * transfer resumes with Range when the registry allows (206) */
	int stream; /* a blob body: low-speed limit instead of a total time limit */
	/* Checked before a 2xx answer is accepted; a mismatch is retried on a
	 * fresh connection and the bad bytes are never handed back. */
	const char *want_digest; /* the body must hash to this (NULL: no check) */
	int check_header_digest; /* and to Docker-Content-Digest when sent */
	int json_body;           /* and be JSON when no digest vouches for it */
	int follow;              /* follow redirects (blob GET; auth stays on the first host) */
	/* Fixed Basic credentials (a token fetch); no challenge handling. */
	const char *basic_user, *basic_pass;
	const char *plain_ok; /* token fetch: the registry whose scheme decides if http is fine */
	int finishing;        /* a manifest PUT: the cancel hook may let it finish */
};

struct reg_response {
	long status;
	struct base_buf body; /* 2xx body (memory mode) or the error body (capped) */
	char digest[REG_DIGEST_MAX];
	char content_type[128];
	int64_t content_length;
	char *location;
	char *www_auth;
	char *link;          /* Link (tags pagination) */
	long retry_after_ms; /* Retry-After in ms (capped), -1 when not sent */
	char content_range[96];
	char sink_digest[REG_DIGEST_MAX];
	uint64_t sink_len;
	int http10; /* the answer was HTTP/1.0 (what a TLS server says to plain HTTP) */
	/* RateLimit-Limit / -Remaining / -Reset (also Docker Hub's lower-case
	 * ratelimit-limit / ratelimit-remaining), as sent */
	char rl_limit[64], rl_remaining[64], rl_reset[32];
};
void reg_response_free(struct reg_response *rs);

/* Send rq with auth, retries and the registry's caps. BASE_OK for a 2xx
 * answer; otherwise err names rq->what, rq->op, the status and the
 * registry's error code/message, and the result is BASE_ENOTFOUND (404),
 * BASE_EUNSUPPORTED (405) or BASE_EFAIL. rs is filled either way and must be
 * freed with reg_response_free. */
int reg_http_request(struct reg_session *s, const struct reg_request *rq, struct reg_response *rs,
                     struct base_error *err);
/* http.c: a request to no registry (a token server: rq->registry NULL):
 * the same tries and retries, without budget, registry auth or challenge. */
int reg_http_exchange(struct reg_session *s, const struct reg_request *rq, struct reg_response *rs,
                      struct base_error *err);

/* http_error.c: err for a non-2xx answer, naming rq->what, rq->op, the status
 * and the registry's error code/message; returns BASE_ENOTFOUND (404),
 * BASE_EUNSUPPORTED (405 / UNSUPPORTED) or BASE_EFAIL. */
int reg_status_error(const struct reg_request *rq, const struct reg_response *rs,
                     struct base_error *err);

/* ---- request budgets on a host (budget.c) ------------------------------- */

void reg_budget_host_init(struct reg_host *h);
void reg_budget_host_free(struct reg_host *h);
/* The settings' budgets into h (reg_client_configure). */
void reg_budget_configure(struct reg_host *h, const struct reg_registry_settings *s);
/* Wait until rq may go to h (its buckets, the announced window, a 429's
 * pause). BASE_OK with *seq set for reg_budget_answer; BASE_ECANCELED (err
 * not filled); BASE_ERATELIMITED when the wait would pass the client's
 * deadline (err: "WHAT: OP: rate limited by HOST until TIME (why)"). h may
 * be NULL (a token fetch: no budget). */
int reg_budget_take(struct reg_client *c, struct reg_host *h, const struct reg_request *rq,
                    unsigned long *seq, struct base_error *err);
/* An answer to rq (sent as seq, at sent): its rate-limit headers, and
 * what it says of the registry's limit (reg_aimd: a 429 whose Retry-After,
 * else backoff_ms, may pause every worker). */
void reg_budget_answer(struct reg_host *h, const struct reg_request *rq,
                       const struct reg_response *rs, unsigned long seq,
                       const struct timespec *sent, long backoff_ms);

/* ---- referrers (referrers.c) --------------------------------------------- */

/* The client's listings of referrers tags, freed with it. */
void reg_referrers_free(struct reg_client *c);

/* ---- cancellation (cancel.c) -------------------------------------------- */

/* 1 when the client's cancel hook says rq must stop now. */
int reg_cancelled(const struct reg_client *c, const struct reg_request *rq);
/* Sleep ms, waking early when the request is cancelled: 1 then, else 0. */
int reg_cancel_wait(const struct reg_client *c, const struct reg_request *rq, long ms);
/* err = "WHAT: OP: cancelled"; returns BASE_ECANCELED. */
int reg_cancel_error(const struct reg_request *rq, struct base_error *err);

/* endpoints.c: blob transfer through a file, so memory stays bounded. */
int reg_blob_get_file(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                      FILE *sink, uint64_t *len_out, struct base_error *err);
int reg_blob_put_file(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                      FILE *file, int64_t len, struct base_error *err);

void reg_auth_tokens_free(struct reg_client *c);
/* A request to h ended in 401 (err filled by reg_status_error): say why in
 * err — "credentials from SOURCE rejected by HOST" when some were sent,
 * else "no credentials found for HOST (looked in FILES)". */
void reg_auth_explain_401(struct reg_client *c, struct reg_host *h, int sent,
                          struct base_error *err);

#endif
