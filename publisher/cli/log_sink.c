/* log_sink.c — where the engine's log lines go: stderr, as text or as JSON
 * lines (what a Kubernetes log stack wants); and the colour decision for
 * terminals. Settings are written once by main before any thread starts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static enum cli_log_format log_format = CLI_LOG_TEXT;
static int log_tty;                  /* stderr is a terminal: clear a progress line first */
static const char *log_command = ""; /* the command's name, "" before one is known */

/* The version of the JSON log lines' schema (docs/cli.md): raised when a
 * field is removed or changes its meaning, not when one is added. */
#define CLI_LOG_SCHEMA 1

/* o on one line, "command" added when its fields have none; o is freed. */
static char *json_print(cJSON *o)
{
	char *text;

	if (!cJSON_HasObjectItem(o, "command"))
		cJSON_AddStringToObject(o, "command", log_command);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* {"time","level","msg","schema", fields...}, or NULL out of memory. */
static cJSON *json_object(enum pub_log_level level, const char *msg,
                          const struct pub_log_field *fields, size_t n_fields)
{
	char tsms[BASE_TIME_MAX];
	struct timespec now;
	cJSON *o = cJSON_CreateObject();

	clock_gettime(CLOCK_REALTIME, &now);
	base_time_format_ms(&now, tsms);
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "time", tsms);
	cJSON_AddStringToObject(o, "level", pub_log_level_str(level));
	cJSON_AddStringToObject(o, "msg", msg);
	cJSON_AddNumberToObject(o, "schema", CLI_LOG_SCHEMA);
	for (size_t i = 0; i < n_fields; i++) {
		if (fields[i].is_num)
			cJSON_AddNumberToObject(o, fields[i].key, (double)fields[i].num);
		else if (fields[i].str)
			cJSON_AddStringToObject(o, fields[i].key, fields[i].str);
	}
	return o;
}

/* A JSON log line, or NULL out of memory. */
static char *json_line(enum pub_log_level level, const char *msg,
                       const struct pub_log_field *fields, size_t n_fields)
{
	cJSON *o = json_object(level, msg, fields, n_fields);
	return o ? json_print(o) : NULL;
}

/* One write per line so lines from workers never interleave. */
static void write_line(const char *line, size_t len)
{
	flockfile(stderr);
	fwrite(line, 1, len, stderr);
	fflush(stderr);
	funlockfile(stderr);
}

static void stderr_sink(void *ctx, enum pub_log_level level, const char *msg,
                        const struct pub_log_field *fields, size_t n_fields)
{
	char line[8192], safe[4096];
	int n;

	(void)ctx;
	if (log_format == CLI_LOG_JSON) {
		char *text = json_line(level, msg, fields, n_fields);
		if (!text)
			return;
		n = snprintf(line, sizeof(line), "%s\n", text);
		free(text);
	} else if (level == PUB_LOG_INFO) {
		n = snprintf(line, sizeof(line), "%smanifold: %s\n", log_tty ? "\r\033[K" : "",
		             status_term_text(msg, safe, sizeof(safe)));
	} else {
		n = snprintf(line, sizeof(line), "%smanifold: %s: %s\n", log_tty ? "\r\033[K" : "",
		             pub_log_level_str(level), status_term_text(msg, safe, sizeof(safe)));
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	write_line(line, (size_t)n);
}

int cli_log_json(void)
{
	return log_format == CLI_LOG_JSON;
}

void cli_log_scan_argv(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *v = NULL;
		if (strncmp(argv[i], "--log-format=", 13) == 0)
			v = argv[i] + 13;
		else if (strcmp(argv[i], "--log-format") == 0 && i + 1 < argc)
			v = argv[++i];
		if (v)
			log_format = strcmp(v, "json") == 0 ? CLI_LOG_JSON : CLI_LOG_TEXT;
	}
}

void cli_log_progress(const char *phase, const char *unit, size_t done, size_t total, double rate,
                      double eta)
{
	char msg[256], *text;
	cJSON *o;

	snprintf(msg, sizeof(msg), "%s: %zu/%zu %s, %.1f/s", phase, done, total, unit, rate);
	if (!(o = json_object(PUB_LOG_INFO, msg, NULL, 0)))
		return;
	cJSON_AddStringToObject(o, "event", "progress");
	cJSON_AddStringToObject(o, "phase", phase);
	cJSON_AddNumberToObject(o, "done", (double)done);
	cJSON_AddNumberToObject(o, "total", (double)total);
	cJSON_AddNumberToObject(o, "rate", (double)(long long)(rate * 10.0 + 0.5) / 10.0);
	if (eta >= 0)
		cJSON_AddNumberToObject(o, "eta", (double)(long long)(eta + 0.5));
	else
		cJSON_AddNullToObject(o, "eta");
	if ((text = json_print(o))) {
		char line[1024];
		int n = snprintf(line, sizeof(line), "%s\n", text);
		if (n > 0 && (size_t)n < sizeof(line))
			write_line(line, (size_t)n);
		free(text);
	}
}

void cli_log_command(const char *name)
{
	log_command = name ? name : "";
}

void cli_log_line(const char *who, enum pub_log_level level, const char *msg)
{
	if (log_format == CLI_LOG_JSON) {
		struct pub_log_field f = PUB_LOG_STR("command", who ? who : "");
		char *text = json_line(level, msg, &f, 1);
		if (text) {
			fprintf(stderr, "%s\n", text);
			free(text);
		}
	} else {
		char safe[4096];
		fprintf(stderr, "manifold%s%s: %s\n", who && *who ? " " : "", who ? who : "",
		        status_term_text(msg, safe, sizeof(safe)));
	}
}

void cli_error(const char *who, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_log_line(who, PUB_LOG_ERROR, msg);
}

void cli_log_init(enum cli_log_format format, enum pub_log_level min_level)
{
	log_format = format;
	log_tty = isatty(STDERR_FILENO);
	pub_log_set_sink(stderr_sink, NULL, min_level);
}

int cli_color_enabled(FILE *f)
{
	const char *no_color = base_env("NO_COLOR"), *term = base_env("TERM");
	/* no-color.org: present and non-empty disables colour. */
	if (no_color && *no_color)
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(f));
}
