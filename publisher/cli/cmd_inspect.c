/* cmd_inspect.c — `manifold inspect`: options, then fetch (or read a file) and
 * render what a tag holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_output.h"
#include "inspect.h"

/* -1 after printing why the options do not go together. */
static int check_args(const struct cli_args *a)
{
	if (a->n_operands > 1) {
		cli_error("inspect", "one reference only (\"%s\" and \"%s\")", a->operands[0],
		          a->operands[1]);
		return -1;
	}
	if (!a->n_operands == !a->file) {
		cli_error("inspect", "give a reference or --file F (one of them); "
		                     "see --help");
		return -1;
	}
	if (a->raw && a->json) {
		cli_error("inspect", "--raw and -o json exclude each other");
		return -1;
	}
	return 0;
}

static int write_raw(const uint8_t *data, size_t len)
{
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

/* --signatures: the digest's cosign tags, one line each (docs/signing.md). */
static int print_signatures(const struct pub_inspect_result *r)
{
	if (r->sig_error) {
		cli_error("inspect", "%s", r->sig_error);
		return -1;
	}
	if (!r->has_sigs)
		return 0;
	if (r->sigs.n_items == 0)
		printf("signatures:  none\n");
	for (size_t i = 0; i < r->sigs.n_items; i++)
		printf("%s:%*s%s\n", r->sigs.items[i].kind,
		       (int)(12 - strlen(r->sigs.items[i].kind)), "", r->sigs.items[i].detail);
	return 0;
}

static int cmd_inspect_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	struct pub_inspect_result res = {0};
	struct base_error e = {0};
	int rc = CLI_EXIT_USAGE, pr;

	(void)prog;
	pr = cli_parse(&cli_cmd_inspect, argc, argv, &a);
	if (pr != 0 || check_args(&a) < 0) {
		cli_args_free(&a);
		return pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	struct pub_inspect_options o = {
	    .g = a.g,
	    .ref = a.n_operands ? a.operands[0] : NULL,
	    .file = a.file,
	    .platform = a.platform,
	    .raw = a.raw,
	    .signatures = a.signatures && !a.json,
	};
	pr = pub_inspect_run(&o, &res, &e);
	if (pr < 0) {
		cli_error("inspect", "%s", e.msg);
		rc = cli_exit_of_rc(pr);
		goto out;
	}
	rc = CLI_EXIT_OK;
	if (res.has_raw) {
		if (write_raw(res.raw, res.raw_len) < 0)
			rc = CLI_EXIT_FAILED;
		goto out;
	}
	if (a.json) {
		if (cli_inspect_render_json(stdout, res.report) < 0) {
			cli_error("inspect", "out of memory");
			rc = CLI_EXIT_FAILED;
		}
	} else {
		pub_inspect_render_text(stdout, res.report);
		if (print_signatures(&res) < 0)
			rc = CLI_EXIT_FAILED;
	}
	if (res.errors) {
		pub_log(PUB_LOG_ERROR, "%s: %zu entries could not be fetched",
		        o.ref ? o.ref : a.file, res.errors);
		rc = CLI_EXIT_FAILED;
	}
out:
	fflush(stdout);
	pub_inspect_result_free(&res);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_inspect = {
    .name = "inspect",
    .id = CLI_INSPECT,
    .run = cmd_inspect_main,
    .synopsis =
        "REF [--raw] [--platform P] [--signatures] [-o json] [--insecure | --tls] [--ca-file F]\n"
        "--file F [--raw] [--platform P] [-o json]",
    .summary = "show what a tag holds: entries, platforms, digests, layers",
    .description = "Shows what a tag holds. For a list (manifest list or OCI index): each entry's\n"
                   "media type, digest, size, platform (os, architecture, variant, os.version,\n"
                   "os.features, features), annotations and layers. For an image: its config's\n"
                   "platform and its layers. With --file on the 2015 \"combined manifest\" form,\n"
                   "the OCI index it would be today (--raw then prints that index).",
    .exit_codes = "0 ok, 1 the registry failed or an entry could not be fetched, 2 usage error",
    .formats = cli_formats_text_json,
    .max_operands = -1,
};
