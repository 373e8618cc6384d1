/* out_retag.c — `manifold retag` output: one line per copy and a summary,
 * or one JSON document. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_output.h"
#include "retag.h"

/* ---- output ------------------------------------------------------------ */

void cli_retag_render_text(FILE *f, const struct pub_copy_result *r, size_t n, int color)
{
	struct pub_copy_counts cnt;

	for (size_t i = 0; i < n; i++) {
		const char *col = "";
		switch (r[i].state) {
		case PUB_COPY_COPIED:
			col = "\033[32m";
			break;
		case PUB_COPY_FAILED:
			col = "\033[31m";
			break;
		case PUB_COPY_WOULD_COPY:
		case PUB_COPY_HELD:
		case PUB_COPY_REFUSED:
			col = "\033[33m";
			break;
		default:
			break;
		}
		fprintf(f, "%s%-10s%s %s -> %s", color ? col : "", pub_copy_state_str(r[i].state),
		        color && col[0] ? "\033[0m" : "", r[i].from, r[i].to);
		if (r[i].reason)
			fprintf(f, ": %s\n", r[i].reason);
		else if (r[i].state == PUB_COPY_FAILED)
			fprintf(f, ": failed\n");
		else
			fprintf(f, " %s\n", r[i].digest);
	}
	pub_copy_count(r, n, &cnt);
	if (cnt.would_copy)
		fprintf(f, "%d would copy, %d unchanged, %d failed", cnt.would_copy, cnt.unchanged,
		        cnt.failed);
	else
		fprintf(f, "%d copied, %d unchanged, %d failed", cnt.copied, cnt.unchanged,
		        cnt.failed);
	if (cnt.held || cnt.refused)
		fprintf(f, ", %d held, %d refused", cnt.held, cnt.refused);
	fprintf(f, "%s\n", cnt.would_copy ? " (dry run: nothing written)" : "");
}

static int add_num(cJSON *o, const char *k, double v)
{
	return cJSON_AddNumberToObject(o, k, v) ? 0 : -1;
}

int cli_retag_render_json(FILE *f, const struct pub_copy_result *r, size_t n)
{
	struct pub_copy_counts cnt;
	cJSON *root = cli_json_root(), *arr, *sum;
	char st[32];

	if (!root || !(arr = cJSON_AddArrayToObject(root, "copies")))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *b;
		if (!o || !cJSON_AddItemToArray(arr, o))
			goto fail;
		if (!cJSON_AddStringToObject(o, "from", r[i].from) ||
		    !cJSON_AddStringToObject(o, "to", r[i].to) ||
		    (r[i].platform && !cJSON_AddStringToObject(o, "platform", r[i].platform)) ||
		    !cJSON_AddStringToObject(
		        o, "state",
		        cli_json_state(pub_copy_state_str(r[i].state), st, sizeof(st))) ||
		    (r[i].digest[0] && !cJSON_AddStringToObject(o, "digest", r[i].digest)) ||
		    (r[i].media_type &&
		     !cJSON_AddStringToObject(o, "media_type", r[i].media_type)) ||
		    (r[i].size >= 0 && add_num(o, "size", (double)r[i].size) < 0) ||
		    (r[i].reason && !cJSON_AddStringToObject(o, "reason", r[i].reason)))
			goto fail;
		if (!(b = cJSON_AddObjectToObject(o, "moved")) ||
		    add_num(b, "blobs_present", (double)r[i].stats.blobs_present) < 0 ||
		    add_num(b, "blobs_mounted", (double)r[i].stats.blobs_mounted) < 0 ||
		    add_num(b, "blobs_copied", (double)r[i].stats.blobs_copied) < 0 ||
		    add_num(b, "manifests_present", (double)r[i].stats.manifests_present) < 0 ||
		    add_num(b, "manifests_put", (double)r[i].stats.manifests_put) < 0 ||
		    add_num(b, "bytes_copied", (double)r[i].stats.bytes_copied) < 0)
			goto fail;
	}
	pub_copy_count(r, n, &cnt);
	if (!(sum = cJSON_AddObjectToObject(root, "summary")) ||
	    add_num(sum, "copied", cnt.copied) < 0 ||
	    add_num(sum, "unchanged", cnt.unchanged) < 0 ||
	    add_num(sum, "would_copy", cnt.would_copy) < 0 ||
	    add_num(sum, "failed", cnt.failed) < 0 || add_num(sum, "held", cnt.held) < 0 ||
	    add_num(sum, "refused", cnt.refused) < 0)
		goto fail;
	return cli_json_print(f, root);
fail:
	cJSON_Delete(root);
	return -1;
}
