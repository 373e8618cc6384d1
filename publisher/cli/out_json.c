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

int cli_list_result_json(FILE *f, const struct pub_list_result *r, int dry_run)
{
	cJSON *root = cli_json_root();

	if (!root || !cJSON_AddStringToObject(root, "digest", r->digest) ||
	    !cJSON_AddStringToObject(root, "media_type", r->media_type ? r->media_type : "") ||
	    !cJSON_AddNumberToObject(root, "size", (double)r->size) ||
	    !cJSON_AddBoolToObject(root, "changed", r->changed) ||
	    !cJSON_AddBoolToObject(root, "dry_run", dry_run)) {
		cJSON_Delete(root);
		return -1;
	}
	return cli_json_print(f, root);
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

int cli_list_result_print(const struct pub_list_result *r, int dry_run, int json,
                          const char *unchanged)
{
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
