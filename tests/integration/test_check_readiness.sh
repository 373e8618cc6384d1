#!/usr/bin/env bash
# test_check_readiness.sh — `manifold check`: one HEAD per per-arch tag,
# nothing else (no GET, no write, no status file); exit 0 when every target
# is ready, 3 when one lacks a platform (named in the output, text and
# JSON), 1 when the registry cannot be reached, 2 on a config error.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches web v2 linux/amd64 linux/arm64/v8 linux/s390x --seed check-web
seed_arches db v2 linux/amd64 linux/arm64/v8 --seed check-db # no linux/s390x

work=$TEST_TMP/cwd
mkdir -p "$work"
cd "$work"
config_write ready.yaml --platforms "linux/amd64, linux/arm64/v8, linux/s390x" --status status/check.json <<EOF
images:
  - {name: web, tags: [v2]}
EOF
sed 's/  - {name: web, tags: \[v2\]}/  - {name: web, tags: [v2]}\n  - {name: db, tags: [v2]}/' ready.yaml >partial.yaml
grep -q 'name: db' partial.yaml || fail "could not make partial.yaml"

# ---- all ready ------------------------------------------------------------------------
m=$(log_mark)
mf_expect 0 check -c ready.yaml
assert_contains "$MF_OUT" "$REGISTRY/web:v2" "check names the target"
assert_eq "$(log_count_since "$m" HEAD)" 3 "one HEAD per per-arch tag"
for arch in amd64 arm64 s390x; do
	assert_eq "$(log_count_since "$m" HEAD "^/v2/web-$arch/manifests/v2\$")" 1 "HEAD web-$arch:v2"
done
assert_eq "$(log_count_since "$m" '[A-Z]+')" 3 "check makes HEAD requests only"

# ---- one platform missing ---------------------------------------------------------------
m=$(log_mark)
mf_expect 3 check -c partial.yaml
assert_contains "$MF_OUT" "$REGISTRY/db:v2" "check names the incomplete target"
assert_contains "$MF_OUT" "linux/s390x" "check names the missing platform"
assert_contains "$MF_OUT" "missing" "check says missing"
assert_eq "$(log_count_since "$m" '[A-Z]+')" 6 "six HEADs for two targets × three platforms"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE|GET')" 0 "check writes (or GETs) nothing"

mf_expect 3 check -c partial.yaml --output json
jq -e . <<<"$MF_OUT" >/dev/null || fail "check --output json is not JSON"
assert_contains "$MF_OUT" "\"missing\"" "JSON has the missing state"
assert_contains "$MF_OUT" "$REGISTRY/db-s390x:v2" "JSON names the missing source"

# No file appeared anywhere in the working directory (the config's status: is not written).
assert_eq "$(find . -type f | sort | tr '\n' ' ')" "./partial.yaml ./ready.yaml " "files after check"

# ---- unreachable registry: exit 1 -------------------------------------------------------------
dead=127.0.0.1:$(free_port)
sed "s|$REGISTRY|$dead|" ready.yaml >dead.yaml
mf_expect 1 check -c dead.yaml
assert_contains "$MF_OUT$MF_ERR" "$dead/web-amd64:v2" "the unreachable source is named"

# ---- config error: exit 2, nothing asked ------------------------------------------------------
printf 'defaults:\n  registry: %s\nimages:\n  - {name: web, tags: [v2], platfroms: [linux/amd64]}\n' "$REGISTRY" >typo.yaml
m=$(log_mark)
mf_expect 2 check -c typo.yaml
assert_contains "$MF_ERR" "typo.yaml:4:" "config error names file:line"
assert_contains "$MF_ERR" platfroms "config error names the key"
assert_eq "$(log_count_since "$m" '[A-Z]+')" 0 "no request on a config error"
