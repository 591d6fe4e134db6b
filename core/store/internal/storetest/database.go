package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// isoMillis is JavaScript's Date.prototype.toJSON.
const isoMillis = "2006-01-02T15:04:05.000Z"

// RunDatabase runs the conformance suite of [store.Database] on fresh databases: newDB returns an empty
// database with Better Auth's tables (user, session, account, verification), for one subtest. Times are
// given in IST with sub-millisecond digits and must come back in UTC, truncated to milliseconds.
func RunDatabase(t *testing.T, newDB func(t *testing.T) store.Database) {
	ctx := context.Background()
	// An instant in IST with nanoseconds: stored as 2026-11-28T13:28:59.006Z.
	t0 := time.Date(2026, 11, 28, 18, 58, 59, 6_999_999, IST)
	t0ms := time.Date(2026, 11, 28, 13, 28, 59, 6e6, time.UTC)
	alice := func() *store.User {
		return &store.User{ID: "ExJ05IO85I6AqA4SiXKKdGfW6UqyDYLR", Email: "alice@example.com", Name: "Zoë \"Alice\" 🚀"}
	}
	session := func(id, token string, created time.Time) *store.Session {
		return &store.Session{ID: id, Token: token, UserID: alice().ID, ExpiresAt: created.Add(7 * 24 * time.Hour),
			CreatedAt: created, UpdatedAt: created, IPAddress: "", UserAgent: "curl/7.88.1"}
	}
	account := func(id, provider, accountID string, created time.Time) *store.Account {
		return &store.Account{ID: id, AccountID: accountID, ProviderID: provider, UserID: alice().ID,
			CreatedAt: created, UpdatedAt: created}
	}
	mustUser := func(t *testing.T, db store.Database) {
		t.Helper()
		if err := db.CreateUser(ctx, alice(), t0); err != nil {
			t.Fatal(err)
		}
	}

	for _, tt := range []struct {
		name string
		run  func(t *testing.T, db store.Database)
	}{
		{name: "user create and read", run: func(t *testing.T, db store.Database) {
			u := alice()
			u.Image = "https://example.com/a.png"
			if err := db.CreateUser(ctx, u, t0); err != nil {
				t.Fatal(err)
			}
			if got := u.Additional["createdAt"]; got != t0ms.Format(isoMillis) {
				t.Errorf("CreateUser set createdAt %v, want %s", got, t0ms.Format(isoMillis))
			}
			for name, get := range map[string]func() (*store.User, error){
				"UserByID":    func() (*store.User, error) { return db.UserByID(ctx, u.ID) },
				"UserByEmail": func() (*store.User, error) { return db.UserByEmail(ctx, u.Email) },
			} {
				got, err := get()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if got.ID != u.ID || got.Email != u.Email || got.Name != u.Name || got.EmailVerified || got.Image != u.Image {
					t.Errorf("%s: got %+v", name, got)
				}
				for _, k := range []string{"createdAt", "updatedAt"} {
					if got.Additional[k] != t0ms.Format(isoMillis) {
						t.Errorf("%s: %s = %v, want %s", name, k, got.Additional[k], t0ms.Format(isoMillis))
					}
				}
			}
			for name, get := range map[string]func() (*store.User, error){
				"UserByID":    func() (*store.User, error) { return db.UserByID(ctx, "nobody") },
				"UserByEmail": func() (*store.User, error) { return db.UserByEmail(ctx, "nobody@example.com") },
			} {
				if _, err := get(); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s of a missing user: %v, want ErrNotFound", name, err)
				}
			}
		}},
		{name: "user conflicts", run: func(t *testing.T, db store.Database) {
			mustUser(t, db)
			other := alice()
			other.ID = "otherAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			if err := db.CreateUser(ctx, other, t0); !errors.Is(err, store.ErrConflict) {
				t.Errorf("same email: %v, want ErrConflict", err)
			}
			other = alice()
			other.Email = "other@example.com"
			if err := db.CreateUser(ctx, other, t0); !errors.Is(err, store.ErrConflict) {
				t.Errorf("same id: %v, want ErrConflict", err)
			}
			bob := &store.User{ID: "bobBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", Email: "bob@example.com", Name: "Bob"}
			if err := db.CreateUser(ctx, bob, t0); err != nil {
				t.Fatal(err)
			}
			if _, err := db.UpdateUser(ctx, bob.ID, map[string]any{"email": "alice@example.com"}, t0); !errors.Is(err, store.ErrConflict) {
				t.Errorf("update to a taken email: %v, want ErrConflict", err)
			}
		}},
		{name: "user update", run: func(t *testing.T, db store.Database) {
			u := alice()
			u.Image = "https://example.com/a.png"
			if err := db.CreateUser(ctx, u, t0); err != nil {
				t.Fatal(err)
			}
			t1 := t0.Add(time.Hour)
			got, err := db.UpdateUser(ctx, u.ID, map[string]any{"name": "Alice B", "image": nil, "emailVerified": true}, t1)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Alice B" || got.Image != "" || !got.EmailVerified {
				t.Errorf("got %+v", got)
			}
			if got.Additional["updatedAt"] != t0ms.Add(time.Hour).Format(isoMillis) || got.Additional["createdAt"] != t0ms.Format(isoMillis) {
				t.Errorf("dates after update: %v, %v", got.Additional["createdAt"], got.Additional["updatedAt"])
			}
			again, err := db.UserByID(ctx, u.ID)
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("read back %+v, %v; want %+v", again, err, got)
			}
			if _, err := db.UpdateUser(ctx, "nobody", map[string]any{"name": "x"}, t1); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("update of a missing user: %v, want ErrNotFound", err)
			}
			if _, err := db.UpdateUser(ctx, u.ID, map[string]any{"noSuchField": "x"}, t1); err == nil || errors.Is(err, store.ErrNotFound) {
				t.Errorf("update of an unknown field: %v, want an error", err)
			}
		}},
		{name: "sessions", run: func(t *testing.T, db store.Database) {
			mustUser(t, db)
			s1 := session("sess1AAAAAAAAAAAAAAAAAAAAAAAAAAA", "tok1AAAAAAAAAAAAAAAAAAAAAAAAAAAA", t0)
			s2 := session("sess2AAAAAAAAAAAAAAAAAAAAAAAAAAA", "tok2AAAAAAAAAAAAAAAAAAAAAAAAAAAA", t0.Add(time.Minute))
			s2.IPAddress = "203.0.113.9"
			for _, s := range []*store.Session{s2, s1} {
				if err := db.CreateSession(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			dup := session("sess3AAAAAAAAAAAAAAAAAAAAAAAAAAA", s1.Token, t0)
			if err := db.CreateSession(ctx, dup); !errors.Is(err, store.ErrConflict) {
				t.Errorf("same token: %v, want ErrConflict", err)
			}
			list, err := db.Sessions(ctx, alice().ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 || list[0].ID != s1.ID || list[1].ID != s2.ID {
				t.Fatalf("Sessions: %+v", list)
			}
			want := *s1
			want.ExpiresAt, want.CreatedAt, want.UpdatedAt = utcMs(s1.ExpiresAt), t0ms, t0ms
			checkSession(t, "Sessions", list[0], want)
			res, err := db.Lookup(ctx, s1.Token)
			if err != nil {
				t.Fatalf("Lookup of a session written by Go: %v", err)
			}
			checkSession(t, "Lookup", res.Session, want)
			if res.User.ID != alice().ID || res.User.Email != alice().Email || res.User.Additional["createdAt"] != t0ms.Format(isoMillis) {
				t.Errorf("Lookup user: %+v", res.User)
			}

			exp := t0.Add(30 * 24 * time.Hour)
			if err := db.UpdateSession(ctx, s1.Token, exp, t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if res, err = db.Lookup(ctx, s1.Token); err != nil || !res.Session.ExpiresAt.Equal(utcMs(exp)) ||
				!res.Session.UpdatedAt.Equal(t0ms.Add(time.Hour)) || res.Session.ExpiresAt.Location() != time.UTC {
				t.Errorf("after UpdateSession: %+v, %v", res, err)
			}
			if err := db.UpdateSession(ctx, "missingAAAAAAAAAAAAAAAAAAAAAAAAA", exp, t0); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UpdateSession of a missing token: %v, want ErrNotFound", err)
			}

			if err := db.DeleteSession(ctx, s1.Token); err != nil {
				t.Fatal(err)
			}
			if err := db.DeleteSession(ctx, s1.Token); err != nil {
				t.Errorf("deleting a missing session: %v", err)
			}
			if _, err := db.Lookup(ctx, s1.Token); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Lookup after DeleteSession: %v", err)
			}
			if err := db.DeleteSessions(ctx, alice().ID); err != nil {
				t.Fatal(err)
			}
			if list, err := db.Sessions(ctx, alice().ID); err != nil || len(list) != 0 {
				t.Errorf("Sessions after DeleteSessions: %v, %v", list, err)
			}
		}},
		{name: "accounts", run: func(t *testing.T, db store.Database) {
			mustUser(t, db)
			cred := account("acc1AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "credential", alice().ID, t0)
			cred.Password = "ba8c41e13e3c31733f6a57205e37438a:be1b"
			gh := account("acc2AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "github", "12345", t0.Add(time.Second))
			gh.AccessToken, gh.Scope = "gho_x", "read:user,user:email"
			atExp := t0.Add(time.Hour)
			gh.AccessTokenExpiresAt = &atExp
			for _, a := range []*store.Account{gh, cred} {
				if err := db.CreateAccount(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.CreateAccount(ctx, cred); !errors.Is(err, store.ErrConflict) {
				t.Errorf("same id: %v, want ErrConflict", err)
			}
			list, err := db.Accounts(ctx, alice().ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 || list[0].ID != cred.ID || list[1].ID != gh.ID {
				t.Fatalf("Accounts: %+v", list)
			}
			if a := list[0]; a.Password != cred.Password || a.AccessToken != "" || a.AccessTokenExpiresAt != nil ||
				!a.CreatedAt.Equal(t0ms) || a.CreatedAt.Location() != time.UTC {
				t.Errorf("credential account: %+v", a)
			}
			got, err := db.AccountByProvider(ctx, "github", "12345")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != gh.ID || got.AccessToken != "gho_x" || got.Scope != gh.Scope || got.AccessTokenExpiresAt == nil ||
				!got.AccessTokenExpiresAt.Equal(utcMs(atExp)) || got.RefreshTokenExpiresAt != nil {
				t.Errorf("AccountByProvider: %+v", got)
			}
			if _, err := db.AccountByProvider(ctx, "github", "999"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("missing account: %v, want ErrNotFound", err)
			}
			if err := db.UpdateAccount(ctx, cred.ID, map[string]any{"password": "new:hash"}, t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := db.UpdateAccount(ctx, gh.ID, map[string]any{"accessToken": nil, "accessTokenExpiresAt": nil}, t0); err != nil {
				t.Fatal(err)
			}
			list, err = db.Accounts(ctx, alice().ID)
			if err != nil || list[0].Password != "new:hash" || !list[0].UpdatedAt.Equal(t0ms.Add(time.Hour)) ||
				list[1].AccessToken != "" || list[1].AccessTokenExpiresAt != nil {
				t.Errorf("after UpdateAccount: %+v, %v", list, err)
			}
			if err := db.UpdateAccount(ctx, "nobody", map[string]any{"password": "x"}, t0); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UpdateAccount of a missing account: %v, want ErrNotFound", err)
			}
			if err := db.DeleteAccount(ctx, gh.ID); err != nil {
				t.Fatal(err)
			}
			if err := db.DeleteAccount(ctx, gh.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleting a deleted account: %v, want ErrNotFound", err)
			}
			if list, err := db.Accounts(ctx, alice().ID); err != nil || len(list) != 1 {
				t.Errorf("Accounts after delete: %+v, %v", list, err)
			}
		}},
		{name: "verification", run: func(t *testing.T, db store.Database) {
			const ident = "reset-password:f89FzNbmyoe0siryeudDcfpE"
			for i, id := range []string{"ver2AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "ver1AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "ver3AAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
				created := t0.Add(time.Duration([]int{2, 1, 0}[i]) * time.Minute)
				ident := ident
				if i == 2 {
					ident = "other"
					created = t0.Add(time.Hour)
				}
				v := &store.Verification{ID: id, Identifier: ident, Value: fmt.Sprint("value", i), ExpiresAt: created.Add(time.Hour),
					CreatedAt: created, UpdatedAt: created}
				if err := db.CreateVerification(ctx, v); err != nil {
					t.Fatal(err)
				}
			}
			got, err := db.Verification(ctx, ident)
			if err != nil {
				t.Fatal(err)
			}
			want := store.Verification{ID: "ver2AAAAAAAAAAAAAAAAAAAAAAAAAAAA", Identifier: ident, Value: "value0",
				ExpiresAt: t0ms.Add(2*time.Minute + time.Hour), CreatedAt: t0ms.Add(2 * time.Minute), UpdatedAt: t0ms.Add(2 * time.Minute)}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("Verification: got %+v, want the newest %+v", *got, want)
			}
			if err := db.DeleteVerification(ctx, want.ID); err != nil {
				t.Fatal(err)
			}
			if err := db.DeleteVerification(ctx, want.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleting twice: %v, want ErrNotFound", err)
			}
			if got, err := db.Verification(ctx, ident); err != nil || got.ID != "ver1AAAAAAAAAAAAAAAAAAAAAAAAAAAA" {
				t.Errorf("after delete: %+v, %v", got, err)
			}
			if _, err := db.Verification(ctx, "nothing"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("missing identifier: %v, want ErrNotFound", err)
			}
		}},
		{name: "delete user", run: func(t *testing.T, db store.Database) {
			mustUser(t, db)
			bob := &store.User{ID: "bobBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", Email: "bob@example.com", Name: "Bob"}
			if err := db.CreateUser(ctx, bob, t0); err != nil {
				t.Fatal(err)
			}
			s := session("sess1AAAAAAAAAAAAAAAAAAAAAAAAAAA", "tok1AAAAAAAAAAAAAAAAAAAAAAAAAAAA", t0)
			bs := session("sess2AAAAAAAAAAAAAAAAAAAAAAAAAAA", "tok2AAAAAAAAAAAAAAAAAAAAAAAAAAAA", t0)
			bs.UserID = bob.ID
			for _, x := range []*store.Session{s, bs} {
				if err := db.CreateSession(ctx, x); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.CreateAccount(ctx, account("acc1AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "credential", alice().ID, t0)); err != nil {
				t.Fatal(err)
			}
			if err := db.DeleteUser(ctx, alice().ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.UserByID(ctx, alice().ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("user after DeleteUser: %v", err)
			}
			if list, err := db.Sessions(ctx, alice().ID); err != nil || len(list) != 0 {
				t.Errorf("sessions after DeleteUser: %v, %v", list, err)
			}
			if list, err := db.Accounts(ctx, alice().ID); err != nil || len(list) != 0 {
				t.Errorf("accounts after DeleteUser: %v, %v", list, err)
			}
			if _, err := db.Lookup(ctx, bs.Token); err != nil {
				t.Errorf("another user's session after DeleteUser: %v", err)
			}
			if err := db.DeleteUser(ctx, alice().ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleting twice: %v, want ErrNotFound", err)
			}
		}},
		{name: "canceled context", run: func(t *testing.T, db store.Database) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			err := db.CreateUser(cctx, alice(), t0)
			if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
				t.Errorf("CreateUser with a canceled context: %v", err)
			}
			if _, err := db.UserByID(cctx, alice().ID); err == nil || errors.Is(err, store.ErrNotFound) {
				t.Errorf("UserByID with a canceled context: %v, want an error other than ErrNotFound", err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newDB(t)) })
	}
}

func utcMs(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func checkSession(t *testing.T, where string, got, want store.Session) {
	t.Helper()
	got.Additional, want.Additional = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %+v, want %+v", where, got, want)
	}
	for _, tm := range []time.Time{got.ExpiresAt, got.CreatedAt, got.UpdatedAt} {
		if tm.Location() != time.UTC {
			t.Errorf("%s: %s not in UTC", where, tm)
		}
	}
}
