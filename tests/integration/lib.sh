# lib.sh — sourced by every integration test (tests/integration/test_*.sh),
# and by scripts/registry, scripts/demo and scripts/bench (with LIB_QUIET=1).
#
# Owns the fixtures: a per-test temp dir cleaned up on exit (with every
# server it started killed), throwaway registries (Debian's docker-registry,
# optionally behind htpasswd or a token server) and the proxies in front of
# them (lib_servers.sh, sourced below), the seed.py image pusher, the setup tests share (per-arch images, configs,
# credentials; see "fixtures" below), access-log counting, manifold runs and
# assertions.
#
# Several registries per test: `registry_start --name src` also exports
# REGISTRY_SRC, REGISTRY_SRC_LOG, ...; REGISTRY / REGISTRY_LOG always name
# the last one started. Access-log marks carry their log file, so counting
# works on any of them. Servers bind 127.0.0.1 only.
#
# The access log is what distribution's gorilla handler writes to stdout,
# apache combined format:
#   127.0.0.1 - - [22/Nov/2026:22:38:39 +0000] "HEAD /v2/foo/manifests/bar HTTP/1.1" 404 93 "" "curl/7.88.1"
# A line is written just after its response is sent, so before counting we
# make a "sync" request with a unique User-Agent and wait for its line: every
# request that completed before it is in the file by then. Sync lines are
# never counted.

set -euo pipefail

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MANIFOLD_SOURCE_DIR=${MANIFOLD_SOURCE_DIR:-$(cd "$LIB_DIR/../.." && pwd)}
TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/manifold-${TEST_NAME}.XXXXXX")
_LIB_PIDS=()
declare -A _LIB_LOG_ADDR=()

# Keep manifold and skopeo away from the developer's own credentials.
# The python3 of the Debian packages scripts/install-deps installs (its
# python3-yaml is what the helpers import): one found earlier on PATH
# through a version manager's shim (pyenv) costs a second of a loaded
# machine per start, and a run starts hundreds (seed.py, the proxies).
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
	mkdir -p "$TEST_TMP/bin"
	ln -s /usr/bin/python3 "$TEST_TMP/bin/python3"
	PATH=$TEST_TMP/bin:$PATH
fi

# A test labelled "plain" (tests/CMakeLists.txt: a hundred manifold runs at
# once) runs the -O2 build when there is one (MANIFOLD_PLAIN, which
# scripts/test sets, else build-release/manifold); every other test runs
# the build ctest hands over.
if [ "${MANIFOLD_RUN_PLAIN:-}" = 1 ]; then
	_lib_plain=${MANIFOLD_PLAIN:-$MANIFOLD_SOURCE_DIR/build-release/manifold}
	[ ! -x "$_lib_plain" ] || MANIFOLD=$_lib_plain
fi

mkdir -p "$TEST_TMP/docker-config"
export DOCKER_CONFIG="$TEST_TMP/docker-config"
unset REGISTRY_AUTH_FILE || true
export NO_COLOR=1
# Request counts are exact: no target's list children are re-checked
# unless a test asks (publish.md, "Missing children").
export MANIFOLD_RECHECK_CHILDREN=none

_lib_cleanup() {
	local rc=$?
	local pid
	for pid in "${_LIB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${_LIB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		echo "--- $TEST_NAME failed (exit $rc); KEEP_TMP=1 keeps $TEST_TMP" >&2
		local f
		for f in "$TEST_TMP"/*/registry.err "$TEST_TMP"/*/proxy.log; do
			[ -s "$f" ] || continue
			echo "--- tail of $f (warnings and errors, HEADs left out)" >&2
			grep -v -e 'level=info' -e 'http.request.method=HEAD' "$f" | tail -n 8 >&2 || true
		done
	fi
	if [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$TEST_TMP"
	fi
	if [ "$rc" -eq 0 ] && [ -z "${LIB_QUIET:-}" ]; then
		echo "PASS: $TEST_NAME"
	fi
	exit "$rc"
}
trap _lib_cleanup EXIT
# A command that fails outside an assertion (set -e) still says where; one
# whose failure a test expects (under set +e) says nothing.
trap '_lib_rc=$?; [[ $- != *e* ]] || echo "FAIL: $TEST_NAME: line $LINENO: \"$BASH_COMMAND\" exited $_lib_rc" >&2' ERR

# ---- assertions ------------------------------------------------------------

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

# assert_eq GOT WANT MSG
assert_eq() {
	if [ "$1" != "$2" ]; then
		fail "$3: got [$1], want [$2]"
	fi
}

# assert_contains HAYSTACK NEEDLE MSG
assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "$3: [$2] not found in: $1" ;;
	esac
}

# assert_not_contains HAYSTACK NEEDLE MSG
assert_not_contains() {
	case "$1" in
	*"$2"*) fail "$3: [$2] must not appear in: $1" ;;
	*) ;;
	esac
}

# assert_file_not_contains FILE NEEDLE MSG (missing file passes)
assert_file_not_contains() {
	if [ -f "$1" ] && grep -qF -- "$2" "$1"; then
		fail "$3: [$2] found in $1"
	fi
}

# skip WHY — end the test as skipped (exit 77, ctest's SKIP_RETURN_CODE).
skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || fail "needs $c (run scripts/install-deps)"
	done
}
need python3 curl skopeo docker-registry jq openssl

# ---- small helpers -----------------------------------------------------------

# A free loopback TCP port (the kernel's pick; callers retry on a lost race).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# _lib_now_us — microseconds since the epoch.
_lib_now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "$t"
}

# wait_for DESCRIPTION TRIES CMD... — poll CMD every 50 ms until it succeeds;
# fail once TRIES × 50 ms have passed, never before 60 s: a loaded machine
# is slow, not broken, and the bound only decides how late a failure is
# told (never whether a passing test passes).
wait_for() {
	local what=$1 tries=$2 start limit
	shift 2
	limit=$((tries * 50000))
	[ "$limit" -ge 60000000 ] || limit=60000000
	start=$(_lib_now_us)
	until "$@" >/dev/null 2>&1; do
		[ $(($(_lib_now_us) - start)) -lt "$limit" ] || fail "timed out waiting for $what"
		sleep 0.05
	done
}

# _lib_export NAME SUFFIX VALUE — export REGISTRY_<NAME>_<SUFFIX> (or without NAME).
_lib_export() {
	local var=$1
	printf -v "$var" '%s' "$2"
	export "${var?}"
}

_lib_alive() { kill -0 "$1" 2>/dev/null; }

# _lib_http_code URL — prints the status code, 000 when unreachable.
_lib_http_code() {
	curl -sk -o /dev/null -m 2 -w '%{http_code}' "$1" || true
}

# _lib_wait_http URL PID — poll URL every 50 ms until it answers 200 or 401
# (0), the process PID has gone or 60 s have passed (1).
_lib_wait_http() {
	local start code
	start=$(_lib_now_us)
	while [ $(($(_lib_now_us) - start)) -lt 60000000 ]; do
		code=$(_lib_http_code "$1")
		if [ "$code" = 200 ] || [ "$code" = 401 ]; then
			return 0
		fi
		_lib_alive "$2" || return 1
		sleep 0.05
	done
	return 1
}

# ---- servers: registries, proxies, pushgateway (lib_servers.sh) ------------

source "$LIB_DIR/lib_servers.sh"

# ---- images ------------------------------------------------------------------

# seed REF [--platform P] [--oci] [--index-with-attestation] [--config-platform P]
#          [--layers N] [--user U:P] [--seed S] [--registry HOST:PORT]
# REF is repo:tag on $REGISTRY, or host:port/repo:tag. Prints the digest the
# tag points to; with --index-with-attestation "INDEX_DIGEST IMAGE_DIGEST".
seed() {
	python3 "$LIB_DIR/seed.py" "$@"
}

# seed_shared_layers NAME TAG... — NAME-amd64, NAME-arm64 and NAME-s390x
# at each TAG, the layers shared by every tag of an arch (2 layers, a
# config per tag), seeded one at a time: seed.py does not single-flight its
# own writes. What a race of writes into one repository needs.
seed_shared_layers() {
	local name=$1 a p t refs
	shift
	for a in amd64 arm64 s390x; do
		p=linux/$a
		[ "$a" = arm64 ] && p=linux/arm64/v8
		refs=()
		for t in "$@"; do
			refs+=("$name-$a:$t")
		done
		seed "${refs[@]}" --platform "$p" --layers 2 --shared-layers --seed shared -j 1 >/dev/null
	done
}

# tag_alias REPO TAG NEW... — REPO:NEW... hold exactly REPO:TAG's manifest
# bytes (one GET, one PUT per new tag; REPO on $REGISTRY, no auth): many
# tags of one image without seeding each.
tag_alias() {
	local repo=$1 tag=$2 raw="$TEST_TMP/tag_alias.raw" mt t
	shift 2
	mt=$(curl -sf -o "$raw" -w '%{content_type}' \
		-H "Accept: $MT_V2, $MT_LIST, $MT_OCI, $MT_OCI_INDEX" \
		"http://$REGISTRY/v2/$repo/manifests/$tag") || fail "tag_alias: cannot read $repo:$tag"
	for t in "$@"; do
		curl -sf -o /dev/null -X PUT -H "Content-Type: $mt" --data-binary "@$raw" \
			"http://$REGISTRY/v2/$repo/manifests/$t" || fail "tag_alias: cannot tag $repo:$t"
	done
}

# skopeo_inspect_raw REF [--creds U:P] — the manifest bytes a ref holds.
skopeo_inspect_raw() {
	local ref=$1
	shift
	_lib_skopeo inspect --raw "$@" "docker://$ref"
}

# skopeo_inspect REF [--creds U:P] — skopeo's summary (Architecture, Os, Digest...).
skopeo_inspect() {
	local ref=$1
	shift
	_lib_skopeo inspect "$@" "docker://$ref"
}

# skopeo_config REF [--creds U:P] — the image's config blob.
skopeo_config() {
	local ref=$1
	shift
	_lib_skopeo inspect --config "$@" "docker://$ref"
}

_lib_skopeo() {
	local creds=no
	case " $* " in *" --creds "*) creds=yes ;; esac
	if [ "$creds" = yes ]; then
		skopeo "$1" --tls-verify=false "${@:2}"
	else
		skopeo "$1" --tls-verify=false --no-creds "${@:2}"
	fi
}

# digest_of FILE-OR-STDIN — sha256 of exact bytes, as sha256:HEX.
digest_of() {
	echo "sha256:$(sha256sum "${1:--}" | cut -d' ' -f1)"
}

# ---- fixtures: per-arch images, configs, credentials, read-back checks --------
#
# What the integration tests set up again and again, once:
#   arch_of PLATFORM             linux/arm64/v8 -> arm64 (the NAME-ARCH naming)
#   seed_arches NAME TAG P...    push NAME-ARCH:TAG per platform, deterministic;
#                                digests in SEEDED[NAME/PLATFORM]
#   config_write FILE [...]      a manifold config: defaults: for $REGISTRY,
#                                then the caller's images: (and more) from stdin
#   config_three_states FILE     app, half, bad: published, incomplete, failed
#   auth_registry_start --htpasswd|--token USER
#                                a registry behind auth, a fresh password in
#                                AUTH_USER, AUTH_PASS, AUTH_CREDS, AUTH_B64
#   docker_config_auth CREDS [REGISTRY]
#                                $DOCKER_CONFIG/config.json with those auths
#   skopeo_digest REF            digest of the exact bytes REF holds
#   digest_line REF              manifest-tool's "Digest: sha256:<hex> <size>"
#   status_counts FILE           the last run's [published,unchanged,incomplete,failed]
#   assert_absent REF MSG        fail MSG when REF can be read
#   assert_no_secret FILE S...   no S in stdout, stderr of the last mf, nor FILE

# The media types tests compare against (set here, read by the tests).
# shellcheck disable=SC2034
MT_V2=application/vnd.docker.distribution.manifest.v2+json \
	MT_LIST=application/vnd.docker.distribution.manifest.list.v2+json \
	MT_OCI=application/vnd.oci.image.manifest.v1+json \
	MT_OCI_INDEX=application/vnd.oci.image.index.v1+json

# arch_of PLATFORM — its architecture field: the ARCH of NAME-ARCH:TAG.
arch_of() {
	cut -d/ -f2 <<<"$1"
}

# seed_arches NAME TAG PLATFORM... [--seed PREFIX] [--layers N] [--oci]
#             [--index-with-attestation] [--config-platform P] [--user U:P]
# Seeds NAME-ARCH:TAG on each PLATFORM (NAME is repo on $REGISTRY or
# host:port/repo) with --seed PREFIX-PLATFORM, PREFIX defaulting to NAME-TAG:
# the same call pushes the same bytes every time and no two platforms share
# content. Records SEEDED[NAME/PLATFORM] = the image's digest (with
# --index-with-attestation that of the image entry, the index's in
# SEEDED_INDEX[NAME/PLATFORM]); a later call for NAME and PLATFORM replaces it.
# Run it outside $(...), or SEEDED is lost with the subshell.
declare -gA SEEDED=() SEEDED_INDEX=()
# shellcheck disable=SC2034 # SEEDED and SEEDED_INDEX are read by the tests
seed_arches() {
	local prefix="" opts=() pos=() index=no
	while [ $# -gt 0 ]; do
		case "$1" in
		--seed) prefix=$2; shift 2 ;;
		--layers | --config-platform | --user) opts+=("$1" "$2"); shift 2 ;;
		--oci) opts+=("$1"); shift ;;
		--index-with-attestation) opts+=("$1"); index=yes; shift ;;
		-*) fail "seed_arches: unknown option $1" ;;
		*) pos+=("$1"); shift ;;
		esac
	done
	[ "${#pos[@]}" -ge 3 ] || fail "seed_arches: usage: seed_arches NAME TAG PLATFORM..."
	local name=${pos[0]} tag=${pos[1]} p ref out
	prefix=${prefix:-$name-$tag}
	for p in "${pos[@]:2}"; do
		ref="$name-$(arch_of "$p"):$tag"
		out=$(seed "$ref" --platform "$p" --seed "$prefix-$p" "${opts[@]}") || fail "seed_arches: could not seed $ref ($p)"
		if [ "$index" = yes ]; then
			SEEDED_INDEX[$name/$p]=${out% *}
			out=${out#* }
		fi
		SEEDED[$name/$p]=$out
	done
}

# seed_names PREFIX N TAG PLATFORM... — seed_arches PREFIX1 … PREFIXN (N
# images, --seed PREFIX-i) at TAG; their names in NAMES. Run it outside $(...).
declare -ga NAMES=()
seed_names() {
	local prefix=$1 n=$2 tag=$3 i
	shift 3
	NAMES=()
	for ((i = 1; i <= n; i++)); do
		NAMES+=("$prefix$i")
		seed_arches "$prefix$i" "$tag" "$@" --seed "$prefix-$i"
	done
}

# seed_night PREFIX N TAG PLATFORM... — a night's worth of images at once:
# PREFIX-001 … PREFIX-N (names in NAMES), each as NAME-ARCH:TAG per PLATFORM,
# sharing layer blobs (one seed.py call per platform, in parallel inside),
# the same bytes whatever the registry's port; digests in
# SEEDED[NAME/PLATFORM]. Run it outside $(...).
seed_night() {
	local prefix=$1 n=$2 tag=$3 i p ref digest refs
	shift 3
	NAMES=()
	for ((i = 1; i <= n; i++)); do
		NAMES+=("$(printf '%s-%03d' "$prefix" "$i")")
	done
	for p in "$@"; do
		refs=()
		for i in "${NAMES[@]}"; do refs+=("$i-$(arch_of "$p"):$tag"); done
		while read -r ref digest; do
			SEEDED[${ref%-*}/$p]=$digest
		done < <(seed --platform "$p" --shared-layers --ref-label repo --seed "$prefix-$p" -j 8 "${refs[@]}" ||
			fail "seed_night: could not seed $p")
	done
	[ "${#SEEDED[@]}" -ge $((n * $#)) ] || fail "seed_night: seeded ${#SEEDED[@]} of $((n * $#))"
}

# list_verify NAME TAG PLATFORM... — read NAME:TAG from $REGISTRY directly
# and print one word: "ok" (a list whose entries are SEEDED[NAME/PLATFORM]
# in order, each readable by digest in NAME and hashing to it), "absent"
# (no such tag), "missing-child" (an entry NAME cannot serve) or
# "wrong-child" (entries other than the seeded ones).
list_verify() {
	local name=$1 tag=$2
	shift 2
	lists_verify "$tag" "$@" -- "$name" | cut -d' ' -f2
}

# lists_verify TAG PLATFORM... -- NAME... — list_verify for many images in
# one go (listverify.py, one connection): "NAME VERDICT" per NAME, in order.
lists_verify() {
	local tag=$1 platforms=() name p line
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do platforms+=("$1"); shift; done
	[ "${1:-}" = -- ] || fail "lists_verify: usage: lists_verify TAG PLATFORM... -- NAME..."
	shift
	for name in "$@"; do
		line=$name
		for p in "${platforms[@]}"; do line+=" ${SEEDED[$name/$p]:-}"; done
		echo "$line"
	done | python3 "$LIB_DIR/listverify.py" "$REGISTRY_URL" "$tag" || fail "lists_verify: listverify.py failed"
}

# images_yaml TAG NAME... — an images: block, one entry per NAME at TAG
# (config_write's stdin).
images_yaml() {
	local tag=$1 n
	shift
	echo "images:"
	for n in "$@"; do echo "  - {name: $n, tags: [$tag]}"; done
}

# config_write FILE [--registry R] [--platforms "A, B"] [--source T] [--target T]
#              [--default "KEY: VALUE"]... [--status F] <<EOF
# images:
#   - {name: app, tags: [v1]}
# EOF
# Writes a manifold config: a defaults: block with registry ($REGISTRY),
# platforms (linux/amd64, linux/arm64/v8), source and target (manifold's own
# "{registry}/{name}-{arch}:{tag}" and "{registry}/{name}:{tag}", written out)
# and each --default line; then stdin as given (images:, retag:, ...); then
# `status: F`. An empty value leaves its key out. Tests that pin line numbers
# of a config error write their file by hand.
config_write() {
	local file=$1
	shift
	local registry=${REGISTRY:-} platforms="linux/amd64, linux/arm64/v8" status=""
	local source="{registry}/{name}-{arch}:{tag}" target="{registry}/{name}:{tag}" extra=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--registry) registry=$2; shift 2 ;;
		--platforms) platforms=$2; shift 2 ;;
		--source) source=$2; shift 2 ;;
		--target) target=$2; shift 2 ;;
		--default) extra+=("$2"); shift 2 ;;
		--status) status=$2; shift 2 ;;
		*) fail "config_write: unknown option $1" ;;
		esac
	done
	local line
	{
		echo "defaults:"
		if [ -n "$registry" ]; then echo "  registry: $registry"; fi
		if [ -n "$platforms" ]; then echo "  platforms: [$platforms]"; fi
		if [ -n "$source" ]; then echo "  source: \"$source\""; fi
		if [ -n "$target" ]; then echo "  target: \"$target\""; fi
		for line in "${extra[@]}"; do
			echo "  $line"
		done
		cat
		if [ -n "$status" ]; then echo "status: $status"; fi
	} >"$file"
}

# config_three_states FILE [config_write option...] — a config of app
# (linux/amd64 + linux/arm64/v8), half (linux/amd64 only) and bad (both),
# all v1: seeded so, and with a proxy refusing PUT /v2/bad/manifests/v1, a
# night has one published, one incomplete and one failed target.
config_three_states() {
	local file=$1
	shift
	config_write "$file" "$@" <<EOF
images:
  - {name: app, tags: [v1]}
  - {name: half, tags: [v1]}
  - {name: bad, tags: [v1]}
EOF
}

# seed_three_states [REGISTRY/] — the images config_three_states names,
# seeded so: app on linux/amd64 and linux/arm64/v8, half on linux/amd64
# only, bad on both (on $REGISTRY, or on the registry the prefix names).
seed_three_states() {
	local at=${1:-}
	seed_arches "${at}app" v1 linux/amd64 linux/arm64/v8
	seed_arches "${at}half" v1 linux/amd64
	seed_arches "${at}bad" v1 linux/amd64 linux/arm64/v8
}

# auth_registry_start --htpasswd|--token USER [registry_start option...]
# registry_start behind htpasswd or the token server for USER with a fresh
# random password. Sets AUTH_USER, AUTH_PASS, AUTH_CREDS (USER:PASS) and
# AUTH_B64 (base64 of USER:PASS, as config.json's "auth" holds it); they are
# not exported, so no child process sees the password in its environment.
auth_registry_start() {
	local kind=$1 user=${2:-}
	case "$kind" in
	--htpasswd | --token) ;;
	*) fail "auth_registry_start: want --htpasswd or --token, got ${kind:-nothing}" ;;
	esac
	[ -n "$user" ] || fail "auth_registry_start: needs a USER"
	shift 2
	AUTH_USER=$user
	AUTH_PASS="pw-$RANDOM-$RANDOM-${kind#--}"
	AUTH_CREDS=$AUTH_USER:$AUTH_PASS
	# shellcheck disable=SC2034
	AUTH_B64=$(printf '%s' "$AUTH_CREDS" | base64 -w0)
	registry_start "$kind" "$AUTH_CREDS" "$@"
}

# docker_config_auth USER:PASS [REGISTRY] — $DOCKER_CONFIG/config.json whose
# auths give REGISTRY ($REGISTRY) these credentials; replaces the file.
docker_config_auth() {
	local registry=${2:-$REGISTRY}
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$registry" "$(printf '%s' "$1" | base64 -w0)" \
		>"$DOCKER_CONFIG/config.json"
}

# skopeo_digest REF [--creds U:P] — the digest of the exact bytes REF holds.
skopeo_digest() {
	skopeo_inspect_raw "$@" | digest_of
}

# digest_line REF [--creds U:P] — "Digest: sha256:<hex> <size>" for what REF
# holds, as manifest-tool (and manifold push/append/annotate) print it.
digest_line() {
	local raw="$TEST_TMP/digest_line.raw"
	skopeo_inspect_raw "$@" >"$raw"
	echo "Digest: $(digest_of "$raw") $(wc -c <"$raw" | tr -d ' ')"
}

# status_counts FILE — the last run's counts as compact JSON:
# [published,unchanged,incomplete,failed].
status_counts() {
	jq -c '.last_run | [.published, .unchanged, .incomplete, .failed]' "$1"
}

# assert_absent REF MSG [--creds U:P] — fail with MSG when REF can be read.
assert_absent() {
	local ref=$1 msg=$2
	shift 2
	if skopeo_inspect_raw "$ref" "$@" >/dev/null 2>&1; then
		fail "$msg"
	fi
}

# assert_no_secret STATUS-FILE SECRET... — none of the SECRETs in the last
# mf's stdout, its stderr, or STATUS-FILE.
assert_no_secret() {
	local file=$1 secret
	shift
	for secret in "$@"; do
		assert_not_contains "$MF_OUT" "$secret" "stdout leaks a credential"
		assert_not_contains "$MF_ERR" "$secret" "stderr (-v) leaks a credential"
		assert_file_not_contains "$file" "$secret" "status file leaks a credential"
	done
}

# ---- access log --------------------------------------------------------------

# log_sync [LOG] — wait until every request answered so far is in LOG.
log_sync() {
	local log=${1:-$REGISTRY_LOG}
	local addr=${_LIB_LOG_ADDR[$log]:-}
	[ -n "$addr" ] || fail "log_sync: $log is not the access log of a registry started here"
	local id="manifold-test-sync/$$-$RANDOM$RANDOM"
	curl -s -o /dev/null -m 5 -A "$id" "http://$addr/v2/" || true
	wait_for "access log line $id" 200 grep -qF "\"$id\"" "$log"
}

# log_mark [LOG] — prints a mark (LOG:LINES) for log_count_since.
log_mark() {
	local log=${1:-$REGISTRY_LOG}
	log_sync "$log"
	echo "$log:$(wc -l <"$log")"
}

# log_lines_since MARK — "METHOD PATH STATUS" per request since MARK.
log_lines_since() {
	local log=${1%:*} n=${1##*:}
	log_sync "$log"
	tail -n +"$((n + 1))" "$log" | grep -vF '"manifold-test-sync/' |
		sed -nE 's/^[^"]*"([A-Z]+) ([^ ]+) HTTP\/[0-9.]+" ([0-9]{3}) .*/\1 \2 \3/p'
}

# log_count_since MARK METHOD-ERE [PATH-ERE] — how many requests since MARK
# whose method matches ^(METHOD-ERE)$ and whose path (with query) matches PATH-ERE.
log_count_since() {
	log_lines_since "$1" | awk -v m="^($2)\$" -v re="${3:-}" \
		'$1 ~ m && (re == "" || $2 ~ re) { n++ } END { print n + 0 }'
}

# ---- manifold ------------------------------------------------------------------

need_manifold() {
	[ -n "${MANIFOLD:-}" ] || fail "MANIFOLD is not set (ctest sets it to the built binary)"
	[ -x "$MANIFOLD" ] || fail "MANIFOLD=$MANIFOLD is not executable"
}

# mf ARGS... — run manifold; sets MF_RC, MF_OUT, MF_ERR (never trips set -e)
# and echoes the run to stderr for ctest's failure output.
mf() {
	need_manifold
	local out="$TEST_TMP/mf.out" err="$TEST_TMP/mf.err"
	set +e
	"$MANIFOLD" "$@" >"$out" 2>"$err"
	MF_RC=$?
	set -e
	MF_OUT=$(cat "$out")
	MF_ERR=$(cat "$err")
	{
		echo "+ manifold $* -> exit $MF_RC"
		sed 's/^/  out| /' "$out"
		sed 's/^/  err| /' "$err"
	} >&2
}

# mf_expect RC ARGS... — run manifold and fail unless it exits RC.
mf_expect() {
	local want=$1
	shift
	mf "$@"
	[ "$MF_RC" = "$want" ] || fail "manifold $*: exit $MF_RC, want $want"
}

# start_mf NAME ARGS... — manifold in the background (stdout and stderr in
# $TEST_TMP/NAME.out, NAME.err; killed at exit if still running); its pid in MF_PID.
start_mf() {
	local name=$1
	shift
	need_manifold
	"$MANIFOLD" "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" &
	MF_PID=$!
	_LIB_PIDS+=("$MF_PID")
}

# finish_mf NAME — wait for the last start_mf; MF_RC, MF_OUT, MF_ERR as mf sets them.
finish_mf() {
	set +e
	wait "$MF_PID"
	MF_RC=$?
	set -e
	MF_OUT=$(cat "$TEST_TMP/$1.out")
	MF_ERR=$(cat "$TEST_TMP/$1.err")
	sed "s/^/  $1 err| /" "$TEST_TMP/$1.err" >&2
}

# lock_hold FILE — another writer takes flock FILE (a status file's
# <status>.lock) and keeps it until lock_release, however slow the machine;
# returns once the lock is held. Its pid in LOCK_HOLDER.
lock_hold() {
	rm -f "$TEST_TMP/release-lock"
	flock "$1" sh -c "while [ ! -e '$TEST_TMP/release-lock' ]; do sleep 0.05; done" &
	LOCK_HOLDER=$!
	_LIB_PIDS+=("$LOCK_HOLDER")
	wait_for "the holder of $1" 200 sh -c "! flock -n '$1' true"
}

# lock_release — the holder lets go; returns once it has.
lock_release() {
	touch "$TEST_TMP/release-lock"
	wait "$LOCK_HOLDER" || true
}

# status_target FILE TARGET JQ-EXPR — jq over one target record of a status file.
status_target() {
	jq -e --arg t "$2" ".targets[] | select(.target == \$t) | $3" "$1"
}
