/* values.c — option values checked before the engine takes them:
 * --annotation KEY=VALUE lists. */
#include <stdio.h>

#include "cli.h"
#include "lists.h"

int cli_annotations(const char *who, const struct cli_strv *kv)
{
	struct base_error err = {0};
	for (size_t i = 0; i < kv->n; i++) {
		if (pub_annotation_check(kv->v[i], &err) < 0) {
			cli_error(who, "%s", err.msg);
			return -1;
		}
	}
	return 0;
}
