/* job_inspect.c — `inspect` as one call: what a tag (or a manifest file)
 * holds, the bytes for --raw, and the digest's cosign tags for
 * --signatures. The report is rendered by inspect_render.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect_internal.h"
#include "sign.h"

/* A manifest file is at most what a registry would send us. */
#define INSPECT_FILE_MAX REG_MANIFEST_MAX

static int read_file(const char *path, struct base_buf *out, struct base_error *err)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		base_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(INSPECT_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		base_error_set(err, "out of memory");
		return -1;
	}
	n = fread(buf, 1, INSPECT_FILE_MAX + 1, f);
	if (ferror(f) || n > INSPECT_FILE_MAX) {
		base_error_set(err, "%s: %s", path,
		               ferror(f) ? strerror(errno)
		                         : "larger than a manifest may be (4 MiB)");
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	out->data = buf;
	out->len = n;
	return 0;
}

/* --file: the file's own bytes for --raw (unless --platform or the
 * combined form asks for what it explains), else its report. */
static int inspect_from_file(const struct pub_inspect_options *o, const struct reg_platform *want,
                             struct pub_inspect_result *out, struct base_error *err)
{
	struct base_buf file = {0};

	if (read_file(o->file, &file, err) < 0)
		return BASE_EINPUT;
	out->file_data = file.data;
	out->file_len = file.len;
	if (o->raw && !want && !pub_inspect_file_is_combined(file.data, file.len)) {
		out->raw = file.data;
		out->raw_len = file.len;
		out->has_raw = 1;
		return 0;
	}
	/* A file that is not a manifest is bad input, like a bad config. */
	if (pub_inspect_file(o->file, file.data, file.len, want, out->report, err) < 0)
		return BASE_EINPUT;
	return 0;
}

/* A reference: GET it (and its entries) from the registry; with
 * --signatures also the digest's cosign tags (an error there is kept in
 * out->sig_error, the report stands). */
static int inspect_from_registry(const struct pub_inspect_options *o,
                                 const struct reg_platform *want, struct pub_inspect_result *out,
                                 struct base_error *err)
{
	struct reg_ref ref = {0};
	struct reg_client *client = NULL;
	struct reg_session *session = NULL;
	int rc = BASE_EINPUT;

	if (reg_ref_parse(o->ref, &ref, err) < 0)
		goto out;
	rc = -1;
	if (pub_client_new(NULL, &o->g, &client, err) < 0 ||
	    reg_session_new(client, &session, err) < 0 ||
	    pub_inspect_fetch(session, o->ref, &ref, want, out->report, err) < 0)
		goto out;
	rc = 0;
	if (o->signatures && !o->raw && out->report->m.digest) {
		struct base_error e = {0};
		if (pub_sig_inspect(session, &ref, out->report->m.digest, &out->sigs, &e) < 0) {
			size_t len = strlen(e.msg) + 16;
			out->sig_error = malloc(len);
			if (out->sig_error)
				snprintf(out->sig_error, len, "signatures: %s", e.msg);
		} else {
			out->has_sigs = 1;
		}
	}
out:
	reg_ref_free(&ref);
	reg_session_free(session);
	reg_client_free(client);
	return rc;
}

/* --raw: the bytes of what was read, or of the entry --platform picked. */
static int raw_bytes(struct pub_inspect_result *out, struct base_error *err)
{
	const struct pub_inspect *in = out->report;
	const struct reg_manifest *m = &in->m;

	if (in->picked >= 0 && in->n_children == 1) {
		if (!in->children[0].fetched) {
			base_error_set(err, "%s",
			               in->children[0].error ? in->children[0].error
			                                     : "entry not fetched");
			return -1;
		}
		m = &in->children[0].manifest;
	}
	out->raw = m->raw.data;
	out->raw_len = m->raw.len;
	out->has_raw = 1;
	return 0;
}

int pub_inspect_run(const struct pub_inspect_options *o, struct pub_inspect_result *out,
                    struct base_error *err)
{
	struct reg_platform want = {0};
	int rc = BASE_EINPUT, have_want = 0;

	memset(out, 0, sizeof(*out));
	if (!(out->report = calloc(1, sizeof(*out->report)))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	out->report->picked = -1;
	if (o->platform) {
		if (reg_platform_parse(o->platform, &want, err) < 0) {
			base_error_wrap(err, "--platform");
			goto out;
		}
		have_want = 1;
	}
	if (o->file)
		rc = inspect_from_file(o, have_want ? &want : NULL, out, err);
	else
		rc = inspect_from_registry(o, have_want ? &want : NULL, out, err);
	if (rc < 0 || out->has_raw)
		goto out;
	if (o->raw) {
		rc = raw_bytes(out, err);
		goto out;
	}
	out->errors = pub_inspect_errors(out->report);
out:
	reg_platform_free(&want);
	return rc;
}

void pub_inspect_result_free(struct pub_inspect_result *r)
{
	if (!r)
		return;
	if (r->report) {
		pub_inspect_free(r->report);
		free(r->report);
	}
	if (r->has_sigs)
		pub_sig_info_free(&r->sigs);
	free(r->sig_error);
	free(r->file_data);
	memset(r, 0, sizeof(*r));
}
