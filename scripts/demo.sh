#!/usr/bin/env bash
# demo.sh (`make demo`): gobetterauth's main job, end to end. It builds and starts examples/server, the
# zero-configuration Better Auth-compatible Go server (its SQLite file and development secret in a temporary
# directory), waits until GET /api/auth/ok answers, then drives it with curl as a browser would (JSON bodies,
# an Origin header, a cookie jar): sign-up, sign-in, get-session, and the protected Go API (GET /api/me) with
# and without the session cookie; the admin plugin's user list (the first user is an admin in development
# mode); an API key and /api/me with it. It shows each answer. Exits non-zero unless every answer is the expected one.
#
# DEMO_KEEP=1 keeps the server running afterwards (until Ctrl-C) so you can open it in a browser; otherwise it
# is stopped and the script exits 0. DEMO_PORT picks the port (default: a free one). `make demo-verify` is
# the other demo: a real Node Better Auth server whose JWT the Go API verifies.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for tool in go curl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "demo: $tool is not on PATH" >&2; exit 1; }
done

# Settings from the caller's shell must not leak into the zero-configuration server.
for var in $(compgen -e | grep '^BETTER_AUTH_' || true); do unset "$var"; done
unset DATABASE_URL LISTEN PORT TRUSTED_PROXIES GOBETTERAUTH_DEV_SECRET_FILE

work="$(mktemp -d "${TMPDIR:-/tmp}/gobetterauth-demo.XXXXXX")"
server_pid=""
cleanup() {
	local status=$?
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true # SIGTERM: graceful shutdown
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "demo: $*" >&2
	if [ -s "$work/server.log" ]; then
		echo "--- server log (last lines)" >&2
		tail -n 20 "$work/server.log" >&2
	fi
	exit 1
}

# 1. The Go server, built first and run directly (so the cleanup stops the server itself, not a go tool
#    parent), in the temporary directory where it keeps .gobetterauth/dev.db and .gobetterauth/dev-secret.
echo "Building examples/server..."
go build -o "$work/server" ./examples/server
(cd "$work" && exec env PORT="${DEMO_PORT:-0}" ./server >"$work/server.out" 2>"$work/server.log") &
server_pid=$!

line=""
for _ in $(seq 200); do
	line="$(grep -m1 '^gobetterauth server: ' "$work/server.out" 2>/dev/null || true)"
	[ -n "$line" ] && break
	kill -0 "$server_pid" 2>/dev/null || fail "the server exited before it started"
	sleep 0.1
done
[ -n "$line" ] || fail "the server did not start within 20 s"
echo "$line"
url="$(echo "$line" | sed -n 's/^gobetterauth server: \([^ ]*\) .*/\1/p')"
addr="$(echo "$line" | sed -n 's/.*(listening on \([^,]*\),.*/\1/p')"
[ -n "$url" ] && [ -n "$addr" ] || fail "cannot read the server's address from: $line"
api="http://$addr" # what curl calls; the browser's URL is $url, and both origins are trusted

for _ in $(seq 100); do
	curl -fsS -o /dev/null "$api/api/auth/ok" 2>/dev/null && break
	kill -0 "$server_pid" 2>/dev/null || fail "the server exited before it answered"
	sleep 0.1
done
curl -fsS -o /dev/null "$api/api/auth/ok" || fail "GET /api/auth/ok did not answer within 10 s"
echo "GET /api/auth/ok -> 200 $(curl -sS "$api/api/auth/ok")"
echo

# call METHOD PATH JAR WANT [BODY]: one request as the HTML app's fetch makes it; prints the answer and
# fails unless its status is WANT. JAR "-" means no cookies.
call() {
	local method="$1" path="$2" jar="$3" want="$4" body="${5:-}"
	local args=(-sS -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$method")
	if [ "$jar" != "-" ]; then
		args+=(-b "$work/$jar" -c "$work/$jar")
	fi
	if [ "$method" = POST ]; then
		args+=(-H "Origin: $api" -H 'Content-Type: application/json' --data-binary "$body")
	fi
	local status
	status="$(curl "${args[@]}" "$api$path")"
	if [ "$jar" = "-" ]; then echo "$method $path (no cookies)"; else echo "$method $path (cookie jar $jar)"; fi
	local cookies
	cookies="$(sed -n 's/^[Ss]et-[Cc]ookie: \([^=]*\)=.*/\1/p' "$work/headers" | paste -sd, - | sed 's/,/, /g')"
	[ -z "$cookies" ] || echo "  Set-Cookie: $cookies"
	echo "  -> $status $(head -c 400 "$work/body")"
	[ "$status" = "$want" ] || fail "$method $path answered $status, want $want"
}

email="demo@example.com"
password="demo-password-123"
call POST /api/auth/sign-up/email signup.jar 200 "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Demo User\"}"
call POST /api/auth/sign-in/email browser.jar 200 "{\"email\":\"$email\",\"password\":\"$password\"}"
call GET /api/auth/get-session browser.jar 200
grep -q "\"email\":\"$email\"" "$work/body" || fail "get-session did not return $email"
call GET /api/me browser.jar 200
grep -q "\"email\":\"$email\"" "$work/body" || fail "GET /api/me did not return $email"
call GET /api/me - 401
# The first user is an admin in development mode: the admin plugin lists the users.
call GET "/api/auth/admin/list-users?limit=5" browser.jar 200
grep -q '"total":1' "$work/body" || fail "admin/list-users did not list the one user"
# An API key, then the protected API with it instead of the cookie.
call POST /api/auth/api-key/create browser.jar 200 '{"name":"demo"}'
key="$(sed -n 's/.*"key":"\([A-Za-z]*\)".*/\1/p' "$work/body")"
[ ${#key} = 64 ] || fail "api-key/create did not answer a key"
status="$(curl -sS -o "$work/body" -w '%{http_code}' -H "x-api-key: $key" "$api/api/me")"
echo "GET /api/me (x-api-key, no cookies)"
echo "  -> $status $(head -c 200 "$work/body")"
[ "$status" = 200 ] && grep -q "\"email\":\"$email\"" "$work/body" || fail "GET /api/me with the API key answered $status"
echo

echo "OK: the Go server signed $email up and in, its protected API accepted the session cookie and refused"
echo "the request without one; the first user, an admin, listed the users, and an API key opened the API."

if [ "${DEMO_KEEP:-}" = 1 ]; then
	echo
	echo "DEMO_KEEP=1: the server keeps running at $url (sign in as $email / $password). Ctrl-C stops it."
	wait "$server_pid" || true
	server_pid=""
fi
