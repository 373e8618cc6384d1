/* fuzz_status_file.c — the status file (read from a git repository anyone
 * with push access can write): whatever pub_status_parse accepts serialises
 * to bytes that parse again and serialise to the very same bytes; a refusal
 * says why. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pub_status *st = NULL, *back = NULL;
	struct base_error err;

	base_error_clear(&err);
	if (pub_status_parse("status.json", (const char *)data, size, &st, &err) < 0) {
		if (!err.msg[0])
			fuzz_fail("a refused status file has no message");
		return 0;
	}
	char *once = pub_status_serialize(st);
	if (!once)
		fuzz_fail("a parsed status does not serialise");
	if (pub_status_parse("status.json", once, strlen(once), &back, &err) < 0)
		fuzz_fail("a serialised status does not parse");
	char *twice = pub_status_serialize(back);
	if (!twice || strcmp(once, twice) != 0)
		fuzz_fail("serialise, parse, serialise changed the bytes");
	for (size_t i = 0; i < st->n_targets; i++)
		if (pub_status_find(st, st->targets[i].target) == NULL)
			fuzz_fail("a target is not found by its own reference");
	free(twice);
	free(once);
	pub_status_free(back);
	pub_status_free(st);
	return 0;
}
