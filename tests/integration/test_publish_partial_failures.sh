#!/usr/bin/env bash
# test_publish_partial_failures.sh — failures that are only part of a
# target: an extra tag whose PUT fails leaves the target failed, recorded
# with the digest its main tag now holds and a reason naming the extra tag;
# a per-arch source that is a list whose entry is itself a list is failed
# with that reason, and nothing is written for it.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches xt v1 linux/amd64 linux/arm64 --seed partial-xt
faultproxy_start --upstream "$REGISTRY" --fail 'PUT /v2/xt/manifests/latest:500:*'
cfg=$TEST_TMP/release.yaml
config_write "$cfg" --registry "$PROXY" --platforms "linux/amd64, linux/arm64" <<YAML
images:
  - {name: xt, tags: [v1], extra-tags: [latest]}
YAML
st=$TEST_TMP/status.json
mf_expect 1 publish -c "$cfg" --status "$st"
held=$(skopeo_digest "$REGISTRY/xt:v1")
assert_eq "$(status_target "$st" "$PROXY/xt:v1" .state)" '"failed"' "state"
assert_eq "$(status_target "$st" "$PROXY/xt:v1" .digest | jq -r .)" "$held" "the digest the main tag holds"
assert_eq "$(status_target "$st" "$PROXY/xt:v1" .reason | jq -r .)" \
	"extra tag: $PROXY/xt:latest: PUT manifest: 500 UNKNOWN (unknown error)" "the reason names the extra tag"
assert_absent "$REGISTRY/xt:latest" "the extra tag was written"
assert_contains "$MF_OUT" "0 published, 0 unchanged, 0 incomplete, 1 failed" "summary"

# ---- a source whose entry for the platform is itself a list ----------------------
read -r inner _ <<<"$(seed nest-amd64:inner --platform linux/amd64 --index-with-attestation --seed partial-nest)"
inner_size=$(skopeo_inspect_raw "$REGISTRY/nest-amd64@$inner" | wc -c)
outer=$(jq -cn --arg d "$inner" --argjson n "$inner_size" '{schemaVersion: 2,
	mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $n,
	             platform: {os: "linux", architecture: "amd64"}}]}')
curl -sf -X PUT -H "Content-Type: $MT_OCI_INDEX" --data-binary "$outer" \
	"$REGISTRY_URL/v2/nest-amd64/manifests/v1" >/dev/null || fail "push the nested index"
config_write "$TEST_TMP/nest.yaml" --platforms "linux/amd64" <<YAML
images:
  - {name: nest, tags: [v1]}
YAML
m=$(log_mark)
mf_expect 1 publish -c "$TEST_TMP/nest.yaml" --status "$TEST_TMP/nest.json"
assert_eq "$(status_target "$TEST_TMP/nest.json" "$REGISTRY/nest:v1" .state)" '"failed"' "nested: state"
assert_eq "$(status_target "$TEST_TMP/nest.json" "$REGISTRY/nest:v1" '.platforms[0].state')" '"error"' "nested: platform"
assert_contains "$(status_target "$TEST_TMP/nest.json" "$REGISTRY/nest:v1" .reason | jq -r .)" \
	"$REGISTRY/nest-amd64:v1: entry $inner for linux/amd64 is itself a list" "nested: the reason"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH')" 0 "nothing written for a nested source"
