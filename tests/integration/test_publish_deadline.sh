#!/usr/bin/env bash
# test_publish_deadline.sh — --deadline on a slow registry: targets finished
# by then are recorded, no target starts after it, the rest are "not
# reached" (left out of the status file, or keeping their previous record),
# the summary says how many, and the run exits 4 soon after the deadline.
# A registry that accepts connections and never answers ends the run within
# its bound whatever the number of targets, with --deadline or without.
source "$(dirname "$0")/lib.sh"

registry_start
seed_names slow 8 v1 linux/amd64 linux/arm64
names=("${NAMES[@]}")
# Every manifest GET waits 800 ms: with -j 1 a target takes two seconds or
# so, nearly all of it waiting (referrers: skip, so no referrer tag lookups
# add to it): a loaded machine still finishes one before the 5 s deadline,
# and an idle one not all eight.
slowproxy_start --upstream "$REGISTRY" --delay 'GET /v2/.*/manifests/.*:800'
cfg=$TEST_TMP/slow.yaml
images_yaml v1 "${names[@]}" | config_write "$cfg" --registry "$PROXY" --platforms "linux/amd64, linux/arm64" --default "referrers: skip"

st=$TEST_TMP/status.json
mf_expect 4 publish -c "$cfg" --status "$st" -j 1 --deadline 5s

published=$(jq '[.targets[] | select(.state == "published")] | length' "$st")
recorded=$(jq '.targets | length' "$st")
[ "$published" -ge 1 ] || fail "no target published before the deadline"
[ "$published" -lt 8 ] || fail "every target published: the deadline did not stop the run"
assert_eq "$recorded" "$published" "only finished targets are recorded (none as failed)"
not_reached=$((8 - published))
assert_contains "$MF_OUT" "$published published, 0 unchanged, 0 incomplete, 0 failed, $not_reached not reached (stopped: deadline)" \
	"summary line"
assert_eq "$(status_counts "$st")" "[$published,0,0,0]" "last_run counts"
# What the registry holds is exactly what the file says.
for n in "${names[@]}"; do
	rec=$(jq -r --arg t "$PROXY/$n:v1" '.targets[] | select(.target == $t) | .digest' "$st")
	if have=$(skopeo_digest "$REGISTRY/$n:v1" 2>/dev/null); then
		assert_eq "$rec" "$have" "$n: the list the registry holds is recorded"
	else
		assert_eq "$rec" "" "$n: not reached, not recorded"
	fi
done

# JSON says the same
mf_expect 0 publish -c "$cfg" --status "$st" -j 4 -o json
assert_eq "$(jq -c '.summary | [.published, .not_reached, .stopped]' <<<"$MF_OUT")" "[$not_reached,0,null]" \
	"the next run publishes the rest"

# ---- a stalled registry, many targets --------------------------------------
registry_start --name behind
slowproxy_start --name stalled --upstream "$REGISTRY_BEHIND" --stall '.*'
many=$TEST_TMP/many.yaml
{
	echo "registries:"
	echo "  \"$PROXY_STALLED\": {timeout: 1s}"
	images_yaml v1 $(printf 't%d ' $(seq 1 200))
} | config_write "$many" --registry "$PROXY_STALLED" --platforms "linux/amd64, linux/arm64"
MANIFOLD_BACKOFF_MS=50 mf_expect 1 publish -c "$many" --status "$TEST_TMP/many.json"
# The host-down mark ends it: after three consecutive connection failures
# no new request is sent, so only what went out in the first timeout's
# second (about 120 here) reaches the stalled proxy, not one request per
# tag (600). A count, not a wall-clock bound.
stalled=$(proxy_count ' stall')
echo "requests that reached the stalled proxy: $stalled" >&2
[ "$stalled" -ge 3 ] && [ "$stalled" -le 300 ] || fail "$stalled requests reached the stalled registry, want 3 to 300 (of 600 tags)"
assert_eq "$(status_counts "$TEST_TMP/many.json")" "[0,0,0,200]" "every target failed"

# With a deadline shorter than one try, the run ends at the deadline and
# the previous records stay as they were.
prev=$TEST_TMP/prev.json
jq '.targets |= map(select(.target | test("/t1:v1$")) | .state = "published" | .digest = "sha256:'"$(printf '%064d' 7)"'")' \
	"$TEST_TMP/many.json" >"$prev"
before=$(jq -cS .targets "$prev")
sed -i 's/timeout: 1s/timeout: 20s/' "$many"
mf_expect 4 publish -c "$many" --status "$prev" --deadline 1s
# Ended by the deadline, not by the 20 s timeout: no target failed (a
# timed-out request would have failed its target).
assert_contains "$MF_OUT" "0 published, 0 unchanged, 0 incomplete, 0 failed, 200 not reached (stopped: deadline)" "summary"
assert_eq "$(jq -cS .targets "$prev")" "$before" "records not reached are kept as they were"

# check takes --deadline too
mf_expect 4 check -c "$many" --deadline 1s
assert_contains "$MF_OUT" "0 ready, 0 incomplete, 0 failed, 200 not reached (stopped: deadline)" "check summary"
