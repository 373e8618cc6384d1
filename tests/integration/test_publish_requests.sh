#!/usr/bin/env bash
# test_publish_requests.sh — the requests of a night, counted by method in
# the registry's access log. A first publish of a P-platform list whose
# children have B blobs each (config + layers) asks its tag first (1
# HEAD, 404), then reads each source once with the GET that a HEAD would
# precede (P child GETs), P config GETs, P·B mounts (no blob HEAD first),
# P child PUTs, 1 list PUT, one PUT per extra tag and one read-back HEAD
# per tag written: 23 for P = 4, B = 2; an extra tag adds a HEAD before
# (what it holds decides whether it may be written), its PUT and its
# read-back HEAD. An unchanged night costs P + 1 HEADs per target and
# nothing else; without a status file 1 + 2P (the tag, then each child
# and its config read again for the platform check). Referrers are copied (the default): a copied child adds
# one tag listing of its source repository (once a run), and the run asks
# the registry's referrers API once (test_publish_referrers.sh has what is
# found and copied): 27 for P = 4, B = 2; targets sharing source
# repositories (two tags of one image) share the listings: 23 + P/2
# requests a target.
source "$(dirname "$0")/lib.sh"

PLATFORMS=(linux/amd64 linux/arm64/v8 linux/ppc64le linux/s390x)
P=${#PLATFORMS[@]}
B=2 # the config and one layer

registry_start
for name in app web; do
	seed_arches "$name" v1 "${PLATFORMS[@]}" --layers $((B - 1))
done
for tag in v1 v2; do
	seed_arches many "$tag" "${PLATFORMS[@]}" --layers $((B - 1))
done
cfg=$TEST_TMP/night.yaml
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/ppc64le, linux/s390x" <<EOF
images:
  - {name: app, tags: [v1]}
  - {name: web, tags: [v1], extra-tags: [latest]}
  - {name: many, tags: [v1, v2]}
EOF
st=$TEST_TMP/status.json

# counts MARK — "HEAD GET PUT POST PATCH DELETE" since MARK, for PATH-ERE $2.
counts() {
	local m
	for m in HEAD GET PUT POST PATCH DELETE; do
		printf '%s=%s ' "$m" "$(log_count_since "$1" "$m" "${2:-}")"
	done
}

# ---- first publish ------------------------------------------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st" -j 4
assert_eq "$(status_counts "$st")" '[4,0,0,0]' "first publish counts"
log_lines_since "$m" >"$TEST_TMP/first.requests"
# app: 2 HEADs (the tag, its read-back), 12 GETs (child, config and the
# source repository's tag listing each), 8 mounts, 5 PUTs (4 children +
# the list); the referrers API once for the run (404 here).
assert_eq "$(log_count_since "$m" GET '^/v2/[^/]+/referrers/')" 1 "the referrers API asked once a run"
assert_eq "$(counts "$m" '^/v2/app(-[a-z0-9]+)?/(manifests|blobs|tags)/')" \
	"HEAD=2 GET=$((3 * P)) PUT=$((P + 1)) POST=$((P * B)) PATCH=0 DELETE=0 " \
	"first publish of app by method (see $TEST_TMP/first.requests)"
assert_eq "$(log_count_since "$m" '[A-Z]+' '^/v2/app(-[a-z0-9]+)?/(manifests|blobs|tags)/')" 27 "first publish of app: 27 requests"
assert_eq "$(log_count_since "$m" HEAD '^/v2/app-[a-z0-9]+/manifests/')" 0 "no source HEAD: each source is read once, by its GET"
assert_eq "$(log_count_since "$m" GET '^/v2/app-[a-z0-9]+/tags/list')" "$P" "one tag listing per source repository"
assert_eq "$(log_count_since "$m" POST '^/v2/app/blobs/uploads/[?]mount=sha256:[0-9a-f]+&from=app-')" \
	$((P * B)) "every blob of app is mounted from its source"
assert_eq "$(log_count_since "$m" HEAD '/blobs/')" 0 "no blob HEAD before a mount"
assert_eq "$(log_count_since "$m" HEAD '^/v2/app/manifests/v1$')" 2 "app:v1 is HEADed once, and read back once"
# web: the same, and for its extra tag a HEAD before, one PUT, and one
# read-back after.
assert_eq "$(counts "$m" '^/v2/web(-[a-z0-9]+)?/(manifests|blobs|tags)/')" \
	"HEAD=4 GET=$((3 * P)) PUT=$((P + 2)) POST=$((P * B)) PATCH=0 DELETE=0 " \
	"first publish of web (with an extra tag) by method"
assert_eq "$(log_count_since "$m" PUT '^/v2/web/manifests/latest$')" 1 "one PUT of web:latest"
# many: two targets, the same four source repositories, each listed once.
assert_eq "$(log_count_since "$m" GET '^/v2/many-[a-z0-9]+/tags/list')" "$P" "two targets of one image: one tag listing per source repository"
assert_eq "$(log_count_since "$m" '[A-Z]+' '^/v2/many(-[a-z0-9]+)?/(manifests|blobs|tags)/')" $((2 * 23 + P)) \
	"first publish of many:v1 and many:v2: 23 requests each and the listings once"
for name in app web; do
	raw=$(skopeo_inspect_raw "$REGISTRY/$name:v1")
	assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$raw")" \
		"${SEEDED[$name/linux/amd64]} ${SEEDED[$name/linux/arm64/v8]} ${SEEDED[$name/linux/ppc64le]} ${SEEDED[$name/linux/s390x]}" \
		"$name:v1 lists every child in config order"
done
assert_eq "$(skopeo_digest "$REGISTRY/web:latest")" "$(skopeo_digest "$REGISTRY/web:v1")" "web:latest holds web:v1's list"
for p in "${PLATFORMS[@]}"; do
	assert_eq "$(skopeo_inspect "$REGISTRY/app:v1" --override-arch "$(arch_of "$p")" | jq -r .Architecture)" \
		"$(arch_of "$p")" "app:v1 serves $p with its blobs"
done

# ---- an unchanged night, with the status file -------------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" --status "$st" -j 4
assert_eq "$(status_counts "$st")" '[0,4,0,0]' "unchanged night counts"
assert_eq "$(counts "$m" '^/v2/app(-[a-z0-9]+)?/')" "HEAD=5 GET=0 PUT=0 POST=0 PATCH=0 DELETE=0 " \
	"unchanged night: app costs P + 1 HEADs"
# web's extra tag is asked too, once the main tag matched.
assert_eq "$(counts "$m" '^/v2/web(-[a-z0-9]+)?/')" "HEAD=6 GET=0 PUT=0 POST=0 PATCH=0 DELETE=0 " \
	"unchanged night: web costs P + 1 HEADs and one for its extra tag"

# ---- an unchanged night without a status file -------------------------------------
m=$(log_mark)
mf_expect 0 publish -c "$cfg" -j 4
assert_contains "$MF_OUT" "0 published, 4 unchanged" "no status file: unchanged"
# The platform check has no cache, so every child and config is read
# again: the tag's HEAD, each child by the GET that stands for its HEAD,
# each config, and no write (1 + 2P).
assert_eq "$(counts "$m" '^/v2/app(-[a-z0-9]+)?/')" "HEAD=1 GET=8 PUT=0 POST=0 PATCH=0 DELETE=0 " \
	"unchanged night without a status file: app"
assert_eq "$(log_count_since "$m" HEAD '^/v2/app/manifests/v1$')" 1 "app:v1 is HEADed once without a status file"
