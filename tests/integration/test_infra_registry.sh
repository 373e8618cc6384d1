#!/usr/bin/env bash
# test_infra_registry.sh — proves the integration fixtures themselves (lib.sh,
# seed.py, tokenserver.py, faultproxy.py) against real registries, so a
# failing publish test points at manifold, not at its harness. Needs no
# manifold binary.
source "$(dirname "$0")/lib.sh"

# ---- a plain registry, Docker and OCI images ----------------------------------
registry_start --name plain
assert_eq "$REGISTRY" "$REGISTRY_PLAIN" "REGISTRY names the last registry started"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/")" 200 "GET /v2/ on the plain registry"

d_arm=$(seed kube-proxy-arm64:v1 --platform linux/arm64/v8 --seed 1)
raw=$(skopeo_inspect_raw "$REGISTRY/kube-proxy-arm64:v1")
assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_V2" "docker image media type"
assert_eq "$(printf '%s' "$raw" | digest_of)" "$d_arm" "seed prints the digest of the bytes the tag holds"
cfg=$(skopeo_config "$REGISTRY/kube-proxy-arm64:v1")
assert_eq "$(jq -r '[.os, .architecture, .variant] | join("/")' <<<"$cfg")" linux/arm64/v8 "config platform"

# Deterministic with --seed, different without.
assert_eq "$(seed kube-proxy-arm64:v1 --platform linux/arm64/v8 --seed 1)" "$d_arm" "same --seed, same digest"
d_other=$(seed kube-proxy-arm64:v1 --platform linux/arm64/v8)
[ "$d_other" != "$d_arm" ] || fail "a random seed gave the --seed 1 digest"

d_oci=$(seed app-s390x:v1 --platform linux/s390x --oci --layers 3)
raw=$(skopeo_inspect_raw "$REGISTRY/app-s390x:v1")
assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_OCI" "OCI image media type"
assert_eq "$(jq -r '.layers | length' <<<"$raw")" 3 "--layers 3"
assert_eq "$(jq -r '.layers[0].mediaType' <<<"$raw")" application/vnd.oci.image.layer.v1.tar+gzip "OCI layer type"
assert_eq "$(skopeo_inspect "$REGISTRY/app-s390x:v1" | jq -r .Digest)" "$d_oci" "OCI digest"

seed pause-windows:v1 --platform windows/amd64:10.0.17763.6659 >/dev/null
assert_eq "$(skopeo_config "$REGISTRY/pause-windows:v1" | jq -r '.["os.version"]')" 10.0.17763.6659 "windows os.version"

# The lie: amd64 config under an arm64 tag.
seed liar-arm64:v1 --platform linux/arm64/v8 --config-platform linux/amd64 >/dev/null
assert_eq "$(skopeo_config "$REGISTRY/liar-arm64:v1" | jq -r .architecture)" amd64 "--config-platform"

# buildx-style index: image entry + attestation entry.
read -r d_index d_image < <(seed app-arm64:v2 --platform linux/arm64/v8 --index-with-attestation)
raw=$(skopeo_inspect_raw "$REGISTRY/app-arm64:v2")
assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_OCI_INDEX" "index media type"
assert_eq "$(printf '%s' "$raw" | digest_of)" "$d_index" "index digest"
assert_eq "$(jq -r '.manifests | length' <<<"$raw")" 2 "index entries"
assert_eq "$(jq -r '.manifests[0].digest' <<<"$raw")" "$d_image" "image entry digest"
assert_eq "$(jq -r '.manifests[0].platform | [.os, .architecture, .variant] | join("/")' <<<"$raw")" linux/arm64/v8 "image entry platform"
assert_eq "$(jq -r '.manifests[1].annotations["vnd.docker.reference.type"]' <<<"$raw")" attestation-manifest "attestation annotation"
assert_eq "$(jq -r '.manifests[1].platform | .os + "/" + .architecture' <<<"$raw")" unknown/unknown "attestation platform"
assert_eq "$(skopeo_inspect_raw "$REGISTRY/app-arm64@$d_image" | jq -r .mediaType)" "$MT_OCI" "index child pushed by digest"

# ---- the shared fixtures: seed_arches, config_write, read-back helpers ---------
seed_arches fx v1 linux/amd64 linux/arm64/v8
assert_eq "$(skopeo_digest "$REGISTRY/fx-arm64:v1")" "${SEEDED[fx/linux/arm64/v8]}" "seed_arches records the digest fx-arm64:v1 holds"
assert_eq "$(skopeo_config "$REGISTRY/fx-arm64:v1" | jq -r '[.os, .architecture, .variant] | join("/")')" linux/arm64/v8 "seed_arches: config platform"
[ "${SEEDED[fx/linux/amd64]}" != "${SEEDED[fx/linux/arm64/v8]}" ] || fail "seed_arches gave two platforms one digest"
d_fx=${SEEDED[fx/linux/amd64]}
seed_arches fx v1 linux/amd64
assert_eq "${SEEDED[fx/linux/amd64]}" "$d_fx" "seed_arches pushes the same bytes again"
seed_arches fx v1 linux/amd64 --seed fx-rebuilt
[ "${SEEDED[fx/linux/amd64]}" != "$d_fx" ] || fail "seed_arches --seed did not change the image"
assert_eq "$(skopeo_digest "$REGISTRY/fx-amd64:v1")" "${SEEDED[fx/linux/amd64]}" "the rebuild is what fx-amd64:v1 holds"
seed_arches fxi v1 linux/arm64/v8 --index-with-attestation --oci
raw=$(skopeo_inspect_raw "$REGISTRY/fxi-arm64:v1")
assert_eq "$(printf '%s' "$raw" | digest_of)" "${SEEDED_INDEX[fxi/linux/arm64/v8]}" "SEEDED_INDEX: the index digest"
assert_eq "$(jq -r '.manifests[0].digest' <<<"$raw")" "${SEEDED[fxi/linux/arm64/v8]}" "SEEDED: the image entry's digest"
assert_eq "$(digest_line "$REGISTRY/fxi-arm64:v1")" "Digest: ${SEEDED_INDEX[fxi/linux/arm64/v8]} $(printf '%s' "$raw" | wc -c | tr -d ' ')" "digest_line"
assert_absent "$REGISTRY/fx-s390x:v1" "assert_absent on a tag never pushed"
if (assert_absent "$REGISTRY/fx-arm64:v1" "expected") 2>/dev/null; then
	fail "assert_absent passed for fx-arm64:v1, which exists"
fi
config_write "$TEST_TMP/fx.yaml" --platforms linux/amd64 --default "verify-platform: false" --status st.json <<EOF
images:
  - {name: fx, tags: [v1]}
EOF
assert_eq "$(cat "$TEST_TMP/fx.yaml")" "defaults:
  registry: $REGISTRY
  platforms: [linux/amd64]
  source: \"{registry}/{name}-{arch}:{tag}\"
  target: \"{registry}/{name}:{tag}\"
  verify-platform: false
images:
  - {name: fx, tags: [v1]}
status: st.json" "config_write: the defaults block, then stdin, then status"
config_write "$TEST_TMP/fx.yaml" --registry other:5000 --source "" --target "{registry}/x/{name}:{tag}" <<EOF
images: []
EOF
assert_eq "$(cat "$TEST_TMP/fx.yaml")" "defaults:
  registry: other:5000
  platforms: [linux/amd64, linux/arm64/v8]
  target: \"{registry}/x/{name}:{tag}\"
images: []" "config_write: an empty value leaves its key out"

# ---- access log counting ---------------------------------------------------
m=$(log_mark)
seed counted:v1 --layers 2 >/dev/null
assert_eq "$(log_count_since "$m" PUT)" 4 "PUTs for 2 layers + config + manifest"
assert_eq "$(log_count_since "$m" POST)" 3 "upload POSTs"
assert_eq "$(log_count_since "$m" HEAD '/blobs/')" 3 "blob HEADs"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 7 "writes (method alternation)"
assert_eq "$(log_count_since "$m" PUT '/manifests/v1$')" 1 "manifest PUT by path"
m=$(log_mark)
skopeo_inspect_raw "$REGISTRY/counted:v1" >/dev/null
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "reading writes nothing"
[ "$(log_count_since "$m" GET '/manifests/v1$')" -ge 1 ] || fail "skopeo's manifest GET not in the access log"
assert_eq "$(log_count_since "$m" HEAD)" 0 "no HEAD from skopeo inspect --raw"

# ---- htpasswd ------------------------------------------------------------------
registry_start --name basic --htpasswd alice:s3cret-basic
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY_BASIC/v2/")" 401 "anonymous on htpasswd registry"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -u alice:wrong "http://$REGISTRY_BASIC/v2/")" 401 "wrong password"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -u alice:s3cret-basic "http://$REGISTRY_BASIC/v2/")" 200 "right password"
if seed "$REGISTRY_BASIC/app-amd64:v1" 2>/dev/null; then
	fail "anonymous push to the htpasswd registry succeeded"
fi
d_basic=$(seed "$REGISTRY_BASIC/app-amd64:v1" --user alice:s3cret-basic)
assert_eq "$(skopeo_inspect "$REGISTRY_BASIC/app-amd64:v1" --creds alice:s3cret-basic | jq -r .Digest)" "$d_basic" "skopeo with creds"
if skopeo_inspect_raw "$REGISTRY_BASIC/app-amd64:v1" >/dev/null 2>&1; then
	fail "anonymous skopeo read the htpasswd registry"
fi
docker_config_auth alice:s3cret-basic "$REGISTRY_BASIC"
assert_eq "$(jq -r --arg r "$REGISTRY_BASIC" '.auths | keys[0] + " " + (.[$r].auth | @base64d)' "$DOCKER_CONFIG/config.json")" \
	"$REGISTRY_BASIC alice:s3cret-basic" "docker_config_auth: one auths entry, base64 USER:PASS"
rm "$DOCKER_CONFIG/config.json"

# ---- token auth (a third registry in the same test) ----------------------------
registry_start --name tok --token bob:t0ken-pass
assert_eq "$TOKEN_LOG" "$REGISTRY_TOK_TOKEN_LOG" "TOKEN_LOG names the token registry's log"
challenge=$(curl -s -D - -o /dev/null "http://$REGISTRY_TOK/v2/" | tr -d '\r' | grep -i '^www-authenticate:')
assert_contains "$challenge" "Bearer realm=\"$TOKEN_REALM\"" "token challenge"
d_tok=$(seed "$REGISTRY_TOK/team/app-ppc64le:v1" --platform linux/ppc64le --user bob:t0ken-pass)
assert_eq "$(skopeo_inspect "$REGISTRY_TOK/team/app-ppc64le:v1" --creds bob:t0ken-pass | jq -r .Digest)" "$d_tok" "skopeo through the token server"
assert_eq "$(skopeo_inspect "$REGISTRY_TOK/team/app-ppc64le:v1" --creds bob:t0ken-pass | jq -r .Architecture)" ppc64le "token registry platform"
if skopeo_inspect_raw "$REGISTRY_TOK/team/app-ppc64le:v1" >/dev/null 2>&1; then
	fail "anonymous skopeo read the token registry"
fi
if skopeo_inspect_raw "$REGISTRY_TOK/team/app-ppc64le:v1" --creds bob:wrong >/dev/null 2>&1; then
	fail "a wrong password got a token"
fi
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -u bob:wrong "$TOKEN_REALM?service=manifold-test-registry&scope=repository:x:pull")" 401 "token server rejects a wrong password"
[ "$(jq -s '[.[] | select(.status == 200 and .account == "bob")] | length' "$TOKEN_LOG")" -ge 2 ] ||
	fail "token log lacks bob's grants"
[ "$(jq -s '[.[] | select(.status == 401)] | length' "$TOKEN_LOG")" -ge 1 ] || fail "token log lacks the 401"
assert_file_not_contains "$TOKEN_LOG" t0ken-pass "token log holds the password"
anon=$(curl -s "$TOKEN_REALM?service=manifold-test-registry&scope=repository:team/app-ppc64le:pull")
assert_eq "$(jq -r '.token | split(".")[1] | gsub("-"; "+") | gsub("_"; "/") | . + ("=" * ((4 - length % 4) % 4)) | @base64d | fromjson | .access | length' <<<"$anon")" 0 "anonymous token grants nothing"
assert_eq "$(jq -r '.token == .access_token and .expires_in == 300' <<<"$anon")" true "token response shape"

# ---- fault proxy ---------------------------------------------------------------
faultproxy_start --upstream "$REGISTRY_PLAIN" \
	--fail 'GET /v2/kube-proxy-arm64/manifests/v1:503:2' \
	--fail 'HEAD /v2/app-s390x/manifests/.*:429:1' \
	--fail 'GET /v2/pause-windows/manifests/.*:reset:1' \
	--fail 'GET /v2/liar-arm64/manifests/.*:403:*'
url="http://$PROXY/v2/kube-proxy-arm64/manifests/v1"
accept="Accept: $MT_V2"
hdrs=$(curl -s -D - -o /dev/null -H "$accept" "$url" | tr -d '\r')
assert_contains "$hdrs" "HTTP/1.1 503" "first request gets the injected 503"
assert_contains "$hdrs" "Retry-After: 1" "503 carries Retry-After"
body=$(curl -s -H "$accept" "$url")
assert_eq "$(jq -r '.errors[0].code' <<<"$body")" UNAVAILABLE "503 body is a registry error"
assert_eq "$(curl -s -H "$accept" "$url" | digest_of)" "$d_other" "third request is forwarded byte for byte"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "$accept" "$url")" 200 "rule exhausted: forwarded"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -I "http://$PROXY/v2/app-s390x/manifests/v1")" 429 "429 rule"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -I -H "Accept: $MT_OCI" "http://$PROXY/v2/app-s390x/manifests/v1")" 200 "429 once"
set +e
curl -s -o /dev/null "http://$PROXY/v2/pause-windows/manifests/v1"
rc=$?
set -e
[ "$rc" = 52 ] || [ "$rc" = 56 ] || fail "reset rule: curl exit $rc, want 52 or 56"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://$PROXY/v2/pause-windows/manifests/v1")" 200 "after the reset"
for i in 1 2 3; do
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://$PROXY/v2/liar-arm64/manifests/v1")" 403 "permanent 403 ($i)"
done
assert_eq "$(curl -s "http://$PROXY/v2/liar-arm64/manifests/v1" | jq -r '.errors[0].code')" DENIED "403 code"
loc=$(curl -s -D - -o /dev/null -X POST "http://$PROXY/v2/through-proxy/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
assert_contains "$loc" "http://$PROXY/v2/through-proxy/blobs/uploads/" "Location points at the proxy"
# A whole push through the proxy (streamed request bodies, Location upload URLs).
d_proxied=$(seed "$PROXY/through-proxy:v1" --layers 2 --layer-size 300000)
assert_eq "$(skopeo_inspect "$REGISTRY_PLAIN/through-proxy:v1" | jq -r .Digest)" "$d_proxied" "push through the proxy landed"
assert_eq "$(proxy_count '^GET /v2/kube-proxy-arm64/manifests/v1 503 fault$')" 2 "proxy log: injected 503s"
assert_eq "$(proxy_count '^GET /v2/kube-proxy-arm64/manifests/v1 200 upstream$')" 2 "proxy log: forwarded"
assert_eq "$(proxy_count ' reset fault$')" 1 "proxy log: reset"
