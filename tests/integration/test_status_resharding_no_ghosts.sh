#!/usr/bin/env bash
# test_status_resharding_no_ghosts.sh — a night of 10 shards, then one of 4
# with a tag dropped from the config, both with a file per shard
# (status/shard-I.json): shard files of the old sharding stay in the
# repository, and `manifold status status/shard-*.json` leaves them out,
# saying which and why, so the dropped tag is not reported; each file says
# which sharding wrote it; -c CONFIG leaves out what CONFIG no longer has.
# The same re-sharding on one shared file drops the tag from the file. A
# shard index out of range (--shard, JOB_COMPLETION_INDEX) exits 2 with the
# range and where the index came from, before anything is sent.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/shards_lib.sh"
SHARDS_BIN=$MANIFOLD # 10 processes: the build under test

registry_start
seed_names img 12 v1 linux/amd64
names=("${NAMES[@]}")
seed_arches gone v1 linux/amd64 --seed resharding-gone
images_yaml v1 "${names[@]}" gone | config_write "$TEST_TMP/night1.yaml" --platforms linux/amd64
images_yaml v1 "${names[@]}" | config_write "$TEST_TMP/night2.yaml" --platforms linux/amd64
d1=sha256:$(sha256sum "$TEST_TMP/night1.yaml" | cut -d' ' -f1)
d2=sha256:$(sha256sum "$TEST_TMP/night2.yaml" | cut -d' ' -f1)
want=$(printf "$REGISTRY/%s:v1\n" "${names[@]}" | LC_ALL=C sort | paste -sd,)

# ---- shard index out of range: exit 2, nothing sent ----------------------------
before=$(log_mark)
mf_expect 2 publish -c "$TEST_TMP/night1.yaml" --status "$TEST_TMP/x.json" --shard 5/4
assert_contains "$MF_ERR" '--shard "5/4": shard index 5 out of range: 4 shards are numbered 0..3' "5/4"
mf_expect 2 publish -c "$TEST_TMP/night1.yaml" --status "$TEST_TMP/x.json" --shard 4/4
assert_contains "$MF_ERR" '--shard "4/4": shard index 4 out of range: 4 shards are numbered 0..3' "4/4"
JOB_COMPLETION_INDEX=4 JOB_COMPLETIONS=4 mf_expect 2 check -c "$TEST_TMP/night1.yaml"
assert_contains "$MF_ERR" "shard index out of range: JOB_COMPLETION_INDEX=4 (the Indexed Job's pod index) is not in 0..3, the indexes of JOB_COMPLETIONS=4 shards; keep JOB_COMPLETIONS equal to the Job's spec.completions" \
	"JOB_COMPLETION_INDEX"
assert_eq "$(log_count_since "$before" "[A-Z]+")" 0 "requests sent by the runs that exited 2"
[ ! -e "$TEST_TMP/x.json" ] || fail "a status file was written"

# ---- a file per shard: 10 shards, then 4 and a tag dropped --------------------
shards_remote "$TEST_TMP/remote.git"
shards_clone "$TEST_TMP/remote.git" 10
shards_publish 10 "$TEST_TMP/night1.yaml" "status/shard-{i}.json"
shards_assert_exit 10 0
shards_clone "$TEST_TMP/remote.git" 4
shards_publish 4 "$TEST_TMP/night2.yaml" "status/shard-{i}.json"
shards_assert_exit 4 0

git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/reader" 2>/dev/null
cd "$TEST_TMP/reader"
assert_eq "$(ls status | sort -V | paste -sd' ')" \
	"$(for i in $(seq 0 9); do printf 'shard-%d.json ' "$i"; done | sed 's/ $//')" \
	"the old sharding's files are still there"
assert_eq "$(jq -c .shard status/shard-2.json)" "{\"index\":2,\"count\":4,\"config_digest\":\"$d2\"}" \
	"a new shard file says which sharding wrote it"
assert_eq "$(jq -c .shard status/shard-7.json)" "{\"index\":7,\"count\":10,\"config_digest\":\"$d1\"}" \
	"an old one too"
# the shell's glob order (shard-0, shard-1, shard-10?, …): any order gives the same report
mf_expect 0 status -o json status/shard-*.json
assert_eq "$(jq -r '[.targets[].target] | join(",")' <<<"$MF_OUT")" "$want" \
	"the report has the config's targets, not the dropped one"
assert_eq "$(jq -r '[.targets[].state | select(. != "published" and . != "unchanged")] | length' <<<"$MF_OUT")" 0 \
	"every target green"
for i in 4 5 6 7 8 9; do
	assert_contains "$MF_ERR" "manifold status: status/shard-$i.json left out: shard $i/10 of config ${d1:0:19}, run finished " \
		"shard-$i.json left out"
done
assert_contains "$MF_ERR" "the latest sharding is status/shard-" "the reason names the latest sharding"
assert_contains "$MF_ERR" "(shard " "…and what it is"
assert_contains "$MF_ERR" "/4 of config ${d2:0:19}, run finished" "…4 shards of the new config"
assert_eq "$(grep -c 'left out' <<<"$MF_ERR")" 6 "only the six old files are left out"
assert_not_contains "$MF_OUT" "gone" "the dropped tag"
mf_expect 0 status status/shard-*.json
assert_not_contains "$MF_OUT" "gone:v1" "the table has no dropped tag either"

# one shard of the latest sharding missing: said, not hidden
mf_expect 0 status -o json status/shard-0.json status/shard-1.json status/shard-3.json
assert_contains "$MF_ERR" "no file of shard 2/4 (the latest sharding) was given: its targets are not in the report" \
	"a missing shard"

# -c CONFIG: a target it no longer has is left out, and said so
images_yaml v1 "${names[@]:1}" | config_write "$TEST_TMP/night3.yaml" --platforms linux/amd64
mf_expect 0 status -o json -c "$TEST_TMP/night3.yaml" status/shard-*.json
want3=$(printf "$REGISTRY/%s:v1\n" "${names[@]:1}" | LC_ALL=C sort | paste -sd,)
assert_eq "$(jq -r '[.targets[].target] | join(",")' <<<"$MF_OUT")" "$want3" "-c: only CONFIG's targets"
assert_contains "$MF_ERR" "target not in $TEST_TMP/night3.yaml left out ($REGISTRY/${names[0]}:v1)" "-c: what was left out"
assert_contains "$MF_ERR" "$TEST_TMP/night3.yaml is not the config the latest sharding ran" "-c: another config"
mf_expect 0 status -o json -c "$TEST_TMP/night2.yaml" status/shard-*.json
assert_eq "$(jq -r '[.targets[].target] | join(",")' <<<"$MF_OUT")" "$want" "-c with the night's config"
assert_not_contains "$MF_ERR" "is not the config" "-c: the same config"
mf_expect 2 status -c "$TEST_TMP/missing.yaml" status/shard-0.json
cd "$TEST_TMP"

# ---- one shared file: the dropped tag leaves the file ---------------------------
shards_remote "$TEST_TMP/shared.git"
shards_clone "$TEST_TMP/shared.git" 10
shards_publish 10 "$TEST_TMP/night1.yaml" status/release.json
shards_assert_exit 10 0
git -C "$TEST_TMP/shared.git" show main:status/release.json >"$TEST_TMP/shared1.json"
assert_contains "$(jq -r '[.targets[].target] | join(",")' "$TEST_TMP/shared1.json")" "$REGISTRY/gone:v1" "night 1 has the tag"
shards_clone "$TEST_TMP/shared.git" 4
shards_publish 4 "$TEST_TMP/night2.yaml" status/release.json
shards_assert_exit 4 0
git -C "$TEST_TMP/shared.git" show main:status/release.json >"$TEST_TMP/shared2.json"
assert_eq "$(jq -r '[.targets[].target] | join(",")' "$TEST_TMP/shared2.json")" "$want" "night 2: the dropped tag is gone"
assert_eq "$(jq -r '.shard.count' "$TEST_TMP/shared2.json")" 4 "the shared file's last writer's sharding"
