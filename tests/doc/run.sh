#!/usr/bin/env bash
# run.sh — every example of README.md and docs/*.md, run (tests/doc/doctest.py
# says how a block runs and how a block is marked when it cannot run here).
#
# The images the examples name are seeded once into a registry's storage;
# each Markdown file then gets its own registry on a copy of that storage
# (registry.example.com in the docs), an empty second one (mirror.example.com)
# and its own work dir: a git repository with a bare remote (origin) holding
# configs/ with the hosts rewritten, so one file's prune --confirm or delete
# cannot change what the next file's examples see.
# Env: MANIFOLD (the binary), MANIFOLD_SOURCE_DIR; DOCTEST_FILES to run
# only some files (paths relative to the source tree).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
need_manifold need git
SRC=$MANIFOLD_SOURCE_DIR
DOC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---- the harness fails what it must -------------------------------------------
BINDIR=$TEST_TMP/bin
mkdir -p "$BINDIR" "$TEST_TMP/self"
ln -s "$MANIFOLD" "$BINDIR/manifold"
cat >"$TEST_TMP/self/bad.md" <<'EOF'
```sh
manifold --version
false
```

```
$ manifold --version
```

<!-- doctest: skip -->
```sh
true
```

```console
$ manifold --version
manifold 0.0.0-not-this-one
```

```yaml
images: 3
```

<!-- doctest: skip (the one block that passes) -->
```bash
false
```
EOF
self_out=$(python3 "$DOC_DIR/doctest.py" "$TEST_TMP/self/bad.md" --display bad.md --source "$SRC" \
	--workdir "$TEST_TMP/self" --bindir "$BINDIR" --registry 127.0.0.1:9 --mirror 127.0.0.1:9) &&
	fail "doctest.py passed a file of broken examples: $self_out"
assert_eq "$(grep -c '^FAIL bad.md:' <<<"$self_out")" 5 "broken examples failed, one line each ($self_out)"
assert_contains "$self_out" "FAIL bad.md:1 (sh): exited 1, want 0" "a failing command fails its block"
assert_contains "$self_out" "FAIL bad.md:6 (): a command example in a plain fence" "a plain fence of commands fails"
assert_contains "$self_out" "FAIL bad.md:11: a skip mark says why" "a skip without why fails"
assert_contains "$self_out" "FAIL bad.md:15 (console): \$ manifold --version" "wrong output fails"
assert_contains "$self_out" "FAIL bad.md:20 (yaml): manifold publish --estimate exited 2" "a bad config fails"
assert_contains "$self_out" "DOCTEST bad.md found 6 run 0 skipped 1 failed 5" "the counts"

# ---- the images the examples name --------------------------------------------
t0=$SECONDS
registry_start --name seed
pids=()
k8s="linux/amd64 linux/arm64/v8 linux/arm/v7 linux/ppc64le linux/s390x"
for p in $k8s; do
	a=$(arch_of "$p")
	refs=("kube-proxy-$a:v1.31.0" "kube-proxy-$a:v1.30.4" "coredns:v1.11.3-$a" "coredns-$a:v1.11.3" "pause-$a:3.10")
	case "$p" in
	linux/amd64) refs+=(app-amd64:v1 demo-amd64:v0.2) ;;
	linux/arm64/v8) refs+=(app-arm64:v1) ;;
	linux/arm/v7) refs+=(app-armv7:v1) ;;
	linux/s390x) refs+=(app-s390x:v1 demo-s390x:v0.2) ;;
	esac
	seed --platform "$p" --seed "doc-$p" --ref-label repo -j 4 "${refs[@]}" >/dev/null &
	pids+=($!)
done
seed pause:3.10-windows-ltsc2019 pause-windows-amd64:3.10-ltsc2019 --platform windows/amd64:10.0.17763.6659 \
	--seed doc-win --ref-label repo -j 2 >/dev/null &
pids+=($!)
seed app-amd64:v1.0.1 --platform linux/amd64 --seed doc-rebuilt --ref-label repo >/dev/null &
pids+=($!)
for pid in "${pids[@]}"; do
	wait "$pid" || fail "seed.py failed (its error is above)"
done
registry_stop seed
echo "  (seeded in $((SECONDS - t0)) s)"
SEED_ROOT=$REGISTRY_SEED_DIR/root

# ---- the configs the docs name (configs/*.yaml): manifold accepts each ----------
for c in "$SRC"/configs/*.yaml; do
	mf publish -c "$c" --estimate
	[ "$MF_RC" = 0 ] || fail "configs/${c##*/}: publish --estimate exited $MF_RC"
	echo "  configs/${c##*/}: checked (publish --estimate)"
done 2>/dev/null

# ---- one file at a time ---------------------------------------------------------
# shellcheck disable=SC2086
files=${DOCTEST_FILES:-README.md $(cd "$SRC" && echo docs/*.md)}
export GIT_AUTHOR_NAME="Release Bot" GIT_AUTHOR_EMAIL=release-bot@example.com
export GIT_COMMITTER_NAME="Release Bot" GIT_COMMITTER_EMAIL=release-bot@example.com
# Each file's registries and work dir are set up here, one file after the
# other; the files' examples then run side by side (each file's blocks in
# order), their outputs printed in file order.
n=0 failed=() summary=() pids=() names=()
for f in $files; do
	n=$((n + 1))
	# registries only for a file whose examples talk to one (a yaml block's
	# --estimate sends nothing)
	needs=$(python3 "$DOC_DIR/doctest.py" "$SRC/$f" --needs --source "$SRC" --workdir . \
		--bindir . --registry - --mirror -) || fail "$f: doctest.py --needs failed"
	local_reg=127.0.0.1:9 mirror=127.0.0.1:9 # the discard port: nothing listens
	if [[ $needs == *registry* ]]; then
		root=$TEST_TMP/root-$n
		cp -a "$SEED_ROOT" "$root"
		registry_start --name "doc$n" --root "$root"
		v=REGISTRY_DOC$n local_reg=${!v}
	fi
	if [[ $needs == *mirror* ]]; then
		registry_start --name "mirror$n"
		v=REGISTRY_MIRROR$n mirror=${!v}
	fi
	work=$TEST_TMP/work-$n
	mkdir -p "$work/configs" "$work/status" "$work/tests/data"
	cp "$SRC"/configs/*.yaml "$work/configs/"
	cp -r "$SRC/tests/data/inspect" "$work/tests/data/"
	sed -i -e "s/registry\.example\.com/$local_reg/g" -e "s/mirror\.example\.com/$mirror/g" "$work"/configs/*.yaml
	if [[ $needs == *git* ]]; then
		git init -q --bare -b main "$TEST_TMP/remote-$n.git"
		git init -q -b main "$work"
		git -C "$work" add configs
		git -C "$work" commit -q -m "the release config"
		git -C "$work" remote add origin "$TEST_TMP/remote-$n.git"
		git -C "$work" push -q origin main
	fi
	python3 "$DOC_DIR/doctest.py" "$SRC/$f" --display "$f" --source "$SRC" --workdir "$work" \
		--bindir "$BINDIR" --registry "$local_reg" --mirror "$mirror" >"$TEST_TMP/doctest-$n.out" 2>&1 &
	pids+=($!)
	names+=("$f")
done
echo "  (registries up, examples running: $((SECONDS - t0)) s since the start)"
for ((i = 0; i < n; i++)); do
	f=${names[$i]}
	out=$TEST_TMP/doctest-$((i + 1)).out
	wait "${pids[$i]}" || failed+=("$f")
	cat "$out"
	summary+=("$(grep '^DOCTEST ' "$out" || echo "DOCTEST $f did not finish")")
done
echo "  (done: $((SECONDS - t0)) s since the start)"

echo "--- examples per file"
printf '%s\n' "${summary[@]}"
awk '$1 == "DOCTEST" { f += $4; r += $6; s += $8; x += $10 }
	END { printf "total: found %d run %d skipped %d failed %d\n", f, r, s, x }' < <(printf '%s\n' "${summary[@]}")
[ "${#failed[@]}" -eq 0 ] || fail "examples failed in: ${failed[*]}"
