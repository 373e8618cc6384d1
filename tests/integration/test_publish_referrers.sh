#!/usr/bin/env bash
# test_publish_referrers.sh — the children's referrers travel with them, on
# a registry without the referrers API (distribution 2.8: 404 on
# /referrers/, so the tag fallbacks): a cosign signature (sha256-<hex>.sig)
# and a tag schema index (sha256-<hex>) with its artifact reach the target
# repository with identical bytes on the first publish; `referrers: skip`
# leaves them; an unchanged night makes no referrer request; a signature
# made after the first publish travels with --refresh-referrers only; retag
# to a second registry takes them along.
source "$(dirname "$0")/lib.sh"

PLATFORMS=(linux/amd64 linux/arm64/v8)
registry_start
R=$REGISTRY
seed_arches app v1 "${PLATFORMS[@]}"
seed_arches quiet v1 "${PLATFORMS[@]}"
amd=${SEEDED[app/linux/amd64]}
arm=${SEEDED[app/linux/arm64/v8]}
sig_amd=$(seed app-amd64:unused --signature-for "$amd" --seed sig-amd)
read -r idx_arm art_arm < <(seed app-arm64:unused --referrer-for "$arm" --seed sbom-arm)
seed quiet-amd64:unused --signature-for "${SEEDED[quiet/linux/amd64]}" --seed sig-quiet >/dev/null

tag_of() { echo "sha256-${1#sha256:}${2:-}"; }
# code REPO REFERENCE — HTTP status of a manifest HEAD.
code() {
	curl -s -o /dev/null -w '%{http_code}' -I -H "Accept: $MT_OCI, $MT_OCI_INDEX, $MT_V2" \
		"http://${3:-$R}/v2/$1/manifests/$2"
}

cfg=$TEST_TMP/release.yaml
st=$TEST_TMP/status.json
{
	images_yaml v1 app
	echo "  - {name: quiet, tags: [v1], referrers: skip}"
} | config_write "$cfg"

# ---- night 1: first publish --------------------------------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
log_lines_since "$m" >"$TEST_TMP/night1.requests"
assert_eq "$(status_counts "$st")" '[2,0,0,0]' "night 1 counts"
assert_eq "$(skopeo_digest "$R/app:$(tag_of "$amd" .sig)")" "$sig_amd" "app has the amd64 child's signature, same bytes"
assert_eq "$(skopeo_digest "$R/app:$(tag_of "$arm")")" "$idx_arm" "app has the arm64 child's referrers index, same bytes"
assert_eq "$(skopeo_digest "$R/app@$art_arm")" "$art_arm" "app holds the artifact the index lists"
assert_eq "$(skopeo_inspect_raw "$R/app@$art_arm" | jq -r .subject.digest)" "$arm" "the artifact's subject is the arm64 child"
assert_eq "$(code app "$(tag_of "$arm" .sig)")" 404 "no signature where the source had none"
# The referrers API once for the registry (its 404 says it has none, for
# the run), one tag listing per source repository, then a GET of each
# referrers tag the listing has (the tag schema's and cosign's); what is
# found is copied (HEAD, blobs, PUT).
assert_eq "$(log_count_since "$m" GET '^/v2/[^/]+/referrers/')" 1 "the referrers API asked once a run"
assert_eq "$(log_count_since "$m" GET '^/v2/app-(amd64|arm64)/tags/list')" 2 "one tag listing per source repository"
assert_eq "$(log_count_since "$m" GET '^/v2/app-(amd64|arm64)/manifests/sha256-')" 2 "only the referrers tags there are read"
for method in HEAD GET PUT POST; do
	echo "night 1 app: $method $(log_count_since "$m" "$method" '^/v2/app(-[a-z0-9]+)?/')" >&2
done
assert_eq "$(code quiet "$(tag_of "${SEEDED[quiet/linux/amd64]}" .sig)")" 404 "referrers: skip: no signature copied"
assert_eq "$(log_count_since "$m" GET '^/v2/quiet-[a-z0-9]+/(referrers/|manifests/sha256-|tags/list)')" 0 "referrers: skip: none looked up"

# ---- night 2: nothing changed ------------------------------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(status_counts "$st")" '[0,2,0,0]' "night 2 counts"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "no writes on an unchanged night"
assert_eq "$(log_count_since "$m" GET)" 0 "no GET on an unchanged night (no referrer lookups)"
assert_eq "$(log_count_since "$m" HEAD)" $((2 * (${#PLATFORMS[@]} + 1))) "(platforms + 1) HEADs per target"

# ---- a signature made after the first publish --------------------------------------
sig_arm=$(seed app-arm64:unused --signature-for "$arm" --seed sig-arm)
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(code app "$(tag_of "$arm" .sig)")" 404 "a plain night does not look for new signatures"
assert_eq "$(log_count_since "$m" GET)" 0 "a plain night: no GET"
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st" --refresh-referrers
assert_eq "$(status_counts "$st")" '[0,2,0,0]' "--refresh-referrers night counts"
assert_eq "$(skopeo_digest "$R/app:$(tag_of "$arm" .sig)")" "$sig_arm" "--refresh-referrers copies the new signature"
assert_eq "$(log_count_since "$m" GET '^/v2/quiet')" 0 "--refresh-referrers: referrers: skip still skips"
assert_eq "$(log_count_since "$m" PUT '^/v2/app/manifests/')" 1 "--refresh-referrers writes only the new signature"
for method in HEAD GET PUT POST; do
	echo "refresh night app: $method $(log_count_since "$m" "$method" '^/v2/app(-[a-z0-9]+)?/')" >&2
done

# ---- retag to a second registry ----------------------------------------------------
registry_start --name two
R2=$REGISTRY_TWO
m=$(log_mark "$REGISTRY_TWO_LOG")
mf_expect 0 retag "$R/app:v1" "$R2/promoted/app:v1"
assert_eq "$(skopeo_digest "$R2/promoted/app:v1")" "$(skopeo_digest "$R/app:v1")" "retag: list copied"
assert_eq "$(skopeo_digest "$R2/promoted/app:$(tag_of "$amd" .sig)")" "$sig_amd" "retag: amd64 signature, same bytes"
assert_eq "$(skopeo_digest "$R2/promoted/app:$(tag_of "$arm" .sig)")" "$sig_arm" "retag: arm64 signature, same bytes"
assert_eq "$(skopeo_digest "$R2/promoted/app:$(tag_of "$arm")")" "$idx_arm" "retag: referrers index, same bytes"
assert_eq "$(skopeo_digest "$R2/promoted/app@$art_arm")" "$art_arm" "retag: the artifact"
payload=$(skopeo_inspect_raw "$R2/promoted/app:$(tag_of "$amd" .sig)" | jq -r .layers[0].digest)
assert_eq "$(curl -s "http://$R2/v2/promoted/app/blobs/$payload" | jq -r '.critical.image["docker-manifest-digest"]')" \
	"$amd" "retag: the signature's payload blob came along"
m=$(log_mark "$REGISTRY_TWO_LOG")
mf_expect 0 retag "$R/app:v1" "$R2/promoted/app:v1"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "retag rerun writes nothing"
assert_eq "$(log_count_since "$m" GET)" 0 "retag rerun looks up no referrers"
