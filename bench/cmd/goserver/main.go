// Command goserver is the Go server mode of bench/wrk/compare.sh: gobetterauth as the Better Auth server
// ((*authserver.Server).ServeHTTP answering Better Auth's endpoints at /api/auth) on the database a Node
// Better Auth server also uses. It is a benchmark target, not an example to deploy: rate limiting is off, as
// on the Node interop server.
//
// Configure it with the environment:
//
//	DATABASE_URL          required: sqlite:PATH, postgres://… or mysql://… holding Better Auth's tables
//	BETTER_AUTH_SECRET    required: the Node server's secret (at least 32 bytes)
//	BETTER_AUTH_URL       the base URL; default http://127.0.0.1:$PORT
//	PORT, ADDR            where to listen; default 8080 and 127.0.0.1
//	GOBETTERAUTH_JWT=1    the JWT plugin (set-auth-jwt on /get-session, keys in the shared jwks table)
//	GOBETTERAUTH_MEMSTATS=1  GET /debug/memstats: the Go runtime's memory (bench/cmd/memprobe reads it)
//
// and the other variables auth.ConfigFromEnv reads (BETTER_AUTH_COOKIE_CACHE=compact for the cookie cache,
// …). GET /healthz answers "ok". At most GOMAXPROCS password hashes (scrypt) run at once
// (authserver.Config.MaxConcurrentHashes, its default); the start-up line says how many.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	addr := net.JoinHostPort(cmp.Or(os.Getenv("ADDR"), "127.0.0.1"), cmp.Or(os.Getenv("PORT"), "8080"))
	a, closeDB, err := newAuth(ctx, "http://"+addr)
	if err != nil {
		log.Fatal(err)
	}
	defer closeDB()
	defer a.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.Handle("/api/auth/", a)
	if os.Getenv("GOBETTERAUTH_MEMSTATS") == "1" {
		mux.HandleFunc("GET /debug/memstats", memstats)
	}
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("goserver: Better Auth endpoints at http://%s/api/auth (MaxConcurrentHashes %d)", addr, maxHashes)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// maxHashes is how many password hashes (scrypt) may run at once: authserver's default, GOMAXPROCS, written
// out so the log can say it.
var maxHashes = runtime.GOMAXPROCS(0)

// newAuth builds the server from the environment on the database DATABASE_URL names.
func newAuth(ctx context.Context, defaultURL string) (*authserver.Server, func() error, error) {
	cfg, err := auth.ConfigFromEnv()
	if err != nil && !errors.Is(err, auth.ErrStoreInEnv) { // DATABASE_URL is this server's database, opened below
		return nil, nil, err
	}
	dsn := os.Getenv(auth.EnvDatabaseURL)
	if dsn == "" {
		return nil, nil, errors.New("goserver: DATABASE_URL is required")
	}
	db, dialect, err := storeurl.OpenDB(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	st, err := sqlstore.New(db, dialect, nil)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	cfg.BaseURL = cmp.Or(cfg.BaseURL, defaultURL)
	cfg.DisableJWKS = true // this server checks its own cookies; it verifies no foreign JWTs
	off := false
	sc := authserver.Config{Auth: cfg, Database: st, RateLimit: authserver.RateLimitConfig{Enabled: &off}, MaxConcurrentHashes: maxHashes}
	if os.Getenv("GOBETTERAUTH_JWT") == "1" {
		sc.Plugins = append(sc.Plugins, authserver.JWT(authserver.JWTConfig{}))
	}
	a, err := authserver.New(sc)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return a, db.Close, nil
}

// memstats answers the runtime's memory statistics as they are (no GC is forced): the heap and stack spans
// in use, what the runtime holds from the OS and has given back, and the number of goroutines.
func memstats(w http.ResponseWriter, _ *http.Request) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]uint64{
		"HeapAlloc": m.HeapAlloc, "HeapInuse": m.HeapInuse, "HeapIdle": m.HeapIdle, "HeapReleased": m.HeapReleased,
		"StackInuse": m.StackInuse, "Sys": m.Sys, "NumGC": uint64(m.NumGC), "Goroutines": uint64(runtime.NumGoroutine()),
	})
}
