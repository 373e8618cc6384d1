#!/usr/bin/env bash
# test_publish_metrics.sh — a run's Prometheus metrics: --metrics-file
# writes a file Debian's `promtool check metrics` accepts, with the exact
# counts (targets by state, requests by registry/method/code as the proxy
# and the registry saw them, retries by cause, streamed bytes, the last
# success and the oldest incomplete target's age from the status file);
# --pushgateway pushes the same samples to a real prometheus-pushgateway
# (job manifold, group shard/I), read back from its /metrics; check pushes
# to its own group (command=check) and leaves publish's alone; a URL with a
# grouping key is that group, a malformed one a usage error (exit 2,
# nothing sent); a gateway that cannot be reached fails the run (exit 1).
# The alerting rules have their own test (test_alert_rules.sh).
source "$(dirname "$0")/lib.sh"
need promtool prometheus-pushgateway

registry_start --name src
registry_start
faultproxy_start --upstream "$REGISTRY" \
	--fail 'HEAD /v2/app/manifests/v1:503:1' \
	--fail 'PUT /v2/bad/manifests/v1:403:*'
pushgateway_start
seed_three_states "$REGISTRY_SRC/"

cfg=$TEST_TMP/metrics.yaml
config_three_states "$cfg" --registry "$PROXY" --source "$REGISTRY_SRC/{name}-{arch}:{tag}"
st=$TEST_TMP/status.json
prom=$TEST_TMP/manifold.prom
T1=2026-11-20T03:00:00Z
T2=2026-11-22T03:00:00Z
epoch() { date -u -d "$1" +%s; }

# sample FILE 'name{labels}' — the value of one sample, "" when absent.
sample() {
	awk -v s="$2" '$1 == s { print $2 }' "$1"
}
# gw_sample FILE 'name{labels}' — a sample the gateway exposes (1.7951436e+09) as an integer.
gw_sample() {
	awk -v s="$2" '$1 == s { printf "%.0f\n", $2 }' "$1"
}
# sum_of FILE REGEX — the sum of the samples whose series matches REGEX.
sum_of() {
	awk -v re="$2" '$1 ~ re { n += $2 } END { print n + 0 }' "$1"
}

# blob_bytes NAME — config and layer bytes of NAME-amd64:v1 and NAME-arm64:v1 on src.
blob_bytes() {
	local p n=0
	for p in amd64 arm64; do
		n=$((n + $(skopeo_inspect_raw "$REGISTRY_SRC/$1-$p:v1" | jq '.config.size + ([.layers[].size] | add)')))
	done
	echo "$n"
}

# ---- night 1: app published (its blobs streamed from src), half incomplete --------
src_mark=$(log_mark "$REGISTRY_SRC_LOG")
MANIFOLD_NOW=$T1 mf_expect 3 publish -c "$cfg" --only app,half --status "$st" --metrics-file "$prom"
promtool check metrics <"$prom" || fail "promtool rejects $prom"
assert_eq "$(stat -c %a "$prom")" 644 "the textfile is world-readable (node_exporter)"
ls "$TEST_TMP" | grep -q '\.tmp\.' && fail "a temporary file was left next to $prom"
assert_eq "$(sample "$prom" 'manifold_targets{state="published"}')" 1 "published"
assert_eq "$(sample "$prom" 'manifold_targets{state="unchanged"}')" 0 "unchanged"
assert_eq "$(sample "$prom" 'manifold_targets{state="incomplete"}')" 1 "incomplete"
assert_eq "$(sample "$prom" 'manifold_targets{state="failed"}')" 0 "failed"
assert_eq "$(sample "$prom" 'manifold_retries_total{cause="status"}')" 1 "the 503 was retried once"
assert_eq "$(sample "$prom" 'manifold_retries_total{cause="connection"}')" 0 "no connection retries"
assert_eq "$(sample "$prom" "manifold_requests_total{registry=\"$PROXY\",method=\"HEAD\",code=\"503\"}")" 1 \
	"the 503 answer is counted by its code"
to_proxy=$(sum_of "$prom" "^manifold_requests_total[{]registry=\"$PROXY\"")
[ "$to_proxy" -gt 0 ] || fail "no requests to $PROXY counted"
# The proxy logs a request just after answering it: wait for the last line.
wait_for "the proxy's log of $to_proxy requests" 40 test "$(wc -l <"$PROXY_LOG")" -ge "$to_proxy"
assert_eq "$(wc -l <"$PROXY_LOG")" "$to_proxy" "requests to the target registry = what the proxy saw"
assert_eq "$(sum_of "$prom" "^manifold_requests_total[{]registry=\"$REGISTRY_SRC\"")" \
	"$(log_count_since "$src_mark" '[A-Z]+')" "requests to the source registry = its access log"
assert_eq "$(sample "$prom" manifold_copied_bytes_total)" "$(blob_bytes app)" "streamed blob bytes"
assert_eq "$(sample "$prom" manifold_last_success_timestamp_seconds)" "$(epoch $T1)" "last success: this run"
assert_eq "$(sample "$prom" manifold_oldest_incomplete_age_seconds)" 0 "half became incomplete just now"
assert_eq "$(jq -c '.last_run | keys_unsorted' "$st")" \
	'["started","finished","published","unchanged","incomplete","failed","last_success"]' "last_run key order"
assert_eq "$(jq -r .last_run.last_success "$st")" "$T1" "last_success recorded"
grep -q '^# TYPE manifold_requests_total counter$' "$prom" || fail "requests_total is a counter"
grep -q '^# HELP manifold_run_duration_seconds ' "$prom" || fail "duration has HELP"

# ---- night 2, two days later, as shard 0 of 1: bad fails (403), half still incomplete -------
MANIFOLD_NOW=$T2 mf_expect 1 publish -c "$cfg" --status "$st" --shard 0/1 \
	--metrics-file "$prom" --pushgateway "$PUSHGATEWAY_URL/"
promtool check metrics <"$prom" || fail "promtool rejects night 2's file"
assert_eq "$(sample "$prom" 'manifold_targets{state="unchanged",shard="0"}')" 1 "app unchanged"
assert_eq "$(sample "$prom" 'manifold_targets{state="failed",shard="0"}')" 1 "bad failed"
assert_eq "$(sample "$prom" "manifold_requests_total{registry=\"$PROXY\",method=\"PUT\",code=\"403\",shard=\"0\"}")" 1 \
	"the refused PUT, by code"
assert_eq "$(sample "$prom" 'manifold_last_success_timestamp_seconds{shard="0"}')" "$(epoch $T1)" \
	"a failed night keeps the last success"
assert_eq "$(sample "$prom" 'manifold_oldest_incomplete_age_seconds{shard="0"}')" 172800 \
	"half incomplete for two days"
assert_eq "$(sample "$prom" 'manifold_copied_bytes_total{shard="0"}')" "$(blob_bytes bad)" \
	"night 2 streamed bad's blobs (its list PUT failed after)"
assert_eq "$(jq -r .last_run.last_success "$st")" "$T1" "status file keeps the last success"

# The gateway holds exactly the file's samples, with job="manifold" and the shard group.
curl -fsS "$PUSHGATEWAY_URL/metrics" >"$TEST_TMP/gateway.txt"
python3 - "$prom" "$TEST_TMP/gateway.txt" <<'EOF' || fail "the pushed samples differ from the file's"
import re, sys
def samples(path, want_job):
    out = {}
    for line in open(path):
        m = re.match(r'^(manifold_\w+)(?:\{(.*)\})? (\S+)$', line.strip())
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if want_job:
            if labels.pop("job", None) != "manifold" or labels.pop("instance", "") != "":
                continue
        out[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))
    return out
f, g = samples(sys.argv[1], False), samples(sys.argv[2], True)
if f != g or not f:
    sys.exit("file %d samples, gateway %d; only in file: %s; only in gateway: %s" % (
        len(f), len(g), sorted(set(f) - set(g))[:5], sorted(set(g) - set(f))[:5]))
EOF
grep -q 'push_time_seconds{instance="",job="manifold",shard="0"}' "$TEST_TMP/gateway.txt" ||
	fail "the gateway has no group job=manifold shard=0"

# ---- check pushes to its own group: publish's stays as it was ---------------------------
mf_expect 3 check -c "$cfg" --shard 0/1 --pushgateway "$PUSHGATEWAY_URL"
curl -fsS "$PUSHGATEWAY_URL/metrics" >"$TEST_TMP/gateway2.txt"
grep -q 'push_time_seconds{command="check",instance="",job="manifold",shard="0"}' "$TEST_TMP/gateway2.txt" ||
	fail "the gateway has no group job=manifold command=check shard=0"
assert_eq "$(gw_sample "$TEST_TMP/gateway2.txt" 'manifold_last_success_timestamp_seconds{instance="",job="manifold",shard="0"}')" \
	"$(epoch $T1)" "publish's last success is still publish's after the check"
assert_eq "$(gw_sample "$TEST_TMP/gateway2.txt" 'manifold_targets{instance="",job="manifold",shard="0",state="failed"}')" \
	1 "publish's samples are still there"
assert_eq "$(gw_sample "$TEST_TMP/gateway2.txt" 'manifold_targets{command="check",instance="",job="manifold",shard="0",state="ready"}')" \
	2 "check's samples are in its own group"

# ---- a URL with a grouping key: that group, with the shard after it ---------------------
MANIFOLD_NOW=$T2 mf_expect 1 publish -c "$cfg" --status "$TEST_TMP/grouped.json" --shard 0/1 \
	--pushgateway "$PUSHGATEWAY_URL/metrics/job/nightly/train/k8s/"
curl -fsS "$PUSHGATEWAY_URL/metrics" >"$TEST_TMP/gateway3.txt"
grep -q 'push_time_seconds{instance="",job="nightly",shard="0",train="k8s"}' "$TEST_TMP/gateway3.txt" ||
	fail "the gateway has no group job=nightly train=k8s shard=0"
assert_eq "$(gw_sample "$TEST_TMP/gateway3.txt" 'manifold_targets{instance="",job="nightly",shard="0",state="failed",train="k8s"}')" \
	1 "the run's samples are in the URL's group"
assert_eq "$(gw_sample "$TEST_TMP/gateway3.txt" 'manifold_last_success_timestamp_seconds{instance="",job="manifold",shard="0"}')" \
	"$(epoch $T1)" "the default group is left alone"
mf_expect 3 check -c "$cfg" --pushgateway "$PUSHGATEWAY_URL/metrics/job/nightly/train/k8s"
curl -fsS "$PUSHGATEWAY_URL/metrics" >"$TEST_TMP/gateway4.txt"
grep -q 'push_time_seconds{command="check",instance="",job="nightly",train="k8s"}' "$TEST_TMP/gateway4.txt" ||
	fail "check's group under the URL's grouping key"
for bad in /metrics/job/nightly/train /metrics/job/nightly//x /metrics/job/nightly/shard/1 /metrics/job/nightly/9x/y /metrics; do
	mark=$(log_mark)
	mf_expect 2 publish -c "$cfg" --pushgateway "$PUSHGATEWAY_URL$bad"
	assert_contains "$MF_ERR" "manifold publish: --pushgateway \"$PUSHGATEWAY_URL$bad\": " "$bad is refused"
	assert_eq "$(log_count_since "$mark" '[A-Z]+')" 0 "nothing sent for $bad"
done

# ---- check writes metrics too; a dead gateway fails the run -----------------------------
mf_expect 1 check -c "$cfg" --metrics-file "$TEST_TMP/check.prom" --pushgateway http://127.0.0.1:1
promtool check metrics <"$TEST_TMP/check.prom" || fail "promtool rejects check's file"
assert_eq "$(sample "$TEST_TMP/check.prom" 'manifold_targets{state="ready"}')" 2 "check: ready"
assert_eq "$(sample "$TEST_TMP/check.prom" 'manifold_targets{state="incomplete"}')" 1 "check: incomplete"
assert_contains "$MF_ERR" "manifold check: --pushgateway: PUT http://127.0.0.1:1/metrics/job/manifold/command/check: " \
	"the unreachable gateway is named"
mark=$(log_mark)
mf_expect 2 publish -c "$cfg" --pushgateway ftp://x
assert_eq "$MF_ERR" 'manifold publish: --pushgateway "ftp://x": want an http:// or https:// URL' \
	"a bad gateway URL is a usage error"
assert_eq "$(log_count_since "$mark" '[A-Z]+')" 0 "nothing sent for a usage error"
