package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/scrypt"
	"golang.org/x/text/unicode/norm"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Server-mode benchmarks: (*authserver.Server).ServeHTTP answering Better Auth's endpoints on a SQLite file, next
// to the one scrypt a sign-in cannot avoid.

const (
	srvBase     = "http://localhost:3000"
	srvEmail    = "bench@example.com"
	srvPassword = "correct horse battery staple"
)

// newBenchServer returns a server on a fresh SQLite file with Better Auth's schema, in DevMode
// (rate limiting off), with the given cookie cache strategy (and the JWT plugin if jwt), and one user signed up through ServeHTTP. It
// returns the server and the Cookie header value of that user's session (with the cache cookie, if any).
func newBenchServer(tb testing.TB, cache auth.CacheStrategy, jwt bool, edit ...func(*authserver.Config)) (*authserver.Server, string) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(tb.TempDir(), "auth.db")+
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := sqlstore.Migrate(tb.Context(), db, sqlstore.SQLite, nil); err != nil {
		tb.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := authserver.Config{
		Auth:     auth.Config{BaseURL: srvBase, Secret: sessionSecret, DisableJWKS: true},
		Database: st, DevMode: true, MaxConcurrentHashes: 2,
	}
	cfg.Auth.CookieCache.Strategy = cache
	if jwt {
		cfg.Plugins = append(cfg.Plugins, authserver.JWT(authserver.JWTConfig{}))
	}
	for _, e := range edit {
		e(&cfg)
	}
	a, err := authserver.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	rec := serve(a, "POST", "/sign-up/email", `{"name":"Bench","email":"`+srvEmail+`","password":"`+srvPassword+`"}`)
	if rec.Code != http.StatusOK {
		tb.Fatalf("sign-up: %d %s", rec.Code, rec.Body)
	}
	var parts []string
	for _, c := range rec.Result().Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return a, strings.Join(parts, "; ")
}

// serve sends one request to a's ServeHTTP through an httptest recorder.
func serve(a *authserver.Server, method, path, body string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, srvBase+"/api/auth"+path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, srvBase+"/api/auth"+path, nil)
	}
	r.Header.Set("Origin", srvBase)
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, r)
	return rec
}

// BenchmarkSignIn: one full POST /sign-in/email through ServeHTTP (JSON body parsed, user and account read,
// one scrypt, a session row inserted, cookies and JSON written), for an existing user.
func BenchmarkSignIn(b *testing.B) {
	a, _ := newBenchServer(b, auth.CacheNone, false)
	body := `{"email":"` + srvEmail + `","password":"` + srvPassword + `"}`
	if rec := serve(a, "POST", "/sign-in/email", body); rec.Code != http.StatusOK {
		b.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		if rec := serve(a, "POST", "/sign-in/email", body); rec.Code != http.StatusOK {
			b.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkSignInOverScrypt: each iteration is one sign-in as in BenchmarkSignIn, then one scrypt as in
// BenchmarkScryptRaw, each timed on its own. It reports the median of the per-iteration ratios as
// "signin/scrypt": the two halves of a pair run a few hundred milliseconds apart and see the same load, so
// the ratio holds on a noisy host where the two separate benchmarks drift apart by 2×.
func BenchmarkSignInOverScrypt(b *testing.B) {
	a, _ := newBenchServer(b, auth.CacheNone, false)
	body := `{"email":"` + srvEmail + `","password":"` + srvPassword + `"}`
	salt := []byte("0123456789abcdef0123456789abcdef")
	var ratios []float64
	for b.Loop() {
		t0 := time.Now()
		if rec := serve(a, "POST", "/sign-in/email", body); rec.Code != http.StatusOK {
			b.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
		}
		t1 := time.Now()
		if _, err := scrypt.Key([]byte(norm.NFKC.String(srvPassword)), salt, 16384, 16, 1, 64); err != nil {
			b.Fatal(err)
		}
		ratios = append(ratios, float64(t1.Sub(t0))/float64(time.Since(t1)))
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "signin/scrypt")
}

// BenchmarkScryptRaw: one scrypt.Key with Better Auth's parameters (N=16384, r=16, p=1, 64 bytes) on the
// NFKC-normalised password, the salt being the ASCII text of 32 hex characters: the floor of a sign-in.
func BenchmarkScryptRaw(b *testing.B) {
	salt := []byte("0123456789abcdef0123456789abcdef")
	b.ReportAllocs()
	for b.Loop() {
		key, err := scrypt.Key([]byte(norm.NFKC.String(srvPassword)), salt, 16384, 16, 1, 64)
		if err != nil || len(key) != 64 {
			b.Fatal(err)
		}
	}
}

// resetWriter is a ResponseWriter reused across iterations: it keeps the status and the body's length and
// forgets the headers on reset, so the loop measures the server and not the recorder.
type resetWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *resetWriter) Header() http.Header { return w.h }

func (w *resetWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func (w *resetWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *resetWriter) reset() { clear(w.h); w.code, w.n = 0, 0 }

// BenchmarkGetSession: GET /get-session through ServeHTTP with the session cookie of a signed-in user.
// "sqlite": no cookie cache, so the signed cookie is checked, the session and user read from SQLite and
// written as JSON. "compact-cache": Better Auth's compact cookie cache, so the session comes from the signed
// session_data cookie and the database is not read (checked: a miss would set a new cache cookie).
// "jwt-cache" and "jwe-cache": the same with the "jwt" strategy (an HS256 JWT signed with the secret) and the
// "jwe" strategy (dir + A256CBC-HS512 with a key derived from the secret).
// "sqlite-jwt-header": as "sqlite" with the JWT plugin, which signs an EdDSA JWT for the set-auth-jwt header.
// "redis": Config.SecondaryStorage on Redis (GOBETTERAUTH_TEST_REDIS_URL, default redis://127.0.0.1:6379/0;
// skipped without one): the session and the revoked-sessions-before mark are two GETs.
func BenchmarkGetSession(b *testing.B) {
	for _, tt := range []struct {
		name  string
		cache auth.CacheStrategy
		jwt   bool
		redis bool
	}{
		{"sqlite", auth.CacheNone, false, false},
		{"compact-cache", auth.CacheCompact, false, false},
		{"jwt-cache", auth.CacheJWT, false, false},
		{"jwe-cache", auth.CacheJWE, false, false},
		{"sqlite-jwt-header", auth.CacheNone, true, false},
		{"redis", auth.CacheNone, false, true},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var edits []func(*authserver.Config)
			if tt.redis {
				edits = append(edits, benchRedis(b))
			}
			a, cookie := newBenchServer(b, tt.cache, tt.jwt, edits...)
			if tt.cache != auth.CacheNone && !strings.Contains(cookie, "better-auth.session_data=") {
				b.Fatalf("sign-up set no cache cookie: %s", cookie)
			}
			r := httptest.NewRequest("GET", srvBase+"/api/auth/get-session", nil)
			r.Header.Set("Cookie", cookie)
			rec := httptest.NewRecorder()
			a.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"email":"`+srvEmail+`"`) {
				b.Fatalf("get-session: %d %s", rec.Code, rec.Body)
			}
			if (rec.Header().Get("Set-Auth-Jwt") != "") != tt.jwt {
				b.Fatalf("set-auth-jwt header %q with the JWT plugin %v", rec.Header().Get("Set-Auth-Jwt"), tt.jwt)
			}
			if tt.cache != auth.CacheNone && len(rec.Result().Cookies()) != 0 {
				b.Fatalf("get-session missed the cookie cache: %v", rec.Header()["Set-Cookie"])
			}
			w := &resetWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				a.ServeHTTP(w, r)
			}
			if w.code != http.StatusOK || w.n < 100 || len(w.h["Set-Cookie"]) != 0 {
				b.Fatalf("last get-session: %d, %d bytes, %v", w.code, w.n, w.h["Set-Cookie"])
			}
		})
	}
}

// benchRedis returns a config edit that keeps sessions in Redis under a fresh key prefix, removed when b
// ends; it skips b when no Redis answers.
func benchRedis(b *testing.B) func(*authserver.Config) {
	u := os.Getenv("GOBETTERAUTH_TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(u)
	if err != nil {
		b.Fatal(err)
	}
	opts.ContextTimeoutEnabled = true
	c := redis.NewClient(opts)
	b.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		b.Skipf("no Redis at %s: %v", opts.Addr, err)
	}
	prefix := fmt.Sprintf("gba-bench-%d:", time.Now().UnixNano())
	b.Cleanup(func() {
		ctx := context.Background()
		if keys, err := c.Keys(ctx, prefix+"*").Result(); err == nil && len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	kv, err := redisstore.NewSecondaryStorage(c, &redisstore.Options{KeyPrefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	return func(cfg *authserver.Config) { cfg.SecondaryStorage = kv }
}
