# gobetterauth: every target loops over every module listed in MODULES.
SHELL := /bin/bash
MODULES := core adapters/authhttp adapters/authchi adapters/authgin adapters/authfiber adapters/authecho adapters/authgrpc adapters/authconnect adapters/authotel providers examples bench loadtest
GO ?= go
FUZZTIME ?= 10s
BENCHTIME ?= 1s
ROOT := $(CURDIR)

.PHONY: all demo check test test-race vet fuzz-smoke bench work tidy tidy-check interop-deps nextjs-deps gofmt-check

all: vet test-race

## demo: the main job end to end (Go and curl only; no Node)
demo:
	./scripts/demo.sh

## demo-verify: the verifier's demo: a real Node Better Auth server's JWT, verified by the Go example API
.PHONY: demo-verify
demo-verify: interop-deps
	./scripts/demo-verify.sh

## demo-nextjs: examples/nextjs (Next.js + Better Auth) and the Go API, checked with curl (DEMO_SETUP=mirror:
## /api/auth served by examples/server; DEMO_KEEP=1 keeps them running)
.PHONY: demo-nextjs
demo-nextjs: interop-deps
	./scripts/demo-nextjs.sh

## check: every test on a fresh machine: Node deps, vet, gofmt, -race tests of every module, fuzz smoke
check: interop-deps nextjs-deps gofmt-check vet tidy-check test-race fuzz-smoke

interop-deps:
	@./scripts/interop-deps.sh

## nextjs-deps: npm ci and next build in examples/nextjs, for its browser test (skipped when nothing changed)
nextjs-deps: interop-deps
	@./scripts/nextjs-build.sh

test:
	@set -e; for m in $(MODULES); do echo "== go test $$m"; (cd $$m && $(GO) test -count=1 ./...); done

## test-race: -race tests of every module, TEST_LANES jobs at once; core, the longest, is three jobs (its interop
## package, which drives the real Node server, split in two by test name, and the rest) and starts first.
## TEST_TIMEOUT is go test's per-package limit: core/authserver and the interop halves take 5-8 minutes each
## under -race on a loaded 2-core machine, near go test's default of 10.
LANES ?= 2
TEST_LANES ?= 4
TEST_TIMEOUT ?= 25m
INTEROP_A := Organization|Team|Admin|APIKey|Secondary|RateLimit|Passkey
test-race:
	@{ echo "cd core && $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) -run '$(INTEROP_A)' ./internal/interop/"; \
	  echo "cd core && $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) -skip '$(INTEROP_A)' ./internal/interop/"; \
	  echo 'cd core && $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) $$($(GO) list ./... | grep -v /internal/interop$$)'; \
	  for m in $(filter-out core,$(MODULES)); do echo "cd $$m && $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./..."; done; \
	} | ./scripts/parallel.sh $(TEST_LANES)

vet:
	@set -e; for m in $(MODULES); do echo "== go vet $$m"; (cd $$m && $(GO) vet ./...); done

gofmt-check:
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## fuzz-smoke: run every Fuzz target of every module for FUZZTIME (a package's targets in turn, LANES packages at once)
fuzz-smoke:
	@set -e; for m in $(MODULES); do \
	  (cd $$m && for pkg in $$($(GO) list ./...); do \
	    fs=$$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' | tr '\n' ' ' || true); \
	    [ -z "$$fs" ] || echo "cd $$m && for f in $$fs; do $(ROOT)/scripts/fuzz-one.sh $$pkg \$$f $(FUZZTIME) || exit 1; done"; \
	    done); done > $(ROOT)/.fuzz-jobs; \
	echo "== fuzz: $$(wc -l < $(ROOT)/.fuzz-jobs) packages, every target $(FUZZTIME), $(LANES) packages at once"; \
	./scripts/parallel.sh $(LANES) < $(ROOT)/.fuzz-jobs; rc=$$?; rm -f $(ROOT)/.fuzz-jobs; exit $$rc

## loadtest: 3 Go servers + a Node Better Auth server on PostgreSQL and Redis behind a balancer, a mixed workload while
## faults are injected (loadtest/main.go); about 60 s plus setup. DURATION=10m make loadtest for a long run.
DURATION ?= 60s
# Redis (a private redis-server with an append-only file, restarted as a fault) as every server's secondary
# storage: sessions and rate limits there. LOADTEST_FLAGS= runs without it.
LOADTEST_FLAGS ?= -redis-env REDIS_URL
.PHONY: loadtest
loadtest: interop-deps
	cd loadtest && $(GO) run . -duration $(DURATION) $(LOADTEST_FLAGS)

## bench-wrk: the real Better Auth server (Node) and gobetterauth side by side with wrk, on SQLite and PostgreSQL
## (bench/wrk/compare.sh, about 6 minutes; needs wrk, psql and PostgreSQL on 127.0.0.1:5432). Not part of check.
.PHONY: bench-wrk
bench-wrk: interop-deps
	bench/wrk/compare.sh

## bench: benchmarks of every module (peers side by side live in bench/)
bench:
	@set -e; for m in $(MODULES); do echo "== go test -bench $$m"; (cd $$m && $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...); done

## bench-mem: resident memory of the server (USERS users, CONNS idle keep-alive connections) and of the verifier
## with a full token cache (bench/cmd/memprobe, a few minutes; never in CI; docs/performance.md, "Memory").
## MEMPROBE_FLAGS="-node -postgres postgres://…" adds the Node Better Auth server and PostgreSQL.
USERS ?= 100000
CONNS ?= 10000
MEMPROBE_FLAGS ?=
.PHONY: bench-mem
bench-mem:
	cd bench && $(GO) run ./cmd/memprobe -users $(USERS) -conns $(CONNS) $(MEMPROBE_FLAGS)

## work: regenerate go.work and the replace lines (do not hand-edit them)
work:
	@rm -f go.work go.work.sum
	$(GO) work init $(MODULES)
	@for m in $(MODULES); do \
	  for dep in $$(cd $$m && $(GO) mod edit -json | grep -o '"Path": "github.com/gobetterauth/gobetterauth/[^"]*"' | cut -d'"' -f4 | sort -u); do \
	    [ "$$dep" = "$$(awk '/^module /{print $$2}' $$m/go.mod)" ] && continue; \
	    rel=$$(realpath --relative-to=$$m $${dep#github.com/gobetterauth/gobetterauth/}); \
	    (cd $$m && $(GO) mod edit -replace $$dep=$$rel); \
	  done; done

## tidy: go mod tidy in every module, with the workspace off (each module must stand alone)
tidy:
	@set -e; for m in $(MODULES); do (cd $$m && GOWORK=off $(GO) mod tidy); done

tidy-check:
	@set -e; for m in $(MODULES); do echo "== go mod tidy -diff $$m"; (cd $$m && GOWORK=off $(GO) mod tidy -diff); done
