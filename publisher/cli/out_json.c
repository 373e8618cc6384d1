/* out_json.c — what every `-o json` document shares: "schema": 1 first,
 * snake_case states, 2-space indentation; and the result of one list write
 * (push, append, annotate). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_output.h"
#include "inspect.h"
#include "lists.h"

struct cJSON *cli_json_root(void)
{
	cJSON *root = cJSON_CreateObject();
	if (root && !cJSON_AddNumberToObject(root, "schema", 1)) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int cli_json_print(FILE *f, struct cJSON *root)
{
	/* With --log-format json every stdout line is one JSON object too. */
	char *text = !root            ? NULL
	             : cli_log_json() ? cJSON_PrintUnformatted(root)
	                              : cJSON_Print(root);
	int rc = -1;

	if (text && fprintf(f, "%s\n", text) > 0)
		rc = 0;
	free(text);
	cJSON_Delete(root);
	return rc;
}

const char *cli_json_state(const char *state, char *buf, size_t len)
{
	size_t i = 0;
	for (; state[i] && i + 1 < len; i++)
		buf[i] = state[i] == ' ' || state[i] == '-' ? '_' : state[i];
	buf[i] = '\0';
	return buf;
}

/* {"tag", "why": "shrink", "would_drop": [...], "reason"} or {"tag", "why":
 * "not_manifolds", "digest", "media_type", "reason"}. */
static int held_json(cJSON *arr, const struct pub_list_held *h)
{
	cJSON *o = cJSON_CreateObject(), *drops;

	if (!o || !cJSON_AddItemToArray(arr, o) || !cJSON_AddStringToObject(o, "tag", h->tag))
		return -1;
	if (h->why == PUB_HELD_SHRINK) {
		if (!cJSON_AddStringToObject(o, "why", "shrink") ||
		    !(drops = cJSON_AddArrayToObject(o, "would_drop")))
			return -1;
		for (size_t i = 0; i < h->n_drops; i++)
			if (!cJSON_AddItemToArray(drops, cJSON_CreateString(h->drops[i])))
				return -1;
	} else if (!cJSON_AddStringToObject(o, "why", "not_manifolds") ||
	           !cJSON_AddStringToObject(o, "digest", h->digest) ||
	           !cJSON_AddStringToObject(o, "media_type", h->media_type)) {
		return -1;
	}
	return cJSON_AddStringToObject(o, "reason", h->reason ? h->reason : "") ? 0 : -1;
}

int cli_list_result_json(FILE *f, const struct pub_list_result *r, int dry_run)
{
	cJSON *root = cli_json_root(), *held;

	if (!root || !cJSON_AddStringToObject(root, "digest", r->digest) ||
	    !cJSON_AddStringToObject(root, "media_type", r->media_type ? r->media_type : "") ||
	    !cJSON_AddNumberToObject(root, "size", (double)r->size) ||
	    !cJSON_AddBoolToObject(root, "changed", r->changed) ||
	    !cJSON_AddBoolToObject(root, "dry_run", dry_run) ||
	    !(held = cJSON_AddArrayToObject(root, "held")))
		goto fail;
	for (size_t i = 0; i < r->n_held; i++)
		if (held_json(held, &r->held[i]) < 0)
			goto fail;
	return cli_json_print(f, root);
fail:
	cJSON_Delete(root);
	return -1;
}

int cli_delete_result_json(FILE *f, const struct pub_delete_result *r, int dry_run)
{
	cJSON *root = cli_json_root(), *tags;

	if (!root || !cJSON_AddStringToObject(root, "digest", r->digest) ||
	    !cJSON_AddStringToObject(root, "media_type", r->media_type) ||
	    !cJSON_AddBoolToObject(root, "deleted", !dry_run) ||
	    !cJSON_AddBoolToObject(root, "dry_run", dry_run) ||
	    !(tags = cJSON_AddArrayToObject(root, "other_tags")))
		goto fail;
	for (size_t i = 0; i < r->n_other_tags; i++)
		if (!cJSON_AddItemToArray(tags, cJSON_CreateString(r->other_tags[i])))
			goto fail;
	return cli_json_print(f, root);
fail:
	cJSON_Delete(root);
	return -1;
}

int cli_list_result_print(const char *who, const struct pub_list_result *r, int dry_run, int json,
                          const char *unchanged)
{
	if (r->n_held) {
		/* each tag that blocks, then the verdict; no "Digest:" line, so a
		 * script that reads one does not take the list as pushed */
		for (size_t i = 0; i < r->n_held; i++)
			cli_log_line(who, PUB_LOG_ERROR, r->held[i].reason);
		cli_log_line(who, PUB_LOG_ERROR, "held: nothing written");
		if (json && cli_list_result_json(stdout, r, dry_run) < 0)
			return -1;
		return 1;
	}
	if (dry_run)
		pub_log(PUB_LOG_INFO, "dry run: nothing written");
	else if (!r->changed)
		pub_log(PUB_LOG_INFO, "unchanged: %s", unchanged);
	if (json)
		return cli_list_result_json(stdout, r, dry_run);
	printf("Digest: %s %zu\n", r->digest, r->size);
	return 0;
}

int cli_inspect_render_json(FILE *f, const struct pub_inspect *in)
{
	return cli_json_print(f, pub_inspect_json(in));
}
