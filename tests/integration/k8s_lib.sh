# k8s_lib.sh — sourced after lib.sh by the tests of configs/k8s/ and of the
# image (test_k8s_*.sh). Owns the pieces of a pod's world: the private status
# repository over HTTP (githttp.py), the Secrets' values, the release config
# the ConfigMap holds, and running one container of a manifest as the
# kubelet would (k8s_pod.py).

K8S_DIR=$MANIFOLD_SOURCE_DIR/configs/k8s
K8S_POD=$LIB_DIR/k8s_pod.py
# What the manifests name and a test replaces.
K8S_STATUS_URL=https://git.example.com/release/status.git
K8S_IMAGE=registry.example.com/tools/manifold:0.1.0
K8S_GIT_USER=release-bot
K8S_GIT_TOKEN=gh-token-$$-$RANDOM
K8S_REG_USER=pusher
K8S_REG_PASS=reg-pass-$$-$RANDOM
need git
python3 -c 'import yaml' 2>/dev/null || fail "needs python3-yaml (run scripts/install-deps)"
export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP

# k8s_json MANIFEST — configs/k8s/MANIFEST.yaml as JSON.
k8s_json() {
	python3 "$K8S_POD" json "$K8S_DIR/$1.yaml"
}

# githttp_start [--tls] — a private repository root served over smart HTTP
# with Basic auth ($K8S_GIT_USER:$K8S_GIT_TOKEN). Exports GIT_HTTP_ROOT (bare
# repositories go there), GIT_HTTP_URL (http://127.0.0.1:PORT) and
# GIT_HTTP_LOG (one "METHOD PATH STATUS USER AGENT" line per request). With
# --tls it is https://localhost:PORT with a certificate from a throwaway CA
# whose certificate is GIT_HTTP_CA.
githttp_start() {
	local dir=$TEST_TMP/githttp tls=()
	mkdir -p "$dir/root"
	if [ "${1:-}" = --tls ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=manifold-test-ca \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
			-keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
		printf '%s\n' subjectAltName=DNS:localhost basicConstraints=CA:FALSE extendedKeyUsage=serverAuth >"$dir/tls.ext"
		openssl x509 -req -days 2 -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
			-extfile "$dir/tls.ext" -out "$dir/tls.crt" 2>/dev/null
		tls=(--tls-cert "$dir/tls.crt" --tls-key "$dir/tls.key")
		GIT_HTTP_CA=$dir/ca.crt
	fi
	python3 "$LIB_DIR/githttp.py" --root "$dir/root" --user "$K8S_GIT_USER:$K8S_GIT_TOKEN" \
		--port-file "$dir/port" --log "$dir/access.log" "${tls[@]}" >"$dir/err" 2>&1 &
	_LIB_PIDS+=($!)
	wait_for "git http server" 200 test -s "$dir/port"
	GIT_HTTP_ROOT=$dir/root
	GIT_HTTP_URL=http://127.0.0.1:$(cat "$dir/port")
	[ ${#tls[@]} -eq 0 ] || GIT_HTTP_URL=https://localhost:$(cat "$dir/port")
	GIT_HTTP_LOG=$dir/access.log
}

# status_remote_init N — the status repository (release/status.git under
# GIT_HTTP_ROOT, branch main) with N commits made by the git CLI, the way
# nights of an older job left it. Exports STATUS_REMOTE (the bare repo) and
# STATUS_URL (its HTTP address, what replaces K8S_STATUS_URL).
status_remote_init() {
	local n=$1 i wt=$TEST_TMP/status-seed
	STATUS_REMOTE=$GIT_HTTP_ROOT/release/status.git
	STATUS_URL=$GIT_HTTP_URL/release/status.git
	git init -q --bare -b main "$STATUS_REMOTE"
	git init -q -b main "$wt"
	mkdir -p "$wt/status"
	for ((i = 1; i <= n; i++)); do
		echo "night $i" >"$wt/status/history.txt"
		git -C "$wt" add status/history.txt
		git -C "$wt" -c user.name=Old -c user.email=old@example.com commit -qm "old night $i"
	done
	git -C "$wt" push -q "$STATUS_REMOTE" main
}

# k8s_registry_auth — docker config.json bytes for $REGISTRY, as the
# manifold-registry Secret's .dockerconfigjson holds them.
k8s_registry_auth() {
	jq -cn --arg r "$REGISTRY" --arg a "$(printf '%s' "$K8S_REG_USER:$K8S_REG_PASS" | base64 -w0)" \
		'{auths: {($r): {auth: $a}}}'
}

# k8s_config FILE NAME... — a release config for $REGISTRY with images NAME
# (platforms linux/amd64 and linux/arm64), status status/release.json.
k8s_config() {
	local file=$1 n
	shift
	mkdir -p "$(dirname "$file")"
	{
		echo "defaults:"
		echo "  registry: $REGISTRY"
		echo "  platforms: [linux/amd64, linux/arm64]"
		echo '  source: "{registry}/{name}-{arch}:{tag}"'
		echo '  target: "{registry}/{name}:{tag}"'
		echo "images:"
		for n in "$@"; do
			echo "  - {name: $n, tags: [v1]}"
		done
		echo "status: status/release.json"
	} >"$file"
}

# pod_run MANIFEST CONTAINER ROOT [k8s_pod.py options] — runs the container
# of configs/k8s/MANIFEST.yaml with its mounts under ROOT, the Secrets'
# values above and the status repository at STATUS_URL; sets POD_RC and
# POD_ERR (its stderr, also echoed for ctest's output). Never trips set -e.
pod_run() {
	local manifest=$1 container=$2 root=$3
	shift 3
	set +e
	python3 "$K8S_POD" run "$K8S_DIR/$manifest.yaml" "$container" --root "$root" \
		--secret "manifold-git/username=$K8S_GIT_USER" --secret "manifold-git/token=$K8S_GIT_TOKEN" \
		--secret "manifold-registry/.dockerconfigjson=$(k8s_registry_auth)" \
		--subst "$K8S_STATUS_URL=$STATUS_URL" \
		--pass-env ASAN_OPTIONS --pass-env UBSAN_OPTIONS --pass-env LSAN_OPTIONS \
		--pass-env MANIFOLD_NOW --env GIT_CONFIG_NOSYSTEM=1 "$@" \
		>"$root.out" 2>"$root.err"
	POD_RC=$?
	set -e
	POD_ERR=$(cat "$root.err")
	sed "s/^/  $container| /" "$root.err" >&2
}

# ---- the image (test_k8s_image*.sh) -------------------------------------------

# k8s_need_buildah — skip the test (77) where buildah cannot run at all: not
# root (vfs storage, chroot), not installed, or refused by this machine.
k8s_need_buildah() {
	[ "$(id -u)" = 0 ] || skip "needs root (buildah's vfs storage, chroot)"
	command -v buildah >/dev/null 2>&1 || skip "buildah is not installed (scripts/install-deps)"
	# Before the test writes $DOCKER_CONFIG/config.json, which buildah
	# would look for (lib.sh points DOCKER_CONFIG at an empty directory).
	local probe
	probe=$(env -u DOCKER_CONFIG buildah --storage-driver vfs from scratch 2>&1) ||
		skip "buildah cannot run here: $probe"
	env -u DOCKER_CONFIG buildah --storage-driver vfs rm "$probe" >/dev/null
}

# k8s_image_build REF NAME [scripts/image option...] — scripts/image
# --push REF --name NAME, staged under $TEST_TMP/image; its output in
# $TEST_TMP/image.out (echoed for ctest's output).
k8s_image_build() {
	local ref=$1 name=$2 rc=0
	shift 2
	"$MANIFOLD_SOURCE_DIR/scripts/image" "$@" --push "$ref" --build-dir "$TEST_TMP/image" --name "$name" \
		>"$TEST_TMP/image.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { cat "$TEST_TMP/image.out" >&2; fail "scripts/image exited $rc"; }
	sed 's/^/  image| /' "$TEST_TMP/image.out" >&2
}

# k8s_unpack REF [skopeo copy option...] — REF's layers unpacked as a
# runtime would into $TEST_TMP/rootfs, checked for what every
# platform's image holds: only /work belongs to the user, only /tmp is
# world-writable, no setuid/setgid file.
k8s_unpack() {
	local ref=$1 rootfs=$TEST_TMP/rootfs manifest layer
	shift
	skopeo copy -q --src-tls-verify=false "$@" "docker://$ref" "oci:$TEST_TMP/oci:img"
	mkdir -p "$rootfs"
	manifest=$(jq -r '.manifests[0].digest' "$TEST_TMP/oci/index.json")
	for layer in $(jq -r '.layers[].digest' "$TEST_TMP/oci/blobs/sha256/${manifest#sha256:}"); do
		tar -xf "$TEST_TMP/oci/blobs/sha256/${layer#sha256:}" -C "$rootfs"
	done
	assert_eq "$(find "$rootfs" -user 65532 -printf '/%P\n')" /work "only /work belongs to the user"
	assert_eq "$(find "$rootfs" -perm -o+w ! -type l -printf '/%P %m\n')" "/tmp 1777" "only /tmp is world-writable"
	assert_eq "$(find "$rootfs" \( -perm -u+s -o -perm -g+s \) -printf '/%P\n')" "" "no setuid/setgid file"
}
