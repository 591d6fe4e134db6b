#!/usr/bin/env bash
# parallel.sh LANES: runs the shell commands read from stdin (one per line), at most LANES at once. Each
# command's output is kept and printed in one piece when it ends, with its wall time, so lanes never
# interleave. Exits non-zero when any command failed, after every command has run, and names the failures.
set -uo pipefail
lanes=${1:-2}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mapfile -t cmds
run() { # index
	local i=$1 start=$SECONDS
	bash -c "${cmds[$i]}" >"$dir/$i.out" 2>&1
	local rc=$?
	{ echo "== ${cmds[$i]}  ($((SECONDS - start)) s, exit $rc)"; cat "$dir/$i.out"; } >"$dir/$i.log"
	echo "$rc" >"$dir/$i.rc"
	cat "$dir/$i.log"
}
running=0
for i in "${!cmds[@]}"; do
	[ -n "${cmds[$i]// /}" ] || continue
	run "$i" &
	running=$((running + 1))
	if [ "$running" -ge "$lanes" ]; then wait -n; running=$((running - 1)); fi
done
wait
failed=0
for i in "${!cmds[@]}"; do
	[ -f "$dir/$i.rc" ] || continue
	if [ "$(cat "$dir/$i.rc")" != 0 ]; then echo "FAILED: ${cmds[$i]}" >&2; failed=1; fi
done
exit "$failed"
