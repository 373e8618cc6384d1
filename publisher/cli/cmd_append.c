/* cmd_append.c — `manifold append TARGET SOURCE [--platform P]`: add one
 * entry to an existing list, or replace the entry for its platform. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: manifold append TARGET SOURCE [--platform P] [OPTIONS]\n\n"
	    "Add SOURCE to the list TARGET, or replace TARGET's entry for the same platform;\n"
	    "every other entry is kept as it is. SOURCE is copied into TARGET's repository.\n"
	    "Prints \"Digest: sha256:<hex> <size>\" of the new list.\n\n"
	    "options:\n"
	    "  --platform P               os/arch[/variant][:os.version] of the entry; needed\n"
	    "                             when SOURCE is a list, else read from SOURCE's config\n"
	    "  --annotation KEY=VALUE     annotation on the new entry (repeatable; OCI index)\n"
	    "  --index-annotation KEY=VALUE  annotation on the list itself (repeatable)\n"
	    "  --no-verify-platform       do not check SOURCE's config against --platform\n"
	    "  --insecure                 plain HTTP (loopback registries are plain by default)\n"
	    "  --dry-run                  compute the new list and print its digest; write "
	    "nothing\n"
	    "  -h, --help                 this text\n\n"
	    "Exit codes: 0 done or unchanged, 1 registry error, 2 usage error.\n");
}

enum { O_PLATFORM = 256, O_ANN, O_IDXANN, O_NOVERIFY, O_INSECURE, O_DRYRUN };

static const struct option longopts[] = {
    {"platform", required_argument, NULL, O_PLATFORM},
    {"annotation", required_argument, NULL, O_ANN},
    {"index-annotation", required_argument, NULL, O_IDXANN},
    {"no-verify-platform", no_argument, NULL, O_NOVERIFY},
    {"insecure", no_argument, NULL, O_INSECURE},
    {"dry-run", no_argument, NULL, O_DRYRUN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_append_main(int argc, char **argv)
{
	static char prog[] = "manifold append";
	const char *platform = NULL;
	struct reg_annotation *ann = NULL, *idx = NULL;
	size_t n_ann = 0, n_idx = 0;
	int verify = 1, rc = PUB_EXIT_USAGE, opt;
	struct pub_global g = {0};
	struct reg_error err = {0};
	struct reg_ref target = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_child child = {0};
	struct pub_list_result res = {0};
	struct pub_edit_result edit = {0};

	argv[0] = prog;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PLATFORM:
			platform = optarg;
			break;
		case O_ANN:
		case O_IDXANN:
			if (pub_annotation_add(opt == O_ANN ? &ann : &idx,
			                       opt == O_ANN ? &n_ann : &n_idx, optarg, &err) < 0) {
				fprintf(stderr, "manifold append: %s\n", err.msg);
				goto out;
			}
			break;
		case O_NOVERIFY:
			verify = 0;
			break;
		case O_INSECURE:
			g.insecure = 1;
			break;
		case O_DRYRUN:
			g.dry_run = 1;
			break;
		case 'h':
			usage(stdout);
			rc = PUB_EXIT_OK;
			goto out;
		default:
			fprintf(stderr, "see 'manifold append --help'\n");
			goto out;
		}
	}
	if (optind + 2 != argc) {
		fprintf(stderr,
		        "manifold append: needs TARGET and SOURCE; see 'manifold append --help'\n");
		goto out;
	}
	if (reg_ref_parse(argv[optind], &target, &err) < 0) {
		fprintf(stderr, "manifold append: %s\n", err.msg);
		goto out;
	}
	if (platform) {
		struct reg_platform p = {0};
		if (reg_platform_parse(platform, &p, &err) < 0) {
			fprintf(stderr, "manifold append: --platform: %s\n", err.msg);
			goto out;
		}
		reg_platform_free(&p);
	}
	rc = PUB_EXIT_FAILED;
	if (pub_session_open(NULL, &g, &client, &sess, &err) < 0 ||
	    pub_append_child(sess, argv[optind + 1], platform, verify, &child, &err) < 0) {
		fprintf(stderr, "manifold append: %s\n", err.msg);
		goto out;
	}
	struct pub_entry_edit e = {
	    .select = &child.platform,
	    .media_type = child.manifest.media_type,
	    .digest = child.manifest.digest,
	    .size = (int64_t)child.manifest.raw.len,
	    .annotations = ann,
	    .n_annotations = n_ann,
	    .index_annotations = idx,
	    .n_index_annotations = n_idx,
	};
	if (pub_list_update(sess, &target, &e, &child, g.dry_run, &res, &edit, &err) < 0) {
		fprintf(stderr, "manifold append: %s\n", err.msg);
		goto out;
	}
	if (res.changed) {
		char *p = reg_platform_format(&child.platform);
		pub_log(PUB_LOG_INFO, "%s entry %s: %s", edit.replaced ? "replaced" : "added",
		        p ? p : "?", child.manifest.digest);
		free(p);
	}
	if (edit.converted)
		pub_log(PUB_LOG_INFO, "the Docker list becomes an OCI image index (annotations "
		                      "or an OCI child need one)");
	if (g.dry_run)
		pub_log(PUB_LOG_INFO, "dry run: nothing written");
	else if (!res.changed)
		pub_log(PUB_LOG_INFO, "unchanged: the list already holds this entry");
	printf("Digest: %s %zu\n", res.digest, res.size);
	rc = PUB_EXIT_OK;
out:
	pub_edit_result_free(&edit);
	pub_child_free(&child);
	reg_session_free(sess);
	reg_client_free(client);
	reg_ref_free(&target);
	pub_annotations_free(ann, n_ann);
	pub_annotations_free(idx, n_idx);
	return rc;
}
