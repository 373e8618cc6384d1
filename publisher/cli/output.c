/* output.c — what check and publish print: a summary table (coloured on a
 * terminal), the dry-run plan, `-o json` for machines, and the progress of
 * check, publish and retag (a live line on a terminal, JSON progress
 * events). */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_output.h"
#include "publish.h"

#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM    "\033[2m"
#define C_BOLD   "\033[1m"
#define C_OFF    "\033[0m"

static const char *state_text(enum cli_report_kind kind, const struct pub_job_result *r,
                              enum status_target_state s)
{
	if (kind == CLI_REPORT_CHECK)
		return pub_check_state_str(s);
	if (r->dry_run && s == STATUS_T_PUBLISHED)
		return "would publish";
	return status_target_state_str(s);
}

/* A check target is verified when every platform in its list had its
 * config checked (check --verify, or publish's record of it). */
static int check_verified(const struct status_target_status *t)
{
	int any = 0;
	for (size_t k = 0; k < t->n_platforms; k++) {
		if (t->platforms[k].state != STATUS_P_READY)
			continue;
		if (!t->platforms[k].verified)
			return 0;
		any = 1;
	}
	return any;
}

/* The state as a table shows it: check's ready is "present (not
 * verified)" until the configs were read, and names the optional
 * platforms left out: "ready (without linux/riscv64)", "present (not
 * verified, without linux/riscv64)". */
static const char *state_shown(enum cli_report_kind kind, const struct pub_job_result *r,
                               const struct status_target_status *t, char *buf, size_t len)
{
	int verified, left = 0;
	size_t n;

	if (kind != CLI_REPORT_CHECK || t->state != STATUS_T_READY)
		return state_text(kind, r, t->state);
	verified = check_verified(t);
	n = (size_t)snprintf(buf, len, "%s", verified ? "ready" : "present (not verified");
	for (size_t k = 0; k < t->n_platforms && n < len; k++) {
		const struct status_platform_status *p = &t->platforms[k];
		if (!p->optional || p->state == STATUS_P_READY)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
		                      left++ ? ", " : (verified ? " (without " : ", without "),
		                      p->platform);
	}
	if ((left || !verified) && n < len)
		snprintf(buf + n, len - n, ")");
	return buf;
}

static const char *state_color(enum status_target_state s)
{
	switch (s) {
	case STATUS_T_PUBLISHED:
	case STATUS_T_READY:
		return C_GREEN;
	case STATUS_T_UNCHANGED:
		return C_DIM;
	case STATUS_T_INCOMPLETE:
	case STATUS_T_HELD:
		return C_YELLOW;
	default:
		return C_RED;
	}
}

/* "sha256:" and the first 12 hex digits, as docker shows image ids. */
static void digest_short(const char *d, char *buf, size_t len)
{
	if (!d) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%.19s", d);
}

/* "deadline", "signal", or NULL when the run went to its end. */
static const char *stop_word(const struct pub_job_result *r)
{
	switch (r->stopped) {
	case PUB_STOP_DEADLINE:
		return "deadline";
	case PUB_STOP_SIGNAL:
		return "signal";
	default:
		return NULL;
	}
}

static void print_summary(FILE *f, enum cli_report_kind kind, const struct pub_job_result *r)
{
	if (kind == CLI_REPORT_CHECK)
		fprintf(f, "%d ready, %d incomplete, %d failed", r->run.ready, r->run.incomplete,
		        r->run.failed);
	else
		fprintf(f, "%s%d published, %d unchanged, %d incomplete, %d failed",
		        r->dry_run ? "dry run: " : "", r->run.published, r->run.unchanged,
		        r->run.incomplete, r->run.failed);
	if (kind != CLI_REPORT_CHECK && r->run.held)
		fprintf(f, ", %d held", r->run.held);
	if (stop_word(r))
		fprintf(f, ", %zu not reached (stopped: %s)", r->not_reached, stop_word(r));
	fputc('\n', f);
	cli_budget_summary_text(f, r);
}

static void print_table(FILE *f, enum cli_report_kind kind, const struct pub_job_result *r,
                        int color)
{
	int wt = (int)strlen("TARGET"), ws = (int)strlen("STATE");
	char dg[32], sb[256];

	for (size_t i = 0; i < r->n_targets; i++) {
		int l = (int)strlen(r->targets[i].target);
		int s = (int)strlen(state_shown(kind, r, &r->targets[i], sb, sizeof(sb)));
		wt = l > wt ? l : wt;
		ws = s > ws ? s : ws;
	}
	if (kind == CLI_REPORT_CHECK)
		fprintf(f, "%s%-*s  %-*s  %s%s\n", color ? C_BOLD : "", wt, "TARGET", ws, "STATE",
		        "REASON", color ? C_OFF : "");
	else
		fprintf(f, "%s%-*s  %-*s  %-19s  %s%s\n", color ? C_BOLD : "", wt, "TARGET", ws,
		        "STATE", "DIGEST", "REASON", color ? C_OFF : "");
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct status_target_status *t = &r->targets[i];
		const char *st = state_shown(kind, r, t, sb, sizeof(sb));
		fprintf(f, "%-*s  %s%-*s%s", wt, t->target, color ? state_color(t->state) : "", ws,
		        st, color ? C_OFF : "");
		if (kind != CLI_REPORT_CHECK) {
			digest_short(t->digest, dg, sizeof(dg));
			fprintf(f, "  %-19s", dg);
		}
		if (t->reason) {
			fputs("  ", f);
			status_fputs_term(f, t->reason);
		}
		fputc('\n', f);
	}
	print_summary(f, kind, r);
}

/* --dry-run: per target its sources and what would be written. */
static void print_plan(FILE *f, const struct pub_job_result *r, int color)
{
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct status_target_status *t = &r->targets[i];
		const struct pub_target_writes *w = &r->writes[i];
		fprintf(f, "%s%s%s: %s%s%s", color ? C_BOLD : "", t->target, color ? C_OFF : "",
		        color ? state_color(t->state) : "",
		        state_text(CLI_REPORT_PUBLISH, r, t->state), color ? C_OFF : "");
		if (t->digest)
			fprintf(f, " %s", t->digest);
		if (t->reason) {
			fputs(" (", f);
			status_fputs_term(f, t->reason);
			fputc(')', f);
		}
		fputc('\n', f);
		for (size_t k = 0; k < t->n_platforms; k++) {
			const struct status_platform_status *p = &t->platforms[k];
			fprintf(f, "  %-16s %s  %s", p->platform, p->source,
			        status_platform_state_str(p->state));
			if (p->digest)
				fprintf(f, " %s", p->digest);
			fputc('\n', f);
		}
		for (size_t k = 0; k < w->n_refs; k++)
			fprintf(f, "  would write %s\n", w->refs[k]);
	}
	print_summary(f, CLI_REPORT_PUBLISH, r);
}

static void add_str_or_null(cJSON *o, const char *key, const char *val)
{
	if (val)
		cJSON_AddStringToObject(o, key, val);
	else
		cJSON_AddNullToObject(o, key);
}

/* The registry client's retries by cause: what a run survived. */
static void add_retries(cJSON *sum, const struct pub_stats *st)
{
	cJSON *o = cJSON_AddObjectToObject(sum, "retries");
	if (!o)
		return;
	cJSON_AddNumberToObject(o, "total", (double)st->retries);
	cJSON_AddNumberToObject(o, "status", (double)st->retries_status);
	cJSON_AddNumberToObject(o, "connection", (double)st->retries_connection);
	cJSON_AddNumberToObject(o, "timeout", (double)st->retries_timeout);
	cJSON_AddNumberToObject(o, "digest", (double)st->retries_digest);
}

static void print_json(FILE *f, enum cli_report_kind kind, const struct pub_job_result *r)
{
	cJSON *root = cli_json_root(), *targets, *sum;
	char st[32];

	if (!root)
		return;
	targets = cJSON_AddArrayToObject(root, "targets");
	for (size_t i = 0; targets && i < r->n_targets; i++) {
		const struct status_target_status *t = &r->targets[i];
		cJSON *o = cJSON_CreateObject(), *plats;
		if (!o)
			break;
		cJSON_AddItemToArray(targets, o);
		cJSON_AddStringToObject(o, "target", t->target);
		cJSON_AddStringToObject(
		    o, "state", cli_json_state(state_text(kind, r, t->state), st, sizeof(st)));
		if (kind == CLI_REPORT_PUBLISH) {
			add_str_or_null(o, "digest", t->digest);
			add_str_or_null(o, "media_type", t->media_type);
		}
		add_str_or_null(o, "reason", t->reason);
		if (kind == CLI_REPORT_CHECK && t->state == STATUS_T_READY)
			cJSON_AddBoolToObject(o, "verified", check_verified(t));
		if (kind == CLI_REPORT_PUBLISH && r->writes) {
			cJSON *w = cJSON_AddArrayToObject(o, "writes");
			for (size_t k = 0; w && k < r->writes[i].n_refs; k++)
				cJSON_AddItemToArray(w, cJSON_CreateString(r->writes[i].refs[k]));
		}
		plats = cJSON_AddArrayToObject(o, "platforms");
		for (size_t k = 0; plats && k < t->n_platforms; k++) {
			const struct status_platform_status *p = &t->platforms[k];
			cJSON *po = cJSON_CreateObject();
			if (!po)
				break;
			cJSON_AddItemToArray(plats, po);
			cJSON_AddStringToObject(po, "platform", p->platform);
			if (p->optional)
				cJSON_AddBoolToObject(po, "optional", 1);
			cJSON_AddStringToObject(po, "source", p->source);
			cJSON_AddStringToObject(
			    po, "state",
			    cli_json_state(status_platform_state_str(p->state), st, sizeof(st)));
			add_str_or_null(po, "digest", p->digest);
			add_str_or_null(po, "reason", p->reason);
		}
	}
	sum = cJSON_AddObjectToObject(root, "summary");
	if (sum && kind == CLI_REPORT_CHECK) {
		cJSON_AddNumberToObject(sum, "ready", r->run.ready);
		cJSON_AddNumberToObject(sum, "incomplete", r->run.incomplete);
		cJSON_AddNumberToObject(sum, "failed", r->run.failed);
	} else if (sum) {
		cJSON_AddNumberToObject(sum, "published", r->run.published);
		cJSON_AddNumberToObject(sum, "unchanged", r->run.unchanged);
		cJSON_AddNumberToObject(sum, "incomplete", r->run.incomplete);
		cJSON_AddNumberToObject(sum, "failed", r->run.failed);
		cJSON_AddNumberToObject(sum, "held", r->run.held);
		add_retries(sum, &r->stats);
		cJSON_AddBoolToObject(root, "dry_run", r->dry_run);
	}
	if (sum) {
		cJSON_AddNumberToObject(sum, "not_reached", (double)r->not_reached);
		if (stop_word(r))
			cJSON_AddStringToObject(sum, "stopped", stop_word(r));
		else
			cJSON_AddNullToObject(sum, "stopped");
		cli_budget_summary_json(sum, r);
	}
	cli_json_print(f, root);
}

void cli_report_print(FILE *f, enum cli_report_kind kind, const struct pub_job_result *r, int json,
                      int color)
{
	if (json)
		print_json(f, kind, r);
	else if (kind == CLI_REPORT_PUBLISH && r->dry_run && r->writes)
		print_plan(f, r, color);
	else
		print_table(f, kind, r, color);
	fflush(f);
}

/* ---- progress ------------------------------------------------------------- */

/* How often a JSON progress event is written (the last one always is). */
#define PROGRESS_EVENT_MS 5000

/* Guards `last` and the line on stderr, shared by every worker. */
struct pub_progress {
	pthread_mutex_t mu;
	struct timespec start, last;
	int drawn, json;
	const char *unit; /* static */
	/* a phase that counts something else (check's HEADs), or NULL */
	const char *other_phase, *other_unit;
};

struct pub_progress *cli_progress_new(const char *unit)
{
	struct pub_progress *p;
	int json = cli_log_json();
	if (!json && !isatty(STDERR_FILENO))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	p->json = json;
	p->unit = unit;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
	return p;
}

void cli_progress_phase_unit(struct pub_progress *p, const char *phase, const char *unit)
{
	if (!p)
		return;
	p->other_phase = phase;
	p->other_unit = unit;
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

void cli_progress_update(void *ctx, const char *phase, size_t done, size_t total)
{
	struct pub_progress *p = ctx;
	struct timespec now;
	double secs, rate, eta;
	long ms;

	if (!p)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&p->mu);
	ms = ms_between(&p->last, &now);
	secs = (double)ms_between(&p->start, &now) / 1000.0;
	rate = secs > 0 ? (double)done / secs : 0;
	eta = rate > 0 ? (double)(total - done) / rate : -1;
	if (p->json) {
		/* One event every few seconds, and the last one. */
		if (ms >= PROGRESS_EVENT_MS || done == total) {
			p->last = now;
			cli_log_progress(phase,
			                 p->other_phase && !strcmp(phase, p->other_phase)
			                     ? p->other_unit
			                     : p->unit,
			                 done, total, rate, eta);
		}
	} else if (ms >= 100 || done == total) {
		/* At most ten redraws a second, but always the last one. */
		p->last = now;
		p->drawn = 1;
		if (eta >= 0)
			fprintf(stderr, "\r\033[K%s %zu/%zu  %.1f/s  eta %.0f s", phase, done,
			        total, rate, eta);
		else
			fprintf(stderr, "\r\033[K%s %zu/%zu", phase, done, total);
		fflush(stderr);
	}
	pthread_mutex_unlock(&p->mu);
}

void cli_progress_free(struct pub_progress *p)
{
	if (!p)
		return;
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pthread_mutex_destroy(&p->mu);
	free(p);
}
