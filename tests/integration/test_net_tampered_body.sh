#!/usr/bin/env bash
# test_net_tampered_body.sh — a manifest and a config blob whose bytes are
# flipped once on the way: the digest checks catch each (the manifest's
# against Docker-Content-Digest, the blob's against the digest asked for), the body is
# fetched again on a fresh connection (the bad bytes are never used), the
# target publishes, and skopeo reads back the list and children seeded.
source "$(dirname "$0")/lib.sh"

registry_start
declare -A D
for p in linux/amd64 linux/arm64/v8; do
	arch=$(cut -d/ -f2 <<<"$p")
	D[$arch]=$(seed "app-$arch:v1" --platform "$p" --seed "tamper-$p")
done
cfg_blob=$(skopeo_inspect_raw "$REGISTRY/app-arm64:v1" | jq -r .config.digest)
slowproxy_start --upstream "$REGISTRY" \
	--tamper 'GET /v2/app-amd64/manifests/.*:1' \
	--tamper "GET /v2/app-arm64/blobs/$cfg_blob:1"

cfg=$TEST_TMP/tamper.yaml
cat >"$cfg" <<YAML
defaults:
  registry: $PROXY
  platforms: [linux/amd64, linux/arm64/v8]
images:
  - {name: app, tags: [v1]}
YAML
st=$TEST_TMP/status.json
MANIFOLD_BACKOFF_MS=20 mf_expect 0 publish -c "$cfg" --status "$st" -j 1

raw=$(skopeo_inspect_raw "$REGISTRY/app:v1")
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" "${D[amd64]} ${D[arm64]}" "app:v1 lists the seeded children"
assert_eq "$(skopeo_inspect "$REGISTRY/app:v1" --raw | digest_of)" "$(status_target "$st" "$PROXY/app:v1" .digest | jq -r .)" "the list skopeo reads is the one recorded"
for arch in amd64 arm64; do
	assert_eq "$(skopeo_inspect_raw "$REGISTRY/app@${D[$arch]}" | digest_of)" "${D[$arch]}" "child $arch copied byte for byte"
done

assert_eq "$(proxy_count '^GET /v2/app-amd64/manifests/.* 200 tamper$')" 1 "the manifest was tampered once"
assert_eq "$(proxy_count '^GET /v2/app-amd64/manifests/.* 200 upstream$')" 1 "and fetched again"
assert_eq "$(proxy_count "^GET /v2/app-arm64/blobs/$cfg_blob 200 tamper\$")" 1 "the config blob was tampered once"
assert_eq "$(proxy_count "^GET /v2/app-arm64/blobs/$cfg_blob 200 upstream\$")" 1 "and fetched again"
assert_eq "$(grep -cE "^manifold: warning: $PROXY/app-amd64:v1: GET manifest: body has digest sha256:[0-9a-f]{64} but Docker-Content-Digest says ${D[amd64]}; retry 1/4 on a fresh connection in [0-9]+ ms\$" <<<"$MF_ERR")" 1 "manifest retry logged"
assert_eq "$(grep -cE "^manifold: warning: $PROXY/app-arm64@$cfg_blob: GET blob: body has digest sha256:[0-9a-f]{64}, not the one asked for; retry 1/4 on a fresh connection in [0-9]+ ms\$" <<<"$MF_ERR")" 1 "config blob retry logged"
assert_eq "$(grep -c 'warning' <<<"$MF_ERR")" 2 "no other retries"
