/* inspect_internal.h — engine-private: what inspect read (inspect.c), which
 * the job (job_inspect.c) and the renderer (inspect_render.c) share. */
#ifndef MANIFOLD_INSPECT_INTERNAL_H
#define MANIFOLD_INSPECT_INTERNAL_H

#include "engine_internal.h"
#include "inspect.h"

/* One list entry and, when it could be fetched, the manifest it names. */
struct pub_inspect_child {
	const struct reg_descriptor *entry; /* points into pub_inspect.m.entries */
	int fetched;
	struct reg_manifest manifest; /* valid when fetched */
	char *error;                  /* why it could not be fetched, or NULL */
};

struct pub_inspect {
	char *name;            /* the reference as given, or the file name */
	struct reg_manifest m; /* what the tag/file holds (the explained list for --file
	                          on a combined manifest) */
	/* An image (or the one entry --platform picked): its config's platform. */
	int has_config_platform;
	struct reg_platform config_platform;
	/* A list: its entries (only the picked one with --platform). */
	struct pub_inspect_child *children;
	size_t n_children;
	/* --platform on a list: the entry that was picked, -1 otherwise. */
	long picked;
	/* --file on a 2015 combined manifest: what it said. */
	int combined;
	struct reg_descriptor combined_target; /* the shared image config */
	struct reg_annotation *combined_labels;
	size_t n_combined_labels;
};
void pub_inspect_free(struct pub_inspect *in);

/* GET ref; for a list GET every entry's manifest (by digest, from the same
 * repository) for its layers, or only the entry for `want` when non-NULL;
 * for an image GET its config blob for the platform (and check it against
 * `want` when given). A child that cannot be fetched is recorded in its
 * error, not fatal. Returns 0, or negative with err filled. */
int pub_inspect_fetch(struct reg_session *s, const char *name, const struct reg_ref *ref,
                      const struct reg_platform *want, struct pub_inspect *out,
                      struct base_error *err);

/* Read a manifest from memory (a file): any of the four manifest types, or
 * the 2015 combined-manifest form (schemaVersion 2, "target" config,
 * "dependencies" keyed by os then architecture, "labels"), which becomes the
 * OCI index it would be today: one OCI image manifest per os/architecture
 * (the target as config, the layers as uncompressed OCI layers), labels as
 * index annotations (createdAt -> org.opencontainers.image.created, version
 * -> org.opencontainers.image.version). Those child manifests are built
 * here, so their layers are shown. `want` picks one entry as for fetch. */
int pub_inspect_file(const char *name, const uint8_t *data, size_t len,
                     const struct reg_platform *want, struct pub_inspect *out,
                     struct base_error *err);

/* 1 when data is the 2015 combined-manifest form. */
int pub_inspect_file_is_combined(const uint8_t *data, size_t len);

/* Number of children that could not be fetched. */
size_t pub_inspect_errors(const struct pub_inspect *in);

#endif
