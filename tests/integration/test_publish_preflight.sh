#!/usr/bin/env bash
# test_publish_preflight.sh — what can be known before the first request is
# checked before it: with --commit/--push a repository that is not there, a
# detached HEAD or a missing remote, and a target or extra-tag template that
# expands to no valid reference, each end in exit 2 with a message, no
# request in the registry's access log and no status file. `manifold status`
# on a file that is not there (or not a file) exits 2 naming it.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 linux/arm64 --seed preflight
export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP
cfg=$TEST_TMP/release.yaml
config_write "$cfg" --platforms "linux/amd64, linux/arm64" <<YAML
images:
  - {name: app, tags: [v1]}
YAML

# expect_refused WHY STATUS-FILE ARGS... — exit 2 with WHY in stderr, nothing sent or written.
expect_refused() {
	local why=$1 st=$2 m
	shift 2
	m=$(log_mark)
	mf_expect 2 publish -c "$cfg" --status "$st" "$@"
	assert_contains "$MF_ERR" "$why" "message for $*"
	assert_eq "$(log_count_since "$m" '.*')" 0 "requests sent for $*"
	[ ! -e "$st" ] || fail "$st written for $*"
}

# not a repository
mkdir -p "$TEST_TMP/plain"
expect_refused "--commit: status file $TEST_TMP/plain/status/release.json:" \
	"$TEST_TMP/plain/status/release.json" --commit
expect_refused "could not find repository" "$TEST_TMP/plain/status/release.json" --commit

# a detached HEAD
git init -q -b main "$TEST_TMP/repo"
git -C "$TEST_TMP/repo" -c user.name=Dev -c user.email=dev@x commit -q --allow-empty -m init
git -C "$TEST_TMP/repo" checkout -q --detach
expect_refused "HEAD is detached: --commit needs a branch" "$TEST_TMP/repo/status/release.json" --commit
git -C "$TEST_TMP/repo" checkout -q main

# --push to a remote the repository does not have (origin, then a named one)
expect_refused "--push: remote: remote 'origin' does not exist" "$TEST_TMP/repo/status/release.json" --push
expect_refused "remote 'upstream' does not exist" "$TEST_TMP/repo/status/release.json" --push=upstream

# an --author that does not parse
expect_refused "--author \"nobody\": want \"Name <email>\"" "$TEST_TMP/repo/status/release.json" \
	--commit --author nobody

# the same repository with everything in place: the run goes through
mf_expect 0 publish -c "$cfg" --status "$TEST_TMP/repo/status/release.json" --commit
assert_eq "$(git -C "$TEST_TMP/repo" log -1 --format=%s)" \
	"manifold: 1 published, 0 unchanged, 0 incomplete, 0 failed" "commit after preflight"

# a template that expands to no valid reference is a config error (plan.c)
config_write "$TEST_TMP/bad.yaml" --platforms "linux/amd64" <<YAML
images:
  - {name: app, tags: [v1], extra-tags: ["-latest"]}
YAML
m=$(log_mark)
mf_expect 2 publish -c "$TEST_TMP/bad.yaml" --status "$TEST_TMP/bad.json"
assert_eq "$MF_ERR" "manifold publish: $TEST_TMP/bad.yaml:7:42: images[0].extra-tags[0]: \"-latest\" is not a valid tag" \
	"the extra tag is named with its place"
assert_eq "$(log_count_since "$m" '.*')" 0 "no request for a bad extra tag"
[ ! -e "$TEST_TMP/bad.json" ] || fail "status written for a bad extra tag"
config_write "$TEST_TMP/badtarget.yaml" --platforms "linux/amd64" --target "{registry}/{name}/UPPER:{tag}" <<YAML
images:
  - {name: app, tags: [v1]}
YAML
mf_expect 2 check -c "$TEST_TMP/badtarget.yaml"
assert_contains "$MF_ERR" "$REGISTRY/app/UPPER:v1" "bad target named"
assert_eq "$(log_count_since "$m" '.*')" 0 "no request for a bad target"

# manifold status on a file that is not there, or not a file
mf_expect 2 status "$TEST_TMP/nope.json"
assert_eq "$MF_ERR" "manifold status: $TEST_TMP/nope.json: No such file or directory" "missing status file"
mf_expect 2 status "$TEST_TMP/plain"
assert_eq "$MF_ERR" "manifold status: $TEST_TMP/plain: not a regular file" "a directory"
