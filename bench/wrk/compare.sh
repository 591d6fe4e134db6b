#!/usr/bin/env bash
# bench/wrk/compare.sh: gobetterauth against the real Better Auth server (better-auth 1.7.25, interop/) in
# one run, with wrk on loopback: for each database in DATABASES, both servers on the same database, with
# the same secret and the same session cookies.
#
# For each database it
#   1. creates a fresh one (SQLite: a file; PostgreSQL: CREATE DATABASE on GOBETTERAUTH_BENCH_POSTGRES_URL's
#      server, dropped at the end), starts the Node server as configured in interop/ (which migrates it),
#      signs up USERS users through it (Better Auth's scrypt) and keeps each one's session cookie;
#   2. for each row of ROWS, starts that server, checks that every cookie gets the user Node gives it (by
#      email), with a set-auth-jwt header exactly when the row has the JWT plugin, and no new session_data
#      cookie (for the cache rows: the cookie cache was hit), then runs wrk (a warm-up, then DURATION) with
#      rotate.lua putting the next user's cookie on each request, and stops the server. The rows:
#        node-nojwt   Node GET /api/auth/get-session, NO_JWT_HEADER=1 (jwt() plugin, no set-auth-jwt)
#        node-jwt     Node GET /api/auth/get-session as configured in interop/ (set-auth-jwt on every answer)
#        node-cache   Node with COOKIE_CACHE=compact (and NO_JWT_HEADER=1); the cookies carry the
#                     session_data cookie Node set on a first /get-session
#        go-nojwt     bench/cmd/goserver (server mode), no JWT plugin
#        go-jwt       bench/cmd/goserver, GOBETTERAUTH_JWT=1 (signs set-auth-jwt with the key Node made)
#        go-cache     bench/cmd/goserver, BETTER_AUTH_COOKIE_CACHE=compact, the same cookies as node-cache
#        verifier     examples/nethttp GET /api/me (authhttp, DATABASE_URL the same database), no cache
#        verifier-cache  (not in the default ROWS) the same with GOBETTERAUTH_STORE_CACHE_TTL=STORE_CACHE_TTL
#        node-signin  Node POST /api/auth/sign-in/email (Better Auth's scrypt; node:crypto, libuv threads),
#                     SIGN_IN_CONNECTIONS clients, each request the next user's email and password
#        go-signin    the same on bench/cmd/goserver (scrypt bounded by authserver's MaxConcurrentHashes,
#                     which defaults to GOMAXPROCS)
#   3. prints a table (req/s, p50, p99, × Node with the same setting, × the faster Node get-session without
#      a cookie cache), the issue's targets met or missed, writes every row as CSV to RESULTS and draws it
#      with bench/cmd/wrkplot into PLOT.
# A socket error, a non-2xx answer, a failed check, a missing tool or a database that does not answer
# fails the run (non-zero exit). Only the processes and databases it started are stopped and dropped.
#
# Needs node (with interop/node_modules: `make interop-deps`), go, wrk (apt-get install wrk), curl, and psql
# for PostgreSQL. Settings (environment), defaults in parentheses:
#   DATABASES ("sqlite postgres"), ROWS (all but verifier-cache, in the order above), USERS (100),
#   THREADS (2), CONNECTIONS (32), DURATION (10s), WARMUP (2s), TIMEOUT (10s, wrk's per request),
#   SIGN_IN_CONNECTIONS (8), SIGN_IN_DURATION (10s), SIGN_IN_WARMUP (2s), STORE_CACHE_TTL (5s),
#   GOBETTERAUTH_BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres: a database on the server
#   to connect to for CREATE DATABASE and DROP DATABASE), RESULTS (results.csv in the run's directory),
#   PLOT (RESULTS with .png; "none" draws nothing), GO_DATABASE_PARAMS (appended to the Go servers'
#   DATABASE_URL, e.g. pool_max_conns=4; none by default).
# The default run takes about 6 minutes on 2 cores.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/wrk"
DATABASES="${DATABASES:-sqlite postgres}"
ROWS="${ROWS:-node-nojwt node-jwt node-cache go-nojwt go-jwt go-cache verifier node-signin go-signin}"
USERS="${USERS:-100}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
TIMEOUT="${TIMEOUT:-10s}" # wrk's default, 2 s, is hit on a loaded 2-core VM
SIGN_IN_CONNECTIONS="${SIGN_IN_CONNECTIONS:-8}"
SIGN_IN_DURATION="${SIGN_IN_DURATION:-10s}"
SIGN_IN_WARMUP="${SIGN_IN_WARMUP:-2s}"
STORE_CACHE_TTL="${STORE_CACHE_TTL:-5s}"
POSTGRES_URL="${GOBETTERAUTH_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-5}" # psql gives up on a server that does not answer
SECRET="gobetterauth-wrk-benchmark-secret-0123456789abcdef" # test-only
me="$(basename "${BASH_SOURCE[0]}")"

die() { echo "wrk/$me: $*" >&2; exit 1; }

# What each row is, and which Node row has the same setting (the ratio's denominator).
declare -A label=(
	[node-nojwt]="Better Auth (Node) get-session, no JWT header"
	[node-jwt]="Better Auth (Node) get-session, set-auth-jwt header"
	[node-cache]="Better Auth (Node) get-session, compact cookie cache"
	[go-nojwt]="gobetterauth server mode get-session, no JWT plugin"
	[go-jwt]="gobetterauth server mode get-session, set-auth-jwt header"
	[go-cache]="gobetterauth server mode get-session, compact cookie cache"
	[verifier]="gobetterauth verifier (authhttp) /api/me, no cache"
	[verifier-cache]="gobetterauth verifier (authhttp) /api/me, store cache $STORE_CACHE_TTL"
	[node-signin]="Better Auth (Node) sign-in/email, scrypt"
	[go-signin]="gobetterauth server mode sign-in/email, scrypt"
)
declare -A same=(
	[node-nojwt]=node-nojwt [node-jwt]=node-jwt [node-cache]=node-cache
	[go-nojwt]=node-nojwt [go-jwt]=node-jwt [go-cache]=node-cache
	[verifier]=node-nojwt [verifier-cache]=node-nojwt
	[node-signin]=node-signin [go-signin]=node-signin
)
for row in $ROWS; do [ -n "${label[$row]:-}" ] || die "ROWS: unknown row \"$row\" (want some of: ${!label[*]})"; done

tools=(node go wrk curl awk paste)
case " $DATABASES " in *" postgres "*) tools+=(psql) ;; esac
for tool in "${tools[@]}"; do
	command -v "$tool" >/dev/null || die "$tool is not on PATH (wrk: apt-get install wrk; psql: apt-get install postgresql-client; node: see interop/README.md)"
done
[ -d "$root/interop/node_modules/better-auth" ] || "$root/scripts/interop-deps.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/gobetterauth-wrk.XXXXXX")"
mkdir -p "$work/logs"
RESULTS="$(realpath -m "${RESULTS:-$work/results.csv}")"
PLOT="${PLOT:-${RESULTS%.csv}.png}"
[ "$PLOT" = none ] || PLOT="$(realpath -m "$PLOT")"
pids=()
pg_dbs=()

# stop_pid, stop_all, use_database, drop_databases, start_node, start_go, build_go, sign_up_users,
# expected_users, cache_cookies, check_row, check_sign_in, measure
. "$here/lib.sh"

cleanup() {
	stop_all
	drop_databases
	# The run's results and logs stay; the databases, binaries and cookies go.
	rm -rf "$work/sqlite" "$work/bin" "$work"/cookies*.txt "$work/emails.txt"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Only the variables set below configure the servers.
unset NODE_ENV TEST AUTH_SECRET DATABASE_URL REDIS_URL GOBETTERAUTH_STORE_CACHE_TTL GOBETTERAUTH_JWT
for v in $(env | sed -n 's/^\(BETTER_AUTH_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

case " $DATABASES " in *" postgres "*)
	psql "$POSTGRES_URL" -qAtc 'SELECT 1' >/dev/null || die "PostgreSQL does not answer at $POSTGRES_URL (set GOBETTERAUTH_BENCH_POSTGRES_URL)" ;;
esac

echo "== building bench/cmd/goserver and examples/nethttp"
build_go

need_cache_cookies() { # makes $work/cookies-cache.txt with a Node server that has the compact cookie cache
	[ -s "$work/cookies-cache.txt" ] && return 0
	start_node "$db_kind-node-cache-cookies" COOKIE_CACHE=compact COOKIE_CACHE_MAX_AGE=3600 NO_JWT_HEADER=1
	cache_cookies "$node_url"
	stop_pid "$node_pid"
}

# run_row row: starts the row's server, checks it and measures it (ref_url is the reference Node server).
run_row() {
	local row=$1 gs=/api/auth/get-session
	echo "== $db_kind: $row: ${label[$row]}"
	case "$row" in
	node-jwt)
		check_row "$row" "$ref_url" "$gs" "$work/cookies.txt" "200 jwt nocacheset"
		measure "$row" "${label[$row]}" "$ref_url" COOKIES="$work/cookies.txt" WRK_PATH="$gs"
		return
		;;
	node-nojwt | node-signin) start_node "$db_kind-$row" NO_JWT_HEADER=1 ;;
	node-cache)
		# The cache cookies last an hour (COOKIE_CACHE_MAX_AGE), longer than any run.
		need_cache_cookies
		start_node "$db_kind-$row" COOKIE_CACHE=compact COOKIE_CACHE_MAX_AGE=3600 NO_JWT_HEADER=1
		;;
	go-nojwt | go-signin) start_go goserver "$db_kind-$row" ;;
	go-jwt) start_go goserver "$db_kind-$row" GOBETTERAUTH_JWT=1 ;;
	go-cache)
		need_cache_cookies
		start_go goserver "$db_kind-$row" BETTER_AUTH_COOKIE_CACHE=compact
		;;
	verifier) start_go nethttp "$db_kind-$row" BETTER_AUTH_URL="$ref_url" ;;
	verifier-cache) start_go nethttp "$db_kind-$row" BETTER_AUTH_URL="$ref_url" GOBETTERAUTH_STORE_CACHE_TTL="$STORE_CACHE_TTL" ;;
	esac
	local url pid
	case "$row" in node-*) url=$node_url pid=$node_pid ;; *) url=$go_url pid=$go_pid ;; esac
	case "$row" in
	*-signin)
		check_sign_in "$row" "$url"
		[ "$row" = node-signin ] && echo "   Node hashes on libuv's thread pool: UV_THREADPOOL_SIZE ${UV_THREADPOOL_SIZE:-4}"
		[ "$row" = go-signin ] && echo "   Go hashes at most $(grep -o 'MaxConcurrentHashes [0-9]*' "$work/logs/$db_kind-$row.log" | cut -d' ' -f2) at once (authserver MaxConcurrentHashes, default GOMAXPROCS)"
		measure "$row" "${label[$row]}" "$url" SIGN_IN_USERS="$USERS" WRK_ORIGIN="$url" \
			WRK_CONNECTIONS="$SIGN_IN_CONNECTIONS" WRK_DURATION="$SIGN_IN_DURATION" WRK_WARMUP="$SIGN_IN_WARMUP"
		;;
	verifier*)
		check_row "$row" "$url" /api/me "$work/cookies.txt" "200 nojwt nocacheset"
		measure "$row" "${label[$row]}" "$url" COOKIES="$work/cookies.txt" WRK_PATH=/api/me
		;;
	*-cache)
		check_row "$row" "$url" "$gs" "$work/cookies-cache.txt" "200 nojwt nocacheset"
		measure "$row" "${label[$row]}" "$url" COOKIES="$work/cookies-cache.txt" WRK_PATH="$gs"
		;;
	*)
		local want="200 nojwt nocacheset"
		[ "$row" = go-jwt ] && want="200 jwt nocacheset"
		check_row "$row" "$url" "$gs" "$work/cookies.txt" "$want"
		measure "$row" "${label[$row]}" "$url" COOKIES="$work/cookies.txt" WRK_PATH="$gs"
		;;
	esac
	stop_pid "$pid"
}

: >"$work/results.txt"
started=$(date +%s)
for db in $DATABASES; do
	use_database "$db"
	echo "== $db_kind: Better Auth server (interop/server.mjs, as configured there) on ${db_url}"
	start_node "$db_kind-node-ref"
	ref_url=$node_url ref_pid=$node_pid
	echo "== $db_kind: signing up $USERS users"
	sign_up_users "$ref_url"
	expected_users "$ref_url"
	rm -f "$work/cookies-cache.txt"
	for row in $ROWS; do run_row "$row"; done
	stop_pid "$ref_pid"
	drop_databases
done

# Ratios: each row against Node with the same setting and against the faster Node get-session without a
# cookie cache (node-nojwt or node-jwt), on the same database.
sames="$(for r in "${!same[@]}"; do printf '%s=%s ' "$r" "${same[$r]}"; done)"
awk -F'|' -v OFS='|' -v sames="$sames" '
	BEGIN { n = split(sames, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); same[p[1]] = p[2] } }
	{ line[NR] = $0; rps[$1 "|" $2] = $4
	  if (($2 == "node-nojwt" || $2 == "node-jwt") && $4 > fast[$1]) fast[$1] = $4 }
	END {
		for (i = 1; i <= NR; i++) {
			split(line[i], f, "|")
			s = rps[f[1] "|" same[f[2]]]
			xs = s > 0 ? sprintf("%.1f", f[4] / s) : ""
			xf = (fast[f[1]] > 0 && f[2] !~ /signin/) ? sprintf("%.1f", f[4] / fast[f[1]]) : ""
			print line[i], same[f[2]], xs, xf
		}
	}' "$work/results.txt" >"$work/ratios.txt"

echo
echo "$(nproc) cores, shared by wrk ($THREADS threads), the server under test and whatever else runs (load now: $(cut -d' ' -f1-3 /proc/loadavg));"
echo "$(go version | cut -d' ' -f3-4), node $(node --version), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $USERS users;"
echo "get-session rows: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $TIMEOUT after a $WARMUP warm-up; sign-in: -c$SIGN_IN_CONNECTIONS -d$SIGN_IN_DURATION after $SIGN_IN_WARMUP; $(($(date +%s) - started)) s in all"
echo
echo "| database | server | req/s | p50 | p99 | × Node, same setting | × faster Node (no cache) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
awk -F'|' '{ printf "| %s | %s | %.*f | %.2f ms | %.2f ms | %s | %s |\n", $1, $3, ($4 < 100 ? 1 : 0), $4, $5 / 1000, $6 / 1000,
	($14 == "" ? "–" : $14 "×"), ($15 == "" ? "–" : $15 "×") }' "$work/ratios.txt"

target() { # database, row, column (14: same setting, 15: faster Node), minimum, description
	awk -F'|' -v db="$1" -v row="$2" -v col="$3" -v min="$4" -v what="$5" '
		$1 == db && $2 == row && $col != "" { printf "| %s | %s× | %s |\n", what, $col, ($col + 0 >= min ? "met" : "missed") }' "$work/ratios.txt"
}
targets="$(
target sqlite go-nojwt 15 40 "SQLite: server-mode get-session ≥ 40× the faster Node"
target sqlite verifier 15 40 "SQLite: verifier /api/me ≥ 40× the faster Node"
target postgres go-nojwt 15 25 "PostgreSQL: server-mode get-session ≥ 25× the faster Node"
target postgres verifier 15 25 "PostgreSQL: verifier /api/me ≥ 25× the faster Node"
for db in $DATABASES; do
	target "$db" go-jwt 14 25 "$db: set-auth-jwt ≥ 25× Node with the JWT plugin's header"
	target "$db" go-cache 14 60 "$db: compact cookie cache ≥ 60× Node's cookie-cache answer"
done
)"
if [ -n "$targets" ]; then
	printf '\n| target | measured | verdict |\n| --- | --- | --- |\n%s\n' "$targets"
fi

{
	echo "database,row,server,req_per_s,p50_ms,p99_ms,requests,socket_errors,non_2xx,connections,seconds,load_1m,same_setting_row,x_same_setting,x_faster_node"
	awk -F'|' '{ printf "%s,%s,\"%s\",%.1f,%.3f,%.3f,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
		$1, $2, $3, $4, $5 / 1000, $6 / 1000, $7, $8, $9, $10, $11, $12, $13, $14, $15 }' "$work/ratios.txt"
} >"$RESULTS"
echo
echo "results: $RESULTS"
if [ "$PLOT" != none ]; then
	(cd "$root/bench" && go run ./cmd/wrkplot -o "$PLOT" "$RESULTS") || die "bench/cmd/wrkplot failed"
	echo "chart: $PLOT"
fi
echo "logs: $work/logs"
