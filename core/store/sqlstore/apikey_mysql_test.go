package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// TestAPIKeyCountingMySQL checks the api-key plugin's guarded counting on MySQL/MariaDB, where the store
// has no UPDATE … RETURNING (an UPDATE, then a read): 40 concurrent verifications of a key with 10 uses
// (or 10 requests in its rate-limit window) left accept exactly 10, and the row counts exactly 10. The
// tables are Better Auth's own DDL for the admin and api-key plugins (testdata/schema.mysql.apikey.sql).
func TestAPIKeyCountingMySQL(t *testing.T) {
	admin, db, _ := mysqlBackend.open(t, "")
	ddl, err := os.ReadFile("testdata/schema.mysql.apikey.sql")
	if err != nil {
		t.Fatal(err)
	}
	for stmt := range strings.SplitSeq(string(ddl), ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := admin.Exec(stmt); err != nil {
			t.Fatalf("%v: %s", err, stmt)
		}
	}
	now := time.Now().UTC()
	date := func(tm time.Time) string { return tm.Format("2006-01-02 15:04:05.000") }
	if _, err := admin.Exec("INSERT INTO `user` (`id`, `name`, `email`, `emailVerified`, `createdAt`, `updatedAt`) VALUES ('u1', 'Alice', 'alice@example.com', false, ?, ?)",
		date(now), date(now)); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.MySQL, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com", DisableJWKS: true, APIKeys: &auth.APIKeyConfig{Store: st}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	const calls, allowed = 40, 10
	day := int64(24 * time.Hour / time.Millisecond)
	for i, tt := range []struct {
		name string
		// The key's counters (nil: NULL).
		remaining, refillAmount, refillInterval, rateLimitMax, rateLimitWindow any
		rateLimited                                                            bool
		lastRefillAt, lastRequest                                              any
		requestCount                                                           int64
		refused                                                                string // the code of the other 30
		wantRemaining                                                          *int64 // after
		wantRequests                                                           int64
	}{
		{name: "remaining", remaining: 10, refused: "USAGE_EXCEEDED", wantRemaining: ptr(0)},
		{name: "remaining with a refill not due", remaining: 10, refillAmount: 10, refillInterval: day,
			lastRefillAt: date(now.Add(-time.Hour)), refused: "USAGE_EXCEEDED", wantRemaining: ptr(0)},
		{name: "used up, refill due", remaining: 0, refillAmount: 10, refillInterval: 1000,
			lastRefillAt: date(now.Add(-time.Hour)), refused: "USAGE_EXCEEDED", wantRemaining: ptr(0)},
		{name: "rate limit, first window", rateLimited: true, rateLimitMax: 10, rateLimitWindow: day,
			refused: "RATE_LIMITED", wantRequests: 10},
		{name: "rate limit, window in progress", rateLimited: true, rateLimitMax: 15, rateLimitWindow: day,
			lastRequest: date(now.Add(-time.Minute)), requestCount: 5, refused: "RATE_LIMITED", wantRequests: 15},
		{name: "rate limit, window passed", rateLimited: true, rateLimitMax: 10, rateLimitWindow: day,
			lastRequest: date(now.Add(-2 * 24 * time.Hour)), requestCount: 10, refused: "RATE_LIMITED", wantRequests: 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("%064d", i)
			id := fmt.Sprintf("k%d", i)
			if _, err := admin.Exec("INSERT INTO `apikey` (`id`, `configId`, `referenceId`, `key`, `enabled`, `rateLimitEnabled`, "+
				"`rateLimitTimeWindow`, `rateLimitMax`, `requestCount`, `remaining`, `refillAmount`, `refillInterval`, `lastRefillAt`, "+
				"`lastRequest`, `createdAt`, `updatedAt`) VALUES (?, 'default', 'u1', ?, true, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				id, betterauth.HashAPIKey(key), tt.rateLimited, tt.rateLimitWindow, tt.rateLimitMax, tt.requestCount, tt.remaining,
				tt.refillAmount, tt.refillInterval, tt.lastRefillAt, tt.lastRequest, date(now.Add(-2*time.Hour)), date(now.Add(-2*time.Hour))); err != nil {
				t.Fatal(err)
			}
			req := auth.Request{Header: map[string][]string{"X-Api-Key": {key}}}
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				accepted int
				others   []error
			)
			start := make(chan struct{})
			for range calls {
				wg.Go(func() {
					<-start
					s, err := a.Authenticate(context.Background(), req)
					mu.Lock()
					defer mu.Unlock()
					var ke *auth.APIKeyError
					switch {
					case err == nil && s.APIKey != nil && s.APIKey.ID == id && s.User.ID == "u1":
						accepted++
					case errors.As(err, &ke) && ke.Code == tt.refused:
					default:
						others = append(others, fmt.Errorf("session %v, error %v", s, err))
					}
				})
			}
			close(start)
			wg.Wait()
			if len(others) > 0 {
				t.Fatalf("%d verifications neither accepted nor refused with %s: %v", len(others), tt.refused, others)
			}
			if accepted != allowed {
				t.Errorf("%d of %d concurrent verifications accepted, want exactly %d", accepted, calls, allowed)
			}
			k, err := st.APIKeyByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantRemaining != nil && (k.Remaining == nil || *k.Remaining != *tt.wantRemaining) {
				t.Errorf("remaining %v, want %d", k.Remaining, *tt.wantRemaining)
			}
			if tt.rateLimited && k.RequestCount != tt.wantRequests {
				t.Errorf("requestCount %d, want %d", k.RequestCount, tt.wantRequests)
			}
		})
	}
}

func ptr(n int64) *int64 { return &n }
