package interop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/admin"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/mail"
	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// The secondary-storage tests run a Go server (authserver with Config.SecondaryStorage) and the real
// Better Auth server (REDIS_URL, REDIS_KEY_PREFIX) on one Redis and one SQLite file: sessions one creates
// are in Redis under Better Auth's keys, and the other accepts, lists and ends them.

// redisPair is a Go and a Node server on one SQLite file and one Redis key prefix.
type redisPair struct {
	goSrv, node *interop.Server
	rdb         *redis.Client
	prefix      string
	dbURL       string // the SQLite file, as storeurl opens it
}

func newRedisPair(t *testing.T, nodeEnv map[string]string, edit func(*authserver.Config)) redisPair {
	t.Helper()
	interop.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	redisURL, prefix, clean, err := newRedisPrefix(ctx)
	requireFixture(t, err)
	t.Cleanup(clean)
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	kv, err := redisstore.NewSecondaryStorage(rdb, &redisstore.Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "shared.db")
	g := startGoServer(t, "sqlite:"+file, interop.DefaultSecret, func(c *authserver.Config) {
		c.SecondaryStorage = kv
		c.User.DeleteUser.Enabled = true
		if edit != nil {
			edit(c)
		}
	})
	env := map[string]string{"DB_FILE": file, "REDIS_URL": redisURL, "REDIS_KEY_PREFIX": prefix}
	for k, v := range nodeEnv {
		env[k] = v
	}
	return redisPair{goSrv: g, node: interop.NewServer(t, env), rdb: rdb, prefix: prefix, dbURL: "sqlite:" + file}
}

// get sends GET <AuthBase>endpoint with cookie and returns the status and body.
func get(ctx context.Context, s *interop.Server, endpoint, cookie string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.AuthURL(endpoint), nil)
	if err != nil {
		return 0, nil, err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

// listTokens is GET /list-sessions: the tokens of the sessions listed.
func listTokens(t *testing.T, ctx context.Context, s *interop.Server, cookie string) []string {
	t.Helper()
	status, b, err := get(ctx, s, "/list-sessions", cookie)
	if err != nil || status != 200 {
		t.Fatalf("list-sessions: %d %s %v", status, b, err)
	}
	var list []struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("list-sessions: %s: %v", b, err)
	}
	var out []string
	for _, s := range list {
		out = append(out, s.Token)
	}
	slices.Sort(out)
	return out
}

func bodyToken(t *testing.T, l *interop.Login) string {
	t.Helper()
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(l.Body, &v); err != nil || v.Token == "" {
		t.Fatalf("no token in %s", l.Body)
	}
	return v.Token
}

// wantStored checks the Redis value of a session token: Better Auth's {"session","user"} JSON with a TTL
// close to the session's lifetime, and the token in active-sessions-<userId>.
func (p redisPair) wantStored(t *testing.T, ctx context.Context, token, email string) {
	t.Helper()
	raw, err := p.rdb.Get(ctx, p.prefix+token).Result()
	if err != nil {
		t.Fatalf("Redis %s<token>: %v", p.prefix, err)
	}
	var v struct {
		Session struct {
			Token, UserID, ExpiresAt string
		} `json:"session"`
		User struct{ Email, ID string } `json:"user"`
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil || v.Session.Token != token || v.User.Email != email || v.Session.UserID != v.User.ID {
		t.Fatalf("stored session %s: %v", raw, err)
	}
	if ttl := p.rdb.TTL(ctx, p.prefix+token).Val(); ttl < 7*24*time.Hour-time.Minute || ttl > 7*24*time.Hour {
		t.Errorf("TTL of the session key: %v, want about 7 days", ttl)
	}
	list, err := p.rdb.Get(ctx, p.prefix+"active-sessions-"+v.User.ID).Result()
	if err != nil || !strings.Contains(list, `"token":"`+token+`"`) {
		t.Fatalf("active-sessions-%s = %s, %v: want the token", v.User.ID, list, err)
	}
}

func TestSharedSecondaryStorage(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		env  map[string]string
		edit func(*authserver.Config)
	}{
		{"redis-only", nil, nil},
		{"storeSessionInDatabase", map[string]string{"STORE_SESSION_IN_DATABASE": "1"},
			func(c *authserver.Config) { c.Session.StoreSessionInDatabase = true }},
		{"preserveSessionInDatabase", map[string]string{"STORE_SESSION_IN_DATABASE": "1", "PRESERVE_SESSION_IN_DATABASE": "1"},
			func(c *authserver.Config) {
				c.Session.StoreSessionInDatabase, c.Session.PreserveSessionInDatabase = true, true
			}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			p := newRedisPair(t, mode.env, mode.edit)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			servers := map[string]*interop.Server{"go": p.goSrv, "node": p.node}
			for _, dir := range [][2]string{{"go", "node"}, {"node", "go"}} {
				from, to := servers[dir[0]], servers[dir[1]]
				t.Run(dir[0]+"→"+dir[1], func(t *testing.T) {
					email := strings.ToLower(fmt.Sprintf("%s-%s@example.com", dir[0], mode.name))
					signup, err := from.Post(ctx, "/sign-up/email", "", map[string]any{"email": email, "password": password, "name": "Redis " + dir[0]})
					if err != nil {
						t.Fatal(err)
					}
					first := bodyToken(t, signup)
					p.wantStored(t, ctx, first, email)
					if s, err := to.LookupSession(ctx, signup.Cookie, "", true); err != nil || s == nil || s.User.Email != email {
						t.Fatalf("%s /get-session with %s's session: %+v, %v", dir[1], dir[0], s, err)
					}
					l, err := to.SignIn(ctx, email, password, true)
					if err != nil {
						t.Fatal(err)
					}
					second := bodyToken(t, l)
					p.wantStored(t, ctx, second, email)
					// Both list both sessions, from the active-sessions list.
					want := []string{first, second}
					slices.Sort(want)
					for _, s := range []*interop.Server{from, to} {
						if got := listTokens(t, ctx, s, signup.Cookie); !slices.Equal(got, want) {
							t.Fatalf("list-sessions on %s: %v, want %v", s.URL, got, want)
						}
					}
					// A user update on `from` reaches the session `to` reads from Redis.
					if _, err := from.Post(ctx, "/update-user", signup.Cookie, map[string]any{"name": "Renamed " + dir[0]}); err != nil {
						t.Fatal(err)
					}
					if s, err := to.LookupSession(ctx, l.Cookie, "", true); err != nil || s == nil || s.User.Name != "Renamed "+dir[0] {
						t.Fatalf("%s after %s's update-user: %+v, %v", dir[1], dir[0], s, err)
					}
					// revoke-session on `from` ends `to`'s session on both.
					if _, err := from.Post(ctx, "/revoke-session", signup.Cookie, map[string]any{"token": second}); err != nil {
						t.Fatal(err)
					}
					for _, s := range []*interop.Server{from, to} {
						if r, err := s.LookupSession(ctx, l.Cookie, "", true); err != nil || r != nil {
							t.Fatalf("%s still accepts a session revoked on %s: %+v, %v", s.URL, dir[0], r, err)
						}
					}
					if n := p.rdb.Exists(ctx, p.prefix+second).Val(); n != 0 {
						t.Fatal("the revoked session is still in Redis")
					}
					// revoke-other-sessions on `to` ends a third session, made on `from`.
					third, err := from.SignIn(ctx, email, password, true)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := to.Post(ctx, "/revoke-other-sessions", signup.Cookie, nil); err != nil {
						t.Fatal(err)
					}
					if r, err := from.LookupSession(ctx, third.Cookie, "", true); err != nil || r != nil {
						t.Fatalf("%s still accepts a session %s's revoke-other-sessions ended: %+v, %v", dir[0], dir[1], r, err)
					}
					if got := listTokens(t, ctx, from, signup.Cookie); !slices.Equal(got, []string{first}) {
						t.Fatalf("list-sessions after revoke-other-sessions: %v, want only %s", got, first)
					}
					// revoke-sessions on `to` ends every session, a fourth made on `from` too.
					fourth, err := from.SignIn(ctx, email, password, true)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := to.Post(ctx, "/revoke-sessions", signup.Cookie, nil); err != nil {
						t.Fatal(err)
					}
					for _, s := range []*interop.Server{from, to} {
						for _, c := range []string{signup.Cookie, fourth.Cookie} {
							if r, err := s.LookupSession(ctx, c, "", true); err != nil || r != nil {
								t.Fatalf("%s still accepts a session after revoke-sessions on %s: %+v, %v", s.URL, dir[1], r, err)
							}
						}
					}
					// Sign-out on `from` ends a session made on `to`.
					fifth, err := to.SignIn(ctx, email, password, true)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := from.Post(ctx, "/sign-out", fifth.Cookie, nil); err != nil {
						t.Fatal(err)
					}
					if r, err := to.LookupSession(ctx, fifth.Cookie, "", true); err != nil || r != nil {
						t.Fatalf("%s still accepts a session signed out on %s: %+v, %v", dir[1], dir[0], r, err)
					}
					// delete-user on `to` ends a session made on `from` and empties the user's list.
					sixth, err := from.SignIn(ctx, email, password, true)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := to.Post(ctx, "/delete-user", sixth.Cookie, map[string]any{"password": password}); err != nil {
						t.Fatal(err)
					}
					if r, err := from.LookupSession(ctx, sixth.Cookie, "", true); err != nil || r != nil {
						t.Fatalf("%s still accepts a session of a user deleted on %s: %+v, %v", dir[0], dir[1], r, err)
					}
					if n := p.rdb.Exists(ctx, p.prefix+bodyToken(t, sixth)).Val(); n != 0 {
						t.Fatal("the deleted user's session is still in Redis")
					}
				})
			}
		})
	}
}

// TestSharedSecondaryStorageVerification: password-reset tokens live in Redis (verification:<identifier>,
// not in the verification table, as Better Auth keeps them without verification.storeInDatabase): one
// server issues, the other spends, and a token is spent once.
func TestSharedSecondaryStorageVerification(t *testing.T) {
	t.Parallel()
	box := &mail.Outbox{}
	p := newRedisPair(t, nil, func(c *authserver.Config) { c.Mailer = box })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := p.goSrv.SignUp(ctx, "verify-kv@example.com", password, "KV"); err != nil {
		t.Fatal(err)
	}
	// Go issues, Node spends.
	if _, err := p.goSrv.Post(ctx, "/request-password-reset", "", map[string]any{"email": "verify-kv@example.com"}); err != nil {
		t.Fatal(err)
	}
	r, err := box.Next(ctx, "verify-kv@example.com", authserver.EmailResetPassword)
	if err != nil {
		t.Fatal(err)
	}
	key := p.prefix + "verification:reset-password:" + r.Token
	if ttl := p.rdb.TTL(ctx, key).Val(); ttl < 59*time.Minute || ttl > time.Hour {
		t.Fatalf("TTL of %s: %v, want about 1 h", key, ttl)
	}
	if _, err := p.node.Post(ctx, "/reset-password", "", map[string]any{"token": r.Token, "newPassword": "reset-by-node-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.goSrv.Post(ctx, "/reset-password", "", map[string]any{"token": r.Token, "newPassword": "again-by-go-1"}); err == nil {
		t.Fatal("Go accepted a reset token Node spent")
	}
	// Node issues, Go spends.
	if _, err := p.node.Post(ctx, "/request-password-reset", "", map[string]any{"email": "verify-kv@example.com"}); err != nil {
		t.Fatal(err)
	}
	var token string
	for _, m := range nodeOutbox(t, p.node) {
		if m.Kind == "reset" {
			token = m.Token
		}
	}
	if token == "" || p.rdb.Exists(ctx, p.prefix+"verification:reset-password:"+token).Val() != 1 {
		t.Fatalf("Node's reset token %q is not in Redis", token)
	}
	if _, err := p.goSrv.Post(ctx, "/reset-password", "", map[string]any{"token": token, "newPassword": "reset-by-go-123"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.node.Post(ctx, "/reset-password", "", map[string]any{"token": token, "newPassword": "again-by-node-1"}); err == nil {
		t.Fatal("Node accepted a reset token Go spent")
	}
	if _, err := p.node.SignIn(ctx, "verify-kv@example.com", "reset-by-go-123", true); err != nil {
		t.Fatalf("Node sign-in with the password Go set: %v", err)
	}
}

// TestSecondaryStorageAdmin: the admin plugins of a Go and a Node server on one Redis: what an admin does
// on one (list a user's sessions, revoke them, ban, remove the user) acts on sessions made on the other.
func TestSecondaryStorageAdmin(t *testing.T) {
	t.Parallel()
	p := newRedisPair(t, map[string]string{"PLUGINS": "admin"}, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, admin.New(admin.Config{}))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	servers := map[string]*interop.Server{"go": p.goSrv, "node": p.node}
	for _, dir := range [][2]string{{"go", "node"}, {"node", "go"}} {
		adm, other := servers[dir[0]], servers[dir[1]]
		t.Run(dir[0]+" admin", func(t *testing.T) {
			adminEmail, userEmail := "admin-"+dir[0]+"@example.com", "user-"+dir[0]+"@example.com"
			up, err := adm.Post(ctx, "/sign-up/email", "", map[string]any{"email": adminEmail, "password": password, "name": "Admin"})
			if err != nil {
				t.Fatal(err)
			}
			var au struct{ User struct{ ID string } }
			json.Unmarshal(up.Body, &au)
			if err := setRole(ctx, p, au.User.ID, "admin"); err != nil {
				t.Fatal(err)
			}
			al, err := adm.SignIn(ctx, adminEmail, password, true) // a session whose user copy has the role
			if err != nil {
				t.Fatal(err)
			}
			uup, err := other.Post(ctx, "/sign-up/email", "", map[string]any{"email": userEmail, "password": password, "name": "User"})
			if err != nil {
				t.Fatal(err)
			}
			var uu struct{ User struct{ ID string } }
			json.Unmarshal(uup.Body, &uu)
			ul, err := other.SignIn(ctx, userEmail, password, true)
			if err != nil {
				t.Fatal(err)
			}
			l, err := adm.Post(ctx, "/admin/list-user-sessions", al.Cookie, map[string]any{"userId": uu.User.ID})
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(l.Body), `"token"`); n != 2 {
				t.Fatalf("list-user-sessions on %s: %s, want the 2 sessions made on %s", dir[0], l.Body, dir[1])
			}
			if _, err := adm.Post(ctx, "/admin/revoke-user-sessions", al.Cookie, map[string]any{"userId": uu.User.ID}); err != nil {
				t.Fatal(err)
			}
			for _, c := range []string{uup.Cookie, ul.Cookie} {
				if r, err := other.LookupSession(ctx, c, "", true); err != nil || r != nil {
					t.Fatalf("%s accepts a session %s's admin revoked: %+v, %v", dir[1], dir[0], r, err)
				}
			}
			ul, err = other.SignIn(ctx, userEmail, password, true)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := adm.Post(ctx, "/admin/ban-user", al.Cookie, map[string]any{"userId": uu.User.ID}); err != nil {
				t.Fatal(err)
			}
			if r, err := other.LookupSession(ctx, ul.Cookie, "", true); err != nil || r != nil {
				t.Fatalf("%s accepts a session of a user %s banned: %+v, %v", dir[1], dir[0], r, err)
			}
			if _, err := other.SignIn(ctx, userEmail, password, true); err == nil {
				t.Fatalf("%s signs in a user %s banned", dir[1], dir[0])
			}
			if _, err := adm.Post(ctx, "/admin/remove-user", al.Cookie, map[string]any{"userId": uu.User.ID}); err != nil {
				t.Fatal(err)
			}
			if n := p.rdb.Exists(ctx, p.prefix+"active-sessions-"+uu.User.ID).Val(); n != 0 {
				t.Fatalf("active-sessions list of a removed user left in Redis")
			}
		})
	}
}

// setRole sets a user's role in the shared SQLite file, as an operator would make the first admin.
func setRole(ctx context.Context, p redisPair, userID, role string) error {
	db, _, err := storeurl.OpenDB(ctx, p.dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `update "user" set "role" = ? where "id" = ?`, role, userID)
	return err
}
