package sqlstore

// Better Auth's database rate limiter (better-auth src/api/rate-limiter/index.ts
// createDatabaseStorageWrapper): a row per key in the rateLimit table, changed by conditional updates so
// that concurrent requests on any number of servers cannot both take the last slot.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/internal/limits"
)

var _ store.RateLimitStore = (*Store)(nil)

// RateLimitTable is Better Auth's rateLimit table (rateLimit.storage: "database"), for
// [MigrateOptions].Tables: key (unique), count, lastRequest (milliseconds since 1970, bigint).
var RateLimitTable = Table{Name: "rateLimit", Fields: []Field{
	{Name: "key", Type: FieldString, Required: true, Unique: true},
	{Name: "count", Type: FieldNumber, Required: true},
	{Name: "lastRequest", Type: FieldNumber, Required: true, BigInt: true},
}}

// ConsumeRateLimit implements [store.RateLimitStore] on the rateLimit table: an UPDATE … SET count = count
// + 1 WHERE the window is open and count < max, else an UPDATE restarting a closed window, else an INSERT
// of a new row (a unique key: a racing insert makes this one try again); the request is refused only when
// the row's window is open and its count has reached max. After four rounds of the row changing under it,
// it gives up with an error.
func (s *Store) ConsumeRateLimit(ctx context.Context, key string, window time.Duration, max int, now time.Time) (bool, time.Duration, error) {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	tab := s.quoteTable("rateLimit")
	k, c, l := s.quote(s.column("key")), s.quote(s.column("count")), s.quote(s.column("lastRequest"))
	nowMs, winMs := now.UnixMilli(), window.Milliseconds()
	update := func(q string, args ...any) (bool, error) {
		res, err := s.db.ExecContext(ctx, q, args...)
		if err != nil {
			return false, s.writeErr("rate limit", err)
		}
		n, err := res.RowsAffected()
		return n > 0, err
	}
	for range 4 {
		ok, err := update("UPDATE "+tab+" SET "+c+" = "+c+" + 1, "+l+" = "+s.ph(1)+" WHERE "+k+" = "+s.ph(2)+
			" AND "+l+" > "+s.ph(3)+" AND "+c+" < "+s.ph(4), nowMs, key, nowMs-winMs, max)
		if err != nil || ok {
			return ok, 0, err
		}
		ok, err = update("UPDATE "+tab+" SET "+c+" = 1, "+l+" = "+s.ph(1)+" WHERE "+k+" = "+s.ph(2)+
			" AND "+l+" <= "+s.ph(3), nowMs, key, nowMs-winMs)
		if err != nil || ok {
			return ok, 0, err
		}
		var last, count int64
		err = s.db.QueryRowContext(ctx, "SELECT "+l+", "+c+" FROM "+tab+" WHERE "+k+" = "+s.ph(1), key).Scan(&last, &count)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err := s.db.ExecContext(ctx, "INSERT INTO "+tab+" ("+s.quote(s.column("id"))+", "+k+", "+c+", "+l+
				") VALUES ("+s.ph(1)+", "+s.ph(2)+", 1, "+s.ph(3)+")", betterauth.NewID(), key, nowMs)
			if err == nil {
				return true, 0, nil
			}
			if !s.conflict(err) {
				return false, 0, s.writeErr("rate limit", err)
			}
		case err != nil:
			return false, 0, fmt.Errorf("sqlstore: rate limit: %w", err)
		case last+winMs > nowMs && count >= int64(max):
			return false, time.Duration(last+winMs-nowMs) * time.Millisecond, nil
		}
		// The row changed between the statements (another request inserted it, or its window just
		// closed): try again. (Better Auth refuses here; a full window is the only reason to refuse.)
	}
	return false, 0, errors.New("sqlstore: rate limit: the row kept changing under concurrent requests")
}

// PruneRateLimits deletes the rateLimit rows whose lastRequest is before before.
func (s *Store) PruneRateLimits(ctx context.Context, before time.Time) error {
	ctx, cancel := limits.Bound(ctx, s.timeout)
	defer cancel()
	_, err := s.db.ExecContext(ctx, "DELETE FROM "+s.quoteTable("rateLimit")+" WHERE "+s.quote(s.column("lastRequest"))+" < "+s.ph(1), before.UnixMilli())
	if err != nil {
		return s.writeErr("pruning rate limits", err)
	}
	return nil
}
