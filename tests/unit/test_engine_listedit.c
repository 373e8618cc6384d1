/* test_engine_listedit.c — pub_list_edit: an edited list is the list rebuilt
 * from its entries with exactly one change (byte for byte what
 * reg_list_build gives for the expected entries), appends go at the end or
 * replace in place, annotate changes only the named fields, annotations turn
 * a Docker list into an OCI index, and attestations of a replaced image go
 * with it. Also pub_annotation_add and pub_single_from_args; and
 * pub_list_guard, G1 and G3 on a tag a single-list command writes: a list
 * that would lose a platform is held with the platforms it would drop
 * (containerd spellings of one platform are one platform; attestations are
 * no platform), unless allow-shrink; an image is someone else's, held with
 * its digest and media type, unless overwrite; nothing at the tag, or a
 * superset, is no hold. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "list_internal.h"

#define D1  "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2  "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3  "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define D4  "sha256:4444444444444444444444444444444444444444444444444444444444444444"
#define D5  "sha256:5555555555555555555555555555555555555555555555555555555555555555"
#define TAG "registry.example.com/app:v1"

static struct reg_platform plat(const char *text)
{
	struct reg_platform p = {0};
	struct base_error err = {0};
	if (reg_platform_parse(text, &p, &err) < 0)
		fprintf(stderr, "platform %s: %s\n", text, err.msg);
	return p;
}

/* Build bytes from entries and parse them back into m. */
static int list_make(enum reg_list_format f, const struct reg_list_entry *e, size_t n,
                     const struct reg_annotation *ann, size_t n_ann, struct reg_manifest *m,
                     struct base_buf *bytes)
{
	struct base_error err = {0};
	const char *mt = NULL;
	if (reg_list_build(f, e, n, ann, n_ann, bytes, &mt, &err) < 0 ||
	    reg_manifest_parse(bytes->data, bytes->len, mt, m, &err) < 0) {
		fprintf(stderr, "list_make: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* A Docker list of linux/amd64 (D1) and linux/arm64 (D2) to edit; for the
 * guard (guard_setup) an OCI index of linux/amd64, linux/arm64/v8,
 * linux/s390x and a buildx attestation (unknown/unknown). */
struct docker_fixture {
	struct reg_platform amd, arm, s390, arm8, unknown;
	struct reg_list_entry in[2];
	struct reg_manifest list;
	struct base_buf bytes;
};

static int docker_setup(void **state)
{
	struct docker_fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->amd = plat("linux/amd64");
	fx->arm = plat("linux/arm64");
	fx->s390 = plat("linux/s390x");
	fx->arm8 = plat("linux/arm64/v8");
	fx->in[0] = (struct reg_list_entry){REG_MT_DOCKER_MANIFEST, D1, 528, &fx->amd, NULL, 0};
	fx->in[1] = (struct reg_list_entry){REG_MT_DOCKER_MANIFEST, D2, 529, &fx->arm, NULL, 0};
	return list_make(REG_LIST_DOCKER, fx->in, 2, NULL, 0, &fx->list, &fx->bytes);
}

static int docker_teardown(void **state)
{
	struct docker_fixture *fx = *state;
	reg_manifest_free(&fx->list);
	base_buf_free(&fx->bytes);
	reg_platform_free(&fx->amd);
	reg_platform_free(&fx->arm);
	reg_platform_free(&fx->s390);
	reg_platform_free(&fx->arm8);
	reg_platform_free(&fx->unknown);
	free(fx);
	return 0;
}

static int guard_setup(void **state)
{
	struct docker_fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->amd = plat("linux/amd64");
	fx->arm8 = plat("linux/arm64/v8");
	fx->s390 = plat("linux/s390x");
	fx->unknown.os = strdup("unknown");
	fx->unknown.architecture = strdup("unknown");
	char k1[] = "vnd.docker.reference.type", v1[] = "attestation-manifest";
	char k2[] = "vnd.docker.reference.digest", v2[] = D1;
	struct reg_annotation att[] = {{k1, v1}, {k2, v2}};
	struct reg_list_entry in[] = {
	    {REG_MT_OCI_MANIFEST, D1, 100, &fx->amd, NULL, 0},
	    {REG_MT_OCI_MANIFEST, D2, 100, &fx->arm8, NULL, 0},
	    {REG_MT_OCI_MANIFEST, D3, 100, &fx->s390, NULL, 0},
	    {REG_MT_OCI_MANIFEST, D4, 100, &fx->unknown, att, 2},
	};
	return list_make(REG_LIST_OCI, in, 4, NULL, 0, &fx->list, &fx->bytes);
}

static void listedit_append_new_platform_goes_at_the_end(void **state)
{
	struct docker_fixture *fx = *state;
	struct base_buf want = {0};
	struct pub_edit_result r = {0};
	struct base_error err = {0};
	const char *mt;

	/* everything else as it was */
	struct pub_entry_edit add = {
	    .select = &fx->s390, .media_type = REG_MT_DOCKER_MANIFEST, .digest = D3, .size = 530};
	assert_int_equal(pub_list_edit(&fx->list, &add, &r, &err), 0);
	struct reg_list_entry w1[3] = {
	    fx->in[0], fx->in[1], {REG_MT_DOCKER_MANIFEST, D3, 530, &fx->s390, NULL, 0}};
	assert_int_equal(reg_list_build(REG_LIST_DOCKER, w1, 3, NULL, 0, &want, &mt, &err), 0);
	assert_bytes_equal(r.bytes.data, r.bytes.len, want.data, want.len);
	assert_str_or_null_equal(r.media_type, REG_MT_DOCKER_LIST);
	assert_int_equal(r.index, 2);
	assert_int_equal(r.replaced, 0);
	assert_int_equal(r.converted, 0);
	char dg[REG_DIGEST_MAX];
	reg_digest_sha256(want.data, want.len, dg);
	assert_str_or_null_equal(r.digest, dg);
	pub_edit_result_free(&r);
	base_buf_free(&want);
}

static void listedit_append_existing_platform_replaces_in_place(void **state)
{
	struct docker_fixture *fx = *state;
	struct base_buf want = {0};
	struct pub_edit_result r = {0};
	struct base_error err = {0};
	const char *mt;

	struct pub_entry_edit rep = {
	    .select = &fx->amd, .media_type = REG_MT_DOCKER_MANIFEST, .digest = D4, .size = 600};
	assert_int_equal(pub_list_edit(&fx->list, &rep, &r, &err), 0);
	struct reg_list_entry w2[2] = {{REG_MT_DOCKER_MANIFEST, D4, 600, &fx->amd, NULL, 0},
	                               fx->in[1]};
	assert_int_equal(reg_list_build(REG_LIST_DOCKER, w2, 2, NULL, 0, &want, &mt, &err), 0);
	assert_bytes_equal(r.bytes.data, r.bytes.len, want.data, want.len);
	assert_int_equal(r.index, 0);
	assert_int_equal(r.replaced, 1);
	pub_edit_result_free(&r);
	base_buf_free(&want);
}

static void listedit_annotate_changes_only_the_named_field(void **state)
{
	struct docker_fixture *fx = *state;
	struct base_buf want = {0};
	struct pub_edit_result r = {0};
	struct base_error err = {0};
	const char *mt;

	/* variant set on arm64 only */
	struct pub_entry_edit ann = {.select = &fx->arm, .variant = "v8"};
	assert_int_equal(pub_list_edit(&fx->list, &ann, &r, &err), 0);
	struct reg_list_entry w3[2] = {fx->in[0],
	                               {REG_MT_DOCKER_MANIFEST, D2, 529, &fx->arm8, NULL, 0}};
	assert_int_equal(reg_list_build(REG_LIST_DOCKER, w3, 2, NULL, 0, &want, &mt, &err), 0);
	assert_bytes_equal(r.bytes.data, r.bytes.len, want.data, want.len);
	assert_int_equal(r.index, 1);
	pub_edit_result_free(&r);
	base_buf_free(&want);
}

static void listedit_annotate_missing_entry_lists_what_is_there(void **state)
{
	struct docker_fixture *fx = *state;
	struct pub_edit_result r = {0};
	struct base_error err = {0};

	struct pub_entry_edit none = {.select = &fx->s390, .variant = "x"};
	assert_true(pub_list_edit(&fx->list, &none, &r, &err) < 0);
	assert_string_equal(
	    err.msg, "no entry for linux/s390x in the list (it has: linux/amd64, linux/arm64)");
}

static void listedit_annotation_turns_docker_list_into_oci_index(void **state)
{
	struct docker_fixture *fx = *state;
	struct base_buf want = {0};
	struct pub_edit_result r = {0};
	struct base_error err = {0};
	const char *mt;

	struct reg_annotation a[1] = {{"org.example.tier", "edge"}};
	struct pub_entry_edit oci = {.select = &fx->amd, .annotations = a, .n_annotations = 1};
	assert_int_equal(pub_list_edit(&fx->list, &oci, &r, &err), 0);
	assert_str_or_null_equal(r.media_type, REG_MT_OCI_INDEX);
	assert_int_equal(r.converted, 1);
	struct reg_list_entry w4[2] = {{REG_MT_DOCKER_MANIFEST, D1, 528, &fx->amd, a, 1},
	                               fx->in[1]};
	assert_int_equal(reg_list_build(REG_LIST_OCI, w4, 2, NULL, 0, &want, &mt, &err), 0);
	assert_bytes_equal(r.bytes.data, r.bytes.len, want.data, want.len);
	pub_edit_result_free(&r);
	base_buf_free(&want);
}

/* An OCI index of linux/amd64 (D1, annotated), its attestation (D2) and
 * windows/amd64 (D5), with one index annotation. */
struct oci_fixture {
	struct reg_platform amd, win, unk;
	struct reg_annotation att[2], keep[1], idx[1];
	struct reg_list_entry in[3];
	struct reg_manifest list;
	struct base_buf bytes;
};

static int oci_setup(void **state)
{
	struct oci_fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->amd = plat("linux/amd64");
	fx->win = plat("windows/amd64");
	/* buildx writes attestations as unknown/unknown, not a real platform */
	fx->unk.os = strdup("unknown");
	fx->unk.architecture = strdup("unknown");
	fx->att[0] = (struct reg_annotation){"vnd.docker.reference.digest", D1};
	fx->att[1] = (struct reg_annotation){"vnd.docker.reference.type", "attestation-manifest"};
	fx->keep[0] = (struct reg_annotation){"org.example.k", "v"};
	fx->idx[0] = (struct reg_annotation){"org.opencontainers.image.version", "1"};
	fx->in[0] = (struct reg_list_entry){REG_MT_OCI_MANIFEST, D1, 500, &fx->amd, fx->keep, 1};
	fx->in[1] = (struct reg_list_entry){REG_MT_OCI_MANIFEST, D2, 400, &fx->unk, fx->att, 2};
	fx->in[2] = (struct reg_list_entry){REG_MT_OCI_MANIFEST, D5, 450, &fx->win, NULL, 0};
	return list_make(REG_LIST_OCI, fx->in, 3, fx->idx, 1, &fx->list, &fx->bytes);
}

static int oci_teardown(void **state)
{
	struct oci_fixture *fx = *state;
	reg_manifest_free(&fx->list);
	base_buf_free(&fx->bytes);
	reg_platform_free(&fx->amd);
	reg_platform_free(&fx->unk);
	reg_platform_free(&fx->win);
	free(fx);
	return 0;
}

static void listedit_replace_drops_attestation_and_merges_index_annotations(void **state)
{
	struct oci_fixture *fx = *state;
	struct base_buf want = {0};
	struct pub_edit_result r = {0};
	struct base_error err = {0};
	const char *mt;

	/* replacing amd64: its attestation goes too; the new entry starts
	 * with only the annotations given; index annotations kept and merged */
	struct reg_annotation more[2] = {{"org.opencontainers.image.version", "2"},
	                                 {"org.example.new", "x"}};
	struct pub_entry_edit rep = {.select = &fx->amd,
	                             .media_type = REG_MT_OCI_MANIFEST,
	                             .digest = D3,
	                             .size = 501,
	                             .index_annotations = more,
	                             .n_index_annotations = 2};
	assert_int_equal(pub_list_edit(&fx->list, &rep, &r, &err), 0);
	struct reg_annotation widx[2] = {{"org.opencontainers.image.version", "2"},
	                                 {"org.example.new", "x"}};
	struct reg_list_entry w[2] = {{REG_MT_OCI_MANIFEST, D3, 501, &fx->amd, NULL, 0}, fx->in[2]};
	assert_int_equal(reg_list_build(REG_LIST_OCI, w, 2, widx, 2, &want, &mt, &err), 0);
	assert_bytes_equal(r.bytes.data, r.bytes.len, want.data, want.len);
	assert_int_equal(r.replaced, 1);
	assert_int_equal(r.converted, 0);
	pub_edit_result_free(&r);
	base_buf_free(&want);
}

static void listedit_annotate_sets_windows_fields_and_merges_annotation(void **state)
{
	struct oci_fixture *fx = *state;
	struct base_buf want = {0};
	struct pub_edit_result r = {0};
	struct base_error err = {0};
	const char *mt;

	/* os.version, features; entry annotation merged */
	char *osf[1] = {"win32k"};
	struct pub_entry_edit wn = {.select = &fx->win,
	                            .os_version = "10.0.17763.6659",
	                            .set_os_features = 1,
	                            .os_features = osf,
	                            .n_os_features = 1,
	                            .annotations = fx->keep,
	                            .n_annotations = 1};
	assert_int_equal(pub_list_edit(&fx->list, &wn, &r, &err), 0);
	struct reg_platform win2 = plat("windows/amd64:10.0.17763.6659");
	win2.os_features = osf;
	win2.n_os_features = 1;
	struct reg_list_entry w2[3] = {
	    fx->in[0], fx->in[1], {REG_MT_OCI_MANIFEST, D5, 450, &win2, fx->keep, 1}};
	int rc = reg_list_build(REG_LIST_OCI, w2, 3, fx->idx, 1, &want, &mt, &err);
	win2.os_features = NULL;
	win2.n_os_features = 0;
	reg_platform_free(&win2);
	assert_int_equal(rc, 0);
	assert_bytes_equal(r.bytes.data, r.bytes.len, want.data, want.len);
	pub_edit_result_free(&r);
	base_buf_free(&want);
}

static void annotation_add_later_key_replaces_earlier(void **state)
{
	(void)state;
	struct reg_annotation *a = NULL;
	size_t n = 0;
	struct base_error err = {0};
	assert_int_equal(pub_annotation_add(&a, &n, "k=v", &err), 0);
	assert_int_equal(pub_annotation_add(&a, &n, "x=a=b", &err), 0);
	assert_int_equal(pub_annotation_add(&a, &n, "k=w", &err), 0);
	assert_int_equal(pub_annotation_add(&a, &n, "e=", &err), 0);
	assert_int_equal((int)n, 3);
	assert_string_equal(a[0].key, "k");
	assert_string_equal(a[0].value, "w");
	assert_string_equal(a[1].key, "x");
	assert_string_equal(a[1].value, "a=b");
	assert_string_equal(a[2].value, "");
	pub_annotations_free(a, n);
}

static void annotation_add_wants_key_equals_value(void **state)
{
	(void)state;
	struct reg_annotation *a = NULL;
	size_t n = 0;
	struct base_error err = {0};
	assert_true(pub_annotation_add(&a, &n, "novalue", &err) < 0);
	assert_string_equal(err.msg, "annotation \"novalue\" is not KEY=VALUE");
	assert_true(pub_annotation_add(&a, &n, "=v", &err) < 0);
	pub_annotations_free(a, n);
}

static void single_from_args_expands_platforms_sources_and_tags(void **state)
{
	(void)state;
	struct pub_single s = {0};
	struct base_error err = {0};
	assert_int_equal(pub_single_from_args("linux/amd64, linux/arm/v7",
	                                      "reg.example.com/app-ARCHVARIANT:v1",
	                                      "reg.example.com/app:v1", "latest,stable", &s, &err),
	                 0);
	assert_int_equal((int)s.n_children, 2);
	assert_string_equal(s.children[0].source, "reg.example.com/app-amd64:v1");
	assert_string_equal(s.children[1].source, "reg.example.com/app-armv7:v1");
	assert_string_equal(s.children[1].platform.variant, "v7");
	assert_int_equal((int)s.n_extra, 2);
	assert_string_equal(s.extra[0].repository, "app");
	assert_string_equal(s.extra[1].tag, "stable");
	assert_string_equal(s.target.tag, "v1");
	pub_single_free(&s);
}

static void single_from_args_rejects_empty_platform(void **state)
{
	(void)state;
	struct pub_single s = {0};
	struct base_error err = {0};
	assert_true(pub_single_from_args("linux/amd64,", "r.example.com/a-ARCH:v1",
	                                 "r.example.com/a:v1", NULL, &s, &err) < 0);
	assert_string_equal(err.msg, "--platforms: \"linux/amd64,\" has an empty item");
}

static void single_from_args_rejects_bad_tag(void **state)
{
	(void)state;
	struct pub_single s = {0};
	struct base_error err = {0};
	assert_true(pub_single_from_args("linux/amd64", "r.example.com/a-ARCH:v1",
	                                 "r.example.com/a:v1", "ok,bad tag", &s, &err) < 0);
	assert_string_equal(err.msg, "--tags: \"bad tag\" is not a valid tag");
}

static void listguard_shrink_names_what_would_be_dropped(void **state)
{
	struct docker_fixture *fx = *state;
	struct reg_platform arm = plat("linux/arm64");
	const struct reg_platform *next[] = {&arm};
	struct pub_list_result out = {0};
	struct base_error err = {0};

	assert_int_equal(pub_list_guard(TAG, &fx->list, next, 1, 0, 0, &out, &err), 0);
	assert_int_equal(out.n_held, 1);
	assert_string_equal(out.held[0].tag, TAG);
	assert_int_equal(out.held[0].why, PUB_HELD_SHRINK);
	assert_int_equal(out.held[0].n_drops, 2);
	assert_string_equal(out.held[0].drops[0], "linux/amd64");
	assert_string_equal(out.held[0].drops[1], "linux/s390x");
	assert_string_equal(out.held[0].reason,
	                    TAG ": would drop linux/amd64, linux/s390x, which the tag's current "
	                        "list has (--allow-shrink lets it through)");
	pub_list_result_free(&out);
	reg_platform_free(&arm);
}

static void listguard_allow_shrink_and_supersets_pass(void **state)
{
	struct docker_fixture *fx = *state;
	struct reg_platform arm = plat("linux/arm64"), ppc = plat("linux/ppc64le");
	const struct reg_platform *some[] = {&arm};
	const struct reg_platform *more[] = {&fx->s390, &ppc, &arm, &fx->amd};
	struct pub_list_result out = {0};
	struct base_error err = {0};

	assert_int_equal(pub_list_guard(TAG, &fx->list, some, 1, 1, 0, &out, &err), 0);
	assert_int_equal(out.n_held, 0);
	/* arm64 serves arm64/v8; order and a new platform do not matter */
	assert_int_equal(pub_list_guard(TAG, &fx->list, more, 4, 0, 0, &out, &err), 0);
	assert_int_equal(out.n_held, 0);
	assert_int_equal(pub_list_guard(TAG, NULL, some, 1, 0, 0, &out, &err), 0);
	assert_int_equal(out.n_held, 0);
	assert_null(out.held);
	reg_platform_free(&arm);
	reg_platform_free(&ppc);
}

static void listguard_image_is_someone_elses_unless_overwrite(void **state)
{
	struct docker_fixture *fx = *state;
	const struct reg_platform *next[] = {&fx->amd};
	struct reg_manifest image = {0};
	struct pub_list_result out = {0};
	struct base_error err = {0};
	char mt[] = REG_MT_DOCKER_MANIFEST, dg[] = D1;

	image.media_type = mt;
	image.digest = dg;
	assert_int_equal(pub_list_guard(TAG, &image, next, 1, 1, 1, &out, &err), 0);
	assert_int_equal(out.n_held, 0);
	/* allow-shrink is no licence to replace someone's image */
	assert_int_equal(pub_list_guard(TAG, &image, next, 1, 1, 0, &out, &err), 0);
	assert_int_equal(out.n_held, 1);
	assert_int_equal(out.held[0].why, PUB_HELD_NOT_MANIFOLDS);
	assert_string_equal(out.held[0].digest, D1);
	assert_string_equal(out.held[0].media_type, REG_MT_DOCKER_MANIFEST);
	assert_string_equal(out.held[0].reason, TAG ": holds " D1 " (" REG_MT_DOCKER_MANIFEST
	                                            "), an image manifold did not write (use "
	                                            "--overwrite)");
	pub_list_result_free(&out);
	assert_int_equal(out.n_held, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(listedit_append_new_platform_goes_at_the_end,
	                                    docker_setup, docker_teardown),
	    cmocka_unit_test_setup_teardown(listedit_append_existing_platform_replaces_in_place,
	                                    docker_setup, docker_teardown),
	    cmocka_unit_test_setup_teardown(listedit_annotate_changes_only_the_named_field,
	                                    docker_setup, docker_teardown),
	    cmocka_unit_test_setup_teardown(listedit_annotate_missing_entry_lists_what_is_there,
	                                    docker_setup, docker_teardown),
	    cmocka_unit_test_setup_teardown(listedit_annotation_turns_docker_list_into_oci_index,
	                                    docker_setup, docker_teardown),
	    cmocka_unit_test_setup_teardown(
	        listedit_replace_drops_attestation_and_merges_index_annotations, oci_setup,
	        oci_teardown),
	    cmocka_unit_test_setup_teardown(
	        listedit_annotate_sets_windows_fields_and_merges_annotation, oci_setup,
	        oci_teardown),
	    cmocka_unit_test(annotation_add_later_key_replaces_earlier),
	    cmocka_unit_test(annotation_add_wants_key_equals_value),
	    cmocka_unit_test(single_from_args_expands_platforms_sources_and_tags),
	    cmocka_unit_test(single_from_args_rejects_empty_platform),
	    cmocka_unit_test(single_from_args_rejects_bad_tag),
	    cmocka_unit_test_setup_teardown(listguard_shrink_names_what_would_be_dropped,
	                                    guard_setup, docker_teardown),
	    cmocka_unit_test_setup_teardown(listguard_allow_shrink_and_supersets_pass, guard_setup,
	                                    docker_teardown),
	    cmocka_unit_test_setup_teardown(listguard_image_is_someone_elses_unless_overwrite,
	                                    guard_setup, docker_teardown),
	};
	return unit_run_group("test_engine_listedit", tests, argc, argv);
}
