package interop_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// The shared-database tests run a Go server (core/authserver, under httptest) and the real Better
// Auth server on one database, migrated by Go first, with one secret: what either writes, the other reads.

// startGoServer serves Better Auth's endpoints from Go on databaseURL (migrating it first) with secret.
func startGoServer(t *testing.T, databaseURL, secret string, edit func(*authserver.Config)) *interop.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, dialect, err := storeurl.OpenDB(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sqlstore.Migrate(ctx, db, dialect, nil); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, dialect, nil)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler
	var once sync.Once
	ready := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-ready
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	cfg := authserver.Config{Auth: auth.Config{BaseURL: ts.URL, Secret: auth.Secret(secret), DisableJWKS: true},
		Database: st, DevMode: true, Plugins: []authserver.Plugin{authserver.Bearer(authserver.BearerConfig{})}}
	if edit != nil {
		edit(&cfg)
	}
	if tables := cfg.Schema(); len(tables) > 0 {
		if _, err := sqlstore.Migrate(ctx, db, dialect, &sqlstore.MigrateOptions{Tables: tables}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := authserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() }) // drains the mail queue before the database closes
	h = a
	once.Do(func() { close(ready) })
	return interop.Attach(ts.URL, "/api/auth", secret)
}

// sharedPair is a Go and a Node server on one database.
type sharedPair struct{ goSrv, node *interop.Server }

func newSharedPair(t *testing.T, kind string) sharedPair {
	t.Helper()
	interop.Require(t)
	var goURL string
	env := map[string]string{}
	switch kind {
	case "sqlite":
		file := filepath.Join(t.TempDir(), "shared.db")
		goURL = "sqlite:" + file
		env["DB_FILE"] = file
	case "postgres":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		u, drop, err := newPostgresDatabase(ctx)
		requireFixture(t, err)
		t.Cleanup(drop)
		goURL = u
		env["DATABASE"] = u
	}
	g := startGoServer(t, goURL, interop.DefaultSecret, nil)
	n := interop.NewServer(t, env) // Node migrates on start: after Go's Migrate it has nothing to do
	return sharedPair{goSrv: g, node: n}
}

func TestSharedDatabase(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			p := newSharedPair(t, kind)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			servers := map[string]*interop.Server{"go": p.goSrv, "node": p.node}
			for _, dir := range [][2]string{{"go", "node"}, {"node", "go"}} {
				from, to := servers[dir[0]], servers[dir[1]]
				t.Run(dir[0]+"→"+dir[1], func(t *testing.T) {
					email := dir[0] + "-" + kind + "@example.com"
					// Sign-up on one server writes the user, the credential account (scrypt) and a session.
					cookie, err := from.SignUp(ctx, email, password, "Shared "+dir[0])
					if err != nil {
						t.Fatal(err)
					}
					// The other accepts that session cookie…
					s, err := to.GetSession(ctx, cookie)
					if err != nil || s == nil || s.User.Email != email {
						t.Fatalf("%s /get-session with %s's cookie: %+v, %v", dir[1], dir[0], s, err)
					}
					// …and signs the same user in with the same password (the hash format agrees).
					l, err := to.SignIn(ctx, email, password, true)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := to.Post(ctx, "/sign-in/email", "", map[string]any{"email": email, "password": "wrong " + password}); err == nil {
						t.Fatalf("%s accepted a wrong password", dir[1])
					}
					// A session made by `to` is valid on `from`; revoking it on `from` is seen by `to` at once.
					if s, err := from.GetSession(ctx, l.Cookie); err != nil || s == nil {
						t.Fatalf("%s does not accept %s's session: %v", dir[0], dir[1], err)
					}
					var tok struct {
						Token string `json:"token"`
					}
					if err := json.Unmarshal(l.Body, &tok); err != nil || tok.Token == "" {
						t.Fatalf("sign-in body %s", l.Body)
					}
					if _, err := from.Post(ctx, "/revoke-session", cookie, map[string]any{"token": tok.Token}); err != nil {
						t.Fatal(err)
					}
					if s, err := to.LookupSession(ctx, l.Cookie, "", true); err != nil || s != nil {
						t.Fatalf("%s still accepts a session %s revoked: %+v, %v", dir[1], dir[0], s, err)
					}
					// Sign-out on `to` ends the first session for `from` too.
					if _, err := to.Post(ctx, "/sign-out", cookie, nil); err != nil {
						t.Fatal(err)
					}
					if s, err := from.LookupSession(ctx, cookie, "", true); err != nil || s != nil {
						t.Fatalf("%s still accepts a session signed out on %s: %+v, %v", dir[0], dir[1], s, err)
					}
				})
			}
		})
	}
}
