# bench/wrk/lib.sh: helpers shared by run.sh and server.sh (sourced, not run). They use the caller's root,
# work, SECRET and pids.

free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

wait_for() { # url, seconds
	for _ in $(seq 1 $(($2 * 10))); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

start_node() { # name, extra environment...: starts interop/server.mjs on the SQLite file, sets node_url and node_pid
	local name=$1
	shift
	# exec: the background subshell becomes node (env execs it too), so $! is node's PID and cleanup's
	# kill reaches the server, not a shell that leaves it running.
	(cd "$root/interop" && exec env DB_FILE="$work/auth.db" BETTER_AUTH_SECRET="$SECRET" PORT=0 "$@" node server.mjs \
		>"$work/$name.out" 2>"$work/$name.err" </dev/null) &
	pids+=($!)
	node_pid=$!
	node_url=""
	for _ in $(seq 1 300); do
		node_url="$(sed -n 's/^READY //p' "$work/$name.out")"
		[ -n "$node_url" ] && break
		sleep 0.1
	done
	[ -n "$node_url" ] || { cat "$work/$name.err" >&2; die "the Better Auth server did not start"; }
}
