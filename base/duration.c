/* duration.c — the one duration grammar: a whole number and a unit. */
#include <string.h>

#include "base.h"

#define DURATION_MAX_COUNT 100000000LL

int base_duration_parse(const char *text, long long *ms_out)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
	long long v = 0;
	const char *p = text;

	if (!text)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > DURATION_MAX_COUNT)
			return -1;
	}
	if (p == text)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) == 0) {
			*ms_out = v * units[i].ms;
			return 0;
		}
	}
	return -1;
}
