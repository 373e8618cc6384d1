#!/usr/bin/env bash
# test_delete_tag_pages.sh — delete's safety check reads the repository's
# whole tag list, page by page (Link: <...>; rel="next"): a tag on the last
# page that holds the same list stops the delete. A listing that cannot be
# completed — a Link back to a page already read, a Link to another host —
# is an error naming why, and nothing is deleted.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 linux/arm64 --seed pages
config_write "$TEST_TMP/release.yaml" --platforms "linux/amd64, linux/arm64" <<YAML
images:
  - {name: app, tags: [v1], extra-tags: [zz-last]}
YAML
mf_expect 0 publish -c "$TEST_TMP/release.yaml"
seed app:a-image --platform linux/amd64 --seed pages-other >/dev/null
list=$(skopeo_digest "$REGISTRY/app:v1")

# One tag a page: a-image, v1, zz-last (sorted); zz-last on page 3 holds the list too.
slowproxy_start --name pages --upstream "$REGISTRY" --tag-pages pages
mf_expect 1 delete "$PROXY_PAGES/app:v1"
assert_contains "$MF_ERR" "$PROXY_PAGES/app:v1 ($list) also backs tag zz-last" "the tag on the last page is found"
assert_eq "$(grep -c 'tags/list.* 200 page$' "$PROXY_PAGES_LOG")" 3 "every page read once"

slowproxy_start --name loop --upstream "$REGISTRY" --tag-pages loop
mf_expect 1 delete "$PROXY_LOOP/app:v1"
assert_eq "$MF_ERR" "manifold delete: $PROXY_LOOP/app:v1: not deleted: other tags may hold it: $PROXY_LOOP/app: GET tags: Link leads back to a page already read (http://$PROXY_LOOP/v2/app/tags/list?page=2); the listing cannot be completed" \
	"a Link loop is an error"
assert_eq "$(grep -c 'tags/list' "$PROXY_LOOP_LOG")" 3 "no page read twice (the first, page 1, page 2)"

slowproxy_start --name offhost --upstream "$REGISTRY" --tag-pages offhost
mf_expect 1 delete "$PROXY_OFFHOST/app:v1" --dry-run
assert_contains "$MF_ERR" "GET tags: next page http://elsewhere.invalid/v2/app/tags/list?page=2 is not on http://$PROXY_OFFHOST; not followed; the listing cannot be completed" \
	"an off-host Link is refused"

# Nothing was deleted by any of them.
assert_eq "$(skopeo_digest "$REGISTRY/app:v1")" "$list" "app:v1 still holds its list"
