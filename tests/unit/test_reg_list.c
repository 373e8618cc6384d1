/* test_reg_list.c — list bytes are deterministic and exactly the layout
 * the header promises (3-space indent, fixed key order, optional fields
 * omitted), Docker list vs OCI index is chosen by the rules, and the
 * digest of the bytes is pinned so any drift in layout is caught. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "registry.h"

#define DA "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DB "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DC "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static const struct reg_platform amd64 = {.os = "linux", .architecture = "amd64"};
static const struct reg_platform arm64 = {.os = "linux", .architecture = "arm64", .variant = "v8"};
static const struct reg_platform arm7 = {.os = "linux", .architecture = "arm", .variant = "v7"};

static const char docker_want[] =
    "{\n"
    "   \"schemaVersion\": 2,\n"
    "   \"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",\n"
    "   \"manifests\": [\n"
    "      {\n"
    "         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
    "         \"digest\": \"" DA "\",\n"
    "         \"size\": 739,\n"
    "         \"platform\": {\n"
    "            \"architecture\": \"amd64\",\n"
    "            \"os\": \"linux\"\n"
    "         }\n"
    "      },\n"
    "      {\n"
    "         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
    "         \"digest\": \"" DB "\",\n"
    "         \"size\": 740,\n"
    "         \"platform\": {\n"
    "            \"architecture\": \"arm64\",\n"
    "            \"os\": \"linux\",\n"
    "            \"variant\": \"v8\"\n"
    "         }\n"
    "      },\n"
    "      {\n"
    "         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
    "         \"digest\": \"" DC "\",\n"
    "         \"size\": 0,\n"
    "         \"platform\": {\n"
    "            \"architecture\": \"arm\",\n"
    "            \"os\": \"linux\",\n"
    "            \"variant\": \"v7\"\n"
    "         }\n"
    "      }\n"
    "   ]\n"
    "}";

static void list_docker_exact_bytes(void)
{
	const struct reg_list_entry e[] = {
	    {REG_MT_DOCKER_MANIFEST, DA, 739, &amd64, NULL, 0},
	    {REG_MT_DOCKER_MANIFEST, DB, 740, &arm64, NULL, 0},
	    {REG_MT_DOCKER_MANIFEST, DC, 0, &arm7, NULL, 0},
	};
	struct reg_buf a = {0}, b = {0};
	struct reg_error err;
	const char *mt = NULL;
	char digest[REG_DIGEST_MAX];

	reg_error_clear(&err);
	for (int f = REG_LIST_AUTO; f <= REG_LIST_DOCKER; f++) {
		CHECK_INT(reg_list_build(f, e, 3, NULL, 0, &a, &mt, &err), REG_OK);
		CHECK_STR(err.msg, "");
		CHECK_STR(mt, REG_MT_DOCKER_LIST);
		CHECK_INT(a.len, strlen(docker_want));
		CHECK(a.len == strlen(docker_want) && memcmp(a.data, docker_want, a.len) == 0);
		if (a.len != strlen(docker_want) || memcmp(a.data, docker_want, a.len) != 0)
			fprintf(stderr, "got:\n%.*s\n", (int)a.len, (const char *)a.data);
		reg_digest_sha256(a.data, a.len, digest);
		CHECK_STR(
		    digest,
		    "sha256:8e2a6496e470adfbac067d8189623ad9ded3cc08bfb4b5bdbe44f5392ff660b2");
		/* same inputs, same bytes */
		CHECK_INT(reg_list_build(f, e, 3, NULL, 0, &b, &mt, &err), REG_OK);
		CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
		reg_buf_free(&a);
		reg_buf_free(&b);
	}

	/* parsing the bytes back gives the same entries */
	struct reg_manifest m;
	CHECK_INT(reg_list_build(REG_LIST_AUTO, e, 3, NULL, 0, &a, &mt, &err), REG_OK);
	CHECK_INT(reg_manifest_parse(a.data, a.len, NULL, &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_DOCKER_LIST);
	CHECK_INT(m.n_entries, 3);
	CHECK_STR(m.entries[1].digest, DB);
	CHECK_INT(m.entries[1].size, 740);
	CHECK_STR(m.entries[2].platform.variant, "v7");
	CHECK_INT(reg_list_select(&m, &arm64), 1);
	reg_manifest_free(&m);
	reg_buf_free(&a);
}

static const char oci_want[] =
    "{\n"
    "   \"schemaVersion\": 2,\n"
    "   \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
    "   \"manifests\": [\n"
    "      {\n"
    "         \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
    "         \"digest\": \"" DA "\",\n"
    "         \"size\": 1054,\n"
    "         \"platform\": {\n"
    "            \"architecture\": \"amd64\",\n"
    "            \"os\": \"linux\"\n"
    "         },\n"
    "         \"annotations\": {\n"
    "            \"org.opencontainers.image.base.name\": \"debian:12\",\n"
    "            \"org.opencontainers.image.ref.name\": \"v1.31.0\"\n"
    "         }\n"
    "      },\n"
    "      {\n"
    "         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
    "         \"digest\": \"" DB "\",\n"
    "         \"size\": 2147483648,\n"
    "         \"platform\": {\n"
    "            \"architecture\": \"amd64\",\n"
    "            \"os\": \"windows\",\n"
    "            \"os.version\": \"10.0.17763.6659\",\n"
    "            \"os.features\": [\n"
    "               \"win32k\"\n"
    "            ],\n"
    "            \"features\": [\n"
    "               \"sse4\",\n"
    "               \"avx2\"\n"
    "            ]\n"
    "         }\n"
    "      }\n"
    "   ],\n"
    "   \"annotations\": {\n"
    "      \"a.key\": \"caf\xc3\xa9 \\u2028\",\n"
    "      \"org.opencontainers.image.source\": "
    "\"https://example.com/r?a=1\\u0026b=\\u003cc\\u003e\",\n"
    "      \"z.key\": \"quote \\\" back \\\\ nl \\n tab \\t bell \\u0007\"\n"
    "   }\n"
    "}";

static void list_oci_index_exact_bytes(void)
{
	char *osf[] = {"win32k"}, *feat[] = {"sse4", "avx2"};
	const struct reg_platform win = {
	    .os = "windows",
	    .architecture = "amd64",
	    .variant = "",
	    .os_version = "10.0.17763.6659",
	    .os_features = osf,
	    .n_os_features = 1,
	    .features = feat,
	    .n_features = 2,
	};
	/* given unsorted: the bytes sort annotation keys */
	const struct reg_annotation ea[] = {
	    {"org.opencontainers.image.ref.name", "v1.31.0"},
	    {"org.opencontainers.image.base.name", "debian:12"},
	};
	const struct reg_annotation top[] = {
	    {"z.key", "quote \" back \\ nl \n tab \t bell \a"},
	    {"org.opencontainers.image.source", "https://example.com/r?a=1&b=<c>"},
	    {"a.key", "caf\xc3\xa9 \xe2\x80\xa8"},
	};
	const struct reg_list_entry e[] = {
	    {REG_MT_OCI_MANIFEST, DA, 1054, &amd64, ea, 2},
	    {REG_MT_DOCKER_MANIFEST, DB, 2147483648LL, &win, NULL, 0},
	};
	struct reg_buf a = {0}, b = {0};
	struct reg_error err;
	const char *mt = NULL;
	char digest[REG_DIGEST_MAX];

	reg_error_clear(&err);
	for (int f = REG_LIST_AUTO; f <= REG_LIST_OCI; f += REG_LIST_OCI) {
		CHECK_INT(reg_list_build(f, e, 2, top, 3, &a, &mt, &err), REG_OK);
		CHECK_STR(err.msg, "");
		CHECK_STR(mt, REG_MT_OCI_INDEX);
		CHECK_INT(a.len, strlen(oci_want));
		CHECK(a.len == strlen(oci_want) && memcmp(a.data, oci_want, a.len) == 0);
		if (a.len != strlen(oci_want) || memcmp(a.data, oci_want, a.len) != 0)
			fprintf(stderr, "got:\n%.*s\n", (int)a.len, (const char *)a.data);
		reg_digest_sha256(a.data, a.len, digest);
		CHECK_STR(
		    digest,
		    "sha256:cfe1748b5d2a19eb0fc0dbf4399e1b727a178c450771a6a7ca22389c13293f95");
		CHECK_INT(reg_list_build(f, e, 2, top, 3, &b, &mt, &err), REG_OK);
		CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
		reg_buf_free(&b);
		if (f == REG_LIST_OCI)
			break;
		reg_buf_free(&a);
	}

	/* the escapes read back as the original text */
	struct reg_manifest m;
	CHECK_INT(reg_manifest_parse(a.data, a.len, NULL, &m, &err), REG_OK);
	CHECK_STR(m.media_type, REG_MT_OCI_INDEX);
	CHECK_INT(m.n_annotations, 3);
	CHECK_STR(m.annotations[0].value, "caf\xc3\xa9 \xe2\x80\xa8");
	CHECK_STR(m.annotations[1].value, "https://example.com/r?a=1&b=<c>");
	CHECK_STR(m.annotations[2].value, "quote \" back \\ nl \n tab \t bell \a");
	CHECK_INT(m.entries[1].size, 2147483648LL);
	CHECK_STR(m.entries[1].platform.features[1], "avx2");
	CHECK_STR(m.entries[0].annotations[0].key, "org.opencontainers.image.base.name");
	reg_manifest_free(&m);
	reg_buf_free(&a);
}

static void list_auto_picks_oci_when_needed(void)
{
	const struct reg_annotation ann[] = {{"k", "v"}};
	struct reg_buf a = {0};
	struct reg_error err;
	const char *mt = NULL;

	reg_error_clear(&err);
	/* one OCI child → index */
	const struct reg_list_entry mixed[] = {
	    {REG_MT_DOCKER_MANIFEST, DA, 1, &amd64, NULL, 0},
	    {REG_MT_OCI_MANIFEST, DB, 2, &arm64, NULL, 0},
	};
	CHECK_INT(reg_list_build(REG_LIST_AUTO, mixed, 2, NULL, 0, &a, &mt, &err), REG_OK);
	CHECK_STR(mt, REG_MT_OCI_INDEX);
	reg_buf_free(&a);
	/* docker children but an index annotation → index */
	CHECK_INT(reg_list_build(REG_LIST_AUTO, mixed, 1, ann, 1, &a, &mt, &err), REG_OK);
	CHECK_STR(mt, REG_MT_OCI_INDEX);
	reg_buf_free(&a);
	/* docker children, one entry annotation → index */
	const struct reg_list_entry ea[] = {{REG_MT_DOCKER_MANIFEST, DA, 1, &amd64, ann, 1}};
	CHECK_INT(reg_list_build(REG_LIST_AUTO, ea, 1, NULL, 0, &a, &mt, &err), REG_OK);
	CHECK_STR(mt, REG_MT_OCI_INDEX);
	reg_buf_free(&a);
	/* an entry without a platform cannot go in a Docker list */
	const struct reg_list_entry np[] = {{REG_MT_DOCKER_MANIFEST, DA, 1, NULL, NULL, 0}};
	CHECK_INT(reg_list_build(REG_LIST_AUTO, np, 1, NULL, 0, &a, &mt, &err), REG_OK);
	CHECK_STR(mt, REG_MT_OCI_INDEX);
	static const char np_want[] =
	    "{\n"
	    "   \"schemaVersion\": 2,\n"
	    "   \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
	    "   \"manifests\": [\n"
	    "      {\n"
	    "         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	    "         \"digest\": \"" DA "\",\n"
	    "         \"size\": 1\n"
	    "      }\n"
	    "   ]\n"
	    "}";
	CHECK_INT(a.len, strlen(np_want));
	CHECK(a.len == strlen(np_want) && memcmp(a.data, np_want, a.len) == 0);
	reg_buf_free(&a);
	/* empty list */
	CHECK_INT(reg_list_build(REG_LIST_OCI, NULL, 0, NULL, 0, &a, &mt, &err), REG_OK);
	CHECK_INT(a.len,
	          strlen("{\n   \"schemaVersion\": 2,\n   \"mediaType\": "
	                 "\"application/vnd.oci.image.index.v1+json\",\n   \"manifests\": []\n}"));
	CHECK(memcmp(a.data,
	             "{\n   \"schemaVersion\": 2,\n   \"mediaType\": "
	             "\"application/vnd.oci.image.index.v1+json\",\n   \"manifests\": []\n}",
	             a.len) == 0);
	reg_buf_free(&a);
}

static void list_refuses_with_exact_message(void)
{
	const struct reg_annotation ann[] = {{"k", "v"}}, dup[] = {{"k", "v"}, {"k", "w"}};
	const struct reg_annotation bad_utf8[] = {{"k", "\xc3("}}, nokey[] = {{"", "v"}};
	const struct reg_platform noos = {.architecture = "amd64"};
	struct reg_buf a = {0};
	struct reg_error err;
	const char *mt = NULL;

	const struct reg_list_entry oci_child[] = {
	    {REG_MT_DOCKER_MANIFEST, DA, 1, &amd64, NULL, 0},
	    {REG_MT_OCI_MANIFEST, DB, 2, &arm64, NULL, 0},
	};
	static const struct {
		int format;
		size_t n_top;
		int which; /* entries set */
		const char *msg;
	} cases[] = {
	    {REG_LIST_DOCKER, 0, 0,
	     "a Docker manifest list cannot hold manifests[1] "
	     "(application/vnd.oci.image.manifest.v1+json); use the OCI index format"},
	    {REG_LIST_DOCKER, 1, 1,
	     "a Docker manifest list cannot carry annotations; use the OCI index format"},
	    {REG_LIST_DOCKER, 0, 2,
	     "a Docker manifest list cannot carry annotations (manifests[0]); use the OCI index "
	     "format"},
	    {REG_LIST_DOCKER, 0, 3, "a Docker manifest list needs a platform for manifests[0]"},
	    {REG_LIST_OCI, 0, 4, "manifests[0]: digest \"sha256:abc\" is not a sha256 digest"},
	    {REG_LIST_OCI, 0, 5, "manifests[0]: size -1 is negative"},
	    {REG_LIST_OCI, 0, 6, "manifests[0]: media type is missing"},
	    {REG_LIST_OCI, 0, 7, "manifests[0]: platform needs os and architecture"},
	    {REG_LIST_OCI, 0, 8, "manifests[0]: annotation \"k\" is given twice"},
	    {REG_LIST_OCI, 0, 9, "manifests[0]: annotation \"k\" is not valid UTF-8"},
	    {REG_LIST_OCI, 0, 10, "manifests[0]: annotation 0 has no key or no value"},
	};
	const struct reg_list_entry sets[][2] = {
	    {oci_child[0], oci_child[1]},
	    {oci_child[0]},
	    {{REG_MT_DOCKER_MANIFEST, DA, 1, &amd64, ann, 1}},
	    {{REG_MT_DOCKER_MANIFEST, DA, 1, NULL, NULL, 0}},
	    {{REG_MT_OCI_MANIFEST, "sha256:abc", 1, &amd64, NULL, 0}},
	    {{REG_MT_OCI_MANIFEST, DA, -1, &amd64, NULL, 0}},
	    {{NULL, DA, 1, &amd64, NULL, 0}},
	    {{REG_MT_OCI_MANIFEST, DA, 1, &noos, NULL, 0}},
	    {{REG_MT_OCI_MANIFEST, DA, 1, &amd64, dup, 2}},
	    {{REG_MT_OCI_MANIFEST, DA, 1, &amd64, bad_utf8, 1}},
	    {{REG_MT_OCI_MANIFEST, DA, 1, &amd64, nokey, 1}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = cases[i].which == 0 ? 2 : 1;
		reg_error_clear(&err);
		CHECK_INT(reg_list_build(cases[i].format, sets[cases[i].which], n, ann,
		                         cases[i].n_top, &a, &mt, &err),
		          REG_EFAIL);
		CHECK_STR(err.msg, cases[i].msg);
		CHECK(a.data == NULL && a.len == 0);
	}
	CHECK_INT(reg_list_build(REG_LIST_OCI, oci_child, 1, dup, 2, &a, &mt, &err), REG_EFAIL);
	CHECK_STR(err.msg, "annotation \"k\" is given twice");
}

int main(void)
{
	list_docker_exact_bytes();
	list_oci_index_exact_bytes();
	list_auto_picks_oci_when_needed();
	list_refuses_with_exact_message();
	return check_finish();
}
