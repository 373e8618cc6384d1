/* status_copies.c — retag's copy records: the "last_retag" and "copies"
 * section of the status file (written after "targets", only when a retag
 * recorded something), the rule for when a record's `since` moves, and how
 * the section is carried through publish runs and merges. */
#include <stdlib.h>
#include <string.h>

#include "status_file.h"
#include "status_internal.h"

static const char *const copy_rec_names[STATUS_C__COUNT] = {"copied", "unchanged", "failed", "held",
                                                            "refused"};

const char *status_copy_rec_state_str(enum status_copy_rec_state s)
{
	return (unsigned)s < STATUS_C__COUNT ? copy_rec_names[s] : "unknown";
}

int status_copy_rec_state_parse(const char *s, enum status_copy_rec_state *out)
{
	for (int i = 0; s && i < STATUS_C__COUNT; i++) {
		if (strcmp(s, copy_rec_names[i]) == 0) {
			*out = (enum status_copy_rec_state)i;
			return 0;
		}
	}
	return -1;
}

/* ---- records ------------------------------------------------------------- */

void status_copy_status_free(struct status_copy_status *c)
{
	if (!c)
		return;
	free(c->from);
	free(c->to);
	free(c->platform);
	free(c->digest);
	free(c->media_type);
	free(c->since);
	free(c->reason);
	memset(c, 0, sizeof(*c));
}

int status_copy_status_copy(struct status_copy_status *dst, const struct status_copy_status *src)
{
	int fail = 0;

	memset(dst, 0, sizeof(*dst));
	dst->from = status_dup_or_null(src->from, &fail);
	dst->to = status_dup_or_null(src->to, &fail);
	dst->platform = status_dup_or_null(src->platform, &fail);
	dst->state = src->state;
	dst->foreign = src->foreign;
	dst->digest = status_dup_or_null(src->digest, &fail);
	dst->media_type = status_dup_or_null(src->media_type, &fail);
	dst->since = status_dup_or_null(src->since, &fail);
	dst->reason = status_dup_or_null(src->reason, &fail);
	if (fail) {
		status_copy_status_free(dst);
		return -1;
	}
	return 0;
}

static void summary_free(struct status_retag_summary *s)
{
	free(s->started);
	free(s->finished);
	memset(s, 0, sizeof(*s));
}

static int summary_copy(struct status_retag_summary *dst, const struct status_retag_summary *src)
{
	int fail = 0;
	struct status_retag_summary n = *src;

	n.started = status_dup_or_null(src->started, &fail);
	n.finished = status_dup_or_null(src->finished, &fail);
	if (fail) {
		summary_free(&n);
		return -1;
	}
	summary_free(dst);
	*dst = n;
	return 0;
}

void status_copies_free(struct status_status *st)
{
	for (size_t i = 0; i < st->n_copies; i++)
		status_copy_status_free(&st->copies[i]);
	free(st->copies);
	st->copies = NULL;
	st->n_copies = 0;
	summary_free(&st->last_retag);
}

static int copy_cmp(const void *a, const void *b)
{
	const struct status_copy_status *x = a, *y = b;
	return strcmp(x->to ? x->to : "", y->to ? y->to : "");
}

void status_sort_copies(struct status_status *st)
{
	if (st && st->n_copies > 1)
		qsort(st->copies, st->n_copies, sizeof(*st->copies), copy_cmp);
}

struct status_copy_status *status_find_copy(const struct status_status *st, const char *to)
{
	struct status_copy_status key = {.to = (char *)to};
	if (!st || !to || st->n_copies == 0)
		return NULL;
	return bsearch(&key, st->copies, st->n_copies, sizeof(*st->copies), copy_cmp);
}

int status_copies_dup(struct status_status *dst, const struct status_status *src)
{
	status_copies_free(dst);
	if (!src)
		return 0;
	if (summary_copy(&dst->last_retag, &src->last_retag) < 0)
		return -1;
	if (src->n_copies && !(dst->copies = calloc(src->n_copies, sizeof(*dst->copies))))
		return -1;
	for (size_t i = 0; i < src->n_copies; i++) {
		if (status_copy_status_copy(&dst->copies[i], &src->copies[i]) < 0) {
			status_copies_free(dst);
			return -1;
		}
		dst->n_copies = i + 1;
	}
	return 0;
}

/* ---- the record after a run ------------------------------------------------ */

/* copied and unchanged both mean "the destination holds this digest". */
static int state_class(enum status_copy_rec_state s)
{
	return s == STATUS_C_UNCHANGED ? STATUS_C_COPIED : s;
}

int status_copy_status_next(const struct status_copy_status *prev,
                            const struct status_copy_status *run, const char *now,
                            struct status_copy_status *out)
{
	int fail = 0;

	if (status_copy_status_copy(out, run) < 0)
		return -1;
	/* A failed copy keeps the digest the destination held, unless that
	 * was what someone else put there: a refused record's digest must
	 * never become manifold's by way of a later failure (G3). */
	if (out->state == STATUS_C_FAILED && prev && prev->state != STATUS_C_REFUSED) {
		free(out->digest);
		free(out->media_type);
		out->digest = status_dup_or_null(prev->digest, &fail);
		out->media_type = status_dup_or_null(prev->media_type, &fail);
		out->foreign = prev->foreign;
	}
	free(out->since);
	out->since = NULL;
	if (prev && prev->since && state_class(prev->state) == state_class(out->state) &&
	    status_streq0(prev->digest, out->digest) &&
	    (prev->digest == NULL) == (out->digest == NULL)) {
		out->state = prev->state;
		out->since = status_dup_or_null(prev->since, &fail);
	} else {
		out->since = status_dup_or_null(now, &fail);
	}
	if (fail) {
		status_copy_status_free(out);
		return -1;
	}
	return 0;
}

int status_record_copies(struct status_status *st, const struct status_copy_status *run, size_t n,
                         const struct status_retag_summary *summary, const char *now,
                         struct base_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct status_copy_status rec, *prev = status_find_copy(st, run[i].to), *grown;

		if (!run[i].to || status_copy_status_next(prev, &run[i], now, &rec) < 0)
			goto oom;
		if (prev) {
			status_copy_status_free(prev);
			*prev = rec;
			continue;
		}
		grown = realloc(st->copies, (st->n_copies + 1) * sizeof(*grown));
		if (!grown) {
			status_copy_status_free(&rec);
			goto oom;
		}
		st->copies = grown;
		st->copies[st->n_copies++] = rec;
		/* Later copies must find this one (two rules naming one destination). */
		status_sort_copies(st);
	}
	if (summary_copy(&st->last_retag, summary) < 0)
		goto oom;
	if (st->schema == 0)
		st->schema = 1;
	return 0;
oom:
	base_error_set(err, "record copies: out of memory");
	return -1;
}

/* ---- merge ----------------------------------------------------------------- */

/* RFC 3339 UTC strings of one shape compare as text; a missing one is oldest. */
static int newer(const char *a, const char *b)
{
	return a && (!b || strcmp(a, b) > 0);
}

int status_copies_merge(struct status_status *a, const struct status_status *b)
{
	size_t base;

	status_sort_copies(a);
	base = a->n_copies;
	if (b->n_copies) {
		struct status_copy_status *g =
		    realloc(a->copies, (a->n_copies + b->n_copies) * sizeof(*g));
		if (!g)
			return -1;
		a->copies = g;
	}
	for (size_t i = 0; i < b->n_copies; i++) {
		struct status_status prefix = {.copies = a->copies, .n_copies = base};
		struct status_copy_status *at = status_find_copy(&prefix, b->copies[i].to), tmp;
		if (at && !newer(b->copies[i].since, at->since))
			continue;
		if (status_copy_status_copy(&tmp, &b->copies[i]) < 0) {
			status_sort_copies(a);
			return -1;
		}
		if (at) {
			status_copy_status_free(at);
			*at = tmp;
		} else {
			a->copies[a->n_copies++] = tmp;
		}
	}
	status_sort_copies(a);
	if (newer(b->last_retag.finished, a->last_retag.finished) &&
	    summary_copy(&a->last_retag, &b->last_retag) < 0)
		return -1;
	return 0;
}

/* ---- serialisation --------------------------------------------------------- */

static void serialize_copy(struct base_buf *b, const struct status_copy_status *c)
{
	struct status_obj o = {b, 3, 1};
	base_buf_str(b, "{");
	status_obj_str(&o, "from", c->from);
	status_obj_str(&o, "to", c->to);
	status_obj_str(&o, "platform", c->platform);
	status_obj_str(&o, "state", status_copy_rec_state_str(c->state));
	status_obj_str(&o, "digest", c->digest);
	status_obj_str(&o, "media_type", c->media_type);
	if (c->foreign) {
		status_obj_key(&o, "foreign");
		base_buf_str(b, "true");
	}
	status_obj_str(&o, "since", c->since);
	status_obj_str(&o, "reason", c->reason);
	status_obj_close(&o);
}

void status_copies_serialize(struct base_buf *b, const struct status_status *st)
{
	const struct status_retag_summary *s = &st->last_retag;
	struct status_obj top = {b, 1, 0}, run = {b, 2, 1};
	const struct status_copy_status **order;

	if (!st->n_copies && !s->started && !s->finished)
		return; /* a file no retag wrote keeps its bytes */
	status_obj_key(&top, "last_retag");
	base_buf_str(b, "{");
	status_obj_str(&run, "started", s->started);
	status_obj_str(&run, "finished", s->finished);
	status_obj_int(&run, "copied", s->copied);
	status_obj_int(&run, "unchanged", s->unchanged);
	status_obj_int(&run, "failed", s->failed);
	status_obj_close(&run);
	status_obj_key(&top, "copies");
	if (!st->n_copies) {
		base_buf_str(b, "[]");
		return;
	}
	/* Sort a view, not the caller's array: serialising must not mutate. */
	order = malloc(st->n_copies * sizeof(*order));
	if (!order) {
		b->oom = 1;
		return;
	}
	for (size_t i = 0; i < st->n_copies; i++) {
		size_t j = i;
		while (j > 0 && copy_cmp(order[j - 1], &st->copies[i]) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = &st->copies[i];
	}
	base_buf_str(b, "[");
	for (size_t i = 0; i < st->n_copies; i++) {
		base_buf_str(b, i ? ",\n" : "\n");
		status_sb_indent(b, 2);
		serialize_copy(b, order[i]);
	}
	base_buf_str(b, "\n  ]");
	free(order);
}

/* ---- parsing --------------------------------------------------------------- */

static int parse_copy(const cJSON *j, struct status_copy_status *c, const char *name,
                      const char *path, struct base_error *err)
{
	char *state = NULL;
	int rc = -1;

	if (!cJSON_IsObject(j)) {
		base_error_set(err, "%s: %s: want an object", name, path);
		return -1;
	}
	if (status_get_str(j, "from", &c->from, name, path, err) < 0 ||
	    status_get_str(j, "to", &c->to, name, path, err) < 0 ||
	    status_get_str(j, "platform", &c->platform, name, path, err) < 0 ||
	    status_get_str(j, "state", &state, name, path, err) < 0 ||
	    status_get_str(j, "digest", &c->digest, name, path, err) < 0 ||
	    status_get_str(j, "media_type", &c->media_type, name, path, err) < 0 ||
	    status_get_str(j, "since", &c->since, name, path, err) < 0 ||
	    status_get_str(j, "reason", &c->reason, name, path, err) < 0)
		goto out;
	if (!c->to) {
		base_error_set(err, "%s: %s.to: missing", name, path);
		goto out;
	}
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "foreign");
	if (f && !cJSON_IsBool(f)) {
		base_error_set(err, "%s: %s.foreign: want true or false", name, path);
		goto out;
	}
	c->foreign = f && cJSON_IsTrue(f);
	if (status_copy_rec_state_parse(state, &c->state) < 0) {
		base_error_set(err, "%s: %s.state: \"%s\" is not a copy state", name, path,
		               state ? state : "");
		goto out;
	}
	rc = 0;
out:
	free(state);
	return rc;
}

static int parse_summary(const cJSON *root, struct status_retag_summary *s, const char *name,
                         struct base_error *err)
{
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "last_retag");
	const char *p = "last_retag";

	if (!run || cJSON_IsNull(run))
		return 0;
	if (!cJSON_IsObject(run)) {
		base_error_set(err, "%s: last_retag: want an object", name);
		return -1;
	}
	if (status_get_str(run, "started", &s->started, name, p, err) < 0 ||
	    status_get_str(run, "finished", &s->finished, name, p, err) < 0 ||
	    status_get_int32(run, "copied", &s->copied, name, p, err) < 0 ||
	    status_get_int32(run, "unchanged", &s->unchanged, name, p, err) < 0 ||
	    status_get_int32(run, "failed", &s->failed, name, p, err) < 0)
		return -1;
	return 0;
}

int status_copies_parse(const cJSON *root, struct status_status *st, const char *name,
                        struct base_error *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "copies"), *e;
	char path[64];
	size_t n;

	if (parse_summary(root, &st->last_retag, name, err) < 0)
		return -1;
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr)) {
		base_error_set(err, "%s: copies: want an array", name);
		return -1;
	}
	n = (size_t)cJSON_GetArraySize(arr);
	if (n && !(st->copies = calloc(n, sizeof(*st->copies)))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach(e, arr)
	{
		snprintf(path, sizeof(path), "copies[%zu]", st->n_copies);
		st->n_copies++;
		if (parse_copy(e, &st->copies[st->n_copies - 1], name, path, err) < 0)
			return -1;
	}
	status_sort_copies(st);
	for (size_t i = 1; i < st->n_copies; i++) {
		if (strcmp(st->copies[i - 1].to, st->copies[i].to) == 0) {
			base_error_set(err, "%s: copies: \"%s\" appears twice", name,
			               st->copies[i].to);
			return -1;
		}
	}
	return 0;
}
