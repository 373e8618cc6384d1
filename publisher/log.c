/* log.c — manifold's log lines on stderr, as text or JSON lines (what a
 * Kubernetes log stack wants), and the colour decision for terminals.
 * Settings are written once by main before any thread starts; after that
 * they are only read, so no lock is needed for them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pub.h"

static enum pub_log_format log_format = PUB_LOG_TEXT;
static enum pub_log_level log_min = PUB_LOG_INFO;
static int log_tty; /* stderr is a terminal: clear a progress line first */

void pub_log_init(enum pub_log_format format, enum pub_log_level min_level)
{
	log_format = format;
	log_min = min_level;
	log_tty = isatty(STDERR_FILENO);
}

static const char *level_name(enum pub_log_level level)
{
	switch (level) {
	case PUB_LOG_DEBUG:
		return "debug";
	case PUB_LOG_INFO:
		return "info";
	case PUB_LOG_WARN:
		return "warning";
	case PUB_LOG_ERROR:
		return "error";
	}
	return "info";
}

/* JSON string escaping into a fixed buffer; truncates rather than fails. */
static size_t json_escape(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	for (; *s && n + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else if (ch == '\t') {
			out[n++] = '\\';
			out[n++] = 't';
		} else if (ch < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", ch);
		} else {
			out[n++] = (char)ch;
		}
	}
	out[n] = '\0';
	return n;
}

void pub_log(enum pub_log_level level, const char *fmt, ...)
{
	char msg[4096], line[8192];
	va_list ap;
	int n;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (log_format == PUB_LOG_JSON) {
		char esc[sizeof(msg) + 64], ts[32];
		struct tm tm;
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		json_escape(esc, sizeof(esc), msg);
		n = snprintf(line, sizeof(line),
		             "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":\"%s\"}\n", ts,
		             now.tv_nsec / 1000000L, level_name(level), esc);
	} else if (level == PUB_LOG_INFO) {
		n = snprintf(line, sizeof(line), "%smanifold: %s\n", log_tty ? "\r\033[K" : "",
		             msg);
	} else {
		n = snprintf(line, sizeof(line), "%smanifold: %s: %s\n", log_tty ? "\r\033[K" : "",
		             level_name(level), msg);
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	/* One write per line so lines from workers never interleave. */
	flockfile(stderr);
	fwrite(line, 1, (size_t)n, stderr);
	fflush(stderr);
	funlockfile(stderr);
}

void pub_log_registry(void *ctx, enum reg_log_level level, const char *msg)
{
	(void)ctx;
	switch (level) {
	case REG_LOG_DEBUG:
		pub_log(PUB_LOG_DEBUG, "%s", msg);
		break;
	case REG_LOG_INFO:
		pub_log(PUB_LOG_INFO, "%s", msg);
		break;
	case REG_LOG_WARN:
		pub_log(PUB_LOG_WARN, "%s", msg);
		break;
	}
}

int pub_color_enabled(FILE *f)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
	/* no-color.org: present and non-empty disables colour. */
	if (no_color && *no_color)
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(f));
}
