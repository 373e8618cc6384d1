#!/usr/bin/env bash
# test_publish_signed.sh — with sign-key, every list written is signed once
# per digest: cosign's sha256-<hex>.sig tag (a simple-signing payload, its
# ECDSA signature in the layer's annotation) and a publish record in
# sha256-<hex>.att (an in-toto statement in a DSSE envelope), both checked
# here with openssl and a Python DSSE check that share no code with
# manifold. A key from a file (PKCS#8) and one from an environment variable
# (SEC1); a promoted copy (retag) verifies too. An unchanged night costs
# (platforms + 1) HEADs per target and nothing else; a record without signed_by makes manifold read the .sig and
# .att tags (4 GETs) and find them valid, writing nothing. `manifold verify`
# accepts the right key and names what fails with another. The private
# keys' text never appears in any output or the status file. Two images
# with two keys publishing one list into one repository leave both layers.
source "$(dirname "$0")/lib.sh"

need openssl
PLATFORMS=(linux/amd64 linux/arm64/v8)
registry_start
seed_arches app v1 "${PLATFORMS[@]}" --seed sign-app
seed_arches tool v1 "${PLATFORMS[@]}" --seed sign-tool

keys=$TEST_TMP/keys
mkdir -p "$keys"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/release.pem" 2>/dev/null
openssl pkey -in "$keys/release.pem" -pubout -out "$keys/release.pub"
openssl ecparam -name prime256v1 -genkey -noout -out "$keys/tool.pem" # SEC1
openssl ec -in "$keys/tool.pem" -pubout -out "$keys/tool.pub" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$keys/stranger.pem"
openssl ec -in "$keys/stranger.pem" -pubout -out "$keys/stranger.pub" 2>/dev/null
key_id() { echo "sha256:$(openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1)"; }
REL_ID=$(key_id "$keys/release.pub")
TOOL_ID=$(key_id "$keys/tool.pub")
# the base64 bodies of the private keys: never to be seen anywhere
secrets=()
for k in release tool; do
	secrets+=("$(grep -v -- ----- "$keys/$k.pem" | tr -d '\n' | cut -c1-40)")
done
SIGN_KEY_TOOL=$(cat "$keys/tool.pem")
export SIGN_KEY_TOOL

cfg=$TEST_TMP/release.yaml
config_write "$cfg" --default "sign-key: {file: keys/release.pem}" <<EOF
images:
  - {name: app, tags: [v1], extra-tags: [latest]}
  - {name: tool, tags: [v1], sign-key: {env: SIGN_KEY_TOOL}}
EOF
st=$TEST_TMP/status.json

# ---- night 1: published and signed ---------------------------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st" -v --metrics-file "$TEST_TMP/metrics.prom" --log-format json
assert_eq "$(status_counts "$st")" '[2,0,0,0]' "night 1 counts"
assert_no_secret "$st" "${secrets[@]}"
assert_no_secret "$TEST_TMP/metrics.prom" "${secrets[@]}"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" .signed_by)" "\"$REL_ID\"" "app:v1 signed_by"
assert_eq "$(status_target "$st" "$REGISTRY/tool:v1" .signed_by)" "\"$TOOL_ID\"" "tool:v1 signed_by (env key)"
APP=$(skopeo_digest "$REGISTRY/app:v1")
TOOL=$(skopeo_digest "$REGISTRY/tool:v1")
assert_eq "$(skopeo_digest "$REGISTRY/app:latest")" "$APP" "extra tag holds the same list"
# per list: .sig (payload blob, config blob, manifest) and .att (the same three)
for r in app tool; do
	assert_eq "$(log_count_since "$m" PUT "^/v2/$r/manifests/sha256-[0-9a-f]+[.]sig\$")" 1 "$r: one .sig PUT"
	assert_eq "$(log_count_since "$m" PUT "^/v2/$r/manifests/sha256-[0-9a-f]+[.]att\$")" 1 "$r: one .att PUT"
	assert_eq "$(log_count_since "$m" GET "^/v2/$r/manifests/sha256-[0-9a-f]+[.](sig|att)\$")" 2 "$r: the tags read before writing"
done

# the signature, checked with openssl over the payload bytes read back with curl
sig_tag="sha256-${APP#sha256:}.sig"
curl -sf -H "Accept: application/vnd.oci.image.manifest.v1+json" \
	"$REGISTRY_URL/v2/app/manifests/$sig_tag" >"$TEST_TMP/sig.json"
assert_eq "$(jq -r '.layers | length' "$TEST_TMP/sig.json")" 1 "one signature layer"
assert_eq "$(jq -r '.layers[0].mediaType' "$TEST_TMP/sig.json")" application/vnd.dev.cosign.simplesigning.v1+json "layer media type"
curl -sf "$REGISTRY_URL/v2/app/blobs/$(jq -r '.layers[0].digest' "$TEST_TMP/sig.json")" >"$TEST_TMP/payload"
jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' "$TEST_TMP/sig.json" | base64 -d >"$TEST_TMP/sig.der"
assert_eq "$(openssl dgst -sha256 -verify "$keys/release.pub" -signature "$TEST_TMP/sig.der" "$TEST_TMP/payload")" "Verified OK" "openssl verifies the signature"
assert_eq "$(cat "$TEST_TMP/payload")" \
	"{\"critical\":{\"identity\":{\"docker-reference\":\"$REGISTRY/app\"},\"image\":{\"docker-manifest-digest\":\"$APP\"},\"type\":\"cosign container image signature\"},\"optional\":null}" \
	"payload bytes"
if openssl dgst -sha256 -verify "$keys/stranger.pub" -signature "$TEST_TMP/sig.der" "$TEST_TMP/payload" >/dev/null 2>&1; then
	fail "another key verifies the signature"
fi
sigtool() { python3 "$LIB_DIR/sigtool.py" "$@"; }
assert_eq "$(sigtool verify-sig "$REGISTRY_URL" app "$APP" "$keys/release.pub")" "ok 1" "independent check of app's .sig"
assert_eq "$(sigtool verify-sig "$REGISTRY_URL" tool "$TOOL" "$keys/tool.pub")" "ok 1" "independent check of tool's .sig"

# the publish record: DSSE/PAE and the statement checked in Python + openssl
sigtool verify-att "$REGISTRY_URL" app "$APP" "$keys/release.pub" >"$TEST_TMP/app.statement"
st_json=$(cat "$TEST_TMP/app.statement")
assert_eq "$(jq -r .predicateType <<<"$st_json")" https://manifold.dev/publish/v1 "predicate type"
assert_eq "$(jq -r '[.predicate.children[].digest] | join(" ")' <<<"$st_json")" \
	"${SEEDED[app/linux/amd64]} ${SEEDED[app/linux/arm64/v8]}" "record: children digests in list order"
assert_eq "$(jq -r '[.predicate.children[] | .platform + "=" + (.verified_platform // "-") + "@" + .source] | join(" ")' <<<"$st_json")" \
	"linux/amd64=linux/amd64@$REGISTRY/app-amd64:v1 linux/arm64/v8=linux/arm64/v8@$REGISTRY/app-arm64:v1" "record: platforms and sources"
assert_eq "$(jq -r '.predicate.children[0].signature' <<<"$st_json")" "not required" "record: signature verdict"
assert_eq "$(jq -r .predicate.config_digest <<<"$st_json")" "$(digest_of "$cfg")" "record: the config's digest"
sigtool verify-att "$REGISTRY_URL" tool "$TOOL" "$keys/tool.pub" >/dev/null

# manifold verify: the right key, then a stranger's
mf_expect 0 verify "$REGISTRY/app:v1" --key "$keys/release.pub"
assert_contains "$MF_OUT" "Signature: valid by $REL_ID" "verify: signature"
assert_contains "$MF_OUT" "Record:    valid by $REL_ID" "verify: record"
mf_expect 0 verify "$REGISTRY/app:latest" --key "$keys/stranger.pub" --key "$keys/release.pub" -o json
assert_eq "$(jq -r '[.verified, .signed_by, .statement.subject[0].name] | join(" ")' <<<"$MF_OUT")" "true $REL_ID $REGISTRY/app" "verify -o json, key rotation"
mf_expect 1 verify "$REGISTRY/app:v1" --key "$keys/stranger.pub"
assert_contains "$MF_ERR" "manifold verify: $REGISTRY/app:v1@$APP: signature by an unknown key; publish record by an unknown key" "verify names what failed"
mf_expect 2 verify "$REGISTRY/app:v1" --key "$TEST_TMP/nothing.pub"
assert_contains "$MF_ERR" "file $TEST_TMP/nothing.pub: cannot read" "verify: unreadable key"

# inspect shows them
mf_expect 0 inspect "$REGISTRY/app:v1" --signatures
assert_contains "$MF_OUT" "signature:   cosign simple signing of $APP" "inspect: the signature"
assert_contains "$MF_OUT" "attestation: https://manifold.dev/publish/v1, DSSE key $REL_ID" "inspect: the publish record"

# a promoted copy carries the signature and the record (retag copies cosign's tags)
mf_expect 0 retag "$REGISTRY/app:v1" "$REGISTRY/promoted/app:v1"
mf_expect 0 verify "$REGISTRY/promoted/app:v1" --key "$keys/release.pub"
assert_contains "$MF_OUT" "Signature: valid by $REL_ID" "promoted copy: signature"

# ---- night 2: nothing changed: not a request more ----------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(status_counts "$st")" '[0,2,0,0]' "night 2 counts"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "writes on an unchanged night"
assert_eq "$(log_count_since "$m" GET)" 0 "GETs on an unchanged night"
assert_eq "$(log_count_since "$m" HEAD)" $((2 * (${#PLATFORMS[@]} + 1) + 1)) "HEADs: (platforms + 1) per target, + app's extra tag"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" .signed_by)" "\"$REL_ID\"" "signed_by kept"

# ---- night 3: the record lost signed_by: the registry is asked, nothing written ------
jq 'del(.targets[].signed_by)' "$st" >"$st.new" && mv "$st.new" "$st"
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "a valid signature is not written again"
assert_eq "$(log_count_since "$m" GET)" 8 "per target: .sig, its payload, .att, its envelope"
assert_eq "$(status_target "$st" "$REGISTRY/tool:v1" .signed_by)" "\"$TOOL_ID\"" "signed_by back"

# ---- night 4: a rebuilt child: the new list is signed, the old signature stays ------
seed app-arm64:v1 --platform linux/arm64/v8 --seed sign-app-rebuilt >/dev/null
mf_expect 0 publish -c "$cfg" --status "$st"
APP2=$(skopeo_digest "$REGISTRY/app:v1")
[ "$APP2" != "$APP" ] || fail "app:v1 did not change"
assert_eq "$(sigtool verify-sig "$REGISTRY_URL" app "$APP2" "$keys/release.pub")" "ok 1" "the new list's signature"
assert_eq "$(sigtool verify-sig "$REGISTRY_URL" app "$APP" "$keys/release.pub")" "ok 1" "the old list's signature stays"

# ---- two images, two keys, one list in one repository: both layers stay ----------
seed_arches twin v1 "${PLATFORMS[@]}" --seed sign-twin
config_write "$TEST_TMP/twins.yaml" <<EOF
images:
  - {name: twin, tags: [v1], sign-key: keys/release.pem}
  - {name: twin2, tags: [v2], source: "{registry}/twin-{arch}:v1", target: "{registry}/twin:{tag}",
     sign-key: {env: SIGN_KEY_TOOL}}
EOF
mf_expect 0 publish -c "$TEST_TMP/twins.yaml" --status "$TEST_TMP/twins.json" -j 2
TWIN=$(skopeo_digest "$REGISTRY/twin:v1")
assert_eq "$(skopeo_digest "$REGISTRY/twin:v2")" "$TWIN" "the twins are one list"
assert_eq "$(sigtool verify-sig "$REGISTRY_URL" twin "$TWIN" "$keys/release.pub")" "ok 1" "twin: release key's layer"
assert_eq "$(sigtool verify-sig "$REGISTRY_URL" twin "$TWIN" "$keys/tool.pub")" "ok 1" "twin: tool key's layer"
assert_eq "$(curl -sf -H "Accept: application/vnd.oci.image.manifest.v1+json" "$REGISTRY_URL/v2/twin/manifests/sha256-${TWIN#sha256:}.sig" | jq '.layers | length')" 2 "twin: two layers"

# ---- a key that is not one -------------------------------------------------------
echo "not a key" >"$keys/bad.pem"
config_write "$TEST_TMP/bad.yaml" --default "sign-key: {file: keys/bad.pem}" <<EOF
images:
  - {name: app, tags: [v1]}
EOF
m=$(log_mark)
mf_expect 2 publish -c "$TEST_TMP/bad.yaml" --status "$TEST_TMP/bad.json"
assert_contains "$MF_ERR" "bad.yaml:6:13: sign-key: file $TEST_TMP/keys/bad.pem: not a PEM private key" "a bad key is a config error naming its place"
assert_eq "$(log_count_since "$m" '[A-Z]+')" 0 "nothing sent with a bad key"
printf -- '-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED COSIGN PRIVATE KEY-----\n' >"$keys/bad.pem"
mf_expect 2 publish -c "$TEST_TMP/bad.yaml" --status "$TEST_TMP/bad.json"
assert_contains "$MF_ERR" "cosign's encrypted key format is not supported" "cosign's encrypted keys: a clear error"
# a PEM that is a key but not P-256: refused, and its text is in no message
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$keys/bad.pem" 2>/dev/null
mf_expect 2 publish -c "$TEST_TMP/bad.yaml" --status "$TEST_TMP/bad.json" -v
assert_contains "$MF_ERR" "not an ECDSA P-256 key" "an RSA key is refused"
assert_no_secret "$TEST_TMP/bad.yaml" "$(grep -v -- ----- "$keys/bad.pem" | tr -d '\n' | cut -c1-40)"
