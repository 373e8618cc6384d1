#!/usr/bin/env bash
# test_k8s_image.sh — scripts/image builds a complete image (this machine's
# platform only: test_k8s_image_arm64.sh covers the cross-built one): pushed
# to a local registry (with credentials) as an index manifold assembled, its
# config says user 65532:65532, entrypoint manifold, WORKDIR /work, and the
# image and the index carry the OCI version/revision/source/created
# annotations; its unpacked root filesystem, entered with chroot as
# uid 65532, runs the CronJob's two containers exactly (git clone of a
# private status repository over HTTPS, then manifold publish --commit --push
# against the registry), writing nothing outside /work and /tmp.
# Skips (77) only where buildah cannot run at all.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/k8s_lib.sh"
k8s_need_buildah
need skopeo tar chroot

registry_start --htpasswd "$K8S_REG_USER:$K8S_REG_PASS"
k8s_registry_auth >"$DOCKER_CONFIG/config.json"
version=$(sed -n 's/^project(manifold VERSION \([0-9.]*\).*/\1/p' "$MANIFOLD_SOURCE_DIR/CMakeLists.txt")
ref=$REGISTRY/tools/manifold:$version
local_name=localhost/manifold-test-$$:$version
arch=$(dpkg --print-architecture)

# ---- build and push ------------------------------------------------------------
k8s_image_build "$ref" "$local_name" --platforms "linux/$arch"
buildah --storage-driver vfs rmi "$local_name-$arch" >/dev/null # it lives in the registry now
assert_contains "$(cat "$TEST_TMP/image.out")" "pushed $ref-$arch" "pushed the image"
assert_contains "$(cat "$TEST_TMP/image.out")" "pushed $ref"$'\n' "pushed the index"
assert_contains "$(tail -1 "$TEST_TMP/image.out")" "image $local_name-$arch (linux/$arch, $version, " "size line"

creds=(--creds "$K8S_REG_USER:$K8S_REG_PASS")
cfg=$(skopeo_config "$ref" "${creds[@]}")
assert_eq "$(jq -r .config.User <<<"$cfg")" "65532:65532" "user"
assert_eq "$(jq -c .config.Entrypoint <<<"$cfg")" '["/usr/local/bin/manifold"]' "entrypoint"
assert_eq "$(jq -c '.config.Cmd // []' <<<"$cfg")" '[]' "no cmd"
assert_eq "$(jq -r .config.WorkingDir <<<"$cfg")" /work "workdir"
assert_eq "$(jq -r '.os + "/" + .architecture' <<<"$cfg")" "linux/$arch" "platform"
revision=$(git -C "$MANIFOLD_SOURCE_DIR" rev-parse HEAD)
created=$(TZ=UTC git -C "$MANIFOLD_SOURCE_DIR" log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ)
index=$(skopeo_inspect_raw "$ref" "${creds[@]}")
assert_eq "$(jq -r .mediaType <<<"$index")" application/vnd.oci.image.index.v1+json "an OCI index"
assert_eq "$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(",")' <<<"$index")" "linux/$arch" "its one platform"
raw=$(skopeo_inspect_raw "$ref-$arch" "${creds[@]}")
assert_eq "$(jq -r .mediaType <<<"$raw")" application/vnd.oci.image.manifest.v1+json "the image: an OCI manifest"
assert_eq "$(jq -r '.manifests[0].digest' <<<"$index")" "$(skopeo_inspect "$ref-$arch" "${creds[@]}" | jq -r .Digest)" "the index's entry is the image"
for where in "$(jq -c .config.Labels <<<"$cfg")" "$(jq -c .annotations <<<"$raw")" "$(jq -c .annotations <<<"$index")"; do
	assert_eq "$(jq -r '."org.opencontainers.image.version"' <<<"$where")" "$version" "version label/annotation"
	assert_eq "$(jq -r '."org.opencontainers.image.revision"' <<<"$where")" "$revision" "revision label/annotation"
	assert_eq "$(jq -r '."org.opencontainers.image.created"' <<<"$where")" "$created" "created label/annotation"
	assert_contains "$(jq -r '."org.opencontainers.image.source"' <<<"$where")" "/" "source label/annotation"
	assert_eq "$(jq -r 'keys[] | select(startswith("org.opencontainers.image.base."))' <<<"$where")" "" "no base (from scratch)"
done

# ---- unpack the root filesystem as a runtime would --------------------------------
k8s_unpack "$ref" "${creds[@]/--creds/--src-creds}"
rootfs=$TEST_TMP/rootfs
assert_eq "$(grep :65532: "$rootfs/etc/passwd")" "manifold:x:65532:65532:manifold:/work:/sbin/nologin" "passwd entry"
# /dev is the runtime's: the devices every OCI runtime creates (runtime-spec
# "Default Devices"); git needs /dev/null and /dev/urandom.
mkdir -p "$rootfs/dev"
for dev in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9; do
	IFS=: read -r name major minor <<<"$dev"
	mknod -m 666 "$rootfs/dev/$name" c "$major" "$minor"
done

# ---- the CronJob's pod inside it, as uid 65532 -------------------------------------
# The status repository over HTTPS: git (GnuTLS) and libgit2 (mbedTLS) both
# read the image's CA bundle (the image's own refuses the test server; with
# the test CA added, as a private CA would be, it is trusted); /etc/hosts is
# the kubelet's.
githttp_start --tls
status_remote_init 3
bundle=$rootfs/etc/ssl/certs/ca-certificates.crt
cat "$bundle" "$GIT_HTTP_CA" >"$TEST_TMP/with-test-ca.crt"
echo "127.0.0.1 localhost" >"$rootfs/etc/hosts"
for arch in amd64 arm64; do
	seed "alpha-$arch:v1" --platform "linux/$arch" --user "$K8S_REG_USER:$K8S_REG_PASS" --seed "img-$arch" >/dev/null
done
seed lonely-amd64:v1 --platform linux/amd64 --user "$K8S_REG_USER:$K8S_REG_PASS" --seed img-lonely >/dev/null
k8s_config "$rootfs/etc/manifold/config/release.yaml" alpha lonely
image_env=()
for kv in $(jq -r '.config.Env[]' <<<"$cfg"); do image_env+=(--env "$kv"); done
inside=(--chroot 65532:65532 --entrypoint "$(jq -c .config.Entrypoint <<<"$cfg")"
	--workdir "$(jq -r .config.WorkingDir <<<"$cfg")" "${image_env[@]}")
pod_run cronjob clone "$rootfs" "${inside[@]}"
[ "$POD_RC" != 0 ] || fail "clone trusted a server whose CA is not in the bundle"
assert_contains "$POD_ERR" "certificate" "an untrusted server is refused"
cp "$TEST_TMP/with-test-ca.crt" "$bundle"
touch "$TEST_TMP/before-pod"
sleep 0.01 # the marker's mtime strictly before anything the pod writes
pod_run cronjob clone "$rootfs" "${inside[@]}"
assert_eq "$POD_RC" 0 "clone in the image"
MANIFOLD_NOW=2026-04-01T03:00:00Z pod_run cronjob manifold "$rootfs" "${inside[@]}"
assert_eq "$POD_RC" 0 "manifold publish in the image (incomplete night → 0)"
assert_contains "$POD_ERR" "committed" "status committed"

assert_eq "$(git -C "$STATUS_REMOTE" log -1 --format='%an|%s' main)" \
	"manifold nightly|manifold: 1 published, 0 unchanged, 1 incomplete, 0 failed" "pushed commit"
assert_eq "$(git -C "$STATUS_REMOTE" rev-list --count main)" 4 "on top of the 3 old ones"
assert_eq "$(git -C "$STATUS_REMOTE" show main:status/release.json |
	jq -r '[.targets[] | (.target | sub(".*/"; "")) + "=" + .state] | join(",")')" \
	"alpha:v1=published,lonely:v1=incomplete" "status file"
assert_eq "$(skopeo_inspect_raw "$REGISTRY/alpha:v1" "${creds[@]}" | jq -r '[.manifests[].platform.architecture] | join(",")')" \
	"amd64,arm64" "the list the image published"
assert_eq "$(grep -c "^POST /release/status.git/git-receive-pack 200 $K8S_GIT_USER .*libgit2" "$GIT_HTTP_LOG")" 1 "pushed with the Secret"
# Written: /work (the clone, as the user) and /tmp; the mounts were made by the "kubelet".
assert_eq "$(find "$rootfs" -newer "$TEST_TMP/before-pod" ! -path "$rootfs/work*" ! -path "$rootfs/tmp*" \
	! -path "$rootfs/etc/manifold*" -printf '/%P\n')" "" "nothing written outside /work and /tmp"
assert_eq "$(find "$rootfs/work/status" ! -user 65532 | head -3)" "" "the clone belongs to uid 65532"

# ---- ECR: a credHelpers entry runs the image's docker-credential-ecr-login ---------
# Without AWS credentials it answers "credentials not found" and manifold goes
# on anonymously (refused by this registry); the helper's own cache under
# HOME shows it ran as the user. A helper the image lacks is named as such.
mkdir -p "$rootfs/etc/manifold/ecr"
for helper in ecr-login nosuch; do
	jq -n --arg r "$REGISTRY" --arg h "$helper" '{credHelpers: {($r): $h}}' >"$rootfs/etc/manifold/ecr/config.json"
	# shellcheck disable=SC2046 # the image's NAME=VALUE words
	if env -i $(jq -r '.config.Env[]' <<<"$cfg") DOCKER_CONFIG=/etc/manifold/ecr \
		"$(command -v chroot)" --userspec=65532:65532 "$rootfs" /usr/local/bin/manifold inspect "$REGISTRY/alpha:v1" \
		>"$TEST_TMP/ecr.out" 2>"$TEST_TMP/ecr-$helper.err"; then rc=0; else rc=$?; fi
	sed "s/^/  $helper| /" "$TEST_TMP/ecr-$helper.err" >&2
	assert_eq "$rc" 1 "inspect with credHelpers $helper: refused"
done
assert_not_contains "$(cat "$TEST_TMP/ecr-ecr-login.err")" "not found or not executable" "the ECR helper is in the image"
assert_contains "$(cat "$TEST_TMP/ecr-ecr-login.err")" "401" "anonymous, as the helper had nothing"
[ -d "$rootfs/work/.ecr" ] || fail "docker-credential-ecr-login did not run (no /work/.ecr)"
assert_eq "$(find "$rootfs/work/.ecr" ! -user 65532 | head -3)" "" "the helper ran as uid 65532"
assert_contains "$(cat "$TEST_TMP/ecr-nosuch.err")" "credential helper docker-credential-nosuch not found or not executable" \
	"a helper the image lacks"
