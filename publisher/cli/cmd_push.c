/* cmd_push.c — `manifold push from-spec FILE` and `manifold push from-args`:
 * push one list, manifest-tool style, and print "Digest: sha256:… SIZE". */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: manifold push from-spec FILE [OPTIONS]\n"
	       "       manifold push from-args --platforms P1,P2 --template SOURCE --target REF\n"
	       "                               [--tags a,b] [OPTIONS]\n\n"
	       "Push one multi-arch list and print \"Digest: sha256:<hex> <size>\" (as "
	       "manifest-tool).\n"
	       "from-spec reads manifest-tool's YAML (image, tags, manifests[].image/platform,\n"
	       "annotations); from-args expands SOURCE per platform (ARCH OS VARIANT, or\n"
	       "{arch} {os} {variant}), e.g. --template reg/app-ARCH:v1 --target reg/app:v1.\n\n"
	       "options:\n"
	       "  --platforms LIST         from-args: os/arch[/variant], comma separated\n"
	       "  --template SOURCE        from-args: per-platform source reference\n"
	       "  --target REF             from-args: the list to push (repo:tag)\n"
	       "  --tags a,b               from-args: more tags for the same list\n"
	       "  --ignore-missing         leave out platforms whose source does not exist\n"
	       "                           (warned); without it a missing one fails the push\n"
	       "  --annotation KEY=VALUE   index annotation (repeatable; makes an OCI index)\n"
	       "  --no-verify-platform     do not check each image's config against its platform\n"
	       "  --insecure               plain HTTP (loopback registries are plain by default)\n"
	       "  --dry-run                resolve everything and print the digest; write nothing\n"
	       "  -h, --help               this text\n\n"
	       "Exit codes: 0 pushed or unchanged, 1 registry error or a platform missing or\n"
	       "wrong, 2 usage or spec error (nothing written).\n");
}

enum {
	O_PLATFORMS = 256,
	O_TEMPLATE,
	O_TARGET,
	O_TAGS,
	O_IGNORE,
	O_ANNOTATION,
	O_NOVERIFY,
	O_INSECURE,
	O_DRYRUN,
};

static const struct option longopts[] = {
    {"platforms", required_argument, NULL, O_PLATFORMS},
    {"template", required_argument, NULL, O_TEMPLATE},
    {"target", required_argument, NULL, O_TARGET},
    {"tags", required_argument, NULL, O_TAGS},
    {"ignore-missing", no_argument, NULL, O_IGNORE},
    {"annotation", required_argument, NULL, O_ANNOTATION},
    {"no-verify-platform", no_argument, NULL, O_NOVERIFY},
    {"insecure", no_argument, NULL, O_INSECURE},
    {"dry-run", no_argument, NULL, O_DRYRUN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_push_main(int argc, char **argv)
{
	static char prog[] = "manifold push";
	const char *platforms = NULL, *tmpl = NULL, *target = NULL, *tags = NULL;
	char **ann = NULL; /* --annotation texts, borrowed from argv */
	size_t n_ann = 0;
	int ignore_missing = 0, no_verify = 0, from_spec, rc = PUB_EXIT_USAGE, opt;
	struct pub_global g = {0};
	struct reg_error err = {0};
	struct farm_error ferr = {0};
	struct farm_config *cfg = NULL;
	struct pub_single single = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_list_result res = {0};

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? PUB_EXIT_USAGE : PUB_EXIT_OK;
	}
	if (strcmp(argv[1], "from-spec") == 0) {
		from_spec = 1;
	} else if (strcmp(argv[1], "from-args") == 0) {
		from_spec = 0;
	} else {
		fprintf(stderr, "manifold push: \"%s\" is not from-spec or from-args\n", argv[1]);
		return PUB_EXIT_USAGE;
	}
	argc--;
	argv++;
	argv[0] = prog;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PLATFORMS:
			platforms = optarg;
			break;
		case O_TEMPLATE:
			tmpl = optarg;
			break;
		case O_TARGET:
			target = optarg;
			break;
		case O_TAGS:
			tags = optarg;
			break;
		case O_IGNORE:
			ignore_missing = 1;
			break;
		case O_ANNOTATION: {
			char **na = realloc(ann, (n_ann + 1) * sizeof(*na));
			if (!na)
				goto out;
			ann = na;
			ann[n_ann++] = optarg;
			break;
		}
		case O_NOVERIFY:
			no_verify = 1;
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
			fprintf(stderr, "see 'manifold push --help'\n");
			goto out;
		}
	}
	if (from_spec) {
		if (optind + 1 != argc || platforms || tmpl || target || tags) {
			fprintf(stderr, "manifold push from-spec: takes one FILE and no "
			                "--platforms/--template/--target/--tags\n");
			goto out;
		}
		struct farm_load_options lo = {.platform_check = pub_spec_platform_check};
		if (farm_config_load(argv[optind], &lo, &cfg, &ferr) < 0) {
			fprintf(stderr, "manifold push: %s\n", ferr.msg);
			goto out;
		}
		if (!cfg->is_spec) {
			fprintf(stderr,
			        "manifold push: %s is a manifold config, not a manifest-tool spec; "
			        "use 'manifold publish -c %s'\n",
			        argv[optind], argv[optind]);
			goto out;
		}
		if (pub_single_from_spec(cfg, &single, &err) < 0) {
			fprintf(stderr, "manifold push: %s\n", err.msg);
			goto out;
		}
	} else {
		if (optind != argc || !platforms || !tmpl || !target) {
			fprintf(stderr,
			        "manifold push from-args: needs --platforms, --template and "
			        "--target (and no other arguments)\n");
			goto out;
		}
		if (pub_single_from_args(platforms, tmpl, target, tags, &single, &err) < 0) {
			fprintf(stderr, "manifold push: %s\n", err.msg);
			goto out;
		}
	}
	/* --annotation adds to (and overrides) the spec's index annotations. */
	for (size_t i = 0; i < n_ann; i++) {
		if (pub_annotation_add(&single.annotations, &single.n_annotations, ann[i], &err) <
		    0) {
			fprintf(stderr, "manifold push: --annotation: %s\n", err.msg);
			goto out;
		}
	}
	if (no_verify)
		single.verify = 0;

	rc = PUB_EXIT_FAILED;
	if (pub_session_open(cfg, &g, &client, &sess, &err) < 0) {
		fprintf(stderr, "manifold push: %s\n", err.msg);
		goto out;
	}
	if (pub_single_push(sess, &single, ignore_missing, g.dry_run, &res, &err) < 0) {
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
	if (g.dry_run)
		pub_log(PUB_LOG_INFO, "dry run: nothing written");
	else if (!res.changed)
		pub_log(PUB_LOG_INFO, "unchanged: the tags already hold this list");
	printf("Digest: %s %zu\n", res.digest, res.size);
	rc = PUB_EXIT_OK;
out:
	reg_session_free(sess);
	reg_client_free(client);
	pub_single_free(&single);
	farm_config_free(cfg);
	free(ann);
	return rc;
}
