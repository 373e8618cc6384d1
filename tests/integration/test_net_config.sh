#!/usr/bin/env bash
# test_net_config.sh — the per-registry timeout, low-speed-limit,
# low-speed-time and retries keys: bad values are config errors naming
# file:line:column and the key (exit 2, nothing sent); good ones are taken.
source "$(dirname "$0")/lib.sh"

registry_start
seed "app-amd64:v1" --platform linux/amd64 --seed net-config >/dev/null
cfg=$TEST_TMP/release.yaml

# write_cfg 'REGISTRY SETTINGS' — a one-image config with those settings.
write_cfg() {
	cat >"$cfg" <<YAML
defaults: {registry: "$REGISTRY", platforms: [linux/amd64]}
registries:
  "$REGISTRY": {$1}
images:
  - {name: app, tags: [v1]}
YAML
}

# bad 'SETTINGS' COLUMN KEY 'REASON'
bad() {
	write_cfg "$1"
	local m
	m=$(log_mark)
	mf_expect 2 check -c "$cfg"
	assert_eq "$MF_ERR" "manifold check: $cfg:3:$2: registries.\"$REGISTRY\".$3: $4" "$1"
	assert_eq "$(log_count_since "$m" '.*')" 0 "requests sent with a bad config ($1)"
}

col=$((${#REGISTRY} + 8)) # the column of the first key inside {…}
bad 'timeout: 30' $((col + 9)) timeout 'expected a duration from 1ms to 24h, like "30s" or "2m", got "30"'
bad 'timeout: 0s' $((col + 9)) timeout 'expected a duration from 1ms to 24h, like "30s" or "2m", got "0s"'
bad 'timeout: 1.5s' $((col + 9)) timeout 'expected a duration from 1ms to 24h, like "30s" or "2m", got "1.5s"'
bad 'timeout: 25h' $((col + 9)) timeout 'expected a duration from 1ms to 24h, like "30s" or "2m", got "25h"'
bad 'low-speed-time: [1s]' $((col + 16)) low-speed-time 'expected a duration from 1ms to 24h, like "30s" or "2m", got a list'
bad 'low-speed-limit: 0' $((col + 17)) low-speed-limit 'expected a number of bytes per second of at least 1, got "0"'
bad 'low-speed-limit: 10k' $((col + 17)) low-speed-limit 'expected a number of bytes per second of at least 1, got "10k"'
bad 'retries: -1' $((col + 9)) retries 'expected an integer from 0 to 100, got "-1"'
bad 'retries: 101' $((col + 9)) retries 'expected an integer from 0 to 100, got "101"'

write_cfg 'timeout: 2m, low-speed-limit: 2048, low-speed-time: 500ms, retries: 0'
mf_expect 0 check -c "$cfg"
assert_contains "$MF_OUT" "$REGISTRY/app:v1" "check ran with the settings"
