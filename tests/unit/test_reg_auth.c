/* test_reg_auth.c — registry auth and retry policy, without a network:
 * WWW-Authenticate parsing, token scopes and answers, docker config.json /
 * REGISTRY_AUTH_FILE lookups (credHelpers through a fake helper on PATH),
 * base64 through libcrypto, the tags Link resolved on the registry's
 * origin. (Retry-After, backoff and error bodies: test_reg_retry.c.) */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
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

static void challenge_parses_docker_hub_bearer(void **state)
{
	(void)state;
	struct reg_challenge c;
	assert_int_equal(
	    reg_auth_challenge_parse(
	        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	        "scope=\"repository:library/nginx:pull\"",
	        &c),
	    0);
	assert_int_equal(c.scheme, REG_AUTH_BEARER);
	assert_string_equal(c.realm, "https://auth.docker.io/token");
	assert_string_equal(c.service, "registry.docker.io");
	assert_string_equal(c.scope, "repository:library/nginx:pull");
	assert_string_equal(c.error, "");
}

static void challenge_parses_basic(void **state)
{
	(void)state;
	struct reg_challenge c;
	assert_int_equal(reg_auth_challenge_parse("Basic realm=\"basic-realm\"", &c), 0);
	assert_int_equal(c.scheme, REG_AUTH_BASIC);
	assert_string_equal(c.realm, "basic-realm");
}

static void challenge_prefers_bearer_when_both_are_offered(void **state)
{
	(void)state;
	struct reg_challenge c;
	assert_int_equal(reg_auth_challenge_parse(
	                     "Basic realm=\"r\", Bearer realm=\"http://127.0.0.1:5001/token\", "
	                     "service=\"svc\", error=\"insufficient_scope\"",
	                     &c),
	                 0);
	assert_int_equal(c.scheme, REG_AUTH_BEARER);
	assert_string_equal(c.realm, "http://127.0.0.1:5001/token");
	assert_string_equal(c.service, "svc");
	assert_string_equal(c.error, "insufficient_scope");
}

static void challenge_folds_case_and_reads_unquoted_and_escaped_values(void **state)
{
	(void)state;
	struct reg_challenge c;
	assert_int_equal(
	    reg_auth_challenge_parse("bearer REALM=https://a.example/t , Service=\"s\\\"q\"", &c),
	    0);
	assert_int_equal(c.scheme, REG_AUTH_BEARER);
	assert_string_equal(c.realm, "https://a.example/t");
	assert_string_equal(c.service, "s\"q");
}

static void challenge_keeps_scope_with_actions_and_port(void **state)
{
	(void)state;
	struct reg_challenge c;
	assert_int_equal(
	    reg_auth_challenge_parse(
	        "Bearer realm=\"x\",scope=\"repository:localhost:5000/a:pull,push\"", &c),
	    0);
	assert_string_equal(c.scope, "repository:localhost:5000/a:pull,push");
}

static void challenge_rejects_unusable_values(void **state)
{
	(void)state;
	struct reg_challenge c;
	assert_int_equal(reg_auth_challenge_parse("Bearer service=\"no realm\"", &c), -1);
	assert_int_equal(reg_auth_challenge_parse("Negotiate", &c), -1);
	assert_int_equal(reg_auth_challenge_parse("", &c), -1);
	assert_int_equal(reg_auth_challenge_parse(NULL, &c), -1);
	assert_int_equal(reg_auth_challenge_parse("Bearer realm=\"unterminated", &c), -1);
}

static void challenge_refuses_realm_too_long_to_keep(void **state)
{
	(void)state;
	struct reg_challenge c;
	char big[2200];
	/* refused, not cut */
	memcpy(big, "Bearer realm=\"", 14);
	memset(big + 14, 'a', 2100);
	memcpy(big + 2114, "\"", 2);
	assert_int_equal(reg_auth_challenge_parse(big, &c), -1);
}

static void scope_is_distribution_string(void **state)
{
	(void)state;
	char buf[256];
	assert_int_equal(reg_auth_scope(buf, sizeof(buf), "library/nginx", 0), 0);
	assert_string_equal(buf, "repository:library/nginx:pull");
	assert_int_equal(reg_auth_scope(buf, sizeof(buf), "kube-proxy", 1), 0);
	assert_string_equal(buf, "repository:kube-proxy:pull,push");
	assert_int_equal(reg_auth_scope_mount(buf, sizeof(buf), "app", "app-amd64"), 0);
	assert_string_equal(buf, "repository:app:pull,push repository:app-amd64:pull");
}

static void scope_fails_when_buffer_is_too_small(void **state)
{
	(void)state;
	char buf[256];
	assert_int_equal(reg_auth_scope(buf, 10, "library/nginx", 0), -1);
}

static void token_answer_gives_token_and_expiry(void **state)
{
	(void)state;
	char *tok = NULL;
	long exp = 0;
	const char *a = "{\"token\":\"abc\",\"expires_in\":300}";
	assert_int_equal(reg_auth_token_parse((const uint8_t *)a, strlen(a), &tok, &exp), 0);
	assert_str_or_null_equal(tok, "abc");
	assert_int_equal(exp, 300);
	free(tok);
}

static void token_answer_falls_back_to_access_token_and_60s(void **state)
{
	(void)state;
	char *tok = NULL;
	long exp = 0;
	const char *b = "{\"access_token\":\"def\"}";
	const char *c = "{\"token\":\"\",\"access_token\":\"ghi\",\"expires_in\":-5}";
	assert_int_equal(reg_auth_token_parse((const uint8_t *)b, strlen(b), &tok, &exp), 0);
	assert_str_or_null_equal(tok, "def");
	assert_int_equal(exp, 60);
	free(tok);
	assert_int_equal(reg_auth_token_parse((const uint8_t *)c, strlen(c), &tok, &exp), 0);
	assert_str_or_null_equal(tok, "ghi");
	assert_int_equal(exp, 60);
	free(tok);
}

static void token_answer_without_token_is_refused(void **state)
{
	(void)state;
	char *tok = NULL;
	long exp = 0;
	assert_int_equal(reg_auth_token_parse((const uint8_t *)"{}", 2, &tok, &exp), -1);
	assert_null(tok);
	assert_int_equal(reg_auth_token_parse((const uint8_t *)"{\"token\":", 9, &tok, &exp), -1);
}

/* The tags listing's Link is resolved by curl_url_set against the
 * registry's origin and followed only there. */
static void tags_next_link_stays_on_the_registry(void **state)
{
	(void)state;
	char url[256], tiny[16], why[600];
	const char *base = "http://127.0.0.1:5000";

	assert_int_equal(reg_tags_next_link(base, "</v2/app/tags/list?n=2&last=b>; rel=\"next\"",
	                                    url, sizeof(url), why, sizeof(why)),
	                 1);
	assert_string_equal(url, "http://127.0.0.1:5000/v2/app/tags/list?n=2&last=b");
	assert_int_equal(
	    reg_tags_next_link(base, "<http://127.0.0.1:5000/v2/app/tags/list?page=2>; rel=next",
	                       url, sizeof(url), why, sizeof(why)),
	    1);
	assert_string_equal(url, "http://127.0.0.1:5000/v2/app/tags/list?page=2");
	assert_int_equal(
	    reg_tags_next_link("https://r.example.com",
	                       "<https://r.example.com:443/v2/x/tags/list>; rel=\"next\"", url,
	                       sizeof(url), why, sizeof(why)),
	    1);
	assert_string_equal(url, "https://r.example.com/v2/x/tags/list");
	assert_int_equal(
	    reg_tags_next_link(base, "<http://elsewhere.invalid/v2/app/tags/list>; rel=\"next\"",
	                       url, sizeof(url), why, sizeof(why)),
	    -1);
	assert_string_equal(why, "next page http://elsewhere.invalid/v2/app/tags/list is not on "
	                         "http://127.0.0.1:5000; not followed");
	assert_int_equal(reg_tags_next_link(base, "<//elsewhere.invalid/v2/x>; rel=\"next\"", url,
	                                    sizeof(url), why, sizeof(why)),
	                 -1);
	assert_int_equal(reg_tags_next_link(base, "<http://127.0.0.1:5001/v2/x>; rel=\"next\"", url,
	                                    sizeof(url), why, sizeof(why)),
	                 -1);
	assert_int_equal(reg_tags_next_link(base, "</v2/x?last=a>; rel=\"prev\"", url, sizeof(url),
	                                    why, sizeof(why)),
	                 0);
	assert_int_equal(reg_tags_next_link(base, NULL, url, sizeof(url), why, sizeof(why)), 0);
	assert_int_equal(reg_tags_next_link(base, "</v2/app/tags/list>; rel=\"next\"", tiny,
	                                    sizeof(tiny), why, sizeof(why)),
	                 -1);
	assert_string_equal(why, "next page link is longer than 15 bytes");
}

static void base64_round_trips(void **state)
{
	(void)state;
	char *e = reg_base64_encode((const uint8_t *)"user:pa$$", 9);
	size_t n = 0;
	assert_str_or_null_equal(e, "dXNlcjpwYSQk");
	char *d = reg_base64_decode(e, &n);
	assert_str_or_null_equal(d, "user:pa$$");
	assert_int_equal(n, 9);
	free(e);
	free(d);
}

static void base64_encode_pads(void **state)
{
	(void)state;
	char *e = reg_base64_encode((const uint8_t *)"ab", 2);
	assert_str_or_null_equal(e, "YWI=");
	free(e);
}

static void base64_decode_rejects_bad_input(void **state)
{
	(void)state;
	assert_null(reg_base64_decode("YW*=", NULL));
	assert_null(reg_base64_decode("YW=I", NULL));
	assert_null(reg_base64_decode(" YWI=", NULL));
	assert_null(reg_base64_decode("YWI=\n", NULL));
}

static void base64_decode_takes_off_padding(void **state)
{
	(void)state;
	const char *in[] = {"YWI=", "YWI", "YQ==", "YQ", "YWJj", "", "=="};
	const char *want[] = {"ab", "ab", "a", "a", "abc", "", ""};
	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++) {
		size_t n = 99;
		char *d = reg_base64_decode(in[i], &n);
		assert_str_or_null_equal(d, want[i]);
		assert_int_equal(n, strlen(want[i]));
		free(d);
	}
}

static int lookup_json(const char *json, const char *registry, struct reg_creds *cr, char **helper,
                       struct base_error *err)
{
	return reg_creds_from_json((const uint8_t *)json, strlen(json), registry, cr, helper, err);
}

/* "dXNlcjpwYXNz" = user:pass, "aHViOnNlY3JldA==" = hub:secret */
static const char *const auths_cfg =
    "{\"auths\":{"
    "\"localhost:5000\":{\"auth\":\"dXNlcjpwYXNz\"},"
    "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnNlY3JldA==\"},"
    "\"http://reg.example:8080\":{\"username\":\"u2\",\"password\":\"p2\"},"
    "\"bad.example\":{\"auth\":\"bm9jb2xvbg==\"}}}";

static void config_json_auth_gives_user_and_password(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char *helper = NULL;
	base_error_clear(&err);
	assert_int_equal(lookup_json(auths_cfg, "localhost:5000", &cr, &helper, &err), 1);
	assert_string_equal(cr.username, "user");
	assert_string_equal(cr.password, "pass");
	assert_null(helper);
	reg_creds_clear(&cr);
}

static void config_json_finds_docker_io_under_index_url(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char *helper = NULL;
	base_error_clear(&err);
	assert_int_equal(lookup_json(auths_cfg, "docker.io", &cr, &helper, &err), 1);
	assert_string_equal(cr.username, "hub");
	assert_string_equal(cr.password, "secret");
	reg_creds_clear(&cr);
}

static void config_json_reads_username_password_under_url_key(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char *helper = NULL;
	base_error_clear(&err);
	assert_int_equal(lookup_json(auths_cfg, "reg.example:8080", &cr, &helper, &err), 1);
	assert_string_equal(cr.username, "u2");
	assert_string_equal(cr.password, "p2");
	reg_creds_clear(&cr);
}

static void config_json_without_entry_gives_no_credentials(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char *helper = NULL;
	base_error_clear(&err);
	assert_int_equal(lookup_json(auths_cfg, "other.example", &cr, &helper, &err), 0);
	assert_null(cr.username);
}

static void config_json_bad_auth_message_hides_the_secret(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char *helper = NULL;
	base_error_clear(&err);
	/* "nocolon": malformed, and the message must not echo the secret. */
	assert_int_equal(lookup_json(auths_cfg, "bad.example", &cr, &helper, &err), BASE_EFAIL);
	assert_string_equal(err.msg,
	                    "auths entry for bad.example: \"auth\" is not base64 of user:password");
	assert_null(strstr(err.msg, "bm9jb2xvbg"));
}

static void config_json_refuses_non_object(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char *helper = NULL;
	base_error_clear(&err);
	assert_int_equal(lookup_json("[1]", "x", &cr, &helper, &err), BASE_EFAIL);
}

static const char *const helpers_cfg =
    "{\"auths\":{\"gcr.io\":{},\"localhost:5000\":{\"auth\":\"dXNlcjpwYXNz\"}},"
    "\"credHelpers\":{\"gcr.io\":\"gcloud\",\"localhost:5000\":\"fake\"},"
    "\"credsStore\":\"desktop\"}";

static void config_json_names_registry_cred_helper(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char *helper = NULL;
	base_error_clear(&err);
	assert_int_equal(lookup_json(helpers_cfg, "gcr.io", &cr, &helper, &err), 0);
	assert_str_or_null_equal(helper, "gcloud");
	free(helper);
}

static void config_json_cred_helper_wins_over_inline_auth(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char *helper = NULL;
	base_error_clear(&err);
	/* as in docker */
	assert_int_equal(lookup_json(helpers_cfg, "localhost:5000", &cr, &helper, &err), 0);
	assert_str_or_null_equal(helper, "fake");
	free(helper);
}

static void config_json_falls_back_to_creds_store(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char *helper = NULL;
	base_error_clear(&err);
	assert_int_equal(lookup_json(helpers_cfg, "quay.io", &cr, &helper, &err), 0);
	assert_str_or_null_equal(helper, "desktop");
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

static void helper_gets_host_on_stdin(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(reg_creds_from_helper("fake", "reg.example:5000", &cr, &err), 1);
	assert_string_equal(cr.username, "helper-user");
	assert_string_equal(cr.password, "helper-secret");
	assert_string_equal(read_back("stdin.txt"), "reg.example:5000");
	reg_creds_clear(&cr);
}

static void helper_gets_index_url_for_docker_io(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(reg_creds_from_helper("fake", "docker.io", &cr, &err), 1);
	assert_string_equal(cr.username, "hubuser");
	assert_string_equal(read_back("stdin.txt"), "https://index.docker.io/v1/");
	reg_creds_clear(&cr);
}

static void helper_not_found_answer_is_no_credentials(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(reg_creds_from_helper("fake", "nothere.example", &cr, &err), 0);
	assert_null(cr.username);
}

static void helper_bad_answer_is_an_error(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(reg_creds_from_helper("fake", "broken.example", &cr, &err), BASE_EFAIL);
	assert_string_equal(
	    err.msg, "credential helper docker-credential-fake: answer for broken.example is "
	             "not {Username, Secret}");
}

static void helper_missing_is_an_error(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(reg_creds_from_helper("missing", "reg.example:5000", &cr, &err),
	                 BASE_EFAIL);
	assert_string_equal(
	    err.msg, "credential helper docker-credential-missing not found or not executable");
}

static void helper_name_with_path_is_refused(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(reg_creds_from_helper("../evil", "x", &cr, &err), BASE_EFAIL);
	assert_string_equal(err.msg, "credential helper name \"../evil\" is not valid");
}

static char authf[512], dockerf[512];

/* auth.json: a:b for localhost:5000 only; config.json: user:pass for
 * localhost:5000 and the fake helper for reg.example:5000. Neither
 * environment variable set before or after. */
static int lookup_setup(void **state)
{
	(void)state;
	snprintf(authf, sizeof(authf), "%s/auth.json", tmpdir);
	snprintf(dockerf, sizeof(dockerf), "%s/config.json", tmpdir);
	write_file("auth.json", "{\"auths\":{\"localhost:5000\":{\"auth\":\"YTpi\"}}}", 0600);
	write_file("config.json",
	           "{\"auths\":{\"localhost:5000\":{\"auth\":\"dXNlcjpwYXNz\"}},"
	           "\"credHelpers\":{\"reg.example:5000\":\"fake\"}}",
	           0600);
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("DOCKER_CONFIG");
	return 0;
}

static int lookup_teardown(void **state)
{
	(void)state;
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("DOCKER_CONFIG");
	return 0;
}

static void lookup_prefers_auth_file(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(reg_creds_lookup(authf, dockerf, "localhost:5000", &cr, &err), 1);
	assert_string_equal(cr.username, "a");
	assert_string_equal(cr.password, "b");
	reg_creds_clear(&cr);
}

static void lookup_falls_back_to_docker_config_helper(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	/* not in the auth file: the docker config's helper answers */
	assert_int_equal(reg_creds_lookup(authf, dockerf, "reg.example:5000", &cr, &err), 1);
	assert_string_equal(cr.username, "helper-user");
	reg_creds_clear(&cr);
}

static void lookup_reads_registry_auth_file_env(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	/* REGISTRY_AUTH_FILE stands in for an unset auth_file */
	setenv("REGISTRY_AUTH_FILE", authf, 1);
	assert_int_equal(reg_creds_lookup(NULL, dockerf, "localhost:5000", &cr, &err), 1);
	assert_string_equal(cr.username, "a");
	reg_creds_clear(&cr);
}

static void lookup_reads_docker_config_dir_env(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	/* DOCKER_CONFIG is a directory holding config.json */
	setenv("DOCKER_CONFIG", tmpdir, 1);
	assert_int_equal(reg_creds_lookup(NULL, NULL, "localhost:5000", &cr, &err), 1);
	assert_string_equal(cr.username, "user");
	reg_creds_clear(&cr);
}

static void lookup_missing_files_give_no_credentials(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	setenv("HOME", "/nonexistent", 1);
	unsetenv("XDG_RUNTIME_DIR");
	assert_int_equal(
	    reg_creds_lookup(NULL, "/nonexistent/config.json", "localhost:5000", &cr, &err), 0);
	assert_null(cr.username);
	assert_string_equal(cr.looked, "/nonexistent/config.json, "
	                               "/nonexistent/.config/containers/auth.json");
}

static void lookup_missing_named_auth_file_is_an_error(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(reg_creds_lookup("/nonexistent/auth.json", "/nonexistent/config.json",
	                                  "localhost:5000", &cr, &err),
	                 BASE_EFAIL);
	assert_string_equal(err.msg, "auth file /nonexistent/auth.json: does not exist");
}

static void lookup_names_its_source(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char want[1200];
	base_error_clear(&err);
	assert_int_equal(reg_creds_lookup(NULL, dockerf, "localhost:5000", &cr, &err), 1);
	assert_string_equal(cr.source, dockerf);
	reg_creds_clear(&cr);
	assert_int_equal(reg_creds_lookup(NULL, dockerf, "reg.example:5000", &cr, &err), 1);
	snprintf(want, sizeof(want), "credential helper docker-credential-fake (named in %s)",
	         dockerf);
	assert_string_equal(cr.source, want);
	reg_creds_clear(&cr);
}

static void token_error_text_reads_every_shape(void **state)
{
	(void)state;
	char buf[256];
	const char *errors = "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"locked\"}]}";
	const char *oauth = "{\"error\":\"invalid_grant\",\"error_description\":\"bad pw\"}";
	const char *text = "account locked\r\nbye\n";

	reg_token_error_text((const uint8_t *)errors, strlen(errors), buf, sizeof(buf));
	assert_string_equal(buf, "DENIED: locked");
	reg_token_error_text((const uint8_t *)oauth, strlen(oauth), buf, sizeof(buf));
	assert_string_equal(buf, "bad pw");
	reg_token_error_text((const uint8_t *)text, strlen(text), buf, sizeof(buf));
	assert_string_equal(buf, "account locked  bye");
	reg_token_error_text(NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void token_answer_check_tells_nonsense_apart(void **state)
{
	(void)state;
	char why[128];
	assert_int_equal(reg_token_answer_check((const uint8_t *)"<html>", 6, why, sizeof(why)),
	                 -1);
	assert_string_equal(why, "answer is not JSON");
	assert_int_equal(reg_token_answer_check((const uint8_t *)"[1]", 3, why, sizeof(why)), -1);
	assert_string_equal(why, "answer is JSON but not an object");
	assert_int_equal(reg_token_answer_check((const uint8_t *)"{}", 2, why, sizeof(why)), -1);
	assert_string_equal(why, "answer has no token (neither \"token\" nor \"access_token\")");
	const char *ok = "{\"access_token\":\"t\"}";
	assert_int_equal(reg_token_answer_check((const uint8_t *)ok, strlen(ok), why, sizeof(why)),
	                 0);
}

static void lookup_broken_auth_file_is_named(void **state)
{
	(void)state;
	struct reg_creds cr;
	struct base_error err;
	char broken[512], want[600];
	base_error_clear(&err);
	write_file("broken.json", "{\"auths\":", 0600);
	snprintf(broken, sizeof(broken), "%s/broken.json", tmpdir);
	assert_int_equal(reg_creds_lookup(broken, dockerf, "localhost:5000", &cr, &err),
	                 BASE_EFAIL);
	snprintf(want, sizeof(want), "%s: not a JSON object", broken);
	assert_string_equal(err.msg, want);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(challenge_parses_docker_hub_bearer),
	    cmocka_unit_test(challenge_parses_basic),
	    cmocka_unit_test(challenge_prefers_bearer_when_both_are_offered),
	    cmocka_unit_test(challenge_folds_case_and_reads_unquoted_and_escaped_values),
	    cmocka_unit_test(challenge_keeps_scope_with_actions_and_port),
	    cmocka_unit_test(challenge_rejects_unusable_values),
	    cmocka_unit_test(challenge_refuses_realm_too_long_to_keep),
	    cmocka_unit_test(scope_is_distribution_string),
	    cmocka_unit_test(scope_fails_when_buffer_is_too_small),
	    cmocka_unit_test(token_answer_gives_token_and_expiry),
	    cmocka_unit_test(token_answer_falls_back_to_access_token_and_60s),
	    cmocka_unit_test(token_answer_without_token_is_refused),
	    cmocka_unit_test(base64_round_trips),
	    cmocka_unit_test(base64_encode_pads),
	    cmocka_unit_test(base64_decode_rejects_bad_input),
	    cmocka_unit_test(base64_decode_takes_off_padding),
	    cmocka_unit_test(tags_next_link_stays_on_the_registry),
	    cmocka_unit_test(config_json_auth_gives_user_and_password),
	    cmocka_unit_test(config_json_finds_docker_io_under_index_url),
	    cmocka_unit_test(config_json_reads_username_password_under_url_key),
	    cmocka_unit_test(config_json_without_entry_gives_no_credentials),
	    cmocka_unit_test(config_json_bad_auth_message_hides_the_secret),
	    cmocka_unit_test(config_json_refuses_non_object),
	    cmocka_unit_test(config_json_names_registry_cred_helper),
	    cmocka_unit_test(config_json_cred_helper_wins_over_inline_auth),
	    cmocka_unit_test(config_json_falls_back_to_creds_store),
	    cmocka_unit_test(helper_gets_host_on_stdin),
	    cmocka_unit_test(helper_gets_index_url_for_docker_io),
	    cmocka_unit_test(helper_not_found_answer_is_no_credentials),
	    cmocka_unit_test(helper_bad_answer_is_an_error),
	    cmocka_unit_test(helper_missing_is_an_error),
	    cmocka_unit_test(helper_name_with_path_is_refused),
	    cmocka_unit_test_setup_teardown(lookup_prefers_auth_file, lookup_setup,
	                                    lookup_teardown),
	    cmocka_unit_test_setup_teardown(lookup_falls_back_to_docker_config_helper, lookup_setup,
	                                    lookup_teardown),
	    cmocka_unit_test_setup_teardown(lookup_reads_registry_auth_file_env, lookup_setup,
	                                    lookup_teardown),
	    cmocka_unit_test_setup_teardown(lookup_reads_docker_config_dir_env, lookup_setup,
	                                    lookup_teardown),
	    cmocka_unit_test_setup_teardown(lookup_missing_files_give_no_credentials, lookup_setup,
	                                    lookup_teardown),
	    cmocka_unit_test_setup_teardown(lookup_missing_named_auth_file_is_an_error,
	                                    lookup_setup, lookup_teardown),
	    cmocka_unit_test_setup_teardown(lookup_names_its_source, lookup_setup, lookup_teardown),
	    cmocka_unit_test(token_error_text_reads_every_shape),
	    cmocka_unit_test(token_answer_check_tells_nonsense_apart),
	    cmocka_unit_test_setup_teardown(lookup_broken_auth_file_is_named, lookup_setup,
	                                    lookup_teardown),
	};
	char path[1024];
	int rc;

	/* the fake credential helper, first on PATH, for every case */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_reg_auth.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	write_file("docker-credential-fake", fake_helper, 0755);
	snprintf(path, sizeof(path), "%s:%s", tmpdir,
	         getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);

	rc = unit_run_group("test_reg_auth", tests, argc, argv);

	const char *files[] = {"docker-credential-fake", "stdin.txt", "auth.json", "config.json",
	                       "broken.json"};
	for (size_t i = 0; i < UNIT_COUNT(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return rc;
}
