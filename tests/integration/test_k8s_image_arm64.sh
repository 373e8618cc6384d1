#!/usr/bin/env bash
# test_k8s_image_arm64.sh — scripts/image's default build is a two-platform
# index that manifold itself assembled: pushed to a local registry, the index
# has exactly linux/amd64 and linux/arm64, each entry's config says that
# os/architecture, and the index carries the OCI version/revision/source/
# created annotations and no base.* (from scratch). The arm64 image's
# unpacked root filesystem holds only aarch64 ELF files whose libraries are
# all in it; entered with chroot as uid 65532 and run under qemu-user, its
# manifold prints its version and publishes a list to the registry, its git
# clones a private repository over HTTPS (git-remote-https, GnuTLS) and its
# ECR credential helper runs.
# Skips (77) only where buildah cannot run at all or qemu-user cannot run.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/k8s_lib.sh"
k8s_need_buildah
need skopeo tar chroot readelf gcc qemu-aarch64-static aarch64-linux-gnu-gcc
qemu-aarch64-static --version >/dev/null 2>&1 || skip "qemu-aarch64-static cannot run here"

registry_start
echo '{}' >"$DOCKER_CONFIG/config.json" # no credentials: an open registry
version=$(sed -n 's/^project(manifold VERSION \([0-9.]*\).*/\1/p' "$MANIFOLD_SOURCE_DIR/CMakeLists.txt")
ref=$REGISTRY/tools/manifold:$version
local_name=localhost/manifold-test-$$:$version

# ---- build both, push, the index by manifold --------------------------------------
k8s_image_build "$ref" "$local_name"
for arch in amd64 arm64; do
	buildah --storage-driver vfs rmi "$local_name-$arch" >/dev/null # they live in the registry now
	assert_contains "$(cat "$TEST_TMP/image.out")" "pushed $ref-$arch"$'\n' "pushed the $arch image"
	assert_contains "$(cat "$TEST_TMP/image.out")" "image $local_name-$arch (linux/$arch, $version, " "$arch size line"
done
assert_contains "$(cat "$TEST_TMP/image.out")" "pushed $ref"$'\n' "pushed the index"

index=$(skopeo_inspect_raw "$ref")
assert_eq "$(jq -r .mediaType <<<"$index")" application/vnd.oci.image.index.v1+json "an OCI index"
assert_eq "$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(",")' <<<"$index")" \
	"linux/amd64,linux/arm64" "both platforms, in order"
for i in 0 1; do
	digest=$(jq -r ".manifests[$i].digest" <<<"$index")
	want=$(jq -r ".manifests[$i].platform | .os + \"/\" + .architecture" <<<"$index")
	assert_eq "$(skopeo_inspect "$REGISTRY/tools/manifold@$digest" | jq -r .Digest)" "$digest" "entry $i resolves"
	assert_eq "$(skopeo_config "$REGISTRY/tools/manifold@$digest" | jq -r '.os + "/" + .architecture')" "$want" \
		"entry $i's config is $want"
	assert_eq "$(skopeo_inspect "$ref-${want#linux/}" | jq -r .Digest)" "$digest" "entry $i is the pushed ${want#linux/} image"
done
revision=$(git -C "$MANIFOLD_SOURCE_DIR" rev-parse HEAD)
created=$(TZ=UTC git -C "$MANIFOLD_SOURCE_DIR" log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ)
ann=$(jq -c .annotations <<<"$index")
assert_eq "$(jq -r '."org.opencontainers.image.version"' <<<"$ann")" "$version" "version annotation"
assert_eq "$(jq -r '."org.opencontainers.image.revision"' <<<"$ann")" "$revision" "revision annotation"
assert_eq "$(jq -r '."org.opencontainers.image.created"' <<<"$ann")" "$created" "created annotation"
assert_contains "$(jq -r '."org.opencontainers.image.source"' <<<"$ann")" "/" "source annotation"
assert_eq "$(jq -r 'keys[] | select(startswith("org.opencontainers.image.base."))' <<<"$ann")" "" "no base (from scratch)"

# ---- the arm64 root filesystem ------------------------------------------------------
k8s_unpack "$ref" --override-arch arm64
rootfs=$TEST_TMP/rootfs
elves=0 missing=""
while IFS= read -r f; do
	head -c4 "$f" | grep -q $'^\x7fELF' || continue
	elves=$((elves + 1))
	machine=$(readelf -hW "$f" | sed -n 's/^ *Machine: *//p')
	[ "$machine" = AArch64 ] || fail "${f#"$rootfs"} is a $machine ELF file"
	for lib in $(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$rootfs/usr/lib/aarch64-linux-gnu/$lib" ] || missing+=" ${f#"$rootfs"}:$lib"
	done
done < <(find "$rootfs" -type f)
assert_eq "$missing" "" "every library an ELF file needs is in the image"
[ "$elves" -gt 40 ] || fail "only $elves ELF files in the arm64 image"
for f in usr/local/bin/manifold usr/lib/git-core/git usr/lib/git-core/git-remote-http usr/bin/sh \
	usr/bin/docker-credential-ecr-login lib/ld-linux-aarch64.so.1 usr/lib/aarch64-linux-gnu/libcurl-gnutls.so.4; do
	[ -e "$rootfs/$f" ] || fail "/$f is not in the arm64 image"
done

# What a runtime adds (the existing test's devices, the kubelet's /etc/hosts),
# and the emulator, which only this test puts in.
mkdir -p "$rootfs/dev"
for dev in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9; do
	IFS=: read -r name major minor <<<"$dev"
	mknod -m 666 "$rootfs/dev/$name" c "$major" "$minor"
done
echo "127.0.0.1 localhost" >"$rootfs/etc/hosts"
cp /usr/bin/qemu-aarch64-static "$rootfs/qemu-aarch64"
# git starts its helpers by exec, which qemu-user cannot follow without
# binfmt_misc (the kernel's, not this test's to register): a GIT_EXEC_PATH of
# static amd64 programs that run each helper under /qemu-aarch64 instead.
mkdir -p "$rootfs/qemu-git"
gcc -static -O2 -Wall -Wextra -Werror -o "$rootfs/qemu-git/git" "$LIB_DIR/qemu_exec.c"
ln "$rootfs/qemu-git/git" "$rootfs/qemu-git/git-remote-https"
ln "$rootfs/qemu-git/git" "$rootfs/qemu-git/git-remote-http"
cfg=$(skopeo_config "$ref-arm64")
image_env=()
for kv in $(jq -r '.config.Env[]' <<<"$cfg"); do image_env+=("$kv"); done

# in_arm64 CMD... — CMD in the arm64 image as uid 65532 under qemu-user,
# with only the image's environment; sets RC, OUT, ERR.
in_arm64() {
	if env -i "${image_env[@]}" "${extra_env[@]}" "$chroot" --userspec=65532:65532 "$rootfs" /qemu-aarch64 "$@" \
		>"$TEST_TMP/arm64.out" 2>"$TEST_TMP/arm64.err"; then RC=0; else RC=$?; fi
	OUT=$(cat "$TEST_TMP/arm64.out")
	ERR=$(cat "$TEST_TMP/arm64.err")
	sed 's/^/  arm64| /' "$TEST_TMP/arm64.err" >&2
}
extra_env=() chroot=$(command -v chroot)

in_arm64 /usr/local/bin/manifold --version
assert_eq "$RC" 0 "arm64 manifold --version"
assert_eq "$OUT" "manifold $version" "its version"

in_arm64 /usr/bin/docker-credential-ecr-login version
assert_eq "$RC" 0 "arm64 docker-credential-ecr-login runs"
assert_contains "$OUT" "0." "it prints its version"

# git over HTTPS (git-remote-https, libcurl-gnutls): the test CA added to
# the image's bundle, as a private CA would be.
githttp_start --tls
status_remote_init 2
cat "$GIT_HTTP_CA" >>"$rootfs/etc/ssl/certs/ca-certificates.crt"
extra_env=(GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_EXEC_PATH=/qemu-git)
in_arm64 /usr/bin/git clone -q "${STATUS_URL/https:\/\//https://$K8S_GIT_USER:$K8S_GIT_TOKEN@}" /work/status
assert_eq "$RC" 0 "arm64 git clone over https"
assert_eq "$(git -c safe.directory="*" -C "$rootfs/work/status" log --format=%s main | head -1)" "old night 2" "the clone has the history"
assert_eq "$(find "$rootfs/work/status" ! -user 65532 | head -3)" "" "the clone belongs to uid 65532"

# One real publish by the arm64 manifold.
for arch in amd64 arm64; do
	seed "alpha-$arch:v1" --platform "linux/$arch" --seed "img-$arch" >/dev/null
done
k8s_config "$rootfs/etc/manifold/config/release.yaml" alpha
extra_env=(MANIFOLD_NOW=2026-04-01T03:00:00Z)
in_arm64 /usr/local/bin/manifold publish -c /etc/manifold/config/release.yaml --status /work/release.json
assert_eq "$RC" 0 "arm64 manifold publish"
assert_eq "$(jq -r '[.targets[] | (.target | sub(".*/"; "")) + "=" + .state] | join(",")' "$rootfs/work/release.json")" \
	"alpha:v1=published" "status file"
list=$(skopeo_inspect_raw "$REGISTRY/alpha:v1")
assert_eq "$(jq -r '[.manifests[].platform.architecture] | join(",")' <<<"$list")" "amd64,arm64" "the list it published"
for arch in amd64 arm64; do
	assert_contains "$list" "$(skopeo_inspect "$REGISTRY/alpha-$arch:v1" | jq -r .Digest)" "the list holds alpha-$arch"
done
