#!/usr/bin/env bash
# test_status_report.sh — manifold status on real files and a real git
# history: table and Markdown against expected files, shards merged, --since
# REV read with libgit2, --check exit codes, usage errors.
set -euo pipefail
: "${MANIFOLD:?}" "${MANIFOLD_SOURCE_DIR:?}"
data=$MANIFOLD_SOURCE_DIR/tests/data/status
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MANIFOLD_NOW=2026-11-22T09:00:00Z NO_COLOR=1
fail() { echo "FAIL: $*" >&2; exit 1; }
n=0
ok() { n=$((n + 1)); }

"$MANIFOLD" status "$data/night.json" >"$tmp/out.txt"
diff -u "$data/night.table.txt" "$tmp/out.txt" || fail "table differs"; ok
"$MANIFOLD" status "$data/night.json" --format markdown --output-file "$tmp/out.md"
diff -u "$data/night.md" "$tmp/out.md" || fail "markdown differs"; ok
"$MANIFOLD" status "$data/night.json" "$data/shard1.json" --format markdown >"$tmp/merged.md"
diff -u "$data/merged.md" "$tmp/merged.md" || fail "merged shards differ"; ok
[ "$("$MANIFOLD" status "$data/night.json" "$data/shard1.json" --format json | jq -c .summary)" = \
  '{"targets":5,"published":3,"unchanged":1,"incomplete":0,"failed":1}' ] || fail "json summary"; ok

# --check: failed target → 1; shard1 alone is green → 0
set +e
"$MANIFOLD" status "$data/night.json" --check >/dev/null 2>"$tmp/check.err"; rc=$?
set -e
[ $rc = 1 ] || fail "--check exit $rc, want 1"; ok
grep -qx 'INCOMPLETE reg.example/pause:3.10: for 3d 6h (missing linux/arm64/v8)' "$tmp/check.err" || fail "check message"; ok
"$MANIFOLD" status "$data/shard1.json" --check --max-incomplete-age 1h >/dev/null || fail "green --check"; ok
set +e
"$MANIFOLD" status "$data/night.json" --format pdf >/dev/null 2>&1; rc=$?
set -e
[ $rc = 2 ] || fail "bad --format exit $rc, want 2"; ok

# --since: HEAD~1 holds last night's file, the work tree the merged one
git init -q -b main "$tmp/repo"
cp "$data/night.json" "$tmp/repo/status.json"
git -C "$tmp/repo" add status.json
git -C "$tmp/repo" -c user.name=T -c user.email=t@x commit -qm night1
git -C "$tmp/repo" -c user.name=T -c user.email=t@x commit -q --allow-empty -m other
# the current file: the two shards merged (the JSON report less its summary)
"$MANIFOLD" status "$data/night.json" "$data/shard1.json" --format json |
	jq 'del(.summary)' >"$tmp/repo/status.json"
(cd "$tmp/repo" && "$MANIFOLD" status status.json --since HEAD~1 --format markdown) >"$tmp/since.md"
diff -u "$data/since.md" "$tmp/since.md" || fail "--since markdown differs"; ok
set +e
(cd "$tmp/repo" && "$MANIFOLD" status status.json --since nosuchrev) 2>"$tmp/err" >/dev/null; rc=$?
set -e
[ $rc = 2 ] || fail "--since bad rev exit $rc"; ok
grep -q "status.json at nosuchrev: resolve: revspec 'nosuchrev' not found" "$tmp/err" || fail "bad rev message: $(cat "$tmp/err")"; ok
echo "status_report: $n passed, 0 failed"
