/* stats.c — what a client counts besides its request totals: every try by
 * registry, method and HTTP status (for manifold_requests_total), and the
 * blob bytes streamed between repositories. All under the client's
 * stats_lock. */
#include <stdlib.h>
#include <string.h>

#include "reg_internal.h"

static const char *const method_names[] = {"HEAD", "GET", "PUT", "POST", "PATCH", "DELETE"};

const char *reg_method_name(enum reg_method m)
{
	if ((size_t)m >= sizeof(method_names) / sizeof(method_names[0]))
		return "GET";
	return method_names[m];
}

/* retry: why this try is a retry, REG_FAULT_NONE for a first try. */
void reg_stats_try(struct reg_client *c, enum reg_method m, enum reg_fault retry)
{
	unsigned long *by_method[] = {
	    [REG_M_HEAD] = &c->stats.head,   [REG_M_GET] = &c->stats.get,
	    [REG_M_PUT] = &c->stats.put,     [REG_M_POST] = &c->stats.post,
	    [REG_M_PATCH] = &c->stats.patch, [REG_M_DELETE] = &c->stats.del,
	};
	unsigned long *by_cause[] = {
	    [REG_FAULT_STATUS] = &c->stats.retries_status,
	    [REG_FAULT_CONNECT] = &c->stats.retries_connection,
	    [REG_FAULT_DROPPED] = &c->stats.retries_connection,
	    [REG_FAULT_TIMEOUT] = &c->stats.retries_timeout,
	    [REG_FAULT_DIGEST] = &c->stats.retries_digest,
	};
	pthread_mutex_lock(&c->stats_lock);
	(*by_method[m])++;
	if (retry != REG_FAULT_NONE) {
		(*by_cause[retry])++;
		c->stats.retries++;
	}
	pthread_mutex_unlock(&c->stats_lock);
}

static int count_cmp(const struct reg_request_count *a, const char *registry, const char *method,
                     int status)
{
	int c = strcmp(a->registry, registry);
	if (c == 0)
		c = strcmp(a->method, method);
	if (c == 0)
		c = (a->status > status) - (a->status < status);
	return c;
}

/* Caller holds stats_lock. The slot for the key, inserted in order when
 * new; NULL out of memory. */
static struct reg_request_count *answer_slot(struct reg_client *c, const char *registry,
                                             const char *method, int status)
{
	size_t lo = 0, hi = c->n_answers;
	struct reg_request_count *slot;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = count_cmp(&c->answers[mid], registry, method, status);
		if (cmp == 0)
			return &c->answers[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (c->n_answers == c->cap_answers) {
		size_t cap = c->cap_answers ? 2 * c->cap_answers : 16;
		struct reg_request_count *n = realloc(c->answers, cap * sizeof(*n));
		if (!n)
			return NULL;
		c->answers = n;
		c->cap_answers = cap;
	}
	slot = &c->answers[lo];
	memmove(slot + 1, slot, (c->n_answers - lo) * sizeof(*slot));
	c->n_answers++;
	memset(slot, 0, sizeof(*slot));
	snprintf(slot->registry, sizeof(slot->registry), "%s", registry);
	slot->method = method;
	slot->status = status;
	return slot;
}

void reg_stats_answer(struct reg_client *c, const char *registry, enum reg_method m, long status)
{
	struct reg_request_count *slot;

	if (!registry)
		return;
	if (status < 0 || status > 999)
		status = 0;
	pthread_mutex_lock(&c->stats_lock);
	slot = answer_slot(c, registry, reg_method_name(m), (int)status);
	if (slot)
		slot->count++;
	pthread_mutex_unlock(&c->stats_lock);
}

void reg_stats_copied(struct reg_client *c, uint64_t bytes)
{
	pthread_mutex_lock(&c->stats_lock);
	c->stats.bytes_copied += bytes;
	pthread_mutex_unlock(&c->stats_lock);
}

int reg_client_request_counts(struct reg_client *c, struct reg_request_count **out, size_t *n)
{
	int rc = 0;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&c->stats_lock);
	if (c->n_answers) {
		*out = malloc(c->n_answers * sizeof(**out));
		if (*out) {
			memcpy(*out, c->answers, c->n_answers * sizeof(**out));
			*n = c->n_answers;
		} else {
			rc = -1;
		}
	}
	pthread_mutex_unlock(&c->stats_lock);
	return rc;
}

void reg_stats_free(struct reg_client *c)
{
	free(c->answers);
	c->answers = NULL;
	c->n_answers = c->cap_answers = 0;
}
