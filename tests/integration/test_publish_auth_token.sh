#!/usr/bin/env bash
# test_publish_auth_token.sh — publishing through the Bearer token flow
# (tokenserver.py behind the registry's auth.token) with credentials from
# $DOCKER_CONFIG/config.json. Tokens are cached per scope and shared by the
# workers: far fewer token fetches than registry requests. The password
# never shows in stdout, stderr (-v) or the status file.
source "$(dirname "$0")/lib.sh"

auth_registry_start --token nightly
seed_arches app v1 linux/amd64 linux/arm64/v8 linux/s390x --user "$AUTH_CREDS" --layers 2 --seed auth-tok

# Four targets over the same sources: same scopes again and again.
cfg=$TEST_TMP/token.yaml
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/s390x" --source "{registry}/{name}-{arch}:v1" <<EOF
images:
  - {name: app, tags: [v1, v2, v3, v4]}
EOF
docker_config_auth "$AUTH_CREDS"
st=$TEST_TMP/status.json
tokens_before=$(wc -l <"$TOKEN_LOG")
m=$(log_mark)
mf_expect 0 -v publish -c "$cfg" --status "$st" -j 4

list=""
for tag in v1 v2 v3 v4; do
	raw=$(skopeo_inspect_raw "$REGISTRY/app:$tag" --creds "$AUTH_CREDS")
	assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" \
		"${SEEDED[app/linux/amd64]} ${SEEDED[app/linux/arm64/v8]} ${SEEDED[app/linux/s390x]}" "app:$tag children"
	d=$(printf '%s' "$raw" | digest_of)
	[ -z "$list" ] || assert_eq "$d" "$list" "app:$tag is the same list as app:v1"
	list=$d
done
assert_eq "$(status_counts "$st")" '[4,0,0,0]' "counts"

# ---- token reuse ----------------------------------------------------------------------
tail -n +"$((tokens_before + 1))" "$TOKEN_LOG" >"$TEST_TMP/tokens.jsonl"
fetches=$(wc -l <"$TEST_TMP/tokens.jsonl" | tr -d ' ')
denied=$(jq -s '[.[] | select(.status != 200)] | length' "$TEST_TMP/tokens.jsonl")
anon=$(jq -s '[.[] | select(.account != "'"$AUTH_USER"'")] | length' "$TEST_TMP/tokens.jsonl")
scopes=$(jq -s '[.[] | .scopes | sort | join(" ")] | unique | length' "$TEST_TMP/tokens.jsonl")
requests=$(log_count_since "$m" '[A-Z]+')
authorized=$(log_lines_since "$m" | awk '$3 != 401' | wc -l | tr -d ' ')
echo "token fetches: $fetches ($scopes distinct scope sets); registry requests: $requests ($authorized not 401)" >&2
[ "$fetches" -ge 1 ] || fail "no token was fetched"
assert_eq "$denied" 0 "token requests refused"
assert_eq "$anon" 0 "token requests without the user's credentials"
[ $((fetches * 3)) -le "$authorized" ] ||
	fail "token reuse: $fetches token fetches for $authorized authorized requests (want at most a third)"
[ "$fetches" -le $((2 * scopes)) ] ||
	fail "token reuse: $fetches fetches for $scopes distinct scope sets (want at most two each)"

assert_no_secret "$st" "$AUTH_PASS" "$AUTH_B64"
# Tokens are credentials too (every JWT starts with base64url '{"': eyJ).
assert_not_contains "$MF_OUT$MF_ERR" "eyJ" "output (-v) prints a bearer token"
assert_file_not_contains "$st" "eyJ" "status file holds a bearer token"
