#!/usr/bin/env bash
# test_alert_rules.sh — the shipped alerting rules (configs/k8s/manifold-alerts.yaml)
# pass Debian's `promtool check rules`, and `promtool test rules` with
# configs/k8s/tests/manifold-alerts.test.yaml: every alert fires exactly when
# it should, with its exact labels and text, with and without a shard label.
# Each alert of the file has a test where it fires and one where it does
# not, and docs/kubernetes.md names each one. The metrics a real run writes
# are the series the rules read: a night with a held target, run as the
# manifests run it (MANIFOLD_INCOMPLETE_EXIT=0), exits 0 and fires
# ManifoldTargetHeld under `promtool test rules` fed its own metrics file.
source "$(dirname "$0")/lib.sh"
need promtool

rules=$MANIFOLD_SOURCE_DIR/configs/k8s/manifold-alerts.yaml
tests=$MANIFOLD_SOURCE_DIR/configs/k8s/tests/manifold-alerts.test.yaml
promtool check rules "$rules" || fail "promtool rejects $rules"
promtool test rules "$tests" || fail "the alerting rules do not fire as their tests say"

# Every alert: a firing case and a silent one; named in the docs.
python3 - "$rules" "$tests" "$MANIFOLD_SOURCE_DIR/docs/kubernetes.md" <<'PY' || fail "alert coverage"
import sys, yaml
rules, tests, doc = yaml.safe_load(open(sys.argv[1])), yaml.safe_load(open(sys.argv[2])), open(sys.argv[3]).read()
alerts = [r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r]
fires, silent = set(), set()
for t in tests["tests"]:
    for a in t.get("alert_rule_test", []):
        (fires if a.get("exp_alerts") else silent).add(a["alertname"])
bad = [a for a in alerts if a not in fires or a not in silent or a not in doc]
for a in bad:
    print("%s: fires in a test %s, silent in a test %s, in docs/kubernetes.md %s" % (
        a, a in fires, a in silent, a in doc), file=sys.stderr)
unknown = (fires | silent) - set(alerts)
if unknown:
    print("tests of alerts the file does not have: %s" % sorted(unknown), file=sys.stderr)
sys.exit(1 if bad or unknown or len(alerts) < 4 else 0)
PY

# ---- a real night with a held target, as the manifests run it ----------------
registry_start
seed_arches app v1 linux/amd64 linux/arm64/v8 --seed alert-app
cfg=$TEST_TMP/release.yaml
config_write "$cfg" --platforms "linux/amd64, linux/arm64/v8" <<YAML
images:
  - {name: app, tags: [v1]}
YAML
st=$TEST_TMP/status.json
prom=$TEST_TMP/manifold.prom
MANIFOLD_NOW=2026-11-20T03:00:00Z mf_expect 0 publish -c "$cfg" --status "$st" --metrics-file "$prom"
# the next night's config drops arm64: the tag's list would shrink, the target is held
config_write "$cfg" --platforms "linux/amd64" <<YAML
images:
  - {name: app, tags: [v1]}
YAML
MANIFOLD_NOW=2026-11-21T03:00:00Z MANIFOLD_INCOMPLETE_EXIT=0 mf_expect 0 publish -c "$cfg" --status "$st" \
	--metrics-file "$prom"
assert_eq "$(status_target "$st" "$REGISTRY/app:v1" .state)" '"held"' "the target is held"
assert_eq "$(awk '$1 == "manifold_held_targets" { print $2 }' "$prom")" 1 "manifold_held_targets"
assert_eq "$(awk '$1 == "manifold_oldest_held_age_seconds" { print $2 }' "$prom")" 0 "held since this run"
assert_eq "$(awk '$1 == "manifold_last_success_timestamp_seconds" { print $2 }' "$prom")" \
	"$(date -u -d 2026-11-20T03:00:00Z +%s)" "the last success is the night before"
assert_eq "$(jq -r .last_run.last_success "$st")" 2026-11-20T03:00:00Z "so is the status file's"
MANIFOLD_NOW=2026-11-21T03:00:00Z mf_expect 1 status "$st" --check
assert_contains "$MF_ERR" "HELD $REGISTRY/app:v1: for 0m (would drop linux/arm64/v8" "status --check names it"
assert_contains "$MF_OUT" "1 targets: 0 published, 0 unchanged, 0 incomplete, 0 failed, 1 held" \
	"the status table counts it"
MANIFOLD_NOW=2026-11-21T05:00:00Z mf_expect 1 status "$st" --check
assert_contains "$MF_ERR" "HELD $REGISTRY/app:v1: for 2h 0m (" "and how long it has been held"

# The file's samples, as a scrape of job "manifold" would see them, fire the alert.
series=$(awk '!/^#/ { name = $1; sub(/\{.*/, "", name); lab = ($1 ~ /\{/) ? substr($1, index($1, "{") + 1) : "}";
	printf "      - series: '\''%s{job=\"manifold\"%s%s'\''\n        values: '\''%sx120'\''\n", name, (lab == "}" ? "" : ","), lab, $2 }' "$prom")
cat >"$TEST_TMP/night.test.yaml" <<YAML
rule_files: [$rules]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
$series
    alert_rule_test:
      - eval_time: 10m
        alertname: ManifoldTargetHeld
        exp_alerts:
          - exp_labels: {severity: warning, job: manifold}
            exp_annotations:
              summary: "a manifold target is held: its tag is kept back"
              description: "1 target(s) held: a new list would drop a platform the tag's list has; decide (allow-shrink, or build the platform); see manifold status --check"
      - eval_time: 10m
        alertname: ManifoldNeverSucceeded
        exp_alerts: []
YAML
promtool test rules "$TEST_TMP/night.test.yaml" || fail "the held night's own metrics do not fire ManifoldTargetHeld"
