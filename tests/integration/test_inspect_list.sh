#!/usr/bin/env bash
# test_inspect_list.sh — `manifold inspect` against a real registry: a Docker
# manifest list (text and JSON, every platform field, each entry's layers as
# skopeo sees them), --raw bytes equal to skopeo's, --platform picking one
# entry, a single image's config platform, a buildx index's attestation and
# annotations, and the errors.
source "$(dirname "$0")/lib.sh"

registry_start

# Three images in one repository, then a list over them (PUT by hand, so this
# test does not depend on `manifold publish`).
d_amd=$(seed multi:amd64 --platform linux/amd64 --layers 2 --seed i1)
d_arm=$(seed multi:arm64 --platform linux/arm64/v8 --layers 1 --seed i2)
d_win=$(seed multi:win --platform windows/amd64:10.0.17763.6659 --layers 3 --seed i3)
size_of() { skopeo_inspect_raw "$REGISTRY/multi@$1" | wc -c | tr -d ' '; }
s_amd=$(size_of "$d_amd")
s_arm=$(size_of "$d_arm")
s_win=$(size_of "$d_win")
python3 - "$d_amd" "$s_amd" "$d_arm" "$s_arm" "$d_win" "$s_win" >"$TEST_TMP/list.json" <<'EOF'
import json, sys
a = sys.argv[1:]
mt = "application/vnd.docker.distribution.manifest.v2+json"
print(json.dumps({"schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
  "manifests": [
    {"mediaType": mt, "digest": a[0], "size": int(a[1]), "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": mt, "digest": a[2], "size": int(a[3]), "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
    {"mediaType": mt, "digest": a[4], "size": int(a[5]), "platform": {"architecture": "amd64", "os": "windows",
      "os.version": "10.0.17763.6659", "os.features": ["win32k"]}}]}, indent=3), end="")
EOF
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Content-Type: $MT_LIST" \
	--data-binary @"$TEST_TMP/list.json" "$REGISTRY_URL/v2/multi/manifests/v1")
assert_eq "$code" 201 "PUT the list"
d_list=$(digest_of "$TEST_TMP/list.json")
s_list=$(wc -c <"$TEST_TMP/list.json" | tr -d ' ')

layers_of() { # REF → "digest size" per layer, as skopeo reads them
	skopeo_inspect_raw "$1" | jq -r '.layers[] | "\(.digest) \(.size)"'
}

# ---- text -------------------------------------------------------------------
mf_expect 0 inspect "$REGISTRY/multi:v1"
{
	printf '%-13s%s\n' Name: "$REGISTRY/multi:v1" MediaType: "$MT_LIST" Digest: "$d_list" Size: "$s_list"
	printf '%-13s%s\n' Manifests: 3
	n=0
	for e in "linux/amd64 $d_amd $s_amd" "linux/arm64/v8 $d_arm $s_arm" "windows/amd64:10.0.17763.6659 $d_win $s_win"; do
		read -r p d s <<<"$e"
		n=$((n + 1))
		printf '\n[%d] %s\n' "$n" "$p"
		printf '  %-13s%s\n' MediaType: "$MT_V2" Digest: "$d" Size: "$s"
		echo "  Platform:"
		case $p in
		linux/amd64) printf '    %-14s%s\n' os: linux architecture: amd64 ;;
		linux/arm64/v8) printf '    %-14s%s\n' os: linux architecture: arm64 variant: v8 ;;
		windows/*) printf '    %-14s%s\n' os: windows architecture: amd64 os.version: 10.0.17763.6659 os.features: win32k ;;
		esac
		raw=$(skopeo_inspect_raw "$REGISTRY/multi@$d")
		printf '  %-13s%s\n' Config: "$(jq -r '.config | "\(.digest) \(.size) \(.mediaType)"' <<<"$raw")"
		printf '  %-13s%s\n' Layers: "$(jq -r '.layers | length' <<<"$raw")"
		jq -r '.layers[] | "    \(.digest) \(.size) \(.mediaType)"' <<<"$raw"
	done
} >"$TEST_TMP/want.txt"
printf '%s\n' "$MF_OUT" >"$TEST_TMP/got.txt"
diff -u "$TEST_TMP/want.txt" "$TEST_TMP/got.txt" >&2 || fail "inspect text output"

# ---- JSON ---------------------------------------------------------------------
mf_expect 0 inspect "$REGISTRY/multi:v1" --output json
j=$MF_OUT
assert_eq "$(jq -r .digest <<<"$j")" "$d_list" "json digest"
assert_eq "$(jq -r .media_type <<<"$j")" "$MT_LIST" "json media_type"
assert_eq "$(jq -r .size <<<"$j")" "$s_list" "json size"
assert_eq "$(jq -r '.manifests | length' <<<"$j")" 3 "json entries"
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$j")" "$d_amd $d_arm $d_win" "json entry digests in order"
assert_eq "$(jq -r '[.manifests[].size] | join(" ")' <<<"$j")" "$s_amd $s_arm $s_win" "json entry sizes"
assert_eq "$(jq -r '.manifests[1].platform | [.os, .architecture, .variant] | join("/")' <<<"$j")" linux/arm64/v8 "json arm64 platform"
assert_eq "$(jq -r '.manifests[2].platform.os_version' <<<"$j")" 10.0.17763.6659 "json os_version"
assert_eq "$(jq -r '.manifests[2].platform.os_features | join(",")' <<<"$j")" win32k "json os_features"
assert_eq "$(jq -r '.manifests[0].platform | has("variant")' <<<"$j")" false "no variant when none"
for i in 0 1 2; do
	d=$(jq -r ".manifests[$i].digest" <<<"$j")
	assert_eq "$(jq -r ".manifests[$i].layers[] | \"\(.digest) \(.size)\"" <<<"$j")" \
		"$(layers_of "$REGISTRY/multi@$d")" "json layers of entry $i equal skopeo's"
done
assert_eq "$(jq -r '.manifests[2].layers | length' <<<"$j")" 3 "windows image has 3 layers"

# ---- --raw ----------------------------------------------------------------------
"$MANIFOLD" inspect "$REGISTRY/multi:v1" --raw >"$TEST_TMP/raw.out"
skopeo_inspect_raw "$REGISTRY/multi:v1" >"$TEST_TMP/skopeo.out"
cmp "$TEST_TMP/raw.out" "$TEST_TMP/skopeo.out" || fail "--raw differs from skopeo inspect --raw"
cmp "$TEST_TMP/raw.out" "$TEST_TMP/list.json" || fail "--raw differs from the bytes PUT"

# ---- --platform -------------------------------------------------------------------
mf_expect 0 inspect "$REGISTRY/multi:v1" --platform linux/arm64 --output json
assert_eq "$(jq -r '.manifests | length' <<<"$MF_OUT")" 1 "--platform: one entry"
assert_eq "$(jq -r '.manifests[0].digest' <<<"$MF_OUT")" "$d_arm" "--platform linux/arm64 ≡ arm64/v8"
assert_eq "$(jq -r '.manifests[0].layers[] | "\(.digest) \(.size)"' <<<"$MF_OUT")" \
	"$(layers_of "$REGISTRY/multi@$d_arm")" "--platform: that entry's layers"
mf_expect 0 inspect "$REGISTRY/multi:v1" --platform linux/arm64/v8
assert_contains "$MF_OUT" "Manifests:   3 (showing entry 2)" "--platform text says which entry"
assert_not_contains "$MF_OUT" "$d_amd" "--platform text hides other entries"
"$MANIFOLD" inspect "$REGISTRY/multi:v1" --raw --platform windows/amd64 >"$TEST_TMP/child.raw"
skopeo_inspect_raw "$REGISTRY/multi@$d_win" >"$TEST_TMP/child.skopeo"
cmp "$TEST_TMP/child.raw" "$TEST_TMP/child.skopeo" || fail "--raw --platform: the entry's exact bytes"
mf_expect 1 inspect "$REGISTRY/multi:v1" --platform linux/s390x
assert_eq "$MF_ERR" "manifold inspect: $REGISTRY/multi:v1: no entry for linux/s390x" "missing platform message"

# ---- a single image: its config's platform -----------------------------------------
mf_expect 0 inspect "$REGISTRY/multi:arm64" --output json
assert_eq "$(jq -r '.platform | [.os, .architecture, .variant] | join("/")' <<<"$MF_OUT")" linux/arm64/v8 "image: config platform"
assert_eq "$(jq -r .digest <<<"$MF_OUT")" "$d_arm" "image digest"
assert_eq "$(jq -r '.config.digest' <<<"$MF_OUT")" "$(skopeo_inspect_raw "$REGISTRY/multi:arm64" | jq -r .config.digest)" "image config digest"
assert_eq "$(jq -r '.layers[] | "\(.digest) \(.size)"' <<<"$MF_OUT")" "$(layers_of "$REGISTRY/multi:arm64")" "image layers"
mf_expect 0 inspect "$REGISTRY/multi:win"
assert_contains "$MF_OUT" "Platform:    windows/amd64:10.0.17763.6659 (from the config)" "image text platform"
mf_expect 1 inspect "$REGISTRY/multi:win" --platform linux/amd64
assert_eq "$MF_ERR" "manifold inspect: $REGISTRY/multi:win is windows/amd64:10.0.17763.6659, not linux/amd64" "image --platform mismatch"

# ---- a buildx index: annotations and the attestation entry ---------------------------
read -r d_idx d_img < <(seed app:v1 --platform linux/arm64/v8 --index-with-attestation --seed i4)
mf_expect 0 inspect "$REGISTRY/app:v1" --output json
assert_eq "$(jq -r .digest <<<"$MF_OUT")" "$d_idx" "index digest"
assert_eq "$(jq -r '[.manifests[].attestation] | join(",")' <<<"$MF_OUT")" false,true "attestation flagged"
assert_eq "$(jq -r '.manifests[1].annotations["vnd.docker.reference.digest"]' <<<"$MF_OUT")" "$d_img" "entry annotations"
mf_expect 0 inspect "$REGISTRY/app:v1"
assert_contains "$MF_OUT" "[2] unknown/unknown (attestation)" "attestation in text"
assert_contains "$MF_OUT" "    vnd.docker.reference.type: attestation-manifest" "annotation in text"
mf_expect 0 inspect "$REGISTRY/app:v1" --platform linux/arm64 --output json
assert_eq "$(jq -r '.manifests[0].digest' <<<"$MF_OUT")" "$d_img" "--platform never picks the attestation"

# ---- errors ------------------------------------------------------------------------
mf_expect 1 inspect "$REGISTRY/nothere:v1"
assert_contains "$MF_ERR" "manifold inspect: " "not found message"
assert_contains "$MF_ERR" "nothere" "not found names the repository"
mf_expect 2 inspect "$REGISTRY/Bad:v1"
mf_expect 2 inspect
mf_expect 2 inspect "$REGISTRY/multi:v1" --raw --output json
mf_expect 2 inspect "$REGISTRY/multi:v1" --platform linux/arm64/v9
mf_expect 0 inspect --help
assert_contains "$MF_OUT" "usage: manifold inspect REF" "--help"

# ---- --file on the fixtures -----------------------------------------------------------
data=$MANIFOLD_SOURCE_DIR/tests/data/inspect
cd "$data" # the name printed is the name given
mf_expect 0 inspect --file docker-list.json
diff -u "$data/docker-list.txt" <(printf '%s\n' "$MF_OUT") >&2 || fail "--file docker list"
cd - >/dev/null
"$MANIFOLD" inspect --file "$data/oci-index-annotations.json" --raw >"$TEST_TMP/file.raw"
cmp "$TEST_TMP/file.raw" "$data/oci-index-annotations.json" || fail "--file --raw: the file's bytes"
mf_expect 0 inspect --file "$data/combined-distinct.json" --output json
assert_eq "$(jq -r .media_type <<<"$MF_OUT")" application/vnd.oci.image.index.v1+json "combined: today's index"
assert_eq "$(jq -r '.combined.labels.version' <<<"$MF_OUT")" 1.24.0 "combined: labels"
"$MANIFOLD" inspect --file "$data/combined-distinct.json" --raw >"$TEST_TMP/today.json"
assert_eq "$(jq -r '.manifests | length' "$TEST_TMP/today.json")" 3 "combined --raw: the index bytes"
assert_eq "$(digest_of "$TEST_TMP/today.json")" "$(jq -r .digest <<<"$MF_OUT")" "combined --raw digest"
