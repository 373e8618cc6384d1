/* test_reg_platform.c — platforms are normalised as containerd does (case,
 * aliases, known os/arch/variants), keep the variant as written, match
 * with containerd's equivalences, and bad ones get the exact message. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "registry.h"

#define SYNTAX " is not a valid platform (want os/arch[/variant][:os.version])"

static void platform_parse_table(void)
{
	static const struct {
		const char *in, *os, *arch, *variant, *osv, *formatted;
	} cases[] = {
	    {"linux/amd64", "linux", "amd64", NULL, NULL, "linux/amd64"},
	    {"Linux/AMD64", "linux", "amd64", NULL, NULL, "linux/amd64"},
	    {"linux/x86_64", "linux", "amd64", NULL, NULL, "linux/amd64"},
	    {"linux/x86-64", "linux", "amd64", NULL, NULL, "linux/amd64"},
	    {"linux/amd64/v3", "linux", "amd64", "v3", NULL, "linux/amd64/v3"},
	    {"linux/aarch64", "linux", "arm64", NULL, NULL, "linux/arm64"},
	    {"linux/aarch64/v8", "linux", "arm64", "v8", NULL, "linux/arm64/v8"},
	    {"linux/arm64/v8", "linux", "arm64", "v8", NULL, "linux/arm64/v8"},
	    {"linux/arm64/8", "linux", "arm64", "8", NULL, "linux/arm64/8"},
	    {"linux/arm64/v8.0", "linux", "arm64", "v8.0", NULL, "linux/arm64/v8.0"},
	    {"linux/arm64/v8.2", "linux", "arm64", "v8.2", NULL, "linux/arm64/v8.2"},
	    {"linux/arm64/V8", "linux", "arm64", "V8", NULL, "linux/arm64/V8"},
	    {"linux/armhf", "linux", "arm", "v7", NULL, "linux/arm/v7"},
	    {"linux/armhf/v7", "linux", "arm", "v7", NULL, "linux/arm/v7"},
	    {"linux/armel", "linux", "arm", "v6", NULL, "linux/arm/v6"},
	    {"linux/arm", "linux", "arm", NULL, NULL, "linux/arm"},
	    {"linux/arm/v7", "linux", "arm", "v7", NULL, "linux/arm/v7"},
	    {"linux/arm/7", "linux", "arm", "7", NULL, "linux/arm/7"},
	    {"linux/arm/v5", "linux", "arm", "v5", NULL, "linux/arm/v5"},
	    {"linux/i386", "linux", "386", NULL, NULL, "linux/386"},
	    {"linux/i686", "linux", "386", NULL, NULL, "linux/386"},
	    {"windows/amd64:10.0.17763.6659", "windows", "amd64", NULL, "10.0.17763.6659",
	     "windows/amd64:10.0.17763.6659"},
	    {"Windows/ARM64/v8:10.0.26100.1", "windows", "arm64", "v8", "10.0.26100.1",
	     "windows/arm64/v8:10.0.26100.1"},
	    {"linux/ppc64le", "linux", "ppc64le", NULL, NULL, "linux/ppc64le"},
	    {"linux/s390x", "linux", "s390x", NULL, NULL, "linux/s390x"},
	    {"linux/riscv64", "linux", "riscv64", NULL, NULL, "linux/riscv64"},
	    {"linux/loong64", "linux", "loong64", NULL, NULL, "linux/loong64"},
	    {"linux/mips64le", "linux", "mips64le", NULL, NULL, "linux/mips64le"},
	    {"wasip1/wasm", "wasip1", "wasm", NULL, NULL, "wasip1/wasm"},
	    {"js/wasm", "js", "wasm", NULL, NULL, "js/wasm"},
	    {"darwin/arm64", "darwin", "arm64", NULL, NULL, "darwin/arm64"},
	    {"freebsd/386", "freebsd", "386", NULL, NULL, "freebsd/386"},
	    {"illumos/amd64", "illumos", "amd64", NULL, NULL, "illumos/amd64"},
	    {"aix/ppc64", "aix", "ppc64", NULL, NULL, "aix/ppc64"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reg_platform p, q;
		struct reg_error err;
		reg_error_clear(&err);
		int rc = reg_platform_parse(cases[i].in, &p, &err);
		if (rc != REG_OK)
			fprintf(stderr, "%s: %s\n", cases[i].in, err.msg);
		CHECK_INT(rc, REG_OK);
		CHECK_STR(p.os, cases[i].os);
		CHECK_STR(p.architecture, cases[i].arch);
		CHECK_STR(p.variant, cases[i].variant);
		CHECK_STR(p.os_version, cases[i].osv);
		CHECK_INT(p.n_os_features, 0);
		char *f = reg_platform_format(&p);
		CHECK_STR(f, cases[i].formatted);
		/* format → parse is a fixed point */
		CHECK_INT(reg_platform_parse(f, &q, &err), REG_OK);
		char *g = reg_platform_format(&q);
		CHECK_STR(g, f);
		CHECK_INT(reg_platform_match(&p, &q), 1);
		free(f);
		free(g);
		reg_platform_free(&q);
		reg_platform_free(&p);
	}
}

static void platform_rejects_with_exact_message(void)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
	    {"linux/arm64/v9", "\"linux/arm64/v9\" is not a known platform"},
	    {"linux/amd65", "\"linux/amd65\" is not a known platform"},
	    {"linx/amd64", "\"linx/amd64\" is not a known platform"},
	    {"unknown/unknown", "\"unknown/unknown\" is not a known platform"},
	    {"linux/mips/v1", "\"linux/mips/v1\" is not a known platform"},
	    {"linux/ppc64le/v8", "\"linux/ppc64le/v8\" is not a known platform"},
	    {"linux/amd64/v5", "\"linux/amd64/v5\" is not a known platform"},
	    {"linux/arm/v9", "\"linux/arm/v9\" is not a known platform"},
	    {"linux/arm64/v8.10", "\"linux/arm64/v8.10\" is not a known platform"},
	    {"linux/armhf/v6", "\"linux/armhf/v6\" is not a known platform"},
	    {"linux/x86_64_with_a_very_long_name_indeed_yes",
	     "\"linux/x86_64_with_a_very_long_name_indeed_yes\" is not a known platform"},
	    {"", "\"\"" SYNTAX},
	    {"linux", "\"linux\"" SYNTAX},
	    {"linux/", "\"linux/\"" SYNTAX},
	    {"/amd64", "\"/amd64\"" SYNTAX},
	    {"linux/arm/", "\"linux/arm/\"" SYNTAX},
	    {"linux/arm/v7/x", "\"linux/arm/v7/x\"" SYNTAX},
	    {"windows/amd64:", "\"windows/amd64:\"" SYNTAX},
	    {"windows/amd64:10 0", "\"windows/amd64:10 0\"" SYNTAX},
	    {"windows/amd64:10:0", "\"windows/amd64:10:0\"" SYNTAX},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reg_platform p;
		struct reg_error err;
		reg_error_clear(&err);
		CHECK_INT(reg_platform_parse(cases[i].in, &p, &err), REG_EFAIL);
		CHECK_STR(err.msg, cases[i].msg);
		CHECK(p.os == NULL && p.architecture == NULL && p.variant == NULL);
	}
	struct reg_platform p;
	struct reg_error err;
	CHECK_INT(reg_platform_parse(NULL, &p, &err), REG_EFAIL);
	CHECK_STR(err.msg, "\"\"" SYNTAX);
}

static void platform_from_parts_normalises(void)
{
	struct reg_platform p;
	struct reg_error err;
	char *f;

	reg_error_clear(&err);
	CHECK_INT(reg_platform_from_parts("Linux", "x86_64", NULL, NULL, &p, &err), REG_OK);
	f = reg_platform_format(&p);
	CHECK_STR(f, "linux/amd64");
	free(f);
	reg_platform_free(&p);

	/* empty strings are absent fields (manifest-tool specs leave them so) */
	CHECK_INT(reg_platform_from_parts("linux", "arm", "", "", &p, &err), REG_OK);
	CHECK(p.variant == NULL && p.os_version == NULL);
	reg_platform_free(&p);

	CHECK_INT(reg_platform_from_parts("linux", "armhf", NULL, NULL, &p, &err), REG_OK);
	CHECK_STR(p.architecture, "arm");
	CHECK_STR(p.variant, "v7");
	reg_platform_free(&p);

	CHECK_INT(reg_platform_from_parts("windows", "amd64", NULL, "10.0.17763.6659", &p, &err),
	          REG_OK);
	f = reg_platform_format(&p);
	CHECK_STR(f, "windows/amd64:10.0.17763.6659");
	free(f);
	reg_platform_free(&p);

	CHECK_INT(reg_platform_from_parts("linux", "arm64", "v9", NULL, &p, &err), REG_EFAIL);
	CHECK_STR(err.msg, "\"linux/arm64/v9\" is not a known platform");
	CHECK_INT(reg_platform_from_parts(NULL, "amd64", NULL, NULL, &p, &err), REG_EFAIL);
	CHECK_STR(err.msg, "\"/amd64\"" SYNTAX);
	/* a '/' inside a part is never a known name */
	CHECK_INT(reg_platform_from_parts("linux", "arm/v7", NULL, NULL, &p, &err), REG_EFAIL);
	CHECK_STR(err.msg, "\"linux/arm/v7\" is not a known platform");
}

static void platform_match_table(void)
{
	static const struct {
		const char *want[4], *have[4];
		int match;
	} cases[] = {
	    /* {os, arch, variant, os.version} as a registry may write them */
	    {{"linux", "arm64"}, {"linux", "arm64", "v8"}, 1},
	    {{"linux", "arm64", "v8"}, {"linux", "arm64"}, 1},
	    {{"linux", "arm64", "8"}, {"linux", "arm64", "v8.0"}, 1},
	    {{"linux", "arm64", "v8"}, {"linux", "aarch64"}, 1},
	    {{"linux", "arm64", "v8.2"}, {"linux", "arm64"}, 0},
	    {{"linux", "arm"}, {"linux", "arm", "v7"}, 1},
	    {{"linux", "arm", "7"}, {"linux", "arm", "v7"}, 1},
	    {{"linux", "arm", "v7"}, {"linux", "armhf"}, 1},
	    {{"linux", "arm", "v6"}, {"linux", "arm", "v7"}, 0},
	    {{"linux", "arm", "v6"}, {"linux", "armel"}, 1},
	    {{"linux", "arm"}, {"linux", "arm", "v6"}, 0},
	    {{"linux", "amd64"}, {"linux", "amd64", "v1"}, 1},
	    {{"linux", "amd64"}, {"linux", "amd64", "v2"}, 0},
	    {{"Linux", "AMD64"}, {"linux", "x86_64"}, 1},
	    {{"linux", "386"}, {"linux", "i386"}, 1},
	    {{"linux", "amd64"}, {"windows", "amd64"}, 0},
	    {{"linux", "amd64"}, {"linux", "arm64"}, 0},
	    {{"linux", "ppc64le", "x"}, {"linux", "ppc64le"}, 0},
	    {{"linux", "amd64"}, {"unknown", "unknown"}, 0},
	    {{"windows", "amd64", NULL, "10.0.17763.6659"},
	     {"windows", "amd64", NULL, "10.0.20348.2113"},
	     0},
	    {{"windows", "amd64", NULL, "10.0.17763.6659"},
	     {"windows", "amd64", NULL, "10.0.17763.6659"},
	     1},
	    {{"windows", "amd64", NULL, "10.0.17763.6659"}, {"windows", "amd64"}, 1},
	    {{"windows", "amd64"}, {"windows", "amd64", NULL, "10.0.17763.6659"}, 1},
	    {{"linux", "arm64"}, {"linux", NULL}, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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
			fprintf(stderr, "match case %zu\n", i);
		CHECK_INT(got, cases[i].match);
	}
	CHECK_INT(reg_platform_match(NULL, NULL), 0);
}

static void platform_copy_is_deep(void)
{
	char *osf[] = {"win32k"}, *feat[] = {"sse4", "avx"};
	struct reg_platform src = {
	    .os = "windows",
	    .architecture = "amd64",
	    .os_version = "10.0.17763.6659",
	    .os_features = osf,
	    .n_os_features = 1,
	    .features = feat,
	    .n_features = 2,
	};
	struct reg_platform dst;
	CHECK_INT(reg_platform_copy(&dst, &src), REG_OK);
	CHECK(dst.os != src.os);
	CHECK_STR(dst.os, "windows");
	CHECK_STR(dst.architecture, "amd64");
	CHECK_STR(dst.variant, NULL);
	CHECK_STR(dst.os_version, "10.0.17763.6659");
	CHECK_INT(dst.n_os_features, 1);
	CHECK_STR(dst.os_features[0], "win32k");
	CHECK_INT(dst.n_features, 2);
	CHECK_STR(dst.features[1], "avx");
	/* features are not part of the match */
	struct reg_platform plain = {.os = "windows", .architecture = "amd64"};
	CHECK_INT(reg_platform_match(&plain, &dst), 1);
	char *f = reg_platform_format(&dst);
	CHECK_STR(f, "windows/amd64:10.0.17763.6659");
	free(f);
	reg_platform_free(&dst);
	CHECK(dst.os == NULL && dst.features == NULL && dst.n_features == 0);
	reg_platform_free(NULL);
	CHECK_INT(reg_platform_copy(&dst, NULL), REG_EFAIL);
	CHECK(reg_platform_format(NULL) == NULL);
}

int main(void)
{
	platform_parse_table();
	platform_rejects_with_exact_message();
	platform_from_parts_normalises();
	platform_match_table();
	platform_copy_is_deep();
	return check_finish();
}
