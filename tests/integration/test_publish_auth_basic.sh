#!/usr/bin/env bash
# test_publish_auth_basic.sh — publishing to an htpasswd registry with the
# credentials from a docker config.json ($DOCKER_CONFIG/config.json auths):
# works, and the password (plain or base64) never shows in stdout, stderr
# (even with -v) or the status file. Without credentials the targets fail
# with the registry's 401, still without leaking anything.
source "$(dirname "$0")/lib.sh"

auth_registry_start --htpasswd publisher
seed_arches app v1 linux/amd64 linux/arm64/v8 --user "$AUTH_CREDS" --seed auth-basic

cfg=$TEST_TMP/auth.yaml
config_write "$cfg" <<EOF
images:
  - {name: app, tags: [v1]}
EOF
st=$TEST_TMP/status.json

# ---- no credentials: 401 -----------------------------------------------------------
mf_expect 1 publish -c "$cfg" --status "$st"
assert_contains "$MF_OUT$MF_ERR$(cat "$st" 2>/dev/null)" 401 "the failure names the 401"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" .state)" '"failed"' "state without credentials"
assert_absent "$REGISTRY/app:v1" "app:v1 exists after an unauthenticated run" --creds "$AUTH_CREDS"

# ---- credentials from config.json ------------------------------------------------------
docker_config_auth "$AUTH_CREDS"
mf_expect 0 -v publish -c "$cfg" --status "$st"
raw=$(skopeo_inspect_raw "$REGISTRY/app:v1" --creds "$AUTH_CREDS")
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" \
	"${SEEDED[app/linux/amd64]} ${SEEDED[app/linux/arm64/v8]}" "published with Basic auth"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" .state)" '"published"' "state with credentials"
assert_no_secret "$st" "$AUTH_PASS" "$AUTH_B64"

# Also when the credentials are wrong: the error names the 401, not the password.
docker_config_auth "$AUTH_USER:wrong-$AUTH_PASS"
seed app-amd64:v1 --platform linux/amd64 --user "$AUTH_CREDS" --seed auth-basic-rebuilt >/dev/null
mf_expect 1 -v publish -c "$cfg" --status "$st"
assert_contains "$MF_OUT$MF_ERR" 401 "wrong password: 401"
for secret in "$AUTH_PASS" "wrong-$AUTH_PASS"; do
	assert_not_contains "$MF_OUT$MF_ERR" "$secret" "output leaks the wrong password"
	assert_file_not_contains "$st" "$secret" "status file leaks the wrong password"
done
