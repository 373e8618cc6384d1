#!/usr/bin/env bash
# test_shard_holds_only_its_targets.sh — a shard's plan holds only its own
# targets (`--estimate -o json`: memory.plan_targets, the targets the plan
# keeps, against each reference's FNV-1a 64 hash modulo the shard count,
# computed here), the shards together hold every target once, --only
# narrows a shard further, and a reference that does not parse in any
# target of the config stops every shard with exit 2 before a request.
source "$(dirname "$0")/lib.sh"

N=40 # images of two tags: 80 targets
REG=reg.example:5000
cfg=$TEST_TMP/release.yaml
{
	echo "images:"
	for ((i = 0; i < N; i++)); do printf '  - {name: img%02d, tags: [v1, v2]}\n' "$i"; done
} | config_write "$cfg" --registry "$REG"

# owned COUNT INDEX [IMAGE] — targets of shard INDEX of COUNT (of IMAGE's).
owned() {
	python3 - "$REG" "$N" "$1" "$2" "${3:-}" <<'EOF'
import sys
reg, n, count, index, image = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def fnv(s):
    h = 14695981039346656037
    for b in s.encode():
        h = ((h ^ b) * 1099511628211) % 2**64
    return h
print(sum(1 for i in range(n) for t in ("v1", "v2")
          if (not image or image == "img%02d" % i) and fnv("%s/img%02d:%s" % (reg, i, t)) % count == index))
EOF
}

total=0
for s in 0 1 2 3; do
	mf_expect 0 publish -c "$cfg" --estimate --shard "$s/4" -o json
	own=$(owned 4 "$s")
	assert_eq "$(jq -c '.memory | [.config_targets, .plan_targets]' <<<"$MF_OUT")" "[$((2 * N)),$own]" \
		"shard $s/4 plans its $own targets of $((2 * N))"
	assert_contains "$MF_ERR" "shard $s/4: $own of $((2 * N)) targets" "shard $s/4 says how many are its own"
	[ "$own" -gt 0 ] && [ "$own" -lt $((2 * N)) ] || fail "shard $s/4 owns $own of $((2 * N))"
	total=$((total + own))
done
assert_eq "$total" $((2 * N)) "the four shards hold every target once"

mf_expect 0 publish -c "$cfg" --estimate -o json
assert_eq "$(jq -c '.memory | [.config_targets, .plan_targets]' <<<"$MF_OUT")" "[$((2 * N)),$((2 * N))]" \
	"without a shard the plan holds every target"

# --only narrows the shard: of img07's two targets, those of shard 1/2
mf_expect 0 publish -c "$cfg" --estimate --shard 1/2 --only img07 -o json
assert_eq "$(jq .memory.plan_targets <<<"$MF_OUT")" "$(owned 2 1 img07)" "--only img07 --shard 1/2"
mf_expect 2 publish -c "$cfg" --estimate --shard 1/2 --only img99
assert_contains "$MF_ERR" '--only "img99": no image or target of that name' "--only of no target, in a shard"

# A target reference that does not parse, in whichever shard: exit 2 for all.
{
	echo "images:"
	for ((i = 0; i < N; i++)); do printf '  - {name: img%02d, tags: [v1, v2]}\n' "$i"; done
	echo '  - {name: bad, tags: [v1], target: "{registry}/{name}/UPPER:{tag}"}'
} | config_write "$TEST_TMP/bad.yaml" --registry "$REG"
for s in 0 1 2 3; do
	mf_expect 2 publish -c "$TEST_TMP/bad.yaml" --status "$TEST_TMP/bad.json" --shard "$s/4"
	assert_contains "$MF_ERR" "images[$N] \"bad\" tag \"v1\": target: " "shard $s/4 names the bad target's place"
	assert_contains "$MF_ERR" "$REG/bad/UPPER:v1" "shard $s/4 names the bad reference"
	[ ! -e "$TEST_TMP/bad.json" ] || fail "shard $s/4 wrote a status file for a bad config"
done
