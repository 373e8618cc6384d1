#!/usr/bin/env bash
# test_retag_shared_blobs_parallel.sh — a bulk retag at -j 16 of 30 per-arch
# images sharing their layers into a fresh repository copies every one:
# each blob is mounted into the destination repository once in the run,
# never by two copies at once (distribution answers identical concurrent
# writes into one repository with 400 DIGEST_INVALID). Three rounds, each
# into a fresh repository, so a lucky interleaving cannot pass alone; then
# two processes at once into one repository (a racing write is tried again).
source "$(dirname "$0")/lib.sh"

registry_start
R=$REGISTRY
ARCHES=(amd64 arm64 s390x)
TAGS=(v1 v2 v3 v4 v5 v6 v7 v8 v9 v10)

# pt/app-ARCH:v1..v10, the layers shared by every tag of an arch.
seed_shared_layers pt/app "${TAGS[@]}"

# Every blob the 30 images reference, once: what one round must mount.
blobs=$(for a in "${ARCHES[@]}"; do
	for t in "${TAGS[@]}"; do
		curl -sf -H "Accept: $MT_V2" "http://$R/v2/pt/app-$a/manifests/$t" |
			jq -r '.config.digest, .layers[].digest'
	done
done | sort -u | wc -l)
# 30 configs, 2 layers per arch
assert_eq "$blobs" 36 "distinct blobs of the 30 images"

tags="${TAGS[*]}"
for round in 1 2 3; do
	config_write "$TEST_TMP/r$round.yaml" --platforms "linux/amd64, linux/arm64/v8, linux/s390x" <<EOF
images:
  - {name: pt/app, tags: [${tags// /, }]}
retag:
  - from: "{registry}/{name}-{arch}:{tag}"
    to: "{registry}/{name}-r$round:{tag}-{arch}"
EOF
	m=$(log_mark)
	mf_expect 0 retag -c "$TEST_TMP/r$round.yaml" -j 16
	assert_eq "$(tail -n 1 <<<"$MF_OUT")" "30 copied, 0 unchanged, 0 failed" "round $round: summary"
	assert_eq "$(log_count_since "$m" POST "^/v2/pt/app-r$round/blobs/uploads/\\?mount=")" "$blobs" \
		"round $round: each blob mounted once"
	assert_eq "$(log_count_since "$m" PUT "^/v2/pt/app-r$round/manifests/")" 30 "round $round: one manifest PUT per copy"
	assert_eq "$(log_count_since "$m" PUT '/blobs/')" 0 "round $round: no blob uploads"
	for a in "${ARCHES[@]}"; do
		for t in v1 v10; do
			assert_eq "$(skopeo_digest "$R/pt/app-r$round:$t-$a")" "$(skopeo_digest "$R/pt/app-$a:$t")" \
				"round $round: pt/app-r$round:$t-$a"
		done
	done
done

# Two processes at once into one fresh repository: their writes are not
# ordered by one run's flights, and distribution may answer a manifest PUT
# racing the other's blob link 400 DIGEST_INVALID; the copy is tried again,
# so neither fails. Each copy is copied by one of them or found unchanged.
config_write "$TEST_TMP/both.yaml" --platforms "linux/amd64, linux/arm64/v8, linux/s390x" <<EOF2
images:
  - {name: pt/app, tags: [${tags// /, }]}
retag:
  - from: "{registry}/{name}-{arch}:{tag}"
    to: "{registry}/{name}-both:{tag}-{arch}"
EOF2
"$MANIFOLD" retag -c "$TEST_TMP/both.yaml" -j 16 -o json >"$TEST_TMP/p1.json" 2>"$TEST_TMP/p1.err" &
p1=$!
"$MANIFOLD" retag -c "$TEST_TMP/both.yaml" -j 16 -o json >"$TEST_TMP/p2.json" 2>"$TEST_TMP/p2.err" &
p2=$!
rc1=0 rc2=0
wait "$p1" || rc1=$?
wait "$p2" || rc2=$?
cat "$TEST_TMP/p1.err" "$TEST_TMP/p2.err" >&2
assert_eq "$rc1 $rc2" "0 0" "two processes: both exit 0"
assert_eq "$(jq -s -c '[.[].summary.failed] | add' "$TEST_TMP/p1.json" "$TEST_TMP/p2.json")" 0 "two processes: no failure"
assert_eq "$(jq -s -c '[.[].summary | .copied + .unchanged]' "$TEST_TMP/p1.json" "$TEST_TMP/p2.json")" "[30,30]" "two processes: every copy done by each"
for a in "${ARCHES[@]}"; do
	assert_eq "$(skopeo_digest "$R/pt/app-both:v10-$a")" "$(skopeo_digest "$R/pt/app-$a:v10")" "two processes: pt/app-both:v10-$a"
done
