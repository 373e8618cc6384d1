#!/usr/bin/env bash
# test_journal_disk_full.sh — the status file on a full disk (a small
# tmpfs): when the journal still fits and the status file does not, the
# error says how many published targets are not in the file, which
# journal keeps them and that the next run (or manifold status) folds them
# in, and once there is room `manifold status` does. When not even the
# journal can be written, no list is PUT. Skipped (77) where tmpfs cannot
# be mounted.
source "$(dirname "$0")/lib.sh"

disk=$TEST_TMP/disk
mkdir -p "$disk"
if ! mount -t tmpfs -o size=64k tmpfs "$disk" 2>/dev/null; then
	echo "SKIP: cannot mount a tmpfs here" >&2
	exit 77
fi
_lib_unmount() { umount "$disk" 2>/dev/null || true; }
trap 'rc=$?; _lib_unmount; (exit $rc); _lib_cleanup' EXIT

registry_start
seed_arches one v1 linux/amd64 --seed journal-full-1
seed_arches two v1 linux/amd64 --seed journal-full-2
seed_arches three v1 linux/amd64 --seed journal-full-3
images_yaml v1 one two | config_write "$TEST_TMP/two.yaml" --platforms "linux/amd64"
images_yaml v1 three | config_write "$TEST_TMP/three.yaml" --platforms "linux/amd64"
st=$disk/release.json

# fill DISK leaving N free pages
fill_leaving() {
	local avail
	rm -f "$disk/filler"
	avail=$(df -B4096 --output=avail "$disk" | tail -n 1 | tr -d ' ')
	[ "$avail" -gt "$1" ] || fail "tmpfs: only $avail pages free"
	head -c $(((avail - $1) * 4096)) /dev/zero >"$disk/filler"
	assert_eq "$(df -B4096 --output=avail "$disk" | tail -n 1 | tr -d ' ')" "$1" "free pages"
}

# ---- one page free: the journal's records fit in it, the status file does not ----
fill_leaving 1
mf publish -c "$TEST_TMP/two.yaml" --status "$st"
[ "$MF_RC" != 0 ] || fail "the publish succeeded on a full disk"
journal=$(ls "$st".journal.*)
assert_contains "$MF_ERR" "status file $st not written: " "names the file"
assert_contains "$MF_ERR" "No space left on device; 2 published targets are not in it: their records are kept in the journal $journal (4 records in all), and the next run (or manifold status $st) folds them in" \
	"says what is unrecorded and how it is recovered"
[ ! -e "$st" ] || fail "a status file was written"
assert_eq "$(grep -c '"kind": "intent"' "$journal") $(grep -c '"kind": "outcome"' "$journal")" "2 2" \
	"both PUTs and both outcomes journalled"
for n in one two; do
	assert_eq "$(skopeo_digest "$REGISTRY/$n:v1" | cut -c1-7)" "sha256:" "$n: its list is in the registry"
done

rm -f "$disk/filler"
mf_expect 0 status "$st" -o json
for n in one two; do
	assert_eq "$(echo "$MF_OUT" | jq -r --arg t "$REGISTRY/$n:v1" '.targets[] | select(.target == $t) | "\(.state) \(.digest)"')" \
		"published $(skopeo_digest "$REGISTRY/$n:v1")" "$n: recorded once there is room"
done
[ -e "$st" ] || fail "status did not write the folded file"
assert_eq "$(ls "$st".journal.* 2>/dev/null | wc -l)" 0 "the journal is folded and removed"

# ---- no page free: the journal cannot be written, so no list is sent ----------
fill_leaving 0
mf publish -c "$TEST_TMP/three.yaml" --status "$st"
assert_eq "$MF_RC" 1 "exit: the target failed"
assert_contains "$MF_ERR" "list not written: it could not be journalled first: journal $st.journal." \
	"the target says why its list was not sent"
assert_contains "$MF_ERR" "No space left on device" "and the cause"
assert_eq "$(grep -cE '"PUT /v2/three/manifests/v1 HTTP/1.1"' "$REGISTRY_LOG" || true)" 0 "no list PUT was sent"
