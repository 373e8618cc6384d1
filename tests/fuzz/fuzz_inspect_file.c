/* fuzz_inspect_file.c — `manifold inspect --file`: any of the four manifest
 * types or the 2015 combined form. What loads says whether it was the
 * combined form as pub_inspect_file_is_combined does; a list has one child
 * per entry, or with a platform exactly the matching entry; the combined
 * form's children are the manifests its index names. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "helpers.h"

static void check(const struct pub_inspect *in, const uint8_t *data, size_t size,
                  const struct reg_platform *want)
{
	if (in->combined != pub_inspect_file_is_combined(data, size))
		fuzz_fail("combined form detected differently");
	if (!in->m.is_list) {
		if (in->n_children || in->picked != -1)
			fuzz_fail("an image has children");
		return;
	}
	if (!want && in->n_children != in->m.n_entries)
		fuzz_fail("a list does not have one child per entry");
	if (want) {
		if (in->picked < 0 || (size_t)in->picked >= in->m.n_entries ||
		    in->n_children != 1 || in->children[0].entry != &in->m.entries[in->picked] ||
		    !reg_platform_match(want, &in->m.entries[in->picked].platform))
			fuzz_fail("the picked entry is not the matching one");
	}
	for (size_t i = 0; i < in->n_children; i++) {
		const struct pub_inspect_child *c = &in->children[i];
		if (in->combined &&
		    (!c->fetched || strcmp(c->manifest.digest, c->entry->digest) != 0))
			fuzz_fail("a combined child is not the manifest its index names");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_platform amd64;
	struct base_error err;
	struct pub_inspect in;

	if (reg_platform_parse("linux/amd64", &amd64, &err) < 0)
		fuzz_fail("linux/amd64 does not parse");
	const struct reg_platform *wants[2] = {NULL, &amd64};
	for (int k = 0; k < 2; k++) {
		memset(&in, 0, sizeof(in));
		base_error_clear(&err);
		if (pub_inspect_file("manifest.json", data, size, wants[k], &in, &err) == 0)
			check(&in, data, size, wants[k]);
		else if (!err.msg[0])
			fuzz_fail("a refused file has no message");
		pub_inspect_free(&in);
	}
	reg_platform_free(&amd64);
	return 0;
}
