/* login.c — `manifold login` and `logout` as library functions: which file
 * holds the credentials, which registry a HOST names, and a login that
 * writes nothing until the registry has accepted the credentials. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

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
