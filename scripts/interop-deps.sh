#!/usr/bin/env bash
# interop-deps.sh: install interop/'s Node packages (the real Better Auth server the tests and the demo run)
# with `npm ci`, but only when interop/node_modules is missing or older than interop/package-lock.json.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/interop"

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "interop-deps: $tool is not on PATH. Install Node >= 20 with npm (and python3, make and a C++" >&2
		echo "compiler, which better-sqlite3 may need to build), then run \`make interop-deps\` again." >&2
		exit 1
	fi
done

major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
	echo "interop-deps: node $(node --version) is too old; interop/ needs Node >= 20." >&2
	exit 1
fi

if [ -d "$dir/node_modules" ] && [ ! "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
	exit 0 # up to date
fi

echo "interop-deps: npm ci in interop/ (better-sqlite3 may compile from source; this can take a few minutes)"
cd "$dir"
npm ci --no-audit --no-fund
touch node_modules # mark the install as newer than package-lock.json
