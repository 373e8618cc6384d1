/* sign_gate.c — the signature gate for children (`require-signature`): a
 * child goes in a list only when its source repository's cosign tag
 * (`sha256-<hex>.sig`) holds a signature of its exact digest by one of
 * the image's public keys. The verdict is cached by child digest in the
 * status record (the platform's signed_by), as the platform check is, so
 * a night whose children did not change asks nothing more. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"
#include "sign.h"

static const struct status_platform_status *prev_platform(const struct tjob *j,
                                                          const char *platform)
{
	for (size_t i = 0; j->prev && i < j->prev->n_platforms; i++)
		if (strcmp(j->prev->platforms[i].platform, platform) == 0)
			return &j->prev->platforms[i];
	return NULL;
}

/* 1 when the record verified this digest under one of the keys. */
static int cached(const struct tjob *j, const struct status_platform_status *p,
                  const struct pub_sign_image *si)
{
	const struct status_platform_status *old = prev_platform(j, p->platform);
	if (!old || !old->digest || !old->signed_by || strcmp(old->digest, p->digest) != 0)
		return 0;
	for (size_t k = 0; k < si->n_pubs; k++)
		if (strcmp(si->pubs[k]->id, old->signed_by) == 0)
			return 1;
	return 0;
}

/* The source of platform k (config order, as the record's platforms). */
static const struct pub_plan_source *source_of(const struct tjob *j, size_t k)
{
	return k < j->t->n_sources ? &j->t->sources[k] : NULL;
}

int pub_gate_target(struct reg_session *s, struct job_ctx *x, struct tjob *j)
{
	const struct pub_sign_image *si = pub_signing_image(x->signing, j->t->farm->image);
	struct base_buf why = {0};
	int failed = 0;

	if (!si || !si->n_pubs)
		return 0;
	for (size_t k = 0; k < j->out->n_platforms; k++) {
		struct status_platform_status *p = &j->out->platforms[k];
		const struct pub_plan_source *src = source_of(j, k);
		const struct pub_key *by = NULL;
		enum pub_sig_verdict v;
		struct pub_sig_set set;
		struct base_error err;

		if (p->state != STATUS_P_READY || !p->digest || !src)
			continue;
		if (cached(j, p, si)) {
			free(p->signed_by);
			p->signed_by = strdup(prev_platform(j, p->platform)->signed_by);
			continue;
		}
		base_error_clear(&err);
		if (pub_sig_fetch(s, &src->ref, p->digest, ".sig", si->pubs, si->n_pubs, &set,
		                  &err) < 0) {
			pub_sig_set_free(&set);
			pub_job_note_fail(j, &err, src->ref.registry);
			base_buf_fmt(&why, "%s%s %s: signature not read: %s",
			             failed ? "; " : "signature gate: ", p->platform, p->digest,
			             err.msg);
			failed = 1;
			continue;
		}
		v = pub_sig_judge(&set, p->digest, &by);
		pub_sig_set_free(&set);
		free(p->signed_by);
		p->signed_by = NULL;
		if (v == PUB_SIG_VALID) {
			p->signed_by = strdup(by->id);
			continue;
		}
		base_buf_fmt(&why, "%s%s %s: %s", failed ? "; " : "signature gate: ", p->platform,
		             p->digest, pub_sig_verdict_str(v));
		failed = 1;
	}
	if (failed) {
		char *text = base_buf_take(&why);
		j->out->state = STATUS_T_FAILED;
		free(j->out->reason);
		j->out->reason = text ? text : strdup("signature gate: out of memory");
		pub_log(PUB_LOG_DEBUG, "%s: signature gate: %s", j->out->target,
		        j->out->reason ? j->out->reason : "");
	}
	base_buf_free(&why);
	return failed ? -1 : 0;
}
