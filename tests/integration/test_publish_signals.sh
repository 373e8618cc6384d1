#!/usr/bin/env bash
# test_publish_signals.sh — SIGTERM in the middle of a --commit --push run:
# no new target starts, the status file records every list the registry now
# holds, the commit (pushed) says the run was interrupted, git fsck is clean
# and the exit is 143. SIGINT while a list PUT is in flight lets it finish
# (exit 130); a PUT that does not finish within --grace is abandoned (and
# recorded as written, not confirmed); a second signal exits at once.
source "$(dirname "$0")/lib.sh"

registry_start
seed_names sig 8 v1 linux/amd64 linux/arm64
names=("${NAMES[@]}")
seed_arches solo v1 linux/amd64 --seed signal-solo
export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP

ms_now() { echo $(($(date +%s%N) / 1000000)); }

# signal_and_finish NAME SIGNAL... — send each SIGNAL (0.3 s apart), then
# finish_mf NAME; WAITED is the time from the last signal to the exit.
signal_and_finish() {
	local name=$1 sig t0
	shift
	for sig in "$@"; do
		[ -z "${t0:-}" ] || sleep 0.3
		kill "-$sig" "$MF_PID"
		t0=$(ms_now)
	done
	finish_mf "$name"
	WAITED=$(($(ms_now) - t0))
	echo "$name: ${WAITED} ms from the last signal to the exit" >&2
}

# ---- SIGTERM mid-way through a --commit --push run --------------------------
slowproxy_start --name slow --upstream "$REGISTRY" --delay 'GET /v2/.*/manifests/.*:300'
git init -q --bare -b main "$TEST_TMP/remote.git"
git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/wt" 2>/dev/null
wt=$TEST_TMP/wt
git -C "$wt" -c user.name=Dev -c user.email=dev@x commit -q --allow-empty -m init
git -C "$wt" push -q origin main
cfg=$TEST_TMP/release.yaml
images_yaml v1 "${names[@]}" | config_write "$cfg" --registry "$PROXY_SLOW" --platforms "linux/amd64, linux/arm64"

start_mf term publish -c "$cfg" --status "$wt/status/release.json" --push -j 1
# Once the first list is in place the run is mid-way.
wait_for "a first list PUT" 400 grep -qE '"PUT /v2/sig[0-9]/manifests/v1 ' "$REGISTRY_LOG"
kill -TERM "$MF_PID"
finish_mf term
assert_eq "$MF_RC" 143 "exit after SIGTERM"
assert_contains "$MF_ERR" "manifold: stopping: no new target is started" "the signal is acknowledged"
st=$wt/status/release.json
published=$(jq '[.targets[] | select(.state == "published")] | length' "$st")
[ "$published" -ge 1 ] && [ "$published" -lt 8 ] || fail "$published published: want the run cut mid-way"
assert_eq "$(jq '.targets | length' "$st")" "$published" "nothing else recorded (no target failed)"
assert_contains "$MF_OUT" ", $((8 - published)) not reached (stopped: signal)" "summary"
for n in "${names[@]}"; do
	rec=$(jq -r --arg t "$PROXY_SLOW/$n:v1" '.targets[] | select(.target == $t) | .digest' "$st")
	tags=$(skopeo list-tags --tls-verify=false --no-creds "docker://$REGISTRY/$n" 2>/dev/null | jq -r '.Tags[]' || true)
	if [ "$tags" = v1 ]; then
		assert_eq "$rec" "$(skopeo_digest "$REGISTRY/$n:v1")" "$n: the list the registry holds is recorded"
	else
		assert_eq "$rec" "" "$n: no list, no record"
	fi
done
left=$((8 - published)) targets=targets
[ "$left" != 1 ] || targets=target
assert_eq "$(git -C "$wt" log -1 --format=%s)" \
	"manifold: $published published, 0 unchanged, 0 incomplete, 0 failed (interrupted by SIGTERM: $left $targets not reached)" \
	"the commit says the run was interrupted"
assert_eq "$(git -C "$TEST_TMP/remote.git" rev-parse main)" "$(git -C "$wt" rev-parse HEAD)" "and it was pushed"
git -C "$wt" fsck --no-progress >/dev/null 2>&1 || fail "git fsck of the work tree"
git -C "$TEST_TMP/remote.git" fsck --no-progress >/dev/null 2>&1 || fail "git fsck of the remote"
assert_eq "$(git -C "$wt" status --porcelain)" "" "work tree clean"

# ---- SIGINT while the list PUT is in flight: it finishes ------------------------
# The PUT is held 5 s: on a loaded machine the signal may come a few seconds
# after the PUT began, and the run must still be seen waiting for it.
slowproxy_start --name put --upstream "$REGISTRY" --delay 'PUT /v2/solo/manifests/v1:5000'
config_write "$TEST_TMP/solo.yaml" --registry "$PROXY_PUT" --platforms "linux/amd64" <<YAML
images:
  - {name: solo, tags: [v1]}
YAML
start_mf int publish -c "$TEST_TMP/solo.yaml" --status "$TEST_TMP/solo.json"
# The child is in place (its PUT by digest answered): the list PUT is next, held by the proxy.
wait_for "the child manifest PUT" 400 grep -qE '"PUT /v2/solo/manifests/sha256:[0-9a-f]+ HTTP/1.1" 201' "$REGISTRY_LOG"
sleep 0.3
signal_and_finish int INT
assert_eq "$MF_RC" 130 "exit after SIGINT"
[ "$WAITED" -ge 1000 ] || fail "exited after ${WAITED} ms: the PUT in flight was not waited for"
assert_eq "$(status_target "$TEST_TMP/solo.json" "$PROXY_PUT/solo:v1" .state)" '"published"' "the list written is recorded"
assert_eq "$(status_target "$TEST_TMP/solo.json" "$PROXY_PUT/solo:v1" .digest | jq -r .)" \
	"$(skopeo_digest "$REGISTRY/solo:v1")" "with the digest the registry holds"

# ---- a list PUT that never finishes: abandoned after --grace; a second signal exits at once ----
slowproxy_start --name stall --upstream "$REGISTRY" --stall 'PUT /v2/solo/manifests/v2'
seed_arches solo v2 linux/amd64 --seed signal-solo-2
config_write "$TEST_TMP/solo2.yaml" --registry "$PROXY_STALL" --platforms "linux/amd64" <<YAML
images:
  - {name: solo, tags: [v2]}
YAML
start_mf grace publish -c "$TEST_TMP/solo2.yaml" --status "$TEST_TMP/solo2.json" --grace 1s
wait_for "the stalled list PUT" 400 grep -q 'PUT /v2/solo/manifests/v2 stall' "$PROXY_STALL_LOG"
signal_and_finish grace TERM
assert_eq "$MF_RC" 143 "exit after the grace"
# At least the grace (a lower bound, which load cannot break); that it was
# abandoned, not timed out, shows in the summary: not reached, not failed.
[ "$WAITED" -ge 800 ] || fail "exited after ${WAITED} ms, before the 1 s grace"
# The PUT was sent (journalled first): recorded as written, not confirmed.
assert_eq "$(jq -c '[.targets[] | {state, unconfirmed}]' "$TEST_TMP/solo2.json")" \
	'[{"state":"published","unconfirmed":true}]' "the abandoned PUT is recorded as not confirmed"
assert_eq "$(jq '.last_run.published' "$TEST_TMP/solo2.json")" 0 "and not counted as published"
ls "$TEST_TMP"/solo2.json.journal.* >/dev/null 2>&1 && fail "the journal is left after the status file was written"
assert_contains "$MF_OUT" "0 published, 0 unchanged, 0 incomplete, 0 failed, 1 not reached (stopped: signal)" "summary"

start_mf twice publish -c "$TEST_TMP/solo2.yaml" --status "$TEST_TMP/solo3.json"
stalls_are() { [ "$(grep -c 'PUT /v2/solo/manifests/v2 stall' "$PROXY_STALL_LOG")" = "$1" ]; }
wait_for "the stalled list PUT again" 400 stalls_are 2
signal_and_finish twice TERM TERM
assert_eq "$MF_RC" 143 "exit on the second signal"
# At once: the run did not wait out the grace and write its status file.
[ ! -e "$TEST_TMP/solo3.json" ] || fail "a status file was written after the second signal"
ls "$TEST_TMP"/solo3.json.journal.* >/dev/null 2>&1 || fail "no journal kept the PUT the second signal cut"
