/* test_farm_template.c — template expansion: every token, manifest-tool's
 * bare tokens as whole words only, the empty-variant rule, and the errors. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "farm.h"

static const struct farm_vars arm7 = {
    "registry.example.com", "kube-proxy", "v1.31.0", "linux", "arm", "v7"};
static const struct farm_vars amd = {
    "registry.example.com", "kube-proxy", "v1.31.0", "linux", "amd64", ""};

static void expect(int line, const char *tmpl, const struct farm_vars *v, const char *want)
{
	struct farm_error err = {""};
	char *got = farm_template_expand(tmpl, v, &err);
	if (!got || strcmp(got, want) != 0) {
		fprintf(stderr, "line %d: %s -> %s (%s), want %s\n", line, tmpl, got ? got : "NULL",
		        err.msg, want);
		check_failed++;
	} else {
		check_passed++;
	}
	free(got);
}
#define EXPECT(t, v, w) expect(__LINE__, t, v, w)

static void expect_err(int line, const char *tmpl, const struct farm_vars *v, const char *want)
{
	struct farm_error err = {""};
	char *got = farm_template_expand(tmpl, v, &err);
	if (got || strcmp(err.msg, want) != 0) {
		fprintf(stderr, "line %d: %s -> %s / \"%s\", want error \"%s\"\n", line, tmpl,
		        got ? got : "NULL", err.msg, want);
		check_failed++;
	} else {
		check_passed++;
	}
	free(got);
}
#define EXPECT_ERR(t, v, w) expect_err(__LINE__, t, v, w)

static void template_expands_brace_tokens(void)
{
	EXPECT("{registry}/{name}-{arch}:{tag}", &arm7,
	       "registry.example.com/kube-proxy-arm:v1.31.0");
	EXPECT("{registry}/{name}:{tag}", &arm7, "registry.example.com/kube-proxy:v1.31.0");
	EXPECT("{name}-{arch}{variant}", &arm7, "kube-proxy-armv7");
	EXPECT("{name}-{os}-{arch}-{variant}", &arm7, "kube-proxy-linux-arm-v7");
	EXPECT("plain/ref:1", &arm7, "plain/ref:1");
	EXPECT("", &arm7, "");
}

static void template_drops_separator_before_empty_variant(void)
{
	EXPECT("{name}-{arch}{variant}", &amd, "kube-proxy-amd64");
	EXPECT("{name}-{arch}-{variant}:{tag}", &amd, "kube-proxy-amd64:v1.31.0");
	EXPECT("{os}/{arch}/{variant}", &amd, "linux/amd64");
	EXPECT("{name}:{tag}_{variant}", &amd, "kube-proxy:v1.31.0_");
	EXPECT("r/{name}-ARCH-VARIANT:{tag}", &amd, "r/kube-proxy-amd64:v1.31.0");
}

static void template_expands_bare_tokens_as_whole_words(void)
{
	EXPECT("r/myimage-ARCH:latest", &arm7, "r/myimage-arm:latest");
	EXPECT("r/myimage_ARCH:latest", &arm7, "r/myimage_arm:latest");
	EXPECT("r/OS-ARCHVARIANT:1", &arm7, "r/linux-armv7:1");
	EXPECT("r/x:OS.ARCH.VARIANT", &arm7, "r/x:linux.arm.v7");
	EXPECT("r/x:ARCHIVE-myARCH-ARCH2-OSX", &arm7, "r/x:ARCHIVE-myARCH-ARCH2-OSX");
	EXPECT("r/x:arch", &arm7, "r/x:arch");
}

static void template_reports_errors(void)
{
	EXPECT_ERR("{registry}/{nam", &arm7, "unclosed \"{\" in template \"{registry}/{nam\"");
	EXPECT_ERR("{registry/{name}", &arm7, "unclosed \"{\" in template \"{registry/{name}\"");
	EXPECT_ERR("{name}}", &arm7, "unmatched \"}\" in template \"{name}}\"");
	EXPECT_ERR("{Name}", &arm7, "unknown template token \"{Name}\" (did you mean \"{name}\"?)");
	EXPECT_ERR("{}", &arm7,
	           "unknown template token \"{}\" (known: {registry} {name} {tag} {os} {arch} "
	           "{variant})");
	const struct farm_vars no_platform = {"r.io", "a", "v1", NULL, NULL, NULL};
	EXPECT_ERR("{name}-{arch}", &no_platform, "template \"{name}-{arch}\": {arch} is not set");
	EXPECT_ERR("{name}-ARCH", &no_platform, "template \"{name}-ARCH\": ARCH is not set");
	EXPECT_ERR("{registry}/a", NULL, "template \"{registry}/a\": {registry} is not set");
}

static void template_knows_per_platform_tokens(void)
{
	CHECK_INT(farm_template_is_per_platform("{registry}/{name}:{tag}"), 0);
	CHECK_INT(farm_template_is_per_platform("{registry}/{name}-{arch}:{tag}"), 1);
	CHECK_INT(farm_template_is_per_platform("{name}:{tag}-{os}"), 1);
	CHECK_INT(farm_template_is_per_platform("{name}:{tag}{variant}"), 1);
	CHECK_INT(farm_template_is_per_platform("r/x-ARCH:1"), 1);
	CHECK_INT(farm_template_is_per_platform("r/ARCHIVE:1"), 0);
	CHECK_INT(farm_template_is_per_platform("{broken"), 0);
}

int main(void)
{
	template_expands_brace_tokens();
	template_drops_separator_before_empty_variant();
	template_expands_bare_tokens_as_whole_words();
	template_reports_errors();
	template_knows_per_platform_tokens();
	return check_finish();
}
