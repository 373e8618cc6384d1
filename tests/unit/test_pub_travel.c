/* test_pub_travel.c — what travels with a child: the attestations a buildx
 * index holds for exactly that image, their list entries (after the
 * images, unknown/unknown, the source's annotations, an OCI index), none
 * in a Docker list; and the referrers tag names. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "engine.h"
#include "job_internal.h"

#define DA "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DB "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DC "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define DD "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define MT "application/vnd.oci.image.manifest.v1+json"

/* buildx output for two platforms: images A and B, then the attestation
 * of B (C) and of A (D). */
static const char buildx_index[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
    "\"manifests\":["
    "{\"mediaType\":\"" MT "\",\"digest\":\"" DA "\",\"size\":10,"
    "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
    "{\"mediaType\":\"" MT "\",\"digest\":\"" DB "\",\"size\":11,"
    "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
    "{\"mediaType\":\"" MT "\",\"digest\":\"" DC "\",\"size\":12,"
    "\"annotations\":{\"vnd.docker.reference.digest\":\"" DB "\","
    "\"vnd.docker.reference.type\":\"attestation-manifest\"},"
    "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}},"
    "{\"mediaType\":\"" MT "\",\"digest\":\"" DD "\",\"size\":13,"
    "\"annotations\":{\"vnd.docker.reference.digest\":\"" DA "\","
    "\"vnd.docker.reference.type\":\"attestation-manifest\"},"
    "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}";

static const struct reg_platform amd64 = {.os = "linux", .architecture = "amd64"};

/* A child resolved from buildx_index to image `digest`. */
static void child_from_index(struct pub_child *c, const char *digest)
{
	struct base_error err;

	memset(c, 0, sizeof(*c));
	base_error_clear(&err);
	assert_int_equal(reg_manifest_parse((const uint8_t *)buildx_index, strlen(buildx_index),
	                                    NULL, &c->source_list, &err),
	                 0);
	c->manifest.digest = (char *)digest;
	c->manifest.media_type = (char *)MT;
	c->state = PUB_P_READY;
	assert_int_equal(pub_travel_collect(c, &err), 0);
}

static void child_done(struct pub_child *c)
{
	reg_manifest_free(&c->source_list);
	free(c->attestations);
}

static void travel_collect_takes_only_the_attestation_of_its_image(void **state)
{
	(void)state;
	struct pub_child c;

	child_from_index(&c, DA);
	assert_int_equal(c.n_attestations, 1);
	assert_string_equal(c.source_list.entries[c.attestations[0]].digest, DD);
	child_done(&c);
}

/* The child's own entry, then what pub_travel_entries adds for format;
 * *n entries in all (the caller frees the array). */
static struct reg_list_entry *entries_for(const struct pub_child *c, enum reg_list_format format,
                                          size_t *n)
{
	struct reg_list_entry *entries = calloc(1, sizeof(*entries));
	struct base_error err;

	base_error_clear(&err);
	assert_non_null(entries);
	entries[0] = (struct reg_list_entry){MT, c->manifest.digest, 10, &amd64, NULL, 0};
	*n = 1;
	assert_int_equal(pub_travel_entries(c, 1, format, &entries, n, &err), 0);
	return entries;
}

static void travel_entries_follow_the_images_in_an_oci_index(void **state)
{
	(void)state;
	struct pub_child c;
	struct reg_list_entry *entries;
	size_t n;
	struct base_buf bytes = {0};
	struct reg_manifest list = {0};
	struct base_error err;
	const char *mt = NULL;

	base_error_clear(&err);
	child_from_index(&c, DA);
	entries = entries_for(&c, REG_LIST_AUTO, &n);
	assert_int_equal(n, 2);
	assert_int_equal(reg_list_build(REG_LIST_AUTO, entries, n, NULL, 0, &bytes, &mt, &err), 0);
	assert_string_equal(mt, REG_MT_OCI_INDEX);
	assert_int_equal(reg_manifest_parse(bytes.data, bytes.len, mt, &list, &err), 0);
	assert_int_equal(list.n_entries, 2);
	assert_string_equal(list.entries[0].digest, DA);
	assert_string_equal(list.entries[1].digest, DD);
	assert_int_equal(list.entries[1].size, 13);
	assert_string_equal(list.entries[1].platform.os, "unknown");
	assert_string_equal(list.entries[1].platform.architecture, "unknown");
	assert_int_equal(list.entries[1].n_annotations, 2);
	assert_string_equal(list.entries[1].annotations[0].key, "vnd.docker.reference.digest");
	assert_string_equal(list.entries[1].annotations[0].value, DA);
	assert_string_equal(list.entries[1].annotations[1].key, "vnd.docker.reference.type");
	assert_string_equal(list.entries[1].annotations[1].value, "attestation-manifest");
	assert_true(reg_descriptor_is_attestation(&list.entries[1]));
	reg_manifest_free(&list);
	base_buf_free(&bytes);
	free(entries);
	child_done(&c);
}

static void travel_entries_add_nothing_to_a_docker_list(void **state)
{
	(void)state;
	struct pub_child c;
	size_t n;

	child_from_index(&c, DB);
	free(entries_for(&c, REG_LIST_DOCKER, &n));
	assert_int_equal(n, 1);
	child_done(&c);
}

static void referrers_tags_are_the_schema_and_cosign_names(void **state)
{
	(void)state;
	char buf[REG_DIGEST_MAX + 16];

	assert_int_equal(reg_referrers_tag(DA, NULL, buf, sizeof(buf)), 0);
	assert_string_equal(
	    buf, "sha256-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(reg_referrers_tag(DA, ".sig", buf, sizeof(buf)), 0);
	assert_string_equal(
	    buf, "sha256-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sig");
	assert_int_equal(reg_referrers_tag("sha512:ab", ".sig", buf, sizeof(buf)), -1);
	assert_int_equal(reg_referrers_tag(DA, ".sbom", buf, 20), -1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(travel_collect_takes_only_the_attestation_of_its_image),
	    cmocka_unit_test(travel_entries_follow_the_images_in_an_oci_index),
	    cmocka_unit_test(travel_entries_add_nothing_to_a_docker_list),
	    cmocka_unit_test(referrers_tags_are_the_schema_and_cosign_names),
	};
	return unit_run_group("test_pub_travel", tests, argc, argv);
}
