#!/usr/bin/env bash
# test_chaos_nights.sh — a short, fixed-seed run of the chaos checker
# (tests/chaos/chaos.py, docs/guarantees.md): two real registries, a
# random config and world drawn from seed 12, 20 nights of publish with
# rebuilds, platforms dropped/added/made optional, extra tags, children and
# lists deleted and tags overwritten from outside, retag, promotion, prune
# and two shards on one status file between them; after every step the
# independent verifier checks G1–G10 against the registries and the status
# file. Any violation fails the test with the seed, night, step, guarantee
# and evidence. The seed is fixed, so the same nights run every time;
# `scripts/chaos --seed 12 --nights 20 --images 2` replays it by hand
# (KEEP_TMP=1 keeps this test's work dir: registries, configs, the status
# file's repository, every run's output).
source "$(dirname "$0")/lib.sh"
need git

out=$TEST_TMP/chaos.out
rc=0
python3 "$MANIFOLD_SOURCE_DIR/tests/chaos/chaos.py" --manifold "$MANIFOLD" \
	--seed 12 --nights 20 --images 2 --workdir "$TEST_TMP" --keep-going >"$out" 2>&1 || rc=$?
cat "$out" >&2
summary=$(tail -n 3 "$out" | grep '^chaos: seed 12, 20 nights' || true)
[ -n "$summary" ] || fail "the checker did not finish 20 nights (exit $rc)"
# The run must have exercised the world, not only published: every kind
# of step the seed draws happened at least once.
for op in publish retag prune overwrite delete-child; do
	case "$op" in
	publish) n=$(grep -c '^night [0-9]*: publish' "$out" || true) ;;
	*) n=$(grep -c "^night [0-9]*: $op" "$out" || true) ;;
	esac
	[ "$n" -gt 0 ] || fail "seed 12 drew no $op step (the draw changed?)"
done
assert_contains "$summary" "violations: none" "guarantees held on every step"
assert_eq "$rc" 0 "chaos.py exit"
