/* fuzz_reg_creds.c — credentials from docker's config.json / auth files, a
 * credential helper's answer, and base64: found credentials are always
 * complete, a helper is named only when nothing inline was found, a refusal
 * says why, and base64 decodes what it encodes. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "reg_internal.h"

static const char *const registries[] = {"docker.io", "localhost:5000", "registry.example.com",
                                         "ghcr.io"};

static void check_json(const uint8_t *data, size_t size, const char *registry)
{
	struct reg_creds c;
	struct base_error err;
	char *helper = NULL;

	base_error_clear(&err);
	int rc = reg_creds_from_json(data, size, registry, &c, &helper, &err);
	if (rc == 1 && (!c.username || !c.password || helper))
		fuzz_fail("found credentials are incomplete or come with a helper");
	if (rc == 0 && (c.username || c.password))
		fuzz_fail("credentials set although none were found");
	if (rc < 0 && (!err.msg[0] || c.username || helper))
		fuzz_fail("a malformed document left no message, or left credentials");
	if (helper && !helper[0])
		fuzz_fail("an empty helper name");
	free(helper);
	reg_creds_clear(&c);
}

static void check_base64(const char *text)
{
	size_t len = 0, len2 = 0;
	char *plain = reg_base64_decode(text, &len);
	if (!plain)
		return;
	char *enc = reg_base64_encode((const uint8_t *)plain, len);
	char *again = enc ? reg_base64_decode(enc, &len2) : NULL;
	if (!again || len2 != len || memcmp(again, plain, len) != 0)
		fuzz_fail("base64 decode(encode(x)) != x");
	free(again);
	free(enc);
	free(plain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_creds c;
	char *text = fuzz_cstr(data, size);

	if (!text)
		return 0;
	for (size_t i = 0; i < sizeof(registries) / sizeof(registries[0]); i++)
		check_json(data, size, registries[i]);
	int rc = reg_creds_helper_answer_parse(text, size, &c);
	if ((rc == 1) != (c.username && c.password) || (rc != 1 && (c.username || c.password)))
		fuzz_fail("a helper answer's result and credentials disagree");
	reg_creds_clear(&c);
	check_base64(text);
	free(text);
	return 0;
}
