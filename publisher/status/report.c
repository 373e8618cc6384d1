/* report.c — the text reports of manifold status: terminal table, JSON, the
 * --since diff, the --check verdict, and what every renderer shares (cell
 * states, counts, the legend). Markdown is report_markdown.c, the HTML page
 * report_html.c, the history's charts and series report_history.c. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "status.h"
#include "report_internal.h"

/* A status-file string made safe for a terminal; each use has its own
 * buffer (a compound literal that lives to the end of the block). */
#define TERM_TEXT(s) pub_term_text((s), (char[2048]){0}, 2048)

int pub_target_green(const struct pub_target_status *t)
{
	return t->state == PUB_T_PUBLISHED || t->state == PUB_T_UNCHANGED;
}

void pub_report_counts(const struct pub_status *st, int counts[PUB_T__COUNT])
{
	memset(counts, 0, sizeof(int) * PUB_T__COUNT);
	for (size_t i = 0; i < st->n_targets; i++)
		counts[st->targets[i].state]++;
}

size_t pub_report_platforms(const struct pub_status *st, const char ***out)
{
	size_t n = 0, cap = 0;
	const char **v = NULL;
	for (size_t i = 0; i < st->n_targets; i++) {
		for (size_t j = 0; j < st->targets[i].n_platforms; j++) {
			const char *p = st->targets[i].platforms[j].platform;
			size_t k;
			for (k = 0; k < n && strcmp(v[k], p) != 0; k++)
				;
			if (k < n)
				continue;
			if (n == cap) {
				const char **nv =
				    realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(*v));
				if (!nv)
					break;
				v = nv;
			}
			v[n++] = p;
		}
	}
	*out = v;
	return n;
}

int pub_report_platform_optional(const struct pub_status *st, const char *platform)
{
	int seen = 0;
	for (size_t i = 0; i < st->n_targets; i++) {
		for (size_t j = 0; j < st->targets[i].n_platforms; j++) {
			const struct pub_platform_status *p = &st->targets[i].platforms[j];
			if (strcmp(p->platform, platform) != 0)
				continue;
			if (!p->optional)
				return 0;
			seen = 1;
		}
	}
	return seen;
}

const char *pub_cell_state(const struct pub_target_status *t, const char *platform,
                           const struct pub_platform_status **p)
{
	*p = NULL;
	for (size_t j = 0; j < t->n_platforms; j++)
		if (strcmp(t->platforms[j].platform, platform) == 0)
			*p = &t->platforms[j];
	if (!*p)
		return "absent";
	if ((*p)->state != PUB_P_READY)
		return pub_platform_state_str((*p)->state);
	return pub_target_green(t) ? pub_target_state_str(t->state) : "ready";
}

const struct pub_legend_entry pub_legend[] = {
    {"published", "the tag holds the list made from these children (green)"},
    {"unchanged", "the tag already held exactly this list; nothing was written (green)"},
    {"incomplete", "a platform is not built yet; nothing was pushed for the target"},
    {"failed", "a platform is the wrong one or the registry answered an error; nothing was "
               "pushed"},
    {"held", "the new list would drop platforms the tag's list has; nothing was pushed "
             "(allow-shrink lets it through)"},
    {"ready", "this platform is there, but its target is not green (it waits for the others)"},
    {"missing", "this platform's image is not built yet"},
    {"wrong-platform", "the image under this platform's tag is another platform"},
    {"error", "the registry answered an error for this platform"},
    {"absent", "the target does not ask for this platform"},
};
const size_t pub_legend_n = PUB_N(pub_legend);

/* ---- times ------------------------------------------------------------ */

long long pub_age_seconds(const char *since, const char *now)
{
	time_t a, b;
	if (base_time_parse(since, &a) < 0 || base_time_parse(now, &b) < 0)
		return -1;
	return b > a ? (long long)(b - a) : 0;
}

void pub_age_format(const char *since, const char *now, char *buf, size_t len)
{
	long long s = pub_age_seconds(since, now);
	if (s < 0)
		snprintf(buf, len, "%s", "");
	else if (s >= 86400)
		snprintf(buf, len, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldm", s / 60);
}

/* ---- since ------------------------------------------------------------ */

static int push_ptr(const struct pub_target_status ***v, size_t *n,
                    const struct pub_target_status *t)
{
	const struct pub_target_status **nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	nv[(*n)++] = t;
	*v = nv;
	return 0;
}

int pub_since_diff(const struct pub_status *old, const struct pub_status *cur, const char *rev,
                   struct pub_since *out, struct base_error *err)
{
	memset(out, 0, sizeof(*out));
	out->rev = rev;
	for (size_t i = 0; i < cur->n_targets; i++) {
		const struct pub_target_status *t = &cur->targets[i];
		const struct pub_target_status *o = pub_status_find(old, t->target);
		int rc = 0;
		if (pub_target_green(t)) {
			if (!o || !pub_target_green(o) || !o->digest || !t->digest ||
			    strcmp(o->digest, t->digest) != 0)
				rc = push_ptr(&out->published, &out->n_published, t);
		} else if (!o || pub_target_green(o)) {
			rc = push_ptr(&out->broken, &out->n_broken, t);
		} else {
			rc = push_ptr(&out->still, &out->n_still, t);
		}
		if (rc < 0) {
			pub_since_free(out);
			base_error_set(err, "out of memory");
			return -1;
		}
	}
	return 0;
}

void pub_since_free(struct pub_since *s)
{
	if (!s)
		return;
	free(s->published);
	free(s->broken);
	free(s->still);
	memset(s, 0, sizeof(*s));
}

/* ---- check ------------------------------------------------------------ */

int pub_status_check(FILE *f, const struct pub_status *st, long long max_incomplete_age,
                     const char *now)
{
	int bad = 0;
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct pub_target_status *t = &st->targets[i];
		char age[32];
		pub_age_format(t->since, now, age, sizeof(age));
		if (t->state == PUB_T_FAILED) {
			fprintf(f, "FAILED %s: %s\n", t->target,
			        t->reason ? TERM_TEXT(t->reason) : "(no reason)");
			bad++;
		} else if (t->state == PUB_T_HELD) {
			/* a tag kept back waits for a human, whatever its age */
			fprintf(f, "HELD %s: for %s (%s)\n", t->target, age,
			        t->reason ? TERM_TEXT(t->reason) : "no reason");
			bad++;
		} else if (t->state == PUB_T_INCOMPLETE &&
		           pub_age_seconds(t->since, now) > max_incomplete_age) {
			fprintf(f, "INCOMPLETE %s: for %s (%s)\n", t->target, age,
			        t->reason ? TERM_TEXT(t->reason) : "no reason");
			bad++;
		}
	}
	return bad;
}

/* ---- table ------------------------------------------------------------ */

static const char *state_color(enum pub_target_state s)
{
	switch (s) {
	case PUB_T_PUBLISHED:
	case PUB_T_UNCHANGED:
		return "\033[32m";
	case PUB_T_INCOMPLETE:
	case PUB_T_READY:
	case PUB_T_HELD:
		return "\033[33m";
	default:
		return "\033[31m";
	}
}

void pub_short_digest(const char *d, char *buf, size_t len)
{
	const char *h = d ? strchr(d, ':') : NULL;
	snprintf(buf, len, "%.12s", h ? h + 1 : (d ? d : ""));
}

/* retag's copy records, when the file has any: their own section. */
static void table_copies(FILE *f, const struct pub_status *st, int color)
{
	const struct pub_retag_summary *r = &st->last_retag;
	int w = 2;

	if (!st->n_copies)
		return;
	for (size_t i = 0; i < st->n_copies; i++) {
		int l = (int)strlen(st->copies[i].to);
		if (l > w)
			w = l;
	}
	fprintf(f, "\n%-*s  %-10s  %-12s  %-20s  %s\n", w, "COPY TO", "STATE", "DIGEST", "SINCE",
	        "FROM / REASON");
	for (size_t i = 0; i < st->n_copies; i++) {
		const struct pub_copy_status *c = &st->copies[i];
		int bad =
		    c->state == PUB_C_FAILED || c->state == PUB_C_HELD || c->state == PUB_C_REFUSED;
		char d[16];
		pub_short_digest(c->digest, d, sizeof(d));
		fprintf(f, "%-*s  %s%-10s%s  %-12s  %-20s  %s\n", w, c->to,
		        color ? (bad ? "\033[31m" : "\033[32m") : "",
		        pub_copy_rec_state_str(c->state), color ? "\033[0m" : "", d,
		        c->since ? TERM_TEXT(c->since) : "",
		        bad && c->reason ? TERM_TEXT(c->reason)
		        : c->from        ? TERM_TEXT(c->from)
		                         : "");
	}
	fprintf(f, "\n%zu copies; last retag %s: %d copied, %d unchanged, %d failed\n",
	        st->n_copies, r->finished ? r->finished : "unknown", r->copied, r->unchanged,
	        r->failed);
}

int pub_report_table(FILE *f, const struct pub_status *st, const struct pub_since *since,
                     const char *now, int color)
{
	int w = 6, counts[PUB_T__COUNT];
	for (size_t i = 0; i < st->n_targets; i++) {
		int l = (int)strlen(st->targets[i].target);
		if (l > w)
			w = l;
	}
	fprintf(f, "%-*s  %-10s  %-12s  %-20s  %s\n", w, "TARGET", "STATE", "DIGEST", "SINCE",
	        "REASON");
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct pub_target_status *t = &st->targets[i];
		char d[16];
		pub_short_digest(t->digest, d, sizeof(d));
		fprintf(f, "%-*s  %s%-10s%s  %-12s  %-20s  %s\n", w, t->target,
		        color ? state_color(t->state) : "", pub_target_state_str(t->state),
		        color ? "\033[0m" : "", d, t->since ? TERM_TEXT(t->since) : "",
		        t->reason        ? TERM_TEXT(t->reason)
		        : t->unconfirmed ? "written, not confirmed (the next publish reads the tag)"
		                         : "");
	}
	pub_report_counts(st, counts);
	fprintf(f, "\n%zu targets: %d published, %d unchanged, %d incomplete, %d failed",
	        st->n_targets, counts[PUB_T_PUBLISHED], counts[PUB_T_UNCHANGED],
	        counts[PUB_T_INCOMPLETE], counts[PUB_T_FAILED]);
	if (counts[PUB_T_HELD])
		fprintf(f, ", %d held", counts[PUB_T_HELD]);
	fputc('\n', f);
	table_copies(f, st, color);
	if (since) {
		char age[32];
		fprintf(f, "\nsince %s:\n", since->rev);
		for (size_t i = 0; i < since->n_published; i++)
			fprintf(f, "  newly published   %s\n", since->published[i]->target);
		for (size_t i = 0; i < since->n_broken; i++)
			fprintf(f, "  newly broken      %s (%s)\n", since->broken[i]->target,
			        pub_target_state_str(since->broken[i]->state));
		for (size_t i = 0; i < since->n_still; i++) {
			pub_age_format(since->still[i]->since, now, age, sizeof(age));
			fprintf(f, "  still %-11s %s for %s\n",
			        pub_target_state_str(since->still[i]->state),
			        since->still[i]->target, age);
		}
		if (!since->n_published && !since->n_broken && !since->n_still)
			fprintf(f, "  no changes\n");
	}
	return ferror(f) ? -1 : 0;
}

/* ---- json ------------------------------------------------------------- */

static cJSON *ref_list(const struct pub_target_status **v, size_t n, const char *now)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		char age[32];
		cJSON_AddStringToObject(o, "target", v[i]->target);
		cJSON_AddStringToObject(o, "state", pub_target_state_str(v[i]->state));
		if (v[i]->since)
			cJSON_AddStringToObject(o, "since", v[i]->since);
		long long s = pub_age_seconds(v[i]->since, now);
		if (s >= 0) {
			cJSON_AddNumberToObject(o, "age_seconds", (double)s);
			pub_age_format(v[i]->since, now, age, sizeof(age));
			cJSON_AddStringToObject(o, "age", age);
		}
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

int pub_report_json(FILE *f, const struct pub_status *st, const struct pub_since *since,
                    const char *now)
{
	char *text = pub_status_serialize(st);
	cJSON *root = text ? cJSON_Parse(text) : NULL, *sum;
	int counts[PUB_T__COUNT], rc = -1;

	if (!root)
		goto out;
	pub_report_counts(st, counts);
	sum = cJSON_CreateObject();
	cJSON_AddNumberToObject(sum, "targets", (double)st->n_targets);
	for (int s = 0; s < PUB_T__COUNT; s++) {
		if ((s == PUB_T_READY || s == PUB_T_HELD) && !counts[s])
			continue; /* shown only when a file has it */
		cJSON_AddNumberToObject(sum, pub_target_state_str((enum pub_target_state)s),
		                        counts[s]);
	}
	for (size_t i = 0, n = 0; i <= st->n_targets; i++) {
		if (i == st->n_targets) {
			if (n) /* shown only when a file has one */
				cJSON_AddNumberToObject(sum, "unconfirmed", (double)n);
		} else if (st->targets[i].unconfirmed) {
			n++;
		}
	}
	cJSON_AddItemToObject(root, "summary", sum);
	if (since) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "rev", since->rev);
		cJSON_AddItemToObject(o, "newly_published",
		                      ref_list(since->published, since->n_published, now));
		cJSON_AddItemToObject(o, "newly_broken",
		                      ref_list(since->broken, since->n_broken, now));
		cJSON_AddItemToObject(o, "still_broken",
		                      ref_list(since->still, since->n_still, now));
		cJSON_AddItemToObject(root, "since", o);
	}
	rc = pub_json_write(f, root, 1);
out:
	cJSON_Delete(root);
	free(text);
	return rc;
}

int pub_json_write(FILE *f, struct cJSON *root, int pretty)
{
	char *text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
	int rc = -1;
	if (text && fprintf(f, "%s\n", text) >= 0 && !ferror(f))
		rc = 0;
	free(text);
	return rc;
}
