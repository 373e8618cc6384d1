#!/usr/bin/env bash
# test_publish_optional_platforms.sh — optional platforms: the required ones
# gate the list; an optional one joins when its image is there and passes
# the platform check, and is left out (a warning, its own record with
# "optional": true) when it is missing or the wrong platform. check says
# "present (not verified, without …)", and with --verify "ready (without …)"
# and reads no config publish already verified. An unchanged night with an
# optional platform missing still costs platforms + 1 HEADs.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 linux/arm64/v8
seed_arches odd v1 linux/amd64 linux/arm64/v8
seed odd-riscv64:v1 --platform linux/riscv64 --config-platform linux/amd64 --seed odd-wrong >/dev/null

cfg=$TEST_TMP/release.yaml
st=$TEST_TMP/status.json
config_write "$cfg" <<EOF
images:
  - {name: app, tags: [v1], optional-platforms: [linux/s390x]}
  - {name: odd, tags: [v1], optional-platforms: [linux/riscv64]}
EOF

# ---- check, before anything is published -------------------------------------------
mf_expect 0 check -c "$cfg"
assert_contains "$MF_OUT" "$REGISTRY/app:v1  present (not verified, without linux/s390x)" "check text: app"
assert_contains "$MF_OUT" "$REGISTRY/odd:v1  present (not verified)" "check text: odd (its riscv64 is there to a HEAD)"
mf_expect 0 check -c "$cfg" -o json
assert_eq "$(jq -c --arg t "$REGISTRY/app:v1" '.targets[] | select(.target == $t) |
	[.state, .verified, (.platforms[] | select(.platform == "linux/s390x") | [.optional, .state])]' <<<"$MF_OUT")" \
	'["ready",false,[true,"missing"]]' "check json: app ready, not verified, s390x optional and missing"

m=$(log_mark)
mf_expect 0 check -c "$cfg" --verify --status "$st"
assert_contains "$MF_OUT" "$REGISTRY/app:v1  ready (without linux/s390x)" "check --verify text: app"
assert_contains "$MF_OUT" "$REGISTRY/odd:v1  ready (without linux/riscv64)" "check --verify text: odd"
assert_eq "$(log_count_since "$m" GET '^/v2/app-(amd64|arm64)/')" 4 "check --verify with no record: manifest and config of each app child"
[ ! -e "$st" ] || fail "check --verify wrote the status file"

# ---- night 1: published without the optional platforms ------------------------------
mf_expect 0 publish -c "$cfg" --status "$st"
assert_contains "$MF_ERR" "$REGISTRY/app:v1: optional linux/s390x left out (missing)" "warning for the missing optional"
assert_contains "$MF_ERR" "$REGISTRY/odd:v1: optional linux/riscv64 left out (wrong_platform)" "warning for the wrong optional"
assert_eq "$(status_counts "$st")" '[2,0,0,0]' "night 1 counts"
for name in app odd; do
	assert_eq "$(skopeo_inspect_raw "$REGISTRY/$name:v1" | jq -c '[.manifests[].platform.architecture]')" \
		'["amd64","arm64"]' "$name:v1 holds the required platforms only"
done
assert_eq "$(jq -c --arg t "$REGISTRY/app:v1" '.targets[] | select(.target == $t) | [.platforms[] | [.platform, .optional, .state]]' "$st")" \
	'[["linux/amd64",null,"ready"],["linux/arm64/v8",null,"ready"],["linux/s390x",true,"missing"]]' \
	"app record: s390x optional and missing"
assert_eq "$(status_target "$st" "$REGISTRY/odd:v1" '.platforms[2] | [.optional, .state] | join(" ")')" \
	'"true wrong_platform"' "odd record: riscv64 optional and the wrong platform"
assert_eq "$(jq -r '.targets[0].platforms[2] | keys_unsorted | join(",")' "$st")" \
	"platform,optional,source,state" "the optional key's place in a platform record"

# check --verify after the publish reads no config of a child verified then
m=$(log_mark)
mf_expect 0 check -c "$cfg" --verify --status "$st"
assert_eq "$(log_count_since "$m" GET '^/v2/(app|odd)-(amd64|arm64)/')" 0 "check --verify after publish: no GET of a verified child"
assert_contains "$MF_OUT" "$REGISTRY/app:v1  ready (without linux/s390x)" "check --verify text after publish"

# ---- night 2: nothing new -----------------------------------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(log_count_since "$m" HEAD '^/v2/app(-[a-z0-9]+)?/manifests/v1$')" 4 "app's unchanged night: 3 sources + 1 target HEADs"
assert_eq "$(log_count_since "$m" 'GET|PUT|POST|PATCH' '^/v2/app')" 0 "app's unchanged night: nothing else"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" .state)" '"published"' "app record kept"

# ---- night 3: the s390x image is there ----------------------------------------------
seed_arches app v1 linux/s390x
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(skopeo_inspect_raw "$REGISTRY/app:v1" | jq -c '[.manifests[].platform.architecture]')" \
	'["amd64","arm64","s390x"]' "app:v1 gains the optional platform"
assert_eq "$(skopeo_inspect_raw "$REGISTRY/app:v1" | jq -r '.manifests[2].digest')" "${SEEDED[app/linux/s390x]}" "its child is the seeded image"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" '.platforms[2] | [.state, .verified] | map(tostring) | join(" ")')" \
	'"ready true"' "s390x record: ready and verified"
