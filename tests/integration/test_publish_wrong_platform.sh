#!/usr/bin/env bash
# test_publish_wrong_platform.sh — an amd64 build pushed under the arm64 tag
# (its config blob says amd64) fails its target: nothing written there, the
# status names the platform and why, exit 1, and the other targets are still
# published. With verify-platform: false the same lie is let through.
source "$(dirname "$0")/lib.sh"

registry_start
for name in good liar trusting; do
	seed_arches "$name" v1 linux/amd64 --seed "wp-$name"
done
seed_arches good v1 linux/arm64/v8 --seed wp-good
# The lie: amd64 configs under the arm64 tags.
seed_arches liar v1 linux/arm64/v8 --config-platform linux/amd64 --seed wp-liar
seed_arches trusting v1 linux/arm64/v8 --config-platform linux/amd64 --seed wp-trusting

cfg=$TEST_TMP/wp.yaml
config_write "$cfg" --default "verify-platform: true" <<EOF
images:
  - {name: good, tags: [v1]}
  - {name: liar, tags: [v1]}
  - {name: trusting, tags: [v1], verify-platform: false}
EOF
st=$TEST_TMP/status.json
m=$(log_mark)
mf_expect 1 publish -c "$cfg" --status "$st"

assert_absent "$REGISTRY/liar:v1" "liar:v1 was published although its arm64 child is an amd64 image"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE' '^/v2/liar/')" 0 "writes to the failed target's repo"
assert_eq "$(status_target "$st" "$REGISTRY/liar:v1" .state)" '"failed"' "liar state"
rec=$(status_target "$st" "$REGISTRY/liar:v1" '.platforms[] | select(.platform == "linux/arm64/v8")')
assert_eq "$(jq -r .state <<<"$rec")" wrong_platform "liar arm64 platform state"
assert_eq "$(jq -r .source <<<"$rec")" "$REGISTRY/liar-arm64:v1" "liar arm64 source"
assert_contains "$(jq -r .reason <<<"$rec")" amd64 "platform reason says what the config claims"
reason=$(status_target "$st" "$REGISTRY/liar:v1" .reason)
assert_contains "$reason" linux/arm64/v8 "target reason names the platform"
assert_contains "$reason" amd64 "target reason says what it really is"
assert_eq "$(status_target "$st" "$REGISTRY/liar:v1" '.platforms[] | select(.platform == "linux/amd64") | .state')" '"ready"' "liar amd64 is fine"
assert_contains "$MF_OUT$MF_ERR" "$REGISTRY/liar:v1" "the run's output names the failed target"

good=$(skopeo_inspect_raw "$REGISTRY/good:v1")
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$good")" "${SEEDED[good/linux/amd64]} ${SEEDED[good/linux/arm64/v8]}" \
	"good:v1 still published"
assert_eq "$(status_target "$st" "$REGISTRY/good:v1" .state)" '"published"' "good state"

trusting=$(skopeo_inspect_raw "$REGISTRY/trusting:v1")
assert_eq "$(jq -r '.manifests[1].digest' <<<"$trusting")" "${SEEDED[trusting/linux/arm64/v8]}" "verify-platform: false publishes the lie"
assert_eq "$(jq -r '.manifests[1].platform.architecture' <<<"$trusting")" arm64 "entry written as configured"
assert_eq "$(status_counts "$st")" '[2,0,0,1]' "counts"

# Fixing the build fixes the target on the next run.
seed_arches liar v1 linux/arm64/v8 --seed wp-liar-fixed
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(skopeo_inspect_raw "$REGISTRY/liar:v1" | jq -r '.manifests[1].digest')" "${SEEDED[liar/linux/arm64/v8]}" "liar:v1 published once fixed"
assert_eq "$(status_target "$st" "$REGISTRY/liar:v1" '.platforms[1].state')" '"ready"' "liar arm64 ready once fixed"
