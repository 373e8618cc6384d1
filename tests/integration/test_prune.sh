#!/usr/bin/env bash
# test_prune.sh — `manifold prune -c CONFIG` on a real registry: the dry run
# (the default) deletes nothing (no DELETE in the access log) and says what
# it would delete; --confirm deletes exactly the per-arch tags whose
# targets' lists hold their digests (skopeo list-tags reads back what is
# left) and the lists stay whole; a source another target still needs, the
# sources of an unpublished target, a rebuilt source (and its target's
# other sources) and a digest another tag holds are kept, each with why;
# --only, the JSON report, a rerun, a registry with deletes disabled.
source "$(dirname "$0")/lib.sh"

registry_start
R=$REGISTRY
P=(linux/amd64 linux/arm64/v8)
seed_arches app v1 "${P[@]}" --seed pr-app
seed_arches base v1 "${P[@]}" --seed pr-base
seed_arches pending v1 linux/amd64 --seed pr-pending # arm64 never built: not published
seed_arches rebuilt v1 "${P[@]}" --seed pr-rebuilt
seed_arches twin v1 "${P[@]}" --seed pr-twin

# derived: arm64 is base's arm64 image (a shared source); its own amd64 is not built
# yet, so derived is not published and base-arm64 is still needed.
cfg=$TEST_TMP/release.yaml
config_write "$cfg" <<EOF
images:
  - {name: app, tags: [v1], extra-tags: [latest]}
  - {name: base, tags: [v1]}
  - name: derived
    tags: [v1]
    sources: {linux/arm64/v8: "{registry}/base-arm64:{tag}"}
  - {name: pending, tags: [v1]}
  - {name: rebuilt, tags: [v1]}
  - {name: twin, tags: [v1]}
EOF
mf_expect 3 publish -c "$cfg" --status "$TEST_TMP/status.json"
assert_eq "$(status_counts "$TEST_TMP/status.json")" '[4,0,2,0]' "four published, derived and pending incomplete"
d_app=$(skopeo_digest "$R/app:v1")
# rebuilt-amd64 is pushed again after its list was published.
seed_arches rebuilt v1 linux/amd64 --seed pr-rebuilt-again
# twin-arm64's image is also tagged "keep" in the same repository.
skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false --src-no-creds --dest-no-creds \
	"docker://$R/twin-arm64:v1" "docker://$R/twin-arm64:keep" >/dev/null

tags_of() {
	{ skopeo list-tags --tls-verify=false --no-creds "docker://$R/$1" 2>/dev/null || echo '{}'; } |
		jq -r '.Tags // [] | sort | join(" ")'
}
declare -A BEFORE
repos="app app-amd64 app-arm64 base-amd64 base-arm64 pending-amd64 rebuilt-amd64 rebuilt-arm64 twin-amd64 twin-arm64"
for repo in $repos; do BEFORE[$repo]=$(tags_of "$repo"); done
assert_eq "${BEFORE[twin-arm64]}" "keep v1" "twin-arm64 has two tags"

line() { grep -E "^$1 +$R/$2" <<<"$MF_OUT" || fail "no '$1' line for $2 in: $MF_OUT"; }

# ---- the dry run: what would go, nothing deleted ------------------------------------------
m=$(log_mark)
mf_expect 0 prune -c "$cfg"
assert_eq "$(log_count_since "$m" 'DELETE|PUT|POST|PATCH')" 0 "dry run: no DELETE, no write"
for repo in $repos; do assert_eq "$(tags_of "$repo")" "${BEFORE[$repo]}" "dry run: $repo's tags"; done
assert_eq "$(grep -c '^would-delete' <<<"$MF_OUT")" 4 "dry run: four would go"
for ref in app-amd64:v1 app-arm64:v1 base-amd64:v1 twin-amd64:v1; do line would-delete "$ref" >/dev/null; done
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "4 would be deleted, 7 kept (dry run: nothing deleted; --confirm deletes)" "dry run: summary"
assert_contains "$(line kept base-arm64:v1)" "still needed: $R/derived:v1: not published" "a source another target needs kept"
assert_contains "$(line kept derived-amd64:v1)" "not found: nothing to delete" "a source never built"
assert_contains "$(line kept pending-amd64:v1)" "still needed: $R/pending:v1: not published" "unpublished target's source kept"
assert_contains "$(line kept rebuilt-amd64:v1)" "$R/rebuilt-amd64:v1: holds ${SEEDED[rebuilt/linux/amd64]}, not the linux/amd64 child of $R/rebuilt:v1 (rebuilt since the list was published)" "rebuilt source kept"
assert_contains "$(line kept rebuilt-arm64:v1)" "still needed: $R/rebuilt-amd64:v1 holds" "the rebuilt target's other source kept"
assert_contains "$(line kept twin-arm64:v1)" "${SEEDED[twin/linux/arm64/v8]} also backs tag keep of $R/twin-arm64, which no target lets go" "a digest another tag holds"

# --only keeps the other targets' tags out of the report.
mf_expect 0 prune -c "$cfg" --only app
assert_eq "$(grep -c . <<<"$MF_OUT")" 3 "--only app: its two sources and the summary"
line would-delete app-amd64:v1 >/dev/null
line would-delete app-arm64:v1 >/dev/null

# ---- --confirm: exactly those four --------------------------------------------------------
m=$(log_mark)
mf_expect 0 prune -c "$cfg" --confirm -o json
assert_eq "$(jq -c '[.schema, .dry_run, ([.deleted[].ref] | sort)]' <<<"$MF_OUT")" \
	"[1,false,[\"$R/app-amd64:v1\",\"$R/app-arm64:v1\",\"$R/base-amd64:v1\",\"$R/twin-amd64:v1\"]]" "json: deleted"
assert_eq "$(jq -r --arg r "$R/pending-amd64:v1" '.kept[] | select(.ref == $r) | .reason' <<<"$MF_OUT")" \
	"still needed: $R/pending:v1: not published" "json: kept with reason"
assert_eq "$(jq -c '[(.kept | length), (.failed | length)]' <<<"$MF_OUT")" '[7,0]' "json: seven kept, none failed"
assert_eq "$(log_count_since "$m" DELETE)" 4 "one DELETE per deleted tag"
assert_eq "$(log_count_since "$m" DELETE "/v2/app-amd64/manifests/${SEEDED[app/linux/amd64]}")" 1 "DELETE by digest"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH')" 0 "no other write"
for repo in app-amd64 app-arm64 base-amd64 twin-amd64; do
	assert_eq "$(tags_of "$repo")" "" "$repo: its tag is gone"
done
for repo in app base-arm64 pending-amd64 rebuilt-amd64 rebuilt-arm64 twin-arm64; do
	assert_eq "$(tags_of "$repo")" "${BEFORE[$repo]}" "$repo: kept"
done
# The lists stay whole: their children live in the lists' own repositories.
assert_eq "$(skopeo_digest "$R/app:v1")" "$d_app" "app:v1 still holds its list"
for d in $(skopeo_inspect_raw "$R/app:v1" | jq -r '.manifests[].digest'); do
	assert_eq "$(skopeo_digest "$R/app@$d")" "$d" "app's child $d readable"
done
assert_eq "$(skopeo_digest "$R/app:latest")" "$d_app" "the extra tag too"

# ---- a rerun: nothing left to delete ----------------------------------------------------------
m=$(log_mark)
mf_expect 0 prune -c "$cfg" --confirm
assert_eq "$(log_count_since "$m" DELETE)" 0 "rerun: no DELETE"
assert_contains "$(line kept app-amd64:v1)" "not found: nothing to delete" "rerun: gone already"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "0 deleted, 11 kept, 0 failed" "rerun: summary"

# ---- usage -------------------------------------------------------------------------------------
mf_expect 2 prune
assert_eq "$MF_ERR" "manifold prune: -c CONFIG is required; see 'manifold prune --help'" "no config"
mf_expect 2 prune -c "$cfg" --only nosuchimage
mf_expect 2 prune -c "$cfg" --dry-run

# ---- a registry with deletes disabled ------------------------------------------------------------
registry_start --name nodel --no-delete
seed_arches "$REGISTRY_NODEL/solo" v1 "${P[@]}" --seed pr-solo
config_write "$TEST_TMP/nodel.yaml" --registry "$REGISTRY_NODEL" <<EOF
images:
  - {name: solo, tags: [v1]}
EOF
mf_expect 0 publish -c "$TEST_TMP/nodel.yaml"
mf_expect 1 prune -c "$TEST_TMP/nodel.yaml" --confirm
assert_contains "$MF_ERR" "the registry has deletes disabled (405 UNSUPPORTED)" "deletes disabled: said clearly"
assert_contains "$(grep -E "^failed +$REGISTRY_NODEL/solo-amd64:v1" <<<"$MF_OUT")" "deletes disabled (405); nothing was deleted" "deletes disabled: the item says so"
assert_eq "$(skopeo list-tags --tls-verify=false --no-creds "docker://$REGISTRY_NODEL/solo-amd64" | jq -r '.Tags | join(" ")')" "v1" "deletes disabled: the tag is still there"
