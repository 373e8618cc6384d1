#!/usr/bin/env bash
# test_cli_help_completion_man.sh — --help, the man page and the bash/zsh
# completions come from the one option table: each command's --help lists
# exactly its flags, the man page section and the completion offer the same
# ones, enumerated values (-o, --log-format) complete per command, the
# scripts parse (bash -n, zsh -n), manifold.1 renders without warnings, the
# build's files are what the binary prints, and `cmake --install` puts the
# binary, the page and both scripts where man, bash and zsh look.
source "$(dirname "$0")/lib.sh"
need bash groff cmake

build=${MANIFOLD_BUILD_DIR:?ctest sets MANIFOLD_BUILD_DIR}
need_manifold

# Every command's long flags in table order (what its --help must list).
shared_reg="--jobs --output --insecure --tls --ca-file --authfile --verbose --log-format --help"
declare -A want=(
	[check]="--config --only --shard --deadline --status --metrics-file --pushgateway --verify $shared_reg"
	[publish]="--config --only --shard --deadline --grace --status --metrics-file --pushgateway --commit --allow-shrink --overwrite --recheck-children --push --repo --author --refresh-referrers --estimate --memory-limit --jobs --output --dry-run --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[retag]="--config --only --status --allow-shrink --overwrite --from-file --jobs --output --dry-run --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[inspect]="--file --raw --platform --signatures --output --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[status]="--config --output-file --format --since --check --max-incomplete-age --history --days --compact --title --release --registry-url --commit-url --output --verbose --log-format --help"
	[push from-spec]="--ignore-missing --annotation --no-verify-platform --allow-shrink --overwrite --output --dry-run --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[push from-args]="--platforms --template --target --tags --ignore-missing --annotation --no-verify-platform --allow-shrink --overwrite --output --dry-run --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[append]="--platform --annotation --index-annotation --no-verify-platform --allow-shrink --output --dry-run --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[annotate]="--platform --annotation --index-annotation --variant --os-version --os-features --features --no-verify-platform --allow-shrink --output --dry-run --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[delete]="--force --output --dry-run --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[prune]="--config --only --confirm --jobs --output --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[login]="--username --password-stdin --insecure --tls --ca-file --authfile --verbose --log-format --help"
	[logout]="--authfile --verbose --log-format --help"
	[completion]="--verbose --log-format --help"
	[verify]="--key --output --insecure --tls --ca-file --authfile --verbose --log-format --help"
)
commands="check publish retag inspect status push append annotate delete prune login logout completion verify"

# long_flags — the long flags of option lines ("  -c, --config FILE  ...") on stdin.
long_flags() { grep -oE '^ +(-[a-z], )?--[a-z-]+' | sed 's/.*--/--/' | tr '\n' ' ' | sed 's/ $//'; }

# ---- manifold --help: the dispatch table ------------------------------------------
mf_expect 0 --help
assert_eq "$(sed -n '/^commands:/,/^$/p' <<<"$MF_OUT" | awk 'NF && !/:$/ {print $1}' | tr '\n' ' ' | sed 's/ $//')" \
	"$commands" "manifold --help lists the commands"
assert_not_contains "$MF_OUT" "  man " "the man page writer is not listed"

# ---- each command's --help -----------------------------------------------------------
man_text=$(groff -man -Tutf8 -P-cbou "$build/manifold.1")
for cmd in "${!want[@]}"; do
	read -ra words <<<"$cmd"
	mf_expect 0 "${words[@]}" --help
	assert_eq "$(head -1 <<<"$MF_OUT" | cut -d' ' -f1-$((1 + ${#words[@]} + 1)))" "usage: manifold $cmd" "$cmd --help: usage line"
	assert_eq "$(sed -n '/^options:/,/^$/p' <<<"$MF_OUT" | long_flags)" "${want[$cmd]}" "$cmd --help: its flags"
	mf_expect 0 "${words[@]}" -h
	assert_eq "$(sed -n '/^options:/,/^$/p' <<<"$MF_OUT" | long_flags)" "${want[$cmd]}" "$cmd -h"
	assert_eq "$(awk -v h="   $cmd" '$0 == h {on = 1; next} /^   [a-z]/ || /^[A-Z]/ {on = 0} on' <<<"$man_text" | long_flags)" \
		"${want[$cmd]}" "man page section of $cmd: its flags"
done
mf_expect 0 check --help
assert_contains "$MF_OUT" "  -c, --config FILE" "short letter and value name"
assert_contains "$MF_OUT" "  -o, --output FORMAT     output format: text|json (default text)" "-o values of check"
mf_expect 0 status --help
assert_contains "$MF_OUT" "  -o, --output FORMAT     output format: table|json|markdown|html (default" "-o values of status"
mf_expect 0 publish --help
assert_contains "$MF_OUT" "      --push[=REMOTE]" "an optional value"
mf_expect 0 push --help
assert_contains "$MF_OUT" "  from-spec    push the list a manifest-tool YAML spec describes" "push --help lists its subcommands"
mf_expect 2 push
mf_expect 2 push sideways
assert_eq "$MF_ERR" "manifold push: \"sideways\" is not from-spec or from-args; see 'manifold push --help'" "unknown subcommand"

# ---- bash completion ---------------------------------------------------------------
mf_expect 0 completion bash
bash_script=$TEST_TMP/manifold.bash
printf '%s\n' "$MF_OUT" >"$bash_script"
bash -n "$bash_script" || fail "completion bash: not valid bash"
cmp -s "$bash_script" "$build/completion/manifold.bash" || fail "build/completion/manifold.bash is not what 'completion bash' prints"

# complete WORD... — what the completion offers for the last word.
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _manifold; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"' \
		_ "$bash_script" manifold "$@"
}
assert_eq "$(complete_words publish --j)" "--jobs" "manifold publish --j<TAB>"
assert_eq "$(complete_words retag --j)" "--jobs" "manifold retag --j<TAB>"
assert_eq "$(complete_words pu)" "publish push" "command names"
assert_eq "$(complete_words -v --log-format json st)" "status" "command after global flags"
assert_eq "$(complete_words check -o "")" "json text" "-o values of check"
assert_eq "$(complete_words status x.json --output "")" "html json markdown table" "-o values of status"
assert_eq "$(complete_words status x.json --format = m)" "markdown" "--format=VALUE (bash splits at =)"
assert_eq "$(complete_words delete --log-format "")" "json text" "--log-format values"
assert_eq "$(complete_words push "")" "--help -h from-args from-spec" "push subcommands"
assert_eq "$(complete_words push from-args --t)" "--tags --target --template --tls" "push from-args flags"
assert_eq "$(complete_words completion "")" "bash zsh" "completion shells"
for cmd in "${!want[@]}"; do
	read -ra words <<<"$cmd"
	assert_eq "$(complete_words "${words[@]}" --)" "$(tr ' ' '\n' <<<"${want[$cmd]}" | sort | tr '\n' ' ' | sed 's/ $//')" \
		"bash completion of $cmd offers its flags"
done

# ---- zsh completion --------------------------------------------------------------------
mf_expect 0 completion zsh
printf '%s\n' "$MF_OUT" >"$TEST_TMP/_manifold"
assert_eq "$(head -1 "$TEST_TMP/_manifold")" "#compdef manifold" "zsh: #compdef line"
assert_contains "$MF_OUT" "'(-o --output)'{-o+,--output=}'[output format]:FORMAT:(table json markdown html)'" "zsh: status -o values"
cmp -s "$TEST_TMP/_manifold" "$build/completion/_manifold" || fail "build/completion/_manifold is not what 'completion zsh' prints"
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$TEST_TMP/_manifold" || fail "completion zsh: not valid zsh"
else
	echo "zsh not installed: zsh -n skipped" >&2
fi
mf_expect 0 completion --help
assert_eq "$(head -1 <<<"$MF_OUT")" "usage: manifold completion bash|zsh" "completion --help"
mf_expect 2 completion fish
assert_eq "$MF_ERR" "manifold completion: \"fish\": want bash or zsh" "unknown shell"

# ---- the man page ----------------------------------------------------------------------
mf_expect 0 man
printf '%s\n' "$MF_OUT" >"$TEST_TMP/manifold.1"
cmp -s "$TEST_TMP/manifold.1" "$build/manifold.1" || fail "build/manifold.1 is not what 'manifold man' prints"
warnings=$(groff -man -Tutf8 -ww -z "$build/manifold.1" 2>&1)
assert_eq "$warnings" "" "groff renders manifold.1 without warnings"
assert_eq "$(head -1 <<<"$man_text" | tr -s ' ')" "MANIFOLD(1) User Commands MANIFOLD(1)" "man page header"
if command -v man >/dev/null 2>&1; then
	assert_eq "$(man -l "$build/manifold.1" 2>&1 >/dev/null)" "" "man -l renders without warnings"
fi

# ---- cmake --install -----------------------------------------------------------------
prefix=$TEST_TMP/prefix
cmake --install "$build" --prefix "$prefix" >"$TEST_TMP/install.log" 2>&1 || fail "cmake --install: $(cat "$TEST_TMP/install.log")"
assert_eq "$(cd "$prefix" && find . -type f | sort | tr '\n' ' ')" \
	"./bin/manifold ./share/bash-completion/completions/manifold ./share/man/man1/manifold.1 ./share/zsh/site-functions/_manifold " \
	"installed files"
[ -x "$prefix/bin/manifold" ] || fail "installed manifold is not executable"
assert_eq "$("$prefix/bin/manifold" --version)" "$("$MANIFOLD" --version)" "installed binary runs"
cmp -s "$prefix/share/bash-completion/completions/manifold" "$bash_script" || fail "installed bash completion differs"
cmp -s "$prefix/share/man/man1/manifold.1" "$build/manifold.1" || fail "installed man page differs"
cmp -s "$prefix/share/zsh/site-functions/_manifold" "$TEST_TMP/_manifold" || fail "installed zsh completion differs"
