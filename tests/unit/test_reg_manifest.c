/* test_reg_manifest.c — manifests of the four types parse into the right
 * view with raw bytes and digest kept; a buildx index's attestations are
 * never picked for a platform; schema 1, unknown types, oversize bodies and
 * malformed fields are refused with exact messages; image configs give
 * their platform. Real-shaped inputs come from the fuzz corpus. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "registry.h"

#define SHA(h) "sha256:" h

static struct base_buf read_corpus(const char *name)
{
	struct base_buf b = {0};
	const char *src = getenv("MANIFOLD_SOURCE_DIR");
	char path[1024];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/reg_manifest/%s", src ? src : ".", name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read %s\n", path);
		if (f)
			fclose(f);
		return b;
	}
	b.data = malloc((size_t)n + 1);
	if (b.data && fread(b.data, 1, (size_t)n, f) == (size_t)n)
		b.len = (size_t)n;
	fclose(f);
	return b;
}

static int parse_file(const char *name, const char *ct, struct reg_manifest *m,
                      struct base_error *err)
{
	struct base_buf b = read_corpus(name);
	int rc;
	assert_true(b.len > 0);
	rc = reg_manifest_parse(b.data, b.len, ct, m, err);
	if (rc == BASE_OK) {
		/* raw is a copy of exactly the bytes given */
		assert_ptr_not_equal(m->raw.data, b.data);
		assert_int_equal(m->raw.len, b.len);
		assert_memory_equal(m->raw.data, b.data, b.len);
	}
	base_buf_free(&b);
	return rc;
}

static int parse_str(const char *text, const char *ct, struct reg_manifest *m,
                     struct base_error *err)
{
	base_error_clear(err);
	return reg_manifest_parse((const uint8_t *)text, strlen(text), ct, m, err);
}

static void manifest_parses_docker_image(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(parse_file("docker_manifest.json", REG_MT_DOCKER_MANIFEST, &m, &err),
	                 BASE_OK);
	assert_string_equal(err.msg, "");
	assert_string_equal(m.media_type, REG_MT_DOCKER_MANIFEST);
	assert_string_equal(
	    m.digest, SHA("9a7480f058be7fc7f5932f484a66c779f8aabb98128d9a28a56dd04c15fde49a"));
	assert_int_equal(m.is_list, 0);
	assert_string_equal(m.config.media_type, REG_MT_DOCKER_CONFIG);
	assert_string_equal(
	    m.config.digest,
	    SHA("4029657ae669c60079c2f172d3c9d48b8b7892620e419c48c60bb4198f6e2edd"));
	assert_int_equal(m.config.size, 1469);
	assert_int_equal(m.config.has_platform, 0);
	assert_int_equal(m.n_layers, 2);
	assert_string_equal(m.layers[0].media_type,
	                    "application/vnd.docker.image.rootfs.diff.tar.gzip");
	assert_int_equal(m.layers[0].size, 2812636);
	assert_string_equal(
	    m.layers[1].digest,
	    SHA("8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"));
	assert_int_equal(m.layers[1].size, 10543);
	assert_int_equal(m.n_entries, 0);
	assert_int_equal(m.n_annotations, 0);
	reg_manifest_free(&m);
}

static void list_select_on_an_image_is_not_found(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(parse_file("docker_manifest.json", REG_MT_DOCKER_MANIFEST, &m, &err),
	                 BASE_OK);
	struct reg_platform want = {.os = "linux", .architecture = "amd64"};
	assert_int_equal(reg_list_select(&m, &want), -1); /* not a list */
	reg_manifest_free(&m);
}

static void manifest_free_clears_it(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(parse_file("docker_manifest.json", REG_MT_DOCKER_MANIFEST, &m, &err),
	                 BASE_OK);
	reg_manifest_free(&m);
	assert_null(m.raw.data);
	assert_null(m.digest);
	assert_null(m.layers);
	reg_manifest_free(NULL);
}

static void manifest_parses_oci_image_with_annotations(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	/* the body's mediaType wins over a generic Content-Type */
	assert_int_equal(parse_file("oci_manifest.json", "application/json", &m, &err), BASE_OK);
	assert_string_equal(m.media_type, REG_MT_OCI_MANIFEST);
	assert_string_equal(
	    m.digest, SHA("3dcde8a73afb3f719c32087306632512a5d459b49953fb676b2e0edeb211c17b"));
	assert_string_equal(m.config.media_type, REG_MT_OCI_CONFIG);
	assert_int_equal(m.config.size, 1210);
	assert_int_equal(m.n_layers, 1);
	assert_int_equal(m.layers[0].size, 30587301);
	assert_int_equal(m.layers[0].n_annotations, 1);
	assert_string_equal(m.layers[0].annotations[0].key, "org.opencontainers.image.title");
	assert_string_equal(m.layers[0].annotations[0].value, "rootfs.tar.gz");
	assert_int_equal(m.n_annotations, 1);
	assert_string_equal(m.annotations[0].key, "org.opencontainers.image.created");
	assert_string_equal(m.annotations[0].value, "2024-08-13T18:00:00Z");
	reg_manifest_free(&m);
}

static void manifest_parses_docker_list_with_windows(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(parse_file("docker_list.json", NULL, &m, &err), BASE_OK);
	assert_string_equal(m.media_type, REG_MT_DOCKER_LIST);
	assert_int_equal(m.is_list, 1);
	assert_string_equal(
	    m.digest, SHA("1c550d4b58cef469c6c8fd5c96803d099c1d7065dd04562c2ebc5400955e5753"));
	assert_int_equal(m.n_entries, 4);
	assert_int_equal(m.n_layers, 0);
	assert_string_equal(m.entries[1].platform.architecture, "arm");
	assert_string_equal(m.entries[1].platform.variant, "v7");
	assert_string_equal(m.entries[2].platform.variant, "v8");
	assert_string_equal(m.entries[3].platform.os, "windows");
	assert_string_equal(m.entries[3].platform.os_version, "10.0.17763.6659");
	assert_int_equal(m.entries[3].platform.n_os_features, 1);
	assert_string_equal(m.entries[3].platform.os_features[0], "win32k");
	assert_int_equal(m.entries[3].size, 1160);
	assert_string_equal(
	    m.entries[3].digest,
	    SHA("14eb3841a198c5b4c1bfa5c7b034cbfb2da3f7fea01e16166316b8dbb1c093e8"));
	reg_manifest_free(&m);
}

static void list_select_picks_by_platform_equivalence(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	struct reg_platform p;
	static const struct {
		const char *platform;
		long index;
	} picks[] = {
	    {"linux/amd64", 0},
	    {"linux/arm", 1},
	    {"linux/arm/v7", 1},
	    {"linux/armhf", 1},
	    {"linux/arm64", 2},
	    {"linux/aarch64", 2},
	    {"linux/arm64/v8", 2},
	    {"windows/amd64", 3},
	    {"linux/arm/v6", -1},
	    {"windows/amd64:10.0.17763.6659", 3},
	    {"windows/amd64:10.0.20348.1", -1},
	    {"linux/s390x", -1},
	};

	base_error_clear(&err);
	assert_int_equal(parse_file("docker_list.json", NULL, &m, &err), BASE_OK);
	for (size_t i = 0; i < UNIT_COUNT(picks); i++) {
		assert_int_equal(reg_platform_parse(picks[i].platform, &p, &err), BASE_OK);
		long got = reg_list_select(&m, &p);
		if (got != picks[i].index)
			print_error("select %s\n", picks[i].platform);
		assert_int_equal(got, picks[i].index);
		reg_platform_free(&p);
	}
	reg_manifest_free(&m);
}

static void manifest_parses_buildx_index_and_marks_attestations(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(parse_file("buildx_index.json", REG_MT_OCI_INDEX, &m, &err), BASE_OK);
	assert_string_equal(m.media_type, REG_MT_OCI_INDEX);
	assert_string_equal(
	    m.digest, SHA("ebc1cfcf267f87c26b133ab2e77e322e020b06c5438de9b559ade41f18a3583f"));
	assert_int_equal(m.n_entries, 4);
	assert_int_equal(reg_descriptor_is_attestation(&m.entries[0]), 0);
	assert_int_equal(reg_descriptor_is_attestation(&m.entries[1]), 0);
	assert_int_equal(reg_descriptor_is_attestation(&m.entries[2]), 1);
	assert_int_equal(reg_descriptor_is_attestation(&m.entries[3]), 1);
	assert_int_equal(m.entries[2].n_annotations, 2);
	assert_string_equal(m.entries[2].annotations[0].key, "vnd.docker.reference.digest");
	assert_string_equal(
	    m.entries[2].annotations[0].value,
	    SHA("257a0c7676f2e3691c0c4f33a1e0fc05592d48cfccb6972314c0690b2a7d94f8"));
	assert_string_equal(m.entries[2].platform.os, "unknown");
	reg_manifest_free(&m);
}

static void list_select_never_picks_an_attestation(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	struct reg_platform p;
	base_error_clear(&err);
	assert_int_equal(parse_file("buildx_index.json", REG_MT_OCI_INDEX, &m, &err), BASE_OK);
	assert_int_equal(reg_platform_parse("linux/amd64", &p, &err), BASE_OK);
	assert_int_equal(reg_list_select(&m, &p), 0);
	reg_platform_free(&p);
	assert_int_equal(reg_platform_parse("linux/arm64/v8", &p, &err), BASE_OK);
	assert_int_equal(reg_list_select(&m, &p), 1);
	reg_platform_free(&p);
	/* whatever one asks for */
	struct reg_platform unk = {.os = "unknown", .architecture = "unknown"};
	assert_int_equal(reg_list_select(&m, &unk), -1);
	reg_manifest_free(&m);
}

static void list_select_skips_annotated_attestation_and_nested_index(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	/* attestation first, marked only by its annotation, same platform as the
	 * image; and a nested index claiming the platform: both skipped */
	assert_int_equal(parse_file("attestation_first_index.json", NULL, &m, &err), BASE_OK);
	assert_int_equal(reg_descriptor_is_attestation(&m.entries[0]), 1);
	struct reg_platform amd = {.os = "linux", .architecture = "amd64"};
	assert_int_equal(reg_list_select(&m, &amd), 2);
	reg_manifest_free(&m);
}

static void list_helpers_refuse_null(void **state)
{
	(void)state;
	struct reg_platform amd = {.os = "linux", .architecture = "amd64"};
	assert_int_equal(reg_descriptor_is_attestation(NULL), 0);
	assert_int_equal(reg_list_select(NULL, &amd), -1);
}

static void manifest_type_without_media_type_comes_from_shape(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(parse_file("oci_index_no_mediatype.json", NULL, &m, &err), BASE_OK);
	assert_string_equal(m.media_type, REG_MT_OCI_INDEX);
	assert_int_equal(m.is_list, 1);
	assert_string_equal(m.annotations[0].value, "v1");
	reg_manifest_free(&m);
}

static void manifest_type_without_media_type_comes_from_content_type(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(parse_file("oci_index_no_mediatype.json", REG_MT_DOCKER_LIST, &m, &err),
	                 BASE_OK);
	assert_string_equal(m.media_type, REG_MT_DOCKER_LIST);
	reg_manifest_free(&m);
}

static void manifest_body_media_type_wins_over_content_type(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(parse_file("docker_list.json", REG_MT_OCI_INDEX, &m, &err), BASE_OK);
	assert_string_equal(m.media_type, REG_MT_DOCKER_LIST);
	reg_manifest_free(&m);
}

static const char bare_image[] = "{\"schemaVersion\":2,\"config\":{\"mediaType\":"
                                 "\"application/"
                                 "vnd.docker.container.image.v1+json\",\"digest\":\"" SHA(
                                     "444444444444444444444444444444444444444444444444444444444444"
                                     "4444") "\",\"size\":7},\"layers\":[]}";

static void manifest_image_shape_without_types_is_docker_image(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	assert_int_equal(parse_str(bare_image, NULL, &m, &err), BASE_OK);
	assert_string_equal(m.media_type, REG_MT_DOCKER_MANIFEST);
	assert_int_equal(m.n_layers, 0);
	reg_manifest_free(&m);
	assert_int_equal(parse_str(bare_image, "text/plain; charset=utf-8", &m, &err), BASE_OK);
	assert_string_equal(m.media_type, REG_MT_DOCKER_MANIFEST);
	reg_manifest_free(&m);
}

static void manifest_content_type_parameters_are_ignored(void **state)
{
	(void)state;
	struct reg_manifest m;
	struct base_error err;
	assert_int_equal(parse_str(bare_image, REG_MT_OCI_MANIFEST "; charset=utf-8", &m, &err),
	                 BASE_OK);
	assert_string_equal(m.media_type, REG_MT_OCI_MANIFEST);
	reg_manifest_free(&m);
}

static const char *const schema1_msg =
    "Docker image manifest schema 1 is not supported (deprecated format; push the image "
    "again with a current client)";

struct reject_case {
	const char *body, *ct, *msg; /* msg NULL: schema1_msg */
};

/* Each body is refused with exactly this message and nothing kept. */
static void check_rejects(const struct reject_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reg_manifest m;
		struct base_error err;
		int rc = parse_str(cases[i].body, cases[i].ct, &m, &err);
		if (rc != BASE_EFAIL)
			print_error("accepted: %s\n", cases[i].body);
		assert_int_equal(rc, BASE_EFAIL);
		assert_string_equal(err.msg, cases[i].msg ? cases[i].msg : schema1_msg);
		assert_null(m.raw.data);
		assert_null(m.media_type);
		assert_null(m.digest);
	}
}

#define D5       SHA("5555555555555555555555555555555555555555555555555555555555555555")
#define OCI_CFG  "\"config\":{\"mediaType\":\"" REG_MT_OCI_CONFIG "\",\"digest\":\"" D5 "\","
#define OCI_HEAD "{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_OCI_MANIFEST "\","
#define IDX_HEAD "{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_OCI_INDEX "\",\"manifests\":["

static void manifest_rejects_schema1(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"b\"}",
	     "application/vnd.docker.distribution.manifest.v1+prettyjws", NULL},
	    {"{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"b\"}", NULL, NULL},
	    {"{\"name\":\"a\",\"fsLayers\":[]}", REG_MT_DOCKER_MANIFEST, NULL},
	};
	check_rejects(cases, UNIT_COUNT(cases));

	struct reg_manifest m;
	struct base_error err;
	struct base_buf s1 = read_corpus("schema1.json");
	base_error_clear(&err);
	assert_int_equal(reg_manifest_parse(s1.data, s1.len,
	                                    "application/vnd.docker.distribution.manifest.v1+json",
	                                    &m, &err),
	                 BASE_EFAIL);
	assert_string_equal(err.msg, schema1_msg);
	base_buf_free(&s1);
}

static void manifest_rejects_unsupported_media_types(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"{\"schemaVersion\":2,\"mediaType\":\"application/"
	     "vnd.oci.artifact.manifest.v1+json\"}",
	     NULL,
	     "unsupported manifest media type \"application/vnd.oci.artifact.manifest.v1+json\""},
	    {"{\"schemaVersion\":2}", "application/vnd.foo",
	     "unsupported manifest media type \"application/vnd.foo\""},
	    {"{\"schemaVersion\":2}", NULL,
	     "manifest has no mediaType and neither manifests nor layers"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void manifest_rejects_what_is_not_a_json_object(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"{", NULL, "manifest is not valid JSON"},
	    {"", NULL, "manifest is not valid JSON"},
	    {"{} x", NULL, "manifest is not valid JSON"},
	    {"[]", NULL, "manifest is not a JSON object"},
	};
	check_rejects(cases, UNIT_COUNT(cases));

	struct reg_manifest m;
	struct base_error err;
	base_error_clear(&err);
	/* an embedded NUL is not JSON whitespace */
	assert_int_equal(reg_manifest_parse((const uint8_t *)"{}\0", 3, NULL, &m, &err),
	                 BASE_EFAIL);
	assert_string_equal(err.msg, "manifest is not valid JSON");
	assert_int_equal(reg_manifest_parse(NULL, 1, NULL, &m, &err), BASE_EFAIL);
	assert_string_equal(err.msg, "manifest: no data");
}

static void manifest_rejects_bad_media_type_or_schema_version(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {"{\"mediaType\":7}", NULL, "mediaType is not a string"},
	    {"{\"schemaVersion\":3,\"manifests\":[]}", NULL, "schemaVersion is not 2"},
	    {"{\"schemaVersion\":\"2\",\"manifests\":[]}", NULL, "schemaVersion is not 2"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void manifest_rejects_bad_config_and_layers(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {OCI_HEAD OCI_CFG "\"size\":-1},\"layers\":[]}", NULL,
	     "config.size is not a non-negative integer"},
	    {OCI_HEAD OCI_CFG "\"size\":1.5},\"layers\":[]}", NULL,
	     "config.size is not a non-negative integer"},
	    {OCI_HEAD OCI_CFG "\"size\":\"12\"},\"layers\":[]}", NULL,
	     "config.size is not a non-negative integer"},
	    {OCI_HEAD OCI_CFG "\"size\":1e300},\"layers\":[]}", NULL,
	     "config.size is not a non-negative integer"},
	    {OCI_HEAD OCI_CFG "\"size\":1}}", NULL, "layers is missing"},
	    {OCI_HEAD OCI_CFG "\"size\":1},\"layers\":{}}", NULL, "layers is not an array"},
	    {OCI_HEAD OCI_CFG "\"size\":1},\"layers\":[7]}", NULL, "layers[0] is not an object"},
	    {OCI_HEAD "\"layers\":[]}", NULL, "config is missing"},
	    {OCI_HEAD "\"config\":{\"mediaType\":\"x\",\"size\":1},\"layers\":[]}", NULL,
	     "config.digest is missing"},
	    {OCI_HEAD "\"config\":{\"digest\":\"" D5 "\",\"size\":1},\"layers\":[]}", NULL,
	     "config.mediaType is missing"},
	    {OCI_HEAD "\"config\":{\"mediaType\":\"x\",\"digest\":\"" D5 "\"},\"layers\":[]}", NULL,
	     "config.size is missing"},
	    {OCI_HEAD
	     "\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:xyz\",\"size\":1},\"layers\":[]}",
	     NULL, "config.digest \"sha256:xyz\" is not a sha256 digest"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

static void manifest_rejects_bad_index_entries_and_annotations(void **state)
{
	(void)state;
	static const struct reject_case cases[] = {
	    {IDX_HEAD "{\"mediaType\":\"m\",\"digest\":\"" D5
	              "\",\"size\":1,\"platform\":{\"architecture\":\"amd64\"}}]}",
	     NULL, "manifests[0].platform.os is missing"},
	    {IDX_HEAD "{\"mediaType\":\"m\",\"digest\":\"" D5
	              "\",\"size\":1},{\"mediaType\":\"m\",\"digest\":\"" D5
	              "\",\"size\":1,\"platform\":[]}]}",
	     NULL, "manifests[1].platform is not an object"},
	    {IDX_HEAD "{\"mediaType\":\"m\",\"digest\":\"" D5
	              "\",\"size\":1,\"platform\":{\"architecture\":\"amd64\",\"os\":\"windows\","
	              "\"os.features\":[1]}}]}",
	     NULL, "manifests[0].platform.os.features[0] is not a string"},
	    {IDX_HEAD "{\"mediaType\":\"m\",\"digest\":\"" D5
	              "\",\"size\":1,\"annotations\":{\"a\":1}}]}",
	     NULL, "manifests[0].annotations[\"a\"] is not a string"},
	    {IDX_HEAD "{\"mediaType\":\"m\",\"digest\":\"" D5
	              "\",\"size\":1,\"artifactType\":[]}]}",
	     NULL, "manifests[0].artifactType is not a string"},
	    {IDX_HEAD "],\"annotations\":[]}", NULL, "annotations is not an object"},
	    {IDX_HEAD "],\"annotations\":{\"k\":true}}", NULL,
	     "annotations[\"k\"] is not a string"},
	};
	check_rejects(cases, UNIT_COUNT(cases));
}

/* "{...manifests:[]}" padded with spaces to n bytes (trailing whitespace
 * is allowed JSON); the caller frees it. */
static uint8_t *padded_index(size_t n)
{
	static const char body[] = "{\"schemaVersion\":2,\"manifests\":[]}";
	uint8_t *big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, body, sizeof(body) - 1);
	return big;
}

static void manifest_rejects_more_than_4_mib(void **state)
{
	(void)state;
	size_t n = REG_MANIFEST_MAX + 1;
	uint8_t *big = padded_index(n);
	struct reg_manifest m;
	struct base_error err;

	base_error_clear(&err);
	assert_int_equal(reg_manifest_parse(big, n, NULL, &m, &err), BASE_EFAIL);
	assert_string_equal(err.msg, "manifest is 4194305 bytes, more than the 4194304 byte limit");
	free(big);
}

static void manifest_accepts_exactly_4_mib(void **state)
{
	(void)state;
	size_t n = REG_MANIFEST_MAX + 1;
	uint8_t *big = padded_index(n);
	struct reg_manifest m;
	struct base_error err;
	char want[REG_DIGEST_MAX];

	base_error_clear(&err);
	assert_int_equal(reg_manifest_parse(big, n - 1, NULL, &m, &err), BASE_OK);
	assert_int_equal(m.raw.len, REG_MANIFEST_MAX);
	reg_digest_sha256(big, n - 1, want);
	assert_string_equal(m.digest, want);
	reg_manifest_free(&m);
	free(big);
}

static void image_config_gives_platform_with_variant(void **state)
{
	(void)state;
	static const char arm[] =
	    "{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\",\"config\":{\"Env\":[]},"
	    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	struct reg_platform p;
	struct base_error err;
	char *f;

	base_error_clear(&err);
	assert_int_equal(reg_image_config_platform((const uint8_t *)arm, strlen(arm), &p, &err),
	                 BASE_OK);
	f = reg_platform_format(&p);
	assert_str_or_null_equal(f, "linux/arm/v7");
	free(f);
	struct reg_platform want = {.os = "linux", .architecture = "arm"};
	assert_int_equal(reg_platform_match(&want, &p), 1);
	reg_platform_free(&p);
}

static void image_config_gives_windows_os_version_and_features(void **state)
{
	(void)state;
	static const char win[] =
	    "{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763.6659\","
	    "\"os.features\":[\"win32k\"],\"variant\":\"\"}";
	struct reg_platform p;
	struct base_error err;

	base_error_clear(&err);
	assert_int_equal(reg_image_config_platform((const uint8_t *)win, strlen(win), &p, &err),
	                 BASE_OK);
	assert_null(p.variant);
	assert_string_equal(p.os_version, "10.0.17763.6659");
	assert_int_equal(p.n_os_features, 1);
	assert_string_equal(p.os_features[0], "win32k");
	reg_platform_free(&p);
}

static void image_config_rejects_with_exact_message(void **state)
{
	(void)state;
	static const struct {
		const char *body, *msg;
	} bad[] = {
	    {"{\"os\":\"linux\"}", "image config: architecture is missing"},
	    {"{\"architecture\":\"amd64\"}", "image config: os is missing"},
	    {"{\"architecture\":\"amd64\",\"os\":7}", "image config: os is not a string"},
	    {"{\"architecture\":\"\",\"os\":\"linux\"}", "image config: architecture is empty"},
	    {"{\"architecture\":\"amd64\",\"os\":\"linux\",\"os.features\":\"x\"}",
	     "image config: os.features is not an array"},
	    {"not json", "image config is not a JSON object"},
	    {"[1]", "image config is not a JSON object"},
	};
	struct reg_platform p;
	struct base_error err;

	base_error_clear(&err);
	for (size_t i = 0; i < UNIT_COUNT(bad); i++) {
		assert_int_equal(reg_image_config_platform((const uint8_t *)bad[i].body,
		                                           strlen(bad[i].body), &p, &err),
		                 BASE_EFAIL);
		assert_string_equal(err.msg, bad[i].msg);
		assert_null(p.os);
		assert_null(p.architecture);
	}
}

static void image_config_needs_data_within_8_mib(void **state)
{
	(void)state;
	struct reg_platform p;
	struct base_error err;

	base_error_clear(&err);
	assert_int_equal(reg_image_config_platform(NULL, REG_CONFIG_MAX + 1, &p, &err), BASE_EFAIL);
	assert_string_equal(err.msg, "image config: no data");
	uint8_t one = '{';
	assert_int_equal(reg_image_config_platform(&one, REG_CONFIG_MAX + 1, &p, &err), BASE_EFAIL);
	assert_string_equal(err.msg,
	                    "image config is 8388609 bytes, more than the 8388608 byte limit");
}

static void media_type_is_list_for_docker_list_and_oci_index(void **state)
{
	(void)state;
	assert_int_equal(reg_media_type_is_list(REG_MT_DOCKER_LIST), 1);
	assert_int_equal(reg_media_type_is_list(REG_MT_OCI_INDEX), 1);
	assert_int_equal(reg_media_type_is_list(REG_MT_OCI_MANIFEST), 0);
	assert_int_equal(reg_media_type_is_list(NULL), 0);
}

static void media_type_is_image_for_docker_and_oci_manifests(void **state)
{
	(void)state;
	assert_int_equal(reg_media_type_is_image(REG_MT_DOCKER_MANIFEST), 1);
	assert_int_equal(reg_media_type_is_image(REG_MT_OCI_MANIFEST), 1);
	assert_int_equal(reg_media_type_is_image(REG_MT_OCI_INDEX), 0);
	assert_int_equal(reg_media_type_is_image("application/json"), 0);
	assert_int_equal(reg_media_type_is_image(NULL), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(manifest_parses_docker_image),
	    cmocka_unit_test(list_select_on_an_image_is_not_found),
	    cmocka_unit_test(manifest_free_clears_it),
	    cmocka_unit_test(manifest_parses_oci_image_with_annotations),
	    cmocka_unit_test(manifest_parses_docker_list_with_windows),
	    cmocka_unit_test(list_select_picks_by_platform_equivalence),
	    cmocka_unit_test(manifest_parses_buildx_index_and_marks_attestations),
	    cmocka_unit_test(list_select_never_picks_an_attestation),
	    cmocka_unit_test(list_select_skips_annotated_attestation_and_nested_index),
	    cmocka_unit_test(list_helpers_refuse_null),
	    cmocka_unit_test(manifest_type_without_media_type_comes_from_shape),
	    cmocka_unit_test(manifest_type_without_media_type_comes_from_content_type),
	    cmocka_unit_test(manifest_body_media_type_wins_over_content_type),
	    cmocka_unit_test(manifest_image_shape_without_types_is_docker_image),
	    cmocka_unit_test(manifest_content_type_parameters_are_ignored),
	    cmocka_unit_test(manifest_rejects_schema1),
	    cmocka_unit_test(manifest_rejects_unsupported_media_types),
	    cmocka_unit_test(manifest_rejects_what_is_not_a_json_object),
	    cmocka_unit_test(manifest_rejects_bad_media_type_or_schema_version),
	    cmocka_unit_test(manifest_rejects_bad_config_and_layers),
	    cmocka_unit_test(manifest_rejects_bad_index_entries_and_annotations),
	    cmocka_unit_test(manifest_rejects_more_than_4_mib),
	    cmocka_unit_test(manifest_accepts_exactly_4_mib),
	    cmocka_unit_test(image_config_gives_platform_with_variant),
	    cmocka_unit_test(image_config_gives_windows_os_version_and_features),
	    cmocka_unit_test(image_config_rejects_with_exact_message),
	    cmocka_unit_test(image_config_needs_data_within_8_mib),
	    cmocka_unit_test(media_type_is_list_for_docker_list_and_oci_index),
	    cmocka_unit_test(media_type_is_image_for_docker_and_oci_manifests),
	};
	return unit_run_group("test_reg_manifest", tests, argc, argv);
}
