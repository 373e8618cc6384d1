/* platform.c — platforms "os/arch[/variant][:os.version]" with containerd's
 * normalisation: the known GOOS/GOARCH names, the common aliases, the
 * variants each architecture has, and the matcher used to pick list entries
 * and to check that a child is the platform it is published as. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry.h"

#define NAME_MAX_LEN 32 /* longer than any known os, arch or variant */
#define SYNTAX       "(want os/arch[/variant][:os.version])"

static const char *const known_os[] = {
    "aix",   "android", "darwin",  "dragonfly", "freebsd", "illumos", "ios",     "js",
    "linux", "netbsd",  "openbsd", "plan9",     "solaris", "wasip1",  "windows",
};

static const char *const known_arch[] = {
    "386",    "amd64",    "arm",   "arm64",   "loong64", "mips",  "mipsle",
    "mips64", "mips64le", "ppc64", "ppc64le", "riscv64", "s390x", "wasm",
};

/* containerd's normalizeArch aliases; `variant` is implied when none is given. */
static const struct {
	const char *from, *arch, *variant;
} aliases[] = {
    {"x86_64", "amd64", NULL}, {"x86-64", "amd64", NULL}, {"aarch64", "arm64", NULL},
    {"armhf", "arm", "v7"},    {"armel", "arm", "v6"},    {"i386", "386", NULL},
    {"i686", "386", NULL},
};

static const char *const arm_variants[] = {"v5", "v6", "v7", "v8", "5", "6", "7", "8"};
static const char *const arm64_variants[] = {"8",    "v8",   "v8.0", "v8.1", "v8.2", "v8.3",
                                             "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9"};
static const char *const amd64_variants[] = {"v1", "v2", "v3", "v4"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Lower-cased copy of s[0..n) into buf; -1 when it does not fit. */
static int lower_n(char buf[NAME_MAX_LEN], const char *s, size_t n)
{
	if (n >= NAME_MAX_LEN)
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	buf[n] = '\0';
	return 0;
}

/* Architecture alias → canonical name, and the variant the alias implies. */
static const char *arch_alias(char arch[NAME_MAX_LEN], const char **implied)
{
	*implied = NULL;
	for (size_t i = 0; i < COUNT(aliases); i++) {
		if (strcmp(arch, aliases[i].from) == 0) {
			*implied = aliases[i].variant;
			return aliases[i].arch;
		}
	}
	return arch;
}

/* The variant as containerd compares it: arm64 "", "8", "v8", "v8.0" are one;
 * arm without a variant is v7 and "7" is "v7"; amd64 "v1" is the baseline. */
static void variant_canon(const char *arch, const char *variant, char out[NAME_MAX_LEN])
{
	if (strcmp(arch, "arm64") == 0 &&
	    (!variant[0] || strcmp(variant, "8") == 0 || strcmp(variant, "v8") == 0 ||
	     strcmp(variant, "v8.0") == 0)) {
		out[0] = '\0';
	} else if (strcmp(arch, "arm") == 0 && !variant[0]) {
		snprintf(out, NAME_MAX_LEN, "v7");
	} else if (strcmp(arch, "arm") == 0 && variant[0] >= '0' && variant[0] <= '9') {
		snprintf(out, NAME_MAX_LEN, "v%.30s", variant);
	} else if (strcmp(arch, "amd64") == 0 && strcmp(variant, "v1") == 0) {
		out[0] = '\0';
	} else {
		snprintf(out, NAME_MAX_LEN, "%s", variant);
	}
}

static int variant_known(const char *arch, const char *variant)
{
	if (strcmp(arch, "arm") == 0)
		return in_list(variant, arm_variants, COUNT(arm_variants));
	if (strcmp(arch, "arm64") == 0)
		return in_list(variant, arm64_variants, COUNT(arm64_variants));
	if (strcmp(arch, "amd64") == 0)
		return in_list(variant, amd64_variants, COUNT(amd64_variants));
	return 0;
}

static int os_version_valid(const char *s, size_t n)
{
	if (n == 0 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* Validate and normalise one platform given as pieces; `text` is what the
 * user wrote, quoted whole in messages. */
static int build(const char *text, const char *os, size_t os_len, const char *arch, size_t arch_len,
                 const char *variant, size_t var_len, const char *osv, size_t osv_len,
                 struct reg_platform *out, struct base_error *err)
{
	char os_l[NAME_MAX_LEN], arch_l[NAME_MAX_LEN], var_l[NAME_MAX_LEN];
	char want[NAME_MAX_LEN], got[NAME_MAX_LEN];
	const char *canon_arch, *implied;

	memset(out, 0, sizeof(*out));
	if (os_len == 0 || arch_len == 0 || (variant && var_len == 0) ||
	    (osv && !os_version_valid(osv, osv_len))) {
		base_error_set(err, "\"%.200s\" is not a valid platform " SYNTAX, text);
		return BASE_EFAIL;
	}
	if (lower_n(os_l, os, os_len) < 0 || lower_n(arch_l, arch, arch_len) < 0 ||
	    (variant && lower_n(var_l, variant, var_len) < 0))
		goto unknown;
	canon_arch = arch_alias(arch_l, &implied);
	if (!in_list(os_l, known_os, COUNT(known_os)) ||
	    !in_list(canon_arch, known_arch, COUNT(known_arch)))
		goto unknown;
	if (variant) {
		if (!variant_known(canon_arch, var_l))
			goto unknown;
		/* "armhf/v6" contradicts itself */
		if (implied) {
			variant_canon(canon_arch, var_l, got);
			variant_canon(canon_arch, implied, want);
			if (strcmp(got, want) != 0)
				goto unknown;
		}
	}

	out->os = strdup(os_l);
	out->architecture = strdup(canon_arch);
	if (variant)
		out->variant = strndup(variant, var_len);
	else if (implied)
		out->variant = strdup(implied);
	if (osv)
		out->os_version = strndup(osv, osv_len);
	if (!out->os || !out->architecture || ((variant || implied) && !out->variant) ||
	    (osv && !out->os_version)) {
		reg_platform_free(out);
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	return BASE_OK;
unknown:
	base_error_set(err, "\"%.200s\" is not a known platform", text);
	return BASE_EFAIL;
}

int reg_platform_parse(const char *text, struct reg_platform *out, struct base_error *err)
{
	const char *parts[3], *colon, *osv = NULL;
	size_t lens[3], head, osv_len = 0;
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (!text) {
		base_error_set(err, "\"\" is not a valid platform " SYNTAX);
		return BASE_EFAIL;
	}
	colon = strchr(text, ':');
	head = colon ? (size_t)(colon - text) : strlen(text);
	if (colon) {
		osv = colon + 1;
		osv_len = strlen(osv);
	}
	for (size_t i = 0;;) {
		const char *e = memchr(text + i, '/', head - i);
		size_t len = e ? (size_t)(e - (text + i)) : head - i;
		if (n == 3) {
			n++; /* too many parts */
			break;
		}
		parts[n] = text + i;
		lens[n++] = len;
		if (!e)
			break;
		i += len + 1;
	}
	if (n < 2 || n > 3) {
		base_error_set(err, "\"%.200s\" is not a valid platform " SYNTAX, text);
		return BASE_EFAIL;
	}
	return build(text, parts[0], lens[0], parts[1], lens[1], n == 3 ? parts[2] : NULL,
	             n == 3 ? lens[2] : 0, osv, osv_len, out, err);
}

int reg_platform_from_parts(const char *os, const char *arch, const char *variant,
                            const char *os_version, struct reg_platform *out,
                            struct base_error *err)
{
	char text[512];

	if (variant && !variant[0])
		variant = NULL;
	if (os_version && !os_version[0])
		os_version = NULL;
	if (!os)
		os = "";
	if (!arch)
		arch = "";
	snprintf(text, sizeof(text), "%.100s/%.100s%s%.100s%s%.150s", os, arch, variant ? "/" : "",
	         variant ? variant : "", os_version ? ":" : "", os_version ? os_version : "");
	return build(text, os, strlen(os), arch, strlen(arch), variant,
	             variant ? strlen(variant) : 0, os_version, os_version ? strlen(os_version) : 0,
	             out, err);
}

struct canon {
	char os[NAME_MAX_LEN], arch[NAME_MAX_LEN], variant[NAME_MAX_LEN];
};

/* Comparison form of a platform that may come from anywhere (a registry's
 * list, an image config): nothing is rejected, only normalised. */
static int canon_get(const struct reg_platform *p, struct canon *c)
{
	char arch[NAME_MAX_LEN], var[NAME_MAX_LEN];
	const char *a, *implied, *v = p->variant ? p->variant : "";

	if (!p->os || !p->architecture || lower_n(c->os, p->os, strlen(p->os)) < 0 ||
	    lower_n(arch, p->architecture, strlen(p->architecture)) < 0 ||
	    lower_n(var, v, strlen(v)) < 0)
		return -1;
	a = arch_alias(arch, &implied);
	snprintf(c->arch, sizeof(c->arch), "%s", a);
	if (!var[0] && implied)
		snprintf(var, sizeof(var), "%s", implied);
	variant_canon(c->arch, var, c->variant);
	return 0;
}

int reg_platform_match(const struct reg_platform *want, const struct reg_platform *have)
{
	struct canon w, h;

	if (!want || !have || canon_get(want, &w) < 0 || canon_get(have, &h) < 0)
		return 0;
	if (strcmp(w.os, h.os) != 0 || strcmp(w.arch, h.arch) != 0 ||
	    strcmp(w.variant, h.variant) != 0)
		return 0;
	if (want->os_version && want->os_version[0] && have->os_version && have->os_version[0])
		return strcmp(want->os_version, have->os_version) == 0;
	return 1;
}

char *reg_platform_format(const struct reg_platform *p)
{
	const char *os, *arch, *var, *osv;
	size_t n;
	char *s;

	if (!p)
		return NULL;
	os = p->os ? p->os : "";
	arch = p->architecture ? p->architecture : "";
	var = p->variant && p->variant[0] ? p->variant : NULL;
	osv = p->os_version && p->os_version[0] ? p->os_version : NULL;
	n = strlen(os) + strlen(arch) + (var ? strlen(var) : 0) + (osv ? strlen(osv) : 0) + 4;
	s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s%s%s%s%s", os, arch, var ? "/" : "", var ? var : "",
		         osv ? ":" : "", osv ? osv : "");
	return s;
}

static int dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

static int dup_strv(char ***dst, size_t *n_dst, char *const *src, size_t n)
{
	*dst = NULL;
	*n_dst = 0;
	if (n == 0 || !src)
		return 0;
	*dst = calloc(n, sizeof(char *));
	if (!*dst)
		return -1;
	*n_dst = n;
	for (size_t i = 0; i < n; i++)
		if (dup_str(&(*dst)[i], src[i]) < 0)
			return -1;
	return 0;
}

int reg_platform_copy(struct reg_platform *dst, const struct reg_platform *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src)
		return BASE_EFAIL;
	if (dup_str(&dst->os, src->os) < 0 || dup_str(&dst->architecture, src->architecture) < 0 ||
	    dup_str(&dst->variant, src->variant) < 0 ||
	    dup_str(&dst->os_version, src->os_version) < 0 ||
	    dup_strv(&dst->os_features, &dst->n_os_features, src->os_features, src->n_os_features) <
	        0 ||
	    dup_strv(&dst->features, &dst->n_features, src->features, src->n_features) < 0) {
		reg_platform_free(dst);
		return BASE_EFAIL;
	}
	return BASE_OK;
}

void reg_platform_free(struct reg_platform *p)
{
	if (!p)
		return;
	free(p->os);
	free(p->architecture);
	free(p->variant);
	free(p->os_version);
	for (size_t i = 0; i < p->n_os_features; i++)
		free(p->os_features[i]);
	free(p->os_features);
	for (size_t i = 0; i < p->n_features; i++)
		free(p->features[i]);
	free(p->features);
	memset(p, 0, sizeof(*p));
}
