#!/usr/bin/env bash
# test_json_keys_snake_case.sh — every key of every JSON document manifold
# writes is snake_case: the -o json of check (also --verify), publish,
# status (also --check and --history), inspect, retag, push, append,
# annotate, delete, prune and publish --estimate; each --log-format json
# stderr line that is JSON; the status file. A night with a published, an
# unchanged, an incomplete and a wrong-platform target, so that every
# optional key appears. Checked: every key, and every `state` value (the
# status file's "wrong_platform"); a file in the old spelling
# "wrong-platform" is still read.
source "$(dirname "$0")/lib.sh"
need_manifold

registry_start
for arch in amd64 arm64; do
	seed "good-$arch:v1" "lonely-$arch:v1" --platform "linux/$arch" --seed "keys-$arch" >/dev/null
done
seed wrong-amd64:v1 wrong-arm64:v1 --platform linux/amd64 --seed keys-wrong >/dev/null
seed extra-amd64:v2 --platform linux/amd64 --seed keys-extra >/dev/null
seed half-amd64:v1 --platform linux/amd64 --seed keys-half >/dev/null
cat >"$TEST_TMP/keys.yaml" <<EOF
defaults:
  registry: $REGISTRY
  platforms: [linux/amd64, linux/arm64]
  source: "{registry}/{name}-{arch}:{tag}"
  target: "{registry}/{name}:{tag}"
images:
  - name: good
    tags: [v1]
    extra-tags: [latest]
  - name: half
    tags: [v1]
  - name: wrong
    tags: [v1]
EOF
git init -q -b main "$TEST_TMP/repo"
mkdir -p "$TEST_TMP/repo/status"
cd "$TEST_TMP/repo"
docs=$TEST_TMP/docs
mkdir -p "$docs"
n=0
# run NAME ARGS... — manifold with JSON logs; keeps stdout and stderr.
run() {
	local name=$1
	shift
	mf --log-format json "$@"
	printf '%s\n' "$MF_OUT" >"$docs/$name.out"
	printf '%s\n' "$MF_ERR" >"$docs/$name.err"
	n=$((n + 1))
}
run check check -c ../keys.yaml -o json
run check_verify check -c ../keys.yaml --verify -o json
run publish publish -c ../keys.yaml --status status/s.json --commit --author "k <k@example.com>" -o json
run publish_again publish -c ../keys.yaml --status status/s.json -o json -v
cp status/s.json "$docs/status_file.out"
run status status status/s.json -o json
run status_check status status/s.json --check -o json
run status_history status status/s.json --history -o json
run inspect inspect "$REGISTRY/good:v1" -o json
run inspect_child inspect "$REGISTRY/good:v1" --platform linux/arm64 -o json
run retag retag "$REGISTRY/good:v1" "$REGISTRY/good:v1-copy" -o json
run retag_dry retag --dry-run "$REGISTRY/good:v1" "$REGISTRY/good:v1-dry" -o json
run push push from-args --platforms linux/amd64,linux/arm64 --template "$REGISTRY/good-{arch}:v1" \
	--target "$REGISTRY/pushed:v1" -o json
run append append "$REGISTRY/pushed:v1" "$REGISTRY/extra-amd64:v2" --platform linux/amd64 -o json
run annotate annotate "$REGISTRY/pushed:v1" --platform linux/amd64 --os-version 10.0 -o json
run delete delete "$REGISTRY/pushed:v1" --dry-run -o json
run prune prune -c ../keys.yaml -o json
run estimate publish -c ../keys.yaml --estimate -o json
assert_eq "$n" 17 "commands run"

cat >"$TEST_TMP/keys.py" <<'EOF'
import glob, json, os, re, sys
snake = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
docs = keys = 0
bad = set()
def walk(o, path):
    global keys
    if isinstance(o, dict):
        for k, v in o.items():
            keys += 1
            # annotation keys are written as the registry has them
            if not snake.match(k) and not path.endswith("annotations"):
                bad.add("%s: %s%s" % (name, path + "." if path else "", k))
            if k == "state" and isinstance(v, str) and not snake.match(v):
                bad.add("%s: %s%s = %s" % (name, path + "." if path else "", k, v))
            walk(v, k)
    elif isinstance(o, list):
        for x in o:
            walk(x, path)
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*"))):
    name = os.path.basename(f)
    text = open(f).read()
    try:
        parsed = [json.loads(text)]
    except ValueError:
        parsed = []
        for line in text.splitlines():
            try:
                parsed.append(json.loads(line))
            except ValueError:
                pass
    parsed = [d for d in parsed if isinstance(d, dict)]
    if name.endswith(".out") and not parsed:
        print("no JSON document: " + name)
    for d in parsed:
        docs += 1
        walk(d, "")
print("documents %d" % docs)
for b in sorted(bad):
    print("not snake_case: " + b)
EOF
python3 "$TEST_TMP/keys.py" "$docs" >"$TEST_TMP/keys.txt"
cat "$TEST_TMP/keys.txt" >&2
assert_eq "$(grep -c '^not snake_case' "$TEST_TMP/keys.txt" || true)" 0 "keys that are not snake_case"
# Every command printed its document (and the status file is one).
assert_eq "$(grep '^no JSON document' "$TEST_TMP/keys.txt" || true)" "" "a document from every command"
# The checker itself: keys with a hyphen or a capital are reported, an
# annotation's key is not.
mkdir -p "$TEST_TMP/self"
printf '{"schema":1,"wrong-key":{"ok_key":1,"Upper":2},"annotations":{"org.opencontainers.image.version":"1"}}\n' \
	>"$TEST_TMP/self/selfcheck.out"
assert_eq "$(python3 "$TEST_TMP/keys.py" "$TEST_TMP/self" | grep '^not snake_case')" \
	"not snake_case: selfcheck.out: wrong-key
not snake_case: selfcheck.out: wrong-key.Upper" "the checker reports what it should"

# The old spelling of a platform state is still read (a file written before).
sed 's/"wrong_platform"/"wrong-platform"/g' status/s.json >"$TEST_TMP/old.json"
assert_eq "$(grep -c '"wrong-platform"' "$TEST_TMP/old.json")" 1 "the old file spells it the old way"
mf_expect 0 status "$TEST_TMP/old.json" -o json
assert_eq "$(jq -r '[.targets[].platforms[]?.state] | map(select(test("wrong"))) | unique | join(",")' <<<"$MF_OUT")" \
	wrong_platform "an old file's wrong-platform is read as wrong_platform"
