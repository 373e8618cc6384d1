/* test_pub_inspect.c — `manifold inspect --file`: manifest files rendered
 * exactly, and the 2015 combined manifest explained as today's OCI index
 * (child digests computed independently of the code under test). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
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
static int load(const char *name, const char *want, struct pub_inspect *in, struct reg_error *e)
{
	size_t len = 0;
	char *data = slurp(name, &len);
	struct reg_platform p = {0};
	int rc;

	reg_error_clear(e);
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

static void check_text(const struct pub_inspect *in, const char *expected_file)
{
	size_t len;
	char *want = slurp(expected_file, &len), *got = render(in, 0);
	CHECK_STR(got, want);
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
static void combined_builds_todays_index(void)
{
	struct pub_inspect in;
	struct reg_error e;
	char pbuf[128];

	CHECK_INT(load("combined-distinct.json", NULL, &in, &e), 0);
	CHECK_STR(e.msg, "");
	CHECK_INT(in.combined, 1);
	CHECK_STR(in.m.media_type, REG_MT_OCI_INDEX);
	CHECK_INT(in.m.n_entries, 3);
	CHECK_INT(in.n_children, 3);
	if (in.m.n_entries == 3 && in.n_children == 3) {
		CHECK_STR(platform_str(&in.m.entries[0], pbuf, sizeof(pbuf)), "linux/amd64");
		CHECK_STR(
		    in.m.entries[0].digest,
		    "sha256:12ee484a5a02d06464f20cd97ec7d98788f6017e2d0f2094556dbc34678e0b6a");
		CHECK_INT(in.m.entries[0].size, 696);
		CHECK_STR(platform_str(&in.m.entries[1], pbuf, sizeof(pbuf)), "linux/arm");
		CHECK_STR(
		    in.m.entries[1].digest,
		    "sha256:e4cc7cd67d84cdcfb7873b3b28392873c1a70c52562e9bf70d5f75d510da4b5c");
		CHECK_INT(in.m.entries[1].size, 501);
		CHECK_STR(platform_str(&in.m.entries[2], pbuf, sizeof(pbuf)), "windows/amd64");
		CHECK_STR(
		    in.m.entries[2].digest,
		    "sha256:c51e87574da78d400ed7ca6e7d991ea4716677516090244b76a081dc0d1eee58");
		CHECK_INT(in.m.entries[2].size, 700);
		CHECK_INT(in.children[0].fetched, 1);
		CHECK_INT(in.children[0].manifest.n_layers, 2);
		CHECK_STR(in.children[0].manifest.config.media_type, REG_MT_OCI_CONFIG);
		CHECK_STR(in.children[2].manifest.layers[0].media_type,
		          "application/vnd.oci.image.layer.v1.tar");
		CHECK_INT(in.children[2].manifest.layers[0].size, 102661372);
	}
	/* labels → annotations, under their OCI names where one exists */
	CHECK_INT(in.m.n_annotations, 3);
	CHECK_STR(in.combined_target.media_type, REG_MT_DOCKER_CONFIG);
	CHECK_INT(in.combined_target.size, 1469);
	check_text(&in, "combined-distinct.txt");
	pub_inspect_free(&in);
}

static void combined_reference_form_has_six_platforms(void)
{
	static const char *const want[] = {"linux/amd64",   "linux/arm",   "linux/ppc64le",
	                                   "windows/amd64", "windows/arm", "windows/ppc64le"};
	struct pub_inspect in;
	struct reg_error e;
	char pbuf[128];

	CHECK_INT(load("combined-2015.json", NULL, &in, &e), 0);
	CHECK_STR(e.msg, "");
	CHECK_INT(in.m.n_entries, 6);
	for (size_t i = 0; i < in.m.n_entries && i < 6; i++) {
		CHECK_STR(platform_str(&in.m.entries[i], pbuf, sizeof(pbuf)), want[i]);
		CHECK_INT(in.children[i].manifest.n_layers, 2);
	}
	CHECK_INT(in.m.n_annotations, 2);
	if (in.m.n_annotations == 2) {
		CHECK_STR(in.m.annotations[0].key, "org.opencontainers.image.created");
		CHECK_STR(in.m.annotations[0].value, "2015-06-16T16:29:07.952493971-07:00");
		CHECK_STR(in.m.annotations[1].key, "org.opencontainers.image.version");
		CHECK_STR(in.m.annotations[1].value, "3.1.4-a159+265");
	}
	check_text(&in, "combined-2015.txt");
	pub_inspect_free(&in);

	/* --platform picks one entry of the explained index */
	CHECK_INT(load("combined-2015.json", "windows/ppc64le", &in, &e), 0);
	CHECK_INT(in.picked, 5);
	CHECK_INT(in.n_children, 1);
	pub_inspect_free(&in);
}

static void docker_list_shows_every_platform_field(void)
{
	struct pub_inspect in;
	struct reg_error e;
	char *json;
	cJSON *j, *m;

	CHECK_INT(load("docker-list.json", NULL, &in, &e), 0);
	CHECK_INT(in.combined, 0);
	CHECK_INT(in.n_children, 4);
	check_text(&in, "docker-list.txt");
	json = render(&in, 1);
	j = cJSON_Parse(json);
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "manifests"), 2);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "media_type")), REG_MT_DOCKER_LIST);
	CHECK_STR(cJSON_GetStringValue(
	              cJSON_GetObjectItem(cJSON_GetObjectItem(m, "platform"), "os_version")),
	          "10.0.17763.6659");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetArrayItem(
	              cJSON_GetObjectItem(cJSON_GetObjectItem(m, "platform"), "os_features"), 0)),
	          "win32k");
	CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(m, "size")), 1161);
	cJSON_Delete(j);
	free(json);
	pub_inspect_free(&in);
}

static void oci_index_annotations_and_attestation(void)
{
	struct pub_inspect in;
	struct reg_error e;
	char *json;
	cJSON *j, *arr;

	CHECK_INT(load("oci-index-annotations.json", NULL, &in, &e), 0);
	check_text(&in, "oci-index-annotations.txt");
	json = render(&in, 1);
	j = cJSON_Parse(json);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "annotations"),
	                                                   "org.opencontainers.image.source")),
	          "https://example.com/app");
	arr = cJSON_GetObjectItem(j, "manifests");
	CHECK_INT(cJSON_GetArraySize(arr), 3);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "attestation")));
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 2), "attestation")));
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(
	              cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "annotations"),
	              "org.opencontainers.image.base.name")),
	          "docker.io/library/alpine:3.20");
	cJSON_Delete(j);
	free(json);
	pub_inspect_free(&in);

	/* arm without a variant means arm/v7 (containerd) */
	CHECK_INT(load("oci-index-annotations.json", "linux/arm", &in, &e), 0);
	CHECK_INT(in.picked, 1);
	pub_inspect_free(&in);
	CHECK_INT(load("oci-index-annotations.json", "linux/s390x", &in, &e), REG_ENOTFOUND);
	CHECK_STR(e.msg, "oci-index-annotations.json: no entry for linux/s390x");
	pub_inspect_free(&in);
}

static void bad_combined_names_the_place(void)
{
	static const char bad[] =
	    "{\"schemaVersion\": 2, \"target\": {\"mediaType\": \"x\", \"length\": 1,"
	    " \"digest\": \"sha256:"
	    "0000000000000000000000000000000000000000000000000000000000000000\"},"
	    " \"dependencies\": [{\"linux\": {\"amd64\": [{\"mediaType\": \"t\", \"length\": 2,"
	    " \"digest\": \"md5:abc\"}]}}]}";
	struct pub_inspect in;
	struct reg_error e;

	reg_error_clear(&e);
	CHECK_INT(pub_inspect_file_is_combined((const uint8_t *)bad, sizeof(bad) - 1), 1);
	CHECK(pub_inspect_file("bad.json", (const uint8_t *)bad, sizeof(bad) - 1, NULL, &in, &e) <
	      0);
	CHECK_STR(e.msg, "bad.json: dependencies[0].linux.amd64[0].digest: missing or not a "
	                 "sha256 digest");
	pub_inspect_free(&in);
}

int main(void)
{
	combined_builds_todays_index();
	combined_reference_form_has_six_platforms();
	docker_list_shows_every_platform_field();
	oci_index_annotations_and_attestation();
	bad_combined_names_the_place();
	return check_finish();
}
