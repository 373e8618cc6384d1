#!/usr/bin/env bash
# test_net_slow_blob.sh — a layer served slowly but steadily (64 KB/s) takes
# three times the registry's `timeout` (1 s) and still copies in one try:
# blob bodies are bounded by the low-speed limit, not by a total time. The
# small requests around it keep their 1 s limit.
source "$(dirname "$0")/lib.sh"

registry_start --name dst
registry_start --name src
d=$(seed "app-amd64:v1" --platform linux/amd64 --seed slow-blob --layer-size 200000)
layer=$(skopeo_inspect_raw "$REGISTRY_SRC/app-amd64:v1" | jq -r '.layers[0].digest')
size=$(skopeo_inspect_raw "$REGISTRY_SRC/app-amd64:v1" | jq -r '.layers[0].size')
[ "$size" -ge 196608 ] || fail "layer is $size bytes; the test wants one of 3 s at 64 KB/s"
slowproxy_start --upstream "$REGISTRY_SRC" --slow "GET /v2/app-amd64/blobs/$layer:65536"

cfg=$TEST_TMP/slow.yaml
cat >"$cfg" <<YAML
defaults:
  registry: $PROXY
  platforms: [linux/amd64]
  referrers: skip
  target: "$REGISTRY_DST/{name}:{tag}"
registries:
  "$PROXY": {timeout: 1s, low-speed-limit: 1000, low-speed-time: 2s, retries: 2}
images:
  - {name: app, tags: [v1]}
YAML
st=$TEST_TMP/status.json
t0=$(date +%s%N)
mf_expect 0 publish -c "$cfg" --status "$st" -j 1
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
echo "slow blob: $size bytes at 64 KB/s, run took ${elapsed_ms} ms" >&2

assert_eq "$(proxy_count "^GET /v2/app-amd64/blobs/$layer 200 slow\$")" 1 "the layer was fetched once, slowly"
assert_eq "$(proxy_count '^GET ')" "$(proxy_count '^GET .* 200 (upstream|slow)$')" "every GET answered in one try"
[ "$elapsed_ms" -ge $((size * 1000 / 65536)) ] || fail "run took ${elapsed_ms} ms: the layer was not served at 64 KB/s"
assert_eq "$(grep -c 'warning' <<<"$MF_ERR")" 0 "no retries"
assert_eq "$(status_target "$st" "$REGISTRY_DST/app:v1" .state)" '"published"' "state"
raw=$(skopeo_inspect_raw "$REGISTRY_DST/app:v1")
assert_eq "$(jq -r '.manifests[0].digest' <<<"$raw")" "$d" "the list holds the child"
assert_eq "$(skopeo_inspect_raw "$REGISTRY_DST/app@$d" | jq -r '.layers[0].digest')" "$layer" "the child's layer"
skopeo copy --src-tls-verify=false --src-no-creds "docker://$REGISTRY_DST/app@$d" "dir:$TEST_TMP/out" >/dev/null
assert_eq "$(digest_of "$TEST_TMP/out/${layer#sha256:}")" "$layer" "the copied layer's bytes"
