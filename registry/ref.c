/* ref.c — image references with docker's normalisation (the grammar of
 * distribution/reference: [host[:port]/]path[:tag][@digest], Docker Hub
 * defaults) and the registry-name helpers built on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry.h"

#define REF_NAME_MAX 255  /* distribution's NameTotalLengthMax */
#define REF_TEXT_MAX 1024 /* longer input cannot be a valid reference */
#define REF_TAG_MAX  128
#define HUB          "docker.io"

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return 1;
	return 0;
}

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | -+ */
static int component_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return 0;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		if (s[i] == '.') {
			j++;
		} else if (s[i] == '_') {
			j++;
			if (j < n && s[j] == '_')
				j++;
		} else if (s[i] == '-') {
			while (j < n && s[j] == '-')
				j++;
		} else {
			return 0;
		}
		if (j >= n || !is_lower_alnum(s[j]))
			return 0;
		i = j;
	}
	return 1;
}

static int port_valid(const char *s, size_t n)
{
	long v = 0;

	if (n == 0 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535;
}

/* host := domain-name | IPv4 | "[" IPv6 "]", then optional ":port". */
static int domain_valid(const char *s, size_t n)
{
	size_t host_end;

	if (n == 0)
		return 0;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);
		int colons = 0;
		if (!close || close == s + 1 || close - s > 46)
			return 0;
		for (const char *p = s + 1; p < close; p++) {
			char c = *p;
			if (c == ':')
				colons++;
			else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			           (c >= 'A' && c <= 'F') || c == '.'))
				return 0;
		}
		if (colons < 2)
			return 0;
		host_end = (size_t)(close - s) + 1;
	} else {
		const char *colon = memchr(s, ':', n);
		host_end = colon ? (size_t)(colon - s) : n;
		size_t i = 0;
		if (host_end == 0)
			return 0;
		while (i < host_end) {
			size_t j = i;
			while (j < host_end && s[j] != '.')
				j++;
			/* domain-component := [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])? */
			if (j == i || !is_alnum(s[i]) || !is_alnum(s[j - 1]))
				return 0;
			for (size_t k = i; k < j; k++)
				if (!is_alnum(s[k]) && s[k] != '-')
					return 0;
			if (j == host_end)
				break;
			i = j + 1;
			if (i == host_end)
				return 0;
		}
	}
	if (host_end == n)
		return 1;
	return s[host_end] == ':' && port_valid(s + host_end + 1, n - host_end - 1);
}

static int tag_valid(const char *s, size_t n)
{
	if (n == 0 || n > REF_TAG_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int word = is_alnum(c) || c == '_';
		if (!word && (i == 0 || (c != '.' && c != '-')))
			return 0;
	}
	return 1;
}

static int is_hub_name(const char *s, size_t n)
{
	static const char *const names[] = {HUB, "index.docker.io", "registry-1.docker.io"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
			return 1;
	return 0;
}

int reg_ref_parse(const char *text, struct reg_ref *out, struct base_error *err)
{
	const char *at, *name, *tag = NULL, *digest = NULL, *domain, *remote;
	size_t len, name_len, tag_len = 0, domain_len, remote_len;
	int add_library = 0;

	memset(out, 0, sizeof(*out));
	if (!text || !text[0]) {
		base_error_set(err, "empty image reference");
		return BASE_EFAIL;
	}
	len = strlen(text);
	if (len > REF_TEXT_MAX) {
		base_error_set(err, "\"%.64s...\": reference is too long", text);
		return BASE_EFAIL;
	}
	name = text;
	name_len = len;
	at = strchr(text, '@');
	if (at) {
		digest = at + 1;
		name_len = (size_t)(at - text);
		if (!reg_digest_valid(digest)) {
			base_error_set(
			    err, "\"%s\": invalid digest \"%s\" (want sha256:<64 lowercase hex>)",
			    text, digest);
			return BASE_EFAIL;
		}
	}
	/* The tag is after the last ':' that follows the last '/', so a
	 * registry port ("host:5000/app") is never taken for one. */
	{
		const char *colon = NULL;
		for (const char *p = name; p < name + name_len; p++) {
			if (*p == '/')
				colon = NULL;
			else if (*p == ':')
				colon = p;
		}
		if (colon) {
			tag = colon + 1;
			tag_len = (size_t)(name + name_len - tag);
			name_len = (size_t)(colon - name);
		}
	}
	if (name_len == 0) {
		base_error_set(err, "\"%s\": missing repository name", text);
		return BASE_EFAIL;
	}
	/* docker's splitDockerDomain: the first component names a registry only
	 * when it looks like a host (a '.' or ':', "localhost") or has capitals,
	 * which a repository cannot. */
	{
		const char *slash = memchr(name, '/', name_len);
		size_t first = slash ? (size_t)(slash - name) : 0;
		if (slash && (memchr(name, '.', first) || memchr(name, ':', first) ||
		              (first == 9 && strncmp(name, "localhost", 9) == 0) ||
		              has_upper(name, first))) {
			domain = name;
			domain_len = first;
			remote = slash + 1;
			remote_len = name_len - first - 1;
		} else {
			domain = HUB;
			domain_len = strlen(HUB);
			remote = name;
			remote_len = name_len;
		}
	}
	if (!domain_valid(domain, domain_len)) {
		base_error_set(err, "\"%s\": invalid registry \"%.*s\"", text, (int)domain_len,
		               domain);
		return BASE_EFAIL;
	}
	if (is_hub_name(domain, domain_len)) {
		domain = HUB;
		domain_len = strlen(HUB);
		add_library = memchr(remote, '/', remote_len) == NULL;
	}
	if (has_upper(remote, remote_len)) {
		base_error_set(err, "\"%s\": repository name must be lowercase", text);
		return BASE_EFAIL;
	}
	for (size_t i = 0; i <= remote_len;) {
		const char *e = memchr(remote + i, '/', remote_len - i);
		size_t n = e ? (size_t)(e - (remote + i)) : remote_len - i;
		if (n == 0) {
			base_error_set(err, "\"%s\": repository name has an empty component", text);
			return BASE_EFAIL;
		}
		if (!component_valid(remote + i, n)) {
			base_error_set(err, "\"%s\": invalid repository name component \"%.*s\"",
			               text, (int)n, remote + i);
			return BASE_EFAIL;
		}
		i += n + 1;
	}
	if (domain_len + 1 + remote_len + (add_library ? 8 : 0) > REF_NAME_MAX) {
		base_error_set(err, "\"%s\": repository name must not be more than %d characters",
		               text, REF_NAME_MAX);
		return BASE_EFAIL;
	}
	if (tag && tag_len == 0) {
		base_error_set(err, "\"%s\": empty tag", text);
		return BASE_EFAIL;
	}
	if (tag && !tag_valid(tag, tag_len)) {
		base_error_set(err, "\"%s\": invalid tag \"%.*s\"", text, (int)tag_len, tag);
		return BASE_EFAIL;
	}

	out->registry = strndup(domain, domain_len);
	out->repository = malloc(remote_len + 9);
	if (out->repository)
		snprintf(out->repository, remote_len + 9, "%s%.*s", add_library ? "library/" : "",
		         (int)remote_len, remote);
	if (tag)
		out->tag = strndup(tag, tag_len);
	else if (!digest)
		out->tag = strdup("latest");
	if (digest)
		out->digest = strdup(digest);
	if (!out->registry || !out->repository || (!out->tag && (tag || !digest)) ||
	    (digest && !out->digest)) {
		reg_ref_free(out);
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	return BASE_OK;
}

void reg_ref_free(struct reg_ref *r)
{
	if (!r)
		return;
	free(r->registry);
	free(r->repository);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

int reg_ref_copy(struct reg_ref *dst, const struct reg_ref *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src)
		return BASE_EFAIL;
	if (dup_opt(&dst->registry, src->registry) < 0 ||
	    dup_opt(&dst->repository, src->repository) < 0 || dup_opt(&dst->tag, src->tag) < 0 ||
	    dup_opt(&dst->digest, src->digest) < 0) {
		reg_ref_free(dst);
		return BASE_EFAIL;
	}
	return BASE_OK;
}

static char *format(const struct reg_ref *r, int with_tag_digest)
{
	const char *reg, *repo, *tag = NULL, *dg = NULL;
	size_t n;
	char *s;

	if (!r)
		return NULL;
	reg = r->registry ? r->registry : "";
	repo = r->repository ? r->repository : "";
	if (with_tag_digest) {
		tag = r->tag;
		dg = r->digest;
	}
	n = strlen(reg) + 1 + strlen(repo) + (tag ? strlen(tag) + 1 : 0) +
	    (dg ? strlen(dg) + 1 : 0) + 1;
	s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s%s%s%s%s", reg, repo, tag ? ":" : "", tag ? tag : "",
		         dg ? "@" : "", dg ? dg : "");
	return s;
}

char *reg_ref_format(const struct reg_ref *r)
{
	return format(r, 1);
}

char *reg_ref_format_repo(const struct reg_ref *r)
{
	return format(r, 0);
}

const char *reg_registry_api_host(const char *registry)
{
	if (registry && strcasecmp(registry, HUB) == 0)
		return "registry-1.docker.io";
	return registry;
}

int reg_ref_same_registry(const struct reg_ref *a, const struct reg_ref *b)
{
	const char *x, *y;

	if (!a || !b || !a->registry || !b->registry)
		return 0;
	/* Host names are case-insensitive; every Hub alias talks to one API. */
	x = is_hub_name(a->registry, strlen(a->registry)) ? HUB : a->registry;
	y = is_hub_name(b->registry, strlen(b->registry)) ? HUB : b->registry;
	return strcasecmp(reg_registry_api_host(x), reg_registry_api_host(y)) == 0;
}

static int ipv4_loopback(const char *s, size_t n)
{
	int parts = 0;
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		long v = 0;
		while (j < n && s[j] >= '0' && s[j] <= '9' && j - i < 4)
			v = v * 10 + (s[j++] - '0');
		if (j == i || j - i > 3 || v > 255 || (parts == 0 && v != 127))
			return 0;
		parts++;
		if (j == n)
			break;
		if (s[j] != '.' || j + 1 == n)
			return 0;
		i = j + 1;
	}
	return parts == 4;
}

int reg_registry_is_loopback(const char *registry)
{
	const char *host;
	size_t n;

	if (!registry || !registry[0])
		return 0;
	host = registry;
	n = strlen(registry);
	if (registry[0] == '[') {
		const char *close = strchr(registry, ']');
		if (!close || (close[1] != '\0' &&
		               (close[1] != ':' || !port_valid(close + 2, strlen(close + 2)))))
			return 0;
		host = registry + 1;
		n = (size_t)(close - host);
	} else {
		const char *colon = strchr(registry, ':');
		if (colon && strchr(colon + 1, ':') == NULL) {
			if (!port_valid(colon + 1, strlen(colon + 1)))
				return 0;
			n = (size_t)(colon - registry);
		}
		/* more than one ':' without brackets: a bare IPv6 address */
	}
	if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
		return 1;
	if (n == 3 && strncmp(host, "::1", 3) == 0)
		return 1;
	return ipv4_loopback(host, n);
}

struct reg_ref reg_ref_at(const struct reg_ref *repo, const char *tag, const char *digest)
{
	struct reg_ref r = {.registry = repo->registry,
	                    .repository = repo->repository,
	                    .tag = (char *)tag,
	                    .digest = (char *)digest};
	return r;
}
