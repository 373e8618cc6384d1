# lib_servers.sh — sourced by lib.sh: the servers a test starts (throwaway
# docker-registry instances, the fault, slow, rate and delay proxies in front
# of them, a Prometheus Pushgateway), each killed when the test exits.

# ---- registries --------------------------------------------------------------

# registry_start [--name N] [--htpasswd USER:PASS] [--token USER:PASS]
#                [--anonymous-pull] [--no-delete] [--port P] [--tls] [--root DIR]
# Starts docker-registry on 127.0.0.1:<free port> (or P) with its own storage
# root (or DIR, e.g. another registry's REGISTRY_DIR/root: two front ends on
# one storage). --tls: HTTPS with a fresh self-signed certificate for
# 127.0.0.1 (REGISTRY_HTTP_TLS_CERTIFICATE/KEY), exported as REGISTRY_CA
# (REGISTRY_N_CA); REGISTRY_URL is then https://, and log_sync does not
# work on it (a plain twin on the same --root can be counted instead).
# Exports REGISTRY (host:port), REGISTRY_LOG (access log), REGISTRY_DIR,
# REGISTRY_URL; with --token also TOKEN_LOG (one JSON line per token request)
# and TOKEN_REALM (refuse, not-json or no-token written to
# $REGISTRY_DIR/token.answer makes the token server answer so). With --name N
# the same values are also exported as REGISTRY_N, REGISTRY_N_LOG, REGISTRY_N_DIR, REGISTRY_N_TOKEN_LOG (N upper-cased).
registry_start() {
	local name="" htpasswd="" token="" delete=true anon=none fixed_port="" tls=no root=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--port) fixed_port=$2; shift 2 ;;
		--tls) tls=yes; shift ;;
		--root) root=$2; shift 2 ;;
		--name) name=$2; shift 2 ;;
		--htpasswd) htpasswd=$2; shift 2 ;;
		--token) token=$2; shift 2 ;;
		--anonymous-pull) anon=pull; shift ;;
		--no-delete) delete=false; shift ;;
		*) fail "registry_start: unknown option $1" ;;
		esac
	done
	local dir="$TEST_TMP/registry-${name:-main}"
	[ -e "$dir" ] && fail "registry_start: a registry named '${name:-main}' already runs"
	mkdir -p "$dir/root"
	root=${root:-$dir/root}
	local scheme=http tls_env=() ca=""
	if [ "$tls" = yes ]; then
		scheme=https
		ca=$dir/tls.crt
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
			-addext subjectAltName=IP:127.0.0.1 -keyout "$dir/tls.key" -out "$ca" 2>/dev/null ||
			fail "registry_start: openssl req failed"
		tls_env=(REGISTRY_HTTP_TLS_CERTIFICATE="$ca" REGISTRY_HTTP_TLS_KEY="$dir/tls.key")
	fi

	local auth=""
	if [ -n "$htpasswd" ]; then
		need htpasswd
		htpasswd -Bbn "${htpasswd%%:*}" "${htpasswd#*:}" >"$dir/htpasswd" 2>/dev/null
		auth="auth:
  htpasswd:
    realm: manifold-test
    path: $dir/htpasswd"
	fi
	local token_log="" token_realm=""
	if [ -n "$token" ]; then
		token_log="$dir/token.log"
		python3 "$LIB_DIR/tokenserver.py" --port-file "$dir/token.port" --dir "$dir" \
			--log "$token_log" --user "$token" --anonymous "$anon" \
			--service manifold-test-registry --issuer manifold-test-tokenserver \
			--answer-file "$dir/token.answer" \
			>"$dir/token.err" 2>&1 &
		local tpid=$!
		_LIB_PIDS+=("$tpid")
		wait_for "token server" 200 test -s "$dir/token.port"
		token_realm="http://127.0.0.1:$(cat "$dir/token.port")/token"
		auth="auth:
  token:
    realm: $token_realm
    service: manifold-test-registry
    issuer: manifold-test-tokenserver
    rootcertbundle: $dir/token.crt"
	fi

	local attempt port pid ready
	for attempt in 1 2 3 4 5; do
		port=${fixed_port:-$(free_port)}
		cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $root
  delete:
    enabled: $delete
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: manifold-test-$port
$auth
EOF
		: >"$dir/access.log"
		# docker-registry reads REGISTRY_* variables as config overrides
		# (REGISTRY_LOG would replace log:), so it gets a clean environment.
		env -i PATH="$PATH" HOME="$TEST_TMP" "${tls_env[@]}" docker-registry serve "$dir/config.yml" \
			>"$dir/access.log" 2>"$dir/registry.err" &
		pid=$!
		_LIB_PIDS+=("$pid")
		ready=0
		! _lib_wait_http "$scheme://127.0.0.1:$port/v2/" "$pid" || ready=1
		if [ "$ready" = 1 ] && _lib_alive "$pid"; then
			break
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		if [ -n "$fixed_port" ] || ! grep -q "address already in use" "$dir/registry.err"; then
			cat "$dir/registry.err" >&2
			fail "docker-registry did not start on 127.0.0.1:$port"
		fi
	done
	[ "$ready" = 1 ] || fail "docker-registry: no free port after 5 attempts"

	echo "127.0.0.1:$port" >"$dir/addr"
	echo "$pid" >"$dir/pid"
	_LIB_LOG_ADDR["$dir/access.log"]="127.0.0.1:$port"
	_lib_export REGISTRY "127.0.0.1:$port"
	_lib_export REGISTRY_URL "$scheme://127.0.0.1:$port"
	_lib_export REGISTRY_CA "$ca"
	_lib_export REGISTRY_LOG "$dir/access.log"
	_lib_export REGISTRY_DIR "$dir"
	_lib_export TOKEN_LOG "$token_log"
	_lib_export TOKEN_REALM "$token_realm"
	if [ -n "$name" ]; then
		local up=${name^^}
		up=${up//-/_}
		_lib_export "REGISTRY_$up" "127.0.0.1:$port"
		_lib_export "REGISTRY_${up}_URL" "$scheme://127.0.0.1:$port"
		_lib_export "REGISTRY_${up}_CA" "$ca"
		_lib_export "REGISTRY_${up}_LOG" "$dir/access.log"
		_lib_export "REGISTRY_${up}_DIR" "$dir"
		_lib_export "REGISTRY_${up}_TOKEN_LOG" "$token_log"
	fi
}

# registry_stop [NAME] — stop the registry registry_start [--name NAME]
# started (its storage stays; registry_start --root DIR --port PORT under
# another name serves it again).
registry_stop() {
	local dir="$TEST_TMP/registry-${1:-main}" pid
	pid=$(cat "$dir/pid") || fail "registry_stop: no registry '${1:-main}'"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# faultproxy_start --upstream HOST:PORT [--name N] [--fail RULE]... [--retry-after S] [--error-message T]
#                  [--random-faults SEED [--mix KIND:PCT,...]]
# Exports PROXY (host:port) and PROXY_LOG ("METHOD PATH STATUS fault|upstream"
# per request, "fault:KIND" for a random fault); with --name N also PROXY_N,
# PROXY_N_LOG. Rules and the random kinds: faultproxy.py.
faultproxy_start() {
	_lib_proxy_start faultproxy.py "--fail --retry-after --random-faults --mix --error-message" "$@"
}

# slowproxy_start: faultproxy_start's options, plus the network-shaped
# faults of slowproxy.py (--slow, --stall, --tamper, --cut, --no-range,
# --head-body, --delay, --tag-pages). Exports the same PROXY, PROXY_LOG (and PROXY_N...).
slowproxy_start() {
	_lib_proxy_start slowproxy.py "--fail --retry-after --random-faults --mix --slow --stall --tamper --cut --no-range --head-body --delay --tag-pages" "$@"
}

# rateproxy_start --upstream HOST:PORT [--name N] --limit N [--window S]
#                 [--headers ietf|dockerhub|none] [--limit-file F]
# A registry's rate limit in front of HOST:PORT (rateproxy.py): at most N
# requests every S seconds (fixed windows), 429 + Retry-After beyond, the
# rate-limit headers on every answer. Exports PROXY, PROXY_LOG like
# faultproxy_start; its 429s are the log's "429 limited" lines.
rateproxy_start() {
	_lib_proxy_start rateproxy.py "--limit --window --headers --limit-file" "$@"
}

# delayproxy_start --upstream HOST:PORT [--name N] [--delay-ms MS]
# A plain TCP forwarder holding every chunk back MS (default 10) in each
# direction: the upstream seen from PROXY is a round trip of 2 × MS away
# (delayproxy.py; scripts/bench). Exports PROXY, PROXY_LOG (one line per
# connection).
delayproxy_start() {
	_lib_proxy_start delayproxy.py "--delay-ms" "$@"
}

# _lib_proxy_start SCRIPT "OPTIONS TAKING A VALUE" ARGS...
_lib_proxy_start() {
	local script=$1 known=" $2 " name="" upstream="" args=()
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--name) name=$2; shift 2 ;;
		--upstream) upstream=$2; shift 2 ;;
		*)
			case "$known" in *" $1 "*) ;; *) fail "${script%.py}_start: unknown option $1" ;; esac
			args+=("$1" "$2")
			shift 2
			;;
		esac
	done
	[ -n "$upstream" ] || fail "${script%.py}_start: --upstream is required"
	local dir="$TEST_TMP/proxy-${name:-main}"
	[ -e "$dir" ] && fail "${script%.py}_start: a proxy named '${name:-main}' already runs"
	mkdir -p "$dir"
	python3 "$LIB_DIR/$script" --upstream "$upstream" --port-file "$dir/port" \
		--log "$dir/proxy.log" "${args[@]}" >"$dir/proxy.err" 2>&1 &
	local pid=$!
	_LIB_PIDS+=("$pid")
	wait_for "${script%.py}" 200 test -s "$dir/port"
	_lib_alive "$pid" || fail "$script exited: $(cat "$dir/proxy.err")"
	_lib_export PROXY "127.0.0.1:$(cat "$dir/port")"
	_lib_export PROXY_LOG "$dir/proxy.log"
	if [ -n "$name" ]; then
		local up=${name^^}
		_lib_export "PROXY_${up//-/_}" "$PROXY"
		_lib_export "PROXY_${up//-/_}_LOG" "$PROXY_LOG"
	fi
}

# pushgateway_start — Debian's prometheus-pushgateway on 127.0.0.1:<free
# port>, no persistence. Exports PUSHGATEWAY_URL (http://127.0.0.1:PORT).
pushgateway_start() {
	need prometheus-pushgateway
	local dir="$TEST_TMP/pushgateway" attempt port pid
	mkdir -p "$dir"
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		prometheus-pushgateway --web.listen-address="127.0.0.1:$port" --persistence.file="" \
			>"$dir/out.log" 2>&1 &
		pid=$!
		_LIB_PIDS+=("$pid")
		if _lib_wait_http "http://127.0.0.1:$port/-/ready" "$pid" && _lib_alive "$pid"; then
			_lib_export PUSHGATEWAY_URL "http://127.0.0.1:$port"
			return 0
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		grep -q "address already in use" "$dir/out.log" || { cat "$dir/out.log" >&2; fail "pushgateway did not start"; }
	done
	fail "pushgateway: no free port after 5 attempts"
}

# proxy_count PATTERN — lines of $PROXY_LOG matching an ERE ("HEAD .* 503 fault").
proxy_count() {
	grep -cE -- "$1" "$PROXY_LOG" || true
}
