/* test_pub_sign.c — the signed formats as exact bytes: cosign's
 * simple-signing payload, DSSE's pre-authentication encoding, the .sig
 * and .att manifests and their config, the in-toto statement; ECDSA keys
 * from PEM (PKCS#8, SEC1, public), their ids, signatures that verify under
 * their key only, envelopes that verify and fail as they should, and the
 * keys refused with a clear message. Keys are made here, never stored. */
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "unit.h"
#include "engine.h"
#include "sign.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

/* A fresh P-256 key as PEM text: private (PKCS#8 or SEC1) or public. */
enum pem_kind { PEM_PKCS8, PEM_SEC1, PEM_PUBLIC };
static char *pem_of(EVP_PKEY *k, enum pem_kind kind)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;
	int ok = kind == PEM_PKCS8 ? PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)
	         : kind == PEM_SEC1
	             ? PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL)
	             : PEM_write_bio_PUBKEY(b, k);
	assert_int_equal(ok, 1);
	n = BIO_get_mem_data(b, &data);
	out = strndup(data, (size_t)n);
	BIO_free(b);
	return out;
}

static struct pub_key *key_load(EVP_PKEY *k, enum pem_kind kind)
{
	char *pem = pem_of(k, kind);
	struct pub_key *out = NULL;
	struct base_error err;
	base_error_clear(&err);
	if (pub_key_from_pem((const uint8_t *)pem, strlen(pem), kind != PEM_PUBLIC, "test key",
	                     &out, &err) < 0)
		fail_msg("%s", err.msg);
	free(pem);
	return out;
}

static EVP_PKEY *new_p256(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(k);
	return k;
}

static void payload_is_cosigns_simple_signing(void **state)
{
	(void)state;
	struct base_buf b;
	char dg[REG_DIGEST_MAX];
	struct base_error err;
	static const char want[] =
	    "{\"critical\":{\"identity\":{\"docker-reference\":\"r.io/team/app\"},\"image\":{"
	    "\"docker-manifest-digest\":\"" D1 "\"},\"type\":\"cosign container image "
	    "signature\"},\"optional\":null}";
	assert_int_equal(pub_sign_payload("r.io/team/app", D1, &b), 0);
	assert_bytes_equal(b.data, b.len, want, strlen(want));
	assert_int_equal(pub_sign_payload_digest(b.data, b.len, dg, &err), 0);
	assert_string_equal(dg, D1);
	base_buf_free(&b);
	/* another type is not a signature payload */
	static const char other[] = "{\"critical\":{\"type\":\"x\"}}";
	assert_int_equal(pub_sign_payload_digest((const uint8_t *)other, strlen(other), dg, &err),
	                 -1);
	assert_string_equal(err.msg, "not a cosign simple-signing payload");
}

static void pae_is_dsse_v1(void **state)
{
	(void)state;
	struct base_buf b;
	/* the DSSE protocol's own example */
	static const char want[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
	assert_int_equal(
	    pub_dsse_pae("http://example.com/HelloWorld", (const uint8_t *)"hello world", 11, &b),
	    0);
	assert_bytes_equal(b.data, b.len, want, strlen(want));
	base_buf_free(&b);
	assert_int_equal(pub_dsse_pae(PUB_MT_INTOTO, (const uint8_t *)"", 0, &b), 0);
	assert_bytes_equal(b.data, b.len, "DSSEv1 28 application/vnd.in-toto+json 0 ", 41);
	base_buf_free(&b);
}

static void keys_sign_and_verify_by_their_own_key_only(void **state)
{
	(void)state;
	EVP_PKEY *a = new_p256(), *b = new_p256();
	struct pub_key *pk8 = key_load(a, PEM_PKCS8), *sec1 = key_load(a, PEM_SEC1);
	struct pub_key *pub = key_load(a, PEM_PUBLIC), *other = key_load(b, PEM_PUBLIC);
	struct base_buf sig;
	struct base_error err;

	assert_string_equal(pk8->id, pub->id);
	assert_string_equal(sec1->id, pub->id);
	assert_string_not_equal(other->id, pub->id);
	assert_int_equal(pub_key_sign(sec1, (const uint8_t *)"payload", 7, &sig, &err), 0);
	assert_int_equal(pub_key_verify(pub, (const uint8_t *)"payload", 7, sig.data, sig.len), 1);
	assert_int_equal(pub_key_verify(pub, (const uint8_t *)"payloaD", 7, sig.data, sig.len), 0);
	assert_int_equal(pub_key_verify(other, (const uint8_t *)"payload", 7, sig.data, sig.len),
	                 0);
	base_buf_free(&sig);
	assert_int_equal(pub_key_sign(pub, (const uint8_t *)"x", 1, &sig, &err), -1);
	assert_string_equal(err.msg, "test key: a public key cannot sign");
	pub_key_free(pk8);
	pub_key_free(sec1);
	pub_key_free(pub);
	pub_key_free(other);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void keys_refused_say_why(void **state)
{
	(void)state;
	struct pub_key *k = NULL;
	struct base_error err;
	static const char cosign[] = "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\nAAAA\n"
	                             "-----END ENCRYPTED COSIGN PRIVATE KEY-----\n";
	static const char pkcs8[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
	                            "-----END ENCRYPTED PRIVATE KEY-----\n";
	assert_int_equal(
	    pub_key_from_pem((const uint8_t *)cosign, strlen(cosign), 1, "env K", &k, &err), -1);
	assert_string_equal(err.msg,
	                    "env K: cosign's encrypted key format is not supported; give an "
	                    "unencrypted PKCS#8 or SEC1 PEM key (docs/signing.md, \"Keys\")");
	assert_int_equal(
	    pub_key_from_pem((const uint8_t *)pkcs8, strlen(pkcs8), 1, "env K", &k, &err), -1);
	assert_string_equal(err.msg,
	                    "env K: the key is encrypted; give an unencrypted PKCS#8 or SEC1 "
	                    "PEM key (docs/signing.md, \"Keys\")");
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	char *pem = pem_of(rsa, PEM_PKCS8);
	assert_int_equal(
	    pub_key_from_pem((const uint8_t *)pem, strlen(pem), 1, "file r.pem", &k, &err), -1);
	assert_string_equal(
	    err.msg, "file r.pem: not an ECDSA P-256 key (the only kind manifold signs with)");
	/* the key's text never appears in the message */
	assert_null(strstr(err.msg, "BEGIN"));
	free(pem);
	EVP_PKEY_free(rsa);
	assert_null(k);
}

static void base64_round_trips_and_rejects_garbage(void **state)
{
	(void)state;
	struct base_buf b;
	char *s = pub_b64_encode((const uint8_t *)"\x00\xff\x10hi", 5);
	assert_string_equal(s, "AP8QaGk=");
	assert_int_equal(pub_b64_decode(s, &b), 0);
	assert_bytes_equal(b.data, b.len, "\x00\xff\x10hi", 5);
	base_buf_free(&b);
	free(s);
	assert_int_equal(pub_b64_decode("AP8QaGk", &b), -1);
	assert_int_equal(pub_b64_decode("AP8Q*Gk=", &b), -1);
	assert_int_equal(pub_b64_decode("A=8QaGk=", &b), -1);
}

static void envelope_verifies_under_its_key_only(void **state)
{
	(void)state;
	EVP_PKEY *a = new_p256(), *b = new_p256();
	struct pub_key *priv = key_load(a, PEM_PKCS8), *pub = key_load(a, PEM_PUBLIC);
	struct pub_key *other = key_load(b, PEM_PUBLIC);
	struct base_buf env, body = {0};
	const struct pub_key *by;
	struct base_error err;
	char why[64];

	assert_int_equal(
	    pub_dsse_sign(priv, PUB_MT_INTOTO, (const uint8_t *)"{\"a\":1}", 7, &env, &err), 0);
	assert_int_equal(
	    pub_dsse_verify(env.data, env.len, &pub, 1, &body, &by, why, sizeof(why), &err), 1);
	assert_ptr_equal(by, pub);
	assert_bytes_equal(body.data, body.len, "{\"a\":1}", 7);
	base_buf_free(&body);
	assert_int_equal(
	    pub_dsse_verify(env.data, env.len, &other, 1, NULL, &by, why, sizeof(why), &err), 0);
	assert_string_equal(why, "signature by an unknown key");
	assert_null(by);
	/* the payload changed under the signature: "eyJhIjoxfQ==" is {"a":1} */
	char *t = strndup((const char *)env.data, env.len), *p = strstr(t, "eyJhIjoxfQ==");
	assert_non_null(p);
	p[4] = 'i';
	assert_int_equal(pub_dsse_verify((const uint8_t *)t, strlen(t), &pub, 1, NULL, &by, why,
	                                 sizeof(why), &err),
	                 0);
	free(t);
	assert_int_equal(
	    pub_dsse_verify((const uint8_t *)"{}", 2, &pub, 1, NULL, &by, why, sizeof(why), &err),
	    -1);
	assert_string_equal(err.msg, "not a DSSE envelope");
	base_buf_free(&env);
	pub_key_free(priv);
	pub_key_free(pub);
	pub_key_free(other);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void sig_manifest_is_cosigns_layout(void **state)
{
	(void)state;
	struct base_buf payload = {.data = (uint8_t *)"PAYLOAD", .len = 7}, config, manifest;
	char pdg[REG_DIGEST_MAX], cdg[REG_DIGEST_MAX], want[2048];
	struct base_error err;

	reg_digest_sha256(payload.data, payload.len, pdg);
	assert_int_equal(pub_sig_manifest(NULL, NULL, &payload, "U0lH", &config, &manifest, &err),
	                 0);
	snprintf(
	    want, sizeof(want),
	    "{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{"
	    "\"created\":\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\","
	    "\"diff_ids\":[\"%s\"]},\"config\":{}}",
	    pdg);
	assert_bytes_equal(config.data, config.len, want, strlen(want));
	reg_digest_sha256(config.data, config.len, cdg);
	snprintf(
	    want, sizeof(want),
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":%zu,"
	    "\"digest\":\"%s\"},\"layers\":[{\"mediaType\":\"application/"
	    "vnd.dev.cosign.simplesigning.v1+json\",\"size\":7,\"digest\":\"%s\",\"annotations\":{"
	    "\"dev.cosignproject.cosign/signature\":\"U0lH\"}}]}",
	    config.len, cdg, pdg);
	assert_bytes_equal(manifest.data, manifest.len, want, strlen(want));
	base_buf_free(&config);
	base_buf_free(&manifest);
}

static void statement_is_in_toto_v1(void **state)
{
	(void)state;
	const struct pub_prov_child kids[] = {
	    {"linux/amd64", "linux/amd64", D1, "r.io/app-amd64:v1", "valid by " D2},
	    {"linux/arm64/v8", NULL, D2, "r.io/app-arm64:v1", "not required"}};
	const struct pub_prov p = {"r.io/app", D1, D2, NULL, kids, 2};
	struct base_buf b;
	struct base_error err;
	static const char want[] =
	    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"r.io/app\","
	    "\"digest\":{\"sha256\":"
	    "\"1111111111111111111111111111111111111111111111111111111111111111"
	    "\"}}],\"predicateType\":\"https://manifold.dev/publish/v1\",\"predicate\":{"
	    "\"manifold_version\":\"" MANIFOLD_VERSION "\",\"config_digest\":\"" D2 "\","
	    "\"status_commit\":null,\"children\":[{\"platform\":\"linux/amd64\","
	    "\"verified_platform\":\"linux/amd64\",\"digest\":\"" D1 "\",\"source\":"
	    "\"r.io/app-amd64:v1\",\"signature\":\"valid by " D2 "\"},{\"platform\":"
	    "\"linux/arm64/v8\",\"verified_platform\":null,\"digest\":\"" D2 "\",\"source\":"
	    "\"r.io/app-arm64:v1\",\"signature\":\"not required\"}]}}";
	assert_int_equal(pub_prov_statement(&p, &b, &err), 0);
	assert_bytes_equal(b.data, b.len, want, strlen(want));
	base_buf_free(&b);
}

static void verdict_names_are_the_reasons(void **state)
{
	(void)state;
	assert_string_equal(pub_sig_verdict_str(PUB_SIG_NONE), "no signature");
	assert_string_equal(pub_sig_verdict_str(PUB_SIG_UNKNOWN_KEY),
	                    "signature by an unknown key");
	assert_string_equal(pub_sig_verdict_str(PUB_SIG_OTHER_DIGEST),
	                    "signature for another digest");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(payload_is_cosigns_simple_signing),
	    cmocka_unit_test(pae_is_dsse_v1),
	    cmocka_unit_test(keys_sign_and_verify_by_their_own_key_only),
	    cmocka_unit_test(keys_refused_say_why),
	    cmocka_unit_test(base64_round_trips_and_rejects_garbage),
	    cmocka_unit_test(envelope_verifies_under_its_key_only),
	    cmocka_unit_test(sig_manifest_is_cosigns_layout),
	    cmocka_unit_test(statement_is_in_toto_v1),
	    cmocka_unit_test(verdict_names_are_the_reasons),
	};
	return unit_run_group("pub_sign", tests, argc, argv);
}
