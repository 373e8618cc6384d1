/* login.c — what `manifold login` and `logout` need from the registry
 * library: credentials checked against a registry (GET /v2/ with them
 * alone), and a docker-style config.json's auths entry written or removed
 * as docker, skopeo and crane do (0600, other keys kept, atomic rename). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "reg_internal.h"

#define DOCKER_HUB_KEY "https://index.docker.io/v1/"

int reg_login_check(struct reg_session *s, const char *registry, const char *user,
                    const char *password, const char *source, struct base_error *err)
{
	struct reg_client *c = s->client;
	struct reg_host *h = reg_client_host(c, registry);
	struct reg_request rq = {0};
	struct reg_response rs;
	char base[512], url[600];
	int rc;

	if (!h) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	pthread_mutex_lock(&c->auth_lock);
	reg_creds_clear(&h->creds);
	h->creds.username = strdup(user);
	h->creds.password = strdup(password);
	snprintf(h->creds.source, sizeof(h->creds.source), "%s", source);
	h->creds_loaded = 1;
	rc = h->creds.username && h->creds.password ? 0 : -1;
	pthread_mutex_unlock(&c->auth_lock);
	if (rc < 0) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	reg_host_base_url(h, base, sizeof(base));
	snprintf(url, sizeof(url), "%s/v2/", base);
	rq.method = REG_M_GET;
	rq.registry = registry;
	rq.url = url;
	rq.scope = ""; /* docker login asks the token server for no scope */
	rq.what = registry;
	rq.op = "GET /v2/";
	rq.cap = 64u * 1024u;
	rc = reg_http_request(s, &rq, &rs, err);
	reg_response_free(&rs);
	return rc;
}

int reg_docker_config_path(char *buf, size_t n)
{
	const char *env = base_env("DOCKER_CONFIG");

	if (env && *env)
		snprintf(buf, n, "%s/config.json", env);
	else if ((env = base_env("HOME")) && *env)
		snprintf(buf, n, "%s/.docker/config.json", env);
	else
		return -1;
	return 0;
}

/* The file's document, or a new empty object when it does not exist. A
 * file that is not a JSON object is an error: it is not ours to replace. */
static cJSON *config_read(const char *path, struct base_error *err)
{
	uint8_t *data = NULL;
	size_t len = 0;
	cJSON *doc;
	int rc = reg_creds_file_read(path, &data, &len, err);

	if (rc < 0)
		return NULL;
	if (rc == 0 || len == 0) {
		free(data);
		return cJSON_CreateObject();
	}
	doc = cJSON_ParseWithLength((const char *)data, len);
	explicit_bzero(data, len);
	free(data);
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		base_error_set(err, "%s: not a JSON object; left as it is", path);
		return NULL;
	}
	return doc;
}

/* Temporary file in the same directory, 0600, fsync, rename; a linked
 * config.json (a mounted secret's file, a dotfiles checkout) keeps its
 * link and the file it points to is replaced, as docker does. */
static int config_write(const char *path, cJSON *doc, struct base_error *err)
{
	char real[4096], tmp[4200];
	char *text = cJSON_Print(doc);
	size_t len = text ? strlen(text) : 0;
	int fd = -1, rc = BASE_EFAIL, in_place;

	if (!text) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	/* 0700 for what is created: it holds credentials */
	if (base_file_make_parents(path, 0700, err) < 0)
		goto out;
	if (base_file_write_place(path, real, sizeof(real), &in_place, err) < 0)
		goto out;
	if (in_place) {
		base_error_set(err, "%s: not a regular file", path);
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", real);
	if ((fd = mkstemp(tmp)) < 0) {
		base_error_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) < 0 || write(fd, text, len) != (ssize_t)len ||
	    write(fd, "\n", 1) != 1 || fsync(fd) < 0 || close(fd) < 0) {
		base_error_set(err, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, real) < 0) {
		base_error_set(err, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = BASE_OK;
out:
	explicit_bzero(text, len);
	free(text);
	return rc;
}

/* The tree holds the secret too: wipe every "auth" string before it goes. */
static void config_free(cJSON *doc)
{
	cJSON *auths = cJSON_GetObjectItemCaseSensitive(doc, "auths"), *e;

	cJSON_ArrayForEach(e, auths)
	{
		cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "auth");
		if (cJSON_IsString(a))
			explicit_bzero(a->valuestring, strlen(a->valuestring));
	}
	cJSON_Delete(doc);
}

static cJSON *auth_entry(const char *user, const char *password)
{
	size_t n = strlen(user) + strlen(password) + 2;
	char *plain = malloc(n), *b64 = NULL;
	cJSON *e = NULL;

	if (!plain)
		return NULL;
	snprintf(plain, n, "%s:%s", user, password);
	b64 = reg_base64_encode((const uint8_t *)plain, n - 1);
	explicit_bzero(plain, n);
	free(plain);
	if (b64 && (e = cJSON_CreateObject()) && !cJSON_AddStringToObject(e, "auth", b64)) {
		cJSON_Delete(e);
		e = NULL;
	}
	if (b64) {
		explicit_bzero(b64, strlen(b64));
		free(b64);
	}
	return e;
}

int reg_creds_store(const char *path, const char *registry, const char *user, const char *password,
                    struct base_error *err)
{
	const char *key = strcmp(registry, "docker.io") == 0 ? DOCKER_HUB_KEY : registry;
	cJSON *doc = config_read(path, err), *auths, *e;
	int rc = BASE_EFAIL;

	if (!doc)
		return BASE_EFAIL;
	auths = cJSON_GetObjectItemCaseSensitive(doc, "auths");
	if (!auths)
		auths = cJSON_AddObjectToObject(doc, "auths");
	if (!cJSON_IsObject(auths)) {
		base_error_set(err, "%s: \"auths\" is not an object; left as it is", path);
		goto out;
	}
	if (!(e = auth_entry(user, password))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(auths, key))
		cJSON_ReplaceItemInObjectCaseSensitive(auths, key, e);
	else
		cJSON_AddItemToObject(auths, key, e);
	rc = config_write(path, doc, err);
out:
	config_free(doc);
	return rc;
}

int reg_creds_erase(const char *path, const char *registry, int *removed, struct base_error *err)
{
	cJSON *doc = config_read(path, err), *auths, *e, *next;
	int rc = BASE_OK;

	*removed = 0;
	if (!doc)
		return BASE_EFAIL;
	auths = cJSON_GetObjectItemCaseSensitive(doc, "auths");
	for (e = cJSON_IsObject(auths) ? auths->child : NULL; e; e = next) {
		next = e->next;
		if (e->string && reg_creds_key_matches(e->string, registry)) {
			cJSON *a = cJSON_DetachItemViaPointer(auths, e);
			cJSON *auth = cJSON_GetObjectItemCaseSensitive(a, "auth");
			if (cJSON_IsString(auth))
				explicit_bzero(auth->valuestring, strlen(auth->valuestring));
			cJSON_Delete(a);
			(*removed)++;
		}
	}
	if (*removed)
		rc = config_write(path, doc, err);
	config_free(doc);
	return rc;
}
