#!/usr/bin/env bash
# test_publish_log_json.sh — --log-format json over a night with a
# published, an incomplete and a failed target (a 403 on its list PUT):
# every line of stdout and stderr is one JSON object (python3 json), stdout
# is empty without -o, each target's event carries exactly its fields and
# its level (published info, incomplete warning, failed error with
# http_status and error_code), and the run ends with one summary event
# whose request count is what the registry saw. -o json still prints the
# result document (on one line); text logs keep their form.
source "$(dirname "$0")/lib.sh"

registry_start
faultproxy_start --upstream "$REGISTRY" --fail 'PUT /v2/bad/manifests/v1:403:*'
seed_three_states
cfg=$TEST_TMP/night.yaml
config_three_states "$cfg" --registry "$PROXY"
st=$TEST_TMP/status.json

# every_line_json NAME TEXT — each line of TEXT parses as one JSON object.
every_line_json() {
	python3 -c '
import json, sys
for n, line in enumerate(sys.stdin.read().splitlines(), 1):
    try:
        doc = json.loads(line)
    except ValueError as e:
        sys.exit("%s line %d is not JSON (%s): %s" % (sys.argv[1], n, e, line))
    if not isinstance(doc, dict):
        sys.exit("%s line %d is not an object: %s" % (sys.argv[1], n, line))
' "$1" <<<"$2" || fail "$1: not JSON lines"
}

# event TARGET — the target's event, without its time and the fields every
# line has (schema, command; asserted once below) (jq -c, keys sorted).
event() {
	jq -cS --arg t "$1" 'select(.target == $t) | del(.time, .schema, .command)' <<<"$MF_ERR"
}

mf_expect 1 publish -c "$cfg" --status "$st" --log-format json
every_line_json stderr "$MF_ERR"
assert_eq "$MF_OUT" "" "no table on stdout with --log-format json and no -o"
assert_eq "$(jq -c '[.schema, .command]' <<<"$MF_ERR" | sort -u)" '[1,"publish"]' \
	"every line names the schema's version and the command"
digest=$(skopeo_digest "$REGISTRY/app:v1")
reason_bad="$PROXY/bad:v1: PUT manifest: 403 DENIED (requested access to the resource is denied)"

assert_eq "$(event "$PROXY/app:v1")" "$(jq -cnS --arg p "$PROXY" --arg d "$digest" '{
	level: "info", msg: "published \($p)/app:v1 \($d)", target: "\($p)/app:v1",
	state: "published", digest: $d, registry: $p}')" "the published target's event"
assert_eq "$(event "$PROXY/half:v1")" "$(jq -cnS --arg p "$PROXY" '{
	level: "warning", msg: "\($p)/half:v1: incomplete: missing linux/arm64/v8",
	target: "\($p)/half:v1", state: "incomplete", reason: "missing linux/arm64/v8",
	registry: $p, platform: "linux/arm64/v8"}')" "the incomplete target's event"
assert_eq "$(event "$PROXY/bad:v1")" "$(jq -cnS --arg p "$PROXY" --arg r "$reason_bad" '{
	level: "error", msg: "\($p)/bad:v1: failed: \($r)", target: "\($p)/bad:v1",
	state: "failed", reason: $r, registry: $p, http_status: 403, error_code: "DENIED"}')" \
	"the failed target's event"

summary=$(tail -n 1 <<<"$MF_ERR")
requests=$(jq .requests <<<"$summary")
wait_for "the proxy's log of $requests requests" 40 test "$(wc -l <"$PROXY_LOG")" -ge "$requests"
assert_eq "$(jq -cS 'del(.time, .duration_ms, .msg, .schema)' <<<"$summary")" "$(jq -cnS --argjson n "$(wc -l <"$PROXY_LOG")" '{
	level: "info", event: "summary", command: "publish", published: 1, unchanged: 0, held: 0,
	incomplete: 1, failed: 1, not_reached: 0, requests: $n, retries: 0, copied_bytes: 0}')" \
	"the summary event, last"
[ "$(jq .duration_ms <<<"$summary")" -ge 0 ] || fail "summary has no duration_ms"
assert_contains "$(jq -r .msg <<<"$summary")" "publish: 1 published, 0 unchanged, 1 incomplete, 1 failed in " \
	"the summary's text"
assert_eq "$(jq -c 'select(.event == "summary")' <<<"$MF_ERR" | wc -l)" 1 "one summary event"
assert_eq "$(jq -r 'select(.target) | .level' <<<"$MF_ERR" | sort | tr '\n' ' ')" "error info warning " \
	"one event per target"

# -o json: the result document, on one line; -o text: the table, asked for.
mf_expect 1 publish -c "$cfg" --log-format json -o json
every_line_json stdout "$MF_OUT"
every_line_json stderr "$MF_ERR"
assert_eq "$(wc -l <<<"$MF_OUT")" 1 "-o json is one line with JSON logs"
assert_eq "$(jq -c '[.schema, (.summary | {published, unchanged, incomplete, failed})]' <<<"$MF_OUT")" \
	'[1,{"published":0,"unchanged":1,"incomplete":1,"failed":1}]' "-o json document"
assert_eq "$(jq -c 'select(.level == "debug")' <<<"$MF_ERR")" "" "no debug events without -v"
mf_expect 1 -v publish -c "$cfg" --log-format json
every_line_json stderr "$MF_ERR"
assert_eq "$(jq -r --arg t "$PROXY/app:v1" 'select(.target == $t) | "\(.level) \(.state)"' <<<"$MF_ERR")" \
	"debug unchanged" "-v: the unchanged target is a debug event"
mf_expect 1 publish -c "$cfg" --log-format json -o text
assert_contains "$MF_OUT" "0 published, 1 unchanged, 1 incomplete, 1 failed" "-o text prints the table"

# A command error is a JSON line too.
mf_expect 2 publish -c "$TEST_TMP/absent.yaml" --log-format json
every_line_json stderr "$MF_ERR"
assert_eq "$(jq -r '"\(.level) \(.command)"' <<<"$MF_ERR")" "error publish" "a config error as JSON"
assert_contains "$(jq -r .msg <<<"$MF_ERR")" "$TEST_TMP/absent.yaml" "it names the file"

# Text logs keep their form.
mf_expect 1 publish -c "$cfg"
assert_contains "$MF_ERR" "manifold: warning: $PROXY/half:v1: incomplete: missing linux/arm64/v8" "text: incomplete"
assert_contains "$MF_ERR" "manifold: error: $PROXY/bad:v1: failed: $reason_bad" "text: failed"
assert_not_contains "$MF_ERR" '{' "text logs have no JSON"
assert_not_contains "$MF_ERR" "event" "no summary line in text logs without -v"
