#!/usr/bin/env bash
# test_log_json_retry_fields.sh — with --log-format json a retried request
# is an event of its own: "event": "retry" with the target the worker was
# on (publish and check: the target; retag: the destination), the registry
# (host:port), the request's reference and operation, the HTTP status and
# the registry's error code of the answer retried, the attempt, the retries
# allowed and the wait; every stderr line is one JSON object. A HEAD's
# answer has no body, so no error code. Without the flag the warning line
# reads as before. All through faultproxy.py.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 linux/arm64/v8 --seed logretry-app
seed_arches txt v1 linux/amd64 linux/arm64/v8 --seed logretry-txt
seed_arches chk v1 linux/amd64 linux/arm64/v8 --seed logretry-chk
faultproxy_start --upstream "$REGISTRY" --retry-after 1 \
	--fail 'HEAD /v2/app/manifests/v1:503:2' \
	--fail 'PUT /v2/app/manifests/v1:429:1' \
	--fail 'HEAD /v2/promoted/manifests/v1:503:1' \
	--fail 'HEAD /v2/txt-amd64/manifests/v1:503:1' \
	--fail 'HEAD /v2/chk-arm64/manifests/v1:503:1'

cfg=$TEST_TMP/night.yaml
config_write "$cfg" --registry "$PROXY" --default "referrers: skip" <<EOF
images:
  - {name: app, tags: [v1]}
EOF

# json_lines NAME — every line of $MF_ERR is a JSON object with schema 1.
json_lines() {
	python3 -c '
import json, sys
for n, line in enumerate(sys.stdin.read().splitlines(), 1):
    try:
        doc = json.loads(line)
    except ValueError as e:
        sys.exit("line %d is not JSON (%s): %s" % (n, e, line))
    if not isinstance(doc, dict) or doc.get("schema") != 1:
        sys.exit("line %d is not an object with schema 1: %s" % (n, line))
' <<<"$MF_ERR" || fail "$1: stderr is not JSON lines"
}

# retries JQ — the retry events' JQ (compact), one a line, in a stable order.
retries() {
	jq -c "select(.event == \"retry\") | $1" <<<"$MF_ERR" | sort
}

# ---- publish: two 503s on its tag's HEAD (asked first), a 429 on the list PUT ------------------
mf_expect 0 publish -c "$cfg" --status "$TEST_TMP/status.json" --log-format json
json_lines publish
assert_eq "$(proxy_count '^HEAD /v2/app/manifests/v1 503 fault$')" 2 "both 503s were answered"
assert_eq "$(proxy_count '^PUT /v2/app/manifests/v1 429 fault$')" 1 "the 429 was answered"
assert_eq "$(retries '.level' | sort -u)" '"warning"' "retries are warnings"
assert_eq "$(retries '.command' | sort -u)" '"publish"' "retries name the command"
assert_eq "$(retries '[.target, .registry, .ref, .op, .http_status, .error_code, .attempt, .max_retries, .delay_ms]')" \
	"[\"$PROXY/app:v1\",\"$PROXY\",\"$PROXY/app:v1\",\"HEAD manifest\",503,null,1,4,1000]
[\"$PROXY/app:v1\",\"$PROXY\",\"$PROXY/app:v1\",\"HEAD manifest\",503,null,2,4,1000]
[\"$PROXY/app:v1\",\"$PROXY\",\"$PROXY/app:v1\",\"PUT manifest\",429,\"TOOMANYREQUESTS\",1,4,1000]" \
	"the answered retries: target, registry, reference, status, code, attempt, wait"
assert_eq "$(retries 'has("error_code")' | sort | uniq -c | awk '{ print $1, $2 }')" "2 false
1 true" "only the PUT's answer (with a body) has an error code"
assert_eq "$(retries '.msg' | head -n 1)" \
	"\"$PROXY/app:v1: HEAD manifest: HTTP 503; retry 1/4 in 1000 ms\"" "a retry's msg is the text line"
assert_eq "$(jq -r 'select(.state == "published") | .target' <<<"$MF_ERR")" "$PROXY/app:v1" "the target was published"

# ---- retag: a retry names the destination it was copying to ---------------------
mf_expect 0 retag --log-format json "$PROXY/app-amd64:v1" "$PROXY/promoted:v1"
json_lines retag
assert_eq "$(retries '[.command, .target, .registry, .ref, .op, .http_status, .attempt]')" \
	"[\"retag\",\"$PROXY/promoted:v1\",\"$PROXY\",\"$PROXY/promoted:v1\",\"HEAD manifest\",503,1]" \
	"retag's retry names the destination"

# ---- check: the HEADs' retries name their target ---------------------------------
chk=$TEST_TMP/check.yaml
config_write "$chk" --registry "$PROXY" <<EOF
images:
  - {name: chk, tags: [v1]}
EOF
mf_expect 0 check -c "$chk" --log-format json
json_lines check
assert_eq "$(retries '[.command, .target, .ref, .http_status, .attempt]')" \
	"[\"check\",\"$PROXY/chk:v1\",\"$PROXY/chk-arm64:v1\",503,1]" "check's retry names its target"

# ---- text: the warning line as before --------------------------------------------
mf_expect 0 retag "$PROXY/txt-amd64:v1" "$PROXY/txt-copy:v1"
assert_eq "$(grep warning <<<"$MF_ERR")" \
	"manifold: warning: $PROXY/txt-amd64:v1: HEAD manifest: HTTP 503; retry 1/4 in 1000 ms" "the text warning"
assert_not_contains "$MF_ERR" '{' "text logs have no JSON"
