/* sign.c — signing keys and the signed formats: ECDSA P-256 keys from PEM
 * (a file or an environment variable), their ids, signatures over SHA-256
 * (DER), cosign's simple-signing payload and DSSE's envelope and
 * pre-authentication encoding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sign.h"

#define PEM_MAX (64u * 1024u)

/* Never prompt: an encrypted key is refused, not asked about. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int key_id(EVP_PKEY *pkey, char id[PUB_KEY_ID_MAX])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pkey, &der);
	if (n <= 0)
		return -1;
	reg_digest_sha256(der, (size_t)n, id);
	OPENSSL_free(der);
	return id[0] ? 0 : -1;
}

static int is_p256(EVP_PKEY *pkey)
{
	char group[64];
	size_t n = 0;
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
		return 0;
	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
	                                   &n) != 1)
		return 0;
	return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

static int has(const uint8_t *pem, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(pem + i, needle, n) == 0)
			return 1;
	return 0;
}

int pub_key_from_pem(const uint8_t *pem, size_t len, int want_private, const char *where,
                     struct pub_key **out, struct base_error *err)
{
	struct pub_key *k = NULL;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	int rc = -1;

	*out = NULL;
	if (has(pem, len, "ENCRYPTED COSIGN PRIVATE KEY") ||
	    has(pem, len, "ENCRYPTED SIGSTORE PRIVATE KEY")) {
		base_error_set(err,
		               "%s: cosign's encrypted key format is not supported; give an "
		               "unencrypted PKCS#8 or SEC1 PEM key (docs/signing.md, \"Keys\")",
		               where);
		return -1;
	}
	if (has(pem, len, "ENCRYPTED PRIVATE KEY") || has(pem, len, "Proc-Type: 4,ENCRYPTED")) {
		base_error_set(
		    err,
		    "%s: the key is encrypted; give an unencrypted PKCS#8 or SEC1 PEM key "
		    "(docs/signing.md, \"Keys\")",
		    where);
		return -1;
	}
	if (len > PEM_MAX || !(bio = BIO_new_mem_buf(pem, (int)len))) {
		base_error_set(err, "%s: %s", where,
		               len > PEM_MAX ? "too large for a key" : "out of memory");
		return -1;
	}
	pkey = want_private ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
	                    : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	if (!pkey) {
		base_error_set(err, "%s: not a PEM %s", where,
		               want_private ? "private key (PKCS#8 \"PRIVATE KEY\" or SEC1 \"EC "
		                              "PRIVATE KEY\")"
		                            : "public key (\"PUBLIC KEY\")");
		goto out;
	}
	if (!is_p256(pkey)) {
		base_error_set(
		    err, "%s: not an ECDSA P-256 key (the only kind manifold signs with)", where);
		goto out;
	}
	if (!(k = calloc(1, sizeof(*k))) || !(k->where = strdup(where)) ||
	    key_id(pkey, k->id) < 0) {
		base_error_set(err, "out of memory");
		goto out;
	}
	k->pkey = pkey;
	k->is_private = want_private;
	pkey = NULL;
	*out = k;
	k = NULL;
	rc = 0;
out:
	pub_key_free(k);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return rc;
}

static int read_file(const char *path, struct base_buf *out, struct base_error *err)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!f) {
		base_error_set(err, "file %s: cannot read", path);
		return -1;
	}
	if (!(out->data = malloc(PEM_MAX + 1))) {
		fclose(f);
		base_error_set(err, "out of memory");
		return -1;
	}
	n = fread(out->data, 1, PEM_MAX + 1, f);
	fclose(f);
	if (n > PEM_MAX) {
		base_buf_free(out);
		base_error_set(err, "file %s: too large for a key", path);
		return -1;
	}
	out->len = n;
	return 0;
}

int pub_key_load(const char *file, const char *env, const char *base_dir, int want_private,
                 struct pub_key **out, struct base_error *err)
{
	struct base_buf pem = {0};
	char where[4200];
	int rc;

	*out = NULL;
	if (env) {
		const char *v = getenv(env);
		snprintf(where, sizeof(where), "env %s", env);
		if (!v || !*v) {
			base_error_set(err, "%s: not set", where);
			return -1;
		}
		return pub_key_from_pem((const uint8_t *)v, strlen(v), want_private, where, out,
		                        err);
	}
	if (!file) {
		base_error_set(err, "no key file or environment variable named");
		return -1;
	}
	if (file[0] != '/' && base_dir && *base_dir)
		snprintf(where, sizeof(where), "%s/%s", base_dir, file);
	else
		snprintf(where, sizeof(where), "%s", file);
	if (read_file(where, &pem, err) < 0)
		return -1;
	{
		char named[4300];
		snprintf(named, sizeof(named), "file %s", where);
		rc = pub_key_from_pem(pem.data, pem.len, want_private, named, out, err);
	}
	/* the private key's text does not outlive the parse */
	OPENSSL_cleanse(pem.data, pem.len);
	base_buf_free(&pem);
	return rc;
}

void pub_key_free(struct pub_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->where);
	free(k);
}

int pub_key_sign(const struct pub_key *k, const uint8_t *data, size_t len, struct base_buf *out,
                 struct base_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t n = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!k->is_private) {
		base_error_set(err, "%s: a public key cannot sign", k->where);
		goto out;
	}
	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->pkey) != 1 ||
	    EVP_DigestSign(md, NULL, &n, data, len) != 1 || !(out->data = malloc(n)) ||
	    EVP_DigestSign(md, out->data, &n, data, len) != 1) {
		base_buf_free(out);
		base_error_set(err, "signing with the key from %s failed", k->where);
		goto out;
	}
	out->len = n;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int pub_key_verify(const struct pub_key *k, const uint8_t *data, size_t len, const uint8_t *sig,
                   size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
	         EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

char *pub_b64_encode(const uint8_t *data, size_t len)
{
	size_t n = 4 * ((len + 2) / 3) + 1;
	char *s = malloc(n);
	if (!s)
		return NULL;
	EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	return s;
}

int pub_b64_decode(const char *text, struct base_buf *out)
{
	size_t n = strlen(text), pad = 0;
	int got;

	memset(out, 0, sizeof(*out));
	if (n % 4 != 0 || n > 64u * 1024u * 1024u)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		         (c >= '0' && c <= '9') || c == '+' || c == '/' || (c == '=' && i >= n - 2);
		if (!ok)
			return -1;
	}
	if (n && text[n - 1] == '=')
		pad++;
	if (n > 1 && text[n - 2] == '=')
		pad++;
	if (!(out->data = malloc(n / 4 * 3 + 1)))
		return -1;
	got = EVP_DecodeBlock(out->data, (const unsigned char *)text, (int)n);
	if (got < 0 || (size_t)got < pad) {
		base_buf_free(out);
		return -1;
	}
	out->len = (size_t)got - pad;
	return 0;
}

/* ---- the formats --------------------------------------------------------- */

static int buf_take(char *s, struct base_buf *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	out->data = (uint8_t *)s;
	out->len = strlen(s);
	return 0;
}

int pub_sign_payload(const char *repo, const char *digest, struct base_buf *out)
{
	struct base_buf b = {0};

	memset(out, 0, sizeof(*out));
	base_buf_str(&b, "{\"critical\":{\"identity\":{\"docker-reference\":");
	base_json_str(&b, repo, BASE_JSON_PLAIN);
	base_buf_str(&b, "},\"image\":{\"docker-manifest-digest\":");
	base_json_str(&b, digest, BASE_JSON_PLAIN);
	base_buf_str(&b, "},\"type\":\"cosign container image signature\"},\"optional\":null}");
	if (b.oom) {
		base_buf_free(&b);
		return -1;
	}
	*out = b;
	return 0;
}

int pub_sign_payload_digest(const uint8_t *data, size_t len, char digest[REG_DIGEST_MAX],
                            struct base_error *err)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, len);
	const cJSON *crit = cJSON_GetObjectItemCaseSensitive(j, "critical");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(crit, "type");
	const cJSON *img = cJSON_GetObjectItemCaseSensitive(crit, "image");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(img, "docker-manifest-digest");
	int rc = -1;

	digest[0] = '\0';
	if (!cJSON_IsString(type) ||
	    strcmp(type->valuestring, "cosign container image signature") != 0)
		base_error_set(err, "not a cosign simple-signing payload");
	else if (!cJSON_IsString(d) || !reg_digest_valid(d->valuestring))
		base_error_set(err, "the payload names no sha256 digest");
	else {
		snprintf(digest, REG_DIGEST_MAX, "%s", d->valuestring);
		rc = 0;
	}
	cJSON_Delete(j);
	return rc;
}

int pub_dsse_pae(const char *type, const uint8_t *body, size_t len, struct base_buf *out)
{
	size_t tl = strlen(type), n = tl + len + 64;
	int head;

	memset(out, 0, sizeof(*out));
	if (!(out->data = malloc(n)))
		return -1;
	head = snprintf((char *)out->data, n, "DSSEv1 %zu %s %zu ", tl, type, len);
	if (head < 0 || (size_t)head + len > n) {
		base_buf_free(out);
		return -1;
	}
	memcpy(out->data + head, body, len);
	out->len = (size_t)head + len;
	return 0;
}

int pub_dsse_sign(const struct pub_key *k, const char *type, const uint8_t *body, size_t len,
                  struct base_buf *out, struct base_error *err)
{
	struct base_buf pae = {0}, sig = {0};
	char *payload = NULL, *sig64 = NULL, *text = NULL;
	cJSON *env = NULL, *sigs, *one;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (pub_dsse_pae(type, body, len, &pae) < 0 || !(payload = pub_b64_encode(body, len))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (pub_key_sign(k, pae.data, pae.len, &sig, err) < 0)
		goto out;
	if (!(sig64 = pub_b64_encode(sig.data, sig.len)) || !(env = cJSON_CreateObject()) ||
	    !cJSON_AddStringToObject(env, "payloadType", type) ||
	    !cJSON_AddStringToObject(env, "payload", payload) ||
	    !(sigs = cJSON_AddArrayToObject(env, "signatures")) || !(one = cJSON_CreateObject())) {
		base_error_set(err, "out of memory");
		goto out;
	}
	cJSON_AddItemToArray(sigs, one);
	if (!cJSON_AddStringToObject(one, "keyid", k->id) ||
	    !cJSON_AddStringToObject(one, "sig", sig64) || !(text = cJSON_PrintUnformatted(env))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	buf_take(text, out);
	rc = 0;
out:
	cJSON_Delete(env);
	free(payload);
	free(sig64);
	base_buf_free(&pae);
	base_buf_free(&sig);
	return rc;
}

int pub_dsse_verify(const uint8_t *env, size_t len, struct pub_key *const *keys, size_t n_keys,
                    struct base_buf *body, const struct pub_key **by, char *why, size_t why_len,
                    struct base_error *err)
{
	cJSON *j = cJSON_ParseWithLength((const char *)env, len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "payloadType");
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(j, "payload");
	const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(j, "signatures"), *s;
	struct base_buf raw = {0}, pae = {0};
	int rc = -1;

	if (by)
		*by = NULL;
	if (!cJSON_IsString(type) || !cJSON_IsString(payload) || !cJSON_IsArray(sigs) ||
	    pub_b64_decode(payload->valuestring, &raw) < 0) {
		base_error_set(err, "not a DSSE envelope");
		goto out;
	}
	if (pub_dsse_pae(type->valuestring, raw.data, raw.len, &pae) < 0) {
		base_error_set(err, "out of memory");
		goto out;
	}
	rc = 0;
	snprintf(why, why_len, "%s",
	         cJSON_GetArraySize(sigs) ? "signature by an unknown key" : "no signature");
	cJSON_ArrayForEach(s, sigs)
	{
		const cJSON *sig = cJSON_GetObjectItemCaseSensitive(s, "sig");
		struct base_buf der = {0};
		if (!cJSON_IsString(sig) || pub_b64_decode(sig->valuestring, &der) < 0)
			continue;
		for (size_t k = 0; rc == 0 && k < n_keys; k++) {
			if (pub_key_verify(keys[k], pae.data, pae.len, der.data, der.len)) {
				rc = 1;
				if (by)
					*by = keys[k];
			}
		}
		base_buf_free(&der);
		if (rc)
			break;
	}
	if (rc == 1 && body) {
		*body = raw;
		memset(&raw, 0, sizeof(raw));
	}
out:
	base_buf_free(&raw);
	base_buf_free(&pae);
	cJSON_Delete(j);
	return rc;
}
