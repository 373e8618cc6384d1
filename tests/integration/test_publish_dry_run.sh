#!/usr/bin/env bash
# test_publish_dry_run.sh — `publish --dry-run` reads but writes nothing (no
# PUT/POST/PATCH/DELETE, no status file), prints the plan naming every
# target, and computes the same list digest the real run then publishes.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches ready v1 linux/amd64 linux/arm64/v8 --seed dry-ready
seed_arches partial v1 linux/amd64 --seed dry-partial # no linux/arm64/v8

cfg=$TEST_TMP/dry.yaml
config_write "$cfg" <<EOF
images:
  - {name: ready, tags: [v1], extra-tags: [latest]}
  - {name: partial, tags: [v1]}
EOF
st=$TEST_TMP/status.json

m=$(log_mark)
mf_expect 3 publish -c "$cfg" --status "$st" --dry-run
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "dry run writes to the registry"
[ ! -e "$st" ] || fail "dry run wrote the status file"
assert_contains "$MF_OUT" "$REGISTRY/ready:v1" "plan names the ready target"
assert_contains "$MF_OUT" "$REGISTRY/partial:v1" "plan names the incomplete target"
assert_contains "$MF_OUT" "linux/arm64/v8" "plan says what partial lacks"
assert_absent "$REGISTRY/ready:v1" "dry run published ready:v1"

m=$(log_mark)
mf_expect 3 publish -c "$cfg" --status "$st" --dry-run --output json
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "dry run (json) writes to the registry"
jq -e . <<<"$MF_OUT" >/dev/null || fail "--output json is not JSON: $MF_OUT"
dry_json=$MF_OUT

# The real run publishes exactly the list the dry run computed.
mf_expect 3 publish -c "$cfg" --status "$st"
d=$(skopeo_digest "$REGISTRY/ready:v1")
assert_contains "$dry_json" "$d" "dry run computed the digest the real run published"
assert_eq "$(skopeo_digest "$REGISTRY/ready:latest")" "$d" "extra tag"

# A dry run over a published night still writes nothing and changes no file.
cp "$st" "$TEST_TMP/before.json"
m=$(log_mark)
mf_expect 3 publish -c "$cfg" --status "$st" --dry-run
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "second dry run writes"
cmp -s "$st" "$TEST_TMP/before.json" || fail "dry run rewrote the status file"

# --only limits the plan to one image.
mf_expect 0 publish -c "$cfg" --status "$st" --dry-run --only ready
assert_contains "$MF_OUT" "$REGISTRY/ready:v1" "--only ready: plan has ready"
assert_not_contains "$MF_OUT" "$REGISTRY/partial:v1" "--only ready: plan lacks partial"
