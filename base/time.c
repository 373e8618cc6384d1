/* time.c — RFC 3339 UTC times, formatted and parsed. */
#include <stdio.h>
#include <string.h>

#include "base.h"

void base_time_format(time_t t, char buf[BASE_TIME_MAX])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, BASE_TIME_MAX, "1970-01-01T00:00:00Z");
		return;
	}
	strftime(buf, BASE_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void base_time_format_ms(const struct timespec *ts, char buf[BASE_TIME_MAX])
{
	char s[BASE_TIME_MAX];

	base_time_format(ts->tv_sec, s);
	s[strlen(s) - 1] = '\0'; /* the Z goes after the fraction */
	snprintf(buf, BASE_TIME_MAX, "%s.%03dZ", s, (int)(ts->tv_nsec / 1000000L % 1000));
}

int base_time_parse(const char *text, time_t *out)
{
	struct tm tm;
	const char *end;

	if (!text)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	if (*end == '.')
		while (*++end >= '0' && *end <= '9')
			;
	if (strcmp(end, "Z") != 0)
		return -1;
	*out = timegm(&tm);
	return 0;
}
