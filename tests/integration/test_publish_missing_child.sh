#!/usr/bin/env bash
# test_publish_missing_child.sh — a child deleted from the target
# repository under a published list is found and put back. check --verify
# HEADs every child of the published list and fails the target naming the
# platform and the digest. publish re-checks the children of a target once
# every `recheck-children` days (7 by default; the day is picked by a hash
# of the target reference): over seven nights exactly one costs the P
# child HEADs more, the others P + 1 HEADs, and that night copies the
# child back from its source (one PUT, the list untouched, state
# unchanged). --recheck-children forces the re-check; a child whose
# config blob is gone from the source too cannot be copied back: failed,
# naming platform and digest, the record marks the child missing
# (child_missing) and keeps when the list it serves was published.
source "$(dirname "$0")/lib.sh"

registry_start
PLATFORMS=(linux/amd64 linux/arm64/v8 linux/s390x)
P=${#PLATFORMS[@]}
seed_arches app v1 "${PLATFORMS[@]}"
cfg=$TEST_TMP/release.yaml
st=$TEST_TMP/status.json
t="$REGISTRY/app:v1"
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/s390x" <<EOF
images:
  - {name: app, tags: [v1], referrers: skip}
EOF
mf_expect 0 publish -c "$cfg" --status "$st"
list=$(skopeo_digest "$t")
child=${SEEDED[app/linux/s390x]}

# Delete the s390x child from the target repository.
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://$REGISTRY/v2/app/manifests/$child")
assert_eq "$code" 202 "the child is deleted"

# ---- check --verify finds the hole ----------------------------------------------------
why="linux/s390x child $child of the published list is missing from $REGISTRY/app"
mf_expect 1 check -c "$cfg" --verify --status "$st" -o json
assert_eq "$(jq -c '.targets[0] | [.state, .reason]' <<<"$MF_OUT")" "[\"failed\",\"$why\"]" \
	"check --verify: failed, naming platform and digest"

# ---- seven nights: one of them re-checks and repairs ----------------------------------
due_nights=0
for day in 01 02 03 04 05 06 07; do
	m=$(log_mark)
	MANIFOLD_NOW="2026-12-${day}T03:00:00Z" MANIFOLD_RECHECK_CHILDREN='' mf_expect 0 publish -c "$cfg" --status "$st"
	rechecks=$(log_count_since "$m" HEAD "^/v2/app/manifests/sha256:")
	if [ "$rechecks" -eq 0 ]; then
		assert_eq "$(log_count_since "$m" '[A-Z]+')" $((P + 1)) "night $day, not due: P + 1 requests"
		continue
	fi
	due_nights=$((due_nights + 1))
	assert_contains "$MF_OUT" "$t  unchanged" "night $day: repaired, the target unchanged"
	assert_contains "$MF_ERR" "linux/s390x child $child is missing; copying it back" "night $day: the warning"
	assert_eq "$(log_count_since "$m" PUT '^/v2/app/manifests/')" 1 "night $day: one PUT, the child's"
	assert_eq "$(log_count_since "$m" PUT "^/v2/app/manifests/$child\$")" 1 "night $day: the child is put back"
done
assert_eq "$due_nights" 1 "exactly one night of seven re-checks the children"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -I \
	-H "Accept: $MT_V2" "http://$REGISTRY/v2/app/manifests/$child")" 200 "the child is served again"
assert_eq "$(skopeo_digest "$t")" "$list" "the list is untouched"
mf_expect 0 check -c "$cfg" --verify --status "$st"
assert_contains "$MF_OUT" "$t  ready" "check --verify: ready again"

# ---- --recheck-children forces it --------------------------------------------------------
curl -s -o /dev/null -X DELETE "http://$REGISTRY/v2/app/manifests/$child"
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st" --recheck-children
assert_eq "$(log_count_since "$m" PUT "^/v2/app/manifests/$child\$")" 1 "--recheck-children: put back"

# ---- a hole that cannot be filled: the child's config is gone from the source too ----------
config=$(skopeo_inspect_raw "$REGISTRY/app-s390x:v1" | jq -r .config.digest)
curl -s -o /dev/null -X DELETE "http://$REGISTRY/v2/app/manifests/$child"
for repo in app app-s390x; do
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://$REGISTRY/v2/$repo/blobs/$config")" 202 \
		"the config blob is deleted from $repo"
done
green_since=$(status_target "$st" "$t" '.since')
mf_expect 1 publish -c "$cfg" --status "$st" --recheck-children
assert_contains "$MF_OUT" "$t  failed" "cannot be copied back: failed"
assert_contains "$MF_OUT" "linux/s390x child $child is missing from $REGISTRY/app and could not be copied back" \
	"the reason names platform and digest"
assert_eq "$(status_target "$st" "$t" '[.state, .digest] | join(" ")')" "\"failed $list\"" \
	"record: failed, the list the tag holds"
assert_eq "$(status_target "$st" "$t" '[.platforms[] | select(.child_missing) | .platform] | join(",")')" \
	'"linux/s390x"' "record: the s390x child is missing (child_missing)"
assert_eq "$(status_target "$st" "$t" '.published_at')" "$green_since" \
	"record: published_at is when the list the tag still serves was published"
mf_expect 0 status "$st" -o markdown
assert_contains "$MF_OUT" "| \`$t\` | failed (child missing) |" "markdown: failed (child missing)"

# ---- recheck-children takes days ---------------------------------------------------------
config_write "$cfg" --default 'recheck-children: 7' <<EOF
images:
  - {name: app, tags: [v1]}
EOF
mf_expect 2 publish -c "$cfg" --status "$st"
assert_contains "$MF_ERR" "release.yaml:6:21: defaults.recheck-children: \"7\" is not a number of days from 1d to 365d, like \"7d\"" \
	"a bad recheck-children names its place"
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/s390x" <<EOF
images:
  - {name: app, tags: [v1], referrers: skip, recheck-children: 1d}
EOF
MANIFOLD_RECHECK_CHILDREN='' mf_expect 1 publish -c "$cfg" --status "$st"
assert_contains "$MF_OUT" "linux/s390x child $child is missing from $REGISTRY/app and could not be copied back" \
	"recheck-children: 1d re-checks every night"
