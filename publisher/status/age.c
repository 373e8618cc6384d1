/* age.c — how old a record is: RFC 3339 UTC times parsed, the age
 * between two of them in seconds and as "3d 4h", and the durations a
 * report's limits are given in ("48h", "2d"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "status_util.h"

static int parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;
	if (!s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
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

long long pub_age_seconds(const char *since, const char *now)
{
	time_t a, b;
	if (parse_time(since, &a) < 0 || parse_time(now, &b) < 0)
		return -1;
	return b > a ? (long long)(b - a) : 0;
}

void pub_age_format(const char *since, const char *now, char *buf, size_t len)
{
	long long s = pub_age_seconds(since, now);
	if (s < 0)
		snprintf(buf, len, "%s", "");
	else if (s >= 86400)
		snprintf(buf, len, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldm", s / 60);
}

long long pub_duration_parse(const char *text)
{
	char *end;
	long long v, mul;
	if (!text || !*text)
		return -1;
	v = strtoll(text, &end, 10);
	if (end == text || v < 0 || v > 100000000LL)
		return -1;
	if (strcmp(end, "s") == 0)
		mul = 1;
	else if (strcmp(end, "m") == 0)
		mul = 60;
	else if (strcmp(end, "h") == 0)
		mul = 3600;
	else if (strcmp(end, "d") == 0)
		mul = 86400;
	else
		return -1;
	return v * mul;
}
