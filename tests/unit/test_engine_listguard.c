/* test_engine_listguard.c — pub_list_guard, G1 and G3 on a tag a
 * single-list command writes: a list that would lose a platform is held
 * with the platforms it would drop (containerd spellings of one platform
 * are one platform; attestations are no platform), unless allow-shrink;
 * an image is someone else's, held with its digest and media type, unless
 * overwrite; nothing at the tag, or a superset, is no hold. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "list_internal.h"

#define D1  "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2  "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3  "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define D4  "sha256:4444444444444444444444444444444444444444444444444444444444444444"
#define TAG "registry.example.com/app:v1"

static struct reg_platform plat(const char *text)
{
	struct reg_platform p = {0};
	struct base_error err = {0};
	if (reg_platform_parse(text, &p, &err) < 0)
		fprintf(stderr, "platform %s: %s\n", text, err.msg);
	return p;
}

/* The list a tag holds: linux/amd64, linux/arm64/v8, linux/s390x and a
 * buildx attestation (unknown/unknown). */
struct fixture {
	struct reg_platform amd, arm8, s390, unknown;
	struct reg_manifest list;
	struct base_buf bytes;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct base_error err = {0};
	const char *mt = NULL;
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
	if (reg_list_build(REG_LIST_OCI, in, 4, NULL, 0, &fx->bytes, &mt, &err) < 0 ||
	    reg_manifest_parse(fx->bytes.data, fx->bytes.len, mt, &fx->list, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	reg_platform_free(&fx->amd);
	reg_platform_free(&fx->arm8);
	reg_platform_free(&fx->s390);
	reg_platform_free(&fx->unknown);
	reg_manifest_free(&fx->list);
	base_buf_free(&fx->bytes);
	free(fx);
	return 0;
}

static void listguard_shrink_names_what_would_be_dropped(void **state)
{
	struct fixture *fx = *state;
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
	struct fixture *fx = *state;
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
	struct fixture *fx = *state;
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
	    cmocka_unit_test_setup_teardown(listguard_shrink_names_what_would_be_dropped, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(listguard_allow_shrink_and_supersets_pass, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(listguard_image_is_someone_elses_unless_overwrite,
	                                    setup, teardown),
	};
	return unit_run_group("test_engine_listguard", tests, argc, argv);
}
