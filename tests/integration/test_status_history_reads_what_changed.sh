#!/usr/bin/env bash
# test_status_history_reads_what_changed.sh — a night of `manifold status
# --history` costs work for what changed that night, counted in units that do
# not depend on the machine (MANIFOLD_HISTORY_DEBUG): on 30 nights of 200
# targets (20 images × 10 tags) where one target changes each night, split
# into parts, a cold read reads the 20 parts once and then the one part that
# changed each night, parses each record once and then the one record that
# changed, and takes up 200 + 29 targets; a second read takes every version
# from the summary cache, reads no part and parses no record, and writes the
# same bytes. On 150 nights (more than one window of parts read ahead) the
# work is still the change. Four targets a night: the parts read are the parts git says
# each commit changed, all of them from the pack files; repacked by git
# (deep and shallow delta chains) the same history for the same work, and
# with a pack index of version 1 the same again, every part then read by
# libgit2. Made a part at a time (the bench's fixture) the same commits
# and the same history. The same nights as one file give the same history
# (but for commit ids), and every night's states are those `manifold status`
# reads from that commit's checkout.
. "$(dirname "$0")/lib.sh"
export MANIFOLD_NOW=2026-11-22T09:00:00Z GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP
gen=$MANIFOLD_SOURCE_DIR/tests/integration/status_history.py

# history DIR OUT: the JSON history of DIR's status file; stderr's debug
# line in OUT.err (without the "manifold status: " prefix)
history() {
	MANIFOLD_HISTORY_DEBUG=1 "$MANIFOLD" status "$1/status/release.json" --history -o json \
		--output-file "$2" 2>"$2.err.full"
	sed -n 's/^manifold status: //p' "$2.err.full" >"$2.err"
}

# night_states REPO JSON NIGHT [TARGETS] — the history JSON's states of
# NIGHT (1 the oldest) are `manifold status` of that night's checkout (and
# there are TARGETS of them).
night_states() {
	local at=$TEST_TMP/at-$(basename "$1")-$3 rev
	rev=$(git -C "$1" rev-list --reverse HEAD | sed -n "${3}p")
	git -C "$1" worktree add -q "$at" "$rev"
	"$MANIFOLD" status "$at/status/release.json" -o json |
		jq -c '[.targets[] | [.target, .state]] | sort' >"$at.want"
	jq -c --argjson k $(($3 - 1)) '[.targets[] | [.target, .states[$k]]] | sort' "$2" >"$at.got"
	cmp -s "$at.want" "$at.got" || fail "$(basename "$1") night $3: the history's states are not the checkout's"
	[ -z "${4:-}" ] || assert_eq "$(jq length "$at.got")" "$4" "night $3: targets"
}

# ---- one target a night, split: the work is the change
python3 "$gen" --bench --split --change 0.005 --nights 30 --targets 200 --tags 10 "$TEST_TMP/one"
assert_eq "$(git -C "$TEST_TMP/one" rev-list --count HEAD)" 30 "fixture: nights"
changed=$(git -C "$TEST_TMP/one" log --format= --name-only -- status/release.d | grep -c .)
assert_eq "$changed" 49 "fixture: part files changed (20 on night 1, then one a night)"
history "$TEST_TMP/one" "$TEST_TMP/one.json"
assert_eq "$(cat "$TEST_TMP/one.json.err")" \
	"history: 30 nights; versions: 30 from git, 0 from the cache; 49 parts read (49 from the packs), 229 records parsed (0 in full), 0 parsed whole, 229 targets taken up" \
	"cold read of one change a night"
history "$TEST_TMP/one" "$TEST_TMP/one-warm.json"
assert_eq "$(cat "$TEST_TMP/one-warm.json.err")" \
	"history: 30 nights; versions: 0 from git, 30 from the cache; 0 parts read (0 from the packs), 0 records parsed (0 in full), 0 parsed whole, 229 targets taken up" \
	"warm read of one change a night"
cmp -s "$TEST_TMP/one.json" "$TEST_TMP/one-warm.json" || fail "the cached read differs from the cold one"
assert_eq "$(jq '[.nights[] | .published + .unchanged + .incomplete + .failed] | unique' -c "$TEST_TMP/one.json")" \
	"[200]" "every night counts 200 targets"

# ---- 150 nights, more than the 128 versions whose parts are read ahead at a
# time: a part's last version before the second window is read again to
# compare with, but counts as no part read and parses no record
python3 "$gen" --bench --split --change 0.005 --nights 150 --targets 200 --tags 10 "$TEST_TMP/long"
changed=$(git -C "$TEST_TMP/long" log --format= --name-only -- status/release.d | grep -c .)
assert_eq "$changed" 169 "fixture: part files changed (20 on night 1, then one a night)"
history "$TEST_TMP/long" "$TEST_TMP/long.json"
assert_eq "$(cat "$TEST_TMP/long.json.err")" \
	"history: 150 nights; versions: 150 from git, 0 from the cache; 169 parts read (169 from the packs), 349 records parsed (0 in full), 0 parsed whole, 349 targets taken up" \
	"cold read of 150 nights"
history "$TEST_TMP/long" "$TEST_TMP/long-warm.json"
cmp -s "$TEST_TMP/long.json" "$TEST_TMP/long-warm.json" || fail "150 nights: the cached read differs from the cold one"
for night in 128 129 150; do
	night_states "$TEST_TMP/long" "$TEST_TMP/long.json" "$night"
done

# ---- four targets a night: parts read are the parts that changed
python3 "$gen" --bench --split --change 0.02 --nights 30 --targets 200 --tags 10 "$TEST_TMP/four"
changed=$(git -C "$TEST_TMP/four" log --format= --name-only -- status/release.d | grep -c .)
history "$TEST_TMP/four" "$TEST_TMP/four.json"
assert_eq "$(cat "$TEST_TMP/four.json.err")" \
	"history: 30 nights; versions: 30 from git, 0 from the cache; $changed parts read ($changed from the packs), 316 records parsed (0 in full), 0 parsed whole, 316 targets taken up" \
	"cold read of four changes a night"

# ---- the same nights repacked by git (the fixture is fast-import's pack):
# the parts' blobs read from the pack files over git's delta chains (deep,
# shallow) give the same history for the same work; a pack whose index the
# reader does not read (version 1) is read by libgit2, alike
for how in "repack -adf --depth=50 --window=10" "repack -adf --depth=3 --window=250" \
	"-c pack.indexVersion=1 repack -adf"; do
	rm -rf "$TEST_TMP/packed"
	cp -r "$TEST_TMP/four" "$TEST_TMP/packed"
	rm -rf "$TEST_TMP/packed/.git/manifold"
	git -C "$TEST_TMP/packed" $how -q
	assert_eq "$(find "$TEST_TMP/packed/.git/objects" -type f ! -path '*/pack/*' ! -path '*/info/*' | wc -l)" \
		0 "$how: no loose object left"
	history "$TEST_TMP/packed" "$TEST_TMP/packed.json"
	want=$(cat "$TEST_TMP/four.json.err")
	case $how in -c*) want=${want/"($changed from the packs)"/"(0 from the packs)"} ;; esac
	assert_eq "$(cat "$TEST_TMP/packed.json.err")" "$want" "$how: the same work"
	cmp -s "$TEST_TMP/four.json" "$TEST_TMP/packed.json" || fail "$how: another history"
done
# ---- the same nights made a part at a time (--by-part, the bench's year):
# the same commits, each part's versions packed as deltas of one another,
# read from the packs for the same work and the same history
python3 "$gen" --bench --split --change 0.02 --nights 30 --targets 200 --tags 10 --by-part "$TEST_TMP/bypart"
assert_eq "$(git -C "$TEST_TMP/bypart" rev-parse HEAD)" "$(git -C "$TEST_TMP/four" rev-parse HEAD)" \
	"--by-part: the same commits"
history "$TEST_TMP/bypart" "$TEST_TMP/bypart.json"
assert_eq "$(cat "$TEST_TMP/bypart.json.err")" "$(cat "$TEST_TMP/four.json.err")" "--by-part: the same work"
cmp -s "$TEST_TMP/four.json" "$TEST_TMP/bypart.json" || fail "--by-part: another history"
# ---- the same nights as one file: the same history, records parsed alike
python3 "$gen" --bench --change 0.02 --nights 30 --targets 200 --tags 10 "$TEST_TMP/whole"
[ ! -d "$TEST_TMP/whole/status/release.d" ] || fail "fixture: one file has no parts"
history "$TEST_TMP/whole" "$TEST_TMP/whole.json"
assert_eq "$(cat "$TEST_TMP/whole.json.err")" \
	"history: 30 nights; versions: 30 from git, 0 from the cache; 0 parts read (0 from the packs), 316 records parsed (0 in full), 0 parsed whole, 316 targets taken up" \
	"cold read of one file"
nocommit='del(.nights[].commit)'
cmp -s <(jq -S "$nocommit" "$TEST_TMP/four.json") <(jq -S "$nocommit" "$TEST_TMP/whole.json") ||
	fail "split and one file give different histories"

# ---- each night's states are the checkout's
for night in 1 2 17 30; do
	night_states "$TEST_TMP/four" "$TEST_TMP/four.json" "$night" 200
done
