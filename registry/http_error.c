/* http_error.c — what a registry's non-2xx answer says, as one error message:
 * its error body ({"errors":[{"code","message"}]}) when it sent one, else
 * distribution's code and text for the status; and the BASE_E* it maps to. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reg_internal.h"

/* Reason text for statuses whose answer carries no body (HEAD). Codes follow
 * distribution's errcode names. */
static void status_default(long status, const char *op, const char **code, const char **msg)
{
	*code = "";
	*msg = "";
	switch (status) {
	case 401:
		*code = "UNAUTHORIZED";
		*msg = "authentication required";
		break;
	case 403:
		*code = "DENIED";
		*msg = "requested access to the resource is denied";
		break;
	case 404:
		if (op && strstr(op, "blob")) {
			*code = "BLOB_UNKNOWN";
			*msg = "blob unknown to registry";
		} else if (op && strstr(op, "manifest")) {
			*code = "MANIFEST_UNKNOWN";
			*msg = "manifest unknown";
		} else {
			*code = "NOT_FOUND";
			*msg = "not found";
		}
		break;
	case 405:
		*code = "UNSUPPORTED";
		*msg = "the operation is unsupported";
		break;
	case 429:
		*code = "TOOMANYREQUESTS";
		*msg = "too many requests";
		break;
	case 500:
		*msg = "Internal Server Error";
		break;
	case 502:
		*msg = "Bad Gateway";
		break;
	case 503:
		*msg = "Service Unavailable";
		break;
	case 504:
		*msg = "Gateway Timeout";
		break;
	default:
		break;
	}
}

int reg_error_body_parse(const uint8_t *data, size_t len, char *code, size_t code_n, char *msg,
                         size_t msg_n)
{
	cJSON *doc, *errors, *first, *v;
	int rc = -1;
	if (!data || len == 0)
		return -1;
	doc = cJSON_ParseWithLength((const char *)data, len);
	if (!doc)
		return -1;
	errors = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	first = cJSON_IsArray(errors) ? cJSON_GetArrayItem(errors, 0) : NULL;
	if (cJSON_IsObject(first)) {
		v = cJSON_GetObjectItemCaseSensitive(first, "code");
		snprintf(code, code_n, "%s", cJSON_IsString(v) ? v->valuestring : "");
		v = cJSON_GetObjectItemCaseSensitive(first, "message");
		snprintf(msg, msg_n, "%s", cJSON_IsString(v) ? v->valuestring : "");
		rc = code[0] || msg[0] ? 0 : -1;
	}
	cJSON_Delete(doc);
	return rc;
}

/* Go's HTTPS servers (distribution among them) answer a plain HTTP request
 * with a bare HTTP/1.0 400 "Client sent an HTTP request to an HTTPS server". */
static int tls_server_said_no(const struct reg_request *rq, const struct reg_response *rs)
{
	static const char said[] = "HTTP request to an HTTPS server";
	if (rs->status != 400 || strncmp(rq->url, "http://", 7) != 0)
		return 0;
	if (rs->body.len && memmem(rs->body.data, rs->body.len, said, sizeof(said) - 1))
		return 1;
	return rs->http10 && rq->method == REG_M_HEAD;
}

int reg_status_error(const struct reg_request *rq, const struct reg_response *rs,
                     struct base_error *err)
{
	char code[64] = "", msg[512] = "";
	const char *dcode, *dmsg;

	if (tls_server_said_no(rq, rs)) {
		base_error_set(err,
		               "%s: %s: 400: %s speaks HTTPS but was sent plain HTTP (loopback "
		               "registries are plain HTTP unless --tls or --ca-file is given, or "
		               "registries: gives it tls: true or a ca-file)",
		               rq->what, rq->op, rq->registry ? rq->registry : "the server");
		err->http_status = 400;
		return BASE_EFAIL;
	}

	status_default(rs->status, rq->op, &dcode, &dmsg);
	if (reg_error_body_parse(rs->body.data, rs->body.len, code, sizeof(code), msg,
	                         sizeof(msg)) < 0) {
		snprintf(code, sizeof(code), "%s", dcode);
		snprintf(msg, sizeof(msg), "%s", dmsg);
	}
	for (char *p = msg; *p; p++) /* one line, whatever the registry sent */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (code[0] && msg[0])
		base_error_set(err, "%s: %s: %ld %s (%s)", rq->what, rq->op, rs->status, code, msg);
	else if (code[0] || msg[0])
		base_error_set(err, "%s: %s: %ld %s", rq->what, rq->op, rs->status,
		               code[0] ? code : msg);
	else
		base_error_set(err, "%s: %s: HTTP %ld", rq->what, rq->op, rs->status);
	err->http_status = (int)rs->status;
	snprintf(err->code, sizeof(err->code), "%s", code);
	if (rs->status == 404)
		return BASE_ENOTFOUND;
	if (rs->status == 405 || strcmp(code, "UNSUPPORTED") == 0)
		return BASE_EUNSUPPORTED;
	return BASE_EFAIL;
}

/* One line of printable text from b (at most n - 1 bytes). */
static void text_line(const uint8_t *b, size_t len, char *buf, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < n; i++)
		buf[o++] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : ' ';
	while (o && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
}

/* First string among keys in doc, or NULL. */
static const char *json_first_string(cJSON *doc, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, keys[i]);
		if (cJSON_IsString(v) && v->valuestring[0])
			return v->valuestring;
	}
	return NULL;
}

void reg_token_error_text(const uint8_t *data, size_t len, char *buf, size_t n)
{
	static const char *const keys[] = {"error_description", "details", "message", "error",
	                                   NULL};
	char code[64] = "", msg[256] = "";
	const char *s;
	cJSON *doc;

	buf[0] = '\0';
	if (!data || !len)
		return;
	if (reg_error_body_parse(data, len, code, sizeof(code), msg, sizeof(msg)) == 0) {
		snprintf(buf, n, "%s%s%s", code, code[0] && msg[0] ? ": " : "", msg);
		text_line((const uint8_t *)buf, strlen(buf), buf, n);
		return;
	}
	doc = cJSON_ParseWithLength((const char *)data, len);
	s = cJSON_IsObject(doc) ? json_first_string(doc, keys) : NULL;
	if (s)
		text_line((const uint8_t *)s, strlen(s), buf, n < 256 ? n : 256);
	else if (!doc)
		text_line(data, len < 200 ? len : 200, buf, n);
	cJSON_Delete(doc);
}

int reg_token_answer_check(const uint8_t *data, size_t len, char *why, size_t n)
{
	cJSON *doc = cJSON_ParseWithLength((const char *)data, len);
	int rc = -1;

	if (!doc)
		snprintf(why, n, "answer is not JSON");
	else if (!cJSON_IsObject(doc))
		snprintf(why, n, "answer is JSON but not an object");
	else if (!json_first_string(doc, (const char *const[]){"token", "access_token", NULL}))
		snprintf(why, n, "answer has no token (neither \"token\" nor \"access_token\")");
	else
		rc = 0;
	cJSON_Delete(doc);
	return rc;
}
