#!/usr/bin/env bash
# test_testing_doc_lists_every_test.sh — scripts/check-testing-doc (run by
# scripts/lint) holds docs/testing.md to the tests: on the tree as it is it
# passes; on a copy it names each kind of drift — a test without a row, a
# row for a test that does not exist, a test listed twice, a unit test's
# wrong count of cases, a fuzz target without a row, a test without its
# opening comment line — and --fix leaves a copy that passes; and every
# ctest name the docs give (`integration_doc_examples`, `unit_…`) is one
# ctest runs (a directory of tests once fell out of the suite unseen).
# Needs no manifold binary.
source "$(dirname "$0")/lib.sh"

check=$MANIFOLD_SOURCE_DIR/scripts/check-testing-doc
tree=$TEST_TMP/tree

# run_check ARGS... — sets OUT (stderr) and RC
run_check() {
	RC=0
	OUT=$("$check" --root "$tree" "$@" 2>&1 >/dev/null) || RC=$?
}

# A copy of what the check reads.
mkdir -p "$tree/docs" "$tree/tests"
cp "$MANIFOLD_SOURCE_DIR/docs/testing.md" "$tree/docs/"
cp -r "$MANIFOLD_SOURCE_DIR/tests/unit" "$MANIFOLD_SOURCE_DIR/tests/integration" "$MANIFOLD_SOURCE_DIR/tests/doc" "$tree/tests/"
mkdir -p "$tree/tests/fuzz"
cp "$MANIFOLD_SOURCE_DIR"/tests/fuzz/fuzz_*.c "$tree/tests/fuzz/"

run_check
assert_eq "$RC:$OUT" "0:" "the tree as it is"

# Each kind of drift, each named.
printf '#!/usr/bin/env bash\n# test_new_thing.sh — a new thing holds.\n' >"$tree/tests/integration/test_new_thing.sh"
rm "$tree/tests/integration/test_prune.sh"
awk '/^\| `test_reg_ref.c`/ {print} {print}' "$tree/docs/testing.md" >"$tree/doc" && mv "$tree/doc" "$tree/docs/testing.md"
sed -i 's/^\(| `test_farm_plan.c` | .*\) | [0-9]* |$/\1 | 99 |/' "$tree/docs/testing.md"
printf '/* test_reg_extra.c — more cases. */\nvoid f(void) { cmocka_unit_test(a); cmocka_unit_test_setup_teardown(b, s, t); }\n' \
	>"$tree/tests/unit/test_reg_extra.c"
sed -i '2s/^# test_alert_rules.sh — /# /' "$tree/tests/integration/test_alert_rules.sh"
cp "$tree/tests/fuzz/fuzz_reg_ref.c" "$tree/tests/fuzz/fuzz_reg_other.c"

run_check
assert_eq "$RC" 1 "drift fails the check"
want="check-testing-doc: tests/integration/test_alert_rules.sh: no opening comment \"test_alert_rules.sh — ...\"
check-testing-doc: docs/testing.md: lists test_prune.sh, which is not a file of tests/integration/
check-testing-doc: docs/testing.md: tests/integration/test_new_thing.sh has no row
check-testing-doc: docs/testing.md: test_farm_plan.c has $(grep -cE 'cmocka_unit_test\w*\s*\(' "$tree/tests/unit/test_farm_plan.c") cases, its row says '99'
check-testing-doc: docs/testing.md: test_reg_ref.c is listed twice
check-testing-doc: docs/testing.md: tests/unit/test_reg_extra.c has no row
check-testing-doc: docs/testing.md: tests/fuzz/fuzz_reg_other.c has no row in the fuzz table"
assert_eq "$OUT" "$want" "each drift named once"

# --fix: rows added (text from the opening comment, count of cases), the
# missing test's row and the second row dropped, the count corrected; what
# it cannot write (the comment, the fuzz table) is left to a person.
sed -i '2s/^# /# test_alert_rules.sh — /' "$tree/tests/integration/test_alert_rules.sh"
rm "$tree/tests/fuzz/fuzz_reg_other.c"
run_check --fix
assert_eq "$RC" 1 "--fix still says what it found"
run_check
assert_eq "$RC:$OUT" "0:" "after --fix"
assert_contains "$(cat "$tree/docs/testing.md")" '| `test_new_thing.sh` | a new thing holds. |' "a new row from the comment"
assert_contains "$(cat "$tree/docs/testing.md")" '| `test_reg_extra.c` | more cases. | 2 |' "a new unit row with its count"
assert_eq "$(grep -c '^| `test_reg_ref.c`' "$tree/docs/testing.md")" 1 "one row left"
assert_eq "$(grep -c '^| `test_prune.sh`' "$tree/docs/testing.md")" 0 "the row of a missing test dropped"

# Every ctest name README.md and docs/ give is registered in the build
# ctest runs: a lost add_subdirectory drops its tests without a failure.
if [ -n "${MANIFOLD_BUILD_DIR:-}" ]; then
	known=$(ctest --test-dir "$MANIFOLD_BUILD_DIR" -N | sed -n 's/^ *Test *#[0-9]*: //p')
	names=$(grep -rhoE '`(integration|unit)_[a-z0-9_]+`' "$MANIFOLD_SOURCE_DIR/README.md" "$MANIFOLD_SOURCE_DIR/docs" |
		tr -d '`' | sort -u)
	assert_contains "$names" integration_doc_examples "the docs name the doc examples' test"
	for name in $names; do
		grep -qx "$name" <<<"$known" || fail "the docs name ctest $name, which $MANIFOLD_BUILD_DIR does not register"
	done
fi
