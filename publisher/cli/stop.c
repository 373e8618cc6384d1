/* stop.c — stopping a check or publish run early: --deadline and --grace,
 * and SIGTERM / SIGINT. The first signal sets the flag the engine polls (its
 * number), the second ends the process at once, as a shell would. The flag
 * is read again for the exit code, so a signal during the status write,
 * the commit, the push or the lock wait still exits 128 + N. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "publish.h"

/* Written by the signal handler only; the engine reads it through
 * pub_job_options.stop. */
static volatile sig_atomic_t stop_signal;

#define STOP_MSG                                                                                   \
	"stopping: no new target is started, list writes in flight may finish; a second "          \
	"signal exits at once"

/* The line the handler writes, made before any signal can come (a handler
 * may not format): text, or with --log-format json one JSON object per
 * signal (no "time": the handler cannot read the clock safely). */
static char stop_line_term[512], stop_line_int[512];

static void on_stop_signal(int sig)
{
	const char *line = sig == SIGINT ? stop_line_int : stop_line_term;
	ssize_t w;

	if (stop_signal)
		_exit(128 + sig);
	stop_signal = sig;
	w = write(STDERR_FILENO, line, strlen(line));
	(void)w;
}

static void stop_lines_make(const char *who)
{
	if (!cli_log_json()) {
		snprintf(stop_line_term, sizeof(stop_line_term), "manifold: " STOP_MSG "\n");
		snprintf(stop_line_int, sizeof(stop_line_int), "manifold: " STOP_MSG "\n");
		return;
	}
	snprintf(stop_line_term, sizeof(stop_line_term),
	         "{\"level\":\"warning\",\"msg\":\"" STOP_MSG "\",\"schema\":1,\"command\":\"%s\","
	         "\"event\":\"stopping\",\"signal\":\"SIGTERM\"}\n",
	         who);
	snprintf(stop_line_int, sizeof(stop_line_int),
	         "{\"level\":\"warning\",\"msg\":\"" STOP_MSG "\",\"schema\":1,\"command\":\"%s\","
	         "\"event\":\"stopping\",\"signal\":\"SIGINT\"}\n",
	         who);
}

static void signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* Nothing waits for EINTR to see the stop: the engine and the status
	 * lock poll the flag. A read or write the signal lands in (the git
	 * push's socket, the status file) goes on rather than failing. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* "500ms", "90s", "15m", "1h" as milliseconds (base's duration grammar);
 * -1 after printing a usage error. */
static long duration_ms(const char *who, const char *flag, const char *text)
{
	long long ms = 0;

	if (base_duration_parse(text, &ms) < 0 || ms <= 0 || ms > 7 * 86400000LL) {
		cli_error(who, "%s: expected " BASE_DURATION_WANT("1ms", "7d") ", got \"%s\"", flag,
		          text);
		return -1;
	}
	return (long)ms;
}

int cli_stop_signal(void)
{
	return (int)stop_signal;
}

int cli_stop_options(const char *who, const struct cli_args *a, struct pub_job_options *o)
{
	if (a->deadline && (o->deadline_ms = duration_ms(who, "--deadline", a->deadline)) < 0)
		return -1;
	if (a->grace && (o->grace_ms = duration_ms(who, "--grace", a->grace)) < 0)
		return -1;
	stop_lines_make(who);
	signals_install();
	o->stop = &stop_signal;
	return 0;
}
