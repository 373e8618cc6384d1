/* age.c — how old a record is: the age between two RFC 3339 UTC times in
 * seconds and as "3d 4h". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "status_util.h"

long long status_age_seconds(const char *since, const char *now)
{
	time_t a, b;
	if (base_time_parse(since, &a) < 0 || base_time_parse(now, &b) < 0)
		return -1;
	return b > a ? (long long)(b - a) : 0;
}

void status_age_format(const char *since, const char *now, char *buf, size_t len)
{
	long long s = status_age_seconds(since, now);
	if (s < 0)
		snprintf(buf, len, "%s", "");
	else if (s >= 86400)
		snprintf(buf, len, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldm", s / 60);
}
