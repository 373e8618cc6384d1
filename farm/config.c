/* config.c — loading a config file: the bytes read (with a size cap), the
 * YAML parsed into nodes (node.c), and manifold's config (config_read.c) or
 * manifest-tool's spec (spec.c) picked by the top-level keys; the registry
 * lookup. Calls down only: the readers never call back (the config's free
 * is config_free.c's, which they share). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

static int parse_in(const char *name, const char *data, size_t len,
                    const struct farm_load_options *opts, const char *base_dir,
                    struct farm_config **out, struct farm_error *err)
{
	struct farm_node *root = NULL;
	struct farm_config *c = NULL;
	struct farm_ctx x = {.file = name, .opts = opts, .err = err};
	int rc = -1;

	*out = NULL;
	if (farm_node_parse(name, data, len, &root, err) < 0)
		goto out;
	if (!root || (root->kind == FARM_NODE_SCALAR && root->is_null)) {
		farm_err_set(err, "%s: empty config: want a mapping with an \"images\" list", name);
		goto out;
	}
	if (root->kind != FARM_NODE_MAP) {
		farm_check_mapping(&x, root, NULL); /* "expected a mapping, got …" */
		farm_ctx_finish(&x);
		goto out;
	}
	if (!(c = calloc(1, sizeof(*c))) || !(c->path = strdup(name))) {
		farm_err_set(err, "%s: out of memory", name);
		goto out;
	}
	/* manifest-tool's spec names one image; manifold's config a list. */
	if (!farm_node_get(root, "images") &&
	    (farm_node_get(root, "image") || farm_node_get(root, "manifests"))) {
		c->is_spec = 1;
		rc = farm_spec_read(&x, root, c);
	} else {
		rc = farm_config_read(&x, root, c, base_dir);
	}
	/* Any error rejects the file, even one a reader went on after. */
	if (farm_ctx_finish(&x) < 0)
		rc = -1;
	if (rc == 0) {
		c->n_images_all = c->n_images_all ? c->n_images_all : c->n_images;
		*out = c;
		c = NULL;
	}
out:
	farm_config_free(c);
	farm_node_free(root);
	return rc;
}

/* keep_image over a config read whole: what the stream does as it reads. */
static int keep_filter(struct farm_config *c, const struct farm_load_options *opts)
{
	size_t m = 0;
	int stopped = 0;

	c->n_images_all = c->n_images;
	/* start over: the stream may have shown it some images already */
	opts->keep_image(opts->keep_ctx, c, NULL);
	for (size_t i = 0; i < c->n_images; i++) {
		int r = stopped ? 0 : opts->keep_image(opts->keep_ctx, c, &c->images[i]);
		stopped |= r < 0;
		if (r > 0)
			c->images[m++] = c->images[i];
		else
			farm_image_clear(&c->images[i]);
	}
	c->n_images = m;
	return stopped ? -1 : 0;
}

/* The config streamed (config_stream.c); a file the stream cannot take,
 * or with an error, read whole. */
static int load(const char *name, const char *data, size_t len,
                const struct farm_load_options *opts, const char *base_dir,
                struct farm_config **out, struct farm_error *err)
{
	int rc = farm_config_stream(name, data, len, opts, base_dir, out, err);
	if (rc <= 0)
		return rc;
	if ((rc = parse_in(name, data, len, opts, base_dir, out, err)) < 0)
		return rc;
	if (opts && opts->keep_image && keep_filter(*out, opts) < 0) {
		farm_config_free(*out);
		*out = NULL;
		err->msg[0] = '\0'; /* keep_image's own error says why */
		return -1;
	}
	return 0;
}

int farm_config_parse(const char *name, const char *data, size_t len,
                      const struct farm_load_options *opts, struct farm_config **out,
                      struct farm_error *err)
{
	if (!data)
		len = 0;
	return load(name ? name : "<config>", data ? data : "", len, opts, NULL, out, err);
}

int farm_config_load(const char *path, const struct farm_load_options *opts,
                     struct farm_config **out, struct farm_error *err)
{
	char *data = NULL, *dir = NULL;
	size_t len = 0;
	int rc = -1;
	FILE *f = fopen(path, "rb");

	*out = NULL;
	if (!f) {
		farm_err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!(data = malloc(FARM_MAX_FILE + 1))) {
		farm_err_set(err, "%s: out of memory", path);
		goto out;
	}
	len = fread(data, 1, FARM_MAX_FILE + 1, f);
	if (ferror(f)) {
		farm_err_set(err, "%s: read error", path);
		goto out;
	}
	if (len > FARM_MAX_FILE) {
		farm_err_set(err, "%s: larger than %d bytes", path, FARM_MAX_FILE);
		goto out;
	}
	const char *slash = strrchr(path, '/');
	if (slash && !(dir = farm_strndup(path, (size_t)(slash - path) + 1))) {
		farm_err_set(err, "%s: out of memory", path);
		goto out;
	}
	rc = load(path, data, len, opts, dir, out, err);
out:
	free(dir);
	free(data);
	fclose(f);
	return rc;
}

const struct farm_registry *farm_config_registry(const struct farm_config *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_registries; i++)
		if (strcmp(c->registries[i].name, name) == 0)
			return &c->registries[i];
	return NULL;
}
