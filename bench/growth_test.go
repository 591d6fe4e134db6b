package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/bench/internal/seed"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Sessions at scale: get-session (server mode) and the verifier's cookie path on SQLite and PostgreSQL,
// with 1 000, 100 000 and (with GOBETTERAUTH_BENCH_1M=1) 1 000 000 users, each with one session, seeded
// with one INSERT ... SELECT per table.

const (
	// envPostgres names the PostgreSQL server, as core/store's tests name it; a database is created
	// there for each run and dropped after it.
	envPostgres     = "GOBETTERAUTH_TEST_POSTGRES_URL"
	defaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	// env1M adds the 1 000 000-session rows (seeding takes tens of seconds; never in CI).
	env1M = "GOBETTERAUTH_BENCH_1M"
	// envSQLitePragmas is appended to the SQLite DSN ("&_pragma=mmap_size(1073741824)"), to compare settings.
	envSQLitePragmas = "GOBETTERAUTH_BENCH_SQLITE_PRAGMAS"
)

// growthSizes are the numbers of sessions measured.
func growthSizes() []int {
	sizes := []int{1_000, 100_000}
	if os.Getenv(env1M) == "1" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes
}

// sessionDB is a database with Better Auth's schema (sqlstore.Migrate) for one dialect.
type sessionDB struct {
	db      *sql.DB
	dialect sqlstore.Dialect
}

// openSQLite returns a fresh SQLite file with Better Auth's schema (seed.OpenSQLite), plus
// GOBETTERAUTH_BENCH_SQLITE_PRAGMAS.
func openSQLite(tb testing.TB) sessionDB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := seed.OpenSQLite(ctx, filepath.Join(tb.TempDir(), "auth.db"), os.Getenv(envSQLitePragmas))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return sessionDB{db, sqlstore.SQLite}
}

// openPostgres creates a database on the PostgreSQL server at GOBETTERAUTH_TEST_POSTGRES_URL (default
// the local one), with Better Auth's schema (seed.CreatePostgres), and drops it when tb ends. It skips tb
// when no server answers, unless CI=true.
func openPostgres(tb testing.TB) sessionDB {
	tb.Helper()
	admin := defaultPostgres
	if v := os.Getenv(envPostgres); v != "" {
		admin = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := seed.CreatePostgres(ctx, admin)
	if err != nil {
		if errors.Is(err, seed.ErrNoServer) && os.Getenv("CI") != "true" {
			tb.Skipf("no PostgreSQL (set %s): %v", envPostgres, err)
		}
		tb.Fatalf("PostgreSQL at %s: %v", envPostgres, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = p.Drop(ctx)
	})
	return sessionDB{p.DB, sqlstore.Postgres}
}

// growthToken is the session token of user i.
func growthToken(i int) string { return seed.Token(i) }

// growthEmail is the email of user i.
func growthEmail(i int) string { return seed.Email(i) }

// seed inserts n users and one session each (seed.Users).
func (s sessionDB) seed(tb testing.TB, n int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	if err := seed.Users(ctx, s.db, s.dialect, n); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("%s: %d users and sessions seeded in %v", s.dialect, n, time.Since(start).Round(time.Millisecond))
}

// lookupPlan returns the database's plan for the shape of sqlstore's lookup (session joined with its user,
// by token).
func (s sessionDB) lookupPlan(tb testing.TB) string {
	tb.Helper()
	q := `SELECT s."id", u."email" FROM "session" s JOIN "user" u ON u."id" = s."userId" WHERE s."token" = `
	if s.dialect == sqlstore.Postgres {
		q = "EXPLAIN " + q + "$1"
	} else {
		q = "EXPLAIN QUERY PLAN " + q + "+?" // as sqlstore compares the token on SQLite
	}
	rows, err := s.db.Query(q, growthToken(0))
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1])) // SQLite: id, parent, notused, detail
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// checkIndexed fails tb unless plan reads both tables through an index.
func checkIndexed(tb testing.TB, d sqlstore.Dialect, plan string) {
	tb.Helper()
	ok := strings.Count(plan, "USING INDEX")+strings.Count(plan, "USING PRIMARY KEY")+strings.Count(plan, "USING COVERING INDEX") == 2 &&
		!strings.Contains(plan, "SCAN")
	if d == sqlstore.Postgres {
		ok = strings.Count(plan, "Index Scan") == 2 && !strings.Contains(plan, "Seq Scan")
	}
	if !ok {
		tb.Fatalf("%s: the lookup does not use the indexes:\n%s", d, plan)
	}
}

// TestLookupPlan checks, on 1 000 sessions, that SQLite and PostgreSQL (when there is one) find the session
// by its token and its user by id through indexes, so a lookup does not grow with the tables.
func TestLookupPlan(t *testing.T) {
	for _, tt := range []struct {
		name string
		open func(testing.TB) sessionDB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.open(t)
			s.seed(t, 1000)
			plan := s.lookupPlan(t)
			t.Logf("%s plan:\n%s", tt.name, plan)
			checkIndexed(t, s.dialect, plan)
		})
	}
}

// BenchmarkSessionsAt: GET /get-session through (*authserver.Server).ServeHTTP (no cookie cache) and
// the verifier's signed session cookie through authhttp, each looking the session up with sqlstore, on
// SQLite and PostgreSQL holding 1 000, 100 000 and (GOBETTERAUTH_BENCH_1M=1) 1 000 000 sessions. Requests
// rotate over 1 024 sessions spread over the whole table. The plan of the lookup is logged and must use
// the indexes.
func BenchmarkSessionsAt(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) sessionDB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			for _, n := range growthSizes() {
				b.Run(sizeName(n), func(b *testing.B) {
					s := d.open(b)
					s.seed(b, n)
					plan := s.lookupPlan(b)
					checkIndexed(b, s.dialect, plan)
					b.Logf("%s plan:\n%s", d.name, plan)
					benchGrowth(b, s, n)
				})
			}
		})
	}
}

func sizeName(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}

// rot is the number of sessions the requests rotate over.
const rot = 1024

// growthCookies returns the session cookies of rot users spread over n, and the users' numbers.
func growthCookies(tb testing.TB, n int) ([]int, [][]string) {
	idx := make([]int, rot)
	cookies := make([][]string, rot)
	for i := range idx {
		idx[i] = int((int64(i)*int64(n))/rot) + i%7
		if idx[i] >= n {
			idx[i] = n - 1
		}
		cookies[i] = []string{"better-auth.session_token=" + signCookie(tb, growthToken(idx[i]))}
	}
	return idx, cookies
}

// newGrowthServer returns a server on st (no cookie cache, rate limiting off) and checks that each cookie
// gets its user from get-session.
func newGrowthServer(tb testing.TB, st *sqlstore.Store, idx []int, cookies [][]string) *authserver.Server {
	tb.Helper()
	a, err := authserver.New(authserver.Config{
		Auth:     auth.Config{BaseURL: srvBase, Secret: sessionSecret, DisableJWKS: true},
		Database: st, DevMode: true,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	r := httptest.NewRequest("GET", srvBase+"/api/auth/get-session", nil)
	for i, c := range cookies {
		r.Header["Cookie"] = c
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"email":"`+growthEmail(idx[i])+`"`) {
			tb.Fatalf("get-session for session %d: %d %s", idx[i], rec.Code, rec.Body)
		}
	}
	return a
}

// BenchmarkSessionsFlat: get-session at every size of BenchmarkSessionsAt, interleaved. Each iteration
// serves one request from each database (in turn, starting with a different one each time), each timed,
// so that all sizes see the same load on a shared machine; it reports the median time per size
// ("ns/op@1k", ...) and the ratio of the largest size's median to the smallest's ("largest/smallest").
func BenchmarkSessionsFlat(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) sessionDB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			sizes := growthSizes()
			servers := make([]*authserver.Server, len(sizes))
			cookies := make([][][]string, len(sizes))
			for k, n := range sizes {
				s := d.open(b)
				s.seed(b, n)
				checkIndexed(b, s.dialect, s.lookupPlan(b))
				st, err := sqlstore.New(s.db, s.dialect, nil)
				if err != nil {
					b.Fatal(err)
				}
				var idx []int
				idx, cookies[k] = growthCookies(b, n)
				servers[k] = newGrowthServer(b, st, idx, cookies[k])
			}
			r := httptest.NewRequest("GET", srvBase+"/api/auth/get-session", nil)
			w := &resetWriter{h: http.Header{}}
			times := make([][]float64, len(sizes))
			i := 0
			for b.Loop() {
				for j := range sizes {
					k := (i + j) % len(sizes)
					r.Header["Cookie"] = cookies[k][i%rot]
					w.reset()
					t0 := time.Now()
					servers[k].ServeHTTP(w, r)
					times[k] = append(times[k], float64(time.Since(t0)))
					if w.code != http.StatusOK {
						b.Fatalf("get-session at %d sessions: %d", sizes[k], w.code)
					}
				}
				i++
			}
			for k, n := range sizes {
				b.ReportMetric(median(times[k]), "ns/op@"+sizeName(n))
			}
			b.ReportMetric(median(times[len(sizes)-1])/median(times[0]), "largest/smallest")
		})
	}
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// benchGrowth runs the two paths over s's n sessions.
func benchGrowth(b *testing.B, s sessionDB, n int) {
	st, err := sqlstore.New(s.db, s.dialect, nil)
	if err != nil {
		b.Fatal(err)
	}
	idx, cookies := growthCookies(b, n)

	b.Run("get-session", func(b *testing.B) {
		a := newGrowthServer(b, st, idx, cookies)
		r := httptest.NewRequest("GET", srvBase+"/api/auth/get-session", nil)
		w := &resetWriter{h: http.Header{}}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r.Header["Cookie"] = cookies[i%rot]
			i++
			w.reset()
			a.ServeHTTP(w, r)
		}
		if w.code != http.StatusOK || w.n < 100 || len(w.h["Set-Cookie"]) != 0 {
			b.Fatalf("last get-session: %d, %d bytes, %v", w.code, w.n, w.h["Set-Cookie"])
		}
	})

	b.Run("verifier", func(b *testing.B) {
		a := newOurs(b, auth.Config{BaseURL: srvBase, Secret: sessionSecret, Store: st, DisableJWKS: true})
		hh := newHarness(authhttp.Middleware(a), "")
		delete(hh.r.Header, "Authorization")
		for _, c := range cookies {
			hh.r.Header["Cookie"] = c
			if !hh.accepted() {
				b.Fatalf("session cookie refused: %s", c[0])
			}
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			hh.r.Header["Cookie"] = cookies[i%rot]
			i++
			hh.serve()
		}
		if hh.w.code != 0 {
			b.Fatal("refused during the run")
		}
	})
}
