#!/usr/bin/env bash
# test_git_publish.sh — publish --commit --push end to end: libgit2 writes,
# the git CLI reads back. The commit changes only the status file and keeps a
# staged unrelated change staged; a rerun changes only last_run; two shards
# (an Indexed Job's pods) racing to push to one bare remote both land.
source "$(dirname "$0")/lib.sh"

registry_start
for name in alpha beta gamma delta; do
	seed_arches "$name" v1 linux/amd64 linux/arm64 --seed "git-$name"
done
seed_arches omega v1 linux/amd64 --seed git-omega # arm64 comes later

export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP
git init -q --bare -b main "$TEST_TMP/remote.git"
git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/wt" 2>/dev/null
wt=$TEST_TMP/wt
config_write "$wt/release.yaml" --platforms "linux/amd64, linux/arm64" --status status/release.json <<EOF
images:
  - {name: alpha, tags: [v1]}
  - {name: beta, tags: [v1]}
  - {name: gamma, tags: [v1]}
  - {name: delta, tags: [v1]}
  - {name: omega, tags: [v1]}
EOF
# the config's `status:` is relative to the working directory: run in the work tree
cd "$wt"
echo one >"$wt/notes.txt"
git -C "$wt" add release.yaml notes.txt
git -C "$wt" -c user.name=Dev -c user.email=dev@x commit -qm init
git -C "$wt" push -q origin main
# an unrelated change, staged, then modified again in the work tree
echo two >"$wt/notes.txt"
git -C "$wt" add notes.txt
echo three >"$wt/notes.txt"

MANIFOLD_NOW=2026-11-21T03:00:00Z mf_expect 3 publish -c "$wt/release.yaml" --commit --push \
	--author "Night Job <night@example.org>"
assert_eq "$(git -C "$wt" log -1 --format='%an <%ae>|%s')" \
	"Night Job <night@example.org>|manifold: 4 published, 0 unchanged, 1 incomplete, 0 failed" "subject"
assert_eq "$(git -C "$wt" log -1 --format=%b | grep . | sort | tr '\n' ';')" \
	"$REGISTRY/alpha:v1: none -> published;$REGISTRY/beta:v1: none -> published;$REGISTRY/delta:v1: none -> published;$REGISTRY/gamma:v1: none -> published;$REGISTRY/omega:v1: none -> incomplete;" "body"
assert_eq "$(git -C "$wt" show --stat --format= HEAD | head -1 | awk '{print $1}')" "status/release.json" "stat"
assert_eq "$(git -C "$wt" show --stat --format= HEAD | wc -l)" "2" "one file changed"
assert_eq "$(git -C "$wt" status --porcelain)" "MM notes.txt" "staged change kept"
assert_eq "$(git -C "$wt" show :notes.txt)" "two" "index content kept"
assert_eq "$(git -C "$TEST_TMP/remote.git" rev-parse main)" "$(git -C "$wt" rev-parse HEAD)" "pushed"

# ---- a rerun with nothing new: the commit's diff is last_run only ----------
MANIFOLD_NOW=2026-11-22T03:00:00Z mf_expect 3 publish -c "$wt/release.yaml" --commit --push
changed=$(git -C "$wt" diff HEAD~1 HEAD -U0 | grep '^[-+] ' |
	grep -v '^[-+] *"\(started\|finished\|published\|unchanged\|last_success\)": ' || true)
assert_eq "$changed" "" "rerun changes only last_run"
assert_eq "$(git -C "$wt" log -1 --format=%an)" "manifold" "default author"
assert_eq "$(git -C "$wt" status --porcelain)" "MM notes.txt" "still only the staged change"

# ---- two shards racing to one remote ----------------------------------------
for i in 0 1; do
	git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/pod$i" 2>/dev/null
done
seed "omega-arm64:v1" --platform linux/arm64 --seed git-omega-arm >/dev/null
pods=()
for i in 0 1; do
	(
		set +e
		cd "$TEST_TMP/pod$i"
		MANIFOLD_NOW=2026-11-23T03:00:0${i}Z "$MANIFOLD" publish -c "$TEST_TMP/pod$i/release.yaml" \
			--shard "$i/2" --commit --push >"$TEST_TMP/pod$i.out" 2>"$TEST_TMP/pod$i.err"
		echo $? >"$TEST_TMP/pod$i.rc"
	) &
	pods+=($!)
done
wait "${pods[@]}" # not a bare wait: the registry runs in the background too
for i in 0 1; do
	sed "s/^/pod$i| /" "$TEST_TMP/pod$i.err" >&2
	assert_eq "$(cat "$TEST_TMP/pod$i.rc")" "0" "pod $i exit"
done
git -C "$TEST_TMP/remote.git" show main:status/release.json >"$TEST_TMP/final.json"
assert_eq "$(jq -r '[.targets[] | .target + "=" + .state] | join(",")' "$TEST_TMP/final.json" | sed "s|$REGISTRY/||g")" \
	"alpha:v1=published,beta:v1=published,delta:v1=published,gamma:v1=published,omega:v1=published" \
	"every shard's targets kept; omega published"
assert_eq "$(git -C "$TEST_TMP/remote.git" log --format=%s -5 main | grep -c '^manifold:')" "4" \
	"both shard commits landed on top of the two nights"
echo "git_publish: passed"
