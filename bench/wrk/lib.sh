# bench/wrk/lib.sh: the machinery of compare.sh (sourced, not run): databases, servers, users and cookies,
# the checks, and the wrk runs. It uses the caller's root, here, work, SECRET, THREADS, CONNECTIONS,
# WARMUP, DURATION, TIMEOUT, USERS and die; every PID it starts is in pids until stop_pid stops it, and
# every database it creates is in pg_dbs until drop_databases drops it.

# The users' email addresses (printf format, the user's number) and password, for sign-up and for sign-in
# (rotate.lua reads them from WRK_EMAIL and WRK_PASSWORD).
WRK_EMAIL="wrk-user-%d@example.com"
WRK_PASSWORD="wrk-password-1234"
export WRK_EMAIL WRK_PASSWORD

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

stop_pid() { # pid: stops a process this script started and forgets it
	local p=$1 kept=() q
	kill "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	for q in "${pids[@]}"; do [ "$q" = "$p" ] || kept+=("$q"); done
	pids=("${kept[@]}")
}

stop_all() { # stops every process still in pids
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}

# ---- databases ----

# use_database kind: creates a fresh database of that kind (sqlite or postgres) and sets db_kind, db_url
# (DATABASE_URL for the Go servers) and db_node_env (the interop server's environment for it).
use_database() {
	db_kind=$1
	case "$1" in
	sqlite)
		mkdir -p "$work/sqlite"
		rm -f "$work/sqlite/auth.db"*
		db_url="sqlite:$work/sqlite/auth.db"
		db_node_env=(DB_FILE="$work/sqlite/auth.db")
		;;
	postgres)
		local admin=$POSTGRES_URL name base query
		psql "$admin" -qAtc 'SELECT 1' >/dev/null || die "PostgreSQL does not answer at $admin (set GOBETTERAUTH_BENCH_POSTGRES_URL)"
		name="gobetterauth_wrk_$$_$RANDOM"
		psql "$admin" -qc "CREATE DATABASE $name" >/dev/null || die "could not create database $name at $admin"
		pg_dbs+=("$name")
		base="${admin%%\?*}"
		query="${admin#"$base"}"
		db_url="${base%/*}/$name$query"
		db_node_env=(DATABASE="$db_url")
		;;
	*) die "DATABASES: unknown database \"$1\" (want sqlite or postgres)" ;;
	esac
}

drop_databases() { # drops every PostgreSQL database use_database created (after the servers stopped)
	local name
	for name in "${pg_dbs[@]}"; do
		psql "$POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null || echo "could not drop database $name" >&2
	done
	pg_dbs=()
}

# ---- servers ----

start_node() { # name, extra environment...: starts interop/server.mjs on the database; sets node_url, node_pid
	local name=$1
	shift
	: >"$work/logs/$name.out" # read below before node may have opened it
	# exec: the background subshell becomes node (env execs it too), so $! is node's PID and stop_pid's
	# kill reaches the server, not a shell that leaves it running.
	(cd "$root/interop" && exec env "${db_node_env[@]}" BETTER_AUTH_SECRET="$SECRET" PORT=0 "$@" node server.mjs \
		>"$work/logs/$name.out" 2>"$work/logs/$name.err" </dev/null) &
	pids+=($!)
	node_pid=$!
	node_url=""
	for _ in $(seq 1 300); do
		node_url="$(sed -n 's/^READY //p' "$work/logs/$name.out")"
		[ -n "$node_url" ] && break
		kill -0 "$node_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$node_url" ] || { cat "$work/logs/$name.err" >&2; die "the Better Auth server ($name) did not start"; }
}

start_go() { # binary (goserver or nethttp), name, extra environment...: starts it on the database; sets go_url, go_pid
	local bin=$1 name=$2 port
	shift 2
	port="$(free_port)"
	local url=$db_url
	if [ -n "${GO_DATABASE_PARAMS:-}" ]; then # e.g. pool_max_conns=4: the Go servers' pool (docs/stores.md)
		case "$url" in *\?*) url="$url&$GO_DATABASE_PARAMS" ;; *) url="$url?$GO_DATABASE_PARAMS" ;; esac
	fi
	env BETTER_AUTH_SECRET="$SECRET" DATABASE_URL="$url" ADDR=127.0.0.1 PORT="$port" "$@" \
		"$work/bin/$bin" >"$work/logs/$name.log" 2>&1 </dev/null &
	go_pid=$!
	pids+=("$go_pid")
	go_url="http://127.0.0.1:$port"
	wait_for "$go_url/healthz" 10 || { cat "$work/logs/$name.log" >&2; die "$bin ($name) did not start"; }
}

build_go() { # builds bench/cmd/goserver and examples/nethttp into $work/bin
	mkdir -p "$work/bin"
	(cd "$root/bench" && go build -o "$work/bin/goserver" ./cmd/goserver) || die "could not build bench/cmd/goserver"
	(cd "$root/examples" && go build -o "$work/bin/nethttp" ./nethttp) || die "could not build examples/nethttp"
}

# ---- users and cookies ----

sign_up_users() { # url: signs up USERS users there; writes their session cookies to $work/cookies.txt
	signup() { # url, i: prints the user's session cookie as "name=value"
		local email
		# shellcheck disable=SC2059
		email="$(printf "$WRK_EMAIL" "$2")"
		curl -fsS -D - -o /dev/null -H 'content-type: application/json' \
			-d "{\"email\":\"$email\",\"password\":\"$WRK_PASSWORD\",\"name\":\"wrk user $2\"}" \
			"$1/api/auth/sign-up/email" | tr -d '\r' |
			sed -n 's/^[Ss]et-[Cc]ookie: \(better-auth\.session_token=[^;]*\);.*/\1/p'
	}
	export -f signup
	seq 1 "$USERS" | xargs -P 4 -I{} bash -c "signup '$1' {}" >"$work/cookies.txt"
	[ "$(wc -l <"$work/cookies.txt")" -eq "$USERS" ] || die "got $(wc -l <"$work/cookies.txt") session cookies for $USERS sign-ups"
}

# probe url path cookie: one GET; prints "code jwt|nojwt cacheset|nocacheset email": the status, whether a
# set-auth-jwt header came, whether a session_data (cookie cache) cookie was set, and the user's email.
probe() {
	local out code jwt cache email
	out="$(curl -sS --max-time 10 -D - -H "Cookie: $3" "$1$2" | tr -d '\r')" || die "GET $1$2 failed"
	code="$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' <<<"$out")"
	jwt=nojwt
	grep -qi '^set-auth-jwt: ey' <<<"$out" && jwt=jwt
	cache=nocacheset
	grep -qi '^set-cookie: [^=;]*session_data[.0-9]*=' <<<"$out" && cache=cacheset
	email="$(grep -o '"user":{[^}]*' <<<"$out" | grep -o '"email":"[^"]*"' | head -1)"
	echo "$code $jwt $cache ${email:-none}"
}

expected_users() { # url: writes each cookie's user (by email), as that Node server gives it, to $work/emails.txt
	local cookie got
	: >"$work/emails.txt"
	while IFS= read -r cookie; do
		got="$(probe "$1" /api/auth/get-session "$cookie")"
		[ "${got##* }" != none ] || die "Node's /get-session has no user for $cookie ($got)"
		echo "${got##* }" >>"$work/emails.txt"
	done <"$work/cookies.txt"
}

# cache_cookies url: asks that Node server (with the compact cookie cache) for each user's session_data
# cookie and writes "session_token=…; session_data=…" lines to $work/cookies-cache.txt.
cache_cookies() {
	local cookie data
	: >"$work/cookies-cache.txt"
	while IFS= read -r cookie; do
		data="$(curl -fsS --max-time 10 -D - -o /dev/null -H "Cookie: $cookie" "$1/api/auth/get-session" | tr -d '\r' |
			sed -n 's/^[Ss]et-[Cc]ookie: \(better-auth\.session_data=[^;]*\);.*/\1/p')"
		[ -n "$data" ] || die "Node with COOKIE_CACHE=compact set no session_data cookie for $cookie"
		echo "$cookie; $data" >>"$work/cookies-cache.txt"
	done <"$work/cookies.txt"
}

# check_row label url path cookies want: every cookie of the file must get, from url+path, the user Node
# gives it, with the answer's "code jwt|nojwt cacheset|nocacheset" equal to want. A cache row wants
# nocacheset: the cached session was used (a miss re-sets the cookie).
check_row() {
	local n=0 cookie email got
	while IFS=$'\t' read -r cookie email; do
		got="$(probe "$2" "$3" "$cookie")"
		[ "$got" = "$5 $email" ] || die "$1: $3 answered \"$got\", want \"$5 $email\" for $cookie"
		n=$((n + 1))
	done < <(paste "$4" "$work/emails.txt")
	[ "$n" -eq "$USERS" ] || die "$1: checked $n cookies, want $USERS"
	echo "   checked: $n cookies, the same users as Node's, answer \"$5\""
}

check_sign_in() { # label, url: one sign-in of user 1 must answer 200 with a session cookie
	local email out
	# shellcheck disable=SC2059
	email="$(printf "$WRK_EMAIL" 1)"
	out="$(curl -sS --max-time 10 -D - -o /dev/null -H 'content-type: application/json' -H "Origin: $2" \
		-d "{\"email\":\"$email\",\"password\":\"$WRK_PASSWORD\"}" "$2/api/auth/sign-in/email" | tr -d '\r')"
	grep -q '^HTTP[^ ]* 200' <<<"$out" && grep -qi '^set-cookie: better-auth\.session_token=' <<<"$out" ||
		die "$1: POST /api/auth/sign-in/email answered: $(head -1 <<<"$out")"
	echo "   checked: sign-in answers 200 with a session cookie"
}

# ---- wrk ----

# measure row label url [wrk settings as environment...]: a warm-up, then the measured run with rotate.lua;
# appends "db|row|label|req/s|p50 µs|p99 µs|requests|socket errors|non-2xx|connections|seconds|load"
# to $work/results.txt. A socket error or a non-2xx answer fails the run.
measure() {
	local row=$1 label=$2 url=$3 c=$CONNECTIONS d=$DURATION w=$WARMUP out load
	shift 3
	local -a envs=("$@")
	local v
	for v in "${envs[@]}"; do
		case "$v" in
		WRK_CONNECTIONS=*) c=${v#*=} ;;
		WRK_DURATION=*) d=${v#*=} ;;
		WRK_WARMUP=*) w=${v#*=} ;;
		esac
	done
	local t=$((THREADS < c ? THREADS : c))
	env "${envs[@]}" wrk -t"$t" -c"$c" -d"$w" --timeout "$TIMEOUT" -s "$here/rotate.lua" "$url" >/dev/null
	load="$(cut -d' ' -f1 /proc/loadavg)"
	out="$(env "${envs[@]}" wrk -t"$t" -c"$c" -d"$d" --timeout "$TIMEOUT" -s "$here/rotate.lua" "$url")"
	echo "$out" >"$work/logs/$db_kind-$row.wrk"
	read -r _ requests seconds rps p50 p99 errors non2xx <<<"$(grep '^RESULT ' <<<"$out")"
	[ -n "${non2xx:-}" ] || die "$label: wrk printed no RESULT line: $out"
	awk -v r="$rps" -v a="$p50" -v b="$p99" -v w="wrk -t$t -c$c -d$d, load $load" \
		'BEGIN { printf "   %.0f req/s, p50 %.2f ms, p99 %.2f ms (%s)\n", r, a / 1000, b / 1000, w }'
	[ "$errors" = 0 ] && [ "$non2xx" = 0 ] || die "$label: $errors socket errors, $non2xx non-2xx answers (see $work/logs/$db_kind-$row.wrk)"
	echo "$db_kind|$row|$label|$rps|$p50|$p99|$requests|$errors|$non2xx|$c|$seconds|$load" >>"$work/results.txt"
}
