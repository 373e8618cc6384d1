/* cmd_inspect.c — `manifold inspect`: options, then fetch (or read a file) and
 * render what a tag holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A manifest file is at most what a registry would send us. */
#define INSPECT_FILE_MAX REG_MANIFEST_MAX

/* -1 after printing why the options do not go together. */
static int check_args(const struct cli_args *a)
{
	if (a->n_operands > 1) {
		fprintf(stderr, "manifold inspect: one reference only (\"%s\" and \"%s\")\n",
		        a->operands[0], a->operands[1]);
		return -1;
	}
	if (!a->n_operands == !a->file) {
		fprintf(stderr, "manifold inspect: give a reference or --file F (one of them); "
		                "see --help\n");
		return -1;
	}
	if (a->raw && a->json) {
		fprintf(stderr, "manifold inspect: --raw and -o json exclude each other\n");
		return -1;
	}
	return 0;
}

static int read_file(const char *path, struct base_buf *out, struct base_error *err)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		base_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(INSPECT_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		base_error_set(err, "out of memory");
		return -1;
	}
	n = fread(buf, 1, INSPECT_FILE_MAX + 1, f);
	if (ferror(f) || n > INSPECT_FILE_MAX) {
		base_error_set(err, "%s: %s", path,
		               ferror(f) ? strerror(errno)
		                         : "larger than a manifest may be (4 MiB)");
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	out->data = buf;
	out->len = n;
	return 0;
}

static int write_raw(const struct base_buf *b)
{
	return fwrite(b->data, 1, b->len, stdout) == b->len ? 0 : -1;
}

/* --signatures: the digest's cosign tags, one line each (docs/signing.md). */
static int inspect_signatures(struct reg_session *s, const struct reg_ref *ref, const char *digest)
{
	struct pub_sig_info info;
	struct base_error e;

	base_error_clear(&e);
	if (pub_sig_inspect(s, ref, digest, &info, &e) < 0) {
		fprintf(stderr, "manifold inspect: signatures: %s\n", e.msg);
		return -1;
	}
	if (info.n_items == 0)
		printf("signatures:  none\n");
	for (size_t i = 0; i < info.n_items; i++)
		printf("%s:%*s%s\n", info.items[i].kind, (int)(12 - strlen(info.items[i].kind)), "",
		       info.items[i].detail);
	pub_sig_info_free(&info);
	return 0;
}

static int cmd_inspect_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	struct pub_inspect in = {0};
	struct reg_platform want = {0};
	struct reg_ref ref = {0};
	struct reg_client *client = NULL;
	struct reg_session *session = NULL;
	struct base_buf file = {0};
	struct base_error e;
	const char *ref_text;
	int rc = PUB_EXIT_USAGE, pr, have_want = 0;

	(void)prog;
	base_error_clear(&e);
	in.picked = -1;
	pr = cli_parse(&cli_cmd_inspect, argc, argv, &a);
	if (pr != 0 || check_args(&a) < 0) {
		cli_args_free(&a);
		return pr > 0 ? PUB_EXIT_OK : PUB_EXIT_USAGE;
	}
	ref_text = a.n_operands ? a.operands[0] : NULL;
	if (a.platform) {
		if (reg_platform_parse(a.platform, &want, &e) < 0) {
			fprintf(stderr, "manifold inspect: --platform: %s\n", e.msg);
			goto out;
		}
		have_want = 1;
	}

	if (a.file) {
		if (read_file(a.file, &file, &e) < 0) {
			fprintf(stderr, "manifold inspect: %s\n", e.msg);
			goto out;
		}
		if (a.raw && !have_want && !pub_inspect_file_is_combined(file.data, file.len)) {
			rc = write_raw(&file) < 0 ? PUB_EXIT_FAILED : PUB_EXIT_OK;
			goto out;
		}
		/* A file that is not a manifest is bad input, like a bad config. */
		if (pub_inspect_file(a.file, file.data, file.len, have_want ? &want : NULL, &in,
		                     &e) < 0) {
			fprintf(stderr, "manifold inspect: %s\n", e.msg);
			goto out;
		}
	} else {
		if (reg_ref_parse(ref_text, &ref, &e) < 0) {
			fprintf(stderr, "manifold inspect: %s\n", e.msg);
			goto out;
		}
		rc = PUB_EXIT_FAILED;
		if (pub_client_new(NULL, &a.g, &client, &e) < 0 ||
		    reg_session_new(client, &session, &e) < 0 ||
		    pub_inspect_fetch(session, ref_text, &ref, have_want ? &want : NULL, &in, &e) <
		        0) {
			fprintf(stderr, "manifold inspect: %s\n", e.msg);
			goto out;
		}
	}

	rc = PUB_EXIT_OK;
	if (a.raw) {
		const struct reg_manifest *m = &in.m;
		if (in.picked >= 0 && in.n_children == 1) {
			if (!in.children[0].fetched) {
				fprintf(stderr, "manifold inspect: %s\n",
				        in.children[0].error ? in.children[0].error
				                             : "entry not fetched");
				rc = PUB_EXIT_FAILED;
				goto out;
			}
			m = &in.children[0].manifest;
		}
		if (write_raw(&m->raw) < 0)
			rc = PUB_EXIT_FAILED;
		goto out;
	}
	if (a.json) {
		if (pub_inspect_render_json(stdout, &in) < 0) {
			fprintf(stderr, "manifold inspect: out of memory\n");
			rc = PUB_EXIT_FAILED;
		}
	} else {
		pub_inspect_render_text(stdout, &in);
		if (a.signatures && session && in.m.digest &&
		    inspect_signatures(session, &ref, in.m.digest) < 0)
			rc = PUB_EXIT_FAILED;
	}
	if (pub_inspect_errors(&in)) {
		pub_log(PUB_LOG_ERROR, "%s: %zu entries could not be fetched",
		        ref_text ? ref_text : a.file, pub_inspect_errors(&in));
		rc = PUB_EXIT_FAILED;
	}
out:
	fflush(stdout);
	pub_inspect_free(&in);
	base_buf_free(&file);
	reg_ref_free(&ref);
	reg_platform_free(&want);
	reg_session_free(session);
	reg_client_free(client);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_inspect = {
    .name = "inspect",
    .id = CLI_INSPECT,
    .run = cmd_inspect_main,
    .synopsis = "REF [--raw] [--platform P] [--signatures] [-o json] [--insecure]\n"
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
