/* inspect.h — the inspect job (job_inspect.c, inspect.c): what a tag or a
 * manifest file holds, as a report the command renders (inspect_render.c),
 * or its exact bytes for --raw; and the digest's cosign tags. */
#ifndef MANIFOLD_INSPECT_H
#define MANIFOLD_INSPECT_H

#include <stdint.h>
#include <stdio.h>

#include "job.h"

struct cJSON;
/* What was read: the manifest, its entries (and their manifests), the
 * config's platform (inspect_internal.h). */
struct pub_inspect;

/* What inspect shows of a digest's cosign tags, without keys. */
struct pub_sig_item {
	char *kind;   /* "signature" or "attestation" */
	char *detail; /* "cosign simple signing of sha256:…", "PREDICATE, DSSE key sha256:…" */
};
struct pub_sig_info {
	struct pub_sig_item *items;
	size_t n_items;
};
void pub_sig_info_free(struct pub_sig_info *in); /* NULL safe */

struct pub_inspect_options {
	struct pub_global g;  /* --insecure, --authfile */
	const char *ref;      /* REF, or NULL with file */
	const char *file;     /* --file F: a manifest on disk */
	const char *platform; /* --platform P: only the entry for P (an image: check it) */
	int raw;              /* --raw: the bytes, not the report */
	int signatures;       /* --signatures: the digest's cosign tags too (REF only) */
};
struct pub_inspect_result {
	struct pub_inspect *report; /* what was read (render it); always set */
	/* --raw: the bytes to write (owned by the result) */
	int has_raw;
	const uint8_t *raw;
	size_t raw_len;
	/* --signatures: the cosign tags (has_sigs), or why they could not be
	 * read ("signatures: ...", malloc'd; the report stands) */
	int has_sigs;
	struct pub_sig_info sigs;
	char *sig_error;
	size_t errors; /* entries that could not be fetched */
	/* private: the file's bytes */
	uint8_t *file_data;
	size_t file_len;
};
void pub_inspect_result_free(struct pub_inspect_result *r);

/* Read the file or GET REF (pub_inspect_file, pub_inspect_fetch), pick the
 * --platform entry, and for --raw set the bytes to write (a --file that is
 * not the combined form: the file itself, unread). BASE_EINPUT for bad
 * input (--platform, the reference, a file that cannot be read or is no
 * manifest): nothing was sent; -1 when the registry failed or the entry
 * --raw wants could not be fetched. */
int pub_inspect_run(const struct pub_inspect_options *o, struct pub_inspect_result *out,
                    struct base_error *err);

/* Human-readable report (see docs/retag-inspect.md for its shape). */
void pub_inspect_render_text(FILE *f, const struct pub_inspect *in);
/* The same as one JSON object whose first key is "schema": 1, or NULL out
 * of memory. The caller prints and deletes it. */
struct cJSON *pub_inspect_json(const struct pub_inspect *in);

#endif
