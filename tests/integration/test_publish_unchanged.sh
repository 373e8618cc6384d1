#!/usr/bin/env bash
# test_publish_unchanged.sh — a night with nothing new costs (platforms + 1)
# HEADs per target and nothing else: no GET, no write; exit 0; every target
# "unchanged" in the run, its status record (state "published", `since`,
# digest) untouched. Then one rebuilt per-arch
# image republishes exactly its target.
source "$(dirname "$0")/lib.sh"

PLATFORMS=(linux/amd64 linux/arm64/v8 linux/ppc64le)
IMAGES=(alpha beta gamma)

registry_start
for name in "${IMAGES[@]}"; do
	seed_arches "$name" v1 "${PLATFORMS[@]}" --seed "unch-$name"
done

cfg=$TEST_TMP/nightly.yaml
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/ppc64le" <<EOF
images:
  - {name: alpha, tags: [v1]}
  - {name: beta, tags: [v1]}
  - {name: gamma, tags: [v1]}
EOF
st=$TEST_TMP/status.json

MANIFOLD_NOW=2026-02-01T03:00:00Z mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(status_counts "$st")" '[3,0,0,0]' "night 1 counts"
declare -A L
for name in "${IMAGES[@]}"; do
	L[$name]=$(skopeo_digest "$REGISTRY/$name:v1")
done
cp "$st" "$TEST_TMP/night1.json"

# ---- night 2: nothing changed ------------------------------------------------------
m=$(log_mark)
MANIFOLD_NOW=2026-02-02T03:00:00Z mf_expect 0 publish -c "$cfg" --status "$st"
log_lines_since "$m" >"$TEST_TMP/night2.requests"
n_targets=${#IMAGES[@]}
n_platforms=${#PLATFORMS[@]}
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "writes on an unchanged night"
assert_eq "$(log_count_since "$m" GET)" 0 "GETs on an unchanged night (HEAD only; see $TEST_TMP/night2.requests)"
assert_eq "$(log_count_since "$m" HEAD)" $((n_targets * (n_platforms + 1))) "HEADs on an unchanged night"
assert_eq "$(wc -l <"$TEST_TMP/night2.requests" | tr -d ' ')" $((n_targets * (n_platforms + 1))) "requests on an unchanged night"
for name in "${IMAGES[@]}"; do
	assert_eq "$(log_count_since "$m" HEAD "^/v2/$name/manifests/v1\$")" 1 "one HEAD of target $name:v1"
	for p in "${PLATFORMS[@]}"; do
		arch=$(arch_of "$p")
		assert_eq "$(log_count_since "$m" HEAD "^/v2/$name-$arch/manifests/v1\$")" 1 "one HEAD of source $name-$arch:v1"
	done
done

assert_eq "$(status_counts "$st")" '[0,3,0,0]' "night 2 counts"
assert_eq "$(jq -r .last_run.started "$st")" 2026-02-02T03:00:00Z "last_run.started is night 2"
for name in "${IMAGES[@]}"; do
	t="$REGISTRY/$name:v1"
	assert_eq "$(status_target "$st" "$t" '[.state, .digest, .since] | join(" ")')" \
		"\"published ${L[$name]} 2026-02-01T03:00:00Z\"" "$name:v1 record kept: state, digest and since"
	assert_eq "$(status_target "$st" "$t" .platforms)" "$(status_target "$TEST_TMP/night1.json" "$t" .platforms)" \
		"$name:v1 platform records unchanged"
	assert_eq "$(skopeo_digest "$t")" "${L[$name]}" "$name:v1 still the same list"
done

# ---- night 3: beta's arm64 build was redone ----------------------------------------
d_new=$(seed beta-arm64:v1 --platform linux/arm64/v8 --seed unch-beta-rebuilt)
m=$(log_mark)
MANIFOLD_NOW=2026-02-03T03:00:00Z mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(status_counts "$st")" '[1,2,0,0]' "night 3 counts"
raw=$(skopeo_inspect_raw "$REGISTRY/beta:v1")
assert_eq "$(jq -r '.manifests[1].digest' <<<"$raw")" "$d_new" "beta:v1 carries the rebuilt arm64 child"
assert_eq "$(status_target "$st" "$REGISTRY/beta:v1" '[.state, .digest, .since] | join(" ")')" \
	"\"published $(printf '%s' "$raw" | digest_of) 2026-02-03T03:00:00Z\"" "beta:v1 republished"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE' '^/v2/(alpha|gamma)')" 0 "untouched targets get no writes"
assert_eq "$(log_count_since "$m" PUT '^/v2/beta/manifests/v1$')" 1 "one list PUT for beta"
for name in alpha gamma; do
	assert_eq "$(skopeo_digest "$REGISTRY/$name:v1")" "${L[$name]}" "$name:v1 untouched"
done
