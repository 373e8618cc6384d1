/* cmd_verify.c — `manifold verify REF --key PUB.pem`: check a published
 * list's cosign signature and its publish record against public keys;
 * exit 1 naming what failed. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_output.h"
#include "verify.h"

static int print_json(const char *text, const struct pub_verify_result *r)
{
	cJSON *root = cli_json_root(), *st = NULL;
	if (!root)
		return -1;
	cJSON_AddStringToObject(root, "reference", text);
	cJSON_AddStringToObject(root, "digest", r->digest);
	cJSON_AddStringToObject(root, "signature", r->signature);
	if (r->signed_by)
		cJSON_AddStringToObject(root, "signed_by", r->signed_by);
	cJSON_AddStringToObject(root, "record", r->record);
	if (r->record_by)
		cJSON_AddStringToObject(root, "record_by", r->record_by);
	if (r->statement && (st = cJSON_Parse(r->statement)))
		cJSON_AddItemToObject(root, "statement", st);
	cJSON_AddBoolToObject(root, "verified", r->ok);
	return cli_json_print(stdout, root);
}

static int cmd_verify_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	struct base_error err = {0};
	struct pub_verify_result res = {0};
	int rc = CLI_EXIT_USAGE, pr, r;

	(void)prog;
	pr = cli_parse(&cli_cmd_verify, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		goto out;
	}
	if (a.n_operands != 1 || a.keys.n == 0) {
		cli_error("verify", "needs REF and --key PUB.pem; see 'manifold verify "
		                    "--help'");
		goto out;
	}
	struct pub_verify_options o = {
	    .g = a.g,
	    .ref = a.operands[0],
	    .key_files = (const char *const *)a.keys.v,
	    .n_key_files = a.keys.n,
	};
	r = pub_verify_run(&o, &res, &err);
	if (r < 0) {
		cli_error("verify", "%s", err.msg);
		rc = cli_exit_of_rc(r);
		goto out;
	}
	if (a.json) {
		if (print_json(a.operands[0], &res) < 0) {
			rc = CLI_EXIT_FAILED;
			goto out;
		}
	} else {
		printf("Digest:    %s\n", res.digest);
		printf("Signature: %s%s%s\n", res.signature, res.signed_by ? " by " : "",
		       res.signed_by ? res.signed_by : "");
		printf("Record:    %s%s%s\n", res.record, res.record_by ? " by " : "",
		       res.record_by ? res.record_by : "");
	}
	if (!res.ok) {
		cli_error("verify", "%s@%s: %s%s%s", a.operands[0], res.digest,
		          strcmp(res.signature, "valid") != 0 ? res.signature : "",
		          strcmp(res.signature, "valid") != 0 && strcmp(res.record, "valid") != 0
		              ? "; "
		              : "",
		          strcmp(res.record, "valid") != 0 ? res.record : "");
		rc = CLI_EXIT_FAILED;
		goto out;
	}
	rc = CLI_EXIT_OK;
out:
	pub_verify_result_free(&res);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_verify = {
    .name = "verify",
    .id = CLI_VERIFY,
    .run = cmd_verify_main,
    .synopsis = "REF --key PUB.pem [--key PUB.pem]... [-o json]",
    .summary = "check a list's signature and publish record against public keys",
    .description =
        "Read what REF holds, its cosign signature (the sha256-<hex>.sig tag) and its publish\n"
        "record (an in-toto statement in a DSSE envelope, the sha256-<hex>.att tag), and check\n"
        "both against the public keys: the signature must be by one of them and for exactly\n"
        "this digest; the record must be signed by one of them, name this digest, and list\n"
        "the list's children in order. A promoted copy (retag) verifies too: its record\n"
        "names the repository the list was published in. docs/signing.md describes the\n"
        "formats.",
    .exit_codes = "0 signature and record verified, 1 either did not (the message says which "
                  "and why) or a registry error, 2 usage error or a key that cannot be read",
    .formats = cli_formats_text_json,
    .max_operands = -1,
};
