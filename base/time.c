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
