#!/usr/bin/env bash
# test_status_split_commits_what_changed.sh — a split status file
# (status-layout: split) in real git with a bare remote: the header and one
# part per image; an unchanged night commits only the header's last_run; a
# night where one target changed commits that part and the header; one
# file -> split -> one file keeps every record and the commits say so; the
# history over split commits is the history of the same nights in one
# file; a write cut short between two parts (an error, SIGKILL) loses no
# record; two shards racing to push one split file both land (the second
# merged); a word that is not a layout is refused at its place.
source "$(dirname "$0")/lib.sh"

registry_start
for name in alpha beta gamma delta epsilon; do
	seed_arches "$name" v1 linux/amd64 linux/arm64 --seed "split-$name"
done
seed_arches alpha v2 linux/amd64 linux/arm64 --seed split-alpha2
seed_arches cobalt v1 linux/amd64 linux/arm64 --seed split-cobalt

export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP
git init -q --bare -b main "$TEST_TMP/remote.git"
git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/wt" 2>/dev/null
wt=$TEST_TMP/wt
write_config() { # LAYOUT [IMAGE...]
	local layout=$1
	shift
	config_write "$wt/release.yaml" --platforms "linux/amd64, linux/arm64" --status status/release.json <<EOF
images:
$(for i in "$@"; do echo "  - {name: $i, tags: [v1]}"; done)
  - {name: alpha, tags: [v1, v2]}
  - {name: beta, tags: [v1]}
  - {name: gamma, tags: [v1]}
  - {name: delta, tags: [v1]}
  - {name: epsilon, tags: [v1]}
status-layout: $layout
EOF
}
cd "$wt"
# a word that is not a layout: exit 2 at its place, nothing sent or written
write_config splitt
mf_expect 2 publish -c "$wt/release.yaml" --commit
assert_eq "$MF_ERR" "manifold publish: $wt/release.yaml:$(grep -n '^status-layout' release.yaml | cut -d: -f1):16: status-layout: \"splitt\" is not a status layout: want auto, one-file or split" "the error names the place"
assert_eq "$(test -e status && echo there || echo nothing)" "nothing" "nothing written"
write_config one-file
git add release.yaml
git -c user.name=Dev -c user.email=dev@x commit -qm init
host=${REGISTRY/:/_} # a part's path: bytes outside [A-Za-z0-9._-] as _
night=0
publish() { # [manifold option...]
	night=$((night + 1))
	MANIFOLD_NOW=2026-11-$((10 + night))T03:00:00Z mf_expect 0 publish -c "$wt/release.yaml" \
		--commit --push "$@"
}
targets_json() { # the merged records, as manifold status reads them
	mf_expect 0 status status/release.json -o json
	jq -S '.targets' <<<"$MF_OUT"
}

# ---- night 1: one file ------------------------------------------------------
publish
assert_eq "$(jq '.targets | length' status/release.json)" "6" "one file holds the targets"
targets_json >"$TEST_TMP/one.json"

# ---- night 2: split (the migration commit says so) ---------------------------
write_config split
publish
assert_eq "$(jq -r '.parts' status/release.json)" "release.d" "the header names its parts"
assert_eq "$(jq 'has("targets")' status/release.json)" "false" "no targets in the header"
assert_eq "$(cd status/release.d && find . -type f | sort | tr '\n' ' ')" \
	"./$host/alpha.json ./$host/beta.json ./$host/delta.json ./$host/epsilon.json ./$host/gamma.json " \
	"one part per image"
assert_eq "$(jq -c '[keys[]]' "status/release.d/$host/alpha.json")" '["schema","targets"]' "a part's keys"
assert_eq "$(jq -r '[.targets[].target] | join(" ")' "status/release.d/$host/alpha.json")" \
	"$REGISTRY/alpha:v1 $REGISTRY/alpha:v2" "a part's targets, sorted"
assert_contains "$(git log -1 --format=%b)" \
	"The status file is split: its 6 targets are in 5 parts in release.d/" "migration body"
assert_eq "$(git show --stat --format= HEAD | grep -c '|')" "6" "header + 5 parts in the commit"
targets_json >"$TEST_TMP/split.json"
# this night's records are the first night's (an unchanged night keeps them)
assert_eq "$(diff "$TEST_TMP/one.json" "$TEST_TMP/split.json" && echo same)" "same" "split keeps every record"
assert_eq "$(git status --porcelain -- status)" "" "work tree and index clean after the split commit"
assert_eq "$(git -C "$TEST_TMP/remote.git" rev-parse main)" "$(git rev-parse HEAD)" "pushed"
mf_expect 0 status status/release.json
assert_contains "$MF_OUT" "6 targets" "manifold status reads the split file"

# ---- night 3: unchanged: only the header's last_run --------------------------
publish
assert_eq "$(git diff HEAD~1 HEAD --numstat | cut -f3)" "status/release.json" "only the header changed"
changed=$(git diff HEAD~1 HEAD -U0 | grep '^[-+] ' |
	grep -v '^[-+] *"\(started\|finished\|published\|unchanged\|last_success\)": ' || true)
assert_eq "$changed" "" "the header's diff is last_run alone"
assert_eq "$(git log -1 --format=%b)" "" "an unchanged night's body is empty"

# ---- night 4: one target changed: its part and the header --------------------
seed_arches gamma v1 linux/amd64 linux/arm64 --seed split-gamma-rebuilt
publish
assert_eq "$(git diff HEAD~1 HEAD --numstat | cut -f3 | sort | tr '\n' ' ')" \
	"status/release.d/$host/gamma.json status/release.json " "the changed part and the header"
assert_eq "$(git log -1 --format=%b | grep .)" "$REGISTRY/gamma:v1: published -> published" "body"
assert_eq "$(git status --porcelain -- status)" "" "clean after a one-part commit"
# --since reads the split file at a revision (its header and parts)
mf_expect 0 status status/release.json --since HEAD~1 -o json
assert_eq "$(jq -r '[.since.newly_published[].target] | join(" ")' <<<"$MF_OUT")" "$REGISTRY/gamma:v1" \
	"--since HEAD~1: the one changed target"

# ---- a write cut short between two parts loses no record ---------------------
# cobalt is new and its part cannot be written (a directory stands in its
# place): alpha's and beta's parts are on disk (beta's new), delta's and
# the later ones are the old ones, the header is the old one; the run's
# records are in its journal.
seed_arches beta v1 linux/amd64 linux/arm64 --seed split-beta-rebuilt
seed_arches epsilon v1 linux/amd64 linux/arm64 --seed split-epsilon-rebuilt
write_config split cobalt
mkdir "status/release.d/$host/cobalt.json"
night=$((night + 1))
MANIFOLD_NOW=2026-11-$((10 + night))T03:00:00Z mf_expect 1 publish -c "$wt/release.yaml" --commit
assert_contains "$MF_ERR" "status/release.d/$host/cobalt.json: not a regular file" "the error names the part"
assert_contains "$MF_ERR" "kept in the journal" "the records are kept"
assert_eq "$(jq -r '.targets[0].digest' "status/release.d/$host/beta.json")" "$(skopeo_digest "$REGISTRY/beta:v1")" \
	"beta's part (before cobalt's) is written"
assert_eq "$(cat "status/release.d/$host/epsilon.json")" "$(git show "HEAD:status/release.d/$host/epsilon.json")" \
	"epsilon's part (after cobalt's) is the old one"
assert_eq "$(cat status/release.json)" "$(git show HEAD:status/release.json)" "the header is the old one"
rmdir "status/release.d/$host/cobalt.json"
# read: the journal folded in, every record there
mf_expect 0 status status/release.json -o json
for name in beta cobalt epsilon; do
	assert_eq "$(jq -r --arg t "$REGISTRY/$name:v1" '.targets[] | select(.target == $t) | .digest' <<<"$MF_OUT")" \
		"$(skopeo_digest "$REGISTRY/$name:v1")" "$name's new list is recorded"
done
# the next night writes every part and commits them
publish
assert_eq "$(git diff HEAD~1 HEAD --numstat | cut -f3 | sort | tr '\n' ' ')" \
	"status/release.d/$host/beta.json status/release.d/$host/cobalt.json status/release.d/$host/epsilon.json status/release.json " \
	"the next night commits the changed parts"
for name in beta cobalt epsilon; do
	assert_eq "$(jq -r '.targets[0].digest' "status/release.d/$host/$name.json")" \
		"$(skopeo_digest "$REGISTRY/$name:v1")" "$name's part holds the new list"
done
assert_eq "$(ls "$wt/status" | grep -c journal || true)" "0" "journal folded and removed"
targets_json >"$TEST_TMP/after-cut.json"

# ---- SIGKILL between two part writes loses no record --------------------------
# charlie is new and its part's path is a FIFO: the writer blocks opening
# it, after alpha's part (rebuilt) is written and before gamma's (rebuilt).
seed_arches charlie v1 linux/amd64 linux/arm64 --seed split-charlie
seed_arches alpha v1 linux/amd64 linux/arm64 --seed split-alpha-rebuilt
seed_arches gamma v1 linux/amd64 linux/arm64 --seed split-gamma-rebuilt-again
write_config split cobalt charlie
mkfifo "status/release.d/$host/charlie.json"
night=$((night + 1))
alpha_old=$(jq -r --arg t "$REGISTRY/alpha:v1" '.targets[] | select(.target == $t) | .digest' "status/release.d/$host/alpha.json")
[ -n "$alpha_old" ] || fail "no digest for alpha:v1"
MANIFOLD_NOW=2026-11-$((10 + night))T03:00:00Z start_mf killed publish -c "$wt/release.yaml" --commit
wait_for "alpha's part written" 1200 sh -c "! grep -q '$alpha_old' 'status/release.d/$host/alpha.json'"
kill -KILL "$MF_PID"
finish_mf killed
assert_eq "$MF_RC" "137" "killed"
assert_eq "$(cat status/release.json)" "$(git show HEAD:status/release.json)" "the header is the old one"
assert_eq "$(cat "status/release.d/$host/gamma.json")" "$(git show "HEAD:status/release.d/$host/gamma.json")" \
	"gamma's part (after charlie's) is the old one"
rm "status/release.d/$host/charlie.json"
mf_expect 0 status status/release.json -o json
for ref in alpha:v1 charlie:v1 gamma:v1; do
	assert_eq "$(jq -r --arg t "$REGISTRY/$ref" '.targets[] | select(.target == $t) | .digest' <<<"$MF_OUT")" \
		"$(skopeo_digest "$REGISTRY/$ref")" "$ref: the killed run's record is read"
done
publish
assert_eq "$(git diff HEAD~1 HEAD --numstat | cut -f3 | sort | tr '\n' ' ')" \
	"status/release.d/$host/alpha.json status/release.d/$host/charlie.json status/release.d/$host/gamma.json status/release.json " \
	"the next night commits the killed run's parts"
for ref in alpha:v1 charlie:v1 gamma:v1; do
	assert_eq "$(jq -r --arg t "$REGISTRY/$ref" '.targets[] | select(.target == $t) | .digest' "status/release.d/$host/${ref%%:*}.json")" \
		"$(skopeo_digest "$REGISTRY/$ref")" "$ref's part holds the killed run's list"
done
assert_eq "$(ls "$wt/status" | grep -c journal || true)" "0" "the killed run's journal folded and removed"

# ---- two shards racing to push one split file: both land ----------------------
git add release.yaml
git -c user.name=Dev -c user.email=dev@x commit -qm "config: cobalt, charlie, split"
git push -q origin main
for i in 0 1; do
	git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/pod$i" 2>/dev/null
done
seed_arches alpha v2 linux/amd64 linux/arm64 --seed split-alpha2-rebuilt
seed_arches delta v1 linux/amd64 linux/arm64 --seed split-delta-rebuilt
pods=()
for i in 0 1; do
	(
		set +e
		cd "$TEST_TMP/pod$i"
		MANIFOLD_NOW=2026-11-$((11 + night))T03:00:0${i}Z "$MANIFOLD" publish -c "$TEST_TMP/pod$i/release.yaml" \
			--shard "$i/2" --commit --push >"$TEST_TMP/pod$i.out" 2>"$TEST_TMP/pod$i.err"
		echo $? >"$TEST_TMP/pod$i.rc"
	) &
	pods+=($!)
done
wait "${pods[@]}"
for i in 0 1; do
	sed "s/^/pod$i| /" "$TEST_TMP/pod$i.err" >&2
	assert_eq "$(cat "$TEST_TMP/pod$i.rc")" "0" "pod $i exit"
	assert_eq "$(git -C "$TEST_TMP/pod$i" status --porcelain -- status)" "" "pod $i clean"
done
# both cloned before either pushed: the second push is rejected and merged
assert_eq "$(cat "$TEST_TMP/pod0.err" "$TEST_TMP/pod1.err" | grep -c 'rejected; merging')" "1" "one push merged"
git -C "$TEST_TMP/pod0" pull -q --ff-only origin main 2>/dev/null
mf_expect 0 status "$TEST_TMP/pod0/status/release.json" -o json
for ref in alpha:v2 delta:v1; do
	assert_eq "$(jq -r --arg t "$REGISTRY/$ref" '.targets[] | select(.target == $t) | .digest' <<<"$MF_OUT")" \
		"$(skopeo_digest "$REGISTRY/$ref")" "$ref from the race is on the remote"
done
assert_eq "$(jq '.targets | length' <<<"$MF_OUT")" "8" "every target on the remote"
assert_eq "$(git -C "$TEST_TMP/pod0" ls-tree -r --name-only HEAD status | wc -l)" "8" "the header and 7 parts on the remote"
git pull -q --ff-only origin main 2>/dev/null
night=$((night + 2))
targets_json >"$TEST_TMP/after-cut.json"

# ---- back to one file (the commit says so) -----------------------------------
write_config one-file cobalt charlie
publish
assert_eq "$(jq '.targets | length' status/release.json)" "8" "one file again"
assert_eq "$(test -e status/release.d && echo there || echo gone)" "gone" "parts removed"
assert_contains "$(git log -1 --format=%b)" "The status file is one file again" "join body"
assert_eq "$(git ls-tree -r --name-only HEAD status | tr '\n' ' ')" "status/release.json " "parts gone from the tree"
assert_eq "$(git status --porcelain -- status)" "" "clean after the join"
targets_json >"$TEST_TMP/joined.json"
assert_eq "$(diff "$TEST_TMP/after-cut.json" "$TEST_TMP/joined.json" && echo same)" "same" "join keeps every record"

# ---- the history: split nights read as the same nights in one file ------------
# A second repository holds the same nights, each as one file (what
# manifold status -o json reads from the first one at that commit).
git init -q -b main "$TEST_TMP/flat"
mkdir -p "$TEST_TMP/flat/status"
for c in $(git rev-list --reverse --first-parent HEAD -- status); do
	rm -rf "$TEST_TMP/at" && mkdir "$TEST_TMP/at"
	git archive "$c" status | tar -x -C "$TEST_TMP/at"
	"$MANIFOLD" status "$TEST_TMP/at/status/release.json" -o json |
		jq 'del(.summary)' >"$TEST_TMP/flat/status/release.json"
	git -C "$TEST_TMP/flat" add status
	git -C "$TEST_TMP/flat" -c user.name=Dev -c user.email=dev@x commit -qm "night $c"
done
mf_expect 0 status status/release.json --history -o json
jq -S 'del(.nights[].commit)' <<<"$MF_OUT" >"$TEST_TMP/h-split.json"
assert_eq "$(jq '.nights | length' "$TEST_TMP/h-split.json")" "$(git rev-list --first-parent HEAD -- status | wc -l)" "one night per commit"
mf_expect 0 status "$TEST_TMP/flat/status/release.json" --history -o json
jq -S 'del(.nights[].commit)' <<<"$MF_OUT" >"$TEST_TMP/h-flat.json"
assert_eq "$(diff "$TEST_TMP/h-split.json" "$TEST_TMP/h-flat.json" && echo same)" "same" \
	"the history of split commits is the history of the same nights in one file"
# and a second time, from the cache
mf_expect 0 status status/release.json --history -o json
assert_eq "$(jq -S 'del(.nights[].commit)' <<<"$MF_OUT" | diff - "$TEST_TMP/h-split.json" && echo same)" "same" \
	"the history from the cache"
echo "ok"
