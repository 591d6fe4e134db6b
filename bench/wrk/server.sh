#!/usr/bin/env bash
# bench/wrk/server.sh: requests per second, with wrk on loopback, of GET /api/auth/get-session on the real
# Better Auth server and on gobetterauth's server mode ((*auth.Auth).ServeHTTP), both on the same SQLite
# file with the same secret and the same session cookies.
#
#   1. starts the real Better Auth server (interop/server.mjs, better-auth 1.7.25, no cookie cache) on a fresh
#      SQLite file, and signs up USERS users through it, keeping each one's session cookie;
#   2. builds bench/cmd/goserver (auth.Config.Server on DATABASE_URL=sqlite:<the same file>, the same
#      BETTER_AUTH_SECRET; examples/ has no server-mode binary that takes DATABASE_URL) and checks that every
#      cookie gets the same user from both servers' /api/auth/get-session;
#   3. runs wrk against /api/auth/get-session of
#        - Node as configured in interop/ (the jwt() plugin signs a JWT for the set-auth-jwt header of every
#          answer), then with NO_JWT_HEADER=1 (no such JWT: Node's fastest);
#        - Go with no JWT plugin (one SQLite query per request, like Node's), then with GOBETTERAUTH_JWT=1
#          (the JWT plugin on the shared jwks table: Go signs set-auth-jwt with the key Node made).
#      Every request carries the cookie of the next user (rotate.lua). Each run follows a short warm-up;
#   4. prints a table: req/s, p50 and p99 latency, the ratio to Node with the same JWT setting and to the
#      faster Node run.
#
# Needs node (with interop/node_modules: `make interop-deps`), go, wrk (apt-get install wrk) and curl.
# Settings (environment): USERS (100), THREADS (2), CONNECTIONS (32), DURATION (10s), WARMUP (2s), TIMEOUT (10s).
# Everything runs on 127.0.0.1 and is stopped and deleted at the end.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/wrk"
USERS="${USERS:-100}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
TIMEOUT="${TIMEOUT:-10s}" # wrk's per-request timeout (its default, 2 s, is hit on a loaded 2-core VM)
SECRET="gobetterauth-wrk-benchmark-secret-0123456789abcdef" # test-only

die() { echo "wrk/server.sh: $*" >&2; exit 1; }

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
unset NODE_ENV TEST AUTH_SECRET DATABASE_URL REDIS_URL GOBETTERAUTH_STORE_CACHE_TTL GOBETTERAUTH_JWT
for v in $(env | sed -n 's/^\(BETTER_AUTH_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

# free_port, wait_for, start_node
. "$here/lib.sh"

stop_node() {
	kill "$node_pid" 2>/dev/null || true
	wait "$node_pid" 2>/dev/null || true
}

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

echo "== building bench/cmd/goserver"
(cd "$root/bench" && go build -o "$work/goserver" ./cmd/goserver)

start_go() { # extra environment...: starts bench/cmd/goserver on the SQLite file, sets go_url
	local port
	port="$(free_port)"
	env BETTER_AUTH_SECRET="$SECRET" DATABASE_URL="sqlite:$work/auth.db" ADDR=127.0.0.1 PORT="$port" "$@" \
		"$work/goserver" >"$work/go.out" 2>&1 </dev/null &
	go_pid=$!
	pids+=("$go_pid")
	go_url="http://127.0.0.1:$port"
	wait_for "$go_url/healthz" 10 || { cat "$work/go.out" >&2; die "bench/cmd/goserver did not start"; }
}

stop_go() {
	kill "$go_pid" 2>/dev/null || true
	wait "$go_pid" 2>/dev/null || true
}

# get_session url cookie: prints the status line's code, whether a set-auth-jwt header came, and the
# user's email, as "code jwt|nojwt email".
get_session() {
	local out code jwt email
	out="$(curl -sS -D - -H "Cookie: $2" "$1/api/auth/get-session" | tr -d '\r')"
	code="$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' <<<"$out")"
	jwt=nojwt
	grep -qi '^set-auth-jwt: ey' <<<"$out" && jwt=jwt
	email="$(grep -o '"user":{[^}]*' <<<"$out" | grep -o '"email":"[^"]*"' | head -1)"
	echo "$code $jwt ${email:-none}"
}

check_all() { # label, url, want jwt|nojwt: every cookie must get the user Node gives it, with(out) a JWT
	local n=0
	while IFS= read -r cookie; do
		want="$(get_session "$node_default_url" "$cookie" | cut -d' ' -f3)"
		[ "$want" != none ] || die "Node's /get-session has no user for $cookie"
		got="$(get_session "$2" "$cookie")"
		[ "$got" = "200 $3 $want" ] || die "$1: /get-session answered \"$got\", want \"200 $3 $want\" for $cookie"
		n=$((n + 1))
	done <"$work/cookies.txt"
	echo "$1: $n cookies, the same users as Node's, set-auth-jwt: $3"
}

echo "== checking every cookie on both servers"
check_all "Node (set-auth-jwt)" "$node_default_url" jwt
start_go
check_all "Go (no JWT plugin)" "$go_url" nojwt
stop_go
start_go GOBETTERAUTH_JWT=1
check_all "Go (GOBETTERAUTH_JWT=1)" "$go_url" jwt
stop_go

bench() { # label, base URL: warm-up, then the measured run; prints "label|req/s|p50|p99|requests"
	local out
	COOKIES="$work/cookies.txt" WRK_PATH=/api/auth/get-session wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" \
		-s "$here/rotate.lua" "$2" >/dev/null
	out="$(COOKIES="$work/cookies.txt" WRK_PATH=/api/auth/get-session wrk -t"$THREADS" -c"$CONNECTIONS" \
		-d"$DURATION" --timeout "$TIMEOUT" -s "$here/rotate.lua" "$2")"
	echo "$out" >&2
	read -r _ requests seconds rps p50 p99 errors non2xx <<<"$(grep '^RESULT ' <<<"$out")"
	[ "$errors" = 0 ] && [ "$non2xx" = 0 ] || die "$1: $errors socket errors, $non2xx non-2xx answers"
	echo "$1|$rps|$p50|$p99|$requests"
}

echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION: Node GET /api/auth/get-session, set-auth-jwt"
node_jwt="$(bench "Better Auth (Node), set-auth-jwt header" "$node_default_url")"
echo "== wrk: Node, NO_JWT_HEADER=1"
start_node node-nojwt NO_JWT_HEADER=1
[ "$(get_session "$node_url" "$(head -1 "$work/cookies.txt")" | cut -d' ' -f1-2)" = "200 nojwt" ] ||
	die "Node with NO_JWT_HEADER=1 still sends set-auth-jwt"
node_nojwt="$(bench "Better Auth (Node), no JWT header" "$node_url")"
stop_node
echo "== wrk: Go server mode, no JWT plugin"
start_go
go_nojwt="$(bench "gobetterauth server mode (Go), no JWT plugin" "$go_url")"
stop_go
echo "== wrk: Go server mode, GOBETTERAUTH_JWT=1"
start_go GOBETTERAUTH_JWT=1
go_jwt="$(bench "gobetterauth server mode (Go), set-auth-jwt header" "$go_url")"
stop_go

rps() { cut -d'|' -f2 <<<"$1"; }
fastest_node="$(printf '%s\n%s\n' "$(rps "$node_jwt")" "$(rps "$node_nojwt")" | sort -g | tail -1)"
echo
echo "$(nproc) cores, shared by wrk ($THREADS threads, $CONNECTIONS connections, $DURATION), the server under test and whatever else runs;"
echo "$(go version | cut -d' ' -f3-4), node $(node --version), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $USERS users, GET /api/auth/get-session"
echo
echo "| server | req/s | p50 | p99 | × Node, same JWT setting | × faster Node |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
row() { # result, matching Node result
	awk -F'|' -v same="$(rps "$2")" -v fast="$fastest_node" <<<"$1" \
		'{ printf "| %s | %.0f | %.2f ms | %.2f ms | %.1f× | %.1f× |\n", $1, $2, $3 / 1000, $4 / 1000, $2 / same, $2 / fast }'
}
row "$node_jwt" "$node_jwt"
row "$node_nojwt" "$node_nojwt"
row "$go_nojwt" "$node_nojwt"
row "$go_jwt" "$node_jwt"
