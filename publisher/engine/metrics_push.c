/* metrics_push.c — a run's metrics to a Prometheus Pushgateway: one PUT of
 * the text exposition to URL/metrics/job/manifold[/shard/I], which
 * replaces everything that group held (the Pushgateway's API). One curl
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

int pub_metrics_url_check(const char *url, struct reg_error *err)
{
	if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0)
		return 0;
	reg_error_set(err, "--pushgateway \"%s\": want an http:// or https:// URL", url);
	return -1;
}

static int push_url(const char *url, unsigned shard_index, unsigned shard_count, char *buf,
                    size_t n, struct reg_error *err)
{
	size_t len = strlen(url);
	int w;

	while (len && url[len - 1] == '/')
		len--;
	if (pub_metrics_url_check(url, err) < 0)
		return -1;
	if (shard_count)
		w = snprintf(buf, n, "%.*s/metrics/job/manifold/shard/%u", (int)len, url,
		             shard_index);
	else
		w = snprintf(buf, n, "%.*s/metrics/job/manifold", (int)len, url);
	if (w < 0 || (size_t)w >= n) {
		reg_error_set(err, "--pushgateway %s: URL too long", url);
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

int pub_metrics_push(const char *url, const char *text, unsigned shard_index, unsigned shard_count,
                     struct reg_error *err)
{
	char full[2048], errbuf[CURL_ERROR_SIZE] = "";
	struct answer a = {"", 0};
	struct curl_slist *hdrs = NULL;
	CURL *e;
	CURLcode cc;
	long code = 0;

	if (push_url(url, shard_index, shard_count, full, sizeof(full), err) < 0)
		return -1;
	if (!(e = curl_easy_init())) {
		reg_error_set(err, "--pushgateway: curl_easy_init failed");
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
		reg_error_set(err, "--pushgateway: PUT %s: %s%s%s", full, curl_easy_strerror(cc),
		              errbuf[0] ? ": " : "", errbuf);
	else if (code < 200 || code > 299)
		reg_error_set(err, "--pushgateway: PUT %s: HTTP %ld%s%s", full, code,
		              a.text[0] ? ": " : "", a.text);
	else
		return 0;
	return -1;
}
