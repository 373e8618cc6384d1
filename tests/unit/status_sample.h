/* status_sample.h — the status file the status tests start from: its
 * exact serialised bytes (targets sorted) and the same records built out of
 * order, for test_status_file.c and test_status_next.c. */
#ifndef MANIFOLD_STATUS_SAMPLE_H
#define MANIFOLD_STATUS_SAMPLE_H

#include <stdlib.h>
#include <string.h>

#include "status_file.h"

#define SAMPLE_OCI_INDEX    "application/vnd.oci.image.index.v1+json"
#define SAMPLE_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"

static const char status_sample_json[] __attribute__((unused)) =
    "{\n"
    "  \"schema\": 1,\n"
    "  \"config\": \"configs/release.yaml\",\n"
    "  \"last_run\": {\n"
    "    \"started\": \"2026-11-22T03:00:00Z\",\n"
    "    \"finished\": \"2026-11-22T03:00:09Z\",\n"
    "    \"published\": 1,\n"
    "    \"unchanged\": 0,\n"
    "    \"incomplete\": 1,\n"
    "    \"failed\": 0\n"
    "  },\n"
    "  \"targets\": [\n"
    "    {\n"
    "      \"target\": \"reg.example/app:v1\",\n"
    "      \"state\": \"published\",\n"
    "      \"digest\": \"sha256:aa\",\n"
    "      \"media_type\": \"application/vnd.oci.image.index.v1+json\",\n"
    "      \"since\": \"2026-11-22T03:00:05Z\",\n"
    "      \"platforms\": [\n"
    "        {\n"
    "          \"platform\": \"linux/amd64\",\n"
    "          \"source\": \"reg.example/app-amd64:v1\",\n"
    "          \"state\": \"ready\",\n"
    "          \"digest\": \"sha256:bb\",\n"
    "          \"media_type\": \"application/vnd.oci.image.manifest.v1+json\",\n"
    "          \"size\": 525,\n"
    "          \"verified\": true\n"
    "        }\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"target\": \"reg.example/pause:3.10\",\n"
    "      \"state\": \"incomplete\",\n"
    "      \"since\": \"2026-11-21T03:00:00Z\",\n"
    "      \"reason\": \"missing linux/s390x \\\"q\\\"\\n\",\n"
    "      \"platforms\": [\n"
    "        {\n"
    "          \"platform\": \"linux/s390x\",\n"
    "          \"source\": \"reg.example/pause-s390x:3.10\",\n"
    "          \"state\": \"missing\"\n"
    "        }\n"
    "      ]\n"
    "    }\n"
    "  ]\n"
    "}\n";

/* Built out of order on purpose: serialisation sorts by target. */
static inline struct status_status *status_sample(void)
{
	struct status_status *st = calloc(1, sizeof(*st));
	struct status_target_status *t;

	st->schema = 1;
	st->config = strdup("configs/release.yaml");
	st->last_run.started = strdup("2026-11-22T03:00:00Z");
	st->last_run.finished = strdup("2026-11-22T03:00:09Z");
	st->last_run.published = 1;
	st->last_run.incomplete = 1;
	st->n_targets = 2;
	st->targets = calloc(2, sizeof(*st->targets));

	t = &st->targets[0];
	t->target = strdup("reg.example/pause:3.10");
	t->state = STATUS_T_INCOMPLETE;
	t->since = strdup("2026-11-21T03:00:00Z");
	t->reason = strdup("missing linux/s390x \"q\"\n");
	t->n_platforms = 1;
	t->platforms = calloc(1, sizeof(*t->platforms));
	t->platforms[0].platform = strdup("linux/s390x");
	t->platforms[0].source = strdup("reg.example/pause-s390x:3.10");
	t->platforms[0].state = STATUS_P_MISSING;
	t->platforms[0].size = -1;

	t = &st->targets[1];
	t->target = strdup("reg.example/app:v1");
	t->state = STATUS_T_PUBLISHED;
	t->digest = strdup("sha256:aa");
	t->media_type = strdup(SAMPLE_OCI_INDEX);
	t->since = strdup("2026-11-22T03:00:05Z");
	t->n_platforms = 1;
	t->platforms = calloc(1, sizeof(*t->platforms));
	t->platforms[0].platform = strdup("linux/amd64");
	t->platforms[0].source = strdup("reg.example/app-amd64:v1");
	t->platforms[0].state = STATUS_P_READY;
	t->platforms[0].digest = strdup("sha256:bb");
	t->platforms[0].media_type = strdup(SAMPLE_OCI_MANIFEST);
	t->platforms[0].size = 525;
	t->platforms[0].verified = 1;
	return st;
}

/* status_sample_json as the reader reads it, or NULL. */
static struct status_status *status_sample_read(void) __attribute__((unused));
static struct status_status *status_sample_read(void)
{
	struct status_status *st = NULL;
	struct base_error err;

	base_error_clear(&err);
	if (status_parse("s.json", status_sample_json, strlen(status_sample_json), &st, &err) < 0)
		return NULL;
	return st;
}

#endif
