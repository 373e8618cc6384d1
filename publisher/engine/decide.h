/* decide.h — engine-private: the decision for one target, pure (decide.c):
 * what the HEADs, the children and the previous record say to do. */
#ifndef MANIFOLD_DECIDE_H
#define MANIFOLD_DECIDE_H

#include "engine_internal.h"

/* What one HEAD found. */
struct pub_decide_head {
	int rc;                 /* 0, BASE_ENOTFOUND, or another error */
	const char *digest;     /* NULL or "": the registry named none */
	const char *media_type; /* NULL or "": none */
	long long size;         /* -1 unknown */
	const char *error;      /* why, when rc is another error */
};

/* What resolving one child (pub_child_resolve: GETs, config check) found. */
struct pub_decide_child {
	enum status_platform_state state;
	const char *digest, *media_type; /* READY: the child image manifest's */
	long long size;
	int verified;          /* its config matched, now or cached */
	int from_list;         /* the source tag was a list; its entry was taken */
	int attestations_kept; /* from_list: its attestations travel with it (`keep`) */
	const char *reason;    /* the child's reason, or NULL */
	const char *error;     /* the resolve error (used when reason is NULL) */
};

struct pub_decide_source {
	const char *platform; /* name as in the config */
	int optional;         /* from optional-platforms: joins the list when ready, never blocks */
	struct pub_decide_head head;
	struct pub_decide_child child; /* read when children_known */
};

/* One extra tag of the target: what its HEAD found and, when it holds a
 * list the record cannot describe, that list's platforms (named as the
 * config names them where an entry matches). */
struct pub_decide_extra {
	const char *ref; /* the extra tag's reference, for reasons */
	struct pub_decide_head head;
	int current_known; /* PUB_NEED_EXTRA_LISTS: current/n_current filled */
	const char *const *current;
	size_t n_current;
};

/* Everything the decision reads. The first call gives the HEADs; when the
 * decision says what it needs next (need), the caller learns that and calls
 * again with it set, until need is PUB_NEED_NOTHING or the verdict is not
 * PUBLISH. */
struct pub_decide_input {
	const struct pub_decide_source *sources; /* one per platform, config order */
	size_t n_sources;
	const struct pub_decide_head *target;    /* the target tag; NULL: not asked (check) */
	const struct status_target_status *prev; /* last run's record, or NULL */
	int verify;                              /* verify-platform */
	size_t n_extra;                          /* extra tags of the target */
	/* PUB_NEED_LIST_DIGEST: the list built from the HEAD answers alone */
	int list_known;
	const char *list_digest; /* NULL: it could not be built */
	/* PUB_NEED_EXTRA_TAGS: every extra tag's HEAD (n_extra of them) */
	const struct pub_decide_extra *extras;
	int extras_known;
	/* No surprise overwrite (publish.md, "Tags manifold did not write"):
	 * the digests the status file records as manifold's (every record's
	 * digest but a foreign one), sorted by strcmp; overwrite (`overwrite`,
	 * --overwrite) lets any tag be replaced. */
	const char *const *written;
	size_t n_written;
	/* The status file was written by this run's sharding (the same shard
	 * count, or none): it has a record of every target this run owns
	 * that manifold published, so a target with none is new */
	int written_complete;
	int overwrite;
	/* PUB_NEED_CHILDREN: sources[].child filled */
	int children_known;
	/* allow-shrink: the tag's list may be replaced by one with fewer platforms */
	int allow_shrink;
	/* After the children: the digest of the list they make (NULL: not
	 * built). When the tag holds it, nothing would change: no shrink. */
	const char *built_digest;
	/* PUB_NEED_CURRENT_LIST: the platforms of the list the tag holds (its
	 * entries named as the config names them where one matches), n_current
	 * 0 when the tag holds no list */
	int current_known;
	const char *const *current;
	size_t n_current;
};

enum pub_verdict {
	PUB_VERDICT_UNCHANGED,  /* the tags hold the list the HEADs describe */
	PUB_VERDICT_PUBLISH,    /* every platform is there (check: ready) */
	PUB_VERDICT_INCOMPLETE, /* some platform is missing: write nothing */
	PUB_VERDICT_FAILED,     /* a registry error or a wrong platform */
	PUB_VERDICT_HELD        /* the list would drop platforms the tag's list has */
};

enum pub_decide_need {
	PUB_NEED_NOTHING,
	PUB_NEED_LIST_DIGEST,  /* every source is an image verified earlier (or verify is
	                        * off) and the tag has a digest: build the list from the
	                        * HEADs and compare */
	PUB_NEED_EXTRA_TAGS,   /* the tag holds that list, or the list is about to be
	                        * written: HEAD every extra tag */
	PUB_NEED_CHILDREN,     /* GET (and verify) every child */
	PUB_NEED_CURRENT_LIST, /* the list is about to change and the record does not say
	                        * which platforms the tag's list has: GET it */
	PUB_NEED_EXTRA_LISTS   /* an extra tag holds another list the record cannot
	                        * describe: GET those marked PUB_EXTRA_UNKNOWN */
};

/* What to do with one extra tag once the list is known. */
enum pub_extra_action {
	PUB_EXTRA_UNKNOWN, /* not decided yet */
	PUB_EXTRA_KEEP,    /* it holds the list already */
	PUB_EXTRA_WRITE,   /* write the list to it */
	PUB_EXTRA_HELD,    /* left as it is: its list would lose a platform */
	PUB_EXTRA_FOREIGN  /* left as it is: it holds what manifold did not write */
};

/* One platform as decided; strings are borrowed from the input (or static). */
struct pub_decide_platform {
	enum status_platform_state state;
	const char *digest, *media_type; /* NULL when none */
	long long size;                  /* -1 unknown */
	int verified;
	int included; /* goes in the list: ready, required or optional */
	const char *reason;
	/* the config check passed at this digest on an earlier night (prev's
	 * record, DESIGN rule 5): a child resolving to it needs no config GET */
	const char *verified_digest;
};

struct pub_decision {
	enum pub_verdict verdict;
	enum pub_decide_need need;             /* PUB_VERDICT_PUBLISH only */
	char *reason;                          /* malloc'd: "missing a, b", the error, or NULL;
	                                        * PUBLISH with extras_held: the held extra tags */
	struct pub_decide_platform *platforms; /* malloc'd, n_sources */
	size_t n_platforms;
	/* the target tag holds a digest manifold did not write (whatever the
	 * verdict; overwrite aside) */
	int foreign;
	/* PUBLISH, need NOTHING, n_extra: each extra tag's action (malloc'd);
	 * extras_held: some are HELD (the target is recorded held once the
	 * rest is written) */
	enum pub_extra_action *extras;
	int extras_held;
};
void pub_decision_free(struct pub_decision *d); /* NULL safe */

/* Pure (no I/O): decide what to do with one target from what the registry
 * answered, the previous record and the config. out is overwritten (free a
 * previous decision first); 0, or -1 out of memory (out is then empty). */
int pub_decide(const struct pub_decide_input *in, struct pub_decision *out);

/* Re-checking the children of a list in place (publish.md, "Missing
 * children"): 1 when target ref is due on day number `day` (days since
 * 1970-01-01 UTC) with a period of `period_days` (<= 1: every day). Each
 * target is due exactly one day in every period, spread by a hash of ref. */
int pub_recheck_due(const char *ref, long day, int period_days);
/* Is what h found manifold's to replace (publish.md, "Tags manifold did
 * not write")? 1 yes, 0 no: the rule pub_decide applies to every tag. */
int pub_decide_manifolds(const struct pub_decide_input *in, const struct pub_decide_head *h);

#endif
