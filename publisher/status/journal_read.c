/* journal_read.c — a journal's bytes read back: one record a line, a torn
 * or garbled line skipped, the last record of each target kept; and those
 * records folded into a status file by the rule of a night's results. */
#include <stdlib.h>
#include <string.h>

#include "journal_internal.h"

/* ---- reading -------------------------------------------------------------- */

void status_journal_entry_free(struct status_journal_entry *e)
{
	free(e->at);
	status_target_status_free(&e->rec);
	memset(e, 0, sizeof(*e));
}

void status_journal_records_free(struct status_journal_records *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		status_journal_entry_free(&r->entries[i]);
	free(r->entries);
	memset(r, 0, sizeof(*r));
}

/* One line into e: 0, 1 when it is not a journal record, -1 out of memory. */
static int line_parse(const char *name, const char *p, size_t n, struct status_journal_entry *e)
{
	cJSON *root = cJSON_ParseWithLength(p, n), *v;
	struct base_error perr;
	const char *kind;
	int rc = 1;

	memset(e, 0, sizeof(*e));
	if (!root)
		return 1;
	v = cJSON_GetObjectItemCaseSensitive(root, "journal");
	if (!cJSON_IsNumber(v) || v->valuedouble != JOURNAL_VERSION)
		goto out;
	kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "kind"));
	if (!kind || (strcmp(kind, "outcome") != 0 && strcmp(kind, "intent") != 0))
		goto out;
	e->kind = strcmp(kind, "intent") == 0 ? STATUS_JOURNAL_INTENT : STATUS_JOURNAL_OUTCOME;
	v = cJSON_GetObjectItemCaseSensitive(root, "at");
	if (!cJSON_IsString(v))
		goto out;
	base_error_clear(&perr);
	if (status_target_parse(cJSON_GetObjectItemCaseSensitive(root, "record"), &e->rec, name,
	                        "record", &perr) < 0)
		goto out;
	if (!(e->at = strdup(v->valuestring))) {
		rc = -1;
		goto out;
	}
	if (e->kind == STATUS_JOURNAL_INTENT) {
		e->rec.state = STATUS_T_PUBLISHED;
		e->rec.unconfirmed = 1;
	}
	rc = 0;
out:
	if (rc != 0)
		status_journal_entry_free(e);
	cJSON_Delete(root);
	return rc;
}

/* By target, then by when it was written (at, then seq). */
static int entry_cmp(const void *a, const void *b)
{
	const struct status_journal_entry *x = a, *y = b;
	int c = strcmp(x->rec.target, y->rec.target);

	if (c == 0)
		c = strcmp(x->at, y->at);
	if (c == 0)
		c = x->seq < y->seq ? -1 : x->seq > y->seq;
	return c;
}

/* Sort by entry_cmp and keep the last entry of each target. */
void status_journal_keep_last(struct status_journal_records *r)
{
	size_t k = 0;

	if (r->n < 2)
		return;
	qsort(r->entries, r->n, sizeof(*r->entries), entry_cmp);
	for (size_t a = 0; a < r->n; a++) {
		if (a + 1 < r->n &&
		    strcmp(r->entries[a].rec.target, r->entries[a + 1].rec.target) == 0) {
			status_journal_entry_free(&r->entries[a]);
			continue;
		}
		r->entries[k++] = r->entries[a];
	}
	r->n = k;
}

int status_journal_parse(const char *name, const char *data, size_t len,
                         struct status_journal_records *out, struct base_error *err)
{
	size_t cap = 0, i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
		struct status_journal_entry e;
		int r;

		if (!nl) { /* torn: the write of the last line never finished */
			out->skipped++;
			break;
		}
		out->lines++;
		r = n ? line_parse(name, data + i, n, &e) : 1;
		i += n + 1;
		if (r < 0)
			goto oom;
		if (r > 0) {
			out->skipped++;
			continue;
		}
		if (out->n == cap) {
			struct status_journal_entry *m;
			cap = cap ? cap * 2 : 16;
			if (!(m = realloc(out->entries, cap * sizeof(*m)))) {
				status_journal_entry_free(&e);
				goto oom;
			}
			out->entries = m;
		}
		e.seq = out->n;
		out->entries[out->n++] = e;
	}
	/* The last line per target wins; within one journal lines are in
	 * the order they were written (a second's `at` ties: seq decides). */
	status_journal_keep_last(out);
	return 0;
oom:
	status_journal_records_free(out);
	base_error_set(err, "%s: out of memory", name);
	return -1;
}

/* ---- folding in ------------------------------------------------------------ */

/* st's record of target among its first n (sorted) ones, or NULL. */
static struct status_target_status *find_sorted(struct status_status *st, size_t n,
                                                const char *target)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(st->targets[mid].target, target);
		if (c == 0)
			return &st->targets[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int status_journal_fold_records(struct status_status *st, const struct status_journal_entry *e,
                                size_t n, struct base_error *err)
{
	size_t sorted = st->n_targets;

	/* New targets go after the sorted ones until the end; e holds each
	 * target once, so a lookup never needs them. */
	for (size_t i = 0; i < n; i++) {
		struct status_target_status *p = find_sorted(st, sorted, e[i].rec.target), *m;
		struct status_target_status next;

		if (status_target_next(p, &e[i].rec, e[i].at, &next) < 0)
			goto oom;
		if (p) {
			status_target_status_free(p);
			*p = next;
			continue;
		}
		if (!(m = realloc(st->targets, (st->n_targets + 1) * sizeof(*st->targets)))) {
			status_target_status_free(&next);
			goto oom;
		}
		st->targets = m;
		st->targets[st->n_targets++] = next;
	}
	if (st->n_targets != sorted)
		status_sort(st);
	return 0;
oom:
	status_sort(st);
	base_error_set(err, "fold journal: out of memory");
	return -1;
}
