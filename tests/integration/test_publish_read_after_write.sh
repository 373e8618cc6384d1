#!/usr/bin/env bash
# test_publish_read_after_write.sh — after a list PUT manifold HEADs the tag
# until the registry serves the new digest: a registry that answers 404 for
# a while is waited for (with backoff) and the target is published; one
# that never serves it within MANIFOLD_READBACK_TIMEOUT_MS fails the target
# with that reason. A first publish costs one HEAD more per tag written; an
# unchanged night reads nothing back. Through faultproxy.py.
source "$(dirname "$0")/lib.sh"

registry_start
for name in plain late never; do
	seed_arches "$name" v1 linux/amd64 linux/arm64/v8 --seed "raw-$name"
done
# late: the first HEAD (404 anyway), then two read-backs answer 404; the
# third is the registry's.
faultproxy_start --upstream "$REGISTRY" \
	--fail 'HEAD /v2/late/manifests/v1:404:3' \
	--fail 'HEAD /v2/never/manifests/v1:404:*'

cfg=$TEST_TMP/raw.yaml
config_write "$cfg" --registry "$PROXY" <<EOF
images:
  - {name: plain, tags: [v1], extra-tags: [latest]}
  - {name: late, tags: [v1]}
  - {name: never, tags: [v1]}
EOF
st=$TEST_TMP/status.json
MANIFOLD_READBACK_TIMEOUT_MS=1500 mf_expect 1 publish -c "$cfg" --status "$st"

# plain: one read-back HEAD per tag written
assert_eq "$(status_target "$st" "$PROXY/plain:v1" .state)" '"published"' "plain published"
assert_eq "$(proxy_count '^HEAD /v2/plain/manifests/v1 ')" 2 "plain:v1: the first HEAD, the read-back"
assert_eq "$(proxy_count '^HEAD /v2/plain/manifests/latest ')" 2 "plain:latest: one HEAD before (what it holds decides whether it may be written) and the read-back"

# late: waited for
assert_eq "$(status_target "$st" "$PROXY/late:v1" '[.state, .digest] | join(" ")')" \
	"\"published $(skopeo_digest "$REGISTRY/late:v1")\"" "late published once the registry served it"
assert_eq "$(proxy_count '^HEAD /v2/late/manifests/v1 404 fault$')" 3 "late: every fault was hit"
assert_eq "$(proxy_count '^HEAD /v2/late/manifests/v1 200 upstream$')" 1 "late: the third read-back got the list"

# never: failed with the reason, after more than one try
reason=$(status_target "$st" "$PROXY/never:v1" .reason)
assert_eq "$(status_target "$st" "$PROXY/never:v1" .state)" '"failed"' "never: failed"
assert_contains "$reason" "$PROXY/never:v1: read back after PUT: sha256:" "never: the reason names the tag"
assert_contains "$reason" "in 1500 ms (last: " "never: the reason says how long it waited"
[ "$(proxy_count '^HEAD /v2/never/manifests/v1 404 fault$')" -ge 3 ] || fail "never: the read-back was not retried"
assert_eq "$(proxy_count '^PUT /v2/never/manifests/v1 ')" 1 "never: one PUT"

# An unchanged night reads nothing back: platforms + 1 HEADs, and the extra tag's.
: >"$PROXY_LOG"
mf_expect 0 publish -c "$cfg" --status "$st" --only plain
assert_eq "$(proxy_count '^HEAD ')" 4 "plain's unchanged night: 2 sources, the tag, the extra tag"
assert_eq "$(proxy_count '^(GET|PUT|POST|PATCH) ')" 0 "plain's unchanged night: nothing else"
