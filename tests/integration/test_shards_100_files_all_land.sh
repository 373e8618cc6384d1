#!/usr/bin/env bash
# test_shards_100_files_all_land.sh — 100 shards of one night, each in its
# own clone of one bare remote, all running `publish --shard I/100 --commit
# --push` with a file of its own (status/shard-I.json, the layout of
# configs/k8s/indexed-job.yaml) at the same time: every pod exits 0, the
# remote holds all 100 files and `manifold status` over them all 100
# records, every pod's clone is left clean (the other shards' files it
# fetched are in its work tree and index, nothing staged). The push
# attempts' distribution is printed for docs/kubernetes.md.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/shards_lib.sh"

N=100
shards_config "$N" app%03d shards-base

shards_remote "$TEST_TMP/remote.git"
shards_clone "$TEST_TMP/remote.git" "$N"
shards_publish "$N" "$TEST_TMP/release.yaml" "status/shard-{i}.json" -j 2
shards_assert_exit "$N" 0

files=$(git -C "$TEST_TMP/remote.git" ls-tree --name-only main status/ | sort -V)
assert_eq "$(wc -l <<<"$files")" "$N" "every shard's file on the remote"
assert_eq "$(head -1 <<<"$files") $(tail -1 <<<"$files")" "status/shard-0.json status/shard-99.json" "file names"
git clone -q "$TEST_TMP/remote.git" "$TEST_TMP/reader" 2>/dev/null
mf_expect 0 status -o json "$TEST_TMP"/reader/status/shard-*.json
assert_eq "$(jq '[.targets[] | select(.state == "published")] | length' <<<"$MF_OUT")" "$N" \
	"manifold status: every shard's record"
assert_eq "$(jq -r '.shard | "\(.index)/\(.count) \(.config_digest)"' "$TEST_TMP/reader/status/shard-7.json")" \
	"7/$N sha256:$(sha256sum "$TEST_TMP/release.yaml" | cut -d' ' -f1)" "a shard file says which sharding wrote it"
shards_assert_landed "$N" "$N shards, one file each"
