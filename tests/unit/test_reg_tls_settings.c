/* test_reg_tls_settings.c — which scheme and CA bundle each registry gets
 * from the command line's --insecure, --tls and --ca-file and its own
 * insecure/tls/ca-file under registries: (the registry's own are the more
 * specific and win), for configured and unconfigured, loopback and remote
 * registries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reg_internal.h"

/* "http" or "https", and the CA bundle (NULL none), of registry in c. */
static void want(struct reg_client *c, const char *registry, const char *scheme,
                 const char *ca_file)
{
	struct reg_host *h = reg_client_host(c, registry);
	char url[256];
	assert_non_null(h);
	reg_host_base_url(h, url, sizeof(url));
	assert_true(strncmp(url, scheme, strlen(scheme)) == 0 && url[strlen(scheme)] == ':');
	if (ca_file)
		assert_string_equal(h->ca_file, ca_file);
	else
		assert_null(h->ca_file);
}

static struct reg_client *client(int insecure, int tls, const char *ca_file)
{
	struct reg_client_options opts = {
	    .insecure_all = insecure, .tls_all = tls, .ca_file_all = ca_file};
	struct reg_client *c = NULL;
	struct base_error err;
	struct reg_registry_settings plain = {.insecure = 1}, tls_on = {.tls = 1},
	                             own_ca = {.ca_file = "/own.pem"}, none = {0};
	base_error_clear(&err);
	assert_int_equal(reg_client_new(&opts, &c, &err), BASE_OK);
	assert_int_equal(reg_client_configure(c, "127.0.0.1:1", &plain, &err), BASE_OK);
	assert_int_equal(reg_client_configure(c, "127.0.0.1:2", &tls_on, &err), BASE_OK);
	assert_int_equal(reg_client_configure(c, "127.0.0.1:3", &own_ca, &err), BASE_OK);
	assert_int_equal(reg_client_configure(c, "127.0.0.1:4", &none, &err), BASE_OK);
	assert_int_equal(reg_client_configure(c, "remote.example", &none, &err), BASE_OK);
	return c;
}

static void no_options_loopback_is_plain(void **state)
{
	struct reg_client *c = client(0, 0, NULL);
	(void)state;
	want(c, "127.0.0.1:1", "http", NULL);
	want(c, "127.0.0.1:2", "https", NULL);
	want(c, "127.0.0.1:3", "https", "/own.pem");
	want(c, "127.0.0.1:4", "http", NULL);
	want(c, "127.0.0.1:5", "http", NULL); /* not under registries: */
	want(c, "remote.example", "https", NULL);
	want(c, "other.example", "https", NULL);
	reg_client_free(c);
}

static void insecure_makes_plain_unless_the_registry_asks_for_tls(void **state)
{
	struct reg_client *c = client(1, 0, NULL);
	(void)state;
	want(c, "127.0.0.1:1", "http", NULL);
	want(c, "127.0.0.1:2", "https", NULL);
	want(c, "127.0.0.1:3", "https", "/own.pem");
	want(c, "127.0.0.1:4", "http", NULL);
	want(c, "remote.example", "http", NULL);
	want(c, "other.example", "http", NULL);
	reg_client_free(c);
}

static void tls_makes_https_unless_the_registry_is_insecure(void **state)
{
	struct reg_client *c = client(0, 1, NULL);
	(void)state;
	want(c, "127.0.0.1:1", "http", NULL);
	want(c, "127.0.0.1:2", "https", NULL);
	want(c, "127.0.0.1:3", "https", "/own.pem");
	want(c, "127.0.0.1:4", "https", NULL);
	want(c, "127.0.0.1:5", "https", NULL);
	want(c, "remote.example", "https", NULL);
	reg_client_free(c);
}

static void ca_file_is_every_registrys_unless_it_names_its_own(void **state)
{
	struct reg_client *c = client(0, 0, "/cli.pem");
	(void)state;
	want(c, "127.0.0.1:1", "http", "/cli.pem"); /* plain: the bundle is never used */
	want(c, "127.0.0.1:2", "https", "/cli.pem");
	want(c, "127.0.0.1:3", "https", "/own.pem");
	want(c, "127.0.0.1:4", "https", "/cli.pem");
	want(c, "127.0.0.1:5", "https", "/cli.pem");
	want(c, "remote.example", "https", "/cli.pem");
	want(c, "other.example", "https", "/cli.pem");
	reg_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(no_options_loopback_is_plain),
	    cmocka_unit_test(insecure_makes_plain_unless_the_registry_asks_for_tls),
	    cmocka_unit_test(tls_makes_https_unless_the_registry_is_insecure),
	    cmocka_unit_test(ca_file_is_every_registrys_unless_it_names_its_own),
	};
	return cmocka_run_group_tests_name("reg_tls_settings", tests, NULL, NULL);
}
