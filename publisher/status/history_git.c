/* history_git.c — reads the status file's history from its git repository
 * with libgit2 (no git process): each version history_walk.c found read by
 * history_version.c (or taken from the cache) and fed to history.c.
 *
 * A year of nights of a thousand targets is ~650 MB of JSON, but a record's
 * bytes change only when its state or digest does (the serialiser is
 * deterministic), so a version is cut into its records and only the changed
 * ones are parsed (history_version.c). A split version's parts are read
 * ahead, part by part on every core (see "parts read ahead"); a night is
 * then put together from their records. */
#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "git_internal.h"
#include "history_internal.h"

/* Bytes of pack files mapped at once while reading a history. */
#define HISTORY_MAPPED_LIMIT (32u << 20)
/* Threads reading parts ahead at most. */
#define HISTORY_MAX_READERS 4
/* Versions whose parts are read ahead at a time: what is held between
 * reading them and putting their nights together. */
#define HISTORY_AHEAD_WINDOW 128

static int lg_fail(struct base_error *err, const char *what)
{
	status_gitrec_fail(err, what);
	return -1;
}

/* ---- parts read ahead ----------------------------------------------------- */

/* Read night by night, a changed part's blob is rebuilt from its pack delta
 * chain while the bases of a thousand other parts' chains have pushed its
 * own out of libgit2's small delta-base cache. So before the nights are
 * put together, every version of every part the nights need is read part
 * by part (each part's versions one after another, each cut into records
 * against the one before: only the records whose bytes changed are
 * parsed), on as many threads as there are cores, each with its own
 * repository handle; a night is then its parts' record lists. Versions
 * are read ahead HISTORY_AHEAD_WINDOW at a time, so what is held is a
 * window's part versions, not a year's: a part's last version before the
 * window is read again (not parsed) to compare its first one in it with,
 * and a part version is dropped once a later night has a newer one. */

/* One version of a part: its blob id and its records' encodings in file
 * order (references of their own). */
struct pver {
	git_oid id;
	struct henc **e;
	size_t n;
	int sorted; /* its records in reference order */
	int cut;    /* its records cut from the blob (not parsed whole) */
};

/* One part path across the nights: its distinct versions in night order
 * (a blob the night before had is not a new version). */
struct ptrack {
	char *name; /* "status/release.d/reg.example/img-0001.json" */
	struct pver *v;
	size_t n, cap;
	size_t read;    /* versions [0, read) read */
	size_t dropped; /* versions [0, dropped) dropped: a night has a newer one */
	size_t upto;    /* the window's versions: [read, upto) */
};

/* A track to read (its place in todo) and where its first version's delta
 * chain begins in the packs. */
struct order {
	uint64_t key;
	size_t i;
};

/* A night's part: which track, which of its versions. */
struct pref {
	uint32_t t, v;
};

struct ahead {
	struct ptrack *t;
	size_t n, cap;
	size_t *slot; /* hash of track names: index + 1, 0 empty */
	size_t n_slot;
	/* per version of the walk (its index): its parts, or NULL when the
	 * version is not read ahead (a cache hit, one file, unreadable) */
	struct pref **parts;
	size_t *n_parts;
	/* the threads' share: the window's tracks (indexes into t), and the
	 * packs the parts' blobs are read from (NULL: libgit2 reads them) */
	struct hpack *pack;
	const char *gitdir;
	size_t *todo, n_todo;
	struct order *order; /* the reading order: todo sorted by where chains begin */
	size_t next;         /* the next of todo to read */
	pthread_mutex_t lock;
	size_t window_end; /* versions from this one (downwards) are not read yet */
};

static void pver_drop(struct pver *pv)
{
	for (size_t r = 0; r < pv->n; r++)
		status_enc_unref(pv->e[r]);
	free(pv->e);
	pv->e = NULL;
	pv->n = 0;
}

static void ahead_free(struct ahead *a, size_t n_versions)
{
	for (size_t i = 0; i < a->n; i++) {
		for (size_t k = 0; k < a->t[i].n; k++)
			pver_drop(&a->t[i].v[k]);
		free(a->t[i].v);
		free(a->t[i].name);
	}
	free(a->t);
	free(a->slot);
	free(a->todo);
	free(a->order);
	if (a->parts)
		for (size_t k = 0; k < n_versions; k++)
			free(a->parts[k]);
	free(a->parts);
	free(a->n_parts);
	memset(a, 0, sizeof(*a));
}

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return (size_t)h;
}

static int ahead_rehash(struct ahead *a)
{
	size_t ns = a->n_slot ? a->n_slot * 2 : 1024;
	size_t *s = calloc(ns, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < a->n; i++) {
		size_t h = name_hash(a->t[i].name) & (ns - 1);
		while (s[h])
			h = (h + 1) & (ns - 1);
		s[h] = i + 1;
	}
	free(a->slot);
	a->slot = s;
	a->n_slot = ns;
	return 0;
}

/* The track of part path name (made when new); SIZE_MAX out of memory. */
static size_t ahead_track(struct ahead *a, const char *name)
{
	size_t h;
	if ((a->n + 1) * 2 > a->n_slot && ahead_rehash(a) < 0)
		return SIZE_MAX;
	for (h = name_hash(name) & (a->n_slot - 1); a->slot[h]; h = (h + 1) & (a->n_slot - 1))
		if (strcmp(a->t[a->slot[h] - 1].name, name) == 0)
			return a->slot[h] - 1;
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 256;
		struct ptrack *nt = realloc(a->t, nc * sizeof(*nt));
		if (!nt)
			return SIZE_MAX;
		a->t = nt;
		a->cap = nc;
	}
	memset(&a->t[a->n], 0, sizeof(a->t[a->n]));
	if (!(a->t[a->n].name = strdup(name)))
		return SIZE_MAX;
	a->slot[h] = a->n + 1;
	return a->n++;
}

/* The track's version of blob id: its last one when the same, else a new one. */
static int ahead_version(struct ptrack *t, const git_oid *id, uint32_t *out)
{
	if (!t->n || !git_oid_equal(&t->v[t->n - 1].id, id)) {
		if (t->n == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 8;
			struct pver *nv = realloc(t->v, nc * sizeof(*nv));
			if (!nv)
				return -1;
			t->v = nv;
			t->cap = nc;
		}
		memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
		git_oid_cpy(&t->v[t->n].id, id);
		t->n++;
	}
	*out = (uint32_t)(t->n - 1);
	return 0;
}

/* Version k's parts, when it is split and not in the cache: which part
 * versions it has. Anything unreadable leaves it to status_version_read, which
 * says what is wrong. */
static int ahead_plan_one(struct walk *w, struct hcache *c, struct ahead *a, size_t k)
{
	git_blob *head = NULL;
	git_commit *cm = NULL;
	git_tree *tree = NULL;
	struct tree_part *tp = NULL;
	struct base_error ignored;
	char *dir = NULL, *dpath = NULL;
	size_t n = 0;
	int has_dir, rc = 0;

	memset(&ignored, 0, sizeof(ignored));
	if (status_cache_has(c, &w->blobs[k]) ||
	    git_blob_lookup(&head, w->repo, &w->heads[k]) < 0 ||
	    status_split_dir_of(w->relpath, git_blob_rawcontent(head),
	                        (size_t)git_blob_rawsize(head), &dir, &ignored) <= 0 ||
	    !(dpath = status_gitrec_parts_path(w->relpath, dir)) ||
	    git_commit_lookup(&cm, w->repo, &w->commits[k]) < 0 || git_commit_tree(&tree, cm) < 0 ||
	    status_gitrec_tree_parts(w->repo, tree, dpath, &tp, &n, &has_dir) < 0)
		goto out;
	rc = -1;
	if (n && !(a->parts[k] = malloc(n * sizeof(*a->parts[k]))))
		goto out;
	for (size_t i = 0; i < n; i++) {
		char *name;
		size_t t;
		if (asprintf(&name, "%s/%s", dpath, tp[i].rel) < 0)
			goto out;
		t = ahead_track(a, name);
		free(name);
		if (t == SIZE_MAX || t > UINT32_MAX ||
		    ahead_version(&a->t[t], &tp[i].id, &a->parts[k][i].v) < 0)
			goto out;
		a->parts[k][i].t = (uint32_t)t;
	}
	a->n_parts[k] = n;
	if (!n && !(a->parts[k] = malloc(1)))
		goto out;
	rc = 0;
out:
	git_error_clear();
	status_gitrec_tree_parts_free(tp, n);
	git_tree_free(tree);
	git_commit_free(cm);
	git_blob_free(head);
	free(dir);
	free(dpath);
	return rc;
}

/* Every version's parts that will be read from git, oldest first. */
static int ahead_plan(struct walk *w, struct hcache *c, struct ahead *a, struct base_error *err)
{
	if (w->n && (!(a->parts = calloc(w->n, sizeof(*a->parts))) ||
	             !(a->n_parts = calloc(w->n, sizeof(*a->n_parts))))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	for (size_t k = w->n; k-- > 0;)
		if (ahead_plan_one(w, c, a, k) < 0) {
			base_error_set(err, "out of memory");
			return -1;
		}
	if (a->n && (!(a->todo = malloc(a->n * sizeof(*a->todo))) ||
	             !(a->order = malloc(a->n * sizeof(*a->order))))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	a->window_end = w->n;
	return 0;
}

/* Part blob id's bytes into v (v->name set): 1 from the packs when they
 * have it, else 0 from libgit2; -1 on error. */
static int part_load(git_repository *repo, struct hpack *pack, const git_oid *id, struct version *v,
                     struct base_error *err)
{
	if (status_pack_read(pack, id, &v->buf, &v->len, &v->held) == 0)
		return 1;
	if (git_blob_lookup(&v->blob, repo, id) < 0)
		return lg_fail(err, v->name);
	v->buf = git_blob_rawcontent(v->blob);
	v->len = (size_t)git_blob_rawsize(v->blob);
	return 0;
}

/* Read track t's versions [t->read, t->upto) in turn, each against the one
 * before (the one before the window read again, not parsed). */
static int ahead_read_track(git_repository *repo, struct hpack *pack, struct ptrack *t,
                            struct status_history_work *work, struct base_error *err)
{
	struct version prev, cur;
	int rc = -1;
	memset(&prev, 0, sizeof(prev));
	memset(&cur, 0, sizeof(cur));
	if (t->read > 0 && t->v[t->read - 1].cut && t->v[t->read - 1].n) {
		snprintf(prev.name, sizeof(prev.name), "%s", t->name);
		if (part_load(repo, pack, &t->v[t->read - 1].id, &prev, err) < 0)
			goto out;
		if (status_version_recut(&prev, t->v[t->read - 1].e, t->v[t->read - 1].n) < 0)
			status_version_free(&prev);
	}
	for (size_t k = t->read; k < t->upto; k++) {
		struct pver *pv = &t->v[k];
		size_t body = 0;
		int from_packs;
		snprintf(cur.name, sizeof(cur.name), "%s", t->name);
		if ((from_packs = part_load(repo, pack, &pv->id, &cur, err)) < 0)
			goto out;
		work->parts_read++;
		work->parts_from_packs += (size_t)from_packs;
		if (status_version_head(&cur, &body, work, err) < 0 ||
		    status_version_body(&cur, body, prev.buf ? &prev : NULL, work, err) < 0)
			goto out;
		if (cur.n_recs && !(pv->e = malloc(cur.n_recs * sizeof(*pv->e)))) {
			base_error_set(err, "out of memory");
			goto out;
		}
		for (size_t r = 0; r < cur.n_recs; r++)
			pv->e[r] = status_enc_ref(cur.recs[r].enc);
		pv->n = cur.n_recs;
		pv->sorted = status_version_sorted(&cur);
		pv->cut = !cur.whole;
		status_version_free(&prev);
		prev = cur;
		memset(&cur, 0, sizeof(cur));
	}
	t->read = t->upto;
	rc = 0;
out:
	status_version_free(&cur);
	status_version_free(&prev);
	return rc;
}

/* One reader: tracks taken in turn until none is left; the first failure
 * kept with the track it happened in. */
struct reader {
	struct ahead *a;
	pthread_t th;
	int started;
	struct status_history_work work;
	struct base_error err;
	size_t failed; /* the track that failed, SIZE_MAX none */
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	struct ahead *a = r->a;
	git_repository *repo = NULL;
	if (git_repository_open_bare(&repo, a->gitdir) < 0 &&
	    git_repository_open(&repo, a->gitdir) < 0) {
		lg_fail(&r->err, a->gitdir);
		r->failed = 0;
		return NULL;
	}
	for (;;) {
		size_t t;
		pthread_mutex_lock(&a->lock);
		t = a->next < a->n_todo ? a->order[a->next++].i : SIZE_MAX;
		pthread_mutex_unlock(&a->lock);
		if (t == SIZE_MAX)
			break;
		if (ahead_read_track(repo, a->pack, &a->t[a->todo[t]], &r->work, &r->err) < 0) {
			r->failed = t;
			break;
		}
	}
	git_repository_free(repo);
	return NULL;
}

static size_t ahead_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > HISTORY_MAX_READERS ? HISTORY_MAX_READERS : (size_t)n;
}

static int order_cmp(const void *x, const void *y)
{
	const struct order *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The part versions of the versions from `from` down to the window's end
 * read, on ahead_threads() threads. */
static int ahead_read(struct walk *w, struct ahead *a, size_t from,
                      struct status_history_work *work, struct base_error *err)
{
	struct reader r[HISTORY_MAX_READERS];
	size_t n = ahead_threads(), failed = SIZE_MAX, who = 0,
	       end = from + 1 > HISTORY_AHEAD_WINDOW ? from + 1 - HISTORY_AHEAD_WINDOW : 0;
	a->n_todo = a->next = 0;
	for (size_t k = from + 1; k-- > end;)
		for (size_t i = 0; a->parts[k] && i < a->n_parts[k]; i++) {
			struct ptrack *t = &a->t[a->parts[k][i].t];
			if (t->upto <= a->parts[k][i].v) {
				if (t->upto <= t->read)
					a->todo[a->n_todo++] = a->parts[k][i].t;
				t->upto = a->parts[k][i].v + 1;
			}
		}
	a->window_end = end;
	/* Git's delta search pairs similar files: a part's chains go through
	 * other parts' blobs. Tracks whose chains begin at the same base read
	 * one after another find that base's family in the cache. */
	for (size_t i = 0; i < a->n_todo; i++) {
		const struct ptrack *t = &a->t[a->todo[i]];
		a->order[i].i = i;
		a->order[i].key = a->pack ? status_pack_chain_root(a->pack, &t->v[t->read].id) : 0;
	}
	if (a->pack)
		qsort(a->order, a->n_todo, sizeof(*a->order), order_cmp);
	if (n > a->n_todo)
		n = a->n_todo ? a->n_todo : 1;
	memset(r, 0, sizeof(r));
	a->gitdir = git_repository_path(w->repo);
	if (pthread_mutex_init(&a->lock, NULL) != 0) {
		base_error_set(err, "mutex: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		r[i].a = a;
		r[i].failed = SIZE_MAX;
		/* the first reader on this thread: a thread fewer is no failure */
		if (i == 0 || pthread_create(&r[i].th, NULL, reader_run, &r[i]) != 0)
			continue;
		r[i].started = 1;
	}
	reader_run(&r[0]);
	for (size_t i = 0; i < n; i++) {
		if (r[i].started)
			pthread_join(r[i].th, NULL);
		work->parts_read += r[i].work.parts_read;
		work->parts_from_packs += r[i].work.parts_from_packs;
		work->records_parsed += r[i].work.records_parsed;
		work->records_full += r[i].work.records_full;
		work->wholes_parsed += r[i].work.wholes_parsed;
		if (r[i].failed < failed) {
			failed = r[i].failed;
			who = i;
		}
	}
	pthread_mutex_destroy(&a->lock);
	if (failed != SIZE_MAX)
		/* the track where the failure was found first in path order */
		*err = r[who].err;
	return failed == SIZE_MAX ? 0 : -1;
}

/* Version k read ahead: its header from git, its targets the parts'
 * record lists. */
static int version_ahead(struct walk *w, size_t k, struct ahead *a, struct version *v,
                         struct hsum *out, struct status_history_work *work, struct base_error *err)
{
	int in_order = 1;
	work->versions_git++;
	memset(out, 0, sizeof(*out));
	if (status_version_load(w, k, v, err) < 0 ||
	    status_parse(v->name, v->buf, v->len, &v->head, err) < 0)
		return -1;
	v->whole = v->split = 1;
	if (status_sum_start(out, &w->blobs[k], v->head->last_run.finished) < 0)
		goto oom;
	for (size_t i = 0; i < a->n_parts[k]; i++) {
		struct ptrack *t = &a->t[a->parts[k][i].t];
		const struct pver *pv = &t->v[a->parts[k][i].v];
		/* a night has this one: the track's older versions are done with */
		for (; t->dropped < a->parts[k][i].v; t->dropped++)
			pver_drop(&t->v[t->dropped]);
		status_sum_order(out, pv->n ? pv->e[0] : NULL, pv->sorted, &in_order);
		for (size_t r = 0; r < pv->n; r++)
			if (status_sum_push(out, pv->e[r]) < 0)
				goto oom;
	}
	status_sum_finish(out, in_order);
	return 0;
oom:
	status_sum_free(out);
	base_error_set(err, "out of memory");
	return -1;
}

static int night_add(struct hbuild *b, const struct walk *w, size_t i, const struct hsum *s,
                     struct base_error *err)
{
	char hex[41];
	git_oid_tostr(hex, sizeof(hex), &w->commits[i]);
	return status_build_night(b, hex, s, err);
}

/* Oldest first; a version waits until the next one's header says whether
 * it is a night of its own (another last_run.finished) or a rerun of it.
 * Each version's summary comes from the cache, else from git (and then
 * goes into the cache). */
static int read_versions(struct walk *w, struct hcache *c, struct ahead *a, struct hbuild *h,
                         struct status_history_work *work, struct base_error *err)
{
	struct version cur, prev;
	struct hsum sum, last;
	size_t pending = 0;
	int have = 0, rc = -1;

	memset(&prev, 0, sizeof(prev));
	memset(&cur, 0, sizeof(cur));
	memset(&sum, 0, sizeof(sum));
	memset(&last, 0, sizeof(last));
	for (size_t k = w->n; k-- > 0;) {
		if (a->parts && k < a->window_end && ahead_read(w, a, k, work, err) < 0)
			goto out;
		if (a->parts && a->parts[k]) {
			if (version_ahead(w, k, a, &cur, &sum, work, err) < 0)
				goto out;
			free(a->parts[k]); /* no window reads it again */
			a->parts[k] = NULL;
			status_cache_put(c, &sum, have ? &last : NULL);
			status_version_free(&prev);
			prev = cur; /* no parts: the next version read on its own reads all */
			memset(&cur, 0, sizeof(cur));
		} else if (status_cache_get(c, &w->blobs[k], have ? &last : NULL, &sum) < 0) {
			if (status_version_read(w, k, &cur, prev.blob ? &prev : NULL, work, err) <
			        0 ||
			    status_version_sum(&cur, &w->blobs[k], &sum, err) < 0)
				goto out;
			status_cache_put(c, &sum, have ? &last : NULL);
			status_version_free(&prev);
			prev = cur;
			memset(&cur, 0, sizeof(cur));
		} else {
			work->versions_cache++;
			status_version_free(
			    &prev); /* the next version from git has nothing to reuse */
		}
		if (have && (!sum.finished || !status_streq0(sum.finished, last.finished)) &&
		    night_add(h, w, pending, &last, err) < 0)
			goto out;
		status_sum_free(&last);
		last = sum;
		memset(&sum, 0, sizeof(sum));
		pending = k;
		have = 1;
	}
	if (have && night_add(h, w, pending, &last, err) < 0)
		goto out;
	rc = 0;
out:
	status_sum_free(&sum);
	status_sum_free(&last);
	status_version_free(&cur);
	status_version_free(&prev);
	return rc;
}

int status_history_read(const char *status_path, const struct status_history_options *o,
                        struct status_history **out, struct base_error *err)
{
	struct walk w;
	struct status_history *h = NULL;
	struct hcache *c = NULL;
	struct hbuild *b = NULL;
	struct ahead a;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	memset(&a, 0, sizeof(a));
	*out = NULL;
	git_libgit2_init();
	/* Re-hashing every version read (a year is ~650 MB) costs a third of the
	 * time; git itself does not re-hash objects it reads. A process-wide
	 * libgit2 setting: the status command reads, it does not write. */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/* A pack is mapped a window at a time (1 GiB by default), and windows
	 * stay mapped up to 8 GiB: reading a year would keep the whole pack
	 * mapped, every page read counting in the resident memory. */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)HISTORY_MAPPED_LIMIT / 4);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)HISTORY_MAPPED_LIMIT);
	if (status_history_walk_open(&w, status_path, err) < 0)
		goto out;
	{
		const char *slash = strrchr(w.relpath, '/');
		char *dir = status_split_dir_name(slash ? slash + 1 : w.relpath);
		w.partspath = dir ? status_gitrec_parts_path(w.relpath, dir) : NULL;
		free(dir);
		if (!w.partspath) {
			base_error_set(err, "out of memory");
			goto out;
		}
	}
	if (status_history_walk_commits(&w, o, err) < 0)
		goto out;
	if (!(h = status_history_new(w.n))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	h->truncated = w.truncated;
	c = o->no_cache ? NULL : status_cache_open(w.repo);
	if (!(b = status_build_new(h))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (ahead_plan(&w, c, &a, err) < 0)
		goto out;
	if (a.n)
		a.pack = status_pack_open(git_repository_commondir(w.repo));
	if (read_versions(&w, c, &a, b, &h->work, err) < 0 || status_build_end(b, err) < 0)
		goto out;
	h->work.targets_decoded = status_build_decoded(b);
	status_cache_prune(c, w.blobs, w.n);
	*out = h;
	h = NULL;
	rc = 0;
out:
	if (rc < 0)
		base_error_wrap(err, "%s: history %s", status_path, o->range ? o->range : "HEAD");
	status_build_free(b);
	status_pack_close(a.pack);
	ahead_free(&a, w.n);
	status_history_free(h);
	status_cache_close(c);
	free(w.commits);
	free(w.blobs);
	free(w.heads);
	free(w.relpath);
	free(w.partspath);
	git_repository_free(w.repo);
	git_libgit2_shutdown();
#ifdef __GLIBC__
	/* What the reading held (blobs, delta bases, a window's records, the
	 * builder) is free now but stays in the heaps, resident, beside what
	 * the report builds next (its big buffers mapped afresh): handed back. */
	malloc_trim(0);
#endif
	return rc;
}
