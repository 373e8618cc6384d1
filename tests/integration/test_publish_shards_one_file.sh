#!/usr/bin/env bash
# test_publish_shards_one_file.sh — two shards started at the same time on
# one status file keep every record of both: the read–merge–write happens
# under the file's lock, on the file as the other shard left it. Without
# --commit, then with --commit into one repository, where the second commit
# lists only its own targets (no "published -> removed" for the first's).
# A writer that cannot get the lock in time gives up with a message and
# writes nothing; temporary files a killed writer left are removed.
source "$(dirname "$0")/lib.sh"

registry_start
seed_names img 12 v1 linux/amd64
names=("${NAMES[@]}")
for n in "${names[@]}"; do
	seed_arches "$n" v2 linux/amd64 --seed "$n-v2"
done
export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP
cfg=$TEST_TMP/release.yaml
images_yaml v1 "${names[@]}" | config_write "$cfg" --platforms "linux/amd64"
sed 's/tags: \[v1\]/tags: [v2]/' "$cfg" >"$TEST_TMP/release2.yaml"

# shards_at_once CONFIG STATUS-FILE ARGS... — shard 0/2 and 1/2 started together; both must exit 0.
shards_at_once() {
	local c=$1 st=$2 pids=() i
	shift 2
	for i in 0 1; do
		(
			set +e
			"$MANIFOLD" publish -c "$c" --status "$st" --shard "$i/2" "$@" \
				>"$TEST_TMP/shard$i.out" 2>"$TEST_TMP/shard$i.err"
			echo $? >"$TEST_TMP/shard$i.rc"
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in 0 1; do
		sed "s/^/shard$i| /" "$TEST_TMP/shard$i.err" >&2
		assert_eq "$(cat "$TEST_TMP/shard$i.rc")" 0 "shard $i exit"
	done
}

want=$(printf "$REGISTRY/%s:v1=published\n" "${names[@]}" | LC_ALL=C sort | paste -sd,)
want2=${want//:v1=/:v2=}
records() { jq -r '[.targets[] | .target + "=" + .state] | join(",")' "$1"; }

# ---- without --commit ---------------------------------------------------------
st=$TEST_TMP/plain/status.json
mkdir -p "$TEST_TMP/plain"
: >"$TEST_TMP/plain/status.json.tmp.Ab12Cd" # what a killed writer leaves
: >"$TEST_TMP/plain/status.json.tmp.keep"   # not a name the writer makes
shards_at_once "$cfg" "$st"
assert_eq "$(records "$st")" "$want" "both shards' records in one file"
[ ! -e "$TEST_TMP/plain/status.json.tmp.Ab12Cd" ] || fail "a stale temporary file is left"
[ -e "$TEST_TMP/plain/status.json.tmp.keep" ] || fail "a file that is not the writer's was removed"
[ ! -e "$TEST_TMP/plain/status.json.lock" ] || fail "the lock file is left behind"

# ---- with --commit into one repository -------------------------------------------
repo=$TEST_TMP/repo
git init -q -b main "$repo"
git -C "$repo" -c user.name=Dev -c user.email=dev@x commit -q --allow-empty -m init
shards_at_once "$TEST_TMP/release2.yaml" "$repo/status/release.json" --commit
assert_eq "$(records "$repo/status/release.json")" "$want2" "both shards' records committed"
assert_eq "$(git -C "$repo" status --porcelain)" "" "work tree clean (no lock or temp file)"
git -C "$repo" fsck --no-progress 2>&1 | grep -v '^Checking' >&2 || true
git -C "$repo" fsck --no-progress >/dev/null 2>&1 || fail "git fsck"
assert_eq "$(git -C "$repo" log --format=%s main | grep -c '^manifold: ')" 2 "one commit per shard"
assert_eq "$(git -C "$repo" log --format=%s main | awk '/^manifold: / { n += $2 } END { print n }')" 12 \
	"the two subjects count every target once"
bodies=$(git -C "$repo" log -2 --format=%b main)
assert_not_contains "$bodies" "removed" "no commit drops the other shard's records"
assert_eq "$(grep -c ': none -> published$' <<<"$bodies")" 12 "each target listed once, by its own shard"
git -C "$repo" show main:status/release.json >"$TEST_TMP/committed.json"
assert_eq "$(records "$TEST_TMP/committed.json")" "$want2" "HEAD holds every record"

# ---- a lock held too long: nothing written, a message says why --------------------
before=$(cat "$st")
lock_hold "$st.lock"
MANIFOLD_STATUS_LOCK_WAIT=1 mf_expect 1 publish -c "$cfg" --status "$st"
assert_contains "$MF_ERR" "$st: another manifold run is writing this status file ($st.lock held for 1 s); nothing written" \
	"lock timeout message"
assert_eq "$(cat "$st")" "$before" "the file is untouched"
lock_release
