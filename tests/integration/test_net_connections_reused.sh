#!/usr/bin/env bash
# test_net_connections_reused.sh — connections are kept alive and handed
# from one request to the next, whichever worker or crew thread sends it:
# a night opens no more connections to a registry than it has requests in
# flight to it (its max-concurrency), counted as the TCP connections a
# forwarding proxy in front of the registry accepted.
source "$(dirname "$0")/lib.sh"

PLATFORMS=(linux/amd64 linux/arm64/v8 linux/ppc64le)
N=12
CAP=3

registry_start
seed_night conn "$N" v1 "${PLATFORMS[@]}"
delayproxy_start --upstream "$REGISTRY" --delay-ms 1

cfg=$TEST_TMP/night.yaml
{
	printf 'registries:\n  "%s": {max-concurrency: %d}\n' "$PROXY" "$CAP"
	images_yaml v1 "${NAMES[@]}"
} | config_write "$cfg" --registry "$PROXY" --platforms "linux/amd64, linux/arm64/v8, linux/ppc64le"
st=$TEST_TMP/status.json

connections() { grep -c '^connection$' "$PROXY_LOG" || true; }

# ---- first publish: 8 workers, each fanning a stage out on its crew -------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st" -j 8
first=$(connections)
sent=$(log_lines_since "$m" | wc -l)
[ "$sent" -ge $((N * (2 * ${#PLATFORMS[@]} + 2))) ] || fail "first publish sent only $sent requests"
[ "$first" -ge 1 ] || fail "no connection seen by the proxy (log: $PROXY_LOG)"
[ "$first" -le "$CAP" ] || fail "first publish: $first connections for $sent requests, want at most $CAP (max-concurrency)"

# ---- unchanged night: P + 1 HEADs a target, on connections kept alive --------------
before=$(connections)
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st" -j 8
assert_eq "$(log_count_since "$m" HEAD)" $((N * (${#PLATFORMS[@]} + 1))) "HEADs of the unchanged night"
night=$(($(connections) - before))
[ "$night" -le "$CAP" ] || fail "unchanged night: $night connections for $((N * (${#PLATFORMS[@]} + 1))) HEADs, want at most $CAP"
echo "connections: first publish $first for $sent requests, unchanged night $night (max-concurrency $CAP)"
