#!/usr/bin/env bash
# test_retag_adhoc.sh — `manifold retag SRC DST ...` and `--from-file PAIRS`:
# exact digests at the destination (skopeo), blobs mounted within one
# registry, a rerun that writes nothing, a failed pair that does not stop
# the others, the status file, --dry-run, JSON output and usage errors.
source "$(dirname "$0")/lib.sh"

registry_start
R=$REGISTRY
d_a=$(seed a-amd64:v1 --platform linux/amd64 --layers 2 --seed r1)
read -r d_idx d_img < <(seed idx:v1 --platform linux/arm64/v8 --index-with-attestation --seed r2)

# ---- two pairs on the command line ------------------------------------------
m=$(log_mark)
mf_expect 0 retag "$R/a-amd64:v1" "$R/a:v1-amd64" "$R/idx:v1" "$R/idx-copy:v1"
assert_eq "$MF_OUT" "copied     $R/a-amd64:v1 -> $R/a:v1-amd64 $d_a
copied     $R/idx:v1 -> $R/idx-copy:v1 $d_idx
2 copied, 0 unchanged, 0 failed" "text output"
assert_eq "$(skopeo_inspect "$R/a:v1-amd64" | jq -r .Digest)" "$d_a" "image digest kept"
assert_eq "$(skopeo_digest "$R/idx-copy:v1")" "$d_idx" "index digest kept"
assert_eq "$(skopeo_inspect_raw "$R/idx-copy@$d_img" | jq -r .mediaType)" application/vnd.oci.image.manifest.v1+json "index child copied by digest"
# Same registry: every blob is mounted (2 layers + config of a; layer +
# config of the image and the attestation's blobs), never uploaded.
assert_eq "$(log_count_since "$m" POST 'mount=.*from=a-amd64')" 3 "blobs of a mounted from a-amd64"
assert_eq "$(log_count_since "$m" PATCH)" 0 "no streamed upload within one registry"
assert_eq "$(log_count_since "$m" PUT '/blobs/')" 0 "no blob PUT within one registry"
assert_eq "$(log_count_since "$m" PUT '/manifests/v1-amd64$')" 1 "one manifest PUT for a"

# ---- a rerun writes nothing ----------------------------------------------------
m=$(log_mark)
mf_expect 0 retag "$R/a-amd64:v1" "$R/a:v1-amd64" "$R/idx:v1" "$R/idx-copy:v1"
assert_eq "$MF_OUT" "unchanged  $R/a-amd64:v1 -> $R/a:v1-amd64 $d_a
unchanged  $R/idx:v1 -> $R/idx-copy:v1 $d_idx
0 copied, 2 unchanged, 0 failed" "rerun output"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "rerun writes nothing"
assert_eq "$(log_count_since "$m" GET)" 0 "rerun is HEADs only"

# ---- --from-file, with a missing source, and a status file --------------------
cat >"$TEST_TMP/pairs.txt" <<EOF
# promotion list
$R/a-amd64:v1   $R/promoted/a:v1

$R/missing-amd64:v1 $R/promoted/missing:v1   # not built
$R/idx:v1 $R/promoted/idx:v1
EOF
export MANIFOLD_NOW=2026-01-02T03:04:05Z
mf_expect 1 retag --from-file "$TEST_TMP/pairs.txt" --status "$TEST_TMP/status.json"
assert_contains "$MF_OUT" "copied     $R/a-amd64:v1 -> $R/promoted/a:v1 $d_a" "pairs: first"
assert_contains "$MF_OUT" "failed     $R/missing-amd64:v1 -> $R/promoted/missing:v1: source: $R/missing-amd64:v1: HEAD manifest: 404" "pairs: failed line"
assert_contains "$MF_OUT" "copied     $R/idx:v1 -> $R/promoted/idx:v1 $d_idx" "pairs: a failure does not stop the others"
assert_contains "$MF_OUT" "2 copied, 0 unchanged, 1 failed" "pairs: summary"
assert_contains "$MF_ERR" "missing-amd64" "the failure is logged"
assert_eq "$(skopeo_inspect "$R/promoted/a:v1" | jq -r .Digest)" "$d_a" "pairs: digest"
st=$TEST_TMP/status.json
# status_copy FILE TO JQ-EXPR — jq over one copy record.
status_copy() { jq -e --arg t "$2" ".copies[] | select(.to == \$t) | $3" "$1"; }
status_copy "$st" "$R/promoted/a:v1" '.state == "copied" and .digest == "'"$d_a"'" and .from == "'"$R/a-amd64:v1"'" and (has("platform") | not)' >/dev/null ||
	fail "status: promoted/a copied with its digest and source"
status_copy "$st" "$R/promoted/missing:v1" '.state == "failed" and (.reason | test("404")) and (has("digest") | not)' >/dev/null ||
	fail "status: missing source"
assert_eq "$(jq -c .last_retag "$st")" \
	'{"started":"2026-01-02T03:04:05Z","finished":"2026-01-02T03:04:05Z","copied":2,"unchanged":0,"failed":1}' "status: last_retag"
assert_eq "$(jq -c '[.targets, .last_run.finished]' "$st")" '[[],null]' "status: no targets, no publish run"
assert_eq "$(jq -r '[.copies[].to] | join(" ")' "$st")" "$R/promoted/a:v1 $R/promoted/idx:v1 $R/promoted/missing:v1" "status: sorted"

# Rerun the next day: the copy records keep every byte.
export MANIFOLD_NOW=2026-01-03T03:04:05Z
before=$(jq -c .copies "$st")
mf_expect 1 retag --from-file "$TEST_TMP/pairs.txt" --status "$st"
assert_eq "$(jq -c .copies "$st")" "$before" "status: a rerun keeps the records"
status_copy "$st" "$R/promoted/a:v1" '.state == "copied" and .since == "2026-01-02T03:04:05Z"' >/dev/null ||
	fail "status: unchanged keeps state and since"
unset MANIFOLD_NOW

# ---- --dry-run and JSON ----------------------------------------------------------
d_a2=$(seed a-amd64:v1 --platform linux/amd64 --seed r3)
m=$(log_mark)
# No status file records a:v1-amd64 as manifold's: the tag is not moved.
mf_expect 3 retag "$R/a-amd64:v1" "$R/a:v1-amd64"
assert_eq "$MF_OUT" "refused    $R/a-amd64:v1 -> $R/a:v1-amd64: tag holds $d_a which manifold did not write (use --overwrite)
0 copied, 0 unchanged, 0 failed, 0 held, 1 refused" "refused without a record"
mf_expect 0 retag --overwrite --dry-run --output json "$R/a-amd64:v1" "$R/a:v1-amd64" "$R/idx:v1" "$R/idx-copy:v1"
assert_eq "$(jq -r '[.copies[].state] | join(",")' <<<"$MF_OUT")" would_copy,unchanged "dry run states"
assert_eq "$(jq -r '.copies[0].digest' <<<"$MF_OUT")" "$d_a2" "dry run: the new source digest"
assert_eq "$(jq -c .summary <<<"$MF_OUT")" '{"copied":0,"unchanged":1,"would_copy":1,"failed":0,"held":0,"refused":0}' "dry run summary"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "dry run writes nothing"
assert_eq "$(skopeo_inspect "$R/a:v1-amd64" | jq -r .Digest)" "$d_a" "dry run left the old digest"
mf_expect 0 retag --overwrite --output json "$R/a-amd64:v1" "$R/a:v1-amd64"
assert_eq "$(jq -r '.copies[0] | [.from, .to, .state, .digest, .media_type] | join(" ")' <<<"$MF_OUT")" \
	"$R/a-amd64:v1 $R/a:v1-amd64 copied $d_a2 application/vnd.docker.distribution.manifest.v2+json" "json copy record"
assert_eq "$(skopeo_inspect "$R/a:v1-amd64" | jq -r .Digest)" "$d_a2" "the tag moved"

# ---- usage errors: exit 2, nothing written ------------------------------------------
m=$(log_mark)
mf_expect 2 retag "$R/a-amd64:v1"
assert_eq "$MF_ERR" "manifold retag: \"$R/a-amd64:v1\" has no destination (SRC DST pairs)" "odd pair count"
mf_expect 2 retag "$R/a-amd64:v1" "$R/Bad:v1"
assert_contains "$MF_ERR" "manifold retag: " "bad reference"
mf_expect 2 retag -c "$TEST_TMP/none.yaml" "$R/a-amd64:v1" "$R/b:v1"
mf_expect 2 retag --from-file "$TEST_TMP/no-such-file"
mf_expect 2 retag
mf_expect 2 retag -j 0 "$R/a-amd64:v1" "$R/b:v1"
mf_expect 2 retag --bogus
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "usage errors write nothing"
mf_expect 0 retag --help
assert_contains "$MF_OUT" "usage: manifold retag -c CONFIG" "--help"
