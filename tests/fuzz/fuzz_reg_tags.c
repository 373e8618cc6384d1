/* fuzz_reg_tags.c — a tags/list page and the Link header that pages it: a
 * page appends at most its array's length of tags, the same page twice
 * appends them twice, a malformed page changes nothing, and the next URL is
 * always a terminated string within its buffer, on the registry's own origin
 * (a link elsewhere is refused, with a reason). */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "reg_internal.h"

#define BASE "https://registry.example.com"

static void check_page(const uint8_t *data, size_t size)
{
	char **tags = NULL;
	size_t n = 0;
	long add = reg_tags_page_parse(data, size, &tags, &n);
	if (add < 0) {
		if (tags || n)
			fuzz_fail("a malformed page changed the tags");
		return;
	}
	if (n > (size_t)add)
		fuzz_fail("more tags than the page's array holds");
	size_t first = n;
	if (reg_tags_page_parse(data, size, &tags, &n) != add || n != 2 * first)
		fuzz_fail("the same page parsed twice differs");
	for (size_t i = 0; i < first; i++)
		if (!tags[i] || !tags[first + i] || strcmp(tags[i], tags[first + i]) != 0)
			fuzz_fail("the same page gave other tags");
	reg_tags_free(tags, n);
}

static void check_link(const char *link)
{
	char url[512], tiny[8], why[600];
	size_t bl = strlen(BASE);
	int r;
	memset(url, 'x', sizeof(url));
	if ((r = reg_tags_next_link(BASE, link, url, sizeof(url), why, sizeof(why))) > 0) {
		if (!memchr(url, '\0', sizeof(url)))
			fuzz_fail("next URL not terminated");
		/* Tokens go with the request: only the registry's own origin. */
		if (strncmp(url, BASE, bl) != 0 || (url[bl] != '/' && url[bl] != '?'))
			fuzz_fail("a followed link leaves the registry");
	} else if (r < 0 && !memchr(why, '\0', sizeof(why))) {
		fuzz_fail("refusal reason not terminated");
	}
	memset(tiny, 'x', sizeof(tiny));
	if (reg_tags_next_link(BASE, link, tiny, sizeof(tiny), why, sizeof(why)) > 0 &&
	    !memchr(tiny, '\0', sizeof(tiny)))
		fuzz_fail("next URL not terminated in a small buffer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	if (!text)
		return 0;
	check_page(data, size);
	check_link(text);
	free(text);
	return 0;
}
