#!/usr/bin/env bash
# test_push_from_spec.sh — `manifold push from-spec` with manifest-tool specs
# in exactly the form of the reference texts (001: the gist's corrected YAML
# with `os: Linux`, `architecture: x86_64`, features; 004: the blog's pushml
# file) and a v2 spec with tags and annotations. The printed line is
# `Digest: sha256:<hex> <size>` and equals what skopeo reads back; entries
# are normalised (linux/amd64) and in spec order; --dry-run writes nothing;
# a missing image fails naming its platform and source, writing nothing.
source "$(dirname "$0")/lib.sh"

SPECS=$MANIFOLD_SOURCE_DIR/tests/data/spec

registry_start

# spec NAME — the fixture with its image names pointed at this registry.
spec() {
	sed "s#@REGISTRY@#$REGISTRY#g" "$SPECS/$1" >"$TEST_TMP/$1"
	echo "$TEST_TMP/$1"
}

# check_digest_line REF — MF_OUT is exactly manifest-tool's line for what REF holds.
check_digest_line() {
	local want
	want=$(digest_line "$1")
	[[ "$MF_OUT" =~ ^Digest:\ sha256:[0-9a-f]{64}\ [0-9]+$ ]] || fail "output [$MF_OUT] is not 'Digest: sha256:<64 hex> <size>'"
	assert_eq "$MF_OUT" "$want" "$1: printed digest and size"
}

# ---- 004: the blog's pushml spec ------------------------------------------------
s390x=$(seed demo-s390x:v0.2 --platform linux/s390x --seed spec-004-s390x)
amd64=$(seed demo-amd64:v0.2 --platform linux/amd64 --seed spec-004-amd64)
f004=$(spec manifest-tool-004.yaml)

# --dry-run: the digest is computed, nothing is written.
m=$(log_mark)
mf_expect 0 push from-spec "$f004" --dry-run
dry_out=$MF_OUT
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "--dry-run writes nothing"
assert_absent "$REGISTRY/demo:v0.2" "--dry-run created demo:v0.2"

mf_expect 0 push from-spec "$f004"
check_digest_line "$REGISTRY/demo:v0.2"
assert_eq "$dry_out" "$MF_OUT" "--dry-run printed the digest the real push made"
raw=$(skopeo_inspect_raw "$REGISTRY/demo:v0.2")
assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_LIST" "004: all Docker children give a Docker list"
assert_eq "$(jq -c '[.manifests[] | [.platform.os, .platform.architecture, .digest, .mediaType]]' <<<"$raw")" \
	"[[\"linux\",\"s390x\",\"$s390x\",\"$MT_V2\"],[\"linux\",\"amd64\",\"$amd64\",\"$MT_V2\"]]" "004: entries in spec order"
for d in "$s390x" "$amd64"; do
	skopeo_inspect_raw "$REGISTRY/demo@$d" >/dev/null || fail "004: child $d not copied into demo"
done

# Again: unchanged, same line, no writes.
m=$(log_mark)
mf_expect 0 push from-spec "$f004"
check_digest_line "$REGISTRY/demo:v0.2"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "an unchanged list is not written again"

# ---- 001: the gist's spec (os: Linux, architecture: x86_64, features) --------------
ppc=$(seed myrepo/myimage_ppc64le:latest --platform linux/ppc64/ppc64le --seed spec-001-ppc)
x86=$(seed myrepo/myimage_amd64:latest --platform linux/amd64 --seed spec-001-amd64)
f001=$(spec manifest-tool-001.yaml)
mf_expect 0 push from-spec "$f001"
check_digest_line "$REGISTRY/myrepo/myimage:latest"
raw=$(skopeo_inspect_raw "$REGISTRY/myrepo/myimage:latest")
assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_LIST" "001: media type"
assert_eq "$(jq -c '.manifests[0].platform' <<<"$raw")" \
	'{"architecture":"ppc64","os":"linux","variant":"ppc64le"}' "001: ppc64 entry (os: Linux normalised)"
assert_eq "$(jq -c '.manifests[1].platform' <<<"$raw")" \
	'{"architecture":"amd64","os":"linux","features":["sse"]}' "001: x86_64/Linux written as amd64/linux, features kept"
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" "$ppc $x86" "001: entry digests"
assert_eq "$(skopeo --override-arch amd64 --override-os linux inspect --tls-verify=false --no-creds \
	"docker://$REGISTRY/myrepo/myimage:latest" | jq -c '[.Architecture, .Layers]')" \
	"$(skopeo_inspect "$REGISTRY/myrepo/myimage_amd64:latest" | jq -c '[.Architecture, .Layers]')" \
	"001: an amd64 client resolves the amd64 image"

# ---- v2 spec: tags, index and per-manifest annotations, --annotation ----------------
a1=$(seed app-amd64:v1 --platform linux/amd64 --seed spec-app-amd64)
a2=$(seed app-arm64:v1 --platform linux/arm64/v8 --seed spec-app-arm64)
fann=$(spec annotations-tags.yaml)
mf_expect 0 push from-spec "$fann" --annotation org.opencontainers.image.revision=9f8e7d6 \
	--annotation com.example.night=2026-01-01
check_digest_line "$REGISTRY/app:v1"
raw=$(skopeo_inspect_raw "$REGISTRY/app:v1")
assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_OCI_INDEX" "annotations make an OCI index"
assert_eq "$(jq -c .annotations <<<"$raw")" \
	'{"com.example.night":"2026-01-01","org.opencontainers.image.revision":"9f8e7d6","org.opencontainers.image.source":"https://example.com/app"}' \
	"index annotations: the spec's, --annotation overriding and adding (keys sorted)"
assert_eq "$(jq -c '.manifests[0].annotations' <<<"$raw")" '{"com.example.build":"17"}' "per-manifest annotations"
assert_eq "$(jq -c '.manifests[1].annotations' <<<"$raw")" 'null' "no annotations where the spec has none"
assert_eq "$(jq -c '.manifests[1].platform' <<<"$raw")" '{"architecture":"arm64","os":"linux","variant":"v8"}' "arm64 v8 as written"
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" "$a1 $a2" "entry digests"
d=$(printf '%s' "$raw" | digest_of)
for t in latest v1.0; do
	assert_eq "$(skopeo_digest "$REGISTRY/app:$t")" "$d" "spec tags: $t holds the same list"
done

# ---- a missing image: exit 1, names platform and source, writes nothing -------------
sed "s#demo-amd64:v0.2#demo-amd64:v0.3#; s#demo:v0.2#demo:v0.3#" "$f004" >"$TEST_TMP/missing.yaml"
m=$(log_mark)
mf_expect 1 push from-spec "$TEST_TMP/missing.yaml"
assert_contains "$MF_ERR" "missing linux/amd64 ($REGISTRY/demo-amd64:v0.3)" "missing platform named with its source"
assert_eq "$MF_OUT" "" "no digest line on failure"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "nothing written when a platform is missing"
# --ignore-missing publishes the rest.
mf_expect 0 push from-spec "$TEST_TMP/missing.yaml" --ignore-missing
check_digest_line "$REGISTRY/demo:v0.3"
assert_contains "$MF_ERR" "linux/amd64: left out, $REGISTRY/demo-amd64:v0.3 does not exist" "warning for the left-out platform"
assert_eq "$(skopeo_inspect_raw "$REGISTRY/demo:v0.3" | jq -r '[.manifests[].platform.architecture] | join(" ")')" s390x "only the present platform"

# ---- usage and spec errors: exit 2 ------------------------------------------------
mf_expect 2 push from-spec
mf_expect 2 push from-spec "$MANIFOLD_SOURCE_DIR/tests/data/farm/manifest-tool-004-as-published.yaml"
assert_contains "$MF_ERR" "manifest-tool-004-as-published.yaml:8:1: YAML syntax" "the flattened blog text is a YAML error with its place"
mf_expect 0 push --help
assert_contains "$MF_OUT" "usage: manifold push from-spec FILE" "push --help"
