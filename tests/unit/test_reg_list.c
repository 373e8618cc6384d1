/* test_reg_list.c — list bytes are deterministic and exactly the layout
 * the header promises (3-space indent, fixed key order, optional fields
 * omitted), Docker list vs OCI index is chosen by the rules, and the
 * digest of the bytes is pinned so any drift in layout is caught. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
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

static const struct reg_list_entry docker_entries[] = {
    {REG_MT_DOCKER_MANIFEST, DA, 739, &amd64, NULL, 0},
    {REG_MT_DOCKER_MANIFEST, DB, 740, &arm64, NULL, 0},
    {REG_MT_DOCKER_MANIFEST, DC, 0, &arm7, NULL, 0},
};

/* With auto and docker alike: exactly docker_want, whose digest is pinned,
 * and the same inputs give the same bytes. */
static void list_docker_bytes_are_exact_and_deterministic(void **state)
{
	(void)state;
	struct base_buf a = {0}, b = {0};
	struct base_error err;
	const char *mt = NULL;
	char digest[REG_DIGEST_MAX];

	base_error_clear(&err);
	for (int f = REG_LIST_AUTO; f <= REG_LIST_DOCKER; f++) {
		assert_int_equal(reg_list_build(f, docker_entries, 3, NULL, 0, &a, &mt, &err),
		                 BASE_OK);
		assert_string_equal(err.msg, "");
		assert_str_or_null_equal(mt, REG_MT_DOCKER_LIST);
		assert_int_equal(a.len, strlen(docker_want));
		assert_bytes_equal(a.data, a.len, docker_want, strlen(docker_want));
		reg_digest_sha256(a.data, a.len, digest);
		assert_string_equal(
		    digest,
		    "sha256:8e2a6496e470adfbac067d8189623ad9ded3cc08bfb4b5bdbe44f5392ff660b2");
		assert_int_equal(reg_list_build(f, docker_entries, 3, NULL, 0, &b, &mt, &err),
		                 BASE_OK);
		assert_bytes_equal(a.data, a.len, b.data, b.len);
		base_buf_free(&a);
		base_buf_free(&b);
	}
}

static void list_docker_bytes_parse_back_to_the_entries(void **state)
{
	(void)state;
	struct base_buf a = {0};
	struct base_error err;
	const char *mt = NULL;
	struct reg_manifest m;

	base_error_clear(&err);
	assert_int_equal(reg_list_build(REG_LIST_AUTO, docker_entries, 3, NULL, 0, &a, &mt, &err),
	                 BASE_OK);
	assert_int_equal(reg_manifest_parse(a.data, a.len, NULL, &m, &err), BASE_OK);
	assert_string_equal(m.media_type, REG_MT_DOCKER_LIST);
	assert_int_equal(m.n_entries, 3);
	assert_string_equal(m.entries[1].digest, DB);
	assert_int_equal(m.entries[1].size, 740);
	assert_string_equal(m.entries[2].platform.variant, "v7");
	assert_int_equal(reg_list_select(&m, &arm64), 1);
	reg_manifest_free(&m);
	base_buf_free(&a);
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

static char *win_osf[] = {"win32k"}, *win_feat[] = {"sse4", "avx2"};
static const struct reg_platform win = {
    .os = "windows",
    .architecture = "amd64",
    .variant = "",
    .os_version = "10.0.17763.6659",
    .os_features = win_osf,
    .n_os_features = 1,
    .features = win_feat,
    .n_features = 2,
};
/* given unsorted: the bytes sort annotation keys */
static const struct reg_annotation oci_entry_ann[] = {
    {"org.opencontainers.image.ref.name", "v1.31.0"},
    {"org.opencontainers.image.base.name", "debian:12"},
};
static const struct reg_annotation oci_top_ann[] = {
    {"z.key", "quote \" back \\ nl \n tab \t bell \a"},
    {"org.opencontainers.image.source", "https://example.com/r?a=1&b=<c>"},
    {"a.key", "caf\xc3\xa9 \xe2\x80\xa8"},
};
static const struct reg_list_entry oci_entries[] = {
    {REG_MT_OCI_MANIFEST, DA, 1054, &amd64, oci_entry_ann, 2},
    {REG_MT_DOCKER_MANIFEST, DB, 2147483648LL, &win, NULL, 0},
};

/* With auto and oci alike: exactly oci_want (sorted keys, escapes, empty
 * variant left out), whose digest is pinned, and deterministic. */
static void list_oci_index_bytes_are_exact_and_deterministic(void **state)
{
	(void)state;
	struct base_buf a = {0}, b = {0};
	struct base_error err;
	const char *mt = NULL;
	char digest[REG_DIGEST_MAX];

	base_error_clear(&err);
	for (int f = REG_LIST_AUTO; f <= REG_LIST_OCI; f += REG_LIST_OCI) {
		assert_int_equal(reg_list_build(f, oci_entries, 2, oci_top_ann, 3, &a, &mt, &err),
		                 BASE_OK);
		assert_string_equal(err.msg, "");
		assert_str_or_null_equal(mt, REG_MT_OCI_INDEX);
		assert_int_equal(a.len, strlen(oci_want));
		assert_bytes_equal(a.data, a.len, oci_want, strlen(oci_want));
		reg_digest_sha256(a.data, a.len, digest);
		assert_string_equal(
		    digest,
		    "sha256:cfe1748b5d2a19eb0fc0dbf4399e1b727a178c450771a6a7ca22389c13293f95");
		assert_int_equal(reg_list_build(f, oci_entries, 2, oci_top_ann, 3, &b, &mt, &err),
		                 BASE_OK);
		assert_bytes_equal(a.data, a.len, b.data, b.len);
		base_buf_free(&b);
		base_buf_free(&a);
	}
}

static void list_oci_index_escapes_read_back_as_the_text(void **state)
{
	(void)state;
	struct base_buf a = {0};
	struct base_error err;
	const char *mt = NULL;
	struct reg_manifest m;

	base_error_clear(&err);
	assert_int_equal(
	    reg_list_build(REG_LIST_OCI, oci_entries, 2, oci_top_ann, 3, &a, &mt, &err), BASE_OK);
	assert_int_equal(reg_manifest_parse(a.data, a.len, NULL, &m, &err), BASE_OK);
	assert_string_equal(m.media_type, REG_MT_OCI_INDEX);
	assert_int_equal(m.n_annotations, 3);
	assert_string_equal(m.annotations[0].value, "caf\xc3\xa9 \xe2\x80\xa8");
	assert_string_equal(m.annotations[1].value, "https://example.com/r?a=1&b=<c>");
	assert_string_equal(m.annotations[2].value, "quote \" back \\ nl \n tab \t bell \a");
	assert_int_equal(m.entries[1].size, 2147483648LL);
	assert_string_equal(m.entries[1].platform.features[1], "avx2");
	assert_string_equal(m.entries[0].annotations[0].key, "org.opencontainers.image.base.name");
	reg_manifest_free(&m);
	base_buf_free(&a);
}

static const struct reg_annotation one_ann[] = {{"k", "v"}};
static const struct reg_list_entry mixed_entries[] = {
    {REG_MT_DOCKER_MANIFEST, DA, 1, &amd64, NULL, 0},
    {REG_MT_OCI_MANIFEST, DB, 2, &arm64, NULL, 0},
};

static void list_auto_picks_oci_index_for_an_oci_child(void **state)
{
	(void)state;
	struct base_buf a = {0};
	struct base_error err;
	const char *mt = NULL;

	base_error_clear(&err);
	assert_int_equal(reg_list_build(REG_LIST_AUTO, mixed_entries, 2, NULL, 0, &a, &mt, &err),
	                 BASE_OK);
	assert_str_or_null_equal(mt, REG_MT_OCI_INDEX);
	base_buf_free(&a);
}

static void list_auto_picks_oci_index_for_index_annotations(void **state)
{
	(void)state;
	struct base_buf a = {0};
	struct base_error err;
	const char *mt = NULL;

	/* docker children only */
	base_error_clear(&err);
	assert_int_equal(reg_list_build(REG_LIST_AUTO, mixed_entries, 1, one_ann, 1, &a, &mt, &err),
	                 BASE_OK);
	assert_str_or_null_equal(mt, REG_MT_OCI_INDEX);
	base_buf_free(&a);
}

static void list_auto_picks_oci_index_for_entry_annotations(void **state)
{
	(void)state;
	struct base_buf a = {0};
	struct base_error err;
	const char *mt = NULL;
	const struct reg_list_entry ea[] = {{REG_MT_DOCKER_MANIFEST, DA, 1, &amd64, one_ann, 1}};

	base_error_clear(&err);
	assert_int_equal(reg_list_build(REG_LIST_AUTO, ea, 1, NULL, 0, &a, &mt, &err), BASE_OK);
	assert_str_or_null_equal(mt, REG_MT_OCI_INDEX);
	base_buf_free(&a);
}

static void list_auto_picks_oci_index_for_entry_without_platform(void **state)
{
	(void)state;
	struct base_buf a = {0};
	struct base_error err;
	const char *mt = NULL;
	/* a Docker list cannot hold it */
	const struct reg_list_entry np[] = {{REG_MT_DOCKER_MANIFEST, DA, 1, NULL, NULL, 0}};
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

	base_error_clear(&err);
	assert_int_equal(reg_list_build(REG_LIST_AUTO, np, 1, NULL, 0, &a, &mt, &err), BASE_OK);
	assert_str_or_null_equal(mt, REG_MT_OCI_INDEX);
	assert_int_equal(a.len, strlen(np_want));
	assert_bytes_equal(a.data, a.len, np_want, strlen(np_want));
	base_buf_free(&a);
}

static void list_empty_oci_index_exact_bytes(void **state)
{
	(void)state;
	struct base_buf a = {0};
	struct base_error err;
	const char *mt = NULL;
	static const char empty_want[] =
	    "{\n   \"schemaVersion\": 2,\n   \"mediaType\": "
	    "\"application/vnd.oci.image.index.v1+json\",\n   \"manifests\": []\n}";

	base_error_clear(&err);
	assert_int_equal(reg_list_build(REG_LIST_OCI, NULL, 0, NULL, 0, &a, &mt, &err), BASE_OK);
	assert_int_equal(a.len, strlen(empty_want));
	assert_bytes_equal(a.data, a.len, empty_want, strlen(empty_want));
	base_buf_free(&a);
}

static const struct reg_annotation dup_ann[] = {{"k", "v"}, {"k", "w"}};
static const struct reg_annotation bad_utf8_ann[] = {{"k", "\xc3("}}, nokey_ann[] = {{"", "v"}};
static const struct reg_platform noos = {.architecture = "amd64"};

struct refusal {
	int format;
	size_t n_top; /* of one_ann */
	struct reg_list_entry entries[2];
	size_t n_entries;
	const char *msg;
};

/* Each build is refused with exactly this message and no bytes. */
static void check_refusals(const struct refusal *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct base_buf a = {0};
		struct base_error err;
		const char *mt = NULL;
		base_error_clear(&err);
		assert_int_equal(reg_list_build(cases[i].format, cases[i].entries,
		                                cases[i].n_entries, one_ann, cases[i].n_top, &a,
		                                &mt, &err),
		                 BASE_EFAIL);
		assert_string_equal(err.msg, cases[i].msg);
		assert_null(a.data);
		assert_int_equal(a.len, 0);
	}
}

static void list_docker_refuses_what_only_an_oci_index_holds(void **state)
{
	(void)state;
	const struct refusal cases[] = {
	    {REG_LIST_DOCKER,
	     0,
	     {mixed_entries[0], mixed_entries[1]},
	     2,
	     "a Docker manifest list cannot hold manifests[1] "
	     "(application/vnd.oci.image.manifest.v1+json); use the OCI index format"},
	    {REG_LIST_DOCKER,
	     1,
	     {mixed_entries[0]},
	     1,
	     "a Docker manifest list cannot carry annotations; use the OCI index format"},
	    {REG_LIST_DOCKER,
	     0,
	     {{REG_MT_DOCKER_MANIFEST, DA, 1, &amd64, one_ann, 1}},
	     1,
	     "a Docker manifest list cannot carry annotations (manifests[0]); use the OCI index "
	     "format"},
	    {REG_LIST_DOCKER,
	     0,
	     {{REG_MT_DOCKER_MANIFEST, DA, 1, NULL, NULL, 0}},
	     1,
	     "a Docker manifest list needs a platform for manifests[0]"},
	};
	check_refusals(cases, UNIT_COUNT(cases));
}

static void list_refuses_bad_entries_with_exact_message(void **state)
{
	(void)state;
	const struct refusal cases[] = {
	    {REG_LIST_OCI,
	     0,
	     {{REG_MT_OCI_MANIFEST, "sha256:abc", 1, &amd64, NULL, 0}},
	     1,
	     "manifests[0]: digest \"sha256:abc\" is not a sha256 digest"},
	    {REG_LIST_OCI,
	     0,
	     {{REG_MT_OCI_MANIFEST, DA, -1, &amd64, NULL, 0}},
	     1,
	     "manifests[0]: size -1 is negative"},
	    {REG_LIST_OCI,
	     0,
	     {{NULL, DA, 1, &amd64, NULL, 0}},
	     1,
	     "manifests[0]: media type is missing"},
	    {REG_LIST_OCI,
	     0,
	     {{REG_MT_OCI_MANIFEST, DA, 1, &noos, NULL, 0}},
	     1,
	     "manifests[0]: platform needs os and architecture"},
	    {REG_LIST_OCI,
	     0,
	     {{REG_MT_OCI_MANIFEST, DA, 1, &amd64, dup_ann, 2}},
	     1,
	     "manifests[0]: annotation \"k\" is given twice"},
	    {REG_LIST_OCI,
	     0,
	     {{REG_MT_OCI_MANIFEST, DA, 1, &amd64, bad_utf8_ann, 1}},
	     1,
	     "manifests[0]: annotation \"k\" is not valid UTF-8"},
	    {REG_LIST_OCI,
	     0,
	     {{REG_MT_OCI_MANIFEST, DA, 1, &amd64, nokey_ann, 1}},
	     1,
	     "manifests[0]: annotation 0 has no key or no value"},
	};
	check_refusals(cases, UNIT_COUNT(cases));
}

static void list_refuses_index_annotation_given_twice(void **state)
{
	(void)state;
	struct base_buf a = {0};
	struct base_error err;
	const char *mt = NULL;

	base_error_clear(&err);
	assert_int_equal(reg_list_build(REG_LIST_OCI, mixed_entries, 1, dup_ann, 2, &a, &mt, &err),
	                 BASE_EFAIL);
	assert_string_equal(err.msg, "annotation \"k\" is given twice");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(list_docker_bytes_are_exact_and_deterministic),
	    cmocka_unit_test(list_docker_bytes_parse_back_to_the_entries),
	    cmocka_unit_test(list_oci_index_bytes_are_exact_and_deterministic),
	    cmocka_unit_test(list_oci_index_escapes_read_back_as_the_text),
	    cmocka_unit_test(list_auto_picks_oci_index_for_an_oci_child),
	    cmocka_unit_test(list_auto_picks_oci_index_for_index_annotations),
	    cmocka_unit_test(list_auto_picks_oci_index_for_entry_annotations),
	    cmocka_unit_test(list_auto_picks_oci_index_for_entry_without_platform),
	    cmocka_unit_test(list_empty_oci_index_exact_bytes),
	    cmocka_unit_test(list_docker_refuses_what_only_an_oci_index_holds),
	    cmocka_unit_test(list_refuses_bad_entries_with_exact_message),
	    cmocka_unit_test(list_refuses_index_annotation_given_twice),
	};
	return unit_run_group("test_reg_list", tests, argc, argv);
}
