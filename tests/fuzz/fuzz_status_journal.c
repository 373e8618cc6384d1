/* fuzz_status_journal.c — a journal beside the status file (a killed run
 * leaves it torn, anyone who can write the directory can write it): the
 * reader never fails on its bytes, keeps one entry per target, sorted, and
 * what it keeps folds into an empty status that serialises and parses
 * again. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pub_journal_records r;
	struct pub_status *st = NULL, *back = NULL;
	struct base_error err;
	char *text;

	base_error_clear(&err);
	if (pub_journal_parse("status.json.journal.x", (const char *)data, size, &r, &err) < 0)
		fuzz_fail("the journal reader failed (only out of memory may)");
	for (size_t i = 1; i < r.n; i++)
		if (strcmp(r.entries[i - 1].rec.target, r.entries[i].rec.target) >= 0)
			fuzz_fail("entries not one per target, sorted");
	if (r.n > r.lines || r.skipped > r.lines + 1)
		fuzz_fail("more entries or skipped lines than lines (and one torn)");
	if (!(st = calloc(1, sizeof(*st))))
		return 0;
	st->schema = 1;
	if (pub_journal_fold_records(st, r.entries, r.n, &err) < 0)
		fuzz_fail("folding failed");
	if (st->n_targets != r.n)
		fuzz_fail("folding into an empty status lost or added a target");
	if (!(text = pub_status_serialize(st)))
		fuzz_fail("a folded status does not serialise");
	if (pub_status_parse("status.json", text, strlen(text), &back, &err) < 0)
		fuzz_fail("a folded status does not parse again");
	free(text);
	pub_status_free(back);
	pub_status_free(st);
	pub_journal_records_free(&r);
	return 0;
}
