#!/usr/bin/env bash
# test_publish_attestations.sh — buildx index sources with attestations: the
# published list is an OCI index carrying each image entry, then each
# image's attestation entry (platform unknown/unknown, the two
# vnd.docker.reference annotations), as `buildx imagetools create` writes
# it; children and attestation manifests are in the target repository; a
# second night writes nothing; `attestations: drop` leaves them out.
source "$(dirname "$0")/lib.sh"

PLATFORMS=(linux/amd64 linux/arm64/v8)
registry_start
seed_arches app v1 "${PLATFORMS[@]}" --index-with-attestation
seed_arches bare v1 "${PLATFORMS[@]}" --index-with-attestation

cfg=$TEST_TMP/release.yaml
st=$TEST_TMP/status.json
config_write "$cfg" <<EOF
images:
  - {name: app, tags: [v1]}
  - {name: bare, tags: [v1], attestations: drop}
EOF

# What each source index says its attestation is.
declare -A ATT
for name in app bare; do
	for p in "${PLATFORMS[@]}"; do
		src=$(skopeo_inspect_raw "$REGISTRY/$name-$(arch_of "$p"):v1")
		ATT[$name/$p]=$(jq -r '.manifests[] | select(.platform.os == "unknown") | .digest' <<<"$src")
		assert_eq "$(jq -r '.manifests[] | select(.platform.os == "unknown") | .annotations["vnd.docker.reference.digest"]' <<<"$src")" \
			"${SEEDED[$name/$p]}" "seeded $name $p attestation names its image"
	done
done

# ---- night 1: first publish ------------------------------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
log_lines_since "$m" >"$TEST_TMP/night1.requests"
assert_eq "$(status_counts "$st")" '[2,0,0,0]' "night 1 counts"
# app (P = 2 buildx indexes, each image and attestation of 2 blobs): its
# tag's HEAD (404), each index read once by the GET that stands for its
# HEAD, then its image entry, config and attestation, a tag listing per
# source repository; 8 mounts; 5 PUTs (2 children, 2 attestations, the
# list); a HEAD at the target before each attestation and the list's
# read-back HEAD (docs/publish.md, "Requests of a first publish").
assert_eq "$(log_count_since "$m" HEAD '^/v2/app(-[a-z0-9]+)?/')" 4 "night 1 app: HEADs"
assert_eq "$(log_count_since "$m" GET '^/v2/app(-[a-z0-9]+)?/(manifests|blobs|tags)/')" 10 "night 1 app: GETs"
assert_eq "$(log_count_since "$m" POST '^/v2/app(-[a-z0-9]+)?/')" 8 "night 1 app: mounts"
assert_eq "$(log_count_since "$m" PUT '^/v2/app(-[a-z0-9]+)?/')" 5 "night 1 app: PUTs"
assert_eq "$(log_count_since "$m" GET '^/v2/[^/]+/referrers/')" 1 "the referrers API once a run"

raw=$(skopeo_inspect_raw "$REGISTRY/app:v1")
app_list=$(skopeo_digest "$REGISTRY/app:v1")
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" .digest)" "\"$app_list\"" "app:v1 record digest"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" '.platforms[0].reason')" \
	'"source is a list; its entry for this platform is used (attestations kept)"' "the record says the attestations were kept"
assert_eq "$(status_target "$st" "$REGISTRY/bare:v1" '.platforms[0].reason')" \
	'"source is a list; its entry for this platform is used (attestations dropped)"' "attestations: drop says so"
assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_OCI_INDEX" "app:v1 is an OCI index"
assert_eq "$(jq -r '.manifests | length' <<<"$raw")" 4 "app:v1: two images, two attestations"
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" \
	"${SEEDED[app/linux/amd64]} ${SEEDED[app/linux/arm64/v8]} ${ATT[app/linux/amd64]} ${ATT[app/linux/arm64/v8]}" \
	"app:v1 entries: images in config order, then their attestations"
for i in 2 3; do
	assert_eq "$(jq -c ".manifests[$i].platform" <<<"$raw")" '{"architecture":"unknown","os":"unknown"}' \
		"attestation entry $i platform"
	assert_eq "$(jq -r ".manifests[$i].annotations[\"vnd.docker.reference.type\"]" <<<"$raw")" \
		attestation-manifest "attestation entry $i type"
	assert_eq "$(jq -r ".manifests[$i].annotations[\"vnd.docker.reference.digest\"]" <<<"$raw")" \
		"$(jq -r ".manifests[$((i - 2))].digest" <<<"$raw")" "attestation entry $i names image entry $((i - 2))"
	assert_eq "$(jq -r ".manifests[$i].mediaType" <<<"$raw")" "$MT_OCI" "attestation entry $i media type"
done
for p in "${PLATFORMS[@]}"; do
	for d in "${SEEDED[app/$p]}" "${ATT[app/$p]}"; do
		assert_eq "$(skopeo_digest "$REGISTRY/app@$d")" "$d" "app holds $d"
	done
	# The attestation's layer (the in-toto statement) came along.
	layer=$(skopeo_inspect_raw "$REGISTRY/app@${ATT[app/$p]}" | jq -r '.layers[0].digest')
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -I "http://$REGISTRY/v2/app/blobs/$layer")" 200 \
		"app holds the attestation layer for $p"
done

braw=$(skopeo_inspect_raw "$REGISTRY/bare:v1")
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$braw")" \
	"${SEEDED[bare/linux/amd64]} ${SEEDED[bare/linux/arm64/v8]}" "attestations: drop: images only"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -I \
	-H "Accept: $MT_OCI" "http://$REGISTRY/v2/bare/manifests/${ATT[bare/linux/amd64]}")" 404 \
	"attestations: drop: no attestation manifest in bare"

# ---- night 2: nothing changed ------------------------------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
log_lines_since "$m" >"$TEST_TMP/night2.requests"
assert_eq "$(status_counts "$st")" '[0,2,0,0]' "night 2 counts"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "writes on an unchanged night"
# Per target: P HEADs of sources + 1 of the tag, then each source index
# and its entry GET (the list built with its attestation entries matches).
assert_eq "$(log_count_since "$m" HEAD '^/v2/app(-[a-z0-9]+)?/')" 3 "app: HEADs on an unchanged night"
assert_eq "$(log_count_since "$m" GET '^/v2/app(-[a-z0-9]+)?/')" 4 "app: GETs on an unchanged night"
assert_eq "$(log_count_since "$m" GET '/referrers/|sha256-')" 0 "no referrer lookups on an unchanged night"
assert_eq "$(skopeo_digest "$REGISTRY/app:v1")" "$app_list" "app:v1 kept"

# ---- night 3: arm64 rebuilt, with its attestation: republished ---------------------
seed_arches app v1 linux/arm64/v8 --index-with-attestation --seed app-v1-rebuilt
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(status_counts "$st")" '[1,1,0,0]' "night 3 counts"
raw=$(skopeo_inspect_raw "$REGISTRY/app:v1")
att=$(skopeo_inspect_raw "$REGISTRY/app-arm64:v1" | jq -r '.manifests[1].digest')
assert_eq "$(jq -r '.manifests[3].digest' <<<"$raw")" "$att" "app:v1 carries the new arm64 attestation"
assert_eq "$(skopeo_digest "$REGISTRY/app@$att")" "$att" "app holds the new attestation"
