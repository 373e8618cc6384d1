/* metrics_push.c — a run's metrics to a Prometheus Pushgateway: one PUT of
 * the text exposition to URL/metrics/job/manifold (or the URL's own
 * grouping key, URL/metrics/job/J/L/V...), then /command/check for check
 * and /shard/I when sharded, which replaces everything that group held
 * (the Pushgateway's API): check never replaces publish's group. One curl
 * easy handle of its own, made and freed here: the registry client is for
 * registries. TLS is verified. */
#include <curl/curl.h>
#include <string.h>

#include "engine.h"

#define PUSH_TIMEOUT_MS 15000L

/* The gateway's answer body, kept short for the error message. */
struct answer {
	char text[512];
	size_t len;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct answer *a = ud;
	size_t n = size * nmemb, room = sizeof(a->text) - 1 - a->len;

	if (n < room)
		room = n;
	memcpy(a->text + a->len, data, room);
	a->len += room;
	a->text[a->len] = '\0';
	return size * nmemb;
}

static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

/* The grouping path of a URL that has one ("/metrics/job/J[/L/V]..."),
 * else NULL. */
static const char *grouping_of(const char *url)
{
	return strstr(url, "/metrics/job/");
}

static int label_name_ok(const char *p, size_t n)
{
	size_t end = n;

	if (n > 7 && memcmp(p + n - 7, "@base64", 7) == 0)
		end = n - 7; /* the Pushgateway's base64 form of a value */
	if (!end || !(p[0] == '_' || (p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')))
		return 0;
	for (size_t i = 1; i < end; i++)
		if (!(p[i] == '_' || (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9')))
			return 0;
	return 1;
}

/* "/metrics/job/J/L1/V1/...": a job value, then label name and value
 * pairs, none empty; shard and command are manifold's own. */
static int grouping_check(const char *url, const char *g, struct base_error *err)
{
	const char *p = g + strlen("/metrics/job/"), *end = p + strlen(p);
	size_t k = 0;

	while (end > p && end[-1] == '/')
		end--;
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t n = slash ? (size_t)(slash - p) : (size_t)(end - p);
		if (!n) {
			base_error_set(
			    err, "--pushgateway \"%s\": an empty segment in the grouping key", url);
			return -1;
		}
		if (k % 2 == 1 && !label_name_ok(p, n)) {
			base_error_set(err, "--pushgateway \"%s\": \"%.*s\" is not a label name",
			               url, (int)n, p);
			return -1;
		}
		if (k % 2 == 1 && ((n == 5 && memcmp(p, "shard", 5) == 0) ||
		                   (n == 7 && memcmp(p, "command", 7) == 0))) {
			base_error_set(
			    err,
			    "--pushgateway \"%s\": the grouping key may not name \"%.*s\"; "
			    "manifold adds shard and command itself",
			    url, (int)n, p);
			return -1;
		}
		k++;
		p += n + 1;
	}
	if (k == 0 || k % 2 == 0) {
		base_error_set(
		    err,
		    "--pushgateway \"%s\": want URL/metrics/job/NAME followed by LABEL/VALUE "
		    "pairs",
		    url);
		return -1;
	}
	return 0;
}

int pub_metrics_url_check(const char *url, struct base_error *err)
{
	const char *g;
	size_t len = strlen(url);

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		base_error_set(err, "--pushgateway \"%s\": want an http:// or https:// URL", url);
		return -1;
	}
	while (len && url[len - 1] == '/')
		len--;
	if ((g = grouping_of(url)))
		return grouping_check(url, g, err);
	if ((len >= 8 && memcmp(url + len - 8, "/metrics", 8) == 0) ||
	    (len >= 12 && memcmp(url + len - 12, "/metrics/job", 12) == 0)) {
		base_error_set(err,
		               "--pushgateway \"%s\": want the gateway's URL, or "
		               "URL/metrics/job/NAME[/LABEL/VALUE...]",
		               url);
		return -1;
	}
	return 0;
}

/* The group: the URL's own grouping key, else job "manifold"; then
 * command/check for a check run and shard/I for a sharded one. */
static int push_url(const char *url, const char *command, unsigned shard_index,
                    unsigned shard_count, char *buf, size_t n, struct base_error *err)
{
	size_t len = strlen(url);
	char cmd[64] = "", shard[32] = "";
	int w;

	while (len && url[len - 1] == '/')
		len--;
	if (pub_metrics_url_check(url, err) < 0)
		return -1;
	if (command)
		snprintf(cmd, sizeof(cmd), "/command/%s", command);
	if (shard_count)
		snprintf(shard, sizeof(shard), "/shard/%u", shard_index);
	w = snprintf(buf, n, "%.*s%s%s%s", (int)len, url,
	             grouping_of(url) ? "" : "/metrics/job/manifold", cmd, shard);
	if (w < 0 || (size_t)w >= n) {
		base_error_set(err, "--pushgateway %s: URL too long", url);
		return -1;
	}
	return 0;
}

static void push_setopts(CURL *e, const char *full, const char *text, struct curl_slist *hdrs,
                         struct answer *a, char *errbuf)
{
	curl_easy_setopt(e, CURLOPT_URL, full);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "manifold/" MANIFOLD_VERSION);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, PUSH_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
}

int pub_metrics_push(const char *url, const char *text, const char *command, unsigned shard_index,
                     unsigned shard_count, struct base_error *err)
{
	char full[2048], errbuf[CURL_ERROR_SIZE] = "";
	struct answer a = {"", 0};
	struct curl_slist *hdrs = NULL;
	CURL *e;
	CURLcode cc;
	long code = 0;

	if (push_url(url, command, shard_index, shard_count, full, sizeof(full), err) < 0)
		return -1;
	if (!(e = curl_easy_init())) {
		base_error_set(err, "--pushgateway: curl_easy_init failed");
		return -1;
	}
	hdrs = curl_slist_append(NULL, "Content-Type: text/plain; version=0.0.4");
	push_setopts(e, full, text, hdrs, &a, errbuf);
	cc = curl_easy_perform(e);
	if (cc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(e);
	one_line(a.text);
	if (cc != CURLE_OK)
		base_error_set(err, "--pushgateway: PUT %s: %s%s%s", full, curl_easy_strerror(cc),
		               errbuf[0] ? ": " : "", errbuf);
	else if (code < 200 || code > 299)
		base_error_set(err, "--pushgateway: PUT %s: HTTP %ld%s%s", full, code,
		               a.text[0] ? ": " : "", a.text);
	else
		return 0;
	return -1;
}
