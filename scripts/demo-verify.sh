#!/usr/bin/env bash
# demo-verify.sh (`make demo-verify`): the verifier end to end. It starts a real Better Auth server
# (interop/server.mjs) on a free loopback port, signs up demo@example.com, fetches the user's JWT from
# /api/auth/token, starts the Go example API (examples/nethttp) pointed at that server, and shows what the
# Go API answers to GET /api/me with and without the token. Exits non-zero unless those answers are 200 and 401.
#
# JWT_ALG (EdDSA, ES256, ES512, RS256 or PS256) picks the server's signing algorithm; default EdDSA.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for tool in node go curl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "demo: $tool is not on PATH" >&2; exit 1; }
done
[ -d interop/node_modules ] || { echo "demo: interop/node_modules is missing; run \`make interop-deps\`" >&2; exit 1; }

# Settings from the caller's shell must not leak into either server.
for var in $(compgen -e | grep '^BETTER_AUTH_' || true); do unset "$var"; done
unset NODE_ENV

work="$(mktemp -d "${TMPDIR:-/tmp}/gobetterauth-demo.XXXXXX")"
node_pid=""
api_pid=""
cleanup() {
	local status=$?
	exec 3>&- 2>/dev/null || true # closing the server's stdin stops it too
	for pid in "$api_pid" "$node_pid"; do
		if [ -n "$pid" ]; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "demo: $*" >&2
	for log in "$work/node.log" "$work/api.log"; do
		if [ -s "$log" ]; then
			echo "--- $(basename "$log") (last lines)" >&2
			tail -n 20 "$log" >&2
		fi
	done
	exit 1
}

# 1. The Better Auth server. Its stdin is a FIFO whose write end this script holds on fd 3: when the script
#    ends, however it ends, the server sees its stdin close and exits.
mkfifo "$work/stdin"
env -u BASE_URL -u BASE_PATH -u DB_FILE -u COOKIE_CACHE -u JWT_EXPIRES -u JWT_ISSUER -u JWT_AUDIENCE \
	-u JWKS_ROTATION_INTERVAL -u JWKS_GRACE_PERIOD PORT=0 JWT_ALG="${JWT_ALG:-EdDSA}" \
	node interop/server.mjs <"$work/stdin" >"$work/node.out" 2>"$work/node.log" &
node_pid=$!
exec 3>"$work/stdin"

ba=""
for _ in $(seq 200); do
	ba="$(sed -n 's/^READY //p' "$work/node.out")"
	[ -n "$ba" ] && break
	kill -0 "$node_pid" 2>/dev/null || fail "the Better Auth server exited before it was ready"
	sleep 0.1
done
[ -n "$ba" ] || fail "the Better Auth server was not ready within 20 s"
echo "Better Auth $(node -p 'require("./interop/node_modules/better-auth/package.json").version') server: $ba (JWT_ALG=${JWT_ALG:-EdDSA})"

# 2. A demo user and its JWT.
email="demo@example.com"
status="$(curl -sS -o "$work/signup.json" -w '%{http_code}' -c "$work/cookies" \
	-H 'Content-Type: application/json' \
	-d "{\"email\":\"$email\",\"password\":\"demo-password-123\",\"name\":\"Demo User\"}" \
	"$ba/api/auth/sign-up/email")"
[ "$status" = 200 ] || fail "sign-up answered $status: $(cat "$work/signup.json")"
echo "Signed up $email (POST /api/auth/sign-up/email -> $status)"

status="$(curl -sS -o "$work/token.json" -w '%{http_code}' -b "$work/cookies" "$ba/api/auth/token")"
[ "$status" = 200 ] || fail "GET /api/auth/token answered $status: $(cat "$work/token.json")"
jwt="$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$work/token.json")"
[ -n "$jwt" ] || fail "no token in $(cat "$work/token.json")"
header="$(node -e 'console.log(Buffer.from(process.argv[1].split(".")[0], "base64url").toString())' "$jwt")"
echo "JWT from GET /api/auth/token: ${jwt:0:40}... (header $header)"

# 3. The Go API. Built first and run directly, so the cleanup stops the API itself, not a go tool parent.
echo "Building examples/nethttp..."
go build -o "$work/nethttp" ./examples/nethttp
port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
api="http://127.0.0.1:$port"
BETTER_AUTH_URL="$ba" ADDR=127.0.0.1 PORT="$port" "$work/nethttp" >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 100); do
	curl -fsS -o /dev/null "$api/healthz" 2>/dev/null && break
	kill -0 "$api_pid" 2>/dev/null || fail "the Go API exited before it was healthy"
	sleep 0.1
done
curl -fsS -o /dev/null "$api/healthz" || fail "the Go API was not healthy within 10 s"
echo "Go API (examples/nethttp): $api, BETTER_AUTH_URL=$ba"
echo

# 4. What the Go API says.
with="$(curl -sS -o "$work/me.json" -w '%{http_code}' -H "Authorization: Bearer $jwt" "$api/api/me")"
echo "GET $api/api/me with Authorization: Bearer <jwt>"
echo "  -> $with $(cat "$work/me.json")"
without="$(curl -sS -o "$work/anon.json" -w '%{http_code}' "$api/api/me")"
echo "GET $api/api/me without a token"
echo "  -> $without $(cat "$work/anon.json")"
echo

[ "$with" = 200 ] || fail "GET /api/me with the token answered $with, want 200"
[ "$without" = 401 ] || fail "GET /api/me without a token answered $without, want 401"
echo "OK: the Go API verified the Better Auth JWT, and refused the request without one."
