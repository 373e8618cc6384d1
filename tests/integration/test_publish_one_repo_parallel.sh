#!/usr/bin/env bash
# test_publish_one_repo_parallel.sh — many tags of one image publish in
# parallel into one repository (-j 32): each blob is mounted and each child
# PUT once for the whole run (single-flight per repository and digest),
# distribution's answers to identical concurrent writes (400
# DIGEST_INVALID, 500) never show, and every list reads back whole.
source "$(dirname "$0")/lib.sh"

PLATFORMS=(linux/amd64 linux/arm64/v8)
N=30

registry_start
# One image per platform under N tags.
seed_arches app v1 "${PLATFORMS[@]}" --layers 2
tags=()
for ((i = 1; i <= N; i++)); do
	tags+=("v$i")
done
for p in "${PLATFORMS[@]}"; do
	tag_alias "app-$(arch_of "$p")" v1 "${tags[@]:1}"
done
{
	echo "images:"
	echo "  - name: app"
	echo "    tags: [$(IFS=,; echo "${tags[*]}" | sed 's/,/, /g')]"
	echo "    extra-tags: [latest]"
} | config_write "$TEST_TMP/one.yaml"
st=$TEST_TMP/status.json

m=$(log_mark)
mf_expect 0 publish -c "$TEST_TMP/one.yaml" --status "$st" -j 32
assert_eq "$(status_counts "$st")" "[$N,0,0,0]" "every tag published"
log_lines_since "$m" >"$TEST_TMP/requests"
bad=$(awk '$1 != "HEAD" && $3 >= 400' "$TEST_TMP/requests" | head -5)
assert_eq "$bad" "" "no write answered with an error (see $TEST_TMP/requests)"
# 2 children of 3 blobs each (config + 2 layers): 6 mounts, 2 child PUTs,
# then one list PUT per tag and one for latest.
assert_eq "$(log_count_since "$m" POST '^/v2/app/blobs/uploads/')" 6 "each blob mounted once"
assert_eq "$(log_count_since "$m" PUT '^/v2/app/manifests/sha256:')" 2 "each child PUT once"
assert_eq "$(log_count_since "$m" PUT '^/v2/app/manifests/(v[0-9]+|latest)$')" $((N + 1)) "one list PUT per tag"
assert_not_contains "$MF_ERR" "DIGEST_INVALID" "no digest race on stderr"

want=""
for ((i = 1; i <= N; i++)); do
	raw=$(skopeo_inspect_raw "$REGISTRY/app:v$i")
	got=$(jq -r '[.manifests[] | .platform.architecture + "=" + .digest] | join(" ")' <<<"$raw")
	assert_eq "$got" "amd64=${SEEDED[app/linux/amd64]} arm64=${SEEDED[app/linux/arm64/v8]}" "app:v$i lists both children"
	d=$(printf '%s' "$raw" | digest_of)
	[ -z "$want" ] && want=$d
	assert_eq "$d" "$want" "app:v$i is the same list as app:v1"
	assert_eq "$(status_target "$st" "$REGISTRY/app:v$i" .digest)" "\"$d\"" "app:v$i recorded at its digest"
done
assert_eq "$(skopeo_digest "$REGISTRY/app:latest")" "$want" "app:latest holds the list"
for p in "${PLATFORMS[@]}"; do
	assert_eq "$(skopeo_inspect "$REGISTRY/app:v$N" --override-arch "$(arch_of "$p")" | jq -r '.Architecture + " " + (.Layers | length | tostring)')" \
		"$(arch_of "$p") 2" "app:v$N serves $p with its layers"
done
