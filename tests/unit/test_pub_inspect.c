/* test_pub_inspect.c — `manifold inspect --file`: manifest files rendered
 * exactly, and the 2015 combined manifest explained as today's OCI index
 * (child digests computed independently of the code under test). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "unit.h"
#include "cli.h"

static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	const char *dir = getenv("MANIFOLD_TESTDATA");
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/inspect/%s", dir ? dir : "tests/data", name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Load fixture `name` with --platform `want` (may be NULL); 0 on success. */
static int load(const char *name, const char *want, struct pub_inspect *in, struct base_error *e)
{
	size_t len = 0;
	char *data = slurp(name, &len);
	struct reg_platform p = {0};
	int rc;

	base_error_clear(e);
	memset(in, 0, sizeof(*in));
	if (!data)
		return -100;
	if (want && reg_platform_parse(want, &p, e) < 0) {
		free(data);
		return -101;
	}
	rc = pub_inspect_file(name, (const uint8_t *)data, len, want ? &p : NULL, in, e);
	reg_platform_free(&p);
	free(data);
	return rc;
}

static char *render(const struct pub_inspect *in, int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	if (json)
		pub_inspect_render_json(f, in);
	else
		pub_inspect_render_text(f, in);
	fclose(f);
	return buf;
}

/* load() that must succeed */
static void load_ok(const char *name, const char *want, struct pub_inspect *in)
{
	struct base_error e;
	assert_int_equal(load(name, want, in, &e), 0);
	assert_string_equal(e.msg, "");
}

static void check_text(const struct pub_inspect *in, const char *expected_file)
{
	size_t len;
	char *want = slurp(expected_file, &len), *got = render(in, 0);
	assert_str_or_null_equal(got, want);
	free(want);
	free(got);
}

static const char *platform_str(const struct reg_descriptor *d, char *buf, size_t n)
{
	char *p = reg_platform_format(&d->platform);
	snprintf(buf, n, "%s", p ? p : "");
	free(p);
	return buf;
}

/* The explainer's children, byte for byte as a separate implementation
 * (Python, when the fixture was made) laid them out. */
static void combined_becomes_oci_index_of_children(void **state)
{
	(void)state;
	struct pub_inspect in;
	char pbuf[128];

	load_ok("combined-distinct.json", NULL, &in);
	assert_int_equal(in.combined, 1);
	assert_string_equal(in.m.media_type, REG_MT_OCI_INDEX);
	assert_int_equal(in.m.n_entries, 3);
	assert_int_equal(in.n_children, 3);
	assert_string_equal(platform_str(&in.m.entries[0], pbuf, sizeof(pbuf)), "linux/amd64");
	assert_string_equal(
	    in.m.entries[0].digest,
	    "sha256:12ee484a5a02d06464f20cd97ec7d98788f6017e2d0f2094556dbc34678e0b6a");
	assert_int_equal(in.m.entries[0].size, 696);
	assert_string_equal(platform_str(&in.m.entries[1], pbuf, sizeof(pbuf)), "linux/arm");
	assert_string_equal(
	    in.m.entries[1].digest,
	    "sha256:e4cc7cd67d84cdcfb7873b3b28392873c1a70c52562e9bf70d5f75d510da4b5c");
	assert_int_equal(in.m.entries[1].size, 501);
	assert_string_equal(platform_str(&in.m.entries[2], pbuf, sizeof(pbuf)), "windows/amd64");
	assert_string_equal(
	    in.m.entries[2].digest,
	    "sha256:c51e87574da78d400ed7ca6e7d991ea4716677516090244b76a081dc0d1eee58");
	assert_int_equal(in.m.entries[2].size, 700);
	pub_inspect_free(&in);
}

static void combined_children_are_oci_images(void **state)
{
	(void)state;
	struct pub_inspect in;

	load_ok("combined-distinct.json", NULL, &in);
	assert_int_equal(in.n_children, 3);
	assert_int_equal(in.children[0].fetched, 1);
	assert_int_equal(in.children[0].manifest.n_layers, 2);
	assert_string_equal(in.children[0].manifest.config.media_type, REG_MT_OCI_CONFIG);
	assert_string_equal(in.children[2].manifest.layers[0].media_type,
	                    "application/vnd.oci.image.layer.v1.tar");
	assert_int_equal(in.children[2].manifest.layers[0].size, 102661372);
	pub_inspect_free(&in);
}

static void combined_labels_become_annotations(void **state)
{
	(void)state;
	struct pub_inspect in;

	/* under their OCI names where one exists */
	load_ok("combined-distinct.json", NULL, &in);
	assert_int_equal(in.m.n_annotations, 3);
	assert_string_equal(in.combined_target.media_type, REG_MT_DOCKER_CONFIG);
	assert_int_equal(in.combined_target.size, 1469);
	pub_inspect_free(&in);
}

static void combined_renders_text_exactly(void **state)
{
	(void)state;
	struct pub_inspect in;

	load_ok("combined-distinct.json", NULL, &in);
	check_text(&in, "combined-distinct.txt");
	pub_inspect_free(&in);
}

static void combined_2015_form_has_six_platforms(void **state)
{
	(void)state;
	static const char *const want[] = {"linux/amd64",   "linux/arm",   "linux/ppc64le",
	                                   "windows/amd64", "windows/arm", "windows/ppc64le"};
	struct pub_inspect in;
	char pbuf[128];

	load_ok("combined-2015.json", NULL, &in);
	assert_int_equal(in.m.n_entries, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(platform_str(&in.m.entries[i], pbuf, sizeof(pbuf)), want[i]);
		assert_int_equal(in.children[i].manifest.n_layers, 2);
	}
	pub_inspect_free(&in);
}

static void combined_2015_form_labels_become_created_and_version(void **state)
{
	(void)state;
	struct pub_inspect in;

	load_ok("combined-2015.json", NULL, &in);
	assert_int_equal(in.m.n_annotations, 2);
	assert_string_equal(in.m.annotations[0].key, "org.opencontainers.image.created");
	assert_string_equal(in.m.annotations[0].value, "2015-06-16T16:29:07.952493971-07:00");
	assert_string_equal(in.m.annotations[1].key, "org.opencontainers.image.version");
	assert_string_equal(in.m.annotations[1].value, "3.1.4-a159+265");
	pub_inspect_free(&in);
}

static void combined_2015_form_renders_text_exactly(void **state)
{
	(void)state;
	struct pub_inspect in;

	load_ok("combined-2015.json", NULL, &in);
	check_text(&in, "combined-2015.txt");
	pub_inspect_free(&in);
}

static void platform_picks_one_entry_of_explained_index(void **state)
{
	(void)state;
	struct pub_inspect in;
	struct base_error e;

	assert_int_equal(load("combined-2015.json", "windows/ppc64le", &in, &e), 0);
	assert_int_equal(in.picked, 5);
	assert_int_equal(in.n_children, 1);
	pub_inspect_free(&in);
}

static void docker_list_renders_text_exactly(void **state)
{
	(void)state;
	struct pub_inspect in;
	struct base_error e;

	assert_int_equal(load("docker-list.json", NULL, &in, &e), 0);
	assert_int_equal(in.combined, 0);
	assert_int_equal(in.n_children, 4);
	check_text(&in, "docker-list.txt");
	pub_inspect_free(&in);
}

static void docker_list_json_shows_every_platform_field(void **state)
{
	(void)state;
	struct pub_inspect in;
	struct base_error e;
	char *json;
	cJSON *j, *m;

	assert_int_equal(load("docker-list.json", NULL, &in, &e), 0);
	json = render(&in, 1);
	j = cJSON_Parse(json);
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "manifests"), 2);
	assert_str_or_null_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "media_type")),
	                         REG_MT_DOCKER_LIST);
	assert_str_or_null_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
	                             cJSON_GetObjectItem(m, "platform"), "os_version")),
	                         "10.0.17763.6659");
	assert_str_or_null_equal(
	    cJSON_GetStringValue(cJSON_GetArrayItem(
	        cJSON_GetObjectItem(cJSON_GetObjectItem(m, "platform"), "os_features"), 0)),
	    "win32k");
	assert_int_equal((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(m, "size")), 1161);
	cJSON_Delete(j);
	free(json);
	pub_inspect_free(&in);
}

static void oci_index_renders_text_exactly(void **state)
{
	(void)state;
	struct pub_inspect in;
	struct base_error e;

	assert_int_equal(load("oci-index-annotations.json", NULL, &in, &e), 0);
	check_text(&in, "oci-index-annotations.txt");
	pub_inspect_free(&in);
}

static void oci_index_json_shows_annotations_and_marks_attestation(void **state)
{
	(void)state;
	struct pub_inspect in;
	struct base_error e;
	char *json;
	cJSON *j, *arr;

	assert_int_equal(load("oci-index-annotations.json", NULL, &in, &e), 0);
	json = render(&in, 1);
	j = cJSON_Parse(json);
	assert_str_or_null_equal(
	    cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "annotations"),
	                                             "org.opencontainers.image.source")),
	    "https://example.com/app");
	arr = cJSON_GetObjectItem(j, "manifests");
	assert_int_equal(cJSON_GetArraySize(arr), 3);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "attestation")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 2), "attestation")));
	assert_str_or_null_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
	                             cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "annotations"),
	                             "org.opencontainers.image.base.name")),
	                         "docker.io/library/alpine:3.20");
	cJSON_Delete(j);
	free(json);
	pub_inspect_free(&in);
}

static void platform_arm_without_variant_picks_arm_v7(void **state)
{
	(void)state;
	struct pub_inspect in;
	struct base_error e;

	/* containerd's rule */
	assert_int_equal(load("oci-index-annotations.json", "linux/arm", &in, &e), 0);
	assert_int_equal(in.picked, 1);
	pub_inspect_free(&in);
}

static void platform_without_entry_is_not_found(void **state)
{
	(void)state;
	struct pub_inspect in;
	struct base_error e;

	assert_int_equal(load("oci-index-annotations.json", "linux/s390x", &in, &e),
	                 BASE_ENOTFOUND);
	assert_string_equal(e.msg, "oci-index-annotations.json: no entry for linux/s390x");
	pub_inspect_free(&in);
}

static void bad_combined_names_the_place(void **state)
{
	(void)state;
	static const char bad[] =
	    "{\"schemaVersion\": 2, \"target\": {\"mediaType\": \"x\", \"length\": 1,"
	    " \"digest\": \"sha256:"
	    "0000000000000000000000000000000000000000000000000000000000000000\"},"
	    " \"dependencies\": [{\"linux\": {\"amd64\": [{\"mediaType\": \"t\", \"length\": 2,"
	    " \"digest\": \"md5:abc\"}]}}]}";
	struct pub_inspect in;
	struct base_error e;

	base_error_clear(&e);
	assert_int_equal(pub_inspect_file_is_combined((const uint8_t *)bad, sizeof(bad) - 1), 1);
	assert_true(
	    pub_inspect_file("bad.json", (const uint8_t *)bad, sizeof(bad) - 1, NULL, &in, &e) < 0);
	assert_string_equal(e.msg,
	                    "bad.json: dependencies[0].linux.amd64[0].digest: missing or not "
	                    "a sha256 digest");
	pub_inspect_free(&in);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(combined_becomes_oci_index_of_children),
	    cmocka_unit_test(combined_children_are_oci_images),
	    cmocka_unit_test(combined_labels_become_annotations),
	    cmocka_unit_test(combined_renders_text_exactly),
	    cmocka_unit_test(combined_2015_form_has_six_platforms),
	    cmocka_unit_test(combined_2015_form_labels_become_created_and_version),
	    cmocka_unit_test(combined_2015_form_renders_text_exactly),
	    cmocka_unit_test(platform_picks_one_entry_of_explained_index),
	    cmocka_unit_test(docker_list_renders_text_exactly),
	    cmocka_unit_test(docker_list_json_shows_every_platform_field),
	    cmocka_unit_test(oci_index_renders_text_exactly),
	    cmocka_unit_test(oci_index_json_shows_annotations_and_marks_attestation),
	    cmocka_unit_test(platform_arm_without_variant_picks_arm_v7),
	    cmocka_unit_test(platform_without_entry_is_not_found),
	    cmocka_unit_test(bad_combined_names_the_place),
	};
	return unit_run_group("test_pub_inspect", tests, argc, argv);
}
