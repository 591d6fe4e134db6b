#!/usr/bin/env bash
# demo-nextjs.sh (`make demo-nextjs`): the Next.js example (examples/nextjs) end to end with curl. It installs
# and builds the app (scripts/nextjs-build.sh: npm ci and next build, skipped when nothing changed), builds
# the Go API (examples/nethttp), starts both on free 127.0.0.1 ports with a SQLite file and a secret in a
# temporary directory, and checks the flow: /dashboard redirects to /login?callbackUrl=/dashboard, sign-up,
# the dashboard shows the Go API's answer to the user's JWT, the Go API answers the session cookie through the
# app's /api/go/*, a forged JWT gets 401 on the page, and after sign-out the cookie gets 401.
#
# DEMO_SETUP=mirror runs the mirror setup instead: the same app with /api/auth served by gobetterauth's Go
# server (examples/server). DEMO_KEEP=1 keeps everything running afterwards (until Ctrl-C). Needs Go, Node
# >= 20 with npm, and curl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
for tool in go node npm curl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "demo-nextjs: $tool is not on PATH" >&2; exit 1; }
done
setup="${DEMO_SETUP:-nextjs}"
[ "$setup" = nextjs ] || [ "$setup" = mirror ] || { echo "demo-nextjs: DEMO_SETUP=$setup: use nextjs or mirror" >&2; exit 2; }
for var in $(compgen -e | grep -E '^(BETTER_AUTH_|AUTH_SERVER_URL$|GO_API_URL$|DATABASE_)' || true); do unset "$var"; done
export NEXT_TELEMETRY_DISABLED=1

./scripts/nextjs-build.sh

work="$(mktemp -d "${TMPDIR:-/tmp}/gobetterauth-demo-nextjs.XXXXXX")"
pids=()
cleanup() {
	local status=$?
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "demo-nextjs: $*" >&2
	for log in "$work"/*.log; do
		[ -s "$log" ] || continue
		echo "--- $(basename "$log") (last lines)" >&2
		tail -n 15 "$log" >&2
	done
	exit 1
}
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_for() { # name url
	for _ in $(seq 300); do
		curl -s -o /dev/null "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "$1 did not answer on $2 within 30 s"
}

echo "Building examples/nethttp and examples/server..."
go build -o "$work/go-api" ./examples/nethttp
go build -o "$work/go-server" ./examples/server

app_port=$(free_port) api_port=$(free_port) auth_port=$(free_port)
app="http://127.0.0.1:$app_port" api="http://127.0.0.1:$api_port"
secret="$(head -c 32 /dev/urandom | base64)"
app_env=(PORT="$app_port" GO_API_URL="$api")
if [ "$setup" = mirror ]; then
	db="$work/go-server.db"
	app_env+=(AUTH_SERVER_URL="http://127.0.0.1:$auth_port")
	# The Go server's public URL is the app's: browsers reach its /api/auth through the app.
	(exec env PORT="$auth_port" BETTER_AUTH_URL="$app" BETTER_AUTH_SECRET="$secret" DATABASE_URL="sqlite:$db" TRUSTED_PROXIES=127.0.0.1 \
		"$work/go-server" >"$work/go-server.log" 2>&1) &
	pids+=($!)
	wait_for "examples/server" "http://127.0.0.1:$auth_port/api/auth/ok"
else
	db="$work/app.db"
	app_env+=(BETTER_AUTH_SECRET="$secret" DATABASE_PATH="$db")
fi
# npm start, without npm in between (so that stopping it stops Next.js): the migrations, then next start.
(cd examples/nextjs && exec env "${app_env[@]}" sh -c 'node scripts/migrate.mjs && exec node_modules/.bin/next start --hostname 127.0.0.1' \
	>"$work/next.log" 2>&1) &
pids+=($!)
wait_for "the Next.js app" "$app/login"
(exec env PORT="$api_port" BETTER_AUTH_URL="$app" BETTER_AUTH_SECRET="$secret" DATABASE_URL="sqlite:$db" \
	"$work/go-api" >"$work/go-api.log" 2>&1) &
pids+=($!)
wait_for "the Go API (examples/nethttp)" "$api/healthz"
echo "Next.js app: $app ($setup setup); Go API: $api; database: $db"
echo

# call METHOD PATH WANT [BODY]: one request with the cookie jar, as the browser makes it; prints the status
# and fails unless it is WANT. The answer is in $work/body.
call() {
	local method="$1" path="$2" want="$3" body="${4:-}" status
	local args=(-sS -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$method" -b "$work/jar" -c "$work/jar")
	[ "$method" = POST ] && args+=(-H "Origin: $app" -H 'Content-Type: application/json' --data-binary "$body")
	status="$(curl "${args[@]}" "$app$path")"
	echo "$method $path -> $status"
	[ "$status" = "$want" ] || fail "$method $path answered $status, want $want: $(head -c 300 "$work/body")"
}
shows() { grep -q "$1" "$work/body" || fail "the answer does not show $2"; }

email="demo@example.com" password="demo-password-123"
call GET /dashboard 307
location="$(sed -n 's/^[Ll]ocation: *\([^[:space:]]*\).*/\1/p' "$work/headers")"
echo "  Location: $location"
[ "$location" = "/login?callbackUrl=/dashboard" ] || [ "$location" = "$app/login?callbackUrl=/dashboard" ] || fail "redirected to $location"
call POST /api/auth/sign-up/email 200 "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Demo User\"}"
call GET /dashboard 200
shows "data-test=\"jwt-email\">$email<" "the Go API's answer to the JWT ($email)"
role="$(grep -o 'data-test="jwt-role">[^<]*' "$work/body" | sed 's/.*>//')"
echo "  the Go API, asked by the page's server with the user's JWT: 200, $email, role $role"
call GET /api/go/me 200
shows "\"email\":\"$email\"" "$email"
echo "  the Go API, asked through $app/api/go/me with the session cookie: $(head -c 160 "$work/body")…"
call GET "/api/go/%2e%2e/healthz" 404
echo "  the proxy forwards the Go API's /api/* only"
call GET "/dashboard?token=forged" 200
shows 'data-test="jwt-status">401<' "the Go API's 401 to a forged JWT"
echo "  a forged JWT: the page shows the Go API's 401"
cp "$work/jar" "$work/jar.signed-in"
call POST /api/auth/sign-out 200 '{}'
call GET /api/go/me 401
cp "$work/jar.signed-in" "$work/jar" # the browser forgot the cookie; replay it
call GET /api/go/me 401
call GET /dashboard 307
echo "  the old session cookie after sign-out: the Go API and the dashboard's server refuse it"
echo
echo "OK ($setup setup): signed $email up, the Go API accepted its JWT and its session cookie, refused a forged"
echo "JWT, and refused the cookie once signed out."

if [ "${DEMO_KEEP:-}" = 1 ]; then
	echo
	echo "DEMO_KEEP=1: open $app in a browser (sign in as $email / $password). Ctrl-C stops everything."
	wait "${pids[@]}" || true
fi
