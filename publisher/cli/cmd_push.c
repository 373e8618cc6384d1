/* cmd_push.c — `manifold push from-spec FILE` and `manifold push from-args`:
 * push one list, manifest-tool style, and print "Digest: sha256:… SIZE". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int push_main(const struct cli_command *cmd, int argc, char **argv)
{
	int from_spec = cmd->id == CLI_PUSH_SPEC, rc = PUB_EXIT_USAGE, pr;
	struct cli_args a;
	struct base_error err = {0};
	struct farm_error ferr = {0};
	struct farm_config *cfg = NULL;
	struct pub_single single = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_list_result res = {0};

	pr = cli_parse(cmd, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? PUB_EXIT_OK : PUB_EXIT_USAGE;
		goto out;
	}
	if (from_spec) {
		if (a.n_operands != 1) {
			fprintf(stderr,
			        "manifold push from-spec: takes one FILE; see 'manifold push "
			        "from-spec --help'\n");
			goto out;
		}
		struct farm_load_options lo = {.platform_check = pub_spec_platform_check};
		if (farm_config_load(a.operands[0], &lo, &cfg, &ferr) < 0) {
			fprintf(stderr, "manifold push: %s\n", ferr.msg);
			goto out;
		}
		if (!cfg->is_spec) {
			fprintf(stderr,
			        "manifold push: %s is a manifold config, not a manifest-tool spec; "
			        "use 'manifold publish -c %s'\n",
			        a.operands[0], a.operands[0]);
			goto out;
		}
		if (pub_single_from_spec(cfg, &single, &err) < 0) {
			fprintf(stderr, "manifold push: %s\n", err.msg);
			goto out;
		}
	} else {
		if (a.n_operands || !a.platforms || !a.template_ref || !a.target) {
			fprintf(stderr,
			        "manifold push from-args: needs --platforms, --template and "
			        "--target (and no other arguments)\n");
			goto out;
		}
		if (pub_single_from_args(a.platforms, a.template_ref, a.target, a.tags, &single,
		                         &err) < 0) {
			fprintf(stderr, "manifold push: %s\n", err.msg);
			goto out;
		}
	}
	/* --annotation adds to (and overrides) the spec's index annotations. */
	for (size_t i = 0; i < a.annotations.n; i++) {
		if (pub_annotation_add(&single.annotations, &single.n_annotations,
		                       a.annotations.v[i], &err) < 0) {
			fprintf(stderr, "manifold push: --annotation: %s\n", err.msg);
			goto out;
		}
	}
	if (a.no_verify)
		single.verify = 0;

	rc = PUB_EXIT_FAILED;
	if (pub_session_open(cfg, &a.g, &client, &sess, &err) < 0) {
		fprintf(stderr, "manifold push: %s\n", err.msg);
		goto out;
	}
	if (pub_single_push(sess, &single, a.ignore_missing, a.g.dry_run, &res, &err) < 0) {
		fprintf(stderr, "manifold push: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < single.n_children; i++) {
		const struct pub_child *c = &single.children[i];
		if (c->state != PUB_P_MISSING)
			continue;
		char *p = reg_platform_format(&c->platform);
		pub_log(PUB_LOG_WARN, "%s: left out, %s does not exist (--ignore-missing)",
		        p ? p : "?", c->source);
		free(p);
	}
	if (cli_list_result_print(&res, a.g.dry_run, a.json, "the tags already hold this list") < 0)
		goto out;
	rc = PUB_EXIT_OK;
out:
	reg_session_free(sess);
	reg_client_free(client);
	pub_single_free(&single);
	farm_config_free(cfg);
	cli_args_free(&a);
	return rc;
}

static int push_spec_main(const struct cli_program *prog, int argc, char **argv)
{
	(void)prog;
	return push_main(&cli_cmd_push_spec, argc, argv);
}

static int push_args_main(const struct cli_program *prog, int argc, char **argv)
{
	(void)prog;
	return push_main(&cli_cmd_push_args, argc, argv);
}

static int cmd_push_main(const struct cli_program *prog, int argc, char **argv)
{
	return cli_run_subcommand(prog, &cli_cmd_push, argc, argv);
}

#define PUSH_EXIT                                                                                  \
	"0 pushed or unchanged, 1 registry error or a platform missing or wrong, 2 usage or "      \
	"spec error (nothing written)"

const struct cli_command cli_cmd_push_spec = {
    .name = "push from-spec",
    .id = CLI_PUSH_SPEC,
    .run = push_spec_main,
    .synopsis = "FILE [options]",
    .summary = "push the list a manifest-tool YAML spec describes",
    .description =
        "Push the multi-arch list of a manifest-tool spec (image, tags,\n"
        "manifests[].image/platform, annotations) and print \"Digest: sha256:<hex> <size>\"\n"
        "as manifest-tool does.",
    .exit_codes = PUSH_EXIT,
    .formats = cli_formats_text_json,
    .max_operands = 1,
    .operands = CLI_COMP_FILE,
};

const struct cli_command cli_cmd_push_args = {
    .name = "push from-args",
    .id = CLI_PUSH_ARGS,
    .run = push_args_main,
    .synopsis = "--platforms P1,P2 --template SOURCE --target REF [--tags a,b] [options]",
    .summary = "push a list from a source template and a platform list",
    .description = "Expand SOURCE per platform (ARCH OS VARIANT, or {arch} {os} {variant}), e.g.\n"
                   "--template reg/app-ARCH:v1 --target reg/app:v1, push the list and print\n"
                   "\"Digest: sha256:<hex> <size>\" as manifest-tool does.",
    .exit_codes = PUSH_EXIT,
    .formats = cli_formats_text_json,
    .max_operands = 0,
};

static const struct cli_command *const push_subcommands[] = {&cli_cmd_push_spec, &cli_cmd_push_args,
                                                             NULL};

const struct cli_command cli_cmd_push = {
    .name = "push",
    .id = CLI_PUSH,
    .run = cmd_push_main,
    .synopsis = "from-spec FILE [options]\nfrom-args --platforms P1,P2 --template SOURCE "
                "--target REF [options]",
    .summary = "push one list: push from-spec FILE | push from-args ...",
    .description = "Push one multi-arch list, manifest-tool style.",
    .exit_codes = PUSH_EXIT,
    .max_operands = -1,
    .subcommands = push_subcommands,
};
