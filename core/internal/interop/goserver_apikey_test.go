package interop_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/apikey"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// apiKeyPair is a Node server with apiKey({enableMetadata: true}) and a Go server with apikey.New on one
// database.
type apiKeyPair struct {
	db          *sql.DB
	node, goSrv *interop.Server
	keys        *apikey.Keys
}

func newAPIKeyPair(t *testing.T) *apiKeyPair {
	t.Helper()
	return newAPIKeyPairWith(t, nil, apikey.Config{EnableMetadata: true})
}

// newAPIKeyPairWith is newAPIKeyPair with more variables for the Node server and the Go plugin's cfg.
func newAPIKeyPairWith(t *testing.T, env map[string]string, cfg apikey.Config) *apiKeyPair {
	t.Helper()
	return newAPIKeyPairOn(t, "sqlite", env, cfg)
}

// newAPIKeyPairOn is newAPIKeyPairWith on a new database of kind (sqlite, postgres, mysql): Go migrates it
// first, then Better Auth at start finds nothing to do.
func newAPIKeyPairOn(t *testing.T, kind string, env map[string]string, cfg apikey.Config) *apiKeyPair {
	t.Helper()
	interop.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dbURL, nodeEnv := sharedDatabase(t, kind)
	db, dialect, err := storeurl.OpenDB(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sqlstore.Migrate(ctx, db, dialect, &sqlstore.MigrateOptions{Tables: apikey.Schema}); err != nil {
		t.Fatal(err)
	}
	p := &apiKeyPair{db: db, keys: apikey.New(cfg)}
	nodeEnv["PLUGINS"], nodeEnv["INSECURE_FAST_PASSWORD_HASH"] = "apiKey", "1"
	maps.Copy(nodeEnv, env)
	p.node = interop.NewServer(t, nodeEnv)
	p.goSrv = startGoServer(t, dbURL, interop.DefaultSecret, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, p.keys.Plugin())
	})
	return p
}

// verify is verifyApiKey({key}) on s: Node's auth.api, or the Go plugin's Keys.Verify.
func (p *apiKeyPair) verify(t *testing.T, s *interop.Server, key string) map[string]any {
	t.Helper()
	var raw []byte
	if s == p.node {
		status, b, err := s.API(t.Context(), "verifyApiKey", map[string]any{"key": key}, nil)
		if err != nil || status != 200 {
			t.Fatalf("verifyApiKey on Node: %d %v", status, err)
		}
		raw = b
	} else {
		res, err := p.keys.Verify(t.Context(), key, nil)
		if err != nil {
			t.Fatal(err)
		}
		if raw, err = json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// verifyOutcome is what must agree of a verifyApiKey answer: valid, the error code and the key's fields.
func verifyOutcome(v map[string]any) string {
	e, _ := v["error"].(map[string]any)
	k, _ := v["key"].(map[string]any)
	return fmt.Sprintf("valid=%v code=%v keys=%s remaining=%v requestCount=%v", v["valid"], e["code"],
		strings.Join(slices.Sorted(maps.Keys(k)), ","), k["remaining"], k["requestCount"])
}

// TestClientAPIKey: the real JS client with apiKeyClient() runs the same script against Node's apiKey()
// and the Go api-key plugin, on one database: create (with a prefix, an expiry and metadata; server-only
// fields and a bad prefix refused), list, get, update (server-only fields and empty updates refused),
// verify (server-side), delete, and get/delete after delete: the same statuses, error codes, messages and
// data keys at every step.
func TestClientAPIKey(t *testing.T) {
	p := newAPIKeyPair(t)
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
	run := func(s *interop.Server, tag string) []clientOutcome {
		var out []clientOutcome
		describe := func(d map[string]any) string {
			if ks, ok := d["apiKeys"].([]any); ok {
				var names []string
				for _, k := range ks {
					m, _ := k.(map[string]any)
					names = append(names, fmt.Sprint(m["name"]))
				}
				return fmt.Sprintf("apiKeys=%v total=%v", names, d["total"])
			}
			key, _ := d["key"].(string)
			return fmt.Sprintf("name=%v prefix=%v start=%v startOfKey=%v keyLen=%d enabled=%v metadata=%v permissions=%v remaining=%v rateLimitMax=%v rateLimitTimeWindow=%v configId=%v expires=%v",
				d["name"], d["prefix"], d["start"] != nil, key == "" || strings.HasPrefix(key, fmt.Sprint(d["start"])), len(key),
				d["enabled"], d["metadata"], d["permissions"], d["remaining"], d["rateLimitMax"], d["rateLimitTimeWindow"],
				d["configId"], d["expiresAt"] != nil)
		}
		add := func(rs []interop.ClientResult) {
			for _, r := range rs {
				if !strings.HasPrefix(r.Op, "jar.") {
					out = append(out, outcomeOf(r, describe))
				}
			}
		}
		signUp := interop.RunClient(t, s.URL, "/api/auth", s.URL,
			step("signUp.email", map[string]any{"name": "K", "email": "k@" + tag + ".example.com", "password": password}))
		add(signUp)
		jar := jarSteps(signUp[0].Jar)
		n := len(jar)
		rs := interop.RunClient(t, s.URL, "/api/auth", s.URL, append(slices.Clone(jar),
			step("apiKey.create", map[string]any{"name": "first"}),
			step("apiKey.create", map[string]any{"name": "second", "prefix": "pre_", "expiresIn": 2 * 86400, "metadata": map[string]any{"plan": "pro"}}),
			step("apiKey.create", map[string]any{"remaining": 5}),
			step("apiKey.create", map[string]any{"permissions": map[string]any{"files": []any{"read"}}}),
			step("apiKey.create", map[string]any{"prefix": "bad prefix"}),
			step("apiKey.create", map[string]any{"name": strings.Repeat("n", 33)}),
			step("apiKey.create", map[string]any{"expiresIn": 60}),
			step("apiKey.list", nil),
		)...)[n:]
		add(rs)
		var first, second map[string]any
		_ = json.Unmarshal(rs[0].Data, &first)
		_ = json.Unmarshal(rs[1].Data, &second)
		id, key := fmt.Sprint(first["id"]), fmt.Sprint(first["key"])
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL, append(slices.Clone(jar),
			step("apiKey.get", map[string]any{"query": map[string]any{"id": id}}),
			step("apiKey.get", map[string]any{"query": map[string]any{"id": "missing"}}),
			step("apiKey.update", map[string]any{"keyId": id, "name": "renamed", "enabled": true, "metadata": map[string]any{"x": 1}}),
			step("apiKey.update", map[string]any{"keyId": id, "remaining": 3}),
			step("apiKey.update", map[string]any{"keyId": id}),
			step("apiKey.update", map[string]any{"keyId": "missing", "name": "x"}),
			step("apiKey.list", map[string]any{"query": map[string]any{"limit": 1, "offset": 1}}),
			step("apiKey.list", map[string]any{"query": map[string]any{"sortBy": "name", "sortDirection": "desc"}}),
			step("apiKey.list", map[string]any{"query": map[string]any{"sortBy": "name"}}),
			step("apiKey.list", map[string]any{"query": map[string]any{"sortBy": "expiresAt", "sortDirection": "desc"}}),
			step("apiKey.list", map[string]any{"query": map[string]any{"sortDirection": "up"}}),
		)...)[n:])
		v := verifyOutcome(p.verify(t, s, key))
		out = append(out, clientOutcome{Op: "verify", Extra: v})
		out = append(out, clientOutcome{Op: "verify bad", Extra: verifyOutcome(p.verify(t, s, key+"x"))})
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL, append(slices.Clone(jar),
			step("apiKey.update", map[string]any{"keyId": id, "enabled": false}),
		)...)[n:])
		out = append(out, clientOutcome{Op: "verify disabled", Extra: verifyOutcome(p.verify(t, s, key))})
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL, append(slices.Clone(jar),
			step("apiKey.delete", map[string]any{"keyId": id}),
			step("apiKey.delete", map[string]any{"keyId": id}),
			step("apiKey.get", map[string]any{"query": map[string]any{"id": id}}),
			step("apiKey.list", nil),
		)...)[n:])
		out = append(out, clientOutcome{Op: "verify deleted", Extra: verifyOutcome(p.verify(t, s, key))})
		// Another user's key is not found, and without a session the endpoints answer 401.
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL,
			step("signUp.email", map[string]any{"name": "O", "email": "o@" + tag + ".example.com", "password": password}),
			step("apiKey.get", map[string]any{"query": map[string]any{"id": second["id"]}}),
			step("apiKey.delete", map[string]any{"keyId": second["id"]}),
			step("apiKey.update", map[string]any{"keyId": second["id"], "name": "mine"}),
		))
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL,
			step("apiKey.create", map[string]any{"name": "anon"}),
			step("apiKey.list", nil),
			step("apiKey.get", map[string]any{"query": map[string]any{"id": second["id"]}}),
		))
		return out
	}
	node, goRes := run(p.node, "node"), run(p.goSrv, "go")
	if len(node) != len(goRes) {
		t.Fatalf("%d steps on Node, %d on Go", len(node), len(goRes))
	}
	for i := range node {
		if node[i] != goRes[i] {
			t.Errorf("step %d:\n  Node %+v\n  Go   %+v", i, node[i], goRes[i])
		} else {
			t.Logf("step %d: %+v", i, node[i])
		}
	}
}

// TestAPIKeyAcrossServers: on one database (SQLite, PostgreSQL, MySQL), a key created through Go's plugin
// verifies on Node, and one created through Node's verifies on Go, counting against the same row.
func TestAPIKeyAcrossServers(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			p := newAPIKeyPairOn(t, kind, nil, apikey.Config{EnableMetadata: true})
			step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
			for _, tt := range []struct {
				name, email    string
				create, verify *interop.Server
			}{
				{name: "created on Go, verified on Node", email: "go@across.example.com", create: p.goSrv, verify: p.node},
				{name: "created on Node, verified on Go", email: "node@across.example.com", create: p.node, verify: p.goSrv},
			} {
				t.Run(tt.name, func(t *testing.T) {
					rs := interop.RunClient(t, tt.create.URL, "/api/auth", tt.create.URL,
						step("signUp.email", map[string]any{"name": "X", "email": tt.email, "password": password}))
					wantStep(t, rs[0], "")
					jar := jarSteps(rs[0].Jar)
					rs = interop.RunClient(t, tt.create.URL, "/api/auth", tt.create.URL, append(jar, step("apiKey.create", map[string]any{"name": "x"}))...)[len(jar)-1:]
					wantStep(t, rs[1], "")
					var created map[string]any
					if err := json.Unmarshal(rs[1].Data, &created); err != nil {
						t.Fatal(err)
					}
					v := p.verify(t, tt.verify, fmt.Sprint(created["key"]))
					k, _ := v["key"].(map[string]any)
					if v["valid"] != true || k["id"] != created["id"] || k["requestCount"] != float64(1) {
						t.Fatalf("verify: %v", v)
					}
					other := p.goSrv
					if tt.verify == p.goSrv {
						other = p.node
					}
					v = p.verify(t, other, fmt.Sprint(created["key"]))
					if k, _ := v["key"].(map[string]any); v["valid"] != true || k["requestCount"] != float64(2) {
						t.Fatalf("second verify on the other server: %v", v)
					}
				})
			}
		})
	}
}
