# shards_lib.sh — sourced after lib.sh by the tests of many shards pushing
# to one status repository (test_shards_*.sh): the pods (clones of one
# remote), all of them running `publish --shard I/N --commit --push` at
# once, and the push attempts they logged.

export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP
# 100 processes at once: these tests are labelled plain (tests/CMakeLists.txt),
# so $MANIFOLD is the -O2 build when there is one (lib.sh), else the
# sanitizer build ctest hands over — which works, but takes minutes on a
# small machine.

# shards_config N FORMAT SEED — a registry (registry_start) holding one
# per-arch image, base-amd64:v1 (--seed SEED), and $TEST_TMP/release.yaml:
# N targets named printf FORMAT 1 … N, one platform, every one built from
# that image, so each shard owns about N/shards targets and copies one small
# manifest. Many processes starting at once on a small machine: the
# registry answers late, not never (timeouts of 120 s).
shards_config() {
	local n=$1 format=$2 seed=$3 i
	registry_start
	seed_arches base v1 linux/amd64 --seed "$seed"
	{
		printf 'registries:\n  "%s": {timeout: 120s, low-speed-time: 120s}\n' "$REGISTRY"
		echo "images:"
		for ((i = 1; i <= n; i++)); do printf "  - {name: $format, tags: [v1]}\n" "$i"; done
	} | config_write "$TEST_TMP/release.yaml" --platforms linux/amd64 --source "{registry}/base-{arch}:{tag}"
}

# shards_remote DIR — a bare remote (branch main) with one commit.
shards_remote() {
	local seed=$TEST_TMP/remote-seed
	git init -q --bare -b main "$1"
	git init -q -b main "$seed"
	echo "status repository" >"$seed/README"
	git -C "$seed" add README
	git -C "$seed" -c user.name=Dev -c user.email=dev@example.com commit -qm init
	git -C "$seed" push -q "$1" main
	rm -rf "$seed"
}

# shards_clone URL N — clones of URL as $TEST_TMP/pod0 … pod(N-1), as each
# pod's init container makes one (one clone, copied: the same bytes, faster).
shards_clone() {
	local url=$1 n=$2 i
	rm -rf "$TEST_TMP/pod0"
	git clone -q "$url" "$TEST_TMP/pod0" 2>/dev/null || fail "clone $url"
	for ((i = 1; i < n; i++)); do
		rm -rf "$TEST_TMP/pod$i"
		cp -a "$TEST_TMP/pod0" "$TEST_TMP/pod$i"
	done
}

# shards_publish N CONFIG STATUS ARGS... — every pod at once runs publish
# -c CONFIG --shard I/N --status STATUS (where "{i}" becomes I) --commit
# --push ARGS, in its clone; waits for all. Each pod's exit code is in
# $TEST_TMP/podI.rc, its stderr in podI.err.
shards_publish() {
	local n=$1 cfg=$2 st=$3 pids=() i
	shift 3
	need_manifold
	for ((i = 0; i < n; i++)); do
		(
			set +e
			cd "$TEST_TMP/pod$i"
			"$MANIFOLD" publish -c "$cfg" --shard "$i/$n" --status "${st//\{i\}/$i}" \
				--commit --push "$@" >"$TEST_TMP/pod$i.out" 2>"$TEST_TMP/pod$i.err"
			echo $? >"$TEST_TMP/pod$i.rc"
		) &
		pids+=($!)
	done
	wait "${pids[@]}" # not a bare wait: the servers run in the background too
}

# shards_assert_exit N RC — every pod exited RC (the first others' stderr shown).
shards_assert_exit() {
	local n=$1 want=$2 i bad=0
	for ((i = 0; i < n; i++)); do
		if [ "$(cat "$TEST_TMP/pod$i.rc")" != "$want" ]; then
			bad=$((bad + 1))
			[ "$bad" -gt 3 ] || sed "s/^/pod$i| /" "$TEST_TMP/pod$i.err" >&2
		fi
	done
	assert_eq "$bad" 0 "pods that did not exit $want"
}

# shards_assert_landed N WHAT — after shards_publish: the remote
# ($TEST_TMP/remote.git) has one commit per shard and passes git fsck,
# every pod's clone is clean (its index and work tree follow the branch it
# pushed), each pod logged the attempt it landed on; prints the attempts'
# distribution for docs/kubernetes.md ("push attempts, WHAT: ...").
shards_assert_landed() {
	local n=$1 what=$2 i dirty=0 attempts
	assert_eq "$(git -C "$TEST_TMP/remote.git" rev-list --count main)" "$((n + 1))" "one commit per shard"
	git -C "$TEST_TMP/remote.git" fsck --no-progress >/dev/null 2>&1 || fail "git fsck of the remote"
	for ((i = 0; i < n; i++)); do
		[ -z "$(git -C "$TEST_TMP/pod$i" status --porcelain)" ] || dirty=$((dirty + 1))
	done
	assert_eq "$dirty" 0 "clones whose index or work tree differ from their branch"
	attempts=$(shards_attempts "$n")
	assert_eq "$(wc -l <<<"$attempts")" "$n" "one 'pushed' line per pod"
	echo "push attempts, $what: $(shards_distribution <<<"$attempts")" >&2
}

# shards_attempts N — the push attempt each pod landed on (its "git: pushed
# BRANCH to REMOTE, attempt K" line), one per line.
shards_attempts() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do
		grep -o 'git: pushed [^ ]* to [^ ]*, attempt [0-9]*' "$TEST_TMP/pod$i.err" | awk '{print $NF}'
	done
}

# shards_distribution — stdin's numbers as "min M median M p90 M max M".
shards_distribution() {
	sort -n | awk '{ v[NR] = $1 } END {
		p90 = int((NR * 9 + 9) / 10); if (p90 > NR) p90 = NR
		printf "min %d median %d p90 %d max %d\n", v[1], v[int((NR + 1) / 2)], v[p90], v[NR] }'
}
