#!/usr/bin/env bash
# bench/wrk/run.sh: the verifier against the real Better Auth server: compare.sh's rows node-jwt,
# node-nojwt, verifier and verifier-cache (examples/nethttp's GET /api/me with no cache, then with
# GOBETTERAUTH_STORE_CACHE_TTL=STORE_CACHE_TTL) on SQLite, no chart. Every setting of compare.sh applies;
# DATABASES, ROWS and PLOT may override these.
exec env DATABASES="${DATABASES:-sqlite}" ROWS="${ROWS:-node-jwt node-nojwt verifier verifier-cache}" PLOT="${PLOT:-none}" \
	"$(dirname "${BASH_SOURCE[0]}")/compare.sh"
