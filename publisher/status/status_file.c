/* status.c — the status file: deterministic serialisation (2-space indent,
 * fixed key order, targets sorted, so `git diff` of two nights shows exactly
 * what changed), parsing with errors that name the JSON path, and atomic
 * writes (temp file, fsync, rename). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"

#define STATUS_MAX (256u * 1024u * 1024u) /* cap on a status file we read */

/* ---- serialisation ------------------------------------------------------ */

static void sb_indent(struct pub_sb *b, int level)
{
	for (int i = 0; i < level; i++)
		pub_sb_put(b, "  ", 2);
}

/* JSON string with RFC 8259 escapes; other bytes (UTF-8) pass through. */
static void sb_json_str(struct pub_sb *b, const char *s)
{
	pub_sb_put(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			pub_sb_put(b, "\\\"", 2);
			break;
		case '\\':
			pub_sb_put(b, "\\\\", 2);
			break;
		case '\n':
			pub_sb_put(b, "\\n", 2);
			break;
		case '\r':
			pub_sb_put(b, "\\r", 2);
			break;
		case '\t':
			pub_sb_put(b, "\\t", 2);
			break;
		case '\b':
			pub_sb_put(b, "\\b", 2);
			break;
		case '\f':
			pub_sb_put(b, "\\f", 2);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				pub_sb_fmt(b, "\\u%04x", *p);
			else
				pub_sb_put(b, (const char *)p, 1);
		}
	}
	pub_sb_put(b, "\"", 1);
}

/* Members of one object: `first` tracks the comma. */
struct obj {
	struct pub_sb *b;
	int level;
	int first;
};

static void obj_key(struct obj *o, const char *key)
{
	pub_sb_str(o->b, o->first ? "\n" : ",\n");
	o->first = 0;
	sb_indent(o->b, o->level);
	sb_json_str(o->b, key);
	pub_sb_put(o->b, ": ", 2);
}

static void obj_str(struct obj *o, const char *key, const char *val)
{
	if (!val)
		return;
	obj_key(o, key);
	sb_json_str(o->b, val);
}

static void obj_int(struct obj *o, const char *key, long long val)
{
	obj_key(o, key);
	pub_sb_fmt(o->b, "%lld", val);
}

static void obj_close(struct obj *o)
{
	pub_sb_str(o->b, "\n");
	sb_indent(o->b, o->level - 1);
	pub_sb_str(o->b, "}");
}

static void serialize_platform(struct pub_sb *b, const struct pub_platform_status *p, int level)
{
	struct obj o = {b, level + 1, 1};
	pub_sb_str(b, "{");
	obj_str(&o, "platform", p->platform);
	obj_str(&o, "source", p->source);
	obj_str(&o, "state", pub_platform_state_str(p->state));
	obj_str(&o, "digest", p->digest);
	obj_str(&o, "media_type", p->media_type);
	if (p->size >= 0)
		obj_int(&o, "size", p->size);
	if (p->verified) {
		obj_key(&o, "verified");
		pub_sb_str(b, "true");
	}
	obj_str(&o, "reason", p->reason);
	obj_close(&o);
}

static void serialize_target(struct pub_sb *b, const struct pub_target_status *t, int level)
{
	struct obj o = {b, level + 1, 1};
	pub_sb_str(b, "{");
	obj_str(&o, "target", t->target);
	obj_str(&o, "state", pub_target_state_str(t->state));
	obj_str(&o, "digest", t->digest);
	obj_str(&o, "media_type", t->media_type);
	obj_str(&o, "since", t->since);
	obj_str(&o, "reason", t->reason);
	obj_key(&o, "platforms");
	if (t->n_platforms == 0) {
		pub_sb_str(b, "[]");
	} else {
		pub_sb_str(b, "[");
		for (size_t i = 0; i < t->n_platforms; i++) {
			pub_sb_str(b, i ? ",\n" : "\n");
			sb_indent(b, level + 2);
			serialize_platform(b, &t->platforms[i], level + 2);
		}
		pub_sb_str(b, "\n");
		sb_indent(b, level + 1);
		pub_sb_str(b, "]");
	}
	obj_close(&o);
}

static int target_cmp(const void *a, const void *b)
{
	const struct pub_target_status *x = a, *y = b;
	return strcmp(x->target ? x->target : "", y->target ? y->target : "");
}

char *pub_status_serialize(const struct pub_status *st)
{
	struct pub_sb b = {0};
	struct obj top = {&b, 1, 1}, run = {&b, 2, 1};
	const struct pub_target_status **order = NULL;

	/* Sort a view, not the caller's array: serialising must not mutate. */
	if (st->n_targets) {
		order = malloc(st->n_targets * sizeof(*order));
		if (!order)
			return NULL;
		for (size_t i = 0; i < st->n_targets; i++)
			order[i] = &st->targets[i];
		for (size_t i = 1; i < st->n_targets; i++) {
			const struct pub_target_status *v = order[i];
			size_t j = i;
			/* insertion sort: input is almost always sorted already */
			while (j > 0 && target_cmp(order[j - 1], v) > 0) {
				order[j] = order[j - 1];
				j--;
			}
			order[j] = v;
		}
	}
	pub_sb_str(&b, "{");
	obj_int(&top, "schema", st->schema ? st->schema : 1);
	obj_str(&top, "config", st->config);
	obj_key(&top, "last_run");
	pub_sb_str(&b, "{");
	obj_str(&run, "started", st->last_run.started);
	obj_str(&run, "finished", st->last_run.finished);
	obj_int(&run, "published", st->last_run.published);
	obj_int(&run, "unchanged", st->last_run.unchanged);
	obj_int(&run, "incomplete", st->last_run.incomplete);
	obj_int(&run, "failed", st->last_run.failed);
	obj_str(&run, "last_success", st->last_success);
	obj_close(&run);
	obj_key(&top, "targets");
	if (st->n_targets == 0) {
		pub_sb_str(&b, "[]");
	} else {
		pub_sb_str(&b, "[");
		for (size_t i = 0; i < st->n_targets; i++) {
			pub_sb_str(&b, i ? ",\n" : "\n");
			sb_indent(&b, 2);
			serialize_target(&b, order[i], 2);
		}
		pub_sb_str(&b, "\n  ]");
	}
	obj_close(&top);
	pub_sb_str(&b, "\n");
	free(order);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* ---- parsing ------------------------------------------------------------- */

/* Optional string member: absent or null → NULL; another type is an error. */
static int get_str(const cJSON *obj, const char *key, char **out, const char *name,
                   const char *path, struct reg_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v)) {
		reg_error_set(err, "%s: %s.%s: want a string", name, path, key);
		return -1;
	}
	*out = strdup(v->valuestring);
	if (!*out) {
		reg_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

static int get_int(const cJSON *obj, const char *key, long long *out, long long dflt,
                   const char *name, const char *path, struct reg_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = dflt;
	if (!v || cJSON_IsNull(v))
		return 0;
	/* Range first: converting a double outside long long's range (1e300,
	 * -1e300) to long long is undefined behaviour. */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 9007199254740992.0) ||
	    v->valuedouble != (double)(long long)v->valuedouble) {
		reg_error_set(err, "%s: %s.%s: want a non-negative integer", name, path, key);
		return -1;
	}
	*out = (long long)v->valuedouble;
	return 0;
}

static int get_int32(const cJSON *obj, const char *key, int *out, const char *name,
                     const char *path, struct reg_error *err)
{
	long long v;
	if (get_int(obj, key, &v, 0, name, path, err) < 0)
		return -1;
	if (v > 2147483647LL) {
		reg_error_set(err, "%s: %s.%s: %lld is too large", name, path, key, v);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_platform(const cJSON *j, struct pub_platform_status *p, const char *name,
                          const char *path, struct reg_error *err)
{
	char *state = NULL;
	const cJSON *ver;
	long long size;
	int rc = -1;

	p->size = -1;
	if (!cJSON_IsObject(j)) {
		reg_error_set(err, "%s: %s: want an object", name, path);
		return -1;
	}
	if (get_str(j, "platform", &p->platform, name, path, err) < 0 ||
	    get_str(j, "source", &p->source, name, path, err) < 0 ||
	    get_str(j, "state", &state, name, path, err) < 0 ||
	    get_str(j, "digest", &p->digest, name, path, err) < 0 ||
	    get_str(j, "media_type", &p->media_type, name, path, err) < 0 ||
	    get_str(j, "reason", &p->reason, name, path, err) < 0 ||
	    get_int(j, "size", &size, -1, name, path, err) < 0)
		goto out;
	p->size = size;
	if (!p->platform) {
		reg_error_set(err, "%s: %s.platform: missing", name, path);
		goto out;
	}
	if (!state || pub_platform_state_parse(state, &p->state) < 0) {
		reg_error_set(err, "%s: %s.state: \"%s\" is not a platform state", name, path,
		              state ? state : "");
		goto out;
	}
	ver = cJSON_GetObjectItemCaseSensitive(j, "verified");
	if (ver && !cJSON_IsBool(ver) && !cJSON_IsNull(ver)) {
		reg_error_set(err, "%s: %s.verified: want true or false", name, path);
		goto out;
	}
	p->verified = ver && cJSON_IsTrue(ver);
	rc = 0;
out:
	free(state);
	return rc;
}

static int parse_target(const cJSON *j, struct pub_target_status *t, const char *name,
                        const char *path, struct reg_error *err)
{
	char *state = NULL, sub[128];
	const cJSON *plats, *e;
	size_t n = 0;
	int rc = -1;

	if (!cJSON_IsObject(j)) {
		reg_error_set(err, "%s: %s: want an object", name, path);
		return -1;
	}
	if (get_str(j, "target", &t->target, name, path, err) < 0 ||
	    get_str(j, "state", &state, name, path, err) < 0 ||
	    get_str(j, "digest", &t->digest, name, path, err) < 0 ||
	    get_str(j, "media_type", &t->media_type, name, path, err) < 0 ||
	    get_str(j, "since", &t->since, name, path, err) < 0 ||
	    get_str(j, "reason", &t->reason, name, path, err) < 0)
		goto out;
	if (!t->target) {
		reg_error_set(err, "%s: %s.target: missing", name, path);
		goto out;
	}
	if (!state || pub_target_state_parse(state, &t->state) < 0) {
		reg_error_set(err, "%s: %s.state: \"%s\" is not a target state", name, path,
		              state ? state : "");
		goto out;
	}
	plats = cJSON_GetObjectItemCaseSensitive(j, "platforms");
	if (plats && !cJSON_IsNull(plats)) {
		if (!cJSON_IsArray(plats)) {
			reg_error_set(err, "%s: %s.platforms: want an array", name, path);
			goto out;
		}
		n = (size_t)cJSON_GetArraySize(plats);
	}
	if (n) {
		t->platforms = calloc(n, sizeof(*t->platforms));
		if (!t->platforms) {
			reg_error_set(err, "out of memory");
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

int pub_status_parse(const char *name, const char *data, size_t len, struct pub_status **out,
                     struct reg_error *err)
{
	struct pub_status *st = NULL;
	cJSON *root = NULL;
	const cJSON *run, *targets, *e;
	long long schema;
	char path[64];
	int rc = -1;

	*out = NULL;
	root = cJSON_ParseWithLength(data, len);
	if (!root) {
		reg_error_set(err, "%s: not valid JSON", name);
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		reg_error_set(err, "%s: want a JSON object", name);
		goto out;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		reg_error_set(err, "out of memory");
		goto out;
	}
	if (get_int(root, "schema", &schema, -1, name, "$", err) < 0)
		goto out;
	if (schema != 1) {
		reg_error_set(err, "%s: schema: want 1, got %lld", name, schema);
		goto out;
	}
	st->schema = 1;
	if (get_str(root, "config", &st->config, name, "$", err) < 0)
		goto out;
	run = cJSON_GetObjectItemCaseSensitive(root, "last_run");
	if (run && !cJSON_IsNull(run)) {
		if (!cJSON_IsObject(run)) {
			reg_error_set(err, "%s: last_run: want an object", name);
			goto out;
		}
		if (get_str(run, "started", &st->last_run.started, name, "last_run", err) < 0 ||
		    get_str(run, "finished", &st->last_run.finished, name, "last_run", err) < 0 ||
		    get_int32(run, "published", &st->last_run.published, name, "last_run", err) <
		        0 ||
		    get_int32(run, "unchanged", &st->last_run.unchanged, name, "last_run", err) <
		        0 ||
		    get_int32(run, "incomplete", &st->last_run.incomplete, name, "last_run", err) <
		        0 ||
		    get_int32(run, "failed", &st->last_run.failed, name, "last_run", err) < 0 ||
		    get_str(run, "last_success", &st->last_success, name, "last_run", err) < 0)
			goto out;
	}
	targets = cJSON_GetObjectItemCaseSensitive(root, "targets");
	if (targets && !cJSON_IsNull(targets)) {
		size_t n;
		if (!cJSON_IsArray(targets)) {
			reg_error_set(err, "%s: targets: want an array", name);
			goto out;
		}
		n = (size_t)cJSON_GetArraySize(targets);
		if (n) {
			st->targets = calloc(n, sizeof(*st->targets));
			if (!st->targets) {
				reg_error_set(err, "out of memory");
				goto out;
			}
		}
		cJSON_ArrayForEach(e, targets)
		{
			snprintf(path, sizeof(path), "targets[%zu]", st->n_targets);
			st->n_targets++;
			if (parse_target(e, &st->targets[st->n_targets - 1], name, path, err) < 0)
				goto out;
		}
	}
	pub_status_sort(st);
	for (size_t i = 1; i < st->n_targets; i++) {
		if (strcmp(st->targets[i - 1].target, st->targets[i].target) == 0) {
			reg_error_set(err, "%s: targets: \"%s\" appears twice", name,
			              st->targets[i].target);
			goto out;
		}
	}
	*out = st;
	st = NULL;
	rc = 0;
out:
	pub_status_free(st);
	cJSON_Delete(root);
	return rc;
}

int pub_status_load(const char *path, struct pub_status **out, struct reg_error *err)
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
				reg_error_set(err, "out of memory");
				return -1;
			}
			(*out)->schema = 1;
			return 0;
		}
		reg_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		reg_error_set(err, "%s: not a regular file", path);
		goto out;
	}
	if ((unsigned long long)sb.st_size > STATUS_MAX) {
		reg_error_set(err, "%s: larger than %u bytes", path, STATUS_MAX);
		goto out;
	}
	data = malloc((size_t)sb.st_size + 1);
	if (!data) {
		reg_error_set(err, "out of memory");
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, data + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			reg_error_set(err, "%s: read: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	rc = pub_status_parse(path, data, got, out, err);
out:
	free(data);
	close(fd);
	return rc;
}

int pub_status_make_parents(const char *path, struct reg_error *err)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf)) {
		reg_error_set(err, "%s: path too long", path);
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST) {
			reg_error_set(err, "%s: mkdir %s: %s", path, buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int pub_status_write(const char *path, const struct pub_status *st, struct reg_error *err)
{
	char tmp[4096], dirbuf[4096];
	char *text = NULL;
	size_t len, off = 0;
	int fd = -1, rc = -1;
	mode_t mode = 0644;
	struct stat sb;

	text = pub_status_serialize(st);
	if (!text) {
		reg_error_set(err, "%s: out of memory", path);
		return -1;
	}
	len = strlen(text);
	if (pub_status_make_parents(path, err) < 0)
		goto out;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp)) {
		reg_error_set(err, "%s: path too long", path);
		goto out;
	}
	/* Keep the mode of the file being replaced (it may be group-writable). */
	if (stat(path, &sb) == 0)
		mode = sb.st_mode & 07777;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		reg_error_set(err, "%s: create temporary file: %s", path, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) < 0) {
		reg_error_set(err, "%s: chmod: %s", tmp, strerror(errno));
		goto fail;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			reg_error_set(err, "%s: write: %s", tmp, strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		reg_error_set(err, "%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		reg_error_set(err, "%s: close: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		reg_error_set(err, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	/* Make the rename itself durable. */
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	{
		int dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
out:
	free(text);
	return rc;
}

/* ---- records ------------------------------------------------------------- */

static void platform_status_free(struct pub_platform_status *p)
{
	free(p->platform);
	free(p->source);
	free(p->digest);
	free(p->media_type);
	free(p->reason);
}

void pub_target_status_free(struct pub_target_status *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_platforms; i++)
		platform_status_free(&t->platforms[i]);
	free(t->platforms);
	free(t->target);
	free(t->digest);
	free(t->media_type);
	free(t->since);
	free(t->reason);
	memset(t, 0, sizeof(*t));
}

void pub_status_free(struct pub_status *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_targets; i++)
		pub_target_status_free(&st->targets[i]);
	free(st->targets);
	free(st->config);
	free(st->last_run.started);
	free(st->last_run.finished);
	free(st->last_success);
	free(st);
}

void pub_status_sort(struct pub_status *st)
{
	if (st && st->n_targets > 1)
		qsort(st->targets, st->n_targets, sizeof(*st->targets), target_cmp);
}

struct pub_target_status *pub_status_find(const struct pub_status *st, const char *target)
{
	struct pub_target_status key = {.target = (char *)target};
	if (!st || !target || st->n_targets == 0)
		return NULL;
	return bsearch(&key, st->targets, st->n_targets, sizeof(*st->targets), target_cmp);
}

int pub_target_status_copy(struct pub_target_status *dst, const struct pub_target_status *src)
{
	int fail = 0;

	memset(dst, 0, sizeof(*dst));
	dst->target = pub_dup_or_null(src->target, &fail);
	dst->state = src->state;
	dst->digest = pub_dup_or_null(src->digest, &fail);
	dst->media_type = pub_dup_or_null(src->media_type, &fail);
	dst->since = pub_dup_or_null(src->since, &fail);
	dst->reason = pub_dup_or_null(src->reason, &fail);
	if (src->n_platforms) {
		dst->platforms = calloc(src->n_platforms, sizeof(*dst->platforms));
		if (!dst->platforms)
			fail = 1;
	}
	for (size_t i = 0; dst->platforms && i < src->n_platforms; i++) {
		const struct pub_platform_status *s = &src->platforms[i];
		struct pub_platform_status *d = &dst->platforms[i];
		d->platform = pub_dup_or_null(s->platform, &fail);
		d->source = pub_dup_or_null(s->source, &fail);
		d->state = s->state;
		d->digest = pub_dup_or_null(s->digest, &fail);
		d->media_type = pub_dup_or_null(s->media_type, &fail);
		d->size = s->size;
		d->verified = s->verified;
		d->reason = pub_dup_or_null(s->reason, &fail);
		dst->n_platforms = i + 1;
	}
	if (fail) {
		pub_target_status_free(dst);
		return -1;
	}
	return 0;
}
