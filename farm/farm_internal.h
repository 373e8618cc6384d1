/* internal.h — farm's private pieces: the positioned YAML node tree
 * (node.c), the validation context with its key path (config.c), template
 * checks (template.c) and the helpers the loaders share. Only the farm sources
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
 * order is kept. */

enum farm_node_kind { FARM_NODE_SCALAR, FARM_NODE_SEQ, FARM_NODE_MAP };

struct farm_node;

struct farm_node_pair {
	struct farm_node *key; /* always a scalar */
	struct farm_node *value;
};

struct farm_node {
	enum farm_node_kind kind;
	int line, column;
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
void farm_node_free(struct farm_node *n);
/* The value for key in a mapping, or NULL. */
struct farm_node *farm_node_get(const struct farm_node *map, const char *key);
const char *farm_node_kind_name(const struct farm_node *n);

/* ---- validation context (config.c, spec.c) ------------------------------ */

struct farm_ctx {
	const char *file;
	const struct farm_load_options *opts;
	struct farm_error *err;
	char path[FARM_MAX_PATH]; /* "images[3].platforms[1]" */
	size_t path_len;
};

/* Path building; each push returns the length to restore with path_pop. */
size_t farm_path_key(struct farm_ctx *x, const char *key);
size_t farm_path_index(struct farm_ctx *x, size_t i);
void farm_path_pop(struct farm_ctx *x, size_t mark);

/* "FILE:LINE:COL: PATH: message" at n (n may be NULL: no position). Returns -1. */
int farm_fail(struct farm_ctx *x, const struct farm_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Keys a mapping allows: required ones must be present; others are
 * optional. Checks the node is a mapping, rejects unknown keys (with a
 * did-you-mean), duplicate keys and missing required keys. */
struct farm_keys {
	const char *const *required; /* NULL-terminated, may be NULL */
	const char *const *optional; /* NULL-terminated, may be NULL */
};
int farm_check_mapping(struct farm_ctx *x, const struct farm_node *n, const struct farm_keys *k);

/* Typed readers: each fails with "expected …, got …" at n. */
int farm_get_string(struct farm_ctx *x, const struct farm_node *n, char **out);
int farm_get_bool(struct farm_ctx *x, const struct farm_node *n, int *out);
int farm_get_seq(struct farm_ctx *x, const struct farm_node *n);
int farm_get_string_list(struct farm_ctx *x, const struct farm_node *n, char ***out, size_t *n_out);
int farm_get_kv_map(struct farm_ctx *x, const struct farm_node *n, struct farm_kv **out,
                    size_t *n_out);
/* Validates and normalises one platform (opts->platform_check when set) and
 * fills p->name/os/arch/variant/os_version. Errors at n. */
int farm_platform_set(struct farm_ctx *x, const struct farm_node *n, const char *text,
                      struct farm_platform *p);
int farm_check_template(struct farm_ctx *x, const struct farm_node *n, const char *tmpl);

/* The manifest-tool spec reader (spec.c); root is a mapping. */
int farm_spec_read(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c);

/* ---- templates (template.c) --------------------------------------------- */

/* 0 when the template is well formed; else -1 and a reason in why. */
int farm_template_check(const char *tmpl, char *why, size_t why_len);
/* 1 when the template uses {token} (or its bare form), e.g. "registry". */
int farm_template_uses(const char *tmpl, const char *token);

/* ---- helpers (util.c) ---------------------------------------------------- */

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

#endif
