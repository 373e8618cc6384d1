#!/usr/bin/env bash
# test_retag_no_overwrite_no_shrink.sh — what a retag (or promotion) may do
# to a destination tag that already holds something:
# - the same digest: unchanged, nothing written;
# - a digest manifold did not write (no copy record in the status file
#   says so): refused, exit 3, nothing written, unless --overwrite or the
#   rule's `overwrite: true`;
# - a digest manifold wrote: moved;
# - a list with a platform the source lacks: held, exit 3, nothing written,
#   unless --allow-shrink or the rule's `allow-shrink: true`;
# - a list held for shrinking under --overwrite stays someone else's
#   ("foreign": true): a later run without --overwrite refuses it.
source "$(dirname "$0")/lib.sh"

registry_start
R=$REGISTRY
st=$TEST_TMP/status.json
d_a=$(seed a-amd64:v1 --platform linux/amd64 --seed g3-a)
d_o=$(seed other:v1 --platform linux/amd64 --seed g3-other)

# ---- G3: someone else's tag is not moved ---------------------------------------------
m=$(log_mark)
mf_expect 3 retag --status "$st" "$R/a-amd64:v1" "$R/other:v1"
assert_eq "$MF_OUT" "refused    $R/a-amd64:v1 -> $R/other:v1: tag holds $d_o which manifold did not write (use --overwrite)
0 copied, 0 unchanged, 0 failed, 0 held, 1 refused" "refused: output"
assert_contains "$MF_ERR" "$R/other:v1 refused: tag holds $d_o" "refused: logged"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "refused: nothing written"
assert_eq "$(skopeo_digest "$R/other:v1")" "$d_o" "refused: the tag holds what it held"
# The record says refused and what the tag holds (what the registry
# serves), and it never makes that digest manifold's: the next run refuses too.
assert_eq "$(jq -c '[.copies[]? | select(.to == "'"$R/other:v1"'") | [.state, .digest]]' "$st")" \
	"[[\"refused\",\"$d_o\"]]" "refused: recorded with what the tag holds"
mf_expect 3 retag --status "$st" "$R/a-amd64:v1" "$R/other:v1"
assert_contains "$MF_OUT" "1 refused" "refused again: a refused record is not manifold's"
mf_expect 3 retag --status "$st" --dry-run -o json "$R/a-amd64:v1" "$R/other:v1"
assert_eq "$(jq -r '.copies[0] | [.state, .reason] | join(" ")' <<<"$MF_OUT")" \
	"refused tag holds $d_o which manifold did not write (use --overwrite)" "refused: dry run, json"
assert_eq "$(jq -c .summary <<<"$MF_OUT")" '{"copied":0,"unchanged":0,"would_copy":0,"failed":0,"held":0,"refused":1}' "refused: json summary"

# The same digest already there: unchanged, whoever wrote it.
tag_alias a-amd64 v1 same
mf_expect 0 retag --status "$st" "$R/a-amd64:v1" "$R/a-amd64:same"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "0 copied, 1 unchanged, 0 failed" "same digest: unchanged"

# --overwrite moves it, and the record says manifold wrote it.
mf_expect 0 retag --status "$st" --overwrite "$R/a-amd64:v1" "$R/other:v1"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "1 copied, 0 unchanged, 0 failed" "--overwrite: copied"
assert_eq "$(skopeo_digest "$R/other:v1")" "$d_a" "--overwrite: moved"
assert_eq "$(jq -r '.copies[] | select(.to == "'"$R/other:v1"'") | .digest' "$st")" "$d_a" "--overwrite: recorded"

# A tag manifold wrote moves with its source, no flag needed.
d_a2=$(seed a-amd64:v1 --platform linux/amd64 --seed g3-a2)
mf_expect 0 retag --status "$st" "$R/a-amd64:v1" "$R/other:v1"
assert_eq "$(skopeo_digest "$R/other:v1")" "$d_a2" "manifold's own tag: moved"

# Someone moves it behind manifold's back: refused again.
d_o2=$(seed other:v1 --platform linux/amd64 --seed g3-other2)
seed a-amd64:v1 --platform linux/amd64 --seed g3-a3 >/dev/null
mf_expect 3 retag --status "$st" "$R/a-amd64:v1" "$R/other:v1"
assert_contains "$MF_OUT" "refused    $R/a-amd64:v1 -> $R/other:v1: tag holds $d_o2 which manifold did not write (use --overwrite)" "moved by someone else: refused"
assert_eq "$(skopeo_digest "$R/other:v1")" "$d_o2" "moved by someone else: kept"

# A rule's overwrite: true.
d_b=$(seed b:v1 --platform linux/amd64 --seed g3-b)
config_write "$TEST_TMP/ow.yaml" --platforms linux/amd64 --status "$TEST_TMP/ow.json" <<EOF
images:
  - {name: a, tags: [v1]}
retag:
  - from: "{registry}/{name}-{arch}:{tag}"
    to: "{registry}/b:{tag}"
    overwrite: true
EOF
mf_expect 0 retag -c "$TEST_TMP/ow.yaml"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "1 copied, 0 unchanged, 0 failed" "rule overwrite: copied"
[ "$(skopeo_digest "$R/b:v1")" != "$d_b" ] || fail "rule overwrite: b:v1 not moved"

# ---- G1: a destination list keeps its platforms ------------------------------------------
seed_arches big v1 linux/amd64 linux/arm64 linux/s390x --seed g1
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64,linux/s390x --template "$R/big-ARCH:v1" --target "$R/lists:three"
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64 --template "$R/big-ARCH:v1" --target "$R/lists:two"
d3=$(skopeo_digest "$R/lists:three")
st1=$TEST_TMP/g1.json
mf_expect 0 retag --status "$st1" "$R/lists:three" "$R/promoted:v1" "$R/lists:three" "$R/promoted:v2"
m=$(log_mark)
mf_expect 3 retag --status "$st1" "$R/lists:two" "$R/promoted:v1" "$R/big-amd64:v1" "$R/promoted:v2"
assert_eq "$MF_OUT" "held       $R/lists:two -> $R/promoted:v1: would drop linux/s390x, which the tag's current list has (--allow-shrink lets it through)
held       $R/big-amd64:v1 -> $R/promoted:v2: would drop linux/arm64, linux/s390x, which the tag's current list has (--allow-shrink lets it through)
0 copied, 0 unchanged, 0 failed, 2 held, 0 refused" "held: output"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "held: nothing written"
assert_eq "$(skopeo_digest "$R/promoted:v1")" "$d3" "held: v1 keeps the 3-platform list"
assert_eq "$(skopeo_digest "$R/promoted:v2")" "$d3" "held: v2 keeps the 3-platform list"
# A failure elsewhere wins: exit 1.
mf_expect 1 retag --status "$st1" "$R/lists:two" "$R/promoted:v1" "$R/nosuch:v1" "$R/promoted:v9"
assert_eq "$(tail -n 1 <<<"$MF_OUT")" "0 copied, 0 unchanged, 1 failed, 1 held, 0 refused" "held and failed: summary"
# A list with every platform and more is no shrink.
mf_expect 0 retag --status "$st1" "$R/lists:two" "$R/grow:v1"
mf_expect 0 retag --status "$st1" "$R/lists:three" "$R/grow:v1"
assert_eq "$(skopeo_digest "$R/grow:v1")" "$d3" "growing: copied"
# One platform spelt two ways (linux/arm64 and linux/arm64/v8) is no shrink.
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64/v8 --template "$R/big-ARCH:v1" --target "$R/lists:twov8"
[ "$(skopeo_digest "$R/lists:twov8")" != "$(skopeo_digest "$R/lists:two")" ] || fail "the two spellings made one list"
mf_expect 0 retag --status "$st1" "$R/lists:two" "$R/spelt:v1"
mf_expect 0 retag --status "$st1" "$R/lists:twov8" "$R/spelt:v1"
assert_eq "$(skopeo_digest "$R/spelt:v1")" "$(skopeo_digest "$R/lists:twov8")" "arm64 spelt with v8: copied"
mf_expect 0 retag --status "$st1" --allow-shrink "$R/lists:two" "$R/promoted:v1"
assert_eq "$(skopeo_digest "$R/promoted:v1")" "$(skopeo_digest "$R/lists:two")" "--allow-shrink: copied"

# A rule's allow-shrink: true.
config_write "$TEST_TMP/shrink.yaml" --platforms linux/amd64 --status "$st1" <<EOF
images:
  - {name: big, tags: [v1]}
retag:
  - from: "{registry}/{name}-{arch}:{tag}"
    to: "{registry}/promoted:v2"
    allow-shrink: true
EOF
mf_expect 0 retag -c "$TEST_TMP/shrink.yaml"
assert_eq "$(skopeo_digest "$R/promoted:v2")" "$(skopeo_digest "$R/big-amd64:v1")" "rule allow-shrink: copied"

# ---- G3 after a hold under --overwrite: someone else's list stays theirs --------------------
# A list someone else put on the destination, held for shrinking under
# --overwrite: the record says "foreign": true, and a later run without
# --overwrite refuses it, --allow-shrink or not (a held record's digest is
# not manifold's).
st3=$TEST_TMP/status-foreign.json
mf_expect 0 push from-args --platforms linux/amd64,linux/arm64,linux/s390x --template "$R/big-ARCH:v1" --target "$R/theirs:v1"
d_t=$(skopeo_digest "$R/theirs:v1")
mf_expect 3 retag --status "$st3" --overwrite "$R/lists:two" "$R/theirs:v1"
assert_contains "$MF_OUT" "held       $R/lists:two -> $R/theirs:v1: would drop linux/s390x" "--overwrite: still held for shrinking"
assert_eq "$(jq -c '[.copies[] | select(.to == "'"$R/theirs:v1"'") | [.state, .digest, .foreign]]' "$st3")" \
	"[[\"held\",\"$d_t\",true]]" "held under --overwrite: recorded as someone else's"
mf_expect 3 retag --status "$st3" --allow-shrink "$R/lists:two" "$R/theirs:v1"
assert_contains "$MF_OUT" "refused    $R/lists:two -> $R/theirs:v1: tag holds $d_t which manifold did not write (use --overwrite)" \
	"a later run without --overwrite: refused"
assert_eq "$(skopeo_digest "$R/theirs:v1")" "$d_t" "someone else's list stays"
