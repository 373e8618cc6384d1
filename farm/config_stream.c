/* config_stream.c — manifold's config read an image at a time: the tree
 * holds one item of `images` at a time (node.c's stream), each item is
 * read, checked and handed to the caller's keep_image, and only the images
 * it keeps are held; of the others their names (duplicates, retag rules).
 * A file this cannot read as it streams (no list under `images`, an
 * anchored or aliased list, a spec) or that has any error is read again
 * whole (config.c), so that its errors are reported exactly as a whole
 * reading reports them. */
#include <stdlib.h>
#include <string.h>

#include "config_level.h"

enum stream_mode {
	MODE_UNDECIDED, /* before the first item */
	MODE_SKIP,      /* `defaults` was not before `images`: items wait for a second pass */
	MODE_READ,      /* each item read, checked and kept or dropped */
	MODE_RETAG,     /* each item read again for the retag rules' checks only */
};

struct stream {
	struct farm_ctx x;
	const struct farm_load_options *opts;
	struct farm_config *c;
	struct farm_level d;
	struct farm_shared_platforms shared; /* d's */
	int d_read;
	struct farm_names names;
	enum stream_mode mode;
	size_t cap;      /* of c->images */
	int retag_known; /* c->retag read: each image is checked against it */
	int invalid;     /* an error found: the file is read whole for its messages */
	int stopped;     /* keep_image returned -1 */
};

static int keep(struct stream *st, struct farm_image *im)
{
	struct farm_config *c = st->c;
	int r = 1;

	if (st->opts && st->opts->keep_image)
		r = st->stopped ? 0 : st->opts->keep_image(st->opts->keep_ctx, c, im);
	if (r < 0)
		st->stopped = 1;
	if (r <= 0) {
		farm_image_clear(im);
		return 0;
	}
	if (c->n_images == st->cap) {
		size_t nc = st->cap ? st->cap * 2 : 16;
		struct farm_image *v = realloc(c->images, nc * sizeof(*v));
		if (!v) {
			farm_image_clear(im);
			return -1;
		}
		c->images = v;
		st->cap = nc;
	}
	c->images[c->n_images++] = *im; /* moved */
	return 0;
}

/* Some rule may cover the image of item n: a rule of no `images`, or one
 * naming it (n's name as written; a name that is no string is read). */
static int retag_covers(const struct farm_config *c, const struct farm_node *n)
{
	const struct farm_node *name = farm_node_get(n, "name");
	if (!name || name->kind != FARM_NODE_SCALAR)
		return 1;
	for (size_t k = 0; k < c->n_retag; k++) {
		if (c->retag[k].n_images == 0)
			return 1;
		for (size_t j = 0; j < c->retag[k].n_images; j++)
			if (strcmp(c->retag[k].images[j], name->scalar) == 0)
				return 1;
	}
	return 0;
}

static int on_item(void *ctx, const struct farm_node *root, const struct farm_node *n, size_t i)
{
	struct stream *st = ctx;
	struct farm_image im;
	const struct farm_node *dv;
	int rc = 0;

	if (st->mode == MODE_UNDECIDED) {
		/* The images are read against the defaults: those must come first */
		st->mode = (dv = farm_node_get(root, "defaults")) ? MODE_READ : MODE_SKIP;
		if (dv) {
			farm_defaults_read(&st->x, dv, &st->d);
			st->d_read = 1;
		}
	}
	if (st->mode == MODE_SKIP || (st->mode == MODE_RETAG && !retag_covers(st->c, n)))
		return 0;
	memset(&im, 0, sizeof(im));
	size_t mark = farm_path_key(&st->x, "images");
	farm_path_index(&st->x, i);
	farm_image_read(&st->x, n, &st->d, &im, i, st->mode == MODE_READ ? &st->names : NULL);
	farm_path_pop(&st->x, mark);
	for (size_t k = 0; st->x.n_errors == 0 && st->retag_known && k < st->c->n_retag; k++)
		if (farm_retag_rule_fits(&st->c->retag[k], &im) < 0)
			st->x.n_errors++;
	if (st->x.n_errors) {
		farm_image_clear(&im);
		st->invalid = 1;
		return -1; /* stops the parse: the file is read again whole */
	}
	if (st->mode == MODE_RETAG)
		farm_image_clear(&im);
	else
		rc = keep(st, &im);
	if (rc < 0) {
		st->invalid = 1; /* out of memory: so says the whole reading, or it works */
		return -1;
	}
	return 0;
}

/* A second reading of the file up to the end of `images`, in mode. */
static int stream_again(struct stream *st, const char *name, const char *data, size_t len,
                        enum stream_mode mode)
{
	struct farm_node_stream s = {on_item, st, 1, NULL, 0};
	struct farm_node *root = NULL;
	struct farm_error scratch;

	memset(&scratch, 0, sizeof(scratch));
	st->mode = mode;
	int rc = farm_node_parse_stream(name, data, len, &s, &root, &scratch);
	farm_node_free(root);
	return rc < 0 || st->invalid ? -1 : 0;
}

/* The rules' `images` name images of the file. */
static int retag_names_known(const struct stream *st)
{
	for (size_t k = 0; k < st->c->n_retag; k++)
		for (size_t j = 0; j < st->c->retag[k].n_images; j++)
			if (!farm_strset_find(&st->names.set, st->c->retag[k].images[j], NULL))
				return -1;
	return 0;
}

static void stream_free(struct stream *st)
{
	for (size_t i = 0; i < st->x.n_found; i++)
		free(st->x.found[i].msg);
	free(st->x.found);
	farm_level_clear(&st->d);
	farm_shared_platforms_clear(&st->shared);
	farm_names_free(&st->names);
}

/* The rest of the root, as farm_config_read reads it, with the images
 * already read (or to be read in a second pass). */
static void read_rest(struct stream *st, const struct farm_node *root, const char *base_dir)
{
	static const char *const req[] = {"images", NULL};
	static const char *const opt[] = {"defaults", "registries",    "retag",
	                                  "status",   "status-layout", NULL};
	const struct farm_keys keys = {req, opt};
	struct farm_ctx *x = &st->x;
	struct farm_config *c = st->c;
	const struct farm_node *v;
	size_t mark;

	farm_check_mapping(x, root, &keys);
	if (!st->d_read && (v = farm_node_get(root, "defaults"))) {
		farm_defaults_read(x, v, &st->d);
		st->d_read = 1;
	}
	if ((v = farm_node_get(root, "registries"))) {
		mark = farm_path_key(x, "registries");
		farm_read_registries(x, v, c, base_dir);
		farm_path_pop(x, mark);
	}
	if ((v = farm_node_get(root, "retag"))) {
		mark = farm_path_key(x, "retag");
		farm_retag_read(x, v, c, &st->names.set, 0); /* the image checks: below */
		farm_path_pop(x, mark);
	}
	farm_read_status_keys(x, root, c);
}

int farm_config_stream(const char *name, const char *data, size_t len,
                       const struct farm_load_options *opts, const char *base_dir,
                       struct farm_config **out, struct farm_error *err)
{
	struct stream st;
	struct farm_node_stream s = {on_item, &st, 0, NULL, 0};
	struct farm_node *root = NULL;
	struct farm_error scratch;
	int rc = 1;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	memset(&scratch, 0, sizeof(scratch));
	st.x.file = name;
	st.x.opts = opts;
	st.x.err = &scratch;
	st.opts = opts;
	st.d.shared = &st.shared;
	if (!(st.c = calloc(1, sizeof(*st.c))) || !(st.c->path = strdup(name)))
		goto out;
	if (farm_node_parse_stream(name, data, len, &s, &root, &scratch) < 0 || st.invalid ||
	    !root || root->kind != FARM_NODE_MAP || !s.seq || s.n_items == 0 ||
	    farm_node_get(root, "images") != s.seq)
		goto out;
	read_rest(&st, root, base_dir);
	if (st.x.n_errors)
		goto out;
	st.retag_known = 1;
	/* Images read before the retag rules were: read again for their checks */
	enum stream_mode again = st.mode == MODE_SKIP ? MODE_READ : MODE_RETAG;
	if ((again == MODE_READ || st.c->n_retag) && stream_again(&st, name, data, len, again) < 0)
		goto out;
	if (retag_names_known(&st) < 0)
		goto out;
	if (st.stopped) {
		err->msg[0] = '\0'; /* keep_image's own error says why */
		rc = -1;
		goto out;
	}
	st.c->n_images_all = s.n_items;
	st.c->shared_platforms = st.shared.v; /* the images point into it */
	st.c->n_shared_platforms = st.shared.n;
	memset(&st.shared, 0, sizeof(st.shared));
	if (st.c->n_images && st.c->n_images < st.cap) {
		struct farm_image *v = realloc(st.c->images, st.c->n_images * sizeof(*v));
		if (v)
			st.c->images = v;
	}
	*out = st.c;
	st.c = NULL;
	rc = 0;
out:
	farm_node_free(root);
	farm_config_free(st.c);
	stream_free(&st);
	return rc;
}
