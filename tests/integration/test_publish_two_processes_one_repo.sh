#!/usr/bin/env bash
# test_publish_two_processes_one_repo.sh — two publish processes at once
# (two shards of one night, or two runs overlapping) copying children that
# share their layers into one fresh repository: their writes are not
# ordered by one run's flights, and distribution may answer a child's
# manifest PUT racing the other's blob link 400 DIGEST_INVALID; the PUT is
# tried again, so no target fails on a healthy registry (G6). Three
# rounds, each into a fresh repository, so a lucky interleaving cannot
# pass alone.
source "$(dirname "$0")/lib.sh"

registry_start
R=$REGISTRY
TAGS=(v1 v2 v3 v4 v5 v6 v7 v8 v9 v10)

# pt/app-ARCH:v1..v10, the layers shared by every tag of an arch.
seed_shared_layers pt/app "${TAGS[@]}"

tags="${TAGS[*]}"
for round in 1 2 3; do
	config_write "$TEST_TMP/r$round.yaml" --platforms "linux/amd64, linux/arm64/v8, linux/s390x" \
		--target "{registry}/{name}-r$round:{tag}" <<EOF2
images:
  - {name: pt/app, tags: [${tags// /, }], referrers: skip}
EOF2
	for p in 1 2; do
		"$MANIFOLD" publish -c "$TEST_TMP/r$round.yaml" --status "$TEST_TMP/r$round.$p.json" -j 16 -o json \
			>"$TEST_TMP/r$round.$p.out" 2>"$TEST_TMP/r$round.$p.err" &
		eval "pid$p=\$!"
	done
	rc1=0 rc2=0
	wait "$pid1" || rc1=$?
	wait "$pid2" || rc2=$?
	cat "$TEST_TMP/r$round.1.err" "$TEST_TMP/r$round.2.err" >&2
	assert_eq "$rc1 $rc2" "0 0" "round $round: both runs exit 0"
	assert_eq "$(jq -s -c '[.[].targets[] | select(.state == "failed")] | length' \
		"$TEST_TMP/r$round.1.out" "$TEST_TMP/r$round.2.out")" 0 "round $round: no target failed"
	for t in v1 v10; do
		got=$(skopeo inspect --raw --tls-verify=false "docker://$R/pt/app-r$round:$t" | jq -r '[.manifests[].platform.architecture] | join(",")')
		assert_eq "$got" "amd64,arm64,s390x" "round $round: pt/app-r$round:$t serves its three platforms"
	done
done
