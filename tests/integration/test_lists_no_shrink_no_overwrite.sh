#!/usr/bin/env bash
# test_lists_no_shrink_no_overwrite.sh — the single-list commands keep G1
# and G3 (docs/guarantees.md) on every tag they write: push from-args and
# from-spec refuse (exit 3, nothing written to any tag) a list that would
# drop a platform from the main tag or an extra tag, and a tag holding
# someone's image; --allow-shrink and --overwrite let them through; a tag
# that already holds the list is "unchanged", exit 0; --dry-run and -o json
# say the same refusal; an append that replaces an entry never counts as a
# shrink; an annotate that changes a platform away does, unless
# --allow-shrink. Read back with skopeo.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 linux/arm64 linux/s390x linux/arm/v7 --seed lnsno
img=$(seed app:img --platform linux/amd64 --seed lnsno-someone)
img_mt=$(skopeo_inspect_raw "$REGISTRY/app:img" | jq -r .mediaType)

# digests TAG... — "TAG=DIGEST" per tag, "TAG=-" when the tag does not exist.
digests() {
	local t d
	for t in "$@"; do
		d=$(skopeo_digest "$REGISTRY/app:$t" 2>/dev/null) || d=-
		[ "$d" = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" ] && d=-
		printf '%s=%s ' "$t" "$d"
	done
}
platforms_of() {
	skopeo_inspect_raw "$REGISTRY/app:$1" |
		jq -r '[.manifests[].platform | [.os, .architecture, .variant // empty] | join("/")] | join(",")'
}
writes_since() { log_count_since "$1" 'PUT|POST|PATCH|DELETE'; }
TAGS=(v1 latest stable v2 fresh img v3 s1)
drop_s390x="would drop linux/s390x, which the tag's current list has (--allow-shrink lets it through)"

mf_expect 0 push from-args --platforms linux/amd64,linux/arm64,linux/s390x \
	--template "$REGISTRY/app-ARCH:v1" --target "$REGISTRY/app:v1" --tags latest,stable
three=$(skopeo_digest "$REGISTRY/app:v1")
assert_eq "$(platforms_of stable)" "linux/amd64,linux/arm64,linux/s390x" "three platforms on every tag"

# ---- shrink of the main tag and an extra tag: refused, no tag written -------------------
before=$(digests "${TAGS[@]}")
m=$(log_mark)
mf_expect 3 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v1" --tags latest
assert_eq "$MF_ERR" "manifold push: $REGISTRY/app:v1: $drop_s390x
manifold push: $REGISTRY/app:latest: $drop_s390x
manifold push: held: nothing written" "each tag that would shrink named, with what it would lose"
assert_eq "$MF_OUT" "" "no Digest line for a list not pushed"
assert_eq "$(writes_since "$m")" 0 "nothing written: no child, no list"
assert_eq "$(digests "${TAGS[@]}")" "$before" "every tag as it was"

# Only an extra tag would shrink; the main tag and the other extra tag are
# new, and still nothing is written.
m=$(log_mark)
mf_expect 3 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v2" --tags fresh,stable
assert_eq "$MF_ERR" "manifold push: $REGISTRY/app:stable: $drop_s390x
manifold push: held: nothing written" "the extra tag that would shrink named"
assert_eq "$(writes_since "$m")" 0 "nothing written for an extra tag's shrink"
assert_eq "$(digests "${TAGS[@]}")" "$before" "v2 and fresh not created, stable as it was"

# ---- --dry-run and -o json say the same ------------------------------------------------------
m=$(log_mark)
mf_expect 3 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v1" --tags latest --dry-run -o json
assert_eq "$MF_ERR" "manifold push: $REGISTRY/app:v1: $drop_s390x
manifold push: $REGISTRY/app:latest: $drop_s390x
manifold push: held: nothing written" "--dry-run: the same refusal"
assert_eq "$(jq -c '[.schema, .changed, .dry_run, .media_type]' <<<"$MF_OUT")" "[1,false,true,\"$MT_LIST\"]" \
	"json keeps its keys: not changed"
assert_eq "$(jq -c '.held' <<<"$MF_OUT")" \
	"[{\"tag\":\"$REGISTRY/app:v1\",\"why\":\"shrink\",\"would_drop\":[\"linux/s390x\"],\"reason\":\"$REGISTRY/app:v1: $drop_s390x\"},{\"tag\":\"$REGISTRY/app:latest\",\"why\":\"shrink\",\"would_drop\":[\"linux/s390x\"],\"reason\":\"$REGISTRY/app:latest: $drop_s390x\"}]" \
	"json: held, each tag with what it would drop"
would=$(jq -r .digest <<<"$MF_OUT")
assert_eq "$(writes_since "$m")" 0 "--dry-run writes nothing"
assert_eq "$(digests "${TAGS[@]}")" "$before" "every tag as it was after --dry-run"

# ---- --allow-shrink writes ------------------------------------------------------------------
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v1" --tags latest --allow-shrink -o json
assert_eq "$(jq -c '[.changed, .held]' <<<"$MF_OUT")" "[true,[]]" "json: changed, nothing held"
assert_eq "$(skopeo_digest "$REGISTRY/app:v1")" "$would" "app:v1 holds the list the refusal named"
assert_eq "$(skopeo_digest "$REGISTRY/app:latest")" "$would" "latest too"
assert_eq "$(platforms_of v1)" "linux/amd64,linux/arm64" "two platforms"
assert_eq "$(skopeo_digest "$REGISTRY/app:stable")" "$three" "stable, not named, untouched"

# ---- a tag already holding exactly this list: unchanged, exit 0 --------------------------------
m=$(log_mark)
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64,linux/s390x \
	--template "$REGISTRY/app-ARCH:v1" --target "$REGISTRY/app:stable"
assert_eq "$MF_OUT" "Digest: $three $(skopeo_inspect_raw "$REGISTRY/app:stable" | wc -c | tr -d ' ')" "its digest"
assert_contains "$MF_ERR" "unchanged: the tags already hold this list" "unchanged"
assert_eq "$(writes_since "$m")" 0 "nothing written"

# ---- someone's image at a tag: refused, --overwrite writes ----------------------------------
not_mine="holds $img ($img_mt), an image manifold did not write (use --overwrite)"
before=$(digests "${TAGS[@]}")
m=$(log_mark)
mf_expect 3 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v3" --tags img
assert_eq "$MF_ERR" "manifold push: $REGISTRY/app:img: $not_mine
manifold push: held: nothing written" "the image's digest and media type named"
assert_eq "$(writes_since "$m")" 0 "nothing written over someone's image"
assert_eq "$(digests "${TAGS[@]}")" "$before" "v3 not created, img as it was"

# Both at once, the image at the main tag: each named, in the order written.
mf_expect 3 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:img" --tags stable -o json
assert_eq "$MF_ERR" "manifold push: $REGISTRY/app:img: $not_mine
manifold push: $REGISTRY/app:stable: $drop_s390x
manifold push: held: nothing written" "an image and a shrink, both named"
assert_eq "$(jq -c '.held[0] | [.tag, .why, .digest, .media_type]' <<<"$MF_OUT")" \
	"[\"$REGISTRY/app:img\",\"not_manifolds\",\"$img\",\"$img_mt\"]" "json: what the tag holds"
assert_eq "$(digests "${TAGS[@]}")" "$before" "nothing written"

mf_expect 0 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v3" --tags img --overwrite
assert_eq "$MF_OUT" "$(digest_line "$REGISTRY/app:img")" "--overwrite: the list at img"
assert_eq "$(skopeo_digest "$REGISTRY/app:v3")" "$would" "and at v3"

# ---- push from-spec: its tags: list is guarded the same ---------------------------------------
cat >"$TEST_TMP/s1.yaml" <<EOF
image: $REGISTRY/app:s1
tags: [stable]
manifests:
  - image: $REGISTRY/app-amd64:v1
    platform: {architecture: amd64, os: linux}
  - image: $REGISTRY/app-arm:v1
    platform: {architecture: arm, os: linux, variant: v7}
EOF
before=$(digests "${TAGS[@]}")
m=$(log_mark)
mf_expect 3 push from-spec "$TEST_TMP/s1.yaml"
assert_eq "$MF_ERR" "manifold push: $REGISTRY/app:stable: would drop linux/arm64, linux/s390x, which the tag's current list has (--allow-shrink lets it through)
manifold push: held: nothing written" "spec tags: the shrink of stable named"
assert_eq "$(writes_since "$m")" 0 "nothing written"
assert_eq "$(digests "${TAGS[@]}")" "$before" "s1 not created, stable as it was"
mf_expect 0 push from-spec "$TEST_TMP/s1.yaml" --allow-shrink
assert_eq "$(platforms_of stable)" "linux/amd64,linux/arm/v7" "--allow-shrink: stable holds the spec's list"
assert_eq "$(skopeo_digest "$REGISTRY/app:s1")" "$(skopeo_digest "$REGISTRY/app:stable")" "s1 too"

# ---- append replaces an entry: never a shrink ---------------------------------------------------
mf_expect 0 annotate "$REGISTRY/app:v1" --platform linux/arm64 --variant v8
assert_eq "$(platforms_of v1)" "linux/amd64,linux/arm64/v8" "arm64 spelt arm64/v8 now"
new_amd64=$(seed app-amd64:v2 --platform linux/amd64 --seed lnsno-amd64-v2)
new_arm64=$(seed app-arm64:v2 --platform linux/arm64 --seed lnsno-arm64-v2)
mf_expect 0 append "$REGISTRY/app:v1" "$REGISTRY/app-amd64:v2"
assert_contains "$MF_ERR" "replaced entry linux/amd64: $new_amd64" "amd64 replaced"
mf_expect 0 append "$REGISTRY/app:v1" "$REGISTRY/app-arm64:v2"
assert_contains "$MF_ERR" "replaced entry linux/arm64: $new_arm64" "arm64/v8 replaced by a linux/arm64 build: the same platform"
assert_eq "$(platforms_of v1)" "linux/amd64,linux/arm64" "both platforms still served"
assert_eq "$MF_OUT" "$(digest_line "$REGISTRY/app:v1")" "append wrote"

# ---- annotate that changes a platform away: a shrink ---------------------------------------------
before=$(digests "${TAGS[@]}")
m=$(log_mark)
mf_expect 3 annotate "$REGISTRY/app:s1" --platform linux/arm/v7 --variant v6 --no-verify-platform --dry-run
assert_eq "$MF_ERR" "manifold annotate: $REGISTRY/app:s1: would drop linux/arm/v7, which the tag's current list has (--allow-shrink lets it through)
manifold annotate: held: nothing written" "annotate: the platform it would drop named (--dry-run)"
mf_expect 3 annotate "$REGISTRY/app:s1" --platform linux/arm/v7 --variant v6 --no-verify-platform
assert_eq "$(writes_since "$m")" 0 "annotate held: nothing written"
assert_eq "$(digests "${TAGS[@]}")" "$before" "every tag as it was"
mf_expect 0 annotate "$REGISTRY/app:s1" --platform linux/arm/v7 --variant v6 --no-verify-platform --allow-shrink
assert_eq "$(platforms_of s1)" "linux/amd64,linux/arm/v6" "--allow-shrink: annotated"

# ---- the options where they belong ------------------------------------------------------------------
# opt_line HELP OPTION — the line of --help that declares OPTION.
opt_line() { grep -E "^ +$2 " <<<"$1" | sed -E 's/ +/ /g'; }
mf_expect 0 push from-args --help
assert_eq "$(opt_line "$MF_OUT" --allow-shrink)" " --allow-shrink write even when a tag's list would lose a platform" \
	"push from-args --help: --allow-shrink"
assert_eq "$(opt_line "$MF_OUT" --overwrite)" " --overwrite replace a tag that holds an image (not a list)" \
	"push from-args --help: --overwrite"
mf_expect 0 annotate --help
assert_eq "$(opt_line "$MF_OUT" --allow-shrink)" " --allow-shrink write even when a tag's list would lose a platform" \
	"annotate --help: --allow-shrink"
mf_expect 2 append "$REGISTRY/app:v1" "$REGISTRY/app-s390x:v1" --overwrite
