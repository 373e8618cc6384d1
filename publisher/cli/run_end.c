/* run_end.c — what check and publish do once the run is over, besides the
 * report: one summary event for the log stack, and the metrics for
 * Prometheus (a textfile for node_exporter, a push to the Pushgateway). */
#include <stdlib.h>
#include <time.h>

#include "cli.h"

double cli_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cli_table_wanted(const struct cli_args *a)
{
	return !a->json && (!cli_log_json() || a->output_set);
}

int cli_metrics_check(const char *who, const struct cli_args *a)
{
	struct base_error err;

	base_error_clear(&err);
	if (!a->pushgateway || pub_metrics_url_check(a->pushgateway, &err) == 0)
		return 0;
	cli_error(who, "%s", err.msg);
	return -1;
}

static unsigned long requests_sum(const struct pub_job_result *r)
{
	unsigned long n = 0;
	for (size_t i = 0; i < r->n_requests; i++)
		n += r->requests[i].count;
	return n;
}

/* The last event of a run. JSON logs have no table, so it is an info line
 * there; text logs end with the table's own summary, so it is a debug one. */
static void summary_event(const char *who, const struct pub_job_result *r, int check,
                          double duration)
{
	enum pub_log_level level = cli_log_json() ? PUB_LOG_INFO : PUB_LOG_DEBUG;
	unsigned long req = requests_sum(r);
	struct pub_log_field f[13];
	size_t n = 0;

	f[n++] = PUB_LOG_STR("event", "summary");
	f[n++] = PUB_LOG_STR("command", who);
	if (check) {
		f[n++] = PUB_LOG_NUM("ready", r->run.ready);
	} else {
		f[n++] = PUB_LOG_NUM("published", r->run.published);
		f[n++] = PUB_LOG_NUM("unchanged", r->run.unchanged);
		f[n++] = PUB_LOG_NUM("held", r->run.held);
	}
	f[n++] = PUB_LOG_NUM("incomplete", r->run.incomplete);
	f[n++] = PUB_LOG_NUM("failed", r->run.failed);
	f[n++] = PUB_LOG_NUM("not_reached", (long long)r->not_reached);
	f[n++] = PUB_LOG_NUM("duration_ms", (long long)(duration * 1000.0 + 0.5));
	f[n++] = PUB_LOG_NUM("requests", (long long)req);
	f[n++] = PUB_LOG_NUM("retries", (long long)r->stats.retries);
	f[n++] = PUB_LOG_NUM("copied_bytes", (long long)r->stats.bytes_copied);
	if (check)
		pub_log_event(level, f, n,
		              "%s: %d ready, %d incomplete, %d failed in %.2f s, %lu "
		              "requests",
		              who, r->run.ready, r->run.incomplete, r->run.failed, duration, req);
	else
		pub_log_event(level, f, n,
		              "%s: %d published, %d unchanged, %d incomplete, %d failed in %.2f s, "
		              "%lu requests",
		              who, r->run.published, r->run.unchanged, r->run.incomplete,
		              r->run.failed, duration, req);
}

static int metrics_out(const char *who, const struct cli_args *a, const struct pub_job_result *r,
                       int check, double duration)
{
	struct base_error err;
	char *text;
	int rc = 0;

	if (!a->metrics_file && !a->pushgateway)
		return 0;
	if (!(text = pub_metrics_text(r, check, duration))) {
		cli_error(who, "metrics: out of memory");
		return -1;
	}
	base_error_clear(&err);
	if (a->metrics_file && pub_metrics_write(a->metrics_file, text, &err) < 0) {
		cli_error(who, "%s", err.msg);
		rc = -1;
	}
	base_error_clear(&err);
	if (a->pushgateway && pub_metrics_push(a->pushgateway, text, check ? "check" : NULL,
	                                       r->shard_index, r->shard_count, &err) < 0) {
		cli_error(who, "%s", err.msg);
		rc = -1;
	}
	free(text);
	return rc;
}

int cli_run_end(const char *who, const struct cli_args *a, const struct pub_job_result *res,
                int check, double duration)
{
	summary_event(who, res, check, duration);
	return metrics_out(who, a, res, check, duration);
}

int cli_exit_with_metrics(int code, const struct pub_job_result *res, int end)
{
	/* Metrics that did not get out fail a night that otherwise went
	 * through; a stopped run keeps its own code. */
	if (end < 0 && !res->stopped && !cli_stop_signal() && code != PUB_EXIT_USAGE)
		return PUB_EXIT_FAILED;
	return code;
}
