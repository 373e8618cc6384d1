#!/usr/bin/env bash
# test_demo_runs.sh — scripts/demo, as a new user runs it, ends as it says:
# publish exits 3 (coredns incomplete, on purpose), kube-proxy's list is in
# the registry, the HTML report is written, and the demo exits 0 with no FAIL
# line.
source "$(dirname "$0")/lib.sh"

out=$TEST_TMP/demo.out
rc=0
MANIFOLD=$MANIFOLD bash "$MANIFOLD_SOURCE_DIR/scripts/demo" >"$out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { tail -n 30 "$out" >&2; fail "scripts/demo exited $rc"; }
assert_contains "$(cat "$out")" "exit 3: every ready target published; coredns is incomplete, as intended" "publish's exit"
assert_contains "$(cat "$out")" "demo: done" "the demo's own verdict"
assert_eq "$(grep -c '^FAIL' "$out" || true)" 0 "no FAIL line"
assert_eq "$(grep -cE 'HTML report: .*report\.html \([0-9]+ bytes, self-contained\)' "$out" || true)" 1 "the report is written and its size shown"
# Night 2 writes nothing.
assert_contains "$(cat "$out")" ", 0 writes" "the unchanged night"
