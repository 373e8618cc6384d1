#!/usr/bin/env bash
# test_net_stalled_registry.sh — a registry that accepts connections and
# never answers: each try ends at the configured `timeout`, the third
# consecutive timeout marks the host down (logged once), every later request
# to it fails at once with "HOST: registry unreachable (…)", and a target on
# another, healthy registry still publishes. The run fails within the bound.
source "$(dirname "$0")/lib.sh"

registry_start --name good
d_ok=$(seed "$REGISTRY_GOOD/ok-amd64:v1" --platform linux/amd64 --seed stalled-ok)
registry_start --name behind
slowproxy_start --upstream "$REGISTRY_BEHIND" --stall '.*'

cfg=$TEST_TMP/stalled.yaml
config_write "$cfg" --registry "$PROXY" <<YAML
registries:
  "$PROXY": {timeout: 1s, retries: 4}
images:
  - {name: alpha, tags: [v1]}
  - {name: beta, tags: [v1]}
  - {name: gamma, tags: [v1]}
  - {name: ok, tags: [v1], registry: "$REGISTRY_GOOD", platforms: [linux/amd64]}
YAML
st=$TEST_TMP/status.json
t0=$(date +%s%N)
MANIFOLD_BACKOFF_MS=50 mf_expect 1 publish -c "$cfg" --status "$st" -j 1
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
echo "stalled run took ${elapsed_ms} ms" >&2

# Three tries of 1 s each (a lower bound, which load cannot break); then
# nothing waits any more: no fourth request reaches the stalled host (a
# count, not a wall-clock bound).
[ "$elapsed_ms" -ge 3000 ] || fail "run took ${elapsed_ms} ms: fewer than three 1 s tries"
assert_eq "$(proxy_count ' stall stall$')" 3 "requests that reached the stalled host"

# curl says how long it waited: 1000 ms or more (a lower bound: a loaded
# machine has seen 1149).
down_re="$PROXY: registry unreachable \\(3 consecutive connection failures: Timeout was reached: Operation timed out after [1-9][0-9]{3,} milliseconds with 0 bytes received\\)"
assert_eq "$(grep -cE -- "^manifold: warning: $down_re; later requests to it fail at once\$" <<<"$MF_ERR")" 1 "the host is reported down once"
assert_eq "$(grep -c "registry unreachable" <<<"$MF_ERR")" 4 "one warning and one error per failed target"
for name in alpha beta gamma; do
	assert_eq "$(status_target "$st" "$PROXY/$name:v1" .state)" '"failed"' "$name state"
	reason=$(status_target "$st" "$PROXY/$name:v1" .reason | jq -r .)
	[[ "$reason" =~ ^$PROXY/$name-amd64:v1:\ HEAD\ manifest:\ $down_re$ ]] || fail "$name reason: $reason"
done
assert_eq "$(status_target "$st" "$REGISTRY_GOOD/ok:v1" .state)" '"published"' "the healthy registry's target"
assert_eq "$(skopeo_inspect_raw "$REGISTRY_GOOD/ok:v1" | jq -r '.manifests[0].digest')" "$d_ok" "ok:v1 holds its child"
assert_eq "$(jq -c '.last_run | [.published, .unchanged, .incomplete, .failed]' "$st")" '[1,0,0,3]' "counts"
