#!/usr/bin/env bash
# test_publish_fault_night.sh — a night through a bad network publishes in
# one run: 60 targets × 3 platforms through faultproxy.py drawing, for every
# request, 6 % 429 (Retry-After: 1), 6 % 503, 5 % resets, 3 % truncated
# answers, 3 % tampered bodies and 2 % 200s with a body that is not JSON.
# Read back from the registry directly: at least 99 % of the targets carry
# the list of the seeded children, no list names a child its repository
# lacks, every failed target (if any) says the real cause, each fault the
# client saw is one retry of its cause, and a second run heals the rest.
# scripts/bench-faults is the same at 400 targets.
#
# The draws are a hash of the seed and each request's method, path and try
# (faultproxy.py), so this seed gives the same faults every run. At 60
# targets "at least 99 %" means all 60: with the defaults (4 retries) a
# request fails for good when 5 tries in a row draw a fault, about one
# target in a hundred at this mix (the bench's rate), so a seed is either a
# pass or a fail every time and this one is a pass; a change that retries
# any kind worse turns it into a fail.
source "$(dirname "$0")/lib.sh"

n=60
platforms=(linux/amd64 linux/arm64/v8 linux/ppc64le)
mix=429:6,503:6,reset:5,truncate:3,tamper:3,garbage:2

registry_start
seed_night night "$n" v1 "${platforms[@]}"
faultproxy_start --upstream "$REGISTRY" --retry-after 1 --random-faults fault-night-1 --mix "$mix"

cfg=$TEST_TMP/night.yaml
# The fault mix is drawn per request: referrer lookups (5 per copied child,
# answered 404 here) would add draws the issue's night does not have.
images_yaml v1 "${NAMES[@]}" | config_write "$cfg" --registry "$PROXY" \
	--platforms "linux/amd64, linux/arm64/v8, linux/ppc64le" --default "referrers: skip"
st=$TEST_TMP/status.json

MANIFOLD_BACKOFF_MS=20 mf publish -c "$cfg" --status "$st" -j 16 -o json
case "$MF_RC" in 0 | 1) ;; *) fail "first run: exit $MF_RC, want 0 (or 1 with failed targets)" ;; esac
out=$MF_OUT
jq -e . "$st" >/dev/null || fail "the status file is not JSON"
jq -e .summary <<<"$out" >/dev/null || fail "publish -o json is not JSON"

# ---- what the registry holds ------------------------------------------------------
declare -A seen=() states=()
while read -r t s; do states[$t]=$s; done < <(jq -r '.targets[] | "\(.target) \(.state)"' <<<"$out")
while read -r name v; do
	seen[$v]=$((${seen[$v]:-0} + 1))
	state=${states[$PROXY/$name:v1]:-none}
	case "$v/$state" in
	ok/published | absent/failed) ;;
	*) fail "$name:v1: the registry holds a list that is $v, manifold says $state" ;;
	esac
done < <(lists_verify v1 "${platforms[@]}" -- "${NAMES[@]}")
assert_eq "$((${seen[ok]:-0} + ${seen[absent]:-0} + ${seen[missing-child]:-0} + ${seen[wrong-child]:-0}))" "$n" "lists read back"
assert_eq "${seen[missing-child]:-0}" 0 "lists pointing at missing children"
assert_eq "${seen[wrong-child]:-0}" 0 "lists with other children than the seeded ones"
ok=${seen[ok]:-0}
[ $((ok * 100)) -ge $((n * 99)) ] || fail "published correctly: $ok of $n, want at least 99 %"
failed=$(jq '.summary.failed' <<<"$out")
assert_eq "$(jq -c '.summary | [.published, .failed]' <<<"$out")" "[$ok,$((n - ok))]" "summary counts"
assert_eq "$(status_counts "$st")" "[$ok,0,0,$failed]" "status file counts"

# ---- a failed target says why: the HTTP status and code, or curl's error ----------
cause='[0-9]{3} [A-Z_]+ \(|: (Failure when receiving data|Transferred a partial file|Recv failure|Empty reply|Send failure)|body has digest sha256:|body is not JSON'
while IFS= read -r reason; do
	grep -qE "$cause" <<<"$reason" || fail "a failed target's reason names no cause: $reason"
done < <(jq -r '.targets[] | select(.state == "failed") | [.reason, (.platforms[] | .reason // empty)] | join(" | ")' <<<"$out")

# ---- every fault the client saw is one retry of its cause ---------------------------
count() { grep -c " fault:$1\$" "$PROXY_LOG" || true; }
# retried KIND [PATH-ERE] — faults of KIND (on paths matching) that were not
# their request's last try. A last try's fault is not retried: its request
# failed its target, or was one whose failure is not fatal (a refused mount
# is copied instead).
retried() {
	awk -v kind="fault:$1" -v re="${2:-.}" '{ k = $1 " " $2; n[k]++; if ($NF == kind && $2 ~ re) f[k, n[k]] = 1 }
		END { for (x in f) { split(x, p, SUBSEP); if (p[2] < n[p[1]]) r++ } print r + 0 }' "$PROXY_LOG"
}
for kind in 429 503 reset truncate tamper garbage; do
	[ "$(count "$kind")" -gt 0 ] || fail "no $kind fault was drawn: the mix did not apply"
done
retries() { jq ".summary.retries.$1" <<<"$out"; }
assert_eq "$(retries status)" $(($(retried 429) + $(retried 503))) "retries after a 429 or 503"
# Resets and cuts (inside a body or inside the headers) alike.
assert_eq "$(retries connection)" $(($(retried reset) + $(retried truncate))) "retries after a reset or a cut answer"
[ "$(retries digest)" -ge "$(retried garbage)" ] || fail "a garbage body was not retried: $(retries digest) digest retries, $(retried garbage) garbage"
[ "$(retries digest)" -le $(($(count tamper) + $(count garbage))) ] || fail "more body retries than tampered or garbage bodies"
assert_eq "$(retries timeout)" 0 "timeouts"
assert_eq "$(grep -cE '; retry [0-9]+/4( on a fresh connection)? in [0-9]+ ms$' <<<"$MF_ERR")" "$(retries total)" "one warning per retry"
assert_eq "$(grep -cE 'GET manifest: body is not JSON \([0-9]+ bytes\) and has no digest to check; retry' <<<"$MF_ERR")" \
	"$(retried garbage '^/v2/night-[0-9]+-[a-z0-9]+/manifests/v1$')" \
	"each garbage answer to a manifest GET by tag was retried"

# ---- a second run heals the rest ----------------------------------------------------
MANIFOLD_BACKOFF_MS=20 mf_expect 0 publish -c "$cfg" --status "$st" -j 16 -o json
assert_eq "$(jq -c '.summary | [.published + .unchanged, .failed, .incomplete]' <<<"$MF_OUT")" "[$n,0,0]" "second run: everything published or unchanged"
assert_eq "$(jq '.summary.published' <<<"$MF_OUT")" "$((n - ok))" "second run publishes what the first did not"
lists=$(lists_verify v1 "${platforms[@]}" -- "${NAMES[@]}")
assert_eq "$(grep -c ' ok$' <<<"$lists")" "$n" "lists that hold the seeded children after the second run: $(grep -v ' ok$' <<<"$lists" | paste -sd,)"
jq -e . "$st" >/dev/null || fail "the status file is not JSON after the second run"
