/* spec.c — manifest-tool's per-image spec (`image:`, `tags:`,
 * `annotations:`, `manifests:` with `platform:` maps) read as a one-image
 * config whose platforms carry their sources literally. Spellings found in
 * the wild (`os: Linux`, `architecture: x86_64`) go through the platform
 * check like any other platform. A manifest's image may be pinned by
 * digest (`name[:tag]@sha256:<hex>`), as manifest-tool allows; the target
 * cannot (a list is pushed to a tag). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

/* A reference as written: no blanks, braces or digests. */
static int ref_plain(const char *s)
{
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '{' || *p == '}' || *p == '@' ||
		    (unsigned char)*p < 0x20)
			return 0;
	return 1;
}

/* "sha256:" and 64 lower-case hex digits, or "sha512:" and 128: the
 * registered algorithms of the OCI image spec (descriptor.md, "Digests"). */
static int digest_ok(const char *d)
{
	size_t want = strncmp(d, "sha256:", 7) == 0 ? 64 : strncmp(d, "sha512:", 7) == 0 ? 128 : 0;
	size_t n = 0;
	for (const char *p = d + 7; want && *p; p++, n++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return want && n == want;
}

/* A manifest's image: a plain reference, optionally "@<digest>". */
static int source_ref_ok(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at)
		return ref_plain(s);
	char name[FARM_EMSG];
	size_t len = (size_t)(at - s);
	if (len == 0 || len >= sizeof(name))
		return 0;
	memcpy(name, s, len);
	name[len] = '\0';
	return ref_plain(name) && digest_ok(at + 1);
}

/* "[host/]repo[:tag]" → registry (docker.io when the first component is no
 * host), repo, tag (latest), and the target template with {tag}. The first
 * component is a host when it has '.' or ':' or is localhost, as docker
 * decides. */
static int split_target(struct farm_ctx *x, const struct farm_node *n, const char *ref,
                        struct farm_image *im)
{
	const char *slash = strchr(ref, '/');
	const char *repo = ref;
	size_t hostlen = 0;
	if (slash) {
		hostlen = (size_t)(slash - ref);
		int is_host = memchr(ref, '.', hostlen) || memchr(ref, ':', hostlen) ||
		              (hostlen == 9 && memcmp(ref, "localhost", 9) == 0);
		if (is_host)
			repo = slash + 1;
		else
			hostlen = 0;
	}
	const char *colon = strchr(repo, ':');
	size_t repolen = colon ? (size_t)(colon - repo) : strlen(repo);
	char *tag = strdup(colon ? colon + 1 : "latest");
	im->name = farm_strndup(repo, repolen);
	im->registry = hostlen ? farm_strndup(ref, hostlen) : strdup("docker.io");
	size_t tlen = strlen(ref) + 8;
	im->target = malloc(tlen);
	im->tags = calloc(1, sizeof(*im->tags));
	if (!tag || !im->name || !im->registry || !im->target || !im->tags) {
		free(tag);
		return farm_fail(x, n, "out of memory");
	}
	im->tags[0] = tag;
	im->n_tags = 1;
	snprintf(im->target, tlen, "%.*s%s:{tag}", (int)(repo - ref), ref, im->name);
	if (!farm_name_ok(im->name))
		return farm_fail(x, n, "\"%s\" is not a valid repository name", im->name);
	if (!farm_tag_ok(tag))
		return farm_fail(x, n, "\"%s\" is not a valid tag", tag);
	return 0;
}

static int read_extra_tags(struct farm_ctx *x, const struct farm_node *n, struct farm_image *im)
{
	if (farm_get_string_list(x, n, &im->extra_tags, &im->n_extra_tags) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < im->n_extra_tags; i++) {
		const char *t = im->extra_tags[i];
		size_t mark = farm_path_index(x, i);
		int r = 0;
		if (!farm_tag_ok(t))
			r = farm_fail(x, n->items[i], "\"%s\" is not a valid tag", t);
		else if (im->n_tags && strcmp(t, im->tags[0]) == 0)
			r = farm_fail(x, n->items[i], "duplicate tag \"%s\" (the image's own tag)",
			              t);
		for (size_t j = 0; r == 0 && j < i; j++)
			if (strcmp(im->extra_tags[j], t) == 0)
				r = farm_fail(x, n->items[i],
				              "duplicate tag \"%s\" (first at %d:%d)", t,
				              n->items[j]->line, n->items[j]->column);
		farm_path_pop(x, mark);
		rc |= r;
	}
	return rc;
}

/* platform: {architecture, os, variant, osversion, osfeatures, features} */
static int read_platform(struct farm_ctx *x, const struct farm_node *n, struct farm_platform *p)
{
	static const char *const req[] = {"architecture", "os", NULL};
	static const char *const opt[] = {"variant", "osversion", "osfeatures", "features", NULL};
	const struct farm_keys keys = {req, opt};
	char *f[4] = {NULL, NULL, NULL, NULL}; /* architecture os variant osversion */
	static const char *const fk[] = {"architecture", "os", "variant", "osversion"};
	char **osf = NULL, **feat = NULL;
	size_t n_osf = 0, n_feat = 0;
	int r = farm_check_mapping(x, n, &keys);
	if (r < 0 && n->kind != FARM_NODE_MAP)
		return -1;
	for (size_t i = 0; i < 4; i++) {
		const struct farm_node *v = farm_node_get(n, fk[i]);
		if (!v)
			continue;
		size_t mark = farm_path_key(x, fk[i]);
		if (farm_get_string(x, v, &f[i]) < 0)
			r = -1;
		else if (!f[i][0] || strpbrk(f[i], "/: \t"))
			r = farm_fail(x, v, "\"%s\" is not a valid %s", f[i], fk[i]);
		farm_path_pop(x, mark);
	}
	const struct farm_node *v;
	if ((v = farm_node_get(n, "osfeatures"))) {
		size_t mark = farm_path_key(x, "osfeatures");
		r |= farm_get_string_list(x, v, &osf, &n_osf);
		farm_path_pop(x, mark);
	}
	if ((v = farm_node_get(n, "features"))) {
		size_t mark = farm_path_key(x, "features");
		r |= farm_get_string_list(x, v, &feat, &n_feat);
		farm_path_pop(x, mark);
	}
	if (r == 0) {
		char text[512];
		snprintf(text, sizeof(text), "%s/%s%s%s%s%s", f[1], f[0], f[2] ? "/" : "",
		         f[2] ? f[2] : "", f[3] ? ":" : "", f[3] ? f[3] : "");
		r = farm_platform_set(x, n, text, p);
	}
	if (r == 0) {
		p->os_features = osf;
		p->n_os_features = n_osf;
		p->features = feat;
		p->n_features = n_feat;
	} else {
		farm_strv_free(osf, n_osf);
		farm_strv_free(feat, n_feat);
	}
	for (size_t i = 0; i < 4; i++)
		free(f[i]);
	return r;
}

static int read_manifest(struct farm_ctx *x, const struct farm_node *n, struct farm_image *im,
                         size_t idx)
{
	static const char *const req[] = {"image", "platform", NULL};
	static const char *const opt[] = {"annotations", NULL};
	const struct farm_keys keys = {req, opt};
	struct farm_platform *p = &im->platforms[idx];
	int rc = farm_check_mapping(x, n, &keys);
	if (rc < 0 && n->kind != FARM_NODE_MAP)
		return -1;
	const struct farm_node *v = farm_node_get(n, "platform");
	size_t mark;
	if (v) {
		mark = farm_path_key(x, "platform");
		int r = read_platform(x, v, p);
		for (size_t j = 0; r == 0 && j < idx; j++)
			if (im->platforms[j].name && strcmp(im->platforms[j].name, p->name) == 0)
				r = farm_fail(x, v, "duplicate platform \"%s\" (first at %d:%d)",
				              p->name, im->platforms[j].pos.line,
				              im->platforms[j].pos.column);
		if (r < 0)
			farm_platform_clear(p);
		farm_path_pop(x, mark);
		rc |= r;
	}
	if ((v = farm_node_get(n, "image"))) {
		char *ref = NULL;
		mark = farm_path_key(x, "image");
		int r = farm_get_string(x, v, &ref);
		if (r == 0 && !source_ref_ok(ref))
			r = farm_fail(x, v,
			              strchr(ref, '@')
			                  ? "\"%s\" is not a valid image reference (want "
			                    "NAME[:TAG]@sha256:<64 hex digits>)"
			                  : "\"%s\" is not a valid image reference",
			              ref);
		farm_path_pop(x, mark);
		/* The platform owns the source; a cleared platform gets none. */
		if (r == 0 && p->name)
			p->source = ref;
		else
			free(ref);
		rc |= r;
	}
	if ((v = farm_node_get(n, "annotations"))) {
		mark = farm_path_key(x, "annotations");
		if (p->name)
			rc |= farm_get_kv_map(x, v, &p->annotations, &p->n_annotations);
		farm_path_pop(x, mark);
	}
	return rc;
}

int farm_spec_read(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c)
{
	static const char *const req[] = {"image", "manifests", NULL};
	static const char *const opt[] = {"tags", "annotations", NULL};
	const struct farm_keys keys = {req, opt};
	struct farm_image *im;
	const struct farm_node *v;
	char *ref = NULL;
	size_t mark;
	int r;

	int rc = farm_check_mapping(x, root, &keys);
	if (!(c->images = calloc(1, sizeof(*c->images))))
		return farm_fail(x, root, "out of memory");
	c->n_images = 1;
	im = &c->images[0];
	im->pos.line = root->line;
	im->pos.column = root->column;
	im->format = FARM_FORMAT_AUTO;
	im->verify_platform = 1;
	im->recheck_days = FARM_RECHECK_DAYS;

	if ((v = farm_node_get(root, "image"))) {
		mark = farm_path_key(x, "image");
		r = farm_get_string(x, v, &ref);
		if (r == 0 && !ref_plain(ref))
			r = farm_fail(
			    x, v, "\"%s\" is not a valid image reference (want [HOST/]NAME[:TAG])",
			    ref);
		if (r == 0)
			r = split_target(x, v, ref, im);
		free(ref);
		farm_path_pop(x, mark);
		rc |= r;
	}
	if ((v = farm_node_get(root, "tags"))) {
		mark = farm_path_key(x, "tags");
		rc |= read_extra_tags(x, v, im);
		farm_path_pop(x, mark);
	}
	if ((v = farm_node_get(root, "annotations"))) {
		mark = farm_path_key(x, "annotations");
		rc |= farm_get_kv_map(x, v, &im->annotations, &im->n_annotations);
		farm_path_pop(x, mark);
	}
	if (!(v = farm_node_get(root, "manifests")))
		return -1;
	mark = farm_path_key(x, "manifests");
	r = farm_get_seq(x, v);
	if (r == 0 && v->n_items == 0)
		r = farm_fail(x, v, "empty list, want at least one manifest");
	if (r == 0 && !(im->platforms = calloc(v->n_items, sizeof(*im->platforms))))
		r = farm_fail(x, v, "out of memory");
	if (r == 0)
		im->n_platforms = v->n_items;
	for (size_t i = 0; r == 0 && i < v->n_items; i++) {
		size_t m2 = farm_path_index(x, i);
		rc |= read_manifest(x, v->items[i], im, i);
		farm_path_pop(x, m2);
	}
	farm_path_pop(x, mark);
	return rc | r;
}
