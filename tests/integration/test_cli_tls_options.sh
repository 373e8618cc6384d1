#!/usr/bin/env bash
# test_cli_tls_options.sh — --tls and --ca-file on every command that talks
# to a registry, against a loopback registry that speaks HTTPS (its
# certificate self-signed with openssl req), reached through a TCP forwarder
# whose log counts connections. For inspect, push from-args, append,
# annotate, retag (a pair), delete, prune, publish, check, login and verify:
# with --tls but
# no CA the command fails naming the registry and its untrusted certificate;
# with --tls --ca-file CA (or --ca-file alone) it works, read back over
# plain HTTP from the same storage. --insecure with --tls or --ca-file, and
# a --ca-file that is missing or holds no certificate, exit 2 with no
# connection made. A registry's own ca-file under registries: wins over
# --ca-file.
source "$(dirname "$0")/lib.sh"

registry_start --name plain
P=$REGISTRY_PLAIN
seed_arches "$P/app" v1 linux/amd64 linux/arm64 linux/s390x --seed tls-opts
registry_start --name secure --tls --root "$REGISTRY_PLAIN_DIR/root"
CA=$REGISTRY_SECURE_CA
delayproxy_start --upstream "$REGISTRY_SECURE" --delay-ms 0
R=$PROXY # the certificate is for IP 127.0.0.1, whatever the port

connections() { grep -c '^connection' "$PROXY_LOG" || true; }

# A second CA that signed nothing here.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca \
	-keyout "$TEST_TMP/other.key" -out "$TEST_TMP/other.pem" 2>/dev/null
printf 'not a certificate\n' >"$TEST_TMP/junk.pem"

# untrusted CMD ARGS... — with --tls and no CA: fails, naming the registry and why.
untrusted() {
	local before
	before=$(connections)
	mf "$@" --tls
	[ "$MF_RC" != 0 ] && [ "$MF_RC" != 2 ] || fail "manifold $* --tls: exit $MF_RC, want a registry failure"
	assert_contains "$MF_ERR$MF_OUT" "SSL certificate problem: self-signed certificate (the certificate of $R is not trusted: --ca-file FILE, or ca-file under registries:, names the CA that signed it)" \
		"$1 without a CA: the certificate error names the registry"
	[ "$(connections)" -gt "$before" ] || fail "$1 without a CA: no connection made"
}

# refused RC CMD ARGS... — a usage error: exit 2 and not one connection.
refused() {
	local before
	before=$(connections)
	mf_expect 2 "$@"
	curl -s -o /dev/null --cacert "$CA" "https://$R/v2/" || true
	wait_for "the forwarder's log line" 200 test "$(connections)" -gt "$before"
	assert_eq "$(connections)" "$((before + 1))" "$1 $*: no connection made (only the probe's)"
}

# usage_errors CMD ARGS... — --insecure --tls, --insecure --ca-file, missing and
# junk --ca-file: exit 2, nothing sent, the file named.
usage_errors() {
	local who=$1
	[ "$1" != push ] || who="push $2"
	refused "$@" --insecure --tls --ca-file "$CA"
	assert_contains "$MF_ERR" "manifold $who: --insecure (plain HTTP) contradicts --tls" "$1: --insecure --tls"
	refused "$@" --insecure --ca-file "$CA"
	assert_contains "$MF_ERR" "manifold $who: --insecure (plain HTTP) contradicts --ca-file" "$1: --insecure --ca-file"
	refused "$@" --tls --ca-file "$TEST_TMP/missing.pem"
	assert_contains "$MF_ERR" "manifold $who: --ca-file $TEST_TMP/missing.pem: No such file or directory" "$1: missing --ca-file"
	refused "$@" --ca-file "$TEST_TMP/junk.pem"
	assert_contains "$MF_ERR" "manifold $who: --ca-file $TEST_TMP/junk.pem: no PEM certificate" "$1: --ca-file without a certificate"
}

# ---- push from-args ----------------------------------------------------------------
push=(push from-args --platforms linux/amd64,linux/arm64 --template "$R/app-ARCH:v1" --target "$R/app:v1")
usage_errors "${push[@]}"
untrusted "${push[@]}"
# Without --tls a loopback registry gets plain HTTP, and the message says what to give.
mf_expect 1 "${push[@]}"
assert_contains "$MF_ERR" "$R speaks HTTPS but was sent plain HTTP (loopback registries are plain HTTP unless --tls or --ca-file is given" \
	"push without --tls: plain HTTP met the TLS server"
skopeo_inspect_raw "$P/app:v1" >/dev/null 2>&1 && fail "nothing was pushed by the failed runs"
mf_expect 0 "${push[@]}" --tls --ca-file "$CA"
assert_eq "$MF_OUT" "$(digest_line "$P/app:v1")" "push over HTTPS wrote the list"

# ---- inspect -------------------------------------------------------------------------
usage_errors inspect "$R/app:v1" -o json
untrusted inspect "$R/app:v1" -o json
mf_expect 0 inspect "$R/app:v1" -o json --ca-file "$CA" # --ca-file alone means HTTPS
assert_eq "$(jq -r '.manifests | length' <<<"$MF_OUT")" 2 "inspect over HTTPS reads the list"

# ---- append --------------------------------------------------------------------------
usage_errors append "$R/app:v1" "$R/app-s390x:v1"
untrusted append "$R/app:v1" "$R/app-s390x:v1"
mf_expect 0 append "$R/app:v1" "$R/app-s390x:v1" --tls --ca-file "$CA"
assert_eq "$(skopeo_inspect_raw "$P/app:v1" | jq -r '[.manifests[].platform.architecture] | join(",")')" \
	amd64,arm64,s390x "append over HTTPS added the entry"

# ---- annotate ------------------------------------------------------------------------
usage_errors annotate "$R/app:v1" --platform linux/arm64 --variant v8
untrusted annotate "$R/app:v1" --platform linux/arm64 --variant v8
mf_expect 0 annotate "$R/app:v1" --platform linux/arm64 --variant v8 --tls --ca-file "$CA"
assert_eq "$(skopeo_inspect_raw "$P/app:v1" | jq -r '.manifests[1].platform.variant')" v8 \
	"annotate over HTTPS set the variant"

# ---- retag (a pair) ----------------------------------------------------------------
usage_errors retag "$R/app:v1" "$R/copy:v1"
untrusted retag "$R/app:v1" "$R/copy:v1"
mf_expect 0 retag "$R/app:v1" "$R/copy:v1" --tls --ca-file "$CA"
assert_eq "$(skopeo_digest "$P/copy:v1")" "$(skopeo_digest "$P/app:v1")" "retag over HTTPS copied the list"

# ---- delete --------------------------------------------------------------------------
usage_errors delete "$R/copy:v1"
untrusted delete "$R/copy:v1"
mf_expect 0 delete "$R/copy:v1" --tls --ca-file "$CA"
skopeo_inspect_raw "$P/copy:v1" >/dev/null 2>&1 && fail "delete over HTTPS removed copy:v1"

# ---- prune ---------------------------------------------------------------------------
config_write "$TEST_TMP/release.yaml" --registry "$R" --platforms "linux/amd64, linux/arm64, linux/s390x" <<YAML
images:
  - {name: app, tags: [v1]}
YAML
usage_errors prune -c "$TEST_TMP/release.yaml"
untrusted prune -c "$TEST_TMP/release.yaml"
mf_expect 0 prune -c "$TEST_TMP/release.yaml" --tls --ca-file "$CA" -o json
assert_eq "$(jq -c '[.. | strings | select(test("app-(amd64|s390x):v1$"))] | unique | length' <<<"$MF_OUT")" 2 \
	"prune over HTTPS read the list and its sources"

# ---- publish and check --------------------------------------------------------------
seed_arches "$P/pub" v1 linux/amd64 --seed tls-opts-pub
config_write "$TEST_TMP/pub.yaml" --registry "$R" --platforms "linux/amd64" <<YAML
images:
  - {name: pub, tags: [v1]}
YAML
usage_errors publish -c "$TEST_TMP/pub.yaml" --status "$TEST_TMP/pub.json"
untrusted publish -c "$TEST_TMP/pub.yaml" --status "$TEST_TMP/pub.json"
mf_expect 0 publish -c "$TEST_TMP/pub.yaml" --status "$TEST_TMP/pub.json" --tls --ca-file "$CA"
assert_eq "$(status_target "$TEST_TMP/pub.json" "$R/pub:v1" .digest | jq -r .)" "$(skopeo_digest "$P/pub:v1")" \
	"publish over HTTPS wrote the list"
usage_errors check -c "$TEST_TMP/pub.yaml"
untrusted check -c "$TEST_TMP/pub.yaml"
mf_expect 0 check -c "$TEST_TMP/pub.yaml" --tls --ca-file "$CA"

# ---- login and verify -----------------------------------------------------------------
usage_errors login "$R" -u someone --password-stdin --authfile "$TEST_TMP/auth.json" </dev/null
untrusted login "$R" -u someone --password-stdin --authfile "$TEST_TMP/auth.json" <<<secret
[ ! -e "$TEST_TMP/auth.json" ] || fail "login without a CA stored nothing"
mf_expect 0 login "$R" -u someone --password-stdin --authfile "$TEST_TMP/auth.json" --tls --ca-file "$CA" <<<secret
jq -e --arg r "$R" '.auths[$r].auth' "$TEST_TMP/auth.json" >/dev/null || fail "login over HTTPS stored the credentials"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl ec -pubout -out "$TEST_TMP/key.pub" 2>/dev/null
usage_errors verify "$R/pub:v1" --key "$TEST_TMP/key.pub"
untrusted verify "$R/pub:v1" --key "$TEST_TMP/key.pub"

# ---- a registry's own ca-file wins over --ca-file ----------------------------------
config_write "$TEST_TMP/own-ca.yaml" --registry "$R" --platforms "linux/amd64, linux/arm64, linux/s390x" <<YAML
registries:
  "$R": {ca-file: $CA}
images:
  - {name: app, tags: [v1]}
YAML
mf_expect 0 prune -c "$TEST_TMP/own-ca.yaml" --ca-file "$TEST_TMP/other.pem"
untrusted prune -c "$TEST_TMP/release.yaml" --ca-file "$TEST_TMP/other.pem"
# and a --ca-file that cannot be read stops it before anything is sent, config or not.
refused prune -c "$TEST_TMP/own-ca.yaml" --ca-file "$TEST_TMP/missing.pem"
