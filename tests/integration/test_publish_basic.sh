#!/usr/bin/env bash
# test_publish_basic.sh — the nightly job end to end on a local registry:
# three images × three platforms, one missing a platform. Ready targets become
# Docker manifest lists (entries in config order, children = the per-arch
# digests, children copied into the target repository, extra tags on the same
# digest); the incomplete target gets nothing written; exit 3; the status
# file records all of it. The next night, with the missing build pushed,
# completes it (exit 0) and leaves the others' records alone.
source "$(dirname "$0")/lib.sh"

PLATFORMS=(linux/s390x linux/amd64 linux/arm64/v8) # deliberately not sorted

registry_start
seed_arches kube-proxy v1.31.0 "${PLATFORMS[@]}" --layers 2 --seed basic-kube-proxy
seed_arches pause 3.10 "${PLATFORMS[@]}" --layers 2 --seed basic-pause
seed_arches coredns v1.11.3 linux/amd64 linux/arm64/v8 --layers 2 --seed basic-coredns # no linux/s390x yet

cfg=$TEST_TMP/release.yaml
config_write "$cfg" --platforms "linux/s390x, linux/amd64, linux/arm64/v8" <<EOF
images:
  - name: kube-proxy
    tags: [v1.31.0]
    extra-tags: [latest, v1.31]
  - name: pause
    tags: ["3.10"]
  - name: coredns
    tags: [v1.11.3]
EOF
st=$TEST_TMP/status/release.json
mkdir -p "$TEST_TMP/status"

m=$(log_mark)
MANIFOLD_NOW=2026-01-01T03:00:00Z mf_expect 3 publish -c "$cfg" --status "$st"

# ---- the published lists -------------------------------------------------------
check_list() { # check_list NAME TAG
	local name=$1 tag=$2 raw i p want_p
	raw=$(skopeo_inspect_raw "$REGISTRY/$name:$tag")
	assert_eq "$(jq -r .mediaType <<<"$raw")" "$MT_LIST" "$name:$tag media type"
	assert_eq "$(jq -r .schemaVersion <<<"$raw")" 2 "$name:$tag schemaVersion"
	assert_eq "$(jq -r '.manifests | length' <<<"$raw")" 3 "$name:$tag entries"
	for i in 0 1 2; do
		want_p=${PLATFORMS[$i]}
		p=$(jq -r ".manifests[$i].platform | [.os, .architecture, .variant // empty] | join(\"/\")" <<<"$raw")
		assert_eq "$p" "$want_p" "$name:$tag entry $i platform (config order)"
		assert_eq "$(jq -r ".manifests[$i].digest" <<<"$raw")" "${SEEDED[$name/$want_p]}" "$name:$tag entry $i digest"
		assert_eq "$(jq -r ".manifests[$i].mediaType" <<<"$raw")" "$MT_V2" "$name:$tag entry $i media type"
		# The child lives in the target repository, byte for byte.
		child=$(skopeo_inspect_raw "$REGISTRY/$name@${SEEDED[$name/$want_p]}")
		assert_eq "$(printf '%s' "$child" | digest_of)" "${SEEDED[$name/$want_p]}" "$name@child $i present in the target repo"
		assert_eq "$(jq -r ".manifests[$i].size" <<<"$raw")" "$(printf '%s' "$child" | wc -c | tr -d ' ')" "$name:$tag entry $i size"
	done
	# arm64/v8 is written with variant v8, as the config spells it.
	assert_eq "$(jq -r '.manifests[2].platform.variant' <<<"$raw")" v8 "$name:$tag arm64 variant"
	printf '%s' "$raw" | digest_of
}
kp=$(check_list kube-proxy v1.31.0)
pause=$(check_list pause 3.10)
for extra in latest v1.31; do
	assert_eq "$(skopeo_digest "$REGISTRY/kube-proxy:$extra")" "$kp" "extra tag $extra"
done
assert_absent "$REGISTRY/pause:latest" "extra-tags of kube-proxy leaked onto pause"

# ---- the incomplete target: nothing written ------------------------------------
assert_absent "$REGISTRY/coredns:v1.11.3" "incomplete coredns:v1.11.3 was published"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE' '^/v2/coredns/')" 0 "writes to the incomplete target's repo"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$REGISTRY_URL/v2/coredns/tags/list")" 404 "coredns repository does not exist"
assert_eq "$(log_count_since "$m" 'DELETE')" 0 "publish deletes nothing"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH' '^/v2/(kube-proxy|pause|coredns)-')" 0 "sources are never written"

# ---- the status file -------------------------------------------------------------
jq -e . "$st" >/dev/null || fail "status file is not JSON"
diff <(jq . "$st") "$st" >/dev/null || fail "status file is not 2-space indented JSON as jq prints it"
assert_eq "$(tail -c 1 "$st" | od -An -c | tr -d ' ')" '\n' "status file ends in a newline"
assert_eq "$(jq -c 'keys_unsorted' "$st")" '["schema","config","last_run","targets"]' "top-level key order"
assert_eq "$(jq -r .schema "$st")" 1 "schema"
assert_eq "$(status_counts "$st")" '[2,0,1,0]' "last_run counts"
assert_eq "$(jq -c '.last_run | keys_unsorted' "$st")" '["started","finished","published","unchanged","incomplete","failed","last_success"]' "last_run key order"
assert_eq "$(jq -r '[.targets[].target] | join(" ")' "$st")" \
	"$REGISTRY/coredns:v1.11.3 $REGISTRY/kube-proxy:v1.31.0 $REGISTRY/pause:3.10" "targets sorted by reference (extra tags are not targets)"
assert_eq "$(status_target "$st" "$REGISTRY/kube-proxy:v1.31.0" .state)" '"published"' "kube-proxy state"
assert_eq "$(status_target "$st" "$REGISTRY/kube-proxy:v1.31.0" .digest)" "\"$kp\"" "kube-proxy digest"
assert_eq "$(status_target "$st" "$REGISTRY/kube-proxy:v1.31.0" .media_type)" "\"$MT_LIST\"" "kube-proxy media_type"
assert_eq "$(status_target "$st" "$REGISTRY/kube-proxy:v1.31.0" .since)" '"2026-01-01T03:00:00Z"' "kube-proxy since (MANIFOLD_NOW)"
assert_eq "$(status_target "$st" "$REGISTRY/pause:3.10" .digest)" "\"$pause\"" "pause digest"
assert_eq "$(status_target "$st" "$REGISTRY/kube-proxy:v1.31.0" '[.platforms[].platform] | join(" ")')" \
	"\"${PLATFORMS[*]}\"" "platform records in config order"
for p in "${PLATFORMS[@]}"; do
	arch=$(arch_of "$p")
	rec=$(status_target "$st" "$REGISTRY/kube-proxy:v1.31.0" ".platforms[] | select(.platform == \"$p\")")
	assert_eq "$(jq -r .state <<<"$rec")" ready "kube-proxy $p state"
	assert_eq "$(jq -r .source <<<"$rec")" "$REGISTRY/kube-proxy-$arch:v1.31.0" "kube-proxy $p source"
	assert_eq "$(jq -r .digest <<<"$rec")" "${SEEDED[kube-proxy/$p]}" "kube-proxy $p digest"
done
assert_eq "$(status_target "$st" "$REGISTRY/coredns:v1.11.3" .state)" '"incomplete"' "coredns state"
reason=$(status_target "$st" "$REGISTRY/coredns:v1.11.3" .reason)
assert_contains "$reason" "linux/s390x" "coredns reason names the missing platform"
assert_eq "$(status_target "$st" "$REGISTRY/coredns:v1.11.3" '.platforms[0] | [.platform, .state, .source] | join(" ")')" \
	"\"linux/s390x missing $REGISTRY/coredns-s390x:v1.11.3\"" "coredns s390x record"
assert_eq "$(status_target "$st" "$REGISTRY/coredns:v1.11.3" '[.platforms[1:][].state] | join(" ")')" '"ready ready"' "coredns other platforms ready"
if status_target "$st" "$REGISTRY/coredns:v1.11.3" .digest >/dev/null 2>&1; then
	fail "an incomplete, never-published target has a digest"
fi

# ---- next night: the missing build arrived ----------------------------------------
seed_arches coredns v1.11.3 linux/s390x --layers 2 --seed basic-coredns
cp "$st" "$TEST_TMP/night1.json"
MANIFOLD_NOW=2026-01-02T03:00:00Z mf_expect 0 publish -c "$cfg" --status "$st"
core=$(check_list coredns v1.11.3)
assert_eq "$(status_target "$st" "$REGISTRY/coredns:v1.11.3" '[.state, .digest, .since] | join(" ")')" \
	"\"published $core 2026-01-02T03:00:00Z\"" "coredns published on night 2"
assert_eq "$(status_counts "$st")" '[1,2,0,0]' "night 2 counts"
for t in "kube-proxy:v1.31.0" "pause:3.10"; do
	assert_eq "$(status_target "$st" "$REGISTRY/$t" .)" "$(status_target "$TEST_TMP/night1.json" "$REGISTRY/$t" .)" \
		"$t record kept byte for byte (state published, since stays)"
done
assert_eq "$(skopeo_digest "$REGISTRY/kube-proxy:latest")" "$kp" "extra tag still on the same list"
