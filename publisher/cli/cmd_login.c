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

static char *password_from_stdin(void *ctx)
{
	(void)ctx;
	return password_read();
}

/* login and logout: HOST, then the job; the exit code. */
static int login_main(const struct cli_command *cmd, int login, int argc, char **argv)
{
	struct base_error err = {0};
	struct pub_login_result res = {0};
	struct cli_args a;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, &a)) != 0) {
		cli_args_free(&a);
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	rc = CLI_EXIT_USAGE;
	if (a.n_operands != 1) {
		cli_error(cmd->name, "needs HOST; see 'manifold %s --help'", cmd->name);
		goto out;
	}
	struct pub_login_options o = {
	    .g = a.g,
	    .host = a.operands[0],
	    .username = a.username,
	    .password_stdin = a.password_stdin,
	    .read_password = password_from_stdin,
	};
	int r = login ? pub_login_run(&o, &res, &err) : pub_logout_run(&o, &res, &err);
	if (r < 0) {
		cli_error(cmd->name, "%s", err.msg);
		rc = cli_exit_of_rc(r);
		goto out;
	}
	if (login)
		printf("Login Succeeded\n");
	else
		printf("Removed login credentials for %s from %s\n", res.registry, res.path);
	rc = CLI_EXIT_OK;
out:
	cli_args_free(&a);
	return rc;
}

static int cmd_login_main(const struct cli_program *prog, int argc, char **argv)
{
	(void)prog;
	return login_main(&cli_cmd_login, 1, argc, argv);
}

static int cmd_logout_main(const struct cli_program *prog, int argc, char **argv)
{
	(void)prog;
	return login_main(&cli_cmd_logout, 0, argc, argv);
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
