#!/usr/bin/env bash
# test_retag_progress.sh — retag reports its progress as publish does: with
# --log-format json progress events (phase copying, or checking under
# --dry-run; done, total, rate, eta), the last one when every copy is done
# (done == total == the copies); from a config's rules (promotion) too, its
# opening line naming no more workers than copies; on a
# terminal a live line rewritten in place and cleared; text logs that are
# not a terminal get none.
source "$(dirname "$0")/lib.sh"

N=8
registry_start
R=$REGISTRY
seed_arches app v1 linux/amd64 linux/arm64/v8 --seed progress-app
pairs=()
for ((i = 1; i <= N; i++)); do
	pairs+=("$R/app-amd64:v1" "$R/promo$i:v1")
done

# json_lines NAME — every line of $MF_ERR is a JSON object with schema 1
# naming the retag command.
json_lines() {
	python3 -c '
import json, sys
for n, line in enumerate(sys.stdin.read().splitlines(), 1):
    try:
        doc = json.loads(line)
    except ValueError as e:
        sys.exit("line %d is not JSON (%s): %s" % (n, e, line))
    if not isinstance(doc, dict) or doc.get("schema") != 1 or doc.get("command") != "retag":
        sys.exit("line %d is not a retag line of schema 1: %s" % (n, line))
' <<<"$MF_ERR" || fail "$1: stderr is not JSON lines"
}

# progress — the progress events as [phase, done, total], one a line.
progress() {
	jq -c 'select(.event == "progress") | [.phase, .done, .total]' <<<"$MF_ERR"
}

# ---- --dry-run: the copies checked --------------------------------------------------
mf_expect 0 retag --dry-run --log-format json -j 4 "${pairs[@]}"
json_lines "dry run"
assert_eq "$(progress | tail -n 1)" "[\"checking\",$N,$N]" "the dry run's last progress event"

# ---- the copies ------------------------------------------------------------------------
mf_expect 0 retag --log-format json -j 4 -o json "${pairs[@]}"
json_lines "retag"
assert_eq "$(jq -r .summary.copied <<<"$MF_OUT")" "$N" "every copy made"
assert_eq "$(progress | tail -n 1)" "[\"copying\",$N,$N]" "the last progress event: done == total == copies"
last=$(jq -c 'select(.event == "progress")' <<<"$MF_ERR" | tail -n 1)
assert_eq "$(jq -r '[.done, .total, .rate, .eta] | map(type) | join(",")' <<<"$last")" \
	"number,number,number,number" "its fields are numbers"
assert_eq "$(jq -r .eta <<<"$last")" 0 "nothing left: eta 0"
assert_eq "$(jq -r .level <<<"$last")" info "a progress event is info"
assert_contains "$(jq -r .msg <<<"$last")" "copying: $N/$N copies, " "its msg counts copies"
assert_eq "$(jq -r 'select(.event == "progress") | .done' <<<"$MF_ERR" | sort -n -c && echo sorted)" sorted \
	"progress counts up"

# ---- promotion from the config's rules --------------------------------------------------
cfg=$TEST_TMP/release.yaml
config_write "$cfg" <<EOF
images:
  - {name: app, tags: [v1]}
retag:
  - from: "{registry}/{name}-{arch}:{tag}"
    to: "{registry}/{name}:{tag}-{arch}"
EOF
mf_expect 0 retag -c "$cfg" --log-format json
json_lines "retag -c"
assert_eq "$(progress | tail -n 1)" '["copying",2,2]' "the rules' last progress event"
assert_eq "$(jq -r 'select(.msg | startswith("retag: ")) | .msg' <<<"$MF_ERR" | head -n 1)" \
	"retag: 2 copies on 2 workers" "no more workers than copies"

# ---- text: a live line on a terminal, none elsewhere --------------------------------------
tty_log=$TEST_TMP/tty.log
script -qec "'$MANIFOLD' retag -j 4 ${pairs[*]}" "$tty_log" >/dev/null 2>&1 || true
assert_contains "$(tr '\r' '\n' <"$tty_log")" "copying $N/$N  " "the terminal's progress line (unchanged copies count too)"
assert_contains "$(tr '\r' '\n' <"$tty_log")" "/s  eta 0 s" "its rate and eta, the last redraw"
assert_contains "$(cat -v "$tty_log")" '^M^[[K' "the line is rewritten in place"
assert_contains "$(cat "$tty_log")" "0 copied, $N unchanged, 0 failed" "the result follows"
mf_expect 0 retag -j 4 "${pairs[@]}"
assert_not_contains "$MF_ERR" "copying" "no progress line when stderr is not a terminal"
