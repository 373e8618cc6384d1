#!/usr/bin/env bash
# test_k8s_manifests.sh — configs/k8s/ is run, not only parsed. Both
# manifests meet the restricted Pod Security profile and say what each exit
# code does to the Job; MANIFOLD_INCOMPLETE_EXIT=0 turns an incomplete night
# into exit 0 (default 3). Then the CronJob's pod — clone init container and
# manifold, their exact command/args/env, mounts mapped into a temp dir —
# runs two nights against a registry with credentials (docker config.json
# from the Secret) and a private status repository over HTTP that already
# has 60 commits (a shallow --depth=50 clone could not be pushed from with
# libgit2 1.5): 62 commits, each with the status file. Then the Indexed
# Job's four pods (JOB_COMPLETION_INDEX 0..3) push one shard file each and
# `manifold status shard-*` covers every target exactly once.
source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/k8s_lib.sh"
need_manifold

# ---- the manifests' fields -------------------------------------------------------
k8s_json cronjob >"$TEST_TMP/cronjob.json"
k8s_json indexed-job >"$TEST_TMP/indexed-job.json"
version=$(sed -n 's/^project(manifold VERSION \([0-9.]*\).*/\1/p' "$MANIFOLD_SOURCE_DIR/CMakeLists.txt")
assert_eq "${K8S_IMAGE##*:}" "$version" "the manifests' image tag is the project version"
declare -A JOB=([cronjob]=.spec.jobTemplate.spec [indexed-job]=.spec)
for m in cronjob indexed-job; do
	j=$TEST_TMP/$m.json
	job=${JOB[$m]}
	pod=$job.template.spec
	q() { jq -c "$1" "$j"; }
	assert_eq "$(q "$pod.securityContext")" \
		'{"runAsNonRoot":true,"runAsUser":65532,"runAsGroup":65532,"fsGroup":65532,"seccompProfile":{"type":"RuntimeDefault"}}' \
		"$m: pod securityContext"
	assert_eq "$(q "$pod.automountServiceAccountToken")" false "$m: no service account token"
	assert_eq "$(q "$pod.restartPolicy")" '"Never"' "$m: restartPolicy (podFailurePolicy needs Never)"
	assert_eq "$(q "[$pod.initContainers[], $pod.containers[] | .name] | join(\",\")")" '"clone,manifold"' "$m: containers"
	for c in "$pod.initContainers[0]" "$pod.containers[0]"; do
		name=$(q "$c.name")
		assert_eq "$(q "$c.securityContext")" \
			'{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"readOnlyRootFilesystem":true}' \
			"$m: $name securityContext"
		assert_eq "$(q "$c.image")" "\"$K8S_IMAGE\"" "$m: $name image"
		# what is written: /work and /tmp, both emptyDir; every other mount is read-only
		assert_eq "$(q "[$c.volumeMounts[] | select(.readOnly != true) | .mountPath] | sort | join(\",\")")" \
			'"/tmp,/work"' "$m: $name writable mounts"
		for v in $(q "$c.volumeMounts[] | select(.readOnly != true) | .name" | tr -d '"'); do
			assert_eq "$(q "$pod.volumes[] | select(.name == \"$v\") | .emptyDir")" '{}' "$m: $name volume $v is an emptyDir"
		done
		assert_eq "$(q "[$c.env[] | select(.valueFrom) | .name + \"=\" + .valueFrom.secretKeyRef.name + \"/\" + .valueFrom.secretKeyRef.key] | join(\",\")")" \
			'"MANIFOLD_GIT_USERNAME=manifold-git/username,MANIFOLD_GIT_PASSWORD=manifold-git/token"' "$m: $name git credentials from the Secret"
	done
	assert_eq "$(q "$pod.initContainers[0].command")" '["git"]' "$m: clone runs git"
	assert_not_contains "$(q "$pod.initContainers[0].args")" "--depth" "$m: full clone"
	assert_eq "$(q "$pod.containers[0].env[] | select(.name == \"MANIFOLD_INCOMPLETE_EXIT\") | .value")" '"0"' "$m: incomplete exits 0"
	assert_eq "$(q "$pod.containers[0].env[] | select(.name == \"DOCKER_CONFIG\") | .value")" \
		"$(q "$pod.containers[0].volumeMounts[] | select(.name == \"docker-config\") | .mountPath")" "$m: DOCKER_CONFIG is the Secret's mount"
	assert_eq "$(q "$pod.volumes[] | select(.name == \"docker-config\") | .secret")" \
		'{"secretName":"manifold-registry","items":[{"key":".dockerconfigjson","path":"config.json"}]}' "$m: docker config Secret"
	assert_eq "$(q "$job.podFailurePolicy.rules[] | select(.action == \"FailJob\") | .onExitCodes")" \
		'{"containerName":"manifold","operator":"In","values":[2]}' "$m: exit 2 fails the Job"
	assert_eq "$(q "[$job.podFailurePolicy.rules[] | select(.onExitCodes) | .onExitCodes.values[]] | map(select(. == 1 or . == 0 or . == 3)) | length")" \
		0 "$m: exit 1 is left to the backoff limit"
	assert_eq "$(q "$job.podFailurePolicy.rules[] | select(.action == \"Ignore\") | .onPodConditions")" \
		'[{"type":"DisruptionTarget"}]' "$m: disruptions are not counted"
	assert_eq "$(q "($job.ttlSecondsAfterFinished > 0) and ($job.activeDeadlineSeconds > 0)")" true "$m: ttl and deadline"
done
assert_eq "$(jq -c .spec.concurrencyPolicy "$TEST_TMP/cronjob.json")" '"Forbid"' "cronjob: concurrencyPolicy"
assert_eq "$(jq -c .spec.jobTemplate.spec.backoffLimit "$TEST_TMP/cronjob.json")" 1 "cronjob: exit 1 retried once"
assert_eq "$(jq -c .spec.backoffLimitPerIndex "$TEST_TMP/indexed-job.json")" 1 "indexed-job: a failed shard retried once"
completions=$(jq -r .spec.completions "$TEST_TMP/indexed-job.json")
assert_eq "$(jq -r '.spec.completionMode + " " + (.spec.template.spec.containers[0].env[] | select(.name == "JOB_COMPLETIONS") | .value)' \
	"$TEST_TMP/indexed-job.json")" "Indexed $completions" "indexed-job: JOB_COMPLETIONS = completions"

# ---- a registry with credentials, a private status repository ----------------------
registry_start --htpasswd "$K8S_REG_USER:$K8S_REG_PASS"
images=(alpha beta gamma delta epsilon zeta eta theta)
for arch in amd64 arm64; do
	refs=()
	for n in "${images[@]}"; do refs+=("$n-$arch:v1"); done
	seed "${refs[@]}" --platform "linux/$arch" --user "$K8S_REG_USER:$K8S_REG_PASS" --seed "k8s-$arch" >/dev/null
done
seed lonely-amd64:v1 --platform linux/amd64 --user "$K8S_REG_USER:$K8S_REG_PASS" --seed k8s-lonely >/dev/null
images+=(lonely) # its arm64 build never arrives: incomplete every night
k8s_registry_auth >"$DOCKER_CONFIG/config.json"

# ---- MANIFOLD_INCOMPLETE_EXIT ---------------------------------------------------------
k8s_config "$TEST_TMP/exit/release.yaml" alpha lonely
cd "$TEST_TMP/exit"
mf_expect 3 publish -c release.yaml --dry-run
for v in 0 7 255; do
	MANIFOLD_INCOMPLETE_EXIT=$v mf_expect "$v" publish -c release.yaml --dry-run
done
for v in abc 256 -1 "" 1x; do
	MANIFOLD_INCOMPLETE_EXIT=$v mf_expect 3 publish -c release.yaml --dry-run
done
mf_expect 3 check -c release.yaml
MANIFOLD_INCOMPLETE_EXIT=0 mf_expect 0 check -c release.yaml
# a failure stays 1 and a config error 2, whatever the variable says
seed omega-amd64:v1 omega-arm64:v1 --platform linux/amd64 --user "$K8S_REG_USER:$K8S_REG_PASS" --seed k8s-wrong >/dev/null
k8s_config "$TEST_TMP/exit/wrong.yaml" omega lonely
MANIFOLD_INCOMPLETE_EXIT=0 mf_expect 1 publish -c wrong.yaml --dry-run
echo "images: 3" >"$TEST_TMP/exit/bad.yaml"
MANIFOLD_INCOMPLETE_EXIT=0 mf_expect 2 publish -c bad.yaml
cd "$TEST_TMP"

# ---- the CronJob's pod, two nights ---------------------------------------------------------
githttp_start
status_remote_init 60
host=(--bin "/usr/local/bin/manifold=$MANIFOLD" --env "PATH=$PATH" --env "HOME=$TEST_TMP")
config_mount=$(jq -r '.spec.jobTemplate.spec.template.spec.containers[0].volumeMounts[] | select(.name == "config") | .mountPath' \
	"$TEST_TMP/cronjob.json")
for night in 1 2; do
	root=$TEST_TMP/night$night
	k8s_config "$root$config_mount/release.yaml" "${images[@]}"
	pod_run cronjob clone "$root" "${host[@]}"
	assert_eq "$POD_RC" 0 "night $night: clone exit"
	[ ! -e "$root/work/status/.git/shallow" ] || fail "night $night: the clone is shallow"
	assert_eq "$(git -C "$root/work/status" rev-list --count HEAD)" "$((59 + night))" "night $night: full history cloned"
	MANIFOLD_NOW=2026-03-0${night}T03:00:00Z pod_run cronjob manifold "$root" "${host[@]}"
	assert_eq "$POD_RC" 0 "night $night: manifold exit (incomplete night, MANIFOLD_INCOMPLETE_EXIT=0)"
	assert_contains "$POD_ERR" '"level":' "night $night: JSON log lines"
	assert_not_contains "$POD_ERR$(cat "$root.out")" "$K8S_GIT_TOKEN" "night $night: git token never printed"
	assert_not_contains "$POD_ERR$(cat "$root.out")" "$K8S_REG_PASS" "night $night: registry password never printed"
done
assert_eq "$(git -C "$STATUS_REMOTE" rev-list --count main)" 62 "60 old commits + two nights"
assert_eq "$(git -C "$STATUS_REMOTE" log --format='%an <%ae>|%s' -2 main)" \
	"manifold nightly <release-bot@example.com>|manifold: 0 published, 8 unchanged, 1 incomplete, 0 failed
manifold nightly <release-bot@example.com>|manifold: 8 published, 0 unchanged, 1 incomplete, 0 failed" "two night commits"
git -C "$STATUS_REMOTE" show main:status/release.json >"$TEST_TMP/night2.json"
assert_eq "$(jq -r '[.targets[] | (.target | sub(".*/"; "")) + "=" + .state] | join(",")' "$TEST_TMP/night2.json")" \
	"alpha:v1=published,beta:v1=published,delta:v1=published,epsilon:v1=published,eta:v1=published,gamma:v1=published,lonely:v1=incomplete,theta:v1=published,zeta:v1=published" \
	"status file on the remote"
assert_eq "$(jq -r '.last_run | "\(.started) \(.unchanged) \(.incomplete)"' "$TEST_TMP/night2.json")" \
	"2026-03-02T03:00:00Z 8 1" "night 2's last_run"
assert_eq "$(git -C "$STATUS_REMOTE" show --stat --format= main | head -1 | awk '{print $1}')" status/release.json "only the status file"
for n in "${images[@]}"; do
	[ "$n" = lonely ] && continue
	assert_eq "$(skopeo_inspect_raw "$REGISTRY/$n:v1" --creds "$K8S_REG_USER:$K8S_REG_PASS" | jq -r '.manifests | length')" 2 "$n:v1 list"
done
# The repository is private: every client met the challenge, then sent the Secret's user.
assert_eq "$(grep -c '^GET /release/status.git/info/refs 401 ' "$GIT_HTTP_LOG" | tr -d ' ')" 4 "clone and push each challenged"
assert_eq "$(grep "^GET /release/status.git/info/refs 200 $K8S_GIT_USER " "$GIT_HTTP_LOG" | grep -vc libgit2)" 2 "git CLI cloned with the Secret"
assert_eq "$(grep -c '^POST .* 401 ' "$GIT_HTTP_LOG" | tr -d ' ')" 0 "no unauthenticated pack request"
assert_eq "$(grep -c "^POST /release/status.git/git-receive-pack 200 $K8S_GIT_USER .*libgit2" "$GIT_HTTP_LOG")" 2 "manifold pushed with the Secret"

# ---- the Indexed Job: pods 0..N-1 at once, one shard file each -------------------------------
pids=()
for ((i = 0; i < completions; i++)); do
	root=$TEST_TMP/shard$i
	k8s_config "$root$config_mount/release.yaml" "${images[@]}"
	pod_run indexed-job clone "$root" "${host[@]}"
	assert_eq "$POD_RC" 0 "shard $i: clone exit"
done
for ((i = 0; i < completions; i++)); do
	(
		MANIFOLD_NOW=2026-03-03T03:00:0${i}Z pod_run indexed-job manifold "$TEST_TMP/shard$i" "${host[@]}" \
			--env "JOB_COMPLETION_INDEX=$i" 2>/dev/null
		echo "$POD_RC" >"$TEST_TMP/shard$i.rc"
	) &
	pids+=($!)
done
wait "${pids[@]}"
for ((i = 0; i < completions; i++)); do
	sed "s/^/  shard$i| /" "$TEST_TMP/shard$i.err" >&2
	assert_eq "$(cat "$TEST_TMP/shard$i.rc")" 0 "shard $i: manifold exit"
done
git clone -q "$STATUS_REMOTE" "$TEST_TMP/after"
assert_eq "$(git -C "$TEST_TMP/after" rev-list --count HEAD)" "$((62 + completions))" "every shard's commit landed"
files=()
for ((i = 0; i < completions; i++)); do files+=("$TEST_TMP/after/status/shard-$i.json"); done
total=0
for f in "${files[@]}"; do total=$((total + $(jq '.targets | length' "$f"))); done
assert_eq "$total" "${#images[@]}" "shard files hold each target once"
"$MANIFOLD" status "${files[@]}" --format json >"$TEST_TMP/merged.json"
assert_eq "$(jq -r '[.targets[].target | sub(".*/"; "")] | join(",")' "$TEST_TMP/merged.json")" \
	"alpha:v1,beta:v1,delta:v1,epsilon:v1,eta:v1,gamma:v1,lonely:v1,theta:v1,zeta:v1" "merged shards cover every target"
assert_eq "$(jq -c '.summary | [.unchanged, .incomplete, .failed]' "$TEST_TMP/merged.json")" '[8,1,0]' "merged summary"
