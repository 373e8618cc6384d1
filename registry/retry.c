/* retry.c — what a failed try means (retry or not, on a fresh connection or
 * not, does it count against the host), a host's run of connection
 * failures, and when a retried blob download resumes with Range. Pure
 * functions: http.c holds the locks and does the I/O. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reg_internal.h"

enum reg_fault reg_fault_of_curl(CURLcode cc, const char *errbuf)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return REG_FAULT_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return REG_FAULT_TIMEOUT;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return REG_FAULT_DROPPED;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* "Received HTTP/0.9 when not allowed": the answer did not start
		 * with a status line, i.e. stray bytes on a kept-alive connection
		 * (a body after a HEAD answer). A protocol we refuse (a redirect
		 * to ftp://) is final. */
		return errbuf && strstr(errbuf, "HTTP/0.9") ? REG_FAULT_DROPPED : REG_FAULT_NONE;
	default:
		return REG_FAULT_NONE;
	}
}

/* 429/502/503/504 always (DESIGN rule 7). A 500 only on HEAD: distribution
 * answers 500 to a blob HEAD that races a mount of the same blob into the
 * same repository (two targets of one image published at once); a HEAD is a
 * pure read with no body to carry a real error, so asking again is safe. */
enum reg_fault reg_fault_of_status(long status, enum reg_method method)
{
	if (status == 500)
		return method == REG_M_HEAD ? REG_FAULT_STATUS : REG_FAULT_NONE;
	if (status == 429 || status == 502 || status == 503 || status == 504)
		return REG_FAULT_STATUS;
	return REG_FAULT_NONE;
}

/* A manifest fetched by tag may come with no digest to check it against; a
 * body that is not even JSON then is a garbled answer (a front end's page, a
 * mangled reply), not the registry's manifest: the registry only stores
 * manifests it parsed. */
enum reg_fault reg_fault_of_json_body(const uint8_t *data, size_t len, int vouched)
{
	const char *end = NULL;
	size_t used;
	cJSON *root;

	if (vouched)
		return REG_FAULT_NONE;
	if (!data || !len || memchr(data, '\0', len))
		return REG_FAULT_DIGEST;
	root = cJSON_ParseWithLengthOpts((const char *)data, len, &end, 0);
	if (!root)
		return REG_FAULT_DIGEST;
	cJSON_Delete(root);
	used = end ? (size_t)(end - (const char *)data) : len;
	while (used < len && strchr(" \t\r\n", data[used]))
		used++;
	return used == len ? REG_FAULT_NONE : REG_FAULT_DIGEST;
}

int reg_fault_wants_fresh(enum reg_fault f)
{
	return f == REG_FAULT_TIMEOUT || f == REG_FAULT_DROPPED || f == REG_FAULT_DIGEST;
}

int reg_fault_is_connection(enum reg_fault f)
{
	return f == REG_FAULT_CONNECT || f == REG_FAULT_TIMEOUT;
}

static int ts_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

int reg_health_failed(struct reg_health *hh, const struct timespec *started,
                      const struct timespec *now, const char *why)
{
	if (hh->down)
		return 0;
	if (hh->failures > 0 && !ts_after(started, &hh->last_count))
		return 0;
	hh->failures++;
	hh->last_count = *now;
	snprintf(hh->last_error, sizeof(hh->last_error), "%s", why ? why : "");
	if (hh->failures < REG_HOST_DOWN_AFTER)
		return 0;
	hh->down = 1;
	return 1;
}

void reg_health_ok(struct reg_health *hh)
{
	if (!hh->down)
		hh->failures = 0;
}

uint64_t reg_resume_offset(enum reg_fault f, long status, uint64_t have, int64_t total,
                           int range_refused)
{
	if (range_refused || have == 0)
		return 0;
	if (f != REG_FAULT_DROPPED && f != REG_FAULT_TIMEOUT)
		return 0;
	if (status != 200 && status != 206)
		return 0;
	if (total >= 0 && have >= (uint64_t)total)
		return 0;
	return have;
}

enum reg_range_answer reg_range_answer(long status, const char *content_range, uint64_t offset)
{
	const char *p = content_range;
	char *end;
	unsigned long long first;

	if (status == 200)
		return REG_RANGE_RESTART;
	if (status != 206 || !p)
		return REG_RANGE_BAD;
	/* RFC 9110 14.4: "bytes first-last/complete" */
	while (*p == ' ')
		p++;
	if (strncmp(p, "bytes ", 6) != 0)
		return REG_RANGE_BAD;
	p += 6;
	if (*p < '0' || *p > '9')
		return REG_RANGE_BAD;
	errno = 0;
	first = strtoull(p, &end, 10);
	if (errno || *end != '-' || first != offset)
		return REG_RANGE_BAD;
	return REG_RANGE_APPEND;
}
