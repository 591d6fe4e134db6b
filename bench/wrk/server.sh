#!/usr/bin/env bash
# bench/wrk/server.sh: gobetterauth's server mode against the real Better Auth server: compare.sh's rows
# node-jwt, node-nojwt, go-nojwt and go-jwt (GET /api/auth/get-session without and with the set-auth-jwt
# header) on SQLite, no chart. Every setting of compare.sh applies; DATABASES, ROWS and PLOT may override these.
exec env DATABASES="${DATABASES:-sqlite}" ROWS="${ROWS:-node-jwt node-nojwt go-nojwt go-jwt}" PLOT="${PLOT:-none}" \
	"$(dirname "${BASH_SOURCE[0]}")/compare.sh"
