#!/usr/bin/env bash
# test_k8s_manifest_numbers.sh — the numbers of configs/k8s/ agree: a
# retried night fits the Job's activeDeadlineSeconds (--deadline, --grace,
# the pods the backoff limit allows), the grace fits
# terminationGracePeriodSeconds, a late night ends before the next, the
# no-success alerts outwait a late night, the Indexed Job's shard count is
# one number, and docs/kubernetes.md states the manifests' numbers, sums and
# Kubernetes versions (tests/integration/k8s_numbers.py). Each rule is then
# broken once in a copy and must be reported; the documented sed that sets
# the shard count changes exactly the three marked lines.
source "$(dirname "$0")/lib.sh"
python3 -c 'import yaml' 2>/dev/null || fail "needs python3-yaml (run scripts/install-deps)"

K8S=$MANIFOLD_SOURCE_DIR/configs/k8s
MD=$MANIFOLD_SOURCE_DIR/docs/kubernetes.md
CHECK=$LIB_DIR/k8s_numbers.py

# numbers DIR — the checker over the copies in DIR; sets OUT and RC.
numbers() {
	RC=0
	OUT=$(python3 "$CHECK" "$1/cronjob.yaml" "$1/indexed-job.yaml" "$1/manifold-alerts.yaml" "$1/kubernetes.md" 2>&1) || RC=$?
}
fresh() {
	rm -rf "$TEST_TMP/w"
	mkdir -p "$TEST_TMP/w"
	cp "$K8S/cronjob.yaml" "$K8S/indexed-job.yaml" "$K8S/manifold-alerts.yaml" "$MD" "$TEST_TMP/w/"
}

# ---- as shipped: every rule holds ------------------------------------------------
fresh
numbers "$TEST_TMP/w"
assert_eq "$RC:$OUT" "0:" "the shipped manifests and docs/kubernetes.md"

# ---- each rule broken once ------------------------------------------------------
# The old numbers: --deadline 110m inside 7200 s left the retry pod 10 minutes.
fresh
sed -i 's/^                - 50m$/                - 110m/' "$TEST_TMP/w/cronjob.yaml"
numbers "$TEST_TMP/w"
assert_eq "$RC" 1 "--deadline 110m"
assert_contains "$OUT" "numbers: cronjob.yaml: 2 pod(s) x (start 300 + --deadline 6600 + --grace 60 + finish 60) + 10 s between them = 14050 s > activeDeadlineSeconds 7200: a retried pod is killed by the Job's deadline" "--deadline 110m"
assert_contains "$OUT" "numbers: cronjob.yaml says --deadline 50m, its args --deadline 110m" "the comment left behind"
assert_contains "$OUT" "numbers: cronjob.yaml and indexed-job.yaml differ in d: 110m and 50m" "two sets of numbers"

fresh
sed -i 's/terminationGracePeriodSeconds: 150/terminationGracePeriodSeconds: 90/' "$TEST_TMP/w/indexed-job.yaml"
numbers "$TEST_TMP/w"
assert_contains "$OUT" "numbers: indexed-job.yaml: --grace 60 + finish 60 = 120 s > terminationGracePeriodSeconds 90: a SIGTERM is followed by SIGKILL before the status is pushed" "grace vs terminationGracePeriodSeconds"

fresh
sed -i 's/startingDeadlineSeconds: 3600/startingDeadlineSeconds: 80000/' "$TEST_TMP/w/cronjob.yaml"
numbers "$TEST_TMP/w"
assert_contains "$OUT" "numbers: cronjob.yaml: startingDeadlineSeconds 80000 + activeDeadlineSeconds 7200 + terminationGracePeriodSeconds 150 >= the schedule's period 86400: a late night overlaps the next, which Forbid skips" "startingDeadlineSeconds"

fresh
sed -i 's/> 2 \* 86400/> 86400/' "$TEST_TMP/w/manifold-alerts.yaml"
numbers "$TEST_TMP/w"
assert_contains "$OUT" "numbers: ManifoldNoSuccessfulRun fires after 86400 s, less than a late night's 97200 s (period + startingDeadlineSeconds + activeDeadlineSeconds)" "the alert's threshold"

fresh
sed -i 's/JOB_COMPLETIONS, value: "4"/JOB_COMPLETIONS, value: "5"/' "$TEST_TMP/w/indexed-job.yaml"
numbers "$TEST_TMP/w"
assert_eq "$OUT" "numbers: indexed-job.yaml: completions 4, parallelism 4, JOB_COMPLETIONS 5: want one number" "JOB_COMPLETIONS differs"

fresh
sed -i 's/^  parallelism: 4                    # shards$/  parallelism: 4/' "$TEST_TMP/w/indexed-job.yaml"
numbers "$TEST_TMP/w"
assert_eq "$OUT" "numbers: indexed-job.yaml:32 holds the shard count but is not marked # shards" "an unmarked count"

fresh
sed -i 's/`--deadline 50m`/`--deadline 110m`/; s/`indexed-job.yaml` 1.29 or later/`indexed-job.yaml` 1.28 or later/' "$TEST_TMP/w/kubernetes.md"
numbers "$TEST_TMP/w"
assert_contains "$OUT" "numbers: kubernetes.md says \`--deadline 110m\`, the manifests 50m" "the page's deadline"
assert_contains "$OUT" "numbers: kubernetes.md says indexed-job.yaml needs Kubernetes 1.28, its fields need 1.29" "the page's version"

fresh
sed -i 's/2 × (300 + 3000 + 60 + 60) + 10 = 6850 ≤ 7200/2 × (300 + 3000 + 60 + 60) + 10 = 6850 ≤ 7300/' "$TEST_TMP/w/kubernetes.md"
numbers "$TEST_TMP/w"
assert_eq "$OUT" "numbers: kubernetes.md does not say '2 × (300 + 3000 + 60 + 60) + 10 = 6850 ≤ 7200'" "the page's sum"

fresh
sed -i 's/^  completionMode: Indexed$/  completionMode: Indexed\n  successPolicy: {rules: [{succeededCount: 1}]}/' "$TEST_TMP/w/indexed-job.yaml"
numbers "$TEST_TMP/w"
assert_contains "$OUT" "numbers: kubernetes.md says indexed-job.yaml needs Kubernetes 1.29, its fields need 1.31" "a newer field"
assert_contains "$OUT" "numbers: kubernetes.md's version table has no row \`successPolicy\` ... | 1.31 (...)" "a newer field's row"

# ---- the shard count, set in one place ---------------------------------------------
cmd=$(sed -n "s/^\(sed -E '\/# shards\$\/s\/\[0-9\]+\/8\/' configs\/k8s\/indexed-job.yaml\) | kubectl .*/\1/p" "$MD")
assert_eq "$cmd" "sed -E '/# shards\$/s/[0-9]+/8/' configs/k8s/indexed-job.yaml" "kubernetes.md's command"
(cd "$MANIFOLD_SOURCE_DIR" && eval "$cmd") >"$TEST_TMP/eight.yaml"
assert_eq "$(diff "$K8S/indexed-job.yaml" "$TEST_TMP/eight.yaml" | grep -c '^>')" 3 "the sed changes three lines"
assert_eq "$(python3 "$LIB_DIR/k8s_pod.py" json "$TEST_TMP/eight.yaml" |
	jq -r '[.spec.completions, .spec.parallelism, (.spec.template.spec.containers[0].env[] | select(.name == "JOB_COMPLETIONS") | .value)] | join(",")')" \
	"8,8,8" "completions, parallelism and JOB_COMPLETIONS all 8"
