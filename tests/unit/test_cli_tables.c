/* test_cli_tables.c — the man page's EXIT STATUS and ENVIRONMENT sections
 * and the same parts of `manifold --help` are the exit-code table and the
 * environment table, entry for entry and in order (read back from the
 * rendered text, escapes undone); the tables hold the codes and variables
 * manifold is known to use; the accessor reads only variables of the table. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base.h"
#include "unit.h"

static const struct cli_program no_commands = {NULL, 0};

/* What a printer wrote to f, as a C string (caller frees). */
static char *render(int man)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (man)
		assert_int_equal(cli_man_print(f, &no_commands), 0);
	else
		cli_program_help_print(f, &no_commands);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* roff as a reader sees it: "\-" "-", "\e" "\", "\&" nothing, fonts gone. */
static void unroff(char *s)
{
	char *out = s;
	while (*s) {
		if (s[0] == '\\' && s[1] == 'f' && s[2]) {
			s += 3;
		} else if (s[0] == '\\' && s[1] == '-') {
			*out++ = '-';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'e') {
			*out++ = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == '&') {
			s += 2;
		} else {
			*out++ = *s++;
		}
	}
	*out = 0;
}

/* The .TP items of section `heading` in man: labels[i], texts[i] (pointing
 * into man, which is cut up), their number. */
static size_t man_items(char *man, const char *heading, char **labels, char **texts, size_t max)
{
	char *p = strstr(man, heading), *end;
	size_t n = 0;

	assert_non_null(p);
	p += strlen(heading);
	end = strstr(p, "\n.SH ");
	if (end)
		end[1] = 0;
	while (strncmp(p, ".TP\n", 4) == 0 && n < max) {
		char *nl;
		labels[n] = p + 4;
		nl = strchr(labels[n], '\n');
		assert_non_null(nl);
		*nl = 0;
		texts[n] = nl + 1;
		nl = strchr(texts[n], '\n');
		assert_non_null(nl);
		*nl = 0;
		p = nl + 1;
		unroff(labels[n]);
		unroff(texts[n]);
		n++;
	}
	assert_string_equal(p, ""); /* nothing else in the section */
	return n;
}

static void man_exit_status_is_the_exit_code_table(void **state)
{
	char *man = render(1), *labels[32], *texts[32], want[16];
	size_t n = man_items(man, "\n.SH EXIT STATUS\n", labels, texts, 32);

	(void)state;
	assert_int_equal(n, cli_n_exit_statuses);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%d", cli_exit_statuses[i].code);
		assert_string_equal(labels[i], want);
		assert_string_equal(texts[i], cli_exit_statuses[i].meaning);
	}
	free(man);
}

static void man_environment_is_the_environment_table(void **state)
{
	char *man = render(1), *labels[64], *texts[64], want[256];
	size_t n = man_items(man, "\n.SH ENVIRONMENT\n", labels, texts, 64);

	(void)state;
	assert_int_equal(n, base_env_n_vars);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s=%s", base_env_vars[i].name,
		         base_env_vars[i].value);
		assert_string_equal(labels[i], want);
		assert_string_equal(texts[i], base_env_vars[i].help);
	}
	free(man);
}

/* The entries of `manifold --help`'s part `heading` ("environment:\n"):
 * each starts at column 2, its text continues on lines indented further;
 * rejoined with single spaces as "LABEL TEXT". */
static size_t help_items(char *help, const char *heading, char **items, size_t max)
{
	char *p = strstr(help, heading);
	size_t n = 0;

	assert_non_null(p);
	p += strlen(heading);
	while (*p == ' ' && p[1] == ' ' && p[2] != ' ' && n < max) {
		char *out = p, *s = p + 2;
		items[n++] = out;
		for (;;) {
			size_t len = strcspn(s, "\n");
			memmove(out, s, len);
			out += len;
			s += len;
			if (*s == '\n')
				s++;
			if (strncmp(s, "      ", 6) != 0)
				break;
			while (*s == ' ')
				s++;
			*out++ = ' ';
		}
		/* columns of spaces between label and text become one */
		*out = 0;
		for (char *a = items[n - 1], *b = a;; b++) {
			if (!(b[0] == ' ' && b[1] == ' '))
				*a++ = *b;
			if (!*b)
				break;
		}
		p = s;
	}
	return n;
}

static void help_lists_both_tables(void **state)
{
	char *help = render(0), *codes = NULL, *items[64], want[1024];
	size_t n;

	(void)state;
	/* two passes over one copy: the environment part first (it follows) */
	codes = strdup(help);
	assert_non_null(codes);
	n = help_items(help, "\nenvironment:\n", items, 64);
	assert_int_equal(n, base_env_n_vars);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s=%s %s", base_env_vars[i].name,
		         base_env_vars[i].value, base_env_vars[i].help);
		assert_string_equal(items[i], want);
	}
	n = help_items(codes, "\nexit status:\n", items, 64);
	assert_int_equal(n, cli_n_exit_statuses);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%d %s", cli_exit_statuses[i].code,
		         cli_exit_statuses[i].meaning);
		assert_string_equal(items[i], want);
	}
	free(codes);
	free(help);
}

static void tables_hold_the_known_codes_and_variables(void **state)
{
	static const int codes[] = {0, 1, 2, 3, 4, 130, 143};
	static const char *const names[] = {"DOCKER_CONFIG",
	                                    "REGISTRY_AUTH_FILE",
	                                    "JOB_COMPLETION_INDEX",
	                                    "JOB_COMPLETIONS",
	                                    "MANIFOLD_INCOMPLETE_EXIT",
	                                    "MANIFOLD_GIT_USERNAME",
	                                    "MANIFOLD_GIT_PASSWORD",
	                                    "MANIFOLD_READBACK_TIMEOUT_MS",
	                                    "MANIFOLD_STATUS_LOCK_WAIT",
	                                    "NO_COLOR"};
	(void)state;
	assert_int_equal(cli_n_exit_statuses, UNIT_COUNT(codes));
	for (size_t i = 0; i < UNIT_COUNT(codes); i++)
		assert_int_equal(cli_exit_statuses[i].code, codes[i]);
	for (size_t i = 0; i < UNIT_COUNT(names); i++) {
		size_t j = 0;
		while (j < base_env_n_vars && strcmp(base_env_vars[j].name, names[i]) != 0)
			j++;
		if (j == base_env_n_vars)
			fail_msg("%s is not in the environment table", names[i]);
	}
	/* one row per name */
	for (size_t i = 0; i < base_env_n_vars; i++)
		for (size_t j = i + 1; j < base_env_n_vars; j++)
			assert_string_not_equal(base_env_vars[i].name, base_env_vars[j].name);
}

static void env_reads_only_the_table(void **state)
{
	(void)state;
	assert_int_equal(setenv("MANIFOLD_NOW", "2026-01-02T03:04:05Z", 1), 0);
	assert_int_equal(setenv("MANIFOLD_NOT_IN_THE_TABLE", "x", 1), 0);
	assert_string_equal(base_env("MANIFOLD_NOW"), "2026-01-02T03:04:05Z");
	assert_null(base_env("MANIFOLD_NOT_IN_THE_TABLE"));
	/* the config-named row is no variable of its own */
	assert_int_equal(setenv("NAME", "y", 1), 0);
	assert_null(base_env("NAME"));
	assert_string_equal(base_env_named("MANIFOLD_NOT_IN_THE_TABLE"), "x");
	assert_int_equal(unsetenv("MANIFOLD_NOW"), 0);
	assert_null(base_env("MANIFOLD_NOW"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(man_exit_status_is_the_exit_code_table),
	    cmocka_unit_test(man_environment_is_the_environment_table),
	    cmocka_unit_test(help_lists_both_tables),
	    cmocka_unit_test(tables_hold_the_known_codes_and_variables),
	    cmocka_unit_test(env_reads_only_the_table),
	};
	return unit_run_group("test_cli_tables", tests, argc, argv);
}
