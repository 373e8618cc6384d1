/* status_parse.c — reading the status file: parsing with errors that name
 * the JSON path, one target's tree at a time (a night of many targets never
 * holds the whole document as a tree). */
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
			snprintf(sub, sizeof(sub), "%s.platforms[%zu]", path, t->n_platforms);
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

static size_t skip_ws(const char *d, size_t len, size_t i)
{
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
		i++;
	return i;
}

/* The end of the array starting at d[i] == '[' (after its ']'), or 0 when
 * it does not end; strings are skipped whole. Only brackets are checked
 * here: each element is parsed on its own later. */
static size_t skip_array(const char *d, size_t len, size_t i)
{
	int depth = 0;

	for (; i < len; i++) {
		if (d[i] == '"') {
			for (i++; i < len && d[i] != '"'; i++)
				if (d[i] == '\\')
					i++;
			if (i >= len)
				return 0;
		} else if (d[i] == '[' || d[i] == '{') {
			depth++;
		} else if (d[i] == ']' || d[i] == '}') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

/* The document as a cJSON object without its "targets" array, whose span
 * [*t0, *t1) is returned instead (both 0 when it has none, or when it is
 * not an array: then it is in the object like any member). So a status of
 * many targets is never one tree; each target is parsed on its own.
 * NULL when the text is not a JSON object (*not_object says which). */
static cJSON *parse_top(const char *d, size_t len, size_t *t0, size_t *t1, int *not_object)
{
	cJSON *root = NULL, *key = NULL, *val = NULL;
	const char *end;
	size_t i = skip_ws(d, len, 0);

	*t0 = *t1 = 0;
	*not_object = 0;
	if (i >= len || d[i] != '{') {
		/* not an object: let cJSON say whether it is JSON at all */
		cJSON *any = cJSON_ParseWithLength(d, len);
		*not_object = any != NULL;
		cJSON_Delete(any);
		return NULL;
	}
	if (!(root = cJSON_CreateObject()))
		return NULL;
	i = skip_ws(d, len, i + 1);
	if (i < len && d[i] == '}')
		goto end;
	for (;;) {
		key = cJSON_ParseWithLengthOpts(d + i, len - i, &end, 0);
		if (!key || !cJSON_IsString(key))
			goto bad;
		i = skip_ws(d, len, (size_t)(end - d));
		if (i >= len || d[i] != ':')
			goto bad;
		i = skip_ws(d, len, i + 1);
		if (strcmp(key->valuestring, "targets") == 0 && i < len && d[i] == '[' && !*t1) {
			*t0 = i;
			if (!(*t1 = skip_array(d, len, i)))
				goto bad;
			i = *t1;
		} else {
			val = cJSON_ParseWithLengthOpts(d + i, len - i, &end, 0);
			if (!val)
				goto bad;
			i = (size_t)(end - d);
			cJSON_AddItemToObject(root, key->valuestring, val);
			val = NULL;
		}
		cJSON_Delete(key);
		key = NULL;
		i = skip_ws(d, len, i);
		if (i < len && d[i] == ',') {
			i = skip_ws(d, len, i + 1);
			continue;
		}
		if (i < len && d[i] == '}')
			break;
		goto bad;
	}
end:
	if (skip_ws(d, len, i + 1) == len)
		return root;
bad:
	cJSON_Delete(key);
	cJSON_Delete(val);
	cJSON_Delete(root);
	*t0 = *t1 = 0;
	return NULL;
}

static int add_target(struct status_status *st, size_t *cap, const cJSON *e, const char *name,
                      struct base_error *err)
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
	return status_target_parse(e, &st->targets[st->n_targets - 1], name, path, err);
}

/* The elements of the targets array d[t0, t1), one tree at a time. */
static int parse_targets_span(struct status_status *st, const char *d, size_t t0, size_t t1,
                              const char *name, struct base_error *err)
{
	size_t cap = 0, i = skip_ws(d, t1, t0 + 1);

	if (i < t1 && d[i] == ']')
		return 0;
	for (;;) {
		const char *end;
		cJSON *e = cJSON_ParseWithLengthOpts(d + i, t1 - i, &end, 0);
		int rc;
		if (!e) {
			base_error_set(err, "%s: not valid JSON", name);
			return -1;
		}
		rc = add_target(st, &cap, e, name, err);
		cJSON_Delete(e);
		if (rc < 0)
			return -1;
		i = skip_ws(d, t1, (size_t)(end - d));
		if (i < t1 && d[i] == ',') {
			i = skip_ws(d, t1, i + 1);
			continue;
		}
		if (i < t1 && d[i] == ']')
			return 0;
		base_error_set(err, "%s: not valid JSON", name);
		return -1;
	}
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

int status_parse(const char *name, const char *data, size_t len, struct status_status **out,
                 struct base_error *err)
{
	struct status_status *st = NULL;
	cJSON *root = NULL;
	const cJSON *run, *targets, *e;
	long long schema;
	size_t t0, t1, cap = 0;
	int rc = -1, not_object;

	*out = NULL;
	root = parse_top(data, len, &t0, &t1, &not_object);
	if (!root) {
		base_error_set(err, not_object ? "%s: want a JSON object" : "%s: not valid JSON",
		               name);
		goto out;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (status_get_int(root, "schema", &schema, -1, name, "$", err) < 0)
		goto out;
	/* 2: the header of a split status (status_split.c), never without its parts */
	if (schema != 1 && !(schema == 2 && cJSON_GetObjectItemCaseSensitive(root, "parts"))) {
		if (schema == 2)
			base_error_set(err, "%s: schema: 2 is a split status's header, which names its \"parts\"",
			               name);
		else
			base_error_set(err, "%s: schema: want 1, got %lld", name, schema);
		goto out;
	}
	st->schema = 1;
	if (status_get_str(root, "config", &st->config, name, "$", err) < 0 ||
	    parse_shard(root, &st->shard, name, err) < 0)
		goto out;
	run = cJSON_GetObjectItemCaseSensitive(root, "last_run");
	if (run && !cJSON_IsNull(run)) {
		if (!cJSON_IsObject(run)) {
			base_error_set(err, "%s: last_run: want an object", name);
			goto out;
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
			goto out;
	}
	targets = cJSON_GetObjectItemCaseSensitive(root, "targets");
	if (t1) {
		if (parse_targets_span(st, data, t0, t1, name, err) < 0)
			goto out;
	} else if (targets && !cJSON_IsNull(targets)) {
		if (!cJSON_IsArray(targets)) {
			base_error_set(err, "%s: targets: want an array", name);
			goto out;
		}
		cJSON_ArrayForEach(e, targets)
		{
			if (add_target(st, &cap, e, name, err) < 0)
				goto out;
		}
	}
	if (status_copies_parse(root, st, name, err) < 0)
		goto out;
	status_sort(st);
	for (size_t i = 1; i < st->n_targets; i++) {
		if (strcmp(st->targets[i - 1].target, st->targets[i].target) == 0) {
			base_error_set(err, "%s: targets: \"%s\" appears twice", name,
			               st->targets[i].target);
			goto out;
		}
	}
	*out = st;
	st = NULL;
	rc = 0;
out:
	status_free(st);
	cJSON_Delete(root);
	return rc;
}

int status_load(const char *path, struct status_status **out, struct base_error *err)
{
	struct stat sb;
	char *data = NULL;
	size_t got = 0;
	int fd, rc = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
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
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		base_error_set(err, "%s: not a regular file", path);
		goto out;
	}
	if ((unsigned long long)sb.st_size > STATUS_MAX) {
		base_error_set(err, "%s: larger than %u bytes", path, STATUS_MAX);
		goto out;
	}
	data = malloc((size_t)sb.st_size + 1);
	if (!data) {
		base_error_set(err, "out of memory");
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, data + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			base_error_set(err, "%s: read: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	rc = status_parse(path, data, got, out, err);
out:
	free(data);
	close(fd);
	return rc;
}
