package passkey_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/passkey"
	"github.com/gobetterauth/gobetterauth/core/authserver/passkey/passkeytest"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const (
	baseURL = "http://localhost:3000"
	origin  = "http://localhost:3000"
)

// server is a Go server with the passkey plugin, on SQLite, with a clock the test moves.
type server struct {
	t   *testing.T
	h   http.Handler
	st  *sqlstore.Store
	mu  sync.Mutex
	now time.Time
}

func newServer(t *testing.T, cfg passkey.Config) *server {
	t.Helper()
	return newServerOn(t, cfg, nil)
}

// newServerOn is newServer with the server's Database made by wrap from the SQLite store (nil: the store).
func newServerOn(t *testing.T, cfg passkey.Config, wrap func(*sqlstore.Store) store.Database) *server {
	t.Helper()
	s := &server{t: t, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := passkey.New(cfg)
	if err := authserver.Migrate(t.Context(), db, "sqlite", p); err != nil {
		t.Fatal(err)
	}
	if s.st, err = sqlstore.New(db, sqlstore.SQLite, nil); err != nil {
		t.Fatal(err)
	}
	var database store.Database = s.st
	if wrap != nil {
		database = wrap(s.st)
	}
	srv, err := authserver.New(authserver.Config{Database: database, DevMode: true, Plugins: []authserver.Plugin{p},
		Auth: auth.Config{BaseURL: baseURL, Secret: "passkey-test-secret-0123456789abcdef", DisableJWKS: true,
			Now: func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s.h = srv
	return s
}

func (s *server) advance(d time.Duration) { s.mu.Lock(); s.now = s.now.Add(d); s.mu.Unlock() }

// browser is one browser: its cookies.
type browser struct {
	s       *server
	cookies map[string]string
}

func (s *server) browser() *browser { return &browser{s: s, cookies: map[string]string{}} }

// answer is one response.
type answer struct {
	status int
	raw    []byte
	body   map[string]any
}

func (a answer) code() string { c, _ := a.body["code"].(string); return c }

func (b *browser) do(method, path string, body []byte) answer {
	b.s.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequest(method, baseURL+"/api/auth"+path, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Origin", baseURL)
	var cs []string
	for k, v := range b.cookies {
		cs = append(cs, k+"="+v)
	}
	if len(cs) > 0 {
		r.Header.Set("Cookie", strings.Join(cs, "; "))
	}
	w := httptest.NewRecorder()
	b.s.h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	a := answer{status: w.Code, raw: w.Body.Bytes()}
	_ = json.Unmarshal(a.raw, &a.body)
	return a
}

func (b *browser) post(path string, body any) answer {
	raw, _ := json.Marshal(body)
	return b.do(http.MethodPost, path, raw)
}

// signUp signs a new user up in the browser.
func (b *browser) signUp(email string) {
	b.s.t.Helper()
	if a := b.post("/sign-up/email", map[string]any{"name": "Ann", "email": email, "password": "correct horse battery"}); a.status != 200 {
		b.s.t.Fatalf("sign-up: %d %s", a.status, a.raw)
	}
}

// register adds a passkey with the authenticator and returns the verify-registration answer.
func (b *browser) register(a *passkeytest.Authenticator, body map[string]any) answer {
	b.s.t.Helper()
	opts := b.do(http.MethodGet, "/passkey/generate-register-options", nil)
	if opts.status != 200 {
		return opts
	}
	resp, err := a.Create(opts.raw, origin)
	if err != nil {
		b.s.t.Fatal(err)
	}
	if body == nil {
		body = map[string]any{}
	}
	body["response"] = resp
	return b.post("/passkey/verify-registration", body)
}

// options asks for authentication options.
func (b *browser) options() []byte {
	b.s.t.Helper()
	a := b.do(http.MethodGet, "/passkey/generate-authenticate-options", nil)
	if a.status != 200 {
		b.s.t.Fatalf("generate-authenticate-options: %d %s", a.status, a.raw)
	}
	return a.raw
}

// signIn signs in with the authenticator's credential id ("" for its only one).
func (b *browser) signIn(a *passkeytest.Authenticator, id string) answer {
	b.s.t.Helper()
	resp, err := a.Get(b.options(), origin, id)
	if err != nil {
		b.s.t.Fatal(err)
	}
	return b.post("/passkey/verify-authentication", map[string]any{"response": resp})
}

func (s *server) passkeys(userID string) []store.Passkey {
	s.t.Helper()
	pks, err := s.st.PasskeysByUser(s.t.Context(), userID)
	if err != nil {
		s.t.Fatal(err)
	}
	return pks
}

func TestRegisterSignInManage(t *testing.T) {
	s := newServer(t, passkey.Config{})
	b := s.browser()
	b.signUp("ann@example.com")
	auth := &passkeytest.Authenticator{}

	opts := b.do(http.MethodGet, "/passkey/generate-register-options?authenticatorAttachment=platform", nil)
	if opts.status != 200 {
		t.Fatalf("options: %d %s", opts.status, opts.raw)
	}
	for _, want := range []string{`"rp":{"name":"Better Auth","id":"localhost"}`, `"attestation":"none"`,
		`"pubKeyCredParams":[{"alg":-8,"type":"public-key"},{"alg":-7,"type":"public-key"},{"alg":-257,"type":"public-key"}]`,
		`"timeout":60000`, `"excludeCredentials":[]`, `"extensions":{"credProps":true}`, `"hints":[]`,
		`"authenticatorSelection":{"residentKey":"preferred","userVerification":"preferred","authenticatorAttachment":"platform","requireResidentKey":false}`,
		`"name":"ann@example.com","displayName":"ann@example.com"`} {
		if !strings.Contains(string(opts.raw), want) {
			t.Errorf("options %s lack %s", opts.raw, want)
		}
	}
	if b.cookies["better-auth.better-auth-passkey"] == "" {
		t.Fatalf("no challenge cookie: %v", b.cookies)
	}
	resp, err := auth.Create(opts.raw, origin)
	if err != nil {
		t.Fatal(err)
	}
	reg := b.post("/passkey/verify-registration", map[string]any{"response": resp, "name": "  Laptop "})
	if reg.status != 200 || reg.body["name"] != "Laptop" || reg.body["counter"] != 0.0 || reg.body["deviceType"] != "singleDevice" ||
		reg.body["backedUp"] != false || reg.body["transports"] != "internal" || reg.body["aaguid"] != "00000000-0000-0000-0000-000000000000" {
		t.Fatalf("verify-registration: %d %s", reg.status, reg.raw)
	}
	userID := reg.body["userId"].(string)
	pks := s.passkeys(userID)
	if len(pks) != 1 {
		t.Fatalf("%d passkeys stored", len(pks))
	}
	pk := pks[0]
	cred := auth.Credential(pk.CredentialID)
	if cred == nil {
		t.Fatalf("stored credentialID %q is not the base64url id the authenticator made", pk.CredentialID)
	}
	cose, err := base64.StdEncoding.DecodeString(pk.PublicKey)
	if err != nil {
		t.Fatalf("publicKey %q is not standard base64: %v", pk.PublicKey, err)
	}
	var key map[int]any
	if err := cbor.Unmarshal(cose, &key); err != nil || key[3] != int64(-7) || key[1] != uint64(2) {
		t.Fatalf("publicKey is not the COSE key: %v %v", key, err)
	}

	// Registering the same authenticator again lists its credential in excludeCredentials.
	opts = b.do(http.MethodGet, "/passkey/generate-register-options", nil)
	if want := `"excludeCredentials":[{"id":"` + pk.CredentialID + `","transports":["internal"],"type":"public-key"}]`; !strings.Contains(string(opts.raw), want) {
		t.Errorf("options %s lack %s", opts.raw, want)
	}

	// A new browser signs in with the passkey: no allowCredentials (discoverable, conditional UI).
	nb := s.browser()
	aopts := nb.options()
	if strings.Contains(string(aopts), "allowCredentials") || !strings.Contains(string(aopts), `"rpId":"localhost"`) {
		t.Errorf("signed-out options: %s", aopts)
	}
	resp, _ = auth.Get(aopts, origin, "")
	in := nb.post("/passkey/verify-authentication", map[string]any{"response": resp})
	if in.status != 200 || nb.cookies["better-auth.session_token"] == "" {
		t.Fatalf("verify-authentication: %d %s", in.status, in.raw)
	}
	if u := in.body["user"].(map[string]any); u["email"] != "ann@example.com" {
		t.Fatalf("signed in as %v", u)
	}
	if got := s.passkeys(userID)[0].Counter; got != 1 {
		t.Fatalf("counter after sign-in = %d, want 1", got)
	}
	list := nb.do(http.MethodGet, "/passkey/list-user-passkeys", nil)
	if list.status != 200 || !strings.HasPrefix(string(list.raw), `[{"name":"Laptop","publicKey":"`) || !strings.HasSuffix(string(list.raw), `"id":"`+pk.ID+`"}]`) {
		t.Fatalf("list: %d %s", list.status, list.raw)
	}
	up := nb.post("/passkey/update-passkey", map[string]any{"id": pk.ID, "name": "Phone"})
	if up.status != 200 || up.body["passkey"].(map[string]any)["name"] != "Phone" || s.passkeys(userID)[0].Name != "Phone" {
		t.Fatalf("update: %d %s", up.status, up.raw)
	}
	del := nb.post("/passkey/delete-passkey", map[string]any{"id": pk.ID})
	if del.status != 200 || string(del.raw) != `{"status":true}` || len(s.passkeys(userID)) != 0 {
		t.Fatalf("delete: %d %s", del.status, del.raw)
	}
	if a := s.browser().signIn(auth, pk.CredentialID); a.status != 401 || a.code() != "PASSKEY_NOT_FOUND" {
		t.Fatalf("a deleted passkey signs in: %d %s", a.status, a.raw)
	}
}

// fixture is a server with one user holding one passkey, signed in once (counter 1).
type fixture struct {
	s      *server
	owner  *browser
	auth   *passkeytest.Authenticator
	credID string
	userID string
	before []store.Passkey // the stored passkeys a refusal must leave as they are
}

func newFixture(t *testing.T, cfg passkey.Config) *fixture {
	s := newServer(t, cfg)
	f := &fixture{s: s, owner: s.browser(), auth: &passkeytest.Authenticator{}}
	f.owner.signUp("ann@example.com")
	reg := f.owner.register(f.auth, nil)
	if reg.status != 200 {
		t.Fatalf("register: %d %s", reg.status, reg.raw)
	}
	f.credID, f.userID = reg.body["credentialID"].(string), reg.body["userId"].(string)
	if a := s.browser().signIn(f.auth, f.credID); a.status != 200 {
		t.Fatalf("first sign-in: %d %s", a.status, a.raw)
	}
	return f
}

func TestAuthenticationRefusals(t *testing.T) {
	tests := []struct {
		name   string
		cfg    passkey.Config
		run    func(f *fixture) answer
		status int
		code   string
	}{
		{name: "replayed challenge", run: func(f *fixture) answer {
			b := f.s.browser()
			resp, _ := f.auth.Get(b.options(), origin, f.credID)
			if a := b.post("/passkey/verify-authentication", map[string]any{"response": resp}); a.status != 200 {
				f.s.t.Fatalf("first use: %d %s", a.status, a.raw)
			}
			f.before = f.s.passkeys(f.userID)
			b.cookies = map[string]string{"better-auth.better-auth-passkey": b.cookies["better-auth.better-auth-passkey"]}
			return b.post("/passkey/verify-authentication", map[string]any{"response": resp})
		}, status: 400, code: "CHALLENGE_NOT_FOUND"},
		{name: "challenge of another session", run: func(f *fixture) answer {
			mine, other := f.s.browser(), f.s.browser()
			mine.options()
			resp, _ := f.auth.Get(other.options(), origin, f.credID)
			return mine.post("/passkey/verify-authentication", map[string]any{"response": resp})
		}, status: 400, code: "AUTHENTICATION_FAILED"},
		{name: "no challenge cookie", run: func(f *fixture) answer {
			b := f.s.browser()
			resp, _ := f.auth.Get(b.options(), origin, f.credID)
			delete(b.cookies, "better-auth.better-auth-passkey")
			return b.post("/passkey/verify-authentication", map[string]any{"response": resp})
		}, status: 400, code: "CHALLENGE_NOT_FOUND"},
		{name: "expired challenge", run: func(f *fixture) answer {
			b := f.s.browser()
			resp, _ := f.auth.Get(b.options(), origin, f.credID)
			f.s.advance(passkey.ChallengeMaxAge + time.Second)
			return b.post("/passkey/verify-authentication", map[string]any{"response": resp})
		}, status: 400, code: "CHALLENGE_NOT_FOUND"},
		{name: "registration challenge", run: func(f *fixture) answer {
			opts := f.owner.do(http.MethodGet, "/passkey/generate-register-options", nil)
			var o struct{ Challenge string }
			_ = json.Unmarshal(opts.raw, &o)
			resp, _ := f.auth.Assert(f.auth.Credential(f.credID), o.Challenge, "localhost", origin, 5)
			return f.owner.post("/passkey/verify-authentication", map[string]any{"response": resp})
		}, status: 400, code: "CHALLENGE_NOT_FOUND"},
		{name: "wrong origin", run: func(f *fixture) answer {
			f.auth.Origin = "http://evil.localhost:3000"
			return f.s.browser().signIn(f.auth, f.credID)
		}, status: 400, code: "AUTHENTICATION_FAILED"},
		{name: "wrong RP ID", run: func(f *fixture) answer {
			f.auth.RPID = "example.com"
			return f.s.browser().signIn(f.auth, f.credID)
		}, status: 400, code: "AUTHENTICATION_FAILED"},
		{name: "counter not grown", run: func(f *fixture) answer {
			b := f.s.browser()
			var o struct{ Challenge, RPID string }
			_ = json.Unmarshal(b.options(), &o)
			resp, _ := f.auth.Assert(f.auth.Credential(f.credID), o.Challenge, "localhost", origin, 1)
			return b.post("/passkey/verify-authentication", map[string]any{"response": resp})
		}, status: 400, code: "AUTHENTICATION_FAILED"},
		{name: "counter gone back to zero", run: func(f *fixture) answer {
			b := f.s.browser()
			var o struct{ Challenge string }
			_ = json.Unmarshal(b.options(), &o)
			resp, _ := f.auth.Assert(f.auth.Credential(f.credID), o.Challenge, "localhost", origin, 0)
			return b.post("/passkey/verify-authentication", map[string]any{"response": resp})
		}, status: 400, code: "AUTHENTICATION_FAILED"},
		{name: "unknown credential", run: func(f *fixture) answer {
			stranger := &passkeytest.Authenticator{}
			_, _ = stranger.Create([]byte(`{"challenge":"x","rp":{"id":"localhost"}}`), origin)
			return f.s.browser().signIn(stranger, "")
		}, status: 401, code: "PASSKEY_NOT_FOUND"},
		{name: "user not present", run: func(f *fixture) answer {
			f.auth.Flags = passkeytest.FlagUV
			return f.s.browser().signIn(f.auth, f.credID)
		}, status: 400, code: "AUTHENTICATION_FAILED"},
		{name: "user verification required, not done", cfg: passkey.Config{RequireUserVerification: true}, run: func(f *fixture) answer {
			f.auth.Flags = passkeytest.FlagUP
			return f.s.browser().signIn(f.auth, f.credID)
		}, status: 400, code: "AUTHENTICATION_FAILED"},
		{name: "forged signature", run: func(f *fixture) answer {
			b := f.s.browser()
			resp, _ := f.auth.Get(b.options(), origin, f.credID)
			var m map[string]any
			_ = json.Unmarshal(resp, &m)
			m["response"].(map[string]any)["signature"] = base64.RawURLEncoding.EncodeToString([]byte("0E\x02 not a signature"))
			return b.post("/passkey/verify-authentication", map[string]any{"response": m})
		}, status: 400, code: "AUTHENTICATION_FAILED"},
		{name: "response missing", run: func(f *fixture) answer {
			return f.s.browser().post("/passkey/verify-authentication", map[string]any{})
		}, status: 400, code: "VALIDATION_ERROR"},
		{name: "body over the size limit", run: func(f *fixture) answer {
			b := f.s.browser()
			resp, _ := f.auth.Get(b.options(), origin, f.credID)
			return b.post("/passkey/verify-authentication", map[string]any{"response": resp, "pad": strings.Repeat("a", 70<<10)})
		}, status: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.cfg)
			f.before = f.s.passkeys(f.userID)
			a := tt.run(f)
			if a.status != tt.status {
				t.Errorf("status = %d, want %d (%s)", a.status, tt.status, a.raw)
			}
			if tt.code != "" && a.code() != tt.code {
				t.Errorf("code = %q, want %q", a.code(), tt.code)
			}
			after := f.s.passkeys(f.userID)
			if len(after) != 1 || after[0].Counter != f.before[0].Counter || after[0].PublicKey != f.before[0].PublicKey || after[0].Name != f.before[0].Name {
				t.Errorf("stored passkey changed: %+v → %+v", f.before, after)
			}
		})
	}
}

// barrierStore holds each verification read, once armed, until n reads have been made, so that racing
// requests all hold the challenge before any of them consumes it.
type barrierStore struct {
	*sqlstore.Store
	mu      sync.Mutex
	waiting int
	release chan struct{}
}

func (b *barrierStore) arm(n int) {
	b.mu.Lock()
	b.waiting, b.release = n, make(chan struct{})
	b.mu.Unlock()
}

func (b *barrierStore) Verification(ctx context.Context, identifier string) (*store.Verification, error) {
	v, err := b.Store.Verification(ctx, identifier)
	b.mu.Lock()
	release := b.release
	if release != nil {
		if b.waiting--; b.waiting == 0 {
			close(release)
			b.release = nil
		}
	}
	b.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
	}
	return v, err
}

// TestChallengeRace: requests racing with one challenge, each having read it before any consumes it, get
// one session between them; the others are 400 CHALLENGE_NOT_FOUND (not a 500, not a second session).
func TestChallengeRace(t *testing.T) {
	const racers = 4
	var bs *barrierStore
	s := newServerOn(t, passkey.Config{}, func(st *sqlstore.Store) store.Database {
		bs = &barrierStore{Store: st}
		return bs
	})
	owner, auth := s.browser(), &passkeytest.Authenticator{}
	owner.signUp("ann@example.com")
	reg := owner.register(auth, nil)
	if reg.status != 200 {
		t.Fatalf("register: %d %s", reg.status, reg.raw)
	}
	credID := reg.body["credentialID"].(string)
	b := s.browser()
	resp, err := auth.Get(b.options(), origin, credID)
	if err != nil {
		t.Fatal(err)
	}
	bs.arm(racers)
	answers := make([]answer, racers)
	var wg sync.WaitGroup
	for i := range racers {
		copyOf := &browser{s: s, cookies: maps.Clone(b.cookies)}
		wg.Go(func() { answers[i] = copyOf.post("/passkey/verify-authentication", map[string]any{"response": resp}) })
	}
	wg.Wait()
	won := 0
	for i, a := range answers {
		switch {
		case a.status == 200:
			won++
		case a.status != 400 || a.code() != "CHALLENGE_NOT_FOUND":
			t.Errorf("racer %d: %d %s, want 200 or 400 CHALLENGE_NOT_FOUND", i, a.status, a.raw)
		}
	}
	if won != 1 {
		t.Errorf("%d racers signed in with one challenge, want 1", won)
	}
}

func TestRegistrationRefusals(t *testing.T) {
	tests := []struct {
		name   string
		cfg    passkey.Config
		run    func(s *server, b *browser) answer
		status int
		code   string
	}{
		{name: "no session", run: func(s *server, _ *browser) answer {
			return s.browser().do(http.MethodGet, "/passkey/generate-register-options", nil)
		}, status: 401, code: "UNAUTHORIZED"},
		{name: "stale session", run: func(s *server, b *browser) answer {
			s.advance(25 * time.Hour)
			return b.register(&passkeytest.Authenticator{}, nil)
		}, status: 403, code: "SESSION_NOT_FRESH"},
		{name: "wrong origin", run: func(s *server, b *browser) answer {
			return b.register(&passkeytest.Authenticator{Origin: "https://localhost:3000"}, nil)
		}, status: 500, code: "FAILED_TO_VERIFY_REGISTRATION"},
		{name: "wrong RP ID", run: func(s *server, b *browser) answer {
			return b.register(&passkeytest.Authenticator{RPID: "example.com"}, nil)
		}, status: 500, code: "FAILED_TO_VERIFY_REGISTRATION"},
		{name: "user verification required, not done", cfg: passkey.Config{RequireUserVerification: true}, run: func(s *server, b *browser) answer {
			return b.register(&passkeytest.Authenticator{Flags: passkeytest.FlagUP}, nil)
		}, status: 500, code: "FAILED_TO_VERIFY_REGISTRATION"},
		{name: "challenge of another user", run: func(s *server, b *browser) answer {
			other := s.browser()
			other.signUp("bob@example.com")
			opts := other.do(http.MethodGet, "/passkey/generate-register-options", nil)
			resp, _ := (&passkeytest.Authenticator{}).Create(opts.raw, origin)
			b.cookies["better-auth.better-auth-passkey"] = other.cookies["better-auth.better-auth-passkey"]
			return b.post("/passkey/verify-registration", map[string]any{"response": resp})
		}, status: 401, code: "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY"},
		{name: "replayed challenge", run: func(s *server, b *browser) answer {
			opts := b.do(http.MethodGet, "/passkey/generate-register-options", nil)
			a := &passkeytest.Authenticator{}
			resp, _ := a.Create(opts.raw, origin)
			cookie := b.cookies["better-auth.better-auth-passkey"]
			if r := b.post("/passkey/verify-registration", map[string]any{"response": resp}); r.status != 200 {
				s.t.Fatalf("first: %d %s", r.status, r.raw)
			}
			b.cookies["better-auth.better-auth-passkey"] = cookie
			resp, _ = a.Create(opts.raw, origin)
			return b.post("/passkey/verify-registration", map[string]any{"response": resp})
		}, status: 400, code: "CHALLENGE_NOT_FOUND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.cfg)
			b := s.browser()
			b.signUp("ann@example.com")
			a := tt.run(s, b)
			if a.status != tt.status || a.code() != tt.code {
				t.Errorf("got %d %s, want %d %s", a.status, a.raw, tt.status, tt.code)
			}
			rows, err := s.st.PasskeysByUser(t.Context(), "")
			if err != nil || len(rows) != 0 {
				t.Errorf("rows without user: %v %v", rows, err)
			}
		})
	}
}

func TestManageRefusals(t *testing.T) {
	f := newFixture(t, passkey.Config{})
	pk := f.s.passkeys(f.userID)[0]
	other := f.s.browser()
	other.signUp("bob@example.com")
	tests := []struct {
		name   string
		b      *browser
		path   string
		body   map[string]any
		status int
		code   string
	}{
		{name: "delete another user's passkey", b: other, path: "/passkey/delete-passkey", body: map[string]any{"id": pk.ID}, status: 401, code: "UNAUTHORIZED"},
		{name: "rename another user's passkey", b: other, path: "/passkey/update-passkey", body: map[string]any{"id": pk.ID, "name": "x"}, status: 401, code: "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY"},
		{name: "delete unknown", b: f.owner, path: "/passkey/delete-passkey", body: map[string]any{"id": "nope"}, status: 404, code: "PASSKEY_NOT_FOUND"},
		{name: "rename to blank", b: f.owner, path: "/passkey/update-passkey", body: map[string]any{"id": pk.ID, "name": "  "}, status: 400, code: "VALIDATION_ERROR"},
		{name: "delete signed out", b: f.s.browser(), path: "/passkey/delete-passkey", body: map[string]any{"id": pk.ID}, status: 401, code: "UNAUTHORIZED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.b.post(tt.path, tt.body)
			if a.status != tt.status || a.code() != tt.code {
				t.Errorf("got %d %s, want %d %s", a.status, a.raw, tt.status, tt.code)
			}
			if got := f.s.passkeys(f.userID); len(got) != 1 || got[0].Name != pk.Name {
				t.Errorf("passkey changed: %+v", got)
			}
		})
	}
}

func TestConfigRefused(t *testing.T) {
	tests := []struct {
		name string
		cfg  passkey.Config
	}{
		{name: "origin off the RP ID", cfg: passkey.Config{Origins: []string{"https://evil.example"}}},
		{name: "origin with a path", cfg: passkey.Config{Origins: []string{"http://localhost:3000/app"}}},
		{name: "RP ID with a port", cfg: passkey.Config{RPID: "localhost:3000"}},
		{name: "unknown attachment", cfg: passkey.Config{AuthenticatorSelection: passkey.AuthenticatorSelection{AuthenticatorAttachment: "usb"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
			defer db.Close()
			st, _ := sqlstore.New(db, sqlstore.SQLite, nil)
			srv, err := authserver.New(authserver.Config{Database: st, DevMode: true, Plugins: []authserver.Plugin{passkey.New(tt.cfg)},
				Auth: auth.Config{BaseURL: baseURL, Secret: "passkey-test-secret-0123456789abcdef", DisableJWKS: true}})
			if err == nil {
				srv.Close()
				t.Fatal("New accepted the config")
			}
		})
	}
}
