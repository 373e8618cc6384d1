/* cmd_annotate.c — `manifold annotate TARGET --platform P ...`: change the
 * platform fields and annotations of one entry of an existing list. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: manifold annotate TARGET --platform P [--variant V] [--os-version V]\n"
	    "                         [--os-features a,b] [--features a,b] [OPTIONS]\n\n"
	    "Change the entry of list TARGET for platform P; every other entry is kept as it\n"
	    "is. An empty value removes the field (--variant \"\"). Prints\n"
	    "\"Digest: sha256:<hex> <size>\" of the new list.\n\n"
	    "options:\n"
	    "  --platform P               which entry: os/arch[/variant][:os.version]\n"
	    "  --variant V                set the entry's variant\n"
	    "  --os-version V             set os.version (Windows builds)\n"
	    "  --os-features a,b          set os.features\n"
	    "  --features a,b             set features\n"
	    "  --annotation KEY=VALUE     annotation on the entry (repeatable; OCI index)\n"
	    "  --index-annotation KEY=VALUE  annotation on the list itself (repeatable)\n"
	    "  --insecure                 plain HTTP (loopback registries are plain by default)\n"
	    "  --dry-run                  compute the new list and print its digest; write "
	    "nothing\n"
	    "  -h, --help                 this text\n\n"
	    "Exit codes: 0 done or unchanged, 1 registry error or no such entry, 2 usage error.\n");
}

enum {
	O_PLATFORM = 256,
	O_VARIANT,
	O_OSVERSION,
	O_OSFEATURES,
	O_FEATURES,
	O_ANN,
	O_IDXANN,
	O_INSECURE,
	O_DRYRUN
};

static const struct option longopts[] = {
    {"platform", required_argument, NULL, O_PLATFORM},
    {"variant", required_argument, NULL, O_VARIANT},
    {"os-version", required_argument, NULL, O_OSVERSION},
    {"os-features", required_argument, NULL, O_OSFEATURES},
    {"features", required_argument, NULL, O_FEATURES},
    {"annotation", required_argument, NULL, O_ANN},
    {"index-annotation", required_argument, NULL, O_IDXANN},
    {"insecure", no_argument, NULL, O_INSECURE},
    {"dry-run", no_argument, NULL, O_DRYRUN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* "a,b" → list; "" → empty list (clears the field). */
static int features_parse(const char *text, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!*text)
		return 0;
	char *copy = strdup(text), *save = NULL;
	if (!copy)
		return -1;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!*tok)
			continue;
		char **nv = realloc(*out, (*n + 1) * sizeof(**out));
		if (!nv || !(nv[*n] = strdup(tok))) {
			if (nv)
				*out = nv;
			free(copy);
			return -1;
		}
		*out = nv;
		(*n)++;
	}
	free(copy);
	return 0;
}

int cmd_annotate_main(int argc, char **argv)
{
	static char prog[] = "manifold annotate";
	const char *platform = NULL;
	struct reg_annotation *ann = NULL, *idx = NULL;
	size_t n_ann = 0, n_idx = 0;
	int rc = PUB_EXIT_USAGE, opt;
	struct pub_global g = {0};
	struct reg_error err = {0};
	struct reg_ref target = {0};
	struct reg_platform sel = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_list_result res = {0};
	struct pub_edit_result edit = {0};
	struct pub_entry_edit e = {0};

	argv[0] = prog;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PLATFORM:
			platform = optarg;
			break;
		case O_VARIANT:
			e.variant = optarg;
			break;
		case O_OSVERSION:
			e.os_version = optarg;
			break;
		case O_OSFEATURES:
			pub_strv_free(e.os_features, e.n_os_features);
			e.set_os_features = 1;
			if (features_parse(optarg, &e.os_features, &e.n_os_features) < 0)
				goto out;
			break;
		case O_FEATURES:
			pub_strv_free(e.features, e.n_features);
			e.set_features = 1;
			if (features_parse(optarg, &e.features, &e.n_features) < 0)
				goto out;
			break;
		case O_ANN:
		case O_IDXANN:
			if (pub_annotation_add(opt == O_ANN ? &ann : &idx,
			                       opt == O_ANN ? &n_ann : &n_idx, optarg, &err) < 0) {
				fprintf(stderr, "manifold annotate: %s\n", err.msg);
				goto out;
			}
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
			fprintf(stderr, "see 'manifold annotate --help'\n");
			goto out;
		}
	}
	if (optind + 1 != argc || !platform) {
		fprintf(stderr, "manifold annotate: needs TARGET and --platform; see 'manifold "
		                "annotate --help'\n");
		goto out;
	}
	if (reg_ref_parse(argv[optind], &target, &err) < 0) {
		fprintf(stderr, "manifold annotate: %s\n", err.msg);
		goto out;
	}
	if (reg_platform_parse(platform, &sel, &err) < 0) {
		fprintf(stderr, "manifold annotate: --platform: %s\n", err.msg);
		goto out;
	}
	e.select = &sel;
	e.annotations = ann;
	e.n_annotations = n_ann;
	e.index_annotations = idx;
	e.n_index_annotations = n_idx;
	rc = PUB_EXIT_FAILED;
	if (pub_session_open(NULL, &g, &client, &sess, &err) < 0 ||
	    pub_list_update(sess, &target, &e, NULL, g.dry_run, &res, &edit, &err) < 0) {
		fprintf(stderr, "manifold annotate: %s\n", err.msg);
		goto out;
	}
	if (edit.converted)
		pub_log(PUB_LOG_INFO, "the Docker list becomes an OCI image index (annotations "
		                      "need one)");
	if (g.dry_run)
		pub_log(PUB_LOG_INFO, "dry run: nothing written");
	else if (!res.changed)
		pub_log(PUB_LOG_INFO, "unchanged: the entry already reads so");
	printf("Digest: %s %zu\n", res.digest, res.size);
	rc = PUB_EXIT_OK;
out:
	pub_edit_result_free(&edit);
	reg_session_free(sess);
	reg_client_free(client);
	reg_platform_free(&sel);
	reg_ref_free(&target);
	pub_strv_free(e.os_features, e.n_os_features);
	pub_strv_free(e.features, e.n_features);
	pub_annotations_free(ann, n_ann);
	pub_annotations_free(idx, n_idx);
	return rc;
}
