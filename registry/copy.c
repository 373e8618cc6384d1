/* copy.c — making one repository hold what another holds: blobs (a
 * cross-repository mount within a registry, else a HEAD and a streamed copy
 * through a temporary file) and manifests with their exact bytes (children
 * before lists, DESIGN.md protocol rules 1 and 2); each write asked of the
 * caller's guard first, when it gives one (single-flight per repository). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reg_internal.h"

#define COPY_MAX_DEPTH 3 /* list → image; one more level for odd nestings */

static void stat_add(unsigned long *field, struct reg_copy_stats *stats)
{
	if (stats)
		(*field)++;
}

int reg_blob_ensure(struct reg_session *s, const struct reg_ref *src_repo,
                    const struct reg_ref *dst_repo, const char *digest, int64_t size,
                    struct reg_copy_stats *stats, struct base_error *err)
{
	struct reg_copy_stats dummy;
	int64_t have = -1;
	uint64_t got = 0;
	FILE *tmp = NULL;
	int rc, mounted = 0;
	int can_mount = reg_ref_same_registry(src_repo, dst_repo) &&
	                strcmp(src_repo->repository, dst_repo->repository) != 0;

	if (!stats) {
		memset(&dummy, 0, sizeof(dummy));
		stats = &dummy;
	}
	if (!reg_digest_valid(digest)) {
		base_error_set(err, "blob digest \"%.80s\" is not a sha256 digest", digest);
		return BASE_EFAIL;
	}
	/* Within one registry the mount itself answers whether dst holds the
	 * blob afterwards (201), so no HEAD goes first; the HEAD is asked only
	 * before a streamed copy, which it may spare. */
	if (can_mount) {
		rc = reg_blob_mount(s, dst_repo, digest, src_repo, &mounted, err);
		if (rc == BASE_OK && mounted) {
			stat_add(&stats->blobs_mounted, stats);
			return BASE_OK;
		}
		if (rc < 0) {
			/* A refused mount is not fatal: the copy below still works
			 * when we may read src and write dst. */
			reg_client_logf(s->client, REG_LOG_DEBUG, "%s; copying instead", err->msg);
			base_error_clear(err);
		}
	}
	rc = reg_blob_head(s, dst_repo, digest, &have, err);
	if (rc == BASE_OK) {
		stat_add(&stats->blobs_present, stats);
		return BASE_OK;
	}
	if (rc != BASE_ENOTFOUND)
		return rc;
	base_error_clear(err);

	tmp = tmpfile();
	if (!tmp) {
		base_error_set(err, "copy blob %s: temporary file: %s", digest, strerror(errno));
		return BASE_EFAIL;
	}
	rc = reg_blob_get_file(s, src_repo, digest, tmp, &got, err);
	if (rc < 0)
		goto out;
	if (size >= 0 && (uint64_t)size != got) {
		base_error_set(err, "copy blob %s: got %llu bytes, descriptor says %lld", digest,
		               (unsigned long long)got, (long long)size);
		rc = BASE_EFAIL;
		goto out;
	}
	rc = reg_blob_put_file(s, dst_repo, digest, tmp, (int64_t)got, err);
	if (rc < 0)
		goto out;
	stat_add(&stats->blobs_copied, stats);
	stats->bytes_copied += got;
	reg_stats_copied(s->client, got);
out:
	fclose(tmp);
	return rc;
}

/* Windows foreign layers live outside the registry (their urls say where);
 * registries accept manifests referencing them without the blob. */
static int is_foreign_layer(const struct reg_descriptor *d)
{
	return d->media_type && strstr(d->media_type, "foreign") != NULL;
}

/* ref on the same repository with only a digest. */
static int ref_by_digest(const struct reg_ref *repo, const char *digest, struct reg_ref *out)
{
	struct reg_ref tmp = {repo->registry, repo->repository, NULL, (char *)digest};
	return reg_ref_copy(out, &tmp);
}

/* One copy's context down the recursion. */
struct copy_run {
	const struct reg_copy_guard *guard; /* NULL: none */
	struct reg_copy_stats *stats;
};

static int guard_begin(const struct copy_run *cr, char kind, const struct reg_ref *repo,
                       const char *digest)
{
	return cr->guard ? cr->guard->begin(cr->guard->ctx, kind, repo, digest) : 1;
}

static void guard_end(const struct copy_run *cr, char kind, const struct reg_ref *repo,
                      const char *digest, int ok)
{
	if (cr->guard)
		cr->guard->end(cr->guard->ctx, kind, repo, digest, ok);
}

static int blob_ensure(struct reg_session *s, const struct copy_run *cr, const struct reg_ref *src,
                       const struct reg_ref *dst, const char *digest, int64_t size,
                       struct base_error *err)
{
	int rc;
	if (!guard_begin(cr, 'b', dst, digest)) {
		stat_add(&cr->stats->blobs_present, cr->stats);
		return BASE_OK;
	}
	rc = reg_blob_ensure(s, src, dst, digest, size, cr->stats, err);
	guard_end(cr, 'b', dst, digest, rc == BASE_OK);
	return rc;
}

static int copy_manifest(struct reg_session *s, const struct reg_ref *src,
                         const struct reg_manifest *m, const struct reg_ref *dst,
                         const struct copy_run *cr, int depth, int known_absent,
                         struct base_error *err);

static int copy_children(struct reg_session *s, const struct reg_ref *src,
                         const struct reg_manifest *m, const struct reg_ref *dst,
                         const struct copy_run *cr, int depth, struct base_error *err)
{
	struct reg_copy_stats *stats = cr->stats;
	int rc = BASE_OK;
	if (!m->is_list) {
		rc = blob_ensure(s, cr, src, dst, m->config.digest, m->config.size, err);
		for (size_t i = 0; rc == BASE_OK && i < m->n_layers; i++)
			if (!is_foreign_layer(&m->layers[i]))
				rc = blob_ensure(s, cr, src, dst, m->layers[i].digest,
				                 m->layers[i].size, err);
		return rc;
	}
	if (depth >= COPY_MAX_DEPTH) {
		base_error_set(err, "manifest %s: lists nested deeper than %d", m->digest,
		               COPY_MAX_DEPTH);
		return BASE_EFAIL;
	}
	for (size_t i = 0; rc == BASE_OK && i < m->n_entries; i++) {
		struct reg_ref csrc = {0}, cdst = {0};
		struct reg_manifest child;
		memset(&child, 0, sizeof(child));
		if (ref_by_digest(src, m->entries[i].digest, &csrc) < 0 ||
		    ref_by_digest(dst, m->entries[i].digest, &cdst) < 0) {
			base_error_set(err, "out of memory");
			rc = BASE_EFAIL;
		} else if (!guard_begin(cr, 'm', dst, m->entries[i].digest)) {
			stat_add(&stats->manifests_present, stats);
		} else {
			/* Present already? Then its blobs are too (the registry
			 * checked them when it was PUT). */
			struct reg_head head;
			struct base_error herr;
			base_error_clear(&herr);
			if (reg_manifest_head(s, &cdst, &head, &herr) == BASE_OK) {
				stat_add(&stats->manifests_present, stats);
			} else {
				rc = reg_manifest_get(s, &csrc, &child, err);
				if (rc == BASE_OK)
					rc = copy_manifest(s, &csrc, &child, &cdst, cr, depth + 1,
					                   1, err);
			}
			guard_end(cr, 'm', dst, m->entries[i].digest, rc == BASE_OK);
		}
		reg_manifest_free(&child);
		reg_ref_free(&csrc);
		reg_ref_free(&cdst);
	}
	return rc;
}

static int copy_manifest(struct reg_session *s, const struct reg_ref *src,
                         const struct reg_manifest *m, const struct reg_ref *dst,
                         const struct copy_run *cr, int depth, int known_absent,
                         struct base_error *err)
{
	struct reg_copy_stats *stats = cr->stats;
	struct reg_ref target = {0};
	struct reg_head head;
	int rc, mine = 0;

	if (dst->tag) {
		rc = reg_ref_copy(&target, dst);
		if (rc == 0 && target.digest) {
			free(target.digest);
			target.digest = NULL;
		}
	} else {
		rc = ref_by_digest(dst, m->digest, &target);
	}
	if (rc < 0) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	rc = known_absent ? BASE_ENOTFOUND : reg_manifest_head(s, &target, &head, err);
	if (rc == BASE_OK && strcmp(head.digest, m->digest) == 0) {
		stat_add(&stats->manifests_present, stats);
		goto out;
	}
	if (rc < 0 && rc != BASE_ENOTFOUND)
		goto out;
	base_error_clear(err);
	rc = copy_children(s, src, m, dst, cr, depth, err);
	if (rc < 0)
		goto out;
	/* A child's flight is its caller's (copy_children); a tagged PUT
	 * waits for the first PUT of the same digest into the repository. */
	mine = dst->tag && guard_begin(cr, 'm', dst, m->digest);
	rc = reg_manifest_put(s, &target, m->media_type, m->raw.data, m->raw.len, NULL, err);
	if (rc == BASE_OK)
		stat_add(&stats->manifests_put, stats);
	if (mine)
		guard_end(cr, 'm', dst, m->digest, rc == BASE_OK);
out:
	reg_ref_free(&target);
	return rc;
}

int reg_copy_manifest_guarded(struct reg_session *s, const struct reg_ref *src,
                              const struct reg_manifest *m, const struct reg_ref *dst,
                              const struct reg_copy_guard *guard, struct reg_copy_stats *stats,
                              struct base_error *err)
{
	struct reg_copy_stats dummy;
	struct copy_run cr = {guard, stats};
	if (!stats) {
		memset(&dummy, 0, sizeof(dummy));
		cr.stats = &dummy;
	}
	return copy_manifest(s, src, m, dst, &cr, 0, 0, err);
}

int reg_copy_manifest(struct reg_session *s, const struct reg_ref *src,
                      const struct reg_manifest *m, const struct reg_ref *dst,
                      struct reg_copy_stats *stats, struct base_error *err)
{
	return reg_copy_manifest_guarded(s, src, m, dst, NULL, stats, err);
}
