/* out_prune.c — `manifold prune` output: one line per source tag and a
 * summary, or one JSON document. */
#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_output.h"
#include "prune.h"

void cli_prune_render_text(FILE *f, const struct pub_prune_result *r, int color)
{
	int n[PUB_PRUNE__COUNT] = {0};

	for (size_t i = 0; i < r->n_items; i++) {
		const struct pub_prune_item *it = &r->items[i];
		const char *col = it->action == PUB_PRUNE_DELETED        ? "\033[32m"
		                  : it->action == PUB_PRUNE_WOULD_DELETE ? "\033[33m"
		                  : it->action == PUB_PRUNE_FAILED       ? "\033[31m"
		                                                         : "";
		n[it->action]++;
		fprintf(f, "%s%-12s%s %s", color ? col : "", pub_prune_action_str(it->action),
		        color && col[0] ? "\033[0m" : "", it->ref);
		if (it->reason)
			fprintf(f, ": %s\n", it->reason);
		else
			fprintf(f, " %s\n", it->digest ? it->digest : "");
	}
	if (r->dry_run)
		fprintf(
		    f,
		    "%d would be deleted, %d kept (dry run: nothing deleted; --confirm deletes)\n",
		    n[PUB_PRUNE_WOULD_DELETE], n[PUB_PRUNE_KEPT] + n[PUB_PRUNE_FAILED]);
	else
		fprintf(f, "%d deleted, %d kept, %d failed\n", n[PUB_PRUNE_DELETED],
		        n[PUB_PRUNE_KEPT], n[PUB_PRUNE_FAILED]);
}

int cli_prune_render_json(FILE *f, const struct pub_prune_result *r)
{
	cJSON *root = cli_json_root(), *del, *kept, *failed;

	if (!root || !cJSON_AddBoolToObject(root, "dry_run", r->dry_run) ||
	    !(del = cJSON_AddArrayToObject(root, "deleted")) ||
	    !(kept = cJSON_AddArrayToObject(root, "kept")) ||
	    !(failed = cJSON_AddArrayToObject(root, "failed")))
		goto fail;
	for (size_t i = 0; i < r->n_items; i++) {
		const struct pub_prune_item *it = &r->items[i];
		int gone = it->action == PUB_PRUNE_DELETED || it->action == PUB_PRUNE_WOULD_DELETE;
		cJSON *o = cJSON_CreateObject();
		if (!o ||
		    !cJSON_AddItemToArray(gone                             ? del
		                          : it->action == PUB_PRUNE_FAILED ? failed
		                                                           : kept,
		                          o) ||
		    !cJSON_AddStringToObject(o, "ref", it->ref) ||
		    (it->digest && !cJSON_AddStringToObject(o, "digest", it->digest)) ||
		    (!gone && !cJSON_AddStringToObject(o, "reason", it->reason ? it->reason : "")))
			goto fail;
	}
	return cli_json_print(f, root);
fail:
	cJSON_Delete(root);
	return -1;
}
