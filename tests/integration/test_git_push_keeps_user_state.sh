#!/usr/bin/env bash
# test_git_push_keeps_user_state.sh — a person's clone with a staged change,
# a modified file and an untracked one, while a colleague pushed a change to
# another file: publish --commit --push is rejected once, commits on the
# remote's head and lands; the person's staged change is still staged with
# its content, relative to the new HEAD, the colleague's file is in the index
# and the work tree, and a plain `git commit` afterwards does not revert the
# colleague's change. When the colleague changed the very file the person
# has staged, the retry stops, names it, and moves nothing.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 --seed keep-state-app
seed_arches app v2 linux/amd64 --seed keep-state-app2
export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP
images_yaml v1 app | config_write "$TEST_TMP/release.yaml" --platforms linux/amd64
images_yaml v2 app | config_write "$TEST_TMP/release2.yaml" --platforms linux/amd64
git() { command git -c user.name=Dev -c user.email=dev@example.com "$@"; }

git init -q --bare -b main "$TEST_TMP/remote.git"
git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/seed" 2>/dev/null
printf 'one\n' >"$TEST_TMP/seed/notes.txt"
printf 'a\n' >"$TEST_TMP/seed/other.txt"
printf 'x\n' >"$TEST_TMP/seed/local.txt"
git -C "$TEST_TMP/seed" add notes.txt other.txt local.txt
git -C "$TEST_TMP/seed" commit -qm init
git -C "$TEST_TMP/seed" push -q origin main
git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/colleague" 2>/dev/null
git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/wt" 2>/dev/null
wt=$TEST_TMP/wt

# the colleague pushes a change to other.txt; the person does not have it
printf 'colleague\n' >"$TEST_TMP/colleague/other.txt"
git -C "$TEST_TMP/colleague" commit -qam "colleague: other.txt"
git -C "$TEST_TMP/colleague" push -q origin main
colleague=$(git -C "$TEST_TMP/remote.git" rev-parse main)
# the person: notes.txt staged (two) and changed again (three), local.txt
# modified, not staged; an untracked file
printf 'two\n' >"$wt/notes.txt"
git -C "$wt" add notes.txt
printf 'three\n' >"$wt/notes.txt"
printf 'y\n' >"$wt/local.txt"
printf 'mine\n' >"$wt/scratch.txt"
before_porcelain=$(git -C "$wt" status --porcelain)
assert_eq "$before_porcelain" $' M local.txt\nMM notes.txt\n?? scratch.txt' "the person's state"

cd "$wt"
mf_expect 0 publish -c "$TEST_TMP/release.yaml" --status status/release.json --push
assert_contains "$MF_ERR" "git: push of main to origin rejected" "the first push is rejected"
assert_contains "$MF_ERR" "git: pushed main to origin, attempt 2," "the second lands"
assert_eq "$(git rev-parse HEAD~1)" "$colleague" "the status commit sits on the colleague's"
assert_eq "$(git -C "$TEST_TMP/remote.git" rev-parse main)" "$(git rev-parse HEAD)" "pushed"
assert_eq "$(git show --stat --format= HEAD | awk 'NR == 1 { print $1 }')" "status/release.json" \
	"the status commit changes only the status file"
assert_eq "$(git status --porcelain)" "$before_porcelain" "git status: the person's changes, nothing else"
assert_eq "$(git diff --cached --name-only)" "notes.txt" "staged: notes.txt only"
assert_eq "$(git show :notes.txt)" "two" "its staged content"
assert_eq "$(cat notes.txt) $(cat local.txt) $(cat scratch.txt)" "three y mine" "the work tree's changes"
assert_eq "$(git show :other.txt) $(cat other.txt)" "colleague colleague" \
	"the colleague's change in the index and the work tree"
assert_eq "$(git diff --cached HEAD -- other.txt)" "" "nothing staged reverts it"
git commit -qm "person: notes"
assert_eq "$(git show --name-only --format= HEAD)" "notes.txt" "the person's commit changes notes.txt only"
assert_eq "$(git show HEAD:other.txt) $(git show HEAD:notes.txt)" "colleague two" \
	"the colleague's change survives the person's commit"

# ---- the colleague changes the file the person has staged: nothing moves ------
git push -q origin main
git -C "$TEST_TMP/colleague" pull -q --no-rebase origin main
printf 'colleague notes\n' >"$TEST_TMP/colleague/notes.txt"
git -C "$TEST_TMP/colleague" commit -qam "colleague: notes.txt"
git -C "$TEST_TMP/colleague" push -q origin main
remote=$(git -C "$TEST_TMP/remote.git" rev-parse main)
printf 'four\n' >notes.txt
git add notes.txt
before_porcelain=$(git status --porcelain)
before_index=$(git ls-files -s)
mf_expect 1 publish -c "$TEST_TMP/release2.yaml" --status status/release.json --push
assert_contains "$MF_ERR" "the remote's main changed notes.txt, which has local changes here: the status commit stays local and unpushed, nothing else was moved" \
	"the retry names the path changed on both sides"
assert_eq "$(git -C "$TEST_TMP/remote.git" rev-parse main)" "$remote" "the remote is as the colleague left it"
assert_eq "$(git log -1 --format=%s HEAD)" "manifold: 1 published, 0 unchanged, 0 incomplete, 0 failed" \
	"the status commit is local"
assert_eq "$(git rev-parse HEAD~1)" "$(git rev-parse origin/main~1)" "on the person's own history"
assert_eq "$(git status --porcelain)" "$before_porcelain" "git status as before"
assert_eq "$(git ls-files -s | grep -v status/release.json)" "$(grep -v status/release.json <<<"$before_index")" \
	"the index as before (but the status file's entry)"
assert_eq "$(git show :notes.txt) $(cat notes.txt)" "four four" "the staged change"
