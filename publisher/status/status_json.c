/* status_json.c — the JSON the status file's records are written and read
 * with, below the document, its reader and its copy records: the
 * deterministic writer (2-space indent, one member a line, keys in the order
 * written) and the typed member readers whose errors name the file and the
 * JSON path. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "status_internal.h"

/* ---- writing ------------------------------------------------------------- */

void status_sb_indent(struct base_buf *b, int level)
{
	for (int i = 0; i < level; i++)
		base_buf_put(b, "  ", 2);
}

/* JSON string with RFC 8259 escapes; other bytes (UTF-8) pass through. */
void status_obj_key(struct status_obj *o, const char *key)
{
	base_buf_str(o->b, o->first ? "\n" : ",\n");
	o->first = 0;
	status_sb_indent(o->b, o->level);
	base_json_str(o->b, key, BASE_JSON_PLAIN);
	base_buf_put(o->b, ": ", 2);
}

void status_obj_str(struct status_obj *o, const char *key, const char *val)
{
	if (!val)
		return;
	status_obj_key(o, key);
	base_json_str(o->b, val, BASE_JSON_PLAIN);
}

void status_obj_int(struct status_obj *o, const char *key, long long val)
{
	status_obj_key(o, key);
	base_buf_fmt(o->b, "%lld", val);
}

void status_obj_close(struct status_obj *o)
{
	base_buf_str(o->b, "\n");
	status_sb_indent(o->b, o->level - 1);
	base_buf_str(o->b, "}");
}

/* ---- reading ------------------------------------------------------------- */

/* Optional string member: absent or null → NULL; another type is an error. */
int status_get_str(const cJSON *obj, const char *key, char **out, const char *name,
                   const char *path, struct base_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v)) {
		base_error_set(err, "%s: %s.%s: want a string", name, path, key);
		return -1;
	}
	*out = strdup(v->valuestring);
	if (!*out) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

int status_get_int(const cJSON *obj, const char *key, long long *out, long long dflt,
                   const char *name, const char *path, struct base_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = dflt;
	if (!v || cJSON_IsNull(v))
		return 0;
	/* Range first: converting a double outside long long's range (1e300,
	 * -1e300) to long long is undefined behaviour. */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 9007199254740992.0) ||
	    v->valuedouble != (double)(long long)v->valuedouble) {
		base_error_set(err, "%s: %s.%s: want a non-negative integer", name, path, key);
		return -1;
	}
	*out = (long long)v->valuedouble;
	return 0;
}

int status_get_int32(const cJSON *obj, const char *key, int *out, const char *name,
                     const char *path, struct base_error *err)
{
	long long v;
	if (status_get_int(obj, key, &v, 0, name, path, err) < 0)
		return -1;
	if (v > 2147483647LL) {
		base_error_set(err, "%s: %s.%s: %lld is too large", name, path, key, v);
		return -1;
	}
	*out = (int)v;
	return 0;
}
