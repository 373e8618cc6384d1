#!/usr/bin/env bash
# test_publish_no_shrink.sh — a tag that holds a list is never replaced by
# one with fewer platforms: an optional platform missing tonight, or a
# platform dropped from the config, holds the target (state "held", exit 3,
# the reason names what would be lost, nothing written). The status record
# tells what the tag's list holds when its digest is the tag's: no GET of
# the list then; a record that cannot tell costs one GET. --allow-shrink
# and allow-shrink: true let the smaller list through.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 linux/arm64/v8 linux/s390x

cfg=$TEST_TMP/release.yaml
st=$TEST_TMP/status.json
config_write "$cfg" --default 'optional-platforms: [linux/s390x]' <<EOF
images:
  - {name: app, tags: [v1]}
EOF
t="$REGISTRY/app:v1"

mf_expect 0 publish -c "$cfg" --status "$st"
full=$(skopeo_digest "$t")
assert_eq "$(skopeo_inspect_raw "$t" | jq -c '[.manifests[].platform.architecture]')" \
	'["amd64","arm64","s390x"]' "night 1: the list has all three"

# ---- the optional platform is missing tonight ----------------------------------------
config_write "$cfg" --default 'optional-platforms: [linux/s390x]' \
	--default 'sources: {linux/s390x: "{registry}/gone-{arch}:{tag}"}' <<EOF
images:
  - {name: app, tags: [v1]}
EOF
m=$(log_mark)
mf_expect 3 publish -c "$cfg" --status "$st"
why="would drop linux/s390x, which the tag's current list has"
assert_contains "$MF_OUT" "$t  held" "publish table: held"
assert_contains "$MF_OUT" "$why" "publish table: the reason"
assert_contains "$MF_OUT" "0 published, 0 unchanged, 0 incomplete, 0 failed, 1 held" "publish summary"
assert_eq "$(status_target "$st" "$t" '[.state, .digest, .reason] | join(" | ")')" "\"held | $full | $why\"" \
	"record: held, the tag's digest kept, the reason"
assert_eq "$(jq .last_run.held "$st")" 1 "last_run.held"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "held: nothing written"
assert_eq "$(log_count_since "$m" GET '^/v2/app/manifests/')" 0 "the record told what the tag's list holds: no GET of it"
assert_eq "$(skopeo_digest "$t")" "$full" "the tag keeps its list"

# The held record no longer tells: one GET of the tag's list.
m=$(log_mark)
mf_expect 3 publish -c "$cfg" --status "$st"
assert_eq "$(log_count_since "$m" GET '^/v2/app/manifests/v1$')" 1 "a record that cannot tell: one GET of the tag's list"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "still nothing written"
assert_eq "$(status_target "$st" "$t" .reason)" "\"$why\"" "the same reason from the list itself"

# --allow-shrink lets it through.
mf_expect 0 publish -c "$cfg" --status "$st" --allow-shrink
assert_eq "$(skopeo_inspect_raw "$t" | jq -c '[.manifests[].platform.architecture]')" \
	'["amd64","arm64"]' "--allow-shrink: the smaller list is written"
assert_eq "$(status_target "$st" "$t" .state)" '"published"' "published"

# ---- a platform dropped from the config ------------------------------------------------
config_write "$cfg" --platforms "linux/amd64" <<EOF
images:
  - {name: app, tags: [v1]}
EOF
mf_expect 3 publish -c "$cfg" --status "$st"
assert_eq "$(status_target "$st" "$t" '[.state, .reason] | join(" | ")')" \
	'"held | would drop linux/arm64/v8, which the tag'"'"'s current list has"' "dropped from the config: held"
config_write "$cfg" --platforms "linux/amd64" --default 'allow-shrink: true' <<EOF
images:
  - {name: app, tags: [v1]}
EOF
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(skopeo_inspect_raw "$t" | jq -c '[.manifests[].platform.architecture]')" '["amd64"]' \
	"allow-shrink: true: the one-platform list is written"
