/* cmd_login.c — `manifold login HOST -u USER --password-stdin` and
 * `manifold logout HOST`: the auths entry of a docker config.json (or
 * --authfile), as docker, skopeo and crane keep it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define PASSWORD_MAX (64 * 1024)

/* stdin without its trailing newline; malloc'd (wipe and free), NULL on
 * an empty or unreadable stdin. */
static char *password_read(void)
{
	char *buf = malloc(PASSWORD_MAX + 1);
	size_t len = 0;
	ssize_t r;

	if (!buf)
		return NULL;
	while (len < PASSWORD_MAX && (r = read(STDIN_FILENO, buf + len, PASSWORD_MAX - len)) > 0)
		len += (size_t)r;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	if (len == 0 || strlen(buf) != len) {
		explicit_bzero(buf, PASSWORD_MAX + 1);
		free(buf);
		return NULL;
	}
	return buf;
}

/* HOST and the file: 0, or -1 after saying why (usage). */
static int login_target(const char *who, const struct cli_args *a, char *reg, size_t reg_n,
                        char *path, size_t path_n)
{
	struct base_error err;

	base_error_clear(&err);
	if (a->n_operands != 1) {
		cli_error(who, "needs HOST; see 'manifold %s --help'", who);
		return -1;
	}
	if (pub_login_registry(a->operands[0], reg, reg_n, &err) < 0 ||
	    pub_login_path(a->g.auth_file, path, path_n, &err) < 0) {
		cli_error(who, "%s", err.msg);
		return -1;
	}
	return 0;
}

static int cmd_login_main(const struct cli_program *prog, int argc, char **argv)
{
	char reg[512], path[4096];
	struct base_error err;
	struct cli_args a;
	char *password = NULL;
	int rc;

	(void)prog;
	if ((rc = cli_parse(&cli_cmd_login, argc, argv, &a)) != 0) {
		cli_args_free(&a);
		return rc > 0 ? PUB_EXIT_OK : PUB_EXIT_USAGE;
	}
	rc = PUB_EXIT_USAGE;
	if (login_target("login", &a, reg, sizeof(reg), path, sizeof(path)) < 0)
		goto out;
	if (!a.username || !*a.username || !a.password_stdin) {
		cli_error("login", "needs -u USER and --password-stdin (the password is read from "
		                   "stdin, never from the command line)");
		goto out;
	}
	if (!(password = password_read())) {
		cli_error("login", "--password-stdin: no password on stdin");
		goto out;
	}
	base_error_clear(&err);
	rc = PUB_EXIT_FAILED;
	if (pub_login(&a.g, reg, a.username, password, path, &err) < 0) {
		cli_error("login", "%s", err.msg);
		goto out;
	}
	pub_log(PUB_LOG_INFO, "credentials for %s stored in %s", reg, path);
	printf("Login Succeeded\n");
	rc = PUB_EXIT_OK;
out:
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	cli_args_free(&a);
	return rc;
}

static int cmd_logout_main(const struct cli_program *prog, int argc, char **argv)
{
	char reg[512], path[4096];
	struct base_error err;
	struct cli_args a;
	int rc, removed = 0;

	(void)prog;
	if ((rc = cli_parse(&cli_cmd_logout, argc, argv, &a)) != 0) {
		cli_args_free(&a);
		return rc > 0 ? PUB_EXIT_OK : PUB_EXIT_USAGE;
	}
	rc = PUB_EXIT_USAGE;
	if (login_target("logout", &a, reg, sizeof(reg), path, sizeof(path)) < 0)
		goto out;
	base_error_clear(&err);
	rc = PUB_EXIT_FAILED;
	if (reg_creds_erase(path, reg, &removed, &err) < 0)
		cli_error("logout", "%s", err.msg);
	else if (!removed)
		cli_error("logout", "not logged in to %s (%s has no entry for it)", reg, path);
	else
		rc = PUB_EXIT_OK;
	if (rc == PUB_EXIT_OK)
		printf("Removed login credentials for %s from %s\n", reg, path);
out:
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_login = {
    .name = "login",
    .id = CLI_LOGIN,
    .run = cmd_login_main,
    .synopsis = "HOST -u USER --password-stdin [--authfile FILE]",
    .summary = "check credentials against a registry and store them in config.json",
    .description = "Send GET /v2/ to HOST with USER and the password read from stdin; when the\n"
                   "registry (or its token server) accepts them, store them as\n"
                   "auths.HOST.auth = base64(USER:PASSWORD) in $DOCKER_CONFIG/config.json\n"
                   "(default ~/.docker/config.json), or FILE with --authfile: created 0600,\n"
                   "every other key kept, written atomically. Refused credentials write nothing.",
    .exit_codes = "0 stored, 1 refused by the registry or not written, 2 usage error",
    .max_operands = 1,
};

const struct cli_command cli_cmd_logout = {
    .name = "logout",
    .id = CLI_LOGOUT,
    .run = cmd_logout_main,
    .synopsis = "HOST [--authfile FILE]",
    .summary = "remove a registry's credentials from config.json",
    .description = "Remove every auths entry for HOST from $DOCKER_CONFIG/config.json (default\n"
                   "~/.docker/config.json), or FILE with --authfile; every other key is kept.",
    .exit_codes = "0 removed, 1 not logged in or not written, 2 usage error",
    .max_operands = 1,
};
