#!/usr/bin/env bash
# test_append_annotate_delete.sh — editing and deleting existing lists, read
# back with skopeo: append adds an entry (platform from the image config) or
# replaces the entry for its platform in place; annotate changes variant,
# os.version, features, os.features and annotations of one entry; every
# other entry keeps its exact JSON; --dry-run writes nothing. delete refuses
# when another tag holds the same digest, --force deletes, the children stay;
# a registry with deletes disabled gets a clear message.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 linux/arm64 linux/s390x --seed aad
amd64=${SEEDED[app/linux/amd64]} arm64=${SEEDED[app/linux/arm64]} s390x=${SEEDED[app/linux/s390x]}
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v1"
before=$(skopeo_inspect_raw "$REGISTRY/app:v1")

entry() { jq -c ".manifests[$1]" <<<"$2"; }

# ---- append: a new platform, read from the image config --------------------------------
m=$(log_mark)
mf_expect 0 append "$REGISTRY/app:v1" "$REGISTRY/app-s390x:v1" --dry-run
dry=$MF_OUT
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "append --dry-run writes nothing"
assert_eq "$(skopeo_digest "$REGISTRY/app:v1")" "$(printf '%s' "$before" | digest_of)" "list untouched by --dry-run"

mf_expect 0 append "$REGISTRY/app:v1" "$REGISTRY/app-s390x:v1"
after=$(skopeo_inspect_raw "$REGISTRY/app:v1")
assert_eq "$MF_OUT" "$(digest_line "$REGISTRY/app:v1")" "append prints the new list's digest and size"
assert_eq "$dry" "$MF_OUT" "append --dry-run computed the same digest"
assert_eq "$(jq -r .mediaType <<<"$after")" "$MT_LIST" "a Docker list stays one"
assert_eq "$(jq '.manifests | length' <<<"$after")" 3 "three entries"
assert_eq "$(entry 0 "$after")" "$(entry 0 "$before")" "entry 0 kept exactly"
assert_eq "$(entry 1 "$after")" "$(entry 1 "$before")" "entry 1 kept exactly"
assert_eq "$(jq -c '.manifests[2] | [.digest, .platform]' <<<"$after")" \
	"[\"$s390x\",{\"architecture\":\"s390x\",\"os\":\"linux\"}]" "appended entry, platform from the config"
skopeo_inspect_raw "$REGISTRY/app@$s390x" >/dev/null || fail "appended child copied into app"
assert_contains "$MF_ERR" "added entry linux/s390x" "says it added"

# Appending the same again: unchanged, no list PUT.
m=$(log_mark)
mf_expect 0 append "$REGISTRY/app:v1" "$REGISTRY/app-s390x:v1"
assert_eq "$(log_count_since "$m" 'PUT')" 0 "an append that changes nothing writes nothing"

# ---- append: replace the amd64 entry in place --------------------------------------------
amd64b=$(seed app-amd64:v2 --platform linux/amd64 --seed aad-amd64-v2)
mf_expect 0 append "$REGISTRY/app:v1" "$REGISTRY/app-amd64:v2" --platform linux/amd64
replaced=$(skopeo_inspect_raw "$REGISTRY/app:v1")
assert_eq "$(jq '.manifests | length' <<<"$replaced")" 3 "replace keeps the entry count"
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$replaced")" "$amd64b $arm64 $s390x" "amd64 replaced in place"
assert_eq "$(entry 1 "$replaced")" "$(entry 1 "$after")" "arm64 entry kept exactly"
assert_eq "$(entry 2 "$replaced")" "$(entry 2 "$after")" "s390x entry kept exactly"
assert_contains "$MF_ERR" "replaced entry linux/amd64" "says it replaced"
assert_eq "$MF_OUT" "$(digest_line "$REGISTRY/app:v1")" "replace prints the digest"

# --platform that the image is not: refused.
mf_expect 1 append "$REGISTRY/app:v1" "$REGISTRY/app-amd64:v2" --platform linux/ppc64le
assert_contains "$MF_ERR" "image config says linux/amd64" "append checks the platform"
mf_expect 1 append "$REGISTRY/app:v1" "$REGISTRY/app-nope:v1"
assert_contains "$MF_ERR" "$REGISTRY/app-nope:v1" "missing source named"
mf_expect 1 append "$REGISTRY/app-amd64:v1" "$REGISTRY/app-s390x:v1"
assert_contains "$MF_ERR" "not a list" "append to an image refused"

# ---- annotate -----------------------------------------------------------------------------
prev=$replaced
m=$(log_mark)
mf_expect 0 annotate "$REGISTRY/app:v1" --platform linux/arm64 --variant v8 --dry-run
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "annotate --dry-run writes nothing"
mf_expect 0 annotate "$REGISTRY/app:v1" --platform linux/arm64 --variant v8
cur=$(skopeo_inspect_raw "$REGISTRY/app:v1")
assert_eq "$MF_OUT" "$(digest_line "$REGISTRY/app:v1")" "annotate prints the digest"
assert_eq "$(jq -c '.manifests[1].platform' <<<"$cur")" '{"architecture":"arm64","os":"linux","variant":"v8"}' "variant set"
assert_eq "$(jq -r '.manifests[1].digest' <<<"$cur")" "$arm64" "annotate keeps the digest"
assert_eq "$(entry 0 "$cur")" "$(entry 0 "$prev")" "entry 0 kept exactly"
assert_eq "$(entry 2 "$cur")" "$(entry 2 "$prev")" "entry 2 kept exactly"

mf_expect 0 annotate "$REGISTRY/app:v1" --platform linux/s390x --os-version 1.2.3 --features sse4,avx --os-features win32k
cur=$(skopeo_inspect_raw "$REGISTRY/app:v1")
assert_eq "$(jq -c '.manifests[2].platform' <<<"$cur")" \
	'{"architecture":"s390x","os":"linux","os.version":"1.2.3","os.features":["win32k"],"features":["sse4","avx"]}' \
	"os.version, os.features, features set"
mf_expect 0 annotate "$REGISTRY/app:v1" --platform linux/s390x --os-version "" --features "" --os-features ""
cur=$(skopeo_inspect_raw "$REGISTRY/app:v1")
assert_eq "$(jq -c '.manifests[2].platform' <<<"$cur")" '{"architecture":"s390x","os":"linux"}' "empty values remove fields"
assert_eq "$(entry 2 "$cur")" "$(entry 2 "$prev")" "back to the entry as it was"

mf_expect 1 annotate "$REGISTRY/app:v1" --platform linux/ppc64le --variant x
assert_contains "$MF_ERR" "no entry for linux/ppc64le in the list (it has: linux/amd64, linux/arm64/v8, linux/s390x)" "unknown entry named"
mf_expect 2 annotate "$REGISTRY/app:v1" --variant v8
assert_contains "$MF_ERR" "needs TARGET and --platform" "annotate without --platform"

# ---- --annotation on an OCI index -----------------------------------------------------------
seed_arches oci v1 linux/amd64 linux/arm64 --oci --seed aad-oci
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/oci-ARCH:v1" --target "$REGISTRY/oci:v1"
oprev=$(skopeo_inspect_raw "$REGISTRY/oci:v1")
assert_eq "$(jq -r .mediaType <<<"$oprev")" "$MT_OCI_INDEX" "OCI children give an OCI index"
mf_expect 0 annotate "$REGISTRY/oci:v1" --platform linux/arm64 --annotation org.example.tier=edge \
	--annotation org.example.owner=team-a --index-annotation org.opencontainers.image.version=v1
ocur=$(skopeo_inspect_raw "$REGISTRY/oci:v1")
assert_eq "$(jq -r .mediaType <<<"$ocur")" "$MT_OCI_INDEX" "still an OCI index"
assert_eq "$(jq -c '.manifests[1].annotations' <<<"$ocur")" '{"org.example.owner":"team-a","org.example.tier":"edge"}' "entry annotations (keys sorted)"
assert_eq "$(jq -c '.annotations' <<<"$ocur")" '{"org.opencontainers.image.version":"v1"}' "index annotation"
assert_eq "$(entry 0 "$ocur")" "$(entry 0 "$oprev")" "other entry kept exactly"
mf_expect 0 annotate "$REGISTRY/oci:v1" --platform linux/arm64 --annotation org.example.tier=core
assert_eq "$(skopeo_inspect_raw "$REGISTRY/oci:v1" | jq -c '.manifests[1].annotations')" \
	'{"org.example.owner":"team-a","org.example.tier":"core"}' "same key: new value"
mf_expect 0 append "$REGISTRY/oci:v1" "$REGISTRY/app-s390x:v1" --annotation org.example.tier=legacy
assert_eq "$(skopeo_inspect_raw "$REGISTRY/oci:v1" | jq -c '.manifests[2] | [.digest, .annotations]')" \
	"[\"$s390x\",{\"org.example.tier\":\"legacy\"}]" "append --annotation on the new entry"
# A buildx-style source (an index with an attestation): --platform picks the image.
read -r bx_index bx_image < <(seed bx:v1 --platform linux/ppc64le --index-with-attestation --seed aad-bx)
mf_expect 1 append "$REGISTRY/oci:v1" "$REGISTRY/bx:v1"
assert_contains "$MF_ERR" "$REGISTRY/bx:v1 is a list; say which of its platforms with --platform" "list source needs --platform"
mf_expect 0 append "$REGISTRY/oci:v1" "$REGISTRY/bx:v1" --platform linux/ppc64le
assert_eq "$(skopeo_inspect_raw "$REGISTRY/oci:v1" | jq -c '.manifests[3] | [.digest, .platform]')" \
	"[\"$bx_image\",{\"architecture\":\"ppc64le\",\"os\":\"linux\"}]" "the index's image entry, not the index or its attestation"
[ "$bx_index" != "$bx_image" ] || fail "seed gave one digest for index and image"
mf_expect 2 annotate "$REGISTRY/oci:v1" --platform linux/arm64 --annotation novalue
assert_contains "$MF_ERR" "\"novalue\" is not KEY=VALUE" "bad --annotation"

# ---- delete ----------------------------------------------------------------------------------
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/app-ARCH:v1" \
	--target "$REGISTRY/app:v5" --tags latest
held=$(skopeo_digest "$REGISTRY/app:v5")
m=$(log_mark)
mf_expect 1 delete "$REGISTRY/app:v5"
assert_contains "$MF_ERR" "$REGISTRY/app:v5 ($held) also backs tag latest; deleting it would remove it too (--force deletes anyway)" \
	"refuses when another tag holds the digest"
assert_eq "$(log_count_since "$m" 'DELETE|PUT|POST|PATCH')" 0 "a refused delete writes nothing"
assert_eq "$(skopeo_digest "$REGISTRY/app:v5")" "$held" "app:v5 still there"

m=$(log_mark)
mf_expect 0 delete "$REGISTRY/app:v5" --force --dry-run
assert_eq "$MF_OUT" "Would delete: $held" "--dry-run says what it would delete"
assert_eq "$(log_count_since "$m" 'DELETE|PUT|POST|PATCH')" 0 "delete --dry-run writes nothing"

mf_expect 0 delete "$REGISTRY/app:v5" --force
assert_eq "$MF_OUT" "Deleted: $held" "delete --force prints the digest"
assert_contains "$MF_ERR" "tag latest held the same digest" "says which other tag went too"
for t in v5 latest; do
	assert_absent "$REGISTRY/app:$t" "app:$t still answers after delete --force"
done
assert_eq "$(skopeo_digest "$REGISTRY/app@$amd64")" "$amd64" "children stay (amd64)"
assert_eq "$(skopeo_digest "$REGISTRY/app@$arm64")" "$arm64" "children stay (arm64)"
assert_eq "$(skopeo_digest "$REGISTRY/app-amd64:v1")" "$amd64" "per-arch tag untouched"
assert_eq "$(skopeo_inspect_raw "$REGISTRY/app:v1" | jq '.manifests | length')" 3 "the other list of the repository untouched"

# A list only its own tag holds: deleted without --force.
mf_expect 0 delete "$REGISTRY/oci:v1"
assert_absent "$REGISTRY/oci:v1" "oci:v1 still answers"
o2=${SEEDED[oci/linux/arm64]}
assert_eq "$(skopeo_digest "$REGISTRY/oci@$o2")" "$o2" "OCI children stay"
assert_eq "$(skopeo_digest "$REGISTRY/oci-amd64:v1")" "${SEEDED[oci/linux/amd64]}" "OCI per-arch tag untouched"

mf_expect 1 delete "$REGISTRY/app-amd64:v1"
assert_contains "$MF_ERR" "is an image ($(jq -r .mediaType <<<"$(skopeo_inspect_raw "$REGISTRY/app-amd64:v1")")), not a list" "an image is not deleted"
mf_expect 1 delete "$REGISTRY/app:nope"
mf_expect 2 delete
mf_expect 0 delete --help
assert_contains "$MF_OUT" "usage: manifold delete TARGET" "delete --help"

# ---- a registry with deletes disabled -------------------------------------------------------
registry_start --name nodel --no-delete
seed "$REGISTRY_NODEL/x-amd64:v1" --platform linux/amd64 --seed aad-nodel >/dev/null
mf_expect 0 push from-args --platforms linux/amd64 --template "$REGISTRY_NODEL/x-ARCH:v1" --target "$REGISTRY_NODEL/x:v1"
mf_expect 1 delete "$REGISTRY_NODEL/x:v1"
assert_contains "$MF_ERR" "$REGISTRY_NODEL/x:v1: the registry has deletes disabled (405); nothing was deleted. On a distribution registry set storage.delete.enabled: true" \
	"deletes disabled: a clear message"
skopeo_inspect_raw "$REGISTRY_NODEL/x:v1" >/dev/null || fail "x:v1 gone on a registry with deletes disabled"
