#!/usr/bin/env bash
# test_publish_no_overwrite.sh — a tag that holds what manifold did not
# write is left alone: an image someone pushed to the target tag (a config
# whose target is its own source is a config error), or a list other than the
# status file records, holds the target (exit 3, nothing written, the
# record says what the tag holds and "foreign": true) with the reason
# "tag holds sha256:… which manifold did not write (use --overwrite)".
# Without a status record a list is taken for an earlier publication; a
# new release whose extra tag someone else moved holds (the file records
# what manifold wrote).
# --overwrite and `overwrite: true` let the tag be replaced; an extra tag
# gets the same rule; a bad `overwrite:` value is a config error. A record
# says what the tag holds: no digest once the tag is gone.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 linux/arm64/v8
cfg=$TEST_TMP/release.yaml
st=$TEST_TMP/status.json
t="$REGISTRY/app:v1"
config_write "$cfg" <<EOF
images:
  - {name: app, tags: [v1]}
EOF

# ---- an image someone pushed to the tag ------------------------------------------------
img=$(seed app:v1 --platform linux/amd64 --seed someone-else)
why="tag holds $img which manifold did not write (use --overwrite)"
m=$(log_mark)
mf_expect 3 publish -c "$cfg" --status "$st" -o json
assert_eq "$(jq -c '.targets[0] | [.state, .digest, .reason, .writes]' <<<"$MF_OUT")" \
	"[\"held\",\"$img\",\"$why\",[]]" "json: held, the digest the tag holds, nothing written"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "held: nothing written"
assert_eq "$(log_count_since "$m" GET)" 0 "held from the HEADs: no child read"
assert_eq "$(status_target "$st" "$t" '[.state, .digest, .foreign, .reason] | tostring')" \
	"$(jq -n -c --arg d "$img" --arg r "$why" '["held", $d, true, $r] | tostring')" \
	"record: held, what the tag holds, foreign"
assert_eq "$(skopeo_digest "$t")" "$img" "the image stays"

# The next night: the record says foreign, so it still is.
mf_expect 3 publish -c "$cfg" --status "$st"
assert_contains "$MF_OUT" "$why" "night 2: the same reason"
assert_eq "$(skopeo_digest "$t")" "$img" "night 2: the image stays"

# --overwrite replaces it.
mf_expect 0 publish -c "$cfg" --status "$st" --overwrite
mine=$(skopeo_digest "$t")
assert_eq "$(skopeo_inspect_raw "$t" | jq -c '[.manifests[].platform.architecture]')" '["amd64","arm64"]' \
	"--overwrite: the list is written"
assert_eq "$(status_target "$st" "$t" '[.state, .digest, (.foreign // false)] | tostring')" \
	"$(jq -n -c --arg d "$mine" '["published", $d, false] | tostring')" "record: published, manifold's"

# ---- a list other than the recorded one ------------------------------------------------
# Another writer (here manifold with its own status file) puts a one-platform
# list on the tag; the status file records the two-platform one.
config_write "$cfg" --platforms "linux/amd64" <<EOF
images:
  - {name: app, tags: [v1]}
EOF
mf_expect 0 publish -c "$cfg" --status "$TEST_TMP/elsewhere.json" --allow-shrink
other=$(skopeo_digest "$t")
config_write "$cfg" <<EOF
images:
  - {name: app, tags: [v1]}
EOF
m=$(log_mark)
mf_expect 3 publish -c "$cfg" --status "$st"
assert_contains "$MF_OUT" "tag holds $other which manifold did not write (use --overwrite)" \
	"a list other than the recorded one: held"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "nothing written"
assert_eq "$(status_target "$st" "$t" '[.digest, .foreign] | tostring')" \
	"$(jq -n -c --arg d "$other" '[$d, true] | tostring')" "record: the list the tag holds, foreign"

# Without a status file that list is taken for an earlier publication (it
# loses nothing: written).
mf_expect 0 publish -c "$cfg"
assert_eq "$(skopeo_digest "$t")" "$mine" "stateless: the two-platform list is back"

# ---- overwrite: true in the config, per image -------------------------------------------
seed app:v1 --platform linux/amd64 --seed someone-else >/dev/null
config_write "$cfg" <<EOF
images:
  - {name: app, tags: [v1], overwrite: true}
EOF
mf_expect 0 publish -c "$cfg" --status "$st"
assert_eq "$(skopeo_digest "$t")" "$mine" "overwrite: true: the list replaces the image"

# ---- a target that is its own source ------------------------------------------------
seed self:v1 --platform linux/amd64 --seed self >/dev/null
config_write "$cfg" --platforms "linux/amd64" --source "{registry}/{name}:{tag}" <<EOF
images:
  - {name: self, tags: [v1]}
EOF
src=$(skopeo_digest "$REGISTRY/self:v1")
# Known before the first request: a config error (exit 2, nothing sent).
m=$(log_mark)
mf_expect 2 publish -c "$cfg" --status "$st"
assert_contains "$MF_ERR" "its own target: publishing would overwrite the per-arch image with the list" \
	"target = source: a config error"
assert_eq "$(log_count_since "$m" '[A-Z]+')" 0 "target = source: nothing sent"
assert_eq "$(skopeo_digest "$REGISTRY/self:v1")" "$src" "the source image stays"

# ---- an extra tag holding someone's image ------------------------------------------------
seed_arches web v1 linux/amd64 linux/arm64/v8
stable=$(seed web:stable --platform linux/amd64 --seed someone-else)
config_write "$cfg" <<EOF
images:
  - {name: web, tags: [v1], extra-tags: [latest, stable]}
EOF
mf_expect 3 publish -c "$cfg" --status "$st" -o json
web=$(skopeo_digest "$REGISTRY/web:v1")
assert_eq "$(jq -c '.targets[0] | [.state, .digest, .reason, .writes]' <<<"$MF_OUT")" \
	"$(jq -n -c --arg d "$web" --arg r "extra tag $REGISTRY/web:stable holds $stable which manifold did not write (use --overwrite)" \
		--arg a "$REGISTRY/web:v1" --arg b "$REGISTRY/web:latest" '["held", $d, $r, [$a, $b]]')" \
	"extra tag: held, the rest written"
assert_eq "$(skopeo_digest "$REGISTRY/web:stable")" "$stable" "stable keeps the image"
assert_eq "$(skopeo_digest "$REGISTRY/web:latest")" "$web" "latest got the list"
mf_expect 0 publish -c "$cfg" --status "$st" --overwrite -o json
assert_eq "$(jq -c '.targets[0] | [.state, .writes]' <<<"$MF_OUT")" \
	"[\"published\",[\"$REGISTRY/web:stable\"]]" "--overwrite: only stable written"

# ---- a bad value is a config error --------------------------------------------------------
config_write "$cfg" <<EOF
images:
  - {name: web, tags: [v1], overwrite: sometimes}
EOF
mf_expect 2 publish -c "$cfg" --status "$st"
assert_contains "$MF_ERR" "release.yaml:7:" "the error names the place"
assert_contains "$MF_ERR" "images[0].overwrite" "the error names the key"

# ---- the record says what the tag holds: nothing, once the tag is gone ---------------------
seed_arches rec v1 linux/amd64 linux/arm64/v8
printf 'images:\n  - {name: rec, tags: [v1]}\n' | config_write "$cfg"
mf_expect 0 publish -c "$cfg" --status "$st"
gone=$(skopeo_digest "$REGISTRY/rec:v1")
curl -s -o /dev/null -X DELETE "http://$REGISTRY/v2/rec/manifests/$gone"
printf 'images:\n  - {name: rec, tags: [v1]}\n' | config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8, linux/s390x"
mf_expect 3 publish -c "$cfg" --status "$st"
assert_eq "$(status_target "$st" "$REGISTRY/rec:v1" '[.state, .digest] | tostring')" '"[\"incomplete\",null]"' \
	"incomplete with its tag gone: no digest in the record"

# ---- a new release's extra tag someone else moved ------------------------------------------
# Once the status file records what manifold wrote, a list it does not name
# is someone else's at a new target's extra tag too: the new release holds
# instead of taking `stable` over (nor does --allow-shrink let it).
seed_arches rel v1 linux/amd64 linux/arm64/v8
seed_arches rel v2 linux/amd64 linux/arm64/v8
seed_arches rel stable linux/amd64
printf 'images:\n  - {name: rel, tags: [v1], extra-tags: [stable]}\n' | config_write "$cfg"
mf_expect 0 publish -c "$cfg" --status "$st"
printf 'images:\n  - {name: rel, tags: [stable]}\n' | config_write "$cfg" --platforms "linux/amd64"
mf_expect 0 publish -c "$cfg" --status "$TEST_TMP/elsewhere-rel.json" --allow-shrink
moved=$(skopeo_digest "$REGISTRY/rel:stable")
printf 'images:\n  - {name: rel, tags: [v2], extra-tags: [stable]}\n' | config_write "$cfg"
why="extra tag $REGISTRY/rel:stable holds $moved which manifold did not write (use --overwrite)"
for flag in "" --allow-shrink; do
	mf_expect 3 publish -c "$cfg" --status "$st" $flag
	assert_contains "$MF_OUT" "$why" "new release ${flag:-}: stable moved by someone else holds it"
	assert_eq "$(skopeo_digest "$REGISTRY/rel:stable")" "$moved" "new release ${flag:-}: stable stays"
	assert_eq "$(status_target "$st" "$REGISTRY/rel:v2" '[(.extra_tags // [])[] | select(.held) | .digest] | index("'"$moved"'") | tostring')" \
		'"null"' "new release ${flag:-}: the record does not make it manifold's"
done
