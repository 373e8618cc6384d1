#!/usr/bin/env bash
# test_publish_429_hiccups.sh — a registry that answers a few requests 429
# (6 %, Retry-After: 1) among answers that are fine is not over its limit:
# each refused request waits its own Retry-After and is sent again, and no
# other worker waits for it (the run's own account of its budget waits is
# zero; before, every 429 paused the whole registry). Every target is
# published with the seeded children.
source "$(dirname "$0")/lib.sh"

PLATFORMS=(linux/amd64 linux/arm64/v8)
N=12

registry_start
seed_night hic "$N" v1 "${PLATFORMS[@]}"
faultproxy_start --upstream "$REGISTRY" --retry-after 1 --random-faults hiccups-1 --mix 429:6

cfg=$TEST_TMP/night.yaml
images_yaml v1 "${NAMES[@]}" |
	config_write "$cfg" --registry "$PROXY" --platforms "linux/amd64, linux/arm64/v8" --default "referrers: skip"
st=$TEST_TMP/status.json

mf_expect 0 publish -c "$cfg" --status "$st" -j 4 -o json
assert_eq "$(jq -r '.summary.published' <<<"$MF_OUT")" "$N" "every target published"
for name in "${NAMES[@]}"; do
	assert_eq "$(list_verify "$name" v1 "${PLATFORMS[@]}")" ok "$name:v1 lists the seeded children"
done
n429=$(grep -c ' fault:429$' "$PROXY_LOG" || true)
[ "$n429" -ge 2 ] || fail "the proxy drew only $n429 429s (seed hiccups-1): the test would prove nothing"
reg() { jq -r --arg r "$PROXY" ".summary.registries[] | select(.registry == \$r) | $1" <<<"$MF_OUT"; }
assert_eq "$(reg .too_many_requests)" "$n429" "the run counts every 429 the proxy answered"
assert_eq "$(reg .budget_wait_seconds)" 0 "no worker waited for another's 429"
assert_eq "$(jq -r '.summary.retries.status' <<<"$MF_OUT")" "$n429" "each 429 retried once, by its own request"
