/* main.c — the manifold command line: global flags, then one subcommand
 * (each lives in its own cmd_*.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"check", cmd_check_main, "HEAD every per-arch tag and print readiness; writes nothing"},
    {"publish", cmd_publish_main, "publish every ready multi-arch target (the nightly job)"},
    {"retag", cmd_retag_main, "bulk copy of tags: arch-suffixed names <-> tags, promotion"},
    {"inspect", cmd_inspect_main, "show what a tag holds: entries, platforms, digests, layers"},
    {"status", cmd_status_main, "report on status files (table, json, markdown, html)"},
    {"push", cmd_push_main, "push one list: push from-spec FILE | push from-args ..."},
    {"append", cmd_append_main, "add or replace one entry of an existing list"},
    {"annotate", cmd_annotate_main, "change the platform fields of one list entry"},
    {"delete", cmd_delete_main, "delete a list (never its children)"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: manifold [--log-format text|json] [-v] COMMAND [ARGS]\n\n"
	           "Publishes multi-architecture images from per-architecture builds.\n\n"
	           "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'manifold COMMAND --help' for a command's options.\n"
	           "Exit codes: 0 ok, 1 a target failed, 2 usage or config error, 3 a target "
	           "incomplete.\n");
}

/* Global flags may stand anywhere; they are taken out before dispatch. */
static int take_globals(int *argc, char **argv, enum cli_log_format *fmt, enum pub_log_level *lvl)
{
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i], *val = NULL;
		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strncmp(a, "--log-format=", 13) == 0) {
			val = a + 13;
		} else if (strcmp(a, "--log-format") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr,
				        "manifold: --log-format needs a value (text or json)\n");
				return -1;
			}
			val = argv[++i];
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			*lvl = PUB_LOG_DEBUG;
			continue;
		} else {
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(val, "json") == 0) {
			*fmt = CLI_LOG_JSON;
		} else if (strcmp(val, "text") == 0) {
			*fmt = CLI_LOG_TEXT;
		} else {
			fprintf(stderr, "manifold: --log-format: \"%s\" is not text or json\n",
			        val);
			return -1;
		}
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	enum cli_log_format fmt = CLI_LOG_TEXT;
	enum pub_log_level lvl = PUB_LOG_INFO;

	if (take_globals(&argc, argv, &fmt, &lvl) < 0)
		return PUB_EXIT_USAGE;
	cli_log_init(fmt, lvl);
	if (argc < 2) {
		usage(stderr);
		return PUB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return PUB_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("manifold %s\n", MANIFOLD_VERSION);
		return PUB_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "manifold: \"%s\" is not a command; see 'manifold --help'\n", argv[1]);
	return PUB_EXIT_USAGE;
}
