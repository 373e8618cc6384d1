#!/usr/bin/env bash
# test_journal_unconfirmed_put.sh — a run killed between a list PUT and its
# read-back (a proxy holds the read-back HEAD) left only the PUT's intent
# in its journal: the next publish folds it in and confirms the list by
# the tag's digest without writing it again; `manifold status` shows such a
# record as published, written and not confirmed, with its digest.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches solo v1 linux/amd64 --seed journal-solo-1
seed_arches solo v2 linux/amd64 --seed journal-solo-2
# every HEAD of the two tags waits 1.5 s: the read-back after the PUT too
slowproxy_start --name rb --upstream "$REGISTRY" --delay 'HEAD /v2/solo/manifests/v[12]:1500'

# kill_after_put TAG STATUS — publish solo:TAG, SIGKILL it once the
# registry has answered the list PUT (its read-back is held).
kill_after_put() {
	local tag=$1 st=$2 pid
	config_write "$TEST_TMP/$tag.yaml" --registry "$PROXY_RB" --platforms "linux/amd64" <<YAML
images:
  - {name: solo, tags: [$tag]}
YAML
	need_manifold
	"$MANIFOLD" publish -c "$TEST_TMP/$tag.yaml" --status "$st" >"$TEST_TMP/$tag.out" 2>&1 &
	pid=$!
	_LIB_PIDS+=("$pid")
	wait_for "the $tag list PUT" 600 grep -qE "\"PUT /v2/solo/manifests/$tag HTTP/1.1\" 201" "$REGISTRY_LOG"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	[ ! -e "$st" ] || fail "the killed run wrote $st"
	assert_eq "$(cat "$st".journal.* | grep -c '"kind": "intent"')" 1 "$tag: the PUT's intent is journalled"
	assert_eq "$(cat "$st".journal.* | grep -c '"kind": "outcome"' || true)" 0 "$tag: and no outcome"
}

# ---- the next publish folds the intent in and confirms it by digest --------------
st1=$TEST_TMP/status/one.json
kill_after_put v1 "$st1"
d1=$(skopeo_digest "$REGISTRY/solo:v1")
at=$(jq -r .at "$st1".journal.*)
assert_eq "$(jq -r .record.digest "$st1".journal.*)" "$d1" "the intent names the digest the registry holds"
mf_expect 0 publish -c "$TEST_TMP/v1.yaml" --status "$st1"
assert_contains "$MF_ERR" "$st1: 1 record from the journal of 1 run that did not record it (1 written, not confirmed) folded into the status file" \
	"the publish says what it folded in"
assert_contains "$MF_OUT" "0 published, 1 unchanged" "the list was found in place"
assert_eq "$(grep -cE '"PUT /v2/solo/manifests/v1 HTTP/1.1"' "$REGISTRY_LOG")" 1 "and not written again"
assert_eq "$(status_target "$st1" "$PROXY_RB/solo:v1" '"\(.state) \(.digest) \(.since) \(.unconfirmed)"' | jq -r .)" \
	"published $d1 $at null" "confirmed: published since the PUT, no longer unconfirmed"
assert_eq "$(ls "$st1".journal.* 2>/dev/null | wc -l)" 0 "no journal left"

# ---- status shows what a killed run wrote and never confirmed ------------------
st2=$TEST_TMP/status/two.json
kill_after_put v2 "$st2"
d2=$(skopeo_digest "$REGISTRY/solo:v2")
mf_expect 0 status "$st2"
assert_contains "$MF_OUT" "$PROXY_RB/solo:v2  published" "table: published"
assert_contains "$MF_OUT" "written, not confirmed (the next publish reads the tag)" "table: not confirmed"
mf_expect 0 status "$st2" -o json
assert_eq "$(echo "$MF_OUT" | jq -c --arg t "$PROXY_RB/solo:v2" '.targets[] | select(.target == $t) | [.state, .digest, .unconfirmed]')" \
	"[\"published\",\"$d2\",true]" "json: published, its digest, unconfirmed"
assert_eq "$(echo "$MF_OUT" | jq .summary.unconfirmed)" 1 "json summary counts it"
assert_eq "$(status_target "$st2" "$PROXY_RB/solo:v2" .unconfirmed)" true "folded into the file"
assert_eq "$(jq .last_run.finished "$st2")" null "a killed run is no last run"
