/* farm.h — the build-farm manifest: manifold's YAML config (and
 * manifest-tool's per-image spec), its validation with file:line:column
 * errors, templates, and expansion into a plan of targets × platforms.
 *
 * Knows nothing of HTTP or git. Platform *semantics* (which os/arch names
 * exist, aliases) belong to the registry module; the caller passes them in as
 * a callback so farm can report bad platforms at their place in the file.
 * All returned memory is owned by the returned object and freed with its
 * *_free function; *_free(NULL) is safe. */
#ifndef MANIFOLD_FARM_H
#define MANIFOLD_FARM_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define FARM_EMSG       BASE_EMSG
#define FARM_MAX_ERRORS 20
/* The first error is a struct base_error (base, for the layers above);
 * its fields are also reachable by name (err->msg). */
struct farm_error {
	union {
		struct base_error base;
		struct { /* struct base_error's fields, in its order */
			int http_status;
			char code[64];
			char msg[BASE_EMSG]; /* "release.yaml:14:9: images[3].platforms[1]: ..." */
		};
	};
	/* Every error the call found, one per line ('\n'-terminated), in
	 * document order; msg is the first of them. farm_config_load/parse
	 * keep reading after an error and list up to FARM_MAX_ERRORS; every
	 * other call stops at its first (all = msg). */
	char all[FARM_MAX_ERRORS * FARM_EMSG];
	size_t n_errors; /* errors found; all lists min(n_errors, FARM_MAX_ERRORS) */
};

/* Validates and normalises one platform string ("os/arch[/variant][:os.version]").
 * On success writes the normalised spelling (case and aliases normalised,
 * variant kept as written: "Linux/x86_64" → "linux/amd64", "linux/arm64/v8"
 * stays) to norm and returns 0. On failure writes a reason
 * (`"linux/arm64/v9" is not a known platform`) to why and returns -1. */
typedef int (*farm_platform_check_fn)(void *ctx, const char *text, char *norm, size_t norm_len,
                                      char *why, size_t why_len);

struct farm_config;
struct farm_image;
/* Called once for every image of the config as it is read and found
 * valid, in file order: 1 the config keeps it, 0 it is freed at once
 * (a shard holds only the images it works on), -1 no more calls (the
 * callback says why in its own error; the load goes on checking the
 * file, and fails: with the file's errors when it has any, else with err
 * left empty). cfg is the config being read (its path, is_spec; not yet
 * its images); im is only valid during the call. im NULL: forget the
 * images shown so far, they come again (a file read a second time). */
typedef int (*farm_image_keep_fn)(void *ctx, const struct farm_config *cfg,
                                  const struct farm_image *im);

struct farm_load_options {
	farm_platform_check_fn platform_check; /* NULL: syntax check only */
	void *platform_ctx;
	farm_image_keep_fn keep_image; /* NULL: every image is kept */
	void *keep_ctx;
};

struct farm_pos {
	int line, column; /* 1-based; 0 when not from a file */
};

struct farm_kv {
	char *key;
	char *value;
};

enum farm_format { FARM_FORMAT_AUTO, FARM_FORMAT_DOCKER, FARM_FORMAT_OCI };
/* `attestations:` what happens to the attestation manifests of a buildx
 * index source; `referrers:` to the children's signatures and referrers. */
enum farm_attestations { FARM_ATTESTATIONS_KEEP, FARM_ATTESTATIONS_DROP };
enum farm_referrers { FARM_REFERRERS_COPY, FARM_REFERRERS_SKIP };

/* A key of `sign-key` or `require-signature` (docs/signing.md): a PEM
 * file (a relative path is relative to the config file's directory) or
 * an environment variable holding the PEM text (a Kubernetes Secret). */
struct farm_key_ref {
	char *file; /* or NULL */
	char *env;  /* or NULL */
	struct farm_pos pos;
};

struct farm_platform {
	char
	    *name; /* normalised spelling, e.g. "linux/arm64/v8", "windows/amd64:10.0.17763.6659" */
	char *os, *arch;    /* split from name */
	char *variant;      /* NULL if none */
	char *os_version;   /* NULL if none */
	char **os_features; /* manifest-tool spec `osfeatures` */
	size_t n_os_features;
	char **features; /* manifest-tool spec `features` */
	size_t n_features;
	char *source;                /* per-platform source template (images[].sources), or NULL;
	                              * in a spec the manifest's image reference, used literally */
	struct farm_kv *annotations; /* per-platform annotations, written on the list entry */
	size_t n_annotations;
	int optional; /* from optional-platforms: joins the list when present, never blocks it */
	struct farm_pos pos;
};

#define FARM_RECHECK_DAYS 7 /* `recheck-children` when the config sets none */

struct farm_image {
	char *name;
	char **tags;
	size_t n_tags;
	char **extra_tags; /* the first tag's list is also pushed to these */
	size_t n_extra_tags;
	char *registry; /* resolved: image's, else defaults' ("host[:port][/path]"); NULL when
	                 * no template uses {registry}; a spec: its host or "docker.io" */
	char *source;   /* resolved template; NULL in a spec (platforms carry sources) */
	char *target;   /* resolved template */
	enum farm_format format;
	int verify_platform;
	/* Resolved (image's, else defaults'; deep copies): the required
	 * platforms in config order, then the n_optional optional ones
	 * (optional-platforms, platform->optional set) in config order. */
	struct farm_platform *platforms;
	size_t n_platforms; /* required + optional */
	size_t n_optional;
	/* Policy, resolved: image's, else defaults', else the default. */
	int allow_shrink; /* `allow-shrink`, 0 by default */
	int overwrite;    /* `overwrite`: a tag holding what manifold did not write may be
	                   * replaced; 0 by default */
	int recheck_days; /* `recheck-children`: every target's list children are HEADed
	                   * in its repository once per this many days; FARM_RECHECK_DAYS */
	enum farm_attestations attestations; /* `attestations`, keep by default */
	enum farm_referrers referrers;       /* `referrers`, copy by default */
	struct farm_kv *annotations;         /* index-level annotations */
	size_t n_annotations;
	struct farm_key_ref *sign_key;          /* `sign-key`, NULL: lists are not signed */
	struct farm_key_ref *require_signature; /* `require-signature`: public keys */
	size_t n_require_signature;             /* 0: children need no signature */
	struct farm_pos pos;
	size_t index;         /* its place in `images:` (0 in a spec) */
	int shares_platforms; /* platforms is the config's shared_platforms, not its own */
};

struct farm_registry {
	char *name; /* "host[:port]" as the key was written */
	int insecure;
	int tls;       /* `tls: true`: HTTPS even to a loopback registry (ca-file implies it) */
	char *ca_file; /* NULL if none; relative paths resolved against the config's dir */
	int max_concurrency; /* 0: unlimited */
	double max_rate;     /* requests per second, 0: unlimited */
	/* Timeouts and retries (docs/config.md); 0 / -1 when not set. */
	long timeout_ms;        /* `timeout`, 0: not set */
	long low_speed_limit;   /* `low-speed-limit` bytes/s, 0: not set */
	long low_speed_time_ms; /* `low-speed-time`, 0: not set */
	int retries;            /* `retries`, -1: not set */
	struct farm_pos pos;
	/* Request budgets (docs/config.md, "Request budgets"): at most limit
	 * requests in any window_ms. set 0: not in the config (the preset's,
	 * if any, applies); limit 0 with set: `none`, no budget. */
	struct farm_budget {
		long limit;
		long window_ms;
		int set;
	} rate_limit, write_rate_limit, pull_rate_limit;
	char *preset;          /* `preset:` name as written ("ghcr"), NULL: none */
	int rate_limit_shared; /* `rate-limit-shared`, -1: not set (true) */
};

/* The presets `preset:` takes; their numbers are the registry module's. */
extern const char *const farm_presets[];

struct farm_retag_rule {
	char *from, *to; /* templates */
	char **images;   /* NULL/0: every image */
	size_t n_images;
	int overwrite;    /* `overwrite`: move a destination manifold did not write */
	int allow_shrink; /* `allow-shrink`: a destination's list may lose platforms */
	struct farm_pos pos;
};

struct farm_config {
	char *path;  /* as given to farm_config_load */
	int is_spec; /* loaded from a manifest-tool spec (image:/manifests:) */
	struct farm_registry *registries;
	size_t n_registries;
	struct farm_image *images; /* those the load kept (farm_load_options.keep_image) */
	size_t n_images;
	size_t n_images_all; /* images in the file, held or not */
	/* The platforms of the images that take the defaults' unchanged, one
	 * list for them all (their shares_platforms); NULL: none does. */
	struct farm_platform *shared_platforms;
	size_t n_shared_platforms;
	struct farm_retag_rule *retag;
	size_t n_retag;
	char *status; /* status file path from the config (relative to cwd as written), or NULL */
	/* status-layout: "auto", "one-file" or "split" (status.md, "A big status
	 * file: split into parts"); NULL: auto */
	char *status_layout;
};

/* Load and validate a config file. Accepts manifold's config (top-level keys
 * defaults, registries, images, retag, status, status-layout) or manifest-tool's spec
 * (image, tags, manifests, annotations), read as a one-image config whose
 * platforms carry explicit per-platform sources. Unknown keys, wrong types,
 * missing required keys, duplicate image names, bad templates and bad
 * platforms are errors naming file:line:column and the key path (an error
 * inside a node an alias copied names the anchor's place and the alias's:
 * "release.yaml:3:14 (via alias at 9:16): ..."). Reading goes on after an
 * error, so err->all lists every one found; any error rejects the file. */
int farm_config_load(const char *path, const struct farm_load_options *opts,
                     struct farm_config **out, struct farm_error *err);
/* Same from memory; `name` is used in messages in place of the path. */
int farm_config_parse(const char *name, const char *data, size_t len,
                      const struct farm_load_options *opts, struct farm_config **out,
                      struct farm_error *err);
void farm_config_free(struct farm_config *c);
/* The settings for a registry name, or NULL. */
const struct farm_registry *farm_config_registry(const struct farm_config *c, const char *name);

/* ---- templates --------------------------------------------------------- */

struct farm_vars {
	const char *registry, *name, *tag, *os, *arch, *variant; /* NULL: unset */
};

/* Expand {registry} {name} {tag} {os} {arch} {variant} and manifest-tool's
 * bare OS ARCH VARIANT tokens. An unknown {token}, an unclosed brace, or a
 * token whose variable is unset is an error. A {variant} that is set but
 * empty expands to "" and a "-" or "/" written right before it in the
 * template is dropped too ("{name}-{arch}-{variant}" → "name-amd64"); with
 * "{name}-{arch}{variant}" nothing else is dropped ("name-amd64", and
 * "name-armv7" for variant v7). A bare token counts only when a whole run of
 * letters and digits is made of OS/ARCH/VARIANT ("-ARCH:", "ARCHVARIANT"),
 * never inside a longer word ("ARCHIVE"). Returns a malloc'd string or NULL. */
char *farm_template_expand(const char *tmpl, const struct farm_vars *vars, struct farm_error *err);
/* 1 when the template uses any per-platform token ({os} {arch} {variant} OS ARCH VARIANT). */
int farm_template_is_per_platform(const char *tmpl);

/* ---- the plan ---------------------------------------------------------- */

struct farm_source {
	const struct farm_platform *platform; /* points into the config */
	char *ref;    /* expanded source reference; a spec's as written (may be digest-pinned) */
	int optional; /* platform->optional */
};

struct farm_target {
	const struct farm_image *image; /* points into the config */
	size_t tag_index;               /* of tag in image->tags */
	char *tag;
	char *ref;         /* expanded target reference */
	char **extra_refs; /* target refs for extra-tags (first tag of an image only) */
	size_t n_extra_refs;
	struct farm_source
	    *sources; /* one per platform: required, then optional, in config order */
	size_t n_sources;
	/* a target a plan holds: one block with its strings and arrays (a
	 * night of many targets holds each for the whole run); NULL: each its
	 * own allocation */
	void *packed;
};

struct farm_plan {
	struct farm_target *targets; /* config order: images, then tags */
	size_t n_targets;
};

/* Expand every image × tag. `only` (may be NULL/empty) limits to images
 * whose name equals it, or targets whose ref equals it; matching nothing is
 * an error. The plan points into cfg, which must outlive it. */
int farm_plan_expand(const struct farm_config *cfg, const char *only, struct farm_plan **out,
                     struct farm_error *err);
/* Called once for every target as it is expanded, in config order: 1 the
 * plan keeps it, 0 it is freed at once (a shard never holds the targets of
 * the others), -1 stops the expansion (the callback says why in its own
 * error; err is left empty). t is only valid during the call. */
typedef int (*farm_plan_keep_fn)(void *ctx, const struct farm_target *t);
/* Expand the targets of one image (its tags, in order), calling keep for
 * each (keep's 0 and 1 alike free the target after the call: nothing is
 * held). Returns how many keep returned 1 for, or -1: keep's -1, or a
 * template that does not expand (err says so, as farm_plan_expand_kept
 * does). For a farm_image_keep_fn that decides by the image's targets. */
int farm_image_targets(const struct farm_config *cfg, const struct farm_image *im,
                       farm_plan_keep_fn keep, void *ctx, struct farm_error *err);
/* Expand every image × tag, keeping those keep says (keep NULL: all). An
 * empty result is no error. */
int farm_plan_expand_kept(const struct farm_config *cfg, farm_plan_keep_fn keep, void *ctx,
                          struct farm_plan **out, struct farm_error *err);
void farm_plan_free(struct farm_plan *p);
/* Target tag (image->tags[tag]) of im as a plan holds it: one block
 * (packed). 0, or -1 with err naming image and tag. Free with
 * farm_target_clear. */
int farm_target_make(const struct farm_config *cfg, const struct farm_image *im, size_t tag,
                     struct farm_target *out, struct farm_error *err);
void farm_target_clear(struct farm_target *t);

/* Stable shard selection: 1 when target ref belongs to shard index of count
 * (FNV-1a 64 of the ref, modulo count). count 0 or 1: everything is shard 0. */
int farm_shard_has(const char *ref, unsigned index, unsigned count);
/* FNV-1a 64 of a target reference: its shard, and how a plan remembers the
 * targets it does not hold. */
uint64_t farm_ref_hash(const char *ref);

/* ---- retag ------------------------------------------------------------- */

struct farm_copy {
	char *from, *to;                      /* expanded references */
	const struct farm_image *image;       /* NULL for ad hoc pairs */
	const struct farm_platform *platform; /* NULL for per-tag rules */
	const struct farm_retag_rule *rule;   /* NULL for ad hoc pairs */
};

struct farm_copy_plan {
	struct farm_copy *copies;
	size_t n_copies;
};

/* Expand cfg->retag: a rule using per-platform tokens expands per image ×
 * tag × platform, one without per image × tag. `only` as in farm_plan_expand. */
int farm_retag_expand(const struct farm_config *cfg, const char *only, struct farm_copy_plan **out,
                      struct farm_error *err);
/* Read "SRC DST" pairs, one per line, '#' comments and blank lines ignored;
 * errors name file:line. */
int farm_pairs_load(const char *path, struct farm_copy_plan **out, struct farm_error *err);
void farm_copy_plan_free(struct farm_copy_plan *p);

#endif
