#!/usr/bin/env bash
# test_valgrind_publish.sh — the integration path is valgrind-clean: a
# first publish (GET, verify, mount, PUT) and an unchanged rerun of the
# plain (non-sanitizer) build under memcheck, with no error and no definite
# leak. scripts/test points MANIFOLD_PLAIN at build-release/manifold; with
# no plain build the test is skipped (exit 77), not failed.
plain=${MANIFOLD_PLAIN:-${MANIFOLD_SOURCE_DIR:-.}/build-release/manifold}
if [ ! -x "$plain" ]; then
	echo "SKIP: test_valgrind_publish: no plain build at $plain (scripts/test builds build-release/)"
	exit 77
fi
source "$(dirname "$0")/lib.sh"

need valgrind

registry_start
seed_arches vg v1 linux/amd64 linux/arm64/v8 --seed vg
seed_arches vgmiss v1 linux/amd64 --seed vgmiss # no linux/arm64/v8

cfg=$TEST_TMP/vg.yaml
config_write "$cfg" <<EOF
images:
  - {name: vg, tags: [v1], extra-tags: [latest]}
  - {name: vgmiss, tags: [v1]}
EOF

MANIFOLD=$(command -v valgrind)
for night in 1 2; do
	mf -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite "$plain" publish -c "$cfg" --status "$TEST_TMP/status.json" -j 4
	[ "$MF_RC" != 97 ] || fail "night $night: valgrind reported errors"
	assert_eq "$MF_RC" 3 "night $night exit (vgmiss is incomplete)"
done
assert_eq "$(jq -r '.last_run | "\(.published) \(.unchanged) \(.incomplete)"' "$TEST_TMP/status.json")" \
	"0 1 1" "night 2 counts"
echo "test_valgrind_publish: ok"
