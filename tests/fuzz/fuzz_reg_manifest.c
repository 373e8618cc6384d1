/* fuzz_reg_manifest.c — registry bytes fed to the manifest parser must never
 * crash it; whatever parses keeps its exact bytes and digest, list selection
 * only ever returns a real, non-attestation, matching entry, and a list
 * rebuilt from the parsed entries is the same bytes each time and parses
 * back to the same entries. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "registry.h"

static const char *const wants[] = {"linux/amd64", "linux/arm64/v8", "linux/arm", "windows/amd64",
                                    "linux/s390x"};

static void check_select(const struct reg_manifest *m)
{
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		struct reg_platform p;
		struct base_error err;
		if (reg_platform_parse(wants[i], &p, &err) < 0)
			abort();
		long k = reg_list_select(m, &p);
		if (k >= 0 && ((size_t)k >= m->n_entries || !m->is_list ||
		               reg_descriptor_is_attestation(&m->entries[k]) ||
		               !reg_platform_match(&p, &m->entries[k].platform)))
			abort();
		if (k < -1)
			abort();
		reg_platform_free(&p);
	}
}

static void check_rebuild(const struct reg_manifest *m)
{
	struct reg_list_entry *e = calloc(m->n_entries + 1, sizeof(*e));
	struct base_buf out = {0};
	struct reg_manifest back;
	struct base_error err;
	const char *mt;

	if (!e)
		return;
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct reg_descriptor *d = &m->entries[i];
		e[i].media_type = d->media_type;
		e[i].digest = d->digest;
		e[i].size = d->size;
		e[i].platform = d->has_platform ? &d->platform : NULL;
		e[i].annotations = d->annotations;
		e[i].n_annotations = d->n_annotations;
	}
	struct base_buf again = {0};
	const char *mt2 = NULL;
	int rc = reg_list_build(REG_LIST_AUTO, e, m->n_entries, m->annotations, m->n_annotations,
	                        &out, &mt, &err);
	if (rc != reg_list_build(REG_LIST_AUTO, e, m->n_entries, m->annotations, m->n_annotations,
	                         &again, &mt2, &err) ||
	    (rc == 0 &&
	     (again.len != out.len || memcmp(again.data, out.data, out.len) != 0 || mt != mt2)))
		fuzz_fail("building the same list twice gave other bytes");
	base_buf_free(&again);
	if (rc == 0) {
		if (reg_manifest_parse(out.data, out.len, mt, &back, &err) != 0)
			abort();
		if (back.n_entries != m->n_entries || strcmp(back.media_type, mt) != 0)
			abort();
		for (size_t i = 0; i < back.n_entries; i++)
			if (strcmp(back.entries[i].digest, m->entries[i].digest) != 0 ||
			    back.entries[i].size != m->entries[i].size)
				abort();
		reg_manifest_free(&back);
	}
	base_buf_free(&out);
	free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {NULL, REG_MT_DOCKER_MANIFEST, REG_MT_OCI_INDEX,
	                                    "application/json"};
	struct reg_manifest m;
	struct reg_platform p;
	struct base_error err;
	char digest[REG_DIGEST_MAX];

	const char *ct = types[size % 4];
	base_error_clear(&err);
	if (reg_manifest_parse(data, size, ct, &m, &err) == 0) {
		reg_digest_sha256(data, size, digest);
		if (m.raw.len != size || (size && memcmp(m.raw.data, data, size) != 0) ||
		    strcmp(m.digest, digest) != 0 || !m.media_type)
			abort();
		if (m.is_list != reg_media_type_is_list(m.media_type))
			abort();
		check_select(&m);
		if (m.is_list)
			check_rebuild(&m);
		reg_manifest_free(&m);
	} else if (!err.msg[0]) {
		abort(); /* a refusal always says why */
	}
	if (reg_image_config_platform(data, size, &p, &err) == 0) {
		if (!p.os || !p.architecture)
			abort();
		free(reg_platform_format(&p));
		reg_platform_free(&p);
	}
	return 0;
}
