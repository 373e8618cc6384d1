#!/usr/bin/env bash
# test_status_html.sh — manifold status --format html rendered in headless
# Chromium: the page is self-contained (no external assets), a cell carries
# its state, the filter box (preloaded from #filter=) hides non-matching rows,
# and a screenshot is produced.
set -euo pipefail
: "${MANIFOLD:?}" "${MANIFOLD_SOURCE_DIR:?}"
data=$MANIFOLD_SOURCE_DIR/tests/data/status
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MANIFOLD_NOW=2026-11-22T09:00:00Z
fail() { echo "FAIL: $*" >&2; exit 1; }
n=0
ok() { n=$((n + 1)); }
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install-deps installs it)"

"$MANIFOLD" status "$data/night.json" "$data/shard1.json" --format html --output-file "$tmp/status.html"
# self-contained: nothing loaded from elsewhere (no src=, stylesheet, url() or
# @import); the links are <a href> to the registry, and --registry-url "" has none
! grep -Eq 'src=|<link|url\(|@import' "$tmp/status.html" || fail "page references an external asset"; ok
[ "$(grep -oE 'href="[^"]*"' "$tmp/status.html" | sort -u)" = 'href="https://reg.example/"' ] ||
	fail "links: $(grep -oE 'href="[^"]*"' "$tmp/status.html" | sort -u)"; ok
"$MANIFOLD" status "$data/night.json" --format html --registry-url "" --output-file "$tmp/nolinks.html"
! grep -Eq 'href=|https?://' "$tmp/nolinks.html" || fail "--registry-url \"\" still links"; ok

chrome() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-quic --no-first-run --disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$tmp/profile" "$@" 2>>"$tmp/chrome.log"
}
chrome --dump-dom "file://$tmp/status.html" >"$tmp/dom.html"
# one cell's state: pause:3.10 on linux/arm64/v8 is now published (shard1)
python3 - "$tmp/dom.html" <<'PY' || fail "DOM check"
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.row=None; s.cells={}; s.hidden={}; s.counts={}; s.cid=None
    def handle_starttag(s, tag, a):
        a=dict(a)
        if tag=='tr' and 'data-target' in a:
            s.row=a['data-target']; s.hidden[s.row]='hidden' in a
        if tag=='td' and 'data-platform' in a:
            s.cells[(s.row,a['data-platform'])]=(a['data-state'],a['class'])
        if tag=='span' and a.get('id','').startswith('count-'): s.cid=a['id']
    def handle_data(s, d):
        if s.cid: s.counts[s.cid]=d; s.cid=None
p=P(); p.feed(open(sys.argv[1]).read())
assert p.cells[('reg.example/pause:3.10','linux/arm64/v8')]==('published','cell s-published'), p.cells
assert p.cells[('reg.example/coredns:v1.11.3','linux/arm/v7')]==('wrong_platform','cell s-wrong_platform')
assert p.counts['count-published']=='3 published', p.counts
assert p.counts['count-failed']=='1 failed'
assert not any(p.hidden.values()), p.hidden
PY
ok
# the filter box, preloaded from the URL: only coredns stays visible
chrome --dump-dom "file://$tmp/status.html#filter=state:wrong_platform" >"$tmp/dom2.html"
python3 - "$tmp/dom2.html" <<'PY' || fail "filter"
import re, sys
d=open(sys.argv[1]).read()
rows=re.findall(r'<tr data-target="([^"]+)"[^>]*?( hidden="")?>', d)
vis=[r for r,h in rows if not h]
assert vis==['reg.example/coredns:v1.11.3'], rows
assert '1 of 5 shown' in d
PY
ok
chrome --screenshot="$tmp/status.png" --window-size=1200,600 "file://$tmp/status.html" >/dev/null
[ "$(head -c 8 "$tmp/status.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "screenshot is not a PNG"; ok
[ "$(stat -c %s "$tmp/status.png")" -gt 10000 ] || fail "screenshot too small"; ok
[ -n "${MANIFOLD_KEEP_SCREENSHOT:-}" ] && cp "$tmp/status.png" "$MANIFOLD_KEEP_SCREENSHOT"
echo "status_html: $n passed, 0 failed"
