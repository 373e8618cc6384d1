#!/usr/bin/env bash
# test_annotate_checks_platform.sh — annotate that changes an entry's
# platform (--variant, --os-version) reads the child's image config first,
# as publish does: "linux/arm/v5" on an arm/v7 build is refused (exit 1,
# nothing written, dry run too); the platform the config names is taken;
# --no-verify-platform skips the check (and with --allow-shrink writes: the
# list no longer serves linux/arm/v7).
source "$(dirname "$0")/lib.sh"

registry_start
R=$REGISTRY
seed_arches app v1 linux/amd64 linux/arm/v7 --seed acp
armv7=${SEEDED[app/linux/arm/v7]}
mf_expect 0 push from-args --platforms linux/amd64,linux/arm/v7 --template "$R/app-ARCH:v1" \
	--target "$R/app:v1"
before=$(skopeo_digest "$R/app:v1")

want="manifold annotate: $R/app:v1: entry $armv7 would read linux/arm/v5, but its image config says linux/arm/v7 (--no-verify-platform skips the check)"
m=$(log_mark)
mf_expect 1 annotate "$R/app:v1" --platform linux/arm/v7 --variant v5
assert_eq "$MF_ERR" "$want" "refused: message"
mf_expect 1 annotate "$R/app:v1" --platform linux/arm/v7 --variant v5 --dry-run
assert_eq "$MF_ERR" "$want" "refused: dry run too"
assert_eq "$(log_count_since "$m" 'PUT|POST|PATCH|DELETE')" 0 "refused: nothing written"
assert_eq "$(log_count_since "$m" GET "^/v2/app/blobs/sha256:")" 2 "the child's config was read"
assert_eq "$(skopeo_digest "$R/app:v1")" "$before" "refused: the list is as it was"

# What the config says is taken (here: unchanged), and annotations need no check.
mf_expect 0 annotate "$R/app:v1" --platform linux/arm/v7 --variant v7
assert_eq "$(skopeo_digest "$R/app:v1")" "$before" "the same variant: unchanged"
mf_expect 0 annotate "$R/app:v1" --platform linux/arm/v7 --annotation org.example.note=armhf
assert_eq "$(skopeo_inspect_raw "$R/app:v1" | jq -r '.manifests[] | select(.digest == "'"$armv7"'") | .annotations["org.example.note"]')" armhf "annotation written"

# The escape. The list would no longer serve linux/arm/v7: a shrink (G1),
# held unless --allow-shrink too.
mf_expect 3 annotate "$R/app:v1" --platform linux/arm/v7 --variant v5 --no-verify-platform
assert_eq "$MF_ERR" "manifold annotate: $R/app:v1: would drop linux/arm/v7, which the tag's current list has (--allow-shrink lets it through)
manifold annotate: held: nothing written" "--no-verify-platform alone: held, it would drop arm/v7"
mf_expect 0 annotate "$R/app:v1" --platform linux/arm/v7 --variant v5 --no-verify-platform --allow-shrink
assert_eq "$(skopeo_inspect_raw "$R/app:v1" | jq -r '.manifests[] | select(.digest == "'"$armv7"'") | .platform.variant')" v5 "--no-verify-platform: written"
