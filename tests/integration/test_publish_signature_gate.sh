#!/usr/bin/env bash
# test_publish_signature_gate.sh — with require-signature, a child goes in
# a list only when its source repository's cosign tag holds a signature of
# its exact digest by one of the listed public keys. The source children
# are signed here by sigtool.py (stdlib + openssl, no manifold code). A
# child with no signature, one signed by a stranger's key and one whose
# signature names another digest each fail their target with the
# platform, digest and reason, and nothing is written for it; `check
# --verify` says the same. Two keys (rotation) are both accepted. The
# verdict is cached by child digest in the status file: an unchanged night
# costs (platforms + 1) HEADs per passing target and nothing more.
source "$(dirname "$0")/lib.sh"

need openssl
PLATFORMS=(linux/amd64 linux/arm64/v8)
registry_start
for name in good nosig stranger otherdg rotated; do
	seed_arches "$name" v1 "${PLATFORMS[@]}" --seed "gate-$name"
done

keys=$TEST_TMP/keys
mkdir -p "$keys"
for k in trusted old stranger; do
	openssl ecparam -name prime256v1 -genkey -noout -out "$keys/$k.pem"
	openssl ec -in "$keys/$k.pem" -pubout -out "$keys/$k.pub" 2>/dev/null
done
key_id() { echo "sha256:$(openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1)"; }
TRUSTED=$(key_id "$keys/trusted.pub")
OLD=$(key_id "$keys/old.pub")
sigtool() { python3 "$LIB_DIR/sigtool.py" "$@" >/dev/null; }
child() { echo "${SEEDED[$1/$2]}"; }

# good: both children signed by the trusted key; the others' amd64 child too
for p in "${PLATFORMS[@]}"; do
	sigtool sign "$REGISTRY_URL" "good-$(arch_of "$p")" "$(child good "$p")" "$keys/trusted.pem"
done
for t in nosig stranger otherdg; do
	sigtool sign "$REGISTRY_URL" "$t-amd64" "$(child "$t" linux/amd64)" "$keys/trusted.pem"
done
# nosig: arm64 unsigned
# stranger: arm64 signed by a key nobody listed
sigtool sign "$REGISTRY_URL" stranger-arm64 "$(child stranger linux/arm64/v8)" "$keys/stranger.pem"
# otherdg: arm64's .sig holds a signature by the trusted key naming the amd64 child
sigtool sign "$REGISTRY_URL" otherdg-arm64 "$(child otherdg linux/arm64/v8)" "$keys/trusted.pem" --claim "$(child otherdg linux/amd64)"
# rotated: amd64 by the old key, arm64 by the new one
sigtool sign "$REGISTRY_URL" rotated-amd64 "$(child rotated linux/amd64)" "$keys/old.pem"
sigtool sign "$REGISTRY_URL" rotated-arm64 "$(child rotated linux/arm64/v8)" "$keys/trusted.pem"

cfg=$TEST_TMP/gate.yaml
# referrers: skip, so the .sig reads counted are the gate's alone
config_write "$cfg" --default "require-signature: [keys/trusted.pub]" --default "referrers: skip" <<EOF
images:
  - {name: good, tags: [v1]}
  - {name: nosig, tags: [v1]}
  - {name: stranger, tags: [v1]}
  - {name: otherdg, tags: [v1]}
  - {name: rotated, tags: [v1], require-signature: [{file: keys/old.pub}, keys/trusted.pub]}
EOF
st=$TEST_TMP/status.json

reason() {
	echo "signature gate: linux/arm64/v8 $(child "$1" linux/arm64/v8): $2"
}

# ---- check --verify says it before anything is written ----------------------------
mf_expect 1 check -c "$cfg" --verify -o json
for t in nosig stranger otherdg; do
	got=$(jq -r --arg t "$REGISTRY/$t:v1" '.targets[] | select(.target == $t) | .state + ": " + .reason' <<<"$MF_OUT")
	case $t in
	nosig) want="failed: $(reason nosig "no signature")" ;;
	stranger) want="failed: $(reason stranger "signature by an unknown key")" ;;
	otherdg) want="failed: $(reason otherdg "signature for another digest")" ;;
	esac
	assert_eq "$got" "$want" "check --verify: $t"
done
assert_eq "$(jq -r --arg t "$REGISTRY/good:v1" '.targets[] | select(.target == $t) | .state' <<<"$MF_OUT")" ready "check --verify: good is ready"

# ---- the night -------------------------------------------------------------------
m=$(log_mark)
mf_expect 1 publish -c "$cfg" --status "$st"
assert_eq "$(status_counts "$st")" '[2,0,0,3]' "two published, three failed"
assert_eq "$(status_target "$st" "$REGISTRY/nosig:v1" .reason)" "\"$(reason nosig "no signature")\"" "nosig: reason"
assert_eq "$(status_target "$st" "$REGISTRY/stranger:v1" .reason)" "\"$(reason stranger "signature by an unknown key")\"" "stranger: reason"
assert_eq "$(status_target "$st" "$REGISTRY/otherdg:v1" .reason)" "\"$(reason otherdg "signature for another digest")\"" "otherdg: reason"
for t in nosig stranger otherdg; do
	assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE' "^/v2/$t/")" 0 "nothing written for $t"
	assert_absent "$REGISTRY/$t:v1" "$t:v1 was published"
done
assert_eq "$(list_verify good v1 "${PLATFORMS[@]}")" ok "good:v1 published"
assert_eq "$(list_verify rotated v1 "${PLATFORMS[@]}")" ok "rotated:v1 published (two keys)"
assert_eq "$(status_target "$st" "$REGISTRY/good:v1" '[.platforms[].signed_by] | join(" ")')" "\"$TRUSTED $TRUSTED\"" "good: verdicts cached"
assert_eq "$(status_target "$st" "$REGISTRY/rotated:v1" '[.platforms[].signed_by] | join(" ")')" "\"$OLD $TRUSTED\"" "rotated: each child's key"
# the gate's reads: one .sig GET per child, and its payload when there is one
assert_eq "$(log_count_since "$m" GET '^/v2/good-(amd64|arm64)/manifests/sha256-[0-9a-f]+[.]sig$')" 2 "good: one .sig GET per child"

# ---- an unchanged night: the cached verdicts cost nothing -----------------------
m=$(log_mark)
mf_expect 1 publish -c "$cfg" --status "$st"
assert_eq "$(status_counts "$st")" '[0,2,0,3]' "night 2 counts"
for t in good rotated; do
	assert_eq "$(log_count_since "$m" '[A-Z]+' "^/v2/$t(-amd64|-arm64)?/")" $((${#PLATFORMS[@]} + 1)) "$t: (platforms + 1) HEADs, nothing more"
done
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "no writes on night 2"
# a failing target asks again (its verdict is not cached): one .sig GET for the bad child
assert_eq "$(log_count_since "$m" GET '^/v2/nosig-arm64/manifests/sha256-[0-9a-f]+[.]sig$')" 1 "nosig: asked again"

# ---- the missing signature arrives: the next night publishes -------------------
sigtool sign "$REGISTRY_URL" nosig-arm64 "$(child nosig linux/arm64/v8)" "$keys/trusted.pem"
mf_expect 1 publish -c "$cfg" --status "$st"
assert_eq "$(list_verify nosig v1 "${PLATFORMS[@]}")" ok "nosig:v1 published once signed"
assert_eq "$(status_target "$st" "$REGISTRY/nosig:v1" .state)" '"published"' "nosig: published"
