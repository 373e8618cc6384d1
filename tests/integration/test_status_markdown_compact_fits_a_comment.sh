#!/usr/bin/env bash
# test_status_markdown_compact_fits_a_comment.sh — `status -o markdown
# --compact` of 10,000 targets, 8,000 of them not green, stays under a
# GitHub comment's 65,536 characters: what is not green grouped by image,
# state and reason with counts (largest first), a line saying how many
# groups and targets were left out (shown + left out = 8,000), the platforms
# table; cmark-gfm renders both tables with the expected header and rows.
# The status file is written directly (no registry is needed).
set -euo pipefail
: "${MANIFOLD:?}" "${MANIFOLD_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MANIFOLD_NOW=2026-11-22T09:00:00Z NO_COLOR=1
fail() { echo "FAIL: $*" >&2; exit 1; }
n=0
ok() { n=$((n + 1)); }
command -v cmark-gfm >/dev/null || fail "cmark-gfm is not installed (scripts/install-deps installs it)"

# 2,500 images x 4 tags. Images 0-1999: every tag not green (8,000);
# 2000-2499 green (2,000). The reasons name the tag, so per image they
# differ in text and group as one: an odd image is incomplete on its 4
# tags, an even one failed (wrong platform), but every 10th image's last
# tag failed with a registry error naming a digest (3 + 1).
python3 - "$tmp/status.json" <<'PY'
import json, sys
D = lambda i: "sha256:%064x" % i
plats = ["linux/amd64", "linux/arm64", "linux/s390x"]
targets = []
for i in range(2500):
    img = "reg.example/team/app-%04d" % i
    for k, tag in enumerate(["v1.0.%d" % i, "v1.1.%d" % i, "v2.0.%d" % i, "latest-%d" % i]):
        ref = "%s:%s" % (img, tag)
        t = {"target": ref, "since": "2026-11-2%dT03:00:00Z" % (k % 2), "platforms": []}
        if i >= 2000:
            t.update(state="published", digest=D(i * 10 + k))
            for p in plats:
                t["platforms"].append({"platform": p, "source": ref + "-" + p.replace("/", "-"),
                                       "state": "ready", "digest": D(i * 100 + k)})
        elif i % 10 == 0 and k == 3:
            t.update(state="failed", reason="linux/s390x: %s-s390x: GET %s: 500 INTERNAL" % (ref, D(i)))
            t["platforms"].append({"platform": "linux/s390x", "source": ref, "state": "error",
                                   "reason": "500"})
        elif i % 2:
            t.update(state="incomplete", reason="missing linux/s390x (%s-linux-s390x not found)" % ref)
            t["platforms"].append({"platform": "linux/s390x", "source": ref, "state": "missing"})
        else:
            t.update(state="failed", digest=D(i), published_at="2026-11-01T03:00:00Z",
                     reason="linux/arm64: wrong platform: %s-arm64 is linux/amd64" % ref)
            t["platforms"].append({"platform": "linux/arm64", "source": ref, "state": "wrong_platform"})
        targets.append(t)
targets.sort(key=lambda t: t["target"])
doc = {"schema": 1, "config": "release.yaml",
       "last_run": {"started": "2026-11-22T03:00:00Z", "finished": "2026-11-22T03:40:00Z",
                    "published": 2000, "unchanged": 0, "incomplete": 4000, "failed": 4000},
       "targets": targets}
json.dump(doc, open(sys.argv[1], "w"), indent=2)
PY

"$MANIFOLD" status "$tmp/status.json" -o markdown --compact --title "Nightly images" \
	--release "2026.11" --output-file "$tmp/compact.md"
"$MANIFOLD" status "$tmp/status.json" -o markdown --output-file "$tmp/full.md"
python3 - "$tmp/compact.md" "$tmp/full.md" <<'PY' || fail "sizes"
import sys
c = open(sys.argv[1], encoding="utf-8").read()
f = open(sys.argv[2], encoding="utf-8").read()
assert len(c) < 65536, len(c)
assert len(f) > 65536, len(f)  # the full report would not fit
print("compact markdown: %d characters (%d bytes); full: %d characters" % (len(c), len(c.encode()), len(f)))
PY
ok
head -3 "$tmp/compact.md" >"$tmp/head.md"
diff -u - "$tmp/head.md" <<'EOF' || fail "title, release, summary"
## Nightly images: release 2026.11

**manifold**: 2000 published, 0 unchanged, 4000 incomplete, 4000 failed (10000 targets, last run 2026-11-22T03:40:00Z)
EOF
ok

cmark-gfm --extension table "$tmp/compact.md" >"$tmp/compact.html"
python3 - "$tmp/compact.html" "$tmp/compact.md" <<'PY' || fail "rendered tables"
import html.parser, re, sys
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.tables=[]; s.cell=None; s.row=None; s.text=[]
    def handle_starttag(s, tag, a):
        if tag=='table': s.tables.append([])
        elif tag=='tr': s.row=[]; s.tables[-1].append(s.row)
        elif tag in ('td','th'): s.cell=''
    def handle_endtag(s, tag):
        if tag in ('td','th'): s.row.append(s.cell.strip()); s.cell=None
    def handle_data(s, d):
        if s.cell is not None: s.cell+=d
        else: s.text.append(d)
p=P(); p.feed(open(sys.argv[1], encoding='utf-8').read())
assert len(p.tables)==2, len(p.tables)
groups, plats = p.tables
assert groups[0]==['image','state','targets','reason'], groups[0]
rows=groups[1:]
assert all(len(r)==4 for r in rows)
counts=[int(r[2]) for r in rows]
assert counts==sorted(counts, reverse=True), "largest groups first"
# image 1 (odd): its 4 tags, one reason with the tag made {tag}
assert ['reg.example/team/app-0001','incomplete','4','missing linux/s390x (reg.example/team/app-0001:{tag}-linux-s390x not found)'] in rows, rows[:5]
assert ['reg.example/team/app-0002','failed','4','linux/arm64: wrong platform: reg.example/team/app-0002:{tag}-arm64 is linux/amd64'] in rows
# the groups of 4 fill the room: image 0's 3 + 1 are among those left out
assert counts[-1]==4 and not any(r[0]=='reg.example/team/app-0000' for r in rows)
# no green image is listed
assert not any(int(r[0].rsplit('-',1)[1])>=2000 for r in rows)
text=''.join(p.text)
m=re.search(r'(\d+) more groups \((\d+) targets\) left out', text)
assert m, text[-400:]
assert sum(counts)+int(m.group(2))==8000, (sum(counts), m.group(2))
# groups: 1000 odd images (4) + 200 tenth images (3 + 1) + 800 even images (4)
assert len(rows)+int(m.group(1))==2200, (len(rows), m.group(1))
assert plats[0]==['platform','targets','✅','☑️','⏳','❌'], plats[0]
assert plats[1:]==[['linux/s390x','6200','2000','0','4000','200'],['linux/arm64','5800','2000','0','0','3800'],['linux/amd64','2000','2000','0','0','0']], plats[1:]
print("compact markdown: %d groups shown of 2200, %d targets" % (len(rows), sum(counts)))
PY
ok
# one image's 3 + 1: two groups, the digest in a reason made alike, nothing left out
jq '.targets |= map(select(.target | startswith("reg.example/team/app-0000:")))' "$tmp/status.json" >"$tmp/one.json"
"$MANIFOLD" status "$tmp/one.json" -o markdown --compact >"$tmp/one.md"
diff -u - <(sed -n '/^| image/,/^$/p' "$tmp/one.md") <<'EOF' || fail "one image's groups"
| image | state | targets | reason |
|---|---|---|---|
| `reg.example/team/app-0000` | failed | 3 | linux/arm64: wrong platform: reg.example/team/app-0000:{tag}-arm64 is linux/amd64 |
| `reg.example/team/app-0000` | failed | 1 | linux/s390x: reg.example/team/app-0000:{tag}-s390x: GET sha256:…: 500 INTERNAL |

EOF
ok
grep -qx 'Nothing left out.' "$tmp/one.md" || fail "one image: the left-out line"; ok
# --compact is only for markdown: a usage error before anything is read
set +e
"$MANIFOLD" status "$tmp/status.json" -o html --compact >/dev/null 2>"$tmp/err"; rc=$?
set -e
[ $rc = 2 ] || fail "--compact -o html: exit $rc, want 2"; ok
grep -qx 'manifold status: --compact is for -o markdown, not -o html' "$tmp/err" || fail "message: $(cat "$tmp/err")"; ok
echo "status_markdown_compact_fits_a_comment: $n passed, 0 failed"
