#!/usr/bin/env bash
# test_net_garbled_answers.sh — answers that go wrong once on the way heal
# within the retry bound, each retried on a fresh connection:
#  - app: a manifest and a config blob with one byte flipped. The digest
#    checks catch them (the manifest's against Docker-Content-Digest, the
#    blob's against the digest asked for); the bad bytes are never used.
#  - web: a HEAD answer (its tag's, 404: a first publish asks the tag
#    first) followed by stray body bytes on the kept-alive connection; the next request on it reads garbage ("Received HTTP/0.9
#    when not allowed").
# Both targets publish and skopeo reads back the children seeded. One
# worker, so the request after the HEAD is on the same connection.
source "$(dirname "$0")/lib.sh"

registry_start
declare -A D
for name in app web; do
	for p in linux/amd64 linux/arm64/v8; do
		arch=$(cut -d/ -f2 <<<"$p")
		D[$name-$arch]=$(seed "$name-$arch:v1" --platform "$p" --seed "garbled-$name-$p")
	done
done
cfg_blob=$(skopeo_inspect_raw "$REGISTRY/app-arm64:v1" | jq -r .config.digest)
slowproxy_start --upstream "$REGISTRY" \
	--tamper 'GET /v2/app-amd64/manifests/.*:1' \
	--tamper "GET /v2/app-arm64/blobs/$cfg_blob:1" \
	--head-body 'HEAD /v2/web/manifests/v1:1'

cfg=$TEST_TMP/garbled.yaml
images_yaml v1 app web | config_write "$cfg" --registry "$PROXY"
st=$TEST_TMP/status.json
MANIFOLD_BACKOFF_MS=20 mf_expect 0 publish -c "$cfg" --status "$st" -j 1

for name in app web; do
	raw=$(skopeo_inspect_raw "$REGISTRY/$name:v1")
	assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" "${D[$name-amd64]} ${D[$name-arm64]}" "$name:v1 lists the seeded children"
	assert_eq "$(printf "%s" "$raw" | digest_of)" "$(status_target "$st" "$PROXY/$name:v1" .digest | jq -r .)" "$name:v1 is the list recorded"
	for arch in amd64 arm64; do
		assert_eq "$(skopeo_inspect_raw "$REGISTRY/$name@${D[$name-$arch]}" | digest_of)" "${D[$name-$arch]}" "$name child $arch copied byte for byte"
	done
done

# ---- app: flipped bytes, fetched again --------------------------------------------
assert_eq "$(proxy_count '^GET /v2/app-amd64/manifests/.* 200 tamper$')" 1 "the manifest was tampered once"
assert_eq "$(proxy_count '^GET /v2/app-amd64/manifests/.* 200 upstream$')" 1 "and fetched again"
assert_eq "$(proxy_count "^GET /v2/app-arm64/blobs/$cfg_blob 200 tamper\$")" 1 "the config blob was tampered once"
assert_eq "$(proxy_count "^GET /v2/app-arm64/blobs/$cfg_blob 200 upstream\$")" 1 "and fetched again"
hex='sha256:[0-9a-f]{64}'
assert_eq "$(grep -cE "^manifold: warning: $PROXY/app-amd64:v1: GET manifest: body has digest $hex but Docker-Content-Digest says ${D[app-amd64]}; retry 1/4 on a fresh connection in [0-9]+ ms\$" <<<"$MF_ERR")" 1 "manifest retry logged"
assert_eq "$(grep -cE "^manifold: warning: $PROXY/app-arm64@$cfg_blob: GET blob: body has digest $hex, not the one asked for; retry 1/4 on a fresh connection in [0-9]+ ms\$" <<<"$MF_ERR")" 1 "config blob retry logged"

# ---- web: stray bytes after a HEAD answer, retried on a new connection ---------------
assert_eq "$(proxy_count '^HEAD /v2/web/manifests/v1 404 head-body$')" 1 "the HEAD answer was followed by stray bytes"
assert_eq "$(proxy_count ' after-stray$')" 1 "one request read the stray bytes (its retry used a new connection)"
next=$(grep -A1 ' head-body$' "$PROXY_LOG" | tail -n 1 | cut -d' ' -f1,2)
assert_eq "$(grep -cF "$next " "$PROXY_LOG")" 2 "the garbled request was sent again: $next"
assert_eq "$(grep -cE "^manifold: warning: .*: Unsupported protocol: Received HTTP/0.9 when not allowed; retry 1/4 on a fresh connection in [0-9]+ ms\$" <<<"$MF_ERR")" 1 "retry logged with curl's reason"

assert_eq "$(grep -c 'warning' <<<"$MF_ERR")" 3 "no other retries"
assert_eq "$(jq -c '.last_run | [.published, .unchanged, .incomplete, .failed]' "$st")" '[2,0,0,0]' "counts"
