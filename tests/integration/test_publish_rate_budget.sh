#!/usr/bin/env bash
# test_publish_rate_budget.sh — budgets from the config, against a registry
# that limits without saying so (no rate-limit headers): `--estimate` sends
# no request and predicts what the next unchanged night sends; a
# `rate-limit` below the registry's limit gets no 429 at all; a budget that
# cannot free up before `--deadline` is warned about before the first
# request and records the targets as rate limited at once.
source "$(dirname "$0")/lib.sh"

N=40    # targets, 2 platforms each
RATE=40 # the proxy's requests a second

registry_start
seed $(for i in $(seq "$N"); do echo "rb$i-amd64:v1"; done) --platform linux/amd64 --seed rb -j 8 >/dev/null
seed $(for i in $(seq "$N"); do echo "rb$i-arm64:v1"; done) --platform linux/arm64/v8 --seed rb -j 8 >/dev/null
limit_file=$TEST_TMP/limit
echo 1000000 >"$limit_file"
rateproxy_start --upstream "$REGISTRY" --limit "$RATE" --headers none --limit-file "$limit_file"

images=$(images_yaml v1 $(for i in $(seq "$N"); do echo "rb$i"; done))
# config FILE BUDGET — the night's config, with BUDGET for the proxy (or none).
config() {
	local budget=""
	if [ -n "$2" ]; then
		printf -v budget 'registries:\n  "%s": {rate-limit: %s}\n' "$PROXY" "$2"
	fi
	config_write "$1" --registry "$PROXY" <<<"$budget$images"
}
st=$TEST_TMP/status.json
config "$TEST_TMP/night1.yaml" ""
MANIFOLD_NOW=2026-03-01T03:00:00Z mf_expect 0 publish -c "$TEST_TMP/night1.yaml" --status "$st"
assert_eq "$(status_counts "$st")" "[$N,0,0,0]" "night 1 publishes every target"
cp "$st" "$TEST_TMP/night1.json"
echo "$RATE" >"$limit_file"

# ---- --estimate: no request, and what the next night sends ------------------------
cfg=$TEST_TMP/budget.yaml
config "$cfg" 30/s
m=$(log_mark)
proxy_before=$(wc -l <"$PROXY_LOG")
mf_expect 0 publish -c "$cfg" --status "$st" --estimate -o json
assert_eq "$(log_count_since "$m" '[A-Z]+')" 0 "--estimate sends no request"
assert_eq "$(wc -l <"$PROXY_LOG")" "$proxy_before" "--estimate sends no request (proxy)"
assert_eq "$(cmp -s "$st" "$TEST_TMP/night1.json" && echo same)" same "--estimate writes no status file"
est() { jq -r --arg r "$PROXY" ".registries[] | select(.registry == \$r) | $1" <<<"$MF_OUT"; }
unchanged=$(est .unchanged_requests)
assert_eq "$unchanged" $((3 * N)) "unchanged_requests: platforms + 1 HEADs a target"
# 30/s paces at 28/s over a night (its burst of 2 is left out of each window)
assert_eq "$(est '.seconds_at_budget * 1000 | round')" 4286 "an unchanged night at 30/s takes 120/28 s"
assert_eq "$(est .max_by_method.head)" $((3 * N)) "the most a night sends: platforms + 1 HEADs a target"
assert_eq "$(est .max_by_method.get)" $((6 * N + 1)) "the most: a child and a config GET a platform, a tag listing of its source repository, and the referrers API once"
assert_eq "$(est .max_by_method.put)" $((3 * N)) "the most: a PUT a child and one for the list"
assert_eq "$(est .budget)" "rate-limit 30/s" "the budget named"
assert_eq "$(jq -r .blobs_per_child_guessed <<<"$MF_OUT")" false "child sizes come from the status file"
mf_expect 0 publish -c "$cfg" --status "$st" --estimate
assert_contains "$MF_OUT" "$PROXY" "the text estimate names the registry"
assert_contains "$MF_OUT" "at most $((3 * N)) HEAD, $((6 * N + 1)) GET" "the text estimate gives the most by method"
# The run's peak memory, and the shards a memory limit calls for (the
# figures of publish.md, "What a night costs": 15 MiB; 16 bytes a target
# and 75 an image of the config; 750 bytes an image the run holds and 40
# a tag of it (its platforms are the defaults', shared); 500 bytes and
# 170 a platform for each target run).
peak=$((15 * 1024 * 1024 + N * 16 + N * 75 + N * (750 + 40) + N * (500 + 2 * 170)))
assert_contains "$MF_OUT" "memory: about $(((peak + 512 * 1024) / 1024 / 1024)) MiB at peak" "the text estimate gives the peak memory"
assert_contains "$MF_OUT" "for the config of $N targets" "the text estimate counts the config's targets"
assert_contains "$MF_OUT" "for the $N targets this run works on" "the text estimate counts the run's targets"
mf_expect 0 publish -c "$cfg" --status "$st" --estimate --memory-limit 1GiB -o json
assert_eq "$(jq -c '.memory | [.peak_bytes, .limit_bytes, .limit_from, .shards]' <<<"$MF_OUT")" \
	"[$peak,1073741824,\"--memory-limit\",1]" "peak memory and one shard under 1 GiB"
mf_expect 0 publish -c "$cfg" --status "$st" --estimate --memory-limit 15M
assert_contains "$MF_OUT" "no shard count fits, the config alone takes 15 MiB" "a limit under the config's own size"
mf_expect 2 publish -c "$cfg" --status "$st" --estimate --memory-limit lots
assert_contains "$MF_ERR" 'manifold publish: --memory-limit "lots": want a size (512M, 2G, 1.5GiB, bytes)' "a bad size is a usage error"
mf_expect 2 publish -c "$cfg" --status "$st" --memory-limit 1G
assert_contains "$MF_ERR" "manifold publish: --memory-limit goes with --estimate" "--memory-limit alone is a usage error"

# ---- a configured budget below the registry's limit: no 429 ----------------------
m=$(log_mark)
proxy_before=$(wc -l <"$PROXY_LOG")
MANIFOLD_NOW=2026-03-02T03:00:00Z mf_expect 0 publish -c "$cfg" --status "$st" -o json
sent=$(log_count_since "$m" '[A-Z]+')
assert_eq "$sent" "$unchanged" "the night sends what --estimate said"
assert_eq "$(tail -n +"$((proxy_before + 1))" "$PROXY_LOG" | grep -c ' 429 limited$' || true)" 0 \
	"rate-limit 30/s under a 40/s registry: no 429"
assert_eq "$(jq -r .summary.unchanged <<<"$MF_OUT")" "$N" "every target unchanged"
sum() { jq -r --arg r "$PROXY" ".summary.registries[] | select(.registry == \$r) | $1" <<<"$MF_OUT"; }
assert_eq "$(sum .requests)" "$sent" "the summary counts the requests"
assert_eq "$(sum .too_many_requests)" 0 "the summary counts no 429"
assert_eq "$(sum '.budget_wait_seconds > 0')" true "the summary says the budget was waited for"

# ---- a budget that cannot free up before the deadline --------------------------
config "$TEST_TMP/slow.yaml" 2/min
cp "$TEST_TMP/night1.json" "$TEST_TMP/slow.json"
cp "$TEST_TMP/night1.json" "$TEST_TMP/slow-json.json"
MANIFOLD_NOW=2026-03-03T03:00:00Z mf_expect 1 publish -c "$TEST_TMP/slow.yaml" --status "$TEST_TMP/slow-json.json" --deadline 10s -o json
# Recorded at once, not waited for: the run's own account of its budget
# waits (not a wall clock, which a loaded machine stretches).
assert_eq "$(jq -r --arg r "$PROXY" '.summary.registries[] | select(.registry == $r) | .budget_wait_seconds < 1' <<<"$MF_OUT")" \
	true "rate-limited targets were recorded at once, not waited for"
MANIFOLD_NOW=2026-03-03T03:00:00Z mf_expect 1 publish -c "$TEST_TMP/slow.yaml" --status "$TEST_TMP/slow.json" --deadline 10s
# 2/min paces at 1/min over a night: its burst of 1 is left out of each minute
assert_contains "$MF_ERR" "$PROXY: a night where nothing changed is $((3 * N)) requests, 7200 s at its budget (rate-limit 2/min), longer than --deadline (10 s)" \
	"the deadline warning comes before the first request"
assert_eq "$(status_counts "$TEST_TMP/slow.json")" "[0,0,0,$N]" "every target failed"
reasons=$(jq -r '.targets[].reason' "$TEST_TMP/slow.json" | sed -E 's/until [0-9TZ:-]+$/until TIME/' | sort -u)
assert_eq "$reasons" "rate limited by $PROXY until TIME" "the reason says rate limited, by whom and until when"
assert_contains "$MF_OUT" "$PROXY: " "the text summary has a line for the registry"
assert_contains "$MF_OUT" "rate limited until " "the text summary says it was rate limited"
