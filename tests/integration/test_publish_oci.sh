#!/usr/bin/env bash
# test_publish_oci.sh — the list format follows the children: all OCI → OCI
# image index; Docker and OCI mixed → OCI index; `format: oci` forces an
# index over Docker children. A per-arch source that is a buildx-style index
# (image + attestation) contributes its image entry only.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches ocia v1 linux/amd64 linux/arm64/v8 --oci --seed oci-a
seed_arches forced v1 linux/amd64 linux/arm64/v8 --seed oci-f
seed_arches bx v1 linux/amd64 linux/arm64/v8 --index-with-attestation --seed oci-bx
seed_arches mixed v1 linux/amd64 --seed oci-m1 # a Docker child and an OCI one
seed_arches mixed v1 linux/arm64/v8 --oci --seed oci-m2

cfg=$TEST_TMP/oci.yaml
config_write "$cfg" <<EOF
images:
  - {name: ocia, tags: [v1]}
  - {name: mixed, tags: [v1]}
  - {name: forced, tags: [v1], format: oci}
  - {name: bx, tags: [v1], attestations: drop}
EOF
st=$TEST_TMP/status.json
mf_expect 0 publish -c "$cfg" --status "$st"

check_index() { # check_index NAME CHILD-MT-AMD64 CHILD-MT-ARM64
	local name=$1 raw
	raw=$(skopeo_inspect_raw "$REGISTRY/$name:v1")
	assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_OCI_INDEX" "$name:v1 is an OCI index with mediaType set"
	assert_eq "$(jq -r .schemaVersion <<<"$raw")" 2 "$name:v1 schemaVersion"
	assert_eq "$(jq -r '.manifests | length' <<<"$raw")" 2 "$name:v1 entries"
	assert_eq "$(jq -r '[.manifests[].platform | [.os, .architecture, .variant // empty] | join("/")] | join(" ")' <<<"$raw")" \
		"linux/amd64 linux/arm64/v8" "$name:v1 platforms"
	assert_eq "$(jq -r '.manifests[0].digest' <<<"$raw")" "${SEEDED[$name/linux/amd64]}" "$name:v1 amd64 child"
	assert_eq "$(jq -r '.manifests[1].digest' <<<"$raw")" "${SEEDED[$name/linux/arm64/v8]}" "$name:v1 arm64 child"
	assert_eq "$(jq -r '.manifests[0].mediaType' <<<"$raw")" "$2" "$name:v1 amd64 child media type"
	assert_eq "$(jq -r '.manifests[1].mediaType' <<<"$raw")" "$3" "$name:v1 arm64 child media type"
	for p in linux/amd64 linux/arm64/v8; do
		assert_eq "$(skopeo_digest "$REGISTRY/$name@${SEEDED[$name/$p]}")" "${SEEDED[$name/$p]}" "$name $p child in the target repo"
	done
	assert_eq "$(status_target "$st" "$REGISTRY/$name:v1" '[.state, .media_type, .digest] | join(" ")')" \
		"\"published $MT_OCI_INDEX $(printf '%s' "$raw" | digest_of)\"" "$name:v1 status"
}
check_index ocia "$MT_OCI" "$MT_OCI"
check_index mixed "$MT_V2" "$MT_OCI"
check_index forced "$MT_V2" "$MT_V2"
check_index bx "$MT_OCI" "$MT_OCI"

# The buildx sources: the image entry, never the attestation, and the
# platform records name the resolved image digest.
raw=$(skopeo_inspect_raw "$REGISTRY/bx:v1")
assert_not_contains "$raw" unknown "bx:v1 has no unknown/unknown entry"
assert_not_contains "$raw" attestation-manifest "bx:v1 carries no attestation annotation"
for p in linux/amd64 linux/arm64/v8; do
	assert_eq "$(status_target "$st" "$REGISTRY/bx:v1" ".platforms[] | select(.platform == \"$p\") | .digest")" \
		"\"${SEEDED[bx/$p]}\"" "bx $p status digest is the image entry, not the index ${SEEDED_INDEX[bx/$p]}"
done

# A rerun is unchanged for all four, OCI included.
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(status_counts "$st")" '[0,4,0,0]' "rerun counts"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "rerun writes nothing"
