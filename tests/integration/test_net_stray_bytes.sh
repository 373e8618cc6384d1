#!/usr/bin/env bash
# test_net_stray_bytes.sh — a HEAD answer followed by body bytes on the
# kept-alive connection: the next request on it reads garbage ("Received
# HTTP/0.9 when not allowed"), is retried once on a fresh connection and
# succeeds; the target publishes. One worker, so the next request is on
# the same connection.
source "$(dirname "$0")/lib.sh"

registry_start
declare -A D
for p in linux/amd64 linux/arm64/v8; do
	arch=$(cut -d/ -f2 <<<"$p")
	D[$arch]=$(seed "app-$arch:v1" --platform "$p" --seed "stray-$p")
done
slowproxy_start --upstream "$REGISTRY" --head-body 'HEAD /v2/app-amd64/manifests/v1:1'

cfg=$TEST_TMP/stray.yaml
cat >"$cfg" <<YAML
defaults:
  registry: $PROXY
  platforms: [linux/amd64, linux/arm64/v8]
images:
  - {name: app, tags: [v1]}
YAML
st=$TEST_TMP/status.json
MANIFOLD_BACKOFF_MS=20 mf_expect 0 publish -c "$cfg" --status "$st" -j 1

raw=$(skopeo_inspect_raw "$REGISTRY/app:v1")
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" "${D[amd64]} ${D[arm64]}" "app:v1 published"
assert_eq "$(status_target "$st" "$PROXY/app:v1" .state)" '"published"' "state"
assert_eq "$(proxy_count '^HEAD /v2/app-amd64/manifests/v1 200 head-body$')" 1 "the HEAD answer was followed by stray bytes"
# The request after it got the stray bytes first; curl refused the answer
# and the retry went out on a new connection (no "after-stray" twice).
assert_eq "$(proxy_count ' after-stray$')" 1 "one request read the stray bytes"
next=$(grep -A1 ' head-body$' "$PROXY_LOG" | tail -n 1 | cut -d' ' -f1,2)
assert_eq "$(grep -cF "$next " "$PROXY_LOG")" 2 "the garbled request was sent again: $next"
assert_eq "$(grep -cE "^manifold: warning: .*: Unsupported protocol: Received HTTP/0.9 when not allowed; retry 1/4 on a fresh connection in [0-9]+ ms\$" <<<"$MF_ERR")" 1 "retry logged with curl's reason"
assert_eq "$(grep -c 'warning' <<<"$MF_ERR")" 1 "no other retries"
