/* test_status_json_bytes.c — the JSON writers' bytes are pinned: a built
 * list (reg_list_build, Go's escapes: the bytes and so the digest docker
 * would give) and a status document (pub_status_serialize, RFC 8259's
 * short escapes) come out byte for byte as below, digests included, for
 * strings holding every byte the two escape differently (quote,
 * backslash, \t \n \r \b \f, a C0 control, DEL, < & >, U+2028/2029,
 * two- and four-byte UTF-8). */
#include "registry.h"
#include "status.h"
#include "unit.h"

/* The inputs: every kind of byte the writers escape differently. */
#define TRICKY                                                                                     \
	"q\"b\\s/t\tn\nr\rb\bf\fc\x01 del\x7f <a&b> \xc3\xa9 \xe2\x80\xa8 \xe2\x80\xa9 "           \
	"\xf0\x9f\x90\xb3"
static const char *const os_features[] = {"win32k"};
static const char *const features[] = {"sse4"};
#define LIST_FIXTURE                                                                               \
	struct reg_platform p1 = {.os = "linux", .architecture = "arm", .variant = "v7"};          \
	struct reg_platform p2 = {.os = "windows",                                                 \
	                          .architecture = "amd64",                                         \
	                          .os_version = "10.0.17763.6659",                                 \
	                          .os_features = (char **)os_features,                             \
	                          .n_os_features = 1,                                              \
	                          .features = (char **)features,                                   \
	                          .n_features = 1};                                                \
	struct reg_annotation ea[] = {{(char *)"org.opencontainers.image.title", (char *)TRICKY}}; \
	struct reg_annotation top[] = {{(char *)"b.key", (char *)"<value>"},                       \
	                               {(char *)"a.key", (char *)TRICKY}};                         \
	struct reg_list_entry entries[] = {                                                        \
	    {"application/vnd.oci.image.manifest.v1+json",                                         \
	     "sha256:1111111111111111111111111111111111111111111111111111111111111111", 1234, &p1, \
	     ea, 1},                                                                               \
	    {"application/vnd.oci.image.manifest.v1+json",                                         \
	     "sha256:2222222222222222222222222222222222222222222222222222222222222222", 5678, &p2, \
	     NULL, 0},                                                                             \
	};
static const char status_doc[] =
    "{\"schema\": 1, \"config\": \"configs/release.yaml\","
    " \"last_run\": {\"started\": \"2026-11-22T03:00:00Z\", \"finished\": \"2026-11-22T03:04:10Z\","
    " \"published\": 1, \"unchanged\": 0, \"incomplete\": 0, \"failed\": 1},"
    " \"targets\": [{\"target\": \"reg.example/coredns:v1.11.3\", \"state\": \"failed\","
    " \"since\": \"2026-11-22T03:00:00Z\","
    " \"reason\": \"q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\fc\\u0001 del\\u007f <a&b> \\u00e9 \\u2028 "
    "\xf0\x9f\x90\xb3\","
    " \"platforms\": [{\"platform\": \"linux/amd64\", \"source\": "
    "\"reg.example/coredns:v1.11.3-amd64\","
    " \"state\": \"ready\", \"digest\": "
    "\"sha256:1111111111111111111111111111111111111111111111111111111111111111\"}]},"
    " {\"target\": \"reg.example/kube-proxy:v1.31.0\", \"state\": \"published\","
    " \"digest\": \"sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\","
    " \"media_type\": \"application/vnd.oci.image.index.v1+json\", \"since\": "
    "\"2026-11-22T03:01:00Z\","
    " \"platforms\": [{\"platform\": \"linux/arm64\", \"source\": "
    "\"reg.example/kube-proxy-arm64:v1.31.0\","
    " \"state\": \"ready\", \"digest\": "
    "\"sha256:3333333333333333333333333333333333333333333333333333333333333333\"}]}]}";

/* The bytes the writers gave before they shared base_json_str. */
static const char want_list[] =
    "{\n"
    "   \"schemaVersion\": 2,\n"
    "   \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
    "   \"manifests\": [\n"
    "      {\n"
    "         \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
    "         \"digest\": "
    "\"sha256:1111111111111111111111111111111111111111111111111111111111111111\",\n"
    "         \"size\": 1234,\n"
    "         \"platform\": {\n"
    "            \"architecture\": \"arm\",\n"
    "            \"os\": \"linux\",\n"
    "            \"variant\": \"v7\"\n"
    "         },\n"
    "         \"annotations\": {\n"
    "            \"org.opencontainers.image.title\": "
    "\"q\\\"b\\\\s/t\\tn\\nr\\rb\\u0008f\\u000cc\\u0001 del\x7f"
    " \\u003ca\\u0026b\\u003e \xc3"
    "\xa9"
    " \\u2028 \\u2029 \xf0"
    "\x9f"
    "\x90"
    "\xb3"
    "\"\n"
    "         }\n"
    "      },\n"
    "      {\n"
    "         \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
    "         \"digest\": "
    "\"sha256:2222222222222222222222222222222222222222222222222222222222222222\",\n"
    "         \"size\": 5678,\n"
    "         \"platform\": {\n"
    "            \"architecture\": \"amd64\",\n"
    "            \"os\": \"windows\",\n"
    "            \"os.version\": \"10.0.17763.6659\",\n"
    "            \"os.features\": [\n"
    "               \"win32k\"\n"
    "            ],\n"
    "            \"features\": [\n"
    "               \"sse4\"\n"
    "            ]\n"
    "         }\n"
    "      }\n"
    "   ],\n"
    "   \"annotations\": {\n"
    "      \"a.key\": \"q\\\"b\\\\s/t\\tn\\nr\\rb\\u0008f\\u000cc\\u0001 del\x7f"
    " \\u003ca\\u0026b\\u003e \xc3"
    "\xa9"
    " \\u2028 \\u2029 \xf0"
    "\x9f"
    "\x90"
    "\xb3"
    "\",\n"
    "      \"b.key\": \"\\u003cvalue\\u003e\"\n"
    "   }\n"
    "}";
#define WANT_LIST_DIGEST "sha256:69ac8bb8cfadcecd1128b9eae2a7f7308100dda6e9b24499918ee8d87edbb60b"
static const char want_status[] =
    "{\n"
    "  \"schema\": 1,\n"
    "  \"config\": \"configs/release.yaml\",\n"
    "  \"last_run\": {\n"
    "    \"started\": \"2026-11-22T03:00:00Z\",\n"
    "    \"finished\": \"2026-11-22T03:04:10Z\",\n"
    "    \"published\": 1,\n"
    "    \"unchanged\": 0,\n"
    "    \"incomplete\": 0,\n"
    "    \"failed\": 1\n"
    "  },\n"
    "  \"targets\": [\n"
    "    {\n"
    "      \"target\": \"reg.example/coredns:v1.11.3\",\n"
    "      \"state\": \"failed\",\n"
    "      \"since\": \"2026-11-22T03:00:00Z\",\n"
    "      \"reason\": \"q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\fc\\u0001 del\\u007f <a&b> \xc3"
    "\xa9"
    " \xe2"
    "\x80"
    "\xa8"
    " \xf0"
    "\x9f"
    "\x90"
    "\xb3"
    "\",\n"
    "      \"platforms\": [\n"
    "        {\n"
    "          \"platform\": \"linux/amd64\",\n"
    "          \"source\": \"reg.example/coredns:v1.11.3-amd64\",\n"
    "          \"state\": \"ready\",\n"
    "          \"digest\": "
    "\"sha256:1111111111111111111111111111111111111111111111111111111111111111\"\n"
    "        }\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"target\": \"reg.example/kube-proxy:v1.31.0\",\n"
    "      \"state\": \"published\",\n"
    "      \"digest\": "
    "\"sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\",\n"
    "      \"media_type\": \"application/vnd.oci.image.index.v1+json\",\n"
    "      \"since\": \"2026-11-22T03:01:00Z\",\n"
    "      \"platforms\": [\n"
    "        {\n"
    "          \"platform\": \"linux/arm64\",\n"
    "          \"source\": \"reg.example/kube-proxy-arm64:v1.31.0\",\n"
    "          \"state\": \"ready\",\n"
    "          \"digest\": "
    "\"sha256:3333333333333333333333333333333333333333333333333333333333333333\"\n"
    "        }\n"
    "      ]\n"
    "    }\n"
    "  ]\n"
    "}\n";
#define WANT_STATUS_DIGEST "sha256:69da4983f0c946e3db4bda3bdab4e80fb5a9d69d707e0403c221d968201357e9"

static void list_bytes_and_digest_are_pinned(void **state)
{
	struct base_error err = {0};
	struct base_buf out = {0};
	const char *mt = NULL;
	char dg[REG_DIGEST_MAX];
	(void)state;
	LIST_FIXTURE

	assert_int_equal(reg_list_build(REG_LIST_OCI, entries, 2, top, 2, &out, &mt, &err), 0);
	assert_string_equal(mt, REG_MT_OCI_INDEX);
	assert_bytes_equal(out.data, out.len, want_list, sizeof(want_list) - 1);
	reg_digest_sha256(out.data, out.len, dg);
	assert_string_equal(dg, WANT_LIST_DIGEST);
	base_buf_free(&out);
}

static void status_bytes_and_digest_are_pinned(void **state)
{
	struct base_error err = {0};
	struct pub_status *st = NULL;
	char dg[REG_DIGEST_MAX], *text;
	(void)state;

	assert_int_equal(pub_status_parse("doc.json", status_doc, strlen(status_doc), &st, &err),
	                 0);
	text = pub_status_serialize(st);
	assert_non_null(text);
	assert_bytes_equal(text, strlen(text), want_status, sizeof(want_status) - 1);
	reg_digest_sha256((const uint8_t *)text, strlen(text), dg);
	assert_string_equal(dg, WANT_STATUS_DIGEST);
	free(text);
	pub_status_free(st);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(list_bytes_and_digest_are_pinned),
	    cmocka_unit_test(status_bytes_and_digest_are_pinned),
	};
	return unit_run_group("test_status_json_bytes", tests, argc, argv);
}
