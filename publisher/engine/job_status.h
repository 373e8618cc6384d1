/* job_status.h — the status job (job_status.c): status files merged (the
 * shards of the latest sharding, the targets a config still has), what
 * changed since a git revision, and the history of one file, for the
 * command to report (status.h's renderers). */
#ifndef MANIFOLD_JOB_STATUS_H
#define MANIFOLD_JOB_STATUS_H

#include "job.h"

struct pub_status_options {
	const char *const *files; /* FILE... (one with history) */
	size_t n_files;
	const char *config_path; /* -c: leave out targets the config no longer has */
	const char *since;       /* --since REV, or NULL */
	int history;             /* --history [RANGE] or --days N given */
	const char *range;       /* --history's RANGE, or NULL: HEAD */
	const char *days;        /* --days N as given, or NULL */
	/* Told of each file or record left out and why, and when the config is
	 * not the one the latest sharding ran; may be NULL. */
	void (*note)(void *ctx, const char *msg);
	/* Look up the commit without a history: HEAD's of the repository the
	 * first file is in (the report links it); a file not in one has none. */
	int want_commit;
};

struct pub_status_result {
	struct status_status *all;    /* the merged files */
	struct status_since_old *old; /* with since: the same at REV, as --since reads it */
	int has_since;
	struct status_since since;   /* with since: what changed */
	struct status_history *hist; /* with history, else NULL */
	char *now;                   /* RFC 3339, the report's "now" */
	/* the status file's commit: the history's last night's, else with
	 * want_commit HEAD's; "" when not known */
	char commit[41];
};
void pub_status_result_free(struct pub_status_result *r);

/* Load and merge the files, then the difference since REV and the
 * history. BASE_EINPUT for a usage error or a file that cannot be read
 * (err says which); -1 when the config could not be read otherwise. */
int pub_status_run(const struct pub_status_options *o, struct pub_status_result *out,
                   struct base_error *err);

#endif
