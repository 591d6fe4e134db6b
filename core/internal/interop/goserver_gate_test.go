package interop_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// TestSharedDatabasePluginGates runs the real Better Auth server with its admin and twoFactor plugins on the
// Go server's database (issue 12 items 1 and 2). A user who turned two-factor on through Better Auth's own
// endpoints gets {"twoFactorRedirect":true} from Better Auth and no session from Go (which has no two-factor
// plugin: 403 TWO_FACTOR_NOT_SUPPORTED); a user banned through Better Auth's admin API gets 403 BANNED_USER
// from both; and a session of the banned user left in the database is refused by the Go verifier.
func TestSharedDatabasePluginGates(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			interop.Require(t)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			var dbURL string
			env := map[string]string{"PLUGINS": "admin,twoFactor"}
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
			db, dialect, err := storeurl.OpenDB(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			// Go migrates first (core tables); Better Auth then adds its plugins' columns and table, as in a
			// deployment where the Node server runs plugins the Go server does not.
			if _, err := sqlstore.Migrate(ctx, db, dialect, nil); err != nil {
				t.Fatal(err)
			}
			node := interop.NewServer(t, env)
			st, err := sqlstore.New(db, dialect, nil)
			if err != nil {
				t.Fatal(err)
			}
			goSrv := startGoServer(t, dbURL, interop.DefaultSecret, nil)
			verifier, err := auth.New(auth.Config{BaseURL: goSrv.BaseURL, Secret: auth.Secret(interop.DefaultSecret), DisableJWKS: true, Store: st})
			if err != nil {
				t.Fatal(err)
			}

			// Two-factor, turned on through Better Auth: enable (TOTP), then verify a code.
			tfEmail := "2fa-" + kind + "@example.com"
			cookie, err := node.SignUp(ctx, tfEmail, password, "Two Factor")
			if err != nil {
				t.Fatal(err)
			}
			en, err := node.Post(ctx, "/two-factor/enable", cookie, map[string]any{"password": password})
			if err != nil {
				t.Fatal(err)
			}
			var enabled struct {
				TotpURI string `json:"totpURI"`
			}
			if err := json.Unmarshal(en.Body, &enabled); err != nil || enabled.TotpURI == "" {
				t.Fatalf("enable: %s", en.Body)
			}
			if _, err := node.Post(ctx, "/two-factor/verify-totp", cookie, map[string]any{"code": totpNow(t, enabled.TotpURI)}); err != nil {
				t.Fatal(err)
			}
			signIn := map[string]any{"email": tfEmail, "password": password}
			status, body, setCookie := postRaw(t, ctx, node, "/sign-in/email", signIn)
			if status != 200 || body["twoFactorRedirect"] != true || setCookie {
				t.Fatalf("Better Auth sign-in of a two-factor user: %d %v (session cookie %v)", status, body, setCookie)
			}
			status, body, setCookie = postRaw(t, ctx, goSrv, "/sign-in/email", signIn)
			if status != 403 || body["code"] != "TWO_FACTOR_NOT_SUPPORTED" || setCookie || body["token"] != nil {
				t.Fatalf("Go sign-in of a two-factor user: %d %v (session cookie %v)", status, body, setCookie)
			}

			// A ban through Better Auth's admin API, by an admin (the role set in the database, as the first
			// admin is).
			adminEmail, victimEmail := "admin-"+kind+"@example.com", "banned-"+kind+"@example.com"
			adminCookie, err := node.SignUp(ctx, adminEmail, password, "Admin")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `update "user" set "role" = 'admin' where "email" = '`+adminEmail+`'`); err != nil {
				t.Fatal(err)
			}
			victimCookie, err := goSrv.SignUp(ctx, victimEmail, password, "Victim")
			if err != nil {
				t.Fatal(err)
			}
			victim, err := node.GetSession(ctx, victimCookie)
			if err != nil || victim == nil {
				t.Fatalf("victim session: %v", err)
			}
			if _, err := node.Post(ctx, "/admin/ban-user", adminCookie, map[string]any{"userId": victim.User.ID, "banReason": "test"}); err != nil {
				t.Fatal(err)
			}
			signIn = map[string]any{"email": victimEmail, "password": password}
			for name, srv := range map[string]*interop.Server{"Better Auth": node, "Go": goSrv} {
				status, body, setCookie := postRaw(t, ctx, srv, "/sign-in/email", signIn)
				if status != 403 || body["code"] != "BANNED_USER" || body["message"] != bannedMessage || setCookie {
					t.Fatalf("%s sign-in of a banned user: %d %v (session cookie %v)", name, status, body, setCookie)
				}
			}
			// Better Auth's ban deleted the session Go had made at sign-up: the verifier finds none.
			if _, err := verifier.Authenticate(ctx, auth.Request{Cookie: []string{victimCookie}}); !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("verifier on the revoked session: %v", err)
			}
			// A session of the banned user that remains (written by a server without the gate, or in a race with
			// the ban) is refused: 403 BANNED_USER, never a session.
			token := "remainingsession" + strings.Repeat("x", 16)
			now := time.Now().UTC()
			iso := func(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }
			if _, err := db.ExecContext(ctx, fmt.Sprintf(`insert into "session" ("id","expiresAt","token","createdAt","updatedAt","userId") values ('remaining','%s','%s','%s','%s','%s')`,
				iso(now.Add(time.Hour)), token, iso(now), iso(now), victim.User.ID)); err != nil {
				t.Fatal(err)
			}
			s, err := verifier.Authenticate(ctx, auth.Request{Cookie: []string{"better-auth.session_token=" + signCookie(token)}})
			if s != nil || !errors.Is(err, auth.ErrBanned) || auth.HTTPStatus(err) != 403 || auth.NewErrorResponse(err).Code != "BANNED_USER" {
				t.Fatalf("verifier on a banned user's session: %+v, %v", s, err)
			}
			// Unbanned through Better Auth, the user signs in at Go again.
			if _, err := node.Post(ctx, "/admin/unban-user", adminCookie, map[string]any{"userId": victim.User.ID}); err != nil {
				t.Fatal(err)
			}
			if status, body, setCookie := postRaw(t, ctx, goSrv, "/sign-in/email", signIn); status != 200 || !setCookie {
				t.Fatalf("Go sign-in after unban: %d %v", status, body)
			}
		})
	}
}

// bannedMessage is the admin plugin's default bannedUserMessage.
const bannedMessage = "You have been banned from this application. Please contact support if you believe this is an error."

// postRaw POSTs JSON as a browser on the site and returns the status, the JSON body and whether a session
// cookie was set.
func postRaw(t *testing.T, ctx context.Context, s *interop.Server, endpoint string, body any) (int, map[string]any, bool) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.AuthURL(endpoint), strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	u, _ := url.Parse(s.BaseURL)
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	set := false
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, "session_token") && c.Value != "" && c.MaxAge >= 0 {
			set = true
		}
	}
	return resp.StatusCode, out, set
}

// signCookie signs a session token as Better Auth signs its session cookie, with the harness's secret.
func signCookie(token string) string {
	m := hmac.New(sha256.New, []byte(interop.DefaultSecret))
	m.Write([]byte(token))
	return url.QueryEscape(token + "." + base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

// totpNow is the current RFC 6238 code (SHA-1, 6 digits, 30 s) for the secret of an otpauth:// URI.
func totpNow(t *testing.T, uri string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.ToUpper(u.Query().Get("secret"))
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(secret, "="))
	if err != nil {
		t.Fatalf("totp secret %q: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(time.Now().Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0xf
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}
