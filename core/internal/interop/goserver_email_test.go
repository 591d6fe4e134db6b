package interop_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/mail"
)

// nodeOutbox returns the emails the Node server was asked to send.
func nodeOutbox(t *testing.T, n *interop.Server) []struct{ Kind, Email, URL, Token string } {
	t.Helper()
	resp, err := http.Get(n.URL + "/__test/outbox")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out []struct{ Kind, Email, URL, Token string }
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("outbox %s: %v", b, err)
	}
	return out
}

// getStatus GETs u without following redirects and returns the status and Location.
func getStatus(t *testing.T, u string) (int, string, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestSharedEmailTokens: verification and password-reset tokens issued by one server are honoured by the
// other on a shared database (same secret), both ways, and a reset token is single-use across both.
func TestSharedEmailTokens(t *testing.T) {
	interop.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	file := filepath.Join(t.TempDir(), "shared.db")
	box := &mail.Outbox{}
	g := startGoServer(t, "sqlite:"+file, interop.DefaultSecret, func(c *authserver.Config) { c.Mailer = box })
	n := interop.NewServer(t, map[string]string{"DB_FILE": file})

	// Go issues, Node honours.
	if _, err := g.SignUp(ctx, "mail-go@example.com", password, "Mail"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Post(ctx, "/send-verification-email", "", map[string]any{"email": "mail-go@example.com"}); err != nil {
		t.Fatal(err)
	}
	v, err := box.Next(ctx, "mail-go@example.com", authserver.EmailVerify) // sent in the background: wait for it
	if err != nil {
		t.Fatalf("Go sent no verification email: %v", err)
	}
	if st, _, body := getStatus(t, n.AuthURL("/verify-email?token="+url.QueryEscape(v.Token))); st != 200 || !strings.Contains(body, `"status":true`) {
		t.Fatalf("Node on Go's verification token: %d %s", st, body)
	}
	if _, err := g.Post(ctx, "/request-password-reset", "", map[string]any{"email": "mail-go@example.com"}); err != nil {
		t.Fatal(err)
	}
	r, err := box.Next(ctx, "mail-go@example.com", authserver.EmailResetPassword)
	if err != nil {
		t.Fatalf("Go sent no reset email: %v", err)
	}
	if _, err := n.Post(ctx, "/reset-password", "", map[string]any{"token": r.Token, "newPassword": "reset-by-node-1"}); err != nil {
		t.Fatalf("Node on Go's reset token: %v", err)
	}
	if _, err := g.Post(ctx, "/reset-password", "", map[string]any{"token": r.Token, "newPassword": "again-by-go-1"}); err == nil {
		t.Fatal("Go accepted a reset token Node had spent")
	}
	if _, err := g.SignIn(ctx, "mail-go@example.com", "reset-by-node-1", true); err != nil {
		t.Fatalf("Go sign-in with the password Node set: %v", err)
	}
	if s, err := g.GetSession(ctx, mustCookie(t, g, "mail-go@example.com", "reset-by-node-1")); err != nil || !s.User.EmailVerified {
		t.Fatalf("Go does not see the verification Node made: %+v %v", s, err)
	}

	// Node issues, Go honours.
	if _, err := n.SignUp(ctx, "mail-node@example.com", password, "Mail"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Post(ctx, "/send-verification-email", "", map[string]any{"email": "mail-node@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Post(ctx, "/request-password-reset", "", map[string]any{"email": "mail-node@example.com"}); err != nil {
		t.Fatal(err)
	}
	var vt, rt string
	for _, e := range nodeOutbox(t, n) {
		if e.Email == "mail-node@example.com" {
			switch e.Kind {
			case "verify":
				vt = e.Token
			case "reset":
				rt = e.Token
			}
		}
	}
	if vt == "" || rt == "" {
		t.Fatal("Node sent no emails")
	}
	if st, _, body := getStatus(t, g.AuthURL("/verify-email?token="+url.QueryEscape(vt)+"&callbackURL=%2Fdone")); st != 302 {
		t.Fatalf("Go on Node's verification token: %d %s", st, body)
	}
	if st, loc, _ := getStatus(t, g.AuthURL("/reset-password/"+rt+"?callbackURL=%2Freset")); st != 302 || !strings.HasSuffix(loc, "/reset?token="+rt) {
		t.Fatalf("Go's reset link for Node's token: %d %s", st, loc)
	}
	if _, err := g.Post(ctx, "/reset-password", "", map[string]any{"token": rt, "newPassword": "reset-by-go-123"}); err != nil {
		t.Fatalf("Go on Node's reset token: %v", err)
	}
	if _, err := n.SignIn(ctx, "mail-node@example.com", "reset-by-go-123", true); err != nil {
		t.Fatalf("Node sign-in with the password Go set: %v", err)
	}
}

func mustCookie(t *testing.T, s *interop.Server, email, pw string) string {
	t.Helper()
	l, err := s.SignIn(context.Background(), email, pw, true)
	if err != nil {
		t.Fatal(err)
	}
	return l.Cookie
}
