/* cmd_inspect.c — `manifold inspect`: flags, then fetch (or read a file) and
 * render what a tag holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A manifest file is at most what a registry would send us. */
#define INSPECT_FILE_MAX REG_MANIFEST_MAX

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: manifold inspect REF [--raw] [--platform P] [--output json] [--insecure]\n"
	       "       manifold inspect --file F [--raw] [--platform P] [--output json]\n\n"
	       "Shows what a tag holds. For a list (manifest list or OCI index): each entry's\n"
	       "media type, digest, size, platform (os, architecture, variant, os.version,\n"
	       "os.features, features), annotations and layers. For an image: its config's\n"
	       "platform and its layers.\n\n"
	       "  --raw           print the manifest's exact bytes (with --platform: the entry's)\n"
	       "  --platform P    only the list entry for P (os/arch[/variant][:os.version])\n"
	       "  --output json   one JSON object on stdout\n"
	       "  --file F        read a manifest from a file; the 2015 \"combined manifest\"\n"
	       "                  form is explained as the OCI index it would be today\n"
	       "                  (--raw then prints that index)\n"
	       "  --insecure      plain HTTP to the registry\n"
	       "  -h, --help      this text\n\n"
	       "Exit codes: 0 ok, 1 the registry failed or an entry could not be fetched,\n"
	       "2 usage error.\n");
}

struct inspect_args {
	const char *ref, *file, *platform;
	int raw;
	struct pub_global g;
};

/* Returns 1 for --help, 0 ok, -1 usage error (message printed). */
static int parse_args(int argc, char **argv, struct inspect_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **slot = NULL;
		if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0)
			return 1;
		if (strcmp(s, "--raw") == 0) {
			a->raw = 1;
			continue;
		}
		if (strcmp(s, "--insecure") == 0) {
			a->g.insecure = 1;
			continue;
		}
		if (strcmp(s, "--file") == 0) {
			slot = &a->file;
		} else if (strcmp(s, "--platform") == 0) {
			slot = &a->platform;
		} else if (strcmp(s, "--output") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "manifold inspect: --output needs a value\n");
				return -1;
			}
			const char *v = argv[++i];
			if (strcmp(v, "json") == 0) {
				a->g.output_json = 1;
			} else if (strcmp(v, "text") != 0) {
				fprintf(stderr,
				        "manifold inspect: --output: \"%s\" is not text or json\n",
				        v);
				return -1;
			}
			continue;
		} else if (s[0] == '-' && s[1] != '\0') {
			fprintf(stderr, "manifold inspect: unknown option \"%s\"; see --help\n", s);
			return -1;
		} else if (a->ref) {
			fprintf(stderr,
			        "manifold inspect: one reference only (\"%s\" and \"%s\")\n",
			        a->ref, s);
			return -1;
		} else {
			a->ref = s;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "manifold inspect: %s needs a value\n", s);
			return -1;
		}
		*slot = argv[++i];
	}
	if (!a->ref == !a->file) {
		fprintf(stderr, "manifold inspect: give a reference or --file F (one of them); "
		                "see --help\n");
		return -1;
	}
	if (a->raw && a->g.output_json) {
		fprintf(stderr, "manifold inspect: --raw and --output json exclude each other\n");
		return -1;
	}
	return 0;
}

static int read_file(const char *path, struct reg_buf *out, struct reg_error *err)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		reg_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(INSPECT_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		reg_error_set(err, "out of memory");
		return -1;
	}
	n = fread(buf, 1, INSPECT_FILE_MAX + 1, f);
	if (ferror(f) || n > INSPECT_FILE_MAX) {
		reg_error_set(err, "%s: %s", path,
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

static int write_raw(const struct reg_buf *b)
{
	return fwrite(b->data, 1, b->len, stdout) == b->len ? 0 : -1;
}

int cmd_inspect_main(int argc, char **argv)
{
	struct inspect_args a = {0};
	struct pub_inspect in = {0};
	struct reg_platform want = {0};
	struct reg_ref ref = {0};
	struct reg_client *client = NULL;
	struct reg_session *session = NULL;
	struct reg_buf file = {0};
	struct reg_error e;
	int rc = PUB_EXIT_USAGE, pr, have_want = 0;

	reg_error_clear(&e);
	in.picked = -1;
	pr = parse_args(argc, argv, &a);
	if (pr == 1) {
		usage(stdout);
		return PUB_EXIT_OK;
	}
	if (pr < 0)
		return PUB_EXIT_USAGE;
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
		if (reg_ref_parse(a.ref, &ref, &e) < 0) {
			fprintf(stderr, "manifold inspect: %s\n", e.msg);
			goto out;
		}
		rc = PUB_EXIT_FAILED;
		if (pub_client_new(NULL, &a.g, &client, &e) < 0 ||
		    reg_session_new(client, &session, &e) < 0 ||
		    pub_inspect_fetch(session, a.ref, &ref, have_want ? &want : NULL, &in, &e) <
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
	if (a.g.output_json) {
		if (pub_inspect_render_json(stdout, &in) < 0) {
			fprintf(stderr, "manifold inspect: out of memory\n");
			rc = PUB_EXIT_FAILED;
		}
	} else {
		pub_inspect_render_text(stdout, &in);
	}
	if (pub_inspect_errors(&in)) {
		pub_log(PUB_LOG_ERROR, "%s: %zu entries could not be fetched",
		        a.ref ? a.ref : a.file, pub_inspect_errors(&in));
		rc = PUB_EXIT_FAILED;
	}
out:
	fflush(stdout);
	pub_inspect_free(&in);
	reg_buf_free(&file);
	reg_ref_free(&ref);
	reg_platform_free(&want);
	reg_session_free(session);
	reg_client_free(client);
	return rc;
}
