#!/usr/bin/env bash
# test_publish_signal_while_recording.sh — a SIGTERM that comes after the
# targets are done still ends the run as a SIGTERM: exit 143, not 0.
# While the run waits for the status lock (another process holds
# <status>.lock), the wait ends within --grace with the error saying so,
# long before the holder lets go (SIGINT: exit 130); nothing is written,
# the metrics report no success that was not recorded, and the next run
# finds the list it pushed. While the push of the status commit is under
# way (a smart-HTTP remote that holds the push), the status file is
# written and committed with the run's records and the exit is 143; the
# remote has the old head or the new one, never anything else.
source "$(dirname "$0")/lib.sh"
need flock

registry_start
seed_arches solo v1 linux/amd64 --seed late-signal-solo
seed_arches duo v1 linux/amd64 --seed late-signal-duo
export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP
config_write "$TEST_TMP/solo.yaml" --platforms "linux/amd64" <<YAML
images:
  - {name: solo, tags: [v1]}
YAML

# ---- SIGTERM while waiting for the status lock ------------------------------
st=$TEST_TMP/status/solo.json
mkdir -p "$TEST_TMP/status"
# Another writer holds the lock and does not let go until the test says so.
lock_hold "$st.lock"

start_mf lock publish -c "$TEST_TMP/solo.yaml" --status "$st" --grace 1s --metrics-file "$TEST_TMP/lock.prom"
wait_for "the wait for the status lock" 1200 grep -q "waiting for $st.lock" "$TEST_TMP/lock.err"
kill -TERM "$MF_PID"
finish_mf lock
assert_eq "$MF_RC" 143 "SIGTERM during the lock wait exits 143"
kill -0 "$LOCK_HOLDER" 2>/dev/null || fail "the run ended only once the lock holder had let go"
assert_contains "$MF_ERR" "manifold: waiting for $st.lock (another manifold run is writing $st), at most 120 s" \
	"the wait is logged"
assert_contains "$MF_ERR" "manifold publish: status file $st not written: $st: stopped while waiting for $st.lock (another manifold run is writing this status file); nothing written; 1 published target is not in it: its record is kept in the journal $st.journal." \
	"the error says why nothing was written, and where the record is kept"
[ ! -e "$st" ] || fail "a status file was written without the lock"
# The metrics tell the status file as it stands: no success recorded yet.
grep -q '^manifold_targets{state="published"} 1$' "$TEST_TMP/lock.prom" || fail "the metrics count the run's target"
! grep -q '^manifold_last_success_timestamp_seconds' "$TEST_TMP/lock.prom" ||
	fail "a run that recorded nothing reports a last success"
assert_contains "$MF_OUT" "1 published, 0 unchanged, 0 incomplete, 0 failed, 0 not reached (stopped: signal)" \
	"the report says what was done and that a signal stopped it"
assert_eq "$(skopeo_digest "$REGISTRY/solo:v1" | cut -c1-7)" "sha256:" "the list was pushed before the wait"
# SIGINT is 130, the same way.
start_mf lockint publish -c "$TEST_TMP/solo.yaml" --status "$st" --grace 1s
wait_for "the second wait for the status lock" 1200 grep -q "waiting for $st.lock" "$TEST_TMP/lockint.err"
kill -INT "$MF_PID"
finish_mf lockint
assert_eq "$MF_RC" 130 "SIGINT during the lock wait exits 130"
kill -0 "$LOCK_HOLDER" 2>/dev/null || fail "the SIGINT run ended only once the lock holder had let go"
[ ! -e "$st" ] || fail "a status file was written without the lock"
lock_release
# The next run folds in the stopped runs' journals (the list they pushed
# is recorded as published) and its HEAD finds the list in place.
mf_expect 0 publish -c "$TEST_TMP/solo.yaml" --status "$st"
assert_eq "$(status_target "$st" "$REGISTRY/solo:v1" .state)" '"published"' "recorded from the journal"
ls "$st".journal.* >/dev/null 2>&1 && fail "a journal is left after the next run wrote the file"
assert_contains "$MF_OUT" "0 published, 1 unchanged" "the next run found it in place"

# ---- SIGTERM while the status commit is being pushed -------------------------
dir=$TEST_TMP/githttp
mkdir -p "$dir/root"
GIT_USER=night GIT_TOKEN=tok-$RANDOM$RANDOM
python3 "$LIB_DIR/githttp.py" --root "$dir/root" --user "$GIT_USER:$GIT_TOKEN" \
	--port-file "$dir/port" --log "$dir/access.log" --hold-push "$TEST_TMP/release-push" \
	>"$dir/err" 2>&1 &
_LIB_PIDS+=($!)
wait_for "git http server" 200 test -s "$dir/port"
remote=$dir/root/status.git
git init -q --bare -b main "$remote"
git clone -q "$remote" "$TEST_TMP/wt" 2>/dev/null
wt=$TEST_TMP/wt
git -C "$wt" -c user.name=Dev -c user.email=dev@x commit -q --allow-empty -m init
git -C "$wt" push -q origin main
old_head=$(git -C "$remote" rev-parse main)
git -C "$wt" remote set-url origin "http://127.0.0.1:$(cat "$dir/port")/status.git"
config_write "$TEST_TMP/duo.yaml" --platforms "linux/amd64" <<YAML
images:
  - {name: duo, tags: [v1]}
YAML

MANIFOLD_GIT_USERNAME=$GIT_USER MANIFOLD_GIT_PASSWORD=$GIT_TOKEN \
	start_mf push publish -c "$TEST_TMP/duo.yaml" --status "$wt/status/duo.json" --push --grace 1s
wait_for "the push held by the remote" 1200 grep -q 'POST /status.git/git-receive-pack held' "$dir/access.log"
kill -TERM "$MF_PID"
touch "$TEST_TMP/release-push"
finish_mf push
assert_eq "$MF_RC" 143 "SIGTERM during the push exits 143"
assert_contains "$MF_ERR" "manifold: stopping: no new target is started" "the signal is acknowledged"
assert_eq "$(status_target "$wt/status/duo.json" "$REGISTRY/duo:v1" .state)" '"published"' \
	"the status file has the run's record"
assert_eq "$(status_target "$wt/status/duo.json" "$REGISTRY/duo:v1" .digest | jq -r .)" \
	"$(skopeo_digest "$REGISTRY/duo:v1")" "with the digest the registry holds"
assert_eq "$(git -C "$wt" log -1 --format=%s)" "manifold: 1 published, 0 unchanged, 0 incomplete, 0 failed" \
	"the commit was made (the targets were all done before the signal)"
assert_eq "$(git -C "$wt" show HEAD:status/duo.json)" "$(cat "$wt/status/duo.json")" "the commit holds the file"
remote_head=$(git -C "$remote" rev-parse main)
[ "$remote_head" = "$old_head" ] || [ "$remote_head" = "$(git -C "$wt" rev-parse HEAD)" ] ||
	fail "the remote's main is $remote_head: neither the old head nor the run's commit"
git -C "$remote" fsck --no-progress >/dev/null 2>&1 || fail "git fsck of the remote"
