/* target_check.c — check's work for one target: its decision from phase
 * 1's HEADs, and with --verify the children GET and checked and the
 * published list's children HEADed. */

#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "target_internal.h"

/* check --verify: the list the target tag holds must have every child in
 * the tag's repository (publish.md, "Missing children"): one GET of the
 * tag, one HEAD per entry. A missing child fails the target, the reason
 * naming its platform and digest. */
static void check_children(struct reg_session *s, struct tjob *j, const struct reg_platform *plats)
{
	struct reg_manifest m = {0};
	struct base_error err;
	struct base_buf b = {0};
	int r;

	base_error_clear(&err);
	r = reg_manifest_get(s, &j->t->ref, &m, &err);
	if (r < 0 && r != BASE_ENOTFOUND) {
		pub_job_note_fail(j, &err, j->t->ref.registry);
		base_error_wrap(&err, "the published list");
		pub_target_target_fail(j, err.msg);
		return;
	}
	for (size_t e = 0; r == 0 && m.is_list && e < m.n_entries; e++) {
		const struct reg_descriptor *d = &m.entries[e];
		struct reg_ref ref = reg_ref_at(&j->t->ref, NULL, d->digest);
		const char *name = NULL;
		char *owned = NULL;
		struct reg_head h;
		int hr;

		base_error_clear(&err);
		hr = reg_manifest_head(s, &ref, &h, &err);
		if (hr == 0)
			continue;
		for (size_t k = 0; d->has_platform && !name && k < j->t->n_sources; k++)
			if (!reg_descriptor_is_attestation(d) &&
			    reg_platform_match(&plats[k], &d->platform)) {
				name = j->t->sources[k].farm->platform->name;
				if (hr == BASE_ENOTFOUND && k < j->out->n_platforms)
					j->out->platforms[k].child_missing = 1;
			}
		if (!name && d->has_platform)
			name = owned = reg_platform_format(&d->platform);
		if (b.len)
			base_buf_str(&b, "; ");
		if (hr == BASE_ENOTFOUND) {
			base_buf_fmt(&b, "%s%s child %s of the published list is missing from %s",
			             reg_descriptor_is_attestation(d) ? "attestation " : "",
			             name ? name : "entry", d->digest, j->t->repo);
		} else {
			pub_job_note_fail(j, &err, j->t->ref.registry);
			base_buf_fmt(&b, "%s child %s: %s", name ? name : "entry", d->digest,
			             err.msg);
		}
		free(owned);
	}
	if (b.len) {
		char *why = base_buf_take(&b);
		pub_target_target_fail(j, why ? why : "out of memory");
		free(why);
	}
	base_buf_free(&b);
	reg_manifest_free(&m);
}

static void published_children(struct reg_session *s, struct tjob *j)
{
	struct base_error err;
	struct reg_platform *plats;

	base_error_clear(&err);
	if (!(plats = pub_target_platforms_new(j, &err))) {
		pub_target_target_fail(j, err.msg);
		return;
	}
	check_children(s, j, plats);
	for (size_t k = 0; k < j->t->n_sources; k++)
		reg_platform_free(&plats[k]);
	free(plats);
}

/* check --verify: GET (and check) the children not verified at their
 * digest already, one after another on s, and decide again. */
static void check_verify(struct reg_session *s, struct job_ctx *x, struct tjob *j,
                         struct tdecide *td)
{
	size_t n = j->t->n_sources;
	struct pub_child *kids = calloc(n ? n : 1, sizeof(*kids));
	struct base_error *errs = calloc(n ? n : 1, sizeof(*errs));
	struct reg_platform *plats = NULL;
	struct base_error err;

	base_error_clear(&err);
	if (kids && errs && (plats = pub_target_platforms_new(j, &err))) {
		struct resolve_run rr = {j, td, plats, kids, errs, 1};
		for (size_t k = 0; k < n; k++)
			pub_target_resolve_one(s, k, &rr);
		for (size_t k = 0; k < n; k++)
			if (kids[k].state == STATUS_P_ERROR && !j->t->sources[k].farm->optional)
				pub_job_note_fail(j, &errs[k], j->t->sources[k].ref.registry);
		td->in.children_known = 1;
	}
	if (!td->in.children_known || pub_target_redecide(td) < 0)
		pub_target_target_fail(j, err.msg[0] ? err.msg : "out of memory");
	else
		pub_target_record_decision(j, &td->d, STATUS_T_READY);
	if (j->out->state == STATUS_T_READY)
		pub_gate_target(s, x, j);
	for (size_t k = 0; k < n; k++) {
		if (kids)
			pub_child_free(&kids[k]);
		if (plats)
			reg_platform_free(&plats[k]);
	}
	free(plats);
	free(kids);
	free(errs);
}

void pub_job_check_target(struct reg_session *s, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	struct tjob *j = &x->jobs[i];
	struct tdecide td;

	memset(&td, 0, sizeof(td));
	if (!(j->not_reached = pub_target_heads_cut(j))) {
		if (pub_target_decide_init(x, j, &td) < 0 || pub_decide(&td.in, &td.d) < 0)
			pub_target_target_fail(j, "out of memory");
		else
			pub_target_record_decision(j, &td.d, STATUS_T_READY);
		if (s && x->o->verify && td.d.verdict == PUB_VERDICT_PUBLISH)
			check_verify(s, x, j, &td);
		if (s && x->o->verify)
			published_children(s, j);
		pub_target_optional_warn(j);
		pub_job_target_log(j, 1, 0);
	}
	pub_target_decide_free(&td);
	if (s)
		pub_target_progress_tick(x);
}
