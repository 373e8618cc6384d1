#!/usr/bin/env bash
# test_publish_oci.sh — the list format follows the children: all OCI → OCI
# image index; Docker and OCI mixed → OCI index; `format: oci` forces an
# index over Docker children. A per-arch source that is a buildx-style index
# (image + attestation) contributes its image entry only.
source "$(dirname "$0")/lib.sh"

MT_V2=application/vnd.docker.distribution.manifest.v2+json
MT_OCI=application/vnd.oci.image.manifest.v1+json
MT_INDEX=application/vnd.oci.image.index.v1+json

registry_start
declare -A D
for p in linux/amd64 linux/arm64/v8; do
	arch=$(cut -d/ -f2 <<<"$p")
	D[ocia/$p]=$(seed "ocia-$arch:v1" --platform "$p" --oci --seed "oci-a-$p")
	D[forced/$p]=$(seed "forced-$arch:v1" --platform "$p" --seed "oci-f-$p")
	read -r D[bxidx/$p] D[bx/$p] < <(seed "bx-$arch:v1" --platform "$p" --index-with-attestation --seed "oci-bx-$p")
done
D[mixed/linux/amd64]=$(seed mixed-amd64:v1 --platform linux/amd64 --seed oci-m1)
D[mixed/linux/arm64/v8]=$(seed mixed-arm64:v1 --platform linux/arm64/v8 --oci --seed oci-m2)

cfg=$TEST_TMP/oci.yaml
cat >"$cfg" <<EOF
defaults:
  registry: $REGISTRY
  platforms: [linux/amd64, linux/arm64/v8]
  source: "{registry}/{name}-{arch}:{tag}"
  target: "{registry}/{name}:{tag}"
images:
  - {name: ocia, tags: [v1]}
  - {name: mixed, tags: [v1]}
  - {name: forced, tags: [v1], format: oci}
  - {name: bx, tags: [v1]}
EOF
st=$TEST_TMP/status.json
mf_expect 0 publish -c "$cfg" --status "$st"

check_index() { # check_index NAME CHILD-MT-AMD64 CHILD-MT-ARM64
	local name=$1 raw
	raw=$(skopeo_inspect_raw "$REGISTRY/$name:v1")
	assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_INDEX" "$name:v1 is an OCI index with mediaType set"
	assert_eq "$(jq -r .schemaVersion <<<"$raw")" 2 "$name:v1 schemaVersion"
	assert_eq "$(jq -r '.manifests | length' <<<"$raw")" 2 "$name:v1 entries"
	assert_eq "$(jq -r '[.manifests[].platform | [.os, .architecture, .variant // empty] | join("/")] | join(" ")' <<<"$raw")" \
		"linux/amd64 linux/arm64/v8" "$name:v1 platforms"
	assert_eq "$(jq -r '.manifests[0].digest' <<<"$raw")" "${D[$name/linux/amd64]}" "$name:v1 amd64 child"
	assert_eq "$(jq -r '.manifests[1].digest' <<<"$raw")" "${D[$name/linux/arm64/v8]}" "$name:v1 arm64 child"
	assert_eq "$(jq -r '.manifests[0].mediaType' <<<"$raw")" "$2" "$name:v1 amd64 child media type"
	assert_eq "$(jq -r '.manifests[1].mediaType' <<<"$raw")" "$3" "$name:v1 arm64 child media type"
	for p in linux/amd64 linux/arm64/v8; do
		assert_eq "$(skopeo_inspect_raw "$REGISTRY/$name@${D[$name/$p]}" | digest_of)" "${D[$name/$p]}" "$name $p child in the target repo"
	done
	assert_eq "$(status_target "$st" "$REGISTRY/$name:v1" '[.state, .media_type, .digest] | join(" ")')" \
		"\"published $MT_INDEX $(printf '%s' "$raw" | digest_of)\"" "$name:v1 status"
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
		"\"${D[bx/$p]}\"" "bx $p status digest is the image entry, not the index ${D[bxidx/$p]}"
done

# A rerun is unchanged for all four, OCI included.
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(jq -c '.last_run | [.published, .unchanged, .incomplete, .failed]' "$st")" '[0,4,0,0]' "rerun counts"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "rerun writes nothing"
