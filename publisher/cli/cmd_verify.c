/* cmd_verify.c — `manifold verify REF --key PUB.pem`: check a published
 * list's cosign signature and its publish record against public keys;
 * exit 1 naming what failed. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

static int print_json(const struct reg_ref *ref, const char *text,
                      const struct pub_verify_result *r)
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
	(void)ref;
	return cli_json_print(stdout, root);
}

static int cmd_verify_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	struct base_error err = {0};
	struct reg_ref ref = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_verify_result res = {0};
	int rc = PUB_EXIT_USAGE, pr, r;

	(void)prog;
	pr = cli_parse(&cli_cmd_verify, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? PUB_EXIT_OK : PUB_EXIT_USAGE;
		goto out;
	}
	if (a.n_operands != 1 || a.keys.n == 0) {
		fprintf(stderr,
		        "manifold verify: needs REF and --key PUB.pem; see 'manifold verify "
		        "--help'\n");
		goto out;
	}
	if (reg_ref_parse(a.operands[0], &ref, &err) < 0) {
		fprintf(stderr, "manifold verify: %s\n", err.msg);
		goto out;
	}
	if (pub_session_open(NULL, &a.g, &client, &sess, &err) < 0) {
		fprintf(stderr, "manifold verify: %s\n", err.msg);
		goto out;
	}
	r = pub_verify(sess, &ref, (const char *const *)a.keys.v, a.keys.n, &res, &err);
	if (r < 0) {
		fprintf(stderr, "manifold verify: %s\n", err.msg);
		rc = cli_exit_of_rc(r);
		goto out;
	}
	if (a.json) {
		if (print_json(&ref, a.operands[0], &res) < 0) {
			rc = PUB_EXIT_FAILED;
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
		fprintf(stderr, "manifold verify: %s@%s: %s%s%s\n", a.operands[0], res.digest,
		        strcmp(res.signature, "valid") != 0 ? res.signature : "",
		        strcmp(res.signature, "valid") != 0 && strcmp(res.record, "valid") != 0
		            ? "; "
		            : "",
		        strcmp(res.record, "valid") != 0 ? res.record : "");
		rc = PUB_EXIT_FAILED;
		goto out;
	}
	rc = PUB_EXIT_OK;
out:
	pub_verify_result_free(&res);
	reg_session_free(sess);
	reg_client_free(client);
	reg_ref_free(&ref);
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
