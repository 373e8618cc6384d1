#!/usr/bin/env bash
# test_shard_holds_only_its_images.sh — a shard (or --only) holds in full
# only the images that have a target it works on (`--estimate -o json`:
# memory.config_images, against the images of the shard's targets by each
# reference's FNV-1a 64 hash, computed here), whatever the order of the
# config's keys; yet every image is still read and checked: an error in an
# image a shard does not hold, a duplicate name, a retag rule onto itself,
# stop every shard with exit 2 and the same file:line:column; anchors and
# merge keys across images resolve the same in every shard; a key that
# cannot be read stops every shard, holding its image or not.
source "$(dirname "$0")/lib.sh"

N=40 # images of two tags: 80 targets
REG=reg.example:5000

# mine COUNT INDEX FILE — "images targets" of shard INDEX of COUNT, for the
# image names in FILE (one a line; each with tags v1, v2).
mine() {
	python3 - "$REG" "$1" "$2" "$3" <<'EOF'
import sys
reg, count, index, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), open(sys.argv[4]).read().split()
def fnv(s):
    h = 14695981039346656037
    for b in s.encode():
        h = ((h ^ b) * 1099511628211) % 2**64
    return h
own = [sum(1 for t in ("v1", "v2") if fnv("%s/%s:%s" % (reg, n, t)) % count == index) for n in names]
print(sum(1 for o in own if o), sum(own))
EOF
}

images() { # the images list, N items
	echo "images:"
	for ((i = 0; i < N; i++)); do printf '  - {name: img%02d, tags: [v1, v2]}\n' "$i"; done
}
for ((i = 0; i < N; i++)); do printf 'img%02d\n' "$i"; done >"$TEST_TMP/names"
defaults="defaults:
  registry: $REG
  platforms: [linux/amd64, linux/arm64/v8]"

# The defaults before the images (one reading), and after them (the images
# read once the defaults are known): the same images held.
{ echo "$defaults"; images; } >"$TEST_TMP/first.yaml"
{ images; echo "$defaults"; echo "status: status.json"; } >"$TEST_TMP/last.yaml"
all_images=0
for cfg in first last; do
	for s in 0 1 2 3; do
		mf_expect 0 publish -c "$TEST_TMP/$cfg.yaml" --estimate --shard "$s/4" -o json
		read -r imgs tgts < <(mine 4 "$s" "$TEST_TMP/names")
		assert_eq "$(jq -c '.memory | [.config_targets, .plan_targets, .config_images]' <<<"$MF_OUT")" \
			"[$((2 * N)),$tgts,$imgs]" "$cfg.yaml shard $s/4 holds the $imgs images of its $tgts targets"
		[ "$imgs" -gt 0 ] && [ "$imgs" -lt "$N" ] || fail "shard $s/4 holds $imgs of $N images"
		[ "$cfg" = first ] && all_images=$((all_images + imgs))
	done
done
[ "$all_images" -gt "$N" ] || fail "the shards hold $all_images images: an image of two tags is in two shards at times"
mf_expect 0 publish -c "$TEST_TMP/first.yaml" --estimate -o json
assert_eq "$(jq .memory.config_images <<<"$MF_OUT")" "$N" "without a shard every image is held"
mf_expect 0 publish -c "$TEST_TMP/last.yaml" --estimate --only img07 --only img09 -o json
assert_eq "$(jq -c '.memory | [.plan_targets, .config_images]' <<<"$MF_OUT")" "[4,2]" "--only holds its images"

# An error in one image, a duplicate name: every shard, holding the image
# or not, exits 2 naming its place, before any request.
{
	echo "$defaults"
	images
	echo "  - {name: bad, tags: [v1], platforms: [linux/arm64/v9]}" # line 4 + N + 1
} >"$TEST_TMP/bad.yaml"
{
	echo "$defaults"
	images
	echo "  - {name: img03, tags: [v3]}"
} >"$TEST_TMP/dup.yaml"
bad_line=$((4 + N + 1))
for s in 0 1 2 3; do
	mf_expect 2 publish -c "$TEST_TMP/bad.yaml" --status "$TEST_TMP/bad.json" --shard "$s/4"
	assert_eq "$MF_ERR" "manifold publish: $TEST_TMP/bad.yaml:$bad_line:41: images[$N].platforms[0]: \"linux/arm64/v9\" is not a known platform" \
		"shard $s/4 names the bad platform's place"
	[ ! -e "$TEST_TMP/bad.json" ] || fail "shard $s/4 wrote a status file for a bad config"
	mf_expect 2 publish -c "$TEST_TMP/dup.yaml" --estimate --shard "$s/4"
	assert_eq "$MF_ERR" "manifold publish: $TEST_TMP/dup.yaml:$bad_line:12: images[$N].name: duplicate image \"img03\" (first at 8:5)" \
		"shard $s/4 names the duplicate and the first"
done

# A retag rule that copies a tag of one image onto itself, the rules after
# the images: every shard finds it, whichever images it holds.
{
	echo "$defaults"
	images
	echo "retag:"
	echo "  - {from: \"{registry}/{name}:{tag}\", to: \"{registry}/{name}:{tag}\", images: [img05]}"
} >"$TEST_TMP/self.yaml"
for s in 0 1 2 3; do
	mf_expect 2 publish -c "$TEST_TMP/self.yaml" --estimate --shard "$s/4"
	assert_contains "$MF_ERR" "retag[0].to: expands to \"$REG/img05:v1\" for image \"img05\", the same reference as from: a copy onto itself" \
		"shard $s/4 checks the retag rules against every image"
done

# Anchors in one image, aliases and merge keys in others: each image's
# sources come from the image it merges, held by the shard or not (the
# estimate counts each source registry's HEADs: 2 platforms a target).
{
	echo "$defaults"
	echo "images:"
	echo "  - &base {name: img00, tags: [v1, v2], source: \"src.example:5000/{name}-{arch}:{tag}\"}"
	for ((i = 1; i < N; i++)); do
		if ((i % 2)); then printf '  - {<<: *base, name: img%02d}\n' "$i"; else printf '  - {name: img%02d, tags: *tags}\n' "$i"; fi
		((i == 1)) && echo "  - {name: extra, tags: &tags [v1, v2]}"
	done
} >"$TEST_TMP/anchors.yaml"
for ((i = 0; i < N; i++)); do ((i % 2)) && printf 'img%02d\n' "$i"; done >"$TEST_TMP/merged"
echo img00 >>"$TEST_TMP/merged"
for s in 0 1 2 3; do
	mf_expect 0 publish -c "$TEST_TMP/anchors.yaml" --estimate --shard "$s/4" -o json
	read -r _ merged < <(mine 4 "$s" "$TEST_TMP/merged")
	assert_eq "$(jq -c '[.registries[] | select(.registry == "src.example:5000") | .max_by_method.head][0] // 0' <<<"$MF_OUT")" \
		"$((2 * merged))" "shard $s/4: the sources of its $merged targets of merged images"
	assert_eq "$(jq .memory.config_targets <<<"$MF_OUT")" "$((2 * N + 2))" "shard $s/4 counts every target"
done

# A key that cannot be read, named by one image only: every shard, holding
# that image or not, stops on it before any request.
{
	echo "$defaults"
	echo "images:"
	for ((i = 0; i < N; i++)); do
		if ((i == 5)); then
			printf '  - {name: img%02d, tags: [v1, v2], sign-key: missing.pem}\n' "$i"
		else
			printf '  - {name: img%02d, tags: [v1, v2]}\n' "$i"
		fi
	done
} >"$TEST_TMP/key.yaml"
for s in 0 1 2 3; do
	mf_expect 2 publish -c "$TEST_TMP/key.yaml" --estimate --shard "$s/4"
	assert_eq "$(tail -n 1 <<<"$MF_ERR")" "manifold publish: $TEST_TMP/key.yaml:10:45: sign-key: file $TEST_TMP/missing.pem: cannot read" \
		"shard $s/4 refuses the key of img05"
done
