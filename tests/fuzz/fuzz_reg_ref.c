/* fuzz_reg_ref.c — image references: whatever reg_ref_parse accepts formats
 * back to a reference that parses to the same struct and the same text, and
 * whatever it refuses says why; the same text as a digest is valid only in
 * its one form. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "registry.h"

static int same_ref(const struct reg_ref *a, const struct reg_ref *b)
{
	return fuzz_same_str(a->registry, b->registry) &&
	       fuzz_same_str(a->repository, b->repository) && fuzz_same_str(a->tag, b->tag) &&
	       fuzz_same_str(a->digest, b->digest);
}

static void check_parsed(const struct reg_ref *r)
{
	struct reg_ref back, copy;
	struct base_error err;

	if (!r->registry || !r->repository || (!r->tag && !r->digest))
		fuzz_fail("a parsed reference lacks registry, repository or tag/digest");
	if (r->digest && !reg_digest_valid(r->digest))
		fuzz_fail("a parsed reference has an invalid digest");
	char *full = reg_ref_format(r), *repo = reg_ref_format_repo(r);
	if (!full || !repo || strncmp(full, repo, strlen(repo)) != 0)
		fuzz_fail("the repository form is not a prefix of the full form");
	if (reg_ref_parse(full, &back, &err) < 0)
		fuzz_fail("a formatted reference does not parse");
	if (!same_ref(r, &back) || !reg_ref_same_registry(r, &back))
		fuzz_fail("format then parse changed the reference");
	char *again = reg_ref_format(&back);
	if (!again || strcmp(again, full) != 0)
		fuzz_fail("formatting is not stable");
	if (reg_ref_copy(&copy, r) < 0 || !same_ref(&copy, r))
		fuzz_fail("a copy differs");
	if (!reg_registry_api_host(r->registry))
		fuzz_fail("no API host");
	free(again);
	free(full);
	free(repo);
	reg_ref_free(&copy);
	reg_ref_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_ref r;
	struct base_error err;
	char *text = fuzz_cstr(data, size);

	if (!text)
		return 0;
	/* Docker-Content-Digest values and registry names come as text too. */
	if (reg_digest_valid(text) && (strlen(text) != 71 || strncmp(text, "sha256:", 7) != 0))
		fuzz_fail("a digest that is not sha256:<64 hex> is valid");
	(void)reg_registry_is_loopback(text);
	base_error_clear(&err);
	if (reg_ref_parse(text, &r, &err) == 0) {
		check_parsed(&r);
		reg_ref_free(&r);
	} else if (!err.msg[0]) {
		fuzz_fail("a refused reference has no message");
	}
	free(text);
	return 0;
}
