#!/usr/bin/env bash
# test_log_json_every_line.sh — with --log-format json every stderr line of
# every command is one JSON object with level, msg, command and schema 1,
# failures included: an unknown option (before and after --log-format is
# seen), a missing value, a bad --deadline, a bad -o, no command, no
# subcommand, inspect of a missing tag, publish with a failed target and
# status --check of its status file (one error line per FAILED target);
# publish's progress events (done, total, rate, eta), check's counting its
# HEAD requests as requests, and, on a terminal, the live progress line;
# SIGTERM's "stopping" line.
# Usage errors still exit 2 and keep their text form without the flag.
source "$(dirname "$0")/lib.sh"

registry_start
faultproxy_start --upstream "$REGISTRY" --fail 'PUT /v2/bad/manifests/v1:403:*'
seed_three_states
cfg=$TEST_TMP/night.yaml
config_three_states "$cfg" --registry "$PROXY"
st=$TEST_TMP/status.json

# json_lines NAME [COMMAND] — every line of $MF_ERR (at least one) is a JSON
# object with string level, msg and command (COMMAND when given), schema 1.
json_lines() {
	[ -n "$MF_ERR" ] || fail "$1: nothing on stderr"
	python3 -c '
import json, sys
name, want = sys.argv[1], sys.argv[2]
for n, line in enumerate(sys.stdin.read().splitlines(), 1):
    try:
        doc = json.loads(line)
    except ValueError as e:
        sys.exit("%s line %d is not JSON (%s): %s" % (name, n, e, line))
    if not isinstance(doc, dict):
        sys.exit("%s line %d is not an object: %s" % (name, n, line))
    for k in ("level", "msg", "command"):
        if not isinstance(doc.get(k), str):
            sys.exit("%s line %d has no string %s: %s" % (name, n, k, line))
    if doc.get("schema") != 1:
        sys.exit("%s line %d has no schema 1: %s" % (name, n, line))
    if want != "-" and doc["command"] != want:
        sys.exit("%s line %d names command %r, not %r" % (name, n, doc["command"], want))
' "$1" "${2:--}" <<<"$MF_ERR" || fail "$1: stderr is not JSON lines"
}

# error_msg — the msg of the only line on stderr, an error.
error_msg() {
	assert_eq "$(wc -l <<<"$MF_ERR")" 1 "one line on stderr"
	assert_eq "$(jq -r .level <<<"$MF_ERR")" error "its level"
	jq -r .msg <<<"$MF_ERR"
}

# ---- usage errors: exit 2, one JSON line --------------------------------------
mf_expect 2 --log-format json publish --bogus -c "$cfg"
json_lines "unknown option" publish
assert_eq "$(error_msg)" "unknown option \"--bogus\"; see 'manifold publish --help'" "unknown option"

# found before --log-format is read: still JSON
mf_expect 2 publish --bogus -c "$cfg" --log-format=json
json_lines "unknown option before --log-format" publish
mf_expect 2 --bogus --log-format json publish
json_lines "unknown global option" ""
assert_eq "$(error_msg)" "unknown option \"--bogus\"; see 'manifold --help'" "unknown global option"

mf_expect 2 publish -c "$cfg" --log-format json --jobs
json_lines "missing value" publish
assert_eq "$(error_msg)" "--jobs needs a value (N)" "missing value"

mf_expect 2 publish -c "$cfg" --log-format json --deadline 5x
json_lines "bad --deadline" publish
assert_contains "$(error_msg)" '--deadline: expected ' "bad --deadline"
assert_contains "$(error_msg)" 'got "5x"' "bad --deadline names the value"

mf_expect 2 status "$st" -o report.html --log-format json
json_lines "bad -o" status
assert_eq "$(error_msg)" '-o "report.html": want table, json, markdown or html (a file is --output-file report.html)' "bad -o"

mf_expect 2 --log-format json
json_lines "no command" ""
mf_expect 2 --log-format json nocommand
json_lines "not a command" ""
assert_eq "$(error_msg)" "\"nocommand\" is not a command; see 'manifold --help'" "not a command"
mf_expect 2 --log-format json push
json_lines "no subcommand" push
mf_expect 2 --log-format json push nosub
json_lines "not a subcommand" push
mf_expect 2 retag --log-format json
json_lines "retag with nothing to copy" retag

# ---- command errors ------------------------------------------------------------
mf_expect 1 inspect --log-format json "$REGISTRY/absent:v1"
json_lines "inspect of a missing tag" inspect
assert_contains "$(error_msg)" "$REGISTRY/absent:v1" "inspect names the reference"

mf_expect 1 publish -c "$cfg" --status "$st" --log-format json
json_lines "publish with a failed target" publish
assert_eq "$(jq -r 'select(.state == "failed") | .target' <<<"$MF_ERR")" "$PROXY/bad:v1" \
	"the failed target's event"

# progress: events with done, total, rate, eta; the last one when all are done
progress=$(jq -c 'select(.event == "progress") | [.phase, .done, .total]' <<<"$MF_ERR")
assert_eq "$(tail -n 1 <<<"$progress")" '["publishing",3,3]' "the last progress event"
# check's first phase counts its HEAD requests (3 targets × 2 platforms), and says so
mf check -c "$cfg" --log-format json
assert_contains "$(jq -r 'select(.event == "progress" and .phase == "checking") | .msg' <<<"$MF_ERR" | tail -n 1)" \
	"checking: 6/6 requests, " "check's progress counts requests"
assert_eq "$(jq -r 'select(.event == "progress") | [.done, .total, .rate, .eta] | map(type) | join(",")' <<<"$MF_ERR" | sort -u)" \
	"number,number,number,number" "progress fields are numbers"
assert_eq "$(jq -r 'select(.event == "progress") | .done' <<<"$MF_ERR" | sort -n -c && echo sorted)" sorted \
	"progress counts up"

mf_expect 1 status "$st" --check --log-format json
json_lines "status --check" status
assert_eq "$(jq -r 'select(.level == "error") | .msg' <<<"$MF_ERR" | cut -d: -f1-2)" \
	"FAILED $PROXY/bad" "status --check: one error line for the failed target"

# ---- text without the flag ------------------------------------------------------
# on a terminal: a live progress line, rewritten with \r and cleared at the end
tty_log=$TEST_TMP/tty.log
script -qec "'$MANIFOLD' check -c '$cfg'" "$tty_log" >/dev/null 2>&1 || true
assert_contains "$(tr '\r' '\n' <"$tty_log")" "checking 6/6  " "the terminal's progress line"
assert_contains "$(tr '\r' '\n' <"$tty_log")" "/s  eta 0 s" "its rate and eta, the last redraw"
assert_contains "$(cat -v "$tty_log")" '^M^[[K' "the line is rewritten in place"
mf_expect 2 publish --bogus -c "$cfg"
assert_eq "$MF_ERR" "manifold publish: unknown option \"--bogus\"; see 'manifold publish --help'" \
	"text usage error"
mf_expect 1 status "$st" --check
assert_contains "$MF_ERR" "FAILED $PROXY/bad:v1: " "text --check line"
assert_not_contains "$MF_ERR" '{' "text --check has no JSON"

# ---- SIGTERM mid-run: the stopping line is JSON too (last: the proxy is new) ------
seed_names sig 4 v1 linux/amd64
slowproxy_start --name slow --upstream "$REGISTRY" --delay 'GET /v2/.*/manifests/.*:300'
sigcfg=$TEST_TMP/sig.yaml
images_yaml v1 "${NAMES[@]}" | config_write "$sigcfg" --registry "$PROXY_SLOW" --platforms "linux/amd64"
start_mf term publish -c "$sigcfg" -j 1 --log-format json
wait_for "a first list PUT" 400 grep -qE '"PUT /v2/sig[0-9]/manifests/v1 ' "$REGISTRY_LOG"
kill -TERM "$MF_PID"
finish_mf term
assert_eq "$MF_RC" 143 "exit after SIGTERM"
json_lines "publish stopped by SIGTERM" publish
assert_eq "$(jq -c 'select(.event == "stopping") | [.level, .signal]' <<<"$MF_ERR")" '["warning","SIGTERM"]' \
	"the stopping line"
