/* cmd_delete.c — `manifold delete TARGET`: delete a list (by digest; its
 * children stay), refusing when the digest also backs another tag. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: manifold delete TARGET [--force] [--insecure] [--dry-run]\n\n"
	        "Delete the list TARGET points at. Only the list goes; the images it lists stay.\n"
	        "A registry deletes by digest, which removes every tag on that digest: when\n"
	        "another tag of the repository holds the same list, or TARGET is an image and\n"
	        "not a list, delete refuses unless --force.\n\n"
	        "options:\n"
	        "  --force       delete even so\n"
	        "  --insecure    plain HTTP (loopback registries are plain by default)\n"
	        "  --dry-run     check everything, delete nothing\n"
	        "  -h, --help    this text\n\n"
	        "Exit codes: 0 deleted, 1 refused, registry error, or deletes disabled on the\n"
	        "registry, 2 usage error.\n");
}

enum { O_FORCE = 256, O_INSECURE, O_DRYRUN };

static const struct option longopts[] = {
    {"force", no_argument, NULL, O_FORCE},
    {"insecure", no_argument, NULL, O_INSECURE},
    {"dry-run", no_argument, NULL, O_DRYRUN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_delete_main(int argc, char **argv)
{
	static char prog[] = "manifold delete";
	int force = 0, rc = PUB_EXIT_USAGE, opt;
	struct pub_global g = {0};
	struct reg_error err = {0};
	struct reg_ref target = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_delete_result res = {0};

	argv[0] = prog;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_FORCE:
			force = 1;
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
			fprintf(stderr, "see 'manifold delete --help'\n");
			goto out;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "manifold delete: needs TARGET; see 'manifold delete --help'\n");
		goto out;
	}
	if (reg_ref_parse(argv[optind], &target, &err) < 0) {
		fprintf(stderr, "manifold delete: %s\n", err.msg);
		goto out;
	}
	rc = PUB_EXIT_FAILED;
	if (pub_session_open(NULL, &g, &client, &sess, &err) < 0 ||
	    pub_list_delete(sess, &target, force, g.dry_run, &res, &err) < 0) {
		fprintf(stderr, "manifold delete: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < res.n_other_tags; i++)
		pub_log(PUB_LOG_WARN, "tag %s held the same digest and is %s too (--force)",
		        res.other_tags[i], g.dry_run ? "to be deleted" : "deleted");
	if (g.dry_run)
		printf("Would delete: %s\n", res.digest);
	else
		printf("Deleted: %s\n", res.digest);
	rc = PUB_EXIT_OK;
out:
	pub_delete_result_free(&res);
	reg_session_free(sess);
	reg_client_free(client);
	reg_ref_free(&target);
	return rc;
}
