package authserver_test

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/testdb"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// TestJWTKeysAcrossServers: four servers start at once on an empty PostgreSQL database (each with its own
// connection pool, as four processes would) and sign their first JWTs at the same moment. They may insert
// up to four keys, as four Better Auth servers would (its createJwk runs whenever getLatestKey finds no
// live key), but every token verifies against every server's /jwks, and all sign with one key, the newest,
// once the signing key each read last is 10 s old (Better Auth reads it for every token). Then the signing key's rotation interval runs out: the servers rotate (again
// perhaps several at once) and converge again, and a verifier that cached the old key set accepts the new
// tokens (it fetches the set again for a token issued after its last fetch) as well as the old ones: no
// false 401.
func TestJWTKeysAcrossServers(t *testing.T) {
	dbURL := testdb.Postgres(t)
	const n = 4
	const rotation = time.Hour
	clk := &srvClock{t: time.Now().UTC().Truncate(time.Millisecond)}
	plugin := authserver.JWT(authserver.JWTConfig{RotationInterval: rotation})
	servers := make([]*authserver.Server, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	dbs := make([]*sql.DB, n)
	for i := range n {
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	// Migrate and New at once, as four processes starting together.
	for i := range n {
		wg.Go(func() {
			if err := authserver.Migrate(t.Context(), dbs[i], "postgres", plugin); err != nil {
				errs[i] = err
				return
			}
			st, err := sqlstore.New(dbs[i], sqlstore.Postgres, &sqlstore.Options{Now: clk.now})
			if err != nil {
				errs[i] = err
				return
			}
			off := false
			servers[i], errs[i] = authserver.New(authserver.Config{
				Auth:      auth.Config{BaseURL: srvBase, Secret: auth.Secret(strings.Repeat("s", 40)), DisableJWKS: true, Now: clk.now},
				Database:  st,
				Plugins:   []authserver.Plugin{plugin},
				RateLimit: authserver.RateLimitConfig{Enabled: &off},
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
	}
	for _, s := range servers {
		t.Cleanup(func() { s.Close() })
	}

	do := func(s *authserver.Server, method, path, cookie, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, srvBase+"/api/auth"+path, strings.NewReader(body))
		req.Header.Set("Origin", srvBase)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	up := do(servers[0], "POST", "/sign-up/email", "", `{"name":"Ann","email":"ann@example.com","password":"correct horse"}`)
	if up.Code != 200 {
		t.Fatalf("sign-up: %d %s", up.Code, up.Body)
	}
	var cookie string
	for _, c := range up.Result().Cookies() {
		if c.Name == "better-auth.session_token" {
			cookie = c.Name + "=" + c.Value
		}
	}
	// tokens asks every server for a JWT at the same moment and returns them by server.
	tokens := func() []string {
		out := make([]string, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, s := range servers {
			wg.Go(func() {
				<-start
				rec := do(s, "GET", "/token", cookie, "")
				var body struct{ Token string }
				if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Token == "" {
					t.Errorf("server %d /token: %d %s", i, rec.Code, rec.Body)
				}
				out[i] = body.Token
			})
		}
		close(start)
		wg.Wait()
		return out
	}
	// verifiers checks tokens against each server's /jwks; cached, when given, is a verifier made earlier.
	jwksOf := make([]*httptest.Server, n)
	for i, s := range servers {
		jwksOf[i] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := do(s, "GET", "/jwks", "", "")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		}))
		t.Cleanup(jwksOf[i].Close)
	}
	newVerifier := func(i int) *auth.Auth {
		v, err := auth.New(auth.Config{BaseURL: srvBase, JWKSURL: jwksOf[i].URL, Now: clk.now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		return v
	}
	verifyAll := func(what string, toks []string, vs []*auth.Auth) {
		t.Helper()
		for i, tok := range toks {
			for j, v := range vs {
				if _, err := v.VerifyToken(t.Context(), tok); err != nil {
					t.Errorf("%s: server %d's token refused by a verifier of server %d's /jwks: %v (HTTP %d)", what, i, j, err, auth.HTTPStatus(err))
				}
			}
		}
	}
	keyRows := func() (all, live int) {
		t.Helper()
		if err := dbs[0].QueryRow(`SELECT count(*), count(*) FILTER (WHERE "expiresAt" > $1) FROM jwks`, clk.now()).Scan(&all, &live); err != nil {
			t.Fatal(err)
		}
		return all, live
	}
	// converged asks every server for a token again (after the racing inserts) and wants one kid.
	converged := func(what string) string {
		t.Helper()
		kids := map[string]bool{}
		var kid string
		for _, tok := range tokens() {
			kid = kidOf(t, tok)
			kids[kid] = true
		}
		if len(kids) != 1 {
			t.Errorf("%s: the servers sign with %d keys, want 1: %v", what, len(kids), kids)
		}
		return kid
	}

	first := tokens()
	all, live := keyRows()
	t.Logf("first tokens: %d key rows (%d live) after %d servers signed at once", all, live, n)
	if all < 1 || all > n {
		t.Fatalf("%d key rows, want 1 to %d", all, n)
	}
	early := make([]*auth.Auth, n)
	for i := range n {
		early[i] = newVerifier(i)
	}
	verifyAll("first tokens", first, early)
	// A server reuses the signing key it read for up to 10 s (keyReuse) without reading the table again;
	// Better Auth reads it for every token. Past that, all sign with the newest.
	clk.add(11 * time.Second)
	kid1 := converged("after the first keys")

	clk.add(rotation + time.Second) // the signing key expires: the next token rotates it
	rotated := tokens()
	all2, live2 := keyRows()
	t.Logf("after rotation: %d key rows (%d live)", all2, live2)
	if live2 < 1 || live2 > n || all2 <= all {
		t.Fatalf("after rotation: %d key rows (%d live), before %d", all2, live2, all)
	}
	verifyAll("rotated tokens, verifiers cached before", rotated, early)
	clk.add(11 * time.Second)
	kid2 := converged("after rotation")
	if kid2 == kid1 {
		t.Errorf("still signing with %s after its rotation interval", kid1)
	}
	// The verifiers made before the rotation have the old set cached: new tokens must make them fetch
	// again, not answer 401; the old tokens (valid 15 minutes, their key in the grace period) still verify.
	clk.add(-rotation) // back within the old tokens' 15 minutes: their key is expired but published
	verifyAll("tokens from before the rotation", first, early)
}

// kidOf returns a JWT's kid header.
func kidOf(t *testing.T, tok string) string {
	t.Helper()
	h, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var hdr struct{ Kid string }
	if err := json.Unmarshal(h, &hdr); err != nil {
		t.Fatal(err)
	}
	return hdr.Kid
}
