#!/usr/bin/env bash
# test_output_escapes_registry_text.sh — registry text is data, never
# control: a registry whose error message carries terminal controls (a
# colour, a window title, a screen clear) and HTML refuses one list PUT.
# publish's table and log lines (text and --log-format json) and manifold
# status (table, -o markdown) show the text with no ESC or BEL byte; the
# JSON log lines parse and carry the controls escaped; the Markdown has the
# HTML as entities, never a literal <script or <img.
source "$(dirname "$0")/lib.sh"

HOSTILE='\x1b[31mRED\x1b]0;pwned\x07\x1b[2J<script>alert(1)</script><img src=x onerror=alert(1)>'

registry_start
faultproxy_start --upstream "$REGISTRY" --fail 'PUT /v2/bad/manifests/v1:403:*' --error-message "$HOSTILE"
seed_three_states
cfg=$TEST_TMP/night.yaml
config_three_states "$cfg" --registry "$PROXY"
st=$TEST_TMP/status.json

# no_controls NAME FILE — FILE holds no ESC (0x1b) and no BEL (0x07) byte.
no_controls() {
	if LC_ALL=C grep -qP '\x1b|\x07' "$2"; then
		fail "$1 carries a raw ESC or BEL: $(od -c "$2" | grep -m3 -E '033|\\a')"
	fi
}

mf_expect 1 publish -c "$cfg" --status "$st"
printf '%s\n%s\n' "$MF_OUT" "$MF_ERR" >"$TEST_TMP/publish.txt"
no_controls "publish (text)" "$TEST_TMP/publish.txt"
assert_contains "$MF_OUT" '\x1b[31mRED\x1b]0;pwned\x07\x1b[2J' "the table shows the controls as escapes"
assert_contains "$MF_ERR" '\x1b[2J' "the log line shows the controls as escapes"
status_target "$st" "$PROXY/bad:v1" '.reason | contains("\u001b[31mRED")' >/dev/null ||
	fail "the status file keeps the registry's text as it came (JSON escapes it)"

mf_expect 1 publish -c "$cfg" --status "$st" --log-format json
printf '%s\n%s\n' "$MF_OUT" "$MF_ERR" >"$TEST_TMP/publish.json"
no_controls "publish --log-format json" "$TEST_TMP/publish.json"
assert_contains "$MF_ERR" '\u001b[31mRED' "the JSON log escapes ESC as \\u001b"
assert_contains "$MF_ERR" '\u0007' "the JSON log escapes BEL as \\u0007"
python3 -c '
import json, sys
hit = 0
for n, line in enumerate(sys.stdin.read().splitlines(), 1):
    doc = json.loads(line)
    if any(isinstance(v, str) and "\x1b[31mRED\x1b]0;pwned\x07\x1b[2J<script>" in v for v in doc.values()):
        hit += 1
sys.exit(0 if hit else "no JSON log line carries the registry text")
' <<<"$MF_ERR" || fail "the JSON log lines parse and carry the registry text"

mf_expect 0 status "$st"
printf '%s\n%s\n' "$MF_OUT" "$MF_ERR" >"$TEST_TMP/status.txt"
no_controls "status (table)" "$TEST_TMP/status.txt"
assert_contains "$MF_OUT" '\x1b[31mRED\x1b]0;pwned\x07\x1b[2J<script>' "the status table shows the text, escaped"

mf_expect 0 status "$st" -o markdown
printf '%s\n%s\n' "$MF_OUT" "$MF_ERR" >"$TEST_TMP/status.md"
no_controls "status -o markdown" "$TEST_TMP/status.md"
assert_not_contains "$MF_OUT" '<script' "no literal <script in the Markdown"
assert_not_contains "$MF_OUT" '<img' "no literal <img in the Markdown"
assert_contains "$MF_OUT" '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;' \
	"the Markdown carries the HTML as entities"
mf_expect 1 status "$st" --check
printf '%s\n%s\n' "$MF_OUT" "$MF_ERR" >"$TEST_TMP/check.txt"
no_controls "status --check" "$TEST_TMP/check.txt"
assert_contains "$MF_ERR" 'FAILED' "--check names the failed target"
echo "ok"
