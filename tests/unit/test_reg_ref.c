/* test_reg_ref.c — image references follow docker's normalisation
 * (docker.io, library/, latest, ports, IPv6, digests), bad ones are refused
 * with a message naming the reference; plus the registry-name helpers and
 * the error/digest basics every registry function relies on. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "registry.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DG  "sha256:" HEX

static void ref_normalises_like_docker(void)
{
	static const struct {
		const char *in, *registry, *repository, *tag, *digest, *formatted;
	} cases[] = {
	    {"nginx", "docker.io", "library/nginx", "latest", NULL,
	     "docker.io/library/nginx:latest"},
	    {"nginx:1.25", "docker.io", "library/nginx", "1.25", NULL,
	     "docker.io/library/nginx:1.25"},
	    {"docker.io/library/nginx", "docker.io", "library/nginx", "latest", NULL,
	     "docker.io/library/nginx:latest"},
	    {"docker.io/nginx", "docker.io", "library/nginx", "latest", NULL,
	     "docker.io/library/nginx:latest"},
	    {"index.docker.io/nginx:1", "docker.io", "library/nginx", "1", NULL,
	     "docker.io/library/nginx:1"},
	    {"registry-1.docker.io/bitnami/redis:7", "docker.io", "bitnami/redis", "7", NULL,
	     "docker.io/bitnami/redis:7"},
	    {"bitnami/redis", "docker.io", "bitnami/redis", "latest", NULL,
	     "docker.io/bitnami/redis:latest"},
	    {"localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest"},
	    {"localhost:5000/a/b:t", "localhost:5000", "a/b", "t", NULL, "localhost:5000/a/b:t"},
	    {"registry.example.com/kube-proxy-arm64:v1.31.0", "registry.example.com",
	     "kube-proxy-arm64", "v1.31.0", NULL, "registry.example.com/kube-proxy-arm64:v1.31.0"},
	    {"reg.example.com/a@" DG, "reg.example.com", "a", NULL, DG, "reg.example.com/a@" DG},
	    {"reg.example.com/a:t@" DG, "reg.example.com", "a", "t", DG, "reg.example.com/a:t@" DG},
	    {"nginx@" DG, "docker.io", "library/nginx", NULL, DG, "docker.io/library/nginx@" DG},
	    {"[::1]:5000/foo/bar:tag", "[::1]:5000", "foo/bar", "tag", NULL,
	     "[::1]:5000/foo/bar:tag"},
	    {"[fe80::1]/x", "[fe80::1]", "x", "latest", NULL, "[fe80::1]/x:latest"},
	    {"127.0.0.1:5000/x", "127.0.0.1:5000", "x", "latest", NULL, "127.0.0.1:5000/x:latest"},
	    {"a__b/c-d--e.f_g:TAG_1.x-y", "docker.io", "a__b/c-d--e.f_g", "TAG_1.x-y", NULL,
	     "docker.io/a__b/c-d--e.f_g:TAG_1.x-y"},
	    /* docker's rule: no '/' means no registry, so this is a Hub tag */
	    {"localhost:5000", "docker.io", "library/localhost", "5000", NULL,
	     "docker.io/library/localhost:5000"},
	    {"ci-registry.internal:5000/team/app:v2", "ci-registry.internal:5000", "team/app", "v2",
	     NULL, "ci-registry.internal:5000/team/app:v2"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reg_ref r, again;
		struct reg_error err;
		reg_error_clear(&err);
		CHECK_INT(reg_ref_parse(cases[i].in, &r, &err), REG_OK);
		CHECK_STR(err.msg, "");
		CHECK_STR(r.registry, cases[i].registry);
		CHECK_STR(r.repository, cases[i].repository);
		CHECK_STR(r.tag, cases[i].tag);
		CHECK_STR(r.digest, cases[i].digest);
		char *f = reg_ref_format(&r);
		CHECK_STR(f, cases[i].formatted);
		/* the full form parses back to the same reference */
		CHECK_INT(reg_ref_parse(f, &again, &err), REG_OK);
		CHECK_STR(again.registry, r.registry);
		CHECK_STR(again.repository, r.repository);
		CHECK_STR(again.tag, r.tag);
		CHECK_STR(again.digest, r.digest);
		free(f);
		reg_ref_free(&again);
		reg_ref_free(&r);
	}
}

static void ref_rejects_bad_input_with_exact_message(void)
{
	char long_tag[200], long_name[300];
	memset(long_tag, 0, sizeof(long_tag));
	snprintf(long_tag, sizeof(long_tag), "app:");
	memset(long_tag + 4, 'x', 129);
	snprintf(long_name, sizeof(long_name), "reg.example.com/");
	memset(long_name + 16, 'a', 240);
	long_name[256] = '\0';

	static const struct {
		const char *in, *msg;
	} cases[] = {
	    {"", "empty image reference"},
	    {"Kube-Proxy:v1", "\"Kube-Proxy:v1\": repository name must be lowercase"},
	    {"reg.example.com/Kube-Proxy",
	     "\"reg.example.com/Kube-Proxy\": repository name must be lowercase"},
	    {"nginx:", "\"nginx:\": empty tag"},
	    {"nginx:-bad", "\"nginx:-bad\": invalid tag \"-bad\""},
	    {"nginx:a+b", "\"nginx:a+b\": invalid tag \"a+b\""},
	    {"a//b", "\"a//b\": repository name has an empty component"},
	    {"reg.example.com/", "\"reg.example.com/\": repository name has an empty component"},
	    {"a/", "\"a/\": repository name has an empty component"},
	    {"a/b_-c", "\"a/b_-c\": invalid repository name component \"b_-c\""},
	    {"a/b___c", "\"a/b___c\": invalid repository name component \"b___c\""},
	    {"-a", "\"-a\": invalid repository name component \"-a\""},
	    {"a.", "\"a.\": invalid repository name component \"a.\""},
	    {"nginx latest",
	     "\"nginx latest\": invalid repository name component \"nginx latest\""},
	    {"reg.example.com:99999/a",
	     "\"reg.example.com:99999/a\": invalid registry \"reg.example.com:99999\""},
	    {"reg..example.com/a", "\"reg..example.com/a\": invalid registry \"reg..example.com\""},
	    {"-reg.example.com/a", "\"-reg.example.com/a\": invalid registry \"-reg.example.com\""},
	    {"reg.example.com:/a", "\"reg.example.com:/a\": invalid registry \"reg.example.com:\""},
	    {"[::1/a", "\"[::1/a\": invalid registry \"[::1\""},
	    {"[zz::1]:5000/a", "\"[zz::1]:5000/a\": invalid registry \"[zz::1]:5000\""},
	    {"nginx@sha256:abc", "\"nginx@sha256:abc\": invalid digest \"sha256:abc\" (want "
	                         "sha256:<64 lowercase hex>)"},
	    {"nginx@sha512:" HEX, "\"nginx@sha512:" HEX "\": invalid digest \"sha512:" HEX
	                          "\" (want sha256:<64 lowercase hex>)"},
	    {"nginx@SHA256:" HEX, "\"nginx@SHA256:" HEX "\": invalid digest \"SHA256:" HEX
	                          "\" (want sha256:<64 lowercase hex>)"},
	    {"@" DG, "\"@" DG "\": missing repository name"},
	    {":tag", "\":tag\": missing repository name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reg_ref r;
		struct reg_error err;
		reg_error_clear(&err);
		CHECK_INT(reg_ref_parse(cases[i].in, &r, &err), REG_EFAIL);
		CHECK_STR(err.msg, cases[i].msg);
		CHECK(r.registry == NULL && r.repository == NULL && r.tag == NULL);
		reg_ref_free(&r);
	}

	struct reg_ref r;
	struct reg_error err;
	char want[512];
	reg_error_clear(&err);
	CHECK_INT(reg_ref_parse(long_tag, &r, &err), REG_EFAIL);
	snprintf(want, sizeof(want), "\"%s\": invalid tag \"%s\"", long_tag, long_tag + 4);
	CHECK_STR(err.msg, want);
	long_tag[4 + 128] = '\0'; /* 128 characters is the limit, and fine */
	CHECK_INT(reg_ref_parse(long_tag, &r, &err), REG_OK);
	CHECK_INT(strlen(r.tag), 128);
	reg_ref_free(&r);

	CHECK_INT(reg_ref_parse(long_name, &r, &err), REG_EFAIL);
	snprintf(want, sizeof(want), "\"%s\": repository name must not be more than 255 characters",
	         long_name);
	CHECK_STR(err.msg, want);
	long_name[255] = '\0';
	CHECK_INT(reg_ref_parse(long_name, &r, &err), REG_OK);
	reg_ref_free(&r);

	CHECK_INT(reg_ref_parse(NULL, &r, &err), REG_EFAIL);
	CHECK_STR(err.msg, "empty image reference");
}

static void ref_copy_format_and_registry_helpers(void)
{
	struct reg_ref a, b, c, d;
	struct reg_error err;
	reg_error_clear(&err);

	CHECK_INT(reg_ref_parse("reg.example.com/team/app:v1@" DG, &a, &err), REG_OK);
	CHECK_INT(reg_ref_copy(&b, &a), REG_OK);
	CHECK(b.registry != a.registry);
	CHECK_STR(b.registry, "reg.example.com");
	CHECK_STR(b.repository, "team/app");
	CHECK_STR(b.tag, "v1");
	CHECK_STR(b.digest, DG);
	char *repo = reg_ref_format_repo(&b);
	CHECK_STR(repo, "reg.example.com/team/app");
	free(repo);
	CHECK_INT(reg_ref_same_registry(&a, &b), 1);

	CHECK_INT(reg_ref_parse("index.docker.io/library/busybox", &c, &err), REG_OK);
	CHECK_INT(reg_ref_parse("busybox", &d, &err), REG_OK);
	CHECK_INT(reg_ref_same_registry(&c, &d), 1);
	CHECK_INT(reg_ref_same_registry(&a, &d), 0);
	reg_ref_free(&c);
	CHECK_INT(reg_ref_parse("REG.example.com/team/app", &c, &err), REG_OK);
	CHECK_STR(c.registry, "REG.example.com");
	CHECK_INT(reg_ref_same_registry(&a, &c), 1);
	reg_ref_free(&c);
	CHECK_INT(reg_ref_parse("localhost:5001/team/app", &c, &err), REG_OK);
	reg_ref_free(&d);
	CHECK_INT(reg_ref_parse("localhost:5000/team/app", &d, &err), REG_OK);
	CHECK_INT(reg_ref_same_registry(&c, &d), 0);

	CHECK_STR(reg_registry_api_host("docker.io"), "registry-1.docker.io");
	CHECK_STR(reg_registry_api_host("localhost:5000"), "localhost:5000");
	CHECK(reg_registry_api_host(NULL) == NULL);

	reg_ref_free(&a);
	reg_ref_free(&b);
	reg_ref_free(&c);
	reg_ref_free(&d);
	reg_ref_free(NULL);
	CHECK(reg_ref_format(NULL) == NULL);
	CHECK_INT(reg_ref_copy(&a, NULL), REG_EFAIL);
}

static void registry_loopback_table(void)
{
	static const struct {
		const char *in;
		int want;
	} cases[] = {
	    {"localhost", 1},
	    {"localhost:5000", 1},
	    {"LocalHost:80", 1},
	    {"127.0.0.1", 1},
	    {"127.1.2.3:8080", 1},
	    {"[::1]", 1},
	    {"[::1]:5000", 1},
	    {"::1", 1},
	    {"128.0.0.1", 0},
	    {"127.0.0", 0},
	    {"127.0.0.256", 0},
	    {"127.0.0.1.5", 0},
	    {"example.com", 0},
	    {"localhost.example.com", 0},
	    {"", 0},
	    {"10.0.0.1:5000", 0},
	    {"[::2]:5000", 0},
	    {"localhost:abc", 0},
	    {"[::1]:", 0},
	    {"docker.io", 0},
	    {"1127.0.0.1", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = reg_registry_is_loopback(cases[i].in);
		if (got != cases[i].want)
			fprintf(stderr, "loopback(%s)\n", cases[i].in);
		CHECK_INT(got, cases[i].want);
	}
	CHECK_INT(reg_registry_is_loopback(NULL), 0);
}

static void error_wrap_keeps_cause_and_status(void)
{
	struct reg_error err;
	char big[2000];

	reg_error_clear(&err);
	CHECK_STR(err.msg, "");
	CHECK_INT(err.http_status, 0);
	reg_error_set(&err, "HEAD manifest: %d %s", 401, "UNAUTHORIZED");
	err.http_status = 401;
	snprintf(err.code, sizeof(err.code), "UNAUTHORIZED");
	reg_error_wrap(&err, "publish %s", "reg/app:v1");
	CHECK_STR(err.msg, "publish reg/app:v1: HEAD manifest: 401 UNAUTHORIZED");
	CHECK_INT(err.http_status, 401);
	CHECK_STR(err.code, "UNAUTHORIZED");
	reg_error_set(&err, "replaced");
	CHECK_STR(err.msg, "replaced");
	CHECK_INT(err.http_status, 401);

	/* an over-long context is cut so the cause still shows */
	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	reg_error_set(&err, "the cause");
	reg_error_wrap(&err, "%s", big);
	CHECK_INT(strlen(err.msg), 511 + 2 + 9);
	CHECK(strcmp(err.msg + 511, ": the cause") == 0);
	reg_error_set(&err, "%s", big);
	CHECK_INT(strlen(err.msg), REG_EMSG - 1);
	reg_error_wrap(&err, "ctx");
	CHECK_INT(strlen(err.msg), REG_EMSG - 1);
	CHECK(strncmp(err.msg, "ctx: ccc", 8) == 0);
	reg_error_clear(&err);
	reg_error_wrap(&err, "only context");
	CHECK_STR(err.msg, "only context");
	reg_error_set(NULL, "x");
	reg_error_wrap(NULL, "x");
}

static void digest_sha256_and_syntax(void)
{
	char d[REG_DIGEST_MAX];
	reg_digest_sha256((const uint8_t *)"", 0, d);
	CHECK_STR(d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	reg_digest_sha256(NULL, 0, d);
	CHECK_STR(d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	reg_digest_sha256((const uint8_t *)"abc", 3, d);
	CHECK_STR(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(reg_digest_valid(d), 1);
	CHECK_INT(reg_digest_valid(DG), 1);
	CHECK_INT(reg_digest_valid("sha256:" HEX "0"), 0);
	CHECK_INT(reg_digest_valid("sha256:0123"), 0);
	CHECK_INT(reg_digest_valid(
	              "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
	          0);
	CHECK_INT(reg_digest_valid("sha512:" HEX), 0);
	CHECK_INT(reg_digest_valid(HEX), 0);
	CHECK_INT(reg_digest_valid(""), 0);
	CHECK_INT(reg_digest_valid(NULL), 0);

	struct reg_buf b = {malloc(4), 4};
	reg_buf_free(&b);
	CHECK(b.data == NULL);
	CHECK_INT(b.len, 0);
	reg_buf_free(NULL);
}

int main(void)
{
	ref_normalises_like_docker();
	ref_rejects_bad_input_with_exact_message();
	ref_copy_format_and_registry_helpers();
	registry_loopback_table();
	error_wrap_keeps_cause_and_status();
	digest_sha256_and_syntax();
	return check_finish();
}
