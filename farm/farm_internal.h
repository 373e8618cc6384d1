/* farm_internal.h — farm's private pieces: the positioned YAML node tree
 * (node.c), the validation context with its key path (ctx.c), the getters
 * every reader uses (getters.c), the readers, template checks (template.c)
 * and the helpers the loaders share. Only the farm sources
 * include this. */
#ifndef MANIFOLD_FARM_INTERNAL_H
#define MANIFOLD_FARM_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "farm.h"

/* Limits that keep hostile input (the fuzzer, a wrong file) cheap. */
#define FARM_MAX_DEPTH 64         /* nesting of lists/mappings */
#define FARM_MAX_NODES 1000000    /* nodes in one file */
#define FARM_MAX_FILE  (16 << 20) /* bytes read by farm_config_load */
#define FARM_MAX_PATH  512

/* ---- node tree (node.c) -------------------------------------------------
 * libyaml's event stream turned into a tree where every node keeps its
 * 1-based line and column (h2o's yoml). Mapping keys are scalars; their
 * order is kept. An alias is replaced by a copy of its anchor's node (so
 * FARM_MAX_NODES bounds what aliases expand to) whose nodes keep the
 * anchor's positions and also name the alias's; merge keys (`<<: *base`)
 * are resolved into their mapping. */

enum farm_node_kind { FARM_NODE_SCALAR, FARM_NODE_SEQ, FARM_NODE_MAP };

struct farm_node;

struct farm_node_pair {
	struct farm_node *key; /* always a scalar */
	struct farm_node *value;
};

struct farm_node {
	enum farm_node_kind kind;
	int line, column;
	int end_line, end_column; /* SEQ, MAP: where the collection ends */
	int via_line, via_column; /* copied by an alias: the alias's place; else 0 */
	unsigned char anchored;   /* node.c, while building: an anchor names this node */
	unsigned char merge_key;  /* node.c, while building: the plain key "<<" */
	char *scalar;             /* SCALAR: NUL-terminated text (NUL bytes inside are rejected) */
	int is_null;              /* SCALAR: a plain empty, "~" or "null" scalar */
	struct farm_node **items; /* SEQ */
	size_t n_items;
	struct farm_node_pair *pairs; /* MAP */
	size_t n_pairs;
};

/* Parse one YAML document. An empty stream gives *out = NULL and 0. Errors
 * ("NAME:LINE:COL: message") go to err. */
int farm_node_parse(const char *name, const char *data, size_t len, struct farm_node **out,
                    struct farm_error *err);
/* The same, handing over the items of the root mapping's first "images"
 * list one at a time (config_stream.c): each item, once complete, is
 * passed to item() (root: the root mapping so far, the keys before
 * "images"; index: the item's place) and then freed, so that the tree
 * never holds more than one image. The list stays in the tree, empty;
 * seq points to it. An anchor inside an item lives on as a copy for the
 * aliases after it. An "images" value that is no list, an alias or an
 * anchored list is not streamed (seq stays NULL). item() returning -1
 * stops the parse (it sets err). With stop_after, parsing ends with the
 * list: *out is then NULL. */
struct farm_node_stream {
	int (*item)(void *ctx, const struct farm_node *root, const struct farm_node *item,
	            size_t index);
	void *ctx;
	int stop_after;
	const struct farm_node *seq; /* out: the streamed list, or NULL */
	size_t n_items;              /* out: its items */
};
int farm_node_parse_stream(const char *name, const char *data, size_t len,
                           struct farm_node_stream *s, struct farm_node **out,
                           struct farm_error *err);
void farm_node_free(struct farm_node *n);
/* The value for key in a mapping, or NULL. */
struct farm_node *farm_node_get(const struct farm_node *map, const char *key);
const char *farm_node_kind_name(const struct farm_node *n);

/* ---- validation context (ctx.c) ------------------------------------------ */

/* One error found while validating: its message line and the place that
 * orders it (the alias's when it came through one). */
struct farm_found {
	int line, column;
	char *msg;
};

#define FARM_KEEP_ERRORS 200 /* kept for sorting; FARM_MAX_ERRORS are reported */

struct farm_ctx {
	const char *file;
	const struct farm_load_options *opts;
	struct farm_error *err;
	char path[FARM_MAX_PATH]; /* "images[3].platforms[1]" */
	size_t path_len;
	struct farm_found *found; /* the first FARM_KEEP_ERRORS farm_fail recorded */
	size_t n_found;
	size_t n_errors; /* every farm_fail */
};

/* Path building; each push returns the length to restore with path_pop. */
size_t farm_path_key(struct farm_ctx *x, const char *key);
size_t farm_path_index(struct farm_ctx *x, size_t i);
void farm_path_pop(struct farm_ctx *x, size_t mark);

/* Records "FILE:LINE:COL: PATH: message" at n (n may be NULL: no position;
 * "FILE:LINE:COL (via alias at L:C)" for a node an alias copied) and
 * returns -1. Readers go on after a failure where the rest does not depend
 * on the failed value, so one run reports every independent mistake. */
int farm_fail(struct farm_ctx *x, const struct farm_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for what a whole mapping lacks ("missing required key"): named
 * at the mapping's start, ordered where it ends, after what is inside it. */
int farm_fail_end(struct farm_ctx *x, const struct farm_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes the recorded errors, in document order, to x->err (msg: the
 * first; all: up to FARM_MAX_ERRORS) and frees them. -1 when there were
 * any, else 0. */
int farm_ctx_finish(struct farm_ctx *x);

/* ---- getters (getters.c): what every reader reads with -------------------- */

/* Keys a mapping allows: required ones must be present; others are
 * optional. Checks the node is a mapping, reports unknown keys (with a
 * did-you-mean), duplicate keys and missing required keys. Returns -1 when
 * n is no mapping or misses a required key; unknown and duplicate keys are
 * recorded but return 0 (the known keys can still be read). */
struct farm_keys {
	const char *const *required; /* NULL-terminated, may be NULL */
	const char *const *optional; /* NULL-terminated, may be NULL */
};
int farm_check_mapping(struct farm_ctx *x, const struct farm_node *n, const struct farm_keys *k);
/* 1 when an unknown key of n would be suggested as `key` (a misspelling
 * of it, already reported: its absence is the same mistake). */
int farm_mapping_misspells(const struct farm_node *n, const struct farm_keys *k, const char *key);

/* Typed readers: each fails with "expected …, got …" at n. */
int farm_get_string(struct farm_ctx *x, const struct farm_node *n, char **out);
int farm_get_bool(struct farm_ctx *x, const struct farm_node *n, int *out);
int farm_get_seq(struct farm_ctx *x, const struct farm_node *n);
int farm_get_string_list(struct farm_ctx *x, const struct farm_node *n, char ***out, size_t *n_out);
int farm_get_kv_map(struct farm_ctx *x, const struct farm_node *n, struct farm_kv **out,
                    size_t *n_out);
/* A mapping into key/value pairs, entry filling kv[i] from pair i (the
 * earlier entries are kv[0..i-1]) with the key path at the pair. Every
 * entry is read; on any failure *out is NULL. */
typedef int (*farm_entry_fn)(struct farm_ctx *x, const struct farm_node_pair *p, struct farm_kv *kv,
                             size_t i);
int farm_get_map(struct farm_ctx *x, const struct farm_node *n, farm_entry_fn entry,
                 struct farm_kv **out, size_t *n_out);
/* Validates and normalises one platform (opts->platform_check when set) and
 * fills p->name/os/arch/variant/os_version. Errors at n. */
int farm_platform_set(struct farm_ctx *x, const struct farm_node *n, const char *text,
                      struct farm_platform *p);
int farm_check_template(struct farm_ctx *x, const struct farm_node *n, const char *tmpl);

/* ---- readers: config.c picks one by the top-level keys ------------------- */

/* The manifest-tool spec reader (spec.c); root is a mapping. */
int farm_spec_read(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c);
/* manifold's config read as it streams, an image at a time, keeping the
 * images opts->keep_image keeps (config_stream.c). 0 read; -1 keep_image
 * stopped it (err empty); 1 the file is to be read whole (it has an
 * error, or is not a config the stream reads: *out NULL, err untouched). */
int farm_config_stream(const char *name, const char *data, size_t len,
                       const struct farm_load_options *opts, const char *base_dir,
                       struct farm_config **out, struct farm_error *err);
/* manifold's own config (config_read.c); root is a mapping. Relative file
 * names (a registry's ca-file) resolve against base_dir (NULL: the working directory). */
int farm_config_read(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c,
                     const char *base_dir);

/* ---- manifold's config (config_*.c) --------------------------------------- */

/* config_values.c: the typed values of manifold's config. Each records its
 * error at n and returns -1; on failure *out is left NULL/unchanged. */
int farm_read_enum(struct farm_ctx *x, const struct farm_node *n, const char *const *names,
                   int *out);
/* per_platform_ok 0 for targets, which name one list for all platforms. */
int farm_read_template(struct farm_ctx *x, const struct farm_node *n, int per_platform_ok,
                       char **out);
/* "host[:port]"; with allow_path also "host[:port]/path". 1 when valid. */
int farm_registry_ok(const char *s, int allow_path);
int farm_read_registry_value(struct farm_ctx *x, const struct farm_node *n, char **out);
/* A list of platforms, each normalised; duplicates after normalisation are
 * errors; allow_empty for optional-platforms. On failure *out is NULL. */
int farm_read_platforms(struct farm_ctx *x, const struct farm_node *n, int allow_empty,
                        struct farm_platform **out, size_t *n_out);
/* `sources:` in defaults: platform (normalised) → template. */
int farm_read_source_map(struct farm_ctx *x, const struct farm_node *n, struct farm_kv **out,
                         size_t *n_out);
/* A decimal integer in [min, max]; a duration ("500ms", "30s", "2m", "1h"). */
int farm_read_long(struct farm_ctx *x, const struct farm_node *n, long min, long max,
                   const char *want, long *out);
int farm_read_duration(struct farm_ctx *x, const struct farm_node *n, long *out_ms);
/* "expected <want>, got "<text>"" (or the node's kind) at n. */
int farm_fail_expected(struct farm_ctx *x, const struct farm_node *n, const char *want);

/* config_sign.c: `sign-key` (one key) and `require-signature` (one key or
 * a list); copies and frees for the resolved image. */
int farm_read_key_ref(struct farm_ctx *x, const struct farm_node *n, struct farm_key_ref *out);
int farm_read_key_list(struct farm_ctx *x, const struct farm_node *n, struct farm_key_ref **out,
                       size_t *n_out);
int farm_key_refs_copy(struct farm_key_ref **dst, const struct farm_key_ref *src, size_t n);
void farm_key_refs_free(struct farm_key_ref *v, size_t n);

/* config_registries.c: the `registries` mapping into c->registries. */
/* The root's `status` and `status-layout` (config_read.c). */
void farm_read_status_keys(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c);
int farm_read_registries(struct farm_ctx *x, const struct farm_node *n, struct farm_config *c,
                         const char *base_dir);

/* ---- templates (template.c) --------------------------------------------- */

/* 0 when the template is well formed; else -1 and a reason in why. */
int farm_template_check(const char *tmpl, char *why, size_t why_len);
/* 1 when the template uses {token} (or its bare form), e.g. "registry". */
int farm_template_uses(const char *tmpl, const char *token);

/* ---- helpers (util.c) ---------------------------------------------------- */

void farm_image_clear(struct farm_image *im); /* config.c; frees what im holds */
char *farm_strdup(const char *s);
char *farm_strndup(const char *s, size_t n);
void farm_err_set(struct farm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void farm_strv_free(char **v, size_t n);
void farm_kv_free(struct farm_kv *kv, size_t n);
void farm_platform_clear(struct farm_platform *p);
int farm_platform_copy(struct farm_platform *dst, const struct farm_platform *src);
int farm_kv_copy(struct farm_kv **dst, size_t *n_dst, const struct farm_kv *src, size_t n);
/* distribution's repository name and Docker's tag grammar; 1 when valid. */
int farm_name_ok(const char *s);
int farm_tag_ok(const char *s);
/* Levenshtein distance, capped (returns cap+1 when larger). */
size_t farm_edit_distance(const char *a, const char *b, size_t cap);
/* The candidate nearest to s within distance 2, or NULL. */
const char *farm_suggest(const char *s, const char *const *candidates);

/* A set of strings (not owned) with the index each was first added at:
 * duplicate checks over a whole config in O(n) rather than comparing each
 * name with every earlier one. */
struct farm_strset {
	const char **keys;
	size_t *index;
	size_t cap, n;
};
/* 0 when s was added at index i; 1 when it was there already (*first is
 * the index it was added at); -1 out of memory. */
int farm_strset_add(struct farm_strset *set, const char *s, size_t i, size_t *first);
/* 1 when s is in the set (*at: the index it was added at), else 0. */
int farm_strset_find(const struct farm_strset *set, const char *s, size_t *at);
void farm_strset_free(struct farm_strset *set);

/* The names of a config's images, each with its image's place, whether
 * the image is held or not (config_stream.c keeps only some): what the
 * duplicate check and the retag rules' `images` look names up in. The
 * names are copied into blocks (no allocation each). */
struct farm_names {
	struct farm_strset set; /* keys point into blocks; index: into pos */
	struct farm_pos *pos;
	size_t n, cap;
	char **blocks;
	size_t n_blocks, block_used;
};
/* 0 added; 1 there already (*first: the place of the image that has it);
 * -1 out of memory. */
int farm_names_add(struct farm_names *t, const char *name, struct farm_pos pos,
                   struct farm_pos *first);
void farm_names_free(struct farm_names *t);

#endif
