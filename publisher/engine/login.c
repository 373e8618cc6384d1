/* login.c — `manifold login` and `logout` as library functions: which file
 * holds the credentials, which registry a HOST names, and a login that
 * writes nothing until the registry has accepted the credentials. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

int pub_login_path(const char *auth_file, char *buf, size_t n, struct base_error *err)
{
	if (auth_file && *auth_file) {
		snprintf(buf, n, "%s", auth_file);
		return 0;
	}
	if (reg_docker_config_path(buf, n) == 0)
		return 0;
	base_error_set(err, "neither DOCKER_CONFIG nor HOME is set: say where with --authfile");
	return -1;
}

int pub_login_registry(const char *host, char *buf, size_t n, struct base_error *err)
{
	const char *h = host;
	size_t len;
	char part[512];
	char *name;

	if (strncmp(h, "https://", 8) == 0)
		h += 8;
	else if (strncmp(h, "http://", 7) == 0)
		h += 7;
	len = strcspn(h, "/");
	if (len == 0 || len >= sizeof(part)) {
		base_error_set(err, "\"%s\" is not a registry host[:port]", host);
		return -1;
	}
	memcpy(part, h, len);
	part[len] = '\0';
	if (!(name = pub_registry_name(part))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	snprintf(buf, n, "%s", name);
	free(name);
	return 0;
}

int pub_login(const struct pub_global *g, const char *registry, const char *user,
              const char *password, const char *path, struct base_error *err)
{
	struct reg_client *c = NULL;
	struct reg_session *s = NULL;
	int rc = -1;

	/* reg_login_check sends these credentials alone: the credential files
	 * are not read. */
	if (pub_client_new(NULL, g, &c, err) < 0 || reg_session_new(c, &s, err) < 0)
		goto out;
	if (reg_login_check(s, registry, user, password, "--password-stdin", err) < 0)
		goto out;
	if (reg_creds_store(path, registry, user, password, err) < 0)
		goto out;
	rc = 0;
out:
	reg_session_free(s);
	reg_client_free(c);
	return rc;
}

int pub_auth_file_check(const char *auth_file, const char *from, struct base_error *err)
{
	return reg_auth_file_check(auth_file, from, err);
}

/* HOST as references carry it, and the file its credentials go to. */
static int login_target(const char *host, const struct pub_global *g, char *reg, size_t reg_n,
                        char *path, size_t path_n, struct base_error *err)
{
	if (pub_login_registry(host, reg, reg_n, err) < 0 ||
	    pub_login_path(g->auth_file, path, path_n, err) < 0)
		return -1;
	return 0;
}

int pub_login_run(const struct pub_login_options *o, struct pub_login_result *out,
                  struct base_error *err)
{
	char *password = NULL;
	int rc = BASE_EINPUT;

	if (login_target(o->host, &o->g, out->registry, sizeof(out->registry), out->path,
	                 sizeof(out->path), err) < 0)
		return rc;
	if (!o->username || !*o->username || !o->password_stdin) {
		base_error_set(err, "needs -u USER and --password-stdin (the password is read from "
		                    "stdin, never from the command line)");
		return rc;
	}
	if (!(password = o->read_password(o->ctx))) {
		base_error_set(err, "--password-stdin: no password on stdin");
		return rc;
	}
	rc = -1;
	if (pub_login(&o->g, out->registry, o->username, password, out->path, err) < 0)
		goto out;
	pub_log(PUB_LOG_INFO, "credentials for %s stored in %s", out->registry, out->path);
	rc = 0;
out:
	explicit_bzero(password, strlen(password));
	free(password);
	return rc;
}

int pub_logout_run(const struct pub_login_options *o, struct pub_login_result *out,
                   struct base_error *err)
{
	int removed = 0;

	if (login_target(o->host, &o->g, out->registry, sizeof(out->registry), out->path,
	                 sizeof(out->path), err) < 0)
		return BASE_EINPUT;
	if (reg_creds_erase(out->path, out->registry, &removed, err) < 0)
		return -1;
	if (!removed) {
		base_error_set(err, "not logged in to %s (%s has no entry for it)", out->registry,
		               out->path);
		return -1;
	}
	return 0;
}
