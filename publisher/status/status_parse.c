/* status_parse.c — reading the status file: parsing with errors that name
 * the JSON path, one target's tree at a time, the file read a window at a
 * time (a night of many targets never holds the whole document, as text or
 * as a tree). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status_file.h"
#include "status_internal.h"

#define STATUS_MAX (256u * 1024u * 1024u) /* cap on a status file we read */

/* ---- parsing ------------------------------------------------------------- */

static int parse_platform(const cJSON *j, struct status_platform_status *p, const char *name,
                          const char *path, struct base_error *err)
{
	char *state = NULL;
	const cJSON *ver;
	long long size;
	int rc = -1;

	p->size = -1;
	if (!cJSON_IsObject(j)) {
		base_error_set(err, "%s: %s: want an object", name, path);
		return -1;
	}
	if (status_get_str(j, "platform", &p->platform, name, path, err) < 0 ||
	    status_get_str(j, "source", &p->source, name, path, err) < 0 ||
	    status_get_str(j, "state", &state, name, path, err) < 0 ||
	    status_get_str(j, "digest", &p->digest, name, path, err) < 0 ||
	    status_get_str(j, "media_type", &p->media_type, name, path, err) < 0 ||
	    status_get_str(j, "reason", &p->reason, name, path, err) < 0 ||
	    status_get_str(j, "signed_by", &p->signed_by, name, path, err) < 0 ||
	    status_get_int(j, "size", &size, -1, name, path, err) < 0)
		goto out;
	p->size = size;
	if (!p->platform) {
		base_error_set(err, "%s: %s.platform: missing", name, path);
		goto out;
	}
	if (!state || status_platform_state_parse(state, &p->state) < 0) {
		base_error_set(err, "%s: %s.state: \"%s\" is not a platform state", name, path,
		               state ? state : "");
		goto out;
	}
	ver = cJSON_GetObjectItemCaseSensitive(j, "verified");
	if (ver && !cJSON_IsBool(ver) && !cJSON_IsNull(ver)) {
		base_error_set(err, "%s: %s.verified: want true or false", name, path);
		goto out;
	}
	p->verified = ver && cJSON_IsTrue(ver);
	ver = cJSON_GetObjectItemCaseSensitive(j, "optional");
	if (ver && !cJSON_IsBool(ver) && !cJSON_IsNull(ver)) {
		base_error_set(err, "%s: %s.optional: want true or false", name, path);
		goto out;
	}
	p->optional = ver && cJSON_IsTrue(ver);
	ver = cJSON_GetObjectItemCaseSensitive(j, "child_missing");
	if (ver && !cJSON_IsBool(ver) && !cJSON_IsNull(ver)) {
		base_error_set(err, "%s: %s.child_missing: want true or false", name, path);
		goto out;
	}
	p->child_missing = ver && cJSON_IsTrue(ver);
	rc = 0;
out:
	free(state);
	return rc;
}

static int add_extra_digest(struct status_target_status *t, const char *d)
{
	char **v;

	for (size_t i = 0; i < t->n_extra_digests; i++)
		if (strcmp(t->extra_digests[i], d) == 0)
			return 0;
	if (!(v = realloc(t->extra_digests, (t->n_extra_digests + 1) * sizeof(*v))))
		return -1;
	t->extra_digests = v;
	if (!(v[t->n_extra_digests] = strdup(d)))
		return -1;
	t->n_extra_digests++;
	return 0;
}

/* "extra_digests", as files before "extra_tags" wrote the held lists:
 * read into the same place the "held" entries of "extra_tags" go, so the
 * next write turns them into entries (docs/status.md). */
static int parse_extra_digests(const cJSON *j, struct status_target_status *t, const char *name,
                               const char *path, struct base_error *err)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "extra_digests"), *d;

	if (!e || cJSON_IsNull(e))
		return 0;
	if (!cJSON_IsArray(e)) {
		base_error_set(err, "%s: %s.extra_digests: want an array of digests", name, path);
		return -1;
	}
	cJSON_ArrayForEach(d, e)
	{
		if (!cJSON_IsString(d)) {
			base_error_set(err, "%s: %s.extra_digests: want an array of digests", name,
			               path);
			return -1;
		}
		if (add_extra_digest(t, d->valuestring) < 0) {
			base_error_set(err, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int parse_extra_tags(const cJSON *j, struct status_target_status *t, const char *name,
                            const char *path, struct base_error *err)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "extra_tags"), *x;
	size_t i = 0;

	if (!e || cJSON_IsNull(e))
		return 0;
	if (!cJSON_IsArray(e)) {
		base_error_set(err, "%s: %s.extra_tags: want an array", name, path);
		return -1;
	}
	cJSON_ArrayForEach(x, e)
	{
		const cJSON *tag = cJSON_GetObjectItemCaseSensitive(x, "tag");
		const cJSON *dig = cJSON_GetObjectItemCaseSensitive(x, "digest");
		const cJSON *held = cJSON_GetObjectItemCaseSensitive(x, "held");
		int rc = 0;

		if (!cJSON_IsObject(x) || !cJSON_IsString(dig) ||
		    (tag && !cJSON_IsString(tag) && !cJSON_IsNull(tag)) ||
		    (held && !cJSON_IsBool(held) && !cJSON_IsNull(held))) {
			base_error_set(err,
			               "%s: %s.extra_tags[%zu]: want {\"tag\": string, \"digest\": "
			               "string, \"held\": true or false}",
			               name, path, i);
			return -1;
		}
		if (cJSON_IsString(tag))
			rc = status_extra_tag_add(t, tag->valuestring, dig->valuestring);
		if (rc == 0 && held && cJSON_IsTrue(held))
			rc = add_extra_digest(t, dig->valuestring);
		if (rc < 0) {
			base_error_set(err, "out of memory");
			return -1;
		}
		i++;
	}
	return 0;
}

int status_target_parse(const cJSON *j, struct status_target_status *t, const char *name,
                        const char *path, struct base_error *err)
{
	char *state = NULL, sub[128];
	const cJSON *plats, *e;
	size_t n = 0;
	int rc = -1;

	if (!cJSON_IsObject(j)) {
		base_error_set(err, "%s: %s: want an object", name, path);
		return -1;
	}
	if (status_get_str(j, "target", &t->target, name, path, err) < 0 ||
	    status_get_str(j, "state", &state, name, path, err) < 0 ||
	    status_get_str(j, "digest", &t->digest, name, path, err) < 0 ||
	    status_get_str(j, "media_type", &t->media_type, name, path, err) < 0 ||
	    status_get_str(j, "since", &t->since, name, path, err) < 0 ||
	    status_get_str(j, "published_at", &t->published_at, name, path, err) < 0 ||
	    status_get_str(j, "reason", &t->reason, name, path, err) < 0 ||
	    status_get_str(j, "signed_by", &t->signed_by, name, path, err) < 0)
		goto out;
	if (!t->target) {
		base_error_set(err, "%s: %s.target: missing", name, path);
		goto out;
	}
	e = cJSON_GetObjectItemCaseSensitive(j, "foreign");
	if (e && !cJSON_IsBool(e)) {
		base_error_set(err, "%s: %s.foreign: want true or false", name, path);
		goto out;
	}
	t->foreign = e && cJSON_IsTrue(e);
	if (parse_extra_digests(j, t, name, path, err) < 0 ||
	    parse_extra_tags(j, t, name, path, err) < 0)
		goto out;
	if (!state || status_target_state_parse(state, &t->state) < 0) {
		base_error_set(err, "%s: %s.state: \"%s\" is not a target state", name, path,
		               state ? state : "");
		goto out;
	}
	plats = cJSON_GetObjectItemCaseSensitive(j, "unconfirmed");
	if (plats && !cJSON_IsBool(plats) && !cJSON_IsNull(plats)) {
		base_error_set(err, "%s: %s.unconfirmed: want true or false", name, path);
		goto out;
	}
	t->unconfirmed = plats && cJSON_IsTrue(plats);
	plats = cJSON_GetObjectItemCaseSensitive(j, "platforms");
	if (plats && !cJSON_IsNull(plats)) {
		if (!cJSON_IsArray(plats)) {
			base_error_set(err, "%s: %s.platforms: want an array", name, path);
			goto out;
		}
		n = (size_t)cJSON_GetArraySize(plats);
	}
	if (n) {
		t->platforms = calloc(n, sizeof(*t->platforms));
		if (!t->platforms) {
			base_error_set(err, "out of memory");
			goto out;
		}
		cJSON_ArrayForEach(e, plats)
		{
			snprintf(sub, sizeof(sub), "%s.platforms[%zu]", path,
			         (size_t)t->n_platforms);
			t->n_platforms++;
			if (parse_platform(e, &t->platforms[t->n_platforms - 1], name, sub, err) <
			    0)
				goto out;
		}
	}
	rc = 0;
out:
	free(state);
	return rc;
}

/* ---- reading a big file target by target ---------------------------------- */

/* The text being read: all of it (status_parse), or a window on a file
 * that slides as it is read (status_load), so a big status is never whole
 * in memory, as text or as a tree: each target is parsed on its own and
 * its text dropped. */
struct reader {
	int fd; /* -1: buf holds the whole text */
	char *buf;
	const char *mem; /* fd -1: the caller's text */
	size_t len, pos, cap;
	int eof;
	const char *name;
	int read_errno;
	const struct status_share *share; /* may be NULL */
	/* status_parse_each: each target's text goes to each (not kept), and
	 * with src the text comes from it rather than from fd */
	status_each_fn each;
	void *each_ctx;
	size_t n_each;
	ssize_t (*src)(void *ctx, char *buf, size_t n);
	void *src_ctx;
};

static int each_target(struct reader *r, struct base_error *err);

#define READ_CHUNK (64u * 1024u)

static const char *rd_data(const struct reader *r)
{
	return r->fd < 0 ? r->mem : r->buf;
}

/* More text after what is there (what is before pos is dropped first);
 * 0, or -1 at the end of the file or on an error (read_errno). */
static int rd_more(struct reader *r)
{
	ssize_t got;

	if (r->fd < 0 || r->eof)
		return -1;
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < READ_CHUNK) {
		size_t nc = r->cap ? r->cap * 2 : 2 * READ_CHUNK;
		char *n;
		while (nc - r->len < READ_CHUNK)
			nc *= 2;
		if (nc > STATUS_MAX + 2 * READ_CHUNK || !(n = realloc(r->buf, nc))) {
			r->read_errno = ENOMEM;
			return -1;
		}
		r->buf = n;
		r->cap = nc;
	}
	do
		got = r->src ? r->src(r->src_ctx, r->buf + r->len, r->cap - r->len)
		             : read(r->fd, r->buf + r->len, r->cap - r->len);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		r->read_errno = errno;
		return -1;
	}
	if (got == 0) {
		r->eof = 1;
		return -1;
	}
	r->len += (size_t)got;
	return 0;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next character that is not white space (pos on it), or -1 at the end. */
static int rd_peek(struct reader *r)
{
	for (;;) {
		while (r->pos < r->len && is_ws(rd_data(r)[r->pos]))
			r->pos++;
		if (r->pos < r->len)
			return (unsigned char)rd_data(r)[r->pos];
		if (rd_more(r) < 0)
			return -1;
	}
}

/* The end of the JSON value starting at d[i] (a string, an object or an
 * array, or a scalar up to the next delimiter), or 0 when the text ends
 * first (at_end: nothing more will come, a scalar may end there). Only
 * brackets are checked here: cJSON parses the value afterwards. */
/* The closing quote of the string whose text starts at d[i], or len when
 * it does not end in d: the next quote after an even run of backslashes
 * (memchr: a status file is mostly strings). */
static size_t string_end(const char *d, size_t len, size_t i)
{
	for (;;) {
		const char *q = i < len ? memchr(d + i, '"', len - i) : NULL;
		size_t j, run = 0;

		if (!q)
			return len;
		j = (size_t)(q - d);
		while (j - run > i && d[j - run - 1] == '\\')
			run++;
		if (!(run & 1))
			return j;
		i = j + 1;
	}
}

static size_t value_end(const char *d, size_t len, size_t i, int at_end)
{
	int depth = 0;

	if (i < len && d[i] != '"' && d[i] != '[' && d[i] != '{') {
		while (i < len && !is_ws(d[i]) && d[i] != ',' && d[i] != '}' && d[i] != ']')
			i++;
		return i < len || at_end ? i : 0;
	}
	for (; i < len; i++) {
		if (d[i] == '"') {
			i = string_end(d, len, i + 1);
			if (i >= len)
				return 0;
			if (depth == 0)
				return i + 1;
		} else if (d[i] == '[' || d[i] == '{') {
			depth++;
		} else if (d[i] == ']' || d[i] == '}') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

/* The value at pos parsed on its own (pos after it); NULL when it is not
 * JSON or the text ends inside it. */
static cJSON *rd_value(struct reader *r)
{
	for (;;) {
		size_t e = value_end(rd_data(r), r->len, r->pos, r->fd < 0 || r->eof);
		if (e > r->pos) {
			cJSON *v = cJSON_ParseWithLength(rd_data(r) + r->pos, e - r->pos);
			r->pos = e;
			return v;
		}
		if (rd_more(r) < 0)
			return NULL;
	}
}

/* t (packed) holds the block of its target's record in share when they
 * read the same. */
static void share_with(const struct status_share *share, struct status_target_status *t)
{
	const struct status_target_status *hit = status_share_find(share, t->target);

	if (hit)
		(void)status_target_adopt(t, hit, 1);
}

static int add_target(struct status_status *st, size_t *cap, const cJSON *e, const char *name,
                      const struct status_share *share, struct base_error *err)
{
	char path[64];

	if (st->n_targets == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct status_target_status *nt = realloc(st->targets, nc * sizeof(*nt));
		if (!nt) {
			base_error_set(err, "out of memory");
			return -1;
		}
		memset(nt + *cap, 0, (nc - *cap) * sizeof(*nt));
		st->targets = nt;
		*cap = nc;
	}
	snprintf(path, sizeof(path), "targets[%zu]", st->n_targets);
	st->n_targets++;
	if (status_target_parse(e, &st->targets[st->n_targets - 1], name, path, err) < 0)
		return -1;
	/* a status of many targets is held for a whole run: a block a record */
	if (status_target_pack(&st->targets[st->n_targets - 1]) < 0) {
		base_error_set(err, "out of memory");
		return -1;
	}
	share_with(share, &st->targets[st->n_targets - 1]);
	return 0;
}

/* The elements of the targets array at pos ('['), one tree at a time. */
static int read_targets(struct reader *r, struct status_status *st, struct base_error *err)
{
	size_t cap = 0;
	int c;

	r->pos++;
	if (rd_peek(r) == ']') {
		r->pos++;
		return 0;
	}
	for (;;) {
		cJSON *e = NULL;
		int rc;
		if (rd_peek(r) < 0)
			goto bad;
		if (r->each)
			rc = each_target(r, err);
		else if (!(e = rd_value(r)))
			goto bad;
		else
			rc = add_target(st, &cap, e, r->name, r->share, err);
		cJSON_Delete(e);
		if (rc < 0)
			return -1;
		c = rd_peek(r);
		r->pos += c >= 0;
		if (c == ',')
			continue;
		if (c == ']')
			return 0;
		goto bad;
	}
bad:
	base_error_set(err, "%s: not valid JSON", r->name);
	return -1;
}

/* The document: its members but "targets" into *root (a cJSON object),
 * the elements of "targets" (when it is an array) into st one by one.
 * -1 with err filled ("not valid JSON", "want a JSON object", or a
 * target's error). */
static int read_doc(struct reader *r, cJSON **root, struct status_status *st,
                    struct base_error *err)
{
	cJSON *key = NULL, *val = NULL;
	int c, seen_targets = 0;

	*root = NULL;
	if ((c = rd_peek(r)) != '{') {
		/* not an object: let cJSON say whether it is JSON at all */
		cJSON *any = NULL;
		while (c >= 0 && rd_more(r) == 0)
			;
		if (c >= 0 && !r->read_errno)
			any = cJSON_ParseWithLength(rd_data(r) + r->pos, r->len - r->pos);
		base_error_set(err, any ? "%s: want a JSON object" : "%s: not valid JSON", r->name);
		cJSON_Delete(any);
		return -1;
	}
	r->pos++;
	if (!(*root = cJSON_CreateObject())) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (rd_peek(r) == '}') {
		r->pos++;
		goto end;
	}
	for (;;) {
		if (rd_peek(r) != '"' || !(key = rd_value(r)) || !cJSON_IsString(key) ||
		    rd_peek(r) != ':')
			goto bad;
		r->pos++;
		if ((c = rd_peek(r)) < 0)
			goto bad;
		if (strcmp(key->valuestring, "targets") == 0 && c == '[' && !seen_targets) {
			seen_targets = 1;
			if (read_targets(r, st, err) < 0)
				goto fail;
		} else {
			if (!(val = rd_value(r)))
				goto bad;
			/* a second "targets" after the array is not read */
			if (!seen_targets || strcmp(key->valuestring, "targets") != 0)
				cJSON_AddItemToObject(*root, key->valuestring, val);
			else
				cJSON_Delete(val);
			val = NULL;
		}
		cJSON_Delete(key);
		key = NULL;
		c = rd_peek(r);
		r->pos += c >= 0;
		if (c == ',')
			continue;
		if (c == '}')
			break;
		goto bad;
	}
end:
	if (rd_peek(r) < 0 && !r->read_errno)
		return 0;
bad:
	base_error_set(err, "%s: not valid JSON", r->name);
fail:
	if (r->read_errno)
		base_error_set(err, "%s: read: %s", r->name, strerror(r->read_errno));
	cJSON_Delete(key);
	cJSON_Delete(val);
	cJSON_Delete(*root);
	*root = NULL;
	return -1;
}

/* "shard": {"index", "count", "config_digest"}, written by a sharded run. */
static int parse_shard(const cJSON *root, struct status_shard_info *sh, const char *name,
                       struct base_error *err)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "shard");
	long long index, count;

	if (!o || cJSON_IsNull(o))
		return 0;
	if (!cJSON_IsObject(o)) {
		base_error_set(err, "%s: shard: want an object", name);
		return -1;
	}
	if (status_get_int(o, "index", &index, -1, name, "shard", err) < 0 ||
	    status_get_int(o, "count", &count, -1, name, "shard", err) < 0 ||
	    status_get_str(o, "config_digest", &sh->config_digest, name, "shard", err) < 0)
		return -1;
	if (count < 1 || count > 1000000 || index < 0 || index >= count) {
		base_error_set(err,
		               "%s: shard: want 0 <= index < count, got index %lld, count %lld",
		               name, index, count);
		return -1;
	}
	sh->index = (unsigned)index;
	sh->count = (unsigned)count;
	return 0;
}

/* The rest of the document (root) and the check of the targets read. */
static int parse_rest(cJSON *root, struct status_status *st, const char *name,
                      const struct status_share *share, struct base_error *err)
{
	const cJSON *run, *targets, *e;
	long long schema;
	size_t cap = st->n_targets;

	if (status_get_int(root, "schema", &schema, -1, name, "$", err) < 0)
		return -1;
	/* 2: the header of a split status (status_split.c), never without its parts */
	if (schema != 1 && !(schema == 2 && cJSON_GetObjectItemCaseSensitive(root, "parts"))) {
		if (schema == 2)
			base_error_set(
			    err,
			    "%s: schema: 2 is a split status's header, which names its \"parts\"",
			    name);
		else
			base_error_set(err, "%s: schema: want 1, got %lld", name, schema);
		return -1;
	}
	st->schema = 1;
	e = cJSON_GetObjectItemCaseSensitive(root, "parts");
	if (cJSON_IsString(e) && !(st->parts = strdup(e->valuestring))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (status_get_str(root, "config", &st->config, name, "$", err) < 0 ||
	    parse_shard(root, &st->shard, name, err) < 0)
		return -1;
	run = cJSON_GetObjectItemCaseSensitive(root, "last_run");
	if (run && !cJSON_IsNull(run)) {
		if (!cJSON_IsObject(run)) {
			base_error_set(err, "%s: last_run: want an object", name);
			return -1;
		}
		if (status_get_str(run, "started", &st->last_run.started, name, "last_run", err) <
		        0 ||
		    status_get_str(run, "finished", &st->last_run.finished, name, "last_run", err) <
		        0 ||
		    status_get_int32(run, "published", &st->last_run.published, name, "last_run",
		                     err) < 0 ||
		    status_get_int32(run, "unchanged", &st->last_run.unchanged, name, "last_run",
		                     err) < 0 ||
		    status_get_int32(run, "incomplete", &st->last_run.incomplete, name, "last_run",
		                     err) < 0 ||
		    status_get_int32(run, "failed", &st->last_run.failed, name, "last_run", err) <
		        0 ||
		    status_get_int32(run, "held", &st->last_run.held, name, "last_run", err) < 0 ||
		    status_get_str(run, "last_success", &st->last_success, name, "last_run", err) <
		        0)
			return -1;
	}
	/* "targets" that is not an array stayed in root */
	targets = cJSON_GetObjectItemCaseSensitive(root, "targets");
	if (targets && !cJSON_IsNull(targets)) {
		if (!cJSON_IsArray(targets)) {
			base_error_set(err, "%s: targets: want an array", name);
			return -1;
		}
		cJSON_ArrayForEach(e, targets)
		{
			if (add_target(st, &cap, e, name, share, err) < 0)
				return -1;
		}
	}
	if (status_copies_parse(root, st, name, err) < 0)
		return -1;
	status_sort(st);
	for (size_t i = 1; i < st->n_targets; i++) {
		if (strcmp(st->targets[i - 1].target, st->targets[i].target) == 0) {
			base_error_set(err, "%s: targets: \"%s\" appears twice", name,
			               st->targets[i].target);
			return -1;
		}
	}
	return 0;
}

static int parse_reader(struct reader *r, struct status_status **out, struct base_error *err)
{
	struct status_status *st = calloc(1, sizeof(*st));
	cJSON *root = NULL;
	int rc = -1;

	*out = NULL;
	if (!st) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (read_doc(r, &root, st, err) < 0 || parse_rest(root, st, r->name, r->share, err) < 0)
		goto out;
	*out = st;
	st = NULL;
	rc = 0;
out:
	status_free(st);
	cJSON_Delete(root);
	return rc;
}

int status_parse_sharing(const char *name, const char *data, size_t len,
                         const struct status_share *share, struct status_status **out,
                         struct base_error *err)
{
	struct reader r = {.fd = -1,
	                   .mem = data ? data : "",
	                   .len = data ? len : 0,
	                   .eof = 1,
	                   .name = name,
	                   .share = share};

	return parse_reader(&r, out, err);
}

int status_parse(const char *name, const char *data, size_t len, struct status_status **out,
                 struct base_error *err)
{
	return status_parse_sharing(name, data, len, NULL, out, err);
}

int status_load(const char *path, struct status_status **out, struct base_error *err)
{
	return status_load_sharing(path, NULL, out, err);
}

int status_load_sharing(const char *path, const struct status_share *share,
                        struct status_status **out, struct base_error *err)
{
	struct reader r = {.fd = -1, .name = path, .share = share};
	struct stat sb;
	int rc = -1;

	*out = NULL;
	r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0) {
		if (errno == ENOENT) {
			*out = calloc(1, sizeof(**out));
			if (!*out) {
				base_error_set(err, "out of memory");
				return -1;
			}
			(*out)->schema = 1;
			return 0;
		}
		base_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(r.fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		base_error_set(err, "%s: not a regular file", path);
		goto out;
	}
	if ((unsigned long long)sb.st_size > STATUS_MAX) {
		base_error_set(err, "%s: larger than %u bytes", path, STATUS_MAX);
		goto out;
	}
	/* Read a window at a time, target by target. */
	rc = parse_reader(&r, out, err);
out:
	free(r.buf);
	close(r.fd);
	return rc;
}

/* ---- records handed over one at a time (status --since) ------------------ */

/* The value at pos handed over as text (pos after it), not parsed here:
 * the caller reads what it needs of it. */
static int each_target(struct reader *r, struct base_error *err)
{
	char path[64];
	size_t e, at;

	while ((e = value_end(rd_data(r), r->len, r->pos, r->fd < 0 || r->eof)) <= r->pos) {
		if (rd_more(r) < 0) {
			base_error_set(err, "%s: not valid JSON", r->name);
			return -1;
		}
	}
	at = r->pos;
	r->pos = e;
	snprintf(path, sizeof(path), "targets[%zu]", r->n_each++);
	return r->each(r->each_ctx, rd_data(r) + at, e - at, r->name, path, err);
}

int status_parse_each(const char *name, const char *data, size_t len,
                      ssize_t (*src)(void *ctx, char *buf, size_t n), void *src_ctx,
                      status_each_fn each, void *each_ctx, struct status_status **out,
                      struct base_error *err)
{
	struct reader r = {.fd = -1, .name = name, .each = each, .each_ctx = each_ctx};
	int rc;

	if (!src) {
		r.mem = data ? data : "";
		r.len = data ? len : 0;
		r.eof = 1;
		return parse_reader(&r, out, err);
	}
	/* a window at a time, as status_load reads a file: fd is not -1 (the
	 * text is not in memory) but never read, src is */
	r.fd = 0;
	r.src = src;
	r.src_ctx = src_ctx;
	rc = parse_reader(&r, out, err);
	free(r.buf);
	return rc;
}

size_t status_json_value_end(const char *d, size_t len, size_t i)
{
	return value_end(d, len, i, 1);
}
