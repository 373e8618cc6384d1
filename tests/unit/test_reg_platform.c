/* test_reg_platform.c — platforms are normalised as containerd does (case,
 * aliases, known os/arch/variants), keep the variant as written, match
 * with containerd's equivalences, and bad ones get the exact message. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "registry.h"

#define SYNTAX " is not a valid platform (want os/arch[/variant][:os.version])"

struct parse_case {
	const char *in, *os, *arch, *variant, *osv, *formatted;
};

/* Each platform parses to these fields and formats to `formatted`, and
 * format → parse is a fixed point that matches the original. */
static void check_parses(const struct parse_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reg_platform p, q;
		struct base_error err;
		base_error_clear(&err);
		int rc = reg_platform_parse(cases[i].in, &p, &err);
		if (rc != BASE_OK)
			print_error("%s: %s\n", cases[i].in, err.msg);
		assert_int_equal(rc, BASE_OK);
		assert_str_or_null_equal(p.os, cases[i].os);
		assert_str_or_null_equal(p.architecture, cases[i].arch);
		assert_str_or_null_equal(p.variant, cases[i].variant);
		assert_str_or_null_equal(p.os_version, cases[i].osv);
		assert_int_equal(p.n_os_features, 0);
		char *f = reg_platform_format(&p);
		assert_str_or_null_equal(f, cases[i].formatted);
		assert_int_equal(reg_platform_parse(f, &q, &err), BASE_OK);
		char *g = reg_platform_format(&q);
		assert_str_or_null_equal(g, f);
		assert_int_equal(reg_platform_match(&p, &q), 1);
		free(f);
		free(g);
		reg_platform_free(&q);
		reg_platform_free(&p);
	}
}

static void platform_parse_keeps_canonical_names(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	    {"linux/amd64", "linux", "amd64", NULL, NULL, "linux/amd64"},
	    {"linux/amd64/v3", "linux", "amd64", "v3", NULL, "linux/amd64/v3"},
	    {"linux/arm64/v8", "linux", "arm64", "v8", NULL, "linux/arm64/v8"},
	    {"linux/arm", "linux", "arm", NULL, NULL, "linux/arm"},
	    {"linux/arm/v7", "linux", "arm", "v7", NULL, "linux/arm/v7"},
	    {"linux/arm/v5", "linux", "arm", "v5", NULL, "linux/arm/v5"},
	    {"linux/ppc64le", "linux", "ppc64le", NULL, NULL, "linux/ppc64le"},
	    {"linux/s390x", "linux", "s390x", NULL, NULL, "linux/s390x"},
	    {"linux/riscv64", "linux", "riscv64", NULL, NULL, "linux/riscv64"},
	    {"linux/loong64", "linux", "loong64", NULL, NULL, "linux/loong64"},
	    {"linux/mips64le", "linux", "mips64le", NULL, NULL, "linux/mips64le"},
	};
	check_parses(cases, UNIT_COUNT(cases));
}

static void platform_parse_folds_case_and_arch_aliases(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	    {"Linux/AMD64", "linux", "amd64", NULL, NULL, "linux/amd64"},
	    {"linux/x86_64", "linux", "amd64", NULL, NULL, "linux/amd64"},
	    {"linux/x86-64", "linux", "amd64", NULL, NULL, "linux/amd64"},
	    {"linux/aarch64", "linux", "arm64", NULL, NULL, "linux/arm64"},
	    {"linux/aarch64/v8", "linux", "arm64", "v8", NULL, "linux/arm64/v8"},
	    {"linux/armhf", "linux", "arm", "v7", NULL, "linux/arm/v7"},
	    {"linux/armhf/v7", "linux", "arm", "v7", NULL, "linux/arm/v7"},
	    {"linux/armel", "linux", "arm", "v6", NULL, "linux/arm/v6"},
	    {"linux/i386", "linux", "386", NULL, NULL, "linux/386"},
	    {"linux/i686", "linux", "386", NULL, NULL, "linux/386"},
	};
	check_parses(cases, UNIT_COUNT(cases));
}

static void platform_parse_keeps_variant_as_written(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	    {"linux/arm64/8", "linux", "arm64", "8", NULL, "linux/arm64/8"},
	    {"linux/arm64/v8.0", "linux", "arm64", "v8.0", NULL, "linux/arm64/v8.0"},
	    {"linux/arm64/v8.2", "linux", "arm64", "v8.2", NULL, "linux/arm64/v8.2"},
	    {"linux/arm64/V8", "linux", "arm64", "V8", NULL, "linux/arm64/V8"},
	    {"linux/arm/7", "linux", "arm", "7", NULL, "linux/arm/7"},
	};
	check_parses(cases, UNIT_COUNT(cases));
}

static void platform_parse_reads_windows_os_version(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	    {"windows/amd64:10.0.17763.6659", "windows", "amd64", NULL, "10.0.17763.6659",
	     "windows/amd64:10.0.17763.6659"},
	    {"Windows/ARM64/v8:10.0.26100.1", "windows", "arm64", "v8", "10.0.26100.1",
	     "windows/arm64/v8:10.0.26100.1"},
	};
	check_parses(cases, UNIT_COUNT(cases));
}

static void platform_parse_knows_other_oses(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	    {"wasip1/wasm", "wasip1", "wasm", NULL, NULL, "wasip1/wasm"},
	    {"js/wasm", "js", "wasm", NULL, NULL, "js/wasm"},
	    {"darwin/arm64", "darwin", "arm64", NULL, NULL, "darwin/arm64"},
	    {"freebsd/386", "freebsd", "386", NULL, NULL, "freebsd/386"},
	    {"illumos/amd64", "illumos", "amd64", NULL, NULL, "illumos/amd64"},
	    {"aix/ppc64", "aix", "ppc64", NULL, NULL, "aix/ppc64"},
	};
	check_parses(cases, UNIT_COUNT(cases));
}

struct reject_case {
	const char *in, *msg;
};

static void check_rejects(const struct reject_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reg_platform p;
		struct base_error err;
		base_error_clear(&err);
		assert_int_equal(reg_platform_parse(cases[i].in, &p, &err), BASE_EFAIL);
		assert_string_equal(err.msg, cases[i].msg);
		assert_null(p.os);
		assert_null(p.architecture);
		assert_null(p.variant);
	}
}

static void platform_parse_rejects_unknown_os_or_arch(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"linux/amd65", "\"linux/amd65\" is not a known platform"},
	    {"linx/amd64", "\"linx/amd64\" is not a known platform"},
	    {"unknown/unknown", "\"unknown/unknown\" is not a known platform"},
	    {"linux/x86_64_with_a_very_long_name_indeed_yes",
	     "\"linux/x86_64_with_a_very_long_name_indeed_yes\" is not a known platform"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void platform_parse_rejects_variant_the_arch_lacks(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"linux/arm64/v9", "\"linux/arm64/v9\" is not a known platform"},
	    {"linux/mips/v1", "\"linux/mips/v1\" is not a known platform"},
	    {"linux/ppc64le/v8", "\"linux/ppc64le/v8\" is not a known platform"},
	    {"linux/amd64/v5", "\"linux/amd64/v5\" is not a known platform"},
	    {"linux/arm/v9", "\"linux/arm/v9\" is not a known platform"},
	    {"linux/arm64/v8.10", "\"linux/arm64/v8.10\" is not a known platform"},
	    {"linux/armhf/v6", "\"linux/armhf/v6\" is not a known platform"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void platform_parse_rejects_bad_syntax(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"", "\"\"" SYNTAX},
	    {"linux", "\"linux\"" SYNTAX},
	    {"linux/", "\"linux/\"" SYNTAX},
	    {"/amd64", "\"/amd64\"" SYNTAX},
	    {"linux/arm/", "\"linux/arm/\"" SYNTAX},
	    {"linux/arm/v7/x", "\"linux/arm/v7/x\"" SYNTAX},
	};
	check_rejects(cases, UNIT_COUNT(cases));

	struct reg_platform p;
	struct base_error err;
	assert_int_equal(reg_platform_parse(NULL, &p, &err), BASE_EFAIL);
	assert_string_equal(err.msg, "\"\"" SYNTAX);
}

static void platform_parse_rejects_bad_os_version(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"windows/amd64:", "\"windows/amd64:\"" SYNTAX},
	    {"windows/amd64:10 0", "\"windows/amd64:10 0\"" SYNTAX},
	    {"windows/amd64:10:0", "\"windows/amd64:10:0\"" SYNTAX},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void platform_from_parts_normalises_aliases(void **state)
{
	(void)state;
	struct reg_platform p;
	struct base_error err;
	char *f;

	base_error_clear(&err);
	assert_int_equal(reg_platform_from_parts("Linux", "x86_64", NULL, NULL, &p, &err), BASE_OK);
	f = reg_platform_format(&p);
	assert_str_or_null_equal(f, "linux/amd64");
	free(f);
	reg_platform_free(&p);

	assert_int_equal(reg_platform_from_parts("linux", "armhf", NULL, NULL, &p, &err), BASE_OK);
	assert_string_equal(p.architecture, "arm");
	assert_string_equal(p.variant, "v7");
	reg_platform_free(&p);
}

static void platform_from_parts_treats_empty_strings_as_absent(void **state)
{
	(void)state;
	struct reg_platform p;
	struct base_error err;

	/* manifest-tool specs leave them so */
	base_error_clear(&err);
	assert_int_equal(reg_platform_from_parts("linux", "arm", "", "", &p, &err), BASE_OK);
	assert_null(p.variant);
	assert_null(p.os_version);
	reg_platform_free(&p);
}

static void platform_from_parts_keeps_os_version(void **state)
{
	(void)state;
	struct reg_platform p;
	struct base_error err;
	char *f;

	base_error_clear(&err);
	assert_int_equal(
	    reg_platform_from_parts("windows", "amd64", NULL, "10.0.17763.6659", &p, &err),
	    BASE_OK);
	f = reg_platform_format(&p);
	assert_str_or_null_equal(f, "windows/amd64:10.0.17763.6659");
	free(f);
	reg_platform_free(&p);
}

static void platform_from_parts_rejects_with_exact_message(void **state)
{
	(void)state;
	struct reg_platform p;
	struct base_error err;

	base_error_clear(&err);
	assert_int_equal(reg_platform_from_parts("linux", "arm64", "v9", NULL, &p, &err),
	                 BASE_EFAIL);
	assert_string_equal(err.msg, "\"linux/arm64/v9\" is not a known platform");
	assert_int_equal(reg_platform_from_parts(NULL, "amd64", NULL, NULL, &p, &err), BASE_EFAIL);
	assert_string_equal(err.msg, "\"/amd64\"" SYNTAX);
	/* a '/' inside a part is never a known name */
	assert_int_equal(reg_platform_from_parts("linux", "arm/v7", NULL, NULL, &p, &err),
	                 BASE_EFAIL);
	assert_string_equal(err.msg, "\"linux/arm/v7\" is not a known platform");
}

/* {os, arch, variant, os.version} as a registry may write them */
struct match_case {
	const char *want[4], *have[4];
	int match;
};

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static void check_matches(const struct match_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reg_platform w = {
		    .os = (char *)cases[i].want[0],
		    .architecture = (char *)cases[i].want[1],
		    .variant = (char *)cases[i].want[2],
		    .os_version = (char *)cases[i].want[3],
		};
		struct reg_platform h = {
		    .os = (char *)cases[i].have[0],
		    .architecture = (char *)cases[i].have[1],
		    .variant = (char *)cases[i].have[2],
		    .os_version = (char *)cases[i].have[3],
		};
		int got = reg_platform_match(&w, &h);
		if (got != cases[i].match)
			print_error("match %s %s %s %s / %s %s %s %s\n", or_dash(w.os),
			            or_dash(w.architecture), or_dash(w.variant),
			            or_dash(w.os_version), or_dash(h.os), or_dash(h.architecture),
			            or_dash(h.variant), or_dash(h.os_version));
		assert_int_equal(got, cases[i].match);
	}
}

static void platform_match_arm64_means_v8(void **state)
{
	(void)state;
	static const struct match_case cases[] = {
	    {{"linux", "arm64"}, {"linux", "arm64", "v8"}, 1},
	    {{"linux", "arm64", "v8"}, {"linux", "arm64"}, 1},
	    {{"linux", "arm64", "8"}, {"linux", "arm64", "v8.0"}, 1},
	    {{"linux", "arm64", "v8"}, {"linux", "aarch64"}, 1},
	    {{"linux", "arm64", "v8.2"}, {"linux", "arm64"}, 0},
	};
	check_matches(cases, UNIT_COUNT(cases));
}

static void platform_match_arm_means_v7(void **state)
{
	(void)state;
	static const struct match_case cases[] = {
	    {{"linux", "arm"}, {"linux", "arm", "v7"}, 1},
	    {{"linux", "arm", "7"}, {"linux", "arm", "v7"}, 1},
	    {{"linux", "arm", "v7"}, {"linux", "armhf"}, 1},
	    {{"linux", "arm", "v6"}, {"linux", "arm", "v7"}, 0},
	    {{"linux", "arm", "v6"}, {"linux", "armel"}, 1},
	    {{"linux", "arm"}, {"linux", "arm", "v6"}, 0},
	};
	check_matches(cases, UNIT_COUNT(cases));
}

static void platform_match_amd64_means_v1(void **state)
{
	(void)state;
	static const struct match_case cases[] = {
	    {{"linux", "amd64"}, {"linux", "amd64", "v1"}, 1},
	    {{"linux", "amd64"}, {"linux", "amd64", "v2"}, 0},
	};
	check_matches(cases, UNIT_COUNT(cases));
}

static void platform_match_folds_case_and_aliases(void **state)
{
	(void)state;
	static const struct match_case cases[] = {
	    {{"Linux", "AMD64"}, {"linux", "x86_64"}, 1},
	    {{"linux", "386"}, {"linux", "i386"}, 1},
	};
	check_matches(cases, UNIT_COUNT(cases));
}

static void platform_match_needs_same_os_arch_and_variant(void **state)
{
	(void)state;
	static const struct match_case cases[] = {
	    {{"linux", "amd64"}, {"windows", "amd64"}, 0},
	    {{"linux", "amd64"}, {"linux", "arm64"}, 0},
	    {{"linux", "ppc64le", "x"}, {"linux", "ppc64le"}, 0},
	    {{"linux", "amd64"}, {"unknown", "unknown"}, 0},
	    {{"linux", "arm64"}, {"linux", NULL}, 0},
	};
	check_matches(cases, UNIT_COUNT(cases));
	assert_int_equal(reg_platform_match(NULL, NULL), 0);
}

static void platform_match_os_version_only_when_both_have_one(void **state)
{
	(void)state;
	static const struct match_case cases[] = {
	    {{"windows", "amd64", NULL, "10.0.17763.6659"},
	     {"windows", "amd64", NULL, "10.0.20348.2113"},
	     0},
	    {{"windows", "amd64", NULL, "10.0.17763.6659"},
	     {"windows", "amd64", NULL, "10.0.17763.6659"},
	     1},
	    {{"windows", "amd64", NULL, "10.0.17763.6659"}, {"windows", "amd64"}, 1},
	    {{"windows", "amd64"}, {"windows", "amd64", NULL, "10.0.17763.6659"}, 1},
	};
	check_matches(cases, UNIT_COUNT(cases));
}

static char *win_osf[] = {"win32k"}, *win_feat[] = {"sse4", "avx"};
static const struct reg_platform windows_with_features = {
    .os = "windows",
    .architecture = "amd64",
    .os_version = "10.0.17763.6659",
    .os_features = win_osf,
    .n_os_features = 1,
    .features = win_feat,
    .n_features = 2,
};

static void platform_copy_is_deep(void **state)
{
	(void)state;
	const struct reg_platform *src = &windows_with_features;
	struct reg_platform dst;
	assert_int_equal(reg_platform_copy(&dst, src), BASE_OK);
	assert_ptr_not_equal(dst.os, src->os);
	assert_string_equal(dst.os, "windows");
	assert_string_equal(dst.architecture, "amd64");
	assert_null(dst.variant);
	assert_string_equal(dst.os_version, "10.0.17763.6659");
	assert_int_equal(dst.n_os_features, 1);
	assert_string_equal(dst.os_features[0], "win32k");
	assert_int_equal(dst.n_features, 2);
	assert_string_equal(dst.features[1], "avx");
	reg_platform_free(&dst);
}

static void platform_match_and_format_leave_out_features(void **state)
{
	(void)state;
	struct reg_platform dst;
	assert_int_equal(reg_platform_copy(&dst, &windows_with_features), BASE_OK);
	struct reg_platform plain = {.os = "windows", .architecture = "amd64"};
	assert_int_equal(reg_platform_match(&plain, &dst), 1);
	char *f = reg_platform_format(&dst);
	assert_str_or_null_equal(f, "windows/amd64:10.0.17763.6659");
	free(f);
	reg_platform_free(&dst);
}

static void platform_free_clears_every_field(void **state)
{
	(void)state;
	struct reg_platform dst;
	assert_int_equal(reg_platform_copy(&dst, &windows_with_features), BASE_OK);
	reg_platform_free(&dst);
	assert_null(dst.os);
	assert_null(dst.features);
	assert_int_equal(dst.n_features, 0);
	reg_platform_free(NULL);
}

static void platform_helpers_refuse_null(void **state)
{
	(void)state;
	struct reg_platform dst = {0};
	assert_int_equal(reg_platform_copy(&dst, NULL), BASE_EFAIL);
	assert_null(reg_platform_format(NULL));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(platform_parse_keeps_canonical_names),
	    cmocka_unit_test(platform_parse_folds_case_and_arch_aliases),
	    cmocka_unit_test(platform_parse_keeps_variant_as_written),
	    cmocka_unit_test(platform_parse_reads_windows_os_version),
	    cmocka_unit_test(platform_parse_knows_other_oses),
	    cmocka_unit_test(platform_parse_rejects_unknown_os_or_arch),
	    cmocka_unit_test(platform_parse_rejects_variant_the_arch_lacks),
	    cmocka_unit_test(platform_parse_rejects_bad_syntax),
	    cmocka_unit_test(platform_parse_rejects_bad_os_version),
	    cmocka_unit_test(platform_from_parts_normalises_aliases),
	    cmocka_unit_test(platform_from_parts_treats_empty_strings_as_absent),
	    cmocka_unit_test(platform_from_parts_keeps_os_version),
	    cmocka_unit_test(platform_from_parts_rejects_with_exact_message),
	    cmocka_unit_test(platform_match_arm64_means_v8),
	    cmocka_unit_test(platform_match_arm_means_v7),
	    cmocka_unit_test(platform_match_amd64_means_v1),
	    cmocka_unit_test(platform_match_folds_case_and_aliases),
	    cmocka_unit_test(platform_match_needs_same_os_arch_and_variant),
	    cmocka_unit_test(platform_match_os_version_only_when_both_have_one),
	    cmocka_unit_test(platform_copy_is_deep),
	    cmocka_unit_test(platform_match_and_format_leave_out_features),
	    cmocka_unit_test(platform_free_clears_every_field),
	    cmocka_unit_test(platform_helpers_refuse_null),
	};
	return unit_run_group("test_reg_platform", tests, argc, argv);
}
