#!/usr/bin/env bash
# test_publish_auth_basic.sh — publishing to an htpasswd registry with the
# credentials from a docker config.json ($DOCKER_CONFIG/config.json auths):
# works, and the password (plain or base64) never shows in stdout, stderr
# (even with -v) or the status file. Without credentials the targets fail
# with the registry's 401, still without leaking anything.
source "$(dirname "$0")/lib.sh"

user=publisher
pass="pw-$RANDOM-$RANDOM-basic"
registry_start --htpasswd "$user:$pass"
declare -A D
for p in linux/amd64 linux/arm64/v8; do
	arch=$(cut -d/ -f2 <<<"$p")
	D[$p]=$(seed "app-$arch:v1" --platform "$p" --user "$user:$pass" --seed "auth-basic-$p")
done

cfg=$TEST_TMP/auth.yaml
cat >"$cfg" <<EOF
defaults:
  registry: $REGISTRY
  platforms: [linux/amd64, linux/arm64/v8]
  source: "{registry}/{name}-{arch}:{tag}"
  target: "{registry}/{name}:{tag}"
images:
  - {name: app, tags: [v1]}
EOF
st=$TEST_TMP/status.json
b64=$(printf '%s' "$user:$pass" | base64 -w0)

# ---- no credentials: 401 -----------------------------------------------------------
mf_expect 1 publish -c "$cfg" --status "$st"
assert_contains "$MF_OUT$MF_ERR$(cat "$st" 2>/dev/null)" 401 "the failure names the 401"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" .state)" '"failed"' "state without credentials"
if skopeo_inspect_raw "$REGISTRY/app:v1" --creds "$user:$pass" >/dev/null 2>&1; then
	fail "app:v1 exists after an unauthenticated run"
fi

# ---- credentials from config.json ------------------------------------------------------
cat >"$DOCKER_CONFIG/config.json" <<EOF
{"auths": {"$REGISTRY": {"auth": "$b64"}}}
EOF
mf_expect 0 -v publish -c "$cfg" --status "$st"
raw=$(skopeo_inspect_raw "$REGISTRY/app:v1" --creds "$user:$pass")
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" "${D[linux/amd64]} ${D[linux/arm64/v8]}" "published with Basic auth"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" .state)" '"published"' "state with credentials"
for secret in "$pass" "$b64"; do
	assert_not_contains "$MF_OUT" "$secret" "stdout leaks a credential"
	assert_not_contains "$MF_ERR" "$secret" "stderr (-v) leaks a credential"
	assert_file_not_contains "$st" "$secret" "status file leaks a credential"
done

# Also when the credentials are wrong: the error names the 401, not the password.
cat >"$DOCKER_CONFIG/config.json" <<EOF
{"auths": {"$REGISTRY": {"auth": "$(printf '%s' "$user:wrong-$pass" | base64 -w0)"}}}
EOF
seed app-amd64:v1 --platform linux/amd64 --user "$user:$pass" --seed auth-basic-rebuilt >/dev/null
mf_expect 1 -v publish -c "$cfg" --status "$st"
assert_contains "$MF_OUT$MF_ERR" 401 "wrong password: 401"
for secret in "$pass" "wrong-$pass"; do
	assert_not_contains "$MF_OUT$MF_ERR" "$secret" "output leaks the wrong password"
	assert_file_not_contains "$st" "$secret" "status file leaks the wrong password"
done
