#!/usr/bin/env bash
# test_cli_duration_grammar.sh — the command line and the config read one
# duration grammar (a whole number and ms, s, m, h or d): `timeout: 1d` and
# `--deadline 500ms` are taken, and a refusal reads the same on both sides
# ("expected a duration from MIN to MAX, like ...", exit 2, nothing sent).
source "$(dirname "$0")/lib.sh"

registry_start
seed "app-amd64:v1" --platform linux/amd64 --seed duration-grammar >/dev/null
cfg=$TEST_TMP/release.yaml

write_cfg() {
	cat >"$cfg" <<YAML
defaults: {registry: "$REGISTRY", platforms: [linux/amd64]}
registries:
  "$REGISTRY": {$1}
images:
  - {name: app, tags: [v1]}
YAML
}

# The config: a day in days is a day; more is refused at its place.
col=$((${#REGISTRY} + 8))
write_cfg 'timeout: 2d'
m=$(log_mark)
mf_expect 2 check -c "$cfg"
assert_eq "$MF_ERR" "manifold check: $cfg:3:$((col + 9)): registries.\"$REGISTRY\".timeout: expected a duration from 1ms to 24h, like \"30s\" or \"2m\", got \"2d\"" "2d refused"
assert_eq "$(log_count_since "$m" '.*')" 0 "requests sent with a bad config"

write_cfg 'timeout: 1d, low-speed-time: 1d'
mf_expect 0 check -c "$cfg"
assert_contains "$MF_OUT" "$REGISTRY/app:v1" "check ran with timeout: 1d"

# The command line: milliseconds and days are taken ...
mf_expect 0 check -c "$cfg" --deadline 500ms
assert_contains "$MF_OUT" "$REGISTRY/app:v1" "check ran with --deadline 500ms"
mf_expect 0 check -c "$cfg" --deadline 1d
assert_contains "$MF_OUT" "$REGISTRY/app:v1" "check ran with --deadline 1d"

# ... and a refusal is worded as the config's, before any request.
m=$(log_mark)
mf_expect 2 check -c "$cfg" --deadline 90
assert_eq "$MF_ERR" 'manifold check: --deadline: expected a duration from 1ms to 7d, like "30s" or "2m", got "90"' "--deadline 90"
mf_expect 2 check -c "$cfg" --deadline 8d
assert_eq "$MF_ERR" 'manifold check: --deadline: expected a duration from 1ms to 7d, like "30s" or "2m", got "8d"' "--deadline 8d"
mf_expect 2 publish -c "$cfg" --grace 0s
assert_eq "$MF_ERR" 'manifold publish: --grace: expected a duration from 1ms to 7d, like "30s" or "2m", got "0s"' "--grace 0s"
assert_eq "$(log_count_since "$m" '.*')" 0 "requests sent with a bad duration"

echo '{"schema": 1, "targets": []}' >"$TEST_TMP/status.json"
mf_expect 2 status --check --max-incomplete-age 1w "$TEST_TMP/status.json"
assert_eq "$MF_ERR" 'manifold status: --max-incomplete-age: expected a duration from 0s to 36500d, like "30s" or "2m", got "1w"' "--max-incomplete-age 1w"
mf_expect 0 status --check --max-incomplete-age 36h "$TEST_TMP/status.json"
