#!/usr/bin/env bash
# bench/wrk/run.sh: requests per second, with wrk on loopback, of an authhttp-protected Go endpoint against
# the real Better Auth server's own GET /api/auth/get-session, on the same SQLite file and the same cookies.
#
#   1. starts the real Better Auth server (interop/server.mjs, better-auth 1.7.25, no cookie cache) on a fresh
#      SQLite file, and signs up USERS users through it, keeping each one's session cookie;
#   2. checks that every cookie is signed in on both servers;
#   3. runs wrk against Node's /api/auth/get-session — as configured in interop/ (the jwt() plugin signs a
#      JWT for the set-auth-jwt header of every answer), then with NO_JWT_HEADER=1 (no such JWT: Node's
#      fastest) — and against GET /api/me of examples/nethttp
#      (authhttp.Require, DATABASE_URL=sqlite:<the same file>): first with no in-process cache (one SQLite
#      query per request), then with GOBETTERAUTH_STORE_CACHE_TTL=5s. Every request carries the cookie of the
#      next user (rotate.lua). Each run follows a short warm-up;
#   4. prints a table: req/s, p50 and p99 latency, and the ratio to the faster Node run.
#
# Needs node (with interop/node_modules: `make interop-deps`), go, wrk (apt-get install wrk) and curl.
# Settings (environment): USERS (100), THREADS (2), CONNECTIONS (32), DURATION (10s), WARMUP (2s),
# STORE_CACHE_TTL (5s). Everything runs on 127.0.0.1 and is stopped and deleted at the end.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/wrk"
USERS="${USERS:-100}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
STORE_CACHE_TTL="${STORE_CACHE_TTL:-5s}"
SECRET="gobetterauth-wrk-benchmark-secret-0123456789abcdef" # test-only

die() { echo "wrk/run.sh: $*" >&2; exit 1; }

for tool in node go wrk curl; do
	command -v "$tool" >/dev/null || die "$tool is not on PATH (wrk: apt-get install wrk; node: see interop/README.md)"
done
[ -d "$root/interop/node_modules/better-auth" ] || "$root/scripts/interop-deps.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/gobetterauth-wrk.XXXXXX")"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# Only the variables set below configure the servers.
unset NODE_ENV TEST AUTH_SECRET DATABASE_URL REDIS_URL GOBETTERAUTH_STORE_CACHE_TTL
for v in $(env | sed -n 's/^\(BETTER_AUTH_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

# free_port, wait_for, start_node
. "$here/lib.sh"

echo "== Better Auth server (interop/server.mjs) on $work/auth.db"
start_node node
node_default_url="$node_url"
echo "$node_url"

echo "== signing up $USERS users"
signup() { # i: prints the user's session cookie as "name=value"
	curl -fsS -D - -o /dev/null -H 'content-type: application/json' \
		-d "{\"email\":\"wrk-user-$1@example.com\",\"password\":\"wrk-password-1234\",\"name\":\"wrk user $1\"}" \
		"$node_url/api/auth/sign-up/email" | tr -d '\r' |
		sed -n 's/^[Ss]et-[Cc]ookie: \(better-auth\.session_token=[^;]*\);.*/\1/p'
}
export -f signup
export node_url
seq 1 "$USERS" | xargs -P 4 -I{} bash -c 'signup {}' >"$work/cookies.txt"
[ "$(wc -l <"$work/cookies.txt")" -eq "$USERS" ] || die "got $(wc -l <"$work/cookies.txt") session cookies for $USERS sign-ups"

echo "== building examples/nethttp"
(cd "$root/examples" && go build -o "$work/nethttp" ./nethttp)

start_go() { # store cache TTL ("" for none): starts examples/nethttp, sets go_url
	local port
	port="$(free_port)"
	env BETTER_AUTH_URL="$node_url" BETTER_AUTH_SECRET="$SECRET" DATABASE_URL="sqlite:$work/auth.db" \
		GOBETTERAUTH_STORE_CACHE_TTL="$1" ADDR=127.0.0.1 PORT="$port" \
		"$work/nethttp" >"$work/go.out" 2>&1 </dev/null &
	go_pid=$!
	pids+=("$go_pid")
	go_url="http://127.0.0.1:$port"
	wait_for "$go_url/healthz" 10 || { cat "$work/go.out" >&2; die "examples/nethttp did not start"; }
}

stop_go() {
	kill "$go_pid" 2>/dev/null || true
	wait "$go_pid" 2>/dev/null || true
}

echo "== checking every cookie on both servers"
start_go ""
while IFS= read -r cookie; do
	body="$(curl -fsS -H "Cookie: $cookie" "$node_url/api/auth/get-session")"
	case "$body" in *'"user":{'*) ;; *) die "Node's /get-session answered $body for $cookie" ;; esac
	code="$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$go_url/api/me")"
	[ "$code" = 200 ] || die "Go's /api/me answered $code for $cookie"
done <"$work/cookies.txt"
stop_go

bench() { # label, base URL, path: warm-up, then the measured run; prints "label req/s p50 p99"
	local out
	COOKIES="$work/cookies.txt" WRK_PATH="$3" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$here/rotate.lua" "$2" >/dev/null
	out="$(COOKIES="$work/cookies.txt" WRK_PATH="$3" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$here/rotate.lua" "$2")"
	echo "$out" >&2
	read -r _ requests seconds rps p50 p99 errors non2xx <<<"$(grep '^RESULT ' <<<"$out")"
	[ "$errors" = 0 ] && [ "$non2xx" = 0 ] || die "$1: $errors socket errors, $non2xx non-2xx answers"
	echo "$1|$rps|$p50|$p99|$requests"
}

results=()
echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION: Node GET /api/auth/get-session"
results+=("$(bench "Better Auth /api/auth/get-session (Node), set-auth-jwt header" "$node_url" /api/auth/get-session)")
echo "== wrk: Node GET /api/auth/get-session, NO_JWT_HEADER=1"
start_node node-nojwt NO_JWT_HEADER=1
results+=("$(bench "Better Auth /api/auth/get-session (Node), no JWT header" "$node_url" /api/auth/get-session)")
kill "$node_pid" 2>/dev/null || true
wait "$node_pid" 2>/dev/null || true
node_url="$node_default_url"
echo "== wrk: Go GET /api/me, sqlstore, no cache"
start_go ""
results+=("$(bench "Go authhttp /api/me, sqlstore (SQLite), no cache" "$go_url" /api/me)")
stop_go
echo "== wrk: Go GET /api/me, sqlstore, GOBETTERAUTH_STORE_CACHE_TTL=$STORE_CACHE_TTL"
start_go "$STORE_CACHE_TTL"
results+=("$(bench "Go authhttp /api/me, sqlstore + store.NewCache($STORE_CACHE_TTL)" "$go_url" /api/me)")
stop_go

node_rps="$(printf '%s\n' "${results[@]:0:2}" | cut -d'|' -f2 | sort -g | tail -1)" # the faster Node run
echo
echo "$(nproc) cores, shared by wrk ($THREADS threads, $CONNECTIONS connections, $DURATION), the server under test and nothing else;"
echo "$(go version | cut -d' ' -f3-4), node $(node --version), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $USERS users"
echo
echo "| server | req/s | p50 | p99 | × faster Node |"
echo "| --- | ---: | ---: | ---: | ---: |"
printf '%s\n' "${results[@]}" | awk -F'|' -v node="$node_rps" \
	'{ printf "| %s | %.0f | %.2f ms | %.2f ms | %.1f× |\n", $1, $2, $3 / 1000, $4 / 1000, $2 / node }'
