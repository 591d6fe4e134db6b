#!/usr/bin/env bash
# nextjs-build.sh: install examples/nextjs's npm packages (`npm ci`) and build it (`next build`), each only
# when its inputs changed: package-lock.json (and Node's version) for node_modules, the app's sources for .next.
# Both are also kept in a cache outside the work tree (NEXTJS_CACHE_DIR, default ~/.cache/gobetterauth/nextjs),
# so a fresh clone (CI) copies them instead of installing and building again. Telemetry is off.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/examples/nextjs"
cache="${NEXTJS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gobetterauth/nextjs}"
export NEXT_TELEMETRY_DISABLED=1

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "nextjs-build: $tool is not on PATH. Install Node >= 20 with npm (and python3, make and a C++" >&2
		echo "compiler, which better-sqlite3 may need to build), then run \`make nextjs-deps\` again." >&2
		exit 1
	fi
done

cd "$dir"
hash_of() { sha256sum "$@" | sha256sum | cut -c1-16; }
# node_modules depends on the lock and on Node's ABI (better-sqlite3 is compiled for it).
lock_key="$( (cat package-lock.json; node -p 'process.versions.modules + process.platform + process.arch') | sha256sum | cut -c1-16)"
# .next depends on node_modules and on every source file of the app.
src_files=$(find app lib proxy.ts next.config.mjs tsconfig.json package.json -type f | LC_ALL=C sort)
src_key="$( (echo "$lock_key"; hash_of $src_files) | sha256sum | cut -c1-16)"

# save NAME KEY: keep a copy of ./NAME in the cache as NAME-KEY, the only one of its kind.
save() {
	mkdir -p "$cache"
	rm -rf "$cache/$1-"* "$cache/.tmp-$1"
	cp -a "$1" "$cache/.tmp-$1" && mv "$cache/.tmp-$1" "$cache/$1-$2"
}

start=$SECONDS
if [ "$(cat node_modules/.gobetterauth-key 2>/dev/null)" != "$lock_key" ]; then
	rm -rf node_modules
	if [ -d "$cache/node_modules-$lock_key" ]; then
		echo "nextjs-build: node_modules from the cache ($cache)"
		cp -a "$cache/node_modules-$lock_key" node_modules
	else
		# better-sqlite3 is the only package with an install script (it compiles). interop/ installs the same
		# version first (scripts/interop-deps.sh): its compiled module is reused rather than built again.
		ours=$(node -p 'require("./package-lock.json").packages["node_modules/better-sqlite3"].version')
		interop="$root/interop/node_modules/better-sqlite3"
		if [ -f "$interop/build/Release/better_sqlite3.node" ] && [ "$(node -p "require('$interop/package.json').version")" = "$ours" ]; then
			echo "nextjs-build: npm ci in examples/nextjs, better-sqlite3 $ours compiled as in interop/"
			npm ci --no-audit --no-fund --ignore-scripts
			rm -rf node_modules/better-sqlite3/build
			cp -a "$interop/build" node_modules/better-sqlite3/build
		else
			echo "nextjs-build: npm ci in examples/nextjs (better-sqlite3 may compile from source; this can take a few minutes)"
			npm ci --no-audit --no-fund
		fi
		node -e 'new (require("better-sqlite3"))(":memory:").close()' || { echo "nextjs-build: better-sqlite3 does not load" >&2; exit 1; }
		echo "$lock_key" > node_modules/.gobetterauth-key
		save node_modules "$lock_key"
	fi
fi
if [ "$(cat .next/.gobetterauth-key 2>/dev/null)" != "$src_key" ]; then
	rm -rf .next
	if [ -d "$cache/.next-$src_key" ]; then
		echo "nextjs-build: .next from the cache ($cache)"
		cp -a "$cache/.next-$src_key" .next
	else
		echo "nextjs-build: next build in examples/nextjs"
		npm run build
		echo "$src_key" > .next/.gobetterauth-key
		sha256sum $src_files > .next/.gobetterauth-sources # for TestBrowserNextJS: is this build of these sources?
		save .next "$src_key"
	fi
fi
echo "nextjs-build: examples/nextjs is installed and built ($((SECONDS - start)) s)"
