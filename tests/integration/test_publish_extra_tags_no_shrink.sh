#!/usr/bin/env bash
# test_publish_extra_tags_no_shrink.sh — an extra tag never loses a
# platform silently either. sh/kq:v2 and its extra tag `latest` hold a
# three-platform list (the record's extra_tags names latest and its list;
# an unchanged night changes only last_run); the config then drops linux/s390x and publishes v3:
# v3 gets its two-platform list, `latest` keeps the three-platform one, the
# target is held (exit 3) with a reason naming the extra tag and the
# platform, -o json says what the tag holds and lists only the tags written.
# Held again the next night at no write; --allow-shrink lets it through.
# With `tags: [v3, v2]` v2 is held on its own and `latest` does not move.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches sh/kq v2 linux/amd64 linux/arm64/v8 linux/s390x
seed_arches sh/kq v3 linux/amd64 linux/arm64/v8

cfg=$TEST_TMP/release.yaml
st=$TEST_TMP/status.json
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/s390x" <<EOF
images:
  - {name: sh/kq, tags: [v2], extra-tags: [latest]}
EOF
mf_expect 0 publish -c "$cfg" --status "$st"
three=$(skopeo_digest "$REGISTRY/sh/kq:v2")
assert_eq "$(skopeo_digest "$REGISTRY/sh/kq:latest")" "$three" "night 1: latest holds v2's list"
assert_eq "$(status_target "$st" "$REGISTRY/sh/kq:v2" '.extra_tags | tostring')" \
	"$(jq -n --arg d "$three" '[{tag: "latest", digest: $d}] | tostring')" "night 1: the record names latest and its list"
# an unchanged night: the file differs in last_run alone
cp "$st" "$TEST_TMP/night1.json"
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(jq -S 'del(.last_run)' "$st")" "$(jq -S 'del(.last_run)' "$TEST_TMP/night1.json")" \
	"night 2, unchanged: only last_run differs"

# ---- v3 without s390x: the tag is written, latest is held --------------------------
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8" <<EOF
images:
  - {name: sh/kq, tags: [v3], extra-tags: [latest]}
EOF
t="$REGISTRY/sh/kq:v3"
why="extra tag $REGISTRY/sh/kq:latest: would drop linux/s390x, which its current list has"
m=$(log_mark)
mf_expect 3 publish -c "$cfg" --status "$st" -o json
two=$(skopeo_digest "$t")
assert_eq "$(skopeo_inspect_raw "$t" | jq -c '[.manifests[].platform.architecture]')" '["amd64","arm64"]' \
	"v3 holds its two-platform list"
assert_eq "$(skopeo_digest "$REGISTRY/sh/kq:latest")" "$three" "latest keeps its three platforms"
assert_eq "$(log_count_since "$m" PUT '^/v2/sh/kq/manifests/latest$')" 0 "no PUT of latest"
assert_eq "$(jq -c '.targets[0] | [.state, .digest, .reason, .writes]' <<<"$MF_OUT")" \
	"[\"held\",\"$two\",\"$why\",[\"$t\"]]" "json: held, the digest v3 holds, the reason, only v3 written"
assert_eq "$(jq -c '.summary | [.published, .held]' <<<"$MF_OUT")" '[0,1]' "json summary: not published, held"
assert_eq "$(status_target "$st" "$t" '.published_at == .since')" 'true' \
	"record: the list v3 holds was published tonight (published_at)"
assert_eq "$(status_target "$st" "$t" '[.state, .digest, .reason, .extra_tags[0].tag, .extra_tags[0].digest, (.extra_tags[0].held | tostring)] | join(" | ")')" \
	"\"held | $two | $why | latest | $three | true\"" "record: held at the list v3 holds; latest's list noted as manifold's"

# The next night: held again, the same reason, nothing written.
m=$(log_mark)
mf_expect 3 publish -c "$cfg" --status "$st"
assert_contains "$MF_OUT" "$t  held" "night 3: still held"
assert_contains "$MF_OUT" "$why" "night 3: the same reason"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "night 3: nothing written"
assert_eq "$(skopeo_digest "$REGISTRY/sh/kq:latest")" "$three" "night 3: latest unchanged"

# --allow-shrink: latest gets the two-platform list.
mf_expect 0 publish -c "$cfg" --status "$st" --allow-shrink -o json
assert_eq "$(skopeo_digest "$REGISTRY/sh/kq:latest")" "$two" "--allow-shrink: latest holds v3's list"
assert_eq "$(jq -c '.targets[0] | [.state, .writes]' <<<"$MF_OUT")" \
	"[\"published\",[\"$REGISTRY/sh/kq:latest\"]]" "json: only latest was written"
assert_eq "$(status_target "$st" "$t" '[.state, (.extra_tags | map(.tag + "=" + .digest + (if .held then " held" else "" end)) | join(","))] | join(" ")')" \
	"\"published latest=$two\"" \
	"record: published, latest holds v3's list, no held extra tag"

# ---- tags: [v3, v2] on another repository: v2 held, latest held ---------------------
seed_arches sh/kr v2 linux/amd64 linux/arm64/v8 linux/s390x
seed_arches sh/kr v3 linux/amd64 linux/arm64/v8
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/s390x" <<EOF
images:
  - {name: sh/kr, tags: [v2], extra-tags: [latest]}
EOF
mf_expect 0 publish -c "$cfg" --status "$st"
three=$(skopeo_digest "$REGISTRY/sh/kr:latest")
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8" <<EOF
images:
  - {name: sh/kr, tags: [v3, v2], extra-tags: [latest]}
EOF
mf_expect 3 publish -c "$cfg" --status "$st"
assert_contains "$MF_OUT" "$REGISTRY/sh/kr:v2  held" "v2: held"
assert_contains "$MF_OUT" "would drop linux/s390x, which the tag's current list has" "v2: its own reason"
assert_contains "$MF_OUT" "$REGISTRY/sh/kr:v3  held" "v3: held for its extra tag"
assert_contains "$MF_OUT" "extra tag $REGISTRY/sh/kr:latest: would drop linux/s390x" "v3: the reason names latest"
assert_contains "$MF_OUT" "0 published, 0 unchanged, 0 incomplete, 0 failed, 2 held" "summary"
assert_eq "$(skopeo_digest "$REGISTRY/sh/kr:latest")" "$three" "latest did not move"
assert_eq "$(skopeo_digest "$REGISTRY/sh/kr:v2")" "$three" "v2 did not move"

# ---- without a status file: a list on the extra tag is taken for manifold's ------------
seed_arches sh/ks v2 linux/amd64 linux/arm64/v8 linux/s390x
seed_arches sh/ks v3 linux/amd64 linux/arm64/v8
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/s390x" <<EOF
images:
  - {name: sh/ks, tags: [v2], extra-tags: [latest]}
EOF
mf_expect 0 publish -c "$cfg"
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8" <<EOF
images:
  - {name: sh/ks, tags: [v3], extra-tags: [latest]}
EOF
mf_expect 3 publish -c "$cfg"
assert_contains "$MF_OUT" "extra tag $REGISTRY/sh/ks:latest: would drop linux/s390x, which its current list has" \
	"stateless: held for the shrink"

