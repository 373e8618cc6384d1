#!/usr/bin/env bash
# test_prune_keeps_last_copy.sh — prune never destroys the last copy of a
# list's child: a 4-platform list whose s390x child was deleted from the
# target repository keeps the per-arch s390x tag (with why), the other
# three go, and a publish run afterwards puts the child back. A tag a
# retag: rule of the config reads is kept too, so the next retag still
# finds every source.
source "$(dirname "$0")/lib.sh"

registry_start
R=$REGISTRY
P=(linux/amd64 linux/arm64/v8 linux/s390x linux/ppc64le)
seed_arches app v1 "${P[@]}" --seed plc-app
seed_arches tool v1 "${P[@]}" --seed plc-tool
cfg=$TEST_TMP/release.yaml
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/s390x, linux/ppc64le" <<EOF
images:
  - {name: app, tags: [v1]}
  - {name: tool, tags: [v1]}
retag:
  - from: "{registry}/{name}-{arch}:{tag}"
    to: "{registry}/mirror/{name}:{tag}-{arch}"
    images: [tool]
EOF
mf_expect 0 publish -c "$cfg" --status "$TEST_TMP/status.json"
d_list=$(skopeo_digest "$R/app:v1")
s390x=${SEEDED[app/linux/s390x]}
assert_eq "$(skopeo_digest "$R/app@$s390x")" "$s390x" "the s390x child is in app"

# Someone deletes the s390x child from the target repository.
curl -sf -o /dev/null -X DELETE "http://$R/v2/app/manifests/$s390x" || fail "DELETE child"
assert_absent "$R/app@$s390x" "the child is gone from app"

# ---- prune keeps the last copy ------------------------------------------------------
mf_expect 0 prune -c "$cfg" --only app
assert_contains "$MF_OUT" "kept         $R/app-s390x:v1: last copy: " "dry run keeps the s390x tag"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "3 would be deleted, 1 kept (dry run: nothing deleted; --confirm deletes)" "dry run summary"
m=$(log_mark)
mf_expect 0 prune -c "$cfg" --only app --confirm -o json
assert_eq "$(jq -r '[.deleted[].ref] | sort | join(" ")' <<<"$MF_OUT")" \
	"$R/app-amd64:v1 $R/app-arm64:v1 $R/app-ppc64le:v1" "three tags deleted"
assert_eq "$(jq -r '.kept[] | select(.ref == "'"$R/app-s390x:v1"'") | .reason' <<<"$MF_OUT")" \
	"last copy: the linux/s390x child of $R/app:v1 ($s390x) is missing from that list's repository" \
	"the s390x tag kept, with why"
assert_eq "$(log_count_since "$m" DELETE)" 3 "three DELETEs"
assert_eq "$(log_count_since "$m" HEAD "^/v2/app/manifests/sha256:")" 4 "each child HEADed in the target repository"
assert_eq "$(skopeo_digest "$R/app-s390x:v1")" "$s390x" "the last copy is still served"
# The list's other children are served by its repository.
for p in linux/amd64 linux/arm64/v8 linux/ppc64le; do
	d=${SEEDED[app/$p]}
	assert_eq "$(skopeo_digest "$R/app@$d")" "$d" "app serves its $p child"
done

# The kept tag can put the child back: a list of it alone, published into
# the same repository.
config_write "$TEST_TMP/again.yaml" --platforms "linux/s390x" <<EOF
images:
  - {name: app, tags: [v1], target: "{registry}/{name}:v1-s390x-only"}
EOF
mf_expect 0 publish -c "$TEST_TMP/again.yaml" --status "$TEST_TMP/again.json"
assert_eq "$(skopeo_digest "$R/app@$s390x")" "$s390x" "republished: app serves the s390x child again"

# ---- prune keeps what a retag: rule reads ----------------------------------------------
mf_expect 0 prune -c "$cfg" --only tool --confirm -o json
assert_eq "$(jq '.deleted | length' <<<"$MF_OUT")" 0 "nothing of tool deleted"
assert_eq "$(jq -r '.kept[] | select(.ref == "'"$R/tool-amd64:v1"'") | .reason' <<<"$MF_OUT")" \
	"a retag: rule reads it (copies it to $R/mirror/tool:v1-amd64)" "tool-amd64 kept for the rule"
mf_expect 0 retag -c "$cfg"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "4 copied, 0 unchanged, 0 failed" "the next retag finds every source"
