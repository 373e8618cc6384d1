/* fuzz_reg_platform.c — platform strings: whatever reg_platform_parse accepts
 * formats back to a string that parses to the same fields, matches itself
 * both ways, and is a fixed point of reg_platform_from_parts. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "registry.h"

static int same_platform(const struct reg_platform *a, const struct reg_platform *b)
{
	return fuzz_same_str(a->os, b->os) && fuzz_same_str(a->architecture, b->architecture) &&
	       fuzz_same_str(a->variant, b->variant) && fuzz_same_str(a->os_version, b->os_version);
}

static void check_parsed(const struct reg_platform *p)
{
	struct reg_platform back, parts, copy;
	struct base_error err;

	if (!p->os || !p->architecture || !p->os[0] || !p->architecture[0])
		fuzz_fail("a parsed platform lacks os or architecture");
	char *s = reg_platform_format(p);
	if (!s || reg_platform_parse(s, &back, &err) < 0)
		fuzz_fail("a formatted platform does not parse");
	if (!same_platform(p, &back))
		fuzz_fail("format then parse changed the platform");
	if (!reg_platform_match(p, &back) || !reg_platform_match(&back, p))
		fuzz_fail("a platform does not match itself");
	if (reg_platform_from_parts(p->os, p->architecture, p->variant, p->os_version, &parts,
	                            &err) < 0 ||
	    !same_platform(p, &parts))
		fuzz_fail("from_parts does not keep a normalised platform");
	if (reg_platform_copy(&copy, p) < 0 || !same_platform(&copy, p))
		fuzz_fail("a copy differs");
	free(s);
	reg_platform_free(&copy);
	reg_platform_free(&parts);
	reg_platform_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_platform p;
	struct base_error err;
	char *text = fuzz_cstr(data, size);

	if (!text)
		return 0;
	base_error_clear(&err);
	if (reg_platform_parse(text, &p, &err) == 0) {
		check_parsed(&p);
		reg_platform_free(&p);
	} else if (!err.msg[0]) {
		fuzz_fail("a refused platform has no message");
	}
	free(text);
	return 0;
}
