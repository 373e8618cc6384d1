#!/usr/bin/env bash
# test_publish_rate_limit_headers.sh — a registry that rate limits and says
# so in its answers: an unchanged night through a 40-requests-a-second
# fixed window, with no budget in the config, paces itself by the
# RateLimit headers (IETF draft form, then Docker Hub's "N;w=SECONDS"): at
# most 10 % of its requests are answered 429 (a night that does not pace
# itself sends its 120 HEADs at once, and all but 40 are refused; on a
# loaded machine a paced one sees a few, as answers arrive late), every target
# ends unchanged, and the summary counts the requests and 429s per
# registry. How close the night comes to requests ÷ rate is measured by
# scripts/bench-ratelimit, not here.
source "$(dirname "$0")/lib.sh"

N=40    # targets, 2 platforms each: an unchanged night is 3 × N HEADs
RATE=40 # the proxy's requests a second

registry_start
seed $(for i in $(seq "$N"); do echo "rl$i-amd64:v1"; done) --platform linux/amd64 --seed rl -j 8 >/dev/null
seed $(for i in $(seq "$N"); do echo "rl$i-arm64:v1"; done) --platform linux/arm64/v8 --seed rl -j 8 >/dev/null

# night MODE — night 1 unlimited, then the measured night at RATE a second
# through a proxy that sends MODE's headers.
night() {
	local mode=$1 limit_file=$TEST_TMP/limit-$1 cfg=$TEST_TMP/$1.yaml st=$TEST_TMP/$1.json
	echo 1000000 >"$limit_file"
	rateproxy_start --upstream "$REGISTRY" --name "$mode" --limit "$RATE" --headers "$mode" \
		--limit-file "$limit_file"
	config_write "$cfg" --registry "$PROXY" < <(images_yaml v1 $(for i in $(seq "$N"); do echo "rl$i"; done))
	MANIFOLD_NOW=2026-03-01T03:00:00Z mf_expect 0 publish -c "$cfg" --status "$st"
	# The first proxy's night 1 publishes; the next finds the lists in place.
	assert_eq "$(jq -c '.last_run | [.published + .unchanged, .incomplete, .failed]' "$st")" \
		"[$N,0,0]" "$mode: night 1 puts every target in place"

	echo "$RATE" >"$limit_file" # a new limit starts a new window
	local before
	before=$(wc -l <"$PROXY_LOG")
	MANIFOLD_NOW=2026-03-02T03:00:00Z mf_expect 0 publish -c "$cfg" --status "$st" -o json
	local sent n429
	sent=$(tail -n +"$((before + 1))" "$PROXY_LOG" | wc -l)
	n429=$(tail -n +"$((before + 1))" "$PROXY_LOG" | grep -c ' 429 limited$' || true)
	echo "$mode: $sent requests, $n429 answered 429" >&2

	assert_eq "$(jq -r .summary.unchanged <<<"$MF_OUT")" "$N" "$mode: every target unchanged"
	assert_eq "$(jq -r .summary.failed <<<"$MF_OUT")" 0 "$mode: no target failed"
	[ "$sent" -ge $((3 * N)) ] || fail "$mode: $sent requests, want at least $((3 * N))"
	[ $((n429 * 10)) -le "$sent" ] || fail "$mode: $n429 of $sent requests answered 429 (more than 10 %)"
	# How close the night comes to requests ÷ rate is a speed figure:
	# scripts/bench-ratelimit measures it. Here the pacing shows as counts:
	# few 429s (above) and the waits the summary reports.
	assert_eq "$(jq -r --arg r "$PROXY" '.summary.registries[] | select(.registry == $r) | .budget_wait_seconds > 0' <<<"$MF_OUT")" \
		true "$mode: the summary says the announced window was waited for"
	assert_eq "$(jq -r --arg r "$PROXY" '.summary.registries[] | select(.registry == $r) | .requests' <<<"$MF_OUT")" \
		"$sent" "$mode: the summary counts the requests sent"
	assert_eq "$(jq -r --arg r "$PROXY" '.summary.registries[] | select(.registry == $r) | .too_many_requests' <<<"$MF_OUT")" \
		"$n429" "$mode: the summary counts the 429s"
}

night ietf
night dockerhub
