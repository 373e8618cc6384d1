/* fuzz_farm_config.c — farm_config_parse on arbitrary bytes must not crash
 * or leak; a config that loads is also expanded (plan, retag) so those run
 * on whatever the loader accepts. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "farm.h"

/* Accepts any "os/arch..." with a lower-case copy, rejects "bad/..." so the
 * error path with a callback runs too. */
static int platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                          size_t why_len)
{
	(void)ctx;
	if (strncmp(text, "bad/", 4) == 0) {
		snprintf(why, why_len, "\"%s\" is not a known platform", text);
		return -1;
	}
	size_t i = 0;
	for (; text[i] && i + 1 < norm_len; i++)
		norm[i] =
		    (text[i] >= 'A' && text[i] <= 'Z') ? (char)(text[i] - 'A' + 'a') : text[i];
	norm[i] = '\0';
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct farm_load_options opts[2] = {{NULL, NULL}, {platform_check, NULL}};
	for (int k = 0; k < 2; k++) {
		struct farm_config *c = NULL;
		struct farm_error err;
		if (farm_config_parse("fuzz.yaml", (const char *)data, size, &opts[k], &c, &err) <
		    0)
			continue;
		struct farm_plan *p = NULL;
		if (farm_plan_expand(c, NULL, &p, &err) == 0)
			farm_plan_free(p);
		if (c->n_images && farm_plan_expand(c, c->images[0].name, &p, &err) == 0)
			farm_plan_free(p);
		struct farm_copy_plan *cp = NULL;
		if (farm_retag_expand(c, NULL, &cp, &err) == 0)
			farm_copy_plan_free(cp);
		farm_config_free(c);
	}
	return 0;
}
