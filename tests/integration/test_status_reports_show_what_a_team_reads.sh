#!/usr/bin/env bash
# test_status_reports_show_what_a_team_reads.sh — the reports of a 30-night
# history (tests/integration/status_history.py --team) with extra tags, an
# optional platform, a held target, a list child missing from its
# repository and a 10-platform matrix, checked by structure in headless
# Chromium (DOM, and computed layout read by a page that loads the report in
# an iframe), by cmark-gfm for the Markdown, and as text for the table:
# title and release, links to the registry and to the commit, the live
# digest with its publish date apart from the failure's date, extra tags
# with their digest and list, "child missing" and "optional" cells (the
# optional platform never counted as lacking), the matrix scrolling inside
# its box rather than cut, dated ticks on both charts' axes, no emoji; and
# what a file or the options say (tags, dates, reasons, title, a link
# template) stays text in HTML and Markdown.
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

python3 "$MANIFOLD_SOURCE_DIR/tests/integration/status_history.py" --team "$tmp/repo"
f=$tmp/repo/status/release.json
head=$(git -C "$tmp/repo" rev-parse HEAD)
opts=(--title "Nightly images" --release "2026.11"
	--registry-url "https://{registry}/ui/{repository}?tag={tag}"
	--commit-url "https://git.example/status/commit/{commit}")
"$MANIFOLD" status "$f" --history -o html "${opts[@]}" --output-file "$tmp/status.html"
"$MANIFOLD" status "$f" --history -o markdown "${opts[@]}" --output-file "$tmp/status.md"
"$MANIFOLD" status "$f" >"$tmp/status.txt"

# no emoji, no symbol that needs a font the page does not ship
python3 - "$tmp/status.html" <<'PY' || fail "emoji"
import sys
t = open(sys.argv[1], encoding="utf-8").read()
bad = sorted({c for c in t if 0x2600 <= ord(c) <= 0x27BF or 0x1F000 <= ord(c) <= 0x1FAFF or 0x2B00 <= ord(c) <= 0x2BFF or ord(c) == 0xFE0F})
assert not bad, ["U+%04X" % ord(c) for c in bad]
PY
ok

chrome() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-quic --no-first-run --disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$tmp/profile" "$@" 2>>"$tmp/chrome.log"
}
chrome --dump-dom "file://$tmp/status.html" >"$tmp/dom.html"
python3 - "$tmp/dom.html" "$head" <<'PY' || fail "DOM"
import sys, html.parser
head = sys.argv[2]
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__()
        s.stack=[]; s.text={}; s.cells={}; s.rows={}; s.row=None; s.links={}; s.legend=[]
        s.optional_th=[]; s.ticks={}; s.svg=None; s.wrap_has_matrix=False; s.in_wrap=False
        s.extra={}; s.labels=[]; s.cur=None; s.serves={}; s.failed_since={}; s.in_a=None
    def handle_starttag(s, tag, a):
        a=dict(a); s.stack.append((tag,a))
        cls=a.get('class','') or ''
        if tag=='svg' and 'id' in a: s.svg=a['id']
        if tag=='g' and cls=='x-axis': s.ticks.setdefault(s.svg,[])
        if tag=='div' and a.get('id')=='matrix-wrap' and 'matrix-wrap' in cls: s.in_wrap=True
        if tag=='table' and a.get('id')=='matrix' and s.in_wrap: s.wrap_has_matrix=True
        if tag=='tr' and 'data-target' in a: s.row=a['data-target']; s.rows[s.row]=a['data-states']
        if tag=='td' and 'data-platform' in a: s.cur=('cell',(s.row,a['data-platform'])); s.cells[s.cur[1]]=[cls,a['data-state'],'']
        if tag=='th' and 'optional' in cls.split(): s.optional_th.append(a.get('data-platform'))
        if tag=='a': s.in_a=a.get('href'); s.links.setdefault(s.in_a,'')
        if tag=='div' and 'data-extra-tag' in a: s.cur=('extra',(s.row,a['data-extra-tag'])); s.extra[s.cur[1]]=''
        if tag=='div' and cls=='serves': s.cur=('serves',s.row); s.serves[s.row]=''
        if tag=='div' and cls=='failed-since': s.cur=('fs',s.row); s.failed_since[s.row]=''
        if tag=='dt': s.cur=('dt',None)
        if tag=='text' and 'axis' in cls and any(t=='g' and (x.get('class')=='x-axis') for t,x in s.stack[:-1]): s.cur=('tick',s.svg); s.ticks[s.svg].append('')
        if tag=='text' and 'axis' in cls and s.svg=='chart-platforms' and s.cur is None: s.cur=('label',None); s.labels.append('')
        for key in ('title','h1','b'):
            pass
    def handle_endtag(s, tag):
        while s.stack:
            t,a=s.stack.pop()
            if t==tag: break
        if tag=='a': s.in_a=None
        if tag in ('td','div','dt','text'): s.cur=None if tag!='div' or (s.cur and s.cur[0] in ('extra','serves','fs')) else s.cur
        if tag=='svg': s.svg=None
    def handle_data(s, d):
        tag=s.stack[-1][0] if s.stack else None
        if tag in ('title','h1') and not any(t=='svg' for t,_ in s.stack): s.text[tag]=s.text.get(tag,'')+d
        for t,a in s.stack:
            if a.get('id')=='release': s.text['release']=s.text.get('release','')+d
        if s.in_a is not None: s.links[s.in_a]+=d
        if not s.cur: return
        k,v=s.cur
        if k=='cell': s.cells[v][2]+=d
        elif k=='extra': s.extra[v]+=d
        elif k=='serves': s.serves[v]+=d
        elif k=='fs': s.failed_since[v]+=d
        elif k=='dt': s.legend.append(d)
        elif k=='tick': s.ticks[v][-1]+=d
        elif k=='label': s.labels[-1]+=d
p=P(); p.feed(open(sys.argv[1], encoding='utf-8').read())
assert p.text['title']=='Nightly images · 2026.11', p.text
assert p.text['h1']=='Nightly images', p.text
assert p.text['release']=='release 2026.11', p.text
# title, release and the commit, linked
assert p.links['https://git.example/status/commit/'+head]==head[:12], p.links
# the targets link to the registry by the template, values encoded
assert p.links['https://reg.example/ui/kube-proxy?tag=v1.31.0']=='reg.example/kube-proxy:v1.31.0'
assert p.links['https://reg.example/ui/scheduler?tag=v1.31.0']=='reg.example/scheduler:v1.31.0'
# the matrix in its scrolling box
assert p.wrap_has_matrix
# legend: optional and child_missing have their entries
assert p.legend==['published','unchanged','incomplete','failed','held','ready','missing','wrong_platform','error','optional','child_missing','absent'], p.legend
# optional platform: its own header and cells, never lacking in the chart
assert p.optional_th==['linux/riscv64'], p.optional_th
c=p.cells[('reg.example/apiserver:v1.31.0','linux/riscv64')]
assert c[:2]==['cell s-optional','optional'] and c[2]=='optional, missing', c
assert 'linux/riscv64 (0)' in p.labels, p.labels
assert 'linux/s390x (9)' in p.labels, p.labels
# a list child missing from its repository
c=p.cells[('reg.example/kube-proxy:v1.31.0','linux/s390x')]
assert c[:2]==['cell s-child_missing','child_missing'] and c[2].startswith('child missing'), c
assert 'child_missing' in p.rows['reg.example/kube-proxy:v1.31.0'].split()
# the live digest with its own publish date; the failure with its own date
assert p.serves['reg.example/coredns:v1.11.3'].startswith('serves a1337b9b69c5 published 2026-10-24T03:01:00Z'), p.serves
assert p.failed_since['reg.example/coredns:v1.11.3']=='since 2026-11-17T03:01:00Z', p.failed_since
assert p.serves['reg.example/apiserver:v1.31.0'].strip().endswith('published 2026-10-24T03:01:00Z'), p.serves
# held: the tag serves the new list, latest keeps the old one (held)
assert p.rows['reg.example/scheduler:v1.31.0'].split()[0]=='held'
assert p.serves['reg.example/scheduler:v1.31.0']=='serves 50e36abb1eed published 2026-11-20T03:01:00Z', p.serves
assert p.extra[('reg.example/scheduler:v1.31.0','latest')]=='also latest 9d848f4935da held: an earlier list', p.extra
# extra tags: the same list and its platforms
e=p.extra[('reg.example/apiserver:v1.31.0','latest')]
assert e.startswith('also latest 0313ce687f31 same list: linux/amd64, linux/arm64/v8'), e
assert 'linux/riscv64' not in e, e
# dated ticks on both charts: 7 each, first and last night
for chart in ('chart-states','chart-platforms'):
    t=p.ticks[chart]
    assert len(t)==7 and t[0]=='2026-10-24' and t[-1]=='2026-11-22', (chart, t)
    assert t==sorted(t)
PY
ok

# Layout as Chromium computes it: a page loads the report in an iframe
# narrower than the matrix and writes what it measures into its own DOM.
cat >"$tmp/measure.html" <<'EOF'
<!DOCTYPE html><html><body><iframe id="r" src="status.html" style="width:900px;height:700px"></iframe>
<pre id="out">not measured</pre><script>
document.getElementById('r').addEventListener('load', function () {
  var d = this.contentDocument, w = d.getElementById('matrix-wrap'), t = d.getElementById('matrix');
  var ths = t.querySelectorAll('thead th'), last = ths[ths.length - 1];
  var cs = d.defaultView.getComputedStyle(w);
  document.getElementById('out').textContent = JSON.stringify({
    overflowX: cs.overflowX, client: w.clientWidth, scroll: w.scrollWidth,
    table: Math.round(t.getBoundingClientRect().width), columns: ths.length,
    last: last.textContent, lastRight: Math.round(last.getBoundingClientRect().right - t.getBoundingClientRect().left),
    body: d.body.scrollWidth <= d.documentElement.clientWidth + 1,
    ticks: d.querySelectorAll('#chart-states .x-axis text').length
  });
});
</script></body></html>
EOF
chrome --allow-file-access-from-files --virtual-time-budget=10000 --dump-dom "file://$tmp/measure.html" >"$tmp/measure.dom"
python3 - "$tmp/measure.dom" <<'PY' || fail "layout: $(grep -o '<pre id="out">[^<]*' "$tmp/measure.dom")"
import html, json, re, sys
m = re.search(r'<pre id="out">([^<]*)</pre>', open(sys.argv[1]).read())
v = json.loads(html.unescape(m.group(1)))
assert v['overflowX'] == 'auto', v
assert v['scroll'] > v['client'], v            # wider than its box: it scrolls
assert v['scroll'] >= v['table'] - 1, v        # the whole table is in the scroll range, not cut
assert v['columns'] == 13 and v['last'] == 'linux/riscv64 (optional)', v
assert v['lastRight'] <= v['scroll'] + 1, v
assert v['body'], v                            # the page itself does not overflow
assert v['ticks'] == 7, v
print("layout:", v)
PY
ok

chrome --screenshot="$tmp/team.png" --window-size=1400,1600 "file://$tmp/status.html" >/dev/null
python3 - "$tmp/team.png" <<'PY' || fail "screenshot"
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
assert struct.unpack('>II', d[16:24]) == (1400, 1600)
PY
ok
if [ -n "${MANIFOLD_BUILD_DIR:-}" ]; then
	mkdir -p "$MANIFOLD_BUILD_DIR/artifacts"
	cp "$tmp/team.png" "$MANIFOLD_BUILD_DIR/artifacts/status-team.png"
fi

# ---- Markdown, as GitHub renders it
cmark-gfm --extension table "$tmp/status.md" >"$tmp/md.html"
python3 - "$tmp/md.html" "$head" <<'PY' || fail "markdown"
import sys, html.parser
head = sys.argv[2]
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.tables=[]; s.cell=None; s.row=None; s.h=[]; s.inh=False; s.links=[]
    def handle_starttag(s, tag, a):
        if tag=='table': s.tables.append([])
        elif tag=='tr': s.row=[]; s.tables[-1].append(s.row)
        elif tag in ('td','th'): s.cell=''
        elif tag in ('h2','h3'): s.inh=True; s.h.append('')
        elif tag=='a': s.links.append(dict(a)['href'])
    def handle_endtag(s, tag):
        if tag in ('td','th'): s.row.append(s.cell.strip()); s.cell=None
        if tag in ('h2','h3'): s.inh=False
    def handle_data(s, d):
        if s.cell is not None: s.cell+=d
        if s.inh: s.h[-1]+=d
p=P(); p.feed(open(sys.argv[1], encoding='utf-8').read())
assert p.h[0]=='Nightly images: release 2026.11', p.h
assert 'https://git.example/status/commit/'+head in p.links
assert 'https://reg.example/ui/coredns?tag=v1.11.3' in p.links
ng=[t for t in p.tables if t[0][:4]==['target','state','since','serves']][0]
rows={r[0]:r for r in ng[1:]}
assert rows['reg.example/coredns:v1.11.3'][2].startswith('2026-11-17T03:01:00Z'), rows
assert rows['reg.example/coredns:v1.11.3'][3]=='a1337b9b69c5 published 2026-10-24T03:01:00Z'
assert rows['reg.example/kube-proxy:v1.31.0'][1]=='failed (child missing)'
assert rows['reg.example/scheduler:v1.31.0'][1]=='held'
ex=[t for t in p.tables if t[0]==['target','extra tag','digest','holds']][0]
assert ['reg.example/scheduler:v1.31.0','latest','9d848f4935da','held: an earlier list'] in ex, ex
assert ['reg.example/apiserver:v1.31.0','latest','0313ce687f31','same list'] in ex, ex
pl=[t for t in p.tables if t[0][:2]==['platform','targets']][0]
assert pl[0]==['platform','targets','✅','☑️','⏳','❌','➖'], pl[0]
rv=[r for r in pl if r[0]=='linux/riscv64'][0]
assert rv==['linux/riscv64','2','0','0','0','0','2'], rv   # optional: not missing, not failed
PY
ok

# without --history the commit is HEAD's of the file's repository; a file in
# none has no commit line
"$MANIFOLD" status "$f" -o markdown --commit-url "https://git.example/c/{commit}" >"$tmp/head.md"
grep -qxF "Status file at commit [\`${head:0:12}\`](https://git.example/c/$head)." "$tmp/head.md" ||
	fail "markdown: HEAD's commit: $(grep -i commit "$tmp/head.md")"; ok
cp "$f" "$tmp/loose.json"
"$MANIFOLD" status "$tmp/loose.json" -o markdown --commit-url "https://git.example/c/{commit}" >"$tmp/loose.md"
! grep -q 'Status file at commit' "$tmp/loose.md" || fail "a file in no repository names a commit"; ok

# ---- the table: what the tag serves, the extra tags
grep -qx '  serves a1337b9b69c5, published 2026-10-24T03:01:00Z' "$tmp/status.txt" || fail "table: serves"; ok
grep -qx '  + latest  9d848f4935da  held: an earlier list' "$tmp/status.txt" || fail "table: held extra tag"; ok
# ---- what the file, the registry or the command line says is text, never markup
python3 - "$tmp/hostile.json" <<'PY'
import json, sys
x = '<img src=x onerror=alert(1)>'
t = {"target": "reg.example/app:v1", "state": "failed", "digest": "sha256:" + "a" * 64,
     "since": "2026-11-22T03:00:00Z", "published_at": "2026-11-01T03:00:00Z" + x,
     "reason": "linux/amd64: " + x, "extra_tags": [{"tag": "latest" + x, "digest": "sha256:" + "b" * 64}],
     "platforms": [{"platform": "linux/amd64", "source": "reg.example/app-amd64:v1" + x, "state": "error",
                    "reason": x}]}
json.dump({"schema": 1, "last_run": {"published": 0, "unchanged": 0, "incomplete": 0, "failed": 1},
           "targets": [t]}, open(sys.argv[1], "w"))
PY
for fmt in html markdown; do
	"$MANIFOLD" status "$tmp/hostile.json" -o $fmt --title "T<script>alert(1)</script>" --release "R<b>x</b>" \
		--registry-url 'javascript:alert(1)//{registry}' --output-file "$tmp/hostile.$fmt"
	! grep -qiE '<img|<script>alert|<b>x|javascript:' "$tmp/hostile.$fmt" || fail "$fmt: markup from the file or the options"
done; ok
"$MANIFOLD" status "$tmp/hostile.json" -o markdown --compact --output-file "$tmp/hostile.compact.md"
! grep -qi '<img' "$tmp/hostile.compact.md" || fail "compact: markup from the file"; ok
echo "status_reports_show_what_a_team_reads: $n passed, 0 failed"
