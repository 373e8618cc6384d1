#!/usr/bin/env bash
# test_shards_http_all_land.sh — 16 shards, each in its own clone of one
# status repository served over smart HTTP (`git http-backend` behind Basic
# auth, githttp.py), all pushing one shared status file at the same time:
# every pod exits 0 and the remote's file holds all 16 records; the push
# attempts' distribution is printed. A push the server keeps refusing (a
# pre-receive hook) is retried until SIGTERM, which ends the retries at
# once (exit 143), or until the run's --deadline and --grace (exit 1), each
# saying so.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/k8s_lib.sh"
source "$LIB_DIR/shards_lib.sh"

N=16
shards_config "$N" app%02d shards-http-base
githttp_start
status_remote_init 1
export MANIFOLD_GIT_USERNAME=$K8S_GIT_USER MANIFOLD_GIT_PASSWORD=$K8S_GIT_TOKEN

# pods clone the bare repository, then push over HTTP as the Job's pods do
shards_clone "$STATUS_REMOTE" "$N"
for ((i = 0; i < N; i++)); do git -C "$TEST_TMP/pod$i" remote set-url origin "$STATUS_URL"; done
shards_publish "$N" "$TEST_TMP/release.yaml" status/release.json -j 2
shards_assert_exit "$N" 0
git -C "$STATUS_REMOTE" show main:status/release.json >"$TEST_TMP/final.json"
assert_eq "$(jq '[.targets[] | select(.state == "published")] | length' "$TEST_TMP/final.json")" "$N" \
	"every shard's record on the remote"
assert_eq "$(git -C "$STATUS_REMOTE" rev-list --count main)" "$((N + 1))" "one commit per shard"
! grep -lF "$K8S_GIT_TOKEN" "$TEST_TMP"/pod*.err "$TEST_TMP/final.json" || fail "a pod's log leaks the token"
attempts=$(shards_attempts "$N")
assert_eq "$(wc -l <<<"$attempts")" "$N" "one 'pushed' line per pod"
echo "push attempts, $N shards over smart HTTP, one file: $(shards_distribution <<<"$attempts")" >&2

# ---- a server that refuses every push --------------------------------------------
refuse=$GIT_HTTP_ROOT/release/refuse.git
git clone -q --bare "$STATUS_REMOTE" "$refuse" 2>/dev/null
printf '#!/bin/sh\necho "status repository is frozen" >&2\nexit 1\n' >"$refuse/hooks/pre-receive"
chmod +x "$refuse/hooks/pre-receive"
git clone -q "$refuse" "$TEST_TMP/frozen" 2>/dev/null
git -C "$TEST_TMP/frozen" remote set-url origin "$GIT_HTTP_URL/release/refuse.git"
cd "$TEST_TMP/frozen"

# SIGTERM while retrying: the retries end, the run exits 143
"$MANIFOLD" publish -c "$TEST_TMP/release.yaml" --status status/release.json --push \
	>"$TEST_TMP/term.out" 2>"$TEST_TMP/term.err" &
pid=$!
_LIB_PIDS+=("$pid")
refused_twice() { [ "$(grep -c 'rejected' "$TEST_TMP/term.err")" -ge 2 ]; }
wait_for "two refused pushes" 600 refused_twice
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
sed 's/^/term| /' "$TEST_TMP/term.err" >&2
assert_eq "$rc" 143 "exit after SIGTERM while retrying"
assert_contains "$(cat "$TEST_TMP/term.err")" "(not a fast-forward); retrying stopped by SIGTERM" "why it stopped"
assert_eq "$(git -C "$refuse" rev-parse main)" "$(git -C "$STATUS_REMOTE" rev-parse main)" "nothing landed"

# --deadline: the retries end at the deadline plus the grace
mf_expect 1 publish -c "$TEST_TMP/release.yaml" --status status/release.json --push --deadline 2s --grace 1s
assert_contains "$MF_ERR" "(not a fast-forward); retrying stopped at the run's deadline" "why it stopped"
