#!/usr/bin/env bash
# fuzz-one.sh PKG TARGET FUZZTIME: fuzzes one target of a package (run from its module's directory). When the
# fuzzing engine times out a worker under machine load without saving a crasher, it runs once more; a real
# crasher (a "Failing input written" line) fails at once.
set -uo pipefail
pkg=$1 f=$2 t=$3
out=$(go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg" 2>&1) && { echo "$out" | tail -1; exit 0; }
echo "$out"
if echo "$out" | grep -q 'context deadline exceeded' && ! echo "$out" | grep -q 'Failing input written'; then
	echo "== the fuzzing engine timed out a worker (machine load, no crasher saved): once more"
	exec go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg"
fi
exit 1
