#!/usr/bin/env bash
# test_journal_keeps_killed_runs_lists.sh — a first publish of 40 targets
# × 3 platforms killed with SIGKILL mid-way writes no status file, yet
# every list the registry then holds is in its journal: with the registry
# stopped, `manifold status FILE -o json` shows each one with its digest
# (and folds the journal into the file). Restarted, the next publish
# publishes the rest and confirms the lists it finds by digest.
source "$(dirname "$0")/lib.sh"

registry_start
seed_night jn 40 v1 linux/amd64 linux/arm64/v8 linux/s390x
names=("${NAMES[@]}")
port=${REGISTRY##*:}
root=$REGISTRY_DIR/root
# 2 × 15 ms a round trip: slow enough to be killed mid-way
delayproxy_start --upstream "$REGISTRY" --delay-ms 15
cfg=$TEST_TMP/night.yaml
images_yaml v1 "${names[@]}" |
	config_write "$cfg" --registry "$PROXY" --platforms "linux/amd64, linux/arm64/v8, linux/s390x"
st=$TEST_TMP/status/night.json

need_manifold
"$MANIFOLD" publish -c "$cfg" --status "$st" -j 4 >"$TEST_TMP/kill.out" 2>"$TEST_TMP/kill.err" &
pid=$!
_LIB_PIDS+=("$pid")
outcomes() { cat "$st".journal.* 2>/dev/null | grep -c '"kind": "outcome"' || true; }
at_least() { [ "$(outcomes)" -ge "$1" ]; }
wait_for "6 targets journalled" 1200 at_least 6
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
[ ! -e "$st" ] || fail "the killed run wrote a status file"
journals=$(ls "$st".journal.* | wc -l)
assert_eq "$journals" 1 "the killed run left its journal"

# What the registry holds now, read from it directly.
declare -A held=()
for n in "${names[@]}"; do
	d=$(curl -sI -H "Accept: $MT_LIST, $MT_OCI_INDEX" "$REGISTRY_URL/v2/$n/manifests/v1" |
		tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" {print $2}')
	[ -z "$d" ] || held[$n]=$d
done
echo "killed after $(outcomes) outcomes; the registry holds ${#held[@]} lists" >&2
[ "${#held[@]}" -ge 6 ] && [ "${#held[@]}" -lt 40 ] || fail "${#held[@]} lists held: want the run cut mid-way"

# ---- the registry stopped: status reads the journal alone -------------------
registry_stop
mf_expect 0 status "$st" -o json
echo "$MF_OUT" >"$TEST_TMP/status.json"
for n in "${!held[@]}"; do
	assert_eq "$(jq -r --arg t "$PROXY/$n:v1" '.targets[] | select(.target == $t) | "\(.state) \(.digest)"' \
		"$TEST_TMP/status.json")" "published ${held[$n]}" "$n: the list the registry holds is shown"
done
# Anything else recorded is a PUT journalled but not confirmed (the kill
# came before it was answered or read back).
while read -r t unconfirmed; do
	n=${t#"$PROXY/"}
	n=${n%:v1}
	[ -n "${held[$n]:-}" ] || assert_eq "$unconfirmed" true "$t: not in the registry, recorded as not confirmed"
done < <(jq -r '.targets[] | "\(.target) \(.unconfirmed // false)"' "$TEST_TMP/status.json")
recorded=$(jq '.targets | length' "$TEST_TMP/status.json")
[ "$recorded" -ge "${#held[@]}" ] || fail "$recorded records for ${#held[@]} lists"
# status folded the journal in: the file is written, the journal gone
[ -e "$st" ] || fail "status did not write the folded status file"
assert_eq "$(ls "$st".journal.* 2>/dev/null | wc -l)" 0 "the journal is removed once folded"
assert_eq "$(jq '.targets | length' "$st")" "$recorded" "the file holds what status showed"
declare -A since=()
for n in "${!held[@]}"; do
	since[$n]=$(status_target "$st" "$PROXY/$n:v1" .since)
done

# ---- restarted: publish the rest, confirm what is there ---------------------
registry_start --name again --port "$port" --root "$root"
mf_expect 0 publish -c "$cfg" --status "$st" -j 8
assert_eq "$(jq '[.targets[] | select(.state == "published")] | length' "$st")" 40 "every target published"
assert_eq "$(jq '[.targets[] | select(.unconfirmed)] | length' "$st")" 0 "nothing left unconfirmed"
for n in "${!held[@]}"; do
	assert_eq "$(status_target "$st" "$PROXY/$n:v1" .digest | jq -r .)" "${held[$n]}" "$n: same list"
	assert_eq "$(status_target "$st" "$PROXY/$n:v1" .since)" "${since[$n]}" "$n: found, not published again"
done
for n in "${!held[@]}" "${names[39]}"; do
	assert_eq "$(list_verify "$n" v1 linux/amd64 linux/arm64/v8 linux/s390x)" ok "$n:v1 in the registry"
done
assert_eq "$(ls "$st".journal.* 2>/dev/null | wc -l)" 0 "a finished run leaves no journal"
