#!/usr/bin/env bash
# test_config_errors.sh — a bad config or command line: exit 2, a message
# naming file:line:column and the key, no request to the registry, no status
# file.
source "$(dirname "$0")/lib.sh"

registry_start
seed_arches app v1 linux/amd64 linux/arm64/v8
cd "$TEST_TMP"
R=$REGISTRY

# expect_config_error FILE NEEDLE... — publish FILE: exit 2, stderr holds every NEEDLE.
expect_config_error() {
	local file=$1 needle m
	shift
	m=$(log_mark)
	mf_expect 2 publish -c "$file" --status "$TEST_TMP/status.json"
	for needle in "$@"; do
		assert_contains "$MF_ERR" "$needle" "$file: error message"
	done
	assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "$file: writes on a config error"
	assert_eq "$(log_count_since "$m" '[A-Z]+')" 0 "$file: requests on a config error"
	[ ! -e "$TEST_TMP/status.json" ] || fail "$file: status file written on a config error"
}

cat >unknown-key.yaml <<EOF
defaults:
  registry: $R
  platforms: [linux/amd64, linux/arm64/v8]
imagez:
  - {name: app, tags: [v1]}
EOF
expect_config_error unknown-key.yaml "unknown-key.yaml:4:1:" imagez

cat >bad-platform.yaml <<EOF
defaults:
  registry: $R
images:
  - name: app
    tags: [v1]
    platforms:
      - linux/amd64
      - linux/arm64/v9
EOF
expect_config_error bad-platform.yaml "bad-platform.yaml:8:9:" "images[0].platforms[1]" "linux/arm64/v9"

cat >wrong-type.yaml <<EOF
defaults:
  registry: $R
  platforms: [linux/amd64]
  verify-platform: sometimes
images:
  - {name: app, tags: [v1]}
EOF
expect_config_error wrong-type.yaml "wrong-type.yaml:4:" verify-platform

cat >nested-unknown.yaml <<EOF
defaults:
  registry: $R
  platforms: [linux/amd64]
images:
  - name: app
    tags: [v1]
  - name: other
    tags: [v1]
    extra_tags: [latest]
EOF
expect_config_error nested-unknown.yaml "nested-unknown.yaml:9:5:" extra_tags

cat >duplicate.yaml <<EOF
defaults:
  registry: $R
  platforms: [linux/amd64]
images:
  - {name: app, tags: [v1]}
  - {name: app, tags: [v2]}
EOF
expect_config_error duplicate.yaml "duplicate.yaml:6:" app

cat >bad-template.yaml <<EOF
defaults:
  registry: $R
  platforms: [linux/amd64]
  source: "{registry}/{nam}-{arch}:{tag}"
images:
  - {name: app, tags: [v1]}
EOF
expect_config_error bad-template.yaml "bad-template.yaml:4:" "{nam}"

cat >syntax.yaml <<EOF
defaults:
  registry: $R
images:
  - name: app
    tags: [v1
EOF
expect_config_error syntax.yaml "syntax.yaml:"

cat >no-images.yaml <<EOF
defaults:
  registry: $R
  platforms: [linux/amd64]
EOF
expect_config_error no-images.yaml "no-images.yaml:" images

expect_config_error does-not-exist.yaml does-not-exist.yaml

# A source that is its own target: the first night would overwrite the
# per-arch image with the list. Every platform's source, and a per-platform
# override, after template expansion.
cat >self-source.yaml <<EOF
defaults:
  registry: $R
  platforms: [linux/amd64, linux/arm64/v8]
images:
  - name: app
    tags: [v1]
    source: "{registry}/{name}:{tag}"
EOF
expect_config_error self-source.yaml \
	"self-source.yaml:7:13: images[0].source: the linux/amd64 source of image \"app\" is \"$R/app:v1\", its own target: publishing would overwrite the per-arch image with the list"
cat >self-sources.yaml <<EOF
defaults:
  registry: $R
  platforms: [linux/amd64, linux/arm64/v8]
  sources: {linux/arm64/v8: "{registry}/app:v1"}
images:
  - {name: app, tags: [v1]}
EOF
expect_config_error self-sources.yaml \
	"self-sources.yaml:4:29: defaults.sources.\"linux/arm64/v8\": the linux/arm64/v8 source of image \"app\" is \"$R/app:v1\""
# A retag rule copying a tag onto itself.
cat >self-retag.yaml <<EOF
defaults:
  registry: $R
  platforms: [linux/amd64]
images:
  - {name: app, tags: [v1]}
retag:
  - from: "{registry}/{name}-{arch}:{tag}"
    to: "$R/app-amd64:{tag}"
EOF
m=$(log_mark)
mf_expect 2 retag -c self-retag.yaml
assert_eq "$MF_ERR" "manifold retag: self-retag.yaml:8:9: retag[0].to: expands to \"$R/app-amd64:v1\" for image \"app\", the same reference as from: a copy onto itself" "retag onto itself"
assert_eq "$(log_count_since "$m" '[A-Z]+')" 0 "retag onto itself: no requests"

# ---- the command line -----------------------------------------------------------------
config_write good.yaml <<EOF
images:
  - {name: app, tags: [v1]}
EOF
m=$(log_mark)
mf_expect 2 publish
mf_expect 2 publish -c good.yaml --bogus-flag
assert_contains "$MF_ERR" --bogus-flag "unknown flag is named"
mf_expect 2 publish -c good.yaml -j 0
mf_expect 2 publish -c good.yaml --only no-such-image
assert_contains "$MF_ERR" no-such-image "--only names the unknown image"
assert_eq "$(log_count_since "$m" '[A-Z]+')" 0 "requests on usage errors"
[ ! -e "$TEST_TMP/status.json" ] || fail "status file written on a usage error"

# The good config does work, so the errors above were the config's.
mf_expect 0 publish -c good.yaml --status "$TEST_TMP/status.json"
