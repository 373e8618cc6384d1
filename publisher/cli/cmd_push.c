/* cmd_push.c — `manifold push from-spec FILE` and `manifold push from-args`:
 * push one list, manifest-tool style, and print "Digest: sha256:… SIZE". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_output.h"
#include "lists.h"

static int push_main(const struct cli_command *cmd, int argc, char **argv)
{
	int from_spec = cmd->id == CLI_PUSH_SPEC, rc = CLI_EXIT_USAGE, pr;
	struct cli_args a;
	struct base_error err = {0};
	struct pub_list_result res = {0};

	pr = cli_parse(cmd, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		goto out;
	}
	if (from_spec && a.n_operands != 1) {
		cli_error("push from-spec", "takes one FILE; see 'manifold push "
		                            "from-spec --help'");
		goto out;
	}
	if (!from_spec && (a.n_operands || !a.platforms || !a.template_ref || !a.target)) {
		cli_error("push from-args", "needs --platforms, --template and "
		                            "--target (and no other arguments)");
		goto out;
	}
	struct pub_push_options o = {
	    .g = a.g,
	    .spec_file = from_spec ? a.operands[0] : NULL,
	    .platforms = a.platforms,
	    .template_ref = a.template_ref,
	    .target = a.target,
	    .tags = a.tags,
	    .annotations = (const char *const *)a.annotations.v,
	    .n_annotations = a.annotations.n,
	    .verify = !a.no_verify,
	    .ignore_missing = a.ignore_missing,
	    .allow_shrink = a.allow_shrink,
	    .overwrite = a.overwrite,
	};
	pr = pub_push_run(&o, &res, &err);
	if (pr < 0) {
		cli_error("push", "%s", err.msg);
		rc = cli_exit_of_rc(pr);
		goto out;
	}
	pr = cli_list_result_print("push", &res, a.g.dry_run, a.json,
	                           "the tags already hold this list");
	rc = pr < 0 ? CLI_EXIT_FAILED : pr > 0 ? CLI_EXIT_INCOMPLETE : CLI_EXIT_OK;
out:
	pub_list_result_free(&res);
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
	"spec error (nothing written), 3 held: a tag's list would lose a platform or a tag "       \
	"holds an image (nothing written)"

const struct cli_command cli_cmd_push_spec = {
    .name = "push from-spec",
    .id = CLI_PUSH_SPEC,
    .run = push_spec_main,
    .synopsis = "FILE [options]",
    .summary = "push the list a manifest-tool YAML spec describes",
    .description =
        "Push the multi-arch list of a manifest-tool spec (image, tags,\n"
        "manifests[].image/platform, annotations) and print \"Digest: sha256:<hex> <size>\"\n"
        "as manifest-tool does. Every tag is read first: when one's list would lose a\n"
        "platform or one holds an image, no tag is written (exit 3).",
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
                   "\"Digest: sha256:<hex> <size>\" as manifest-tool does. Every tag is read\n"
                   "first: when one's list would lose a platform or one holds an image, no tag\n"
                   "is written (exit 3).",
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
