/* test_pub_listedit.c — pub_list_edit: an edited list is the list rebuilt
 * from its entries with exactly one change (byte for byte what
 * reg_list_build gives for the expected entries), appends go at the end or
 * replace in place, annotate changes only the named fields, annotations turn
 * a Docker list into an OCI index, and attestations of a replaced image go
 * with it. Also pub_annotation_add and pub_single_from_args. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define D4 "sha256:4444444444444444444444444444444444444444444444444444444444444444"
#define D5 "sha256:5555555555555555555555555555555555555555555555555555555555555555"

static struct reg_platform plat(const char *text)
{
	struct reg_platform p = {0};
	struct reg_error err = {0};
	if (reg_platform_parse(text, &p, &err) < 0)
		fprintf(stderr, "platform %s: %s\n", text, err.msg);
	return p;
}

/* Build bytes from entries and parse them back into m. */
static int list_make(enum reg_list_format f, const struct reg_list_entry *e, size_t n,
                     const struct reg_annotation *ann, size_t n_ann, struct reg_manifest *m,
                     struct reg_buf *bytes)
{
	struct reg_error err = {0};
	const char *mt = NULL;
	if (reg_list_build(f, e, n, ann, n_ann, bytes, &mt, &err) < 0 ||
	    reg_manifest_parse(bytes->data, bytes->len, mt, m, &err) < 0) {
		fprintf(stderr, "list_make: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int same_bytes(const struct reg_buf *a, const struct reg_buf *b)
{
	if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0) {
		fprintf(stderr, "got:\n%.*s\nwant:\n%.*s\n", (int)a->len, (const char *)a->data,
		        (int)b->len, (const char *)b->data);
		return 0;
	}
	return 1;
}

static void test_docker_list_edits(void)
{
	struct reg_platform amd = plat("linux/amd64"), arm = plat("linux/arm64"),
	                    s390 = plat("linux/s390x"), arm8 = plat("linux/arm64/v8");
	struct reg_list_entry in[2] = {
	    {REG_MT_DOCKER_MANIFEST, D1, 528, &amd, NULL, 0},
	    {REG_MT_DOCKER_MANIFEST, D2, 529, &arm, NULL, 0},
	};
	struct reg_manifest list = {0};
	struct reg_buf bytes = {0}, want = {0};
	struct pub_edit_result r = {0};
	struct reg_error err = {0};
	const char *mt;

	CHECK(list_make(REG_LIST_DOCKER, in, 2, NULL, 0, &list, &bytes) == 0);

	/* append a new platform: at the end, everything else as it was */
	struct pub_entry_edit add = {
	    .select = &s390, .media_type = REG_MT_DOCKER_MANIFEST, .digest = D3, .size = 530};
	CHECK_INT(pub_list_edit(&list, &add, &r, &err), 0);
	struct reg_list_entry w1[3] = {
	    in[0], in[1], {REG_MT_DOCKER_MANIFEST, D3, 530, &s390, NULL, 0}};
	CHECK(reg_list_build(REG_LIST_DOCKER, w1, 3, NULL, 0, &want, &mt, &err) == 0);
	CHECK(same_bytes(&r.bytes, &want));
	CHECK_STR(r.media_type, REG_MT_DOCKER_LIST);
	CHECK_INT(r.index, 2);
	CHECK_INT(r.replaced, 0);
	CHECK_INT(r.converted, 0);
	char dg[REG_DIGEST_MAX];
	reg_digest_sha256(want.data, want.len, dg);
	CHECK_STR(r.digest, dg);
	pub_edit_result_free(&r);
	reg_buf_free(&want);

	/* append for a platform already there: replaced in place */
	struct pub_entry_edit rep = {
	    .select = &amd, .media_type = REG_MT_DOCKER_MANIFEST, .digest = D4, .size = 600};
	CHECK_INT(pub_list_edit(&list, &rep, &r, &err), 0);
	struct reg_list_entry w2[2] = {{REG_MT_DOCKER_MANIFEST, D4, 600, &amd, NULL, 0}, in[1]};
	CHECK(reg_list_build(REG_LIST_DOCKER, w2, 2, NULL, 0, &want, &mt, &err) == 0);
	CHECK(same_bytes(&r.bytes, &want));
	CHECK_INT(r.index, 0);
	CHECK_INT(r.replaced, 1);
	pub_edit_result_free(&r);
	reg_buf_free(&want);

	/* annotate: variant set on arm64 only */
	struct pub_entry_edit ann = {.select = &arm, .variant = "v8"};
	CHECK_INT(pub_list_edit(&list, &ann, &r, &err), 0);
	struct reg_list_entry w3[2] = {in[0], {REG_MT_DOCKER_MANIFEST, D2, 529, &arm8, NULL, 0}};
	CHECK(reg_list_build(REG_LIST_DOCKER, w3, 2, NULL, 0, &want, &mt, &err) == 0);
	CHECK(same_bytes(&r.bytes, &want));
	CHECK_INT(r.index, 1);
	pub_edit_result_free(&r);
	reg_buf_free(&want);

	/* annotate an entry that is not there: the message lists what is */
	struct pub_entry_edit none = {.select = &s390, .variant = "x"};
	CHECK(pub_list_edit(&list, &none, &r, &err) < 0);
	CHECK_STR(err.msg,
	          "no entry for linux/s390x in the list (it has: linux/amd64, linux/arm64)");

	/* an annotation turns the Docker list into an OCI index */
	struct reg_annotation a[1] = {{"org.example.tier", "edge"}};
	struct pub_entry_edit oci = {.select = &amd, .annotations = a, .n_annotations = 1};
	CHECK_INT(pub_list_edit(&list, &oci, &r, &err), 0);
	CHECK_STR(r.media_type, REG_MT_OCI_INDEX);
	CHECK_INT(r.converted, 1);
	struct reg_list_entry w4[2] = {{REG_MT_DOCKER_MANIFEST, D1, 528, &amd, a, 1}, in[1]};
	CHECK(reg_list_build(REG_LIST_OCI, w4, 2, NULL, 0, &want, &mt, &err) == 0);
	CHECK(same_bytes(&r.bytes, &want));
	pub_edit_result_free(&r);
	reg_buf_free(&want);

	reg_manifest_free(&list);
	reg_buf_free(&bytes);
	reg_platform_free(&amd);
	reg_platform_free(&arm);
	reg_platform_free(&s390);
	reg_platform_free(&arm8);
}

static void test_oci_index_edits(void)
{
	struct reg_platform amd = plat("linux/amd64"), win = plat("windows/amd64");
	/* buildx writes attestations as unknown/unknown, not a real platform */
	struct reg_platform unk = {.os = strdup("unknown"), .architecture = strdup("unknown")};
	struct reg_error err = {0};
	struct reg_annotation att[2] = {{"vnd.docker.reference.digest", D1},
	                                {"vnd.docker.reference.type", "attestation-manifest"}};
	struct reg_annotation keep[1] = {{"org.example.k", "v"}};
	struct reg_annotation idx[1] = {{"org.opencontainers.image.version", "1"}};
	struct reg_list_entry in[3] = {
	    {REG_MT_OCI_MANIFEST, D1, 500, &amd, keep, 1},
	    {REG_MT_OCI_MANIFEST, D2, 400, &unk, att, 2},
	    {REG_MT_OCI_MANIFEST, D5, 450, &win, NULL, 0},
	};
	struct reg_manifest list = {0};
	struct reg_buf bytes = {0}, want = {0};
	struct pub_edit_result r = {0};
	const char *mt;

	CHECK(list_make(REG_LIST_OCI, in, 3, idx, 1, &list, &bytes) == 0);

	/* replacing amd64: its attestation goes too; the new entry starts
	 * with only the annotations given; index annotations kept and merged */
	struct reg_annotation more[2] = {{"org.opencontainers.image.version", "2"},
	                                 {"org.example.new", "x"}};
	struct pub_entry_edit rep = {.select = &amd,
	                             .media_type = REG_MT_OCI_MANIFEST,
	                             .digest = D3,
	                             .size = 501,
	                             .index_annotations = more,
	                             .n_index_annotations = 2};
	CHECK_INT(pub_list_edit(&list, &rep, &r, &err), 0);
	struct reg_annotation widx[2] = {{"org.opencontainers.image.version", "2"},
	                                 {"org.example.new", "x"}};
	struct reg_list_entry w[2] = {{REG_MT_OCI_MANIFEST, D3, 501, &amd, NULL, 0}, in[2]};
	CHECK(reg_list_build(REG_LIST_OCI, w, 2, widx, 2, &want, &mt, &err) == 0);
	CHECK(same_bytes(&r.bytes, &want));
	CHECK_INT(r.replaced, 1);
	CHECK_INT(r.converted, 0);
	pub_edit_result_free(&r);
	reg_buf_free(&want);

	/* annotate windows: os.version, features; entry annotation merged */
	char *osf[1] = {"win32k"};
	struct pub_entry_edit wn = {.select = &win,
	                            .os_version = "10.0.17763.6659",
	                            .set_os_features = 1,
	                            .os_features = osf,
	                            .n_os_features = 1,
	                            .annotations = keep,
	                            .n_annotations = 1};
	CHECK_INT(pub_list_edit(&list, &wn, &r, &err), 0);
	struct reg_platform win2 = plat("windows/amd64:10.0.17763.6659");
	win2.os_features = osf;
	win2.n_os_features = 1;
	struct reg_list_entry w2[3] = {
	    in[0], in[1], {REG_MT_OCI_MANIFEST, D5, 450, &win2, keep, 1}};
	CHECK(reg_list_build(REG_LIST_OCI, w2, 3, idx, 1, &want, &mt, &err) == 0);
	CHECK(same_bytes(&r.bytes, &want));
	win2.os_features = NULL;
	win2.n_os_features = 0;
	reg_platform_free(&win2);
	pub_edit_result_free(&r);
	reg_buf_free(&want);

	reg_manifest_free(&list);
	reg_buf_free(&bytes);
	reg_platform_free(&amd);
	reg_platform_free(&unk);
	reg_platform_free(&win);
}

static void test_annotation_add(void)
{
	struct reg_annotation *a = NULL;
	size_t n = 0;
	struct reg_error err = {0};
	CHECK_INT(pub_annotation_add(&a, &n, "k=v", &err), 0);
	CHECK_INT(pub_annotation_add(&a, &n, "x=a=b", &err), 0);
	CHECK_INT(pub_annotation_add(&a, &n, "k=w", &err), 0);
	CHECK_INT(pub_annotation_add(&a, &n, "e=", &err), 0);
	CHECK_INT((int)n, 3);
	CHECK_STR(a[0].key, "k");
	CHECK_STR(a[0].value, "w");
	CHECK_STR(a[1].key, "x");
	CHECK_STR(a[1].value, "a=b");
	CHECK_STR(a[2].value, "");
	CHECK(pub_annotation_add(&a, &n, "novalue", &err) < 0);
	CHECK_STR(err.msg, "annotation \"novalue\" is not KEY=VALUE");
	CHECK(pub_annotation_add(&a, &n, "=v", &err) < 0);
	pub_annotations_free(a, n);
}

static void test_from_args(void)
{
	struct pub_single s = {0};
	struct reg_error err = {0};
	CHECK_INT(pub_single_from_args("linux/amd64, linux/arm/v7",
	                               "reg.example.com/app-ARCHVARIANT:v1",
	                               "reg.example.com/app:v1", "latest,stable", &s, &err),
	          0);
	CHECK_INT((int)s.n_children, 2);
	CHECK_STR(s.children[0].source, "reg.example.com/app-amd64:v1");
	CHECK_STR(s.children[1].source, "reg.example.com/app-armv7:v1");
	CHECK_STR(s.children[1].platform.variant, "v7");
	CHECK_INT((int)s.n_extra, 2);
	CHECK_STR(s.extra[0].repository, "app");
	CHECK_STR(s.extra[1].tag, "stable");
	CHECK_STR(s.target.tag, "v1");
	pub_single_free(&s);

	CHECK(pub_single_from_args("linux/amd64,", "r.example.com/a-ARCH:v1", "r.example.com/a:v1",
	                           NULL, &s, &err) < 0);
	CHECK_STR(err.msg, "--platforms: \"linux/amd64,\" has an empty item");
	CHECK(pub_single_from_args("linux/amd64", "r.example.com/a-ARCH:v1", "r.example.com/a:v1",
	                           "ok,bad tag", &s, &err) < 0);
	CHECK_STR(err.msg, "--tags: \"bad tag\" is not a valid tag");
}

int main(void)
{
	test_docker_list_edits();
	test_oci_index_edits();
	test_annotation_add();
	test_from_args();
	return check_finish();
}
