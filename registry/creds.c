/* creds.c — where registry credentials come from: REGISTRY_AUTH_FILE (or
 * --authfile), docker's config.json (`auths`, `credHelpers`, `credsStore`),
 * podman's and skopeo's auth.json, and docker credential helpers run as
 * `docker-credential-<name> get`; and which files were looked in. Secrets are wiped
 * when freed and never copied into error messages. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "reg_internal.h"

#define CONFIG_FILE_CAP   (4u * 1024u * 1024u)
#define HELPER_OUTPUT_CAP (64u * 1024u)
#define DOCKER_HUB_SERVER "https://index.docker.io/v1/"

static void wipe_free(char *p)
{
	if (p) {
		explicit_bzero(p, strlen(p));
		free(p);
	}
}

void reg_creds_clear(struct reg_creds *c)
{
	if (!c)
		return;
	wipe_free(c->username);
	wipe_free(c->password);
	c->username = c->password = NULL;
}

/* ---- base64 ---------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *reg_base64_encode(const uint8_t *data, size_t len)
{
	size_t n = 4 * ((len + 2) / 3) + 1, o = 0;
	char *out = malloc(n);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static int b64_value(char ch)
{
	const char *p = ch ? strchr(b64, ch) : NULL;
	return p ? (int)(p - b64) : -1;
}

char *reg_base64_decode(const char *text, size_t *len_out)
{
	size_t n = strlen(text), o = 0;
	uint32_t acc = 0;
	int bits = 0;
	char *out = malloc(n / 4 * 3 + 4);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '=') {
			for (size_t j = i; j < n; j++)
				if (text[j] != '=')
					goto bad;
			break;
		}
		int v = b64_value(text[i]);
		if (v < 0)
			goto bad;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (len_out)
		*len_out = o;
	return out;
bad:
	explicit_bzero(out, n / 4 * 3 + 4);
	free(out);
	return NULL;
}

/* ---- matching config keys to a registry ------------------------------ */

/* Keys are "host[:port]", "https://host/v1/", "http://host" ...: compare the
 * host part. Docker Hub has several spellings. */
int reg_creds_key_matches(const char *key, const char *registry)
{
	const char *k = key;
	size_t klen;
	if (strncmp(k, "https://", 8) == 0)
		k += 8;
	else if (strncmp(k, "http://", 7) == 0)
		k += 7;
	klen = strcspn(k, "/");
	if (strlen(registry) == klen && strncmp(k, registry, klen) == 0)
		return 1;
	if (strcmp(registry, "docker.io") == 0) {
		static const char *const hub[] = {"index.docker.io", "registry-1.docker.io",
		                                  "docker.io"};
		for (size_t i = 0; i < sizeof(hub) / sizeof(hub[0]); i++)
			if (strlen(hub[i]) == klen && strncmp(k, hub[i], klen) == 0)
				return 1;
	}
	return 0;
}

static cJSON *find_entry(cJSON *obj, const char *registry)
{
	cJSON *it;
	if (!cJSON_IsObject(obj))
		return NULL;
	/* Exact key first, then any spelling that names the same host. */
	it = cJSON_GetObjectItemCaseSensitive(obj, registry);
	if (it)
		return it;
	cJSON_ArrayForEach(it, obj) if (it->string &&
	                                reg_creds_key_matches(it->string, registry)) return it;
	return NULL;
}

static int creds_from_auth_entry(cJSON *e, struct reg_creds *out)
{
	cJSON *auth = cJSON_GetObjectItemCaseSensitive(e, "auth");
	cJSON *user = cJSON_GetObjectItemCaseSensitive(e, "username");
	cJSON *pass = cJSON_GetObjectItemCaseSensitive(e, "password");

	if (cJSON_IsString(auth) && auth->valuestring[0]) {
		size_t len = 0;
		char *plain = reg_base64_decode(auth->valuestring, &len), *colon;
		if (!plain)
			return -1;
		colon = memchr(plain, ':', len);
		if (!colon || strlen(plain) != len) {
			wipe_free(plain);
			return -1;
		}
		*colon = '\0';
		out->username = strdup(plain);
		out->password = strdup(colon + 1);
		*colon = ':';
		wipe_free(plain);
		return out->username && out->password ? 1 : -1;
	}
	if (cJSON_IsString(user) && user->valuestring[0] && cJSON_IsString(pass)) {
		out->username = strdup(user->valuestring);
		out->password = strdup(pass->valuestring);
		return out->username && out->password ? 1 : -1;
	}
	return 0;
}

int reg_creds_from_json(const uint8_t *data, size_t len, const char *registry,
                        struct reg_creds *out, char **helper_out, struct base_error *err)
{
	cJSON *doc, *e;
	int rc = 0;

	out->username = out->password = NULL; /* source and looked are the lookup's */
	*helper_out = NULL;
	doc = cJSON_ParseWithLength((const char *)data, len);
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		base_error_set(err, "not a JSON object");
		return BASE_EFAIL;
	}
	/* docker: a credHelpers entry for the host wins over everything. */
	e = find_entry(cJSON_GetObjectItemCaseSensitive(doc, "credHelpers"), registry);
	if (cJSON_IsString(e) && e->valuestring[0]) {
		*helper_out = strdup(e->valuestring);
		goto out;
	}
	e = find_entry(cJSON_GetObjectItemCaseSensitive(doc, "auths"), registry);
	if (e) {
		rc = creds_from_auth_entry(e, out);
		if (rc < 0) {
			reg_creds_clear(out);
			base_error_set(
			    err, "auths entry for %s: \"auth\" is not base64 of user:password",
			    registry);
			rc = BASE_EFAIL;
			goto out;
		}
		if (rc == 1)
			goto out;
	}
	e = cJSON_GetObjectItemCaseSensitive(doc, "credsStore");
	if (cJSON_IsString(e) && e->valuestring[0])
		*helper_out = strdup(e->valuestring);
out:
	cJSON_Delete(doc);
	return rc;
}

/* ---- credential helpers ---------------------------------------------- */

static int valid_helper_name(const char *name)
{
	if (!*name || strlen(name) > 64)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/* A helper's answer to "get": {"Username": ..., "Secret": ...}. 1 with out
 * filled, -1 when the answer is not that, -2 when out of memory. */
UNITTEST int reg_creds_helper_answer_parse(const char *buf, size_t len, struct reg_creds *out)
{
	cJSON *doc = cJSON_ParseWithLength(buf, len);
	cJSON *u = cJSON_GetObjectItemCaseSensitive(doc, "Username");
	cJSON *sec = cJSON_GetObjectItemCaseSensitive(doc, "Secret");
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsString(u) || !cJSON_IsString(sec))
		goto out;
	out->username = strdup(u->valuestring);
	out->password = strdup(sec->valuestring);
	rc = 1;
	if (!out->username || !out->password) {
		reg_creds_clear(out);
		rc = -2;
	}
out:
	/* The parsed tree holds the secret too. */
	if (cJSON_IsString(sec))
		explicit_bzero(sec->valuestring, strlen(sec->valuestring));
	cJSON_Delete(doc);
	return rc;
}

int reg_creds_from_helper(const char *helper, const char *registry, struct reg_creds *out,
                          struct base_error *err)
{
	char prog[96], server[300];
	int in[2] = {-1, -1}, outp[2] = {-1, -1}, status = 0, rc = BASE_EFAIL;
	pid_t pid;
	char *buf = NULL;
	size_t len = 0;
	sigset_t pipe_set, old_set;

	out->username = out->password = NULL;
	if (!valid_helper_name(helper)) {
		base_error_set(err, "credential helper name \"%s\" is not valid", helper);
		return BASE_EFAIL;
	}
	snprintf(prog, sizeof(prog), "docker-credential-%s", helper);
	snprintf(server, sizeof(server), "%s",
	         strcmp(registry, "docker.io") == 0 ? DOCKER_HUB_SERVER : registry);
	buf = malloc(HELPER_OUTPUT_CAP + 1);
	if (!buf || pipe2(in, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		base_error_set(err, "%s: %s", prog, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		base_error_set(err, "%s: fork: %s", prog, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* Child: only async-signal-safe calls until exec. */
		int devnull = open("/dev/null", O_WRONLY);
		if (dup2(in[0], 0) < 0 || dup2(outp[1], 1) < 0)
			_exit(127);
		if (devnull >= 0)
			dup2(devnull, 2);
		execlp(prog, prog, "get", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	in[0] = -1;
	close(outp[1]);
	outp[1] = -1;

	/* A helper that exits without reading stdin must not SIGPIPE us. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	ssize_t w = write(in[1], server, strlen(server));
	if (w < 0 && errno == EPIPE) {
		struct timespec zero = {0, 0};
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	close(in[1]);
	in[1] = -1;

	for (;;) {
		ssize_t r = read(outp[0], buf + len, HELPER_OUTPUT_CAP - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == HELPER_OUTPUT_CAP)
			break;
	}
	buf[len] = '\0';
	close(outp[0]);
	outp[0] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* The helper protocol's way of saying "nothing stored". */
		if (strstr(buf, "credentials not found")) {
			rc = 0;
			goto out;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			base_error_set(err, "credential helper %s not found or not executable",
			               prog);
		else
			base_error_set(err, "credential helper %s failed for %s", prog, registry);
		goto out;
	}
	rc = reg_creds_helper_answer_parse(buf, len, out);
	if (rc == -1)
		base_error_set(err, "credential helper %s: answer for %s is not {Username, Secret}",
		               prog, registry);
	else if (rc < 0)
		base_error_set(err, "out of memory");
	rc = rc < 0 ? BASE_EFAIL : rc;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (outp[i] >= 0)
			close(outp[i]);
	}
	if (buf) {
		explicit_bzero(buf, HELPER_OUTPUT_CAP + 1);
		free(buf);
	}
	return rc;
}

/* ---- the lookup ------------------------------------------------------ */

int reg_creds_file_read(const char *path, uint8_t **data, size_t *len, struct base_error *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	*data = NULL;
	*len = 0;
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		base_error_set(err, "%s: %s", path, strerror(errno));
		return BASE_EFAIL;
	}
	if (fstat(fileno(f), &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size > CONFIG_FILE_CAP) {
		fclose(f);
		base_error_set(err, "%s: not a readable file under %u bytes", path,
		               CONFIG_FILE_CAP);
		return BASE_EFAIL;
	}
	*data = malloc((size_t)st.st_size + 1);
	if (!*data) {
		fclose(f);
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	*len = fread(*data, 1, (size_t)st.st_size, f);
	fclose(f);
	return 1;
}

static void looked_add(struct reg_creds *out, const char *path)
{
	size_t len = strlen(out->looked);
	snprintf(out->looked + len, sizeof(out->looked) - len, "%s%s", len ? ", " : "", path);
}

/* One file: 1 found (out->source set), 0 not there or no entry, negative
 * on error. Helpers named in the file are asked only when `helpers`. */
static int lookup_in(const char *path, const char *registry, int helpers, struct reg_creds *out,
                     struct base_error *err)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char *helper = NULL;
	int rc;

	looked_add(out, path);
	rc = reg_creds_file_read(path, &data, &len, err);
	if (rc <= 0)
		return rc;
	rc = reg_creds_from_json(data, len, registry, out, &helper, err);
	if (data) {
		explicit_bzero(data, len);
		free(data);
	}
	if (rc < 0) {
		base_error_wrap(err, "%s", path);
		return rc;
	}
	if (rc == 1)
		snprintf(out->source, sizeof(out->source), "%s", path);
	if (rc == 0 && helper && helpers) {
		rc = reg_creds_from_helper(helper, registry, out, err);
		if (rc == 1)
			snprintf(out->source, sizeof(out->source),
			         "credential helper docker-credential-%s (named in %s)", helper,
			         path);
	}
	free(helper);
	return rc;
}

int reg_auth_file_check(const char *auth_file, const char *from, struct base_error *err)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *why;
	struct stat st;

	if (!auth_file || !*auth_file) {
		auth_file = env;
		from = "REGISTRY_AUTH_FILE";
	}
	if (!auth_file || !*auth_file)
		return 0;
	if (stat(auth_file, &st) < 0)
		why = errno == ENOENT || errno == ENOTDIR ? "does not exist" : strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = "is a directory";
	else
		return 0;
	if (from)
		base_error_set(err, "auth file %s (from %s): %s", auth_file, from, why);
	else
		base_error_set(err, "auth file %s: %s", auth_file, why);
	return BASE_EFAIL;
}

/* The files after the auth file, in the order they are read: docker's
 * config, then podman's and skopeo's defaults. n of them in paths. */
static size_t default_paths(const char *docker_config, char paths[3][4096])
{
	const char *env;
	size_t n = 0;

	if (docker_config)
		snprintf(paths[n++], 4096, "%s", docker_config);
	else if ((env = getenv("DOCKER_CONFIG")) && *env)
		snprintf(paths[n++], 4096, "%s/config.json", env);
	else if ((env = getenv("HOME")) && *env)
		snprintf(paths[n++], 4096, "%s/.docker/config.json", env);
	if ((env = getenv("XDG_RUNTIME_DIR")) && *env)
		snprintf(paths[n++], 4096, "%s/containers/auth.json", env);
	if ((env = getenv("HOME")) && *env)
		snprintf(paths[n++], 4096, "%s/.config/containers/auth.json", env);
	return n;
}

int reg_creds_lookup(const char *auth_file, const char *docker_config, const char *registry,
                     struct reg_creds *out, struct base_error *err)
{
	char paths[3][4096];
	const char *env;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!auth_file) {
		env = getenv("REGISTRY_AUTH_FILE");
		auth_file = env && *env ? env : NULL;
	}
	if (auth_file) {
		if (reg_auth_file_check(auth_file, NULL, err) < 0)
			return BASE_EFAIL;
		rc = lookup_in(auth_file, registry, 0, out, err);
		if (rc != 0)
			return rc;
	}
	n = default_paths(docker_config, paths);
	for (size_t i = 0; i < n; i++) {
		rc = lookup_in(paths[i], registry, 1, out, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}
