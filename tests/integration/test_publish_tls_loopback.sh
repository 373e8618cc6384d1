#!/usr/bin/env bash
# test_publish_tls_loopback.sh — a loopback registry that speaks HTTPS (its
# certificate self-signed with openssl req): `ca-file` under registries:
# (or `tls: true`) makes manifold use HTTPS for it, verified against that
# CA; without either, plain HTTP meets the TLS server and the message says
# so and what to set. `insecure` with `tls` is a config error.
source "$(dirname "$0")/lib.sh"

registry_start --name plain
seed_arches "$REGISTRY_PLAIN/app" v1 linux/amd64 linux/arm64 --seed tls-app
# The same storage behind HTTPS: what manifold writes there, the plain twin reads back.
registry_start --name secure --tls --root "$REGISTRY_PLAIN_DIR/root"
secure=$REGISTRY_SECURE

# write_cfg FILE REGISTRY-SETTINGS — app:v1 on the HTTPS registry.
write_cfg() {
	config_write "$1" --registry "$secure" --platforms "linux/amd64, linux/arm64" <<YAML
registries:
  "$secure": $2
images:
  - {name: app, tags: [v1]}
YAML
}

# ---- ca-file: HTTPS, verified ---------------------------------------------------
write_cfg "$TEST_TMP/ca.yaml" "{ca-file: $REGISTRY_SECURE_CA}"
mf_expect 0 publish -c "$TEST_TMP/ca.yaml" --status "$TEST_TMP/ca.json"
digest=$(status_target "$TEST_TMP/ca.json" "$secure/app:v1" .digest | jq -r .)
assert_eq "$(skopeo_digest "$REGISTRY_PLAIN/app:v1")" "$digest" "the list was written over HTTPS"
assert_eq "$(curl -s --cacert "$REGISTRY_SECURE_CA" -o /dev/null -w '%{http_code}' \
	-H "Accept: $MT_LIST" "https://$secure/v2/app/manifests/v1")" 200 "and is served over HTTPS"
# --insecure does not turn a registry that names its CA back to plain HTTP.
mf_expect 0 check -c "$TEST_TMP/ca.yaml" --insecure

# ---- tls: true without a CA: HTTPS, and the certificate is not trusted ----------
write_cfg "$TEST_TMP/tls.yaml" "{tls: true, retries: 0}"
mf_expect 1 check -c "$TEST_TMP/tls.yaml"
assert_contains "$MF_OUT" "$secure/app-amd64:v1: HEAD manifest: SSL peer certificate or SSH remote key was not OK: SSL certificate problem: self-signed certificate" \
	"HTTPS was used and the self-signed certificate refused"

# ---- neither: plain HTTP meets the TLS server ------------------------------------
write_cfg "$TEST_TMP/plain.yaml" "{max-concurrency: 4}"
mf_expect 1 publish -c "$TEST_TMP/plain.yaml" --status "$TEST_TMP/plain.json"
assert_eq "$(status_target "$TEST_TMP/plain.json" "$secure/app:v1" '.platforms[0].reason' | jq -r .)" \
	"$secure/app-amd64:v1: HEAD manifest: 400: $secure speaks HTTPS but was sent plain HTTP (loopback registries are plain HTTP unless --tls or --ca-file is given, or registries: gives it tls: true or a ca-file)" \
	"the message says what happened and what to set"

# ---- insecure and tls together ---------------------------------------------------------
write_cfg "$TEST_TMP/both.yaml" "{insecure: true, tls: true}"
mf_expect 2 check -c "$TEST_TMP/both.yaml"
assert_contains "$MF_ERR" "registries.\"$secure\": insecure: true (plain HTTP) contradicts tls: true" "config error"
