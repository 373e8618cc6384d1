#!/usr/bin/env bash
# test_push_from_args.sh — `manifold push from-args`: --platforms expanded
# through --template (ARCH, VARIANT tokens) into a list at --target plus
# --tags; a missing platform fails naming platform and source and writes
# nothing; --ignore-missing leaves it out with a warning; usage errors exit 2.
source "$(dirname "$0")/lib.sh"

registry_start

amd64=$(seed app-amd64:v1 --platform linux/amd64 --seed args-amd64)
arm64=$(seed app-arm64:v1 --platform linux/arm64 --seed args-arm64)
armv7=$(seed app-armv7:v1 --platform linux/arm/v7 --seed args-armv7)

# ---- the list, its extra tags, the printed line --------------------------------------
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64,linux/arm/v7 \
	--template "$REGISTRY/app-ARCHVARIANT:v1" --target "$REGISTRY/app:v1" --tags latest,stable
raw=$(skopeo_inspect_raw "$REGISTRY/app:v1")
d=$(printf '%s' "$raw" | digest_of)
assert_eq "$MF_OUT" "$(digest_line "$REGISTRY/app:v1")" "printed digest and size"
assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_LIST" "media type"
assert_eq "$(jq -c '[.manifests[] | [.platform.os, .platform.architecture, (.platform.variant // ""), .digest]]' <<<"$raw")" \
	"[[\"linux\",\"amd64\",\"\",\"$amd64\"],[\"linux\",\"arm64\",\"\",\"$arm64\"],[\"linux\",\"arm\",\"v7\",\"$armv7\"]]" \
	"entries in --platforms order, sources from the template"
for t in latest stable; do
	assert_eq "$(skopeo_digest "$REGISTRY/app:$t")" "$d" "--tags: $t"
done
for c in "$amd64" "$arm64" "$armv7"; do
	skopeo_inspect_raw "$REGISTRY/app@$c" >/dev/null || fail "child $c not in the target repository"
done

# {arch}-style tokens work the same; --annotation makes an OCI index.
mf_expect 0 push from-args --platforms linux/amd64 --template "$REGISTRY/app-{arch}:v1" \
	--target "$REGISTRY/app-one:v1" --annotation org.opencontainers.image.version=v1
raw=$(skopeo_inspect_raw "$REGISTRY/app-one:v1")
assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_OCI_INDEX" "--annotation gives an OCI index"
assert_eq "$(jq -c .annotations <<<"$raw")" '{"org.opencontainers.image.version":"v1"}' "index annotation"
assert_eq "$(jq -r '.manifests[0].digest' <<<"$raw")" "$amd64" "{arch} template"

# ---- a missing platform ---------------------------------------------------------------
m=$(log_mark)
mf_expect 1 push from-args --platforms linux/amd64,linux/s390x,linux/ppc64le \
	--template "$REGISTRY/app-ARCH:v1" --target "$REGISTRY/app:v2"
assert_contains "$MF_ERR" "$REGISTRY/app:v2: missing linux/s390x ($REGISTRY/app-s390x:v1), linux/ppc64le ($REGISTRY/app-ppc64le:v1)" \
	"every missing platform named with its source"
assert_eq "$MF_OUT" "" "no digest line"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "nothing written"

# --dry-run with --ignore-missing: the digest, no writes.
m=$(log_mark)
mf_expect 0 push from-args --platforms linux/amd64,linux/s390x --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v2" --ignore-missing --dry-run
dry=$MF_OUT
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "--dry-run writes nothing"

mf_expect 0 push from-args --platforms linux/amd64,linux/s390x --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v2" --ignore-missing
assert_contains "$MF_ERR" "linux/s390x: left out, $REGISTRY/app-s390x:v1 does not exist" "warning names what was left out"
raw=$(skopeo_inspect_raw "$REGISTRY/app:v2")
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" "$amd64" "only the present platform"
assert_eq "$MF_OUT" "$(digest_line "$REGISTRY/app:v2")" "digest line"
assert_eq "$dry" "$MF_OUT" "--dry-run printed the same digest"

mf_expect 1 push from-args --platforms linux/s390x --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v3" --ignore-missing
assert_contains "$MF_ERR" "no platform is present" "--ignore-missing with nothing present fails"

# ---- a source built for another platform -------------------------------------------------
seed app-wrong-arm64:v1 --platform linux/amd64 --seed args-wrong >/dev/null
mf_expect 1 push from-args --platforms linux/arm64 --template "$REGISTRY/app-wrong-ARCH:v1" \
	--target "$REGISTRY/app-wrong:v1"
assert_contains "$MF_ERR" "image config says linux/amd64" "wrong platform caught"
mf_expect 0 push from-args --platforms linux/arm64 --template "$REGISTRY/app-wrong-ARCH:v1" \
	--target "$REGISTRY/app-wrong:v1" --no-verify-platform

# ---- usage errors: exit 2 --------------------------------------------------------------
mf_expect 2 push from-args --platforms linux/amd64 --template "$REGISTRY/app-ARCH:v1"
assert_contains "$MF_ERR" "needs --platforms, --template and --target" "missing --target"
mf_expect 2 push from-args --platforms linux/amd64,,linux/arm64 --template "$REGISTRY/app-ARCH:v1" --target "$REGISTRY/app:v9"
assert_contains "$MF_ERR" "has an empty item" "empty platform item"
mf_expect 2 push from-args --platforms linux/bogus --template "$REGISTRY/app-ARCH:v1" --target "$REGISTRY/app:v9"
assert_contains "$MF_ERR" "--platforms" "bad platform named"
mf_expect 2 push from-args --platforms linux/amd64 --template "$REGISTRY/app-ARCH:v1" --target "$REGISTRY/app:v9" --tags 'bad tag'
assert_contains "$MF_ERR" "\"bad tag\" is not a valid tag" "bad --tags"
mf_expect 2 push sideways
mf_expect 2 push from-args --frobnicate
