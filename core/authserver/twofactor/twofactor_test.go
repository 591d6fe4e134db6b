package twofactor_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/twofactor"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

const (
	baseURL  = "http://localhost:3000"
	email    = "ann@example.com"
	password = "correct horse battery"
)

// server is a Go server with the two-factor plugin, on SQLite, with a clock the test moves.
type server struct {
	t    *testing.T
	h    http.Handler
	db   *sql.DB
	mu   sync.Mutex
	now  time.Time
	otps []string // codes sent through OTPConfig.Send
}

func newServer(t *testing.T, cfg twofactor.Config) *server {
	t.Helper()
	s := &server{t: t, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s.db = db
	cfg.OTP.Send = func(_ context.Context, _ store.User, code string) error {
		s.mu.Lock()
		s.otps = append(s.otps, code)
		s.mu.Unlock()
		return nil
	}
	p := twofactor.New(cfg)
	if err := authserver.Migrate(t.Context(), db, "sqlite", p); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.New(authserver.Config{Database: st, DevMode: true, Plugins: []authserver.Plugin{p},
		Auth: auth.Config{BaseURL: baseURL, Secret: "twofactor-test-secret-0123456789abcdef", DisableJWKS: true,
			Now: func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s.h = srv
	return s
}

func (s *server) advance(d time.Duration) { s.mu.Lock(); s.now = s.now.Add(d); s.mu.Unlock() }

func (s *server) clock() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }

// answer is one response.
type answer struct {
	status  int
	body    map[string]any
	cookies map[string]string // set cookies; "" for an expired one
}

func (a answer) code() string { c, _ := a.body["code"].(string); return c }

// post sends a JSON POST as a browser on the site.
func (s *server) post(path, cookie string, body any) answer {
	s.t.Helper()
	b, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, baseURL+"/api/auth"+path, strings.NewReader(string(b)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", baseURL)
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	a := answer{status: w.Code, cookies: map[string]string{}}
	_ = json.Unmarshal(w.Body.Bytes(), &a.body)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			a.cookies[c.Name] = ""
		} else {
			a.cookies[c.Name] = c.Value
		}
	}
	return a
}

// enrolled is a user with TOTP on.
type enrolled struct {
	secret  string
	backup  []string
	session string
}

// enroll signs up, enables TOTP and verifies the first code.
func (s *server) enroll() enrolled { s.t.Helper(); return s.enrollAs(email) }

// enrollAs is enroll for the address addr.
func (s *server) enrollAs(addr string) enrolled {
	s.t.Helper()
	a := s.post("/sign-up/email", "", map[string]any{"name": "Ann", "email": addr, "password": password})
	if a.status != 200 {
		s.t.Fatalf("sign-up: %d %v", a.status, a.body)
	}
	cookie := "better-auth.session_token=" + a.cookies["better-auth.session_token"]
	a = s.post("/two-factor/enable", cookie, map[string]any{"password": password})
	if a.status != 200 {
		s.t.Fatalf("enable: %d %v", a.status, a.body)
	}
	u, _ := url.Parse(a.body["totpURI"].(string))
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	if err != nil {
		s.t.Fatal(err)
	}
	var e enrolled
	e.secret = string(key)
	for _, c := range a.body["backupCodes"].([]any) {
		e.backup = append(e.backup, c.(string))
	}
	a = s.post("/two-factor/verify-totp", cookie, map[string]any{"code": s.totp(e.secret, 0)})
	if a.status != 200 {
		s.t.Fatalf("first verify-totp: %d %v", a.status, a.body)
	}
	e.session = "better-auth.session_token=" + a.cookies["better-auth.session_token"]
	s.advance(90 * time.Second) // the enrolment code is two periods back: out of every window
	return e
}

// totp is the code for the period offset periods from the server's clock.
func (s *server) totp(secret string, offset int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(s.clock().Unix()/30+int64(offset)))
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0xf
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1_000_000)
}

// challenge signs in and returns the two_factor cookie.
func (s *server) challenge() string { s.t.Helper(); return s.challengeAs(email) }

// challengeAs is challenge for the address addr.
func (s *server) challengeAs(addr string) string {
	s.t.Helper()
	a := s.post("/sign-in/email", "", map[string]any{"email": addr, "password": password})
	if a.status != 200 || a.body["twoFactorRedirect"] != true || a.cookies["better-auth.two_factor"] == "" || a.cookies["better-auth.session_token"] != "" {
		s.t.Fatalf("sign-in: %d %v %v", a.status, a.body, a.cookies)
	}
	return "better-auth.two_factor=" + a.cookies["better-auth.two_factor"]
}

func TestTOTPWindow(t *testing.T) {
	tests := []struct {
		name   string
		offset int
		status int
		code   string
	}{
		{name: "two periods back", offset: -2, status: 401, code: "INVALID_CODE"},
		{name: "previous period", offset: -1, status: 200},
		{name: "current period", offset: 0, status: 200},
		{name: "next period", offset: 1, status: 200},
		{name: "two periods ahead", offset: 2, status: 401, code: "INVALID_CODE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, twofactor.Config{})
			e := s.enroll()
			a := s.post("/two-factor/verify-totp", s.challenge(), map[string]any{"code": s.totp(e.secret, tt.offset)})
			if a.status != tt.status || a.code() != tt.code {
				t.Fatalf("got %d %v", a.status, a.body)
			}
			if tt.status == 200 && (a.cookies["better-auth.session_token"] == "" || a.body["token"] == nil) {
				t.Fatalf("no session: %v %v", a.body, a.cookies)
			}
		})
	}
}

func TestTOTPReplay(t *testing.T) {
	tests := []struct {
		name   string
		allow  bool
		status int
	}{
		{name: "refused by default", status: 401},
		{name: "AllowReplay: accepted as Better Auth does", allow: true, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, twofactor.Config{TOTP: twofactor.TOTPConfig{AllowReplay: tt.allow}})
			e := s.enroll()
			code := s.totp(e.secret, 0)
			if a := s.post("/two-factor/verify-totp", s.challenge(), map[string]any{"code": code}); a.status != 200 {
				t.Fatalf("first use: %d %v", a.status, a.body)
			}
			if a := s.post("/two-factor/verify-totp", s.challenge(), map[string]any{"code": code}); a.status != tt.status {
				t.Fatalf("replay: %d %v", a.status, a.body)
			}
		})
	}
}

// TestChallengeAttempts: one challenge takes 5 wrong codes; the 6th try ends it.
func TestChallengeAttempts(t *testing.T) {
	s := newServer(t, twofactor.Config{})
	e := s.enroll()
	tf := s.challenge()
	for i := range 5 {
		if a := s.post("/two-factor/verify-totp", tf, map[string]any{"code": "000000"}); a.status != 401 || a.code() != "INVALID_CODE" {
			t.Fatalf("wrong code %d: %d %v", i+1, a.status, a.body)
		}
	}
	a := s.post("/two-factor/verify-totp", tf, map[string]any{"code": s.totp(e.secret, 0)})
	if a.status != 400 || a.code() != "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE" || a.cookies["better-auth.two_factor"] != "" {
		t.Fatalf("6th try: %d %v %v", a.status, a.body, a.cookies)
	}
	if a := s.post("/two-factor/verify-totp", tf, map[string]any{"code": s.totp(e.secret, 0)}); a.status != 401 || a.code() != "INVALID_TWO_FACTOR_COOKIE" {
		t.Fatalf("the ended challenge: %d %v", a.status, a.body)
	}
}

// TestLockout: 10 consecutive failures across challenges lock the account for 15 minutes, even for a good
// code; then it signs in again.
func TestLockout(t *testing.T) {
	s := newServer(t, twofactor.Config{})
	e := s.enroll()
	for range 2 {
		tf := s.challenge()
		for range 5 {
			if a := s.post("/two-factor/verify-backup-code", tf, map[string]any{"code": "wrong-codes"}); a.status != 401 {
				t.Fatalf("wrong backup code: %d %v", a.status, a.body)
			}
		}
	}
	a := s.post("/two-factor/verify-totp", s.challenge(), map[string]any{"code": s.totp(e.secret, 0)})
	if a.status != 429 || a.code() != "ACCOUNT_TEMPORARILY_LOCKED" {
		t.Fatalf("locked: %d %v", a.status, a.body)
	}
	s.advance(14 * time.Minute)
	if a := s.post("/two-factor/verify-backup-code", s.challenge(), map[string]any{"code": e.backup[0]}); a.status != 429 {
		t.Fatalf("still locked: %d %v", a.status, a.body)
	}
	s.advance(time.Minute + time.Second)
	if a := s.post("/two-factor/verify-totp", s.challenge(), map[string]any{"code": s.totp(e.secret, 0)}); a.status != 200 {
		t.Fatalf("after the lock: %d %v", a.status, a.body)
	}
}

// TestChallengeCookie: the two_factor cookie lasts 600 s, signs in once, and must carry the server's
// signature.
func TestChallengeCookie(t *testing.T) {
	tests := []struct {
		name string
		use  func(s *server, e enrolled, tf string) answer
	}{
		{name: "expired", use: func(s *server, e enrolled, tf string) answer {
			s.advance(601 * time.Second)
			return s.post("/two-factor/verify-totp", tf, map[string]any{"code": s.totp(e.secret, 0)})
		}},
		{name: "reused after success", use: func(s *server, e enrolled, tf string) answer {
			if a := s.post("/two-factor/verify-backup-code", tf, map[string]any{"code": e.backup[0]}); a.status != 200 {
				s.t.Fatalf("first use: %d %v", a.status, a.body)
			}
			return s.post("/two-factor/verify-backup-code", tf, map[string]any{"code": e.backup[1]})
		}},
		{name: "signature forged", use: func(s *server, e enrolled, tf string) answer {
			return s.post("/two-factor/verify-totp", tf[:len(tf)-6]+"AAAA%3D", map[string]any{"code": s.totp(e.secret, 0)})
		}},
		{name: "no cookie", use: func(s *server, e enrolled, _ string) answer {
			return s.post("/two-factor/verify-totp", "", map[string]any{"code": s.totp(e.secret, 0)})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, twofactor.Config{})
			e := s.enroll()
			if a := tt.use(s, e, s.challenge()); a.status != 401 || a.code() != "INVALID_TWO_FACTOR_COOKIE" || a.cookies["better-auth.session_token"] != "" {
				t.Fatalf("got %d %v %v", a.status, a.body, a.cookies)
			}
		})
	}
}

// TestChallengeOfAnotherUser: a two_factor cookie stands for one user's challenge only. Bob's cookie with Ann's
// valid TOTP code or backup code signs nobody in (the code is checked against Bob's secret and codes), and
// Ann's own challenge still takes her code afterwards.
func TestChallengeOfAnotherUser(t *testing.T) {
	s := newServer(t, twofactor.Config{})
	ann := s.enroll()
	s.enrollAs("bob@example.com")
	bob := s.challengeAs("bob@example.com")
	for _, try := range []struct{ path, code, want string }{
		{"/two-factor/verify-totp", s.totp(ann.secret, 0), "INVALID_CODE"},
		{"/two-factor/verify-backup-code", ann.backup[0], "INVALID_BACKUP_CODE"},
	} {
		if a := s.post(try.path, bob, map[string]any{"code": try.code}); a.status != 401 || a.code() != try.want || a.cookies["better-auth.session_token"] != "" {
			t.Fatalf("%s with Ann's code on Bob's challenge: %d %v %v", try.path, a.status, a.body, a.cookies)
		}
	}
	if a := s.post("/two-factor/verify-backup-code", s.challenge(), map[string]any{"code": ann.backup[0]}); a.status != 200 || a.cookies["better-auth.session_token"] == "" {
		t.Fatalf("Ann's backup code on her own challenge: %d %v", a.status, a.body)
	}
}

// TestBackupCodeSingleUse: a backup code signs in once.
func TestBackupCodeSingleUse(t *testing.T) {
	s := newServer(t, twofactor.Config{})
	e := s.enroll()
	if a := s.post("/two-factor/verify-backup-code", s.challenge(), map[string]any{"code": e.backup[2]}); a.status != 200 {
		t.Fatalf("first use: %d %v", a.status, a.body)
	}
	if a := s.post("/two-factor/verify-backup-code", s.challenge(), map[string]any{"code": e.backup[2]}); a.status != 401 || a.code() != "INVALID_BACKUP_CODE" {
		t.Fatalf("second use: %d %v", a.status, a.body)
	}
}

// TestOTP: a sent code lasts 3 minutes and survives 5 wrong tries.
func TestOTP(t *testing.T) {
	tests := []struct {
		name    string
		storage string
		before  func(s *server, tf string)
		status  int
		code    string
	}{
		{name: "plain", status: 200},
		{name: "hashed", storage: "hashed", status: 200},
		{name: "encrypted", storage: "encrypted", status: 200},
		{name: "expired", before: func(s *server, _ string) { s.advance(3*time.Minute + time.Second) }, status: 400, code: "OTP_HAS_EXPIRED"},
		{name: "after 5 wrong codes", before: func(s *server, tf string) {
			for range 5 {
				if a := s.post("/two-factor/verify-otp", tf, map[string]any{"code": "x"}); a.status != 401 || a.code() != "INVALID_CODE" {
					s.t.Fatalf("wrong code: %d %v", a.status, a.body)
				}
			}
		}, status: 400, code: "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, twofactor.Config{OTP: twofactor.OTPConfig{Storage: tt.storage}})
			s.enroll()
			tf := s.challenge()
			if a := s.post("/two-factor/send-otp", tf, map[string]any{}); a.status != 200 || a.body["status"] != true {
				t.Fatalf("send-otp: %d %v", a.status, a.body)
			}
			var stored string
			if err := s.db.QueryRow(`select "value" from "verification" where "identifier" like '2fa-otp-%'`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			code := s.otps[len(s.otps)-1]
			if (tt.storage == "") != strings.HasPrefix(stored, code+":") {
				t.Fatalf("stored %q for code %q with storage %q", stored, code, tt.storage)
			}
			if tt.before != nil {
				tt.before(s, tf)
			}
			if a := s.post("/two-factor/verify-otp", tf, map[string]any{"code": code}); a.status != tt.status || a.code() != tt.code {
				t.Fatalf("verify-otp: %d %v", a.status, a.body)
			}
		})
	}
}

// TestTrustDevice: a device trusted at verification signs in without a challenge for 30 days, then not.
func TestTrustDevice(t *testing.T) {
	s := newServer(t, twofactor.Config{})
	e := s.enroll()
	a := s.post("/two-factor/verify-totp", s.challenge(), map[string]any{"code": s.totp(e.secret, 0), "trustDevice": true})
	trust := a.cookies["better-auth.trust_device"]
	if a.status != 200 || trust == "" {
		t.Fatalf("verify with trustDevice: %d %v", a.status, a.cookies)
	}
	s.advance(29 * 24 * time.Hour)
	a = s.post("/sign-in/email", "better-auth.trust_device="+trust, map[string]any{"email": email, "password": password})
	if a.status != 200 || a.body["twoFactorRedirect"] != nil || a.cookies["better-auth.session_token"] == "" || a.cookies["better-auth.trust_device"] == "" {
		t.Fatalf("trusted sign-in: %d %v %v", a.status, a.body, a.cookies)
	}
	renewed := a.cookies["better-auth.trust_device"]
	// The old record was replaced: the old cookie no longer vouches.
	if a := s.post("/sign-in/email", "better-auth.trust_device="+trust, map[string]any{"email": email, "password": password}); a.body["twoFactorRedirect"] != true {
		t.Fatalf("the replaced trust cookie still signs in: %v", a.body)
	}
	s.advance(30*24*time.Hour + time.Second)
	if a := s.post("/sign-in/email", "better-auth.trust_device="+renewed, map[string]any{"email": email, "password": password}); a.body["twoFactorRedirect"] != true {
		t.Fatalf("an expired trust record still signs in: %v", a.body)
	}
}
