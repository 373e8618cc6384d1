/* history_version.c — one version of the status file as the history reads
 * it: its blob loaded, cut into its records (a record whose bytes the
 * version before had keeps that one's encoding; only the header and the
 * changed records are parsed, each wrapped as a one-target document; a
 * file in another layout parsed whole), a split version from its header
 * and its parts, and what the history takes from it (its summary). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "git_internal.h"
#include "history_internal.h"

static const char TARGETS_OPEN[] = ",\n  \"targets\": [\n";
static const char RECORD_END[] = "\n    }";
static const char TARGETS_CLOSE[] = "\n  ]\n}\n";
/* The targets end where retag's copy records begin; history reads none of them. */
static const char TARGETS_THEN_COPIES[] = "\n  ],\n  \"last_retag\": {";

void status_version_free(struct version *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_recs; i++)
		status_enc_unref(v->recs[i].enc);
	free(v->recs);
	for (size_t i = 0; i < v->n_parts; i++) {
		free(v->parts[i].rel);
		status_version_free(&v->parts[i].v);
	}
	free(v->parts);
	status_free(v->head);
	git_blob_free(v->blob);
	status_pack_release(v->held);
	memset(v, 0, sizeof(*v));
}

int status_version_load(struct walk *w, size_t i, struct version *v, struct base_error *err)
{
	char hex[13];
	memset(v, 0, sizeof(*v));
	git_oid_tostr(hex, sizeof(hex), &w->commits[i]);
	snprintf(v->name, sizeof(v->name), "%s at %s", w->relpath, hex);
	if (git_blob_lookup(&v->blob, w->repo, &w->heads[i]) < 0) {
		status_gitrec_fail(err, v->name);
		return -1;
	}
	v->buf = git_blob_rawcontent(v->blob);
	v->len = (size_t)git_blob_rawsize(v->blob);
	return 0;
}

static int add_record(struct version *v, size_t off, size_t len, struct henc *enc, size_t *cap);

/* Parse text+tail as one document (the tail closes what text leaves open). */
static int parse_wrapped(const char *name, const char *pre, const char *text, size_t len,
                         const char *tail, struct status_status **out, struct base_error *err)
{
	struct base_buf sb = {0};
	char *doc;
	int rc;
	base_buf_str(&sb, pre);
	base_buf_put(&sb, text, len);
	base_buf_str(&sb, tail);
	if (!(doc = base_buf_take(&sb))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	rc = status_parse(name, doc, strlen(doc), out, err);
	free(doc);
	return rc;
}

/* v parsed whole: every target of it a record of its own (not one
 * a later version can take over: match_prev skips a whole version). */
static int version_whole(struct version *v, struct status_history_work *work,
                         struct base_error *err)
{
	size_t cap = 0;
	v->whole = 1;
	if (status_parse(v->name, v->buf, v->len, &v->head, err) < 0)
		return -1;
	work->wholes_parsed++;
	for (size_t i = 0; i < v->head->n_targets; i++) {
		struct henc *e = status_enc_new(&v->head->targets[i]);
		int rc = e ? add_record(v, 0, 0, e, &cap) : -1;
		status_enc_unref(e);
		if (rc < 0) {
			base_error_set(err, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* The header (schema, config, last_run) or, in another layout, the whole. */
int status_version_head(struct version *v, size_t *body, struct status_history_work *work,
                        struct base_error *err)
{
	const char *at = memmem(v->buf, v->len, TARGETS_OPEN, sizeof(TARGETS_OPEN) - 1);
	if (!at)
		return version_whole(v, work, err);
	*body = (size_t)(at - v->buf) + sizeof(TARGETS_OPEN) - 1;
	return parse_wrapped(v->name, "", v->buf, (size_t)(at - v->buf), "\n}", &v->head, err);
}

/* Where the record starting at off ends (just past "\n    }"), reusing the
 * previous version's record when the bytes are the same; 0 when the layout
 * is not the serialiser's. */
static size_t record_end(const struct version *v, size_t off, const struct record *same)
{
	const char *end;
	if (v->len - off < 6 || memcmp(v->buf + off, "    {\n", 6) != 0)
		return 0;
	if (same)
		return off + same->len;
	end = memmem(v->buf + off, v->len - off, RECORD_END, sizeof(RECORD_END) - 1);
	return end ? (size_t)(end - v->buf) + sizeof(RECORD_END) - 1 : 0;
}

/* prev's record j when v's bytes at off are the same record. */
static struct record *match_prev(struct version *prev, size_t j, const struct version *v,
                                 size_t off)
{
	struct record *r;
	if (!prev || prev->whole || j >= prev->n_recs)
		return NULL;
	r = &prev->recs[j];
	if (!r->enc || r->len > v->len - off || memcmp(prev->buf + r->off, v->buf + off, r->len))
		return NULL;
	return r;
}

/* Append a record holding enc (a reference of its own). */
static int add_record(struct version *v, size_t off, size_t len, struct henc *enc, size_t *cap)
{
	if (v->n_recs == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct record *nr = realloc(v->recs, nc * sizeof(*nr));
		if (!nr)
			return -1;
		v->recs = nr;
		*cap = nc;
	}
	v->recs[v->n_recs++] = (struct record){off, len, status_enc_ref(enc)};
	return 0;
}

/* Move prev's cursor past the records a new or changed one replaces. */
static size_t advance_prev(const struct version *prev, size_t j, const char *target)
{
	while (prev && !prev->whole && j < prev->n_recs) {
		const struct henc *p = prev->recs[j].enc;
		int c = p ? strcmp(status_enc_name(p), target) : -1;
		if (c > 0)
			break;
		j++;
		if (c == 0)
			break;
	}
	return j;
}

/* Cut v's body into records; 1 when the layout is not the serialiser's. */
static int version_records(struct version *v, size_t off, struct version *prev,
                           struct status_history_work *work, struct base_error *err)
{
	size_t j = 0, cap = 0;
	for (;;) {
		struct record *same = match_prev(prev, j, v, off);
		size_t end = record_end(v, off, same);
		struct henc *enc = NULL;
		int rc;
		if (!end)
			return 1;
		if (same) {
			enc = status_enc_ref(same->enc);
			j++;
		} else {
			struct status_status *st = NULL;
			int got = status_enc_read(v->buf + off, end - off, &enc);
			if (got < 0) {
				base_error_set(err, "out of memory");
				return -1;
			}
			work->records_parsed++;
			if (got == 0) {
				/* another form: the full parse reads it (or says what is wrong) */
				if (parse_wrapped(v->name, "{\"schema\": 1, \"targets\": [\n",
				                  v->buf + off, end - off, "]}", &st, err) < 0)
					return -1;
				work->records_full++;
				if (st->n_targets != 1) {
					status_free(st);
					return 1;
				}
				enc = status_enc_new(&st->targets[0]);
				status_free(st);
				if (!enc) {
					base_error_set(err, "out of memory");
					return -1;
				}
			}
			j = advance_prev(prev, j, status_enc_name(enc));
		}
		rc = add_record(v, off, end - off, enc, &cap);
		status_enc_unref(enc);
		if (rc < 0) {
			base_error_set(err, "out of memory");
			return -1;
		}
		if (v->len - end >= 2 && memcmp(v->buf + end, ",\n", 2) == 0)
			off = end + 2;
		else
			return (v->len - end == sizeof(TARGETS_CLOSE) - 1 &&
			        memcmp(v->buf + end, TARGETS_CLOSE, v->len - end) == 0) ||
			               (v->len - end > sizeof(TARGETS_THEN_COPIES) - 1 &&
			                memcmp(v->buf + end, TARGETS_THEN_COPIES,
			                       sizeof(TARGETS_THEN_COPIES) - 1) == 0)
			           ? 0
			           : 1;
	}
}

/* The version's body: records, or the whole file when the layout differs. */
int status_version_body(struct version *v, size_t body, struct version *prev,
                        struct status_history_work *work, struct base_error *err)
{
	int r;
	if (v->whole)
		return 0;
	r = version_records(v, body, prev, work, err);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < v->n_recs; i++)
		status_enc_unref(v->recs[i].enc);
	free(v->recs);
	v->recs = NULL;
	v->n_recs = 0;
	status_free(v->head);
	v->head = NULL;
	return version_whole(v, work, err);
}

int status_enc_ptr_cmp(const void *a, const void *b)
{
	return strcmp(status_enc_name(*(struct henc *const *)a),
	              status_enc_name(*(struct henc *const *)b));
}

/* 1 when v's records are in reference order; found once per version (a
 * part handed on whole to the next version keeps it). */
int status_version_sorted(struct version *v)
{
	if (!v->sorted) {
		v->sorted = 1;
		for (size_t k = 1; k < v->n_recs; k++)
			if (strcmp(status_enc_name(v->recs[k - 1].enc),
			           status_enc_name(v->recs[k].enc)) > 0) {
				v->sorted = -1;
				break;
			}
	}
	return v->sorted > 0;
}

/* Append v's records to out; *last: the reference out ended with before,
 * cleared when v does not follow it in order. */
static int sum_records(struct hsum *out, struct version *v, int *in_order)
{
	status_sum_order(out, v->n_recs ? v->recs[0].enc : NULL, status_version_sorted(v),
	                 in_order);
	for (size_t k = 0; k < v->n_recs; k++)
		if (status_sum_push(out, v->recs[k].enc) < 0)
			return -1;
	return 0;
}

/* What the history takes from v (every part's records, for a split one),
 * sorted by reference: a reference to each record's henc. */
int status_version_sum(struct version *v, const git_oid *blob, struct hsum *out,
                       struct base_error *err)
{
	int in_order = 1;
	if (status_sum_start(out, blob, v->head->last_run.finished) < 0 ||
	    sum_records(out, v, &in_order) < 0)
		goto oom;
	/* parts in path order are mostly targets in reference order already */
	for (size_t i = 0; i < v->n_parts; i++)
		if (sum_records(out, &v->parts[i].v, &in_order) < 0)
			goto oom;
	status_sum_finish(out, in_order);
	return 0;
oom:
	status_sum_free(out);
	base_error_set(err, "out of memory");
	return -1;
}

/* A split version (its header names a parts directory): the header, and
 * each part from the commit's tree, a part whose blob is prev's keeping
 * prev's parse. 0 when v is one file, 1 when read split, -1 on error. */
static int version_split(struct walk *w, size_t i, struct version *v, struct version *prev,
                         struct status_history_work *work, struct base_error *err)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	struct tree_part *tp = NULL;
	size_t n = 0, j = 0;
	char *dir = NULL, *dpath = NULL;
	int has_dir, r, rc = -1;

	r = status_split_dir_of(v->name, v->buf, v->len, &dir, err);
	if (r <= 0)
		return r;
	if (status_parse(v->name, v->buf, v->len, &v->head, err) < 0)
		goto out;
	v->whole = v->split = 1;
	if (!(dpath = status_gitrec_parts_path(w->relpath, dir))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (git_commit_lookup(&c, w->repo, &w->commits[i]) < 0 || git_commit_tree(&tree, c) < 0 ||
	    status_gitrec_tree_parts(w->repo, tree, dpath, &tp, &n, &has_dir) < 0) {
		status_gitrec_fail(err, v->name);
		goto out;
	}
	if (n && !(v->parts = calloc(n, sizeof(*v->parts)))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		struct vpart *p = &v->parts[k];
		struct version *pv = NULL;
		size_t body = 0;
		p->rel = tp[k].rel;
		tp[k].rel = NULL;
		git_oid_cpy(&p->id, &tp[k].id);
		v->n_parts = k + 1;
		while (prev && prev->split && j < prev->n_parts &&
		       strcmp(prev->parts[j].rel, p->rel) < 0)
			j++;
		if (prev && prev->split && j < prev->n_parts &&
		    strcmp(prev->parts[j].rel, p->rel) == 0 && prev->parts[j].v.head)
			pv = &prev->parts[j].v;
		if (pv && git_oid_equal(&prev->parts[j].id, &p->id)) {
			p->v = *pv; /* the same blob: the same parse */
			memset(pv, 0, sizeof(*pv));
			continue;
		}
		snprintf(p->v.name, sizeof(p->v.name), "%s/%s", dpath, p->rel);
		if (git_blob_lookup(&p->v.blob, w->repo, &p->id) < 0) {
			status_gitrec_fail(err, p->v.name);
			goto out;
		}
		p->v.buf = git_blob_rawcontent(p->v.blob);
		p->v.len = (size_t)git_blob_rawsize(p->v.blob);
		/* a changed part: only its records whose bytes changed are parsed */
		work->parts_read++;
		if (status_version_head(&p->v, &body, work, err) < 0 ||
		    status_version_body(&p->v, body, pv, work, err) < 0)
			goto out;
	}
	rc = 1;
out:
	status_gitrec_tree_parts_free(tp, n);
	git_tree_free(tree);
	git_commit_free(c);
	free(dir);
	free(dpath);
	return rc;
}

/* Version i from git: its bytes, its header and records (reusing prev's
 * parse of records whose bytes are the same; prev may be NULL). */
int status_version_read(struct walk *w, size_t i, struct version *v, struct version *prev,
                        struct status_history_work *work, struct base_error *err)
{
	size_t body = 0;
	int r;
	work->versions_git++;
	if (status_version_load(w, i, v, err) < 0 ||
	    (r = version_split(w, i, v, prev, work, err)) < 0)
		return -1;
	if (r == 0 && (status_version_head(v, &body, work, err) < 0 ||
	               status_version_body(v, body, prev, work, err) < 0))
		return -1;
	return 0;
}

/* v (its blob loaded) cut into records again, each taking e[0..n) in turn: they
 * were read from this blob. 0, or -1 when the cut differs
 * (then v has no records and the next version parses all of its own). */
int status_version_recut(struct version *v, struct henc *const *e, size_t n)
{
	const char *at = memmem(v->buf, v->len, TARGETS_OPEN, sizeof(TARGETS_OPEN) - 1);
	size_t off, cap = 0;
	if (!at || !n)
		return -1;
	off = (size_t)(at - v->buf) + sizeof(TARGETS_OPEN) - 1;
	for (size_t r = 0; r < n; r++) {
		size_t end = record_end(v, off, NULL);
		if (!end || add_record(v, off, end - off, e[r], &cap) < 0)
			goto bad;
		off = end + 2; /* ",\n" or the end */
		if (off > v->len)
			goto bad;
	}
	return 0;
bad:
	for (size_t i = 0; i < v->n_recs; i++)
		status_enc_unref(v->recs[i].enc);
	free(v->recs);
	v->recs = NULL;
	v->n_recs = 0;
	return -1;
}
