package interop_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// pluginPair is a real Better Auth server with the admin, organization and api-key plugins, and a Go
// verifier on the same database.
type pluginPair struct {
	node     *interop.Server
	verifier *auth.Auth
	store    *sqlstore.Store
	exec     func(ctx context.Context, q string, args ...any) error
	kind     string
}

func newPluginPair(t *testing.T, ctx context.Context, kind string) pluginPair {
	t.Helper()
	interop.Require(t)
	var dbURL string
	env := map[string]string{"PLUGINS": "admin,organization,apiKey", "INSECURE_FAST_PASSWORD_HASH": "1"}
	switch kind {
	case "sqlite":
		file := filepath.Join(t.TempDir(), "plugins.db")
		dbURL, env["DB_FILE"] = "sqlite:"+file, file
	case "postgres":
		u, drop, err := newPostgresDatabase(ctx)
		requireFixture(t, err)
		t.Cleanup(drop)
		dbURL, env["DATABASE"] = u, u
	}
	node := interop.NewServer(t, env)
	db, dialect, err := storeurl.OpenDB(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// One database written by two dozen concurrent verifications from two processes on a loaded CI machine:
	// the 2 s default bound of one lookup (sqlstore.DefaultTimeout) is for production, not for this.
	st, err := sqlstore.New(db, dialect, &sqlstore.Options{Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.New(auth.Config{BaseURL: node.BaseURL, Secret: auth.Secret(interop.DefaultSecret), DisableJWKS: true,
		Store: st, APIKeys: &auth.APIKeyConfig{Store: st}})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(ctx context.Context, q string, args ...any) error {
		if dialect == sqlstore.Postgres {
			for i := range args {
				q = replaceOnce(q, "?", fmt.Sprintf("$%d", i+1))
			}
		}
		_, err := db.ExecContext(ctx, q, args...)
		return err
	}
	return pluginPair{node: node, verifier: v, store: st, exec: exec, kind: kind}
}

func replaceOnce(s, old, repl string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + repl + s[i+len(old):]
		}
	}
	return s
}

// userID signs a user up at Better Auth and returns its id and session cookie.
func (p pluginPair) user(t *testing.T, ctx context.Context, email string) (string, string) {
	t.Helper()
	cookie, err := p.node.SignUp(ctx, email, password, "Key Owner")
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.node.GetSession(ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	return s.User.ID, cookie
}

// createKey creates a key through Better Auth's own createApiKey (a server call, so server-only fields are
// allowed) and returns the key and its id.
func (p pluginPair) createKey(t *testing.T, ctx context.Context, body map[string]any) (key, id string) {
	t.Helper()
	status, out, err := p.node.API(ctx, "createApiKey", body, nil)
	if err != nil || status != 200 {
		t.Fatalf("createApiKey: %d %s %v", status, out, err)
	}
	var k struct{ Key, ID string }
	if err := json.Unmarshal(out, &k); err != nil || k.Key == "" {
		t.Fatalf("createApiKey: %s", out)
	}
	return k.Key, k.ID
}

// nodeVerify is Better Auth's verifyApiKey answer: "valid" or the error code.
func (p pluginPair) nodeVerify(t *testing.T, ctx context.Context, key string, perms map[string][]string) string {
	t.Helper()
	body := map[string]any{"key": key}
	if perms != nil {
		body["permissions"] = perms
	}
	status, out, err := p.node.API(ctx, "verifyApiKey", body, nil)
	if err != nil || status != 200 {
		t.Fatalf("verifyApiKey: %d %s %v", status, out, err)
	}
	var v struct {
		Valid bool
		Error *struct{ Code string }
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	if v.Valid {
		return "valid"
	}
	return v.Error.Code
}

// goVerify is the Go verifier's answer for the same call: "valid" or the APIKeyError's code, with the
// session.
func (p pluginPair) goVerify(ctx context.Context, key string, perms map[string][]string) (string, *auth.Session, error) {
	s, err := p.verifier.Authenticate(ctx, auth.Request{Header: map[string][]string{"X-Api-Key": {key}}, APIKeyPermissions: perms})
	if err == nil {
		return "valid", s, nil
	}
	if ke, ok := errors.AsType[*auth.APIKeyError](err); ok {
		return ke.Code, nil, err
	}
	return "", nil, err
}

// TestAPIKeysAgainstBetterAuth creates keys through Better Auth's own API (api-key 1.7.21) and verifies
// twin keys in Go and in Node, call for call: the outcomes are equal, including disabled, expired, used-up,
// rate-limited and refilled keys, permissions, and unknown keys. Then Go and Node verify one key
// concurrently: the shared budget of remaining uses is never overspent.
func TestAPIKeysAgainstBetterAuth(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
			defer cancel()
			p := newPluginPair(t, ctx, kind)
			uid, _ := p.user(t, ctx, "keys-"+kind+"@example.com")
			files := map[string][]string{"files": {"read"}}
			tests := []struct {
				name   string
				create map[string]any
				setup  func(t *testing.T, id string) // runs on the row of each twin
				calls  []map[string][]string         // permissions per call (nil: none)
				pause  time.Duration                 // before the last call
				want   []string
			}{
				{name: "plain", create: map[string]any{"rateLimitEnabled": false}, calls: make([]map[string][]string, 3), want: []string{"valid", "valid", "valid"}},
				{name: "default rate limit counts", create: map[string]any{}, calls: make([]map[string][]string, 2), want: []string{"valid", "valid"}},
				{name: "disabled", create: map[string]any{}, setup: func(t *testing.T, id string) {
					if status, out, err := p.node.API(ctx, "updateApiKey", map[string]any{"keyId": id, "userId": uid, "enabled": false}, nil); err != nil || status != 200 {
						t.Fatalf("updateApiKey: %d %s %v", status, out, err)
					}
				}, calls: make([]map[string][]string, 1), want: []string{"KEY_DISABLED"}},
				{name: "expired", create: map[string]any{}, setup: func(t *testing.T, id string) {
					past := time.Now().Add(-time.Minute).UTC()
					var v any = past
					if p.kind == "sqlite" {
						v = past.Format("2006-01-02T15:04:05.000Z")
					}
					if err := p.exec(ctx, `update "apikey" set "expiresAt" = ? where "id" = ?`, v, id); err != nil {
						t.Fatal(err)
					}
				}, calls: make([]map[string][]string, 1), want: []string{"KEY_EXPIRED"}},
				{name: "used up", create: map[string]any{"remaining": 2, "rateLimitEnabled": false}, calls: make([]map[string][]string, 3),
					want: []string{"valid", "valid", "USAGE_EXCEEDED"}},
				{name: "rate limited", create: map[string]any{"rateLimitMax": 2, "rateLimitTimeWindow": 60000}, calls: make([]map[string][]string, 3),
					want: []string{"valid", "valid", "RATE_LIMITED"}},
				{name: "rate window passes", create: map[string]any{"rateLimitMax": 1, "rateLimitTimeWindow": 1000}, calls: make([]map[string][]string, 3),
					pause: 1100 * time.Millisecond, want: []string{"valid", "RATE_LIMITED", "valid"}},
				{name: "refill", create: map[string]any{"remaining": 1, "refillAmount": 1, "refillInterval": 1000, "rateLimitEnabled": false},
					calls: make([]map[string][]string, 3), pause: 1100 * time.Millisecond, want: []string{"valid", "USAGE_EXCEEDED", "valid"}},
				{name: "permissions", create: map[string]any{"permissions": files, "rateLimitEnabled": false},
					calls: []map[string][]string{files, {"files": {"write"}}, {"files": {"read", "write"}}, {"other": {"read"}}, files},
					want:  []string{"valid", "KEY_NOT_FOUND", "KEY_NOT_FOUND", "KEY_NOT_FOUND", "valid"}},
				{name: "no permissions on the key", create: map[string]any{"rateLimitEnabled": false}, calls: []map[string][]string{files},
					want: []string{"KEY_NOT_FOUND"}},
				{name: "permission refusal uses nothing", create: map[string]any{"permissions": files, "remaining": 1, "rateLimitEnabled": false},
					calls: []map[string][]string{{"files": {"write"}}, files, files}, want: []string{"KEY_NOT_FOUND", "valid", "USAGE_EXCEEDED"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					body := map[string]any{"userId": uid}
					for k, v := range tt.create {
						body[k] = v
					}
					nodeKey, nodeID := p.createKey(t, ctx, body)
					goKey, goID := p.createKey(t, ctx, body)
					if tt.setup != nil {
						tt.setup(t, nodeID)
						tt.setup(t, goID)
					}
					for i, perms := range tt.calls {
						if i == len(tt.calls)-1 && tt.pause > 0 {
							time.Sleep(tt.pause)
						}
						n := p.nodeVerify(t, ctx, nodeKey, perms)
						g, s, err := p.goVerify(ctx, goKey, perms)
						if n != tt.want[i] || g != tt.want[i] {
							t.Fatalf("call %d: Better Auth %q, Go %q (%v), want %q", i, n, g, err, tt.want[i])
						}
						if g == "valid" && (s.Credential != auth.CredentialAPIKey || s.User.ID != uid || s.APIKey.ID != goID) {
							t.Fatalf("call %d: session credential %v user %q key %q", i, s.Credential, s.User.ID, s.APIKey.ID)
						}
					}
					// The counters Go wrote are the ones Better Auth wrote for its twin.
					nk, err := p.store.APIKeyByID(ctx, nodeID)
					gk, err2 := p.store.APIKeyByID(ctx, goID)
					if errors.Is(err, nil) && errors.Is(err2, nil) {
						if !sameCount(nk.Remaining, gk.Remaining) || nk.RequestCount != gk.RequestCount || (nk.LastRequest == nil) != (gk.LastRequest == nil) {
							t.Fatalf("rows differ: Better Auth remaining %v count %d, Go remaining %v count %d", remainingOf(nk.Remaining), nk.RequestCount, remainingOf(gk.Remaining), gk.RequestCount)
						}
					}
				})
			}
			t.Run("unknown key", func(t *testing.T) {
				key := "x" + fmt.Sprint(time.Now().UnixNano()) + "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnop"
				if n := p.nodeVerify(t, ctx, key, nil); n != "INVALID_API_KEY" {
					t.Fatalf("Better Auth: %q", n)
				}
				if g, _, err := p.goVerify(ctx, key, nil); g != "INVALID_API_KEY" || auth.HTTPStatus(err) != 401 {
					t.Fatalf("Go: %q %v", g, err)
				}
			})
			for _, shared := range []struct {
				name   string
				create map[string]any
				want   string
			}{
				// Refillable, so Node does not delete the key when it meets it used up.
				{name: "shared remaining", create: map[string]any{"remaining": 10, "rateLimitEnabled": false, "refillAmount": 10, "refillInterval": 86400000}, want: "USAGE_EXCEEDED"},
				{name: "shared rate limit", create: map[string]any{"rateLimitMax": 10, "rateLimitTimeWindow": 600000}, want: "RATE_LIMITED"},
			} {
				t.Run(shared.name, func(t *testing.T) {
					const budget, each = 10, 12
					body := map[string]any{"userId": uid}
					for k, v := range shared.create {
						body[k] = v
					}
					key, id := p.createKey(t, ctx, body)
					var ok atomic.Int64
					var mu sync.Mutex
					outcomes := map[string]int{}
					var wg sync.WaitGroup
					start := time.Now()
					for range each {
						wg.Add(2)
						go func() {
							defer wg.Done()
							n := p.nodeVerify(t, ctx, key, nil)
							if n == "valid" {
								ok.Add(1)
							}
							mu.Lock()
							outcomes["node "+n]++
							mu.Unlock()
						}()
						go func() {
							defer wg.Done()
							g, _, err := p.goVerify(ctx, key, nil)
							if g == "valid" {
								ok.Add(1)
							} else if g != shared.want {
								t.Errorf("Go: %q %v", g, err)
							}
							mu.Lock()
							outcomes["go "+g]++
							mu.Unlock()
						}()
					}
					wg.Wait()
					k, err := p.store.APIKeyByID(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%d concurrent verifications (half Go, half Node) of a key allowing %d: %d accepted %v; row: remaining %d, requestCount %d; %v",
						2*each, budget, ok.Load(), outcomes, remainingOf(k.Remaining), k.RequestCount, time.Since(start))
					if ok.Load() != budget || outcomes["node "+shared.want]+outcomes["go "+shared.want] != 2*each-budget {
						t.Fatalf("accepted %d of %d: %v", ok.Load(), budget, outcomes)
					}
				})
			}
		})
	}
}

func sameCount(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func remainingOf(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}
