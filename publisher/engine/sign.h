/* sign.h — engine-private: signed releases. The keys (sign.c), cosign's
 * tag layout for signatures and attestations (sign_cosign.c), the
 * publish record (provenance.c), signing a published list (sign_run.c)
 * and the signature gate for children (sign_gate.c). docs/signing.md
 * describes the formats. A private key's bytes never leave struct
 * pub_key: messages name where a key came from ("file keys/release.pem",
 * "env SIGN_KEY") and its id, never its contents. */
#ifndef MANIFOLD_SIGN_H
#define MANIFOLD_SIGN_H

#include "engine_internal.h"
#include "inspect.h"
#include "verify.h"

#define PUB_MT_SIMPLESIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define PUB_MT_DSSE          "application/vnd.dsse.envelope.v1+json"
#define PUB_MT_INTOTO        "application/vnd.in-toto+json"
#define PUB_ANN_SIGNATURE    "dev.cosignproject.cosign/signature"
#define PUB_PREDICATE_TYPE   "https://manifold.dev/publish/v1"
#define PUB_KEY_ID_MAX       REG_DIGEST_MAX /* "sha256:" + 64 hex + NUL */

/* ---- keys (sign.c) -------------------------------------------------------- */

/* An ECDSA P-256 key, private (signs and verifies) or public (verifies).
 * id: "sha256:<hex>" of the DER SubjectPublicKeyInfo, the same for a
 * private key and its public half. */
struct pub_key {
	void *pkey; /* EVP_PKEY */
	int is_private;
	char id[PUB_KEY_ID_MAX];
	char *where; /* "file PATH" or "env NAME", for messages */
};
/* A PEM key (PKCS#8 or SEC1 private; SubjectPublicKeyInfo public). `where`
 * names it in messages. An encrypted key (cosign's or PKCS#8's) is refused
 * with a message saying so; no passphrase is ever asked for. */
int pub_key_from_pem(const uint8_t *pem, size_t len, int want_private, const char *where,
                     struct pub_key **out, struct base_error *err);
/* From a file (path; relative paths against base_dir when not NULL) or
 * an environment variable holding the PEM text (env). */
int pub_key_load(const char *file, const char *env, const char *base_dir, int want_private,
                 struct pub_key **out, struct base_error *err);
void pub_key_free(struct pub_key *k); /* NULL safe */
/* ECDSA over SHA-256 of data, DER-encoded signature into out. */
int pub_key_sign(const struct pub_key *k, const uint8_t *data, size_t len, struct base_buf *out,
                 struct base_error *err);
/* 1 when sig (DER) is k's signature of data, else 0. */
int pub_key_verify(const struct pub_key *k, const uint8_t *data, size_t len, const uint8_t *sig,
                   size_t sig_len);

/* Standard base64 (RFC 4648 §4, padded): malloc'd text, NULL out of memory. */
char *pub_b64_encode(const uint8_t *data, size_t len);
/* Decode padded standard base64; -1 when it is not. */
int pub_b64_decode(const char *text, struct base_buf *out);

/* ---- the formats (sign.c) ------------------------------------------------- */

/* cosign's simple-signing payload for repo ("host/path") at digest, as
 * cosign writes it (keys in this order, no spaces):
 * {"critical":{"identity":{"docker-reference":REPO},"image":
 * {"docker-manifest-digest":DIGEST},"type":"cosign container image
 * signature"},"optional":null} */
int pub_sign_payload(const char *repo, const char *digest, struct base_buf *out);
/* The digest a simple-signing payload names (critical.image.
 * docker-manifest-digest, with critical.type checked), into digest. */
int pub_sign_payload_digest(const uint8_t *data, size_t len, char digest[REG_DIGEST_MAX],
                            struct base_error *err);
/* DSSE's pre-authentication encoding (DSSE v1 protocol):
 * "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in ASCII decimal. */
int pub_dsse_pae(const char *type, const uint8_t *body, size_t len, struct base_buf *out);
/* A DSSE envelope of body (payloadType type) signed by k:
 * {"payloadType":…,"payload":BASE64,"signatures":[{"keyid":ID,"sig":BASE64}]} */
int pub_dsse_sign(const struct pub_key *k, const char *type, const uint8_t *body, size_t len,
                  struct base_buf *out, struct base_error *err);
/* Check an envelope against keys: 1 when some signature verifies under one
 * of them (its payload into body when not NULL, *by = that key), 0 when none
 * does (why says so), -1 when it does not parse (err). */
int pub_dsse_verify(const uint8_t *env, size_t len, struct pub_key *const *keys, size_t n_keys,
                    struct base_buf *body, const struct pub_key **by, char *why, size_t why_len,
                    struct base_error *err);

/* ---- cosign's tags (sign_cosign.c) ---------------------------------------- */

/* What a `sha256-<hex>.sig` tag says about digest, for a set of keys. */
enum pub_sig_verdict {
	PUB_SIG_VALID,       /* a layer's signature verifies under one of the keys, for digest */
	PUB_SIG_NONE,        /* no .sig tag, or no signature layer in it */
	PUB_SIG_UNKNOWN_KEY, /* signatures, none by any of the keys */
	PUB_SIG_OTHER_DIGEST /* a signature by one of the keys, for another digest */
};
const char *pub_sig_verdict_str(enum pub_sig_verdict v); /* "no signature", ... */

/* One signature layer of a .sig manifest, read back. */
struct pub_sig_layer {
	size_t index;                       /* its place in the manifest's layers */
	char *digest;                       /* the payload blob's */
	char *signature;                    /* base64, as annotated (.sig) */
	char *predicate_type;               /* as annotated (.att), or NULL */
	struct base_buf payload;            /* the blob: simple-signing payload, or DSSE envelope */
	struct base_buf statement;          /* .att: the envelope's payload, when it verified */
	const struct pub_key *by;           /* the key it verifies under, or NULL */
	char signed_digest[REG_DIGEST_MAX]; /* what the payload (statement subject) names */
};
struct pub_sig_set {
	struct reg_manifest manifest; /* the .sig tag's, raw kept; empty when absent */
	int present;
	struct pub_sig_layer *layers;
	size_t n_layers;
};
void pub_sig_set_free(struct pub_sig_set *s); /* NULL safe */
/* GET repo's cosign tag for digest (suffix ".sig" or ".att") and each
 * signature (simple-signing) or DSSE layer's blob, checked against keys
 * (n_keys may be 0: then nothing verifies). A missing tag is present = 0,
 * not an error. */
int pub_sig_fetch(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                  const char *suffix, struct pub_key *const *keys, size_t n_keys,
                  struct pub_sig_set *out, struct base_error *err);
/* The verdict of a fetched .sig set for digest; *by the key that signed. */
enum pub_sig_verdict pub_sig_judge(const struct pub_sig_set *set, const char *digest,
                                   const struct pub_key **by);
/* The .sig manifest for a new layer (payload, base64 sig) after the layers
 * of prev (may be NULL) that another key made: every layer of prev is kept
 * except those k signed. OCI image manifest; config as cosign writes it
 * (rootfs.diff_ids = the layers' digests). The config and payload bytes
 * are returned to be uploaded first. */
int pub_sig_manifest(const struct pub_sig_set *prev, const struct pub_key *k,
                     const struct base_buf *payload, const char *sig_b64, struct base_buf *config,
                     struct base_buf *manifest, struct base_error *err);
/* Upload blobs, then PUT manifest to repo's tag for digest + suffix. */
int pub_sig_push(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                 const char *suffix, const struct base_buf *config, const struct base_buf *layer,
                 const struct base_buf *manifest, struct base_error *err);
/* The .att manifest: prev's layers kept as pub_sig_manifest keeps them,
 * then one DSSE layer with cosign's annotations (signature "",
 * predicateType). */
int pub_att_manifest(const struct pub_sig_set *prev, const struct pub_key *k,
                     const struct base_buf *envelope, const char *predicate_type,
                     struct base_buf *config, struct base_buf *manifest, struct base_error *err);

/* ---- the publish record (provenance.c) ------------------------------------ */

/* One child of a published list, as the record tells it. */
struct pub_prov_child {
	const char *platform;          /* claimed: the config's */
	const char *verified_platform; /* from the child's config, NULL: not checked */
	const char *digest;
	const char *source;    /* the per-arch reference */
	const char *signature; /* the gate's verdict: "valid by sha256:…", "not required" */
};
struct pub_prov {
	const char *repo; /* "host/path" */
	const char *digest;
	const char *config_digest; /* sha256 of the config file, NULL unknown */
	const char *status_commit; /* NULL unknown */
	const struct pub_prov_child *children;
	size_t n_children;
};
/* The in-toto v1 statement, deterministic bytes (2-space indented). */
int pub_prov_statement(const struct pub_prov *p, struct base_buf *out, struct base_error *err);

/* ---- a run's keys (sign_run.c) -------------------------------------------- */

struct tjob;
struct job_ctx;

/* One image's keys (borrowed from the run's struct pub_signing). */
struct pub_sign_image {
	const struct farm_image *img;
	struct pub_key *priv;  /* sign-key, NULL: not signed (or a check run) */
	struct pub_key **pubs; /* require-signature */
	size_t n_pubs;
};
struct pub_signing;
/* Every key the config names, each loaded once, before any request: a key
 * that cannot be loaded is BASE_EINPUT, the message naming the config place
 * (file:line:column) and the key's file or variable. The keys of images a
 * shard does not hold (plan->other_keys; plan may be NULL) are loaded too,
 * so every shard stops on the same bad key. with_private 0 (a check run):
 * sign-key is not loaded. *out is NULL when no image signs or gates. */
struct pub_plan;
int pub_signing_new(const struct farm_config *cfg, const struct pub_plan *plan, int with_private,
                    struct pub_signing **out, struct base_error *err);
void pub_signing_free(struct pub_signing *sg); /* NULL safe */
/* The image's keys, or NULL when it has none. */
const struct pub_sign_image *pub_signing_image(const struct pub_signing *sg,
                                               const struct farm_image *img);

/* After j's list is in place at j->out->digest (changed: written tonight):
 * sign it and write its publish record unless the record, or the
 * registry's .sig tag, says this key signed this digest already. A
 * failure fails the target (its tag keeps the list). j->out->signed_by is
 * set when the list is signed. */
void pub_sign_target(struct reg_session *s, struct job_ctx *x, struct tjob *j, int changed);

/* ---- the signature gate (sign_gate.c) ------------------------------------- */

/* Every child of j->out->platforms that goes in the list (state ready, a
 * digest) must carry a signature of its digest by one of the image's
 * require-signature keys, in its source repository's cosign tag: the
 * record's signed_by at the same digest answers without a request. 0
 * when every one does (each platform's signed_by set), -1 when one does
 * not: j is failed, the reason names the platform, digest and verdict. */
int pub_gate_target(struct reg_session *s, struct job_ctx *x, struct tjob *j);

/* ---- verify and inspect (verify.c) ------------------------------------- */

/* ref's manifest, its cosign signature and publish record against the
 * public keys in key_files (PEM). BASE_EINPUT when a key cannot be read
 * (nothing sent); -1 on a registry error; 0 with out->ok saying whether
 * both verified. */
int pub_verify(struct reg_session *s, const struct reg_ref *ref, const char *const *key_files,
               size_t n_files, struct pub_verify_result *out, struct base_error *err);
/* What inspect shows of a digest's cosign tags (inspect.h), without keys. */
int pub_sig_inspect(struct reg_session *s, const struct reg_ref *ref, const char *digest,
                    struct pub_sig_info *out, struct base_error *err);

#endif
