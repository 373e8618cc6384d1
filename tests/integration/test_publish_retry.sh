#!/usr/bin/env bash
# test_publish_retry.sh — transient registry trouble is retried (503 with
# Retry-After, 429, a reset connection) and the run succeeds for that target;
# permanent errors (500 on a manifest GET, 403 on the list PUT) are not
# retried and fail their target with the HTTP status and the registry's error
# code in the message; exit 1. All through faultproxy.py.
source "$(dirname "$0")/lib.sh"

registry_start
for name in app broken denied; do
	seed_arches "$name" v1 linux/amd64 linux/arm64/v8 --seed "retry-$name"
done

faultproxy_start --upstream "$REGISTRY" --retry-after 1 \
	--fail 'HEAD /v2/app/manifests/v1:503:2' \
	--fail 'GET /v2/app-arm64/manifests/.*:reset:1' \
	--fail 'PUT /v2/app/manifests/v1:429:1' \
	--fail 'GET /v2/broken-amd64/manifests/.*:500:*' \
	--fail 'PUT /v2/denied/manifests/v1:403:*'

cfg=$TEST_TMP/retry.yaml
config_write "$cfg" --registry "$PROXY" <<EOF
images:
  - {name: app, tags: [v1]}
  - {name: broken, tags: [v1]}
  - {name: denied, tags: [v1]}
EOF
st=$TEST_TMP/status.json
t0=$(date +%s%N)
mf_expect 1 publish -c "$cfg" --status "$st"
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
cp "$PROXY_LOG" "$TEST_TMP/proxy-run.log"

# ---- transient: retried, published ---------------------------------------------------
raw=$(skopeo_inspect_raw "$REGISTRY/app:v1")
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" "${SEEDED[app/linux/amd64]} ${SEEDED[app/linux/arm64/v8]}" \
	"app:v1 published despite the faults"
assert_eq "$(status_target "$st" "$PROXY/app:v1" .state)" '"published"' "app state"
assert_eq "$(proxy_count '^HEAD /v2/app/manifests/v1 503 fault$')" 2 "both 503s were hit"
[ "$(proxy_count '^HEAD /v2/app/manifests/v1 404 upstream$')" -ge 1 ] || fail "HEAD app:v1 not retried after the 503s"
assert_eq "$(proxy_count '^GET /v2/app-arm64/manifests/.* reset fault$')" 1 "the reset was hit"
[ "$(proxy_count '^GET /v2/app-arm64/manifests/.* 200 upstream$')" -ge 1 ] || fail "GET app-arm64 not retried after the reset"
assert_eq "$(proxy_count '^PUT /v2/app/manifests/v1 429 fault$')" 1 "the 429 was hit"
assert_eq "$(proxy_count '^PUT /v2/app/manifests/v1 201 upstream$')" 1 "list PUT retried after the 429"
# Retry-After: 1 was honoured: two waits before the HEAD succeeds, one before the PUT.
[ "$elapsed_ms" -ge 2900 ] || fail "run took ${elapsed_ms} ms; Retry-After (3 × 1 s on one target's path) not honoured"

# ---- permanent: not retried, failed with status and code --------------------------------
assert_eq "$(status_target "$st" "$PROXY/broken:v1" .state)" '"failed"' "broken state"
reason=$(status_target "$st" "$PROXY/broken:v1" '[.reason, (.platforms[] | .reason // empty)] | join(" | ")')
assert_contains "$reason" 500 "broken reason has the HTTP status"
assert_contains "$reason" UNKNOWN "broken reason has the registry error code"
assert_eq "$(status_target "$st" "$PROXY/broken:v1" '.platforms[0].state')" '"error"' "broken amd64 platform state"
assert_eq "$(proxy_count '^GET /v2/broken-amd64/manifests/.* 500 fault$')" 1 "a 500 is not retried"
assert_absent "$REGISTRY/broken:v1" "broken:v1 was published"

assert_eq "$(status_target "$st" "$PROXY/denied:v1" .state)" '"failed"' "denied state"
reason=$(status_target "$st" "$PROXY/denied:v1" .reason)
assert_contains "$reason" 403 "denied reason has the HTTP status"
assert_contains "$reason" DENIED "denied reason has the registry error code"
assert_eq "$(proxy_count '^PUT /v2/denied/manifests/v1 403 fault$')" 1 "a 403 is not retried"
assert_absent "$REGISTRY/denied:v1" "denied:v1 exists"
assert_contains "$MF_ERR$MF_OUT" "$PROXY/denied:v1" "output names the failed target"
assert_eq "$(status_counts "$st")" '[1,0,0,2]' "counts"
