package interop_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/passkey"
	"github.com/gobetterauth/gobetterauth/core/authserver/passkey/passkeytest"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// getJSON GETs path at s with cookie as a browser on the site and returns the status, the raw body and
// the cookies set.
func getJSON(t *testing.T, s *interop.Server, path, cookie string) (int, []byte, map[string]string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.AuthURL(path), nil)
	req.Header.Set("Origin", strings.TrimSuffix(s.BaseURL, "/"))
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	set := map[string]string{}
	for _, c := range resp.Cookies() {
		set[c.Name] = c.Value
	}
	return resp.StatusCode, raw, set
}

// merge adds the cookies set to a Cookie header's pairs.
func merge(jar map[string]string, set map[string]string) string {
	for k, v := range set {
		if v == "" {
			delete(jar, k)
		} else {
			jar[k] = v
		}
	}
	return jarOf(jar)
}

// passkeyRow is one passkey row as stored.
type passkeyRow struct {
	credentialID, publicKey, deviceType, transports, aaguid string
	counter                                                 int64
	backedUp                                                bool
}

func readPasskey(t *testing.T, db *sql.DB, credID string) passkeyRow {
	t.Helper()
	var r passkeyRow
	var aaguid sql.NullString
	q := `select "credentialID", "publicKey", "counter", "deviceType", "backedUp", "transports", "aaguid" from "passkey" where "credentialID" = '` + credID + `'`
	if err := db.QueryRowContext(t.Context(), q).Scan(&r.credentialID, &r.publicKey, &r.counter, &r.deviceType, &r.backedUp, &r.transports, &aaguid); err != nil {
		t.Fatalf("reading passkey %s: %v", credID, err)
	}
	r.aaguid = aaguid.String
	return r
}

// TestPasskeyBothWays registers a passkey through Node's @better-auth/passkey and signs in with it at Go,
// then registers one at Go and signs in with it at Node, on one database (SQLite, PostgreSQL), with one
// software authenticator; each side sees the counter the other wrote.
func TestPasskeyBothWays(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) { testPasskeyBothWays(t, kind) })
	}
}

func testPasskeyBothWays(t *testing.T, kind string) {
	interop.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var dbURL string
	env := map[string]string{"PLUGINS": "passkey"}
	switch kind {
	case "sqlite":
		file := filepath.Join(t.TempDir(), "passkey.db")
		dbURL, env["DB_FILE"] = "sqlite:"+file, file
	case "postgres":
		u, drop, err := newPostgresDatabase(ctx)
		requireFixture(t, err)
		t.Cleanup(drop)
		dbURL, env["DATABASE"] = u, u
	}
	db, dialect, err := storeurl.OpenDB(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sqlstore.Migrate(ctx, db, dialect, &sqlstore.MigrateOptions{Tables: passkey.Schema}); err != nil {
		t.Fatal(err)
	}
	node := interop.NewServer(t, env)
	goSrv := startGoServer(t, dbURL, interop.DefaultSecret, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, passkey.New(passkey.Config{}))
	})
	origin := func(s *interop.Server) string { return strings.TrimSuffix(s.BaseURL, "/") }
	auth := &passkeytest.Authenticator{AAGUID: [16]byte{0xea, 0x9b, 0x8d, 0x66, 0x4d, 0x01, 0x1d, 0x21, 0x3c, 0xe4, 0xb6, 0xb4, 0x8c, 0xb5, 0x75, 0xd4}}

	// register signs up (or in) at s and adds a passkey there; it returns the credential id.
	register := func(s *interop.Server, signUp bool) string {
		t.Helper()
		path, body := "/sign-in/email", map[string]any{"email": "pk@example.com", "password": "correct horse battery"}
		if signUp {
			path, body["name"] = "/sign-up/email", "Pat"
		}
		st, b, set := call(t, s, path, "", body)
		if st != 200 {
			t.Fatalf("%s at %s: %d %v", path, s.BaseURL, st, b)
		}
		jar := map[string]string{}
		cookie := merge(jar, set)
		st, raw, set := getJSON(t, s, "/passkey/generate-register-options", cookie)
		if st != 200 {
			t.Fatalf("generate-register-options at %s: %d %s", s.BaseURL, st, raw)
		}
		cookie = merge(jar, set)
		resp, err := auth.Create(raw, origin(s))
		if err != nil {
			t.Fatal(err)
		}
		st, b, _ = call(t, s, "/passkey/verify-registration", cookie, map[string]any{"response": resp, "name": "key at " + s.BaseURL})
		if st != 200 {
			t.Fatalf("verify-registration at %s: %d %v", s.BaseURL, st, b)
		}
		return b["credentialID"].(string)
	}
	// signIn signs in at s with the credential.
	signIn := func(s *interop.Server, credID string) map[string]any {
		t.Helper()
		st, raw, set := getJSON(t, s, "/passkey/generate-authenticate-options", "")
		if st != 200 {
			t.Fatalf("generate-authenticate-options at %s: %d %s", s.BaseURL, st, raw)
		}
		resp, err := auth.Get(raw, origin(s), credID)
		if err != nil {
			t.Fatal(err)
		}
		st, b, set2 := call(t, s, "/passkey/verify-authentication", jarOf(set), map[string]any{"response": resp})
		if st != 200 || set2["better-auth.session_token"] == "" {
			t.Fatalf("verify-authentication at %s: %d %v", s.BaseURL, st, b)
		}
		if u, _ := b["user"].(map[string]any); u["email"] != "pk@example.com" {
			t.Fatalf("signed in at %s as %v", s.BaseURL, b["user"])
		}
		return b
	}

	fromNode := register(node, true)
	nodeRow := readPasskey(t, db, fromNode)
	signIn(goSrv, fromNode)
	if r := readPasskey(t, db, fromNode); r.counter != 1 {
		t.Fatalf("counter after the Go sign-in = %d, want 1", r.counter)
	}
	signIn(node, fromNode) // Node sees Go's counter: the authenticator's 2 is above it
	if r := readPasskey(t, db, fromNode); r.counter != 2 {
		t.Fatalf("counter after the Node sign-in = %d, want 2", r.counter)
	}

	fromGo := register(goSrv, false)
	goRow := readPasskey(t, db, fromGo)
	signIn(node, fromGo)
	signIn(goSrv, fromGo)
	if r := readPasskey(t, db, fromGo); r.counter != 2 {
		t.Fatalf("counter of the Go passkey = %d, want 2", r.counter)
	}

	// The rows Go writes are the ones Node writes: same encodings, same flags.
	for _, r := range []passkeyRow{nodeRow, goRow} {
		if _, err := base64.RawURLEncoding.DecodeString(r.credentialID); err != nil {
			t.Errorf("credentialID %q is not base64url: %v", r.credentialID, err)
		}
		if _, err := base64.StdEncoding.DecodeString(r.publicKey); err != nil {
			t.Errorf("publicKey %q is not padded base64: %v", r.publicKey, err)
		}
	}
	nodeRow.credentialID, nodeRow.publicKey, goRow.credentialID, goRow.publicKey = "", "", "", ""
	if nodeRow != goRow {
		t.Errorf("rows differ beyond the key:\nnode %+v\ngo   %+v", nodeRow, goRow)
	}
	if nodeRow.aaguid != "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4" || nodeRow.transports != "internal" || nodeRow.deviceType != "singleDevice" {
		t.Errorf("node row %+v", nodeRow)
	}

	// Both list the same passkeys, in the same shape.
	lists := map[string]string{}
	for name, s := range map[string]*interop.Server{"node": node, "go": goSrv} {
		_, _, set := call(t, s, "/sign-in/email", "", map[string]any{"email": "pk@example.com", "password": "correct horse battery"})
		st, raw, _ := getJSON(t, s, "/passkey/list-user-passkeys", jarOf(set))
		if st != 200 {
			t.Fatalf("list at %s: %d %s", name, st, raw)
		}
		var v []map[string]any
		if err := json.Unmarshal(raw, &v); err != nil || len(v) != 2 {
			t.Fatalf("list at %s: %s", name, raw)
		}
		var keys []string
		for k := range v[0] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		lists[name] = strings.Join(keys, ",")
	}
	if lists["node"] != lists["go"] {
		t.Errorf("list fields differ:\nnode %s\ngo   %s", lists["node"], lists["go"])
	}
}
