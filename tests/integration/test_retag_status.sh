#!/usr/bin/env bash
# test_retag_status.sh — `manifold retag --status F` keeps its records apart
# from publish's: one copy record per destination in "copies" (sorted by
# `to`) with its own "last_retag"; publish's targets and last_run are kept
# byte for byte by a retag run, and a publish run keeps the copies byte for
# byte; a rerun that writes nothing keeps every copy record; a rebuilt
# source moves its record's since, a failed copy keeps its digest; a file
# from before (retag records as targets) keeps them as targets; `manifold
# status` shows the copies in a section of each report.
source "$(dirname "$0")/lib.sh"

registry_start
R=$REGISTRY
seed_arches app v1 linux/amd64 linux/arm64/v8 --seed rs-app
seed_arches tool v1 linux/amd64 linux/arm64/v8 --seed rs-tool

cfg=$TEST_TMP/release.yaml
st=$TEST_TMP/status/release.json
config_write "$cfg" --status "$st" <<EOF
images:
  - {name: app, tags: [v1]}
  - {name: tool, tags: [v1]}
retag:
  - from: "{registry}/{name}-{arch}:{tag}"
    to: "{registry}/{name}:{tag}-{arch}"
  - from: "{registry}/{name}:{tag}"
    to: "{registry}/promoted/{name}:{tag}"
    images: [app]
EOF

# copies_section FILE — the file's bytes from "last_retag" on.
copies_section() { sed -n '/^  "last_retag": {$/,$p' "$1"; }
# targets_section FILE — the file's bytes up to the end of "targets".
targets_section() {
	sed '/^  "last_retag": {$/,$d' "$1" | sed '$s/^  \],$/  ]/'
	if grep -q '^  "last_retag": {$' "$1"; then echo '}'; fi
}
status_copy() { jq -e --arg t "$2" ".copies[] | select(.to == \$t) | $3" "$1"; }

# ---- publish, then retag: the targets stay as publish wrote them --------------------
MANIFOLD_NOW=2026-03-01T01:00:00Z mf_expect 0 publish -c "$cfg"
cp "$st" "$TEST_TMP/after-publish.json"
d_app=$(skopeo_digest "$R/app:v1")

MANIFOLD_NOW=2026-03-01T02:00:00Z mf_expect 0 retag -c "$cfg"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "5 copied, 0 unchanged, 0 failed" "retag summary"
assert_eq "$(targets_section "$st")" "$(cat "$TEST_TMP/after-publish.json")" \
	"retag keeps schema, config, last_run and targets byte for byte"
assert_eq "$(jq -r '[.targets[].target] | join(" ")' "$st")" "$R/app:v1 $R/tool:v1" "no copy became a target"
assert_eq "$(jq -c .last_run "$st")" "$(jq -c .last_run "$TEST_TMP/after-publish.json")" "last_run is publish's"
assert_eq "$(jq -c .last_retag "$st")" \
	'{"started":"2026-03-01T02:00:00Z","finished":"2026-03-01T02:00:00Z","copied":5,"unchanged":0,"failed":0}' "last_retag"
assert_eq "$(jq -r '[.copies[].to] | join(" ")' "$st")" \
	"$R/app:v1-amd64 $R/app:v1-arm64 $R/promoted/app:v1 $R/tool:v1-amd64 $R/tool:v1-arm64" "copies sorted by to"
assert_eq "$(jq -c --arg t "$R/app:v1-arm64" '.copies[] | select(.to == $t)' "$st")" \
	"{\"from\":\"$R/app-arm64:v1\",\"to\":\"$R/app:v1-arm64\",\"platform\":\"linux/arm64/v8\",\"state\":\"copied\",\"digest\":\"${SEEDED[app/linux/arm64/v8]}\",\"media_type\":\"$MT_V2\",\"since\":\"2026-03-01T02:00:00Z\"}" \
	"one copy record, every field"
status_copy "$st" "$R/promoted/app:v1" '.digest == "'"$d_app"'" and .media_type == "'"$MT_LIST"'" and (has("platform") | not)' >/dev/null ||
	fail "the promoted list's record"
assert_eq "$(skopeo_digest "$R/promoted/app:v1")" "$d_app" "the promoted list reads back"
assert_eq "$(skopeo_digest "$R/tool:v1-amd64")" "${SEEDED[tool/linux/amd64]}" "a per-arch copy reads back"

# ---- a rerun writes nothing and keeps every copy record -------------------------------
copies_section "$st" >"$TEST_TMP/copies-1"
m=$(log_mark)
MANIFOLD_NOW=2026-03-02T02:00:00Z mf_expect 0 retag -c "$cfg"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "rerun: no writes"
diff <(sed -n '/^  "copies": \[$/,$p' "$TEST_TMP/copies-1") <(sed -n '/^  "copies": \[$/,$p' "$st") >/dev/null ||
	fail "rerun: the copy records are not byte for byte the same"
assert_eq "$(jq -c '.last_retag | [.finished, .copied, .unchanged]' "$st")" '["2026-03-02T02:00:00Z",0,5]' "rerun: last_retag"
assert_eq "$(targets_section "$st")" "$(cat "$TEST_TMP/after-publish.json")" "rerun: targets kept"

# ---- a publish run keeps the copies byte for byte ----------------------------------------
copies_section "$st" >"$TEST_TMP/copies-2"
MANIFOLD_NOW=2026-03-03T01:00:00Z mf_expect 0 publish -c "$cfg"
diff "$TEST_TMP/copies-2" <(copies_section "$st") >/dev/null || fail "publish changed the copies section"
assert_eq "$(jq -r .last_run.finished "$st")" "2026-03-03T01:00:00Z" "publish's own last_run moved"

# ---- a rebuilt source moves its record; a failed copy keeps its digest --------------------
seed_arches app v1 linux/amd64 --seed rs-app-rebuilt
MANIFOLD_NOW=2026-03-04T02:00:00Z mf_expect 0 retag -c "$cfg" --only "$R/app:v1-amd64"
status_copy "$st" "$R/app:v1-amd64" '.state == "copied" and .digest == "'"${SEEDED[app/linux/amd64]}"'" and .since == "2026-03-04T02:00:00Z"' >/dev/null ||
	fail "rebuilt source: new digest, since moved"
status_copy "$st" "$R/app:v1-arm64" '.since == "2026-03-01T02:00:00Z"' >/dev/null || fail "the other records are kept"
assert_eq "$(jq -c '.last_retag | [.copied, .unchanged, .failed]' "$st")" '[1,0,0]' "last_retag of the --only run"

old_tool=${SEEDED[tool/linux/arm64/v8]}
printf '%s %s\n' "$R/gone-arm64:v1" "$R/tool:v1-arm64" >"$TEST_TMP/pairs.txt"
MANIFOLD_NOW=2026-03-05T02:00:00Z mf_expect 1 retag --from-file "$TEST_TMP/pairs.txt" --status "$st"
status_copy "$st" "$R/tool:v1-arm64" '.state == "failed" and .digest == "'"$old_tool"'" and .from == "'"$R/gone-arm64:v1"'" and .since == "2026-03-05T02:00:00Z" and (.reason | test("404"))' >/dev/null ||
	fail "failed copy: the last digest kept, since moved, reason"
MANIFOLD_NOW=2026-03-06T02:00:00Z mf_expect 1 retag --from-file "$TEST_TMP/pairs.txt" --status "$st"
status_copy "$st" "$R/tool:v1-arm64" '.state == "failed" and .since == "2026-03-05T02:00:00Z"' >/dev/null ||
	fail "failing again keeps since"

# ---- manifold status: a section of its own in every report ---------------------------------
MANIFOLD_NOW=2026-03-06T03:00:00Z mf_expect 0 status "$st"
assert_contains "$MF_OUT" "COPY TO" "table: the copies section"
grep -qE "^$R/tool:v1-arm64 +failed +${old_tool:7:12}  2026-03-05T02:00:00Z  source: $R/gone-arm64:v1: HEAD manifest: 404" <<<"$MF_OUT" ||
	fail "table: a failed copy's line"
assert_contains "$MF_OUT" "5 copies; last retag 2026-03-06T02:00:00Z: 0 copied, 0 unchanged, 1 failed" "table: copies summary"
assert_contains "$MF_OUT" "2 targets: 2 published, 0 unchanged, 0 incomplete, 0 failed" "table: targets counted apart"
assert_contains "$(head -n 4 <<<"$MF_OUT")" "$R/app:v1" "table: targets first"
MANIFOLD_NOW=2026-03-06T03:00:00Z mf_expect 0 status "$st" -o markdown
assert_contains "$MF_OUT" "### Copies" "markdown: the copies section"
assert_contains "$MF_OUT" "| \`$R/tool:v1-arm64\` | ❌ failed |" "markdown: a failed copy"
MANIFOLD_NOW=2026-03-06T03:00:00Z mf_expect 0 status "$st" -o html
assert_contains "$MF_OUT" '<section id="copies"><h2>Copies</h2>' "html: the copies section"
assert_contains "$MF_OUT" "$R/promoted/app:v1" "html: a copy row"
MANIFOLD_NOW=2026-03-06T03:00:00Z mf_expect 0 status "$st" -o json
assert_eq "$(jq -c '[(.copies | length), .summary.targets, .last_retag.failed]' <<<"$MF_OUT")" '[5,2,1]' "json: copies and targets apart"

# ---- a file from before: retag records stored as targets stay targets -----------------------
old=$TEST_TMP/old.json
cat >"$old" <<EOF
{
  "schema": 1,
  "last_run": {
    "started": "2026-01-01T00:00:00Z",
    "finished": "2026-01-01T00:00:00Z",
    "published": 1,
    "unchanged": 0,
    "incomplete": 0,
    "failed": 0
  },
  "targets": [
    {
      "target": "$R/promoted/app:v1",
      "state": "published",
      "digest": "$d_app",
      "since": "2026-01-01T00:00:00Z",
      "platforms": [
        {
          "platform": "all",
          "source": "$R/app:v1",
          "state": "ready"
        }
      ]
    }
  ]
}
EOF
cp "$old" "$TEST_TMP/old-before.json"
MANIFOLD_NOW=2026-03-07T00:00:00Z mf_expect 0 retag "$R/app:v1" "$R/promoted/app:v1" --status "$old"
assert_eq "$(targets_section "$old")" "$(cat "$TEST_TMP/old-before.json")" "old records: targets kept byte for byte"
status_copy "$old" "$R/promoted/app:v1" '.state == "unchanged" and .since == "2026-03-07T00:00:00Z"' >/dev/null ||
	fail "old file: the copy recorded apart"
mf_expect 0 status "$TEST_TMP/old-before.json" -o json
assert_eq "$(jq -c '[(.copies // [] | length), .summary.targets]' <<<"$MF_OUT")" '[0,1]' "a file without copies reads as before"
