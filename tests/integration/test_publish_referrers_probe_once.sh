#!/usr/bin/env bash
# test_publish_referrers_probe_once.sh — whether a registry has a referrers
# API is asked once a run, however many workers need the answer at once:
# the first to ask is the probe and the others wait for its answer (single
# flight). A registry 2 × 150 ms away (a delay proxy in front of it) keeps
# the probe's 404 out long enough for every worker of a night of eight
# images to need it meanwhile; each image's children still have their
# referrers looked for (one tag listing per source repository).
source "$(dirname "$0")/lib.sh"

PLATFORMS=(linux/amd64 linux/arm64/v8)
N=8

registry_start
seed_night probe "$N" v1 "${PLATFORMS[@]}"
delayproxy_start --upstream "$REGISTRY" --delay-ms 150

cfg=$TEST_TMP/night.yaml
images_yaml v1 "${NAMES[@]}" |
	config_write "$cfg" --registry "$PROXY" --platforms "linux/amd64, linux/arm64/v8"
st=$TEST_TMP/status.json

m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st" -j 8
assert_eq "$(status_counts "$st")" "[$N,0,0,0]" "every image published"
assert_eq "$(log_count_since "$m" GET '^/v2/[^/]+/referrers/')" 1 "the referrers API asked once a run, by one of $N workers"
assert_eq "$(log_count_since "$m" GET '^/v2/probe-[0-9]+-(amd64|arm64)/tags/list')" $((N * 2)) "one tag listing per source repository"
