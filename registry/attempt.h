/* attempt.h — registry/-private: one request's state as its tries pass
 * through the stages (budget → acquire → auth → perform → classify →
 * challenge → backoff), the verdict each stage returns, and the stages
 * themselves, each in the file of its concern. request.c runs them. */
#ifndef MANIFOLD_REGISTRY_ATTEMPT_H
#define MANIFOLD_REGISTRY_ATTEMPT_H

#include <openssl/evp.h>

#include "reg_internal.h"

/* What a stage says about the request. */
enum reg_verdict {
	REG_V_NEXT,      /* on to the next stage of this try */
	REG_V_AGAIN,     /* another try now (a fresh token, a whole body after a 416) */
	REG_V_RETRY,     /* another try after a backoff (a->fault says why) */
	REG_V_CHALLENGE, /* a 401 to answer with the registry's challenge */
	REG_V_DONE,      /* an answer to hand back (2xx or a final status) */
	REG_V_FAIL,      /* a->rc and err say why */
};

/* Per-try transfer state handed to the curl callbacks (http.c). */
struct reg_xfer {
	const struct reg_request *rq;
	struct reg_response *rs;
	const struct reg_client *c;
	CURL *e;       /* the handle of the try under way */
	int overflow;  /* a 2xx body went past rq->cap */
	int sink_fail; /* writing the sink failed */
	EVP_MD_CTX *md;
	uint64_t resume_at; /* this try asked for "Range: bytes=resume_at-" (0: no) */
	int range_bad;      /* the answer was a 206 for another range */
	int cancelled;      /* the cancel hook aborted this try */
	int headers_done;   /* the last answer's header block ended (its empty line came) */
};

/* digest.c: the sha256 a sink's running digest md ends with, as
 * "sha256:<hex>" into out (out untouched when libcrypto fails). Used by the
 * classify stage's digest check and by reg_attempt_end. */
void reg_digest_final(EVP_MD_CTX *md, char out[REG_DIGEST_MAX]);

/* What bounds one request: its host's settings, else the client's. */
struct reg_limits {
	long timeout_ms, low_speed_limit, low_speed_time_ms;
	int max_retries;
};

/* The Authorization a try carries: a Bearer header value, or Basic
 * credentials curl encodes (CURLOPT_USERNAME / CURLOPT_PASSWORD). Owned,
 * wiped by reg_authz_clear. */
struct reg_authz {
	char *bearer; /* "Bearer <token>" */
	char *user, *pass;
};
void reg_authz_clear(struct reg_authz *a);
static inline int reg_authz_any(const struct reg_authz *a)
{
	return a->bearer || a->user;
}

struct reg_attempt {
	struct reg_session *s;
	const struct reg_request *rq;
	struct reg_response *rs;
	struct reg_host *h;  /* the registry's; NULL for a token fetch */
	struct reg_host *rh; /* a token fetch: the registry it is for */
	struct reg_xfer x;
	struct reg_limits lim;
	char base[512]; /* h's "scheme://host" */
	struct reg_authz authz;
	int use_auth;   /* registry auth applies (same origin, a scope) */
	int challenged; /* a 401 was answered once */
	int range_refused;
	int tries;            /* retries so far */
	enum reg_fault cause; /* why the coming try is a retry (NONE: first) */
	enum reg_fault fault; /* REG_V_RETRY: why */
	long wait_ms;         /* REG_V_RETRY: the wait (< 0: backoff with jitter) */
	long retry_status;    /* REG_V_RETRY: the HTTP status retried (0: no answer) */
	uint64_t log_resume;  /* REG_V_RETRY: the offset the log names (0: none) */
	uint64_t resume_at;   /* the coming try resumes a sink here */
	int64_t total;        /* a blob's full length, from its 200 answer */
	unsigned long seq;    /* this try's place in its registry's budget window */
	struct timespec started;
	CURLcode cc;
	char why[CURL_ERROR_SIZE + 128];
	int rc;
};

/* http.c: set up a (host, limits, sink digest, fixed credentials; refuses
 * credentials to a plain-http token realm); finish it (status error or sink
 * digest; frees what init took). Both return BASE_OK or an error code. */
int reg_attempt_init(struct reg_attempt *a, struct reg_session *s, const struct reg_request *rq,
                     struct reg_response *rs, struct base_error *err);
int reg_attempt_end(struct reg_attempt *a, struct base_error *err);
/* The stages. Each returns a verdict; REG_V_FAIL sets a->rc and err. */
enum reg_verdict reg_stage_budget(struct reg_attempt *a, struct base_error *err);   /* budget.c */
enum reg_verdict reg_stage_acquire(struct reg_attempt *a, struct base_error *err);  /* host.c */
enum reg_verdict reg_stage_auth(struct reg_attempt *a, struct base_error *err);     /* auth.c */
enum reg_verdict reg_stage_perform(struct reg_attempt *a, struct base_error *err);  /* http.c */
enum reg_verdict reg_stage_classify(struct reg_attempt *a, struct base_error *err); /* classify.c */
enum reg_verdict reg_stage_challenge(struct reg_attempt *a, struct base_error *err); /* auth.c */
enum reg_verdict reg_stage_backoff(struct reg_attempt *a, struct base_error *err);   /* backoff.c */

/* http.c: the try's state reset (uploads rewound, sinks truncated unless
 * resuming); REG_V_FAIL on a temporary file error. */
enum reg_verdict reg_stage_reset(struct reg_attempt *a, struct base_error *err);

#endif
