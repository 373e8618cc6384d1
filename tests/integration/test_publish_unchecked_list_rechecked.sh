#!/usr/bin/env bash
# test_publish_unchecked_list_rechecked.sh — a list manifold published with
# verify-platform: false (an amd64 build under the arm64 tag let through)
# is checked once verify-platform is on, on a night without a status file
# as with one: the list's bytes are the same whether its children were
# checked or not, so the tag holding the very list the HEADs describe
# does not say they were. Without a record of the check (the status
# file's `verified`), each child and its config are read again: the tag's
# HEAD and 2P GETs (each child by the GET that stands for its HEAD),
# nothing written, the target failed.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches lax v1 linux/amd64 --seed ul-lax
seed_arches lax v1 linux/arm64/v8 --config-platform linux/amd64 --seed ul-lax

cfg=$TEST_TMP/lax.yaml
st=$TEST_TMP/status.json
write_config() {
	config_write "$cfg" --default "verify-platform: $1" <<EOF
images:
  - {name: lax, tags: [v1]}
EOF
}

# ---- published unchecked ------------------------------------------------------------
write_config false
mf_expect 0 publish -c "$cfg" --status "$st"
list=$(skopeo_digest "$REGISTRY/lax:v1")
assert_eq "$(status_target "$st" "$REGISTRY/lax:v1" .state)" '"published"' "verify-platform: false publishes the lie"
assert_eq "$(status_target "$st" "$REGISTRY/lax:v1" '[.platforms[] | .verified // false | tostring] | join(" ")')" \
	'"false false"' "nothing recorded verified"

# ---- verify-platform on, no status file --------------------------------------------
write_config true
m=$(log_mark)
mf_expect 1 publish -c "$cfg"
assert_contains "$MF_OUT" "0 published, 0 unchanged, 0 incomplete, 1 failed" "no status file: failed, not unchanged"
assert_contains "$MF_OUT$MF_ERR" "linux/arm64/v8: image config says linux/amd64" "the reason names the platform and what it is"
assert_eq "$(log_count_since "$m" HEAD '^/v2/lax(-[a-z0-9]+)?/')" 1 "the tag's HEAD only"
assert_eq "$(log_count_since "$m" GET '^/v2/lax-[a-z0-9]+/manifests/v1$')" 2 "each child read again"
assert_eq "$(log_count_since "$m" GET '^/v2/lax-[a-z0-9]+/blobs/')" 2 "each config read again"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE' '^/v2/lax')" 0 "nothing written"
assert_eq "$(skopeo_digest "$REGISTRY/lax:v1")" "$list" "the tag keeps its list"

# ---- verify-platform on, the status file of the unchecked publish -------------------
m=$(log_mark)
mf_expect 1 publish -c "$cfg" --status "$st"
assert_eq "$(status_target "$st" "$REGISTRY/lax:v1" .state)" '"failed"' "with the status file: failed"
assert_eq "$(status_target "$st" "$REGISTRY/lax:v1" '.platforms[] | select(.platform == "linux/arm64/v8") | .state')" \
	'"wrong_platform"' "the arm64 child is the wrong platform"
assert_eq "$(log_count_since "$m" GET '^/v2/lax-[a-z0-9]+/(manifests|blobs)/')" 4 "each child and config read again"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE' '^/v2/lax')" 0 "nothing written"
