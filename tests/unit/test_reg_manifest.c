/* test_reg_manifest.c — manifests of the four types parse into the right
 * view with raw bytes and digest kept; a buildx index's attestations are
 * never picked for a platform; schema 1, unknown types, oversize bodies and
 * malformed fields are refused with exact messages; image configs give
 * their platform. Real-shaped inputs come from the fuzz corpus. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "registry.h"

#define SHA(h) "sha256:" h

static struct reg_buf read_corpus(const char *name)
{
	struct reg_buf b = {0};
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
                      struct reg_error *err)
{
	struct reg_buf b = read_corpus(name);
	int rc;
	CHECK(b.len > 0);
	rc = reg_manifest_parse(b.data, b.len, ct, m, err);
	if (rc == REG_OK) {
		/* raw is a copy of exactly the bytes given */
		CHECK(m->raw.data != b.data);
		CHECK_INT(m->raw.len, b.len);
		CHECK(memcmp(m->raw.data, b.data, b.len) == 0);
	}
	reg_buf_free(&b);
	return rc;
}

static int parse_str(const char *text, const char *ct, struct reg_manifest *m,
                     struct reg_error *err)
{
	reg_error_clear(err);
	return reg_manifest_parse((const uint8_t *)text, strlen(text), ct, m, err);
}

static void manifest_parses_docker_image(void)
{
	struct reg_manifest m;
	struct reg_error err;
	reg_error_clear(&err);
	CHECK_INT(parse_file("docker_manifest.json", REG_MT_DOCKER_MANIFEST, &m, &err), REG_OK);
	CHECK_STR(err.msg, "");
	CHECK_STR(m.media_type, REG_MT_DOCKER_MANIFEST);
	CHECK_STR(m.digest,
	          SHA("9a7480f058be7fc7f5932f484a66c779f8aabb98128d9a28a56dd04c15fde49a"));
	CHECK_INT(m.is_list, 0);
	CHECK_STR(m.config.media_type, REG_MT_DOCKER_CONFIG);
	CHECK_STR(m.config.digest,
	          SHA("4029657ae669c60079c2f172d3c9d48b8b7892620e419c48c60bb4198f6e2edd"));
	CHECK_INT(m.config.size, 1469);
	CHECK_INT(m.config.has_platform, 0);
	CHECK_INT(m.n_layers, 2);
	CHECK_STR(m.layers[0].media_type, "application/vnd.docker.image.rootfs.diff.tar.gzip");
	CHECK_INT(m.layers[0].size, 2812636);
	CHECK_STR(m.layers[1].digest,
	          SHA("8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041"));
	CHECK_INT(m.layers[1].size, 10543);
	CHECK_INT(m.n_entries, 0);
	CHECK_INT(m.n_annotations, 0);
	struct reg_platform want = {.os = "linux", .architecture = "amd64"};
	CHECK_INT(reg_list_select(&m, &want), -1); /* not a list */
	reg_manifest_free(&m);
	CHECK(m.raw.data == NULL && m.digest == NULL && m.layers == NULL);
	reg_manifest_free(NULL);
}

static void manifest_parses_oci_image_with_annotations(void)
{
	struct reg_manifest m;
	struct reg_error err;
	reg_error_clear(&err);
	/* the body's mediaType wins over a generic Content-Type */
	CHECK_INT(parse_file("oci_manifest.json", "application/json", &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_OCI_MANIFEST);
	CHECK_STR(m.digest,
	          SHA("3dcde8a73afb3f719c32087306632512a5d459b49953fb676b2e0edeb211c17b"));
	CHECK_STR(m.config.media_type, REG_MT_OCI_CONFIG);
	CHECK_INT(m.config.size, 1210);
	CHECK_INT(m.n_layers, 1);
	CHECK_INT(m.layers[0].size, 30587301);
	CHECK_INT(m.layers[0].n_annotations, 1);
	CHECK_STR(m.layers[0].annotations[0].key, "org.opencontainers.image.title");
	CHECK_STR(m.layers[0].annotations[0].value, "rootfs.tar.gz");
	CHECK_INT(m.n_annotations, 1);
	CHECK_STR(m.annotations[0].key, "org.opencontainers.image.created");
	CHECK_STR(m.annotations[0].value, "2024-08-13T18:00:00Z");
	reg_manifest_free(&m);
}

static void manifest_parses_docker_list_with_windows(void)
{
	struct reg_manifest m;
	struct reg_error err;
	struct reg_platform p;
	reg_error_clear(&err);
	CHECK_INT(parse_file("docker_list.json", NULL, &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_DOCKER_LIST);
	CHECK_INT(m.is_list, 1);
	CHECK_STR(m.digest,
	          SHA("1c550d4b58cef469c6c8fd5c96803d099c1d7065dd04562c2ebc5400955e5753"));
	CHECK_INT(m.n_entries, 4);
	CHECK_INT(m.n_layers, 0);
	CHECK_STR(m.entries[1].platform.architecture, "arm");
	CHECK_STR(m.entries[1].platform.variant, "v7");
	CHECK_STR(m.entries[2].platform.variant, "v8");
	CHECK_STR(m.entries[3].platform.os, "windows");
	CHECK_STR(m.entries[3].platform.os_version, "10.0.17763.6659");
	CHECK_INT(m.entries[3].platform.n_os_features, 1);
	CHECK_STR(m.entries[3].platform.os_features[0], "win32k");
	CHECK_INT(m.entries[3].size, 1160);
	CHECK_STR(m.entries[3].digest,
	          SHA("14eb3841a198c5b4c1bfa5c7b034cbfb2da3f7fea01e16166316b8dbb1c093e8"));

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
	for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
		CHECK_INT(reg_platform_parse(picks[i].platform, &p, &err), REG_OK);
		CHECK_INT(reg_list_select(&m, &p), picks[i].index);
		reg_platform_free(&p);
	}
	reg_manifest_free(&m);
}

static void manifest_buildx_index_skips_attestations(void)
{
	struct reg_manifest m;
	struct reg_error err;
	struct reg_platform p;
	reg_error_clear(&err);
	CHECK_INT(parse_file("buildx_index.json", REG_MT_OCI_INDEX, &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_OCI_INDEX);
	CHECK_STR(m.digest,
	          SHA("ebc1cfcf267f87c26b133ab2e77e322e020b06c5438de9b559ade41f18a3583f"));
	CHECK_INT(m.n_entries, 4);
	CHECK_INT(reg_descriptor_is_attestation(&m.entries[0]), 0);
	CHECK_INT(reg_descriptor_is_attestation(&m.entries[1]), 0);
	CHECK_INT(reg_descriptor_is_attestation(&m.entries[2]), 1);
	CHECK_INT(reg_descriptor_is_attestation(&m.entries[3]), 1);
	CHECK_INT(m.entries[2].n_annotations, 2);
	CHECK_STR(m.entries[2].annotations[0].key, "vnd.docker.reference.digest");
	CHECK_STR(m.entries[2].annotations[0].value,
	          SHA("257a0c7676f2e3691c0c4f33a1e0fc05592d48cfccb6972314c0690b2a7d94f8"));
	CHECK_STR(m.entries[2].platform.os, "unknown");

	CHECK_INT(reg_platform_parse("linux/amd64", &p, &err), REG_OK);
	CHECK_INT(reg_list_select(&m, &p), 0);
	reg_platform_free(&p);
	CHECK_INT(reg_platform_parse("linux/arm64/v8", &p, &err), REG_OK);
	CHECK_INT(reg_list_select(&m, &p), 1);
	reg_platform_free(&p);
	/* an attestation is never an image, whatever one asks for */
	struct reg_platform unk = {.os = "unknown", .architecture = "unknown"};
	CHECK_INT(reg_list_select(&m, &unk), -1);
	reg_manifest_free(&m);

	/* attestation first, marked only by its annotation, same platform as the
	 * image; and a nested index claiming the platform: both skipped */
	CHECK_INT(parse_file("attestation_first_index.json", NULL, &m, &err), REG_OK);
	CHECK_INT(reg_descriptor_is_attestation(&m.entries[0]), 1);
	struct reg_platform amd = {.os = "linux", .architecture = "amd64"};
	CHECK_INT(reg_list_select(&m, &amd), 2);
	reg_manifest_free(&m);
	CHECK_INT(reg_descriptor_is_attestation(NULL), 0);
	CHECK_INT(reg_list_select(NULL, &amd), -1);
}

static void manifest_type_from_content_type_or_shape(void)
{
	struct reg_manifest m;
	struct reg_error err;
	reg_error_clear(&err);
	CHECK_INT(parse_file("oci_index_no_mediatype.json", NULL, &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_OCI_INDEX);
	CHECK_INT(m.is_list, 1);
	CHECK_STR(m.annotations[0].value, "v1");
	reg_manifest_free(&m);
	CHECK_INT(parse_file("oci_index_no_mediatype.json", REG_MT_DOCKER_LIST, &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_DOCKER_LIST); /* no body mediaType: Content-Type */
	reg_manifest_free(&m);
	/* body mediaType wins over Content-Type */
	CHECK_INT(parse_file("docker_list.json", REG_MT_OCI_INDEX, &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_DOCKER_LIST);
	reg_manifest_free(&m);

	static const char img[] = "{\"schemaVersion\":2,\"config\":{\"mediaType\":"
	                          "\"application/"
	                          "vnd.docker.container.image.v1+json\",\"digest\":\"" SHA(
	                              "444444444444444444444444444444444444444444444444444444444444"
	                              "4444") "\",\"size\":7},\"layers\":[]}";
	CHECK_INT(parse_str(img, NULL, &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_DOCKER_MANIFEST);
	CHECK_INT(m.n_layers, 0);
	reg_manifest_free(&m);
	CHECK_INT(parse_str(img, "text/plain; charset=utf-8", &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_DOCKER_MANIFEST);
	reg_manifest_free(&m);
	CHECK_INT(parse_str(img, REG_MT_OCI_MANIFEST "; charset=utf-8", &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_OCI_MANIFEST);
	reg_manifest_free(&m);
}

static void manifest_rejects_with_exact_message(void)
{
	static const char *const schema1_msg =
	    "Docker image manifest schema 1 is not supported (deprecated format; push the image "
	    "again with a current client)";
#define D5       SHA("5555555555555555555555555555555555555555555555555555555555555555")
#define OCI_CFG  "\"config\":{\"mediaType\":\"" REG_MT_OCI_CONFIG "\",\"digest\":\"" D5 "\","
#define OCI_HEAD "{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_OCI_MANIFEST "\","
#define IDX_HEAD "{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_OCI_INDEX "\",\"manifests\":["
	static const struct {
		const char *body, *ct, *msg;
	} cases[] = {
	    {"{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"b\"}",
	     "application/vnd.docker.distribution.manifest.v1+prettyjws", NULL},
	    {"{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"b\"}", NULL, NULL},
	    {"{\"name\":\"a\",\"fsLayers\":[]}", REG_MT_DOCKER_MANIFEST, NULL},
	    {"{\"schemaVersion\":2,\"mediaType\":\"application/"
	     "vnd.oci.artifact.manifest.v1+json\"}",
	     NULL,
	     "unsupported manifest media type \"application/vnd.oci.artifact.manifest.v1+json\""},
	    {"{\"schemaVersion\":2}", "application/vnd.foo",
	     "unsupported manifest media type \"application/vnd.foo\""},
	    {"{\"schemaVersion\":2}", NULL,
	     "manifest has no mediaType and neither manifests nor layers"},
	    {"{", NULL, "manifest is not valid JSON"},
	    {"", NULL, "manifest is not valid JSON"},
	    {"{} x", NULL, "manifest is not valid JSON"},
	    {"[]", NULL, "manifest is not a JSON object"},
	    {"{\"mediaType\":7}", NULL, "mediaType is not a string"},
	    {"{\"schemaVersion\":3,\"manifests\":[]}", NULL, "schemaVersion is not 2"},
	    {"{\"schemaVersion\":\"2\",\"manifests\":[]}", NULL, "schemaVersion is not 2"},
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
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reg_manifest m;
		struct reg_error err;
		CHECK_INT(parse_str(cases[i].body, cases[i].ct, &m, &err), REG_EFAIL);
		CHECK_STR(err.msg, cases[i].msg ? cases[i].msg : schema1_msg);
		CHECK(m.raw.data == NULL && m.media_type == NULL && m.digest == NULL);
	}

	/* an embedded NUL is not JSON whitespace */
	struct reg_manifest m;
	struct reg_error err;
	CHECK_INT(reg_manifest_parse((const uint8_t *)"{}\0", 3, NULL, &m, &err), REG_EFAIL);
	CHECK_STR(err.msg, "manifest is not valid JSON");
	CHECK_INT(reg_manifest_parse(NULL, 1, NULL, &m, &err), REG_EFAIL);
	CHECK_STR(err.msg, "manifest: no data");

	struct reg_buf s1 = read_corpus("schema1.json");
	CHECK_INT(reg_manifest_parse(s1.data, s1.len,
	                             "application/vnd.docker.distribution.manifest.v1+json", &m,
	                             &err),
	          REG_EFAIL);
	CHECK_STR(err.msg, schema1_msg);
	reg_buf_free(&s1);
}

static void manifest_size_cap(void)
{
	static const char body[] = "{\"schemaVersion\":2,\"manifests\":[]}";
	size_t n = REG_MANIFEST_MAX + 1;
	uint8_t *big = malloc(n);
	struct reg_manifest m;
	struct reg_error err;
	char want[REG_DIGEST_MAX];

	CHECK(big != NULL);
	memset(big, ' ', n);
	memcpy(big, body, sizeof(body) - 1);
	reg_error_clear(&err);
	CHECK_INT(reg_manifest_parse(big, n, NULL, &m, &err), REG_EFAIL);
	CHECK_STR(err.msg, "manifest is 4194305 bytes, more than the 4194304 byte limit");
	/* exactly at the cap is fine (trailing whitespace is allowed JSON) */
	CHECK_INT(reg_manifest_parse(big, n - 1, NULL, &m, &err), REG_OK);
	CHECK_INT(m.raw.len, REG_MANIFEST_MAX);
	reg_digest_sha256(big, n - 1, want);
	CHECK_STR(m.digest, want);
	reg_manifest_free(&m);
	free(big);
}

static void image_config_platform(void)
{
	static const char arm[] =
	    "{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\",\"config\":{\"Env\":[]},"
	    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	static const char win[] =
	    "{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763.6659\","
	    "\"os.features\":[\"win32k\"],\"variant\":\"\"}";
	struct reg_platform p;
	struct reg_error err;
	char *f;

	reg_error_clear(&err);
	CHECK_INT(reg_image_config_platform((const uint8_t *)arm, strlen(arm), &p, &err), REG_OK);
	f = reg_platform_format(&p);
	CHECK_STR(f, "linux/arm/v7");
	free(f);
	struct reg_platform want = {.os = "linux", .architecture = "arm"};
	CHECK_INT(reg_platform_match(&want, &p), 1);
	reg_platform_free(&p);

	CHECK_INT(reg_image_config_platform((const uint8_t *)win, strlen(win), &p, &err), REG_OK);
	CHECK_STR(p.variant, NULL);
	CHECK_STR(p.os_version, "10.0.17763.6659");
	CHECK_INT(p.n_os_features, 1);
	CHECK_STR(p.os_features[0], "win32k");
	reg_platform_free(&p);

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
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(reg_image_config_platform((const uint8_t *)bad[i].body,
		                                    strlen(bad[i].body), &p, &err),
		          REG_EFAIL);
		CHECK_STR(err.msg, bad[i].msg);
		CHECK(p.os == NULL && p.architecture == NULL);
	}
	CHECK_INT(reg_image_config_platform(NULL, REG_CONFIG_MAX + 1, &p, &err), REG_EFAIL);
	CHECK_STR(err.msg, "image config: no data");
	uint8_t one = '{';
	CHECK_INT(reg_image_config_platform(&one, REG_CONFIG_MAX + 1, &p, &err), REG_EFAIL);
	CHECK_STR(err.msg, "image config is 8388609 bytes, more than the 8388608 byte limit");
}

static void media_type_predicates(void)
{
	CHECK_INT(reg_media_type_is_list(REG_MT_DOCKER_LIST), 1);
	CHECK_INT(reg_media_type_is_list(REG_MT_OCI_INDEX), 1);
	CHECK_INT(reg_media_type_is_list(REG_MT_OCI_MANIFEST), 0);
	CHECK_INT(reg_media_type_is_list(NULL), 0);
	CHECK_INT(reg_media_type_is_image(REG_MT_DOCKER_MANIFEST), 1);
	CHECK_INT(reg_media_type_is_image(REG_MT_OCI_MANIFEST), 1);
	CHECK_INT(reg_media_type_is_image(REG_MT_OCI_INDEX), 0);
	CHECK_INT(reg_media_type_is_image("application/json"), 0);
	CHECK_INT(reg_media_type_is_image(NULL), 0);
}

int main(void)
{
	manifest_parses_docker_image();
	manifest_parses_oci_image_with_annotations();
	manifest_parses_docker_list_with_windows();
	manifest_buildx_index_skips_attestations();
	manifest_type_from_content_type_or_shape();
	manifest_rejects_with_exact_message();
	manifest_size_cap();
	image_config_platform();
	media_type_predicates();
	return check_finish();
}
