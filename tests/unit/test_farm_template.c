/* test_farm_template.c — template expansion: every token, manifest-tool's
 * bare tokens as whole words only, the empty-variant rule, and the errors. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "farm.h"

static const struct farm_vars arm7 = {
    "registry.example.com", "kube-proxy", "v1.31.0", "linux", "arm", "v7"};
static const struct farm_vars amd = {
    "registry.example.com", "kube-proxy", "v1.31.0", "linux", "amd64", ""};

/* tmpl expands to exactly want; a failure points at the caller's line */
static void expect(const char *file, int line, const char *tmpl, const struct farm_vars *v,
                   const char *want)
{
	struct farm_error err = {0};
	char *got = farm_template_expand(tmpl, v, &err);
	if (!got || strcmp(got, want) != 0) {
		char msg[2048];
		snprintf(msg, sizeof(msg), "%s -> %s (%s), want %s", tmpl, got ? got : "NULL",
		         err.msg, want);
		free(got);
		unit_fail_at(file, line, "%s", msg);
		return;
	}
	free(got);
}
#define EXPECT(t, v, w) expect(__FILE__, __LINE__, t, v, w)

/* tmpl is refused with exactly want */
static void expect_err(const char *file, int line, const char *tmpl, const struct farm_vars *v,
                       const char *want)
{
	struct farm_error err = {0};
	char *got = farm_template_expand(tmpl, v, &err);
	if (got || strcmp(err.msg, want) != 0) {
		char msg[2048];
		snprintf(msg, sizeof(msg), "%s -> %s / \"%s\", want error \"%s\"", tmpl,
		         got ? got : "NULL", err.msg, want);
		free(got);
		unit_fail_at(file, line, "%s", msg);
		return;
	}
}
#define EXPECT_ERR(t, v, w) expect_err(__FILE__, __LINE__, t, v, w)

static void template_expands_brace_tokens(void **state)
{
	(void)state;
	EXPECT("{registry}/{name}-{arch}:{tag}", &arm7,
	       "registry.example.com/kube-proxy-arm:v1.31.0");
	EXPECT("{registry}/{name}:{tag}", &arm7, "registry.example.com/kube-proxy:v1.31.0");
	EXPECT("{name}-{arch}{variant}", &arm7, "kube-proxy-armv7");
	EXPECT("{name}-{os}-{arch}-{variant}", &arm7, "kube-proxy-linux-arm-v7");
	EXPECT("plain/ref:1", &arm7, "plain/ref:1");
	EXPECT("", &arm7, "");
}

static void template_drops_separator_before_empty_variant(void **state)
{
	(void)state;
	EXPECT("{name}-{arch}{variant}", &amd, "kube-proxy-amd64");
	EXPECT("{name}-{arch}-{variant}:{tag}", &amd, "kube-proxy-amd64:v1.31.0");
	EXPECT("{os}/{arch}/{variant}", &amd, "linux/amd64");
	EXPECT("{name}:{tag}_{variant}", &amd, "kube-proxy:v1.31.0_");
	EXPECT("r/{name}-ARCH-VARIANT:{tag}", &amd, "r/kube-proxy-amd64:v1.31.0");
}

static void template_expands_bare_tokens_as_whole_words(void **state)
{
	(void)state;
	EXPECT("r/myimage-ARCH:latest", &arm7, "r/myimage-arm:latest");
	EXPECT("r/myimage_ARCH:latest", &arm7, "r/myimage_arm:latest");
	EXPECT("r/OS-ARCHVARIANT:1", &arm7, "r/linux-armv7:1");
	EXPECT("r/x:OS.ARCH.VARIANT", &arm7, "r/x:linux.arm.v7");
	EXPECT("r/x:ARCHIVE-myARCH-ARCH2-OSX", &arm7, "r/x:ARCHIVE-myARCH-ARCH2-OSX");
	EXPECT("r/x:arch", &arm7, "r/x:arch");
}

static void template_rejects_unbalanced_braces(void **state)
{
	(void)state;
	EXPECT_ERR("{registry}/{nam", &arm7, "unclosed \"{\" in template \"{registry}/{nam\"");
	EXPECT_ERR("{registry/{name}", &arm7, "unclosed \"{\" in template \"{registry/{name}\"");
	EXPECT_ERR("{name}}", &arm7, "unmatched \"}\" in template \"{name}}\"");
}

static void template_rejects_unknown_tokens(void **state)
{
	(void)state;
	EXPECT_ERR("{Name}", &arm7, "unknown template token \"{Name}\" (did you mean \"{name}\"?)");
	EXPECT_ERR("{}", &arm7,
	           "unknown template token \"{}\" (known: {registry} {name} {tag} {os} {arch} "
	           "{variant})");
}

static void template_rejects_tokens_without_a_value(void **state)
{
	(void)state;
	const struct farm_vars no_platform = {"r.io", "a", "v1", NULL, NULL, NULL};
	EXPECT_ERR("{name}-{arch}", &no_platform, "template \"{name}-{arch}\": {arch} is not set");
	EXPECT_ERR("{name}-ARCH", &no_platform, "template \"{name}-ARCH\": ARCH is not set");
	EXPECT_ERR("{registry}/a", NULL, "template \"{registry}/a\": {registry} is not set");
}

static void template_knows_per_platform_tokens(void **state)
{
	(void)state;
	assert_int_equal(farm_template_is_per_platform("{registry}/{name}:{tag}"), 0);
	assert_int_equal(farm_template_is_per_platform("{registry}/{name}-{arch}:{tag}"), 1);
	assert_int_equal(farm_template_is_per_platform("{name}:{tag}-{os}"), 1);
	assert_int_equal(farm_template_is_per_platform("{name}:{tag}{variant}"), 1);
	assert_int_equal(farm_template_is_per_platform("r/x-ARCH:1"), 1);
	assert_int_equal(farm_template_is_per_platform("r/ARCHIVE:1"), 0);
	assert_int_equal(farm_template_is_per_platform("{broken"), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(template_expands_brace_tokens),
	    cmocka_unit_test(template_drops_separator_before_empty_variant),
	    cmocka_unit_test(template_expands_bare_tokens_as_whole_words),
	    cmocka_unit_test(template_rejects_unbalanced_braces),
	    cmocka_unit_test(template_rejects_unknown_tokens),
	    cmocka_unit_test(template_rejects_tokens_without_a_value),
	    cmocka_unit_test(template_knows_per_platform_tokens),
	};
	return unit_run_group("test_farm_template", tests, argc, argv);
}
