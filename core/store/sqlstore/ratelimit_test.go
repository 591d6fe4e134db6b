package sqlstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// TestConsumeRateLimit runs Better Auth's database rate limiter on each dialect: 200 concurrent requests
// through three stores on one database let exactly max through; a refused request is not counted, its
// retryAfter is what is left of the window, and a new window restarts the count.
func TestConsumeRateLimit(t *testing.T) {
	for _, b := range []backend{sqliteBackend, postgresBackend, mysqlBackend} {
		t.Run(b.name, func(t *testing.T) {
			_, db, _ := b.open(t, "")
			if b.dialect == sqlstore.SQLite {
				db.SetMaxOpenConns(1) // one writer at a time: SQLite's own rule, without busy waits
			} else {
				db.SetMaxOpenConns(16) // a pool as a server has one; the test server is shared
			}
			ctx := context.Background()
			if _, err := sqlstore.Migrate(ctx, db, b.dialect, &sqlstore.MigrateOptions{Tables: []sqlstore.Table{sqlstore.RateLimitTable}}); err != nil {
				t.Fatal(err)
			}
			var stores [3]*sqlstore.Store
			for i := range stores {
				// A timeout for 200 queued requests on a loaded machine under -race, not the default 2 s.
				st, err := sqlstore.New(db, b.dialect, &sqlstore.Options{Timeout: 20 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				stores[i] = st
			}
			const max, n = 37, 200
			now := time.UnixMilli(1_800_000_000_000)
			var ok, refused atomic.Int32
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					allowed, _, err := stores[i%3].ConsumeRateLimit(ctx, "203.0.113.7|/sign-in/email", 10*time.Second, max, now.Add(time.Duration(i%5)*time.Millisecond))
					switch {
					case err != nil:
						t.Error(err)
					case allowed:
						ok.Add(1)
					default:
						refused.Add(1)
					}
				})
			}
			wg.Wait()
			if ok.Load() != max || refused.Load() != n-max {
				t.Fatalf("%d concurrent requests: %d allowed, %d refused; want %d and %d", n, ok.Load(), refused.Load(), max, n-max)
			}
			allowed, retry, err := stores[0].ConsumeRateLimit(ctx, "203.0.113.7|/sign-in/email", 10*time.Second, max, now.Add(4*time.Second))
			if err != nil || allowed || retry < 5*time.Second || retry > 6010*time.Millisecond {
				t.Fatalf("4 s later: allowed %v, retry %v, %v; want refused, about 6 s left", allowed, retry, err)
			}
			allowed, _, err = stores[1].ConsumeRateLimit(ctx, "203.0.113.7|/sign-in/email", 10*time.Second, max, now.Add(11*time.Second))
			if err != nil || !allowed {
				t.Fatalf("after the window: allowed %v, %v", allowed, err)
			}
			var count int
			if err := db.QueryRowContext(ctx, `SELECT `+quoteCol(b, "count")+` FROM `+quoteCol(b, "rateLimit")+` WHERE `+quoteCol(b, "key")+` = '203.0.113.7|/sign-in/email'`).Scan(&count); err != nil || count != 1 {
				t.Fatalf("count after the window restarted: %d, %v", count, err)
			}
			if err := stores[2].PruneRateLimits(ctx, now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteCol(b, "rateLimit")).Scan(&count); err != nil || count != 0 {
				t.Fatalf("rows after pruning: %d, %v", count, err)
			}
		})
	}
}

func quoteCol(b backend, name string) string {
	if b.dialect == sqlstore.MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}
