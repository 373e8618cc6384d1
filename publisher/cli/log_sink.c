/* log_sink.c — where the engine's log lines go: stderr, as text or as JSON
 * lines (what a Kubernetes log stack wants); and the colour decision for
 * terminals. Settings are written once by main before any thread starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static enum cli_log_format log_format = CLI_LOG_TEXT;
static int log_tty; /* stderr is a terminal: clear a progress line first */

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

static void stderr_sink(void *ctx, enum pub_log_level level, const char *msg)
{
	char line[8192];
	int n;

	(void)ctx;
	if (log_format == CLI_LOG_JSON) {
		char esc[4096 + 64], ts[32];
		struct tm tm;
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		json_escape(esc, sizeof(esc), msg);
		n = snprintf(line, sizeof(line),
		             "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":\"%s\"}\n", ts,
		             now.tv_nsec / 1000000L, pub_log_level_str(level), esc);
	} else if (level == PUB_LOG_INFO) {
		n = snprintf(line, sizeof(line), "%smanifold: %s\n", log_tty ? "\r\033[K" : "",
		             msg);
	} else {
		n = snprintf(line, sizeof(line), "%smanifold: %s: %s\n", log_tty ? "\r\033[K" : "",
		             pub_log_level_str(level), msg);
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

void cli_log_init(enum cli_log_format format, enum pub_log_level min_level)
{
	log_format = format;
	log_tty = isatty(STDERR_FILENO);
	pub_log_set_sink(stderr_sink, NULL, min_level);
}

int cli_color_enabled(FILE *f)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
	/* no-color.org: present and non-empty disables colour. */
	if (no_color && *no_color)
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(f));
}
