package interop_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// redisKeys is a real Better Auth server keeping api keys in Redis secondary storage (under a key prefix of
// its own), and a Go verifier reading them there.
type redisKeys struct {
	pluginPair
	rdb    *redis.Client
	prefix string
}

func newRedisKeys(t *testing.T, ctx context.Context, fallback bool) redisKeys {
	t.Helper()
	interop.Require(t)
	redisURL, prefix, clean, err := newRedisPrefix(ctx)
	requireFixture(t, err)
	t.Cleanup(clean)
	file := filepath.Join(t.TempDir(), "keys.db")
	env := map[string]string{"PLUGINS": "admin,organization,apiKey", "INSECURE_FAST_PASSWORD_HASH": "1", "DB_FILE": file,
		"REDIS_URL": redisURL, "REDIS_KEY_PREFIX": prefix, "APIKEY_STORAGE": "secondary-storage"}
	if fallback {
		env["APIKEY_FALLBACK"] = "1"
	}
	node := interop.NewServer(t, env)
	db, dialect, err := storeurl.OpenDB(ctx, "sqlite:"+file)
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
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	opts.ContextTimeoutEnabled = true
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	rs, err := redisstore.New(rdb, &redisstore.Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ko := redisstore.APIKeyOptions{Users: st}
	if fallback {
		ko.Database = st
	}
	keys, err := rs.APIKeys(ko)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.New(auth.Config{BaseURL: node.BaseURL, Secret: auth.Secret(interop.DefaultSecret), DisableJWKS: true,
		Store: st, APIKeys: &auth.APIKeyConfig{Store: keys}})
	if err != nil {
		t.Fatal(err)
	}
	return redisKeys{pluginPair: pluginPair{node: node, verifier: v, store: st, kind: "sqlite"}, rdb: rdb, prefix: prefix}
}

// stored returns the JSON Redis holds for the key with this id, nil when there is none.
func (r redisKeys) stored(t *testing.T, ctx context.Context, id string) map[string]any {
	t.Helper()
	raw, err := r.rdb.Get(ctx, r.prefix+"api-key:by-id:"+id).Bytes()
	if err == redis.Nil {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// setMember changes one member of the key's JSON in both of its Redis entries, keeping their TTLs.
func (r redisKeys) setMember(t *testing.T, ctx context.Context, id, name string, value any) {
	t.Helper()
	m := r.stored(t, ctx, id)
	if m == nil {
		t.Fatalf("key %s is not in Redis", id)
	}
	m[name] = value
	raw, _ := json.Marshal(m)
	for _, k := range []string{"api-key:by-id:" + id, "api-key:" + m["key"].(string)} {
		if err := r.rdb.Set(ctx, r.prefix+k, raw, redis.KeepTTL).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAPIKeysInRedisAgainstBetterAuth runs the api-key plugin with storage: "secondary-storage" on Redis,
// alone and with fallbackToDatabase: keys created through Better Auth's own API verify in Go from Redis
// with the right principal; disabled, expired, used-up and rate-limited keys are refused with Better Auth's
// codes, call for call with a twin key verified by Node; the counters Go writes into the stored JSON are the
// ones Node writes. Then one key is verified concurrently: with fallbackToDatabase, 12 Go and 12 Node
// verifications of a key allowing 10 accept exactly 10; in Redis alone, 24 Go verifications accept exactly
// 10, and Go mixed with Node accepts at least 10 (Node's read-modify-write can lose updates: measured).
func TestAPIKeysInRedisAgainstBetterAuth(t *testing.T) {
	for _, mode := range []struct {
		name     string
		fallback bool
	}{{name: "secondary-storage"}, {name: "secondary-storage+fallbackToDatabase", fallback: true}} {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
			defer cancel()
			r := newRedisKeys(t, ctx, mode.fallback)
			uid, _ := r.user(t, ctx, "redis-keys@example.com")
			files := map[string][]string{"files": {"read"}}
			tests := []struct {
				name   string
				create map[string]any
				setup  func(t *testing.T, id string)
				calls  []map[string][]string
				want   []string
			}{
				{name: "plain", create: map[string]any{"rateLimitEnabled": false}, calls: make([]map[string][]string, 3), want: []string{"valid", "valid", "valid"}},
				{name: "default rate limit counts", create: map[string]any{}, calls: make([]map[string][]string, 2), want: []string{"valid", "valid"}},
				{name: "disabled", create: map[string]any{}, setup: func(t *testing.T, id string) {
					if status, out, err := r.node.API(ctx, "updateApiKey", map[string]any{"keyId": id, "userId": uid, "enabled": false}, nil); err != nil || status != 200 {
						t.Fatalf("updateApiKey: %d %s %v", status, out, err)
					}
				}, calls: make([]map[string][]string, 1), want: []string{"KEY_DISABLED"}},
				{name: "expired", create: map[string]any{}, setup: func(t *testing.T, id string) {
					r.setMember(t, ctx, id, "expiresAt", time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05.000Z"))
				}, calls: make([]map[string][]string, 1), want: []string{"KEY_EXPIRED"}},
				{name: "used up", create: map[string]any{"remaining": 2, "rateLimitEnabled": false}, calls: make([]map[string][]string, 3),
					want: []string{"valid", "valid", "USAGE_EXCEEDED"}},
				{name: "rate limited", create: map[string]any{"rateLimitMax": 2, "rateLimitTimeWindow": 60000}, calls: make([]map[string][]string, 3),
					want: []string{"valid", "valid", "RATE_LIMITED"}},
				{name: "permissions", create: map[string]any{"permissions": files, "rateLimitEnabled": false},
					calls: []map[string][]string{files, {"files": {"write"}}, files}, want: []string{"valid", "KEY_NOT_FOUND", "valid"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					body := map[string]any{"userId": uid}
					for k, v := range tt.create {
						body[k] = v
					}
					nodeKey, nodeID := r.createKey(t, ctx, body)
					goKey, goID := r.createKey(t, ctx, body)
					if r.stored(t, ctx, goID) == nil {
						t.Fatalf("Better Auth did not store key %s in Redis", goID)
					}
					if tt.setup != nil {
						tt.setup(t, nodeID)
						tt.setup(t, goID)
					}
					for i, perms := range tt.calls {
						n := r.nodeVerify(t, ctx, nodeKey, perms)
						g, s, err := r.goVerify(ctx, goKey, perms)
						if n != tt.want[i] || g != tt.want[i] {
							t.Fatalf("call %d: Better Auth %q, Go %q (%v), want %q", i, n, g, err, tt.want[i])
						}
						if g == "valid" && (s.Credential != auth.CredentialAPIKey || s.User.ID != uid || s.APIKey.ID != goID) {
							t.Fatalf("call %d: session credential %v user %q key %q", i, s.Credential, s.User.ID, s.APIKey.ID)
						}
					}
					nk, gk := r.stored(t, ctx, nodeID), r.stored(t, ctx, goID)
					if nk != nil && gk != nil {
						for _, m := range []string{"remaining", "requestCount", "enabled", "permissions", "referenceId"} {
							if (nk[m] == nil) != (gk[m] == nil) || m != "referenceId" && m != "permissions" && nk[m] != gk[m] {
								t.Errorf("%s: Better Auth wrote %v, Go %v", m, nk[m], gk[m])
							}
						}
						if (nk["lastRequest"] == nil) != (gk["lastRequest"] == nil) {
							t.Errorf("lastRequest: Better Auth wrote %v, Go %v", nk["lastRequest"], gk["lastRequest"])
						}
					}
				})
			}
			t.Run("unknown key", func(t *testing.T) {
				key := "unknown-" + randomName("k") + "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij"
				if n := r.nodeVerify(t, ctx, key, nil); n != "INVALID_API_KEY" {
					t.Fatalf("Better Auth: %q", n)
				}
				if g, _, err := r.goVerify(ctx, key, nil); g != "INVALID_API_KEY" || auth.HTTPStatus(err) != 401 {
					t.Fatalf("Go: %q %v", g, err)
				}
			})
			for _, shared := range []struct {
				name   string
				create map[string]any
				want   string
			}{
				{name: "shared remaining", create: map[string]any{"remaining": 10, "rateLimitEnabled": false, "refillAmount": 10, "refillInterval": 86400000}, want: "USAGE_EXCEEDED"},
				{name: "shared rate limit", create: map[string]any{"rateLimitMax": 10, "rateLimitTimeWindow": 600000}, want: "RATE_LIMITED"},
			} {
				const budget, each = 10, 12
				run := func(t *testing.T, goN, nodeN int) (accepted int, outcomes map[string]int, id string) {
					body := map[string]any{"userId": uid}
					for k, v := range shared.create {
						body[k] = v
					}
					key, id := r.createKey(t, ctx, body)
					var mu sync.Mutex
					outcomes = map[string]int{}
					var wg sync.WaitGroup
					record := func(who, code string) {
						mu.Lock()
						defer mu.Unlock()
						outcomes[who+" "+code]++
						if code == "valid" {
							accepted++
						}
					}
					for range nodeN {
						wg.Go(func() { record("node", r.nodeVerify(t, ctx, key, nil)) })
					}
					for range goN {
						wg.Go(func() {
							g, _, err := r.goVerify(ctx, key, nil)
							if g != "valid" && g != shared.want {
								t.Errorf("Go: %q %v", g, err)
							}
							record("go", g)
						})
					}
					wg.Wait()
					return accepted, outcomes, id
				}
				t.Run(shared.name, func(t *testing.T) {
					if mode.fallback {
						ok, outcomes, id := run(t, each, each)
						t.Logf("%d concurrent verifications (half Go, half Node) of a key allowing %d: %d accepted %v; Redis: remaining %v, requestCount %v",
							2*each, budget, ok, outcomes, r.stored(t, ctx, id)["remaining"], r.stored(t, ctx, id)["requestCount"])
						if ok != budget {
							t.Fatalf("accepted %d of %d: %v", ok, budget, outcomes)
						}
						return
					}
					ok, outcomes, id := run(t, 2*each, 0)
					t.Logf("%d concurrent Go verifications of a key allowing %d: %d accepted %v; Redis: remaining %v, requestCount %v",
						2*each, budget, ok, outcomes, r.stored(t, ctx, id)["remaining"], r.stored(t, ctx, id)["requestCount"])
					if ok != budget {
						t.Fatalf("Go alone accepted %d of %d: %v", ok, budget, outcomes)
					}
					ok, outcomes, _ = run(t, each, each)
					t.Logf("%d concurrent verifications (half Go, half Node) of a key allowing %d in Redis alone: %d accepted %v (Node's read-modify-write)",
						2*each, budget, ok, outcomes)
					if ok < budget {
						t.Fatalf("mixed: accepted %d, fewer than %d: %v", ok, budget, outcomes)
					}
				})
			}
		})
	}
}
