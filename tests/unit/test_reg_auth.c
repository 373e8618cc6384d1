/* test_reg_auth.c — registry auth and retry policy, without a network:
 * WWW-Authenticate parsing, token scopes and answers, docker config.json /
 * REGISTRY_AUTH_FILE lookups (credHelpers through a fake helper on PATH),
 * Retry-After, backoff bounds, registry error bodies. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "reg_internal.h"

static char tmpdir[256];

static void write_file(const char *name, const char *text, int mode)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static char *read_back(const char *name)
{
	static char buf[512];
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "r");
	size_t n = 0;
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void challenge_parses_docker_hub_bearer(void)
{
	struct reg_challenge c;
	CHECK_INT(
	    reg_auth_challenge_parse(
	        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	        "scope=\"repository:library/nginx:pull\"",
	        &c),
	    0);
	CHECK_INT(c.scheme, REG_AUTH_BEARER);
	CHECK_STR(c.realm, "https://auth.docker.io/token");
	CHECK_STR(c.service, "registry.docker.io");
	CHECK_STR(c.scope, "repository:library/nginx:pull");
	CHECK_STR(c.error, "");
}

static void challenge_parses_variants(void)
{
	struct reg_challenge c;
	CHECK_INT(reg_auth_challenge_parse("Basic realm=\"basic-realm\"", &c), 0);
	CHECK_INT(c.scheme, REG_AUTH_BASIC);
	CHECK_STR(c.realm, "basic-realm");

	/* Bearer wins when both are offered in one value. */
	CHECK_INT(reg_auth_challenge_parse(
	              "Basic realm=\"r\", Bearer realm=\"http://127.0.0.1:5001/token\", "
	              "service=\"svc\", error=\"insufficient_scope\"",
	              &c),
	          0);
	CHECK_INT(c.scheme, REG_AUTH_BEARER);
	CHECK_STR(c.realm, "http://127.0.0.1:5001/token");
	CHECK_STR(c.service, "svc");
	CHECK_STR(c.error, "insufficient_scope");

	/* Case-insensitive scheme and names, unquoted tokens, escapes. */
	CHECK_INT(
	    reg_auth_challenge_parse("bearer REALM=https://a.example/t , Service=\"s\\\"q\"", &c),
	    0);
	CHECK_INT(c.scheme, REG_AUTH_BEARER);
	CHECK_STR(c.realm, "https://a.example/t");
	CHECK_STR(c.service, "s\"q");

	/* Scope with several actions and a host:port name. */
	CHECK_INT(reg_auth_challenge_parse(
	              "Bearer realm=\"x\",scope=\"repository:localhost:5000/a:pull,push\"", &c),
	          0);
	CHECK_STR(c.scope, "repository:localhost:5000/a:pull,push");
}

static void challenge_rejects_unusable(void)
{
	struct reg_challenge c;
	char big[2200];
	CHECK_INT(reg_auth_challenge_parse("Bearer service=\"no realm\"", &c), -1);
	CHECK_INT(reg_auth_challenge_parse("Negotiate", &c), -1);
	CHECK_INT(reg_auth_challenge_parse("", &c), -1);
	CHECK_INT(reg_auth_challenge_parse(NULL, &c), -1);
	CHECK_INT(reg_auth_challenge_parse("Bearer realm=\"unterminated", &c), -1);
	/* A realm longer than we keep is refused, not cut. */
	memcpy(big, "Bearer realm=\"", 14);
	memset(big + 14, 'a', 2100);
	memcpy(big + 2114, "\"", 2);
	CHECK_INT(reg_auth_challenge_parse(big, &c), -1);
}

static void scopes_are_distribution_strings(void)
{
	char buf[256];
	CHECK_INT(reg_auth_scope(buf, sizeof(buf), "library/nginx", 0), 0);
	CHECK_STR(buf, "repository:library/nginx:pull");
	CHECK_INT(reg_auth_scope(buf, sizeof(buf), "kube-proxy", 1), 0);
	CHECK_STR(buf, "repository:kube-proxy:pull,push");
	CHECK_INT(reg_auth_scope_mount(buf, sizeof(buf), "app", "app-amd64"), 0);
	CHECK_STR(buf, "repository:app:pull,push repository:app-amd64:pull");
	CHECK_INT(reg_auth_scope(buf, 10, "library/nginx", 0), -1);
}

static void token_answers_parse(void)
{
	char *tok = NULL;
	long exp = 0;
	const char *a = "{\"token\":\"abc\",\"expires_in\":300}";
	const char *b = "{\"access_token\":\"def\"}";
	const char *c = "{\"token\":\"\",\"access_token\":\"ghi\",\"expires_in\":-5}";
	CHECK_INT(reg_auth_token_parse((const uint8_t *)a, strlen(a), &tok, &exp), 0);
	CHECK_STR(tok, "abc");
	CHECK_INT(exp, 300);
	free(tok);
	CHECK_INT(reg_auth_token_parse((const uint8_t *)b, strlen(b), &tok, &exp), 0);
	CHECK_STR(tok, "def");
	CHECK_INT(exp, 60);
	free(tok);
	CHECK_INT(reg_auth_token_parse((const uint8_t *)c, strlen(c), &tok, &exp), 0);
	CHECK_STR(tok, "ghi");
	CHECK_INT(exp, 60);
	free(tok);
	CHECK_INT(reg_auth_token_parse((const uint8_t *)"{}", 2, &tok, &exp), -1);
	CHECK(tok == NULL);
	CHECK_INT(reg_auth_token_parse((const uint8_t *)"{\"token\":", 9, &tok, &exp), -1);
}

static void base64_round_trips(void)
{
	char *e = reg_base64_encode((const uint8_t *)"user:pa$$", 9);
	size_t n = 0;
	CHECK_STR(e, "dXNlcjpwYSQk");
	char *d = reg_base64_decode(e, &n);
	CHECK_STR(d, "user:pa$$");
	CHECK_INT(n, 9);
	free(e);
	free(d);
	e = reg_base64_encode((const uint8_t *)"ab", 2);
	CHECK_STR(e, "YWI=");
	free(e);
	CHECK(reg_base64_decode("YW*=", NULL) == NULL);
	CHECK(reg_base64_decode("YW=I", NULL) == NULL);
}

static int lookup_json(const char *json, const char *registry, struct reg_creds *cr, char **helper,
                       struct reg_error *err)
{
	return reg_creds_from_json((const uint8_t *)json, strlen(json), registry, cr, helper, err);
}

static void config_json_auths(void)
{
	struct reg_creds cr;
	struct reg_error err;
	char *helper = NULL;
	/* "dXNlcjpwYXNz" = user:pass, "aHViOnNlY3JldA==" = hub:secret */
	const char *cfg = "{\"auths\":{"
	                  "\"localhost:5000\":{\"auth\":\"dXNlcjpwYXNz\"},"
	                  "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnNlY3JldA==\"},"
	                  "\"http://reg.example:8080\":{\"username\":\"u2\",\"password\":\"p2\"},"
	                  "\"bad.example\":{\"auth\":\"bm9jb2xvbg==\"}}}";
	reg_error_clear(&err);
	CHECK_INT(lookup_json(cfg, "localhost:5000", &cr, &helper, &err), 1);
	CHECK_STR(cr.username, "user");
	CHECK_STR(cr.password, "pass");
	CHECK(helper == NULL);
	reg_creds_clear(&cr);

	CHECK_INT(lookup_json(cfg, "docker.io", &cr, &helper, &err), 1);
	CHECK_STR(cr.username, "hub");
	CHECK_STR(cr.password, "secret");
	reg_creds_clear(&cr);

	CHECK_INT(lookup_json(cfg, "reg.example:8080", &cr, &helper, &err), 1);
	CHECK_STR(cr.username, "u2");
	CHECK_STR(cr.password, "p2");
	reg_creds_clear(&cr);

	CHECK_INT(lookup_json(cfg, "other.example", &cr, &helper, &err), 0);
	CHECK(cr.username == NULL);

	/* "nocolon": malformed, and the message must not echo the secret. */
	CHECK_INT(lookup_json(cfg, "bad.example", &cr, &helper, &err), REG_EFAIL);
	CHECK_STR(err.msg, "auths entry for bad.example: \"auth\" is not base64 of user:password");
	CHECK(strstr(err.msg, "bm9jb2xvbg") == NULL);

	CHECK_INT(lookup_json("[1]", "x", &cr, &helper, &err), REG_EFAIL);
}

static void config_json_helpers(void)
{
	struct reg_creds cr;
	struct reg_error err;
	char *helper = NULL;
	const char *cfg =
	    "{\"auths\":{\"gcr.io\":{},\"localhost:5000\":{\"auth\":\"dXNlcjpwYXNz\"}},"
	    "\"credHelpers\":{\"gcr.io\":\"gcloud\",\"localhost:5000\":\"fake\"},"
	    "\"credsStore\":\"desktop\"}";
	reg_error_clear(&err);
	CHECK_INT(lookup_json(cfg, "gcr.io", &cr, &helper, &err), 0);
	CHECK_STR(helper, "gcloud");
	free(helper);
	/* credHelpers wins over inline auths, as in docker. */
	CHECK_INT(lookup_json(cfg, "localhost:5000", &cr, &helper, &err), 0);
	CHECK_STR(helper, "fake");
	free(helper);
	CHECK_INT(lookup_json(cfg, "quay.io", &cr, &helper, &err), 0);
	CHECK_STR(helper, "desktop");
	free(helper);
}

static const char *fake_helper = "#!/bin/sh\n"
                                 "read -r host\n"
                                 "printf '%s' \"$host\" > \"$(dirname \"$0\")/stdin.txt\"\n"
                                 "[ \"$1\" = get ] || exit 3\n"
                                 "case \"$host\" in\n"
                                 "  reg.example:5000) printf "
                                 "'{\"ServerURL\":\"%s\",\"Username\":\"helper-user\",\"Secret\":"
                                 "\"helper-secret\"}\\n' \"$host\" ;;\n"
                                 "  https://index.docker.io/v1/) printf "
                                 "'{\"Username\":\"hubuser\",\"Secret\":\"hubsecret\"}' ;;\n"
                                 "  broken.example) echo 'not json' ;;\n"
                                 "  *) echo 'credentials not found in native keychain'; exit 1 ;;\n"
                                 "esac\n";

static void helper_runs_with_host_on_stdin(void)
{
	struct reg_creds cr;
	struct reg_error err;
	reg_error_clear(&err);

	CHECK_INT(reg_creds_from_helper("fake", "reg.example:5000", &cr, &err), 1);
	CHECK_STR(cr.username, "helper-user");
	CHECK_STR(cr.password, "helper-secret");
	CHECK_STR(read_back("stdin.txt"), "reg.example:5000");
	reg_creds_clear(&cr);

	CHECK_INT(reg_creds_from_helper("fake", "docker.io", &cr, &err), 1);
	CHECK_STR(cr.username, "hubuser");
	CHECK_STR(read_back("stdin.txt"), "https://index.docker.io/v1/");
	reg_creds_clear(&cr);

	CHECK_INT(reg_creds_from_helper("fake", "nothere.example", &cr, &err), 0);
	CHECK(cr.username == NULL);

	CHECK_INT(reg_creds_from_helper("fake", "broken.example", &cr, &err), REG_EFAIL);
	CHECK_STR(err.msg, "credential helper docker-credential-fake: answer for broken.example is "
	                   "not {Username, Secret}");

	CHECK_INT(reg_creds_from_helper("missing", "reg.example:5000", &cr, &err), REG_EFAIL);
	CHECK_STR(err.msg,
	          "credential helper docker-credential-missing not found or not executable");

	CHECK_INT(reg_creds_from_helper("../evil", "x", &cr, &err), REG_EFAIL);
	CHECK_STR(err.msg, "credential helper name \"../evil\" is not valid");
}

static void lookup_order_auth_file_then_docker_config(void)
{
	struct reg_creds cr;
	struct reg_error err;
	char authf[512], dockerf[512];
	reg_error_clear(&err);
	snprintf(authf, sizeof(authf), "%s/auth.json", tmpdir);
	snprintf(dockerf, sizeof(dockerf), "%s/config.json", tmpdir);
	/* auth file: a:b for localhost:5000 only */
	write_file("auth.json", "{\"auths\":{\"localhost:5000\":{\"auth\":\"YTpi\"}}}", 0600);
	write_file("config.json",
	           "{\"auths\":{\"localhost:5000\":{\"auth\":\"dXNlcjpwYXNz\"}},"
	           "\"credHelpers\":{\"reg.example:5000\":\"fake\"}}",
	           0600);

	CHECK_INT(reg_creds_lookup(authf, dockerf, "localhost:5000", &cr, &err), 1);
	CHECK_STR(cr.username, "a");
	CHECK_STR(cr.password, "b");
	reg_creds_clear(&cr);

	/* Not in the auth file: the docker config's helper answers. */
	CHECK_INT(reg_creds_lookup(authf, dockerf, "reg.example:5000", &cr, &err), 1);
	CHECK_STR(cr.username, "helper-user");
	reg_creds_clear(&cr);

	/* REGISTRY_AUTH_FILE stands in for an unset auth_file. */
	setenv("REGISTRY_AUTH_FILE", authf, 1);
	CHECK_INT(reg_creds_lookup(NULL, dockerf, "localhost:5000", &cr, &err), 1);
	CHECK_STR(cr.username, "a");
	reg_creds_clear(&cr);
	unsetenv("REGISTRY_AUTH_FILE");

	/* DOCKER_CONFIG is a directory holding config.json. */
	setenv("DOCKER_CONFIG", tmpdir, 1);
	CHECK_INT(reg_creds_lookup(NULL, NULL, "localhost:5000", &cr, &err), 1);
	CHECK_STR(cr.username, "user");
	reg_creds_clear(&cr);
	unsetenv("DOCKER_CONFIG");

	/* Missing files are no error, just no credentials. */
	CHECK_INT(reg_creds_lookup("/nonexistent/auth.json", "/nonexistent/config.json",
	                           "localhost:5000", &cr, &err),
	          0);

	write_file("broken.json", "{\"auths\":", 0600);
	snprintf(authf, sizeof(authf), "%s/broken.json", tmpdir);
	CHECK_INT(reg_creds_lookup(authf, dockerf, "localhost:5000", &cr, &err), REG_EFAIL);
	char want[600];
	snprintf(want, sizeof(want), "%s: not a JSON object", authf);
	CHECK_STR(err.msg, want);
}

static void retry_after_values(void)
{
	time_t now = curl_getdate("Wed, 21 Oct 2015 07:28:00 GMT", NULL);
	CHECK_INT(reg_retry_after_ms("5", now), 5000);
	CHECK_INT(reg_retry_after_ms(" 0 ", now), 0);
	CHECK_INT(reg_retry_after_ms("120", now), 60000);
	CHECK_INT(reg_retry_after_ms("99999999999999999999", now), 60000);
	CHECK_INT(reg_retry_after_ms("Wed, 21 Oct 2015 07:28:10 GMT", now), 10000);
	CHECK_INT(reg_retry_after_ms("Wed, 21 Oct 2015 07:27:00 GMT", now), 0);
	CHECK_INT(reg_retry_after_ms("Wed, 21 Oct 2015 09:00:00 GMT", now), 60000);
	CHECK_INT(reg_retry_after_ms("", now), -1);
	CHECK_INT(reg_retry_after_ms("5s", now), -1);
	CHECK_INT(reg_retry_after_ms("soon", now), -1);
	CHECK_INT(reg_retry_after_ms(NULL, now), -1);
}

static void backoff_bounds(void)
{
	/* Full jitter: rnd % (ceiling + 1), ceiling = base << attempt, max 30 s. */
	CHECK_INT(reg_backoff_ms(500, 0, 500), 500);
	CHECK_INT(reg_backoff_ms(500, 0, 501), 0);
	CHECK_INT(reg_backoff_ms(500, 3, 4000), 4000);
	CHECK_INT(reg_backoff_ms(500, 3, 4001), 0);
	CHECK_INT(reg_backoff_ms(500, 20, 30000), 30000);
	CHECK_INT(reg_backoff_ms(500, 20, 30001), 0);
	CHECK_INT(reg_backoff_ms(500, INT_MAX, 30000), 30000);
	CHECK_INT(reg_backoff_ms(10, 2, 41), 0);
	for (unsigned int r = 0; r < 100000; r += 997)
		CHECK(reg_backoff_ms(500, 6, r) <= 30000);
}

static void error_bodies_give_code_and_message(void)
{
	char code[64], msg[256];
	const char *a =
	    "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
	    "\"detail\":{\"Tag\":\"v1\"}},{\"code\":\"X\",\"message\":\"y\"}]}";
	const char *b = "{\"errors\":[{\"code\":\"DENIED\"}]}";
	CHECK_INT(reg_error_body_parse((const uint8_t *)a, strlen(a), code, sizeof(code), msg,
	                               sizeof(msg)),
	          0);
	CHECK_STR(code, "MANIFEST_UNKNOWN");
	CHECK_STR(msg, "manifest unknown");
	CHECK_INT(reg_error_body_parse((const uint8_t *)b, strlen(b), code, sizeof(code), msg,
	                               sizeof(msg)),
	          0);
	CHECK_STR(code, "DENIED");
	CHECK_STR(msg, "");
	/* Not ours to read past len: a prefix of a valid body is invalid. */
	CHECK_INT(
	    reg_error_body_parse((const uint8_t *)a, 20, code, sizeof(code), msg, sizeof(msg)), -1);
	CHECK_INT(reg_error_body_parse((const uint8_t *)"<html>", 6, code, sizeof(code), msg,
	                               sizeof(msg)),
	          -1);
	CHECK_INT(reg_error_body_parse((const uint8_t *)"{\"errors\":[]}", 13, code, sizeof(code),
	                               msg, sizeof(msg)),
	          -1);
	CHECK_INT(reg_error_body_parse(NULL, 0, code, sizeof(code), msg, sizeof(msg)), -1);
}

int main(void)
{
	char path[1024];
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_reg_auth.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	write_file("docker-credential-fake", fake_helper, 0755);
	snprintf(path, sizeof(path), "%s:%s", tmpdir,
	         getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);

	challenge_parses_docker_hub_bearer();
	challenge_parses_variants();
	challenge_rejects_unusable();
	scopes_are_distribution_strings();
	token_answers_parse();
	base64_round_trips();
	config_json_auths();
	config_json_helpers();
	helper_runs_with_host_on_stdin();
	lookup_order_auth_file_then_docker_config();
	retry_after_values();
	backoff_bounds();
	error_bodies_give_code_and_message();

	const char *files[] = {"docker-credential-fake", "stdin.txt", "auth.json", "config.json",
	                       "broken.json"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return check_finish();
}
