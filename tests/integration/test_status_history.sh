#!/usr/bin/env bash
# test_status_history.sh — manifold status --history on a real repository of
# 30 nightly commits (status_history.py: a platform missing for 9 nights, a
# target never green, a failure on one night, a target new on night 20): the
# JSON series, ranges and --days; the HTML page in headless Chromium (the
# reasons, the legend, one chart column per night, ages in nights) and with
# JavaScript off (the static file); a screenshot that is not blank, kept under
# $MANIFOLD_BUILD_DIR/artifacts/; the Markdown rendered by cmark-gfm. Each
# report is made twice, the second time from the summary cache in the git
# directory, and the two are the same bytes.
set -euo pipefail
: "${MANIFOLD:?}" "${MANIFOLD_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MANIFOLD_NOW=2026-11-22T09:00:00Z NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1 HOME=$tmp
fail() { echo "FAIL: $*" >&2; exit 1; }
n=0
ok() { n=$((n + 1)); }
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install-deps installs it)"
command -v cmark-gfm >/dev/null || fail "cmark-gfm is not installed (scripts/install-deps installs it)"

python3 "$MANIFOLD_SOURCE_DIR/tests/integration/status_history.py" "$tmp/repo"
f=$tmp/repo/status/release.json
[ "$(git -C "$tmp/repo" rev-list --count HEAD)" = 31 ] || fail "fixture: want 30 nights + 1 other commit"; ok

# ---- the series (-o json)
"$MANIFOLD" status "$f" --history -o json >"$tmp/h.json"
# the first run fills the cache of version summaries; the second reads it
[ "$(find "$tmp/repo/.git/manifold/history-cache" -type f | wc -l)" = 30 ] ||
	fail "cache: want one entry per version of the file"; ok
"$MANIFOLD" status "$f" --history -o json >"$tmp/h2.json"
cmp -s "$tmp/h.json" "$tmp/h2.json" || fail "json: the cached run differs from the first"; ok
jq -e '.schema == 1 and .truncated == false and (.nights | length) == 30' "$tmp/h.json" >/dev/null ||
	fail "json: schema, truncated, 30 nights"; ok
[ "$(jq -c '.nights[14] | [.finished, .published, .unchanged, .incomplete, .failed]' "$tmp/h.json")" = \
  '["2026-11-07T03:04:10Z",4,0,1,1]' ] || fail "json: night 15 counts: $(jq -c '.nights[14]' "$tmp/h.json")"; ok
pause=$(jq -c '.targets[] | select(.target == "reg.example/pause:3.10") | [.state, .nights_in_state, .nights_to_green, .longest_incomplete]' "$tmp/h.json")
[ "$pause" = '["incomplete",9,0,9]' ] || fail "json: pause $pause"; ok
etcd=$(jq -c '.targets[] | select(.target == "reg.example/etcd:3.5.16") | [.nights_in_state, .nights_to_green, .longest_incomplete]' "$tmp/h.json")
[ "$etcd" = '[30,null,30]' ] || fail "json: etcd never green: $etcd"; ok
sched=$(jq -c '.targets[] | select(.target == "reg.example/scheduler:v1.31.0") | [.states[13], .states[14], .states[15], .nights_in_state]' "$tmp/h.json")
[ "$sched" = '["published","failed","published",15]' ] || fail "json: scheduler's one failed night: $sched"; ok
[ "$(jq -c '.targets[] | select(.target == "reg.example/controller-manager:v1.32.0") | .states[18:21]' "$tmp/h.json")" = \
  '[null,"incomplete","incomplete"]' ] || fail "json: a new target is null before its first night"; ok
[ "$(jq -c '.platforms[] | select(.platform == "linux/s390x") | [(.lacking[0:21] | add), (.lacking[21:] | add)]' "$tmp/h.json")" = \
  '[0,9]' ] || fail "json: linux/s390x lacking on the last 9 nights"; ok
[ "$("$MANIFOLD" status "$f" --history HEAD~5..HEAD -o json | jq '.nights | length')" = 5 ] || fail "range HEAD~5..HEAD"; ok
# --days counts commit times back from MANIFOLD_NOW (the last commit is 03:05 on 2026-11-22)
[ "$("$MANIFOLD" status "$f" --history --days 3 -o json | jq '.nights | length')" = 3 ] || fail "--days 3"; ok
set +e
"$MANIFOLD" status "$f" --history nosuchrev -o json >/dev/null 2>"$tmp/err"; rc=$?
set -e
[ $rc = 2 ] && grep -q "release.json: history nosuchrev: nosuchrev: revspec 'nosuchrev' not found" "$tmp/err" ||
	fail "bad range: exit $rc, $(cat "$tmp/err")"; ok

# ---- the page: static HTML first (what a reader without JavaScript gets)
rm -rf "$tmp/repo/.git/manifold"
"$MANIFOLD" status "$f" --history -o html --output-file "$tmp/status.html"
"$MANIFOLD" status "$f" --history -o html --output-file "$tmp/status2.html"
cmp -s "$tmp/status.html" "$tmp/status2.html" || fail "html: the cached run differs from the first"; ok
# self-contained: nothing loaded from elsewhere; the only links are <a> to the registry
! grep -Eq 'src=|<link|url\(|@import' "$tmp/status.html" || fail "page loads something outside itself"; ok
[ -z "$(grep -oE 'href="[^"]*"' "$tmp/status.html" | sort -u | grep -vx 'href="https://reg.example/"')" ] ||
	fail "page links elsewhere than the registry"; ok
for reason in 'missing linux/s390x' 'missing linux/ppc64le' 'linux/arm/v7: wrong platform: config says linux/amd64'; do
	grep -qF "<div class=\"reason\">$reason</div>" "$tmp/status.html" || fail "static page lacks reason: $reason"
done; ok
grep -qF '<b>incomplete</b><span class="age"> for 9 nights</span>' "$tmp/status.html" || fail "static page: pause's age in nights"; ok
grep -qF '<dt class="s-ready">ready</dt><dd>this platform is there, but its target is not green' "$tmp/status.html" ||
	fail "static page: the legend's ready entry"; ok
grep -q '@media print' "$tmp/status.html" || fail "no print styles"; ok

chrome() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" "$@" 2>>"$tmp/chrome.log"
}
chrome --dump-dom "file://$tmp/status.html" >"$tmp/dom.html"
python3 - "$tmp/dom.html" <<'PY' || fail "DOM check"
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.svg=None; s.nights={}; s.legend=[]; s.tag=None; s.text={}
        s.row=None; s.rows={}; s.strips={}
    def handle_starttag(s, tag, a):
        a=dict(a); s.tag=(tag, a.get('class'))
        if tag=='svg' and a.get('id'): s.svg=a['id']
        if tag=='svg' and a.get('class')=='strip': s.svg='strip'
        if s.svg and 'data-night' in a: s.nights.setdefault(s.svg, set()).add(a['data-night'])
        if tag=='tr' and 'data-target' in a: s.row=a['data-target']; s.rows[s.row]=''
        if s.svg=='strip' and tag=='rect': s.strips[s.row]=s.strips.get(s.row,0)+1
    def handle_endtag(s, tag):
        if tag=='svg': s.svg=None
        if tag=='tr': s.row=None
    def handle_data(s, d):
        if s.tag and s.tag[0]=='dt': s.legend.append(d)
        if s.row: s.rows[s.row]+=d
p=P(); p.feed(open(sys.argv[1]).read())
assert len(p.nights.get('chart-states',()))==30, p.nights.get('chart-states')
assert len(p.nights.get('chart-platforms',()))==30, p.nights.get('chart-platforms')
assert p.legend==['published','unchanged','incomplete','failed','held','ready','missing','wrong_platform','error','optional','child_missing','absent'], p.legend
r=p.rows['reg.example/pause:3.10']
assert 'incomplete for 9 nights' in r and 'missing linux/s390x' in r and 'longest incomplete streak 9 nights' in r, r
r=p.rows['reg.example/etcd:3.5.16']
assert 'never green' in r and 'missing linux/ppc64le' in r, r
assert 'wrong platform: config says linux/amd64' in p.rows['reg.example/coredns:v1.11.3']
assert p.strips['reg.example/scheduler:v1.31.0']==3, p.strips   # green, the failed night, green
assert p.strips['reg.example/controller-manager:v1.32.0']==3, p.strips  # absent, incomplete, green
assert '7 of 7 shown' in open(sys.argv[1]).read()
PY
ok

# ---- a screenshot, not blank, kept as an artefact
chrome --screenshot="$tmp/history.png" --window-size=1400,1000 "file://$tmp/status.html" >/dev/null
python3 - "$tmp/history.png" <<'PY' || fail "screenshot check"
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, ihdr = 8, b'', None
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    if kind == b'IDAT': idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
assert (w, h) == (1400, 1000), (w, h)
assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
bpp = 4 if ctype == 6 else 3
raw, stride = zlib.decompress(idat), w * bpp
prev, colours = bytearray(stride), set()
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 2))
    prev = line
# the state colours of the chart and the matrix must be there, not one flat page
want = {bytes.fromhex(c) for c in ('5cb85c', 'f0ad4e', 'd9534f', 'e67e22')}
assert want <= colours, 'missing chart colours: %s' % sorted(c.hex() for c in want - colours)
assert len(colours) > 50, len(colours)
PY
ok
if [ -n "${MANIFOLD_BUILD_DIR:-}" ]; then
	mkdir -p "$MANIFOLD_BUILD_DIR/artifacts"
	cp "$tmp/history.png" "$MANIFOLD_BUILD_DIR/artifacts/status-history.png"
	cp "$tmp/status.html" "$MANIFOLD_BUILD_DIR/artifacts/status-history.html"
fi

# ---- Markdown, rendered as GitHub does (cmark-gfm with the table extension)
rm -rf "$tmp/repo/.git/manifold"
"$MANIFOLD" status "$f" --history -o markdown >"$tmp/status.md"
"$MANIFOLD" status "$f" --history -o markdown >"$tmp/status2.md"
cmp -s "$tmp/status.md" "$tmp/status2.md" || fail "markdown: the cached run differs from the first"; ok
! grep -q '<' "$tmp/status.md" || fail "markdown holds HTML"; ok
cmark-gfm --extension table "$tmp/status.md" >"$tmp/md.html"
[ "$(grep -c '<table>' "$tmp/md.html")" = 5 ] || fail "markdown: want 5 tables (not green, platforms, matrix, history x2), got $(grep -c '<table>' "$tmp/md.html")"; ok
grep -qF '<td>linux/s390x</td>' "$tmp/md.html" || fail "markdown: per-platform summary row"; ok
grep -qF '<td>incomplete for 9 nights</td>' "$tmp/md.html" || fail "markdown: pause incomplete for 9 nights"; ok
grep -qF 'ready, but its target is not green' "$tmp/md.html" || fail "markdown: legend"; ok
echo "status_history: $n passed, 0 failed"
