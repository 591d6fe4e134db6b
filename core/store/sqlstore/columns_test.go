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

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// clock is an adjustable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestColumnsAddedWhileRunning: a store that has read the core tables keeps working while a Node Better Auth
// server sharing the database runs its migrations for the admin and two-factor plugins and bans the user; once
// the columns are older than SchemaRefresh the store reads them again and reports banned and
// twoFactorEnabled, through Lookup (the verifier) and the Database methods (the server's session gate),
// without a restart. A column dropped under it is followed at once, never failing for good.
func TestColumnsAddedWhileRunning(t *testing.T) {
	for _, b := range []backend{sqliteBackend, postgresBackend, mysqlBackend} {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			admin, db, _ := b.open(t, "")
			if _, err := sqlstore.Migrate(ctx, admin, b.dialect, nil); err != nil {
				t.Fatal(err)
			}
			clk := &clock{t: time.Now()}
			const refresh = 3 * time.Second
			st, err := sqlstore.New(db, b.dialect, &sqlstore.Options{SchemaRefresh: refresh, Now: clk.now})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC().Truncate(time.Millisecond)
			u := &store.User{ID: userID, Name: "Ann", Email: "ann@example.com"}
			if err := st.CreateUser(ctx, u, now); err != nil {
				t.Fatal(err)
			}
			sess := &store.Session{ID: "sessionAAAAAAAAAAAAAAAAAAAAAAAAA", Token: token, UserID: userID,
				ExpiresAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
			if err := st.CreateSession(ctx, sess); err != nil {
				t.Fatal(err)
			}
			read := func(t *testing.T) (*store.Result, *store.User) {
				t.Helper()
				res, err := st.Lookup(ctx, token)
				if err != nil {
					t.Fatalf("Lookup: %v", err)
				}
				u, err := st.UserByEmail(ctx, "ann@example.com")
				if err != nil {
					t.Fatalf("UserByEmail: %v", err)
				}
				return res, u
			}
			res, got := read(t) // the columns are read and kept
			for _, m := range []map[string]any{res.User.Additional, got.Additional} {
				if _, ok := m["banned"]; ok {
					t.Fatalf("banned before the migration: %v", m)
				}
			}

			ddl, err := os.ReadFile("testdata/plugins-admin-twofactor." + string(b.dialect) + ".sql")
			if err != nil {
				t.Fatal(err)
			}
			for stmt := range strings.SplitSeq(string(ddl), ";") {
				if stmt = strings.TrimSpace(stmt); stmt != "" {
					if _, err := admin.Exec(stmt); err != nil {
						t.Fatalf("%s: %v", stmt, err)
					}
				}
			}
			q, p1, p2 := `"`, "?", "?"
			switch b.dialect {
			case sqlstore.MySQL:
				q = "`"
			case sqlstore.Postgres:
				p1, p2 = "$1", "$2"
			}
			set := fmt.Sprintf("UPDATE %[1]suser%[1]s SET %[1]sbanned%[1]s = %[2]s, %[1]stwoFactorEnabled%[1]s = %[2]s WHERE %[1]sid%[1]s = %[3]s", q, p1, p2)
			args := []any{b.boolean(true), b.boolean(true), userID}
			if b.dialect == sqlstore.Postgres {
				args = []any{true, userID}
			}
			if _, err := admin.Exec(set, args...); err != nil {
				t.Fatalf("%s: %v", set, err)
			}

			// Within SchemaRefresh the columns read before are used: no schema query per request.
			clk.add(refresh - time.Millisecond)
			res, got = read(t)
			if _, ok := res.User.Additional["banned"]; ok {
				t.Fatal("the columns were read again before SchemaRefresh passed")
			}

			clk.add(time.Millisecond)
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for range 32 { // concurrent callers when the columns are stale: one reads them, all see the ban
				wg.Go(func() {
					res, err := st.Lookup(ctx, token)
					if err != nil {
						errs <- err
						return
					}
					if res.User.Additional["banned"] != true {
						errs <- fmt.Errorf("Lookup: banned = %#v", res.User.Additional["banned"])
					}
					u, err := st.UserByID(ctx, userID)
					if err != nil {
						errs <- err
						return
					}
					if u.Additional["banned"] != true {
						errs <- fmt.Errorf("UserByID: banned = %#v", u.Additional["banned"])
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			res, got = read(t)
			for name, m := range map[string]map[string]any{"Lookup": res.User.Additional, "UserByEmail": got.Additional} {
				if m["banned"] != true || m["twoFactorEnabled"] != true {
					t.Errorf("%s after SchemaRefresh: banned %#v, twoFactorEnabled %#v", name, m["banned"], m["twoFactorEnabled"])
				}
				if v, ok := m["banExpires"]; !ok || v != nil {
					t.Errorf("%s: banExpires %#v, %v", name, v, ok)
				}
			}
			if _, ok := res.Session.Additional["impersonatedBy"]; !ok {
				t.Errorf("Lookup: session.impersonatedBy missing: %v", res.Session.Additional)
			}

			// A column dropped under the store (clock unchanged: the columns are fresh) is followed at once by
			// Lookup; the Database methods fail at most once, then read the columns again.
			if _, err := admin.Exec("ALTER TABLE " + q + "user" + q + " DROP COLUMN " + q + "banReason" + q); err != nil {
				t.Fatal(err)
			}
			res, err = st.Lookup(ctx, token)
			if err != nil {
				t.Fatalf("Lookup after a column was dropped: %v", err)
			}
			if _, ok := res.User.Additional["banReason"]; ok || res.User.Additional["banned"] != true {
				t.Errorf("Lookup after the drop: %v", res.User.Additional)
			}
			if _, err := st.UserByID(ctx, userID); err != nil && errors.Is(err, store.ErrNotFound) {
				t.Fatalf("UserByID after the drop: %v", err)
			}
			u, err = st.UserByID(ctx, userID)
			if err != nil {
				t.Fatalf("UserByID, the second time after the drop: %v", err)
			}
			if _, ok := u.Additional["banReason"]; ok || u.Additional["banned"] != true {
				t.Errorf("UserByID after the drop: %v", u.Additional)
			}
		})
	}
}
