#!/usr/bin/env bash
# test_net_blob_resume.sh — a layer download cut short is resumed with
# "Range: bytes=N-" from the byte it stopped at when the registry answers
# 206, and fetched whole when it answers 200 (a proxy dropping Range); the
# whole blob's sha256 is checked either way and the copy is exact.
source "$(dirname "$0")/lib.sh"

registry_start --name dst
registry_start --name src
d=$(seed "app-amd64:v1" --platform linux/amd64 --seed blob-resume --layers 2 --layer-size 150000)
raw=$(skopeo_inspect_raw "$REGISTRY_SRC/app-amd64:v1")
l1=$(jq -r '.layers[0].digest' <<<"$raw")
l2=$(jq -r '.layers[1].digest' <<<"$raw")
slowproxy_start --upstream "$REGISTRY_SRC" \
	--cut "GET /v2/app-amd64/blobs/$l1:100000:1" \
	--cut "GET /v2/app-amd64/blobs/$l2:100000:1" --no-range "GET /v2/app-amd64/blobs/$l2"

cfg=$TEST_TMP/resume.yaml
cat >"$cfg" <<YAML
defaults:
  registry: $PROXY
  platforms: [linux/amd64]
  target: "$REGISTRY_DST/{name}:{tag}"
images:
  - {name: app, tags: [v1]}
YAML
st=$TEST_TMP/status.json
MANIFOLD_BACKOFF_MS=20 mf_expect 0 publish -c "$cfg" --status "$st" -j 1

# Layer 1: cut at 100000 bytes, then the rest as a 206.
assert_eq "$(grep -F "/blobs/$l1 " "$PROXY_LOG" | cut -d' ' -f3-)" "cut cut
206 upstream" "layer 1: cut, then resumed"
# Layer 2: cut, then Range dropped: the whole blob again as a 200.
assert_eq "$(grep -F "/blobs/$l2 " "$PROXY_LOG" | cut -d' ' -f3-)" "cut cut
200 no-range" "layer 2: cut, then fetched whole"
for l in "$l1" "$l2"; do
	assert_eq "$(grep -cE "^manifold: warning: $PROXY/app-amd64@$l: GET blob: Transferred a partial file: transfer closed with [0-9]+ bytes remaining to read; retry 1/4 resuming at byte 100000 in [0-9]+ ms\$" <<<"$MF_ERR")" 1 "resume of $l logged"
done
assert_eq "$(grep -c 'warning' <<<"$MF_ERR")" 2 "no other retries"

assert_eq "$(status_target "$st" "$REGISTRY_DST/app:v1" .state)" '"published"' "state"
assert_eq "$(skopeo_inspect_raw "$REGISTRY_DST/app:v1" | jq -r '.manifests[0].digest')" "$d" "the list holds the child"
skopeo copy --src-tls-verify=false --src-no-creds "docker://$REGISTRY_DST/app@$d" "dir:$TEST_TMP/out" >/dev/null
for l in "$l1" "$l2"; do
	assert_eq "$(digest_of "$TEST_TMP/out/${l#sha256:}")" "$l" "copied layer $l"
done
