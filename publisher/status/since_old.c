/* since_old.c — what `status --since REV` reads of the status files at a
 * revision: per target its state, digest and since in one sorted table,
 * never the records; each copy at REV read target by target (a blob git
 * can stream, streamed), and what changed between that table and the
 * current records. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "git_internal.h"
#include "report_internal.h"
#include "status_internal.h"

/* A blob smaller than this is read whole; a bigger one streamed when its
 * object store can (a loose object), so a copy in one file is never
 * whole in memory beside the table. */
#define SINCE_STREAM_MIN (1u << 20)
#define ARENA_CHUNK      (1u << 20)

/* One target at REV: what the diff reads, and what picks among records of
 * one target (several parts, several files). */
struct old_rec {
	const char *target; /* NULL: dropped (status_since_old_keep) */
	const char *digest, *since;
	uint32_t seq; /* the order read: of two records as new, the first stays */
	uint8_t state;
};

/* The strings live in chunks that never move. */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
};

struct status_since_old {
	struct old_rec *recs;
	size_t n, cap;
	struct arena_chunk *chunks;
};

struct status_since_old *status_since_old_new(void)
{
	return calloc(1, sizeof(struct status_since_old));
}

void status_since_old_free(struct status_since_old *o)
{
	if (!o)
		return;
	for (struct arena_chunk *c = o->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(o->recs);
	free(o);
}

/* s[0..len) and a NUL in the arena; NULL for s NULL (or out of memory). */
static const char *arena_dup(struct status_since_old *o, const char *s, size_t len)
{
	size_t n = len + 1;
	struct arena_chunk *c = o->chunks;

	if (!s)
		return NULL;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = o->chunks;
		o->chunks = c;
	}
	memcpy(c->data + c->used, s, len);
	c->data[c->used + len] = '\0';
	c->used += n;
	return c->data + c->used - n;
}

/* A string of a record: a view of its bytes (not NUL-terminated). */
struct str_view {
	const char *s; /* NULL: absent */
	size_t n;
};

static struct str_view view_of(const char *s)
{
	struct str_view v = {s, s ? strlen(s) : 0};
	return v;
}

static int old_add(struct status_since_old *o, struct str_view target,
                   enum status_target_state state, struct str_view digest, struct str_view since)
{
	struct old_rec *r;

	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 1024;
		struct old_rec *v = realloc(o->recs, nc * sizeof(*v));
		if (!v)
			return -1;
		o->recs = v;
		o->cap = nc;
	}
	r = &o->recs[o->n];
	r->seq = (uint32_t)o->n;
	r->state = (uint8_t)state;
	r->target = arena_dup(o, target.s, target.n);
	r->digest = arena_dup(o, digest.s, digest.n);
	r->since = arena_dup(o, since.s, since.n);
	if (!r->target || (digest.s && !r->digest) || (since.s && !r->since))
		return -1;
	o->n++;
	return 0;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct old_rec *x = a, *y = b;
	int c = strcmp(x->target, y->target);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Records [from, n) are one document's: sorted, and a target in it twice
 * is the error status_parse gives. */
static int doc_check(struct status_since_old *o, size_t from, const char *name,
                     struct base_error *err)
{
	if (o->n - from > 1)
		qsort(o->recs + from, o->n - from, sizeof(*o->recs), rec_cmp);
	for (size_t i = from + 1; i < o->n; i++) {
		if (strcmp(o->recs[i - 1].target, o->recs[i].target) == 0) {
			base_error_set(err, "%s: targets: \"%s\" appears twice", name,
			               o->recs[i].target);
			return -1;
		}
	}
	return 0;
}

void status_since_old_keep(struct status_since_old *o, size_t first, size_t n,
                           int (*keep)(void *ctx, const char *target), void *ctx)
{
	for (size_t i = first; i < first + n && i < o->n; i++)
		if (o->recs[i].target && (!keep || !keep(ctx, o->recs[i].target)))
			o->recs[i].target = NULL;
}

void status_since_old_finish(struct status_since_old *o)
{
	size_t w = 0;

	for (size_t i = 0; i < o->n; i++)
		if (o->recs[i].target)
			o->recs[w++] = o->recs[i];
	o->n = w;
	if (o->n > 1)
		qsort(o->recs, o->n, sizeof(*o->recs), rec_cmp);
	/* a target in two parts, or in two files: the newer since, ties the
	 * first read (status_split_finish, status_merge) */
	w = 0;
	for (size_t i = 0; i < o->n; i++) {
		if (w && strcmp(o->recs[w - 1].target, o->recs[i].target) == 0) {
			if (status_since_newer(o->recs[i].since, o->recs[w - 1].since))
				o->recs[w - 1] = o->recs[i];
			continue;
		}
		o->recs[w++] = o->recs[i];
	}
	o->n = w;
}

int status_since_old_of(const struct status_status *st, struct status_since_old **out,
                        struct base_error *err)
{
	struct status_since_old *o = status_since_old_new();

	*out = NULL;
	for (size_t i = 0; o && st && i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		if (old_add(o, view_of(t->target), t->state, view_of(t->digest),
		            view_of(t->since)) < 0) {
			status_since_old_free(o);
			o = NULL;
		}
	}
	if (!o) {
		base_error_set(err, "out of memory");
		return -1;
	}
	status_since_old_finish(o);
	*out = o;
	return 0;
}

/* ---- one copy at REV, target by target ------------------------------------ */

static size_t skip_ws(const char *d, size_t n, size_t i)
{
	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
		i++;
	return i;
}

/* The JSON string d[i..e) (quotes included) as text: a view of its bytes
 * when it has no escape, else cJSON's reading of it (*tok, the caller's
 * to delete). 0, or -1 when it is not a JSON string. */
static int str_token(const char *d, size_t i, size_t e, struct str_view *v, cJSON **tok)
{
	if (e - i < 2 || d[i] != '"' || d[e - 1] != '"')
		return -1;
	if (!memchr(d + i + 1, '\\', e - i - 2)) {
		v->s = d + i + 1;
		v->n = e - i - 2;
		return 0;
	}
	if (!(*tok = cJSON_ParseWithLength(d + i, e - i)) || !cJSON_IsString(*tok))
		return -1;
	*v = view_of((*tok)->valuestring);
	return 0;
}

/* status_each_fn: a record's target, state, digest and since into the
 * table, read from its text as status_target_parse reads them (the first
 * of a key counts, null is absent, another type is an error naming the
 * member); the rest of the record is stepped over, not parsed. */
static int take(void *ctx, const char *d, size_t n, const char *name, const char *path,
                struct base_error *err)
{
	static const char *const keys[] = {"target", "state", "digest", "since"};
	struct status_since_old *o = ctx;
	struct str_view val[4] = {{0}};
	cJSON *tok[5] = {0}; /* the four values' and a key's, when escaped */
	int seen[4] = {0}, rc = -1;
	enum status_target_state state;
	char sname[32];
	size_t i = skip_ws(d, n, 0), e, k;

	if (i >= n || d[i] != '{') {
		base_error_set(err, "%s: %s: want an object", name, path);
		return -1;
	}
	i = skip_ws(d, n, i + 1);
	while (i < n && d[i] != '}') {
		struct str_view key;
		if (!(e = status_json_value_end(d, n, i)) || str_token(d, i, e, &key, &tok[4]) < 0)
			goto bad;
		for (k = 0; k < 4; k++)
			if (!seen[k] && strlen(keys[k]) == key.n &&
			    memcmp(keys[k], key.s, key.n) == 0)
				break;
		cJSON_Delete(tok[4]);
		tok[4] = NULL;
		i = skip_ws(d, n, e);
		if (i >= n || d[i] != ':')
			goto bad;
		i = skip_ws(d, n, i + 1);
		if (i >= n || !(e = status_json_value_end(d, n, i)))
			goto bad;
		if (k < 4 && !(e - i == 4 && memcmp(d + i, "null", 4) == 0)) {
			if (d[i] != '"') {
				base_error_set(err, "%s: %s.%s: want a string", name, path,
				               keys[k]);
				goto out;
			}
			if (str_token(d, i, e, &val[k], &tok[k]) < 0)
				goto bad;
		}
		if (k < 4)
			seen[k] = 1;
		i = skip_ws(d, n, e);
		if (i < n && d[i] == ',')
			i = skip_ws(d, n, i + 1);
		else if (i >= n || d[i] != '}')
			goto bad;
	}
	if (i >= n)
		goto bad;
	if (!val[0].s) {
		base_error_set(err, "%s: %s.target: missing", name, path);
		goto out;
	}
	if (!val[1].s || val[1].n >= sizeof(sname) || memchr(val[1].s, '\0', val[1].n) ||
	    (snprintf(sname, sizeof(sname), "%.*s", (int)val[1].n, val[1].s),
	     status_target_state_parse(sname, &state) < 0)) {
		base_error_set(err, "%s: %s.state: \"%.*s\" is not a target state", name, path,
		               val[1].s ? (int)val[1].n : 0, val[1].s ? val[1].s : "");
		goto out;
	}
	if (old_add(o, val[0], state, val[2], val[3]) < 0) {
		base_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
	goto out;
bad:
	base_error_set(err, "%s: not valid JSON", name);
out:
	for (k = 0; k < 5; k++)
		cJSON_Delete(tok[k]);
	return rc;
}

struct blob_stream {
	git_odb_stream *s;
	int failed; /* libgit2's error is the reading's */
};

static ssize_t stream_read(void *ctx, char *buf, size_t n)
{
	struct blob_stream *b = ctx;
	int got = git_odb_stream_read(b->s, buf, n > INT32_MAX ? INT32_MAX : n);

	if (got < 0) {
		b->failed = 1;
		return -1;
	}
	return got;
}

/* The blob `id` (name in errors) read as a status document into o, its
 * document without targets into *head; *whole keeps the bytes when they
 * were read whole (a split header's parts are found in them). may_stream:
 * a big blob is streamed when its store can (a part never is: small, and
 * its size asked first would cost one more read of the object). */
static int read_doc(struct git_ctx *c, const git_oid *id, const char *name, int may_stream,
                    struct status_since_old *o, struct status_status **head, git_blob **whole,
                    struct base_error *err)
{
	git_odb *odb = NULL;
	struct blob_stream bs = {0};
	size_t len = 0, from = o->n;
	git_object_t type;
	int rc = -1;

	*head = NULL;
	*whole = NULL;
	if (may_stream && git_repository_odb(&odb, c->repo) < 0) {
		status_gitrec_fail(err, name);
		return -1;
	}
	if (may_stream && git_odb_read_header(&len, &type, odb, id) == 0 &&
	    len >= SINCE_STREAM_MIN && git_odb_open_rstream(&bs.s, &len, &type, odb, id) == 0) {
		rc = status_parse_each(name, NULL, 0, stream_read, &bs, take, o, head, err);
		if (rc < 0 && bs.failed)
			status_gitrec_fail(err, name);
	} else {
		git_error_clear(); /* a packed object: no stream, read whole */
		if (git_blob_lookup(whole, c->repo, id) < 0) {
			status_gitrec_fail(err, name);
			goto out;
		}
		rc = status_parse_each(name, git_blob_rawcontent(*whole),
		                       (size_t)git_blob_rawsize(*whole), NULL, NULL, take, o, head,
		                       err);
	}
	if (rc == 0)
		rc = doc_check(o, from, name, err);
out:
	if (bs.s)
		git_odb_stream_free(bs.s);
	git_odb_free(odb);
	if (rc < 0) {
		status_free(*head);
		*head = NULL;
		git_blob_free(*whole);
		*whole = NULL;
	}
	return rc;
}

struct part_ctx {
	struct git_ctx *c;
	struct status_since_old *o;
};

/* One part's targets into the table. */
static int read_part(void *ctx, const git_oid *id, const char *name, struct base_error *err)
{
	struct part_ctx *p = ctx;
	struct status_status *part = NULL;
	git_blob *b = NULL;
	int r = read_doc(p->c, id, name, 0, p->o, &part, &b, err);

	status_free(part);
	git_blob_free(b);
	return r;
}

/* A split header's parts (the directory its bytes name) into o. */
static int read_parts(struct git_ctx *c, git_tree *tree, const git_oid *header_id, git_blob *header,
                      struct status_since_old *o, struct base_error *err)
{
	struct part_ctx p = {c, o};
	git_blob *own = NULL;
	int r;

	/* a header big enough to be streamed is read again whole: the parts'
	 * directory is found in its bytes, as every reader finds it */
	if (!header) {
		if (git_blob_lookup(&own, c->repo, header_id) < 0) {
			status_gitrec_fail(err, c->relpath);
			return -1;
		}
		header = own;
	}
	r = status_gitrec_each_part(c, tree, git_blob_rawcontent(header),
	                            (size_t)git_blob_rawsize(header), read_part, &p, err);
	git_blob_free(own);
	return r < 0 ? r : 0;
}

int status_since_old_read(struct status_since_old *o, const char *file, const char *rev,
                          struct status_shard_info *shard, size_t *first, size_t *count,
                          struct base_error *err)
{
	struct git_ctx c;
	git_object *obj = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *ent = NULL;
	git_blob *whole = NULL;
	struct status_status *head = NULL;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(shard, 0, sizeof(*shard));
	*first = o->n;
	*count = 0;
	git_libgit2_init();
	/* Not re-hashing what is read (as git does not, and the history does
	 * not: history_git.c) is a third of the reading of a split copy's
	 * thousands of parts. A process-wide setting: status only reads. */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	if (status_gitrec_open_repo(&c, file, err) < 0)
		goto out;
	if (git_revparse_single(&obj, c.repo, rev) < 0 ||
	    git_object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		status_gitrec_fail(err, "resolve");
		goto out;
	}
	if (git_commit_tree(&tree, commit) < 0) {
		status_gitrec_fail(err, "read commit");
		goto out;
	}
	if (git_tree_entry_bypath(&ent, tree, c.relpath) < 0) {
		git_error_clear(); /* not there at REV: no records */
		rc = 0;
		goto out;
	}
	if (read_doc(&c, git_tree_entry_id(ent), c.relpath, 1, o, &head, &whole, err) < 0 ||
	    (head->parts && read_parts(&c, tree, git_tree_entry_id(ent), whole, o, err) < 0))
		goto out;
	if (status_shard_info_copy(shard, &head->shard) < 0) {
		base_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		base_error_wrap(err, "%s at %s", file, rev);
		o->n = *first; /* what the file added is not the table's */
	}
	*count = o->n - *first;
	status_free(head);
	git_blob_free(whole);
	git_tree_entry_free(ent);
	git_tree_free(tree);
	git_commit_free(commit);
	git_object_free(obj);
	status_gitrec_close(&c);
	return rc;
}

/* ---- what changed ---------------------------------------------------------- */

static const struct old_rec *old_find(const struct status_since_old *o, const char *target)
{
	size_t lo = 0, hi = o ? o->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(target, o->recs[mid].target);
		if (c == 0)
			return &o->recs[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int green(uint8_t state)
{
	return state == STATUS_T_PUBLISHED || state == STATUS_T_UNCHANGED;
}

static int push_ptr(const struct status_target_status ***v, size_t *n, size_t *cap,
                    const struct status_target_status *t)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		const struct status_target_status **nv = realloc(*v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = t;
	return 0;
}

int status_since_diff_old(const struct status_since_old *old, const struct status_status *cur,
                          const char *rev, struct status_since *out, struct base_error *err)
{
	size_t cap_p = 0, cap_b = 0, cap_s = 0;

	memset(out, 0, sizeof(*out));
	out->rev = rev;
	for (size_t i = 0; i < cur->n_targets; i++) {
		const struct status_target_status *t = &cur->targets[i];
		const struct old_rec *o = old_find(old, t->target);
		int rc = 0;
		if (status_target_green(t)) {
			if (!o || !green(o->state) || !o->digest || !t->digest ||
			    strcmp(o->digest, t->digest) != 0)
				rc = push_ptr(&out->published, &out->n_published, &cap_p, t);
		} else if (!o || green(o->state)) {
			rc = push_ptr(&out->broken, &out->n_broken, &cap_b, t);
		} else {
			rc = push_ptr(&out->still, &out->n_still, &cap_s, t);
		}
		if (rc < 0) {
			status_since_free(out);
			base_error_set(err, "out of memory");
			return -1;
		}
	}
	return 0;
}

int status_since_diff(const struct status_status *old, const struct status_status *cur,
                      const char *rev, struct status_since *out, struct base_error *err)
{
	struct status_since_old *o = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (status_since_old_of(old, &o, err) < 0)
		return -1;
	rc = status_since_diff_old(o, cur, rev, out, err);
	status_since_old_free(o);
	return rc;
}
