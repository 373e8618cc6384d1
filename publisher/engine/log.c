/* log.c — the engine's log hook: lines (and structured events, a line with
 * fields) are formatted here and handed to the sink cli/ installs (stderr,
 * text or JSON lines); the registry client's lines come through here too,
 * its retries with their fields and the target of the thread. The sink and
 * its level are written once before any worker starts; after that they are
 * only read, so no lock guards them. The current target is per thread. */
#include <stdarg.h>
#include <stdio.h>

#include "engine_internal.h"

static pub_log_sink_fn log_sink;
static void *log_sink_ctx;
static enum pub_log_level log_min = PUB_LOG_INFO;
static _Thread_local const char *log_target;

void pub_log_target_set(const char *target)
{
	log_target = target;
}

const char *pub_log_target(void)
{
	return log_target;
}

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

void pub_log_registry(void *ctx, const struct reg_log_event *ev)
{
	enum pub_log_level level = ev->level == REG_LOG_WARN   ? PUB_LOG_WARN
	                           : ev->level == REG_LOG_INFO ? PUB_LOG_INFO
	                                                       : PUB_LOG_DEBUG;
	struct pub_log_field f[10];
	size_t n = 0;

	(void)ctx;
	if (!pub_log_enabled(level))
		return;
	if (ev->attempt > 0)
		f[n++] = PUB_LOG_STR("event", "retry");
	f[n++] = PUB_LOG_STR("target", log_target);
	f[n++] = PUB_LOG_STR("registry", ev->registry);
	f[n++] = PUB_LOG_STR("ref", ev->ref);
	f[n++] = PUB_LOG_STR("op", ev->op);
	if (ev->http_status > 0)
		f[n++] = PUB_LOG_NUM("http_status", ev->http_status);
	f[n++] = PUB_LOG_STR("error_code", ev->code);
	if (ev->attempt > 0) {
		f[n++] = PUB_LOG_NUM("attempt", ev->attempt);
		f[n++] = PUB_LOG_NUM("max_retries", ev->max_retries);
	}
	if (ev->delay_ms >= 0)
		f[n++] = PUB_LOG_NUM("delay_ms", ev->delay_ms);
	pub_log_event(level, f, n, "%s", ev->msg);
}
