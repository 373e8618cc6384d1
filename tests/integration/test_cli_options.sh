#!/usr/bin/env bash
# test_cli_options.sh — one option table for every command: --opt=value and
# --opt value everywhere (retag --jobs=8), `status -o json` prints JSON and
# writes no file named json, `status --output json`, the old `--format`
# alias, `--output-file F`, `push from-spec --output json`, repeatable and
# comma-list --only, global flags before the command, and usage errors that
# name the flag and the command (exit 2). Every -o json document starts with
# "schema": 1 and writes states and keys in snake_case.
source "$(dirname "$0")/lib.sh"

registry_start
for n in a b c; do
	for p in linux/amd64 linux/arm64/v8; do
		arch=$(cut -d/ -f2 <<<"$p")
		seed "$n-$arch:v1" --platform "$p" --seed "cli-$n-$p" >/dev/null
	done
done

cfg=$TEST_TMP/release.yaml
cat >"$cfg" <<EOF
defaults:
  registry: $REGISTRY
  platforms: [linux/amd64, linux/arm64/v8]
  source: "{registry}/{name}-{arch}:{tag}"
  target: "{registry}/{name}:{tag}"
images:
  - {name: a, tags: [v1]}
  - {name: b, tags: [v1]}
  - {name: c, tags: [v1]}
EOF
cd "$TEST_TMP"

# targets JSON — the target names of a check/publish -o json document, sorted.
targets() { jq -r '[.targets[].target | sub(".*/"; "")] | sort | join(",")' <<<"$1"; }

# ---- --only: repeatable, comma lists ---------------------------------------------
mf_expect 0 publish -c "$cfg" --dry-run -o json --only a --only b
assert_eq "$(targets "$MF_OUT")" "a:v1,b:v1" "--only a --only b selects a and b"
mf_expect 0 publish -c "$cfg" --dry-run -o json --only a,b
assert_eq "$(targets "$MF_OUT")" "a:v1,b:v1" "--only a,b selects a and b"
mf_expect 0 publish -c "$cfg" --dry-run -o json --only=c,a --only "$REGISTRY/b:v1"
assert_eq "$(targets "$MF_OUT")" "a:v1,b:v1,c:v1" "--only=c,a --only REF"
mf_expect 0 check -c "$cfg" -o json --only a --only c
assert_eq "$(targets "$MF_OUT")" "a:v1,c:v1" "check --only a --only c"
mf_expect 2 publish -c "$cfg" --dry-run --only a --only nope
assert_eq "$MF_ERR" "manifold publish: --only \"nope\": no image or target of that name" "an --only that matches nothing"
mf_expect 2 check -c "$cfg" --only ,
assert_eq "$MF_ERR" "manifold check: --only \",\": want NAME[,NAME...]" "an empty --only list"

# ---- JSON: schema first, snake_case ------------------------------------------------
mf_expect 0 publish -c "$cfg" --dry-run --output=json --only a
assert_eq "$(jq -r 'keys_unsorted[0]' <<<"$MF_OUT")" schema "publish json: schema is the first key"
assert_eq "$(jq -r .schema <<<"$MF_OUT")" 1 "publish json: schema 1"
assert_eq "$(jq -r '.targets[0].state' <<<"$MF_OUT")" would_publish "dry run state in snake_case"
mf_expect 0 check --config="$cfg" --output json --only b
assert_eq "$(jq -c '[keys_unsorted[0], .targets[0].state, .summary.ready]' <<<"$MF_OUT")" '["schema","ready",1]' "check json"

# ---- retag: --jobs=8, --jobs 8, -j8 ---------------------------------------------
mf_expect 0 publish -c "$cfg" --status "$TEST_TMP/status.json"
d_a=$(skopeo_inspect_raw "$REGISTRY/a:v1" | digest_of)
mf_expect 0 retag --jobs=8 -o json "$REGISTRY/a:v1" "$REGISTRY/a:copy1"
assert_eq "$(jq -r '[keys_unsorted[0], .copies[0].state, .copies[0].digest] | join(" ")' <<<"$MF_OUT")" \
	"schema copied $d_a" "retag --jobs=8 copies"
mf_expect 0 retag --jobs 8 --dry-run --output=json "$REGISTRY/a:v1" "$REGISTRY/a:copy2"
assert_eq "$(jq -r '.copies[0].state' <<<"$MF_OUT")" would_copy "retag --jobs 8 --dry-run: would_copy"
mf_expect 0 retag -j8 "$REGISTRY/a:v1" "$REGISTRY/a:copy1"
assert_contains "$MF_OUT" "unchanged  $REGISTRY/a:v1 -> $REGISTRY/a:copy1 $d_a" "retag -j8 text output"
mf_expect 2 retag -j abc "$REGISTRY/a:v1" "$REGISTRY/a:copy3"
assert_eq "$MF_ERR" "manifold retag: -j \"abc\": want a number 1..1024" "retag -j abc"
mf_expect 2 publish -c "$cfg" --jobs=0
assert_eq "$MF_ERR" "manifold publish: --jobs \"0\": want a number 1..1024" "publish --jobs=0"

# ---- status: -o / --output / --format / --output-file --------------------------------
st=$TEST_TMP/status.json
mkdir "$TEST_TMP/cwd" && cd "$TEST_TMP/cwd"
mf_expect 0 status "$st" -o json
assert_eq "$(jq -r 'keys_unsorted[0]' <<<"$MF_OUT")" schema "status -o json prints JSON"
assert_eq "$(jq -c .summary <<<"$MF_OUT")" '{"targets":3,"published":3,"unchanged":0,"incomplete":0,"failed":0}' "status -o json summary"
assert_eq "$(ls -A)" "" "status -o json writes no file"
status_json=$MF_OUT
mf_expect 0 status "$st" --output json
assert_eq "$MF_OUT" "$status_json" "status --output json"
mf_expect 0 status "$st" --output=json
assert_eq "$MF_OUT" "$status_json" "status --output=json"
mf_expect 0 status "$st" --format markdown
md=$MF_OUT
assert_contains "$md" "| \`$REGISTRY/a:v1\` | ✅" "status --format markdown still works"
mf_expect 0 status "$st" -o markdown
assert_eq "$MF_OUT" "$md" "-o markdown is --format markdown"
mf_expect 0 status "$st" -o html --output-file "$TEST_TMP/report.html"
assert_eq "$MF_OUT" "" "--output-file: nothing on stdout"
assert_contains "$(head -c 200 "$TEST_TMP/report.html")" "<!DOCTYPE html>" "--output-file wrote the HTML report"
assert_eq "$(ls -A)" "" "status --output-file writes only its file"
mf_expect 2 status "$st" -o report.md
assert_eq "$MF_ERR" "manifold status: -o \"report.md\": want table, json, markdown or html (a file is --output-file report.md)" "status -o FILE"
mf_expect 2 status "$st" --format pdf
assert_eq "$MF_ERR" "manifold status: --format \"pdf\": want table, json, markdown or html" "status --format pdf"
cd "$TEST_TMP"

# ---- push from-spec --output json, push from-args -o json --------------------------
cat >"$TEST_TMP/spec.yaml" <<EOF
image: $REGISTRY/spec:v1
manifests:
  - image: $REGISTRY/a-amd64:v1
    platform: {architecture: amd64, os: linux}
  - image: $REGISTRY/a-arm64:v1
    platform: {architecture: arm64, os: linux, variant: v8}
EOF
mf_expect 0 push from-spec "$TEST_TMP/spec.yaml" --output json
skopeo_inspect_raw "$REGISTRY/spec:v1" >"$TEST_TMP/spec.raw"
raw=$(cat "$TEST_TMP/spec.raw")
d_spec=$(digest_of "$TEST_TMP/spec.raw")
assert_eq "$(jq -c '[keys_unsorted[0], .digest, .media_type, .size, .changed]' <<<"$MF_OUT")" \
	"[\"schema\",\"$d_spec\",\"$(jq -r .mediaType <<<"$raw")\",$(wc -c <"$TEST_TMP/spec.raw"),true]" \
	"push from-spec --output json"
mf_expect 0 push from-args --platforms=linux/amd64,linux/arm64/v8 --template "$REGISTRY/b-ARCH:v1" \
	--target="$REGISTRY/args:v1" -o json --dry-run
assert_eq "$(jq -c '[.schema, .dry_run]' <<<"$MF_OUT")" '[1,true]' "push from-args -o json --dry-run"

# ---- inspect, annotate, delete -o json ----------------------------------------------
mf_expect 0 inspect --output=json "$REGISTRY/spec:v1"
assert_eq "$(jq -c '[keys_unsorted[0], .media_type, .manifests[0].media_type, has("mediaType")]' <<<"$MF_OUT")" \
	"[\"schema\",\"$(jq -r .mediaType <<<"$raw")\",\"$(jq -r '.manifests[0].mediaType' <<<"$raw")\",false]" "inspect json: media_type"
"$MANIFOLD" inspect --raw "$REGISTRY/spec:v1" >"$TEST_TMP/raw.out"
cmp -s "$TEST_TMP/raw.out" "$TEST_TMP/spec.raw" || fail "inspect --raw: not the registry's bytes"
mf_expect 0 annotate "$REGISTRY/spec:v1" --platform linux/arm64 --os-version=1 --dry-run -o json
assert_eq "$(jq -c '[.schema, .dry_run, (.digest | startswith("sha256:"))]' <<<"$MF_OUT")" '[1,true,true]' "annotate -o json"
mf_expect 0 delete "$REGISTRY/spec:v1" --dry-run -o json
assert_eq "$(jq -c '[.schema, .digest, .deleted, .dry_run]' <<<"$MF_OUT")" "[1,\"$d_spec\",false,true]" "delete -o json"

# ---- global flags before or after the command --------------------------------------
mf_expect 0 -v check -c "$cfg" --only a
assert_contains "$MF_ERR" "manifold: debug: " "-v before the command"
mf_expect 0 check -c "$cfg" --only a --log-format=json -v
assert_eq "$(jq -r 'select(.event != "progress") | .level' <<<"$MF_ERR" | head -1)" debug "--log-format=json after the command"
mf_expect 0 --log-format json publish -c "$cfg" --only a --status "$TEST_TMP/status-a.json"
assert_eq "$(jq -r 'select(.level == "info" and .event == null) | .msg' <<<"$MF_ERR" | tail -1)" \
	"status written to $TEST_TMP/status-a.json" "--log-format json before the command"

# ---- usage errors: name the flag and the command, exit 2 -----------------------------
mf_expect 2 publish -c "$cfg" --bogus-flag
assert_eq "$MF_ERR" "manifold publish: unknown option \"--bogus-flag\"; see 'manifold publish --help'" "unknown long option"
mf_expect 2 inspect -x "$REGISTRY/a:v1"
assert_eq "$MF_ERR" "manifold inspect: unknown option \"-x\"; see 'manifold inspect --help'" "unknown short option"
mf_expect 2 retag --shard 1/2 "$REGISTRY/a:v1" "$REGISTRY/a:x"
assert_eq "$MF_ERR" "manifold retag: unknown option \"--shard\"; see 'manifold retag --help'" "an option of another command"
mf_expect 2 check -c
assert_eq "$MF_ERR" "manifold check: -c needs a value (FILE)" "missing value"
mf_expect 2 status "$st" --output
assert_eq "$MF_ERR" "manifold status: --output needs a value (FORMAT)" "missing value (long)"
mf_expect 2 delete --insecure=yes "$REGISTRY/a:v1"
assert_eq "$MF_ERR" "manifold delete: --insecure takes no value" "a value on a flag"
mf_expect 2 check -c "$cfg" -o yaml
assert_eq "$MF_ERR" "manifold check: -o \"yaml\": want text or json" "bad -o"
mf_expect 2 check -c "$cfg" stray
assert_eq "$MF_ERR" "manifold check: unexpected argument \"stray\"; see 'manifold check --help'" "stray operand"
mf_expect 2 --bogus check
assert_eq "$MF_ERR" "manifold: unknown option \"--bogus\"; see 'manifold --help'" "unknown global option"
mf_expect 2 push from-spec "$TEST_TMP/spec.yaml" --target x
assert_eq "$MF_ERR" "manifold push from-spec: unknown option \"--target\"; see 'manifold push from-spec --help'" "from-args option on from-spec"
