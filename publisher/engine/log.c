/* log.c — the engine's log hook: lines (and structured events, a line with
 * fields) are formatted here and handed to the sink cli/ installs (stderr,
 * text or JSON lines). The sink and its level
 * are written once before any worker starts; after that they are only
 * read, so no lock guards them. */
#include <stdarg.h>
#include <stdio.h>

#include "engine_internal.h"

static pub_log_sink_fn log_sink;
static void *log_sink_ctx;
static enum pub_log_level log_min = PUB_LOG_INFO;

void pub_log_set_sink(pub_log_sink_fn fn, void *ctx, enum pub_log_level min_level)
{
	log_sink = fn;
	log_sink_ctx = ctx;
	log_min = min_level;
}

const char *pub_log_level_str(enum pub_log_level level)
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

int pub_log_enabled(enum pub_log_level level)
{
	return log_sink && level >= log_min;
}

static void log_emit(enum pub_log_level level, const struct pub_log_field *fields, size_t n_fields,
                     const char *fmt, va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_sink(log_sink_ctx, level, msg, fields, n_fields);
}

void pub_log(enum pub_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!pub_log_enabled(level))
		return;
	va_start(ap, fmt);
	log_emit(level, NULL, 0, fmt, ap);
	va_end(ap);
}

void pub_log_event(enum pub_log_level level, const struct pub_log_field *fields, size_t n_fields,
                   const char *fmt, ...)
{
	va_list ap;

	if (!pub_log_enabled(level))
		return;
	va_start(ap, fmt);
	log_emit(level, fields, n_fields, fmt, ap);
	va_end(ap);
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
