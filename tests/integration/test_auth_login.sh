#!/usr/bin/env bash
# test_auth_login.sh — auth a user can debug, against an htpasswd registry
# and a token-server registry: `login` checks the credentials first and
# writes config.json's auths entry (0600, other keys kept; read back with
# jq), `logout` removes it; the errors say which case it is (no
# credentials, and where manifold looked; credentials from FILE rejected by
# HOST; a token server that refused, with its status and text, or answered
# nonsense); -v names the credential source used; podman's auth files are
# read after docker's; --authfile and REGISTRY_AUTH_FILE name a file that
# must exist (exit 2, nothing sent); a linked auth file stays a link. No
# secret in any output.
source "$(dirname "$0")/lib.sh"

export HOME=$TEST_TMP/home XDG_RUNTIME_DIR=$TEST_TMP/run
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
conf=$DOCKER_CONFIG/config.json
podman_run=$XDG_RUNTIME_DIR/containers/auth.json
podman_home=$HOME/.config/containers/auth.json
looked="$conf, $podman_run, $podman_home"

# one_image NAME — NAME-ARCH:v1 seeded behind this registry's auth, and
# $TEST_TMP/NAME.yaml publishing NAME:v1.
one_image() {
	seed_arches "$1" v1 linux/amd64 linux/arm64/v8 --user "$AUTH_CREDS"
	printf 'images:\n  - {name: %s, tags: [v1]}\n' "$1" | config_write "$TEST_TMP/$1.yaml"
}

auth_registry_start --htpasswd publisher
one_image app
cfg=$TEST_TMP/app.yaml
secrets=("$AUTH_PASS" "$AUTH_B64")

# ---- no credentials: where manifold looked ------------------------------------------------
mf_expect 1 publish -c "$cfg"
assert_contains "$MF_OUT" "401 UNAUTHORIZED (authentication required): no credentials found for $REGISTRY (looked in $looked)" \
	"no credentials: the files checked"

# ---- login: refused credentials write nothing -------------------------------------------
mf_expect 1 login "$REGISTRY" -u publisher --password-stdin <<<"wrong-$AUTH_PASS"
assert_eq "$MF_ERR" "manifold login: $REGISTRY: GET /v2/: 401 UNAUTHORIZED (authentication required): credentials from --password-stdin rejected by $REGISTRY" \
	"login with a wrong password"
[ -e "$conf" ] && fail "a refused login wrote $conf"
mf_expect 2 login "$REGISTRY" -u publisher <<<"$AUTH_PASS"
assert_contains "$MF_ERR" "needs -u USER and --password-stdin" "no --password-stdin"

# ---- login: stored, other keys kept, 0600 --------------------------------------------------
printf '{"HttpHeaders": {"X-Meta": "kept"}, "auths": {"other.example": {"auth": "eDp5"}}}\n' >"$conf"
chmod 644 "$conf"
mf_expect 0 login "$REGISTRY" -u publisher --password-stdin <<<"$AUTH_PASS"
assert_eq "$MF_OUT" "Login Succeeded" "login output"
assert_eq "$(jq -r --arg r "$REGISTRY" '.auths[$r].auth' "$conf")" "$AUTH_B64" "auths.HOST.auth = base64(user:pass)"
assert_eq "$(jq -c '[.HttpHeaders, .auths["other.example"]]' "$conf")" '[{"X-Meta":"kept"},{"auth":"eDp5"}]' \
	"other keys kept"
assert_eq "$(stat -c %a "$conf")" 600 "config.json is 0600"
ls "$DOCKER_CONFIG" | grep -qv '^config.json$' && fail "a temporary file was left in $DOCKER_CONFIG"
for s in "${secrets[@]}"; do assert_not_contains "$MF_OUT$MF_ERR" "$s" "login leaks a secret"; done

mf_expect 0 -v publish -c "$cfg" --status "$TEST_TMP/st.json"
assert_contains "$MF_ERR" "manifold: debug: $REGISTRY: using credentials from $conf" "-v names the source"
assert_no_secret "$TEST_TMP/st.json" "${secrets[@]}"

# ---- rejected credentials name their file --------------------------------------------------
docker_config_auth "$AUTH_USER:wrong-$AUTH_PASS"
seed app-amd64:v1 --platform linux/amd64 --user "$AUTH_CREDS" --seed auth-login-rebuilt >/dev/null
mf_expect 1 publish -c "$cfg"
assert_contains "$MF_OUT" "401 UNAUTHORIZED (authentication required): credentials from $conf rejected by $REGISTRY" \
	"rejected credentials: their file"

# ---- podman's files, after docker's ----------------------------------------------------------
mkdir -p "$(dirname "$podman_run")" "$(dirname "$podman_home")"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REGISTRY" "$AUTH_B64" >"$podman_home"
mf_expect 1 publish -c "$cfg"
assert_contains "$MF_OUT" "credentials from $conf rejected" "docker's config.json is read first"
rm "$conf"
mf_expect 0 -v publish -c "$cfg"
assert_contains "$MF_ERR" "$REGISTRY: using credentials from $podman_home" "\$HOME/.config/containers/auth.json"
cp "$podman_home" "$podman_run"
printf '{}\n' >"$podman_home"
mf_expect 0 -v check -c "$cfg"
assert_contains "$MF_ERR" "$REGISTRY: using credentials from $podman_run" "\${XDG_RUNTIME_DIR}/containers/auth.json"
rm "$podman_run" "$podman_home"

# ---- --authfile and REGISTRY_AUTH_FILE ------------------------------------------------------
af=$TEST_TMP/auth.json
mf_expect 0 login "$REGISTRY" -u publisher --password-stdin --authfile "$af" <<<"$AUTH_PASS"
assert_eq "$(jq -r --arg r "$REGISTRY" '.auths[$r].auth' "$af")" "$AUTH_B64" "login --authfile writes that file"
assert_eq "$(stat -c %a "$af")" 600 "--authfile created 0600"
[ -e "$conf" ] && fail "login --authfile wrote $conf too"
mf_expect 0 -v inspect "$REGISTRY/app:v1" --authfile "$af"
assert_contains "$MF_ERR" "$REGISTRY: using credentials from $af" "inspect --authfile"
mkdir -p "$TEST_TMP/secret"
mv "$af" "$TEST_TMP/secret/auth.json"
ln -s secret/auth.json "$af" # a mounted secret's file, a dotfiles checkout
mf_expect 0 login "$REGISTRY" -u publisher --password-stdin --authfile "$af" <<<"$AUTH_PASS"
[ -L "$af" ] || fail "login replaced the link $af by a file"
assert_eq "$(jq -r --arg r "$REGISTRY" '.auths[$r].auth' "$TEST_TMP/secret/auth.json")" "$AUTH_B64" \
	"login through a link writes the file it names"
ls "$TEST_TMP/secret" | grep -qv '^auth.json$' && fail "a temporary file was left beside the linked file"
mark=$(log_mark)
mf_expect 2 publish -c "$cfg" --authfile "$TEST_TMP/nope.json"
assert_eq "$MF_ERR" "manifold publish: auth file $TEST_TMP/nope.json (from --authfile): does not exist" \
	"a missing --authfile"
REGISTRY_AUTH_FILE=$TEST_TMP/nope.json mf_expect 2 retag "$REGISTRY/app:v1" "$REGISTRY/copy:v1"
assert_eq "$MF_ERR" "manifold retag: auth file $TEST_TMP/nope.json (from REGISTRY_AUTH_FILE): does not exist" \
	"a missing REGISTRY_AUTH_FILE"
mf_expect 2 inspect "$REGISTRY/app:v1" --authfile "$TEST_TMP"
assert_eq "$MF_ERR" "manifold inspect: auth file $TEST_TMP (from --authfile): is a directory" "a directory"
assert_eq "$(log_count_since "$mark" '[A-Z]+')" 0 "nothing sent when the auth file is missing"

# ---- logout ---------------------------------------------------------------------------------
mf_expect 0 logout "$REGISTRY" --authfile "$af"
assert_eq "$(jq -c .auths "$af")" '{}' "logout removed the entry"
mf_expect 1 logout "$REGISTRY" --authfile "$af"
assert_eq "$MF_ERR" "manifold logout: not logged in to $REGISTRY ($af has no entry for it)" "logout twice"
printf '{"credsStore": "none-here", "auths": {"%s": {"auth": "%s"}, "other.example": {}}}\n' \
	"$REGISTRY" "$AUTH_B64" >"$conf"
mf_expect 0 logout "http://$REGISTRY/"
assert_eq "$(jq -c . "$conf")" '{"credsStore":"none-here","auths":{"other.example":{}}}' \
	"logout keeps the other keys"

# ---- a token server: refused credentials, refusals, nonsense ----------------------------
auth_registry_start --token publisher --name tok
one_image tapp
tcfg=$TEST_TMP/tapp.yaml
rm -f "$conf"
mf_expect 1 publish -c "$tcfg"
assert_contains "$MF_OUT" "no credentials found for $REGISTRY (looked in $looked)" "token: no credentials"
mf_expect 1 login "$REGISTRY" -u publisher --password-stdin <<<"wrong-$AUTH_PASS"
assert_eq "$MF_ERR" "manifold login: $REGISTRY: GET /v2/: 401 UNAUTHORIZED: credentials from --password-stdin rejected by the token server $TOKEN_REALM" \
	"token: login refused"
mf_expect 0 login "$REGISTRY" -u publisher --password-stdin <<<"$AUTH_PASS"
docker_config_auth "$AUTH_USER:wrong-$AUTH_PASS"
mf_expect 1 publish -c "$tcfg"
assert_contains "$MF_OUT" "401 UNAUTHORIZED: credentials from $conf rejected by the token server $TOKEN_REALM" \
	"token: rejected credentials"
docker_config_auth "$AUTH_CREDS"
echo refuse >"$REGISTRY_DIR/token.answer"
mf_expect 1 publish -c "$tcfg"
assert_contains "$MF_OUT" "token server $TOKEN_REALM refused: HTTP 403: account locked: ask the registry admin" \
	"token server refusal: status and its text"
echo not-json >"$REGISTRY_DIR/token.answer"
mf_expect 1 publish -c "$tcfg"
assert_contains "$MF_OUT" "token server $TOKEN_REALM: answer is not JSON" "token server nonsense"
echo no-token >"$REGISTRY_DIR/token.answer"
mf_expect 1 -v publish -c "$tcfg"
assert_contains "$MF_OUT" "token server $TOKEN_REALM: answer has no token (neither \"token\" nor \"access_token\")" \
	"token server without a token"
for s in "${secrets[@]}" "wrong-$AUTH_PASS"; do
	assert_not_contains "$MF_OUT$MF_ERR" "$s" "token errors leak a secret"
done
rm "$REGISTRY_DIR/token.answer"
mf_expect 0 publish -c "$tcfg"
