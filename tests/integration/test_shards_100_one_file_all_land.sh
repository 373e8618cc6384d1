#!/usr/bin/env bash
# test_shards_100_one_file_all_land.sh — 100 shards of one night, each in
# its own clone of one bare remote, all running `publish --shard I/100
# --commit --push` on the one shared status file at the same time: every
# pod exits 0, the remote's file holds all 100 records, every pod's clone
# is left clean (its index and work tree follow the branch it pushed). The
# push attempts' distribution is printed for docs/kubernetes.md.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/shards_lib.sh"

N=100
shards_config "$N" app%03d shards-base

shards_remote "$TEST_TMP/remote.git"
shards_clone "$TEST_TMP/remote.git" "$N"
shards_publish "$N" "$TEST_TMP/release.yaml" status/release.json -j 2
shards_assert_exit "$N" 0

git -C "$TEST_TMP/remote.git" show main:status/release.json >"$TEST_TMP/final.json"
assert_eq "$(jq '[.targets[] | select(.state == "published")] | length' "$TEST_TMP/final.json")" "$N" \
	"every shard's record on the remote"
assert_eq "$(jq -r '.targets[0].target, .targets[-1].target' "$TEST_TMP/final.json" | paste -sd' ')" \
	"$REGISTRY/app001:v1 $REGISTRY/app100:v1" "first and last target"
shards_assert_landed "$N" "$N shards, one file"
