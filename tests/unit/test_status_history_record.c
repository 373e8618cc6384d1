/* test_status_history_record.c — a changed record read straight from its
 * bytes (history_record.c) gives the encoding the full parse gives, byte
 * for byte, on every record it takes (members in any order, null, empty
 * strings, optional and digest-less platforms, sizes); every record in
 * another form (an escape, a control byte, a member twice, an unknown
 * member, extra tags, a number that is not a plain size, foreign null, a
 * bad state, a missing target, trailing bytes) is left to the full parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "history_internal.h"

/* The full parse's encoding of record r (one target), or NULL when the
 * full parse rejects it. */
static struct henc *full(const char *r)
{
	struct status_status *st = NULL;
	struct base_error err;
	struct henc *e = NULL;
	char *doc = NULL;

	memset(&err, 0, sizeof(err));
	assert_true(asprintf(&doc, "{\"schema\": 1, \"targets\": [\n%s]}", r) > 0);
	if (status_parse("t", doc, strlen(doc), &st, &err) == 0) {
		assert_int_equal(st->n_targets, 1);
		e = status_enc_new(&st->targets[0]);
		assert_non_null(e);
	}
	status_free(st);
	free(doc);
	return e;
}

static const char *const TAKEN[] = {
    /* the serialiser's form */
    "    {\n      \"target\": \"r/a:v1\",\n      \"state\": \"incomplete\",\n"
    "      \"digest\": \"sha256:aa\",\n      \"since\": \"2027-09-30T03:01:00Z\",\n"
    "      \"reason\": \"missing linux/ppc64le\",\n      \"platforms\": [\n        {\n"
    "          \"platform\": \"linux/amd64\",\n          \"source\": \"r/a-amd64:v1\",\n"
    "          \"state\": \"ready\",\n          \"digest\": \"sha256:bb\",\n"
    "          \"media_type\": \"application/vnd.oci.image.manifest.v1+json\",\n"
    "          \"size\": 439,\n          \"verified\": true\n        },\n        {\n"
    "          \"platform\": \"linux/ppc64le\",\n          \"source\": \"r/a-ppc64le:v1\",\n"
    "          \"state\": \"missing\",\n          \"optional\": true\n        }\n      ]\n    }",
    /* members in another order, null, empty strings, no platforms */
    "{\"state\":\"published\",\"platforms\":null,\"target\":\"r/b:v2\",\"digest\":null}",
    "{\"target\":\"\",\"state\":\"failed\",\"platforms\":[]}",
    "{\"target\":\"r/c:v3\",\"state\":\"held\",\"foreign\":false,\"unconfirmed\":null,"
    "\"published_at\":\"x\",\"signed_by\":\"k\",\"media_type\":\"m\"}",
    "{\"target\":\"r/d:v4\",\"state\":\"unchanged\",\"foreign\":true,\"unconfirmed\":true,"
    "\"platforms\":[{\"state\":\"ready\",\"platform\":\"\",\"size\":0,\"digest\":\"\","
    "\"optional\":false,\"child_missing\":true,\"verified\":null,\"reason\":null,"
    "\"signed_by\":\"s\"},{\"platform\":\"p\",\"state\":\"missing\",\"size\":null,"
    "\"optional\":null}]}",
    " \t\r\n{ \"target\" : \"r/e:v5\" , \"state\" : \"published\" } \n",
    "{\"target\":\"r/\xc3\xa9:v6\",\"state\":\"published\"}",
};

static const char *const LEFT[] = {
    "{\"target\":\"r/a\\u0041:v1\",\"state\":\"published\"}", /* escape */
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"reason\":\"a\\\"b\"}",
    "{\"target\":\"r/a\tx:v1\",\"state\":\"published\"}",                    /* control byte */
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"target\":\"r/b:v1\"}", /* twice */
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"colour\":\"red\"}",    /* unknown */
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"extra_tags\":[]}",
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"extra_digests\":null}",
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"foreign\":null}", /* an error */
    "{\"target\":\"r/a:v1\",\"state\":\"shiny\"}",                      /* an error */
    "{\"target\":null,\"state\":\"published\"}",                        /* an error */
    "{\"state\":\"published\"}",                                        /* an error */
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"digest\":1}",     /* an error */
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"platforms\":[{\"platform\":\"p\","
    "\"state\":\"ready\",\"size\":1.5}]}",
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"platforms\":[{\"platform\":\"p\","
    "\"state\":\"ready\",\"size\":007}]}",
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"platforms\":[{\"platform\":\"p\","
    "\"state\":\"ready\",\"size\":-1}]}",
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"platforms\":[{\"platform\":\"p\","
    "\"state\":\"ready\",\"arch\":\"x\"}]}",
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"platforms\":[{\"state\":\"ready\"}]}",
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"platforms\":[\"p\"]}",
    "{\"target\":\"r/a:v1\",\"state\":\"published\",\"platforms\":{}}",
    "{\"target\":\"r/a:v1\",\"state\":\"published\"} x",
    "{\"target\":\"r/a:v1\",\"state\":\"published\",}",
    "{\"target\":\"r/a:v1\" \"state\":\"published\"}",
    "[\"target\"]",
    "",
};

static void record_read_is_the_full_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < UNIT_COUNT(TAKEN); i++) {
		struct henc *want = full(TAKEN[i]), *got = NULL;
		char what[32];
		snprintf(what, sizeof(what), "taken[%zu]", i);
		if (!want)
			unit_fail_at(__FILE__, __LINE__, "%s: the full parse rejects it", what);
		if (status_enc_read(TAKEN[i], strlen(TAKEN[i]), &got) != 1)
			unit_fail_at(__FILE__, __LINE__, "%s: not read directly", what);
		assert_int_equal(got->len, want->len);
		assert_memory_equal(got->p, want->p, want->len);
		assert_true(status_sum_target_valid(got->p, got->len));
		status_enc_unref(got);
		status_enc_unref(want);
	}
}

static void record_in_another_form_is_left_to_the_full_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < UNIT_COUNT(LEFT); i++) {
		struct henc *got = (struct henc *)1;
		if (status_enc_read(LEFT[i], strlen(LEFT[i]), &got) != 0 || got)
			unit_fail_at(__FILE__, __LINE__, "left[%zu] read directly: %s", i, LEFT[i]);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(record_read_is_the_full_parse),
	    cmocka_unit_test(record_in_another_form_is_left_to_the_full_parse),
	};
	return unit_run_group("test_status_history_record", tests, argc, argv);
}
