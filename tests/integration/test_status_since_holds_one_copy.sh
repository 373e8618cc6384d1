#!/usr/bin/env bash
# test_status_since_holds_one_copy.sh — `manifold status --since REV` of a
# 20,000-target status (scripts/gen-status), committed, then one target in a
# hundred turned failed and one incomplete in twenty published: in
# each shape (one file, split into parts, four shard files) the report names
# exactly the targets that changed, as a reading of both nights by Python
# finds them (the table's lines too); and the copy at REV is not a second set
# of records: from 2,000 to 20,000 targets the report with --since grows
# in peak RSS by at most a fifth more than the report without it (reading
# the copy at REV as records, and a copy in one file as its bytes, grew it
# 2.2 times as fast in one file, 1.6 times split; the table, 1.17 times).
source "$(dirname "$0")/lib.sh"
need_manifold
need python3
need git
need /usr/bin/time

# a freed allocation counts at once (the sanitizer's quarantine off), so
# peak RSS is what is held
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
export MANIFOLD_NOW=2026-12-07T03:00:00Z
gen=$MANIFOLD_SOURCE_DIR/scripts/gen-status
d=$TEST_TMP

# night2 DIR [SKIP] — the night after in DIR's files (but those named
# SKIP): a target in a hundred of the unchanged ones failed, one in twenty
# of the incomplete ones published with a new list, every shape alike
night2() {
	python3 - "$1" $(cd "$1" && find . -name '*.json' ! -path './split/release.json' ! -name "${2:-none}") <<'PY'
import hashlib, json, os, sys, zlib
os.chdir(sys.argv[1])
for path in sys.argv[2:]:
    doc = json.load(open(path))
    for t in doc.get("targets", []):
        h = zlib.crc32(t["target"].encode()) % 100
        if t["state"] == "unchanged" and h == 0:
            t.update(state="failed", reason="linux/arm64: 500", since="2026-12-07T03:05:00Z")
        elif t["state"] == "incomplete" and 1 <= h <= 5:
            t.update(state="published", since="2026-12-07T03:05:00Z",
                     digest="sha256:" + hashlib.sha256(t["target"].encode()).hexdigest())
            t.pop("reason", None)
    json.dump(doc, open(path, "w"), indent=2)
PY
}

for n in 2000 20000; do
	"$gen" --targets $n --out "$d/$n"
	git init -q -b main "$d/$n"
	git -C "$d/$n" add -A
	git -C "$d/$n" -c user.name=T -c user.email=t@x commit -qm night1
	cp "$d/$n/one.json" "$d/$n.night1.json"
	# the shards are read at 2,000 targets only
	night2 "$d/$n" "$([ $n = 20000 ] && echo 'shard-*')"
	git -C "$d/$n" -c user.name=T -c user.email=t@x commit -qam night2
done

# what changed, read from both nights' files
for n in 2000 20000; do
	python3 - "$d/$n.night1.json" "$d/$n/one.json" >"$d/want.$n" <<'PY'
import json, sys
old = {t["target"]: t for t in json.load(open(sys.argv[1]))["targets"]}
cur = json.load(open(sys.argv[2]))["targets"]
green = lambda t: t["state"] in ("published", "unchanged")
out = {"newly_published": [], "newly_broken": [], "still_broken": []}
for t in cur:
    o = old.get(t["target"])
    if green(t):
        if not o or not green(o) or o.get("digest") != t.get("digest"):
            out["newly_published"].append(t["target"])
    elif not o or green(o):
        out["newly_broken"].append(t["target"])
    else:
        out["still_broken"].append(t["target"])
for k in out:
    print(k, len(out[k]), " ".join(out[k]))
PY
done
read -r _ np _ <"$d/want.20000"
[ "$np" -ge 50 ] || fail "only $np newly published in the fixture"

# each shape as -o json: one file and split at 20,000 targets, four shard
# files at 2,000
for shape in one split shards; do
	n=20000
	case $shape in
	one) files=(one.json) ;;
	split) files=(split/release.json) ;;
	shards) files=(shard-0.json shard-1.json shard-2.json shard-3.json) n=2000 ;;
	esac
	(cd "$d/$n" && "$MANIFOLD" status "${files[@]}" --since HEAD~1 -o json) >"$d/$shape.json" ||
		fail "$shape: status --since -o json"
	python3 - "$d/$shape.json" >"$d/got.$shape" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["since"]
assert s["rev"] == "HEAD~1", s["rev"]
for k in ("newly_published", "newly_broken", "still_broken"):
    print(k, len(s[k]), " ".join(t["target"] for t in s[k]))
PY
	cmp "$d/want.$n" "$d/got.$shape" || fail "$shape: --since names other targets than both nights say"
done
(cd "$d/20000" && "$MANIFOLD" status one.json --since HEAD~1) >"$d/one.table" ||
	fail "status --since"
sed -n '/^since HEAD~1:$/,$p' "$d/one.table" >"$d/since.one"
python3 - "$d/want.20000" "$d/since.one" <<'PY' || fail "the table's since lines"
import sys
want = {l.split()[0]: l.split()[2:] for l in open(sys.argv[1])}
lines = open(sys.argv[2]).read().splitlines()
assert lines[0] == "since HEAD~1:", lines[0]
pub = [l.split()[2] for l in lines if l.startswith("  newly published   ")]
broken = [l.split()[2] for l in lines if l.startswith("  newly broken      ")]
still = [l.split()[2] for l in lines if l.startswith("  still ")]
assert pub == want["newly_published"] and broken == want["newly_broken"], "lists differ"
assert still == want["still_broken"], "still broken differs"
assert len(lines) == 1 + len(pub) + len(broken) + len(still)
assert "  newly broken      %s (failed)" % broken[0] in lines
PY

# memory: with --since the report grows with the status as without it (the
# table of the copy at REV is some 150 bytes a target, a record ~1 KiB)
peak() {
	(cd "$1" && /usr/bin/time -f %M -o "$d/time" "$MANIFOLD" status "${@:2}" >/dev/null 2>"$d/err") ||
		fail "status ${*:2}: $(cat "$d/err")"
	cat "$d/time"
}
for shape in one split; do
	f=one.json
	[ $shape = split ] && f=split/release.json
	t2=$(peak "$d/2000" $f)
	t20=$(peak "$d/20000" $f)
	s2=$(peak "$d/2000" $f --since HEAD~1)
	s20=$(peak "$d/20000" $f --since HEAD~1)
	echo "$shape: peak RSS KiB without --since $t2 -> $t20, with it $s2 -> $s20"
	awk -v t2="$t2" -v t20="$t20" -v s2="$s2" -v s20="$s20" \
		'BEGIN { exit !(s20 - s2 <= 1.2 * (t20 - t2) + 2048) }' ||
		fail "$shape: with --since the report grew by $((s20 - s2)) KiB from 2,000 to 20,000 targets, without it by $((t20 - t2)) KiB"
done

# a revision that is not there: exit 2, naming the file and the revision
rc=0
(cd "$d/2000" && "$MANIFOLD" status one.json --since no-such-rev) >/dev/null 2>"$d/err" || rc=$?
assert_eq "$rc" 2 "--since no-such-rev: exit code"
assert_contains "$(cat "$d/err")" "one.json at no-such-rev: resolve:" "bad revision"
# a file that was not there at the revision: every green target newly published
git -C "$d/2000" mv one.json later.json
git -C "$d/2000" -c user.name=T -c user.email=t@x commit -qm moved
(cd "$d/2000" && "$MANIFOLD" status later.json --since HEAD~1 -o json) >"$d/later.json"
python3 - "$d/later.json" <<'PY' || fail "a file new since the revision"
import json, sys
doc = json.load(open(sys.argv[1]))
green = [t["target"] for t in doc["targets"] if t["state"] in ("published", "unchanged")]
assert [t["target"] for t in doc["since"]["newly_published"]] == green
assert doc["since"]["still_broken"] == []
PY
