/* fuzz_farm_pairs.c — the `retag --from-file` pairs file (farm_pairs_load
 * reads a file, so each input is written to one): every pair is two
 * non-empty words without blanks or '#', and the pairs written back one per
 * line load to the same pairs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm.h"
#include "helpers.h"

static void check_words(const struct farm_copy *c)
{
	if (!c->from || !c->to || !c->from[0] || !c->to[0] || strpbrk(c->from, " \t\r\n#") ||
	    strpbrk(c->to, " \t\r\n#"))
		fuzz_fail("a pair is not two plain words");
}

/* "from to\n" per pair, malloc'd; *len its length. */
static char *write_back(const struct farm_copy_plan *p, size_t *len)
{
	size_t cap = 1;
	for (size_t i = 0; i < p->n_copies; i++)
		cap += strlen(p->copies[i].from) + strlen(p->copies[i].to) + 2;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	*len = 0;
	for (size_t i = 0; i < p->n_copies; i++)
		*len += (size_t)snprintf(buf + *len, cap - *len, "%s %s\n", p->copies[i].from,
		                         p->copies[i].to);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct farm_copy_plan *p = NULL, *back = NULL;
	struct farm_error err;
	const char *path = fuzz_temp_file(data, size);
	size_t len = 0;

	if (!path)
		return 0;
	err.msg[0] = '\0';
	if (farm_pairs_load(path, &p, &err) < 0) {
		if (!err.msg[0] || strncmp(err.msg, path, strlen(path)) != 0)
			fuzz_fail("a refused pairs file is not named in the message");
		return 0;
	}
	for (size_t i = 0; i < p->n_copies; i++)
		check_words(&p->copies[i]);
	char *text = write_back(p, &len);
	if (!text || !(path = fuzz_temp_file((const uint8_t *)text, len)) ||
	    farm_pairs_load(path, &back, &err) < 0 || back->n_copies != p->n_copies)
		fuzz_fail("pairs written back do not load to as many pairs");
	for (size_t i = 0; i < p->n_copies; i++)
		if (strcmp(back->copies[i].from, p->copies[i].from) != 0 ||
		    strcmp(back->copies[i].to, p->copies[i].to) != 0)
			fuzz_fail("pairs written back load differently");
	free(text);
	farm_copy_plan_free(back);
	farm_copy_plan_free(p);
	return 0;
}
