/* test_reg_ref.c — image references follow docker's normalisation
 * (docker.io, library/, latest, ports, IPv6, digests), bad ones are refused
 * with a message naming the reference; plus the registry-name helpers and
 * the error/digest basics every registry function relies on. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "registry.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DG  "sha256:" HEX

struct norm_case {
	const char *in, *registry, *repository, *tag, *digest, *formatted;
};

/* Each reference parses to these parts, formats to the full form, and the
 * full form parses back to the same reference. */
static void check_normalises(const struct norm_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reg_ref r, again;
		struct base_error err;
		base_error_clear(&err);
		int rc = reg_ref_parse(cases[i].in, &r, &err);
		if (rc != BASE_OK)
			print_error("%s: %s\n", cases[i].in, err.msg);
		assert_int_equal(rc, BASE_OK);
		assert_string_equal(err.msg, "");
		assert_str_or_null_equal(r.registry, cases[i].registry);
		assert_str_or_null_equal(r.repository, cases[i].repository);
		assert_str_or_null_equal(r.tag, cases[i].tag);
		assert_str_or_null_equal(r.digest, cases[i].digest);
		char *f = reg_ref_format(&r);
		assert_str_or_null_equal(f, cases[i].formatted);
		assert_int_equal(reg_ref_parse(f, &again, &err), BASE_OK);
		assert_str_or_null_equal(again.registry, r.registry);
		assert_str_or_null_equal(again.repository, r.repository);
		assert_str_or_null_equal(again.tag, r.tag);
		assert_str_or_null_equal(again.digest, r.digest);
		free(f);
		reg_ref_free(&again);
		reg_ref_free(&r);
	}
}

static void ref_parse_defaults_to_docker_hub_and_latest(void **state)
{
	(void)state;
	static const struct norm_case cases[] = {
	    {"nginx", "docker.io", "library/nginx", "latest", NULL,
	     "docker.io/library/nginx:latest"},
	    {"nginx:1.25", "docker.io", "library/nginx", "1.25", NULL,
	     "docker.io/library/nginx:1.25"},
	    {"bitnami/redis", "docker.io", "bitnami/redis", "latest", NULL,
	     "docker.io/bitnami/redis:latest"},
	};
	check_normalises(cases, UNIT_COUNT(cases));
}

static void ref_parse_adds_library_to_hub_names(void **state)
{
	(void)state;
	static const struct norm_case cases[] = {
	    {"docker.io/library/nginx", "docker.io", "library/nginx", "latest", NULL,
	     "docker.io/library/nginx:latest"},
	    {"docker.io/nginx", "docker.io", "library/nginx", "latest", NULL,
	     "docker.io/library/nginx:latest"},
	};
	check_normalises(cases, UNIT_COUNT(cases));
}

static void ref_parse_folds_hub_aliases_into_docker_io(void **state)
{
	(void)state;
	static const struct norm_case cases[] = {
	    {"index.docker.io/nginx:1", "docker.io", "library/nginx", "1", NULL,
	     "docker.io/library/nginx:1"},
	    {"registry-1.docker.io/bitnami/redis:7", "docker.io", "bitnami/redis", "7", NULL,
	     "docker.io/bitnami/redis:7"},
	};
	check_normalises(cases, UNIT_COUNT(cases));
}

static void ref_parse_keeps_registry_host_and_port(void **state)
{
	(void)state;
	static const struct norm_case cases[] = {
	    {"localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest"},
	    {"localhost:5000/a/b:t", "localhost:5000", "a/b", "t", NULL, "localhost:5000/a/b:t"},
	    {"registry.example.com/kube-proxy-arm64:v1.31.0", "registry.example.com",
	     "kube-proxy-arm64", "v1.31.0", NULL, "registry.example.com/kube-proxy-arm64:v1.31.0"},
	    {"127.0.0.1:5000/x", "127.0.0.1:5000", "x", "latest", NULL, "127.0.0.1:5000/x:latest"},
	    {"ci-registry.internal:5000/team/app:v2", "ci-registry.internal:5000", "team/app", "v2",
	     NULL, "ci-registry.internal:5000/team/app:v2"},
	};
	check_normalises(cases, UNIT_COUNT(cases));
}

static void ref_parse_accepts_bracketed_ipv6_registries(void **state)
{
	(void)state;
	static const struct norm_case cases[] = {
	    {"[::1]:5000/foo/bar:tag", "[::1]:5000", "foo/bar", "tag", NULL,
	     "[::1]:5000/foo/bar:tag"},
	    {"[fe80::1]/x", "[fe80::1]", "x", "latest", NULL, "[fe80::1]/x:latest"},
	};
	check_normalises(cases, UNIT_COUNT(cases));
}

static void ref_parse_keeps_digest_with_or_without_tag(void **state)
{
	(void)state;
	static const struct norm_case cases[] = {
	    {"reg.example.com/a@" DG, "reg.example.com", "a", NULL, DG, "reg.example.com/a@" DG},
	    {"reg.example.com/a:t@" DG, "reg.example.com", "a", "t", DG, "reg.example.com/a:t@" DG},
	    {"nginx@" DG, "docker.io", "library/nginx", NULL, DG, "docker.io/library/nginx@" DG},
	};
	check_normalises(cases, UNIT_COUNT(cases));
}

static void ref_parse_allows_separators_in_names_and_tags(void **state)
{
	(void)state;
	static const struct norm_case cases[] = {
	    {"a__b/c-d--e.f_g:TAG_1.x-y", "docker.io", "a__b/c-d--e.f_g", "TAG_1.x-y", NULL,
	     "docker.io/a__b/c-d--e.f_g:TAG_1.x-y"},
	};
	check_normalises(cases, UNIT_COUNT(cases));
}

static void ref_parse_reads_host_port_without_slash_as_hub_tag(void **state)
{
	(void)state;
	/* docker's rule: no '/' means no registry, so this is a Hub tag */
	static const struct norm_case cases[] = {
	    {"localhost:5000", "docker.io", "library/localhost", "5000", NULL,
	     "docker.io/library/localhost:5000"},
	};
	check_normalises(cases, UNIT_COUNT(cases));
}

struct reject_case {
	const char *in, *msg;
};

/* Each reference is refused with exactly this message and no parts set. */
static void check_rejects(const struct reject_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reg_ref r;
		struct base_error err;
		base_error_clear(&err);
		assert_int_equal(reg_ref_parse(cases[i].in, &r, &err), BASE_EFAIL);
		assert_string_equal(err.msg, cases[i].msg);
		assert_null(r.registry);
		assert_null(r.repository);
		assert_null(r.tag);
		reg_ref_free(&r);
	}
}

static void ref_parse_rejects_empty_reference(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"", "empty image reference"},
	};
	check_rejects(cases, UNIT_COUNT(cases));

	struct reg_ref r;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(reg_ref_parse(NULL, &r, &err), BASE_EFAIL);
	assert_string_equal(err.msg, "empty image reference");
}

static void ref_parse_rejects_uppercase_repository(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"Kube-Proxy:v1", "\"Kube-Proxy:v1\": repository name must be lowercase"},
	    {"reg.example.com/Kube-Proxy",
	     "\"reg.example.com/Kube-Proxy\": repository name must be lowercase"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void ref_parse_rejects_bad_tags(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"nginx:", "\"nginx:\": empty tag"},
	    {"nginx:-bad", "\"nginx:-bad\": invalid tag \"-bad\""},
	    {"nginx:a+b", "\"nginx:a+b\": invalid tag \"a+b\""},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void ref_parse_rejects_empty_name_components(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"a//b", "\"a//b\": repository name has an empty component"},
	    {"reg.example.com/", "\"reg.example.com/\": repository name has an empty component"},
	    {"a/", "\"a/\": repository name has an empty component"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void ref_parse_rejects_bad_name_components(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"a/b_-c", "\"a/b_-c\": invalid repository name component \"b_-c\""},
	    {"a/b___c", "\"a/b___c\": invalid repository name component \"b___c\""},
	    {"-a", "\"-a\": invalid repository name component \"-a\""},
	    {"a.", "\"a.\": invalid repository name component \"a.\""},
	    {"nginx latest",
	     "\"nginx latest\": invalid repository name component \"nginx latest\""},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void ref_parse_rejects_bad_registries(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"reg.example.com:99999/a",
	     "\"reg.example.com:99999/a\": invalid registry \"reg.example.com:99999\""},
	    {"reg..example.com/a", "\"reg..example.com/a\": invalid registry \"reg..example.com\""},
	    {"-reg.example.com/a", "\"-reg.example.com/a\": invalid registry \"-reg.example.com\""},
	    {"reg.example.com:/a", "\"reg.example.com:/a\": invalid registry \"reg.example.com:\""},
	    {"[::1/a", "\"[::1/a\": invalid registry \"[::1\""},
	    {"[zz::1]:5000/a", "\"[zz::1]:5000/a\": invalid registry \"[zz::1]:5000\""},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void ref_parse_rejects_digests_other_than_sha256_hex(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"nginx@sha256:abc", "\"nginx@sha256:abc\": invalid digest \"sha256:abc\" (want "
	                         "sha256:<64 lowercase hex>)"},
	    {"nginx@sha512:" HEX, "\"nginx@sha512:" HEX "\": invalid digest \"sha512:" HEX
	                          "\" (want sha256:<64 lowercase hex>)"},
	    {"nginx@SHA256:" HEX, "\"nginx@SHA256:" HEX "\": invalid digest \"SHA256:" HEX
	                          "\" (want sha256:<64 lowercase hex>)"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void ref_parse_rejects_missing_repository_name(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"@" DG, "\"@" DG "\": missing repository name"},
	    {":tag", "\":tag\": missing repository name"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void ref_parse_limits_tag_to_128_characters(void **state)
{
	(void)state;
	char long_tag[200], want[512];
	struct reg_ref r;
	struct base_error err;

	memset(long_tag, 0, sizeof(long_tag));
	snprintf(long_tag, sizeof(long_tag), "app:");
	memset(long_tag + 4, 'x', 129);
	base_error_clear(&err);
	assert_int_equal(reg_ref_parse(long_tag, &r, &err), BASE_EFAIL);
	snprintf(want, sizeof(want), "\"%s\": invalid tag \"%s\"", long_tag, long_tag + 4);
	assert_string_equal(err.msg, want);
	long_tag[4 + 128] = '\0'; /* 128 characters is the limit, and fine */
	assert_int_equal(reg_ref_parse(long_tag, &r, &err), BASE_OK);
	assert_int_equal(strlen(r.tag), 128);
	reg_ref_free(&r);
}

static void ref_parse_limits_name_to_255_characters(void **state)
{
	(void)state;
	char long_name[300], want[512];
	struct reg_ref r;
	struct base_error err;

	snprintf(long_name, sizeof(long_name), "reg.example.com/");
	memset(long_name + 16, 'a', 240);
	long_name[256] = '\0';
	base_error_clear(&err);
	assert_int_equal(reg_ref_parse(long_name, &r, &err), BASE_EFAIL);
	snprintf(want, sizeof(want), "\"%s\": repository name must not be more than 255 characters",
	         long_name);
	assert_string_equal(err.msg, want);
	long_name[255] = '\0';
	assert_int_equal(reg_ref_parse(long_name, &r, &err), BASE_OK);
	reg_ref_free(&r);
}

static void ref_copy_is_deep(void **state)
{
	(void)state;
	struct reg_ref a, b;
	struct base_error err;
	base_error_clear(&err);

	assert_int_equal(reg_ref_parse("reg.example.com/team/app:v1@" DG, &a, &err), BASE_OK);
	assert_int_equal(reg_ref_copy(&b, &a), BASE_OK);
	assert_ptr_not_equal(b.registry, a.registry);
	assert_string_equal(b.registry, "reg.example.com");
	assert_string_equal(b.repository, "team/app");
	assert_string_equal(b.tag, "v1");
	assert_string_equal(b.digest, DG);
	char *repo = reg_ref_format_repo(&b);
	assert_str_or_null_equal(repo, "reg.example.com/team/app");
	free(repo);
	assert_int_equal(reg_ref_same_registry(&a, &b), 1);
	reg_ref_free(&a);
	reg_ref_free(&b);
}

static void ref_same_registry_folds_hub_aliases(void **state)
{
	(void)state;
	struct reg_ref a, c, d;
	struct base_error err;
	base_error_clear(&err);

	assert_int_equal(reg_ref_parse("reg.example.com/team/app:v1@" DG, &a, &err), BASE_OK);
	assert_int_equal(reg_ref_parse("index.docker.io/library/busybox", &c, &err), BASE_OK);
	assert_int_equal(reg_ref_parse("busybox", &d, &err), BASE_OK);
	assert_int_equal(reg_ref_same_registry(&c, &d), 1);
	assert_int_equal(reg_ref_same_registry(&a, &d), 0);
	reg_ref_free(&a);
	reg_ref_free(&c);
	reg_ref_free(&d);
}

static void ref_same_registry_ignores_host_case_but_keeps_spelling(void **state)
{
	(void)state;
	struct reg_ref a, c;
	struct base_error err;
	base_error_clear(&err);

	assert_int_equal(reg_ref_parse("reg.example.com/team/app:v1@" DG, &a, &err), BASE_OK);
	assert_int_equal(reg_ref_parse("REG.example.com/team/app", &c, &err), BASE_OK);
	assert_string_equal(c.registry, "REG.example.com");
	assert_int_equal(reg_ref_same_registry(&a, &c), 1);
	reg_ref_free(&a);
	reg_ref_free(&c);
}

static void ref_same_registry_compares_ports(void **state)
{
	(void)state;
	struct reg_ref c, d;
	struct base_error err;
	base_error_clear(&err);

	assert_int_equal(reg_ref_parse("localhost:5001/team/app", &c, &err), BASE_OK);
	assert_int_equal(reg_ref_parse("localhost:5000/team/app", &d, &err), BASE_OK);
	assert_int_equal(reg_ref_same_registry(&c, &d), 0);
	reg_ref_free(&c);
	reg_ref_free(&d);
}

static void registry_api_host_maps_docker_io_only(void **state)
{
	(void)state;
	assert_string_equal(reg_registry_api_host("docker.io"), "registry-1.docker.io");
	assert_string_equal(reg_registry_api_host("localhost:5000"), "localhost:5000");
	assert_null(reg_registry_api_host(NULL));
}

static void ref_helpers_refuse_null(void **state)
{
	(void)state;
	struct reg_ref a = {0};
	reg_ref_free(NULL);
	assert_null(reg_ref_format(NULL));
	assert_int_equal(reg_ref_copy(&a, NULL), BASE_EFAIL);
}

struct loopback_case {
	const char *in;
	int want;
};

static void check_loopback(const struct loopback_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int got = reg_registry_is_loopback(cases[i].in);
		if (got != cases[i].want)
			print_error("loopback(%s)\n", cases[i].in);
		assert_int_equal(got, cases[i].want);
	}
}

static void registry_loopback_accepts_localhost_127_and_ipv6_loopback(void **state)
{
	(void)state;
	static const struct loopback_case cases[] = {
	    {"localhost", 1},      {"localhost:5000", 1}, {"LocalHost:80", 1}, {"127.0.0.1", 1},
	    {"127.1.2.3:8080", 1}, {"[::1]", 1},          {"[::1]:5000", 1},   {"::1", 1},
	};
	check_loopback(cases, UNIT_COUNT(cases));
}

static void registry_loopback_rejects_other_hosts(void **state)
{
	(void)state;
	static const struct loopback_case cases[] = {
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
	check_loopback(cases, UNIT_COUNT(cases));
	assert_int_equal(reg_registry_is_loopback(NULL), 0);
}

static void error_clear_empties_message_and_status(void **state)
{
	(void)state;
	struct base_error err;
	base_error_clear(&err);
	assert_string_equal(err.msg, "");
	assert_int_equal(err.http_status, 0);
}

static void error_wrap_prefixes_context_and_keeps_status(void **state)
{
	(void)state;
	struct base_error err;
	base_error_clear(&err);
	base_error_set(&err, "HEAD manifest: %d %s", 401, "UNAUTHORIZED");
	err.http_status = 401;
	snprintf(err.code, sizeof(err.code), "UNAUTHORIZED");
	base_error_wrap(&err, "publish %s", "reg/app:v1");
	assert_string_equal(err.msg, "publish reg/app:v1: HEAD manifest: 401 UNAUTHORIZED");
	assert_int_equal(err.http_status, 401);
	assert_string_equal(err.code, "UNAUTHORIZED");
	/* set replaces the message only */
	base_error_set(&err, "replaced");
	assert_string_equal(err.msg, "replaced");
	assert_int_equal(err.http_status, 401);
}

static void error_wrap_cuts_long_context_so_cause_shows(void **state)
{
	(void)state;
	struct base_error err;
	char big[2000];

	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	base_error_clear(&err);
	base_error_set(&err, "the cause");
	base_error_wrap(&err, "%s", big);
	assert_int_equal(strlen(err.msg), 511 + 2 + 9);
	assert_string_equal(err.msg + 511, ": the cause");
}

static void error_set_and_wrap_stay_within_message_buffer(void **state)
{
	(void)state;
	struct base_error err;
	char big[2000];

	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	base_error_clear(&err);
	base_error_set(&err, "%s", big);
	assert_int_equal(strlen(err.msg), BASE_EMSG - 1);
	base_error_wrap(&err, "ctx");
	assert_int_equal(strlen(err.msg), BASE_EMSG - 1);
	assert_memory_equal(err.msg, "ctx: ccc", 8);
}

static void error_wrap_of_empty_error_is_the_context(void **state)
{
	(void)state;
	struct base_error err;
	base_error_clear(&err);
	base_error_wrap(&err, "only context");
	assert_string_equal(err.msg, "only context");
	base_error_set(NULL, "x");
	base_error_wrap(NULL, "x");
}

static void digest_sha256_of_empty_input(void **state)
{
	(void)state;
	char d[REG_DIGEST_MAX];
	reg_digest_sha256((const uint8_t *)"", 0, d);
	assert_string_equal(
	    d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	reg_digest_sha256(NULL, 0, d);
	assert_string_equal(
	    d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void digest_sha256_of_abc_is_a_valid_digest(void **state)
{
	(void)state;
	char d[REG_DIGEST_MAX];
	reg_digest_sha256((const uint8_t *)"abc", 3, d);
	assert_string_equal(
	    d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(reg_digest_valid(d), 1);
}

static void digest_valid_wants_sha256_and_64_lowercase_hex(void **state)
{
	(void)state;
	assert_int_equal(reg_digest_valid(DG), 1);
	assert_int_equal(reg_digest_valid("sha256:" HEX "0"), 0);
	assert_int_equal(reg_digest_valid("sha256:0123"), 0);
	assert_int_equal(
	    reg_digest_valid(
	        "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
	    0);
	assert_int_equal(reg_digest_valid("sha512:" HEX), 0);
	assert_int_equal(reg_digest_valid(HEX), 0);
	assert_int_equal(reg_digest_valid(""), 0);
	assert_int_equal(reg_digest_valid(NULL), 0);
}

static void buf_free_empties_the_buffer(void **state)
{
	(void)state;
	struct base_buf b = {.data = malloc(4), .len = 4};
	base_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	base_buf_free(NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ref_parse_defaults_to_docker_hub_and_latest),
	    cmocka_unit_test(ref_parse_adds_library_to_hub_names),
	    cmocka_unit_test(ref_parse_folds_hub_aliases_into_docker_io),
	    cmocka_unit_test(ref_parse_keeps_registry_host_and_port),
	    cmocka_unit_test(ref_parse_accepts_bracketed_ipv6_registries),
	    cmocka_unit_test(ref_parse_keeps_digest_with_or_without_tag),
	    cmocka_unit_test(ref_parse_allows_separators_in_names_and_tags),
	    cmocka_unit_test(ref_parse_reads_host_port_without_slash_as_hub_tag),
	    cmocka_unit_test(ref_parse_rejects_empty_reference),
	    cmocka_unit_test(ref_parse_rejects_uppercase_repository),
	    cmocka_unit_test(ref_parse_rejects_bad_tags),
	    cmocka_unit_test(ref_parse_rejects_empty_name_components),
	    cmocka_unit_test(ref_parse_rejects_bad_name_components),
	    cmocka_unit_test(ref_parse_rejects_bad_registries),
	    cmocka_unit_test(ref_parse_rejects_digests_other_than_sha256_hex),
	    cmocka_unit_test(ref_parse_rejects_missing_repository_name),
	    cmocka_unit_test(ref_parse_limits_tag_to_128_characters),
	    cmocka_unit_test(ref_parse_limits_name_to_255_characters),
	    cmocka_unit_test(ref_copy_is_deep),
	    cmocka_unit_test(ref_same_registry_folds_hub_aliases),
	    cmocka_unit_test(ref_same_registry_ignores_host_case_but_keeps_spelling),
	    cmocka_unit_test(ref_same_registry_compares_ports),
	    cmocka_unit_test(registry_api_host_maps_docker_io_only),
	    cmocka_unit_test(ref_helpers_refuse_null),
	    cmocka_unit_test(registry_loopback_accepts_localhost_127_and_ipv6_loopback),
	    cmocka_unit_test(registry_loopback_rejects_other_hosts),
	    cmocka_unit_test(error_clear_empties_message_and_status),
	    cmocka_unit_test(error_wrap_prefixes_context_and_keeps_status),
	    cmocka_unit_test(error_wrap_cuts_long_context_so_cause_shows),
	    cmocka_unit_test(error_set_and_wrap_stay_within_message_buffer),
	    cmocka_unit_test(error_wrap_of_empty_error_is_the_context),
	    cmocka_unit_test(digest_sha256_of_empty_input),
	    cmocka_unit_test(digest_sha256_of_abc_is_a_valid_digest),
	    cmocka_unit_test(digest_valid_wants_sha256_and_64_lowercase_hex),
	    cmocka_unit_test(buf_free_empties_the_buffer),
	};
	return unit_run_group("test_reg_ref", tests, argc, argv);
}
