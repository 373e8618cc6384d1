/* status_names.c — the state names of the status file ("published",
 * "wrong_platform", "copied", ...), both ways. */
#include <string.h>

#include "status_file.h"

static const char *const target_state_names[STATUS_T__COUNT] = {
    [STATUS_T_PUBLISHED] = "published",
    [STATUS_T_UNCHANGED] = "unchanged",
    [STATUS_T_INCOMPLETE] = "incomplete",
    [STATUS_T_FAILED] = "failed",
    /* check's state: a file may hold it, publish never writes it */
    [STATUS_T_READY] = "ready",
    [STATUS_T_HELD] = "held",
};

static const char *const platform_state_names[STATUS_P__COUNT] = {
    [STATUS_P_READY] = "ready",
    [STATUS_P_MISSING] = "missing",
    [STATUS_P_WRONG_PLATFORM] = "wrong_platform",
    [STATUS_P_ERROR] = "error",
};

const char *status_target_state_str(enum status_target_state s)
{
	if ((unsigned)s >= STATUS_T__COUNT)
		return "unknown";
	return target_state_names[s];
}

const char *status_platform_state_str(enum status_platform_state s)
{
	if ((unsigned)s >= STATUS_P__COUNT)
		return "unknown";
	return platform_state_names[s];
}

int status_target_state_parse(const char *s, enum status_target_state *out)
{
	for (int i = 0; s && i < STATUS_T__COUNT; i++) {
		if (strcmp(s, target_state_names[i]) == 0) {
			*out = (enum status_target_state)i;
			return 0;
		}
	}
	return -1;
}

int status_platform_state_parse(const char *s, enum status_platform_state *out)
{
	/* the spelling files written before the vocabulary was snake_case */
	if (s && strcmp(s, "wrong-platform") == 0)
		s = "wrong_platform";
	for (int i = 0; s && i < STATUS_P__COUNT; i++) {
		if (strcmp(s, platform_state_names[i]) == 0) {
			*out = (enum status_platform_state)i;
			return 0;
		}
	}
	return -1;
}
