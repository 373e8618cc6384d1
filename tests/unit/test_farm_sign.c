/* test_farm_sign.c — `sign-key` and `require-signature`: a path, {file:
 * PATH} or {env: NAME}; one key or a list; the image's over the defaults';
 * and the exact message for each mistake. Only where a key is is read
 * here; the engine loads it. */
#include <stdlib.h>
#include <string.h>

#include "farm_load.h"

#define DEF "defaults:\n  registry: r.io\n  platforms: [linux/amd64]\n"

static void sign_keys_default_to_none(void **state)
{
	(void)state;
	struct farm_config *c = LOAD_OK(DEF "images:\n  - {name: a, tags: [v1]}\n");
	assert_null(c->images[0].sign_key);
	assert_null(c->images[0].require_signature);
	assert_int_equal(c->images[0].n_require_signature, 0);
	farm_config_free(c);
}

static void sign_keys_from_defaults_and_images(void **state)
{
	(void)state;
	struct farm_config *c =
	    LOAD_OK(DEF "  sign-key: {file: keys/release.pem}\n"
	                "  require-signature: keys/build.pub\n"
	                "images:\n"
	                "  - {name: a, tags: [v1]}\n"
	                "  - {name: b, tags: [v1], sign-key: {env: SIGN_KEY},\n"
	                "     require-signature: [{file: old.pub}, {env: NEW_PUB}]}\n");
	const struct farm_image *a = &c->images[0], *b = &c->images[1];
	assert_string_equal(a->sign_key->file, "keys/release.pem");
	assert_null(a->sign_key->env);
	assert_int_equal(a->sign_key->pos.line, 4);
	assert_int_equal(a->n_require_signature, 1);
	assert_string_equal(a->require_signature[0].file, "keys/build.pub");
	assert_string_equal(b->sign_key->env, "SIGN_KEY");
	assert_null(b->sign_key->file);
	assert_int_equal(b->n_require_signature, 2);
	assert_string_equal(b->require_signature[0].file, "old.pub");
	assert_string_equal(b->require_signature[1].env, "NEW_PUB");
	farm_config_free(c);
}

static void sign_key_mistakes_name_their_place(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    DEF "  sign-key: {file: a.pem, env: K}\nimages:\n  - {name: a, tags: [v1]}\n",
	    "release.yaml:4:13: defaults.sign-key: want exactly one of \"file\" and \"env\"");
	EXPECT_ERROR(DEF "  sign-key: {env: 1KEY}\nimages:\n  - {name: a, tags: [v1]}\n",
	             "release.yaml:4:19: defaults.sign-key.env: \"1KEY\" is not an environment "
	             "variable name");
	EXPECT_ERROR(DEF "  sign-key: {path: a.pem}\nimages:\n  - {name: a, tags: [v1]}\n",
	             "release.yaml:4:14: defaults.sign-key: unknown key \"path\"");
	EXPECT_ERROR(
	    DEF "images:\n  - {name: a, tags: [v1], require-signature: []}\n",
	    "release.yaml:5:46: images[0].require-signature: empty list, want at least one "
	    "public key");
	EXPECT_ERROR(
	    DEF "images:\n  - {name: a, tags: [v1], sign-key: [a, b]}\n",
	    "release.yaml:5:37: images[0].sign-key: expected a key file path, {file: PATH} "
	    "or {env: NAME}, got a list");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sign_keys_default_to_none),
	    cmocka_unit_test(sign_keys_from_defaults_and_images),
	    cmocka_unit_test(sign_key_mistakes_name_their_place),
	};
	return unit_run_group("farm_sign", tests, argc, argv);
}
