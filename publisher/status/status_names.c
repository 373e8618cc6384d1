/* status_names.c — the state names of the status file ("published",
 * "wrong-platform", "copied", ...), both ways. */
#include <string.h>

#include "status_file.h"

static const char *const target_state_names[PUB_T__COUNT] = {
    [PUB_T_PUBLISHED] = "published",
    [PUB_T_UNCHANGED] = "unchanged",
    [PUB_T_INCOMPLETE] = "incomplete",
    [PUB_T_FAILED] = "failed",
    /* check's state: a file may hold it, publish never writes it */
    [PUB_T_READY] = "ready",
    [PUB_T_HELD] = "held",
};

static const char *const platform_state_names[PUB_P__COUNT] = {
    [PUB_P_READY] = "ready",
    [PUB_P_MISSING] = "missing",
    [PUB_P_WRONG_PLATFORM] = "wrong-platform",
    [PUB_P_ERROR] = "error",
};

const char *pub_target_state_str(enum pub_target_state s)
{
	if ((unsigned)s >= PUB_T__COUNT)
		return "unknown";
	return target_state_names[s];
}

const char *pub_platform_state_str(enum pub_platform_state s)
{
	if ((unsigned)s >= PUB_P__COUNT)
		return "unknown";
	return platform_state_names[s];
}

int pub_target_state_parse(const char *s, enum pub_target_state *out)
{
	for (int i = 0; s && i < PUB_T__COUNT; i++) {
		if (strcmp(s, target_state_names[i]) == 0) {
			*out = (enum pub_target_state)i;
			return 0;
		}
	}
	return -1;
}

int pub_platform_state_parse(const char *s, enum pub_platform_state *out)
{
	for (int i = 0; s && i < PUB_P__COUNT; i++) {
		if (strcmp(s, platform_state_names[i]) == 0) {
			*out = (enum pub_platform_state)i;
			return 0;
		}
	}
	return -1;
}
