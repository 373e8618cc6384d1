/* fuzz_farm_template.c — reference templates: with every variable set a
 * template either expands to text with no brace left or is refused with a
 * reason; one without per-platform tokens expands the same with no platform,
 * one with them is refused without a platform. */
#include <stdlib.h>
#include <string.h>

#include "farm.h"
#include "helpers.h"

static const struct farm_vars all = {
    "registry.example.com:5000", "app", "v1.2", "linux", "arm64", "v8"};
static const struct farm_vars no_platform = {
    "registry.example.com:5000", "app", "v1.2", NULL, NULL, NULL};
static const struct farm_vars no_variant = {
    "registry.example.com:5000", "app", "v1.2", "linux", "amd64", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct farm_error err;
	char *tmpl = fuzz_cstr(data, size);

	if (!tmpl)
		return 0;
	err.msg[0] = '\0';
	char *full = farm_template_expand(tmpl, &all, &err);
	char *plain = farm_template_expand(tmpl, &no_platform, &err);
	char *empty = farm_template_expand(tmpl, &no_variant, &err);
	int per = farm_template_is_per_platform(tmpl);

	if (!full) {
		if (!err.msg[0] || plain || empty || per)
			fuzz_fail("a refused template expands elsewhere, or says nothing");
	} else {
		if (strpbrk(full, "{}") || !empty || strpbrk(empty, "{}"))
			fuzz_fail("a brace survived expansion");
		if (per && plain)
			fuzz_fail("a per-platform template expanded without a platform");
		if (!per && (!plain || strcmp(plain, full) != 0 || strcmp(empty, full) != 0))
			fuzz_fail("a template without platform tokens depends on the platform");
	}
	free(empty);
	free(plain);
	free(full);
	free(tmpl);
	return 0;
}
