/* status_history.h — the status file's history as series (history.c),
 * read from its git repository (history_git.c, history_sum.c,
 * history_cache.c), and what a target's history says in a report.
 * Functions return 0 or negative and fill a caller-owned struct
 * base_error; free a history with status_history_free. */
#ifndef MANIFOLD_STATUS_HISTORY_H
#define MANIFOLD_STATUS_HISTORY_H

#include "status_file.h"

/* ---- history of the status file (history.c, history_git.c) ------------- */

/* At most this many versions of the file are read (the newest ones): a
 * year of nights three times over, and a page that stays quick. */
#define STATUS_HISTORY_MAX_NIGHTS 1000
/* A night the target was not in the file (beside enum status_target_state). */
#define STATUS_HISTORY_ABSENT 0xff

struct status_history_night {
	char commit[41]; /* hex id of the commit that recorded it; "" when not from git */
	char *finished;  /* last_run.finished, or NULL */
	int counts[STATUS_T__COUNT];
};

/* One platform of a target, as history last saw it. */
struct status_history_plat {
	char *platform;
	enum status_platform_state state;
	char *digest;       /* child digest on the last night it was seen, or NULL */
	char *green_digest; /* child digest on the target's last green night, or NULL */
	size_t since_night; /* first night of its current state and digest */
	size_t last_night;  /* last night it was seen */
};

struct status_history_target {
	char *target;
	unsigned char *states;  /* per night: enum status_target_state or STATUS_HISTORY_ABSENT */
	size_t first_night;     /* first night it was in the file */
	size_t nights_in_state; /* consecutive nights, up to the last, in its last state
	                         * (published and unchanged count as one); 0 when absent
	                         * on the last night */
	long nights_to_green;   /* nights from first seen to first green (0: green on its
	                         * first night); -1 never green */
	size_t longest_incomplete; /* longest run of consecutive incomplete nights */
	struct status_history_plat *plats;
	size_t n_plats;
};

struct status_history_platform {
	char *platform;
	int *lacking; /* per night: targets that asked for it and did not have it ready */
};

/* What reading a history from git cost (status_history_read), in units
 * that do not depend on the machine: MANIFOLD_HISTORY_DEBUG prints it. */
struct status_history_work {
	size_t versions_git;     /* versions read from git */
	size_t versions_cache;   /* versions read from the summary cache */
	size_t parts_read;       /* parts whose blob was not the version before's */
	size_t parts_from_packs; /* of them, read from the pack files directly (not by libgit2) */
	size_t records_parsed;   /* records parsed: their bytes were not the version before's */
	size_t records_full;     /* of them, parsed in full (not in the form read directly) */
	size_t wholes_parsed;    /* files or parts parsed whole (not the serialiser's layout) */
	size_t targets_decoded;  /* records the history took up: a target new, back or changed */
};

/* Nights oldest first, targets sorted by reference, platforms in first-seen
 * order. Free with status_history_free. */
struct status_history {
	struct status_history_night *nights;
	size_t n_nights, cap_nights;
	struct status_history_target *targets;
	size_t n_targets;
	struct status_history_platform *platforms;
	size_t n_platforms;
	int truncated; /* more versions than STATUS_HISTORY_MAX_NIGHTS: the oldest were left out */
	struct status_history_work work; /* from git: what the read cost */
};

/* Building one by hand (tests) or from git (status_history_read): new, one add
 * per night oldest first (targets sorted by reference), then finish, which
 * fills the per-target figures. */
struct status_history *status_history_new(size_t expect_nights);
int status_history_add(struct status_history *h, const char *commit, const char *finished,
                       const struct status_target_status *const *targets, size_t n,
                       struct base_error *err);
int status_history_add_status(struct status_history *h, const char *commit,
                              const struct status_status *st, struct base_error *err);
void status_history_finish(struct status_history *h);
void status_history_free(struct status_history *h);
const struct status_history_target *status_history_find(const struct status_history *h,
                                                        const char *target);
const struct status_history_plat *status_history_plat(const struct status_history_target *t,
                                                      const char *platform);

struct status_history_options {
	const char *range; /* "A..B", one revision (its first-parent history), or NULL: HEAD */
	long long days;    /* > 0: only commits made within that many days before now */
	const char *now;   /* RFC 3339; with days */
	int no_cache;      /* 1: neither read nor fill the summary cache (tests) */
};

/* The status file's history from its git repository (libgit2, found from
 * the file's path as git does): the first-parent commits of the range that
 * changed the file, one night per commit, except that consecutive versions
 * with the same last_run.finished are one night (the newer wins). At most
 * STATUS_HISTORY_MAX_NIGHTS versions, the newest; h->truncated says when some
 * were left out. Each version is read with status_parse; a record whose
 * bytes are the previous version's is not parsed again. What the history
 * takes from a version is cached by its blob id in the git directory
 * (manifold/history-cache/), else in $XDG_CACHE_HOME/manifold/history-cache/,
 * else nowhere; a bad or missing entry is read from git again and rewritten. */
int status_history_read(const char *status_path, const struct status_history_options *o,
                        struct status_history **out, struct base_error *err);

/* "incomplete for 9 nights" when h knows the target's current state, else
 * "incomplete for 3d 4h" from its since; h may be NULL. */
void status_report_age(const struct status_target_status *t, const struct status_history *h,
                       const char *now, char *buf, size_t len);
/* What a target's history says beyond its state: "never green" or "green
 * after 2 nights", and "longest incomplete streak 9 nights"; "" when there
 * is nothing to say or ht is NULL. */
void status_history_summary(const struct status_history_target *ht, char *buf, size_t len);

#endif
