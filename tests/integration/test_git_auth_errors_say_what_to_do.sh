#!/usr/bin/env bash
# test_git_auth_errors_say_what_to_do.sh — publish --commit --push to a
# status repository behind Basic auth (git http-backend, githttp.py) with a
# wrong token and with none: the run exits 1 (the registry was written, the
# record was not pushed) and the error says authentication failed, names
# the remote without credentials and MANIFOLD_GIT_PASSWORD; the token never
# appears in stdout or stderr, nor does one in the remote URL.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/k8s_lib.sh"

registry_start
seed_arches app v1 linux/amd64
images_yaml v1 app | config_write "$TEST_TMP/release.yaml" --platforms linux/amd64
githttp_start
status_remote_init 1
git clone -q "$STATUS_REMOTE" "$TEST_TMP/wt" 2>/dev/null
git -C "$TEST_TMP/wt" remote set-url origin "$STATUS_URL"
cd "$TEST_TMP/wt"

# push_fails LABEL — the last run failed to push for want of authentication.
push_fails() {
	assert_eq "$MF_RC" 1 "$1: exit 1 (published, the record not pushed)"
	assert_contains "$MF_ERR" "authentication failed (HTTP 401)" "$1: says authentication failed"
	assert_contains "$MF_ERR" "set MANIFOLD_GIT_USERNAME and MANIFOLD_GIT_PASSWORD" "$1: says what to set"
	assert_contains "$MF_ERR" "to $STATUS_URL" "$1: names the remote"
	assert_not_contains "$MF_ERR" "followRedirects" "$1: no libgit2 riddle"
	assert_not_contains "$MF_OUT$MF_ERR" "$K8S_GIT_TOKEN" "$1: the right token never shows"
}

MANIFOLD_GIT_USERNAME=$K8S_GIT_USER MANIFOLD_GIT_PASSWORD=wrong-token-$$ \
	mf publish -c "$TEST_TMP/release.yaml" --status status/release.json --commit --push
push_fails "a wrong token"
assert_not_contains "$MF_OUT$MF_ERR" "wrong-token-$$" "the wrong token never shows either"

env -u MANIFOLD_GIT_USERNAME -u MANIFOLD_GIT_PASSWORD \
	"$MANIFOLD" publish -c "$TEST_TMP/release.yaml" --status status/release.json --commit --push \
	>"$TEST_TMP/none.out" 2>"$TEST_TMP/none.err" && MF_RC=0 || MF_RC=$?
MF_OUT=$(cat "$TEST_TMP/none.out") MF_ERR=$(cat "$TEST_TMP/none.err")
sed 's/^/none| /' "$TEST_TMP/none.err" >&2
push_fails "no token"

# a wrong token in the remote URL: the error names the remote without it
git remote set-url origin "${STATUS_URL/:\/\//://$K8S_GIT_USER:url-token-$$@}"
env -u MANIFOLD_GIT_USERNAME -u MANIFOLD_GIT_PASSWORD \
	"$MANIFOLD" publish -c "$TEST_TMP/release.yaml" --status status/release.json --commit --push \
	>"$TEST_TMP/url.out" 2>"$TEST_TMP/url.err" && MF_RC=0 || MF_RC=$?
MF_OUT=$(cat "$TEST_TMP/url.out") MF_ERR=$(cat "$TEST_TMP/url.err")
sed 's/^/url| /' "$TEST_TMP/url.err" >&2
push_fails "a wrong token in the URL"
assert_not_contains "$MF_OUT$MF_ERR" "url-token-$$" "the URL's token never shows"

assert_eq "$(git -C "$STATUS_REMOTE" rev-list --count main)" 1 "nothing landed on the remote"
# the right token: one try is enough
git remote set-url origin "$STATUS_URL"
MANIFOLD_GIT_USERNAME=$K8S_GIT_USER MANIFOLD_GIT_PASSWORD=$K8S_GIT_TOKEN \
	mf_expect 0 publish -c "$TEST_TMP/release.yaml" --status status/release.json --commit --push
assert_not_contains "$MF_OUT$MF_ERR" "$K8S_GIT_TOKEN" "the token never shows"
assert_eq "$(git -C "$STATUS_REMOTE" rev-parse main)" "$(git rev-parse HEAD)" \
	"the record landed, with the commits the refused runs made locally"
echo "ok"
