#!/usr/bin/env bash
# test_retag_bulk.sh — `manifold retag -c CONFIG` over 20 per-arch images:
# arch-suffixed names → arch-suffixed tags and back, then promotion of
# published lists (indexes with their children) to a second registry
# (blobs streamed, since a mount cannot cross registries). skopeo reads back
# digests equal to the sources; a rerun writes nothing to either registry;
# --only and --dry-run; per-copy results in the status file.
source "$(dirname "$0")/lib.sh"

registry_start --name src
registry_start --name mirror
S=$REGISTRY_SRC
M=$REGISTRY_MIRROR
NAMES=(kube-proxy pause coredns etcd kube-scheduler)
TAGS=(v1 v2)
declare -A DIGEST # "name arch tag" -> digest seeded

# 5 names × 2 tags × 2 platforms = 20 per-arch images, pushed by the "build farm".
for p in linux/amd64 linux/arm64/v8; do
	arch=$(cut -d/ -f2 <<<"$p")
	refs=()
	for n in "${NAMES[@]}"; do
		for t in "${TAGS[@]}"; do
			refs+=("$S/$n-$arch:$t")
		done
	done
	while read -r ref d; do
		n=${ref#"$S/"}
		t=${n##*:}
		n=${n%:*}
		DIGEST["${n%-"$arch"} $arch $t"]=$d
	done < <(seed "${refs[@]}" --platform "$p" --layers 2 --seed "bulk-$arch")
done
assert_eq "${#DIGEST[@]}" 20 "20 images seeded"

# Two published lists (buildx-style indexes: image + attestation) to promote.
read -r d_l1 d_l1img < <(seed "$S/metrics-server:v0.7" --platform linux/amd64 --index-with-attestation --layers 2 --seed l1)
read -r d_l2 _ < <(seed "$S/ingress:v1.11" --platform linux/arm64/v8 --index-with-attestation --seed l2)

# Both configs list every per-arch name with every tag.
tags="${TAGS[*]}"
per_arch_images=$(for n in "${NAMES[@]}"; do echo "  - {name: $n, tags: [${tags// /, }]}"; done)
config_write "$TEST_TMP/release.yaml" --registry "$S" --status "$TEST_TMP/status/retag.json" <<EOF
images:
$per_arch_images
  - {name: metrics-server, tags: [v0.7]}
  - {name: ingress, tags: [v1.11]}
retag:
  - from: "{registry}/{name}-{arch}:{tag}"
    to: "{registry}/{name}:{tag}-{arch}"
    images: [kube-proxy, pause, coredns, etcd, kube-scheduler]
  - from: "{registry}/{name}:{tag}"
    to: "$M/k8s/{name}:{tag}"
    images: [metrics-server, ingress]
EOF
mkdir -p "$TEST_TMP/status"

# ---- --dry-run first: all would copy, nothing written ---------------------------
ms=$(log_mark "$REGISTRY_SRC_LOG")
mm=$(log_mark "$REGISTRY_MIRROR_LOG")
mf_expect 0 retag -c "$TEST_TMP/release.yaml" --dry-run --output json
assert_eq "$(jq -c .summary <<<"$MF_OUT")" '{"copied":0,"unchanged":0,"would_copy":22,"failed":0,"held":0,"refused":0}' "dry run summary"
assert_eq "$(log_count_since "$ms" 'PUT|POST|PATCH|DELETE')" 0 "dry run: no writes to src"
assert_eq "$(log_count_since "$mm" 'PUT|POST|PATCH|DELETE')" 0 "dry run: no writes to mirror"
[ ! -e "$TEST_TMP/status/retag.json" ] || fail "dry run wrote the status file"

# ---- the bulk run -------------------------------------------------------------------
export MANIFOLD_NOW=2026-02-01T00:00:00Z
ms=$(log_mark "$REGISTRY_SRC_LOG")
mm=$(log_mark "$REGISTRY_MIRROR_LOG")
mf_expect 0 retag -c "$TEST_TMP/release.yaml" -j 8 --output json
assert_eq "$(jq -c .summary <<<"$MF_OUT")" '{"copied":22,"unchanged":0,"would_copy":0,"failed":0,"held":0,"refused":0}' "bulk summary"
assert_eq "$(jq -r '.copies[] | select(.to == "'"$S/pause:v2-arm64"'") | .platform' <<<"$MF_OUT")" linux/arm64/v8 "per-platform rule names its platform"
assert_eq "$(jq -r '.copies[] | select(.to == "'"$M/k8s/ingress:v1.11"'") | has("platform")' <<<"$MF_OUT")" false "per-tag rule has no platform"
for n in "${NAMES[@]}"; do
	for a in amd64 arm64; do
		for t in "${TAGS[@]}"; do
			assert_eq "$(skopeo_digest "$S/$n:$t-$a")" "${DIGEST["$n $a $t"]}" "$S/$n:$t-$a"
		done
	done
done
# Within one registry blobs are mounted, never uploaded.
assert_eq "$(log_count_since "$ms" PATCH)" 0 "src: no streamed uploads"
assert_eq "$(log_count_since "$ms" PUT '/blobs/')" 0 "src: no blob PUTs"
assert_eq "$(log_count_since "$ms" PUT '/manifests/')" 20 "src: one manifest PUT per image"
# Promotion: lists and their children on the mirror, same digests, blobs streamed.
assert_eq "$(skopeo_digest "$M/k8s/metrics-server:v0.7")" "$d_l1" "promoted list 1 digest"
assert_eq "$(skopeo_digest "$M/k8s/ingress:v1.11")" "$d_l2" "promoted list 2 digest"
assert_eq "$(skopeo_digest "$M/k8s/metrics-server@$d_l1img")" "$d_l1img" "child present by digest"
assert_eq "$(skopeo_inspect "$M/k8s/metrics-server:v0.7" | jq -r '.Layers | length')" 2 "child layers readable on the mirror"
assert_eq "$(log_count_since "$mm" POST 'mount=')" 0 "mirror: no cross-registry mount attempts"
[ "$(log_count_since "$mm" PUT '/blobs/uploads/')" -ge 6 ] || fail "mirror: blobs were not uploaded"
assert_eq "$(log_count_since "$ms" 'PUT|POST|PATCH' '/(metrics-server|ingress)/')" 0 "promotion writes nothing to src"

st=$TEST_TMP/status/retag.json
assert_eq "$(jq '[(.copies | length), (.targets | length)]' -c "$st")" '[22,0]' "status: one copy record per copy, no targets"
jq -e --arg t "$S/etcd:v2-amd64" '.copies[] | select(.to == $t) | .state == "copied" and .digest == "'"${DIGEST["etcd amd64 v2"]}"'"' "$st" >/dev/null ||
	fail "status: etcd:v2-amd64"
jq -e --arg t "$S/etcd:v2-amd64" '.copies[] | select(.to == $t) | .platform == "linux/amd64" and .from == "'"$S/etcd-amd64:v2"'"' "$st" >/dev/null ||
	fail "status: platform and source"
jq -e --arg t "$M/k8s/ingress:v1.11" '.copies[] | select(.to == $t) | .media_type == "application/vnd.oci.image.index.v1+json" and (has("platform") | not)' "$st" >/dev/null ||
	fail "status: promoted list record"
assert_eq "$(jq -c '.last_retag | [.copied, .unchanged, .failed]' "$st")" '[22,0,0]' "status: last_retag"

# ---- the rerun writes nothing, to either registry ------------------------------------
export MANIFOLD_NOW=2026-02-02T00:00:00Z
ms=$(log_mark "$REGISTRY_SRC_LOG")
mm=$(log_mark "$REGISTRY_MIRROR_LOG")
mf_expect 0 retag -c "$TEST_TMP/release.yaml"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "0 copied, 22 unchanged, 0 failed" "rerun summary"
assert_eq "$(log_count_since "$ms" 'PUT|POST|PATCH|DELETE')" 0 "rerun: no writes to src"
assert_eq "$(log_count_since "$mm" 'PUT|POST|PATCH|DELETE')" 0 "rerun: no writes to mirror"
assert_eq "$(log_count_since "$ms" GET '/manifests/')" 0 "rerun: no manifest GETs (HEADs decide)"
jq -e --arg t "$S/etcd:v2-amd64" '.copies[] | select(.to == $t) | .state == "copied" and .since == "2026-02-01T00:00:00Z"' "$st" >/dev/null ||
	fail "status: unchanged keeps state and since"

# ---- --only, and back: arch-suffixed tags → arch-suffixed names ------------------------
d_new=$(seed "$S/pause-arm64:v1" --platform linux/arm64/v8 --seed bulk-new)
mf_expect 0 retag -c "$TEST_TMP/release.yaml" --only pause
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "1 copied, 3 unchanged, 0 failed" "--only pause"
assert_eq "$(skopeo_digest "$S/pause:v1-arm64")" "$d_new" "--only: the new build"
DIGEST["pause arm64 v1"]=$d_new
mf_expect 2 retag -c "$TEST_TMP/release.yaml" --only nosuchimage

config_write "$TEST_TMP/back.yaml" --registry "$S" <<EOF
images:
$per_arch_images
retag:
  - from: "{registry}/{name}:{tag}-{arch}"
    to: "$M/back/{name}-{arch}:{tag}"
EOF
mm=$(log_mark "$REGISTRY_MIRROR_LOG")
mf_expect 0 retag -c "$TEST_TMP/back.yaml" -j 4
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "20 copied, 0 unchanged, 0 failed" "back: summary"
for n in "${NAMES[@]}"; do
	for a in amd64 arm64; do
		for t in "${TAGS[@]}"; do
			assert_eq "$(skopeo_digest "$M/back/$n-$a:$t")" "${DIGEST["$n $a $t"]}" "$M/back/$n-$a:$t"
		done
	done
done
mm=$(log_mark "$REGISTRY_MIRROR_LOG")
mf_expect 0 retag -c "$TEST_TMP/back.yaml"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "0 copied, 20 unchanged, 0 failed" "back: rerun"
assert_eq "$(log_count_since "$mm" 'PUT|POST|PATCH|DELETE')" 0 "back: rerun writes nothing"

# ---- config errors: exit 2 -----------------------------------------------------------
config_write "$TEST_TMP/norules.yaml" --registry "$S" --platforms linux/amd64 <<EOF
images:
  - {name: a, tags: [v1]}
EOF
mf_expect 2 retag -c "$TEST_TMP/norules.yaml"
