#!/usr/bin/env bash
# test_status_json_holds_one_record_at_a_time.sh — `manifold status -o json`
# of a 20,000-target status (scripts/gen-status: escapes and UTF-8 in some
# reasons) says exactly what the file says, with the right summary, the same
# bytes from the status split into parts, the same records from four shard
# files merged, and -c leaves out what the config lacks; and the report adds
# no copy of the status: from 2,000 to 20,000 targets its peak RSS grows as
# the table's does (the records read), not by a tree of the whole document.
source "$(dirname "$0")/lib.sh"
need_manifold
need python3
need /usr/bin/time

# a freed allocation counts at once (the sanitizer's quarantine off), so
# peak RSS is what is held
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
gen=$MANIFOLD_SOURCE_DIR/scripts/gen-status
d=$TEST_TMP

# peak FORMAT DIR FILE... — the report to $d/out.FORMAT, its peak RSS (KiB) on stdout
peak() {
	local fmt=$1 dir=$2
	shift 2
	/usr/bin/time -f %M -o "$d/time" "$MANIFOLD" status "$@" -o "$fmt" >"$dir/out.$fmt" 2>"$dir/err.$fmt" ||
		fail "status $* -o $fmt: $(cat "$dir/err.$fmt")"
	cat "$d/time"
}

"$gen" --targets 2000 --out "$d/2k"
"$gen" --targets 20000 --out "$d/20k"
t2=$(peak table "$d/2k" "$d/2k/one.json")
j2=$(peak json "$d/2k" "$d/2k/one.json")
t20=$(peak table "$d/20k" "$d/20k/one.json")
j20=$(peak json "$d/20k" "$d/20k/one.json")

# what the file says, member for member, and the summary
python3 - "$d/20k/one.json" "$d/20k/out.json" <<'PY' || fail "json report is not the status file"
import json, sys
want, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
summary = got.pop("summary")
assert got == want, "records differ"
ts = want["targets"]
count = lambda s: sum(1 for t in ts if t["state"] == s)
assert summary == {"targets": 20000, "published": 0, "unchanged": count("unchanged"),
                   "incomplete": count("incomplete"), "failed": count("failed")}, summary
assert count("failed") == 20 and count("incomplete") > 1000
assert any("\u2028" in t.get("reason", "") and "\t" in t["reason"] for t in ts)
PY
assert_contains "$(head -c 200 "$d/20k/out.json")" $'{\n\t"schema":\t1,\n\t"config":\t"release.yaml",' \
	"cJSON's layout"

# split into parts: the same report, byte for byte
"$MANIFOLD" status "$d/20k/split/release.json" -o json >"$d/split.json"
cmp "$d/20k/out.json" "$d/split.json" || fail "split status: json report differs from one file's"
[ "$(find "$d/20k/split/release.d" -name 'big.*.json' | wc -l)" -gt 1 ] || fail "no bucketed image"

# four shards merged: the same records
"$MANIFOLD" status "$d"/20k/shard-{0,1,2,3}.json -o json >"$d/shards.json"
python3 - "$d/20k/out.json" "$d/shards.json" <<'PY' || fail "four shards merged: records differ"
import json, sys
one, shards = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert one["targets"] == shards["targets"]
assert one["summary"] == shards["summary"]
assert shards["shard"]["count"] == 4 and shards["last_run"]["finished"] == "2026-12-06T03:13:00Z"
PY

# -c: the ten images of ten tags the config lacks are left out
"$MANIFOLD" status "$d/20k/one.json" -c "$d/20k/release.yaml" -o json >"$d/c.json" 2>"$d/c.err"
assert_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["targets"])' "$d/c.json")" \
	19900 "-c summary"
assert_contains "$(cat "$d/c.err")" "100 targets not in $d/20k/release.yaml left out" "-c note"

# --since: the same night in each shape, committed, then one green target
# in a hundred turned failed in the work tree: each shape names the same
# newly broken targets, the copy at HEAD read (and merged) as the files are
git init -q -b main "$d/2k"
git -C "$d/2k" add -A
git -C "$d/2k" -c user.name=T -c user.email=t@x commit -qm night1
python3 - $(find "$d/2k" -name '*.json' ! -name 'out.*' ! -name 'err.*' ! -path '*/split/release.json') <<'PY'
import json, sys, zlib
for path in sys.argv[1:]:
    doc = json.load(open(path))
    for t in doc.get("targets", []):
        if t["state"] == "unchanged" and zlib.crc32(t["target"].encode()) % 100 == 0:
            t.update(state="failed", reason="linux/arm64: 500", since="2026-12-06T03:05:00Z")
    json.dump(doc, open(path, "w"), indent=2)
PY
for shape in one split shards; do
	case $shape in
	one) files=(one.json) ;;
	split) files=(split/release.json) ;;
	shards) files=(shard-0.json shard-1.json shard-2.json shard-3.json) ;;
	esac
	(cd "$d/2k" && "$MANIFOLD" status "${files[@]}" --since HEAD -o json) >"$d/since.$shape.json"
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["since"]; print(s["rev"], len(s["newly_published"]), len(s["still_broken"]), " ".join(t["target"] for t in s["newly_broken"]))' \
		"$d/since.$shape.json" >"$d/since.$shape"
done
read -r rev pub still broken <"$d/since.one"
assert_eq "$rev $pub $still" "HEAD 0 202" "--since: nothing newly green, the incomplete and failed still broken"
[ "$(wc -w <<<"$broken")" -ge 10 ] || fail "--since: only $(wc -w <<<"$broken") newly broken"
cmp "$d/since.one" "$d/since.split" || fail "--since of the split status differs"
cmp "$d/since.one" "$d/since.shards" || fail "--since of four shards differs"

# memory: the json report grows with the status as the table does (a
# tree of the whole document grew some 6 times as fast)
echo "peak RSS KiB: table $t2 -> $t20, json $j2 -> $j20"
awk -v t2="$t2" -v t20="$t20" -v j2="$j2" -v j20="$j20" \
	'BEGIN { exit !(j20 - j2 <= 1.25 * (t20 - t2) + 4096) }' ||
	fail "json report grew by $((j20 - j2)) KiB from 2,000 to 20,000 targets, the table by $((t20 - t2)) KiB"
