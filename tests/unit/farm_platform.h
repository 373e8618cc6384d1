/* farm_platform.h — the platform check the farm tests load configs with:
 * the registry module's own (reg_platform_parse + reg_platform_format), as
 * the manifold binary passes it, so the tests see the real messages. With a
 * non-NULL ctx it is as lenient as `push from-spec` (pub_spec_platform_check):
 * a variant manifold has no table for is kept as written when os and
 * architecture are known (manifest-tool's gist writes ppc64 + ppc64le). */
#ifndef MANIFOLD_TEST_FARM_PLATFORM_H
#define MANIFOLD_TEST_FARM_PLATFORM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

static int platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                          size_t why_len)
{
	struct reg_platform p = {0};
	struct base_error err;
	char *s;
	int rc = -1;

	base_error_clear(&err);
	if (reg_platform_parse(text, &p, &err) < 0) {
		const char *v = strchr(text, '/');
		v = v ? strchr(v + 1, '/') : NULL;
		char head[128];
		if (ctx && v && !strchr(text, ':') && (size_t)(v - text) < sizeof(head)) {
			snprintf(head, sizeof(head), "%.*s", (int)(v - text), text);
			reg_platform_free(&p);
			if (reg_platform_parse(head, &p, &err) == 0) {
				s = reg_platform_format(&p);
				reg_platform_free(&p);
				if (s && snprintf(norm, norm_len, "%s%s", s, v) < (int)norm_len) {
					free(s);
					return 0;
				}
				free(s);
			}
		}
		snprintf(why, why_len, "%s", err.msg);
		return -1;
	}
	s = reg_platform_format(&p);
	if (s && snprintf(norm, norm_len, "%s", s) < (int)norm_len)
		rc = 0;
	else
		snprintf(why, why_len, "\"%s\": platform too long", text);
	free(s);
	reg_platform_free(&p);
	return rc;
}

#endif
